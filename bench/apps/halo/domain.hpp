// domain.hpp: a 3-D grid decomposed into sub-blocks with ghost layers, the
// halo exchange between them, and an explicit 19-point diffusion step.
//
// The global NX x NY x NZ grid is cut into PX x PY x PZ blocks (sizes
// differ by at most one).  Each block stores its interior plus one ghost
// layer on every side, i fastest.  exchange() does what an MPI code does
// with its neighbours, all inside one process, one axis after the other:
// every block packs its two boundary layers across the axis into send
// buffers (for i a strided gather, for j rows, for k whole planes), then
// every block unpacks its neighbours' buffers into its ghost layers.  The
// layers sent along j include the i ghosts just received, and those along k
// the i and j ghosts, so edges (and corners) arrive too, as the 19-point
// stencil needs.  Ghost layers on the outside of the global grid hold fixed
// (Dirichlet) values and are never overwritten.
#ifndef BENCH_HALO_DOMAIN_HPP
#define BENCH_HALO_DOMAIN_HPP

#include <array>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace halo {

// Faces: 0 = -i, 1 = +i, 2 = -j, 3 = +j, 4 = -k, 5 = +k; opposite(f) = f ^ 1.
constexpr int kFaces = 6;

template <class T>
struct Block {
    int nx = 0, ny = 0, nz = 0;      // interior size
    int ox = 0, oy = 0, oz = 0;      // global index of interior point (1,1,1)
    std::array<int, kFaces> nbr{};   // neighbouring block per face, -1 outside
    std::vector<T> u, v, src;        // (nx+2)(ny+2)(nz+2), with ghosts
    std::array<std::vector<T>, kFaces> send;

    std::size_t sy() const { return (std::size_t)nx + 2; }
    std::size_t sz() const { return ((std::size_t)nx + 2) * ((std::size_t)ny + 2); }
    std::size_t idx(int i, int j, int k) const
    {
        return (std::size_t)k * sz() + (std::size_t)j * sy() + (std::size_t)i;
    }
    // Points in the layer sent across face f: ghosts included along the
    // axes exchanged before f's (see exchange()).
    std::size_t face_size(int f) const
    {
        return f < 2 ? (std::size_t)ny * nz
             : f < 4 ? ((std::size_t)nx + 2) * nz
                     : ((std::size_t)nx + 2) * ((std::size_t)ny + 2);
    }
};

// Copies layer `layer` across face f (1 or n: the interior layer next to
// the face; 0 or n+1: the ghost layer beyond it) to or from a buffer.  Along
// the axes before f's the layer includes the ghosts (0..n+1), along those
// after it only the interior (1..n).  The order is (slow, fast) = (k, j) for
// i faces, (k, i) for j and (j, i) for k faces: both sides of a face agree.
template <class T, bool Pack>
void copy_layer(Block<T> &b, int f, int layer, T *buf)
{
    T *u = b.u.data();
    std::size_t at = 0;
    if (f < 2) {
        const std::size_t s = b.sy();
        for (int k = 1; k <= b.nz; k++) {
            T *col = u + b.idx(layer, 1, k);
            for (int j = 0; j < b.ny; j++, at++) {
                if constexpr (Pack) buf[at] = col[j * s];
                else col[j * s] = buf[at];
            }
        }
    } else if (f < 4) {
        for (int k = 1; k <= b.nz; k++) {
            T *row = u + b.idx(0, layer, k);
            for (int i = 0; i < b.nx + 2; i++, at++) {
                if constexpr (Pack) buf[at] = row[i];
                else row[i] = buf[at];
            }
        }
    } else {
        for (int j = 0; j < b.ny + 2; j++) {
            T *row = u + b.idx(0, j, layer);
            for (int i = 0; i < b.nx + 2; i++, at++) {
                if constexpr (Pack) buf[at] = row[i];
                else row[i] = buf[at];
            }
        }
    }
}

template <class T>
class Domain {
public:
    // One explicit Euler step of u_t = lap(u) + f with the isotropic
    // 19-point Laplacian, lap(u) = (2 F + E - 24 u) / (6 h^2), F the sum of
    // the 6 face and E of the 12 edge neighbours; r = dt / h^2 <= 1/4 keeps
    // every weight positive:
    //   v = (1 - 4 r) u + (r/3) F + (r/6) E + src.
    struct Coeffs { T r; };

    Domain(int NX, int NY, int NZ, int PX, int PY, int PZ, Coeffs c)
        : NX_(NX), NY_(NY), NZ_(NZ), P_{PX, PY, PZ}, c_(c)
    {
        blocks_.resize((std::size_t)PX * PY * PZ);
        for (int bk = 0; bk < PZ; bk++)
            for (int bj = 0; bj < PY; bj++)
                for (int bi = 0; bi < PX; bi++) {
                    Block<T> &b = blocks_[id(bi, bj, bk)];
                    split(NX, PX, bi, b.ox, b.nx);
                    split(NY, PY, bj, b.oy, b.ny);
                    split(NZ, PZ, bk, b.oz, b.nz);
                    b.nbr = {bi > 0 ? id(bi - 1, bj, bk) : -1, bi < PX - 1 ? id(bi + 1, bj, bk) : -1,
                             bj > 0 ? id(bi, bj - 1, bk) : -1, bj < PY - 1 ? id(bi, bj + 1, bk) : -1,
                             bk > 0 ? id(bi, bj, bk - 1) : -1, bk < PZ - 1 ? id(bi, bj, bk + 1) : -1};
                    std::size_t cells = ((std::size_t)b.nx + 2) * (b.ny + 2) * (b.nz + 2);
                    b.u.assign(cells, T(0));
                    b.v.assign(cells, T(0));
                    b.src.assign(cells, T(0));
                    for (int f = 0; f < kFaces; f++)
                        b.send[f].assign(b.face_size(f), T(0));
                }
    }

    std::vector<Block<T>> &blocks() { return blocks_; }
    const std::vector<Block<T>> &blocks() const { return blocks_; }
    std::size_t points() const { return (std::size_t)NX_ * NY_ * NZ_; }

    // Sets every point with global index (gi, gj, gk), -1..N, including the
    // outer ghost layers: u = v = init(gi, gj, gk), src = source(gi, gj, gk).
    void fill(const std::function<T(int, int, int)> &init,
              const std::function<T(int, int, int)> &source)
    {
        for (Block<T> &b : blocks_)
            for (int k = 0; k <= b.nz + 1; k++)
                for (int j = 0; j <= b.ny + 1; j++)
                    for (int i = 0; i <= b.nx + 1; i++) {
                        int gi = b.ox + i - 1, gj = b.oy + j - 1, gk = b.oz + k - 1;
                        std::size_t at = b.idx(i, j, k);
                        b.u[at] = b.v[at] = init(gi, gj, gk);
                        b.src[at] = source(gi, gj, gk);
                    }
    }

    // Halo exchange, axis by axis: pack both faces of every block, then
    // unpack the neighbours' buffers into the ghost layers.
    void exchange()
    {
        for (int axis = 0; axis < 3; axis++) {
            for (Block<T> &b : blocks_)
                for (int f = 2 * axis; f < 2 * axis + 2; f++)
                    if (b.nbr[f] >= 0)
                        copy_layer<T, true>(b, f, inner_layer(b, f), b.send[f].data());
            for (Block<T> &b : blocks_)
                for (int f = 2 * axis; f < 2 * axis + 2; f++)
                    if (b.nbr[f] >= 0)
                        copy_layer<T, false>(b, f, ghost_layer(b, f),
                                             blocks_[b.nbr[f]].send[f ^ 1].data());
        }
    }

    // One explicit step: exchange, update every interior, swap u and v.
    void step()
    {
        exchange();
        for (Block<T> &b : blocks_) {
            update(b);
            std::swap(b.u, b.v);
        }
    }

    // Sum and sum of squares of the interior, in a fixed scalar order
    // (global k, j, i), the same in every build and for any decomposition.
    std::pair<double, double> sums() const
    {
        double s = 0.0, s2 = 0.0;
        for (int gk = 0; gk < NZ_; gk++)
            for (int gj = 0; gj < NY_; gj++)
                for (int bi = 0; bi < P_[0]; bi++) {
                    const Block<T> &b = blocks_[id(bi, locate(gj, NY_, P_[1]), locate(gk, NZ_, P_[2]))];
                    const T *row = b.u.data() + b.idx(1, gj - b.oy + 1, gk - b.oz + 1);
                    for (int i = 0; i < b.nx; i++) {
                        double x = (double)row[i];
                        s += x;
                        s2 += x * x;
                    }
                }
        return {s, s2};
    }

    // Value at a global interior point.
    T at(int gi, int gj, int gk) const
    {
        const Block<T> &b = blocks_[id(locate(gi, NX_, P_[0]), locate(gj, NY_, P_[1]),
                                       locate(gk, NZ_, P_[2]))];
        return b.u[b.idx(gi - b.ox + 1, gj - b.oy + 1, gk - b.oz + 1)];
    }

private:
    int NX_, NY_, NZ_;
    std::array<int, 3> P_;
    Coeffs c_;
    std::vector<Block<T>> blocks_;

    int id(int bi, int bj, int bk) const { return (bk * P_[1] + bj) * P_[0] + bi; }

    // Block p of P along an axis of n points: offset and size.
    static void split(int n, int P, int p, int &off, int &len)
    {
        int base = n / P, extra = n % P;
        off = p * base + (p < extra ? p : extra);
        len = base + (p < extra ? 1 : 0);
    }
    // The block along an axis that holds global index g.
    static int locate(int g, int n, int P)
    {
        for (int p = P - 1; p > 0; p--) {
            int off, len;
            split(n, P, p, off, len);
            if (g >= off)
                return p;
        }
        return 0;
    }
    static int inner_layer(const Block<T> &b, int f)
    {
        return (f & 1) == 0 ? 1 : f < 2 ? b.nx : f < 4 ? b.ny : b.nz;
    }
    static int ghost_layer(const Block<T> &b, int f)
    {
        return (f & 1) == 0 ? 0 : (f < 2 ? b.nx : f < 4 ? b.ny : b.nz) + 1;
    }

    // The 19-point update over contiguous rows of i: no reduction, no
    // aliasing (restrict), so it vectorizes at any SIMD width.
    void update(Block<T> &b) const
    {
        const T r = c_.r;
        const T c0 = T(1) - T(4) * r, cf = r / T(3), ce = r / T(6);
        const std::ptrdiff_t sy = (std::ptrdiff_t)b.sy(), sz = (std::ptrdiff_t)b.sz();
        for (int k = 1; k <= b.nz; k++)
            for (int j = 1; j <= b.ny; j++) {
                const std::size_t o = b.idx(1, j, k);
                const T *__restrict u = b.u.data() + o;
                const T *__restrict s = b.src.data() + o;
                T *__restrict v = b.v.data() + o;
                for (int i = 0; i < b.nx; i++) {
                    const T faces = (u[i - 1] + u[i + 1]) + (u[i - sy] + u[i + sy])
                                  + (u[i - sz] + u[i + sz]);
                    const T edges = (u[i - 1 - sy] + u[i + 1 - sy]) + (u[i - 1 + sy] + u[i + 1 + sy])
                                  + (u[i - 1 - sz] + u[i + 1 - sz]) + (u[i - 1 + sz] + u[i + 1 + sz])
                                  + (u[i - sy - sz] + u[i + sy - sz]) + (u[i - sy + sz] + u[i + sy + sz]);
                    v[i] = c0 * u[i] + cf * faces + ce * edges + s[i];
                }
            }
    }
};

} // namespace halo

#endif
