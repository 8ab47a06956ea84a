#include <math.h>
#include "core.h"
double stats_mean(int n, const double *x)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return n ? s / n : 0;
}
double stats_stddev(int n, const double *x)
{
    double m = stats_mean(n, x), s = 0;
    for (int i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return n ? sqrt(s / n) : 0;
}
