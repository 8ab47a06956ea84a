#ifndef KERNEL_H
#define KERNEL_H
void kernel_saxpy(int n, float a, const float *restrict x, float *restrict y);
double kernel_dot(int n, const double *x, const double *y);
int util_checksum(const char *s);
const char *util_name(int i);
#endif
