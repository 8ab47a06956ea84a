/* libkernels.so: compute kernels shared by the demo programs. */
#ifndef DEMO_KERNELS_H
#define DEMO_KERNELS_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Index of point (i,j,k) in an (n+2)^3 grid stored with i fastest; the
 * interior is 1..n in every direction, 0 and n+1 hold boundary values. */
static inline size_t grid_idx(int n, int i, int j, int k)
{
    size_t m = (size_t)n + 2;
    return ((size_t)k * m + (size_t)j) * m + (size_t)i;
}

/* One Jacobi sweep for the 27-point Laplacian, -lap(u) = f, on the interior
 * of an (n+2)^3 grid:  v = (14*faces + 3*edges + corners + rhs) / 128,
 * where rhs = 30 h^2 f.  u and v must not overlap; boundary points of v are
 * left untouched. */
void stencil27_sweep(int n, const double *u, double *v, const double *rhs);

/* Sum over the interior of u(i,j,k) * (1 + (i + 2j + 3k) / (6n)), in a fixed
 * order, so that every build computes it the same way. */
double grid_weighted_sum(int n, const double *u);

#ifdef __cplusplus
}
#endif
#endif
