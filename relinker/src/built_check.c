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

/* Library lib of the image (at inner) provides every version of it that
 * the relinked file nl needs. */
static int versions_found(const ctr_elf_link *nl, const char *lib, const char *inner,
                          const ctr_elf_link *have, ctr_error *why)
{
    size_t liblen = strlen(lib);
    for (size_t k = 0; k < nl->verneed.n; k++) {
        const char *pair = nl->verneed.v[k], *ver = pair + liblen + 1;
        if (strncmp(pair, lib, liblen) || pair[liblen] != ' ')
            continue;
        bool found = false;
        for (size_t d = 0; d < have->verdef.n && !found; d++)
            found = !strcmp(have->verdef.v[d], ver);
        if (!found)
            return ctr_error_code(why, CTR_E_INPUT,
                                  "the relinked file needs %s from %s; the image's %s lacks it "
                                  "(its C library is older than this machine's)",
                                  ver, lib, inner);
    }
    return 0;
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

/* The relinked file nl loads in the image. */
static int image_can_load(const ctr_plan_entry *e, const ctr_elf_link *nl, ctr_lib_cache *libs,
                          ctr_error *why)
{
    const ctr_binary *b = e->bin;
    for (size_t i = 0; i < nl->needed.n; i++) {
        const char *lib = nl->needed.v[i];
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

int ctr_built_check(const ctr_plan_entry *e, const char *path, ctr_lib_cache *libs,
                    ctr_error *why)
{
    const ctr_elf_link *l = e->bin->link;
    if (access(path, F_OK) != 0)
        return ctr_error_code(why, CTR_E_TOOL, "the native link failed (see the messages above)");
    ctr_elf_link *nl = NULL;
    int rc = ctr_elf_link_read(path, &nl, why);
    if (rc == 0 && nl->ntu != l->ntu)
        rc = ctr_error_code(why, CTR_E_INPUT, "the relinked file names %zu TUs, the original %zu",
                            nl->ntu, l->ntu);
    if (rc == 0)
        rc = image_can_load(e, nl, libs, why);
    if (rc == 0)
        rc = exports_kept(l, nl, why);
    ctr_elf_link_free(nl);
    return rc;
}
