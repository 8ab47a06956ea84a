#include "kernel.h"
#include <stdio.h>
#include <stdlib.h>

#define N 4096

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 10;
    static float x[N], y[N];
    static double dx[N], dy[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i % 7);
        y[i] = 1.0f;
        dx[i] = i % 5;
        dy[i] = 0.5;
    }
    for (int r = 0; r < reps; r++)
        kernel_saxpy(N, 0.5f, x, y);
    printf("%s %d %.1f %.1f\n", util_name(argc), util_checksum("comtainer"),
           (double)y[N - 1], kernel_dot(N, dx, dy));
    return 0;
}
