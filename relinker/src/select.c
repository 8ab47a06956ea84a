/* ctr-relink --select CMD: measured choices (see select.h). */
#include "select.h"
#include "run_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One timing setup: every binary as configured, but `bin` (-1: none) with
 * `choice` in its place; and its times, one per round that ran: of the
 * binary's own processes when it is a program and the command's processes
 * are traced, else of the whole command. */
struct trial {
    long bin;
    int choice;
    double *times;
    int ntimes;
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
    int logfd;
    int done, total; /* runs, for the progress line */
    bool tty;
};

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

/* Run CMD once in the timing root as it is now.  True if it succeeded,
 * with its time in *total and, when by_bin is not NULL, each binary's
 * measure (see struct trial) in by_bin[i] and whether it broke in
 * c->broke[i].  The `first` run (with the originals) sets c->ran, c->bad0
 * and c->traced. */
static bool time_once(struct ctx *c, double *total, double *by_bin, bool first)
{
    c->done++;
    if (c->tty)
        fprintf(stderr, "\rctr-relink: --select: run %d/%d ", c->done, c->total);
    ctr_exec_times progs;
    bool ok = ctr_time_in_root(c->sb, c->troot, c->cmd, c->logfd, total, by_bin ? &progs : NULL);
    if (!by_bin)
        return ok;
    if (first) /* none, not even the shell: ptrace is not allowed */
        c->traced = progs.n > 0;
    for (size_t i = 0; i < c->n; i++) {
        char path[PATH_MAX * 2];
        unsigned bad = 0;
        bool own = c->traced && c->b[i].program;
        snprintf(path, sizeof path, "%s%s", c->troot, c->b[i].inner);
        double t = own ? ctr_exec_times_get(&progs, path, &bad) : 0;
        by_bin[i] = own ? t : *total;
        if (first) {
            c->ran[i] = !own || t > 0;
            c->bad0[i] = bad;
        }
        c->broke[i] = own && c->ran[i] && (t == 0 || bad > c->bad0[i]);
    }
    ctr_exec_times_free(&progs);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of a trial's times (sorting them). */
static double median(struct trial *t)
{
    int n = t->ntimes;
    if (n <= 0)
        return 0;
    qsort(t->times, (size_t)n, sizeof *t->times, cmp_double);
    return n % 2 ? t->times[n / 2] : (t->times[n / 2 - 1] + t->times[n / 2]) / 2;
}

/* Setup a ran faster than b beyond noise: by the margin in the median, and
 * in every run (each of a's runs faster than each of b's), so that noise
 * alone rarely decides (with 3 runs each, one time in 20). */
static bool clearly_faster(struct trial *a, struct trial *b)
{
    if (a->ntimes == 0 || b->ntimes == 0)
        return false;
    double ma = median(a), mb = median(b); /* sorted now */
    return ma < mb * (1 - CTR_SELECT_MARGIN) && a->times[a->ntimes - 1] < b->times[0];
}

/* Time setups a and b against each other, interleaved (a b b a a b ...),
 * with every binary at the choices given, into ta and tb (the whole
 * command's times).  When the command fails in one, *failed_a or *failed_b
 * is set and the duel ends. */
static int duel(struct ctx *c, const int *a, const int *b, int rounds, struct trial *ta,
                struct trial *tb, bool *failed_a, bool *failed_b, ctr_error *err)
{
    *failed_a = *failed_b = false;
    ta->ntimes = tb->ntimes = 0;
    for (int r = 0; r < rounds; r++) {
        for (int side = 0; side < 2; side++) {
            /* alternate which goes first, against drift */
            bool is_a = (side == 0) == (r % 2 == 0);
            struct trial *t = is_a ? ta : tb;
            if (put_all(c, is_a ? a : b, 0, err) < 0)
                return -1;
            if (!time_once(c, &t->times[t->ntimes], NULL, false)) {
                *(is_a ? failed_a : failed_b) = true;
                return 0;
            }
            t->ntimes++;
        }
    }
    return 0;
}

static int run(struct ctx *c, int rounds, int base, ctr_select_report *rep, ctr_error *err)
{
    ctr_select_binary *b = c->b;
    size_t n = c->n, ntrials = 0;
    /* a first run with the originals: the command works at all (else
     * nothing can be chosen), the files it reads are in the cache, and the
     * programs it does not execute need no trials */
    double warm, *by_bin = calloc(n, sizeof *by_bin);
    if (!by_bin)
        return ctr_error_set(err, ENOMEM, "--select");
    c->total = 1;
    bool ok = time_once(c, &warm, by_bin, true);
    free(by_bin);
    rep->per_program = c->traced;
    if (!ok) {
        rep->note = strdup("the command fails with the original binaries (see select.log "
                           "in the work directory)");
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < CTR_SELECT_MAX; k++)
            ntrials += c->ran[i] && k != base && b[i].file[k];
    /* the trials; per binary, the configured setup's runs as that binary
     * measures them; the duel of the choices made against the originals */
    size_t nslots = ntrials + n + 3;
    struct trial *t = calloc(nslots, sizeof *t);
    double *times = calloc(nslots * (size_t)rounds, sizeof *times), *meas = calloc(n, sizeof *meas);
    int *chosen = calloc(n, sizeof *chosen), *orig = calloc(n, sizeof *orig);
    int rc = -1;
    if (!t || !times || !meas || !chosen || !orig) {
        ctr_error_set(err, ENOMEM, "--select");
        goto out;
    }
    for (size_t j = 0; j < nslots; j++)
        t[j].times = times + j * (size_t)rounds;
    struct trial *base_of = &t[ntrials], *tchosen = &t[ntrials + n], *torig = tchosen + 1,
                 *tbase = torig + 1; /* the configured setup, the whole command */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        base_of[i].bin = (long)i;
        base_of[i].choice = base;
        for (int k = 0; k < CTR_SELECT_MAX; k++)
            if (c->ran[i] && k != base && b[i].file[k]) {
                t[m].bin = (long)i;
                t[m++].choice = k;
            }
    }
    c->total += (int)(ntrials + 1) * rounds + 2 * rounds;

    /* interleaved: each round runs the configured setup and every trial
     * once, starting one further each round */
    for (int r = 0; r < rounds; r++) {
        for (size_t s = 0; s <= ntrials; s++) {
            size_t j = (s + (size_t)r) % (ntrials + 1); /* ntrials: the configured setup */
            struct trial *tr = j < ntrials ? &t[j] : NULL;
            if (tr && b[tr->bin].failed[tr->choice])
                continue; /* failed once: out */
            if (put_all(c, NULL, base, err) < 0 ||
                (tr && put(c, (size_t)tr->bin, tr->choice, err) < 0))
                goto out;
            double total;
            bool passed = time_once(c, &total, meas, false);
            /* a program that crashed or stopped running, where the command
             * goes on anyway, failed too (in a trial: the one swapped in) */
            for (size_t i = 0; passed && i < n; i++)
                passed = !c->broke[i] || (tr && (size_t)tr->bin != i);
            if (passed) {
                if (tr) {
                    tr->times[tr->ntimes++] = meas[tr->bin];
                } else {
                    for (size_t i = 0; i < n; i++)
                        base_of[i].times[base_of[i].ntimes++] = meas[i];
                    tbase->times[tbase->ntimes++] = total;
                }
            } else if (tr) {
                b[tr->bin].failed[tr->choice] = true;
            } else { /* the relinked binaries break the command: keep the originals */
                rep->note = strdup("the command fails with the relinked binaries (see "
                                   "select.log in the work directory)");
                rep->reverted = rep->done = true;
                for (size_t i = 0; i < n; i++)
                    b[i].chosen = 0;
                rc = 0;
                goto out;
            }
        }
    }
    /* per binary: the fastest choice, if it clearly beats the configured build */
    for (size_t i = 0; i < n; i++) {
        b[i].chosen = base;
        if (c->ran[i])
            b[i].median[base] = median(&base_of[i]);
    }
    for (size_t j = 0; j < ntrials; j++) {
        ctr_select_binary *bi = &b[t[j].bin];
        int k = t[j].choice;
        if (bi->failed[k])
            continue;
        bi->median[k] = median(&t[j]);
        if (clearly_faster(&t[j], &base_of[t[j].bin]) && bi->median[k] < bi->median[bi->chosen])
            bi->chosen = k;
    }
    /* the choices together, against the originals: unless every binary
     * the command uses is at its original anyway */
    bool differ = false;
    for (size_t i = 0; i < n; i++) {
        chosen[i] = b[i].chosen;
        differ |= c->ran[i] && chosen[i] != 0;
    }
    if (!differ) {
        rep->done = true;
        rc = 0;
        goto out;
    }
    bool failed_chosen, failed_orig;
    if (duel(c, chosen, orig, rounds, tchosen, torig, &failed_chosen, &failed_orig, err) < 0)
        goto out;
    if (failed_chosen && !failed_orig) {
        /* each choice passed alone, not together: keep the configured */
        for (size_t i = 0; i < n; i++)
            chosen[i] = b[i].chosen = base;
        if (duel(c, chosen, orig, rounds, tchosen, torig, &failed_chosen, &failed_orig,
                 err) < 0)
            goto out;
        if (failed_chosen && !failed_orig) {
            rep->note = strdup("the command fails with the relinked binaries together");
            rep->reverted = true;
        }
    }
    if (failed_orig) {
        rep->note = strdup("the command failed once with the original binaries");
        rc = 0;
        goto out;
    }
    rep->chosen = median(tchosen);
    rep->original = median(torig);
    rep->base = median(tbase);
    if (!rep->reverted && clearly_faster(torig, tchosen))
        rep->reverted = true; /* slower than the originals: ship nothing */
    if (rep->reverted)
        for (size_t i = 0; i < n; i++)
            b[i].chosen = 0;
    rep->done = true;
    rc = 0;
out:
    free(t);
    free(times);
    free(meas);
    free(chosen);
    free(orig);
    return rc;
}

int ctr_select_run(const ctr_sandbox *sb, const char *root, const char *work, const char *cmd, int rounds, int base,
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
    }
    if (!n) {
        rep->note = strdup("no relinked binary to choose for");
        return -1;
    }
    snprintf(troot, sizeof troot, "%s/select-root", work);
    snprintf(log, sizeof log, "%s/select.log", work);
    struct ctx c = {.sb = sb, .troot = troot, .cmd = cmd, .b = b, .n = n, .logfd = -1,
                    .tty = isatty(2)};
    c.now = calloc(n, sizeof *c.now); /* 0: the original */
    c.ran = calloc(n, sizeof *c.ran);
    c.bad0 = calloc(n, sizeof *c.bad0);
    c.broke = calloc(n, sizeof *c.broke);
    c.logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1;
    if (!c.now || !c.ran || !c.bad0 || !c.broke || c.logfd < 0) {
        ctr_error_set(err, c.logfd < 0 ? errno : ENOMEM, "'%s'", log);
        goto out;
    }
    /* the root as the input has it: every binary at its original */
    if (ctr_root_copy(root, troot, NULL, NULL, 0, err) < 0 ||
        ctr_root_add_mount_points(troot, err) < 0)
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
    return rep->done ? 0 : -1;
}
