#!/usr/bin/env bash
# ctr-relink --plan on a root filesystem: finds exactly the binaries that name
# TUs, recovers kind, SONAME, RUNPATH and DT_NEEDED, resolves libraries inside
# the root only (symlinks included), and reports binaries it cannot relink.
. "$TESTS_DIR/lib.sh"
fresh_work
RELINK=$CTR_RELINK

root="$WORK/rootfs"
make_app_rootfs "$root"
cp /bin/true "$root/usr/bin/true"                 # an ELF file without TUs
"$CC_CLANG" -O2 -o "$root/usr/bin/plain" -x c - <<<'int main(void){return 0;}'

"$RELINK" --plan "$root" --json >plan.json || { cat plan.json; fail "plan reported problems"; }
python3 - <<'PY'
import json
p = json.load(open("plan.json"))
b = {x["path"]: x for x in p["binaries"]}
assert sorted(b) == ["/opt/app/heat", "/opt/app/libsolver.so", "/opt/app/solve"], sorted(b)
assert p["elf_files"] >= 10, p["elf_files"]   # 3 covered + 4 libs + loader + 2 plain
heat, solve, lib = b["/opt/app/heat"], b["/opt/app/solve"], b["/opt/app/libsolver.so"]
assert heat["kind"] == "pie-executable" and lib["kind"] == "shared-library", (heat, lib)
assert heat["interp"] == "/lib64/ld-linux-x86-64.so.2"
assert lib["soname"] == "libsolver.so" and lib["exports"] > 0
assert solve["runpath"] == ["$ORIGIN"], solve["runpath"]
found = {n["name"]: n["found"] for n in solve["needed"]}
assert found["libsolver.so"] == "/opt/app/libsolver.so", found
assert found["libstdc++.so.6"] == "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", found
assert [t["source"] for t in heat["tus"]] == ["apps/heat.c", "core/vec.c", "core/stats.c"] or \
       sorted(t["source"] for t in heat["tus"]) == ["apps/heat.c", "core/stats.c", "core/vec.c"]
assert all(t["present"] for x in b.values() for t in x["tus"])
assert all(x["problem"] is None for x in b.values())
PY

note "libraries are never found outside the root"
rm "$root/usr/lib/x86_64-linux-gnu/libm.so.6"
ln -s /../../../../lib/x86_64-linux-gnu/libm.so.6 "$root/usr/lib/x86_64-linux-gnu/libm.so.6"
rc=0
"$RELINK" --plan "$root" >plan.txt || rc=$?
assert_eq 1 "$rc" "exit status of a plan with a library not found (a dangling in-root symlink followed out?)"
grep "/opt/app/heat" plan.txt | grep_q "1 needed libraries not found" || { cat plan.txt; fail "heat libm"; }

note "a TU missing from the store is reported per binary"
rm "$root/usr/lib/x86_64-linux-gnu/libm.so.6"
cp "/lib/x86_64-linux-gnu/libm.so.6" "$root/usr/lib/x86_64-linux-gnu/"
id=$("$CTR_STORE" which "$root/opt/app/libsolver.so" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
rm "$COMTAINER_STORE/records/${id:0:2}/$id"
rc=0
"$RELINK" --plan "$root" >plan.txt || rc=$?
assert_eq 1 "$rc" "exit status of a plan with a missing TU"
grep "/opt/app/libsolver.so" plan.txt | grep_q "1 of 2 TUs unusable" || { cat plan.txt; fail "missing TU"; }
grep "/opt/app/heat" plan.txt | grep_q " ok$" || { cat plan.txt; fail "heat should still be ok"; }

"$RELINK" --help | grep_q "usage: ctr-relink" || fail "--help"
rc=0
"$RELINK" --plan "$WORK/nowhere" 2>e.txt || rc=$?
assert_eq 2 "$rc" "exit status of --plan on a missing rootfs"
grep -q "^ctr-relink: .*nowhere" e.txt || fail "missing rootfs message: $(cat e.txt)"
echo PASS
