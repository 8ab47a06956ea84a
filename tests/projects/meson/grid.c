#include <math.h>
double grid_relax(int n, int steps)
{
    double u[512] = {0};
    u[0] = 1.0;
    for (int s = 0; s < steps; s++)
        for (int i = 1; i < n - 1 && i < 511; i++)
            u[i] = 0.5 * (u[i - 1] + u[i + 1]) + 1e-3 * sqrt((double)i);
    double t = 0;
    for (int i = 0; i < n && i < 512; i++)
        t += u[i];
    return t;
}
