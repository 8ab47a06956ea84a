#include <cmath>
#include "solver.h"
namespace solver {
static double dot(const std::vector<double> &a, const std::vector<double> &b)
{
    double s = 0;
    for (size_t i = 0; i < a.size(); i++)
        s += a[i] * b[i];
    return s;
}
int conjugate_gradient(const Csr &a, const std::vector<double> &b, std::vector<double> &x,
                       double tol, int maxit)
{
    std::vector<double> r(b), p(b), ap(b.size());
    x.assign(b.size(), 0.0);
    double rr = dot(r, r);
    for (int it = 0; it < maxit; it++) {
        if (std::sqrt(rr) < tol)
            return it;
        a.multiply(p, ap);
        double alpha = rr / dot(p, ap);
        for (size_t i = 0; i < x.size(); i++) {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
        }
        double rr2 = dot(r, r);
        for (size_t i = 0; i < p.size(); i++)
            p[i] = r[i] + rr2 / rr * p[i];
        rr = rr2;
    }
    return maxit;
}
}
