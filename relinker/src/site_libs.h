/* The site's libraries (--redirect OLD=NEW, docs/SITE-LIBRARIES.md): read
 * on this machine with their dependency closure, checked per binary against
 * the image's (swap_check.h), staged into the work directory for the links,
 * and bundled into the output under CTR_SITE_DIR, which the swapped
 * binaries search first. */
#ifndef CTR_SITE_LIBS_H
#define CTR_SITE_LIBS_H

#include "options.h"
#include "outcome.h"
#include "plan.h"
#include "site_profile.h"

/* One file of the bundle: a site library or one of its dependencies (the C
 * library's own files excepted: they stay the image's). */
typedef struct ctr_site_file {
    char *name;         /* its SONAME: its file name in the bundle */
    char *host;         /* the file on this machine */
    ctr_elf_link *link;
} ctr_site_file;

typedef struct ctr_site_lib {
    const char *old;    /* --redirect: the image's SONAME it stands in for; NULL for a
                         * library of the site profile, which stands in for the image's
                         * libraries of its class */
    ctr_lib_class cls;  /* (a profile's library) its class */
    ctr_complex_ret cret; /* (a profile's BLAS) how it returns complex values, if declared */
    size_t file;        /* the library: site->files[file] */
    const char *name;   /* ... its SONAME: WORK/site/NAME, CTR_SITE_DIR/NAME */
} ctr_site_lib;

/* The bundle holds at most this many files: a site library's closure is a
 * handful (OpenBLAS: 4). */
#define CTR_SITE_MAX_FILES 64

/* The kind of the CDI devices of host mode (site_host.c). */
#define CTR_SITE_CDI_KIND "comtainer.io/site"

typedef struct ctr_site {
    ctr_site_lib lib[CTR_MAX_REDIRECTS + CTR_SITE_MAX_PROVIDERS];
    size_t nlib;
    ctr_site_file *files; /* every file of the bundle, once */
    size_t nfiles;
    ctr_site_mode mode;   /* bundled into the image, or bound in from the host */
    char *cdi_spec;       /* host mode: where its CDI spec goes */
    char device[96];      /* host mode: the CDI device, CTR_SITE_CDI_KIND=libs-HASH */
} ctr_site;

/* Read the --redirect libraries of o, those of its site profile (--site),
 * and their closures (NULL: none asked).
 * -1 with err when one cannot be read or its closure resolved. */
int ctr_site_load(const ctr_options *o, ctr_site **out, ctr_error *err);
void ctr_site_free(ctr_site *site);

/* The index in site->files of the file named `name`, or -1. */
ssize_t ctr_site_file_index(const ctr_site *site, const char *name);
/* name is one of the C library's own files (libc.so.6, libm.so.6,
 * ld-linux-x86-64.so.2, ...): a bundle never carries them. */
bool ctr_site_is_libc_file(const char *name);

/* (site_plan.c) For each binary of the plan that can be relinked: which of its DT_NEEDED
 * libraries the site's replace (e->site[i]), after the checks; the first
 * refusal in e->site_refused (the binary keeps that image library). */
int ctr_site_plan(ctr_plan *plan, const ctr_site *site, ctr_error *err);

/* The site's files in WORK/site/NAME, where the sandboxed links read them. */
int ctr_site_stage(const ctr_site *site, const char *work, ctr_error *err);

/* Some relinked binary of the plan uses a site library. */
bool ctr_site_used(const ctr_site *site, const ctr_plan *plan, const ctr_outcome *oc);

/* Bundle the files that the relinked binaries use into the tree `tree`
 * (the new root being written): CTR_SITE_DIR created without following any
 * symlink of the image's (a symlink or file on the way is refused).  What was
 * added (directories, then files) goes to *added as inner paths and their
 * places in `tree`.  0 when nothing is needed.  In host mode only the
 * directory is made: the runtime binds the files into it. */
int ctr_site_install(const ctr_site *site, const ctr_plan *plan, const ctr_outcome *oc,
                     const char *work, const char *tree, ctr_file_list *added, ctr_error *err);

/* ---- host mode (site_host.c) ---- */

/* site->device, from the hash of the site's files and their host paths. */
int ctr_site_name_device(ctr_site *site, ctr_error *err);
/* The bindings: [{"container": CTR_SITE_DIR/NAME, "host": PATH}, ...]. */
json_t *ctr_site_bindings_json(const ctr_site *site);
/* Write the CDI spec (site->cdi_spec, replaced whole) that binds the site's
 * files into CTR_SITE_DIR, read-only, for the device site->device. */
int ctr_site_cdi_write(const ctr_site *site, ctr_error *err);
/* What a run in host mode tells its user: {"mode", "cdi_spec", "device",
 * "bindings"} for --json, a line otherwise. */
json_t *ctr_site_host_json(const ctr_site *site);
void ctr_site_host_print(const ctr_site *site);

#endif
