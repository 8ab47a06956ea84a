/* csr.c: assemble the sparse SPD matrix of the spmv benchmark in CSR form.
 *
 * Nodes of an nx*ny*nz grid are connected to their 26 neighbours (faces,
 * edges, corners) with weights w = s * (0.5 + u), s = 1, 1/2, 1/4 by
 * distance, u a hash of the (unordered) node pair, so the matrix is
 * symmetric; an edge or corner pair is dropped where the hash says so
 * (about 8 % of them; face pairs are kept), so rows have different
 * lengths.  The nodes are then renumbered by a random shuffle within
 * windows of WINDOW consecutive grid nodes: the matrix keeps the locality
 * of a well-ordered unstructured mesh, but the columns of a row are
 * scattered, so products need indirect accesses. */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stdio.h>
#include <stdlib.h>

#include "spmv.h"

#define WINDOW 4096

void *xmalloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) {
        fprintf(stderr, "spmv: out of memory\n");
        exit(1);
    }
    return p;
}

static unsigned long long lcg_state;

/* Deterministic uniform numbers in [0, 1) (64-bit LCG). */
static double lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}

/* A hash of an unordered node pair, uniform in [0, 1). */
static double pair_hash(long a, long b)
{
    unsigned long long lo = (unsigned long long)(a < b ? a : b);
    unsigned long long hi = (unsigned long long)(a < b ? b : a);
    unsigned long long z = lo * 0x9E3779B97F4A7C15ULL ^ (hi + 0x632BE59BD9B4E019ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const int *a = pa, *b = pb;
    return (a[0] > b[0]) - (a[0] < b[0]);
}

void problem_build(problem_t *p, int nx, int ny, int nz, double c, unsigned long long seed)
{
    const int n = nx * ny * nz;
    p->nx = nx; p->ny = ny; p->nz = nz; p->n = n;
    p->perm = xmalloc(sizeof(int) * (size_t)n);
    p->mass = xmalloc(sizeof(double) * (size_t)n);
    int *inv = xmalloc(sizeof(int) * (size_t)n);
    lcg_state = seed;

    /* Shuffle within windows (Fisher-Yates). */
    for (int g = 0; g < n; g++)
        inv[g] = g;
    for (int w0 = 0; w0 < n; w0 += WINDOW) {
        int len = n - w0 < WINDOW ? n - w0 : WINDOW;
        for (int k = len - 1; k > 0; k--) {
            int r = (int)(lcg_next() * (k + 1));
            int t = inv[w0 + k]; inv[w0 + k] = inv[w0 + r]; inv[w0 + r] = t;
        }
    }
    for (int u = 0; u < n; u++)
        p->perm[inv[u]] = u;
    for (int u = 0; u < n; u++)
        p->mass[u] = c * (0.5 + lcg_next());

    /* Rows in the new numbering; at most 27 entries each. */
    csr_t *a = &p->a;
    a->n = n;
    a->rowptr = xmalloc(sizeof(int) * ((size_t)n + 1));
    a->col = xmalloc(sizeof(int) * 27 * (size_t)n);
    a->val = xmalloc(sizeof(double) * 27 * (size_t)n);
    static const double dist_w[4] = {0.0, 1.0, 0.5, 0.25};
    int nnz = 0;
    for (int u = 0; u < n; u++) {
        const int g = inv[u];
        const int i = g % nx, j = (g / nx) % ny, k = g / (nx * ny);
        int ent[27][2];   /* (column, index into w) */
        double w[27];
        int m = 0;
        double diag = p->mass[u];
        for (int dk = -1; dk <= 1; dk++)
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++) {
                    int d = (di != 0) + (dj != 0) + (dk != 0);
                    int ii = i + di, jj = j + dj, kk = k + dk;
                    if (d == 0 || ii < 0 || ii >= nx || jj < 0 || jj >= ny || kk < 0 || kk >= nz)
                        continue;
                    long h = ((long)kk * ny + jj) * nx + ii;
                    double hsh = pair_hash(g, h);
                    if (hsh < 0.08 && d > 1)      /* drop some edges (never faces) */
                        continue;
                    double wt = dist_w[d] * (0.5 + hsh);
                    diag += wt;
                    ent[m][0] = p->perm[h];
                    ent[m][1] = m;
                    w[m] = -wt;
                    m++;
                }
        ent[m][0] = u;
        ent[m][1] = m;
        w[m] = diag;
        m++;
        qsort(ent, (size_t)m, sizeof ent[0], cmp_entry);
        a->rowptr[u] = nnz;
        for (int e = 0; e < m; e++) {
            a->col[nnz] = ent[e][0];
            a->val[nnz] = w[ent[e][1]];
            nnz++;
        }
    }
    a->rowptr[n] = nnz;
    free(inv);
}

void csr_free(csr_t *a)
{
    free(a->rowptr); free(a->col); free(a->val);
}

void problem_free(problem_t *p)
{
    csr_free(&p->a);
    free(p->perm); free(p->mass);
}

void sell_from_csr(sell_t *s, const csr_t *a)
{
    const int C = SELL_C;
    s->n = a->n;
    s->nchunks = (a->n + C - 1) / C;
    s->start = xmalloc(sizeof(int) * ((size_t)s->nchunks + 1));
    s->width = xmalloc(sizeof(int) * (size_t)s->nchunks);
    size_t total = 0;
    for (int c = 0; c < s->nchunks; c++) {
        int wmax = 0;
        for (int r = c * C; r < c * C + C && r < a->n; r++) {
            int len = a->rowptr[r + 1] - a->rowptr[r];
            if (len > wmax)
                wmax = len;
        }
        s->start[c] = (int)total;
        s->width[c] = wmax;
        total += (size_t)wmax * C;
    }
    s->start[s->nchunks] = (int)total;
    s->col = xmalloc(sizeof(int) * total);
    s->val = xmalloc(sizeof(double) * total);
    for (int c = 0; c < s->nchunks; c++)
        for (int lane = 0; lane < C; lane++) {
            int r = c * C + lane;
            int b = r < a->n ? a->rowptr[r] : 0, len = r < a->n ? a->rowptr[r + 1] - b : 0;
            int last = len > 0 ? a->col[b + len - 1] : 0;
            for (int j = 0; j < s->width[c]; j++) {
                size_t at = (size_t)s->start[c] + (size_t)j * C + lane;
                s->col[at] = j < len ? a->col[b + j] : last;
                s->val[at] = j < len ? a->val[b + j] : 0.0;
            }
        }
}

void sell_free(sell_t *s)
{
    free(s->start); free(s->width); free(s->col); free(s->val);
}
