/* The checks before a library swap (swap_check.c), on hand-made link
 * facts: the kinds and ABIs of libraries by SONAME, symbol coverage (the
 * binary's imports and its IR's references), the MPI family the IR shows,
 * Fortran bindings' compiler, complex returns, the image's C library
 * versions, each refusal with its code and reason. */
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
        {"libmpifort.so.12", CTR_LIB_MPI_FORTRAN, CTR_ABI_MPICH},
        {"libmpifort_gnu_123.so.12", CTR_LIB_MPI_FORTRAN, CTR_ABI_MPICH},
        {"libmpi_mpifh.so.40", CTR_LIB_MPI_FORTRAN, CTR_ABI_OPENMPI},
        {"libmpi_usempif08.so.40", CTR_LIB_MPI_FORTRAN, CTR_ABI_OPENMPI},
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
    ctr_swap_libs s = {&old, &new, CTR_CRET_UNKNOWN, NULL, 0, &libc, &libm};
    char *uses_gemm[] = {"dgemm_", "printf"}, *uses_dcabs1[] = {"cblas_dcabs1", "dgemm_"};
    ctr_elf_link bin = {.imports = {2, uses_gemm}};
    ctr_swap_user ub = {&bin, NULL, CTR_CRET_UNKNOWN};
    ctr_error why;
    CHECK(ctr_swap_check(&ub, &s, &why) == 0);
    /* Reference BLAS exports symbols OpenBLAS lacks */
    bin.imports = (irs_strv){2, uses_dcabs1};
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && why.code == CTR_E_UNSUPPORTED &&
          strstr(why.msg, "does not export 'cblas_dcabs1'"));
    bin.imports = (irs_strv){2, uses_gemm};
    /* the same symbol names with 64-bit integers */
    ctr_elf_link wide = lib("libblas64.so.3", open, 4, NULL, 0);
    s.new_lib = &wide;
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "LP64 ABI, libblas64.so.3 the ILP64 ABI"));
    /* a site library built against a newer C library than the image's */
    ctr_elf_link newer = lib("libblas.so.3", open, 4, need_234, 1);
    s.new_lib = &newer;
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && why.code == CTR_E_INPUT &&
          strstr(why.msg, "GLIBC_2.38 from libc.so.6"));
    /* ... or with a dependency that is */
    const ctr_elf_link *closure[] = {&newer};
    s.new_lib = &new;
    s.closure = closure;
    s.nclosure = 1;
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && why.code == CTR_E_INPUT);
    s.nclosure = 0;
    /* an image without libm cannot take a library that needs it */
    s.image_libm = NULL;
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && strstr(why.msg, "from libm.so.6"));
    s.image_libm = &libm;
    /* MPI: within the MPICH ABI whatever the file's name, never across families */
    char *mpi[] = {"MPI_Allreduce", "MPI_Init"};
    ctr_elf_link mpich = lib("libmpich.so.12", mpi, 2, NULL, 0),
                 cray = lib("libmpi_gnu_123.so.12", mpi, 2, NULL, 0),
                 ompi = lib("libmpi.so.40", mpi, 2, NULL, 0);
    char *uses_mpi[] = {"MPI_Allreduce"};
    ctr_elf_link prog = {.imports = {1, uses_mpi}};
    ctr_swap_user up = {&prog, NULL, CTR_CRET_UNKNOWN};
    ctr_swap_libs m = {&mpich, &cray, CTR_CRET_UNKNOWN, NULL, 0, &libc, &libm};
    CHECK(ctr_swap_check(&up, &m, &why) == 0);
    m.new_lib = &ompi;
    CHECK(ctr_swap_check(&up, &m, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "MPICH ABI") && strstr(why.msg, "Open MPI"));
    m.old_lib = &ompi;
    m.new_lib = &mpich;
    CHECK(ctr_swap_check(&up, &m, &why) == -1 && why.code == CTR_E_POLICY);
    /* a BLAS for an MPI, or a library no site swaps */
    m.old_lib = &mpich;
    m.new_lib = &new;
    CHECK(ctr_swap_check(&up, &m, &why) == -1 && strstr(why.msg, "not the same kind"));
    ctr_elf_link z = lib("libz.so.1", NULL, 0, NULL, 0);
    m.old_lib = &z;
    CHECK(ctr_swap_check(&up, &m, &why) == -1 && strstr(why.msg, "no BLAS, LAPACK, MPI"));
}

/* What the IR says: its MPI family, the symbols it references, the complex
 * return its Fortran callers expect; Fortran bindings of one compiler. */
static void test_ir_checks(void)
{
    char *mpi[] = {"MPI_Allreduce", "MPI_Init", "MPI_Send"};
    char *gfortran[] = {"libgfortran.so.5"}, *ifort[] = {"libifcore.so.5"};
    ctr_elf_link mpich = lib("libmpich.so.12", mpi, 3, NULL, 0),
                 site = lib("libmpi.so.12", mpi, 2, NULL, 0);
    ctr_swap_libs m = {&mpich, &site, CTR_CRET_UNKNOWN, NULL, 0, NULL, NULL};
    char *uses_init[] = {"MPI_Init"};
    ctr_elf_link prog = {.imports = {1, uses_init}};
    ctr_error why;
    /* Open MPI's handles in the IR of a binary that links MPICH */
    char *ompi_refs[] = {"MPI_Init", "ompi_mpi_comm_world"};
    irs_strv refs = {2, ompi_refs};
    ctr_swap_user u = {&prog, &refs, CTR_CRET_UNKNOWN};
    const char *ev;
    CHECK(ctr_ir_mpi_family(&refs, &ev) == CTR_ABI_OPENMPI && !strcmp(ev, "ompi_mpi_comm_world"));
    CHECK(ctr_swap_check(&u, &m, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "compiled for Open MPI") && strstr(why.msg, "'ompi_mpi_comm_world'"));
    /* the IR calls MPI_Send, which the site library lacks, though the
     * binary's dynamic imports do not show it */
    char *send_refs[] = {"MPI_Init", "MPI_Send"};
    refs = (irs_strv){2, send_refs};
    CHECK(ctr_ir_mpi_family(&refs, &ev) == CTR_ABI_UNKNOWN && !ev);
    CHECK(ctr_swap_check(&u, &m, &why) == -1 && why.code == CTR_E_UNSUPPORTED &&
          strstr(why.msg, "'MPI_Send'"));
    refs.n = 1;
    CHECK(ctr_swap_check(&u, &m, &why) == 0);
    /* Fortran bindings: the same compiler's runtime on both sides */
    ctr_elf_link fold = lib("libmpifort.so.12", mpi, 3, NULL, 0), fnew = fold;
    fold.needed = (irs_strv){1, gfortran};
    fnew.needed = (irs_strv){1, ifort};
    ctr_swap_libs f = {&fold, &fnew, CTR_CRET_UNKNOWN, NULL, 0, NULL, NULL};
    CHECK(ctr_swap_check(&u, &f, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "libifcore.so.5") && strstr(why.msg, "libgfortran.so.5"));
    fnew.needed = (irs_strv){1, gfortran};
    CHECK(ctr_swap_check(&u, &f, &why) == 0);
    fnew.needed = (irs_strv){0, NULL};
    CHECK(ctr_swap_check(&u, &f, &why) == -1 && strstr(why.msg, "unknown"));
    /* complex returns */
    char *zdot[] = {"dgemm_", "zdotc_"};
    ctr_elf_link bold = lib("libblas.so.3", zdot, 2, NULL, 0), bnew = lib("libblas.so.3", zdot, 2,
                                                                         NULL, 0);
    ctr_elf_link caller = {.imports = {2, zdot}};
    ctr_swap_user c = {&caller, NULL, CTR_CRET_UNKNOWN};
    ctr_swap_libs b = {&bold, &bnew, CTR_CRET_UNKNOWN, NULL, 0, NULL, NULL};
    CHECK(ctr_swap_check(&c, &b, &why) == -1 && why.code == CTR_E_UNSUPPORTED &&
          strstr(why.msg, "zdotc_") && strstr(why.msg, "complex_return"));
    c.caller_cret = CTR_CRET_GNU; /* its Fortran callers, compiled by gfortran */
    bnew.needed = (irs_strv){1, gfortran};
    CHECK(ctr_swap_check(&c, &b, &why) == 0);
    b.new_cret = CTR_CRET_F2C; /* declared by the profile: MKL's Intel interface */
    CHECK(ctr_swap_check(&c, &b, &why) == -1 && why.code == CTR_E_POLICY &&
          strstr(why.msg, "the gnu way") && strstr(why.msg, "the f2c way"));
    ctr_elf_link mkl = lib("libmkl_intel_lp64.so.2", zdot, 2, NULL, 0);
    CHECK(ctr_lib_complex_ret(&mkl) == CTR_CRET_F2C && ctr_lib_complex_ret(&bnew) == CTR_CRET_GNU);
    caller.imports.n = 1; /* dgemm_ only: no complex value in question */
    CHECK(ctr_swap_check(&c, &b, &why) == 0);
    /* the callers' convention from their records */
    irs_record fc = {.language = "fortran"}, cc = {.language = "c"}, f2 = fc;
    char *ff2c[] = {"gfortran", "-ff2c", "-c", "x.f90"};
    f2.driver_args = (irs_strv){4, ff2c};
    irs_record *one[] = {&cc, NULL, &fc}, *two[] = {&fc, &f2}, *f2only[] = {&f2}, *conly[] = {&cc};
    CHECK(ctr_caller_complex_ret(one, 3) == CTR_CRET_GNU);
    CHECK(ctr_caller_complex_ret(f2only, 1) == CTR_CRET_F2C);
    CHECK(ctr_caller_complex_ret(two, 2) == CTR_CRET_UNKNOWN);
    CHECK(ctr_caller_complex_ret(conly, 1) == CTR_CRET_UNKNOWN);
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
    ctr_swap_user ub = {&bin, NULL, CTR_CRET_UNKNOWN};
    ctr_swap_libs s = {ref, open, CTR_CRET_UNKNOWN, NULL, 0, libc, libm};
    ctr_error why;
    CHECK(ctr_swap_check(&ub, &s, &why) == 0);
    bin.imports = (irs_strv){2, dcabs1};
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && strstr(why.msg, "'cblas_dcabs1'"));
    bin.imports = (irs_strv){2, gemm};
    s.new_lib = wide;
    CHECK(ctr_swap_check(&ub, &s, &why) == -1 && why.code == CTR_E_POLICY);
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
    test_ir_checks();
    test_debian_blas();
    return failures != 0;
}
