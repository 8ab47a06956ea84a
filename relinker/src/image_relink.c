/* ctr-relink IMAGE: verify and unpack the image into a private root
 * filesystem, relink it with the root filesystem machinery, and write a new
 * image that is the source's layers byte for byte plus one layer holding the
 * relinked files (and a whiteout of the IR store).
 *
 * Work directory (default OUTPUT.ctr-work): the relinker's incremental state
 * stays there; image/ (the source archive's files, the unpacked and the
 * relinked root, the new layer) is removed when the run ends. */
#include "image_relink.h"
#include "rootfs_path.h"
#include "run_cmd.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "comtainer/oci.h"

struct image_run {
    const ctr_image_opts *io;
    const ctr_printers *print;
    ctr_relink_opts ro;
    oci_ref in, out;
    const char *ref_name;
    /* sized so that each fits the one it is built from plus a short name */
    char work[PATH_MAX - 128], scratch[PATH_MAX - 64], rootfs[PATH_MAX - 32],
        relinked[PATH_MAX - 32];
    bool work_created;
    oci_image *img;
    irs_store *store;
    ctr_plan *plan;
    ctr_outcome *oc;
    oci_layer layer;
    oci_written written;
    double seconds_unpack, seconds_relink, seconds_write;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *lto_name(enum ctr_lto lto)
{
    return lto == CTR_LTO_THIN ? "thin" : lto == CTR_LTO_NONE ? "none" : "full";
}

/* ---- stages ------------------------------------------------------------------------ */

static int prepare(struct image_run *r, const char *image, ctr_error *err)
{
    if (oci_ref_parse_input(image, &r->in, err) < 0)
        return -1;
    if (r->io->plan_only && !r->ro.work) {
        /* --plan writes nothing: unpack into a temporary work directory */
        const char *tmp = getenv("TMPDIR");
        snprintf(r->work, sizeof r->work, "%s/ctr-relink-plan-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(r->work))
            return ctr_error_set(err, errno, "'%s'", r->work);
        r->work_created = true;
    } else {
        if (!r->io->plan_only && oci_ref_parse_output(r->ro.out, &r->out, err) < 0)
            return -1;
        struct stat st;
        if (!r->io->plan_only && lstat(r->out.path, &st) == 0)
            return ctr_error_set(err, 0, "'%s' exists: not overwritten", r->out.path);
        int n = r->ro.work ? snprintf(r->work, sizeof r->work, "%s", r->ro.work)
                           : snprintf(r->work, sizeof r->work, "%s.ctr-work", r->out.path);
        if (n < 0 || (size_t)n >= sizeof r->work)
            return ctr_error_set(err, ENAMETOOLONG, "work directory '%s'", r->work);
        if (mkdir(r->work, 0711) == 0)
            r->work_created = true;
        else if (errno != EEXIST)
            return ctr_error_set(err, errno, "work directory '%s'", r->work);
    }
    /* absolute: the link commands run in the work directory (ninja -C) */
    char abs[PATH_MAX];
    if (!realpath(r->work, abs) || strlen(abs) >= sizeof r->work)
        return ctr_error_set(err, errno ? errno : ENAMETOOLONG, "work directory '%s'", r->work);
    memcpy(r->work, abs, strlen(abs) + 1);
    snprintf(r->scratch, sizeof r->scratch, "%s/image", r->work);
    snprintf(r->rootfs, sizeof r->rootfs, "%s/rootfs", r->scratch);
    snprintf(r->relinked, sizeof r->relinked, "%s/relinked", r->scratch);
    ctr_tree_remove(r->scratch); /* a previous run's leftovers */
    if (mkdir(r->scratch, 0711) < 0 || mkdir(r->rootfs, 0755) < 0)
        return ctr_error_set(err, errno, "'%s'", r->scratch);
    r->ro.work = r->work;
    r->ro.out = r->relinked;
    return 0;
}

static int unpack(struct image_run *r, ctr_error *err)
{
    char src[PATH_MAX];
    snprintf(src, sizeof src, "%s/source", r->scratch);
    double t = now();
    oci_apply_opts o = {.max_unpacked = r->io->max_unpacked};
    int rc = oci_image_open(&r->in, src, &r->img, err) < 0 ||
                     oci_image_unpack(r->img, r->rootfs, &o, err) < 0
                 ? -1
                 : 0;
    r->seconds_unpack = now() - t;
    return rc;
}

static int relink(struct image_run *r, ctr_error *err)
{
    char store[PATH_MAX];
    ctr_rootfs *fs = NULL;
    double t = now();
    /* the image's store, resolved inside its root: a symlink to a host
     * directory ends inside the image */
    if (!r->io->store && ctr_rootfs_resolve(r->rootfs, IRS_DEFAULT_STORE, store, sizeof store,
                                            NULL, 0, err) < 0)
        return ctr_error_wrap(err, "the image's store '%s'", IRS_DEFAULT_STORE);
    if (irs_store_open(r->io->store ? r->io->store : store,
                       r->io->store ? 0 : IRS_OPEN_NOFOLLOW, &r->store, err) < 0 ||
        ctr_rootfs_scan(r->rootfs, r->print->warn, &fs, err) < 0 ||
        ctr_plan_build(fs, r->store, &r->ro.sandbox, &r->plan, err) < 0)
        return ctr_error_wrap(err, "%s", oci_image_name(r->img));
    if (r->io->plan_only)
        return 0;
    r->oc = calloc(r->plan->n ? r->plan->n : 1, sizeof *r->oc);
    if (!r->oc)
        return ctr_error_set(err, ENOMEM, "outcomes");
    int rc = ctr_relink_run(r->plan, r->store, &r->ro, r->oc, err);
    r->seconds_relink = now() - t;
    return rc;
}

/* ---- the new layer: what the relink changed ------------------------------------------------ */

struct changes {
    const char *rootfs;
    size_t prefix; /* length of the relinked root's path plus '/' */
    oci_layer_entry *v;
    size_t n, cap;
    int errnum;
};

static struct changes *changes_state; /* nftw has no user pointer */

static int add_change(struct changes *c, const char *path, const struct stat *orig)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        oci_layer_entry *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return -1;
        c->v = v;
        c->cap = cap;
    }
    oci_layer_entry *e = &c->v[c->n];
    *e = (oci_layer_entry){.mode = S_IFREG | (orig->st_mode & 07777),
                           .uid = orig->st_uid,
                           .gid = orig->st_gid};
    e->path = strdup(path + c->prefix);
    e->host = strdup(path);
    if (!e->path || !e->host) {
        free(e->path);
        free(e->host);
        return -1;
    }
    c->n++;
    return 0;
}

/* A relinked file is a new inode; everything else is a hard link to the
 * unpacked source (cp -al).  A new inode with the source's bytes (a --check
 * that put the original back) is no change. */
static int each_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    struct changes *c = changes_state;
    if (type != FTW_F || !S_ISREG(st->st_mode))
        return 0;
    char orig[PATH_MAX];
    struct stat ost;
    snprintf(orig, sizeof orig, "%s/%s", c->rootfs, path + c->prefix);
    if (lstat(orig, &ost) == 0 && (ost.st_ino == st->st_ino || ctr_file_same(orig, path)))
        return 0;
    if (add_change(c, path, lstat(orig, &ost) == 0 ? &ost : st) < 0)
        return c->errnum = ENOMEM, -1;
    return 0;
}

/* The layer's mtime: the source's "created", so that equal inputs give equal
 * layers; the epoch if it has none we can read. */
static time_t layer_mtime(const oci_image *img)
{
    const char *created = oci_image_created(img);
    struct tm tm = {0};
    const char *end = created ? strptime(created, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    return end ? timegm(&tm) : 0;
}

static int write_layer(struct image_run *r, ctr_error *err)
{
    struct changes c = {.rootfs = r->rootfs, .prefix = strlen(r->relinked) + 1};
    changes_state = &c;
    int rc = nftw(r->relinked, each_file, 32, FTW_PHYS) != 0
                 ? ctr_error_set(err, c.errnum ? c.errnum : errno, "'%s'", r->relinked)
                 : 0;
    changes_state = NULL;
    char store[PATH_MAX];
    struct stat st;
    snprintf(store, sizeof store, "%s/%s", r->rootfs, OCI_STORE_DIR);
    if (rc == 0 && !r->io->keep_store && lstat(store, &st) == 0) {
        oci_layer_entry *v = realloc(c.v, (c.n + 1) * sizeof *v);
        if (v)
            c.v = v, c.v[c.n] = (oci_layer_entry){.mode = S_IFREG | 0644};
        if (!v || !(c.v[c.n].path = oci_whiteout_path(OCI_STORE_DIR)))
            rc = ctr_error_set(err, ENOMEM, "whiteout");
        else
            c.n++;
    }
    char gz[PATH_MAX];
    snprintf(gz, sizeof gz, "%s/layer.tar.gz", r->scratch);
    if (rc == 0)
        rc = oci_layer_write(c.v, c.n, layer_mtime(r->img), gz, &r->layer, err);
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].path);
        free(c.v[i].host);
    }
    free(c.v);
    return rc;
}

/* ---- the new image ------------------------------------------------------------------------- */

/* "clang-19 19.1.7" for the toolchains that produced relinked files. */
static void toolchain_versions(const struct image_run *r, char *buf, size_t size)
{
    bool llvm = false, gcc = false;
    for (size_t i = 0; i < r->plan->n; i++) {
        const char *tc = r->oc[i].toolchain;
        if (!r->oc[i].relinked)
            continue;
        llvm |= !strcmp(tc, "llvm") || !strcmp(tc, "mixed");
        gcc |= !strcmp(tc, "gcc") || !strcmp(tc, "mixed");
    }
    static const struct {
        const char *name, *cmd;
    } tools[] = {{CTR_CLANG, CTR_CLANG " -dumpversion"},
                 {"gcc-" CTR_GCC_MAJOR, "gcc-" CTR_GCC_MAJOR " -dumpfullversion"}};
    snprintf(buf, size, "none");
    size_t len = 0;
    for (size_t t = 0; t < 2; t++) {
        char version[64] = "?";
        if (!(t == 0 ? llvm : gcc))
            continue;
        FILE *p = popen(tools[t].cmd, "r");
        if (p && fgets(version, sizeof version, p))
            version[strcspn(version, "\n")] = '\0';
        if (p)
            pclose(p);
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s %s",
                                len ? ", " : "", tools[t].name, version);
    }
}

static int write_image(struct image_run *r, ctr_error *err)
{
    double t = now();
    if (write_layer(r, err) < 0)
        return -1;
    ctr_target target;
    if (ctr_target_init(&target, r->ro.march, err) < 0)
        return -1;
    char options[256], created_by[384], toolchains[256];
    bool pgo = false; /* profile-guided: only if a profile was really used */
    for (size_t i = 0; i < r->plan->n; i++)
        pgo |= r->oc[i].pgo;
    static const char *const toolchain_opt[] = {"", " --toolchain=llvm", " --toolchain=gcc"};
    snprintf(options, sizeof options, "--march=%s --lto=%s%s%s%s", r->ro.march,
             lto_name(r->ro.lto), toolchain_opt[r->ro.toolchain], pgo ? " --pgo" : "",
             r->io->keep_store ? " --keep-store" : "");
    snprintf(created_by, sizeof created_by, "ctr-relink %s", options);
    toolchain_versions(r, toolchains, sizeof toolchains);
    const char *source = oci_image_manifest_digest(r->img);
    oci_annotation ann[] = {
        {"org.comtainer.source.digest", source},
        {"org.comtainer.target.cpu", target.cpu},
        {"org.comtainer.toolchain", toolchains},
        {"org.comtainer.options", options},
        {"org.opencontainers.image.base.digest", source},
    };
    r->ref_name = r->io->tag          ? r->io->tag
                  : r->out.tag        ? r->out.tag
                  : oci_image_tag(r->img) ? oci_image_tag(r->img)
                                      : "latest";
    oci_write_opts wo = {.output = &r->out,
                         .ref_name = r->ref_name,
                         .scratch = r->scratch,
                         .layer = &r->layer,
                         .created_by = created_by,
                         .annotations = ann,
                         .nannotations = sizeof ann / sizeof *ann};
    int rc = oci_image_write(r->img, &wo, &r->written, err);
    ctr_target_clear(&target);
    r->seconds_write = now() - t;
    return rc;
}

/* ---- reporting ------------------------------------------------------------------------------- */

static json_t *image_json(const struct image_run *r)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:{s:f,s:f,s:f}}", "output", r->out.path,
                     "ref_name", r->ref_name, "manifest_digest", r->written.manifest_digest,
                     "config_digest", r->written.config_digest, "layer_digest", r->layer.digest,
                     "layer_size", (json_int_t)r->layer.size, "seconds", "unpack",
                     r->seconds_unpack, "relink", r->seconds_relink, "write", r->seconds_write);
}

static void report(const struct image_run *r)
{
    if (r->io->plan_only) {
        if (r->io->json) {
            json_t *j = ctr_plan_json(r->plan);
            json_dumpf(j, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(j);
        } else {
            r->print->plan(r->plan);
        }
        return;
    }
    if (r->io->json) {
        json_t *j = r->print->summary_json(r->plan, r->oc, r->out.path);
        json_object_set_new(j, "image", image_json(r));
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
        return;
    }
    r->print->summary(r->plan, r->oc);
    printf("image %s%s (%s)\n  manifest %s\n  layer %s, %llu bytes\n"
           "  unpack %.2fs  relink %.2fs  write %.2fs\n",
           r->out.kind == OCI_REF_ARCHIVE ? "oci-archive:" : "oci:", r->out.path, r->ref_name,
           r->written.manifest_digest, r->layer.digest, (unsigned long long)r->layer.size,
           r->seconds_unpack, r->seconds_relink, r->seconds_write);
}

static int exit_status(const struct image_run *r)
{
    int status = 0;
    for (size_t i = 0; i < r->plan->n; i++)
        status |= r->io->plan_only ? r->plan->v[i].problem != NULL : !r->oc[i].relinked;
    return status;
}

static void finish(struct image_run *r, bool failed)
{
    ctr_tree_remove(r->scratch);
    if (r->work_created && (failed || r->io->plan_only))
        ctr_tree_remove(r->work);
    for (size_t i = 0; r->oc && i < r->plan->n; i++)
        free(r->oc[i].why);
    free(r->oc);
    ctr_plan_free(r->plan);
    irs_store_free(r->store);
    oci_image_free(r->img);
    oci_layer_clear(&r->layer);
    oci_ref_clear(&r->in);
    oci_ref_clear(&r->out);
}

int ctr_image_relink(const char *image, const ctr_image_opts *io, const ctr_relink_opts *ro,
                     const ctr_printers *print)
{
    struct image_run r = {.io = io, .print = print, .ro = *ro};
    ctr_error err = {0};
    bool failed = prepare(&r, image, &err) < 0 || unpack(&r, &err) < 0 || relink(&r, &err) < 0 ||
                  (!io->plan_only && write_image(&r, &err) < 0);
    int status = 2;
    if (failed) {
        print->error(err.msg);
    } else {
        report(&r);
        status = exit_status(&r);
    }
    finish(&r, failed);
    return status;
}
