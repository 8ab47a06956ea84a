/* The checks before a binary's library is swapped for a site's (a BLAS,
 * LAPACK, MPI or FFTW of the machine the image runs on): the same kind of
 * library with the same ABI, the MPI family the binary's IR was compiled
 * for, the same Fortran compiler behind Fortran MPI bindings, the same way
 * of returning complex values from BLAS functions the binary calls, every
 * symbol the binary and its IR take from the old one exported by the new
 * one, and every C library version the new one needs present in the image.
 * Each refusal keeps the image's own library and says why.  Pure logic over
 * link facts (elf_link.h) and IR references (tu_symbols.h): what reads the
 * files and what relinks against the new library are elsewhere. */
#ifndef CTR_SWAP_CHECK_H
#define CTR_SWAP_CHECK_H

#include "elf_link.h"

/* What a library is, from its SONAME (and, for MPI, its exports). */
typedef enum ctr_lib_class {
    CTR_LIB_OTHER, /* not a library a site swaps */
    CTR_LIB_BLAS,  /* BLAS, CBLAS or LAPACK (libblas, liblapack, libopenblas, libblis, MKL) */
    CTR_LIB_MPI,   /* the MPI C library */
    CTR_LIB_MPI_FORTRAN, /* MPI's Fortran bindings (libmpifort, libmpi_mpifh, ...) */
    CTR_LIB_FFTW,
} ctr_lib_class;

/* The binary interface within a class: what a swap must keep. */
typedef enum ctr_lib_abi {
    CTR_ABI_UNKNOWN,
    CTR_ABI_LP64,      /* BLAS/LAPACK with 32-bit integers */
    CTR_ABI_ILP64,     /* ... with 64-bit integers (same symbol names: libblas64.so.3) */
    CTR_ABI_MPICH,     /* the MPICH ABI: MPICH, Intel MPI, Cray MPICH, MVAPICH (.so.12) */
    CTR_ABI_OPENMPI,   /* Open MPI (libmpi.so.40) */
    CTR_ABI_MPI_ABI,   /* the MPI 5 standard ABI (libmpi_abi) */
    CTR_ABI_FFTW3,     /* FFTW 3 (double, float, long double and threads libraries) */
} ctr_lib_abi;

void ctr_lib_kind(const ctr_elf_link *lib, ctr_lib_class *cls, ctr_lib_abi *abi);
const char *ctr_lib_abi_name(ctr_lib_abi abi);

/* How a Fortran-callable BLAS returns a complex value (zdotc_, cdotu_):
 * gfortran's way (in registers, as C's _Complex) or f2c's and Intel's (a
 * hidden first argument). */
typedef enum ctr_complex_ret {
    CTR_CRET_UNKNOWN,
    CTR_CRET_GNU,
    CTR_CRET_F2C,
} ctr_complex_ret;

/* The convention a library's own build shows: gfortran's when it needs
 * libgfortran or is MKL's gfortran interface, f2c's when it needs Intel's
 * Fortran runtime or is MKL's Intel interface; else unknown. */
ctr_complex_ret ctr_lib_complex_ret(const ctr_elf_link *lib);
/* The convention the binary's Fortran TUs were compiled for (gfortran's,
 * f2c's with -ff2c), from their records (NULL entries skipped); unknown
 * when it has no Fortran TU or they disagree. */
ctr_complex_ret ctr_caller_complex_ret(irs_record *const *recs, size_t n);
const char *ctr_complex_ret_name(ctr_complex_ret c);

/* The libraries of one swap: the image's library, the site's, the site
 * library's own dependencies (its closure, to be checked against the
 * image's C library too), and the image's libc and libm (NULL: absent). */
typedef struct ctr_swap_libs {
    const ctr_elf_link *old_lib, *new_lib;
    ctr_complex_ret new_cret; /* declared by the site profile or shown by new_lib's
                                 closure; unknown: as new_lib shows */
    const ctr_elf_link *const *closure;
    size_t nclosure;
    const ctr_elf_link *image_libc, *image_libm;
} ctr_swap_libs;

/* The binary: its link facts and what its IR references (NULL: nothing
 * known beyond its dynamic imports). */
typedef struct ctr_swap_user {
    const ctr_elf_link *bin;
    const irs_strv *ir_refs;
    ctr_complex_ret caller_cret; /* its callers' convention, where the old
                                    library's own build does not show one */
} ctr_swap_user;

/* 0 when binary u may use s->new_lib in place of s->old_lib; else -1 with
 * why: CTR_E_POLICY (another kind of library, another ABI: MPICH and Open
 * MPI, LP64 and ILP64; IR compiled for another MPI family; Fortran bindings
 * of another compiler; complex values returned another way),
 * CTR_E_UNSUPPORTED (a symbol the binary or its IR takes from the old
 * library that the new one does not export, naming it and how many; a
 * complex-valued function called where either library's convention is not
 * known), CTR_E_INPUT (a C library version the image lacks). */
int ctr_swap_check(const ctr_swap_user *u, const ctr_swap_libs *s, ctr_error *why);

/* The MPI family the IR was compiled for, as its references show: Open MPI
 * (its handles are addresses of ompi_* objects) or CTR_ABI_UNKNOWN (none,
 * or integer handles: MPICH's or the MPI 5 ABI's, which a SONAME tells
 * apart). */
ctr_lib_abi ctr_ir_mpi_family(const irs_strv *ir_refs, const char **evidence);

#endif
