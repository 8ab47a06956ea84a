/* A vectorizable kernel: built for the default -march it can only use SSE
 * (xmm) registers; relinked at -O3 -march=native it uses the host's
 * widest vectors (ymm/zmm registers on x86-64 with AVX). */
#include "kernel.h"

void kernel_saxpy(int n, float a, const float *restrict x, float *restrict y)
{
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

double kernel_dot(int n, const double *x, const double *y)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}
