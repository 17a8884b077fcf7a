/*
 * test_tokenizer_whitespace.c -- the example tokenizer: spans between ASCII
 * whitespace, min_len in code points, nothing folded. Each check runs with
 * the plugin registered statically and dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_tokenizer_whitespace(void);

#define ENTRY quarry_plugin_tokenizer_whitespace
#define KIND QUARRY_KIND_TOKENIZER

typedef struct span {
    size_t offset, len;
} span;

typedef struct got {
    size_t n;
    span s[16];
    int stop_after;
} got;

static int collect(void *payload, const quarry_token *t)
{
    got *g = payload;
    assert_true(g->n < 16);
    assert_null(t->form); /* whitespace never rewrites a term */
    g->s[g->n].offset = t->offset;
    g->s[g->n].len = t->len;
    g->n++;
    return g->stop_after != 0 && (int)g->n >= g->stop_after;
}

static void run(pt *t, const char *text, got *g)
{
    char err[QUARRY_ERR_MAX] = "";
    assert_int_equal(
        t->p->tokenize(t->self, text, strlen(text), collect, g, err),
        QUARRY_OK);
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, "whitespace");
    pt_check_descriptor(t->p);
}

/* "  Don't\tstop,\r\nné x\v\f" -- bytes: two spaces, Don't at 2 (5 bytes),
 * tab at 7, "stop," at 8 (5), \r\n at 13-14, "né" at 15 (é is 2 bytes: 3
 * bytes), space at 18, "x" at 19, then \v \f. Punctuation stays attached. */
static void test_split(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "whitespace", NULL);
    run(t, "  Don't\tstop,\r\nn\xC3\xA9 x\v\f", &g);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.s[0].offset, 2);
    assert_int_equal(g.s[0].len, 5);
    assert_int_equal(g.s[1].offset, 8);
    assert_int_equal(g.s[1].len, 5);
    assert_int_equal(g.s[2].offset, 15);
    assert_int_equal(g.s[2].len, 3);
    assert_int_equal(g.s[3].offset, 19);
    assert_int_equal(g.s[3].len, 1);
}

/* min_len=2 counts code points: "né" (2 code points, 3 bytes) stays, "x"
 * goes; min_len=3 drops "né" too. */
static void test_min_len(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "whitespace", PT_OPTS("whitespace.min_len=3"));
    run(t, "n\xC3\xA9 x abc", &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.s[0].offset, 6);
    assert_int_equal(g.s[0].len, 3);
}

static void test_min_len_two(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "whitespace", PT_OPTS("whitespace.min_len=2"));
    run(t, "n\xC3\xA9 x abc", &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.s[0].offset, 0);
    assert_int_equal(g.s[0].len, 3);
}

/* Out of the declared range 1..64: the host refuses it. */
static void test_min_len_range(void **state)
{
    pt *t = *state;
    assert_int_equal(pt_open(t, ENTRY, KIND, "whitespace",
                             PT_OPTS("whitespace.min_len=0")),
                     QUARRY_ERANGE);
}

static void test_empty_and_blank(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "whitespace", NULL);
    run(t, "", &g);
    run(t, " \t\n ", &g);
    assert_int_equal(g.n, 0);
    run(t, "end", &g); /* a token that runs to the end of the text */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.s[0].len, 3);
}

static void test_cancel(void **state)
{
    pt *t = *state;
    char err[QUARRY_ERR_MAX] = "";
    got g = {0};
    g.stop_after = 1;
    pt_open_ok(t, ENTRY, KIND, "whitespace", NULL);
    assert_int_equal(t->p->tokenize(t->self, "a b c", 5, collect, &g, err),
                     QUARRY_ECANCELED);
    assert_int_equal(g.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),      PT_BOTH(test_split),
        PT_BOTH(test_min_len),         PT_BOTH(test_min_len_two),
        PT_BOTH(test_min_len_range),   PT_BOTH(test_empty_and_blank),
        PT_BOTH(test_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
