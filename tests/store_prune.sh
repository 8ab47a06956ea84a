#!/usr/bin/env bash
# ctr-store prune ROOT: a build's store holds a hand-made probe (one the
# plugins do not recognise as autoconf's or CMake's), a program
# that was not installed and an object of an earlier build beside the
# installed program and library; prune keeps exactly the TUs the root's
# files name (and their blobs), --dry-run only counts, the pruned store
# verifies and relinks, and a root whose store path leads through a
# symlink is refused.
. "$TESTS_DIR/lib.sh"
relink_fixture
P="-O2 -fplugin=$COMTAINER_PLUGIN"
cat >have_feature.c <<'C'
int main(void) { return 0; }
C
cat >lib.c <<'C'
int twice(int x) { return 2 * x; }
C
cat >main.c <<'C'
#include <stdio.h>
int twice(int);
int main(void) { printf("%d\n", twice(21)); return 0; }
C
cat >tool.c <<'C'
int main(void) { return 3; }
C
"$CC_CLANG" $P have_feature.c -o have_feature  # a Makefile's own probe
"$CC_CLANG" $P tool.c -o tool                  # built, not installed
"$CC_CLANG" $P -DOLD -c lib.c -o old-lib.o     # an earlier build's object
mkdir -p "$root/usr/lib"
"$CC_CLANG" $P -fPIC -shared lib.c -Wl,-soname,libtwice.so.1 -o "$root/usr/lib/libtwice.so.1"
"$CC_CLANG" $P main.c -L"$root/usr/lib" -l:libtwice.so.1 -Wl,-rpath,/usr/lib -o "$root/opt/app/main"
assert_eq 5 "$(record_count)" "records before pruning"
want=$(for f in "$root/usr/lib/libtwice.so.1" "$root/opt/app/main"; do
    "$CTR_STORE" which "$f" --json | python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)]'
done | sort -u)
note "--dry-run counts and removes nothing"
"$CTR_STORE" prune "$root" --dry-run --json >dry.json || fail "prune --dry-run"
assert_eq "True 3 2" "$(json_get 'j["dry_run"], j["records_removed"], j["records_kept"]' <dry.json | tr -d '(),')" \
    "what --dry-run would do"
assert_eq 5 "$(record_count)" "records after --dry-run"
note "prune"
"$CTR_STORE" prune "$root" >prune.txt || fail "prune: $(cat prune.txt)"
grep_q "removed 3 of 5 records" prune.txt || fail "the report: $(cat prune.txt)"
assert_eq "$want" "$("$CTR_STORE" ls --store "$COMTAINER_STORE" --json | python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)]' | sort)" \
    "the records kept"
blobs=$(find "$COMTAINER_STORE" -path '*blob*' -type f | wc -l)
assert_eq 2 "$blobs" "blobs kept (one per kept record)"
"$CTR_STORE" verify --store "$COMTAINER_STORE" >verify.txt || fail "verify after prune: $(cat verify.txt)"
"$RELINK" "$root" --plan >plan.txt 2>&1 || fail "--plan after prune: $(cat plan.txt)"
"$CTR_STORE" prune "$root" --json >again.json || fail "prune again"
assert_eq 0 "$(json_get 'j["records_removed"] + j["blobs_removed"]' <again.json)" "a second prune"
note "a store path through a symlink is refused"
evil="$WORK/evil"
mkdir -p "$evil/var" "$WORK/elsewhere/comtainer/store"
ln -s "$WORK/elsewhere" "$evil/var/lib"
rc=0
"$CTR_STORE" prune "$evil" >evil.txt 2>&1 || rc=$?
assert_eq 2 "$rc" "prune through a symlinked /var/lib ($(cat evil.txt))"
grep_q "no directory" evil.txt || fail "the message: $(cat evil.txt)"
note "ok"
