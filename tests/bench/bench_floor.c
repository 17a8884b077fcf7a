/*
 * bench_floor.c -- the floor under reading JSONL: how long jansson alone
 * takes to parse every line of the given files (json_loadb per line, the
 * tree freed at once), with the lines split over --threads workers, and
 * how long reading the bytes takes. Nothing else of quarry runs, so
 * `quarry suggest` or `quarry themes` on the same files cannot read them
 * faster than this while they parse with jansson. Wall clock
 * (CLOCK_MONOTONIC), best of --reps; prints numbers, asserts nothing.
 * Built with the tests:
 *
 *   BUILD/bench_floor [--reps 3] [--threads 0] FILE.jsonl...
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "parallel.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct line {
    const char *start;
    size_t len;
} line;

typedef struct lines {
    line *at;
    int64_t n;
    int64_t bad; /* lines jansson refused, summed over the workers */
    int64_t bad_of[PARALLEL_MAX_THREADS];
} lines;

static int parse(void *ctx, int64_t begin, int64_t end, int worker)
{
    lines *l = ctx;
    for (int64_t i = begin; i < end; i++) {
        json_error_t err;
        json_t *o = json_loadb(l->at[i].start, l->at[i].len, 0, &err);
        if (o == NULL)
            l->bad_of[worker]++;
        json_decref(o);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int reps = 3, threads = 0, i, r, n_files = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    char **data = calloc((size_t)argc, sizeof *data);
    size_t *size = calloc((size_t)argc, sizeof *size);
    size_t total = 0, cap = 0;
    double best_read = 1e300, best_parse = 1e300;
    lines l;

    memset(&l, 0, sizeof l);
    if (files == NULL || data == NULL || size == NULL)
        return 2;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else
            files[n_files++] = argv[i];
    }
    if (n_files == 0 || reps < 1) {
        fprintf(stderr, "usage: bench_floor [--reps N] [--threads N] "
                        "FILE.jsonl...\n");
        return 1;
    }
    for (r = 0; r < reps; r++) {
        double t = now();
        total = 0;
        for (i = 0; i < n_files; i++) {
            FILE *f = fopen(files[i], "rb");
            int err = 0;
            free(data[i]);
            data[i] = NULL;
            if (f == NULL || quarry_slurp(f, &data[i], &size[i], &err) != 0) {
                fprintf(stderr, "bench_floor: cannot read %s\n", files[i]);
                return 1;
            }
            fclose(f);
            total += size[i];
        }
        t = now() - t;
        best_read = t < best_read ? t : best_read;
    }
    for (i = 0; i < n_files; i++) {
        char *p = data[i], *e = data[i] + size[i];
        while (p < e) {
            char *nl = memchr(p, '\n', (size_t)(e - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
            if (len > 0) {
                if (quarry_grow(&l.at, &cap, (size_t)l.n + 1, sizeof *l.at) !=
                    0)
                    return 2;
                l.at[l.n].start = p;
                l.at[l.n++].len = len;
            }
            p += len + 1;
        }
    }
    for (r = 0; r < reps; r++) {
        double t = now();
        memset(l.bad_of, 0, sizeof l.bad_of);
        parallel_for(threads, l.n, 1024, parse, &l);
        t = now() - t;
        best_parse = t < best_parse ? t : best_parse;
    }
    l.bad = 0;
    for (i = 0; i < PARALLEL_MAX_THREADS; i++)
        l.bad += l.bad_of[i];
    printf("files %d, %.1f MB, %lld lines (%lld not JSON), workers %d, "
           "best of %d\n",
           n_files, (double)total / 1e6, (long long)l.n, (long long)l.bad,
           parallel_workers(threads, l.n, 1024), reps);
    printf("read the bytes          %.3f s\n", best_read);
    printf("jansson json_loadb      %.3f s  (%.0f MB/s)\n", best_parse,
           (double)total / 1e6 / best_parse);
    for (i = 0; i < n_files; i++)
        free(data[i]);
    free(data);
    free(size);
    free(files);
    free(l.at);
    return 0;
}
