/* ctr-store harvest: put into the store the IR that objects carry.  A
 * compile cache that hits does not run the compiler, so the plugin stores
 * nothing; under a cache the plugin makes each object carry its TUs
 * (irstore.h, IRS_CARRY_SECTION), and this puts them back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "comtainer/files.h"

static const char usage[] =
    "usage: ctr-store harvest [--store DIR] [--json] PATH...\n"
    "Put the TUs that objects and archives carry (compiled under ccache, sccache\n"
    "or distcc, or with COMTAINER_CARRY=1) into the store.  A directory PATH is\n"
    "walked, on its own file system, never following a symlink; its files\n"
    "ending in .o or .a are read.  Exit 1 if a carried TU is damaged.\n";

struct harvest {
    irs_store *store;
    unsigned long files, carried, added, bad;
};

static void one(struct harvest *h, const char *path)
{
    size_t carried, added;
    ctr_error err;
    if (irs_carry_harvest(h->store, path, &carried, &added, &err) < 0) {
        ctr_err_obj(&err);
        h->bad++;
    }
    h->files += carried > 0;
    h->carried += carried;
    h->added += added;
}

static bool object_name(const char *path)
{
    size_t n = strlen(path);
    return n > 2 && (!strcmp(path + n - 2, ".o") || !strcmp(path + n - 2, ".a"));
}

static int visit(void *ctx, const char *path, const struct stat *st, ctr_error *err)
{
    (void)err;
    if (S_ISREG(st->st_mode) && object_name(path))
        one(ctx, path);
    return 0;
}

int cmd_harvest(int argc, char **argv)
{
    struct ctr_opts o;
    irs_store *store;
    int rc = ctr_parse(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE, 1, 1 << 20, &o);
    if (rc)
        return rc > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
    ctr_error oerr;
    /* a warm cache on a new machine: the store may not exist yet */
    if (irs_store_open(o.store, IRS_OPEN_CREATE, &store, &oerr) < 0) {
        ctr_err_obj(&oerr);
        return CTR_EXIT_ERROR;
    }
    struct harvest h = {.store = store};
    for (int i = 0; i < o.npos; i++) {
        struct stat st;
        ctr_error err;
        if (lstat(o.pos[i], &st) < 0) {
            ctr_err("'%s': %s", o.pos[i], strerror(errno));
            h.bad++;
        } else if (S_ISDIR(st.st_mode)) {
            if (ctr_tree_walk(o.pos[i], CTR_WALK_ONE_FS, visit, &h, &err) < 0) {
                ctr_err_obj(&err);
                h.bad++;
            }
        } else {
            one(&h, o.pos[i]);
        }
    }
    if (o.json)
        ctr_print_json(json_pack("{s:I,s:I,s:I,s:I}", "files", (json_int_t)h.files, "carried",
                                 (json_int_t)h.carried, "added", (json_int_t)h.added,
                                 "damaged", (json_int_t)h.bad));
    else
        printf("%lu TUs carried by %lu files, %lu new to the store%s\n", h.carried, h.files,
               h.added, h.bad ? "; some could not be read (above)" : "");
    irs_store_free(store);
    return h.bad ? CTR_EXIT_PROBLEMS : CTR_EXIT_OK;
}
