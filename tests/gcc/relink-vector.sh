#!/bin/sh
# The captured IR is not pinned to the build's -O and -march: a vectorizable
# kernel built at -O2 (and at -O0) for the default x86-64 target, relinked
# from the store with `gcc -flto -O3 -march=native`, uses the host's vector
# registers.  The same relink of IR that GCC itself pinned (a plain
# `gcc -flto -O2` object) must not, or this test could not tell.
. "$(dirname "$0")/lib.sh"

grep -qw avx2 /proc/cpuinfo || { echo "skip: host without AVX2"; exit 77; }
wide() { # count of ymm/zmm operands in a binary
    objdump -d --no-show-raw-insn "$1" | grep -cE '%[yz]mm[0-9]' || true
}

for opt in -O2 -O0; do
    rm -rf b ir pinned && mkdir b ir pinned
    for s in kernel util main; do
        with_plugin $CC $opt -I"$SRC" -c "$SRC/$s.c" -o "b/$s.o"
        $CC $opt -flto -I"$SRC" -c "$SRC/$s.c" -o "pinned/$s.o"
    done
    $CC b/kernel.o b/util.o b/main.o -o b/prog
    [ "$(wide b/prog)" -eq 0 ] || fail "the $opt build already uses ymm/zmm"
    for id in $(tu_ids b/prog); do
        "$CTR" extract --store "$COMTAINER_STORE" -o "ir/$id.o" "$id"
    done
    [ "$(ls ir | wc -l)" -eq 3 ] || fail "prog does not name 3 TUs"

    $CC -flto -O3 -march=native pinned/*.o -o pinned/prog
    [ "$(wide pinned/prog)" -eq 0 ] ||
        fail "control: pinned IR relinked with -march=native uses ymm/zmm; the test cannot tell"
    $CC -flto -O3 -march=native ir/*.o -o native || fail "relinking the captured IR failed"
    n=$(wide native)
    [ "$n" -gt 0 ] || fail "$opt IR relinked with -O3 -march=native has no ymm/zmm code: still pinned"
    [ "$(./native 100)" = "$(b/prog 100)" ] || fail "relinked program output differs"
    echo "$opt: $n ymm/zmm operands after relinking (pinned IR: 0)"
done
echo "ok: captured IR follows the relink's -O3 -march=native"
