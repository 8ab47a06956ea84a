#!/usr/bin/env bash
# A store that cannot be written never breaks the build: each compile
# succeeds with exactly one warning; COMTAINER_STRICT=1 makes it an error.
# Also a store on a full disk (issue 9 keeps this case): the build stays
# green, one warning per compile that could not write, the store verifies.
. "$TESTS_DIR/lib.sh"
fresh_work

# CI runs as root, so permissions cannot make a directory unwritable; a path
# that runs through a regular file can never be created by anyone.
touch not-a-dir
export COMTAINER_STORE="$WORK/not-a-dir/store"

build_multi plain
build_multi proj captured
proj/heat | grep_q "heat mean" || fail "heat does not run"

note "one warning per compile, naming the file and the problem"
assert_eq 7 "$(grep -c '^comtainer: warning: IR not captured for' proj.log)" "warnings"
grep -q "IR not captured for 'core/vec.c': .*not-a-dir/store.*Not a directory" proj.log ||
    { cat proj.log; fail "warning does not name the source and the store problem"; }
for o in core/vec.o apps/solve.o solver/cg.pic.o; do
    same_code "plain/$o" "proj/$o" || fail "$o differs from a plugin-free build"
done

note "objects still carry their TU record, so binaries name the TUs they miss"
readelf -p .comtainer proj/heat | grep_q "CMTR1:" || fail "heat lost its TU records"

note "-Werror in the user's flags does not turn the warning into an error"
"$CC_CLANG" -O2 -Werror -fplugin="$COMTAINER_PLUGIN" -c proj/core/vec.c -o werror.o 2>w.txt ||
    fail "-Werror build failed"
assert_eq 1 "$(grep -c 'comtainer: warning' w.txt)" "warning with -Werror"

note "strict mode fails the compile"
if COMTAINER_STRICT=1 "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -c proj/core/vec.c \
    -o strict.o 2>strict.txt; then
    fail "strict mode compile succeeded"
fi
grep -q "comtainer: IR not captured for 'proj/core/vec.c'" strict.txt ||
    { cat strict.txt; fail "strict error message"; }

note "a store on a full disk: builds green, one warning per failed write"
full="$WORK/full"
mkdir -p "$full"
if mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
    trap 'umount "$full" 2>/dev/null || true' EXIT
    head -c 40000 /dev/zero >"$full/filler" # leave room for the FORMAT file only
    rc=0
    COMTAINER_STORE="$full/store" build_multi full-build captured >/dev/null 2>&1 || rc=$?
    assert_eq 0 "$rc" "the build on a full disk"
    full-build/heat | grep_q "heat mean" || fail "heat built on a full disk does not run"
    warnings=$(grep -c '^comtainer: warning: IR not captured for' full-build.log || true)
    [ "$warnings" -ge 1 ] && [ "$warnings" -le 7 ] || { cat full-build.log; fail "$warnings warnings"; }
    grep -q "No space left on device" full-build.log || { cat full-build.log; fail "no ENOSPC named"; }
    ! ls "$full/store/tmp" 2>/dev/null | grep_q . || fail "temporary files left in the full store"
    "$CTR_STORE" verify --store "$full/store" >verify.txt 2>&1 || { cat verify.txt; fail "the full store does not verify"; }
    umount "$full"
    trap - EXIT
else
    note "(no tmpfs mount here: the full-disk case is skipped)"
fi

note "a store of an unknown format version is not written to"
mkdir -p future && echo "comtainer-store 99" >future/FORMAT
COMTAINER_STORE="$WORK/future" "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" \
    -c proj/core/vec.c -o future.o 2>f.txt || fail "compile failed"
grep -q "format version not supported" f.txt || { cat f.txt; fail "format message"; }
assert_eq "FORMAT" "$(ls future)" "future store untouched"
echo PASS
