/* ctr-relink --select CMD: measured choices (see select.h). */
#include "select.h"
#include "run_cmd.h"
#include "select_layout.h"
#include "select_stats.h"
#include "comtainer/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One timing setup: every binary as configured, but `bin` (-1: none) with
 * `choice` in its place; and its times, one per round that ran: of the
 * binary's own processes when it is a program and the command's processes
 * are traced, else of the whole command. */
struct trial {
    long bin;
    int choice;
    ctr_select_sample s;
};

struct ctx {
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
    bool unpacked;   /* a run with several programs' trials failed and did not say which:
                      * from the next round on, every trial runs alone */
};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Put choice k of binary i into the timing root (a hard link to the file,
 * or a copy where it is on another file system). */
static int put(struct ctx *c, size_t i, int k, ctr_error *err)
{
    char path[PATH_MAX * 2];
    if (c->now[i] == k)
        return 0;
    snprintf(path, sizeof path, "%s%s", c->troot, c->b[i].inner);
    struct stat st;
    if (lstat(path, &st) < 0 || unlink(path) < 0)
        return ctr_error_set(err, errno, "'%s'", path);
    if (link(c->b[i].file[k], path) < 0 &&
        (errno != EXDEV || ctr_file_copy(c->b[i].file[k], path, st.st_mode, err) < 0))
        return ctr_error_set(err, errno, "'%s'", path);
    c->now[i] = k;
    return 0;
}

/* Every binary at choices[i] (NULL: all at `all`). */
static int put_all(struct ctx *c, const int *choices, int all, ctr_error *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (put(c, i, choices ? choices[i] : all, err) < 0)
            return -1;
    return 0;
}

/* Which programs ran alone in the reference run (c->alone): a program
 * that waits for another, or runs beside it, has a time that the other's
 * build changes. */
static void find_alone(struct ctx *c, const ctr_exec_times *progs)
{
    char a[PATH_MAX * 2], b[PATH_MAX * 2];
    for (size_t i = 0; i < c->n; i++)
        c->alone[i] = c->traced && c->b[i].program && c->ran[i];
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = i + 1; c->alone[i] && j < c->n; j++) {
            if (!c->b[j].program || !c->ran[j])
                continue;
            snprintf(a, sizeof a, "%s%s", c->troot, c->b[i].inner);
            snprintf(b, sizeof b, "%s%s", c->troot, c->b[j].inner);
            if (!ctr_exec_times_overlap(progs, a, b))
                continue;
            c->alone[i] = c->alone[j] = false;
            dprintf(c->logfd, "== %s and %s ran at the same time: their choices are timed "
                              "in runs of their own\n", c->b[i].inner, c->b[j].inner);
        }
}

/* Run CMD once in the timing root as it is now (`setup` says what that is,
 * for the log).  True if it ran to an end and exited as it does with the
 * originals, with its time in *total and, when by_bin is not NULL, each
 * binary's measure (see struct trial) in by_bin[i] and whether it broke in
 * c->broke[i].  The `first` run (with the originals) sets c->ref_exit,
 * c->ran, c->bad0 and c->traced. */
static bool time_once(struct ctx *c, double *total, double *by_bin, bool first,
                      const char *setup)
{
    c->done++;
    if (c->tty)
        fprintf(stderr, "\rctr-relink: --select: run %d/%d ", c->done, c->total);
    ctr_exec_times progs;
    ctr_cmd_run run;
    char why[192];
    dprintf(c->logfd, "== run %d, %s\n", c->done, setup);
    bool ran = ctr_time_in_root(c->sb, c->troot, c->cmd, c->logfd, &run, by_bin ? &progs : NULL,
                                why, sizeof why);
    if (first && ran)
        c->ref_exit = run.exit_code;
    bool ok = ran && run.exit_code == c->ref_exit;
    *total = run.seconds;
    dprintf(c->logfd, "== run %d: %.3f s, %s%s\n", c->done, run.seconds, why,
            ok ? "" : first ? ": no reference" : ": not as the originals");
    if (!by_bin)
        return ok;
    if (first) /* none, not even the shell: ptrace is not allowed */
        c->traced = progs.n > 0;
    for (size_t i = 0; i < c->n; i++) {
        char path[PATH_MAX * 2];
        unsigned bad = 0;
        bool own = c->traced && c->b[i].program;
        snprintf(path, sizeof path, "%s%s", c->troot, c->b[i].inner);
        double cpu = 0, t = own ? ctr_exec_times_get(&progs, path, &bad, &cpu) : 0;
        by_bin[i] = own ? t : *total;
        if (first) {
            c->ran[i] = !own || t > 0;
            c->bad0[i] = bad;
        }
        c->broke[i] = own && c->ran[i] && (t == 0 || bad > c->bad0[i]);
        if (own && t > 0)
            dprintf(c->logfd, "== run %d: %s %.3f s, CPU %.3f s%s\n", c->done, c->b[i].inner,
                    t, cpu, c->broke[i] ? ", failed" : "");
    }
    if (first)
        find_alone(c, &progs);
    ctr_exec_times_free(&progs);
    return ok;
}

/* Time setups a and b against each other, interleaved (a b b a a b ...),
 * with every binary at the choices given, into ta and tb (the whole
 * command's times; the log calls a "the choices together", b "the original
 * binaries").  When the command fails in one, *failed_a or *failed_b is set
 * and the duel ends. */
static int duel(struct ctx *c, const int *a, const int *b, int rounds, struct trial *ta,
                struct trial *tb, bool *failed_a, bool *failed_b, ctr_error *err)
{
    *failed_a = *failed_b = false;
    ta->s.n = tb->s.n = 0;
    for (int r = 0; r < rounds; r++) {
        for (int side = 0; side < 2; side++) {
            /* alternate which goes first, against drift */
            bool is_a = (side == 0) == (r % 2 == 0);
            struct trial *t = is_a ? ta : tb;
            if (put_all(c, is_a ? a : b, 0, err) < 0)
                return -1;
            if (!time_once(c, &t->s.times[t->s.n], NULL, false,
                           is_a ? "the choices together" : "the original binaries")) {
                *(is_a ? failed_a : failed_b) = true;
                return 0;
            }
            t->s.n++;
        }
    }
    return 0;
}

/* The setups run() times and their storage: the trials (a choice of one
 * binary in place of its configured build); per binary, the configured
 * setup's runs as that binary measures them; the choices made and the
 * originals, duelling; the configured setup as the whole command. */
struct plan {
    size_t ntrials;
    struct trial *t; /* [ntrials] the trials, then the others below */
    struct trial *base_of, *tchosen, *torig, *tbase;
    double *times;   /* every sample's times, room for CTR_SELECT_MAX_RUNS each (a trial
                      * runs once a round; a configured build may run in every setup) */
    double *meas;    /* a run's measure of each binary */
    int *chosen, *orig;
    long *bin;       /* the layout of a round (select_layout.h), [ntrials] each */
    bool *live, *packable;
    size_t *order, *first;
};

static void plan_free(struct plan *p)
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
static int warm_up(struct ctx *c, ctr_select_report *rep, ctr_error *err)
{
    double warm, *by_bin = calloc(c->n, sizeof *by_bin);
    if (!by_bin)
        return ctr_error_set(err, ENOMEM, "--select");
    c->total = 1;
    bool ok = time_once(c, &warm, by_bin, true, "the original binaries (the reference)");
    free(by_bin);
    rep->per_program = c->traced;
    rep->ref_exit = c->ref_exit;
    if (ok)
        return 1;
    rep->note = strdup("the command does not run to an end with the original binaries (see "
                       "select.log in the work directory)");
    return 0;
}

/* The most rounds of the trials: three times --select-rounds while some
 * choice is undecided (ctr_select_undecided), within the test's bound. */
static int max_rounds(int rounds)
{
    return 3 * rounds < CTR_SELECT_MAX_RUNS ? 3 * rounds : CTR_SELECT_MAX_RUNS;
}

/* Lay out the trials of every other choice of each binary the command ran,
 * binary by binary, in the order of the choices. */
static int plan_make(struct ctx *c, int base, struct plan *p, ctr_error *err)
{
    ctr_select_binary *b = c->b;
    size_t n = c->n;
    *p = (struct plan){0};
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < CTR_SELECT_MAX; k++)
            p->ntrials += c->ran[i] && k != base && b[i].file[k];
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
            if (c->ran[i] && k != base && b[i].file[k]) {
                p->t[m].bin = (long)i;
                p->t[m++].choice = k;
            }
    }
    return 0;
}

/* Choice k's name for binary b. */
static const char *choice_name(const struct ctx *c, const ctr_select_binary *b, int k)
{
    return k == 0 ? "original" : b->name[k] ? b->name[k] : c->choice[k];
}

/* Setup tr[0..ntr) (none: the configured setup) for the log: "/a as X;
 * /b as Y". */
static void setup_name(const struct ctx *c, struct trial *const *tr, size_t ntr, char *buf,
                       size_t size)
{
    int len = snprintf(buf, size, "%s", ntr ? "" : "every binary as configured");
    for (size_t m = 0; m < ntr && len >= 0 && (size_t)len < size; m++)
        len += snprintf(buf + len, size - (size_t)len, "%s%s as %s", m ? "; " : "",
                        c->b[tr[m]->bin].inner, choice_name(c, &c->b[tr[m]->bin], tr[m]->choice));
}

/* Keep the times of a run that passed with trials tr[0..ntr) in place: each
 * trial's binary's measure; where no library was swapped in, also every
 * other program's, as a run of its configured build (its time is its own);
 * for the configured setup, every binary's and the whole command's. */
static void keep_times(struct ctx *c, struct plan *p, struct trial *const *tr, size_t ntr,
                       double total)
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
static int run_setup(struct ctx *c, struct plan *p, struct trial *const *tr, size_t ntr,
                     int base, ctr_select_report *rep, ctr_error *err)
{
    ctr_select_binary *b = c->b;
    if (put_all(c, NULL, base, err) < 0)
        return -1;
    for (size_t m = 0; m < ntr; m++)
        if (put(c, (size_t)tr[m]->bin, tr[m]->choice, err) < 0)
            return -1;
    double total;
    char setup[2048];
    setup_name(c, tr, ntr, setup, sizeof setup);
    bool passed = time_once(c, &total, p->meas, false, setup);
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

/* Trial tr is still undecided against its binary's configured build. */
static bool undecided(const struct ctx *c, struct plan *p, struct trial *tr)
{
    return !c->b[tr->bin].failed[tr->choice] &&
           ctr_select_undecided(&tr->s, &p->base_of[tr->bin].s);
}

/* The setups of round r into p->order and p->first (select_layout.h): every
 * trial that has not failed, after `rounds` rounds only the undecided ones;
 * the programs' trials packed where each program's time is its own. */
static size_t lay_out_round(struct ctx *c, struct plan *p, int r, int rounds)
{
    for (size_t j = 0; j < p->ntrials; j++) {
        struct trial *tr = &p->t[j];
        p->bin[j] = tr->bin;
        p->live[j] = !c->b[tr->bin].failed[tr->choice] && (r < rounds || undecided(c, p, tr));
        p->packable[j] = c->alone[tr->bin] && !c->unpacked;
    }
    ctr_select_trials t = {p->bin, p->live, p->packable, p->ntrials};
    return ctr_select_layout(&t, p->order, p->first);
}

/* Interleaved: each round runs the configured setup and every live trial
 * once (packed, select_layout.h), starting one setup further each round.
 * After `rounds` rounds, more rounds (up to max_rounds) of the configured
 * setup and the undecided trials only, while there are any.  No round
 * starts after the budget's deadline.  As run_setup. */
static int run_trials(struct ctx *c, struct plan *p, int rounds, int base, ctr_select_report *rep,
                      ctr_error *err)
{
    struct trial **tr = calloc(p->ntrials + 1, sizeof *tr);
    if (!tr)
        return ctr_error_set(err, ENOMEM, "--select");
    int rc = 0;
    for (int r = 0; rc == 0 && r < max_rounds(rounds); r++) {
        if (r > 0 && c->deadline > 0 && mono_now() > c->deadline) {
            dprintf(c->logfd, "== --select-budget spent after %d rounds of the trials\n", r);
            rep->budget_rounds = r;
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

/* "== decision for /opt/app/x (medians): original 1.204 s p=0.95; thin LTO
 * 1.100 s (as configured); no LTO failed; ... chosen: thin LTO (...)": p is
 * the test's p-value that the choice is faster than the configured build. */
static void log_decision(const struct ctx *c, const ctr_select_binary *b, int base,
                         ctr_select_sample *base_s, ctr_select_sample *const *trial)
{
    char line[1024];
    int len = snprintf(line, sizeof line, "== decision for %s (medians):", b->inner);
    for (int k = 0; k < CTR_SELECT_MAX && len < (int)sizeof line; k++) {
        if (!b->file[k] || (b->median[k] <= 0 && !b->failed[k]))
            continue;
        const char *name = choice_name(c, b, k);
        if (b->failed[k])
            len += snprintf(line + len, sizeof line - (size_t)len, " %s failed;", name);
        else if (k == base)
            len += snprintf(line + len, sizeof line - (size_t)len, " %s %.3f s (as configured);",
                            name, b->median[k]);
        else
            len += snprintf(line + len, sizeof line - (size_t)len, " %s %.3f s p=%.3f;", name,
                            b->median[k], trial[k] ? ctr_select_p_faster(trial[k], base_s) : 1);
    }
    dprintf(c->logfd, "%s chosen: %s (%s)\n", line,
            choice_name(c, b, b->chosen),
            b->chosen == base
                ? "no other build was faster by 1 % or more in the median with p <= 0.05"
                : "the fastest of those faster than the configured build by 1 % or more in "
                  "the median with p <= 0.05");
}

/* Per binary: the fastest choice, if it clearly beats the configured build
 * (the trials of a binary are together, in plan_make's order). */
static void choose_all(struct ctx *c, struct plan *p, int base)
{
    size_t j = 0;
    for (size_t i = 0; i < c->n; i++) {
        ctr_select_binary *bi = &c->b[i];
        bi->chosen = base;
        if (!c->ran[i])
            continue;
        ctr_select_sample *trial[CTR_SELECT_MAX] = {0};
        for (; j < p->ntrials && p->t[j].bin == (long)i; j++)
            trial[p->t[j].choice] = &p->t[j].s;
        bi->chosen = ctr_select_choose(base, &p->base_of[i].s, trial, bi->failed, bi->median);
        log_decision(c, bi, base, &p->base_of[i].s, trial);
    }
}

/* The choices together, against the originals (unless every binary the
 * command uses is at its original anyway): the final choice, in rep and
 * each binary's `chosen`. */
static int confirm(struct ctx *c, struct plan *p, int rounds, int base, ctr_select_report *rep,
                   ctr_error *err)
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
    if (duel(c, p->chosen, p->orig, rounds, p->tchosen, p->torig, &failed_chosen, &failed_orig, err) < 0)
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

static int run(struct ctx *c, int rounds, int base, ctr_select_report *rep, ctr_error *err)
{
    int rc = warm_up(c, rep, err);
    if (rc <= 0)
        return rc;
    struct plan p;
    rc = plan_make(c, base, &p, err);
    if (rc == 0)
        rc = run_trials(c, &p, rounds, base, rep, err);
    if (rc == 0) {
        choose_all(c, &p, base);
        rc = confirm(c, &p, rounds, base, rep, err);
    }
    plan_free(&p);
    return rc < 0 ? -1 : 0;
}

int ctr_select_run(const ctr_sandbox *sb, const char *root, const char *work, const char *cmd,
                   int rounds, unsigned budget, int base, ctr_select_binary *b, size_t n,
                   ctr_select_report *rep, ctr_error *err)
{
    char troot[PATH_MAX * 2], log[PATH_MAX * 2];
    ctr_select_report fresh = {.rounds = rounds};
    memcpy(fresh.choice, rep->choice, sizeof fresh.choice); /* the caller's names */
    *rep = fresh;
    for (size_t i = 0; i < n; i++) {
        b[i].chosen = base;
        memset(b[i].median, 0, sizeof b[i].median);
        memset(b[i].failed, 0, sizeof b[i].failed);
    }
    if (!n) {
        rep->note = strdup("no relinked binary to choose for");
        return -1;
    }
    snprintf(troot, sizeof troot, "%s/select-root", work);
    snprintf(log, sizeof log, "%s/select.log", work);
    struct ctx c = {.sb = sb, .troot = troot, .cmd = cmd, .b = b, .n = n, .logfd = -1,
                    .tty = isatty(2), .choice = rep->choice,
                    .deadline = budget ? mono_now() + budget : 0};
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
