/* A binary's inputs in the work directory (see inputs.h). */
#include "inputs.h"
#include "fp_exact.h"
#include "confined.h"
#include "version_script.h"
#include "comtainer/files.h"
#include "comtainer/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctr_inputs {
    struct hsearch_data done; /* keys: TU ids (the plan's strings) */
};

const char *ctr_input_dir(ctr_ir_kind kind)
{
    return kind == CTR_IR_LLVM_BC || kind == CTR_IR_GCC_LTO ? "tu"
           : kind == CTR_IR_ELF_OBJECT                      ? "obj"
                                                            : NULL;
}

const char *ctr_input_ext(ctr_ir_kind kind)
{
    return kind == CTR_IR_LLVM_BC ? "bc" : "o";
}

int ctr_inputs_new(const ctr_plan *plan, ctr_inputs **out, ctr_error *err)
{
    size_t ntus = 0;
    for (size_t i = 0; i < plan->n; i++)
        ntus += plan->v[i].bin->link->ntu;
    ctr_inputs *in = calloc(1, sizeof *in);
    if (!in || !hcreate_r(ntus * 2 + 16, &in->done)) {
        free(in);
        return ctr_error_set(err, ENOMEM, "relinking");
    }
    *out = in;
    return 0;
}

void ctr_inputs_free(ctr_inputs *in)
{
    if (!in)
        return;
    hdestroy_r(&in->done);
    free(in);
}

/* Retargeting, confined (confined.h): LLVM parses the image's bitcode. */
struct retarget_job {
    const void *ir;
    size_t len;
    const ctr_target *target;
    const char *what;
};

static int retarget_confined(void *ctx, void **out, size_t *len, ctr_error *err)
{
    const struct retarget_job *j = ctx;
    unsigned nf;
    return ctr_retarget_bitcode(j->ir, j->len, j->target, j->what, out, len, &nf, err);
}

/* tu/ID.bc for the target, and for --select tu-generic/ID.bc and
 * tu-nofma/ID.bc (targets[1], [2]; NULL: none).  A TU that cannot go
 * without contraction (fast-math) is as configured in tu-nofma/. */
static int write_bitcode(const void *ir, size_t len, const irs_record *r, const char *id,
                         const ctr_target *const targets[3], const ctr_options *o,
                         ctr_error *err)
{
    static const char *const dirs[3] = {"tu", "tu-generic", "tu-nofma"};
    int rc = 0;
    for (int g = 0; rc == 0 && g < 3 && targets[g]; g++) {
        char path[PATH_MAX];
        void *re = NULL;
        size_t relen;
        snprintf(path, sizeof path, "%s/%s/%s.bc", o->work, dirs[g], id);
        struct retarget_job job = {ir, len, targets[g], r->source};
        /* attributes only: the module cannot grow by much */
        rc = ctr_confined_run(&o->sandbox, r->source, retarget_confined, &job,
                              len * 2 + (1u << 20), &re, &relen, err);
        if (rc < 0 && g == 2 && err->code == CTR_E_UNSUPPORTED) {
            job.target = targets[0];
            rc = ctr_confined_run(&o->sandbox, r->source, retarget_confined, &job,
                                  len * 2 + (1u << 20), &re, &relen, err);
        }
        if (rc == 0)
            rc = ctr_file_write(path, re, relen, 0644, CTR_WRITE_KEEP_SAME, err);
        free(re);
    }
    return rc;
}

static int write_input(const ctr_plan_entry *e, size_t t, irs_store *store,
                       const ctr_target *const targets[3], const ctr_options *o,
                       ctr_error *err)
{
    const irs_record *r = e->recs[t];
    const char *id = e->bin->link->tu_ids[t];
    if (e->kinds[t] == CTR_IR_GCC_LTO && !ctr_gcc_reads(r->compiler_version))
        return ctr_error_code(err, CTR_E_UNSUPPORTED,
                              "%s was compiled by GCC %s; its IR is readable only by that GCC "
                              "major (this relinker has GCC " CTR_GCC_MAJOR ")",
                              r->source, r->compiler_version);
    void *ir = NULL;
    size_t len;
    int rc = irs_blob_get(store, r->ir, &ir, &len, err);
    if (rc == 0 && o->fp_exact && e->kinds[t] == CTR_IR_GCC_LTO)
        rc = ctr_fp_exact_gcc(ir, len, r->source, err);
    if (rc == 0 && e->kinds[t] == CTR_IR_LLVM_BC) {
        rc = write_bitcode(ir, len, r, id, targets, o, err);
    } else if (rc == 0) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s/%s.%s", o->work, ctr_input_dir(e->kinds[t]), id,
                 ctr_input_ext(e->kinds[t]));
        rc = ctr_file_write(path, ir, len, 0644, CTR_WRITE_KEEP_SAME, err);
    }
    free(ir);
    return rc;
}

int ctr_inputs_prepare(ctr_inputs *in, const ctr_plan_entry *e, irs_store *store,
                       const ctr_target *target, const ctr_target *generic,
                       const ctr_target *nofma, const ctr_options *o, ctr_error *why)
{
    const ctr_elf_link *l = e->bin->link;
    const ctr_target *const targets[3] = {target, generic, generic ? nofma : NULL};
    for (size_t t = 0; t < l->ntu; t++) {
        ENTRY key = {.key = l->tu_ids[t]}, *found;
        if (!ctr_input_dir(e->kinds[t]) || hsearch_r(key, FIND, &found, &in->done))
            continue;
        if (write_input(e, t, store, targets, o, why) < 0)
            return -1;
        hsearch_r(key, ENTER, &found, &in->done); /* full: the TU is just prepared again */
    }
    return 0;
}

/* The text in sb into the file work/dir/INDEXsuffix (left as it is when the
 * same: Ninja sees nothing new); sb is released. */
static int write_link_file(ctr_strbuf *sb, const char *work, const char *name, size_t index,
                           const char *suffix, ctr_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/%zu%s", work, name, index, suffix);
    int rc = ctr_sb_done(sb, path, err) < 0
                 ? -1
                 : ctr_file_write(path, ctr_sb_str(sb), sb->len, 0644, CTR_WRITE_KEEP_SAME, err);
    ctr_sb_release(sb);
    return rc;
}

int ctr_link_files_write(const ctr_plan_entry *e, size_t i, const char *work, ctr_error *err)
{
    const ctr_elf_link *l = e->bin->link;
    /* The IR was captured before the plugin tagged the object, so the
     * record goes in again as an assembler input of the link. */
    ctr_strbuf rec = CTR_STRBUF_INIT;
    ctr_sb_add(&rec, "\t.section .note.GNU-stack,\"\",@progbits\n");
    for (size_t t = 0; t < l->ntu; t++) {
        char line[256];
        if (irs_section_asm(l->tu_ids[t], line, sizeof line) < 0) {
            ctr_sb_release(&rec);
            return ctr_error_code(err, CTR_E_INPUT, "TU id '%.80s': no record section", l->tu_ids[t]);
        }
        ctr_sb_add(&rec, line);
    }
    if (write_link_file(&rec, work, "rec", i, ".s", err) < 0)
        return -1;
    /* the original's exports and symbol versions, read back from it */
    ctr_strbuf exp = CTR_STRBUF_INIT;
    ctr_dynamic_list(l, &exp);
    if (write_link_file(&exp, work, "exp", i, ".list", err) < 0)
        return -1;
    if (!l->verdef.n)
        return 0;
    ctr_strbuf ver = CTR_STRBUF_INIT;
    ctr_version_script(l, &ver);
    return write_link_file(&ver, work, "exp", i, ".ver", err);
}
