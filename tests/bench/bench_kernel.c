/*
 * bench_kernel.c -- GFLOP/s of the similarity kernel (core/src/learn/simtopk.c:
 * blocked SGEMM with top-k selection per query row) beside what the same
 * OpenBLAS reaches on a large square SGEMM on this machine, and beside the
 * kernel's SGEMM blocks alone (no selection), so the cost of the selection
 * shows. Random unit rows; each figure is the best of --reps runs (wall
 * clock, CLOCK_MONOTONIC; the three take turns); a kernel run counts 2 * queries * refs * dim
 * flops. Prints numbers; asserts nothing. Built with the tests:
 *
 *   BUILD/bench_kernel [--queries 100000] [--refs 10000] [--dim 256]
 *       [--k 10] [--square 4096] [--reps 5] [--threads 0]
 *       [--block-queries N] [--block-refs N]
 *
 * OpenBLAS picks its kernels by CPU model; on a CPU it does not know it
 * may fall back to old ones (the line "openblas core" says which).
 * OPENBLAS_CORETYPE=SkylakeX (or Haswell) overrides that for both figures.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "parallel.h"
#include "simtopk.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static float uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 40) * (1.0 / 16777216.0)) - 0.5f;
}

static float *random_rows(int64_t rows, int64_t dim)
{
    float *m = malloc((size_t)rows * (size_t)dim * sizeof *m);
    int64_t i, j;
    if (m == NULL)
        return NULL;
    for (i = 0; i < rows; i++) {
        double s = 0.0;
        for (j = 0; j < dim; j++) {
            float v = uniform();
            m[i * dim + j] = v;
            s += (double)v * v;
        }
        for (j = 0; j < dim; j++)
            m[i * dim + j] = (float)(m[i * dim + j] / sqrt(s > 0 ? s : 1));
    }
    return m;
}

static long arg(int argc, char **argv, const char *name, long def)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return atol(argv[i + 1]);
    return def;
}

int main(int argc, char **argv)
{
    int64_t nq = arg(argc, argv, "--queries", 100000);
    int64_t nr = arg(argc, argv, "--refs", 10000);
    int64_t dim = arg(argc, argv, "--dim", 256);
    int64_t sq = arg(argc, argv, "--square", 4096);
    int reps = (int)arg(argc, argv, "--reps", 5), r;
    simtopk_options o = SIMTOPK_OPTIONS_INIT;
    quarry_dense q, ref;
    topk_item *out;
    int32_t *count;
    float *a, *b, *c, *blk;
    int64_t bq, br;
    double best_sq = 1e30, best_k = 1e30, best_g = 1e30, flops;

    o.k = (int32_t)arg(argc, argv, "--k", 10);
    o.threads = (int)arg(argc, argv, "--threads", 0);
    o.block_queries = arg(argc, argv, "--block-queries", 0);
    o.block_refs = arg(argc, argv, "--block-refs", 0);
    if (nq < 1 || nr < 1 || dim < 1 || sq < 1 || reps < 1 || o.k < 1) {
        fprintf(stderr, "bench_kernel: sizes must be positive\n");
        return 1;
    }
    printf("openblas core: %s; openblas threads: %d; cpus: %d\n",
           openblas_get_corename(), openblas_get_num_threads(),
           parallel_cpu_count());

    a = random_rows(sq, sq);
    b = random_rows(sq, sq);
    c = malloc((size_t)sq * (size_t)sq * sizeof *c);
    q.rows = nq;
    q.cols = q.ld = dim;
    q.data = random_rows(nq, dim);
    ref.rows = nr;
    ref.cols = ref.ld = dim;
    ref.data = random_rows(nr, dim);
    out = malloc((size_t)nq * (size_t)o.k * sizeof *out);
    count = malloc((size_t)nq * sizeof *count);
    bq = o.block_queries ? o.block_queries : SIMTOPK_BLOCK_QUERIES;
    br = o.block_refs ? o.block_refs : SIMTOPK_BLOCK_REFS;
    bq = bq < nq ? bq : nq;
    br = br < nr ? br : nr;
    blk = malloc((size_t)bq * (size_t)br * sizeof *blk);
    if (a == NULL || b == NULL || c == NULL || q.data == NULL ||
        ref.data == NULL || out == NULL || count == NULL || blk == NULL) {
        fprintf(stderr, "bench_kernel: out of memory\n");
        return 2;
    }
    flops = 2.0 * (double)nq * (double)nr * (double)dim;
    engine_sgemm(0, 0, sq, sq, sq, 1.0f, a, sq, b, sq, 0.0f, c, sq);

    /* The three measurements take turns, so a noisy neighbour on the
     * machine hits each alike; each figure is the best of its runs. */
    for (r = 0; r < reps; r++) {
        int64_t q0, r0;
        double t = now();
        /* OpenBLAS's own large square SGEMM: the practical limit. */
        engine_sgemm(0, 0, sq, sq, sq, 1.0f, a, sq, b, sq, 0.0f, c, sq);
        t = now() - t;
        best_sq = t < best_sq ? t : best_sq;

        /* The kernel's SGEMM blocks alone, same blocks, no selection. */
        t = now();
        for (q0 = 0; q0 < nq; q0 += bq)
            for (r0 = 0; r0 < nr; r0 += br) {
                int64_t mq = nq - q0 < bq ? nq - q0 : bq;
                int64_t mr = nr - r0 < br ? nr - r0 : br;
                engine_sgemm(0, 1, mq, mr, dim, 1.0f, q.data + q0 * dim, dim,
                             ref.data + r0 * dim, dim, 0.0f, blk, mr);
            }
        t = now() - t;
        best_g = t < best_g ? t : best_g;

        t = now();
        if (simtopk_run(&q, &ref, &o, out, count) != 0) {
            fprintf(stderr, "bench_kernel: simtopk_run failed\n");
            return 2;
        }
        t = now() - t;
        best_k = t < best_k ? t : best_k;
    }
    printf("square sgemm %lld x %lld x %lld: %.3f s, %.1f GFLOP/s\n",
           (long long)sq, (long long)sq, (long long)sq, best_sq,
           2.0 * (double)sq * (double)sq * (double)sq / best_sq / 1e9);
    printf("blocked sgemm alone %lld x %lld x %lld (blocks %lld x %lld): "
           "%.3f s, %.1f GFLOP/s\n",
           (long long)nq, (long long)dim, (long long)nr, (long long)bq,
           (long long)br, best_g, flops / best_g / 1e9);
    printf("simtopk %lld x %lld x %lld, k=%d: %.3f s, %.1f GFLOP/s "
           "(%.0f%% of the square sgemm)\n",
           (long long)nq, (long long)dim, (long long)nr, (int)o.k, best_k,
           flops / best_k / 1e9,
           100.0 * (flops / best_k) /
               (2.0 * (double)sq * (double)sq * (double)sq / best_sq));
    printf("check: query 0 best ref %lld score %.4f\n",
           (long long)out[0].id, out[0].score);
    free(a);
    free(b);
    free(c);
    free(blk);
    free(q.data);
    free(ref.data);
    free(out);
    free(count);
    return 0;
}
