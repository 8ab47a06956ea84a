#include <omp.h>
#include <stdio.h>

static double work(int i)
{
    return (i % 13) * 0.25;
}

int main(void)
{
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (int i = 0; i < 100000; i++)
        s += work(i);
    int tasks = 0;
#pragma omp parallel
#pragma omp single
    for (int t = 0; t < 8; t++) {
#pragma omp task shared(tasks)
        {
#pragma omp atomic
            tasks++;
        }
    }
    printf("%.2f %d\n", s, tasks);
    return 0;
}
