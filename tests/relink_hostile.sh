#!/usr/bin/env bash
# Hostile records: a TU record whose command lines name a foreign compiler
# plugin, a pass plugin, another toolchain directory, a sysroot, specs, a
# linker plugin or a response file, or whose IR address points at a missing
# blob, makes ctr-relink keep that binary with a clear error — and nothing of
# it reaches the build file, so nothing is executed.  A TU id that is a path
# (../../etc/passwd) makes the binary's records unreadable: it is skipped.
. "$TESTS_DIR/lib.sh"
relink_fixture
printf 'int main(void) { return 0; }\n' >p.c
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" p.c -o good
id=$("$CTR_STORE" which good --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

# one binary per hostile record: the good program with its TU id swapped
n=0
hostile() { # field value expected-message
    n=$((n + 1))
    local new
    new=$("$FORGE_RECORD" "$COMTAINER_STORE" "$id" "$1" "$2") || fail "forging $2"
    printf 'CMTR1:%s\n' "$new" >sec$n
    objcopy --update-section .comtainer=sec$n good "$root/opt/app/bad$n"
    echo "/opt/app/bad$n $3" >>expect.txt
}
hostile driver_args "-fplugin=/tmp/evil.so" "'-fplugin=/tmp/evil.so'"
hostile frontend_args "-load" "'-load'"
hostile driver_args "-fpass-plugin=/tmp/evil.so" "'-fpass-plugin=/tmp/evil.so'"
hostile driver_args "-B/tmp/evil" "'-B/tmp/evil'"
hostile driver_args "--sysroot=/tmp/evil" "'--sysroot=/tmp/evil'"
hostile driver_args "-specs=/tmp/evil.specs" "'-specs=/tmp/evil.specs'"
hostile driver_args "-Wl,-plugin,/tmp/evil.so" "'-Wl,-plugin,/tmp/evil.so'"
hostile driver_args "@/tmp/evil.rsp" "'@/tmp/evil.rsp'"
hostile driver_args "-fplugin-arg-evil-x=1" "'-fplugin-arg-evil-x=1'"
hostile ir "$(printf '%064d' 0)" "No such file"
cp good "$root/opt/app/good"
# a record line whose "id" walks out of the store: the binary is not used at all
printf 'CMTR1:../../../../../etc/passwd\n' >traversal.txt
"$CC_CLANG" -O2 -c p.c -o plain.o
objcopy --add-section .comtainer=traversal.txt plain.o traversal.o
"$CC_CLANG" traversal.o -o "$root/opt/app/traversal"

rc=0
"$RELINK" "$root" -o "$WORK/out" >out.txt 2>err.txt || rc=$?
[ $rc = 1 ] || { cat out.txt err.txt; fail "ctr-relink with hostile records: exit $rc (want 1: binaries kept)"; }
cat out.txt
while read -r path msg; do
    grep "^$path " out.txt | grep_q "kept.*$msg" || fail "$path not refused with $msg"
    cmp -s "$root$path" "$WORK/out$path" || fail "$path not kept as it was"
done <expect.txt
grep "^/opt/app/good " out.txt | grep_q relinked || fail "the good program was not relinked"
grep_q "'$root/opt/app/traversal': malformed .comtainer entry" err.txt ||
    { cat err.txt; fail "the traversal record was not reported"; }
! grep_q "^/opt/app/traversal " out.txt || fail "the traversal binary was planned"
cmp -s "$root/opt/app/traversal" "$WORK/out/opt/app/traversal" || fail "traversal binary changed"
# nothing of a refused binary reaches the build file
for i in $(seq 1 $((n - 1))); do
    ! grep -q "bad$i\$" "$WORK/out.ctr-work/build.ninja" || fail "bad$i reached build.ninja"
done
! grep -q "evil" "$WORK/out.ctr-work/build.ninja" || fail "a hostile value reached build.ninja"
echo PASS
