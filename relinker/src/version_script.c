/* Version scripts and dynamic lists from an original's dynamic symbols
 * (see version_script.h). */
#include "version_script.h"

#include <string.h>

/* A symbol name (the first len bytes of name) as a quoted entry of either
 * script, indented by `indent`; a name the quoting cannot hold is left out
 * (the check after the link says what is then missing). */
static void add_name(ctr_strbuf *out, const char *indent, const char *name, size_t len)
{
    if (!len || strcspn(name, "\"\\\n") < len)
        return;
    ctr_sb_add(out, indent);
    ctr_sb_add(out, "\"");
    ctr_sb_addn(out, name, len);
    ctr_sb_add(out, "\";\n");
}

void ctr_dynamic_list(const ctr_elf_link *l, ctr_strbuf *out)
{
    ctr_sb_add(out, "{\n");
    for (size_t k = 0; k < l->exports.n; k++)
        add_name(out, "  ", l->exports.v[k], strlen(l->exports.v[k]));
    ctr_sb_add(out, "};\n");
}

/* s (an image's string) fits a quoted name of a version script. */
static bool quotable(const char *s)
{
    return *s && !strpbrk(s, "\"\\\n;{}");
}

/* Every export of l has a version defined by l. */
static bool all_versioned(const ctr_elf_link *l)
{
    size_t versioned = 0;
    for (size_t i = 0; i < l->exports_ver.n; i++)
        versioned += strstr(l->exports_ver.v[i], "@@") != NULL;
    return l->exports.n && versioned >= l->exports.n;
}

void ctr_version_script(const ctr_elf_link *l, ctr_strbuf *out)
{
    bool hide = all_versioned(l);
    for (size_t v = 0; v < l->verdef.n; v++) {
        const char *ver = l->verdef.v[v];
        if (!quotable(ver) || strpbrk(ver, " \t*?["))
            continue; /* not expressible; the check after the link says what is missing */
        ctr_sb_addf(out, "%s {\n", ver);
        size_t listed = 0;
        for (size_t i = 0; i < l->exports_ver.n; i++) {
            const char *s = l->exports_ver.v[i], *at = strchr(s, '@');
            size_t len = at ? (size_t)(at - s) : 0;
            const char *of = at && at[1] == '@' ? at + 2 : at ? at + 1 : NULL;
            if (!len || strcmp(of, ver) || strcspn(s, "\"\\\n") < len)
                continue;
            if (!listed++)
                ctr_sb_add(out, "  global:\n");
            add_name(out, "    ", s, len);
        }
        if (hide && v == 0)
            ctr_sb_add(out, "  local: *;\n");
        const char *parent = v < l->verdef_parent.n ? l->verdef_parent.v[v] : "";
        ctr_sb_addf(out, "}%s%s;\n", *parent && quotable(parent) ? " " : "",
                    *parent && quotable(parent) ? parent : "");
    }
}
