#include "solver.h"
namespace solver {
Csr laplacian_1d(int n)
{
    Csr a;
    a.n = n;
    a.rowptr.push_back(0);
    for (int i = 0; i < n; i++) {
        if (i > 0) { a.col.push_back(i - 1); a.val.push_back(-1.0); }
        a.col.push_back(i); a.val.push_back(2.0);
        if (i + 1 < n) { a.col.push_back(i + 1); a.val.push_back(-1.0); }
        a.rowptr.push_back(int(a.col.size()));
    }
    return a;
}
void Csr::multiply(const std::vector<double> &x, std::vector<double> &y) const
{
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int k = rowptr[i]; k < rowptr[i + 1]; k++)
            s += val[k] * x[col[k]];
        y[i] = s;
    }
}
}
