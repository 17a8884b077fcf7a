/*
 * test_codebook_import.c -- a codebook file into a project
 * (quarry_project_codebook_import_file): by default new codes are added
 * and the project's codes that differ from the file are listed, not
 * changed; with update they change; every code added and field changed
 * is in the code history under the coder. Refused whole, the project as
 * it was: two codes under one parent with one name (in the file, or with
 * a project code), a name with a line break, also from a .qdc (whose own
 * transaction runs nested in the import's). A failed init's file is
 * removed by quarry_project_discard, a file opened never. A schema-5
 * file is upgraded with its history kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quarry/quarry.h"
#include "test_files.h"
#include "test_project_util.h"

#define CB(name) QUARRY_TEST_DATA_DIR "/codebook/" name

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "cbimport");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

/* What the callback was told. */
typedef struct seen {
    int added, listed, applied;
    char last[512];
} seen;

static void on_change(void *ctx, const quarry_codebook_change *c)
{
    seen *s = ctx;
    if (c->field == NULL) {
        s->added++;
        return;
    }
    s->listed++;
    s->applied += c->applied;
    snprintf(s->last, sizeof s->last, "%s %s %s -> %s", c->code, c->field,
             c->before ? c->before : "-", c->after ? c->after : "-");
}

static int import(quarry_project *p, quarry_engine *e, const char *path,
                  int update, seen *s, quarry_codebook_import_stats *st)
{
    quarry_codebook_import_options o = QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT;
    o.update = update;
    o.coder = "ana";
    o.on_change = s ? on_change : NULL;
    o.change_ctx = s;
    return quarry_project_codebook_import_file(p, e, path, &o, st);
}

/* A project at name with base.json as its first codebook (no history). */
static quarry_project *with_base(const char *name, quarry_engine *e)
{
    quarry_project *p = test_project_at(tmp(name), "2026-01-31T12:00:00Z");
    if (quarry_project_codebook_import(p, e, CB("base.json"), NULL, NULL) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

/* The code history as JSONL, read back whole (caller frees). */
static char *history(quarry_project *p)
{
    FILE *f = fopen(tmp("history.jsonl"), "w");
    size_t len;
    assert_non_null(f);
    assert_int_equal(quarry_project_export_code_history(p, f, 0),
                     QUARRY_OK);
    fclose(f);
    return test_slurp(tmp("history.jsonl"), &len);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (s = strstr(s, what); s != NULL; s = strstr(s + 1, what))
        n++;
    return n;
}

/* The code's name and parent ("" for none) in the project. */
static void code_is(quarry_project *p, const char *id, const char *name,
                    const char *parent)
{
    const quarry_project_code *codes;
    int32_t n, i;
    assert_int_equal(quarry_project_codes(p, &codes, &n), QUARRY_OK);
    for (i = 0; i < n; i++) {
        if (strcmp(codes[i].id, id) != 0)
            continue;
        assert_string_equal(codes[i].name, name);
        assert_string_equal(codes[i].parent ? codes[i].parent : "", parent);
        return;
    }
    fail_msg("no code %s", id);
}

static int64_t n_codes(quarry_project *p)
{
    quarry_project_counts n;
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    return n.codes;
}

static void refused(quarry_project *p, int rc, int want, const char *a,
                    const char *b)
{
    const char *msg = quarry_project_errmsg(p);
    assert_int_equal(rc, want);
    if (strstr(msg, a) == NULL || (b != NULL && strstr(msg, b) == NULL))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", msg, a,
                 b ? b : "");
}

/* The default: the new code added (and recorded), the four differing
 * fields of three codes listed and left as the project had them. */
static void default_lists_without_changing(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = with_base("default.quarry", e);
    quarry_codebook_import_stats st;
    seen s;
    char *h;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(import(p, e, CB("revised.json"), 0, &s, &st),
                     QUARRY_OK);
    assert_int_equal(st.added, 1);
    assert_int_equal(st.differ, 3);
    assert_int_equal(st.changed, 0);
    assert_int_equal(st.unchanged, 3);
    assert_int_equal(s.added, 1);
    assert_int_equal(s.listed, 4); /* name, definition, keywords, parent */
    assert_int_equal(s.applied, 0);
    code_is(p, "sup.manager", "Manager support", "support");
    code_is(p, "str.doubt", "Self-doubt", "strain");
    code_is(p, "str.guilt", "Guilt", "strain");
    assert_int_equal(n_codes(p), 7);
    h = history(p);
    assert_int_equal(count(h, "\n"), 1);
    assert_non_null(strstr(h, "\"coder\":\"ana\",\"op\":\"add\","
                              "\"code\":\"str.guilt\""));
    assert_non_null(strstr(h, "\"file\":\"revised.json\""));
    free(h);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* update: the changes made, each one an edit in the history. */
static void update_changes_and_records(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = with_base("update.quarry", e);
    quarry_codebook_import_stats st;
    seen s;
    char *h;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(import(p, e, CB("revised.json"), 1, &s, &st),
                     QUARRY_OK);
    assert_int_equal(st.added, 1);
    assert_int_equal(st.changed, 3);
    assert_int_equal(st.differ, 0);
    assert_int_equal(st.unchanged, 3);
    assert_int_equal(s.applied, 4);
    code_is(p, "sup.manager", "Supervision", "support");
    code_is(p, "str.doubt", "Self-doubt", "support");
    h = history(p);
    assert_int_equal(count(h, "\n"), 5);
    assert_int_equal(count(h, "\"op\":\"add\""), 1);
    assert_non_null(strstr(h, "\"op\":\"rename\",\"code\":\"sup.manager\","
                              "\"before\":\"Manager support\","
                              "\"after\":\"Supervision\""));
    assert_non_null(strstr(h, "\"op\":\"edit\",\"code\":\"sup.manager\","
                              "\"before\":\"Help from a line manager, in "
                              "supervision or not.\",\"after\":\"Help from "
                              "a supervisor.\",\"detail\":{\"field\":"
                              "\"definition\""));
    assert_non_null(strstr(h, "\"op\":\"move\",\"code\":\"str.doubt\","
                              "\"before\":\"strain\",\"after\":\"support\""));
    assert_non_null(strstr(h, "\"field\":\"keywords\""));
    free(h);
    /* Again: nothing differs, nothing recorded. */
    memset(&s, 0, sizeof s);
    assert_int_equal(import(p, e, CB("revised.json"), 1, &s, &st),
                     QUARRY_OK);
    assert_int_equal(st.added + st.changed + st.differ, 0);
    assert_int_equal(st.unchanged, 7);
    assert_int_equal(s.added + s.listed, 0);
    h = history(p);
    assert_int_equal(count(h, "\n"), 5);
    free(h);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* Two codes of one name under one parent: in the file, or a new code
 * named as a project code; a name with a line break. Nothing changes. */
static void refusals_leave_project(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = with_base("refused.quarry", e);
    quarry_project *q = test_project_at(tmp("empty.quarry"), NULL);
    seen s;
    char *h;
    (void)state;
    memset(&s, 0, sizeof s);
    refused(p, import(p, e, CB("dup-sibling.json"), 1, &s, NULL),
            QUARRY_EDUP,
            "dup-sibling.json: code \"str.fatigue\" (\"tiredness\") and "
            "code \"str.tired\" (\"Tiredness\") of the project would both "
            "be under \"strain\"",
            "nothing imported");
    refused(p, import(p, e, CB("clash.json"), 0, &s, NULL), QUARRY_EDUP,
            "clash.json: code \"str.fatigue\" (\"TIREDNESS\")",
            "code \"str.tired\" (\"Tiredness\") of the project");
    refused(p, import(p, e, CB("bad-name.json"), 1, &s, NULL),
            QUARRY_EPARSE, "bad-name.json: code \"strain\": field \"name\": "
                           "holds a line break",
            NULL);
    refused(p, import(p, e, CB("dup-id.json"), 1, &s, NULL), QUARRY_EPARSE,
            "dup-id.json: code \"str.tired\": duplicate id: codes[1] "
            "(\"Tiredness\", line 3) and codes[2] (\"Fatigue\", line 4)",
            NULL);
    assert_int_equal(s.added + s.listed, 0);
    assert_int_equal(n_codes(p), 6);
    code_is(p, "strain", "Strain", "");
    h = history(p);
    assert_string_equal(h, "");
    free(h);
    /* Both codes new, into an empty project. */
    refused(q, import(q, e, CB("dup-sibling.json"), 0, &s, NULL),
            QUARRY_EDUP,
            "code \"str.tired\" (\"Tiredness\") and code \"str.fatigue\" "
            "(\"tiredness\") would both be under \"strain\"",
            NULL);
    assert_int_equal(n_codes(q), 0);
    quarry_project_free(q);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* A .qdc runs its own transaction inside the import's: listed, not
 * applied by default; applied and recorded with update; a clash it
 * makes rolls its codes back too. */
static void qdc_through_the_same_checks(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = test_project_at(tmp("qdc.quarry"), NULL);
    quarry_codebook_import_stats st;
    quarry_code_edit ed = QUARRY_CODE_EDIT_INIT;
    seen s;
    char *h;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_project_codebook_import(
                         p, e,
                         QUARRY_TEST_SOURCE_DIR
                         "/dictionaries/codebooks/pss-starter.json",
                         NULL, NULL),
                     QUARRY_OK);
    assert_int_equal(import(p, e, QUARRY_TEST_DATA_DIR "/refi/codebook.qdc",
                            0, &s, &st),
                     QUARRY_OK);
    assert_int_equal(st.added, 6);
    assert_int_equal(st.differ, 2);
    code_is(p, "support", "Sources of support", "journey");
    memset(&s, 0, sizeof s);
    assert_int_equal(import(p, e, QUARRY_TEST_DATA_DIR "/refi/codebook.qdc",
                            1, &s, &st),
                     QUARRY_OK);
    assert_int_equal(st.changed, 2);
    code_is(p, "support", "Sources of support", "");
    assert_string_equal(s.last, "sup.supervision definition Formal or "
                                "informal supervision and debriefing that "
                                "attends to the PSS's own reactions as well "
                                "as to caseload, including line, clinical, "
                                "peer-informed and external supervision, "
                                "and its shortfalls. -> Support from a "
                                "supervisor.");
    h = history(p);
    assert_int_equal(count(h, "\"op\":\"add\""), 6);
    assert_int_equal(count(h, "\"op\":\"move\",\"code\":\"support\""), 1);
    assert_int_equal(count(h, "\"field\":\"definition\""), 1);
    free(h);
    quarry_project_free(p);

    /* "Fatigue" would be added under "Emotional impacts" beside the
     * project's "fatigue". */
    p = test_project_at(tmp("qdc2.quarry"), NULL);
    ed.coder = "ana";
    ed.name = "Emotional impacts";
    ed.id = "emo";
    assert_int_equal(quarry_project_code_edit(p, QUARRY_CODE_ADD, &ed, NULL),
                     QUARRY_OK);
    ed.name = "fatigue";
    ed.id = "emo.tired";
    ed.parent = "emo";
    assert_int_equal(quarry_project_code_edit(p, QUARRY_CODE_ADD, &ed, NULL),
                     QUARRY_OK);
    refused(p, import(p, e, QUARRY_TEST_DATA_DIR "/refi/codebook.qdc", 0, &s,
                      NULL),
            QUARRY_EDUP, "codebook.qdc: code \"Fatigue\" (\"Fatigue\") and "
                         "code \"emo.tired\" (\"fatigue\") of the project "
                         "would both be under \"emo\"",
            NULL);
    assert_int_equal(n_codes(p), 2);
    /* The handle still works: the nested transaction is gone whole. */
    ed.name = "Pride";
    ed.id = "emo.pride";
    assert_int_equal(quarry_project_code_edit(p, QUARRY_CODE_ADD, &ed, NULL),
                     QUARRY_OK);
    assert_int_equal(n_codes(p), 3);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* A code with codings that gets its first child from a file that does
 * not mark it codable stays a code, not a theme (as quarry code add). */
static void coded_parent_stays_codable(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = test_project_at(tmp("codable.quarry"), NULL);
    const quarry_project_code *codes;
    int32_t n, i;
    seen s;
    (void)state;
    memset(&s, 0, sizeof s);
    test_write_file(tmp("one.json"),
                    "{\"codes\": [{\"id\": \"strain\", \"name\": \"Strain\"}]}");
    test_write_file(tmp("two.json"),
                    "{\"codes\": [{\"id\": \"strain\", \"name\": \"Strain\"},"
                    " {\"id\": \"str.tired\", \"name\": \"Tired\","
                    " \"parent\": \"strain\"}]}");
    test_write_file(tmp("coded.jsonl"),
                    "{\"id\": \"x1\", \"text\": \"it wears me down\","
                    " \"code\": \"strain\"}\n");
    assert_int_equal(import(p, e, tmp("one.json"), 0, &s, NULL), QUARRY_OK);
    test_project_import_as(p, tmp("coded.jsonl"), "ana");
    assert_int_equal(import(p, e, tmp("two.json"), 0, &s, NULL), QUARRY_OK);
    assert_int_equal(quarry_project_codes(p, &codes, &n), QUARRY_OK);
    for (i = 0; i < n; i++)
        if (strcmp(codes[i].id, "strain") == 0)
            assert_false(codes[i].is_theme);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* discard removes the file create made, never one opened. */
static void discard_only_what_create_made(void **state)
{
    quarry_project *p = NULL;
    (void)state;
    p = test_project_at(tmp("made.quarry"), NULL);
    quarry_project_discard(p);
    assert_int_not_equal(access(tmp("made.quarry"), F_OK), 0);
    quarry_project_free(p);

    p = test_project_at(tmp("kept.quarry"), NULL);
    quarry_project_free(p);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, tmp("kept.quarry"), 0),
                     QUARRY_OK);
    quarry_project_discard(p);
    assert_int_equal(access(tmp("kept.quarry"), F_OK), 0);
    quarry_project_free(p);
    quarry_project_discard(NULL);
}

static int64_t sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A file as schema 5 wrote it (code_edits without "edit", no index of
 * codes by parent), with a merge's rows pointing at its history: opened,
 * it is upgraded whole and an import can record an edit. */
static void upgrades_schema_5(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = with_base("v5.quarry", e);
    quarry_code_edit ed = QUARRY_CODE_EDIT_INIT;
    sqlite3 *db = NULL;
    char *h;
    (void)state;
    ed.coder = "ana";
    ed.code = "str.doubt";
    ed.into = "str.tired";
    assert_int_equal(quarry_project_code_edit(p, QUARRY_CODE_MERGE, &ed, NULL),
                     QUARRY_OK);
    quarry_project_free(p);
    assert_int_equal(sqlite3_open(tmp("v5.quarry"), &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(
            db,
            "BEGIN; CREATE TABLE ce5(id INTEGER PRIMARY KEY,"
            " op TEXT NOT NULL CHECK(op IN ('add','rename','move','merge')),"
            " code TEXT NOT NULL, coder_id INTEGER NOT NULL REFERENCES"
            " coders(id), made_at TEXT NOT NULL, before TEXT, after TEXT,"
            " detail TEXT NOT NULL DEFAULT '{}');"
            " INSERT INTO ce5 SELECT * FROM code_edits;"
            " DROP TABLE code_edits; ALTER TABLE ce5 RENAME TO code_edits;"
            " DROP INDEX codes_parent;" TEST_SQL_BEFORE_PASSAGES
            " PRAGMA user_version = 5; COMMIT;",
            NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, tmp("v5.quarry"), 0), QUARRY_OK);
    assert_int_equal(import(p, e, CB("revised.json"), 1, NULL, NULL),
                     QUARRY_OK);
    h = history(p);
    assert_non_null(strstr(h, "\"op\":\"merge\",\"code\":\"str.doubt\""));
    assert_non_null(strstr(h, "\"op\":\"edit\",\"code\":\"sup.manager\""));
    free(h);
    quarry_project_free(p);
    assert_int_equal(sql_int(tmp("v5.quarry"), "PRAGMA user_version"),
                     QUARRY_PROJECT_SCHEMA);
    assert_int_equal(sql_int(tmp("v5.quarry"),
                             "SELECT count(*) FROM sqlite_schema WHERE name ="
                             " 'codes_parent'"),
                     1);
    assert_int_equal(sql_int(tmp("v5.quarry"),
                             "SELECT count(*) FROM code_edit_rows r JOIN"
                             " code_edits h ON h.id = r.edit_id"
                             " WHERE h.op = 'merge'"),
                     sql_int(tmp("v5.quarry"),
                             "SELECT count(*) FROM code_edit_rows"));
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_lists_without_changing),
        cmocka_unit_test(update_changes_and_records),
        cmocka_unit_test(refusals_leave_project),
        cmocka_unit_test(qdc_through_the_same_checks),
        cmocka_unit_test(coded_parent_stays_codable),
        cmocka_unit_test(discard_only_what_create_made),
        cmocka_unit_test(upgrades_schema_5),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
