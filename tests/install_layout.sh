#!/usr/bin/env bash
# `cmake --install` lays out ctr-store, the plugin and comtainer.pc so that
# -fplugin=$(pkg-config --variable=clang_plugin comtainer) works for any
# prefix, and the bare -fplugin=comtainer finds the dispatcher by name the way
# it does in a system library directory.
. "$TESTS_DIR/lib.sh"
fresh_work

prefix="$WORK/prefix with space"
cmake --install "$BUILD_DIR" --prefix "$prefix" >install.log || fail "install failed"
[ -x "$prefix/bin/ctr-store" ] || fail "no ctr-store installed"
pc=$(find "$prefix" -name comtainer.pc)
[ -n "$pc" ] || fail "no comtainer.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
plugin=$(pkg-config --variable=clang_plugin comtainer)
case "$plugin" in "$prefix"/*) ;; *) fail "clang_plugin '$plugin' not under the prefix" ;; esac
[ -f "$plugin" ] || fail "clang_plugin '$plugin' does not exist"
pkg-config --modversion comtainer | grep_q '^[0-9]' || fail "no version"

printf 'int f(void) { return 3; }\n' >f.c
"$CC_CLANG" -O2 "-fplugin=$plugin" -c f.c -o f.o 2>err.txt || fail "compile with installed plugin"
[ ! -s err.txt ] || { cat err.txt; fail "installed plugin printed something"; }
assert_eq f.c "$("$prefix/bin/ctr-store" which f.o --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["source"])')" "installed capture"

note "bare -fplugin=comtainer through the dynamic loader's search"
LD_LIBRARY_PATH=$(dirname "$plugin") "$CC_CLANG" -O2 -fplugin=comtainer -c f.c -o g.o 2>err.txt ||
    { cat err.txt; fail "bare -fplugin=comtainer"; }
[ ! -s err.txt ] || { cat err.txt; fail "bare name printed something"; }
"$prefix/bin/ctr-store" which g.o >/dev/null || fail "bare name did not capture"

note "an unsupported clang gets one warning and a normal compile"
if command -v clang-14 >/dev/null; then
    clang-14 -O2 "-fplugin=$plugin" -c f.c -o old.o 2>err.txt || fail "clang-14 compile broke"
    assert_eq 1 "$(grep -c 'comtainer: warning: this compiler .* is not supported' err.txt)" \
        "clang-14 warning"
fi
echo PASS
