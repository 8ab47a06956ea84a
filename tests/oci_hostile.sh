#!/usr/bin/env bash
# Hostile images: entries named with '..' or an absolute path, symlinks and
# hard links out of the root with entries (also whiteouts) written through
# them, also across layers, device nodes, a layer whose bytes do not match
# its digest, one whose tar is not its diff_id's (found only once the layer
# is unpacked), a truncated layer, a truncated archive, bad JSON in index,
# manifest and config, docker-archive manifests pointing out of the archive,
# an oci-archive with an entry out of it, whiteouts of '.' and '..' (once
# they removed the directory itself, or the parent of the root), the store
# as an absolute symlink to a host store (once read from the host), FIFOs as
# a layer blob, the config and the store's records (once: ctr-relink blocked
# forever), and a compression bomb (once: a 10 MB layer unpacked to 10 GiB
# in 197 s).  Each is made by editing a good
# image (tests/tools/oci_util.py), checked to really be hostile, and must
# make ctr-relink exit 2 with an error naming the entry or blob, write
# nothing at OUTPUT, leave no temporary file beside it, and change nothing
# outside.
. "$TESTS_DIR/lib.sh"
fresh_work
need_oci_tools
root="$WORK/rootfs"
empty_app_rootfs "$root"
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >hello.c
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" hello.c -o "$root/opt/app/hello"
rootfs_to_oci "$root" "$WORK/good" v1
skopeo copy -q "oci:$WORK/good:v1" "oci-archive:$WORK/good.tar:v1"
skopeo copy -q "oci:$WORK/good:v1" "docker-archive:$WORK/good-docker.tar:localhost/hello:v1"
out="$WORK/out"
mkdir "$out"
touch "$WORK/.marker"

note "control: the good image in each form is relinked (exit 0)"
for img in "$WORK/good:v1" "$WORK/good.tar" "$WORK/good-docker.tar"; do
    rc=0
    "$CTR_RELINK" "$img" -o "$out/control.tar" -j2 >control.txt 2>&1 || rc=$?
    [ $rc = 0 ] || { cat control.txt; fail "the good image $img: exit $rc"; }
    rm -rf "$out" && mkdir "$out"
done

# refused IMAGE NAMES LABEL: ctr-relink IMAGE must exit 2 with an error
# naming one of NAMES ('|' between alternatives), and leave nothing in $out
# (no temp files either) and nothing new outside.  Cases alternate between
# an OCI layout and an oci-archive as OUTPUT.
ncase=0
refused() { # image names label
    local rc=0 o pats=() p outs=("$out/x:t")
    IFS='|' read -ra p <<<"$2"
    for o in "${p[@]}"; do pats+=(-e "$o"); done
    ncase=$((ncase + 1))
    [ $((ncase % 2)) = 0 ] && outs=("$out/x.tar")
    for o in "${outs[@]}"; do
        rc=0
        "$CTR_RELINK" "$1" -o "$o" -j2 >err.txt 2>&1 || rc=$?
        [ $rc = 2 ] || { cat err.txt; fail "$3: exit $rc (want 2) writing $o"; }
        grep -qF "${pats[@]}" err.txt || { cat err.txt; fail "$3: the error does not name '$2'"; }
        [ -z "$(dir_names "$out")" ] || fail "$3: left $(dir_names "$out" | tr '\n' ' ') beside OUTPUT"
    done
    # nothing the forgers name may appear outside the image
    local esc
    esc=$(find / /tmp /etc "$WORK/.." "$WORK/../.." -maxdepth 2 -newer "$WORK/.marker" \
        -name 'evil-*' 2>/dev/null | grep -v "^$WORK/" || true)
    [ -z "$esc" ] || fail "$3: wrote $esc"
    note "refused: $3"
}

note "hostile layers and blobs in an OCI layout (also as an oci-archive)"
# whiteouts through a symlink to this directory must not delete its files
export OCI_VICTIM="$WORK/victim"
mkdir -p "$OCI_VICTIM" && echo precious >"$OCI_VICTIM/victim"
for case in dotdot dotdot-inner absolute symlink-up symlink-abs symlink-cross-layer whiteout-symlink \
    opaque-symlink store-symlink hardlink-up hardlink-abs chardev blockdev layer-digest diff-id truncated-layer \
    bad-index bad-manifest bad-config; do
    rm -rf "${WORK:?}/$case"
    cp -a "$WORK/good" "$WORK/$case"
    name=$(python3 "$OCI_UTIL" forge "$case" "$WORK/$case:v1") || fail "forging $case"
    # really hostile: our own reader refuses it, or the top layer lists the entry
    case $case in
    layer-digest | diff-id | truncated-layer | bad-*)
        ! python3 "$OCI_UTIL" show "$WORK/$case:v1" >/dev/null 2>&1 || fail "$case: the image is sound"
        ;;
    *)
        python3 "$OCI_UTIL" entries "$WORK/$case:v1" -1 | grep_q -F -- "$name" ||
            fail "$case: no '$name' in the top layer"
        ;;
    esac
    refused "$WORK/$case:v1" "$name" "$case"
    assert_eq precious "$(cat "$OCI_VICTIM/victim" 2>&1)" "$case: the file outside the image"
    [ ! -e "$OCI_VICTIM/planted" ] || fail "$case: a file was planted outside the image"
done
# a wrong diff_id is found at the layer's end, once it is unpacked: none of
# it may stay in a work directory that outlives the run
mkdir "$WORK/kept-work"
rc=0
"$CTR_RELINK" "$WORK/diff-id:v1" -o "$out/x:t" --work "$WORK/kept-work" >err.txt 2>&1 || rc=$?
[ $rc = 2 ] || { cat err.txt; fail "diff-id with --work: exit $rc (want 2)"; }
grep_q "layer [0-9]* (sha256:[0-9a-f]*): diff_id mismatch: the tar is sha256:" err.txt ||
    { cat err.txt; fail "diff-id: the error does not name the layer and the field"; }
[ -z "$(find "$WORK/kept-work" -name 'evil-*')" ] || fail "diff-id: the unpacked layer stayed in WORK"
[ ! -e "$WORK/kept-work/image" ] || fail "diff-id: WORK/image stayed"
[ -z "$(dir_names "$out")" ] || fail "diff-id with --work: left files beside OUTPUT"
# the same hostile layout packed as an oci-archive (the tar, not the layout, is read)
tar -C "$WORK/dotdot" -cf "$WORK/dotdot.tar" .
refused "$WORK/dotdot.tar" "../evil-dotdot" "dotdot in an oci-archive"
tar -C "$WORK/chardev" -cf "$WORK/chardev.tar" .
refused "oci-archive:$WORK/chardev.tar" "opt/evil-null" "chardev in an oci-archive"

note "whiteouts of '.' and '..', the store as a symlink to the host's, FIFOs, bombs"
export OCI_HOST_STORE="$WORK/host-store"
cp -a "$root/var/lib/comtainer/store" "$OCI_HOST_STORE"
for case in whiteout-dot whiteout-dotdot store-abs-symlink fifo-layer fifo-config bomb bomb-small \
    deep; do
    rm -rf "${WORK:?}/$case"
    cp -a "$WORK/good" "$WORK/$case"
    name=$(python3 "$OCI_UTIL" forge "$case" "$WORK/$case:v1") || fail "forging $case"
    case $case in
    fifo-*)
        [ -n "$(find "$WORK/$case/blobs" -type p)" ] || fail "$case: no FIFO among the blobs"
        ;;
    bomb*)
        bytes=$(du -sb "$WORK/$case/blobs" | cut -f1)
        [ "$bytes" -lt $((16 << 20)) ] || fail "$case: the image is not small ($bytes bytes)"
        ;;
    *)
        python3 "$OCI_UTIL" entries "$WORK/$case:v1" -1 | grep_q -F -- "$name" ||
            fail "$case: no '$name' in the top layer"
        ;;
    esac
    if [ $case = bomb-small ]; then
        # a bound of its own: --max-unpacked
        rc=0
        timeout 120 "$CTR_RELINK" "$WORK/$case:v1" -o "$out/x:t" --max-unpacked 32M >err.txt 2>&1 ||
            rc=$?
        [ $rc = 2 ] || { cat err.txt; fail "$case: exit $rc"; }
        grep_q "expand to more than 33554432 bytes" err.txt || { cat err.txt; fail "$case: message"; }
        [ -z "$(dir_names "$out")" ] || fail "$case: left files beside OUTPUT"
        note "refused: $case (--max-unpacked 32M)"
        continue
    fi
    start=$(date +%s)
    refused "$WORK/$case:v1" "$name" "$case"
    [ $(($(date +%s) - start)) -lt 100 ] || fail "$case took more than 100 s"
done
[ -d "$WORK/good" ] && [ -d "$WORK" ] || fail "a whiteout removed a directory outside the image"

note "FIFOs as the store's records: the binary is kept, nothing blocks"
rm -rf "$WORK/fifo-record"
cp -a "$WORK/good" "$WORK/fifo-record"
python3 "$OCI_UTIL" forge fifo-record "$WORK/fifo-record:v1" >/dev/null || fail "forging fifo-record"
rc=0
timeout 120 "$CTR_RELINK" "$WORK/fifo-record:v1" -o "$out/fifo.tar" >err.txt 2>&1 || rc=$?
[ $rc = 1 ] || { cat err.txt; fail "fifo-record: exit $rc (want 1: the binary kept)"; }
grep "^/opt/app/hello " err.txt | grep_q "not a regular file" || { cat err.txt; fail "fifo-record: reason"; }
rm -rf "$out" && mkdir "$out"

note "truncated archives"
size=$(stat -c %s "$WORK/good.tar")
head -c $((size / 2)) "$WORK/good.tar" >"$WORK/cut.tar"
refused "$WORK/cut.tar" "cut.tar|truncated|unexpected end" "truncated oci-archive"
size=$(stat -c %s "$WORK/good-docker.tar")
head -c $((size * 2 / 3)) "$WORK/good-docker.tar" >"$WORK/cut-docker.tar"
refused "docker-archive:$WORK/cut-docker.tar" "cut-docker.tar|truncated|unexpected end" \
    "truncated docker-archive"

note "archives naming paths out of themselves"
for case in layer-path-dotdot config-path-abs; do
    cp "$WORK/good-docker.tar" "$WORK/$case.tar"
    name=$(python3 "$OCI_UTIL" docker-forge "$case" "$WORK/$case.tar") || fail "forging $case"
    tar -xOf "$WORK/$case.tar" manifest.json | grep_q -F -- "$name" || fail "$case: not in manifest.json"
    refused "$WORK/$case.tar" "$name" "docker-archive $case"
done
cp "$WORK/good.tar" "$WORK/outer-dotdot.tar"
name=$(python3 "$OCI_UTIL" archive-forge outer-dotdot "$WORK/outer-dotdot.tar")
tar -tf "$WORK/outer-dotdot.tar" 2>/dev/null | grep_q -xF -- "$name" || fail "outer-dotdot: no '$name' entry"
refused "$WORK/outer-dotdot.tar" "$name" "oci-archive with an entry out of it"
echo PASS
