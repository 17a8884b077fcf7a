/*
 * test_weighting_tfidf.c -- the two weightings of weighting_tfidf.so on a
 * 3-excerpt, 3-term count matrix, every tf/idf choice and BM25 worked by
 * hand, plus the df = 0 rule and the refusals. Each check runs with the
 * plugins registered statically and dlopen'ed (bm25 is found by the loader
 * scanning weighting_*.so: no file is named after it).
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_weighting_tfidf(void);

#define ENTRY quarry_plugin_weighting_tfidf
#define KIND QUARRY_KIND_WEIGHTING

/*
 * The counts (rows excerpts, columns terms a b c):
 *
 *        a  b  c      doc_len
 *   d0   2  1  .      3
 *   d1   1  .  3      4
 *   d2   .  1  .      1          N = 3, df = (2, 2, 1), avgdl = 8/3
 *
 * idf per choice, for df 2 (a, b) and df 1 (c):
 *   smooth   ln(4/3)+1 = 1.287682072     ln(4/2)+1 = 1.693147181
 *   plain    ln(3/2)+1 = 1.405465108     ln(3/1)+1 = 2.098612289
 *   standard ln(3/2)   = 0.405465108     ln(3)     = 1.098612289
 *   none     1                           1
 * tf: raw = count; log = 1 + ln(count): 2 -> 1.693147181, 3 ->
 * 2.098612289, 1 -> 1; boolean = 1.
 */
static const int64_t ROW_PTR[] = {0, 2, 4, 5};
static const int32_t COL_IDX[] = {0, 1, 0, 2, 1};
static const float COUNTS[] = {2, 1, 1, 3, 1};
static const int64_t DF[] = {2, 2, 1};
static const int64_t CF[] = {3, 2, 3};
static const float DOC_LEN[] = {3, 4, 1};

typedef struct matrix {
    int64_t row_ptr[4];
    int32_t col_idx[5];
    float values[5];
    quarry_csr m;
    quarry_corpus_stats stats;
} matrix;

static void matrix_init(matrix *x)
{
    memcpy(x->row_ptr, ROW_PTR, sizeof ROW_PTR);
    memcpy(x->col_idx, COL_IDX, sizeof COL_IDX);
    memcpy(x->values, COUNTS, sizeof COUNTS);
    x->m = (quarry_csr){3, 3, x->row_ptr, x->col_idx, x->values};
    x->stats = (quarry_corpus_stats){sizeof(quarry_corpus_stats), 3, 3, DF, CF,
                                     8.0 / 3.0, DOC_LEN};
}

/* Make an instance of `name` with the options given (the last setting of a
 * key wins), weigh a fresh copy of the matrix, free the instance. */
static void weigh(pt *t, const char *name, const char *const *options,
                  matrix *x)
{
    const quarry_plugin *p = NULL;
    quarry_instance *inst = NULL;
    char err[QUARRY_ERR_MAX] = "";
    assert_int_equal(quarry_engine_find(t->e, KIND, name, &p), QUARRY_OK);
    for (size_t i = 0; options != NULL && options[i] != NULL; i++)
        assert_int_equal(quarry_engine_set_option(t->e, options[i]),
                         QUARRY_OK);
    int rc = quarry_instance_new(&inst, t->e, p);
    if (rc != QUARRY_OK)
        print_error("%s\n", quarry_engine_errmsg(t->e));
    assert_int_equal(rc, QUARRY_OK);
    matrix_init(x);
    rc = p->weigh(quarry_instance_self(inst), &x->m, &x->stats, err);
    quarry_instance_free(inst);
    if (rc != QUARRY_OK)
        print_error("weigh: %s\n", err);
    assert_int_equal(rc, QUARRY_OK);
}

static void expect_values_of(const matrix *x, const double want[5],
                             const char *label)
{
    for (int i = 0; i < 5; i++) {
        double tol = 2e-6 * (1.0 + fabs(want[i]));
        if (!(fabs(x->values[i] - want[i]) <= tol))
            print_error("%s: value %d\n", label, i);
        assert_close(x->values[i], want[i], tol);
    }
}
#define expect_values(x, want) expect_values_of(x, want, #want)

static void test_descriptors(void **state)
{
    pt *t = *state;
    const quarry_plugin *bm25 = NULL;
    pt_find(t, ENTRY, KIND, "tfidf");
    pt_check_descriptor(t->p);
    assert_non_null(t->p->weigh);
    assert_int_equal(quarry_engine_find(t->e, KIND, "bm25", &bm25), QUARRY_OK);
    pt_check_descriptor(bm25);
    assert_non_null(bm25->weigh);
    assert_string_equal(bm25->name, "bm25");
    assert_ptr_equal(ENTRY()[2], NULL); /* two descriptors, then NULL */
}

/* Every tf x idf choice, unnormalised, against the table above:
 * values in CSR order d0:a d0:b d1:a d1:c d2:b. */
static void test_tfidf_choices(void **state)
{
    pt *t = *state;
    static const struct {
        const char *tf, *idf;
        double want[5];
    } cases[] = {
        /* raw: count x idf, e.g. d1:c = 3 x 1.693147181 = 5.079441542 */
        {"raw", "smooth", {2.575364144, 1.287682072, 1.287682072, 5.079441542,
                           1.287682072}},
        {"raw", "plain", {2.810930216, 1.405465108, 1.405465108, 6.295836866,
                          1.405465108}},
        {"raw", "standard", {0.810930216, 0.405465108, 0.405465108,
                             3.295836866, 0.405465108}},
        {"raw", "none", {2, 1, 1, 3, 1}},
        /* log: d0:a = 1.693147181 x 1.287682072 = 2.180234843 */
        {"log", "smooth", {2.180234843, 1.287682072, 1.287682072, 3.553258878,
                           1.287682072}},
        {"log", "plain", {2.379659246, 1.405465108, 1.405465108, 4.404173946,
                          1.405465108}},
        {"log", "standard", {0.686512065, 0.405465108, 0.405465108,
                             2.305560994, 0.405465108}},
        {"log", "none", {1.693147181, 1, 1, 2.098612289, 1}},
        /* boolean: idf alone */
        {"boolean", "smooth", {1.287682072, 1.287682072, 1.287682072,
                               1.693147181, 1.287682072}},
        {"boolean", "plain", {1.405465108, 1.405465108, 1.405465108,
                              2.098612289, 1.405465108}},
        {"boolean", "standard", {0.405465108, 0.405465108, 0.405465108,
                                 1.098612289, 0.405465108}},
        {"boolean", "none", {1, 1, 1, 1, 1}},
    };
    char tf[64], idf[64], label[64];
    pt_find(t, ENTRY, KIND, "tfidf");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        matrix x;
        snprintf(tf, sizeof tf, "tfidf.tf=%s", cases[i].tf);
        snprintf(idf, sizeof idf, "tfidf.idf=%s", cases[i].idf);
        weigh(t, "tfidf", PT_OPTS(tf, idf, "tfidf.norm=none"), &x);
        snprintf(label, sizeof label, "tf=%s idf=%s", cases[i].tf,
                 cases[i].idf);
        expect_values_of(&x, cases[i].want, label);
    }
}

/* Defaults raw, smooth, l2 (scikit-learn's TfidfTransformer): d0 is
 * (2, 1) x 1.287682072, so normalised (2, 1)/sqrt(5) = (0.894427191,
 * 0.447213595); d1 = (1.287682072, 5.079441542) / 5.240118 =
 * (0.245735265, 0.969337023); d2 = (1). */
static void test_tfidf_defaults(void **state)
{
    pt *t = *state;
    static const double want[5] = {0.894427191, 0.447213595, 0.245735265,
                                   0.969337023, 1.0};
    matrix x;
    pt_find(t, ENTRY, KIND, "tfidf");
    weigh(t, "tfidf", NULL, &x);
    expect_values(&x, want);
}

/* df = 0 (a term the reference corpus never saw) is taken as df = 1, and
 * df > N as N: no inf, no NaN. With df = (0, 5, 1) and standard idf:
 * a: ln(3/1) = 1.098612289, b: ln(3/3) = 0, c: ln(3) = 1.098612289. */
static void test_df_clamped(void **state)
{
    pt *t = *state;
    static const int64_t odd_df[] = {0, 5, 1};
    static const double want[5] = {2.197224577, 0.0, 1.098612289,
                                   3.295836866, 0.0};
    const quarry_plugin *p = NULL;
    quarry_instance *inst = NULL;
    char err[QUARRY_ERR_MAX] = "";
    matrix x;
    pt_find(t, ENTRY, KIND, "tfidf");
    assert_int_equal(quarry_engine_find(t->e, KIND, "tfidf", &p), QUARRY_OK);
    assert_int_equal(quarry_engine_set_option(t->e, "tfidf.idf=standard"), 0);
    assert_int_equal(quarry_engine_set_option(t->e, "tfidf.norm=none"), 0);
    assert_int_equal(quarry_instance_new(&inst, t->e, p), QUARRY_OK);
    for (int scheme = 0; scheme < 2; scheme++) {
        matrix_init(&x);
        x.stats.df = odd_df;
        if (scheme == 1) { /* bm25 too: finite everywhere */
            quarry_instance_free(inst);
            inst = NULL;
            assert_int_equal(quarry_engine_find(t->e, KIND, "bm25", &p), 0);
            assert_int_equal(quarry_instance_new(&inst, t->e, p), QUARRY_OK);
        }
        assert_int_equal(
            p->weigh(quarry_instance_self(inst), &x.m, &x.stats, err),
            QUARRY_OK);
        for (int i = 0; i < 5; i++)
            assert_true(isfinite(x.values[i]));
        if (scheme == 0)
            expect_values(&x, want);
    }
    quarry_instance_free(inst);
}

/*
 * BM25, k1 = 1.2, b = 0.75, unnormalised.
 *   idf(df 2) = ln(1 + (3 - 2 + 0.5)/(2 + 0.5)) = ln(1.6) = 0.470003629
 *   idf(df 1) = ln(1 + 2.5/1.5) = ln(8/3) = 0.980829253
 *   K(d) = k1 (1 - b + b dl/avgdl): d0 dl 3: 1.2 (0.25 + 0.75 x 1.125) =
 *   1.3125; d1 dl 4: 1.65; d2 dl 1: 0.6375.
 *   w = idf x tf (k1 + 1) / (tf + K):
 *   d0:a = 0.470003629 x 2 x 2.2 / 3.3125 = 0.624306745
 *   d0:b = 0.470003629 x 2.2 / 2.3125     = 0.447138532
 *   d1:a = 0.470003629 x 2.2 / 2.65       = 0.390191692
 *   d1:c = 0.980829253 x 3 x 2.2 / 4.65   = 1.392144746
 *   d2:b = 0.470003629 x 2.2 / 1.6375     = 0.631455348
 */
static const double BM25_WANT[5] = {0.624306745, 0.447138532, 0.390191692,
                                    1.392144746, 0.631455348};

static void test_bm25(void **state)
{
    pt *t = *state;
    matrix x;
    pt_find(t, ENTRY, KIND, "tfidf");
    weigh(t, "bm25", PT_OPTS("bm25.norm=none"), &x);
    expect_values(&x, BM25_WANT);
}

/* A host without doc_len (an older, shorter stats struct): the length of
 * an excerpt is the sum of its counts, here the same (3, 4, 1). */
static void test_bm25_without_doc_len(void **state)
{
    pt *t = *state;
    const quarry_plugin *p = NULL;
    quarry_instance *inst = NULL;
    char err[QUARRY_ERR_MAX] = "";
    matrix x;
    pt_find(t, ENTRY, KIND, "bm25");
    assert_int_equal(quarry_engine_set_option(t->e, "bm25.norm=none"), 0);
    assert_int_equal(quarry_engine_find(t->e, KIND, "bm25", &p), QUARRY_OK);
    assert_int_equal(quarry_instance_new(&inst, t->e, p), QUARRY_OK);
    matrix_init(&x);
    x.stats.size = (uint32_t)offsetof(quarry_corpus_stats, doc_len);
    x.stats.doc_len = NULL;
    assert_int_equal(p->weigh(quarry_instance_self(inst), &x.m, &x.stats, err),
                     QUARRY_OK);
    quarry_instance_free(inst);
    expect_values(&x, BM25_WANT);
}

/* b = 0: no length normalisation, K = k1 = 1.2 for every excerpt:
 * d0:a = 0.470003629 x 2 x 2.2 / 3.2 = 0.646254990, d1:c = 0.980829253 x
 * 6.6 / 4.2 = 1.541303112, the count-1 entries 0.470003629 x 2.2 / 2.2 =
 * 0.470003629. Then l2 (the default) is checked on its own: unit rows. */
static void test_bm25_b_zero(void **state)
{
    pt *t = *state;
    static const double want[5] = {0.646254990, 0.470003629, 0.470003629,
                                   1.541303112, 0.470003629};
    matrix x;
    pt_find(t, ENTRY, KIND, "tfidf");
    weigh(t, "bm25", PT_OPTS("bm25.b=0", "bm25.norm=none"), &x);
    expect_values(&x, want);
    /* options stay set on the engine: put b back to its default */
    weigh(t, "bm25", PT_OPTS("bm25.b=0.75", "bm25.norm=l2"), &x);
    for (int r = 0; r < 3; r++) {
        double ss = 0.0;
        for (int64_t p = x.row_ptr[r]; p < x.row_ptr[r + 1]; p++)
            ss += (double)x.values[p] * x.values[p];
        assert_close(ss, 1.0, 1e-6);
    }
    /* l2 of d0 = (0.624306745, 0.447138532) / 0.767913914 */
    assert_close(x.values[0], 0.624306745 / 0.767913914, 1e-5);
}

static void test_bad_column(void **state)
{
    pt *t = *state;
    char err[QUARRY_ERR_MAX] = "";
    matrix x;
    pt_open_ok(t, ENTRY, KIND, "tfidf", NULL);
    matrix_init(&x);
    x.col_idx[3] = 7; /* only 3 terms */
    assert_int_equal(t->p->weigh(t->self, &x.m, &x.stats, err),
                     QUARRY_EINVAL);
    assert_non_null(strstr(err, "column 7"));
}

static void test_option_ranges(void **state)
{
    pt *t = *state;
    const quarry_plugin *p = NULL;
    quarry_instance *inst = NULL;
    pt_find(t, ENTRY, KIND, "tfidf");
    assert_int_equal(quarry_engine_find(t->e, KIND, "bm25", &p), QUARRY_OK);
    assert_int_equal(quarry_engine_set_option(t->e, "bm25.k1=11"), 0);
    assert_int_equal(quarry_instance_new(&inst, t->e, p), QUARRY_ERANGE);
    assert_int_equal(quarry_engine_set_option(t->e, "bm25.k1=2"), 0);
    assert_int_equal(quarry_engine_set_option(t->e, "bm25.b=1.5"), 0);
    assert_int_equal(quarry_instance_new(&inst, t->e, p), QUARRY_ERANGE);
    assert_int_equal(quarry_engine_set_option(t->e, "bm25.b=1"), 0);
    assert_int_equal(quarry_engine_set_option(t->e, "tfidf.tf=sqrt"), 0);
    assert_int_equal(quarry_engine_find(t->e, KIND, "tfidf", &p), QUARRY_OK);
    assert_int_equal(quarry_instance_new(&inst, t->e, p), QUARRY_EINVAL);
    assert_null(inst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptors),     PT_BOTH(test_tfidf_choices),
        PT_BOTH(test_tfidf_defaults),  PT_BOTH(test_df_clamped),
        PT_BOTH(test_bm25),            PT_BOTH(test_bm25_without_doc_len),
        PT_BOTH(test_bm25_b_zero),     PT_BOTH(test_bad_column),
        PT_BOTH(test_option_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
