#!/usr/bin/env bash
# kill -9 of ctr-relink IMAGE -o OUTPUT at points through the run (issue 9
# keeps this case: the output is always absent or whole): after each kill
# OUTPUT either does not exist or is a complete, verifiable image, and a
# rerun after the kill succeeds.  Also: no process of the run outlives it.
. "$TESTS_DIR/lib.sh"
fresh_work
need_oci_tools
root="$WORK/rootfs"
empty_app_rootfs "$root"
make_app_rootfs "$root" >/dev/null
rootfs_to_oci "$root" "$WORK/img" v1
# how long a whole run takes here: the kill points spread over it
start=$(date +%s%N)
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/full.tar" -j2 >full.txt 2>&1 || { cat full.txt; fail "a whole run"; }
total_ms=$((($(date +%s%N) - start) / 1000000))
note "a whole run takes $total_ms ms; killing at 8 points through it"
whole=0 absent=0
for i in 1 2 3 4 5 6 7 8; do
    out="$WORK/out$i.tar"
    "$CTR_RELINK" "$WORK/img:v1" -o "$out" -j2 >/dev/null 2>&1 &
    pid=$!
    sleep "$(python3 -c "print($total_ms * $i / 9 / 1000)")"
    kill -9 "$pid" 2>/dev/null || true # (it may have finished)
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    # killed (128 + 9), or done before the kill: then whole
    [ $rc = 137 ] || { [ $rc = 0 ] && [ -e "$out" ]; } || fail "kill $i: exit $rc"
    if [ -e "$out" ]; then
        python3 "$OCI_UTIL" show "$out" >/dev/null || fail "kill $i: a partial output at $out"
        whole=$((whole + 1))
    else
        absent=$((absent + 1))
    fi
    # nothing of the run goes on: no process has the output's work directory open
    sleep 0.5
    ! ls -l /proc/[0-9]*/cwd 2>/dev/null | grep_q -F "$out.ctr-work" ||
        fail "kill $i: a process of the run is still running"
    rm -rf "$out" "$out.ctr-work"
done
note "after the kills: $absent absent, $whole whole"
"$CTR_RELINK" "$WORK/img:v1" -o "$WORK/after.tar" -j2 >after.txt 2>&1 || { cat after.txt; fail "a run after the kills"; }
python3 "$OCI_UTIL" show "$WORK/after.tar" >/dev/null || fail "the run after the kills"
