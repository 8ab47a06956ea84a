/* Walking the entries of a store in address order. */
#include "irstore_private.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dot(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static void free_list(struct dirent **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int irs_store_walk(irs_store *store, enum irs_entry_kind kind, irs_walk_fn fn, void *ctx,
                   ctr_error *err)
{
    const char *sub = kind == IRS_ENTRY_BLOB ? IRS_BLOB_DIR : IRS_RECORD_DIR;
    char top[4096], dir[4096], path[4096];
    if (snprintf(top, sizeof top, "%s/%s", store->root, sub) >= (int)sizeof top)
        return ctr_error_set(err, ENAMETOOLONG, "store '%s'", store->root);

    struct dirent **fans;
    int nfan = scandir(top, &fans, not_dot, cmp_names);
    if (nfan < 0)
        return errno == ENOENT ? 0 : ctr_error_set(err, errno, "'%s'", top);
    int rc = 0;
    for (int i = 0; i < nfan && rc == 0; i++) {
        if (snprintf(dir, sizeof dir, "%s/%s", top, fans[i]->d_name) >= (int)sizeof dir)
            continue; /* cannot be a two-character fan-out directory */
        struct dirent **ents;
        int nent = scandir(dir, &ents, not_dot, cmp_names);
        if (nent < 0) {
            /* a stray file where a fan-out directory belongs */
            rc = errno == ENOTDIR ? fn(store, NULL, dir, ctx)
                                  : ctr_error_set(err, errno, "'%s'", dir);
            continue;
        }
        for (int j = 0; j < nent && rc == 0; j++) {
            const char *name = ents[j]->d_name;
            if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
                continue; /* cannot be an address */
            bool good = irs_is_hash_hex(name) && strncmp(name, fans[i]->d_name, 2) == 0 &&
                        strlen(fans[i]->d_name) == 2;
            rc = fn(store, good ? name : NULL, path, ctx);
        }
        free_list(ents, nent);
    }
    free_list(fans, nfan);
    return rc;
}
