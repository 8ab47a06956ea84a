#!/usr/bin/env bash
# gcc-capture-overhead.sh — what does the GCC plugin's IR capture cost?
#
#   1. one large C++ TU (bench/gcc-gen-big-tu.sh N), compiled alone;
#   2. whole multi-file builds with make -jJOBS: lua 5.4 (C, ~33 TUs) and
#      leveldb (C++, CMake + Ninja, ~40 TUs), from the source cache that
#      bench/capture-overhead.sh fills (CACHE/src/<name>/tree);
# each built alternately without and with -fplugin (A B A B ..., fresh store
# for every plugin build).  Reports the median and minimum wall-clock time
# and CPU time (user+sys of the whole build, the capture processes included:
# the compiler reaps them) and the overheads, plus the store's size against
# the objects'.  CPU time is the number to trust on a loaded machine.
#
# Usage: bench/gcc-capture-overhead.sh [--plugin SO] [--ctr-store EXE]
#          [--reps N] [--tu-size N] [--jobs N] [--cache DIR] [--only tu|projects]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
PLUGIN=$root/build/lib/comtainer-plugin/gcc-12.so
CTR=$root/build/tools/ctr-store/ctr-store
REPS=3 TU_SIZE=40 JOBS=2 ONLY=all
CACHE=${COMTAINER_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comtainer-bench}
CC=${CC:-gcc-12} CXX=${CXX:-g++-12}
while [ $# -gt 0 ]; do
    case $1 in
    --plugin) PLUGIN=$2; shift ;;
    --ctr-store) CTR=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --tu-size) TU_SIZE=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --cache) CACHE=$2; shift ;;
    --only) ONLY=$2; shift ;;
    *) echo "usage: $0 [--plugin SO] [--ctr-store EXE] [--reps N] [--tu-size N] [--jobs N] [--cache DIR] [--only tu|projects]" >&2; exit 2 ;;
    esac
    shift
done
[ -f "$PLUGIN" ] || { echo "no plugin '$PLUGIN'" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# timed CMD...: appends "wall cpu" to $work/t
timed() {
    /usr/bin/time -f "%e %U %S" -o "$work/time.1" "$@" >"$work/build.log" 2>&1 ||
        { tail -20 "$work/build.log" >&2; echo "build failed: $*" >&2; exit 1; }
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/time.1"
}
# median and min of a column of numbers
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f\n", m, v[1] }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", 100 * (b / a - 1) }'; }

# report NAME: from $work/a and $work/b ("wall cpu" lines)
report() {
    read -r aw_med aw_min < <(cut -d' ' -f1 "$work/a" | stats)
    read -r ac_med ac_min < <(cut -d' ' -f2 "$work/a" | stats)
    read -r bw_med bw_min < <(cut -d' ' -f1 "$work/b" | stats)
    read -r bc_med bc_min < <(cut -d' ' -f2 "$work/b" | stats)
    printf '%-10s wall median %6.2f -> %6.2f s (%s)  min %6.2f -> %6.2f (%s)\n' "$1" \
        "$aw_med" "$bw_med" "$(pct "$aw_med" "$bw_med")" "$aw_min" "$bw_min" "$(pct "$aw_min" "$bw_min")"
    printf '%-10s cpu  median %6.2f -> %6.2f s (%s)  min %6.2f -> %6.2f (%s)\n' "" \
        "$ac_med" "$bc_med" "$(pct "$ac_med" "$bc_med")" "$ac_min" "$bc_min" "$(pct "$ac_min" "$bc_min")"
}
# sizes NAME DIR: objects against the store
sizes() {
    obj=$(find "$2" -name '*.o' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    n=$(find "$2" -name '*.o' -type f | wc -l)
    read -r tus raw comp < <("$CTR" stats --json "$work/store" | awk -F'[:,]' '
        /"tus"/ && !t { t = $2 } /"raw_bytes"/ && !r { r = $2 } /"compressed_bytes"/ && !c { c = $2 }
        END { print t + 0, r + 0, c + 0 }')
    printf '%-10s %d objects, %d TUs stored: objects %d KiB, IR %d KiB raw, %d KiB in the store (%.2f x objects)\n' \
        "$1" "$n" "$tus" $((obj / 1024)) $((raw / 1024)) $((comp / 1024)) "$(awk -v a="$comp" -v b="$obj" 'BEGIN { print a / b }')"
}

echo "gcc: $($CXX --version | head -1); $(nproc) cpus; load $(cut -d' ' -f1-3 /proc/loadavg); reps $REPS"

if [ "$ONLY" != projects ]; then
    sh "$root/bench/gcc-gen-big-tu.sh" "$TU_SIZE" >"$work/big.cpp"
    : >"$work/a"; : >"$work/b"
    for _ in $(seq "$REPS"); do
        timed "$CXX" -O2 -c "$work/big.cpp" -o "$work/big.o" >>"$work/a"
        rm -rf "$work/store"
        COMTAINER_STORE=$work/store timed "$CXX" -O2 -fplugin="$PLUGIN" -c "$work/big.cpp" -o "$work/big.o" >>"$work/b"
    done
    report "big-tu"
    sizes "big-tu" "$work"
fi

if [ "$ONLY" != tu ]; then
    for p in lua5.4 leveldb; do
        tree=$CACHE/src/$p/tree
        [ -d "$tree" ] || { echo "$p: not in $CACHE/src (run bench/capture-overhead.sh once to fetch)"; continue; }
        # one copy of the tree per variant, configured (untimed) once
        for v in a b; do
            rm -rf "$work/$v.src" && cp -r "$tree" "$work/$v.src"
            flags=-O2
            [ $v = b ] && flags="-O2 -fplugin=$PLUGIN"
            if [ $p = leveldb ]; then
                COMTAINER_STORE=$work/junk cmake -S "$work/$v.src" -B "$work/$v.src/b" -G Ninja \
                    -DCMAKE_BUILD_TYPE=None -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
                    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
                    -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF >/dev/null
            fi
        done
        build() { # VARIANT
            if [ $p = leveldb ]; then
                ninja -C "$work/$1.src/b" clean >/dev/null
                timed ninja -C "$work/$1.src/b" -j"$JOBS" leveldb
            else
                make -C "$work/$1.src/src" clean >/dev/null
                flags=
                [ "$1" = b ] && flags="-fplugin=$PLUGIN"
                timed make -C "$work/$1.src/src" -j"$JOBS" all CC="$CC -std=gnu99" \
                    CFLAGS="-O2 $flags -DLUA_COMPAT_5_3 -DLUA_USE_LINUX" SYSLIBS="-Wl,-E -ldl"
            fi
        }
        : >"$work/a"; : >"$work/b"
        for _ in $(seq "$REPS"); do
            build a >>"$work/a"
            rm -rf "$work/store"
            COMTAINER_STORE=$work/store build b >>"$work/b"
        done
        report "$p"
        sizes "$p" "$work/b.src"
    done
fi
