/* spmv: sparse matrices (CSR and SELL-8), their products, and a
 * Jacobi-preconditioned conjugate-gradient solver. */
#ifndef BENCH_SPMV_H
#define BENCH_SPMV_H
#include <stddef.h>

/* Compressed sparse rows; columns ascending within each row. */
typedef struct {
    int n;          /* rows = columns */
    int *rowptr;    /* n + 1 */
    int *col;       /* rowptr[n] */
    double *val;    /* rowptr[n] */
} csr_t;

/* SELL-C (C = SELL_C rows per chunk, no sorting): chunk c holds rows
 * c*C .. c*C+C-1, padded to the longest of them, stored column-major
 * (entry j of row r of the chunk at start[c] + j*C + r).  Each row keeps
 * the CSR order of its entries; padding has value 0 and repeats a valid
 * column, so the SELL product adds the same terms in the same order as the
 * CSR one (plus exact zeros). */
#define SELL_C 8
typedef struct {
    int n, nchunks;
    int *start;     /* nchunks + 1 */
    int *width;     /* nchunks */
    int *col;
    double *val;
} sell_t;

/* The problem: a weighted graph Laplacian K of a 3-D 27-point stencil
 * with random (symmetric) weights, about 8 % of the edge and corner links
 * dropped, and its nodes renumbered by a random shuffle within windows of
 * consecutive nodes, plus a positive diagonal "mass" term:
 * A = diag(c*m) + K. */
typedef struct {
    int nx, ny, nz, n;
    int *perm;      /* grid node g (i fastest) -> unknown perm[g] */
    double *mass;   /* c*m, by unknown */
    csr_t a;
} problem_t;

void problem_build(problem_t *p, int nx, int ny, int nz, double c, unsigned long long seed);
void problem_free(problem_t *p);

void csr_free(csr_t *a);
void sell_from_csr(sell_t *s, const csr_t *a);
void sell_free(sell_t *s);

void spmv_csr(const csr_t *a, const double *x, double *y);
void spmv_sell(const sell_t *s, const double *x, double *y);

/* BLAS-1 with fixed summation order: dot keeps 8 partial sums. */
double vec_dot(const double *a, const double *b, int n);
void vec_axpy(double alpha, const double *x, double *y, int n);

/* Preconditioned CG: solve A x = b from the given x, with z = dinv .* r,
 * until |r| <= tol |b| or maxit iterations.  Returns the iterations;
 * *relres gets |r|/|b| of the recursive residual. */
int cg_solve(const sell_t *a, const double *dinv, const double *b, double *x,
             double tol, int maxit, double *relres);

void *xmalloc(size_t bytes);

#endif
