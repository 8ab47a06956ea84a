/* Per-program times of a command's process tree (see exec_trace.h). */
#include "exec_trace.h"

#include <errno.h>
#include <limits.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void ctr_exec_trace_me(void)
{
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
        raise(SIGSTOP);
}

/* A program's key: the device and inode of its file, the same seen from
 * here or from inside a sandbox's mount namespace. */
static bool file_key(const char *path, char key[64])
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    snprintf(key, 64, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    return true;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The traced processes that have executed a program, and the programs'
 * totals.  A command runs a handful of programs: linear lists do. */
struct running {
    pid_t pid;
    size_t prog;
    double since;
    bool ended; /* its wall time is counted; its threads' CPU time may still come */
};

struct tracer {
    struct running *run;
    size_t nrun, caprun;
    char **prog;
    double *total;
    double *cpu;   /* CPU time of the program's threads, each read at its exit */
    unsigned *bad; /* processes of the program that failed: a signal or a non-zero status */
    size_t nprog, capprog;
    size_t (*pair)[2]; /* programs that ran at the same time, the lower index first */
    size_t npair;
    bool pair_all;     /* more than MAX_PAIRS of them */
};

#define MAX_PAIRS 1024

/* Programs p and q ran at the same time. */
static void add_pair(struct tracer *t, size_t p, size_t q)
{
    size_t a = p < q ? p : q, b = p < q ? q : p;
    for (size_t i = 0; i < t->npair; i++)
        if (t->pair[i][0] == a && t->pair[i][1] == b)
            return;
    if (!t->pair && !(t->pair = calloc(MAX_PAIRS, sizeof *t->pair)))
        t->pair_all = true;
    if (t->pair_all || t->npair == MAX_PAIRS) {
        t->pair_all = true;
        return;
    }
    t->pair[t->npair][0] = a;
    t->pair[t->npair++][1] = b;
}

/* The end of a process's program; `status` is its wait status, or -1 when
 * it goes on (a new exec).  Its wall time is counted once; with `remove` the
 * process is forgotten (it is gone, or runs another program). */
static void finish(struct tracer *t, pid_t pid, double at, int status, bool remove)
{
    for (size_t i = 0; i < t->nrun; i++)
        if (t->run[i].pid == pid) {
            if (!t->run[i].ended) {
                t->total[t->run[i].prog] += at - t->run[i].since;
                if (status != -1 && (WIFSIGNALED(status) || WEXITSTATUS(status) != 0))
                    t->bad[t->run[i].prog]++;
                t->run[i].ended = true;
            }
            if (remove)
                t->run[i] = t->run[--t->nrun];
            return;
        }
}

/* A thread at its exit stop: the CPU time it used (/proc/TID/schedstat,
 * nanoseconds) goes to the program its process runs. */
static void thread_cpu(struct tracer *t, pid_t tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)tid);
    FILE *f = fopen(path, "re");
    long tgid = -1;
    while (f && fgets(buf, sizeof buf, f))
        if (!strncmp(buf, "Tgid:", 5)) {
            tgid = strtol(buf + 5, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)tid);
    f = fopen(path, "re");
    unsigned long long ns = 0;
    bool have = f && fscanf(f, "%llu", &ns) == 1;
    if (f)
        fclose(f);
    for (size_t i = 0; have && i < t->nrun; i++)
        if (t->run[i].pid == (pid_t)tgid) {
            t->cpu[t->run[i].prog] += (double)ns * 1e-9;
            return;
        }
}

static void started(struct tracer *t, pid_t pid, double at)
{
    char link[64], path[64];
    snprintf(link, sizeof link, "/proc/%ld/exe", (long)pid);
    if (!file_key(link, path))
        return;
    finish(t, pid, at, -1, true); /* a process that executes again ends its first program */
    size_t p = 0;
    while (p < t->nprog && strcmp(t->prog[p], path))
        p++;
    if (p == t->nprog) {
        if (t->nprog == t->capprog) {
            size_t cap = t->capprog ? 2 * t->capprog : 16;
            char **np = realloc(t->prog, cap * sizeof *np);
            if (np)
                t->prog = np;
            double *nt = np ? realloc(t->total, cap * sizeof *nt) : NULL;
            if (nt)
                t->total = nt;
            double *nc = nt ? realloc(t->cpu, cap * sizeof *nc) : NULL;
            if (nc)
                t->cpu = nc;
            unsigned *nb = nc ? realloc(t->bad, cap * sizeof *nb) : NULL;
            if (!nb)
                return;
            t->bad = nb;
            t->capprog = cap;
        }
        if (!(t->prog[p] = strdup(path)))
            return;
        t->total[p] = 0;
        t->cpu[p] = 0;
        t->bad[p] = 0;
        t->nprog++;
    }
    if (t->nrun == t->caprun) {
        size_t cap = t->caprun ? 2 * t->caprun : 16;
        struct running *nr = realloc(t->run, cap * sizeof *nr);
        if (!nr)
            return;
        t->run = nr;
        t->caprun = cap;
    }
    for (size_t i = 0; i < t->nrun; i++)
        if (!t->run[i].ended && t->run[i].prog != p)
            add_pair(t, t->run[i].prog, p);
    t->run[t->nrun++] = (struct running){pid, p, at, false};
}

int ctr_exec_trace(pid_t child, int out_fd)
{
    struct tracer t = {0};
    int status = 0, child_status = 0;
    bool traced = false, child_done = false;
    /* the child stops itself (ctr_exec_trace_me) or, untraced, just ends */
    if (waitpid(child, &status, 0) == child && WIFSTOPPED(status)) {
        traced = ptrace(PTRACE_SETOPTIONS, child, NULL,
                        (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                                       PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                                       PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) == 0;
        ptrace(traced ? PTRACE_CONT : PTRACE_DETACH, child, NULL, NULL);
        if (!traced)
            while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
    }
    if (!traced) {
        child_status = status;
        child_done = true;
    }
    while (!child_done) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break; /* no one left */
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            finish(&t, pid, now(), status, true);
            if (pid == child) {
                child_status = status;
                child_done = true;
            }
            continue;
        }
        if (!WIFSTOPPED(status))
            continue;
        int sig = WSTOPSIG(status), event = status >> 16, pass = 0;
        if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC)
            started(&t, pid, now());
        else if (sig == SIGTRAP && event == PTRACE_EVENT_EXIT) {
            unsigned long end = 0; /* the status it is exiting with */
            ptrace(PTRACE_GETEVENTMSG, pid, NULL, &end);
            double at = now();
            thread_cpu(&t, pid);
            finish(&t, pid, at, (int)end, false); /* its other threads may exit later */
        }
        else if (sig == SIGTRAP && event)
            ; /* fork, vfork, clone: the new process is traced from its start */
        else if (sig != SIGSTOP || event)
            pass = sig; /* a signal for the program: deliver it */
        /* (a new process's first SIGSTOP is the tracer's, not the program's) */
        ptrace(PTRACE_CONT, pid, NULL, (void *)(long)pass);
    }
    for (size_t p = 0; p < t.nprog; p++)
        dprintf(out_fd, "%.6f %.6f %u %s\n", t.total[p], t.cpu[p], t.bad[p], t.prog[p]);
    for (size_t i = 0; i < t.npair; i++)
        dprintf(out_fd, "+ %s %s\n", t.prog[t.pair[i][0]], t.prog[t.pair[i][1]]);
    if (t.pair_all)
        dprintf(out_fd, "+ * *\n");
    for (size_t p = 0; p < t.nprog; p++)
        free(t.prog[p]);
    free(t.pair);
    free(t.prog);
    free(t.total);
    free(t.cpu);
    free(t.bad);
    free(t.run);
    return child_status;
}

int ctr_exec_times_parse(const char *buf, size_t len, ctr_exec_times *t)
{
    *t = (ctr_exec_times){0};
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    t->path = calloc(lines + 1, sizeof *t->path);
    t->seconds = calloc(lines + 1, sizeof *t->seconds);
    t->cpu = calloc(lines + 1, sizeof *t->cpu);
    t->failed = calloc(lines + 1, sizeof *t->failed);
    t->over = calloc(2 * lines + 2, sizeof *t->over);
    if (!t->path || !t->seconds || !t->cpu || !t->failed || !t->over) {
        ctr_exec_times_free(t);
        return -1;
    }
    for (const char *p = buf, *end = buf + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, *sp2 = NULL, *sp3 = NULL;
        if (!nl)
            break;
        sp = memchr(p, ' ', (size_t)(nl - p));
        if (sp)
            sp2 = memchr(sp + 1, ' ', (size_t)(nl - sp - 1));
        if (sp2)
            sp3 = memchr(sp2 + 1, ' ', (size_t)(nl - sp2 - 1));
        if (sp && sp2 && !sp3 && sp == p + 1 && *p == '+') { /* "+ KEY KEY" */
            if (sp2 - sp == 2 && sp[1] == '*')
                t->over_all = true;
            else if (!(t->over[2 * t->nover] = strndup(sp + 1, (size_t)(sp2 - sp - 1))) ||
                     !(t->over[2 * t->nover + 1] = strndup(sp2 + 1, (size_t)(nl - sp2 - 1)))) {
                t->nover++; /* freed with the rest */
                ctr_exec_times_free(t);
                return -1;
            } else
                t->nover++;
        } else if (sp3 && *p != '+') { /* "SECONDS CPU FAILED PATH" */
            t->seconds[t->n] = strtod(p, NULL);
            t->cpu[t->n] = strtod(sp + 1, NULL);
            t->failed[t->n] = (unsigned)strtoul(sp2 + 1, NULL, 10);
            if (!(t->path[t->n] = strndup(sp3 + 1, (size_t)(nl - sp3 - 1)))) {
                ctr_exec_times_free(t);
                return -1;
            }
            t->n++;
        }
        p = nl + 1;
    }
    return 0;
}

double ctr_exec_times_get(const ctr_exec_times *t, const char *path, unsigned *failed,
                          double *cpu)
{
    char key[64];
    *failed = 0;
    if (cpu)
        *cpu = 0;
    if (!file_key(path, key))
        return 0;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->path[i], key)) {
            *failed = t->failed[i];
            if (cpu)
                *cpu = t->cpu[i];
            return t->seconds[i];
        }
    return 0;
}

bool ctr_exec_times_overlap(const ctr_exec_times *t, const char *a, const char *b)
{
    char ka[64], kb[64];
    if (t->over_all)
        return true;
    if (!t->nover || !file_key(a, ka) || !file_key(b, kb))
        return false;
    for (size_t i = 0; i < t->nover; i++)
        if ((!strcmp(t->over[2 * i], ka) && !strcmp(t->over[2 * i + 1], kb)) ||
            (!strcmp(t->over[2 * i], kb) && !strcmp(t->over[2 * i + 1], ka)))
            return true;
    return false;
}

void ctr_exec_times_free(ctr_exec_times *t)
{
    for (size_t i = 0; t->over && i < 2 * t->nover; i++)
        free(t->over[i]);
    free(t->over);
    for (size_t i = 0; t->path && i < t->n; i++)
        free(t->path[i]);
    free(t->path);
    free(t->seconds);
    free(t->cpu);
    free(t->failed);
    *t = (ctr_exec_times){0};
}
