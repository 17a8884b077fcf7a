/*
 * test_suggest_simd.c -- the AVX-512 kernel of the neighbour search
 * (simd_accum.h) gives exactly what the scalar loop gives: the same
 * accumulator bits and the same touched rows in the same order, on posting
 * lists of every length from 0 to 70 (whole vectors and masked tails) and
 * on long ones; the take of 16 touched rows the same values, resets and
 * candidate mask; and `quarry_suggest_run` on generated data with thousands
 * of training rows and common terms (posting lists of thousands) gives
 * every field the same, bit for bit, with the kernel and with the scalar
 * loop forced (suggest_force_scalar), on one thread and two. Skipped, with
 * a message, on a CPU without AVX-512.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/quarry.h"
#include "simd_accum.h"
#include "suggest.h"
#include "test_util.h"

static int no_avx512(void)
{
    if (simd_accum_avx512_ok())
        return 0;
    print_message("this CPU has no AVX-512F: the kernel cannot run here, "
                  "so there is nothing to compare\n");
    return 1;
}

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* The scalar loop of suggest.c's unsigned path, as the reference. */
static int64_t reference(float *acc, int32_t *touched, int64_t n_touched,
                         const int32_t *doc, const float *w, int64_t n,
                         float x)
{
    int64_t j;
    for (j = 0; j < n; j++) {
        float a = acc[doc[j]];
        if (a == 0.0f)
            touched[n_touched++] = doc[j];
        acc[doc[j]] = a + x * w[j];
    }
    return n_touched;
}

/* Random posting lists (distinct rows, random order) of lengths 0..70 and
 * a few thousand, several terms in a row into the same accumulator, which
 * starts with zeros (both signs) and other values: both ways agree. */
static void kernel_same_as_scalar(void **state)
{
    enum { ROWS = 5000 };
    float *acc_a = malloc(ROWS * sizeof *acc_a),
          *acc_b = malloc(ROWS * sizeof *acc_b), *w = malloc(ROWS * sizeof *w);
    int32_t *perm = malloc(ROWS * sizeof *perm),
            *ta = malloc((ROWS * 4 + 1) * sizeof *ta),
            *tb = malloc((ROWS * 4 + 1) * sizeof *tb);
    unsigned s = 7u;
    int64_t n, i, na, nb;
    int round;
    (void)state;
    assert_true(acc_a && acc_b && w && perm && ta && tb);
    if (no_avx512()) {
        free(acc_a), free(acc_b), free(w), free(perm), free(ta), free(tb);
        skip();
    }
    for (n = 0; n < 80; n++) {
        int64_t len = n <= 70 ? n : 1000 + (int64_t)n * 37; /* up to 3923 */
        for (i = 0; i < ROWS; i++) {
            unsigned r = next(&s) % 4;
            acc_a[i] = r == 0 ? 0.0f
                       : r == 1 ? -0.0f
                                : (float)(next(&s) % 1000) / 997.0f;
            perm[i] = (int32_t)i;
        }
        memcpy(acc_b, acc_a, ROWS * sizeof *acc_a);
        na = nb = 0;
        for (round = 0; round < 4; round++) { /* 4 terms of one input row */
            float x = (float)(1 + next(&s) % 5000) / 4999.0f;
            for (i = 0; i < len; i++) { /* the first len of a shuffle */
                int64_t k = i + (int64_t)(next(&s) % (unsigned)(ROWS - i));
                int32_t t = perm[i];
                perm[i] = perm[k];
                perm[k] = t;
                w[i] = (float)(1 + next(&s) % 100000) / 70001.0f;
            }
            na = simd_accum_avx512(acc_a, ta, na, perm, w, len, x);
            nb = reference(acc_b, tb, nb, perm, w, len, x);
            assert_int_equal(na, nb);
        }
        assert_memory_equal(ta, tb, (size_t)na * sizeof *ta);
        assert_memory_equal(acc_a, acc_b, ROWS * sizeof *acc_a);
    }
    free(acc_a), free(acc_b), free(w), free(perm), free(ta), free(tb);
}

/* simd_take16_avx512 against the plain loop: the values, the reset
 * accumulators and the mask, for 1 to 20 rows (a short last group), with
 * zeros of both signs, negative values, a NaN and thresholds at, between
 * and beyond the values. */
static void take16_same_as_scalar(void **state)
{
    enum { ROWS = 64 };
    float acc_a[ROWS], acc_b[ROWS], vals[16];
    int32_t rows[20];
    unsigned s = 11u;
    int round, i;
    (void)state;
    if (no_avx512())
        skip();
    for (round = 0; round < 400; round++) {
        int64_t n = 1 + round % 20;
        float lo = round % 3 == 0 ? 0.0f : (float)(next(&s) % 8) / 4.0f;
        unsigned want = 0, got;
        for (i = 0; i < ROWS; i++) {
            unsigned r = next(&s) % 6;
            acc_a[i] = r == 0   ? 0.0f
                       : r == 1 ? -0.0f
                       : r == 2 ? -(float)(next(&s) % 8) / 4.0f
                                : (float)(next(&s) % 8) / 4.0f;
        }
        acc_a[next(&s) % ROWS] = (float)NAN;
        memcpy(acc_b, acc_a, sizeof acc_a);
        for (i = 0; i < 20; i++) /* distinct rows */
            rows[i] = (int32_t)((i * 7 + round) % ROWS);
        got = simd_take16_avx512(acc_a, rows, n, lo, vals);
        for (i = 0; i < 16 && i < n; i++) {
            float a = acc_b[rows[i]];
            acc_b[rows[i]] = 0.0f;
            assert_memory_equal(&vals[i], &a, sizeof a);
            if (a > 0.0f && a >= lo)
                want |= 1u << i;
        }
        assert_int_equal(got, want);
        assert_memory_equal(acc_a, acc_b, sizeof acc_a);
    }
}

/* n lines over a vocabulary of 400 words: each line holds some of the 12
 * common words (each in about half the lines, never all: a term in every
 * line would have weight 0 and send every row down the stamped path) and
 * 4 to 24 rarer ones; every 7th line a copy of the line before, so
 * neighbour scores tie. The caller frees the text. */
static char *generated(int n, unsigned seed, int coded)
{
    size_t cap = (size_t)n * 320 + 1, used = 0;
    char *buf = malloc(cap), words[300] = "";
    unsigned s = seed;
    int i, t;
    assert_non_null(buf);
    for (i = 0; i < n; i++) {
        int c = (i - (i % 7 == 6)) % 5;
        size_t wl = 0;
        if (i % 7 != 6) {
            int len = 4 + (int)(next(&s) % 21);
            for (t = 0; t < 12; t++)
                if (next(&s) % 2 == 0)
                    wl += (size_t)snprintf(words + wl, sizeof words - wl,
                                           "%sk%d", wl ? " " : "", t);
            for (t = 0; t < len; t++) {
                int word = next(&s) % 3 == 0 ? (int)(next(&s) % 388)
                                             : c * 60 + (int)(next(&s) % 90);
                wl += (size_t)snprintf(words + wl, sizeof words - wl,
                                       "%sw%d", wl ? " " : "", word);
            }
        }
        used += (size_t)snprintf(buf + used, cap - used,
                                 "{\"id\":\"s%u-%d\",\"text\":\"%s", seed, i,
                                 words);
        used += (size_t)snprintf(buf + used, cap - used,
                                 coded ? "\",\"code\":\"c%d\"}\n" : "\"}\n",
                                 c);
    }
    return buf;
}

typedef struct result {
    quarry_engine *e;
    quarry_corpus *train, *input;
    quarry_suggestions *s;
} result;

static void run(result *r, int32_t threads, int scalar, const char *train,
                const char *input)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    po.stemmer = "none";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    r->e = test_engine_threads(threads);
    r->train = test_corpus(train, "train.jsonl");
    r->input = test_corpus(input, "input.jsonl");
    so.top = 4;
    so.n_evidence = 10;
    r->s = NULL;
    suggest_force_scalar(scalar);
    assert_int_equal(quarry_suggest_run(&r->s, r->e, &po, &so, r->train,
                                        r->input),
                     0);
    suggest_force_scalar(0);
}

static void done(result *r)
{
    quarry_suggestions_free(r->s);
    quarry_corpus_free(r->train);
    quarry_corpus_free(r->input);
    quarry_engine_free(r->e);
}

/* 4,000 coded training lines (common terms: posting lists of about 2,000
 * rows) and 600 input lines (three blocks): the kernel and the scalar
 * loop, on one thread and two, give the same suggestions, neighbours,
 * scores and ties; the calibration (which runs the search on training
 * rows) gives the same temperature, so the same confidences. */
static void suggest_same_as_scalar(void **state)
{
    char *train, *input;
    result v1, s1, v2;
    (void)state;
    if (no_avx512())
        skip();
    assert_true(suggest_simd_available());
    train = generated(4000, 3u, 1);
    input = generated(600, 4u, 0);
    run(&v1, 1, 0, train, input);
    run(&s1, 1, 1, train, input);
    run(&v2, 2, 0, train, input);
    assert_true(test_same_suggestions(v1.s, s1.s, 600) > 0); /* the copies did tie */
    test_same_suggestions(v2.s, s1.s, 600);
    done(&v1);
    done(&s1);
    done(&v2);
    free(train);
    free(input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernel_same_as_scalar),
        cmocka_unit_test(take16_same_as_scalar),
        cmocka_unit_test(suggest_same_as_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
