#ifndef SOLVER_H
#define SOLVER_H
#include <vector>
namespace solver {
struct Csr {
    int n = 0;
    std::vector<int> rowptr, col;
    std::vector<double> val;
    void multiply(const std::vector<double> &x, std::vector<double> &y) const;
};
Csr laplacian_1d(int n);
int conjugate_gradient(const Csr &a, const std::vector<double> &b, std::vector<double> &x,
                       double tol, int maxit);
}
#endif
