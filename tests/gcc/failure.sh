#!/bin/sh
# Never break the build: when the IR cannot be stored the compile still
# succeeds with one warning (even under -Werror) and an unchanged object;
# COMTAINER_STRICT=1 turns that into a failed compile.  Compiles that fail or
# produce no object behave exactly as without the plugin.
. "$(dirname "$0")/lib.sh"

touch notadir
src="$SRC/util.c"
$CC -O2 -Werror -Wall -c "$src" -o ref/util.o

for strict in 0 1; do
    rc=0
    COMTAINER_STRICT=$strict COMTAINER_STORE="$WORK/notadir/store" \
        $CC -O2 -Werror -Wall -c "$src" -o cap/util.o -fplugin="$PLUGIN" 2>err || rc=$?
    cat err
    [ "$(wc -l <err)" -eq 1 ] || fail "strict=$strict: not exactly one line of messages"
    if [ $strict = 0 ]; then
        [ $rc -eq 0 ] || fail "the compile failed because the IR could not be stored"
        grep -q "^comtainer: warning: IR not captured for '$src': " err || fail "no warning"
        cmp -s ref/util.o cap/util.o || fail "object without a record differs from the plain one"
    else
        [ $rc -ne 0 ] || fail "COMTAINER_STRICT=1: the compile succeeded"
        grep -q "^comtainer: error: IR not captured for '$src': " err || fail "no error"
    fi
done

# A broken source: the same messages and exit status as without the plugin.
printf 'int broken(void) { return undeclared_name; }\n' >broken.c
rc_ref=0 rc_cap=0
$CC -O2 -c broken.c -o ref/broken.o 2>err.ref || rc_ref=$?
$CC -O2 -c broken.c -o cap/broken.o -fplugin="$PLUGIN" 2>err.cap || rc_cap=$?
[ $rc_ref -ne 0 ] && [ $rc_ref -eq $rc_cap ] || fail "exit status $rc_cap, not $rc_ref"
cmp -s err.ref err.cap || fail "different messages for a broken source"

# Runs that write no object capture nothing and say nothing.
with_plugin $CC -fsyntax-only "$src"
with_plugin $CC -E "$src" -o util.i
[ "$(record_count)" -eq 0 ] || fail "-fsyntax-only or -E captured IR"
echo "ok: failures never break the build"
