/* The relink's stages on hand-made plans, without toolchains: the Ninja
 * file of a pass (golden), which binaries a pass builds, the checks of a
 * built file, the output stage's refusal to replace a directory it did not
 * write, the work directory's paths, and the IR stores the scan finds.
 * Scratch directory: argv[1]. */
#include "check.h"
#include "built_check.h"
#include "inputs.h"
#include "ninja_file.h"
#include "output_tree.h"
#include "rootfs_stores.h"
#include "work_dir.h"
#include "comtainer/files.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tus[] = {"t1", "t2"};

/* One PIE program: an LLVM TU and a recorded object, in a plan of its own
 * (the parts point at each other: fill it where it stays). */
struct fixture {
    ctr_plan plan;
    ctr_plan_entry e;
    ctr_binary bin;
    ctr_elf_link l;
    ctr_rootfs fs;
    irs_record recs[2], *rp[2];
    ctr_ir_kind kinds[2];
};

static void make_plan(struct fixture *f)
{
    f->l = (ctr_elf_link){.kind = CTR_ELF_PIE, .interp = "", .soname = "", .tu_ids = tus,
                          .ntu = 2};
    f->bin = (ctr_binary){.inner = "/bin/a\x1b$", .host = "/nonexistent", .link = &f->l};
    f->recs[0] = (irs_record){.language = "c", .source = "a.c", .pie_level = 2};
    f->recs[1] = (irs_record){.language = "c", .source = "b.o"};
    f->rp[0] = &f->recs[0];
    f->rp[1] = &f->recs[1];
    f->kinds[0] = CTR_IR_LLVM_BC;
    f->kinds[1] = CTR_IR_ELF_OBJECT;
    f->e = (ctr_plan_entry){.bin = &f->bin, .recs = f->rp, .kinds = f->kinds,
                            .ir = CTR_TOOLCHAIN_LLVM};
    f->fs = (ctr_rootfs){.root = "/r", .v = &f->bin, .n = 1};
    f->plan = (ctr_plan){.fs = &f->fs, .v = &f->e, .n = 1};
}

static void test_ninja_file(void)
{
    struct fixture f;
    make_plan(&f);
    ctr_options o = {.march = "native", .work = "/w", .lto = CTR_LTO_THIN};
    ctr_recipe rc[CTR_RECIPES_MAX];
    ctr_recipes_of(&o, rc);
    ctr_outcome oc = {.toolchain = CTR_TOOLCHAIN_LLVM, .relinked = true, .tag = ""};
    ctr_pass ps = {rc, 1, "", "", "build.ninja", false, NULL};
    ctr_strbuf sb = CTR_STRBUF_INIT;
    size_t links = 9;
    ctr_ninja_file(&sb, &f.plan, &oc, &o, "znver4", &ps, &links);
    const char *s = ctr_sb_str(&sb);
    CHECK(links == 1 && !sb.failed);
    CHECK(strstr(s, "builddir = state\n"));
    /* the link: the record, the compiled TU, the object as stored */
    CHECK(strstr(s, "build bin/0: link rec/0.s cc/t1.o obj/t2.o | exp/0.list\n  pre = "
                    CTR_CLANG " -O3 -fuse-ld=lld"));
    /* the image's name, with its control character and '$' made safe */
    CHECK(strstr(s, "\n  desc = /bin/a?$$\n"));
    /* one compile, for the LLVM TU only */
    CHECK(strstr(s, "build cc/t1.o: compile tu/t1.bc\n  pre = " CTR_CLANG
                    " -c -O3 -flto=thin -fPIE '-march=znver4'\n  desc = a.c\n"));
    CHECK(!strstr(s, "cc/t2.o"));
    ctr_sb_release(&sb);
    /* PGO's training pass takes only LLVM-only binaries; a kept one, none */
    ctr_pass train = {rc, 1, " -fprofile-generate", "", "train.ninja", true, NULL};
    CHECK(ctr_pass_includes(&train, &oc));
    oc.toolchain = CTR_TOOLCHAIN_MIXED;
    CHECK(!ctr_pass_includes(&train, &oc) && ctr_pass_includes(&ps, &oc));
    oc.relinked = false;
    ctr_ninja_file(&sb, &f.plan, &oc, &o, "znver4", &ps, &links);
    CHECK(links == 0 && !strstr(ctr_sb_str(&sb), "build "));
    ctr_sb_release(&sb);
    /* --select's recipes: one link per recipe, each into its own directories */
    o.select = "cmd";
    size_t n = ctr_recipes_of(&o, rc);
    oc.relinked = true;
    oc.toolchain = CTR_TOOLCHAIN_LLVM;
    ps.nrecipes = n;
    ctr_ninja_file(&sb, &f.plan, &oc, &o, "znver4", &ps, &links);
    s = ctr_sb_str(&sb);
    CHECK(links == 5 && strstr(s, "build bin-r1/0: link rec/0.s cc-r1/t1.o obj/t2.o"));
    CHECK(strstr(s, "build cc-r2/t1.o: compile tu-generic/t1.bc"));
    CHECK(strstr(s, "build cc-r3/t1.o: compile tu-nofma/t1.bc"));
    /* -O2 compiles the configured bitcode again, at -O2 */
    CHECK(strstr(s, "build cc-r4/t1.o: compile tu/t1.bc"));
    CHECK(strstr(s, " -c -O2 ") && strstr(s, " -c -O3 "));
    ctr_sb_release(&sb);
    /* with --pgo, the configured recipe again without the profile: only
     * for a binary that has one, without its options and input */
    o.pgo = "train";
    ps.nrecipes = ctr_recipes_of(&o, rc);
    ps.flags = " -fprofile-use=/w/pgo.profdata";
    ps.deps = " | pgo.profdata";
    ctr_ninja_file(&sb, &f.plan, &oc, &o, "znver4", &ps, &links);
    CHECK(links == 5 && !strstr(ctr_sb_str(&sb), "bin-r5/") && !strstr(ctr_sb_str(&sb), "cc-r5/"));
    ctr_sb_release(&sb);
    oc.pgo = true;
    ctr_ninja_file(&sb, &f.plan, &oc, &o, "znver4", &ps, &links);
    s = ctr_sb_str(&sb);
    CHECK(links == 6 && strstr(s, "build bin-r5/0: link rec/0.s cc-r5/t1.o obj/t2.o"));
    CHECK(strstr(s, "build cc-r5/t1.o: compile tu/t1.bc\n  pre = " CTR_CLANG
                    " -c -O3 -flto=thin -fPIE '-march=znver4'\n"));
    CHECK(strstr(s, "build cc/t1.o: compile tu/t1.bc | pgo.profdata\n  pre = " CTR_CLANG
                    " -c -O3 -flto=thin -fPIE -fprofile-use=/w/pgo.profdata '-march=znver4'\n"));
    /* --select's second stage: a recipe of each binary's own, into bin-x/,
     * its compiles named by the changes; a binary without one, no build */
    ctr_recipe per[1];
    const ctr_recipe *with[] = {&rc[1], &rc[2]};
    per[0] = ctr_recipe_combined(&rc[0], with, 2);
    ctr_pass comb = ps;
    comb.per_binary = per;
    comb.manifest = "combine.ninja";
    ctr_strbuf cb = CTR_STRBUF_INIT;
    ctr_ninja_file(&cb, &f.plan, &oc, &o, "znver4", &comb, &links);
    const char *cs = ctr_sb_str(&cb);
    CHECK(links == 1 && strstr(cs, "build bin-x/0: link rec/0.s cc-x/t1-lg.o obj/t2.o"));
    CHECK(strstr(cs, "build cc-x/t1-lg.o: compile tu-generic/t1.bc | pgo.profdata\n"
                     "  pre = " CTR_CLANG
                     " -c -O3 -fPIE -fprofile-use=/w/pgo.profdata '-march=znver4'\n"));
    CHECK(!strstr(cs, "bin-r") && !strstr(cs, "build bin/"));
    ctr_sb_release(&cb);
    per[0].tag = NULL;
    ctr_ninja_file(&cb, &f.plan, &oc, &o, "znver4", &comb, &links);
    CHECK(links == 0 && !strstr(ctr_sb_str(&cb), "build "));
    ctr_sb_release(&cb);
    /* the link's lines, up to its name */
    const char *r5 = strstr(s, "build bin-r5/0:"), *end = r5 ? strstr(r5, "\n  desc") : NULL;
    CHECK(end && !memmem(r5, (size_t)(end - r5), "profile", 7));
    ctr_sb_release(&sb);
}

static void test_checks(const char *dir)
{
    struct fixture f;
    make_plan(&f);
    ctr_lib_cache *libs = ctr_lib_cache_new(dir);
    ctr_error why;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK(ctr_built_check(&f.e, path, libs, &why) == -1 && why.code == CTR_E_TOOL &&
          strstr(why.msg, "the native link failed"));
    snprintf(path, sizeof path, "%s/not-elf", dir);
    CHECK(ctr_file_write(path, "text", 4, 0755, 0, &why) == 0);
    CHECK(ctr_built_check(&f.e, path, libs, &why) == -1 && why.code != CTR_E_TOOL &&
          strstr(why.msg, "not-elf"));
    ctr_lib_cache_free(libs);
}

static void test_output_and_work(const char *dir)
{
    char out[PATH_MAX / 2], work[PATH_MAX / 2], abs[PATH_MAX];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(work, sizeof work, "%s/work", dir);
    ctr_options o = {.out = out, .work = work};
    ctr_error err;
    CHECK(ctr_output_check(&o, &err) == 0); /* no OUT yet */
    CHECK(mkdir(out, 0755) == 0);
    CHECK(ctr_output_check(&o, &err) == -1 && err.code == CTR_E_EXISTS && strstr(err.msg, out));
    CHECK(ctr_work_dir_prepare(work, &err) == 0);
    struct stat st;
    snprintf(abs, sizeof abs, "%s/bin-r2", work);
    CHECK(stat(abs, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat(work, &st) == 0 && (st.st_mode & 0111) == 0111);
    CHECK(ctr_work_dir_absolute("/a/b", abs, sizeof abs, &err) == 0 && !strcmp(abs, "/a/b"));
    CHECK(ctr_work_dir_absolute("rel", abs, sizeof abs, &err) == 0 && abs[0] == '/' &&
          !strcmp(abs + strlen(abs) - 4, "/rel"));
    CHECK(ctr_work_dir_absolute("x", abs, 4, &err) == -1 && err.errnum == ENAMETOOLONG);
    CHECK(!strcmp(ctr_input_dir(CTR_IR_GCC_LTO), "tu") && !strcmp(ctr_input_ext(CTR_IR_GCC_LTO), "o"));
    CHECK(!strcmp(ctr_input_dir(CTR_IR_ELF_OBJECT), "obj") && ctr_input_dir(CTR_IR_LINK) == NULL);
}

/* mkdir -p root/rel's directory, then write `bytes` at root/rel. */
static void put_file(const char *root, const char *rel, const char *bytes)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *s = p + strlen(root) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    FILE *f = fopen(p, "w");
    CHECK(f && fputs(bytes, f) >= 0 && fclose(f) == 0);
}

static int warnings;
static void count_warning(const char *msg)
{
    (void)msg;
    warnings++;
}

/* The scan finds every store (a FORMAT file with the format line, read
 * only when it is a regular file), the default one first; a symlinked
 * store, a FIFO or symlink FORMAT, another version and the root itself
 * are not stores; beyond CTR_MAX_STORES the root is refused. */
static void test_store_discovery(const char *dir)
{
    char root[PATH_MAX], p[PATH_MAX + 32];
    snprintf(root, sizeof root, "%s/stores-root", dir);
    CHECK(mkdir(root, 0755) == 0);
    static const char ok[] = "comtainer-store 1\n";
    put_file(root, "var/lib/comtainer/store/FORMAT", ok);
    put_file(root, "opt/b/store/FORMAT", ok);
    put_file(root, "opt/a/.spack/comtainer/store/FORMAT", ok);
    put_file(root, "opt/v2/store/FORMAT", "comtainer-store 2\n");
    put_file(root, "opt/long/store/FORMAT", "comtainer-store 1\ntrailing");
    put_file(root, "opt/plain/FORMAT", "a file of that name\n");
    put_file(root, "FORMAT", ok);
    put_file(root, "opt/fifo/store/records/keep", "");
    snprintf(p, sizeof p, "%s/opt/fifo/store/FORMAT", root);
    CHECK(mkfifo(p, 0644) == 0);
    put_file(root, "opt/link/store/records/keep", "");
    snprintf(p, sizeof p, "%s/opt/link/store/FORMAT", root);
    CHECK(symlink("../../b/store/FORMAT", p) == 0);
    snprintf(p, sizeof p, "%s/opt/dirlink", root);
    CHECK(symlink("b/store", p) == 0);

    ctr_rootfs *fs = NULL;
    ctr_error err = {0};
    warnings = 0;
    CHECK(ctr_rootfs_scan(root, count_warning, &fs, &err) == 0);
    CHECK(fs && fs->stores.n == 3);
    if (fs && fs->stores.n == 3)
        CHECK(!strcmp(fs->stores.v[0], "/var/lib/comtainer/store") &&
              !strcmp(fs->stores.v[1], "/opt/a/.spack/comtainer/store") &&
              !strcmp(fs->stores.v[2], "/opt/b/store"));
    CHECK(warnings == 3); /* v2, long (another version), the root's FORMAT */
    ctr_rootfs_free(fs);

    for (int i = 0; i <= CTR_MAX_STORES - 3; i++) {
        snprintf(p, sizeof p, "many/%04d/FORMAT", i);
        put_file(root, p, ok);
    }
    fs = NULL;
    CHECK(ctr_rootfs_scan(root, count_warning, &fs, &err) < 0 && !fs);
    CHECK(err.code == CTR_E_LIMIT && strstr(err.msg, "more than 4096 IR stores") &&
          strstr(err.msg, "stores-root"));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: relink_stages_unit SCRATCH_DIR\n");
        return 2;
    }
    if (make_scratch(argv[1]) < 0)
        return 2;
    test_ninja_file();
    test_checks(argv[1]);
    test_output_and_work(argv[1]);
    test_store_discovery(argv[1]);
    ctr_tree_remove(argv[1]);
    return failures != 0;
}
