/* Target-feature macros (see irstore.h). */
#include "comtainer/irstore.h"

#include <string.h>

/* x86 (GCC's and Clang's spellings agree) and AArch64 (ACLE): whole names,
 * and prefixes of families (__AVX512F__, __AVX512VL__, ...; __SSE4_2__;
 * __ARM_FEATURE_SVE2, ...). */
static const char *const names[] = {
    "__F16C__", "__BMI__", "__BMI2__", "__LZCNT__", "__POPCNT__", "__AES__", "__PCLMUL__",
    "__SHA__", "__GFNI__", "__VAES__", "__VPCLMULQDQ__", "__ADX__", "__MOVBE__", "__XOP__",
    "__ARM_NEON",
};
static const char *const prefixes[] = {"__AVX", "__SSE", "__FMA", "__AMX", "__ARM_FEATURE_"};

bool irs_target_macro(const char *name)
{
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
            return true;
    return false;
}
