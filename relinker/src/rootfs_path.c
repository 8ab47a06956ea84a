/* Resolving paths inside a root filesystem without ever leaving it. */
#include "rootfs_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux's own limit on symlink hops per lookup. */
#define MAX_LINK_HOPS 40

int ctr_rootfs_resolve(const char *root, const char *path, char *out, size_t outsize,
                       char *inner, size_t innersize, ctr_error *err)
{
    /* `done` is the resolved prefix inside the image ("" = root); `todo` the
     * components still to walk. */
    char done[PATH_MAX] = "", todo[PATH_MAX], host[PATH_MAX * 2];
    int hops = 0;
    if (snprintf(todo, sizeof todo, "%s", path) >= (int)sizeof todo)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", path);
    char *p = todo;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char comp[NAME_MAX + 1];
        if (n > NAME_MAX)
            return ctr_error_set(err, ENAMETOOLONG, "'%s' in '%s'", p, path);
        memcpy(comp, p, n);
        comp[n] = '\0';
        p += n;
        if (!strcmp(comp, "."))
            continue;
        if (!strcmp(comp, "..")) {
            char *slash = strrchr(done, '/');
            if (slash)
                *slash = '\0'; /* at the root, ".." stays at the root */
            continue;
        }
        size_t dl = strlen(done);
        if (dl + 1 + n >= sizeof done)
            return ctr_error_set(err, ENAMETOOLONG, "'%s'", path);
        done[dl] = '/';
        memcpy(done + dl + 1, comp, n + 1);
        snprintf(host, sizeof host, "%s%s", root, done);
        struct stat st;
        if (lstat(host, &st) < 0)
            return ctr_error_set(err, errno, "'%s' (inside the image: '%s')", path, done);
        if (!S_ISLNK(st.st_mode))
            continue;
        if (++hops > MAX_LINK_HOPS)
            return ctr_error_set(err, ELOOP, "'%s' inside the image", path);
        char target[PATH_MAX];
        ssize_t tl = readlink(host, target, sizeof target - 1);
        if (tl < 0)
            return ctr_error_set(err, errno, "'%s'", host);
        target[tl] = '\0';
        /* the rest of the walk is target + what was left of todo */
        char rest[PATH_MAX];
        if (snprintf(rest, sizeof rest, "%s%s", target, p) >= (int)sizeof rest)
            return ctr_error_set(err, ENAMETOOLONG, "'%s'", path);
        if (target[0] == '/')
            done[0] = '\0';
        else
            *strrchr(done, '/') = '\0';
        memcpy(todo, rest, strlen(rest) + 1);
        p = todo;
    }
    if (snprintf(out, outsize, "%s%s", root, *done ? done : "/") >= (int)outsize)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", path);
    if (inner && snprintf(inner, innersize, "%s", *done ? done : "/") >= (int)innersize)
        return ctr_error_set(err, ENAMETOOLONG, "'%s'", path);
    return 0;
}
