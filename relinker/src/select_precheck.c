/* --select's check before anything is built (see select.h,
 * ctr_select_precheck). */
#include "select.h"
#include "run_cmd.h"
#include "comtainer/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The last lines of a log (at most size - 1 bytes of them), for a message. */
static void log_tail(const char *log, char *buf, size_t size)
{
    buf[0] = '\0';
    int fd = open(log, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    off_t end = lseek(fd, 0, SEEK_END), from = end > (off_t)size - 1 ? end - (off_t)size + 1 : 0;
    ssize_t n = pread(fd, buf, size - 1, from);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char *nl = from > 0 ? strchr(buf, '\n') : NULL; /* from a line's start */
    if (nl)
        memmove(buf, nl + 1, strlen(nl + 1) + 1);
    size_t len = strlen(buf);
    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    for (char *p = buf; (p = strchr(p, '\n'));) /* one line: '|' between lines */
        *p = '|';
}

int ctr_select_precheck(const ctr_sandbox *sb, const char *root, const char *work,
                        const char *cmd, ctr_error *err)
{
    char troot[PATH_MAX * 2], log[PATH_MAX * 2], why[192], tail[512];
    snprintf(troot, sizeof troot, "%s/select-root", work);
    snprintf(log, sizeof log, "%s/select.log", work);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ctr_error_set(err, errno, "'%s'", log);
    int rc = ctr_cmd_root(root, troot, NULL, NULL, 0, err);
    ctr_cmd_run run;
    if (rc == 0) {
        dprintf(fd, "== before any build: the original binaries\n");
        bool ran = ctr_time_in_root(sb, troot, cmd, fd, &run, NULL, why, sizeof why);
        dprintf(fd, "== %.3f s, %s\n", run.seconds, why);
        if (!ran) {
            log_tail(log, tail, sizeof tail);
            rc = ctr_error_code(err, CTR_E_USAGE,
                                "--select: the command does not run to an end with the original "
                                "binaries (%s), so nothing was built; the end of %s: %s",
                                why, log, tail);
        }
    }
    close(fd);
    ctr_tree_remove(troot);
    return rc;
}
