/* Examining one linker input: an object, an archive member (the linker
 * gives the archive's name, its descriptor and the member's offset), a
 * shared library.  Everything is read with pread, so that the linker's file
 * position is never disturbed; the input is untrusted. */
#include "input.h"
#include "comtainer/toolchain_runtime.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Largest object stored (the store refuses larger blobs anyway). */
#define MAX_OBJECT_BYTES ((off_t)1 << 30)
#define MAX_MEMBERS (1u << 20)
#define MAX_LONGNAMES (16u << 20)

const char *ld_input_class_name(enum ld_input_class c)
{
    switch (c) {
    case LDI_TU: return "tu";
    case LDI_LTO: return "lto";
    case LDI_RUNTIME: return "runtime";
    case LDI_OBJECT: return "object";
    case LDI_SHARED: return "shared";
    case LDI_ARCHIVE: return "archive";
    case LDI_OTHER: break;
    }
    return "other";
}

void ld_input_clear(struct ld_input *in)
{
    free(in->path);
    free(in->data);
    free(in->carried);
    irs_ids_free(in->ids);
    memset(in, 0, sizeof *in);
}

static int read_at(int fd, void *buf, size_t len, off_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : (int)(errno = 0, -1);
        done += (size_t)r;
    }
    return 0;
}

/* ---- archive member names ----------------------------------------------- */

struct member {
    off_t data; /* offset of the member's bytes */
    char *name;
};

static struct {
    char *archive; /* name as the linker gave it */
    struct member *m;
    size_t n;
} cache;

void ld_input_cache_free(void)
{
    for (size_t i = 0; i < cache.n; i++)
        free(cache.m[i].name);
    free(cache.m);
    free(cache.archive);
    memset(&cache, 0, sizeof cache);
}

static char *trimmed(const char *s, size_t len)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '/'))
        len--;
    return strndup(s, len);
}

/* The table of a GNU (or BSD) ar archive's members: offsets and names. */
static int load_members(const char *archive, int fd)
{
    ld_input_cache_free();
    if (!(cache.archive = strdup(archive)))
        return -1;
    char *longnames = NULL;
    size_t longlen = 0, cap = 0;
    off_t off = 8;
    int rc = 0;
    for (;;) {
        char h[60];
        if (read_at(fd, h, sizeof h, off) < 0 || h[58] != '`' || h[59] != '\n')
            break; /* end of the archive (or a bad header: stop there) */
        char sz[11];
        memcpy(sz, h + 48, 10);
        sz[10] = '\0';
        char *end;
        unsigned long long size = strtoull(sz, &end, 10);
        if (end == sz)
            break;
        off_t data = off + 60;
        char *name = NULL;
        if (!memcmp(h, "#1/", 3)) { /* BSD: the name follows the header */
            unsigned long nl = strtoul(h + 3, NULL, 10);
            if (nl > 4096 || nl > size || !(name = calloc(1, nl + 1)) ||
                read_at(fd, name, nl, data) < 0) {
                free(name);
                break;
            }
            data += (off_t)nl;
        } else if (h[0] == '/' && h[1] == '/' && h[2] == ' ') { /* GNU long names */
            if (size <= MAX_LONGNAMES && !longnames && (longnames = malloc(size + 1)) &&
                read_at(fd, longnames, size, data) == 0) {
                longlen = size;
                longnames[size] = '\0';
            }
        } else if (h[0] == '/' && h[1] >= '0' && h[1] <= '9') {
            unsigned long i = strtoul(h + 1, NULL, 10);
            if (longnames && i < longlen) {
                size_t len = strcspn(longnames + i, "\n");
                name = trimmed(longnames + i, len);
            }
        } else if (h[0] != '/') {
            name = trimmed(h, 16);
        }
        if (name) {
            if (cache.n == cap) {
                size_t ncap = cap ? 2 * cap : 64;
                struct member *m = ncap <= MAX_MEMBERS ? realloc(cache.m, ncap * sizeof *m) : NULL;
                if (!m) {
                    free(name);
                    rc = -1;
                    break;
                }
                cache.m = m;
                cap = ncap;
            }
            cache.m[cache.n].data = data;
            cache.m[cache.n++].name = name;
        }
        off = off + 60 + (off_t)size;
        off += off & 1;
    }
    free(longnames);
    return rc;
}

static const char *member_name(const char *archive, int fd, off_t offset)
{
    if ((!cache.archive || strcmp(cache.archive, archive)) && load_members(archive, fd) < 0)
        return NULL;
    for (size_t i = 0; i < cache.n; i++)
        if (cache.m[i].data == offset)
            return cache.m[i].name;
    return NULL;
}

/* ---- classification -------------------------------------------------------- */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Start files and the runtime libraries that compiler drivers add to links
 * by themselves (and would add again at a relink): the toolchain's table. */
static bool runtime_object(const char *base)
{
    return ctr_runtime_find(base, CTR_RUNTIME_START) != NULL;
}

static bool runtime_archive(const char *base)
{
    return ctr_runtime_find(base, CTR_RUNTIME_STATIC) != NULL;
}

static uint32_t get_u(const unsigned char *p, int n, unsigned char ei_data)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint32_t)p[ei_data == ELFDATA2MSB ? n - 1 - i : i] << (8 * i);
    return v;
}

static bool is_bitcode(const unsigned char *m)
{
    return (m[0] == 'B' && m[1] == 'C' && m[2] == 0xc0 && m[3] == 0xde) ||
           (m[0] == 0xde && m[1] == 0xc0 && m[2] == 0x17 && m[3] == 0x0b);
}

/* Sections of a relocatable object: its TU ids, and whether it holds LTO IR
 * and code. */
static int scan_object(struct ld_input *in, ctr_error *err)
{
    int rc = -1;
    Elf *elf = elf_memory(in->data, in->size);
    size_t shstrndx;
    bool lto = false, code = false, tagged = false;
    if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
        ctr_error_set(err, 0, "%s: bad ELF object: %s", in->path, elf_errmsg(-1));
        goto out;
    }
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        const char *name;
        if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name))) {
            ctr_error_set(err, 0, "%s: bad section header: %s", in->path, elf_errmsg(-1));
            goto out;
        }
        if (!strcmp(name, IRS_SECTION_NAME) && sh.sh_type != SHT_NOBITS) {
            Elf_Data *d = elf_rawdata(scn, NULL);
            char **ids;
            size_t n;
            if (!d || (d->d_size && !d->d_buf)) {
                ctr_error_set(err, 0, "%s: unreadable " IRS_SECTION_NAME, in->path);
                goto out;
            }
            if (irs_section_tu_ids(d->d_buf, d->d_size, in->path, &ids, &n, err) < 0)
                goto out;
            /* several .comtainer sections (e.g. after ld -r) concatenate */
            size_t old = in->nids;
            char **all = realloc(in->ids, (old + n + 1) * sizeof *all);
            if (!all) {
                irs_ids_free(ids);
                ctr_error_set(err, ENOMEM, "%s", in->path);
                goto out;
            }
            memcpy(all + old, ids, (n + 1) * sizeof *ids);
            free(ids);
            in->ids = all;
            in->nids = old + n;
            tagged = true;
        } else if (!strcmp(name, IRS_CARRY_SECTION) && sh.sh_type != SHT_NOBITS && !in->carried) {
            Elf_Data *d = elf_rawdata(scn, NULL);
            if (d && d->d_size && d->d_buf && (in->carried = malloc(d->d_size))) {
                memcpy(in->carried, d->d_buf, d->d_size);
                in->carried_size = d->d_size;
            }
        } else if (!strncmp(name, ".gnu.lto_", 9) || !strcmp(name, ".llvm.lto") ||
                   !strcmp(name, ".llvmbc")) {
            lto = true;
        } else if ((sh.sh_flags & SHF_ALLOC) && sh.sh_size > 0 && sh.sh_type != SHT_NOTE) {
            code = true;
        }
    }
    in->cls = tagged ? LDI_TU : lto && !code ? LDI_LTO : LDI_OBJECT;
    rc = 0;
out:
    if (elf)
        elf_end(elf);
    return rc;
}

int ld_input_examine(const char *name, int fd, off_t offset, off_t size, struct ld_input *in,
                     ctr_error *err)
{
    memset(in, 0, sizeof *in);
    in->cls = LDI_OTHER;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ctr_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
    /* An archive member: the linker names the archive. */
    char magic[8];
    const char *member = NULL;
    bool archive = read_at(fd, magic, 8, 0) == 0 &&
                   (!memcmp(magic, "!<arch>\n", 8) || !memcmp(magic, "!<thin>\n", 8));
    bool in_archive = archive && offset > 0 && !memcmp(magic, "!<arch>\n", 8);
    if (archive && offset == 0) {
        in->cls = LDI_ARCHIVE;
        return (in->path = strdup(name)) ? 0 : ctr_error_set(err, ENOMEM, "%s", name);
    }
    if (in_archive && !(member = member_name(name, fd, offset))) {
        /* unnamed: ARCHIVE(@OFFSET) */
        if (asprintf(&in->path, "%s(@%lld)", name, (long long)offset) < 0)
            in->path = NULL;
    } else if (in_archive) {
        if (asprintf(&in->path, "%s(%s)", name, member) < 0)
            in->path = NULL;
    } else {
        in->path = strdup(name);
    }
    if (!in->path)
        return ctr_error_set(err, ENOMEM, "%s", name);
    if (in_archive ? runtime_archive(base_name(name)) : runtime_object(base_name(name)))
        in->cls = LDI_RUNTIME; /* still read the header: it gives the target */

    unsigned char h[64];
    if (size < 64 || read_at(fd, h, sizeof h, offset) < 0) {
        if (size >= 4 && read_at(fd, h, 4, offset) == 0 && is_bitcode(h) && in->cls != LDI_RUNTIME)
            in->cls = LDI_LTO;
        return 0;
    }
    if (memcmp(h, ELFMAG, SELFMAG) != 0) {
        if (is_bitcode(h) && in->cls != LDI_RUNTIME)
            in->cls = LDI_LTO;
        return 0;
    }
    unsigned char ei_data = h[EI_DATA];
    uint32_t type = get_u(h + 16, 2, ei_data);
    if ((h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
        (ei_data != ELFDATA2LSB && ei_data != ELFDATA2MSB))
        return 0;
    in->has_target = true;
    in->target.ei_class = h[EI_CLASS];
    in->target.ei_data = ei_data;
    in->target.ei_osabi = h[EI_OSABI];
    in->target.e_machine = (uint16_t)get_u(h + 18, 2, ei_data);
    in->target.e_flags = get_u(h + (h[EI_CLASS] == ELFCLASS64 ? 48 : 36), 4, ei_data);
    if (type == ET_DYN) {
        in->cls = LDI_SHARED;
        return 0;
    }
    if (type != ET_REL) {
        if (in->cls != LDI_RUNTIME)
            in->cls = LDI_OTHER;
        return 0;
    }
    if (in->cls == LDI_RUNTIME)
        return 0;
    if (size > MAX_OBJECT_BYTES)
        return ctr_error_set(err, 0, "%s: object too large (%lld bytes)", in->path,
                             (long long)size);
    if (!(in->data = malloc((size_t)size)))
        return ctr_error_set(err, ENOMEM, "%s", in->path);
    in->size = (size_t)size;
    if (read_at(fd, in->data, in->size, offset) < 0)
        return ctr_error_set(err, errno, "reading %s", in->path);
    if (scan_object(in, err) < 0)
        return -1;
    if (in->cls != LDI_OBJECT) { /* only code without IR is kept */
        free(in->data);
        in->data = NULL;
        in->size = 0;
    }
    return 0;
}
