# Shared helpers for the shell tests.  Each test sources this file; CTest
# passes the tools through the environment (see tests/CMakeLists.txt):
#   CTR_STORE, COMTAINER_PLUGIN, CC_CLANG, CXX_CLANG, LLVM_BINDIR, TESTS_DIR,
#   WORK (a fresh directory for this test).
set -euo pipefail

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

note() {
    echo "-- $*"
}

assert_eq() { # expected actual message
    [ "$1" = "$2" ] || fail "$3: expected [$1], got [$2]"
}

# Start from an empty work directory; the store lives inside it.
fresh_work() {
    rm -rf "$WORK"
    mkdir -p "$WORK"
    cd "$WORK"
    export COMTAINER_STORE="$WORK/store"
    unset COMTAINER_STRICT
}

# Print the sorted source paths of the TUs that FILE names.
tu_sources() {
    "$CTR_STORE" which "$1" --json | python3 -c '
import json, sys
recs = json.load(sys.stdin)
missing = [r["id"] for r in recs if not r.get("present")]
if missing:
    sys.exit("TUs missing from the store: %s" % missing)
print("\n".join(sorted(r["source"] for r in recs)))'
}

# Compare two objects or binaries apart from the TU record section.
same_code() { # a b
    local ta="$WORK/.cmp.a" tb="$WORK/.cmp.b"
    objcopy -R .comtainer "$1" "$ta"
    objcopy -R .comtainer "$2" "$tb"
    cmp -s "$ta" "$tb"
}

# Compare the loaded sections of two linked binaries (build ids differ, since
# they hash the whole file, record included).
same_loaded_code() { # a b
    local s
    for s in .text .rodata .data; do
        objcopy -O binary --only-section="$s" "$1" "$WORK/.sec.a" 2>/dev/null || true
        objcopy -O binary --only-section="$s" "$2" "$WORK/.sec.b" 2>/dev/null || true
        cmp -s "$WORK/.sec.a" "$WORK/.sec.b" || return 1
    done
}

# Number of TU records in the store.
record_count() {
    "$CTR_STORE" ls "$COMTAINER_STORE" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
