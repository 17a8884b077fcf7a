/*
 * test_code_define.c -- writing down what a code means and deleting a code
 * made by mistake (quarry_project_code_edit's define and delete): the
 * fields set, kept with their line breaks, cleared by "", recorded one
 * history row a changed field and not at all when unchanged; a version-1
 * caller's edit read without the version-2 fields; refusals naming the
 * code and the field; delete refused while codings, decisions, memos or
 * child codes rest on the code, and a code's pending suggestions taken
 * away with it and kept in the history; the review queue after it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quarry/quarry.h"
#include "quarry/project_browse.h"
#include "test_files.h"
#include "test_project_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

static const char coded[] =
    "{\"id\": \"a1\", \"text\": \"my peer colleagues understand me\","
    " \"code\": \"peers\"}\n"
    "{\"id\": \"a2\", \"text\": \"my supervisor listens every week\","
    " \"code\": \"supervision\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "define");
    test_write_file(tmp("coded.jsonl"), coded);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static void ok(quarry_project *p, int status)
{
    if (status != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

static void refused(quarry_project *p, int got, int status, const char *want)
{
    const char *msg = quarry_project_errmsg(p);
    if (got != status || strstr(msg, want) == NULL)
        fail_msg("got %d \"%s\", wanted %d \"%s\"", got, msg, status, want);
}


static int define(quarry_project *p, const char *code, const char *def,
                  const char *inc, const char *exc)
{
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    e.coder = "ana";
    e.code = code;
    e.definition = def;
    e.include = inc;
    e.exclude = exc;
    return quarry_project_code_edit(p, QUARRY_CODE_DEFINE, &e, NULL);
}

static int delete_code(quarry_project *p, const char *code)
{
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    e.coder = "ana";
    e.code = code;
    return quarry_project_code_edit(p, QUARRY_CODE_DELETE, &e, NULL);
}

static int add(quarry_project *p, const char *name, const char *parent)
{
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    e.coder = "ana";
    e.name = name;
    e.parent = parent;
    return quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, NULL);
}

typedef struct notes {
    const char *code;
    char include[256], exclude[256];
    int found;
} notes;

static int note_of(void *ctx, const quarry_code_notes *n)
{
    notes *x = ctx;
    if (strcmp(n->code, x->code) != 0)
        return 0;
    x->found = 1;
    snprintf(x->include, sizeof x->include, "%s",
             n->include ? n->include : "(null)");
    snprintf(x->exclude, sizeof x->exclude, "%s",
             n->exclude ? n->exclude : "(null)");
    return 0;
}

static const char *definition_of(quarry_project *p, const char *code)
{
    const quarry_project_code *c;
    int32_t n, i;
    ok(p, quarry_project_codes(p, &c, &n));
    for (i = 0; i < n; i++)
        if (strcmp(c[i].id, code) == 0)
            return c[i].definition ? c[i].definition : "(null)";
    return "(absent)";
}

static void define_fields(void **state)
{
    const char *path = tmp("define.quarry");
    quarry_project *p = test_project_fresh(path, tmp("coded.jsonl"), "ana");
    quarry_code_edit v1 = QUARRY_CODE_EDIT_INIT;
    notes x;
    (void)state;

    ok(p, define(p, "peers", "  Support from other PSSs.\r\nIn their words. ",
                 "talks of a colleague", NULL));
    assert_string_equal(definition_of(p, "peers"),
                        "Support from other PSSs.\nIn their words.");
    memset(&x, 0, sizeof x);
    x.code = "peers";
    ok(p, quarry_project_code_notes(p, note_of, &x));
    assert_true(x.found);
    assert_string_equal(x.include, "talks of a colleague");
    assert_string_equal(x.exclude, "(null)");
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits WHERE"
                                 " op = 'edit' AND code = 'peers'"),
                     2);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits WHERE"
                                 " json_extract(detail, '$.field') ="
                                 " 'include' AND before IS NULL AND"
                                 " after = 'talks of a colleague'"),
                     1);

    /* The same text again, blanks aside: nothing recorded. */
    ok(p, define(p, "peers", "Support from other PSSs.\nIn their words.",
                 "talks of a colleague ", NULL));
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits"), 2);

    /* "" clears; the exclude is written; the definition is left. */
    ok(p, define(p, "peers", NULL, "", "talks of a manager"));
    memset(&x, 0, sizeof x);
    x.code = "peers";
    ok(p, quarry_project_code_notes(p, note_of, &x));
    assert_string_equal(x.include, "(null)");
    assert_string_equal(x.exclude, "talks of a manager");
    assert_string_equal(definition_of(p, "peers"),
                        "Support from other PSSs.\nIn their words.");
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits"), 4);
    ok(p, define(p, "peers", "", NULL, NULL));
    assert_string_equal(definition_of(p, "peers"), "(null)");

    /* A version-1 caller has no include or exclude: they are not read. */
    v1.version = 1;
    v1.coder = "ana";
    v1.code = "supervision";
    v1.definition = "Time with a supervisor";
    v1.include = "not read";
    ok(p, quarry_project_code_edit(p, QUARRY_CODE_DEFINE, &v1, NULL));
    assert_string_equal(definition_of(p, "supervision"),
                        "Time with a supervisor");
    memset(&x, 0, sizeof x);
    x.code = "supervision";
    ok(p, quarry_project_code_notes(p, note_of, &x));
    assert_string_equal(x.include, "(null)");

    /* Refusals: named code and field, nothing recorded. */
    {
        long long before = test_sql_count(path, "SELECT count(*) FROM code_edits");
        refused(p, define(p, "peers", "a\001b", NULL, NULL), QUARRY_EINVAL,
                "define: code \"peers\": field \"definition\": holds a "
                "control character");
        refused(p, define(p, "peers", NULL, NULL, "\xff\xfe"), QUARRY_EINVAL,
                "field \"exclude\": not valid UTF-8");
        refused(p, define(p, "nosuch", "x", NULL, NULL), QUARRY_ENOTFOUND,
                "define: field \"code\": unknown code \"nosuch\"");
        refused(p, define(p, "peers", NULL, NULL, NULL), QUARRY_EINVAL,
                "nothing to set");
        assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits"),
                         before);
    }
    quarry_project_free(p);
}

static void delete_refused_with_work(void **state)
{
    const char *path = tmp("delete.quarry");
    quarry_project *p = test_project_fresh(path, tmp("coded.jsonl"), "ana");
    quarry_memo m = QUARRY_MEMO_INIT;
    (void)state;

    refused(p, delete_code(p, "peers"), QUARRY_EINVAL,
            "delete: code \"peers\" (\"peers\") stays: it has 1 coding,");
    ok(p, add(p, "Spare", NULL));
    ok(p, add(p, "Under spare", "spare"));
    refused(p, delete_code(p, "spare"), QUARRY_EINVAL,
            "it has 1 code under it; move it elsewhere first");
    ok(p, delete_code(p, "under-spare"));
    m.code = "spare";
    m.coder = "ana";
    m.text = "keep for the second study";
    ok(p, quarry_project_memo_add(p, &m, NULL));
    refused(p, delete_code(p, "spare"), QUARRY_EINVAL, "it has 1 memo");
    refused(p, delete_code(p, "nosuch"), QUARRY_ENOTFOUND,
            "unknown code \"nosuch\"");
    refused(p, delete_code(p, NULL), QUARRY_EINVAL,
            "delete: field \"code\": missing");
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM codes"), 3);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits WHERE"
                                 " op = 'delete'"),
                     1);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits WHERE"
                                 " op = 'delete' AND code = 'under-spare'"
                                 " AND before = 'Under spare' AND"
                                 " json_extract(detail, '$.parent') ="
                                 " 'spare'"),
                     1);
    quarry_project_free(p);
}

/* A code with pending suggestions and nothing else: deleted, the
 * suggestions kept whole in the history; the queue still reads. */
static void delete_sets_suggestions_aside(void **state)
{
    const char *path = tmp("review.quarry");
    quarry_project *p = NULL;
    long long pending;
    (void)state;
    test_review_project(path);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    ok(p, quarry_project_open(p, path, 0));
    ok(p, add(p, "Spare", NULL));
    /* The engine suggested it too, on two excerpts nobody decided on. */
    test_sql_run(path, "INSERT INTO suggestions(run_id, excerpt_id, code_id,"
                  " rank, score, confidence, abstain, evidence)"
                  " SELECT run_id, excerpt_id, (SELECT id FROM codes WHERE"
                  " code = 'spare'), 9, 0.01, 0.01, 0, evidence"
                  " FROM suggestions WHERE rank = 1 ORDER BY id LIMIT 2");
    pending = test_sql_count(path, "SELECT count(*) FROM suggestions");
    ok(p, delete_code(p, "spare"));
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM suggestions"),
                     pending - 2);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edit_rows r"
                                 " JOIN code_edits h ON h.id = r.edit_id"
                                 " WHERE h.op = 'delete' AND r.tbl ="
                                 " 'suggestions' AND r.col = 'removed' AND"
                                 " json_extract(r.was, '$.rank') = 9"),
                     2);
    assert_int_equal(test_sql_count(path, "SELECT json_extract(detail,"
                                 " '$.suggestions_set_aside') FROM"
                                 " code_edits WHERE op = 'delete'"),
                     2);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM codes WHERE code ="
                                 " 'spare'"),
                     0);
    {
        const quarry_review_item *it = NULL;
        int64_t left = 0;
        int32_t i;
        ok(p, quarry_project_review_next(p, "ana", &it, &left));
        assert_non_null(it);
        assert_true(left > 0);
        for (i = 0; i < it->n_suggestions; i++)
            assert_string_not_equal(it->suggestions[i].code, "spare");
    }
    quarry_project_free(p);
}

/* A schema-6 file (code_edits without "delete") is upgraded on open. */
static void upgrades_schema_6(void **state)
{
    const char *path = tmp("v6.quarry");
    quarry_project *p = test_project_fresh(path, tmp("coded.jsonl"), "ana");
    (void)state;
    ok(p, add(p, "Spare", NULL));
    quarry_project_free(p);
    test_sql_run(path,
            "BEGIN; CREATE TABLE e6(id INTEGER PRIMARY KEY, op TEXT NOT NULL"
            " CHECK(op IN ('add','rename','move','merge','edit')), code TEXT"
            " NOT NULL, coder_id INTEGER NOT NULL REFERENCES coders(id),"
            " made_at TEXT NOT NULL, before TEXT, after TEXT, detail TEXT NOT"
            " NULL DEFAULT '{}'); INSERT INTO e6 SELECT * FROM code_edits;"
            " DROP TABLE code_edits; ALTER TABLE e6 RENAME TO code_edits;"
            TEST_SQL_BEFORE_PASSAGES " PRAGMA user_version = 6; COMMIT;");
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    ok(p, quarry_project_open(p, path, 0));
    ok(p, delete_code(p, "spare"));
    quarry_project_free(p);
    assert_int_equal(test_sql_count(path, "PRAGMA user_version"),
                     QUARRY_PROJECT_SCHEMA);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edits"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(define_fields),
        cmocka_unit_test(delete_refused_with_work),
        cmocka_unit_test(delete_sets_suggestions_aside),
        cmocka_unit_test(upgrades_schema_6),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
