#!/usr/bin/env bash
# `cmake --install` puts the link-time recorder where
# `pkg-config --variable=ld_plugin comtainer` says, for any prefix, and the
# installed plugin records a link given as LDFLAGS=-Wl,-plugin,PATH.
. "$TESTS_DIR/lib.sh"
fresh_work

prefix="$WORK/prefix with space"
cmake --install "$BUILD_DIR" --prefix "$prefix" >install.log || fail "install failed"
pc=$(find "$prefix" -name comtainer.pc)
[ -n "$pc" ] || fail "no comtainer.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
ldp=$(pkg-config --variable=ld_plugin comtainer)
case "$ldp" in "$prefix"/*/comtainer-plugin/comtainer-ld.so) ;;
*) fail "ld_plugin '$ldp' not under the prefix's plugin directory" ;; esac
[ -f "$ldp" ] || fail "ld_plugin '$ldp' does not exist"
nm -D --defined-only "$ldp" | awk '{print $3}' >exports.txt
assert_eq onload "$(cat exports.txt)" "the plugin exports onload only"

printf 'int main(void) { return 0; }\n' >m.c
printf '\t.globl f\nf:\tret\n\t.section .note.GNU-stack,"",@progbits\n' >f.S
gcc -c m.c f.S || fail "compile"   # both without IR
gcc m.o f.o -o prog -Wl,-plugin,"$ldp" 2>err.txt || { cat err.txt; fail "link with the installed plugin"; }
[ ! -s err.txt ] || { cat err.txt; fail "installed plugin printed something"; }
"$prefix/bin/ctr-store" which prog --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert [(x["ir_kind"], x["source"]) for x in r] == \
    [("elf-object", "m.o"), ("elf-object", "f.o"), ("link", "prog")], r
assert all(x["present"] for x in r), r' || fail "the installed plugin did not record the link"
echo PASS
