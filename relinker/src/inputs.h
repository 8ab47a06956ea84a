/* A binary's inputs in the work directory: each stored TU written once per
 * run (LLVM bitcode retargeted to the CPU, confined), and the files its link
 * reads besides them (the TU records, the symbols to keep exported). */
#ifndef CTR_INPUTS_H
#define CTR_INPUTS_H

#include "options.h"
#include "plan.h"
#include "retarget.h"

/* Where a stored input of a kind goes in the work directory: LLVM IR and
 * GIMPLE to tu/, native objects recorded at link time to obj/; NULL for
 * records that are no link input. */
const char *ctr_input_dir(ctr_ir_kind kind);
/* Its file name extension: "bc" for LLVM bitcode, else "o". */
const char *ctr_input_ext(ctr_ir_kind kind);

/* The TUs written by this run: static libraries' TUs are shared by
 * binaries, and retargeting parses the whole module. */
typedef struct ctr_inputs ctr_inputs;

int ctr_inputs_new(const ctr_plan *plan, ctr_inputs **out, ctr_error *err);
void ctr_inputs_free(ctr_inputs *in);

/* Write e's stored inputs that this run has not written yet: retargeted to
 * target (and to generic and nofma too, when not NULL: tu-generic/ and
 * tu-nofma/ for --select).
 * -1 with the reason in why (the binary is then kept). */
int ctr_inputs_prepare(ctr_inputs *in, const ctr_plan_entry *e, irs_store *store,
                       const ctr_target *target, const ctr_target *generic,
                       const ctr_target *nofma, const ctr_options *o, ctr_error *why);

/* Write the files the link of binary i reads besides its stored inputs:
 * the TU records (rec/i.s) and the dynamic symbols to keep exported
 * (exp/i.list). */
int ctr_link_files_write(const ctr_plan_entry *e, size_t i, const char *work, ctr_error *err);

#endif
