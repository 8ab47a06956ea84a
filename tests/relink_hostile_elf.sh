#!/usr/bin/env bash
# Hostile ELF strings and stored objects (issue 9, attacks 1 and 2): values
# an image's binaries carry into the native link are data, never options.
#  - a DT_SONAME with commas (once: -Wl,-soname,libf.so,--load-pass-plugin=
#    evil.so made lld load the image's evil.so as root), a DT_RUNPATH and a
#    PT_INTERP with ",-o,PATH" (once: files written anywhere), a SONAME with
#    a newline or a leading '-', a DT_NEEDED naming such a library: each
#    binary is kept, the field and the value named, no canary file appears;
#  - #pragma comment(lib, "/host/file") in a captured TU (.deplibs): lld
#    opened that host file and printed its first line; now the link runs
#    with --no-dependent-libraries and succeeds without reading it;
#  - a GIMPLE object whose .gnu.lto_.opts passes -Xassembler (verbatim to
#    the assembler), a -fplugin= path or an offload section: kept, the
#    option or section named.
. "$TESTS_DIR/lib.sh"
relink_fixture
mkdir -p "$root/usr/lib"
echo "canary $$" >"$WORK/canary"
cp "$WORK/canary" canary.orig

# the image's own "plugin": its constructor would leave a file behind
cat >evil.c <<C
#include <stdio.h>
__attribute__((constructor)) static void own(void) {
    FILE *f = fopen("$WORK/owned-by-plugin", "w");
    if (f) fputs("evil.so ran\n", f), fclose(f);
}
int llvmGetPassPluginInfo;
C
"$CC_CLANG" -shared -fPIC evil.c -o "$root/usr/lib/evil.so"

printf 'int f(int x) { return x + 1; }\n' >f.c
printf 'int f(int);\nint main(void) { return f(-1); }\n' >main.c
cap() { "$CC_CLANG" -O2 -fPIC -fplugin="$COMTAINER_PLUGIN" "$@"; }

expect() { # inner-path message-fragment
    echo "$1|$2" >>expect.txt
}
# 1. strings that a driver would split, or a linker take as options
cap -shared f.c -o "$root/usr/lib/libcomma.so" \
    -Xlinker -soname -Xlinker "libf.so,--load-pass-plugin=$root/usr/lib/evil.so"
expect /usr/lib/libcomma.so "DT_SONAME 'libf.so,--load-pass-plugin="
cap -shared f.c -o "$root/usr/lib/libdash.so" -Xlinker -soname -Xlinker "-evil.so"
expect /usr/lib/libdash.so "DT_SONAME '-evil.so' is not a file name"
cap -shared f.c -o "$root/usr/lib/libnl.so" -Xlinker -soname -Xlinker "$(printf 'libnl.so\nbuild x: phony')"
expect /usr/lib/libnl.so 'DT_SONAME .libnl.so\\x0abuild x: phony. is not a file name'
cap f.c main.c -o "$root/opt/app/rpath" -Xlinker -rpath -Xlinker "/x,-o,$WORK/owned-by-rpath"
expect /opt/app/rpath "DT_RUNPATH entry '/x,-o,"
cap f.c main.c -o "$root/opt/app/dotdot" -Xlinker -rpath -Xlinker "/usr/../../etc"
expect /opt/app/dotdot "DT_RUNPATH entry '/usr/../../etc' is not a clean absolute path"
cap f.c main.c -o "$root/opt/app/interp" \
    -Xlinker --dynamic-linker -Xlinker "/lib64/ld-linux-x86-64.so.2,-o,$WORK/owned-by-interp"
expect /opt/app/interp "PT_INTERP '/lib64/ld-linux-x86-64.so.2,-o,"
# a program that needs the library with the hostile SONAME names it in DT_NEEDED
cap main.c -o "$root/opt/app/needs-comma" "$root/usr/lib/libcomma.so"
expect /opt/app/needs-comma "DT_NEEDED 'libf.so,--load-pass-plugin="
# a legitimate $ORIGIN RUNPATH and SONAME still relink
cap -shared f.c -o "$root/usr/lib/libgood.so" -Xlinker -soname -Xlinker libgood.so.1
cp "$root/usr/lib/libgood.so" "$root/usr/lib/libgood.so.1"
cap main.c -o "$root/opt/app/origin" "$root/usr/lib/libgood.so.1" -Wl,-rpath,'$ORIGIN/../../usr/lib'

# 2. .deplibs: the IR names a host file for the linker to open
echo "SECRET-FIRST-LINE-$$" >"$WORK/secret.txt"
cat >deplib.c <<C
#pragma comment(lib, "$WORK/secret.txt")
int main(void) { return 0; }
C
cap deplib.c -o "$root/opt/app/deplib"

# 3. GIMPLE objects whose options would steer lto-wrapper
[ -f "$GCC_PLUGIN" ] || fail "no GCC plugin at $GCC_PLUGIN"
printf 'int main(void) { return 0; }\n' >g.c
gcc-12 -O2 -fplugin="$GCC_PLUGIN" g.c -o g
gid=$("$CTR_STORE" which g --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$CTR_STORE" extract -o g.lto.o "$gid"
readelf -S g.lto.o | grep_q '\.gnu\.lto_\.opts' || fail "no .gnu.lto_.opts in the stored GIMPLE"
n=0
forged_gimple() { # expected-message objcopy-args...
    n=$((n + 1))
    local msg=$1
    shift
    objcopy "$@" g.lto.o forged$n.o
    local new
    new=$("$FORGE_RECORD" "$COMTAINER_STORE" "$gid" ir_file forged$n.o) || fail "forging GIMPLE $n"
    printf 'CMTR1:%s\n' "$new" >gsec$n
    objcopy --update-section .comtainer=gsec$n g "$root/opt/app/gimple$n"
    expect /opt/app/gimple$n "$msg"
}
printf "'-O2' '-Xassembler' '--statistics'\0" >opts1
forged_gimple "compiler option '-Xassembler' in .gnu.lto_.opts" --update-section .gnu.lto_.opts=opts1
printf "'-O2' '-fplugin=/tmp/evil.so'\0" >opts2
forged_gimple "compiler option '-fplugin=/tmp/evil.so'" --update-section .gnu.lto_.opts=opts2
printf "'-O2' -Xassembler\0" >opts3
forged_gimple ".gnu.lto_.opts is not a list of quoted options" --update-section .gnu.lto_.opts=opts3
printf 'x' >offload
forged_gimple "section '.gnu.offload_lto_.opts'" --add-section .gnu.offload_lto_.opts=offload
# the untouched GIMPLE program relinks
cp g "$root/opt/app/gimple-good"
# 4. a file name with a terminal escape sequence: shown as \x1b, never raw
cp g "$root/opt/app/$(printf 'esc\033[2Jx')"

rc=0
"$RELINK" "$root" -o "$WORK/out" -j2 >out.txt 2>err.txt || rc=$?
assert_eq 1 "$rc" "exit status (hostile binaries kept)"
action_of() { awk -v p="$1" '$1 == p { print $4 }' out.txt; }
while IFS='|' read -r path msg; do
    line=$(grep "^$path " out.txt) || { cat out.txt; fail "$path missing from the summary"; }
    assert_eq kept "$(action_of "$path")" "$path: action"
    grep "^$path " out.txt | grep_q -e "$msg" || { echo "$line"; fail "$path: no '$msg'"; }
    cmp -s "$root$path" "$WORK/out$path" || fail "$path changed although kept"
done <expect.txt
for p in /usr/lib/libgood.so /opt/app/origin /opt/app/deplib /opt/app/gimple-good; do
    assert_eq relinked "$(action_of "$p")" "$p: action ($(grep "^$p " out.txt))"
done
grep_q "SECRET-FIRST-LINE" err.txt out.txt && fail "the linker read the host file named by .deplibs"
grep_q "$(printf '\033')" out.txt err.txt && fail "an escape sequence from the image reached the terminal"
grep_q -F '/opt/app/esc\x1b[2Jx' out.txt || { cat out.txt; fail "the escaped name is not shown"; }
LD_LIBRARY_PATH="$WORK/out/usr/lib" "$WORK/out/opt/app/origin" || fail "the \$ORIGIN program does not run"
# nothing of a refused binary reached the build file, no canary was written
for i in libcomma libdash libnl rpath dotdot interp needs-comma gimple1 gimple2 gimple3 gimple4; do
    ! grep -q "/$i\(\.so\)\?\$" "$WORK/out.ctr-work/build.ninja" || fail "$i reached build.ninja"
done
for f in owned-by-plugin owned-by-rpath owned-by-interp; do
    [ ! -e "$WORK/$f" ] || fail "$f was written: an image string reached the linker as an option"
done
cmp -s canary.orig "$WORK/canary" || fail "the canary outside the work directory changed"
note "$(wc -l <expect.txt) hostile binaries kept with the field named; 4 good ones relinked"
