/* Outcomes and file lists (see outcome.h). */
#include "outcome.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ctr_outcome_keep(ctr_outcome *oc, const ctr_error *err)
{
    oc->relinked = false;
    ctr_error_copy(&oc->why, err);
}

int ctr_file_list_add(ctr_file_list *fl, const char *inner, const char *host, ctr_error *err)
{
    char **in = realloc(fl->inner, (fl->n + 1) * sizeof *in);
    if (in)
        fl->inner = in;
    char **ho = in ? realloc(fl->host, (fl->n + 1) * sizeof *ho) : NULL;
    if (ho)
        fl->host = ho;
    char *a = ho ? strdup(inner) : NULL, *b = a ? strdup(host) : NULL;
    if (!b) {
        free(a);
        return ctr_error_set(err, ENOMEM, "listing '%s'", inner);
    }
    fl->inner[fl->n] = a;
    fl->host[fl->n++] = b;
    return 0;
}

void ctr_file_list_clear(ctr_file_list *fl)
{
    for (size_t i = 0; i < fl->n; i++) {
        free(fl->inner[i]);
        free(fl->host[i]);
    }
    free(fl->inner);
    free(fl->host);
    *fl = (ctr_file_list){0};
}

void ctr_relink_result_clear(ctr_relink_result *r)
{
    free(r->oc);
    free(r->select.note);
    ctr_file_list_clear(&r->replaced);
    *r = (ctr_relink_result){0};
}
