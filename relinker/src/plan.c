/* Building the relink plan from discovery results and the store. */
#include "plan.h"
#include "confined.h"
#include "ir_symbols.h"
#include "link_policy.h"
#include "object_policy.h"
#include "record_policy.h"
#include "runtime_symbols.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctr_plan_free(ctr_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n; i++) {
        ctr_plan_entry *e = &plan->v[i];
        for (size_t t = 0; e->recs && t < e->bin->link->ntu; t++)
            irs_record_free(e->recs[t]);
        free(e->recs);
        free(e->ir_kind);
        irs_strv_clear(&e->foreign);
        free(e->problem);
    }
    free(plan->v);
    ctr_rootfs_free(plan->fs);
    free(plan);
}

/* The symbols each stored input defines, read once per TU id: inputs such
 * as static library members are shared by many binaries. */
typedef struct symbol_cache {
    struct hsearch_data table;
    irs_strv *sets; /* owned sets, one per key */
    char **keys;
    size_t n, cap;
    ctr_runtime_symbols runtime;
    const ctr_sandbox *sb;
} symbol_cache;

/* Reading an input's symbols, confined (confined.h): the names come back
 * NUL-separated. */
struct symbols_job {
    const char *ir_kind;
    const void *data;
    size_t len;
    const char *what;
};

static int symbols_confined(void *ctx, void **out, size_t *len, ctr_error *err)
{
    const struct symbols_job *j = ctx;
    irs_strv set = {0};
    if (ctr_ir_defined_symbols(j->ir_kind, j->data, j->len, j->what, &set, err) < 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < set.n; i++)
        n += strlen(set.v[i]) + 1;
    char *p = malloc(n ? n : 1);
    if (!p) {
        irs_strv_clear(&set);
        return ctr_error_set(err, ENOMEM, "%s", j->what);
    }
    *out = p;
    *len = n;
    for (size_t i = 0; i < set.n; i++)
        p = stpcpy(p, set.v[i]) + 1;
    irs_strv_clear(&set);
    return 0;
}

static int defined_symbols(const ctr_sandbox *sb, const char *ir_kind, const void *data,
                           size_t len, const char *what, irs_strv *set, ctr_error *err)
{
    struct symbols_job job = {ir_kind, data, len, what};
    void *names = NULL;
    size_t n;
    /* names come from the input's own bytes: no more than a few times as many */
    if (ctr_confined_run(sb, what, symbols_confined, &job, len * 4 + 4096, &names, &n, err) < 0)
        return -1;
    int rc = 0;
    for (const char *p = names, *end = p + n; rc == 0 && p < end; p += strlen(p) + 1)
        if (!memchr(p, '\0', (size_t)(end - p)) || irs_strv_push(set, p) < 0)
            rc = ctr_error_set(err, ENOMEM, "%s", what);
    free(names);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const irs_strv *input_symbols(symbol_cache *c, irs_store *store, const char *id,
                                     const irs_record *r, ctr_error *err)
{
    ENTRY key = {.key = (char *)id}, *found;
    if (hsearch_r(key, FIND, &found, &c->table))
        return found->data;
    if (c->n == c->cap) {
        ctr_error_set(err, 0, "symbol cache full");
        return NULL;
    }
    void *data = NULL;
    size_t len;
    char what[128];
    snprintf(what, sizeof what, "TU %.16s (%s)", id, r->source);
    irs_strv *set = &c->sets[c->n];
    if (irs_blob_get(store, r->ir, &data, &len, err) < 0 ||
        ctr_object_policy_check(r->ir_kind, data, len, what, err) < 0 ||
        defined_symbols(c->sb, r->ir_kind, data, len, what, set, err) < 0) {
        free(data);
        irs_strv_clear(set);
        return NULL;
    }
    free(data);
    qsort(set->v, set->n, sizeof *set->v, cmp_str);
    if (!(c->keys[c->n] = strdup(id))) {
        irs_strv_clear(set);
        ctr_error_set(err, ENOMEM, "symbol cache");
        return NULL;
    }
    key = (ENTRY){.key = c->keys[c->n], .data = set};
    c->n++;
    if (!hsearch_r(key, ENTER, &found, &c->table)) {
        ctr_error_set(err, ENOMEM, "symbol cache");
        return NULL;
    }
    return set;
}

static bool in_set(const irs_strv *set, const char *name)
{
    return set->n && bsearch(&name, set->v, set->n, sizeof *set->v, cmp_str) != NULL;
}

/* Code without IR: global symbols the binary defines that none of its
 * stored inputs (IR TUs and objects recorded at link time) defines and the
 * toolchain's start files and runtime libraries do not provide either. */
static int find_foreign(ctr_plan_entry *e, irs_store *store, symbol_cache *c, ctr_error *err)
{
    const ctr_elf_link *l = e->bin->link;
    const irs_strv **sets = calloc(l->ntu ? l->ntu : 1, sizeof *sets);
    if (!sets)
        return ctr_error_set(err, ENOMEM, "planning");
    int rc = 0;
    for (size_t t = 0; t < l->ntu && rc == 0; t++)
        if (strcmp(e->recs[t]->ir_kind, "link") &&
            !(sets[t] = input_symbols(c, store, l->tu_ids[t], e->recs[t], err)))
            rc = -1;
    for (size_t i = 0; i < l->defined.n && rc == 0; i++) {
        const char *sym = l->defined.v[i];
        bool known = ctr_runtime_symbols_has(&c->runtime, sym);
        for (size_t t = 0; t < l->ntu && !known; t++)
            known = sets[t] && in_set(sets[t], sym);
        if (!known && irs_strv_push(&e->foreign, sym) < 0)
            rc = ctr_error_set(err, ENOMEM, "planning");
    }
    free(sets);
    return rc;
}

static void plan_entry(ctr_plan_entry *e, irs_store *store, symbol_cache *cache)
{
    const ctr_elf_link *l = e->bin->link;
    char first_err[sizeof ((ctr_error *)0)->msg] = "";
    for (size_t t = 0; t < l->ntu; t++) {
        ctr_error err;
        if (irs_record_get(store, l->tu_ids[t], &e->recs[t], &err) < 0 ||
            ctr_record_check(e->recs[t], l->tu_ids[t], &err) < 0) {
            irs_record_free(e->recs[t]);
            e->recs[t] = NULL;
            if (!e->missing_tus++)
                snprintf(first_err, sizeof first_err, "%s", err.msg);
            continue;
        }
        const char *kind = e->recs[t]->ir_kind;
        if (!strcmp(kind, "elf-object")) {
            e->objects++;
            continue;
        }
        if (!strcmp(kind, "link")) {
            e->link_recorded = true;
            continue;
        }
        if (!e->ir_kind)
            e->ir_kind = strdup(kind);
        else if (strcmp(e->ir_kind, kind) && strcmp(e->ir_kind, "mixed")) {
            free(e->ir_kind);
            e->ir_kind = strdup("mixed");
        }
    }
    if (!e->ir_kind)
        e->ir_kind = strdup("none");
    size_t unresolved = 0;
    for (size_t i = 0; i < l->needed.n; i++)
        unresolved += !e->bin->needed[i].found;
    ctr_error err;
    if (ctr_link_strings_check(e->bin, &err) < 0)
        e->problem = strdup(err.msg);
    else if (e->missing_tus)
        asprintf(&e->problem, "%zu of %zu TUs unusable (first: %s)", e->missing_tus, l->ntu,
                 first_err);
    else if (unresolved)
        asprintf(&e->problem, "%zu needed libraries not found in the image", unresolved);
    else if (!strcmp(e->ir_kind, "none"))
        e->problem = strdup("no TU with IR: nothing to relink");
    else if (find_foreign(e, store, cache, &err) < 0)
        e->problem = strdup(err.msg);
    else if (e->foreign.n)
        asprintf(&e->problem,
                 "code without IR: %zu symbol%s defined by no stored input (%s%s); record "
                 "the link with the comtainer-ld plugin to relink it",
                 e->foreign.n, e->foreign.n == 1 ? "" : "s", e->foreign.v[0],
                 e->foreign.n > 1 ? ", ..." : "");
}

static void cache_free(symbol_cache *c)
{
    hdestroy_r(&c->table);
    for (size_t i = 0; i < c->n; i++) {
        irs_strv_clear(&c->sets[i]);
        free(c->keys[i]);
    }
    free(c->sets);
    free(c->keys);
    ctr_runtime_symbols_clear(&c->runtime);
}

static int cache_init(symbol_cache *c, const ctr_rootfs *fs, ctr_error *err)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < fs->n; i++)
        c->cap += fs->v[i].link->ntu;
    c->sets = calloc(c->cap + 1, sizeof *c->sets);
    c->keys = calloc(c->cap + 1, sizeof *c->keys);
    if (!c->sets || !c->keys || !hcreate_r(c->cap * 2 + 16, &c->table)) {
        free(c->sets);
        free(c->keys);
        return ctr_error_set(err, ENOMEM, "planning");
    }
    if (ctr_runtime_symbols_load(&c->runtime, err) < 0) {
        cache_free(c);
        return -1;
    }
    return 0;
}

int ctr_plan_build(ctr_rootfs *fs, irs_store *store, const ctr_sandbox *sb, ctr_plan **out,
                   ctr_error *err)
{
    ctr_plan *plan = calloc(1, sizeof *plan);
    if (!plan || !(plan->v = calloc(fs->n ? fs->n : 1, sizeof *plan->v))) {
        free(plan);
        ctr_rootfs_free(fs);
        return ctr_error_set(err, ENOMEM, "planning");
    }
    plan->fs = fs;
    plan->n = fs->n;
    symbol_cache cache;
    if (cache_init(&cache, fs, err) < 0) {
        ctr_plan_free(plan);
        return -1;
    }
    cache.sb = sb;
    for (size_t i = 0; i < fs->n; i++) {
        ctr_plan_entry *e = &plan->v[i];
        e->bin = &fs->v[i];
        e->recs = calloc(e->bin->link->ntu, sizeof *e->recs);
        if (!e->recs) {
            cache_free(&cache);
            ctr_plan_free(plan);
            return ctr_error_set(err, ENOMEM, "planning");
        }
        plan_entry(e, store, &cache);
    }
    cache_free(&cache);
    *out = plan;
    return 0;
}

static json_t *strv_json(const irs_strv *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}

json_t *ctr_plan_json(const ctr_plan *plan)
{
    json_t *bins = json_array();
    for (size_t i = 0; i < plan->n; i++) {
        const ctr_plan_entry *e = &plan->v[i];
        const ctr_elf_link *l = e->bin->link;
        json_t *tus = json_array(), *needed = json_array();
        for (size_t t = 0; t < l->ntu; t++) {
            json_t *tu = json_pack("{s:s,s:b}", "id", l->tu_ids[t], "present", e->recs[t] != NULL);
            if (e->recs[t]) {
                json_object_set_new(tu, "source", json_string(e->recs[t]->source));
                json_object_set_new(tu, "language", json_string(e->recs[t]->language));
                json_object_set_new(tu, "ir_kind", json_string(e->recs[t]->ir_kind));
            }
            json_array_append_new(tus, tu);
        }
        for (size_t n = 0; n < l->needed.n; n++)
            json_array_append_new(needed, json_pack("{s:s,s:s?}", "name", e->bin->needed[n].name,
                                                    "found", e->bin->needed[n].found));
        json_array_append_new(
            bins, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:I,s:o,s:s?}", "path",
                            e->bin->inner, "kind", ctr_elf_kind_name(l->kind), "interp",
                            l->interp, "soname", l->soname, "needed", needed, "runpath",
                            strv_json(&l->runpath), "rpath", l->rpath, "tus", tus, "exports",
                            (json_int_t)l->exports.n, "ir_kind", json_string(e->ir_kind),
                            "problem", e->problem));
        json_t *b = json_array_get(bins, json_array_size(bins) - 1);
        json_object_set_new(b, "objects", json_integer((json_int_t)e->objects));
        json_object_set_new(b, "link_recorded", json_boolean(e->link_recorded));
        json_object_set_new(b, "symbols_checked", json_string(l->stripped ? "dynsym" : "symtab"));
        json_object_set_new(b, "code_without_ir", strv_json(&e->foreign));
    }
    return json_pack("{s:s,s:I,s:o}", "root", plan->fs->root, "elf_files",
                     (json_int_t)plan->fs->elf_files, "binaries", bins);
}
