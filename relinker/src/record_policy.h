/* What a TU record from an image may contain.  Records are untrusted: a
 * record naming a compiler plugin, another toolchain directory, a sysroot,
 * specs or response files, or a linker plugin is refused, so that such a
 * binary is kept as it was and nothing of it is executed.  (ctr-relink passes
 * no recorded flag to a toolchain at all; this is the second line.) */
#ifndef CTR_RECORD_POLICY_H
#define CTR_RECORD_POLICY_H

#include "comtainer/irstore.h"

/* 0 if the record may be used; -1 with err naming the TU and the offending
 * argument otherwise. */
int ctr_record_check(const irs_record *rec, const char *id, ctr_error *err);

#endif
