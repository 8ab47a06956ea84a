/* Which of each binary's libraries the site's replace (see site_libs.h):
 * the library of the profile or --redirect for each DT_NEEDED entry, the
 * checks of swap_check.h with the binary's IR references, and the swaps
 * undone because another of its libraries would load the old one beside
 * the new. */
#include "site_libs.h"
#include "swap_check.h"
#include "built_check.h"
#include "rootfs_scan.h"
#include "comtainer/files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The site profile's library of the image library old's class: one of the
 * same SONAME, else the only one of that class; NULL when the profile has
 * none for the class, or (with why) several and none of that name. */
static const ctr_site_lib *from_profile(const ctr_site *site, const ctr_elf_link *old,
                                        ctr_error *why)
{
    ctr_lib_class cls;
    ctr_lib_abi abi;
    ctr_lib_kind(old, &cls, &abi);
    const ctr_site_lib *only = NULL;
    size_t n = 0;
    for (size_t k = 0; cls != CTR_LIB_OTHER && k < site->nlib; k++) {
        const ctr_site_lib *sl = &site->lib[k];
        if (sl->old || sl->cls != cls)
            continue;
        if (!strcmp(sl->name, old->soname))
            return sl;
        only = sl;
        n++;
    }
    if (n > 1)
        ctr_error_code(why, CTR_E_USAGE, "the site profile lists several libraries of the kind "
                                         "of %s, none of that name", old->soname);
    return n == 1 ? only : NULL;
}

/* How site library sl returns complex values: as the profile declares, else
 * as it or a library of its closure shows (OpenBLAS's libblas.so.3 needs
 * libopenblas.so.0, which needs libgfortran). */
static ctr_complex_ret site_cret(const ctr_site *site, const ctr_site_lib *sl)
{
    if (sl->cret != CTR_CRET_UNKNOWN)
        return sl->cret;
    size_t queue[CTR_SITE_MAX_FILES], head = 0, tail = 0;
    bool seen[CTR_SITE_MAX_FILES] = {false};
    queue[tail++] = sl->file;
    seen[sl->file] = true;
    while (head < tail) {
        const ctr_elf_link *l = site->files[queue[head++]].link;
        ctr_complex_ret c = ctr_lib_complex_ret(l);
        if (c != CTR_CRET_UNKNOWN)
            return c;
        for (size_t i = 0; i < l->needed.n; i++) {
            ssize_t k = ctr_site_file_index(site, l->needed.v[i]);
            if (k >= 0 && !seen[k]) {
                seen[k] = true;
                queue[tail++] = (size_t)k;
            }
        }
    }
    return CTR_CRET_UNKNOWN;
}

/* What every swap of one binary is checked against, found once for the
 * binary on its first swap: the image's C library as it finds it, whether
 * the C library files the site's files need are there too, how its callers
 * return complex values. */
struct binary_facts {
    const ctr_site *site;
    ctr_lib_cache *libs;
    const ctr_elf_link *const *closure; /* every site file's link facts */
    bool ready;
    const ctr_elf_link *libc, *libm;
    ctr_error libc_files; /* a C library file missing: why (code CTR_OK: none) */
    ctr_swap_user user;
};

/* Every C library file the site's files need (libpthread.so.0, ...) is in
 * the image, as binary b finds it: a bundle never carries them.  The loader
 * itself is there when b has an interpreter. */
static int libc_files_present(const ctr_site *site, ctr_lib_cache *libs, const ctr_binary *b,
                              ctr_error *why)
{
    for (size_t f = 0; f < site->nfiles; f++) {
        const irs_strv *needed = &site->files[f].link->needed;
        for (size_t i = 0; i < needed->n; i++) {
            const char *n = needed->v[i];
            if (!ctr_site_is_libc_file(n) || ctr_lib_cache_find(libs, b, n) ||
                (!strncmp(n, "ld-linux", 8) && *b->link->interp))
                continue;
            return ctr_error_code(why, CTR_E_INPUT, "%s needs %s, which the image lacks",
                                  site->files[f].name, n);
        }
    }
    return 0;
}

static const struct binary_facts *facts_of(struct binary_facts *f, const ctr_plan_entry *e)
{
    if (f->ready)
        return f;
    f->ready = true;
    f->libc = ctr_lib_cache_find(f->libs, e->bin, "libc.so.6");
    f->libm = ctr_lib_cache_find(f->libs, e->bin, "libm.so.6");
    libc_files_present(f->site, f->libs, e->bin, &f->libc_files);
    f->user = (ctr_swap_user){e->bin->link, &e->ir_refs,
                              ctr_caller_complex_ret(e->recs, e->bin->link->ntu)};
    return f;
}

/* The site library for DT_NEEDED entry i of e, checked (NULL: none asked,
 * or refused: then e->site_refused says why, for the first refusal). */
static const ctr_site_lib *swap_for(ctr_plan_entry *e, size_t i, struct binary_facts *bf)
{
    const ctr_site *site = bf->site;
    const char *name = e->bin->link->needed.v[i];
    const ctr_site_lib *sl = NULL;
    bool profile = false;
    for (size_t k = 0; k < site->nlib && !sl; k++) {
        profile |= !site->lib[k].old;
        if (site->lib[k].old && !strcmp(site->lib[k].old, name))
            sl = &site->lib[k];
    }
    if (!sl && !profile)
        return NULL;
    ctr_error why = {0};
    const ctr_elf_link *old = ctr_lib_cache_get(bf->libs, e->bin->needed[i].found);
    if (!sl && old)
        sl = from_profile(site, old, &why);
    int rc = -1;
    if (!old)
        ctr_error_code(&why, CTR_E_INPUT, "the image's %s cannot be read", name);
    else if (sl) {
        const struct binary_facts *f = facts_of(bf, e);
        ctr_swap_libs s = {old, site->files[sl->file].link, site_cret(site, sl), f->closure,
                           site->nfiles, f->libc, f->libm};
        rc = ctr_swap_check(&f->user, &s, &why);
        if (rc == 0 && f->libc_files.code)
            rc = ctr_error_copy(&why, &f->libc_files);
    }
    if (rc == 0)
        return sl;
    if (why.code && !e->site_refused.code)
        ctr_error_code(&e->site_refused, why.code, "%s kept: %s", name, why.msg);
    return NULL;
}

/* How far loads_old_too looks into a binary's libraries. */
#define MAX_CLOSURE 256

static bool swapped_name(const ctr_plan_entry *e, const char *name)
{
    const irs_strv *needed = &e->bin->link->needed;
    for (size_t j = 0; j < needed->n; j++)
        if (e->site[j] && !strcmp(needed->v[j], name))
            return true;
    return false;
}

/* One of the image's libraries that e still loads (breadth-first from its
 * DT_NEEDED entries not swapped, each found as the loader would find it for
 * e) and that needs `old` itself: with it, `old` would load beside the
 * site's stand-in and two copies of one library would share the process.
 * NULL when there is none. */
static const char *loads_old_too(const ctr_plan_entry *e, const char *old, ctr_lib_cache *libs)
{
    const char *queue[MAX_CLOSURE];
    size_t head = 0, tail = 0;
    const irs_strv *needed = &e->bin->link->needed;
    for (size_t j = 0; j < needed->n && tail < MAX_CLOSURE; j++)
        if (!e->site[j])
            queue[tail++] = needed->v[j];
    while (head < tail) {
        const char *name = queue[head++];
        const ctr_elf_link *l =
            ctr_site_is_libc_file(name) ? NULL : ctr_lib_cache_find(libs, e->bin, name);
        for (size_t i = 0; l && i < l->needed.n; i++) {
            const char *dep = l->needed.v[i];
            if (!strcmp(dep, old))
                return name;
            bool seen = swapped_name(e, dep);
            for (size_t q = 0; q < tail && !seen; q++)
                seen = !strcmp(queue[q], dep);
            if (!seen && tail < MAX_CLOSURE)
                queue[tail++] = dep;
        }
    }
    return NULL;
}

/* Undo each swap to a library of another SONAME whose old library another
 * of the binary's libraries still loads (loads_old_too), until none is left:
 * undoing one can keep another's user in place.  A site library under the
 * old SONAME serves those users too. */
static void drop_double_loads(ctr_plan_entry *e, ctr_lib_cache *libs)
{
    const irs_strv *needed = &e->bin->link->needed;
    for (bool again = true; again;) {
        again = false;
        for (size_t k = 0; k < needed->n; k++) {
            /* under the old SONAME, the loader finds the site's file for
             * every user: it is loaded by that name already */
            bool renamed = e->site[k] && strcmp(e->site[k], needed->v[k]);
            const char *user = renamed ? loads_old_too(e, needed->v[k], libs) : NULL;
            if (!user)
                continue;
            if (!e->site_refused.code)
                ctr_error_code(&e->site_refused, CTR_E_POLICY, "%s kept: the image's %s needs "
                                                               "it too, and it would load beside "
                                                               "%s",
                               needed->v[k], user, e->site[k]);
            e->site[k] = NULL;
            e->site_swaps--;
            again = true;
        }
    }
}

/* The bundle cannot go into root: something of the image's that is no
 * directory (a symlink, a file) stands where CTR_SITE_DIR goes. */
static int bundle_blocked(const char *root, ctr_error *why)
{
    char at[PATH_MAX];
    /* what is missing, the bundle makes */
    return ctr_tree_dirs_state(root, CTR_SITE_DIR, at, sizeof at) != CTR_DIRS_OTHER
               ? 0
               : ctr_error_code(why, CTR_E_POLICY, "the image's %s is no directory: the site "
                                                   "libraries cannot be bundled", at);
}

int ctr_site_plan(ctr_plan *plan, const ctr_site *site, ctr_error *err)
{
    ctr_error blocked = {0};
    if (!site)
        return 0;
    bundle_blocked(plan->fs->root, &blocked);
    ctr_lib_cache *libs = ctr_lib_cache_new(plan->fs->root);
    if (!libs)
        return ctr_error_set(err, ENOMEM, "site libraries");
    const ctr_elf_link *closure[CTR_SITE_MAX_FILES];
    for (size_t k = 0; k < site->nfiles; k++)
        closure[k] = site->files[k].link;
    for (size_t i = 0; i < plan->n; i++) {
        ctr_plan_entry *e = &plan->v[i];
        const ctr_elf_link *l = e->bin->link;
        struct binary_facts facts = {.site = site, .libs = libs, .closure = closure};
        if (e->problem.code)
            continue;
        if (!(e->site = calloc(l->needed.n + 1, sizeof *e->site))) {
            ctr_lib_cache_free(libs);
            return ctr_error_set(err, ENOMEM, "site libraries");
        }
        for (size_t k = 0; k < l->needed.n; k++) {
            const ctr_site_lib *sl = swap_for(e, k, &facts);
            if (sl && blocked.code) { /* every swap: the bundle has nowhere to go */
                ctr_error_copy(&e->site_refused, &blocked);
                sl = NULL;
            }
            e->site[k] = sl ? sl->name : NULL;
            e->site_swaps += sl != NULL;
        }
        drop_double_loads(e, libs);
    }
    ctr_lib_cache_free(libs);
    return 0;
}
