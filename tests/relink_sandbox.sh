#!/usr/bin/env bash
# The sandboxes (issue 9, attacks 3 and 4).  Commands of --check/--pgo/
# --select run the image's own programs: once as full root behind a chroot,
# where the classic escape (chroot("/bin"), chdir("..") x64, chroot("."))
# wrote a file on the host and saw 113 host processes; a command that never
# ended hung ctr-relink, and outlived it after kill -9.  Now:
#  - a probe program in the image reports what it can do: uid 0 of its own
#    user namespace with no capabilities, no_new_privs, outside uid not 0,
#    a bounded tmpfs on /tmp, RLIMIT_NPROC/FSIZE/CORE, no network, a clean
#    environment (no operator variable), only its own processes in /proc;
#  - the chroot escape, tried as that root, fails: the canary on the host
#    stays as it was and nothing is written;
#  - a command that never ends is killed at --cmd-timeout with its whole
#    process tree, the originals kept; after kill -9 of ctr-relink the
#    command's processes are gone too;
#  - the toolchains run unprivileged and see only what the build needs:
#    IR whose inline assembly includes a host file (.incbin) cannot read it.
. "$TESTS_DIR/lib.sh"
relink_fixture
mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/dev"
cp /bin/dash "$root/bin/sh"
cp /bin/sleep "$root/bin/"
echo "canary $$" >"$WORK/canary"
cp "$WORK/canary" canary.orig

cat >probe.c <<'C'
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <netinet/in.h>
extern char **environ;
static void status_line(const char *key)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)))
            fprintf(stderr, "probe: %s", line);
    if (f)
        fclose(f);
}
int main(void)
{
    fprintf(stderr, "probe: uid %d\n", (int)getuid());
    status_line("CapEff:");
    status_line("CapBnd:");
    status_line("NoNewPrivs:");
    status_line("Seccomp:");
    /* without the filter: EFAULT (a bad pointer); with it: EPERM */
    long u = syscall(SYS_io_uring_setup, 1, (void *)1);
    fprintf(stderr, "probe: io_uring_setup %s\n", u == 0 ? "ok" : strerror(errno));
    char map[128] = "";
    int fd = open("/proc/self/uid_map", O_RDONLY);
    if (fd >= 0 && read(fd, map, sizeof map - 1) > 0)
        fprintf(stderr, "probe: uid_map %s", map);
    struct statfs sf;
    if (statfs("/tmp", &sf) == 0)
        fprintf(stderr, "probe: tmp bytes %llu\n",
                (unsigned long long)sf.f_blocks * (unsigned long long)sf.f_bsize);
    struct rlimit r;
    getrlimit(RLIMIT_NPROC, &r);
    fprintf(stderr, "probe: nproc %llu\n", (unsigned long long)r.rlim_cur);
    getrlimit(RLIMIT_FSIZE, &r);
    fprintf(stderr, "probe: fsize %llu\n", (unsigned long long)r.rlim_cur);
    getrlimit(RLIMIT_CORE, &r);
    fprintf(stderr, "probe: core %llu\n", (unsigned long long)r.rlim_cur);
    int procs = 0;
    DIR *d = opendir("/proc");
    for (struct dirent *de; d && (de = readdir(d));)
        procs += de->d_name[0] >= '0' && de->d_name[0] <= '9';
    fprintf(stderr, "probe: processes %d\n", procs);
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "CTR_TEST_SECRET=", 16))
            fprintf(stderr, "probe: saw the operator's environment\n");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9)};
    sa.sin_addr.s_addr = htonl(0x7f000001);
    int c = s >= 0 ? connect(s, (struct sockaddr *)&sa, sizeof sa) : -1;
    fprintf(stderr, "probe: loopback connect %s\n", c == 0 ? "ok" : strerror(errno));
    /* the classic chroot escape, then a write to the host's canary */
    int esc = mkdir("/tmp/x", 0700) == 0 && chroot("/tmp/x") == 0;
    for (int i = 0; esc && i < 64; i++)
        chdir("..");
    if (esc)
        chroot(".");
    fprintf(stderr, "probe: chroot %s\n", esc ? "worked" : strerror(errno));
    FILE *f = fopen(getenv("CANARY") ? getenv("CANARY") : "/nonexistent", "w");
    fprintf(stderr, "probe: canary %s\n", f ? "opened" : strerror(errno));
    if (f)
        fputs("owned\n", f), fclose(f);
    return 0;
}
C
"$CC_CLANG" -O2 probe.c -o "$root/opt/app/probe"
printf 'int main(void) { return 0; }\n' >p.c
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" p.c -o "$root/opt/app/p"

note "the command sandbox: what a program of the image can do"
CTR_TEST_SECRET=1 "$RELINK" "$root" -o "$WORK/out1" \
    --check "CANARY=$WORK/canary /opt/app/probe" >out1.txt 2>err1.txt ||
    { cat err1.txt; fail "ctr-relink with the probe"; }
cat err1.txt | grep probe: | sed 's/^/   /'
probe() { grep "^probe: $1" err1.txt | head -1 | cut -d' ' -f2-; }
assert_eq "uid 0" "$(probe uid)" "uid inside the sandbox"
assert_eq "CapEff:	0000000000000000" "$(probe CapEff)" "effective capabilities"
assert_eq "NoNewPrivs:	1" "$(probe NoNewPrivs)" "no_new_privs"
assert_eq "Seccomp:	2" "$(probe Seccomp)" "a seccomp filter"
assert_eq "io_uring_setup Operation not permitted" "$(probe io_uring_setup)" "io_uring refused by the filter"
tmp=$(probe "tmp bytes" | awk '{print $3}')
[ -n "$tmp" ] && [ "$tmp" -le $((1 << 30)) ] || fail "/tmp is not bounded: $tmp bytes"
assert_eq "nproc 4096" "$(probe nproc)" "RLIMIT_NPROC"
assert_eq "fsize $((4 << 30))" "$(probe fsize)" "RLIMIT_FSIZE"
assert_eq "core 0" "$(probe core)" "RLIMIT_CORE"
procs=$(probe processes | awk '{print $2}')
[ "$procs" -le 4 ] || fail "the command sees $procs processes"
grep_q "saw the operator's environment" err1.txt && fail "the operator's environment reached the image"
case "$(probe "loopback connect")" in
"loopback connect ok") fail "the command reached the host's network" ;;
esac
case "$(probe chroot)" in
"chroot worked") ;; # then it must still be inside: the canary below
"chroot "*) ;;
*) fail "no chroot line from the probe" ;;
esac
case "$(probe canary)" in
"canary opened") fail "the command opened the host's canary" ;;
esac
cmp -s canary.orig "$WORK/canary" || fail "the canary outside the work directory changed"

note "a command that never ends: killed at --cmd-timeout with its process tree"
tag="986.$$"
start=$(date +%s)
rc=0
"$RELINK" "$root" -o "$WORK/out2" --cmd-timeout 2 \
    --check "sleep $tag & sleep $tag" >out2.txt 2>err2.txt || rc=$?
took=$(($(date +%s) - start))
assert_eq 1 "$rc" "exit status (the check failed: originals kept)"
[ "$took" -lt 60 ] || fail "ctr-relink took $took s with a 2 s limit"
grep_q "timed out after 2 s" err2.txt || { cat err2.txt; fail "no time-out message"; }
cmp -s "$root/opt/app/p" "$WORK/out2/opt/app/p" || fail "the relinked file was kept after the failed check"
sleep 1
! ps -eo args | grep_q "^sleep $tag" || fail "the command's processes outlived the time limit"

note "kill -9 of ctr-relink: the command's processes end with it"
tag="985.$$"
"$RELINK" "$root" -o "$WORK/out3" --check "sleep $tag & sleep $tag" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
    ps -eo args | grep_q "^sleep $tag" && break
    sleep 0.2
done
ps -eo args | grep_q "^sleep $tag" || fail "the command never started"
# seen from the host, the sandbox's root is an unprivileged uid
uids=$(ps -eo uid=,args= | awk -v t="$tag" '$2 == "sleep" && $3 == t { print $1 }' | sort -u)
[ -n "$uids" ] || fail "no uid for the command's processes"
if [ "$(id -u)" = 0 ]; then
    assert_eq 65534 "$uids" "the command's uid on the host"
fi
kill -9 "$pid"
rc=0
wait "$pid" 2>/dev/null || rc=$?
assert_eq 137 "$rc" "exit status of the ctr-relink killed during --check"
for _ in $(seq 50); do
    ps -eo args | grep_q "^sleep $tag" || break
    sleep 0.2
done
! ps -eo args | grep_q "^sleep $tag" || fail "the command outlived ctr-relink"
[ ! -e "$WORK/out3" ] || fail "a half-written output after kill -9"

note "the toolchain sandbox: IR cannot read a host file"
echo "HOST-SECRET-$$" >"$WORK/secret"
chmod 600 "$WORK/secret"
cat >incbin.c <<C
__asm__(".section .rodata\n.incbin \"$WORK/secret\"\n.previous");
int main(void) { return 0; }
C
"$CC_CLANG" -O2 -fplugin="$COMTAINER_PLUGIN" incbin.c -o "$root/opt/app/incbin"
rc=0
"$RELINK" "$root" -o "$WORK/out4" >out4.txt 2>err4.txt || rc=$?
assert_eq 1 "$rc" "exit status (the .incbin program kept)"
assert_eq kept "$(awk '$1 == "/opt/app/incbin" { print $4 }' out4.txt)" "the .incbin program"
! grep -rq "HOST-SECRET-$$" "$WORK/out4.ctr-work" || fail "the host file reached the work directory"
cmp -s "$root/opt/app/incbin" "$WORK/out4/opt/app/incbin" || fail "the .incbin program changed"
if [ "$(id -u)" = 0 ]; then
    # the build's outputs belong to root again, and were written by the sandbox's uid
    owner=$(stat -c %u "$WORK/out4.ctr-work/bin")
    assert_eq 0 "$owner" "owner of bin/ after the build"
fi
note "sandbox checks passed"
