/* spmv.c: sparse matrix-vector products and BLAS-1 operations.
 *
 * The CSR product is the textbook loop: its inner loop is a reduction
 * over a gather and does not vectorize without reassociation.  The SELL-8
 * product works on 8 rows at once, one independent sum per row, so the
 * lane loop vectorizes (a gather of x per column: emulated at the SSE2
 * baseline, vgatherdpd with AVX2) while every row is still summed in CSR
 * order.  The dot product keeps 8 partial sums in a fixed lane order. */
#include <stddef.h>

#include "spmv.h"

void spmv_csr(const csr_t *a, const double *restrict x, double *restrict y)
{
    const int *restrict rp = a->rowptr, *restrict ci = a->col;
    const double *restrict v = a->val;
    for (int r = 0; r < a->n; r++) {
        double s = 0.0;
        for (int k = rp[r]; k < rp[r + 1]; k++)
            s += v[k] * x[ci[k]];
        y[r] = s;
    }
}

void spmv_sell(const sell_t *s, const double *restrict x, double *restrict y)
{
    const int *restrict ci = s->col;
    const double *restrict v = s->val;
    const int n = s->n, full = n / SELL_C;
    for (int c = 0; c < s->nchunks; c++) {
        const int *restrict cc = ci + s->start[c];
        const double *restrict vv = v + s->start[c];
        double acc[SELL_C];
        for (int r = 0; r < SELL_C; r++)
            acc[r] = 0.0;
        for (int j = 0; j < s->width[c]; j++)
            for (int r = 0; r < SELL_C; r++)
                acc[r] += vv[j * SELL_C + r] * x[cc[j * SELL_C + r]];
        double *restrict yc = y + (size_t)c * SELL_C;
        if (c < full) {
            for (int r = 0; r < SELL_C; r++)
                yc[r] = acc[r];
        } else {
            for (int r = 0; r < n - c * SELL_C; r++)
                yc[r] = acc[r];
        }
    }
}

double vec_dot(const double *restrict a, const double *restrict b, int n)
{
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            acc[l] += a[i + l] * b[i + l];
    for (int l = 0; i < n; i++, l++)
        acc[l] += a[i] * b[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void vec_axpy(double alpha, const double *restrict x, double *restrict y, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += alpha * x[i];
}
