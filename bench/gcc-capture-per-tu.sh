#!/usr/bin/env bash
# gcc-capture-per-tu.sh — the GCC plugin's capture cost, TU by TU.
#
# Replays each compile of a project alone, back to back without the plugin
# and with each plugin given (the order rotates every round), for several
# rounds, each plugin run with a fresh store.  CPU time is user+sys of the
# whole compile (driver, cc1, the capture process: all reaped); wall time is
# elapsed.  Reports, per variant, the project's total per round (median and
# the range of the overhead over rounds) and, with --tus, each TU's medians
# and the capture process's own CPU time (from COMTAINER_DEBUG=1; plugins
# that do not print it show 0).  On a shared machine trust CPU time, and the
# capture process's CPU time most.
#
#   big      bench/gcc-gen-big-tu.sh N (--tu-size, default 40), g++ -O2
#   lua      lua 5.4 (34 C files), gcc -O2, from the cache that
#            bench/capture-overhead.sh fills (CACHE/src/lua5.4/tree)
#   leveldb  leveldb (40 C++ files), g++ -O2, same cache, configured with
#            CMake to get its compile commands
#
# Usage: bench/gcc-capture-per-tu.sh [--project big|lua|leveldb] [--rounds N]
#          [--tu-size N] [--cache DIR] [--tus] PLUGIN.so [PLUGIN.so ...]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
PROJECT=lua ROUNDS=3 TU_SIZE=40 PER_TU=0
CACHE=${COMTAINER_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comtainer-bench}
usage() {
    echo "usage: $0 [--project big|lua|leveldb] [--rounds N] [--tu-size N] [--cache DIR] [--tus] PLUGIN.so..." >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --project) PROJECT=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --tu-size) TU_SIZE=$2; shift ;;
    --cache) CACHE=$2; shift ;;
    --tus) PER_TU=1 ;;
    -*) usage ;;
    *) break ;;
    esac
    shift
done
[ $# -ge 1 ] || usage
for p in "$@"; do [ -f "$p" ] || { echo "no plugin '$p'" >&2; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/obj"

# $work/tus.json: [{"name", "cwd", "argv"}], objects sent to $work/obj
case $PROJECT in
big)
    sh "$root/bench/gcc-gen-big-tu.sh" "$TU_SIZE" >"$work/big.cpp"
    printf '[{"name": "big.cpp", "cwd": "%s", "argv": ["g++-12", "-O2", "-c", "big.cpp", "-o", "obj/big.o"]}]\n' \
        "$work" >"$work/tus.json"
    ;;
lua)
    tree=$CACHE/src/lua5.4/tree
    [ -d "$tree" ] || { echo "lua5.4: not in $CACHE/src (run bench/capture-overhead.sh once to fetch)" >&2; exit 1; }
    cp -r "$tree" "$work/lua"
    python3 - "$work" <<'EOF'
import glob, json, os, sys
work = sys.argv[1]
src = work + "/lua/src"
tus = [{"name": os.path.basename(f), "cwd": src,
        "argv": ["gcc-12", "-std=gnu99", "-O2", "-Wall", "-Wextra", "-DLUA_COMPAT_5_3",
                 "-DLUA_USE_LINUX", "-c", os.path.basename(f), "-o", work + "/obj/" + os.path.basename(f) + ".o"]}
       for f in sorted(glob.glob(src + "/*.c"))]
json.dump(tus, open(work + "/tus.json", "w"))
EOF
    ;;
leveldb)
    tree=$CACHE/src/leveldb/tree
    [ -d "$tree" ] || { echo "leveldb: not in $CACHE/src (run bench/capture-overhead.sh once to fetch)" >&2; exit 1; }
    cp -r "$tree" "$work/leveldb"
    cmake -S "$work/leveldb" -B "$work/leveldb/b" -G Ninja -DCMAKE_BUILD_TYPE=None \
        -DCMAKE_C_COMPILER=gcc-12 -DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_C_FLAGS=-O2 \
        -DCMAKE_CXX_FLAGS=-O2 -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
    python3 - "$work" <<'EOF'
import json, os, shlex, sys
work = sys.argv[1]
tus = []
for c in json.load(open(work + "/leveldb/b/compile_commands.json")):
    argv = shlex.split(c["command"])
    argv[argv.index("-o") + 1] = work + "/obj/" + os.path.basename(c["file"]) + ".o"
    tus.append({"name": os.path.basename(c["file"]), "cwd": c["directory"], "argv": argv})
json.dump(tus, open(work + "/tus.json", "w"))
EOF
    ;;
*) usage ;;
esac

echo "gcc: $(g++-12 --version | head -1); $(nproc) cpus; load $(cut -d' ' -f1-3 /proc/loadavg); $PROJECT, $ROUNDS rounds"
python3 - "$work" "$ROUNDS" "$PER_TU" "$@" <<'EOF'
import json, os, re, resource, shutil, statistics, subprocess, sys, time

work, rounds, per_tu, plugins = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
tus = json.load(open(work + "/tus.json"))
variants = [("plain", "")] + [("%d:%s" % (i + 1, os.path.basename(p)), os.path.abspath(p))
            for i, p in enumerate(plugins)]
capture_cpu = re.compile(r"capture process .*?([0-9.]+) ms CPU")

def run(tu, plugin):
    """(wall s, cpu s, capture process cpu s) of one compile."""
    argv, env = list(tu["argv"]), dict(os.environ)
    if plugin:
        shutil.rmtree(work + "/store", ignore_errors=True)
        argv.append("-fplugin=" + plugin)
        env.update(COMTAINER_STORE=work + "/store", COMTAINER_DEBUG="1")
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    p = subprocess.run(argv, cwd=tu["cwd"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    t1, r1 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("compile failed: %s\n%s" % (" ".join(argv), p.stderr[-2000:]))
    m = capture_cpu.search(p.stderr)
    cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    return t1 - t0, cpu, float(m.group(1)) / 1e3 if m else 0.0

res = {v: {tu["name"]: [] for tu in tus} for v, _ in variants}
for r in range(rounds):
    for tu in tus:
        k = r % len(variants)
        for label, plugin in variants[k:] + variants[:k]:
            res[label][tu["name"]].append(run(tu, plugin))

def total(label, r, i):
    return sum(res[label][tu["name"]][r][i] for tu in tus)

base = variants[0][0]
for i, what in ((1, "cpu"), (0, "wall")):
    for label, _ in variants:
        per = [total(label, r, i) for r in range(rounds)]
        over = [100 * (total(label, r, i) / total(base, r, i) - 1) for r in range(rounds)]
        print("%-4s %-24s median %8.2f s  overhead median %+6.1f%%  range %+6.1f%% .. %+6.1f%%" % (
            what, label, statistics.median(per), statistics.median(over), min(over), max(over)))
for label, plugin in variants[1:]:
    cap = [total(label, r, 2) for r in range(rounds)]
    print("capture process CPU %-24s median %.2f s (%.1f%% of plain CPU)" % (
        label, statistics.median(cap),
        100 * statistics.median(cap) / statistics.median(total(base, r, 1) for r in range(rounds))))
if per_tu:
    for tu in tus:
        cells = ["%s cpu %.3f wall %.3f capture %.3f" % (
            label, statistics.median(x[1] for x in res[label][tu["name"]]),
            statistics.median(x[0] for x in res[label][tu["name"]]),
            statistics.median(x[2] for x in res[label][tu["name"]])) for label, _ in variants]
        print("%-20s %s" % (tu["name"], " | ".join(cells)))
EOF
