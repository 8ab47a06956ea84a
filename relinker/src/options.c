/* ctr-relink's command line: the usage text, the option table and the one
 * options struct they fill (see options.h). */
#include "options.h"
#include "link_policy.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "  --store DIR          read the IR store DIR alone (default: every store inside\n"
    "                       ROOTFS, /var/lib/comtainer/store first, then each\n"
    "                       directory holding a store's FORMAT file, such as Spack's\n"
    "                       PREFIX/.spack/comtainer/store, in path order; a TU absent\n"
    "                       from one store is looked for in the next, a damaged entry\n"
    "                       is an error; symlinks are not followed)\n"
    "  --march CPU          'native' (default: the CPU LLVM detects here) or a CPU name\n"
    "  --lto thin|full|none link-time optimization (default: thin; for GIMPLE, thin\n"
    "                       and full both mean gcc -flto=auto, and none compiles\n"
    "                       each TU on its own)\n"
    "  --fp MODE            exact: every relinked binary computes the original's\n"
    "                       floating-point results bit for bit (no multiply-add\n"
    "                       fused that the original rounded twice; a binary built\n"
    "                       with fast-math is kept); default: what the target CPU\n"
    "                       and the compiler's defaults give (FMA where it has it)\n"
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
    "  --bolt CMD           profile-guided code layout of every relinked executable\n"
    "                       and library, whatever its toolchain: link them with\n"
    "                       relocations kept, instrument them with llvm-bolt, run\n"
    "                       CMD inside a copy of the root (as --check does), and\n"
    "                       reorder their blocks and functions, split cold code and\n"
    "                       fold identical functions with the profile; a binary\n"
    "                       BOLT fails on, or that CMD does not run, ships without\n"
    "                       (the reason in the summary); goes with --pgo\n"
    "  --select CMD         choose each binary's build by timing CMD (inside a copy\n"
    "                       of the root, as --check runs it): the configured build,\n"
    "                       the other side of --lto, generic tuning, no FP\n"
    "                       contraction, -O2 (and with --bolt the build without it) and\n"
    "                       the original are timed, interleaved, each in turn in place\n"
    "                       of the configured build (a program by the time of its\n"
    "                       own processes, a library by CMD's); a binary ships the\n"
    "                       fastest of those faster by 1 % or more in the median\n"
    "                       and by a Mann-Whitney test (p <= 0.05; undecided ones\n"
    "                       get up to 3x the rounds), and the originals are kept\n"
    "                       unless the choices\n"
    "                       together run CMD faster (median); CMD runs once with\n"
    "                       the originals before anything is built, and how it\n"
    "                       exits then is how it must exit with every build;\n"
    "                       WORK/select.log holds every run and decision\n"
    "  --select-rounds N    timed runs of each choice (default 3)\n"
    "  --select-budget S    seconds the timing of the choices may take: no new round\n"
    "                       starts once they are spent (one always runs; the final\n"
    "                       comparison with the originals always runs)\n"
    "  --redirect OLD=NEW   link against the site's library NEW (a path on this\n"
    "                       machine) where a binary needs the image's OLD (a SONAME:\n"
    "                       libblas.so.3=/opt/site/lib/libblas.so.3), if the checks\n"
    "                       pass (the same kind and ABI, every symbol the binary\n"
    "                       takes, the image's C library new enough); NEW and its\n"
    "                       dependencies are bundled into OUT under\n"
    "                       " CTR_SITE_DIR " (repeatable)\n"
    "  --site FILE          the site profile: its BLAS/LAPACK, MPI and FFTW libraries,\n"
    "                       each standing in for the image's of its kind (the same\n"
    "                       SONAME, or the only one listed), as --redirect does\n"
    "                       (docs/SITE-LIBRARIES.md)\n"
    "  --cmd-timeout S      seconds one run of a --check, --pgo, --bolt or --select\n"
    "                       command may take before it is killed with all its\n"
    "                       processes (default 300; 0: no limit)\n"
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
    "safely; the stores inside it are used unless --store.  OUTPUT ending in .tar\n"
    "is an oci-archive, else an OCI layout DIR[:TAG]; it must not exist.  It holds\n"
    "the source's layers byte for byte plus one layer with the relinked files and a\n"
    "whiteout of each IR store inside the image.\n"
    "  --tag NAME           the output's ref name (default: OUTPUT's TAG, the\n"
    "                       source's tag, 'latest'); podman names the image after it\n"
    "  --keep-store         keep the IR stores in the new image\n"
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

/* --redirect OLD=NEW: OLD a file name, NEW an absolute path. */
static int add_redirect(ctr_options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : 0;
    if (o->nredirect == CTR_MAX_REDIRECTS) {
        fprintf(stderr, "ctr-relink: at most %d --redirect\n", CTR_MAX_REDIRECTS);
        return -1;
    }
    struct ctr_redirect *r = &o->redirect[o->nredirect];
    if (!eq || n >= sizeof r->old || eq[1] != '/') {
        fprintf(stderr, "ctr-relink: --redirect takes OLD=NEW: a SONAME and an absolute path "
                        "('%s')\n", arg);
        return -1;
    }
    memcpy(r->old, arg, n);
    r->old[n] = '\0';
    if (!ctr_is_file_name(r->old)) {
        fprintf(stderr, "ctr-relink: --redirect: '%s' is no SONAME\n", r->old);
        return -1;
    }
    r->path = eq + 1;
    o->nredirect++;
    return 0;
}

static const char *const lto_words[] = {[CTR_LTO_FULL] = "full", [CTR_LTO_THIN] = "thin",
                                        [CTR_LTO_NONE] = "none"};

const char *ctr_lto_option(enum ctr_lto lto)
{
    return (unsigned)lto <= CTR_LTO_NONE ? lto_words[lto] : "full";
}

int ctr_lto_parse(const char *s, enum ctr_lto *out)
{
    for (int k = CTR_LTO_FULL; k <= CTR_LTO_NONE; k++)
        if (!strcmp(s, lto_words[k])) {
            *out = (enum ctr_lto)k;
            return 0;
        }
    return -1;
}

/* What is wrong with a full set of options (o->lto set from lto), or NULL. */
static const char *problem_of(ctr_options *o, int nargs, const char *lto, long cmd_timeout,
                              long build_timeout)
{
    if (nargs != 1)
        return "one ROOTFS is needed";
    if (!o->plan_only && !o->out)
        return "-o OUT is needed";
    if (o->jobs < 0)
        return "--jobs must be positive";
    if (o->select_rounds < 1 || o->select_rounds > 100)
        return "--select-rounds takes 1 to 100";
    if (cmd_timeout < 0 || build_timeout < 0)
        return "--cmd-timeout and --build-timeout take whole seconds";
    if (ctr_lto_parse(lto, &o->lto) < 0)
        return "--lto takes full, thin or none";
    /* their copies of the root do not hold the bundle yet */
    if ((o->nredirect || o->site_profile) && (o->pgo || o->bolt || o->select))
        return "--redirect and --site do not go with --pgo, --bolt or --select yet";
    return NULL;
}

/* The option table, beside the usage text above. */
static const struct option opts[] = {
    {"plan", no_argument, NULL, 'p'},      {"store", required_argument, NULL, 's'},
    {"json", no_argument, NULL, 'J'},      {"help", no_argument, NULL, 'h'},
    {"output", required_argument, NULL, 'o'}, {"march", required_argument, NULL, 'm'},
    {"lto", required_argument, NULL, 'l'}, {"jobs", required_argument, NULL, 'j'},
    {"work", required_argument, NULL, 'w'}, {"verbose", no_argument, NULL, 'v'},
    {"check", required_argument, NULL, 'c'}, {"toolchain", required_argument, NULL, 't'},
    {"pgo", required_argument, NULL, 'P'},  {"bolt", required_argument, NULL, 'O'},
    {"fp", required_argument, NULL, 'F'},
    {"select", required_argument, NULL, 'S'}, {"select-rounds", required_argument, NULL, 'R'},
    {"select-budget", required_argument, NULL, 'G'},
    {"tag", required_argument, NULL, 'T'}, {"keep-store", no_argument, NULL, 'K'},
    {"cmd-timeout", required_argument, NULL, 'C'},
    {"build-timeout", required_argument, NULL, 'B'},
    {"sandbox-user", required_argument, NULL, 'U'},
    {"max-unpacked", required_argument, NULL, 'X'},
    {"redirect", required_argument, NULL, 'D'},
    {"site", required_argument, NULL, 'Y'},
    {NULL, 0, NULL, 0},
};

int ctr_options_parse(int argc, char **argv, ctr_options *o)
{
    /* thin: as fast as full LTO on the demo kernels (bench/relink-time.sh
     * and scripts/demo), with parallel back ends: a third less relink time */
    const char *lto = "thin", *sandbox_user = NULL;
    long cmd_timeout = CTR_CMD_TIMEOUT, build_timeout = CTR_BUILD_TIMEOUT, select_budget = 0;
    *o = (ctr_options){.march = "native", .select_rounds = 3};
    int c;
    while ((c = getopt_long(argc, argv, "ho:j:v", opts, NULL)) != -1) {
        switch (c) {
        case 'p': o->plan_only = true; break;
        case 's': o->store = optarg; break;
        case 'J': o->json = true; break;
        case 'o': o->out = optarg; break;
        case 'm': o->march = optarg; break;
        case 'l': lto = optarg; break;
        case 'j': o->jobs = atoi(optarg); break;
        case 'w': o->work = optarg; break;
        case 'v': o->verbose = true; break;
        case 'c': o->check = optarg; break;
        case 'P': o->pgo = optarg; break;
        case 'O': o->bolt = optarg; break;
        case 'F':
            if (strcmp(optarg, "exact") && strcmp(optarg, "default")) {
                fprintf(stderr, "ctr-relink: --fp takes exact or default\n");
                return 2;
            }
            o->fp_exact = !strcmp(optarg, "exact");
            break;
        case 'S': o->select = optarg; break;
        case 'R': o->select_rounds = atoi(optarg); break;
        case 'G': select_budget = seconds_arg(optarg); break;
        case 'T': o->tag = optarg; break;
        case 'K': o->keep_store = true; break;
        case 'C': cmd_timeout = seconds_arg(optarg); break;
        case 'B': build_timeout = seconds_arg(optarg); break;
        case 'U': sandbox_user = optarg; break;
        case 'D':
            if (add_redirect(o, optarg) < 0)
                return 2;
            break;
        case 'Y': o->site_profile = optarg; break;
        case 'X':
            if ((o->max_unpacked = bytes_arg(optarg)) == 0) {
                fprintf(stderr, "ctr-relink: --max-unpacked takes a size such as 20G\n");
                return 2;
            }
            break;
        case 't':
            if (ctr_toolchain_parse(optarg, &o->toolchain) < 0) {
                fprintf(stderr, "ctr-relink: --toolchain takes llvm, gcc or auto\n");
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 1;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (select_budget < 0) {
        fprintf(stderr, "ctr-relink: --select-budget takes whole seconds\n");
        return 2;
    }
    o->select_budget = (unsigned)select_budget;
    const char *problem = problem_of(o, argc - optind, lto, cmd_timeout, build_timeout);
    if (problem) {
        fprintf(stderr, "ctr-relink: %s\n", problem);
        fputs(usage, stderr);
        return 2;
    }
    o->input = argv[optind];
    ctr_error err;
    if (ctr_sandbox_init(&o->sandbox, sandbox_user, (unsigned)build_timeout,
                         (unsigned)cmd_timeout, &err) < 0) {
        fprintf(stderr, "ctr-relink: %s\n", err.msg);
        return 2;
    }
    return 0;
}
