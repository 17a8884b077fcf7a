/*
 * reduce.h -- the optional reduction step of the pipeline: LSA, sparse
 * tf-idf rows to k-dimensional dense rows by a randomized truncated SVD.
 * Internal; never installed.
 */
#ifndef QUARRY_REDUCE_H
#define QUARRY_REDUCE_H

#include "engine.h"

/* Power iterations when the caller passes n_iter < 0. On 20 Newsgroups
 * (4 groups, 100 dims) clustering was the same with 2, 4, 5 and 7 within
 * the seed spread, each costs two sparse products and two QRs, and 4 puts
 * the leading singular values within about 1% (tests/bench/bench_reduce.c). */
#ifndef REDUCE_DEFAULT_N_ITER
#define REDUCE_DEFAULT_N_ITER 4
#endif

/* Columns sampled beyond dims (Halko et al.'s p; scikit-learn's 10). */
#define REDUCE_OVERSAMPLE 10

/*
 * Reduce the N x V rows of x to N x dims dense rows: X V_k, V_k the
 * leading right singular vectors of a randomized truncated SVD of x (equal
 * to U_k S_k, what scikit-learn's TruncatedSVD.fit_transform returns, up
 * to the approximation), each row then scaled to unit L2 norm. A row of x
 * without a non-zero entry gives a zero row, and so does a row whose
 * reduced length is below 1e-4 of its own (it has no direction there). The sign of
 * each component is fixed so that its largest-magnitude entry over the
 * rows is positive, so a seed gives the same rows on every run.
 *
 * dims must be in 1 .. min(N, V) - 1; n_iter is the number of power
 * iterations (0 .. 100; < 0 means REDUCE_DEFAULT_N_ITER). Memory is
 * O((N + V) (dims + REDUCE_OVERSAMPLE)); x is never densified.
 *
 * On success *out (caller-owned; reduce_dense_free()) holds the rows with
 * ld == dims. Errors, with the message on e: QUARRY_EINVAL (bad
 * arguments or a malformed matrix), QUARRY_ERANGE (dims or n_iter out of
 * range, or a matrix too large for LAPACK's int), QUARRY_ENOMEM,
 * QUARRY_ECANCELED (the progress callback asked to stop), QUARRY_EINTERNAL
 * (LAPACK failed or the result is not finite).
 */
int reduce_lsa(quarry_engine *e, const quarry_csr *x, int32_t dims,
               uint64_t seed, int32_t n_iter, quarry_dense **out);

/* reduce_lsa() with its insides shown, for tests and benchmarks: when
 * singular_values is not NULL it gets the dims leading singular values,
 * largest first; unit_rows = 0 leaves the rows as U_k S_k (rows that
 * reduce to nothing are still zeroed). */
int reduce_svd(quarry_engine *e, const quarry_csr *x, int32_t dims,
               uint64_t seed, int32_t n_iter, int unit_rows,
               float *singular_values, quarry_dense **out);

/* NULL-safe. */
void reduce_dense_free(quarry_dense *d);

#endif
