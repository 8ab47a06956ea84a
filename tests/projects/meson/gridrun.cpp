#include <cstdio>
#include <vector>
extern "C" double grid_relax(int n, int steps);
int main()
{
    std::vector<double> r;
    for (int n : {64, 128, 256})
        r.push_back(grid_relax(n, 200));
    std::printf("grid %.6f %.6f %.6f\n", r[0], r[1], r[2]);
    return 0;
}
