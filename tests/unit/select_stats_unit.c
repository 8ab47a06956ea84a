/* Unit tests of --select's statistics and decisions (select_stats.c): the
 * medians, the exact Mann-Whitney p-values, "clearly faster"
 * (CTR_SELECT_MARGIN of the median, and the test at CTR_SELECT_P), the
 * choice per binary and keeping the originals; and which setups a round
 * times (select_layout.c).  The expected
 * values follow from the rules in select.h and select_stats.h.  No root
 * needed, no process run. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "select_layout.h"
#include "select_stats.h"

/* a sample over a caller's array */
#define SAMPLE(arr) ((ctr_select_sample){.times = (arr), .n = (int)(sizeof(arr) / sizeof *(arr))})

static bool near(double x, double y)
{
    double d = x - y;
    return d < 1e-12 && d > -1e-12;
}

static void test_median(void)
{
    double odd[] = {3.0, 1.0, 2.0};
    ctr_select_sample s = SAMPLE(odd);
    CHECK(near(ctr_select_median(&s), 2.0));
    CHECK(odd[0] == 1.0 && odd[1] == 2.0 && odd[2] == 3.0); /* sorted in place */

    double even[] = {4.0, 1.0, 3.0, 2.0}; /* the mean of the two middle ones */
    s = SAMPLE(even);
    CHECK(near(ctr_select_median(&s), 2.5));
    CHECK(even[0] == 1.0 && even[3] == 4.0);

    double two[] = {0.25, 0.75};
    s = SAMPLE(two);
    CHECK(near(ctr_select_median(&s), 0.5));

    double one[] = {7.5};
    s = SAMPLE(one);
    CHECK(near(ctr_select_median(&s), 7.5));

    /* an outlier moves the mean, not the median */
    double outlier[] = {1.0, 100.0, 1.2, 1.1, 0.9};
    s = SAMPLE(outlier);
    CHECK(near(ctr_select_median(&s), 1.1));

    double dup[] = {2.0, 2.0, 1.0, 2.0};
    s = SAMPLE(dup);
    CHECK(near(ctr_select_median(&s), 2.0));

    /* no time: 0 */
    double none[1] = {42.0};
    s = (ctr_select_sample){.times = none, .n = 0};
    CHECK(ctr_select_median(&s) == 0);
    s.n = -1;
    CHECK(ctr_select_median(&s) == 0);
}

/* a against b, a family of one */
static ctr_select_verdict alone(ctr_select_sample *a, ctr_select_sample *b)
{
    ctr_select_sample *trial[CTR_SELECT_MAX] = {a};
    bool failed[CTR_SELECT_MAX] = {0};
    return ctr_select_decide(1, b, trial, failed);
}
#define FASTER(a, b) (alone((a), (b)).faster == 1u)
#define UNDECIDED(a, b) (alone((a), (b)).undecided == 1u)

static void test_clearly_faster(void)
{
    CHECK(CTR_SELECT_MARGIN > 0 && CTR_SELECT_MARGIN < 0.05);

    /* far apart: a clearly faster, not the other way */
    double a[] = {1.2, 1.0, 1.1}, b[] = {2.0, 2.2, 2.1};
    ctr_select_sample sa = SAMPLE(a), sb = SAMPLE(b);
    CHECK(FASTER(&sa, &sb));
    CHECK(!FASTER(&sb, &sa));

    /* every run faster, but the medians closer than the margin (half of
     * it): noise */
    double base[] = {10.0, 10.0, 10.0};
    double within[] = {10.0 * (1 - CTR_SELECT_MARGIN / 2), 10.0 * (1 - CTR_SELECT_MARGIN / 2),
                       10.0 * (1 - CTR_SELECT_MARGIN / 2)};
    sa = SAMPLE(within);
    sb = SAMPLE(base);
    CHECK(!FASTER(&sa, &sb));
    /* beyond it (twice the margin): faster */
    double beyond[] = {10.0 * (1 - 2 * CTR_SELECT_MARGIN), 10.0 * (1 - 2 * CTR_SELECT_MARGIN),
                       10.0 * (1 - 2 * CTR_SELECT_MARGIN)};
    sa = SAMPLE(beyond);
    CHECK(FASTER(&sa, &sb));

    /* the median well below, but one run slower than b's fastest */
    double slow_run[] = {0.5, 0.6, 1.5}, c[] = {1.0, 1.1, 1.2};
    sa = SAMPLE(slow_run);
    sb = SAMPLE(c);
    CHECK(!FASTER(&sa, &sb));
    /* a's slowest equal to b's fastest: not faster in every run */
    double touching[] = {0.5, 0.6, 1.0};
    sa = SAMPLE(touching);
    CHECK(!FASTER(&sa, &sb));
    /* just below it: faster */
    double below[] = {0.5, 0.6, 0.99};
    sa = SAMPLE(below);
    CHECK(FASTER(&sa, &sb));

    /* ties: equal samples are faster neither way */
    double t1[] = {1.0, 1.0, 1.0}, t2[] = {1.0, 1.0, 1.0};
    sa = SAMPLE(t1);
    sb = SAMPLE(t2);
    CHECK(!FASTER(&sa, &sb));
    CHECK(!FASTER(&sb, &sa));
    CHECK(!FASTER(&sa, &sa));

    /* counts may differ (a setup that failed has fewer runs); 2 runs
     * against 3 cannot pass the test (p = 1/10 at best) */
    double two[] = {2.0, 1.0}, three[] = {5.0, 3.0, 4.0};
    sa = SAMPLE(two);
    sb = SAMPLE(three);
    CHECK(!FASTER(&sa, &sb));
    CHECK(UNDECIDED(&sa, &sb));
    double four[] = {5.0, 3.0, 4.0, 6.0}; /* 3 against 4, apart: p = 1/35 */
    double three_fast[] = {2.0, 1.0, 1.5};
    sa = SAMPLE(three_fast);
    sb = SAMPLE(four);
    CHECK(FASTER(&sa, &sb));
    CHECK(!FASTER(&sb, &sa));
    CHECK(!UNDECIDED(&sb, &sa));

    /* no time on either side: never faster */
    double x[] = {0.1};
    ctr_select_sample empty = {.times = x, .n = 0};
    sa = SAMPLE(x);
    CHECK(!FASTER(&sa, &empty));
    CHECK(!FASTER(&empty, &sa));
    CHECK(!FASTER(&empty, &empty));
}

/* choices: 0 the original, 1..3 builds; `base` the configured one; 4 runs
 * each where two choices must pass (apart, p = 1/70: Holm's first level for
 * two is 0.025, which 3 runs each, 1/20 at best, cannot reach) */
static void test_choose(void)
{
    ctr_select_verdict got;
    /* the fastest of those that clearly beat base; a failed one is out
     * even though it would be fastest, and its median is left alone */
    {
        double tb[] = {1.00, 1.02, 1.01, 1.03}, t0[] = {0.91, 0.90, 0.92, 0.93},
               t2[] = {0.81, 0.82, 0.80, 0.83}, t3[] = {0.5, 0.5, 0.5, 0.5};
        ctr_select_sample sbase = SAMPLE(tb), s0 = SAMPLE(t0), s2 = SAMPLE(t2), s3 = SAMPLE(t3);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {&s0, NULL, &s2, &s3};
        bool failed[CTR_SELECT_MAX] = {false, false, false, true};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, trial, failed, median, &got) == 2);
        CHECK(got.faster == (1u << 0 | 1u << 2)); /* the failed one is not */
        CHECK(near(median[0], 0.915));
        CHECK(near(median[1], 1.015));
        CHECK(near(median[2], 0.815));
        CHECK(median[3] == 0);
    }
    /* the order of the choices does not matter: the lowest median wins */
    {
        double tb[] = {1.0, 1.0, 1.0, 1.0}, t0[] = {0.7, 0.7, 0.7, 0.7},
               t2[] = {0.9, 0.9, 0.9, 0.9};
        ctr_select_sample sbase = SAMPLE(tb), s0 = SAMPLE(t0), s2 = SAMPLE(t2);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {&s0, NULL, &s2, NULL};
        bool failed[CTR_SELECT_MAX] = {0};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, trial, failed, median, &got) == 0);
        CHECK(near(median[2], 0.9));
    }
    /* nothing clearly faster (one within the margin, one faster by the
     * median but not in every run, one slower): base, every median filled */
    {
        double tb[] = {1.0, 1.0, 1.0};
        double t0[] = {1.0 * (1 - CTR_SELECT_MARGIN / 2), 1.0 * (1 - CTR_SELECT_MARGIN / 2),
                       1.0 * (1 - CTR_SELECT_MARGIN / 2)};
        double t2[] = {0.5, 0.5, 1.2}, t3[] = {1.5, 1.4, 1.6};
        ctr_select_sample sbase = SAMPLE(tb), s0 = SAMPLE(t0), s2 = SAMPLE(t2), s3 = SAMPLE(t3);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {&s0, NULL, &s2, &s3};
        bool failed[CTR_SELECT_MAX] = {0};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, trial, failed, median, &got) == 1);
        CHECK(got.faster == 0);
        CHECK(near(median[0], 1 - CTR_SELECT_MARGIN / 2));
        CHECK(near(median[1], 1.0));
        CHECK(near(median[2], 0.5));
        CHECK(near(median[3], 1.5));
        CHECK(got.undecided == 1u << 2); /* more runs may tell */
        CHECK(got.family == 3 && near(got.p[2], 7.0 / 20) && got.p[1] == 1);
    }
    /* two clearly faster with equal medians: the first */
    {
        double tb[] = {2.0, 2.0, 2.0, 2.0}, t0[] = {1.0, 1.0, 1.0, 1.0},
               t3[] = {1.0, 1.0, 1.0, 1.0};
        ctr_select_sample sbase = SAMPLE(tb), s0 = SAMPLE(t0), s3 = SAMPLE(t3);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {&s0, NULL, NULL, &s3};
        bool failed[CTR_SELECT_MAX] = {0};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, trial, failed, median, &got) == 0);
        ctr_select_sample *later[CTR_SELECT_MAX] = {NULL, NULL, &s0, &s3};
        CHECK(ctr_select_choose(1, &sbase, later, failed, median, &got) == 2);
        CHECK(got.faster == (1u << 2 | 1u << 3));
    }
    /* every choice failed, or none built: base */
    {
        double tb[] = {1.0, 1.0, 1.0}, t0[] = {0.1, 0.1, 0.1}, t2[] = {0.1, 0.1, 0.1};
        ctr_select_sample sbase = SAMPLE(tb), s0 = SAMPLE(t0), s2 = SAMPLE(t2);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {&s0, NULL, &s2, NULL};
        bool failed[CTR_SELECT_MAX] = {true, false, true, false};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, trial, failed, median, &got) == 1);
        CHECK(median[0] == 0 && median[2] == 0 && near(median[1], 1.0));
        ctr_select_sample *none[CTR_SELECT_MAX] = {0};
        bool ok[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, none, ok, median, &got) == 1 && got.faster == 0);
    }
    /* another base (generic tuning as configured): the original may win */
    {
        double tb[] = {3.0, 3.1, 3.2, 3.3}, t0[] = {2.0, 2.1, 2.2, 2.3},
               t1[] = {2.5, 2.5, 2.5, 2.5};
        ctr_select_sample sbase = SAMPLE(tb), s0 = SAMPLE(t0), s1 = SAMPLE(t1);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {&s0, &s1, NULL, NULL};
        bool failed[CTR_SELECT_MAX] = {0};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(2, &sbase, trial, failed, median, &got) == 0);
        CHECK(near(median[2], 3.15) && near(median[0], 2.15) && near(median[1], 2.5));
    }
    /* a base with an even count of runs */
    {
        double tb[] = {1.0, 1.2, 1.1, 1.1}, t3[] = {0.8, 0.9, 0.85, 0.85};
        ctr_select_sample sbase = SAMPLE(tb), s3 = SAMPLE(t3);
        ctr_select_sample *trial[CTR_SELECT_MAX] = {NULL, NULL, NULL, &s3};
        bool failed[CTR_SELECT_MAX] = {0};
        double median[CTR_SELECT_MAX] = {0};
        CHECK(ctr_select_choose(1, &sbase, trial, failed, median, &got) == 3);
        CHECK(near(median[1], 1.1) && near(median[3], 0.85));
    }
}

/* Holm's step-down over a binary's choices: against a base of 4 runs,
 * trials apart from it with 5, 4 and 3 runs have p = 1/126, 1/70 and 1/35
 * (ctr_select_p_faster); the levels for three are 0.05/3, 0.05/2, 0.05. */
static void test_holm(void)
{
    double tb[] = {1.0, 1.01, 1.02, 1.03}, t5[] = {0.5, 0.5, 0.5, 0.5, 0.5},
           t4[] = {0.6, 0.6, 0.6, 0.6}, t3[] = {0.7, 0.7, 0.7}, u3[] = {0.75, 0.75, 0.75};
    ctr_select_sample sbase = SAMPLE(tb), s5 = SAMPLE(t5), s4 = SAMPLE(t4), s3 = SAMPLE(t3),
                      w3 = SAMPLE(u3);
    CHECK(near(ctr_select_p_faster(&s5, &sbase), 1.0 / 126));
    CHECK(near(ctr_select_p_faster(&s4, &sbase), 1.0 / 70));
    CHECK(near(ctr_select_p_faster(&s3, &sbase), 1.0 / 35));
    bool failed[CTR_SELECT_MAX] = {0};
    /* each passes its level in turn: all three (Bonferroni's 0.05/3 for
     * each would have stopped at 1/35) */
    ctr_select_sample *all[CTR_SELECT_MAX] = {&s3, NULL, &s4, &s5};
    ctr_select_verdict v = ctr_select_decide(1, &sbase, all, failed);
    CHECK(v.faster == (1u << 0 | 1u << 2 | 1u << 3) && v.undecided == 0);
    CHECK(v.family == 3 && near(v.p[3], 1.0 / 126) && near(v.p[0], 1.0 / 35) && v.p[4] == 1);
    /* 1/126 passes 0.05/3, 1/35 misses 0.05/2 and stops the rest: the two
     * at 1/35 are undecided, though either alone would pass */
    ctr_select_sample *stop[CTR_SELECT_MAX] = {&w3, NULL, &s3, &s5};
    v = ctr_select_decide(1, &sbase, stop, failed);
    CHECK(v.faster == 1u << 3 && v.undecided == (1u << 0 | 1u << 2));
    CHECK(FASTER(&s3, &sbase) && FASTER(&w3, &sbase));
    /* a family of six, each every run apart with 3 runs against 3 (p =
     * 1/20): alone each passes, together none (0.05/6) */
    double b3[] = {1.0, 1.0, 1.0};
    ctr_select_sample small = SAMPLE(b3);
    ctr_select_sample *six[CTR_SELECT_MAX] = {&s3, NULL, &w3, &s3, &w3, &s3, &w3};
    v = ctr_select_decide(1, &small, six, failed);
    CHECK(v.faster == 0 && v.undecided == (1u << 0 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 |
                                           1u << 6));
    CHECK(FASTER(&s3, &small));
    /* a failed choice is not of the family: the other two pass as two */
    bool out[CTR_SELECT_MAX] = {false, false, false, true};
    v = ctr_select_decide(1, &sbase, all, out);
    CHECK(v.faster == (1u << 0 | 1u << 2) && v.undecided == 0 && v.family == 2);
}

/* The exact Mann-Whitney p-values, from the counts of U over the orderings. */
static void test_p_faster(void)
{
    double a3[] = {1.0, 1.1, 1.2}, b3[] = {2.0, 2.1, 2.2};
    ctr_select_sample a = SAMPLE(a3), b = SAMPLE(b3);
    CHECK(near(ctr_select_p_faster(&a, &b), 1.0 / 20)); /* U = 0 of C(6,3) = 20 */
    CHECK(near(ctr_select_p_faster(&b, &a), 1.0));      /* U = 9: every ordering */
    /* 5 against 5 with one pair out of order: U = 1, 2 orderings of 252 */
    double a5[] = {1.0, 1.1, 1.2, 1.3, 2.05}, b5[] = {2.0, 2.1, 2.2, 2.3, 2.4};
    a = SAMPLE(a5);
    b = SAMPLE(b5);
    CHECK(near(ctr_select_p_faster(&a, &b), 2.0 / 252));
    /* ties count half, rounded up: equal samples of 3, U = 4.5 -> 5, and
     * P(U <= 5) = (1 + 1 + 2 + 3 + 3 + 3) / 20 */
    double t[] = {1.0, 1.0, 1.0};
    a = SAMPLE(t);
    CHECK(near(ctr_select_p_faster(&a, &a), 13.0 / 20));
    /* one run each: 1/2 at best */
    double one_a[] = {1.0}, one_b[] = {2.0};
    a = SAMPLE(one_a);
    b = SAMPLE(one_b);
    CHECK(near(ctr_select_p_faster(&a, &b), 0.5));
    /* no runs, or too many: 1 */
    ctr_select_sample none = {a3, 0};
    CHECK(ctr_select_p_faster(&none, &b) == 1);
    double many[CTR_SELECT_MAX_RUNS + 1] = {0};
    ctr_select_sample big = {many, CTR_SELECT_MAX_RUNS + 1};
    CHECK(ctr_select_p_faster(&big, &b) == 1);
    /* 10 against 10, a 2 % difference under 1 % noise: resolved */
    double a10[10], b10[10];
    for (int i = 0; i < 10; i++) {
        double noise = 0.01 * ((i * 7) % 10 - 4.5) / 4.5; /* -1 % .. +1 % */
        a10[i] = 0.98 * (1 + noise);
        b10[i] = 1.00 * (1 + 0.01 * ((i * 3) % 10 - 4.5) / 4.5);
    }
    a = SAMPLE(a10);
    b = SAMPLE(b10);
    CHECK(ctr_select_p_faster(&a, &b) < CTR_SELECT_P);
    CHECK(FASTER(&a, &b));
}

static void test_keep_originals(void)
{
    /* never slower than the originals by the median reported: the choices
     * are written only when their median is below the originals' */
    double chosen[] = {1.0, 1.0, 1.0}, orig[] = {0.9, 0.9, 0.9};
    ctr_select_sample sc = SAMPLE(chosen), so = SAMPLE(orig);
    CHECK(ctr_select_keep_originals(&sc, &so));
    /* faster: keep the choices */
    CHECK(!ctr_select_keep_originals(&so, &sc));
    /* a tie: the originals */
    double same[] = {1.0, 1.0, 1.0};
    ctr_select_sample ss = SAMPLE(same);
    CHECK(ctr_select_keep_originals(&sc, &ss));
    /* the originals faster by less than the margin: still the originals */
    double close[] = {1.0 * (1 - CTR_SELECT_MARGIN / 2), 1.0 * (1 - CTR_SELECT_MARGIN / 2),
                      1.0 * (1 - CTR_SELECT_MARGIN / 2)};
    ctr_select_sample scl = SAMPLE(close);
    CHECK(ctr_select_keep_originals(&sc, &scl));
    /* the originals faster by the median, not in every run: the originals */
    double mixed[] = {0.5, 0.5, 1.1};
    ctr_select_sample sm = SAMPLE(mixed);
    CHECK(ctr_select_keep_originals(&sc, &sm));
    /* the choices faster by the median, not in every run: the choices */
    double fast_mixed[] = {0.8, 0.85, 1.2};
    ctr_select_sample sf = SAMPLE(fast_mixed);
    CHECK(!ctr_select_keep_originals(&sf, &sc));
    /* no time: the originals */
    ctr_select_sample none = {chosen, 0};
    CHECK(ctr_select_keep_originals(&none, &sc));
}

/* setup s of a layout as "j j j" (trial indices) */
static const char *setup_str(const size_t *order, const size_t *first, size_t s)
{
    static char buf[64];
    int len = 0;
    buf[0] = 0;
    for (size_t m = first[s]; m < first[s + 1]; m++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%zu", m > first[s] ? " " : "",
                        order[m]);
    return buf;
}

static void test_layout(void)
{
    /* programs 0 (3 choices) and 1 (2), library 2 (2), program 3 (1) */
    long bin[] = {0, 0, 0, 1, 1, 2, 2, 3};
    bool live[] = {1, 1, 1, 1, 1, 1, 1, 1};
    bool packable[] = {1, 1, 1, 1, 1, 0, 0, 1};
    ctr_select_trials t = {bin, live, packable, 8};
    size_t order[8], first[10];
    /* the configured setup, three packed runs (one per choice of the
     * program with most), each library trial alone: 6 runs, not 9 */
    CHECK(ctr_select_layout(&t, order, first) == 6);
    CHECK(!strcmp(setup_str(order, first, 0), ""));
    CHECK(!strcmp(setup_str(order, first, 1), "0 3 7"));
    CHECK(!strcmp(setup_str(order, first, 2), "1 4"));
    CHECK(!strcmp(setup_str(order, first, 3), "2"));
    CHECK(!strcmp(setup_str(order, first, 4), "5"));
    CHECK(!strcmp(setup_str(order, first, 5), "6"));
    /* a decided or failed trial is left out, and the next moves up */
    live[0] = live[6] = false;
    CHECK(ctr_select_layout(&t, order, first) == 4);
    CHECK(!strcmp(setup_str(order, first, 1), "1 3 7"));
    CHECK(!strcmp(setup_str(order, first, 2), "2 4"));
    CHECK(!strcmp(setup_str(order, first, 3), "5"));
    /* nothing packable (no per-program times, or unpacked): each alone */
    memset(packable, 0, sizeof packable);
    CHECK(ctr_select_layout(&t, order, first) == 7);
    for (size_t s = 1; s < 7; s++)
        CHECK(first[s + 1] - first[s] == 1);
    /* nothing live: the configured setup only */
    memset(live, 0, sizeof live);
    CHECK(ctr_select_layout(&t, order, first) == 1 && first[1] == 0);
    t.n = 0;
    CHECK(ctr_select_layout(&t, order, first) == 1 && first[1] == 0);
}

int main(void)
{
    test_layout();
    test_median();
    test_clearly_faster();
    test_holm();
    test_p_faster();
    test_choose();
    test_keep_originals();
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("select_stats_unit: all passed\n");
    return failures != 0;
}
