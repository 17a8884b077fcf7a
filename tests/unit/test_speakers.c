/*
 * test_speakers.c -- what to suggest for, and from what (issue 12): the
 * speakers' selection (interviewer turns left out by default, counted;
 * all and interviewers; every field of an excerpt copied), and suggesting
 * from a codebook alone (no coded excerpt: the codes ranked by their
 * entries, the run marked codebook-only, stricter abstention; a few
 * accepted codings make the next run's top-1 on held-out excerpts better).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codebook.h"
#include "quarry/quarry.h"
#include "test_util.h"

static const char TURNS[] =
    "{\"id\":\"t1\",\"text\":\"Who is your supervisor?\",\"role\":"
    "\"interviewer\",\"speaker\":\"I\"}\n"
    "{\"id\":\"t2\",\"text\":\"My supervisor is great\",\"role\":"
    "\"participant\",\"speaker\":\"P01\",\"code\":\"supervision\","
    "\"study\":\"S1\"}\n"
    "{\"id\":\"t3\",\"text\":\"And then?\",\"role\":\"Interviewer\"}\n"
    "{\"id\":\"t4\",\"text\":\"No role given here\"}\n";

static void select_participants(void **state)
{
    quarry_corpus *c = test_corpus(TURNS, "turns.jsonl"), *sel = NULL;
    const quarry_excerpt *x;
    size_t left = 99;
    (void)state;
    assert_int_equal(quarry_corpus_is_interviewer(c, 0), 1);
    assert_int_equal(quarry_corpus_is_interviewer(c, 1), 0);
    assert_int_equal(quarry_corpus_is_interviewer(c, 2), 1); /* any case */
    assert_int_equal(quarry_corpus_is_interviewer(c, 3), 0);
    assert_int_equal(quarry_corpus_select_speakers(
                         c, QUARRY_SPEAKERS_PARTICIPANTS, &sel, &left),
                     QUARRY_OK);
    assert_int_equal(left, 2);
    assert_int_equal(quarry_corpus_size(sel), 2);
    x = quarry_corpus_at(sel, 0);
    assert_string_equal(x->id, "t2");
    assert_string_equal(x->text, "My supervisor is great");
    assert_string_equal(x->speaker, "P01");
    assert_int_equal(x->n_codes, 1);
    assert_string_equal(x->codes[0], "supervision");
    assert_string_equal(x->source, quarry_corpus_at(c, 1)->source);
    assert_int_equal(x->line, 2);
    assert_string_equal(x->attributes, quarry_corpus_at(c, 1)->attributes);
    assert_string_equal(quarry_corpus_attribute(sel, 0, "study"), "S1");
    assert_string_equal(quarry_corpus_at(sel, 1)->id, "t4");
    quarry_corpus_free(sel);
    quarry_corpus_free(c);
}

static void select_all_and_interviewers(void **state)
{
    quarry_corpus *c = test_corpus(TURNS, "turns.jsonl"), *sel = NULL;
    size_t left = 99;
    (void)state;
    assert_int_equal(
        quarry_corpus_select_speakers(c, QUARRY_SPEAKERS_ALL, &sel, &left),
        QUARRY_OK);
    assert_int_equal(left, 0);
    assert_int_equal(quarry_corpus_size(sel), 4);
    quarry_corpus_free(sel);
    assert_int_equal(quarry_corpus_select_speakers(
                         c, QUARRY_SPEAKERS_INTERVIEWERS, &sel, &left),
                     QUARRY_OK);
    assert_int_equal(left, 2);
    assert_int_equal(quarry_corpus_size(sel), 2);
    assert_string_equal(quarry_corpus_at(sel, 0)->id, "t1");
    assert_string_equal(quarry_corpus_at(sel, 1)->id, "t3");
    quarry_corpus_free(sel);
    assert_int_equal(quarry_corpus_select_speakers(
                         c, (quarry_speakers)7, &sel, &left),
                     QUARRY_EINVAL);
    assert_null(sel);
    quarry_corpus_free(c);
}

/* The excerpts that have an attribute (the report's synthesis table takes
 * those with a study): copied whole, the others counted. */
static void select_by_attribute(void **state)
{
    quarry_corpus *c = test_corpus(TURNS, "turns.jsonl"), *sel = NULL;
    size_t left = 99;
    (void)state;
    assert_int_equal(quarry_corpus_select_attribute(c, "study", &sel, &left),
                     QUARRY_OK);
    assert_int_equal(left, 3);
    assert_int_equal(quarry_corpus_size(sel), 1);
    assert_string_equal(quarry_corpus_at(sel, 0)->id, "t2");
    assert_string_equal(quarry_corpus_attribute(sel, 0, "study"), "S1");
    assert_int_equal(quarry_corpus_at(sel, 0)->n_codes, 1);
    quarry_corpus_free(sel);
    assert_int_equal(quarry_corpus_select_attribute(c, "wave", &sel, &left),
                     QUARRY_OK);
    assert_int_equal(left, 4);
    assert_int_equal(quarry_corpus_size(sel), 0);
    quarry_corpus_free(sel);
    assert_int_equal(quarry_corpus_select_attribute(c, NULL, &sel, &left),
                     QUARRY_EINVAL);
    assert_null(sel);
    quarry_corpus_free(c);
}

static const char BOOK[] =
    "{\"codes\":["
    "{\"id\":\"sleep\",\"definition\":\"sleep tired night\"},"
    "{\"id\":\"money\",\"definition\":\"money pay wage\","
    "\"keywords\":[\"bills\"]}]}";

static quarry_pipeline_options plain(void)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    po.stemmer = "none";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    return po;
}

/* Suggest for input from train (may be "") and BOOK; the top-1 share of
 * the input's codes, or -1 on failure. */
static double top1(const char *train, const char *input,
                   quarry_suggestions **keep)
{
    quarry_engine *e = test_engine();
    quarry_corpus *t = NULL, *in = test_corpus(input, "input.jsonl");
    quarry_codebook *cb = NULL;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_pipeline_options po = plain();
    quarry_suggestions *s = NULL;
    size_t i, hit = 0;
    double r = -1.0;
    if (train[0] != '\0')
        t = test_corpus(train, "train.jsonl");
    else
        assert_int_equal(quarry_corpus_new(&t), 0);
    assert_int_equal(codebook_parse(&cb, e, BOOK, strlen(BOOK), "book.json"),
                     0);
    so.codebook = cb;
    so.top = 2;
    if (quarry_suggest_run(&s, e, &po, &so, t, in) == 0) {
        for (i = 0; i < quarry_suggestions_size(s); i++) {
            const quarry_excerpt *x = quarry_corpus_at(in, i);
            const quarry_suggestion *g = quarry_suggestions_at(s, i, 0);
            hit += x->n_codes > 0 && strcmp(g->code, x->codes[0]) == 0;
        }
        r = (double)hit / (double)quarry_suggestions_size(s);
    } else {
        fail_msg("%s", quarry_engine_errmsg(e));
    }
    if (keep != NULL)
        *keep = s;
    else
        quarry_suggestions_free(s);
    quarry_codebook_free(cb);
    quarry_corpus_free(t);
    quarry_corpus_free(in);
    quarry_engine_free(e);
    return r;
}

static void codebook_alone(void **state)
{
    quarry_suggestions *s = NULL;
    const quarry_suggestion *g;
    (void)state;
    assert_true(top1("",
                     "{\"id\":\"a\",\"text\":\"so tired every night, no "
                     "sleep\",\"code\":\"sleep\"}\n"
                     "{\"id\":\"b\",\"text\":\"the pay and the bills\","
                     "\"code\":\"money\"}\n"
                     "{\"id\":\"c\",\"text\":\"lovely weather\"}\n",
                     &s) >= 2.0 / 3.0);
    assert_int_equal(quarry_suggestions_codebook_only(s), 1);
    g = quarry_suggestions_at(s, 0, 0);
    assert_string_equal(g->code, "sleep");
    assert_true(g->confidence > 0.5 && g->confidence <= 1.0);
    assert_int_equal(quarry_suggestions_abstain(s, 0), 0);
    assert_string_equal(quarry_suggestions_at(s, 1, 0)->code, "money");
    /* Nothing shared with any entry: every score 0, the excerpt abstains. */
    assert_int_equal(quarry_suggestions_abstain(s, 2), 1);
    assert_true(quarry_suggestions_at(s, 2, 0)->confidence <= 0.5 + 1e-9);
    quarry_suggestions_free(s);
}

static void codebook_alone_abstains_stricter(void **state)
{
    /* Two codes, one entry word each in the excerpt: a near tie. A run
     * with coded excerpts would abstain only below 1/2 + 0.05 too, but a
     * codebook-only run also needs 0.5 at least, whatever min_confidence
     * says lower. */
    quarry_suggestions *s = NULL;
    (void)state;
    top1("", "{\"id\":\"a\",\"text\":\"tired of the pay\"}\n", &s);
    assert_int_equal(quarry_suggestions_codebook_only(s), 1);
    assert_int_equal(quarry_suggestions_abstain(s, 0),
                     quarry_suggestions_at(s, 0, 0)->confidence < 0.55);
    quarry_suggestions_free(s);
}

static void accepted_codings_improve_next_run(void **state)
{
    /* Held-out excerpts in words the definitions lack; two accepted
     * codings teach them. */
    static const char HELD[] =
        "{\"id\":\"h1\",\"text\":\"insomnia again, awake\",\"code\":\"sleep\"}\n"
        "{\"id\":\"h2\",\"text\":\"salary late, rent due\",\"code\":\"money\"}\n"
        "{\"id\":\"h3\",\"text\":\"awake with insomnia\",\"code\":\"sleep\"}\n"
        "{\"id\":\"h4\",\"text\":\"cheque for rent\",\"code\":\"money\"}\n";
    static const char ACCEPTED[] =
        "{\"id\":\"t1\",\"text\":\"insomnia, lying awake\",\"code\":\"sleep\"}\n"
        "{\"id\":\"t2\",\"text\":\"salary cheque and rent\",\"code\":\"money\"}\n";
    quarry_suggestions *s = NULL;
    double before, after;
    (void)state;
    before = top1("", HELD, NULL);
    after = top1(ACCEPTED, HELD, &s);
    assert_int_equal(quarry_suggestions_codebook_only(s), 0);
    assert_true(after > before);
    assert_true(fabs(after - 1.0) < 1e-9);
    quarry_suggestions_free(s);
}

static void no_codebook_no_codes_fails(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *t = NULL, *in = test_corpus(TURNS, "in.jsonl");
    quarry_pipeline_options po = plain();
    quarry_suggestions *s = NULL;
    (void)state;
    assert_int_equal(quarry_corpus_new(&t), 0);
    assert_int_equal(quarry_suggest_run(&s, e, &po, NULL, t, in),
                     QUARRY_EINVAL);
    assert_null(s);
    quarry_corpus_free(t);
    quarry_corpus_free(in);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(select_participants),
        cmocka_unit_test(select_all_and_interviewers),
        cmocka_unit_test(select_by_attribute),
        cmocka_unit_test(codebook_alone),
        cmocka_unit_test(codebook_alone_abstains_stricter),
        cmocka_unit_test(accepted_codings_improve_next_run),
        cmocka_unit_test(no_codebook_no_codes_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
