#!/usr/bin/env bash
# --redirect OLD=NEW: programs built generically against the image's
# reference BLAS, relinked against a site's OpenBLAS, which is bundled into
# the output under /opt/comtainer/site/lib with its dependencies; the
# results are the same, as a root filesystem and as an OCI image.  The
# unsafe swaps keep the image's library, each with its reason: a symbol
# OpenBLAS lacks (cblas_dcabs1), 64-bit integers (libblas64.so.3 has the
# same symbol names), an image whose /opt/comtainer is a symlink (the bundle
# must not be written through it).
. "$TESTS_DIR/lib.sh"
fresh_work
RELINK=$CTR_RELINK
ML=/usr/lib/x86_64-linux-gnu
REF=$ML/blas/libblas.so.3 OPENBLAS=$ML/openblas-pthread/libblas.so.3 WIDE=$ML/blas64/libblas64.so.3
for f in "$REF" "$OPENBLAS" "$WIDE"; do
    [ -f "$f" ] || fail "$f is missing (scripts/debian-packages: libblas-dev, libopenblas-dev, libblas64-3)"
done
REFLAPACK=$ML/lapack/liblapack.so.3 OPENLAPACK=$ML/openblas-pthread/liblapack.so.3
GCC_PLUGIN="$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
[ -f "$GCC_PLUGIN" ] || fail "no GCC plugin at $GCC_PLUGIN"
root="$WORK/rootfs"
empty_app_rootfs "$root"
cp "$REF" "$REFLAPACK" "$root/usr/lib/x86_64-linux-gnu/"
for lib in libgfortran.so.5 libquadmath.so.0; do
    cp "/lib/x86_64-linux-gnu/$lib" "$root/usr/lib/x86_64-linux-gnu/"
done

# exact in any order of summation: small integers
cat >gemm.c <<'C'
#include <stdio.h>
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b,
            const int *ldb, const double *beta, double *c, const int *ldc);
int main(void)
{
    enum { N = 96 };
    static double a[N * N], b[N * N], c[N * N];
    for (int i = 0; i < N * N; i++)
        a[i] = i % 7 - 3, b[i] = i % 5 - 2;
    int n = N;
    double one = 1, zero = 0, s = 0;
    dgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
    for (int i = 0; i < N * N; i++)
        s += c[i] * (i % 3 + 1);
    printf("%.1f\n", s);
    return 0;
}
C
cat >dcabs1.c <<'C'
#include <stdio.h>
double cblas_dcabs1(const void *z);
int main(void)
{
    double z[2] = {-3, 4};
    printf("%.1f\n", cblas_dcabs1(z));
    return 0;
}
C
# Fortran through GCC: an LU solve with LAPACK, relinked by gfortran (ld.bfd)
cat >lu.f90 <<'F'
program lu
  implicit none
  integer, parameter :: n = 200
  double precision :: a(n, n), b(n)
  integer :: ipiv(n), info, i, j
  do j = 1, n
    do i = 1, n
      a(i, j) = dble(mod(i + 2 * j, 7) - 3)
    end do
    a(j, j) = a(j, j) + 4.0d0 * n
  end do
  b = 1.0d0
  call dgesv(n, 1, a, n, ipiv, b, n, info)
  print '(i0, 1x, es15.8)', info, sum(b)
end program lu
F
gfortran-12 -O2 -fplugin="$GCC_PLUGIN" lu.f90 -o "$root/opt/app/lu" -L"$ML/lapack" -L"$ML/blas" \
    -llapack -lblas || fail "building lu against the reference LAPACK"
want_lu=$(chroot "$root" /opt/app/lu) || fail "the generic lu in its root"
for p in gemm dcabs1; do
    "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" $p.c -o "$root/opt/app/$p" -L"$ML/blas" -lblas ||
        fail "building $p against the reference BLAS"
done
want_gemm=$(chroot "$root" /opt/app/gemm) || fail "the generic gemm in its root"
assert_eq 7.0 "$(chroot "$root" /opt/app/dcabs1)" "the generic dcabs1"

note "the plan: OpenBLAS for gemm; dcabs1 keeps the reference BLAS (cblas_dcabs1)"
rc=0
"$RELINK" "$root" --plan --redirect "libblas.so.3=$OPENBLAS" >plan.txt 2>&1 || rc=$?
assert_eq 0 "$rc" "--plan with a site library"
grep -q "site library: libblas.so.3 for the image's libblas.so.3" plan.txt || { cat plan.txt; fail "no swap planned"; }
grep -q "site library refused: libblas.so.3 kept: libblas.so.3 does not export 'cblas_dcabs1'" plan.txt ||
    { cat plan.txt; fail "the cblas_dcabs1 refusal"; }

note "64-bit integers under the same symbol names: refused for both BLAS users"
"$RELINK" "$root" --plan --json --redirect "libblas.so.3=$WIDE" >wide.json 2>&1 || fail "--plan"
python3 - wide.json <<'PY'
import json, sys
users = 0
for b in json.load(open(sys.argv[1]))["binaries"]:
    s = b["site"]
    assert s["swapped"] == [], b
    if any(n["name"] == "libblas.so.3" for n in b["needed"]):
        users += 1
        assert "LP64 ABI, libblas64.so.3 the ILP64 ABI" in s["refused"], b
    else:
        assert s["refused"] is None, b  # lu takes LAPACK only
assert users == 2, users
PY

note "the relink: bundled, run in the new root with --check, the same result"
rc=0
"$RELINK" "$root" -o "$WORK/out" -j2 --json --redirect "libblas.so.3=$OPENBLAS" \
    --redirect "liblapack.so.3=$OPENLAPACK" --check /opt/app/gemm >out.json 2>out.err || rc=$?
assert_eq 0 "$rc" "exit status: both relinked (out.err: $(tail -3 out.err))"
python3 - out.json <<'PY'
import json, sys
b = {b["path"]: b for b in json.load(open(sys.argv[1]))["binaries"]}
g, d, lu = b["/opt/app/gemm"], b["/opt/app/dcabs1"], b["/opt/app/lu"]
assert lu["action"] == "relinked" and lu["toolchain"] == "gcc", lu
assert [s["needed"] for s in lu["site"]["swapped"]] == ["liblapack.so.3"], lu
assert g["action"] == "relinked" and g["site"]["swapped"] == [
    {"needed": "libblas.so.3", "library": "libblas.so.3"}], g
assert d["action"] == "relinked" and d["site"]["swapped"] == [], d
assert "cblas_dcabs1" in d["site"]["refused"], d
PY
site=$WORK/out/opt/comtainer/site/lib
cmp "$OPENBLAS" "$site/libblas.so.3" || fail "the bundled libblas.so.3 is not the site's"
for f in libopenblas.so.0 libgfortran.so.5; do
    [ -f "$site/$f" ] || fail "the bundle lacks $f (the site library's dependency)"
done
[ ! -e "$site/libc.so.6" ] || fail "the C library was bundled"
readelf -d "$WORK/out/opt/app/gemm" | grep_q "(RPATH).*\[/opt/comtainer/site/lib\]" ||
    fail "gemm does not search the bundle: $(readelf -d "$WORK/out/opt/app/gemm" | grep PATH)"
readelf -d "$WORK/out/opt/app/dcabs1" | grep_q "comtainer/site" && fail "dcabs1 searches the bundle"
chroot "$WORK/out" /lib64/ld-linux-x86-64.so.2 --list /opt/app/gemm >ldd.txt
grep -q "libblas.so.3 => /opt/comtainer/site/lib/libblas.so.3" ldd.txt || { cat ldd.txt; fail "gemm does not load the site's BLAS"; }
grep -q "libopenblas.so.0 => /opt/comtainer/site/lib/libopenblas.so.0" ldd.txt || { cat ldd.txt; fail "nor its libopenblas"; }
assert_eq "$want_gemm" "$(chroot "$WORK/out" /opt/app/gemm)" "gemm with OpenBLAS"
assert_eq 7.0 "$(chroot "$WORK/out" /opt/app/dcabs1)" "dcabs1 with the reference BLAS"
chroot "$WORK/out" /lib64/ld-linux-x86-64.so.2 --list /opt/app/lu >ldd-lu.txt
grep -q "liblapack.so.3 => /opt/comtainer/site/lib/liblapack.so.3" ldd-lu.txt ||
    { cat ldd-lu.txt; fail "lu does not load the site's LAPACK"; }
cmp "$OPENLAPACK" "$site/liblapack.so.3" || fail "the bundled liblapack.so.3 is not the site's"
assert_eq "$want_lu" "$(chroot "$WORK/out" /opt/app/lu)" "lu with OpenBLAS's LAPACK"

note "a site library under another SONAME (OpenBLAS's own libopenblas.so.0 for libblas.so.3)"
rc=0
"$RELINK" "$root" -o "$WORK/out2" -j2 --redirect "libblas.so.3=$ML/openblas-pthread/libopenblas.so.0" \
    >out2.txt 2>&1 || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 out2.txt))"
readelf -d "$WORK/out2/opt/app/gemm" | grep_q "NEEDED.*\[libopenblas.so.0\]" ||
    fail "gemm does not need libopenblas.so.0: $(readelf -d "$WORK/out2/opt/app/gemm" | grep NEEDED)"
assert_eq "$want_gemm" "$(chroot "$WORK/out2" /opt/app/gemm)" "gemm with libopenblas.so.0"

note "BLIS for gemm (and for lu's reference LAPACK, through the same SONAME)"
BLIS=$ML/blis-pthread/libblas.so.3
[ -f "$BLIS" ] || fail "$BLIS is missing (scripts/debian-packages: libblis4-pthread)"
# BLIS needs libpthread.so.0, which a bundle never carries and this image lacks
"$RELINK" "$root" --plan --redirect "libblas.so.3=$BLIS" >planb.txt 2>&1 || fail "--plan"
grep_q "libblas.so.3 needs libpthread.so.0, which the image lacks" planb.txt ||
    { cat planb.txt; fail "no refusal for the missing libpthread.so.0"; }
cp /lib/x86_64-linux-gnu/libpthread.so.0 "$root/usr/lib/x86_64-linux-gnu/"
rc=0
"$RELINK" "$root" -o "$WORK/outb" -j2 --json --redirect "libblas.so.3=$BLIS" >outb.json 2>outb.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 outb.err))"
python3 - outb.json <<'PY'
import json, sys
b = {b["path"]: b for b in json.load(open(sys.argv[1]))["binaries"]}
assert [s["library"] for s in b["/opt/app/gemm"]["site"]["swapped"]] == ["libblas.so.3"], b
PY
cmp "$BLIS" "$WORK/outb/opt/comtainer/site/lib/libblas.so.3" || fail "the bundled BLIS"
assert_eq "$want_gemm" "$(chroot "$WORK/outb" /opt/app/gemm)" "gemm with BLIS"

note "FFTW: a program built against Debian's FFTW, relinked against an FFTW under a site prefix"
[ -f "$ML/libfftw3.so.3" ] || fail "no libfftw3.so.3 (scripts/debian-packages: libfftw3-dev)"
cat >fft.c <<'C'
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
int main(void)
{
    enum { N = 64 };
    fftw_complex in[N], out[N];
    fftw_plan p = fftw_plan_dft_1d(N, in, out, FFTW_FORWARD, FFTW_ESTIMATE);
    for (int i = 0; i < N; i++)
        in[i][0] = i % 4, in[i][1] = 0;
    fftw_execute(p);
    double s = 0;
    for (int i = 0; i < N; i++)
        s += sqrt(out[i][0] * out[i][0] + out[i][1] * out[i][1]);
    printf("%.3f\n", s);
    fftw_destroy_plan(p);
    return 0;
}
C
cp -L "$ML/libfftw3.so.3" "$root/usr/lib/x86_64-linux-gnu/"
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" fft.c -o "$root/opt/app/fft" -lfftw3 -lm ||
    fail "building fft"
want_fft=$(chroot "$root" /opt/app/fft) || fail "the generic fft"
mkdir -p "$WORK/fftw-site"
cp -L "$ML/libfftw3.so.3" "$WORK/fftw-site/"
rc=0
"$RELINK" "$root" -o "$WORK/out3" -j2 --json --redirect "libfftw3.so.3=$WORK/fftw-site/libfftw3.so.3" \
    >out3.json 2>out3.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 out3.err))"
assert_eq "libfftw3.so.3" "$(python3 -c 'import json,sys; b={b["path"]: b for b in json.load(open(sys.argv[1]))["binaries"]}; print(" ".join(s["library"] for s in b["/opt/app/fft"]["site"]["swapped"]))' out3.json)" "fft's swap"
chroot "$WORK/out3" /lib64/ld-linux-x86-64.so.2 --list /opt/app/fft >ldd-fft.txt
grep -q "libfftw3.so.3 => /opt/comtainer/site/lib/libfftw3.so.3" ldd-fft.txt ||
    { cat ldd-fft.txt; fail "fft does not load the site's FFTW"; }
assert_eq "$want_fft" "$(chroot "$WORK/out3" /opt/app/fft)" "fft with the site's FFTW"

note "a site profile (--site): the same swaps, by class"
cat >site.json <<JSON
{"version": 1, "mode": "bundle",
 "blas": {"libraries": ["$OPENBLAS", "$OPENLAPACK"], "integer": "lp64"},
 "fftw": {"libraries": ["$WORK/fftw-site/libfftw3.so.3"]}}
JSON
rc=0
"$RELINK" "$root" -o "$WORK/out4" -j2 --json --site site.json >out4.json 2>out4.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 out4.err))"
python3 - out4.json <<'PY'
import json, sys
b = {b["path"]: b for b in json.load(open(sys.argv[1]))["binaries"]}
got = {p: [s["library"] for s in v["site"]["swapped"]] for p, v in b.items()}
assert got == {"/opt/app/gemm": ["libblas.so.3"], "/opt/app/lu": ["liblapack.so.3"],
               "/opt/app/fft": ["libfftw3.so.3"], "/opt/app/dcabs1": []}, got
assert "cblas_dcabs1" in b["/opt/app/dcabs1"]["site"]["refused"], b["/opt/app/dcabs1"]
PY
assert_eq "$want_gemm" "$(chroot "$WORK/out4" /opt/app/gemm)" "gemm from the profile's BLAS"
assert_eq "$want_lu" "$(chroot "$WORK/out4" /opt/app/lu)" "lu from the profile's LAPACK"
bad_profile() { # file-content expected-message
    printf '%s\n' "$1" >bad.json
    rc=0
    "$RELINK" "$root" --plan --site bad.json >bad.txt 2>&1 || rc=$?
    assert_eq 2 "$rc" "the profile $1"
    grep -qF "$2" bad.txt || { cat bad.txt; fail "the profile $1: not '$2'"; }
}
bad_profile "{\"version\": 1, \"blas\": {\"libraries\": [\"$OPENBLAS\"], \"integer\": \"ilp64\"}}" \
    "has the LP64 ABI, not ILP64"
bad_profile "{\"version\": 1, \"fftw\": {\"libraries\": [\"$OPENBLAS\"]}}" "is not a library of that kind"
bad_profile '{"version": 2}' "version 2 (this ctr-relink reads version 1)"
bad_profile '{"version": 1, "blsa": {}}' "unknown field 'blsa'"
bad_profile '{"version": 1, "mode": "host"}' 'cdi_spec: mode "host" needs the absolute path'
bad_profile '{"version": 1, "mode": "host", "cdi_spec": "cdi.json"}' 'cdi_spec: mode "host" needs'
bad_profile '{"version": 1, "mode": "hosted"}' 'mode: "bundle" or "host" is needed'
bad_profile '{"version": 1, "cdi_spec": "/etc/cdi/x.json"}' 'cdi_spec: only for mode "host"'
bad_profile "{\"version\": 1, \"fftw\": {\"libraries\": [\"$WORK/fftw-site/libfftw3.so.3\"], \"complex_return\": \"gnu\"}}" \
    "fftw: unknown field 'complex_return'"
bad_profile '{"version": 1, "blas": {"libraries": ["lib/x.so"]}}' "blas.libraries[0]: not an absolute path"
bad_profile '{"version": 1,' "bad.json': line"

note "complex values (zdotc): the same convention on both sides, or refused"
cat >zdot.f90 <<'F'
program zdot
  implicit none
  integer, parameter :: n = 100
  complex(8) :: x(n), y(n)
  complex(8), external :: zdotc
  integer :: i
  do i = 1, n
    x(i) = cmplx(i, -i, 8)
    y(i) = cmplx(1, mod(i, 3), 8)
  end do
  print '(2f14.1)', zdotc(n, x, 1, y, 1)
end program zdot
F
zroot="$WORK/zroot"
empty_app_rootfs "$zroot"
cp "$REF" "$zroot/usr/lib/x86_64-linux-gnu/"
for lib in libgfortran.so.5 libquadmath.so.0; do
    cp "/lib/x86_64-linux-gnu/$lib" "$zroot/usr/lib/x86_64-linux-gnu/"
done
gfortran-12 -O2 -fplugin="$GCC_PLUGIN" zdot.f90 -o "$zroot/opt/app/zdot" -L"$ML/blas" -lblas ||
    fail "building zdot"
want_zdot=$(chroot "$zroot" /opt/app/zdot) || fail "the generic zdot"
zprofile() { # complex_return
    printf '{"version": 1, "blas": {"libraries": ["%s"]%s}}\n' "$OPENBLAS" \
        "${1:+, \"complex_return\": \"$1\"}" >z.json
}
# gfortran's callers, OpenBLAS built by gfortran (its libopenblas.so.0 needs libgfortran)
zprofile ""
rc=0
"$RELINK" "$zroot" -o "$WORK/zout" -j2 --json --site z.json >zout.json 2>zout.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 zout.err))"
python3 - zout.json <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["binaries"][0]
assert b["action"] == "relinked" and [s["library"] for s in b["site"]["swapped"]] == ["libblas.so.3"], b
PY
assert_eq "$want_zdot" "$(chroot "$WORK/zout" /opt/app/zdot)" "zdotc from OpenBLAS"
# a site BLAS declared to return them f2c's way (as MKL's Intel interface does)
zprofile f2c
"$RELINK" "$zroot" --plan --json --site z.json >zf2c.json 2>&1 || fail "--plan"
assert_site_refused zf2c.json "" "calls zdotc_" "the f2c way"
# BLIS shows no Fortran runtime: refused unless the profile declares its convention
printf '{"version": 1, "blas": {"libraries": ["%s"]}}\n' "$BLIS" >zb.json
"$RELINK" "$zroot" --plan --json --site zb.json >zb.json.out 2>&1 || fail "--plan"
grep_q "how libblas.so.3 returns one is not known" zb.json.out || { cat zb.json.out; fail "BLIS undeclared"; }
printf '{"version": 1, "blas": {"libraries": ["%s"], "complex_return": "gnu"}}\n' "$BLIS" >zb.json
rc=0
"$RELINK" "$zroot" -o "$WORK/zbout" -j2 --site zb.json >zbout.txt 2>&1 || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 zbout.txt))"
assert_eq "$want_zdot" "$(chroot "$WORK/zbout" /opt/app/zdot)" "zdotc from BLIS, declared gnu"
# a C caller: nothing says how the image's reference BLAS returns them
cat >zdot_c.c <<'C'
#include <complex.h>
#include <stdio.h>
double complex zdotc_(const int *n, const double complex *x, const int *incx,
                      const double complex *y, const int *incy);
int main(void)
{
    double complex x[2] = {1 + 2 * I, 3}, y[2] = {2, 1 - I};
    int n = 2, one = 1;
    double complex r = zdotc_(&n, x, &one, y, &one);
    printf("%.1f %.1f\n", creal(r), cimag(r));
    return 0;
}
C
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" zdot_c.c -o "$zroot/opt/app/zdot_c" -L"$ML/blas" -lblas ||
    fail "building zdot_c"
zprofile ""
"$RELINK" "$zroot" --plan --json --site z.json >zc.json 2>&1 || fail "--plan"
assert_site_refused zc.json /opt/app/zdot_c "not known" "libblas.so.3"

note "an image whose /opt/comtainer is a symlink: nothing written through it"
cp -a "$root" "$WORK/evil"
mkdir -p "$WORK/victim"
ln -s "$WORK/victim" "$WORK/evil/opt/comtainer"
rc=0
"$RELINK" "$WORK/evil" -o "$WORK/evil-out" --json --redirect "libblas.so.3=$OPENBLAS" \
    >evil.json 2>evil.err || rc=$?
assert_eq 0 "$rc" "the relink goes on without the site library"
[ -z "$(ls -A "$WORK/victim")" ] || fail "written through the image's symlink: $(ls "$WORK/victim")"
assert_site_refused evil.json /opt/app/gemm "/opt/comtainer is no directory"

note "bad requests: exit 2"
for bad in "libblas.so.3" "libblas.so.3=relative/path" "-x=/etc/passwd" "libblas.so.3=/nonexistent/libblas.so.3"; do
    rc=0
    "$RELINK" "$root" -o "$WORK/bad" --redirect "$bad" >bad.txt 2>&1 || rc=$?
    assert_eq 2 "$rc" "--redirect '$bad'"
    [ ! -e "$WORK/bad" ] || fail "--redirect '$bad' wrote the output"
done
rc=0
"$RELINK" "$root" -o "$WORK/bad" --redirect "libblas.so.3=$OPENBLAS" --pgo /opt/app/gemm >bad.txt 2>&1 || rc=$?
assert_eq 2 "$rc" "--redirect with --pgo"

note "the image path: the bundle is part of the new layer"
need_oci_tools
rootfs_to_oci "$root" "$WORK/img" v1
rc=0
"$RELINK" "$WORK/img:v1" -o "$WORK/new:v1" -j2 --redirect "libblas.so.3=$OPENBLAS" \
    >img.txt 2>&1 || rc=$?
assert_eq 0 "$rc" "the image relink ($(tail -3 img.txt))"
oci_unpack "$WORK/new:v1" "$WORK/bundle"
cmp "$OPENBLAS" "$WORK/bundle/rootfs/opt/comtainer/site/lib/libblas.so.3" ||
    fail "the new image lacks the bundled libblas.so.3"
assert_eq "$want_gemm" "$(oci_run "$WORK/bundle" /opt/app/gemm)" "gemm in the new image (runc)"
assert_eq "bundle libblas.so.3,libopenblas.so.0,libgfortran.so.5" \
    "$(oci_show "$WORK/new:v1" | json_get 'j["annotations"]["org.comtainer.site.mode"] + " " + ",".join(j["annotations"]["org.comtainer.site.libraries"].split(",")[:3])')" \
    "the bundle's annotations"

note "host mode: no copy in the image; the runtime binds the host's files in (CDI)"
cat >host.json <<JSON
{"version": 1, "mode": "host", "cdi_spec": "$WORK/cdi/site.json",
 "blas": {"libraries": ["$OPENBLAS"]}}
JSON
mkdir -p "$WORK/cdi"
rc=0
"$RELINK" "$root" -o "$WORK/hout" -j2 --json --site host.json >hout.json 2>hout.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 hout.err))"
[ -d "$WORK/hout/opt/comtainer/site/lib" ] && [ -z "$(ls -A "$WORK/hout/opt/comtainer/site/lib")" ] ||
    fail "host mode: the site directory is not there and empty"
device=$(json_get 'j["site"]["device"]' <hout.json)
python3 - "$WORK/cdi/site.json" "$device" "$OPENBLAS" <<'PY'
import json, os, sys
spec, device, openblas = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
kind, name = device.split("=")
assert spec["kind"] == kind == "comtainer.io/site" and spec["cdiVersion"], spec
(dev,) = spec["devices"]
assert dev["name"] == name and name.startswith("libs-"), dev
m = {x["containerPath"]: x for x in dev["containerEdits"]["mounts"]}
lib = m["/opt/comtainer/site/lib/libblas.so.3"]
assert lib["hostPath"] == os.path.realpath(openblas) and "ro" in lib["options"], lib
assert "/opt/comtainer/site/lib/libopenblas.so.0" in m and "/opt/comtainer/site/lib/libgfortran.so.5" in m, m
PY
# the new root with the spec's bindings, as a CDI-aware runtime makes them
binds=$(python3 -c 'import json, sys
for m in json.load(open(sys.argv[1]))["devices"][0]["containerEdits"]["mounts"]:
    print("--ro-bind", m["hostPath"], m["containerPath"])' "$WORK/cdi/site.json")
# shellcheck disable=SC2086 # one word per argument: the paths have no blanks
assert_eq "$want_gemm" "$(bwrap --bind "$WORK/hout" / --proc /proc --dev /dev $binds /opt/app/gemm)" \
    "gemm with the host's OpenBLAS bound in"
bwrap --bind "$WORK/hout" / --proc /proc --dev /dev /opt/app/gemm >/dev/null 2>&1 &&
    fail "gemm ran without the bindings: it does not take the host's library"
# an image: annotations name the device and the bindings; podman runs it
rc=0
"$RELINK" "$WORK/img:v1" -o "$WORK/host.tar" --tag localhost/site:host -j2 --site host.json \
    >himg.txt 2>&1 || rc=$?
assert_eq 0 "$rc" "the image relink in host mode ($(tail -3 himg.txt))"
grep -q "run with --device $device" himg.txt || { cat himg.txt; fail "no device named"; }
oci_show "$WORK/host.tar" >host-show.json
assert_eq "host $device" "$(json_get 'j["annotations"]["org.comtainer.site.mode"] + " " + j["annotations"]["org.comtainer.site.cdi-device"]' <host-show.json)" \
    "host mode annotations"
json_get 'json.loads(j["annotations"]["org.comtainer.site.bindings"])[0]["container"]' <host-show.json |
    grep_q "^/opt/comtainer/site/lib/" || fail "the bindings annotation"
python3 - "$WORK/host.tar" <<'PY' || fail "host mode: the new layer"
import io, json, sys, tarfile
a = tarfile.open(sys.argv[1])
blob = lambda d: a.extractfile("blobs/sha256/" + d.split(":")[1]).read()
m = json.loads(blob(json.loads(a.extractfile("index.json").read())["manifests"][0]["digest"]))
names = tarfile.open(fileobj=io.BytesIO(blob(m["layers"][-1]["digest"]))).getnames()
site = [n for n in names if "opt/comtainer/site/lib/" in n]
assert any(n.rstrip("/").endswith("opt/comtainer/site/lib") for n in names) and site == [], names
PY
if podman_setup; then
    # podman 4.3 reads CDI specs from /etc/cdi and /var/run/cdi only
    cdi=/var/run/cdi/comtainer-test-$$.json
    mkdir -p /var/run/cdi
    cp "$WORK/cdi/site.json" "$cdi"
    trap 'rm -rf "$PODRUN" "$cdi"' EXIT
    pod load -i "$WORK/host.tar" >podman.txt 2>&1 || { cat podman.txt; fail "podman load"; }
    pod run --rm --device "$device" localhost/site:host /opt/app/gemm >podman.txt 2>&1 ||
        { cat podman.txt; fail "podman run --device $device"; }
    assert_eq "$want_gemm" "$(cat podman.txt)" "gemm under podman with the host's OpenBLAS"
fi
note "ok"
