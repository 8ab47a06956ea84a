/* Which setups one round of ctr-relink --select times (select.h), on the
 * trials alone: no file, no process.  A trial is one binary's choice in
 * place of its configured build.  A program timed by its own processes is
 * measured apart from the other programs of the same run, so the trials of
 * different programs can share a run ("packed"): a round then takes as many
 * runs as the program with the most choices has choices, not one run per
 * choice of every program.  A library is timed by the whole command, which
 * every binary in the run changes, so each of its trials runs alone. */
#ifndef CTR_SELECT_LAYOUT_H
#define CTR_SELECT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* The trials, [n] each: trial j is of binary bin[j] (a binary's trials are
 * next to each other); it is timed this round if live[j]; it may share a
 * run with other programs' trials if packable[j]. */
typedef struct ctr_select_trials {
    const long *bin;
    const bool *live;
    const bool *packable;
    size_t n;
} ctr_select_trials;

/* The round's setups: setup s swaps in the trials order[first[s]] up to
 * order[first[s + 1]] (of different binaries), every other binary as
 * configured.  Setup 0 is the configured setup (no trial); then the packed
 * setups (the first live packable trial of each binary, the second, ...);
 * then each other live trial alone.  order has room for n, first for
 * n + 2.  Returns the number of setups (1: no trial is live). */
size_t ctr_select_layout(const ctr_select_trials *t, size_t *order, size_t *first);

#endif
