#!/usr/bin/env bash
# ctr-relink ROOTFS -o OUT on a root filesystem built generically with the
# plugin: every covered program and library is relinked for this CPU with
# LTO, gives the same results, carries vector code of the host ISA and the
# same TU records; a relinked library serves an unrelinked program; a second
# run does no compile work; what cannot be relinked is kept and reported.
. "$TESTS_DIR/lib.sh"
fresh_work
RELINK=$CTR_RELINK
root="$WORK/rootfs"
make_app_rootfs "$root"
add_vector_kernel "$root" # a vectorizable kernel, compiled for baseline x86-64

run_all() { # dir -> outputs on stdout
    "$1/opt/app/heat"
    LD_LIBRARY_PATH= "$1/opt/app/solve"
    "$1/opt/app/kernel"
}
run_all "$root" >before.txt

"$RELINK" "$root" -o "$WORK/out" --json >relink.json 2>relink.err ||
    { cat relink.err relink.json; fail "ctr-relink reported kept binaries"; }
python3 - <<'PY'
import json
r = json.load(open("relink.json"))
acts = {b["path"]: (b["action"], b["toolchain"]) for b in r["binaries"]}
assert acts == {p: ("relinked", "llvm") for p in
                ["/opt/app/heat", "/opt/app/kernel", "/opt/app/libsolver.so", "/opt/app/solve"]}, acts
PY
run_all "$WORK/out" >after.txt
# FMA contraction on the native CPU may change the last digits: compare numerically
python3 - <<'PY'
import re
a, b = open("before.txt").read(), open("after.txt").read()
na = [float(x) for x in re.findall(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?", a)]
nb = [float(x) for x in re.findall(r"[-+]?\d+\.\d+(?:e[-+]?\d+)?", b)]
assert len(na) == len(nb) == 4, (a, b)
for x, y in zip(na, nb):
    assert abs(x - y) <= 1e-6 * max(1.0, abs(x)), (x, y)
PY

note "relinked code uses the host's vector ISA; the original does not"
if grep -qw avx2 /proc/cpuinfo; then
    [ "$(objdump -d "$WORK/out/opt/app/kernel" | grep -cE '%[yz]mm')" -gt 0 ] ||
        fail "no ymm/zmm instructions in the relinked kernel"
    [ "$(objdump -d "$root/opt/app/kernel" | grep -cE '%[yz]mm')" -eq 0 ] ||
        fail "the generic kernel already has ymm/zmm code: the test proves nothing"
fi

note "relinked binaries name the same TUs, in the same order"
for b in heat solve libsolver.so kernel; do
    assert_eq "$("$CTR_STORE" which "$root/opt/app/$b" --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)])')" \
        "$("$CTR_STORE" which "$WORK/out/opt/app/$b" --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)])')" \
        "TUs of $b"
done
cmp -s "$root/usr/lib/x86_64-linux-gnu/libc.so.6" "$WORK/out/usr/lib/x86_64-linux-gnu/libc.so.6" ||
    fail "unchanged files differ"

note "a relinked shared library serves the unrelinked program"
LD_LIBRARY_PATH="$WORK/out/opt/app" "$root/opt/app/solve" | grep_q "solve its=100" ||
    fail "original solve with relinked libsolver.so"

note "a second run does no compile work"
lines=$(wc -l <"$WORK/out.ctr-work/state/.ninja_log")
"$RELINK" "$root" -o "$WORK/out" >second.txt 2>&1 || { cat second.txt; fail "second run"; }
assert_eq 4 "$(grep -c 'up to date' second.txt)" "binaries up to date on the second run"
assert_eq "$lines" "$(wc -l <"$WORK/out.ctr-work/state/.ninja_log")" "ninja log lines after the no-op run"

note "relative ROOTFS, OUT and work directory work as well (ninja runs elsewhere)"
(cd "$WORK" && "$RELINK" rootfs -o relout --work relwork) >rel.txt 2>&1 ||
    { cat rel.txt; fail "relink with relative paths"; }
assert_eq 4 "$(grep -c ' relinked ' rel.txt)" "binaries relinked with relative paths"

note "a TU missing from the store: that binary is kept as it was, and reported"
id=$("$CTR_STORE" which "$root/opt/app/kernel" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ir"])')
rm "$COMTAINER_STORE/blobs/${id:0:2}/$id"
rc=0
"$RELINK" "$root" -o "$WORK/out2" >third.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status with a binary kept"
grep "/opt/app/kernel" third.txt | grep_q "kept.*blob $id.*No such file" || { cat third.txt; fail "kept reason"; }
cmp -s "$root/opt/app/kernel" "$WORK/out2/opt/app/kernel" || fail "kept binary differs from the original"
grep "/opt/app/heat" third.txt | grep_q "relinked" || fail "heat should still be relinked"

note "--check runs inside the new root; a failing check keeps every original"
# (the kernel's blob is still missing: it is kept, exit 1)
rc=0
"$RELINK" "$root" -o "$WORK/out4" --work "$WORK/out.ctr-work" --check "/opt/app/heat" \
    >check.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status of a passing --check with the kernel kept"
grep "/opt/app/kernel" check.txt | grep_q "kept.*blob $id" || { cat check.txt; fail "--check: kernel kept"; }
grep "/opt/app/heat" check.txt | grep_q "relinked\|up to date" || { cat check.txt; fail "--check pass"; }
grep -q "heat mean=" check.txt || fail "the check's output is not shown"
rc=0
"$RELINK" "$root" -o "$WORK/out5" --work "$WORK/out.ctr-work" --check "/opt/app/no-such" \
    >check2.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status of a failing --check (every original kept)"
grep "/opt/app/heat" check2.txt | grep_q "kept.*--check failed" || { cat check2.txt; fail "--check fail"; }
for b in heat solve libsolver.so; do
    cmp -s "$root/opt/app/$b" "$WORK/out5/opt/app/$b" || fail "$b not the original after a failed check"
done

note "OUT is written whole or not at all"
rc=0
"$RELINK" "$WORK/no-such-root" -o "$WORK/out3" 2>/dev/null || rc=$?
assert_eq 2 "$rc" "exit status of a missing root"
[ ! -e "$WORK/out3" ] || fail "a failed run left OUT behind"
echo PASS
