#!/bin/sh
# Equal IR is stored once: GCC's random LTO section suffixes are normalised.
# Equal compiles give byte-identical objects (reproducible builds), and the
# driver's modes (-pipe, -save-temps, stdin, several inputs) all capture.
. "$(dirname "$0")/lib.sh"

blobs() { find "$COMTAINER_STORE/blobs" -type f | wc -l; }

with_plugin $CXX -O2 -c "$SRC/shapes.cpp" -o cap/a.o
mv cap/a.o cap/first.o
with_plugin $CXX -O2 -c "$SRC/shapes.cpp" -o cap/a.o
cmp -s cap/a.o cap/first.o || fail "two equal compiles give different objects"
with_plugin $CXX -O2 -frandom-seed=1234 -c "$SRC/shapes.cpp" -o cap/c.o
with_plugin $CXX -O2 -pipe -c "$SRC/shapes.cpp" -o cap/d.o
[ "$(blobs)" -eq 1 ] || fail "$(blobs) blobs for one IR"
[ "$(record_count)" -eq 3 ] || fail "$(record_count) records, expected 3 (twice, seed, pipe)"
ir=$(record_field "$(tu_ids cap/c.o)" ir)
[ "$(record_field "$(tu_ids cap/d.o)" ir)" = "$ir" ] || fail "records do not share the blob"

# -save-temps: the front end reads a preprocessed file
mkdir st && (cd st && with_plugin $CC -O2 -save-temps -c "$SRC/omp.c" -o omp.o)
[ "$(tu_ids st/omp.o | wc -l)" -eq 1 ] || fail "-save-temps: no TU record"
# standard input
printf 'int from_stdin(int x) { return 2 * x; }\n' | with_plugin $CC -O2 -x c -c - -o cap/stdin.o
[ "$(tu_ids cap/stdin.o | wc -l)" -eq 1 ] || fail "stdin: no TU record"
# several inputs in one driver run
with_plugin $CC -O2 -I"$SRC" -c "$SRC/kernel.c" "$SRC/util.c"
[ "$(tu_ids kernel.o | wc -l)" -eq 1 ] && [ "$(tu_ids util.o | wc -l)" -eq 1 ] ||
    fail "several inputs: a TU record is missing"
[ "$(record_field "$(tu_ids util.o)" output)" = util.o ] || fail "several inputs: wrong output"
verify_store
echo "ok: equal IR stored once"
