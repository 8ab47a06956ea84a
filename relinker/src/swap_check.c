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
    static const char *const mpi_abi[] = {"libmpi_abi.so*", NULL};
    static const char *const fftw[] = {"libfftw3*.so.3", NULL};
    const char *so = lib->soname;
    *cls = CTR_LIB_OTHER;
    *abi = CTR_ABI_UNKNOWN;
    if (any_match(so, blas)) {
        *cls = CTR_LIB_BLAS;
        *abi = any_match(so, ilp64) ? CTR_ABI_ILP64 : CTR_ABI_LP64;
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

/* The same class and ABI. */
static int same_kind(const ctr_swap_libs *s, ctr_error *why)
{
    ctr_lib_class oc, nc;
    ctr_lib_abi oa, na;
    ctr_lib_kind(s->old_lib, &oc, &oa);
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

/* Every symbol bin takes from the old library is exported by the new one. */
static int symbols_covered(const ctr_elf_link *bin, const ctr_swap_libs *s, ctr_error *why)
{
    size_t missing = 0;
    const char *first = NULL;
    for (size_t i = 0; i < bin->imports.n; i++) {
        const char *sym = bin->imports.v[i];
        if (irs_strv_sorted_has(&s->old_lib->exports, sym) && !irs_strv_sorted_has(&s->new_lib->exports, sym)) {
            first = first ? first : sym;
            missing++;
        }
    }
    if (!missing)
        return 0;
    return ctr_error_code(why, CTR_E_UNSUPPORTED, "%s does not export '%s'%s, which the binary "
                                                  "takes from %s",
                          s->new_lib->soname, first, missing > 1 ? " (and more)" : "",
                          s->old_lib->soname);
}

/* Every version lib needs of the image's library `have` (soname) exists. */
static int versions_met(const ctr_elf_link *lib, const char *soname, const ctr_elf_link *have,
                        ctr_error *why)
{
    size_t n = strlen(soname);
    for (size_t k = 0; k < lib->verneed.n; k++) {
        const char *pair = lib->verneed.v[k];
        if (strncmp(pair, soname, n) || pair[n] != ' ')
            continue;
        bool found = false;
        for (size_t d = 0; have && d < have->verdef.n && !found; d++)
            found = !strcmp(have->verdef.v[d], pair + n + 1);
        if (!found)
            return ctr_error_code(why, CTR_E_INPUT, "%s needs %s from %s, which the image's "
                                                    "C library lacks",
                                  *lib->soname ? lib->soname : "the new library", pair + n + 1,
                                  soname);
    }
    return 0;
}

int ctr_swap_check(const ctr_elf_link *bin, const ctr_swap_libs *s, ctr_error *why)
{
    if (same_kind(s, why) < 0 || symbols_covered(bin, s, why) < 0)
        return -1;
    for (size_t i = 0; i <= s->nclosure; i++) {
        const ctr_elf_link *lib = i == 0 ? s->new_lib : s->closure[i - 1];
        if (versions_met(lib, "libc.so.6", s->image_libc, why) < 0 ||
            versions_met(lib, "libm.so.6", s->image_libm, why) < 0)
            return -1;
    }
    return 0;
}
