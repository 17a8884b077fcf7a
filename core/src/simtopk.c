/*
 * simtopk.c -- the similarity kernel (simtopk.h). For each block of query
 * rows, the reference rows go by in blocks: one SGEMM (BLAS threads) fills
 * the block of scores, then the rows of that block update their heaps in
 * parallel (parallel.h). The references arrive in increasing index order,
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

int simtopk_run(const quarry_dense *queries, const quarry_dense *refs,
                const simtopk_options *o, topk_item *out, int32_t *count)
{
    simtopk_options d = SIMTOPK_OPTIONS_INIT;
    int64_t bq, br, q0, r0, dim;
    float *scores;
    int32_t k;

    if (o == NULL)
        o = &d;
    if (queries == NULL || refs == NULL || out == NULL || count == NULL ||
        o->version != SIMTOPK_OPTIONS_VERSION || o->k < 1 ||
        queries->cols != refs->cols || queries->rows < 0 || refs->rows < 0 ||
        queries->ld < queries->cols || refs->ld < refs->cols ||
        o->block_queries < 0 || o->block_refs < 0)
        return QUARRY_EINVAL;
    k = o->k;
    dim = queries->cols;
    bq = o->block_queries ? o->block_queries : SIMTOPK_BLOCK_QUERIES;
    br = o->block_refs ? o->block_refs : SIMTOPK_BLOCK_REFS;
    if (bq > queries->rows)
        bq = queries->rows;
    if (br > refs->rows)
        br = refs->rows;
    memset(count, 0, (size_t)queries->rows * sizeof *count);
    if (bq == 0 || br == 0)
        return QUARRY_OK;
    scores = malloc((size_t)bq * (size_t)br * sizeof *scores);
    if (scores == NULL)
        return QUARRY_ENOMEM;
    for (q0 = 0; q0 < queries->rows; q0 += bq) {
        int64_t nq = queries->rows - q0 < bq ? queries->rows - q0 : bq, i;
        for (r0 = 0; r0 < refs->rows; r0 += br) {
            int64_t nr = refs->rows - r0 < br ? refs->rows - r0 : br;
            select_ctx s;
            if (dim > 0)
                engine_sgemm(0, 1, nq, nr, dim, 1.0f,
                             queries->data + q0 * queries->ld, queries->ld,
                             refs->data + r0 * refs->ld, refs->ld, 0.0f,
                             scores, nr);
            else
                memset(scores, 0, (size_t)nq * (size_t)nr * sizeof *scores);
            s.scores = scores;
            s.br = nr;
            s.q0 = q0;
            s.r0 = r0;
            s.k = k;
            s.out = out;
            s.count = count;
            /* Rows of 4096 scores: 64 rows a chunk keeps the hand-out rare. */
            parallel_for(o->threads, nq, 64, select_rows, &s);
        }
        for (i = q0; i < q0 + nq; i++) {
            topk t = {out + i * k, k, count[i]};
            topk_sort(&t);
        }
    }
    free(scores);
    return QUARRY_OK;
}
