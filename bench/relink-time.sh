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
# Prints the median and range of each, and R/N.
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

ms() { # command... -> elapsed milliseconds on stdout, the command's output discarded
    local start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "relink-time: failed: $*" >&2; exit 1; }
    echo $((($(date +%s%N) - start) / 1000000))
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
declare -A t
for r in $(seq 1 "$rounds"); do
    t[N]+=" $(ms native)"
    t[R]+=" $(ms relink_with thin)"
    t[Rfull]+=" $(ms relink_with full)"
    t[R0]+=" $(ms relink_with none)"
done
stats() { tr ' ' '\n' | sed '/^$/d' | sort -n |
    awk '{a[NR]=$1} END {printf "%d %d %d\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
read -r n nlo nhi <<<"$(echo "${t[N]}" | stats)"
printf '%-8s %9s %15s %8s\n' variant "median ms" "range ms" "x N"
for v in N R Rfull R0; do
    read -r m lo hi <<<"$(echo "${t[$v]}" | stats)"
    awk -v v="$v" -v m="$m" -v lo="$lo" -v hi="$hi" -v n="$n" \
        'BEGIN { printf "%-8s %9d %7d..%-7d %8.2f\n", v, m, lo, hi, m / n }'
done
echo "($rounds interleaved rounds, -j$jobs, $(nproc) CPUs; N = native rebuild from source)"
