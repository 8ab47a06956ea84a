/* ctr-relink ROOTFS (see rootfs_relink.h). */
#include "rootfs_relink.h"
#include "relink.h"
#include "report.h"
#include "rootfs_stores.h"
#include "site_libs.h"
#include "comtainer/files.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

/* Relink the plan, print the outcome; the exit status. */
static int relink(const ctr_plan *plan, irs_store *store, const ctr_options *o,
                  const ctr_site *site)
{
    struct stat st;
    bool work_existed = lstat(o->work, &st) == 0;
    ctr_relink_result res;
    ctr_error err = {0};
    int status;
    if (ctr_relink_run(plan, store, o, site, &res, &err) < 0) {
        ctr_report_error(err.msg);
        status = 2;
        if (!work_existed) /* exit 2: nothing written */
            ctr_tree_remove(o->work);
    } else if (site && site->mode == CTR_SITE_HOST && ctr_site_used(site, plan, res.oc) &&
               ctr_site_cdi_write(site, &err) < 0) {
        ctr_report_error(err.msg);
        status = 2;
    } else {
        bool host = site && site->mode == CTR_SITE_HOST && ctr_site_used(site, plan, res.oc);
        status = ctr_report_status(plan, &res);
        if (o->json) {
            json_t *j = ctr_report_summary_json(plan, &res, o->out);
            if (host)
                json_object_set_new(j, "site", ctr_site_host_json(site));
            ctr_report_json(j);
        } else {
            ctr_report_summary(plan, &res);
            if (host)
                ctr_site_host_print(site);
        }
    }
    ctr_relink_result_clear(&res);
    return status;
}

/* Scan the root, open its stores (or --store) and build the plan. */
static int plan_root(const ctr_options *o, irs_store **store, ctr_plan **plan, ctr_error *err)
{
    ctr_rootfs *fs = NULL;
    irs_strv names = {0};
    /* the scan first: it finds the stores inside the root */
    int rc = ctr_rootfs_scan(o->input, ctr_report_warning, &fs, err) < 0 ||
                     ctr_rootfs_stores_open(fs, o->store, o->input, store, &names, err) < 0
                 ? -1
                 : 0;
    if (rc < 0)
        ctr_rootfs_free(fs);
    else /* the plan owns fs from here, also on failure */
        rc = ctr_plan_build(fs, *store, &names, &o->sandbox, plan, err);
    irs_strv_clear(&names);
    return rc;
}

int ctr_rootfs_relink(const ctr_options *opts)
{
    const char *root = opts->input;
    if (opts->tag || opts->keep_store || opts->max_unpacked) {
        fprintf(stderr, "ctr-relink: --tag, --keep-store and --max-unpacked need an IMAGE, "
                        "not '%s'\n", root);
        return 2;
    }
    ctr_options o = *opts;
    char default_work[PATH_MAX];
    ctr_error err = {0};
    if (!o.plan_only && !o.work) {
        snprintf(default_work, sizeof default_work, "%s.ctr-work", o.out);
        o.work = default_work;
    }
    irs_store *store = NULL;
    ctr_plan *plan = NULL;
    ctr_site *site = NULL;
    if (ctr_site_load(&o, &site, &err) < 0 || plan_root(&o, &store, &plan, &err) < 0 ||
        ctr_site_plan(plan, site, &err) < 0) {
        ctr_report_error(err.msg);
        ctr_plan_free(plan);
        ctr_site_free(site);
        irs_store_free(store);
        return 2;
    }
    int status;
    if (o.plan_only) {
        ctr_report_plan(plan, o.json);
        status = ctr_report_status(plan, NULL);
    } else {
        status = relink(plan, store, &o, site);
    }
    ctr_plan_free(plan);
    ctr_site_free(site);
    irs_store_free(store);
    return status;
}
