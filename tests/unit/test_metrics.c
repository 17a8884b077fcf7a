/*
 * test_metrics.c -- clustering scores (metrics.c; AMI too) against values computed
 * by scikit-learn (tests/data/metrics/sklearn.json, written by
 * make_fixture.py beside it) and against cases worked by hand: identical
 * labelings, one cluster, all singletons, no labels, and the silhouette of
 * rows whose answer is known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <jansson.h>

#include "quarry/quarry.h"
#include "test_util.h"

static json_t *fixture(void)
{
    json_error_t err;
    json_t *j = json_load_file(QUARRY_TEST_DATA_DIR "/metrics/sklearn.json",
                               0, &err);
    if (j == NULL)
        fail_msg("sklearn.json:%d: %s", err.line, err.text);
    return j;
}

static int32_t *int_array(json_t *a, size_t *n)
{
    size_t i;
    int32_t *v = malloc((json_array_size(a) + 1) * sizeof *v);
    assert_non_null(v);
    for (i = 0; i < json_array_size(a); i++)
        v[i] = (int32_t)json_integer_value(json_array_get(a, i));
    *n = json_array_size(a);
    return v;
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    return json_number_value(v);
}

static void test_against_sklearn(void **state)
{
    json_t *j = fixture(), *c;
    size_t idx;
    (void)state;
    assert_true(json_array_size(json_object_get(j, "labels")) >= 10);
    json_array_foreach(json_object_get(j, "labels"), idx, c)
    {
        size_t n, n2;
        int32_t *g = int_array(json_object_get(c, "gold"), &n);
        int32_t *p = int_array(json_object_get(c, "pred"), &n2);
        quarry_cluster_scores s;
        double one;
        assert_int_equal(n, n2);
        assert_int_equal(quarry_metrics_scores(&s, g, p, n), QUARRY_OK);
        print_message("%s\n", json_string_value(json_object_get(c, "name")));
        test_near(s.ari, num(c, "ari"), 1e-12);
        test_near(s.nmi, num(c, "nmi"), 1e-12);
        test_near(s.homogeneity, num(c, "homogeneity"), 1e-12);
        test_near(s.completeness, num(c, "completeness"), 1e-12);
        test_near(s.v_measure, num(c, "v_measure"), 1e-12);
        assert_int_equal(quarry_metrics_ari(&one, g, p, n), 0);
        test_near(one, s.ari, 0);
        assert_int_equal(quarry_metrics_nmi(&one, g, p, n), 0);
        test_near(one, s.nmi, 0);
        assert_int_equal(quarry_metrics_v_measure(&one, g, p, n), 0);
        test_near(one, s.v_measure, 0);
        assert_int_equal(quarry_metrics_ami(&one, g, p, n), 0);
        test_near(one, num(c, "ami"), 1e-10);
        free(g);
        free(p);
    }
    json_decref(j);
}

/* Dense rows of a fixture case, and the same rows as CSR. */
static void rows_of(json_t *c, quarry_dense *d, quarry_csr *x)
{
    json_t *rows = json_object_get(c, "rows"), *r;
    size_t i, j, nnz = 0;
    d->rows = x->rows = (int64_t)json_array_size(rows);
    d->cols = x->cols = (int64_t)json_array_size(json_array_get(rows, 0));
    d->ld = d->cols + 3; /* a leading dimension beyond the row */
    d->data = calloc((size_t)(d->rows * d->ld), sizeof *d->data);
    x->row_ptr = calloc((size_t)d->rows + 1, sizeof *x->row_ptr);
    x->col_idx = malloc((size_t)(d->rows * d->cols) * sizeof *x->col_idx);
    x->values = malloc((size_t)(d->rows * d->cols) * sizeof *x->values);
    assert_true(d->data && x->row_ptr && x->col_idx && x->values);
    json_array_foreach(rows, i, r)
    {
        for (j = 0; j < json_array_size(r); j++) {
            float v = (float)json_number_value(json_array_get(r, j));
            d->data[(int64_t)i * d->ld + (int64_t)j] = v;
            if (v != 0.0f) {
                x->col_idx[nnz] = (int32_t)j;
                x->values[nnz++] = v;
            }
        }
        x->row_ptr[i + 1] = (int64_t)nnz;
    }
}

static void free_rows(quarry_dense *d, quarry_csr *x)
{
    free(d->data);
    free(x->row_ptr);
    free(x->col_idx);
    free(x->values);
}

static void test_silhouette_against_sklearn(void **state)
{
    json_t *j = fixture(), *c;
    size_t idx;
    (void)state;
    assert_int_equal(json_array_size(json_object_get(j, "silhouette")), 3);
    json_array_foreach(json_object_get(j, "silhouette"), idx, c)
    {
        quarry_dense d;
        quarry_csr x;
        quarry_silhouette_options o = QUARRY_SILHOUETTE_OPTIONS_INIT;
        size_t n;
        int32_t *lab = int_array(json_object_get(c, "labels"), &n);
        double got, want = num(c, "silhouette");
        rows_of(c, &d, &x);
        assert_int_equal((size_t)d.rows, n);
        assert_int_equal(quarry_metrics_silhouette(&got, NULL, &d, lab, NULL),
                         0);
        test_near(got, want, 1e-9);
        assert_int_equal(quarry_metrics_silhouette(&got, &x, NULL, lab, &o),
                         0);
        test_near(got, want, 1e-9);
        /* A sample as large as the rows is every row. */
        o.sample = n;
        assert_int_equal(quarry_metrics_silhouette(&got, &x, NULL, lab, &o),
                         0);
        test_near(got, want, 1e-9);
        free_rows(&d, &x);
        free(lab);
    }
    json_decref(j);
}

static void check_all(const int32_t *g, const int32_t *p, size_t n, double ari,
                      double nmi, double h, double c, double v)
{
    quarry_cluster_scores s;
    assert_int_equal(quarry_metrics_scores(&s, g, p, n), QUARRY_OK);
    test_near(s.ari, ari, 1e-12);
    test_near(s.nmi, nmi, 1e-12);
    test_near(s.homogeneity, h, 1e-12);
    test_near(s.completeness, c, 1e-12);
    test_near(s.v_measure, v, 1e-12);
}

static void test_hand_worked(void **state)
{
    const int32_t gold[] = {0, 0, 1, 1, 2, 2};
    const int32_t renamed[] = {7, 7, -3, -3, 100, 100};
    const int32_t one[] = {5, 5, 5, 5, 5, 5};
    const int32_t single[] = {0, 1, 2, 3, 4, 5};
    const int32_t single2[] = {9, 8, 7, 6, 5, 4};
    const int32_t g4[] = {0, 0, 1, 1}, s4[] = {0, 1, 2, 3};
    (void)state;
    /* Identical partitions under other names score 1 everywhere. */
    check_all(gold, renamed, 6, 1, 1, 1, 1, 1);
    /* One cluster against one cluster, singletons against singletons:
     * the same partition, scikit-learn's limit cases give 1. */
    check_all(one, one, 6, 1, 1, 1, 1, 1);
    check_all(single, single2, 6, 1, 1, 1, 1, 1);
    /* One cluster for three classes: complete, not homogeneous, no
     * information: ARI 0 (no pair agreement beyond chance). */
    check_all(gold, one, 6, 0, 0, 0, 1, 0);
    /* Two classes of two, four singletons: MI = H(gold) = log 2, H(pred) =
     * log 4, so h = 1, c = 1/2, V = 2/3, NMI = log2 / ((log2+log4)/2) =
     * 2/3; no pair is together in both, ARI 0. */
    check_all(g4, s4, 4, 0, 2.0 / 3.0, 1, 0.5, 2.0 / 3.0);
    /* No labels at all: every score is 1 (scikit-learn's convention). */
    check_all(NULL, NULL, 0, 1, 1, 1, 1, 1);
}

static void test_bad_arguments(void **state)
{
    const int32_t g[] = {0, 1};
    double v;
    quarry_cluster_scores s;
    (void)state;
    assert_int_equal(quarry_metrics_scores(NULL, g, g, 2), QUARRY_EINVAL);
    assert_int_equal(quarry_metrics_scores(&s, NULL, g, 2), QUARRY_EINVAL);
    assert_int_equal(quarry_metrics_ari(&v, g, NULL, 2), QUARRY_EINVAL);
    assert_int_equal(quarry_metrics_nmi(NULL, g, g, 2), QUARRY_EINVAL);
}

static void test_silhouette_hand(void **state)
{
    /* Two pairs of identical directions: a = 0, b = 1 for every row. */
    float data[] = {1, 0, 2, 0, 0, 1, 0, 3};
    quarry_dense d = {4, 2, 2, data};
    const int32_t lab[] = {0, 0, 1, 1}, one[] = {3, 3, 3, 3},
                  all[] = {0, 1, 2, 3}, three[] = {0, 0, 1, 2};
    int64_t rp[] = {0, 1, 2, 3, 4};
    int32_t ci[] = {0, 0, 1, 1};
    float val[] = {1, 2, 1, 3};
    quarry_csr x = {4, 2, rp, ci, val};
    quarry_silhouette_options o = QUARRY_SILHOUETTE_OPTIONS_INIT;
    double s = -9, s2 = -9;
    (void)state;
    assert_int_equal(quarry_metrics_silhouette(&s, NULL, &d, lab, NULL), 0);
    test_near(s, 1.0, 1e-12);
    assert_int_equal(quarry_metrics_silhouette(&s, &x, NULL, lab, NULL), 0);
    test_near(s, 1.0, 1e-12);
    /* Rows 2 and 3 are singletons (score 0); rows 0 and 1: a = 0, b = 1. */
    assert_int_equal(quarry_metrics_silhouette(&s, &x, NULL, three, NULL), 0);
    test_near(s, 0.5, 1e-12);
    /* Undefined: one label, or as many labels as rows. */
    assert_int_equal(quarry_metrics_silhouette(&s, &x, NULL, one, NULL),
                     QUARRY_ERANGE);
    assert_int_equal(quarry_metrics_silhouette(&s, &x, NULL, all, NULL),
                     QUARRY_ERANGE);
    /* Exactly one matrix, known options. */
    assert_int_equal(quarry_metrics_silhouette(&s, &x, &d, lab, NULL),
                     QUARRY_EINVAL);
    assert_int_equal(quarry_metrics_silhouette(&s, NULL, NULL, lab, NULL),
                     QUARRY_EINVAL);
    o.version = 99;
    assert_int_equal(quarry_metrics_silhouette(&s, &x, NULL, lab, &o),
                     QUARRY_EINVAL);
    /* A sample of 3 of these 4 rows holds both labels or is undefined;
     * the same seed draws the same rows. */
    o.version = QUARRY_SILHOUETTE_OPTIONS_VERSION;
    o.sample = 3;
    o.seed = 5;
    {
        int r1 = quarry_metrics_silhouette(&s, &x, NULL, lab, &o);
        int r2 = quarry_metrics_silhouette(&s2, &x, NULL, lab, &o);
        assert_int_equal(r1, r2);
        if (r1 == 0) /* two rows of one label, one of the other */
            test_near(s, 2.0 / 3.0, 1e-12);
        test_near(s, s2, 0);
    }
}

static void test_silhouette_sample(void **state)
{
    /* 200 rows on 4 directions: a sample scores near the whole, and the
     * draw depends on the seed. */
    enum { N = 200, D = 4 };
    float *data = calloc(N * D, sizeof *data);
    int32_t lab[N];
    quarry_dense d = {N, D, D, data};
    quarry_silhouette_options o = QUARRY_SILHOUETTE_OPTIONS_INIT;
    double whole, a, b, c;
    int i;
    (void)state;
    assert_non_null(data);
    for (i = 0; i < N; i++) {
        lab[i] = i % 4;
        data[i * D + lab[i]] = 1.0f;
        data[i * D + (lab[i] + 1) % 4] = (float)(i % 7) / 10.0f;
    }
    assert_int_equal(quarry_metrics_silhouette(&whole, NULL, &d, lab, &o), 0);
    o.sample = 50;
    o.seed = 1;
    assert_int_equal(quarry_metrics_silhouette(&a, NULL, &d, lab, &o), 0);
    assert_int_equal(quarry_metrics_silhouette(&b, NULL, &d, lab, &o), 0);
    o.seed = 2;
    assert_int_equal(quarry_metrics_silhouette(&c, NULL, &d, lab, &o), 0);
    test_near(a, b, 0);
    test_near(a, whole, 0.1);
    test_near(c, whole, 0.1);
    assert_true(a != c);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_sklearn),
        cmocka_unit_test(test_silhouette_against_sklearn),
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_silhouette_hand),
        cmocka_unit_test(test_silhouette_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
