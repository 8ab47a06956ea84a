/* Discovery: the ELF files of a root filesystem that name TUs, and where
 * their DT_NEEDED libraries are inside the root. */
#include "rootfs_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs_path.h"
#include "rootfs_stores.h"
#include "comtainer/files.h"

/* Where the x86-64 Debian loader looks after RUNPATH (no ld.so.cache read). */
static const char *const default_lib_dirs[] = {
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
    "/lib", "/usr/lib", "/usr/local/lib",
};

/* The walk in progress. */
struct scan {
    ctr_rootfs *fs;
    void (*warn)(const char *);
    size_t rootlen;
};

static void free_binary(ctr_binary *b)
{
    free(b->inner);
    free(b->host);
    if (b->link && b->needed)
        for (size_t i = 0; i < b->link->needed.n; i++) {
            free(b->needed[i].name);
            free(b->needed[i].found);
        }
    free(b->needed);
    ctr_elf_link_free(b->link);
}

void ctr_rootfs_free(ctr_rootfs *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        free_binary(&fs->v[i]);
    free(fs->v);
    irs_strv_clear(&fs->stores);
    free(fs->root);
    free(fs);
}

static bool is_elf(const char *path)
{
    unsigned char m[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    bool yes = read(fd, m, 4) == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' &&
               m[3] == 'F';
    close(fd);
    return yes;
}

/* Find a DT_NEEDED library inside the image: RUNPATH ($ORIGIN = the
 * binary's directory), then the default directories. */
char *ctr_rootfs_find_needed(const char *root, const ctr_binary *b, const char *name)
{
    char host[PATH_MAX * 2], inner[PATH_MAX], cand[PATH_MAX * 2];
    if (strchr(name, '/')) /* a path: used as is */
        return ctr_rootfs_resolve(root, name, host, sizeof host, inner, sizeof inner,
                                  NULL) == 0
                   ? strdup(inner)
                   : NULL;
    char origin[PATH_MAX];
    snprintf(origin, sizeof origin, "%s", b->inner);
    char *odir = dirname(origin);
    size_t ndirs = b->link->runpath.n + sizeof default_lib_dirs / sizeof *default_lib_dirs;
    for (size_t i = 0; i < ndirs; i++) {
        const char *dir = i < b->link->runpath.n
                              ? b->link->runpath.v[i]
                              : default_lib_dirs[i - b->link->runpath.n];
        const char *o = strstr(dir, "$ORIGIN");
        if (o)
            snprintf(cand, sizeof cand, "%.*s%s%s/%s", (int)(o - dir), dir, odir, o + 7, name);
        else if (!strncmp(dir, "${ORIGIN}", 9))
            snprintf(cand, sizeof cand, "%s%s/%s", odir, dir + 9, name);
        else
            snprintf(cand, sizeof cand, "%s/%s", dir, name);
        struct stat st;
        if (ctr_rootfs_resolve(root, cand, host, sizeof host, inner, sizeof inner, NULL) == 0 &&
            stat(host, &st) == 0 && S_ISREG(st.st_mode))
            return strdup(inner);
    }
    return NULL;
}

static int visit(void *ctx, const char *path, const struct stat *st, ctr_error *err)
{
    struct scan *walk = ctx;
    ctr_rootfs *fs = walk->fs;
    if (ctr_rootfs_store_visit(fs, path, walk->rootlen, st, walk->warn, err) < 0)
        return -1;
    if (!S_ISREG(st->st_mode) || st->st_size < 64 || !is_elf(path))
        return 0;
    fs->elf_files++;
    ctr_elf_link *link;
    ctr_error bad;
    if (ctr_elf_link_read(path, &link, &bad) < 0) {
        walk->warn(bad.msg);
        return 0;
    }
    if (link->ntu == 0 || link->kind == CTR_ELF_OTHER) {
        ctr_elf_link_free(link);
        return 0;
    }
    ctr_binary *nv = realloc(fs->v, (fs->n + 1) * sizeof *nv);
    if (!nv) {
        ctr_elf_link_free(link);
        return ctr_error_set(err, ENOMEM, "scanning '%s'", fs->root);
    }
    fs->v = nv;
    ctr_binary *b = &fs->v[fs->n++];
    memset(b, 0, sizeof *b);
    b->link = link;
    b->host = strdup(path);
    b->inner = strdup(path + walk->rootlen);
    b->needed = calloc(link->needed.n ? link->needed.n : 1, sizeof *b->needed);
    if (!b->host || !b->inner || !b->needed)
        return ctr_error_set(err, ENOMEM, "scanning '%s'", fs->root);
    for (size_t i = 0; i < link->needed.n; i++) {
        b->needed[i].name = strdup(link->needed.v[i]);
        b->needed[i].found = ctr_rootfs_find_needed(fs->root, b, link->needed.v[i]);
    }
    return 0;
}

static int cmp_binary(const void *a, const void *b)
{
    return strcmp(((const ctr_binary *)a)->inner, ((const ctr_binary *)b)->inner);
}

int ctr_rootfs_scan(const char *root, void (*warn)(const char *msg), ctr_rootfs **out,
                    ctr_error *err)
{
    *out = NULL;
    char real[PATH_MAX];
    if (!realpath(root, real))
        return ctr_error_set(err, errno, "root filesystem '%s'", root);
    struct stat st;
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
        return ctr_error_set(err, ENOTDIR, "root filesystem '%s'", root);
    ctr_rootfs *fs = calloc(1, sizeof *fs);
    if (!fs || !(fs->root = strdup(real))) {
        free(fs);
        return ctr_error_set(err, ENOMEM, "'%s'", root);
    }
    struct scan walk = {fs, warn, strcmp(real, "/") ? strlen(real) : 0};
    if (ctr_tree_walk(real, CTR_WALK_ONE_FS, visit, &walk, err) < 0) {
        ctr_error_wrap(err, "walking '%s'", root);
        ctr_rootfs_free(fs);
        return -1;
    }
    if (fs->n) /* qsort(NULL, 0, ...) is undefined */
        qsort(fs->v, fs->n, sizeof *fs->v, cmp_binary);
    ctr_rootfs_stores_sort(fs);
    *out = fs;
    return 0;
}
