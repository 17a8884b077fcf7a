/*
 * test_themes_new.c -- which themes are new (themes_new.c): excerpts no
 * code fits are gathered into a theme of their own, which is new, when a
 * topic was left out of the coding, both for new material (the coded
 * excerpts are others) and for the coded material itself (coded by id);
 * with every topic coded nothing is gathered and no theme is new; with a
 * single code the others' topics are new; with one coded excerpt there is nothing to tell "fits" by and no theme is
 * new by it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_themes_util.h"
#include "test_util.h"

/* Other excerpts (other ids) coded SEA and COURT, and GARDEN when
 * with_garden. */
static quarry_corpus *other_coded(int with_garden)
{
    static const char sea_court[] =
        "{\"id\":\"k1\",\"text\":\"boat sail harbour\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k2\",\"text\":\"sail boat wind\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k3\",\"text\":\"harbour tide boat\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k4\",\"text\":\"jury verdict judge\",\"code\":\"COURT\"}\n"
        "{\"id\":\"k5\",\"text\":\"court judge trial\",\"code\":\"COURT\"}\n"
        "{\"id\":\"k6\",\"text\":\"verdict court jury\",\"code\":\"COURT\"}\n";
    static const char garden[] =
        "{\"id\":\"k7\",\"text\":\"roses soil weeds\",\"code\":\"GARDEN\"}\n"
        "{\"id\":\"k8\",\"text\":\"compost mulch roses\","
        "\"code\":\"GARDEN\"}\n"
        "{\"id\":\"k9\",\"text\":\"soil compost weeds\","
        "\"code\":\"GARDEN\"}\n";
    char text[sizeof sea_court + sizeof garden];
    snprintf(text, sizeof text, "%s%s", sea_court, with_garden ? garden : "");
    return test_corpus(text, "coded.jsonl");
}

/* The input's own excerpts coded by id, each topic with its code; the
 * garden ones only when with_garden. */
static quarry_corpus *same_coded(int with_garden)
{
    static const char sea_court[] =
        "{\"id\":\"s1\",\"text\":\"boat sail harbour wind\",\"code\":\"SEA\"}\n"
        "{\"id\":\"s2\",\"text\":\"sail harbour boat tide\",\"code\":\"SEA\"}\n"
        "{\"id\":\"s3\",\"text\":\"harbour wind boat sail\",\"code\":\"SEA\"}\n"
        "{\"id\":\"s4\",\"text\":\"tide boat sail mast\",\"code\":\"SEA\"}\n"
        "{\"id\":\"s5\",\"text\":\"mast wind harbour tide\",\"code\":\"SEA\"}\n"
        "{\"id\":\"j1\",\"text\":\"judge jury verdict court\","
        "\"code\":\"COURT\"}\n"
        "{\"id\":\"j2\",\"text\":\"jury court judge trial\",\"code\":\"COURT\"}\n"
        "{\"id\":\"j3\",\"text\":\"verdict trial court jury\","
        "\"code\":\"COURT\"}\n"
        "{\"id\":\"j4\",\"text\":\"court judge verdict bail\","
        "\"code\":\"COURT\"}\n"
        "{\"id\":\"j5\",\"text\":\"bail trial jury judge\","
        "\"code\":\"COURT\"}\n";
    static const char garden[] =
        "{\"id\":\"g1\",\"text\":\"roses soil compost weeds\","
        "\"code\":\"GARDEN\"}\n"
        "{\"id\":\"g2\",\"text\":\"compost roses weeds mulch\","
        "\"code\":\"GARDEN\"}\n"
        "{\"id\":\"g3\",\"text\":\"soil mulch roses compost\","
        "\"code\":\"GARDEN\"}\n"
        "{\"id\":\"g4\",\"text\":\"weeds soil compost roses\","
        "\"code\":\"GARDEN\"}\n"
        "{\"id\":\"g5\",\"text\":\"mulch weeds soil roses\","
        "\"code\":\"GARDEN\"}\n";
    char text[sizeof sea_court + sizeof garden];
    snprintf(text, sizeof text, "%s%s", sea_court, with_garden ? garden : "");
    return test_corpus(text, "same.jsonl");
}

/* Themes of c at k by the agglomerative clusterer, words as they are, no
 * LSA, with coded; fails the test when the run does. */
static quarry_themes *run(quarry_engine *e, const quarry_corpus *c,
                          const quarry_corpus *coded, int32_t k)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    po.stemmer = "none";
    po.lexicon = "none";
    po.stopwords = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    to.k = k;
    to.dims = 0;
    to.clusterer = "agglomerative";
    to.coded = coded;
    if (quarry_themes_run(&t, e, &po, &to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    return t;
}

static int32_t count_new(const quarry_themes *t)
{
    int32_t i, n = 0;
    for (i = 0; i < quarry_themes_count(t); i++) {
        n += quarry_themes_at(t, i)->is_new;
        /* a gathered theme is always new */
        if (quarry_themes_at(t, i)->fits_no_code)
            assert_true(quarry_themes_at(t, i)->is_new);
    }
    return n;
}

/* The garden theme is gathered and new; exactly the garden excerpts. */
static void expect_garden_new(const quarry_themes *t, const quarry_corpus *c)
{
    const quarry_theme *g = theme_of(t, c, "g1");
    assert_int_equal(g->size, 5);
    assert_ptr_equal(g, theme_of(t, c, "g5"));
    assert_true(g->fits_no_code);
    assert_true(g->is_new);
    test_near(g->covered, 0.0, 1e-12);
    assert_int_equal(g->unlike, 5);
    assert_false(theme_of(t, c, "s1")->is_new);
    assert_false(theme_of(t, c, "j1")->is_new);
    assert_int_equal(count_new(t), 1);
}

/* New material: the coded excerpts are others, the garden was never
 * coded. Even at k = 2, where the clusterer puts the garden excerpts in
 * with another topic, they come out as a theme of their own. */
static void left_out_topic_of_new_material(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(three_topics, "three.jsonl");
    quarry_corpus *coded = other_coded(0);
    quarry_themes *t;
    (void)state;
    t = run(e, c, coded, 3);
    assert_int_equal(quarry_themes_count(t), 3);
    expect_garden_new(t, c);
    quarry_themes_free(t);
    t = run(e, c, coded, 2);
    expect_garden_new(t, c);
    assert_ptr_not_equal(theme_of(t, c, "s1"), theme_of(t, c, "g1"));
    assert_ptr_not_equal(theme_of(t, c, "j1"), theme_of(t, c, "g1"));
    quarry_themes_free(t);
    quarry_corpus_free(coded);
    /* every topic coded: nothing is gathered, nothing is new */
    coded = other_coded(1);
    t = run(e, c, coded, 3);
    assert_int_equal(quarry_themes_count(t), 3);
    assert_int_equal(count_new(t), 0);
    assert_int_equal(theme_of(t, c, "g1")->unlike, 0);
    quarry_themes_free(t);
    quarry_corpus_free(coded);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* The coded material itself (coded by id), with the garden's code left
 * out of the coding: the garden excerpts are the uncoded ones and are
 * gathered. Every topic coded: no theme is new, whatever the k. */
static void left_out_code_of_the_same_material(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(three_topics, "three.jsonl");
    quarry_corpus *coded = same_coded(0);
    quarry_themes *t;
    int32_t k;
    (void)state;
    t = run(e, c, coded, 2);
    expect_garden_new(t, c);
    quarry_themes_free(t);
    quarry_corpus_free(coded);
    coded = same_coded(1);
    for (k = 2; k <= 4; k++) {
        int32_t i;
        t = run(e, c, coded, k);
        assert_int_equal(count_new(t), 0);
        for (i = 0; i < quarry_themes_count(t); i++)
            test_near(quarry_themes_at(t, i)->covered, 1.0, 1e-12);
        quarry_themes_free(t);
    }
    quarry_corpus_free(coded);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* A single code coded (SEA): there is no other code to be apart from,
 * so a cluster is new when it is no nearer to SEA than SEA's own excerpts
 * are; the court and the garden talk are two new themes. */
static void single_code_leaves_two_topics_new(void **state)
{
    static const char sea[] =
        "{\"id\":\"k1\",\"text\":\"boat sail harbour\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k2\",\"text\":\"sail boat wind\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k3\",\"text\":\"harbour tide boat\",\"code\":\"SEA\"}\n";
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(three_topics, "three.jsonl");
    quarry_corpus *coded = test_corpus(sea, "sea.jsonl");
    quarry_themes *t;
    const quarry_theme *court, *garden;
    (void)state;
    t = run(e, c, coded, 3);
    court = theme_of(t, c, "j1");
    garden = theme_of(t, c, "g1");
    assert_ptr_not_equal(court, garden);
    assert_int_equal(court->size, 5);
    assert_int_equal(garden->size, 5);
    assert_true(court->fits_no_code);
    assert_true(garden->fits_no_code);
    assert_false(theme_of(t, c, "s1")->is_new);
    assert_int_equal(count_new(t), 2);
    quarry_themes_free(t);
    quarry_corpus_free(coded);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* One coded excerpt: suggest has nothing to calibrate on, so nothing is
 * said to fit no code, and the run still succeeds. */
static void one_coded_excerpt_gathers_nothing(void **state)
{
    static const char one[] =
        "{\"id\":\"k1\",\"text\":\"boat sail harbour\",\"code\":\"SEA\"}\n";
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(three_topics, "three.jsonl");
    quarry_corpus *coded = test_corpus(one, "one.jsonl");
    quarry_themes *t;
    int32_t i;
    (void)state;
    t = run(e, c, coded, 3);
    assert_int_equal(quarry_themes_count(t), 3);
    for (i = 0; i < quarry_themes_count(t); i++)
        assert_false(quarry_themes_at(t, i)->fits_no_code);
    quarry_themes_free(t);
    quarry_corpus_free(coded);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(left_out_topic_of_new_material),
        cmocka_unit_test(left_out_code_of_the_same_material),
        cmocka_unit_test(single_code_leaves_two_topics_new),
        cmocka_unit_test(one_coded_excerpt_gathers_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
