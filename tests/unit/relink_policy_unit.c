/* Unit tests of the relinker's policies over image strings: the grammar of
 * ELF link strings (link_policy.c), the options a GIMPLE object may pass
 * to lto-wrapper (object_policy.c), and the confined parse (confined.c).
 * No root needed, no toolchain. */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comtainer/files.h"
#include "check.h"
#include "comtainer/oci.h"
#include "confined.h"
#include "sandbox.h"
#include "link_policy.h"
#include "object_policy.h"

#ifdef __SANITIZE_ADDRESS__
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static void test_file_names(void)
{
    static const char *const good[] = {"libc.so.6", "libstdc++.so.6", "ld-linux-x86-64.so.2",
                                       "libmpi_gnu_123.so.12", "libQt5Core.so.5", "a"};
    static const char *const bad[] = {"", "-evil.so", ".hidden", "a,b", "a/b", "a b",
                                      "lib\nx.so", "lib$x.so", "lib'x", "x\x7f", "lib\xc3\xa9.so"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK(ctr_is_file_name(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!ctr_is_file_name(bad[i]));
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK(!ctr_is_file_name(longname));
}

static void test_paths(void)
{
    CHECK(ctr_is_clean_path("/lib64/ld-linux-x86-64.so.2"));
    CHECK(ctr_is_clean_path("/usr/lib/x86_64-linux-gnu"));
    CHECK(!ctr_is_clean_path("/")); /* no empty component, not even the root itself */
    CHECK(!ctr_is_clean_path("lib/x.so"));
    CHECK(!ctr_is_clean_path("/x,-o,/etc/passwd"));
    CHECK(!ctr_is_clean_path("/usr/../etc"));
    CHECK(!ctr_is_clean_path("/usr/./lib"));
    CHECK(!ctr_is_clean_path("/usr//lib"));
    CHECK(!ctr_is_clean_path("/usr/lib/"));
    CHECK(!ctr_is_clean_path("/a b"));
    CHECK(!ctr_is_clean_path("/a\nb"));
    CHECK(!ctr_is_clean_path("/a\\b"));
    CHECK(!ctr_is_clean_path("-/x"));
    CHECK(ctr_is_runpath_entry("$ORIGIN"));
    CHECK(ctr_is_runpath_entry("$ORIGIN/../lib"));
    CHECK(ctr_is_runpath_entry("${ORIGIN}/lib"));
    CHECK(ctr_is_runpath_entry("/opt/app/lib"));
    CHECK(!ctr_is_runpath_entry("$ORIGINX/lib"));
    CHECK(!ctr_is_runpath_entry("$ORIGIN/a,b"));
    CHECK(!ctr_is_runpath_entry("/usr/../../etc"));
    CHECK(!ctr_is_runpath_entry(""));
    CHECK(!ctr_is_runpath_entry("lib"));
    CHECK(!ctr_is_runpath_entry("-rpath"));
}

static void test_binary(void)
{
    char *needed_names[] = {"libc.so.6", "libx.so.1"};
    ctr_elf_link l = {.kind = CTR_ELF_PIE, .interp = "/lib64/ld-linux-x86-64.so.2",
                      .soname = ""};
    l.needed.v = needed_names;
    l.needed.n = 2;
    ctr_needed needed[] = {{"libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"},
                           {"libx.so.1", "/opt/lib/libx.so.1"}};
    ctr_binary b = {.inner = "/opt/app/p", .host = "/r/opt/app/p", .link = &l, .needed = needed};
    ctr_error err;
    CHECK(ctr_link_strings_check(&b, &err) == 0);
    needed[1].found = "/opt/lib/a b/libx.so.1";
    CHECK(ctr_link_strings_check(&b, &err) < 0 && err.code == CTR_E_POLICY &&
          strstr(err.msg, "the library found for"));
    needed[1].found = "/opt/lib/libx.so.1";
    l.soname = "libp.so,-o,/x";
    CHECK(ctr_link_strings_check(&b, &err) < 0 && err.code == CTR_E_POLICY &&
          strstr(err.msg, "DT_SONAME 'libp.so,-o,/x'"));
    l.soname = "";
    l.interp = "/lib/ld.so\x1b[2J";
    CHECK(ctr_link_strings_check(&b, &err) < 0 && err.code == CTR_E_POLICY &&
          strstr(err.msg, "PT_INTERP '/lib/ld.so\\x1b[2J'"));
}

static void test_gcc_options(void)
{
    static const char *const good[] = {
        "-O", "-O2", "-Os", "-Ofast", "-g", "-g2", "-gdwarf-5", "-fPIC", "-fno-pie",
        "-fno-openmp", "-fcf-protection=none", "-fasynchronous-unwind-tables", "-mtune=generic",
        "-march=x86-64-v3", "-mno-avx512f", "-funroll-loops", "-fstack-protector-strong",
        "-Wall"};
    static const char *const bad[] = {
        "-Xassembler", "--statistics", "-fplugin=x.so", "-fplugin-arg-a-b=1", "-fdump-tree-all",
        "-fprofile-use=/p", "-fno-profile-arcs", "-foffload=nvptx-none", "-flto-partition=one",
        "-fdebug-prefix-map=/a=/b", "-B/tmp", "-specs=x", "@file", "-Wa,--MD,x", "-Wl,-o,x",
        "-O4", "-march=a/b", "-mfoo,bar", "x", "", "-", "-m", "-f", "-fno-", "-o", "-dumpdir"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!ctr_gcc_lto_option_ok(good[i]))
            fprintf(stderr, "FAIL: '%s' refused\n", good[i]), failures++;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ctr_gcc_lto_option_ok(bad[i]))
            fprintf(stderr, "FAIL: '%s' allowed\n", bad[i]), failures++;
}

static void test_not_elf(void)
{
    ctr_error err;
    static const char junk[] = "not an ELF object";
    CHECK(ctr_object_policy_check(CTR_IR_GCC_LTO, junk, sizeof junk, "TU x", &err) < 0 &&
          strstr(err.msg, "TU x: not an ELF object"));
    CHECK(ctr_object_policy_check(CTR_IR_LLVM_BC, junk, sizeof junk, "TU x", &err) == 0);
}

/* confined work: a result, an error, a forbidden system call, a crash */
static int echo_fn(void *ctx, void **out, size_t *len, ctr_error *err)
{
    (void)err;
    *len = strlen(ctx) + 1;
    *out = malloc(*len); /* memory management is allowed */
    memcpy(*out, ctx, *len);
    return 0;
}

static int fail_fn(void *ctx, void **out, size_t *len, ctr_error *err)
{
    (void)ctx, (void)out, (void)len;
    return ctr_error_set(err, 0, "bad bitcode in TU x");
}

static int open_fn(void *ctx, void **out, size_t *len, ctr_error *err)
{
    (void)ctx, (void)out, (void)len;
    int fd = open("/etc/hostname", O_RDONLY); /* killed here */
    return ctr_error_set(err, 0, "open returned %d", fd);
}

static int crash_fn(void *ctx, void **out, size_t *len, ctr_error *err)
{
    (void)out, (void)len, (void)err;
    volatile int *p = ctx;
    return *p;
}

static void test_confined(void)
{
    ctr_sandbox sb = {.drop = geteuid() == 0, .uid = 65534, .gid = 65534};
    ctr_error err;
    void *out;
    size_t len;
    CHECK(ctr_confined_run(&sb, "t", echo_fn, "hello", 100, &out, &len, &err) == 0 &&
          len == 6 && !strcmp(out, "hello"));
    if (len == 6)
        free(out);
    CHECK(ctr_confined_run(&sb, "t", echo_fn, "hello", 3, &out, &len, &err) < 0 &&
          strstr(err.msg, "a result of 6 bytes"));
    CHECK(ctr_confined_run(&sb, "t", fail_fn, NULL, 100, &out, &len, &err) < 0 &&
          !strcmp(err.msg, "bad bitcode in TU x"));
    CHECK(ctr_confined_run(&sb, "TU y", open_fn, NULL, 100, &out, &len, &err) < 0 &&
          strstr(err.msg, "TU y: the confined parse was killed by signal 31 (a forbidden"));
    /* (under ASan its report, which opens files, is what the filter kills) */
    CHECK(ctr_confined_run(&sb, "TU z", crash_fn, NULL, 100, &out, &len, &err) < 0 &&
          (strstr(err.msg, "TU z: the confined parse was killed by signal 11") ||
           (SANITIZED && strstr(err.msg, "TU z: the confined parse was killed by signal 31"))));
}

/* What a sandboxed build leaves in a directory it wrote: only regular files
 * with one link survive ctr_sandbox_take, and they are ours. */
static void test_take(const char *scratch)
{
    char dir[4096], path[4200], outside[4200];
    snprintf(dir, sizeof dir, "%s/take", scratch);
    CHECK(make_scratch(scratch) == 0);
    ctr_sandbox sb = {.drop = geteuid() == 0, .uid = 65534, .gid = 65534};
    ctr_error err;
    CHECK(ctr_sandbox_give(&sb, dir, &err) == 0);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && (!sb.drop || st.st_uid == 65534));
    snprintf(outside, sizeof outside, "%s/outside", scratch);
    FILE *f = fopen(outside, "w");
    if (f)
        fputs("outside\n", f), fclose(f);
    snprintf(path, sizeof path, "%s/good", dir);
    f = fopen(path, "w");
    if (f)
        fputs("built\n", f), fclose(f);
    chmod(path, 04777);
    snprintf(path, sizeof path, "%s/symlink", dir);
    CHECK(symlink("/etc/passwd", path) == 0);
    snprintf(path, sizeof path, "%s/hardlink", dir);
    CHECK(link(outside, path) == 0);
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0644) == 0);
    snprintf(path, sizeof path, "%s/sub", dir);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/sub/deep", dir);
    f = fopen(path, "w");
    if (f)
        fclose(f);
    CHECK(ctr_sandbox_take(&sb, dir, &err) == 0);
    static const char *const gone[] = {"symlink", "hardlink", "fifo", "sub"};
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, gone[i]);
        if (lstat(path, &st) == 0)
            fprintf(stderr, "FAIL: '%s' survived ctr_sandbox_take\n", gone[i]), failures++;
    }
    snprintf(path, sizeof path, "%s/good", dir);
    CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & 07022) &&
          (!sb.drop || st.st_uid == 0));
    CHECK(stat(dir, &st) == 0 && (!sb.drop || st.st_uid == 0));
    CHECK(stat(outside, &st) == 0 && st.st_nlink == 1); /* the linked file itself stays */
}

int main(int argc, char **argv)
{
    if (argc > 1)
        test_take(argv[1]);
    test_confined();
    test_file_names();
    test_paths();
    test_binary();
    test_gcc_options();
    test_not_elf();
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("relink_policy_unit: all passed\n");
    return failures != 0;
}
