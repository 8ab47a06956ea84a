/* The COMTAINER_STRICT switch (see comtainer/strict.h). */
#include "comtainer/strict.h"

#include <stdlib.h>
#include <string.h>

bool ctr_strict(void)
{
    const char *v = getenv(CTR_STRICT_ENV);
    return v && *v && strcmp(v, "0") != 0;
}
