/*
 * parallel.c -- the parallel for-loop of parallel.h: a shared chunk counter
 * and a first-failure status, both atomics, over threads started for the
 * call and joined before it returns (a run does few, long loops, so a pool
 * would save nothing measurable).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "parallel.h"

typedef struct job {
    parallel_fn fn;
    void *ctx;
    int64_t n, grain;
    atomic_llong next;  /* next chunk's first item */
    atomic_int status;  /* first failure, 0 while none */
} job;

typedef struct worker_arg {
    job *j;
    int worker;
} worker_arg;

static void run_chunks(job *j, int worker)
{
    for (;;) {
        int64_t b, e;
        int rc;
        if (atomic_load_explicit(&j->status, memory_order_relaxed) != 0)
            return;
        b = atomic_fetch_add(&j->next, j->grain);
        if (b >= j->n)
            return;
        e = b + j->grain < j->n ? b + j->grain : j->n;
        rc = j->fn(j->ctx, b, e, worker);
        if (rc != 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&j->status, &zero, rc);
            return;
        }
    }
}

static void *thread_main(void *p)
{
    worker_arg *a = p;
    run_chunks(a->j, a->worker);
    return NULL;
}

int parallel_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : (int)n;
}

int parallel_workers(int threads, int64_t n, int64_t grain)
{
    int64_t chunks;
    if (threads <= 0)
        threads = parallel_cpu_count();
    if (threads > PARALLEL_MAX_THREADS)
        threads = PARALLEL_MAX_THREADS;
    if (grain < 1)
        grain = 1;
    chunks = n <= 0 ? 1 : (n + grain - 1) / grain;
    return chunks < threads ? (int)chunks : threads;
}

int parallel_for(int threads, int64_t n, int64_t grain, parallel_fn fn,
                 void *ctx)
{
    pthread_t tid[PARALLEL_MAX_THREADS];
    worker_arg args[PARALLEL_MAX_THREADS];
    int started[PARALLEL_MAX_THREADS];
    int w, workers;
    job j;

    if (n <= 0)
        return 0;
    if (grain < 1)
        grain = 1;
    workers = parallel_workers(threads, n, grain);
    if (workers <= 1) {
        int64_t b;
        for (b = 0; b < n; b += grain) {
            int rc = fn(ctx, b, b + grain < n ? b + grain : n, 0);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    j.fn = fn;
    j.ctx = ctx;
    j.n = n;
    j.grain = grain;
    atomic_init(&j.next, 0);
    atomic_init(&j.status, 0);
    for (w = 1; w < workers; w++) {
        args[w].j = &j;
        args[w].worker = w;
        started[w] = pthread_create(&tid[w], NULL, thread_main, &args[w]) == 0;
    }
    run_chunks(&j, 0);
    for (w = 1; w < workers; w++)
        if (started[w])
            pthread_join(tid[w], NULL);
    return atomic_load(&j.status);
}
