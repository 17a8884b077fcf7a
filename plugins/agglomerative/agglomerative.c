/*
 * agglomerative.c -- hierarchical clustering on cosine, average or Ward
 * linkage, for corpora of any size: the rows are first grouped into a few
 * hundred micro-clusters by spherical k-means, then the linkage runs
 * exactly over the micro-clusters weighted by their sizes (hac.h says why
 * both linkages are exact functions of the groups' sums). With no more
 * rows than micro_clusters, every row is its own group and the result is
 * plain agglomerative clustering. Memory is O(N + m^2 + m dim), never
 * N x N.
 */
#include <quarry/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hac.h"

typedef struct ag_config {
    int linkage; /* hac_linkage: index into "average|ward" */
    int64_t micro_clusters;
    int64_t micro_iter;
    int use_dense;
    int64_t refine;
} ag_config;

static const quarry_option ag_options[] = {
    {"linkage", QUARRY_OPT_ENUM, offsetof(ag_config, linkage), "ward", 0, 0,
     "average|ward",
     "average: mean cosine between clusters; ward: least growth of the "
     "within-cluster squared distance"},
    {"micro_clusters", QUARRY_OPT_INT, offsetof(ag_config, micro_clusters),
     "400", 2, 5000, NULL,
     "k-means micro-clusters the linkage starts from; with no more rows "
     "than this the linkage is exact over the rows"},
    {"micro_iter", QUARRY_OPT_INT, offsetof(ag_config, micro_iter), "20", 1,
     1000, NULL, "k-means iterations for the micro-clusters at most"},
    {"use_dense", QUARRY_OPT_BOOL, offsetof(ag_config, use_dense), "true", 0,
     -1, NULL, "cluster the dense reduced rows when the host has them"},
    {"refine", QUARRY_OPT_INT, offsetof(ag_config, refine), "0", 0, 1000, NULL,
     "sweeps of spherical k-means over the micro-clusters after the cut "
     "(0: the tree's cut as it is)"},
    QUARRY_OPTIONS_END};

typedef struct ag {
    ag_config cfg;
    quarry_host host;
} ag;

static int ag_cluster(void *self, const quarry_cluster_input *in,
                      quarry_cluster_output *out, char *err)
{
    ag *me = self;
    hac_rows r;
    int32_t m = 0, *group = NULL, *cog = NULL, *work = NULL;
    double *gram = NULL, *gram0 = NULL;
    int64_t *sizes = NULL;
    hac_merge *merges = NULL;
    float *wdim = NULL;
    int rc =
        hac_rows_pick(&r, in, out, me->cfg.use_dense, "agglomerative", err);
    if (rc != QUARRY_OK)
        return rc;
    if (in->k == 0) {
        snprintf(err, QUARRY_ERR_MAX,
                 "k = 0 asks the clusterer to choose the "
                 "number of clusters, which agglomerative does not do; give "
                 "k (1..%lld), or a clusterer that chooses k (stability, silhouette)",
                 (long long)r.n);
        return QUARRY_ERANGE;
    }
    if (in->k < 1 || in->k > r.n) {
        snprintf(err, QUARRY_ERR_MAX,
                 "k = %ld is out of range: it must be 1..%lld "
                 "(the number of rows)",
                 (long)in->k, (long long)r.n);
        return QUARRY_ERANGE;
    }
    if (out->centroids != NULL && out->max_clusters < in->k) {
        snprintf(err, QUARRY_ERR_MAX,
                 "room for %ld centroids, k = %ld",
                 (long)out->max_clusters, (long)in->k);
        return QUARRY_ERANGE;
    }
    group = malloc((size_t)r.n * sizeof *group);
    wdim = malloc((size_t)r.dim * sizeof *wdim);
    if (group == NULL || wdim == NULL)
        goto nomem;
    /* k above micro_clusters: start from k micro-clusters at least. */
    m = (int32_t)me->cfg.micro_clusters;
    if (m < in->k)
        m = in->k;
    rc = hac_micro(&r, m, (int32_t)me->cfg.micro_iter, in->seed, &me->host,
                   "agglomerative", group, &m, err);
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
    rc = hac_gram(&r, group, m, &me->host, "agglomerative", gram, sizes, err);
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
    /* Identical rows can leave fewer groups than k: every group a cluster. */
    int32_t k = in->k < m ? in->k : m;
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
             "micro-clusters)",
             (long long)r.n, (long long)r.dim, (long)m);
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
    return rc;
}

HAC_INSTANCE_FUNCTIONS(ag, ag, ag_config, "agglomerative")

static const quarry_plugin ag_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "agglomerative",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "average or Ward linkage on cosine over k-means "
               "micro-clusters (exact for small inputs)",
    .author = "quarry developers",
    .config_size = sizeof(ag_config),
    .options = ag_options,
    .create = ag_create,
    .destroy = ag_destroy,
    .needs = QUARRY_NEEDS_SPARSE | QUARRY_NEEDS_DENSE,
    .cluster = ag_cluster,
};

static const quarry_plugin *const ag_all[] = {&ag_plugin, NULL};
QUARRY_PLUGIN_ENTRY(clusterer_agglomerative)
{
    return ag_all;
}
