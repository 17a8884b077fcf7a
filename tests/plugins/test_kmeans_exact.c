/*
 * test_kmeans_exact.c -- the kmeans plugin's shortcuts change no label.
 * The plugin ranks dense rows in float first (in the iterations and in
 * k-means++), skips rows by bounds, runs its restarts side by side and its
 * passes on several threads; each of these must give exactly the labels,
 * centroids and objective of scoring every row in double, every time, on
 * one thread (the plugin's "exhaustive" mode, which the tests reach by
 * including the source). The data: clusters of random unit rows, with
 * exact duplicates, rows halfway between two others (ties), and zero rows
 * (which empty a cluster in every iteration), dense and sparse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../plugins/kmeans/kmeans.c"

/* A small deterministic generator for the data (not the plugin's). */
static uint64_t lcg_state;
static double lcg_unit(void)
{
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return (double)(lcg_state >> 11) * 0x1.0p-53;
}

typedef struct dataset {
    int64_t n, dim;
    float *x; /* n x dim, unit rows (a few zero) */
    quarry_dense dense;
    /* the same rows as CSR, zeros left out */
    int64_t *row_ptr;
    int32_t *col_idx;
    float *values;
    quarry_csr csr;
} dataset;

/* n rows around `groups` random directions, spread `spread`; every 17th
 * row a copy of an earlier one, every 23rd the normalised sum of two
 * earlier rows, every 101st zero; sparse: each coordinate kept with
 * probability `density`. */
static void make_dataset(dataset *s, int64_t n, int64_t dim, int groups,
                         double spread, double density, uint64_t seed)
{
    lcg_state = seed;
    s->n = n;
    s->dim = dim;
    s->x = calloc((size_t)(n * dim), sizeof *s->x);
    double *centre = calloc((size_t)(groups * dim), sizeof *centre);
    assert_non_null(s->x);
    assert_non_null(centre);
    for (int64_t q = 0; q < groups * dim; q++)
        centre[q] = lcg_unit() - 0.5;
    for (int64_t i = 0; i < n; i++) {
        float *row = s->x + i * dim;
        if (i % 101 == 100)
            continue; /* zero row */
        if (i % 17 == 16) {
            memcpy(row, s->x + (i / 2) * dim, (size_t)dim * sizeof *row);
            continue;
        }
        int64_t g = (int64_t)(lcg_unit() * groups);
        double ss = 0.0;
        for (int64_t t = 0; t < dim; t++) {
            double v = 0.0;
            if (i % 23 == 22)
                v = (double)s->x[(i - 1) * dim + t] + s->x[(i / 3) * dim + t];
            else if (lcg_unit() < density)
                v = centre[g * dim + t] + spread * (lcg_unit() - 0.5);
            row[t] = (float)v;
            ss += v * v;
        }
        for (int64_t t = 0; t < dim && ss > 0.0; t++)
            row[t] = (float)(row[t] / sqrt(ss));
    }
    free(centre);
    s->dense = (quarry_dense){n, dim, dim, s->x};
    s->row_ptr = calloc((size_t)n + 1, sizeof *s->row_ptr);
    s->col_idx = calloc((size_t)(n * dim), sizeof *s->col_idx);
    s->values = calloc((size_t)(n * dim), sizeof *s->values);
    assert_non_null(s->row_ptr);
    assert_non_null(s->col_idx);
    assert_non_null(s->values);
    int64_t nnz = 0;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t t = 0; t < dim; t++)
            if (s->x[i * dim + t] != 0.0f) {
                s->col_idx[nnz] = (int32_t)t;
                s->values[nnz++] = s->x[i * dim + t];
            }
        s->row_ptr[i + 1] = nnz;
    }
    s->csr = (quarry_csr){n, dim, s->row_ptr, s->col_idx, s->values};
}

static void free_dataset(dataset *s)
{
    free(s->x);
    free(s->row_ptr);
    free(s->col_idx);
    free(s->values);
}

typedef struct outcome {
    int32_t *labels;
    float *centroids;
    quarry_cluster_output out;
} outcome;

static void run(const dataset *s, int sparse, int32_t k, uint64_t seed,
                int64_t n_init, int exhaustive, int threads, outcome *o)
{
    km me;
    char err[QUARRY_ERR_MAX] = "";
    memset(&me, 0, sizeof me);
    /* ward_rows 0: Lloyd's iterations at any size, which this file checks */
    me.cfg = (km_config){n_init, 100, 1e-4, 1, 0};
    me.exhaustive = exhaustive;
    me.threads = threads;
    o->labels = malloc((size_t)s->n * sizeof *o->labels);
    o->centroids = malloc((size_t)(k * s->dim) * sizeof *o->centroids);
    assert_non_null(o->labels);
    assert_non_null(o->centroids);
    quarry_cluster_input in = {sizeof in, sparse ? &s->csr : NULL,
                               sparse ? NULL : &s->dense, k, seed};
    o->out = (quarry_cluster_output){
        sizeof o->out, o->labels, o->centroids, 0, k, 0, 0.0, -1};
    int rc = km_cluster(&me, &in, &o->out, err);
    if (rc != QUARRY_OK)
        print_error("km_cluster: %s\n", err);
    assert_int_equal(rc, QUARRY_OK);
    assert_int_equal(o->out.used_dense, !sparse);
}

/* The shortcuts against the exhaustive run: the same bits. */
static void expect_same(const dataset *s, int sparse, int32_t k, uint64_t seed,
                        int64_t n_init, int threads)
{
    outcome a, b;
    run(s, sparse, k, seed, n_init, 1, 1, &a);
    run(s, sparse, k, seed, n_init, 0, threads, &b);
    int64_t differ = 0;
    for (int64_t i = 0; i < s->n; i++)
        differ += a.labels[i] != b.labels[i];
    if (differ != 0)
        print_error("%s k=%d seed=%llu n_init=%lld threads=%d: %lld labels "
                    "differ\n",
                    sparse ? "sparse" : "dense", k, (unsigned long long)seed,
                    (long long)n_init, threads, (long long)differ);
    assert_int_equal(differ, 0);
    assert_memory_equal(a.centroids, b.centroids,
                        (size_t)(k * s->dim) * sizeof *a.centroids);
    assert_true(a.out.objective == b.out.objective);
    free(a.labels);
    free(a.centroids);
    free(b.labels);
    free(b.centroids);
}

static void test_dense_same_labels(void **state)
{
    (void)state;
    dataset s;
    make_dataset(&s, 3000, 12, 9, 0.8, 1.0, 1);
    for (uint64_t seed = 0; seed < 4; seed++)
        expect_same(&s, 0, 7, seed, 1 + (int64_t)seed * 2, 1 + (int)(seed % 3));
    expect_same(&s, 0, 1, 5, 2, 2);
    expect_same(&s, 0, 40, 6, 3, 3);
    free_dataset(&s);
}

/* Rows far apart and close together: float ranks with many near ties. */
static void test_dense_near_ties(void **state)
{
    (void)state;
    dataset s;
    make_dataset(&s, 2000, 3, 4, 0.05, 1.0, 2);
    for (uint64_t seed = 0; seed < 3; seed++)
        expect_same(&s, 0, 9, seed, 3, 2);
    free_dataset(&s);
}

static void test_sparse_same_labels(void **state)
{
    (void)state;
    dataset s;
    make_dataset(&s, 1500, 40, 6, 0.6, 0.3, 3);
    for (uint64_t seed = 0; seed < 3; seed++)
        expect_same(&s, 1, 6, seed, 5, 1 + (int)seed);
    free_dataset(&s);
}

/* The thread count alone changes nothing, nor does it with the default
 * count (as many threads as cores and rows allow). */
static void test_threads(void **state)
{
    (void)state;
    dataset s;
    outcome a, b, c;
    make_dataset(&s, 40000, 8, 12, 0.9, 1.0, 4);
    run(&s, 0, 12, 42, 3, 0, 1, &a);
    run(&s, 0, 12, 42, 3, 0, 4, &b);
    run(&s, 0, 12, 42, 3, 0, 0, &c);
    assert_memory_equal(a.labels, b.labels, (size_t)s.n * sizeof *a.labels);
    assert_memory_equal(a.labels, c.labels, (size_t)s.n * sizeof *a.labels);
    assert_true(a.out.objective == b.out.objective);
    assert_true(a.out.objective == c.out.objective);
    free(a.labels);
    free(a.centroids);
    free(b.labels);
    free(b.centroids);
    free(c.labels);
    free(c.centroids);
    free_dataset(&s);
}

/* The float pass ranks two centroids within its rounding of each other
 * the wrong way round: the row is scored in double and joins the centroid
 * the double scores prefer. */
static void test_float_near_tie(void **state)
{
    (void)state;
    float x[4] = {1.0f, 0.0f, 0.0f, 0.0f};
    float c[8] = {0.4999999f, 0.8660254f, 0.0f, 0.0f,
                  0.5f,       0.8660254f, 0.0f, 0.0f};
    quarry_dense dense = {1, 4, 4, x};
    km_data d = {1, 4, &dense, NULL, 0, 0, 0, 0};
    char err[QUARRY_ERR_MAX] = "";
    assert_int_equal(scan_rows(&d, err), QUARRY_OK);
    km_shared sh = {2, KM_LANES, 1};
    int32_t labels[1] = {-1};
    double best[1], lo[1], ohi[1], hi[1], scores[KM_LANES];
    /* exact: 0.4999999 and 0.5; the float pass says 0.5 (centroid 0)
     * and 0.4999999, each within its bound (d.feps) of the exact score */
    unsigned char fresh[1] = {0};
    int64_t sum[8] = {0};
    km_work w;
    km_thread th;
    memset(&w, 0, sizeof w);
    memset(&th, 0, sizeof th);
    w.c = c;
    w.labels = labels;
    w.best = best;
    w.fresh = fresh;
    w.lo = lo;
    w.ohi = ohi;
    w.hi = hi;
    th.scores = scores;
    th.dsum[0] = sum;
    assert_true(d.feps > 2e-7);
    settle_float(&d, &sh, &w, &th, 0, 0, 0.5f, 0.4999999f, 0);
    assert_int_equal(labels[0], 1);
    assert_int_equal(fresh[0], 1);
    assert_true(best[0] == 0.5);
    assert_int_equal(th.dchanged[0], 1);
}

/* A value that is not a number is refused, naming the row. */
static void test_not_finite(void **state)
{
    (void)state;
    float x[6] = {1.0f, 0.0f, 0.0f, 1.0f, NAN, 0.0f};
    int32_t labels[3];
    quarry_dense d = {3, 2, 2, x};
    km me;
    char err[QUARRY_ERR_MAX] = "";
    memset(&me, 0, sizeof me);
    me.cfg = (km_config){1, 10, 1e-4, 1, 0};
    quarry_cluster_input in = {sizeof in, NULL, &d, 2, 1};
    quarry_cluster_output out = {sizeof out, labels, NULL, 0, 0, 0, 0.0, -1};
    assert_int_equal(km_cluster(&me, &in, &out, err), QUARRY_EINVAL);
    assert_non_null(strstr(err, "row 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_same_labels),
        cmocka_unit_test(test_dense_near_ties),
        cmocka_unit_test(test_sparse_same_labels),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_float_near_tie),
        cmocka_unit_test(test_not_finite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
