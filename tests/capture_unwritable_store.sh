#!/usr/bin/env bash
# A store that cannot be written never breaks the build: each compile
# succeeds with exactly one warning; COMTAINER_STRICT=1 makes it an error.
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

note "a store of an unknown format version is not written to"
mkdir -p future && echo "comtainer-store 99" >future/FORMAT
COMTAINER_STORE="$WORK/future" "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" \
    -c proj/core/vec.c -o future.o 2>f.txt || fail "compile failed"
grep -q "format version not supported" f.txt || { cat f.txt; fail "format message"; }
assert_eq "FORMAT" "$(ls future)" "future store untouched"
echo PASS
