#include <cstdio>
#include <vector>
#include "demo.h"

extern "C" void demo_axpy(int n, double a, const double *x, double *y);

int main()
{
    const int n = 4096;
    std::vector<double> u(n), x(n, 1.0);
    for (int i = 0; i < n; i++)
        u[i] = (i % 97) * 0.01;
    for (int round = 0; round < 20; round++) {
        demo_stencil(u.data(), n, 10);
        demo_axpy(n, 1e-3, x.data(), u.data());
    }
    std::printf("demo-app norm %.6f\n", demo_norm2(u.data(), n));
    return 0;
}
