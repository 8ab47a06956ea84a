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

double ctr_select_p_faster(const ctr_select_sample *a, const ctr_select_sample *b)
{
    int m = a->n, n = b->n;
    if (m <= 0 || n <= 0 || m > CTR_SELECT_MAX_RUNS || n > CTR_SELECT_MAX_RUNS)
        return 1;
    /* U: the pairs in which a's run is not faster (a tie counts half),
     * rounded up: the conservative side */
    double u2 = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            u2 += a->times[i] > b->times[j] ? 2 : a->times[i] == b->times[j] ? 1 : 0;
    int u = (int)((u2 + 1) / 2);
    /* count[k][u]: orderings of k of a's runs and j of b's with U = u, row by
     * row over j (the exact null distribution, all orderings equally likely) */
    int umax = m * n;
    double *prev = calloc((size_t)(m + 1) * (size_t)(umax + 1), sizeof *prev);
    double *cur = calloc((size_t)(m + 1) * (size_t)(umax + 1), sizeof *cur);
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return 1;
    }
#define AT(t, k, v) (t)[(size_t)(k) * (size_t)(umax + 1) + (size_t)(v)]
    for (int k = 0; k <= m; k++)
        AT(prev, k, 0) = 1; /* j = 0: one ordering, U = 0 */
    for (int j = 1; j <= n; j++) {
        for (int k = 0; k <= m; k++)
            for (int v = 0; v <= umax; v++) {
                /* the last of k + j runs is b's (adds nothing) or a's (slower
                 * than all j of b's: adds j) */
                double c = AT(prev, k, v);
                if (k > 0 && v >= j)
                    c += AT(cur, k - 1, v - j);
                AT(cur, k, v) = c;
            }
        double *t = prev;
        prev = cur;
        cur = t;
    }
    double below = 0, all = 0;
    for (int v = 0; v <= umax; v++) {
        all += AT(prev, m, v);
        if (v <= u)
            below += AT(prev, m, v);
    }
#undef AT
    free(prev);
    free(cur);
    return all > 0 ? below / all : 1;
}

ctr_select_verdict ctr_select_decide(int base, ctr_select_sample *base_s,
                                     ctr_select_sample *const trial[CTR_SELECT_MAX],
                                     const bool failed[CTR_SELECT_MAX])
{
    ctr_select_verdict v = {0};
    double *p = v.p;
    int order[CTR_SELECT_MAX], m = 0;
    bool ahead[CTR_SELECT_MAX] = {0};
    for (int k = 0; k < CTR_SELECT_MAX; k++)
        p[k] = 1;
    double mb = ctr_select_median(base_s);
    for (int k = 0; k < CTR_SELECT_MAX && base_s->n > 0; k++) {
        if (k == base || !trial[k] || failed[k] || trial[k]->n <= 0)
            continue;
        ahead[k] = ctr_select_median(trial[k]) < mb * (1 - CTR_SELECT_MARGIN);
        p[k] = ctr_select_p_faster(trial[k], base_s);
        int i = m++; /* in the order of p, the earlier choice first on equal ones */
        for (; i > 0 && p[order[i - 1]] > p[k]; i--)
            order[i] = order[i - 1];
        order[i] = k;
    }
    v.family = m;
    bool passing = true;
    for (int i = 0; i < m; i++) {
        int k = order[i];
        passing = passing && p[k] <= CTR_SELECT_P / (m - i);
        if (ahead[k])
            *(passing ? &v.faster : &v.undecided) |= 1u << k;
    }
    return v;
}

int ctr_select_choose(int base, ctr_select_sample *base_s,
                      ctr_select_sample *const trial[CTR_SELECT_MAX],
                      const bool failed[CTR_SELECT_MAX], double median[CTR_SELECT_MAX],
                      ctr_select_verdict *v)
{
    int chosen = base;
    *v = ctr_select_decide(base, base_s, trial, failed);
    median[base] = ctr_select_median(base_s);
    for (int k = 0; k < CTR_SELECT_MAX; k++) {
        if (k == base || !trial[k] || failed[k])
            continue;
        median[k] = ctr_select_median(trial[k]);
        if ((v->faster & (1u << k)) && median[k] < median[chosen])
            chosen = k;
    }
    return chosen;
}

bool ctr_select_keep_originals(ctr_select_sample *chosen, ctr_select_sample *orig)
{
    return chosen->n <= 0 || orig->n <= 0 ||
           ctr_select_median(chosen) >= ctr_select_median(orig);
}
