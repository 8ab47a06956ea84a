#!/usr/bin/env bash
# Where ctr-relink ROOTFS writes (issue 9, attacks 5 and 6): once
# `-o EXISTING_DIR` silently deleted that directory, a failed run left
# OUT.ctr-work behind although exit 2 promises nothing written, and an
# image root whose var/lib/comtainer/store was an absolute symlink was read
# from the host's directory.  Now:
#  - an existing OUT is replaced only when it is this work directory's
#    earlier output; anything else is refused, untouched;
#  - exit 2 leaves no work directory that the run created;
#  - the store is resolved inside the root: an absolute symlink to a host
#    store ends inside the root (and is not found there).
. "$TESTS_DIR/lib.sh"
relink_fixture
printf 'int main(void) { return 0; }\n' >p.c
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" p.c -o "$root/opt/app/p"

note "-o a directory that is not an earlier output: refused, untouched"
mkdir -p "$WORK/precious"
echo keep >"$WORK/precious/file"
rc=0
"$RELINK" "$root" -o "$WORK/precious" >out.txt 2>err.txt || rc=$?
assert_eq 2 "$rc" "exit status"
grep_q "'$WORK/precious' exists and is not the output of an earlier run" err.txt ||
    { cat err.txt; fail "no message naming the existing directory"; }
assert_eq keep "$(cat "$WORK/precious/file")" "the existing directory's file"
[ ! -e "$WORK/precious.ctr-work" ] || fail "a failed run left its work directory"

note "the same OUT again with its work directory: replaced (an incremental rerun)"
"$RELINK" "$root" -o "$WORK/out" >out.txt 2>&1 || { cat out.txt; fail "first run"; }
touch "$WORK/out/stale"
"$RELINK" "$root" -o "$WORK/out" >out2.txt 2>&1 || { cat out2.txt; fail "rerun"; }
grep -q "up to date" out2.txt || { cat out2.txt; fail "the rerun rebuilt"; }
grep -q "no work to do" out2.txt && { cat out2.txt; fail "ninja's own line on a rerun"; }
[ ! -e "$WORK/out/stale" ] || fail "the rerun did not replace its own output"
# but another work directory's output is not this one's
rc=0
"$RELINK" "$root" -o "$WORK/out" --work "$WORK/other-work" >out3.txt 2>err3.txt || rc=$?
assert_eq 2 "$rc" "exit status with another work directory"
[ -f "$WORK/out/opt/app/p" ] || fail "the output of the first work directory was touched"
[ ! -e "$WORK/other-work" ] || fail "a failed run left its work directory"

note "a blob's fan-out directory as a symlink to a host copy: never followed"
store="$root/var/lib/comtainer/store"
id=$("$CTR_STORE" which "$root/opt/app/p" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
ir=$("$CTR_STORE" show --store "$store" --json "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ir"])')
fan=${ir:0:2}
cp -a "$store/blobs/$fan" "$WORK/host-fan"
mv "$store/blobs/$fan" "$WORK/fan.orig"
ln -s "$WORK/host-fan" "$store/blobs/$fan"
rc=0
"$RELINK" "$root" -o "$WORK/out-fan" >fan.txt 2>fan.err || rc=$?
assert_eq 1 "$rc" "exit status (the binary kept)"
grep "^/opt/app/p " fan.txt | grep_q "a symlink on the way" || { cat fan.txt fan.err; fail "no reason naming the symlink"; }
rm "$store/blobs/$fan"
mv "$WORK/fan.orig" "$store/blobs/$fan"

note "the store as an absolute symlink to a host directory: resolved inside the root"
cp -a "$root/var/lib/comtainer/store" "$WORK/host-store"
rm -rf "$root/var/lib/comtainer/store"
ln -s "$WORK/host-store" "$root/var/lib/comtainer/store"
rc=0
"$RELINK" "$root" -o "$WORK/out4" >out4.txt 2>err4.txt || rc=$?
assert_eq 2 "$rc" "exit status (no store inside the root)"
grep_q "the store '/var/lib/comtainer/store' of '$root'" err4.txt ||
    { cat err4.txt; fail "no message naming the store"; }
[ ! -e "$WORK/out4" ] && [ ! -e "$WORK/out4.ctr-work" ] || fail "a failed run wrote something"
rc=0
"$RELINK" --plan "$root" >plan.txt 2>plan.err || rc=$?
assert_eq 2 "$rc" "--plan: exit status"
# a relative symlink inside the root works as the image's loader would see it
rm "$root/var/lib/comtainer/store"
mv "$WORK/host-store" "$root/var/lib/comtainer/real-store"
ln -s real-store "$root/var/lib/comtainer/store"
"$RELINK" "$root" -o "$WORK/out5" >out5.txt 2>&1 || { cat out5.txt; fail "a store behind a relative symlink"; }
note "outputs checked"
