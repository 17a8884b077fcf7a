/*
 * test_settle.c -- settling disagreements (project_settle.c and the
 * disagreements queue of project_queue.c): the queue holds the excerpts
 * two coders coded differently and the caller has not settled, every
 * item names the other coders' codes, a settlement records the final
 * codes as the settling coder's add and remove decisions and a settle
 * decision (the others' codings untouched), undo brings the excerpt back,
 * settle lines in a decisions file, the trail, and the refusals.
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
#include "test_project_util.h"
#include "test_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

/* x1 agreed, x2 and x3 disagreed, x4 coded by ana alone, x5 by nobody. */
static const char ana[] =
    "{\"id\": \"x1\", \"text\": \"my peers get it\", \"code\": \"peers\"}\n"
    "{\"id\": \"x2\", \"text\": \"too many cases\", \"code\": \"peers\"}\n"
    "{\"id\": \"x3\", \"text\": \"peers and the caseload\","
    " \"code\": [\"peers\", \"workload\"]}\n"
    "{\"id\": \"x4\", \"text\": \"a long drive home\", \"code\": \"workload\"}\n"
    "{\"id\": \"x5\", \"text\": \"hello again\"}\n";
static const char ben[] =
    "{\"id\": \"x1\", \"text\": \"my peers get it\", \"code\": \"peers\"}\n"
    "{\"id\": \"x2\", \"text\": \"too many cases\", \"code\": \"workload\"}\n"
    "{\"id\": \"x3\", \"text\": \"peers and the caseload\", \"code\": \"peers\"}\n"
    "{\"id\": \"x4\", \"text\": \"a long drive home\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "settle");
    test_write_file(tmp("ana.jsonl"), ana);
    test_write_file(tmp("ben.jsonl"), ben);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static quarry_project *fresh(const char *name)
{
    quarry_project *p = test_project_at(tmp(name), "2026-03-01T10:00:00Z");
    test_project_import_as(p, tmp("ana.jsonl"), "ana");
    test_project_import_as(p, tmp("ben.jsonl"), "ben");
    assert_int_equal(
        quarry_project_set_review_order(p, QUARRY_REVIEW_DISAGREEMENTS),
        QUARRY_OK);
    return p;
}

/* The first excerpt of coder's queue (a copy, "" when none) and the
 * progress. */
static char *first(quarry_project *p, const char *coder,
                   quarry_review_progress *g)
{
    const quarry_review_item *it = NULL;
    if (quarry_project_review_next_skipping(p, coder, NULL, 0, &it, g) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return strdup(it ? it->excerpt : "");
}

/* "coder:code;coder:code" of the codings of an excerpt, a code a
 * settlement made marked "*" (quarry_coding_row.settled). */
typedef struct seen {
    const char *excerpt;
    char text[512];
} seen;

static int collect(void *ctx, const quarry_coding_row *r)
{
    seen *s = ctx;
    size_t n = strlen(s->text);
    if (strcmp(r->excerpt, s->excerpt) == 0)
        snprintf(s->text + n, sizeof s->text - n, "%s%s:%s%s",
                 n ? ";" : "", r->coder, r->code, r->settled ? "*" : "");
    return 0;
}

static const char *codings_of(quarry_project *p, const char *excerpt,
                              seen *s)
{
    s->excerpt = excerpt;
    s->text[0] = '\0';
    assert_int_equal(quarry_project_codings(p, collect, s), QUARRY_OK);
    return s->text;
}

static void test_queue_and_others(void **state)
{
    quarry_project *p = fresh("q.qry");
    const quarry_review_item *it = NULL;
    quarry_review_progress g;
    int64_t remaining = 0;
    char *x;
    (void)state;
    x = first(p, "lead", &g);
    assert_string_equal(x, "x2");
    free(x);
    assert_int_equal(g.remaining, 2);
    assert_int_equal(g.total, 2);
    assert_int_equal(g.skipped, 0);

    /* review_next agrees, and the item names both coders' codes. */
    assert_int_equal(quarry_project_review_next(p, "lead", &it, &remaining),
                     QUARRY_OK);
    assert_int_equal(remaining, 2);
    assert_non_null(it);
    assert_string_equal(it->excerpt, "x2");
    assert_int_equal(it->n_suggestions, 0);
    assert_int_equal(it->n_codes, 0);
    assert_int_equal(it->n_others, 2);
    assert_string_equal(it->others[0].coder, "ana");
    assert_int_equal(it->others[0].n_codes, 1);
    assert_string_equal(it->others[0].codes[0], "peers");
    assert_string_equal(it->others[1].coder, "ben");
    assert_string_equal(it->others[1].codes[0], "workload");

    /* ana sees her own codes apart and ben's as the other's. */
    assert_int_equal(quarry_project_review_item(p, "ana", "x3", &it),
                     QUARRY_OK);
    assert_int_equal(it->n_codes, 2);
    assert_int_equal(it->n_others, 1);
    assert_string_equal(it->others[0].coder, "ben");
    assert_int_equal(it->others[0].n_codes, 1);

    /* Skipping passes x2 over. */
    {
        const char *skip[] = {"x2"};
        assert_int_equal(quarry_project_review_next_skipping(
                             p, "lead", skip, 1, &it, &g),
                         QUARRY_OK);
        assert_string_equal(it->excerpt, "x3");
        assert_int_equal(g.skipped, 1);
    }
    quarry_project_free(p);
}

static void test_settle_records_decisions(void **state)
{
    quarry_project *p = fresh("s.qry");
    quarry_project_counts n0, n1;
    quarry_review_progress g;
    const char *final[] = {"workload", "peers", "workload"};
    const char *undone = NULL;
    seen s;
    char *x;
    (void)state;
    assert_int_equal(quarry_project_count(p, &n0), QUARRY_OK);

    /* ana settles x2 on workload: her peers goes, workload comes. */
    if (quarry_project_settle(p, "ana", "x2", final, 1, "caseload, not "
                              "peers") != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_string_equal(codings_of(p, "x2", &s), "ana:workload*;ben:workload");
    assert_int_equal(quarry_project_count(p, &n1), QUARRY_OK);
    assert_int_equal(n1.decisions, n0.decisions + 3); /* remove, add, settle */
    x = first(p, "ana", &g);
    assert_string_equal(x, "x3");
    free(x);
    assert_int_equal(g.remaining, 1);
    assert_int_equal(g.total, 1); /* x2 agrees now */

    /* A lead who coded nothing settles x3 on both codes, named twice. */
    if (quarry_project_settle(p, "lead", "x3", final, 3, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_string_equal(codings_of(p, "x3", &s),
                        "ana:peers;ben:peers;lead:peers*;ana:workload;"
                        "lead:workload*");
    x = first(p, "lead", &g);
    assert_string_equal(x, ""); /* x3 settled; x2 agrees */
    free(x);
    assert_int_equal(g.remaining, 0);

    /* Undo takes the settle back first: x3 is in the lead's queue again,
     * with the lead's codes still there; a second undo takes the last add
     * (peers, added after workload). */
    assert_int_equal(quarry_project_undo(p, "lead", &undone), QUARRY_OK);
    assert_string_equal(undone, "x3");
    x = first(p, "lead", &g);
    assert_string_equal(x, "x3");
    free(x);
    assert_string_equal(codings_of(p, "x3", &s),
                        "ana:peers;ben:peers;lead:peers*;ana:workload;"
                        "lead:workload*");
    assert_int_equal(quarry_project_undo(p, "lead", &undone), QUARRY_OK);
    assert_string_equal(codings_of(p, "x3", &s),
                        "ana:peers;ben:peers;ana:workload;lead:workload*");

    /* Settling with no code takes the coder's codes away. */
    if (quarry_project_settle(p, "lead", "x3", NULL, 0, "none fits")
        != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_string_equal(codings_of(p, "x3", &s),
                        "ana:peers;ben:peers;ana:workload");
    quarry_project_free(p);
}

static void test_trail_and_file(void **state)
{
    quarry_project *p = fresh("t.qry");
    const char *final[] = {"workload"};
    FILE *f;
    char *t;
    size_t len;
    int64_t applied = 0;
    (void)state;
    if (quarry_project_settle(p, "ana", "x2", final, 1, "caseload") !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    test_write_file(tmp("settle.jsonl"),
                    "{\"excerpt\": \"x3\", \"verdict\": \"settle\","
                    " \"codes\": [\"peers\"], \"coder\": \"lead\"}\n");
    if (quarry_project_apply_decisions(p, tmp("settle.jsonl"), NULL,
                                       &applied) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(applied, 1);
    f = fopen(tmp("trail.jsonl"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_decisions(p, f, 0), QUARRY_OK);
    fclose(f);
    t = test_slurp(tmp("trail.jsonl"), &len);
    assert_string_equal(
        t,
        "{\"id\":1,\"time\":\"2026-03-01T10:00:00Z\",\"coder\":\"ana\","
        "\"excerpt\":\"x2\",\"verdict\":\"remove\",\"code\":\"peers\","
        "\"origin\":\"imported\",\"batch\":\"settle\"}\n"
        "{\"id\":2,\"time\":\"2026-03-01T10:00:00Z\",\"coder\":\"ana\","
        "\"excerpt\":\"x2\",\"verdict\":\"add\",\"code\":\"workload\","
        "\"origin\":\"manual\",\"batch\":\"settle\"}\n"
        "{\"id\":3,\"time\":\"2026-03-01T10:00:00Z\",\"coder\":\"ana\","
        "\"excerpt\":\"x2\",\"verdict\":\"settle\",\"note\":\"caseload\","
        "\"codes\":[\"workload\"]}\n"
        "{\"id\":4,\"time\":\"2026-03-01T10:00:00Z\",\"coder\":\"lead\","
        "\"excerpt\":\"x3\",\"verdict\":\"add\",\"code\":\"peers\","
        "\"origin\":\"manual\",\"batch\":\"settle\"}\n"
        "{\"id\":5,\"time\":\"2026-03-01T10:00:00Z\",\"coder\":\"lead\","
        "\"excerpt\":\"x3\",\"verdict\":\"settle\",\"codes\":[\"peers\"]}\n");
    free(t);
    f = fopen(tmp("trail.csv"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_decisions(p, f, 1), QUARRY_OK);
    fclose(f);
    t = test_slurp(tmp("trail.csv"), &len);
    assert_non_null(strstr(t, "\"settle\",\"\",\"\",\"caseload\",\"\",\"\","
                              "\"\",\"workload\",\"\"\n"));
    free(t);
    quarry_project_free(p);
}

static void test_refusals(void **state)
{
    quarry_project *p = fresh("r.qry");
    const char *bad[] = {"peers", "no.such.code"};
    const char *empty[] = {""};
    quarry_project_counts n0, n1;
    int64_t applied = 0;
    (void)state;
    assert_int_equal(quarry_project_count(p, &n0), QUARRY_OK);
    assert_int_equal(quarry_project_settle(p, NULL, "x2", bad, 1, NULL),
                     QUARRY_EINVAL);
    assert_int_equal(quarry_project_settle(p, "ana", "nope", bad, 1, NULL),
                     QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "\"nope\""));
    assert_int_equal(quarry_project_settle(p, "ana", "x2", bad, 2, NULL),
                     QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "\"no.such.code\""));
    assert_int_equal(quarry_project_settle(p, "ana", "x2", empty, 1, NULL),
                     QUARRY_EINVAL);
    assert_int_equal(quarry_project_settle(p, "ana", "x2", NULL, 1, NULL),
                     QUARRY_EINVAL);
    assert_int_equal(
        quarry_project_set_review_order(p, (quarry_review_order)3),
        QUARRY_EINVAL);
    /* A file: codes missing, codes not strings, codes on an accept line;
     * all or nothing. */
    test_write_file(tmp("bad1.jsonl"),
                    "{\"excerpt\": \"x2\", \"verdict\": \"settle\","
                    " \"coder\": \"ana\", \"codes\": [\"workload\"]}\n"
                    "{\"excerpt\": \"x3\", \"verdict\": \"settle\","
                    " \"coder\": \"ana\"}\n");
    assert_int_equal(
        quarry_project_apply_decisions(p, tmp("bad1.jsonl"), NULL, &applied),
        QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "bad1.jsonl:2: field \"codes\": missing"));
    test_write_file(tmp("bad2.jsonl"),
                    "{\"excerpt\": \"x3\", \"verdict\": \"settle\","
                    " \"coder\": \"ana\", \"codes\": [1]}\n");
    assert_int_equal(
        quarry_project_apply_decisions(p, tmp("bad2.jsonl"), NULL, &applied),
        QUARRY_EPARSE);
    test_write_file(tmp("bad3.jsonl"),
                    "{\"excerpt\": \"x3\", \"verdict\": \"add\","
                    " \"coder\": \"ana\", \"code\": \"peers\","
                    " \"codes\": [\"peers\"]}\n");
    assert_int_equal(
        quarry_project_apply_decisions(p, tmp("bad3.jsonl"), NULL, &applied),
        QUARRY_EPARSE);
    test_write_file(tmp("bad4.jsonl"),
                    "{\"excerpt\": \"x3\", \"verdict\": \"settle\","
                    " \"coder\": \"ana\", \"codes\": [\"zzz\"]}\n");
    assert_int_equal(
        quarry_project_apply_decisions(p, tmp("bad4.jsonl"), NULL, &applied),
        QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "bad4.jsonl:1: settle: unknown code \"zzz\""));
    assert_int_equal(quarry_project_count(p, &n1), QUARRY_OK);
    assert_int_equal(n1.decisions, n0.decisions);
    assert_int_equal(n1.codings, n0.codings);
    quarry_project_free(p);
}

/* The final coding (export --final): x1 agreed, x4 its only coder's, x2
 * and x3 out until settled; a settlement's codes under who settled. */
static void test_final_coding(void **state)
{
    quarry_project *p = fresh("f.qry");
    quarry_export_options o = QUARRY_EXPORT_OPTIONS_INIT;
    const char *final[] = {"workload"};
    int64_t open_ = -1;
    char *t;
    size_t len;
    FILE *f;
    (void)state;
    assert_int_equal(quarry_project_count_unsettled(p, &open_), QUARRY_OK);
    assert_int_equal(open_, 2);
    if (quarry_project_settle(p, "lead", "x3", final, 1, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_count_unsettled(p, &open_), QUARRY_OK);
    assert_int_equal(open_, 1);
    o.final = 1;
    f = fopen(tmp("final.csv"), "wb");
    assert_non_null(f);
    if (quarry_project_export_csv(p, f, &o) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    fclose(f);
    t = test_slurp(tmp("final.csv"), &len);
    assert_non_null(strstr(t, "\nx1,peers,ana & ben,agreed,"));
    assert_non_null(strstr(t, "\nx3,workload,lead,settled,"));
    assert_non_null(strstr(t, "\nx4,workload,ana,single coder,"));
    assert_null(strstr(t, "\nx2,"));
    assert_null(strstr(t, "\nx3,peers"));
    free(t);
    f = fopen(tmp("final.csv"), "wb");
    assert_non_null(f);
    if (quarry_project_export_quotes(p, f, &o) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    fclose(f);
    t = test_slurp(tmp("final.csv"), &len);
    assert_non_null(strstr(t, "\npeers,peers,,ana & ben,"));
    assert_non_null(strstr(t, ",lead,"));
    free(t);
    /* Not with a coder, and not as a matrix. */
    o.coder = "ana";
    f = fopen(tmp("final.csv"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_csv(p, f, &o), QUARRY_EINVAL);
    o.coder = NULL;
    assert_int_equal(quarry_project_export_matrix(p, f, &o), QUARRY_EINVAL);
    fclose(f);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_and_others),
        cmocka_unit_test(test_settle_records_decisions),
        cmocka_unit_test(test_trail_and_file),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_final_coding),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
