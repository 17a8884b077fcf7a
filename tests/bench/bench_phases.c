/*
 * bench_phases.c -- wall time of each phase of the text pipeline for one
 * and for several threads, through the public API: reading the JSONL
 * files, fitting the model on the first (tokenize, lexicon, stopwords,
 * stem, vocabulary, counts, weights), and vectorising the second with it.
 * Thread counts take turns, each phase timed separately (CLOCK_MONOTONIC),
 * median of --reps runs. Prints numbers; asserts nothing.
 *
 *   QUARRY_PLUGIN_PATH=BUILD/plugins BUILD/bench_phases TRAIN.jsonl \
 *       TEST.jsonl [--reps 3] [--threads 1,2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quarry/quarry.h"

#define MAX_T 8
#define MAX_R 32

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static quarry_corpus *read_file(const char *path, int threads)
{
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = NULL;
    if (quarry_corpus_new(&c) != 0 || quarry_corpus_set_threads(c, threads) ||
        quarry_corpus_read_file(c, path, &ro) != 0) {
        fprintf(stderr, "bench_phases: %s\n",
                c ? quarry_corpus_errmsg(c) : "out of memory");
        exit(1);
    }
    return c;
}

int main(int argc, char **argv)
{
    int threads[MAX_T] = {1, 2}, n_t = 2, reps = 3, i, t, r;
    double tm[MAX_T][3][MAX_R];
    const char *names[3] = {"read both files", "fit on the first",
                            "transform the second"};

    if (argc < 3) {
        fprintf(stderr, "usage: bench_phases TRAIN.jsonl TEST.jsonl "
                        "[--reps N] [--threads 1,2]\n");
        return 1;
    }
    for (i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--reps") == 0) {
            reps = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--threads") == 0) {
            char *s = argv[i + 1];
            for (n_t = 0; n_t < MAX_T && *s;) {
                threads[n_t++] = (int)strtol(s, &s, 10);
                if (*s == ',')
                    s++;
            }
        }
    }
    if (reps < 1 || reps > MAX_R || n_t < 1) {
        fprintf(stderr, "bench_phases: --reps 1..%d\n", MAX_R);
        return 1;
    }
    for (r = 0; r < reps; r++)
        for (t = 0; t < n_t; t++) {
            quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
            quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
            quarry_engine *e = NULL;
            quarry_corpus *a, *b;
            quarry_model *m = NULL;
            quarry_csr *x = NULL;
            double t0;
            eo.threads = threads[t];
            if (quarry_engine_new(&e, &eo) != 0) {
                fprintf(stderr, "bench_phases: cannot start the engine\n");
                return 2;
            }
            t0 = now();
            a = read_file(argv[1], threads[t]);
            b = read_file(argv[2], threads[t]);
            tm[t][0][r] = now() - t0;
            t0 = now();
            if (quarry_model_fit(&m, e, &po, a) != 0) {
                fprintf(stderr, "bench_phases: %s\n", quarry_engine_errmsg(e));
                return 2;
            }
            tm[t][1][r] = now() - t0;
            t0 = now();
            if (quarry_model_transform(m, b, &x) != 0) {
                fprintf(stderr, "bench_phases: %s\n", quarry_engine_errmsg(e));
                return 2;
            }
            tm[t][2][r] = now() - t0;
            quarry_csr_free(x);
            quarry_model_free(m);
            quarry_corpus_free(a);
            quarry_corpus_free(b);
            quarry_engine_free(e);
        }
    printf("median of %d runs, seconds\n%-22s", reps, "phase");
    for (t = 0; t < n_t; t++)
        printf("  threads=%-3d", threads[t]);
    printf("\n");
    for (i = 0; i < 3; i++) {
        printf("%-22s", names[i]);
        for (t = 0; t < n_t; t++)
            printf("  %-11.3f", median(tm[t][i], reps));
        printf("\n");
    }
    return 0;
}
