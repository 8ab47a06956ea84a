#!/bin/sh
# A multi-file C and C++ project with a static library: every TU is
# captured, objects and programs are unchanged apart from the TU records,
# and each program names exactly the TUs linked into it.
. "$(dirname "$0")/lib.sh"

printf 'int never_linked(int x) { return x + 42; }\n' >unused.c

build() { # DIR [-fplugin=...]
    d=$1
    shift
    for s in kernel util main; do
        $CC -O2 -g -I"$SRC" -c "$SRC/$s.c" -o "$d/$s.o" "$@"
    done
    $CC -O2 -c unused.c -o "$d/unused.o" "$@"
    ar rcs "$d/libk.a" "$d/kernel.o" "$d/util.o" "$d/unused.o"
    $CC "$d/main.o" -L"$d" -lk -o "$d/prog" $NOBUILDID
    $CXX -O2 -c "$SRC/shapes.cpp" -o "$d/shapes.o" "$@"
    $CXX -O2 -c "$SRC/app.cpp" -o "$d/app.o" "$@"
    $CXX "$d/shapes.o" "$d/app.o" -o "$d/app" $NOBUILDID
    # compile and link in one driver run
    $CXX -O1 "$SRC/shapes.cpp" "$SRC/app.cpp" -o "$d/app1" $NOBUILDID "$@"
}

build ref
with_plugin build cap

for f in kernel.o util.o main.o unused.o shapes.o app.o prog app app1; do
    same_object "ref/$f" "cap/$f"
done
[ "$(ref/prog 3)" = "$(cap/prog 3)" ] || fail "prog output differs"
[ "$(cap/app1)" = "$(ref/app)" ] || fail "app output differs"

# every TU captured: 6 objects + 2 TUs of the combined run
[ "$(record_count)" -eq 8 ] || fail "$(record_count) records, expected 8"
for s in kernel.c util.c main.c shapes.cpp app.cpp; do
    "$CTR" ls "$COMTAINER_STORE" | grep -q "/$s\$" || fail "no record for $s"
done

# programs name their TUs: the objects' ids, and no archive member left out
expect=$(for o in main kernel util; do tu_ids "cap/$o.o"; done | sort)
[ "$(tu_ids cap/prog | sort)" = "$expect" ] || fail "prog does not name exactly main, kernel and util"
tu_ids cap/prog | grep -q "$(tu_ids cap/unused.o)" && fail "prog names the unlinked archive member"
expect=$(for o in shapes app; do tu_ids "cap/$o.o"; done | sort)
[ "$(tu_ids cap/app | sort)" = "$expect" ] || fail "app does not name exactly shapes and app"
[ "$(tu_ids cap/app1 | wc -l)" -eq 2 ] || fail "app1 does not name 2 TUs"
for id in $(tu_ids cap/app1); do
    [ "$(record_field "$id" compiler)" = g++ ] || fail "app1 TU $id: compiler is not g++"
    [ "$(record_field "$id" output)" = "" ] || fail "app1 TU $id: a temporary object has an output"
done
id=$(tu_ids cap/main.o)
[ "$(record_field "$id" output)" = cap/main.o ] || fail "main.o: output is not the driver's -o"
[ "$(record_field "$id" compiler)" = gcc ] || fail "main.o: compiler is not gcc"
verify_store
echo "ok: project captured, unchanged, programs name their TUs"
