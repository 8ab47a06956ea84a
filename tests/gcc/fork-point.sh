#!/bin/sh
# Where the capture process forks: after the compiler's early optimizations
# when the compile runs them (-O1 and up: the capture process then does not
# run them again), at IPA start when it does not (-O0, -Og: the capture
# process runs them at -O2).  Either way the objects are unchanged and the
# captured C++ relinks and runs.  At -O3, early inlining of templates, SRA
# and function splitting once left front-end trees in the captured IR.
. "$(dirname "$0")/lib.sh"

# fork_point FLAGS...: where the capture of shapes.cpp forked
fork_point() {
    COMTAINER_DEBUG=1 "$CXX" "$@" -I"$SRC" -c "$SRC/shapes.cpp" -o debug.o \
        -fplugin="$PLUGIN" 2>&1 |
        sed -n 's/.*capture process forked \([a-zA-Z ]*\),.*/\1/p'
}
for o in -O1 -O2 -O3 -Os; do
    [ "$(fork_point $o)" = "after the early optimizations" ] ||
        fail "$o: the capture process did not fork after the early optimizations"
done
for o in -O0 -Og; do
    [ "$(fork_point $o)" = "at IPA start" ] || fail "$o: the capture process did not fork at IPA start"
done

for flags in "-O1" "-O2" "-O3" "-O3 -g" "-Ofast -fPIC" "-Og" "-O0"; do
    tag=$(printf '%s' "$flags" | tr -c 'A-Za-z0-9' _)
    mkdir "ir$tag"
    for s in shapes app; do
        compile_pair "$s$tag" c++ "$CXX" $flags -I"$SRC" "$SRC/$s.cpp"
        "$CTR" extract --store "$COMTAINER_STORE" -o "ir$tag/$s.o" "$(tu_ids "cap/$s$tag.o")"
    done
    $CXX "ref/shapes$tag.o" "ref/app$tag.o" -o "ref/app$tag"
    $CXX -flto -O3 "ir$tag/shapes.o" "ir$tag/app.o" -o "relinked$tag" ||
        fail "$flags: relinking the captured IR failed"
    [ "$("./relinked$tag")" = "$("ref/app$tag")" ] || fail "$flags: relinked program output differs"
done

# LTO section names end in a content-derived number, as lto1 parses and
# prints it back: 16 hex digits without a leading zero; distinct TUs,
# distinct numbers.
suffixes() { # OBJECT: the distinct section name suffixes
    readelf -SW "$1" | sed -n 's/.* \.gnu\.lto_[a-z_.]*\.\([0-9a-f]*\) .*/\1/p' | sort -u
}
a=$(suffixes ir_O2/shapes.o) b=$(suffixes ir_O2/app.o)
for s in "$a" "$b"; do
    printf '%s\n' "$s" | grep -qx '[1-9a-f][0-9a-f]\{15\}' || fail "section suffix '$s' is not 16 hex digits"
done
[ "$a" != "$b" ] || fail "two TUs' IR objects share the section suffix $a"
# The plugin's own pass writes no dump file: the dumps are the compiler's.
mkdir dumps.ref dumps.cap
(cd dumps.ref && $CC -O2 -fdump-ipa-all -I"$SRC" -c "$SRC/util.c" -o util.o)
(cd dumps.cap && with_plugin $CC -O2 -fdump-ipa-all -I"$SRC" -c "$SRC/util.c" -o util.o)
[ "$(ls dumps.ref)" = "$(ls dumps.cap)" ] || fail "-fdump-ipa-all writes other files with the plugin"
verify_store
echo "ok: capture forks after the early optimizations where they run; C++ relinks at every -O"
