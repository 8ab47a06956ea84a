/* The checks before a library swap (swap_check.c), on hand-made link
 * facts: the kinds and ABIs of libraries by SONAME, symbol coverage, the
 * image's C library versions, each refusal with its code and reason. */
#include "check.h"
#include "swap_check.h"

#include <string.h>

/* A library's link facts: SONAME, sorted exports, needed versions. */
static ctr_elf_link lib(const char *soname, char **exports, size_t nexp, char **verneed,
                        size_t nver)
{
    return (ctr_elf_link){.kind = CTR_ELF_SHARED, .interp = "", .soname = (char *)soname,
                          .exports = {nexp, exports}, .verneed = {nver, verneed}};
}

static void test_kinds(void)
{
    struct {
        const char *soname;
        ctr_lib_class cls;
        ctr_lib_abi abi;
    } cases[] = {
        {"libblas.so.3", CTR_LIB_BLAS, CTR_ABI_LP64},
        {"libblas64.so.3", CTR_LIB_BLAS, CTR_ABI_ILP64},
        {"liblapack.so.3", CTR_LIB_BLAS, CTR_ABI_LP64},
        {"libopenblas.so.0", CTR_LIB_BLAS, CTR_ABI_LP64},
        {"libopenblas64_.so.0", CTR_LIB_BLAS, CTR_ABI_ILP64},
        {"libblis.so.4", CTR_LIB_BLAS, CTR_ABI_LP64},
        {"libmpich.so.12", CTR_LIB_MPI, CTR_ABI_MPICH},
        {"libmpi.so.12", CTR_LIB_MPI, CTR_ABI_MPICH},
        {"libmpi_gnu_123.so.12", CTR_LIB_MPI, CTR_ABI_MPICH},
        {"libmpi.so.40", CTR_LIB_MPI, CTR_ABI_OPENMPI},
        {"libmpi_abi.so.0", CTR_LIB_MPI, CTR_ABI_MPI_ABI},
        {"libfftw3.so.3", CTR_LIB_FFTW, CTR_ABI_FFTW3},
        {"libfftw3f_threads.so.3", CTR_LIB_FFTW, CTR_ABI_FFTW3},
        {"libz.so.1", CTR_LIB_OTHER, CTR_ABI_UNKNOWN},
        {"", CTR_LIB_OTHER, CTR_ABI_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ctr_elf_link l = lib(cases[i].soname, NULL, 0, NULL, 0);
        ctr_lib_class cls;
        ctr_lib_abi abi;
        ctr_lib_kind(&l, &cls, &abi);
        if (cls != cases[i].cls || abi != cases[i].abi)
            fprintf(stderr, "  %s: class %d abi %d\n", cases[i].soname, cls, abi);
        CHECK(cls == cases[i].cls && abi == cases[i].abi);
    }
}

static void test_swaps(void)
{
    char *ref[] = {"cblas_dcabs1", "cblas_dgemm", "dgemm_", "xerbla_"};
    char *open[] = {"cblas_dgemm", "dgemm_", "openblas_set_num_threads", "xerbla_"};
    char *glibc_old[] = {"GLIBC_2.2.5", "GLIBC_2.34"}, *libm_old[] = {"GLIBC_2.2.5"};
    char *need_new[] = {"libc.so.6 GLIBC_2.2.5", "libm.so.6 GLIBC_2.2.5"};
    char *need_234[] = {"libc.so.6 GLIBC_2.38"};
    ctr_elf_link old = lib("libblas.so.3", ref, 4, NULL, 0);
    ctr_elf_link new = lib("libblas.so.3", open, 4, need_new, 2);
    ctr_elf_link libc = lib("libc.so.6", NULL, 0, NULL, 0), libm = libc;
    libc.verdef = (irs_strv){2, glibc_old};
    libm.verdef = (irs_strv){1, libm_old};
    ctr_swap_libs s = {&old, &new, NULL, 0, &libc, &libm};
    char *uses_gemm[] = {"dgemm_", "printf"}, *uses_dcabs1[] = {"cblas_dcabs1", "dgemm_"};
    ctr_elf_link bin = {.imports = {2, uses_gemm}};
    ctr_error why;
    CHECK(ctr_swap_check(&bin, &s, &why) == 0);
    /* Reference BLAS exports symbols OpenBLAS lacks */
    bin.imports = (irs_strv){2, uses_dcabs1};
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && why.code == CTR_E_UNSUPPORTED &&
          strstr(why.msg, "does not export 'cblas_dcabs1'"));
    bin.imports = (irs_strv){2, uses_gemm};
    /* the same symbol names with 64-bit integers */
    ctr_elf_link wide = lib("libblas64.so.3", open, 4, NULL, 0);
    s.new_lib = &wide;
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "LP64 ABI, libblas64.so.3 the ILP64 ABI"));
    /* a site library built against a newer C library than the image's */
    ctr_elf_link newer = lib("libblas.so.3", open, 4, need_234, 1);
    s.new_lib = &newer;
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && why.code == CTR_E_INPUT &&
          strstr(why.msg, "GLIBC_2.38 from libc.so.6"));
    /* ... or with a dependency that is */
    const ctr_elf_link *closure[] = {&newer};
    s.new_lib = &new;
    s.closure = closure;
    s.nclosure = 1;
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && why.code == CTR_E_INPUT);
    s.nclosure = 0;
    /* an image without libm cannot take a library that needs it */
    s.image_libm = NULL;
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && strstr(why.msg, "from libm.so.6"));
    s.image_libm = &libm;
    /* MPI: within the MPICH ABI whatever the file's name, never across families */
    char *mpi[] = {"MPI_Allreduce", "MPI_Init"};
    ctr_elf_link mpich = lib("libmpich.so.12", mpi, 2, NULL, 0),
                 cray = lib("libmpi_gnu_123.so.12", mpi, 2, NULL, 0),
                 ompi = lib("libmpi.so.40", mpi, 2, NULL, 0);
    char *uses_mpi[] = {"MPI_Allreduce"};
    ctr_elf_link prog = {.imports = {1, uses_mpi}};
    ctr_swap_libs m = {&mpich, &cray, NULL, 0, &libc, &libm};
    CHECK(ctr_swap_check(&prog, &m, &why) == 0);
    m.new_lib = &ompi;
    CHECK(ctr_swap_check(&prog, &m, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "MPICH ABI") && strstr(why.msg, "Open MPI"));
    m.old_lib = &ompi;
    m.new_lib = &mpich;
    CHECK(ctr_swap_check(&prog, &m, &why) == -1 && why.code == CTR_E_POLICY);
    /* a BLAS for an MPI, or a library no site swaps */
    m.old_lib = &mpich;
    m.new_lib = &new;
    CHECK(ctr_swap_check(&prog, &m, &why) == -1 && strstr(why.msg, "not the same kind"));
    ctr_elf_link z = lib("libz.so.1", NULL, 0, NULL, 0);
    m.old_lib = &z;
    CHECK(ctr_swap_check(&prog, &m, &why) == -1 && strstr(why.msg, "no BLAS, LAPACK, MPI"));
}

/* Debian's libraries (scripts/debian-packages): reference BLAS, OpenBLAS,
 * the reference BLAS with 64-bit integers, this machine's C library. */
#define MULTIARCH "/usr/lib/x86_64-linux-gnu"
static ctr_elf_link *read_lib(const char *path)
{
    ctr_elf_link *l = NULL;
    ctr_error err;
    if (ctr_elf_link_read(path, &l, &err) < 0)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK(l != NULL);
    return l;
}

static void test_debian_blas(void)
{
    ctr_elf_link *ref = read_lib(MULTIARCH "/blas/libblas.so.3"),
                 *open = read_lib(MULTIARCH "/openblas-pthread/libblas.so.3"),
                 *wide = read_lib(MULTIARCH "/blas64/libblas64.so.3"),
                 *libc = read_lib(MULTIARCH "/libc.so.6"), *libm = read_lib(MULTIARCH "/libm.so.6");
    if (!ref || !open || !wide || !libc || !libm)
        return;
    char *gemm[] = {"cblas_dgemm", "dgemm_"}, *dcabs1[] = {"cblas_dcabs1", "dgemm_"};
    ctr_elf_link bin = {.imports = {2, gemm}};
    ctr_swap_libs s = {ref, open, NULL, 0, libc, libm};
    ctr_error why;
    CHECK(ctr_swap_check(&bin, &s, &why) == 0);
    bin.imports = (irs_strv){2, dcabs1};
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && strstr(why.msg, "'cblas_dcabs1'"));
    bin.imports = (irs_strv){2, gemm};
    s.new_lib = wide;
    CHECK(ctr_swap_check(&bin, &s, &why) == -1 && why.code == CTR_E_POLICY);
    ctr_elf_link_free(ref);
    ctr_elf_link_free(open);
    ctr_elf_link_free(wide);
    ctr_elf_link_free(libc);
    ctr_elf_link_free(libm);
}

int main(void)
{
    test_kinds();
    test_swaps();
    test_debian_blas();
    return failures != 0;
}
