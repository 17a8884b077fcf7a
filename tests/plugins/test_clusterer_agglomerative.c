/*
 * test_clusterer_agglomerative.c -- average and Ward linkage on cosine:
 * on rows small enough for the exact path, every cut equals a brute-force
 * agglomeration computed here from the rows themselves (so the Gram-matrix
 * shortcut and the nearest-neighbour chains are checked against the
 * definitions); well-separated groups come back dense, sparse and through
 * micro-clusters; a seed gives the same labels; the objective is the sum of
 * member-to-centroid cosines; k = 0 and k out of range are refused;
 * progress can cancel; a host without sgemm is served. Each check runs
 * with the plugin registered statically and dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_clusterer_agglomerative(void);

#define ENTRY quarry_plugin_clusterer_agglomerative
#define KIND QUARRY_KIND_CLUSTERER
#define NAME "agglomerative"

/* Groups: N rows in DIM dims, row i in group i % G around axis g, with
 * deterministic noise up to 0.15 on every coordinate, unit length. */
#define N 60
#define DIM 6
#define G 4

typedef struct data {
    float dense[N * DIM];
    int group[N];
    int64_t row_ptr[N + 1];
    int32_t col_idx[N * DIM];
    float values[N * DIM];
    quarry_dense d;
    quarry_csr x;
} data;

static void make_rows(data *s, int n, int dim, int groups, double noise,
                      unsigned salt)
{
    uint64_t st = 0x1234567u + salt;
    for (int i = 0; i < n; i++) {
        double ss = 0.0;
        s->group[i] = i % groups;
        for (int j = 0; j < dim; j++) {
            st = st * 6364136223846793005u + 1442695040888963407u;
            double u = (double)(st >> 11) * 0x1.0p-53;
            double v = (j == s->group[i] ? 1.0 : 0.0) + noise * u;
            s->dense[i * dim + j] = (float)v;
            ss += v * v;
        }
        for (int j = 0; j < dim; j++)
            s->dense[i * dim + j] = (float)(s->dense[i * dim + j] / sqrt(ss));
    }
    s->row_ptr[0] = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < dim; j++) {
            s->col_idx[i * dim + j] = j;
            s->values[i * dim + j] = s->dense[i * dim + j];
        }
        s->row_ptr[i + 1] = (i + 1) * dim;
    }
    s->d = (quarry_dense){n, dim, dim, s->dense};
    s->x = (quarry_csr){n, dim, s->row_ptr, s->col_idx, s->values};
}

static int run(pt *t, const quarry_csr *x, const quarry_dense *d, int32_t k,
               uint64_t seed, int32_t *labels, float *centroids, int32_t room,
               quarry_cluster_output *out, char *err)
{
    quarry_cluster_input in = {sizeof in, x, d, k, seed};
    *out = (quarry_cluster_output){sizeof *out, labels, centroids, 0,
                                   room,        0,      0.0,       -1};
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

/* ------------------------------------------------------------------ */
/* Brute force from the definitions, over the rows themselves.          */

static double cosine(const float *x, int i, int j, int dim)
{
    double s = 0.0;
    for (int t = 0; t < dim; t++)
        s += (double)x[i * dim + t] * x[j * dim + t];
    return s;
}

/* Distance between clusters a and b (cl[i] is row i's cluster). */
static double brute_dist(const float *x, int n, int dim, const int *cl, int a,
                         int b, int ward)
{
    if (!ward) {
        double s = 0.0;
        int pairs = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (cl[i] == a && cl[j] == b) {
                    s += cosine(x, i, j, dim);
                    pairs++;
                }
        return 1.0 - s / pairs;
    }
    double ma[DIM] = {0}, mb[DIM] = {0};
    int na = 0, nb = 0;
    for (int i = 0; i < n; i++)
        for (int t = 0; t < dim; t++) {
            if (cl[i] == a)
                ma[t] += x[i * dim + t];
            if (cl[i] == b)
                mb[t] += x[i * dim + t];
        }
    for (int i = 0; i < n; i++) {
        na += cl[i] == a;
        nb += cl[i] == b;
    }
    double d2 = 0.0;
    for (int t = 0; t < dim; t++) {
        double diff = ma[t] / na - mb[t] / nb;
        d2 += diff * diff;
    }
    return (double)na * nb / (na + nb) * d2;
}

/* Agglomerate greedily from singletons down to k clusters. */
static void brute_cut(const float *x, int n, int dim, int k, int ward, int *cl)
{
    for (int i = 0; i < n; i++)
        cl[i] = i;
    for (int live = n; live > k; live--) {
        int ba = -1, bb = -1;
        double best = INFINITY, second = INFINITY;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                int has_a = 0, has_b = 0;
                for (int i = 0; i < n; i++) {
                    has_a |= cl[i] == a;
                    has_b |= cl[i] == b;
                }
                if (!has_a || !has_b)
                    continue;
                double d = brute_dist(x, n, dim, cl, a, b, ward);
                if (d < best) {
                    second = best;
                    best = d;
                    ba = a;
                    bb = b;
                } else if (d < second) {
                    second = d;
                }
            }
        /* The data must not hinge on rounding: no near-ties. */
        if (second - best < 1e-6)
            fail_msg("test data has a near-tie (%g, %g) at %d clusters", best,
                     second, live);
        for (int i = 0; i < n; i++)
            if (cl[i] == bb)
                cl[i] = ba;
    }
}

/* Every cut of the exact path equals the brute-force one, both
 * linkages: 14 rows of noisy data with no group structure to lean on. */
static void check_exact(pt *t, int ward)
{
    enum { n = 14, dim = 5 };
    data s;
    int32_t labels[n];
    int cl[n];
    quarry_cluster_output out;
    make_rows(&s, n, dim, 3, 0.9, 11);
    for (int k = 1; k <= n; k++) {
        run_ok(t, NULL, &s.d, k, 1, labels, &out);
        assert_int_equal(out.n_clusters, k);
        brute_cut(s.dense, n, dim, k, ward, cl);
        expect_partition(labels, cl, n);
        /* the sparse view gives the same */
        run_ok(t, &s.x, NULL, k, 1, labels, &out);
        expect_partition(labels, cl, n);
    }
}

static void test_exact_average(void **state)
{
    pt *t = *state;
    pt_open_ok(t, ENTRY, KIND, NAME, PT_OPTS("agglomerative.linkage=average"));
    check_exact(t, 0);
}

static void test_exact_ward(void **state)
{
    pt *t = *state;
    pt_open_ok(t, ENTRY, KIND, NAME, PT_OPTS("agglomerative.linkage=ward"));
    check_exact(t, 1);
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, NAME);
    pt_check_descriptor(t->p);
    assert_non_null(t->p->cluster);
    assert_int_equal(t->p->needs, QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE);
}

/* Well-separated groups, both linkages, dense and sparse, exact and
 * through 12 micro-clusters; centroids unit, objective the sum of
 * cosines, labels numbered by first appearance. */
static void check_groups(pt *t)
{
    data s;
    int32_t labels[N];
    float centroids[G * DIM];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    make_rows(&s, N, DIM, G, 0.15, 3);
    for (int view = 0; view < 2; view++) {
        assert_int_equal(run(t, &s.x, view ? NULL : &s.d, G, 9, labels,
                             centroids, G, &out, err),
                         QUARRY_OK);
        assert_int_equal(out.used_dense, view == 0);
        assert_int_equal(out.n_clusters, G);
        assert_int_equal(out.dim, DIM);
        expect_partition(labels, s.group, N);
        assert_int_equal(labels[0], 0);
        double objective = 0.0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < DIM; j++)
                objective += (double)s.dense[i * DIM + j] *
                             centroids[labels[i] * DIM + j];
        assert_close(out.objective, objective, 1e-4);
        for (int c = 0; c < G; c++) {
            double ss = 0.0;
            for (int j = 0; j < DIM; j++)
                ss += (double)centroids[c * DIM + j] * centroids[c * DIM + j];
            assert_close(ss, 1.0, 1e-5);
        }
    }
}

static void test_groups_ward(void **state)
{
    pt *t = *state;
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    check_groups(t);
}

static void test_groups_average_micro(void **state)
{
    pt *t = *state;
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("agglomerative.linkage=average",
                       "agglomerative.micro_clusters=12"));
    check_groups(t);
}

static void test_groups_refined(void **state)
{
    pt *t = *state;
    pt_open_ok(
        t, ENTRY, KIND, NAME,
        PT_OPTS("agglomerative.micro_clusters=10", "agglomerative.refine=5"));
    check_groups(t);
}

/* Through micro-clusters, a seed gives the same labels every time; the
 * sparse and dense views agree on these groups. */
static void test_deterministic(void **state)
{
    pt *t = *state;
    data s;
    int32_t a[N], b[N];
    quarry_cluster_output oa, ob;
    make_rows(&s, N, DIM, G, 0.6, 5);
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("agglomerative.micro_clusters=15"));
    for (uint64_t seed = 0; seed < 4; seed++) {
        run_ok(t, NULL, &s.d, 5, seed, a, &oa);
        run_ok(t, NULL, &s.d, 5, seed, b, &ob);
        assert_memory_equal(a, b, sizeof a);
        assert_true(oa.objective == ob.objective);
        run_ok(t, &s.x, NULL, 5, seed, a, &oa);
        run_ok(t, &s.x, NULL, 5, seed, b, &ob);
        assert_memory_equal(a, b, sizeof a);
    }
}

/* Identical rows leave fewer groups than k: every group is a cluster. */
static void test_duplicates(void **state)
{
    pt *t = *state;
    float dense[8 * 2];
    int32_t labels[8];
    quarry_cluster_output out;
    for (int i = 0; i < 8; i++) {
        dense[2 * i] = i < 4 ? 1.0f : 0.0f;
        dense[2 * i + 1] = i < 4 ? 0.0f : 1.0f;
    }
    quarry_dense d = {8, 2, 2, dense};
    pt_open_ok(t, ENTRY, KIND, NAME, PT_OPTS("agglomerative.micro_clusters=3"));
    run_ok(t, NULL, &d, 3, 1, labels, &out);
    assert_true(out.n_clusters >= 2 && out.n_clusters <= 3);
    for (int i = 0; i < 8; i++)
        assert_in_range(labels[i], 0, out.n_clusters - 1);
    assert_int_not_equal(labels[0], labels[7]);
}

static void test_k_refused(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[N];
    float centroids[2 * DIM];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    make_rows(&s, N, DIM, G, 0.15, 3);
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    assert_int_equal(run(t, &s.x, &s.d, 0, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "choose"));
    assert_non_null(strstr(err, "silhouette"));
    assert_int_equal(run(t, &s.x, &s.d, -1, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_int_equal(run(t, &s.x, &s.d, N + 1, 1, labels, NULL, 0, &out, err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "k = 61"));
    assert_int_equal(run(t, &s.x, &s.d, 3, 1, labels, centroids, 2, &out, err),
                     QUARRY_ERANGE);
    assert_int_equal(run(t, NULL, NULL, 3, 1, labels, NULL, 0, &out, err),
                     QUARRY_EINVAL);
}

static int cancel_progress(void *ctx, const char *what, int64_t done,
                           int64_t total)
{
    (void)ctx;
    (void)what;
    (void)total;
    return done >= 2;
}

static void test_cancel(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[N];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    make_rows(&s, N, DIM, G, 0.6, 5);
    t->progress = cancel_progress;
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("agglomerative.micro_clusters=10"));
    assert_int_equal(run(t, NULL, &s.d, 3, 1, labels, NULL, 0, &out, err),
                     QUARRY_ECANCELED);
    assert_non_null(strstr(err, "cancel"));
}

static void poisoned_sgemm(void *ctx, int ta, int tb, int64_t m, int64_t n,
                           int64_t k, float alpha, const float *a, int64_t lda,
                           const float *b, int64_t ldb, float beta, float *c,
                           int64_t ldc)
{
    (void)ctx, (void)ta, (void)tb, (void)m, (void)n, (void)k, (void)alpha;
    (void)a, (void)lda, (void)b, (void)ldb, (void)beta, (void)c, (void)ldc;
    fail_msg("sgemm read from beyond the host table's size");
}

/* A host table that ends before sgemm: the plugin's own loop serves. */
static void test_host_without_blas(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[N];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX] = "";
    void *self = NULL;
    make_rows(&s, N, DIM, G, 0.15, 3);
    pt_find(t, ENTRY, KIND, NAME);
    void *config = calloc(1, t->p->config_size);
    assert_non_null(config);
    for (const quarry_option *o = t->p->options; o->name != NULL; o++)
        assert_int_equal(
            quarry_option_parse(o,
                                strcmp(o->name, "micro_clusters") == 0
                                    ? "10"
                                    : o->default_value,
                                config, err, sizeof err),
            QUARRY_OK);
    quarry_host old = {0};
    old.size = (uint32_t)offsetof(quarry_host, sgemm);
    old.sgemm = poisoned_sgemm;
    assert_int_equal(t->p->create(&self, config, &old, err), QUARRY_OK);
    free(config);
    t->self = self;
    int rc = run(t, NULL, &s.d, G, 3, labels, NULL, 0, &out, err);
    t->p->destroy(self);
    t->self = NULL;
    assert_int_equal(rc, QUARRY_OK);
    expect_partition(labels, s.group, N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),
        PT_BOTH(test_exact_average),
        PT_BOTH(test_exact_ward),
        PT_BOTH(test_groups_ward),
        PT_BOTH(test_groups_average_micro),
        PT_BOTH(test_groups_refined),
        PT_BOTH(test_deterministic),
        PT_BOTH(test_duplicates),
        PT_BOTH(test_k_refused),
        PT_BOTH(test_cancel),
        PT_BOTH(test_host_without_blas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
