/* The one error object of comtainer: every library fills it where a
 * failure happens and callers add context on the way up (crun's
 * error_handling.md).  A stable code says what kind of failure it was, so
 * that callers and tests branch on the code, never on the message.
 *
 * Conventions: a function that can fail returns 0 on success and -1 on
 * failure, in which case it filled *err (err may be NULL when the caller does
 * not care).  Messages are lower-case, name the file or object in quotes and
 * the problem, and end without a period. */
#ifndef COMTAINER_ERROR_H
#define COMTAINER_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* What went wrong, in classes a caller can act on.  The values are stable:
 * new codes are added at the end. */
typedef enum ctr_errc {
    CTR_OK = 0,
    CTR_E_SYSTEM,      /* a system call failed: errnum says which */
    CTR_E_NOMEM,       /* out of memory */
    CTR_E_INPUT,       /* malformed or inconsistent input: a file, a record, an image */
    CTR_E_POLICY,      /* well-formed input that a safety rule refuses */
    CTR_E_LIMIT,       /* a bound on size, count, depth or time was reached */
    CTR_E_UNSUPPORTED, /* input of a kind or version this build cannot handle */
    CTR_E_TOOL,        /* a program we ran (a toolchain, a command) failed */
    CTR_E_EXISTS,      /* the destination exists and may not be replaced */
    CTR_E_USAGE,       /* the caller's request cannot be met as asked */
    CTR_E_SLOWER,      /* measured, and no faster than what it would replace */
} ctr_errc;

typedef struct ctr_error {
    ctr_errc code;
    int errnum;     /* errno value when the cause was a system call, else 0 */
    char msg[1024]; /* names the file and the problem */
} ctr_error;

/* Fill err (if not NULL) with a formatted message; with errnum, ": strerror"
 * is appended.  The code follows from errnum: 0 is CTR_E_INPUT, ENOMEM
 * CTR_E_NOMEM, EEXIST CTR_E_EXISTS, anything else CTR_E_SYSTEM.  Returns -1. */
int ctr_error_set(ctr_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fill err with an explicit code and no errno.  Returns -1. */
int ctr_error_code(ctr_error *err, ctr_errc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix the message already in err with more context (the code stays).
 * Returns -1. */
int ctr_error_wrap(ctr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A copy of src's code, errnum and message into dst (if not NULL).  Returns -1. */
int ctr_error_copy(ctr_error *dst, const ctr_error *src);
/* The code's name ("input", "policy", ...), for --json and tests. */
const char *ctr_errc_name(ctr_errc code);

#ifdef __cplusplus
}
#endif

#endif
