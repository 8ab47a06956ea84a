#!/usr/bin/env bash
# --fp exact: relinked binaries compute the original's floating-point results
# bit for bit.  A residual a*b-c with a*b close to c (the classic case of a
# fused multiply-add) from C built by Clang and by GCC and from Fortran:
# relinked for a CPU with FMA by default, the last bits change; with
# --fp exact they are the original's and no FMA instruction is left.  Binaries
# built with fast-math, or by GCC for a CPU with FMA, are kept with the reason;
# Clang's IR for a CPU with FMA keeps its fused operations (the original's).
. "$TESTS_DIR/lib.sh"
fresh_work
root="$WORK/rootfs"
empty_app_rootfs "$root"
for lib in libgfortran.so.5 libquadmath.so.0; do
    cp "/usr/lib/x86_64-linux-gnu/$lib" "$root/usr/lib/x86_64-linux-gnu/"
done
cat >resid.c <<'C'
#include <stdio.h>
#include <stdlib.h>
/* a*b - c with a*b close to c: fused, it rounds once and keeps the error */
__attribute__((noinline)) double resid(double a, double b, double c) { return a * b - c; }
double series(int n) {
    double s = 0;
    for (int i = 1; i <= n; i++) { double x = 1.0 / i; s += x * (3.0 * i) - 3.0 + resid(x, i, 1.0); }
    return s;
}
int main(int argc, char **argv) {
    double t = argc > 1 ? atof(argv[1]) : 3.0;
    printf("%.17g %.17g\n", resid(1.0 / t, t, 1.0), series(1000));
    return 0;
}
C
cat >resid.f90 <<'F'
program resid
  implicit none
  character(len=32) :: arg
  double precision :: t, x
  t = 3.0d0
  if (command_argument_count() > 0) then
    call get_command_argument(1, arg)
    read(arg, *) t
  end if
  x = 1.0d0 / t
  print '(ES25.17)', x * t - 1.0d0
end program
F
GP="-fplugin=$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
CP="-fplugin=$COMTAINER_PLUGIN"
"$CC_CLANG" -O2 $CP resid.c -o "$root/opt/app/clang"
gcc-12 -O2 $GP resid.c -o "$root/opt/app/gcc"
gfortran-12 -O2 $GP resid.f90 -o "$root/opt/app/fortran"
"$CC_CLANG" -O2 -ffast-math $CP resid.c -o "$root/opt/app/clang-fast"
gcc-12 -O2 -ffast-math $GP resid.c -o "$root/opt/app/gcc-fast"
fma=false
grep -qw fma /proc/cpuinfo && fma=true
if $fma; then # the originals for a CPU with FMA run here only
    "$CC_CLANG" -O2 -march=haswell $CP resid.c -o "$root/opt/app/clang-haswell"
    gcc-12 -O2 -march=haswell $GP resid.c -o "$root/opt/app/gcc-haswell"
fi
declare -A want
for p in clang gcc fortran clang-haswell; do
    [ -e "$root/opt/app/$p" ] && want[$p]=$(chroot "$root" "/opt/app/$p")
done

if $fma; then
    note "relinked for this CPU (FMA) by default: the last bits change"
    "$CTR_RELINK" "$root" -o "$WORK/native" --json >native.json 2>native.err ||
        [ $? = 1 ] || { cat native.err; fail "default relink"; }
    for p in clang gcc fortran; do
        assert_eq relinked "$(binary_field native.json /opt/app/$p action)" "$p by default"
        got=$(chroot "$WORK/native" "/opt/app/$p")
        [ "$got" != "${want[$p]}" ] || fail "$p: the default relink gives the original's bits ($got): the test cannot tell"
    done
else
    note "this CPU has no FMA: the default relink cannot differ, only --fp exact is checked"
fi

note "--fp exact: the original's results, bit for bit"
rc=0
"$CTR_RELINK" "$root" -o "$WORK/exact" --json --fp exact >exact.json 2>exact.err || rc=$?
assert_eq 1 "$rc" "exit status (the fast-math binaries are kept)"
for p in clang gcc fortran; do
    assert_eq relinked "$(binary_field exact.json /opt/app/$p action)" "$p with --fp exact"
    assert_eq "${want[$p]}" "$(chroot "$WORK/exact" "/opt/app/$p")" "$p's results with --fp exact"
    objdump -d "$WORK/exact/opt/app/$p" | grep -q vfmadd && fail "$p: an FMA instruction with --fp exact"
done
help=$("$CTR_RELINK" --help) || fail "ctr-relink --help"
grep -q -- "--fp MODE" <<<"$help" || fail "--help does not tell --fp"

note "--fp exact keeps what only the original computes"
assert_eq "--fp exact: resid.c was compiled with fast-math (unsafe-fp-math in resid): its results depend on the code generated, so only the original gives them" \
    "$(binary_field exact.json /opt/app/clang-fast reason)" "clang -ffast-math"
assert_eq "--fp exact: resid.c was compiled with fast-math (-ffast-math in its options): its results depend on the code generated, so only the original gives them" \
    "$(binary_field exact.json /opt/app/gcc-fast reason)" "gcc -ffast-math"
cmp "$root/opt/app/gcc-fast" "$WORK/exact/opt/app/gcc-fast" || fail "the kept fast-math program changed"
if $fma; then
    assert_eq "--fp exact: resid.c was compiled with '-march=haswell', so GCC may have fused multiply-adds by its own choices: only the original gives its results" \
        "$(binary_field exact.json /opt/app/gcc-haswell reason)" "gcc -march=haswell"
    assert_eq relinked "$(binary_field exact.json /opt/app/clang-haswell action)" "clang -march=haswell"
    assert_eq "${want[clang-haswell]}" "$(chroot "$WORK/exact" /opt/app/clang-haswell)" \
        "clang -march=haswell: its own fused operations kept"
fi
note "--select: no FP contraction is a choice, and a fast-math TU takes it as configured"
rc=0
"$CTR_RELINK" "$root" -o "$WORK/sel" --json --select /opt/app/clang-fast --select-rounds 1 \
    >sel.json 2>sel.err || rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || { cat sel.err; fail "--select: exit $rc"; }
python3 - <<'PY' || fail "the choices of clang-fast: $(cat sel.json)"
import json
b = {b["path"]: b for b in json.load(open("sel.json"))["binaries"]}["/opt/app/clang-fast"]
assert b["action"] == "relinked" or b["reason"].startswith("--select:"), b
# its bitcode is as configured, so is its build: timed once, as that
assert b["select_same"]["thin LTO, no FP contraction"] == "thin LTO", b
assert "thin LTO, no FP contraction" not in b["select_seconds"], b
PY

rc=0
"$CTR_RELINK" "$root" -o "$WORK/bad" --fp fast 2>bad.err || rc=$?
assert_eq 2 "$rc" "exit status of --fp fast"
grep -q "ctr-relink: --fp takes exact or default" bad.err || fail "--fp fast: $(cat bad.err)"
note "ok"
