#!/usr/bin/env bash
# A CMake + Ninja project with the plugin in CMAKE_C_FLAGS/CMAKE_CXX_FLAGS:
# every TU captured, each target names exactly its TUs, code unchanged.
. "$TESTS_DIR/lib.sh"
fresh_work

build() { # dir extra-flags
    cmake -S "$TESTS_DIR/projects/cmake-app" -B "$1" -G Ninja \
        -DCMAKE_C_COMPILER="$CC_CLANG" -DCMAKE_CXX_COMPILER="$CXX_CLANG" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="$2" -DCMAKE_CXX_FLAGS="$2" >/dev/null
    cmake --build "$1" -j 2 >"$1.log" 2>&1 || { cat "$1.log"; fail "build of $1 failed"; }
}
build plain ""
build captured "-fplugin=$COMTAINER_PLUGIN"
grep -q "comtainer:" captured.log && { cat captured.log; fail "the plugin printed something"; }

basenames() { tu_sources "$1" | xargs -n1 basename | sort | tr '\n' ' '; }
assert_eq "reduce.c sim.cpp " "$(basenames captured/sim)" "sim"
assert_eq "reduce.c smooth.c stencil.c " "$(basenames captured/smooth)" "smooth"
assert_eq "forces.cpp particles.cpp " "$(basenames captured/libphysics.so)" "libphysics.so"
assert_eq "reduce.c spare.c stencil.c " "$(basenames captured/libkernels.a)" "libkernels.a"
# CMake's own compiler checks are captured too; count the project's TUs
n=$("$CTR_STORE" ls --json | python3 -c 'import json,sys; print(sum(r["source"].startswith(sys.argv[1]) for r in json.load(sys.stdin)))' "$TESTS_DIR/projects/cmake-app/")
assert_eq 7 "$n" "project TUs in the store"

for o in $(cd captured && find . -name '*.o'); do
    same_code "plain/$o" "captured/$o" || fail "$o differs from a plugin-free build"
done
assert_eq "$(plain/sim)" "$(captured/sim)" "sim output"
"$CTR_STORE" verify >/dev/null || fail "store does not verify"
echo PASS
