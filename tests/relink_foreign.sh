#!/usr/bin/env bash
# Code without IR and the choice of toolchain.  A program that links an
# assembly file and a static library member built without the plugin is
# detected at planning time (the symbols no stored input defines are named),
# kept byte-identical and reported; a clean program of the same root is
# relinked.  A program with TUs of both Clang and GCC is relinked with both
# toolchains ("mixed"); --toolchain refuses IR it cannot read.
. "$TESTS_DIR/lib.sh"
relink_fixture

cat >main.c <<'C'
#include <stdio.h>
long asm_add(long a, long b);
double vendor_scale(double x);
double work(int n);
int main(void) {
    printf("prog %ld %.3f %.3f\n", asm_add(40, 2), vendor_scale(2.0), work(1000));
    return 0;
}
C
cat >work.c <<'C'
double work(int n) { double s = 0; for (int i = 1; i <= n; i++) s += 1.0 / i; return s; }
C
cat >asm_add.S <<'S'
    .text
    .globl asm_add
    .type asm_add, @function
asm_add:
    leaq (%rdi,%rsi), %rax
    ret
    .size asm_add, .-asm_add
    .section .note.GNU-stack,"",@progbits
S
cat >vendor.c <<'C'
double vendor_scale(double x) { return x * 1.5; }
C
cat >unused.c <<'C'
int vendor_unused(void) { return 7; }
C
# clean programs whose executables hold copies of library variables (COPY
# relocations of stdout, std::cout): defined there, but not code without IR
cat >clean.c <<'C'
#include <stdio.h>
double work(int n);
int main(void) { fprintf(stdout, "clean %.3f\n", work(2000)); return 0; }
C
cat >cout.cc <<'C'
#include <iostream>
int main() { std::cout << "cout " << 42 << std::endl; return 0; }
C
# a shared library with a hidden assembly routine (zstd's HUF_*_asm_loop):
# local in the library lld links, its visibility kept (ld.bfd drops it and
# puts it past an empty FILE symbol; stripped, the relink's own check finds
# it after the link)
cat >hid.c <<'C'
long hid_loop(long n);
__attribute__((visibility("hidden"), noinline)) long hid_twice(long n) { return 2 * n; }
long hid_sum(long n) { return hid_loop(hid_twice(n)) + 1; }
C
cat >hid_loop.S <<'S'
    .text
    .globl hid_loop
    .hidden hid_loop
    .type hid_loop, @function
hid_loop:
    leaq 1(%rdi), %rax
    ret
    .size hid_loop, .-hid_loop
    .section .note.GNU-stack,"",@progbits
S
P="-O2 -fplugin=$COMTAINER_PLUGIN"
mkdir -p "$root/usr/lib"
"$CC_CLANG" $P -fPIC -c hid.c
"$CC_CLANG" -c hid_loop.S
"$CC_CLANG" -fuse-ld=lld -shared hid.o hid_loop.o -Wl,-soname,libhid.so.1 -o "$root/usr/lib/libhid.so.1"
"$CC_CLANG" $P -c main.c work.c
"$CC_CLANG" $P -fno-pic -c clean.c
"$CC_CLANG" -c asm_add.S
"$CC_CLANG" -O2 -c vendor.c unused.c # a vendor library: no plugin
ar rcs libvendor.a vendor.o unused.o
"$CC_CLANG" main.o work.o asm_add.o libvendor.a -o "$root/opt/app/prog"
"$CC_CLANG" -no-pie clean.o work.o -o "$root/opt/app/clean"
"$CXX_CLANG" $P -no-pie -fno-pic cout.cc -o "$root/opt/app/cout"

note "planning names the code without IR"
rc=0
"$RELINK" --plan "$root" --json >plan.json || rc=$?
assert_eq 1 "$rc" "exit status of --plan with code without IR"
python3 - <<'PY'
import json
bins = {b["path"]: b for b in json.load(open("plan.json"))["binaries"]}
prog, clean, cout = bins["/opt/app/prog"], bins["/opt/app/clean"], bins["/opt/app/cout"]
assert prog["code_without_ir"] == ["asm_add", "vendor_scale"], prog["code_without_ir"]
assert "code without IR: 2 symbols" in prog["problem"], prog["problem"]
assert prog["symbols_checked"] == "symtab"
assert clean["code_without_ir"] == [] and clean["problem"] is None, clean
assert cout["code_without_ir"] == [] and cout["problem"] is None, cout
hid = bins["/usr/lib/libhid.so.1"]
assert hid["code_without_ir"] == ["hid_loop"] and "code without IR: 1 symbol" in hid["problem"], hid
PY

note "the program with code without IR is kept byte-identical, the clean one relinked"
"$RELINK" "$root" -o "$WORK/out" --json >relink.json 2>relink.err &&
    fail "ctr-relink exited 0 although a binary was kept"
[ $? -eq 1 ] || { cat relink.err; fail "ctr-relink: expected exit status 1"; }
python3 - <<'PY'
import json
acts = {b["path"]: b for b in json.load(open("relink.json"))["binaries"]}
assert acts["/opt/app/prog"]["action"] == "kept", acts
assert "code without IR" in acts["/opt/app/prog"]["reason"], acts
assert acts["/opt/app/clean"]["action"] == "relinked", acts
PY
cmp "$root/opt/app/prog" "$WORK/out/opt/app/prog" || fail "the kept program changed"
cmp -s "$root/opt/app/clean" "$WORK/out/opt/app/clean" && fail "the clean program was not rewritten"
assert_eq "$("$root/opt/app/clean")" "$("$WORK/out/opt/app/clean")" "relinked clean output"

note "a stripped program: only its dynamic symbols can be checked; the relink still keeps it"
rm "$root/usr/lib/libhid.so.1"
strip "$root/opt/app/prog"
# (the plan sees no symbol without IR in .dynsym: no problem, exit 0)
rc=0
"$RELINK" --plan "$root" --json >plan2.json || rc=$?
assert_eq 0 "$rc" "exit status of --plan with the stripped program"
assert_eq dynsym "$(binary_field plan2.json /opt/app/prog symbols_checked)" "symbols checked"
rm -rf "$WORK/out" "$WORK/out.ctr-work"
rc=0
"$RELINK" "$root" -o "$WORK/out" --json >relink2.json 2>relink2.err || rc=$?
assert_eq 1 "$rc" "exit status with the stripped program kept"
assert_eq kept "$(binary_field relink2.json /opt/app/prog action)" "the stripped program"
cmp "$root/opt/app/prog" "$WORK/out/opt/app/prog" || fail "the kept stripped program changed"
rm -f "$root/opt/app/prog"

note "the hidden routine linked by ld.bfd (visibility lost, placed past its empty FILE symbol): named by the plan"
"$CC_CLANG" -fuse-ld=bfd -shared hid.o hid_loop.o -Wl,-soname,libhid.so.1 -o "$root/usr/lib/libhid.so.1"
cat >hidmain.c <<'C'
#include <stdio.h>
long hid_sum(long n);
int main(void) { printf("%ld\n", hid_sum(1)); return 0; }
C
"$CC_CLANG" $P -c hidmain.c
"$CC_CLANG" -fuse-ld=bfd hidmain.o hid.o hid_loop.o -o "$root/opt/app/hidprog"
rc=0
"$RELINK" --plan "$root" --json >plan6.json || rc=$?
assert_eq 1 "$rc" "exit status of --plan with the ld.bfd-linked routine"
for b in /usr/lib/libhid.so.1 /opt/app/hidprog; do
    assert_eq hid_loop "$(binary_field plan6.json $b code_without_ir)" "$b: code without IR"
done
# (hid.c's hidden hid_twice, forced local too, has its IR: not named)
assert_eq "" "$(binary_field plan6.json /opt/app/clean code_without_ir)" "clean: code without IR"
rm -rf "$WORK/out" "$WORK/out.ctr-work"
rc=0
"$RELINK" "$root" -o "$WORK/out" --json >relink6.json 2>relink6.err || rc=$?
assert_eq 1 "$rc" "exit status with both kept"
for b in /usr/lib/libhid.so.1 /opt/app/hidprog; do
    assert_eq "$(binary_field plan6.json $b problem)" "$(binary_field relink6.json $b reason)" \
        "$b: kept for the plan's reason"
done

note "the same, stripped (the plan sees .dynsym only): kept after the link, the reason in one line"
strip "$root/usr/lib/libhid.so.1" "$root/opt/app/hidprog"
rc=0
"$RELINK" --plan "$root" --json >plan7.json || rc=$?
assert_eq 0 "$rc" "exit status of --plan with the stripped files"
rm -rf "$WORK/out" "$WORK/out.ctr-work"
rc=0
"$RELINK" "$root" -o "$WORK/out" --json >relink7.json 2>relink7.err || rc=$?
assert_eq 1 "$rc" "exit status with both kept"
# a library links with a hole, which the check after the link finds
reason=$(binary_field relink7.json /usr/lib/libhid.so.1 reason)
assert_eq "the relinked file leaves 'hid_loop' undefined, and no library it needs defines it (code without IR)" \
    "$reason" "the library's reason"
# a program's link fails, summed up from the linker's log
reason=$(binary_field relink7.json /opt/app/hidprog reason)
case $reason in
"the native link failed: undefined symbol hid_loop (log: $WORK/out.ctr-work/bin/"*".log)") ;;
*) fail "the program's reason: $reason" ;;
esac
log=${reason##*log: }
grep_q "hid_loop" "${log%)}" || fail "the link's log lacks its messages"
grep_q "undefined" relink7.err && fail "the linker's messages reached the terminal: $(cat relink7.err)"
cmp "$root/usr/lib/libhid.so.1" "$WORK/out/usr/lib/libhid.so.1" || fail "the kept library changed"
cmp "$root/opt/app/hidprog" "$WORK/out/opt/app/hidprog" || fail "the kept program changed"
rm "$root/usr/lib/libhid.so.1" "$root/opt/app/hidprog"

note "the same program linked with the link-time recorder is relinked, objects and all"
if [ -n "${COMTAINER_LD_PLUGIN:-}" ]; then
    "$CC_CLANG" -fuse-ld=bfd main.o work.o asm_add.o libvendor.a \
        -Wl,-plugin,"$COMTAINER_LD_PLUGIN" -o "$root/opt/app/prog"
    before=$("$root/opt/app/prog")
    rm -rf "$WORK/out" "$WORK/out.ctr-work"
    "$RELINK" "$root" -o "$WORK/out" --json >relink5.json 2>relink5.err ||
        { cat relink5.err relink5.json; fail "relink of the recorded program"; }
    assert_eq relinked "$(binary_field relink5.json /opt/app/prog action)" "recorded program"
    assert_eq llvm "$(binary_field relink5.json /opt/app/prog toolchain)" "its toolchain"
    assert_eq "$before" "$("$WORK/out/opt/app/prog")" "output of the relinked recorded program"
    # the relinked program names the same records, so it can be relinked again
    assert_eq "$("$CTR_STORE" which "$root/opt/app/prog" --json | python3 -c 'import json,sys; print(sorted(r["id"] for r in json.load(sys.stdin)))')" \
        "$("$CTR_STORE" which "$WORK/out/opt/app/prog" --json | python3 -c 'import json,sys; print(sorted(r["id"] for r in json.load(sys.stdin)))')" \
        "records named by the relinked program"
    objdump -d "$WORK/out/opt/app/prog" >prog.dis
    grep -q "<asm_add>:" prog.dis || fail "asm_add missing from the relinked program"
    rm -f "$root/opt/app/prog"
fi

note "a program of Clang and GCC TUs is relinked by both toolchains"
if [ -f "$GCC_PLUGIN" ]; then
    cat >gpart.c <<'C'
double gpart(const double *x, int n) { double s = 0; for (int i = 0; i < n; i++) s += x[i] * x[i]; return s; }
C
    cat >cpart.c <<'C'
#include <stdio.h>
double gpart(const double *x, int n);
static double v[4096];
int main(void) {
    for (int i = 0; i < 4096; i++) v[i] = i * 0.25;
    printf("mixed %.6e\n", gpart(v, 4096));
    return 0;
}
C
    gcc-12 -O2 -fplugin="$GCC_PLUGIN" -c gpart.c
    "$CC_CLANG" $P -c cpart.c
    gcc-12 cpart.o gpart.o -o "$root/opt/app/mixed"
    rm -rf "$WORK/out" "$WORK/out.ctr-work"
    "$RELINK" "$root" -o "$WORK/out" --json >relink3.json 2>relink3.err ||
        { cat relink3.err relink3.json; fail "mixed relink"; }
    assert_eq relinked "$(binary_field relink3.json /opt/app/mixed action)" "mixed program"
    assert_eq mixed "$(binary_field relink3.json /opt/app/mixed toolchain)" "its toolchain"
    assert_eq "$("$root/opt/app/mixed")" "$("$WORK/out/opt/app/mixed")" "mixed program output"
    [ "$("$CTR_STORE" which "$WORK/out/opt/app/mixed" | wc -l)" -eq 2 ] ||
        fail "the relinked mixed program does not name its two TUs"
fi

note "--toolchain refuses IR it cannot read, per binary"
rm -rf "$WORK/out" "$WORK/out.ctr-work"
rc=0
"$RELINK" "$root" -o "$WORK/out" --toolchain gcc --json >relink4.json 2>relink4.err || rc=$?
assert_eq 1 "$rc" "exit status of --toolchain gcc on LLVM bitcode (kept)"
assert_eq kept "$(binary_field relink4.json /opt/app/clean action)" "--toolchain gcc on LLVM IR"
binary_field relink4.json /opt/app/clean reason | grep_q -- "--toolchain gcc cannot relink llvm-bc" ||
    fail "no reason for --toolchain gcc"
rc=0
"$RELINK" "$root" -o "$WORK/out2" --toolchain bogus 2>err.txt || rc=$?
assert_eq 2 "$rc" "exit status of --toolchain bogus"
grep -q "toolchain takes llvm, gcc or auto" err.txt || fail "no message for a bad --toolchain"
[ ! -e "$WORK/out2" ] || fail "a bad option wrote output"
note "ok"
