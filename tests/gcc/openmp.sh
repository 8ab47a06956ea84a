#!/bin/sh
# OpenMP in C, C++ and Fortran: outlined parallel regions and tasks are part
# of the captured IR, objects and programs are unchanged, and the captured
# IR relinks into programs that compute the same results.
. "$(dirname "$0")/lib.sh"

for p in omp.c:"$CC" omp.cpp:"$CXX" omp.f90:"$FC"; do
    src=${p%%:*} drv=${p#*:}
    name=$(printf '%s' "$src" | tr . _)
    $drv -O2 -fopenmp -c "$SRC/$src" -o "ref/$name.o"
    with_plugin $drv -O2 -fopenmp -c "$SRC/$src" -o "cap/$name.o"
    same_object "ref/$name.o" "cap/$name.o"
    $drv -fopenmp "ref/$name.o" -o "ref/$name" $NOBUILDID
    $drv -fopenmp "cap/$name.o" -o "cap/$name" $NOBUILDID
    same_object "ref/$name" "cap/$name"
    out=$(OMP_NUM_THREADS=3 "ref/$name")

    id=$(tu_ids "cap/$name")
    [ -n "$id" ] || fail "$name names no TU"
    "$CTR" extract --store "$COMTAINER_STORE" -o "$name.ir.o" "$id"
    # the outlined regions travel in the IR
    strings "$name.ir.o" | grep -q '_omp_fn\.0' || fail "$name: no outlined OpenMP region in the IR"
    $drv -flto -O3 -fopenmp "$name.ir.o" -o "$name.relinked" || fail "$name: relink failed"
    [ "$(OMP_NUM_THREADS=3 "./$name.relinked")" = "$out" ] || fail "$name: relinked output differs"
done
echo "ok: OpenMP captured in C, C++ and Fortran"
