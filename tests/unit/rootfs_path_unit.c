/* Unit tests of path resolution inside a root (rootfs_path.c), on a tree
 * made under a mkdtemp directory: symlinks absolute and relative resolved
 * as chroot(root) would, never outside the root; ".." stopping at the
 * root; loops, a path through a regular file, names too long and missing
 * components as errors whose message names the path.  No root needed. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rootfs_path.h"

static char top[PATH_MAX], root[PATH_MAX + 8];

static void must(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "FAIL: setting up %s: %s\n", what, strerror(errno));
        exit(1);
    }
}

static void mkdir_in(const char *inner)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s%s", root, inner);
    must(mkdir(p, 0755) == 0, p);
}

static void file_in(const char *inner)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s%s", root, inner);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    must(fd >= 0, p);
    close(fd);
}

static void link_in(const char *target, const char *inner)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s%s", root, inner);
    must(symlink(target, p) == 0, p);
}

/* path resolves to `want` inside the image (and root + want on the host) */
static bool resolves(const char *path, const char *want)
{
    char out[PATH_MAX * 2], inner[PATH_MAX], host[PATH_MAX * 2];
    ctr_error err = {0};
    if (ctr_rootfs_resolve(root, path, out, sizeof out, inner, sizeof inner, &err) != 0) {
        fprintf(stderr, "  '%s': %s\n", path, err.msg);
        return false;
    }
    snprintf(host, sizeof host, "%s%s", root, want);
    if (strcmp(inner, want) || strcmp(out, host)) {
        fprintf(stderr, "  '%s': '%s' (%s), not '%s'\n", path, inner, out, want);
        return false;
    }
    return true;
}

/* path fails with errnum, and the message names the path */
static bool fails(const char *path, int errnum)
{
    char out[PATH_MAX * 2] = "untouched", inner[PATH_MAX];
    ctr_error err = {0};
    int rc = ctr_rootfs_resolve(root, path, out, sizeof out, inner, sizeof inner, &err);
    char start[65]; /* a long path's message holds its start at least */
    snprintf(start, sizeof start, "%s", path);
    bool named = strstr(err.msg, start) != NULL;
    if (rc != -1 || err.errnum != errnum || !named) {
        fprintf(stderr, "  '%.80s': rc %d, errno %d (want %d): %s\n", path, rc, err.errnum, errnum,
                err.msg);
        return false;
    }
    return true;
}

/* the image:
 *   /usr/bin/prog, /usr/lib/libfoo.so.1, /usr/lib/libfoo.so -> libfoo.so.1
 *   /lib -> usr/lib, /lib64 -> /usr/lib, /bin -> /usr/bin
 *   /usr/lib/up -> ../../../../usr/bin/prog (climbs above /)
 *   /usr/lib/abs_up -> /../../usr/lib/libfoo.so.1
 *   /usr/lib/host -> <the host path of top>/secret (absolute: inside the root)
 *   /usr/lib/out -> ../../../secret (relative, above /: inside the root)
 *   /top -> /, /dot -> ., /chain0 -> chain1 -> ... -> chain40 -> /usr/bin/prog
 *   (41 links)
 *   /loop_a -> loop_b -> loop_a, /self -> self, /dangling -> /nowhere
 *   /usr/lib/dir_up -> /usr/lib/.. (a directory)
 * and beside the root, <top>/secret, which no path may reach. */
static void make_tree(void)
{
    snprintf(top, sizeof top, "%s/rootfs_path_unit.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    must(mkdtemp(top) != NULL, top);
    snprintf(root, sizeof root, "%s/root", top);
    must(mkdir(root, 0755) == 0, root);
    char secret[PATH_MAX * 2];
    snprintf(secret, sizeof secret, "%s/secret", top);
    int fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0644);
    must(fd >= 0, secret);
    close(fd);

    mkdir_in("/usr");
    mkdir_in("/usr/bin");
    mkdir_in("/usr/lib");
    file_in("/usr/bin/prog");
    file_in("/usr/lib/libfoo.so.1");
    link_in("libfoo.so.1", "/usr/lib/libfoo.so");
    link_in("usr/lib", "/lib");
    link_in("/usr/lib", "/lib64");
    link_in("/usr/bin", "/bin");
    link_in("../../../../usr/bin/prog", "/usr/lib/up");
    link_in("/../../usr/lib/libfoo.so.1", "/usr/lib/abs_up");
    link_in(secret, "/usr/lib/host");
    link_in("../../../secret", "/usr/lib/out");
    link_in("/", "/top");
    link_in(".", "/dot");
    link_in("/usr/lib/..", "/usr/lib/dir_up");
    for (int i = 0; i < 40; i++) {
        char name[32], target[32];
        snprintf(name, sizeof name, "/chain%d", i);
        snprintf(target, sizeof target, "chain%d", i + 1);
        link_in(target, name);
    }
    link_in("/usr/bin/prog", "/chain40");
    link_in("loop_b", "/loop_a");
    link_in("loop_a", "/loop_b");
    link_in("self", "/self");
    link_in("/nowhere", "/dangling");
}

static void test_plain(void)
{
    CHECK(resolves("/usr/bin/prog", "/usr/bin/prog"));
    CHECK(resolves("/usr/bin", "/usr/bin"));
    CHECK(resolves("/", "/"));
    CHECK(resolves("", "/"));
    CHECK(resolves("//usr/./bin//prog", "/usr/bin/prog"));
    CHECK(resolves("/usr/bin/", "/usr/bin"));
    CHECK(resolves("usr/bin/prog", "/usr/bin/prog")); /* relative: from the root */
    /* ".." is the parent inside the image, and stays at the root */
    CHECK(resolves("/usr/lib/../bin/prog", "/usr/bin/prog"));
    CHECK(resolves("/../../../usr/bin/prog", "/usr/bin/prog"));
    CHECK(resolves("/..", "/"));
    /* inner may be NULL */
    char out[PATH_MAX * 2], want[PATH_MAX * 2];
    ctr_error err = {0};
    snprintf(want, sizeof want, "%s/usr/lib/libfoo.so.1", root);
    CHECK(ctr_rootfs_resolve(root, "/lib/libfoo.so", out, sizeof out, NULL, 0, &err) == 0 &&
          !strcmp(out, want));
}

static void test_links(void)
{
    /* the final component followed: the file it names */
    CHECK(resolves("/usr/lib/libfoo.so", "/usr/lib/libfoo.so.1"));
    /* relative and absolute directory links */
    CHECK(resolves("/lib/libfoo.so", "/usr/lib/libfoo.so.1"));
    CHECK(resolves("/lib64/libfoo.so.1", "/usr/lib/libfoo.so.1"));
    CHECK(resolves("/bin/prog", "/usr/bin/prog"));
    CHECK(resolves("/lib", "/usr/lib"));
    /* ".." after a directory link: the parent of where it led (as the
     * kernel walks), not of the link */
    CHECK(resolves("/lib/../bin/prog", "/usr/bin/prog"));
    CHECK(resolves("/bin/../lib/libfoo.so.1", "/usr/lib/libfoo.so.1"));
    CHECK(resolves("/usr/lib/dir_up/bin/prog", "/usr/bin/prog"));
    /* relative targets climbing above / stop at the root */
    CHECK(resolves("/usr/lib/up", "/usr/bin/prog"));
    CHECK(resolves("/lib/up", "/usr/bin/prog"));
    /* absolute targets restart at the root, and ".." there stays */
    CHECK(resolves("/usr/lib/abs_up", "/usr/lib/libfoo.so.1"));
    CHECK(resolves("/top/top/usr/bin/prog", "/usr/bin/prog"));
    CHECK(resolves("/top", "/"));
    CHECK(resolves("/dot/dot/usr/bin/prog", "/usr/bin/prog"));
    /* 40 links in a row, Linux's limit, are followed (chain1 ... chain40) */
    CHECK(resolves("/chain1", "/usr/bin/prog"));
    CHECK(resolves("/chain2", "/usr/bin/prog"));
}

static void test_errors(void)
{
    /* links that would leave the root look inside it instead: there is
     * no secret in the image */
    CHECK(fails("/usr/lib/out", ENOENT));
    CHECK(fails("/usr/lib/host", ENOENT));
    CHECK(fails("/../secret", ENOENT));
    CHECK(fails("/lib/../../secret", ENOENT));
    /* missing components, final or not, and a dangling link */
    CHECK(fails("/usr/bin/missing", ENOENT));
    CHECK(fails("/nodir/prog", ENOENT));
    CHECK(fails("/dangling", ENOENT));
    CHECK(fails("/dangling/x", ENOENT));
    /* through a regular file */
    CHECK(fails("/usr/bin/prog/x", ENOTDIR));
    CHECK(fails("/lib/libfoo.so/x", ENOTDIR));
    /* loops, and one link more than the limit: chain0 ... chain40, or
     * /top and then chain1 ... chain40 */
    CHECK(fails("/loop_a", ELOOP));
    CHECK(fails("/loop_b/x", ELOOP));
    CHECK(fails("/self", ELOOP));
    CHECK(fails("/chain0", ELOOP));
    CHECK(fails("/top/chain1", ELOOP));
    /* a component longer than NAME_MAX, a path longer than PATH_MAX */
    char longname[NAME_MAX + 3] = "/";
    memset(longname + 1, 'n', NAME_MAX + 1);
    longname[NAME_MAX + 2] = '\0';
    CHECK(fails(longname, ENAMETOOLONG));
    static char longpath[PATH_MAX + 16];
    for (size_t i = 0; i + 2 < sizeof longpath; i += 2)
        memcpy(longpath + i, "/.", 2);
    longpath[sizeof longpath - 1] = '\0';
    CHECK(fails(longpath, ENAMETOOLONG));
    /* a name of exactly NAME_MAX is fine (but missing) */
    longname[NAME_MAX + 1] = '\0';
    CHECK(fails(longname, ENOENT));
    /* an output buffer too small */
    char small[8], inner[PATH_MAX];
    ctr_error err = {0};
    CHECK(ctr_rootfs_resolve(root, "/usr/bin/prog", small, sizeof small, inner, sizeof inner, &err) == -1 &&
          err.errnum == ENAMETOOLONG && strstr(err.msg, "/usr/bin/prog"));
    char out[PATH_MAX * 2], tiny[4];
    err = (ctr_error){0};
    CHECK(ctr_rootfs_resolve(root, "/usr/bin/prog", out, sizeof out, tiny, sizeof tiny, &err) == -1 &&
          err.errnum == ENAMETOOLONG && strstr(err.msg, "/usr/bin/prog"));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(void)
{
    make_tree();
    test_plain();
    test_links();
    test_errors();
    nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("rootfs_path_unit: all passed\n");
    return failures != 0;
}
