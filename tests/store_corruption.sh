#!/usr/bin/env bash
# Damaged stores: a truncated and a bit-flipped blob, a truncated and a
# bit-flipped record, a record pointing at a missing blob, a well-addressed
# record that is not msgpack, a stray file.  verify names each one and fails;
# an intact store verifies.
. "$TESTS_DIR/lib.sh"
fresh_work

for i in 1 2 3 4 5; do
    printf 'int f%d(int x) { return x * %d + %d; }\n' $i $i $i >t$i.c
    "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -c t$i.c -o t$i.o
done
"$CTR_STORE" verify >/dev/null || fail "fresh store does not verify"

blob_of() { "$CTR_STORE" which "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ir"])'; }
id_of() { "$CTR_STORE" which "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
blob_path() { echo "store/blobs/${1:0:2}/$1"; }
record_path() { echo "store/records/${1:0:2}/$1"; }
flip() { # file offset
    python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[off] ^= 0x01; open(p, "wb").write(b)
PY
}

b1=$(blob_path "$(blob_of t1.o)"); b2=$(blob_path "$(blob_of t2.o)")
r3=$(record_path "$(id_of t3.o)"); r4=$(record_path "$(id_of t4.o)")
b5=$(blob_path "$(blob_of t5.o)")
truncate -s 20 "$b1"
flip "$b2" 30
truncate -s 40 "$r3"
flip "$r4" 60
rm "$b5"                                   # t5's record now points at nothing
junk=$(printf '\xc1 not msgpack' | tee "$WORK/junk" | sha256sum | cut -c1-64)
mkdir -p "store/records/${junk:0:2}" && cp junk "store/records/${junk:0:2}/$junk"
echo stray >store/records/zz

rc=0
"$CTR_STORE" verify >out.txt 2>err.txt || rc=$?
assert_eq 1 "$rc" "exit status of verify on a damaged store"
cat err.txt
for p in "$b1" "$b2" "$r3" "$r4" "store/records/${junk:0:2}/$junk" store/records/zz; do
    grep -qF "$p" err.txt || fail "verify did not name $p"
done
t5rec=$(record_path "$(id_of t5.o)")
grep -F "$t5rec" err.txt | grep_q "its IR is unusable" || fail "missing blob of t5 not reported"
grep -q "not a msgpack record" err.txt || fail "junk record reason"
grep -q "content hash mismatch" err.txt || fail "hash mismatch reason"
# six damaged entries, plus the records whose blob was damaged (t1, t2)
grep -q " bad$" out.txt && grep -q "9 bad" out.txt || fail "summary: $(cat out.txt)"

note "readers refuse damaged entries too"
rc=0
"$CTR_STORE" show "$(id_of t4.o)" >/dev/null 2>show.txt || rc=$?
assert_eq 2 "$rc" "exit status of show of a damaged record"
grep -q "content hash mismatch" show.txt || fail "show reason"
rc=0
"$CTR_STORE" extract "$(id_of t2.o)" -o x.bc 2>ex.txt || rc=$?
assert_eq 2 "$rc" "exit status of extract of a flipped blob"
[ ! -e x.bc ] || fail "extract left a file behind"

note "json output lists the problems"
rc=0
"$CTR_STORE" verify --json >v.json || rc=$?
assert_eq 1 "$rc" "exit status of verify --json on a damaged store"
python3 -c 'import json; d = json.load(open("v.json")); assert d["bad"] == 9 and len(d["problems"]) == 9, d'
echo PASS
