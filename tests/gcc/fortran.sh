#!/bin/sh
# A Fortran program of three files joined by modules: every TU captured as
# gfortran/fortran, objects, module files and the program unchanged, and the
# captured IR alone relinks into a working program.
. "$(dirname "$0")/lib.sh"

# Both builds run in b/ (debug info records the directory), then move.
build() { # DIR [-fplugin=...]
    d=$1
    shift
    mkdir b
    (
        cd b
        for s in vecmod solver prog; do
            $FC -O2 -g -c "$SRC/$s.f90" -o "$s.o" "$@"
        done
        $FC vecmod.o solver.o prog.o -o prog $NOBUILDID
    )
    mv b/* "$d"
    rmdir b
}
build ref
with_plugin build cap

for f in vecmod.o solver.o prog.o prog; do
    same_object "ref/$f" "cap/$f"
done
for m in vecmod.mod solver.mod; do
    cmp -s "ref/$m" "cap/$m" || fail "module file $m differs"
done
out=$(ref/prog)
[ "$(cap/prog)" = "$out" ] || fail "program output differs"

[ "$(tu_ids cap/prog | wc -l)" -eq 3 ] || fail "prog does not name 3 TUs"
mkdir ir
for id in $(tu_ids cap/prog); do
    [ "$(record_field "$id" compiler)" = gfortran ] || fail "TU $id: compiler is not gfortran"
    [ "$(record_field "$id" language)" = fortran ] || fail "TU $id: language is not fortran"
    "$CTR" extract --store "$COMTAINER_STORE" -o "ir/$id.o" "$id"
done
# Relink from the IR alone, at another optimization level.
$FC -flto -O3 ir/*.o -o relinked || fail "relinking the captured IR failed"
[ "$(./relinked)" = "$out" ] || fail "relinked program output differs"
echo "ok: Fortran modules captured and relinked"
