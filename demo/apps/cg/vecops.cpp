// Sparse matrix-vector products and BLAS-1 operations.
//
// The dot product keeps 8 partial sums in a fixed lane order and the DIA
// product works down contiguous diagonals: both vectorize at any SIMD width
// without -ffast-math, and every build sums in the same order, so results
// differ between builds only by FMA contraction.
#include <algorithm>

#include "cg.hpp"

namespace cg {

DiaMatrix to_dia(const CsrMatrix &a)
{
    DiaMatrix d;
    d.rows = a.rows;
    std::vector<int> seen;
    for (int r = 0; r < a.rows; r++)
        for (int k = a.rowptr[r]; k < a.rowptr[r + 1]; k++)
            seen.push_back(a.col[k] - r);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    d.off = seen;
    for (int o : d.off)
        d.halo = std::max(d.halo, o < 0 ? -o : o);
    d.diag.assign(d.off.size() * (std::size_t)a.rows, 0.0);
    for (int r = 0; r < a.rows; r++)
        for (int k = a.rowptr[r]; k < a.rowptr[r + 1]; k++) {
            std::size_t dd = std::lower_bound(d.off.begin(), d.off.end(), a.col[k] - r) - d.off.begin();
            d.diag[dd * a.rows + r] = a.val[k];
        }
    return d;
}

void spmv(const CsrMatrix &a, const double *__restrict x, double *__restrict y)
{
    const int *__restrict rp = a.rowptr.data(), *__restrict ci = a.col.data();
    const double *__restrict v = a.val.data();
    for (int r = 0; r < a.rows; r++) {
        double s = 0.0;
        for (int k = rp[r]; k < rp[r + 1]; k++)
            s += v[k] * x[ci[k]];
        y[r] = s;
    }
}

void spmv(const DiaMatrix &a, const double *__restrict xh, double *__restrict y)
{
    // One pass over the rows; the diagonals are taken in ascending offset
    // order, which is the CSR column order, so the sums match spmv(CSR)
    // term by term (the extra terms are exact zeros).
    const std::size_t rows = a.rows, nd = a.off.size();
    const double *__restrict dg = a.diag.data();
    const double *__restrict x = xh + a.halo;
    if (nd == 7) {          // the 7-point stencil: a fixed-length loop body
        const double *__restrict d0 = dg, *__restrict d1 = dg + rows,
                     *__restrict d2 = dg + 2 * rows, *__restrict d3 = dg + 3 * rows,
                     *__restrict d4 = dg + 4 * rows, *__restrict d5 = dg + 5 * rows,
                     *__restrict d6 = dg + 6 * rows;
        const double *__restrict x0 = x + a.off[0], *__restrict x1 = x + a.off[1],
                     *__restrict x2 = x + a.off[2], *__restrict x3 = x + a.off[3],
                     *__restrict x4 = x + a.off[4], *__restrict x5 = x + a.off[5],
                     *__restrict x6 = x + a.off[6];
        for (std::size_t i = 0; i < rows; i++)
            y[i] = 0.0 + d0[i] * x0[i] + d1[i] * x1[i] + d2[i] * x2[i] + d3[i] * x3[i]
                 + d4[i] * x4[i] + d5[i] * x5[i] + d6[i] * x6[i];
        return;
    }
    for (std::size_t i = 0; i < rows; i++)
        y[i] = 0.0;
    for (std::size_t d = 0; d < nd; d++) {
        const double *__restrict dd = dg + d * rows, *__restrict xd = x + a.off[d];
        for (std::size_t i = 0; i < rows; i++)
            y[i] += dd[i] * xd[i];
    }
}

double dot(const double *__restrict a, const double *__restrict b, std::size_t n)
{
    double acc[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            acc[l] += a[i + l] * b[i + l];
    double tail = 0.0;
    for (; i < n; i++)
        tail += a[i] * b[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

void axpy(double alpha, const double *__restrict x, double *__restrict y, std::size_t n)
{
    for (std::size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

void xpay(const double *__restrict x, double beta, double *__restrict y, std::size_t n)
{
    for (std::size_t i = 0; i < n; i++)
        y[i] = x[i] + beta * y[i];
}

} // namespace cg
