/*
 * test_synth.c -- the meta-synthesis table (synth.c) on a small coded set
 * worked by hand (tests/data/metrics/synth*.json*): codes rolled up to the
 * themes under a single root, a code used above the theme level, an
 * excerpt with two codes under one theme counted once, distinct
 * participants, totals, excerpts without a code, and the errors that name
 * the file, line and field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/quarry.h"
#include "test_util.h"

#define DATA QUARRY_TEST_DATA_DIR "/metrics/"

static quarry_corpus *read_file(const char *path)
{
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    assert_int_equal(quarry_corpus_new(&c), 0);
    if (quarry_corpus_read_file(c, path, &ro) != 0)
        fail_msg("%s", quarry_corpus_errmsg(c));
    return c;
}

/* Row r, study j: excerpts and participants as expected. */
static void cell(const quarry_synth *s, int32_t r, int32_t j, int64_t ex,
                 int64_t parts)
{
    const quarry_synth_cell *c = quarry_synth_cell_at(s, r, j);
    assert_non_null(c);
    if (c->excerpts != ex || c->participants != parts)
        fail_msg("cell (%d, %d): %lld (%lld), want %lld (%lld)", r, j,
                 (long long)c->excerpts, (long long)c->participants,
                 (long long)ex, (long long)parts);
}

static void test_themes(void **state)
{
    quarry_engine *e = test_engine();
    quarry_codebook *cb = NULL;
    quarry_corpus *c = read_file(DATA "synth.jsonl");
    quarry_synth_options o = QUARRY_SYNTH_OPTIONS_INIT;
    quarry_synth *s = NULL;
    (void)state;
    assert_int_equal(quarry_codebook_load(&cb, e, DATA "synth-codebook.json"),
                     0);
    o.codebook = cb;
    assert_int_equal(quarry_synth_run(&s, e, c, &o), 0);
    /* Themes under the root in codebook order (c listed though unused),
     * then the root, used directly by excerpt 5. */
    assert_int_equal(quarry_synth_n_rows(s), 4);
    assert_string_equal(quarry_synth_row_id(s, 0), "a");
    assert_string_equal(quarry_synth_row_name(s, 0), "Theme A");
    assert_string_equal(quarry_synth_row_id(s, 1), "b");
    assert_string_equal(quarry_synth_row_id(s, 2), "c");
    assert_string_equal(quarry_synth_row_id(s, 3), "root");
    assert_null(quarry_synth_row_id(s, 4));
    assert_int_equal(quarry_synth_n_studies(s), 2);
    assert_string_equal(quarry_synth_study(s, 0), "S1");
    assert_string_equal(quarry_synth_study(s, 1), "S2");
    /* Theme A in S2: excerpts 1 (a1 and a2: once), 2, 3; p1 and p2. */
    cell(s, 0, 0, 0, 0);
    cell(s, 0, 1, 3, 2);
    cell(s, 0, 2, 3, 2);
    assert_int_equal(quarry_synth_cell_at(s, 0, 2)->studies, 1);
    cell(s, 1, 0, 1, 1);
    cell(s, 1, 1, 1, 1);
    cell(s, 1, 2, 2, 2);
    assert_int_equal(quarry_synth_cell_at(s, 1, 2)->studies, 2);
    cell(s, 2, 2, 0, 0);
    assert_int_equal(quarry_synth_cell_at(s, 2, 2)->studies, 0);
    cell(s, 3, 0, 1, 1);
    /* Study totals count each excerpt once (excerpt 3 is in A and B). */
    cell(s, 4, 0, 2, 1);
    cell(s, 4, 1, 3, 2);
    cell(s, 4, 2, 5, 3);
    assert_int_equal(quarry_synth_cell_at(s, 4, 2)->studies, 2);
    assert_null(quarry_synth_cell_at(s, 5, 0));
    assert_null(quarry_synth_cell_at(s, 0, 3));
    assert_int_equal(quarry_synth_uncoded(s), 1);
    quarry_synth_free(s);
    s = NULL;

    /* By code: the leaves (c is one), then the root used directly. */
    o.level = QUARRY_SYNTH_CODE;
    o.participant_field = NULL;
    assert_int_equal(quarry_synth_run(&s, e, c, &o), 0);
    assert_int_equal(quarry_synth_n_rows(s), 5);
    assert_string_equal(quarry_synth_row_id(s, 0), "a1");
    assert_string_equal(quarry_synth_row_id(s, 1), "a2");
    assert_string_equal(quarry_synth_row_id(s, 2), "b1");
    assert_string_equal(quarry_synth_row_id(s, 3), "c");
    assert_string_equal(quarry_synth_row_id(s, 4), "root");
    cell(s, 0, 1, 3, 0); /* no participants counted */
    cell(s, 1, 1, 1, 0);
    cell(s, 2, 2, 2, 0);
    quarry_synth_free(s);
    quarry_codebook_free(cb);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void test_two_roots_and_no_codebook(void **state)
{
    quarry_engine *e = test_engine();
    quarry_codebook *cb = NULL;
    quarry_corpus *c = test_corpus(
        "{\"id\":\"1\",\"study\":\"T\",\"participant\":\"q\",\"text\":\"a\","
        "\"code\":\"x1\"}\n"
        "{\"id\":\"2\",\"study\":\"T\",\"participant\":\"r\",\"text\":\"b\","
        "\"code\":\"y\"}\n",
        "two.jsonl");
    quarry_synth_options o = QUARRY_SYNTH_OPTIONS_INIT;
    quarry_synth *s = NULL;
    (void)state;
    assert_int_equal(quarry_codebook_load(&cb, e, DATA "synth-flat.json"), 0);
    o.codebook = cb;
    /* Two roots: the roots are the themes. */
    assert_int_equal(quarry_synth_run(&s, e, c, &o), 0);
    assert_int_equal(quarry_synth_n_rows(s), 2);
    assert_string_equal(quarry_synth_row_id(s, 0), "x");
    assert_string_equal(quarry_synth_row_id(s, 1), "y");
    cell(s, 0, 0, 1, 1);
    cell(s, 1, 0, 1, 1);
    quarry_synth_free(s);
    s = NULL;
    /* No codebook: codes sorted by id; themes need a codebook. */
    o.codebook = NULL;
    assert_int_equal(quarry_synth_run(&s, e, c, &o), QUARRY_EINVAL);
    assert_null(s);
    o.level = QUARRY_SYNTH_CODE;
    assert_int_equal(quarry_synth_run(&s, e, c, &o), 0);
    assert_int_equal(quarry_synth_n_rows(s), 2);
    assert_string_equal(quarry_synth_row_id(s, 0), "x1");
    assert_string_equal(quarry_synth_row_name(s, 0), "x1");
    quarry_synth_free(s);
    quarry_codebook_free(cb);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* Participants are people of a study: S1's P01 and S2's P01 are two. An
 * interview transcript's excerpts without a participant count under the
 * transcript, one person a file. */
static void test_participants_within_studies(void **state)
{
    static const char lines[] =
        "{\"id\":\"1\",\"text\":\"a\",\"code\":\"x\",\"study\":\"S1\","
        "\"participant\":\"P01\"}\n"
        "{\"id\":\"2\",\"text\":\"b\",\"code\":\"x\",\"study\":\"S2\","
        "\"participant\":\"P01\"}\n"
        "{\"id\":\"3\",\"text\":\"c\",\"code\":\"x\",\"study\":\"S2\","
        "\"source\":\"P07.docx\"}\n"
        "{\"id\":\"4\",\"text\":\"d\",\"code\":\"x\",\"study\":\"S2\","
        "\"source\":\"P07.docx\"}\n"
        "{\"id\":\"5\",\"text\":\"e\",\"code\":\"x\",\"study\":\"S2\","
        "\"source\":\"P08.txt\"}\n";
    quarry_engine *e = test_engine();
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_synth_options o = QUARRY_SYNTH_OPTIONS_INIT;
    quarry_synth *s = NULL;
    (void)state;
    assert_int_equal(quarry_corpus_new(&c), 0);
    assert_int_equal(quarry_corpus_read_buffer(c, lines, strlen(lines),
                                               "p.jsonl", &ro),
                     0);
    o.level = QUARRY_SYNTH_CODE;
    assert_int_equal(quarry_synth_run(&s, e, c, &o), 0);
    cell(s, 0, 0, 1, 1);
    cell(s, 0, 1, 4, 3); /* P01, P07.docx, P08.txt */
    cell(s, 0, 2, 5, 4); /* the total: two P01s */
    assert_int_equal(quarry_synth_by_source(s), 3);
    quarry_synth_free(s);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void test_errors(void **state)
{
    quarry_engine *e = test_engine();
    quarry_codebook *cb = NULL;
    quarry_corpus *c = read_file(DATA "synth-no-study.jsonl");
    quarry_corpus *u = read_file(DATA "synth-unknown-code.jsonl");
    quarry_synth_options o = QUARRY_SYNTH_OPTIONS_INIT;
    quarry_synth *s = NULL;
    (void)state;
    assert_int_equal(quarry_codebook_load(&cb, e, DATA "synth-codebook.json"),
                     0);
    o.codebook = cb;
    assert_int_equal(quarry_synth_run(&s, e, c, &o), QUARRY_EINVAL);
    assert_null(s);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           "synth-no-study.jsonl: excerpt \"2\": field \"study\""));
    o.study_field = "participant";
    o.participant_field = "nosuch";
    assert_int_equal(quarry_synth_run(&s, e, c, &o), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           ": excerpt \"1\": field \"nosuch\""));
    o.study_field = "study";
    o.participant_field = "participant";
    assert_int_equal(quarry_synth_run(&s, e, u, &o), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           "synth-unknown-code.jsonl: excerpt \"2\": field \"code\": "
                           "\"zz\""));
    o.version = 7;
    assert_int_equal(quarry_synth_run(&s, e, u, &o), QUARRY_EINVAL);
    quarry_codebook_free(cb);
    quarry_corpus_free(c);
    quarry_corpus_free(u);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_themes),
        cmocka_unit_test(test_two_roots_and_no_codebook),
        cmocka_unit_test(test_participants_within_studies),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
