#!/usr/bin/env bash
# Symbol versions replayed from the original ELF: a shared library linked
# with a version script (two versions, one inheriting the other, and a
# non-default compat symbol from .symver) and an executable linked with -E
# and a version script, as lua's is, each built by Clang and by GCC.  The
# relink defines the same versions again: every relinked file exports the
# same symbols at the same versions, the program runs, and a module loaded
# with dlopen finds the executable's versioned symbols.
. "$TESTS_DIR/lib.sh"
relink_fixture
# the compat symbol as Clang spells it (.symver in the module's assembly)
# and as GCC does (its symver attribute: GCC keeps top-level assembly
# compressed in its IR, where the relinker does not read it)
cat >v.c <<'C'
#ifdef __clang__
int api_a_v2(int x) { return x + 1; }
int api_a_v1(int x) { return x - 1; }
__asm__(".symver api_a_v1, api_a@V_1.0");
__asm__(".symver api_a_v2, api_a@@V_2.0");
#else
__attribute__((symver("api_a@@V_2.0"))) int api_a_v2(int x) { return x + 1; }
__attribute__((symver("api_a@V_1.0"))) int api_a_v1(int x) { return x - 1; }
#endif
int api_b(int x) { return x * 2; }
C
cat >v.map <<'M'
V_1.0 { global: api_a; local: *; };
V_2.0 { global: api_a; api_b; } V_1.0;
M
cat >app.c <<'C'
#include <dlfcn.h>
#include <stdio.h>
int api_a(int), api_b(int);
int host_answer(void) { return 42; }
int main(int argc, char **argv)
{
    void *m = dlopen(argv[1], RTLD_NOW);
    int (*f)(void) = m ? (int (*)(void))dlsym(m, "module_call") : NULL;
    printf("%d %d %d\n", api_a(1), api_b(4), f ? f() : -1);
    return 0;
}
C
cat >app.map <<'M'
APP_1 { global: host_answer; local: *; };
M
cat >mod.c <<'C'
int host_answer(void);
int module_call(void) { return host_answer() + 1; }
C
# the module: built here without the plugin, as a plugin of the program
gcc-12 -shared -fPIC mod.c -o "$root/opt/app/mod.so"
build() { # cc plugin
    "$1" -O2 -fplugin="$2" -fPIC -shared v.c -Wl,--version-script=v.map -Wl,-soname,libv.so.1 \
        -o "$root/usr/lib/libv.so.1" || fail "building libv with $1"
    "$1" -O2 -fplugin="$2" app.c -Wl,-E -Wl,--version-script=app.map -L"$root/usr/lib" \
        -l:libv.so.1 -ldl -o "$root/opt/app/app" || fail "building app with $1"
}
versions() { # elf: its defined dynamic symbols with their versions
    readelf -W --dyn-syms "$1" | awk '$7 != "UND" && $8 ~ /@/ { print $8 }' | sort
}
for cc in clang gcc; do
    note "$cc"
    rm -rf "$COMTAINER_STORE" "$WORK/out"
    if [ $cc = clang ]; then build "$CC_CLANG" "$COMTAINER_PLUGIN"; else build gcc-12 "$GCC_PLUGIN"; fi
    for f in /lib/x86_64-linux-gnu/libdl.so.2; do cp -n "$f" "$root/usr/lib/x86_64-linux-gnu/"; done
    want=$(chroot "$root" /opt/app/app /opt/app/mod.so) || fail "the generic app"
    assert_eq "2 8 43" "$want" "the generic app"
    versions "$root/usr/lib/libv.so.1" | grep_q "api_a@V_1.0" || fail "no compat api_a@V_1.0 to start from"
    rc=0
    "$RELINK" "$root" --plan --json >plan.json 2>plan.err || rc=$?
    assert_eq 0 "$rc" "--plan ($(tail -3 plan.err))"
    rc=0
    "$RELINK" "$root" -o "$WORK/out" -j2 --json >out.json 2>out.err || rc=$?
    assert_eq 0 "$rc" "exit status ($(tail -3 out.err))"
    for f in /usr/lib/libv.so.1 /opt/app/app; do
        assert_eq relinked "$(binary_field out.json "$f" action)" "$f ($(binary_field out.json "$f" reason))"
        assert_eq "$(versions "$root$f")" "$(versions "$WORK/out$f")" "the versioned symbols of $f"
    done
    assert_eq "$want" "$(chroot "$WORK/out" /opt/app/app /opt/app/mod.so)" "the relinked app"
done
note "ok"
