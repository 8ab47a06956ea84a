/* The symbols of stored inputs, read once and confined (see tu_symbols.h). */
#include "tu_symbols.h"
#include "confined.h"
#include "ir_symbols.h"
#include "object_policy.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctr_symbol_cache {
    struct hsearch_data table;
    ctr_tu_symbols *sets; /* owned, one per key */
    char **keys;
    size_t n, cap;
    ctr_runtime_symbols runtime;
    const ctr_sandbox *sb;
};

/* Reading an input's symbols, confined (confined.h): the names come back
 * NUL-separated, the defined ones, an empty string, the referenced ones
 * (no name is empty: ir_symbols.c drops those). */
struct symbols_job {
    ctr_ir_kind kind;
    const void *data;
    size_t len;
    const char *what;
};

static char *put_names(char *p, const irs_strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        p = stpcpy(p, v->v[i]) + 1;
    return p;
}

static int symbols_confined(void *ctx, void **out, size_t *len, ctr_error *err)
{
    const struct symbols_job *j = ctx;
    irs_strv def = {0}, ref = {0};
    ctr_ir_symbols into = {&def, &ref};
    if (ctr_ir_symbols_read(j->kind, j->data, j->len, j->what, &into, err) < 0) {
        irs_strv_clear(&def);
        irs_strv_clear(&ref);
        return -1;
    }
    size_t n = 1;
    for (size_t i = 0; i < def.n + ref.n; i++)
        n += strlen(i < def.n ? def.v[i] : ref.v[i - def.n]) + 1;
    char *p = malloc(n);
    if (p) {
        *out = p;
        *len = n;
        p = put_names(p, &def);
        *p++ = '\0';
        put_names(p, &ref);
    }
    irs_strv_clear(&def);
    irs_strv_clear(&ref);
    return p ? 0 : ctr_error_set(err, ENOMEM, "%s", j->what);
}

static int read_symbols(const ctr_sandbox *sb, ctr_ir_kind kind, const void *data, size_t len,
                        const char *what, ctr_tu_symbols *set, ctr_error *err)
{
    struct symbols_job job = {kind, data, len, what};
    void *names = NULL;
    size_t n;
    /* names come from the input's own bytes: no more than a few times as many */
    if (ctr_confined_run(sb, what, symbols_confined, &job, len * 4 + 4096, &names, &n, err) < 0)
        return -1;
    int rc = 0;
    irs_strv *into = &set->defined;
    for (const char *p = names, *end = p + n; rc == 0 && p < end; p += strlen(p) + 1) {
        if (!memchr(p, '\0', (size_t)(end - p)))
            rc = ctr_error_set(err, 0, "%s: the confined parse's answer is cut short", what);
        else if (!*p)
            into = &set->referenced;
        else if (irs_strv_push(into, p) < 0)
            rc = ctr_error_set(err, ENOMEM, "%s", what);
    }
    free(names);
    irs_strv_sort_unique(&set->defined);
    irs_strv_sort_unique(&set->referenced);
    return rc;
}

static void tu_symbols_clear(ctr_tu_symbols *s)
{
    irs_strv_clear(&s->defined);
    irs_strv_clear(&s->referenced);
}

const ctr_tu_symbols *ctr_tu_symbols_get(ctr_symbol_cache *c, irs_store *store, const char *id,
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
    ctr_tu_symbols *set = &c->sets[c->n];
    if (irs_blob_get(store, r->ir, &data, &len, err) < 0 ||
        ctr_object_policy_check(kind, data, len, what, err) < 0 ||
        read_symbols(c->sb, kind, data, len, what, set, err) < 0) {
        free(data);
        tu_symbols_clear(set);
        return NULL;
    }
    free(data);
    if (!(c->keys[c->n] = strdup(id))) {
        tu_symbols_clear(set);
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

const ctr_tu_symbols **ctr_tu_symbols_of(ctr_symbol_cache *c, irs_store *store,
                                         const ctr_plan_entry *e, ctr_error *err)
{
    const ctr_elf_link *l = e->bin->link;
    const ctr_tu_symbols **sets = calloc(l->ntu ? l->ntu : 1, sizeof *sets);
    if (!sets) {
        ctr_error_set(err, ENOMEM, "planning");
        return NULL;
    }
    for (size_t t = 0; t < l->ntu; t++)
        if (e->kinds[t] != CTR_IR_LINK &&
            !(sets[t] = ctr_tu_symbols_get(c, store, l->tu_ids[t], e->recs[t], e->kinds[t],
                                           err))) {
            free(sets);
            return NULL;
        }
    return sets;
}

bool ctr_tu_symbols_define(const ctr_tu_symbols *const *sets, size_t n, const char *sym)
{
    for (size_t t = 0; t < n; t++)
        if (sets[t] && irs_strv_sorted_has(&sets[t]->defined, sym))
            return true;
    return false;
}

int ctr_tu_references(ctr_plan_entry *e, const ctr_tu_symbols *const *sets, ctr_error *err)
{
    size_t n = e->bin->link->ntu;
    int rc = 0;
    for (size_t t = 0; t < n && rc == 0; t++)
        for (size_t i = 0; sets[t] && i < sets[t]->referenced.n && rc == 0; i++) {
            const char *sym = sets[t]->referenced.v[i];
            if (!ctr_tu_symbols_define(sets, n, sym) && irs_strv_push(&e->ir_refs, sym) < 0)
                rc = ctr_error_set(err, ENOMEM, "planning");
        }
    irs_strv_sort_unique(&e->ir_refs);
    return rc;
}

const ctr_runtime_symbols *ctr_symbol_cache_runtime(const ctr_symbol_cache *c)
{
    return &c->runtime;
}

void ctr_symbol_cache_free(ctr_symbol_cache *c)
{
    if (!c)
        return;
    hdestroy_r(&c->table);
    for (size_t i = 0; i < c->n; i++) {
        tu_symbols_clear(&c->sets[i]);
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
