/*
 * test_themes.c -- quarry_themes_run beyond k-means: k = 0 lets the
 * clusterer choose (silhouette does, kmeans and agglomerative refuse), a
 * clusterer's noise label leaves excerpts out and is counted, lexicon
 * phrases label the theme they distinguish, coded excerpts are matched to
 * themes by id and by nearest centroid with counts, shares, coverage and
 * "new" (more in test_labels.c), and
 * themes are grouped into higher themes. Older option structs (versions 1
 * and 2) are read only as far as they go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

/* Four topics, six excerpts each; topics A and B share a vocabulary
 * ("boat ...") as do C and D ("court ..."), so two groups are natural. */
static const char four_topics[] =
    "{\"id\":\"a1\",\"text\":\"boat sail harbour wind mast\"}\n"
    "{\"id\":\"a2\",\"text\":\"sail boat harbour mast wind\"}\n"
    "{\"id\":\"a3\",\"text\":\"harbour sail boat wind mast\"}\n"
    "{\"id\":\"a4\",\"text\":\"mast wind boat sail harbour\"}\n"
    "{\"id\":\"a5\",\"text\":\"wind mast sail harbour boat\"}\n"
    "{\"id\":\"a6\",\"text\":\"boat harbour mast sail wind\"}\n"
    "{\"id\":\"b1\",\"text\":\"boat sail engine fuel propeller\"}\n"
    "{\"id\":\"b2\",\"text\":\"engine boat fuel sail propeller\"}\n"
    "{\"id\":\"b3\",\"text\":\"fuel propeller engine boat sail\"}\n"
    "{\"id\":\"b4\",\"text\":\"propeller engine boat fuel sail\"}\n"
    "{\"id\":\"b5\",\"text\":\"sail fuel propeller engine boat\"}\n"
    "{\"id\":\"b6\",\"text\":\"engine propeller sail boat fuel\"}\n"
    "{\"id\":\"c1\",\"text\":\"court judge verdict jury trial\"}\n"
    "{\"id\":\"c2\",\"text\":\"judge court jury verdict trial\"}\n"
    "{\"id\":\"c3\",\"text\":\"verdict trial court judge jury\"}\n"
    "{\"id\":\"c4\",\"text\":\"jury verdict judge trial court\"}\n"
    "{\"id\":\"c5\",\"text\":\"trial jury court verdict judge\"}\n"
    "{\"id\":\"c6\",\"text\":\"court trial verdict judge jury\"}\n"
    "{\"id\":\"d1\",\"text\":\"court judge lawyer appeal bail\"}\n"
    "{\"id\":\"d2\",\"text\":\"lawyer court appeal judge bail\"}\n"
    "{\"id\":\"d3\",\"text\":\"appeal bail lawyer court judge\"}\n"
    "{\"id\":\"d4\",\"text\":\"bail appeal court lawyer judge\"}\n"
    "{\"id\":\"d5\",\"text\":\"judge lawyer bail appeal court\"}\n"
    "{\"id\":\"d6\",\"text\":\"court bail judge appeal lawyer\"}\n";

static void plain_pipeline(quarry_pipeline_options *po)
{
    po->stemmer = "none";
    po->lexicon = "none";
    po->max_df = 1.0;
    po->min_df = 1;
}

/* The theme holding the excerpt with this id. */
static const quarry_theme *theme_of(const quarry_themes *t,
                                    const quarry_corpus *c, const char *id)
{
    for (int32_t i = 0; i < quarry_themes_count(t); i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        for (int64_t m = 0; m < th->size; m++)
            if (strcmp(quarry_corpus_at(c, (size_t)th->members[m])->id, id) ==
                0)
                return th;
    }
    fail_msg("no theme holds %s", id);
    return NULL;
}

/* Same theme iff same first letter of the id (the topic). */
static void expect_topics(const quarry_themes *t, const quarry_corpus *c)
{
    int64_t total = 0;
    for (int32_t i = 0; i < quarry_themes_count(t); i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        char topic = quarry_corpus_at(c, (size_t)th->members[0])->id[0];
        total += th->size;
        for (int64_t m = 0; m < th->size; m++)
            assert_int_equal(quarry_corpus_at(c, (size_t)th->members[m])->id[0],
                             topic);
    }
    assert_int_equal(total, (int64_t)quarry_corpus_size(c));
}

static void auto_k_silhouette(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(four_topics, "four.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    plain_pipeline(&po);
    to.k = 0;
    to.clusterer = "silhouette";
    if (quarry_themes_run(&t, e, &po, &to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    assert_int_equal(quarry_themes_count(t), 4);
    expect_topics(t, c);
    assert_int_equal(quarry_themes_unassigned(t), 0);
    assert_int_equal(quarry_themes_group_count(t), 0);
    assert_int_equal(quarry_themes_at(t, 0)->group, -1);
    assert_null(quarry_themes_at(t, 0)->codes);
    quarry_themes_free(t);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void auto_k_refused_by_fixed_k_clusterers(void **state)
{
    static const char *const names[] = {"kmeans", "agglomerative"};
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(four_topics, "four.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    plain_pipeline(&po);
    to.k = 0;
    for (int i = 0; i < 2; i++) {
        to.clusterer = names[i];
        assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
        assert_null(t);
        assert_non_null(strstr(quarry_engine_errmsg(e), names[i]));
        assert_non_null(strstr(quarry_engine_errmsg(e), "choose"));
    }
    to.k = 1;
    to.clusterer = "agglomerative";
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "or 0 for the clusterer"));
    /* agglomerative with k given: the four topics */
    to.k = 4;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), 0);
    expect_topics(t, c);
    quarry_themes_free(t);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* A clusterer of this test: rows 0 and 1 are noise (-1), the others go
 * to cluster row % 2. */
static int noisy_cluster(void *self, const quarry_cluster_input *in,
                         quarry_cluster_output *out, char *err)
{
    (void)self;
    (void)err;
    for (int64_t i = 0; i < in->x->rows; i++)
        out->labels[i] = i < 2 ? -1 : (int32_t)(i % 2);
    out->n_clusters = 2;
    return QUARRY_OK;
}

static const quarry_option noisy_options[] = {QUARRY_OPTIONS_END};
static const quarry_plugin noisy_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "noisy",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "labels two rows as noise",
    .options = noisy_options,
    .needs = QUARRY_NEEDS_SPARSE,
    .cluster = noisy_cluster,
};
static const quarry_plugin *const noisy_all[] = {&noisy_plugin, NULL};
static const quarry_plugin *const *noisy_entry(void)
{
    return noisy_all;
}

static void noise_is_left_out(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(four_topics, "four.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    plain_pipeline(&po);
    assert_int_equal(quarry_engine_register(e, noisy_entry, "test"), 0);
    to.k = 0;
    to.clusterer = "noisy";
    if (quarry_themes_run(&t, e, &po, &to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    assert_int_equal(quarry_themes_unassigned(t), 2);
    assert_int_equal(quarry_themes_count(t), 2);
    assert_int_equal(
        quarry_themes_at(t, 0)->size + quarry_themes_at(t, 1)->size, 22);
    for (int32_t i = 0; i < 2; i++) /* rows 0 and 1 are in no theme */
        assert_true(quarry_themes_at(t, i)->members[0] >= 2);
    quarry_themes_free(t);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* With the PSS lexicon, "lived experience" is one term, and it labels the
 * theme where it is frequent and distinctive. */
static void lexicon_phrase_labels_its_theme(void **state)
{
    static const char text[] = "{\"id\":\"l1\",\"text\":\"My lived experience "
                               "is my tool, lived experience.\"}\n"
                               "{\"id\":\"l2\",\"text\":\"Lived experience "
                               "matters; lived experience heals.\"}\n"
                               "{\"id\":\"l3\",\"text\":\"They value lived "
                               "experience, my lived experience.\"}\n"
                               "{\"id\":\"r1\",\"text\":\"The roster and the "
                               "rota changed the shifts again.\"}\n"
                               "{\"id\":\"r2\",\"text\":\"Shifts on the rota, "
                               "roster changes every week.\"}\n"
                               "{\"id\":\"r3\",\"text\":\"Roster, rota, "
                               "shifts: the week is planned.\"}\n";
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(text, "lex.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    po.max_df = 1.0;
    po.min_df = 1;
    to.k = 2;
    to.n_terms = 1;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), 0);
    const quarry_theme *th = theme_of(t, c, "l1");
    assert_int_equal(th->n_terms, 1);
    assert_string_equal(th->terms[0], "lived experience");
    quarry_themes_free(t);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* Coded excerpts: a1, a2, b1 by id (their themes are known), x1 and x2 by
 * nearest centroid (court words: a C theme; boat engine words: B), y1
 * with no shared term is unmatched, u1 has no code and is ignored. */
static void coded_overlap_and_new(void **state)
{
    static const char coded_text[] =
        "{\"id\":\"a1\",\"text\":\"-\",\"code\":\"SAILING\"}\n"
        "{\"id\":\"a2\",\"text\":\"-\",\"code\":[\"SAILING\",\"WEATHER\"]}\n"
        "{\"id\":\"a3\",\"text\":\"-\",\"code\":\"SAILING\"}\n"
        "{\"id\":\"b1\",\"text\":\"-\",\"code\":\"ENGINES\"}\n"
        "{\"id\":\"b2\",\"text\":\"-\",\"code\":\"SAILING\"}\n"
        "{\"id\":\"b3\",\"text\":\"-\",\"code\":\"WEATHER\"}\n"
        "{\"id\":\"b4\",\"text\":\"-\",\"code\":\"HARBOUR\"}\n"
        "{\"id\":\"x1\",\"text\":\"verdict jury trial\",\"code\":\"COURTS\"}\n"
        "{\"id\":\"y1\",\"text\":\"zebra\",\"code\":\"COURTS\"}\n"
        "{\"id\":\"u1\",\"text\":\"boat sail harbour\"}\n";
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(four_topics, "four.jsonl");
    quarry_corpus *coded = test_corpus(coded_text, "coded.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    const quarry_theme *a, *b, *cc, *d;
    (void)state;
    plain_pipeline(&po);
    to.k = 4;
    to.clusterer = "agglomerative";
    to.coded = coded;
    to.n_codes = 2;
    to.min_share = 0.5;
    if (quarry_themes_run(&t, e, &po, &to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    expect_topics(t, c);
    a = theme_of(t, c, "a1");
    b = theme_of(t, c, "b1");
    cc = theme_of(t, c, "c1");
    d = theme_of(t, c, "d1");
    /* A: a1 a2 a3 -> SAILING 3/3, WEATHER 1/3 */
    assert_int_equal(a->n_coded, 3);
    assert_int_equal(a->n_codes, 2);
    assert_string_equal(a->codes[0], "SAILING");
    assert_int_equal(a->code_counts[0], 3);
    test_near(a->code_shares[0], 1.0, 1e-12);
    assert_string_equal(a->codes[1], "WEATHER");
    assert_int_equal(a->code_counts[1], 1);
    test_near(a->code_shares[1], 1.0 / 3.0, 1e-12);
    assert_false(a->is_new);
    /* B: four codes once each (ties go by code name); its members are
     * coded or like a code, so it is not new however mixed its codes */
    assert_int_equal(b->n_coded, 4);
    assert_int_equal(b->n_codes, 2);
    assert_string_equal(b->codes[0], "ENGINES");
    assert_string_equal(b->codes[1], "HARBOUR");
    test_near(b->code_shares[0], 0.25, 1e-12);
    assert_true(b->covered >= 0.5);
    assert_false(b->is_new);
    /* C: x1 by its words */
    assert_int_equal(cc->n_coded, 1);
    assert_string_equal(cc->codes[0], "COURTS");
    assert_false(cc->is_new);
    /* D: nothing coded, and no word of a code: new */
    test_near(d->covered, 0.0, 1e-12);
    assert_int_equal(d->n_coded, 0);
    assert_int_equal(d->n_codes, 0);
    assert_true(d->is_new);
    assert_int_equal(quarry_themes_unmatched(t), 1); /* y1 */
    quarry_themes_free(t);

    to.min_share = 0.0;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    quarry_corpus_free(coded);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void groups_join_related_themes(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(four_topics, "four.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    plain_pipeline(&po);
    to.k = 4;
    to.groups = 2;
    to.n_terms = 2;
    if (quarry_themes_run(&t, e, &po, &to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    expect_topics(t, c);
    assert_int_equal(quarry_themes_group_count(t), 2);
    assert_int_equal(theme_of(t, c, "a1")->group, theme_of(t, c, "b1")->group);
    assert_int_equal(theme_of(t, c, "c1")->group, theme_of(t, c, "d1")->group);
    assert_int_not_equal(theme_of(t, c, "a1")->group,
                         theme_of(t, c, "c1")->group);
    /* group 0 holds theme 0; each group lists its themes, sizes add up,
     * and its label is the shared word */
    assert_int_equal(quarry_themes_at(t, 0)->group, 0);
    for (int32_t g = 0; g < 2; g++) {
        const quarry_theme_group *gr = quarry_themes_group_at(t, g);
        assert_int_equal(gr->id, g);
        assert_int_equal(gr->n_themes, 2);
        assert_int_equal(gr->size, 12);
        for (int32_t i = 0; i < gr->n_themes; i++)
            assert_int_equal(quarry_themes_at(t, gr->themes[i])->group, g);
        assert_true(gr->n_terms >= 1);
    }
    const quarry_theme_group *boats =
        quarry_themes_group_at(t, theme_of(t, c, "a1")->group);
    int found = 0;
    for (int32_t i = 0; i < boats->n_terms; i++)
        found |= strcmp(boats->terms[i], "boat") == 0 ||
                 strcmp(boats->terms[i], "sail") == 0;
    assert_true(found);
    assert_null(quarry_themes_group_at(t, 2));
    quarry_themes_free(t);

    /* more groups than themes: one group per theme */
    to.groups = 9;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), 0);
    assert_int_equal(quarry_themes_group_count(t), 4);
    quarry_themes_free(t);
    to.groups = -1;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* A version 2 caller's struct ends before coded: whatever follows in
 * memory is not read (here: values that would be refused). */
static void older_options_are_read_as_far_as_they_go(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(four_topics, "four.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    plain_pipeline(&po);
    to.k = 4;
    to.coded = (const quarry_corpus *)(uintptr_t)1; /* never dereferenced */
    to.groups = -7;
    to.min_share = -1.0;
    for (uint32_t v = 1; v <= 2; v++) {
        to.version = v;
        if (quarry_themes_run(&t, e, &po, &to, c) != 0)
            fail_msg("version %u: %s", v, quarry_engine_errmsg(e));
        assert_int_equal(quarry_themes_count(t), 4);
        assert_int_equal(quarry_themes_group_count(t), 0);
        assert_null(quarry_themes_at(t, 0)->codes);
        quarry_themes_free(t);
    }
    to.version = 99;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_EINVAL);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auto_k_silhouette),
        cmocka_unit_test(auto_k_refused_by_fixed_k_clusterers),
        cmocka_unit_test(noise_is_left_out),
        cmocka_unit_test(lexicon_phrase_labels_its_theme),
        cmocka_unit_test(coded_overlap_and_new),
        cmocka_unit_test(groups_join_related_themes),
        cmocka_unit_test(older_options_are_read_as_far_as_they_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
