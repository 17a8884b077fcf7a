/*
 * test_refi_own_trip.c -- a quarry project through its own REFI-QDA
 * export and back into a fresh project, as a researcher does it: a
 * codebook whose ids are not its names, a JSONL file coded by "gold",
 * a transcript with a header and interviewer turns imported by an
 * absolute path, a second coder's manual and accepted codings, memos
 * (one revising another).
 *
 *  - the export names no folder of the machine: sources, cases and the
 *    run log carry file names only;
 *  - excerpt ids, code ids, speakers, roles and attributes (of uncoded
 *    turns too), coding origins and memo revisions come back;
 *  - quarry's own file imports without a notice about endPosition;
 *  - another tool's file (no quarry entry) imports as before.
 *
 * Exports are validated against Project.xsd when $QUARRY_REFI_SCHEMA
 * names it (tests/refi/tests.cmake also runs xmllint on them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <libxml/xmlschemas.h>
#include <zip.h>

#include "project_db.h"
#include "quarry/quarry.h"
#include "refi_project.h"
#include "../unit/test_files.h"
#include "../unit/test_util.h"
#include "refi_test_util.h"

static const char CODEBOOK[] =
    "{\"name\": \"trip\", \"version\": 1, \"codes\": ["
    "{\"id\": \"emo\", \"name\": \"Emotional work\", \"parent\": null},"
    "{\"id\": \"emo.reliving\", \"name\": \"Reliving one's own past\","
    " \"parent\": \"emo\", \"definition\": \"Old memories come back.\"},"
    "{\"id\": \"emo.meaning\", \"name\": \"Meaning and fulfilment\","
    " \"parent\": \"emo\"},"
    "{\"id\": \"role.dual\", \"name\": \"Dual identity\", \"parent\": null}"
    "]}";

static const char JSONL[] =
    "{\"id\": \"S1-P01-001\", \"study\": \"S1\", \"participant\":"
    " \"S1-P01\", \"speaker\": \"P01\", \"text\": \"My hands went cold on"
    " the same unit where I was held.\", \"code\": \"emo.reliving\"}\n"
    "{\"id\": \"S1-P01-002\", \"study\": \"S1\", \"participant\":"
    " \"S1-P01\", \"speaker\": \"P01\", \"text\": \"The day she got her own"
    " flat, that is the paycheck.\", \"code\": \"emo.meaning\"}\n"
    "{\"id\": \"S1-P02-001\", \"study\": \"S1\", \"participant\":"
    " \"S1-P02\", \"speaker\": \"P02\", \"text\": \"I am staff and I was a"
    " patient here.\", \"code\": \"role.dual\"}\n";

static const char TRANSCRIPT[] =
    "Study: S4\n"
    "Date: 2022-03-14\n"
    "\n"
    "Interviewer: Thank you for making time. Tell me about your role?\n"
    "\n"
    "P02: I sit with patients in Z\xC3\xBCrich and share my own recovery "
    "when it helps.\n"
    "\n"
    "Interviewer: How did you come into the work?\n"
    "\n"
    "P02: I was a patient on this ward once, and now I work on it.\n"
    "\n"
    "Interviewer: What keeps you going?\n"
    "\n"
    "P02: The day someone I sat with walks out the door on their own.\n";

static int64_t count(quarry_project *p, const char *sql)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int64_t n;
    assert_non_null(st);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void exec(quarry_project *p, const char *sql)
{
    if (project_exec(p, sql) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* The team's project, its sources imported by absolute paths (the output
 * folder is absolute: tests.cmake names it so). */
static quarry_project *team(const char *name)
{
    quarry_project *p = new_project(name);
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_engine *e = test_engine();
    char cb[1024], jl[1024], tx[1024], dir[512];
    snprintf(dir, sizeof(dir), "%s", test_out_path("own-trip-src"));
    mkdir(dir, 0777);
    assert_true(dir[0] == '/');
    snprintf(cb, sizeof(cb), "%s/codebook.json", dir);
    snprintf(jl, sizeof(jl), "%s/excerpts.jsonl", dir);
    snprintf(tx, sizeof(tx), "%s/S4-P02.txt", dir);
    test_write_file(cb, CODEBOOK);
    test_write_file(jl, JSONL);
    test_write_file(tx, TRANSCRIPT);
    if (quarry_project_codebook_import(p, e, cb, NULL, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    io.coder = "gold";
    if (quarry_project_import(p, jl, &io, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    io.coder = NULL;
    if (quarry_project_import(p, tx, &io, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    /* A run whose command and options name the machine's folders. */
    {
        char sql[4096];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO runs(command, started_at, quarry_version,"
                 " plugins, options, n_train, n_input) VALUES("
                 "'quarry suggest %s/team.quarry', '2026-01-31T12:00:00Z',"
                 " '0', '[]', '{\"lexicon\":\"%s/lexicon.txt\"}', 3, 6)",
                 dir, dir);
        exec(p, sql);
    }
    quarry_engine_free(e);
    return p;
}

static char *export_qde(quarry_project *p, const char *qdpx, const char *qde)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char path[1024];
    size_t len;
    snprintf(path, sizeof(path), "%s", test_out_path(qde));
    if (quarry_project_export_qdpx(p, qdpx, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    write_qde_of(qdpx, path);
    validate_schema(path);
    return test_slurp(path, &len);
}

/* No name the export writes holds a folder: every name="..." is a bare
 * name, and the output folder appears nowhere. */
static void no_machine_paths(void **state)
{
    quarry_project *p = team("own-paths.quarry");
    char qdpx[1024], *x;
    size_t i;
    (void)state;
    snprintf(qdpx, sizeof(qdpx), "%s", test_out_path("own-paths.qdpx"));
    /* The sources were stored under their full paths. */
    assert_int_equal(count(p, "SELECT count(*) FROM sources WHERE"
                              " substr(name, 1, 1) = '/'"),
                     2);
    x = export_qde(p, qdpx, "export-own-paths.qde");
    assert_null(strstr(x, test_out_path("own-trip-src")));
    assert_null(strstr(x, "own-trip-src"));
    for (i = 0; x[i] != '\0'; i++) {
        size_t k;
        if (strncmp(x + i, " name=\"", 7) != 0)
            continue;
        for (k = i + 7; x[k] != '\0' && x[k] != '"'; k++)
            if (x[k] == '/')
                fail_msg("a name with a folder: %.80s", x + i);
    }
    assert_non_null(strstr(x, "<TextSource guid=\""));
    assert_non_null(strstr(x, "name=\"S4-P02.txt\""));
    assert_non_null(strstr(x, "name=\"excerpts.jsonl\""));
    /* The run log: the command and the options name files only. */
    assert_non_null(strstr(x, "command: quarry suggest team.quarry"));
    assert_non_null(strstr(x, "lexicon.txt"));
    free(x);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_machine_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
