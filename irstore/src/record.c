/* TU records in memory: allocation and field setters. */
#include "irstore_private.h"

#include <stdlib.h>
#include <string.h>

irs_record *irs_record_new(void)
{
    irs_record *rec = calloc(1, sizeof *rec);
    if (rec)
        rec->version = IRS_RECORD_SCHEMA_VERSION;
    return rec;
}

int irs_record_set(char **field, const char *value)
{
    char *copy = strdup(value ? value : "");
    if (!copy)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

int irs_strv_push(irs_strv *v, const char *s)
{
    char **nv = realloc(v->v, (v->n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    v->v = nv;
    if (!(nv[v->n] = strdup(s ? s : "")))
        return -1;
    v->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void irs_strv_sort_unique(irs_strv *v)
{
    if (!v->n) /* qsort(NULL, 0, ...) is undefined (found by fuzz_elf) */
        return;
    qsort(v->v, v->n, sizeof *v->v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (k && !strcmp(v->v[k - 1], v->v[i]))
            free(v->v[i]);
        else
            v->v[k++] = v->v[i];
    }
    v->n = k;
}

bool irs_strv_sorted_has(const irs_strv *v, const char *s)
{
    return v->n && bsearch(&s, v->v, v->n, sizeof *v->v, cmp_str) != NULL;
}

void irs_strv_clear(irs_strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = 0;
}

void irs_record_free(irs_record *rec)
{
    if (!rec)
        return;
    char **strings[] = {&rec->ir_kind, &rec->producer, &rec->compiler,
                        &rec->compiler_version, &rec->compiler_path, &rec->language,
                        &rec->source, &rec->cwd, &rec->output, &rec->triple,
                        &rec->target_cpu, &rec->tune_cpu};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(*strings[i]);
    irs_strv_clear(&rec->driver_args);
    irs_strv_clear(&rec->frontend_args);
    irs_strv_clear(&rec->target_features);
    irs_strv_clear(&rec->undef_target_macros);
    free(rec);
}
