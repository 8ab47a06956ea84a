/* The common library: error codes, the string builder, atomic writes,
 * trees copied, published and removed by descriptors, the escaper, the
 * toolchain's table and the COMTAINER_STRICT switch.  Works in a scratch
 * directory (argv[1]), no root needed. */
#include "check.h"
#include "comtainer/error.h"
#include "comtainer/files.h"
#include "comtainer/strbuf.h"
#include "comtainer/strict.h"
#include "comtainer/toolchain_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[PATH_MAX / 2];

static const char *at(const char *name)
{
    static char path[4][PATH_MAX];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static void test_errors(void)
{
    ctr_error err;
    CHECK(ctr_error_set(&err, 0, "'%s': bad", "f") == -1 && err.code == CTR_E_INPUT &&
          !strcmp(err.msg, "'f': bad"));
    CHECK(ctr_error_set(&err, ENOENT, "'f'") == -1 && err.code == CTR_E_SYSTEM &&
          err.errnum == ENOENT && strstr(err.msg, "'f': No such file"));
    CHECK(ctr_error_set(&err, ENOMEM, "x") == -1 && err.code == CTR_E_NOMEM);
    CHECK(ctr_error_code(&err, CTR_E_POLICY, "refused") == -1 && err.code == CTR_E_POLICY &&
          err.errnum == 0);
    CHECK(ctr_error_wrap(&err, "TU %d", 7) == -1 && !strcmp(err.msg, "TU 7: refused") &&
          err.code == CTR_E_POLICY);
    ctr_error copy;
    CHECK(ctr_error_copy(&copy, &err) == -1 && copy.code == CTR_E_POLICY &&
          !strcmp(copy.msg, err.msg));
    CHECK(ctr_error_set(NULL, 0, "ignored") == -1);
    CHECK(!strcmp(ctr_errc_name(CTR_E_LIMIT), "limit") &&
          !strcmp(ctr_errc_name((ctr_errc)999), "unknown"));
    /* a very long message is cut, never overflows */
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ctr_error_set(&err, EIO, "%s", big);
    CHECK(strlen(err.msg) == sizeof err.msg - 1);
}

static void test_strbuf(void)
{
    ctr_strbuf sb = CTR_STRBUF_INIT;
    CHECK(!strcmp(ctr_sb_str(&sb), ""));
    ctr_sb_add(&sb, "ab");
    ctr_sb_addf(&sb, "-%d-%s", 42, "x");
    ctr_sb_addn(&sb, "yz!", 2);
    CHECK(!strcmp(ctr_sb_str(&sb), "ab-42-xyz") && sb.len == 9);
    for (int i = 0; i < 1000; i++)
        ctr_sb_add(&sb, "0123456789");
    CHECK(sb.len == 10009 && ctr_sb_done(&sb, "t", NULL) == 0);
    char *p = ctr_sb_detach(&sb);
    CHECK(p && strlen(p) == 10009 && sb.buf == NULL && sb.len == 0);
    free(p);
    sb.failed = true; /* as after a failed allocation */
    ctr_sb_add(&sb, "lost");
    ctr_error err;
    CHECK(ctr_sb_done(&sb, "'f'", &err) == -1 && err.code == CTR_E_NOMEM);
    CHECK(ctr_sb_detach(&sb) == NULL && !sb.failed);
    char buf[64];
    CHECK(!strcmp(ctr_shown("a\x1b[2Jb\x7f", 0, buf, sizeof buf), "a\\x1b[2Jb\\x7f"));
    CHECK(!strcmp(ctr_shown("0123456789", 4, buf, sizeof buf), "0123..."));
    CHECK(!strcmp(ctr_shown("\xc3\xa9t\xc3\xa9", 0, buf, sizeof buf), "\xc3\xa9t\xc3\xa9"));
    char small[8];
    ctr_shown("\x01\x02\x03\x04", 0, small, sizeof small);
    CHECK(strlen(small) < sizeof small);
}

static void test_files(void)
{
    ctr_error err;
    const char *f = at("f");
    CHECK(ctr_file_write(f, "one", 3, 0640, 0, &err) == 0);
    struct stat st, st2;
    CHECK(stat(f, &st) == 0 && st.st_size == 3 && (st.st_mode & 07777) == 0640);
    /* the same bytes: the file is not touched (ninja sees nothing new) */
    CHECK(ctr_file_write(f, "one", 3, 0644, CTR_WRITE_KEEP_SAME, &err) == 0);
    CHECK(stat(f, &st2) == 0 && st2.st_ino == st.st_ino);
    CHECK(ctr_file_write(f, "two!", 4, 0644, CTR_WRITE_KEEP_SAME, &err) == 0);
    CHECK(stat(f, &st2) == 0 && st2.st_ino != st.st_ino && st2.st_size == 4);
    CHECK(ctr_file_write(f, "x", 1, 0644, CTR_WRITE_NOREPLACE, &err) == -1 &&
          err.code == CTR_E_EXISTS && strstr(err.msg, f));
    CHECK(ctr_file_same(f, f));
    /* no temporary file is left behind */
    char tmp[PATH_MAX];
    int fd = ctr_file_temp(f, tmp, sizeof tmp, &err);
    CHECK(fd >= 0 && !strncmp(tmp, f, strlen(f)));
    close(fd);
    CHECK(ctr_file_publish(tmp, f, CTR_WRITE_NOREPLACE, &err) == -1 && access(tmp, F_OK) < 0);
    /* a write into a missing directory: an error naming the file */
    CHECK(ctr_file_write(at("none/f"), "x", 1, 0644, 0, &err) == -1 &&
          err.code == CTR_E_SYSTEM && strstr(err.msg, "none/f"));
    /* copies: mode applied, never onto an existing file, never from a FIFO */
    CHECK(ctr_file_copy(f, at("g"), 0755, &err) == 0 && ctr_file_same(f, at("g")));
    CHECK(stat(at("g"), &st) == 0 && (st.st_mode & 07777) == 0755);
    CHECK(ctr_file_copy(f, at("g"), 0755, &err) == -1 && err.errnum == EEXIST);
    CHECK(mkfifo(at("fifo"), 0600) == 0);
    CHECK(ctr_file_copy(at("fifo"), at("h"), 0644, &err) == -1 && err.code == CTR_E_INPUT &&
          access(at("h"), F_OK) < 0);
    CHECK(symlink(f, at("link")) == 0);
    CHECK(ctr_file_copy(at("link"), at("h"), 0644, &err) == -1 && access(at("h"), F_OK) < 0);
}

static void test_trees(void)
{
    ctr_error err;
    const char *outside = at("outside");
    CHECK(mkdir(outside, 0755) == 0 && ctr_file_write(at("outside/keep"), "k", 1, 0644, 0, &err) == 0);
    CHECK(mkdir(at("t"), 0750) == 0 && mkdir(at("t/sub"), 0700) == 0);
    CHECK(ctr_file_write(at("t/sub/a"), "a", 1, 0600, 0, &err) == 0);
    CHECK(symlink(at("outside"), at("t/escape")) == 0 && mkfifo(at("t/sub/p"), 0600) == 0);
    CHECK(ctr_tree_link(at("t"), at("c"), &err) == 0);
    struct stat a, b;
    CHECK(stat(at("t/sub/a"), &a) == 0 && stat(at("c/sub/a"), &b) == 0 && a.st_ino == b.st_ino);
    CHECK(lstat(at("c/escape"), &b) == 0 && S_ISLNK(b.st_mode));
    CHECK(lstat(at("c/sub/p"), &b) == 0 && S_ISFIFO(b.st_mode));
    CHECK(stat(at("c/sub"), &b) == 0 && (b.st_mode & 07777) == 0700);
    CHECK(stat(at("c"), &b) == 0 && (b.st_mode & 07777) == 0750);
    CHECK(ctr_tree_link(at("t"), at("c"), &err) == -1 && err.errnum == EEXIST);
    CHECK(ctr_tree_link(at("missing"), at("d"), &err) == -1 && strstr(err.msg, "missing") &&
          access(at("d"), F_OK) < 0);
    /* publishing: refused onto an existing tree unless replacing, and then
     * swapped whole */
    CHECK(ctr_tree_link(at("t"), at("d"), &err) == 0);
    CHECK(ctr_tree_publish(at("d"), at("c"), false, &err) == -1 && err.code == CTR_E_EXISTS &&
          access(at("d"), F_OK) < 0 && access(at("c/sub/a"), F_OK) == 0);
    CHECK(mkdir(at("e"), 0755) == 0 && ctr_file_write(at("e/new"), "n", 1, 0644, 0, &err) == 0);
    CHECK(ctr_tree_publish(at("e"), at("c"), true, &err) == 0 && access(at("c/new"), F_OK) == 0 &&
          access(at("c/sub"), F_OK) < 0 && access(at("e"), F_OK) < 0);
    CHECK(mkdir(at("e"), 0755) == 0 && ctr_tree_publish(at("e"), at("fresh"), false, &err) == 0);
    /* removal follows no symlink and leaves what they point to */
    CHECK(ctr_tree_remove(at("t")) == 0 && access(at("t"), F_OK) < 0);
    CHECK(access(at("outside/keep"), F_OK) == 0);
    CHECK(ctr_tree_remove(at("t")) == 0); /* missing: no error */
    CHECK(mkdir(at("locked"), 0755) == 0 && mkdir(at("locked/in"), 0) == 0);
    CHECK(ctr_tree_remove(at("locked")) == 0 && access(at("locked"), F_OK) < 0);
}

/* The directories on a path: all there, one missing, one a symlink or a file. */
static void test_dirs_state(void)
{
    char where[PATH_MAX] = "";
    CHECK(mkdir(at("r"), 0755) == 0 && mkdir(at("r/a"), 0755) == 0 &&
          mkdir(at("r/a/b"), 0755) == 0);
    CHECK(ctr_tree_dirs_state(at("r"), "/a/b", where, sizeof where) == CTR_DIRS_ALL);
    CHECK(ctr_tree_dirs_state(at("r"), "/a/x/y", where, sizeof where) == CTR_DIRS_MISSING &&
          !strcmp(where, "/a/x"));
    CHECK(symlink(at("r/a"), at("r/l")) == 0);
    CHECK(ctr_tree_dirs_state(at("r"), "/l/b", where, sizeof where) == CTR_DIRS_OTHER &&
          !strcmp(where, "/l"));
    ctr_error err;
    CHECK(ctr_file_write(at("r/a/f"), "f", 1, 0644, 0, &err) == 0);
    CHECK(ctr_tree_dirs_state(at("r"), "/a/f/z", where, sizeof where) == CTR_DIRS_OTHER &&
          !strcmp(where, "/a/f"));
}

static void test_runtime_table(void)
{
    const ctr_runtime_file *f = ctr_runtime_find("libm.so.6", CTR_RUNTIME_SHARED);
    CHECK(f && !strcmp(f->flag, "-lm"));
    f = ctr_runtime_find("libc.so.6", CTR_RUNTIME_SHARED);
    CHECK(f && !strcmp(f->flag, ""));
    CHECK(ctr_runtime_find("libfoo.so.1", CTR_RUNTIME_SHARED) == NULL);
    CHECK(ctr_runtime_find("libm.so.6", CTR_RUNTIME_STATIC) == NULL);
    f = ctr_runtime_find("crtbeginS.o", CTR_RUNTIME_START);
    CHECK(f && f->every_link);
    CHECK(ctr_runtime_find("crtfastmath.o", CTR_RUNTIME_START) != NULL);
    CHECK(ctr_runtime_find("libclang_rt.builtins-x86_64.a", CTR_RUNTIME_STATIC) != NULL);
    CHECK(ctr_runtime_find("libm-2.36.a", CTR_RUNTIME_STATIC) != NULL);
    CHECK(ctr_runtime_find("libgfortran.a", CTR_RUNTIME_STATIC) != NULL);
    CHECK(ctr_runtime_find("libmine.a", CTR_RUNTIME_STATIC) == NULL);
    CHECK(ctr_runtime_find("main.o", CTR_RUNTIME_START) == NULL);
}

static void test_strict(void)
{
    unsetenv(CTR_STRICT_ENV);
    CHECK(!ctr_strict());
    setenv(CTR_STRICT_ENV, "", 1);
    CHECK(!ctr_strict());
    setenv(CTR_STRICT_ENV, "0", 1);
    CHECK(!ctr_strict());
    setenv(CTR_STRICT_ENV, "1", 1);
    CHECK(ctr_strict());
    setenv(CTR_STRICT_ENV, "yes", 1);
    CHECK(ctr_strict());
    unsetenv(CTR_STRICT_ENV);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: common_unit SCRATCH_DIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    if (make_scratch(dir) < 0)
        return 2;
    test_errors();
    test_strbuf();
    test_files();
    test_trees();
    test_dirs_state();
    test_runtime_table();
    test_strict();
    ctr_tree_remove(dir);
    return failures != 0;
}
