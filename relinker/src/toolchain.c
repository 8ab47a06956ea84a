/* Native toolchain facts (see toolchain.h). */
#include "toolchain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ctr_toolchain_name(ctr_toolchain tc)
{
    static const char *const names[] = {"-", "llvm", "gcc", "mixed"};
    return (unsigned)tc <= CTR_TOOLCHAIN_MIXED ? names[tc] : "-";
}

const char *ctr_toolchain_ir_name(ctr_toolchain tc)
{
    static const char *const names[] = {"none", "llvm-bc", "gcc-lto", "mixed"};
    return (unsigned)tc <= CTR_TOOLCHAIN_MIXED ? names[tc] : "none";
}

ctr_toolchain ctr_toolchain_add(ctr_toolchain tc, ctr_ir_kind kind)
{
    ctr_toolchain one = kind == CTR_IR_LLVM_BC   ? CTR_TOOLCHAIN_LLVM
                        : kind == CTR_IR_GCC_LTO ? CTR_TOOLCHAIN_GCC
                                                 : CTR_TOOLCHAIN_NONE;
    if (one == CTR_TOOLCHAIN_NONE || tc == one)
        return tc;
    return tc == CTR_TOOLCHAIN_NONE ? one : CTR_TOOLCHAIN_MIXED;
}

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

ctr_toolchain ctr_toolchain_choose(ctr_toolchain natural, enum ctr_toolchain_choice choice,
                                   ctr_error *err)
{
    if (natural == CTR_TOOLCHAIN_NONE) {
        ctr_error_code(err, CTR_E_UNSUPPORTED, "no toolchain reads this IR");
        return CTR_TOOLCHAIN_NONE;
    }
    if (choice == CTR_TC_AUTO)
        return natural;
    ctr_toolchain asked = choice == CTR_TC_LLVM ? CTR_TOOLCHAIN_LLVM : CTR_TOOLCHAIN_GCC;
    if (asked == natural)
        return natural;
    ctr_error_code(err, CTR_E_USAGE, "--toolchain %s cannot relink %s IR (%s)",
                   ctr_toolchain_name(asked),
                   natural == CTR_TOOLCHAIN_MIXED ? "mixed LLVM and GCC"
                                                  : ctr_toolchain_ir_name(natural),
                   natural == CTR_TOOLCHAIN_LLVM  ? "LLVM bitcode needs LLVM"
                   : natural == CTR_TOOLCHAIN_GCC ? "GIMPLE needs GCC"
                                                  : "needs both: use --toolchain auto");
    return CTR_TOOLCHAIN_NONE;
}

bool ctr_gcc_reads(const char *version)
{
    size_t major = strspn(version, "0123456789");
    return major && major == strlen(CTR_GCC_MAJOR) && !strncmp(version, CTR_GCC_MAJOR, major) &&
           (version[major] == '.' || version[major] == '\0');
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
