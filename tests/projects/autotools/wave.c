#include <math.h>
static double shape(int i) { return sin(i * 0.01) * cos(i * 0.003); }
double wave_sum(int n) { double s = 0; for (int i = 0; i < n; i++) s += shape(i); return s; }
double wave_peak(int n) { double m = 0; for (int i = 0; i < n; i++) m = fmax(m, fabs(shape(i))); return m; }
