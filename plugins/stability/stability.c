/*
 * stability.c -- a clusterer that chooses k by clustering stability (k = 0,
 * what `quarry themes --k auto` asks for). For every k in k_min..k_max it
 * runs spherical k-means on `pairs` pairs of random subsamples, extends each
 * run's partition to every row by nearest centroid, and measures how well
 * the two partitions of a pair agree with the adjusted Rand index (Hubert &
 * Arabie 1985). A k that matches structure in the data is found again from
 * other rows; a k that cuts a real group in two, or joins two, does so
 * differently each time (Ben-Hur, Elisseeff & Guyon 2002; Lange, Roth,
 * Braun & Buhmann 2004). The k of highest mean agreement is chosen, ties
 * (within 1e-6) to the larger k; then spherical k-means with n_init
 * restarts clusters all rows at that k.
 *
 * The same subsamples serve every k (common random numbers), so the
 * differences between k come from k and not from the draw. Seeding is
 * greedy k-means++, so a poor local optimum of one run is rare and does not
 * read as instability. Dense rows are scored against centroids through the
 * host's SGEMM a block at a time; memory is O(N + sample x dim + k x dim),
 * never N x N. Given k > 0 it is spherical k-means at that k.
 */
#include <quarry/plugin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agglomerative/hac.h"

/* Rows scored per SGEMM call. */
#define ST_BLOCK 2048

typedef struct st_config {
    int64_t k_min, k_max, pairs, sample;
    double fraction;
    int64_t iter, sub_init, n_init;
    int use_dense;
} st_config;

static const quarry_option st_options[] = {
    {"k_min", QUARRY_OPT_INT, offsetof(st_config, k_min), "2", 2, 1000, NULL,
     "smallest k tried"},
    {"k_max", QUARRY_OPT_INT, offsetof(st_config, k_max), "20", 2, 1000, NULL,
     "largest k tried (at most the rows of a subsample)"},
    {"pairs", QUARRY_OPT_INT, offsetof(st_config, pairs), "5", 1, 100, NULL,
     "pairs of subsamples compared for each k"},
    {"sample", QUARRY_OPT_INT, offsetof(st_config, sample), "2000", 10,
     1000000, NULL, "rows in a subsample at most (see fraction)"},
    {"fraction", QUARRY_OPT_DOUBLE, offsetof(st_config, fraction), "0.5", 0.1,
     0.95, NULL, "rows in a subsample at most, as a share of all rows"},
    {"iter", QUARRY_OPT_INT, offsetof(st_config, iter), "30", 1, 1000, NULL,
     "k-means iterations per subsample run at most"},
    {"sub_init", QUARRY_OPT_INT, offsetof(st_config, sub_init), "1", 1, 100,
     NULL, "k-means restarts per subsample run; the best objective wins"},
    {"n_init", QUARRY_OPT_INT, offsetof(st_config, n_init), "3", 1, 100, NULL,
     "restarts of the final k-means on all rows; the best objective wins"},
    {"use_dense", QUARRY_OPT_BOOL, offsetof(st_config, use_dense), "true", 0,
     -1, NULL, "cluster the dense reduced rows when the host has them"},
    QUARRY_OPTIONS_END};

typedef struct st {
    st_config cfg;
    quarry_host host;
} st;

/* ------------------------------------------------------------------ */
/* Spherical k-means over a hac_rows view                               */

typedef struct km_work {
    int32_t kmax;
    int64_t nmax, dim;
    float *c;       /* kmax x dim, unit centroids */
    float *scores;  /* ST_BLOCK x kmax */
    float *best;    /* nmax: similarity to the own centroid */
    double *dist;   /* nmax: k-means++ weights */
    int64_t *count; /* kmax */
    float *tmp;     /* tries x dim: candidate seeds */
} km_work;

static void work_free(km_work *w)
{
    free(w->c);
    free(w->scores);
    free(w->best);
    free(w->dist);
    free(w->count);
    free(w->tmp);
}

static int work_alloc(km_work *w, int32_t kmax, int64_t nmax, int64_t dim)
{
    memset(w, 0, sizeof *w);
    w->kmax = kmax;
    w->nmax = nmax;
    w->dim = dim;
    w->c = malloc((size_t)kmax * (size_t)dim * sizeof *w->c);
    w->scores = malloc((size_t)ST_BLOCK * (size_t)kmax * sizeof *w->scores);
    w->best = malloc((size_t)nmax * sizeof *w->best);
    w->dist = malloc((size_t)nmax * sizeof *w->dist);
    w->count = malloc((size_t)kmax * sizeof *w->count);
    w->tmp = malloc((size_t)(2 + (int32_t)log((double)kmax)) * (size_t)dim *
                    sizeof *w->tmp);
    if (w->c == NULL || w->scores == NULL || w->best == NULL ||
        w->dist == NULL || w->count == NULL || w->tmp == NULL) {
        work_free(w);
        memset(w, 0, sizeof *w);
        return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

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

/* Label every row of r with its most similar of the k centroids c (ties
 * to the lower label); best[i] gets the similarity. Returns how many
 * labels changed. */
static int64_t assign(const hac_rows *r, const float *c, int32_t k,
                      const quarry_host *host, float *scores, int32_t *labels,
                      float *best)
{
    int64_t changed = 0;
    for (int64_t r0 = 0; r0 < r->n; r0 += ST_BLOCK) {
        int64_t m = r->n - r0 < ST_BLOCK ? r->n - r0 : ST_BLOCK;
        if (r->dense != NULL) {
            hac_gemm_nt(host, m, k, r->dim, r->dense->data + r0 * r->dense->ld,
                        r->dense->ld, c, r->dim, scores, k);
        } else {
            for (int64_t i = 0; i < m; i++)
                for (int32_t j = 0; j < k; j++)
                    scores[i * k + j] =
                        (float)hac_row_dot(r, r0 + i, c + (size_t)j * r->dim);
        }
        for (int64_t i = 0; i < m; i++) {
            const float *s = scores + i * k;
            int32_t arg = 0;
            for (int32_t j = 1; j < k; j++)
                if (s[j] > s[arg])
                    arg = j;
            if (labels[r0 + i] != arg)
                changed++;
            labels[r0 + i] = arg;
            if (best != NULL)
                best[r0 + i] = s[arg];
        }
    }
    return changed;
}

/* Draw a row with probability proportional to dist[] (uniform when every
 * row is at distance 0). */
static int64_t draw_d2(const double *dist, int64_t n, double total,
                       hac_rng *rng)
{
    int64_t pick = -1;
    if (!(total > 0.0))
        return (int64_t)(hac_rng_unit(rng) * (double)n);
    double u = hac_rng_unit(rng) * total;
    for (int64_t i = 0; i < n; i++) {
        if (dist[i] <= 0.0)
            continue;
        pick = i; /* rounding may leave u >= 0: the last wins */
        u -= dist[i];
        if (u < 0.0)
            break;
    }
    return pick;
}

/* Greedy k-means++ on 1 - cos (Arthur & Vassilvitskii 2007, the variant
 * scikit-learn uses): each new seed is the best of 2 + ln k candidates
 * drawn in proportion to their distance to the nearest seed so far, best
 * meaning the lowest total distance once it is added. It makes a single
 * run far less likely to end in a poor local optimum, which would read
 * as instability of k. */
static void seed_plusplus(const hac_rows *r, int32_t k, km_work *w,
                          hac_rng *rng, const quarry_host *host)
{
    int64_t n = r->n, dim = r->dim;
    int32_t tries = 2 + (int32_t)log((double)k);
    int64_t first = (int64_t)(hac_rng_unit(rng) * (double)n);
    double pot[64];
    if (tries > 64)
        tries = 64;
    memset(w->c, 0, (size_t)k * (size_t)dim * sizeof *w->c);
    hac_row_add(r, first, w->c);
    normalise(w->c, dim);
    for (int64_t i = 0; i < n; i++)
        w->dist[i] = fmax(0.0, 1.0 - hac_row_dot(r, i, w->c));
    for (int32_t j = 1; j < k; j++) {
        double total = 0.0, best_pot = INFINITY;
        float *cj = w->c + (size_t)j * (size_t)dim;
        int32_t best = 0;
        for (int64_t i = 0; i < n; i++)
            total += w->dist[i];
        /* the candidates, unit rows of tmp */
        memset(w->tmp, 0, (size_t)tries * (size_t)dim * sizeof *w->tmp);
        for (int32_t t = 0; t < tries; t++) {
            float *ct = w->tmp + (size_t)t * (size_t)dim;
            hac_row_add(r, draw_d2(w->dist, n, total, rng), ct);
            normalise(ct, dim);
            pot[t] = 0.0;
        }
        /* the total distance with each candidate added */
        for (int64_t r0 = 0; r0 < n; r0 += ST_BLOCK) {
            int64_t m = n - r0 < ST_BLOCK ? n - r0 : ST_BLOCK;
            if (r->dense != NULL)
                hac_gemm_nt(host, m, tries, dim,
                            r->dense->data + r0 * r->dense->ld, r->dense->ld,
                            w->tmp, dim, w->scores, tries);
            else
                for (int64_t i = 0; i < m; i++)
                    for (int32_t t = 0; t < tries; t++)
                        w->scores[i * tries + t] = (float)hac_row_dot(
                            r, r0 + i, w->tmp + (size_t)t * (size_t)dim);
            for (int64_t i = 0; i < m; i++)
                for (int32_t t = 0; t < tries; t++)
                    pot[t] += fmin(w->dist[r0 + i],
                                   fmax(0.0, 1.0 - w->scores[i * tries + t]));
        }
        for (int32_t t = 0; t < tries; t++)
            if (pot[t] < best_pot) { /* ties keep the earlier candidate */
                best_pot = pot[t];
                best = t;
            }
        memcpy(cj, w->tmp + (size_t)best * (size_t)dim,
               (size_t)dim * sizeof *cj);
        for (int64_t i = 0; i < n; i++)
            w->dist[i] =
                fmin(w->dist[i], fmax(0.0, 1.0 - hac_row_dot(r, i, cj)));
    }
}

/* An empty cluster takes the row least similar to its own centroid from a
 * cluster that can spare it, so k holds (k <= rows). */
static void fill_empty(const hac_rows *r, int32_t k, km_work *w,
                       int32_t *labels)
{
    memset(w->count, 0, (size_t)k * sizeof *w->count);
    for (int64_t i = 0; i < r->n; i++)
        w->count[labels[i]]++;
    for (int32_t j = 0; j < k; j++) {
        int64_t far = -1;
        if (w->count[j] > 0)
            continue;
        for (int64_t i = 0; i < r->n; i++)
            if (w->count[labels[i]] > 1 &&
                (far < 0 || w->best[i] < w->best[far]))
                far = i;
        if (far < 0)
            break;
        w->count[labels[far]]--;
        labels[far] = j;
        w->count[j] = 1;
        w->best[far] = 1.0f;
    }
}

/* Centroids = normalised member sums; returns the objective, the sum of
 * member-to-centroid cosines (the lengths of the sums). */
static double update(const hac_rows *r, int32_t k, km_work *w,
                     const int32_t *labels)
{
    double objective = 0.0;
    memset(w->c, 0, (size_t)k * (size_t)r->dim * sizeof *w->c);
    for (int64_t i = 0; i < r->n; i++)
        hac_row_add(r, i, w->c + (size_t)labels[i] * (size_t)r->dim);
    for (int32_t j = 0; j < k; j++)
        objective += normalise(w->c + (size_t)j * (size_t)r->dim, r->dim);
    return objective;
}

/* One run from k-means++ seeds: labels[r->n] and w->c. Returns the
 * objective. */
static double kmeans_run(const hac_rows *r, int32_t k, int64_t iters,
                         hac_rng *rng, const quarry_host *host, km_work *w,
                         int32_t *labels)
{
    double objective = 0.0, previous = 0.0;
    seed_plusplus(r, k, w, rng, host);
    for (int64_t i = 0; i < r->n; i++)
        labels[i] = -1;
    for (int64_t it = 0; it < iters; it++) {
        int64_t changed = assign(r, w->c, k, host, w->scores, labels, w->best);
        fill_empty(r, k, w, labels);
        objective = update(r, k, w, labels);
        if (changed == 0)
            break;
        if (it > 0 && objective - previous < 1e-4 * fabs(objective))
            break;
        previous = objective;
    }
    return objective;
}

/* ------------------------------------------------------------------ */
/* Agreement                                                            */

/* Adjusted Rand index of two labelings of n rows, labels in 0..k-1.
 * table: k x k int64 of scratch. Two partitions that are both a single
 * cluster agree: 1. */
static double ari(const int32_t *a, const int32_t *b, int64_t n, int32_t k,
                  int64_t *table)
{
    double sum_ij = 0.0, sum_a = 0.0, sum_b = 0.0, pairs, expected, top;
    memset(table, 0, (size_t)k * (size_t)k * sizeof *table);
    for (int64_t i = 0; i < n; i++)
        table[(size_t)a[i] * (size_t)k + (size_t)b[i]]++;
    for (int32_t i = 0; i < k; i++) {
        int64_t ra = 0, rb = 0;
        for (int32_t j = 0; j < k; j++) {
            double v = (double)table[(size_t)i * k + j];
            sum_ij += v * (v - 1.0) / 2.0;
            ra += table[(size_t)i * k + j];
            rb += table[(size_t)j * k + i];
        }
        sum_a += (double)ra * ((double)ra - 1.0) / 2.0;
        sum_b += (double)rb * ((double)rb - 1.0) / 2.0;
    }
    pairs = (double)n * ((double)n - 1.0) / 2.0;
    expected = pairs > 0.0 ? sum_a * sum_b / pairs : 0.0;
    top = 0.5 * (sum_a + sum_b);
    if (top - expected == 0.0)
        return 1.0;
    return (sum_ij - expected) / (top - expected);
}

/* ------------------------------------------------------------------ */
/* Subsamples                                                           */

typedef struct subsample {
    int64_t s;
    quarry_dense d; /* dense: the gathered rows */
    quarry_csr x;   /* sparse: the gathered rows */
    hac_rows r;
} subsample;

static void subsample_free(subsample *u)
{
    free(u->d.data);
    free(u->x.row_ptr);
    free(u->x.col_idx);
    free(u->x.values);
}

static int subsample_alloc(subsample *u, const hac_rows *r, int64_t s)
{
    memset(u, 0, sizeof *u);
    u->s = s;
    u->r.n = s;
    u->r.dim = r->dim;
    if (r->dense != NULL) {
        u->d = (quarry_dense){s, r->dim, r->dim, NULL};
        u->d.data = malloc((size_t)s * (size_t)r->dim * sizeof *u->d.data);
        u->r.dense = &u->d;
        return u->d.data != NULL ? QUARRY_OK : QUARRY_ENOMEM;
    }
    int64_t nnz = r->x->row_ptr[r->x->rows];
    u->x = (quarry_csr){s, r->dim, NULL, NULL, NULL};
    u->x.row_ptr = malloc((size_t)(s + 1) * sizeof *u->x.row_ptr);
    u->x.col_idx = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *u->x.col_idx);
    u->x.values = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *u->x.values);
    u->r.x = &u->x;
    return u->x.row_ptr != NULL && u->x.col_idx != NULL &&
                   u->x.values != NULL
               ? QUARRY_OK
               : QUARRY_ENOMEM;
}

/* Draw s rows without replacement (a seeded partial Fisher-Yates shuffle
 * of perm, which stays a permutation) and gather them into u. */
static void subsample_draw(subsample *u, const hac_rows *r, int64_t *perm,
                           uint64_t seed, uint64_t stream)
{
    hac_rng rng;
    int64_t s = u->s, n = r->n, nnz = 0;
    hac_rng_seed(&rng, seed, stream);
    for (int64_t t = 0; t < s; t++) {
        int64_t j = t + (int64_t)(hac_rng_unit(&rng) * (double)(n - t));
        int64_t v = perm[t];
        perm[t] = perm[j];
        perm[j] = v;
    }
    for (int64_t t = 0; t < s; t++) {
        int64_t i = perm[t];
        if (r->dense != NULL) {
            memcpy(u->d.data + t * r->dim, r->dense->data + i * r->dense->ld,
                   (size_t)r->dim * sizeof *u->d.data);
            continue;
        }
        u->x.row_ptr[t] = nnz;
        for (int64_t p = r->x->row_ptr[i]; p < r->x->row_ptr[i + 1]; p++) {
            u->x.col_idx[nnz] = r->x->col_idx[p];
            u->x.values[nnz++] = r->x->values[p];
        }
    }
    if (r->dense == NULL)
        u->x.row_ptr[s] = nnz;
}


/* ------------------------------------------------------------------ */

/* Streams of the random choices, so each depends on (seed, what) only. */
#define STREAM_SUBSAMPLE 0x5375627300000000u
#define STREAM_KMEANS 0x4b6d65616e000000u
#define STREAM_FINAL 0x46696e616c000000u

/* Mean ARI over the pairs for each k in lo..hi into score[k - lo]. */
static int measure(st *me, const hac_rows *r, uint64_t seed, int32_t lo,
                   int32_t hi, double *score, double *spread, char *err)
{
    int64_t n = r->n, s, pairs = me->cfg.pairs;
    int64_t *perm = NULL, *table = NULL;
    int32_t *sub_lab = NULL, *lab_a = NULL, *lab_b = NULL;
    float *cbest = NULL;
    subsample u;
    km_work w;
    int rc = QUARRY_ENOMEM;

    s = (int64_t)floor(me->cfg.fraction * (double)n);
    if (s > me->cfg.sample)
        s = me->cfg.sample;
    if (s < hi)
        s = hi;
    memset(&w, 0, sizeof w);
    if (subsample_alloc(&u, r, s) != QUARRY_OK ||
        work_alloc(&w, hi, n, r->dim) != QUARRY_OK)
        goto out;
    perm = malloc((size_t)n * sizeof *perm);
    table = malloc((size_t)hi * (size_t)hi * sizeof *table);
    sub_lab = malloc((size_t)s * sizeof *sub_lab);
    lab_a = malloc((size_t)n * sizeof *lab_a);
    lab_b = malloc((size_t)n * sizeof *lab_b);
    cbest = malloc((size_t)hi * (size_t)r->dim * sizeof *cbest);
    if (perm == NULL || table == NULL || sub_lab == NULL || lab_a == NULL ||
        lab_b == NULL || cbest == NULL)
        goto out;
    for (int32_t k = lo; k <= hi; k++) {
        double sum = 0.0, sum2 = 0.0;
        for (int64_t p = 0; p < pairs; p++) {
            for (int side = 0; side < 2; side++) {
                hac_rng rng;
                uint64_t id = (uint64_t)p * 2u + (uint64_t)side;
                /* The same draws for every k: perm restarts as identity. */
                for (int64_t i = 0; i < n; i++)
                    perm[i] = i;
                subsample_draw(&u, r, perm, seed, STREAM_SUBSAMPLE + id);
                double top = -INFINITY;
                for (int64_t t = 0; t < me->cfg.sub_init; t++) {
                    hac_rng_seed(&rng, seed,
                                 STREAM_KMEANS + ((uint64_t)k << 24) +
                                     ((uint64_t)t << 16) + id);
                    double obj = kmeans_run(&u.r, k, me->cfg.iter, &rng,
                                            &me->host, &w, sub_lab);
                    if (obj > top) {
                        top = obj;
                        memcpy(cbest, w.c,
                               (size_t)k * (size_t)r->dim * sizeof *cbest);
                    }
                }
                for (int64_t i = 0; i < n; i++)
                    (side == 0 ? lab_a : lab_b)[i] = -1;
                assign(r, cbest, k, &me->host, w.scores,
                       side == 0 ? lab_a : lab_b, NULL);
            }
            double a = ari(lab_a, lab_b, n, k, table);
            sum += a;
            sum2 += a * a;
            if (me->host.progress != NULL &&
                me->host.progress(me->host.ctx,
                                  (int64_t)(k - lo) * pairs + p + 1,
                                  (int64_t)(hi - lo + 1) * pairs) != 0) {
                snprintf(err, QUARRY_ERR_MAX,
                         "cancelled (k = %ld, pair %lld)", (long)k,
                         (long long)p + 1);
                rc = QUARRY_ECANCELED;
                goto out;
            }
        }
        double mean = sum / (double)pairs;
        double var = sum2 / (double)pairs - mean * mean;
        score[k - lo] = mean;
        spread[k - lo] = var > 0.0 ? sqrt(var) : 0.0;
        quarry_host_log(&me->host, QUARRY_LOG_DEBUG,
                        "k = %ld: mean ARI %.4f (sd %.4f) over %lld pairs of "
                        "%lld-row subsamples",
                        (long)k, mean, spread[k - lo], (long long)pairs,
                        (long long)s);
    }
    rc = QUARRY_OK;
out:
    if (rc == QUARRY_ENOMEM)
        snprintf(err, QUARRY_ERR_MAX,
                 "out of memory (%lld rows, %lld dims, k up to %ld, "
                 "subsamples of %lld)",
                 (long long)n, (long long)r->dim, (long)hi, (long long)s);
    subsample_free(&u);
    work_free(&w);
    free(perm);
    free(table);
    free(sub_lab);
    free(lab_a);
    free(lab_b);
    free(cbest);
    return rc;
}

/* The k of highest mean agreement. Means within TIE of each other are
 * ties and go to the larger k: a finer partition found just as reliably
 * says more (with well-separated groups every coarser k that merges the
 * same groups each time also reaches an ARI of 1). */
#define TIE 1e-6

/* Below this best mean ARI the choice is reported as weak. */
#define WEAK 0.3
static int32_t choose_k(const double *score, int32_t lo, int32_t hi)
{
    double top = -INFINITY;
    int32_t best = lo;
    for (int32_t k = lo; k <= hi; k++)
        if (score[k - lo] > top)
            top = score[k - lo];
    for (int32_t k = lo; k <= hi; k++)
        if (score[k - lo] >= top - TIE)
            best = k;
    return best;
}

static int st_cluster(void *self, const quarry_cluster_input *in,
                      quarry_cluster_output *out, char *err)
{
    st *me = self;
    hac_rows r;
    int32_t k = in != NULL ? in->k : 0;
    int32_t *lab = NULL;
    double *score = NULL, *spread = NULL, best_obj = -INFINITY;
    km_work w;
    int rc = hac_rows_pick(&r, in, out, me->cfg.use_dense, "stability", err);
    if (rc != QUARRY_OK)
        return rc;
    if (k < 0 || k > r.n) {
        snprintf(err, QUARRY_ERR_MAX,
                 "k = %ld is out of range: it must be 0 (choose) "
                 "or 1..%lld (the number of rows)",
                 (long)k, (long long)r.n);
        return QUARRY_ERANGE;
    }
    if (me->cfg.k_min > me->cfg.k_max) {
        snprintf(err, QUARRY_ERR_MAX,
                 "k_min = %lld is above k_max = %lld",
                 (long long)me->cfg.k_min, (long long)me->cfg.k_max);
        return QUARRY_ERANGE;
    }
    if (k == 0 && r.n < 4) {
        snprintf(err, QUARRY_ERR_MAX,
                 "%lld rows are too few to choose k (4 at least)",
                 (long long)r.n);
        return QUARRY_ERANGE;
    }
    memset(&w, 0, sizeof w);
    if (k == 0) {
        /* k may not exceed half a subsample: a cluster needs rows. */
        int64_t s = (int64_t)floor(me->cfg.fraction * (double)r.n);
        int32_t lo = (int32_t)me->cfg.k_min, hi = (int32_t)me->cfg.k_max;
        if (s > me->cfg.sample)
            s = me->cfg.sample;
        if (hi > s / 2)
            hi = (int32_t)(s / 2);
        if (hi < 2)
            hi = 2;
        if (lo > hi)
            lo = hi;
        score = malloc((size_t)(hi - lo + 1) * 2 * sizeof *score);
        if (score == NULL)
            goto nomem;
        spread = score + (hi - lo + 1);
        rc = measure(me, &r, in->seed, lo, hi, score, spread, err);
        if (rc != QUARRY_OK)
            goto out;
        k = choose_k(score, lo, hi);
        quarry_host_log(&me->host, QUARRY_LOG_INFO,
                        "chose k = %ld (mean ARI %.4f between subsample "
                        "partitions, k tried %ld..%ld)",
                        (long)k, score[k - lo], (long)lo, (long)hi);
        if (score[k - lo] < WEAK)
            quarry_host_log(&me->host, QUARRY_LOG_WARN,
                            "no k in %ld..%ld gives partitions that come "
                            "back on other rows (best mean ARI %.2f, below "
                            "%.1f): the %ld clusters are one split of many",
                            (long)lo, (long)hi, score[k - lo], WEAK, (long)k);
    }
    if (out->centroids != NULL && out->max_clusters < k) {
        snprintf(err, QUARRY_ERR_MAX,
                 "room for %ld centroids, k = %ld",
                 (long)out->max_clusters, (long)k);
        rc = QUARRY_ERANGE;
        goto out;
    }
    if (work_alloc(&w, k, r.n, r.dim) != QUARRY_OK)
        goto nomem;
    lab = malloc((size_t)r.n * sizeof *lab);
    if (lab == NULL)
        goto nomem;
    for (int64_t t = 0; t < me->cfg.n_init; t++) {
        hac_rng rng;
        hac_rng_seed(&rng, in->seed, STREAM_FINAL + (uint64_t)t);
        double obj = kmeans_run(&r, k, 100, &rng, &me->host, &w, lab);
        if (obj > best_obj) { /* ties keep the earlier restart */
            best_obj = obj;
            memcpy(out->labels, lab, (size_t)r.n * sizeof *lab);
            if (out->centroids != NULL)
                memcpy(out->centroids, w.c,
                       (size_t)k * (size_t)r.dim * sizeof *w.c);
        }
    }
    out->objective = best_obj;
    out->dim = r.dim;
    out->n_clusters = k;
    out->used_dense = r.dense != NULL;
    rc = QUARRY_OK;
    goto out;
nomem:
    snprintf(err, QUARRY_ERR_MAX,
             "out of memory (%lld rows, %lld dims, k = %ld)",
             (long long)r.n, (long long)r.dim, (long)k);
    rc = QUARRY_ENOMEM;
out:
    work_free(&w);
    free(lab);
    free(score);
    return rc;
}

HAC_INSTANCE_FUNCTIONS(st, st, st_config, "stability")

static const quarry_plugin st_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "stability",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "spherical k-means choosing k (k = 0) by the agreement (ARI) "
               "of its partitions of random subsamples",
    .author = "quarry developers",
    .config_size = sizeof(st_config),
    .options = st_options,
    .create = st_create,
    .destroy = st_destroy,
    .needs = QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE,
    .cluster = st_cluster,
};

static const quarry_plugin *const st_all[] = {&st_plugin, NULL};
QUARRY_PLUGIN_ENTRY(clusterer_stability)
{
    return st_all;
}
