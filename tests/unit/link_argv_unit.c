/* The relink's command lines, golden: each argv builder of link_argv.c on
 * a hand-made binary, compared with the exact text its Ninja variable must
 * hold; the recipes' names and the toolchain choice. */
#include "check.h"
#include "link_argv.h"
#include "version_script.h"
#include "recipe.h"
#include "toolchain.h"
#include "work_dir.h"

#include <string.h>

static char *tus[] = {"aaaa", "bbbb"};

/* What sb holds now, then empty it. */
static int same(ctr_strbuf *sb, const char *want)
{
    int ok = !sb->failed && !strcmp(ctr_sb_str(sb), want);
    if (!ok)
        fprintf(stderr, "got:  %s\nwant: %s\n", ctr_sb_str(sb), want);
    ctr_sb_release(sb);
    return ok;
}

static void test_quoting(void)
{
    ctr_strbuf sb = CTR_STRBUF_INIT;
    ctr_argv_add(&sb, "a'b$c\nd");
    CHECK(same(&sb, " 'a'\\''b$$cd'"));
    ctr_argv_add(&sb, "");
    CHECK(same(&sb, " ''"));
}

/* A C++ PIE program relinked by LLVM with thin LTO. */
static void test_llvm_program(void)
{
    char *needed[] = {"libm.so.6", "libfoo.so.1", "libstdc++.so.6", "libc.so.6"};
    char *runpath[] = {"$ORIGIN/../lib"}, *exports[] = {"api"};
    ctr_elf_link l = {.kind = CTR_ELF_PIE, .interp = "/lib64/ld-linux-x86-64.so.2",
                      .soname = "", .needed = {4, needed}, .runpath = {1, runpath},
                      .exports = {1, exports}, .tu_ids = tus, .ntu = 2};
    ctr_needed found[] = {{"libm.so.6", "/lib/libm.so.6"}, {"libfoo.so.1", "/usr/lib/libfoo.so.1"},
                          {"libstdc++.so.6", "/lib/libstdc++.so.6"}, {"libc.so.6", "/lib/libc.so.6"}};
    ctr_binary bin = {.inner = "/usr/bin/app", .link = &l, .needed = found};
    irs_record r0 = {.language = "c"}, r1 = {.language = "c++"};
    irs_record *recs[] = {&r0, &r1};
    ctr_ir_kind kinds[] = {CTR_IR_LLVM_BC, CTR_IR_LLVM_BC};
    ctr_plan_entry e = {.bin = &bin, .recs = recs, .kinds = kinds, .ir = CTR_TOOLCHAIN_LLVM};
    ctr_options o = {.march = "native", .work = "/w", .lto = CTR_LTO_THIN};
    ctr_recipe rc[CTR_RECIPES_MAX];
    ctr_recipes_of(&o, rc);
    ctr_link_ctx c = {&o, &rc[0], "znver4", "/r", ""};
    ctr_strbuf sb = CTR_STRBUF_INIT;
    ctr_link_command(&sb, &e, 3, CTR_TOOLCHAIN_LLVM, &c);
    CHECK(same(&sb, CTR_CLANGXX " -O3 -fuse-ld=lld -Wl,--no-dependent-libraries -flto=thin"
                    " '-march=znver4'"
                    " -Xlinker '--export-dynamic-symbol-list' -Xlinker '/w/exp/3.list' -pie"
                    " -Xlinker '--dynamic-linker' -Xlinker '/lib64/ld-linux-x86-64.so.2'"
                    " -Wl,--enable-new-dtags -Xlinker '-rpath' -Xlinker '$$ORIGIN/../lib'"
                    "\n  post = -Wl,--no-as-needed -lm '/r/usr/lib/libfoo.so.1' -lstdc++"));
    /* PGO's options come last, for LLVM links only */
    c.flags = " -fprofile-use=/w/pgo.profdata";
    ctr_link_command(&sb, &e, 3, CTR_TOOLCHAIN_LLVM, &c);
    const char *s = ctr_sb_str(&sb);
    size_t n = strlen(s), k = strlen(c.flags);
    CHECK(n > k && !strcmp(s + n - k, c.flags));
    ctr_sb_release(&sb);
    ctr_partial_command(&sb, &c);
    CHECK(same(&sb, CTR_CLANG " -O3 -fuse-ld=lld -Wl,--no-dependent-libraries -nostdlib -r"
                    " -flto=thin '-march=znver4'"));
    irs_record pie = {.pie_level = 2, .pic_level = 2}, pic = {.pic_level = 1}, none = {0};
    ctr_recipe full = rc[0];
    full.lto = CTR_LTO_FULL;
    c.rc = &full;
    ctr_compile_command(&sb, &pie, CTR_IR_LLVM_BC, &c);
    CHECK(same(&sb, CTR_CLANG " -c -O3 -flto -fPIE -fprofile-use=/w/pgo.profdata"
                    " '-march=znver4'"));
    c.rc = &rc[0];
    c.flags = "";
    ctr_compile_command(&sb, &pic, CTR_IR_LLVM_BC, &c);
    CHECK(same(&sb, CTR_CLANG " -c -O3 -flto=thin -fPIC '-march=znver4'"));
    ctr_compile_command(&sb, &none, CTR_IR_LLVM_BC, &c);
    CHECK(same(&sb, CTR_CLANG " -c -O3 -flto=thin -fno-pic '-march=znver4'"));
}

/* A Fortran shared library relinked by GCC, without LTO and with LTO. */
static void test_gcc_library(void)
{
    char *needed[] = {"libgfortran.so.5", "libquadmath.so.0"}, *runpath[] = {"/opt/lib"};
    ctr_elf_link l = {.kind = CTR_ELF_SHARED, .interp = "", .soname = "libx.so.1",
                      .needed = {2, needed}, .runpath = {1, runpath}, .rpath = true,
                      .tu_ids = tus, .ntu = 1};
    ctr_needed found[] = {{"libgfortran.so.5", "/lib/libgfortran.so.5"},
                          {"libquadmath.so.0", "/lib/libquadmath.so.0"}};
    ctr_binary bin = {.inner = "/usr/lib/libx.so.1", .link = &l, .needed = found};
    irs_record r0 = {.language = "fortran"};
    irs_record *recs[] = {&r0};
    ctr_ir_kind kinds[] = {CTR_IR_GCC_LTO};
    ctr_plan_entry e = {.bin = &bin, .recs = recs, .kinds = kinds, .ir = CTR_TOOLCHAIN_GCC};
    ctr_options o = {.march = "skylake", .work = "/w", .lto = CTR_LTO_NONE, .select = "x"};
    ctr_recipe rc[CTR_RECIPES_MAX];
    CHECK(ctr_recipes_of(&o, rc) == 5);
    ctr_link_ctx c = {&o, &rc[2], "skylake", "/r", " -fprofile-use=x"};
    ctr_strbuf sb = CTR_STRBUF_INIT;
    ctr_link_command(&sb, &e, 0, CTR_TOOLCHAIN_GCC, &c);
    CHECK(same(&sb, CTR_GFORTRAN " -O3 '-mtune=generic' '-march=skylake' -shared"
                    " -Xlinker '-soname' -Xlinker 'libx.so.1'"
                    " -Wl,--disable-new-dtags -Xlinker '-rpath' -Xlinker '/opt/lib'"
                    "\n  post = -Wl,--no-as-needed -lgfortran -lquadmath"));
    c.rc = &rc[1]; /* the other side of --lto none: LTO, tuned for the CPU */
    ctr_link_command(&sb, &e, 0, CTR_TOOLCHAIN_GCC, &c);
    CHECK(same(&sb, CTR_GFORTRAN " -O3 -flto=auto -fno-fat-lto-objects '-mtune=skylake'"
                    " '-march=skylake' -shared -Xlinker '-soname' -Xlinker 'libx.so.1'"
                    " -Wl,--disable-new-dtags -Xlinker '-rpath' -Xlinker '/opt/lib'"
                    "\n  post = -Wl,--no-as-needed -lgfortran -lquadmath"));
    /* a library with symbol versions and exports: ld.bfd's dynamic list and
     * the version script of exp/ */
    char *exports[] = {"x_api"}, *verdef[] = {"X_1.0"};
    l.exports = (irs_strv){1, exports};
    l.verdef = (irs_strv){1, verdef};
    ctr_link_command(&sb, &e, 4, CTR_TOOLCHAIN_GCC, &c);
    CHECK(same(&sb, CTR_GFORTRAN " -O3 -flto=auto -fno-fat-lto-objects '-mtune=skylake'"
                    " '-march=skylake' -Xlinker '--dynamic-list' -Xlinker '/w/exp/4.list'"
                    " -Xlinker '--version-script' -Xlinker '/w/exp/4.ver'"
                    " -shared -Xlinker '-soname' -Xlinker 'libx.so.1'"
                    " -Wl,--disable-new-dtags -Xlinker '-rpath' -Xlinker '/opt/lib'"
                    "\n  post = -Wl,--no-as-needed -lgfortran -lquadmath"));
    c.rc = &rc[0];
    ctr_compile_command(&sb, &r0, CTR_IR_GCC_LTO, &c);
    CHECK(same(&sb, CTR_GCC " -O3 -flto -r -nostdlib -flinker-output=nolto-rel"
                    " '-mtune=skylake' '-march=skylake'"));
    /* no FP contraction: GCC's -ffp-contract=off, in the compile and the link */
    c.rc = &rc[3];
    ctr_compile_command(&sb, &r0, CTR_IR_GCC_LTO, &c);
    CHECK(strstr(ctr_sb_str(&sb), "'-march=skylake' -ffp-contract=off") != NULL);
    ctr_link_command(&sb, &e, 0, CTR_TOOLCHAIN_GCC, &c);
    CHECK(strstr(ctr_sb_str(&sb), "'-march=skylake' -ffp-contract=off -Xlinker") != NULL);
    /* -O2, vectorized as -O3 and Clang's -O2 are: the compile and the link */
    ctr_sb_release(&sb);
    c.rc = &rc[4];
    ctr_compile_command(&sb, &r0, CTR_IR_GCC_LTO, &c);
    CHECK(same(&sb, CTR_GCC " -O2 -fvect-cost-model=dynamic -flto -r -nostdlib"
                    " -flinker-output=nolto-rel '-mtune=skylake' '-march=skylake'"));
    ctr_link_command(&sb, &e, 0, CTR_TOOLCHAIN_GCC, &c);
    CHECK(!strncmp(ctr_sb_str(&sb), CTR_GFORTRAN " -O2 -fvect-cost-model=dynamic '-mtune=skylake'",
                   strlen(CTR_GFORTRAN " -O2 -fvect-cost-model=dynamic '-mtune=skylake'")));
    ctr_sb_release(&sb);
}

/* The version script from an original's versions: nodes in order with
 * parents, default versions listed, non-default ones left to the IR's
 * .symver, local: * when every export had a version. */
static void test_version_script(void)
{
    char *verdef[] = {"LUA_5.4", "LUA_5.4.6"}, *parent[] = {"", "LUA_5.4"};
    char *exports[] = {"lua_close", "lua_newstate", "old_api"};
    char *ver[] = {"lua_close@@LUA_5.4", "lua_newstate@@LUA_5.4.6", "old_api@LUA_5.4",
                   "old_api@@LUA_5.4.6"};
    ctr_elf_link l = {.verdef = {2, verdef}, .verdef_parent = {2, parent},
                      .exports = {3, exports}, .exports_ver = {4, ver}};
    ctr_strbuf sb = CTR_STRBUF_INIT;
    ctr_version_script(&l, &sb);
    CHECK(same(&sb, "LUA_5.4 {\n  global:\n    \"lua_close\";\n    \"old_api\";\n"
                    "  local: *;\n};\n"
                    "LUA_5.4.6 {\n  global:\n    \"lua_newstate\";\n    \"old_api\";\n"
                    "} LUA_5.4;\n"));
    /* an unversioned export stays visible: no local: * */
    char *more[] = {"lua_close", "lua_newstate", "old_api", "plain"};
    l.exports = (irs_strv){4, more};
    ctr_version_script(&l, &sb);
    CHECK(strstr(ctr_sb_str(&sb), "local") == NULL);
    ctr_sb_release(&sb);
    /* names a version script cannot hold are left out */
    char *bad[] = {"LUA_5.4", "a b"};
    l.verdef = (irs_strv){2, bad};
    ctr_version_script(&l, &sb);
    CHECK(strstr(ctr_sb_str(&sb), "a b") == NULL);
    ctr_sb_release(&sb);
}

/* dir+tag is one of the work directory's build directories. */
static bool built_dir(const char *dir, const char *tag)
{
    char want[64];
    snprintf(want, sizeof want, "%s%s", dir, tag);
    for (size_t i = 0; ctr_built_dirs[i]; i++)
        if (!strcmp(ctr_built_dirs[i], want))
            return true;
    return false;
}

static void test_recipes(void)
{
    ctr_options o = {.march = "native", .lto = CTR_LTO_THIN};
    ctr_recipe rc[CTR_RECIPES_MAX];
    CHECK(ctr_recipes_of(&o, rc) == 1);
    o.select = "cmd";
    CHECK(ctr_recipes_of(&o, rc) == 5);
    CHECK(!strcmp(rc[0].name, "thin LTO") && !strcmp(rc[0].tag, "") && rc[0].opt == 3);
    CHECK(!strcmp(rc[1].name, "no LTO") && !strcmp(rc[1].tag, "-r1"));
    CHECK(!strcmp(rc[2].name, "thin LTO, generic tuning") && !strcmp(rc[2].tag, "-r2"));
    CHECK(!strcmp(rc[3].name, "thin LTO, no FP contraction") && !strcmp(rc[3].tag, "-r3"));
    CHECK(!strcmp(ctr_recipe_tu_dir(&rc[3]), "tu-nofma") &&
          !strcmp(ctr_recipe_tu_dir(&rc[2]), "tu-generic") && !strcmp(ctr_recipe_tu_dir(&rc[0]), "tu"));
    CHECK(!strcmp(ctr_recipe_label(&rc[3], CTR_TOOLCHAIN_GCC), "LTO, no FP contraction"));
    CHECK(!strcmp(rc[4].name, "thin LTO, -O2") && !strcmp(rc[4].tag, "-r4") && rc[4].opt == 2 &&
          !strcmp(ctr_recipe_tu_dir(&rc[4]), "tu"));
    CHECK(!strcmp(ctr_recipe_label(&rc[4], CTR_TOOLCHAIN_GCC), "LTO, -O2"));
    /* with --fp exact every build is without contraction: no such recipe */
    o.fp_exact = true;
    CHECK(ctr_recipes_of(&o, rc) == 4 && !strcmp(rc[3].tag, "-r4"));
    o.fp_exact = false;
    /* with --pgo, last: the configured recipe without the profile */
    CHECK(ctr_recipes_of(&o, rc) == 5 && !rc[4].no_profile);
    o.pgo = "train";
    CHECK(ctr_recipes_of(&o, rc) == 6 && rc[5].no_profile && !strcmp(rc[5].tag, "-r5") &&
          !strcmp(rc[5].name, "thin LTO, no PGO") && rc[5].opt == 3 && !rc[5].generic_tune &&
          !rc[5].no_fp_contract && rc[5].lto == CTR_LTO_THIN &&
          !strcmp(ctr_recipe_tu_dir(&rc[5]), "tu"));
    CHECK(!strcmp(ctr_recipe_label(&rc[5], CTR_TOOLCHAIN_GCC), "LTO, no PGO"));
    for (size_t k = 0; k < 5; k++)
        CHECK(!rc[k].no_profile);
    /* --select's second stage: the changes of several recipes together */
    const ctr_recipe *with[] = {&rc[1], &rc[2], &rc[4]};
    ctr_recipe x = ctr_recipe_combined(&rc[0], with, 3);
    CHECK(x.lto == CTR_LTO_NONE && x.generic_tune && !x.no_fp_contract && x.opt == 2 &&
          !x.no_profile && !strcmp(x.tag, "-x") && !strcmp(x.unit, "-lgo"));
    CHECK(!strcmp(x.name, "no LTO, generic tuning, -O2") &&
          !strcmp(ctr_recipe_tu_dir(&x), "tu-generic"));
    CHECK(!strcmp(ctr_recipe_label(&x, CTR_TOOLCHAIN_GCC), "no LTO, generic tuning, -O2"));
    const ctr_recipe *with2[] = {&rc[3], &rc[5]};
    x = ctr_recipe_combined(&rc[0], with2, 2);
    CHECK(x.lto == CTR_LTO_THIN && x.no_fp_contract && x.no_profile && x.opt == 3 &&
          !strcmp(x.unit, "-fp") && !strcmp(x.name, "thin LTO, no FP contraction, no PGO"));
    CHECK(!strcmp(ctr_recipe_label(&x, CTR_TOOLCHAIN_GCC), "LTO, no FP contraction, no PGO"));
    CHECK(built_dir("cc", x.tag) && built_dir("part", x.tag) && built_dir("bin", x.tag));
    /* the recipes' own have no unit */
    for (size_t k = 0; k < 6; k++)
        CHECK(!strcmp(rc[k].unit, ""));
    size_t n = ctr_recipes_of(&o, rc);
    /* every recipe builds into directories that the work directory makes */
    for (size_t k = 0; k < n; k++)
        CHECK(built_dir("cc", rc[k].tag) && built_dir("part", rc[k].tag) &&
              built_dir("bin", rc[k].tag));
    /* GIMPLE has no thin mode */
    CHECK(!strcmp(ctr_recipe_label(&rc[0], CTR_TOOLCHAIN_GCC), "LTO"));
    CHECK(!strcmp(ctr_recipe_label(&rc[2], CTR_TOOLCHAIN_GCC), "LTO, generic tuning"));
    CHECK(!strcmp(ctr_recipe_label(&rc[1], CTR_TOOLCHAIN_GCC), "no LTO"));
    CHECK(!strcmp(ctr_recipe_label(&rc[0], CTR_TOOLCHAIN_MIXED), "thin LTO"));
    CHECK(!strcmp(ctr_recipe_gcc_tune(&rc[2], &o), "generic"));
    CHECK(!strcmp(ctr_recipe_gcc_tune(&rc[0], &o), "native"));
    o.lto = CTR_LTO_NONE;
    ctr_recipes_of(&o, rc);
    CHECK(rc[1].lto == CTR_LTO_THIN && !strcmp(ctr_recipe_lto_flag(&rc[1]), " -flto=thin"));
    CHECK(!strcmp(ctr_recipe_lto_flag(&rc[0]), ""));
}

static void test_toolchains(void)
{
    ctr_error err;
    CHECK(ctr_toolchain_add(CTR_TOOLCHAIN_NONE, CTR_IR_LLVM_BC) == CTR_TOOLCHAIN_LLVM);
    CHECK(ctr_toolchain_add(CTR_TOOLCHAIN_LLVM, CTR_IR_GCC_LTO) == CTR_TOOLCHAIN_MIXED);
    CHECK(ctr_toolchain_add(CTR_TOOLCHAIN_GCC, CTR_IR_ELF_OBJECT) == CTR_TOOLCHAIN_GCC);
    CHECK(ctr_toolchain_add(CTR_TOOLCHAIN_NONE, CTR_IR_LINK) == CTR_TOOLCHAIN_NONE);
    CHECK(ctr_toolchain_choose(CTR_TOOLCHAIN_MIXED, CTR_TC_AUTO, &err) == CTR_TOOLCHAIN_MIXED);
    CHECK(ctr_toolchain_choose(CTR_TOOLCHAIN_GCC, CTR_TC_LLVM, &err) == CTR_TOOLCHAIN_NONE &&
          err.code == CTR_E_USAGE && strstr(err.msg, "GIMPLE needs GCC"));
    CHECK(ctr_toolchain_choose(CTR_TOOLCHAIN_MIXED, CTR_TC_GCC, &err) == CTR_TOOLCHAIN_NONE &&
          strstr(err.msg, "use --toolchain auto"));
    CHECK(ctr_ir_kind_of("gcc-lto") == CTR_IR_GCC_LTO && ctr_ir_kind_of("gcc") == CTR_IR_UNKNOWN);
    CHECK(!strcmp(ctr_ir_kind_name(CTR_IR_ELF_OBJECT), "elf-object"));
    CHECK(!strcmp(ctr_toolchain_ir_name(CTR_TOOLCHAIN_MIXED), "mixed"));
    /* GIMPLE is readable by the same GCC major only */
    CHECK(ctr_gcc_reads(CTR_GCC_MAJOR ".2.0") && ctr_gcc_reads(CTR_GCC_MAJOR));
    CHECK(!ctr_gcc_reads(CTR_GCC_MAJOR "0.1") && !ctr_gcc_reads("1." CTR_GCC_MAJOR));
    CHECK(!ctr_gcc_reads("") && !ctr_gcc_reads("x"));
}

int main(void)
{
    test_quoting();
    test_llvm_program();
    test_gcc_library();
    test_version_script();
    test_recipes();
    test_toolchains();
    return failures != 0;
}
