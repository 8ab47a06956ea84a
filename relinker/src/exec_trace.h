/* How long each program ran inside a command: the command's process tree
 * is followed with ptrace (fork, exec and exit events only, so the
 * programs run at full speed), and each process's time from its exec to
 * its exit is added to the program it executed.  --select uses it to time
 * one program of a command that runs several. */
#ifndef CTR_EXEC_TRACE_H
#define CTR_EXEC_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* In the child, right before execve: ask to be traced and stop until the
 * tracer is ready.  Where ptrace is not allowed the command runs untraced. */
void ctr_exec_trace_me(void);

/* In the parent of that child: follow it and its descendants until the
 * child exits, then write one line "SECONDS CPU FAILED DEV:INO" per program
 * executed (the device and inode of its file, the same from inside a
 * sandbox's mount namespace and from here; SECONDS the wall-clock time of
 * all its processes, exec to exit; CPU the CPU time of all their threads,
 * each read at its exit from /proc/TID/schedstat, in nanoseconds; FAILED
 * how many of them were killed by a signal or exited non-zero) to out_fd;
 * then one line "+ DEV:INO DEV:INO" per two programs that ran at the same
 * time (a process of one executed while one of the other ran: one waits
 * for the other, or they share the CPUs), or "+ * *" when there were too
 * many such pairs to list.  Returns the child's wait status. */
int ctr_exec_trace(pid_t child, int out_fd);

/* Per-program times read back from such lines. */
typedef struct ctr_exec_times {
    size_t n;
    char **path;
    double *seconds;
    double *cpu;
    unsigned *failed;
    char **over;   /* [2 * nover]: the programs that ran at the same time, two by two */
    size_t nover;
    bool over_all; /* too many to list: any two may have */
} ctr_exec_times;

/* Parse the lines in buf (len bytes); 0, or -1 when out of memory. */
int ctr_exec_times_parse(const char *buf, size_t len, ctr_exec_times *t);
/* The seconds of the program whose file is at path (as this process
 * sees it), 0 if it did not run; *failed: how many of its processes
 * failed; *cpu (when not NULL): their CPU seconds. */
double ctr_exec_times_get(const ctr_exec_times *t, const char *path, unsigned *failed,
                          double *cpu);
/* Whether the programs at paths a and b ran at the same time, so that
 * either one's time may depend on the other's build. */
bool ctr_exec_times_overlap(const ctr_exec_times *t, const char *a, const char *b);
void ctr_exec_times_free(ctr_exec_times *t);

#endif
