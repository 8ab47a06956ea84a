#!/usr/bin/env bash
# ctr-relink IMAGE -o OUTPUT on an OCI image built generically with the
# plugin (umoci, no registry).  The output keeps the original layers byte for
# byte and adds one gzip layer holding exactly the relinked files and a
# whiteout of the IR store; umoci (strict) unpacks it, skopeo reads it, runc
# runs the relinked programs from it with the original results and the
# host's vector ISA; config and manifest record what was done; two runs give
# the same manifest digest; --keep-store keeps the store, --tag names the
# output, --march is recorded; a binary that cannot be relinked gives exit 1
# and stays as it was; an existing OUTPUT is refused and a failed run leaves
# nothing behind; an oci-archive output loads into podman under its --tag.
. "$TESTS_DIR/lib.sh"
fresh_work
need_oci_tools
root="$WORK/rootfs"
oci_sample_image "$root" "$WORK/img" v1
oci_show "$WORK/img:v1" >src.json
apps="/opt/app/heat /opt/app/kernel /opt/app/libsolver.so /opt/app/solve"

note "the source image is sound: umoci unpacks it, runc runs its programs"
oci_unpack "$WORK/img:v1" "$WORK/src-bundle"
for p in heat solve kernel; do oci_run "$WORK/src-bundle" "/opt/app/$p"; done >before.txt
grep -q "heat mean=" before.txt && grep -q "solve its=" before.txt && grep -q "kernel " before.txt ||
    fail "the programs of the source image under runc: $(cat before.txt)"
[ -d "$WORK/src-bundle/rootfs/var/lib/comtainer/store/records" ] || fail "no IR store in the source image"

note "ctr-relink IMAGE -o OUTPUT --json"
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/out:native" --json -j2 >relink.json 2>relink.err || rc=$?
[ $rc = 0 ] || { cat relink.err relink.json; fail "ctr-relink on the image: exit $rc"; }
[ -d "$WORK/out" ] || fail "no OCI layout at OUTPUT"
oci_show "$WORK/out:native" >out.json
python3 - "$apps" <<'PY' || fail "the image written does not match --json or the source"
import json, sys
r, src, out = (json.load(open(f)) for f in ("relink.json", "src.json", "out.json"))
acts = {b["path"]: b["action"] for b in r["binaries"]}
assert acts == {p: "relinked" for p in sys.argv[1].split()}, acts
im = r["image"]
for k in ("output", "ref_name", "manifest_digest", "config_digest", "layer_digest", "layer_size", "seconds"):
    assert k in im, ("--json image lacks", k, im)
assert im["ref_name"] == out["ref_name"] == "native", (im["ref_name"], out["ref_name"])
assert im["manifest_digest"] == out["manifest_digest"], (im, out["manifest_digest"])
assert im["config_digest"] == out["config_digest"], (im, out["config_digest"])
top = out["layers"][-1]
assert (im["layer_digest"], im["layer_size"]) == (top["digest"], top["size"]), (im, top)
for k in ("unpack", "relink", "write"):
    assert isinstance(im["seconds"][k], (int, float)) and im["seconds"][k] >= 0, im["seconds"]
# the original layers byte for byte (oci_util checked every blob's digest), one new gzip layer
assert out["layers"][:-1] == src["layers"], (src["layers"], out["layers"])
assert top["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip", top
# config: the new diff_id (checked by oci_util) and one more history entry, the rest kept
sc, oc = src["config"], out["config"]
assert len(oc["history"]) == len(sc["history"]) + 1, (sc["history"], oc["history"])
assert oc["history"][:-1] == sc["history"], "history of the original layers changed"
last = oc["history"][-1]
assert not last.get("empty_layer") and (last.get("created_by") or last.get("comment")), last
for k in ("architecture", "os", "config"):
    assert oc.get(k) == sc.get(k), (k, sc.get(k), oc.get(k))
a = out["annotations"]
assert a.get("org.comtainer.source.digest") == src["manifest_digest"], (a, src["manifest_digest"])
for k in ("org.comtainer.target.cpu", "org.comtainer.toolchain", "org.comtainer.options"):
    assert a.get(k), ("annotation missing or empty", k, a)
PY

note "the new layer holds exactly the relinked files and the store's whiteout"
python3 "$OCI_UTIL" entries "$WORK/out:native" -1 >layer.txt
python3 "$OCI_UTIL" entries "$WORK/img:v1" 0 >src-layer.txt
python3 - "$apps" <<'PY' || { cat layer.txt; fail "content of the new layer"; }
import sys
def norm(n):
    return n[2:] if n.startswith("./") else n.rstrip("/")
def parse(f):
    out = {}
    for line in open(f):
        kind, mode, name = line.split()[:3]
        out[norm(name)] = (kind, mode)
    return out
new, old = parse("layer.txt"), parse("src-layer.txt")
files = {n for n, (k, _) in new.items() if k == "f" and "/.wh." not in "/" + n}
want = {p.lstrip("/") for p in sys.argv[1].split()}
assert files == want, ("regular files", sorted(files))
assert new.get("var/lib/comtainer/.wh.store", ("?",))[0] == "f", "no whiteout of the store"
others = {n: k for n, (k, _) in new.items() if n not in files and n != "var/lib/comtainer/.wh.store"}
assert all(k == "d" for k in others.values()), ("unexpected entries", others)
for n in want:  # relinked files keep the original's mode
    assert new[n][1] == old[n][1], (n, old[n], new[n])
PY

note "umoci unpacks the output; the store is gone, the rest is intact"
oci_unpack "$WORK/out:native" "$WORK/out-bundle"
o="$WORK/out-bundle/rootfs"
[ ! -e "$o/var/lib/comtainer/store" ] || fail "the IR store is still in the output image"
cmp -s "$root/usr/lib/x86_64-linux-gnu/libc.so.6" "$o/usr/lib/x86_64-linux-gnu/libc.so.6" ||
    fail "an unchanged file differs"
[ "$(readlink "$o/lib")" = usr/lib ] || fail "the lib -> usr/lib symlink was not kept"
[ "$(readlink "$o/usr/bin/heat")" = /opt/app/heat ] || fail "the absolute symlink usr/bin/heat was not kept"
[ "$(readlink "$o/opt/app/run")" = kernel ] || fail "the symlink opt/app/run was not kept"
[ "$(stat -c %i "$o/usr/share/doc/app/COPYING")" = "$(stat -c %i "$o/usr/share/doc/app/COPYING.hard")" ] ||
    fail "the hard link COPYING.hard was not kept"
for p in $apps; do
    ! cmp -s "$root$p" "$o$p" || fail "$p is the same as the original in the output"
done

note "runc runs the relinked programs from the output image, with the original results"
for p in /usr/bin/heat /opt/app/solve /opt/app/run; do oci_run "$WORK/out-bundle" "$p"; done >after.txt
same_numbers before.txt after.txt

note "the relinked kernel uses the host's vector ISA; the original does not"
if grep -qw avx2 /proc/cpuinfo; then
    [ "$(objdump -d "$o/opt/app/kernel" | grep -cE '%[yz]mm')" -gt 0 ] ||
        fail "no ymm/zmm instructions in the relinked kernel"
    [ "$(objdump -d "$root/opt/app/kernel" | grep -cE '%[yz]mm')" -eq 0 ] ||
        fail "the generic kernel already has ymm/zmm code: the test proves nothing"
fi

note "skopeo reads the output"
skopeo inspect "oci:$WORK/out:native" >inspect.json 2>inspect.err || { cat inspect.err; fail "skopeo inspect"; }
assert_eq "$(json_get 'j["manifest_digest"]' <out.json)" "$(json_get 'j["Digest"]' <inspect.json)" \
    "manifest digest seen by skopeo"
assert_eq "$(json_get 'len(j["layers"])' <out.json)" "$(json_get 'len(j["Layers"])' <inspect.json)" \
    "layers seen by skopeo"

note "a second run from scratch gives the same manifest digest"
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/again:native" -j2 >again.txt 2>&1 || rc=$?
[ $rc = 0 ] || { cat again.txt; fail "second ctr-relink: exit $rc"; }
assert_eq "$(json_get 'j["manifest_digest"]' <out.json)" \
    "$(oci_show "$WORK/again:native" | json_get 'j["manifest_digest"]')" "manifest digest of a second run"

note "--keep-store keeps the store; no TAG nor --tag: the source's tag names the output"
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/kept" --keep-store -j2 --work "$WORK/out.ctr-work" \
    >keep.txt 2>&1 || rc=$?
[ $rc = 0 ] || { cat keep.txt; fail "ctr-relink --keep-store: exit $rc"; }
oci_show "$WORK/kept" >kept.json
assert_eq v1 "$(json_get 'j["ref_name"]' <kept.json)" "ref name taken from the source"
! python3 "$OCI_UTIL" entries "$WORK/kept" -1 | grep_q '\.wh\.' || fail "--keep-store wrote a whiteout"
oci_unpack "$WORK/kept:v1" "$WORK/kept-bundle"
assert_eq "$(ls "$root/var/lib/comtainer/store/records" | wc -l)" \
    "$(ls "$WORK/kept-bundle/rootfs/var/lib/comtainer/store/records" | wc -l)" "store records kept"
[ "$(json_get 'j["manifest_digest"]' <kept.json)" != "$(json_get 'j["manifest_digest"]' <out.json)" ] ||
    fail "--keep-store gave the same manifest"

note "--tag beats OUTPUT's TAG; --march is used and recorded"
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/hsw:ignored" --tag mytag --march haswell -j2 >hsw.txt 2>&1 || rc=$?
[ $rc = 0 ] || { cat hsw.txt; fail "ctr-relink --tag --march: exit $rc"; }
oci_show "$WORK/hsw" >hsw.json
assert_eq mytag "$(json_get 'j["ref_name"]' <hsw.json)" "ref name with --tag"
assert_eq haswell "$(json_get 'j["annotations"]["org.comtainer.target.cpu"]' <hsw.json)" "target.cpu annotation"
oci_unpack "$WORK/hsw:mytag" "$WORK/hsw-bundle"
[ "$(objdump -d "$WORK/hsw-bundle/rootfs/opt/app/kernel" | grep -cE '%ymm')" -gt 0 ] ||
    fail "no AVX2 code in the kernel relinked with --march haswell"

note "a binary whose IR is missing: exit 1, that binary stays as it was, the rest relinked"
cp -a "$root" "$WORK/rootfs2"
id=$("$CTR_STORE" which "$root/opt/app/kernel" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ir"])')
rm "$WORK/rootfs2/var/lib/comtainer/store/blobs/${id:0:2}/$id"
rootfs_to_oci "$WORK/rootfs2" "$WORK/img" v2
rc=0
"$CTR_RELINK" "$WORK/img:v2" -o "$WORK/partial:p" --json -j2 >partial.json 2>partial.err || rc=$?
[ $rc = 1 ] || { cat partial.err partial.json; fail "exit $rc with a binary kept (want 1)"; }
assert_eq kept "$(json_get '[b["action"] for b in j["binaries"] if b["path"] == "/opt/app/kernel"][0]' <partial.json)" \
    "action for the kernel without IR"
! python3 "$OCI_UTIL" entries "$WORK/partial:p" -1 | grep_q 'opt/app/kernel' ||
    fail "the kept kernel is in the new layer"
python3 "$OCI_UTIL" entries "$WORK/partial:p" -1 | grep_q 'opt/app/heat' || fail "heat not relinked"
oci_unpack "$WORK/partial:p" "$WORK/partial-bundle"
cmp -s "$root/opt/app/kernel" "$WORK/partial-bundle/rootfs/opt/app/kernel" || fail "kept kernel differs"

note "an existing OUTPUT is refused and left alone; a failed run leaves nothing"
f="$WORK/f"
mkdir -p "$f/taken" && echo mine >"$f/taken/file" && echo mine >"$f/taken.tar"
names=$(dir_names "$f")
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$f/taken" >taken.txt 2>&1 || rc=$?
[ $rc = 2 ] || { cat taken.txt; fail "existing OUTPUT dir: exit $rc (want 2)"; }
assert_eq mine "$(cat "$f/taken/file")" "the existing OUTPUT's content"
assert_eq file "$(dir_names "$f/taken")" "the existing OUTPUT's names"
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$f/taken.tar" >taken2.txt 2>&1 || rc=$?
[ $rc = 2 ] || { cat taken2.txt; fail "existing OUTPUT archive: exit $rc (want 2)"; }
assert_eq mine "$(cat "$f/taken.tar")" "the existing OUTPUT archive"
rc=0
"$CTR_RELINK" "$WORK/no-such-image:v1" -o "$f/none:x" >none.txt 2>&1 || rc=$?
[ $rc = 2 ] || { cat none.txt; fail "missing image: exit $rc (want 2)"; }
grep -q "no-such-image" none.txt || { cat none.txt; fail "the error does not name the image"; }
assert_eq "$names" "$(dir_names "$f")" "names beside OUTPUT after failed runs"

note "an oci-archive output with a full --tag: podman loads it under that name and runs it"
rc=0
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/app.tar" --tag localhost/app:native -j2 \
    --work "$WORK/out.ctr-work" >app.txt 2>&1 || rc=$?
[ $rc = 0 ] || { cat app.txt; fail "ctr-relink to an archive with --tag localhost/app:native: exit $rc"; }
assert_eq localhost/app:native "$(oci_show "$WORK/app.tar" | json_get 'j["ref_name"]')" "ref name of the archive"
# podman is optional (COMTAINER_TEST_PODMAN=0 skips it)
if podman_setup; then
    pod load -i "$WORK/app.tar" >podman.txt 2>&1 || { cat podman.txt; fail "podman load"; }
    grep -q "localhost/app:native" podman.txt || { cat podman.txt; fail "podman load: image name"; }
    pod run --rm localhost/app:native /opt/app/kernel >podman.txt 2>&1 || { cat podman.txt; fail "podman run"; }
    same_numbers <(grep kernel before.txt) podman.txt
fi
echo PASS
