#!/bin/sh
# Installing: pkg-config's gcc_plugin names the installed plugin for any
# prefix, and a /usr install links PLUGINDIR/comtainer.so to it, so that the
# bare -fplugin=comtainer works.  (The /usr install goes to a DESTDIR here;
# -iplugindir points gcc at the staged plugin directory.)
. "$(dirname "$0")/lib.sh"
BUILD=$4

printf 'int f(void) { return 3; }\n' >f.c

prefix="$WORK/prefix"
cmake --install "$BUILD" --prefix "$prefix" >install.log || fail "install failed"
pc=$(find "$prefix" -name comtainer.pc)
[ -n "$pc" ] || fail "no comtainer.pc installed"
plugin=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=gcc_plugin comtainer)
[ -f "$plugin" ] || fail "gcc_plugin '$plugin' is not installed"
with_plugin_path() { # PLUGIN_OPTION ARGS...
    opt=$1
    shift
    "$@" "$opt" 2>err || { cat err; fail "compile with $opt"; }
    [ ! -s err ] || { cat err; fail "messages with $opt"; }
}
# the store of an installed plugin is still $COMTAINER_STORE
with_plugin_path -fplugin="$plugin" $CC -O2 -c f.c -o f.o
[ "$(tu_ids f.o | wc -l)" -eq 1 ] || fail "installed plugin: no TU record"

plugindir=$($CC -print-file-name=plugin)
DESTDIR="$WORK/root" cmake --install "$BUILD" --prefix /usr >install-usr.log ||
    fail "install to /usr failed"
link="$WORK/root$plugindir/comtainer.so"
[ -L "$link" ] || fail "no symlink $link"
[ -f "$link" ] || fail "symlink $link -> $(readlink "$link") is dangling"
with_plugin_path -fplugin=comtainer $CC -O2 -iplugindir="$WORK/root$plugindir" -c f.c -o g.o
[ "$(tu_ids g.o | wc -l)" -eq 1 ] || fail "bare -fplugin=comtainer: no TU record"
echo "ok: installed plugin found by pkg-config and by the bare name"
