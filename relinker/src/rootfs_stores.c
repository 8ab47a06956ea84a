/* The IR stores inside a root filesystem (see rootfs_stores.h): one per
 * Spack install prefix (PREFIX/.spack/comtainer/store), an environment's
 * anywhere, the default one at /var/lib/comtainer/store. */
#include "rootfs_stores.h"
#include "rootfs_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Descriptors kept free beside the stores' own (one each, O_PATH): the
 * relink opens files, pipes and children of its own. */
#define SPARE_DESCRIPTORS 256

/* The first bytes (at most size) of path if it is a regular file; -1 for
 * anything else, which is never read. */
static ssize_t read_head(const char *path, char *buf, size_t size)
{
    /* O_NONBLOCK: a FIFO put in the file's place after the walk's lstat
     * must not block the open; fstat below refuses it */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    ssize_t got = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
    while (got >= 0 && (size_t)got < size) {
        ssize_t r = read(fd, buf + got, size - (size_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            got = r < 0 ? -1 : got;
            break;
        }
        got += r;
    }
    close(fd);
    return got;
}

int ctr_rootfs_store_visit(ctr_rootfs *fs, const char *path, size_t rootlen,
                           const struct stat *st, void (*warn)(const char *msg),
                           ctr_error *err)
{
    const char *base = strrchr(path, '/');
    if (!S_ISREG(st->st_mode) || !base || strcmp(base + 1, IRS_FORMAT_FILE) != 0)
        return 0;
    char head[IRS_FORMAT_MAX_BYTES];
    ssize_t n = read_head(path, head, sizeof head);
    enum irs_format f = n < 0 ? IRS_FORMAT_NONE : irs_format_of(head, (size_t)n);
    const char *inner = path + rootlen;
    int dirlen = (int)(base - inner);
    char msg[PATH_MAX + 128];
    if (f == IRS_FORMAT_OTHER) {
        snprintf(msg, sizeof msg, "'%s': an IR store of a format version this build does "
                                  "not read (it reads %d): not used",
                 inner, IRS_STORE_FORMAT_VERSION);
        warn(msg);
        return 0;
    }
    if (f != IRS_FORMAT_OK)
        return 0;
    if (dirlen <= 0) {
        /* its whiteout would remove the whole image */
        warn("'/" IRS_FORMAT_FILE "': the root directory itself is not used as an IR store");
        return 0;
    }
    if (fs->stores.n >= CTR_MAX_STORES)
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': more than %d IR stores", fs->root,
                              CTR_MAX_STORES);
    snprintf(msg, sizeof msg, "%.*s", dirlen, inner);
    if (irs_strv_push(&fs->stores, msg) < 0)
        return ctr_error_set(err, ENOMEM, "scanning '%s'", fs->root);
    return 0;
}

void ctr_rootfs_stores_sort(ctr_rootfs *fs)
{
    irs_strv *v = &fs->stores;
    irs_strv_sort_unique(v);
    char host[PATH_MAX * 2], inner[PATH_MAX];
    if (ctr_rootfs_resolve(fs->root, IRS_DEFAULT_STORE, host, sizeof host, inner, sizeof inner,
                           NULL) < 0)
        return;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->v[i], inner)) {
            char *d = v->v[i];
            memmove(v->v + 1, v->v, i * sizeof *v->v);
            v->v[0] = d;
            return;
        }
}

/* Room for n more descriptors: the soft limit raised toward the hard one
 * if need be (1024 is a common soft limit; a store holds one). */
static int make_room(size_t n, const char *root_name, ctr_error *err)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return ctr_error_set(err, errno, "the descriptor limit");
    rlim_t want = (rlim_t)n + SPARE_DESCRIPTORS;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': %zu IR stores need more descriptors "
                              "than the limit of %llu (ulimit -n)", root_name, n,
                              (unsigned long long)rl.rlim_max);
    rl.rlim_cur = want;
    return setrlimit(RLIMIT_NOFILE, &rl) < 0
               ? ctr_error_set(err, errno, "raising the descriptor limit to %llu",
                               (unsigned long long)want)
               : 0;
}

/* The store at inner path `inner` of fs, with no symlink on its way (the
 * walk that found it followed none; this checks that none came since). */
static int open_found(const ctr_rootfs *fs, const char *inner, const char *root_name,
                      irs_store **out, ctr_error *err)
{
    char host[PATH_MAX * 2], resolved[PATH_MAX];
    if (ctr_rootfs_resolve(fs->root, inner, host, sizeof host, resolved, sizeof resolved,
                           err) < 0)
        return ctr_error_wrap(err, "the store '%s' of '%s'", inner, root_name);
    if (strcmp(resolved, inner) != 0)
        return ctr_error_code(err, CTR_E_POLICY, "the store '%s' of '%s': a symlink on the "
                              "way (to '%s'): not followed", inner, root_name, resolved);
    if (irs_store_open(host, IRS_OPEN_NOFOLLOW, out, err) < 0)
        return ctr_error_wrap(err, "the store '%s' of '%s'", inner, root_name);
    return 0;
}

/* The default store, as before stores were searched for: resolved inside
 * the root (a symlink to a host directory ends inside it). */
static int open_default(const ctr_rootfs *fs, const char *root_name, irs_store **out,
                        ctr_error *err)
{
    char host[PATH_MAX * 2];
    if (ctr_rootfs_resolve(fs->root, IRS_DEFAULT_STORE, host, sizeof host, NULL, 0, err) < 0 ||
        irs_store_open(host, IRS_OPEN_NOFOLLOW, out, err) < 0)
        return ctr_error_wrap(err, "the store '%s' of '%s'", IRS_DEFAULT_STORE, root_name);
    return 0;
}

/* Every store fs found, chained in order, into *out. */
static int open_all(const ctr_rootfs *fs, const char *root_name, irs_store **out,
                    irs_strv *names, ctr_error *err)
{
    if (make_room(fs->stores.n, root_name, err) < 0)
        return -1;
    for (size_t i = 0; i < fs->stores.n; i++) {
        irs_store *s;
        if (open_found(fs, fs->stores.v[i], root_name, &s, err) < 0)
            return -1;
        if (!*out)
            *out = s;
        else if (irs_store_chain(*out, s, err) < 0) {
            irs_store_free(s);
            return -1;
        }
        if (irs_strv_push(names, fs->stores.v[i]) < 0)
            return ctr_error_set(err, ENOMEM, "the stores of '%s'", root_name);
    }
    return 0;
}

int ctr_rootfs_stores_open(const ctr_rootfs *fs, const char *dir, const char *root_name,
                           irs_store **out, irs_strv *names, ctr_error *err)
{
    *out = NULL;
    int rc;
    if (dir)
        rc = irs_store_open(dir, 0, out, err);
    else if (!fs->stores.n)
        rc = open_default(fs, root_name, out, err);
    else
        rc = open_all(fs, root_name, out, names, err);
    if (rc == 0 && (dir || !fs->stores.n) &&
        irs_strv_push(names, dir ? dir : IRS_DEFAULT_STORE) < 0)
        rc = ctr_error_set(err, ENOMEM, "the stores of '%s'", root_name);
    if (rc < 0) {
        irs_store_free(*out);
        *out = NULL;
    }
    return rc;
}
