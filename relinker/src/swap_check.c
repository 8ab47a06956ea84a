/* Checks before a library swap (see swap_check.h). */
#include "swap_check.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static bool any_match(const char *soname, const char *const *patterns)
{
    for (size_t i = 0; patterns[i]; i++)
        if (fnmatch(patterns[i], soname, 0) == 0)
            return true;
    return false;
}

void ctr_lib_kind(const ctr_elf_link *lib, ctr_lib_class *cls, ctr_lib_abi *abi)
{
    static const char *const blas[] = {"libblas.so.*", "libblas64.so.*", "libcblas.so.*",
                                       "liblapack.so.*", "liblapack64.so.*",
                                       "libopenblas*.so*", "libblis*.so*", "libmkl_rt.so*",
                                       "libflexiblas*.so*", NULL};
    static const char *const ilp64[] = {"libblas64.so.*", "liblapack64.so.*",
                                        "libopenblas64*.so*", "libblis64*.so*",
                                        "libflexiblas64*.so*", NULL};
    /* the MPICH ABI keeps SONAME version 12 whatever the file is called:
     * libmpi.so.12 (Intel, MPICH), libmpich.so.12 (Debian), libmpi_gnu_123.so.12 (Cray) */
    static const char *const mpich[] = {"libmpi.so.12", "libmpich.so.12", "libmpi_*.so.12",
                                        NULL};
    static const char *const openmpi[] = {"libmpi.so.40", NULL};
    /* Fortran bindings: MPICH, Intel and Cray (libmpifort_gnu_123.so.12), Open MPI's three */
    static const char *const mpich_fortran[] = {"libmpifort*.so.12", "libmpichfort.so.12",
                                                NULL};
    static const char *const openmpi_fortran[] = {"libmpi_mpifh.so.40", "libmpi_usempi*.so.40",
                                                  NULL};
    static const char *const mpi_abi[] = {"libmpi_abi.so*", NULL};
    static const char *const fftw[] = {"libfftw3*.so.3", NULL};
    const char *so = lib->soname;
    *cls = CTR_LIB_OTHER;
    *abi = CTR_ABI_UNKNOWN;
    if (any_match(so, blas)) {
        *cls = CTR_LIB_BLAS;
        *abi = any_match(so, ilp64) ? CTR_ABI_ILP64 : CTR_ABI_LP64;
    } else if (any_match(so, mpich_fortran)) {
        *cls = CTR_LIB_MPI_FORTRAN, *abi = CTR_ABI_MPICH;
    } else if (any_match(so, openmpi_fortran)) {
        *cls = CTR_LIB_MPI_FORTRAN, *abi = CTR_ABI_OPENMPI;
    } else if (any_match(so, mpi_abi)) {
        *cls = CTR_LIB_MPI, *abi = CTR_ABI_MPI_ABI;
    } else if (any_match(so, mpich)) {
        *cls = CTR_LIB_MPI, *abi = CTR_ABI_MPICH;
    } else if (any_match(so, openmpi)) {
        *cls = CTR_LIB_MPI, *abi = CTR_ABI_OPENMPI;
    } else if (any_match(so, fftw)) {
        *cls = CTR_LIB_FFTW, *abi = CTR_ABI_FFTW3;
    }
}

const char *ctr_lib_abi_name(ctr_lib_abi abi)
{
    static const char *const names[] = {"unknown", "LP64", "ILP64", "MPICH",
                                        "Open MPI", "MPI 5 standard", "FFTW 3"};
    return (unsigned)abi <= CTR_ABI_FFTW3 ? names[abi] : "unknown";
}

/* The first of lib's DT_NEEDED that matches one of patterns, or NULL. */
static const char *needs(const ctr_elf_link *lib, const char *const *patterns)
{
    for (size_t i = 0; i < lib->needed.n; i++)
        if (any_match(lib->needed.v[i], patterns))
            return lib->needed.v[i];
    return NULL;
}

/* The runtime of the Fortran compiler that built lib: gfortran's, flang's,
 * Intel's, NVIDIA's and PGI's. */
static const char *fortran_runtime(const ctr_elf_link *lib)
{
    static const char *const rt[] = {"libgfortran.so.*", "libflang*.so*", "libFortranRuntime*",
                                     "libifcore*.so*", "libnvf*.so*", "libpgf90*.so*", NULL};
    return needs(lib, rt);
}

ctr_complex_ret ctr_lib_complex_ret(const ctr_elf_link *lib)
{
    static const char *const gnu[] = {"libgfortran.so.*", "libmkl_gf_*", NULL};
    static const char *const f2c[] = {"libifcore*", "libmkl_intel_*", NULL};
    if (needs(lib, gnu) || any_match(lib->soname, gnu))
        return CTR_CRET_GNU;
    if (needs(lib, f2c) || any_match(lib->soname, f2c))
        return CTR_CRET_F2C;
    return CTR_CRET_UNKNOWN;
}

static bool has_arg(const irs_strv *v, const char *arg)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->v[i], arg))
            return true;
    return false;
}

ctr_complex_ret ctr_caller_complex_ret(irs_record *const *recs, size_t n)
{
    ctr_complex_ret c = CTR_CRET_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        const irs_record *r = recs[i];
        if (!r || !r->language || strcmp(r->language, "fortran"))
            continue;
        bool f2c = has_arg(&r->driver_args, "-ff2c") || has_arg(&r->frontend_args, "-ff2c");
        ctr_complex_ret t = f2c ? CTR_CRET_F2C : CTR_CRET_GNU;
        if (c != CTR_CRET_UNKNOWN && c != t)
            return CTR_CRET_UNKNOWN;
        c = t;
    }
    return c;
}

const char *ctr_complex_ret_name(ctr_complex_ret c)
{
    return c == CTR_CRET_GNU ? "gnu" : c == CTR_CRET_F2C ? "f2c" : "unknown";
}

/* name is one of the binary's dynamic imports or its IR's references. */
static bool uses(const ctr_swap_user *u, const char *name)
{
    return irs_strv_sorted_has(&u->bin->imports, name) ||
           (u->ir_refs && irs_strv_sorted_has(u->ir_refs, name));
}

ctr_lib_abi ctr_ir_mpi_family(const irs_strv *ir_refs, const char **evidence)
{
    *evidence = NULL;
    /* Open MPI's mpi.h: MPI_COMM_WORLD is &ompi_mpi_comm_world, MPI_INT
     * &ompi_mpi_int, ...; MPICH's handles are integer constants */
    for (size_t i = 0; ir_refs && i < ir_refs->n; i++)
        if (!strncmp(ir_refs->v[i], "ompi_", 5)) {
            *evidence = ir_refs->v[i];
            return CTR_ABI_OPENMPI;
        }
    return CTR_ABI_UNKNOWN;
}

/* The same class and ABI (the old library's: oc, oa). */
static int same_kind(const ctr_swap_libs *s, ctr_lib_class oc, ctr_lib_abi oa, ctr_error *why)
{
    ctr_lib_class nc;
    ctr_lib_abi na;
    ctr_lib_kind(s->new_lib, &nc, &na);
    if (oc == CTR_LIB_OTHER)
        return ctr_error_code(why, CTR_E_POLICY, "%s is no BLAS, LAPACK, MPI or FFTW library",
                              s->old_lib->soname);
    if (nc != oc)
        return ctr_error_code(why, CTR_E_POLICY, "%s is not the same kind of library as %s",
                              *s->new_lib->soname ? s->new_lib->soname : "the new library",
                              s->old_lib->soname);
    if (na != oa)
        return ctr_error_code(why, CTR_E_POLICY, "%s has the %s ABI, %s the %s ABI: the "
                                                 "binary's calls would not fit",
                              s->old_lib->soname, ctr_lib_abi_name(oa), s->new_lib->soname,
                              ctr_lib_abi_name(na));
    return 0;
}

/* The binary's IR was compiled for the old MPI's family (abi). */
static int mpi_family_agrees(const ctr_swap_user *u, const ctr_swap_libs *s, ctr_lib_class cls,
                             ctr_lib_abi abi, ctr_error *why)
{
    const char *evidence;
    if (cls != CTR_LIB_MPI && cls != CTR_LIB_MPI_FORTRAN)
        return 0;
    ctr_lib_abi ir = ctr_ir_mpi_family(u->ir_refs, &evidence);
    if (ir == CTR_ABI_UNKNOWN || ir == abi)
        return 0;
    return ctr_error_code(why, CTR_E_POLICY, "the binary's IR was compiled for %s (it uses "
                                             "'%.64s'), yet it links %s (the %s ABI): its MPI "
                                             "is not what it seems",
                          ctr_lib_abi_name(ir), evidence, s->old_lib->soname,
                          ctr_lib_abi_name(abi));
}

/* Fortran MPI bindings hold the compiler's own ABI (its descriptors, its
 * LOGICAL): only one built by the same Fortran compiler stands in. */
static int fortran_compiler_agrees(const ctr_swap_libs *s, ctr_lib_class cls, ctr_error *why)
{
    if (cls != CTR_LIB_MPI_FORTRAN)
        return 0;
    const char *o = fortran_runtime(s->old_lib), *n = fortran_runtime(s->new_lib);
    if (o && n && !strcmp(o, n))
        return 0;
    return ctr_error_code(why, CTR_E_POLICY, "%s was built by %s Fortran compiler (%s), the "
                                             "image's %s by %s (%s): Fortran bindings are "
                                             "swapped only within one compiler",
                          s->new_lib->soname, n ? "another" : "an unknown", n ? n : "no runtime",
                          s->old_lib->soname, o ? "its own" : "an unknown one",
                          o ? o : "no runtime");
}

/* BLAS functions of a complex value: where the binary calls one, both
 * libraries return it the same known way. */
static int complex_return_agrees(const ctr_swap_user *u, const ctr_swap_libs *s,
                                 ctr_error *why)
{
    static const char *const complex_fns[] = {"cdotc_", "cdotu_", "zdotc_", "zdotu_",
                                              "cladiv_", "zladiv_", NULL};
    const char *called = NULL;
    for (size_t i = 0; complex_fns[i] && !called; i++)
        if (uses(u, complex_fns[i]))
            called = complex_fns[i];
    if (!called)
        return 0;
    ctr_complex_ret o = ctr_lib_complex_ret(s->old_lib);
    if (o == CTR_CRET_UNKNOWN) /* it works with the image's: it returns them as callers expect */
        o = u->caller_cret;
    ctr_complex_ret n = s->new_cret != CTR_CRET_UNKNOWN ? s->new_cret
                                                         : ctr_lib_complex_ret(s->new_lib);
    if (o == CTR_CRET_UNKNOWN || n == CTR_CRET_UNKNOWN)
        return ctr_error_code(why, CTR_E_UNSUPPORTED, "the binary calls %s, a complex value, "
                                                      "and how %s returns one is not known "
                                                      "(blas.complex_return in a site profile "
                                                      "declares the site's)",
                              called, o == CTR_CRET_UNKNOWN ? s->old_lib->soname
                                                            : s->new_lib->soname);
    if (o != n)
        return ctr_error_code(why, CTR_E_POLICY, "the binary calls %s: %s returns a complex "
                                                 "value the %s way, %s the %s way",
                              called, s->old_lib->soname, ctr_complex_ret_name(o),
                              s->new_lib->soname, ctr_complex_ret_name(n));
    return 0;
}

/* Every symbol the binary (and its IR) takes from the old library is
 * exported by the new one. */
static int symbols_covered(const ctr_swap_user *u, const ctr_swap_libs *s, ctr_error *why)
{
    size_t missing = 0;
    const char *first = NULL;
    size_t nimp = u->bin->imports.n, nref = u->ir_refs ? u->ir_refs->n : 0;
    for (size_t i = 0; i < nimp + nref; i++) {
        const char *sym = i < nimp ? u->bin->imports.v[i] : u->ir_refs->v[i - nimp];
        if (irs_strv_sorted_has(&s->old_lib->exports, sym) &&
            !irs_strv_sorted_has(&s->new_lib->exports, sym)) {
            first = first ? first : sym;
            missing++;
        }
    }
    if (!missing)
        return 0;
    return ctr_error_code(why, CTR_E_UNSUPPORTED, "%s does not export '%.64s'%s, which the binary "
                                                  "takes from %s",
                          s->new_lib->soname, first, missing > 1 ? " (and more)" : "",
                          s->old_lib->soname);
}

/* Every version lib needs of the image's library `have` (soname) exists. */
static int versions_met(const ctr_elf_link *lib, const char *soname, const ctr_elf_link *have,
                        ctr_error *why)
{
    const char *ver = ctr_elf_version_missing(lib, soname, have);
    return !ver ? 0
                : ctr_error_code(why, CTR_E_INPUT, "%s needs %s from %s, which the image's C "
                                                   "library lacks",
                                 *lib->soname ? lib->soname : "the new library", ver, soname);
}

int ctr_swap_check(const ctr_swap_user *u, const ctr_swap_libs *s, ctr_error *why)
{
    ctr_lib_class cls;
    ctr_lib_abi abi;
    ctr_lib_kind(s->old_lib, &cls, &abi);
    if (same_kind(s, cls, abi, why) < 0 || mpi_family_agrees(u, s, cls, abi, why) < 0 ||
        fortran_compiler_agrees(s, cls, why) < 0 || complex_return_agrees(u, s, why) < 0 ||
        symbols_covered(u, s, why) < 0)
        return -1;
    for (size_t i = 0; i <= s->nclosure; i++) {
        const ctr_elf_link *lib = i == 0 ? s->new_lib : s->closure[i - 1];
        if (versions_met(lib, "libc.so.6", s->image_libc, why) < 0 ||
            versions_met(lib, "libm.so.6", s->image_libm, why) < 0)
            return -1;
    }
    return 0;
}
