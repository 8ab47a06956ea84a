/* The GCC plugin's work that needs no GCC headers: describing the compile
 * (driver and front-end command lines from /proc and the driver's
 * environment), writing IR and record into the store, and the one-line
 * report the capture process sends to the compiler. */
#ifndef COMTAINER_GCC_CAPTURE_H
#define COMTAINER_GCC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "comtainer/irstore.h"
#include "lto_object.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the plugin read from GCC's state before the capture process changed
 * it.  Strings are borrowed from GCC and stay valid in the capture process. */
typedef struct cg_compile {
    const char *lang_name;        /* lang_hooks.name, e.g. "GNU C++17" */
    const char *source;           /* main_input_filename */
    const char *compiler_version; /* e.g. "12.2.0 (Debian 12.2.0-14+deb12u1)" */
    const char *configure_args;   /* GCC's configuration arguments */
    const char *target_cpu;       /* -march, NULL when the target has none */
    const char *tune_cpu;
    pid_t driver_pid;             /* parent of the front end */
    int opt_level, size_level, pic_level, pie_level;
    bool debug_info;
    const irs_strv *undef_target_macros; /* sorted; may be NULL */
} cg_compile;

/* Fill a record (ir_kind gcc-lto, no IR address yet) for the compile.
 * Returns 0, or -1 with a message in errbuf. */
int cg_record_fill(irs_record *rec, const cg_compile *c, char *errbuf, size_t errlen);

/* Write the object built from the collected sections as a blob, then the
 * record pointing at it; id receives the TU id.  Returns 0, or -1 with a
 * message in errbuf. */
int cg_store_tu(const lto_object *obj, const char *seed_suffix, irs_record *rec,
                char id[IRS_HASH_HEX_LEN + 1], char *errbuf, size_t errlen);

/* The report on the pipe: "ok <id>\n" or "error <reason>\n". */
void cg_report_ok(int fd, const char *id);
void cg_report_error(int fd, const char *reason);
/* Read the report until EOF and reap the capture process.  Returns 0 with
 * the TU id, or -1 with the reason in reason; *cpu_seconds receives the
 * capture process's CPU time (user + system).  Never blocks once the
 * capture process has exited. */
int cg_report_collect(int fd, pid_t pid, char id[IRS_HASH_HEX_LEN + 1], char *reason,
                      size_t reasonlen, double *cpu_seconds);

/* Load the SHA-256 that irs_sha256_digest() uses (libnettle's, else
 * OpenSSL's libcrypto, opened only in the capture process; see
 * sha256_dlopen.c).  Returns 0, or
 * -1 with a message in errbuf.  irs_sha256_digest() loads it too, but can
 * only fail without saying why. */
int cg_sha256_load(char *errbuf, size_t errlen);

/* In the capture process: point every inherited descriptor open for writing
 * (the assembler output, dump and coverage files, stdout, stderr unless
 * keep_stderr) at /dev/null, so that nothing the compiler owns can change,
 * whatever the capture process does.  keep is left alone. */
int cg_detach_outputs(int keep, bool keep_stderr);

#ifdef __cplusplus
}
#endif
#endif
