/* comtainer-ld: the link-time recorder, a linker plugin for ld.bfd and gold
 * (-Wl,-plugin,PATH).  It claims nothing, so the link is what it would have
 * been; it records every input without IR (an object whose code no TU record
 * covers) and the link itself into the store, and tags the output with
 * their ids through one extra input object holding only a `.comtainer`
 * section.  See README.md and docs/STORE-FORMAT.md. */
#include "comtainer/config.h"
#include "comtainer/strict.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plugin-api.h>

#include "comtainer/irstore.h"
#include "input.h"

#define PRODUCER "comtainer-ld " COMTAINER_VERSION
#define MANIFEST_HEADER "comtainer-link-manifest 1\n"

__attribute__((visibility("default"))) enum ld_plugin_status onload(struct ld_plugin_tv *tv);

struct buf {
    char *p;
    size_t n, cap;
};

static struct {
    ld_plugin_message message;
    ld_plugin_add_input_file add_input_file;
    const char *output;        /* LDPT_OUTPUT_NAME */
    int output_kind;           /* LDPO_*, -1 if not told */
    bool gold;
    int ld_version;            /* LDPT_GNU_LD_VERSION: major * 100 + minor */
    const char *store_path;    /* -plugin-opt=store=DIR */
    bool strict;
    bool failed;               /* an error was reported: record nothing more */
    bool done;                 /* all symbols read: inputs from here on are ours */
    irs_store *store;
    char cwd[PATH_MAX];
    struct buf manifest;
    irs_strv objects;          /* elf-object record ids, distinct, in link order */
    bool has_target;
    irs_elf_target target;
    char tmpdir[PATH_MAX];
    char tag[PATH_MAX + 32];
} g = {.output_kind = -1};

/* ---- failure: one warning, or an error in strict mode ------------------------ */

static enum ld_plugin_status failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static enum ld_plugin_status failure(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (g.strict) {
        fprintf(stderr, "comtainer-ld: error: %s\n", msg);
        g.failed = true;
        if (g.message)
            g.message(LDPL_FATAL, "comtainer-ld: link-time recording failed (strict mode)");
        return LDPS_ERR;
    }
    if (!g.failed)
        fprintf(stderr, "comtainer-ld: warning: %s; the output is linked without a link "
                        "record\n", msg);
    g.failed = true;
    return LDPS_OK;
}

/* ---- small helpers ---------------------------------------------------------- */

static int buf_add(struct buf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

static int buf_str(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

/* A path in the manifest: backslash and newline escaped, so that each input
 * stays one line. */
static int buf_path(struct buf *b, const char *s)
{
    int rc = 0;
    for (; *s && rc == 0; s++)
        rc = *s == '\\' ? buf_add(b, "\\\\", 2)
             : *s == '\n' ? buf_add(b, "\\n", 2)
                          : buf_add(b, s, 1);
    return rc;
}

/* ---- temporary names -------------------------------------------------------------
 * A compiler driver that compiles and links in one command links objects it
 * put in the temporary directory under random names (gcc: TMP/ccAbC123.o,
 * clang: TMP/main-3fa9c1.o) and hands ld random files (-fresolution=TMP/cc…
 * .res, @TMP/cc…).  Recorded as they are, they would make two equal links give
 * different records and so different binaries (their .comtainer and build id).
 * Their random part is recorded as XXXXXX. */

static bool all_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i]))
            return false;
    return true;
}

static void mask_temp_component(char *c)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t len = strcspn(c, "/");
    if (len >= 8 && c[0] == 'c' && c[1] == 'c' && all_of(c + 2, 6, alnum) &&
        (len == 8 || c[8] == '.')) {
        memcpy(c + 2, "XXXXXX", 6); /* gcc: ccXXXXXX[.suffix] */
        return;
    }
    const char *dot = memchr(c, '.', len);
    const char *dash = dot && dot - c >= 8 ? dot - 7 : NULL;
    if (dash && *dash == '-' && all_of(dash + 1, 6, "0123456789abcdef"))
        memcpy((char *)dash + 1, "XXXXXX", 6); /* clang: stem-xxxxxx.suffix */
}

static void mask_temp_names(char *s)
{
    const char *tmp = getenv("TMPDIR");
    const char *dirs[] = {tmp && *tmp ? tmp : NULL, "/tmp", "/var/tmp"};
    for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
        if (!dirs[d])
            continue;
        size_t dl = strlen(dirs[d]);
        while (dl > 1 && dirs[d][dl - 1] == '/')
            dl--;
        for (char *p = s; (p = strstr(p, dirs[d])); p += dl)
            if (p[dl] == '/' && (p == s || p[-1] == '=' || p[-1] == '@' || p[-1] == ','))
                mask_temp_component(p + dl + 1);
    }
}

static int push_arg(irs_strv *v, const char *arg, int depth);

/* The arguments of a response file (@FILE), split as libiberty's buildargv
 * does for the linker: white space separates, quotes group, a backslash
 * escapes the next character.  A file that cannot be read stays "@FILE", as
 * the linker would take it. */
static int push_response_file(irs_strv *v, const char *arg, int depth)
{
    FILE *f = depth < 8 ? fopen(arg + 1, "re") : NULL;
    if (!f)
        return irs_strv_push(v, arg);
    struct buf word = {0};
    int rc = 0, c, quote = 0;
    bool in_word = false;
    while (rc == 0 && (c = getc(f)) != EOF) {
        if (!quote && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                       c == '\f')) {
            if (in_word)
                rc = push_arg(v, word.p ? word.p : "", depth + 1);
            word.n = 0;
            if (word.p)
                word.p[0] = '\0';
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if ((c = getc(f)) == EOF)
                break;
        } else if (quote && c == quote) {
            quote = 0;
            continue;
        } else if (!quote && (c == '\'' || c == '"')) {
            quote = c;
            continue;
        }
        char ch = (char)c;
        rc = buf_add(&word, &ch, 1);
    }
    if (rc == 0 && in_word)
        rc = push_arg(v, word.p ? word.p : "", depth + 1);
    free(word.p);
    fclose(f);
    return rc;
}

static int push_arg(irs_strv *v, const char *arg, int depth)
{
    return arg[0] == '@' && arg[1] ? push_response_file(v, arg, depth) : irs_strv_push(v, arg);
}

/* The linker's argv, from /proc/self/cmdline (the plugin runs inside ld),
 * response files expanded (gcc hands the linker a temporary one when its own
 * command line had one, as CMake's does). */
static int linker_argv(irs_strv *v)
{
    FILE *f = fopen("/proc/self/cmdline", "re");
    if (!f)
        return -1;
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_add(&b, chunk, n);
    fclose(f);
    for (size_t i = 0; rc == 0 && i < b.n; i += strlen(b.p + i) + 1)
        rc = i == 0 ? irs_strv_push(v, b.p) : push_arg(v, b.p + i, 0);
    free(b.p);
    for (size_t i = 1; rc == 0 && i < v->n; i++)
        mask_temp_names(v->v[i]);
    return rc;
}

/* ---- records ------------------------------------------------------------------ */

static irs_record *base_record(const char *kind, const char *hex, size_t size,
                               const char *compiler, const char *source)
{
    irs_record *r = irs_record_new();
    if (!r)
        return NULL;
    memcpy(r->ir, hex, IRS_HASH_HEX_LEN + 1);
    r->ir_size = size;
    if (irs_record_set(&r->ir_kind, kind) < 0 || irs_record_set(&r->producer, PRODUCER) < 0 ||
        irs_record_set(&r->compiler, compiler) < 0 || irs_record_set(&r->language, "") < 0 ||
        irs_record_set(&r->source, source) < 0 || irs_record_set(&r->cwd, g.cwd) < 0 ||
        irs_record_set(&r->output, g.output) < 0) {
        irs_record_free(r);
        return NULL;
    }
    return r;
}

/* Store an object without IR and its record; id receives the record's id. */
static int record_object(const struct ld_input *in, char id[IRS_HASH_HEX_LEN + 1],
                         ctr_error *err)
{
    char hex[IRS_HASH_HEX_LEN + 1];
    if (irs_blob_put(g.store, in->data, in->size, hex, err) < 0)
        return -1;
    /* named by the linker, as the link's own record is */
    irs_record *r = base_record("elf-object", hex, in->size, g.gold ? "ld.gold" : "ld.bfd",
                                in->path);
    if (!r)
        return ctr_error_set(err, ENOMEM, "recording %s", in->path);
    int rc = irs_record_put(g.store, r, id, err);
    irs_record_free(r);
    return rc;
}

static int record_link(char id[IRS_HASH_HEX_LEN + 1], ctr_error *err)
{
    char hex[IRS_HASH_HEX_LEN + 1];
    if (irs_blob_put(g.store, g.manifest.p, g.manifest.n, hex, err) < 0)
        return -1;
    irs_record *r = base_record("link", hex, g.manifest.n, g.gold ? "ld.gold" : "ld.bfd",
                                g.output);
    if (!r)
        return ctr_error_set(err, ENOMEM, "recording the link");
    int rc = 0;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char version[32] = "";
    if (g.ld_version > 0)
        snprintf(version, sizeof version, "%d.%02d", g.ld_version / 100, g.ld_version % 100);
    if (irs_record_set(&r->compiler_path, exe) < 0 ||
        irs_record_set(&r->compiler_version, version) < 0 || linker_argv(&r->driver_args) < 0)
        rc = ctr_error_set(err, errno, "recording the link's command line");
    if (rc == 0)
        rc = irs_record_put(g.store, r, id, err);
    irs_record_free(r);
    return rc;
}

/* A captured object built under a compile cache carries its TUs (irstore.h,
 * IRS_CARRY_SECTION): a cache hit stored nothing, so the link puts them into
 * the store.  A damaged entry only warns: the link and its record go on. */
static void harvest_carried(const struct ld_input *in)
{
    size_t carried, added;
    ctr_error err;
    if (in->carried && irs_carry_harvest_section(g.store, in->carried, in->carried_size, in->path,
                                                 &carried, &added, &err) < 0)
        fprintf(stderr, "comtainer-ld: warning: %s: the IR it carries is not stored\n",
                err.msg);
}

/* ---- hooks ------------------------------------------------------------------------ */

static enum ld_plugin_status claim_file(const struct ld_plugin_input_file *file, int *claimed)
{
    *claimed = 0; /* never: the link stays exactly what it was */
    if (g.failed || g.done)
        return LDPS_OK;
    struct ld_input in;
    ctr_error err;
    char id[IRS_HASH_HEX_LEN + 1];
    enum ld_plugin_status st = LDPS_OK;
    if (ld_input_examine(file->name, file->fd, file->offset, file->filesize, &in, &err) < 0) {
        st = failure("%s", err.msg);
        goto out;
    }
    mask_temp_names(in.path); /* in the manifest and the object's record */
    if (in.has_target && !g.has_target) {
        g.target = in.target;
        g.has_target = in.cls != LDI_SHARED; /* a relocatable input is the better model */
    }
    int rc = buf_str(&g.manifest, ld_input_class_name(in.cls)) | buf_str(&g.manifest, " ");
    if (in.cls == LDI_OBJECT) {
        if (record_object(&in, id, &err) < 0) {
            st = failure("recording %s: %s", in.path, err.msg);
            goto out;
        }
        bool seen = false;
        for (size_t i = 0; i < g.objects.n && !seen; i++)
            seen = !strcmp(g.objects.v[i], id);
        rc |= (seen ? 0 : irs_strv_push(&g.objects, id)) | buf_str(&g.manifest, id);
    } else if (in.cls == LDI_TU && in.nids) {
        harvest_carried(&in);
        for (size_t i = 0; i < in.nids; i++)
            rc |= buf_str(&g.manifest, i ? "," : "") | buf_str(&g.manifest, in.ids[i]);
    } else {
        rc |= buf_str(&g.manifest, "-");
    }
    rc |= buf_str(&g.manifest, " ") | buf_path(&g.manifest, in.path) |
          buf_str(&g.manifest, "\n");
    if (rc)
        st = failure("out of memory");
out:
    ld_input_clear(&in);
    return st;
}

static enum ld_plugin_status all_symbols_read(void)
{
    g.done = true;
    ld_input_cache_free();
    if (g.failed)
        return LDPS_OK;
    ctr_error err;
    char id[IRS_HASH_HEX_LEN + 1];
    if (!g.has_target && !g.target.ei_class)
        return failure("no ELF input tells the output's target; cannot tag '%s'", g.output);
    if (record_link(id, &err) < 0)
        return failure("recording the link of '%s': %s", g.output, err.msg);
    if (irs_strv_push(&g.objects, id) < 0)
        return failure("out of memory");
    const char *tmp = getenv("TMPDIR");
    int len = snprintf(g.tmpdir, sizeof g.tmpdir, "%s/comtainer-ld.XXXXXX",
                       tmp && *tmp ? tmp : "/tmp");
    if (len < 0 || (size_t)len >= sizeof g.tmpdir || !mkdtemp(g.tmpdir)) {
        int e = errno;
        g.tmpdir[0] = '\0';
        return failure("creating a temporary directory: %s", strerror(e));
    }
    snprintf(g.tag, sizeof g.tag, "%s/link-record.o", g.tmpdir);
    if (irs_elf_tag_object_write(g.tag, g.objects.v, g.objects.n, &g.target, &err) < 0) {
        rmdir(g.tmpdir);
        g.tag[0] = g.tmpdir[0] = '\0';
        return failure("%s", err.msg);
    }
    if (!g.add_input_file || g.add_input_file(g.tag) != LDPS_OK)
        return failure("the linker refused the input '%s'", g.tag);
    return LDPS_OK;
}

static enum ld_plugin_status cleanup(void)
{
    if (g.tag[0])
        unlink(g.tag);
    if (g.tmpdir[0])
        rmdir(g.tmpdir);
    g.tag[0] = g.tmpdir[0] = '\0';
    irs_store_free(g.store);
    g.store = NULL;
    irs_strv_clear(&g.objects);
    free(g.manifest.p);
    memset(&g.manifest, 0, sizeof g.manifest);
    ld_input_cache_free();
    return LDPS_OK;
}

enum ld_plugin_status onload(struct ld_plugin_tv *tv)
{
    ld_plugin_register_claim_file reg_claim = NULL;
    ld_plugin_register_all_symbols_read reg_read = NULL;
    ld_plugin_register_cleanup reg_cleanup = NULL;
    /* Named twice (LDFLAGS given twice): the linker opens the same library
     * again; the first load does the recording. */
    static bool loaded;
    if (loaded)
        return LDPS_OK;
    loaded = true;
    g.strict = ctr_strict();
    const char *bad_option = NULL;
    for (; tv->tv_tag != LDPT_NULL; tv++) {
        switch (tv->tv_tag) {
        case LDPT_MESSAGE: g.message = tv->tv_u.tv_message; break;
        case LDPT_ADD_INPUT_FILE: g.add_input_file = tv->tv_u.tv_add_input_file; break;
        case LDPT_REGISTER_CLAIM_FILE_HOOK: reg_claim = tv->tv_u.tv_register_claim_file; break;
        case LDPT_REGISTER_ALL_SYMBOLS_READ_HOOK:
            reg_read = tv->tv_u.tv_register_all_symbols_read;
            break;
        case LDPT_REGISTER_CLEANUP_HOOK: reg_cleanup = tv->tv_u.tv_register_cleanup; break;
        case LDPT_OUTPUT_NAME: g.output = tv->tv_u.tv_string; break;
        case LDPT_LINKER_OUTPUT: g.output_kind = tv->tv_u.tv_val; break;
        case LDPT_GOLD_VERSION: g.gold = true, g.ld_version = tv->tv_u.tv_val; break;
        case LDPT_GNU_LD_VERSION: /* binutils' version; gold gives its own */
            if (!g.gold)
                g.ld_version = tv->tv_u.tv_val;
            break;
        case LDPT_OPTION: {
            const char *o = tv->tv_u.tv_string;
            if (!strncmp(o, "store=", 6) && o[6])
                g.store_path = o + 6;
            else if (!strcmp(o, "strict"))
                g.strict = true;
            else if (!bad_option)
                bad_option = o;
            break;
        }
        default: break;
        }
    }
    if (!g.gold) { /* gold also identifies itself by name */
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        const char *base = strrchr(exe, '/');
        g.gold = strstr(base ? base : exe, "gold") != NULL;
    }
    if (!g.output)
        g.output = "a.out";
    if (!getcwd(g.cwd, sizeof g.cwd))
        g.cwd[0] = '\0';
    /* a configure or CMake probe link: thrown away, never in an image */
    if (irs_is_probe(NULL, g.cwd, g.output))
        return LDPS_OK;
    if (!reg_claim || !reg_read || !reg_cleanup ||
        reg_claim(claim_file) != LDPS_OK || reg_read(all_symbols_read) != LDPS_OK ||
        reg_cleanup(cleanup) != LDPS_OK)
        return failure("this linker lacks the plugin hooks the recorder needs");
    if (bad_option)
        return failure("unknown option '-plugin-opt=%s' (known: store=DIR, strict)", bad_option);
    ctr_error err;
    if (buf_str(&g.manifest, MANIFEST_HEADER) < 0)
        return failure("out of memory");
    if (irs_store_open(g.store_path, IRS_OPEN_CREATE, &g.store, &err) < 0)
        return failure("%s", err.msg);
    return LDPS_OK;
}
