/* Choosing, per binary, the build that the user's own command runs fastest
 * with (ctr-relink --select CMD): no recipe wins everywhere (-march=native
 * tuning, LTO and PGO each help some programs and slow others), so the
 * choice is measured, never assumed, and never slower than the original. */
#ifndef CTR_SELECT_H
#define CTR_SELECT_H

#include <stddef.h>

#include "comtainer/irstore.h"
#include "sandbox.h"
#include "select_choice.h"

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
 * (ctr_select_decide; undecided choices get more rounds, up to three
 * times `rounds`).  With comb, a binary that two or more choices beat
 * clearly gets a second stage: comb builds their changes together, which
 * is timed as the others were (`rounds` rounds and more while undecided),
 * and the binary is decided again among all its choices.  Then time
 * the choices together against the originals, and keep the originals unless
 * the choices' median is below theirs.  work/select.log gets CMD's output,
 * every run (its setup, wall and CPU time, how it ended, each program's
 * time) and every decision with its medians.  Fills each binary's results
 * and rep.  Returns 0, or -1 when no choice could be made (rep->note says
 * why; every binary is then left at `base`). */
int ctr_select_run(const ctr_sandbox *sb, const char *root, const char *work, const char *cmd,
                   int rounds, unsigned budget, int base, const ctr_select_combiner *comb,
                   ctr_select_binary *b, size_t n, ctr_select_report *rep, ctr_error *err);

/* Before anything is built: CMD once inside a copy of root with the
 * originals (its output into work/select.log).  0 if it runs to an end
 * (any exit status: the reference); else -1 with why and the log's last
 * lines in err. */
int ctr_select_precheck(const ctr_sandbox *sb, const char *root, const char *work,
                        const char *cmd, ctr_error *err);

#endif
