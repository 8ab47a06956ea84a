/* Symbol versions an ELF file defines (see elf_versions.h). */
#include "elf_versions.h"

#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds: far beyond any real file (glibc defines some 60 versions). */
#define MAX_VERSIONS 4096

/* One version definition: its index (what .gnu.version holds), its name,
 * the version it inherits from ("" none). */
struct verdef {
    unsigned ndx;
    const char *name, *parent;
};

struct versions {
    struct verdef v[MAX_VERSIONS];
    size_t n;
};

static int walk_verdef(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct versions *vs,
                       const char *path, ctr_error *err)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    size_t off = 0;
    for (size_t n = 0; d && n < sh->sh_info && vs->n < MAX_VERSIONS; n++) {
        GElf_Verdef vd;
        GElf_Verdaux va, pa;
        const char *name, *parent = "";
        if (off >= d->d_size || !gelf_getverdef(d, (int)off, &vd) ||
            off + vd.vd_aux >= d->d_size || !gelf_getverdaux(d, (int)(off + vd.vd_aux), &va) ||
            !(name = elf_strptr(elf, sh->sh_link, va.vda_name)))
            return ctr_error_set(err, 0, "'%s': bad version definition %zu", path, n);
        size_t poff = off + vd.vd_aux + va.vda_next;
        if (vd.vd_cnt > 1 && va.vda_next &&
            (poff >= d->d_size || !gelf_getverdaux(d, (int)poff, &pa) ||
             !(parent = elf_strptr(elf, sh->sh_link, pa.vda_name))))
            return ctr_error_set(err, 0, "'%s': bad version definition %zu", path, n);
        if (!(vd.vd_flags & VER_FLG_BASE))
            vs->v[vs->n++] = (struct verdef){vd.vd_ndx & 0x7fff, name, parent};
        if (!vd.vd_next)
            break;
        off += vd.vd_next;
    }
    return 0;
}

static const char *version_name(const struct versions *vs, unsigned ndx)
{
    for (size_t i = 0; i < vs->n; i++)
        if (vs->v[i].ndx == ndx)
            return vs->v[i].name;
    return NULL;
}

/* Drop name from the sorted l->exports. */
static void drop_export(ctr_elf_link *l, const char *name)
{
    for (size_t i = 0; i < l->exports.n; i++)
        if (!strcmp(l->exports.v[i], name)) {
            free(l->exports.v[i]);
            memmove(&l->exports.v[i], &l->exports.v[i + 1],
                    (l->exports.n - i - 1) * sizeof *l->exports.v);
            l->exports.n--;
            return;
        }
}

/* "name@@VERSION" (the default) or "name@VERSION" for each exported symbol
 * of .dynsym whose .gnu.version entry names a version defined here; the
 * absolute symbols that name the versions themselves are left out, of the
 * exports too. */
static int versioned_exports(Elf *elf, Elf_Scn *dynsym, const GElf_Shdr *dsh, Elf_Scn *versym,
                             const struct versions *vs, ctr_elf_link *l, const char *path,
                             ctr_error *err)
{
    Elf_Data *syms = elf_getdata(dynsym, NULL), *vers = elf_getdata(versym, NULL);
    if (!syms || !vers || !dsh->sh_entsize)
        return ctr_error_set(err, 0, "'%s': unreadable symbol versions", path);
    size_t n = dsh->sh_size / dsh->sh_entsize;
    for (size_t i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Versym ver;
        if (!gelf_getsym(syms, (int)i, &sym) || !gelf_getversym(vers, (int)i, &ver))
            return ctr_error_set(err, 0, "'%s': bad symbol version %zu", path, i);
        int bind = GELF_ST_BIND(sym.st_info), vis = GELF_ST_VISIBILITY(sym.st_other);
        const char *name = elf_strptr(elf, dsh->sh_link, sym.st_name),
                   *vname = version_name(vs, ver & 0x7fff);
        if (!name)
            return ctr_error_set(err, 0, "'%s': symbol name out of range", path);
        if (sym.st_shndx == SHN_ABS && vname && !strcmp(name, vname)) {
            drop_export(l, name); /* ld.bfd's, not every linker's: no export to keep */
            continue;
        }
        /* a name holding '@' is no symbol a linker made: nothing to keep */
        if (sym.st_shndx == SHN_UNDEF || !vname || !*name || strchr(name, '@') ||
            (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) ||
            (vis != STV_DEFAULT && vis != STV_PROTECTED))
            continue;
        char *s = NULL;
        if (asprintf(&s, "%s%s%s", name, ver & 0x8000 ? "@" : "@@", vname) < 0 ||
            irs_strv_push(&l->exports_ver, s) < 0) {
            free(s);
            return ctr_error_set(err, ENOMEM, "'%s'", path);
        }
        free(s);
    }
    irs_strv_sort_unique(&l->exports_ver);
    return 0;
}

int ctr_elf_read_versions(Elf *elf, ctr_elf_link *l, const char *path, ctr_error *err)
{
    struct versions *vs = calloc(1, sizeof *vs);
    if (!vs)
        return ctr_error_set(err, ENOMEM, "'%s'", path);
    Elf_Scn *dynsym = NULL, *versym = NULL;
    GElf_Shdr dsh = {0};
    int rc = 0;
    for (Elf_Scn *scn = NULL; rc == 0 && (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            rc = ctr_error_set(err, 0, "'%s': bad section header", path);
        else if (sh.sh_type == SHT_GNU_verdef)
            rc = walk_verdef(elf, scn, &sh, vs, path, err);
        else if (sh.sh_type == SHT_GNU_versym)
            versym = scn;
        else if (sh.sh_type == SHT_DYNSYM)
            dynsym = scn, dsh = sh;
    }
    for (size_t i = 0; rc == 0 && i < vs->n; i++)
        if (irs_strv_push(&l->verdef, vs->v[i].name) < 0 ||
            irs_strv_push(&l->verdef_parent, vs->v[i].parent) < 0)
            rc = ctr_error_set(err, ENOMEM, "'%s'", path);
    if (rc == 0 && vs->n && dynsym && versym)
        rc = versioned_exports(elf, dynsym, &dsh, versym, vs, l, path, err);
    free(vs);
    return rc;
}
