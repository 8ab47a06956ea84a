#include <stdio.h>
double wave_sum(int n);
double wave_peak(int n);
int main(void) { printf("wave %.6f %.6f\n", wave_sum(100000), wave_peak(100000)); return 0; }
