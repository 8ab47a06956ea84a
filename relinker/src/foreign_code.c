/* Code without IR (see foreign_code.h). */
#include "foreign_code.h"
#include "confined.h"
#include "ir_symbols.h"
#include "object_policy.h"
#include "runtime_symbols.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctr_symbol_cache {
    struct hsearch_data table;
    irs_strv *sets; /* owned sets, one per key */
    char **keys;
    size_t n, cap;
    ctr_runtime_symbols runtime;
    const ctr_sandbox *sb;
};

/* Reading an input's symbols, confined (confined.h): the names come back
 * NUL-separated. */
struct symbols_job {
    ctr_ir_kind kind;
    const void *data;
    size_t len;
    const char *what;
};

static int symbols_confined(void *ctx, void **out, size_t *len, ctr_error *err)
{
    const struct symbols_job *j = ctx;
    irs_strv set = {0};
    if (ctr_ir_defined_symbols(j->kind, j->data, j->len, j->what, &set, err) < 0)
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

static int defined_symbols(const ctr_sandbox *sb, ctr_ir_kind kind, const void *data,
                           size_t len, const char *what, irs_strv *set, ctr_error *err)
{
    struct symbols_job job = {kind, data, len, what};
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

static const irs_strv *input_symbols(ctr_symbol_cache *c, irs_store *store, const char *id,
                                     const irs_record *r, ctr_ir_kind kind, ctr_error *err)
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
        ctr_object_policy_check(kind, data, len, what, err) < 0 ||
        defined_symbols(c->sb, kind, data, len, what, set, err) < 0) {
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
int ctr_foreign_code(ctr_plan_entry *e, irs_store *store, ctr_symbol_cache *c, ctr_error *err)
{
    const ctr_elf_link *l = e->bin->link;
    const irs_strv **sets = calloc(l->ntu ? l->ntu : 1, sizeof *sets);
    if (!sets)
        return ctr_error_set(err, ENOMEM, "planning");
    int rc = 0;
    for (size_t t = 0; t < l->ntu && rc == 0; t++)
        if (e->kinds[t] != CTR_IR_LINK &&
            !(sets[t] = input_symbols(c, store, l->tu_ids[t], e->recs[t], e->kinds[t], err)))
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

void ctr_symbol_cache_free(ctr_symbol_cache *c)
{
    if (!c)
        return;
    hdestroy_r(&c->table);
    for (size_t i = 0; i < c->n; i++) {
        irs_strv_clear(&c->sets[i]);
        free(c->keys[i]);
    }
    free(c->sets);
    free(c->keys);
    ctr_runtime_symbols_clear(&c->runtime);
    free(c);
}

int ctr_symbol_cache_new(const ctr_rootfs *fs, const ctr_sandbox *sb, ctr_symbol_cache **out,
                         ctr_error *err)
{
    ctr_symbol_cache *c = calloc(1, sizeof *c);
    if (!c)
        return ctr_error_set(err, ENOMEM, "planning");
    c->sb = sb;
    for (size_t i = 0; i < fs->n; i++)
        c->cap += fs->v[i].link->ntu;
    c->sets = calloc(c->cap + 1, sizeof *c->sets);
    c->keys = calloc(c->cap + 1, sizeof *c->keys);
    if (!c->sets || !c->keys || !hcreate_r(c->cap * 2 + 16, &c->table)) {
        free(c->sets);
        free(c->keys);
        free(c);
        return ctr_error_set(err, ENOMEM, "planning");
    }
    if (ctr_runtime_symbols_load(&c->runtime, err) < 0) {
        ctr_symbol_cache_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

