// Assembly of the 3-D Poisson matrix in CSR form.
#include <cmath>

#include "cg.hpp"

namespace cg {

// -lap(u) on the n^3 interior points of the unit cube, 7-point stencil,
// homogeneous Dirichlet boundary, scaled by h^2 (diagonal 6, neighbours -1).
// Columns are sorted within each row.
CsrMatrix poisson3d(int n)
{
    CsrMatrix a;
    a.rows = n * n * n;
    a.rowptr.reserve(a.rows + 1);
    a.col.reserve(7 * (std::size_t)a.rows);
    a.val.reserve(7 * (std::size_t)a.rows);
    a.rowptr.push_back(0);
    auto id = [n](int i, int j, int k) { return (k * n + j) * n + i; };
    for (int k = 0; k < n; k++)
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                auto put = [&](int c, double v) { a.col.push_back(c); a.val.push_back(v); };
                if (k > 0) put(id(i, j, k - 1), -1.0);
                if (j > 0) put(id(i, j - 1, k), -1.0);
                if (i > 0) put(id(i - 1, j, k), -1.0);
                put(id(i, j, k), 6.0);
                if (i < n - 1) put(id(i + 1, j, k), -1.0);
                if (j < n - 1) put(id(i, j + 1, k), -1.0);
                if (k < n - 1) put(id(i, j, k + 1), -1.0);
                a.rowptr.push_back((int)a.col.size());
            }
    return a;
}

// A smooth field on the grid, vanishing on the boundary; each mode gives a
// different one.
std::vector<double> smooth_field(int n, int mode)
{
    std::vector<double> u((std::size_t)n * n * n);
    const double h = 1.0 / (n + 1), pi = 3.14159265358979323846;
    for (int k = 0; k < n; k++)
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                double x = (i + 1) * h, y = (j + 1) * h, z = (k + 1) * h;
                double bump = 64.0 * x * (1 - x) * y * (1 - y) * z * (1 - z);
                double wave = std::sin(2 * pi * (x + 0.37 * mode)) * std::cos(pi * (y - 0.11 * mode));
                u[(std::size_t)(k * n + j) * n + i] = bump * (1.0 + 0.5 * wave);
            }
    return u;
}

} // namespace cg
