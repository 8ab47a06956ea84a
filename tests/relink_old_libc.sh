#!/usr/bin/env bash
# A relinked file must load in the image, not just on this machine: when the
# image's C library is older than the native toolchain's (it lacks a symbol
# version the relinked file needs, here GLIBC_2.34 of __libc_start_main), or
# the image lacks a library the relink added, the original is kept, with
# the version and library named.
. "$TESTS_DIR/lib.sh"
fresh_work
RELINK=$CTR_RELINK
root="$WORK/rootfs"
empty_app_rootfs "$root"
cat >hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" hello.c -o "$root/opt/app/hello"

note "with the machine's own C library in the image, the relink is used"
"$RELINK" "$root" -o "$WORK/out" >relink.txt 2>&1 || { cat relink.txt; fail "relink"; }

note "an image whose libc.so.6 defines only GLIBC_2.2.5 keeps the original"
cat >oldlibc.c <<'C'
int puts(const char *s) { (void)s; return 0; }
int __libc_start_main(void) { return 0; }
C
printf 'GLIBC_2.2.5 { global: puts; __libc_start_main; local: *; };\n' >old.map
gcc-12 -shared -fPIC -nostdlib -Wl,-soname,libc.so.6 -Wl,--version-script=old.map \
    oldlibc.c -o "$root/usr/lib/x86_64-linux-gnu/libc.so.6"
rm -rf "$WORK/out" "$WORK/out.ctr-work"
rc=0
"$RELINK" "$root" -o "$WORK/out" --json >relink.json 2>relink.err || rc=$?
assert_eq 1 "$rc" "exit status with a program kept (its C library too old)"
python3 - <<'PY'
import json
b = {b["path"]: b for b in json.load(open("relink.json"))["binaries"]}["/opt/app/hello"]
assert b["action"] == "kept", b
assert "needs GLIBC_2.34 from libc.so.6" in b["reason"], b["reason"]
PY
cmp "$root/opt/app/hello" "$WORK/out/opt/app/hello" || fail "the kept program changed"
note "ok"
