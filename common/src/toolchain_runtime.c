/* The toolchain's own link inputs (see comtainer/toolchain_runtime.h). */
#include "comtainer/toolchain_runtime.h"

#include <string.h>

#define START(n, every) {n, CTR_RUNTIME_START, every, NULL}
#define STATIC(n, every) {n, CTR_RUNTIME_STATIC, every, NULL}
#define SHARED(n, flag) {n, CTR_RUNTIME_SHARED, false, flag}

const ctr_runtime_file ctr_runtime_files[] = {
    START("crt1.o", true), START("Scrt1.o", true), START("rcrt1.o", true),
    START("gcrt1.o", true), START("grcrt1.o", false), START("Mcrt1.o", false),
    START("Gcrt1.o", false), START("crti.o", true), START("crtn.o", true),
    START("crtbegin.o", true), START("crtbeginS.o", true), START("crtbeginT.o", true),
    START("crtend.o", true), START("crtendS.o", true),
    /* GCC's and LLVM's support libraries */
    STATIC("libgcc.a", true), STATIC("libgcc_eh.a", true), STATIC("libgcov.a", false),
    STATIC("libssp.a", false), STATIC("libssp_nonshared.a", true), STATIC("libatomic.a", false),
    STATIC("libunwind.a", false),
    /* the C library's static parts */
    STATIC("libc_nonshared.a", true), STATIC("libc.a", false), STATIC("libm.a", false),
    STATIC("libmvec.a", false), STATIC("libpthread.a", false), STATIC("libdl.a", false),
    STATIC("librt.a", false), STATIC("libresolv.a", false), STATIC("libutil.a", false),
    STATIC("libanl.a", false), STATIC("libg.a", false), STATIC("libmcheck.a", false),
    /* language runtimes linked statically (-static-libstdc++, -static-libgfortran) */
    STATIC("libstdc++.a", false), STATIC("libsupc++.a", false), STATIC("libstdc++fs.a", false),
    STATIC("libstdc++exp.a", false), STATIC("libgfortran.a", false),
    STATIC("libquadmath.a", false), STATIC("libgomp.a", false), STATIC("libc++.a", false),
    STATIC("libc++abi.a", false),
    /* shared runtimes: what a relink names with a flag rather than a path */
    SHARED("libc.so.6", ""), SHARED("ld-linux-x86-64.so.2", ""), SHARED("libgcc_s.so.1", ""),
    SHARED("libm.so.6", "-lm"), SHARED("libstdc++.so.6", "-lstdc++"),
    SHARED("libgfortran.so.5", "-lgfortran"), SHARED("libquadmath.so.0", "-lquadmath"),
    SHARED("libgomp.so.1", "-lgomp"), SHARED("libomp.so.5", "-lomp"),
    SHARED("libmvec.so.1", "-lmvec"), SHARED("libpthread.so.0", "-lpthread"),
    SHARED("libdl.so.2", "-ldl"), SHARED("librt.so.1", "-lrt"),
    {NULL, CTR_RUNTIME_START, false, NULL},
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

const ctr_runtime_file *ctr_runtime_find(const char *base, ctr_runtime_kind kind)
{
    for (const ctr_runtime_file *f = ctr_runtime_files; f->name; f++)
        if (f->kind == kind && !strcmp(f->name, base))
            return f;
    /* families: crtfastmath.o, crtprec80.o ...; libm-2.36.a (what Debian's
     * libm.a script names); libclang_rt.builtins-x86_64.a ... */
    static const ctr_runtime_file start_family = START("crt*.o", false),
                                  static_family = STATIC("lib*.a", false);
    if (kind == CTR_RUNTIME_START && !strncmp(base, "crt", 3) && ends_with(base, ".o"))
        return &start_family;
    if (kind == CTR_RUNTIME_STATIC && ends_with(base, ".a") &&
        (!strncmp(base, "libm-", 5) || !strncmp(base, "libclang_rt.", 12)))
        return &static_family;
    return NULL;
}
