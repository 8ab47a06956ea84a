#!/usr/bin/env bash
# --bolt CMD: BOLT lays out again every relinked file the training command
# runs, whichever toolchain relinked it (GCC's relinks get a profile this
# way, which their GIMPLE cannot): a GCC-relinked PIE program and shared
# library, a Clang-relinked non-PIE program, and one with --pgo too.  The
# outputs are the same, the files carry BOLT's note; a file the command does
# not run, or a training command that fails, ships as linked with the reason.
. "$TESTS_DIR/lib.sh"
fresh_work
root="$WORK/rootfs"
empty_app_rootfs "$root"
mkdir -p "$root/bin" "$root/usr/lib"
cp /bin/dash "$root/bin/sh"

cat >kern.c <<'C'
/* branchy work in a library: what a profile lays out differently */
long kern_step(long x, long i) {
    if (i % 97 == 13)
        return x / 3 + i;
    return x + (i ^ (x >> 3));
}
long kern_run(long n) { long x = 1; for (long i = 0; i < n; i++) x = kern_step(x, i); return x; }
C
cat >gccprog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
long kern_run(long n);
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    printf("gccprog %ld\n", kern_run(n));
    return 0;
}
C
cat >clangprog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) static double f(double x, int i) { return i % 5 ? x * 0.5 + i : x - i; }
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    double x = 1;
    for (int i = 0; i < n; i++) x = f(x, i);
    printf("clangprog %.6f\n", x);
    return 0;
}
C
G="-O2 -fplugin=$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
gcc-12 $G -fPIC -shared kern.c -Wl,-soname,libkern.so.1 -o "$root/usr/lib/libkern.so.1"
gcc-12 $G -pie -fPIE gccprog.c "$root/usr/lib/libkern.so.1" -Wl,-rpath,/usr/lib -o "$root/opt/app/gccprog"
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -no-pie -fno-pic clangprog.c -o "$root/opt/app/clangprog"
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" clangprog.c -o "$root/opt/app/idle"
expected_g=$(chroot "$root" /opt/app/gccprog 200000)
expected_c=$("$root/opt/app/clangprog" 200000)
train='/opt/app/gccprog 200000 >/dev/null && /opt/app/clangprog 200000 >/dev/null'

bolted() { # file: BOLT leaves its note in what it writes
    readelf -SW "$1" | grep -q '\.note\.bolt_info'
}

note "--bolt: GCC's PIE program and library, Clang's non-PIE program laid out by BOLT"
"$CTR_RELINK" "$root" -o "$WORK/out" --json --bolt "$train" >bolt.json 2>bolt.err ||
    { cat bolt.err bolt.json; fail "relink with --bolt"; }
for b in /opt/app/gccprog /usr/lib/libkern.so.1 /opt/app/clangprog; do
    assert_eq relinked "$(binary_field bolt.json $b action)" "$b: action"
    assert_eq True "$(binary_field bolt.json $b bolt)" "$b: BOLTed"
    bolted "$WORK/out$b" || fail "$b: no BOLT note in the file shipped"
done
assert_eq gcc "$(binary_field bolt.json /opt/app/gccprog toolchain)" "gccprog's toolchain"
assert_eq gcc "$(binary_field bolt.json /usr/lib/libkern.so.1 toolchain)" "libkern's toolchain"
assert_eq llvm "$(binary_field bolt.json /opt/app/clangprog toolchain)" "clangprog's toolchain"
readelf -hW "$WORK/out/opt/app/gccprog" | grep -q 'DYN (Position-Independent' || fail "gccprog is no PIE"
readelf -hW "$WORK/out/opt/app/clangprog" | grep -q 'EXEC' || fail "clangprog is not non-PIE"
chroot "$WORK/out" /opt/app/gccprog 200000 >out_g || fail "the BOLTed gccprog"
assert_eq "$expected_g" "$(cat out_g)" "output of the BOLTed gccprog and library"
chroot "$WORK/out" /opt/app/clangprog 200000 >out_c || fail "the BOLTed clangprog"
assert_eq "$expected_c" "$(cat out_c)" "output of the BOLTed clangprog"
# the profile counted the hot function of the library
grep -q 'kern_step' "$WORK/out.ctr-work/bolt/"*.fdata || fail "no profile of kern_step"
# a program the command does not run: as linked, the reason said
assert_eq "the training command did not run it (no profile)" \
    "$(binary_field bolt.json /opt/app/idle bolt)" "idle's reason"
bolted "$WORK/out/opt/app/idle" && fail "the idle program was BOLTed"
[ ! -e "$WORK/out.ctr-work/train-root" ] || fail "the training root was left behind"

note "--bolt with --pgo: the LLVM program gets both"
"$CTR_RELINK" "$root" -o "$WORK/both" --json --pgo '/opt/app/clangprog 200000' \
    --bolt "$train" >both.json 2>both.err || { cat both.err; fail "relink with --pgo --bolt"; }
assert_eq True "$(binary_field both.json /opt/app/clangprog pgo)" "PGO"
assert_eq True "$(binary_field both.json /opt/app/clangprog bolt)" "BOLT"
chroot "$WORK/both" /opt/app/clangprog 200000 >out_b || fail "the PGO+BOLT clangprog"
assert_eq "$expected_c" "$(cat out_b)" "output of the PGO+BOLT program"

note "--pgo --bolt with --select: BOLT on and off, PGO on and off are choices, timed"
"$CTR_RELINK" "$root" -o "$WORK/sel" --json --pgo "$train" --bolt "$train" --select "$train" \
    --select-rounds 1 >sel.json 2>sel.err || [ $? = 1 ] ||
    { cat sel.err; fail "relink with --pgo --bolt --select"; }
sel_log=$WORK/sel.ctr-work/select.log
# (a run may time several programs' choices, "A as X; B as Y"; a build with
# the same bytes as an earlier choice's is timed as that one)
timed() { # program choice
    grep -Eq "^== run [0-9]+, (.*; )?/opt/app/$1 as $2(;.*)?$" "$sel_log" ||
        grep -q "^== /opt/app/$1: $2 is the same file as [^:]*: timed as it$" "$sel_log"
}
timed gccprog "configured, no BOLT" || fail "select.log: no trial of gccprog without BOLT"
timed clangprog "thin LTO, no PGO" || fail "select.log: no trial of clangprog without PGO"
! grep -Eq "/opt/app/gccprog as [^;]*no PGO" "$sel_log" || fail "select.log: gccprog has no profile to drop"
python3 - <<'PY' || fail "the choices in the JSON"
import json
b = {b["path"]: b for b in json.load(open("sel.json"))["binaries"]}
# each choice timed, or named as the same file as one that was
def choices(b):
    s, same = b["select_seconds"], b.get("select_same", {})
    assert all(v in s for v in same.values()), (s, same)
    return set(s) | set(same)
s = choices(b["/opt/app/gccprog"])
assert {"configured, BOLT", "configured, no BOLT", "original"} <= s, s
assert not any("PGO" in k for k in s), s
c = b["/opt/app/clangprog"]
s = choices(c)
assert {"configured, BOLT", "configured, no BOLT", "thin LTO, no PGO"} <= s, s
# shipped without the profile exactly when that build was chosen
if c["action"] == "relinked":
    assert c["pgo"] == (c["recipe"] != "thin LTO, no PGO"), c
PY
[ -n "$(ls "$WORK/sel.ctr-work/bin-r5")" ] || fail "no build without the profile in bin-r5/"
assert_eq "$expected_g" "$(chroot "$WORK/sel" /opt/app/gccprog 200000)" "gccprog as chosen"
assert_eq "$expected_c" "$(chroot "$WORK/sel" /opt/app/clangprog 200000)" "clangprog as chosen"

note "a failing training command: a warning, every file shipped as linked, with the reason"
"$CTR_RELINK" "$root" -o "$WORK/fail" --json --bolt 'exit 3' >fail.json 2>fail.err ||
    { cat fail.err; fail "a failing BOLT training failed the relink"; }
grep -q "warning: no BOLT layout: the training command failed (exit status 3)" fail.err ||
    { cat fail.err; fail "no warning for the failed training"; }
assert_eq relinked "$(binary_field fail.json /opt/app/gccprog action)" "gccprog after the failure"
assert_eq "the training command failed (exit status 3)" \
    "$(binary_field fail.json /opt/app/gccprog bolt)" "gccprog's reason"
bolted "$WORK/fail/opt/app/gccprog" && fail "BOLTed after a failed training"
assert_eq "$expected_g" "$(chroot "$WORK/fail" /opt/app/gccprog 200000)" "output after the failure"
note "hostile profiles: what the image's code leaves for BOLT is never followed, and bad data is a reason"
# (binaries by plan index: 0 clangprog, 1 gccprog, 2 idle, 3 libkern)
cp /bin/ln /usr/bin/mkfifo "$root/bin/"
echo "host secret" >"$WORK/secret"
hostile="ln -s $WORK/secret /tmp/ctr-bolt/2.fdata.1.fdata; mkfifo /tmp/ctr-bolt/2.fdata.2.fdata"
hostile="$hostile; echo 'garbage that is no profile' >/tmp/ctr-bolt/0.fdata.3.fdata"
"$CTR_RELINK" "$root" -o "$WORK/hostile" --json --bolt "$hostile; /opt/app/gccprog 2000 >/dev/null" \
    >hostile.json 2>hostile.err || { cat hostile.err; fail "relink with hostile profiles"; }
# the planted link and FIFO were removed before anything read them
assert_eq "the training command did not run it (no profile)" \
    "$(binary_field hostile.json /opt/app/idle bolt)" "idle with a planted link and FIFO"
grep -rq "host secret" "$WORK/hostile.ctr-work/bolt" && fail "the host file was read as a profile"
# garbage: the tool's own error, the file as linked
reason=$(binary_field hostile.json /opt/app/clangprog bolt)
case $reason in
*"(log: $WORK/hostile.ctr-work/bolt/0."*".log)") ;;
*) fail "clangprog's reason for a bad profile: $reason" ;;
esac
bolted "$WORK/hostile/opt/app/clangprog" && fail "BOLTed from a bad profile"
assert_eq True "$(binary_field hostile.json /opt/app/gccprog bolt)" "gccprog, with its real profile"
assert_eq "$expected_c" "$(chroot "$WORK/hostile" /opt/app/clangprog 200000)" "clangprog as linked"
note "ok"
