#include "kernels.h"
void stencil_3pt(int n, const double *in, double *out)
{
    for (int i = 1; i < n - 1; i++)
        out[i] = 0.25 * in[i - 1] + 0.5 * in[i] + 0.25 * in[i + 1];
    out[0] = in[0];
    out[n - 1] = in[n - 1];
}
