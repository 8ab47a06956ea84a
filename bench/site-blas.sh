#!/usr/bin/env bash
# What a site's BLAS/LAPACK buys a generic image: a C program of DGEMM and
# an LU solve (DGESV) built -O2 against Debian's reference BLAS and LAPACK,
# captured into a root filesystem; relinked natively (R), relinked with
# --redirect to OpenBLAS's libblas.so.3 and liblapack.so.3 (R+site), and
# with BLIS's libblas.so.3 (R+BLIS: the image's reference LAPACK then calls
# BLIS).  Each round runs G, R, R+site and R+BLIS interleaved inside their
# roots (chroot, as root); prints the median wall time of each and the
# speedups, and checks that all agree.
#   bench/site-blas.sh [N] [ROUNDS]      defaults: 1200, 3
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
n=${1:-1200}
rounds=${2:-3}
[ "$(id -u)" = 0 ] || { echo "site-blas: needs root (chroot)" >&2; exit 2; }
cmake --build build >/dev/null
relink=$top/build/relinker/ctr-relink
plugin=$top/build/lib/comtainer
ml=/usr/lib/x86_64-linux-gnu
tmp=$(mktemp -d)
chmod 755 "$tmp" # the sandboxes' uid passes through it to the work directory
trap 'rm -rf "$tmp"' EXIT
root=$tmp/rootfs
mkdir -p "$root/opt/app" "$root/usr/lib/x86_64-linux-gnu" "$root/lib64"
for lib in libc.so.6 libm.so.6 libpthread.so.0 libgfortran.so.5 libquadmath.so.0 libgcc_s.so.1; do
    cp "/lib/x86_64-linux-gnu/$lib" "$root/usr/lib/x86_64-linux-gnu/"
done
cp "$ml/blas/libblas.so.3" "$ml/lapack/liblapack.so.3" "$root/usr/lib/x86_64-linux-gnu/"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
ln -s usr/lib "$root/lib"
cat >"$tmp/la.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
void dgemm_(const char *, const char *, const int *, const int *, const int *, const double *,
            const double *, const int *, const double *, const int *, const double *, double *,
            const int *);
void dgesv_(const int *, const int *, double *, const int *, int *, double *, const int *, int *);
int main(int argc, char **argv)
{
    int n = atoi(argv[1]), one_i = 1, info;
    double *a = malloc(sizeof *a * n * n), *b = malloc(sizeof *b * n * n),
           *c = malloc(sizeof *c * n * n), *x = malloc(sizeof *x * n), one = 1, zero = 0;
    int *piv = malloc(sizeof *piv * n);
    for (int i = 0; i < n * n; i++)
        a[i] = i % 7 - 3, b[i] = i % 5 - 2;
    dgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
    double s = 0;
    for (int i = 0; i < n * n; i++)
        s += c[i] * (i % 3 + 1);
    for (int i = 0; i < n; i++)
        c[i * n + i] += 4.0 * n, x[i] = 1; /* diagonally dominant: solvable */
    dgesv_(&n, &one_i, c, &n, piv, x, &n, &info);
    printf("%.1f %d %.6e\n", s, info, x[0]);
    return 0;
}
C
export COMTAINER_STORE=$root/var/lib/comtainer/store
clang-19 -O2 -fplugin="$plugin" "$tmp/la.c" -o "$root/opt/app/la" -L"$ml/blas" -L"$ml/lapack" \
    -llapack -lblas
[ -d "$COMTAINER_STORE" ] || { echo "site-blas: nothing captured" >&2; exit 1; }
"$relink" "$root" -o "$tmp/r" >"$tmp/r.txt" 2>&1 || { cat "$tmp/r.txt"; exit 1; }
"$relink" "$root" -o "$tmp/site" --redirect "libblas.so.3=$ml/openblas-pthread/libblas.so.3" \
    --redirect "liblapack.so.3=$ml/openblas-pthread/liblapack.so.3" >"$tmp/site.txt" 2>&1 ||
    { cat "$tmp/site.txt"; exit 1; }
grep -q "with site libraries" "$tmp/site.txt" || { cat "$tmp/site.txt"; exit 1; }
"$relink" "$root" -o "$tmp/blis" --redirect "libblas.so.3=$ml/blis-pthread/libblas.so.3" \
    >"$tmp/blis.txt" 2>&1 || { cat "$tmp/blis.txt"; exit 1; }
grep -q "with site libraries" "$tmp/blis.txt" || { cat "$tmp/blis.txt"; exit 1; }
declare -A times
for ((k = 0; k < rounds; k++)); do
    for v in G R S B; do
        dir=$root
        [ $v = R ] && dir=$tmp/r
        [ $v = S ] && dir=$tmp/site
        [ $v = B ] && dir=$tmp/blis
        start=$(date +%s%N)
        chroot "$dir" /opt/app/la "$n" >"$tmp/out.$v"
        times[$v]+="$((($(date +%s%N) - start) / 1000000)) "
    done
done
cmp -s "$tmp/out.G" "$tmp/out.R" && cmp -s "$tmp/out.G" "$tmp/out.S" && cmp -s "$tmp/out.G" "$tmp/out.B" ||
    { echo "site-blas: results differ:"; cat "$tmp"/out.*; exit 1; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
g=$(median "${times[G]}") r=$(median "${times[R]}") s=$(median "${times[S]}") b=$(median "${times[B]}")
printf "N=%d, %d rounds, median ms: G %d  R %d  R+site %d  R+BLIS %d  (G/R %.2fx, G/R+site %.1fx, G/R+BLIS %.1fx)\n" \
    "$n" "$rounds" "$g" "$r" "$s" "$b" "$(echo "$g / $r" | bc -l)" "$(echo "$g / $s" | bc -l)" \
    "$(echo "$g / $b" | bc -l)"
echo "results agree: $(cat "$tmp/out.G")"
