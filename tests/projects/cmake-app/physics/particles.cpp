#include "physics.h"
std::vector<Particle> make_particles(int n)
{
    std::vector<Particle> ps(n);
    for (int i = 0; i < n; i++)
        ps[i] = {double(i), 0.0, 0.0};
    return ps;
}
void integrate(std::vector<Particle> &ps, double dt)
{
    for (auto &p : ps) {
        p.v += p.f * dt;
        p.x += p.v * dt;
    }
}
