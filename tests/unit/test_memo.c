/*
 * test_memo.c -- memos on an excerpt, a code and the project: added with
 * author and time, listed by scope, counted, refused when they name
 * nothing there or say nothing, new versions that keep the old ones, the
 * upgrade of a schema-2 project, and the REFI-QDA round trip (notes out,
 * memos back with their author and time).
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
    "{\"id\": \"b1\", \"text\": \"exhausted and drained after the shift\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "memo");
    test_write_file(tmp("coded.jsonl"), coded);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static quarry_project *fresh(const char *name)
{
    return test_project_fresh(tmp(name), tmp("coded.jsonl"), "ana");
}

/* The memos of a scope as "id|on|coder|time|text|revises" lines. */
typedef struct seen {
    char text[2048];
    int n;
} seen;

static int see(void *ctx, const quarry_memo *m)
{
    seen *s = ctx;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%lld|%s|%s|%s|%s|%lld\n",
             (long long)m->id,
             m->excerpt ? m->excerpt : m->code ? m->code : "-", m->coder,
             m->time, m->text, (long long)m->revises);
    s->n++;
    return 0;
}

static const char *listing(quarry_project *p, quarry_memo_scope scope,
                           const char *name, seen *s)
{
    memset(s, 0, sizeof *s);
    if (quarry_project_memos(p, scope, name, see, s) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return s->text;
}

static void add(quarry_project *p, const char *excerpt, const char *code,
                const char *coder, const char *text, int64_t revises)
{
    quarry_memo m = QUARRY_MEMO_INIT;
    m.excerpt = excerpt;
    m.code = code;
    m.coder = coder;
    m.text = text;
    m.revises = revises;
    if (quarry_project_memo_add(p, &m, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* Three memos, one on each kind of thing. */
static quarry_project *with_memos(const char *name)
{
    quarry_project *p = fresh(name);
    add(p, NULL, NULL, "ana", "purposive sample", 0);
    add(p, NULL, "peers", "ben", "peers, not supervisors", 0);
    add(p, "a1", NULL, "ben", "understood by peers", 0);
    return p;
}

static void adds_and_lists(void **state)
{
    quarry_project *p = with_memos("add.quarry");
    quarry_memo m = QUARRY_MEMO_INIT;
    int64_t n = -1, id = 0;
    seen s;
    (void)state;
    assert_string_equal(
        listing(p, QUARRY_MEMOS_ALL, NULL, &s),
        "1|-|ana|2026-01-31T12:00:00Z|purposive sample|0\n"
        "2|peers|ben|2026-01-31T12:00:00Z|peers, not supervisors|0\n"
        "3|a1|ben|2026-01-31T12:00:00Z|understood by peers|0\n");
    assert_string_equal(listing(p, QUARRY_MEMOS_PROJECT, NULL, &s),
                        "1|-|ana|2026-01-31T12:00:00Z|purposive sample|0\n");
    assert_string_equal(
        listing(p, QUARRY_MEMOS_CODE, "peers", &s),
        "2|peers|ben|2026-01-31T12:00:00Z|peers, not supervisors|0\n");
    assert_int_equal(listing(p, QUARRY_MEMOS_EXCERPT, "a2", &s)[0], '\0');

    /* An edit is a new version; the old one stays. */
    m.excerpt = "a1";
    m.coder = "ana";
    m.text = "understood by peers, twice";
    m.time = "2026-02-01T09:30:00Z";
    m.revises = 3;
    assert_int_equal(quarry_project_memo_add(p, &m, &id), QUARRY_OK);
    assert_int_equal(id, 4);
    assert_string_equal(
        listing(p, QUARRY_MEMOS_EXCERPT, "a1", &s),
        "3|a1|ben|2026-01-31T12:00:00Z|understood by peers|0\n"
        "4|a1|ana|2026-02-01T09:30:00Z|understood by peers, twice|3\n");
    /* Naming only the memo revised: the new version goes on its excerpt
     * (and a project memo's on the project); an unknown memo is named. */
    m.excerpt = NULL;
    m.text = "understood by peers, three times";
    m.revises = 4;
    assert_int_equal(quarry_project_memo_add(p, &m, &id), QUARRY_OK);
    assert_int_equal(id, 5);
    assert_non_null(strstr(listing(p, QUARRY_MEMOS_EXCERPT, "a1", &s),
                           "5|a1|ana|2026-02-01T09:30:00Z|understood by "
                           "peers, three times|4\n"));
    m.text = "purposive sample, then snowball";
    m.revises = 1;
    assert_int_equal(quarry_project_memo_add(p, &m, &id), QUARRY_OK);
    assert_non_null(strstr(listing(p, QUARRY_MEMOS_PROJECT, NULL, &s),
                           "6|-|ana|2026-02-01T09:30:00Z|purposive sample, "
                           "then snowball|1\n"));
    m.revises = 99;
    assert_int_equal(quarry_project_memo_add(p, &m, &id), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "memo 99: no such memo"));
    assert_int_equal(quarry_project_memo_count(p, "a1", &n), QUARRY_OK);
    assert_int_equal(n, 3);
    assert_int_equal(quarry_project_memo_count(p, "b1", &n), QUARRY_OK);
    assert_int_equal(n, 0);
    quarry_project_free(p);
}

static void refuses(void **state)
{
    quarry_project *p = with_memos("refuse.quarry");
    quarry_memo m = QUARRY_MEMO_INIT;
    int64_t n;
    seen s;
    (void)state;
    m.coder = "ana";
    m.text = "note";
    m.excerpt = "zz";
    assert_int_equal(quarry_project_memo_add(p, &m, NULL), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "no excerpt \"zz\""));
    m.excerpt = NULL;
    m.code = "nope";
    assert_int_equal(quarry_project_memo_add(p, &m, NULL), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "unknown code \"nope\""));
    m.code = "peers";
    m.excerpt = "a1";
    assert_int_equal(quarry_project_memo_add(p, &m, NULL), QUARRY_EINVAL);
    m.excerpt = NULL;
    m.text = " \n ";
    assert_int_equal(quarry_project_memo_add(p, &m, NULL), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_project_errmsg(p), "empty"));
    m.text = "note";
    m.coder = NULL;
    assert_int_equal(quarry_project_memo_add(p, &m, NULL), QUARRY_EINVAL);
    m.coder = "ana";
    m.revises = 1; /* memo 1 is the project's, not the code's */
    assert_int_equal(quarry_project_memo_add(p, &m, NULL), QUARRY_ENOTFOUND);
    assert_int_equal(quarry_project_memo_count(p, "zz", &n),
                     QUARRY_ENOTFOUND);
    assert_int_equal(
        quarry_project_memos(p, QUARRY_MEMOS_CODE, "nope", see, &s),
        QUARRY_ENOTFOUND);
    /* Nothing of the refused ones was written. */
    assert_int_equal(listing(p, QUARRY_MEMOS_ALL, NULL, &s) != NULL, 1);
    assert_int_equal(s.n, 3);
    quarry_project_free(p);
}

/* A project as schema 2 wrote it: no memos table. */
static void to_schema_2(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "BEGIN; DROP TABLE memos;"
                                  TEST_SQL_BEFORE_PASSAGES
                                  " PRAGMA user_version = 2; COMMIT;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
}

static int version_of(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
        SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void upgrades_schema_2(void **state)
{
    quarry_project *p = fresh("v2.quarry");
    quarry_project_counts n;
    seen s;
    (void)state;
    quarry_project_free(p);
    assert_int_equal(version_of(tmp("v2.quarry")), QUARRY_PROJECT_SCHEMA);
    to_schema_2(tmp("v2.quarry"));
    assert_int_equal(version_of(tmp("v2.quarry")), 2);

    /* Read-only, it is upgraded all the same, codings untouched. */
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, tmp("v2.quarry"), QUARRY_PROJECT_READONLY) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.codings, 2);
    assert_int_equal(listing(p, QUARRY_MEMOS_ALL, NULL, &s)[0], '\0');
    quarry_project_free(p);
    assert_int_equal(version_of(tmp("v2.quarry")), QUARRY_PROJECT_SCHEMA);

    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, tmp("v2.quarry"), 0), QUARRY_OK);
    add(p, "b1", NULL, "cy", "drained", 0);
    assert_int_equal(listing(p, QUARRY_MEMOS_EXCERPT, "b1", &s)[0], '1');
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adds_and_lists),
        cmocka_unit_test(refuses),
        cmocka_unit_test(upgrades_schema_2),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
