#!/usr/bin/env bash
# --redirect for MPI: a program (allreduce and ping-pong) built against
# Debian's MPICH (libmpich.so.12), relinked against a "site" MPICH-ABI
# library named as Cray and Intel name theirs (SONAME libmpi.so.12), run
# with mpiexec -n 2 in the new root.  Refused with the reason: MPICH ->
# Open MPI, Open MPI -> MPICH, and a site library that lacks a symbol the
# program takes.
. "$TESTS_DIR/lib.sh"
fresh_work
RELINK=$CTR_RELINK
ML=/usr/lib/x86_64-linux-gnu
for t in mpicc.mpich mpiexec.mpich mpicc.openmpi patchelf bwrap; do
    command -v $t >/dev/null || fail "$t not found (scripts/debian-packages: mpich, libmpich-dev, libopenmpi-dev, patchelf)"
done
cat >mpi.c <<'C'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    int rank, size, token = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long mine = rank + 1, sum = 0;
    MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    for (int i = 0; size > 1 && rank < 2 && i < 10; i++) { /* ping-pong */
        if (rank == 0) {
            token++;
            MPI_Send(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(&token, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            token++;
            MPI_Send(&token, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
        }
    }
    if (rank == 0)
        printf("ranks %d sum %ld token %d\n", size, sum, token);
    MPI_Finalize();
    return 0;
}
C
# an image root with the program and every library it loads (UCX's
# transports, which it opens by itself, included)
mpi_root() { # root wrapper
    empty_app_rootfs "$1"
    "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" $("$2" -show | cut -d' ' -f2-) mpi.c \
        -o "$1/opt/app/mpi" || fail "building the MPI program with $2"
    local f d
    for f in $(ldd "$1/opt/app/mpi" | awk '/=>/ { print $3 }'); do
        cp -nL "$f" "$1/usr/lib/x86_64-linux-gnu/"
    done
    if [ -d "$ML/ucx" ]; then
        cp -r "$ML/ucx" "$1/usr/lib/x86_64-linux-gnu/"
        for f in "$ML"/ucx/*.so*; do
            for d in $(ldd "$f" | awk '/=>/ { print $3 }'); do cp -nL "$d" "$1/usr/lib/x86_64-linux-gnu/"; done
        done
    fi
}
# ranks in ROOT, as a container runtime would run them: the root as /, the
# host's /sys, one /dev/shm for both
run_mpi() { # root ranks [program]
    timeout 120 mpiexec.mpich -n "$2" bwrap --bind "$1" / --proc /proc --dev /dev \
        --ro-bind /sys /sys --bind /dev/shm /dev/shm "${3:-/opt/app/mpi}" 2>mpi.err
}
root="$WORK/rootfs"
mpi_root "$root" mpicc.mpich
assert_eq "ranks 2 sum 3 token 20" "$(run_mpi "$root" 2)" "the generic program, 2 ranks"

note "a site MPICH-ABI library named libmpi.so.12"
mkdir -p "$WORK/site"
cp -L "$ML/libmpich.so.12" "$WORK/site/libmpi.so.12"
patchelf --set-soname libmpi.so.12 "$WORK/site/libmpi.so.12"
rc=0
"$RELINK" "$root" -o "$WORK/out" -j2 --json --redirect "libmpich.so.12=$WORK/site/libmpi.so.12" \
    >out.json 2>out.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 out.err))"
python3 - out.json <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["binaries"][0]
assert b["action"] == "relinked" and b["site"]["swapped"] == [
    {"needed": "libmpich.so.12", "library": "libmpi.so.12"}], b
PY
readelf -d "$WORK/out/opt/app/mpi" | grep_q "NEEDED.*\[libmpi.so.12\]" || fail "the program does not need libmpi.so.12"
cmp "$WORK/site/libmpi.so.12" "$WORK/out/opt/comtainer/site/lib/libmpi.so.12" || fail "the bundled library"
assert_eq "ranks 2 sum 3 token 20" "$(run_mpi "$WORK/out" 2)" "the relinked program, 2 ranks ($(tail -3 mpi.err))"

note "MPICH -> Open MPI: refused (handles are compiled in)"
"$RELINK" "$root" --plan --json --redirect "libmpich.so.12=$ML/libmpi.so.40" >ompi.json 2>&1 ||
    fail "--plan"
grep -q "libmpich.so.12 has the MPICH ABI, libmpi.so.40 the Open MPI ABI" ompi.json ||
    { cat ompi.json; fail "no MPICH/Open MPI refusal"; }

note "Open MPI -> MPICH: refused"
mpi_root "$WORK/ompi-root" mpicc.openmpi
"$RELINK" "$WORK/ompi-root" --plan --json --redirect "libmpi.so.40=$WORK/site/libmpi.so.12" \
    >mpich.json 2>&1 || fail "--plan"
assert_site_refused mpich.json "" "Open MPI ABI"

note "a site library lacking a symbol the program takes: refused"
cat >stub.c <<'C'
int MPI_Init(int *c, char ***v) { (void)c; (void)v; return 0; }
int MPI_Finalize(void) { return 0; }
C
gcc-12 -shared -fPIC -Wl,-soname,libmpi.so.12 stub.c -o "$WORK/site/stub-libmpi.so.12"
"$RELINK" "$root" --plan --json --redirect "libmpich.so.12=$WORK/site/stub-libmpi.so.12" \
    >stub.json 2>&1 || fail "--plan"
assert_site_refused stub.json "" "does not export 'MPI_"
note "IR compiled for Open MPI in a binary that names MPICH: refused"
fake="$WORK/fake-root"
cp -a "$WORK/ompi-root" "$fake"
patchelf --replace-needed libmpi.so.40 libmpich.so.12 "$fake/opt/app/mpi"
cp -L "$ML/libmpich.so.12" "$fake/usr/lib/x86_64-linux-gnu/"
"$RELINK" "$fake" --plan --json --redirect "libmpich.so.12=$WORK/site/libmpi.so.12" \
    >fake.json 2>&1 || fail "--plan"
assert_site_refused fake.json "" "compiled for Open MPI" "ompi_mpi_"

note "Fortran: the bindings swapped with the C library"
GCC_PLUGIN="$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
cat >mpif.f90 <<'F'
program allsum
  use mpi
  implicit none
  integer :: ierr, rank, nranks
  integer(8) :: mine, total
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)
  mine = rank + 1
  call MPI_Allreduce(mine, total, 1, MPI_INTEGER8, MPI_SUM, MPI_COMM_WORLD, ierr)
  if (rank == 0) print '(a,i0,a,i0)', 'fortran ranks ', nranks, ' sum ', total
  call MPI_Finalize(ierr)
end program
F
froot="$WORK/fortran-root"
empty_app_rootfs "$froot"
# --no-as-needed, as many MPI wrappers link: it needs libmpichfort.so.12 and libmpich.so.12
gfortran-12 -O2 -fplugin="$GCC_PLUGIN" -Wl,--no-as-needed mpif.f90 \
    $(mpif90.mpich -show | cut -d' ' -f2-) -o "$froot/opt/app/mpif" ||
    fail "building the Fortran MPI program"
for f in $(ldd "$froot/opt/app/mpif" | awk '/=>/ { print $3 }'); do
    cp -nL "$f" "$froot/usr/lib/x86_64-linux-gnu/"
done
[ -d "$ML/ucx" ] && cp -rn "$root/usr/lib/x86_64-linux-gnu/." "$froot/usr/lib/x86_64-linux-gnu/"
assert_eq "fortran ranks 2 sum 3" "$(run_mpi "$froot" 2 /opt/app/mpif)" "the generic Fortran program"
# the site's bindings, built by the same gfortran, beside its libmpi.so.12
cp -L "$ML/libmpichfort.so.12" "$WORK/site/libmpifort.so.12"
# (one change per call: patchelf 0.14 given two mixes their strings up)
patchelf --replace-needed libmpich.so.12 libmpi.so.12 "$WORK/site/libmpifort.so.12"
patchelf --set-soname libmpifort.so.12 "$WORK/site/libmpifort.so.12"
cat >site.json <<JSON
{"version": 1, "mode": "bundle",
 "mpi": {"family": "mpich-abi",
         "libraries": ["$WORK/site/libmpi.so.12", "$WORK/site/libmpifort.so.12"]}}
JSON
rc=0
"$RELINK" "$froot" -o "$WORK/fout" -j2 --json --site site.json >fout.json 2>fout.err || rc=$?
assert_eq 0 "$rc" "exit status ($(tail -3 fout.err))"
python3 - fout.json <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["binaries"][0]
assert b["action"] == "relinked", b
assert sorted(s["library"] for s in b["site"]["swapped"]) == ["libmpi.so.12", "libmpifort.so.12"], b
PY
assert_eq "fortran ranks 2 sum 3" "$(run_mpi "$WORK/fout" 2 /opt/app/mpif)" \
    "the relinked Fortran program, 2 ranks ($(tail -3 mpi.err))"

note "Fortran: the C library alone refused (the image's bindings need the image's MPICH)"
cat >site-c.json <<JSON
{"version": 1, "mpi": {"libraries": ["$WORK/site/libmpi.so.12"]}}
JSON
"$RELINK" "$froot" --plan --json --site site-c.json >fc.json 2>&1 || fail "--plan"
assert_site_refused fc.json "" "libmpichfort.so.12 needs it too"

note "Fortran: bindings of another compiler refused"
mkdir -p "$WORK/ifort"
echo 'int for_write_seq_lis(void) { return 0; }' >ifcore.c
gcc-12 -shared -fPIC -Wl,-soname,libifcore.so.5 ifcore.c -o "$WORK/ifort/libifcore.so.5"
cp "$WORK/site/libmpifort.so.12" "$WORK/site/ifort-libmpifort.so.12"
patchelf --replace-needed libgfortran.so.5 libifcore.so.5 "$WORK/site/ifort-libmpifort.so.12"
patchelf --set-rpath "$WORK/ifort" "$WORK/site/ifort-libmpifort.so.12"
cat >site-if.json <<JSON
{"version": 1, "mpi": {"libraries": ["$WORK/site/libmpi.so.12", "$WORK/site/ifort-libmpifort.so.12"]}}
JSON
"$RELINK" "$froot" --plan --json --site site-if.json >fi.json 2>&1 || fail "--plan ($(tail -3 fi.json))"
assert_site_refused fi.json "" "libifcore.so.5" "libgfortran.so.5"
note "ok"
