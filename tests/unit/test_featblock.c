/*
 * test_featblock.c -- the evidence terms of a suggestion read as reasons
 * (featblock.c feat_shown, feat_form_fit): on the demo's training set the
 * café turn ("At the café – the “drop-in” one, on a Monday.") gets no
 * pair of function words ("at the", "one on", "on a") as evidence for a
 * content code, while a question code of a toy set keeps "do you" and
 * "?"; under the whitespace tokenizer (case and punctuation kept) no
 * evidence is a stopword in disguise ("At", "too,", "That's"), with the
 * linear model or without; and the scores do not move with the evidence
 * (the same run twice, evidence of other sizes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzer.h"
#include "labels.h"
#include "quarry/quarry.h"
#include "test_util.h"

static const char CAFE[] =
    "{\"id\":\"c1\",\"text\":\"At the caf\xc3\xa9 \xe2\x80\x93 the "
    "\xe2\x80\x9c"
    "drop-in\xe2\x80\x9d one, on a Monday.\"}\n"
    "{\"id\":\"c2\",\"text\":\"That she\xe2\x80\x99"
    "d been na\xc3\xaf"
    "ve "
    "too, once.\"}\n"
    "{\"id\":\"c3\",\"text\":\"The night shift was long. At the end of it "
    "I sat in the car and cried.\"}\n";

/* The run's stopword list, as the analyser holds it. */
static void stopwords(quarry_engine *e, analyzer *sw)
{
    assert_int_equal(analyzer_init(sw, e, "regex", "none", "en", NULL, "none"),
                     0);
    assert_true(sw->stopwords.n > 100);
}

static quarry_corpus *demo_train(void)
{
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = NULL;
    assert_int_equal(quarry_corpus_new(&c), 0);
    assert_int_equal(
        quarry_corpus_read_file(
            c, QUARRY_TEST_DATA_DIR "/suggest/demo-train.jsonl", &ro),
        0);
    return c;
}

/* Every evidence term of s is a content word or phrase (not "at the":
 * no code of the demo's content codebook is said with it more than the
 * rest), and no term is a lone function word in any case or dress. */
static void evidence_is_content(const quarry_suggestions *s, const strtab *stop)
{
    size_t i;
    int32_t k, j;
    for (i = 0; i < quarry_suggestions_size(s); i++)
        for (k = 0; k < quarry_suggestions_count(s, i); k++) {
            const quarry_suggestion *sg = quarry_suggestions_at(s, i, k);
            for (j = 0; j < sg->n_terms; j++)
                if (labels_term_class(stop, sg->terms[j]) != LABELS_CONTENT)
                    fail_msg("excerpt %zu, %s: evidence \"%s\" is no content "
                             "word",
                             i, sg->code, sg->terms[j]);
        }
}

static void cafe_evidence_has_no_filler(void **state)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_engine *e = test_engine();
    quarry_corpus *train = demo_train(), *in = test_corpus(CAFE, "cafe");
    quarry_suggestions *s = NULL;
    analyzer sw;
    int32_t k, j, seen = 0;
    (void)state;
    stopwords(e, &sw);
    assert_int_equal(quarry_suggest_run(&s, e, &po, NULL, train, in), 0);
    assert_true(quarry_suggestions_choice(s)->linear > 0.0);
    evidence_is_content(s, &sw.stopwords);
    /* and the content words of the turn are still its evidence */
    for (k = 0; k < quarry_suggestions_count(s, 0); k++) {
        const quarry_suggestion *sg = quarry_suggestions_at(s, 0, k);
        for (j = 0; j < sg->n_terms; j++)
            seen += strcmp(sg->terms[j], "monday") == 0 ||
                    strcmp(sg->terms[j], "caf\xc3\xa9") == 0;
    }
    assert_true(seen > 0);
    quarry_suggestions_free(s);
    analyzer_free(&sw);
    quarry_corpus_free(train);
    quarry_corpus_free(in);
    quarry_engine_free(e);
}

/* Case and punctuation kept: "At", "The", "too," and "That's" are
 * columns of their own, and still no evidence; with the linear model and
 * with the similarity alone. */
static void whitespace_tokens_no_disguised_stopwords(void **state)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_engine *e = test_engine();
    quarry_corpus *train = demo_train(), *in = test_corpus(CAFE, "cafe");
    quarry_suggestions *s = NULL;
    analyzer sw;
    int pass;
    (void)state;
    stopwords(e, &sw);
    po.tokenizer = "whitespace";
    so.n_terms = 20;
    for (pass = 0; pass < 2; pass++) {
        so.auto_select = pass == 0;
        so.linear = pass == 0 ? so.linear : 0.0;
        assert_int_equal(quarry_suggest_run(&s, e, &po, &so, train, in), 0);
        evidence_is_content(s, &sw.stopwords);
        quarry_suggestions_free(s);
        s = NULL;
    }
    analyzer_free(&sw);
    quarry_corpus_free(train);
    quarry_corpus_free(in);
    quarry_engine_free(e);
}

/* A code of the form of talk keeps its form evidence: "do you" and "?"
 * are said in every question and in nothing else. */
static const char TALK[] =
    "{\"id\":\"a1\",\"text\":\"apple banana fruit orchard at the farm\","
    "\"code\":\"fruit\"}\n"
    "{\"id\":\"a2\",\"text\":\"apple pear fruit juice in the shop\","
    "\"code\":\"fruit\"}\n"
    "{\"id\":\"a3\",\"text\":\"pear orchard juice banana at the market\","
    "\"code\":\"fruit\"}\n"
    "{\"id\":\"b1\",\"text\":\"engine wheel car road at the garage\","
    "\"code\":\"car\"}\n"
    "{\"id\":\"b2\",\"text\":\"car road traffic driver in the rain\","
    "\"code\":\"car\"}\n"
    "{\"id\":\"b3\",\"text\":\"driver engine traffic wheel at the lights\","
    "\"code\":\"car\"}\n"
    "{\"id\":\"q1\",\"text\":\"how do you feel about it?\","
    "\"code\":\"question\"}\n"
    "{\"id\":\"q2\",\"text\":\"what do you think of that?\","
    "\"code\":\"question\"}\n"
    "{\"id\":\"q3\",\"text\":\"how do you see it now?\","
    "\"code\":\"question\"}\n";

static void form_code_keeps_form_evidence(void **state)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_engine *e = test_engine();
    quarry_corpus *train = test_corpus(TALK, "talk"),
                  *in = test_corpus(
                      "{\"id\":\"x\",\"text\":\"do you feel it?\"}\n"
                      "{\"id\":\"y\",\"text\":\"banana juice at the "
                      "orchard\"}\n",
                      "in");
    quarry_suggestions *s = NULL;
    const quarry_suggestion *sg;
    int32_t j, do_you = 0, mark = 0;
    (void)state;
    po.stemmer = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    so.auto_select = 0;
    so.linear = 0.5;
    so.features = QUARRY_FEATURES_FORM;
    so.n_terms = 20;
    assert_int_equal(quarry_suggest_run(&s, e, &po, &so, train, in), 0);
    sg = quarry_suggestions_at(s, 0, 0);
    assert_string_equal(sg->code, "question");
    for (j = 0; j < sg->n_terms; j++) {
        do_you += strcmp(sg->terms[j], "do you") == 0;
        mark += strcmp(sg->terms[j], "?") == 0;
    }
    assert_int_equal(do_you, 1);
    assert_int_equal(mark, 1);
    /* "at the" is in two of three fruit excerpts and two of three car
     * ones: evidence for neither. */
    sg = quarry_suggestions_at(s, 1, 0);
    assert_string_equal(sg->code, "fruit");
    for (j = 0; j < sg->n_terms; j++)
        assert_string_not_equal(sg->terms[j], "at the");
    quarry_suggestions_free(s);
    quarry_corpus_free(train);
    quarry_corpus_free(in);
    quarry_engine_free(e);
}

/* The evidence is what is shown of a score, never what makes it: with 2
 * or 20 terms the codes, scores and confidences are the same. */
static void evidence_leaves_scores_alone(void **state)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options a = QUARRY_SUGGEST_OPTIONS_INIT,
                           b = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_engine *e = test_engine();
    quarry_corpus *train = demo_train(), *in = test_corpus(CAFE, "cafe");
    quarry_suggestions *x = NULL, *y = NULL;
    size_t i;
    int32_t k;
    (void)state;
    a.n_terms = 2;
    b.n_terms = 20;
    assert_int_equal(quarry_suggest_run(&x, e, &po, &a, train, in), 0);
    assert_int_equal(quarry_suggest_run(&y, e, &po, &b, train, in), 0);
    for (i = 0; i < quarry_suggestions_size(x); i++)
        for (k = 0; k < quarry_suggestions_count(x, i); k++) {
            const quarry_suggestion *p = quarry_suggestions_at(x, i, k),
                                    *q = quarry_suggestions_at(y, i, k);
            assert_string_equal(p->code, q->code);
            assert_memory_equal(&p->score, &q->score, sizeof p->score);
            assert_memory_equal(&p->confidence, &q->confidence,
                                sizeof p->confidence);
        }
    quarry_suggestions_free(x);
    quarry_suggestions_free(y);
    quarry_corpus_free(train);
    quarry_corpus_free(in);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cafe_evidence_has_no_filler),
        cmocka_unit_test(whitespace_tokens_no_disguised_stopwords),
        cmocka_unit_test(form_code_keeps_form_evidence),
        cmocka_unit_test(evidence_leaves_scores_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
