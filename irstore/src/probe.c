/* Build-system probes (see irstore.h). */
#include "comtainer/irstore.h"

#include <stdio.h>
#include <string.h>

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* path lies in a build system's scratch directory. */
static bool in_scratch(const char *path)
{
    static const char *const dirs[] = {"/CMakeFiles/CMakeScratch/", "/CMakeFiles/CMakeTmp",
                                       "/meson-private/", NULL};
    for (size_t i = 0; path && dirs[i]; i++)
        if (strstr(path, dirs[i]) || !strncmp(path, dirs[i] + 1, strlen(dirs[i] + 1)))
            return true; /* anywhere, or at the start of a relative path */
    return false;
}

bool irs_is_probe(const char *source, const char *cwd, const char *output)
{
    if (output && !strcmp(output, "/dev/null"))
        return true;
    const char *src = source ? base_of(source) : "", *out = output ? base_of(output) : "";
    /* conftest.c, conftest.cpp, conftest.f90, ...; conftest, conftest.o, conftest.exe */
    if (!strncmp(src, "conftest.", 9) || !strcmp(out, "conftest") ||
        !strncmp(out, "conftest.", 9))
        return true;
    /* run in a scratch directory (with a slash: "CMakeScratch/" ends cwd),
     * or naming a file in one */
    char dir[4096 + 2];
    if (cwd) {
        snprintf(dir, sizeof dir, "%s/", cwd);
        if (in_scratch(dir))
            return true;
    }
    return in_scratch(source) || in_scratch(output);
}
