/* The unit tests' assertion: report the failed condition with its place
 * and count it; main() returns failures != 0. */
#ifndef CTR_TEST_CHECK_H
#define CTR_TEST_CHECK_H

#include <stdio.h>
#include <sys/stat.h>

#include "comtainer/files.h"

static int failures;

/* A fresh scratch directory at path: what was there removed, the parents
 * created (mkdir -p; a test may be the first to run in a new build tree).
 * 0, or -1 with a message on standard error. */
static inline int make_scratch(const char *path)
{
    char p[4096];
    if (ctr_tree_remove(path) < 0 || snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
        perror(path);
        return -1;
    }
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    if (mkdir(p, 0755) < 0) {
        perror(path);
        return -1;
    }
    return 0;
}

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            failures++;                                                                \
        }                                                                              \
    } while (0)

#endif
