/* Fuzz target: the per-program times a command's tracer writes
 * (relinker/src/exec_trace.c: "SECONDS CPU FAILED DEV:INO" lines and
 * "+ DEV:INO DEV:INO" pairs of programs that ran at the same time), read
 * back as --select reads them.  The tracer is ctr-relink's own process, but
 * it names what the image's programs did, and a reader must not trust its
 * lines' shape.  Invariants: no more programs or pairs than lines, every
 * name present and within one line, and the lookups run on any input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctr_exec_times t;
    if (ctr_exec_times_parse((const char *)data, size, &t) < 0)
        return 0;
    size_t lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (t.n > lines || t.nover > lines)
        abort();
    for (size_t i = 0; i < t.n; i++)
        if (!t.path[i] || strchr(t.path[i], '\n'))
            abort();
    for (size_t i = 0; i < 2 * t.nover; i++)
        if (!t.over[i] || strchr(t.over[i], '\n'))
            abort();
    unsigned failed;
    double cpu;
    (void)ctr_exec_times_get(&t, "/proc/self/exe", &failed, &cpu);
    (void)ctr_exec_times_overlap(&t, "/proc/self/exe", "/");
    ctr_exec_times_free(&t);
    return 0;
}
