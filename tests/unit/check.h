/* The unit tests' assertion: report the failed condition with its place
 * and count it; main() returns failures != 0. */
#ifndef CTR_TEST_CHECK_H
#define CTR_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            failures++;                                                                \
        }                                                                              \
    } while (0)

#endif
