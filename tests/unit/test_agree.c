/*
 * test_agree.c -- agreement between coders (agree.c, agree_read.c):
 * percent agreement, Cohen's kappa and Krippendorff's nominal alpha against
 * values worked by hand, the undefined cases, multi-label units, ordering,
 * the choice of coders, the long-format and suggest readers with their
 * messages, and scikit-learn's kappas on the committed fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "quarry/quarry.h"
#include "test_util.h"

#define DATA QUARRY_TEST_DATA_DIR "/agree/"

/* Fault injection (SQLite's habit): tests/agree/tests.cmake links this
 * test with --wrap for malloc, calloc and realloc, so every allocation of
 * quarry_core's objects comes through here; fail_at = N makes the Nth
 * allocation from now fail (once), -1 none. */
#ifdef QUARRY_TEST_WRAP_MALLOC
static long fail_at = -1;
static int failed;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
static int should_fail(void)
{
    if (fail_at < 0)
        return 0;
    if (fail_at-- == 0) {
        failed = 1;
        return 1;
    }
    return 0;
}
void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}
#endif

static quarry_agree_table *table(void)
{
    quarry_agree_table *t = NULL;
    assert_int_equal(quarry_agree_table_new(&t), QUARRY_OK);
    return t;
}

static void add(quarry_agree_table *t, const char *unit, const char *coder,
                const char *code)
{
    if (quarry_agree_table_add(t, unit, coder, code) != 0)
        fail_msg("add: %s", quarry_agree_table_errmsg(t));
}

static quarry_agreement *compute(quarry_agree_table *t)
{
    quarry_agreement *a = NULL;
    if (quarry_agreement_compute(&a, t, NULL) != 0)
        fail_msg("compute: %s", quarry_agree_table_errmsg(t));
    return a;
}

/* The figure of a scope (NULL overall) and coders ("ana,ben"; "*" for all
 * coders). */
static const quarry_agree_figure *figure(const quarry_agreement *a,
                                         const char *scope, const char *who)
{
    size_t i;
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        char names[256] = "";
        int32_t j;
        if ((scope == NULL) != (f->scope == NULL) ||
            (scope != NULL && strcmp(scope, f->scope) != 0))
            continue;
        if (strcmp(who, "*") == 0) {
            if (f->n_coders > 2 || quarry_agreement_n_coders(a) == 2)
                return f;
            continue;
        }
        for (j = 0; j < f->n_coders; j++) {
            if (j)
                strcat(names, ",");
            strcat(names, f->coders[j]);
        }
        if (f->n_coders == 2 && strcmp(names, who) == 0)
            return f;
    }
    fail_msg("no figure for %s / %s", scope ? scope : "overall", who);
    return NULL;
}

static void assert_nan(double x)
{
    if (!isnan(x))
        fail_msg("expected NaN (undefined), got %.9g", x);
}

/* A 2x2 table worked on paper: 10 units, codes yes/no.
 *               ben yes  ben no
 *   ana yes        4        1      (ana: 5 yes)
 *   ana no         2        3      (ben: 6 yes)
 * p_o = 7/10; p_e = .5 x .6 + .5 x .4 = .5; kappa = (.7-.5)/(1-.5) = 0.4.
 * alpha: 20 values, o_yes,yes + o_no,no = 2 x 7 = 14, n_yes = 11, n_no = 9,
 * sum n_c(n_c-1) = 110 + 72 = 182; alpha = (19 x 14 - 182)/(20 x 19 - 182)
 * = 84/198. */
static void kappa_2x2_by_hand(void **state)
{
    static const char *cells[10][2] = {
        {"yes", "yes"}, {"yes", "yes"}, {"yes", "yes"}, {"yes", "yes"},
        {"yes", "no"},  {"no", "yes"},  {"no", "yes"},  {"no", "no"},
        {"no", "no"},   {"no", "no"}};
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    char unit[16];
    int i;
    (void)state;
    for (i = 0; i < 10; i++) {
        snprintf(unit, sizeof unit, "u%d", i);
        add(t, unit, "ana", cells[i][0]);
        add(t, unit, "ben", cells[i][1]);
    }
    a = compute(t);
    /* Two coders: overall, then "no" and "yes"; one pair each. */
    assert_int_equal(quarry_agreement_size(a), 3);
    f = figure(a, NULL, "ana,ben");
    assert_int_equal(f->units, 10);
    assert_int_equal(f->excluded, 0);
    test_near(f->percent, 70.0, 1e-12);
    test_near(f->kappa, 0.4, 1e-12);
    test_near(f->alpha, 84.0 / 198.0, 1e-12);
    /* Binary per code: with two categories, "yes" and "no" are the same
     * split, so the same figures. */
    f = figure(a, "yes", "ana,ben");
    test_near(f->kappa, 0.4, 1e-12);
    test_near(f->alpha, 84.0 / 198.0, 1e-12);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/*
 * The prevalence paradox, Gwet's AC1 and PABAK by hand. Two coders, 125
 * units, a rare category ("calm"):
 *
 *                 ben pain   ben calm
 *   ana pain        118          5       123
 *   ana calm          2          0         2
 *                   120          5       125
 *
 *   p_o   = 118/125 = 0.944
 *   kappa: p_e = (123 x 120 + 2 x 5) / 125^2 = 14770/15625 = 0.94528,
 *          kappa = (0.944 - 0.94528) / (1 - 0.94528) = -0.0233918
 *   AC1:   pi_pain = (123 + 120) / 250 = 0.972, pi_calm = 0.028,
 *          p_e = (0.972 x 0.028 + 0.028 x 0.972) / (2 - 1) = 0.054432,
 *          AC1 = (0.944 - 0.054432) / (1 - 0.054432) = 0.9407763
 *   PABAK = 2 x 0.944 - 1 = 0.888
 * (the table of Gwet 2008's "kappa paradox" discussion, after Feinstein
 * and Cicchetti 1990: kappa near 0 for 94% agreement, AC1 near it).
 */
static void gwet_ac1_and_pabak_by_hand(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    char unit[16];
    int i;
    (void)state;
    for (i = 0; i < 125; i++) {
        snprintf(unit, sizeof unit, "u%d", i);
        add(t, unit, "ana", i < 123 ? "pain" : "calm");
        add(t, unit, "ben", i < 118 || (i >= 123) ? "pain" : "calm");
    }
    a = compute(t);
    f = figure(a, NULL, "ana,ben");
    assert_int_equal(f->units, 125);
    test_near(f->percent, 94.4, 1e-9);
    test_near(f->kappa, -0.00128 / 0.05472, 1e-9);
    test_near(f->ac1, 0.889568 / 0.945568, 1e-9);
    test_near(f->pabak, 0.888, 1e-9);
    /* The binary scope of the rare code: the same split, the same
     * figures. */
    f = figure(a, "calm", "ana,ben");
    test_near(f->ac1, 0.889568 / 0.945568, 1e-9);
    test_near(f->pabak, 0.888, 1e-9);
    /* No bootstrap asked: no interval. */
    assert_nan(f->ac1_ci[0]);
    assert_nan(f->kappa_ci[1]);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/* Bootstrap intervals: seeded (the same seed, the same interval), around
 * the figure, and unaffected for a figure with no spread. */
static void bootstrap_intervals(void **state)
{
    quarry_agree_table *t = table();
    quarry_agree_options o = QUARRY_AGREE_OPTIONS_INIT;
    quarry_agreement *a = NULL, *b = NULL;
    const quarry_agree_figure *f, *g;
    char unit[16];
    int i;
    (void)state;
    for (i = 0; i < 60; i++) {
        snprintf(unit, sizeof unit, "u%d", i);
        add(t, unit, "ana", i % 3 == 0 ? "x" : "y");
        add(t, unit, "ben", i % 3 == 0 || i % 7 == 0 ? "x" : "y");
    }
    o.bootstrap = 500;
    o.seed = 7;
    assert_int_equal(quarry_agreement_compute(&a, t, &o), QUARRY_OK);
    assert_int_equal(quarry_agreement_compute(&b, t, &o), QUARRY_OK);
    f = figure(a, NULL, "ana,ben");
    g = figure(b, NULL, "ana,ben");
    assert_true(f->kappa_ci[0] == g->kappa_ci[0]);
    assert_true(f->ac1_ci[1] == g->ac1_ci[1]);
    assert_true(f->kappa_ci[0] < f->kappa && f->kappa < f->kappa_ci[1]);
    assert_true(f->alpha_ci[0] < f->alpha && f->alpha < f->alpha_ci[1]);
    assert_true(f->ac1_ci[0] < f->ac1 && f->ac1 < f->ac1_ci[1]);
    assert_true(f->pabak_ci[0] < f->pabak && f->pabak < f->pabak_ci[1]);
    assert_true(f->pabak_ci[1] <= 1.0);
    quarry_agreement_free(b);
    /* Another seed, other resamples. */
    o.seed = 8;
    assert_int_equal(quarry_agreement_compute(&b, t, &o), QUARRY_OK);
    g = figure(b, NULL, "ana,ben");
    assert_true(f->kappa_ci[0] != g->kappa_ci[0] ||
                f->kappa_ci[1] != g->kappa_ci[1]);
    quarry_agreement_free(a);
    quarry_agreement_free(b);
    o.bootstrap = -1;
    assert_int_equal(quarry_agreement_compute(&a, t, &o), QUARRY_EINVAL);
    quarry_agree_table_free(t);
}

typedef struct seen {
    char text[512];
} seen;

static int note_disagreement(void *ctx, const quarry_agree_disagreement *d)
{
    seen *s = ctx;
    int32_t i;
    size_t n = strlen(s->text);
    n += (size_t)snprintf(s->text + n, sizeof s->text - n, "%s:", d->unit);
    for (i = 0; i < d->n_coders; i++)
        n += (size_t)snprintf(s->text + n, sizeof s->text - n, " %s=%s",
                              d->coders[i],
                              d->codes[i] ? d->codes[i] : "(none)");
    snprintf(s->text + n, sizeof s->text - n, "\n");
    return 0;
}

static void disagreements_listed(void **state)
{
    quarry_agree_table *t = table();
    quarry_agree_options o = QUARRY_AGREE_OPTIONS_INIT;
    const char *two[] = {"ana", "cy"};
    seen s;
    (void)state;
    add(t, "u1", "ana", "x");
    add(t, "u1", "ben", "x"); /* the same: not listed */
    add(t, "u2", "ben", "y");
    add(t, "u2", "ana", "x");
    add(t, "u2", "ana", "y"); /* {x, y} against {y} */
    add(t, "u3", "ana", "x"); /* one coder only: not listed */
    add(t, "u4", "cy", "z");
    add(t, "u4", "ben", NULL); /* coded with no code */
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_agree_disagreements(t, NULL, note_disagreement,
                                                &s),
                     QUARRY_OK);
    assert_string_equal(s.text,
                        "u2: ana=x; y ben=y cy=(none)\n"
                        "u4: ana=(none) ben= cy=z\n");
    /* Only ana and cy: they never coded the same unit. */
    memset(&s, 0, sizeof s);
    o.coders = two;
    o.n_coders = 2;
    assert_int_equal(quarry_agree_disagreements(t, &o, note_disagreement,
                                                &s),
                     QUARRY_OK);
    assert_string_equal(s.text, "");
    quarry_agree_table_free(t);
}

/*
 * Krippendorff's reliability-data example with missing values (4
 * observers, 12 units, values 1-5; "." = missing), from "Computing
 * Krippendorff's alpha-reliability" (2011):
 *
 *   unit  1 2 3 4 5 6 7 8 9 10 11 12
 *   A     1 2 3 3 2 1 4 1 2 .  .  .
 *   B     1 2 3 3 2 2 4 1 2 5  .  3
 *   C     . 3 3 3 2 3 4 2 2 5  1  .
 *   D     1 2 3 3 2 4 4 1 2 5  1  .
 *
 * Unit 12 has one value: not pairable. The 11 others hold n = 40 values.
 * Value totals n_c: 1: 9, 2: 13, 3: 10, 4: 5, 5: 3.
 * Matching pairs per unit, m_u(c)(m_u(c)-1)/(m_u-1) summed over c:
 *   u1 3x2/2=3, u2 3x2/3=2, u3 4, u4 4, u5 4, u6 0, u7 4, u8 3x2/3=2,
 *   u9 4, u10 3x2/2=3, u11 2x1/1=2; sum_c o_cc = 32.
 * sum n_c(n_c-1) = 72 + 156 + 90 + 20 + 6 = 344.
 * alpha = ((n-1) sum o_cc - sum n_c(n_c-1)) / (n(n-1) - sum n_c(n_c-1))
 *       = (39 x 32 - 344) / (40 x 39 - 344) = 904 / 1216 = 0.743,
 * the value the paper gives. Percent (agreeing pairs of values) = 32/40.
 * Pair A-B: units 1-9, agreeing on 8; A's totals 1:3 2:3 3:2 4:1, B's
 * 1:2 2:4 3:2 4:1, sum n_k m_k = 6 + 12 + 4 + 1 = 23;
 * kappa = (9 x 8 - 23)/(81 - 23) = 49/58.
 */
static void krippendorff_example(void **state)
{
    static const char *data[4][12] = {
        {"1", "2", "3", "3", "2", "1", "4", "1", "2", NULL, NULL, NULL},
        {"1", "2", "3", "3", "2", "2", "4", "1", "2", "5", NULL, "3"},
        {NULL, "3", "3", "3", "2", "3", "4", "2", "2", "5", "1", NULL},
        {"1", "2", "3", "3", "2", "4", "4", "1", "2", "5", "1", NULL}};
    static const char *coders[4] = {"A", "B", "C", "D"};
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    char unit[16];
    int i, j;
    (void)state;
    for (j = 0; j < 12; j++)
        for (i = 0; i < 4; i++)
            if (data[i][j] != NULL) {
                snprintf(unit, sizeof unit, "unit%d", j + 1);
                add(t, unit, coders[i], data[i][j]);
            }
    a = compute(t);
    assert_int_equal(quarry_agreement_n_coders(a), 4);
    assert_int_equal(quarry_agreement_n_units(a), 12);
    /* Per scope: 6 pairs and the all-coders figure; 5 codes + overall. */
    assert_int_equal(quarry_agreement_size(a), 7 * 6);
    f = figure(a, NULL, "*");
    assert_int_equal(f->n_coders, 4);
    assert_int_equal(f->units, 11);
    test_near(f->alpha, 904.0 / 1216.0, 1e-12);
    test_near(f->percent, 80.0, 1e-12);
    assert_nan(f->kappa);
    f = figure(a, NULL, "A,B");
    assert_int_equal(f->units, 9);
    test_near(f->percent, 800.0 / 9.0, 1e-12);
    test_near(f->kappa, 49.0 / 58.0, 1e-12);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

static void perfect_agreement(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    size_t i;
    (void)state;
    add(t, "u1", "ana", "x");
    add(t, "u1", "ben", "x");
    add(t, "u2", "ana", "y");
    add(t, "u2", "ben", "y");
    add(t, "u3", "ana", "z");
    add(t, "u3", "ben", "z");
    a = compute(t);
    for (i = 0; i < quarry_agreement_size(a); i++) {
        f = quarry_agreement_at(a, i);
        assert_int_equal(f->units, 3);
        test_near(f->percent, 100.0, 1e-12);
        test_near(f->kappa, 1.0, 1e-12);
        test_near(f->alpha, 1.0, 1e-12);
    }
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/* Never the same code: (x, y) and (y, x). p_o = 0, p_e = 1/2, kappa = -1.
 * alpha: n = 4, sum o_cc = 0, n_x = n_y = 2, sum n_c(n_c-1) = 4;
 * alpha = (0 - 4)/(12 - 4) = -1/2. */
static void total_disagreement(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    (void)state;
    add(t, "u1", "ana", "x");
    add(t, "u1", "ben", "y");
    add(t, "u2", "ana", "y");
    add(t, "u2", "ben", "x");
    a = compute(t);
    f = figure(a, NULL, "ana,ben");
    test_near(f->percent, 0.0, 1e-12);
    test_near(f->kappa, -1.0, 1e-12);
    test_near(f->alpha, -0.5, 1e-12);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/* One code throughout: agreement is perfect, but kappa and alpha are 0/0:
 * undefined, NaN, not a crash. */
static void no_variation_is_nan(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    (void)state;
    add(t, "u1", "ana", "x");
    add(t, "u1", "ben", "x");
    add(t, "u2", "ana", "x");
    add(t, "u2", "ben", "x");
    a = compute(t);
    f = figure(a, NULL, "ana,ben");
    test_near(f->percent, 100.0, 1e-12);
    assert_nan(f->kappa);
    assert_nan(f->alpha);
    f = figure(a, "x", "ana,ben");
    assert_nan(f->kappa);
    assert_nan(f->alpha);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/* No unit coded by both: nothing is pairable. */
static void nothing_pairable_is_nan(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    (void)state;
    add(t, "u1", "ana", "x");
    add(t, "u2", "ben", "y");
    a = compute(t);
    f = figure(a, NULL, "ana,ben");
    assert_int_equal(f->units, 0);
    assert_nan(f->percent);
    assert_nan(f->kappa);
    assert_nan(f->alpha);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/* ana gives u1 {a, b}, u2 {b}, u3 {a}; ben u1 {a}, u2 {b}, u3 {a, b}.
 * Code a: ana 1 0 1, ben 1 0 1: perfect. Code b: ana 1 1 0, ben 0 1 1:
 * p_o = 1/3, sum n_k m_k = 1x1 + 2x2 = 5 (0s: 1 and 1; 1s: 2 and 2),
 * kappa = (3x1 - 5)/(9 - 5) = -1/2. Overall only u2 has one code from
 * both: 1 unit, 2 left out. */
static void multi_label_units(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    const quarry_agree_figure *f;
    (void)state;
    add(t, "u1", "ana", "a");
    add(t, "u1", "ana", "b");
    add(t, "u2", "ana", "b");
    add(t, "u3", "ana", "a");
    add(t, "u1", "ben", "a");
    add(t, "u2", "ben", "b");
    add(t, "u3", "ben", "b");
    add(t, "u3", "ben", "a");
    a = compute(t);
    f = figure(a, "a", "ana,ben");
    assert_int_equal(f->units, 3);
    test_near(f->kappa, 1.0, 1e-12);
    f = figure(a, "b", "ana,ben");
    test_near(f->percent, 100.0 / 3.0, 1e-12);
    test_near(f->kappa, -0.5, 1e-12);
    f = figure(a, NULL, "ana,ben");
    assert_int_equal(f->units, 1);
    assert_int_equal(f->excluded, 2);
    assert_nan(f->kappa);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
}

/* Coders and codes sorted by name; the figures do not depend on the order
 * of the triples; a repeated triple counts once; code NULL is "coded, no
 * code" (0 in every code's scope, missing overall). */
static void order_and_duplicates(void **state)
{
    static const char *rows[][3] = {
        {"u1", "zoe", "beta"},  {"u1", "ana", "alpha"}, {"u2", "zoe", "beta"},
        {"u2", "ana", "beta"},  {"u3", "mia", "alpha"}, {"u3", "zoe", "alpha"},
        {"u3", "ana", "alpha"}, {"u1", "mia", "beta"},  {"u4", "ana", NULL},
        {"u4", "zoe", "alpha"}, {"u2", "mia", "beta"}};
    size_t n = sizeof rows / sizeof rows[0], i, k;
    quarry_agree_table *t1 = table(), *t2 = table();
    quarry_agreement *a1, *a2;
    (void)state;
    for (i = 0; i < n; i++)
        add(t1, rows[i][0], rows[i][1], rows[i][2]);
    for (i = n; i-- > 0;) {
        add(t2, rows[i][0], rows[i][1], rows[i][2]);
        add(t2, rows[i][0], rows[i][1], rows[i][2]);
    }
    assert_string_equal(quarry_agree_table_coder(t1, 0), "ana");
    assert_string_equal(quarry_agree_table_coder(t1, 2), "zoe");
    assert_string_equal(quarry_agree_table_code(t1, 0), "alpha");
    assert_int_equal(quarry_agree_table_find_coder(t1, "mia"), 1);
    assert_int_equal(quarry_agree_table_find_coder(t1, "bob"), -1);
    assert_null(quarry_agree_table_coder(t1, 3));
    a1 = compute(t1);
    a2 = compute(t2);
    assert_int_equal(quarry_agreement_size(a1), 3 * 4);
    assert_int_equal(quarry_agreement_size(a1), quarry_agreement_size(a2));
    for (k = 0; k < quarry_agreement_size(a1); k++) {
        const quarry_agree_figure *f = quarry_agreement_at(a1, k),
                                  *g = quarry_agreement_at(a2, k);
        assert_true((f->scope == NULL) == (g->scope == NULL));
        if (f->scope)
            assert_string_equal(f->scope, g->scope);
        assert_string_equal(f->coders[0], g->coders[0]);
        assert_int_equal(f->units, g->units);
        assert_memory_equal(&f->kappa, &g->kappa, sizeof f->kappa);
        assert_memory_equal(&f->alpha, &g->alpha, sizeof f->alpha);
        assert_memory_equal(&f->percent, &g->percent, sizeof f->percent);
    }
    /* overall, ana-mia, ana-zoe, mia-zoe, all; then alpha, beta */
    assert_null(quarry_agreement_at(a1, 0)->scope);
    assert_string_equal(quarry_agreement_at(a1, 0)->coders[0], "ana");
    assert_string_equal(quarry_agreement_at(a1, 0)->coders[1], "mia");
    assert_string_equal(quarry_agreement_at(a1, 2)->coders[1], "zoe");
    assert_int_equal(quarry_agreement_at(a1, 3)->n_coders, 3);
    assert_string_equal(quarry_agreement_at(a1, 4)->scope, "alpha");
    assert_string_equal(quarry_agreement_at(a1, 8)->scope, "beta");
    assert_null(quarry_agreement_at(a1, 12));
    /* u4: ana coded it with no code: 0 for alpha (zoe 1), missing
     * overall (left out). ana-zoe in alpha: u1 1/0, u2 0/0, u3 1/1, u4
     * 0/1: 4 units. */
    assert_int_equal(figure(a1, "alpha", "ana,zoe")->units, 4);
    assert_int_equal(figure(a1, NULL, "ana,zoe")->units, 3);
    assert_int_equal(figure(a1, NULL, "ana,zoe")->excluded, 1);
    quarry_agreement_free(a1);
    quarry_agreement_free(a2);
    quarry_agree_table_free(t1);
    quarry_agree_table_free(t2);
}

static void choosing_coders(void **state)
{
    quarry_agree_table *t = table();
    quarry_agreement *a = NULL;
    quarry_agree_options o = QUARRY_AGREE_OPTIONS_INIT;
    const char *two[] = {"zoe", "ana", "zoe"};
    const char *unknown[] = {"ana", "bob"};
    const char *one[] = {"ana", "ana"};
    (void)state;
    add(t, "u1", "ana", "x");
    add(t, "u1", "zoe", "x");
    add(t, "u1", "mia", "only-mia");
    o.coders = unknown;
    o.n_coders = 2;
    assert_int_equal(quarry_agreement_compute(&a, t, &o), QUARRY_ENOTFOUND);
    assert_null(a);
    assert_non_null(strstr(quarry_agree_table_errmsg(t), "\"bob\""));
    o.coders = one;
    assert_int_equal(quarry_agreement_compute(&a, t, &o), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_agree_table_errmsg(t), "two coders"));
    o.coders = two;
    o.n_coders = 3;
    assert_int_equal(quarry_agreement_compute(&a, t, &o), QUARRY_OK);
    assert_int_equal(quarry_agreement_n_coders(a), 2);
    assert_string_equal(quarry_agreement_coder(a, 0), "ana");
    /* Only codes the chosen coders used are scopes: overall and x. */
    assert_int_equal(quarry_agreement_size(a), 2);
    assert_string_equal(quarry_agreement_at(a, 1)->scope, "x");
    quarry_agreement_free(a);
    quarry_agree_table_free(t);

    t = table();
    add(t, "u1", "ana", "x");
    assert_int_equal(quarry_agreement_compute(&a, t, NULL), QUARRY_EINVAL);
    quarry_agree_table_free(t);
}

static void bad_triples(void **state)
{
    quarry_agree_table *t = table();
    (void)state;
    assert_int_equal(quarry_agree_table_add(t, "", "ana", "x"), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_agree_table_errmsg(t), "empty unit"));
    assert_int_equal(quarry_agree_table_add(t, "u1", NULL, "x"), QUARRY_EINVAL);
    assert_int_equal(quarry_agree_table_add(t, "u1", "ana", ""), QUARRY_EINVAL);
    assert_int_equal(quarry_agree_table_add(t, "u1", "ana", "a\xff"),
                     QUARRY_EUTF8);
    assert_non_null(strstr(quarry_agree_table_errmsg(t), "byte 2"));
    assert_int_equal(quarry_agree_table_n_units(t), 0);
    assert_int_equal(quarry_agree_table_n_coders(t), 0);
    quarry_agree_table_free(t);
    quarry_agree_table_free(NULL);
    quarry_agreement_free(NULL);
}

/* ------------------------------------------------------------------ */
/* Readers */

static quarry_agreement *read_and_compute(const char *const *paths, int n,
                                          const char *suggestions)
{
    quarry_agree_table *t = table();
    quarry_agreement *a;
    int i;
    for (i = 0; i < n; i++)
        if (quarry_agree_table_read_file(t, paths[i], NULL) != 0)
            fail_msg("%s", quarry_agree_table_errmsg(t));
    if (suggestions != NULL &&
        quarry_agree_table_read_suggestions(t, suggestions, NULL) != 0)
        fail_msg("%s", quarry_agree_table_errmsg(t));
    a = compute(t);
    quarry_agree_table_free(t);
    return a;
}

/* The same codings as JSONL with coders, CSV, and one file per coder
 * give the same figures. Overall, by hand: units u1 u2 u3 u5 u8 (u4 has
 * two codes from ana; u6, u7 one coder), agreeing on u1 u3 u5: 60%;
 * ana support 1 stigma 2 burnout 2, ben 2 2 1: sum n_k m_k = 8,
 * kappa = (5x3 - 8)/(25 - 8) = 7/17. */
static void readers_agree(void **state)
{
    static const char *jsonl[] = {DATA "two-coders.jsonl"};
    static const char *csv[] = {DATA "two-coders.csv"};
    static const char *per[] = {DATA "ana.jsonl", DATA "ben.jsonl"};
    quarry_agreement *a = read_and_compute(jsonl, 1, NULL),
                     *b = read_and_compute(csv, 1, NULL),
                     *c = read_and_compute(per, 2, NULL);
    size_t i;
    (void)state;
    test_near(figure(a, NULL, "ana,ben")->kappa, 7.0 / 17.0, 1e-12);
    test_near(figure(a, NULL, "ana,ben")->percent, 60.0, 1e-12);
    assert_int_equal(figure(a, NULL, "ana,ben")->excluded, 1);
    /* u6 only ana coded, u7 only ben: in no figure, and said so */
    assert_int_equal(figure(a, NULL, "ana,ben")->only[0], 1);
    assert_int_equal(figure(a, NULL, "ana,ben")->only[1], 1);
    assert_int_equal(figure(a, "support", "ana,ben")->only[0], 0);
    assert_int_equal(quarry_agreement_size(a), 4);
    assert_int_equal(quarry_agreement_size(b), 4);
    assert_int_equal(quarry_agreement_size(c), 4);
    for (i = 0; i < 4; i++) {
        const quarry_agree_figure *x = quarry_agreement_at(a, i),
                                  *y = quarry_agreement_at(b, i),
                                  *z = quarry_agreement_at(c, i);
        assert_int_equal(x->units, y->units);
        assert_int_equal(x->units, z->units);
        assert_memory_equal(&x->kappa, &y->kappa, sizeof x->kappa);
        assert_memory_equal(&x->kappa, &z->kappa, sizeof x->kappa);
        assert_memory_equal(&x->alpha, &z->alpha, sizeof x->alpha);
    }
    quarry_agreement_free(a);
    quarry_agreement_free(b);
    quarry_agreement_free(c);
}

/* The top suggestion of each line that does not abstain is the coder
 * "quarry": u3 abstains, so quarry coded u1 u2 u4 u5 u6 u8. With ana:
 * u1 support/support, u2 stigma/stigma, u5 burnout/burnout, u6
 * support/support, u8 burnout/stigma (u4: ana gave two codes): 4 of 5. */
static void suggestions_as_a_coder(void **state)
{
    static const char *per[] = {DATA "ana.jsonl", DATA "ben.jsonl"};
    quarry_agreement *a = read_and_compute(per, 2, DATA "suggest.jsonl");
    quarry_agree_table *t = table();
    const quarry_agree_figure *f;
    (void)state;
    assert_int_equal(quarry_agreement_n_coders(a), 3);
    assert_string_equal(quarry_agreement_coder(a, 2), "quarry");
    f = figure(a, NULL, "ana,quarry");
    assert_int_equal(f->units, 5);
    assert_int_equal(f->excluded, 1);
    test_near(f->percent, 80.0, 1e-12);
    quarry_agreement_free(a);
    /* A coder called quarry already: refused. */
    add(t, "u1", "quarry", "x");
    assert_int_equal(
        quarry_agree_table_read_suggestions(t, DATA "suggest.jsonl", NULL),
        QUARRY_EDUP);
    quarry_agree_table_free(t);
}

/* A file that must be refused with a message holding want1 and want2. */
static void expect_refused_file(const char *name, const char *want1,
                                const char *want2)
{
    quarry_agree_table *t = table();
    char path[512];
    const char *msg;
    int rc;
    snprintf(path, sizeof path, "%s%s", DATA, name);
    rc = quarry_agree_table_read_file(t, path, NULL);
    msg = quarry_agree_table_errmsg(t);
    assert_int_not_equal(rc, 0);
    if (strstr(msg, want1) == NULL || (want2 && strstr(msg, want2) == NULL))
        fail_msg("%s: message \"%s\" lacks \"%s\" / \"%s\"", name, msg, want1,
                 want2 ? want2 : "");
    quarry_agree_table_free(t);
}

static void readers_refuse(void **state)
{
    quarry_agree_table *t = table();
    quarry_agree_read_options ro = QUARRY_AGREE_READ_OPTIONS_INIT;
    (void)state;
    expect_refused_file("bad-json.jsonl",
                        "bad-json.jsonl:2: ", "malformed JSON");
    expect_refused_file("empty-code.jsonl",
                        "empty-code.jsonl:2: ", "field \"code\": empty code");
    expect_refused_file("empty-code.csv",
                        "empty-code.csv:3: ", "field \"code\": empty code");
    expect_refused_file("no-such-file.jsonl", "no-such-file.jsonl",
                        "cannot open");
    /* The file name stands for the coder, so no-coder.jsonl reads; under
     * a name with no base name (stdin) it would not. */
    assert_int_equal(
        quarry_agree_table_read_file(t, DATA "no-coder.jsonl", &ro), 0);
    assert_int_equal(quarry_agree_table_find_coder(t, "no-coder"), 1);
    ro.version = 99;
    assert_int_equal(
        quarry_agree_table_read_file(t, DATA "no-coder.jsonl", &ro),
        QUARRY_EINVAL);
    quarry_agree_table_free(t);
}

/* ------------------------------------------------------------------ */
/* scikit-learn's cohen_kappa_score on random pairs (the fixture written
 * by tests/agree/check_sklearn.py --write-fixture). */

static json_t *load_lines(const char *path, size_t *n)
{
    json_error_t err;
    FILE *f = fopen(path, "r");
    json_t *all = json_array();
    char line[1 << 16];
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        json_t *v = json_loads(line, 0, &err);
        if (v == NULL)
            fail_msg("%s: %s", path, err.text);
        json_array_append_new(all, v);
    }
    fclose(f);
    *n = json_array_size(all);
    return all;
}

static void sklearn_fixture(void **state)
{
    size_t n_pairs, n_kappas, i, checked = 0;
    json_t *pairs = load_lines(DATA "sklearn-pairs.jsonl", &n_pairs);
    json_t *kappas = load_lines(DATA "sklearn-kappa.jsonl", &n_kappas);
    quarry_agreement **res = calloc(n_pairs, sizeof *res);
    (void)state;
    assert_int_equal(n_pairs, 40);
    assert_non_null(res);
    for (i = 0; i < n_pairs; i++) {
        json_t *p = json_array_get(pairs, i);
        json_t *ja = json_object_get(p, "a"), *jb = json_object_get(p, "b");
        quarry_agree_table *t = table();
        size_t u;
        assert_int_equal(json_integer_value(json_object_get(p, "trial")),
                         (json_int_t)i);
        for (u = 0; u < json_array_size(ja); u++) {
            char unit[32];
            json_t *x = json_array_get(ja, u), *y = json_array_get(jb, u);
            snprintf(unit, sizeof unit, "u%zu", u);
            if (json_is_string(x))
                add(t, unit, "a", json_string_value(x));
            if (json_is_string(y))
                add(t, unit, "b", json_string_value(y));
        }
        res[i] = compute(t);
        quarry_agree_table_free(t);
    }
    for (i = 0; i < n_kappas; i++) {
        json_t *k = json_array_get(kappas, i);
        size_t trial = (size_t)json_integer_value(json_object_get(k, "trial"));
        const char *scope = json_string_value(json_object_get(k, "scope"));
        json_t *want = json_object_get(k, "kappa");
        const quarry_agree_figure *f;
        assert_true(trial < n_pairs);
        f = figure(res[trial], strcmp(scope, "overall") == 0 ? NULL : scope,
                   "a,b");
        assert_int_equal(f->units,
                         json_integer_value(json_object_get(k, "units")));
        if (json_is_null(want))
            assert_nan(f->kappa);
        else if (fabs(f->kappa - json_number_value(want)) >= 1e-9)
            fail_msg("trial %zu, %s: kappa %.17g, scikit-learn %.17g", trial,
                     scope, f->kappa, json_number_value(want));
        checked++;
    }
    assert_true(checked >= 200);
    for (i = 0; i < n_pairs; i++)
        quarry_agreement_free(res[i]);
    free(res);
    json_decref(pairs);
    json_decref(kappas);
}

#ifdef QUARRY_TEST_WRAP_MALLOC
/* One run of the whole path: triples in, figures out, and a file read.
 * Returns 0 or the first failing status. */
static int fault_run(void)
{
    static const char *rows[][3] = {
        {"u1", "ana", "x"}, {"u1", "ben", "x"}, {"u1", "cy", "y"},
        {"u2", "ana", "y"}, {"u2", "ben", "x"}, {"u2", "ben", "z"},
        {"u3", "cy", "z"},  {"u3", "ana", NULL}};
    quarry_agree_table *t = NULL;
    quarry_agreement *a = NULL;
    size_t i;
    int rc = quarry_agree_table_new(&t);
    for (i = 0; rc == 0 && i < sizeof rows / sizeof rows[0]; i++)
        rc = quarry_agree_table_add(t, rows[i][0], rows[i][1], rows[i][2]);
    if (rc == 0)
        rc = quarry_agree_table_read_file(t, DATA "two-coders.csv", NULL);
    if (rc == 0)
        rc = quarry_agree_table_read_suggestions(t, DATA "suggest.jsonl",
                                                 NULL);
    if (rc == 0)
        rc = quarry_agreement_compute(&a, t, NULL);
    if (rc == 0 && quarry_agreement_size(a) != 7 * 7)
        fail_msg("%zu figures", quarry_agreement_size(a));
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
    return rc;
}

/* Fail each allocation in turn: every failure is QUARRY_ENOMEM (or a read
 * error the failure caused), never a crash or a leak (LeakSanitizer in the
 * sanitizer build). */
static void allocation_failures(void **state)
{
    long n;
    int rc;
    (void)state;
    for (n = 0;; n++) {
        failed = 0;
        fail_at = n;
        rc = fault_run();
        fail_at = -1;
        if (!failed) {
            assert_int_equal(rc, 0);
            break;
        }
        if (rc != QUARRY_ENOMEM)
            fail_msg("allocation %ld failed: status %d, not QUARRY_ENOMEM", n,
                     rc);
    }
    assert_true(n > 20);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kappa_2x2_by_hand),
        cmocka_unit_test(gwet_ac1_and_pabak_by_hand),
        cmocka_unit_test(bootstrap_intervals),
        cmocka_unit_test(disagreements_listed),
        cmocka_unit_test(krippendorff_example),
        cmocka_unit_test(perfect_agreement),
        cmocka_unit_test(total_disagreement),
        cmocka_unit_test(no_variation_is_nan),
        cmocka_unit_test(nothing_pairable_is_nan),
        cmocka_unit_test(multi_label_units),
        cmocka_unit_test(order_and_duplicates),
        cmocka_unit_test(choosing_coders),
        cmocka_unit_test(bad_triples),
        cmocka_unit_test(readers_agree),
        cmocka_unit_test(suggestions_as_a_coder),
        cmocka_unit_test(readers_refuse),
        cmocka_unit_test(sklearn_fixture),
#ifdef QUARRY_TEST_WRAP_MALLOC
        cmocka_unit_test(allocation_failures),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
