/* Describing a GCC compile and storing its IR; see capture.h. */
#include "capture.h"
#include "errbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "comtainer/config.h"

#ifndef COMTAINER_GCC_TRIPLE
#define COMTAINER_GCC_TRIPLE ""
#endif

/* A command line in /proc is at most ARG_MAX-ish; Linux allows up to a quarter
 * of the stack limit, so allow well beyond the usual 2 MiB. */
#define MAX_CMDLINE_BYTES (16u << 20)
/* The report is one short line; anything longer is cut. */
#define MAX_REPORT_BYTES 2048


/* ---- the compile's command lines ------------------------------------------ */

/* argv of a process from /proc/PID/cmdline (pid 0 = self). */
static int proc_argv(pid_t pid, irs_strv *out)
{
    char path[64];
    if (pid)
        snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    else
        snprintf(path, sizeof path, "/proc/self/cmdline");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    int rc = -1;
    for (;;) {
        if (!buf)
            goto out;
        if (len == cap) {
            if (cap >= MAX_CMDLINE_BYTES)
                goto out;
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                goto out;
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto out;
        if (got == 0)
            break;
        len += (size_t)got;
    }
    rc = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        size_t n = strnlen(buf + at, len - at);
        char *arg = strndup(buf + at, n);
        rc = arg ? irs_strv_push(out, arg) : -1;
        free(arg);
        at += n + 1;
    }
out:
    free(buf);
    close(fd);
    return rc;
}

/* The driver quotes each option in COLLECT_GCC_OPTIONS as 'opt', writing a
 * quote inside one as '\''. */
static int split_collect_options(const char *s, irs_strv *out)
{
    size_t cap = strlen(s) + 1;
    char *word = malloc(cap);
    if (!word)
        return -1;
    int rc = 0;
    while (rc == 0 && *s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        size_t n = 0;
        while (*s && *s != ' ') {
            if (*s == '\'') {
                for (s++; *s && *s != '\''; s++)
                    word[n++] = *s;
                if (*s)
                    s++;
            } else if (*s == '\\' && s[1]) {
                word[n++] = s[1];
                s += 2;
            } else {
                word[n++] = *s++;
            }
        }
        word[n] = '\0';
        rc = irs_strv_push(out, word);
    }
    free(word);
    return rc;
}

/* The driver names the front end's assembler output after a random temp
 * file ("-o /tmp/ccAbC123.s"): left in, equal compiles would give different
 * records and objects different TU ids, and builds would stop being
 * reproducible.  The pair is dropped. */
static bool is_driver_temp(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n != 10 || strncmp(base, "cc", 2) != 0 || strcmp(base + n - 2, ".s") != 0)
        return false;
    for (size_t i = 2; i < 8; i++)
        if (!((base[i] >= 'a' && base[i] <= 'z') || (base[i] >= 'A' && base[i] <= 'Z') ||
              (base[i] >= '0' && base[i] <= '9')))
            return false;
    return true;
}

static int frontend_argv(irs_strv *out)
{
    irs_strv raw = {0};
    int rc = proc_argv(0, &raw);
    for (size_t i = 0; rc == 0 && i < raw.n; i++) {
        if (strcmp(raw.v[i], "-o") == 0 && i + 1 < raw.n && is_driver_temp(raw.v[i + 1])) {
            i++;
            continue;
        }
        rc = irs_strv_push(out, raw.v[i]);
    }
    irs_strv_clear(&raw);
    return rc;
}

static int driver_argv(pid_t driver_pid, const char *source, irs_strv *out)
{
    const char *collect_gcc = getenv("COLLECT_GCC");
    if (!collect_gcc)
        return 0; /* front end run by hand: no driver */
    /* The driver sets COLLECT_GCC to its argv[0]: trust the parent's
     * command line only when it is that driver. */
    irs_strv parent = {0};
    if (driver_pid > 1 && proc_argv(driver_pid, &parent) == 0 && parent.n &&
        strcmp(parent.v[0], collect_gcc) == 0) {
        *out = parent;
        return 0;
    }
    irs_strv_clear(&parent);
    const char *opts = getenv("COLLECT_GCC_OPTIONS");
    if (irs_strv_push(out, collect_gcc) < 0 ||
        (opts && split_collect_options(opts, out) < 0) || irs_strv_push(out, source) < 0)
        return -1;
    return 0;
}

/* The object the driver writes for this TU: -o with -c or -S, else the
 * default name for -c/-S, else "" (a temporary object inside a link). */
static char *driver_output(const irs_strv *args, const char *source)
{
    const char *o = NULL, *mode = NULL;
    for (size_t i = 1; i < args->n; i++) {
        const char *a = args->v[i];
        if (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0)
            mode = a;
        else if (strcmp(a, "-o") == 0 && i + 1 < args->n)
            o = args->v[++i];
        else if (strncmp(a, "-o", 2) == 0 && a[2])
            o = a + 2;
    }
    if (!mode)
        return strdup("");
    if (o)
        return strdup(o);
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *name = malloc(stem + 3);
    if (name)
        snprintf(name, stem + 3, "%.*s.%c", (int)stem, base, mode[1] == 'c' ? 'o' : 's');
    return name;
}

/* "x86_64-linux-gnu-g++-12" -> "g++"; "cc" -> "gcc"; unknown names fall
 * back to the language's usual driver. */
static const char *compiler_name(const char *collect_gcc, const char *language)
{
    static const struct {
        const char *suffix, *name;
    } names[] = {{"g++", "g++"}, {"c++", "g++"}, {"gfortran", "gfortran"},
                 {"f95", "gfortran"}, {"gcc", "gcc"}, {"cc", "gcc"}};
    if (collect_gcc) {
        const char *base = strrchr(collect_gcc, '/');
        base = base ? base + 1 : collect_gcc;
        char name[256];
        snprintf(name, sizeof name, "%s", base);
        /* strip a version suffix: -12, -12.2 */
        char *dash = strrchr(name, '-');
        if (dash && dash[1] >= '0' && dash[1] <= '9' &&
            strspn(dash + 1, "0123456789.") == strlen(dash + 1))
            *dash = '\0';
        size_t n = strlen(name);
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            size_t sl = strlen(names[i].suffix);
            if (n >= sl && strcmp(name + n - sl, names[i].suffix) == 0 &&
                (n == sl || name[n - sl - 1] == '-'))
                return names[i].name;
        }
    }
    if (strcmp(language, "c++") == 0 || strcmp(language, "objective-c++") == 0)
        return "g++";
    if (strcmp(language, "fortran") == 0)
        return "gfortran";
    return "gcc";
}

/* Absolute path of the driver: COLLECT_GCC as run, looked up in PATH when it
 * has no slash; else the driver process's executable. */
static char *compiler_path(const char *collect_gcc, pid_t driver_pid)
{
    char buf[PATH_MAX];
    if (collect_gcc && strchr(collect_gcc, '/')) {
        if (collect_gcc[0] == '/')
            return strdup(collect_gcc);
        if (realpath(collect_gcc, buf))
            return strdup(buf);
    } else if (collect_gcc) {
        const char *path = getenv("PATH");
        while (path && *path) {
            size_t n = strcspn(path, ":");
            if (n && snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, collect_gcc) <
                         (int)sizeof buf &&
                access(buf, X_OK) == 0 && buf[0] == '/')
                return strdup(buf);
            path += n + (path[n] == ':');
        }
    }
    char link[64];
    snprintf(link, sizeof link, "/proc/%ld/exe", (long)driver_pid);
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n <= 0)
        return strdup("");
    buf[n] = '\0';
    return strdup(buf);
}

static const char *language_of(const char *lang_name)
{
    static const struct {
        const char *prefix, *language;
    } langs[] = {{"GNU C++", "c++"},           {"GNU Objective-C++", "objective-c++"},
                 {"GNU Objective-C", "objective-c"}, {"GNU C", "c"},
                 {"GNU Fortran", "fortran"},   {"GNU D", "d"},
                 {"GNU Ada", "ada"},           {"GNU Go", "go"},
                 {"GNU Modula-2", "modula-2"}};
    for (size_t i = 0; i < sizeof langs / sizeof *langs; i++)
        if (strncmp(lang_name, langs[i].prefix, strlen(langs[i].prefix)) == 0)
            return langs[i].language;
    return lang_name;
}

static char *target_triple(const char *configure_args)
{
    static const char *const keys[] = {"--target=", "--host=", "--build="};
    for (size_t i = 0; configure_args && i < 3; i++) {
        const char *p = strstr(configure_args, keys[i]);
        if (p) {
            p += strlen(keys[i]);
            return strndup(p, strcspn(p, " "));
        }
    }
    return strdup(COMTAINER_GCC_TRIPLE);
}

int cg_record_fill(irs_record *rec, const cg_compile *c, char *errbuf, size_t errlen)
{
    const char *collect_gcc = getenv("COLLECT_GCC");
    const char *language = language_of(c->lang_name);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    char *triple = target_triple(c->configure_args);
    char *path = compiler_path(collect_gcc, c->driver_pid);
    int rc = 0;
    rc |= irs_record_set(&rec->ir_kind, "gcc-lto");
    rc |= irs_record_set(&rec->producer, "comtainer-gcc-plugin " COMTAINER_VERSION);
    rc |= irs_record_set(&rec->compiler, compiler_name(collect_gcc, language));
    rc |= irs_record_set(&rec->compiler_version, c->compiler_version);
    rc |= irs_record_set(&rec->compiler_path, path);
    rc |= irs_record_set(&rec->language, language);
    rc |= irs_record_set(&rec->source, c->source);
    rc |= irs_record_set(&rec->cwd, cwd);
    rc |= irs_record_set(&rec->triple, triple);
    rc |= irs_record_set(&rec->target_cpu, c->target_cpu);
    rc |= irs_record_set(&rec->tune_cpu, c->tune_cpu);
    rc |= driver_argv(c->driver_pid, c->source, &rec->driver_args);
    rc |= frontend_argv(&rec->frontend_args);
    char *output = driver_output(&rec->driver_args, c->source);
    rc |= output ? irs_record_set(&rec->output, output) : -1;
    free(output);
    free(triple);
    free(path);
    rec->opt_level = c->opt_level;
    rec->size_level = c->size_level;
    rec->pic_level = c->pic_level;
    rec->pie_level = c->pie_level;
    rec->debug_info = c->debug_info;
    for (size_t i = 0; c->undef_target_macros && i < c->undef_target_macros->n; i++)
        rc |= irs_strv_push(&rec->undef_target_macros, c->undef_target_macros->v[i]);
    return rc ? cg_fail(errbuf, errlen, "out of memory describing the compile") : 0;
}

/* ---- the store -------------------------------------------------------------- */

int cg_store_tu(const lto_object *obj, const char *seed_suffix, irs_record *rec,
                char id[IRS_HASH_HEX_LEN + 1], char *errbuf, size_t errlen)
{
    void *blob = NULL;
    size_t len = 0;
    irs_store *store = NULL;
    ctr_error err = {0};
    if (lto_object_write(obj, seed_suffix, &blob, &len, errbuf, errlen) < 0)
        return -1;
    int rc = irs_store_open(NULL, IRS_OPEN_CREATE, &store, &err);
    if (rc == 0)
        rc = irs_blob_put(store, blob, len, rec->ir, &err);
    rec->ir_size = len;
    if (rc == 0)
        rc = irs_record_put(store, rec, id, &err);
    free(blob);
    irs_store_free(store);
    return rc < 0 ? cg_fail(errbuf, errlen, "%s", err.msg) : 0;
}

/* ---- the report ------------------------------------------------------------- */

static void write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

void cg_report_ok(int fd, const char *id)
{
    char line[16 + IRS_HASH_HEX_LEN];
    int n = snprintf(line, sizeof line, "ok %s\n", id);
    write_all(fd, line, (size_t)n);
}

void cg_report_error(int fd, const char *reason)
{
    char line[MAX_REPORT_BYTES];
    int n = snprintf(line, sizeof line, "error %s", reason);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    /* one line whatever the message holds */
    for (int i = 0; i < n; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[n++] = '\n';
    write_all(fd, line, (size_t)n);
}

int cg_report_collect(int fd, pid_t pid, char id[IRS_HASH_HEX_LEN + 1], char *reason,
                      size_t reasonlen, double *cpu_seconds)
{
    char line[MAX_REPORT_BYTES];
    size_t len = 0;
    for (;;) {
        char chunk[512];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n < sizeof line - 1 - len ? (size_t)n : sizeof line - 1 - len;
        memcpy(line + len, chunk, take);
        len += take;
    }
    line[len] = '\0';
    close(fd);

    int status = 0;
    pid_t got;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    *cpu_seconds = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    if (strncmp(line, "ok ", 3) == 0 && irs_is_hash_hex(line + 3)) {
        memcpy(id, line + 3, IRS_HASH_HEX_LEN + 1);
        return 0;
    }
    if (strncmp(line, "error ", 6) == 0)
        return cg_fail(reason, reasonlen, "%s", line + 6);
    if (got == pid && WIFSIGNALED(status))
        return cg_fail(reason, reasonlen, "capture process killed by signal %d",
                    WTERMSIG(status));
    if (got == pid && WIFEXITED(status))
        return cg_fail(reason, reasonlen, "capture process exited with status %d",
                    WEXITSTATUS(status));
    return cg_fail(reason, reasonlen, "capture process lost");
}

/* ---- the capture process ---------------------------------------------------- */

int cg_detach_outputs(int keep, bool keep_stderr)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        return -1;
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        close(null);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || fd == dirfd(d) || fd == null || fd == keep ||
            (keep_stderr && fd == STDERR_FILENO))
            continue;
        int fl = fcntl((int)fd, F_GETFL);
        if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
            continue;
        /* dup2 clears FD_CLOEXEC; keep what the descriptor had. */
        int fdfl = fcntl((int)fd, F_GETFD);
        if (dup2(null, (int)fd) < 0)
            rc = -1;
        else if (fdfl > 0)
            fcntl((int)fd, F_SETFD, fdfl);
    }
    closedir(d);
    close(null);
    return rc;
}
