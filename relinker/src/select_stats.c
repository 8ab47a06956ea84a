/* --select's statistics and decisions on timings (see select_stats.h). */
#include "select_stats.h"

#include <stddef.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double ctr_select_median(ctr_select_sample *s)
{
    int n = s->n;
    if (n <= 0)
        return 0;
    qsort(s->times, (size_t)n, sizeof *s->times, cmp_double);
    return n % 2 ? s->times[n / 2] : (s->times[n / 2 - 1] + s->times[n / 2]) / 2;
}

/* with 3 runs each, "every run faster" alone happens by noise one time in 20 */
bool ctr_select_clearly_faster(ctr_select_sample *a, ctr_select_sample *b)
{
    if (a->n <= 0 || b->n <= 0)
        return false;
    double ma = ctr_select_median(a), mb = ctr_select_median(b); /* sorted now */
    return ma < mb * (1 - CTR_SELECT_MARGIN) && a->times[a->n - 1] < b->times[0];
}

int ctr_select_choose(int base, ctr_select_sample *base_s, ctr_select_sample *const trial[CTR_SELECT_MAX],
                      const bool failed[CTR_SELECT_MAX], double median[CTR_SELECT_MAX])
{
    int chosen = base;
    median[base] = ctr_select_median(base_s);
    for (int k = 0; k < CTR_SELECT_MAX; k++) {
        if (k == base || !trial[k] || failed[k])
            continue;
        median[k] = ctr_select_median(trial[k]);
        if (ctr_select_clearly_faster(trial[k], base_s) && median[k] < median[chosen])
            chosen = k;
    }
    return chosen;
}

bool ctr_select_keep_originals(ctr_select_sample *chosen, ctr_select_sample *orig)
{
    return chosen->n <= 0 || orig->n <= 0 ||
           ctr_select_median(chosen) >= ctr_select_median(orig);
}
