/* The GCC plugin's C parts report failures as a message in a caller's buffer
 * (the capture process sends it to the compiler through a pipe). */
#ifndef COMTAINER_GCC_ERRBUF_H
#define COMTAINER_GCC_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Format the message into errbuf; returns -1, so that failing is one line. */
static inline int cg_fail(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int cg_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

#endif
