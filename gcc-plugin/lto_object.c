/* Pack collected GIMPLE LTO sections into an ELF relocatable object shaped
 * like the slim object `gcc -flto -c` writes: the sections (SHF_EXCLUDE,
 * alignment 1), an empty .note.GNU-stack, and a symbol table holding only the
 * common symbol __gnu_lto_slim that marks slim LTO objects. */
#include "lto_object.h"
#include "errbuf.h"

#include "comtainer/irstore.h"

#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define LTO_ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define LTO_ELF_MACHINE EM_AARCH64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LTO_ELF_MACHINE EM_PPC64
#elif defined(__riscv) && __riscv_xlen == 64
#define LTO_ELF_MACHINE EM_RISCV
#else
#error "the GCC plugin writes 64-bit little-endian ELF only"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the GCC plugin writes 64-bit little-endian ELF only"
#endif

/* Digits of the content-derived suffix: 16 hex digits, the width of the
 * HOST_WIDE_INT that lto1 parses back out of the name. */
#define ID_HEX_DIGITS 16

struct section {
    char *name;
    unsigned char *data;
    size_t len, cap;
};

struct lto_object {
    struct section *sec;
    size_t n, cap;
};

struct outbuf {
    unsigned char *p;
    size_t len, cap;
    int failed;
};


lto_object *lto_object_new(void)
{
    return calloc(1, sizeof(lto_object));
}

void lto_object_free(lto_object *obj)
{
    if (!obj)
        return;
    for (size_t i = 0; i < obj->n; i++) {
        free(obj->sec[i].name);
        free(obj->sec[i].data);
    }
    free(obj->sec);
    free(obj);
}

int lto_object_begin(lto_object *obj, const char *name)
{
    if (obj->n == obj->cap) {
        size_t cap = obj->cap ? 2 * obj->cap : 64;
        struct section *s = realloc(obj->sec, cap * sizeof *s);
        if (!s)
            return -1;
        obj->sec = s;
        obj->cap = cap;
    }
    struct section *s = &obj->sec[obj->n];
    memset(s, 0, sizeof *s);
    if (!(s->name = strdup(name)))
        return -1;
    obj->n++;
    return 0;
}

int lto_object_append(lto_object *obj, const void *data, size_t len)
{
    if (!obj->n)
        return -1;
    struct section *s = &obj->sec[obj->n - 1];
    if (len > s->cap - s->len) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap - s->len < len) {
            if (cap > SIZE_MAX / 2)
                return -1;
            cap *= 2;
        }
        unsigned char *p = realloc(s->data, cap);
        if (!p)
            return -1;
        s->data = p;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return 0;
}

size_t lto_object_count(const lto_object *obj)
{
    return obj->n;
}

static void out_reserve(struct outbuf *o, size_t more)
{
    if (o->failed || more <= o->cap - o->len)
        return;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap - o->len < more) {
        if (cap > SIZE_MAX / 2) {
            o->failed = 1;
            return;
        }
        cap *= 2;
    }
    unsigned char *p = realloc(o->p, cap);
    if (!p) {
        o->failed = 1;
        return;
    }
    o->p = p;
    o->cap = cap;
}

static size_t out_put(struct outbuf *o, const void *data, size_t len)
{
    size_t at = o->len;
    out_reserve(o, len);
    if (o->failed)
        return at;
    if (len)
        memcpy(o->p + o->len, data, len);
    o->len += len;
    return at;
}

static void out_align(struct outbuf *o, size_t align)
{
    static const unsigned char zeros[16];
    while (!o->failed && o->len % align)
        out_put(o, zeros, align - o->len % align);
}

/* Whether section s's name ends in GCC's random suffix. */
static int has_seed_suffix(const struct section *s, const char *seed_suffix)
{
    size_t n = strlen(s->name), sl = strlen(seed_suffix);
    return sl && n > sl && strcmp(s->name + n - sl, seed_suffix) == 0;
}

/* Put section s's name into the string table, GCC's random suffix replaced
 * by a placeholder of the content-derived suffix's width; *suffix_at
 * receives the placeholder's offset in the table, or SIZE_MAX if the name
 * has no suffix. */
static size_t put_name(struct outbuf *strtab, const struct section *s,
                       const char *seed_suffix, size_t *suffix_at)
{
    static const char placeholder[ID_HEX_DIGITS + 1] = "0000000000000000";
    size_t at = strtab->len, n = strlen(s->name);
    *suffix_at = SIZE_MAX;
    if (has_seed_suffix(s, seed_suffix)) {
        out_put(strtab, s->name, n - strlen(seed_suffix));
        out_put(strtab, ".", 1);
        *suffix_at = out_put(strtab, placeholder, ID_HEX_DIGITS);
    } else {
        out_put(strtab, s->name, n);
    }
    out_put(strtab, "", 1);
    return at;
}

/* The symbol table GCC's LTO reader expects of a slim object (one common
 * symbol, __gnu_lto_slim) and its string table, as sections i_symtab and
 * i_strtab. */
static void add_symtab(struct outbuf *o, struct outbuf *names, Elf64_Shdr *sh, size_t i_symtab,
                       size_t i_strtab)
{
    static const char strtab[] = "\0__gnu_lto_slim";
    Elf64_Sym sym[2];
    memset(sym, 0, sizeof sym);
    sym[1].st_name = 1;
    sym[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
    sym[1].st_shndx = SHN_COMMON;
    sym[1].st_value = 1; /* alignment of a common symbol */
    sym[1].st_size = 1;
    out_align(o, 8);
    sh[i_symtab].sh_name = (Elf64_Word)out_put(names, ".symtab", 8);
    sh[i_symtab].sh_type = SHT_SYMTAB;
    sh[i_symtab].sh_offset = out_put(o, sym, sizeof sym);
    sh[i_symtab].sh_size = sizeof sym;
    sh[i_symtab].sh_link = (Elf64_Word)i_strtab;
    sh[i_symtab].sh_info = 1; /* index of the first non-local symbol */
    sh[i_symtab].sh_addralign = 8;
    sh[i_symtab].sh_entsize = sizeof(Elf64_Sym);

    sh[i_strtab].sh_name = (Elf64_Word)out_put(names, ".strtab", 8);
    sh[i_strtab].sh_type = SHT_STRTAB;
    sh[i_strtab].sh_offset = out_put(o, strtab, sizeof strtab);
    sh[i_strtab].sh_size = sizeof strtab;
    sh[i_strtab].sh_addralign = 1;
}

/* The ELF header of a relocatable x86-64 object whose section headers are
 * at shoff. */
static void fill_header(Elf64_Ehdr *eh, size_t shoff, size_t shnum, size_t i_shstrtab,
                        int extended)
{
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
    eh->e_type = ET_REL;
    eh->e_machine = LTO_ELF_MACHINE;
    eh->e_version = EV_CURRENT;
    eh->e_shoff = shoff;
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_shentsize = sizeof(Elf64_Shdr);
    eh->e_shnum = extended ? 0 : (Elf64_Half)shnum;
    eh->e_shstrndx = extended ? SHN_XINDEX : (Elf64_Half)i_shstrtab;
}

/* The ELF image, with placeholder suffixes; suffix_at[i] receives where
 * section i's suffix lies in the image (SIZE_MAX: none). */
static int build(const lto_object *obj, const char *seed_suffix, struct outbuf *o,
                 size_t *suffix_at)
{
    /* Section indexes: 0 null, 1..n collected, then our own four. */
    const size_t n = obj->n, i_note = n + 1, i_symtab = n + 2, i_strtab = n + 3,
                 i_shstrtab = n + 4, shnum = n + 5;
    Elf64_Shdr *sh = calloc(shnum, sizeof *sh);
    struct outbuf names = {0};
    if (!sh)
        return -1;

    size_t data_len = 0;
    for (size_t i = 0; i < n; i++)
        data_len += obj->sec[i].len;
    /* one allocation for the whole image: the sections, the headers and
     * some room for the symbol and string tables */
    out_reserve(o, sizeof(Elf64_Ehdr) + data_len + shnum * sizeof *sh + 4096);
    out_put(&names, "", 1);
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof eh);
    out_put(o, &eh, sizeof eh); /* filled in at the end */

    for (size_t i = 0; i < n; i++) {
        const struct section *s = &obj->sec[i];
        sh[i + 1].sh_name = (Elf64_Word)put_name(&names, s, seed_suffix, &suffix_at[i]);
        sh[i + 1].sh_type = SHT_PROGBITS;
        sh[i + 1].sh_flags = SHF_EXCLUDE;
        sh[i + 1].sh_addralign = 1;
        sh[i + 1].sh_offset = out_put(o, s->data, s->len);
        sh[i + 1].sh_size = s->len;
    }

    sh[i_note].sh_name = (Elf64_Word)out_put(&names, ".note.GNU-stack", 16);
    sh[i_note].sh_type = SHT_PROGBITS;
    sh[i_note].sh_addralign = 1;
    sh[i_note].sh_offset = o->len;

    add_symtab(o, &names, sh, i_symtab, i_strtab);

    sh[i_shstrtab].sh_name = (Elf64_Word)out_put(&names, ".shstrtab", 10);
    sh[i_shstrtab].sh_type = SHT_STRTAB;
    sh[i_shstrtab].sh_addralign = 1;
    sh[i_shstrtab].sh_size = names.len;
    sh[i_shstrtab].sh_offset = out_put(o, names.p, names.len);
    for (size_t i = 0; i < n; i++)
        if (suffix_at[i] != SIZE_MAX)
            suffix_at[i] += sh[i_shstrtab].sh_offset;

    /* Extended numbering for TUs with more than 65279 sections (one per
     * function): the real counts live in section 0. */
    int extended = shnum >= SHN_LORESERVE;
    if (extended) {
        sh[0].sh_size = shnum;
        sh[0].sh_link = (Elf64_Word)i_shstrtab;
    }
    out_align(o, 8);
    size_t shoff = out_put(o, sh, shnum * sizeof *sh);

    fill_header(&eh, shoff, shnum, i_shstrtab, extended);
    if (!o->failed)
        memcpy(o->p, &eh, sizeof eh);

    int failed = o->failed || names.failed;
    free(names.p);
    free(sh);
    return failed ? -1 : 0;
}

/* The content-derived suffix: 16 hex digits of the image's hash.  lto1
 * reads the suffix back as a hex HOST_WIDE_INT and prints it again to find
 * sections by name, so it has no leading zero: the top bit is set, which
 * also gives every suffix the placeholder's width. */
static int content_suffix(const struct outbuf *image, char suffix[ID_HEX_DIGITS + 1],
                          char *errbuf, size_t errlen)
{
    unsigned char md[32];
    if (irs_sha256_digest(image->p, image->len, md) < 0)
        return cg_fail(errbuf, errlen, "cannot compute SHA-256");
    md[0] |= 0x80;
    for (size_t i = 0; i < ID_HEX_DIGITS / 2; i++)
        snprintf(suffix + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int lto_object_write(const lto_object *obj, const char *seed_suffix, void **buf,
                     size_t *len, char *errbuf, size_t errlen)
{
    struct outbuf out = {0};
    char suffix[ID_HEX_DIGITS + 1];

    *buf = NULL;
    *len = 0;
    if (!obj->n)
        return cg_fail(errbuf, errlen, "GCC streamed no LTO sections");
    size_t *suffix_at = malloc(obj->n * sizeof *suffix_at);
    if (!suffix_at || build(obj, seed_suffix, &out, suffix_at) < 0) {
        free(suffix_at);
        free(out.p);
        return cg_fail(errbuf, errlen, "out of memory writing the IR object");
    }
    /* The image with placeholders is the content without any suffix: its
     * hash names the sections. */
    if (content_suffix(&out, suffix, errbuf, errlen) < 0) {
        free(suffix_at);
        free(out.p);
        return -1;
    }
    for (size_t i = 0; i < obj->n; i++)
        if (suffix_at[i] != SIZE_MAX)
            memcpy(out.p + suffix_at[i], suffix, ID_HEX_DIGITS);
    free(suffix_at);
    *buf = out.p;
    *len = out.len;
    return 0;
}
