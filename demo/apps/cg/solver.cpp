// Unpreconditioned conjugate gradients on a DIA matrix.
#include <cmath>
#include <vector>

#include "cg.hpp"

namespace cg {

CgResult cg_solve(const DiaMatrix &a, const double *b, double *x, double tol, int maxit)
{
    const std::size_t n = a.rows, h = a.halo;
    // p carries a halo of zeros on either side for the DIA product.
    std::vector<double> r(n), q(n), ph(n + 2 * h, 0.0), xh(n + 2 * h, 0.0);
    double *p = ph.data() + h;

    for (std::size_t i = 0; i < n; i++)
        xh[h + i] = x[i];
    spmv(a, xh.data(), q.data());
    for (std::size_t i = 0; i < n; i++)
        r[i] = b[i] - q[i];
    for (std::size_t i = 0; i < n; i++)
        p[i] = r[i];
    const double bnorm = std::sqrt(dot(b, b, n));
    double rr = dot(r.data(), r.data(), n);
    int it = 0;
    while (it < maxit && std::sqrt(rr) > tol * bnorm) {
        spmv(a, ph.data(), q.data());
        const double alpha = rr / dot(p, q.data(), n);
        axpy(alpha, p, x, n);
        axpy(-alpha, q.data(), r.data(), n);
        const double rr_new = dot(r.data(), r.data(), n);
        xpay(r.data(), rr_new / rr, p, n);
        rr = rr_new;
        it++;
    }
    return {it, std::sqrt(rr) / bnorm};
}

} // namespace cg
