#!/usr/bin/env bash
# tests/fuzz/run.sh build BUILD_DIR            configure and build the targets
# tests/fuzz/run.sh run BUILD_DIR TARGET SECS  run one target for SECS seconds
# The fuzz targets (CMakeLists.txt beside this file) over their seed corpus
# (seeds/TARGET, copied: new inputs stay in the build tree) and the inputs
# that once crashed them (regressions/TARGET, each replayed first).  Any
# crash, leak, sanitizer report or broken invariant fails the run; its input
# is kept as BUILD_DIR/crash-TARGET-* to add under regressions/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case ${1:-} in
build)
    cmake -S "$here" -B "$2" -G Ninja -DCMAKE_C_COMPILER="${CC_CLANG:-clang-19}" \
        -DCOMTAINER_LLVM_ROOT="${COMTAINER_LLVM_ROOT:-/usr/lib/llvm-19}" >/dev/null
    cmake --build "$2"
    ;;
run)
    build=$2 target=$3 secs=$4
    corpus="$build/corpus-$target"
    rm -rf "$corpus" && mkdir -p "$corpus"
    cp "$here/seeds/$target"/* "$corpus/"
    regress=("$here/regressions/$target"/*)
    if [ -e "${regress[0]}" ]; then
        "$build/fuzz_$target" -runs=0 "${regress[@]}" || { echo "FAIL: a regression input of $target"; exit 1; }
    fi
    "$build/fuzz_$target" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/crash-$target-" "$corpus" ||
        { echo "FAIL: fuzz_$target found a crash (input in $build/crash-$target-*)"; exit 1; }
    ;;
*)
    sed -n 2,9p "$0"
    exit 2
    ;;
esac
