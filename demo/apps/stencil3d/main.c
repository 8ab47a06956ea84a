/* stencil3d: Jacobi iterations of the 27-point Laplacian on an n^3 grid
 * (default 48^3, small enough to stay in cache) with a heat source inside and fixed boundary values.
 *   stencil3d [SCALE [N]]   sweeps = 1600 * SCALE
 * Prints one line, "stencil3d: check=<weighted sum of the final grid>". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static double *grid_alloc(size_t count)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, count * sizeof(double)) != 0) {
        fprintf(stderr, "stencil3d: out of memory\n");
        exit(1);
    }
    memset(p, 0, count * sizeof(double));
    return p;
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    int n = argc > 2 ? atoi(argv[2]) : 48;
    if (!(scale > 0) || n < 4) {
        fprintf(stderr, "usage: stencil3d [SCALE>0 [N>=4]]\n");
        return 2;
    }
    int sweeps = (int)lround(1600 * scale);
    if (sweeps < 1)
        sweeps = 1;

    size_t m = (size_t)n + 2, count = m * m * m;
    double *u = grid_alloc(count), *v = grid_alloc(count), *rhs = grid_alloc(count);
    const double h = 1.0 / (n + 1);

    /* Boundary: a warm bottom face (k = 0) with a smooth profile, and a
     * slightly warm side face (i = 0); every other face is held at 0. */
    for (int j = 0; j <= n + 1; j++)
        for (int i = 0; i <= n + 1; i++) {
            double x = i * h, y = j * h;
            u[grid_idx(n, i, j, 0)] = v[grid_idx(n, i, j, 0)] =
                1.0 + 0.5 * sin(M_PI * x) * sin(2 * M_PI * y);
        }
    for (int k = 1; k <= n + 1; k++)
        for (int j = 0; j <= n + 1; j++)
            u[grid_idx(n, 0, j, k)] = v[grid_idx(n, 0, j, k)] = 0.25;
    /* A Gaussian heat source in the middle: rhs = 30 h^2 f. */
    for (int k = 1; k <= n; k++)
        for (int j = 1; j <= n; j++)
            for (int i = 1; i <= n; i++) {
                double x = i * h - 0.6, y = j * h - 0.4, z = k * h - 0.5;
                double f = 50.0 * exp(-40.0 * (x * x + y * y + z * z));
                rhs[grid_idx(n, i, j, k)] = 30.0 * h * h * f;
            }

    for (int s = 0; s < sweeps; s++) {
        stencil27_sweep(n, u, v, rhs);
        double *t = u; u = v; v = t;
    }

    double check = grid_weighted_sum(n, u) / ((double)n * n * n);
    printf("stencil3d: check=%.15e\n", check);
    fprintf(stderr, "stencil3d: n=%d sweeps=%d\n", n, sweeps);
    free(u); free(v); free(rhs);
    return 0;
}
