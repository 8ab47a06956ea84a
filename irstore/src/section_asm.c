/* The TU record carried by objects: its assembler text (what the plugins
 * emit).  Apart from tu_section.c so that the plugins need no libelf. */
#include "irstore_private.h"

#include <stdio.h>

int irs_section_asm(const char *id, char *buf, size_t size)
{
    if (!irs_is_hash_hex(id))
        return -1;
    /* "" flags: not allocated, so it costs nothing at run time, is kept by
     * --gc-sections and by GNU strip, and linkers concatenate it. */
    int n = snprintf(buf, size,
                     "\t.pushsection " IRS_SECTION_NAME ",\"\",@progbits\n"
                     "\t.ascii \"" IRS_SECTION_TAG "%s\\n\"\n"
                     "\t.popsection\n",
                     id);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

