#!/usr/bin/env bash
# The ctr-store command line: --help everywhere, clear errors naming the file,
# ls/show/which/stats/extract output, hostile .comtainer sections.
. "$TESTS_DIR/lib.sh"
fresh_work

for c in "" ls show which verify stats extract; do
    "$CTR_STORE" $c --help >help.txt || fail "ctr-store $c --help failed"
    grep -q "usage: ctr-store" help.txt || fail "ctr-store $c --help prints no usage"
done
"$CTR_STORE" --version | grep_q "store format 1" || fail "--version"
rc=0
"$CTR_STORE" frobnicate 2>e.txt || rc=$?
assert_eq 2 "$rc" "exit status of an unknown command"
grep -q "^ctr-store: 'frobnicate' is not a command" e.txt || fail "unknown command message"
rc=0
"$CTR_STORE" ls --bogus 2>e.txt || rc=$?
assert_eq 2 "$rc" "exit status of an unknown option"

note "errors name the file and the problem"
rc=0
"$CTR_STORE" ls "$WORK/nowhere" 2>e.txt || rc=$?
assert_eq 2 "$rc" "exit status of ls of a missing store"
grep -q "nowhere.*No such file" e.txt || fail "missing store message: $(cat e.txt)"
mkdir plain-dir
rc=0
"$CTR_STORE" verify plain-dir 2>e.txt || rc=$?
assert_eq 2 "$rc" "exit status of verify of a non-store"
grep -q "plain-dir' is not a comtainer store" e.txt || fail "non-store message: $(cat e.txt)"
echo "hello" >text.txt
rc=0
"$CTR_STORE" which text.txt 2>e.txt || rc=$?
assert_eq 1 "$rc" "exit status of which on a text file (a file it cannot read)"
grep -q "text.txt' is not an ELF file" e.txt || fail "which message: $(cat e.txt)"

note "ls, show, stats, extract on a real store"
printf 'int g(void) { return 7; }\n' >g.c
printf 'struct S { int v() { return 3; } };\nint h() { return S().v(); }\n' >h.cpp
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -c g.c -o g.o
"$CXX_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" -c h.cpp -o h.o
"$CTR_STORE" ls "$COMTAINER_STORE" --json >ls.json
python3 - <<'PY'
import json
recs = json.load(open("ls.json"))
assert len(recs) == 2, recs
for r in recs:
    for k in ("id", "source", "language", "compiler", "ir_kind"):
        assert k in r, k
assert sorted(r["language"] for r in recs) == ["c", "c++"]
PY
id=$("$CTR_STORE" which g.o --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$CTR_STORE" show "${id:0:10}" | grep_q "^source  *g.c$" || fail "show by prefix"
rc=0
"$CTR_STORE" show abc 2>e.txt || rc=$?
assert_eq 2 "$rc" "exit status of show with too short a prefix"
"$CTR_STORE" extract "$id" -o g.bc
"$LLVM_BINDIR/llvm-dis" g.bc -o - | grep_q 'define.*@g()' || fail "extracted IR lacks g"
"$CTR_STORE" stats --json >stats.json
python3 - <<'PY'
import json
s = json.load(open("stats.json"))
assert s["tus"] == 2 and s["unique"]["blobs"] == 2, s
assert s["by_language"]["c"]["tus"] == 1 and s["by_language"]["c++"]["tus"] == 1, s
assert s["by_compiler"]["clang"]["tus"] == 2, s
assert 0 < s["compressed_bytes"] < s["raw_bytes"], s
PY
"$CTR_STORE" stats | grep_q "by language" || fail "stats text"

note "which: a TU missing from the store is reported, exit 1"
mv store store.away
rc=0
"$CTR_STORE" which g.o --store "$WORK/store.away2" >w.txt 2>e.txt || rc=$?
assert_eq 1 "$rc" "exit status of which without the store"
grep -q "not in store" w.txt || fail "missing TU not shown: $(cat w.txt)"
mv store.away store

note "hostile .comtainer sections are refused with the offset"
cp g.o bad.o
printf 'CMTR1:../../../../etc/passwd\n' >badsec
objcopy --remove-section .comtainer --add-section .comtainer=badsec bad.o
rc=0
"$CTR_STORE" which bad.o 2>e.txt || rc=$?
assert_eq 1 "$rc" "exit status of which on a malformed section"
grep -q "bad.o': malformed .comtainer entry at offset 0" e.txt || fail "bad section message: $(cat e.txt)"
printf 'CMTR1:%s\nCMTR1:%s' "$id" "$id" >trunc
objcopy --remove-section .comtainer --add-section .comtainer=trunc g.o trunc.o
rc=0
"$CTR_STORE" which trunc.o 2>e.txt || rc=$?
assert_eq 1 "$rc" "exit status of which on a truncated entry"
grep -q "offset 71" e.txt || fail "truncated entry message: $(cat e.txt)"
echo PASS
