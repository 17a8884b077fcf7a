/*
 * simtopk.h -- the similarity kernel: for every query row, the k reference
 * rows of largest dot product (cosine, when both sides are unit rows),
 * computed by blocked SGEMM through the engine's one BLAS wrapper with the
 * top-k of each query row selected as each block of scores finishes. Only
 * one block of scores (block_queries x block_refs floats) exists at a time,
 * never the queries x refs matrix. Internal; never installed.
 *
 * Ties go to the smaller reference index, as topk.h orders them, so the
 * result is the same whatever the block sizes and thread count, up to the
 * rounding of the BLAS's own summation order.
 */
#ifndef QUARRY_SIMTOPK_H
#define QUARRY_SIMTOPK_H

#include "quarry/plugin.h"
#include "topk.h"

/* Default block sizes: a 256 x 2048 block of scores is 2 MB, one core's
 * cache, and still big enough for SGEMM to run near its large-matrix rate
 * (tests/bench/bench_kernel.c). With fewer queries than workers x 256 the
 * query blocks shrink so that every worker has one. */
#define SIMTOPK_BLOCK_QUERIES 256
#define SIMTOPK_BLOCK_REFS 2048

typedef struct simtopk_options {
    uint32_t version;
    int32_t k;              /* neighbours kept per query row (>= 1) */
    int threads;            /* workers; <= 0: every core */
    int64_t block_queries;  /* 0: SIMTOPK_BLOCK_QUERIES */
    int64_t block_refs;     /* 0: SIMTOPK_BLOCK_REFS */
} simtopk_options;

#define SIMTOPK_OPTIONS_VERSION 1
#define SIMTOPK_OPTIONS_INIT {SIMTOPK_OPTIONS_VERSION, 10, 0, 0, 0}

/*
 * For each row i of queries, the min(k, refs->rows) rows j of refs with the
 * largest queries[i] . refs[j], best first, in out[i*k .. i*k + count[i])
 * as (score, j); count[i] is min(k, refs->rows). out holds queries->rows * k
 * items and count queries->rows entries, both the caller's.
 * queries->cols must equal refs->cols. Returns 0, QUARRY_EINVAL (bad
 * shapes or options) or QUARRY_ENOMEM; the progress of a long run is the
 * caller's affair (call it on row ranges of queries).
 */
int simtopk_run(const quarry_dense *queries, const quarry_dense *refs,
                const simtopk_options *o, topk_item *out, int32_t *count);

#endif
