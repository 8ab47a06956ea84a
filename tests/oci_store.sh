#!/usr/bin/env bash
# ctr-store ls IMAGE and ctr-store stats IMAGE [--json] read the IR store
# inside an OCI image (layout, oci-archive, docker-archive) without unpacking
# it by hand: ls lists the same TUs as on the unpacked store, verify names
# the image and the path inside its store (never the temporary copy), files
# deleted by an upper layer's whiteout are not listed, the sizes in stats agree with
# the image's own layers and files; a corrupted layer, entries out of the
# root and a symlink in the store pointing out of the image are refused
# without touching anything outside.
. "$TESTS_DIR/lib.sh"
fresh_work
need_oci_tools
root="$WORK/rootfs"
oci_sample_image "$root" "$WORK/img" v1
store="$root/var/lib/comtainer/store"
skopeo copy -q "oci:$WORK/img:v1" "oci-archive:$WORK/img.tar:v1"
skopeo copy -q "oci:$WORK/img:v1" "docker-archive:$WORK/img-docker.tar:localhost/app:v1"
"$CTR_STORE" ls "$store" >want-ls.txt
"$CTR_STORE" ls "$store" --json | json_get '"\n".join(sorted(r["id"] for r in j))' >want-ids.txt
[ "$(wc -l <want-ids.txt)" -ge 8 ] || fail "the sample store has $(wc -l <want-ids.txt) TUs"

note "ctr-store ls IMAGE lists the store's TUs, in every image form"
for img in "$WORK/img:v1" "$WORK/img.tar" "oci-archive:$WORK/img.tar" "$WORK/img-docker.tar" \
    "docker-archive:$WORK/img-docker.tar"; do
    "$CTR_STORE" ls "$img" >ls.txt 2>ls.err || { cat ls.err; fail "ctr-store ls $img"; }
    cmp -s want-ls.txt ls.txt || { diff want-ls.txt ls.txt; fail "ctr-store ls $img differs from the store's"; }
    "$CTR_STORE" ls "$img" --json | json_get '"\n".join(sorted(r["id"] for r in j))' >ids.txt ||
        fail "ctr-store ls $img --json"
    cmp -s want-ids.txt ids.txt || fail "ctr-store ls $img --json: other TUs"
done

note "ctr-store stats IMAGE --json agrees with the image's layers and files"
oci_show "$WORK/img:v1" >img.json
oci_unpack "$WORK/img:v1" "$WORK/bundle"
files_sum() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
store_files=$(files_sum "$WORK/bundle/rootfs/var/lib/comtainer/store")
store_entries=$(find "$WORK/bundle/rootfs/var/lib/comtainer/store" | wc -l)
root_files=$(files_sum "$WORK/bundle/rootfs")
for img in "$WORK/img:v1" "$WORK/img.tar"; do
    "$CTR_STORE" stats "$img" --json >stats.json 2>stats.err || { cat stats.err; fail "ctr-store stats $img"; }
    python3 - "$store_files" "$store_entries" "$root_files" <<'PY' || { cat stats.json; fail "stats of $img"; }
import json, sys
store_files, store_entries, root_files = map(int, sys.argv[1:])
s, img = json.load(open("stats.json")), json.load(open("img.json"))
for k in ("image_bytes", "image_compressed_bytes", "store_bytes", "store_compressed_bytes",
          "store_share_percent", "store_compressed_share_percent"):
    assert isinstance(s.get(k), (int, float)), ("missing or not a number", k)
# the store's bytes in the image: its files, at most with tar headers and padding
assert store_files <= s["store_bytes"] <= store_files + 1536 * (store_entries + 1), \
    (s["store_bytes"], store_files, store_entries)
# the image's bytes: its files, at most its layers' tar streams
layers_tar = sum(l["tar_size"] for l in img["layers"])
layers_gz = sum(l["size"] for l in img["layers"])
assert root_files <= s["image_bytes"] <= layers_tar, (s["image_bytes"], root_files, layers_tar)
assert layers_gz <= s["image_compressed_bytes"] <= layers_gz + img["config_size"] + img["manifest_size"], \
    (s["image_compressed_bytes"], layers_gz)
assert 0 < s["store_compressed_bytes"] < s["image_compressed_bytes"], s
for share, part, whole in (("store_share_percent", "store_bytes", "image_bytes"),
                           ("store_compressed_share_percent", "store_compressed_bytes",
                            "image_compressed_bytes")):
    assert abs(s[share] - 100.0 * s[part] / s[whole]) < 0.05, (share, s)
PY
done
"$CTR_STORE" stats "$WORK/img:v1" >stats.txt 2>&1 || { cat stats.txt; fail "ctr-store stats IMAGE"; }
grep -q '%' stats.txt || { cat stats.txt; fail "ctr-store stats IMAGE shows no share of the image"; }
"$CTR_STORE" stats "$WORK/img-docker.tar" --json >dstats.json || fail "ctr-store stats on a docker-archive"
assert_eq "$(json_get 'j["store_bytes"]' <stats.json)" "$(json_get 'j["store_bytes"]' <dstats.json)" \
    "store bytes, docker-archive against oci-archive"

note "verify IMAGE names the image and the path in its store, never the temporary copy"
mkdir -p "$WORK/tmp"
TMPDIR="$WORK/tmp" "$CTR_STORE" verify "$WORK/img:v1" >verify.txt 2>&1 ||
    { cat verify.txt; fail "ctr-store verify IMAGE"; }
grep_q -F "$WORK/img:v1:/var/lib/comtainer/store: " verify.txt ||
    { cat verify.txt; fail "verify IMAGE does not name the image's store"; }
blob=$(cd "$store" && find blobs -type f | sort | head -1)
rm -rf "${WORK:?}/bad-blob" && cp -a "$WORK/img" "$WORK/bad-blob"
printf '[{"name": "var/lib/comtainer/store/%s", "data": "not zstd\\n"}]\n' "$blob" >bad-blob.json
python3 "$OCI_UTIL" append-layer "$WORK/bad-blob:v1" bad-blob.json >/dev/null || fail "append-layer"
for json in "" --json; do
    rc=0
    TMPDIR="$WORK/tmp" "$CTR_STORE" verify "$WORK/bad-blob:v1" $json >verify.txt 2>&1 || rc=$?
    [ $rc = 1 ] || { cat verify.txt; fail "verify $json of an image with a bad blob: exit $rc (want 1)"; }
    grep_q -F "$WORK/bad-blob:v1:/var/lib/comtainer/store/$blob" verify.txt ||
        { cat verify.txt; fail "verify $json does not name the bad blob in the image"; }
    ! grep -qF -e "$WORK/tmp" -e "/ctr-store-" verify.txt ||
        { cat verify.txt; fail "verify $json names its temporary directory"; }
done
[ -z "$(ls -A "$WORK/tmp")" ] || fail "ctr-store left $(ls "$WORK/tmp") in TMPDIR"

note "a record deleted by an upper layer is not listed; a deleted store lists nothing"
gone=$(head -1 want-ids.txt)
umoci tag --image "$WORK/img:v1" v2
umoci unpack --image "$WORK/img:v2" "$WORK/b2" >/dev/null
rm "$WORK/b2/rootfs/var/lib/comtainer/store/records/${gone:0:2}/$gone"
umoci repack --image "$WORK/img:v2" "$WORK/b2" >/dev/null
python3 "$OCI_UTIL" entries "$WORK/img:v2" -1 | grep_q "\.wh\.$gone" || fail "umoci wrote no whiteout"
"$CTR_STORE" ls "$WORK/img:v2" --json | json_get '"\n".join(sorted(r["id"] for r in j))' >ids2.txt ||
    fail "ctr-store ls on an image with a whiteout"
assert_eq "$(grep -vx "$gone" want-ids.txt)" "$(cat ids2.txt)" "TUs listed after the record's whiteout"
umoci tag --image "$WORK/img:v1" v3
umoci unpack --image "$WORK/img:v3" "$WORK/b3" >/dev/null
rm -r "$WORK/b3/rootfs/var/lib/comtainer/store"
umoci repack --image "$WORK/img:v3" "$WORK/b3" >/dev/null
# the image has no store any more: an error naming it, not an empty listing
rc=0
"$CTR_STORE" ls "$WORK/img:v3" >ls3.txt 2>&1 || rc=$?
assert_eq 2 "$rc" "exit status of ls on an image whose store was deleted"
grep -q "no IR store (/var/lib/comtainer/store) in the image" ls3.txt || { cat ls3.txt; fail "ls: no message"; }
! grep -qf <(cut -c1-16 want-ids.txt) ls3.txt || { cat ls3.txt; fail "a deleted store's TUs are listed"; }
rc=0
"$CTR_STORE" stats "$WORK/img:v3" --json >stats3.json 2>&1 || rc=$?
assert_eq 2 "$rc" "exit status of stats on an image whose store was deleted"
grep -q "no IR store" stats3.json || { cat stats3.json; fail "stats: no message"; }

note "hostile images are refused, naming the layer or entry, and change nothing outside"
export OCI_VICTIM="$WORK/victim"
mkdir -p "$OCI_VICTIM" && echo precious >"$OCI_VICTIM/victim"
for case in layer-digest diff-id store-symlink dotdot chardev; do
    rm -rf "${WORK:?}/$case" && cp -a "$WORK/img" "$WORK/$case"
    name=$(python3 "$OCI_UTIL" forge "$case" "$WORK/$case:v1") || fail "forging $case"
    for cmd in ls stats; do
        rc=0
        "$CTR_STORE" "$cmd" "$WORK/$case:v1" >bad.txt 2>&1 || rc=$?
        [ $rc = 2 ] || { cat bad.txt; fail "ctr-store $cmd on the $case image: exit $rc (want 2)"; }
        grep -qF -- "$name" bad.txt || { cat bad.txt; fail "ctr-store $cmd: the error does not name $name"; }
    done
    assert_eq precious "$(cat "$OCI_VICTIM/victim" 2>&1)" "$case: the file outside the image"
    [ ! -e "$OCI_VICTIM/planted" ] || fail "$case: a file was planted outside the image"
done
echo PASS
