/* Shared pieces of the ctr-store commands. */
#ifndef CTR_STORE_CLI_H
#define CTR_STORE_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "comtainer/irstore.h"

extern const char *ctr_progname;

/* Exit statuses: 0 ok, 1 the command found problems, 2 usage or system error. */
enum { CTR_EXIT_OK = 0, CTR_EXIT_PROBLEMS = 1, CTR_EXIT_ERROR = 2 };

/* "ctr-store: <message>" on stderr. */
void ctr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ctr_err_obj(const ctr_error *err);

/* A JSON object with the id and every field of rec (rec may be NULL). */
json_t *ctr_record_json(const char *id, const irs_record *rec);
/* Print a JSON value to stdout followed by a newline; steals the reference. */
int ctr_print_json(json_t *value);

/* Open the store named by the positional argument, --store, or the default.
 * An OCI image (layout, oci-archive, docker-archive) names the store inside
 * it: see image_store.c. */
int ctr_open_store(const char *path, irs_store **out);

/* When the store came from an image: its sizes (NULL otherwise). */
struct ctr_image_info {
    char *name;
    unsigned long long image_bytes, image_compressed_bytes; /* all layers: tar, blob */
    unsigned long long store_bytes;            /* the store's tar bytes in the layers */
    unsigned long long store_compressed_bytes; /* the store alone, tarred and gzip'ed
                                                  (ctr_image_store_compressed) */
};
const struct ctr_image_info *ctr_image_info(void);
/* How to name the store in messages: its directory, or, for an image's,
 * "IMAGE:/var/lib/comtainer/store" rather than the temporary copy. */
const char *ctr_store_name(const irs_store *store);
/* text with the image's temporary store, wherever it appears, named as
 * ctr_store_name names it (into buf); text itself when the store is no
 * image's. */
const char *ctr_store_text(const char *text, char *buf, size_t size);
/* For an image's store: fill store_compressed_bytes of ctr_image_info (it
 * compresses the whole store; stats alone needs it).  0 when no image. */
int ctr_image_store_compressed(ctr_error *err);
/* Verify the image, unpack its store into a temporary directory (removed at
 * exit) and open it; -1 with err. */
int ctr_open_image_store(const char *arg, irs_store **out, ctr_error *err);

/* Commands: argc/argv start at the command name. */
int cmd_ls(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_which(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_harvest(int argc, char **argv);

/* Find the one TU whose id starts with prefix (at least 6 hex digits). */
int ctr_find_tu(irs_store *store, const char *prefix, char id[IRS_HASH_HEX_LEN + 1]);



/* Options shared by the commands. */
struct ctr_opts {
    bool json;
    bool dry_run;
    const char *store;
    const char *output;
    int npos;
    char **pos;
};
enum { CTR_OPT_JSON = 1 << 0, CTR_OPT_STORE = 1 << 1, CTR_OPT_OUTPUT = 1 << 2,
       CTR_OPT_DRY_RUN = 1 << 3 };
/* Parse argv (starting at the command name) against usage.  Returns 0 to go
 * on, 1 when --help was printed, -1 after a usage error was printed. */
int ctr_parse(int argc, char **argv, const char *usage, unsigned allowed, int min_pos,
              int max_pos, struct ctr_opts *o);
/* ctr_parse, then open the store: the first positional argument when
 * store_arg is set and one was given, else --store, else the default.
 * Returns -1 to go on, or the exit status the command should return now. */
int ctr_begin(int argc, char **argv, const char *usage, unsigned allowed, int min_pos,
              int max_pos, bool store_arg, struct ctr_opts *o, irs_store **store);
#endif
