/*
 * bench_reduce.c -- how many power iterations LSA needs: fits the default
 * text model on a JSONL file, then runs the randomized SVD (reduce.c) with
 * 0..10 power iterations and prints, for each, the wall time and how far
 * its leading singular values are from a 20-iteration run (max and mean
 * relative error over the dims values). Prints numbers; asserts nothing.
 * Built with the tests, as a program, not a test:
 *
 *   QUARRY_PLUGIN_PATH=BUILD/plugins BUILD/bench_reduce FILE.jsonl [DIMS] [MIN_DF]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reduce.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    quarry_corpus *c = NULL;
    quarry_model *m = NULL;
    quarry_csr *x = NULL;
    int32_t dims = argc > 2 ? atoi(argv[2]) : 100;
    float *ref, *s;
    static const int iters[] = {0, 1, 2, 3, 4, 5, 7, 10};

    if (argc < 2) {
        fprintf(stderr, "usage: bench_reduce FILE.jsonl [DIMS] [MIN_DF]\n");
        return 1;
    }
    po.min_df = argc > 3 ? atoi(argv[3]) : 5;
    ref = malloc((size_t)dims * sizeof *ref);
    s = malloc((size_t)dims * sizeof *s);
    if (ref == NULL || s == NULL || quarry_engine_new(&e, &eo) != 0 ||
        quarry_corpus_new(&c) != 0 ||
        quarry_corpus_read_file(c, argv[1], &ro) != 0 ||
        quarry_model_fit(&m, e, &po, c) != 0 ||
        quarry_model_transform(m, c, &x) != 0) {
        fprintf(stderr, "bench_reduce: %s %s\n", e ? quarry_engine_errmsg(e) : "",
                c ? quarry_corpus_errmsg(c) : "");
        return 2;
    }
    printf("%lld excerpts x %lld terms, %lld non-zeros, dims %d\n",
           (long long)x->rows, (long long)x->cols,
           (long long)x->row_ptr[x->rows], dims);
    for (int pass = -1; pass < (int)(sizeof iters / sizeof *iters); pass++) {
        int n_iter = pass < 0 ? 20 : iters[pass];
        quarry_dense *d = NULL;
        double t0 = now(), worst = 0.0, mean = 0.0;
        if (reduce_svd(e, x, dims, 1, n_iter, 1, pass < 0 ? ref : s, &d) != 0) {
            fprintf(stderr, "bench_reduce: %s\n", quarry_engine_errmsg(e));
            return 2;
        }
        double t = now() - t0;
        reduce_dense_free(d);
        if (pass < 0) {
            printf("n_iter 20: %.3f s (reference); s[0] %.4f s[%d] %.4f\n", t,
                   ref[0], dims - 1, ref[dims - 1]);
            continue;
        }
        for (int32_t k = 0; k < dims; k++) {
            double r = fabs((double)s[k] - ref[k]) / ref[k];
            worst = fmax(worst, r);
            mean += r / dims;
        }
        printf("n_iter %2d: %.3f s; singular values: max rel. error %.2e, "
               "mean %.2e\n",
               n_iter, t, worst, mean);
    }
    reduce_dense_free(NULL);
    quarry_csr_free(x);
    quarry_model_free(m);
    quarry_corpus_free(c);
    quarry_engine_free(e);
    free(ref);
    free(s);
    return 0;
}
