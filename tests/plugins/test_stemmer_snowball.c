/*
 * test_stemmer_snowball.c -- Snowball stems known from the algorithms'
 * published vocabularies, the language option (names, ISO codes, case),
 * min_len, the snprintf rule of stem(), and the refusal of an unknown
 * language. Each check runs with the plugin registered statically and
 * dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_stemmer_snowball(void);

#define ENTRY quarry_plugin_stemmer_snowball
#define KIND QUARRY_KIND_STEMMER

/* Stem a NUL-terminated word into a roomy buffer. */
static const char *stem(pt *t, const char *word, char *out, size_t cap)
{
    char err[QUARRY_ERR_MAX] = "";
    size_t n = 0;
    int rc = t->p->stem(t->self, word, strlen(word), out, cap, &n, err);
    if (rc != QUARRY_OK)
        print_error("stem %s: %s\n", word, err);
    assert_int_equal(rc, QUARRY_OK);
    assert_true(n < cap);
    assert_int_equal(strlen(out), n);
    return out;
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, "snowball");
    pt_check_descriptor(t->p);
    assert_non_null(t->p->stem);
}

/* English (Porter2): "running" -> "run" (drop -ing, undouble nn);
 * "supervision" -> "supervis" (-ion after s in R2); "recovery" ->
 * "recoveri" (final y after a consonant becomes i); "generously" ->
 * "generous" (-ly). */
static void test_english(void **state)
{
    pt *t = *state;
    char out[64];
    pt_open_ok(t, ENTRY, KIND, "snowball", NULL);
    assert_string_equal(stem(t, "running", out, sizeof out), "run");
    assert_string_equal(stem(t, "supervision", out, sizeof out), "supervis");
    assert_string_equal(stem(t, "recovery", out, sizeof out), "recoveri");
    assert_string_equal(stem(t, "generously", out, sizeof out), "generous");
    assert_string_equal(stem(t, "runs", out, sizeof out), "run");
}

/* min_len (default 3) in code points: "is" is left alone; with min_len=5
 * "runs" (4) is too, "running" (7) is not. */
static void test_min_len(void **state)
{
    pt *t = *state;
    char out[64];
    pt_open_ok(t, ENTRY, KIND, "snowball", PT_OPTS("snowball.min_len=5"));
    assert_string_equal(stem(t, "is", out, sizeof out), "is");
    assert_string_equal(stem(t, "runs", out, sizeof out), "runs");
    assert_string_equal(stem(t, "running", out, sizeof out), "run");
}

/* German by ISO code: "häuser" -> "haus" (-er removed, ä -> a), "läufer"
 * -> "lauf". The input is UTF-8, as the tokenizer hands it on. */
static void test_german(void **state)
{
    pt *t = *state;
    char out[64];
    pt_open_ok(t, ENTRY, KIND, "snowball", PT_OPTS("snowball.language=de"));
    assert_string_equal(stem(t, "h\xC3\xA4user", out, sizeof out), "haus");
    assert_string_equal(stem(t, "l\xC3\xA4ufer", out, sizeof out), "lauf");
}

/* Names are accepted in any case ("German"); "porter" is the 1980
 * algorithm, which stems "generously" to "gener" where Porter2 keeps
 * "generous". */
static void test_language_names(void **state)
{
    pt *t = *state;
    char out[64];
    pt_open_ok(t, ENTRY, KIND, "snowball", PT_OPTS("snowball.language=porter"));
    assert_string_equal(stem(t, "generously", out, sizeof out), "gener");
}

static void test_language_case(void **state)
{
    pt *t = *state;
    char out[64];
    pt_open_ok(t, ENTRY, KIND, "snowball", PT_OPTS("snowball.language=German"));
    assert_string_equal(stem(t, "h\xC3\xA4user", out, sizeof out), "haus");
}

/* The snprintf rule: "supervision" stems to 8 bytes "supervis". With cap 4
 * the output is "sup" (3 bytes + NUL) and out_len says 8; with cap 0
 * nothing is written; with cap 9 it fits exactly. */
static void test_snprintf_rule(void **state)
{
    pt *t = *state;
    char err[QUARRY_ERR_MAX] = "";
    char out[16];
    size_t n = 0;
    pt_open_ok(t, ENTRY, KIND, "snowball", NULL);
    memset(out, 'Z', sizeof out);
    assert_int_equal(t->p->stem(t->self, "supervision", 11, out, 4, &n, err),
                     QUARRY_OK);
    assert_int_equal(n, 8);
    assert_string_equal(out, "sup");
    assert_int_equal(out[4], 'Z'); /* nothing past cap */

    memset(out, 'Z', sizeof out);
    assert_int_equal(t->p->stem(t->self, "supervision", 11, out, 0, &n, err),
                     QUARRY_OK);
    assert_int_equal(n, 8);
    assert_int_equal(out[0], 'Z');

    assert_int_equal(t->p->stem(t->self, "supervision", 11, out, 9, &n, err),
                     QUARRY_OK);
    assert_int_equal(n, 8);
    assert_string_equal(out, "supervis");

    /* A short word under the rule too: "is" into cap 2 gives "i", 2. */
    assert_int_equal(t->p->stem(t->self, "is", 2, out, 2, &n, err),
                     QUARRY_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out, "i");
}

/* The word need not be NUL-terminated: only len bytes are read. */
static void test_length_not_nul(void **state)
{
    pt *t = *state;
    char err[QUARRY_ERR_MAX] = "";
    char out[16];
    size_t n = 0;
    pt_open_ok(t, ENTRY, KIND, "snowball", NULL);
    assert_int_equal(t->p->stem(t->self, "runningXYZ", 7, out, sizeof out, &n,
                                err),
                     QUARRY_OK);
    assert_string_equal(out, "run");
}

static void test_unknown_language(void **state)
{
    pt *t = *state;
    assert_int_equal(pt_open(t, ENTRY, KIND, "snowball",
                             PT_OPTS("snowball.language=klingon")),
                     QUARRY_EINVAL);
    const char *msg = quarry_engine_errmsg(t->e);
    assert_non_null(strstr(msg, "klingon"));
    assert_non_null(strstr(msg, "english"));
    assert_non_null(strstr(msg, "german"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),     PT_BOTH(test_english),
        PT_BOTH(test_min_len),        PT_BOTH(test_german),
        PT_BOTH(test_language_names), PT_BOTH(test_language_case),
        PT_BOTH(test_snprintf_rule),  PT_BOTH(test_length_not_nul),
        PT_BOTH(test_unknown_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
