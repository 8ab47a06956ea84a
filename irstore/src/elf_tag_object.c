/* A relocatable ELF object whose only content is the TU record section
 * `.comtainer`: what the link-time recorder (ld-plugin/) hands to the linker
 * so that a binary names the objects and the link recorded for it.
 *
 * The object must not change anything the linker lays out in memory:
 *   - `.comtainer` is not allocated (no flags), like the plugins' records;
 *   - an empty `.note.GNU-stack` keeps the stack non-executable (an object
 *     without one makes ld.bfd assume an executable stack);
 *   - on x86 and AArch64, a `.note.gnu.property` whose properties are neutral
 *     under the linkers' merge rules: the "AND" feature words (IBT, SHSTK;
 *     BTI, PAC) with every bit set, the x86 "OR-AND" used words at 0.  An
 *     object without the note would clear IBT/SHSTK of a CET-enabled link.
 * The file has no symbols and no relocations. */
#include "irstore_private.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENTRY_LEN (sizeof IRS_SECTION_TAG - 1 + IRS_HASH_HEX_LEN + 1)

/* NT_GNU_PROPERTY_TYPE_0 property types (binutils include/elf/common.h). */
#define PROP_AARCH64_FEATURE_1_AND 0xc0000000u
#define PROP_X86_FEATURE_1_AND 0xc0000002u
#define PROP_X86_FEATURE_2_USED 0xc0010001u
#define PROP_X86_ISA_1_USED 0xc0010002u

static void put32(unsigned char *p, uint32_t v, unsigned char ei_data)
{
    for (int i = 0; i < 4; i++)
        p[ei_data == ELFDATA2MSB ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/* The property note for target t into buf (at least 64 bytes); its size, 0
 * when the target needs none. */
static size_t property_note(const irs_elf_target *t, unsigned char *buf)
{
    uint32_t props[3][2];
    size_t np = 0;
    if (t->e_machine == EM_X86_64 || t->e_machine == EM_386) {
        props[np][0] = PROP_X86_FEATURE_1_AND, props[np++][1] = 0xffffffffu;
        props[np][0] = PROP_X86_FEATURE_2_USED, props[np++][1] = 0;
        props[np][0] = PROP_X86_ISA_1_USED, props[np++][1] = 0;
    } else if (t->e_machine == EM_AARCH64) {
        props[np][0] = PROP_AARCH64_FEATURE_1_AND, props[np++][1] = 0xffffffffu;
    } else {
        return 0;
    }
    size_t align = t->ei_class == ELFCLASS64 ? 8 : 4;
    size_t prop_len = (8 + 4 + align - 1) / align * align;
    size_t desc = np * prop_len;
    memset(buf, 0, 16 + desc);
    put32(buf, 4, t->ei_data);
    put32(buf + 4, (uint32_t)desc, t->ei_data);
    put32(buf + 8, NT_GNU_PROPERTY_TYPE_0, t->ei_data);
    memcpy(buf + 12, "GNU", 4);
    for (size_t i = 0; i < np; i++) {
        unsigned char *p = buf + 16 + i * prop_len;
        put32(p, props[i][0], t->ei_data);
        put32(p + 4, 4, t->ei_data);
        put32(p + 8, props[i][1], t->ei_data);
    }
    return 16 + desc;
}

static Elf_Scn *add_section(Elf *elf, size_t name, uint32_t type, uint64_t align, void *data,
                            size_t size)
{
    Elf_Scn *scn = elf_newscn(elf);
    if (!scn)
        return NULL;
    Elf_Data *d = elf_newdata(scn);
    if (!d)
        return NULL;
    d->d_buf = data;
    d->d_size = size;
    d->d_type = ELF_T_BYTE;
    d->d_align = align;
    d->d_version = EV_CURRENT;
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
        return NULL;
    sh.sh_name = name;
    sh.sh_type = type;
    sh.sh_flags = 0;
    sh.sh_addralign = align;
    if (!gelf_update_shdr(scn, &sh))
        return NULL;
    return scn;
}

/* The request is one we can write: a known ELF class and encoding, TU ids
 * that are hashes. */
static int check_request(const char *path, char *const *ids, size_t n, const irs_elf_target *t,
                         ctr_error *err)
{
    if (t->ei_class != ELFCLASS32 && t->ei_class != ELFCLASS64)
        return ctr_error_set(err, 0, "'%s': unsupported ELF class %u", path, t->ei_class);
    if (t->ei_data != ELFDATA2LSB && t->ei_data != ELFDATA2MSB)
        return ctr_error_set(err, 0, "'%s': unsupported ELF data encoding %u", path,
                             t->ei_data);
    if (n > (1u << 22))
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': too many TU records", path);
    for (size_t i = 0; i < n; i++)
        if (!irs_is_hash_hex(ids[i]))
            return ctr_error_set(err, 0, "'%s': bad TU id '%.80s'", path, ids[i]);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ctr_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
    return 0;
}

/* The object's header and sections: the records (section, len bytes), an
 * empty .note.GNU-stack, the property note when there is one, .shstrtab.
 * False on a libelf failure (elf_errmsg says why). */
static bool build_elf(Elf *elf, const irs_elf_target *t, const char *section, size_t len,
                      unsigned char *note, size_t note_len)
{
    /* "\0.comtainer\0.note.GNU-stack\0.note.gnu.property\0.shstrtab\0" */
    static char shstrtab[] = "\0" IRS_SECTION_NAME "\0.note.GNU-stack\0"
                             ".note.gnu.property\0.shstrtab";
    const size_t n_tag = 1, n_stack = n_tag + sizeof IRS_SECTION_NAME,
                 n_prop = n_stack + sizeof ".note.GNU-stack",
                 n_shstr = n_prop + sizeof ".note.gnu.property";
    GElf_Ehdr eh;
    if (!gelf_newehdr(elf, t->ei_class) || !gelf_getehdr(elf, &eh))
        return false;
    eh.e_ident[EI_DATA] = t->ei_data;
    eh.e_ident[EI_OSABI] = t->ei_osabi;
    eh.e_type = ET_REL;
    eh.e_machine = t->e_machine;
    eh.e_version = EV_CURRENT;
    eh.e_flags = t->e_flags;
    if (!gelf_update_ehdr(elf, &eh) ||
        !add_section(elf, n_tag, SHT_PROGBITS, 1, (void *)section, len) ||
        !add_section(elf, n_stack, SHT_PROGBITS, 1, NULL, 0))
        return false;
    if (note_len) {
        Elf_Scn *s = add_section(elf, n_prop, SHT_NOTE, t->ei_class == ELFCLASS64 ? 8 : 4,
                                 note, note_len);
        GElf_Shdr sh;
        if (!s || !gelf_getshdr(s, &sh))
            return false;
        sh.sh_flags = SHF_ALLOC;
        if (!gelf_update_shdr(s, &sh))
            return false;
    }
    Elf_Scn *strs = add_section(elf, n_shstr, SHT_STRTAB, 1, shstrtab, sizeof shstrtab);
    if (!strs || !gelf_getehdr(elf, &eh))
        return false;
    eh.e_shstrndx = (uint16_t)elf_ndxscn(strs); /* 4 or 5: far below SHN_LORESERVE */
    return gelf_update_ehdr(elf, &eh) && elf_update(elf, ELF_C_WRITE) >= 0;
}

int irs_elf_tag_object_write(const char *path, char *const *ids, size_t n,
                             const irs_elf_target *t, ctr_error *err)
{
    if (check_request(path, ids, n, t, err) < 0)
        return -1;
    char *section = malloc(n * ENTRY_LEN + 1);
    if (!section)
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    for (size_t i = 0; i < n; i++)
        snprintf(section + i * ENTRY_LEN, ENTRY_LEN + 1, IRS_SECTION_TAG "%s\n", ids[i]);
    unsigned char note[64];
    size_t note_len = property_note(t, note);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        ctr_error_set(err, errno, "creating '%s'", path);
        free(section);
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
    int rc = elf && build_elf(elf, t, section, n * ENTRY_LEN, note, note_len)
                 ? 0
                 : ctr_error_set(err, 0, "writing '%s': %s", path, elf_errmsg(-1));
    if (elf)
        elf_end(elf);
    if (close(fd) != 0 && rc == 0)
        rc = ctr_error_set(err, errno, "writing '%s'", path);
    if (rc < 0)
        unlink(path);
    free(section);
    return rc;
}
