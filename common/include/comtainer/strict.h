/* COMTAINER_STRICT: a capture failure in a compiler or linker plugin is one
 * warning and the user's build goes on; with COMTAINER_STRICT set to
 * anything but "" or "0" it is an error that fails the build. */
#ifndef COMTAINER_STRICT_H
#define COMTAINER_STRICT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTR_STRICT_ENV "COMTAINER_STRICT"

/* True when COMTAINER_STRICT asks for capture failures to be errors. */
bool ctr_strict(void);

#ifdef __cplusplus
}
#endif

#endif
