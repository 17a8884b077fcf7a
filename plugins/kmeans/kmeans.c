/*
 * kmeans.c -- the default clusterer: spherical k-means. Rows are unit
 * vectors (tf-idf rows, or LSA rows), so similarity is the dot product and a
 * centroid is the L2-normalised mean of its members (Dhillon & Modha 2001).
 * Seeding is k-means++ on 1 - cos, n_init restarts keep the best objective
 * (the sum of member-to-centroid cosines), and every random choice comes
 * from a small PRNG seeded from the caller's seed, so a seed gives the same
 * clusters on every machine with the same BLAS.
 *
 * Memory stays linear in the data: dense rows are scored against the
 * centroids through the host's SGEMM a block of rows at a time (never an
 * N x N matrix), sparse rows through a kernel over their non-zeros with the
 * centroids laid out term-major, so the inner loop runs over k contiguous
 * floats. The sparse path never densifies the document-term matrix.
 */
#include <quarry/plugin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows scored per SGEMM call: 4096 x k floats of scores stays in cache
 * for small k and bounds the work memory whatever the corpus size. */
#define KM_BLOCK 4096

/* Centroid scores of a sparse row are summed this many at a time. */
#define KM_LANES 8

typedef struct km_config {
    int64_t n_init;
    int64_t max_iter;
    double tol;
    int use_dense;
} km_config;

static const quarry_option km_options[] = {
    {"n_init", QUARRY_OPT_INT, offsetof(km_config, n_init), "3", 1, 100, NULL,
     "restarts from new seeds; the best objective wins"},
    {"max_iter", QUARRY_OPT_INT, offsetof(km_config, max_iter), "100", 1,
     10000, NULL, "iterations per restart at most"},
    {"tol", QUARRY_OPT_DOUBLE, offsetof(km_config, tol), "1e-4", 0, 1, NULL,
     "stop when the objective grows by less than this fraction"},
    {"use_dense", QUARRY_OPT_BOOL, offsetof(km_config, use_dense), "true", 0,
     -1, NULL, "cluster the dense reduced rows when the host has them"},
    QUARRY_OPTIONS_END};

typedef struct km {
    km_config cfg;
    /* A copy of the host table: plugin.h promises it for create() only,
     * and cluster() needs sgemm and progress. Fields the host does not
     * know (a smaller size) are left NULL. */
    quarry_host host;
} km;

/* ------------------------------------------------------------------ */
/* Randomness: xoshiro256** seeded through splitmix64 (Vigna), so the
 * stream depends only on (seed, restart), not on the C library.       */

typedef struct km_rng {
    uint64_t s[4];
} km_rng;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void rng_seed(km_rng *r, uint64_t seed, uint64_t restart)
{
    /* Mix the restart index first so that seeds s and s+1 do not share
     * streams shifted by one restart. */
    uint64_t mix = restart;
    uint64_t state = seed ^ splitmix64(&mix);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&state);
}

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(km_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_unit(km_rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* ------------------------------------------------------------------ */
/* The rows being clustered: one of the two views the host offers.     */

typedef struct km_data {
    int64_t n, dim;
    const quarry_dense *dense; /* exactly one of dense and x is set */
    const quarry_csr *x;
} km_data;

static double row_dot(const km_data *d, int64_t i, const float *c)
{
    double s = 0.0;
    if (d->dense != NULL) {
        const float *row = d->dense->data + i * d->dense->ld;
        for (int64_t j = 0; j < d->dim; j++)
            s += (double)row[j] * c[j];
    } else {
        for (int64_t p = d->x->row_ptr[i]; p < d->x->row_ptr[i + 1]; p++)
            s += (double)d->x->values[p] * c[d->x->col_idx[p]];
    }
    return s;
}

/* c += row i (c is dim floats). */
static void row_add(const km_data *d, int64_t i, float *c)
{
    if (d->dense != NULL) {
        const float *row = d->dense->data + i * d->dense->ld;
        for (int64_t j = 0; j < d->dim; j++)
            c[j] += row[j];
    } else {
        for (int64_t p = d->x->row_ptr[i]; p < d->x->row_ptr[i + 1]; p++)
            c[d->x->col_idx[p]] += d->x->values[p];
    }
}

/* Scale to unit length; returns the length before (0 leaves c zero). */
static double normalise(float *c, int64_t dim)
{
    double ss = 0.0;
    for (int64_t j = 0; j < dim; j++)
        ss += (double)c[j] * c[j];
    double norm = sqrt(ss);
    if (norm > 0.0) {
        double inv = 1.0 / norm;
        for (int64_t j = 0; j < dim; j++)
            c[j] = (float)(c[j] * inv);
    }
    return norm;
}

/* ------------------------------------------------------------------ */
/* One run of Lloyd's iterations                                        */

typedef struct km_work {
    int32_t k;
    float *c;         /* k x dim centroids, row-major, unit length */
    float *ct;        /* sparse only: dim x kp, the centroids term-major */
    float *scores;    /* block x k similarities (sparse: kp) */
    float *best;      /* n: similarity of each row to its centroid */
    double *dist;     /* n: k-means++ weights */
    int32_t *labels;  /* n */
    int64_t *count;   /* k */
    int64_t block;
    int64_t kp; /* k rounded up to KM_LANES */
} km_work;

/* k-means++ (Arthur & Vassilvitskii 2007): each new seed is a row drawn
 * with probability proportional to its distance to the nearest seed so
 * far. For unit vectors 1 - cos = |x - c|^2 / 2, so weighing by 1 - cos is
 * the D^2 weighting of the original. */
static void seed_plusplus(const km_data *d, km_work *w, km_rng *rng)
{
    int64_t first = (int64_t)(rng_unit(rng) * (double)d->n);
    memset(w->c, 0, (size_t)w->k * (size_t)d->dim * sizeof *w->c);
    row_add(d, first, w->c);
    normalise(w->c, d->dim);
    for (int64_t i = 0; i < d->n; i++)
        w->dist[i] = fmax(0.0, 1.0 - row_dot(d, i, w->c));

    for (int32_t j = 1; j < w->k; j++) {
        double total = 0.0;
        for (int64_t i = 0; i < d->n; i++)
            total += w->dist[i];
        int64_t pick = -1;
        if (total > 0.0) {
            double r = rng_unit(rng) * total;
            for (int64_t i = 0; i < d->n; i++) {
                if (w->dist[i] <= 0.0)
                    continue; /* a seed already, or its duplicate */
                pick = i;     /* rounding may leave r >= 0: the last wins */
                r -= w->dist[i];
                if (r < 0.0)
                    break;
            }
        } else {
            /* Fewer distinct rows than k: any row; the duplicate seed
             * empties a cluster, which the iterations then re-seed. */
            pick = (int64_t)(rng_unit(rng) * (double)d->n);
        }
        float *cj = w->c + (size_t)j * (size_t)d->dim;
        row_add(d, pick, cj);
        normalise(cj, d->dim);
        for (int64_t i = 0; i < d->n; i++)
            w->dist[i] = fmin(w->dist[i], fmax(0.0, 1.0 - row_dot(d, i, cj)));
    }
}

/* Row-major S = X C^T without a BLAS, for a host that offers none. */
static void sgemm_nt_fallback(int64_t m, int64_t n, int64_t kk, const float *a,
                              int64_t lda, const float *b, int64_t ldb,
                              float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0.0;
            for (int64_t t = 0; t < kk; t++)
                s += (double)a[i * lda + t] * b[j * ldb + t];
            c[i * ldc + j] = (float)s;
        }
}

/* Label of the best score of one row; ties go to the lower label. */
static void pick_best(km_work *w, int64_t i, const float *s, int64_t *changed)
{
    int32_t arg = 0;
    float top = s[0];
    for (int32_t j = 1; j < w->k; j++)
        if (s[j] > top) {
            top = s[j];
            arg = j;
        }
    if (w->labels[i] != arg)
        (*changed)++;
    w->labels[i] = arg;
    w->best[i] = top;
}

/* Assignment step: every row to its most similar centroid. */
static int64_t assign(const km_data *d, km_work *w, const quarry_host *host)
{
    int64_t changed = 0, k = w->k, dim = d->dim;
    if (d->dense != NULL) {
        for (int64_t r0 = 0; r0 < d->n; r0 += w->block) {
            int64_t m = d->n - r0 < w->block ? d->n - r0 : w->block;
            const float *a = d->dense->data + r0 * d->dense->ld;
            if (host->sgemm != NULL)
                host->sgemm(host->ctx, QUARRY_NO_TRANS, QUARRY_TRANS, m, k,
                            dim, 1.0f, a, d->dense->ld, w->c, dim, 0.0f,
                            w->scores, k);
            else
                sgemm_nt_fallback(m, k, dim, a, d->dense->ld, w->c, dim,
                                  w->scores, k);
            for (int64_t i = 0; i < m; i++)
                pick_best(w, r0 + i, w->scores + i * k, &changed);
        }
        return changed;
    }
    /* Sparse: C^T term-major, k padded to kp lanes with zeros, so a
     * non-zero (t, v) adds v * C^T[t][0..kp) from one contiguous row. */
    int64_t kp = w->kp;
    for (int64_t t = 0; t < dim; t++)
        for (int64_t j = 0; j < kp; j++)
            w->ct[t * kp + j] = j < k ? w->c[j * dim + t] : 0.0f;
    for (int64_t i = 0; i < d->n; i++) {
        const int64_t p0 = d->x->row_ptr[i], p1 = d->x->row_ptr[i + 1];
        for (int64_t j0 = 0; j0 < kp; j0 += KM_LANES) {
            /* A fixed-width local accumulator: no aliasing with ct, a
             * trip count the compiler knows, so it becomes SIMD at -O2. */
            float acc[KM_LANES] = {0};
            for (int64_t p = p0; p < p1; p++) {
                const float v = d->x->values[p];
                const float *ct = w->ct + (int64_t)d->x->col_idx[p] * kp + j0;
                for (int l = 0; l < KM_LANES; l++)
                    acc[l] += v * ct[l];
            }
            memcpy(w->scores + j0, acc, sizeof acc);
        }
        pick_best(w, i, w->scores, &changed);
    }
    return changed;
}

/* An empty cluster takes the row farthest from its own centroid among
 * clusters that can spare one, so no cluster is lost; k <= n guarantees a
 * donor. */
static void fill_empty(const km_data *d, km_work *w)
{
    memset(w->count, 0, (size_t)w->k * sizeof *w->count);
    for (int64_t i = 0; i < d->n; i++)
        w->count[w->labels[i]]++;
    for (int32_t j = 0; j < w->k; j++) {
        if (w->count[j] > 0)
            continue;
        int64_t far = -1;
        for (int64_t i = 0; i < d->n; i++)
            if (w->count[w->labels[i]] > 1 && (far < 0 || w->best[i] < w->best[far]))
                far = i;
        if (far < 0)
            break; /* cannot happen when k <= n */
        w->count[w->labels[far]]--;
        w->labels[far] = j;
        w->count[j] = 1;
        w->best[far] = 1.0f;
    }
}

/* Update step: centroids = normalised sums of members. For unit rows the
 * sum of member-to-centroid cosines is then the sum of the lengths of the
 * member sums, which is the objective, had for free. */
static double update(const km_data *d, km_work *w)
{
    double objective = 0.0;
    memset(w->c, 0, (size_t)w->k * (size_t)d->dim * sizeof *w->c);
    for (int64_t i = 0; i < d->n; i++)
        row_add(d, i, w->c + (size_t)w->labels[i] * (size_t)d->dim);
    for (int32_t j = 0; j < w->k; j++)
        objective += normalise(w->c + (size_t)j * (size_t)d->dim, d->dim);
    return objective;
}

/* ------------------------------------------------------------------ */

static int check_input(const km *me, const quarry_cluster_input *in,
                       quarry_cluster_output *out, km_data *d, char *err)
{
    if (in == NULL || out == NULL || in->size < sizeof *in ||
        out->size < sizeof *out || out->labels == NULL) {
        snprintf(err, QUARRY_ERR_MAX,
                 "kmeans: missing or short input/output structs, or no labels");
        return QUARRY_EINVAL;
    }
    memset(d, 0, sizeof *d);
    if (in->dense != NULL && (me->cfg.use_dense || in->x == NULL)) {
        const quarry_dense *x = in->dense;
        if (x->rows < 0 || x->cols < 1 || x->ld < x->cols ||
            (x->rows > 0 && x->data == NULL)) {
            snprintf(err, QUARRY_ERR_MAX,
                     "kmeans: malformed dense matrix (%lld x %lld, ld %lld)",
                     (long long)x->rows, (long long)x->cols, (long long)x->ld);
            return QUARRY_EINVAL;
        }
        d->dense = x;
        d->n = x->rows;
        d->dim = x->cols;
    } else if (in->x != NULL) {
        const quarry_csr *x = in->x;
        if (x->rows < 0 || x->cols < 1 || x->row_ptr == NULL ||
            (x->row_ptr[x->rows] > 0 &&
             (x->col_idx == NULL || x->values == NULL))) {
            snprintf(err, QUARRY_ERR_MAX, "kmeans: malformed sparse matrix");
            return QUARRY_EINVAL;
        }
        for (int64_t p = 0; p < x->row_ptr[x->rows]; p++)
            if (x->col_idx[p] < 0 || x->col_idx[p] >= x->cols) {
                snprintf(err, QUARRY_ERR_MAX,
                         "kmeans: sparse matrix entry %lld: column %ld "
                         "outside 0..%lld",
                         (long long)p, (long)x->col_idx[p],
                         (long long)x->cols - 1);
                return QUARRY_EINVAL;
            }
        d->x = x;
        d->n = x->rows;
        d->dim = x->cols;
    } else {
        snprintf(err, QUARRY_ERR_MAX, "kmeans: no rows given (neither sparse "
                                      "nor dense)");
        return QUARRY_EINVAL;
    }
    if (in->k == 0) {
        snprintf(err, QUARRY_ERR_MAX,
                 "kmeans: k = 0 asks the clusterer to choose the number of "
                 "clusters, which kmeans does not do; give k (1..%lld)",
                 (long long)d->n);
        return QUARRY_ERANGE;
    }
    if (in->k < 1 || in->k > d->n) {
        snprintf(err, QUARRY_ERR_MAX,
                 "kmeans: k = %ld is out of range: it must be 1..%lld (the "
                 "number of rows)",
                 (long)in->k, (long long)d->n);
        return QUARRY_ERANGE;
    }
    if (out->centroids != NULL && out->max_clusters < in->k) {
        snprintf(err, QUARRY_ERR_MAX,
                 "kmeans: room for %ld centroids, k = %ld",
                 (long)out->max_clusters, (long)in->k);
        return QUARRY_ERANGE;
    }
    return QUARRY_OK;
}

static void work_free(km_work *w)
{
    free(w->c);
    free(w->ct);
    free(w->scores);
    free(w->best);
    free(w->dist);
    free(w->labels);
    free(w->count);
}

static int km_cluster(void *self, const quarry_cluster_input *in,
                      quarry_cluster_output *out, char *err)
{
    km *me = self;
    km_data d;
    km_work w;
    int rc = check_input(me, in, out, &d, err);
    if (rc != QUARRY_OK)
        return rc;

    memset(&w, 0, sizeof w);
    w.k = in->k;
    w.block = d.dense != NULL ? (d.n < KM_BLOCK ? d.n : KM_BLOCK) : 1;
    w.kp = (w.k + KM_LANES - 1) / KM_LANES * KM_LANES;
    size_t kd = (size_t)w.k * (size_t)d.dim;
    w.c = malloc(kd * sizeof *w.c);
    w.ct = d.x != NULL ? malloc((size_t)w.kp * (size_t)d.dim * sizeof *w.ct)
                       : NULL;
    w.scores = malloc((size_t)w.block * (size_t)w.kp * sizeof *w.scores);
    w.best = malloc((size_t)d.n * sizeof *w.best);
    w.dist = malloc((size_t)d.n * sizeof *w.dist);
    w.labels = malloc((size_t)d.n * sizeof *w.labels);
    w.count = malloc((size_t)w.k * sizeof *w.count);
    if (w.c == NULL || (d.x != NULL && w.ct == NULL) || w.scores == NULL ||
        w.best == NULL || w.dist == NULL || w.labels == NULL ||
        w.count == NULL) {
        snprintf(err, QUARRY_ERR_MAX,
                 "kmeans: out of memory (%lld rows, %lld dims, k = %ld)",
                 (long long)d.n, (long long)d.dim, (long)w.k);
        rc = QUARRY_ENOMEM;
        goto out;
    }

    double best_objective = -INFINITY;
    int64_t total = me->cfg.n_init * me->cfg.max_iter;
    for (int64_t run = 0; run < me->cfg.n_init; run++) {
        km_rng rng;
        rng_seed(&rng, in->seed, (uint64_t)run);
        seed_plusplus(&d, &w, &rng);
        for (int64_t i = 0; i < d.n; i++)
            w.labels[i] = -1;

        double objective = 0.0, previous = 0.0;
        for (int64_t it = 0; it < me->cfg.max_iter; it++) {
            int64_t changed = assign(&d, &w, &me->host);
            fill_empty(&d, &w);
            objective = update(&d, &w);
            if (me->host.progress != NULL &&
                me->host.progress(me->host.ctx, run * me->cfg.max_iter + it + 1,
                                  total) != 0) {
                snprintf(err, QUARRY_ERR_MAX,
                         "kmeans: cancelled (restart %lld, iteration %lld)",
                         (long long)run + 1, (long long)it + 1);
                rc = QUARRY_ECANCELED;
                goto out;
            }
            /* Labels stable: the centroids will not move again. */
            if (changed == 0)
                break;
            if (it > 0 && objective - previous < me->cfg.tol * fabs(objective))
                break;
            previous = objective;
        }
        /* Strictly better, so ties keep the earlier restart. */
        if (objective > best_objective) {
            best_objective = objective;
            memcpy(out->labels, w.labels, (size_t)d.n * sizeof *w.labels);
            if (out->centroids != NULL)
                memcpy(out->centroids, w.c, kd * sizeof *w.c);
        }
    }
    out->dim = d.dim;
    out->n_clusters = w.k;
    out->objective = best_objective;
    out->used_dense = d.dense != NULL;
    rc = QUARRY_OK;
out:
    work_free(&w);
    return rc;
}

static int km_create(void **self, const void *config, const quarry_host *host,
                     char *err)
{
    km *me = calloc(1, sizeof *me);
    if (me == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "kmeans: out of memory");
        return QUARRY_ENOMEM;
    }
    me->cfg = *(const km_config *)config;
    if (host != NULL) {
        /* Copy only what this host has: a host built against an older
         * header has a smaller table. */
        size_t n = host->size < sizeof me->host ? host->size : sizeof me->host;
        memcpy(&me->host, host, n);
        me->host.size = (uint32_t)n;
    }
    *self = me;
    return QUARRY_OK;
}

static void km_destroy(void *self) { free(self); }

static const quarry_plugin km_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "kmeans",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "spherical k-means (cosine), k-means++ seeding, restarts",
    .author = "quarry developers",
    .config_size = sizeof(km_config),
    .options = km_options,
    .create = km_create,
    .destroy = km_destroy,
    .needs = QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE,
    .cluster = km_cluster,
};

static const quarry_plugin *const km_all[] = {&km_plugin, NULL};
QUARRY_PLUGIN_ENTRY(clusterer_kmeans) { return km_all; }
