/*
 * test_heldout.c -- the expected error of a batch accept measured on the
 * coded excerpts a run held out when it calibrated: quarry suggest stores
 * each held-out excerpt's top confidence and whether its top code was
 * right (the calibration table, schema 4), and
 * quarry_project_accept_above reports the error at a confidence on them,
 * beside the error among the suggestions people decided. A run from the
 * codebook alone holds nothing out: the figure is unknown (NaN).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quarry/quarry.h"
#include "test_files.h"
#include "test_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

/* Four clear excerpts of each of three codes and one coded "fruit" in the words of
 * "travel" (its held-out top code is wrong), then three to suggest for. */
static const char coded[] =
    "{\"id\": \"f1\", \"text\": \"apple banana cherry orchard\","
    " \"code\": \"fruit\"}\n"
    "{\"id\": \"f2\", \"text\": \"banana cherry plum orchard\","
    " \"code\": \"fruit\"}\n"
    "{\"id\": \"f3\", \"text\": \"apple plum cherry harvest\","
    " \"code\": \"fruit\"}\n"
    "{\"id\": \"f4\", \"text\": \"apple banana plum harvest\","
    " \"code\": \"fruit\"}\n"
    "{\"id\": \"t1\", \"text\": \"train bus ticket station\","
    " \"code\": \"travel\"}\n"
    "{\"id\": \"t2\", \"text\": \"bus ticket platform station\","
    " \"code\": \"travel\"}\n"
    "{\"id\": \"t3\", \"text\": \"train platform ticket journey\","
    " \"code\": \"travel\"}\n"
    "{\"id\": \"t4\", \"text\": \"train bus journey platform\","
    " \"code\": \"travel\"}\n"
    "{\"id\": \"w1\", \"text\": \"rain snow cloud wind\","
    " \"code\": \"weather\"}\n"
    "{\"id\": \"w2\", \"text\": \"snow cloud storm frost\","
    " \"code\": \"weather\"}\n"
    "{\"id\": \"w3\", \"text\": \"rain wind storm frost\","
    " \"code\": \"weather\"}\n"
    "{\"id\": \"w4\", \"text\": \"rain snow storm cloud\","
    " \"code\": \"weather\"}\n"
    "{\"id\": \"trap\", \"text\": \"train bus ticket platform\","
    " \"code\": \"fruit\"}\n"
    "{\"id\": \"n1\", \"text\": \"cherry apple plum\"}\n"
    "{\"id\": \"n2\", \"text\": \"ticket train station\"}\n"
    "{\"id\": \"n3\", \"text\": \"banana harvest orchard\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "heldout");
    test_write_file(tmp("coded.jsonl"), coded);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static quarry_project *suggested(const char *name, quarry_engine *e)
{
    quarry_project *p = NULL;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_run_info info;
    unlink(tmp(name));
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_create(p, tmp(name)), QUARRY_OK);
    io.coder = "ana";
    if (quarry_project_import(p, tmp("coded.jsonl"), &io, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    po.min_df = 1;
    po.max_df = 1.0;
    if (quarry_project_suggest(p, e, &po, NULL, NULL, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.train, 13);
    assert_int_equal(info.input, 3);
    return p;
}

static void heldout_error_of_a_run(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = suggested("h.quarry", e);
    quarry_batch_info b0, b5, b1;
    (void)state;
    /* Every coded excerpt was held out once; the trap's top is wrong. */
    assert_int_equal(quarry_project_accept_above(p, "bot", 0.0, 1, &b0),
                     QUARRY_OK);
    assert_int_equal(b0.heldout, 13);
    assert_true(b0.heldout_wrong >= 1 && b0.heldout_wrong <= 2);
    assert_true(fabs(b0.heldout_error -
                     (double)b0.heldout_wrong / 13.0) < 1e-12);
    /* Nobody decided anything: the second figure is unknown. */
    assert_int_equal(b0.checked, 0);
    assert_true(isnan(b0.error));
    /* Fewer held-out excerpts at a higher confidence. */
    assert_int_equal(quarry_project_accept_above(p, "bot", 0.5, 1, &b5),
                     QUARRY_OK);
    assert_int_equal(quarry_project_accept_above(p, "bot", 1.0, 1, &b1),
                     QUARRY_OK);
    assert_true(b5.heldout <= b0.heldout && b1.heldout <= b5.heldout);
    assert_true(b5.heldout_wrong <= b0.heldout_wrong);
    if (b1.heldout == 0)
        assert_true(isnan(b1.heldout_error));
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void engine_heldout_rows(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = suggested("engine.quarry", e);
    quarry_corpus *train = NULL, *input = NULL;
    quarry_suggestions *s = NULL;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    const double *conf = NULL;
    const int *hit = NULL;
    int64_t n, i;
    (void)state;
    po.min_df = 1;
    po.max_df = 1.0;
    assert_int_equal(quarry_project_corpus(p, QUARRY_SUBSET_CODED, &train),
                     QUARRY_OK);
    assert_int_equal(
        quarry_project_corpus(p, QUARRY_SUBSET_UNCODED, &input), QUARRY_OK);
    if (quarry_suggest_run(&s, e, &po, &so, train, input) != QUARRY_OK)
        fail_msg("%s", quarry_engine_errmsg(e));
    n = quarry_suggestions_heldout(s, &conf, &hit);
    assert_int_equal(n, 13); /* the training rows, in order */
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(train, (size_t)i);
        assert_true(conf[i] > 0.0 && conf[i] <= 1.0);
        if (strcmp(x->id, "trap") == 0)
            assert_int_equal(hit[i], 0);
    }
    assert_int_equal(quarry_suggestions_heldout(NULL, &conf, &hit), 0);
    assert_null(conf);
    quarry_suggestions_free(s);
    quarry_corpus_free(train);
    quarry_corpus_free(input);
    quarry_project_free(p);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heldout_error_of_a_run),
        cmocka_unit_test(engine_heldout_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
