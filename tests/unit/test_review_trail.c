/*
 * test_review_trail.c -- the decision trail: removing a coding of any
 * origin is a decision, undo appends a decision that reverses an earlier
 * one (nothing is deleted from the record), the trail export, the checks
 * on a decision's time and replacement, the upgrade of a schema-1
 * project, accepting a run's confident suggestions as a batch, and the
 * review queue most uncertain first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
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

static const char coded[] =
    "{\"id\": \"a1\", \"text\": \"my peer colleagues understand me\","
    " \"code\": \"peers\"}\n"
    "{\"id\": \"a2\", \"text\": \"my supervisor listens every week\","
    " \"code\": \"supervision\"}\n"
    "{\"id\": \"a3\", \"text\": \"exhausted and drained after the shift\","
    " \"code\": \"burnout\"}\n"
    "{\"id\": \"b1\", \"text\": \"exhausted and drained after the shift\"}\n"
    "{\"id\": \"b2\", \"text\": \"the peer workers on my team\"}\n"
    "{\"id\": \"b3\", \"text\": \"my supervisor listens, my peer colleagues"
    " understand, and I am drained\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "trail");
    test_write_file(tmp("coded.jsonl"), coded);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

/* A project with three excerpts coded by ana (imported) and one uncoded. */
static quarry_project *fresh(const char *name)
{
    return test_project_fresh(tmp(name), tmp("coded.jsonl"), "ana");
}

typedef struct find {
    const char *excerpt, *code;
    int hits;
    char origin[32], time[40];
} find;

static int find_row(void *ctx, const quarry_coding_row *r)
{
    find *f = ctx;
    if (strcmp(r->excerpt, f->excerpt) == 0 && strcmp(r->code, f->code) == 0) {
        f->hits++;
        snprintf(f->origin, sizeof f->origin, "%s", r->origin);
        snprintf(f->time, sizeof f->time, "%s", r->time);
    }
    return 0;
}

static int hits(quarry_project *p, const char *excerpt, const char *code,
                find *f)
{
    memset(f, 0, sizeof *f);
    f->excerpt = excerpt;
    f->code = code;
    assert_int_equal(quarry_project_codings(p, find_row, f), QUARRY_OK);
    return f->hits;
}

/* The trail as text (JSONL or CSV). */
static char *trail(quarry_project *p, int csv)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (quarry_project_export_decisions(p, f, csv) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    fclose(f);
    return buf;
}

static void remove_imported_then_undo(void **state)
{
    quarry_project *p = fresh("remove.quarry");
    quarry_decision d = QUARRY_DECISION_INIT;
    quarry_project_counts n;
    const char *undone = NULL;
    char *t;
    find f;
    (void)state;
    assert_int_equal(hits(p, "a1", "peers", &f), 1);
    assert_string_equal(f.origin, "imported");

    d.excerpt = "a1";
    d.verdict = QUARRY_VERDICT_REMOVE;
    d.code = "peers";
    d.coder = "ana";
    d.note = "not about peers after all";
    d.time = "2026-02-01T09:00:00Z";
    if (quarry_project_decide(p, &d, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(hits(p, "a1", "peers", &f), 0);
    /* Only ana's own coding can go, and only once. */
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "field \"code\""));

    /* Undo puts the coding back as it was: imported, its own time. */
    assert_int_equal(quarry_project_undo(p, "ana", &undone), QUARRY_OK);
    assert_string_equal(undone, "a1");
    assert_int_equal(hits(p, "a1", "peers", &f), 1);
    assert_string_equal(f.origin, "imported");
    assert_string_equal(f.time, "2026-01-31T12:00:00Z");
    /* Nothing more to undo: the undo itself is not undone. */
    assert_int_equal(quarry_project_undo(p, "ana", &undone), QUARRY_OK);
    assert_null(undone);

    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.decisions, 2);
    t = trail(p, 0);
    assert_string_equal(
        t, "{\"id\":1,\"time\":\"2026-02-01T09:00:00Z\",\"coder\":\"ana\","
           "\"excerpt\":\"a1\",\"verdict\":\"remove\",\"code\":\"peers\","
           "\"note\":\"not about peers after all\",\"origin\":\"imported\"}\n"
           "{\"id\":2,\"time\":\"2026-01-31T12:00:00Z\",\"coder\":\"ana\","
           "\"excerpt\":\"a1\",\"verdict\":\"undo\",\"code\":\"peers\","
           "\"reverses\":1}\n");
    free(t);
    t = trail(p, 1);
    assert_string_equal(
        t, "id,time,coder,excerpt,verdict,code,replacement,note,origin,batch,"
           "reverses,codes,passage\n"
           "\"1\",\"2026-02-01T09:00:00Z\",\"ana\",\"a1\",\"remove\","
           "\"peers\",\"\",\"not about peers after all\",\"imported\",\"\","
           "\"\",\"\",\"\"\n"
           "\"2\",\"2026-01-31T12:00:00Z\",\"ana\",\"a1\",\"undo\",\"peers\","
           "\"\",\"\",\"\",\"\",\"1\",\"\",\"\"\n");
    free(t);
    quarry_project_free(p);
}

/* add, then remove that coding: the remove names the add it reverses;
 * undo twice walks back both, each undo a decision of its own. */
static void remove_manual_and_walk_back(void **state)
{
    quarry_project *p = fresh("walk.quarry");
    quarry_decision d = QUARRY_DECISION_INIT;
    const char *undone = NULL;
    int64_t add_id = 0, rm_id = 0;
    char *t;
    find f;
    (void)state;
    d.excerpt = "b1";
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "peers";
    d.coder = "ben";
    assert_int_equal(quarry_project_decide(p, &d, &add_id), QUARRY_OK);
    assert_int_equal(hits(p, "b1", "peers", &f), 1);
    assert_string_equal(f.origin, "manual");
    d.verdict = QUARRY_VERDICT_REMOVE;
    assert_int_equal(quarry_project_decide(p, &d, &rm_id), QUARRY_OK);
    assert_int_equal(hits(p, "b1", "peers", &f), 0);
    assert_int_equal(quarry_project_undo(p, "ben", &undone), QUARRY_OK);
    assert_int_equal(hits(p, "b1", "peers", &f), 1);
    assert_int_equal(quarry_project_undo(p, "ben", &undone), QUARRY_OK);
    assert_string_equal(undone, "b1");
    assert_int_equal(hits(p, "b1", "peers", &f), 0);
    t = trail(p, 0);
    assert_non_null(strstr(t, "\"verdict\":\"remove\",\"code\":\"peers\","
                              "\"origin\":\"manual\",\"reverses\":1}"));
    assert_non_null(strstr(t, "\"id\":3,"));
    assert_non_null(strstr(t, "\"verdict\":\"undo\",\"code\":\"peers\","
                              "\"reverses\":2}"));
    assert_non_null(strstr(t, "\"verdict\":\"undo\",\"code\":\"peers\","
                              "\"reverses\":1}"));
    free(t);
    (void)add_id;
    (void)rm_id;
    quarry_project_free(p);
}

static void expect_refused(quarry_project *p, quarry_decision *d,
                           const char *field)
{
    char want[64];
    if (quarry_project_decide(p, d, NULL) != QUARRY_EINVAL)
        fail_msg("accepted: %s", d->time ? d->time : d->replacement);
    snprintf(want, sizeof want, "field \"%s\"", field);
    if (strstr(quarry_project_errmsg(p), want) == NULL)
        fail_msg("%s", quarry_project_errmsg(p));
}

static void times_and_replacements_checked(void **state)
{
    static const char *const bad[] = {
        "9999-99-99T99:99:99Z", "2026-02-30T10:00:00Z",
        "2026-01-31T25:00:00Z", "2025-02-29", "2026-01-31T12:60:00Z",
        "2026-13-01", "2026-1-01", "2026-01-31T12:00:00+25:00",
        "2026-01-31T12:00:00Zjunk", "2026-01-31T12", "2026-01-31T12:00:0"};
    static const char *const good[] = {
        "2024-02-29", "2026-01-31T23:59", "2026-06-30T23:59:60Z",
        "2026-01-31T12:00:00.125+02:00"};
    quarry_project *p = fresh("times.quarry");
    quarry_decision d = QUARRY_DECISION_INIT;
    quarry_project_counts n;
    int64_t applied = -1;
    size_t i;
    (void)state;
    d.excerpt = "b1";
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "peers";
    d.coder = "ben";
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        d.time = bad[i];
        expect_refused(p, &d, "time");
    }
    for (i = 0; i < sizeof good / sizeof *good; i++) {
        d.time = good[i];
        if (quarry_project_decide(p, &d, NULL) != QUARRY_OK)
            fail_msg("%s: %s", good[i], quarry_project_errmsg(p));
        assert_int_equal(quarry_project_undo(p, "ben", NULL), QUARRY_OK);
    }
    d.time = NULL;
    d.verdict = QUARRY_VERDICT_REPLACE;
    d.replacement = "peers";
    expect_refused(p, &d, "replacement");
    assert_non_null(strstr(quarry_project_errmsg(p), "the code itself"));

    /* From a file: FILE:LINE: field, and nothing applied. */
    test_write_file(tmp("bad-time.jsonl"),
               "{\"excerpt\": \"b1\", \"verdict\": \"add\", \"code\": "
               "\"burnout\", \"coder\": \"ben\"}\n"
               "{\"excerpt\": \"b1\", \"verdict\": \"add\", \"code\": "
               "\"peers\", \"coder\": \"ben\", \"time\": \"2026-02-30\"}\n");
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(quarry_project_apply_decisions(p, tmp("bad-time.jsonl"),
                                                    NULL, &applied),
                     QUARRY_EINVAL);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "bad-time.jsonl:2: field \"time\": \"2026-02-30\""));
    test_write_file(tmp("remove.jsonl"),
               "{\"excerpt\": \"a2\", \"verdict\": \"remove\", \"code\": "
               "\"supervision\", \"coder\": \"ana\"}\n");
    assert_int_equal(quarry_project_apply_decisions(p, tmp("remove.jsonl"),
                                                    NULL, &applied),
                     QUARRY_OK);
    assert_int_equal(applied, 1);
    quarry_project_free(p);
}

/* A project as schema 1 wrote it: the old decisions table. */
static void downgrade(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA foreign_keys = OFF; BEGIN;"
                     "CREATE TABLE d1(id INTEGER PRIMARY KEY,"
                     " excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),"
                     " suggestion_id INTEGER REFERENCES suggestions(id),"
                     " code_id INTEGER NOT NULL REFERENCES codes(id),"
                     " verdict TEXT NOT NULL"
                     "  CHECK(verdict IN ('accept','reject','replace','add')),"
                     " replacement_id INTEGER REFERENCES codes(id),"
                     " coder_id INTEGER NOT NULL REFERENCES coders(id),"
                     " made_at TEXT NOT NULL, note TEXT);"
                     "INSERT INTO d1 SELECT id, excerpt_id, suggestion_id,"
                     " code_id, verdict, replacement_id, coder_id, made_at,"
                     " note FROM decisions;"
                     "DROP TABLE decisions; ALTER TABLE d1 RENAME TO"
                     " decisions; CREATE INDEX decisions_excerpt ON"
                     " decisions(excerpt_id, coder_id);"
                     " ALTER TABLE codings DROP COLUMN span_start;"
                     " ALTER TABLE codings DROP COLUMN span_end;"
                     "PRAGMA user_version = 1; COMMIT;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
}

static void upgrades_schema_1(void **state)
{
    quarry_project *p = fresh("old.quarry");
    quarry_decision d = QUARRY_DECISION_INIT;
    quarry_project_counts n;
    char *t;
    find f;
    (void)state;
    d.excerpt = "b1";
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "peers";
    d.coder = "ben";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    quarry_project_free(p);
    downgrade(tmp("old.quarry"));

    /* Read-only, it is upgraded all the same (its own transaction). */
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, tmp("old.quarry"), QUARRY_PROJECT_READONLY) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.decisions, 1);
    assert_int_equal(n.codings, 4);
    t = trail(p, 0);
    assert_non_null(strstr(t, "\"verdict\":\"add\""));
    free(t);
    quarry_project_free(p);

    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, tmp("old.quarry"), 0), QUARRY_OK);
    d.verdict = QUARRY_VERDICT_REMOVE;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_int_equal(hits(p, "b1", "peers", &f), 0);
    assert_int_equal(quarry_project_undo(p, "ben", NULL), QUARRY_OK);
    assert_int_equal(hits(p, "b1", "peers", &f), 1);
    quarry_project_free(p);
}

static quarry_project *suggested(const char *name, quarry_engine *e)
{
    quarry_project *p = fresh(name);
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_run_info info;
    po.min_df = 1;
    po.max_df = 1.0;
    if (quarry_project_suggest(p, e, &po, NULL, NULL, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.input, 3);
    return p;
}

/* The verdict ana's item shows for its top suggestion. */
static const char *top_verdict(quarry_project *p, const char *xid,
                               const char **code)
{
    const quarry_review_item *it = NULL;
    assert_int_equal(quarry_project_review_item(p, "ana", xid, &it),
                     QUARRY_OK);
    assert_true(it->n_suggestions > 0);
    *code = it->suggestions[0].code;
    return it->suggestions[0].verdict;
}

/* Accepted, then the coding removed: the suggestion is open again, to
 * accept anew (the trail keeps all three); undoing the removal brings the
 * acceptance back, and with it the refusal of a second one. */
static void accept_again_after_removing(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = suggested("again.quarry", e);
    quarry_decision d = QUARRY_DECISION_INIT;
    char code[64], xid[64];
    const char *c = NULL, *v;
    const quarry_review_item *it = NULL;
    const char *undone = NULL;
    find f;
    (void)state;
    assert_int_equal(quarry_project_review_next(p, "ana", &it, NULL),
                     QUARRY_OK);
    assert_non_null(it);
    snprintf(xid, sizeof xid, "%s", it->excerpt);
    v = top_verdict(p, xid, &c);
    snprintf(code, sizeof code, "%s", c);
    assert_null(v);
    d.coder = "ana";
    d.excerpt = xid;
    d.code = code;
    d.verdict = QUARRY_VERDICT_ACCEPT;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_string_equal(top_verdict(p, xid, &c), "accept");
    d.verdict = QUARRY_VERDICT_REMOVE;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_null(top_verdict(p, xid, &c));
    d.verdict = QUARRY_VERDICT_ACCEPT;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_string_equal(top_verdict(p, xid, &c), "accept");
    assert_int_equal(hits(p, xid, code, &f), 1);
    /* Remove, then undo the removal: the first acceptance stands again. */
    d.verdict = QUARRY_VERDICT_REMOVE;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_int_equal(quarry_project_undo(p, "ana", &undone), QUARRY_OK);
    assert_string_equal(top_verdict(p, xid, &c), "accept");
    d.verdict = QUARRY_VERDICT_ACCEPT;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_EDUP);
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void accept_above_as_a_batch(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = suggested("batch.quarry", e);
    const quarry_review_item *it = NULL;
    quarry_decision d = QUARRY_DECISION_INIT;
    quarry_project_counts n;
    quarry_batch_info b;
    int64_t remaining = 0;
    char *t;
    (void)state;
    /* Nothing decided yet: no error to expect. */
    assert_int_equal(quarry_project_accept_above(p, "bot", 0.0, 1, &b),
                     QUARRY_OK);
    assert_int_equal(b.run, 1);
    assert_true(b.excerpts >= 1 && b.excerpts <= 3);
    assert_int_equal(b.checked, 0);
    assert_true(isnan(b.error));
    assert_string_equal(b.batch, "accept-above 0.00, run 1");
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.decisions, 0); /* a dry run changes nothing */

    /* A person rejects one top suggestion: 1 of 1 wrong. */
    assert_int_equal(quarry_project_review_next(p, "ben", &it, &remaining),
                     QUARRY_OK);
    assert_non_null(it);
    d.excerpt = it->excerpt;
    d.verdict = QUARRY_VERDICT_REJECT;
    d.code = it->suggestions[0].code;
    d.coder = "ben";
    if (it->abstain == 0) {
        assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
        assert_int_equal(quarry_project_accept_above(p, "bot", 0.0, 1, &b),
                         QUARRY_OK);
        assert_int_equal(b.checked, 1);
        assert_int_equal(b.wrong, 1);
        assert_true(b.error == 1.0);
    }

    /* The batch: one accept per excerpt, each naming its batch. */
    assert_int_equal(quarry_project_accept_above(p, "bot", 0.0, 0, &b),
                     QUARRY_OK);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.decisions, (it->abstain == 0) + b.excerpts);
    t = trail(p, 0);
    assert_non_null(strstr(t, "\"coder\":\"bot\",\"excerpt\":\"b"));
    assert_non_null(strstr(t, "\"batch\":\"accept-above 0.00, run 1\""));
    free(t);
    /* Batch decisions do not vouch for themselves. */
    assert_int_equal(quarry_project_accept_above(p, "bot", 0.0, 1, &b),
                     QUARRY_OK);
    assert_int_equal(b.excerpts, 0);
    assert_int_equal(b.checked, it->abstain == 0);
    /* Undo takes back the batch one decision at a time. */
    assert_int_equal(quarry_project_undo(p, "bot", NULL), QUARRY_OK);
    assert_int_equal(quarry_project_accept_above(p, "bot", 0.0, 1, &b),
                     QUARRY_OK);
    assert_int_equal(b.excerpts, 1);
    assert_int_equal(quarry_project_accept_above(p, "bot", 1.5, 1, &b),
                     QUARRY_EINVAL);
    quarry_project_free(p);
    quarry_engine_free(e);
}

static double top_confidence(quarry_project *p, const char *xid)
{
    const quarry_review_item *it = NULL;
    assert_int_equal(quarry_project_review_item(p, "cy", xid, &it),
                     QUARRY_OK);
    return it->suggestions[0].confidence;
}

static void queue_most_uncertain_first(void **state)
{
    static const char *const ids[] = {"b1", "b2", "b3"};
    quarry_engine *e = test_engine();
    quarry_project *p = suggested("order.quarry", e);
    const quarry_review_item *it = NULL;
    quarry_review_progress g;
    int64_t remaining = 0;
    double low = 2.0, c;
    const char *lowest = NULL;
    char first[16];
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++) {
        c = top_confidence(p, ids[i]);
        if (c < low) {
            low = c;
            lowest = ids[i];
        }
    }
    assert_int_equal(quarry_project_review_next(p, "cy", &it, &remaining),
                     QUARRY_OK);
    assert_string_equal(it->excerpt, "b1"); /* import order */
    /* b1 says what a3 says: the engine is surest there, so the two
     * orders differ. */
    assert_string_not_equal(lowest, "b1");
    assert_int_equal(quarry_project_set_review_order(p,
                                                     QUARRY_REVIEW_UNCERTAIN),
                     QUARRY_OK);
    assert_int_equal(quarry_project_review_next(p, "cy", &it, &remaining),
                     QUARRY_OK);
    assert_string_equal(it->excerpt, lowest);
    assert_int_equal(remaining, 3);
    snprintf(first, sizeof first, "%s", it->excerpt);
    /* The session's queue too, and skipping moves to the next least sure. */
    assert_int_equal(quarry_project_review_next_skipping(p, "cy", NULL, 0,
                                                         &it, &g),
                     QUARRY_OK);
    assert_string_equal(it->excerpt, first);
    {
        const char *skip[1];
        char next[16];
        skip[0] = first;
        assert_int_equal(quarry_project_review_next_skipping(p, "cy", skip,
                                                             1, &it, &g),
                         QUARRY_OK);
        snprintf(next, sizeof next, "%s", it->excerpt);
        assert_string_not_equal(next, first);
        assert_true(top_confidence(p, next) >= low);
    }
    assert_int_equal(quarry_project_set_review_order(
                         p, (quarry_review_order)7),
                     QUARRY_EINVAL);
    quarry_project_free(p);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remove_imported_then_undo),
        cmocka_unit_test(remove_manual_and_walk_back),
        cmocka_unit_test(times_and_replacements_checked),
        cmocka_unit_test(upgrades_schema_1),
        cmocka_unit_test(accept_again_after_removing),
        cmocka_unit_test(accept_above_as_a_batch),
        cmocka_unit_test(queue_most_uncertain_first),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
