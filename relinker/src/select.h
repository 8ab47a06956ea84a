/* Choosing, per binary, the build that the user's own command runs fastest
 * with (ctr-relink --select CMD): no recipe wins everywhere (-march=native
 * tuning, LTO and PGO each help some programs and slow others), so the
 * choice is measured, never assumed, and never slower than the original. */
#ifndef CTR_SELECT_H
#define CTR_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "comtainer/irstore.h"
#include "sandbox.h"

/* The choices for one binary: the original (0), up to six recipes' builds
 * (recipe.h), and with --bolt the configured build without BOLT. */
#define CTR_SELECT_MAX 8

typedef struct ctr_select_binary {
    const char *inner;                /* its path in the root */
    bool program;                     /* an executable: timed by its own processes */
    const char *file[CTR_SELECT_MAX]; /* choice k's file; [0] the original; NULL: no such build */
    const char *name[CTR_SELECT_MAX]; /* choice k's name for this binary's toolchain (static
                                       * strings); NULL: the report's */
    /* results */
    int chosen;                       /* the choice to ship */
    double median[CTR_SELECT_MAX];    /* median seconds with choice k in place of the
                                       * configured build (the others as configured): of the
                                       * program's own processes (see per_program), else of
                                       * CMD; 0: not timed (a program CMD does not run) */
    bool failed[CTR_SELECT_MAX];      /* CMD failed with choice k */
} ctr_select_binary;

typedef struct ctr_select_report {
    const char *choice[CTR_SELECT_MAX]; /* the choices' names (set by the caller) */
    bool done;       /* the choices below were measured */
    int rounds;
    double original; /* CMD's median seconds with every original */
    double base;     /* ... with every binary built as configured */
    double chosen;   /* ... with the choices made */
    bool reverted;   /* the choices were not faster than the originals: every original kept */
    bool per_program; /* programs were timed by their own processes (ptrace allowed) */
    int ref_exit;    /* CMD's exit status with the originals, which every build must give */
    int budget_rounds; /* rounds of trials run when --select-budget stopped them, else 0 */
    char *note;      /* why no choice was made, or NULL (malloc'ed) */
} ctr_select_report;

/* The choices differ by this share of CMD's median time before one is
 * preferred to another: closer than that is noise on a shared machine. */
#define CTR_SELECT_MARGIN 0.01

/* Time CMD (in a hard-linked copy of root under work, as --check runs a
 * command) `rounds` times with each choice of each binary swapped in, the
 * others built as choice `base`, interleaved (where programs are timed by
 * their own processes, one run holds a choice of each program:
 * select_layout.h); with a budget (seconds, 0:
 * none), no new round starts once it is spent (one round always runs).  The
 * first run, with the originals, is the reference: how CMD exits then (any
 * status) is how it must exit with every build, else that build failed.  A
 * program is measured by the time of its own processes (exec_trace.h), a
 * library by CMD's; programs CMD does not execute are left at `base`.
 * Choose per binary the fastest choice that clearly beats `base`
 * (ctr_select_clearly_faster; undecided choices get more rounds, up to three
 * times `rounds`); then time
 * the choices together against the originals, and keep the originals unless
 * the choices' median is below theirs.  work/select.log gets CMD's output,
 * every run (its setup, wall and CPU time, how it ended, each program's
 * time) and every decision with its medians.  Fills each binary's results
 * and rep.  Returns 0, or -1 when no choice could be made (rep->note says
 * why; every binary is then left at `base`). */
int ctr_select_run(const ctr_sandbox *sb, const char *root, const char *work, const char *cmd,
                   int rounds, unsigned budget, int base, ctr_select_binary *b, size_t n,
                   ctr_select_report *rep, ctr_error *err);

/* Before anything is built: CMD once inside a copy of root with the
 * originals (its output into work/select.log).  0 if it runs to an end
 * (any exit status: the reference); else -1 with why and the log's last
 * lines in err. */
int ctr_select_precheck(const ctr_sandbox *sb, const char *root, const char *work,
                        const char *cmd, ctr_error *err);

#endif
