/* One run of CMD in the timing root of ctr-relink --select (select.h),
 * and the state of a selection that its parts share: select.c makes the
 * plan and the decisions, select_trials.c runs the rounds of trials, each
 * run of them through this. */
#ifndef CTR_SELECT_RUN_H
#define CTR_SELECT_RUN_H

#include "sandbox.h"
#include "select_choice.h"
#include "select_stats.h"

#include <stdbool.h>
#include <stddef.h>

/* One timing setup: every binary as configured, but `bin` (-1: none) with
 * `choice` in its place; and its times, one per round that ran: of the
 * binary's own processes when it is a program and the command's processes
 * are traced, else of the whole command. */
struct select_trial {
    long bin;
    int choice;
    ctr_select_sample s;
};

/* One selection: the timing root and what is in it now, what the reference
 * run found, the log and the budget. */
struct select_ctx {
    const ctr_sandbox *sb;
    const char *troot, *cmd;
    ctr_select_binary *b;
    size_t n;
    int *now;        /* the choice of each binary now in troot */
    bool traced;     /* per-program times are known */
    bool *ran;       /* binary i is a program the command executes */
    unsigned *bad0;  /* its processes that failed (a signal, non-zero) with the originals */
    bool *broke;     /* in the last run, binary i is a program that failed more, or not
                      * at all where it ran with the originals */
    int logfd;       /* select.log: CMD's output, each run and each decision */
    int done, total; /* runs, for the progress line */
    bool tty;
    int ref_exit;    /* how CMD exits with the originals: what every setup must do */
    const char *const *choice; /* the choices' names */
    double deadline; /* --select-budget: no new round of trials after it (0: none) */
    bool *alone;     /* program i ran at no time when another relinked program did, in
                      * the reference run: its time is its own, so its choices may share
                      * runs with other programs' (select_layout.h) */
    const ctr_select_combiner *comb; /* the second stage's builds, or NULL: none */
    int only;        /* -1, or the one choice whose trials run (the second stage's) */
    bool unpacked;   /* a run with several programs' trials failed and did not say which:
                      * from the next round on, every trial runs alone */
};

/* The setups run() times and their storage: the trials (a choice of one
 * binary in place of its configured build); per binary, the configured
 * setup's runs as that binary measures them; the choices made and the
 * originals, duelling; the configured setup as the whole command. */
struct select_plan {
    size_t ntrials;
    struct select_trial *t; /* [ntrials] the trials, then the others below */
    struct select_trial *base_of, *tchosen, *torig, *tbase;
    double *times;   /* every sample's times, room for CTR_SELECT_MAX_RUNS each (a trial
                      * runs once a round; a configured build may run in every setup) */
    double *meas;    /* a run's measure of each binary */
    int *chosen, *orig;
    long *bin;       /* the layout of a round (select_layout.h), [ntrials] each: bin[j]
                      * is t[j].bin, in the layout's form */
    bool *live, *packable;
    size_t *order, *first;
};

/* Monotonic seconds. */
double ctr_select_now(void);

/* Put choice k of binary i into the timing root (a hard link to the file,
 * or a copy where it is on another file system). */
int ctr_select_put(struct select_ctx *c, size_t i, int k, ctr_error *err);

/* Every binary at choices[i] (NULL: all at `all`). */
int ctr_select_put_all(struct select_ctx *c, const int *choices, int all, ctr_error *err);

/* Run CMD once in the timing root as it is now (`setup` says what that is,
 * for the log).  True if it ran to an end and exited as it does with the
 * originals, with its time in *total and, when by_bin is not NULL, each
 * binary's measure (see struct select_trial) in by_bin[i] and whether it
 * broke in c->broke[i].  The `first` run (with the originals) sets
 * c->ref_exit, c->ran, c->bad0, c->traced and c->alone. */
bool ctr_select_time_once(struct select_ctx *c, double *total, double *by_bin, bool first,
                          const char *setup);

/* Binary bin's trials, from p->t[j] on (a binary's trials are together,
 * in the plan's order): trial[k] is choice k's sample (the others left
 * as they are).  Returns the index past them. */
size_t ctr_select_trials_of(struct select_plan *p, size_t j, long bin,
                            ctr_select_sample *trial[CTR_SELECT_MAX]);

/* Choice k's name for binary b. */
const char *ctr_select_choice_name(const struct select_ctx *c, const ctr_select_binary *b, int k);

#endif
