#!/usr/bin/env bash
# Spack, as a user drives it (README.md, "Spack"): the comtainer package
# installs with `spack install` from this checkout; an environment whose GCC
# carries the plugin in its `flags:` captures every package it builds (a C
# library by make, a C++/Fortran program by CMake) into one store in the
# install tree, and a package that depends on comtainer (built by Clang) is
# captured into a store in its own prefix.  Every installed binary names its
# TUs.  `spack containerize` writes the image's Dockerfile; its build stage's
# steps (install, gc, strip) run here as written, its final stage's copies
# make the image's root filesystem, and ctr-relink relinks that natively from
# the stores it holds: the programs give the same results.  The real Spack snapshot of ../shared/vendor runs
# offline with the original concretizer; all of its state stays in $WORK.
# Exit 77 (skipped) where that snapshot is absent.
. "$TESTS_DIR/lib.sh"
tarball=${COMTAINER_SPACK_TARBALL:-}
if [ -z "$tarball" ]; then
    for t in "$SOURCE_DIR"/../shared/vendor/spack-*.tar.gz; do
        [ -f "$t" ] && tarball=$t
    done
fi
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
    echo "SKIP: no Spack snapshot (../shared/vendor/spack-*.tar.gz or COMTAINER_SPACK_TARBALL)"
    exit 77
fi
fresh_work
unset COMTAINER_STORE
for t in bwrap gcc-12 g++-12 gfortran-12 clang-19 make cmake; do
    command -v "$t" >/dev/null || fail "$t not found (scripts/debian-packages lists it)"
done

note "Spack from $(basename "$tarball"), its state in $WORK"
tar -xzf "$tarball"
mkdir -p root/opt/software home
# Configuration in the snapshot's own site scope (this test's copy), so that
# a plain `spack` in the Dockerfile's steps reads it too.
config=$WORK/spack/etc/spack
export SPACK_DISABLE_LOCAL_CONFIG=1 SPACK_USER_CACHE_PATH="$WORK/cache" HOME="$WORK/home"
# The install tree is /opt/software, as in `spack containerize`'s images: a
# mount namespace puts root/opt there, so that the RPATHs Spack writes are the
# paths inside the root filesystem that ctr-relink reads.
cat >"$config/config.yaml" <<EOF
config:
  concretizer: original
  install_tree: {root: /opt/software}
  build_stage: [$WORK/stage]
  source_cache: $WORK/cache/sources
  misc_cache: $WORK/cache/misc
  build_jobs: 2
EOF
gcc_version=$(gcc-12 -dumpfullversion)
clang_version=$(clang-19 -dumpversion)
compiler_entries() { # gcc-flags-yaml gcc-environment-yaml
    cat <<EOF
- compiler:
    spec: gcc@=$gcc_version
    paths: {cc: $(command -v gcc-12), cxx: $(command -v g++-12), f77: $(command -v gfortran-12), fc: $(command -v gfortran-12)}
    flags: $1
    environment: $2
    operating_system: debian12
    target: x86_64
    modules: []
- compiler:
    spec: clang@=$clang_version
    paths: {cc: $(command -v clang-19), cxx: $(command -v clang++-19), f77: null, fc: null}
    flags: {}
    operating_system: debian12
    target: x86_64
    modules: []
EOF
}
{ echo "compilers:"; compiler_entries "{}" "{}"; } >"$config/compilers.yaml"
cp "$SOURCE_DIR/packaging/spack/packages.yaml" "$config/packages.yaml"
cat >"$config/repos.yaml" <<EOF
repos: [$SOURCE_DIR/packaging/spack, $WORK/test-repo]
EOF

# The test packages' sources, as local tarballs; their URLs and sha256 go
# into a copy of the test package repository.
mkdir sources
cp -r "$TESTS_DIR/spack/repo" test-repo
for p in ctr-demo-lib ctr-demo-app ctr-demo-tool; do
    cp -r "$TESTS_DIR/spack/src/$p" "sources/$p-1.0"
    tar -C sources -czf "sources/$p-1.0.tar.gz" "$p-1.0"
    sum=$(sha256sum "sources/$p-1.0.tar.gz" | cut -d' ' -f1)
    sed -i -e "s|@URL@|file://$WORK/sources/$p-1.0.tar.gz|" -e "s|@SHA256@|$sum|" \
        "test-repo/packages/$p/package.py"
done

in_root() { # dir cmd... : run with dir/opt as /opt
    local d=$1
    shift
    bwrap --dev-bind / / --bind "$d/opt" /opt -- "$@"
}
spack() {
    in_root "$WORK/root" "$WORK/spack/bin/spack" "$@"
}

note "spack install comtainer, from a copy of this checkout (spack develop)"
mkdir src
if git -C "$SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$SOURCE_DIR" && git ls-files -co --exclude-standard -z | grep -zv '^build' |
        tar --null -cf - -T -) | tar -C src -xf -
else
    (cd "$SOURCE_DIR" && tar --exclude='./build*' -cf - .) | tar -C src -xf -
fi
start=$SECONDS
spack env create -d tools >tools.log 2>&1 || { cat tools.log; fail "spack env create"; }
spack -e tools develop --no-clone -p "$WORK/src" comtainer@=main >>tools.log 2>&1 &&
    spack -e tools add "comtainer@=main%gcc@$gcc_version" >>tools.log 2>&1 &&
    spack -e tools install >>tools.log 2>&1 || { tail -40 tools.log; fail "spack install comtainer"; }
ctr_prefix=$(spack -e tools location -i comtainer)
for f in bin/ctr-relink bin/ctr-store lib/comtainer-plugin/gcc-12.so \
    lib/comtainer-plugin/clang-19.so lib/comtainer-plugin/comtainer-ld.so; do
    [ -f "$WORK/root$ctr_prefix/$f" ] || fail "comtainer's install has no $f"
done
spack -e tools load --sh comtainer | grep_q "COMTAINER_GCC_PLUGIN=.*$ctr_prefix/lib/comtainer-plugin/gcc-12.so" ||
    fail "spack load comtainer does not name the GCC plugin"
note "comtainer installed in $((SECONDS - start)) s"

note "the user's spack.yaml: capture on through GCC's flags; an image from spack containerize"
gcc_plugin="$ctr_prefix/lib/comtainer-plugin/gcc-12.so"
env_store=/opt/software/.comtainer/store
mkdir capture
{
    cat <<EOF
spack:
  specs:
  - ctr-demo-app%gcc@$gcc_version
  - ctr-demo-tool%clang@$clang_version ^ctr-demo-lib%gcc@$gcc_version ^comtainer%gcc@$gcc_version
  concretizer: {unify: true}
  packages:
    all: {target: [x86_64]}
    comtainer:
      externals: [{spec: comtainer@main+clang+gcc+ld%gcc@$gcc_version, prefix: $ctr_prefix}]
      buildable: false
  container:
    format: docker
    images: {build: localhost/spack-comtainer:debian12, final: docker.io/library/debian:12}
    strip: true
  compilers:
EOF
    compiler_entries "{cflags: -fplugin=$gcc_plugin, cxxflags: -fplugin=$gcc_plugin, fflags: -fplugin=$gcc_plugin}" \
        "{set: {COMTAINER_STORE: $env_store}}" | sed 's/^/  /'
} >capture/spack.yaml
(cd capture && "$WORK/spack/bin/spack" containerize >Dockerfile 2>containerize.log) ||
    { cat capture/containerize.log; fail "spack containerize"; }
python3 "$TESTS_DIR/tools/dockerfile_steps.py" capture/Dockerfile copy >copies.txt
grep -qx "/opt/software /opt/software" copies.txt ||
    fail "the final stage does not copy the install tree, where the store is: $(cat copies.txt)"

note "the Dockerfile's build stage, step by step (install, gc, strip)"
start=$SECONDS
python3 "$TESTS_DIR/tools/dockerfile_steps.py" capture/Dockerfile run >steps.bin
n=0
while IFS= read -r -d '' step; do
    n=$((n + 1))
    in_root "$WORK/root" bash -c ". '$WORK/spack/share/spack/setup-env.sh' && $step" \
        >"step$n.log" 2>&1 || { tail -60 "step$n.log"; fail "build-stage step $n: $step"; }
done <steps.bin
[ "$n" -ge 3 ] || fail "only $n build steps in the Dockerfile"
note "$n build steps in $((SECONDS - start)) s"
cat step*.log >capture.log
grep -q "built without capture" capture.log && fail "a package was built without capture: $(grep 'without capture' capture.log)"

envdir=/opt/spack-environment
app=$(spack -e "$envdir" location -i ctr-demo-app)
lib=$(spack -e "$envdir" location -i ctr-demo-lib)
tool=$(spack -e "$envdir" location -i ctr-demo-tool)
R=$WORK/root
tool_store=$tool/.spack/comtainer/store
[ -f "$R$env_store/FORMAT" ] || fail "no store at $env_store after the build stage"
[ -f "$R$tool_store/FORMAT" ] || fail "no store in ctr-demo-tool's prefix ($tool_store) after the build stage"
[ ! -e "$R$lib/.spack/comtainer" ] || fail "ctr-demo-lib, built through the flags, has a prefix store"
readelf -S "$R$lib/lib/libdemo.so" | grep -q '\.symtab' && fail "the strip step left libdemo.so's symbols"

note "every installed binary names its TUs, each present in its store"
sources_of() { # store file
    "$CTR_STORE" which --store "$1" --json "$2" | python3 -c '
import json, sys
recs = json.load(sys.stdin)
assert recs and all(r.get("present") for r in recs), recs
print(" ".join(sorted("%s:%s" % (r["source"].rsplit("/", 1)[-1], r["compiler"]) for r in recs)))'
}
assert_eq "reduce.c:gcc stencil.c:gcc" "$(sources_of "$R$env_store" "$R$lib/lib/libdemo.so")" "TUs of libdemo.so"
assert_eq "axpy.f90:gfortran main.cpp:g++" "$(sources_of "$R$env_store" "$R$app/bin/demo-app")" "TUs of demo-app"
assert_eq "tool.c:clang" "$(sources_of "$R$tool_store" "$R$tool/bin/demo-tool")" "TUs of demo-tool"
readelf -d "$R$app/bin/demo-app" | grep -q "$lib/lib" || fail "demo-app has no RPATH into ctr-demo-lib's prefix"
# the template's strip misses PIE executables: strip them too, as the
# hardest case for the relink
strip "$R$app/bin/demo-app" "$R$tool/bin/demo-tool"

note "the final stage: a base system and the Dockerfile's copies"
final=$WORK/final
empty_app_rootfs "$final"
unset COMTAINER_STORE
for l in libgfortran.so.5 libquadmath.so.0; do
    cp "/lib/x86_64-linux-gnu/$l" "$final/usr/lib/x86_64-linux-gnu/"
done
while read -r src dst; do
    mkdir -p "$(dirname "$final$dst")"
    cp -a "$R$src" "$final$dst"
done <copies.txt
in_root "$final" "$app/bin/demo-app" >app-before.txt
in_root "$final" "$tool/bin/demo-tool" >tool-before.txt
grep_q "demo-app norm" app-before.txt || fail "demo-app did not run: $(cat app-before.txt)"

note "ctr-relink of the install tree, from both stores"
"$CTR_RELINK" --plan "$final" --json >plan.json 2>plan.err || { cat plan.err plan.json; fail "--plan"; }
python3 - "$app" "$lib" "$tool" "$env_store" "$tool_store" <<'PY' || { cat plan.json; fail "the plan"; }
import json, sys
app, lib, tool, env_store, tool_store = sys.argv[1:]
p = json.load(open("plan.json"))
want = {app + "/bin/demo-app", lib + "/lib/libdemo.so", tool + "/bin/demo-tool"}
got = {b["path"]: b for b in p["binaries"]}
assert want <= set(got), (want, set(got))
for path in want:
    assert got[path]["problem"] is None, (path, got[path])
assert {env_store, tool_store} <= set(p["stores"]), p["stores"]
PY
start=$SECONDS
"$CTR_RELINK" "$final" -o "$WORK/out" --json >relink.json 2>relink.err ||
    { cat relink.err relink.json; fail "ctr-relink of the install tree"; }
note "relinked in $((SECONDS - start)) s"
for b in "$app/bin/demo-app" "$lib/lib/libdemo.so" "$tool/bin/demo-tool"; do
    assert_eq relinked "$(binary_field relink.json "$b" action)" "action for $b"
done
cmp -s "$final$app/bin/demo-app" "$WORK/out$app/bin/demo-app" && fail "demo-app was not rewritten"
in_root "$WORK/out" "$app/bin/demo-app" >app-after.txt
in_root "$WORK/out" "$tool/bin/demo-tool" >tool-after.txt
same_numbers app-before.txt app-after.txt || fail "demo-app: $(cat app-before.txt) vs $(cat app-after.txt)"
same_numbers tool-before.txt tool-after.txt || fail "demo-tool: $(cat tool-before.txt) vs $(cat tool-after.txt)"
# the relinked library serves the original program
LIBDIR_OUT="$WORK/out$lib/lib"
in_root "$final" env LD_LIBRARY_PATH="$LIBDIR_OUT" "$app/bin/demo-app" >app-mixed.txt
same_numbers app-before.txt app-mixed.txt || fail "the relinked libdemo.so with the original demo-app"

note "the final stage as an OCI image: ctr-relink IMAGE -o NEW"
command -v umoci >/dev/null || fail "umoci not found (scripts/debian-packages lists it)"
rootfs_to_oci "$final" "$WORK/img" v1
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/native:v1" --json >image.json 2>image.err ||
    { cat image.err image.json; fail "ctr-relink of the image"; }
for b in "$app/bin/demo-app" "$lib/lib/libdemo.so" "$tool/bin/demo-tool"; do
    assert_eq relinked "$(binary_field image.json "$b" action)" "action for $b in the image"
done
oci_unpack "$WORK/native:v1" "$WORK/bundle"
for st in "$env_store" "$tool_store"; do
    [ ! -e "$WORK/bundle/rootfs$st" ] || fail "the new image still has the store $st"
done
in_root "$WORK/bundle/rootfs" "$app/bin/demo-app" >app-image.txt
same_numbers app-before.txt app-image.txt || fail "demo-app of the new image"
note "ok"
