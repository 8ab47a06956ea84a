#include <math.h>
#include "demo.h"

double demo_norm2(const double *u, int len)
{
    double s = 0.0;
    for (int i = 0; i < len; i++)
        s += u[i] * u[i];
    return sqrt(s);
}
