/* What the operator asked ctr-relink for: one struct, filled by the driver
 * from the command line (options.c), read by every stage. */
#ifndef CTR_OPTIONS_H
#define CTR_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox.h"
#include "toolchain.h"

enum ctr_lto { CTR_LTO_FULL, CTR_LTO_THIN, CTR_LTO_NONE };

#define CTR_MAX_REDIRECTS 16
/* Where --redirect bundles the site's libraries in the new root. */
#define CTR_SITE_DIR "/opt/comtainer/site/lib"

typedef struct ctr_options {
    const char *input;   /* ROOTFS, or an IMAGE (oci_ref_is_image) */
    const char *store;   /* --store, or NULL: every store inside the input */
    bool plan_only;      /* --plan */
    bool json;           /* --json */
    bool verbose;        /* -v: the link commands */

    /* the relink */
    const char *out;     /* new root filesystem (or image, for an IMAGE input) */
    const char *work;    /* persistent work directory (incremental builds); NULL: OUT.ctr-work */
    const char *march;   /* "native" or a CPU name */
    enum ctr_lto lto;
    bool fp_exact;       /* --fp exact: bit-identical floating-point results (fp_exact.h) */
    enum ctr_toolchain_choice toolchain;
    int jobs;            /* 0 = ninja's default */
    const char *check;   /* command run inside the new root; failure discards the relinks */
    const char *pgo;     /* training command for profile-guided optimization, or NULL */
    const char *bolt;    /* training command for BOLT's profile-guided layout, or NULL */
    const char *select;  /* command whose time chooses each binary's build, or NULL */
    int select_rounds;   /* its timed rounds */
    unsigned select_budget; /* --select-budget: seconds for its trials (0: no bound) */
    ctr_sandbox sandbox; /* where toolchains and commands run */
    /* --redirect OLD=NEW: link against the site's library NEW (a path on this
     * machine) where a binary needs the image's OLD (a SONAME), bundled into
     * the output (docs/SITE-LIBRARIES.md) */
    struct ctr_redirect {
        char old[256];
        const char *path;
    } redirect[CTR_MAX_REDIRECTS];
    size_t nredirect;
    const char *site_profile; /* --site FILE: the site's libraries by class */

    /* an IMAGE input */
    const char *tag;       /* --tag: the output's ref name (NULL: from OUT, the source, "latest") */
    bool keep_store;       /* --keep-store: no whiteouts of the IR stores */
    uint64_t max_unpacked; /* --max-unpacked: bound on the layers' tar bytes (0: default) */
} ctr_options;

/* --lto's word for lto ("full", "thin", "none"), and back: -1 for
 * another word. */
const char *ctr_lto_option(enum ctr_lto lto);
int ctr_lto_parse(const char *s, enum ctr_lto *out);

/* Fill o from the command line (the sandbox included).  0 to go on; 1 when
 * --help was printed (exit 0); 2 after a usage error was printed (exit 2). */
int ctr_options_parse(int argc, char **argv, ctr_options *o);

#endif
