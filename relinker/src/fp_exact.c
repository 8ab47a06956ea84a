/* Exact floating-point results (see fp_exact.h). */
#include "fp_exact.h"
#include "elf_sections.h"

#include <stdio.h>
#include <string.h>

/* One comma-separated token of a features string. */
static bool has_feature(const char *features, const char *f)
{
    size_t n = strlen(f);
    for (const char *p = features; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, f, n) && (p[n] == ',' || !p[n]))
            return true;
    return false;
}

bool ctr_features_have_fma(const char *features)
{
    return has_feature(features, "+fma") || has_feature(features, "+fma4") ||
           has_feature(features, "+avx512f");
}

/* The fast-math flags that change results whatever the target: all but
 * `contract`, which exact mode handles. */
static const struct {
    LLVMFastMathFlags flag;
    const char *name;
} value_flags[] = {
    {LLVMFastMathAllowReassoc, "reassoc"}, {LLVMFastMathNoNaNs, "nnan"},
    {LLVMFastMathNoInfs, "ninf"},          {LLVMFastMathNoSignedZeros, "nsz"},
    {LLVMFastMathAllowReciprocal, "arcp"}, {LLVMFastMathApproxFunc, "afn"},
};

static const char *const fast_math_attrs[] = {
    "unsafe-fp-math", "no-nans-fp-math", "no-infs-fp-math", "approx-func-fp-math",
    "no-signed-zeros-fp-math",
};

static int refuse(const char *what, const char *in, const char *how, ctr_error *err)
{
    return ctr_error_code(err, CTR_E_UNSUPPORTED,
                          "--fp exact: %s was compiled with fast-math (%s in %s): its results "
                          "depend on the code generated, so only the original gives them",
                          what, how, in);
}

static bool is_fmuladd(LLVMValueRef inst)
{
    if (LLVMGetInstructionOpcode(inst) != LLVMCall)
        return false;
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len;
    const char *name = callee ? LLVMGetValueName2(callee, &len) : NULL;
    return name && len > 13 && !strncmp(name, "llvm.fmuladd.", 13);
}

/* fmuladd(a, b, c) as the original's code generation made it without FMA:
 * fmul a, b then fadd c, each rounded (its fast-math flags kept). */
static void expand_fmuladd(LLVMBuilderRef b, LLVMValueRef call)
{
    LLVMPositionBuilderBefore(b, call);
    LLVMValueRef mul = LLVMBuildFMul(b, LLVMGetOperand(call, 0), LLVMGetOperand(call, 1), "");
    LLVMValueRef add = LLVMBuildFAdd(b, mul, LLVMGetOperand(call, 2), "");
    LLVMFastMathFlags fmf = LLVMCanValueUseFastMathFlags(call) ? LLVMGetFastMathFlags(call) : 0;
    fmf &= ~(LLVMFastMathFlags)LLVMFastMathAllowContract;
    LLVMSetFastMathFlags(mul, fmf);
    LLVMSetFastMathFlags(add, fmf);
    LLVMReplaceAllUsesWith(call, add);
    LLVMInstructionEraseFromParent(call);
}

/* One function: refuse fast-math, undo what FMA would fuse. */
static int exact_function(LLVMBuilderRef b, LLVMValueRef f, bool fma, const char *what,
                          ctr_error *err)
{
    size_t len;
    const char *fname = LLVMGetValueName2(f, &len);
    for (size_t a = 0; a < sizeof fast_math_attrs / sizeof *fast_math_attrs; a++) {
        LLVMAttributeRef at = LLVMGetStringAttributeAtIndex(
            f, LLVMAttributeFunctionIndex, fast_math_attrs[a], (unsigned)strlen(fast_math_attrs[a]));
        unsigned vl;
        const char *v = at ? LLVMGetStringAttributeValue(at, &vl) : NULL;
        if (v && vl == 4 && !memcmp(v, "true", 4))
            return refuse(what, fname, fast_math_attrs[a], err);
    }
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb)) {
        LLVMValueRef next;
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = next) {
            next = LLVMGetNextInstruction(i);
            if (!LLVMCanValueUseFastMathFlags(i))
                continue;
            LLVMFastMathFlags fmf = LLVMGetFastMathFlags(i);
            for (size_t k = 0; k < sizeof value_flags / sizeof *value_flags; k++)
                if (fmf & value_flags[k].flag)
                    return refuse(what, fname, value_flags[k].name, err);
            if (fma)
                continue; /* the original fused too */
            if (is_fmuladd(i))
                expand_fmuladd(b, i);
            else if (fmf & LLVMFastMathAllowContract)
                LLVMSetFastMathFlags(i, fmf & ~(LLVMFastMathFlags)LLVMFastMathAllowContract);
        }
    }
    return 0;
}

int ctr_fp_exact_module(LLVMModuleRef m, const char *features, const char *what,
                        ctr_error *err)
{
    bool fma = ctr_features_have_fma(features);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
    int rc = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m); rc == 0 && f; f = LLVMGetNextFunction(f))
        rc = exact_function(b, f, fma, what, err);
    LLVMDisposeBuilder(b);
    return rc;
}

/* GCC options after which results depend on code generation: fast-math,
 * and instruction sets with FMA, which GCC contracts into by its own
 * choices (a different pipeline makes different ones). */
static const char *const gcc_fast_math[] = {
    "-ffast-math", "-Ofast", "-funsafe-math-optimizations", "-fassociative-math",
    "-freciprocal-math", "-ffinite-math-only", "-fno-signed-zeros",
};
static const char *const gcc_fma[] = {"-mfma", "-mfma4", "-mavx512"};

/* -march values without FMA (x86): the generic levels and the CPUs before
 * Haswell and Piledriver. */
static const char *const no_fma_march[] = {
    "x86-64", "x86-64-v2", "nocona", "core2", "nehalem", "corei7", "westmere", "sandybridge",
    "corei7-avx", "ivybridge", "core-avx-i", "bonnell", "atom", "silvermont", "slm",
    "goldmont", "goldmont-plus", "tremont", "k8", "k8-sse3", "opteron", "athlon64",
    "amdfam10", "barcelona", "btver1", "btver2",
};

static bool prefixed(const char *opt, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strncmp(opt, list[i], strlen(list[i])))
            return true;
    return false;
}

#define PREFIXED(opt, list) prefixed(opt, list, sizeof list / sizeof *list)

static bool enables_fma(const char *opt)
{
    if (PREFIXED(opt, gcc_fma))
        return true;
    if (strncmp(opt, "-march=", 7))
        return false;
    for (size_t i = 0; i < sizeof no_fma_march / sizeof *no_fma_march; i++)
        if (!strcmp(opt + 7, no_fma_march[i]))
            return false;
    return true; /* a CPU with FMA, native, or one not known here */
}

struct gcc_walk {
    const char *what;
};

/* .gnu.lto_.opts is "'-a' '-b'" (object_policy.c checked its form). */
static int check_section(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
                         void *ctx, ctr_error *err)
{
    (void)elf;
    const struct gcc_walk *w = ctx;
    const char *p;
    size_t n;
    if (strcmp(name, ".gnu.lto_.opts") || !ctr_elf_section_bytes(scn, sh, &p, &n) || !n ||
        p[n - 1])
        return 0;
    char opt[256];
    for (const char *q = p; (q = strchr(q, '\'')) && q < p + n;) {
        const char *close = strchr(q + 1, '\'');
        if (!close)
            break;
        size_t len = (size_t)(close - q - 1);
        snprintf(opt, sizeof opt, "%.*s", (int)(len < sizeof opt ? len : sizeof opt - 1), q + 1);
        if (PREFIXED(opt, gcc_fast_math))
            return refuse(w->what, "its options", opt, err);
        if (enables_fma(opt))
            return ctr_error_code(err, CTR_E_UNSUPPORTED,
                                  "--fp exact: %s was compiled with '%s', so GCC may have fused "
                                  "multiply-adds by its own choices: only the original gives "
                                  "its results", w->what, opt);
        q = close + 1;
    }
    return 0;
}

int ctr_fp_exact_gcc(const void *obj, size_t len, const char *what, ctr_error *err)
{
    struct gcc_walk w = {what};
    return ctr_elf_sections(obj, len, what, check_section, &w, err);
}
