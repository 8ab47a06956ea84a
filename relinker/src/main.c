/* ctr-relink: rebuild a root filesystem's programs natively from the IR store.
 *
 * This first step discovers the link graph (--plan): every ELF file of the
 * root filesystem that names TUs, its records in the store, and the libraries
 * it needs, resolved inside the root. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

static const char usage[] =
    "usage: ctr-relink --plan ROOTFS [--store DIR] [--json]\n"
    "\n"
    "Show how the programs and shared libraries of the unpacked root filesystem\n"
    "ROOTFS would be relinked: the TUs each one names, whether their records are\n"
    "in the store, and the libraries each one needs, found inside ROOTFS.\n"
    "\n"
    "  --plan        list the link graph (the relink itself is not built yet)\n"
    "  --store DIR   the IR store (default: ROOTFS/var/lib/comtainer/store)\n"
    "  --json        machine-readable output\n"
    "  --help        this text\n"
    "\n"
    "Exit status: 0 every covered binary can be relinked, 1 some cannot, 2 error.\n";

static void warn(const char *msg)
{
    fprintf(stderr, "ctr-relink: warning: %s\n", msg);
}

static void print_plan(const ctr_plan *plan)
{
    printf("%-40s %-15s %4s %-8s %s\n", "BINARY", "KIND", "TUS", "IR", "STATUS");
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        printf("%-40s %-15s %4zu %-8s %s\n", e->bin->inner,
               ctr_elf_kind_name(e->bin->link->kind), e->bin->link->ntu, e->ir_kind,
               e->problem ? e->problem : "ok");
    }
    printf("%zu ELF files, %zu name TUs\n", plan->fs->elf_files, plan->n);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"plan", no_argument, NULL, 'p'},  {"store", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false, plan_only = false;
    const char *store_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': plan_only = true; break;
        case 's': store_path = optarg; break;
        case 'j': json = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc - 1 || !plan_only) {
        fprintf(stderr, "ctr-relink: %s\n", !plan_only ? "only --plan is available so far"
                                                        : "one ROOTFS is needed");
        fputs(usage, stderr);
        return 2;
    }
    const char *root = argv[optind];
    char default_store[4096];
    if (!store_path) {
        snprintf(default_store, sizeof default_store, "%s%s", root, IRS_DEFAULT_STORE);
        store_path = default_store;
    }

    irs_error err;
    irs_store *store = NULL;
    ctr_rootfs *fs = NULL;
    ctr_plan *plan = NULL;
    if (irs_store_open(store_path, 0, &store, &err) < 0 ||
        ctr_rootfs_scan(root, warn, &fs, &err) < 0 || ctr_plan_build(fs, store, &plan, &err) < 0) {
        fprintf(stderr, "ctr-relink: %s\n", err.msg);
        irs_store_free(store);
        return 2;
    }
    int bad = 0;
    for (size_t i = 0; i < plan->n; i++)
        bad |= plan->v[i].problem != NULL;
    if (json) {
        json_t *j = ctr_plan_json(plan);
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
    } else {
        print_plan(plan);
    }
    ctr_plan_free(plan);
    irs_store_free(store);
    return bad ? 1 : 0;
}
