/* The statistics and decisions of ctr-relink --select (select.h), on
 * timings alone: no file, no process.  A sample is one setup's times, one
 * per run that passed; the rules below are the ones select.h documents. */
#ifndef CTR_SELECT_STATS_H
#define CTR_SELECT_STATS_H

#include <stdbool.h>

#include "select_choice.h"

typedef struct ctr_select_sample {
    double *times; /* seconds, one per run (sorted in place by the functions below) */
    int n;         /* how many */
} ctr_select_sample;

/* The median of s's times: the middle one of an odd count, the mean of the
 * two middle ones of an even count; 0 for no time.  Sorts s->times. */
double ctr_select_median(ctr_select_sample *s);

/* The most runs a sample may hold for the test below. */
#define CTR_SELECT_MAX_RUNS 100

/* The level of the test: noise alone passes it one time in 20. */
#define CTR_SELECT_P 0.05

/* The one-sided p-value of the Mann-Whitney U test that a's runs are faster
 * than b's (exact, from the distribution of U over all orderings of the
 * runs; a tie counts half, rounded to the conservative side): the chance
 * that noise alone orders them at least this well.  With 3 runs each it is
 * 1/20 exactly when every run of a is faster than every run of b.  1 when
 * either has no run or more than CTR_SELECT_MAX_RUNS. */
double ctr_select_p_faster(const ctr_select_sample *a, const ctr_select_sample *b);

/* One binary's choices against its configured build: bit k of `faster`,
 * choice k ran faster beyond noise; of `undecided`, it ran faster by the
 * median but the test does not tell it yet (more runs may: --select goes
 * on timing such a choice, up to three times its rounds or its budget);
 * how many choices the test took together, and each one's p-value (1 for
 * a choice not among them). */
typedef struct ctr_select_verdict {
    unsigned faster, undecided;
    int family;
    double p[CTR_SELECT_MAX];
} ctr_select_verdict;

/* Decide one binary's choices: base's sample is `base_s`; trial[k] (NULL:
 * none, always NULL at k == base) that of choice k in base's place, left
 * out where failed[k] or without a time.  The trials left are one family,
 * tested by Holm's step-down at CTR_SELECT_P: in the order of their
 * p-values (ctr_select_p_faster against base), the i-th of m (from 0)
 * passes at CTR_SELECT_P / (m - i), and the first that does not stops the
 * rest; so noise alone makes one of a binary's choices pass at most one
 * time in 20, however many choices it has (a family of one: p <= 0.05,
 * with 3 runs each every run of the trial faster than every run of base).
 * A choice is faster when it passes and its median is below base's by
 * more than CTR_SELECT_MARGIN of base's, undecided when its median is that
 * far below but it does not pass.  Sorts the samples. */
ctr_select_verdict ctr_select_decide(int base, ctr_select_sample *base_s,
                                     ctr_select_sample *const trial[CTR_SELECT_MAX],
                                     const bool failed[CTR_SELECT_MAX]);

/* One binary's choice among its builds (trial[], failed[] as above).
 * Fills median[k] for base and for every trial that did not fail, sets *v
 * to ctr_select_decide's verdict, and returns the choice with the lowest
 * median among base and the faster ones (the first such choice on equal
 * medians); base when none is. */
int ctr_select_choose(int base, ctr_select_sample *base_s,
                      ctr_select_sample *const trial[CTR_SELECT_MAX],
                      const bool failed[CTR_SELECT_MAX], double median[CTR_SELECT_MAX],
                      ctr_select_verdict *v);

/* The choices together (chosen) against every original (orig), timed
 * against each other: true unless the choices' median is below the
 * originals' (either without a time: true), so that what is written is
 * never slower than the originals by the measure reported. */
bool ctr_select_keep_originals(ctr_select_sample *chosen, ctr_select_sample *orig);

#endif
