#include <cstdio>
#include "kernels.h"
#include "physics.h"
int main()
{
    auto ps = make_particles(64);
    ps[10].x += 0.5;
    for (int s = 0; s < 100; s++) {
        compute_forces(ps);
        integrate(ps, 0.01);
    }
    std::vector<double> x(ps.size());
    for (std::size_t i = 0; i < ps.size(); i++)
        x[i] = ps[i].x;
    std::printf("sim sum=%.9f\n", reduce_sum(int(x.size()), x.data()));
}
