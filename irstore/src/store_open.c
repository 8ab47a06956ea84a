/* Opening (and creating) a store: the root directory and its FORMAT file. */
#include "irstore_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *irs_store_default_path(void)
{
    const char *env = getenv("COMTAINER_STORE");
    return env && *env ? env : IRS_DEFAULT_STORE;
}

const char *irs_store_path(const irs_store *store)
{
    return store->root;
}

void irs_store_free(irs_store *store)
{
    while (store) {
        irs_store *next = store->next;
        if (store->rootfd >= 0)
            close(store->rootfd);
        free(store->root);
        free(store);
        store = next;
    }
}

static int format_line(char *buf, size_t size)
{
    return snprintf(buf, size, "comtainer-store %d\n", IRS_STORE_FORMAT_VERSION);
}

enum irs_format irs_format_of(const void *buf, size_t len)
{
    static const char magic[] = "comtainer-store ";
    char want[64];
    int wantlen = format_line(want, sizeof want);
    if (len == (size_t)wantlen && memcmp(buf, want, len) == 0)
        return IRS_FORMAT_OK;
    if (len > sizeof magic - 1 && memcmp(buf, magic, sizeof magic - 1) == 0)
        return IRS_FORMAT_OTHER;
    return IRS_FORMAT_NONE;
}

static int check_format(irs_store *store, const char *path, int flags, ctr_error *err)
{
    char want[64];
    int wantlen = format_line(want, sizeof want);
    void *buf = NULL;
    size_t len = 0;
    struct stat st;

    if (stat(path, &st) < 0 && errno == ENOENT) {
        if (!(flags & IRS_OPEN_CREATE))
            return ctr_error_set(err, 0, "'%s' is not a comtainer store (no %s file)",
                                 store->root, IRS_FORMAT_FILE);
        /* Concurrent creators all write the same bytes; the rename is atomic. */
        return irs__write_atomic(store, path, want, (size_t)wantlen, err);
    }
    if (irs__read_entry(store, path, 256, &buf, &len, err) < 0)
        return -1;
    enum irs_format f = irs_format_of(buf, len);
    free(buf);
    if (f == IRS_FORMAT_OTHER)
        return ctr_error_set(err, 0, "'%s': store format version not supported (this "
                             "build reads version %d)", path, IRS_STORE_FORMAT_VERSION);
    if (f != IRS_FORMAT_OK)
        return ctr_error_set(err, 0, "'%s': not a comtainer store format file", path);
    return 0;
}

int irs_store_open(const char *path, int flags, irs_store **out, ctr_error *err)
{
    *out = NULL;
    if (!path)
        path = irs_store_default_path();
    if (!*path)
        return ctr_error_set(err, 0, "empty store path");

    irs_store *store = calloc(1, sizeof *store);
    if (store)
        store->rootfd = -1;
    if (!store || !(store->root = strdup(path))) {
        free(store);
        return ctr_error_set(err, ENOMEM, "opening store '%s'", path);
    }
    /* Drop trailing slashes so that entry paths print cleanly. */
    for (size_t n = strlen(store->root); n > 1 && store->root[n - 1] == '/'; n--)
        store->root[n - 1] = '\0';

    struct stat st;
    if ((flags & IRS_OPEN_NOFOLLOW) && lstat(store->root, &st) == 0 && S_ISLNK(st.st_mode)) {
        ctr_error_set(err, 0, "store '%s' is a symlink: not followed in an image", store->root);
        goto fail;
    }
    if (stat(store->root, &st) < 0) {
        if (errno != ENOENT || !(flags & IRS_OPEN_CREATE)) {
            ctr_error_set(err, errno, "store '%s'", store->root);
            goto fail;
        }
        if (irs__mkdirs(store->root, err) < 0)
            goto fail;
    } else if (!S_ISDIR(st.st_mode)) {
        ctr_error_set(err, 0, "store '%s' is not a directory", store->root);
        goto fail;
    }

    store->rootfd = open(store->root, O_PATH | O_DIRECTORY | O_CLOEXEC |
                                          (flags & IRS_OPEN_NOFOLLOW ? O_NOFOLLOW : 0));
    if (store->rootfd < 0) {
        ctr_error_set(err, errno, "store '%s'", store->root);
        goto fail;
    }
    char fmt[4096];
    if (snprintf(fmt, sizeof fmt, "%s/%s", store->root, IRS_FORMAT_FILE) >= (int)sizeof fmt) {
        ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);
        goto fail;
    }
    if (check_format(store, fmt, flags, err) < 0)
        goto fail;
    *out = store;
    return 0;
fail:
    irs_store_free(store);
    return -1;
}
