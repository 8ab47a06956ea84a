#!/usr/bin/env bash
# capture-overhead.sh — what does comtainer's IR capture cost a real build?
#
# For each real multi-file C/C++ project it builds the project from a clean
# build directory, again and again, alternately without and with the capture
# plugin (A B A B ..., same source every time, clang-19 -O2, -j2), and reports:
#
#   1. build time without vs with `-fplugin=<comtainer>`: median and minimum of
#      the wall-clock time AND of the CPU time (user+sys of the whole build,
#      which is far less sensitive to other load on a shared machine), the
#      spread (max-min) of each, and the overhead
#      (median_with / median_without - 1, also min_with / min_without - 1);
#   2. the IR store against the objects: the summed size of the .o files of a
#      plain build (and of the plugin build, whose objects also carry the small
#      `.comtainer` section), their text+data+bss (`size`), the store's raw IR
#      bytes and zstd-compressed bytes (`ctr-store stats --json`), and ratios.
#
# Whole builds on a shared, loaded machine are noisy (runs of the same build
# differ by 2x in wall time); --per-tu R adds a finer measurement: one more
# build records every compile command (through a logging launcher), then each
# TU is compiled alone (-j1) without and with the plugin, back to back, R
# times over; the sums give the overhead of the compiles themselves, and the
# per-TU deltas the fixed cost per compile (plugin loading, store writes).
#
# Every plugin build writes into a fresh, empty store (a store that already
# holds the blobs would skip compressing and writing them).  Configure steps
# (CMake) and source copies are not timed; only the build command is.
#
# Projects (--project, repeatable; default: zstd and leveldb):
#   zstd       C    Debian source package libzstd: `make -C lib libzstd.a`
#              (~33 TUs, the C library itself)
#   leveldb    C++  Debian source package leveldb: CMake + Ninja, the library
#              only (~40 TUs)
#   yaml-cpp   C++  Debian source package yaml-cpp: CMake + Ninja, library
#              only (~30 TUs)
#   lua        C    Debian source package lua5.4, upstream src/Makefile (Debian
#              patches skipped: they switch to libtool) (~33 TUs)
#   comtainer  C+C++ this repository's committed tree (`git archive HEAD`),
#              tests off: the C store library and tools, and the C++ plugin
#              whose TUs pull in the Clang/LLVM headers.  Needs no network.
#
# Needs: bash, clang-19/clang++-19, make, cmake, ninja, size (binutils), awk,
# jq or python3, the built plugin and ctr-store (`cmake --build build`).
# The Debian projects are fetched once with `apt-get source` into the cache
# directory, through a private apt configuration (a deb-src copy of the
# system's own deb entries, its own package lists) that never touches
# /etc/apt or the system's lists; that needs the package mirror and
# dpkg-source (dpkg-dev).  With the sources already cached, or with
# --project comtainer only, no network is used.
#
# Usage: bench/capture-overhead.sh [options]
#   --project NAME   project to measure (repeatable, or comma-separated)
#   --reps N         timed builds per variant, interleaved (default 5, min 1)
#   --warmup N       untimed builds per variant first (default 1)
#   --per-tu R       also replay each TU's compile alone, A B per TU, R rounds
#                    (default 0 = off; 3 adds ~2x a -j1 build per round)
#   --jobs N         parallel build jobs (default 2)
#   --opt FLAGS      optimization flags for both variants (default -O2)
#   --plugin PATH    plugin to load (default <repo>/build/lib/comtainer)
#   --ctr-store PATH ctr-store tool (default <repo>/build/tools/ctr-store/ctr-store)
#   --store-dir DIR  parent dir of the per-build stores (default: work dir;
#                    e.g. /dev/shm to put the store on tmpfs)
#   --work DIR       work directory (default: a fresh mktemp dir, removed
#                    at the end unless --keep)
#   --cache DIR      source cache (default ${XDG_CACHE_HOME:-~/.cache}/comtainer-bench,
#                    or $COMTAINER_BENCH_CACHE)
#   --json FILE      also write the results as JSON to FILE (`-` = stdout,
#                    and the table then goes to stderr)
#   --keep           keep the work directory (build logs, last store)
#   -h, --help       this text
#
# Examples (times on 2 cores; they grow with the machine's other load):
#   bench/capture-overhead.sh --per-tu 2 --json /tmp/capture-overhead.json  # 13-16 min
#   bench/capture-overhead.sh --project comtainer --reps 3                 # no network
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECTS=()
REPS=5
WARMUP=1
PER_TU=0
JOBS=2
OPT="-O2"
PLUGIN="$REPO/build/lib/comtainer"
CTR_STORE="$REPO/build/tools/ctr-store/ctr-store"
STORE_PARENT=""
WORK=""
CACHE="${COMTAINER_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/comtainer-bench}"
JSON_OUT=""
KEEP=0
CC_BIN=clang-19
CXX_BIN=clang++-19
LAUNCHER=""   # set for the recording build of --per-tu

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "capture-overhead: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --project) IFS=, read -r -a _p <<<"${2:?}"; PROJECTS+=("${_p[@]}"); shift 2 ;;
    --reps) REPS=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --per-tu) PER_TU=${2:?}; shift 2 ;;
    --jobs) JOBS=${2:?}; shift 2 ;;
    --opt) OPT=${2:?}; shift 2 ;;
    --plugin) PLUGIN=${2:?}; shift 2 ;;
    --ctr-store) CTR_STORE=${2:?}; shift 2 ;;
    --store-dir) STORE_PARENT=${2:?}; shift 2 ;;
    --work) WORK=${2:?}; shift 2 ;;
    --cache) CACHE=${2:?}; shift 2 ;;
    --json) JSON_OUT=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ ${#PROJECTS[@]} -gt 0 ] || PROJECTS=(zstd leveldb)
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die "--reps needs a positive integer"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "--warmup needs a non-negative integer"
[[ "$PER_TU" =~ ^[0-9]+$ ]] || die "--per-tu needs a non-negative integer"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "--jobs needs a positive integer"

for t in "$CC_BIN" "$CXX_BIN" make cmake ninja size awk find; do
  command -v "$t" >/dev/null || die "'$t' not found"
done
[ -f "$PLUGIN" ] || die "no plugin at '$PLUGIN' (cmake --build $REPO/build)"
[ -x "$CTR_STORE" ] || die "no ctr-store at '$CTR_STORE' (cmake --build $REPO/build)"
PLUGIN=$(cd "$(dirname "$PLUGIN")" && pwd)/$(basename "$PLUGIN")
if command -v jq >/dev/null; then
  jget() { jq -r "$2" "$1"; }
elif command -v python3 >/dev/null; then
  jget() { python3 - "$1" "$2" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].lstrip('.').split('.'):
    v = v[k]
print(v)
EOF
  }
else
  die "need jq or python3 to read 'ctr-store stats --json'"
fi

if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/capture-overhead.XXXXXX")
  [ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT
else
  mkdir -p "$WORK"
fi
WORK=$(cd "$WORK" && pwd)
STORE_PARENT=${STORE_PARENT:-$WORK}
mkdir -p "$STORE_PARENT" "$CACHE"
STORE_PARENT=$(cd "$STORE_PARENT" && pwd)

# ---------------------------------------------------------------- sources --

# A private apt setup that fetches source packages without touching /etc/apt:
# deb-src twins of the system's enabled deb entries, and separate lists.
apt_src_setup() {
  local a="$CACHE/apt"
  APT_OPTS=(-o "Dir::Etc::SourceList=$a/sources.list" -o "Dir::Etc::SourceParts=$a/parts"
            -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
            -o "Debug::NoDropPrivs=1" -o "APT::Sandbox::User=root")
  [ -f "$a/updated" ] && return 0
  command -v apt-get >/dev/null || die "apt-get is needed to fetch the sources"
  command -v dpkg-source >/dev/null || die "dpkg-source is needed (apt-get install dpkg-dev)"
  mkdir -p "$a/parts" "$a/lists/partial" "$a/cache/archives/partial"
  : >"$a/sources.list"
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$a/sources.list"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$f" \
      >"$a/parts/$(basename "$f")"
  done
  log "apt: fetching source package lists (private lists under $a)"
  apt-get "${APT_OPTS[@]}" update >"$a/update.log" 2>&1 ||
    log "apt: update reported errors (see $a/update.log); trying anyway"
  touch "$a/updated"
}

# fetch_deb_source PKG [--skip-patches]: echo the extracted source dir.
fetch_deb_source() {
  local pkg=$1 extra=${2:-} d="$CACHE/src/$1"
  if [ ! -f "$d/.ready" ]; then
    apt_src_setup
    rm -rf "$d" && mkdir -p "$d/dl"
    log "apt: fetching source package $pkg"
    (cd "$d/dl" && apt-get "${APT_OPTS[@]}" source --download-only "$pkg") \
      >"$d/fetch.log" 2>&1 || die "apt-get source $pkg failed (see $d/fetch.log)"
    local dsc
    dsc=$(find "$d/dl" -maxdepth 1 -name '*.dsc' | head -n1)
    [ -n "$dsc" ] || die "apt-get source $pkg fetched no .dsc (see $d/fetch.log)"
    (cd "$d" && dpkg-source --no-check ${extra:+"$extra"} -x "$dsc" tree) >>"$d/fetch.log" 2>&1 ||
      die "dpkg-source -x $dsc failed (see $d/fetch.log)"
    basename "$dsc" .dsc >"$d/.ready"
  fi
  echo "$d/tree"
}

# ------------------------------------------------------------- projects ---

# project_setup NAME: sets P_SRC, P_LANG, P_VERSION, P_SYSTEM
project_setup() {
  case "$1" in
    zstd) P_SRC=$(fetch_deb_source libzstd); P_LANG=c; P_SYSTEM="make: lib/libzstd.a" ;;
    lua) P_SRC=$(fetch_deb_source lua5.4 --skip-patches); P_LANG=c; P_SYSTEM="make: src/ all" ;;
    leveldb) P_SRC=$(fetch_deb_source leveldb); P_LANG="c++"; P_SYSTEM="cmake+ninja: leveldb" ;;
    yaml-cpp) P_SRC=$(fetch_deb_source yaml-cpp); P_LANG="c++"; P_SYSTEM="cmake+ninja: yaml-cpp" ;;
    comtainer)
      P_SRC="$CACHE/src/comtainer-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo tree)"
      if [ ! -d "$P_SRC" ]; then
        mkdir -p "$P_SRC.tmp"
        if git -C "$REPO" rev-parse HEAD >/dev/null 2>&1; then
          git -C "$REPO" archive HEAD | tar -x -C "$P_SRC.tmp"
        else
          (cd "$REPO" && tar -c --exclude=./build --exclude=./.git .) | tar -x -C "$P_SRC.tmp"
        fi
        mv "$P_SRC.tmp" "$P_SRC"
      fi
      P_LANG="c+c++"; P_SYSTEM="cmake+ninja: all (tests off)" ;;
    *) die "unknown project '$1' (zstd, lua, leveldb, yaml-cpp, comtainer)" ;;
  esac
  P_VERSION=$(cat "$(dirname "$P_SRC")/.ready" 2>/dev/null || basename "$P_SRC")
}

# project_prepare NAME DIR FLAGS JUNKSTORE: untimed: fresh source copy or configure.
project_prepare() {
  local name=$1 dir=$2 flags=$3 junk=$4
  rm -rf "$dir" && mkdir -p "$dir"
  case "$name" in
    zstd|lua) cp -a "$P_SRC/." "$dir/src" ;;
    leveldb|yaml-cpp|comtainer)
      local extra=()
      case "$name" in
        leveldb) extra=(-DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF -DLEVELDB_INSTALL=OFF) ;;
        yaml-cpp) extra=(-DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_CPP_BUILD_CONTRIB=OFF -DYAML_BUILD_SHARED_LIBS=OFF) ;;
        comtainer) extra=(-DCOMTAINER_BUILD_TESTS=OFF -DCOMTAINER_WERROR=OFF) ;;
      esac
      # The configure checks compile with the same flags: their captures go
      # to a throwaway store, not the measured one.
      COMTAINER_STORE=$junk cmake -S "$P_SRC" -B "$dir/build" -G Ninja \
        -DCMAKE_BUILD_TYPE=None -DCMAKE_C_COMPILER="$CC_BIN" -DCMAKE_CXX_COMPILER="$CXX_BIN" \
        -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" "${extra[@]}" \
        ${LAUNCHER:+-DCMAKE_C_COMPILER_LAUNCHER="$LAUNCHER" -DCMAKE_CXX_COMPILER_LAUNCHER="$LAUNCHER"} \
        >"$dir/configure.log" 2>&1 || die "configure of $name failed (see $dir/configure.log)"
      ;;
  esac
}

# project_build NAME DIR FLAGS: the timed part.  Returns the build's status.
project_build() {
  local name=$1 dir=$2 flags=$3
  case "$name" in
    zstd) CC="${LAUNCHER:+$LAUNCHER }$CC_BIN" CFLAGS=$flags make -C "$dir/src/lib" -j"$JOBS" libzstd.a ;;
    lua) make -C "$dir/src/src" -j"$JOBS" all CC="${LAUNCHER:+$LAUNCHER }$CC_BIN -std=gnu99" \
           CFLAGS="$flags -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX" \
           SYSLIBS="-Wl,-E -ldl" ;;
    leveldb|yaml-cpp|comtainer) ninja -C "$dir/build" -j"$JOBS" ;;
  esac
}

# --------------------------------------------------------------- helpers ---

# stats over whitespace-separated numbers: "median min max"
nstats() {
  tr ' ' '\n' <<<"$*" | awk 'NF' | sort -g | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}
# pct A B: 100*(B/A - 1)
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a > 0) ? 100 * (b / a - 1) : 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }

# obj_sizes DIR: "count file_bytes size_total comtainer_section_bytes"
obj_sizes() {
  local list
  list=$(mktemp)
  find "$1" -name '*.o' -type f ! -path '*/CMakeFiles/CMakeScratch/*' -print0 >"$list"
  local n bytes tot sec untagged
  n=$(tr -cd '\0' <"$list" | wc -c)
  if [ "$n" -eq 0 ]; then rm -f "$list"; echo "0 0 0 0 0"; return; fi
  bytes=$(xargs -0 stat -c %s <"$list" | awk '{ s += $1 } END { print s + 0 }')
  tot=$(xargs -0 size <"$list" | awk 'NR > 1 && $4 ~ /^[0-9]+$/ && $6 != "(TOTALS)" { s += $4 } END { print s + 0 }')
  # size -A prints "FILE  :" then one line per section; count objects with
  # no .comtainer section (assembler sources have no IR; others are misses).
  read -r sec untagged < <(xargs -0 size -A <"$list" | awk '
    / :$/ { if (f != "" && !t) u++; f = $1; t = 0 }
    $1 == ".comtainer" { s += $2; t = 1 }
    END { if (f != "" && !t) u++; print s + 0, u + 0 }')
  rm -f "$list"
  echo "$n $bytes $tot $sec $untagged"
}

# one_build NAME VARIANT(A|B) TAG: prepare + timed build; echoes "wall cpu".
one_build() {
  local name=$1 v=$2 tag=$3 flags=$OPT dir="$WORK/$1/build-$2"
  local store="$STORE_PARENT/$name-store-$v" junk="$WORK/$name/junk-store"
  [ "$v" = B ] && flags="$OPT -fplugin=$PLUGIN"
  rm -rf "$store" "$junk"
  project_prepare "$name" "$dir" "$flags" "$junk"
  sync
  local tf="$WORK/$name/time-$v-$tag" bl="$WORK/$name/build-$v-$tag.log" TIMEFORMAT='%3R %3U %3S'
  { time COMTAINER_STORE=$store project_build "$name" "$dir" "$flags" >"$bl" 2>&1; } 2>"$tf" ||
    die "$name build ($v, $tag) failed (see $bl)"
  if [ "$v" = B ]; then
    ! grep -q 'comtainer: \(warning\|error\)' "$bl" ||
      log "warning: $name: the plugin warned during the build (see $bl)"
    [ -d "$store" ] || die "$name: the plugin build wrote no store at $store (see $bl)"
  fi
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$tf"
}

# per_tu NAME ROUNDS: record the compile commands of one plain build, then
# replay each TU alone without (A) and with (B) the plugin, A B per TU.
# Sets PT_* (sums per round, per-TU delta stats).
per_tu() {
  local name=$1 rounds=$2
  local d="$WORK/$name/per-tu"
  rm -rf "$d" && mkdir -p "$d/cmds"
  cat >"$d/ccrec" <<EOS
#!/bin/sh
# Log one compile (cwd, then NUL-separated argv) and run it.
case " \$* " in *" -c "*) f=\$(mktemp "$d/cmds/c.XXXXXX") &&
  { printf '%s\\n' "\$PWD"; for a in "\$@"; do printf '%s\\0' "\$a"; done; } >"\$f" ;; esac
exec "\$@"
EOS
  chmod +x "$d/ccrec"
  LAUNCHER="$d/ccrec"
  project_prepare "$name" "$d/build" "$OPT" "$d/junk-store"
  project_build "$name" "$d/build" "$OPT" >"$d/record.log" 2>&1 ||
    die "$name: recording build failed (see $d/record.log)"
  LAUNCHER=""
  # Keep compiles of real source files (not the stdin probes of a Makefile).
  local f cmds=()
  for f in "$d"/cmds/c.*; do
    [ -f "$f" ] || continue
    if tail -n +2 "$f" | tr '\0' '\n' | grep -qE '\.(c|cc|cpp|cxx|C)$'; then cmds+=("$f"); fi
  done
  [ ${#cmds[@]} -gt 0 ] || die "$name: no compile commands recorded (see $d/record.log)"
  log "$name: per-TU replay of ${#cmds[@]} compiles, $rounds rounds (-j1)"
  local TIMEFORMAT='%3U %3S' r cwd args a i o t ta tb
  PT_A=() PT_B=() PT_D=()
  for ((r = 1; r <= rounds; r++)); do
    local store="$STORE_PARENT/$name-store-tu" sa=0 sb=0
    rm -rf "$store"
    for f in "${cmds[@]}"; do
      { IFS= read -r cwd; mapfile -d '' args; } <"$f"
      o=()
      for ((i = 0; i < ${#args[@]}; i++)); do
        a=${args[$i]}
        if [ "$a" = -o ]; then o+=(-o "$d/tu.o"); i=$((i + 1)); else o+=("$a"); fi
      done
      # (The redirection must sit inside the subshell, or it takes time's report.)
      t=$( { time (cd "$cwd" && "${o[@]}" >/dev/null 2>&1); } 2>&1 ) ||
        die "$name: replay of $f failed"
      ta=$(awk '{ printf "%.3f", $1 + $2 }' <<<"$t")
      t=$( { time (cd "$cwd" && COMTAINER_STORE=$store "${o[@]}" "-fplugin=$PLUGIN" >/dev/null 2>&1); } 2>&1 ) ||
        die "$name: replay of $f with the plugin failed"
      tb=$(awk '{ printf "%.3f", $1 + $2 }' <<<"$t")
      sa=$(awk -v s="$sa" -v x="$ta" 'BEGIN { printf "%.3f", s + x }')
      sb=$(awk -v s="$sb" -v x="$tb" 'BEGIN { printf "%.3f", s + x }')
      PT_D+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.1f", 1000 * (b - a) }')")
    done
    PT_A+=("$sa"); PT_B+=("$sb")
    log "  $name per-TU round $r/$rounds: cpu without ${sa}s, with ${sb}s ($(pct "$sa" "$sb")%)"
  done
  PT_N=${#cmds[@]}
}

# ------------------------------------------------------------------ run ---

CLANG_VERSION=$("$CC_BIN" --version | head -n1)
NCPU=$(nproc 2>/dev/null || echo "?")
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
START_TS=$(date +%s)
RESULTS_JSON=()
TABLE=()

for name in "${PROJECTS[@]}"; do
  project_setup "$name"
  mkdir -p "$WORK/$name"
  log "$name ($P_VERSION, $P_LANG, $P_SYSTEM): $WARMUP warm-up + $REPS timed builds per variant, -j$JOBS"
  for ((i = 1; i <= WARMUP; i++)); do
    one_build "$name" A "warm$i" >"$WORK/$name/res"
    one_build "$name" B "warm$i" >"$WORK/$name/res"
  done
  WA=() CA=() WB=() CB=()
  for ((i = 1; i <= REPS; i++)); do
    one_build "$name" A "$i" >"$WORK/$name/res"
    read -r w c <"$WORK/$name/res"; WA+=("$w"); CA+=("$c")
    log "  $name rep $i/$REPS  without: wall ${w}s cpu ${c}s"
    one_build "$name" B "$i" >"$WORK/$name/res"
    read -r w c <"$WORK/$name/res"; WB+=("$w"); CB+=("$c")
    log "  $name rep $i/$REPS  with:    wall ${w}s cpu ${c}s"
  done

  read -r wa_med wa_min wa_max <<<"$(nstats "${WA[*]}")"
  read -r wb_med wb_min wb_max <<<"$(nstats "${WB[*]}")"
  read -r ca_med ca_min ca_max <<<"$(nstats "${CA[*]}")"
  read -r cb_med cb_min cb_max <<<"$(nstats "${CB[*]}")"
  # Per-pair ratios (B_i / A_i) cancel slow drift in the machine's load.
  PAIR=()
  for ((i = 0; i < REPS; i++)); do PAIR+=("$(ratio "${CB[$i]}" "${CA[$i]}")"); done
  read -r pr_med pr_min pr_max <<<"$(nstats "${PAIR[*]}")"

  PT_LINE="" PT_JSON=""
  if [ "$PER_TU" -gt 0 ]; then
    per_tu "$name" "$PER_TU"
    read -r pa_med pa_min _ <<<"$(nstats "${PT_A[*]}")"
    read -r pb_med pb_min _ <<<"$(nstats "${PT_B[*]}")"
    PT_R=()
    for ((i = 0; i < PER_TU; i++)); do PT_R+=("$(pct "${PT_A[$i]}" "${PT_B[$i]}")"); done
    read -r pr_m pr_lo pr_hi <<<"$(nstats "${PT_R[*]}" | awk '{ printf "%.1f %.1f %.1f", $1, $2, $3 }')"
    read -r pd_med _ _ <<<"$(nstats "${PT_D[*]}" | awk '{ printf "%.1f %.1f %.1f", $1, $2, $3 }')"
    PT_LINE=$(printf '%s\n' \
      "per-TU replay, $PT_N compiles alone (-j1), A B per TU, $PER_TU rounds" \
      "  cpu sum without (s)  median $pa_med  min $pa_min" \
      "  cpu sum with    (s)  median $pb_med  min $pb_min" \
      "  overhead: of medians $(pct "$pa_med" "$pb_med")%; per round median $pr_m% (range $pr_lo..$pr_hi%); per-TU delta median $pd_med ms")
    PT_JSON=", \"per_tu\": {\"compiles\": $PT_N, \"rounds\": $PER_TU, \"cpu_without_s\": [$(IFS=,; echo "${PT_A[*]}")], \"cpu_with_s\": [$(IFS=,; echo "${PT_B[*]}")], \"overhead_pct_of_medians\": $(pct "$pa_med" "$pb_med"), \"overhead_pct_round_median\": $pr_m, \"tu_delta_ms_median\": $pd_med}"
  fi

  # Sizes: the last builds of each variant are still there.
  read -r na oa_bytes oa_size _ <<<"$(obj_sizes "$WORK/$name/build-A")"
  read -r nb ob_bytes _ ob_sec ob_untagged <<<"$(obj_sizes "$WORK/$name/build-B")"
  if [ "$ob_untagged" -gt 0 ]; then
    log "$name: objects of the last plugin build without a .comtainer section:"
    find "$WORK/$name/build-B" -name '*.o' -type f -exec sh -c \
      'size -A "$1" | grep -q "^\.comtainer " || echo "    $1"' sh {} \; >&2
  fi
  sj="$WORK/$name/store-stats.json"
  "$CTR_STORE" stats "$STORE_PARENT/$name-store-B" --json >"$sj" || die "ctr-store stats failed"
  tus=$(jget "$sj" .tus); raw=$(jget "$sj" .raw_bytes); comp=$(jget "$sj" .compressed_bytes)
  ublobs=$(jget "$sj" .unique.blobs); uraw=$(jget "$sj" .unique.raw_bytes)
  ucomp=$(jget "$sj" .unique.compressed_bytes)
  store_du=$(du -sb "$STORE_PARENT/$name-store-B" | cut -f1)

  TABLE+=("$(cat <<EOF
== $name ($P_VERSION; $P_LANG; $P_SYSTEM; -j$JOBS; $OPT) ==
build time, $REPS interleaved reps each     median     min     max
  wall  without plugin  (s)           $(printf '%9s %8s %8s' "$wa_med" "$wa_min" "$wa_max")
  wall  with plugin     (s)           $(printf '%9s %8s %8s' "$wb_med" "$wb_min" "$wb_max")
  cpu   without plugin  (s, user+sys) $(printf '%9s %8s %8s' "$ca_med" "$ca_min" "$ca_max")
  cpu   with plugin     (s, user+sys) $(printf '%9s %8s %8s' "$cb_med" "$cb_min" "$cb_max")
  overhead wall: median $(pct "$wa_med" "$wb_med")%  min $(pct "$wa_min" "$wb_min")%
  overhead cpu:  median $(pct "$ca_med" "$cb_med")%  min $(pct "$ca_min" "$cb_min")%  per-pair cpu ratio median $pr_med (range $pr_min..$pr_max)
${PT_LINE:+$PT_LINE
}sizes
  objects (plain build)      $na .o  $oa_bytes bytes on disk, $oa_size bytes text+data+bss
  objects (plugin build)     $nb .o  $ob_bytes bytes on disk (.comtainer sections: $ob_sec bytes; $ob_untagged .o without one)
  store                      $tus TUs, $ublobs unique blobs; raw IR $raw bytes, compressed $comp bytes ($store_du bytes on disk with records/dirs)
  raw IR / objects           $(ratio "$raw" "$oa_bytes")x   compressed / objects $(ratio "$comp" "$oa_bytes")x   compressed / raw $(ratio "$comp" "$raw")
  raw IR / text+data+bss     $(ratio "$raw" "$oa_size")x   compressed / text+data+bss $(ratio "$comp" "$oa_size")x
  object growth from tags    $(pct "$oa_bytes" "$ob_bytes")%
EOF
)")
  arr() { local IFS=,; echo "[$*]"; }
  RESULTS_JSON+=("$(cat <<EOF
    {"project": "$name", "source": "$P_VERSION", "language": "$P_LANG", "build": "$P_SYSTEM",
     "reps": $REPS, "warmup": $WARMUP,
     "wall_s": {"without": $(arr "${WA[@]}"), "with": $(arr "${WB[@]}"),
                "without_median": $wa_med, "without_min": $wa_min, "without_max": $wa_max,
                "with_median": $wb_med, "with_min": $wb_min, "with_max": $wb_max,
                "overhead_pct_median": $(pct "$wa_med" "$wb_med"), "overhead_pct_min": $(pct "$wa_min" "$wb_min")},
     "cpu_s": {"without": $(arr "${CA[@]}"), "with": $(arr "${CB[@]}"),
               "without_median": $ca_med, "without_min": $ca_min, "without_max": $ca_max,
               "with_median": $cb_med, "with_min": $cb_min, "with_max": $cb_max,
               "overhead_pct_median": $(pct "$ca_med" "$cb_med"), "overhead_pct_min": $(pct "$ca_min" "$cb_min"),
               "pair_ratio_median": $pr_med, "pair_ratio_min": $pr_min, "pair_ratio_max": $pr_max},
     "objects": {"count": $na, "file_bytes": $oa_bytes, "size_total_bytes": $oa_size,
                 "with_plugin_count": $nb, "with_plugin_file_bytes": $ob_bytes, "comtainer_section_bytes": $ob_sec, "with_plugin_untagged": $ob_untagged},
     "store": {"tus": $tus, "raw_bytes": $raw, "compressed_bytes": $comp, "unique_blobs": $ublobs,
               "unique_raw_bytes": $uraw, "unique_compressed_bytes": $ucomp, "disk_bytes": $store_du},
     "ratios": {"raw_over_objects": $(ratio "$raw" "$oa_bytes"), "compressed_over_objects": $(ratio "$comp" "$oa_bytes"),
                "compressed_over_raw": $(ratio "$comp" "$raw"), "raw_over_size_total": $(ratio "$raw" "$oa_size"),
                "compressed_over_size_total": $(ratio "$comp" "$oa_size")}$PT_JSON}
EOF
)")
done

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
ELAPSED=$(( $(date +%s) - START_TS ))
# With --json -, stdout carries the JSON and the table goes to stderr.
if [ "$JSON_OUT" = "-" ]; then exec 3>&2; else exec 3>&1; fi
{
  echo "comtainer capture overhead — $CLANG_VERSION; $NCPU CPUs; plugin $PLUGIN"
  echo "store dir: $STORE_PARENT; load average at start $LOAD_START, at end $LOAD_END; ${ELAPSED}s in all"
  echo "overhead = median_with / median_without - 1; cpu = user+sys of the whole build (robust to other load)"
  for t in "${TABLE[@]}"; do echo; echo "$t"; done
} >&3

if [ -n "$JSON_OUT" ]; then
  j=$(
    echo "{\"clang\": \"$CLANG_VERSION\", \"cpus\": \"$NCPU\", \"jobs\": $JOBS, \"opt\": \"$OPT\","
    echo " \"plugin\": \"$PLUGIN\", \"store_dir\": \"$STORE_PARENT\","
    echo " \"loadavg_start\": \"$LOAD_START\", \"loadavg_end\": \"$LOAD_END\", \"elapsed_s\": $ELAPSED,"
    echo " \"projects\": ["
    sep=""
    for r in "${RESULTS_JSON[@]}"; do printf '%s%s\n' "$sep" "$r"; sep=","; done
    echo " ]}"
  )
  if [ "$JSON_OUT" = "-" ]; then echo "$j"; else echo "$j" >"$JSON_OUT"; fi
fi
[ "$KEEP" = 1 ] && log "work directory kept: $WORK"
exit 0
