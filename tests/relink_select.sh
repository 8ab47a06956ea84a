#!/usr/bin/env bash
# --select CMD: each binary's builds (the configured recipe, the other side
# of --lto, generic tuning) and its original are timed with CMD inside the
# root, and the fastest is written: the output file is the build chosen; a
# binary whose original runs CMD faster is kept; a command that fails with
# the relinked binaries keeps every original; one that fails with the
# originals makes no choice.  Also --lto none on GIMPLE: each TU compiled
# on its own, no LTO link.
. "$TESTS_DIR/lib.sh"
relink_fixture
mkdir -p "$root/bin"
# a shell, and the tool a timing command below uses
cp /bin/dash "$root/bin/sh"
cp /usr/bin/wc "$root/bin/"
# two vectorizable kernels of ~0.1 s, long enough for the relinked code's
# speed to show above the noise of starting a command in a root; given a
# size, a kernel whose own file has another size takes 0.2 s longer (or,
# given "crash" too, aborts)
for p in kernel gk; do
    cat >$p.c <<C
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#define N 4096
static double x[N], y[N];
__attribute__((noinline)) static void axpy(double a) { for (int i = 0; i < N; i++) y[i] += a * x[i]; }
int main(int argc, char **argv) {
    struct stat st;
    if (argc > 1 && (stat("/proc/self/exe", &st) != 0 || st.st_size != atol(argv[1]))) {
        if (argc > 2)
            abort();
        usleep(200000);
    }
    for (int i = 0; i < N; i++) x[i] = 1.0 / (i + 1);
    for (int r = 0; r < 100000; r++) axpy(1e-7);
    double s = 0; for (int i = 0; i < N; i++) s += y[i];
    printf("$p %.6e\\n", s);
    return 0;
}
C
done
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" kernel.c -o "$root/opt/app/kernel"
[ -f "$GCC_PLUGIN" ] || fail "no GCC plugin at $GCC_PLUGIN"
gcc-12 -O2 -fplugin="$GCC_PLUGIN" gk.c -o "$root/opt/app/gk"
kernel_out=$("$root/opt/app/kernel")
gk_out=$("$root/opt/app/gk")
kernel_size=$(wc -c <"$root/opt/app/kernel")
cp "$root/opt/app/kernel" kernel.orig
cp "$root/opt/app/gk" gk.orig

# run_select NAME CMD [args]: relink $root into $WORK/NAME with --select CMD
# and --json into NAME.json (stderr in NAME.err); sets rc
run_select() {
    local name=$1 cmd=$2
    shift 2
    rc=0
    "$RELINK" "$root" -o "$WORK/$name" -j2 --json --select "$cmd" "$@" >"$name.json" \
        2>"$name.err" || rc=$?
}
select_field() { # json field
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["select"][sys.argv[2]])' "$@"
}
# the work directory's build of NAME's binary that OUT holds ("" if none)
which_build() { # work file
    local f
    for f in "$1"/bin/* "$1"/bin-r1/* "$1"/bin-r2/* "$1"/bin-r3/* "$1"/bin-r4/* "$1"/bin-x/*; do
        cmp -s "$f" "$2" && { echo "${f#"$1"/}"; return; }
    done
    echo ""
}

note "a command running both programs: every choice timed, the fastest written"
# (the original may be the fastest: on some CPUs native tuning makes the
# clang kernel slower than its generic -O2 build)
run_select both '/opt/app/kernel >/dev/null; /opt/app/gk >/dev/null'
[ $rc = 0 ] || [ $rc = 1 ] || { cat both.err; fail "--select: exit $rc"; }
assert_eq True "$(select_field both.json done)" "a choice was made"
assert_eq False "$(select_field both.json reverted)" "relinked binaries kept"
grep -q "choosing builds by timing, 3 rounds" both.err || { cat both.err; fail "no timing message"; }
python3 - both.json "$WORK/both.ctr-work" <<'PY' || fail "the --select report"
import filecmp, itertools, json, sys
j = json.load(open(sys.argv[1]))
work = sys.argv[2]
log = open(work + "/select.log").read()
# GIMPLE has no thin mode: a GCC binary's builds are "LTO" and "no LTO"
llvm = ["original", "thin LTO", "no LTO", "thin LTO, generic tuning", "thin LTO, no FP contraction",
        "thin LTO, -O2"]
gcc = ["original", "LTO", "no LTO", "LTO, generic tuning", "LTO, no FP contraction", "LTO, -O2"]
dirs = ["", "bin", "bin-r1", "bin-r2", "bin-r3", "bin-r4"]
# the report's binaries are in the plan's order: the work files' numbers
for i, b in enumerate(j["binaries"]):
    names = gcc if b["toolchain"] == "gcc" else llvm
    second = f"== second stage: {b['path']} as {b['recipe']}, " in log
    if b["action"] == "kept":
        assert b["reason"].startswith("--select: the original was faster"), b
    else:
        assert b["action"] == "relinked" and (b["recipe"] in names[1:] or second), b
    got, same = b["select_seconds"], b.get("select_same", {})
    # and where two changes were each faster, the second stage's build
    for k in set(got) - set(names):
        assert f"== second stage: {b['path']} as {k}, " in log, (k, got)
    # a build with the same bytes as an earlier one is timed as it, once
    assert set(names) <= set(got) | set(same), (got, same)
    build = {n: f"{work}/{d}/{i}" for n, d in zip(names[1:], dirs[1:])}
    for k, v in same.items():
        assert v in got and k not in got, (k, v, got)
        assert k not in build or filecmp.cmp(build[k], build[v], shallow=False), (k, v)
        assert f"== {b['path']}: {k} is the same file as {v}: timed as it" in log, (k, v)
    for x, y in itertools.combinations([n for n in names[1:] if n in got], 2):
        assert not filecmp.cmp(build[x], build[y], shallow=False), (b["path"], x, y)
    assert all(isinstance(v, float) and v > 0 for v in got.values()), got
s = j["select"]
assert s["original_seconds"] > 0 and s["chosen_seconds"] > 0, s
if s["per_program"]:
    # each program is timed by its own processes: a part of the command run
    # in the same setup (the originals; the configured builds)
    for b in j["binaries"]:
        got = b["select_seconds"]
        assert got["original"] < s["original_seconds"] * 0.9, (b, s)
        configured = "LTO" if b["toolchain"] == "gcc" else "thin LTO"
        assert got[configured] < s["configured_seconds"] * 0.9, (b, s)
else:
    print("-- (ptrace not allowed here: programs were timed by the whole command)")
PY
want_rc=0
for p in kernel gk; do
    if [ "$(binary_field both.json /opt/app/$p action)" = kept ]; then
        cmp -s $p.orig "$WORK/both/opt/app/$p" || fail "$p: kept, but not the original"
        want_rc=1
        note "($p: its original was the fastest)"
        continue
    fi
    b=$(which_build "$WORK/both.ctr-work" "$WORK/both/opt/app/$p")
    [ -n "$b" ] || fail "$p in the output is none of the builds"
    want=$(binary_field both.json /opt/app/$p recipe)
    case "$want:$b" in
    "thin LTO:bin/"* | "no LTO:bin-r1/"* | "thin LTO, generic tuning:bin-r2/"*) ;;
    "thin LTO, no FP contraction:bin-r3/"* | "thin LTO, -O2:bin-r4/"*) ;;
    "LTO:bin/"* | "LTO, generic tuning:bin-r2/"* | "LTO, no FP contraction:bin-r3/"* | "LTO, -O2:bin-r4/"*)
        [ $p = gk ] || fail "$p: a GCC recipe" ;;
    *:bin-x/*) # the second stage's: two changes named
        grep -q "^== second stage: /opt/app/$p as $want, " "$WORK/both.ctr-work/select.log" ||
            fail "$p: the output holds $b, no second stage built '$want'" ;;
    *) fail "$p: the output holds $b, the report says '$want'" ;;
    esac
done
assert_eq $want_rc $rc "exit status (1: a binary kept)"
assert_eq "$kernel_out" "$("$WORK/both/opt/app/kernel")" "kernel from the chosen build"
assert_eq "$gk_out" "$("$WORK/both/opt/app/gk")" "gk from the chosen build"
[ ! -e "$WORK/both.ctr-work/select-root" ] || fail "the timing root was left behind"
# the log: every run with its setup and times, every decision with its medians
log="$WORK/both.ctr-work/select.log"
grep -q "^== before any build: the original binaries$" "$log" || fail "select.log: no check before the builds"
grep -q "^== run 1, the original binaries (the reference)$" "$log" || fail "select.log: no reference run"
grep -Eq "^== run [0-9]+: [0-9.]+ s, exit status 0$" "$log" || fail "select.log: no run's times"
grep -Eq "^== run [0-9]+: /opt/app/kernel [0-9.]+ s, CPU 0\.[0-9]*[1-9][0-9]* s$" "$log" ||
    fail "select.log: no time of kernel's own processes, wall and CPU"
grep -Eq "^== run [0-9]+, (.*; )?/opt/app/kernel as no LTO(;.*)?$" "$log" ||
    fail "select.log: no trial of kernel"
for p in kernel gk; do
    grep -Eq "^== decision for /opt/app/$p \(medians\): original [0-9.]+ s( p=[0-9.]+)?;.* chosen: " "$log" ||
        fail "select.log: no decision for $p: $(cat "$log")"
done
grep -Eq "^== decision: the choices together [0-9.]+ s, the originals [0-9.]+ s" "$log" ||
    fail "select.log: no final decision"
# each binary's choices under its own toolchain's names (GIMPLE has no thin LTO)
# (a build with the same bytes as the configured one is named where it is dropped)
{ grep "^== decision for /opt/app/gk " "$log" | grep_q "; LTO, -O2 [0-9.]* s" ||
    grep_q "^== /opt/app/gk: LTO, -O2 is the same file as LTO: timed as it$" "$log"; } ||
    fail "select.log: gk's -O2 build is not named as GCC's: $(grep 'decision for /opt/app/gk' "$log")"
! { grep "^== decision for /opt/app/gk " "$log"; grep -o "/opt/app/gk as [^;]*" "$log"; } |
    grep_q "thin LTO" ||
    fail "select.log: a GCC binary's choice named by LLVM's recipe"
{ grep "^== decision for /opt/app/kernel " "$log" | grep_q "; thin LTO, -O2 [0-9.]* s" ||
    grep_q "^== /opt/app/kernel: thin LTO, -O2 is the same file as thin LTO: timed as it$" "$log"; } ||
    fail "select.log: kernel's -O2 build: $(grep 'decision for /opt/app/kernel' "$log")"

# each program timed by its own processes: the two programs' choices share
# runs, a round is the configured setup and one run per choice of the
# program with most (5 each here, fewer where builds had the same bytes),
# not one per choice of every program
if [ "$(select_field both.json per_program)" = True ]; then
    packed=$(python3 - both.json <<'PY'
import json, sys
# the first stage's choices but the configured build (LLVM's: "thin LTO, ...")
def first(b):
    lto = "LTO" if b["toolchain"] == "gcc" else "thin LTO"
    return ["original", "no LTO"] + [f"{lto}, {c}" for c in
                                     ("generic tuning", "no FP contraction", "-O2")]
n = [sum(1 for k in b["select_seconds"] if k in first(b))
     for b in json.load(open(sys.argv[1]))["binaries"]]
print(f"{1 + max(n)} runs for {sum(n)} choices")
PY
)
    grep -q "^== round 1: $packed$" "$log" ||
        fail "select.log: round 1 not packed ($packed): $(grep '^== round' "$log")"
    grep -Eq "^== run [0-9]+, /opt/app/(kernel|gk) as [^;]+; /opt/app/(kernel|gk) as [^;]+$" "$log" ||
        fail "select.log: no run with both programs' choices"
fi

note "--lto none on GIMPLE: one native compile per TU, a link without LTO"
grep -q "nolto-rel" "$WORK/both.ctr-work/build.ninja" || fail "no per-TU GIMPLE compile"
"$RELINK" "$root" -o "$WORK/nolto" --lto none -j2 --json >nolto.json 2>nolto.err ||
    { cat nolto.err; fail "--lto none"; }
assert_eq "no LTO" "$(binary_field nolto.json /opt/app/gk recipe)" "recipe of --lto none"
gk_link=$(grep -A1 '^build bin/' "$WORK/nolto.ctr-work/build.ninja" | grep 'gcc-12 ') ||
    fail "no GCC link in build.ninja"
case $gk_link in *-flto*) fail "the GCC link of --lto none uses LTO: $gk_link" ;; esac
assert_eq "$gk_out" "$("$WORK/nolto/opt/app/gk")" "gk relinked without LTO"

note "a binary whose original runs the command faster is kept"
# the kernel tells its original from a build by its size: every build differs
# (the plan lists binaries by path: gk is 0, kernel 1)
for d in bin bin-r1 bin-r2; do
    [ "$(wc -c <"$WORK/both.ctr-work/$d/1")" != "$kernel_size" ] ||
        fail "$d/1 has the original kernel's size: the test cannot tell them apart"
done
# (3 rounds, and more while undecided: the kernel's four or five choices are
# tested together, the first at p <= 0.05/5, which takes 5 runs each)
run_select slow "/opt/app/kernel $kernel_size >/dev/null" --select-rounds 3
[ $rc = 1 ] || { cat slow.err; fail "a kept binary: exit $rc (want 1)"; }
assert_eq kept "$(binary_field slow.json /opt/app/kernel action)" "kernel under a command it slows"
binary_field slow.json /opt/app/kernel reason | grep_q -- "--select: the original was faster" ||
    fail "reason: $(binary_field slow.json /opt/app/kernel reason)"
cmp -s kernel.orig "$WORK/slow/opt/app/kernel" || fail "the kept kernel is not the original"

note "a command that fails with the relinked binaries keeps every original"
run_select broken "[ \"\$(wc -c </opt/app/kernel)\" = $kernel_size ]" --select-rounds 1
[ $rc = 1 ] || { cat broken.err; fail "exit $rc (want 1)"; }
assert_eq True "$(select_field broken.json reverted)" "reverted"
for p in kernel gk; do
    assert_eq kept "$(binary_field broken.json /opt/app/$p action)" "$p under a failing command"
    binary_field broken.json /opt/app/$p reason | grep_q "fails with the relinked binaries" ||
        fail "$p: reason $(binary_field broken.json /opt/app/$p reason)"
    cmp -s $p.orig "$WORK/broken/opt/app/$p" || fail "$p is not the original"
done

note "a relinked program that crashes under a command that goes on anyway: the originals stay"
run_select crash "/opt/app/kernel $kernel_size crash >/dev/null 2>&1 || true" --select-rounds 1
if [ "$(select_field crash.json per_program)" = True ]; then
    [ $rc = 1 ] || { cat crash.err; fail "exit $rc (want 1)"; }
    assert_eq True "$(select_field crash.json reverted)" "reverted after a crash"
    binary_field crash.json /opt/app/kernel reason | grep_q "fails with the relinked binaries" ||
        fail "kernel: reason $(binary_field crash.json /opt/app/kernel reason)"
    cmp -s kernel.orig "$WORK/crash/opt/app/kernel" || fail "the crashing kernel was written"
else
    note "(ptrace not allowed here: a crash under '|| true' cannot be seen)"
fi

note "a command that exits 3 with the originals: 3 is the reference every build must give"
run_select nochoice 'exit 3' --select-rounds 1
[ $rc = 0 ] || { cat nochoice.err; fail "exit $rc"; }
assert_eq "thin LTO" "$(binary_field nochoice.json /opt/app/kernel recipe)" "the configured recipe"
grep -q "^== run 1: .*, exit status 3$" "$WORK/nochoice.ctr-work/select.log" ||
    fail "select.log: the reference run: $(cat "$WORK/nochoice.ctr-work/select.log")"

note "--select-budget: no round of trials starts once it is spent, and the report says so"
# (each run of the kernel given a size not its own takes 0.2 s longer: the
# reference and round 1's five or more runs take over a second)
assert_eq False "$(select_field both.json budget_spent)" "budget_spent without a budget"
run_select budget '/opt/app/kernel 1 >/dev/null' --select-budget 1
[ $rc = 0 ] || [ $rc = 1 ] || { cat budget.err; fail "--select-budget 1: exit $rc"; }
assert_eq True "$(select_field budget.json budget_spent)" "budget_spent"
log="$WORK/budget.ctr-work/select.log"
grep -q "^== --select-budget spent after 1 round of the trials$" "$log" ||
    fail "select.log: no budget line: $(grep '^== ' "$log")"
! grep_q "^== round 2" "$log" || fail "select.log: a round after the budget was spent"
grep -q "^== decision: the choices together " "$log" || grep -q "^== decision for /opt/app/kernel " "$log" ||
    fail "select.log: no decision within the budget"
grep -q "ctr-relink: --select: --select-budget spent" budget.err || { cat budget.err; fail "stderr"; }

note "a command that does not run to an end with the originals: refused before any build"
rc=0
"$RELINK" "$root" -o "$WORK/stuck" --json --select 'echo started; while :; do :; done' --cmd-timeout 2 \
    >stuck.json 2>stuck.err || rc=$?
assert_eq 2 "$rc" "exit status"
grep -q "ctr-relink: --select: the command does not run to an end with the original binaries (timed out after 2 s" stuck.err ||
    { cat stuck.err; fail "no reason"; }
grep -q "|started|" stuck.err || { cat stuck.err; fail "the message lacks the log's end"; }
[ ! -e "$WORK/stuck" ] && [ ! -e "$WORK/stuck.ctr-work" ] || fail "a refused --select left files"

note "a program that runs another: the two are never timed in one run"
# (the runner's time holds the kernel's: a run with both swapped would
# charge the kernel's build to the runner's choice)
cat >runner.c <<'C'
#include <spawn.h>
#include <sys/wait.h>
extern char **environ;
int main(void) {
    char *argv[] = {"/opt/app/kernel", 0};
    pid_t pid;
    int st;
    for (int i = 0; i < 2; i++)
        if (posix_spawn(&pid, argv[0], 0, 0, argv, environ) || waitpid(pid, &st, 0) < 0 || st)
            return 1;
    return 0;
}
C
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" runner.c -o "$root/opt/app/runner"
run_select nested '/opt/app/runner >/dev/null; /opt/app/gk >/dev/null' --select-rounds 1
[ $rc = 0 ] || [ $rc = 1 ] || { cat nested.err; fail "--select: exit $rc"; }
log="$WORK/nested.ctr-work/select.log"
if [ "$(select_field nested.json per_program)" = True ]; then
    grep -q "^== /opt/app/kernel and /opt/app/runner ran at the same time" "$log" ||
        fail "select.log: the nested programs are not named: $(grep '^== ' "$log" | head -20)"
    ! grep -E "^== run [0-9]+, " "$log" | grep "/opt/app/runner as" | grep_q "/opt/app/kernel as" ||
        fail "select.log: the runner and the kernel were timed in one run"
    # gk alone has no other program to share runs with: one choice a run
    grep -Eq "^== run [0-9]+, /opt/app/gk as [^;]+$" "$log" || fail "select.log: no trial of gk"
    ! grep -E "^== run [0-9]+, " "$log" | grep_q ";" || fail "select.log: a run with two choices"
else
    note "(ptrace not allowed here: every choice is timed alone)"
fi

note "two changes each faster: the second stage builds them together and times that"
# pick sleeps as long as a table in the root says for the hash of its own
# file: the configured build, the original and the other recipes' builds
# 0.3 s, two recipes' builds 0.15 s, any other build (their combination) not
cat >pick.c <<'C'
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#define N 4096
static double x[N], y[N];
__attribute__((noinline)) static void axpy(double a) { for (int i = 0; i < N; i++) y[i] += a * x[i]; }
int main(void) {
    FILE *f = fopen("/proc/self/exe", "rb"), *t;
    uint64_t h = 1469598103934665603ULL;
    unsigned long long key;
    long us;
    int ch;
    while (f && (ch = getc(f)) != EOF)
        h = (h ^ (uint64_t)ch) * 1099511628211ULL;
    if (f)
        fclose(f);
    if ((t = fopen("/opt/app/delays", "r"))) {
        while (fscanf(t, "%llx %ld", &key, &us) == 2)
            if (key == h) {
                usleep((useconds_t)us);
                break;
            }
        fclose(t);
    }
    for (int i = 0; i < N; i++) x[i] = 1.0 / (i + 1);
    for (int r = 0; r < 2000; r++) axpy(1e-7);
    double s = 0;
    for (int i = 0; i < N; i++) s += y[i];
    printf("pick %.6e\n", s);
    return 0;
}
C
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" pick.c -o "$root/opt/app/pick"
pick_out=$("$root/opt/app/pick")
# a first relink builds every recipe; the table is written from its builds
run_select combo true --select-rounds 1
[ $rc = 0 ] || [ $rc = 1 ] || { cat combo.err; fail "--select true: exit $rc"; }
combo_name=$(python3 - combo.json "$root" "$WORK/combo.ctr-work" <<'PY'
import json, sys
j, root, work = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
i = [b["path"] for b in j["binaries"]].index("/opt/app/pick")
def fnv(path):
    h = 1469598103934665603
    for c in open(path, "rb").read():
        h = ((h ^ c) * 1099511628211) % 2**64
    return h
builds = {"": fnv(f"{work}/bin/{i}"), "orig": fnv(f"{root}/opt/app/pick")}
for r in range(1, 5):
    builds[r] = fnv(f"{work}/bin-r{r}/{i}")
# two recipes whose builds differ from each other and from every other
# build (generic tuning and no FP contraction do not combine for LLVM)
name = {(1, 2): "no LTO, generic tuning", (1, 4): "no LTO, -O2",
        (2, 4): "thin LTO, generic tuning, -O2", (1, 3): "no LTO, no FP contraction",
        (3, 4): "thin LTO, no FP contraction, -O2"}
for a, b in name:
    if len({builds[a], builds[b], builds[""], builds["orig"]}) == 4:
        with open(f"{root}/opt/app/delays", "w") as t:
            for k, h in builds.items():
                t.write("%x %d\n" % (h, 150000 if k in (a, b) else 300000))
        print(name[(a, b)])
        break
PY
) || fail "the delay table"
if [ -z "$combo_name" ]; then
    note "(no two recipes built pick differently: no second stage to test)"
else
    run_select combo '/opt/app/pick >/dev/null'
    [ $rc = 0 ] || [ $rc = 1 ] || { cat combo.err; fail "--select: exit $rc"; }
    log="$WORK/combo.ctr-work/select.log"
    i=$(python3 -c 'import json, sys; print([b["path"] for b in json.load(open(sys.argv[1]))["binaries"]].index("/opt/app/pick"))' combo.json)
fi
if [ -n "$combo_name" ] &&
    grep_q "^== /opt/app/pick: $combo_name is the same file as [^:]*: timed as it$" "$log"; then
    # a combination with the same bytes as one of the builds is not timed
    # again: no second stage, and the report names the build it equals
    note "(the combination is byte for byte one of the other builds)"
    ! grep_q "^== second stage: " "$log" || fail "select.log: a second stage for a build it had"
    python3 - combo.json "$combo_name" <<'PY' || fail "the JSON's select_same"
import json, sys
b = {b["path"]: b for b in json.load(open(sys.argv[1]))["binaries"]}["/opt/app/pick"]
assert sys.argv[2] in b["select_same"] and sys.argv[2] not in b["select_seconds"], b
PY
    rm -f "$root/opt/app/delays"
elif [ -n "$combo_name" ]; then
    grep -q "^== second stage: /opt/app/pick as $combo_name, the changes that were each faster, together$" "$log" ||
        fail "select.log: no second stage for pick ($combo_name): $(grep '^== ' "$log" | tail -30)"
    grep -Eq "^== run [0-9]+, (.*; )?/opt/app/pick as $combo_name(;.*)?$" "$log" ||
        fail "select.log: the combination was not timed"
    [ -f "$WORK/combo.ctr-work/bin-x/$i" ] || fail "no build of the combination in bin-x/"
    assert_eq "$pick_out" "$("$WORK/combo.ctr-work/bin-x/$i")" "pick built as the combination"
    grep -q "^build bin-x/$i: link" "$WORK/combo.ctr-work/combine.ninja" || fail "combine.ninja"
    # the combination is none of the builds in the table (else it would
    # not have been timed) and sleeps not at all: it must be chosen and written
    assert_eq "$combo_name" "$(binary_field combo.json /opt/app/pick recipe)" "pick's recipe"
    cmp -s "$WORK/combo.ctr-work/bin-x/$i" "$WORK/combo/opt/app/pick" ||
        fail "the combination chosen, not written"
    python3 - combo.json "$combo_name" <<'PY' || fail "the combination's time in the JSON"
import json, sys
b = {b["path"]: b for b in json.load(open(sys.argv[1]))["binaries"]}["/opt/app/pick"]
assert b["select_seconds"][sys.argv[2]] < 0.1, b
PY
    assert_eq "$pick_out" "$("$WORK/combo/opt/app/pick")" "pick as written"
    rm -f "$root/opt/app/delays"
fi

note "bad --select-rounds"
rc=0
"$RELINK" "$root" -o "$WORK/x" --select true --select-rounds 0 >/dev/null 2>bad.err || rc=$?
[ $rc = 2 ] && grep -q "select-rounds" bad.err || fail "--select-rounds 0: exit $rc"
[ ! -e "$WORK/x" ] || fail "--select-rounds 0 wrote the output"
note "ok"
