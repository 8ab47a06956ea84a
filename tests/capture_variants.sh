#!/usr/bin/env bash
# Capture across the ways users compile: every -O level, -g, -fPIC, C and C++,
# the user's own -flto and -flto=thin, combined compile+link, stdin input; the
# record survives strip and --gc-sections; -O0 IR carries no optnone.
. "$TESTS_DIR/lib.sh"
fresh_work
P="-fplugin=$COMTAINER_PLUGIN"

cat >k.c <<'C'
#include <stdio.h>
static double a[4096], b[4096];
__attribute__((noinline)) double dot(int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
int main(void) {
    for (int i = 0; i < 4096; i++) { a[i] = i; b[i] = 1.0 / (i + 1); }
    printf("%.3f\n", dot(4096));
    return 0;
}
C
cat >k.cpp <<'CPP'
#include <algorithm>
#include <cstdio>
#include <vector>
template <class T> T total(const std::vector<T> &v) { T s{}; for (auto x : v) s += x; return s; }
int main() {
    std::vector<int> v(1000);
    for (int i = 0; i < 1000; i++) v[i] = (i * 37) % 101;
    std::sort(v.begin(), v.end());
    std::printf("%d %d\n", total(v), v[500]);
}
CPP

note "objects equal plugin-free ones for every variant"
i=0
for src in k.c k.cpp; do
    cc=$CC_CLANG
    [ "$src" = k.cpp ] && cc=$CXX_CLANG
    for flags in "-O0" "-O1" "-O2" "-O3" "-Os" "-Oz" "-O2 -g" "-O0 -g" "-O3 -fPIC" \
                 "-O2 -fno-pic" "-O2 -march=x86-64-v3" "-O2 -ffast-math -fopenmp"; do
        i=$((i + 1))
        $cc $flags -c $src -o plain$i.o
        $cc $flags $P -c $src -o cap$i.o 2>err.txt
        [ ! -s err.txt ] || { cat err.txt; fail "$src $flags: plugin printed something"; }
        same_code plain$i.o cap$i.o || fail "$src $flags: object code differs"
        n=$("$CTR_STORE" which cap$i.o --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
        assert_eq 1 "$n" "$src $flags: TU records"
    done
done

note "-O0 capture has no optnone or implicit noinline; explicit noinline stays"
id=$("$CTR_STORE" which cap1.o --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$CTR_STORE" extract "$id" -o o0.bc
"$LLVM_BINDIR/llvm-dis" o0.bc -o o0.ll
! grep -q optnone o0.ll || fail "-O0 IR carries optnone"
grep -q '^define.*@main.*#' o0.ll || fail "no main in IR"
main_attrs=$(grep '^define.*@main' o0.ll | grep -o '#[0-9]*' | head -1)
! grep "^attributes $main_attrs " o0.ll | grep_q noinline || fail "main marked noinline at -O0"
dot_attrs=$(grep '^define.*@dot' o0.ll | grep -o '#[0-9]*' | head -1)
grep "^attributes $dot_attrs " o0.ll | grep_q noinline || fail "explicit noinline lost"

note "IR is captured before optimization: -O2 and -O3 give the same blob"
ir() { "$CTR_STORE" which "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ir"])'; }
assert_eq "$(ir cap3.o)" "$(ir cap4.o)" "IR of -O2 vs -O3"

note "user -flto and -flto=thin: binaries name their TUs, code unchanged"
for lto in -flto -flto=thin; do
    $CC_CLANG -O2 $lto -fuse-ld=lld k.c -o lto_plain
    $CC_CLANG -O2 $lto -fuse-ld=lld $P k.c -o lto_cap
    same_loaded_code lto_plain lto_cap || fail "$lto: code differs"
    assert_eq k.c "$(tu_sources lto_cap)" "$lto binary TUs"
    # with separate compile and link too
    $CC_CLANG -O2 $lto $P -c k.c -o lto.o
    $CC_CLANG -O2 $lto -fuse-ld=lld lto.o -o lto_sep
    assert_eq k.c "$(tu_sources lto_sep)" "$lto separate link TUs"
done

note "combined compile+link of several inputs"
printf 'int helper(void) { return 41; }\n' >h.c
printf 'int helper(void);\nint main(void) { return helper() == 41 ? 0 : 1; }\n' >m.c
$CC_CLANG -O2 $P h.c m.c -o hm
./hm || fail "hm does not run"
assert_eq "$(printf 'h.c\nm.c')" "$(tu_sources hm)" "combined compile+link"

note "stdin input"
printf 'int from_stdin(void) { return 1; }\n' | $CC_CLANG -O2 $P -x c - -c -o stdin.o
assert_eq "-" "$(tu_sources stdin.o)" "stdin TU source"

note "-save-temps cannot be captured: one warning, a good object; strict fails"
$CC_CLANG -O2 $P -save-temps -c k.c -o st.o 2>st.txt || fail "-save-temps compile failed"
assert_eq 1 "$(grep -c "^comtainer: warning: IR not captured for 'k.i'" st.txt)" "-save-temps warning"
if COMTAINER_STRICT=1 $CC_CLANG -O2 $P -save-temps -c k.c -o st2.o 2>/dev/null; then
    fail "-save-temps in strict mode succeeded"
fi

note "build-system probes are not captured: autoconf's conftest, CMake's try_compile, meson's"
before=$(record_count)
printf 'int main(void) { return 0; }\n' >conftest.c
$CC_CLANG -O2 $P conftest.c -o conftest || fail "conftest"
mkdir -p CMakeFiles/CMakeScratch/TryCompile-x1 meson-private/tmpab
cp k.c CMakeFiles/CMakeScratch/TryCompile-x1/src.c
(cd CMakeFiles/CMakeScratch/TryCompile-x1 && $CC_CLANG -O2 $P -c src.c -o src.o) || fail "try_compile"
$CC_CLANG -O2 $P -c k.c -o meson-private/tmpab/sanity.o || fail "meson sanity"
$CC_CLANG -O2 $P -c k.c -o /dev/null || fail "-o /dev/null"
gcc-12 -O2 -fplugin="$BUILD_DIR/lib/comtainer-plugin/gcc-12.so" conftest.c -o conftest-gcc || fail "gcc conftest"
assert_eq "$before" "$(record_count)" "records after the probes"
assert_eq "" "$(tu_sources conftest)" "TUs named by conftest"
# an ordinary file in an ordinary directory still is captured
cp conftest.c real.c
$CC_CLANG -O2 $P real.c -o real
assert_eq real.c "$(tu_sources real)" "a program that only looks like a probe"

note "the record survives strip, strip --strip-all, --gc-sections"
$CC_CLANG -O2 $P -ffunction-sections -fdata-sections -Wl,--gc-sections k.c -o gc
assert_eq k.c "$(tu_sources gc)" "--gc-sections"
cp gc s1 && strip s1
cp gc s2 && strip --strip-all s2
cp gc s3 && strip --strip-debug --remove-section=.comment --remove-section=.note s3
for s in s1 s2 s3; do assert_eq k.c "$(tu_sources $s)" "after $s"; ./$s >/dev/null; done

"$CTR_STORE" verify >/dev/null || fail "store does not verify"
echo PASS
