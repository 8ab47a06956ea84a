/* What happened to each binary of a plan, and the files a relink replaced. */
#ifndef CTR_OUTCOME_H
#define CTR_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

#include "select_choice.h"
#include "toolchain.h"

typedef struct ctr_outcome {
    ctr_toolchain toolchain;
    bool relinked;
    ctr_error why;      /* when kept: the reason (why.code != CTR_OK) */
    bool rebuilt;       /* false: the previous run's output was still up to date */
    bool pgo;           /* linked with the training run's profile */
    bool bolt;          /* laid out again by BOLT (bin-bolt/) */
    ctr_error bolt_why; /* with --bolt, when not: why */
    double seconds;     /* link time from ninja's log when rebuilt */
    const char *recipe; /* when relinked: how ("thin LTO", "no LTO", ...) */
    const char *tag;    /* ... and where it was built (bin<tag>/) */
    /* with --select: the command's median seconds with each choice (named
     * choice[k]; [0] the original) in place of the configured build, 0 if
     * untimed, whether it failed, and the earlier choice whose bytes it has
     * (ctr_select_binary.same) */
    const char *choice[CTR_SELECT_MAX];
    double select_seconds[CTR_SELECT_MAX];
    bool select_failed[CTR_SELECT_MAX];
    int select_same[CTR_SELECT_MAX];
} ctr_outcome;

/* Keep the original of binary oc: the reason from err. */
void ctr_outcome_keep(ctr_outcome *oc, const ctr_error *err);

/* Files, as parallel arrays: paths inside the image and files on this
 * machine (a build in the work directory, or the file in an output tree). */
typedef struct ctr_file_list {
    size_t n;
    char **inner;
    char **host;
} ctr_file_list;

/* Append a pair (copied); -1 with CTR_E_NOMEM. */
int ctr_file_list_add(ctr_file_list *fl, const char *inner, const char *host, ctr_error *err);
void ctr_file_list_clear(ctr_file_list *fl);

/* A relink's results. */
typedef struct ctr_relink_result {
    ctr_outcome *oc;           /* one per plan entry */
    size_t n;
    ctr_select_report select;  /* with --select: what the timing found */
    ctr_file_list replaced;    /* the files of OUT that differ from the input's */
} ctr_relink_result;

void ctr_relink_result_clear(ctr_relink_result *r);

#endif
