#!/bin/sh
# A C/Fortran program (C main, Fortran module with bind(C) procedures calling
# back into C): both languages captured, objects and program unchanged, and
# the captured IR of both relinks together into a working program.
. "$(dirname "$0")/lib.sh"

build() { # DIR [-fplugin=...]
    d=$1
    shift
    mkdir b
    (
        cd b
        $CC -O2 -g -c "$SRC/cside.c" -o cside.o "$@"
        $FC -O2 -g -c "$SRC/fside.f90" -o fside.o "$@"
        $FC cside.o fside.o -o mixed $NOBUILDID
    )
    mv b/* "$d"
    rmdir b
}
build ref
with_plugin build cap
for f in cside.o fside.o mixed; do
    same_object "ref/$f" "cap/$f"
done
cmp -s ref/fside.mod cap/fside.mod || fail "module file differs"
out=$(ref/mixed)
[ "$(cap/mixed)" = "$out" ] || fail "program output differs"

langs=$(for id in $(tu_ids cap/mixed); do record_field "$id" language; done | sort | tr '\n' ' ')
[ "$langs" = "c fortran " ] || fail "mixed names TUs of languages '$langs', not 'c fortran'"
mkdir ir
for id in $(tu_ids cap/mixed); do
    "$CTR" extract --store "$COMTAINER_STORE" -o "ir/$id.o" "$id"
done
$FC -flto -O3 ir/*.o -o relinked || fail "relinking the captured IR failed"
[ "$(./relinked)" = "$out" ] || fail "relinked program output differs"
echo "ok: C/Fortran program captured and relinked"
