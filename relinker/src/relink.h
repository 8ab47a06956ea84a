/* Relinking the binaries of a plan: TU inputs, a Ninja build file, the run,
 * and the new root filesystem. */
#ifndef CTR_RELINK_H
#define CTR_RELINK_H

#include "plan.h"
#include "retarget.h"
#include "sandbox.h"
#include "select.h"
#include "toolchain.h"

enum ctr_lto { CTR_LTO_FULL, CTR_LTO_THIN, CTR_LTO_NONE };

typedef struct ctr_relink_opts {
    const char *out;     /* new root filesystem */
    const char *work;    /* persistent work directory (incremental builds) */
    const char *march;   /* "native" or a CPU name */
    enum ctr_lto lto;
    enum ctr_toolchain_choice toolchain;
    int jobs;            /* 0 = ninja's default */
    const char *check;   /* command run inside the new root; failure discards the relinks */
    const char *pgo;     /* training command for profile-guided optimization, or NULL */
    const char *select;  /* command whose time chooses each binary's build, or NULL */
    int select_rounds;   /* its timed rounds (0: 3) */
    ctr_select_report *select_report; /* out, with select: what the timing found */
    bool verbose;
    ctr_sandbox sandbox; /* where toolchains and commands run */
} ctr_relink_opts;

/* What happened to one binary. */
typedef struct ctr_outcome {
    const char *toolchain; /* "llvm", "gcc", "mixed" or "-" */
    bool relinked;
    char *why;             /* when kept: the reason */
    bool rebuilt;          /* false: the previous run's output was still up to date */
    bool pgo;              /* linked with the training run's profile */
    double seconds;        /* link time from ninja's log when rebuilt */
    const char *recipe;    /* when relinked: how ("thin LTO", "no LTO", ...) */
    const char *tag;       /* ... and where it was built (bin<tag>/) */
    /* with --select: the command's median seconds with each choice
     * (select_report->choice[k]) in place of the configured build, 0 if
     * untimed, and whether it failed */
    double select_seconds[CTR_SELECT_MAX];
    bool select_failed[CTR_SELECT_MAX];
} ctr_outcome;

/* Relink every binary of the plan that can be relinked, then write opts->out
 * (atomically: a temp tree renamed into place).  outcomes has plan->n slots.
 * Returns 0 when OUT was written (even if some binaries were kept), -1 on an
 * error that prevented writing OUT. */
int ctr_relink_run(const ctr_plan *plan, irs_store *store, const ctr_relink_opts *opts,
                   ctr_outcome *outcomes, ctr_error *err);

#endif
