# Shared by the GCC plugin tests.  Sourced as: . lib.sh PLUGIN CTR_STORE WORKDIR
# Sets up an empty WORKDIR with its own store, and the helpers below.
set -eu

PLUGIN=$1
CTR=$2
WORK=$3
SRC=$(cd "$(dirname "$0")/src" && pwd)
CC=${CC:-gcc-12}
CXX=${CXX:-g++-12}
FC=${FC:-gfortran-12}
# Links compared byte for byte carry no build id: it hashes the whole output,
# .comtainer included.
NOBUILDID=-Wl,--build-id=none

rm -rf "$WORK"
mkdir -p "$WORK/ref" "$WORK/cap"
cd "$WORK"
export COMTAINER_STORE="$WORK/store"
unset COMTAINER_STRICT COMTAINER_DEBUG

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Run a command with the plugin added; it must succeed and print nothing.
with_plugin() {
    if ! "$@" -fplugin="$PLUGIN" 2>"$WORK/plugin.err"; then
        cat "$WORK/plugin.err" >&2
        fail "with the plugin: $*"
    fi
    if [ -s "$WORK/plugin.err" ]; then
        cat "$WORK/plugin.err" >&2
        fail "unexpected messages with the plugin: $*"
    fi
}

# Files a and b are identical once the .comtainer section is taken out of
# both (plus any further objcopy section patterns given).
same_object() {
    a=$1 b=$2
    shift 2
    set -- --remove-section=.comtainer "$@"
    objcopy "$@" "$a" "$WORK/cmp.a" || fail "objcopy '$a'"
    objcopy "$@" "$b" "$WORK/cmp.b" || fail "objcopy '$b'"
    cmp -s "$WORK/cmp.a" "$WORK/cmp.b" || fail "'$a' and '$b' differ outside the TU record"
}

# The TU ids a file names, one per line.
tu_ids() {
    "$CTR" which "$1" --store "$COMTAINER_STORE" --json |
        sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p'
}

# A string field of a record, e.g. record_field ID source
record_field() {
    "$CTR" show --store "$COMTAINER_STORE" --json "$1" |
        sed -n "s/^ *\"$2\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n 1
}

# The object names exactly one TU, stored, for the given source and language.
one_tu() {
    obj=$1 src=$2 lang=$3
    ids=$(tu_ids "$obj")
    [ "$(printf '%s\n' "$ids" | grep -c .)" = 1 ] || fail "'$obj' names $(printf '%s' "$ids" | grep -c .) TUs, not 1"
    [ "$(record_field "$ids" source)" = "$src" ] || fail "'$obj': record source is not '$src'"
    [ "$(record_field "$ids" language)" = "$lang" ] || fail "'$obj': record language is not '$lang'"
    [ "$(record_field "$ids" ir_kind)" = gcc-lto ] || fail "'$obj': ir_kind is not gcc-lto"
}

# Compile SRC to ref/NAME.o and, with the plugin, to cap/NAME.o; the objects
# must be identical apart from the record, which must name SRC's TU.
#   compile_pair NAME LANG DRIVER FLAGS... SRC
compile_pair() {
    name=$1 lang=$2
    shift 2
    eval "src=\${$#}"
    "$@" -c -o "ref/$name.o" || fail "plain compile: $*"
    with_plugin "$@" -c -o "cap/$name.o"
    same_object "ref/$name.o" "cap/$name.o"
    one_tu "cap/$name.o" "$src" "$lang"
}

# Number of records in the store.
record_count() {
    [ -d "$COMTAINER_STORE" ] || { echo 0; return; }
    "$CTR" ls "$COMTAINER_STORE" --json | grep -c '^ *"id":' || true
}

verify_store() {
    "$CTR" verify "$COMTAINER_STORE" >/dev/null || fail "ctr-store verify failed"
}
