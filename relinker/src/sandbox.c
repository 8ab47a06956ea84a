/* The toolchain and command sandboxes (see sandbox.h): options, the
 * directories they write, the privilege drop.  The runs are in
 * sandbox_tool.c and sandbox_cmd.c, bwrap's arguments in sandbox_bwrap.c. */
#include "sandbox_private.h"
#include "comtainer/files.h"
#include "comtainer/oci.h"
#include "rootfs_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int ctr_sandbox_init(ctr_sandbox *sb, const char *user, unsigned build_timeout,
                     unsigned cmd_timeout, ctr_error *err)
{
    *sb = (ctr_sandbox){.drop = geteuid() == 0, .uid = CTR_SANDBOX_UID, .gid = CTR_SANDBOX_GID,
                        .build_timeout = build_timeout, .cmd_timeout = cmd_timeout};
    if (user) {
        char *end;
        errno = 0;
        unsigned long uid = strtoul(user, &end, 10), gid = uid;
        if (!errno && *end == ':')
            gid = strtoul(end + 1, &end, 10);
        if (errno || *end || end == user || uid == 0 || gid == 0 || uid > 0xfffffffeUL ||
            gid > 0xfffffffeUL)
            return ctr_error_set(err, 0, "--sandbox-user takes UID[:GID], neither 0, not '%s'",
                                 user);
        sb->uid = (uid_t)uid;
        sb->gid = (gid_t)gid;
    }
    return 0;
}

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char cand[PATH_MAX];
    for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        if (n && snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, prog) < (int)sizeof cand &&
            access(cand, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

int ctr_sandbox_available(ctr_error *err)
{
    if (!on_path("bwrap"))
        return ctr_error_set(err, 0, "bubblewrap ('bwrap') is not installed: toolchains and "
                                     "commands run in its sandbox (Debian: apt-get install "
                                     "bubblewrap)");
    if (!on_path("timeout"))
        return ctr_error_set(err, 0, "'timeout' (coreutils) is not installed");
    return 0;
}

/* ---- directories the sandbox writes ------------------------------------- */

static int open_dir(const char *dir, ctr_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        ctr_error_set(err, errno, "'%s'", dir);
    return fd;
}

int ctr_sandbox_give(const ctr_sandbox *sb, const char *dir, ctr_error *err)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return ctr_error_set(err, errno, "'%s'", dir);
    if (!sb->drop)
        return 0;
    int fd = open_dir(dir, err);
    if (fd < 0)
        return -1;
    /* its files too: ninja appends to its log in place */
    DIR *d = fdopendir(dup(fd));
    for (struct dirent *de; d && (de = readdir(d));) {
        struct stat st;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            fchownat(fd, de->d_name, sb->uid, sb->gid, AT_SYMLINK_NOFOLLOW);
    }
    if (d)
        closedir(d);
    int rc = fchown(fd, sb->uid, sb->gid) < 0 ? ctr_error_set(err, errno, "'%s'", dir) : 0;
    close(fd);
    return rc;
}

int ctr_sandbox_take(const ctr_sandbox *sb, const char *dir, ctr_error *err)
{
    int fd = open_dir(dir, err);
    if (fd < 0)
        return -1;
    /* first the directory: from here on no one else can add entries */
    if (sb->drop && (fchown(fd, 0, 0) < 0 || fchmod(fd, 0755) < 0)) {
        close(fd);
        return ctr_error_set(err, errno, "'%s'", dir);
    }
    DIR *d = fdopendir(dup(fd));
    int rc = d ? 0 : ctr_error_set(err, errno, "'%s'", dir);
    for (struct dirent *de; d && (de = readdir(d));) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
            /* dir is ours now, the name has no '/': the path cannot lead elsewhere */
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            if (ctr_tree_remove(path) < 0 && rc == 0)
                rc = ctr_error_set(err, errno, "removing '%s'", path);
            continue;
        }
        if (sb->drop && fchownat(fd, de->d_name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0 && rc == 0)
            rc = ctr_error_set(err, errno, "'%s/%s'", dir, de->d_name);
        if ((st.st_mode & 07022) && fchmodat(fd, de->d_name, st.st_mode & 0755, 0) < 0 &&
            rc == 0)
            rc = ctr_error_set(err, errno, "'%s/%s'", dir, de->d_name);
    }
    if (d)
        closedir(d);
    close(fd);
    return rc;
}

bool ctr_sandbox_become(const ctr_sandbox *sb)
{
    if (sb->drop && (setgroups(0, NULL) < 0 || setresgid(sb->gid, sb->gid, sb->gid) < 0 ||
                     setresuid(sb->uid, sb->uid, sb->uid) < 0 || geteuid() != sb->uid ||
                     getegid() != sb->gid))
        return false;
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

/* In the child, before exec: limits, the unprivileged identity, no new
 * privileges, death with the parent.  False if any of it failed: then the
 * child must not exec (it may still be root). */
