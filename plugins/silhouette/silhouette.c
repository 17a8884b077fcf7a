/*
 * silhouette.c -- a clusterer that chooses k itself (k = 0, what
 * `quarry themes --k auto` asks for). It builds one hierarchical tree, the
 * agglomerative clusterer's (k-means micro-clusters, then Ward or average
 * linkage on cosine, hac.h), cuts it at every k in k_min..k_max, and keeps
 * the cut whose mean silhouette over a seeded sample of rows is highest
 * (Rousseeuw 1987; distance 1 - cos). One tree serves every k, and the
 * sample's similarities are computed once (sample x sample floats), so
 * trying twenty values of k costs little more than one. Every row gets a
 * cluster: there is no noise label.
 *
 * Given k > 0 it cuts the same tree at k and measures nothing.
 */
#include <quarry/plugin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agglomerative/hac.h"

typedef struct sil_config {
    int64_t k_min, k_max, sample;
    int linkage;
    int64_t micro_clusters;
    int64_t micro_iter;
    int use_dense;
    int64_t refine;
} sil_config;

static const quarry_option sil_options[] = {
    {"k_min", QUARRY_OPT_INT, offsetof(sil_config, k_min), "2", 2, 1000, NULL,
     "smallest k tried"},
    {"k_max", QUARRY_OPT_INT, offsetof(sil_config, k_max), "20", 2, 1000, NULL,
     "largest k tried (at most the micro-clusters and the sample)"},
    {"sample", QUARRY_OPT_INT, offsetof(sil_config, sample), "2000", 10, 20000,
     NULL,
     "rows whose silhouette is measured, drawn with the seed (memory: "
     "4 sample^2 bytes)"},
    {"linkage", QUARRY_OPT_ENUM, offsetof(sil_config, linkage), "ward", 0, 0,
     "average|ward", "linkage of the tree that is cut"},
    {"micro_clusters", QUARRY_OPT_INT, offsetof(sil_config, micro_clusters),
     "400", 2, 5000, NULL,
     "k-means micro-clusters the tree starts from (exact below this many "
     "rows)"},
    {"micro_iter", QUARRY_OPT_INT, offsetof(sil_config, micro_iter), "20", 1,
     1000, NULL, "k-means iterations for the micro-clusters at most"},
    {"use_dense", QUARRY_OPT_BOOL, offsetof(sil_config, use_dense), "true", 0,
     -1, NULL, "cluster the dense reduced rows when the host has them"},
    {"refine", QUARRY_OPT_INT, offsetof(sil_config, refine), "10", 0, 1000,
     NULL,
     "sweeps of spherical k-means over the micro-clusters after the cut "
     "(0: the tree's cut as it is)"},
    QUARRY_OPTIONS_END};

typedef struct sil {
    sil_config cfg;
    quarry_host host;
} sil;

/* s x s cosine similarities of the sample rows (ascending indices). */
static int sample_sims(const hac_rows *r, const int64_t *rows, int64_t s,
                       const quarry_host *host, float *sims)
{
    if (r->dense != NULL) {
        float *a = malloc((size_t)s * (size_t)r->dim * sizeof *a);
        if (a == NULL)
            return QUARRY_ENOMEM;
        for (int64_t t = 0; t < s; t++)
            memcpy(a + t * r->dim, r->dense->data + rows[t] * r->dense->ld,
                   (size_t)r->dim * sizeof *a);
        hac_gemm_nt(host, s, s, r->dim, a, r->dim, a, r->dim, sims, s);
        free(a);
        return QUARRY_OK;
    }
    float *w = calloc((size_t)r->dim, sizeof *w);
    if (w == NULL)
        return QUARRY_ENOMEM;
    for (int64_t t = 0; t < s; t++) {
        const quarry_csr *x = r->x;
        for (int64_t p = x->row_ptr[rows[t]]; p < x->row_ptr[rows[t] + 1]; p++)
            w[x->col_idx[p]] = x->values[p];
        for (int64_t u = t; u < s; u++) {
            float v = (float)hac_row_dot(r, rows[u], w);
            sims[t * s + u] = sims[u * s + t] = v;
        }
        for (int64_t p = x->row_ptr[rows[t]]; p < x->row_ptr[rows[t] + 1]; p++)
            w[x->col_idx[p]] = 0.0f;
    }
    free(w);
    return QUARRY_OK;
}

/* Mean silhouette of the sample under labels lab[0..s) in 0..k-1.
 * sumd and cnt: k doubles and k int64 of scratch. */
static double mean_silhouette(const float *sims, int64_t s, const int32_t *lab,
                              int32_t k, double *sumd, int64_t *cnt)
{
    double total = 0.0;
    memset(cnt, 0, (size_t)k * sizeof *cnt);
    for (int64_t t = 0; t < s; t++)
        cnt[lab[t]]++;
    for (int64_t t = 0; t < s; t++) {
        const float *row = sims + t * s;
        int32_t own = lab[t];
        double a, b = INFINITY;
        if (cnt[own] < 2)
            continue; /* a singleton's silhouette is 0 */
        memset(sumd, 0, (size_t)k * sizeof *sumd);
        for (int64_t u = 0; u < s; u++)
            sumd[lab[u]] += 1.0 - (double)row[u];
        /* drop the row's own distance (1 - its self-similarity) */
        a = (sumd[own] - (1.0 - (double)row[t])) / (double)(cnt[own] - 1);
        for (int32_t c = 0; c < k; c++)
            if (c != own && cnt[c] > 0 && sumd[c] / (double)cnt[c] < b)
                b = sumd[c] / (double)cnt[c];
        if (isinf(b))
            continue;
        double mx = a > b ? a : b;
        if (mx > 0.0)
            total += (b - a) / mx;
    }
    return total / (double)s;
}

static int sil_cluster(void *self, const quarry_cluster_input *in,
                       quarry_cluster_output *out, char *err)
{
    sil *me = self;
    hac_rows r;
    int32_t m = 0, k = in != NULL ? in->k : 0;
    int32_t *group = NULL, *cog = NULL, *work = NULL, *lab = NULL;
    double *gram = NULL, *gram0 = NULL, *sumd = NULL;
    int64_t *sizes = NULL, *rows = NULL, *cnt = NULL, s = 0;
    hac_merge *merges = NULL;
    float *wdim = NULL, *sims = NULL;
    int rc = hac_rows_pick(&r, in, out, me->cfg.use_dense, "silhouette", err);
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
    if (k == 0 && r.n < 3) {
        snprintf(err, QUARRY_ERR_MAX,
                 "%lld rows are too few to choose k (3 at least)",
                 (long long)r.n);
        return QUARRY_ERANGE;
    }
    group = malloc((size_t)r.n * sizeof *group);
    wdim = malloc((size_t)r.dim * sizeof *wdim);
    if (group == NULL || wdim == NULL)
        goto nomem;
    m = (int32_t)me->cfg.micro_clusters;
    if (m < k)
        m = k;
    rc = hac_micro(&r, m, (int32_t)me->cfg.micro_iter, in->seed, &me->host,
                   "silhouette", group, &m, err);
    if (rc != QUARRY_OK)
        goto out;
    gram = malloc((size_t)m * (size_t)m * sizeof *gram);
    sizes = malloc((size_t)m * sizeof *sizes);
    merges = malloc((size_t)m * sizeof *merges);
    cog = malloc((size_t)m * sizeof *cog);
    work = malloc((size_t)m * sizeof *work);
    if (gram == NULL || sizes == NULL || merges == NULL || cog == NULL ||
        work == NULL)
        goto nomem;
    rc = hac_gram(&r, group, m, &me->host, "silhouette", gram, sizes, err);
    if (rc != QUARRY_OK)
        goto out;
    if (me->cfg.refine > 0) {
        gram0 = malloc((size_t)m * (size_t)m * sizeof *gram0);
        if (gram0 == NULL)
            goto nomem;
        memcpy(gram0, gram, (size_t)m * (size_t)m * sizeof *gram0);
    }
    if (hac_tree(gram, sizes, m, (hac_linkage)me->cfg.linkage, merges) !=
        QUARRY_OK)
        goto nomem;

    if (k == 0) {
        /* The sample: a seeded partial Fisher-Yates shuffle, sorted. */
        hac_rng rng;
        int32_t lo = (int32_t)me->cfg.k_min, hi = (int32_t)me->cfg.k_max;
        double best = -INFINITY;
        s = me->cfg.sample < r.n ? me->cfg.sample : r.n;
        rows = malloc((size_t)r.n * sizeof *rows);
        sims = malloc((size_t)s * (size_t)s * sizeof *sims);
        lab = malloc((size_t)s * sizeof *lab);
        if (rows == NULL || sims == NULL || lab == NULL)
            goto nomem;
        hac_rng_seed(&rng, in->seed, 0x73616d706c65u);
        for (int64_t i = 0; i < r.n; i++)
            rows[i] = i;
        for (int64_t t = 0; t < s; t++) {
            int64_t j = t + (int64_t)(hac_rng_unit(&rng) * (double)(r.n - t));
            int64_t v = rows[t];
            rows[t] = rows[j];
            rows[j] = v;
        }
        for (int64_t t = 1; t < s; t++) /* insertion sort: s is small */
            for (int64_t u = t; u > 0 && rows[u - 1] > rows[u]; u--) {
                int64_t v = rows[u];
                rows[u] = rows[u - 1];
                rows[u - 1] = v;
            }
        if (sample_sims(&r, rows, s, &me->host, sims) != QUARRY_OK)
            goto nomem;
        if (hi > m)
            hi = m;
        if (hi > s - 1)
            hi = (int32_t)(s - 1);
        if (lo > hi)
            lo = hi;
        sumd = malloc((size_t)hi * sizeof *sumd);
        cnt = malloc((size_t)hi * sizeof *cnt);
        if (sumd == NULL || cnt == NULL)
            goto nomem;
        for (int32_t kk = lo; kk <= hi; kk++) {
            hac_cut(merges, m, kk, cog, work);
            if (gram0 != NULL &&
                hac_refine(gram0, m, kk, cog, (int32_t)me->cfg.refine) < 0)
                goto nomem;
            for (int64_t t = 0; t < s; t++)
                lab[t] = cog[group[rows[t]]];
            double score = mean_silhouette(sims, s, lab, kk, sumd, cnt);
            quarry_host_log(&me->host, QUARRY_LOG_DEBUG,
                            "k = %ld: mean silhouette %.4f over "
                            "%lld rows",
                            (long)kk, score, (long long)s);
            if (score > best) { /* ties keep the smaller k */
                best = score;
                k = kk;
            }
        }
        quarry_host_log(&me->host, QUARRY_LOG_INFO,
                        "chose k = %ld (mean silhouette %.4f "
                        "over %lld sampled rows, k tried %ld..%ld)",
                        (long)k, best, (long long)s, (long)lo, (long)hi);
    }
    if (out->centroids != NULL && out->max_clusters < k) {
        snprintf(err, QUARRY_ERR_MAX,
                 "room for %ld centroids, k = %ld",
                 (long)out->max_clusters, (long)k);
        rc = QUARRY_ERANGE;
        goto out;
    }
    if (k > m)
        k = m; /* identical rows left fewer groups than k */
    hac_cut(merges, m, k, cog, work);
    if (gram0 != NULL &&
        hac_refine(gram0, m, k, cog, (int32_t)me->cfg.refine) < 0)
        goto nomem;
    out->objective =
        hac_finish(&r, group, cog, m, k, out->labels, out->centroids, wdim);
    out->dim = r.dim;
    out->n_clusters = k;
    out->used_dense = r.dense != NULL;
    rc = QUARRY_OK;
    goto out;
nomem:
    snprintf(err, QUARRY_ERR_MAX,
             "out of memory (%lld rows, %lld dims, %ld "
             "micro-clusters, sample %lld)",
             (long long)r.n, (long long)r.dim, (long)m, (long long)s);
    rc = QUARRY_ENOMEM;
out:
    free(group);
    free(wdim);
    free(gram);
    free(gram0);
    free(sizes);
    free(merges);
    free(cog);
    free(work);
    free(rows);
    free(sims);
    free(lab);
    free(sumd);
    free(cnt);
    return rc;
}

HAC_INSTANCE_FUNCTIONS(sil, sil, sil_config, "silhouette")

static const quarry_plugin sil_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "silhouette",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "chooses k (k = 0) by sampled silhouette over cuts of one "
               "Ward or average-linkage tree",
    .author = "quarry developers",
    .config_size = sizeof(sil_config),
    .options = sil_options,
    .create = sil_create,
    .destroy = sil_destroy,
    .needs = QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE,
    .cluster = sil_cluster,
};

static const quarry_plugin *const sil_all[] = {&sil_plugin, NULL};
QUARRY_PLUGIN_ENTRY(clusterer_silhouette)
{
    return sil_all;
}
