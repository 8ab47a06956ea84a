// nbody: a Lennard-Jones cluster of N atoms (default 12^3 = 1728, reduced
// units) integrated with velocity Verlet; all N^2 pair forces every step.
//   nbody [SCALE [NSIDE]]   steps = 120 * SCALE, N = NSIDE^3
// Prints one line, "nbody: check=<total energy after the last step>".
//
// Layout is structure-of-arrays and the force loop runs j outside, i
// inside: the inner loop then has no reduction (each i accumulates into its
// own ax[i]), so compilers vectorize it over i (SSE2 at the baseline,
// AVX2/AVX-512 with FMA natively) without reassociating any sums.  Lennard-
// Jones needs only 1/r^2, so no sqrt (and no errno) gets in the way.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct System {
    int n;
    std::vector<double> x, y, z, vx, vy, vz, ax, ay, az;
    explicit System(int n_)
        : n(n_), x(n_), y(n_), z(n_), vx(n_), vy(n_), vz(n_), ax(n_), ay(n_), az(n_) {}
};

// Deterministic pseudo-random numbers in [-0.5, 0.5) (64-bit LCG).
struct Lcg {
    unsigned long long s;
    double next() {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return (double)(s >> 11) * (1.0 / 9007199254740992.0) - 0.5;
    }
};

// Force on atoms lo..hi-1 from the atom at (xj, yj, zj), outside that range.
inline void pair_range(double xj, double yj, double zj, int lo, int hi,
                       const double *__restrict x, const double *__restrict y,
                       const double *__restrict z, double *__restrict ax,
                       double *__restrict ay, double *__restrict az)
{
    for (int i = lo; i < hi; i++) {
        double dx = x[i] - xj, dy = y[i] - yj, dz = z[i] - zj;
        double r2 = dx * dx + dy * dy + dz * dz;
        double s2 = 1.0 / r2;
        double s6 = s2 * s2 * s2;
        double f = 24.0 * s6 * (2.0 * s6 - 1.0) * s2;   // |F|/r, sigma = eps = 1
        ax[i] += f * dx;
        ay[i] += f * dy;
        az[i] += f * dz;
    }
}

void forces(int n, const double *__restrict x, const double *__restrict y,
            const double *__restrict z, double *__restrict ax,
            double *__restrict ay, double *__restrict az)
{
    for (int i = 0; i < n; i++)
        ax[i] = ay[i] = az[i] = 0.0;
    for (int j = 0; j < n; j++) {
        pair_range(x[j], y[j], z[j], 0, j, x, y, z, ax, ay, az);
        pair_range(x[j], y[j], z[j], j + 1, n, x, y, z, ax, ay, az);
    }
}

void forces(System &S)
{
    forces(S.n, S.x.data(), S.y.data(), S.z.data(), S.ax.data(), S.ay.data(), S.az.data());
}

// Energy in a fixed, scalar order: the same summation in every build.
double total_energy(const System &S)
{
    double pot = 0.0, kin = 0.0;
    for (int i = 0; i < S.n; i++) {
        double row = 0.0;
        for (int j = i + 1; j < S.n; j++) {
            double dx = S.x[i] - S.x[j], dy = S.y[i] - S.y[j], dz = S.z[i] - S.z[j];
            double s2 = 1.0 / (dx * dx + dy * dy + dz * dz);
            double s6 = s2 * s2 * s2;
            row += 4.0 * s6 * (s6 - 1.0);
        }
        pot += row;
        kin += 0.5 * (S.vx[i] * S.vx[i] + S.vy[i] * S.vy[i] + S.vz[i] * S.vz[i]);
    }
    return pot + kin;
}

} // namespace

int main(int argc, char **argv)
{
    double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    int side = argc > 2 ? std::atoi(argv[2]) : 12;
    if (!(scale > 0) || side < 2) {
        std::fprintf(stderr, "usage: nbody [SCALE>0 [NSIDE>=2]]\n");
        return 2;
    }
    long steps_l = std::lround(120 * scale);
    int steps = steps_l < 1 ? 1 : (int)steps_l;
    const double dt = 0.002, a = 1.12246204830937; // lattice spacing 2^(1/6)

    System S(side * side * side);
    Lcg rng{42};
    for (int k = 0, p = 0; k < side; k++)
        for (int j = 0; j < side; j++)
            for (int i = 0; i < side; i++, p++) {
                S.x[p] = a * i + 0.05 * rng.next();
                S.y[p] = a * j + 0.05 * rng.next();
                S.z[p] = a * k + 0.05 * rng.next();
                S.vx[p] = 0.5 * rng.next();
                S.vy[p] = 0.5 * rng.next();
                S.vz[p] = 0.5 * rng.next();
            }

    forces(S);
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < S.n; i++) {
            S.vx[i] += 0.5 * dt * S.ax[i];
            S.vy[i] += 0.5 * dt * S.ay[i];
            S.vz[i] += 0.5 * dt * S.az[i];
            S.x[i] += dt * S.vx[i];
            S.y[i] += dt * S.vy[i];
            S.z[i] += dt * S.vz[i];
        }
        forces(S);
        for (int i = 0; i < S.n; i++) {
            S.vx[i] += 0.5 * dt * S.ax[i];
            S.vy[i] += 0.5 * dt * S.ay[i];
            S.vz[i] += 0.5 * dt * S.az[i];
        }
    }

    double e = total_energy(S);
    std::printf("nbody: check=%.15e\n", e);
    std::fprintf(stderr, "nbody: atoms=%d steps=%d energy/atom=%.6f\n", S.n, steps, e / S.n);
    return 0;
}
