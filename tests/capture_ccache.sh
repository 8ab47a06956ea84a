#!/usr/bin/env bash
# Compile caches: a project built with CC="ccache clang-19" and the plugin,
# cold (every compile runs: the store is complete, and each object carries
# its IR in .comtainer.ir) and warm (every compile a cache hit: the plugin
# never runs and nothing is stored); `ctr-store harvest` over the build tree
# makes the warm build's store complete, verified, the binaries unchanged
# (no linked file keeps .comtainer.ir).  GCC the same; COMTAINER_CARRY=0
# turns carrying off under ccache, =1 on without it.
. "$TESTS_DIR/lib.sh"
fresh_work
command -v ccache >/dev/null || fail "ccache not found (scripts/debian-packages: ccache)"
export CCACHE_DIR="$WORK/ccache" CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$WORK"
GCC_PLUGIN="$BUILD_DIR/lib/comtainer-plugin/gcc-12.so"
build() { # dir [make args...]
    local dir=$1
    shift
    rm -rf "$dir" && cp -r "$TESTS_DIR/projects/multi" "$dir"
    make -C "$dir" -j2 CC="ccache $CC_CLANG" CXX="ccache $CXX_CLANG" \
        CFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" CXXFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" "$@" \
        >"$dir.log" 2>&1 || { cat "$dir.log"; fail "building $dir under ccache"; }
}
hits() { ccache --print-stats | awk '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { n += $2 } END { print n + 0 }'; }
present() { # binary...: how many of their TUs the store lacks
    local f missing=0
    for f in "$@"; do
        missing=$((missing + $("$CTR_STORE" which "$f" --json | python3 -c 'import json,sys; print(sum(not r["present"] for r in json.load(sys.stdin)))')))
    done
    echo "$missing"
}

note "cold: every compile runs and stores its TU; each object carries it"
export COMTAINER_STORE="$WORK/store-cold"
ccache -z >/dev/null
build "$WORK/cold"
assert_eq 0 "$(hits)" "cache hits of the cold build"
cd "$WORK/cold"
assert_eq 0 "$(present heat solve libsolver.so)" "TUs missing after the cold build"
for o in core/vec.o solver/cg.pic.o apps/solve.o; do
    readelf -S "$o" | grep_q '\.comtainer\.ir' || fail "$o carries no IR"
done
for f in heat solve libsolver.so; do
    readelf -S "$f" | grep_q '\.comtainer\.ir' && fail "$f kept .comtainer.ir"
done
cd "$WORK"
objects=$(find "$WORK/cold" -name '*.o' | wc -l)

note "warm: every compile a hit, nothing stored; harvest puts it all back"
export COMTAINER_STORE="$WORK/store-warm"
ccache -z >/dev/null
build "$WORK/warm"
assert_eq "$objects" "$(hits)" "cache hits of the warm build"
[ ! -e "$COMTAINER_STORE" ] || fail "the warm build stored something: the plugin ran"
for f in heat solve libsolver.so; do
    cmp "$WORK/cold/$f" "$WORK/warm/$f" || fail "$f differs between the cold and the warm build"
done
# the plan says what is missing, and what may bring it back
hroot="$WORK/hroot"
mkdir -p "$hroot/opt/app"
cp "$WORK/warm/heat" "$hroot/opt/app/"
"$CTR_STORE" harvest "$WORK/warm/apps/heat.o" --store "$hroot/var/lib/comtainer/store" >/dev/null
"$CTR_RELINK" "$hroot" --plan >hplan.txt 2>&1 && fail "--plan with TUs missing exited 0"
grep_q "ctr-store harvest BUILD_DIR" hplan.txt || fail "no harvest hint: $(cat hplan.txt)"
"$CTR_STORE" harvest "$WORK/warm" --json >harvest.json || fail "harvest: $(cat harvest.json)"
# libcore.a's three members carry their TUs a second time
assert_eq "$((objects + 3)) $objects" "$(json_get 'j["carried"], j["added"]' <harvest.json | tr -d '(),')" \
    "TUs carried and added"
cd "$WORK/warm"
assert_eq 0 "$(present heat solve libsolver.so)" "TUs missing after harvest"
cd "$WORK"
"$CTR_STORE" verify >verify.txt || fail "verify after harvest: $(cat verify.txt)"
"$CTR_STORE" harvest "$WORK/warm" --json >again.json || fail "a second harvest"
assert_eq 0 "$(json_get 'j["added"]' <again.json)" "TUs a second harvest adds"

note "warm, linked with the link-time recorder: the links store what the objects carry"
export COMTAINER_STORE="$WORK/store-ld"
ccache -z >/dev/null
build "$WORK/warm-ld" LDFLAGS="-Wl,-plugin,$COMTAINER_LD_PLUGIN"
assert_eq "$objects" "$(hits)" "cache hits of the warm build with the recorder"
cd "$WORK/warm-ld"
assert_eq 0 "$(present heat solve libsolver.so)" "TUs missing after the recorded links"
cd "$WORK"

note "GCC under ccache, warm"
cat >g.c <<'C'
int g(int x) { return x + 7; }
C
export COMTAINER_STORE="$WORK/store-gcc"
ccache gcc-12 -O2 -fplugin="$GCC_PLUGIN" -c g.c -o g1.o || fail "gcc cold"
rm -rf "$COMTAINER_STORE"
ccache gcc-12 -O2 -fplugin="$GCC_PLUGIN" -c g.c -o g2.o || fail "gcc warm"
[ ! -e "$COMTAINER_STORE" ] || fail "the warm GCC compile stored something"
"$CTR_STORE" harvest g2.o >/dev/null || fail "harvest g2.o"
assert_eq 0 "$(present g2.o)" "GCC TUs missing after harvest"

note "COMTAINER_CARRY: 0 under ccache, 1 without"
export COMTAINER_STORE="$WORK/store-carry"
COMTAINER_CARRY=0 ccache "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -DX=1 -c g.c -o off.o
readelf -S off.o | grep_q '\.comtainer\.ir' && fail "COMTAINER_CARRY=0 carried"
COMTAINER_CARRY=1 "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -c g.c -o on.o
readelf -S on.o | grep_q '\.comtainer\.ir' || fail "COMTAINER_CARRY=1 did not carry"
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -DX=2 -c g.c -o plain.o
readelf -S plain.o | grep_q '\.comtainer\.ir' && fail "carried without a compile cache"

note "a damaged carried entry: reported, nothing stored"
cp on.o bad.o
python3 - bad.o <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"CMTRIR1\0")
b[i + 30] ^= 0xff  # inside the record
open(sys.argv[1], "wb").write(b)
PY
export COMTAINER_STORE="$WORK/store-bad"
rc=0
"$CTR_STORE" harvest bad.o >bad.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "harvest of a damaged entry ($(cat bad.txt))"
note "ok"
