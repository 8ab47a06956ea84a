/* The site's libraries (see site_libs.h). */
#include "site_libs.h"
#include "rootfs_scan.h"
#include "swap_check.h"
#include "comtainer/files.h"
#include "comtainer/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The C library's own files: a bundle never carries them (the image's are
 * used, and checked to be new enough). */
static const char *const glibc_files[] = {
    "libc.so.6", "libm.so.6", "libmvec.so.1", "libpthread.so.0", "libdl.so.2", "librt.so.1",
    "libutil.so.1", "libresolv.so.2", "ld-linux-x86-64.so.2", NULL,
};

bool ctr_site_is_libc_file(const char *name)
{
    for (size_t i = 0; glibc_files[i]; i++)
        if (!strcmp(name, glibc_files[i]))
            return true;
    return false;
}

void ctr_site_free(ctr_site *site)
{
    if (!site)
        return;
    for (size_t i = 0; i < site->nfiles; i++) {
        free(site->files[i].name);
        free(site->files[i].host);
        ctr_elf_link_free(site->files[i].link);
    }
    free(site->files);
    free(site->cdi_spec);
    free(site);
}

ssize_t ctr_site_file_index(const ctr_site *site, const char *name)
{
    for (size_t i = 0; i < site->nfiles; i++)
        if (!strcmp(site->files[i].name, name))
            return (ssize_t)i;
    return -1;
}

/* Dependency `name` of the site file `of` on this machine: in its own
 * directory (where ld.so.conf sends the loader for OpenBLAS's), else as the
 * loader finds it for `of` (its run path, the default directories:
 * ctr_rootfs_find_needed with this machine's root).  Malloc'ed, or NULL. */
static char *resolve_host(const ctr_site_file *of, const char *name)
{
    char dir[PATH_MAX], own[PATH_MAX * 2];
    struct stat st;
    snprintf(dir, sizeof dir, "%s", of->host);
    snprintf(own, sizeof own, "%s/%s", dirname(dir), name);
    if (stat(own, &st) == 0 && S_ISREG(st.st_mode))
        return strdup(own);
    ctr_binary b = {.inner = of->host, .link = of->link};
    return ctr_rootfs_find_needed("/", &b, name);
}

/* Add the file at host (named `name` in the bundle) and, recursively, its
 * dependencies; an existing name must be the same file. */
static int add_file(ctr_site *site, const char *name, const char *host, ctr_error *err)
{
    char real[PATH_MAX];
    if (!realpath(host, real))
        return ctr_error_set(err, errno, "site library '%s'", host);
    ssize_t k = ctr_site_file_index(site, name);
    if (k >= 0)
        return !strcmp(site->files[k].host, real)
                   ? 0
                   : ctr_error_code(err, CTR_E_USAGE, "two site libraries named %s: '%s' and "
                                                      "'%s'", name, site->files[k].host, real);
    if (site->nfiles == CTR_SITE_MAX_FILES)
        return ctr_error_code(err, CTR_E_LIMIT, "more than %d site library files",
                              CTR_SITE_MAX_FILES);
    ctr_site_file *f = &site->files[site->nfiles];
    *f = (ctr_site_file){.name = strdup(name), .host = strdup(real)};
    if (!f->name || !f->host || ctr_elf_link_read(real, &f->link, err) < 0) {
        free(f->name);
        free(f->host);
        return f->name && f->host ? ctr_error_wrap(err, "site library")
                                  : ctr_error_set(err, ENOMEM, "site library");
    }
    size_t self = site->nfiles++;
    for (size_t i = 0; i < site->files[self].link->needed.n; i++) {
        const char *dep = site->files[self].link->needed.v[i];
        if (ctr_site_is_libc_file(dep) || ctr_site_file_index(site, dep) >= 0)
            continue;
        char *path = strchr(dep, '/') ? NULL : resolve_host(&site->files[self], dep);
        int rc = path ? add_file(site, dep, path, err)
                      : ctr_error_code(err, CTR_E_INPUT, "'%s' needs %s, which this machine "
                                                         "does not have", real, dep);
        free(path);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The library at p->path, with its closure, as site->lib[site->nlib]: named
 * by its SONAME, of class p->cls (CTR_LIB_OTHER: any; MPI: its C library or
 * its Fortran bindings) and ABI p->abi (unknown: any).  `what` introduces
 * errors. */
static int add_lib(ctr_site *site, const char *old, const ctr_site_provider *p,
                   const char *what, ctr_error *err)
{
    const char *path = p->path;
    ctr_elf_link *l;
    if (ctr_elf_link_read(path, &l, err) < 0)
        return ctr_error_wrap(err, "%s", what);
    bool shared = l->kind == CTR_ELF_SHARED && *l->soname;
    char name[256];
    ctr_lib_class have;
    ctr_lib_abi have_abi;
    snprintf(name, sizeof name, "%s", l->soname);
    ctr_lib_kind(l, &have, &have_abi);
    ctr_elf_link_free(l);
    if (!shared)
        return ctr_error_code(err, CTR_E_USAGE, "%s: '%s' is no shared library with a SONAME",
                              what, path);
    /* its file name in the output: a name, nothing more */
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
        char shown[300];
        return ctr_error_code(err, CTR_E_USAGE, "%s: '%s' has the SONAME '%s', which is no "
                                                "file name",
                              what, path, ctr_shown(name, 64, shown, sizeof shown));
    }
    bool fits = p->cls == CTR_LIB_OTHER || have == p->cls ||
                (p->cls == CTR_LIB_MPI && have == CTR_LIB_MPI_FORTRAN);
    if (!fits)
        return ctr_error_code(err, CTR_E_USAGE, "%s: '%s' (%s) is not a library of that kind",
                              what, path, name);
    if (p->abi != CTR_ABI_UNKNOWN && have_abi != p->abi)
        return ctr_error_code(err, CTR_E_USAGE, "%s: '%s' (%s) has the %s ABI, not %s", what,
                              path, name, ctr_lib_abi_name(have_abi), ctr_lib_abi_name(p->abi));
    if (add_file(site, name, path, err) < 0)
        return ctr_error_wrap(err, "%s", what);
    ctr_site_lib *sl = &site->lib[site->nlib++];
    *sl = (ctr_site_lib){old, have, p->cret, (size_t)ctr_site_file_index(site, name), NULL};
    sl->name = site->files[sl->file].name;
    return 0;
}

static int load_all(const ctr_options *o, ctr_site *site, ctr_error *err)
{
    for (size_t i = 0; i < o->nredirect; i++) {
        char what[300];
        snprintf(what, sizeof what, "--redirect %s", o->redirect[i].old);
        ctr_site_provider any = {CTR_LIB_OTHER, CTR_ABI_UNKNOWN, CTR_CRET_UNKNOWN, ""};
        snprintf(any.path, sizeof any.path, "%s", o->redirect[i].path);
        if (add_lib(site, o->redirect[i].old, &any, what, err) < 0)
            return -1;
    }
    if (!o->site_profile)
        return 0;
    ctr_site_profile *prof = malloc(sizeof *prof);
    if (!prof)
        return ctr_error_set(err, ENOMEM, "site profile");
    int rc = ctr_site_profile_read(o->site_profile, prof, err);
    site->mode = prof->mode;
    if (rc == 0 && prof->mode == CTR_SITE_HOST && !(site->cdi_spec = strdup(prof->cdi_spec)))
        rc = ctr_error_set(err, ENOMEM, "site profile");
    if (rc == 0 && prof->mode == CTR_SITE_HOST && o->check)
        rc = ctr_error_code(err, CTR_E_USAGE, "site profile '%s': --check runs the new root "
                                              "without the host's libraries: not with mode "
                                              "\"host\"", o->site_profile);
    for (size_t i = 0; rc == 0 && i < prof->n; i++) {
        char what[4200];
        snprintf(what, sizeof what, "site profile '%s'", o->site_profile);
        rc = add_lib(site, NULL, &prof->lib[i], what, err);
    }
    free(prof);
    return rc;
}

int ctr_site_load(const ctr_options *o, ctr_site **out, ctr_error *err)
{
    *out = NULL;
    if (!o->nredirect && !o->site_profile)
        return 0;
    ctr_site *site = calloc(1, sizeof *site);
    if (!site || !(site->files = calloc(CTR_SITE_MAX_FILES, sizeof *site->files))) {
        free(site);
        return ctr_error_set(err, ENOMEM, "site libraries");
    }
    if (load_all(o, site, err) < 0 || ctr_site_name_device(site, err) < 0) {
        ctr_site_free(site);
        return -1;
    }
    *out = site;
    return 0;
}

int ctr_site_stage(const ctr_site *site, const char *work, ctr_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX * 2];
    snprintf(dir, sizeof dir, "%s/site", work);
    if (!site)
        return 0;
    if (ctr_tree_remove(dir) < 0 || mkdir(dir, 0755) < 0)
        return ctr_error_set(err, errno, "'%s'", dir);
    for (size_t i = 0; i < site->nfiles; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, site->files[i].name);
        if (ctr_file_copy(site->files[i].host, path, 0644, err) < 0)
            return -1;
    }
    return 0;
}

/* The directories of CTR_SITE_DIR in tree, made or entered one by one:
 * none may be a symlink or anything but a directory.  Those made are added
 * to *added.  The descriptor of the last, or -1 with err. */
static int site_dir(const char *tree, ctr_file_list *added, ctr_error *err)
{
    int fd = open(tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ctr_error_set(err, errno, "'%s'", tree);
    char inner[PATH_MAX] = "", host[PATH_MAX * 2];
    char comps[] = CTR_SITE_DIR;
    for (char *save = NULL, *c = strtok_r(comps, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        snprintf(inner + strlen(inner), sizeof inner - strlen(inner), "/%s", c);
        snprintf(host, sizeof host, "%s%s", tree, inner);
        bool made = mkdirat(fd, c, 0755) == 0;
        int sub = made || errno == EEXIST
                      ? openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                      : -1;
        int e = errno;
        close(fd);
        if (sub < 0)
            return e == ELOOP || e == ENOTDIR
                       ? ctr_error_code(err, CTR_E_POLICY, "the image's %s is no directory: "
                                                           "site libraries not bundled", inner)
                       : ctr_error_set(err, e, "'%s'", host);
        if (made && ctr_file_list_add(added, inner, host, err) < 0) {
            close(sub);
            return -1;
        }
        fd = sub;
    }
    return fd;
}

bool ctr_site_used(const ctr_site *site, const ctr_plan *plan, const ctr_outcome *oc)
{
    for (size_t i = 0; site && i < plan->n; i++)
        if (oc[i].relinked && plan->v[i].site_swaps)
            return true;
    return false;
}

int ctr_site_install(const ctr_site *site, const ctr_plan *plan, const ctr_outcome *oc,
                     const char *work, const char *tree, ctr_file_list *added, ctr_error *err)
{
    if (!ctr_site_used(site, plan, oc))
        return 0;
    int fd = site_dir(tree, added, err);
    if (fd < 0)
        return -1;
    close(fd);
    if (site->mode == CTR_SITE_HOST) /* the runtime binds the files in (site_host.c) */
        return 0;
    for (size_t i = 0; i < site->nfiles; i++) {
        char from[PATH_MAX * 2], inner[PATH_MAX], host[PATH_MAX * 3];
        snprintf(from, sizeof from, "%s/site/%s", work, site->files[i].name);
        snprintf(inner, sizeof inner, CTR_SITE_DIR "/%s", site->files[i].name);
        snprintf(host, sizeof host, "%s%s", tree, inner);
        /* the directory was just made or checked: no symlink on the way */
        if (ctr_file_copy(from, host, 0644, err) < 0 ||
            ctr_file_list_add(added, inner, host, err) < 0)
            return -1;
    }
    return 0;
}
