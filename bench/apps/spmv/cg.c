/* cg.c: conjugate gradients with a Jacobi (diagonal) preconditioner on a
 * SELL-8 matrix. */
#include <math.h>
#include <stdlib.h>

#include "spmv.h"

int cg_solve(const sell_t *a, const double *restrict dinv, const double *restrict b,
             double *restrict x, double tol, int maxit, double *relres)
{
    const int n = a->n;
    double *restrict r = xmalloc(sizeof(double) * (size_t)n);
    double *restrict z = xmalloc(sizeof(double) * (size_t)n);
    double *restrict p = xmalloc(sizeof(double) * (size_t)n);
    double *restrict q = xmalloc(sizeof(double) * (size_t)n);

    spmv_sell(a, x, q);
    for (int i = 0; i < n; i++) {
        r[i] = b[i] - q[i];
        z[i] = dinv[i] * r[i];
        p[i] = z[i];
    }
    const double bnorm = sqrt(vec_dot(b, b, n));
    double rz = vec_dot(r, z, n), rr = vec_dot(r, r, n);
    int it = 0;
    while (it < maxit && sqrt(rr) > tol * bnorm) {
        spmv_sell(a, p, q);
        const double alpha = rz / vec_dot(p, q, n);
        vec_axpy(alpha, p, x, n);
        vec_axpy(-alpha, q, r, n);
        for (int i = 0; i < n; i++)
            z[i] = dinv[i] * r[i];
        const double rz_new = vec_dot(r, z, n);
        const double beta = rz_new / rz;
        for (int i = 0; i < n; i++)
            p[i] = z[i] + beta * p[i];
        rz = rz_new;
        rr = vec_dot(r, r, n);
        it++;
    }
    *relres = bnorm > 0 ? sqrt(rr) / bnorm : 0.0;
    free(r); free(z); free(p); free(q);
    return it;
}
