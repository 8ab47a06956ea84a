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

# Copy tests/projects/multi to DIR and build it with clang-19 and make -j2:
# with the plugin when `captured` is given (its output goes to DIR.log; a
# failed build fails the test), plain otherwise.
build_multi() { # dir [captured] [make args...]
    local dir=$1 mode=${2:-plain}
    shift $(($# < 2 ? $# : 2))
    rm -rf "$dir" && cp -r "$TESTS_DIR/projects/multi" "$dir"
    if [ "$mode" = captured ]; then
        make -C "$dir" -j2 CC="$CC_CLANG" CXX="$CXX_CLANG" \
            CFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" CXXFLAGS="-O2 -fplugin=$COMTAINER_PLUGIN" \
            "$@" >"$dir.log" 2>&1 || { cat "$dir.log"; fail "building $dir with the plugin"; }
    else
        make -C "$dir" -j2 CC="$CC_CLANG" CXX="$CXX_CLANG" "$@" >"$dir.log" 2>&1 ||
            { cat "$dir.log"; fail "building $dir"; }
    fi
}

# Build tests/projects/multi with the plugin into ROOT/opt/app, with its store
# at ROOT/var/lib/comtainer/store and copies of this machine's runtime
# libraries, as a base image would have them.  Extra make arguments follow.
make_app_rootfs() { # root [make args...]
    local root=$1
    shift
    export COMTAINER_STORE="$root/var/lib/comtainer/store"
    build_multi "$WORK/src" captured "$@"
    mkdir -p "$root/opt/app" "$root/usr/bin"
    cp "$WORK/src/heat" "$WORK/src/solve" "$WORK/src/libsolver.so" "$root/opt/app/"
    add_runtime_libs "$root"
}

# Copies of this machine's C and C++ runtime libraries and loader into ROOT,
# laid out as in Debian (merged /usr).
add_runtime_libs() { # root
    local root=$1 lib
    mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/lib64"
    for lib in libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1; do
        cp "/lib/x86_64-linux-gnu/$lib" "$root/usr/lib/x86_64-linux-gnu/"
    done
    cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
    [ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
}
