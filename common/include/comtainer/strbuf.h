/* A growing string (git's strbuf): appends never fail on the spot; an
 * allocation failure marks the buffer failed, later appends do nothing, and
 * the one check at the end (ctr_sb_done) reports it. */
#ifndef COMTAINER_STRBUF_H
#define COMTAINER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "comtainer/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ctr_strbuf {
    char *buf;   /* NUL-terminated once anything was added; NULL before */
    size_t len;  /* bytes, without the NUL */
    size_t alloc;
    bool failed; /* an allocation failed: the content is incomplete */
} ctr_strbuf;

#define CTR_STRBUF_INIT {NULL, 0, 0, false}

void ctr_sb_add(ctr_strbuf *sb, const char *s);
void ctr_sb_addn(ctr_strbuf *sb, const char *s, size_t n);
void ctr_sb_addf(ctr_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The content ("" when empty); valid until the next append. */
const char *ctr_sb_str(const ctr_strbuf *sb);
/* -1 with CTR_E_NOMEM (naming `what`) when an append failed, else 0. */
int ctr_sb_done(const ctr_strbuf *sb, const char *what, ctr_error *err);
/* The malloc'ed content, the buffer emptied; NULL when an append failed
 * (the content is then freed). */
char *ctr_sb_detach(ctr_strbuf *sb);
/* Empty the buffer and free its memory. */
void ctr_sb_release(ctr_strbuf *sb);

/* Text from an image (a path, a string of its ELF files, a reason quoting
 * one) made safe for a message and a terminal: control characters and DEL
 * as \xNN, so that no escape sequence of the image's reaches the operator's
 * terminal; with max > 0, at most about max bytes of s, then "...".  Into buf
 * (size bytes, always terminated); returns buf. */
const char *ctr_shown(const char *s, size_t max, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
