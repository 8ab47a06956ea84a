#include <stdio.h>
#include "demo.h"

int main(void)
{
    double u[512];
    for (int i = 0; i < 512; i++)
        u[i] = (i % 13) * 0.5;
    demo_stencil(u, 512, 200);
    printf("demo-tool norm %.6f\n", demo_norm2(u, 512));
    return 0;
}
