/* Stored ELF inputs that may reach a native link (see object_policy.h). */
#include "object_policy.h"
#include "elf_sections.h"

#include <stdio.h>
#include <string.h>

/* -f options (after an optional "no-") that name files, load code, write
 * dumps or steer the LTO and offload machinery itself: never taken from an
 * image, although lto-wrapper passes few of them on today. */
static const char *const denied_f[] = {
    "auto-profile", "callgraph-info", "debug-prefix-map", "diagnostics", "dump",
    "fat-lto-objects", "file-prefix-map", "linker-output", "lto", "ltrans", "macro-prefix-map",
    "offload", "opt-info", "plugin", "profile", "record-gcc-switches", "resolution",
    "save-optimization-record", "stack-usage", "use-linker-plugin", "wpa",
};

static bool word_chars(const char *s)
{
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789=_.+-") ==
           strlen(s);
}

static bool lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
    return lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}

bool ctr_gcc_lto_option_ok(const char *opt)
{
    if (opt[0] != '-' || !word_chars(opt))
        return false;
    const char *rest = opt + 2;
    switch (opt[1]) {
    case 'O':
        return !*rest || (strlen(rest) == 1 && strchr("0123sgz", *rest)) || !strcmp(rest, "fast");
    case 'g':
        return strspn(rest, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(rest);
    case 'm':
    case 'W':
        return lower_or_digit(*rest);
    case 'f':
        if (!strncmp(rest, "no-", 3))
            rest += 3;
        if (!alnum(*rest)) /* -fPIC, -fPIE */
            return false;
        for (size_t i = 0; i < sizeof denied_f / sizeof *denied_f; i++)
            if (!strncmp(rest, denied_f[i], strlen(denied_f[i])))
                return false;
        return true;
    default:
        return false;
    }
}

/* One .gnu.lto_.opts section: "'-a' '-b'" and a NUL.  Only this simple
 * form is taken: an option with a quote, a space or anything a shell or
 * gcc's own unquoting would treat specially is refused, not interpreted. */
static int check_opts(const char *p, size_t n, const char *what, ctr_error *err)
{
    const char *end = memchr(p, '\0', n);
    if (!end || end + 1 != p + n)
        return ctr_error_code(err, CTR_E_POLICY, "%s: .gnu.lto_.opts is not one string", what);
    char opt[256];
    while (p < end) {
        const char *close = *p == '\'' ? memchr(p + 1, '\'', (size_t)(end - p - 1)) : NULL;
        size_t len = close ? (size_t)(close - p - 1) : 0;
        if (!close || len == 0 || len >= sizeof opt || (close + 1 < end && close[1] != ' '))
            return ctr_error_code(err, CTR_E_POLICY, "%s: .gnu.lto_.opts is not a list of quoted options",
                                 what);
        memcpy(opt, p + 1, len);
        opt[len] = '\0';
        if (!ctr_gcc_lto_option_ok(opt))
            return ctr_error_code(err, CTR_E_POLICY, "%s: compiler option '%s' in .gnu.lto_.opts is not "
                                         "taken from an image: not relinked", what, opt);
        p = close + 1 < end ? close + 2 : close + 1;
    }
    return 0;
}

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

struct policy_walk {
    bool lto;
    const char *what;
};

static int check_section(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
                         void *ctx, ctr_error *err)
{
    (void)elf;
    const struct policy_walk *w = ctx;
    bool offload = starts(name, ".gnu.offload_lto_") || starts(name, ".llvm.offloading");
    bool lto_section = starts(name, ".gnu.lto_") || starts(name, ".llvm.lto") ||
                       starts(name, ".llvmbc") || starts(name, ".llvmcmd");
    if (offload || (!w->lto && lto_section))
        return ctr_error_code(err, CTR_E_POLICY, "%s: section '%.64s' is not taken from an image: not "
                                     "relinked", w->what, name);
    if (w->lto && !strcmp(name, ".gnu.lto_.opts")) {
        const char *p;
        size_t n;
        return ctr_elf_section_bytes(scn, sh, &p, &n) && n
                   ? check_opts(p, n, w->what, err)
                   : ctr_error_code(err, CTR_E_POLICY, "%s: unreadable .gnu.lto_.opts", w->what);
    }
    if (w->lto && starts(name, ".gnu.lto_.opts"))
        return ctr_error_code(err, CTR_E_POLICY, "%s: unexpected section '%.64s'", w->what, name);
    return 0;
}

int ctr_object_policy_check(ctr_ir_kind kind, const void *data, size_t len, const char *what,
                            ctr_error *err)
{
    bool lto = kind == CTR_IR_GCC_LTO;
    if (!lto && kind != CTR_IR_ELF_OBJECT)
        return 0;
    struct policy_walk w = {lto, what};
    return ctr_elf_sections(data, len, what, check_section, &w, err);
}
