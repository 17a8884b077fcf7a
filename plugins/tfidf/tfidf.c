/*
 * tfidf.c -- the weighting plugins: "tfidf" (the classic tf x idf, with
 * scikit-learn's smoothed idf by default) and "bm25" (Okapi BM25's term
 * weight, which saturates repeated terms and discounts long excerpts). Both
 * turn the count matrix into weights in place, row by row, optionally
 * L2-normalising each row. idf is computed in double from the reference
 * corpus statistics the host hands in, so excerpts seen later get the
 * weights of the corpus the model was fitted on.
 *
 * A term unseen in the reference corpus (df == 0, possible when the host
 * weighs new excerpts) or one with df > n_docs (inconsistent statistics)
 * has its df clamped into [1, max(n_docs, 1)] for every idf formula, as if
 * it had been seen once: no idf is ever inf or NaN, and an unseen term
 * weighs like the rarest seen term.
 */
#include <quarry/plugin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TF_RAW, TF_LOG, TF_BOOLEAN };
enum { IDF_SMOOTH, IDF_PLAIN, IDF_STANDARD, IDF_NONE, IDF_BM25 };
enum { NORM_L2, NORM_NONE };

typedef struct tfidf_config {
    int tf, idf, norm;
} tfidf_config;

typedef struct bm25_config {
    double k1, b;
    int norm;
} bm25_config;

static const quarry_option tfidf_options[] = {
    {"tf", QUARRY_OPT_ENUM, offsetof(tfidf_config, tf), "raw", 0, -1,
     "raw|log|boolean", "term frequency: count, 1+ln(count), or 1"},
    {"idf", QUARRY_OPT_ENUM, offsetof(tfidf_config, idf), "smooth", 0, -1,
     "smooth|plain|standard|none",
     "ln((1+N)/(1+df))+1, ln(N/df)+1, ln(N/df), or 1"},
    {"norm", QUARRY_OPT_ENUM, offsetof(tfidf_config, norm), "l2", 0, -1,
     "l2|none", "scale each row to unit length"},
    QUARRY_OPTIONS_END};

static const quarry_option bm25_options[] = {
    {"k1", QUARRY_OPT_DOUBLE, offsetof(bm25_config, k1), "1.2", 0, 10, NULL,
     "term frequency saturation (0: presence only)"},
    {"b", QUARRY_OPT_DOUBLE, offsetof(bm25_config, b), "0.75", 0, 1, NULL,
     "length normalisation (0: none, 1: full)"},
    {"norm", QUARRY_OPT_ENUM, offsetof(bm25_config, norm), "l2", 0, -1,
     "l2|none", "scale each row to unit length"},
    QUARRY_OPTIONS_END};

/* Both plugins keep a copy of their config as their instance. */
static int copy_config(void **self, const void *config, size_t size,
                       const char *name, char *err)
{
    void *me = malloc(size);
    if (me == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "%s: out of memory", name);
        return QUARRY_ENOMEM;
    }
    *self = memcpy(me, config, size);
    return QUARRY_OK;
}

static int tfidf_create(void **self, const void *config,
                        const quarry_host *host, char *err)
{
    (void)host;
    return copy_config(self, config, sizeof(tfidf_config), "tfidf", err);
}

static int bm25_create(void **self, const void *config,
                       const quarry_host *host, char *err)
{
    (void)host;
    return copy_config(self, config, sizeof(bm25_config), "bm25", err);
}

static void weighting_destroy(void *self) { free(self); }

/* What both schemes check before touching the matrix: a bad column index
 * would read outside df. */
static int check_input(const char *name, const quarry_csr *m,
                       const quarry_corpus_stats *stats, char *err)
{
    if (m == NULL || stats == NULL ||
        stats->size < offsetof(quarry_corpus_stats, cf) ||
        stats->df == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "%s: no matrix or no corpus statistics",
                 name);
        return QUARRY_EINVAL;
    }
    if (m->rows < 0 || (m->rows > 0 && m->row_ptr == NULL) ||
        (m->rows > 0 && m->row_ptr[m->rows] > 0 &&
         (m->col_idx == NULL || m->values == NULL))) {
        snprintf(err, QUARRY_ERR_MAX, "%s: malformed matrix", name);
        return QUARRY_EINVAL;
    }
    for (int64_t i = 0; i < m->rows; i++) {
        for (int64_t p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++) {
            if (m->col_idx[p] < 0 || m->col_idx[p] >= stats->n_terms) {
                snprintf(err, QUARRY_ERR_MAX,
                         "%s: row %lld: column %ld outside the %lld terms of "
                         "the corpus statistics",
                         name, (long long)i, (long)m->col_idx[p],
                         (long long)stats->n_terms);
                return QUARRY_EINVAL;
            }
            if (!(m->values[p] >= 0.0f) || isinf(m->values[p])) {
                snprintf(err, QUARRY_ERR_MAX,
                         "%s: row %lld: count %g is not a finite count >= 0",
                         name, (long long)i, (double)m->values[p]);
                return QUARRY_EINVAL;
            }
        }
    }
    return QUARRY_OK;
}

/* See the file header: df into [1, max(N, 1)]. */
static double clamp_df(int64_t df, double n_docs)
{
    double d = (double)df;
    if (d > n_docs)
        d = n_docs;
    return d < 1.0 ? 1.0 : d;
}

static void l2_normalise_rows(quarry_csr *m)
{
    for (int64_t i = 0; i < m->rows; i++) {
        double ss = 0.0;
        for (int64_t p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++)
            ss += (double)m->values[p] * m->values[p];
        if (ss <= 0.0)
            continue; /* an empty excerpt stays a zero row */
        double inv = 1.0 / sqrt(ss);
        for (int64_t p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++)
            m->values[p] = (float)(m->values[p] * inv);
    }
}

/* One idf per term, in double, computed once per call rather than once per
 * non-zero (a term occurs in many rows). */
static double *idf_table(const quarry_corpus_stats *stats, int kind,
                         const char *name, char *err)
{
    double n = stats->n_docs > 1 ? (double)stats->n_docs : 1.0;
    size_t terms = stats->n_terms > 0 ? (size_t)stats->n_terms : 1;
    double *idf = malloc(terms * sizeof *idf);
    if (idf == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "%s: out of memory (%zu terms)", name,
                 terms);
        return NULL;
    }
    for (int64_t t = 0; t < stats->n_terms; t++) {
        double df = clamp_df(stats->df[t], n);
        switch (kind) {
        case IDF_SMOOTH: /* as if one more excerpt held every term */
            idf[t] = log((1.0 + n) / (1.0 + df)) + 1.0;
            break;
        case IDF_PLAIN: /* +1 keeps terms in every excerpt from vanishing */
            idf[t] = log(n / df) + 1.0;
            break;
        case IDF_STANDARD:
            idf[t] = log(n / df);
            break;
        case IDF_BM25: /* see bm25_weigh() */
            idf[t] = log(1.0 + (n - df + 0.5) / (df + 0.5));
            break;
        case IDF_NONE:
        default:
            idf[t] = 1.0;
            break;
        }
    }
    return idf;
}

static int tfidf_weigh(void *self, quarry_csr *m,
                       const quarry_corpus_stats *stats, char *err)
{
    const tfidf_config *cfg = self;
    int rc = check_input("tfidf", m, stats, err);
    if (rc != QUARRY_OK)
        return rc;
    double *idf = idf_table(stats, cfg->idf, "tfidf", err);
    if (idf == NULL)
        return QUARRY_ENOMEM;

    int64_t nnz = m->rows > 0 ? m->row_ptr[m->rows] : 0;
    for (int64_t p = 0; p < nnz; p++) {
        double tf = m->values[p];
        if (tf > 0.0 && cfg->tf == TF_LOG)
            tf = 1.0 + log(tf);
        else if (tf > 0.0 && cfg->tf == TF_BOOLEAN)
            tf = 1.0;
        m->values[p] = (float)(tf * idf[m->col_idx[p]]);
    }
    free(idf);
    if (cfg->norm == NORM_L2)
        l2_normalise_rows(m);
    return QUARRY_OK;
}

/* Okapi BM25 (Robertson & Zaragoza 2009), with the idf of Lucene's BM25
 * similarity, ln(1 + (N - df + 0.5)/(df + 0.5)), which is never negative,
 * unlike the original's ln((N - df + 0.5)/(df + 0.5)) for common terms. */
static int bm25_weigh(void *self, quarry_csr *m,
                      const quarry_corpus_stats *stats, char *err)
{
    const bm25_config *cfg = self;
    int rc = check_input("bm25", m, stats, err);
    if (rc != QUARRY_OK)
        return rc;
    /* doc_len is the newest field: a host may not have it. Without it, or
     * without an average length, an excerpt's length is the sum of its
     * counts, and the average of that over the rows. */
    const float *doc_len =
        stats->size >= offsetof(quarry_corpus_stats, doc_len) +
                           sizeof(stats->doc_len)
            ? stats->doc_len
            : NULL;
    double avgdl = doc_len != NULL ? stats->avg_doc_len : 0.0;
    if (!(avgdl > 0.0) || !isfinite(avgdl)) {
        double total = 0.0;
        int64_t nnz = m->rows > 0 ? m->row_ptr[m->rows] : 0;
        for (int64_t p = 0; p < nnz; p++)
            total += m->values[p];
        avgdl = m->rows > 0 ? total / (double)m->rows : 0.0;
        doc_len = NULL;
    }

    double *idf = idf_table(stats, IDF_BM25, "bm25", err);
    if (idf == NULL)
        return QUARRY_ENOMEM;

    for (int64_t i = 0; i < m->rows; i++) {
        double dl = 0.0;
        if (doc_len != NULL) {
            dl = doc_len[i];
        } else {
            for (int64_t p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++)
                dl += m->values[p];
        }
        /* An empty corpus (avgdl 0) has nothing to normalise against. */
        double rel = avgdl > 0.0 ? dl / avgdl : 1.0;
        double k = cfg->k1 * (1.0 - cfg->b + cfg->b * rel);
        for (int64_t p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++) {
            double tf = m->values[p];
            /* tf 0 (a stored zero) stays 0; with k1 = 0 it would be 0/0. */
            double w = tf > 0.0 ? idf[m->col_idx[p]] * tf * (cfg->k1 + 1.0) /
                                      (tf + k)
                                : 0.0;
            m->values[p] = (float)w;
        }
    }
    free(idf);
    if (cfg->norm == NORM_L2)
        l2_normalise_rows(m);
    return QUARRY_OK;
}

static const quarry_plugin tfidf_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_WEIGHTING,
    .name = "tfidf",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "tf-idf weights (scikit-learn's smoothed idf by default)",
    .author = "quarry developers",
    .config_size = sizeof(tfidf_config),
    .options = tfidf_options,
    .create = tfidf_create,
    .destroy = weighting_destroy,
    .weigh = tfidf_weigh,
};

static const quarry_plugin bm25_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_WEIGHTING,
    .name = "bm25",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "Okapi BM25 term weights (saturated tf, length normalised)",
    .author = "quarry developers",
    .config_size = sizeof(bm25_config),
    .options = bm25_options,
    .create = bm25_create,
    .destroy = weighting_destroy,
    .weigh = bm25_weigh,
};

static const quarry_plugin *const weighting_all[] = {&tfidf_plugin,
                                                     &bm25_plugin, NULL};
QUARRY_PLUGIN_ENTRY(weighting_tfidf) { return weighting_all; }
