/* The IR blob of a GCC translation unit: its GIMPLE LTO sections packed into a
 * small ELF relocatable object that `gcc -flto` accepts as an input file.
 * No GCC headers here: the plugin hands over plain bytes. */
#ifndef COMTAINER_GCC_LTO_OBJECT_H
#define COMTAINER_GCC_LTO_OBJECT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lto_object lto_object;

lto_object *lto_object_new(void);
void lto_object_free(lto_object *obj);

/* Start a section named name (copied); later appends go to it. */
int lto_object_begin(lto_object *obj, const char *name);
/* Append len bytes (copied) to the current section; -1 if none is open. */
int lto_object_append(lto_object *obj, const void *data, size_t len);
/* Number of sections collected so far. */
size_t lto_object_count(const lto_object *obj);

/* Serialize to an ELF relocatable object.  GCC ends every LTO section name
 * but `.opts` with "." and a random per-compile number (seed_suffix, e.g.
 * ".ef042905d8747c41"); that suffix is replaced by one derived from the
 * content (16 hex digits of the SHA-256 of the object with placeholder
 * suffixes), so equal IR gives equal bytes while objects with different IR
 * still have distinct names (as `ld -r` requires).  The object is built
 * once.  *buf is malloc'ed.  Returns 0, or -1 with a message in errbuf. */
int lto_object_write(const lto_object *obj, const char *seed_suffix, void **buf,
                     size_t *len, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
