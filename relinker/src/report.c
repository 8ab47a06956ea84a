/* What ctr-relink prints (see report.h). */
#include "report.h"
#include "comtainer/strbuf.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

void ctr_report_warning(const char *msg)
{
    char safe[2048];
    fprintf(stderr, "ctr-relink: warning: %s\n", ctr_shown(msg, 0, safe, sizeof safe));
}

void ctr_report_error(const char *msg)
{
    char safe[2048];
    fprintf(stderr, "ctr-relink: %s\n", ctr_shown(msg, 0, safe, sizeof safe));
}

void ctr_report_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(j);
}

/* "  simd.c tests __AVX2__ at compile time: ..." for each TU of e whose
 * preprocessor chose a path by a CPU feature the compile did not have: no
 * relink reaches the other path.  Image text, escaped; at most 8 names. */
static void print_cpu_paths(const ctr_plan_entry *e, const char *prefix)
{
    for (size_t t = 0; t < e->bin->link->ntu; t++) {
        const irs_record *r = e->recs[t];
        if (!r || !r->undef_target_macros.n)
            continue;
        char src[PATH_MAX], names[1024] = "", one[256];
        for (size_t k = 0; k < r->undef_target_macros.n && k < 8; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     k ? ", " : "", ctr_shown(r->undef_target_macros.v[k], 0, one, sizeof one));
        printf("%s%s tests %s%s at compile time: its code for %s needs a rebuild from source\n",
               prefix, ctr_shown(r->source, 0, src, sizeof src), names,
               r->undef_target_macros.n > 8 ? ", ..." : "",
               r->undef_target_macros.n == 1 ? "it" : "them");
    }
}

void ctr_report_plan(const ctr_plan *plan, bool json)
{
    if (json) {
        ctr_report_json(ctr_plan_json(plan));
        return;
    }
    printf("%-40s %-15s %4s %-8s %s\n", "BINARY", "KIND", "TUS", "IR", "STATUS");
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        char path[PATH_MAX], problem[2048];
        printf("%-40s %-15s %4zu %-8s %s\n", ctr_shown(e->bin->inner, 0, path, sizeof path),
               ctr_elf_kind_name(e->bin->link->kind), e->bin->link->ntu,
               ctr_toolchain_ir_name(e->ir),
               e->problem.code ? ctr_shown(e->problem.msg, 0, problem, sizeof problem) : "ok");
        for (size_t k = 0; e->site && k < e->bin->link->needed.n; k++)
            if (e->site[k])
                printf("  site library: %s for the image's %s\n", e->site[k],
                       ctr_shown(e->bin->link->needed.v[k], 0, problem, sizeof problem));
        if (e->site_refused.code)
            printf("  site library refused: %s\n",
                   ctr_shown(e->site_refused.msg, 0, problem, sizeof problem));
        print_cpu_paths(e, "  ");
    }
    printf("%zu ELF files, %zu of them name TUs\n", plan->fs->elf_files, plan->n);
    printf("stores:");
    for (size_t i = 0; i < plan->stores.n; i++) {
        char name[PATH_MAX];
        printf("%s %s", i ? "," : "", ctr_shown(plan->stores.v[i], 0, name, sizeof name));
    }
    printf("%s\n", plan->stores.n ? "" : " none");
}

static const char *action(const ctr_outcome *o)
{
    return !o->relinked ? "kept" : o->rebuilt ? "relinked" : "up to date";
}

void ctr_report_summary(const ctr_plan *plan, const ctr_relink_result *res)
{
    const ctr_select_report *r = &res->select;
    printf("%-40s %4s %-5s %-10s %8s  %s\n", "BINARY", "TUS", "TOOL", "ACTION", "TIME", "NOTE");
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_outcome *oc = &res->oc[i];
        char note[256] = "", path[PATH_MAX], why[2048];
        const ctr_plan_entry *e = &plan->v[i];
        if (oc->relinked && r->done)
            snprintf(note, sizeof note, "%s%s", oc->recipe, oc->pgo ? ", with PGO" : "");
        else if (oc->relinked && oc->pgo)
            snprintf(note, sizeof note, "with PGO");
        if (oc->relinked && (oc->bolt || oc->bolt_why.code))
            snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s%s", *note ? ", " : "",
                     oc->bolt ? "with BOLT" : "no BOLT: ",
                     oc->bolt ? "" : ctr_shown(oc->bolt_why.msg, 0, why, sizeof why));
        if (oc->relinked && (e->site_swaps || e->site_refused.code))
            snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s", *note ? ", " : "",
                     e->site_refused.code ? "site library refused (see --plan)"
                                          : "with site libraries");
        printf("%-40s %4zu %-5s %-10s %7.2fs  %s\n",
               ctr_shown(plan->v[i].bin->inner, 0, path, sizeof path),
               plan->v[i].bin->link->ntu, ctr_toolchain_name(oc->toolchain), action(oc),
               oc->seconds, oc->why.code ? ctr_shown(oc->why.msg, 0, why, sizeof why) : note);
    }
    for (size_t i = 0; i < plan->n; i++) {
        char path[PATH_MAX], prefix[PATH_MAX + 4];
        if (!res->oc[i].relinked)
            continue;
        snprintf(prefix, sizeof prefix, "%s: ",
                 ctr_shown(plan->v[i].bin->inner, 0, path, sizeof path));
        print_cpu_paths(&plan->v[i], prefix);
    }
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
        if (oc->choice[k] && (oc->select_seconds[k] > 0 || oc->select_failed[k]))
            json_object_set_new(o, oc->choice[k],
                                oc->select_failed[k] ? json_string("failed")
                                                     : json_real(oc->select_seconds[k]));
    return o;
}

/* The builds not timed apart: {"thin LTO, -O2": "thin LTO", ...}, or NULL. */
static json_t *select_same_json(const ctr_outcome *oc)
{
    json_t *o = NULL;
    for (int k = 1; k < CTR_SELECT_MAX; k++) {
        int j = oc->select_same[k];
        if (j <= 0 || j >= k || !oc->choice[k] || !oc->choice[j])
            continue;
        if (!o && !(o = json_object()))
            return NULL;
        json_object_set_new(o, oc->choice[k], json_string(oc->choice[j]));
    }
    return o;
}

static json_t *binary_json(const ctr_plan_entry *e, const ctr_outcome *oc, bool selected)
{
    json_t *b = json_pack("{s:s,s:I,s:s,s:s,s:f,s:b,s:s?,s:s?}", "path", e->bin->inner, "tus",
                          (json_int_t)e->bin->link->ntu, "toolchain",
                          ctr_toolchain_name(oc->toolchain), "action", action(oc), "seconds",
                          oc->seconds, "pgo", oc->pgo, "reason",
                          oc->why.code ? oc->why.msg : NULL, "recipe",
                          oc->relinked ? oc->recipe : NULL);
    if (b && oc->why.code)
        json_object_set_new(b, "reason_code", json_string(ctr_errc_name(oc->why.code)));
    if (b && oc->relinked && (oc->bolt || oc->bolt_why.code))
        json_object_set_new(b, "bolt", oc->bolt ? json_true() : json_string(oc->bolt_why.msg));
    if (b && e->site)
        json_object_set_new(b, "site", ctr_plan_site_json(e));
    if (b && selected && oc->select_seconds[0] > 0)
        json_object_set_new(b, "select_seconds", select_json(oc));
    json_t *same = b && selected ? select_same_json(oc) : NULL;
    if (same)
        json_object_set_new(b, "select_same", same);
    return b;
}

json_t *ctr_report_summary_json(const ctr_plan *plan, const ctr_relink_result *res,
                                const char *out)
{
    const ctr_select_report *r = &res->select;
    json_t *a = json_array();
    for (size_t i = 0; i < plan->n; i++)
        json_array_append_new(a, binary_json(&plan->v[i], &res->oc[i], r->done));
    json_t *j = json_pack("{s:s,s:o}", "output", out, "binaries", a);
    if (r->done || r->note)
        json_object_set_new(j, "select",
                            json_pack("{s:b,s:i,s:f,s:f,s:f,s:b,s:b,s:b,s:s?}", "done", r->done,
                                      "rounds", r->rounds, "original_seconds", r->original,
                                      "configured_seconds", r->base, "chosen_seconds",
                                      r->chosen, "reverted", r->reverted, "per_program",
                                      r->per_program, "budget_spent", r->budget_spent,
                                      "note", r->note));
    return j;
}

int ctr_report_status(const ctr_plan *plan, const ctr_relink_result *res)
{
    int status = 0;
    for (size_t i = 0; i < plan->n; i++)
        status |= res ? !res->oc[i].relinked : plan->v[i].problem.code != CTR_OK;
    return status;
}
