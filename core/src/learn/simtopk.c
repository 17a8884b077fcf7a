/*
 * simtopk.c -- the similarity kernel (simtopk.h). Blocks of query rows are
 * handed to workers (parallel.h); a worker takes the reference rows by
 * blocks, one SGEMM on one BLAS thread filling its own block of scores
 * (small enough to stay in its core's cache), then the rows of that block
 * update their heaps at once, before the next SGEMM. So SGEMM and selection
 * run side by side on every core, and no BLAS thread spins waiting. The references arrive in increasing index order,
 * so a score equal to a full heap's worst never enters it (the earlier,
 * smaller index wins the tie), and the scan of a row only has to find the
 * scores above its current threshold: a branch-free test over 64 scores at
 * a time, vectorised by the compiler, skips most of them.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "parallel.h"
#include "simtopk.h"

typedef struct select_ctx {
    const float *scores; /* rows x br, ld br */
    int64_t br;          /* columns of this block */
    int64_t q0;          /* first query row of the block */
    int64_t r0;          /* first reference row of the block */
    int32_t k;
    topk_item *out;
    int32_t *count;
} select_ctx;

#define SCAN 64

/* Whether any of SCAN scores is above thr: a fixed trip count and no early
 * exit, so the compiler's cheapest vectoriser takes it at -O2. */
static inline int any_above(const float *x, float thr)
{
    int any = 0, m;
    for (m = 0; m < SCAN; m++)
        any |= x[m] > thr;
    return any;
}

static int select_rows(void *p, int64_t begin, int64_t end, int worker)
{
    const select_ctx *s = p;
    int64_t i;
    (void)worker;
    for (i = begin; i < end; i++) {
        const float *row = s->scores + i * s->br;
        int64_t q = s->q0 + i, j = 0;
        topk t;
        t.items = s->out + q * s->k;
        t.k = s->k;
        t.n = s->count[q];
        /* Fill the heap first. */
        while (t.n < t.k && j < s->br) {
            topk_push(&t, row[j], s->r0 + j);
            j++;
        }
        while (j < s->br) {
            int64_t stop = j + SCAN < s->br ? j + SCAN : s->br, m;
            if (stop - j == SCAN && !any_above(row + j, t.items[0].score)) {
                j = stop;
                continue;
            }
            for (m = j; m < stop; m++)
                if (row[m] > t.items[0].score)
                    topk_push(&t, row[m], s->r0 + m);
            j = stop;
        }
        s->count[q] = t.n;
    }
    return 0;
}

typedef struct kernel_job {
    const quarry_dense *q, *r;
    int32_t k;
    int64_t bq, br;
    topk_item *out;
    int32_t *count;
    float *scores[PARALLEL_MAX_THREADS]; /* per worker: bq x br */
} kernel_job;

/* Query blocks [b, e): each block against every reference block, one
 * SGEMM and one selection pass at a time, on this worker alone. */
static int run_blocks(void *p, int64_t b, int64_t e, int worker)
{
    const kernel_job *j = p;
    const quarry_dense *q = j->q, *r = j->r;
    float *scores = j->scores[worker];
    int64_t qb, r0, i;

    for (qb = b; qb < e; qb++) {
        int64_t q0 = qb * j->bq;
        int64_t nq = q->rows - q0 < j->bq ? q->rows - q0 : j->bq;
        for (r0 = 0; r0 < r->rows; r0 += j->br) {
            int64_t nr = r->rows - r0 < j->br ? r->rows - r0 : j->br;
            select_ctx s;
            if (q->cols > 0)
                engine_sgemm(0, 1, nq, nr, q->cols, 1.0f,
                             q->data + q0 * q->ld, q->ld,
                             r->data + r0 * r->ld, r->ld, 0.0f, scores, nr);
            else
                memset(scores, 0, (size_t)nq * (size_t)nr * sizeof *scores);
            s.scores = scores;
            s.br = nr;
            s.q0 = q0;
            s.r0 = r0;
            s.k = j->k;
            s.out = j->out;
            s.count = j->count;
            select_rows(&s, 0, nq, worker);
        }
        for (i = q0; i < q0 + nq; i++) {
            topk t = {j->out + i * j->k, j->k, j->count[i]};
            topk_sort(&t);
        }
    }
    return 0;
}

int simtopk_run(const quarry_dense *queries, const quarry_dense *refs,
                const simtopk_options *o, topk_item *out, int32_t *count)
{
    simtopk_options d = SIMTOPK_OPTIONS_INIT;
    kernel_job j;
    int64_t n_blocks, per_worker;
    int workers, w, blas = 0, rc = QUARRY_OK;

    if (o == NULL)
        o = &d;
    if (queries == NULL || refs == NULL || out == NULL || count == NULL ||
        o->version != SIMTOPK_OPTIONS_VERSION || o->k < 1 ||
        queries->cols != refs->cols || queries->rows < 0 || refs->rows < 0 ||
        queries->ld < queries->cols || refs->ld < refs->cols ||
        o->block_queries < 0 || o->block_refs < 0)
        return QUARRY_EINVAL;
    memset(&j, 0, sizeof j);
    memset(count, 0, (size_t)queries->rows * sizeof *count);
    if (queries->rows == 0 || refs->rows == 0)
        return QUARRY_OK;
    j.q = queries;
    j.r = refs;
    j.k = o->k;
    j.out = out;
    j.count = count;
    j.bq = o->block_queries ? o->block_queries : SIMTOPK_BLOCK_QUERIES;
    j.br = o->block_refs ? o->block_refs : SIMTOPK_BLOCK_REFS;
    /* Few queries: smaller blocks, so every worker gets one. */
    workers = parallel_workers(o->threads, queries->rows, 1);
    per_worker = (queries->rows + workers - 1) / workers;
    if (!o->block_queries && per_worker < j.bq)
        j.bq = per_worker > 16 ? per_worker : 16;
    if (j.bq > queries->rows)
        j.bq = queries->rows;
    if (j.br > refs->rows)
        j.br = refs->rows;
    n_blocks = (queries->rows + j.bq - 1) / j.bq;
    workers = parallel_workers(o->threads, n_blocks, 1);
    for (w = 0; w < workers; w++) {
        j.scores[w] = malloc((size_t)j.bq * (size_t)j.br * sizeof(float));
        if (j.scores[w] == NULL)
            rc = QUARRY_ENOMEM;
    }
    if (rc == QUARRY_OK) {
        /* Each worker runs its own SGEMMs: BLAS on one thread meanwhile,
         * so its threads do not spin against the workers. One worker
         * leaves BLAS its threads. */
        if (workers > 1)
            blas = engine_blas_threads(1);
        rc = parallel_for(workers, n_blocks, 1, run_blocks, &j);
        if (workers > 1)
            engine_blas_threads(blas);
    }
    for (w = 0; w < workers; w++)
        free(j.scores[w]);
    return rc;
}
