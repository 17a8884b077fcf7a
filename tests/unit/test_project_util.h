/*
 * test_project_util.h -- the small project most project tests start from:
 * a new file, its clock fixed, JSONL files of codings imported under a
 * coder each. Include after <cmocka.h> and "quarry/quarry.h".
 */
#ifndef QUARRY_TEST_PROJECT_UTIL_H
#define QUARRY_TEST_PROJECT_UTIL_H

#include <sqlite3.h>
#include <unistd.h>

#include "test_util.h"

/* The first column of a SELECT (a count) on the project file at path,
 * opened read-only beside the library's handle; -1 when no row. */
static inline long long test_sql_count(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Run sql on the project file at path (to damage or age it on purpose). */
static inline void test_sql_run(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

/* A new project at path (any file there removed first), its time fixed at
 * time (NULL: the real clock). */
static inline quarry_project *test_project_at(const char *path,
                                              const char *time)
{
    quarry_project *p = NULL;
    unlink(path);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_create(p, path), QUARRY_OK);
    if (time != NULL)
        assert_int_equal(quarry_project_set_time(p, time), QUARRY_OK);
    return p;
}

/* The JSONL file coded imported into p as coder's codings. */
static inline void test_project_import_as(quarry_project *p, const char *coded,
                                          const char *coder)
{
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    io.coder = coder;
    if (quarry_project_import(p, coded, &io, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* A new project at path, its time fixed at 2026-01-31T12:00:00Z, with the
 * JSONL file coded imported as coder's codings. */
static inline quarry_project *
test_project_fresh(const char *path, const char *coded, const char *coder)
{
    quarry_project *p = test_project_at(path, "2026-01-31T12:00:00Z");
    test_project_import_as(p, coded, coder);
    return p;
}

/* The review tests' project at path: the PSS starter codebook, the
 * review fixtures' coded excerpts as gold's codings, the new excerpts
 * uncoded, and one suggest run (its clock the real one). */
static inline void test_review_project(const char *path)
{
    quarry_engine *e = test_engine();
    quarry_project *p = test_project_at(path, NULL);
    if (quarry_project_codebook_import(
            p, e,
            QUARRY_TEST_SOURCE_DIR "/dictionaries/codebooks/pss-starter.json",
            NULL, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    test_project_import_as(p, QUARRY_TEST_DATA_DIR "/review/coded.jsonl",
                           "gold");
    test_project_import_as(p, QUARRY_TEST_DATA_DIR "/review/new.jsonl", NULL);
    if (quarry_project_suggest(p, e, NULL, NULL, NULL, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    quarry_project_free(p);
    quarry_engine_free(e);
}

#endif
