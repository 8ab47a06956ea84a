/* 27-point Jacobi sweep; built into libkernels.so with -fPIC.
 * The innermost loop runs over contiguous i with restrict-qualified
 * pointers and no reductions, so compilers vectorize it (SSE2 at the
 * baseline, AVX2/AVX-512 + FMA with -march=native) without changing the
 * order of the floating-point operations. */
#include "kernels.h"

void stencil27_sweep(int n, const double *restrict u, double *restrict v,
                     const double *restrict rhs)
{
    const ptrdiff_t sy = n + 2, sz = (ptrdiff_t)(n + 2) * (n + 2);
    for (int k = 1; k <= n; k++) {
        for (int j = 1; j <= n; j++) {
            const ptrdiff_t row = k * sz + j * sy;
            const double *restrict c = u + row;           /* (., j, k)     */
            const double *restrict n_ = c - sy, *restrict s_ = c + sy;
            const double *restrict d = c - sz, *restrict up = c + sz;
            const double *restrict dn = d - sy, *restrict ds = d + sy;
            const double *restrict un = up - sy, *restrict us = up + sy;
            const double *restrict f = rhs + row;
            double *restrict out = v + row;
            for (int i = 1; i <= n; i++) {
                double faces = c[i - 1] + c[i + 1] + n_[i] + s_[i] + d[i] + up[i];
                double edges = n_[i - 1] + n_[i + 1] + s_[i - 1] + s_[i + 1]
                             + d[i - 1] + d[i + 1] + up[i - 1] + up[i + 1]
                             + dn[i] + ds[i] + un[i] + us[i];
                double corners = dn[i - 1] + dn[i + 1] + ds[i - 1] + ds[i + 1]
                               + un[i - 1] + un[i + 1] + us[i - 1] + us[i + 1];
                out[i] = (14.0 * faces + 3.0 * edges + corners + f[i]) * (1.0 / 128.0);
            }
        }
    }
}

double grid_weighted_sum(int n, const double *u)
{
    double total = 0.0;
    for (int k = 1; k <= n; k++)
        for (int j = 1; j <= n; j++) {
            double s = 0.0;
            for (int i = 1; i <= n; i++)
                s += u[grid_idx(n, i, j, k)] * (1.0 + (double)(i + 2 * j + 3 * k) / (6.0 * n));
            total += s;
        }
    return total;
}
