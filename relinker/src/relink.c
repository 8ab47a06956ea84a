/* Relinking: retarget each TU's IR into the work directory, describe every
 * link in a Ninja file, let ninja run them (in parallel, and only when inputs
 * or commands changed), then assemble the new root filesystem. */
#include "relink.h"
#include "rootfs_path.h"
#include "confined.h"
#include "pgo.h"
#include "run_cmd.h"
#include "toolchain.h"

#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* Libraries every toolchain driver links by itself: they are named with -l
 * (or implied), not by their path in the image. */
static const struct {
    const char *soname, *flag;
} runtime_libs[] = {
    {"libc.so.6", ""},           {"ld-linux-x86-64.so.2", ""}, {"libgcc_s.so.1", ""},
    {"libm.so.6", "-lm"},        {"libstdc++.so.6", "-lstdc++"},
    {"libgfortran.so.5", "-lgfortran"}, {"libquadmath.so.0", "-lquadmath"},
    {"libgomp.so.1", "-lgomp"},  {"libomp.so.5", "-lomp"},     {"libmvec.so.1", "-lmvec"},
    {"libpthread.so.0", "-lpthread"}, {"libdl.so.2", "-ldl"},  {"librt.so.1", "-lrt"},
};

/* The work directory's subdirectories that the toolchain sandbox writes:
 * each recipe's outputs (cc<tag>/ compiles, part<tag>/ partial links,
 * bin<tag>/ binaries; tags "", -r1, -r2 of --select, -train of PGO),
 * ninja's state and the toolchains' temporary files. */
static const char *const built_dirs[] = {
    "cc", "part", "bin", "cc-r1", "part-r1", "bin-r1", "cc-r2", "part-r2", "bin-r2",
    "cc-train", "part-train", "bin-train", "state", "tmp", NULL,
};

/* How a binary is rebuilt.  The configured recipe (--lto, tuned for the
 * target CPU) builds into bin/, cc/ and part/; --select adds others, each
 * into directories of its own (bin<tag>/, ...), to be timed against it. */
struct recipe {
    const char *name;  /* for the summary */
    const char *tag;   /* "" for the configured recipe */
    enum ctr_lto lto;
    bool generic_tune; /* the target's instructions, tuned for no CPU in particular */
};

static const char *lto_flag(enum ctr_lto lto)
{
    return lto == CTR_LTO_THIN ? " -flto=thin" : lto == CTR_LTO_FULL ? " -flto" : "";
}

/* GCC's -mtune for a recipe (its -march is --march). */
static const char *gcc_tune(const ctr_relink_opts *o, const struct recipe *rc)
{
    return rc->generic_tune ? "generic" : o->march;
}

/* Recipe names; outcomes and the --select report keep pointers to them. */
static const char *lto_name(enum ctr_lto lto, bool generic_tune)
{
    if (generic_tune)
        return lto == CTR_LTO_THIN   ? "thin LTO, generic tuning"
               : lto == CTR_LTO_FULL ? "full LTO, generic tuning"
                                     : "no LTO, generic tuning";
    return lto == CTR_LTO_THIN ? "thin LTO" : lto == CTR_LTO_FULL ? "full LTO" : "no LTO";
}

/* ---- small helpers ------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void add(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* Append s quoted for /bin/sh, with ninja's '$' escaped, after a space. */
static void add_arg(struct buf *b, const char *s)
{
    add(b, " '");
    for (const char *p = s; *p; p++) {
        char one[2] = {*p, 0};
        add(b, *p == '\'' ? "'\\''" : *p == '$' ? "$$" : *p == '\n' ? "" : one);
    }
    add(b, "'");
}

static int write_if_changed(const char *path, const void *data, size_t len, ctr_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f) {
        char *old = malloc(len + 1);
        size_t got = old ? fread(old, 1, len + 1, f) : 0;
        bool same = old && got == len && !memcmp(old, data, len);
        free(old);
        fclose(f);
        if (same)
            return 0; /* keep the timestamp: ninja sees nothing new */
    }
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f)
        return ctr_error_set(err, errno, "'%s'", tmp);
    bool ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return ctr_error_set(err, errno, "writing '%s'", path);
    }
    return 0;
}

/* ---- per-binary inputs ----------------------------------------------------- */

/* The toolchain for a binary's IR: LLVM bitcode needs LLVM, GIMPLE needs
 * GCC, and a binary with both is "mixed" (LLVM's part is optimized and
 * compiled into one relocatable object, which GCC then links with its own).
 * NULL with the reason in why when the choice forbids it. */
static const char *choose_toolchain(const ctr_plan_entry *e, enum ctr_toolchain_choice choice,
                                    char **why)
{
    const char *kind = e->ir_kind;
    const char *natural = !strcmp(kind, "llvm-bc")   ? "llvm"
                          : !strcmp(kind, "gcc-lto") ? "gcc"
                          : !strcmp(kind, "mixed")   ? "mixed"
                                                     : NULL;
    if (!natural) {
        asprintf(why, "no toolchain reads IR of kind '%s'", kind);
        return NULL;
    }
    if (choice == CTR_TC_AUTO)
        return natural;
    const char *asked = choice == CTR_TC_LLVM ? "llvm" : "gcc";
    if (strcmp(asked, natural)) {
        asprintf(why, "--toolchain %s cannot relink %s IR (%s)", asked,
                 !strcmp(natural, "mixed") ? "mixed LLVM and GCC" : kind,
                 !strcmp(natural, "llvm") ? "LLVM bitcode needs LLVM"
                 : !strcmp(natural, "gcc") ? "GIMPLE needs GCC"
                                           : "needs both: use --toolchain auto");
        return NULL;
    }
    return natural;
}

/* Where a stored input of a binary goes in the work directory: LLVM IR as
 * .bc, GIMPLE as an LTO object, native objects recorded at link time as
 * objects; NULL for records that are not link inputs. */
static const char *input_dir(const irs_record *r)
{
    return !strcmp(r->ir_kind, "llvm-bc")      ? "tu"
           : !strcmp(r->ir_kind, "gcc-lto")    ? "tu"
           : !strcmp(r->ir_kind, "elf-object") ? "obj"
                                               : NULL;
}

static const char *input_ext(const irs_record *r)
{
    return r && !strcmp(r->ir_kind, "llvm-bc") ? "bc" : "o";
}

/* Retargeting, confined (confined.h): LLVM parses the image's bitcode. */
struct retarget_job {
    const void *ir;
    size_t len;
    const ctr_target *target;
    const char *what;
};

static int retarget_confined(void *ctx, void **out, size_t *len, ctr_error *err)
{
    const struct retarget_job *j = ctx;
    unsigned nf;
    return ctr_retarget_bitcode(j->ir, j->len, j->target, j->what, out, len, &nf, err);
}

/* Write each stored input into the work directory, retargeted when it is
 * LLVM bitcode.  `done` holds the TU ids this run has written already: TUs
 * of static libraries are shared by binaries, and retargeting parses the
 * whole module.  Returns 0, or -1 with the reason in why. */
static int prepare_inputs(const ctr_plan_entry *e, irs_store *store, const ctr_target *target,
                          const ctr_target *generic, const ctr_relink_opts *o,
                          struct hsearch_data *done, char **why)
{
    const ctr_elf_link *l = e->bin->link;
    for (size_t t = 0; t < l->ntu; t++) {
        const irs_record *r = e->recs[t];
        ENTRY key = {.key = l->tu_ids[t]}, *found;
        if (!input_dir(r) || hsearch_r(key, FIND, &found, done))
            continue;
        if (!strcmp(r->ir_kind, "gcc-lto") &&
            strncmp(r->compiler_version, CTR_GCC_MAJOR ".", 3) != 0) {
            asprintf(why, "%s was compiled by GCC %s; its IR is readable only by that GCC "
                          "major (this relinker has GCC " CTR_GCC_MAJOR ")",
                     r->source, r->compiler_version);
            return -1;
        }
        const char *work = o->work;
        void *ir = NULL, *re = NULL;
        size_t len, relen;
        ctr_error err;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s/%s.%s", work, input_dir(r), l->tu_ids[t],
                 input_ext(r));
        int rc = irs_blob_get(store, r->ir, &ir, &len, &err);
        if (rc == 0 && !strcmp(r->ir_kind, "llvm-bc")) {
            /* tu/, and tu-generic/ for --select's generically tuned recipe */
            const ctr_target *targets[] = {target, generic};
            for (int g = 0; rc == 0 && g < 2 && targets[g]; g++) {
                snprintf(path, sizeof path, "%s/tu%s/%s.bc", work, g ? "-generic" : "",
                         l->tu_ids[t]);
                free(re);
                re = NULL;
                struct retarget_job job = {ir, len, targets[g], r->source};
                /* attributes only: the module cannot grow by much */
                rc = ctr_confined_run(&o->sandbox, r->source, retarget_confined, &job,
                                      len * 2 + (1u << 20), &re, &relen, &err);
                if (rc == 0)
                    rc = write_if_changed(path, re, relen, &err);
            }
        } else if (rc == 0) {
            rc = write_if_changed(path, ir, len, &err);
        }
        free(ir);
        free(re);
        if (rc < 0) {
            *why = strdup(err.msg);
            return -1;
        }
        hsearch_r(key, ENTER, &found, done); /* full: the TU is just prepared again */
    }
    return 0;
}

static bool any_language(const ctr_plan_entry *e, const char *lang)
{
    for (size_t t = 0; t < e->bin->link->ntu; t++)
        if (input_dir(e->recs[t]) && !strcmp(e->recs[t]->language, lang))
            return true;
    return false;
}

/* -Xlinker OPTION -Xlinker VALUE: the value reaches the linker as one
 * argument, whatever it holds (a driver splits -Wl,a,b at commas).  Values
 * from the image passed the grammar of link_policy.h already. */
static void add_linker_pair(struct buf *b, const char *option, const char *value)
{
    add(b, " -Xlinker");
    add_arg(b, option);
    add(b, " -Xlinker");
    add_arg(b, value);
}

/* The link command for one binary, as the ninja variables `pre` (driver and
 * options, before the TUs) and `post` (libraries, after them). */
static void link_command(struct buf *b, const ctr_plan_entry *e, const char *tc,
                         const ctr_relink_opts *o, const struct recipe *rc,
                         const ctr_target *target, const char *root, const char *work,
                         size_t index)
{
    const ctr_elf_link *l = e->bin->link;
    char tmp[PATH_MAX * 2];
    bool fortran = any_language(e, "fortran"), cxx = any_language(e, "c++");
    if (!strcmp(tc, "llvm")) {
        add(b, cxx ? CTR_CLANGXX : CTR_CLANG);
        /* .deplibs (#pragma comment(lib, ...) in the IR) must not name
         * files for lld to open */
        add(b, " -O3 -fuse-ld=lld -Wl,--no-dependent-libraries");
        add(b, lto_flag(rc->lto));
        if (l->exports.n) {
            snprintf(tmp, sizeof tmp, "%s/exp/%zu.list", work, index);
            add_linker_pair(b, "--export-dynamic-symbol-list", tmp);
        }
        snprintf(tmp, sizeof tmp, "-march=%s", target->cpu);
    } else {
        add(b, fortran ? "gfortran-" CTR_GCC_MAJOR : cxx ? "g++-" CTR_GCC_MAJOR : "gcc-" CTR_GCC_MAJOR);
        /* without LTO, each GIMPLE TU was compiled on its own (cc/) */
        add(b, rc->lto == CTR_LTO_NONE ? " -O3" : " -O3 -flto=auto -fno-fat-lto-objects");
        /* the objects' own options (kept in their IR) include the driver's
         * default -mtune=generic, which an implied tuning does not override */
        snprintf(tmp, sizeof tmp, "-mtune=%s", gcc_tune(o, rc));
        add_arg(b, tmp);
        snprintf(tmp, sizeof tmp, "-march=%s", o->march);
    }
    add_arg(b, tmp);
    if (l->kind == CTR_ELF_SHARED) {
        add(b, " -shared");
        if (*l->soname)
            add_linker_pair(b, "-soname", l->soname);
    } else {
        add(b, l->kind == CTR_ELF_PIE ? " -pie" : " -no-pie");
    }
    if (*l->interp)
        add_linker_pair(b, "--dynamic-linker", l->interp);
    if (l->runpath.n)
        add(b, l->rpath ? " -Wl,--disable-new-dtags" : " -Wl,--enable-new-dtags");
    for (size_t i = 0; i < l->runpath.n; i++)
        add_linker_pair(b, "-rpath", l->runpath.v[i]);
    add(b, "\n  post = -Wl,--no-as-needed");
    for (size_t i = 0; i < l->needed.n; i++) {
        const char *flag = NULL;
        for (size_t r = 0; r < sizeof runtime_libs / sizeof *runtime_libs; r++)
            if (!strcmp(l->needed.v[i], runtime_libs[r].soname))
                flag = runtime_libs[r].flag;
        if (flag) {
            if (*flag)
                add(b, " "), add(b, flag);
            continue;
        }
        /* a library of the image: link against the image's own copy */
        snprintf(tmp, sizeof tmp, "%s%s", root, e->bin->needed[i].found);
        add_arg(b, tmp);
    }
}

/* A build of the relinked binaries: the final one, or the instrumented one
 * of a PGO training run.  Outputs of a recipe go to bin<tag>/, cc<tag>/ and
 * part<tag>/. */
struct pass {
    const struct recipe *recipes; /* the builds of each binary; the first is the pass's own */
    size_t nrecipes;
    const char *flags;    /* extra options of LLVM compiles and links */
    const char *deps;     /* extra implicit inputs of the compiles (" | f") */
    const char *manifest; /* the Ninja file */
    bool llvm_only;       /* only binaries relinked by LLVM alone */
};

static bool in_pass(const struct pass *ps, const ctr_outcome *oc)
{
    return oc->relinked && (!ps->llvm_only || !strcmp(oc->toolchain, "llvm"));
}

/* The binaries a pass built, as parallel arrays: their paths in the image
 * and their files in the work directory (bin<tag>/INDEX): of the pass's own
 * recipe, or with `shipped`, of the recipe each binary ships with. */
struct file_list {
    size_t n;
    const char **inner;
    char **built;
};

static void file_list_free(struct file_list *fl)
{
    for (size_t i = 0; fl->built && i < fl->n; i++)
        free(fl->built[i]);
    free(fl->built);
    free(fl->inner);
}

static int relinked_files(const ctr_plan *plan, const ctr_outcome *oc, const char *work,
                          const struct pass *ps, bool shipped, struct file_list *fl,
                          ctr_error *err)
{
    *fl = (struct file_list){0};
    fl->inner = calloc(plan->n + 1, sizeof *fl->inner);
    fl->built = calloc(plan->n + 1, sizeof *fl->built);
    for (size_t i = 0; fl->inner && fl->built && i < plan->n; i++) {
        char *path = NULL;
        if (!in_pass(ps, &oc[i]))
            continue;
        if (asprintf(&path, "%s/bin%s/%zu", work, shipped ? oc[i].tag : ps->recipes[0].tag,
                     i) < 0)
            break;
        if (access(path, F_OK) != 0) {
            free(path); /* its link failed */
            continue;
        }
        fl->inner[fl->n] = plan->v[i].bin->inner;
        fl->built[fl->n++] = path;
    }
    if (fl->inner && fl->built)
        return 0;
    file_list_free(fl);
    return ctr_error_set(err, ENOMEM, "listing the relinked files");
}

/* ---- the new root filesystem ---------------------------------------------- */

/* OUT is replaced only when it is the output an earlier run with this
 * work directory wrote (WORK/output.id: its device and inode): never a
 * directory that merely has OUT's name (-o /etc). */
static int output_id_path(const ctr_relink_opts *o, char *buf, size_t size)
{
    return snprintf(buf, size, "%s/output.id", o->work) < (int)size ? 0 : -1;
}

/* The line of output.id for a file: "DEV INO\n". */
static int output_id(const struct stat *st, char id[64])
{
    return snprintf(id, 64, "%llu %llu\n", (unsigned long long)st->st_dev,
                    (unsigned long long)st->st_ino);
}

static int check_output(const ctr_relink_opts *o, ctr_error *err)
{
    struct stat st;
    char path[PATH_MAX], want[64] = "", have[64];
    if (lstat(o->out, &st) < 0)
        return errno == ENOENT ? 0 : ctr_error_set(err, errno, "'%s'", o->out);
    FILE *f = output_id_path(o, path, sizeof path) == 0 ? fopen(path, "re") : NULL;
    if (f) {
        if (!fgets(want, sizeof want, f))
            want[0] = '\0';
        fclose(f);
    }
    output_id(&st, have);
    if (S_ISDIR(st.st_mode) && !strcmp(want, have))
        return 0;
    return ctr_error_set(err, EEXIST, "'%s' exists and is not the output of an earlier run "
                                      "with the work directory '%s': not replaced", o->out,
                         o->work);
}

/* After OUT is in place: a failure only costs the next run its right to
 * replace OUT, so it is a warning, not an error (OUT is written). */
static void remember_output(const ctr_relink_opts *o)
{
    struct stat st;
    char path[PATH_MAX], id[64];
    ctr_error err;
    if (lstat(o->out, &st) < 0 || output_id_path(o, path, sizeof path) < 0)
        ctr_error_set(&err, errno, "'%s'", o->out);
    else if (write_if_changed(path, id, (size_t)output_id(&st, id), &err) == 0)
        return;
    fprintf(stderr, "ctr-relink: warning: %s: a rerun will not replace '%s'\n", err.msg, o->out);
}

static int assemble(const ctr_plan *plan, ctr_outcome *oc, const ctr_relink_opts *o,
                    const struct pass *final, ctr_error *err)
{
    char tmp[PATH_MAX], old[PATH_MAX], dst[PATH_MAX * 2];
    snprintf(tmp, sizeof tmp, "%s.ctr-tmp", o->out);
    snprintf(old, sizeof old, "%s.ctr-old", o->out);
    struct file_list fl;
    if (relinked_files(plan, oc, o->work, final, true, &fl, err) < 0)
        return -1;
    int rc = ctr_root_copy(plan->fs->root, tmp, fl.inner, (const char *const *)fl.built, fl.n,
                           err);
    file_list_free(&fl);
    if (rc < 0) {
        ctr_tree_remove(tmp);
        return -1;
    }
    if (o->check && !ctr_run_in_root(&o->sandbox, tmp, o->check, "checking the relinked root with", NULL, NULL,
                                     NULL)) {
        /* put every original back: the new root then holds no relinked file */
        for (size_t i = 0; i < plan->n; i++) {
            if (!oc[i].relinked)
                continue;
            snprintf(dst, sizeof dst, "%s%s", tmp, plan->v[i].bin->inner);
            if (unlink(dst) < 0 || link(plan->v[i].bin->host, dst) < 0) {
                ctr_error_set(err, errno, "restoring '%s'", dst);
                ctr_tree_remove(tmp);
                return -1;
            }
            oc[i].relinked = false;
            free(oc[i].why);
            oc[i].why = strdup("--check failed: the relinked file was discarded");
        }
    }
    struct stat st;
    bool had_out = lstat(o->out, &st) == 0;
    if (had_out && rename(o->out, old) < 0) {
        ctr_tree_remove(tmp);
        return ctr_error_set(err, errno, "moving the old '%s' aside", o->out);
    }
    if (rename(tmp, o->out) < 0) {
        int e = errno;
        if (had_out)
            rename(old, o->out);
        ctr_tree_remove(tmp);
        return ctr_error_set(err, e, "renaming '%s' to '%s'", tmp, o->out);
    }
    if (had_out)
        ctr_tree_remove(old);
    remember_output(o);
    return 0;
}

/* The image's libraries that relinked files need, each read once per run:
 * most binaries need the same few (libc, libm, libstdc++). */
struct lib_cache {
    size_t n, cap;
    struct lib_entry {
        char *inner;        /* path in the image */
        ctr_elf_link *link; /* NULL when it could not be read */
        char *error;        /* then why */
    } *v;
};

static void lib_cache_free(struct lib_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].inner);
        ctr_elf_link_free(c->v[i].link);
        free(c->v[i].error);
    }
    free(c->v);
}

/* The library at inner path `inner` of root, from the cache or read into
 * it; NULL when out of memory. */
static const struct lib_entry *image_lib(struct lib_cache *c, const char *root,
                                         const char *inner)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].inner, inner))
            return &c->v[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct lib_entry *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    struct lib_entry *e = &c->v[c->n];
    char host[PATH_MAX * 2];
    ctr_error err;
    snprintf(host, sizeof host, "%s%s", root, inner);
    *e = (struct lib_entry){.inner = strdup(inner)};
    if (!e->inner)
        return NULL;
    if (ctr_elf_link_read(host, &e->link, &err) < 0)
        e->error = strdup(err.msg);
    c->n++;
    return e;
}

/* The relinked file must load in the image, not just here: every library it
 * needs is in the image, and each provides the symbol versions it needs (the
 * native toolchain's libc may be newer than the image's).  NULL if so, else
 * the reason (malloc'ed). */
static char *image_can_load(const ctr_binary *b, const ctr_elf_link *nl, const char *root,
                            struct lib_cache *libs)
{
    char *why = NULL;
    for (size_t i = 0; i < nl->needed.n && !why; i++) {
        const char *lib = nl->needed.v[i];
        char *inner = ctr_rootfs_find_needed(root, b, lib);
        const struct lib_entry *le = inner ? image_lib(libs, root, inner) : NULL;
        if (!inner)
            asprintf(&why, "the relinked file needs %s, which the image does not have", lib);
        else if (!le)
            why = strdup("out of memory");
        else if (!le->link)
            why = strdup(le->error ? le->error : "out of memory");
        size_t liblen = strlen(lib);
        for (size_t k = 0; !why && k < nl->verneed.n; k++) {
            const char *pair = nl->verneed.v[k], *ver = pair + liblen + 1;
            if (strncmp(pair, lib, liblen) || pair[liblen] != ' ')
                continue;
            bool found = false;
            for (size_t d = 0; d < le->link->verdef.n && !found; d++)
                found = !strcmp(le->link->verdef.v[d], ver);
            if (!found)
                asprintf(&why, "the relinked file needs %s from %s; the image's %s lacks it "
                               "(its C library is older than this machine's)",
                         ver, lib, inner);
        }
        free(inner);
    }
    return why;
}

/* A relinked binary (the file at path) is used only if it exists (the link
 * rule removes it first, so a failed link leaves nothing), names the same
 * TUs, loads in the image, and, for a shared library, exports every symbol
 * the original did.  NULL if so, else why not (malloc'ed). */
static char *check_built(const ctr_plan_entry *e, const char *root, const char *path,
                         struct lib_cache *libs)
{
    ctr_elf_link *nl = NULL;
    ctr_error err;
    char *why = NULL;
    const ctr_elf_link *l = e->bin->link;
    if (access(path, F_OK) != 0) {
        why = strdup("the native link failed (see the messages above)");
    } else if (ctr_elf_link_read(path, &nl, &err) < 0) {
        why = strdup(err.msg);
    } else if (nl->ntu != l->ntu) {
        asprintf(&why, "the relinked file names %zu TUs, the original %zu", nl->ntu, l->ntu);
    } else if ((why = image_can_load(e->bin, nl, root, libs))) {
        /* reason set */
    } else {
        size_t j = 0;
        for (size_t k = 0; k < l->exports.n; k++) {
            while (j < nl->exports.n && strcmp(nl->exports.v[j], l->exports.v[k]) < 0)
                j++;
            if (l->kind == CTR_ELF_SHARED &&
                (j == nl->exports.n || strcmp(nl->exports.v[j], l->exports.v[k]))) {
                asprintf(&why, "the relinked library does not export '%s'", l->exports.v[k]);
                break;
            }
        }
    }
    ctr_elf_link_free(nl);
    return why;
}

/* Per-output build times from ninja's log ("start end mtime output hash"). */
static void read_times(const char *work, const ctr_plan *plan, ctr_outcome *oc)
{
    char path[PATH_MAX], line[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/state/.ninja_log", work);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        long start, end;
        char mtime[64];
        size_t idx;
        if (sscanf(line, "%ld %ld %63s bin/%zu", &start, &end, mtime, &idx) == 4 &&
            idx < plan->n && oc[idx].rebuilt)
            oc[idx].seconds = (double)(end - start) / 1000.0; /* last entry wins */
    }
    fclose(f);
}

/* Write a file of the work directory from a buffer built with add(). */
static int write_buf(struct buf *b, const char *path, ctr_error *err)
{
    int rc = b->failed ? ctr_error_set(err, ENOMEM, "%s", path)
                       : write_if_changed(path, b->p ? b->p : "", b->len, err);
    free(b->p);
    return rc;
}

/* Append to b the binary's name, ninja-escaped, for progress lines. */
static void add_desc(struct buf *b, const char *inner)
{
    add(b, "\n  desc = ");
    /* an image's path: no control character reaches ninja's file or the
     * operator's terminal */
    for (const char *p = inner; *p; p++) {
        char one[3] = {*p == '$' ? '$' : *p, *p == '$' ? '$' : 0, 0};
        add(b, (unsigned char)*p < ' ' || *p == 0x7f ? "?" : one);
    }
    add(b, "\n");
}

/* The stored inputs of binary e for a recipe, as ninja paths: with
 * `llvm_only`, its LLVM TUs; else, every input that the final link reads
 * directly (all of them, or, when `mixed`, all but the LLVM TUs). */
static void add_inputs(struct buf *b, const ctr_plan_entry *e, bool llvm_only, bool mixed,
                       const struct recipe *rc)
{
    for (size_t t = 0; t < e->bin->link->ntu; t++) {
        const irs_record *r = e->recs[t];
        bool bc = !strcmp(r->ir_kind, "llvm-bc");
        if (!input_dir(r) || (llvm_only && !bc) || (!llvm_only && mixed && bc))
            continue;
        /* LLVM TUs, and GIMPLE without LTO, go to links compiled (cc/, see
         * describe_compiles); the rest as stored */
        bool compiled = bc || (rc->lto == CTR_LTO_NONE && !strcmp(r->ir_kind, "gcc-lto"));
        char path[PATH_MAX];
        snprintf(path, sizeof path, " %s%s/%s.%s", compiled ? "cc" : input_dir(r),
                 compiled ? rc->tag : "", e->bin->link->tu_ids[t],
                 input_ext(compiled ? NULL : r));
        add(b, path);
    }
}

struct tu_ref {
    const char *id;
    const irs_record *rec;
};

static int cmp_tu_ref(const void *a, const void *b)
{
    return strcmp(((const struct tu_ref *)a)->id, ((const struct tu_ref *)b)->id);
}

/* One compile per TU that a relinked binary uses (TUs of static libraries
 * are shared by binaries), per recipe, in parallel across TUs and redone
 * only for TUs that changed.  LLVM TUs: the -O3 pre-link optimization for
 * the target, giving optimized bitcode for the link's LTO, or without LTO a
 * native object.  GIMPLE, only without LTO: one TU's LTO link into a native
 * relocatable object (it is stored as slim LTO IR). */
static int describe_compiles(struct buf *nj, const ctr_plan *plan, const ctr_outcome *oc,
                             const ctr_relink_opts *o, const ctr_target *target,
                             const struct pass *ps, const struct recipe *rc, ctr_error *err)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < plan->n; i++)
        cap += plan->v[i].bin->link->ntu;
    struct tu_ref *tus = calloc(cap ? cap : 1, sizeof *tus);
    if (!tus)
        return ctr_error_set(err, ENOMEM, "build.ninja");
    for (size_t i = 0; i < plan->n; i++)
        for (size_t t = 0; in_pass(ps, &oc[i]) && t < plan->v[i].bin->link->ntu; t++) {
            const irs_record *r = plan->v[i].recs[t];
            if (!strcmp(r->ir_kind, "llvm-bc") ||
                (rc->lto == CTR_LTO_NONE && !strcmp(r->ir_kind, "gcc-lto")))
                tus[n++] = (struct tu_ref){plan->v[i].bin->link->tu_ids[t], r};
        }
    qsort(tus, n, sizeof *tus, cmp_tu_ref);
    for (size_t k = 0; k < n; k++) {
        if (k && !strcmp(tus[k - 1].id, tus[k].id))
            continue;
        const irs_record *r = tus[k].rec;
        char line[PATH_MAX];
        if (strcmp(r->ir_kind, "llvm-bc")) {
            snprintf(line, sizeof line, "build cc%s/%s.o: compile tu/%s.o\n  pre = gcc-"
                     CTR_GCC_MAJOR " -O3 -flto -r -nostdlib -flinker-output=nolto-rel",
                     rc->tag, tus[k].id, tus[k].id);
            add(nj, line);
            snprintf(line, sizeof line, "-mtune=%s", gcc_tune(o, rc));
            add_arg(nj, line);
            snprintf(line, sizeof line, "-march=%s", o->march);
            add_arg(nj, line);
            add_desc(nj, r->source);
            continue;
        }
        snprintf(line, sizeof line, "build cc%s/%s.o: compile tu%s/%s.bc%s\n  pre = " CTR_CLANG
                 " -c -O3%s %s", rc->tag, tus[k].id, rc->generic_tune ? "-generic" : "",
                 tus[k].id, ps->deps, lto_flag(rc->lto),
                 /* the code model the TU was built for; with LTO the link
                  * decides again for its output */
                 r->pie_level ? "-fPIE" : r->pic_level ? "-fPIC" : "-fno-pic");
        add(nj, line);
        add(nj, ps->flags);
        snprintf(line, sizeof line, "-march=%s", target->cpu);
        add_arg(nj, line);
        add_desc(nj, r->source);
    }
    free(tus);
    return 0;
}

/* Write the files the link of binary i reads besides its stored inputs:
 * the TU records (rec/i.s) and the dynamic symbols to keep exported
 * (exp/i.list). */
static int write_link_files(const ctr_plan_entry *e, size_t i, const char *work,
                            ctr_error *err)
{
    char path[PATH_MAX];
    /* The IR was captured before the plugin tagged the object, so the
     * record goes in again as an assembler input of the link. */
    struct buf rec = {0};
    add(&rec, "\t.section .note.GNU-stack,\"\",@progbits\n");
    for (size_t t = 0; t < e->bin->link->ntu; t++) {
        char line[256];
        irs_section_asm(e->bin->link->tu_ids[t], line, sizeof line);
        add(&rec, line);
    }
    snprintf(path, sizeof path, "%s/rec/%zu.s", work, i);
    if (write_buf(&rec, path, err) < 0)
        return -1;
    /* LTO drops or hides inline (linkonce_odr) functions that the
     * original exported: keep the original's dynamic symbols exported. */
    struct buf exp = {0};
    add(&exp, "{\n");
    for (size_t k = 0; k < e->bin->link->exports.n; k++) {
        const char *sym = e->bin->link->exports.v[k];
        if (strpbrk(sym, "\"\\\n"))
            continue; /* not expressible in a list; the ABI check will say */
        add(&exp, "  \"");
        add(&exp, sym);
        add(&exp, "\";\n");
    }
    add(&exp, "};\n");
    snprintf(path, sizeof path, "%s/exp/%zu.list", work, i);
    return write_buf(&exp, path, err);
}

/* Describe the relink of binary i in the Ninja file nj, for a pass and
 * one of its recipes. */
static void describe_link(struct buf *nj, const ctr_plan_entry *e, size_t i, const char *tc,
                          const ctr_relink_opts *o, const ctr_target *target, const char *root,
                          const struct pass *ps, const struct recipe *rc)
{
    char path[PATH_MAX];
    bool mixed = !strcmp(tc, "mixed");
    if (mixed) {
        /* LLVM's share: optimized together and compiled for the target
         * into one relocatable object that the GCC link takes as input */
        snprintf(path, sizeof path, "build part%s/%zu.o: partial", rc->tag, i);
        add(nj, path);
        add_inputs(nj, e, true, true, rc);
        add(nj, "\n  pre = " CTR_CLANG " -O3 -fuse-ld=lld -Wl,--no-dependent-libraries "
                "-nostdlib -r");
        add(nj, lto_flag(rc->lto));
        snprintf(path, sizeof path, "-march=%s", target->cpu);
        add_arg(nj, path);
        add_desc(nj, e->bin->inner);
    }
    struct buf cmd = {0};
    link_command(&cmd, e, tc, o, rc, target, root, o->work, i);
    if (!strcmp(tc, "llvm"))
        add(&cmd, ps->flags);
    snprintf(path, sizeof path, "build bin%s/%zu: link rec/%zu.s", rc->tag, i, i);
    add(nj, path);
    add_inputs(nj, e, false, mixed, rc);
    if (mixed) {
        snprintf(path, sizeof path, " part%s/%zu.o", rc->tag, i);
        add(nj, path);
    }
    snprintf(path, sizeof path, " | exp/%zu.list\n  pre = ", i);
    add(nj, path);
    add(nj, cmd.p ? cmd.p : "false");
    add_desc(nj, e->bin->inner);
    free(cmd.p);
}

/* Write the Ninja file of a pass and run it.  Failed links are found
 * afterwards, one by one, by the missing outputs. */
static int build_pass(const ctr_plan *plan, ctr_outcome *oc, const ctr_relink_opts *o,
                      const ctr_target *target, const struct pass *ps, ctr_error *err)
{
    struct buf nj = {0};
    add(&nj, "# generated by ctr-relink; rerun ctr-relink rather than editing\n"
             "ninja_required_version = 1.10\n"
             "builddir = state\n"
             "rule link\n  command = rm -f $out && $pre $in $post -o $out\n"
             "  description = LINK $desc\n"
             "rule partial\n  command = rm -f $out && $pre $in -o $out\n"
             "  description = LLVM $desc\n"
             "rule compile\n  command = rm -f $out && $pre $in -o $out\n"
             "  description = OPT $desc\n\n");
    size_t todo = 0;
    for (size_t i = 0; i < plan->n; i++)
        for (size_t r = 0; in_pass(ps, &oc[i]) && r < ps->nrecipes; r++) {
            describe_link(&nj, &plan->v[i], i, oc[i].toolchain, o, target, plan->fs->root, ps,
                          &ps->recipes[r]);
            todo++;
        }
    for (size_t r = 0; r < ps->nrecipes; r++)
        if (describe_compiles(&nj, plan, oc, o, target, ps, &ps->recipes[r], err) < 0) {
            free(nj.p);
            return -1;
        }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", o->work, ps->manifest);
    if (write_buf(&nj, path, err) < 0)
        return -1;
    if (!todo)
        return 0;
    char jobs[32];
    snprintf(jobs, sizeof jobs, "-j%d", o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));
    /* On a terminal ninja shows one progress line ([3/5] LINK /usr/bin/x);
     * elsewhere it stays quiet but for failures. */
    /* (no -C: the sandbox starts ninja in the work directory, and -C only
     * adds an "Entering directory" line) */
    char *ninja[] = {"ninja", "-f", (char *)ps->manifest, jobs, "-k", "0", NULL, NULL};
    if (o->verbose)
        ninja[6] = "-v";
    else if (!isatty(2))
        ninja[6] = "--quiet";
    ctr_error nerr;
    if (ctr_sandbox_tool(&o->sandbox, o->work, plan->fs->root, built_dirs, ninja, &nerr) < 0)
        fprintf(stderr, "ctr-relink: warning: %s; each binary whose link did not finish is "
                        "kept\n", nerr.msg);
    return 0;
}

/* Profile-guided optimization: build the LLVM binaries instrumented, run
 * the training command in a copy of the root that holds them, and merge the
 * profiles into work/pgo.profdata.  True when there is a profile to use;
 * otherwise a warning says why and the relink goes on without one. */
static bool train(const ctr_plan *plan, ctr_outcome *oc, const ctr_relink_opts *o,
                  const ctr_target *target, ctr_error *err)
{
    const struct recipe instrumented = {"instrumented", "-train", o->lto, false};
    const struct pass gen = {&instrumented, 1, " -fprofile-generate", "", "train.ninja", true};
    if (build_pass(plan, oc, o, target, &gen, err) < 0)
        return false;
    struct file_list fl;
    bool ok = relinked_files(plan, oc, o->work, &gen, false, &fl, err) == 0;
    ok = ok && ctr_pgo_train(&o->sandbox, plan->fs->root, fl.inner, (const char *const *)fl.built, fl.n,
                             o->pgo, o->work, err) == 0;
    if (!ok)
        fprintf(stderr, "ctr-relink: warning: no profile-guided optimization: %s\n", err->msg);
    file_list_free(&fl);
    return ok;
}

static int make_work_dir(const char *work, const char *name, const char *tag, ctr_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s%s%s", work, *name ? "/" : "", name, tag);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return ctr_error_set(err, errno, "work directory '%s'", path);
    return 0;
}

/* --select: time the user's command with each binary's builds (recipes)
 * and its original, and ship what was fastest.  The recipes' files that
 * failed their checks are no candidates.  Without a measured choice, every
 * binary keeps the configured recipe, with a warning. */
static void choose_builds(const ctr_plan *plan, ctr_outcome *oc, const ctr_relink_opts *o,
                          const struct recipe *recipes, size_t nrecipes, struct lib_cache *libs)
{
    ctr_select_report local = {0}, *rep = o->select_report ? o->select_report : &local;
    ctr_select_binary *b = calloc(plan->n ? plan->n : 1, sizeof *b);
    size_t *index = calloc(plan->n ? plan->n : 1, sizeof *index), n = 0;
    rep->choice[0] = "original";
    for (size_t r = 0; r < nrecipes && r + 1 < CTR_SELECT_MAX; r++)
        rep->choice[r + 1] = recipes[r].name;
    for (size_t i = 0; b && index && i < plan->n; i++) {
        if (!oc[i].relinked)
            continue;
        b[n].inner = plan->v[i].bin->inner;
        b[n].program = plan->v[i].bin->link->kind != CTR_ELF_SHARED;
        b[n].file[0] = plan->v[i].bin->host;
        for (size_t r = 0; r < nrecipes && r + 1 < CTR_SELECT_MAX; r++) {
            char *path = NULL, *why = NULL;
            if (asprintf(&path, "%s/bin%s/%zu", o->work, recipes[r].tag, i) < 0)
                continue;
            /* the configured recipe's file passed its checks already */
            if (r > 0 && (why = check_built(&plan->v[i], plan->fs->root, path, libs))) {
                free(why);
                free(path);
                continue;
            }
            b[n].file[r + 1] = path; /* freed below; file[0] is the plan's */
        }
        index[n++] = i;
    }
    ctr_error err = {0};
    if (!b || !index) {
        fprintf(stderr, "ctr-relink: warning: --select: out of memory\n");
    } else if (ctr_select_run(&o->sandbox, plan->fs->root, o->work, o->select,
                              o->select_rounds > 0 ? o->select_rounds : 3, 1, b, n, rep,
                              &err) < 0) {
        fprintf(stderr, "ctr-relink: warning: --select made no choice: %s; every binary is "
                        "built as configured\n", rep->note);
    } else {
        if (rep->original > 0)
            fprintf(stderr, "ctr-relink: --select: the command took %.3f s with the original "
                            "binaries, %.3f s with the builds chosen%s\n", rep->original,
                    rep->chosen, rep->reverted ? ": the originals are kept" : "");
        else if (!rep->reverted)
            fprintf(stderr, "ctr-relink: --select: every program the command runs was "
                            "fastest as it was\n");
        else
            fprintf(stderr, "ctr-relink: --select: %s: the originals are kept\n",
                    rep->note ? rep->note : "the relinked files were slower");
        for (size_t j = 0; j < n; j++) {
            ctr_outcome *c = &oc[index[j]];
            memcpy(c->select_seconds, b[j].median, sizeof c->select_seconds);
            memcpy(c->select_failed, b[j].failed, sizeof c->select_failed);
            int k = b[j].chosen;
            if (k > 0) {
                c->recipe = recipes[k - 1].name;
                c->tag = recipes[k - 1].tag;
                continue;
            }
            c->relinked = false;
            if (rep->reverted)
                asprintf(&c->why, "--select: %s", rep->note ? rep->note :
                         "the relinked files were not faster than the originals");
            else
                asprintf(&c->why, "--select: the original was faster (%.3f s against %.3f s)",
                         b[j].median[0], b[j].median[1]);
        }
    }
    for (size_t j = 0; b && j < n; j++)
        for (int k = 1; k < CTR_SELECT_MAX; k++)
            free((char *)b[j].file[k]);
    free(b);
    free(index);
}

int ctr_relink_run(const ctr_plan *plan, irs_store *store, const ctr_relink_opts *o,
                   ctr_outcome *oc, ctr_error *err)
{
    char path[PATH_MAX], cwd[PATH_MAX], abswork[PATH_MAX];
    /* ninja runs in the work directory: every path it is given is absolute */
    ctr_relink_opts local = *o;
    if (o->work[0] != '/') {
        if (!getcwd(cwd, sizeof cwd))
            return ctr_error_set(err, errno, "current directory");
        if ((size_t)snprintf(abswork, sizeof abswork, "%.*s/%s", (int)(sizeof cwd - 1), cwd,
                             o->work) >= sizeof abswork)
            return ctr_error_set(err, ENAMETOOLONG, "work directory '%s'", o->work);
        local.work = abswork;
        o = &local;
    }
    if (ctr_sandbox_available(err) < 0 || check_output(o, err) < 0)
        return -1;
    /* the configured recipe, and with --select the ones it is timed against:
     * the other side of LTO, and tuning for no CPU in particular */
    enum ctr_lto other = o->lto == CTR_LTO_NONE ? CTR_LTO_THIN : CTR_LTO_NONE;
    const struct recipe recipes[] = {
        {lto_name(o->lto, false), "", o->lto, false},
        {lto_name(other, false), "-r1", other, false},
        {lto_name(o->lto, true), "-r2", o->lto, true},
    };
    size_t nrecipes = o->select ? 3 : 1;
    /* the work directory: stored inputs and link files, ours; each build's
     * outputs (built_dirs) are the toolchain sandbox's while it runs */
    static const char *const subdirs[] = {"", "tu", "tu-generic", "obj", "rec", "exp"};
    for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++)
        if (make_work_dir(o->work, subdirs[i], "", err) < 0)
            return -1;
    for (size_t i = 0; built_dirs[i]; i++)
        if (make_work_dir(o->work, built_dirs[i], "", err) < 0)
            return -1;
    /* the sandbox's uid reads the inputs: it may pass through, not list */
    struct stat wst;
    if (stat(o->work, &wst) < 0 || chmod(o->work, (wst.st_mode & 07777) | 0111) < 0)
        return ctr_error_set(err, errno, "work directory '%s'", o->work);
    size_t ntus = 0;
    for (size_t i = 0; i < plan->n; i++)
        ntus += plan->v[i].bin->link->ntu;
    struct hsearch_data done = {0};
    if (!hcreate_r(ntus * 2 + 16, &done))
        return ctr_error_set(err, ENOMEM, "relinking");
    ctr_target target;
    if (ctr_target_init(&target, o->march, err) < 0) {
        hdestroy_r(&done);
        return -1;
    }
    ctr_target generic = target;
    generic.tune = "generic";
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        oc[i] = (ctr_outcome){.toolchain = "-"};
        if (e->problem) {
            oc[i].why = strdup(e->problem);
            continue;
        }
        const char *tc = choose_toolchain(e, o->toolchain, &oc[i].why);
        if (!tc || prepare_inputs(e, store, &target, o->select ? &generic : NULL, o, &done,
                                  &oc[i].why) < 0)
            continue;
        if (write_link_files(e, i, o->work, err) < 0) {
            ctr_target_clear(&target);
            hdestroy_r(&done);
            return -1;
        }
        oc[i].toolchain = tc;
        oc[i].relinked = true;
        oc[i].recipe = recipes[0].name;
        oc[i].tag = recipes[0].tag;
    }
    hdestroy_r(&done);
    /* the final pass: with a profile when training gave one */
    char use[PATH_MAX * 2 + 128] = "", deps[64] = "";
    if (o->pgo && train(plan, oc, o, &target, err)) {
        snprintf(use, sizeof use, " -fprofile-use=%s/pgo.profdata -Wno-profile-instr-unprofiled"
                 " -Wno-profile-instr-out-of-date -Wno-backend-plugin", o->work);
        snprintf(deps, sizeof deps, " | pgo.profdata");
        for (size_t i = 0; i < plan->n; i++)
            oc[i].pgo = oc[i].relinked && !strcmp(oc[i].toolchain, "llvm");
    }
    const struct pass final = {recipes, nrecipes, use, deps, "build.ninja", false};
    struct timespec before[plan->n ? plan->n : 1];
    for (size_t i = 0; i < plan->n; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/bin/%zu", o->work, i);
        before[i] = stat(path, &st) == 0 ? st.st_mtim : (struct timespec){0, 0};
    }
    int rc = build_pass(plan, oc, o, &target, &final, err);
    ctr_target_clear(&target);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < plan->n; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/bin/%zu", o->work, i);
        oc[i].rebuilt = stat(path, &st) == 0 && (st.st_mtim.tv_sec != before[i].tv_sec ||
                                                 st.st_mtim.tv_nsec != before[i].tv_nsec);
    }
    read_times(o->work, plan, oc);
    struct lib_cache libs = {0};
    for (size_t i = 0; i < plan->n; i++) {
        if (!oc[i].relinked)
            continue;
        snprintf(path, sizeof path, "%s/bin/%zu", o->work, i);
        if ((oc[i].why = check_built(&plan->v[i], plan->fs->root, path, &libs)))
            oc[i].relinked = false;
    }
    if (o->select)
        choose_builds(plan, oc, o, recipes, nrecipes, &libs);
    lib_cache_free(&libs);
    return assemble(plan, oc, o, &final, err);
}
