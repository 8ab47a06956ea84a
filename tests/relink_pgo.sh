#!/usr/bin/env bash
# Commands run inside a root (--pgo training, --check): profile-guided
# optimization gives a profile of the training run that the final relink
# uses, and changes the code; a training command that fails gives a warning
# and a relink without PGO; a command can neither write into the root (its
# files are hard links to the input's) nor reach the network, but has /tmp
# and /dev/null.
. "$TESTS_DIR/lib.sh"
fresh_work
RELINK=$CTR_RELINK
root="$WORK/rootfs"
empty_app_rootfs "$root"
mkdir -p "$root/bin" "$root/tmp" "$root/dev"
cp /bin/dash "$root/bin/sh" # images have a shell; the commands below need one
cat >branchy.c <<'C'
#include <stdio.h>
#include <stdlib.h>
/* a hot loop with a rarely taken branch: what PGO lays out differently */
__attribute__((noinline)) static long step(long x, long i) {
    if (__builtin_expect(i % 1000 == 999, 0) ? 0 : (i % 1000 == 999))
        return x / 3 + i;
    return x + (i ^ (x >> 3));
}
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 3000000, x = 1;
    for (long i = 0; i < n; i++) x = step(x, i);
    printf("branchy %ld\n", x);
    return 0;
}
C
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" branchy.c -o "$root/opt/app/branchy"
expected=$("$root/opt/app/branchy")

note "--pgo: the training run's profile is used"
"$RELINK" "$root" -o "$WORK/out" --json --pgo '/opt/app/branchy 2000000 >/dev/null' \
    >pgo.json 2>pgo.err || { cat pgo.err; fail "relink with --pgo"; }
assert_eq relinked "$(binary_field pgo.json /opt/app/branchy action)" "the PGO relink"
assert_eq True "$(binary_field pgo.json /opt/app/branchy pgo)" "PGO used"
assert_eq "$expected" "$("$WORK/out/opt/app/branchy")" "output of the PGO relink"
"$LLVM_BINDIR/llvm-profdata" show --all-functions --counts "$WORK/out.ctr-work/pgo.profdata" \
    >profile.txt
grep -q "main" profile.txt || fail "no profile of main"
grep -Eq "Block counts: \[[1-9]" profile.txt || fail "the profile counted nothing"
[ ! -e "$WORK/out.ctr-work/train-root" ] || fail "the training root was left behind"

note "without --pgo the code differs (the profile changed it)"
"$RELINK" "$root" -o "$WORK/plain" --json >plain.json 2>plain.err || { cat plain.err; fail "relink"; }
assert_eq False "$(binary_field plain.json /opt/app/branchy pgo)" "PGO without --pgo"
cmp -s "$WORK/out/opt/app/branchy" "$WORK/plain/opt/app/branchy" &&
    fail "the PGO relink is byte-identical to the plain one"

note "a failing training command: a warning, and a relink without PGO"
"$RELINK" "$root" -o "$WORK/out2" --json --pgo 'exit 3' >fail.json 2>fail.err ||
    { cat fail.err; fail "a failing training run failed the relink"; }
grep -q "warning: no profile-guided optimization: the training command failed" fail.err ||
    { cat fail.err; fail "no warning for a failed training run"; }
assert_eq relinked "$(binary_field fail.json /opt/app/branchy action)" "relink after a failed training"
assert_eq False "$(binary_field fail.json /opt/app/branchy pgo)" "PGO after a failed training"
"$RELINK" "$root" -o "$WORK/out3" --json --pgo 'true' >none.json 2>none.err ||
    { cat none.err; fail "a training run that runs nothing failed the relink"; }
grep -q "no profile was written" none.err || { cat none.err; fail "no warning without profiles"; }

note "commands run in the root cannot write into it, and have no network"
cp "$root/opt/app/branchy" before.bin
rc=0
"$RELINK" "$root" -o "$WORK/out4" --check 'echo x >/opt/app/branchy' >check.txt 2>&1 || rc=$?
[ $rc = 1 ] || { cat check.txt; fail "a check that writes into the root: exit $rc (want 1: originals kept)"; }
cmp -s before.bin "$root/opt/app/branchy" || fail "a check wrote into the input root"
"$RELINK" "$root" -o "$WORK/out5" --check 'echo ok >/tmp/t && test -c /dev/null && ! test -e /sys/class/net/eth0' \
    >check2.txt 2>&1 || { cat check2.txt; fail "/tmp, /dev/null or the missing network in a check"; }
note "ok"
