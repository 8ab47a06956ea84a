/* The policy on recorded command lines (see record_policy.h). */
#include "record_policy.h"

#include <fnmatch.h>
#include <string.h>

/* comtainer's own plugins, which every captured command line names. */
static bool our_plugin(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strcmp(path, "comtainer") || !strcmp(base, "comtainer") ||
        !strcmp(base, "comtainer.so"))
        return true;
    return fnmatch("*/comtainer-plugin/clang-[0-9]*.so", path, 0) == 0 ||
           fnmatch("*/comtainer-plugin/gcc-[0-9]*.so", path, 0) == 0;
}

/* Options that make a compiler load or run code, or read inputs, named by
 * the command line itself.  Matched as prefixes. */
static const char *const forbidden_prefixes[] = {
    "-B", "--sysroot", "-isysroot", "-specs", "--specs", "-wrapper", "-fuse-ld=/",
    "-Wl,-plugin", "-Wl,--plugin", "--ld-path", "@",
};

static const char *check_arg(const char *a, const char *next)
{
    if (!strncmp(a, "-fplugin=", 9))
        return our_plugin(a + 9) ? NULL : a;
    if (!strcmp(a, "-fplugin") || !strcmp(a, "-fpass-plugin"))
        return a;
    if (!strncmp(a, "-fpass-plugin=", 14))
        return our_plugin(a + 14) ? NULL : a;
    if (!strncmp(a, "-fplugin-arg-", 13))
        return !strncmp(a + 13, "comtainer-", 10) ? NULL : a;
    if (!strcmp(a, "-load") || !strcmp(a, "-load-pass-plugin"))
        return next && our_plugin(next) ? NULL : a;
    if (!strncmp(a, "-iplugindir=", 12))
        return fnmatch("/usr/lib/gcc/*/[0-9]*/plugin", a + 12, FNM_PATHNAME) == 0 ? NULL : a;
    if (!strncmp(a, "-Wl,", 4) && (strstr(a, ",-plugin") || strstr(a, ",--plugin")))
        return a;
    if (!strcmp(a, "-Xlinker") && next && (!strncmp(next, "-plugin", 7) ||
                                           !strncmp(next, "--plugin", 8)))
        return next;
    for (size_t i = 0; i < sizeof forbidden_prefixes / sizeof *forbidden_prefixes; i++)
        if (!strncmp(a, forbidden_prefixes[i], strlen(forbidden_prefixes[i])))
            return a;
    return NULL;
}

static int check_args(const irs_strv *v, const char *field, const char *id, ctr_error *err)
{
    for (size_t i = 0; i < v->n; i++) {
        /* -Xclang X passes X to the front end: judge X as if given there */
        const char *a = v->v[i];
        size_t j = i;
        if (!strcmp(a, "-Xclang") && i + 1 < v->n)
            a = v->v[j = i + 1];
        const char *next = NULL;
        for (size_t k = j + 1; k < v->n && !next; k++)
            if (strcmp(v->v[k], "-Xclang"))
                next = v->v[k];
        const char *bad = check_arg(a, next);
        if (i > 0 && bad) /* argv[0] is the compiler itself */
            return ctr_error_set(err, 0, "TU %.16s: refused: %s holds '%s'", id, field, bad);
    }
    return 0;
}

int ctr_record_check(const irs_record *r, const char *id, ctr_error *err)
{
    if (!strcmp(r->ir_kind, "link"))
        return 0; /* informational: nothing of a link record reaches a command line */
    if (strcmp(r->ir_kind, "llvm-bc") && strcmp(r->ir_kind, "gcc-lto") &&
        strcmp(r->ir_kind, "elf-object"))
        return ctr_error_set(err, 0, "TU %.16s: unknown IR kind '%s'", id, r->ir_kind);
    if (check_args(&r->driver_args, "driver_args", id, err) < 0 ||
        check_args(&r->frontend_args, "frontend_args", id, err) < 0)
        return -1;
    return 0;
}
