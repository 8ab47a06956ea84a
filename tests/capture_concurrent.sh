#!/usr/bin/env bash
# 200 compiles at once into one store (as make -j with dozens of compilers
# does): nothing torn, lost or duplicated, no temp files left, no deadlock.
. "$TESTS_DIR/lib.sh"
fresh_work

# 100 distinct sources, each compiled twice to different outputs: 200 TUs,
# 100 distinct IR modules (the output path is in the record, not the IR).
for i in $(seq 1 100); do
    printf 'double f%d(const double *x, int n) { double s = %d; for (int i = 0; i < n; i++) s += x[i] * %d; return s; }\n' \
        "$i" "$i" "$i" >src$i.c
done
seq 1 100 | sed 's/.*/& a\n& b/' >jobs
export CC_CLANG COMTAINER_PLUGIN
# -P 50: far more writers than cores, all racing on the same fan-out dirs
if ! xargs -P 50 -L 1 sh -c \
    '"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -c src$0.c -o obj$0$1.o' <jobs 2>err.txt; then
    cat err.txt
    fail "a concurrent compile failed"
fi
[ ! -s err.txt ] || { cat err.txt; fail "compiles printed warnings"; }

assert_eq 200 "$(ls obj*.o | wc -l)" "objects"
assert_eq 200 "$(record_count)" "records"
assert_eq 100 "$(find store/blobs -type f | wc -l)" "blobs (equal IR stored once)"
assert_eq 0 "$(find store/tmp -type f 2>/dev/null | wc -l)" "temp files left behind"
"$CTR_STORE" verify >verify.txt || { cat verify.txt; fail "store does not verify"; }
grep -q "100 blobs, 200 records, 0 bad" verify.txt || fail "verify summary: $(cat verify.txt)"
for o in obj*.o; do
    "$CTR_STORE" which "$o" >/dev/null || fail "$o names a TU missing from the store"
done
echo PASS
