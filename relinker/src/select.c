/* ctr-relink --select CMD: measured choices (see select.h): the timing
 * root, the reference run, the plan of trials, each binary's decision and
 * the choices together against the originals. */
#include "select.h"
#include "select_trials.h"
#include "run_cmd.h"
#include "comtainer/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Time setups a and b against each other, interleaved (a b b a a b ...),
 * with every binary at the choices given, into ta and tb (the whole
 * command's times; the log calls a "the choices together", b "the original
 * binaries").  When the command fails in one, *failed_a or *failed_b is set
 * and the duel ends. */
static int duel(struct select_ctx *c, const int *a, const int *b, int rounds,
                struct select_trial *ta, struct select_trial *tb, bool *failed_a, bool *failed_b,
                ctr_error *err)
{
    *failed_a = *failed_b = false;
    ta->s.n = tb->s.n = 0;
    for (int r = 0; r < rounds; r++) {
        for (int side = 0; side < 2; side++) {
            /* alternate which goes first, against drift */
            bool is_a = (side == 0) == (r % 2 == 0);
            struct select_trial *t = is_a ? ta : tb;
            if (ctr_select_put_all(c, is_a ? a : b, 0, err) < 0)
                return -1;
            if (!ctr_select_time_once(c, &t->s.times[t->s.n], NULL, false,
                           is_a ? "the choices together" : "the original binaries")) {
                *(is_a ? failed_a : failed_b) = true;
                return 0;
            }
            t->s.n++;
        }
    }
    return 0;
}

static void plan_free(struct select_plan *p)
{
    free(p->t);
    free(p->times);
    free(p->meas);
    free(p->chosen);
    free(p->orig);
    free(p->bin);
    free(p->live);
    free(p->packable);
    free(p->order);
    free(p->first);
}

/* A first run with the originals: the command works at all (else nothing
 * can be chosen), the files it reads are in the cache, and the programs it
 * does not execute need no trials.  1: go on; 0: stop (rep->note says
 * why); -1: an error. */
static int warm_up(struct select_ctx *c, ctr_select_report *rep, ctr_error *err)
{
    double warm, *by_bin = calloc(c->n, sizeof *by_bin);
    if (!by_bin)
        return ctr_error_set(err, ENOMEM, "--select");
    c->total = 1;
    bool ok = ctr_select_time_once(c, &warm, by_bin, true, "the original binaries (the reference)");
    free(by_bin);
    rep->per_program = c->traced;
    rep->ref_exit = c->ref_exit;
    if (ok)
        return 1;
    rep->note = strdup("the command does not run to an end with the original binaries (see "
                       "select.log in the work directory)");
    return 0;
}

/* "== /opt/app/x: thin LTO, -O2 is the same file as thin LTO: timed as it"
 * for each of b's choices below `below` that were dropped as the same
 * bytes as another (ctr_select_binary.same). */
static void log_same(const struct select_ctx *c, const ctr_select_binary *b, int from, int below)
{
    for (int k = from; k < below; k++)
        if (b->same[k] > 0)
            dprintf(c->logfd, "== %s: %s is the same file as %s: timed as it\n", b->inner,
                    ctr_select_choice_name(c, b, k), ctr_select_choice_name(c, b, b->same[k]));
}

/* Choice k of binary b gets a trial: it was built, or it is the second
 * stage's, which may be. */
static bool has_trial(const struct select_ctx *c, const ctr_select_binary *b, int k)
{
    return b->file[k] || (k == CTR_SELECT_COMBINED && c->comb);
}

/* Lay out the trials of every other choice of each binary the command ran,
 * binary by binary, in the order of the choices. */
static int plan_make(struct select_ctx *c, int base, struct select_plan *p, ctr_error *err)
{
    ctr_select_binary *b = c->b;
    size_t n = c->n;
    *p = (struct select_plan){0};
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < CTR_SELECT_MAX; k++)
            p->ntrials += c->ran[i] && k != base && has_trial(c, &b[i], k);
    size_t nslots = p->ntrials + n + 3;
    p->t = calloc(nslots, sizeof *p->t);
    p->times = calloc(nslots * CTR_SELECT_MAX_RUNS, sizeof *p->times);
    p->meas = calloc(n, sizeof *p->meas);
    p->chosen = calloc(n, sizeof *p->chosen);
    p->orig = calloc(n, sizeof *p->orig);
    p->bin = calloc(p->ntrials + 1, sizeof *p->bin);
    p->live = calloc(p->ntrials + 1, sizeof *p->live);
    p->packable = calloc(p->ntrials + 1, sizeof *p->packable);
    p->order = calloc(p->ntrials + 1, sizeof *p->order);
    p->first = calloc(p->ntrials + 2, sizeof *p->first);
    if (!p->t || !p->times || !p->meas || !p->chosen || !p->orig || !p->bin || !p->live ||
        !p->packable || !p->order || !p->first)
        return ctr_error_set(err, ENOMEM, "--select");
    for (size_t j = 0; j < nslots; j++)
        p->t[j].s.times = p->times + j * CTR_SELECT_MAX_RUNS;
    p->base_of = &p->t[p->ntrials];
    p->tchosen = &p->t[p->ntrials + n];
    p->torig = p->tchosen + 1;
    p->tbase = p->torig + 1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        p->base_of[i].bin = (long)i;
        p->base_of[i].choice = base;
        for (int k = 0; k < CTR_SELECT_MAX; k++)
            if (c->ran[i] && k != base && has_trial(c, &b[i], k)) {
                p->t[m].bin = p->bin[m] = (long)i;
                p->t[m++].choice = k;
            }
    }
    return 0;
}

/* "== decision for /opt/app/x (medians): original 1.204 s p=0.95; thin LTO
 * 1.100 s (as configured); no LTO failed; ... chosen: thin LTO (...)": p is
 * the test's p-value that the choice is faster than the configured build,
 * which Holm's step-down over the binary's timed choices tests (v). */
static void log_decision(const struct select_ctx *c, const ctr_select_binary *b, int base,
                         const ctr_select_verdict *v)
{
    char line[1024];
    int len = snprintf(line, sizeof line, "== decision for %s (medians):", b->inner);
    for (int k = 0; k < CTR_SELECT_MAX && len < (int)sizeof line; k++) {
        if (!b->file[k] || (b->median[k] <= 0 && !b->failed[k]))
            continue;
        const char *name = ctr_select_choice_name(c, b, k);
        if (b->failed[k])
            len += snprintf(line + len, sizeof line - (size_t)len, " %s failed;", name);
        else if (k == base)
            len += snprintf(line + len, sizeof line - (size_t)len, " %s %.3f s (as configured);",
                            name, b->median[k]);
        else
            len += snprintf(line + len, sizeof line - (size_t)len, " %s %.3f s p=%.3f;", name,
                            b->median[k], v->p[k]);
    }
    dprintf(c->logfd, "%s chosen: %s (%s by 1 %% or more in the median with p <= 0.05 in "
                      "Holm's test over %d choice%s)\n", line,
            ctr_select_choice_name(c, b, b->chosen),
            b->chosen == base ? "no other build was faster"
                              : "the fastest of those faster than the configured build",
            v->family, v->family == 1 ? "" : "s");
}

/* Per binary (with `combined`, only those with a second stage's build):
 * the fastest choice, if it clearly beats the configured build (the trials
 * of a binary are together, in plan_make's order). */
static void choose_all(struct select_ctx *c, struct select_plan *p, int base, bool combined)
{
    size_t j = 0;
    for (size_t i = 0; i < c->n; i++) {
        ctr_select_binary *bi = &c->b[i];
        ctr_select_sample *trial[CTR_SELECT_MAX] = {0};
        j = ctr_select_trials_of(p, j, (long)i, trial);
        if (combined && !bi->file[CTR_SELECT_COMBINED])
            continue;
        bi->chosen = base;
        if (!c->ran[i])
            continue;
        ctr_select_verdict v;
        bi->chosen = ctr_select_choose(base, &p->base_of[i].s, trial, bi->failed, bi->median, &v);
        bi->faster = v.faster;
        log_decision(c, bi, base, &v);
    }
}

/* The choices together, against the originals (unless every binary the
 * command uses is at its original anyway): the final choice, in rep and
 * each binary's `chosen`. */
static int confirm(struct select_ctx *c, struct select_plan *p, int rounds, int base,
                   ctr_select_report *rep, ctr_error *err)
{
    ctr_select_binary *b = c->b;
    size_t n = c->n;
    bool differ = false;
    for (size_t i = 0; i < n; i++) {
        p->chosen[i] = b[i].chosen;
        differ |= c->ran[i] && p->chosen[i] != 0;
    }
    if (!differ) {
        rep->done = true;
        return 0;
    }
    bool failed_chosen, failed_orig;
    if (duel(c, p->chosen, p->orig, rounds, p->tchosen, p->torig, &failed_chosen, &failed_orig,
             err) < 0)
        return -1;
    if (failed_chosen && !failed_orig) {
        /* each choice passed alone, not together: keep the configured */
        for (size_t i = 0; i < n; i++)
            p->chosen[i] = b[i].chosen = base;
        if (duel(c, p->chosen, p->orig, rounds, p->tchosen, p->torig, &failed_chosen, &failed_orig,
                 err) < 0)
            return -1;
        if (failed_chosen && !failed_orig) {
            rep->note = strdup("the command fails with the relinked binaries together");
            rep->reverted = true;
        }
    }
    if (failed_orig) {
        rep->note = strdup("the command failed once with the original binaries");
        return 0;
    }
    rep->chosen = ctr_select_median(&p->tchosen->s);
    rep->original = ctr_select_median(&p->torig->s);
    rep->base = ctr_select_median(&p->tbase->s);
    if (!rep->reverted && ctr_select_keep_originals(&p->tchosen->s, &p->torig->s))
        rep->reverted = true; /* not faster than the originals: ship nothing */
    dprintf(c->logfd, "== decision: the choices together %.3f s, the originals %.3f s "
                      "(medians of %d interleaved runs each): %s\n",
            rep->chosen, rep->original, p->tchosen->s.n,
            rep->reverted ? "the originals are kept" : "the choices are written");
    if (rep->reverted)
        for (size_t i = 0; i < n; i++)
            b[i].chosen = 0;
    rep->done = true;
    return 0;
}

/* The second stage: where two or more changes each made a binary clearly
 * faster, their combination is built (c->comb) and timed against the
 * configured build as the other choices were, with more rounds of its own;
 * then those binaries are decided again among all their choices.  As
 * ctr_select_run_trials. */
static int combine(struct select_ctx *c, struct select_plan *p, int rounds, int base,
                   ctr_select_report *rep, ctr_error *err)
{
    size_t built = 0, many = 0;
    for (size_t i = 0; i < c->n; i++) /* two or more bits */
        many += (c->b[i].faster & (c->b[i].faster - 1)) != 0;
    if (many && c->deadline > 0 && ctr_select_now() > c->deadline) {
        dprintf(c->logfd, "== --select-budget spent: no second stage\n");
        rep->budget_spent = true;
    } else if (many) {
        /* the build's sandbox removes every hard-linked file from the
         * directories it writes: the timing root links none of them now */
        if (ctr_select_put_all(c, NULL, 0, err) < 0)
            return -1;
        c->comb->build(c->comb->arg, c->b, c->n);
        for (size_t i = 0; i < c->n; i++)
            log_same(c, &c->b[i], CTR_SELECT_COMBINED, CTR_SELECT_MAX);
        for (size_t i = 0; i < c->n; i++)
            if (c->b[i].file[CTR_SELECT_COMBINED]) {
                dprintf(c->logfd, "== second stage: %s as %s, the changes that were each "
                                  "faster, together\n", c->b[i].inner,
                        ctr_select_choice_name(c, &c->b[i], CTR_SELECT_COMBINED));
                built++;
            }
    }
    if (!built)
        return 0;
    int first_rounds = rep->rounds;
    c->only = CTR_SELECT_COMBINED;
    int rc = ctr_select_run_trials(c, p, rounds, base, rep, err);
    c->only = -1;
    rep->rounds += first_rounds;
    if (rc == 0)
        choose_all(c, p, base, true);
    return rc;
}

static int run(struct select_ctx *c, int rounds, int base, ctr_select_report *rep, ctr_error *err)
{
    int rc = warm_up(c, rep, err);
    if (rc <= 0)
        return rc;
    struct select_plan p;
    rc = plan_make(c, base, &p, err);
    if (rc == 0)
        rc = ctr_select_run_trials(c, &p, rounds, base, rep, err);
    if (rc == 0) {
        choose_all(c, &p, base, false);
        if (c->comb)
            rc = combine(c, &p, rounds, base, rep, err);
    }
    if (rc == 0)
        rc = confirm(c, &p, rounds, base, rep, err);
    plan_free(&p);
    return rc < 0 ? -1 : 0;
}

int ctr_select_run(const ctr_sandbox *sb, const char *root, const char *work, const char *cmd,
                   int rounds, unsigned budget, int base, const ctr_select_combiner *comb,
                   ctr_select_binary *b, size_t n, ctr_select_report *rep, ctr_error *err)
{
    char troot[PATH_MAX * 2], log[PATH_MAX * 2];
    ctr_select_report fresh = {.rounds = rounds};
    memcpy(fresh.choice, rep->choice, sizeof fresh.choice); /* the caller's names */
    *rep = fresh;
    for (size_t i = 0; i < n; i++) {
        b[i].chosen = base;
        memset(b[i].median, 0, sizeof b[i].median);
        memset(b[i].failed, 0, sizeof b[i].failed);
        b[i].faster = 0;
    }
    if (!n) {
        rep->note = strdup("no relinked binary to choose for");
        return -1;
    }
    snprintf(troot, sizeof troot, "%s/select-root", work);
    snprintf(log, sizeof log, "%s/select.log", work);
    struct select_ctx c = {.sb = sb, .troot = troot, .cmd = cmd, .b = b, .n = n, .logfd = -1,
                           .tty = isatty(2), .choice = rep->choice,
                           .deadline = budget ? ctr_select_now() + budget : 0, .comb = comb,
                           .only = -1};
    c.now = calloc(n, sizeof *c.now); /* 0: the original */
    c.ran = calloc(n, sizeof *c.ran);
    c.bad0 = calloc(n, sizeof *c.bad0);
    c.broke = calloc(n, sizeof *c.broke);
    c.alone = calloc(n, sizeof *c.alone);
    /* after ctr_select_precheck's lines */
    c.logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int rc = -1;
    if (!c.now || !c.ran || !c.bad0 || !c.broke || !c.alone || c.logfd < 0) {
        ctr_error_set(err, c.logfd < 0 ? errno : ENOMEM, "'%s'", log);
        goto out;
    }
    /* the root as the input has it: every binary at its original */
    if (ctr_cmd_root(root, troot, NULL, NULL, 0, err) < 0)
        goto out;
    fprintf(stderr, "ctr-relink: choosing builds by timing, %d rounds: %s\n", rounds, cmd);
    for (size_t i = 0; i < n; i++)
        log_same(&c, &b[i], 1, CTR_SELECT_COMBINED);
    rc = run(&c, rounds, base, rep, err);
    if (c.tty)
        fputc('\n', stderr);
    if (rc == 0 && !rep->done && !rep->note)
        rep->note = strdup("no choice was made");
out:
    if (rc < 0 && !rep->note)
        rep->note = strdup(err->msg);
    if (c.logfd >= 0)
        close(c.logfd);
    ctr_tree_remove(troot);
    free(c.now);
    free(c.ran);
    free(c.bad0);
    free(c.broke);
    free(c.alone);
    return rep->done ? 0 : -1;
}
