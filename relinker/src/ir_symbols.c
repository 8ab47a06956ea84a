/* The symbols of TU inputs (see ir_symbols.h). */
#include "ir_symbols.h"
#include "elf_sections.h"
#include "llvm_context.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <stdlib.h>
#include <string.h>

/* Bound on the symbols of one input: far beyond any real TU. */
#define MAX_SYMBOLS (1u << 22)

static int push_name(irs_strv *out, const char *name, size_t len, const char *what,
                     ctr_error *err)
{
    if (!out)
        return 0;
    /* LLVM marks names that bypass the platform's mangling with \1, GCC
     * with '*'; the binary knows them without the mark */
    if (len && (name[0] == '\1' || name[0] == '*'))
        name++, len--;
    /* GCC's symver attribute names api@V_1 and api@@V_2: the binary's
     * symbol tables call both api */
    const char *at = memchr(name, '@', len);
    if (at)
        len = (size_t)(at - name);
    if (!len)
        return 0;
    if (out->n >= MAX_SYMBOLS)
        return ctr_error_code(err, CTR_E_LIMIT, "%s: too many symbols", what);
    char *s = strndup(name, len);
    int rc = s ? irs_strv_push(out, s) : -1;
    free(s);
    return rc < 0 ? ctr_error_set(err, ENOMEM, "%s", what) : 0;
}

/* ---- LLVM bitcode: the module's definitions with non-local linkage ------- */

static bool llvm_exported(LLVMValueRef v)
{
    LLVMLinkage l = LLVMGetLinkage(v);
    return !LLVMIsDeclaration(v) && l != LLVMInternalLinkage && l != LLVMPrivateLinkage &&
           l != LLVMAvailableExternallyLinkage;
}

/* A function or variable of the module: into s->defined when it defines it
 * for other TUs, into s->referenced when it only declares it (LLVM's own
 * intrinsics are no symbols). */
static int llvm_value(LLVMValueRef v, const char *what, ctr_ir_symbols *s, ctr_error *err)
{
    size_t n;
    const char *name = LLVMGetValueName2(v, &n);
    if (llvm_exported(v))
        return push_name(s->defined, name, n, what, err);
    if (LLVMIsDeclaration(v) && !(n > 5 && !strncmp(name, "llvm.", 5)))
        return push_name(s->referenced, name, n, what, err);
    return 0;
}

/* The names that `.symver LOCAL, NAME@VERSION` directives of the module's
 * inline assembly define (glibc-style compatibility symbols): the linked
 * file defines NAME, which no IR value is called. */
static int asm_symver_names(const char *s, size_t len, const char *what, ctr_ir_symbols *out,
                            ctr_error *err)
{
    static const char dir[] = ".symver";
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        eol = eol ? eol : end;
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        const char *comma = (size_t)(eol - q) > sizeof dir && !memcmp(q, dir, sizeof dir - 1)
                                ? memchr(q, ',', (size_t)(eol - q))
                                : NULL;
        if (comma) {
            const char *n = comma + 1;
            while (n < eol && (*n == ' ' || *n == '\t'))
                n++;
            const char *at = memchr(n, '@', (size_t)(eol - n));
            if (at && at > n && push_name(out->defined, n, (size_t)(at - n), what, err) < 0)
                return -1;
        }
        p = eol + 1;
    }
    return 0;
}

static int llvm_symbols(const void *data, size_t len, const char *what, ctr_ir_symbols *out,
                        ctr_error *err)
{
    LLVMContextRef ctx = ctr_llvm_context_new();
    /* lazy: function bodies are not read, only the symbol table */
    LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRange(data, len, "ir", 0);
    LLVMModuleRef m = NULL;
    int rc = 0;
    if (LLVMGetBitcodeModuleInContext2(ctx, mb, &m)) { /* takes mb in every case */
        LLVMContextDispose(ctx);
        return ctr_error_set(err, 0, "%s: LLVM cannot read this bitcode", what);
    }
    size_t n;
    for (LLVMValueRef f = LLVMGetFirstFunction(m); f && rc == 0; f = LLVMGetNextFunction(f))
        rc = llvm_value(f, what, out, err);
    for (LLVMValueRef g = LLVMGetFirstGlobal(m); g && rc == 0; g = LLVMGetNextGlobal(g))
        rc = llvm_value(g, what, out, err);
    for (LLVMValueRef a = LLVMGetFirstGlobalAlias(m); a && rc == 0;
         a = LLVMGetNextGlobalAlias(a))
        if (LLVMGetLinkage(a) != LLVMInternalLinkage && LLVMGetLinkage(a) != LLVMPrivateLinkage) {
            const char *name = LLVMGetValueName2(a, &n);
            rc = push_name(out->defined, name, n, what, err);
        }
    size_t asm_len = 0;
    const char *asm_text = rc == 0 ? LLVMGetModuleInlineAsm(m, &asm_len) : NULL;
    if (asm_text && asm_len)
        rc = asm_symver_names(asm_text, asm_len, what, out, err);
    LLVMDisposeModule(m);
    LLVMContextDispose(ctx);
    return rc;
}

/* ---- GCC slim LTO objects: the .gnu.lto_.symtab.* sections -------------- */

/* Each entry: name NUL, comdat NUL, kind (1), visibility (1), size (8),
 * slot (4) — the table lto-plugin reads.  Kinds 0..4: def, weak def, undef,
 * weak undef, common. */
static int lto_symtab(const char *p, size_t size, const char *what, ctr_ir_symbols *out,
                      ctr_error *err)
{
    size_t off = 0;
    while (off < size) {
        const char *name = p + off, *end = memchr(name, 0, size - off);
        if (!end)
            return ctr_error_set(err, 0, "%s: truncated LTO symbol table", what);
        size_t nlen = (size_t)(end - name);
        off += nlen + 1;
        const char *comdat_end = off < size ? memchr(p + off, 0, size - off) : NULL;
        if (!comdat_end || size - (size_t)(comdat_end + 1 - p) < 14)
            return ctr_error_set(err, 0, "%s: truncated LTO symbol table", what);
        off = (size_t)(comdat_end + 1 - p);
        unsigned char kind = (unsigned char)p[off];
        off += 14;
        if (kind > 4)
            return ctr_error_set(err, 0, "%s: bad LTO symbol kind %u", what, kind);
        irs_strv *into = kind <= 1 || kind == 4 ? out->defined : out->referenced;
        if (push_name(into, name, nlen, what, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- ELF relocatable objects: the symbol table -------------------------- */

static int elf_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *what,
                      ctr_ir_symbols *out, ctr_error *err)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh->sh_entsize == 0)
        return ctr_error_set(err, 0, "%s: unreadable symbol table", what);
    size_t n = sh->sh_size / sh->sh_entsize;
    for (size_t i = 1; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(d, (int)i, &sym))
            return ctr_error_set(err, 0, "%s: bad symbol %zu", what, i);
        if (GELF_ST_BIND(sym.st_info) == STB_LOCAL)
            continue;
        const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
        if (!name)
            return ctr_error_set(err, 0, "%s: symbol name out of range", what);
        irs_strv *into = sym.st_shndx == SHN_UNDEF ? out->referenced : out->defined;
        if (push_name(into, name, strlen(name), what, err) < 0)
            return -1;
    }
    return 0;
}

struct symbols_walk {
    bool lto;
    const char *what;
    ctr_ir_symbols *out;
};

static int section_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
                           void *ctx, ctr_error *err)
{
    struct symbols_walk *w = ctx;
    if (!w->lto && sh->sh_type == SHT_SYMTAB)
        return elf_symtab(elf, scn, sh, w->what, w->out, err);
    if (w->lto && !strncmp(name, ".gnu.lto_.symtab.", 17)) {
        const char *p;
        size_t n;
        return ctr_elf_section_bytes(scn, sh, &p, &n)
                   ? lto_symtab(p, n, w->what, w->out, err)
                   : ctr_error_set(err, 0, "%s: unreadable %.64s", w->what, name);
    }
    return 0;
}

static int elf_symbols(ctr_ir_kind kind, const void *data, size_t len, const char *what,
                       ctr_ir_symbols *out, ctr_error *err)
{
    struct symbols_walk w = {kind == CTR_IR_GCC_LTO, what, out};
    return ctr_elf_sections(data, len, what, section_symbols, &w, err);
}

int ctr_ir_symbols_read(ctr_ir_kind kind, const void *data, size_t len, const char *what,
                        ctr_ir_symbols *out, ctr_error *err)
{
    if (kind == CTR_IR_LLVM_BC)
        return llvm_symbols(data, len, what, out, err);
    if (kind == CTR_IR_GCC_LTO || kind == CTR_IR_ELF_OBJECT)
        return elf_symbols(kind, data, len, what, out, err);
    return ctr_error_code(err, CTR_E_UNSUPPORTED, "%s: no symbol reader for IR kind '%s'", what,
                          ctr_ir_kind_name(kind));
}
