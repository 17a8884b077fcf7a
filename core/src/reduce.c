/*
 * reduce.c -- LSA: the weighted sparse rows of the pipeline reduced to a few
 * dense dimensions by a randomized truncated SVD (Halko, Martinsson & Tropp
 * 2011, algorithms 4.4 and 5.1). A Gaussian test matrix of dims + p columns
 * is multiplied into the rows, a few power iterations (re-orthonormalised
 * by Householder QR each time, so small singular values are not lost to
 * float32 rounding) sharpen the captured range, and the SVD of the small
 * projected matrix B = Q^T X gives the leading singular triplets.
 *
 * Layout. Every tall matrix (Y = X Omega and Q, N x l; Z = X^T Q, V x l) is
 * row-major, so the two sparse kernels below stream over the non-zeros and
 * touch l contiguous floats per entry; LAPACKE hands sgeqrf/sorgqr a
 * column-major copy (O(N l), small beside the products). The last Z is
 * B^T: its QR, Z = Q2 R, reduces the SVD of B to that of the l x l R^T.
 *
 * The rows returned are X V_k, V_k the leading right singular vectors:
 * the same as scikit-learn's U_k S_k up to what the sampled range missed,
 * but computed from each sparse row alone, so identical excerpts get
 * identical rows to the bit and an empty excerpt exact zeros.
 *
 * Memory: the N x l and V x l work matrices, V_k (V x dims) and the
 * N x dims result; the sparse matrix is only read.
 */
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce.h"

/* A reduced row this much shorter than its input row has no direction of
 * its own in the reduced space (its projection is rounding noise), so it
 * is set to zero rather than blown up to unit length. */
#define REDUCE_TINY 1e-4

#define REDUCE_TWO_PI 6.283185307179586476925287

void reduce_dense_free(quarry_dense *d)
{
    if (d == NULL)
        return;
    free(d->data);
    free(d);
}

/* ------------------------------------------------------------------ */
/* Gaussian numbers: splitmix64 (Vigna) for uniform bits, Box-Muller for
 * the normal pairs, so the test matrix depends on the seed alone.       */

typedef struct gauss_rng {
    uint64_t state;
    double spare;
    int has_spare;
} gauss_rng;

static uint64_t splitmix64_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() below is finite. */
static double uniform_open0(uint64_t *state)
{
    return ((double)(splitmix64_next(state) >> 11) + 1.0) * 0x1.0p-53;
}

static double gauss_next(gauss_rng *r)
{
    double u1, u2, rad;
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    u1 = uniform_open0(&r->state);
    u2 = uniform_open0(&r->state);
    rad = sqrt(-2.0 * log(u1));
    r->spare = rad * sin(REDUCE_TWO_PI * u2);
    r->has_spare = 1;
    return rad * cos(REDUCE_TWO_PI * u2);
}

/* ------------------------------------------------------------------ */
/* Sparse x dense kernels (row-major dense, l columns)                   */

/* y (N x l) = X a, a is V x l. */
static void spmm(const quarry_csr *x, const float *a, int64_t l, float *y)
{
    for (int64_t i = 0; i < x->rows; i++) {
        float *yi = y + i * l;
        memset(yi, 0, (size_t)l * sizeof *yi);
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++) {
            const float v = x->values[p];
            const float *aj = a + (int64_t)x->col_idx[p] * l;
            for (int64_t c = 0; c < l; c++)
                yi[c] += v * aj[c];
        }
    }
}

/* z (V x l) = X^T q, q is N x l. */
static void spmm_t(const quarry_csr *x, const float *q, int64_t l, float *z)
{
    memset(z, 0, (size_t)x->cols * (size_t)l * sizeof *z);
    for (int64_t i = 0; i < x->rows; i++) {
        const float *qi = q + i * l;
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++) {
            const float v = x->values[p];
            float *zj = z + (int64_t)x->col_idx[p] * l;
            for (int64_t c = 0; c < l; c++)
                zj[c] += v * qi[c];
        }
    }
}

/* ------------------------------------------------------------------ */

static int lapack_fail(quarry_engine *e, const char *what, lapack_int info)
{
    if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return engine_fail(e, QUARRY_ENOMEM, "LSA: out of memory in %s", what);
    return engine_fail(e, QUARRY_EINTERNAL, "LSA: LAPACK %s failed (info %d)",
                       what, (int)info);
}

/* Householder QR of the row-major rows x l matrix a, in place: R in its
 * upper triangle, the reflectors below (sgeqrf). tau has l entries. */
static int qr_factor(quarry_engine *e, float *a, int64_t rows, int64_t l,
                     float *tau)
{
    lapack_int info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows,
                                     (lapack_int)l, a, (lapack_int)l, tau);
    return info != 0 ? lapack_fail(e, "sgeqrf", info) : QUARRY_OK;
}

/* The orthonormal Q of a factored matrix, in place (sorgqr). */
static int qr_form_q(quarry_engine *e, float *a, int64_t rows, int64_t l,
                     float *tau)
{
    lapack_int info =
        LAPACKE_sorgqr(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)l,
                       (lapack_int)l, a, (lapack_int)l, tau);
    return info != 0 ? lapack_fail(e, "sorgqr", info) : QUARRY_OK;
}

/* Replace a by an orthonormal basis of its column space. */
static int orthonormalise(quarry_engine *e, float *a, int64_t rows,
                          int64_t l, float *tau)
{
    int rc = qr_factor(e, a, rows, l, tau);
    return rc != 0 ? rc : qr_form_q(e, a, rows, l, tau);
}

static int cancelled(quarry_engine *e, int64_t done, int64_t total)
{
    if (e->progress == NULL)
        return 0;
    return e->progress(e->progress_ctx, "reducing", done, total) != 0;
}

static int check_matrix(quarry_engine *e, const quarry_csr *x)
{
    if (x->rows < 1 || x->cols < 1 || x->row_ptr == NULL)
        return engine_fail(e, QUARRY_EINVAL,
                           "LSA: empty or malformed matrix (%lld x %lld)",
                           (long long)x->rows, (long long)x->cols);
    if (x->rows > INT_MAX || x->cols > INT_MAX)
        return engine_fail(e, QUARRY_ERANGE,
                           "LSA: %lld x %lld is too large for LAPACK's int",
                           (long long)x->rows, (long long)x->cols);
    if (x->row_ptr[x->rows] > 0 && (x->col_idx == NULL || x->values == NULL))
        return engine_fail(e, QUARRY_EINVAL, "LSA: malformed sparse matrix");
    for (int64_t p = 0; p < x->row_ptr[x->rows]; p++)
        if (x->col_idx[p] < 0 || x->col_idx[p] >= x->cols ||
            !isfinite(x->values[p]))
            return engine_fail(e, QUARRY_EINVAL,
                               "LSA: sparse entry %lld is out of range or "
                               "not finite",
                               (long long)p);
    return QUARRY_OK;
}

/* Fix each column's sign so its largest-magnitude entry (the first such,
 * on ties) is positive. */
static void fix_signs(float *u, int64_t n, int64_t k)
{
    for (int64_t c = 0; c < k; c++) {
        float best = 0.0f;
        int64_t at = -1;
        for (int64_t i = 0; i < n; i++)
            if (fabsf(u[i * k + c]) > best) {
                best = fabsf(u[i * k + c]);
                at = i;
            }
        if (at >= 0 && u[at * k + c] < 0.0f)
            for (int64_t i = 0; i < n; i++)
                u[i * k + c] = -u[i * k + c];
    }
}

int reduce_svd(quarry_engine *e, const quarry_csr *x, int32_t dims,
               uint64_t seed, int32_t n_iter, int unit_rows,
               float *singular_values, quarry_dense **out)
{
    float *q = NULL, *z = NULL, *tau = NULL, *lm = NULL, *s = NULL;
    float *ub = NULL, *vt = NULL, *vk = NULL;
    quarry_dense *d = NULL;
    int64_t n, v, l, lim, it;
    lapack_int info;
    gauss_rng rng;
    int rc;

    if (e == NULL)
        return QUARRY_EINVAL;
    if (x == NULL || out == NULL)
        return engine_fail(e, QUARRY_EINVAL, "LSA: no matrix or no output");
    *out = NULL;
    rc = check_matrix(e, x);
    if (rc != 0)
        return rc;
    n = x->rows;
    v = x->cols;
    lim = n < v ? n : v;
    if (dims < 1 || (int64_t)dims >= lim)
        return engine_fail(e, QUARRY_ERANGE,
                           "LSA: dims must be between 1 and %lld (one less "
                           "than the smaller of %lld excerpts and %lld "
                           "terms), not %d",
                           (long long)(lim - 1), (long long)n, (long long)v,
                           (int)dims);
    if (n_iter < 0)
        n_iter = REDUCE_DEFAULT_N_ITER;
    if (n_iter > 100)
        return engine_fail(e, QUARRY_ERANGE,
                           "LSA: %d power iterations is out of range "
                           "(0 .. 100)",
                           (int)n_iter);
    l = (int64_t)dims + REDUCE_OVERSAMPLE;
    if (l > lim)
        l = lim;

    q = malloc((size_t)n * (size_t)l * sizeof *q);
    z = malloc((size_t)v * (size_t)l * sizeof *z);
    tau = malloc((size_t)l * sizeof *tau);
    lm = calloc((size_t)l * (size_t)l, sizeof *lm);
    s = malloc((size_t)l * sizeof *s);
    ub = malloc((size_t)l * (size_t)l * sizeof *ub);
    vt = malloc((size_t)l * (size_t)l * sizeof *vt);
    vk = malloc((size_t)v * (size_t)dims * sizeof *vk);
    d = calloc(1, sizeof *d);
    if (d != NULL)
        d->data = malloc((size_t)n * (size_t)dims * sizeof *d->data);
    if (!q || !z || !tau || !lm || !s || !ub || !vt || !vk || !d ||
        !d->data) {
        rc = engine_fail(e, QUARRY_ENOMEM,
                         "LSA: out of memory (%lld x %lld, %lld columns)",
                         (long long)n, (long long)v, (long long)l);
        goto out;
    }

    /* Omega (V x l) lives in z until the first product is taken. */
    memset(&rng, 0, sizeof rng);
    rng.state = seed ^ 0x4C5341u; /* "LSA": apart from the clusterer's stream */
    for (int64_t i = 0; i < v * l; i++)
        z[i] = (float)gauss_next(&rng);
    spmm(x, z, l, q);
    rc = orthonormalise(e, q, n, l, tau);
    if (rc != 0)
        goto out;

    /* Power iterations on (X X^T): each pass orthonormalises both the
     * row-side and the column-side basis, which keeps the small singular
     * directions representable in float32. */
    for (it = 0; it < n_iter; it++) {
        if (cancelled(e, it, n_iter + 1)) {
            rc = engine_fail(e, QUARRY_ECANCELED, "cancelled");
            goto out;
        }
        spmm_t(x, q, l, z);
        rc = orthonormalise(e, z, v, l, tau);
        if (rc != 0)
            goto out;
        spmm(x, z, l, q);
        rc = orthonormalise(e, q, n, l, tau);
        if (rc != 0)
            goto out;
    }
    if (cancelled(e, n_iter, n_iter + 1)) {
        rc = engine_fail(e, QUARRY_ECANCELED, "cancelled");
        goto out;
    }

    /* z = X^T Q = B^T. Its QR, z = Q2 R, gives B = R^T Q2^T, so B's left
     * singular vectors and singular values are those of the l x l R^T.
     * R, row-major upper, read column-major is R^T, lower. */
    spmm_t(x, q, l, z);
    rc = qr_factor(e, z, v, l, tau);
    if (rc != 0)
        goto out;
    for (int64_t c = 0; c < l; c++)
        for (int64_t r = c; r < l; r++)
            lm[r + c * l] = z[r + c * l];
    info = LAPACKE_sgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)l, (lapack_int)l,
                          lm, (lapack_int)l, s, ub, (lapack_int)l, vt,
                          (lapack_int)l);
    if (info != 0) {
        rc = lapack_fail(e, "sgesdd", info);
        goto out;
    }

    /* R^T = Ub S W^T, so B = Ub S (Q2 W)^T: the right singular vectors are
     * Q2 W. vt, column-major W^T, is W as a row-major array. */
    rc = qr_form_q(e, z, v, l, tau);
    if (rc != 0)
        goto out;
    engine_sgemm(0, 0, v, dims, l, 1.0f, z, l, vt, l, 0.0f, vk, dims);

    /* The rows are X V_k (= U_k S_k, as scikit-learn's fit_transform, up
     * to what the sampled range missed), computed row by row from the
     * sparse rows, so identical excerpts get identical rows to the bit and
     * an empty one gets exact zeros. */
    spmm(x, vk, dims, d->data);
    d->rows = n;
    d->cols = dims;
    d->ld = dims;
    fix_signs(d->data, n, dims);

    if (singular_values != NULL)
        memcpy(singular_values, s, (size_t)dims * sizeof *s);

    /* Rows: U_k S_k, then unit length. */
    for (int64_t i = 0; i < n; i++) {
        float *row = d->data + i * dims;
        double ss = 0.0, in = 0.0;
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
            in += (double)x->values[p] * x->values[p];
        for (int64_t c = 0; c < dims; c++)
            ss += (double)row[c] * row[c];
        if (!isfinite(ss)) {
            rc = engine_fail(e, QUARRY_EINTERNAL,
                             "LSA: reduced row %lld is not finite",
                             (long long)i);
            goto out;
        }
        if (in == 0.0 || ss <= REDUCE_TINY * REDUCE_TINY * in) {
            memset(row, 0, (size_t)dims * sizeof *row);
        } else if (unit_rows) {
            double inv = 1.0 / sqrt(ss);
            for (int64_t c = 0; c < dims; c++)
                row[c] = (float)(row[c] * inv);
        }
    }
    *out = d;
    d = NULL;
    rc = QUARRY_OK;
out:
    reduce_dense_free(d);
    free(q);
    free(z);
    free(tau);
    free(lm);
    free(s);
    free(ub);
    free(vt);
    free(vk);
    return rc;
}

int reduce_lsa(quarry_engine *e, const quarry_csr *x, int32_t dims,
               uint64_t seed, int32_t n_iter, quarry_dense **out)
{
    return reduce_svd(e, x, dims, seed, n_iter, 1, NULL, out);
}
