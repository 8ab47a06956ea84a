#include <cstdio>
#include <numeric>
#include <vector>

int main()
{
    std::vector<double> v(100000);
#pragma omp parallel for
    for (long i = 0; i < (long)v.size(); i++)
        v[i] = (i % 13) * 0.25;
    std::printf("%.2f\n", std::accumulate(v.begin(), v.end(), 0.0));
    return 0;
}
