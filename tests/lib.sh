# Shared helpers for the shell tests.  Each test sources this file; CTest
# passes the tools through the environment (see tests/CMakeLists.txt):
#   CTR_STORE, CTR_RELINK, COMTAINER_PLUGIN, CC_CLANG, CXX_CLANG, LLVM_BINDIR, TESTS_DIR,
#   WORK (a fresh directory for this test).
set -euo pipefail

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# `grep -q` for the end of a pipeline: it reads all of its input, so the
# command writing into the pipe never dies of SIGPIPE (the tests run with
# pipefail); GNU grep stops early even with its output on /dev/null.
grep_q() {
    local n
    n=$(grep -c "$@") || true
    [ "${n:-0}" -gt 0 ]
}

# One field of one binary in ctr-relink's --json output (or --plan --json):
# `binary_field relink.json /opt/app/x action` prints "relinked".  Lists
# print one item per line; null prints "None".
binary_field() { # json path field
    python3 - "$@" <<'PY'
import json, sys
doc, path, field = sys.argv[1:]
b = {b["path"]: b for b in json.load(open(doc))["binaries"]}[path][field]
print("\n".join(b) if isinstance(b, list) else b)
PY
}

note() {
    echo "-- $*"
}

assert_eq() { # expected actual message
    [ "$1" = "$2" ] || fail "$3: expected [$1], got [$2]"
}

# Start from an empty work directory; the store lives inside it.
fresh_work() {
    rm -rf "$WORK"
    mkdir -p "$WORK"
    cd "$WORK"
    export COMTAINER_STORE="$WORK/store"
    unset COMTAINER_STRICT
}

# Print the sorted source paths of the TUs that FILE names.
tu_sources() {
    "$CTR_STORE" which "$1" --json | python3 -c '
import json, sys
recs = json.load(sys.stdin)
missing = [r["id"] for r in recs if not r.get("present")]
if missing:
    sys.exit("TUs missing from the store: %s" % missing)
print("\n".join(sorted(r["source"] for r in recs)))'
}

# Compare two objects or binaries apart from the TU record section.
same_code() { # a b
    local ta="$WORK/.cmp.a" tb="$WORK/.cmp.b"
    # (called under `||`, where set -e does not stop at a failed objcopy)
    objcopy -R .comtainer "$1" "$ta" || fail "objcopy -R .comtainer $1"
    objcopy -R .comtainer "$2" "$tb" || fail "objcopy -R .comtainer $2"
    cmp -s "$ta" "$tb"
}

# Compare the loaded sections of two linked binaries (build ids differ, since
# they hash the whole file, record included).
same_loaded_code() { # a b
    local s
    for s in .text .rodata .data; do
        # (a section one lacks is an empty file; a failure is not a match)
        objcopy -O binary --only-section="$s" "$1" "$WORK/.sec.a" || fail "objcopy $s of $1"
        objcopy -O binary --only-section="$s" "$2" "$WORK/.sec.b" || fail "objcopy $s of $2"
        cmp -s "$WORK/.sec.a" "$WORK/.sec.b" || return 1
    done
}

# Number of TU records in the store.
record_count() {
    "$CTR_STORE" ls "$COMTAINER_STORE" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# Copy tests/projects/multi to DIR and build it with clang-19 and make -j2:
# with the plugin when `captured` is given (its output goes to DIR.log; a
# failed build fails the test), plain otherwise.
build_multi() { # dir [captured] [make args...]
    local dir=$1 mode=${2:-plain}
    shift $(($# < 2 ? $# : 2))
    rm -rf "$dir" && cp -r "$TESTS_DIR/projects/multi" "$dir"
    if [ "$mode" = captured ]; then
        make -C "$dir" -j2 CC="$CC_CLANG" CXX="$CXX_CLANG" \
            CFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" CXXFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" \
            "$@" >"$dir.log" 2>&1 || { cat "$dir.log"; fail "building $dir with the plugin"; }
    else
        make -C "$dir" -j2 CC="$CC_CLANG" CXX="$CXX_CLANG" "$@" >"$dir.log" 2>&1 ||
            { cat "$dir.log"; fail "building $dir"; }
    fi
}

# Build tests/projects/multi with the plugin into ROOT/opt/app, with its store
# at ROOT/var/lib/comtainer/store and copies of this machine's runtime
# libraries, as a base image would have them.  Extra make arguments follow.
make_app_rootfs() { # root [make args...]
    local root=$1
    shift
    empty_app_rootfs "$root"
    build_multi "$WORK/src" captured "$@"
    mkdir -p "$root/usr/bin"
    cp "$WORK/src/heat" "$WORK/src/solve" "$WORK/src/libsolver.so" "$root/opt/app/"
}

# A root filesystem at ROOT with an empty /opt/app, this machine's runtime
# libraries, and its IR store as the one the captures that follow write to.
# The relink tests' start: a fresh work directory, an empty application
# root at $root (its store exported as COMTAINER_STORE), ctr-relink as
# $RELINK and this build's GCC plugin as $GCC_PLUGIN.
relink_fixture() {
    fresh_work
    RELINK=$CTR_RELINK
    GCC_PLUGIN="$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
    root="$WORK/rootfs"
    empty_app_rootfs "$root"
}

empty_app_rootfs() { # root
    export COMTAINER_STORE="$1/var/lib/comtainer/store"
    mkdir -p "$1/opt/app"
    add_runtime_libs "$1"
}

# Copies of this machine's C and C++ runtime libraries and loader into ROOT,
# laid out as in Debian (merged /usr).
add_runtime_libs() { # root
    local root=$1 lib
    mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/lib64"
    for lib in libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1; do
        cp "/lib/x86_64-linux-gnu/$lib" "$root/usr/lib/x86_64-linux-gnu/"
    done
    cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
    [ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
}

# ---- OCI images (tests/oci_*.sh) -------------------------------------------
# An independent reader and forger of OCI images: tests/tools/oci_util.py.
OCI_UTIL="$TESTS_DIR/tools/oci_util.py"

# Fail unless the tools the OCI tests drive are here.  The OCI tests run
# python3 some hundred times: they use Debian's own when there is one (a
# version manager's shim can triple its start-up time).
need_oci_tools() {
    local t
    [ "$(id -u)" = 0 ] || fail "the OCI tests need root (umoci unpack, runc)"
    for t in umoci skopeo runc python3 "$CTR_RELINK"; do
        command -v "$t" >/dev/null || fail "$t not found (scripts/debian-packages lists the tools)"
    done
    if [ -x /usr/bin/python3 ]; then
        python3() { /usr/bin/python3 "$@"; }
    fi
}

# A vectorizable float kernel, built generically (-O2, baseline x86-64) with
# the plugin into ROOT/opt/app/kernel; its TU lands in $COMTAINER_STORE.
add_vector_kernel() { # root
    cat >"$WORK/kernel.c" <<'C'
#include <stdio.h>
#define N 2048
static float a[N], b[N], c[N];
__attribute__((noinline)) void saxpy(float s) { for (int i = 0; i < N; i++) c[i] += s * a[i] + b[i]; }
int main(void) {
    for (int i = 0; i < N; i++) { a[i] = i * 0.5f; b[i] = 1.0f / (i + 1); }
    for (int r = 0; r < 1000; r++) saxpy(0.001f);
    double s = 0; for (int i = 0; i < N; i++) s += c[i];
    printf("kernel %.6e\n", s);
    return 0;
}
C
    mkdir -p "$1/opt/app"
    "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" "$WORK/kernel.c" -o "$1/opt/app/kernel"
}

# Make LAYOUT:TAG a one-layer OCI image of ROOTFS with umoci (LAYOUT is
# created if missing), unreferenced blobs collected.
rootfs_to_oci() { # rootfs layout tag
    local b="$WORK/.umoci-bundle"
    [ -d "$2" ] || umoci init --layout "$2"
    umoci new --image "$2:$3"
    rm -rf "$b"
    umoci unpack --image "$2:$3" "$b" >/dev/null
    cp -a "$1/." "$b/rootfs/"
    umoci repack --image "$2:$3" "$b" >/dev/null
    rm -rf "$b"
    umoci gc --layout "$2"
}

# The sample image every OCI test starts from: the programs and shared
# library of make_app_rootfs plus the vector kernel, with their IR store at
# var/lib/comtainer/store and the runtime libraries, as LAYOUT:TAG (umoci);
# the root filesystem stays at ROOT.  Links as real images have them: an
# absolute symlink usr/bin/heat -> /opt/app/heat, a relative one
# opt/app/run -> kernel, and a hard link usr/share/doc/app/COPYING.hard.
oci_sample_image() { # root layout tag
    make_app_rootfs "$1"
    add_vector_kernel "$1"
    ln -s /opt/app/heat "$1/usr/bin/heat"
    ln -s kernel "$1/opt/app/run"
    mkdir -p "$1/usr/share/doc/app"
    echo "sample" >"$1/usr/share/doc/app/COPYING"
    ln "$1/usr/share/doc/app/COPYING" "$1/usr/share/doc/app/COPYING.hard"
    rootfs_to_oci "$1" "$2" "$3"
}

# Unpack the OCI image LAYOUT:TAG with umoci, the strictest checker here (it
# verifies every digest, size and diff_id), into BUNDLE.
oci_unpack() { # layout:tag bundle
    rm -rf "$2"
    umoci unpack --image "$1" "$2" >"$2.log" 2>&1 || { cat "$2.log"; fail "umoci unpack $1"; }
}

# Run ARGS in BUNDLE (from oci_unpack) with runc, its state under $WORK/.runc;
# the program's output is ours.
oci_run() { # bundle args...
    local b=$1
    shift
    python3 - "$b/config.json" "$@" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = sys.argv[2:]
json.dump(c, open(sys.argv[1], "w"))
PY
    runc --root "$WORK/.runc" run -b "$b" "ctr-test-$$-$RANDOM"
}

# podman in a private store, as `pod ARGS...`: with runc, cgroupfs and the
# vfs driver (no mounts left behind), as the facts note says.  False when
# podman is absent or COMTAINER_TEST_PODMAN=0 (the tests that use it then
# skip that part).  The run root is removed when the test ends.
podman_setup() {
    command -v podman >/dev/null && [ "${COMTAINER_TEST_PODMAN:-1}" != 0 ] || return 1
    cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
    PODRUN=$(mktemp -d /tmp/ctr-podman.XXXXXX) # podman wants a runroot under 50 characters
    trap 'rm -rf "$PODRUN"' EXIT
    pod() { CONTAINERS_CONF=$WORK/containers.conf podman --root "$WORK/podman" \
        --runroot "$PODRUN" --storage-driver vfs "$@"; }
}

# Check every digest, size and diff_id of an OCI image (DIR[:TAG] or an
# oci-archive FILE[:TAG]) and print a JSON summary: manifest_digest,
# ref_name, annotations, config, layers [{digest, size, mediaType, diff_id}].
oci_show() { # image
    python3 "$OCI_UTIL" show "$1" || fail "reading the OCI image $1"
}

# In ctr-relink's --json output DOC, binary PATH ("" for the first) swaps no
# site library, and its refusal holds every TEXT.
assert_site_refused() { # doc path text...
    python3 - "$@" <<'PY' || fail "site library refusal in $1 (${2:-first binary}): ${*:3}"
import json, sys
doc, path, texts = sys.argv[1], sys.argv[2], sys.argv[3:]
bins = json.load(open(doc))["binaries"]
b = {b["path"]: b for b in bins}[path] if path else bins[0]
r = b["site"]["refused"] or ""
if b["site"]["swapped"] != [] or not all(t in r for t in texts):
    sys.exit(f"{b['path']}: swapped {b['site']['swapped']}, refused {r!r}")
PY
}

# Evaluate the python expression EXPR on the JSON document on stdin (as j).
json_get() { # expr
    python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# The names in DIR, sorted, one a line (to see what a command left beside
# its output).
dir_names() { # dir
    ls -A "$1" | sort
}

# Compare two program outputs numerically: the same decimal numbers in the
# same order (at least one), within 1e-6 relative (FMA contraction on a
# native CPU may change the last digits).
same_numbers() { # file-a file-b
    python3 - "$1" "$2" <<'PY' || fail "outputs $1 and $2 differ"
import re, sys
a, b = open(sys.argv[1]).read(), open(sys.argv[2]).read()
pat = r"[-+]?\d+\.\d+(?:e[-+]?\d+)?"
na, nb = [float(x) for x in re.findall(pat, a)], [float(x) for x in re.findall(pat, b)]
assert len(na) == len(nb) > 0, (a, b)
for x, y in zip(na, nb):
    assert abs(x - y) <= 1e-6 * max(1.0, abs(x)), (x, y)
PY
}
