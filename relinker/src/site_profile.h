/* The site profile (--site FILE, docs/SITE-LIBRARIES.md): a versioned JSON
 * document that names, per class of library, the site's providers.  It is
 * the operator's file, read with jansson; every error names the file, the
 * field and the problem. */
#ifndef CTR_SITE_PROFILE_H
#define CTR_SITE_PROFILE_H

#include <stddef.h>

#include "swap_check.h"

#define CTR_SITE_PROFILE_VERSION 1
#define CTR_SITE_MAX_PROVIDERS 16

/* One library of the profile: its class (the section it is listed in; the
 * mpi section holds MPI's C library and its Fortran bindings), the ABI the
 * section declares (CTR_ABI_UNKNOWN: none declared), its path. */
typedef struct ctr_site_provider {
    ctr_lib_class cls;
    ctr_lib_abi abi;
    ctr_complex_ret cret; /* blas.complex_return; unknown: not declared */
    char path[4096];
} ctr_site_provider;

/* Read the profile at path into out (at most CTR_SITE_MAX_PROVIDERS); -1
 * with err (CTR_E_INPUT: malformed; CTR_E_UNSUPPORTED: another version, a
 * mode not built yet). */
int ctr_site_profile_read(const char *path, ctr_site_provider *out, size_t *n, ctr_error *err);

#endif
