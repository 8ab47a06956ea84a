#!/bin/sh
# Every cc1 run loads the plugin, captured or not: it needs no libcrypto
# (only the capture process opens it, for SHA-256) and no libstdc++ (cc1
# has its own, linked in).  Either one cost every compile milliseconds.
. "$(dirname "$0")/lib.sh"

needed=$(readelf -dW "$PLUGIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "cannot read the plugin's NEEDED entries"
for lib in libcrypto libstdc++; do
    printf '%s\n' "$needed" | grep -q "^$lib\\." && fail "the plugin loads $lib into every compile"
done
# The capture process still hashes: a TU is captured and the store verifies.
printf 'int f(int x) { return x + 1; }\n' >f.c
with_plugin $CC -O2 -c f.c -o f.o
[ "$(tu_ids f.o | wc -l)" -eq 1 ] || fail "f.o names no TU"
verify_store
echo "ok: the plugin loads neither libcrypto nor libstdc++ into the compiler"
