/* C half of the mixed program: main calls Fortran, Fortran calls back. */
#include <stdio.h>

void f_scale(int n, double *x, double factor); /* Fortran, bind(C) */

double c_sum(int n, const double *x)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return s;
}

int main(void)
{
    double x[100];
    for (int i = 0; i < 100; i++)
        x[i] = i;
    f_scale(100, x, 2.0);
    printf("%.1f\n", c_sum(100, x));
    return 0;
}
