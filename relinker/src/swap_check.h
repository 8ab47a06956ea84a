/* The checks before a binary's library is swapped for a site's (a BLAS,
 * LAPACK, MPI or FFTW of the machine the image runs on): the same kind of
 * library with the same ABI, every symbol the binary takes from the old one
 * exported by the new one, and every C library version the new one needs
 * present in the image.  Each refusal keeps the image's own library and
 * says why.  Pure logic over link facts (elf_link.h): what reads the files
 * and what relinks against the new library are elsewhere. */
#ifndef CTR_SWAP_CHECK_H
#define CTR_SWAP_CHECK_H

#include "elf_link.h"

/* What a library is, from its SONAME (and, for MPI, its exports). */
typedef enum ctr_lib_class {
    CTR_LIB_OTHER, /* not a library a site swaps */
    CTR_LIB_BLAS,  /* BLAS, CBLAS or LAPACK (libblas, liblapack, libopenblas, libblis, MKL) */
    CTR_LIB_MPI,
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

/* The libraries of one swap: the image's library, the site's, the site
 * library's own dependencies (its closure, to be checked against the
 * image's C library too), and the image's libc and libm (NULL: absent). */
typedef struct ctr_swap_libs {
    const ctr_elf_link *old_lib, *new_lib;
    const ctr_elf_link *const *closure;
    size_t nclosure;
    const ctr_elf_link *image_libc, *image_libm;
} ctr_swap_libs;

/* 0 when binary bin may use s->new_lib in place of s->old_lib; else -1
 * with why: CTR_E_POLICY (another kind of library, another ABI: MPICH and
 * Open MPI, LP64 and ILP64), CTR_E_UNSUPPORTED (a symbol the binary takes
 * from the old library that the new one does not export, naming it and how
 * many), CTR_E_INPUT (a C library version the image lacks). */
int ctr_swap_check(const ctr_elf_link *bin, const ctr_swap_libs *s, ctr_error *why);

#endif
