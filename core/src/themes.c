/*
 * themes.c -- candidate themes: fit the text model on the excerpts, cluster
 * their weighted rows with the clusterer plugin, then describe each cluster
 * by the terms that weigh most in its centroid, the excerpts nearest that
 * centroid, its size and its cohesion (mean cosine of members to centroid).
 * Centroids are rebuilt here from the members, one dense vector at a time,
 * so memory stays O(terms) whatever k is and whatever the plugin returns.
 *
 * With dims > 0 the rows are first reduced by LSA (reduce.c) and the
 * clusterer gets the dense rows beside the sparse ones; everything after
 * clustering (terms, representatives, cohesion) stays in the sparse term
 * space, where it can be read. A corpus too small for the dims asked
 * (dims >= min(excerpts, terms)) is clustered unreduced: there is no
 * smaller space to reduce to, and a tiny corpus should not fail for want
 * of one. The fallback is logged.
 *
 * Labels are class-based tf-idf over the raw counts: a term scores by its
 * share of the theme's tokens times log(1 + A / f), where f is the term's
 * count in the whole corpus and A the mean number of tokens per theme. A
 * word frequent everywhere ("work", "time") sinks; a word that is frequent
 * here and rare elsewhere ("debrief") rises.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "engine.h"
#include "model.h"
#include "reduce.h"
#include "topk.h"

typedef struct theme_store {
    quarry_theme pub;
    char **terms;
    float *weights;
    int64_t *reps;
    int64_t *members;
} theme_store;

struct quarry_themes {
    int32_t n;
    theme_store *t;
};

void quarry_themes_free(quarry_themes *t)
{
    int32_t i, j;
    if (t == NULL)
        return;
    for (i = 0; i < t->n; i++) {
        theme_store *s = &t->t[i];
        for (j = 0; j < s->pub.n_terms; j++)
            free(s->terms[j]);
        free(s->terms);
        free(s->weights);
        free(s->reps);
        free(s->members);
    }
    free(t->t);
    free(t);
}

int32_t quarry_themes_count(const quarry_themes *t)
{
    return t ? t->n : 0;
}

const quarry_theme *quarry_themes_at(const quarry_themes *t, int32_t i)
{
    if (t == NULL || i < 0 || i >= t->n)
        return NULL;
    return &t->t[i].pub;
}

static int cmp_theme(const void *a, const void *b)
{
    const theme_store *x = a, *y = b;
    if (x->pub.size != y->pub.size)
        return x->pub.size > y->pub.size ? -1 : 1;
    return (x->pub.id > y->pub.id) - (x->pub.id < y->pub.id);
}

/* Describe cluster `label` (its members listed in members[0..size)). */
static int describe(quarry_engine *e, const quarry_model *m,
                    const quarry_csr *x, const quarry_themes_options *to,
                    const int64_t *members, int64_t size, float *centroid,
                    float *counts, const double *idf, theme_store *s)
{
    const quarry_csr *raw = m->fit_counts;
    int64_t i, p;
    double norm = 0.0, cohesion = 0.0, total = 0.0;
    int32_t nt = to->n_terms, nr = to->n_representatives;
    topk_item *room;
    topk sel;

    memset(centroid, 0, (size_t)x->cols * sizeof *centroid);
    for (i = 0; i < size; i++)
        for (p = x->row_ptr[members[i]]; p < x->row_ptr[members[i] + 1]; p++)
            centroid[x->col_idx[p]] += x->values[p];
    for (i = 0; i < x->cols; i++)
        norm += (double)centroid[i] * centroid[i];
    if (norm > 0.0) {
        float inv = (float)(1.0 / sqrt(norm));
        for (i = 0; i < x->cols; i++)
            centroid[i] *= inv;
    }

    room = malloc((size_t)(nt > nr ? nt : nr) * sizeof *room + 1);
    s->terms = calloc((size_t)nt + 1, sizeof *s->terms);
    s->weights = malloc(((size_t)nt + 1) * sizeof *s->weights);
    s->reps = malloc(((size_t)nr + 1) * sizeof *s->reps);
    if (room == NULL || s->terms == NULL || s->weights == NULL ||
        s->reps == NULL) {
        free(room);
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    }

    memset(counts, 0, (size_t)x->cols * sizeof *counts);
    for (i = 0; i < size; i++)
        for (p = raw->row_ptr[members[i]]; p < raw->row_ptr[members[i] + 1];
             p++) {
            counts[raw->col_idx[p]] += raw->values[p];
            total += raw->values[p];
        }
    topk_init(&sel, room, nt);
    for (i = 0; i < x->cols; i++)
        if (counts[i] > 0.0f)
            topk_push(&sel, (float)(counts[i] / total * idf[i]), i);
    topk_sort(&sel);
    for (i = 0; i < sel.n; i++) {
        s->terms[i] = strdup(quarry_model_term(m, sel.items[i].id));
        if (s->terms[i] == NULL) {
            free(room);
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        }
        s->weights[i] = sel.items[i].score;
        s->pub.n_terms = (int32_t)(i + 1);
    }

    topk_init(&sel, room, nr);
    for (i = 0; i < size; i++) {
        float sim = csr_row_dot(x, members[i], centroid);
        cohesion += sim;
        topk_push(&sel, sim, members[i]);
    }
    topk_sort(&sel);
    for (i = 0; i < sel.n; i++)
        s->reps[i] = sel.items[i].id;
    s->pub.n_representatives = sel.n;
    s->pub.cohesion = size > 0 ? cohesion / (double)size : 0.0;
    free(room);
    return QUARRY_OK;
}

int quarry_themes_run(quarry_themes **out, quarry_engine *e,
                      const quarry_pipeline_options *po,
                      const quarry_themes_options *to,
                      const quarry_corpus *c)
{
    quarry_themes_options tdef = QUARRY_THEMES_OPTIONS_INIT;
    quarry_model *m = NULL;
    quarry_csr *x = NULL;
    quarry_dense *dense = NULL;
    quarry_instance *ci = NULL;
    const quarry_plugin *cp;
    quarry_cluster_input in;
    quarry_cluster_output co;
    quarry_themes *res = NULL;
    int32_t *labels = NULL;
    int64_t *order = NULL, *start = NULL, n, i;
    float *centroid = NULL, *counts = NULL;
    double *idf = NULL;
    char err[QUARRY_ERR_MAX] = "";
    int rc;

    if (out == NULL || e == NULL || c == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (to != NULL && to->version == 1) {
        /* A version 1 struct ends before dims: read what it has. */
        memcpy(&tdef, to, offsetof(quarry_themes_options, dims));
        tdef.version = QUARRY_THEMES_OPTIONS_VERSION;
        tdef.dims = 0;
        to = &tdef;
    }
    if (to == NULL)
        to = &tdef;
    if (to->version != QUARRY_THEMES_OPTIONS_VERSION)
        return engine_fail(e, QUARRY_EINVAL, "themes options version %u",
                           to->version);
    if (to->dims < 0)
        return engine_fail(e, QUARRY_ERANGE,
                           "dims must be 0 (no reduction) or more, not %d",
                           to->dims);
    n = (int64_t)quarry_corpus_size(c);
    if (to->k < 2 || (int64_t)to->k > n)
        return engine_fail(e, QUARRY_ERANGE,
                           "k must be between 2 and the number of excerpts "
                           "(%lld), not %d",
                           (long long)n, to->k);
    if (to->n_terms < 1 || to->n_representatives < 0)
        return engine_fail(e, QUARRY_ERANGE,
                           "themes need at least one term each");

    rc = quarry_engine_find(e, QUARRY_KIND_CLUSTERER,
                            to->clusterer ? to->clusterer : "kmeans", &cp);
    if (rc != 0)
        return rc;
    rc = quarry_model_fit(&m, e, po, c);
    if (rc != 0)
        return rc;
    rc = quarry_model_transform(m, c, &x);
    if (rc != 0)
        goto out;
    /* A clusterer that cannot use dense rows is not made to wait for them. */
    if (to->dims > 0 && (cp->needs & QUARRY_NEEDS_DENSE) != 0) {
        int64_t lim = x->rows < x->cols ? x->rows : x->cols;
        if ((int64_t)to->dims < lim) {
            rc = reduce_lsa(e, x, to->dims, to->seed, -1, &dense);
            if (rc != 0)
                goto out;
        } else {
            engine_log(e, QUARRY_LOG_DEBUG,
                       "themes: no LSA reduction: %d dims is not below "
                       "min(%lld excerpts, %lld terms)",
                       to->dims, (long long)x->rows, (long long)x->cols);
        }
    }
    rc = quarry_instance_new(&ci, e, cp);
    if (rc != 0)
        goto out;

    labels = malloc((size_t)n * sizeof *labels);
    if (labels == NULL) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    memset(&in, 0, sizeof in);
    in.size = sizeof in;
    in.x = x;
    in.dense = dense;
    in.k = to->k;
    in.seed = to->seed;
    memset(&co, 0, sizeof co);
    co.size = sizeof co;
    co.labels = labels;
    co.centroids = NULL;
    co.dim = x->cols;
    co.max_clusters = to->k;
    rc = cp->cluster(quarry_instance_self(ci), &in, &co, err);
    if (rc != 0) {
        rc = engine_fail(e, rc < 0 ? rc : QUARRY_EPLUGIN, "clusterer %s: %s",
                         cp->name, err[0] ? err : quarry_status_str(rc));
        goto out;
    }
    if (co.n_clusters < 1 || co.n_clusters > to->k) {
        rc = engine_fail(e, QUARRY_EPLUGIN,
                         "clusterer %s returned %d clusters for k=%d",
                         cp->name, co.n_clusters, to->k);
        goto out;
    }
    for (i = 0; i < n; i++)
        if (labels[i] < -1 || labels[i] >= co.n_clusters) {
            rc = engine_fail(e, QUARRY_EPLUGIN,
                             "clusterer %s gave excerpt %lld the label %d "
                             "(of %d clusters)",
                             cp->name, (long long)i, labels[i],
                             co.n_clusters);
            goto out;
        }

    /* Members of each cluster, ascending, by a counting sort. */
    start = calloc((size_t)co.n_clusters + 1, sizeof *start);
    order = malloc((size_t)n * sizeof *order);
    centroid = malloc((size_t)(x->cols ? x->cols : 1) * sizeof *centroid);
    counts = malloc((size_t)(x->cols ? x->cols : 1) * sizeof *counts);
    idf = malloc((size_t)(x->cols ? x->cols : 1) * sizeof *idf);
    res = calloc(1, sizeof *res);
    if (!start || !order || !centroid || !counts || !idf || !res) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        if (labels[i] >= 0)
            start[labels[i] + 1]++;
    for (i = 0; i < co.n_clusters; i++)
        start[i + 1] += start[i];
    {
        int64_t *fill = calloc((size_t)co.n_clusters, sizeof *fill);
        if (fill == NULL) {
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        for (i = 0; i < n; i++)
            if (labels[i] >= 0)
                order[start[labels[i]] + fill[labels[i]]++] = i;
        free(fill);
    }
    {
        /* Class-based idf: A = mean tokens per theme, f = corpus count. */
        double all = 0.0, a;
        for (i = 0; i < x->cols; i++)
            all += (double)m->cf[i];
        a = all / (double)co.n_clusters;
        for (i = 0; i < x->cols; i++)
            idf[i] = log(1.0 + a / (double)(m->cf[i] > 0 ? m->cf[i] : 1));
    }
    res->t = calloc((size_t)co.n_clusters, sizeof *res->t);
    if (res->t == NULL) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < co.n_clusters; i++) {
        int64_t size = start[i + 1] - start[i];
        theme_store *s;
        if (size == 0)
            continue;
        s = &res->t[res->n++];
        s->pub.id = (int32_t)i;
        s->pub.size = size;
        s->members = malloc((size_t)size * sizeof *s->members);
        if (s->members == NULL) {
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        memcpy(s->members, order + start[i], (size_t)size * sizeof *order);
        rc = describe(e, m, x, to, s->members, size, centroid, counts, idf,
                      s);
        if (rc != 0)
            goto out;
    }
    qsort(res->t, (size_t)res->n, sizeof *res->t, cmp_theme);
    for (i = 0; i < res->n; i++) {
        theme_store *s = &res->t[i];
        s->pub.id = (int32_t)i;
        s->pub.terms = (const char *const *)s->terms;
        s->pub.term_weights = s->weights;
        s->pub.representatives = s->reps;
        s->pub.members = s->members;
    }
    *out = res;
    res = NULL;
    rc = QUARRY_OK;
out:
    quarry_themes_free(res);
    free(labels);
    free(order);
    free(start);
    free(centroid);
    free(counts);
    free(idf);
    quarry_instance_free(ci);
    reduce_dense_free(dense);
    quarry_csr_free(x);
    quarry_model_free(m);
    return rc;
}
