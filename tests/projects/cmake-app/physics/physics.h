#ifndef PHYSICS_H
#define PHYSICS_H
#include <vector>
struct Particle { double x, v, f; };
std::vector<Particle> make_particles(int n);
void compute_forces(std::vector<Particle> &ps);
void integrate(std::vector<Particle> &ps, double dt);
#endif
