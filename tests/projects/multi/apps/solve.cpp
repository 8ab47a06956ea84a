// Solves a 1-D Poisson problem with CG from libsolver; prints a checksum.
#include <cstdio>
#include "core.h"
#include "solver.h"
int main()
{
    const int n = 200;
    solver::Csr a = solver::laplacian_1d(n);
    std::vector<double> b(n, 1.0), x;
    int its = solver::conjugate_gradient(a, b, x, 1e-10, 1000);
    std::printf("solve its=%d x.x=%.6e\n", its, vec_dot(n, x.data(), x.data()));
    return 0;
}
