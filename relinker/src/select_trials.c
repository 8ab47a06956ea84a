/* The rounds of trials of ctr-relink --select (see select_trials.h):
 * which setups a round runs (select_layout.h), each run's times kept in
 * the samples, a failed choice marked, more rounds for the undecided. */
#include "select_trials.h"
#include "select_layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most rounds of the trials: three times --select-rounds while some
 * choice is undecided (ctr_select_decide), within the test's bound. */
static int max_rounds(int rounds)
{
    return 3 * rounds < CTR_SELECT_MAX_RUNS ? 3 * rounds : CTR_SELECT_MAX_RUNS;
}

/* Setup tr[0..ntr) (none: the configured setup) for the log: "/a as X;
 * /b as Y". */
static void setup_name(const struct select_ctx *c, struct select_trial *const *tr, size_t ntr,
                       char *buf, size_t size)
{
    int len = snprintf(buf, size, "%s", ntr ? "" : "every binary as configured");
    for (size_t m = 0; m < ntr && len >= 0 && (size_t)len < size; m++)
        len += snprintf(buf + len, size - (size_t)len, "%s%s as %s", m ? "; " : "",
                        c->b[tr[m]->bin].inner,
                        ctr_select_choice_name(c, &c->b[tr[m]->bin], tr[m]->choice));
}

/* Keep the times of a run that passed with trials tr[0..ntr) in place: each
 * trial's binary's measure; where no library was swapped in, also every
 * other program's, as a run of its configured build (its time is its own);
 * for the configured setup, every binary's and the whole command's. */
static void keep_times(struct select_ctx *c, struct select_plan *p,
                       struct select_trial *const *tr, size_t ntr, double total)
{
    bool programs_only = c->traced;
    for (size_t m = 0; m < ntr; m++) {
        tr[m]->s.times[tr[m]->s.n++] = p->meas[tr[m]->bin];
        programs_only &= c->b[tr[m]->bin].program;
    }
    if (!ntr && p->tbase->s.n < CTR_SELECT_MAX_RUNS)
        p->tbase->s.times[p->tbase->s.n++] = total;
    for (size_t i = 0; i < c->n; i++) {
        bool swapped = false;
        for (size_t m = 0; m < ntr; m++)
            swapped |= (size_t)tr[m]->bin == i;
        if (!swapped && (!ntr || (programs_only && c->alone[i])) &&
            p->base_of[i].s.n < CTR_SELECT_MAX_RUNS)
            p->base_of[i].s.times[p->base_of[i].s.n++] = p->meas[i];
    }
}

/* Run the setup of trials tr[0..ntr) (of different binaries; none: the
 * configured setup) once and keep its times.  A trial whose program broke
 * failed, and so does a trial alone when the command does not exit as with
 * the originals; where several trials shared the run and none of their
 * programs broke, the run cannot say which failed, so it is not counted and
 * every trial runs alone from the next round.  1 when the configured setup
 * fails (rep says so: every original kept), else 0; -1: an error. */
static int run_setup(struct select_ctx *c, struct select_plan *p, struct select_trial *const *tr,
                     size_t ntr, int base, ctr_select_report *rep, ctr_error *err)
{
    ctr_select_binary *b = c->b;
    if (ctr_select_put_all(c, NULL, base, err) < 0)
        return -1;
    for (size_t m = 0; m < ntr; m++)
        if (ctr_select_put(c, (size_t)tr[m]->bin, tr[m]->choice, err) < 0)
            return -1;
    double total;
    char setup[2048];
    setup_name(c, tr, ntr, setup, sizeof setup);
    bool passed = ctr_select_time_once(c, &total, p->meas, false, setup);
    /* a program that crashed or stopped running, where the command goes on
     * anyway, failed too (in a trial: the one swapped in) */
    bool broke = false;
    for (size_t m = 0; m < ntr; m++)
        if (c->broke[tr[m]->bin]) {
            b[tr[m]->bin].failed[tr[m]->choice] = true;
            broke = true;
        }
    for (size_t i = 0; !ntr && i < c->n; i++)
        broke |= c->broke[i];
    if (passed && !broke) {
        keep_times(c, p, tr, ntr, total);
        return 0;
    }
    if (ntr == 1 && !broke)
        b[tr[0]->bin].failed[tr[0]->choice] = true;
    if (ntr > 1 && !broke && !c->unpacked) {
        dprintf(c->logfd, "== run %d: not counted, and from the next round each choice runs "
                          "alone: the command failed with several choices in place\n", c->done);
        c->unpacked = true;
    }
    if (ntr)
        return 0;
    /* the relinked binaries break the command: keep the originals */
    rep->note = strdup("the command fails with the relinked binaries (see "
                       "select.log in the work directory)");
    rep->reverted = rep->done = true;
    for (size_t i = 0; i < c->n; i++)
        b[i].chosen = 0;
    return 1;
}

/* The undecided choices (bits) of the binary whose trials start at p->t[j]
 * (a binary's trials are together, in plan_make's order), decided as one
 * family against its configured build. */
static unsigned undecided(const struct select_ctx *c, struct select_plan *p, size_t j)
{
    long bin = p->t[j].bin;
    ctr_select_sample *trial[CTR_SELECT_MAX] = {0};
    ctr_select_trials_of(p, j, bin, trial);
    return ctr_select_decide(p->base_of[bin].choice, &p->base_of[bin].s, trial,
                             c->b[bin].failed).undecided;
}

/* The setups of round r into p->order and p->first (select_layout.h): every
 * trial that has not failed, after `rounds` rounds only the undecided ones;
 * the programs' trials packed where each program's time is its own. */
static size_t lay_out_round(struct select_ctx *c, struct select_plan *p, int r, int rounds)
{
    unsigned open = 0;
    for (size_t j = 0; j < p->ntrials; j++) {
        struct select_trial *tr = &p->t[j];
        if (r >= rounds && (j == 0 || p->t[j - 1].bin != tr->bin))
            open = undecided(c, p, j);
        p->live[j] = c->b[tr->bin].file[tr->choice] && !c->b[tr->bin].failed[tr->choice] &&
                     (c->only < 0 || tr->choice == c->only) &&
                     (r < rounds || (open & (1u << tr->choice)));
        p->packable[j] = c->alone[tr->bin] && !c->unpacked;
    }
    ctr_select_trials t = {p->bin, p->live, p->packable, p->ntrials};
    return ctr_select_layout(&t, p->order, p->first);
}

int ctr_select_run_trials(struct select_ctx *c, struct select_plan *p, int rounds, int base,
                          ctr_select_report *rep, ctr_error *err)
{
    struct select_trial **tr = calloc(p->ntrials + 1, sizeof *tr);
    if (!tr)
        return ctr_error_set(err, ENOMEM, "--select");
    int rc = 0;
    for (int r = 0; rc == 0 && r < max_rounds(rounds); r++) {
        if (r > 0 && c->deadline > 0 && ctr_select_now() > c->deadline) {
            dprintf(c->logfd, "== --select-budget spent after %d round%s of the trials\n", r,
                    r == 1 ? "" : "s");
            rep->budget_spent = true;
            break;
        }
        size_t ns = lay_out_round(c, p, r, rounds), open = p->first[ns];
        if (r >= rounds && !open)
            break;
        if (r >= rounds)
            dprintf(c->logfd, "== round %d: %zu choice%s not told from the configured build "
                              "yet\n", r + 1, open, open == 1 ? "" : "s");
        dprintf(c->logfd, "== round %d: %zu run%s for %zu choice%s\n", r + 1, ns,
                ns == 1 ? "" : "s", open, open == 1 ? "" : "s");
        c->total = c->done + (int)ns * (r < rounds ? rounds - r : 1) + 2 * rounds;
        rep->rounds = r + 1;
        for (size_t s = 0; rc == 0 && s < ns; s++) {
            size_t k = (s + (size_t)r) % ns, ntr = p->first[k + 1] - p->first[k];
            for (size_t m = 0; m < ntr; m++)
                tr[m] = &p->t[p->order[p->first[k] + m]];
            rc = run_setup(c, p, tr, ntr, base, rep, err);
        }
    }
    free(tr);
    return rc;
}

