/*
 * test_reduce.c -- LSA by randomized truncated SVD (reduce.c): singular
 * values of matrices built by hand and of a planted low-rank matrix checked
 * against LAPACK's exact SVD, the reduced rows' geometry (identical inputs
 * identical, orthogonal inputs orthogonal, unit length, empty rows zero),
 * determinism for a seed, sign convention across seeds, the refusals, and
 * quarry_themes_run with dims on and falling back.
 */
#include <lapacke.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csr.h"
#include "reduce.h"
#include "test_util.h"

static void near(double got, double want, double tol)
{
    test_near(got, want, tol);
}

static quarry_engine *engine(void)
{
    return test_engine();
}

/* A CSR from a dense row-major array (zeros left out). */
static quarry_csr *from_dense(const float *a, int64_t rows, int64_t cols)
{
    int64_t nnz = 0, i, j;
    quarry_csr *x;
    for (i = 0; i < rows * cols; i++)
        nnz += a[i] != 0.0f;
    x = csr_alloc(rows, cols, nnz);
    assert_non_null(x);
    nnz = 0;
    for (i = 0; i < rows; i++) {
        for (j = 0; j < cols; j++)
            if (a[i * cols + j] != 0.0f) {
                x->col_idx[nnz] = (int32_t)j;
                x->values[nnz] = a[i * cols + j];
                nnz++;
            }
        x->row_ptr[i + 1] = nnz;
    }
    return x;
}

static double dot(const quarry_dense *d, int64_t i, int64_t j)
{
    double s = 0.0;
    for (int64_t c = 0; c < d->cols; c++)
        s += (double)d->data[i * d->ld + c] * d->data[j * d->ld + c];
    return s;
}

/*
 * Rows 0-2 are u = (3, 4, 0, 0, 0, 0) / 5, rows 3-4 are w = (0, 0, 1, 1, 1,
 * 0) / sqrt(3), row 5 is empty: X = a u^T + b w^T with a = (1,1,1,0,0,0)
 * and b = (0,0,0,1,1,0), so the singular values are sqrt(3) and sqrt(2)
 * and every other is 0.
 */
static quarry_csr *two_blocks(void)
{
    const float u0 = 0.6f, u1 = 0.8f, w = (float)(1.0 / sqrt(3.0));
    const float a[6 * 6] = {
        u0, u1, 0, 0, 0, 0, /* */
        u0, u1, 0, 0, 0, 0, /* */
        u0, u1, 0, 0, 0, 0, /* */
        0,  0,  w, w, w, 0, /* */
        0,  0,  w, w, w, 0, /* */
        0,  0,  0, 0, 0, 0,
    };
    return from_dense(a, 6, 6);
}

static void two_blocks_singular_values(void **state)
{
    quarry_engine *e = engine();
    quarry_csr *x = two_blocks();
    quarry_dense *d = NULL;
    float s[3];
    (void)state;

    assert_int_equal(reduce_svd(e, x, 3, 7, 4, 0, s, &d), QUARRY_OK);
    near(s[0], sqrt(3.0), 1e-5);
    near(s[1], sqrt(2.0), 1e-5);
    near(s[2], 0.0, 1e-5);
    assert_int_equal(d->rows, 6);
    assert_int_equal(d->cols, 3);
    assert_int_equal(d->ld, 3);
    /* X has rank 2 <= dims, so U S keeps every row's length (1) and the
     * signs make the largest entry of each component positive. */
    for (int64_t i = 0; i < 5; i++)
        near(sqrt(dot(d, i, i)), 1.0, 1e-5);
    near(d->data[0 * 3 + 0], 1.0, 1e-5);
    near(d->data[3 * 3 + 1], 1.0, 1e-5);
    for (int64_t c = 0; c < 3; c++)
        assert_true(d->data[5 * 3 + c] == 0.0f);
    reduce_dense_free(d);
    /* Whatever the seed, the same signs. */
    for (uint64_t seed = 100; seed < 105; seed++) {
        assert_int_equal(reduce_svd(e, x, 2, seed, 2, 0, NULL, &d), QUARRY_OK);
        near(d->data[0 * 2 + 0], 1.0, 1e-5);
        near(d->data[3 * 2 + 1], 1.0, 1e-5);
        reduce_dense_free(d);
    }
    quarry_csr_free(x);
    quarry_engine_free(e);
}

static void rows_keep_their_geometry(void **state)
{
    quarry_engine *e = engine();
    quarry_csr *x = two_blocks();
    quarry_dense *d = NULL;
    (void)state;

    assert_int_equal(reduce_lsa(e, x, 2, 1, -1, &d), QUARRY_OK);
    for (int64_t i = 0; i < 5; i++)
        near(dot(d, i, i), 1.0, 1e-5);
    /* Identical inputs give identical rows, to the bit. */
    assert_memory_equal(d->data + 0, d->data + 2, 2 * sizeof(float));
    assert_memory_equal(d->data + 6, d->data + 8, 2 * sizeof(float));
    /* Orthogonal inputs stay orthogonal. */
    near(dot(d, 0, 3), 0.0, 1e-5);
    /* The empty row stays zero, not a unit vector of rounding noise. */
    assert_true(d->data[10] == 0.0f && d->data[11] == 0.0f);
    reduce_dense_free(d);

    /* With one dimension the w rows have no component left: zero too. */
    assert_int_equal(reduce_lsa(e, x, 1, 1, -1, &d), QUARRY_OK);
    near(d->data[0], 1.0, 1e-6);
    assert_true(d->data[3] == 0.0f && d->data[4] == 0.0f);
    reduce_dense_free(d);
    quarry_csr_free(x);
    quarry_engine_free(e);
}

/* A deterministic N x V sparse matrix: `topics` blocks of columns, each row
 * mostly in one block, plus sparse noise; rows unit length. */
static quarry_csr *planted(int64_t n, int64_t v, int topics, float **dense)
{
    float *a = calloc((size_t)(n * v), sizeof *a);
    uint64_t st = 12345;
    quarry_csr *x;
    assert_non_null(a);
    for (int64_t i = 0; i < n; i++) {
        int t = (int)(i % topics);
        int64_t width = v / topics;
        double ss = 0.0;
        for (int r = 0; r < 8; r++) {
            st = st * 6364136223846793005u + 1442695040888963407u;
            int64_t j = t * width + (int64_t)((st >> 33) % (uint64_t)width);
            a[i * v + j] += 1.0f + (float)((st >> 20) & 7);
        }
        st = st * 6364136223846793005u + 1442695040888963407u;
        a[i * v + (int64_t)((st >> 33) % (uint64_t)v)] += 0.5f;
        for (int64_t j = 0; j < v; j++)
            ss += (double)a[i * v + j] * a[i * v + j];
        for (int64_t j = 0; j < v; j++)
            a[i * v + j] = (float)(a[i * v + j] / sqrt(ss));
    }
    x = from_dense(a, n, v);
    *dense = a;
    return x;
}

static void matches_exact_svd(void **state)
{
    enum { N = 150, V = 90, K = 6 };
    quarry_engine *e = engine();
    float *a = NULL, s[K];
    quarry_csr *x = planted(N, V, K, &a);
    float exact[V];
    quarry_dense *d = NULL;
    (void)state;

    /* Row-major N x V is column-major V x N: the same singular values. */
    assert_int_equal(LAPACKE_sgesdd(LAPACK_COL_MAJOR, 'N', V, N, a, V, exact,
                                    NULL, 1, NULL, 1),
                     0);
    assert_int_equal(reduce_svd(e, x, K, 3, -1, 0, s, &d), QUARRY_OK);
    for (int c = 0; c < K; c++)
        near(s[c], exact[c], 1e-3 * exact[0]);
    reduce_dense_free(d);
    free(a);
    quarry_csr_free(x);
    quarry_engine_free(e);
}

static void deterministic_for_a_seed(void **state)
{
    enum { N = 120, V = 80, K = 4 };
    quarry_engine *e = engine();
    float *a = NULL;
    quarry_csr *x = planted(N, V, K, &a);
    quarry_dense *d1 = NULL, *d2 = NULL, *d3 = NULL;
    double worst = 0.0;
    (void)state;

    /* Enough power iterations that the seed no longer shows, whatever
     * the default. */
    assert_int_equal(reduce_lsa(e, x, K, 99, 8, &d1), QUARRY_OK);
    assert_int_equal(reduce_lsa(e, x, K, 99, 8, &d2), QUARRY_OK);
    assert_memory_equal(d1->data, d2->data, (size_t)N * K * sizeof(float));
    /* Another seed finds the same well-separated subspace. Its leading
     * singular values are close together, so individual components may
     * rotate within it: compare what does not depend on that, the
     * cosines between rows. */
    assert_int_equal(reduce_lsa(e, x, K, 100, 8, &d3), QUARRY_OK);
    for (int64_t i = 0; i < N; i += 7)
        for (int64_t j = 0; j < N; j += 5)
            worst = fmax(worst, fabs(dot(d1, i, j) - dot(d3, i, j)));
    near(worst, 0.0, 1e-3);
    reduce_dense_free(d1);
    reduce_dense_free(d2);
    reduce_dense_free(d3);
    free(a);
    quarry_csr_free(x);
    quarry_engine_free(e);
}

static void refusals(void **state)
{
    quarry_engine *e = engine();
    quarry_csr *x = two_blocks();
    quarry_dense *d = (quarry_dense *)(uintptr_t)1;
    (void)state;

    assert_int_equal(reduce_lsa(e, x, 0, 1, -1, &d), QUARRY_ERANGE);
    assert_null(d);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           "dims must be between 1 and 5"));
    assert_int_equal(reduce_lsa(e, x, 6, 1, -1, &d), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "not 6"));
    assert_int_equal(reduce_lsa(e, x, 2, 1, 101, &d), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "power iterations"));
    assert_int_equal(reduce_lsa(e, NULL, 2, 1, -1, &d), QUARRY_EINVAL);
    x->col_idx[0] = 6;
    assert_int_equal(reduce_lsa(e, x, 2, 1, -1, &d), QUARRY_EINVAL);
    x->col_idx[0] = 0;
    x->values[0] = NAN;
    assert_int_equal(reduce_lsa(e, x, 2, 1, -1, &d), QUARRY_EINVAL);
    assert_null(d);
    reduce_dense_free(NULL);
    quarry_csr_free(x);
    quarry_engine_free(e);
}

static int stop_at_once(void *ctx, const char *what, int64_t done,
                        int64_t total)
{
    (void)ctx;
    (void)done;
    (void)total;
    return strcmp(what, "reducing") == 0;
}

static void cancel(void **state)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    quarry_csr *x = two_blocks();
    quarry_dense *d = NULL;
    (void)state;
    o.use_default_paths = 0;
    o.progress = stop_at_once;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    assert_int_equal(reduce_lsa(e, x, 2, 1, 3, &d), QUARRY_ECANCELED);
    assert_null(d);
    quarry_csr_free(x);
    quarry_engine_free(e);
}

/* quarry_themes_run with dims: reduced when the corpus allows it, the
 * sparse rows when it does not, and the same themes for a seed. */
static void themes_with_dims(void **state)
{
    static const char jsonl[] =
        "{\"id\":\"a1\",\"text\":\"peer support group meeting peer\"}\n"
        "{\"id\":\"a2\",\"text\":\"support group peer meeting weekly\"}\n"
        "{\"id\":\"a3\",\"text\":\"group meeting peer support today\"}\n"
        "{\"id\":\"b1\",\"text\":\"salary contract pay hours money\"}\n"
        "{\"id\":\"b2\",\"text\":\"pay contract salary money cut\"}\n"
        "{\"id\":\"b3\",\"text\":\"money hours pay salary contract\"}\n";
    quarry_engine *e = engine();
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    ro.format = QUARRY_FORMAT_JSONL;
    assert_int_equal(quarry_corpus_new(&c), 0);
    assert_int_equal(quarry_corpus_read_buffer(c, jsonl, strlen(jsonl),
                                               "t.jsonl", &ro),
                     0);
    po.stemmer = "none";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    to.k = 2;
    for (int32_t dims = 0; dims <= 100; dims += (dims < 2 ? 2 : dims < 3 ? 1 : 97)) {
        to.dims = dims; /* 0: not reduced; 2, 3: reduced; 100: falls back */
        assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_OK);
        assert_int_equal(quarry_themes_count(t), 2);
        assert_int_equal(quarry_themes_at(t, 0)->size, 3);
        assert_int_equal(quarry_themes_at(t, 1)->size, 3);
        quarry_themes_free(t);
        t = NULL;
    }
    to.dims = -1;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "dims"));
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_blocks_singular_values),
        cmocka_unit_test(rows_keep_their_geometry),
        cmocka_unit_test(matches_exact_svd),
        cmocka_unit_test(deterministic_for_a_seed),
        cmocka_unit_test(refusals),
        cmocka_unit_test(cancel),
        cmocka_unit_test(themes_with_dims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
