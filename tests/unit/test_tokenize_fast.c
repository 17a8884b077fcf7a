/*
 * test_tokenize_fast.c -- the regex tokenizer's byte scan of ASCII runs
 * (taken only with the default pattern) against PCRE2 itself: the same
 * pattern wrapped in a group, "(?:" DEFAULT ")", matches the same strings
 * but is not the default text, so it runs every match through PCRE2. Both
 * must give the same tokens (span and form) on hand-made edge cases and
 * on random strings built from ASCII word characters, joiners, spaces and
 * punctuation, and non-ASCII letters, marks, digits, joiners (U+2019,
 * U+2010, U+2011) and symbols, under several option sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

/* The regex plugin's default pattern (plugins/regex/regex.c). */
#define W "[\\p{L}\\p{M}\\p{N}]"
#define DEFAULT_PATTERN W "+(?:['\\x{2019}\\x{2010}\\x{2011}-]" W "+)*"

typedef struct toks {
    size_t n, cap;
    size_t *off, *len;
    char **form; /* NULL: the span as written */
} toks;

static int collect(void *payload, const quarry_token *t)
{
    toks *k = payload;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->off = realloc(k->off, k->cap * sizeof *k->off);
        k->len = realloc(k->len, k->cap * sizeof *k->len);
        k->form = realloc(k->form, k->cap * sizeof *k->form);
        assert_non_null(k->off);
        assert_non_null(k->len);
        assert_non_null(k->form);
    }
    k->off[k->n] = t->offset;
    k->len[k->n] = t->len;
    k->form[k->n] = NULL;
    if (t->form != NULL) {
        k->form[k->n] = malloc(t->form_len + 1);
        assert_non_null(k->form[k->n]);
        memcpy(k->form[k->n], t->form, t->form_len);
        k->form[k->n][t->form_len] = '\0';
    }
    k->n++;
    return 0;
}

static void toks_clear(toks *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->form[i]);
    k->n = 0;
}

static void toks_free(toks *k)
{
    toks_clear(k);
    free(k->off);
    free(k->len);
    free(k->form);
}

typedef struct side {
    quarry_engine *e;
    quarry_instance *inst;
    const quarry_plugin *p;
    toks k;
} side;

static void side_open(side *s, const char *pattern, const char *const *opts)
{
    char spec[512];
    memset(s, 0, sizeof *s);
    s->e = test_engine();
    if (pattern != NULL) {
        snprintf(spec, sizeof spec, "regex.pattern=%s", pattern);
        assert_int_equal(quarry_engine_set_option(s->e, spec), QUARRY_OK);
    }
    for (size_t i = 0; opts != NULL && opts[i] != NULL; i++)
        assert_int_equal(quarry_engine_set_option(s->e, opts[i]), QUARRY_OK);
    assert_int_equal(
        quarry_engine_find(s->e, QUARRY_KIND_TOKENIZER, "regex", &s->p),
        QUARRY_OK);
    assert_int_equal(quarry_instance_new(&s->inst, s->e, s->p), QUARRY_OK);
}

static void side_close(side *s)
{
    toks_free(&s->k);
    quarry_instance_free(s->inst);
    quarry_engine_free(s->e);
}

static void run(side *s, const char *text, size_t len)
{
    char err[QUARRY_ERR_MAX] = "";
    toks_clear(&s->k);
    int rc = s->p->tokenize(quarry_instance_self(s->inst), text, len, collect,
                            &s->k, err);
    if (rc != QUARRY_OK)
        fail_msg("tokenize: %s", err);
}

/* Both sides on text; fail with the text shown when they differ. */
static void same(side *fast, side *slow, const char *text, size_t len)
{
    run(fast, text, len);
    run(slow, text, len);
    if (fast->k.n != slow->k.n)
        fail_msg("%zu tokens against PCRE2's %zu in \"%.*s\"", fast->k.n,
                 slow->k.n, (int)len, text);
    for (size_t i = 0; i < fast->k.n; i++) {
        const char *a = fast->k.form[i], *b = slow->k.form[i];
        if (fast->k.off[i] != slow->k.off[i] ||
            fast->k.len[i] != slow->k.len[i] || (a == NULL) != (b == NULL) ||
            (a != NULL && strcmp(a, b) != 0))
            fail_msg("token %zu: [%zu,+%zu) against PCRE2's [%zu,+%zu) in "
                     "\"%.*s\"",
                     i, fast->k.off[i], fast->k.len[i], slow->k.off[i],
                     slow->k.len[i], (int)len, text);
    }
}

static const char *const EDGES[] = {
    "",
    "a",
    "ab",
    "'",
    "-",
    "a'",
    "'a",
    "a-",
    "-a",
    "a'b",
    "a-b-c",
    "a--b",
    "a''b",
    "a'-b",
    "don't peer-run state-of-the-art",
    "x-'y",
    "a_b",
    "2021 3.5 1,000 covid-19 3rd",
    "caf\xC3\xA9",       /* café */
    "\xC3\xA9t\xC3\xA9", /* été */
    "cafe\xCC\x81",      /* e + combining acute */
    "\xCC\x81"
    "abc",              /* a mark first */
    "don\xE2\x80\x99t", /* don’t */
    "don\xE2\x80\x99",  /* a closing quote */
    "\xE2\x80\x99t",
    "a\xE2\x80\x90"
    "b", /* U+2010 hyphen */
    "a\xE2\x80\x91"
    "b", /* U+2011 */
    "a\xE2\x80\x93"
    "b",              /* en dash: not a joiner */
    "a-\xC3\xA9",     /* ASCII joiner, non-ASCII letter */
    "a'\xE2\x80\x9C", /* joiner, then a quotation mark */
    "\xE2\x80\x9C"
    "quoted\xE2\x80\x9D words",
    "Stra\xC3\x9F"
    "e STRASSE",
    "\xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA1 x\xD9\xA2", /* Arabic-Indic digits */
    "\xE4\xB8\xAD\xE6\x96\x87 mixed\xE4\xB8\xAD", /* CJK */
    "emoji\xF0\x9F\x98\x80smile",
    "\xC2\xAA"
    "b \xC2\xB2"
    "2 \xE2\x85\xAB", /* ª, ², Ⅻ */
    "tab\tnew\nline\r\n end.",
    "ALL CAPS Mixed CaSe",
};

static void edge_cases(void **state)
{
    static const char *const keep[] = {"regex.numbers=keep", "regex.min_len=1",
                                       NULL};
    static const char *const nofold[] = {"regex.lowercase=false", NULL};
    const char *const *sets[] = {NULL, keep, nofold};
    char wrapped[256];
    (void)state;
    snprintf(wrapped, sizeof wrapped, "(?:%s)", DEFAULT_PATTERN);
    for (size_t o = 0; o < sizeof sets / sizeof sets[0]; o++) {
        side fast, slow;
        side_open(&fast, NULL, sets[o]);
        side_open(&slow, wrapped, sets[o]);
        for (size_t i = 0; i < sizeof EDGES / sizeof EDGES[0]; i++)
            same(&fast, &slow, EDGES[i], strlen(EDGES[i]));
        /* And the hand-made sentence's token count, so the comparison is
         * not between two empty streams. */
        run(&fast, EDGES[14], strlen(EDGES[14]));
        assert_true(fast.k.n >= 3);
        side_close(&fast);
        side_close(&slow);
    }
}

static const char *const PIECES[] = {"a",
                                     "Z",
                                     "q",
                                     "0",
                                     "7",
                                     "'",
                                     "-",
                                     "--",
                                     " ",
                                     "  ",
                                     ".",
                                     ",",
                                     "_",
                                     "\"",
                                     "\t",
                                     "\n",
                                     "(",
                                     "\xE2\x80\x99",
                                     "\xE2\x80\x90",
                                     "\xE2\x80\x91",
                                     "\xE2\x80\x93",
                                     "\xC3\xA9",
                                     "\xC3\x89",
                                     "\xCC\x81",
                                     "\xE2\x80\x9C",
                                     "\xD9\xA2",
                                     "\xE4\xB8\xAD",
                                     "\xF0\x9F\x98\x80",
                                     "\xC2\xAA",
                                     "\xC2\xB2",
                                     "\xC3\x9F",
                                     "\xC2\xA0",
                                     "word",
                                     "Word",
                                     "x1"};

static void random_strings(void **state)
{
    static const char *const keep[] = {"regex.numbers=keep", "regex.min_len=1",
                                       NULL};
    const char *const *sets[] = {NULL, keep};
    char wrapped[256], text[512];
    uint64_t x = 0x2545F4914F6CDD1DULL;
    size_t n_pieces = sizeof PIECES / sizeof PIECES[0];
    (void)state;
    snprintf(wrapped, sizeof wrapped, "(?:%s)", DEFAULT_PATTERN);
    for (size_t o = 0; o < sizeof sets / sizeof sets[0]; o++) {
        side fast, slow;
        size_t total = 0;
        side_open(&fast, NULL, sets[o]);
        side_open(&slow, wrapped, sets[o]);
        for (int r = 0; r < 20000; r++) {
            size_t len = 0;
            int parts;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            parts = (int)(x % 24);
            for (int p = 0; p < parts; p++) {
                const char *piece;
                size_t pl;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                /* Mostly ASCII word characters and joiners, as in text. */
                piece = PIECES[(x >> 11) % 4 == 0 ? (x >> 20) % n_pieces
                                                  : (x >> 20) % 8];
                pl = strlen(piece);
                memcpy(text + len, piece, pl);
                len += pl;
            }
            same(&fast, &slow, text, len);
            total += fast.k.n;
        }
        assert_true(total > 20000); /* the strings did hold tokens */
        side_close(&fast);
        side_close(&slow);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(random_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
