/*
 * test_review_speakers.c -- whose turns the review queue holds
 * (quarry_project_set_review_speakers): by default interviewer turns are
 * left out, even when a run suggested for them (suggest --speakers all),
 * and counted (quarry_project_review_left_out); all keeps every turn,
 * interviewers only theirs; the same in the disagreements queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
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

static const char coded[] =
    "{\"id\": \"c1\", \"text\": \"my peers get it\", \"code\": \"peers\"}\n"
    "{\"id\": \"c2\", \"text\": \"peers at the group\", \"code\": \"peers\"}\n"
    "{\"id\": \"c3\", \"text\": \"too many cases today\","
    " \"code\": \"workload\"}\n"
    "{\"id\": \"c4\", \"text\": \"cases and more cases\","
    " \"code\": \"workload\"}\n"
    "{\"id\": \"c5\", \"text\": \"my supervisor listens\","
    " \"code\": \"supervision\"}\n"
    "{\"id\": \"c6\", \"text\": \"supervisor every week\","
    " \"code\": \"supervision\"}\n";
/* Two questions and two answers, none coded yet. */
static const char turns[] =
    "{\"id\": \"q1\", \"text\": \"Who is your supervisor?\","
    " \"role\": \"Interviewer\"}\n"
    "{\"id\": \"a1\", \"text\": \"my supervisor listens to my cases\","
    " \"role\": \"participant\"}\n"
    "{\"id\": \"q2\", \"text\": \"And your peers?\","
    " \"role\": \"interviewer\"}\n"
    "{\"id\": \"a2\", \"text\": \"peers at the group get it\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "rspk");
    test_write_file(tmp("coded.jsonl"), coded);
    test_write_file(tmp("turns.jsonl"), turns);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

/* The queue of coder: the first excerpt ("" when none), remaining and
 * total in g, and the turns left out. */
static char *queue(quarry_project *p, const char *coder,
                   quarry_review_progress *g, int64_t *left)
{
    const quarry_review_item *it = NULL;
    if (quarry_project_review_left_out(p, coder, left) != QUARRY_OK ||
        quarry_project_review_next_skipping(p, coder, NULL, 0, &it, g) !=
            QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return strdup(it ? it->excerpt : "");
}

static void interviewer_turns_left_out(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = NULL;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_project_suggest_options ps = QUARRY_PROJECT_SUGGEST_OPTIONS_INIT;
    quarry_run_info info;
    quarry_review_progress g;
    int64_t left = -1;
    char *x;
    (void)state;
    unlink(tmp("s.quarry"));
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_create(p, tmp("s.quarry")), QUARRY_OK);
    io.coder = "gold";
    if (quarry_project_import(p, tmp("coded.jsonl"), &io, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    io.coder = NULL;
    if (quarry_project_import(p, tmp("turns.jsonl"), &io, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    po.min_df = 1;
    po.max_df = 1.0;
    ps.speakers = QUARRY_SPEAKERS_ALL; /* suggestions for every turn */
    if (quarry_project_suggest(p, e, &po, NULL, &ps, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.input, 4);

    /* The default: the answers only, the two questions counted. */
    x = queue(p, "ann", &g, &left);
    assert_string_equal(x, "a1");
    free(x);
    assert_int_equal(g.remaining, 2);
    assert_int_equal(g.total, 2);
    assert_int_equal(left, 2);

    assert_int_equal(
        quarry_project_set_review_speakers(p, QUARRY_SPEAKERS_ALL),
        QUARRY_OK);
    x = queue(p, "ann", &g, &left);
    assert_string_equal(x, "q1");
    free(x);
    assert_int_equal(g.remaining, 4);
    assert_int_equal(left, 0);

    assert_int_equal(
        quarry_project_set_review_speakers(p, QUARRY_SPEAKERS_INTERVIEWERS),
        QUARRY_OK);
    x = queue(p, "ann", &g, &left);
    assert_string_equal(x, "q1");
    free(x);
    assert_int_equal(g.remaining, 2);
    assert_int_equal(left, 2);

    assert_int_equal(quarry_project_set_review_speakers(
                         p, (quarry_speakers)7),
                     QUARRY_EINVAL);

    /* Disagreements on a question are left out the same way. */
    {
        quarry_decision d = QUARRY_DECISION_INIT;
        d.verdict = QUARRY_VERDICT_ADD;
        d.excerpt = "q1";
        d.code = "supervision";
        d.coder = "ana";
        assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
        d.code = "peers";
        d.coder = "ben";
        assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    }
    assert_int_equal(
        quarry_project_set_review_order(p, QUARRY_REVIEW_DISAGREEMENTS),
        QUARRY_OK);
    assert_int_equal(
        quarry_project_set_review_speakers(p, QUARRY_SPEAKERS_PARTICIPANTS),
        QUARRY_OK);
    x = queue(p, "lead", &g, &left);
    assert_string_equal(x, "");
    free(x);
    assert_int_equal(left, 1);
    assert_int_equal(
        quarry_project_set_review_speakers(p, QUARRY_SPEAKERS_ALL),
        QUARRY_OK);
    x = queue(p, "lead", &g, &left);
    assert_string_equal(x, "q1");
    free(x);
    quarry_project_free(p);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interviewer_turns_left_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
