/*
 * reduce.c -- LSA: the weighted sparse rows of the pipeline reduced to a few
 * dense dimensions by a randomized truncated SVD (Halko, Martinsson & Tropp
 * 2011, algorithms 4.4 and 5.1). A Gaussian test matrix of dims + p columns
 * is multiplied into the rows, a few power iterations (re-orthonormalised
 * each time, so small singular values are not lost to float32 rounding)
 * sharpen the captured range, and the SVD of the small projected matrix
 * B = Q^T X gives the leading singular triplets.
 *
 * Layout. Every tall matrix (Y = X Omega and Q, N x l; Z = X^T Q, V x l) is
 * row-major, so the two sparse kernels below stream over the non-zeros and
 * touch l contiguous floats per entry; X^T Q runs as a row kernel over X's
 * compressed columns, built once. Orthonormalisation is CholeskyQR in
 * double over blocks of rows (level-3 BLAS), Householder only when the
 * matrix is close to rank-deficient. The last Z is B^T: its QR, Z = Q2 R,
 * reduces the SVD of B to that of the l x l R^T.
 *
 * Threads. The sparse products, the test matrix and the QR sweeps run on
 * the engine's threads; every output element is summed in one fixed order
 * whatever the number of threads, so the rows are the same for --threads 1
 * and for more.
 *
 * The rows returned are X V_k, V_k the leading right singular vectors:
 * the same as scikit-learn's U_k S_k up to what the sampled range missed,
 * but computed from each sparse row alone, so identical excerpts get
 * identical rows to the bit and an empty excerpt exact zeros.
 *
 * Memory: the N x l and V x l work matrices, X's compressed columns (one
 * more copy of the non-zeros), V_k (V x dims) and the N x dims result.
 */
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
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
/* Sparse x dense kernels (row-major dense, l columns), parallel over    */
/* output rows: each row is one worker's, summed in the order of its     */
/* non-zeros, so the result does not depend on the number of threads.   */

typedef struct sp_job {
    const int64_t *ptr;
    const int32_t *idx;
    const float *val;
    const float *a; /* (columns of the sparse matrix) x l */
    int64_t l;
    float *y; /* (rows of the sparse matrix) x l */
} sp_job;

static int sp_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    const sp_job *j = ctx;
    const int64_t l = j->l;
    (void)worker;
    for (int64_t i = begin; i < end; i++) {
        float *restrict yi = j->y + i * l;
        memset(yi, 0, (size_t)l * sizeof *yi);
        for (int64_t p = j->ptr[i]; p < j->ptr[i + 1]; p++) {
            const float v = j->val[p];
            const float *restrict aj = j->a + (int64_t)j->idx[p] * l;
            for (int64_t c = 0; c < l; c++)
                yi[c] += v * aj[c];
        }
    }
    return 0;
}

static void sp_run(int threads, int64_t rows, const int64_t *ptr,
                   const int32_t *idx, const float *val, const float *a,
                   int64_t l, float *y)
{
    sp_job j = {ptr, idx, val, a, l, y};
    /* sp_rows cannot fail, so neither can the loop. */
    (void)parallel_for(threads, rows, 256, sp_rows, &j);
}

/* X^T as rows (compressed columns of X), for z = X^T q as a row kernel.
 * Each column's entries are in increasing row order, so z's sums are
 * taken in the order a row-by-row scatter would take them. */
typedef struct csc {
    int64_t *ptr; /* cols + 1 */
    int32_t *idx; /* row of each entry */
    float *val;
} csc;

/* Freed and emptied: csc_of frees what it got on failure, and its
 * caller's cleanup frees again. */
static void csc_free(csc *t)
{
    free(t->ptr);
    free(t->idx);
    free(t->val);
    t->ptr = NULL;
    t->idx = NULL;
    t->val = NULL;
}

static int csc_of(const quarry_csr *x, csc *t)
{
    const int64_t nnz = x->row_ptr[x->rows];
    int64_t *fill;
    t->ptr = calloc((size_t)x->cols + 1, sizeof *t->ptr);
    t->idx = malloc((size_t)(nnz ? nnz : 1) * sizeof *t->idx);
    t->val = malloc((size_t)(nnz ? nnz : 1) * sizeof *t->val);
    fill = malloc((size_t)x->cols * sizeof *fill);
    if (!t->ptr || !t->idx || !t->val || !fill) {
        free(fill);
        csc_free(t);
        return -1;
    }
    for (int64_t p = 0; p < nnz; p++)
        t->ptr[x->col_idx[p] + 1]++;
    for (int64_t c = 0; c < x->cols; c++)
        t->ptr[c + 1] += t->ptr[c];
    memcpy(fill, t->ptr, (size_t)x->cols * sizeof *fill);
    for (int64_t i = 0; i < x->rows; i++)
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++) {
            int64_t at = fill[x->col_idx[p]]++;
            t->idx[at] = (int32_t)i;
            t->val[at] = x->values[p];
        }
    free(fill);
    return 0;
}

/* y (N x l) = X a, a is V x l. */
static void spmm(int threads, const quarry_csr *x, const float *a, int64_t l,
                 float *y)
{
    sp_run(threads, x->rows, x->row_ptr, x->col_idx, x->values, a, l, y);
}

/* z (V x l) = X^T q, q is N x l; xt is X's compressed columns. */
static void spmm_t(int threads, const quarry_csr *x, const csc *xt,
                   const float *q, int64_t l, float *z)
{
    sp_run(threads, x->cols, xt->ptr, xt->idx, xt->val, q, l, z);
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

/*
 * Orthonormalisation of a tall row-major matrix A (rows x l), A = Q R.
 *
 * CholeskyQR2 (Fukaya et al. 2014): G = A^T A, G = U^T U (Cholesky),
 * A <- A U^-1, twice, the second pass restoring the orthogonality the
 * first lost to rounding. Every step is a level-3 product over blocks of
 * QR_BLOCK rows, each block on one worker with one BLAS thread, the Gram
 * matrices in double and summed over the blocks in block order, so the
 * result does not depend on the number of threads. Householder QR
 * (sgeqrf + sorgqr) is bound by its level-2 panels and LAPACKE's
 * row-major copies: on 87k x 110 it was ten times slower.
 *
 * When A is too close to rank-deficient for the Cholesky factor to be
 * trusted (not positive definite in double, or a diagonal ratio below
 * QR_MIN_PIVOT: the Gram matrix squares A's condition number), the
 * Householder QR takes over from where the passes stopped.
 */
#define QR_BLOCK 2048
#define QR_MIN_PIVOT 1e-6
#define QR_ONE_PASS_RCOND 1e-3

typedef struct cqr_job {
    float *a;
    int64_t rows, l;
    const double *u; /* multiply by this (U^-1) first; NULL: do not */
    double *gram;    /* per block l x l upper Gram; NULL: do not */
    double *scratch; /* per worker 2 x QR_BLOCK x l */
} cqr_job;

static int cqr_blocks(void *ctx, int64_t begin, int64_t end, int worker)
{
    const cqr_job *j = ctx;
    const int64_t l = j->l;
    double *buf = j->scratch + (size_t)worker * 2 * QR_BLOCK * (size_t)l;
    double *res = buf + QR_BLOCK * (size_t)l;
    for (int64_t b = begin; b < end; b++) {
        int64_t r0 = b * QR_BLOCK;
        int64_t nr = j->rows - r0 < QR_BLOCK ? j->rows - r0 : QR_BLOCK;
        float *ab = j->a + r0 * l;
        for (int64_t i = 0; i < nr * l; i++)
            buf[i] = ab[i];
        if (j->u != NULL) {
            engine_dgemm_nn(nr, l, l, buf, j->u, res);
            /* The Gram is of the floats kept, not of the doubles. */
            for (int64_t i = 0; i < nr * l; i++) {
                ab[i] = (float)res[i];
                buf[i] = ab[i];
            }
        }
        if (j->gram != NULL)
            engine_dgram(l, nr, buf, j->gram + (size_t)b * (size_t)(l * l));
    }
    return 0;
}

/* One sweep over the blocks (see cqr_job); with gram, *g gets the sum of
 * the blocks' Gram matrices (upper triangle). */
static void cqr_sweep(cqr_job *j, int workers, int64_t n_blocks, double *g)
{
    const int64_t l = j->l;
    /* One BLAS thread even for one worker, so a block's sums are the
     * same whatever the number of workers. */
    int blas = engine_blas_threads(1);
    (void)parallel_for(workers, n_blocks, 1, cqr_blocks, j);
    engine_blas_threads(blas);
    if (j->gram == NULL)
        return;
    memset(g, 0, (size_t)(l * l) * sizeof *g);
    for (int64_t b = 0; b < n_blocks; b++) {
        const double *gb = j->gram + (size_t)b * (size_t)(l * l);
        for (int64_t r = 0; r < l; r++)
            for (int64_t c = r; c < l; c++)
                g[r * l + c] += gb[r * l + c];
    }
}

/* g (upper, row-major) = U^T U in place, U upper with the lower triangle
 * zeroed; 0, or -1 when U cannot be trusted. */
static int cholesky(double *g, int64_t l)
{
    double lo = INFINITY, hi = 0.0;
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)l, g,
                       (lapack_int)l) != 0)
        return -1;
    for (int64_t r = 0; r < l; r++) {
        double d = g[r * l + r];
        if (!(d > 0.0) || !isfinite(d))
            return -1;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        for (int64_t c = 0; c < r; c++)
            g[r * l + c] = 0.0;
    }
    return lo >= QR_MIN_PIVOT * hi ? 0 : -1;
}

/* r (l x l, row-major upper) = u r, both upper triangular. */
static void upper_times(const double *u, double *r, int64_t l, double *tmp)
{
    for (int64_t i = 0; i < l; i++)
        for (int64_t c = 0; c < l; c++) {
            double s = 0.0;
            for (int64_t k = i; k <= c; k++)
                s += u[i * l + k] * r[k * l + c];
            tmp[i * l + c] = s;
        }
    memcpy(r, tmp, (size_t)(l * l) * sizeof *r);
}

/*
 * Replace a (rows x l) by an orthonormal basis Q of its column space; with
 * r_out (l x l floats, row-major), also the upper triangular R of A = Q R.
 */
static int orthonormalise(quarry_engine *e, float *a, int64_t rows,
                          int64_t l, float *r_out)
{
    const int64_t n_blocks = (rows + QR_BLOCK - 1) / QR_BLOCK;
    const int workers = parallel_workers(e->threads, n_blocks, 1);
    double *g = malloc(2 * (size_t)(l * l) * sizeof *g);
    double *r = calloc((size_t)(l * l), sizeof *r);
    double *tmp = malloc((size_t)(l * l) * sizeof *tmp);
    double *gram = malloc((size_t)n_blocks * (size_t)(l * l) * sizeof *gram);
    double *scratch =
        malloc((size_t)workers * 2 * QR_BLOCK * (size_t)l * sizeof *scratch);
    float *tau = NULL;
    cqr_job j;
    int pass, passes = 2, rc = QUARRY_OK;

    if (!g || !r || !tmp || !gram || !scratch) {
        rc = engine_fail(e, QUARRY_ENOMEM, "LSA: out of memory");
        goto out;
    }
    for (int64_t i = 0; i < l; i++)
        r[i * l + i] = 1.0;
    j.a = a;
    j.rows = rows;
    j.l = l;
    j.u = NULL;
    j.gram = gram;
    j.scratch = scratch;
    cqr_sweep(&j, workers, n_blocks, g);
    for (pass = 0; pass < passes; pass++) {
        double *u = g + (pass & 1) * (size_t)(l * l);
        double *next = g + ((pass + 1) & 1) * (size_t)(l * l);
        double rcond = 0.0;
        if (cholesky(u, l) != 0)
            break;
        /* Q's loss of orthogonality after one pass is about the double
         * epsilon times cond(A)^2 = cond(U)^2: below float rounding when
         * cond(U) < 1e3, and then one pass is enough. */
        if (pass == 0 &&
            LAPACKE_dtrcon(LAPACK_ROW_MAJOR, '1', 'U', 'N', (lapack_int)l, u,
                           (lapack_int)l, &rcond) == 0 &&
            rcond > QR_ONE_PASS_RCOND)
            passes = 1;
        upper_times(u, r, l, tmp);
        /* A U^-1 as a product with the explicit inverse: a level-3 GEMM
         * (a triangular solve on the right is far slower in OpenBLAS);
         * U is well conditioned here (cholesky()) and a second pass
         * restores what rounding costs the first. */
        if (LAPACKE_dtrtri(LAPACK_ROW_MAJOR, 'U', 'N', (lapack_int)l, u,
                           (lapack_int)l) != 0) {
            rc = engine_fail(e, QUARRY_EINTERNAL, "LSA: dtrtri failed");
            goto out;
        }
        j.u = u;
        j.gram = pass + 1 < passes ? gram : NULL;
        cqr_sweep(&j, workers, n_blocks, next);
    }
    if (pass < passes) {
        /* Householder from here: a = Q R2, so A = Q R2 R. */
        double *r2 = g;
        tau = malloc((size_t)l * sizeof *tau);
        if (tau == NULL) {
            rc = engine_fail(e, QUARRY_ENOMEM, "LSA: out of memory");
            goto out;
        }
        rc = qr_factor(e, a, rows, l, tau);
        if (rc != 0)
            goto out;
        for (int64_t i = 0; i < l; i++)
            for (int64_t c = 0; c < l; c++)
                r2[i * l + c] = c >= i ? a[i * l + c] : 0.0;
        upper_times(r2, r, l, tmp);
        rc = qr_form_q(e, a, rows, l, tau);
        if (rc != 0)
            goto out;
    }
    if (r_out != NULL)
        for (int64_t i = 0; i < l * l; i++)
            r_out[i] = (float)r[i];
out:
    free(g);
    free(r);
    free(tmp);
    free(gram);
    free(scratch);
    free(tau);
    return rc;
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
 * on ties) is positive: one pass over the rows, then one to flip. */
static int fix_signs(float *u, int64_t n, int64_t k)
{
    float *best = calloc((size_t)k, sizeof *best);
    signed char *neg = calloc((size_t)k, 1);
    int any = 0;
    if (best == NULL || neg == NULL) {
        free(best);
        free(neg);
        return -1;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t c = 0; c < k; c++) {
            float v = u[i * k + c];
            if (fabsf(v) > best[c]) {
                best[c] = fabsf(v);
                neg[c] = v < 0.0f;
            }
        }
    for (int64_t c = 0; c < k; c++)
        any |= neg[c];
    if (any)
        for (int64_t i = 0; i < n; i++)
            for (int64_t c = 0; c < k; c++)
                if (neg[c])
                    u[i * k + c] = -u[i * k + c];
    free(best);
    free(neg);
    return 0;
}

/* The Gaussian test matrix Omega (v x l): row i from its own stream,
 * seeded by (seed, i), so the rows are filled in parallel and the matrix
 * depends on the seed alone. */
typedef struct omega_job {
    float *z;
    int64_t l;
    uint64_t seed;
} omega_job;

static int omega_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    const omega_job *j = ctx;
    (void)worker;
    for (int64_t i = begin; i < end; i++) {
        gauss_rng rng;
        uint64_t st = j->seed ^ ((uint64_t)i * 0xD1B54A32D192ED03u);
        memset(&rng, 0, sizeof rng);
        rng.state = splitmix64_next(&st);
        for (int64_t c = 0; c < j->l; c++)
            j->z[i * j->l + c] = (float)gauss_next(&rng);
    }
    return 0;
}

/* Rows of the result: unit length (unit_rows), or zero when they reduced
 * to nothing. */
typedef struct rows_job {
    const quarry_csr *x;
    float *data;
    int64_t dims;
    int unit_rows;
} rows_job;

static int finish_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    rows_job *j = ctx;
    const quarry_csr *x = j->x;
    (void)worker;
    for (int64_t i = begin; i < end; i++) {
        float *row = j->data + i * j->dims;
        double ss = 0.0, in = 0.0;
        for (int64_t p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
            in += (double)x->values[p] * x->values[p];
        for (int64_t c = 0; c < j->dims; c++)
            ss += (double)row[c] * row[c];
        if (!isfinite(ss))
            return (int)QUARRY_EINTERNAL; /* stops the loop; reported below */
        if (in == 0.0 || ss <= REDUCE_TINY * REDUCE_TINY * in) {
            memset(row, 0, (size_t)j->dims * sizeof *row);
        } else if (j->unit_rows) {
            double inv = 1.0 / sqrt(ss);
            for (int64_t c = 0; c < j->dims; c++)
                row[c] = (float)(row[c] * inv);
        }
    }
    return 0;
}

int reduce_svd(quarry_engine *e, const quarry_csr *x, int32_t dims,
               uint64_t seed, int32_t n_iter, int unit_rows,
               float *singular_values, quarry_dense **out)
{
    float *q = NULL, *z = NULL, *lm = NULL, *s = NULL, *rz = NULL;
    float *ub = NULL, *vt = NULL, *vk = NULL;
    quarry_dense *d = NULL;
    csc xt = {NULL, NULL, NULL};
    int64_t n, v, l, lim, it;
    lapack_int info;
    double t = engine_now();
    int threads, rc;

    if (e == NULL)
        return QUARRY_EINVAL;
    if (x == NULL || out == NULL)
        return engine_fail(e, QUARRY_EINVAL, "LSA: no matrix or no output");
    *out = NULL;
    rc = check_matrix(e, x);
    if (rc != 0)
        return rc;
    threads = e->threads;
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
    lm = calloc((size_t)l * (size_t)l, sizeof *lm);
    rz = malloc((size_t)l * (size_t)l * sizeof *rz);
    s = malloc((size_t)l * sizeof *s);
    ub = malloc((size_t)l * (size_t)l * sizeof *ub);
    vt = malloc((size_t)l * (size_t)l * sizeof *vt);
    vk = malloc((size_t)v * (size_t)dims * sizeof *vk);
    d = calloc(1, sizeof *d);
    if (d != NULL)
        d->data = malloc((size_t)n * (size_t)dims * sizeof *d->data);
    if (!q || !z || !lm || !rz || !s || !ub || !vt || !vk || !d ||
        !d->data || csc_of(x, &xt) != 0) {
        rc = engine_fail(e, QUARRY_ENOMEM,
                         "LSA: out of memory (%lld x %lld, %lld columns)",
                         (long long)n, (long long)v, (long long)l);
        goto out;
    }

    /* Omega (V x l) lives in z until the first product is taken. The
     * constant ("LSA") keeps it apart from the clusterer's stream. */
    {
        omega_job oj = {z, l, seed ^ 0x4C5341u};
        (void)parallel_for(threads, v, 1024, omega_rows, &oj);
    }
    engine_phase(e, &t, "LSA: test matrix");
    spmm(threads, x, z, l, q);
    rc = orthonormalise(e, q, n, l, NULL);
    if (rc != 0)
        goto out;
    engine_phase(e, &t, "LSA: first range");

    /* Power iterations on (X X^T): each pass orthonormalises both the
     * row-side and the column-side basis, which keeps the small singular
     * directions representable in float32. */
    for (it = 0; it < n_iter; it++) {
        if (cancelled(e, it, n_iter + 1)) {
            rc = engine_fail(e, QUARRY_ECANCELED, "cancelled");
            goto out;
        }
        spmm_t(threads, x, &xt, q, l, z);
        rc = orthonormalise(e, z, v, l, NULL);
        if (rc == 0) {
            spmm(threads, x, z, l, q);
            rc = orthonormalise(e, q, n, l, NULL);
        }
        if (rc != 0)
            goto out;
    }
    engine_phase(e, &t, "LSA: power iterations");
    if (cancelled(e, n_iter, n_iter + 1)) {
        rc = engine_fail(e, QUARRY_ECANCELED, "cancelled");
        goto out;
    }

    /* z = X^T Q = B^T. Its QR, z = Q2 R, gives B = R^T Q2^T, so B's left
     * singular vectors and singular values are those of the l x l R^T.
     * R, row-major upper, read column-major is R^T, lower. */
    spmm_t(threads, x, &xt, q, l, z);
    rc = orthonormalise(e, z, v, l, rz);
    if (rc != 0)
        goto out;
    for (int64_t c = 0; c < l; c++)
        for (int64_t r = c; r < l; r++)
            lm[r + c * l] = rz[r + c * l];
    info = LAPACKE_sgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)l, (lapack_int)l,
                          lm, (lapack_int)l, s, ub, (lapack_int)l, vt,
                          (lapack_int)l);
    if (info != 0) {
        rc = lapack_fail(e, "sgesdd", info);
        goto out;
    }

    /* R^T = Ub S W^T, so B = Ub S (Q2 W)^T: the right singular vectors are
     * Q2 W. vt, column-major W^T, is W as a row-major array. */
    engine_sgemm(0, 0, v, dims, l, 1.0f, z, l, vt, l, 0.0f, vk, dims);
    engine_phase(e, &t, "LSA: SVD");

    /* The rows are X V_k (= U_k S_k, as scikit-learn's fit_transform, up
     * to what the sampled range missed), computed row by row from the
     * sparse rows, so identical excerpts get identical rows to the bit and
     * an empty one gets exact zeros. */
    spmm(threads, x, vk, dims, d->data);
    d->rows = n;
    d->cols = dims;
    d->ld = dims;
    if (fix_signs(d->data, n, dims) != 0) {
        rc = engine_fail(e, QUARRY_ENOMEM, "LSA: out of memory");
        goto out;
    }

    if (singular_values != NULL)
        memcpy(singular_values, s, (size_t)dims * sizeof *s);

    /* Rows: U_k S_k, then unit length. */
    {
        rows_job rj = {x, d->data, dims, unit_rows};
        if (parallel_for(threads, n, 1024, finish_rows, &rj) != 0) {
            rc = engine_fail(e, QUARRY_EINTERNAL,
                             "LSA: a reduced row is not finite");
            goto out;
        }
    }
    engine_phase(e, &t, "LSA: rows");
    *out = d;
    d = NULL;
    rc = QUARRY_OK;
out:
    reduce_dense_free(d);
    csc_free(&xt);
    free(q);
    free(z);
    free(lm);
    free(rz);
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
