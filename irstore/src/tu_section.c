/* The TU record carried by objects: reading it back from ELF files and ar
 * archives (with libelf).  The file is untrusted:
 * every entry is checked for the exact "CMTR1:<64 hex>\n" shape. */
#include "irstore_private.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRY_LEN (sizeof IRS_SECTION_TAG - 1 + IRS_HASH_HEX_LEN + 1)
/* An executable of a million TUs would still be far below this many. */
#define MAX_IDS (1u << 22)

void irs_ids_free(char **ids)
{
    if (!ids)
        return;
    for (char **p = ids; *p; p++)
        free(*p);
    free(ids);
}

struct idlist {
    char **v;
    size_t n, cap;
};

static int push_id(struct idlist *l, const char *id, size_t len, ctr_error *err)
{
    if (l->n + 2 > l->cap) {
        if (l->n >= MAX_IDS)
            return ctr_error_code(err, CTR_E_LIMIT, "too many TU records");
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return ctr_error_set(err, ENOMEM, "reading TU records");
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strndup(id, len)))
        return ctr_error_set(err, ENOMEM, "reading TU records");
    l->v[++l->n] = NULL;
    return 0;
}

static int parse_section(const char *data, size_t size, struct idlist *l,
                         const char *what, ctr_error *err)
{
    const size_t taglen = sizeof IRS_SECTION_TAG - 1;
    size_t off = 0;
    while (off < size) {
        if (data[off] == '\0') { /* alignment padding between inputs */
            off++;
            continue;
        }
        if (size - off < ENTRY_LEN || memcmp(data + off, IRS_SECTION_TAG, taglen) != 0 ||
            data[off + ENTRY_LEN - 1] != '\n')
            return ctr_error_set(err, 0, "%s: malformed " IRS_SECTION_NAME
                                 " entry at offset %zu", what, off);
        char id[IRS_HASH_HEX_LEN + 1];
        memcpy(id, data + off + taglen, IRS_HASH_HEX_LEN);
        id[IRS_HASH_HEX_LEN] = '\0';
        if (!irs_is_hash_hex(id))
            return ctr_error_set(err, 0, "%s: malformed TU id at offset %zu", what, off);
        if (push_id(l, id, IRS_HASH_HEX_LEN, err) < 0)
            return -1;
        off += ENTRY_LEN;
    }
    return 0;
}

int irs_section_tu_ids(const void *data, size_t size, const char *what, char ***ids,
                       size_t *n, ctr_error *err)
{
    struct idlist l = {0};
    *ids = NULL;
    *n = 0;
    if (parse_section(data, size, &l, what, err) < 0 ||
        (!l.v && !(l.v = calloc(1, sizeof *l.v)) &&
         ctr_error_set(err, ENOMEM, "%s", what) < 0)) {
        for (size_t i = 0; i < l.n; i++)
            free(l.v[i]);
        free(l.v);
        return -1;
    }
    *ids = l.v;
    *n = l.n;
    return 0;
}

static int scan_elf(Elf *elf, const char *section, irs__section_fn fn, void *ctx,
                    const char *what, ctr_error *err)
{
    size_t shstrndx;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return ctr_error_set(err, 0, "%s: bad ELF section headers: %s", what,
                             elf_errmsg(-1));
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            return ctr_error_set(err, 0, "%s: bad section header: %s", what,
                                 elf_errmsg(-1));
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!name || strcmp(name, section) != 0 || sh.sh_type == SHT_NOBITS)
            continue;
        for (Elf_Data *d = NULL; (d = elf_rawdata(scn, d));) {
            if (d->d_size && !d->d_buf)
                return ctr_error_set(err, 0, "%s: unreadable %s", what, section);
            if (fn(d->d_buf, d->d_size, what, ctx, err) < 0)
                return -1;
        }
    }
    return 0;
}

static int looks_like_bitcode(int fd)
{
    unsigned char m[4];
    if (pread(fd, m, 4, 0) != 4)
        return 0;
    return (m[0] == 'B' && m[1] == 'C' && m[2] == 0xc0 && m[3] == 0xde) ||
           (m[0] == 0xde && m[1] == 0xc0 && m[2] == 0x17 && m[3] == 0x0b);
}

int irs__each_section(const char *path, const char *section, irs__section_fn fn, void *ctx,
                      ctr_error *err)
{
    int rc = -1;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ctr_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
    int fd = irs_open_regular(path, 0, NULL, err);
    if (fd < 0)
        return -1;
    Elf *top = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!top) {
        ctr_error_set(err, 0, "'%s': %s", path, elf_errmsg(-1));
        goto out;
    }
    char what[4096];
    switch (elf_kind(top)) {
    case ELF_K_ELF:
        snprintf(what, sizeof what, "'%s'", path);
        rc = scan_elf(top, section, fn, ctx, what, err);
        break;
    case ELF_K_AR: {
        rc = 0;
        Elf_Cmd cmd = ELF_C_READ_MMAP;
        Elf *m;
        while (rc == 0 && (m = elf_begin(fd, cmd, top))) {
            Elf_Arhdr *ah = elf_getarhdr(m);
            snprintf(what, sizeof what, "'%s(%s)'", path, ah && ah->ar_name ? ah->ar_name : "?");
            /* skip the symbol table and string table pseudo-members */
            if (elf_kind(m) == ELF_K_ELF && !(ah && ah->ar_name && ah->ar_name[0] == '/'))
                rc = scan_elf(m, section, fn, ctx, what, err);
            cmd = elf_next(m);
            elf_end(m);
        }
        break;
    }
    default:
        if (looks_like_bitcode(fd))
            ctr_error_set(err, 0, "'%s' is an LLVM bitcode object (built with -flto): its "
                          "TU records appear in the program linked from it", path);
        else
            ctr_error_set(err, 0, "'%s' is not an ELF file or ar archive", path);
        break;
    }
out:
    if (top)
        elf_end(top);
    close(fd);
    return rc;
}

static int parse_into(const void *data, size_t size, const char *what, void *ctx,
                      ctr_error *err)
{
    return parse_section(data, size, ctx, what, err);
}

int irs_elf_tu_ids(const char *path, char ***ids, size_t *n, ctr_error *err)
{
    struct idlist l = {0};
    *ids = NULL;
    *n = 0;
    int rc = irs__each_section(path, IRS_SECTION_NAME, parse_into, &l, err);
    if (rc < 0) {
        for (size_t i = 0; i < l.n; i++)
            free(l.v[i]);
        free(l.v);
        return -1;
    }
    if (!l.v && !(l.v = calloc(1, sizeof *l.v)))
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    *ids = l.v;
    *n = l.n;
    return 0;
}
