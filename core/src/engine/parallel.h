/*
 * parallel.h -- a parallel for-loop over worker threads (POSIX threads),
 * the one place the core starts threads of its own.
 *
 * Work is cut into chunks of `grain` items handed out in order from a
 * shared counter, so a slow chunk does not hold up the others. Which
 * thread runs a chunk is not fixed; code that needs output identical to a
 * one-thread run writes each item's result to the item's own slot and
 * merges in item order afterwards. BLAS keeps its own threads (blas.c);
 * this is for the host's loops around it. Internal; never installed.
 */
#ifndef QUARRY_PARALLEL_H
#define QUARRY_PARALLEL_H

#include <stdint.h>

/* Upper bound of threads; more requested are clamped. */
#define PARALLEL_MAX_THREADS 256

/* Items [begin, end) on worker `worker` (0 .. threads-1); each worker
 * number runs on one thread at a time, so per-worker scratch (a plugin
 * instance, a buffer) indexed by it needs no lock. A non-zero return stops
 * the hand-out of further chunks and is returned by parallel_for(). */
typedef int (*parallel_fn)(void *ctx, int64_t begin, int64_t end, int worker);

/* Online processors, at least 1. */
int parallel_cpu_count(void);

/* threads <= 0 means parallel_cpu_count(); the result is also capped by
 * the number of chunks, so the count of workers actually used is
 * parallel_workers(threads, n, grain). */
int parallel_workers(int threads, int64_t n, int64_t grain);

/* Run fn over [0, n) in chunks of grain (>= 1) on
 * parallel_workers(threads, n, grain) workers, the calling thread being
 * worker 0. With one worker everything runs on the calling thread, in
 * order. When a thread cannot be started the work runs on fewer. Returns 0
 * or the first non-zero status a chunk returned (in time order; later
 * chunks are not started). */
int parallel_for(int threads, int64_t n, int64_t grain, parallel_fn fn,
                 void *ctx);

#endif
