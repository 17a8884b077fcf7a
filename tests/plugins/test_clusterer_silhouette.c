/*
 * test_clusterer_silhouette.c -- the clusterer that chooses k: given k = 0
 * it finds the number of well-separated groups (4 here, and 2 and 6 in
 * other data) and the groups themselves, dense and sparse; its choice is
 * the k of highest mean silhouette, checked against a silhouette computed
 * here from the rows; given k > 0 it cuts at k; a seed gives the same
 * result; too few rows and k_min > k_max are refused. Each check runs with
 * the plugin registered statically and dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_clusterer_silhouette(void);

#define ENTRY quarry_plugin_clusterer_silhouette
#define KIND QUARRY_KIND_CLUSTERER
#define NAME "silhouette"

#define MAXN 72
#define DIM 8

typedef struct data {
    int n, dim;
    float dense[MAXN * DIM];
    int group[MAXN];
    int64_t row_ptr[MAXN + 1];
    int32_t col_idx[MAXN * DIM];
    float values[MAXN * DIM];
    quarry_dense d;
    quarry_csr x;
} data;

/* n rows, row i in group i % groups around axis g with noise up to
 * `noise` on every coordinate, unit length; the CSR keeps only the
 * coordinates above 0.05, so the sparse rows really are sparse. */
static void make_rows(data *s, int n, int groups, double noise)
{
    uint64_t st = 0xfeedu + (uint64_t)groups;
    int64_t nnz = 0;
    s->n = n;
    s->dim = DIM;
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
               uint64_t seed, int32_t *labels, quarry_cluster_output *out,
               char *err)
{
    quarry_cluster_input in = {sizeof in, x, d, k, seed};
    *out = (quarry_cluster_output){sizeof *out, labels, NULL, 0, 0, 0, 0.0, -1};
    err[0] = '\0';
    return t->p->cluster(t->self, &in, out, err);
}

static void run_ok(pt *t, const quarry_csr *x, const quarry_dense *d, int32_t k,
                   uint64_t seed, int32_t *labels, quarry_cluster_output *out)
{
    char err[QUARRY_ERR_MAX];
    int rc = run(t, x, d, k, seed, labels, out, err);
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

/* Mean silhouette (distance 1 - cos) of all rows, from the definition. */
static double silhouette(const data *s, const int *lab, int k)
{
    double total = 0.0;
    for (int i = 0; i < s->n; i++) {
        double sum[MAXN] = {0}, a, b = INFINITY;
        int cnt[MAXN] = {0};
        for (int j = 0; j < s->n; j++) {
            double c = 0.0;
            if (j == i)
                continue;
            for (int t = 0; t < DIM; t++)
                c += (double)s->dense[i * DIM + t] * s->dense[j * DIM + t];
            sum[lab[j]] += 1.0 - c;
            cnt[lab[j]]++;
        }
        if (cnt[lab[i]] == 0)
            continue;
        a = sum[lab[i]] / cnt[lab[i]];
        for (int c = 0; c < k; c++)
            if (c != lab[i] && cnt[c] > 0 && sum[c] / cnt[c] < b)
                b = sum[c] / cnt[c];
        total += (b - a) / (a > b ? a : b);
    }
    return total / s->n;
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, NAME);
    pt_check_descriptor(t->p);
    assert_int_equal(t->p->needs, QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE);
}

/* k = 0 finds 2, 4 and 6 groups, dense and sparse. */
static void test_chooses_k(void **state)
{
    pt *t = *state;
    static const int groups[] = {2, 4, 6};
    data s;
    int32_t labels[MAXN];
    quarry_cluster_output out;
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        make_rows(&s, 60, groups[g], 0.4);
        run_ok(t, NULL, &s.d, 0, 3, labels, &out);
        assert_int_equal(out.n_clusters, groups[g]);
        assert_int_equal(out.used_dense, 1);
        expect_partition(labels, s.group, s.n);
        run_ok(t, &s.x, NULL, 0, 3, labels, &out);
        assert_int_equal(out.n_clusters, groups[g]);
        assert_int_equal(out.used_dense, 0);
        expect_partition(labels, s.group, s.n);
    }
}

/* The choice is the best silhouette: with every row in the sample, the
 * chosen partition scores at least as well as the cuts at k - 1 and
 * k + 1, each computed here from the definition. */
static void test_choice_is_best(void **state)
{
    pt *t = *state;
    data s;
    int32_t chosen[MAXN], other[MAXN];
    int lab[MAXN];
    quarry_cluster_output out;
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("silhouette.k_max=10", "silhouette.refine=0"));
    make_rows(&s, 72, 5, 1.2); /* groups that overlap: no easy answer */
    run_ok(t, NULL, &s.d, 0, 1, chosen, &out);
    int k = out.n_clusters;
    assert_in_range(k, 2, 10);
    for (int i = 0; i < s.n; i++)
        lab[i] = chosen[i];
    double best = silhouette(&s, lab, k);
    for (int kk = 2; kk <= 10; kk++) {
        run_ok(t, NULL, &s.d, kk, 1, other, &out);
        assert_int_equal(out.n_clusters, kk);
        for (int i = 0; i < s.n; i++)
            lab[i] = other[i];
        assert_true(silhouette(&s, lab, kk) <= best + 1e-5);
    }
}

/* k > 0: a cut at k, no choosing. */
static void test_given_k(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[MAXN];
    quarry_cluster_output out;
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    make_rows(&s, 60, 4, 0.4);
    run_ok(t, &s.x, &s.d, 7, 3, labels, &out);
    assert_int_equal(out.n_clusters, 7);
    for (int i = 0; i < s.n; i++)
        assert_in_range(labels[i], 0, 6);
}

static void test_deterministic(void **state)
{
    pt *t = *state;
    data s;
    int32_t a[MAXN], b[MAXN];
    quarry_cluster_output oa, ob;
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("silhouette.micro_clusters=20", "silhouette.sample=30"));
    make_rows(&s, 72, 5, 1.0);
    for (uint64_t seed = 0; seed < 4; seed++) {
        run_ok(t, NULL, &s.d, 0, seed, a, &oa);
        run_ok(t, NULL, &s.d, 0, seed, b, &ob);
        assert_int_equal(oa.n_clusters, ob.n_clusters);
        assert_memory_equal(a, b, sizeof a);
    }
}

static void test_refused(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[MAXN];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    pt_open_ok(t, ENTRY, KIND, NAME, NULL);
    make_rows(&s, 60, 4, 0.4);
    quarry_dense two = {2, DIM, DIM, s.dense};
    assert_int_equal(run(t, NULL, &two, 0, 1, labels, &out, err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "too few"));
    assert_int_equal(run(t, NULL, &s.d, 61, 1, labels, &out, err),
                     QUARRY_ERANGE);
    assert_int_equal(run(t, NULL, &s.d, -3, 1, labels, &out, err),
                     QUARRY_ERANGE);
}

static void test_k_min_above_k_max(void **state)
{
    pt *t = *state;
    data s;
    int32_t labels[MAXN];
    quarry_cluster_output out;
    char err[QUARRY_ERR_MAX];
    pt_open_ok(t, ENTRY, KIND, NAME,
               PT_OPTS("silhouette.k_min=9", "silhouette.k_max=4"));
    make_rows(&s, 60, 4, 0.4);
    assert_int_equal(run(t, NULL, &s.d, 0, 1, labels, &out, err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "k_min"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),        PT_BOTH(test_chooses_k),
        PT_BOTH(test_choice_is_best),    PT_BOTH(test_given_k),
        PT_BOTH(test_deterministic),     PT_BOTH(test_refused),
        PT_BOTH(test_k_min_above_k_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
