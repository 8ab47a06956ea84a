// cg: conjugate-gradient solver for the 3-D Poisson problem.
// matrix.cpp, vecops.cpp and solver.cpp make up libcg.a; main.cpp uses it.
#pragma once
#include <cstddef>
#include <vector>

namespace cg {

// Compressed sparse row matrix.
struct CsrMatrix {
    int rows = 0;
    std::vector<int> rowptr;   // rows + 1 entries
    std::vector<int> col;      // sorted within each row
    std::vector<double> val;
    std::size_t nnz() const { return val.size(); }
};

// Diagonal (DIA) copy of a banded CSR matrix: for each distinct offset
// off[d] = column - row, diag[d * rows + i] = A(i, i + off[d]), or 0 where
// the matrix has no such entry.  Its product runs over contiguous rows with
// plain loads, so it vectorizes without gathers.
struct DiaMatrix {
    int rows = 0;
    int halo = 0;                 // max |off|
    std::vector<int> off;         // ascending
    std::vector<double> diag;     // off.size() * rows
};

// matrix.cpp
CsrMatrix poisson3d(int n);                        // 7-point, Dirichlet, n^3 rows
std::vector<double> smooth_field(int n, int mode); // a smooth test solution

// vecops.cpp
DiaMatrix to_dia(const CsrMatrix &a);
void spmv(const CsrMatrix &a, const double *x, double *y);   // y = A x
// y = A x, where xh holds x with a.halo zeros on either side (x = xh + a.halo).
void spmv(const DiaMatrix &a, const double *xh, double *y);
double dot(const double *a, const double *b, std::size_t n);
void axpy(double alpha, const double *x, double *y, std::size_t n);  // y += alpha x
void xpay(const double *x, double beta, double *y, std::size_t n);   // y = x + beta y

// solver.cpp
struct CgResult {
    int iterations;
    double relres;   // final ||r|| / ||b|| (recursive residual)
};
CgResult cg_solve(const DiaMatrix &a, const double *b, double *x, double tol, int maxit);

} // namespace cg
