#!/usr/bin/env bash
# Real build systems, run unmodified with the plugin in CFLAGS/CXXFLAGS:
# autotools with libtool (configure's probes, a libtool library with a
# version script, the install-time relink), built by Clang; meson with ninja
# (its sanity checks and compiler probes, a versioned shared library, a C++
# program), built by GCC.  Each installs into a root; no probe is in the
# store; --plan finds every binary relinkable, the relink relinks each,
# every versioned export keeps its version, and the programs print what
# the generic ones print.
. "$TESTS_DIR/lib.sh"
relink_fixture
for t in autoreconf libtoolize meson ninja; do
    command -v $t >/dev/null || fail "$t not found (scripts/debian-packages: autoconf, automake, libtool, meson)"
done
sources() { "$CTR_STORE" ls --json | python3 -c 'import json,sys; print(" ".join(sorted(r["source"].split("/")[-1] for r in json.load(sys.stdin))))'; }
versions() { readelf -W --dyn-syms "$1" | awk '$7 != "UND" && $8 ~ /@/ { print $8 }' | sort; }
check_root() { # root program want
    local r=$1 prog=$2 want=$3 rc=0
    "$RELINK" "$r" --plan --json >plan.json 2>plan.err || rc=$?
    assert_eq 0 "$rc" "--plan of $r ($(tail -3 plan.err))"
    python3 - plan.json <<'PY'
import json, sys
bins = json.load(open(sys.argv[1]))["binaries"]
assert bins and all(b["problem"] is None for b in bins), [(b["path"], b["problem"]) for b in bins]
PY
    rc=0
    "$RELINK" "$r" -o "$r.out" -j2 --json >out.json 2>out.err || rc=$?
    assert_eq 0 "$rc" "the relink of $r ($(tail -3 out.err))"
    python3 - out.json <<'PY'
import json, sys
bins = json.load(open(sys.argv[1]))["binaries"]
assert all(b["action"] == "relinked" for b in bins), [(b["path"], b["reason"]) for b in bins]
PY
    local f
    for f in $(python3 -c 'import json,sys; print(" ".join(b["path"] for b in json.load(open(sys.argv[1]))["binaries"]))' out.json); do
        assert_eq "$(versions "$r$f")" "$(versions "$r.out$f")" "the symbol versions of $f"
    done
    assert_eq "$want" "$(chroot "$r.out" "$prog")" "$prog relinked"
}

note "autotools + libtool, Clang"
cp -r "$TESTS_DIR/projects/autotools" at
(cd at && autoreconf -fi >../at.log 2>&1) || { cat at.log; fail "autoreconf"; }
(cd at && ./configure --prefix=/usr CC="$CC_CLANG" CFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" \
    >>../at.log 2>&1 && make -j2 >>../at.log 2>&1 && make install DESTDIR="$root" >>../at.log 2>&1) ||
    { tail -30 at.log; fail "configure, make, make install"; }
assert_eq "wave.c wavy.c" "$(sources)" "the TUs captured (no configure probe)"
want=$(chroot "$root" /usr/bin/wavy) || fail "the generic wavy"
versions "$root/usr/lib/libwave.so.2" | grep_q "wave_sum@@WAVE_2" || fail "libwave has no versions to keep"
check_root "$root" /usr/bin/wavy "$want"

note "meson + ninja, GCC"
mroot="$WORK/mroot"
empty_app_rootfs "$mroot"
cp -r "$TESTS_DIR/projects/meson" ms
CC=gcc-12 CXX=g++-12 CFLAGS="-O2 -fplugin=$GCC_PLUGIN" CXXFLAGS="-O2 -fplugin=$GCC_PLUGIN" \
    meson setup ms/build ms --prefix=/usr >ms.log 2>&1 || { cat ms.log; fail "meson setup"; }
(ninja -C ms/build >>ms.log 2>&1 && DESTDIR="$mroot" meson install -C ms/build >>ms.log 2>&1) ||
    { tail -30 ms.log; fail "ninja, meson install"; }
assert_eq "grid.c gridrun.cpp" "$(sources)" "the TUs captured (no meson probe)"
prog=$(cd "$mroot" && find usr -name gridrun -type f | head -1)
want=$(chroot "$mroot" "/$prog") || fail "the generic gridrun"
check_root "$mroot" "/$prog" "$want"
note "ok"
