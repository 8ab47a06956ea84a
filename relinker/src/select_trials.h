/* The rounds of trials of ctr-relink --select (select.h): each binary's
 * choices timed against its configured build. */
#ifndef CTR_SELECT_TRIALS_H
#define CTR_SELECT_TRIALS_H

#include "select_run.h"

/* The rounds of trials: each runs the configured setup and every live
 * trial once (packed, select_layout.h), starting one setup further each
 * round; after `rounds` rounds, more (up to three times as many) of the
 * configured setup and the undecided trials only, while there are any; no
 * round starts after the budget's deadline.  1 when the configured setup
 * fails (rep says so: every original kept), else 0; -1: an error. */
int ctr_select_run_trials(struct select_ctx *c, struct select_plan *p, int rounds, int base,
                          ctr_select_report *rep, ctr_error *err);

#endif
