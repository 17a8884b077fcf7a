/*
 * test_tokenizer_charngram.c -- character n-grams worked by hand: within
 * words (wb, padded with a space) and across them (char, whitespace runs
 * made one space), spans and forms, case folding and NFC on multibyte text,
 * Unicode whitespace, empty input, a word far longer than the window, a run
 * of combining marks, cancelling, and the refusal of n_min > n_max. Each
 * check runs with the plugin registered statically and dlopen'ed.
 */
#include "plugin_test.h"

const quarry_plugin *const *quarry_plugin_tokenizer_charngram(void);

#define ENTRY quarry_plugin_tokenizer_charngram
#define KIND QUARRY_KIND_TOKENIZER

/* A token as the test wants it: span, and the form or NULL (the span). */
typedef struct want {
    size_t offset, len;
    const char *form;
} want;

#define MAX_TOKENS 64
typedef struct got {
    size_t n;   /* tokens seen */
    size_t len; /* of the text, to check every span lies inside it */
    want tok[MAX_TOKENS];
    char forms[MAX_TOKENS][80]; /* form is valid during emit only: copy */
    int stop_after;             /* 0: never ask to stop */
    size_t last_offset;         /* offsets never go back */
} got;

static int collect(void *payload, const quarry_token *t)
{
    got *g = payload;
    assert_true(t->offset <= g->len && t->len <= g->len - t->offset);
    assert_true(t->len > 0);
    assert_true(g->n == 0 || t->offset >= g->last_offset);
    g->last_offset = t->offset;
    if (g->n < MAX_TOKENS) {
        g->tok[g->n].offset = t->offset;
        g->tok[g->n].len = t->len;
        g->tok[g->n].form = NULL;
        if (t->form != NULL) {
            assert_true(t->form_len > 0);
            assert_true(t->form_len < sizeof g->forms[0]);
            memcpy(g->forms[g->n], t->form, t->form_len);
            g->forms[g->n][t->form_len] = '\0';
            g->tok[g->n].form = g->forms[g->n];
        }
    }
    g->n++;
    return g->stop_after != 0 && (int)g->n >= g->stop_after;
}

static void tokenize(pt *t, const char *text, size_t len, got *g)
{
    char err[QUARRY_ERR_MAX] = "";
    g->len = len;
    int rc = t->p->tokenize(t->self, text, len, collect, g, err);
    if (rc != QUARRY_OK)
        print_error("tokenize: %s\n", err);
    assert_int_equal(rc, QUARRY_OK);
}

static void expect(const got *g, const want *w, size_t n)
{
    for (size_t i = 0; i < n && i < g->n; i++) {
        const char *gf = g->tok[i].form ? g->tok[i].form : "(span)";
        const char *wf = w[i].form ? w[i].form : "(span)";
        if (g->tok[i].offset != w[i].offset || g->tok[i].len != w[i].len ||
            strcmp(gf, wf) != 0)
            print_error("token %zu: got [%zu,+%zu) \"%s\", want [%zu,+%zu) "
                        "\"%s\"\n",
                        i, g->tok[i].offset, g->tok[i].len, gf, w[i].offset,
                        w[i].len, wf);
        assert_int_equal(g->tok[i].offset, w[i].offset);
        assert_int_equal(g->tok[i].len, w[i].len);
        assert_string_equal(gf, wf);
    }
    assert_int_equal(g->n, n);
}

static void test_descriptor(void **state)
{
    pt *t = *state;
    pt_find(t, ENTRY, KIND, "charngram");
    pt_check_descriptor(t->p);
    assert_non_null(t->p->tokenize);
}

/*
 * wb, n 2..3 on "Hi you?" (H0 i1 space2 y3 o4 u5 ?6). Each word is padded
 * with a space (" hi ", " you? "), its n-grams leave by start position,
 * shortest first. A pad comes from no bytes: " h" spans only "H". The
 * span is the form (NULL) only where the bytes read the same: "yo", "you",
 * "ou", "ou?", "u?". The question mark stays, as form codes need.
 */
static void test_wb_by_hand(void **state)
{
    pt *t = *state;
    static const want w[] = {
        {0, 1, " h"}, {0, 2, " hi"}, {0, 2, "hi"},  {0, 2, "hi "},
        {1, 1, "i "}, {3, 1, " y"},  {3, 2, " yo"}, {3, 2, NULL},
        {3, 3, NULL}, {4, 2, NULL},  {4, 3, NULL},  {5, 2, NULL},
        {5, 2, "u? "}, {6, 1, "? "},
    };
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram",
               PT_OPTS("charngram.n_min=2", "charngram.n_max=3"));
    tokenize(t, "Hi you?", 7, &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/*
 * char, n 2..3 on "  Hi  you? " (spaces at 0 1 4 5 10; H2 i3 y6 o7 u8 ?9):
 * n-grams run across the word boundary, the two spaces between the words
 * are one space (its span both bytes), and the spaces at the start and
 * the end of the text are dropped.
 */
static void test_char_by_hand(void **state)
{
    pt *t = *state;
    static const want w[] = {
        {2, 2, "hi"},  {2, 4, "hi "}, {3, 3, "i "},  {3, 4, "i y"},
        {4, 3, " y"},  {4, 4, " yo"}, {6, 2, NULL},  {6, 3, NULL},
        {7, 2, NULL},  {7, 3, NULL},  {8, 2, NULL},
    };
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram",
               PT_OPTS("charngram.n_min=2", "charngram.n_max=3",
                       "charngram.mode=char"));
    tokenize(t, "  Hi  you? ", 11, &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/*
 * Multibyte: "Straße" (S0 t1 r2 a3 ß4-5 e6) folds to "strasse"; the two
 * s from ß are two code points, each spanning ß's two bytes. Bigrams only.
 */
static void test_fold_expands(void **state)
{
    pt *t = *state;
    static const want w[] = {
        {0, 1, " s"}, {0, 2, "st"}, {1, 2, NULL}, {2, 2, NULL},
        {3, 3, "as"}, {4, 2, "ss"}, {4, 3, "se"}, {6, 1, "e "},
    };
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram",
               PT_OPTS("charngram.n_min=2", "charngram.n_max=2"));
    tokenize(t, "Stra\xC3\x9F" "e", 7, &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/*
 * A decomposed é (e + U+0301, 3 bytes) and a precomposed one (2 bytes) give
 * the same unigram "é" (NFC); ’ (3 bytes) becomes '; "É" folds to "é";
 * U+00A0 (no-break space, 2 bytes) separates words as Python's split()
 * does; an emoji (4 bytes) is one code point.
 *   0 e+U+0301 (3)  3 NBSP (2)  5 É (2)  7 ’ (3)  10 space  11 😀 (4)
 */
static void test_unigrams_multibyte(void **state)
{
    pt *t = *state;
    static const want w[] = {
        {0, 3, "\xC3\xA9"}, {5, 2, "\xC3\xA9"}, {7, 3, "'"},
        {11, 4, NULL},
    };
    static const char text[] = "e\xCC\x81\xC2\xA0\xC3\x89\xE2\x80\x99 "
                               "\xF0\x9F\x98\x80";
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram",
               PT_OPTS("charngram.n_min=1", "charngram.n_max=1"));
    assert_int_equal(strlen(text), 15);
    tokenize(t, text, strlen(text), &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/* lowercase=false: "Hi" stays "Hi" (the span); the pads still need a form. */
static void test_no_lowercase(void **state)
{
    pt *t = *state;
    static const want w[] = {{0, 1, " H"}, {0, 2, NULL}, {1, 1, "i "}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram",
               PT_OPTS("charngram.n_min=2", "charngram.n_max=2",
                       "charngram.lowercase=false"));
    tokenize(t, "Hi", 2, &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/* Nothing in, nothing out, in both modes; whitespace alone is nothing. */
static void test_empty(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram", NULL);
    tokenize(t, "", 0, &g);
    tokenize(t, " \t\r\n\xC2\xA0\xE3\x80\x80 ", 10, &g);
    assert_int_equal(g.n, 0);
}

static void test_empty_char_mode(void **state)
{
    pt *t = *state;
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram",
               PT_OPTS("charngram.mode=char", "charngram.n_min=1"));
    tokenize(t, "", 0, &g);
    tokenize(t, "   \n\n  ", 7, &g);
    assert_int_equal(g.n, 0);
}

/* A one-letter word under the defaults (2..5): " a ", padded, has the
 * n-grams " a", "a " and " a ", and no longer ones. */
static void test_short_word(void **state)
{
    pt *t = *state;
    static const want w[] = {{0, 1, " a"}, {0, 1, " a "}, {0, 1, "a "}};
    got g = {0};
    pt_open_ok(t, ENTRY, KIND, "charngram", NULL);
    tokenize(t, "a", 1, &g);
    expect(&g, w, sizeof w / sizeof w[0]);
}

/* A 100,000-letter word: the window holds 5 code points whatever the word,
 * and the count is the padded length L = 100,002 taken n at a time:
 * (L-1) + (L-2) + (L-3) + (L-4) = 4L - 10. */
static void test_long_word(void **state)
{
    pt *t = *state;
    enum { N = 100000 };
    char *text = malloc(N);
    got g = {0};
    assert_non_null(text);
    memset(text, 'a', N);
    pt_open_ok(t, ENTRY, KIND, "charngram", NULL);
    tokenize(t, text, N, &g);
    assert_int_equal(g.n, 4 * (size_t)(N + 2) - 10);
    free(text);
}

/* A letter and 40 combining acute accents (82 bytes): clusters stop at 16
 * code points, so memory stays bounded; every span lies in the text and
 * the tokens cover it from the first byte. */
static void test_many_marks(void **state)
{
    pt *t = *state;
    char text[1 + 40 * 2];
    got g = {0};
    text[0] = 'a';
    for (int i = 0; i < 40; i++) {
        text[1 + 2 * i] = (char)0xCC;
        text[2 + 2 * i] = (char)0x81;
    }
    pt_open_ok(t, ENTRY, KIND, "charngram", NULL);
    tokenize(t, text, sizeof text, &g);
    assert_true(g.n > 0);
    assert_int_equal(g.tok[0].offset, 0);
}

/* The emit callback asks to stop after three tokens. */
static void test_cancel(void **state)
{
    pt *t = *state;
    char err[QUARRY_ERR_MAX] = "";
    got g = {0};
    g.stop_after = 3;
    g.len = 13;
    pt_open_ok(t, ENTRY, KIND, "charngram", NULL);
    assert_int_equal(
        t->p->tokenize(t->self, "peer support!", 13, collect, &g, err),
        QUARRY_ECANCELED);
    assert_int_equal(g.n, 3);
    /* The instance is whole after a cancel: the next call starts afresh. */
    memset(&g, 0, sizeof g);
    tokenize(t, "a", 1, &g);
    assert_int_equal(g.n, 3);
}

static void test_min_above_max(void **state)
{
    pt *t = *state;
    assert_int_equal(pt_open(t, ENTRY, KIND, "charngram",
                             PT_OPTS("charngram.n_min=4", "charngram.n_max=3")),
                     QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(t->e), "n_max"));
}

/* A mode that is not wb or char is refused by the host, naming it. */
static void test_bad_mode(void **state)
{
    pt *t = *state;
    assert_int_not_equal(
        pt_open(t, ENTRY, KIND, "charngram", PT_OPTS("charngram.mode=words")),
        QUARRY_OK);
    assert_non_null(strstr(quarry_engine_errmsg(t->e), "mode"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PT_BOTH(test_descriptor),
        PT_BOTH(test_wb_by_hand),
        PT_BOTH(test_char_by_hand),
        PT_BOTH(test_fold_expands),
        PT_BOTH(test_unigrams_multibyte),
        PT_BOTH(test_no_lowercase),
        PT_BOTH(test_empty),
        PT_BOTH(test_empty_char_mode),
        PT_BOTH(test_short_word),
        PT_BOTH(test_long_word),
        PT_BOTH(test_many_marks),
        PT_BOTH(test_cancel),
        PT_BOTH(test_min_above_max),
        PT_BOTH(test_bad_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
