/*
 * test_tokenizer_regex.c -- the default tokenizer on a sentence worked by
 * hand: spans, folded forms, the number and length filters, a user's
 * pattern, and the refusals (bad pattern, min_len > max_len). Each check
 * runs with the plugin registered statically and dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_tokenizer_regex(void);

#define ENTRY quarry_plugin_tokenizer_regex
#define KIND QUARRY_KIND_TOKENIZER

/*
 * Byte offsets, worked by hand (every character is one byte except á, É
 * and ß, two bytes each in UTF-8, and ’, three bytes):
 *
 *   0 Don't  6 call  11 it  14 peer-run  22 ':'  24 Siobhán (7 chars,
 *   8 bytes)  33 said  38 the  42 ÉCOLE (6 bytes)  49 had  53 250
 *   57 staff  63 in  66 2021  70 ';'  72 don’t (7 bytes)  80 ask
 *   84 Straße (7 bytes)  91 '.'  -- 92 bytes in all.
 */
static const char SENTENCE[] =
    "Don't call it peer-run: Siobhán said the ÉCOLE had 250 staff in 2021; "
    "don\xE2\x80\x99t ask Stra\xC3\x9F" "e.";

/* A token as the test wants it: span, and the form or NULL (as written). */
typedef struct want {
    size_t offset, len;
    const char *form;
} want;

#define MAX_TOKENS 64
typedef struct got {
    size_t n;
    want tok[MAX_TOKENS];
    char forms[MAX_TOKENS][64]; /* form is valid during emit only: copy */
    int stop_after;             /* 0: never ask to stop */
} got;

static int collect(void *payload, const quarry_token *t)
{
    got *g = payload;
    assert_true(g->n < MAX_TOKENS);
    g->tok[g->n].offset = t->offset;
    g->tok[g->n].len = t->len;
    g->tok[g->n].form = NULL;
    if (t->form != NULL) {
        assert_true(t->form_len < sizeof g->forms[0]);
        memcpy(g->forms[g->n], t->form, t->form_len);
        g->forms[g->n][t->form_len] = '\0';
        g->tok[g->n].form = g->forms[g->n];
    }
    g->n++;
    return g->stop_after != 0 && (int)g->n >= g->stop_after;
}

static void tokenize(pt *t, const char *text, size_t len, got *g)
{
    char err[QUARRY_ERR_MAX] = "";
    int rc = t->p->tokenize(t->self, text, len, collect, g, err);
    if (rc != QUARRY_OK)
        print_error("tokenize: %s\n", err);
    assert_int_equal(rc, QUARRY_OK);
}

static void expect(const got *g, const want *w, size_t n)
{
    for (size_t i = 0; i < n && i < g->n; i++) {
        if (g->tok[i].offset != w[i].offset || g->tok[i].len != w[i].len)
            print_error("token %zu: got [%zu,+%zu), want [%zu,+%zu)\n", i,
                        g->tok[i].offset, g->tok[i].len, w[i].offset,
                        w[i].len);
        assert_int_equal(g->tok[i].offset, w[i].offset);
        assert_int_equal(g->tok[i].len, w[i].len);
        if (w[i].form == NULL)
            assert_null(g->tok[i].form);
        else
            assert_string_equal(g->tok[i].form, w[i].form);
    }
    assert_int_equal(g->n, n);
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, "regex");
    pt_check_descriptor(t->p);
    assert_non_null(t->p->tokenize);
}

/* Defaults: lowercase, min_len 2, numbers dropped. Forms only where the
 * folded term differs from the span: "Don't" -> "don't", "Siobhán" ->
 * "siobhán", "ÉCOLE" -> "école" (É U+00C9 folds to é U+00E9, both two
 * bytes), "don’t" -> "don't" (3-byte ’ becomes 1-byte ', so 5 bytes),
 * "Straße" -> "strasse" (full folding: ß is "ss"). "250" and "2021" are
 * only digits: dropped. */
static void test_default_sentence(void **state)
{
    pt *t = *state;
    static const want w[] = {
        {0, 5, "don't"},   {6, 4, NULL},  {11, 2, NULL},
        {14, 8, NULL},     {24, 8, "siobhán"},
        {33, 4, NULL},     {38, 3, NULL}, {42, 6, "école"},
        {49, 3, NULL},     {57, 5, NULL}, {63, 2, NULL},
        {72, 7, "don't"},  {80, 3, NULL}, {84, 7, "strasse"},
    };
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex", NULL);
    assert_int_equal(strlen(SENTENCE), 92);
    tokenize(t, SENTENCE, strlen(SENTENCE), &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/* numbers=keep adds 250 at 53 and 2021 at 66; min_len=3 drops "it" and
 * "in" (two code points). */
static void test_numbers_and_min_len(void **state)
{
    pt *t = *state;
    static const want w[] = {
        {0, 5, "don't"},  {6, 4, NULL},      {14, 8, NULL},
        {24, 8, "siobhán"}, {33, 4, NULL},   {38, 3, NULL},
        {42, 6, "école"}, {49, 3, NULL},     {53, 3, NULL},
        {57, 5, NULL},    {66, 4, NULL},     {72, 7, "don't"},
        {80, 3, NULL},    {84, 7, "strasse"},
    };
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex",
               PT_OPTS("regex.numbers=keep", "regex.min_len=3"));
    tokenize(t, SENTENCE, strlen(SENTENCE), &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/* Code points, not bytes: "Siobhán" is 7 code points in 8 bytes and
 * "Straße" 6 in 7, so min_len=7 keeps Siobhán (and peer-run, 8) and drops
 * Straße; max_len=7 then drops peer-run. */
static void test_lengths_count_code_points(void **state)
{
    pt *t = *state;
    static const want w[] = {{24, 8, "siobhán"}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex",
               PT_OPTS("regex.min_len=7", "regex.max_len=7"));
    tokenize(t, SENTENCE, strlen(SENTENCE), &g);
    expect(&g, w, 1);
}

/* Numbers: digits with separators go, digits with letters stay; Unicode
 * digits count as digits. "3.5" is two matches of the default pattern (the
 * dot is not inside a word): "3" and "5", both numeric.
 *   0 covid-19  9 3.5  13 1,000  19 3rd  23 2020-21  31 ٢٠٢١ (4 x 2 bytes) */
static void test_number_rule(void **state)
{
    pt *t = *state;
    static const char text[] =
        "covid-19 3.5 1,000 3rd 2020-21 \xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA1";
    static const want w[] = {{0, 8, NULL}, {19, 3, NULL}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex", PT_OPTS("regex.min_len=1"));
    tokenize(t, text, strlen(text), &g);
    expect(&g, w, 2);
}

/* lowercase=false: spans as written, except that ’ still becomes '. */
static void test_no_lowercase(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex", PT_OPTS("regex.lowercase=false"));
    tokenize(t, SENTENCE, strlen(SENTENCE), &g);
    assert_int_equal(g.n, 14);
    assert_null(g.tok[0].form);                /* Don't */
    assert_null(g.tok[4].form);                /* Siobhán */
    assert_null(g.tok[7].form);                /* ÉCOLE */
    assert_string_equal(g.tok[11].form, "don't"); /* don’t */
    assert_null(g.tok[13].form);               /* Straße */
}

/* A decomposed "Siobha\u0301n" (a + combining acute, 9 bytes) is one token
 * and its form is the composed, folded "siobhán" (NFC, 8 bytes): the same
 * term as the precomposed spelling. */
static void test_nfc(void **state)
{
    pt *t = *state;
    static const char text[] = "Siobha\xCC\x81n";
    static const want w[] = {{0, 9, "siobhán"}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex", NULL);
    tokenize(t, text, strlen(text), &g);
    expect(&g, w, 1);
}

/* A user's pattern; an empty-matching one ("x*") must still advance. */
static void test_custom_pattern(void **state)
{
    pt *t = *state;
    static const want w[] = {{0, 9, "peer-run:"}, {10, 5, NULL}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex",
               PT_OPTS("regex.pattern=\\S+", "regex.min_len=1"));
    tokenize(t, "PEER-RUN: works", 15, &g);
    expect(&g, w, 2);
}

static void test_empty_matches(void **state)
{
    pt *t = *state;
    static const want w[] = {{1, 2, NULL}, {6, 3, NULL}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex",
               PT_OPTS("regex.pattern=x*", "regex.min_len=1"));
    tokenize(t, "axx\xC3\xA9" "bxxx", 9, &g); /* a x x é b x x x */
    expect(&g, w, 2);
}

/* The emit callback asks to stop after two tokens. */
static void test_cancel(void **state)
{
    pt *t = *state;
    char err[QUARRY_ERR_MAX] = "";
    got g = {0};
    g.stop_after = 2;
    pt_open_ok(t, ENTRY, KIND, "regex", NULL);
    assert_int_equal(t->p->tokenize(t->self, SENTENCE, strlen(SENTENCE),
                                    collect, &g, err),
                     QUARRY_ECANCELED);
    assert_int_equal(g.n, 2);
}

static void test_empty_text(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "regex", NULL);
    tokenize(t, "", 0, &g);
    tokenize(t, " -- ... ", 8, &g);
    assert_int_equal(g.n, 0);
}

/* "(unclosed" lacks a ")": PCRE2 says so, at offset 9 (the end). */
static void test_bad_pattern(void **state)
{
    pt *t = *state;
    assert_int_equal(pt_open(t, ENTRY, KIND, "regex",
                             PT_OPTS("regex.pattern=(unclosed")),
                     QUARRY_EINVAL);
    const char *msg = quarry_engine_errmsg(t->e);
    assert_non_null(strstr(msg, "missing closing parenthesis"));
    assert_non_null(strstr(msg, "offset 9"));
}

static void test_min_above_max(void **state)
{
    pt *t = *state;
    assert_int_equal(pt_open(t, ENTRY, KIND, "regex",
                             PT_OPTS("regex.min_len=10", "regex.max_len=5")),
                     QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(t->e), "max_len"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),
        PT_BOTH(test_default_sentence),
        PT_BOTH(test_numbers_and_min_len),
        PT_BOTH(test_lengths_count_code_points),
        PT_BOTH(test_number_rule),
        PT_BOTH(test_no_lowercase),
        PT_BOTH(test_nfc),
        PT_BOTH(test_custom_pattern),
        PT_BOTH(test_empty_matches),
        PT_BOTH(test_cancel),
        PT_BOTH(test_empty_text),
        PT_BOTH(test_bad_pattern),
        PT_BOTH(test_min_above_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
