/* Retargeting LLVM bitcode through the LLVM-C API. */
#include "retarget.h"
#include "fp_exact.h"
#include "llvm_context.h"

#include <errno.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <stdlib.h>
#include <string.h>

static const char k_cpu[] = "target-cpu", k_features[] = "target-features",
                  k_tune[] = "tune-cpu";

int ctr_target_init(ctr_target *t, const char *march, ctr_error *err)
{
    memset(t, 0, sizeof *t);
    if (!strcmp(march, "native")) {
        char *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
        t->cpu = strdup(cpu);
        t->features = strdup(feat);
        LLVMDisposeMessage(cpu);
        LLVMDisposeMessage(feat);
    } else {
        /* names go into IR attributes and onto command lines: keep them plain */
        if (!*march || strspn(march, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(march))
            return ctr_error_set(err, 0, "'%s' is not a CPU name", march);
        t->cpu = strdup(march);
        t->features = strdup("");
    }
    if (!t->cpu || !t->features) {
        ctr_target_clear(t);
        return ctr_error_set(err, ENOMEM, "target");
    }
    return 0;
}

void ctr_target_clear(ctr_target *t)
{
    free(t->cpu);
    free(t->features);
    t->cpu = t->features = NULL;
}

static const char *fn_attr(LLVMValueRef f, const char *key, unsigned *len)
{
    LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, key,
                                                       (unsigned)strlen(key));
    *len = 0;
    return a ? LLVMGetStringAttributeValue(a, len) : NULL;
}

static void set_attr(LLVMContextRef ctx, LLVMValueRef f, const char *key, const char *val)
{
    unsigned klen = (unsigned)strlen(key);
    LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, key, klen);
    if (*val)
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(ctx, key, klen, val,
                                                          (unsigned)strlen(val)));
}

/* The TU's default target is the (cpu, features) pair most functions carry:
 * functions with target attributes of their own are the exceptions.  Real
 * modules have a handful of distinct pairs, so a short list suffices. */
#define MAX_PAIRS 64
static void default_target(LLVMModuleRef m, char **cpu, char **features)
{
    struct pair {
        const char *c, *f;
        unsigned cl, fl;
        size_t count;
    } pairs[MAX_PAIRS];
    size_t npairs = 0, best = 0;
    *cpu = *features = NULL;
    for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn; fn = LLVMGetNextFunction(fn)) {
        unsigned cl, fl;
        const char *c = fn_attr(fn, k_cpu, &cl), *ft = fn_attr(fn, k_features, &fl);
        if (!c)
            continue;
        size_t i = 0;
        while (i < npairs && !(pairs[i].cl == cl && !memcmp(pairs[i].c, c, cl) &&
                               pairs[i].fl == fl && (!fl || !memcmp(pairs[i].f, ft, fl))))
            i++;
        if (i == npairs) {
            if (npairs == MAX_PAIRS)
                continue;
            pairs[npairs++] = (struct pair){c, ft, cl, fl, 0};
        }
        pairs[i].count++;
    }
    for (size_t i = 0; i < npairs; i++) {
        if (pairs[i].count > pairs[best].count)
            best = i;
    }
    if (npairs) {
        *cpu = strndup(pairs[best].c, pairs[best].cl);
        *features = strndup(pairs[best].f ? pairs[best].f : "", pairs[best].fl);
    }
}

int ctr_retarget_bitcode(const void *bc, size_t len, const ctr_target *t, const char *what,
                         void **out, size_t *outlen, unsigned *nfuncs, ctr_error *err)
{
    *out = NULL;
    *outlen = 0;
    *nfuncs = 0;
    LLVMContextRef ctx = ctr_llvm_context_new();
    LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRange(bc, len, "ir", 0);
    LLVMModuleRef m = NULL;
    int rc = -1;
    if (LLVMParseBitcodeInContext2(ctx, mb, &m)) {
        ctr_error_set(err, 0, "%s: LLVM cannot read this bitcode", what);
        goto out;
    }
    char *dcpu, *dfeat;
    default_target(m, &dcpu, &dfeat);
    for (LLVMValueRef f = LLVMGetFirstFunction(m); dcpu && f; f = LLVMGetNextFunction(f)) {
        unsigned cl, fl;
        const char *c = fn_attr(f, k_cpu, &cl), *ft = fn_attr(f, k_features, &fl);
        if (!c || cl != strlen(dcpu) || memcmp(c, dcpu, cl) || fl != strlen(dfeat) ||
            (fl && memcmp(ft, dfeat, fl)))
            continue; /* a function with a target of its own */
        set_attr(ctx, f, k_cpu, t->cpu);
        set_attr(ctx, f, k_tune, t->tune ? t->tune : t->cpu);
        set_attr(ctx, f, k_features, t->features);
        (*nfuncs)++;
    }
    rc = t->fp_exact ? ctr_fp_exact_module(m, dfeat ? dfeat : "", what, err) : 0;
    free(dcpu);
    free(dfeat);
    if (rc < 0)
        goto out;
    rc = -1;
    LLVMMemoryBufferRef w = LLVMWriteBitcodeToMemoryBuffer(m);
    size_t n = LLVMGetBufferSize(w);
    void *copy = malloc(n ? n : 1);
    if (!copy) {
        LLVMDisposeMemoryBuffer(w);
        ctr_error_set(err, ENOMEM, "%s", what);
        goto out;
    }
    memcpy(copy, LLVMGetBufferStart(w), n);
    LLVMDisposeMemoryBuffer(w);
    *out = copy;
    *outlen = n;
    rc = 0;
out:
    if (m)
        LLVMDisposeModule(m);
    LLVMDisposeMemoryBuffer(mb); /* parsing copies what it needs */
    LLVMContextDispose(ctx);
    return rc;
}
