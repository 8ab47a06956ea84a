// halo: explicit 3-D diffusion with a heat source and a warm boundary face
// on a 72 x 64 x 60 grid decomposed into 3 x 2 x 2 blocks held in one
// process; every step exchanges the ghost layers (faces and edges) between
// neighbouring blocks and then applies the 19-point update to each block
// (see domain.hpp).
//   halo [SCALE [NX NY NZ [PX PY PZ]]]   steps = 400 * SCALE
// Prints "halo.sum: check=<sum of the final field>" and "halo.norm:
// check=<its 2-norm>"; details go to stderr.  As a self-test, a few steps
// on a smaller grid are run both decomposed and as one block: the results
// must agree to 1e-12 (the exchange hands every block its neighbours'
// values).  Explicit diffusion damps rounding differences, so builds agree
// to ~1e-15.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "domain.hpp"

namespace {

using halo::Domain;

template <class T>
void setup(Domain<T> &d, int NX, int NY, int NZ)
{
    const double pi = 3.14159265358979323846;
    auto init = [=](int gi, int gj, int gk) -> T {
        // Warm bottom face (the ghost layer below k = 0); 0 elsewhere.
        if (gk < 0 && gi >= 0 && gi < NX && gj >= 0 && gj < NY)
            return T(1.0 + 0.5 * std::sin(pi * (gi + 0.5) / NX) * std::sin(2 * pi * (gj + 0.5) / NY));
        return T(0);
    };
    auto source = [=](int gi, int gj, int gk) -> T {
        double x = (gi + 0.5) / NX - 0.6, y = (gj + 0.5) / NY - 0.35, z = (gk + 0.5) / NZ - 0.55;
        return T(2e-3 * std::exp(-60.0 * (x * x + y * y + z * z)));
    };
    d.fill(init, source);
}

// Largest difference between P-decomposed and single-block runs of a few
// steps on an NX x NY x NZ grid.
double self_test(int NX, int NY, int NZ, int PX, int PY, int PZ,
                 typename Domain<double>::Coeffs c)
{
    Domain<double> one(NX, NY, NZ, 1, 1, 1, c), many(NX, NY, NZ, PX, PY, PZ, c);
    setup(one, NX, NY, NZ);
    setup(many, NX, NY, NZ);
    for (int s = 0; s < 4; s++) {
        one.step();
        many.step();
    }
    double maxdiff = 0.0;
    for (int gk = 0; gk < NZ; gk++)
        for (int gj = 0; gj < NY; gj++)
            for (int gi = 0; gi < NX; gi++)
                maxdiff = std::max(maxdiff, std::fabs(one.at(gi, gj, gk) - many.at(gi, gj, gk)));
    return maxdiff;
}

} // namespace

int main(int argc, char **argv)
{
    double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    int NX = 72, NY = 64, NZ = 60, PX = 3, PY = 2, PZ = 2;
    if (argc > 4) {
        NX = std::atoi(argv[2]); NY = std::atoi(argv[3]); NZ = std::atoi(argv[4]);
    }
    if (argc > 7) {
        PX = std::atoi(argv[5]); PY = std::atoi(argv[6]); PZ = std::atoi(argv[7]);
    }
    if (!(scale > 0) || PX < 1 || PY < 1 || PZ < 1 || NX < PX || NY < PY || NZ < PZ) {
        std::fprintf(stderr, "usage: halo [SCALE>0 [NX NY NZ [PX PY PZ]]]\n");
        return 2;
    }
    long steps_l = std::lround(400 * scale);
    int steps = steps_l < 1 ? 1 : (int)steps_l;
    const Domain<double>::Coeffs c{0.2};

    double maxdiff = self_test(std::max(NX / 3, 3 * PX), std::max(NY / 3, 3 * PY),
                               std::max(NZ / 3, 3 * PZ), PX, PY, PZ, c);

    Domain<double> d(NX, NY, NZ, PX, PY, PZ, c);
    setup(d, NX, NY, NZ);
    for (int s = 0; s < steps; s++)
        d.step();

    auto [sum, sum2] = d.sums();
    std::printf("halo.sum: check=%.15e\n", sum);
    std::printf("halo.norm: check=%.15e\n", std::sqrt(sum2));
    std::fprintf(stderr, "halo: grid=%dx%dx%d blocks=%dx%dx%d steps=%d mean=%.6e "
                 "decomposed-vs-single max diff=%.2e\n",
                 NX, NY, NZ, PX, PY, PZ, steps, sum / (double)d.points(), maxdiff);
    return maxdiff > 1e-12 ? 1 : 0;
}
