/*
 * hac.c -- micro-clusters, Gram matrix of group sums, linkage by
 * nearest-neighbour chains, and the cut (hac.h).
 */
#include "hac.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows scored per SGEMM call in the micro k-means. */
#define HAC_BLOCK 2048

/* Up to this many multiply-adds (m * m * dim) the dense Gram matrix is
 * computed in double by plain loops (400 groups of 100 dims: 16 million);
 * beyond, in float through the host's sgemm. */
#define HAC_EXACT_GRAM 2e9

/* ------------------------------------------------------------------ */
/* Randomness                                                           */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void hac_rng_seed(hac_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t mix = stream;
    uint64_t state = seed ^ splitmix64(&mix);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&state);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t hac_rng_next(hac_rng *r)
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

double hac_rng_unit(hac_rng *r)
{
    return (double)(hac_rng_next(r) >> 11) * 0x1.0p-53;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */

int hac_rows_pick(hac_rows *r, const quarry_cluster_input *in,
                  const quarry_cluster_output *out, int use_dense,
                  const char *name, char *err)
{
    if (in == NULL || out == NULL || in->size < sizeof *in ||
        out->size < sizeof *out || out->labels == NULL) {
        snprintf(err, QUARRY_ERR_MAX,
                 "%s: missing or short input/output structs, or no labels",
                 name);
        return QUARRY_EINVAL;
    }
    memset(r, 0, sizeof *r);
    if (in->dense != NULL && (use_dense || in->x == NULL)) {
        const quarry_dense *x = in->dense;
        if (x->rows < 0 || x->cols < 1 || x->ld < x->cols ||
            (x->rows > 0 && x->data == NULL)) {
            snprintf(err, QUARRY_ERR_MAX,
                     "%s: malformed dense matrix (%lld x %lld, ld %lld)", name,
                     (long long)x->rows, (long long)x->cols, (long long)x->ld);
            return QUARRY_EINVAL;
        }
        r->dense = x;
        r->n = x->rows;
        r->dim = x->cols;
    } else if (in->x != NULL) {
        const quarry_csr *x = in->x;
        if (x->rows < 0 || x->cols < 1 || x->row_ptr == NULL ||
            (x->row_ptr[x->rows] > 0 &&
             (x->col_idx == NULL || x->values == NULL))) {
            snprintf(err, QUARRY_ERR_MAX, "%s: malformed sparse matrix", name);
            return QUARRY_EINVAL;
        }
        for (int64_t p = 0; p < x->row_ptr[x->rows]; p++)
            if (x->col_idx[p] < 0 || x->col_idx[p] >= x->cols) {
                snprintf(err, QUARRY_ERR_MAX,
                         "%s: sparse matrix entry %lld: column %ld outside "
                         "0..%lld",
                         name, (long long)p, (long)x->col_idx[p],
                         (long long)x->cols - 1);
                return QUARRY_EINVAL;
            }
        r->x = x;
        r->n = x->rows;
        r->dim = x->cols;
    } else {
        snprintf(err, QUARRY_ERR_MAX,
                 "%s: no rows given (neither sparse nor dense)", name);
        return QUARRY_EINVAL;
    }
    if (r->n < 1) {
        snprintf(err, QUARRY_ERR_MAX, "%s: no rows to cluster", name);
        return QUARRY_EINVAL;
    }
    return QUARRY_OK;
}

double hac_row_dot(const hac_rows *r, int64_t i, const float *c)
{
    double s = 0.0;
    if (r->dense != NULL) {
        const float *row = r->dense->data + i * r->dense->ld;
        for (int64_t j = 0; j < r->dim; j++)
            s += (double)row[j] * c[j];
    } else {
        for (int64_t p = r->x->row_ptr[i]; p < r->x->row_ptr[i + 1]; p++)
            s += (double)r->x->values[p] * c[r->x->col_idx[p]];
    }
    return s;
}

void hac_row_add(const hac_rows *r, int64_t i, float *c)
{
    if (r->dense != NULL) {
        const float *row = r->dense->data + i * r->dense->ld;
        for (int64_t j = 0; j < r->dim; j++)
            c[j] += row[j];
    } else {
        for (int64_t p = r->x->row_ptr[i]; p < r->x->row_ptr[i + 1]; p++)
            c[r->x->col_idx[p]] += r->x->values[p];
    }
}

void hac_host_copy(quarry_host *dst, const quarry_host *src)
{
    memset(dst, 0, sizeof *dst);
    if (src != NULL) {
        size_t n = src->size < sizeof *dst ? src->size : sizeof *dst;
        memcpy(dst, src, n);
        dst->size = (uint32_t)n;
    }
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

/* Row-major C = A B^T (m x n, inner k) through the host or a plain loop. */
void hac_gemm_nt(const quarry_host *host, int64_t m, int64_t n, int64_t k,
                 const float *a, int64_t lda, const float *b, int64_t ldb,
                 float *c, int64_t ldc)
{
    if (host != NULL && host->sgemm != NULL) {
        host->sgemm(host->ctx, QUARRY_NO_TRANS, QUARRY_TRANS, m, n, k, 1.0f, a,
                    lda, b, ldb, 0.0f, c, ldc);
        return;
    }
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0.0;
            for (int64_t t = 0; t < k; t++)
                s += (double)a[i * lda + t] * b[j * ldb + t];
            c[i * ldc + j] = (float)s;
        }
}

/* ------------------------------------------------------------------ */
/* Step 1: micro-clusters by spherical k-means                           */

typedef struct micro_work {
    float *c;      /* m x dim */
    float *ct;     /* sparse: dim x m, term-major */
    float *scores; /* dense: block x m; sparse: m */
    double *dist;  /* n */
    int64_t *count;
} micro_work;

static void micro_free(micro_work *w)
{
    free(w->c);
    free(w->ct);
    free(w->scores);
    free(w->dist);
    free(w->count);
}

static void seed_plusplus(const hac_rows *r, int32_t m, micro_work *w,
                          hac_rng *rng)
{
    int64_t dim = r->dim;
    int64_t first = (int64_t)(hac_rng_unit(rng) * (double)r->n);
    memset(w->c, 0, (size_t)m * (size_t)dim * sizeof *w->c);
    hac_row_add(r, first, w->c);
    normalise(w->c, dim);
    for (int64_t i = 0; i < r->n; i++)
        w->dist[i] = fmax(0.0, 1.0 - hac_row_dot(r, i, w->c));
    for (int32_t j = 1; j < m; j++) {
        double total = 0.0;
        int64_t pick = -1;
        for (int64_t i = 0; i < r->n; i++)
            total += w->dist[i];
        if (total > 0.0) {
            double u = hac_rng_unit(rng) * total;
            for (int64_t i = 0; i < r->n; i++) {
                if (w->dist[i] <= 0.0)
                    continue;
                pick = i;
                u -= w->dist[i];
                if (u < 0.0)
                    break;
            }
        } else {
            pick = (int64_t)(hac_rng_unit(rng) * (double)r->n);
        }
        float *cj = w->c + (size_t)j * (size_t)dim;
        hac_row_add(r, pick, cj);
        normalise(cj, dim);
        for (int64_t i = 0; i < r->n; i++)
            w->dist[i] =
                fmin(w->dist[i], fmax(0.0, 1.0 - hac_row_dot(r, i, cj)));
    }
}

static int32_t argmax(const float *s, int32_t m)
{
    int32_t arg = 0;
    for (int32_t j = 1; j < m; j++)
        if (s[j] > s[arg])
            arg = j;
    return arg;
}

static int64_t micro_assign(const hac_rows *r, int32_t m, micro_work *w,
                            const quarry_host *host, int32_t *group)
{
    int64_t changed = 0, dim = r->dim;
    if (r->dense != NULL) {
        for (int64_t r0 = 0; r0 < r->n; r0 += HAC_BLOCK) {
            int64_t b = r->n - r0 < HAC_BLOCK ? r->n - r0 : HAC_BLOCK;
            hac_gemm_nt(host, b, m, dim, r->dense->data + r0 * r->dense->ld,
                        r->dense->ld, w->c, dim, w->scores, m);
            for (int64_t i = 0; i < b; i++) {
                int32_t g = argmax(w->scores + i * m, m);
                changed += group[r0 + i] != g;
                group[r0 + i] = g;
            }
        }
        return changed;
    }
    for (int64_t t = 0; t < dim; t++)
        for (int32_t j = 0; j < m; j++)
            w->ct[t * m + j] = w->c[(size_t)j * (size_t)dim + t];
    for (int64_t i = 0; i < r->n; i++) {
        memset(w->scores, 0, (size_t)m * sizeof *w->scores);
        for (int64_t p = r->x->row_ptr[i]; p < r->x->row_ptr[i + 1]; p++) {
            const float v = r->x->values[p];
            const float *ct = w->ct + (int64_t)r->x->col_idx[p] * m;
            for (int32_t j = 0; j < m; j++)
                w->scores[j] += v * ct[j];
        }
        int32_t g = argmax(w->scores, m);
        changed += group[i] != g;
        group[i] = g;
    }
    return changed;
}

int hac_micro(const hac_rows *r, int32_t m, int32_t iters, uint64_t seed,
              const quarry_host *host, const char *name, int32_t *group,
              int32_t *m_out, char *err)
{
    micro_work w;
    hac_rng rng;
    int64_t dim = r->dim;
    int rc = QUARRY_OK;

    if ((int64_t)m >= r->n) {
        for (int64_t i = 0; i < r->n; i++)
            group[i] = (int32_t)i;
        *m_out = (int32_t)r->n;
        return QUARRY_OK;
    }
    memset(&w, 0, sizeof w);
    w.c = malloc((size_t)m * (size_t)dim * sizeof *w.c);
    w.ct = r->x != NULL ? malloc((size_t)m * (size_t)dim * sizeof *w.ct) : NULL;
    w.scores = malloc((size_t)HAC_BLOCK * (size_t)m * sizeof *w.scores);
    w.dist = malloc((size_t)r->n * sizeof *w.dist);
    w.count = malloc((size_t)m * sizeof *w.count);
    if (w.c == NULL || (r->x != NULL && w.ct == NULL) || w.scores == NULL ||
        w.dist == NULL || w.count == NULL) {
        snprintf(err, QUARRY_ERR_MAX,
                 "%s: out of memory for %ld micro-clusters of %lld dims", name,
                 (long)m, (long long)dim);
        rc = QUARRY_ENOMEM;
        goto out;
    }
    hac_rng_seed(&rng, seed, 0x6d6963726fu);
    seed_plusplus(r, m, &w, &rng);
    for (int64_t i = 0; i < r->n; i++)
        group[i] = -1;
    for (int32_t it = 0; it < iters; it++) {
        int64_t changed = micro_assign(r, m, &w, host, group);
        if (host != NULL && host->progress != NULL &&
            host->progress(host->ctx, it + 1, iters) != 0) {
            snprintf(err, QUARRY_ERR_MAX,
                     "%s: cancelled (micro-clusters, iteration %ld)", name,
                     (long)it + 1);
            rc = QUARRY_ECANCELED;
            goto out;
        }
        if (changed == 0 || it + 1 == iters)
            break;
        memset(w.c, 0, (size_t)m * (size_t)dim * sizeof *w.c);
        for (int64_t i = 0; i < r->n; i++)
            hac_row_add(r, i, w.c + (size_t)group[i] * (size_t)dim);
        for (int32_t j = 0; j < m; j++)
            normalise(w.c + (size_t)j * (size_t)dim, dim);
    }
    /* Drop empty groups, keeping the order of the others. */
    {
        int32_t kept = 0;
        memset(w.count, 0, (size_t)m * sizeof *w.count);
        for (int64_t i = 0; i < r->n; i++)
            w.count[group[i]]++;
        for (int32_t j = 0; j < m; j++)
            w.count[j] = w.count[j] > 0 ? kept++ : -1;
        for (int64_t i = 0; i < r->n; i++)
            group[i] = (int32_t)w.count[group[i]];
        *m_out = kept;
    }
out:
    micro_free(&w);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Step 2: Gram matrix of the group sums, then the linkage              */

int hac_gram(const hac_rows *r, const int32_t *group, int32_t m,
             const quarry_host *host, const char *name, double *gram,
             int64_t *sizes, char *err)
{
    int64_t dim = r->dim;
    size_t mm = (size_t)m * (size_t)m;
    memset(sizes, 0, (size_t)m * sizeof *sizes);
    for (int64_t i = 0; i < r->n; i++)
        sizes[group[i]]++;
    if (r->dense != NULL && (double)m * m * dim <= HAC_EXACT_GRAM) {
        /* Sums and products in double: exact enough that the tree does
         * not depend on the BLAS's rounding. */
        double *sums = calloc((size_t)m * (size_t)dim, sizeof *sums);
        if (sums == NULL) {
            snprintf(err, QUARRY_ERR_MAX,
                     "%s: out of memory for the %ld x %ld Gram matrix", name,
                     (long)m, (long)m);
            return QUARRY_ENOMEM;
        }
        for (int64_t i = 0; i < r->n; i++) {
            const float *row = r->dense->data + i * r->dense->ld;
            double *sg = sums + (size_t)group[i] * (size_t)dim;
            for (int64_t j = 0; j < dim; j++)
                sg[j] += row[j];
        }
        for (int32_t a = 0; a < m; a++)
            for (int32_t b = a; b < m; b++) {
                const double *sa = sums + (size_t)a * (size_t)dim;
                const double *sb = sums + (size_t)b * (size_t)dim;
                double v = 0.0;
                for (int64_t j = 0; j < dim; j++)
                    v += sa[j] * sb[j];
                gram[(size_t)a * m + b] = gram[(size_t)b * m + a] = v;
            }
        free(sums);
    } else if (r->dense != NULL) {
        float *sums = calloc((size_t)m * (size_t)dim, sizeof *sums);
        float *g = malloc(mm * sizeof *g);
        if (sums == NULL || g == NULL) {
            free(sums);
            free(g);
            snprintf(err, QUARRY_ERR_MAX,
                     "%s: out of memory for the %ld x %ld Gram matrix", name,
                     (long)m, (long)m);
            return QUARRY_ENOMEM;
        }
        for (int64_t i = 0; i < r->n; i++)
            hac_row_add(r, i, sums + (size_t)group[i] * (size_t)dim);
        hac_gemm_nt(host, m, m, dim, sums, dim, sums, dim, g, m);
        for (size_t p = 0; p < mm; p++)
            gram[p] = g[p];
        free(sums);
        free(g);
    } else {
        /* One group sum at a time: row i adds x_i . S_a to G[a][group i]. */
        float *s = malloc((size_t)dim * sizeof *s);
        int64_t *start = calloc((size_t)m + 1, sizeof *start);
        int64_t *order = malloc((size_t)r->n * sizeof *order);
        if (s == NULL || start == NULL || order == NULL) {
            free(s);
            free(start);
            free(order);
            snprintf(err, QUARRY_ERR_MAX,
                     "%s: out of memory for the %ld x %ld Gram matrix", name,
                     (long)m, (long)m);
            return QUARRY_ENOMEM;
        }
        for (int32_t a = 0; a < m; a++)
            start[a + 1] = start[a] + sizes[a];
        for (int64_t i = 0, *fill = start; i < r->n; i++)
            order[fill[group[i]]++] = i;
        /* fill ran start[a] up to start[a + 1]: shift back. */
        for (int32_t a = m; a > 0; a--)
            start[a] = start[a - 1];
        start[0] = 0;
        memset(gram, 0, mm * sizeof *gram);
        for (int32_t a = 0; a < m; a++) {
            memset(s, 0, (size_t)dim * sizeof *s);
            for (int64_t q = start[a]; q < start[a + 1]; q++)
                hac_row_add(r, order[q], s);
            for (int64_t i = 0; i < r->n; i++)
                gram[(size_t)a * (size_t)m + (size_t)group[i]] +=
                    hac_row_dot(r, i, s);
            if (host != NULL && host->progress != NULL &&
                host->progress(host->ctx, a + 1, m) != 0) {
                free(s);
                free(start);
                free(order);
                snprintf(err, QUARRY_ERR_MAX, "%s: cancelled (Gram matrix)",
                         name);
                return QUARRY_ECANCELED;
            }
        }
        /* Symmetrise against rounding. */
        for (int32_t a = 0; a < m; a++)
            for (int32_t b = a + 1; b < m; b++) {
                double v =
                    0.5 * (gram[(size_t)a * m + b] + gram[(size_t)b * m + a]);
                gram[(size_t)a * m + b] = gram[(size_t)b * m + a] = v;
            }
        free(s);
        free(start);
        free(order);
    }
    return QUARRY_OK;
}

static double link_dist(const double *g, const int64_t *n, int32_t m,
                        hac_linkage link, int32_t a, int32_t b)
{
    double na = (double)n[a], nb = (double)n[b];
    double ab = g[(size_t)a * m + b];
    if (link == HAC_AVERAGE)
        return 1.0 - ab / (na * nb);
    double d2 = g[(size_t)a * m + a] / (na * na) +
                g[(size_t)b * m + b] / (nb * nb) - 2.0 * ab / (na * nb);
    return na * nb / (na + nb) * fmax(0.0, d2);
}

static int cmp_merge(const void *pa, const void *pb)
{
    const hac_merge *a = pa, *b = pb;
    if (a->height != b->height)
        return a->height < b->height ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

int hac_tree(double *g, int64_t *n, int32_t m, hac_linkage link,
             hac_merge *merges)
{
    /* The chain holds distinct live clusters, so m entries are enough. */
    int32_t *chain = malloc((size_t)m * sizeof *chain);
    unsigned char *alive = malloc((size_t)m);
    int32_t len = 0, n_merges = 0, lowest = 0;
    if (chain == NULL || alive == NULL) {
        free(chain);
        free(alive);
        return QUARRY_ENOMEM;
    }
    memset(alive, 1, (size_t)m);
    while (n_merges < m - 1) {
        if (len == 0) {
            while (!alive[lowest])
                lowest++;
            chain[len++] = lowest;
        }
        int32_t a = chain[len - 1], prev = len > 1 ? chain[len - 2] : -1;
        int32_t best = -1;
        double bd = INFINITY;
        if (prev >= 0) {
            best = prev;
            bd = link_dist(g, n, m, link, a, prev);
        }
        for (int32_t c = 0; c < m; c++) {
            if (!alive[c] || c == a)
                continue;
            double d = link_dist(g, n, m, link, a, c);
            if (d < bd) {
                bd = d;
                best = c;
            }
        }
        if (best != prev) {
            chain[len++] = best;
            continue;
        }
        /* a and prev are reciprocal nearest neighbours: merge into the
         * lower index, which stays a member group of the merged cluster. */
        len -= 2;
        int32_t keep = a < prev ? a : prev, gone = a < prev ? prev : a;
        merges[n_merges++] = (hac_merge){keep, gone, bd};
        double kk = g[(size_t)keep * m + keep] + g[(size_t)gone * m + gone] +
                    2.0 * g[(size_t)keep * m + gone];
        for (int32_t c = 0; c < m; c++) {
            if (!alive[c] || c == keep || c == gone)
                continue;
            double v = g[(size_t)keep * m + c] + g[(size_t)gone * m + c];
            g[(size_t)keep * m + c] = g[(size_t)c * m + keep] = v;
        }
        g[(size_t)keep * m + keep] = kk;
        n[keep] += n[gone];
        alive[gone] = 0;
    }
    free(chain);
    free(alive);
    qsort(merges, (size_t)(m > 0 ? m - 1 : 0), sizeof *merges, cmp_merge);
    return QUARRY_OK;
}

static int32_t uf_find(int32_t *parent, int32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

void hac_cut(const hac_merge *merges, int32_t m, int32_t k,
             int32_t *cluster_of_group, int32_t *parent)
{
    for (int32_t i = 0; i < m; i++) {
        parent[i] = i;
        cluster_of_group[i] = -1;
    }
    for (int32_t t = 0; t < m - k; t++) {
        int32_t a = uf_find(parent, merges[t].a),
                b = uf_find(parent, merges[t].b);
        if (a < b)
            parent[b] = a;
        else if (b < a)
            parent[a] = b;
    }
    /* Roots are each cluster's lowest group: number them in group order. */
    int32_t next = 0;
    for (int32_t i = 0; i < m; i++) {
        int32_t root = uf_find(parent, i);
        if (cluster_of_group[root] < 0)
            cluster_of_group[root] = next++;
        cluster_of_group[i] = cluster_of_group[root];
    }
}

int64_t hac_refine(const double *g, int32_t m, int32_t k, int32_t *cog,
                   int32_t sweeps)
{
    /* a[h * k + c] = S_h . (sum of cluster c); n2[c] = |sum of c|^2. */
    double *a = calloc((size_t)m * (size_t)k, sizeof *a);
    double *n2 = calloc((size_t)k, sizeof *n2);
    int32_t *count = calloc((size_t)k, sizeof *count);
    int64_t moves = 0;
    if (a == NULL || n2 == NULL || count == NULL) {
        free(a);
        free(n2);
        free(count);
        return -1;
    }
    for (int32_t h = 0; h < m; h++) {
        count[cog[h]]++;
        for (int32_t j = 0; j < m; j++)
            a[(size_t)h * k + cog[j]] += g[(size_t)h * m + j];
    }
    for (int32_t h = 0; h < m; h++)
        n2[cog[h]] += a[(size_t)h * k + cog[h]];
    for (int32_t sweep = 0; sweep < sweeps; sweep++) {
        int64_t moved = 0;
        for (int32_t h = 0; h < m; h++) {
            int32_t from = cog[h], to = -1;
            const double *ah = a + (size_t)h * k;
            double gh = g[(size_t)h * m + h], best = 0.0;
            if (count[from] < 2)
                continue;
            /* the objective without h in from, then with h in c */
            double out = fmax(0.0, n2[from] - 2.0 * ah[from] + gh);
            double base = sqrt(n2[from]);
            for (int32_t c = 0; c < k; c++) {
                if (c == from)
                    continue;
                double gain = sqrt(out) - base +
                              sqrt(fmax(0.0, n2[c] + 2.0 * ah[c] + gh)) -
                              sqrt(fmax(0.0, n2[c]));
                if (gain > best + 1e-12 * (base + 1.0)) {
                    best = gain;
                    to = c;
                }
            }
            if (to < 0)
                continue;
            n2[from] = out;
            n2[to] = n2[to] + 2.0 * ah[to] + gh;
            for (int32_t j = 0; j < m; j++) {
                a[(size_t)j * k + from] -= g[(size_t)j * m + h];
                a[(size_t)j * k + to] += g[(size_t)j * m + h];
            }
            count[from]--;
            count[to]++;
            cog[h] = to;
            moved++;
        }
        moves += moved;
        if (moved == 0)
            break;
    }
    free(a);
    free(n2);
    free(count);
    return moves;
}

double hac_finish(const hac_rows *r, const int32_t *group,
                  const int32_t *cluster_of_group, int32_t m, int32_t k,
                  int32_t *labels, float *centroids, float *work)
{
    double objective = 0.0;
    int32_t next = 0;
    /* Renumber by first appearance over the rows. */
    int32_t *map = malloc((size_t)k * sizeof *map);
    (void)m;
    if (map == NULL) {
        for (int64_t i = 0; i < r->n; i++)
            labels[i] = cluster_of_group[group[i]];
    } else {
        for (int32_t c = 0; c < k; c++)
            map[c] = -1;
        for (int64_t i = 0; i < r->n; i++) {
            int32_t c = cluster_of_group[group[i]];
            if (map[c] < 0)
                map[c] = next++;
            labels[i] = map[c];
        }
        free(map);
    }
    for (int32_t c = 0; c < k; c++) {
        memset(work, 0, (size_t)r->dim * sizeof *work);
        for (int64_t i = 0; i < r->n; i++)
            if (labels[i] == c)
                hac_row_add(r, i, work);
        objective += normalise(work, r->dim);
        if (centroids != NULL)
            memcpy(centroids + (size_t)c * (size_t)r->dim, work,
                   (size_t)r->dim * sizeof *work);
    }
    return objective;
}
