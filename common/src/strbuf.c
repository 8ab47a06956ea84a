/* Growing strings (see comtainer/strbuf.h). */
#include "comtainer/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool grow(ctr_strbuf *sb, size_t more)
{
    if (sb->failed)
        return false;
    if (more >= SIZE_MAX / 2 - sb->len) {
        sb->failed = true;
        return false;
    }
    if (sb->len + more + 1 <= sb->alloc)
        return true;
    size_t alloc = (sb->len + more + 1) * 2;
    char *p = realloc(sb->buf, alloc);
    if (!p) {
        sb->failed = true;
        return false;
    }
    sb->buf = p;
    sb->alloc = alloc;
    return true;
}

void ctr_sb_addn(ctr_strbuf *sb, const char *s, size_t n)
{
    if (!grow(sb, n))
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void ctr_sb_add(ctr_strbuf *sb, const char *s)
{
    ctr_sb_addn(sb, s, strlen(s));
}

void ctr_sb_addf(ctr_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if (!grow(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *ctr_sb_str(const ctr_strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

int ctr_sb_done(const ctr_strbuf *sb, const char *what, ctr_error *err)
{
    return sb->failed ? ctr_error_code(err, CTR_E_NOMEM, "%s: out of memory", what) : 0;
}

char *ctr_sb_detach(ctr_strbuf *sb)
{
    char *p = sb->failed ? NULL : sb->buf ? sb->buf : strdup("");
    if (sb->failed)
        free(sb->buf);
    *sb = (ctr_strbuf)CTR_STRBUF_INIT;
    return p;
}

const char *ctr_shown(const char *s, size_t max, char *buf, size_t size)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 8 < size; p++) {
        if (max && k >= max) {
            memcpy(buf + k, "...", 3);
            k += 3;
            break;
        }
        if (*p < ' ' || *p == 0x7f)
            k += (size_t)snprintf(buf + k, size - k, "\\x%02x", *p);
        else
            buf[k++] = (char)*p;
    }
    if (size)
        buf[k < size ? k : size - 1] = '\0';
    return buf;
}

void ctr_sb_release(ctr_strbuf *sb)
{
    free(sb->buf);
    *sb = (ctr_strbuf)CTR_STRBUF_INIT;
}
