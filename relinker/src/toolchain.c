/* Native toolchain facts (see toolchain.h). */
#include "toolchain.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ctr_toolchain_parse(const char *s, enum ctr_toolchain_choice *out)
{
    if (!strcmp(s, "auto"))
        *out = CTR_TC_AUTO;
    else if (!strcmp(s, "llvm"))
        *out = CTR_TC_LLVM;
    else if (!strcmp(s, "gcc"))
        *out = CTR_TC_GCC;
    else
        return -1;
    return 0;
}

int ctr_toolchain_file(const char *name, char *buf, size_t size)
{
    char cmd[256];
    /* name is one of the relinker's own constants, never input */
    snprintf(cmd, sizeof cmd, CTR_GCC " -print-file-name=%s 2>/dev/null", name);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    bool got = fgets(buf, (int)size, p) != NULL;
    pclose(p);
    if (!got)
        return -1;
    buf[strcspn(buf, "\n")] = 0;
    /* the driver echoes the bare name when it has no such file */
    return buf[0] == '/' && access(buf, R_OK) == 0 ? 0 : -1;
}
