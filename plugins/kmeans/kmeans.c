/*
 * kmeans.c -- the default clusterer: spherical k-means. Rows are unit
 * vectors (tf-idf rows, or LSA rows), so similarity is the dot product and a
 * centroid is the L2-normalised mean of its members (Dhillon & Modha 2001).
 * Seeding is k-means++ on 1 - cos, n_init restarts keep the best objective
 * (the sum of member-to-centroid cosines), and every random choice comes
 * from a small PRNG seeded from the caller's seed.
 *
 * Small inputs (up to ward_rows rows) take another path, km_ward: Ward's
 * tree over the rows cut at k, then single-row moves that raise the
 * objective (the agglomerative clusterer's hac.c, compiled in). There
 * Lloyd's iterations stop in poor local optima whatever the seeds; see
 * km_ward and README.md. Everything below is the path for larger inputs.
 *
 * The labels are those of exact arithmetic on the given floats, up to the
 * rounding of a double: a dense score is the sum, in double and in the
 * order of the dimensions, of products of two floats (which a double holds
 * exactly); a sparse score is a float sum in the order of the non-zeros;
 * a centroid is the normalised sum of its members, each member taken in
 * fixed point once, so the integer sums are exact whatever the order rows
 * join or leave. Nothing depends on the BLAS, the vector width of the
 * machine or the order of the work, so a seed gives the same clusters on
 * every machine.
 *
 * Speed without changing a label:
 *  - dense rows are first scored in float by a vectorised kernel; only a
 *    row whose best two float scores are within their rounding bound of
 *    each other is scored again in double (few are);
 *  - bounds (Hamerly 2010, on cosines: a score moves by at most |x| times
 *    its centroid's move) skip the rows that cannot change cluster, with
 *    the rounding bounds folded in so a skipped row keeps the label that
 *    scoring it would give;
 *  - on dense rows the restarts run side by side, so one pass over the
 *    rows serves all of them while the rows are in cache, and the passes
 *    run on the host's threads (its table's thread count), each
 *    thread with its own integer sums, added up after the pass;
 *  - k-means++ scores a new seed in float first, and in double only the
 *    rows it may be the nearest seed of.
 * Memory stays linear in the data (never an N x N matrix); the sparse path
 * never densifies the document-term matrix: its centroids are laid out
 * term-major, so the inner loop runs over k contiguous floats.
 */
#include <quarry/plugin.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agglomerative/hac.h"

typedef struct km_config {
    int64_t n_init;
    int64_t max_iter;
    double tol;
    int use_dense;
    int64_t ward_rows; /* 0 (a struct filled by position): never Ward */
} km_config;

static const quarry_option km_options[] = {
    {"n_init", QUARRY_OPT_INT, offsetof(km_config, n_init), "3", 1, 100, NULL,
     "restarts from new seeds; the best objective wins"},
    {"max_iter", QUARRY_OPT_INT, offsetof(km_config, max_iter), "100", 1, 10000,
     NULL, "iterations per restart at most"},
    {"tol", QUARRY_OPT_DOUBLE, offsetof(km_config, tol), "1e-4", 0, 1, NULL,
     "stop when the objective grows by less than this fraction"},
    {"use_dense", QUARRY_OPT_BOOL, offsetof(km_config, use_dense), "true", 0,
     -1, NULL, "cluster the dense reduced rows when the host has them"},
    {"ward_rows", QUARRY_OPT_INT, offsetof(km_config, ward_rows), "1000", 0,
     4000, NULL,
     "up to this many rows, start from Ward's tree over the rows and move "
     "rows one at a time (memory 16 rows^2 bytes); 0: k-means++ restarts "
     "at any size"},
    QUARRY_OPTIONS_END};

typedef struct km {
    km_config cfg;
    /* A copy of the host table (plugin.h keeps it valid until destroy(),
     * but a copy reads the fields a host too old to know them lacks as
     * NULL), for cluster()'s progress and threads. */
    quarry_host host;
    /* For the tests, not options: score every row in double in every
     * iteration and every seed (no bounds, no float pass), and a number of
     * threads (0 = as many as the cores and rows allow). */
    int exhaustive;
    int threads;
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

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

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
static double rng_unit(km_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* ------------------------------------------------------------------ */
/* The rows being clustered: one of the two views the host offers.     */

typedef struct km_data {
    int64_t n, dim;
    const quarry_dense *dense; /* exactly one of dense and x is set */
    const quarry_csr *x;
    double xmax;  /* largest row length: bounds how far a score can move */
    double eps;   /* bound on the rounding error of a score (the labels') */
    double feps;  /* dense: the same for a float score (the first pass) */
    double scale; /* rows are summed as int64 multiples of 1/scale */
} km_data;

static const float *dense_row(const km_data *d, int64_t i)
{
    return d->dense->data + i * d->dense->ld;
}

/* Sparse row i . c, summed in double in the order of the non-zeros. */
static double sparse_dot(const km_data *d, int64_t i, const float *c)
{
    double s = 0.0;
    for (int64_t p = d->x->row_ptr[i]; p < d->x->row_ptr[i + 1]; p++)
        s += (double)d->x->values[p] * c[d->x->col_idx[p]];
    return s;
}

/* Scan the rows once: refuse a value that is not finite (the sums below
 * are integers), and derive the row-length bound, the rounding bounds and
 * the fixed-point scale from the data alone, so they are the same on
 * every run. */
static int scan_rows(km_data *d, char *err)
{
    double maxabs = 0.0, xmax2 = 0.0;
    /* terms summed per score: every dimension, or the longest row */
    int64_t width = d->dense != NULL ? d->dim : 0;
    for (int64_t i = 0; i < d->n; i++) {
        double ss = 0.0;
        const float *v;
        int64_t len;
        if (d->dense != NULL) {
            v = dense_row(d, i);
            len = d->dim;
        } else {
            v = d->x->values + d->x->row_ptr[i];
            len = d->x->row_ptr[i + 1] - d->x->row_ptr[i];
        }
        for (int64_t j = 0; j < len; j++) {
            double a = fabs((double)v[j]);
            if (!isfinite(a)) {
                snprintf(err, QUARRY_ERR_MAX,
                         "row %lld holds a value that is not a "
                         "finite number",
                         (long long)i);
                return QUARRY_EINVAL;
            }
            if (a > maxabs)
                maxabs = a;
            ss += a * a;
        }
        if (ss > xmax2)
            xmax2 = ss;
        if (d->dense == NULL && len > width)
            width = len;
    }
    d->xmax = sqrt(xmax2) * (1.0 + 0x1.0p-30);
    /* A sum of m products in any order, each product and each partial sum
     * rounded, is within (m + 1) u |x| |c| of the exact dot (Higham,
     * ch. 3), u = 2^-53 in double, 2^-24 in float; |c| <= 1 + 2^-20. The
     * bounds below take twice that. */
    d->eps = (double)(width + 2) * d->xmax * 1.01 *
             (d->dense != NULL ? 0x1.0p-52 : 0x1.0p-23);
    d->feps = (double)(d->dim + 2) * d->xmax * 1.01 * 0x1.0p-23;
    /* n * maxabs * scale <= 2^62: no sum of a coordinate can overflow. */
    int e_max = 0, e_n = 0;
    frexp(maxabs, &e_max);
    frexp((double)d->n, &e_n);
    d->scale = ldexp(1.0, 62 - e_n - e_max);
    return QUARRY_OK;
}

/* s += sign * row i, in fixed point: each value is truncated to a
 * multiple of 1/scale, always the same way, so the sums are exact and do
 * not depend on the order rows join or leave a cluster. */
static void sum_row(const km_data *d, int64_t i, int64_t *restrict s,
                    int64_t sign)
{
    const double scale = d->scale;
    if (d->dense != NULL) {
        const float *restrict row = dense_row(d, i);
        for (int64_t j = 0; j < d->dim; j++)
            s[j] += sign * (int64_t)((double)row[j] * scale);
    } else {
        for (int64_t p = d->x->row_ptr[i]; p < d->x->row_ptr[i + 1]; p++)
            s[d->x->col_idx[p]] +=
                sign * (int64_t)((double)d->x->values[p] * scale);
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
/* Kernels                                                              */

/* Hot loops are built for several vector widths, picked at load time.
 * The float kernel only ranks (its rounding is bounded, whatever it is),
 * and the double one sums exact products in a fixed order, so fused
 * multiply-adds may be used: every clone gives the same labels. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) &&          \
    !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define KM_CLONES                                                              \
    __attribute__((target_clones("fma", "default"),                            \
                   optimize("fp-contract=fast")))
#endif
#endif
#ifndef KM_CLONES
#define KM_CLONES
#endif

/* Centroids per step of the kernels: lane l is centroid g + l. */
#define KM_LANES 8
/* Dense rows scored together against one group of lanes (screen_rows
 * names them one by one). */
#define KM_ROWS 8

/* s[j * KM_ROWS + r] = row r . centroid j in float, for the KM_ROWS rows
 * xr and j < k (-inf for k <= j < kp), the centroids in cf as groups of
 * KM_LANES, each dim x KM_LANES floats (dimension-major). The scores are
 * stored centroid-major so that rank_rows works on all rows at once. */
KM_CLONES
static void screen_rows(const float *const *xr, int64_t dim,
                        const float *restrict cf, int64_t k, int64_t kp,
                        float *restrict s)
{
    const float *restrict x0 = xr[0], *restrict x1 = xr[1];
    const float *restrict x2 = xr[2], *restrict x3 = xr[3];
    const float *restrict x4 = xr[4], *restrict x5 = xr[5];
    const float *restrict x6 = xr[6], *restrict x7 = xr[7];
    for (int64_t g = 0; g < kp; g += KM_LANES) {
        const float *restrict cg = cf + g * dim;
        /* One accumulator per row, written out so that they stay in
         * registers. */
        float a0[KM_LANES] = {0}, a1[KM_LANES] = {0}, a2[KM_LANES] = {0};
        float a3[KM_LANES] = {0}, a4[KM_LANES] = {0}, a5[KM_LANES] = {0};
        float a6[KM_LANES] = {0}, a7[KM_LANES] = {0};
        for (int64_t t = 0; t < dim; t++) {
            const float *restrict cv = cg + t * KM_LANES;
            const float v0 = x0[t], v1 = x1[t], v2 = x2[t], v3 = x3[t];
            const float v4 = x4[t], v5 = x5[t], v6 = x6[t], v7 = x7[t];
            for (int l = 0; l < KM_LANES; l++) {
                a0[l] += v0 * cv[l];
                a1[l] += v1 * cv[l];
                a2[l] += v2 * cv[l];
                a3[l] += v3 * cv[l];
                a4[l] += v4 * cv[l];
                a5[l] += v5 * cv[l];
                a6[l] += v6 * cv[l];
                a7[l] += v7 * cv[l];
            }
        }
        /* Lanes past k (zero centroids) get -inf: never the best. */
        for (int l = 0; l < KM_LANES; l++) {
            float *restrict o = s + (g + l) * KM_ROWS;
            const int past = g + l >= k;
            o[0] = past ? -INFINITY : a0[l];
            o[1] = past ? -INFINITY : a1[l];
            o[2] = past ? -INFINITY : a2[l];
            o[3] = past ? -INFINITY : a3[l];
            o[4] = past ? -INFINITY : a4[l];
            o[5] = past ? -INFINITY : a5[l];
            o[6] = past ? -INFINITY : a6[l];
            o[7] = past ? -INFINITY : a7[l];
        }
    }
}

/* For each of KM_ROWS rows, from the scores s of screen_rows: the best
 * score, the first centroid that has it, and the best of the others (the
 * same value again on a tie), in one pass of selects across the rows. */
KM_CLONES
static void rank_rows(const float *restrict s, int64_t kp, float *restrict top,
                      float *restrict second, int32_t *restrict arg)
{
    float t[KM_ROWS], u[KM_ROWS];
    int32_t a[KM_ROWS];
    for (int r = 0; r < KM_ROWS; r++) {
        t[r] = -INFINITY;
        u[r] = -INFINITY;
        a[r] = 0;
    }
    for (int64_t j = 0; j < kp; j++) {
        const int32_t jj = (int32_t)j;
        for (int r = 0; r < KM_ROWS; r++) {
            const float v = s[j * KM_ROWS + r];
            /* all ones where v is the new best: selects without branches */
            const int32_t gt = -(int32_t)(v > t[r]);
            const float w = v > u[r] ? v : u[r];
            u[r] = gt ? t[r] : w;
            a[r] = (a[r] & ~gt) | (jj & gt);
            t[r] = gt ? v : t[r];
        }
    }
    for (int r = 0; r < KM_ROWS; r++) {
        top[r] = t[r];
        second[r] = u[r];
        arg[r] = a[r];
    }
}

/* One dense row . c: the score the labels follow. */
static double dense_dot(const float *restrict x, int64_t dim,
                        const float *restrict c)
{
    double s = 0.0;
    for (int64_t t = 0; t < dim; t++)
        s += (double)x[t] * c[t];
    return s;
}

/* out[q][i] = row i . cs[q] as dense_dot has it, for rows [i0, i1) of x
 * and q < nc: KM_LANES rows at a time are turned dimension-major into xt
 * (dim x KM_LANES doubles) so that their sums run side by side, and serve
 * every centroid while in cache. */
KM_CLONES
static void dot_rows(const float *restrict x, int64_t ld, int64_t i0,
                     int64_t i1, int64_t dim, int nc, const float *const *cs,
                     double *restrict xt, double *const *out)
{
    for (; i0 + KM_LANES <= i1; i0 += KM_LANES) {
        for (int l = 0; l < KM_LANES; l++) {
            const float *restrict r = x + (i0 + l) * ld;
            for (int64_t t = 0; t < dim; t++)
                xt[t * KM_LANES + l] = r[t];
        }
        for (int q = 0; q < nc; q++) {
            const float *restrict c = cs[q];
            double acc[KM_LANES] = {0};
            for (int64_t t = 0; t < dim; t++) {
                const double cv = c[t];
                for (int l = 0; l < KM_LANES; l++)
                    acc[l] += xt[t * KM_LANES + l] * cv;
            }
            for (int l = 0; l < KM_LANES; l++)
                out[q][i0 + l] = acc[l];
        }
    }
    for (; i0 < i1; i0++)
        for (int q = 0; q < nc; q++)
            out[q][i0] = dense_dot(x + i0 * ld, dim, cs[q]);
}

/* out[i - i0] = row i . c in float, in any order, for rows [i0, i1). */
KM_CLONES
static void fdot_rows(const float *restrict x, int64_t ld, int64_t i0,
                      int64_t i1, int64_t dim, const float *restrict c,
                      float *restrict out)
{
    for (int64_t i = i0; i < i1; i++) {
        const float *restrict r = x + i * ld;
        float acc[KM_LANES] = {0};
        int64_t t = 0;
        for (; t + KM_LANES <= dim; t += KM_LANES)
            for (int l = 0; l < KM_LANES; l++)
                acc[l] += r[t + l] * c[t + l];
        float s = 0.0f;
        for (int l = 0; l < KM_LANES; l++)
            s += acc[l];
        for (; t < dim; t++)
            s += r[t] * c[t];
        out[i - i0] = s;
    }
}

/* ------------------------------------------------------------------ */
/* Lloyd's iterations. The restarts run side by side, a group of them
 * at a time: each pass over the rows (seeding and assignment) serves
 * every restart of the group while the rows are in cache. The restarts
 * do not touch each other's state, so the result is that of running
 * them one after the other.                                            */

/* Restarts run side by side at most. */
#define KM_GROUP 4
/* Rows per block of the assignment pass, and of a seeding pass (a
 * multiple of KM_LANES). */
#define KM_BLOCK 256
#define KM_SEED_BLOCK 4096
/* Threads at most, and rows per thread at least (fewer rows, fewer
 * threads: starting one costs more than it saves). */
#define KM_MAX_THREADS 16
#define KM_ROWS_PER_THREAD 16384

typedef struct km_work {
    km_rng rng;
    int active;      /* still iterating */
    int64_t it;      /* iterations done */
    int64_t changed; /* labels changed by this iteration's assignment */
    double objective, previous;
    float *c;     /* k x dim centroids, row-major, unit length */
    float *cf;    /* dense: the centroids in lane groups (screen_rows) */
    float *ct;    /* sparse: dim x kp, the centroids term-major */
    double *best; /* n: score of each row to its centroid (if fresh) */
    unsigned char *fresh; /* n: best holds the score to the current
                           * centroids */
    double *lo;           /* n: below the row's score to its own centroid */
    double *ohi;          /* n: above it (seeding: the scores of a new seed) */
    double *hi;           /* n: above its score to any other centroid
                           * (seeding: the k-means++ weights) */
    double *move;         /* k: how far each centroid moved, times |x| max */
    double move_top, move_second; /* the largest two moves */
    int32_t move_arg;             /* the centroid that moved most, or -1 */
    int64_t *sum;                 /* k x dim: fixed-point sums of the members */
    int32_t *labels;              /* n */
    int64_t *count;               /* k */
} km_work;

/* What the restarts of a group share. */
typedef struct km_shared {
    int32_t k;
    int64_t kp;  /* k rounded up to KM_LANES */
    int bounded; /* skip rows by their bounds, rank in float first */
} km_shared;

/* What one thread works with: its scratch, and per restart of the group
 * the changes of the member sums its rows made (integers, so adding them
 * up after the pass gives the same sums in any order). */
typedef struct km_thread {
    double *xt;              /* dim x KM_LANES: rows turned (dot_rows) */
    float *fscores;          /* kp x KM_ROWS float scores */
    double *scores;          /* kp scores */
    int64_t *todo;           /* KM_BLOCK: rows of a block to score */
    float *fdots;            /* KM_SEED_BLOCK: float scores of a new seed */
    int64_t *dsum[KM_GROUP]; /* k x dim; on one thread, the sums */
    int own_dsum;            /* dsum allocated here */
    int64_t dchanged[KM_GROUP];
    struct km_job *job;
} km_thread;

/* ------------------------------------------------------------------ */
/* Threads. A pass over the rows is cut into blocks that the threads take
 * in turn; what a block does depends only on the block, never on which
 * thread does it or when, so the number of threads changes nothing but
 * the time. */

typedef enum km_pass { KM_PASS_SEED, KM_PASS_ASSIGN } km_pass;

typedef struct km_job {
    km_pass pass;
    const km_data *d;
    const km_shared *sh;
    km_work *ws;
    int nw;
    int32_t j;                 /* seeding: the index of the new seeds */
    const float *cs[KM_GROUP]; /* seeding: the new seed of each restart */
    int64_t grain;             /* rows per block */
    atomic_llong next;         /* first row of the next block */
} km_job;

/* Seeding, rows [i0, i1): the score of each new seed, and the distance
 * to the nearest seed so far. After the first seed, a dense row is scored
 * in float first: when that score, plus its rounding bound, leaves the
 * distance to the new seed above the row's distance so far, the distance
 * stays, as the double score would have left it; only the other rows are
 * scored in double. */
static void seed_block(const km_job *job, km_thread *th, int64_t i0, int64_t i1)
{
    const km_data *d = job->d;
    if (d->dense != NULL && job->j > 0 && job->sh->bounded) {
        /* the float score's bound, the double score's, and the rounding
         * of the two sides of the test */
        const double margin =
            d->feps + 4.0 * d->eps + (1.0 + d->xmax) * 0x1.0p-48;
        for (int r = 0; r < job->nw; r++) {
            double *dist = job->ws[r].hi;
            fdot_rows(d->dense->data, d->dense->ld, i0, i1, d->dim, job->cs[r],
                      th->fdots);
            for (int64_t i = i0; i < i1; i++) {
                if ((double)th->fdots[i - i0] + margin < 1.0 - dist[i])
                    continue;
                double v = 1.0 - dense_dot(dense_row(d, i), d->dim, job->cs[r]);
                v = v > 0.0 ? v : 0.0;
                dist[i] = v < dist[i] ? v : dist[i];
            }
        }
        return;
    }
    double *dots[KM_GROUP];
    for (int r = 0; r < job->nw; r++)
        dots[r] = job->ws[r].ohi;
    if (d->dense != NULL)
        dot_rows(d->dense->data, d->dense->ld, i0, i1, d->dim, job->nw, job->cs,
                 th->xt, dots);
    else
        for (int64_t i = i0; i < i1; i++)
            for (int r = 0; r < job->nw; r++)
                dots[r][i] = sparse_dot(d, i, job->cs[r]);
    for (int r = 0; r < job->nw; r++) {
        double *dist = job->ws[r].hi;
        for (int64_t i = i0; i < i1; i++) {
            double v = 1.0 - dots[r][i];
            v = v > 0.0 ? v : 0.0;
            dist[i] = job->j == 0 || v < dist[i] ? v : dist[i];
        }
    }
}

static void assign(const km_data *d, const km_shared *sh, km_work *w,
                   km_thread *th, int r, int64_t i0, int64_t i1);

static void job_work(km_thread *th)
{
    km_job *job = th->job;
    for (;;) {
        int64_t i0 = atomic_fetch_add(&job->next, job->grain);
        if (i0 >= job->d->n)
            return;
        int64_t i1 = job->d->n - i0 < job->grain ? job->d->n : i0 + job->grain;
        if (job->pass == KM_PASS_SEED) {
            seed_block(job, th, i0, i1);
            continue;
        }
        for (int r = 0; r < job->nw; r++)
            if (job->ws[r].active)
                assign(job->d, job->sh, &job->ws[r], th, r, i0, i1);
    }
}

static void *job_thread(void *arg)
{
    job_work(arg);
    return NULL;
}

/* Run the job on nt threads, this one included. A thread that cannot be
 * started leaves its blocks to the others. */
static void job_run(km_job *job, km_thread *ths, int nt)
{
    pthread_t tid[KM_MAX_THREADS];
    int started[KM_MAX_THREADS] = {0};
    atomic_init(&job->next, 0);
    for (int t = 0; t < nt; t++)
        ths[t].job = job;
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, job_thread, &ths[t]) == 0;
    job_work(&ths[0]);
    for (int t = 1; t < nt; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

/* k-means++ (Arthur & Vassilvitskii 2007): each new seed is a row drawn
 * with probability proportional to its distance to the nearest seed so
 * far. For unit vectors 1 - cos = |x - c|^2 / 2, so weighing by 1 - cos is
 * the D^2 weighting of the original. The restarts of the group draw
 * their seeds from their own streams; one pass over the rows scores the
 * new seed of each. */
static void seed_plusplus(const km_data *d, const km_shared *sh, km_work *ws,
                          int nw, km_thread *ths, int nt)
{
    const int32_t k = sh->k;
    int64_t first[KM_GROUP];
    km_job job;
    memset(&job, 0, sizeof job);
    job.pass = KM_PASS_SEED;
    job.d = d;
    job.sh = sh;
    job.ws = ws;
    job.nw = nw;
    job.grain = KM_SEED_BLOCK;
    for (int r = 0; r < nw; r++) {
        km_work *w = &ws[r];
        first[r] = (int64_t)(rng_unit(&w->rng) * (double)d->n);
        memset(w->c, 0, (size_t)k * (size_t)d->dim * sizeof *w->c);
    }
    for (int32_t j = 0; j < k; j++) {
        for (int r = 0; r < nw; r++) {
            km_work *w = &ws[r];
            const double *dist = w->hi;
            int64_t pick = first[r];
            if (j > 0) {
                double total = 0.0;
                for (int64_t i = 0; i < d->n; i++)
                    total += dist[i];
                pick = -1;
                if (total > 0.0) {
                    double u = rng_unit(&w->rng) * total;
                    for (int64_t i = 0; i < d->n; i++) {
                        if (dist[i] <= 0.0)
                            continue; /* a seed already, or its duplicate */
                        pick = i; /* rounding may leave u >= 0: the last wins */
                        u -= dist[i];
                        if (u < 0.0)
                            break;
                    }
                } else {
                    /* Fewer distinct rows than k: any row; the duplicate
                     * seed empties a cluster, which the iterations then
                     * re-seed. */
                    pick = (int64_t)(rng_unit(&w->rng) * (double)d->n);
                }
            }
            float *cj = w->c + (size_t)j * (size_t)d->dim;
            if (d->dense != NULL) {
                const float *row = dense_row(d, pick);
                for (int64_t t = 0; t < d->dim; t++)
                    cj[t] += row[t];
            } else {
                for (int64_t p = d->x->row_ptr[pick];
                     p < d->x->row_ptr[pick + 1]; p++)
                    cj[d->x->col_idx[p]] += d->x->values[p];
            }
            normalise(cj, d->dim);
            job.cs[r] = cj;
        }
        if (j == k - 1)
            break; /* the distances to the last seed are never used */
        job.j = j;
        job_run(&job, ths, nt);
    }
}

/* The centroids in the layout the kernel reads, padded with zeros. */
static void layout_centroids(const km_data *d, const km_shared *sh, km_work *w)
{
    int64_t k = sh->k, kp = sh->kp, dim = d->dim;
    if (d->dense != NULL) {
        for (int64_t g = 0; g < kp; g += KM_LANES)
            for (int64_t t = 0; t < dim; t++)
                for (int64_t l = 0; l < KM_LANES; l++)
                    w->cf[g * dim + t * KM_LANES + l] =
                        g + l < k ? w->c[(g + l) * dim + t] : 0.0f;
    } else {
        for (int64_t t = 0; t < dim; t++)
            for (int64_t j = 0; j < kp; j++)
                w->ct[t * kp + j] = j < k ? w->c[j * dim + t] : 0.0f;
    }
}

/* Row i joins cluster arg (if not there already); the member sums it
 * leaves and joins are in sum (a thread's own, merged after the pass),
 * and *changed counts the move. */
static void relabel(const km_data *d, int32_t *labels, int64_t *sum,
                    int64_t *changed, int64_t i, int32_t arg)
{
    int32_t old = labels[i];
    if (old == arg)
        return;
    (*changed)++;
    if (old >= 0)
        sum_row(d, i, sum + (size_t)old * (size_t)d->dim, -1);
    sum_row(d, i, sum + (size_t)arg * (size_t)d->dim, 1);
    labels[i] = arg;
}

/* Row i takes the best of its scores s (ties to the lower label), and
 * its bounds restart from its best two scores, widened by their
 * rounding. */
static void settle(const km_data *d, const km_shared *sh, km_work *w,
                   km_thread *th, int r, int64_t i, const double *s)
{
    int32_t arg = 0;
    double top = s[0], second = -INFINITY;
    for (int32_t j = 1; j < sh->k; j++) {
        if (s[j] > top) {
            second = top;
            top = s[j];
            arg = j;
        } else if (s[j] > second) {
            second = s[j];
        }
    }
    relabel(d, w->labels, th->dsum[r], &th->dchanged[r], i, arg);
    w->best[i] = top;
    w->fresh[i] = 1;
    w->lo[i] = top - 2.0 * d->eps;
    w->ohi[i] = top + 2.0 * d->eps;
    w->hi[i] = second + 2.0 * d->eps;
}

/* The same from the float scores of a dense row (its best, top, from
 * centroid arg, and the best of the others, second): each is within feps
 * of the exact score, so when the best beats the second by more than both
 * their rounding bounds, the label is that of the double scores;
 * otherwise (a near tie) the row is scored in double. */
static void settle_float(const km_data *d, const km_shared *sh, km_work *w,
                         km_thread *th, int r, int64_t i, float top,
                         float second, int32_t arg)
{
    const double margin = d->feps + 2.0 * d->eps;
    if (!((double)top - margin > (double)second + margin)) {
        const float *row = dense_row(d, i);
        for (int32_t j = 0; j < sh->k; j++)
            th->scores[j] =
                dense_dot(row, d->dim, w->c + (size_t)j * (size_t)d->dim);
        settle(d, sh, w, th, r, i, th->scores);
        return;
    }
    relabel(d, w->labels, th->dsum[r], &th->dchanged[r], i, arg);
    w->fresh[i] = 0;
    w->lo[i] = (double)top - margin;
    w->ohi[i] = (double)top + margin;
    w->hi[i] = (double)second + margin;
}

/* Scores of the sparse row i against every centroid into s (kp). */
static void score_sparse(const km_data *d, const km_shared *sh,
                         const km_work *w, int64_t i, double *s)
{
    const int64_t kp = sh->kp, p0 = d->x->row_ptr[i], p1 = d->x->row_ptr[i + 1];
    for (int64_t j0 = 0; j0 < kp; j0 += KM_LANES) {
        /* A fixed-width local accumulator: no aliasing with ct, a trip
         * count the compiler knows, so it becomes SIMD at -O2. */
        float acc[KM_LANES] = {0};
        for (int64_t p = p0; p < p1; p++) {
            const float v = d->x->values[p];
            const float *ct = w->ct + (int64_t)d->x->col_idx[p] * kp + j0;
            for (int l = 0; l < KM_LANES; l++)
                acc[l] += v * ct[l];
        }
        for (int l = 0; l < KM_LANES; l++)
            s[j0 + l] = acc[l];
    }
}

/* Assignment step for rows [i0, i1): every row to its most similar
 * centroid. Bounds first move with the centroids of the last update: a
 * score moves by at most |x| times its centroid's move (w->move holds
 * that product, rounded up), so the own score's bounds move by its
 * centroid's, the bound on any other by the largest move of another.
 * A row whose lower bound on its own score is above the upper bound on
 * every other keeps its label (the bounds carry the rounding, so its
 * computed scores would give it that label) and is not scored. */
static void assign(const km_data *d, const km_shared *sh, km_work *w,
                   km_thread *th, int r, int64_t i0, int64_t i1)
{
    int64_t m = 0;
    if (sh->bounded && w->it > 0)
        for (int64_t i = i0; i < i1; i++) {
            const int32_t a = w->labels[i];
            w->lo[i] -= w->move[a];
            w->ohi[i] += w->move[a];
            w->hi[i] += a == w->move_arg ? w->move_second : w->move_top;
        }
    for (int64_t i = i0; i < i1; i++) {
        w->fresh[i] = 0;
        if (!sh->bounded || !(w->lo[i] > w->hi[i]))
            th->todo[m++] = i;
    }
    if (d->dense == NULL) {
        for (int64_t p = 0; p < m; p++) {
            score_sparse(d, sh, w, th->todo[p], th->scores);
            settle(d, sh, w, th, r, th->todo[p], th->scores);
        }
        return;
    }
    if (!sh->bounded) {
        for (int64_t p = 0; p < m; p++) {
            const float *row = dense_row(d, th->todo[p]);
            for (int32_t j = 0; j < sh->k; j++)
                th->scores[j] =
                    dense_dot(row, d->dim, w->c + (size_t)j * (size_t)d->dim);
            settle(d, sh, w, th, r, th->todo[p], th->scores);
        }
        return;
    }
    for (int64_t p = 0; p < m; p += KM_ROWS) {
        const int64_t rows = m - p < KM_ROWS ? m - p : KM_ROWS;
        const float *xr[KM_ROWS];
        float top[KM_ROWS], second[KM_ROWS];
        int32_t arg[KM_ROWS];
        for (int64_t q = 0; q < KM_ROWS; q++)
            xr[q] = dense_row(d, th->todo[p + (q < rows ? q : 0)]);
        screen_rows(xr, d->dim, w->cf, sh->k, sh->kp, th->fscores);
        rank_rows(th->fscores, sh->kp, top, second, arg);
        for (int64_t q = 0; q < rows; q++)
            settle_float(d, sh, w, th, r, th->todo[p + q], top[q], second[q],
                         arg[q]);
    }
}

/* The score of row i to its own centroid, as the labels have it. */
static double own_score(const km_data *d, const km_work *w, int64_t i)
{
    const float *c = w->c + (size_t)w->labels[i] * (size_t)d->dim;
    if (d->dense != NULL)
        return dense_dot(dense_row(d, i), d->dim, c);
    float acc = 0.0f; /* score_sparse's lane, one product at a time */
    for (int64_t p = d->x->row_ptr[i]; p < d->x->row_ptr[i + 1]; p++)
        acc += d->x->values[p] * c[d->x->col_idx[p]];
    return acc;
}

/* An empty cluster takes the row farthest from its own centroid among
 * clusters that can spare one (the first such row on a tie), so no
 * cluster is lost; k <= n guarantees a donor. A row without its score
 * has bounds on it: only those whose lower bound is not above the least
 * upper bound among the candidates can be the farthest, and only they
 * are scored. */
static void fill_empty(const km_data *d, const km_shared *sh, km_work *w)
{
    memset(w->count, 0, (size_t)sh->k * sizeof *w->count);
    for (int64_t i = 0; i < d->n; i++)
        w->count[w->labels[i]]++;
    for (int32_t j = 0; j < sh->k; j++) {
        if (w->count[j] > 0)
            continue;
        double floor = INFINITY;
        for (int64_t i = 0; i < d->n; i++) {
            double ub = w->fresh[i] ? w->best[i] : w->ohi[i];
            if (w->count[w->labels[i]] > 1 && ub < floor)
                floor = ub;
        }
        for (int64_t i = 0; i < d->n; i++)
            if (!w->fresh[i] && w->count[w->labels[i]] > 1 &&
                !(w->lo[i] > floor)) {
                w->best[i] = own_score(d, w, i);
                w->fresh[i] = 1;
            }
        int64_t far = -1;
        for (int64_t i = 0; i < d->n; i++)
            if (w->fresh[i] && w->count[w->labels[i]] > 1 &&
                (far < 0 || w->best[i] < w->best[far]))
                far = i;
        if (far < 0)
            break;         /* cannot happen when k <= n */
        int64_t moved = 0; /* not counted as a change of the assignment */
        w->count[w->labels[far]]--;
        relabel(d, w->labels, w->sum, &moved, far, j);
        w->count[j] = 1;
        w->best[far] = 1.0;
        w->lo[far] = -INFINITY; /* scored afresh next time */
        w->ohi[far] = INFINITY;
    }
}

/* Update step: centroids = normalised sums of members. For unit rows the
 * sum of member-to-centroid cosines is then the sum of the lengths of the
 * member sums, which is the objective, had for free. Each centroid's move
 * is kept for the bounds. */
static double update(const km_data *d, const km_shared *sh, km_work *w)
{
    double objective = 0.0, inv_scale = 1.0 / d->scale;
    const double f = d->xmax * (1.0 + 0x1.0p-20);
    w->move_top = w->move_second = 0.0;
    w->move_arg = -1;
    for (int32_t j = 0; j < sh->k; j++) {
        const int64_t *s = w->sum + (size_t)j * (size_t)d->dim;
        float *c = w->c + (size_t)j * (size_t)d->dim;
        /* Sums of squares in four lanes, added in a fixed order: they
         * overlap (a long sparse dim would wait on one chain of adds), and
         * give the same bits on every machine. */
        double ssl[4] = {0.0, 0.0, 0.0, 0.0}, mvl[4] = {0.0, 0.0, 0.0, 0.0};
        int64_t t = 0;
        for (; t + 4 <= d->dim; t += 4)
            for (int l = 0; l < 4; l++) {
                double v = (double)s[t + l] * inv_scale;
                ssl[l] += v * v;
            }
        for (; t < d->dim; t++) {
            double v = (double)s[t] * inv_scale;
            ssl[0] += v * v;
        }
        double norm = sqrt((ssl[0] + ssl[1]) + (ssl[2] + ssl[3]));
        double inv = norm > 0.0 ? inv_scale / norm : 0.0;
        for (t = 0; t + 4 <= d->dim; t += 4)
            for (int l = 0; l < 4; l++) {
                float v = (float)((double)s[t + l] * inv);
                double dv = (double)v - (double)c[t + l];
                mvl[l] += dv * dv;
                c[t + l] = v;
            }
        for (; t < d->dim; t++) {
            float v = (float)((double)s[t] * inv);
            double dv = (double)v - (double)c[t];
            mvl[0] += dv * dv;
            c[t] = v;
        }
        double mv = (mvl[0] + mvl[1]) + (mvl[2] + mvl[3]);
        objective += norm;
        mv = sqrt(mv) * f;
        w->move[j] = mv;
        if (mv > w->move_top) {
            w->move_second = w->move_top;
            w->move_top = mv;
            w->move_arg = j;
        } else if (mv > w->move_second) {
            w->move_second = mv;
        }
    }
    return objective;
}

/* ------------------------------------------------------------------ */

static int check_input(const km *me, const quarry_cluster_input *in,
                       quarry_cluster_output *out, km_data *d, char *err)
{
    if (in == NULL || out == NULL || in->size < sizeof *in ||
        out->size < sizeof *out || out->labels == NULL) {
        snprintf(err, QUARRY_ERR_MAX,
                 "missing or short input/output structs, or no labels");
        return QUARRY_EINVAL;
    }
    memset(d, 0, sizeof *d);
    if (in->dense != NULL && (me->cfg.use_dense || in->x == NULL)) {
        const quarry_dense *x = in->dense;
        if (x->rows < 0 || x->cols < 1 || x->ld < x->cols ||
            (x->rows > 0 && x->data == NULL)) {
            snprintf(err, QUARRY_ERR_MAX,
                     "malformed dense matrix (%lld x %lld, ld %lld)",
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
            snprintf(err, QUARRY_ERR_MAX, "malformed sparse matrix");
            return QUARRY_EINVAL;
        }
        for (int64_t p = 0; p < x->row_ptr[x->rows]; p++)
            if (x->col_idx[p] < 0 || x->col_idx[p] >= x->cols) {
                snprintf(err, QUARRY_ERR_MAX,
                         "sparse matrix entry %lld: column %ld "
                         "outside 0..%lld",
                         (long long)p, (long)x->col_idx[p],
                         (long long)x->cols - 1);
                return QUARRY_EINVAL;
            }
        d->x = x;
        d->n = x->rows;
        d->dim = x->cols;
    } else {
        snprintf(err, QUARRY_ERR_MAX,
                 "no rows given (neither sparse "
                 "nor dense)");
        return QUARRY_EINVAL;
    }
    if (in->k == 0) {
        snprintf(err, QUARRY_ERR_MAX,
                 "k = 0 asks the clusterer to choose the number of "
                 "clusters, which kmeans does not do; give k (1..%lld)",
                 (long long)d->n);
        return QUARRY_ERANGE;
    }
    if (in->k < 1 || in->k > d->n) {
        snprintf(err, QUARRY_ERR_MAX,
                 "k = %ld is out of range: it must be 1..%lld (the "
                 "number of rows)",
                 (long)in->k, (long long)d->n);
        return QUARRY_ERANGE;
    }
    if (out->centroids != NULL && out->max_clusters < in->k) {
        snprintf(err, QUARRY_ERR_MAX, "room for %ld centroids, k = %ld",
                 (long)out->max_clusters, (long)in->k);
        return QUARRY_ERANGE;
    }
    return QUARRY_OK;
}

static void work_free(km_work *w)
{
    free(w->c);
    free(w->cf);
    free(w->ct);
    free(w->best);
    free(w->fresh);
    free(w->lo);
    free(w->ohi);
    free(w->hi);
    free(w->move);
    free(w->sum);
    free(w->labels);
    free(w->count);
}

/* The arrays of one restart; 0 or QUARRY_ENOMEM. */
static int work_alloc(km_work *w, const km_data *d, const km_shared *sh)
{
    size_t n = (size_t)d->n, k = (size_t)sh->k;
    size_t kd = k * (size_t)d->dim, kpd = (size_t)sh->kp * (size_t)d->dim;
    w->c = malloc(kd * sizeof *w->c);
    if (d->dense != NULL)
        w->cf = malloc(kpd * sizeof *w->cf);
    else
        w->ct = malloc(kpd * sizeof *w->ct);
    w->best = malloc(n * sizeof *w->best);
    w->fresh = malloc(n);
    w->lo = malloc(n * sizeof *w->lo);
    w->ohi = malloc(n * sizeof *w->ohi);
    w->hi = malloc(n * sizeof *w->hi);
    w->move = malloc(k * sizeof *w->move);
    w->sum = malloc(kd * sizeof *w->sum);
    w->labels = malloc(n * sizeof *w->labels);
    w->count = malloc(k * sizeof *w->count);
    if (w->c == NULL || (w->cf == NULL && w->ct == NULL) || w->best == NULL ||
        w->fresh == NULL || w->lo == NULL || w->ohi == NULL || w->hi == NULL ||
        w->move == NULL || w->sum == NULL || w->labels == NULL ||
        w->count == NULL)
        return QUARRY_ENOMEM;
    return QUARRY_OK;
}

static void thread_free(km_thread *th)
{
    free(th->xt);
    free(th->fscores);
    free(th->scores);
    free(th->todo);
    free(th->fdots);
    for (int r = 0; r < KM_GROUP && th->own_dsum; r++)
        free(th->dsum[r]);
}

static int thread_alloc(km_thread *th, const km_data *d, const km_shared *sh,
                        int group, km_work *ws, int nt)
{
    th->xt = malloc((size_t)d->dim * KM_LANES * sizeof *th->xt);
    th->fscores =
        malloc((size_t)KM_ROWS * (size_t)sh->kp * sizeof *th->fscores);
    th->scores = malloc((size_t)sh->kp * sizeof *th->scores);
    th->todo = malloc(KM_BLOCK * sizeof *th->todo);
    th->fdots = malloc(KM_SEED_BLOCK * sizeof *th->fdots);
    if (th->xt == NULL || th->fscores == NULL || th->scores == NULL ||
        th->todo == NULL || th->fdots == NULL)
        return QUARRY_ENOMEM;
    if (nt == 1) {
        /* One thread: its changes go to the sums directly. */
        for (int r = 0; r < group; r++)
            th->dsum[r] = ws[r].sum;
        return QUARRY_OK;
    }
    th->own_dsum = 1;
    for (int r = 0; r < group; r++) {
        th->dsum[r] =
            calloc((size_t)sh->k * (size_t)d->dim, sizeof *th->dsum[r]);
        if (th->dsum[r] == NULL)
            return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

/* Threads for n rows: the host's count (a host too old to say: every
 * online core), but no more than the rows keep busy. */
static int thread_count(const quarry_host *h, int64_t n)
{
    long cores = h->size >= offsetof(quarry_host, threads) + sizeof h->threads &&
                         h->threads > 0
                     ? h->threads
                     : sysconf(_SC_NPROCESSORS_ONLN);
    int64_t by_rows = n / KM_ROWS_PER_THREAD;
    int64_t nt = cores < 1 ? 1 : cores;
    if (nt > by_rows)
        nt = by_rows;
    if (nt > KM_MAX_THREADS)
        nt = KM_MAX_THREADS;
    return nt < 1 ? 1 : (int)nt;
}

/* ------------------------------------------------------------------ */
/* Small inputs: Ward's tree, then one row at a time.
 *
 * On a few hundred rows in 100 LSA dimensions, Lloyd's iterations stop
 * early in poor local optima: a cluster of twenty rows is pulled a
 * twentieth of the way towards each of its members, so every row stays
 * where its seed put it (on the demo study they stop after 5 to 8
 * iterations, objective 140-145; the best of 100 restarts 145.5). Moving
 * one row at a time, with the exact change of the objective (the first
 * variation of Dhillon, Guan & Kogan 2002: it counts the row's pull on
 * its own centroid), leaves those optima; started from Ward's tree over
 * the rows it reaches objective 154-155 and the partitions closest to the
 * gold coding of every small set measured (see README.md). Both steps are
 * the agglomerative clusterer's (hac.c), exact over the rows: memory is
 * two n x n Gram matrices in double, so this runs only up to ward_rows
 * rows; there are no random choices (the seed and n_init do nothing). */
static int km_ward(const km *me, const km_data *d,
                   const quarry_cluster_input *in, quarry_cluster_output *out,
                   char *err)
{
    const int32_t m = (int32_t)d->n, k = in->k;
    const size_t mm = (size_t)m * (size_t)m;
    hac_rows r = {d->n, d->dim, d->dense, d->x};
    double *gram = malloc(mm * sizeof *gram);
    double *gram0 = malloc(mm * sizeof *gram0);
    int64_t *sizes = malloc((size_t)m * sizeof *sizes);
    hac_merge *merges = malloc((size_t)m * sizeof *merges);
    int32_t *group = malloc((size_t)m * sizeof *group);
    int32_t *cog = malloc((size_t)m * sizeof *cog);
    int32_t *work = malloc((size_t)m * sizeof *work);
    float *wdim = malloc((size_t)d->dim * sizeof *wdim);
    int64_t moves = 0;
    int rc;
    if (gram == NULL || gram0 == NULL || sizes == NULL || merges == NULL ||
        group == NULL || cog == NULL || work == NULL || wdim == NULL)
        goto nomem;
    for (int32_t i = 0; i < m; i++)
        group[i] = i;
    rc = hac_gram(&r, group, m, &me->host, "kmeans", gram, sizes, err);
    if (rc != QUARRY_OK)
        goto out;
    memcpy(gram0, gram, mm * sizeof *gram0);
    if (hac_tree(gram, sizes, m, HAC_WARD, merges) != QUARRY_OK)
        goto nomem;
    if (me->host.progress != NULL && me->host.progress(me->host.ctx, 1, 2)) {
        snprintf(err, QUARRY_ERR_MAX, "cancelled (after Ward's tree)");
        rc = QUARRY_ECANCELED;
        goto out;
    }
    hac_cut(merges, m, k, cog, work);
    moves = hac_refine(gram0, m, k, cog, (int32_t)me->cfg.max_iter);
    if (moves < 0)
        goto nomem;
    out->objective =
        hac_finish(&r, group, cog, m, k, out->labels, out->centroids, wdim);
    out->dim = d->dim;
    out->n_clusters = k;
    out->used_dense = d->dense != NULL;
    if (me->host.progress != NULL && me->host.progress(me->host.ctx, 2, 2)) {
        snprintf(err, QUARRY_ERR_MAX,
                 "cancelled (after the moves of single rows)");
        rc = QUARRY_ECANCELED;
        goto out;
    }
    quarry_host_log(&me->host, QUARRY_LOG_DEBUG,
                    "%lld rows, at most ward_rows (%lld): Ward's tree over "
                    "the rows cut at k = %ld, then %lld moves of one row; "
                    "objective %.4f (--option kmeans.ward_rows=0: k-means++ "
                    "restarts)",
                    (long long)d->n, (long long)me->cfg.ward_rows, (long)k,
                    (long long)moves, out->objective);
    rc = QUARRY_OK;
    goto out;
nomem:
    snprintf(err, QUARRY_ERR_MAX,
             "out of memory (Ward's tree over %lld rows)",
             (long long)d->n);
    rc = QUARRY_ENOMEM;
out:
    free(gram);
    free(gram0);
    free(sizes);
    free(merges);
    free(group);
    free(cog);
    free(work);
    free(wdim);
    return rc;
}

static int km_cluster(void *self, const quarry_cluster_input *in,
                      quarry_cluster_output *out, char *err)
{
    km *me = self;
    km_data d;
    km_shared sh;
    km_work ws[KM_GROUP];
    km_thread ths[KM_MAX_THREADS];
    int rc = check_input(me, in, out, &d, err);
    if (rc != QUARRY_OK)
        return rc;
    rc = scan_rows(&d, err);
    if (rc != QUARRY_OK)
        return rc;
    if (d.n <= me->cfg.ward_rows)
        return km_ward(me, &d, in, out, err);

    memset(&sh, 0, sizeof sh);
    memset(ws, 0, sizeof ws);
    memset(ths, 0, sizeof ths);
    sh.k = in->k;
    sh.kp = (sh.k + KM_LANES - 1) / KM_LANES * KM_LANES;
    sh.bounded = !me->exhaustive;
    /* Side by side, the restarts share the dense rows in cache; sparse
     * rows are short and their centroids (dim x kp) long, so there the
     * restarts run one after the other and keep theirs in cache. */
    const int group = d.dense == NULL             ? 1
                      : me->cfg.n_init < KM_GROUP ? (int)me->cfg.n_init
                                                  : KM_GROUP;
    /* Sparse rows stay on one thread: each thread would need its own
     * k x dim sums, and dim is the vocabulary there. */
    const int nt = me->threads > 0   ? me->threads
                   : d.dense == NULL ? 1
                                     : thread_count(&me->host, d.n);
    const size_t n = (size_t)d.n, kd = (size_t)sh.k * (size_t)d.dim;
    for (int r = 0; r < group && rc == QUARRY_OK; r++)
        rc = work_alloc(&ws[r], &d, &sh);
    for (int t = 0; t < nt && rc == QUARRY_OK; t++)
        rc = thread_alloc(&ths[t], &d, &sh, group, ws, nt);
    if (rc != QUARRY_OK) {
        snprintf(err, QUARRY_ERR_MAX,
                 "out of memory (%lld rows, %lld dims, k = %ld)",
                 (long long)d.n, (long long)d.dim, (long)sh.k);
        goto out;
    }

    double best_objective = -INFINITY;
    const int64_t total = me->cfg.n_init * me->cfg.max_iter;
    int64_t done = 0;
    km_job job;
    memset(&job, 0, sizeof job);
    job.pass = KM_PASS_ASSIGN;
    job.d = &d;
    job.sh = &sh;
    job.ws = ws;
    job.grain = KM_BLOCK;
    for (int64_t g0 = 0; g0 < me->cfg.n_init; g0 += group) {
        const int nw =
            me->cfg.n_init - g0 < group ? (int)(me->cfg.n_init - g0) : group;
        job.nw = nw;
        for (int r = 0; r < nw; r++)
            rng_seed(&ws[r].rng, in->seed, (uint64_t)(g0 + r));
        seed_plusplus(&d, &sh, ws, nw, ths, nt);
        for (int r = 0; r < nw; r++) {
            km_work *w = &ws[r];
            memset(w->sum, 0, kd * sizeof *w->sum);
            for (size_t i = 0; i < n; i++) {
                w->labels[i] = -1;
                w->lo[i] = -INFINITY; /* every row is scored the first time */
                w->ohi[i] = INFINITY;
                w->hi[i] = INFINITY;
            }
            w->active = 1;
            w->it = 0;
            w->objective = w->previous = 0.0;
        }
        for (int live = nw; live > 0;) {
            for (int r = 0; r < nw; r++)
                if (ws[r].active)
                    layout_centroids(&d, &sh, &ws[r]);
            /* One pass over the rows for all the restarts; then each
             * thread's changes join the restarts' sums. */
            job_run(&job, ths, nt);
            for (int r = 0; r < nw; r++) {
                km_work *w = &ws[r];
                if (!w->active)
                    continue;
                w->changed = 0;
                for (int t = 0; t < nt; t++) {
                    int64_t *ds = ths[t].dsum[r];
                    if (ds != w->sum) {
                        for (size_t q = 0; q < kd; q++)
                            w->sum[q] += ds[q];
                        memset(ds, 0, kd * sizeof *ds);
                    }
                    w->changed += ths[t].dchanged[r];
                    ths[t].dchanged[r] = 0;
                }
            }
            for (int r = 0; r < nw; r++) {
                km_work *w = &ws[r];
                if (!w->active)
                    continue;
                fill_empty(&d, &sh, w);
                w->objective = update(&d, &sh, w);
                w->it++;
                done++;
                if (me->host.progress != NULL &&
                    me->host.progress(me->host.ctx, done, total) != 0) {
                    snprintf(err, QUARRY_ERR_MAX,
                             "cancelled (restart %lld, iteration "
                             "%lld)",
                             (long long)(g0 + r + 1), (long long)w->it);
                    rc = QUARRY_ECANCELED;
                    goto out;
                }
                /* Labels stable: the centroids will not move again. */
                if (w->changed == 0 || w->it == me->cfg.max_iter ||
                    (w->it > 1 && w->objective - w->previous <
                                      me->cfg.tol * fabs(w->objective))) {
                    w->active = 0;
                    live--;
                }
                w->previous = w->objective;
            }
        }
        /* Strictly better, so ties keep the earlier restart. */
        for (int r = 0; r < nw; r++)
            if (ws[r].objective > best_objective) {
                best_objective = ws[r].objective;
                memcpy(out->labels, ws[r].labels, n * sizeof *ws[r].labels);
                if (out->centroids != NULL)
                    memcpy(out->centroids, ws[r].c, kd * sizeof *ws[r].c);
            }
    }
    out->dim = d.dim;
    out->n_clusters = sh.k;
    out->objective = best_objective;
    out->used_dense = d.dense != NULL;
    quarry_host_log(&me->host, QUARRY_LOG_DEBUG,
                    "%lld rows, more than ward_rows (%lld): k-means++ seeds, "
                    "best of %lld restarts, objective %.4f",
                    (long long)d.n, (long long)me->cfg.ward_rows,
                    (long long)me->cfg.n_init, best_objective);
    rc = QUARRY_OK;
out:
    for (int r = 0; r < KM_GROUP; r++)
        work_free(&ws[r]);
    for (int t = 0; t < KM_MAX_THREADS; t++)
        thread_free(&ths[t]);
    return rc;
}

static int km_create(void **self, const void *config, const quarry_host *host,
                     char *err)
{
    km *me = calloc(1, sizeof *me);
    if (me == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "out of memory");
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

static void km_destroy(void *self)
{
    free(self);
}

static const quarry_plugin km_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "kmeans",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "spherical k-means (cosine): Ward's tree then single-row "
               "moves up to ward_rows rows, k-means++ restarts above",
    .author = "quarry developers",
    .config_size = sizeof(km_config),
    .options = km_options,
    .create = km_create,
    .destroy = km_destroy,
    .needs = QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE,
    .cluster = km_cluster,
};

static const quarry_plugin *const km_all[] = {&km_plugin, NULL};
QUARRY_PLUGIN_ENTRY(clusterer_kmeans)
{
    return km_all;
}
