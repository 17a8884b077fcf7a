/*
 * metrics.c -- clustering scores against gold labels (quarry/metrics.h):
 * ARI, NMI, homogeneity, completeness, V-measure and the cosine
 * silhouette, each computed as scikit-learn computes it so the two can be
 * compared figure for figure. The label scores all come from one sparse
 * contingency table (the distinct (gold, predicted) pairs and their
 * counts, found by sorting), so memory is O(n) whatever the labels are.
 * The silhouette never forms a distance matrix: with unit rows the mean
 * cosine distance of a row to a cluster is 1 - (row . cluster sum) / size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quarry/quarry.h"

/* Labels mapped to 0..n_values-1 (by sorted value). */
typedef struct dense_labels {
    int32_t *id;
    int64_t n_values;
} dense_labels;

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Map n labels to dense ids; out->id has n entries (caller frees). */
static int densify(const int32_t *labels, size_t n, dense_labels *out)
{
    int32_t *sorted;
    size_t i, u = 0;
    out->id = malloc((n ? n : 1) * sizeof *out->id);
    sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (out->id == NULL || sorted == NULL) {
        free(out->id);
        free(sorted);
        out->id = NULL;
        return QUARRY_ENOMEM;
    }
    if (n > 0)
        memcpy(sorted, labels, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_i32);
    for (i = 0; i < n; i++)
        if (u == 0 || sorted[u - 1] != sorted[i])
            sorted[u++] = sorted[i];
    for (i = 0; i < n; i++) {
        const int32_t *hit =
            bsearch(&labels[i], sorted, u, sizeof *sorted, cmp_i32);
        out->id[i] = (int32_t)(hit - sorted);
    }
    out->n_values = (int64_t)u;
    free(sorted);
    return QUARRY_OK;
}

/* The table: class and cluster sizes, and the non-zero cells. */
typedef struct contingency {
    int64_t n;
    int64_t n_classes, n_clusters;
    int64_t *class_size, *cluster_size;
    int64_t n_cells;
    int64_t *cell_class, *cell_cluster, *cell_count;
} contingency;

static void contingency_free(contingency *t)
{
    free(t->class_size);
    free(t->cluster_size);
    free(t->cell_class);
    free(t->cell_cluster);
    free(t->cell_count);
    memset(t, 0, sizeof *t);
}

static int contingency_build(contingency *t, const int32_t *gold,
                             const int32_t *pred, size_t n)
{
    dense_labels g = {NULL, 0}, p = {NULL, 0};
    int64_t *keys = NULL;
    size_t i;
    int rc;

    memset(t, 0, sizeof *t);
    t->n = (int64_t)n;
    rc = densify(gold, n, &g);
    if (rc == 0)
        rc = densify(pred, n, &p);
    if (rc != 0)
        goto out;
    rc = QUARRY_ENOMEM;
    t->n_classes = g.n_values;
    t->n_clusters = p.n_values;
    t->class_size = calloc((size_t)g.n_values + 1, sizeof *t->class_size);
    t->cluster_size = calloc((size_t)p.n_values + 1, sizeof *t->cluster_size);
    keys = malloc((n ? n : 1) * sizeof *keys);
    t->cell_class = malloc((n ? n : 1) * sizeof *t->cell_class);
    t->cell_cluster = malloc((n ? n : 1) * sizeof *t->cell_cluster);
    t->cell_count = malloc((n ? n : 1) * sizeof *t->cell_count);
    if (!t->class_size || !t->cluster_size || !keys || !t->cell_class ||
        !t->cell_cluster || !t->cell_count)
        goto out;
    for (i = 0; i < n; i++) {
        t->class_size[g.id[i]]++;
        t->cluster_size[p.id[i]]++;
        keys[i] = (int64_t)g.id[i] * p.n_values + p.id[i];
    }
    qsort(keys, n, sizeof *keys, cmp_i64);
    for (i = 0; i < n; i++) {
        if (i > 0 && keys[i] == keys[i - 1]) {
            t->cell_count[t->n_cells - 1]++;
            continue;
        }
        t->cell_class[t->n_cells] = keys[i] / p.n_values;
        t->cell_cluster[t->n_cells] = keys[i] % p.n_values;
        t->cell_count[t->n_cells] = 1;
        t->n_cells++;
    }
    rc = QUARRY_OK;
out:
    if (rc != 0)
        contingency_free(t);
    free(keys);
    free(g.id);
    free(p.id);
    return rc;
}

/* Entropy (natural log) of a labeling given its class sizes. */
static double entropy(const int64_t *size, int64_t n_values, int64_t n)
{
    double h = 0.0, logn;
    int64_t i;
    if (n == 0)
        return 1.0; /* scikit-learn's value for no labels */
    if (n_values <= 1)
        return 0.0;
    logn = log((double)n);
    for (i = 0; i < n_values; i++)
        if (size[i] > 0)
            h -= ((double)size[i] / (double)n) * (log((double)size[i]) - logn);
    return h;
}

/* Mutual information of the table (natural log), clipped at 0. */
static double mutual_info(const contingency *t)
{
    double mi = 0.0, logn;
    int64_t c;
    if (t->n_classes <= 1 || t->n_clusters <= 1)
        return 0.0;
    logn = log((double)t->n);
    for (c = 0; c < t->n_cells; c++) {
        double nij = (double)t->cell_count[c];
        double outer = (double)t->class_size[t->cell_class[c]] *
                       (double)t->cluster_size[t->cell_cluster[c]];
        double term = (nij / (double)t->n) *
                      (log(nij) - logn - log(outer) + 2.0 * logn);
        if (fabs(term) >= 2.220446049250313e-16) /* scikit-learn's eps cut */
            mi += term;
    }
    return mi > 0.0 ? mi : 0.0;
}

static double ari_of(const contingency *t)
{
    /* scikit-learn's pair confusion matrix, in long double: its products
     * reach n^4. */
    long double n = (long double)t->n, sq = 0, sa = 0, sb = 0;
    long double tp, fp, fn, tn;
    int64_t i;
    for (i = 0; i < t->n_cells; i++)
        sq += (long double)t->cell_count[i] * (long double)t->cell_count[i];
    for (i = 0; i < t->n_classes; i++)
        sa += (long double)t->class_size[i] * (long double)t->class_size[i];
    for (i = 0; i < t->n_clusters; i++)
        sb += (long double)t->cluster_size[i] * (long double)t->cluster_size[i];
    tp = sq - n;
    fp = sb - sq; /* same cluster, different classes */
    fn = sa - sq; /* same class, different clusters */
    tn = n * n - fp - fn - sq;
    if (fn == 0 && fp == 0)
        return 1.0;
    return (double)(2.0L * (tp * tn - fn * fp) /
                    ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)));
}

static double nmi_of(const contingency *t)
{
    double mi, hg, hp;
    if ((t->n_classes == 1 && t->n_clusters == 1) ||
        (t->n_classes == 0 && t->n_clusters == 0))
        return 1.0;
    mi = mutual_info(t);
    if (mi == 0.0)
        return 0.0;
    hg = entropy(t->class_size, t->n_classes, t->n);
    hp = entropy(t->cluster_size, t->n_clusters, t->n);
    return mi / ((hg + hp) / 2.0);
}

static void hcv_of(const contingency *t, double *h, double *c, double *v)
{
    double hg, hp, mi;
    if (t->n == 0) {
        *h = *c = *v = 1.0;
        return;
    }
    hg = entropy(t->class_size, t->n_classes, t->n);
    hp = entropy(t->cluster_size, t->n_clusters, t->n);
    mi = mutual_info(t);
    *h = hg != 0.0 ? mi / hg : 1.0;
    *c = hp != 0.0 ? mi / hp : 1.0;
    *v = *h + *c == 0.0 ? 0.0 : 2.0 * *h * *c / (*h + *c);
}

static int check_args(const void *out, const int32_t *gold,
                      const int32_t *pred, size_t n)
{
    if (out == NULL || (n > 0 && (gold == NULL || pred == NULL)))
        return QUARRY_EINVAL;
    if (n > (size_t)INT64_MAX / 4)
        return QUARRY_ERANGE;
    return QUARRY_OK;
}

int quarry_metrics_scores(quarry_cluster_scores *out, const int32_t *gold,
                          const int32_t *pred, size_t n)
{
    contingency t;
    int rc = check_args(out, gold, pred, n);
    if (rc != 0)
        return rc;
    rc = contingency_build(&t, gold, pred, n);
    if (rc != 0)
        return rc;
    out->ari = ari_of(&t);
    out->nmi = nmi_of(&t);
    hcv_of(&t, &out->homogeneity, &out->completeness, &out->v_measure);
    contingency_free(&t);
    return QUARRY_OK;
}

int quarry_metrics_ari(double *out, const int32_t *gold, const int32_t *pred,
                       size_t n)
{
    quarry_cluster_scores s;
    int rc = check_args(out, gold, pred, n);
    if (rc == 0)
        rc = quarry_metrics_scores(&s, gold, pred, n);
    if (rc == 0)
        *out = s.ari;
    return rc;
}

int quarry_metrics_nmi(double *out, const int32_t *gold, const int32_t *pred,
                       size_t n)
{
    quarry_cluster_scores s;
    int rc = check_args(out, gold, pred, n);
    if (rc == 0)
        rc = quarry_metrics_scores(&s, gold, pred, n);
    if (rc == 0)
        *out = s.nmi;
    return rc;
}

int quarry_metrics_v_measure(double *out, const int32_t *gold,
                             const int32_t *pred, size_t n)
{
    quarry_cluster_scores s;
    int rc = check_args(out, gold, pred, n);
    if (rc == 0)
        rc = quarry_metrics_scores(&s, gold, pred, n);
    if (rc == 0)
        *out = s.v_measure;
    return rc;
}

/* E[MI] of the table's margins under the hypergeometric model (Vinh,
 * Epps & Bailey 2010, eq. 24a): for every class a and cluster b, the
 * counts n_ab it could hold, each weighted by its probability. */
static double expected_mi(const contingency *t)
{
    double N = (double)t->n, emi = 0.0, lgN = lgamma(N + 1.0);
    int64_t i, j, k;
    for (i = 0; i < t->n_classes; i++) {
        int64_t a = t->class_size[i];
        double lga = lgamma((double)a + 1.0) + lgamma(N - (double)a + 1.0);
        for (j = 0; j < t->n_clusters; j++) {
            int64_t b = t->cluster_size[j];
            int64_t lo = a + b - t->n > 1 ? a + b - t->n : 1;
            int64_t hi = a < b ? a : b;
            double lgb = lgamma((double)b + 1.0) +
                         lgamma(N - (double)b + 1.0);
            for (k = lo; k <= hi; k++) {
                double nk = (double)k;
                double p = lga + lgb - lgN - lgamma(nk + 1.0) -
                           lgamma((double)(a - k) + 1.0) -
                           lgamma((double)(b - k) + 1.0) -
                           lgamma(N - (double)a - (double)b + nk + 1.0);
                emi += nk / N * (log(N * nk) - log((double)a * (double)b)) *
                       exp(p);
            }
        }
    }
    return emi;
}

int quarry_metrics_ami(double *out, const int32_t *gold, const int32_t *pred,
                       size_t n)
{
    contingency t;
    double mi, emi, hg, hp, den;
    int rc = check_args(out, gold, pred, n);
    if (rc != 0)
        return rc;
    rc = contingency_build(&t, gold, pred, n);
    if (rc != 0)
        return rc;
    if ((t.n_classes == 1 && t.n_clusters == 1) ||
        (t.n_classes == 0 && t.n_clusters == 0)) {
        contingency_free(&t);
        *out = 1.0;
        return QUARRY_OK;
    }
    mi = mutual_info(&t);
    emi = expected_mi(&t);
    hg = entropy(t.class_size, t.n_classes, t.n);
    hp = entropy(t.cluster_size, t.n_clusters, t.n);
    den = (hg + hp) / 2.0 - emi;
    /* scikit-learn's guard: the denominator kept off 0 by one ulp */
    if (den < 0.0)
        den = den < -2.220446049250313e-16 ? den : -2.220446049250313e-16;
    else
        den = den > 2.220446049250313e-16 ? den : 2.220446049250313e-16;
    *out = (mi - emi) / den;
    contingency_free(&t);
    return QUARRY_OK;
}

/* ------------------------------------------------------------------ */
/* Silhouette                                                           */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Rows of one matrix seen the same way, sparse or dense. */
typedef struct rows_view {
    const quarry_csr *x;
    const quarry_dense *d;
    int64_t rows, cols;
} rows_view;

static double row_norm(const rows_view *v, int64_t r)
{
    double s = 0.0;
    int64_t p;
    if (v->x != NULL) {
        for (p = v->x->row_ptr[r]; p < v->x->row_ptr[r + 1]; p++)
            s += (double)v->x->values[p] * v->x->values[p];
    } else {
        const float *row = v->d->data + r * v->d->ld;
        for (p = 0; p < v->cols; p++)
            s += (double)row[p] * row[p];
    }
    return sqrt(s);
}

/* sums[col * k + c] += scale * row (scale = 1 / norm). */
static void row_add(const rows_view *v, int64_t r, double scale, int64_t c,
                    int64_t k, double *sums)
{
    int64_t p;
    if (v->x != NULL) {
        for (p = v->x->row_ptr[r]; p < v->x->row_ptr[r + 1]; p++)
            sums[(int64_t)v->x->col_idx[p] * k + c] +=
                scale * v->x->values[p];
    } else {
        const float *row = v->d->data + r * v->d->ld;
        for (p = 0; p < v->cols; p++)
            sums[p * k + c] += scale * row[p];
    }
}

/* dots[c] = scale * row . sums[., c] for every cluster c. */
static void row_dots(const rows_view *v, int64_t r, double scale, int64_t k,
                     const double *sums, double *dots)
{
    int64_t p, c;
    memset(dots, 0, (size_t)k * sizeof *dots);
    if (v->x != NULL) {
        for (p = v->x->row_ptr[r]; p < v->x->row_ptr[r + 1]; p++) {
            const double *s = sums + (int64_t)v->x->col_idx[p] * k;
            double a = scale * v->x->values[p];
            for (c = 0; c < k; c++)
                dots[c] += a * s[c];
        }
    } else {
        const float *row = v->d->data + r * v->d->ld;
        for (p = 0; p < v->cols; p++) {
            const double *s = sums + p * k;
            double a = scale * row[p];
            for (c = 0; c < k; c++)
                dots[c] += a * s[c];
        }
    }
}

static int check_matrix(const quarry_csr *x, const quarry_dense *d)
{
    int64_t i;
    if ((x == NULL) == (d == NULL))
        return QUARRY_EINVAL;
    if (d != NULL)
        return d->rows < 0 || d->cols < 0 || d->ld < d->cols ||
                       (d->rows > 0 && d->cols > 0 && d->data == NULL)
                   ? QUARRY_EINVAL
                   : QUARRY_OK;
    if (x->rows < 0 || x->cols < 0 || x->row_ptr == NULL ||
        x->row_ptr[0] != 0)
        return QUARRY_EINVAL;
    for (i = 0; i < x->rows; i++)
        if (x->row_ptr[i + 1] < x->row_ptr[i])
            return QUARRY_EINVAL;
    for (i = 0; i < x->row_ptr[x->rows]; i++)
        if (x->col_idx[i] < 0 || x->col_idx[i] >= x->cols)
            return QUARRY_EINVAL;
    return QUARRY_OK;
}

int quarry_metrics_silhouette(double *out, const quarry_csr *x,
                              const quarry_dense *d, const int32_t *labels,
                              const quarry_silhouette_options *o)
{
    quarry_silhouette_options def = QUARRY_SILHOUETTE_OPTIONS_INIT;
    rows_view v;
    int64_t n, m, i, k, *rows = NULL, *size = NULL;
    int32_t *sub = NULL;
    double *norm = NULL, *sums = NULL, *dots = NULL, total = 0.0;
    dense_labels dl = {NULL, 0};
    int rc;

    if (o == NULL)
        o = &def;
    if (out == NULL || labels == NULL ||
        o->version != QUARRY_SILHOUETTE_OPTIONS_VERSION)
        return QUARRY_EINVAL;
    rc = check_matrix(x, d);
    if (rc != 0)
        return rc;
    v.x = x;
    v.d = d;
    v.rows = n = x ? x->rows : d->rows;
    v.cols = x ? x->cols : d->cols;
    m = (o->sample == 0 || (uint64_t)o->sample >= (uint64_t)n)
            ? n
            : (int64_t)o->sample;

    rc = QUARRY_ENOMEM;
    rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    sub = malloc((size_t)(m ? m : 1) * sizeof *sub);
    norm = malloc((size_t)(m ? m : 1) * sizeof *norm);
    if (!rows || !sub || !norm)
        goto out;
    for (i = 0; i < n; i++)
        rows[i] = i;
    if (m < n) {
        /* A partial Fisher-Yates draw, then reading order. */
        uint64_t state = o->seed;
        for (i = 0; i < m; i++) {
            int64_t j = i + (int64_t)(splitmix64(&state) %
                                      (uint64_t)(n - i));
            int64_t t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
        qsort(rows, (size_t)m, sizeof *rows, cmp_i64);
    }
    for (i = 0; i < m; i++)
        sub[i] = labels[rows[i]];
    rc = densify(sub, (size_t)m, &dl);
    if (rc != 0)
        goto out;
    k = dl.n_values;
    if (k < 2 || k >= m) {
        rc = QUARRY_ERANGE;
        goto out;
    }
    rc = QUARRY_ENOMEM;
    if (v.cols > 0 && (uint64_t)k > (SIZE_MAX / sizeof(double)) / (uint64_t)v.cols)
        goto out;
    sums = calloc((size_t)(v.cols ? v.cols : 1) * (size_t)k, sizeof *sums);
    dots = malloc((size_t)k * sizeof *dots);
    size = calloc((size_t)k, sizeof *size);
    if (!sums || !dots || !size)
        goto out;
    for (i = 0; i < m; i++) {
        double nr = row_norm(&v, rows[i]);
        norm[i] = nr > 0.0 ? 1.0 / nr : 0.0;
        size[dl.id[i]]++;
        if (nr > 0.0)
            row_add(&v, rows[i], norm[i], dl.id[i], k, sums);
    }
    for (i = 0; i < m; i++) {
        int64_t own = dl.id[i], c;
        double self = norm[i] > 0.0 ? 1.0 : 0.0, a, b = INFINITY, s = 0.0;
        if (size[own] == 1)
            continue; /* scores 0 */
        row_dots(&v, rows[i], norm[i], k, sums, dots);
        a = ((double)(size[own] - 1) - (dots[own] - self)) /
            (double)(size[own] - 1);
        for (c = 0; c < k; c++) {
            double dist;
            if (c == own)
                continue;
            dist = ((double)size[c] - dots[c]) / (double)size[c];
            if (dist < b)
                b = dist;
        }
        if (a < 0.0)
            a = 0.0; /* rounding: a distance is never negative */
        if (b < 0.0)
            b = 0.0;
        if (a > 0.0 || b > 0.0)
            s = (b - a) / (a > b ? a : b);
        total += s;
    }
    *out = total / (double)m;
    rc = QUARRY_OK;
out:
    free(rows);
    free(sub);
    free(norm);
    free(sums);
    free(dots);
    free(size);
    free(dl.id);
    return rc;
}
