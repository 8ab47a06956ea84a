/* ctr-store prune: drop the records and blobs that no ELF file of a root
 * filesystem names.  A build's store also holds what never reached the
 * image: configure and CMake probes (conftest.c), objects of programs not
 * installed, TUs of earlier builds.  Run where the image is built, before
 * its layer is written (RUN ctr-store prune /), or on an unpacked root. */
#include <errno.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "comtainer/files.h"

static const char usage[] =
    "usage: ctr-store prune ROOT [--store DIR] [--dry-run] [--json]\n"
    "Remove from ROOT's store (ROOT" IRS_DEFAULT_STORE ", or --store DIR) every\n"
    "record that no executable, shared library, object or archive under ROOT\n"
    "names, and every blob that no remaining record uses.  ROOT is walked on its\n"
    "own file system, never following a symlink.  --dry-run only counts.\n";

/* The TU ids that some file of the root names, and the blobs kept records
 * use: sorted lists. */
struct prune {
    irs_strv named, blobs;
    const char *store_dir;
    unsigned long files, records_kept, records_removed, blobs_kept, blobs_removed;
    unsigned long long bytes_removed;
    bool dry_run;
    int failed;
};

/* An ELF file or an ar archive, by its first bytes. */
static bool maybe_object(const char *path)
{
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return (n >= 4 && !memcmp(head, "\177ELF", 4)) || (n == 8 && !memcmp(head, "!<arch>\n", 8));
}

static int visit(void *vctx, const char *path, const struct stat *st, ctr_error *err)
{
    (void)err;
    struct prune *p = vctx;
    size_t dirlen = strlen(p->store_dir);
    if (!S_ISREG(st->st_mode) ||
        (!strncmp(path, p->store_dir, dirlen) && (path[dirlen] == '/' || !path[dirlen])) ||
        !maybe_object(path))
        return 0;
    char **ids;
    size_t n;
    ctr_error e;
    if (irs_elf_tu_ids(path, &ids, &n, &e) < 0)
        return 0; /* not an object after all, or a damaged one: it names nothing */
    p->files += n > 0;
    for (size_t i = 0; i < n; i++)
        if (irs_strv_push(&p->named, ids[i]) < 0) {
            irs_ids_free(ids);
            return ctr_error_set(err, ENOMEM, "prune");
        }
    irs_ids_free(ids);
    return 0;
}

static unsigned long long size_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

static void drop(struct prune *p, const char *path)
{
    unsigned long long size = size_of(path);
    if (!p->dry_run && unlink(path) < 0) {
        ctr_err("removing '%s': %s", path, strerror(errno));
        p->failed = 1;
        return;
    }
    p->bytes_removed += size;
}

static int each_record(irs_store *store, const char *id, const char *path, void *vctx)
{
    struct prune *p = vctx;
    if (!id)
        return 0; /* not a record's name: verify reports it */
    if (!irs_strv_sorted_has(&p->named, id)) {
        drop(p, path);
        p->records_removed++;
        return 0;
    }
    p->records_kept++;
    irs_record *rec;
    ctr_error err;
    if (irs_record_get(store, id, &rec, &err) < 0)
        return 0; /* damaged, still named: kept as it is (verify reports it) */
    int rc = irs_strv_push(&p->blobs, rec->ir);
    irs_record_free(rec);
    return rc < 0 ? -1 : 0;
}

static int each_blob(irs_store *store, const char *id, const char *path, void *vctx)
{
    (void)store;
    struct prune *p = vctx;
    if (!id)
        return 0;
    if (irs_strv_sorted_has(&p->blobs, id)) {
        p->blobs_kept++;
        return 0;
    }
    drop(p, path);
    p->blobs_removed++;
    return 0;
}

/* The store ROOT/IRS_DEFAULT_STORE, each directory on the way a directory
 * of ROOT's, not a symlink out of it. */
static int root_store(const char *root, char *out, size_t size)
{
    char at[PATH_MAX];
    enum ctr_dirs_state state = ctr_tree_dirs_state(root, IRS_DEFAULT_STORE, at, sizeof at);
    if (state != CTR_DIRS_ALL) {
        ctr_err("'%s%s' is %s: no store of ROOT's to prune (--store names one)", root, at,
                state == CTR_DIRS_MISSING ? "missing" : "no directory");
        return -1;
    }
    snprintf(out, size, "%s" IRS_DEFAULT_STORE, root);
    return 0;
}

static void report(const struct prune *p, const struct ctr_opts *o)
{
    if (o->json) {
        ctr_print_json(json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "dry_run", p->dry_run,
                                 "files_naming_tus", (json_int_t)p->files, "records_kept",
                                 (json_int_t)p->records_kept, "records_removed",
                                 (json_int_t)p->records_removed, "blobs_kept",
                                 (json_int_t)p->blobs_kept, "blobs_removed",
                                 (json_int_t)p->blobs_removed, "bytes_removed",
                                 (json_int_t)p->bytes_removed));
        return;
    }
    printf("%s %lu of %lu records and %lu of %lu blobs (%llu bytes); %lu files name the "
           "%lu kept\n",
           p->dry_run ? "would remove" : "removed", p->records_removed,
           p->records_removed + p->records_kept, p->blobs_removed,
           p->blobs_removed + p->blobs_kept, p->bytes_removed, p->files, p->records_kept);
}

int cmd_prune(int argc, char **argv)
{
    struct ctr_opts o;
    int rc = ctr_parse(argc, argv, usage, CTR_OPT_JSON | CTR_OPT_STORE | CTR_OPT_DRY_RUN, 1, 1,
                       &o);
    if (rc)
        return rc > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
    const char *root = o.pos[0];
    char dir[PATH_MAX];
    if (o.store)
        snprintf(dir, sizeof dir, "%s", o.store);
    else if (root_store(root, dir, sizeof dir) < 0)
        return CTR_EXIT_ERROR;
    irs_store *store;
    ctr_error err;
    if (irs_store_open(dir, IRS_OPEN_NOFOLLOW, &store, &err) < 0) {
        ctr_err_obj(&err);
        return CTR_EXIT_ERROR;
    }
    struct prune p = {.store_dir = irs_store_path(store), .dry_run = o.dry_run};
    rc = ctr_tree_walk(root, CTR_WALK_ONE_FS, visit, &p, &err);
    irs_strv_sort_unique(&p.named);
    if (rc == 0)
        rc = irs_store_walk(store, IRS_ENTRY_RECORD, each_record, &p, &err);
    irs_strv_sort_unique(&p.blobs);
    if (rc == 0)
        rc = irs_store_walk(store, IRS_ENTRY_BLOB, each_blob, &p, &err);
    if (rc < 0)
        ctr_err("%s", err.msg);
    else
        report(&p, &o);
    irs_strv_clear(&p.named);
    irs_strv_clear(&p.blobs);
    irs_store_free(store);
    return rc < 0 ? CTR_EXIT_ERROR : p.failed ? CTR_EXIT_PROBLEMS : CTR_EXIT_OK;
}
