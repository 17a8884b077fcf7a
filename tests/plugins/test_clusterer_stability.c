/*
 * test_clusterer_stability.c -- the clusterer that chooses k by the
 * agreement of k-means partitions of random subsamples: given k = 0 it
 * finds the number of well-separated groups (2, 4 and 6) and the groups
 * themselves, dense and sparse, and 3 groups among 3,000 rows (more than
 * one SGEMM block); the k range is obeyed; given k > 0 it is spherical
 * k-means at k with unit centroids and the objective they imply; a seed
 * gives the same result; the host's progress can cancel it; too few rows,
 * k out of range and k_min > k_max are refused. Each check runs with the
 * plugin registered statically and dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_clusterer_stability(void);

#define ENTRY quarry_plugin_clusterer_stability
#define KIND QUARRY_KIND_CLUSTERER
#define NAME "stability"

#define DIM 8

typedef struct data {
    int n, dim;
    float *dense;
    int *group;
    int64_t *row_ptr;
    int32_t *col_idx;
    float *values;
    quarry_dense d;
    quarry_csr x;
} data;

static void data_free(data *s)
{
    free(s->dense);
    free(s->group);
    free(s->row_ptr);
    free(s->col_idx);
    free(s->values);
}

/* n rows, row i in group i % groups around axis g with noise up to
 * `noise` on every coordinate, unit length; the CSR keeps only the
 * non-zero coordinates, so the sparse rows really are sparse. */
static void make_rows(data *s, int n, int groups, double noise)
{
    uint64_t st = 0x5eedu + (uint64_t)groups;
    int64_t nnz = 0;
    s->n = n;
    s->dim = DIM;
    s->dense = malloc((size_t)n * DIM * sizeof *s->dense);
    s->group = malloc((size_t)n * sizeof *s->group);
    s->row_ptr = malloc(((size_t)n + 1) * sizeof *s->row_ptr);
    s->col_idx = malloc((size_t)n * DIM * sizeof *s->col_idx);
    s->values = malloc((size_t)n * DIM * sizeof *s->values);
    assert_non_null(s->dense);
    assert_non_null(s->group);
    assert_non_null(s->row_ptr);
    assert_non_null(s->col_idx);
    assert_non_null(s->values);
    for (int i = 0; i < n; i++) {
        double ss = 0.0;
        s->group[i] = i % groups;
        for (int j = 0; j < DIM; j++) {
            st = st * 6364136223846793005u + 1442695040888963407u;
            double u = (double)(st >> 11) * 0x1.0p-53;
            double v =
                (j == s->group[i] ? 1.0 : 0.0) + (u < 0.5 ? 0.0 : noise * u);
            s->dense[i * DIM + j] = (float)v;
            ss += v * v;
        }
        s->row_ptr[i] = nnz;
        for (int j = 0; j < DIM; j++) {
            s->dense[i * DIM + j] = (float)(s->dense[i * DIM + j] / sqrt(ss));
            if (s->dense[i * DIM + j] > 0.0f) {
                s->col_idx[nnz] = j;
                s->values[nnz++] = s->dense[i * DIM + j];
            }
        }
    }
    s->row_ptr[n] = nnz;
    s->d = (quarry_dense){n, DIM, DIM, s->dense};
    s->x = (quarry_csr){n, DIM, s->row_ptr, s->col_idx, s->values};
}

static int run(pt *t, const quarry_csr *x, const quarry_dense *d, int32_t k,
               uint64_t seed, int32_t *labels, float *centroids, int32_t room,
               quarry_cluster_output *out, char *err)
{
    quarry_cluster_input in = {sizeof in, x, d, k, seed};
    *out = (quarry_cluster_output){sizeof *out, labels, centroids, 0, room,
                                   0,           0.0,    -1};
    err[0] = '\0';
    return t->p->cluster(t->self, &in, out, err);
}

static void run_ok(pt *t, const quarry_csr *x, const quarry_dense *d, int32_t k,
                   uint64_t seed, int32_t *labels, quarry_cluster_output *out)
{
    char err[QUARRY_ERR_MAX];
    int rc = run(t, x, d, k, seed, labels, NULL, 0, out, err);
    if (rc != QUARRY_OK)
        print_error("cluster: %s\n", err);
    assert_int_equal(rc, QUARRY_OK);
}

static void expect_partition(const int32_t *a, const int *b, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            assert_int_equal(a[i] == a[j], b[i] == b[j]);
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, NAME);
    pt_check_descriptor(t->p);
    assert_int_equal(t->p->needs, QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE);
}

/* k = 0 finds 2, 4 and 6 groups, dense and sparse, at several seeds. */
static void test_chooses_k(void **state)
{
    pt *t = *state;
    static const int groups[] = {2, 4, 6};
    int32_t labels[120];
    quarry_cluster_output out;
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        data s; /* subsamples of 60 rows: 10 of each of 6 groups */
        make_rows(&s, 120, groups[g], 0.4);
        for (uint64_t seed = 0; seed < 4; seed++) {
            run_ok(t, NULL, &s.d, 0, seed, labels, &out);
            assert_int_equal(out.n_clusters, groups[g]);
            assert_int_equal(out.used_dense, 1);
            expect_partition(labels, s.group, s.n);
            run_ok(t, &s.x, NULL, 0, seed, labels, &out);
            assert_int_equal(out.n_clusters, groups[g]);
            assert_int_equal(out.used_dense, 0);
            expect_partition(labels, s.group, s.n);
        }
        data_free(&s);
    }
}

/* More rows than one SGEMM block (2,048) and subsamples capped by
 * `sample`: 3 groups among 3,000 rows. */
static void test_many_rows(void **state)
{
    pt *t = *state;
    data s;
    int32_t *labels = malloc(3000 * sizeof *labels);
    quarry_cluster_output out;
    assert_non_null(labels);
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("stability.k_max=6", "stability.sample=500",
                       "stability.pairs=3"));
    make_rows(&s, 3000, 3, 0.5);
    run_ok(t, NULL, &s.d, 0, 11, labels, &out);
    assert_int_equal(out.n_clusters, 3);
    for (int i = 0; i < s.n; i++) /* the same partition, checked in O(n) */
        assert_int_equal(labels[i], labels[s.group[i]]);
    assert_true(labels[0] != labels[1] && labels[1] != labels[2] &&
                labels[0] != labels[2]);
    data_free(&s);
    free(labels);
}

/* The k tried stay within k_min..k_max even when the data say otherwise. */
static void test_range(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[72];
    quarry_cluster_output out;
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("stability.k_min=5", "stability.k_max=7"));
    make_rows(&s, 72, 3, 0.4);
    run_ok(t, NULL, &s.d, 0, 1, labels, &out);
    assert_in_range(out.n_clusters, 5, 7);
    for (int i = 0; i < s.n; i++)
        assert_in_range(labels[i], 0, out.n_clusters - 1);
    data_free(&s);
}

/* k > 0: k clusters, unit centroids, and the objective is the sum of
 * member-to-centroid cosines, with each row at its nearest centroid. */
static void test_given_k(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[72];
    float cent[7 * DIM];
    char err[QUARRY_ERR_MAX];
    quarry_cluster_output out;
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    make_rows(&s, 72, 4, 0.6);
    assert_int_equal(run(t, &s.x, &s.d, 7, 3, labels, cent, 7, &out, err),
                     QUARRY_OK);
    assert_int_equal(out.n_clusters, 7);
    assert_int_equal(out.dim, DIM);
    double total = 0.0;
    for (int c = 0; c < 7; c++) {
        double ss = 0.0;
        for (int j = 0; j < DIM; j++)
            ss += (double)cent[c * DIM + j] * cent[c * DIM + j];
        assert_close(ss, 1.0, 1e-4);
    }
    for (int i = 0; i < s.n; i++) {
        double own = 0.0, top = -2.0;
        assert_in_range(labels[i], 0, 6);
        for (int c = 0; c < 7; c++) {
            double dot = 0.0;
            for (int j = 0; j < DIM; j++)
                dot += (double)s.dense[i * DIM + j] * cent[c * DIM + j];
            if (c == labels[i])
                own = dot;
            if (dot > top)
                top = dot;
        }
        assert_close(own, top, 1e-4);
        total += own;
    }
    assert_close(out.objective, total, 1e-3);
    /* too little room for the centroids */
    assert_int_equal(run(t, NULL, &s.d, 7, 3, labels, cent, 6, &out, err),
                     QUARRY_ERANGE);
    data_free(&s);
}

static void test_deterministic(void **state)
{
    pt *t = *state;
    data s;
    int32_t a[72], b[72];
    quarry_cluster_output oa, ob;
    pt_open_ok(t, ENTRY, KIND, NAME, PT_OPTS("stability.pairs=2"));
    make_rows(&s, 72, 5, 1.2); /* overlapping groups: no easy answer */
    for (uint64_t seed = 0; seed < 3; seed++) {
        run_ok(t, NULL, &s.d, 0, seed, a, &oa);
        run_ok(t, NULL, &s.d, 0, seed, b, &ob);
        assert_int_equal(oa.n_clusters, ob.n_clusters);
        assert_memory_equal(a, b, sizeof a);
        run_ok(t, &s.x, NULL, 0, seed, a, &oa);
        run_ok(t, &s.x, NULL, 0, seed, b, &ob);
        assert_int_equal(oa.n_clusters, ob.n_clusters);
        assert_memory_equal(a, b, sizeof a);
    }
    data_free(&s);
}

static int calls;

static int cancel_at_3(void *ctx, const char *what, int64_t done,
                       int64_t total)
{
    (void)ctx;
    (void)what;
    (void)done;
    (void)total;
    return ++calls >= 3;
}

static void test_cancel(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[72];
    char err[QUARRY_ERR_MAX];
    quarry_cluster_output out;
    t->progress = cancel_at_3;
    calls = 0;
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    make_rows(&s, 72, 4, 0.4);
    assert_int_equal(run(t, NULL, &s.d, 0, 1, labels, NULL, 0, &out, err),
                     QUARRY_ECANCELED);
    assert_non_null(strstr(err, "cancelled"));
    data_free(&s);
}

static void test_refused(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[72];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    make_rows(&s, 72, 4, 0.4);
    quarry_dense three = {3, DIM, DIM, s.dense};
    assert_int_equal(run(t, NULL, &three, 0, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "too few"));
    assert_int_equal(run(t, NULL, &s.d, 73, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_int_equal(run(t, NULL, &s.d, -3, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_int_equal(run(t, NULL, NULL, 0, 1, labels, NULL, 0, &out, err),
                     QUARRY_EINVAL);
    data_free(&s);
}

static void test_k_min_above_k_max(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[72];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("stability.k_min=9", "stability.k_max=4"));
    make_rows(&s, 72, 4, 0.4);
    assert_int_equal(run(t, NULL, &s.d, 0, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "k_min"));
    data_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),    PT_BOTH(test_chooses_k),
        PT_BOTH(test_many_rows),     PT_BOTH(test_range),
        PT_BOTH(test_given_k),       PT_BOTH(test_deterministic),
        PT_BOTH(test_cancel),        PT_BOTH(test_refused),
        PT_BOTH(test_k_min_above_k_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
