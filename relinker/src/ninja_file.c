/* The Ninja file of a build pass (see ninja_file.h). */
#include "ninja_file.h"
#include "inputs.h"
#include "link_argv.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool ctr_pass_includes(const ctr_pass *ps, const ctr_outcome *oc)
{
    return oc->relinked && (!ps->llvm_only || oc->toolchain == CTR_TOOLCHAIN_LLVM);
}

/* The recipe without the profile is built only for the binaries that have
 * one: for the others it is the configured build again. */
static bool recipe_includes(const ctr_recipe *rc, const ctr_outcome *oc)
{
    return !rc->no_profile || oc->pgo;
}

/* How many recipes build each binary of pass ps, and the r-th of binary
 * i's (NULL: none). */
static size_t recipes_of(const ctr_pass *ps)
{
    return ps->per_binary ? 1 : ps->nrecipes;
}

static const ctr_recipe *recipe_of(const ctr_pass *ps, size_t i, size_t r)
{
    if (ps->per_binary)
        return ps->per_binary[i].tag ? &ps->per_binary[i] : NULL;
    return &ps->recipes[r];
}

/* The pass's options and inputs as recipe rc uses them. */
static ctr_link_ctx link_ctx(const ctr_options *o, const ctr_recipe *rc, const char *cpu,
                             const char *root, const ctr_pass *ps, const char **deps)
{
    *deps = rc->no_profile ? "" : ps->deps;
    return (ctr_link_ctx){o, rc, cpu, root, rc->no_profile ? "" : ps->flags};
}

/* A binary's or TU's name for progress lines, Ninja-escaped.  An image's
 * path: no control character reaches Ninja's file or the operator's
 * terminal ('?' in its place). */
static void add_name(ctr_strbuf *b, const char *s)
{
    ctr_sb_add(b, "\n  desc = ");
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            ctr_sb_add(b, "?");
        else if (*p == '$')
            ctr_sb_add(b, "$$");
        else
            ctr_sb_addn(b, p, 1);
    }
    ctr_sb_add(b, "\n");
}

/* The stored inputs of binary e for a recipe, as Ninja paths: with
 * `llvm_only`, its LLVM TUs; else every input that the final link reads
 * directly (all of them, or, when `mixed`, all but the LLVM TUs). */
static void add_inputs(ctr_strbuf *b, const ctr_plan_entry *e, bool llvm_only, bool mixed,
                       const ctr_recipe *rc)
{
    for (size_t t = 0; t < e->bin->link->ntu; t++) {
        ctr_ir_kind k = e->kinds[t];
        bool bc = k == CTR_IR_LLVM_BC;
        if (!ctr_input_dir(k) || (llvm_only && !bc) || (!llvm_only && mixed && bc))
            continue;
        /* LLVM TUs, and GIMPLE without LTO, go to links compiled (cc/, see
         * add_compiles); the rest as stored */
        bool compiled = bc || (rc->lto == CTR_LTO_NONE && k == CTR_IR_GCC_LTO);
        if (compiled)
            ctr_sb_addf(b, " cc%s/%s%s.o", rc->tag, e->bin->link->tu_ids[t], rc->unit);
        else
            ctr_sb_addf(b, " %s/%s.%s", ctr_input_dir(k), e->bin->link->tu_ids[t],
                        ctr_input_ext(k));
    }
}

/* The relink of binary i, for a pass and one of its recipes. */
static void add_link(ctr_strbuf *b, const ctr_plan_entry *e, size_t i, ctr_toolchain tc,
                     const ctr_link_ctx *c)
{
    bool mixed = tc == CTR_TOOLCHAIN_MIXED;
    const char *tag = c->rc->tag;
    if (mixed) {
        ctr_sb_addf(b, "build part%s/%zu.o: partial", tag, i);
        add_inputs(b, e, true, true, c->rc);
        ctr_sb_add(b, "\n  pre = ");
        ctr_partial_command(b, c);
        add_name(b, e->bin->inner);
    }
    ctr_sb_addf(b, "build bin%s/%zu: link rec/%zu.s", tag, i, i);
    add_inputs(b, e, false, mixed, c->rc);
    if (mixed)
        ctr_sb_addf(b, " part%s/%zu.o", tag, i);
    ctr_sb_addf(b, " | exp/%zu.list", i);
    if (e->bin->link->verdef.n)
        ctr_sb_addf(b, " exp/%zu.ver", i);
    ctr_sb_add(b, "\n  pre = ");
    ctr_link_command(b, e, i, tc, c);
    add_name(b, e->bin->inner);
}

struct tu_ref {
    const char *id;
    const irs_record *rec;
    ctr_ir_kind kind;
};

static int cmp_tu_ref(const void *a, const void *b)
{
    return strcmp(((const struct tu_ref *)a)->id, ((const struct tu_ref *)b)->id);
}

/* One compile per TU that a binary of the pass uses, per recipe.  LLVM TUs:
 * the -O3 pre-link optimization for the target, giving optimized bitcode
 * for the link's LTO, or without LTO a native object.  GIMPLE, only without
 * LTO: one TU's LTO link into a native relocatable object (it is stored as
 * slim LTO IR). */
static void add_compiles(ctr_strbuf *b, const ctr_plan *plan, const ctr_outcome *oc,
                         const ctr_pass *ps, const ctr_link_ctx *c, const char *deps)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < plan->n; i++)
        cap += plan->v[i].bin->link->ntu;
    struct tu_ref *tus = calloc(cap ? cap : 1, sizeof *tus);
    if (!tus) {
        b->failed = true;
        return;
    }
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        bool in = ctr_pass_includes(ps, &oc[i]) && recipe_includes(c->rc, &oc[i]) &&
                  (!ps->per_binary ||
                   (ps->per_binary[i].tag && !strcmp(ps->per_binary[i].unit, c->rc->unit)));
        for (size_t t = 0; in && t < e->bin->link->ntu; t++)
            if (e->kinds[t] == CTR_IR_LLVM_BC ||
                (c->rc->lto == CTR_LTO_NONE && e->kinds[t] == CTR_IR_GCC_LTO))
                tus[n++] = (struct tu_ref){e->bin->link->tu_ids[t], e->recs[t], e->kinds[t]};
    }
    qsort(tus, n, sizeof *tus, cmp_tu_ref);
    for (size_t k = 0; k < n; k++) {
        if (k && !strcmp(tus[k - 1].id, tus[k].id))
            continue;
        if (tus[k].kind == CTR_IR_GCC_LTO)
            ctr_sb_addf(b, "build cc%s/%s%s.o: compile tu/%s.o\n  pre = ", c->rc->tag,
                        tus[k].id, c->rc->unit, tus[k].id);
        else
            ctr_sb_addf(b, "build cc%s/%s%s.o: compile %s/%s.bc%s\n  pre = ", c->rc->tag,
                        tus[k].id, c->rc->unit, ctr_recipe_tu_dir(c->rc), tus[k].id, deps);
        ctr_compile_command(b, tus[k].rec, tus[k].kind, c);
        add_name(b, tus[k].rec->source);
    }
    free(tus);
}

void ctr_ninja_file(ctr_strbuf *b, const ctr_plan *plan, const ctr_outcome *oc,
                    const ctr_options *o, const char *cpu, const ctr_pass *ps, size_t *links)
{
    ctr_sb_add(b, "# generated by ctr-relink; rerun ctr-relink rather than editing\n"
                  "ninja_required_version = 1.10\n"
                  "builddir = state\n"
                  /* a link's messages go to its log, which the check after
                   * it sums up in one line (built_check.c); a failed link
                   * leaves no output, which ninja builds again next time */
                  "rule link\n  command = rm -f $out $out.log && $pre $in $post -o $out "
                  ">$out.log 2>&1 || rm -f $out\n"
                  "  description = LINK $desc\n"
                  "rule partial\n  command = rm -f $out && $pre $in -o $out\n"
                  "  description = LLVM $desc\n"
                  "rule compile\n  command = rm -f $out && $pre $in -o $out\n"
                  "  description = OPT $desc\n\n");
    *links = 0;
    const char *deps;
    for (size_t i = 0; i < plan->n; i++)
        for (size_t r = 0; ctr_pass_includes(ps, &oc[i]) && r < recipes_of(ps); r++) {
            const ctr_recipe *rc = recipe_of(ps, i, r);
            if (!rc || !recipe_includes(rc, &oc[i]))
                continue;
            ctr_link_ctx c = link_ctx(o, rc, cpu, plan->fs->root, ps, &deps);
            add_link(b, &plan->v[i], i, oc[i].toolchain, &c);
            ++*links;
        }
    /* the compiles of each recipe, once (of a combination: by the first
     * binary that has it) */
    for (size_t i = 0; i < (ps->per_binary ? plan->n : 1); i++)
        for (size_t r = 0; r < recipes_of(ps); r++) {
            const ctr_recipe *rc = recipe_of(ps, i, r);
            bool first = rc != NULL;
            for (size_t k = 0; first && ps->per_binary && k < i; k++)
                first = !ps->per_binary[k].tag || strcmp(ps->per_binary[k].unit, rc->unit);
            if (!first)
                continue;
            ctr_link_ctx c = link_ctx(o, rc, cpu, plan->fs->root, ps, &deps);
            add_compiles(b, plan, oc, ps, &c, deps);
        }
}
