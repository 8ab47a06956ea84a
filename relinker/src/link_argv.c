/* The relink's command lines (see link_argv.h). */
#include "link_argv.h"
#include "comtainer/toolchain_runtime.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

void ctr_argv_add(ctr_strbuf *b, const char *s)
{
    ctr_sb_add(b, " '");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            ctr_sb_add(b, "'\\''");
        else if (*p == '$')
            ctr_sb_add(b, "$$");
        else if (*p != '\n')
            ctr_sb_addn(b, p, 1);
    }
    ctr_sb_add(b, "'");
}

/* -Xlinker OPTION -Xlinker VALUE: the value reaches the linker as one
 * argument, whatever it holds (a driver splits -Wl,a,b at commas). */
static void add_linker_pair(ctr_strbuf *b, const char *option, const char *value)
{
    ctr_sb_add(b, " -Xlinker");
    ctr_argv_add(b, option);
    ctr_sb_add(b, " -Xlinker");
    ctr_argv_add(b, value);
}

static void add_option(ctr_strbuf *b, const char *name, const char *value)
{
    char arg[PATH_MAX];
    snprintf(arg, sizeof arg, "%s%s", name, value);
    ctr_argv_add(b, arg);
}

static bool any_language(const ctr_plan_entry *e, const char *lang)
{
    for (size_t t = 0; t < e->bin->link->ntu; t++)
        if ((e->kinds[t] == CTR_IR_LLVM_BC || e->kinds[t] == CTR_IR_GCC_LTO ||
             e->kinds[t] == CTR_IR_ELF_OBJECT) &&
            !strcmp(e->recs[t]->language, lang))
            return true;
    return false;
}

/* GCC's -O level of recipe rc.  Its -O2 vectorizes only where GCC 12's
 * "very cheap" cost model allows, which leaves scalar the loops that -O3
 * and Clang's -O2 vectorize (bench/apps/md: 0.235 s at -O2, 0.138 s at -O3
 * and 0.137 s at -O2 -fvect-cost-model=dynamic): the -O2 recipe is -O3's
 * vectorization without -O3's other passes, as it is for Clang. */
static void add_gcc_opt(ctr_strbuf *b, const ctr_recipe *rc)
{
    ctr_sb_addf(b, " -O%d%s", rc->opt, rc->opt == 2 ? " -fvect-cost-model=dynamic" : "");
}

/* The driver and its options for toolchain tc. */
static void add_driver(ctr_strbuf *b, const ctr_plan_entry *e, ctr_toolchain tc,
                       const ctr_link_ctx *c)
{
    bool fortran = any_language(e, "fortran"), cxx = any_language(e, "c++");
    if (tc == CTR_TOOLCHAIN_LLVM) {
        ctr_sb_add(b, cxx ? CTR_CLANGXX : CTR_CLANG);
        /* .deplibs (#pragma comment(lib, ...) in the IR) must not name
         * files for lld to open */
        ctr_sb_addf(b, " -O%d -fuse-ld=lld -Wl,--no-dependent-libraries", c->rc->opt);
        ctr_sb_add(b, ctr_recipe_lto_flag(c->rc));
        add_option(b, "-march=", c->cpu);
        return;
    }
    ctr_sb_add(b, fortran ? CTR_GFORTRAN : cxx ? CTR_GXX : CTR_GCC);
    /* without LTO, each GIMPLE TU was compiled on its own (cc/) */
    add_gcc_opt(b, c->rc);
    if (c->rc->lto != CTR_LTO_NONE)
        ctr_sb_add(b, " -flto=auto -fno-fat-lto-objects");
    /* the objects' own options (kept in their IR) include the driver's
     * default -mtune=generic, which an implied tuning does not override */
    add_option(b, "-mtune=", ctr_recipe_gcc_tune(c->rc, c->o));
    add_option(b, "-march=", c->o->march);
    if (c->o->fp_exact || c->rc->no_fp_contract) /* GCC contracts a*b+c by default */
        ctr_sb_add(b, " -ffp-contract=off");
}

/* The original's dynamic symbols exported again (LTO would drop or hide
 * inline functions it exported; an executable linked with -E exports what
 * it did), and its symbol versions defined again (inputs.c writes both
 * files).  lld reads the list as --export-dynamic-symbol-list, ld.bfd as
 * --dynamic-list. */
static void add_symbol_files(ctr_strbuf *b, const ctr_plan_entry *e, size_t index,
                             ctr_toolchain tc, const ctr_link_ctx *c)
{
    char path[PATH_MAX];
    const ctr_elf_link *l = e->bin->link;
    if (l->exports.n) {
        snprintf(path, sizeof path, "%s/exp/%zu.list", c->o->work, index);
        add_linker_pair(b, tc == CTR_TOOLCHAIN_LLVM ? "--export-dynamic-symbol-list"
                                                    : "--dynamic-list", path);
    }
    if (l->verdef.n) {
        snprintf(path, sizeof path, "%s/exp/%zu.ver", c->o->work, index);
        add_linker_pair(b, "--version-script", path);
    }
}

/* What kind of ELF file, its SONAME, interpreter and RUNPATH.  A binary
 * that takes site libraries searches their bundle first, as DT_RPATH: the
 * site libraries' own dependencies are found there too (a DT_RUNPATH serves
 * only the binary's direct ones). */
static void add_output_kind(ctr_strbuf *b, const ctr_plan_entry *e, const ctr_link_ctx *c)
{
    const ctr_elf_link *l = e->bin->link;
    if (l->kind == CTR_ELF_SHARED) {
        ctr_sb_add(b, " -shared");
        if (*l->soname)
            add_linker_pair(b, "-soname", l->soname);
    } else {
        ctr_sb_add(b, l->kind == CTR_ELF_PIE ? " -pie" : " -no-pie");
    }
    if (*l->interp)
        add_linker_pair(b, "--dynamic-linker", l->interp);
    if (e->site_swaps) {
        char stage[PATH_MAX];
        snprintf(stage, sizeof stage, "%s/site", c->o->work);
        ctr_sb_add(b, " -Wl,--disable-new-dtags");
        add_linker_pair(b, "-rpath", CTR_SITE_DIR);
        add_linker_pair(b, "-rpath-link", stage);
    } else if (l->runpath.n) {
        ctr_sb_add(b, l->rpath ? " -Wl,--disable-new-dtags" : " -Wl,--enable-new-dtags");
    }
    for (size_t i = 0; i < l->runpath.n; i++)
        add_linker_pair(b, "-rpath", l->runpath.v[i]);
}

/* The libraries, in DT_NEEDED order: the toolchain's own runtimes by the
 * driver's flag, the image's libraries by their path in the image. */
static void add_libraries(ctr_strbuf *b, const ctr_plan_entry *e, const ctr_link_ctx *c)
{
    const ctr_elf_link *l = e->bin->link;
    ctr_sb_add(b, "\n  post = -Wl,--no-as-needed");
    for (size_t i = 0; i < l->needed.n; i++) {
        const ctr_runtime_file *rt = ctr_runtime_find(l->needed.v[i], CTR_RUNTIME_SHARED);
        if (rt) {
            if (*rt->flag)
                ctr_sb_addf(b, " %s", rt->flag);
            continue;
        }
        char path[PATH_MAX * 2];
        if (e->site && e->site[i]) /* the site's, as staged for the sandbox */
            snprintf(path, sizeof path, "%s/site/%s", c->o->work, e->site[i]);
        else
            snprintf(path, sizeof path, "%s%s", c->root, e->bin->needed[i].found);
        ctr_argv_add(b, path);
    }
}

void ctr_link_command(ctr_strbuf *b, const ctr_plan_entry *e, size_t index, ctr_toolchain tc,
                      const ctr_link_ctx *c)
{
    add_driver(b, e, tc, c);
    add_symbol_files(b, e, index, tc, c);
    add_output_kind(b, e, c);
    add_libraries(b, e, c);
    if (c->o->bolt) /* BOLT moves code only where it knows the relocations */
        ctr_sb_add(b, " -Wl,--emit-relocs");
    if (tc == CTR_TOOLCHAIN_LLVM)
        ctr_sb_add(b, c->flags);
}

void ctr_partial_command(ctr_strbuf *b, const ctr_link_ctx *c)
{
    ctr_sb_addf(b, CTR_CLANG " -O%d -fuse-ld=lld -Wl,--no-dependent-libraries -nostdlib -r",
                c->rc->opt);
    ctr_sb_add(b, ctr_recipe_lto_flag(c->rc));
    add_option(b, "-march=", c->cpu);
}

void ctr_compile_command(ctr_strbuf *b, const irs_record *r, ctr_ir_kind kind,
                         const ctr_link_ctx *c)
{
    if (kind == CTR_IR_GCC_LTO) {
        ctr_sb_add(b, CTR_GCC);
        add_gcc_opt(b, c->rc);
        ctr_sb_add(b, " -flto -r -nostdlib -flinker-output=nolto-rel");
        add_option(b, "-mtune=", ctr_recipe_gcc_tune(c->rc, c->o));
        add_option(b, "-march=", c->o->march);
        if (c->o->fp_exact || c->rc->no_fp_contract)
            ctr_sb_add(b, " -ffp-contract=off");
        return;
    }
    /* the code model the TU was built for; with LTO the link decides again
     * for its output */
    ctr_sb_addf(b, CTR_CLANG " -c -O%d%s %s", c->rc->opt, ctr_recipe_lto_flag(c->rc),
                r->pie_level ? "-fPIE" : r->pic_level ? "-fPIC" : "-fno-pic");
    ctr_sb_add(b, c->flags);
    add_option(b, "-march=", c->cpu);
}
