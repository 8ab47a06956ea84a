#ifndef CORE_H
#define CORE_H
#ifdef __cplusplus
extern "C" {
#endif
void vec_axpy(int n, double a, const double *x, double *y);
double vec_dot(int n, const double *x, const double *y);
double stats_mean(int n, const double *x);
double stats_stddev(int n, const double *x);
double unused_checksum(int n, const double *x);
#ifdef __cplusplus
}
#endif
#endif
