#include <cstddef>
#include "physics.h"
void compute_forces(std::vector<Particle> &ps)
{
    for (auto &p : ps)
        p.f = 0;
    for (std::size_t i = 0; i + 1 < ps.size(); i++) {
        double d = ps[i + 1].x - ps[i].x - 1.0; // springs of rest length 1
        ps[i].f += d;
        ps[i + 1].f -= d;
    }
}
