#!/usr/bin/env bash
# Relink time against a native rebuild from source, for the demo root
# filesystem (issue target: the relink below half of the rebuild).
#   bench/relink-time.sh [DEMO_DIR] [ROUNDS]     defaults: build/demo, 5
# DEMO_DIR is what scripts/demo leaves (it runs scripts/demo when the
# rootfs is missing).  Each round, interleaved and from a cold start:
#   N     make -jNPROC of demo/apps with -O3 -march=native (clang-19 / gfortran-12)
#   R     ctr-relink ROOTFS -o OUT (default: thin LTO), fresh work directory
#   Rfull ctr-relink --lto full
#   R0    ctr-relink --lto none
#   F     the native build's front ends alone (-fsyntax-only on every TU, in
#         parallel): the part of a rebuild that a relink does not redo
# Prints the median and range of each (wall time), the median CPU time
# (user+sys of all processes), and the ratios to N.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
demo=${1:-$top/build/demo}
rounds=${2:-5}
relink=$top/build/relinker/ctr-relink
[ -d "$demo/rootfs" ] || scripts/demo "$demo" 1 >/dev/null
cmake --build build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jobs=$(nproc)

child_cpu_ms() { # user+sys of this shell's reaped children so far, in ms
    # (`times` in this shell itself: a $(...) subshell would count its own)
    times >"$tmp/times"
    awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/);
        t += a[1] * 60000 + a[2] * 1000 } printf "%d\n", t }' "$tmp/times"
}
ms() { # command... -> "WALL_MS CPU_MS" on stdout, the command's output discarded
    local start=$(date +%s%N) cpu0
    child_cpu_ms >"$tmp/cpu0"
    "$@" >/dev/null 2>&1 || { echo "relink-time: failed: $*" >&2; exit 1; }
    child_cpu_ms >"$tmp/cpu1"
    echo "$((($(date +%s%N) - start) / 1000000)) $(($(cat "$tmp/cpu1") - $(cat "$tmp/cpu0")))"
}
front_ends() { # every TU of demo/apps through its front end only, -j$jobs
    local a=demo/apps f=$tmp/front
    rm -rf "$f" && mkdir -p "$f"
    { gfortran-12 -O3 -march=native -fsyntax-only -J"$f" $a/dgemm/kernels.f90 &&
        gfortran-12 -O3 -march=native -fsyntax-only -I"$f" -J"$f" $a/dgemm/main.f90; } &
    printf '%s\n' $a/kernels/stencil27.c $a/stencil3d/main.c $a/cg/*.cpp $a/nbody/nbody.cpp |
        xargs -P"$jobs" -I{} sh -c 'case {} in *.c) c=clang-19 ;; *) c=clang++-19 ;; esac
            exec $c -O3 -march=native -I'$a'/kernels -I'$a'/cg -fsyntax-only {}'
    wait
}
native() {
    rm -rf "$tmp/native"
    make -s -f demo/apps/Makefile -j"$jobs" O="$tmp/native" CC=clang-19 CXX=clang++-19 \
        FC=gfortran-12 CFLAGS="-O3 -march=native" CXXFLAGS="-O3 -march=native" \
        FFLAGS="-O3 -march=native"
}
relink_with() { # lto
    rm -rf "$tmp/out" "$tmp/out.ctr-work"
    "$relink" "$demo/rootfs" -o "$tmp/out" --lto "$1" -j "$jobs"
}
declare -A t c
variants="N R Rfull R0 F"
for r in $(seq 1 "$rounds"); do
    for v in $variants; do
        case $v in
        N) read -r wall cpu <<<"$(ms native)" ;;
        R) read -r wall cpu <<<"$(ms relink_with thin)" ;;
        Rfull) read -r wall cpu <<<"$(ms relink_with full)" ;;
        R0) read -r wall cpu <<<"$(ms relink_with none)" ;;
        F) read -r wall cpu <<<"$(ms front_ends)" ;;
        esac
        t[$v]+=" $wall"
        c[$v]+=" $cpu"
    done
done
stats() { tr ' ' '\n' | sed '/^$/d' | sort -n |
    awk '{a[NR]=$1} END {printf "%d %d %d\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
read -r n _ _ <<<"$(echo "${t[N]}" | stats)"
read -r ncpu _ _ <<<"$(echo "${c[N]}" | stats)"
printf '%-8s %9s %15s %8s %12s %8s\n' variant "wall ms" "range ms" "x N" "CPU ms" "x N"
for v in $variants; do
    read -r m lo hi <<<"$(echo "${t[$v]}" | stats)"
    read -r cm _ _ <<<"$(echo "${c[$v]}" | stats)"
    awk -v v="$v" -v m="$m" -v lo="$lo" -v hi="$hi" -v n="$n" -v cm="$cm" -v nc="$ncpu" \
        'BEGIN { printf "%-8s %9d %7d..%-7d %8.2f %12d %8.2f\n", v, m, lo, hi, m / n, cm, cm / nc }'
done
echo "($rounds interleaved rounds, -j$jobs, $(nproc) CPUs; N = native rebuild from source;"
echo " F = its front ends alone; medians)"
