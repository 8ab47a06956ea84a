#!/usr/bin/env bash
# oci-store-overhead.sh — what does the IR store cost an OCI image, and how
# long does `ctr-relink IMAGE -o OUTPUT` take end to end?
#
# Builds the demo image the way a user would ship it: a Debian 12 base layer
# (`debootstrap --variant=minbase bookworm`, apt caches removed) and one
# application layer with the four kernels of demo/apps built generically
# (-O2, baseline x86-64) with -fplugin=comtainer (Clang 19; gfortran 12 with
# the GCC plugin when it is built), installed in /opt/demo, with their IR
# store at /var/lib/comtainer/store and any runtime library the base lacks
# (libgfortran, copied from this Debian 12 machine).  Both layers are written
# with umoci (gzip), no registry.  Then it reports:
#
#   1. `ctr-store stats IMAGE --json`: the store's bytes against the image's,
#      uncompressed and compressed (gzip layers as stored) — the target is
#      under 3 % of the compressed image;
#   2. `ctr-relink IMAGE -o OUTPUT --json`, REPS times from scratch (fresh
#      output and work directory each time): the seconds spent unpacking,
#      relinking and writing the image (median, min, max), and the wall time;
#   3. a check of the output: umoci unpacks it (strict) and every program
#      runs from it with runc at a small scale.
#
# Without the network (debootstrap needs deb.debian.org) it falls back to a
# base of this machine's runtime libraries only (a few MB): the store's share
# of such an image is far larger than of any real one, and it says so.
#
# Usage: bench/oci-store-overhead.sh [options]
#   --build DIR    comtainer's build directory (default build; built first)
#   --work DIR     work directory (default build/bench-oci; the Debian base
#                  is kept there and reused by later runs)
#   --base DIR     use this root filesystem as the base layer instead
#   --host-base    skip debootstrap: base of this machine's libraries only
#   --reps N       relink runs (default 3)
#   -j N           parallel links for ctr-relink (default: number of CPUs)
#
# Needs root (debootstrap, umoci, runc), the packages of
# scripts/debian-packages (installed if missing, like scripts/demo) and
# debootstrap (installed with apt-get if missing; the script says so).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
work=$top/build/bench-oci
build=build
base_dir=
host_base=0
reps=3
jobs=$(nproc)
while [ $# -gt 0 ]; do
    case $1 in
    --work) work=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --base) base_dir=$2; shift 2 ;;
    --host-base) host_base=1; shift ;;
    --reps) reps=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "oci-store-overhead: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "oci-store-overhead: needs root (debootstrap, umoci, runc)" >&2; exit 2; }
scripts/install-deps
cmake -S . -B "$build" -G Ninja >/dev/null
cmake --build "$build" >/dev/null
build=$(cd "$build" && pwd)
plugin=$build/lib/comtainer
gcc_plugin=$build/lib/comtainer-plugin/gcc-12.so
ctr_store=$build/tools/ctr-store/ctr-store
ctr_relink=$build/relinker/ctr-relink
mkdir -p "$work"
work=$(cd "$work" && pwd)
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ---- the base layer -----------------------------------------------------
base_note=
if [ -z "$base_dir" ] && [ $host_base = 0 ]; then
    base_dir=$work/debian-bookworm-minbase
    if [ ! -f "$base_dir/.complete" ]; then
        if ! command -v debootstrap >/dev/null; then
            echo "== debootstrap is not installed: installing it (apt-get install debootstrap)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap \
                >"$work/apt.log" 2>&1 || { apt-get update -q >>"$work/apt.log" 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                    debootstrap >>"$work/apt.log" 2>&1; } || true
        fi
        echo "== Debian 12 base: debootstrap --variant=minbase bookworm (needs deb.debian.org, ~1 min)"
        rm -rf "$base_dir"
        start=$(date +%s%N)
        if command -v debootstrap >/dev/null &&
            debootstrap --variant=minbase bookworm "$base_dir" http://deb.debian.org/debian \
                >"$work/debootstrap.log" 2>&1; then
            # as in published base images: no apt caches, and no device nodes in
            # /dev (a container runtime provides them; ctr-relink refuses them)
            rm -rf "${base_dir:?}"/var/cache/apt/archives/*.deb "${base_dir:?}"/var/lib/apt/lists/* \
                "${base_dir:?}"/var/log/*.log "${base_dir:?}"/dev/*
            touch "$base_dir/.complete"
            echo "   done in $(ms "$start") ms"
        else
            echo "== NOTE: debootstrap failed (no network to deb.debian.org? see $work/debootstrap.log);"
            echo "   falling back to a base of this machine's runtime libraries only."
            rm -rf "$base_dir"
            host_base=1
        fi
    fi
fi
if [ $host_base = 1 ]; then
    base_dir=$work/host-libs-base
    rm -rf "$base_dir"
    mkdir -p "$base_dir"
    base_note="host-libs base (NOT a real distribution image: the store's share is overstated)"
else
    base_note="Debian 12 minbase ($base_dir)"
fi

# ---- the application layer ----------------------------------------------
echo "== demo/apps generic (-O2) with the plugin into the application layer"
app=$work/app-rootfs
rm -rf "$app" "$work/generic"
export COMTAINER_STORE=$app/var/lib/comtainer/store
fflags="-O2"
[ -f "$gcc_plugin" ] && fflags="-O2 -fplugin=$gcc_plugin"
make -s -f demo/apps/Makefile -j"$jobs" O="$work/generic" CC=clang-19 CXX=clang++-19 FC=gfortran-12 \
    CFLAGS="-O2 -fplugin=$plugin" CXXFLAGS="-O2 -fplugin=$plugin" FFLAGS="$fflags"
make -s -f demo/apps/Makefile O="$work/generic" DESTDIR="$app" install >/dev/null
unset COMTAINER_STORE
# runtime libraries the base lacks, from this machine (Debian 12 as well)
for f in "$app"/opt/demo/bin/* "$app"/opt/demo/lib/*; do
    ldd "$f" | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }'
done | sort -u | while read -r lib; do
    case "$lib" in "$app"/*) continue ;; esac
    rel=${lib#/}
    [ -e "$base_dir/$rel" ] || [ -e "$base_dir/usr/$rel" ] && continue
    # a merged-/usr base has lib -> usr/lib: the layer must not replace that link
    case $rel in lib/* | lib64/*) [ -L "$base_dir/${rel%%/*}" ] && rel=usr/$rel ;; esac
    mkdir -p "$app/$(dirname "$rel")" && cp -L "$lib" "$app/$rel"
    echo "$rel"
done >"$work/copied-libs.txt"
echo "   runtime libraries added from this machine: $(tr '\n' ' ' <"$work/copied-libs.txt")"

# ---- the OCI image: base layer, application layer -----------------------
echo "== OCI image (umoci): base layer + application layer"
img=$work/image
rm -rf "$img" "$work/bundle"
start=$(date +%s%N)
umoci init --layout "$img"
umoci new --image "$img:demo"
if [ $host_base = 0 ]; then
    umoci unpack --image "$img:demo" "$work/bundle" >/dev/null
    cp -a "$base_dir/." "$work/bundle/rootfs/"
    rm -f "$work/bundle/rootfs/.complete"
    umoci repack --image "$img:demo" "$work/bundle" >/dev/null
    rm -rf "$work/bundle"
fi
umoci unpack --image "$img:demo" "$work/bundle" >/dev/null
cp -a "$app/." "$work/bundle/rootfs/"
umoci repack --image "$img:demo" "$work/bundle" >/dev/null
rm -rf "$work/bundle"
umoci gc --layout "$img"
echo "   written in $(ms "$start") ms"

# ---- 1. the store's share of the image ----------------------------------
echo
echo "== 1. IR store against the image: ctr-store stats IMAGE --json"
"$ctr_store" stats "$img:demo" --json >"$work/stats.json"
python3 - "$work/stats.json" "$img" "$base_note" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1]))
idx = json.load(open(os.path.join(sys.argv[2], "index.json")))
man = json.load(open(os.path.join(sys.argv[2], "blobs", *idx["manifests"][0]["digest"].split(":"))))
mb = lambda n: "%8.2f MB" % (n / 1e6)
print("base: %s" % sys.argv[3])
print("layers (gzip, as stored):", ", ".join(mb(l["size"]).strip() for l in man["layers"]))
print("%-28s %s   %s" % ("", "uncompressed", "  compressed"))
print("%-28s %s   %s" % ("image", mb(s["image_bytes"]), mb(s["image_compressed_bytes"])))
print("%-28s %s   %s" % ("IR store", mb(s["store_bytes"]), mb(s["store_compressed_bytes"])))
print("%-28s %11.2f %%   %11.2f %%" % ("store share of the image", s["store_share_percent"],
                                       s["store_compressed_share_percent"]))
if len(man["layers"]) > 1:
    app = man["layers"][-1]["size"]
    print("%-28s %s   %s  (%.1f %% of it: the store's compressed bytes)" % (
        "application layer alone", " " * 11, mb(app), 100.0 * s["store_compressed_bytes"] / app))
ok = s["store_compressed_share_percent"] < 3.0
print("target: under 3 %% of the compressed image: %s" % ("MET" if ok else "NOT MET"))
PY

# ---- 2. ctr-relink IMAGE end to end -------------------------------------
echo
echo "== 2. ctr-relink IMAGE -o OUTPUT --json, $reps runs from scratch (-j $jobs)"
for r in $(seq 1 "$reps"); do
    rm -rf "$work/relinked-$r" "$work/relinked-$r.ctr-work"
    start=$(date +%s%N)
    rc=0
    "$ctr_relink" "$img:demo" -o "$work/relinked-$r:native" -j "$jobs" --json \
        >"$work/relink-$r.json" 2>"$work/relink-$r.err" || rc=$?
    wall=$(ms "$start")
    [ $rc -le 1 ] || { cat "$work/relink-$r.err"; echo "oci-store-overhead: ctr-relink failed" >&2; exit 1; }
    echo "$wall" >"$work/relink-$r.wall"
done
python3 - "$work" "$reps" <<'PY'
import json, statistics, sys
work, reps = sys.argv[1], int(sys.argv[2])
runs = [json.load(open("%s/relink-%d.json" % (work, r))) for r in range(1, reps + 1)]
walls = [int(open("%s/relink-%d.wall" % (work, r)).read()) / 1000 for r in range(1, reps + 1)]
acts = {}
for b in runs[0]["binaries"]:
    acts[b["action"]] = acts.get(b["action"], 0) + 1
print("binaries: " + ", ".join("%d %s" % (n, a) for a, n in sorted(acts.items())))
im = runs[0]["image"]
print("new layer: %s, %.2f MB; manifest %s" % (im["layer_digest"][:19], im["layer_size"] / 1e6,
                                                 im["manifest_digest"][:19]))
print("%-10s %9s %9s %9s" % ("phase (s)", "median", "min", "max"))
for k in ("unpack", "relink", "write"):
    v = [r["image"]["seconds"][k] for r in runs]
    print("%-10s %9.2f %9.2f %9.2f" % (k, statistics.median(v), min(v), max(v)))
print("%-10s %9.2f %9.2f %9.2f" % ("wall", statistics.median(walls), min(walls), max(walls)))
digests = {r["image"]["manifest_digest"] for r in runs}
print("same manifest digest in every run: %s" % ("yes" if len(digests) == 1 else "NO: %s" % digests))
PY

# ---- 3. the output is a sound image that runs ---------------------------
echo
echo "== 3. the output: umoci unpack (strict) and each program with runc (scale 0.05)"
rm -rf "$work/out-bundle"
umoci unpack --image "$work/relinked-1:native" "$work/out-bundle" >/dev/null
[ ! -e "$work/out-bundle/rootfs/var/lib/comtainer/store" ] || echo "NOTE: the IR store is still in the output"
for p in stencil3d cg dgemm nbody; do
    python3 - "$work/out-bundle/config.json" "/opt/demo/bin/$p" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = [sys.argv[2], "0.05"]
json.dump(c, open(sys.argv[1], "w"))
PY
    runc --root "$work/runc" run -b "$work/out-bundle" "bench-oci-$$-$p" 2>/dev/null | sed 's/^/   /'
done
for r in $(seq 1 "$reps"); do rm -rf "$work/relinked-$r.ctr-work"; done
echo "image: $img:demo   relinked: $work/relinked-1:native"
