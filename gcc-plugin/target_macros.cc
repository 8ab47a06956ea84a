// The conditions that choose a code path by a CPU feature of the compile's
// target (#ifdef __AVX2__, #if defined(__FMA__)): each feature macro
// (irs_target_macro) tested while undefined is kept for the TU's record, so
// that the relinker can say that the path needs a rebuild from source.
//
// libcpp tells a first use of an undefined name (#ifdef, #ifndef,
// defined()) through the used_undef callback; a bare `#if __AVX2__` of an
// undefined name tells nothing, and is not seen.  GCC's own headers
// (immintrin.h) test these macros for every includer: they do not count,
// and the name's "used" mark is cleared so that the next use is told too.
// C and C++ only: Fortran's preprocessor has no such hook.

#include "gcc-plugin.h"
#include "cpplib.h"
#include "input.h"

#include "plugin_state.h"

#include <cstring>
#include <dlfcn.h>

namespace comtainer_gcc {

static void (*chained)(cpp_reader *, location_t, cpp_hashnode *) = nullptr;

// In GCC's private include directory (LIBDIR/gcc/TRIPLE/VERSION/include).
static bool own_header(location_t loc)
{
    const char *file = LOCATION_FILE (loc);
    return file && strstr (file, "/gcc/") && strstr (file, "/include/");
}

static void used_undef(cpp_reader *pfile, location_t loc, cpp_hashnode *node)
{
    const char *name = (const char *) NODE_NAME (node);
    if (irs_target_macro (name)) {
        if (!own_header (loc) && !irs_strv_sorted_has (&st.undef_target_macros, name) &&
            irs_strv_push (&st.undef_target_macros, name) == 0)
            irs_strv_sort_unique (&st.undef_target_macros);
        node->flags &= ~NODE_USED; // tell the next use too
    }
    if (chained)
        chained (pfile, loc, node);
}

void watch_target_macros(void)
{
    // the C family's reader (c-family/c-common.h); absent in f951
    cpp_reader **reader = (cpp_reader **) dlsym (RTLD_DEFAULT, "parse_in");
    if (!reader || !*reader)
        return;
    cpp_callbacks *cb = cpp_get_callbacks (*reader);
    chained = cb->used_undef;
    cb->used_undef = used_undef;
}

} // namespace comtainer_gcc
