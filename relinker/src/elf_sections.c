/* The sections of an ELF object in memory (see elf_sections.h). */
#include "elf_sections.h"

int ctr_elf_sections(const void *data, size_t len, const char *what, ctr_section_fn fn,
                     void *ctx, ctr_error *err)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ctr_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
    /* libelf only reads the buffer (ELF_C_READ) */
    Elf *elf = elf_memory((char *)data, len);
    size_t shstrndx;
    int rc = 0;
    if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0)
        rc = ctr_error_set(err, 0, "%s: not an ELF object", what);
    for (Elf_Scn *scn = NULL; rc == 0 && (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        const char *name;
        if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
            rc = ctr_error_set(err, 0, "%s: bad section header", what);
        else
            rc = fn(elf, scn, &sh, name, ctx, err);
    }
    if (elf)
        elf_end(elf);
    return rc < 0 ? -1 : 0;
}

bool ctr_elf_section_bytes(Elf_Scn *scn, const GElf_Shdr *sh, const char **data, size_t *size)
{
    Elf_Data *d = sh->sh_type == SHT_NOBITS ? NULL : elf_rawdata(scn, NULL);
    if (!d || (d->d_size && !d->d_buf))
        return false;
    *data = d->d_buf;
    *size = d->d_size;
    return true;
}
