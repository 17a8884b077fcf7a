/*
 * test_util.h -- what the cmocka tests of the pipeline share: an engine
 * that sees only the build tree's plugins and the source tree's
 * dictionaries (with a thread count), a corpus read from a JSONL string, a
 * tolerance check in double (cmocka 1.1.5's assert_float_equal compares as
 * float), and two runs' suggestions compared field by field. Include
 * after <cmocka.h>.
 */
#ifndef QUARRY_TEST_UTIL_H
#define QUARRY_TEST_UTIL_H

#include <math.h>
#include <string.h>

#include "quarry/quarry.h"

/* plugin_path: the folders searched for plugins (a:b); threads: the
 * engine's worker threads (0: every core). */
static inline quarry_engine *test_engine_with(const char *plugin_path,
                                              int32_t threads)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    o.plugin_path = plugin_path;
    o.dictionary_path = QUARRY_TEST_SOURCE_DIR "/dictionaries";
    o.use_default_paths = 0;
    o.threads = threads;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    return e;
}

static inline quarry_engine *test_engine_threads(int32_t threads)
{
    return test_engine_with(QUARRY_TEST_PLUGIN_DIR, threads);
}

static inline quarry_engine *test_engine(void)
{
    return test_engine_threads(0);
}

static inline quarry_corpus *test_corpus(const char *jsonl, const char *name)
{
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    ro.format = QUARRY_FORMAT_JSONL;
    assert_int_equal(quarry_corpus_new(&c), 0);
    if (quarry_corpus_read_buffer(c, jsonl, strlen(jsonl), name, &ro) != 0)
        fail_msg("%s", quarry_corpus_errmsg(c));
    return c;
}

static inline void test_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.7f, want %.7f (tolerance %g)", got, want, tol);
}

/* Two runs' suggestions for n excerpts the same in every field, bit for
 * bit, each row's neighbours best first with ties to the smaller row;
 * returns the tied neighbour scores seen. */
static inline int test_same_suggestions(const quarry_suggestions *a,
                                        const quarry_suggestions *b, size_t n)
{
    size_t i;
    int32_t k, j, ties = 0;
    assert_int_equal(quarry_suggestions_size(a), n);
    assert_int_equal(quarry_suggestions_size(b), n);
    for (i = 0; i < n; i++) {
        assert_int_equal(quarry_suggestions_count(a, i),
                         quarry_suggestions_count(b, i));
        assert_int_equal(quarry_suggestions_abstain(a, i),
                         quarry_suggestions_abstain(b, i));
        for (k = 0; k < quarry_suggestions_count(a, i); k++) {
            const quarry_suggestion *x = quarry_suggestions_at(a, i, k),
                                    *y = quarry_suggestions_at(b, i, k);
            assert_string_equal(x->code, y->code);
            assert_memory_equal(&x->score, &y->score, sizeof x->score);
            assert_memory_equal(&x->confidence, &y->confidence,
                                sizeof x->confidence);
            assert_int_equal(x->n_neighbours, y->n_neighbours);
            for (j = 0; j < x->n_neighbours; j++) {
                assert_int_equal(x->neighbours[j], y->neighbours[j]);
                assert_memory_equal(&x->neighbour_scores[j],
                                    &y->neighbour_scores[j],
                                    sizeof *x->neighbour_scores);
                if (j > 0) {
                    float s0 = x->neighbour_scores[j - 1],
                          s1 = x->neighbour_scores[j];
                    assert_true(s0 >= s1);
                    if (s0 == s1) {
                        ties++;
                        assert_true(x->neighbours[j - 1] < x->neighbours[j]);
                    }
                }
            }
            assert_int_equal(x->n_terms, y->n_terms);
            for (j = 0; j < x->n_terms; j++) {
                assert_string_equal(x->terms[j], y->terms[j]);
                assert_memory_equal(&x->term_weights[j], &y->term_weights[j],
                                    sizeof *x->term_weights);
            }
        }
    }
    return ties;
}

/* SQL taking a project back before schema 8: no passages on codings
 * and decisions (for the tests of upgrades from older schemas). */
#define TEST_SQL_BEFORE_PASSAGES                                              \
    " ALTER TABLE codings DROP COLUMN span_start;"                            \
    " ALTER TABLE codings DROP COLUMN span_end;"                              \
    " ALTER TABLE decisions DROP COLUMN span_start;"                          \
    " ALTER TABLE decisions DROP COLUMN span_end;"

#endif
