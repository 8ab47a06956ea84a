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

/* How the new image gets the site's libraries: a copy inside it, or bound
 * in from the host by the container runtime (a CDI spec). */
typedef enum ctr_site_mode {
    CTR_SITE_BUNDLE,
    CTR_SITE_HOST,
} ctr_site_mode;

typedef struct ctr_site_profile {
    ctr_site_mode mode;
    char cdi_spec[4096]; /* host mode: where the CDI spec is written (absolute) */
    ctr_site_provider lib[CTR_SITE_MAX_PROVIDERS];
    size_t n;
} ctr_site_profile;

/* Read the profile at path into out (at most CTR_SITE_MAX_PROVIDERS
 * libraries); -1 with err (CTR_E_INPUT: malformed; CTR_E_UNSUPPORTED:
 * another version). */
int ctr_site_profile_read(const char *path, ctr_site_profile *out, ctr_error *err);

#endif
