/* ctr-relink: rebuild a root filesystem's programs natively from the IR store. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "comtainer/oci.h"
#include "image_relink.h"
#include "plan.h"
#include "rootfs_path.h"
#include "relink.h"

static const char usage[] =
    "usage: ctr-relink ROOTFS -o OUT [options]\n"
    "       ctr-relink --plan ROOTFS [--store DIR] [--json]\n"
    "       ctr-relink IMAGE -o OUTPUT [--tag NAME] [--keep-store] [options]\n"
    "\n"
    "Rebuild every executable and shared library of the unpacked root filesystem\n"
    "ROOTFS that names TUs in the IR store, for this machine's CPU, with LTO and\n"
    "-O3, and write the result as a new root filesystem OUT (written whole or not\n"
    "at all; unchanged files are hard links to ROOTFS's).  A binary that cannot be\n"
    "relinked is kept as it was, with the reason in the summary.\n"
    "\n"
    "  -o, --output OUT     the new root filesystem\n"
    "  --store DIR          the IR store (default: ROOTFS/var/lib/comtainer/store)\n"
    "  --march CPU          'native' (default: the CPU LLVM detects here) or a CPU name\n"
    "  --lto thin|full|none link-time optimization (default: thin; for GIMPLE, thin\n"
    "                       and full both mean gcc -flto=auto, and none compiles\n"
    "                       each TU on its own)\n"
    "  --toolchain T        llvm, gcc or auto (default), per binary: LLVM IR is\n"
    "                       relinked by " CTR_CLANG ", GIMPLE by gcc-" CTR_GCC_MAJOR ", a binary with\n"
    "                       both by both (LLVM's part becomes one object, GCC links)\n"
    "  -j, --jobs N         parallel links (default: the number of CPUs)\n"
    "  --work DIR           work directory, kept for incremental reruns\n"
    "                       (default: OUT.ctr-work)\n"
    "  --check CMD          run CMD inside the new root (in the command sandbox: the\n"
    "                       root read-only as its /, an unprivileged uid, no network,\n"
    "                       /tmp a bounded tmpfs, --cmd-timeout); if it fails, every\n"
    "                       relinked file is discarded and the originals are kept\n"
    "  --pgo CMD            profile-guided optimization of the binaries relinked by\n"
    "                       LLVM: build them instrumented, run the training command\n"
    "                       CMD inside a copy of the root (as --check does), and\n"
    "                       relink with the profile it wrote; if no profile comes,\n"
    "                       a warning says why and the relink goes on without\n"
    "  --select CMD         choose each binary's build by timing CMD (inside a copy\n"
    "                       of the root, as --check runs it): the configured build,\n"
    "                       the other side of --lto, generic tuning, and the\n"
    "                       original are timed, interleaved, each in turn in place\n"
    "                       of the configured build (a program by the time of its\n"
    "                       own processes, a library by CMD's); a binary ships the\n"
    "                       fastest if it is faster in every run and by 1 % or\n"
    "                       more, and the originals are kept if they run CMD\n"
    "                       faster than the choices together\n"
    "  --select-rounds N    timed runs of each choice (default 3)\n"
    "  --cmd-timeout S      seconds one run of a --check, --pgo or --select command may\n"
    "                       take before it is killed with all its processes (default\n"
    "                       300; 0: no limit)\n"
    "  --build-timeout S    seconds the sandboxed toolchains may take for one build\n"
    "                       (default 14400; 0: no limit)\n"
    "  --sandbox-user U[:G] the unprivileged uid (and gid) that toolchains and commands\n"
    "                       run as when ctr-relink runs as root (default 65534:65534;\n"
    "                       a uid of its own is better)\n"
    "  --plan               only show the link graph and what stands in the way\n"
    "  --json               machine-readable output\n"
    "  -v, --verbose        show the link commands\n"
    "  -h, --help           this text\n"
    "\n"
    "IMAGE: an OCI image layout DIR[:TAG] (a directory with oci-layout), an\n"
    "oci-archive or docker-archive FILE, or oci:PATH[:TAG], oci-archive:PATH[:TAG],\n"
    "docker-archive:PATH.  It is verified (digests, sizes, diff_ids) and unpacked\n"
    "safely; the store inside it is used unless --store.  OUTPUT ending in .tar is\n"
    "an oci-archive, else an OCI layout DIR[:TAG]; it must not exist.  It holds the\n"
    "source's layers byte for byte plus one layer with the relinked files and a\n"
    "whiteout of the IR store.\n"
    "  --tag NAME           the output's ref name (default: OUTPUT's TAG, the\n"
    "                       source's tag, 'latest'); podman names the image after it\n"
    "  --keep-store         keep the IR store in the new image\n"
    "  --max-unpacked N     refuse an image whose layers expand to more than N bytes\n"
    "                       (suffix K, M, G; default 16 times the compressed layers\n"
    "                       plus 1G)\n"
    "\n"
    "Exit status: 0 every covered binary was relinked (or can be, with --plan),\n"
    "1 some were kept as they were, 2 error (nothing written).\n";

/* A count of seconds: 0..a week, else -1. */
static long seconds_arg(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < 0 || v > 7 * 24 * 3600 ? -1 : v;
}

/* A size in bytes with an optional K, M or G; 0 if malformed. */
static uint64_t bytes_arg(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (errno || end == s || *s == '-' || (shift && end[1]) || (!shift && *end) ||
        v > (UINT64_MAX >> shift))
        return 0;
    return (uint64_t)v << shift;
}

/* Text from an image (paths, reasons quoting its strings) for a terminal:
 * control characters as \xNN, so that no escape sequence of the image's
 * reaches the operator's terminal.  Into buf; returns buf. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 5 < size; p++)
        if (*p < ' ' || *p == 0x7f)
            k += (size_t)snprintf(buf + k, size - k, "\\x%02x", *p);
        else
            buf[k++] = (char)*p;
    buf[k] = '\0';
    return buf;
}

static void warn(const char *msg)
{
    char safe[2048];
    fprintf(stderr, "ctr-relink: warning: %s\n", shown(msg, safe, sizeof safe));
}

static void fail(const char *msg)
{
    char safe[2048];
    fprintf(stderr, "ctr-relink: %s\n", shown(msg, safe, sizeof safe));
}

static void print_plan(const ctr_plan *plan)
{
    printf("%-40s %-15s %4s %-8s %s\n", "BINARY", "KIND", "TUS", "IR", "STATUS");
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        char path[PATH_MAX], problem[2048];
        printf("%-40s %-15s %4zu %-8s %s\n", shown(e->bin->inner, path, sizeof path),
               ctr_elf_kind_name(e->bin->link->kind), e->bin->link->ntu, e->ir_kind,
               e->problem ? shown(e->problem, problem, sizeof problem) : "ok");
    }
    printf("%zu ELF files, %zu of them name TUs\n", plan->fs->elf_files, plan->n);
}

static const char *action(const ctr_outcome *o)
{
    return !o->relinked ? "kept" : o->rebuilt ? "relinked" : "up to date";
}

/* What --select found (ro.select_report), for the summaries. */
static ctr_select_report select_report;

static void print_summary(const ctr_plan *plan, const ctr_outcome *oc)
{
    printf("%-40s %4s %-5s %-10s %8s  %s\n", "BINARY", "TUS", "TOOL", "ACTION", "TIME", "NOTE");
    for (size_t i = 0; i < plan->n; i++) {
        char note[256] = "";
        if (oc[i].relinked && select_report.done)
            snprintf(note, sizeof note, "%s%s", oc[i].recipe, oc[i].pgo ? ", with PGO" : "");
        else if (oc[i].relinked && oc[i].pgo)
            snprintf(note, sizeof note, "with PGO");
        char path[PATH_MAX], why[2048];
        printf("%-40s %4zu %-5s %-10s %7.2fs  %s\n", shown(plan->v[i].bin->inner, path, sizeof path),
               plan->v[i].bin->link->ntu, oc[i].toolchain, action(&oc[i]), oc[i].seconds,
               oc[i].why ? shown(oc[i].why, why, sizeof why) : note);
    }
    const ctr_select_report *r = &select_report;
    if (r->done && r->chosen > 0)
        printf("--select: %.3f s with the original binaries, %.3f s as written (%.2fx)%s\n",
               r->original, r->chosen, r->original / r->chosen,
               r->reverted ? ": the originals were kept" : "");
}

/* --select's medians of one binary: {"original": s, "thin LTO": s, ...}. */
static json_t *select_json(const ctr_outcome *oc)
{
    json_t *o = json_object();
    for (int k = 0; k < CTR_SELECT_MAX; k++)
        if (select_report.choice[k] && (oc->select_seconds[k] > 0 || oc->select_failed[k]))
            json_object_set_new(o, select_report.choice[k],
                                oc->select_failed[k] ? json_string("failed")
                                                     : json_real(oc->select_seconds[k]));
    return o;
}

static json_t *summary_json(const ctr_plan *plan, const ctr_outcome *oc, const char *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < plan->n; i++) {
        json_t *b = json_pack("{s:s,s:I,s:s,s:s,s:f,s:b,s:s?,s:s?}", "path",
                              plan->v[i].bin->inner,
                              "tus", (json_int_t)plan->v[i].bin->link->ntu,
                              "toolchain", oc[i].toolchain, "action", action(&oc[i]),
                              "seconds", oc[i].seconds, "pgo", oc[i].pgo, "reason", oc[i].why,
                              "recipe", oc[i].relinked ? oc[i].recipe : NULL);
        if (select_report.done && oc[i].select_seconds[0] > 0)
            json_object_set_new(b, "select_seconds", select_json(&oc[i]));
        json_array_append_new(a, b);
    }
    json_t *j = json_pack("{s:s,s:o}", "output", out, "binaries", a);
    const ctr_select_report *r = &select_report;
    if (r->done || r->note)
        json_object_set_new(j, "select",
                            json_pack("{s:b,s:i,s:f,s:f,s:f,s:b,s:b,s:s?}", "done", r->done,
                                      "rounds", r->rounds, "original_seconds", r->original,
                                      "configured_seconds", r->base, "chosen_seconds",
                                      r->chosen, "reverted", r->reverted, "per_program",
                                      r->per_program, "note", r->note));
    return j;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"plan", no_argument, NULL, 'p'},      {"store", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'J'},      {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'}, {"march", required_argument, NULL, 'm'},
        {"lto", required_argument, NULL, 'l'}, {"jobs", required_argument, NULL, 'j'},
        {"work", required_argument, NULL, 'w'}, {"verbose", no_argument, NULL, 'v'},
        {"check", required_argument, NULL, 'c'}, {"toolchain", required_argument, NULL, 't'},
        {"pgo", required_argument, NULL, 'P'},
        {"select", required_argument, NULL, 'S'}, {"select-rounds", required_argument, NULL, 'R'},
        {"tag", required_argument, NULL, 'T'}, {"keep-store", no_argument, NULL, 'K'},
        {"cmd-timeout", required_argument, NULL, 'C'},
        {"build-timeout", required_argument, NULL, 'B'},
        {"sandbox-user", required_argument, NULL, 'U'},
        {"max-unpacked", required_argument, NULL, 'X'},
        {NULL, 0, NULL, 0},
    };
    /* the sandboxes' uid reads what we write into the work directory */
    umask(022);
    bool json = false, plan_only = false;
    /* thin: as fast as full LTO on the demo kernels (bench/relink-time.sh
     * and scripts/demo), with parallel back ends: a third less relink time */
    const char *store_path = NULL, *lto = "thin", *sandbox_user = NULL;
    long cmd_timeout = CTR_CMD_TIMEOUT, build_timeout = CTR_BUILD_TIMEOUT;
    ctr_relink_opts ro = {.march = "native", .select_rounds = 3};
    ctr_image_opts io = {0};
    int c;
    while ((c = getopt_long(argc, argv, "ho:j:v", opts, NULL)) != -1) {
        switch (c) {
        case 'p': plan_only = true; break;
        case 's': store_path = optarg; break;
        case 'J': json = true; break;
        case 'o': ro.out = optarg; break;
        case 'm': ro.march = optarg; break;
        case 'l': lto = optarg; break;
        case 'j': ro.jobs = atoi(optarg); break;
        case 'w': ro.work = optarg; break;
        case 'v': ro.verbose = true; break;
        case 'c': ro.check = optarg; break;
        case 'P': ro.pgo = optarg; break;
        case 'S': ro.select = optarg; break;
        case 'R': ro.select_rounds = atoi(optarg); break;
        case 'T': io.tag = optarg; break;
        case 'K': io.keep_store = true; break;
        case 'C': cmd_timeout = seconds_arg(optarg); break;
        case 'B': build_timeout = seconds_arg(optarg); break;
        case 'U': sandbox_user = optarg; break;
        case 'X':
            if ((io.max_unpacked = bytes_arg(optarg)) == 0) {
                fprintf(stderr, "ctr-relink: --max-unpacked takes a size such as 20G\n");
                return 2;
            }
            break;
        case 't':
            if (ctr_toolchain_parse(optarg, &ro.toolchain) < 0) {
                fprintf(stderr, "ctr-relink: --toolchain takes llvm, gcc or auto\n");
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    const char *problem = optind != argc - 1          ? "one ROOTFS is needed"
                          : !plan_only && !ro.out     ? "-o OUT is needed"
                          : ro.jobs < 0               ? "--jobs must be positive"
                          : ro.select_rounds < 1 || ro.select_rounds > 100
                              ? "--select-rounds takes 1 to 100"
                          : cmd_timeout < 0 || build_timeout < 0
                              ? "--cmd-timeout and --build-timeout take whole seconds"
                              : NULL;
    ro.lto = !strcmp(lto, "thin") ? CTR_LTO_THIN : !strcmp(lto, "none") ? CTR_LTO_NONE
                                                                           : CTR_LTO_FULL;
    if (!problem && strcmp(lto, "full") && strcmp(lto, "thin") && strcmp(lto, "none"))
        problem = "--lto takes full, thin or none";
    if (problem) {
        fprintf(stderr, "ctr-relink: %s\n", problem);
        fputs(usage, stderr);
        return 2;
    }
    ctr_error serr;
    if (ctr_sandbox_init(&ro.sandbox, sandbox_user, (unsigned)build_timeout,
                         (unsigned)cmd_timeout, &serr) < 0) {
        fprintf(stderr, "ctr-relink: %s\n", serr.msg);
        return 2;
    }
    ro.select_report = &select_report;
    const char *root = argv[optind];
    if (oci_ref_is_image(root)) { /* an OCI image or archive: image_relink.c */
        io.store = store_path, io.json = json, io.plan_only = plan_only;
        const ctr_printers printers = {warn, fail, print_plan, print_summary, summary_json};
        return ctr_image_relink(root, &io, &ro, &printers);
    }
    if (io.tag || io.keep_store || io.max_unpacked) {
        fprintf(stderr, "ctr-relink: --tag, --keep-store and --max-unpacked need an IMAGE, "
                        "not '%s'\n", root);
        return 2;
    }
    char default_store[PATH_MAX], default_work[PATH_MAX];
    ctr_error err = {0};
    int store_flags = 0;
    if (!store_path) {
        /* resolved inside the root: a symlink to a host directory ends
         * inside it */
        if (ctr_rootfs_resolve(root, IRS_DEFAULT_STORE, default_store, sizeof default_store,
                               NULL, 0, &err) < 0) {
            fprintf(stderr, "ctr-relink: the store '%s' of '%s': %s\n", IRS_DEFAULT_STORE, root,
                    err.msg);
            return 2;
        }
        store_path = default_store;
        store_flags = IRS_OPEN_NOFOLLOW;
    }
    if (!plan_only && !ro.work) {
        snprintf(default_work, sizeof default_work, "%s.ctr-work", ro.out);
        ro.work = default_work;
    }

    irs_store *store = NULL;
    ctr_rootfs *fs = NULL;
    ctr_plan *plan = NULL;
    if (irs_store_open(store_path, store_flags, &store, &err) < 0 ||
        ctr_rootfs_scan(root, warn, &fs, &err) < 0 || ctr_plan_build(fs, store, &ro.sandbox, &plan, &err) < 0) {
        fail(err.msg);
        irs_store_free(store);
        return 2;
    }
    int status = 0;
    if (plan_only) {
        for (size_t i = 0; i < plan->n; i++)
            status |= plan->v[i].problem != NULL;
        if (json) {
            json_t *j = ctr_plan_json(plan);
            json_dumpf(j, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(j);
        } else {
            print_plan(plan);
        }
    } else {
        ctr_outcome *oc = calloc(plan->n ? plan->n : 1, sizeof *oc);
        struct stat wst;
        bool work_existed = lstat(ro.work, &wst) == 0;
        if (!oc || ctr_relink_run(plan, store, &ro, oc, &err) < 0) {
            fail(oc ? err.msg : "out of memory");
            status = 2;
            if (!work_existed) /* exit 2: nothing written */
                ctr_tree_remove(ro.work);
        } else {
            for (size_t i = 0; i < plan->n; i++)
                status |= !oc[i].relinked;
            if (json) {
                json_t *j = summary_json(plan, oc, ro.out);
                json_dumpf(j, stdout, JSON_INDENT(2));
                putchar('\n');
                json_decref(j);
            } else {
                print_summary(plan, oc);
            }
        }
        for (size_t i = 0; oc && i < plan->n; i++)
            free(oc[i].why);
        free(oc);
    }
    ctr_plan_free(plan);
    irs_store_free(store);
    return status;
}
