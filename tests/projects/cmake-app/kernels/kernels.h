#ifndef KERNELS_H
#define KERNELS_H
#ifdef __cplusplus
extern "C" {
#endif
void stencil_3pt(int n, const double *in, double *out);
double reduce_sum(int n, const double *x);
double spare_max(int n, const double *x);
#ifdef __cplusplus
}
#endif
#endif
