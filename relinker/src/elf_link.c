/* Reading a linked ELF file's link facts with libelf. */
#include "elf_link.h"
#include "elf_versions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bounds on untrusted counts: far beyond any real binary. */
#define MAX_NEEDED 4096
#define MAX_EXPORTS (1u << 22)

const char *ctr_elf_kind_name(enum ctr_elf_kind kind)
{
    switch (kind) {
    case CTR_ELF_EXEC: return "executable";
    case CTR_ELF_PIE: return "pie-executable";
    case CTR_ELF_SHARED: return "shared-library";
    default: return "other";
    }
}

void ctr_elf_link_free(ctr_elf_link *l)
{
    if (!l)
        return;
    free(l->interp);
    free(l->soname);
    irs_strv_clear(&l->needed);
    irs_strv_clear(&l->runpath);
    irs_strv_clear(&l->exports);
    irs_strv_clear(&l->imports);
    irs_strv_clear(&l->defined);
    irs_strv_clear(&l->verneed);
    irs_strv_clear(&l->verdef);
    irs_strv_clear(&l->verdef_parent);
    irs_strv_clear(&l->weak_imports);
    irs_strv_clear(&l->exports_ver);
    irs_ids_free(l->tu_ids);
    free(l);
}

static int split_path(irs_strv *v, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *item = strndup(p, n);
        if (!item || irs_strv_push(v, item) < 0) {
            free(item);
            return -1;
        }
        free(item);
        p += n + (e ? 1 : 0);
    }
    return 0;
}

static int read_dynamic(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, ctr_elf_link *l,
                        uint64_t *flags1, const char *path, ctr_error *err)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh->sh_entsize == 0)
        return ctr_error_set(err, 0, "'%s': unreadable dynamic section", path);
    size_t n = sh->sh_size / sh->sh_entsize;
    for (size_t i = 0; i < n; i++) {
        GElf_Dyn dyn;
        if (!gelf_getdyn(d, (int)i, &dyn))
            return ctr_error_set(err, 0, "'%s': bad dynamic entry %zu", path, i);
        if (dyn.d_tag == DT_NULL)
            break;
        const char *s = NULL;
        if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME || dyn.d_tag == DT_RUNPATH ||
            dyn.d_tag == DT_RPATH) {
            s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
            if (!s)
                return ctr_error_set(err, 0, "'%s': dynamic string out of range", path);
        }
        int rc = 0;
        switch (dyn.d_tag) {
        case DT_NEEDED:
            if (l->needed.n >= MAX_NEEDED)
                return ctr_error_code(err, CTR_E_LIMIT, "'%s': too many DT_NEEDED entries", path);
            rc = irs_strv_push(&l->needed, s);
            break;
        case DT_SONAME:
            rc = irs_record_set(&l->soname, s);
            break;
        case DT_RUNPATH:
        case DT_RPATH:
            /* DT_RUNPATH wins when both are present, as in ld.so */
            if (dyn.d_tag == DT_RPATH && l->runpath.n && !l->rpath)
                break;
            irs_strv_clear(&l->runpath);
            l->rpath = dyn.d_tag == DT_RPATH;
            rc = split_path(&l->runpath, s);
            break;
        case DT_FLAGS_1:
            *flags1 = dyn.d_un.d_val;
            break;
        }
        if (rc < 0)
            return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    return 0;
}

static int read_exports(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, ctr_elf_link *l,
                        const char *path, ctr_error *err)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh->sh_entsize == 0)
        return ctr_error_set(err, 0, "'%s': unreadable .dynsym", path);
    size_t n = sh->sh_size / sh->sh_entsize;
    if (n > MAX_EXPORTS)
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': too many dynamic symbols", path);
    for (size_t i = 1; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(d, (int)i, &sym))
            return ctr_error_set(err, 0, "'%s': bad dynamic symbol %zu", path, i);
        int bind = GELF_ST_BIND(sym.st_info);
        if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE)
            continue;
        bool undef = sym.st_shndx == SHN_UNDEF;
        if (!undef && GELF_ST_VISIBILITY(sym.st_other) != STV_DEFAULT &&
            GELF_ST_VISIBILITY(sym.st_other) != STV_PROTECTED)
            continue;
        const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
        if (!name)
            return ctr_error_set(err, 0, "'%s': symbol name out of range", path);
        if (*name && irs_strv_push(undef ? &l->imports : &l->exports, name) < 0)
            return ctr_error_set(err, ENOMEM, "'%s'", path);
        if (*name && undef && bind == STB_WEAK && irs_strv_push(&l->weak_imports, name) < 0)
            return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    irs_strv_sort_unique(&l->exports);
    irs_strv_sort_unique(&l->imports);
    irs_strv_sort_unique(&l->weak_imports);
    return 0;
}


/* The global symbols the file defines itself, in any section: the code the
 * relink has to reproduce.  Versioned names (foo@@V1) lose the version.
 * A hidden symbol was global in its object and is local in the linked
 * file: it counts too (a library's hidden assembly routine), unlike a
 * file's static functions.  lld and gold keep its visibility; ld.bfd drops
 * it but puts every such symbol after a FILE symbol with an empty name,
 * past the locals of the last input file, so that is how they are told
 * apart there. */
static int read_defined(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, ctr_elf_link *l,
                        const char *path, ctr_error *err)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh->sh_entsize == 0)
        return ctr_error_set(err, 0, "'%s': unreadable symbol table", path);
    size_t n = sh->sh_size / sh->sh_entsize;
    if (n > MAX_EXPORTS)
        return ctr_error_code(err, CTR_E_LIMIT, "'%s': too many symbols", path);
    bool forced_local = false; /* past ld.bfd's empty FILE symbol */
    for (size_t i = 1; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(d, (int)i, &sym))
            return ctr_error_set(err, 0, "'%s': bad symbol %zu", path, i);
        int bind = GELF_ST_BIND(sym.st_info), type = GELF_ST_TYPE(sym.st_info),
            vis = GELF_ST_VISIBILITY(sym.st_other);
        const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
        if (!name)
            return ctr_error_set(err, 0, "'%s': symbol name out of range", path);
        if (type == STT_FILE)
            forced_local = bind == STB_LOCAL && !*name;
        bool was_global = bind != STB_LOCAL || vis == STV_HIDDEN || vis == STV_INTERNAL ||
                          forced_local;
        if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS || !was_global ||
            type == STT_SECTION || type == STT_FILE)
            continue;
        char *plain = strndup(name, strcspn(name, "@"));
        int rc = plain && *plain ? irs_strv_push(&l->defined, plain) : plain ? 0 : -1;
        free(plain);
        if (rc < 0)
            return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    return 0;
}

/* GNU symbol versioning: what a file needs from each library
 * (SHT_GNU_verneed; what it defines: elf_versions.c).  The chains are
 * walked with their offsets bounded by the section. */
static int read_verneed(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, ctr_elf_link *l,
                        const char *path, ctr_error *err)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    size_t off = 0;
    for (size_t n = 0; d && n < sh->sh_info && n < MAX_NEEDED; n++) {
        GElf_Verneed vn;
        if (off >= d->d_size || !gelf_getverneed(d, (int)off, &vn))
            return ctr_error_set(err, 0, "'%s': bad version need %zu", path, n);
        const char *file = elf_strptr(elf, sh->sh_link, vn.vn_file);
        size_t aoff = off + vn.vn_aux;
        for (size_t k = 0; k < vn.vn_cnt && k < MAX_NEEDED; k++) {
            GElf_Vernaux va;
            const char *name;
            if (aoff >= d->d_size || !gelf_getvernaux(d, (int)aoff, &va) || !file ||
                !(name = elf_strptr(elf, sh->sh_link, va.vna_name)))
                return ctr_error_set(err, 0, "'%s': bad version need %zu", path, n);
            char *pair = NULL;
            if (asprintf(&pair, "%s %s", file, name) < 0 || irs_strv_push(&l->verneed, pair) < 0) {
                free(pair);
                return ctr_error_set(err, ENOMEM, "'%s'", path);
            }
            free(pair);
            if (!va.vna_next)
                break;
            aoff += va.vna_next;
        }
        if (!vn.vn_next)
            break;
        off += vn.vn_next;
    }
    return 0;
}

/* The COPY relocation type of the machine, 0 if unknown. */
static unsigned copy_reloc_type(const GElf_Ehdr *eh)
{
    switch (eh->e_machine) {
    case EM_X86_64: return R_X86_64_COPY;
    case EM_386: return R_386_COPY;
    case EM_AARCH64: return R_AARCH64_COPY;
    default: return 0;
    }
}

/* Variables of shared libraries that an executable references directly
 * (stdout, std::cout, ...) are copied into its .bss by COPY relocations and
 * show up as defined there: drop them from `defined`, they are not its code. */
static int drop_copied(Elf *elf, const GElf_Ehdr *eh, ctr_elf_link *l, const char *path,
                       ctr_error *err)
{
    unsigned copy = copy_reloc_type(eh);
    for (Elf_Scn *scn = NULL; copy && (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh, symsh;
        Elf_Scn *symscn;
        Elf_Data *d, *syms;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
            !(symscn = elf_getscn(elf, sh.sh_link)) || !gelf_getshdr(symscn, &symsh) ||
            symsh.sh_type != SHT_DYNSYM || !(d = elf_getdata(scn, NULL)) ||
            !(syms = elf_getdata(symscn, NULL)))
            continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Rela r;
            GElf_Sym sym;
            const char *name;
            if (!gelf_getrela(d, (int)i, &r))
                return ctr_error_set(err, 0, "'%s': bad relocation %zu", path, i);
            if (GELF_R_TYPE(r.r_info) != copy)
                continue;
            if (!gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym) ||
                !(name = elf_strptr(elf, symsh.sh_link, sym.st_name)))
                return ctr_error_set(err, 0, "'%s': bad COPY relocation %zu", path, i);
            for (size_t k = 0; k < l->defined.n; k++)
                if (!strcmp(l->defined.v[k], name)) {
                    free(l->defined.v[k]);
                    l->defined.v[k] = l->defined.v[--l->defined.n];
                    break;
                }
        }
    }
    return 0;
}

static int read_interp(Elf *elf, ctr_elf_link *l, const char *path, ctr_error *err)
{
    size_t nph;
    if (elf_getphdrnum(elf, &nph) != 0)
        return ctr_error_set(err, 0, "'%s': bad program headers", path);
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
            continue;
        size_t size;
        char *raw = elf_rawfile(elf, &size);
        if (!raw || ph.p_offset >= size || ph.p_filesz > size - ph.p_offset ||
            ph.p_filesz == 0 || ph.p_filesz > 4096)
            return ctr_error_set(err, 0, "'%s': bad PT_INTERP", path);
        char *s = strndup(raw + ph.p_offset, ph.p_filesz);
        if (!s)
            return ctr_error_set(err, ENOMEM, "'%s'", path);
        free(l->interp);
        l->interp = s;
    }
    return 0;
}

int ctr_elf_link_read(const char *path, ctr_elf_link **out, ctr_error *err)
{
    *out = NULL;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ctr_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
    ctr_elf_link *l = calloc(1, sizeof *l);
    if (!l || irs_record_set(&l->interp, "") < 0 || irs_record_set(&l->soname, "") < 0) {
        ctr_elf_link_free(l);
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    }
    int fd = irs_open_regular(path, 0, NULL, err);
    if (fd < 0) {
        ctr_elf_link_free(l);
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    int rc = -1;
    GElf_Ehdr eh;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
        ctr_error_set(err, 0, "'%s' is not an ELF file", path);
        goto out;
    }
    uint64_t flags1 = 0;
    bool has_symtab = false;
    size_t shstrndx;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0) {
        ctr_error_set(err, 0, "'%s': bad section headers", path);
        goto out;
    }
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) {
            ctr_error_set(err, 0, "'%s': bad section header", path);
            goto out;
        }
        if (sh.sh_type == SHT_DYNAMIC &&
            read_dynamic(elf, scn, &sh, l, &flags1, path, err) < 0)
            goto out;
        if (sh.sh_type == SHT_DYNSYM && read_exports(elf, scn, &sh, l, path, err) < 0)
            goto out;
        if (sh.sh_type == SHT_SYMTAB && read_defined(elf, scn, &sh, l, path, err) < 0)
            goto out;
        if (sh.sh_type == SHT_GNU_verneed && read_verneed(elf, scn, &sh, l, path, err) < 0)
            goto out;
        has_symtab |= sh.sh_type == SHT_SYMTAB;
    }
    l->stripped = !has_symtab;
    for (size_t i = 0; l->stripped && i < l->exports.n; i++)
        if (irs_strv_push(&l->defined, l->exports.v[i]) < 0) {
            ctr_error_set(err, ENOMEM, "'%s'", path);
            goto out;
        }
    if (drop_copied(elf, &eh, l, path, err) < 0 || ctr_elf_read_versions(elf, l, path, err) < 0)
        goto out;
    irs_strv_sort_unique(&l->defined);
    if (read_interp(elf, l, path, err) < 0)
        goto out;
    if (eh.e_type == ET_EXEC)
        l->kind = CTR_ELF_EXEC;
    else if (eh.e_type == ET_DYN)
        /* glibc's own libc.so.6 has an interpreter too, but also a SONAME */
        l->kind = (flags1 & DF_1_PIE) || (*l->interp && !*l->soname) ? CTR_ELF_PIE
                                                                       : CTR_ELF_SHARED;
    else
        l->kind = CTR_ELF_OTHER;
    if (irs_elf_tu_ids(path, &l->tu_ids, &l->ntu, err) < 0)
        goto out;
    rc = 0;
out:
    if (elf)
        elf_end(elf);
    close(fd);
    if (rc < 0)
        ctr_elf_link_free(l);
    else
        *out = l;
    return rc;
}

const char *ctr_elf_version_missing(const ctr_elf_link *lib, const char *soname,
                                    const ctr_elf_link *have)
{
    size_t n = strlen(soname);
    for (size_t k = 0; k < lib->verneed.n; k++) {
        const char *pair = lib->verneed.v[k], *ver = pair + n + 1;
        if (strncmp(pair, soname, n) || pair[n] != ' ')
            continue;
        bool found = false;
        for (size_t d = 0; have && d < have->verdef.n && !found; d++)
            found = !strcmp(have->verdef.v[d], ver);
        if (!found)
            return ver;
    }
    return NULL;
}
