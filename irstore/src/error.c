/* Error objects: fill once where the failure happens, add context on the way up. */
#include "comtainer/irstore.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ctr_error_set(ctr_error *err, int errnum, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->errnum = errnum;
    if (errnum && n >= 0 && (size_t)n < sizeof err->msg)
        snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(errnum));
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
