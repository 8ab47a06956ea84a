/* spmv: implicit (backward Euler) diffusion on an unstructured-looking
 * 3-D mesh: every time step solves (M + K) x' = M x + f with Jacobi-
 * preconditioned conjugate gradients, warm-started from x, to a relative
 * residual of 1e-8.  K is a randomly weighted 27-point graph Laplacian
 * with randomly renumbered nodes (see csr.c), so the sparse products are
 * indirect and memory-bound.
 *   spmv [SCALE [NX NY NZ]]   time steps = 10 * SCALE (default grid 34x30x28)
 * Prints "spmv.iters: check=<total CG iterations>", "spmv.resid:
 * check=<CG's relative residual at the end of the last solve>" and
 * "spmv.xsum: check=<weighted sum of the final solution>"; details go to
 * stderr.  As a self-test the true residual |b - A x| / |b| of every solve
 * is recomputed with the CSR product; the program exits 1 if it exceeds
 * 1e-7.
 *
 * The mass term keeps the system well conditioned (about 50 iterations a
 * solve), so CG's iterates and recursive residuals agree between builds to
 * ~1e-13; the true residual, a difference of nearly equal vectors, would
 * not, and only goes to stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "spmv.h"

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    int nx = argc > 4 ? atoi(argv[2]) : 34;
    int ny = argc > 4 ? atoi(argv[3]) : 30;
    int nz = argc > 4 ? atoi(argv[4]) : 28;
    if (!(scale > 0) || nx < 2 || ny < 2 || nz < 2) {
        fprintf(stderr, "usage: spmv [SCALE>0 [NX NY NZ (>=2)]]\n");
        return 2;
    }
    int steps = (int)lround(10 * scale);
    if (steps < 1)
        steps = 1;
    const double tol = 1e-8, mass_c = 0.5;

    problem_t P;
    problem_build(&P, nx, ny, nz, mass_c, 20240607ULL);
    const int n = P.n;
    sell_t S;
    sell_from_csr(&S, &P.a);

    double *x = xmalloc(sizeof(double) * (size_t)n);
    double *b = xmalloc(sizeof(double) * (size_t)n);
    double *f = xmalloc(sizeof(double) * (size_t)n);
    double *dinv = xmalloc(sizeof(double) * (size_t)n);
    double *t = xmalloc(sizeof(double) * (size_t)n);
    for (int u = 0; u < n; u++)
        for (int k = P.a.rowptr[u]; k < P.a.rowptr[u + 1]; k++)
            if (P.a.col[k] == u)
                dinv[u] = 1.0 / P.a.val[k];
    /* A source and a weaker sink, Gaussian blobs in grid coordinates. */
    for (int g = 0; g < n; g++) {
        double xi = (g % nx + 0.5) / nx, yi = ((g / nx) % ny + 0.5) / ny,
               zi = (g / (nx * ny) + 0.5) / nz;
        double d1 = (xi - 0.3) * (xi - 0.3) + (yi - 0.6) * (yi - 0.6) + (zi - 0.4) * (zi - 0.4);
        double d2 = (xi - 0.7) * (xi - 0.7) + (yi - 0.3) * (yi - 0.3) + (zi - 0.7) * (zi - 0.7);
        f[P.perm[g]] = exp(-30.0 * d1) - 0.6 * exp(-20.0 * d2);
        x[P.perm[g]] = 0.0;
    }

    long total_it = 0;
    int it = 0;
    double relres = 0.0, true_res = 0.0, worst = 0.0;
    for (int s = 0; s < steps; s++) {
        for (int u = 0; u < n; u++)
            b[u] = P.mass[u] * x[u] + f[u];
        it = cg_solve(&S, dinv, b, x, tol, 10000, &relres);
        total_it += it;
        spmv_csr(&P.a, x, t);
        for (int u = 0; u < n; u++)
            t[u] = b[u] - t[u];
        true_res = sqrt(vec_dot(t, t, n) / vec_dot(b, b, n));
        if (true_res > worst)
            worst = true_res;
    }

    /* Weighted sum in grid order, scalar, the same in every build. */
    double xsum = 0.0;
    for (int g = 0; g < n; g++)
        xsum += x[P.perm[g]] * (1.0 + (double)g / n);

    printf("spmv.iters: check=%ld\n", total_it);
    printf("spmv.resid: check=%.15e\n", relres);
    printf("spmv.xsum: check=%.15e\n", xsum);
    fprintf(stderr, "spmv: n=%d nnz=%d sell-nnz=%d steps=%d cg-iterations=%ld "
            "(last %d) last-residual=%.3e true=%.3e worst-true=%.3e\n",
            n, P.a.rowptr[n], S.start[S.nchunks], steps, total_it, it, relres, true_res, worst);
    int bad = worst > 1e-7;
    free(x); free(b); free(f); free(dinv); free(t);
    sell_free(&S);
    problem_free(&P);
    return bad;
}
