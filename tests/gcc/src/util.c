#include "kernel.h"
#include <string.h>

struct entry {
    const char *name;
    int weight;
};

static const struct entry table[] = {{"alpha", 3}, {"beta", 5}, {"gamma", 7}};
static int calls;

static int mix(int h, unsigned char c)
{
    return h * 31 + c;
}

int util_checksum(const char *s)
{
    int h = 0;
    calls++;
    for (size_t i = 0, n = strlen(s); i < n; i++)
        h = mix(h, (unsigned char)s[i]);
    return h;
}

const char *util_name(int i)
{
    return table[(unsigned)i % (sizeof table / sizeof *table)].name;
}
