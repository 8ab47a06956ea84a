#!/usr/bin/env bash
# Every input form ctr-relink reads — an OCI layout (DIR, DIR:TAG, oci:),
# an oci-archive (FILE, oci-archive:) and a docker-archive from skopeo (FILE,
# docker-archive:, with and without a name) — gives the same relinked layer,
# and both output forms (DIR[:TAG], FILE.tar = oci-archive) are read by
# skopeo and umoci; zstd, uncompressed and gzip layers are read, './' names
# in archives too.  Layers deleting files (a whiteout written by umoci, an
# opaque directory) are honoured: a deleted program is neither relinked nor
# brought back; IR records added by an upper layer are found.  The ref name
# falls back to the source's tag, then 'latest'.  Relative paths work.
. "$TESTS_DIR/lib.sh"
fresh_work
need_oci_tools
root="$WORK/rootfs"
oci_sample_image "$root" "$WORK/img" v1
skopeo copy -q "oci:$WORK/img:v1" "oci:$WORK/single:v1"
skopeo copy -q "oci:$WORK/img:v1" "oci-archive:$WORK/img.tar:v1"
skopeo copy -q "oci:$WORK/img:v1" "docker-archive:$WORK/named.tar:localhost/app:v1"
skopeo copy -q "oci:$WORK/img:v1" "docker-archive:$WORK/anon.tar"

# ctr-relink ARGS -j2 must exit 0; its output goes to $WORK/log.$nrun (stderr:
# log.$nrun.err)
relink() { # args...
    local rc=0 log="$WORK/log.$((++nrun))"
    "$CTR_RELINK" "$@" -j2 >"$log" 2>"$log.err" || rc=$?
    [ $rc = 0 ] || { cat "$log" "$log.err"; fail "ctr-relink $*: exit $rc"; }
}
nrun=0
# the forms share one work directory: after the first run the links are up
# to date, and what is compared is how each form is read and written
W=(--work "$WORK/shared.ctr-work")
# info IMAGE EXPR: EXPR on IMAGE's summary (oci_show, read once per image)
info() { # image expr
    local f
    f="$WORK/.show/$(echo "$1" | md5sum | cut -c1-16)"
    [ -f "$f" ] || { mkdir -p "$WORK/.show" && oci_show "$1" >"$f"; }
    json_get "$2" <"$f"
}
# the digest of IMAGE's top layer; its ref name; its manifest's digest
layer() { info "$1" 'j["layers"][-1]["digest"]'; }
ref() { info "$1" 'j["ref_name"]'; }
mdigest() { info "$1" 'j["manifest_digest"]'; }

note "OCI layout: DIR:TAG, oci:DIR:TAG, DIR with one manifest"
relink "$WORK/img:v1" -o "$WORK/o-layout:x" "${W[@]}"
relink "oci:$WORK/img:v1" -o "$WORK/o-prefix:x" "${W[@]}"
relink "$WORK/single" -o "$WORK/o-single" "${W[@]}"
want=$(layer "$WORK/o-layout:x")
assert_eq "$want" "$(layer "$WORK/o-prefix:x")" "relinked layer from oci:DIR:TAG"
assert_eq "$want" "$(layer "$WORK/o-single")" "relinked layer from DIR"
assert_eq v1 "$(ref "$WORK/o-single")" "ref name from the source's tag"
assert_eq "$(mdigest "$WORK/o-layout:x")" "$(mdigest "$WORK/o-prefix:x")" "manifest digest, oci: or not"

note "oci-archive in, oci-archive out (FILE.tar), and oci-archive:FILE"
relink "$WORK/img.tar" -o "$WORK/o-arch.tar" "${W[@]}"
relink "oci-archive:$WORK/img.tar" -o "$WORK/o-arch2:x" "${W[@]}"
tar -tf "$WORK/o-arch.tar" | sed 's|^\./||' | grep_q -x index.json || fail "no index.json in the output archive"
assert_eq "$want" "$(layer "$WORK/o-arch.tar")" "relinked layer from an oci-archive"
assert_eq "$want" "$(layer "$WORK/o-arch2:x")" "relinked layer from oci-archive:FILE"
assert_eq v1 "$(ref "$WORK/o-arch.tar")" "ref name of the output archive"
assert_eq "$(mdigest "$WORK/img:v1")" "$(mdigest "$WORK/img.tar")" "skopeo kept the manifest in the oci-archive"
assert_eq "$(mdigest "$WORK/o-layout:x")" "$(mdigest "$WORK/o-arch2:x")" \
    "manifest digest from the same image as a layout and as an archive"
skopeo inspect "oci-archive:$WORK/o-arch.tar" >inspect.json 2>&1 || { cat inspect.json; fail "skopeo inspect"; }
assert_eq "$(mdigest "$WORK/o-arch.tar")" "$(json_get 'j["Digest"]' <inspect.json)" \
    "manifest digest of the archive seen by skopeo"
skopeo copy -q "oci-archive:$WORK/o-arch.tar" "oci:$WORK/from-arch:t" || fail "skopeo copy of the output archive"
oci_unpack "$WORK/from-arch:t" "$WORK/arch-bundle"
oci_run "$WORK/arch-bundle" /opt/app/heat | grep_q "heat mean=" || fail "heat from the output archive"

note "layers compressed with zstd, uncompressed layers, an archive with ./ names"
skopeo copy -q --dest-compress-format zstd "oci:$WORK/img:v1" "oci:$WORK/zstd:v1"
grep -q 'tar+zstd' "$WORK"/zstd/blobs/sha256/* || fail "skopeo wrote no zstd layer"
relink "$WORK/zstd:v1" -o "$WORK/o-zstd:x" "${W[@]}" --json
# (umoci 0.4 cannot unpack zstd layers: the digest comes from --json, skopeo reads the image)
assert_eq "$want" "$(json_get 'j["image"]["layer_digest"]' <"$WORK/log.$nrun")" "relinked layer from zstd layers"
skopeo inspect "oci:$WORK/o-zstd:x" >/dev/null || fail "skopeo inspect of the output from zstd layers"
cp -a "$WORK/single" "$WORK/plain"
echo '[{"name": "etc/motd", "type": "file", "data": "plain\n"}]' >plain.json
python3 "$OCI_UTIL" append-layer "$WORK/plain:v1" plain.json --plain >/dev/null
relink "$WORK/plain:v1" -o "$WORK/o-plain:x" "${W[@]}"
assert_eq application/vnd.oci.image.layer.v1.tar "$(info "$WORK/o-plain:x" 'j["layers"][1]["mediaType"]')" \
    "the uncompressed layer kept as it was"
oci_unpack "$WORK/o-plain:x" "$WORK/plain-bundle"
assert_eq plain "$(cat "$WORK/plain-bundle/rootfs/etc/motd")" "file of the uncompressed layer"
tar -C "$WORK/single" -cf "$WORK/dot.tar" .
tar -tf "$WORK/dot.tar" | grep_q -x './index.json' || fail "no ./ names in dot.tar"
relink "$WORK/dot.tar" -o "$WORK/o-dot:x" "${W[@]}"
assert_eq "$want" "$(layer "$WORK/o-dot:x")" "relinked layer from an archive with ./ names"

note "docker-archive: with a name, and docker-archive:FILE without one (ref name: latest)"
relink "$WORK/named.tar" -o "$WORK/o-named" "${W[@]}"
relink "docker-archive:$WORK/anon.tar" -o "$WORK/o-anon" "${W[@]}"
assert_eq "$want" "$(layer "$WORK/o-named")" "relinked layer from a docker-archive"
assert_eq "$want" "$(layer "$WORK/o-anon")" "relinked layer from an unnamed docker-archive"
case "$(ref "$WORK/o-named")" in
v1 | localhost/app:v1) ;;
*) fail "ref name from the docker-archive's tag: $(ref "$WORK/o-named")" ;;
esac
assert_eq latest "$(ref "$WORK/o-anon")" "ref name without any tag"
oci_unpack "$WORK/o-named:$(ref "$WORK/o-named")" "$WORK/named-bundle"
oci_run "$WORK/named-bundle" /opt/app/kernel | grep_q "kernel " || fail "kernel from the docker-archive's output"

note "relative paths for IMAGE and OUTPUT"
# (and the default work directory, relative too)
(cd "$WORK" && relink img.tar -o o-rel.tar)
assert_eq "$want" "$(layer "$WORK/o-rel.tar")" "relinked layer with relative paths"

note "layers: v2 deletes heat, adds kernel2 in opt/extra and prog2 with its IR in the layer's"
note "part of the store; v3 makes opt/extra opaque"
umoci tag --image "$WORK/img:v1" v2
umoci unpack --image "$WORK/img:v2" "$WORK/b2" >/dev/null
rm "$WORK/b2/rootfs/opt/app/heat"
printf '#include <stdio.h>\nint main(void) { puts("prog2 ok"); return 0; }\n' >prog2.c
COMTAINER_STORE="$WORK/b2/rootfs/var/lib/comtainer/store" \
    "$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" prog2.c -o "$WORK/b2/rootfs/opt/app/prog2"
mkdir -p "$WORK/b2/rootfs/opt/extra"
cp "$root/opt/app/kernel" "$WORK/b2/rootfs/opt/extra/kernel2"
echo old >"$WORK/b2/rootfs/opt/extra/old.txt"
umoci repack --image "$WORK/img:v2" "$WORK/b2" >/dev/null
python3 "$OCI_UTIL" entries "$WORK/img:v2" -1 >v2-layer.txt
grep -q 'opt/app/\.wh\.heat$' v2-layer.txt || fail "umoci wrote no whiteout for heat"
grep -q 'var/lib/comtainer/store/records/' v2-layer.txt || fail "prog2's record is not in the v2 layer"
cat >opaque.json <<'J'
[{"name": "opt/extra", "type": "dir"},
 {"name": "opt/extra/.wh..wh..opq", "type": "file"},
 {"name": "opt/extra/new.txt", "type": "file", "data": "new\n"}]
J
python3 "$OCI_UTIL" append-layer "$WORK/img:v2" opaque.json --new-tag v3 >/dev/null
relink "$WORK/img:v2" -o "$WORK/o-v2:x" --json "${W[@]}"
cp "$WORK/log.$nrun" v2.json
relink "$WORK/img:v3" -o "$WORK/o-v3:x" --json "${W[@]}"
cp "$WORK/log.$nrun" v3.json
assert_eq "/opt/app/kernel /opt/app/libsolver.so /opt/app/prog2 /opt/app/solve /opt/extra/kernel2" \
    "$(json_get '" ".join(sorted(b["path"] for b in j["binaries"]))' <v2.json)" "binaries relinked from v2"
assert_eq "/opt/app/kernel /opt/app/libsolver.so /opt/app/prog2 /opt/app/solve" \
    "$(json_get '" ".join(sorted(b["path"] for b in j["binaries"]))' <v3.json)" "binaries relinked from v3"
for v in v2 v3; do
    python3 "$OCI_UTIL" entries "$WORK/o-$v:x" -1 >top-$v.txt
    ! grep -q 'opt/app/heat$' top-$v.txt || fail "the deleted heat is back in the $v output's layer"
    oci_unpack "$WORK/o-$v:x" "$WORK/$v-bundle"
    [ ! -e "$WORK/$v-bundle/rootfs/opt/app/heat" ] || fail "heat in the unpacked $v output"
    oci_run "$WORK/$v-bundle" /opt/app/solve | grep_q "solve its=" || fail "solve from the $v output"
    oci_run "$WORK/$v-bundle" /opt/app/prog2 | grep_q "prog2 ok" || fail "prog2 from the $v output"
    grep -q 'opt/app/prog2$' top-$v.txt || fail "prog2 was not relinked from $v"
done
! grep -q 'opt/extra/kernel2' top-v3.txt || fail "kernel2, under the opaque dir, is back in the v3 output"
[ ! -e "$WORK/v3-bundle/rootfs/opt/extra/kernel2" ] && [ ! -e "$WORK/v3-bundle/rootfs/opt/extra/old.txt" ] ||
    fail "files under the opaque dir in the unpacked v3 output"
assert_eq new "$(cat "$WORK/v3-bundle/rootfs/opt/extra/new.txt")" "the opaque layer's own file"
echo PASS
