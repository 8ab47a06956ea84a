/* What ctr-relink --select chooses among and what it found (select.h):
 * each binary's choices, their times and the choice made, and the report
 * of one selection.  Plain data, for the selection's parts and for the
 * outcomes that carry its results. */
#ifndef CTR_SELECT_CHOICE_H
#define CTR_SELECT_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

/* The choices for one binary: the original (0), up to six recipes' builds
 * (recipe.h), with --bolt the configured build without BOLT, and the
 * second stage's combination (CTR_SELECT_COMBINED). */
#define CTR_SELECT_MAX 9

/* The slot of the second stage's build: the changes (recipes) that each
 * made the binary clearly faster than its configured build, together. */
#define CTR_SELECT_COMBINED (CTR_SELECT_MAX - 1)

typedef struct ctr_select_binary {
    const char *inner;                /* its path in the root */
    bool program;                     /* an executable: timed by its own processes */
    const char *file[CTR_SELECT_MAX]; /* choice k's file; [0] the original; NULL: no such build */
    const char *name[CTR_SELECT_MAX]; /* choice k's name for this binary's toolchain (static
                                       * strings); NULL: the report's */
    int same[CTR_SELECT_MAX];         /* k > 1: the earlier choice whose build has the same
                                       * bytes as k's (then file[k] is NULL: k is not timed
                                       * apart from it); 0: none */
    /* results */
    int chosen;                       /* the choice to ship */
    double median[CTR_SELECT_MAX];    /* median seconds with choice k in place of the
                                       * configured build (the others as configured): of the
                                       * program's own processes (see per_program), else of
                                       * CMD; 0: not timed (a program CMD does not run) */
    bool failed[CTR_SELECT_MAX];      /* CMD failed with choice k */
    unsigned faster;                  /* bit k: choice k was clearly faster than the
                                       * configured build (ctr_select_decide) */
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
    bool budget_spent; /* --select-budget stopped the trials or the second stage */
    char *note;      /* why no choice was made, or NULL (malloc'ed) */
} ctr_select_report;

/* The second stage's builds: given each binary's `faster` choices, build
 * what combines them where that is a new build, and set its
 * b[i].file[CTR_SELECT_COMBINED] (malloc'ed) and .name[...] (static). */
typedef struct ctr_select_combiner {
    void (*build)(void *arg, ctr_select_binary *b, size_t n);
    void *arg;
} ctr_select_combiner;

/* The choices differ by this share of CMD's median time before one is
 * preferred to another: closer than that is noise on a shared machine. */
#define CTR_SELECT_MARGIN 0.01

#endif
