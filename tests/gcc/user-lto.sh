#!/bin/sh
# Users who already build with -flto: slim and fat LTO objects are unchanged
# apart from the TU record, which travels as a top-level asm statement
# (.gnu.lto_.asm.*) so that it reaches the program through link-time
# optimization.  The plugin also sits harmlessly in the LTO link (lto1).
. "$(dirname "$0")/lib.sh"

# GCC names LTO sections after a random number: fix it to compare.
for s in kernel util main; do
    compile_lto() { # OUT FLAGS...
        o=$1
        shift
        $CC -O2 -flto -frandom-seed="$s" -I"$SRC" -c "$SRC/$s.c" -o "$o" "$@"
    }
    compile_lto "ref/$s.o"
    with_plugin compile_lto "cap/$s.o"
    same_object "ref/$s.o" "cap/$s.o" --remove-section='.gnu.lto_.asm.*'
    strings "cap/$s.o" | grep -q '^CMTR1:' && fail "$s.o: record outside the LTO IR"
    [ "$(tu_ids "cap/$s.o" | wc -l)" -eq 0 ] || fail "$s.o: slim object carries a .comtainer section"

    compile_lto "ref/$s.fat.o" -ffat-lto-objects
    with_plugin compile_lto "cap/$s.fat.o" -ffat-lto-objects
    same_object "ref/$s.fat.o" "cap/$s.fat.o" --remove-section='.gnu.lto_.asm.*'
    [ "$(tu_ids "cap/$s.fat.o" | wc -l)" -eq 1 ] || fail "$s.fat.o does not name 1 TU"
done
[ "$(record_count)" -eq 6 ] || fail "$(record_count) records, expected 6"

$CC -O2 -flto ref/kernel.o ref/util.o ref/main.o -o ref/prog $NOBUILDID
# the user's link, with the plugin still in CFLAGS
with_plugin $CC -O2 -flto cap/kernel.o cap/util.o cap/main.o -o cap/prog $NOBUILDID
same_object ref/prog cap/prog
[ "$(record_count)" -eq 6 ] || fail "the LTO link captured something"
[ "$(tu_ids cap/prog | wc -l)" -eq 3 ] || fail "prog does not name 3 TUs"
for id in $(tu_ids cap/prog); do
    src=$(record_field "$id" source)
    case $src in */kernel.c | */util.c | */main.c) ;; *) fail "prog names '$src'" ;; esac
done
[ "$(ref/prog 2)" = "$(cap/prog 2)" ] || fail "program output differs"

# fat objects linked without LTO
$CC ref/kernel.fat.o ref/util.fat.o ref/main.fat.o -o ref/fat $NOBUILDID
$CC cap/kernel.fat.o cap/util.fat.o cap/main.fat.o -o cap/fat $NOBUILDID
same_object ref/fat cap/fat
expect=$(for s in kernel util main; do tu_ids "cap/$s.fat.o"; done | sort)
[ "$(tu_ids cap/fat | sort)" = "$expect" ] || fail "fat program does not name its 3 TUs"
echo "ok: -flto builds unchanged, records survive LTO"
