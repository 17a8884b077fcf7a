/*
 * test_simtopk.c -- the similarity kernel (simtopk.c) against a brute-force
 * top-k, and the parallel for-loop it stands on (parallel.c).
 *
 * Two kinds of data: small integers, whose dot products are exact in float
 * whatever the summation order, so the kernel must give the brute-force ids
 * and scores exactly, ties (many) going to the smaller index; and random
 * real rows, where only rounding may differ, so scores must agree within
 * 1e-5 and ids wherever the scores are not that close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parallel.h"
#include "simtopk.h"
#include "test_util.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static float *fill(int64_t rows, int64_t dim, int integers)
{
    float *m = malloc((size_t)(rows * dim > 0 ? rows * dim : 1) * sizeof *m);
    int64_t i;
    assert_non_null(m);
    for (i = 0; i < rows * dim; i++)
        m[i] = integers ? (float)((int)(next() % 5) - 2)
                        : (float)((double)(next() >> 11) / 9007199254740992.0 -
                                  0.5);
    return m;
}

/* Brute force in double: every score, then the k best by topk.h's order. */
static void brute(const float *q, int64_t nq, const float *r, int64_t nr,
                  int64_t dim, int32_t k, topk_item *out, int32_t *count)
{
    int64_t i, j, d;
    for (i = 0; i < nq; i++) {
        topk t;
        topk_init(&t, out + i * k, k);
        for (j = 0; j < nr; j++) {
            double s = 0.0;
            for (d = 0; d < dim; d++)
                s += (double)q[i * dim + d] * r[j * dim + d];
            topk_push(&t, (float)s, j);
        }
        topk_sort(&t);
        count[i] = t.n;
    }
}

static void compare(int64_t nq, int64_t nr, int64_t dim, int32_t k,
                    int integers, int threads, int64_t bq, int64_t br)
{
    float *q = fill(nq, dim, integers), *r = fill(nr, dim, integers);
    topk_item *got = malloc((size_t)(nq * k) * sizeof *got);
    topk_item *want = malloc((size_t)(nq * k) * sizeof *want);
    int32_t *ngot = malloc((size_t)nq * sizeof *ngot);
    int32_t *nwant = malloc((size_t)nq * sizeof *nwant);
    quarry_dense dq = {nq, dim, dim, q}, dr = {nr, dim, dim, r};
    simtopk_options o = SIMTOPK_OPTIONS_INIT;
    int64_t i;
    int32_t j;

    assert_non_null(got);
    assert_non_null(want);
    o.k = k;
    o.threads = threads;
    o.block_queries = bq;
    o.block_refs = br;
    assert_int_equal(simtopk_run(&dq, &dr, &o, got, ngot), QUARRY_OK);
    brute(q, nq, r, nr, dim, k, want, nwant);
    for (i = 0; i < nq; i++) {
        assert_int_equal(ngot[i], nwant[i]);
        assert_int_equal(ngot[i], nr < k ? nr : k);
        for (j = 0; j < ngot[i]; j++) {
            const topk_item *g = &got[i * k + j], *w = &want[i * k + j];
            if (integers) {
                assert_int_equal(g->id, w->id);
                assert_true(g->score == w->score);
            } else {
                test_near(g->score, w->score, 1e-5);
                /* The ids may swap only between near-equal scores. */
                if (g->id != w->id)
                    assert_true(j + 1 < ngot[i] &&
                                fabs(w[1].score - w->score) < 1e-5);
            }
        }
    }
    free(q);
    free(r);
    free(got);
    free(want);
    free(ngot);
    free(nwant);
}

static void exact_on_integers(void **state)
{
    (void)state;
    /* Blocks that do not divide the sizes, one thread and two. */
    compare(300, 700, 16, 10, 1, 1, 64, 128);
    compare(300, 700, 16, 10, 1, 2, 37, 101);
    compare(130, 5000, 8, 25, 1, 2, 0, 0);
}

static void near_on_random_rows(void **state)
{
    (void)state;
    compare(500, 2000, 64, 10, 0, 2, 100, 300);
    compare(257, 4099, 33, 3, 0, 1, 0, 0);
}

static void fewer_refs_than_k(void **state)
{
    (void)state;
    compare(20, 4, 8, 10, 1, 2, 0, 0);
    compare(5, 1, 3, 1, 0, 1, 0, 0);
}

static void refuses_bad_shapes(void **state)
{
    float a[6] = {0};
    topk_item out[4];
    int32_t count[2];
    quarry_dense q = {2, 3, 3, a}, r = {2, 2, 2, a};
    simtopk_options o = SIMTOPK_OPTIONS_INIT;
    (void)state;
    assert_int_equal(simtopk_run(&q, &r, &o, out, count), QUARRY_EINVAL);
    r.cols = 3;
    r.ld = 3;
    o.k = 0;
    assert_int_equal(simtopk_run(&q, &r, &o, out, count), QUARRY_EINVAL);
}

typedef struct sum_ctx {
    int64_t *slot;
    int fail_at;
} sum_ctx;

static int mark(void *p, int64_t b, int64_t e, int worker)
{
    sum_ctx *s = p;
    int64_t i;
    assert_true(worker >= 0 && worker < PARALLEL_MAX_THREADS);
    for (i = b; i < e; i++) {
        if (s->fail_at >= 0 && i == s->fail_at)
            return QUARRY_EIO;
        s->slot[i] += i + 1;
    }
    return 0;
}

static void parallel_covers_every_item_once(void **state)
{
    int64_t slot[1000], i;
    sum_ctx s = {slot, -1};
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        memset(slot, 0, sizeof slot);
        assert_int_equal(parallel_for(threads, 1000, 7, mark, &s), 0);
        for (i = 0; i < 1000; i++)
            assert_int_equal(slot[i], i + 1);
    }
    s.fail_at = 500;
    assert_int_equal(parallel_for(2, 1000, 7, mark, &s), QUARRY_EIO);
    assert_int_equal(parallel_workers(8, 10, 5), 2);
    assert_true(parallel_workers(0, 1000000, 1) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_on_integers),
        cmocka_unit_test(near_on_random_rows),
        cmocka_unit_test(fewer_refs_than_k),
        cmocka_unit_test(refuses_bad_shapes),
        cmocka_unit_test(parallel_covers_every_item_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
