/* The library users name with -fplugin=comtainer.  A Clang plugin only works
 * in the Clang major it was built for (another one crashes the compiler), so
 * this shim links against nothing from LLVM: it asks the running compiler for
 * its version and loads the matching plugin from comtainer-plugin/ beside it.
 * An unsupported Clang gets one warning and an uncaptured, successful compile
 * (an error with COMTAINER_STRICT=1). */
#define _GNU_SOURCE
#include "comtainer/strict.h"

#include <dlfcn.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void (*llvm_get_version_fn)(unsigned *, unsigned *, unsigned *);

__attribute__((format(printf, 1, 2))) static void refuse(const char *fmt, ...)
{
    /* one write: parallel compiles share the terminal or log */
    char msg[2048];
    int n = snprintf(msg, sizeof msg, "%s", ctr_strict() ? "comtainer: error: "
                                                          : "comtainer: warning: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n - 1, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", msg);
    if (ctr_strict())
        _exit(1); /* only way to fail a compile from a library constructor */
}

__attribute__((constructor)) static void comtainer_dispatch(void)
{
    llvm_get_version_fn get_version =
        (llvm_get_version_fn)(void (*)(void))dlsym(RTLD_DEFAULT, "LLVMGetVersion");
    unsigned major = 0, minor = 0, patch = 0;
    if (get_version)
        get_version(&major, &minor, &patch);

    Dl_info self;
    char dir[4096], plugin[4200], version[32];
    if (!dladdr((void *)comtainer_dispatch, &self) || !self.dli_fname) {
        refuse("cannot locate the comtainer plugin directory");
        return;
    }
    snprintf(dir, sizeof dir, "%s", self.dli_fname);
    snprintf(version, sizeof version, "%u", major);
    if (snprintf(plugin, sizeof plugin, "%s/comtainer-plugin/clang-%u.so", dirname(dir),
                 major) >= (int)sizeof plugin) {
        refuse("plugin path too long");
        return;
    }
    if (!get_version || access(plugin, R_OK) != 0) {
        refuse("this compiler (LLVM %s) is not supported: no '%s'; IR not captured",
               get_version ? version : "< 16", plugin);
        return;
    }
    if (!dlopen(plugin, RTLD_NOW | RTLD_GLOBAL))
        refuse("loading '%s' failed: %s; IR not captured", plugin, dlerror());
}
