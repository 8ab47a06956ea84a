#!/usr/bin/env bash
# A real multi-file C/C++ project (static library with a member no program
# uses, a C++ shared library, two programs) built with `make -j2` and the
# plugin in CFLAGS/CXXFLAGS: every TU is captured, each binary names exactly
# its TUs, every object's code equals a plugin-free build, the store verifies.
. "$TESTS_DIR/lib.sh"
fresh_work

build_multi plain
build_multi captured captured
grep -q "comtainer:" captured.log && { cat captured.log; fail "the plugin printed something"; }

note "every object is captured and names exactly one present TU"
objects=$(cd captured && find . -name '*.o' | sort)
assert_eq 7 "$(echo "$objects" | wc -l)" "object count"
for o in $objects; do
    n=$("$CTR_STORE" which "captured/$o" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), all(x["present"] for x in r))')
    assert_eq "1 True" "$n" "TUs named by $o"
done
assert_eq 7 "$(record_count)" "records in the store"

note "objects are the plugin-free objects plus the record section"
for o in $objects; do
    same_code "plain/$o" "captured/$o" || fail "code of $o differs from a plugin-free build"
done
for b in heat solve libsolver.so; do
    same_loaded_code "plain/$b" "captured/$b" || fail "loaded sections of $b differ"
done

note "each binary names exactly its TUs"
assert_eq "$(printf 'apps/heat.c\ncore/stats.c\ncore/vec.c')" "$(tu_sources captured/heat)" "heat"
assert_eq "$(printf 'apps/solve.cpp\ncore/vec.c')" "$(tu_sources captured/solve)" "solve"
assert_eq "$(printf 'solver/cg.cpp\nsolver/mesh.cpp')" "$(tu_sources captured/libsolver.so)" \
    "libsolver.so"
assert_eq "$(printf 'core/stats.c\ncore/unused.c\ncore/vec.c')" \
    "$(tu_sources captured/libcore.a)" "libcore.a members"

note "records carry the compile's facts"
"$CTR_STORE" ls --json >ls.json
python3 - "$WORK/captured" <<'PY'
import json, sys
cwd = sys.argv[1]
recs = {r["source"]: r for r in json.load(open("ls.json"))}
cg = recs["solver/cg.cpp"]
assert cg["language"] == "c++", cg["language"]
assert cg["compiler"] == "clang" and "19." in cg["compiler_version"], cg["compiler_version"]
assert cg["ir_kind"] == "llvm-bc" and cg["ir_size"] > 0
assert cg["cwd"] == cwd, cg["cwd"]
assert cg["output"] == "solver/cg.pic.o", cg["output"]
assert cg["pic_level"] == 2 and cg["opt_level"] == 2 and not cg["debug_info"]
assert "-fPIC" in cg["driver_args"] and "-cc1" in cg["frontend_args"]
assert cg["triple"].startswith("x86_64") and cg["target_cpu"] == "x86-64"
assert recs["core/vec.c"]["language"] == "c"
PY

note "the programs still run"
captured/heat | grep_q "heat mean=0.498047" || fail "heat output"
LD_LIBRARY_PATH=captured captured/solve | grep_q "solve its=100" || fail "solve output"

"$CTR_STORE" verify >/dev/null || fail "store does not verify"
echo PASS
