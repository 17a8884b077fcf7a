/*
 * test_util.h -- what the cmocka tests of the pipeline share: an engine
 * that sees only the build tree's plugins and the source tree's
 * dictionaries, a corpus read from a JSONL string, and a tolerance check in
 * double (cmocka 1.1.5's assert_float_equal compares as float). Include
 * after <cmocka.h>.
 */
#ifndef QUARRY_TEST_UTIL_H
#define QUARRY_TEST_UTIL_H

#include <math.h>
#include <string.h>

#include "quarry/quarry.h"

static inline quarry_engine *test_engine(void)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    o.plugin_path = QUARRY_TEST_PLUGIN_DIR;
    o.dictionary_path = QUARRY_TEST_SOURCE_DIR "/dictionaries";
    o.use_default_paths = 0;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    return e;
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

#endif
