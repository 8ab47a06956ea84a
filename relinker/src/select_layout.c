/* The setups of a --select round (see select_layout.h). */
#include "select_layout.h"

/* The rank of live packable trial j among its binary's live packable
 * trials (0: the first), given the rank of the one before it. */
static size_t rank_of(const ctr_select_trials *t, size_t j, size_t *run)
{
    if (j == 0 || t->bin[j] != t->bin[j - 1])
        *run = 0;
    return t->live[j] && t->packable[j] ? (*run)++ : (size_t)-1;
}

size_t ctr_select_layout(const ctr_select_trials *t, size_t *order, size_t *first)
{
    size_t ns = 0, m = 0;
    first[ns++] = 0; /* the configured setup */
    first[ns] = 0;
    for (size_t q = 0;; q++) {
        size_t run = 0, before = m;
        for (size_t j = 0; j < t->n; j++)
            if (rank_of(t, j, &run) == q)
                order[m++] = j;
        if (m == before)
            break;
        first[++ns] = m;
    }
    for (size_t j = 0; j < t->n; j++)
        if (t->live[j] && !t->packable[j]) {
            order[m++] = j;
            first[++ns] = m;
        }
    return ns;
}
