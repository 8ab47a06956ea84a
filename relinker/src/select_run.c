/* One run of CMD in the timing root of ctr-relink --select (see
 * select_run.h): the files of a setup put in place, CMD run and timed,
 * each program's time and failures read from its trace. */
#include "select_run.h"
#include "run_cmd.h"
#include "comtainer/files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double ctr_select_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ctr_select_put(struct select_ctx *c, size_t i, int k, ctr_error *err)
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
        return ctr_error_set(err, errno, "'%s' into '%s'", c->b[i].file[k], path);
    c->now[i] = k;
    return 0;
}

int ctr_select_put_all(struct select_ctx *c, const int *choices, int all, ctr_error *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (ctr_select_put(c, i, choices ? choices[i] : all, err) < 0)
            return -1;
    return 0;
}

/* Which programs ran alone in the reference run (c->alone): a program
 * that waits for another, or runs beside it, has a time that the other's
 * build changes. */
static void find_alone(struct select_ctx *c, const ctr_exec_times *progs)
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

bool ctr_select_time_once(struct select_ctx *c, double *total, double *by_bin, bool first,
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

const char *ctr_select_choice_name(const struct select_ctx *c, const ctr_select_binary *b, int k)
{
    return k == 0 ? "original" : b->name[k] ? b->name[k] : c->choice[k];
}


size_t ctr_select_trials_of(struct select_plan *p, size_t j, long bin,
                            ctr_select_sample *trial[CTR_SELECT_MAX])
{
    for (; j < p->ntrials && p->t[j].bin == bin; j++)
        trial[p->t[j].choice] = &p->t[j].s;
    return j;
}
