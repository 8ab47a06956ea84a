/* Unit tests of the per-program times of a command (exec_trace.c): the
 * lines the tracer writes read back, the programs that ran at the same
 * time, and a real command traced (where this kernel allows ptrace). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "exec_trace.h"

/* "DEV:INO" of a file, as the tracer writes it */
static const char *key_of(const char *path, char key[64])
{
    struct stat st;
    if (stat(path, &st) < 0)
        return "none";
    snprintf(key, 64, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    return key;
}

static void test_parse(void)
{
    char sh[64], tr[64], fa[64], buf[512];
    key_of("/bin/sh", sh);
    key_of("/bin/true", tr);
    key_of("/bin/false", fa);
    int len = snprintf(buf, sizeof buf,
                       "0.500000 0.250000 0 %s\n0.100000 0.090000 2 %s\n"
                       "0.200000 0.000000 0 %s\n+ %s %s\n+ bad\n+ 1:2 3:4 5:6\nnoise\n",
                       sh, tr, fa, sh, tr);
    ctr_exec_times t;
    CHECK(ctr_exec_times_parse(buf, (size_t)len, &t) == 0);
    CHECK(t.n == 3 && t.nover == 1 && !t.over_all);
    unsigned failed;
    double cpu;
    CHECK(ctr_exec_times_get(&t, "/bin/true", &failed, &cpu) == 0.1 && failed == 2 && cpu == 0.09);
    CHECK(ctr_exec_times_get(&t, "/nonexistent", &failed, &cpu) == 0 && failed == 0);
    /* either order; not with a program that ran at another time */
    CHECK(ctr_exec_times_overlap(&t, "/bin/sh", "/bin/true"));
    CHECK(ctr_exec_times_overlap(&t, "/bin/true", "/bin/sh"));
    CHECK(!ctr_exec_times_overlap(&t, "/bin/true", "/bin/false"));
    CHECK(!ctr_exec_times_overlap(&t, "/bin/sh", "/nonexistent"));
    ctr_exec_times_free(&t);
    /* too many pairs to list: any two may have */
    len = snprintf(buf, sizeof buf, "0.1 0.1 0 %s\n+ * *\n", tr);
    CHECK(ctr_exec_times_parse(buf, (size_t)len, &t) == 0);
    CHECK(t.over_all && ctr_exec_times_overlap(&t, "/bin/true", "/bin/false"));
    ctr_exec_times_free(&t);
    /* nothing, and a last line without its newline */
    CHECK(ctr_exec_times_parse("", 0, &t) == 0 && t.n == 0 && t.nover == 0);
    ctr_exec_times_free(&t);
    CHECK(ctr_exec_times_parse("+ 1:2 3:4", 9, &t) == 0 && t.nover == 0);
    ctr_exec_times_free(&t);
}

/* sh runs true, then false: the shell waits for each (at the same time as
 * both), the two never run together */
static void test_trace(void)
{
    FILE *out = tmpfile();
    CHECK(out != NULL);
    if (!out)
        return;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        ctr_exec_trace_me();
        execl("/bin/sh", "sh", "-c", "/bin/true; /bin/false; exit 0", (char *)NULL);
        _exit(127);
    }
    int status = ctr_exec_trace(child, fileno(out));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char buf[4096];
    rewind(out);
    size_t len = fread(buf, 1, sizeof buf, out);
    fclose(out);
    ctr_exec_times t;
    CHECK(ctr_exec_times_parse(buf, len, &t) == 0);
    if (t.n == 0) { /* not traced: ptrace is not allowed here */
        printf("exec_trace_unit: (ptrace not allowed: no trace to check)\n");
        ctr_exec_times_free(&t);
        return;
    }
    unsigned failed;
    double cpu;
    CHECK(ctr_exec_times_get(&t, "/bin/sh", &failed, &cpu) > 0 && failed == 0);
    CHECK(ctr_exec_times_get(&t, "/bin/true", &failed, &cpu) > 0 && failed == 0);
    CHECK(ctr_exec_times_get(&t, "/bin/false", &failed, &cpu) > 0 && failed == 1);
    CHECK(ctr_exec_times_overlap(&t, "/bin/sh", "/bin/true"));
    CHECK(ctr_exec_times_overlap(&t, "/bin/false", "/bin/sh"));
    CHECK(!ctr_exec_times_overlap(&t, "/bin/true", "/bin/false"));
    ctr_exec_times_free(&t);
}

int main(void)
{
    test_parse();
    test_trace();
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("exec_trace_unit: all passed\n");
    return failures != 0;
}
