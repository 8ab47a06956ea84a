// cg: solve A x = b for the 7-point 3-D Poisson matrix on an n^3 grid
// (default 24^3 = 13824 unknowns, small enough to stay in cache) with conjugate gradients, for several
// right-hand sides b = A u built from known smooth fields u.  The matrix is
// assembled in CSR form and solved with a DIA copy of it.
//   cg [SCALE [N]]   right-hand sides = 120 * SCALE, tolerance 1e-12
// Prints one line, "cg: check=<sum over the right-hand sides of the mean
// solution entry>".
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cg.hpp"

int main(int argc, char **argv)
{
    double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    int n = argc > 2 ? std::atoi(argv[2]) : 24;
    if (!(scale > 0) || n < 2) {
        std::fprintf(stderr, "usage: cg [SCALE>0 [N>=2]]\n");
        return 2;
    }
    long nrhs_l = std::lround(120 * scale);
    int nrhs = nrhs_l < 1 ? 1 : (int)nrhs_l;

    const cg::CsrMatrix csr = cg::poisson3d(n);
    const cg::DiaMatrix a = cg::to_dia(csr);
    const std::size_t rows = csr.rows;

    std::vector<double> b(rows), x(rows), ax(rows);
    double check = 0.0, worst_err = 0.0, worst_res = 0.0;
    int iterations = 0;
    for (int m = 0; m < nrhs; m++) {
        const std::vector<double> u = cg::smooth_field(n, m);
        cg::spmv(csr, u.data(), b.data());
        for (std::size_t i = 0; i < rows; i++)
            x[i] = 0.0;
        cg::CgResult res = cg::cg_solve(a, b.data(), x.data(), 1e-12, 10 * n * n);
        iterations += res.iterations;
        // True residual with the CSR product: an independent check of the
        // DIA product the solver used.
        cg::spmv(csr, x.data(), ax.data());
        double sum = 0.0, err = 0.0, rn = 0.0, bn = 0.0;
        for (std::size_t i = 0; i < rows; i++) {
            sum += x[i];
            err = std::fmax(err, std::fabs(x[i] - u[i]));
            rn += (b[i] - ax[i]) * (b[i] - ax[i]);
            bn += b[i] * b[i];
        }
        check += sum / rows;
        worst_err = std::fmax(worst_err, err);
        worst_res = std::fmax(worst_res, std::sqrt(rn / bn));
    }
    std::printf("cg: check=%.15e\n", check);
    std::fprintf(stderr, "cg: n=%d unknowns=%zu nnz=%zu rhs=%d iterations=%d "
                 "max|x-u|=%.2e max||b-Ax||/||b||=%.2e\n",
                 n, rows, csr.nnz(), nrhs, iterations, worst_err, worst_res);
    return worst_res < 1e-10 ? 0 : 1;
}
