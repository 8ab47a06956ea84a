#!/usr/bin/env bash
# Is the relink ahead of a native build?  The demo kernels (demo/apps) and
# three more (bench/apps: a sparse CG in C, a halo-exchange stencil in C++, a
# neighbour-list MD in Fortran), built
#   G    generically with capture (-O2, baseline x86-64): the image,
#   N    natively from source (-O3 -march=native),
#   L    natively from source with LTO (-O3 -march=native -flto),
#   R    relinked from the image's store (ctr-relink, its defaults),
#   R+PB relinked with --pgo and --bolt from a training run (the kernels at a
#        third of their work),
#   R+S  relinked with --pgo, --bolt and --select, all three with that same
#        command: --select chooses per binary among PGO and BOLT on or off
#        and its other recipes,
# run interleaved (G N L R R+PB R+S, REPS rounds), outputs checked against G;
# CPU and wall times: medians, spreads ((max - min) / median) and speed
# against N (N / X: above 1 is faster than N), their geometric means, and
# what each relink took.
#   bench/beat-native.sh [WORKDIR] [REPS]      defaults: build/beat-native, 5
set -euo pipefail
if [ "${1:-}" = --help ]; then
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
cd "$(dirname "$0")/.."
top=$PWD
work=$(realpath -m "${1:-$top/build/beat-native}")
reps=${2:-5}
case $reps in '' | *[!0-9]*) echo "beat-native: REPS must be a number" >&2; exit 2 ;; esac
scripts/install-deps
cmake -S . -B build -G Ninja >/dev/null
cmake --build build >/dev/null
plugin=$top/build/lib/comtainer
gcc_plugin=$top/build/lib/comtainer-plugin/gcc-12.so
relink=$top/build/relinker/ctr-relink
rm -rf "$work" && mkdir -p "$work"
rootfs=$work/rootfs
export COMTAINER_STORE=$rootfs/var/lib/comtainer/store

# build_all DIR CFLAGS FFLAGS: both sets of kernels (llvm-ar: LTO archives
# need LLVM 19's symbol table, which binutils' ar cannot read)
build_all() {
    local o=$1 cf=$2 ff=$3
    make -s -f demo/apps/Makefile -j"$(nproc)" O="$o/demo" CC=clang-19 CXX=clang++-19 \
        FC=gfortran-12 AR=llvm-ar-19 CFLAGS="$cf" CXXFLAGS="$cf" FFLAGS="$ff"
    make -s -f bench/apps/Makefile -j"$(nproc)" O="$o/bench" CC=clang-19 CXX=clang++-19 \
        FC=gfortran-12 CFLAGS="$cf" CXXFLAGS="$cf" FFLAGS="$ff"
}
echo "== G: generic build with capture (-O2)"
build_all "$work/generic" "-O2 -fplugin=$plugin" "-O2 -fplugin=$gcc_plugin"
make -s -f demo/apps/Makefile O="$work/generic/demo" DESTDIR="$rootfs" install >/dev/null
make -s -f bench/apps/Makefile O="$work/generic/bench" DESTDIR="$rootfs" install >/dev/null
for f in "$rootfs"/opt/*/bin/* "$rootfs"/opt/demo/lib/*; do # the base image's libraries
    ldd "$f" | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }'
done | sort -u | while read -r lib; do
    case "$lib" in "$rootfs"/*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"
done
mkdir -p "$rootfs/bin" && cp /bin/dash "$rootfs/bin/sh"

echo "== N: native from source (-O3 -march=native); L: the same with LTO"
build_all "$work/native" "-O3 -march=native" "-O3 -march=native"
build_all "$work/native-lto" "-O3 -march=native -flto -fuse-ld=lld -Wno-unused-command-line-argument" \
    "-O3 -march=native -flto"

programs="/opt/demo/bin/stencil3d /opt/demo/bin/cg /opt/demo/bin/dgemm /opt/demo/bin/nbody"
programs="$programs /opt/bench/bin/spmv /opt/bench/bin/halo /opt/bench/bin/md"
train="for p in $programs; do \$p 0.3 >/dev/null; done"
declare -A cost
timed_relink() { # name args...
    local name=$1 start
    shift
    start=$(date +%s%N)
    "$relink" "$rootfs" -o "$work/$name" "$@" >"$work/$name.txt" 2>"$work/$name.err" ||
        [ $? = 1 ] || { cat "$work/$name.err"; echo "beat-native: relink $name failed" >&2; exit 1; }
    cost[$name]=$((($(date +%s%N) - start) / 1000000))
}
echo "== R: ctr-relink; R+PB: --pgo --bolt; R+S: --pgo --bolt --select (the kernels at 0.3 of their work)"
timed_relink R
timed_relink RPB --pgo "$train" --bolt "$train"
timed_relink RS --pgo "$train" --bolt "$train" --select "$train"

path_of() { # variant program
    case $1 in
    G) echo "$rootfs$2" ;;
    N | L) local d=$work/native
        [ "$1" = L ] && d=$work/native-lto
        case $2 in /opt/demo/*) echo "$d/demo/bin/${2##*/}" ;; *) echo "$d/bench/bin/${2##*/}" ;; esac ;;
    *) echo "$work/$1$2" ;;
    esac
}
variants="G N L R RPB RS"
for v in $variants; do
    mkdir -p "$work/out/$v"
    for p in $programs; do echo "$v ${p##*/} $(path_of $v "$p")"; done
done >"$work/runs.txt"
echo "== $reps interleaved rounds"
# each run's wall time and its CPU time (user + system, from wait4): the
# kernels are single-threaded, and CPU time leaves out waiting for a CPU on
# a shared machine
python3 - "$reps" "$work" <<'PY'
import math, os, subprocess, sys, time
reps, work = int(sys.argv[1]), sys.argv[2]
runs = [l.split() for l in open(f"{work}/runs.txt")]
variants = list(dict.fromkeys(r[0] for r in runs))
programs = list(dict.fromkeys(r[1] for r in runs))
path = {(r[0], r[1]): r[2] for r in runs}
wall, cpu = {}, {}
for _ in range(reps):
    for p in programs:
        for v in variants:
            with open(f"{work}/out/{v}/{p}.out", "w") as out:
                t0 = time.monotonic()
                proc = subprocess.Popen([path[(v, p)]], stdout=out, stderr=subprocess.DEVNULL)
                _, status, ru = os.wait4(proc.pid, 0)
                t1 = time.monotonic()
            if status:
                sys.exit(f"beat-native: {v} {p} exited with {status}")
            wall.setdefault((p, v), []).append(t1 - t0)
            cpu.setdefault((p, v), []).append(ru.ru_utime + ru.ru_stime)
def med(xs):
    s = sorted(xs); n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
geo = lambda xs: math.exp(sum(map(math.log, xs)) / len(xs))
names = {"G": "G", "N": "N", "L": "L", "R": "R", "RPB": "R+PB", "RS": "R+S"}
for what, t in (("CPU", cpu), ("wall", wall)):
    print(f"\n{what} time: median seconds, spread (max-min)/median, N/X (above 1: faster than N)")
    print("%-10s" % "program" + "".join("%19s" % names[v] for v in variants))
    ratios, best = {v: [] for v in variants}, []
    for p in programs:
        n, row = med(t[(p, "N")]), "%-10s" % p
        for v in variants:
            m = med(t[(p, v)])
            ratios[v].append(n / m)
            row += "  %6.3f %5.1f%% %4.2f" % (m, 100 * (max(t[(p, v)]) - min(t[(p, v)])) / m, n / m)
        best.append(min(n, med(t[(p, "L")])) / med(t[(p, "RS")]))
        print(row)
    print("%-10s" % "geomean" + "".join("%19.3f" % geo(ratios[v]) for v in variants))
    print("R+S against the best of N and L (%s): geometric mean %.3f (above 1: faster)"
          % (what, geo(best)))
PY
for v in $variants; do
    python3 demo/apps/check-outputs.py -q "$work/out/G" "$work/out/$v" ||
        { echo "beat-native: the outputs of $v differ from G's" >&2; exit 1; }
done
echo "(outputs of every variant agree with G's: demo/apps/check-outputs.py)"
for name in R RPB RS; do
    echo "relink $name: ${cost[$name]} ms (summary: $work/$name.txt)"
done
echo "R+S's choices: $work/RS.ctr-work/select.log"
