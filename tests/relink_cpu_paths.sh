#!/usr/bin/env bash
# What retargeting cannot recover: a TU whose preprocessor chose its path by
# a CPU feature macro (#ifdef __AVX2__, defined(__FMA__), #if __SSE4_2__) was
# captured after that choice, for the generic target.  Both plugins record the
# feature macros a TU tested while undefined (not the compiler's own
# immintrin.h, which tests them for every includer, nor macros the compile
# defined); --plan and the relink's summary name those TUs.
. "$TESTS_DIR/lib.sh"
fresh_work
root="$WORK/rootfs"
empty_app_rootfs "$root"
cat >simd.c <<'C'
#include <immintrin.h>
#include <stdio.h>
double sum(const double *a, int n) {
#ifdef __AVX2__
    __m256d s = _mm256_setzero_pd();
    for (int i = 0; i + 4 <= n; i += 4) s = _mm256_add_pd(s, _mm256_loadu_pd(a + i));
    double t[4];
    _mm256_storeu_pd(t, s);
    return t[0] + t[1] + t[2] + t[3];
#else
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    return s;
#endif
}
#if defined(__FMA__) || __SSE4_2__
static const char *path = "fast";
#else
static const char *path = "generic";
#endif
int main(void) {
    double a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    printf("%s %g\n", path, sum(a, 8));
    return 0;
}
C
cat >plain.c <<'C'
#include <immintrin.h>
#include <stdio.h>
int main(void) { printf("plain\n"); return 0; }
C
CP="-O2 -fplugin=$COMTAINER_PLUGIN"
GP="-O2 -fplugin=$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
"$CC_CLANG" $CP simd.c -o "$root/opt/app/clang-simd"
"$CC_CLANG" $CP -mavx2 -c simd.c -o avx2.o # compiled for AVX2: only __FMA__ untaken
"$CC_CLANG" $CP plain.c -o "$root/opt/app/clang-plain"
gcc-12 $GP simd.c -o "$root/opt/app/gcc-simd"
gcc-12 $GP plain.c -o "$root/opt/app/gcc-plain"

macros_of() { # object
    local id
    id=$("$CTR_STORE" which "$1" --json | json_get 'j[0]["id"]')
    "$CTR_STORE" show --json "$id" | json_get '" ".join(j["undef_target_macros"])'
}
note "the records: the feature macros tested while undefined"
assert_eq "__AVX2__ __FMA__ __SSE4_2__" "$(macros_of "$root/opt/app/clang-simd")" "Clang's record"
assert_eq "__FMA__" "$(macros_of avx2.o)" "Clang's record of the -mavx2 compile"
# libcpp tells #ifdef and defined() of an undefined name, not a bare #if
assert_eq "__AVX2__ __FMA__" "$(macros_of "$root/opt/app/gcc-simd")" "GCC's record"
assert_eq "" "$(macros_of "$root/opt/app/clang-plain")" "Clang: immintrin.h alone"
assert_eq "" "$(macros_of "$root/opt/app/gcc-plain")" "GCC: immintrin.h alone"

note "--plan names the TUs, in text and JSON"
"$CTR_RELINK" --plan "$root" >plan.txt || { cat plan.txt; fail "--plan"; }
grep -qxF "  simd.c tests __AVX2__, __FMA__, __SSE4_2__ at compile time: its code for them needs a rebuild from source" plan.txt ||
    { cat plan.txt; fail "the plan does not name clang-simd's TU"; }
grep -qxF "  simd.c tests __AVX2__, __FMA__ at compile time: its code for them needs a rebuild from source" plan.txt ||
    { cat plan.txt; fail "the plan does not name gcc-simd's TU"; }
assert_eq 2 "$(grep -c 'at compile time' plan.txt)" "lines about compile-time paths"
"$CTR_RELINK" --plan "$root" --json >plan.json || fail "--plan --json"
assert_eq "__AVX2__ __FMA__" "$(python3 - <<'PY'
import json
b = {b["path"]: b for b in json.load(open("plan.json"))["binaries"]}
print(" ".join(b["/opt/app/gcc-simd"]["tus"][0]["undef_target_macros"]))
PY
)" "the plan's JSON"

note "hostile macro names: shown escaped, a long list cut short"
id=$("$CTR_STORE" which "$root/opt/app/clang-plain" --json | json_get 'j[0]["id"]')
esc=$("$FORGE_RECORD" "$COMTAINER_STORE" "$id" undef_target_macros $'__AVX2__\e[2J\e]0;owned\a') ||
    fail "forging a record"
many=$("$FORGE_RECORD" "$COMTAINER_STORE" "$id" undef_target_macros "@5000:__AVX512F__") ||
    fail "forging a record"
for pair in "esc:$esc" "many:$many"; do
    printf 'CMTR1:%s\n' "${pair#*:}" >sec.txt
    objcopy --update-section .comtainer=sec.txt "$root/opt/app/clang-plain" "$root/opt/app/forged-${pair%%:*}"
done
"$CTR_RELINK" --plan "$root" >plan2.txt 2>plan2.err || { cat plan2.err plan2.txt; fail "--plan with forged macros"; }
! grep -q $'\e' plan2.txt plan2.err || fail "an escape sequence of a record reached the terminal"
grep -q 'plain.c tests __AVX2__\\x1b\[2J' plan2.txt || { cat plan2.txt; fail "the forged macro is not shown escaped"; }
grep 'plain.c tests __AVX512F__' plan2.txt | grep_q ', \.\.\. at compile time' ||
    { cat plan2.txt; fail "5000 macros are not cut short"; }
[ "$(wc -c <plan2.txt)" -lt 20000 ] || fail "the plan grew with the forged list: $(wc -c <plan2.txt) bytes"
rm -f "$root/opt/app/forged-esc" "$root/opt/app/forged-many"

note "the relink's summary names them too"
"$CTR_RELINK" "$root" -o "$WORK/out" >relink.txt 2>relink.err || { cat relink.err; fail "relink"; }
grep -qxF "/opt/app/clang-simd: simd.c tests __AVX2__, __FMA__, __SSE4_2__ at compile time: its code for them needs a rebuild from source" relink.txt ||
    { cat relink.txt; fail "the summary does not name clang-simd's TU"; }
assert_eq 2 "$(grep -c 'at compile time' relink.txt)" "summary lines about compile-time paths"
assert_eq "$("$root/opt/app/clang-simd")" "$("$WORK/out/opt/app/clang-simd")" "the relinked program's path"
note "ok"
