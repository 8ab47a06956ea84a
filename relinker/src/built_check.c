/* Checks of relinked files (see built_check.h). */
#include "built_check.h"
#include "comtainer/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lib_entry {
    char *inner;        /* path in the image */
    ctr_elf_link *link; /* NULL when it could not be read */
    ctr_error error;    /* then why */
};

struct ctr_lib_cache {
    const char *root;
    size_t n, cap;
    struct lib_entry *v;
};

ctr_lib_cache *ctr_lib_cache_new(const char *root)
{
    ctr_lib_cache *c = calloc(1, sizeof *c);
    if (c)
        c->root = root;
    return c;
}

void ctr_lib_cache_free(ctr_lib_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].inner);
        ctr_elf_link_free(c->v[i].link);
    }
    free(c->v);
    free(c);
}

/* The library at inner path `inner`, from the cache or read into it; NULL
 * when out of memory. */
static const struct lib_entry *image_lib(ctr_lib_cache *c, const char *inner)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].inner, inner))
            return &c->v[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct lib_entry *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    struct lib_entry *e = &c->v[c->n];
    char host[PATH_MAX * 2];
    snprintf(host, sizeof host, "%s%s", c->root, inner);
    *e = (struct lib_entry){.inner = strdup(inner)};
    if (!e->inner)
        return NULL;
    ctr_elf_link_read(host, &e->link, &e->error);
    c->n++;
    return e;
}

const ctr_elf_link *ctr_lib_cache_get(ctr_lib_cache *c, const char *inner)
{
    const struct lib_entry *le = inner ? image_lib(c, inner) : NULL;
    return le ? le->link : NULL;
}

const ctr_elf_link *ctr_lib_cache_find(ctr_lib_cache *c, const ctr_binary *b, const char *name)
{
    char *inner = ctr_rootfs_find_needed(c->root, b, name);
    const ctr_elf_link *l = ctr_lib_cache_get(c, inner);
    free(inner);
    return l;
}

/* Library lib of the image (at inner) provides every version of it that
 * the relinked file nl needs. */
static int versions_found(const ctr_elf_link *nl, const char *lib, const char *inner,
                          const ctr_elf_link *have, ctr_error *why)
{
    const char *ver = ctr_elf_version_missing(nl, lib, have);
    return !ver ? 0
                : ctr_error_code(why, CTR_E_INPUT,
                                 "the relinked file needs %s from %s; the image's %s lacks it "
                                 "(its C library is older than this machine's)",
                                 ver, lib, inner);
}

/* lib (a DT_NEEDED entry of the relinked file) is a site library of e's,
 * bundled and checked (swap_check.h): by its own SONAME, which may differ
 * from the image's (libmpich.so.12 for libmpi.so.12). */
static bool from_site(const ctr_plan_entry *e, const char *lib)
{
    for (size_t i = 0; e->site && i < e->bin->link->needed.n; i++)
        if (e->site[i] && !strcmp(e->site[i], lib))
            return true;
    return false;
}

/* The relinked file nl loads in the image; have[i] is its DT_NEEDED entry
 * i as the image has it (NULL: a site library of e's). */
static int image_can_load(const ctr_plan_entry *e, const ctr_elf_link *nl, ctr_lib_cache *libs,
                          const ctr_elf_link **have, ctr_error *why)
{
    const ctr_binary *b = e->bin;
    for (size_t i = 0; i < nl->needed.n; i++) {
        const char *lib = nl->needed.v[i];
        have[i] = NULL;
        if (from_site(e, lib))
            continue;
        char *inner = ctr_rootfs_find_needed(libs->root, b, lib);
        const struct lib_entry *le = inner ? image_lib(libs, inner) : NULL;
        int rc = !inner ? ctr_error_code(why, CTR_E_INPUT, "the relinked file needs %s, which "
                                                           "the image does not have", lib)
                 : !le      ? ctr_error_set(why, ENOMEM, "reading '%s'", inner)
                 : !le->link ? ctr_error_copy(why, &le->error)
                             : versions_found(nl, lib, inner, le->link, why);
        free(inner);
        if (rc < 0)
            return -1;
        have[i] = le->link;
    }
    return 0;
}

/* Every symbol the relinked file nl takes from elsewhere and the original
 * did not is defined by a library it needs (what -z defs checks, with the
 * image's libraries): a shared library links with holes — a routine whose
 * code was not in the IR — that would fail only when loaded.  have[] are
 * its libraries (image_can_load); a site library among them (NULL) is not
 * read here (its swap was checked before). */
static int imports_resolved(const ctr_plan_entry *e, const ctr_elf_link *nl,
                            const ctr_elf_link *const *have, ctr_error *why)
{
    const ctr_elf_link *l = e->bin->link;
    for (size_t k = 0; k < nl->imports.n; k++) {
        const char *sym = nl->imports.v[k];
        if (irs_strv_sorted_has(&l->imports, sym) || irs_strv_sorted_has(&nl->weak_imports, sym))
            continue;
        bool found = false;
        for (size_t i = 0; i < nl->needed.n && !found; i++)
            found = !have[i] || irs_strv_sorted_has(&have[i]->exports, sym);
        if (!found) {
            char shown[300];
            return ctr_error_code(why, CTR_E_INPUT, "the relinked file leaves '%s' undefined, and "
                                                    "no library it needs defines it (code "
                                                    "without IR)",
                                  ctr_shown(sym, 80, shown, sizeof shown));
        }
    }
    return 0;
}

/* A relinked file exports every symbol the original did, each of the same
 * version (name@@V, name@V): a library for its users, an executable for
 * the modules it loads (linked with -E). */
static int exports_kept(const ctr_elf_link *l, const ctr_elf_link *nl, ctr_error *why)
{
    const char *what = l->kind == CTR_ELF_SHARED ? "library" : "executable";
    char shown[300];
    for (size_t k = 0; k < l->exports.n; k++)
        if (!irs_strv_sorted_has(&nl->exports, l->exports.v[k]))
            return ctr_error_code(why, CTR_E_INPUT, "the relinked %s does not export '%s'", what,
                                  ctr_shown(l->exports.v[k], 80, shown, sizeof shown));
    for (size_t k = 0; k < l->exports_ver.n; k++)
        if (!irs_strv_sorted_has(&nl->exports_ver, l->exports_ver.v[k]))
            return ctr_error_code(why, CTR_E_INPUT, "the relinked %s does not export '%s' "
                                                    "(%zu versioned symbols, the original %zu)",
                                  what, ctr_shown(l->exports_ver.v[k], 80, shown, sizeof shown),
                                  nl->exports_ver.n, l->exports_ver.n);
    return 0;
}

/* Bounds on reading a link's log. */
#define LOG_BYTES (1 << 20)
#define LOG_SYMBOLS 3

/* The undefined symbol a linker's line names: lld's "undefined symbol:
 * NAME", ld.bfd's "undefined reference to `NAME'"; into sym, or false. */
static bool undefined_in(const char *line, char *sym, size_t size)
{
    const char *p = strstr(line, "undefined symbol: "), *end;
    if (p)
        p += 18, end = p + strcspn(p, "\n");
    else if ((p = strstr(line, "undefined reference to `")))
        p += 24, end = p + strcspn(p, "'\n");
    else
        return false;
    snprintf(sym, size, "%.*s", (int)(end - p), p);
    return *sym != '\0';
}

/* Why the link at path failed, in one line, from its log (path.log): the
 * undefined symbols it names, else its first error; the log's place. */
static int link_failure(const char *path, ctr_error *why)
{
    char log[PATH_MAX + 8], line[1024], first_error[300] = "", syms[LOG_SYMBOLS][128];
    size_t nsyms = 0, more = 0, read = 0;
    snprintf(log, sizeof log, "%s.log", path);
    FILE *f = fopen(log, "re");
    while (f && read < LOG_BYTES && fgets(line, sizeof line, f)) {
        read += strlen(line);
        char sym[128];
        bool seen = false;
        if (undefined_in(line, sym, sizeof sym)) {
            for (size_t k = 0; k < nsyms && !seen; k++)
                seen = !strcmp(syms[k], sym);
            if (!seen && nsyms < LOG_SYMBOLS)
                snprintf(syms[nsyms++], sizeof *syms, "%s", sym);
            else if (!seen)
                more++;
        } else if (!*first_error && strstr(line, "error")) {
            snprintf(first_error, sizeof first_error, "%.*s", (int)strcspn(line, "\n"), line);
        }
    }
    if (f)
        fclose(f);
    char shown[3][300];
    if (nsyms)
        return ctr_error_code(why, CTR_E_TOOL, "the native link failed: undefined symbol%s %s%s%s%s%s%s "
                                               "(log: %s)",
                              nsyms + more > 1 ? "s" : "",
                              ctr_shown(syms[0], 80, shown[0], sizeof shown[0]),
                              nsyms > 1 ? ", " : "",
                              nsyms > 1 ? ctr_shown(syms[1], 80, shown[1], sizeof shown[1]) : "",
                              nsyms > 2 ? ", " : "",
                              nsyms > 2 ? ctr_shown(syms[2], 80, shown[2], sizeof shown[2]) : "",
                              more ? " and more" : "", log);
    return ctr_error_code(why, CTR_E_TOOL, "the native link failed: %s (log: %s)",
                          *first_error ? ctr_shown(first_error, 200, shown[0], sizeof shown[0])
                                       : "no message",
                          log);
}

int ctr_built_check(const ctr_plan_entry *e, const char *path, ctr_lib_cache *libs,
                    ctr_error *why)
{
    const ctr_elf_link *l = e->bin->link;
    if (access(path, F_OK) != 0)
        return link_failure(path, why);
    ctr_elf_link *nl = NULL;
    int rc = ctr_elf_link_read(path, &nl, why);
    if (rc == 0 && nl->ntu != l->ntu)
        rc = ctr_error_code(why, CTR_E_INPUT, "the relinked file names %zu TUs, the original %zu",
                            nl->ntu, l->ntu);
    const ctr_elf_link **have = rc == 0 ? calloc(nl->needed.n + 1, sizeof *have) : NULL;
    if (rc == 0 && !have)
        rc = ctr_error_set(why, ENOMEM, "checking '%s'", path);
    if (rc == 0)
        rc = image_can_load(e, nl, libs, have, why);
    if (rc == 0)
        rc = imports_resolved(e, nl, have, why);
    if (rc == 0)
        rc = exports_kept(l, nl, why);
    free(have);
    ctr_elf_link_free(nl);
    return rc;
}
