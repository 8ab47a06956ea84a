/* The toolchain's runtime symbols (see runtime_symbols.h). */
#include "runtime_symbols.h"
#include "toolchain.h"
#include "comtainer/toolchain_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Symbols the linkers themselves define (ld.bfd, gold and lld). */
static const char *const linker_symbols[] = {
    "__bss_start", "_edata", "edata", "_end", "end", "__end__", "_etext", "etext",
    "__etext", "__executable_start", "__ehdr_start", "__dso_handle", "_DYNAMIC",
    "_GLOBAL_OFFSET_TABLE_", "__GNU_EH_FRAME_HDR", "__init_array_start", "__init_array_end",
    "__fini_array_start", "__fini_array_end", "__preinit_array_start", "__preinit_array_end",
    "_PROCEDURE_LINKAGE_TABLE_", "__rela_iplt_start", "__rela_iplt_end", "_TLS_MODULE_BASE_",
};

static int add_elf(Elf *elf, irs_strv *names)
{
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        size_t n = d ? sh.sh_size / sh.sh_entsize : 0;
        for (size_t i = 1; i < n; i++) {
            GElf_Sym sym;
            const char *name;
            if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
                GELF_ST_BIND(sym.st_info) == STB_LOCAL ||
                !(name = elf_strptr(elf, sh.sh_link, sym.st_name)) || !*name)
                continue;
            if (irs_strv_push(names, name) < 0)
                return -1;
        }
    }
    return 0;
}

/* One object or every member of an archive. */
static int add_file(const char *path, irs_strv *names)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* this toolchain does not have it */
    int rc = 0;
    Elf *ar = elf_begin(fd, ELF_C_READ, NULL);
    if (ar && elf_kind(ar) == ELF_K_AR) {
        Elf *m;
        while (rc == 0 && (m = elf_begin(fd, ELF_C_READ, ar))) {
            if (elf_kind(m) == ELF_K_ELF)
                rc = add_elf(m, names);
            elf_next(m);
            elf_end(m);
        }
    } else if (ar && elf_kind(ar) == ELF_K_ELF) {
        rc = add_elf(ar, names);
    }
    if (ar)
        elf_end(ar);
    close(fd);
    return rc;
}

int ctr_runtime_symbols_load(ctr_runtime_symbols *rs, ctr_error *err)
{
    memset(rs, 0, sizeof *rs);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ctr_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
    for (size_t i = 0; i < sizeof linker_symbols / sizeof *linker_symbols; i++)
        if (irs_strv_push(&rs->names, linker_symbols[i]) < 0)
            return ctr_error_set(err, ENOMEM, "runtime symbols");
    /* what gcc and clang add to every link by themselves */
    for (const ctr_runtime_file *f = ctr_runtime_files; f->name; f++) {
        char path[PATH_MAX];
        if (!f->every_link || f->kind == CTR_RUNTIME_SHARED ||
            ctr_toolchain_file(f->name, path, sizeof path) < 0)
            continue;
        if (add_file(path, &rs->names) < 0) {
            ctr_runtime_symbols_clear(rs);
            return ctr_error_set(err, ENOMEM, "reading '%s'", path);
        }
    }
    irs_strv_sort_unique(&rs->names);
    return 0;
}

bool ctr_runtime_symbols_has(const ctr_runtime_symbols *rs, const char *name)
{
    /* made by code generation from the IR, not present in it as such */
    if (!strncmp(name, "DW.ref.", 7) || !strncmp(name, "__x86.get_pc_thunk.", 19))
        return true;
    return irs_strv_sorted_has(&rs->names, name);
}

void ctr_runtime_symbols_clear(ctr_runtime_symbols *rs)
{
    irs_strv_clear(&rs->names);
}
