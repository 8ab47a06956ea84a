#!/bin/sh
# Every object built with the plugin is byte-identical to the plugin-free one
# apart from its TU record, for C, C++ and Fortran, across optimization
# levels, debug info, PIC and OpenMP; each names its TU, which is stored.
. "$(dirname "$0")/lib.sh"

n=0
# shellcheck disable=SC2086 # $flags are words
for flags in "-O0" "-O2 -g" "-O3 -fPIC" "-O2 -fopenmp"; do
    tag=$(printf '%s' "$flags" | tr -c 'A-Za-z0-9' _)
    compile_pair "cxx$tag" c++ "$CXX" $flags "$SRC/shapes.cpp"
    compile_pair "f$tag" fortran "$FC" $flags -J "$WORK/ref" "$SRC/vecmod.f90"
    n=$((n + 2))
done
# C is cheap: more combinations.
for flags in "-O0" "-O0 -g" "-O2" "-O2 -g" "-O3" "-O3 -g -fPIC" "-O2 -fopenmp -g" \
             "-Os -fno-pie" "-O1 -g3 -fno-omit-frame-pointer" "-O2 -frecord-gcc-switches"; do
    tag=$(printf '%s' "$flags" | tr -c 'A-Za-z0-9' _)
    compile_pair "c$tag" c "$CC" $flags -I"$SRC" "$SRC/util.c"
    n=$((n + 1))
done
compile_pair omp c "$CC" -O2 -g -fopenmp "$SRC/omp.c"
n=$((n + 1))
[ "$(record_count)" -eq "$n" ] || fail "$(record_count) records for $n compiles"
verify_store
echo "ok: $n objects identical apart from the record"
