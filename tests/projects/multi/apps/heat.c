/* 1-D explicit heat equation; prints a checksum. */
#include <stdio.h>
#include "core.h"
#define N 512
int main(void)
{
    static double u[N], lap[N];
    for (int i = 0; i < N; i++)
        u[i] = (i > N / 4 && i < 3 * N / 4) ? 1.0 : 0.0;
    for (int step = 0; step < 200; step++) {
        for (int i = 1; i < N - 1; i++)
            lap[i] = u[i - 1] - 2 * u[i] + u[i + 1];
        vec_axpy(N, 0.25, lap, u);
    }
    printf("heat mean=%.6f stddev=%.6f\n", stats_mean(N, u), stats_stddev(N, u));
    return 0;
}
