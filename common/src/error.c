/* Error objects (see comtainer/error.h). */
#include "comtainer/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fill(ctr_error *err, ctr_errc code, int errnum, const char *fmt, va_list ap)
{
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    err->code = code;
    err->errnum = errnum;
    if (errnum && n >= 0 && (size_t)n < sizeof err->msg)
        snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(errnum));
    return -1;
}

int ctr_error_set(ctr_error *err, int errnum, const char *fmt, ...)
{
    if (!err)
        return -1;
    ctr_errc code = errnum == 0        ? CTR_E_INPUT
                    : errnum == ENOMEM ? CTR_E_NOMEM
                    : errnum == EEXIST ? CTR_E_EXISTS
                                       : CTR_E_SYSTEM;
    va_list ap;
    va_start(ap, fmt);
    fill(err, code, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int ctr_error_code(ctr_error *err, ctr_errc code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    fill(err, code, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int ctr_error_wrap(ctr_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncating a very long message is fine; the start says the most. */
    if (snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old) < 0)
        memcpy(err->msg, old, sizeof old);
    return -1;
}

int ctr_error_copy(ctr_error *dst, const ctr_error *src)
{
    if (dst && dst != src)
        *dst = *src;
    return -1;
}

const char *ctr_errc_name(ctr_errc code)
{
    static const char *const names[] = {
        [CTR_OK] = "ok",         [CTR_E_SYSTEM] = "system", [CTR_E_NOMEM] = "nomem",
        [CTR_E_INPUT] = "input", [CTR_E_POLICY] = "policy", [CTR_E_LIMIT] = "limit",
        [CTR_E_UNSUPPORTED] = "unsupported", [CTR_E_TOOL] = "tool",
        [CTR_E_EXISTS] = "exists", [CTR_E_USAGE] = "usage",      [CTR_E_SLOWER] = "slower",
    };
    return (unsigned)code < sizeof names / sizeof *names && names[code] ? names[code] : "unknown";
}
