#!/usr/bin/env bash
# ctr-relink reads every IR store inside the root filesystem, as Spack
# installs leave them (one per prefix, PREFIX/.spack/comtainer/store), none
# at /var/lib/comtainer/store.  tests/projects/multi is built with heat's
# and libcore's TUs in store A, libsolver's and solve's own in store B, so
# that solve needs both.  Checked:
#  - --plan (text and --json) lists both stores, every binary relinkable;
#  - the relink relinks every binary, the programs give the same output;
#  - --store naming one store alone keeps the binaries that need the other
#    (their TUs reported missing);
#  - a TU absent from every store names the first and the count; a record
#    damaged in the earlier store fails its binary although the later store
#    holds a good copy (a damaged entry is never passed over);
#  - not used as stores: a symlink to a store (outside the root), a
#    directory whose FORMAT is a symlink or a FIFO (never opened: no hang),
#    a FORMAT of another version (a warning);
#  - an OCI image: the new image holds neither store (a whiteout of each),
#    unless --keep-store.
. "$TESTS_DIR/lib.sh"
relink_fixture
unset COMTAINER_STORE
A=/opt/sw/a/.spack/comtainer/store
B=/opt/sw/b/.spack/comtainer/store

# make TARGETS... with the plugin, the captures going to the store $1 of the root
build_into() { # store targets...
    local store=$1
    shift
    COMTAINER_STORE="$root$store" make -C "$WORK/src" -j2 CC="$CC_CLANG" CXX="$CXX_CLANG" \
        CFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" CXXFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" \
        "$@" >>"$WORK/src.log" 2>&1 || { cat "$WORK/src.log"; fail "building $* into $store"; }
}
cp -r "$TESTS_DIR/projects/multi" "$WORK/src"
build_into "$A" heat
build_into "$B" libsolver.so solve
cp "$WORK/src/heat" "$WORK/src/solve" "$WORK/src/libsolver.so" "$root/opt/app/"
[ ! -e "$root/var/lib/comtainer/store" ] || fail "a store at the default place: the test proves nothing"
[ -d "$root$A/records" ] && [ -d "$root$B/records" ] || fail "the captures did not fill both stores"

note "--plan lists both stores, the default one absent; every binary relinkable"
"$RELINK" --plan "$root" --json >plan.json 2>plan.err || { cat plan.err plan.json; fail "--plan --json"; }
python3 - "$A" "$B" <<'PY' || fail "--plan --json"
import json, sys
p = json.load(open("plan.json"))
assert p["stores"] == sys.argv[1:], p["stores"]
b = {x["path"]: x for x in p["binaries"]}
assert sorted(b) == ["/opt/app/heat", "/opt/app/libsolver.so", "/opt/app/solve"], sorted(b)
assert all(t["present"] for x in b.values() for t in x["tus"]), b
assert all(x["problem"] is None for x in b.values()), [x["problem"] for x in b.values()]
PY
"$RELINK" --plan "$root" >plan.txt 2>&1 || { cat plan.txt; fail "--plan"; }
grep -qxF "stores: $A, $B" plan.txt || { cat plan.txt; fail "--plan's stores line"; }

# the TU ids binary PATH names, from the plan
tu_ids() { # path
    python3 - "$1" <<'PY'
import json, sys
bins = {x["path"]: x for x in json.load(open("plan.json"))["binaries"]}
print(" ".join(t["id"] for t in bins[sys.argv[1]]["tus"]))
PY
}
in_store() { [ -f "$root$1/records/${2:0:2}/$2" ]; } # store id
heat_ids=$(tu_ids /opt/app/heat)
[ -n "$heat_ids" ] || fail "no TUs of heat in the plan"
for id in $heat_ids; do in_store "$A" "$id" && ! in_store "$B" "$id" || fail "heat's TU $id not in A alone"; done
lib_ids=$(tu_ids /opt/app/libsolver.so)
for id in $lib_ids; do in_store "$B" "$id" && ! in_store "$A" "$id" || fail "libsolver's TU $id not in B alone"; done
solve_a=0 solve_b=0
for id in $(tu_ids /opt/app/solve); do
    if in_store "$A" "$id"; then solve_a=$((solve_a + 1)); elif in_store "$B" "$id"; then solve_b=$((solve_b + 1)); fi
done
[ $solve_a -gt 0 ] && [ $solve_b -gt 0 ] || fail "solve's TUs are not in both stores ($solve_a in A, $solve_b in B)"

run_all() { # root -> the programs' outputs
    "$1/opt/app/heat"
    LD_LIBRARY_PATH= "$1/opt/app/solve"
}
run_all "$root" >before.txt

note "the relink reads both stores; the programs give the same output"
"$RELINK" "$root" -o "$WORK/out" --json >relink.json 2>relink.err ||
    { cat relink.err relink.json; fail "ctr-relink with two stores"; }
for p in /opt/app/heat /opt/app/libsolver.so /opt/app/solve; do
    assert_eq relinked "$(binary_field relink.json "$p" action)" "$p"
done
run_all "$WORK/out" >after.txt
same_numbers before.txt after.txt

note "--store one of them alone: the binaries that need the other are kept"
rc=0
"$RELINK" --plan "$root" --store "$root$A" --json >plan-a.json 2>&1 || rc=$?
assert_eq 1 "$rc" "--plan --store A: exit status"
python3 - "$root$A" <<'PY' || { cat plan-a.json; fail "--plan --store A"; }
import json, sys
p = json.load(open("plan-a.json"))
assert p["stores"] == [sys.argv[1]], p["stores"]
b = {x["path"]: x for x in p["binaries"]}
assert b["/opt/app/heat"]["problem"] is None, b["/opt/app/heat"]
for path in ("/opt/app/libsolver.so", "/opt/app/solve"):
    assert "TUs unusable" in b[path]["problem"] and "No such file" in b[path]["problem"], b[path]
    assert "in none of" not in b[path]["problem"], b[path] # one store: its own message
PY
rc=0
"$RELINK" "$root" --store "$root$B" -o "$WORK/out-b" >out-b.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "relink --store B: exit status"
grep "^/opt/app/heat " out-b.txt | grep_q "kept.*TUs unusable" || { cat out-b.txt; fail "heat with B alone"; }
grep "^/opt/app/solve " out-b.txt | grep_q "kept.*TUs unusable" || { cat out-b.txt; fail "solve with B alone"; }
grep "^/opt/app/libsolver.so " out-b.txt | grep_q "relinked" || { cat out-b.txt; fail "libsolver with B alone"; }
cmp -s "$root/opt/app/heat" "$WORK/out-b/opt/app/heat" || fail "heat kept, yet not the original"

note "an OCI image: the new one holds neither store, unless --keep-store"
need_oci_tools
rootfs_to_oci "$root" "$WORK/img" v1
rc=0
"$RELINK" "$WORK/img:v1" -o "$WORK/oci-out:t" -j2 >oci.txt 2>&1 || rc=$?
assert_eq 0 "$rc" "ctr-relink IMAGE: exit status ($(tail -5 oci.txt))"
python3 "$OCI_UTIL" entries "$WORK/oci-out:t" -1 >layer.txt
for s in "$A" "$B"; do
    w="${s%/store}/.wh.store"
    grep_q -E " (\./)?${w#/}$" layer.txt || { cat layer.txt; fail "no whiteout of $s in the new layer"; }
done
grep_q "var/lib/comtainer" layer.txt && { cat layer.txt; fail "a whiteout of the default store, which the image lacks"; }
oci_unpack "$WORK/oci-out:t" "$WORK/oci-bundle"
for s in "$A" "$B"; do
    [ ! -e "$WORK/oci-bundle/rootfs$s" ] || fail "the new image still holds $s"
    [ -d "$WORK/oci-bundle/rootfs${s%/store}" ] || fail "the whiteout of $s took its parent too"
done
[ -f "$WORK/oci-bundle/rootfs/opt/app/solve" ] || fail "the new image lost solve"
"$RELINK" "$WORK/img:v1" -o "$WORK/oci-keep:t" --keep-store -j2 >keep.txt 2>&1 ||
    { cat keep.txt; fail "ctr-relink IMAGE --keep-store"; }
python3 "$OCI_UTIL" entries "$WORK/oci-keep:t" -1 >keep-layer.txt
grep_q "\.wh\." keep-layer.txt && { cat keep-layer.txt; fail "a whiteout with --keep-store"; }
"$RELINK" --plan "$WORK/img:v1" --json >oci-plan.json 2>oci-plan.err || { cat oci-plan.err; fail "--plan IMAGE"; }
assert_eq "['$A', '$B']" "$(json_get 'j["stores"]' <oci-plan.json)" "--plan IMAGE: stores"

note "a TU absent from every store: the count and the first store named"
hid=${heat_ids%% *}
mv "$root$A/records/${hid:0:2}/$hid" "$WORK/heat-record"
rc=0
"$RELINK" --plan "$root" >absent.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "--plan with a TU in no store: exit status"
grep "^/opt/app/heat " absent.txt | grep_q -F "TU $hid: in none of the 2 stores (first '$root$A/records/" ||
    { cat absent.txt; fail "the reason of a TU in no store"; }
grep "^/opt/app/heat " absent.txt | grep_q "ctr-store harvest" || { cat absent.txt; fail "no harvest hint"; }
mv "$WORK/heat-record" "$root$A/records/${hid:0:2}/$hid"

note "a record damaged in the earlier store fails its binary, though the later one holds it"
# A comes before B; a copy of one of libsolver's records (B's) put into A,
# then damaged: taking B's good copy instead would hide the damage
lid=${lib_ids%% *}
mkdir -p "$root$A/records/${lid:0:2}"
cp "$root$B/records/${lid:0:2}/$lid" "$root$A/records/${lid:0:2}/$lid"
"$RELINK" --plan "$root" >copy.txt 2>&1 || { cat copy.txt; fail "--plan with an intact copy in A"; }
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[3] ^= 0xff; open(sys.argv[1], "wb").write(b)' \
    "$root$A/records/${lid:0:2}/$lid"
rc=0
"$RELINK" --plan "$root" >damaged.txt 2>&1 || rc=$?
assert_eq 1 "$rc" "--plan with a damaged record: exit status"
grep "^/opt/app/libsolver.so " damaged.txt | grep_q -F "'$root$A/records/${lid:0:2}/$lid': content hash mismatch" ||
    { cat damaged.txt; fail "the damaged record in A is not the reason"; }
grep "^/opt/app/heat " damaged.txt | grep_q " ok$" || { cat damaged.txt; fail "heat should still be ok"; }
rm "$root$A/records/${lid:0:2}/$lid"

note "not stores: a symlink to one outside the root, a FORMAT that is a symlink, a FIFO, another version"
mv "$root$B" "$WORK/outside-store"
mkdir -p "$root/opt/sw/c/.spack/comtainer" "$root/opt/sw/fifo/store" "$root/opt/sw/link/store" \
    "$root/opt/sw/v2/store"
ln -s "$WORK/outside-store" "$root/opt/sw/c/.spack/comtainer/store"
# B's entries under a FORMAT that is a FIFO, and under one that is a symlink to A's
cp -r "$WORK/outside-store/records" "$WORK/outside-store/blobs" "$root/opt/sw/fifo/store/"
mkfifo "$root/opt/sw/fifo/store/FORMAT"
cp -r "$WORK/outside-store/records" "$WORK/outside-store/blobs" "$root/opt/sw/link/store/"
ln -s ../../a/.spack/comtainer/store/FORMAT "$root/opt/sw/link/store/FORMAT"
cp -r "$WORK/outside-store/records" "$WORK/outside-store/blobs" "$root/opt/sw/v2/store/"
printf 'comtainer-store 2\n' >"$root/opt/sw/v2/store/FORMAT"
rc=0
timeout 120 "$RELINK" --plan "$root" --json >hostile.json 2>hostile.err || rc=$?
assert_eq 1 "$rc" "--plan with B's entries in none of the stores used: exit status"
python3 - "$A" <<'PY' || { cat hostile.err hostile.json; fail "stores not to use"; }
import json, sys
p = json.load(open("hostile.json"))
assert p["stores"] == [sys.argv[1]], p["stores"]
b = {x["path"]: x for x in p["binaries"]}
assert b["/opt/app/heat"]["problem"] is None, b["/opt/app/heat"]
for path in ("/opt/app/libsolver.so", "/opt/app/solve"):
    assert "TUs unusable" in b[path]["problem"], b[path]
PY
grep_q "'/opt/sw/v2/store/FORMAT': an IR store of a format version this build does not read" hostile.err ||
    { cat hostile.err; fail "no warning about the store of another version"; }
[ -p "$root/opt/sw/fifo/store/FORMAT" ] || fail "the FIFO is gone"
rm -rf "$root/opt/sw/fifo" "$root/opt/sw/link" "$root/opt/sw/v2" "$root/opt/sw/c"
mv "$WORK/outside-store" "$root$B"

note "the default store, when present, comes first"
mkdir -p "$root/var/lib/comtainer"
cp -r "$root$B" "$root/var/lib/comtainer/store"
"$RELINK" --plan "$root" >default.txt 2>&1 || { cat default.txt; fail "--plan with three stores"; }
grep -qxF "stores: /var/lib/comtainer/store, $A, $B" default.txt || { cat default.txt; fail "the default store first"; }
echo PASS
