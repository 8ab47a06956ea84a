#!/usr/bin/env bash
# The link-time recorder (ld-plugin/, -Wl,-plugin,comtainer-ld.so) with
# ld.bfd (gcc, clang) and gold: a program of captured C files, an assembly
# file and a vendor archive built without the plugin (one member used, one
# not).  The binary names the TUs, one elf-object record per object without
# IR and one link record; its loaded bytes are those of the same link
# without the plugin; the stored objects are the exact input bytes; the link
# record holds the linker's argv and a manifest of the inputs in order; a
# broken store gives one warning (strict mode: a failed link); -shared works;
# and the stored inputs alone relink into a working program.
. "$TESTS_DIR/lib.sh"
fresh_work
[ -n "${COMTAINER_LD_PLUGIN:-}" ] && [ -f "$COMTAINER_LD_PLUGIN" ] ||
    fail "COMTAINER_LD_PLUGIN is not the built plugin"
LDP=$COMTAINER_LD_PLUGIN

# ---- the project ------------------------------------------------------------
mkdir src && cd src
cat >main.c <<'C'
#include <stdio.h>
int asm_add(int, int);
int vendor_used(int);
int helper(int);
int main(void) {
    printf("result %d\n", asm_add(2, 3) + vendor_used(4) + helper(1));
    return 0;
}
C
printf 'int helper(int x) { return x * 10; }\n' >helper.c
cat >add.S <<'S'
    .text
    .globl asm_add
    .type asm_add, @function
asm_add:
    leal (%rdi,%rsi), %eax
    ret
    .size asm_add, .-asm_add
    .section .note.GNU-stack,"",@progbits
S
printf 'int vendor_used(int x) { return x + 100; }\n' >used.c
printf 'int vendor_unused(int x) { return x - 100; }\n' >unused.c
"$CC_CLANG" -O2 -fPIC -fplugin="$COMTAINER_PLUGIN" -c main.c helper.c || fail "captured compile"
gcc -fPIC -c add.S -o add.o || fail "assembling add.S"
gcc -O2 -fPIC -c used.c unused.c || fail "vendor compile"          # no plugin
ar rcs libvendor.a used.o unused.o
ar p libvendor.a used.o >used.member
cd "$WORK"
expected_out="result 119"

# The records a binary names, as JSON lines: {"id", "ir_kind", "source", ...}.
records() { # binary
    "$CTR_STORE" which "$1" --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if not r.get("present"):
        sys.exit("record %s missing from the store" % r["id"])
    print(json.dumps(r))'
}
# "kind source" lines of the records a binary names, in order.
kinds_sources() { # binary
    records "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l); print(r["ir_kind"], r["source"])'
}
link_id() { # binary
    records "$1" | python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in sys.stdin if json.loads(l)["ir_kind"] == "link"]
assert len(ids) == 1, ids
print(ids[0])'
}
record_field() { # id field
    "$CTR_STORE" show --json "$1" | json_get "j[\"$2\"]"
}
record_id_of() { # binary kind source
    records "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["ir_kind"] == sys.argv[1] and r["source"] == sys.argv[2]: print(r["id"])' "$2" "$3"
}

# ---- one link, checked ---------------------------------------------------------
check_link() { # name linker-name driver [driver args...]
    local name=$1 lname=$2
    shift 2
    note "$name: link with and without the recorder"
    (cd src && "$@" main.o helper.o add.o libvendor.a -o "../$name.plain") || fail "$name: plain link"
    (cd src && "$@" main.o helper.o add.o libvendor.a -o "../$name" -Wl,-plugin,"$LDP") \
        2>"$name.err" || { cat "$name.err"; fail "$name: link with the recorder"; }
    [ ! -s "$name.err" ] || { cat "$name.err"; fail "$name: the recorder printed something"; }
    assert_eq "$expected_out" "$("./$name")" "$name output"

    note "$name: (1) the binary names the TUs, the two objects without IR and the link"
    assert_eq "elf-object add.o
elf-object libvendor.a(used.o)
link ../$name
llvm-bc helper.c
llvm-bc main.c" "$(kinds_sources "$name" | LC_ALL=C sort)" "$name records"
    # exactly 5 (no duplicate, no unused member, no crt file)
    assert_eq 5 "$(records "$name" | wc -l)" "$name: number of records"

    note "$name: (2) loaded sections and segments identical to the plain link"
    same_loaded_code "$name.plain" "$name" || fail "$name: loaded sections differ"
    for s in .note.gnu.property .eh_frame .init_array .dynsym .dynstr; do
        objcopy -O binary --only-section=$s "$name.plain" s.a || fail "objcopy $s of $name.plain"
        objcopy -O binary --only-section=$s "$name" s.b || fail "objcopy $s of $name"
        cmp -s s.a s.b || fail "$name: section $s differs"
    done
    diff <(readelf -lW "$name.plain" | sed -n '/Program Headers/,$p') \
        <(readelf -lW "$name" | sed -n '/Program Headers/,$p') || fail "$name: segments differ"

    note "$name: (3) the stored objects are the exact input bytes"
    local id
    id=$(record_id_of "$name" elf-object add.o)
    "$CTR_STORE" extract "$id" -o "$name.add.o" || fail "$name: extract add.o"
    cmp "$name.add.o" src/add.o || fail "$name: stored add.o differs"
    id=$(record_id_of "$name" elf-object 'libvendor.a(used.o)')
    "$CTR_STORE" extract "$id" -o "$name.used.o" || fail "$name: extract used.o"
    cmp "$name.used.o" src/used.member || fail "$name: stored member differs from ar p"
    assert_eq "$lname" "$(record_field "$id" compiler)" "$name: elf-object compiler (the linker, as the link's record names it)"
    assert_eq "$WORK/src" "$(record_field "$id" cwd)" "$name: elf-object cwd"
    assert_eq "../$name" "$(record_field "$id" output)" "$name: elf-object output"
    "$CTR_STORE" show "$id" | grep_q '^ir_kind  *elf-object$' || fail "$name: show elf-object"

    note "$name: (4) the link record: linker, argv, manifest in link order"
    id=$(link_id "$name")
    assert_eq "$lname" "$(record_field "$id" compiler)" "$name: link compiler"
    assert_eq "../$name" "$(record_field "$id" output)" "$name: link output"
    "$CTR_STORE" show --json "$id" | python3 -c '
import json, sys
a = json.load(sys.stdin)["driver_args"]
i = [a.index(x) for x in ("main.o", "helper.o", "add.o", "libvendor.a")]
assert i == sorted(i), a
assert "-plugin" in a and any(x.endswith("comtainer-ld.so") for x in a), a
assert a[a.index("-o") + 1] == sys.argv[1], a' "../$name" || fail "$name: link argv"
    "$CTR_STORE" extract "$id" -o "$name.manifest" || fail "$name: extract the manifest"
    python3 - "$name.manifest" "$(record_id_of "$name" llvm-bc main.c)" \
        "$(record_id_of "$name" elf-object add.o)" <<'PY' || { cat "$name.manifest"; fail "$name: manifest"; }
import sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[0] == "comtainer-link-manifest 1" and lines[-1] == "", lines
ent = [l.split(" ", 2) for l in lines[1:-1]]
assert all(len(e) == 3 for e in ent), ent
classes = {"tu", "lto", "runtime", "object", "shared", "archive", "other"}
assert all(e[0] in classes for e in ent), ent
paths = [e[2] for e in ent]
order = [paths.index(p) for p in ("main.o", "helper.o", "add.o", "libvendor.a(used.o)")]
assert order == sorted(order), paths
assert "libvendor.a(unused.o)" not in paths, paths
byp = {e[2]: e for e in ent}
assert byp["main.o"][:2] == ["tu", sys.argv[2]], byp["main.o"]
assert byp["add.o"][:2] == ["object", sys.argv[3]], byp["add.o"]
assert byp["libvendor.a(used.o)"][0] == "object"
crt = [e for e in ent if e[2].rsplit("/", 1)[-1].startswith(("crt", "Scrt1"))]
assert crt and all(e[0] == "runtime" and e[1] == "-" for e in crt), crt
assert any(e[0] == "shared" and "libc.so" in e[2] for e in ent), ent
PY
}

check_link gcc-bfd ld.bfd gcc
check_link gcc-gold ld.gold gcc -fuse-ld=gold
check_link clang-bfd ld.bfd "$CC_CLANG" -fuse-ld=bfd

note "a configure probe's link is not recorded"
before=$("$CTR_STORE" ls --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
printf 'int main(void) { return 0; }\n' >conftest.c
gcc -c conftest.c -o conftest.o
gcc conftest.o -o conftest -Wl,-plugin,"$LDP" || fail "linking conftest with the recorder"
assert_eq "$before" "$("$CTR_STORE" ls --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
    "records after the probe link"
readelf -S conftest | grep_q '\.comtainer' && fail "the probe was tagged"

note "stats: the recorder's records by their kind, by the linker that wrote them"
"$CTR_STORE" stats --json >stats.json || fail "ctr-store stats"
python3 - stats.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
langs = set(s["by_language"])
comps = set(s["by_compiler"])
assert "(link)" in langs and "(object)" in langs and "" not in langs, langs
assert "ld" not in comps and {"ld.bfd", "ld.gold"} <= comps, comps
PY

note "crt files and the unused member are never stored"
n_objects=$("$CTR_STORE" ls --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r.get("ir_kind") == "elf-object"))') ||
    fail "ctr-store ls"
# one add.o and one used.o record per linked binary (their output differs)
assert_eq 6 "$n_objects" "elf-object records in the store"
"$CTR_STORE" verify >/dev/null || fail "store does not verify"

note "the option given twice (a Makefile passing \$(LDFLAGS) twice): ld.bfd's one line, the same records"
(cd src && gcc main.o helper.o add.o libvendor.a -o ../twice -Wl,-plugin,"$LDP" \
    -Wl,-plugin,"$LDP") 2>twice.err || { cat twice.err; fail "link with the option twice"; }
assert_eq "/usr/bin/ld: $LDP: duplicated plugin" "$(cat twice.err)" "what the link printed"
assert_eq "elf-object add.o
elf-object libvendor.a(used.o)
link ../twice
llvm-bc helper.c
llvm-bc main.c" "$(kinds_sources twice | LC_ALL=C sort)" "records of the link with the option twice"

note "lld ignores -plugin: the link works, no link record"
"$CC_CLANG" -fuse-ld=lld src/main.o src/helper.o src/add.o src/libvendor.a -o lld \
    -Wl,-plugin,"$LDP" 2>lld.err || { cat lld.err; fail "lld link"; }
assert_eq "" "$(kinds_sources lld | grep -v '^llvm-bc' || true)" "lld records"

note "a response file (gcc hands ld a temporary @FILE): the argv is recorded expanded"
printf 'main.o "helper.o"\nadd.o libvendor.a\n' >src/objs.rsp
(cd src && gcc @objs.rsp -o ../rsp -Wl,-plugin,"$LDP") || fail "link with a response file"
"$CTR_STORE" show --json "$(link_id rsp)" | python3 -c '
import json, sys
a = json.load(sys.stdin)["driver_args"]
assert not any(x.startswith("@") for x in a[1:]), a
i = [a.index(x) for x in ("main.o", "helper.o", "add.o", "libvendor.a")]
assert i == sorted(i), a' || fail "response file argv"

note "equal links give equal binaries, even with the driver's temporary files"
for cc in gcc "$CC_CLANG"; do
    for i in 1 2; do
        (cd src && "$cc" main.o helper.o add.S libvendor.a -o ../repro -Wl,-plugin,"$LDP") ||
            fail "one-step link ($cc)"
        mv repro repro.$i
    done
    cmp -s repro.1 repro.2 || fail "two equal links ($cc) differ"
    kinds_sources repro.1 >repro.kinds # a file: grep -q would cut a pipe short (SIGPIPE)
    grep -Eq '^elf-object .*/(ccXXXXXX|add-XXXXXX)\.o$' repro.kinds ||
        { cat repro.kinds; fail "temporary object name not masked ($cc)"; }
done

note "(5) an unwritable store: the link succeeds with one warning; strict mode fails it"
touch not-a-dir
(cd src && COMTAINER_STORE="$WORK/not-a-dir/store" gcc main.o helper.o add.o libvendor.a \
    -o ../unwritable -Wl,-plugin,"$LDP") 2>unw.err || { cat unw.err; fail "link broke"; }
assert_eq 1 "$(grep -c '^comtainer-ld: warning: .*not-a-dir' unw.err)" "one warning"
assert_eq 1 "$(wc -l <unw.err)" "nothing but the warning"
assert_eq "$expected_out" "$(./unwritable)" "unwritable-store output"
same_loaded_code gcc-bfd.plain unwritable || fail "unwritable-store link differs"
for how in "-Wl,-plugin-opt=strict" "COMTAINER_STRICT=1"; do
    for ld in bfd gold; do
        rm -f strict
        if (cd src && if [ "$how" = COMTAINER_STRICT=1 ]; then export COMTAINER_STRICT=1; fi
            COMTAINER_STORE="$WORK/not-a-dir/store" gcc -fuse-ld=$ld main.o helper.o add.o \
                libvendor.a -o ../strict -Wl,-plugin,"$LDP" \
                $([ "$how" = COMTAINER_STRICT=1 ] || echo "$how")) 2>strict.err; then
            fail "strict mode ($how, $ld) linked"
        fi
        grep -q '^comtainer-ld: error: .*not-a-dir' strict.err || { cat strict.err; fail "strict message"; }
        [ ! -e strict ] || fail "strict mode ($how, $ld) left an output"
    done
done

note "-plugin-opt=store=DIR names the store"
(cd src && gcc main.o helper.o add.o libvendor.a -o ../other-store \
    -Wl,-plugin,"$LDP" -Wl,-plugin-opt=store="$WORK/store2") || fail "store= link"
[ -f store2/FORMAT ] || fail "store= not used"
# (the TUs' records are in $COMTAINER_STORE: which reports them missing, exit 1)
rc=0
"$CTR_STORE" which --store store2 other-store --json >which2.json 2>/dev/null || rc=$?
assert_eq 1 "$rc" "exit status of which with the TUs in another store"
python3 -c '
import json, sys
k = [r["ir_kind"] for r in json.load(sys.stdin) if r.get("present")]
assert k.count("elf-object") == 2 and k.count("link") == 1, k' <which2.json || fail "store= records"

note "(6) a shared library"
for ld in bfd gold; do
    (cd src && gcc -shared -fuse-ld=$ld helper.o add.o libvendor.a -Wl,-u,vendor_used \
        -o ../libx-$ld.so) || fail "plain -shared ($ld)"
    (cd src && gcc -shared -fuse-ld=$ld helper.o add.o libvendor.a -Wl,-u,vendor_used \
        -o ../liby-$ld.so -Wl,-plugin,"$LDP") || fail "-shared with the recorder ($ld)"
    same_loaded_code libx-$ld.so liby-$ld.so || fail "-shared ($ld): loaded sections differ"
    assert_eq "elf-object add.o
elf-object libvendor.a(used.o)
link ../liby-$ld.so
llvm-bc helper.c" "$(kinds_sources liby-$ld.so | sort)" "-shared ($ld) records"
done

note "a CET link keeps its IBT/SHSTK property (the tagging object is neutral)"
printf 'int f(void) { return 1; }\n' >cet.c
gcc -fcf-protection=full -fPIC -c cet.c -o cet.o
for ld in bfd gold; do
    gcc -fcf-protection=full -nostdlib -shared -fuse-ld=$ld cet.o -o cet-plain.so
    gcc -fcf-protection=full -nostdlib -shared -fuse-ld=$ld cet.o -o cet-rec.so -Wl,-plugin,"$LDP"
    readelf -n cet-plain.so | grep_q 'IBT, SHSTK' || fail "no CET property without the recorder"
    diff <(readelf -n cet-plain.so | grep -v 'Build ID') <(readelf -n cet-rec.so | grep -v 'Build ID') ||
        fail "the recorder changed the notes of a CET link ($ld)"
done

note "(7) the stored inputs alone relink: LLVM bitcode + recorded objects"
mkdir relink
i=0
while read -r kind id; do
    case $kind in
    llvm-bc) "$CTR_STORE" extract "$id" -o relink/$i.bc ;;
    elf-object) "$CTR_STORE" extract "$id" -o relink/$i.o ;;
    esac
    i=$((i + 1))
done < <(records gcc-bfd | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l); print(r["ir_kind"], r["id"])')
"$CC_CLANG" -O3 -flto -fuse-ld=lld relink/* -o relinked || fail "relink from the store"
assert_eq "$expected_out" "$(./relinked)" "relinked output"
echo PASS
