/* ctr-relink IMAGE: verify and unpack the image into a private root
 * filesystem, relink it with the root filesystem machinery, and write a new
 * image that is the source's layers byte for byte plus one layer holding the
 * relinked files (and a whiteout of each IR store inside the image).
 *
 * Work directory (default OUTPUT.ctr-work): the relinker's incremental state
 * stays there; image/ (the source archive's files, the unpacked and the
 * relinked root, the new layer) is removed when the run ends. */
#include "comtainer/files.h"
#include "comtainer/strbuf.h"
#include "image_relink.h"
#include "relink.h"
#include "report.h"
#include "retarget.h"
#include "site_libs.h"
#include "rootfs_path.h"
#include "rootfs_stores.h"
#include "run_cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "comtainer/oci.h"

struct image_run {
    ctr_options ro; /* the operator's, with out and work inside the work directory */
    oci_ref in, out;
    const char *ref_name;
    /* sized so that each fits the one it is built from plus a short name */
    char work[PATH_MAX - 128], scratch[PATH_MAX - 64], rootfs[PATH_MAX - 32],
        relinked[PATH_MAX - 32];
    bool work_created;
    oci_image *img;
    irs_store *store;
    ctr_plan *plan;
    ctr_site *site; /* --redirect */
    ctr_relink_result res;
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

/* ---- stages ------------------------------------------------------------------------ */

static int prepare(struct image_run *r, const char *image, ctr_error *err)
{
    if (oci_ref_parse_input(image, &r->in, err) < 0)
        return -1;
    if (r->ro.plan_only && !r->ro.work) {
        /* --plan writes nothing: unpack into a temporary work directory */
        const char *tmp = getenv("TMPDIR");
        snprintf(r->work, sizeof r->work, "%s/ctr-relink-plan-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(r->work))
            return ctr_error_set(err, errno, "'%s'", r->work);
        r->work_created = true;
    } else {
        if (!r->ro.plan_only && oci_ref_parse_output(r->ro.out, &r->out, err) < 0)
            return -1;
        struct stat st;
        if (!r->ro.plan_only && lstat(r->out.path, &st) == 0)
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
    oci_apply_opts ao = {.max_unpacked = r->ro.max_unpacked};
    int rc = oci_image_open(&r->in, src, &r->img, err) < 0 ||
                     oci_image_unpack(r->img, r->rootfs, &ao, err) < 0
                 ? -1
                 : 0;
    r->seconds_unpack = now() - t;
    return rc;
}

/* Scan the image's root, open its stores (or --store) and build the plan. */
static int plan_image(struct image_run *r, ctr_error *err)
{
    ctr_rootfs *fs = NULL;
    irs_strv names = {0};
    const char *name = oci_image_name(r->img);
    /* the scan first: it finds the stores inside the image */
    if (ctr_rootfs_scan(r->rootfs, ctr_report_warning, &fs, err) < 0)
        return ctr_error_wrap(err, "%s", name);
    if (ctr_rootfs_stores_open(fs, r->ro.store, name, &r->store, &names, err) < 0) {
        ctr_rootfs_free(fs);
        irs_strv_clear(&names);
        return -1;
    }
    int rc = ctr_plan_build(fs, r->store, &names, &r->ro.sandbox, &r->plan, err);
    irs_strv_clear(&names);
    return rc < 0 ? ctr_error_wrap(err, "%s", name) : 0;
}

static int relink(struct image_run *r, ctr_error *err)
{
    double t = now();
    if (plan_image(r, err) < 0)
        return -1;
    if (ctr_site_load(&r->ro, &r->site, err) < 0 || ctr_site_plan(r->plan, r->site, err) < 0)
        return -1;
    if (r->ro.plan_only)
        return 0;
    int rc = ctr_relink_run(r->plan, r->store, &r->ro, r->site, &r->res, err);
    r->seconds_relink = now() - t;
    return rc;
}

/* ---- the new layer: what the relink changed ------------------------------------------------ */

/* dir (a layer path, "a/b") is one of v's n layer paths or below one. */
static bool covered(char *const *v, size_t n, const char *dir)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        if (!strncmp(dir, v[i], len) && (dir[len] == '\0' || dir[len] == '/'))
            return true;
    }
    return false;
}

/* The whiteouts that remove the IR stores from the new image: every store
 * the scan found (not one below another), and the default store's path
 * when it exists in another form (a symlink to one of them), into v from
 * *k on. */
static int store_whiteouts(const struct image_run *r, oci_layer_entry *v, size_t *k,
                           ctr_error *err)
{
    const irs_strv *found = &r->plan->fs->stores;
    char **dirs = calloc(found->n + 1, sizeof *dirs);
    size_t n = 0;
    if (!dirs)
        return ctr_error_set(err, ENOMEM, "whiteouts");
    for (size_t i = 0; i < found->n; i++)
        if (!covered(dirs, n, found->v[i] + 1))
            dirs[n++] = found->v[i] + 1; /* "/a/b" is "a/b" in a layer */
    char dflt[PATH_MAX];
    struct stat st;
    snprintf(dflt, sizeof dflt, "%s/%s", r->rootfs, OCI_STORE_DIR);
    if (lstat(dflt, &st) == 0 && !covered(dirs, n, OCI_STORE_DIR))
        dirs[n++] = (char *)OCI_STORE_DIR;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        v[*k] = (oci_layer_entry){.mode = S_IFREG | 0644, .path = oci_whiteout_path(dirs[i])};
        rc = v[(*k)++].path ? 0 : ctr_error_set(err, ENOMEM, "whiteout");
    }
    free(dirs);
    return rc;
}

/* The layer's entries: each file the relink replaced, with the original's
 * mode and owner (a replacement with the source's bytes is no change), what
 * it added (the site libraries' bundle: directories and files, root's), and
 * the stores' whiteouts. */
static int layer_entries(const struct image_run *r, oci_layer_entry **out, size_t *n,
                         ctr_error *err)
{
    const ctr_file_list *fl = &r->res.replaced;
    oci_layer_entry *v = calloc(fl->n + r->plan->fs->stores.n + 1, sizeof *v);
    if (!v)
        return ctr_error_set(err, ENOMEM, "the new layer");
    size_t k = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < fl->n; i++) {
        char orig[PATH_MAX * 2];
        struct stat ost, nst;
        snprintf(orig, sizeof orig, "%s%s", r->rootfs, fl->inner[i]);
        int orc = lstat(orig, &ost);
        bool added = orc < 0 && errno == ENOENT;
        if ((orc < 0 && !added) || lstat(fl->host[i], &nst) < 0) {
            rc = ctr_error_set(err, errno, "'%s'", fl->inner[i]);
            break;
        }
        if (!added && ctr_file_same(orig, fl->host[i]))
            continue;
        bool dir = S_ISDIR(nst.st_mode);
        v[k] = added ? (oci_layer_entry){.mode = (dir ? S_IFDIR : S_IFREG) | (nst.st_mode & 0777)}
                     : (oci_layer_entry){.mode = S_IFREG | (ost.st_mode & 07777),
                                         .uid = ost.st_uid, .gid = ost.st_gid};
        v[k].path = strdup(fl->inner[i] + 1);
        v[k].host = dir ? NULL : strdup(fl->host[i]);
        if (!v[k].path || (!dir && !v[k].host))
            rc = ctr_error_set(err, ENOMEM, "the new layer");
        k++;
    }
    if (rc == 0 && !r->ro.keep_store)
        rc = store_whiteouts(r, v, &k, err);
    *out = v;
    *n = k;
    return rc;
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
    oci_layer_entry *v = NULL;
    size_t n = 0;
    char gz[PATH_MAX];
    snprintf(gz, sizeof gz, "%s/layer.tar.gz", r->scratch);
    int rc = layer_entries(r, &v, &n, err);
    if (rc == 0)
        rc = oci_layer_write(v, n, layer_mtime(r->img), gz, &r->layer, err);
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].path);
        free(v[i].host);
    }
    free(v);
    return rc;
}

/* ---- the new image ------------------------------------------------------------------------- */

/* "clang-19 19.1.7" for the toolchains that produced relinked files. */
static void toolchain_versions(const struct image_run *r, char *buf, size_t size)
{
    bool llvm = false, gcc = false;
    for (size_t i = 0; i < r->plan->n; i++) {
        ctr_toolchain tc = r->res.oc[i].toolchain;
        if (!r->res.oc[i].relinked)
            continue;
        llvm |= tc == CTR_TOOLCHAIN_LLVM || tc == CTR_TOOLCHAIN_MIXED;
        gcc |= tc == CTR_TOOLCHAIN_GCC || tc == CTR_TOOLCHAIN_MIXED;
    }
    static const struct {
        const char *name, *cmd;
    } tools[] = {{CTR_CLANG, CTR_CLANG " -dumpversion"},
                 {CTR_GCC, CTR_GCC " -dumpfullversion"}};
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

/* With site libraries in use: their names (comma-separated) and, in host
 * mode, the bindings (JSON) for the image's annotations; both NULL without. */
static int site_annotations(const struct image_run *r, char **libs, char **bindings,
                            ctr_error *err)
{
    *libs = *bindings = NULL;
    if (!ctr_site_used(r->site, r->plan, r->res.oc))
        return 0;
    ctr_strbuf sb = CTR_STRBUF_INIT;
    for (size_t i = 0; i < r->site->nfiles; i++)
        ctr_sb_addf(&sb, "%s%s", i ? "," : "", r->site->files[i].name);
    if (ctr_sb_done(&sb, "annotations", err) < 0)
        return -1;
    *libs = ctr_sb_detach(&sb);
    if (r->site->mode == CTR_SITE_HOST) {
        json_t *b = ctr_site_bindings_json(r->site);
        *bindings = b ? json_dumps(b, JSON_COMPACT) : NULL;
        json_decref(b);
        if (!*bindings) {
            free(*libs);
            *libs = NULL;
            return ctr_error_set(err, ENOMEM, "annotations");
        }
    }
    return 0;
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
    bool pgo = false, bolt = false; /* profile-guided: only if a profile was really used */
    for (size_t i = 0; i < r->plan->n; i++) {
        pgo |= r->res.oc[i].relinked && r->res.oc[i].pgo;
        bolt |= r->res.oc[i].relinked && r->res.oc[i].bolt;
    }
    static const char *const toolchain_opt[] = {"", " --toolchain=llvm", " --toolchain=gcc"};
    snprintf(options, sizeof options, "--march=%s --lto=%s%s%s%s%s", r->ro.march,
             ctr_lto_option(r->ro.lto), toolchain_opt[r->ro.toolchain], pgo ? " --pgo" : "",
             bolt ? " --bolt" : "", r->ro.keep_store ? " --keep-store" : "");
    snprintf(created_by, sizeof created_by, "ctr-relink %s", options);
    toolchain_versions(r, toolchains, sizeof toolchains);
    const char *source = oci_image_manifest_digest(r->img);
    char *site_libs = NULL, *bindings = NULL;
    if (site_annotations(r, &site_libs, &bindings, err) < 0) {
        ctr_target_clear(&target);
        return -1;
    }
    bool host = bindings != NULL;
    oci_annotation ann[9] = {
        {"org.comtainer.source.digest", source},
        {"org.comtainer.target.cpu", target.cpu},
        {"org.comtainer.toolchain", toolchains},
        {"org.comtainer.options", options},
        {"org.opencontainers.image.base.digest", source},
    };
    size_t nann = 5;
    if (site_libs) {
        ann[nann++] = (oci_annotation){"org.comtainer.site.libraries", site_libs};
        ann[nann++] = (oci_annotation){"org.comtainer.site.mode", host ? "host" : "bundle"};
    }
    if (host) {
        ann[nann++] = (oci_annotation){"org.comtainer.site.cdi-device", r->site->device};
        ann[nann++] = (oci_annotation){"org.comtainer.site.bindings", bindings};
    }
    r->ref_name = r->ro.tag          ? r->ro.tag
                  : r->out.tag        ? r->out.tag
                  : oci_image_tag(r->img) ? oci_image_tag(r->img)
                                      : "latest";
    oci_write_opts wo = {.output = &r->out,
                         .ref_name = r->ref_name,
                         .scratch = r->scratch,
                         .layer = &r->layer,
                         .created_by = created_by,
                         .annotations = ann,
                         .nannotations = nann};
    int rc = oci_image_write(r->img, &wo, &r->written, err);
    /* the spec last: it binds libraries into an image that now exists */
    if (rc == 0 && host)
        rc = ctr_site_cdi_write(r->site, err);
    free(site_libs);
    free(bindings);
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
    if (r->ro.plan_only) {
        ctr_report_plan(r->plan, r->ro.json);
        return;
    }
    bool host = r->site && r->site->mode == CTR_SITE_HOST &&
                ctr_site_used(r->site, r->plan, r->res.oc);
    if (r->ro.json) {
        json_t *j = ctr_report_summary_json(r->plan, &r->res, r->out.path);
        json_object_set_new(j, "image", image_json(r));
        if (host)
            json_object_set_new(j, "site", ctr_site_host_json(r->site));
        ctr_report_json(j);
        return;
    }
    ctr_report_summary(r->plan, &r->res);
    if (host)
        ctr_site_host_print(r->site);
    printf("image %s%s (%s)\n  manifest %s\n  layer %s, %llu bytes\n"
           "  unpack %.2fs  relink %.2fs  write %.2fs\n",
           r->out.kind == OCI_REF_ARCHIVE ? "oci-archive:" : "oci:", r->out.path, r->ref_name,
           r->written.manifest_digest, r->layer.digest, (unsigned long long)r->layer.size,
           r->seconds_unpack, r->seconds_relink, r->seconds_write);
}

static void finish(struct image_run *r, bool failed)
{
    ctr_tree_remove(r->scratch);
    if (r->work_created && (failed || r->ro.plan_only))
        ctr_tree_remove(r->work);
    ctr_relink_result_clear(&r->res);
    ctr_plan_free(r->plan);
    ctr_site_free(r->site);
    irs_store_free(r->store);
    oci_image_free(r->img);
    oci_layer_clear(&r->layer);
    oci_ref_clear(&r->in);
    oci_ref_clear(&r->out);
}

int ctr_image_relink(const ctr_options *o)
{
    struct image_run r = {.ro = *o};
    ctr_error err = {0};
    bool failed = prepare(&r, o->input, &err) < 0 || unpack(&r, &err) < 0 ||
                  relink(&r, &err) < 0 || (!o->plan_only && write_image(&r, &err) < 0);
    int status = 2;
    if (failed) {
        ctr_report_error(err.msg);
    } else {
        report(&r);
        status = ctr_report_status(r.plan, o->plan_only ? NULL : &r.res);
    }
    finish(&r, failed);
    return status;
}
