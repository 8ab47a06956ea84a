#ifndef DEMO_H
#define DEMO_H
#ifdef __cplusplus
extern "C" {
#endif
/* n sweeps of a 3-point Jacobi stencil over u[0..len) (ends fixed). */
void demo_stencil(double *u, int len, int sweeps);
/* sum of squares of u[0..len). */
double demo_norm2(const double *u, int len);
#ifdef __cplusplus
}
#endif
#endif
