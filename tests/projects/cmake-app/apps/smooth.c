#include <stdio.h>
#include "kernels.h"
int main(void)
{
    double a[100], b[100];
    for (int i = 0; i < 100; i++)
        a[i] = i % 7;
    for (int it = 0; it < 50; it++) {
        stencil_3pt(100, a, b);
        stencil_3pt(100, b, a);
    }
    printf("smooth sum=%.9f\n", reduce_sum(100, a));
    return 0;
}
