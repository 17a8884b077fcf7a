/*
 * hac.h -- hierarchical clustering over cosine, shared by the
 * agglomerative and silhouette clusterers (each .so compiles hac.c in;
 * nothing here is exported, the build hides every symbol but the entry).
 *
 * The method, in three steps that never hold an N x N matrix:
 *  1. hac_micro: spherical k-means into m micro-clusters (a few hundred),
 *     so a corpus of any size becomes m weighted groups. With m >= N every
 *     row is its own group and the linkage below is exact.
 *  2. hac_gram + hac_tree: the Gram matrix of the groups' sums (m x m) and
 *     the linkage over it by nearest-neighbour chains. For unit rows both
 *     linkages are exact functions of the sums: the average cosine between
 *     the members of A and B is S_A.S_B / (n_A n_B), and Ward's cost
 *     n_A n_B / (n_A + n_B) |mu_A - mu_B|^2 expands into S_A.S_A, S_B.S_B
 *     and S_A.S_B; merging adds the rows and columns of the Gram matrix.
 *  3. hac_cut: the partition into k clusters, applying the m - k lowest
 *     merges.
 */
#ifndef QUARRY_HAC_H
#define QUARRY_HAC_H

#include <quarry/plugin.h>
#include <stdio.h>
#include <stdlib.h>

/* xoshiro256** seeded through splitmix64: streams depend on (seed, stream)
 * only, not on the C library. */
typedef struct hac_rng {
    uint64_t s[4];
} hac_rng;

void hac_rng_seed(hac_rng *r, uint64_t seed, uint64_t stream);
uint64_t hac_rng_next(hac_rng *r);
double hac_rng_unit(hac_rng *r); /* uniform in [0, 1) */

/* The rows being clustered: exactly one of dense and x is set. */
typedef struct hac_rows {
    int64_t n, dim;
    const quarry_dense *dense;
    const quarry_csr *x;
} hac_rows;

/* Check the input and output structs and pick the view: the dense rows
 * when given and use_dense (or when there are no sparse rows), else the
 * sparse rows. Messages start with name. */
int hac_rows_pick(hac_rows *r, const quarry_cluster_input *in,
                  const quarry_cluster_output *out, int use_dense,
                  const char *name, char *err);

double hac_row_dot(const hac_rows *r, int64_t i, const float *c);
void hac_row_add(const hac_rows *r, int64_t i, float *c);

/* Row-major C = A B^T (m x n, inner k), through the host's sgemm when it
 * has one, else a plain loop. */
void hac_gemm_nt(const quarry_host *host, int64_t m, int64_t n, int64_t k,
                 const float *a, int64_t lda, const float *b, int64_t ldb,
                 float *c, int64_t ldc);

/* Copy of the host table, fields past the host's size left NULL. */
void hac_host_copy(quarry_host *dst, const quarry_host *src);

/* create() and destroy() of a clusterer of this folder whose instance
 * struct TYPE holds `CONFIG cfg` (a copy of its options) and
 * `quarry_host host` (a copy of the host table): defines PREFIX_create and
 * PREFIX_destroy; NAME starts the out-of-memory message. */
#define HAC_INSTANCE_FUNCTIONS(PREFIX, TYPE, CONFIG, NAME)                  \
    static int PREFIX##_create(void **self, const void *config,             \
                               const quarry_host *host, char *err)          \
    {                                                                       \
        TYPE *me = calloc(1, sizeof *me);                                   \
        if (me == NULL) {                                                   \
            snprintf(err, QUARRY_ERR_MAX, "%s: out of memory", NAME);       \
            return QUARRY_ENOMEM;                                           \
        }                                                                   \
        me->cfg = *(const CONFIG *)config;                                  \
        hac_host_copy(&me->host, host);                                     \
        *self = me;                                                         \
        return QUARRY_OK;                                                   \
    }                                                                       \
    static void PREFIX##_destroy(void *self)                                \
    {                                                                       \
        free(self);                                                         \
    }

/* Step 1: group[0..n) in 0..*m_out-1 by spherical k-means with m seeds
 * (k-means++), at most iters Lloyd iterations. Empty groups are dropped,
 * so *m_out <= m. With m >= n, group[i] = i and *m_out = n. */
int hac_micro(const hac_rows *r, int32_t m, int32_t iters, uint64_t seed,
              const quarry_host *host, const char *name, int32_t *group,
              int32_t *m_out, char *err);

/* Step 2a: sizes[m] and the m x m Gram matrix of the groups' sums, in
 * double (caller-allocated). Dense rows: sums and products in double, or
 * through the host's sgemm when m * m * dim is very large; sparse rows one
 * group sum at a time, memory O(dim + m^2). */
int hac_gram(const hac_rows *r, const int32_t *group, int32_t m,
             const quarry_host *host, const char *name, double *gram,
             int64_t *sizes, char *err);

typedef enum hac_linkage { HAC_AVERAGE = 0, HAC_WARD = 1 } hac_linkage;

typedef struct hac_merge {
    int32_t a, b;  /* groups, one member group of each side */
    double height; /* 1 - average cosine, or Ward's cost */
} hac_merge;

/* Step 2b: the m - 1 merges, lowest first. gram and sizes are consumed
 * (rewritten). Deterministic: ties go to the lower index. QUARRY_OK, or
 * QUARRY_ENOMEM (5 bytes a group of work memory). */
int hac_tree(double *gram, int64_t *sizes, int32_t m, hac_linkage link,
             hac_merge *merges);

/* Step 3: cluster of each group for k clusters (1 <= k <= m), numbered
 * 0..k-1 in order of each cluster's lowest group. work: m int32. */
void hac_cut(const hac_merge *merges, int32_t m, int32_t k,
             int32_t *cluster_of_group, int32_t *work);

/* Optional step 4: refine a partition of the groups (cluster_of_group in
 * 0..k-1, every cluster non-empty) by spherical k-means over the groups,
 * weighted by their sums, in the kernel form: everything comes from gram,
 * the untouched Gram matrix of hac_gram (hac_tree rewrites its copy).
 * Each sweep visits the groups in order and moves a group to the cluster
 * that most raises the objective (the sum over clusters of the length of
 * their sums, i.e. the sum of member-to-centroid cosines); a cluster's
 * last group never moves, so k holds. Stops after sweeps sweeps or one
 * without a move. Returns the number of moves, or -1 out of memory. */
int64_t hac_refine(const double *gram, int32_t m, int32_t k,
                   int32_t *cluster_of_group, int32_t sweeps);

/* Final labels of rows, renumbered by first appearance over the rows, and
 * (when centroids is not NULL) the unit centroids, k x dim. Returns the
 * objective: the sum of member-to-centroid cosines. */
double hac_finish(const hac_rows *r, const int32_t *group,
                  const int32_t *cluster_of_group, int32_t m, int32_t k,
                  int32_t *labels, float *centroids, float *work_dim);

#endif
