/* Fuzz target: the ELF link reader (relinker/src/elf_link.c) over any bytes
 * as a file, then what the relinker does with its strings: the link-string
 * policy (link_policy.c), the stored-object policy (object_policy.c) and
 * --fp exact's reading of a GIMPLE object's options (fp_exact.c), the
 * symbols a stored GIMPLE or recorded object defines and uses (ir_symbols.c: its
 * .gnu.lto_.symtab and .symtab readers) and the TU ids of the file
 * (irstore's .comtainer reader), the symbol versions it defines and the
 * version script made from them.  Invariants: the kind
 * is one of the four, every TU id is a hash, every string a policy accepts
 * is free of the separators and option markers it promises to exclude. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <stdio.h>
#include <unistd.h>

#include "elf_link.h"
#include "fuzz_file.h"
#include "ir_symbols.h"
#include "link_policy.h"
#include "object_policy.h"
#include "fp_exact.h"
#include "version_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void accepted_is_clean(const char *s)
{
    if (s[0] == '-' || strchr(s, ',') || strchr(s, '\n') || strstr(s, "/../"))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_as_file(data, size);
    if (!path)
        return 0;
    ctr_error err;
    ctr_object_policy_check(CTR_IR_GCC_LTO, data, size, "fuzz", &err);
    ctr_object_policy_check(CTR_IR_ELF_OBJECT, data, size, "fuzz", &err);
    ctr_fp_exact_gcc(data, size, "fuzz", &err);
    static const ctr_ir_kind kinds[] = {CTR_IR_GCC_LTO, CTR_IR_ELF_OBJECT};
    for (int k = 0; k < 2; k++) {
        irs_strv def = {0}, ref = {0};
        ctr_ir_symbols syms = {&def, &ref};
        if (ctr_ir_symbols_read(kinds[k], data, size, "fuzz", &syms, &err) == 0)
            for (size_t i = 0; i < def.n + ref.n; i++)
                if (!(i < def.n ? def.v[i] : ref.v[i - def.n])[0])
                    abort(); /* empty names are dropped: the confined answer relies on it */
        irs_strv_clear(&def);
        irs_strv_clear(&ref);
    }
    char **ids = NULL;
    size_t n = 0;
    if (irs_elf_tu_ids(path, &ids, &n, &err) == 0)
        irs_ids_free(ids);
    ctr_elf_link *l = NULL;
    if (ctr_elf_link_read(path, &l, &err) < 0)
        return 0;
    if (l->kind > CTR_ELF_OTHER || !l->interp || !l->soname)
        abort();
    for (size_t i = 0; i < l->ntu; i++)
        if (!irs_is_hash_hex(l->tu_ids[i]))
            abort();
    /* every versioned export is NAME@VERSION or NAME@@VERSION, NAME not
     * empty; each version has its parent ("" none) */
    if (l->verdef_parent.n != l->verdef.n)
        abort();
    for (size_t i = 0; i < l->exports_ver.n; i++)
        if (!strchr(l->exports_ver.v[i], '@') || l->exports_ver.v[i][0] == '@')
            abort();
    ctr_strbuf script = CTR_STRBUF_INIT;
    ctr_version_script(l, &script);
    ctr_sb_release(&script);
    ctr_needed *needed = calloc(l->needed.n + 1, sizeof *needed);
    ctr_binary b = {.inner = "/fuzz", .host = (char *)path, .link = l, .needed = needed};
    for (size_t i = 0; needed && i < l->needed.n; i++)
        needed[i].name = l->needed.v[i];
    if (needed && ctr_link_strings_check(&b, &err) == 0) {
        accepted_is_clean(l->soname);
        accepted_is_clean(l->interp);
        for (size_t i = 0; i < l->needed.n; i++)
            accepted_is_clean(l->needed.v[i]);
        for (size_t i = 0; i < l->runpath.n; i++)
            if (l->runpath.v[i][0] == '-' || strchr(l->runpath.v[i], ','))
                abort();
    }
    free(needed);
    ctr_elf_link_free(l);
    return 0;
}
