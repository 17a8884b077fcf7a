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
#include <jansson.h>
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
    " \"parent\": \"emo\", \"definition\": \"Old memories come back.\","
    " \"include\": \"the PSS's own past\", \"exclude\": \"a client's past\","
    " \"keywords\": [\"triggered\", \"same ward\"]},"
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

static char *export_qde(quarry_project *p, const char *qdpx, const char *qde);

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

/* The rows of a query as text, one line a row, "|" between columns. */
static char *rows(quarry_project *p, const char *sql)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    assert_non_null(st);
    assert_non_null(out);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        int i;
        for (i = 0; i < sqlite3_column_count(st); i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            size_t need = len + (t ? strlen(t) : 1) + 4;
            if (need > cap) {
                cap = 2 * need;
                out = realloc(out, cap);
                assert_non_null(out);
            }
            len += (size_t)snprintf(out + len, cap - len, "%s%s",
                                    t ? t : "-",
                                    i + 1 < sqlite3_column_count(st) ? "|"
                                                                     : "\n");
        }
    }
    sqlite3_finalize(st);
    return out;
}

static void same_rows(quarry_project *a, quarry_project *b, const char *sql)
{
    char *x = rows(a, sql), *y = rows(b, sql);
    assert_true(strlen(x) > 0);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static char notices[16384];
static void on_notice(void *ctx, int level, const char *msg)
{
    size_t n = strlen(notices);
    (void)ctx;
    (void)level;
    snprintf(notices + n, sizeof(notices) - n, "%s\n", msg);
}

/* The team's project with a second coder (one coding typed, one accepted
 * from a suggestion) and memos, one revising another. */
static quarry_project *team_coded(const char *name)
{
    quarry_project *p = team(name);
    quarry_memo mm = QUARRY_MEMO_INIT;
    int64_t id = 0;
    const char *dec = test_out_path("own-trip-decisions.jsonl");
    test_write_file(dec,
                    "{\"excerpt\": \"S4-P02#4\", \"verdict\": \"add\","
                    " \"code\": \"role.dual\"}\n"
                    "{\"excerpt\": \"S4-P02#2\", \"verdict\": \"add\","
                    " \"code\": \"emo.meaning\"}\n"
                    "{\"excerpt\": \"S1-P01-001\", \"verdict\": \"add\","
                    " \"code\": \"emo.meaning\"}\n");
    if (quarry_project_apply_decisions(p, dec, "ana", NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    /* As if ana had accepted the engine's suggestion for this one. */
    exec(p, "UPDATE codings SET origin = 'accepted-suggestion' WHERE"
            " excerpt_id = (SELECT id FROM excerpts WHERE xid = 'S4-P02#4')");
    mm.coder = "ana";
    mm.excerpt = "S4-P02#6";
    mm.text = "he walks out on his own: an uncoded turn with a memo";
    if (quarry_project_memo_add(p, &mm, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    mm.excerpt = NULL;
    mm.code = "emo.reliving";
    mm.text = "reliving needs a tighter definition";
    if (quarry_project_memo_add(p, &mm, &id) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    mm.revises = id;
    mm.text = "reliving: memories that come back unasked";
    if (quarry_project_memo_add(p, &mm, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    mm.code = NULL;
    mm.revises = 0;
    mm.coder = "bob";
    mm.text = "the project as a whole";
    if (quarry_project_memo_add(p, &mm, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

#define EXCERPTS_SQL                                                           \
    "SELECT e.xid, e.speaker, e.attributes, e.text FROM excerpts e"            \
    " ORDER BY e.seq"
#define CODINGS_SQL                                                            \
    "SELECT e.xid, k.code, c.name, g.origin, g.made_at FROM codings g"         \
    " JOIN excerpts e ON e.id = g.excerpt_id JOIN codes k ON k.id = g.code_id" \
    " JOIN coders c ON c.id = g.coder_id ORDER BY e.xid, k.code, c.name"
#define CODES_SQL                                                              \
    "SELECT code, name, parent, definition, include_note, exclude_note,"     \
    " keywords, color FROM codes ORDER BY position"
#define MEMOS_SQL                                                              \
    "SELECT c.name, e.xid, k.code, n.text, n.made_at, r.text FROM memos n"     \
    " JOIN coders c ON c.id = n.coder_id LEFT JOIN excerpts e ON"              \
    " e.id = n.excerpt_id LEFT JOIN codes k ON k.id = n.code_id"               \
    " LEFT JOIN memos r ON r.id = n.revises ORDER BY n.id"

/* Out through quarry's own .qdpx and into a fresh project: the same
 * excerpts (ids, speakers, roles and attributes, uncoded turns too), the
 * same codes (ids), codings (origins) and memos (revisions), and no
 * notice about endPosition or a cut of the rest. */
static void own_trip(void **state)
{
    quarry_project *p = team_coded("own-trip.quarry"), *q;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    char qdpx[1024], *x;
    (void)state;
    snprintf(qdpx, sizeof(qdpx), "%s", test_out_path("own-trip.qdpx"));
    x = export_qde(p, qdpx, "export-own-trip.qde");
    /* The selections are named by their excerpts' ids. */
    assert_non_null(strstr(x, "<PlainTextSelection guid=\""));
    assert_non_null(strstr(x, "name=\"S1-P01-001\" startPosition=\"0\""));
    assert_non_null(strstr(x, "name=\"S4-P02#4\""));
    free(x);
    assert_true(count(p, "SELECT count(*) FROM excerpts WHERE"
                         " json_extract(attributes, '$.role') ="
                         " 'interviewer'") > 0);
    q = new_project("own-trip-back.quarry");
    notices[0] = '\0';
    o.notice = on_notice;
    if (quarry_project_import_qdpx(q, qdpx, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    assert_null(strstr(notices, "endPosition"));
    assert_null(strstr(notices, "cut by"));
    assert_int_equal(st.end, QUARRY_REFI_END_INCLUSIVE);
    same_rows(p, q, EXCERPTS_SQL);
    same_rows(p, q, CODINGS_SQL);
    same_rows(p, q, CODES_SQL);
    same_rows(p, q, MEMOS_SQL);
    assert_int_equal(count(q, "SELECT count(*) FROM codings WHERE origin ="
                              " 'accepted-suggestion'"),
                     1);
    assert_int_equal(count(q, "SELECT count(*) FROM memos WHERE revises IS"
                              " NOT NULL"),
                     1);
    quarry_project_free(q);
    quarry_project_free(p);
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
/* An entry of a zip, whole (malloc'ed). */
static char *zip_entry(const char *path, const char *name)
{
    int err = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &err);
    zip_stat_t zs;
    zip_file_t *zf;
    char *buf;
    assert_non_null(za);
    assert_int_equal(zip_stat(za, name, 0, &zs), 0);
    buf = malloc((size_t)zs.size + 1);
    assert_non_null(buf);
    zf = zip_fopen(za, name, 0);
    assert_non_null(zf);
    assert_int_equal(zip_fread(zf, buf, zs.size), (zip_int64_t)zs.size);
    buf[zs.size] = '\0';
    zip_fclose(zf);
    zip_discard(za);
    return buf;
}

/* Replace (data) or delete (data NULL) an entry of a zip. */
static void zip_put(const char *path, const char *name, const char *data)
{
    int err = 0;
    zip_t *za = zip_open(path, 0, &err);
    assert_non_null(za);
    if (data == NULL) {
        zip_int64_t i = zip_name_locate(za, name, 0);
        assert_true(i >= 0);
        assert_int_equal(zip_delete(za, (zip_uint64_t)i), 0);
    } else {
        zip_source_t *src = zip_source_buffer(za, data, strlen(data), 0);
        assert_non_null(src);
        assert_true(zip_file_add(za, name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
}

static quarry_project *import_quiet(const char *name, const char *qdpx)
{
    quarry_project *q = new_project(name);
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    notices[0] = '\0';
    o.notice = on_notice;
    if (quarry_project_import_qdpx(q, qdpx, &o, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    return q;
}

/* A file quarry wrote without its entry (an older quarry, or the entry
 * taken out): the selections' names still give the ids; the rest is cut
 * and the codes named as for any file. The same file under another
 * tool's origin: the entry is left out with a notice and the names are
 * no ids. */
static void without_the_entry(void **state)
{
    quarry_project *p = team_coded("own-noentry.quarry"), *q;
    char qdpx[1024], *qde, *at;
    (void)state;
    snprintf(qdpx, sizeof(qdpx), "%s", test_out_path("own-noentry.qdpx"));
    free(export_qde(p, qdpx, "export-own-noentry.qde"));
    zip_put(qdpx, "quarry/roundtrip.json", NULL);
    q = import_quiet("own-noentry-back.quarry", qdpx);
    assert_int_equal(count(q, "SELECT count(*) FROM excerpts WHERE xid IN"
                              " ('S1-P01-001', 'S4-P02#2', 'S4-P02#4')"),
                     3);
    /* No entry: the rest is cut again, codes take their names. */
    assert_non_null(strstr(notices, "cut by"));
    assert_int_equal(count(q, "SELECT count(*) FROM codes WHERE code ="
                              " 'Reliving one''s own past'"),
                     1);
    assert_int_equal(count(q, "SELECT count(*) FROM codings WHERE origin <>"
                              " 'imported'"),
                     0);
    quarry_project_free(q);

    /* Another tool's origin, the entry back in. */
    snprintf(qdpx, sizeof(qdpx), "%s", test_out_path("own-foreign.qdpx"));
    free(export_qde(p, qdpx, "export-own-foreign.qde"));
    qde = zip_entry(qdpx, "project.qde");
    at = strstr(qde, "origin=\"quarry ");
    assert_non_null(at);
    memcpy(at, "origin=\"QualCo ", 15);
    zip_put(qdpx, "project.qde", qde);
    q = import_quiet("own-foreign-back.quarry", qdpx);
    assert_non_null(strstr(notices, "quarry/roundtrip.json left out"));
    assert_non_null(strstr(notices, "endPosition"));
    assert_int_equal(count(q, "SELECT count(*) FROM excerpts WHERE xid IN"
                              " ('S1-P01-001', 'S4-P02#2', 'S4-P02#4')"),
                     0);
    assert_int_equal(count(q, "SELECT count(*) FROM codes WHERE code ="
                              " 'emo.reliving'"),
                     0);
    free(qde);
    quarry_project_free(q);
    quarry_project_free(p);
}

/* What the entry says is checked: an excerpt id taken twice, a code id
 * with a line break, a place past the text and an origin quarry does not
 * know fall back to what any file gets. */
static void entry_checked(void **state)
{
    quarry_project *p = team_coded("own-bad.quarry"), *q;
    char qdpx[1024], *raw, *out;
    json_t *t, *v, *rest;
    const char *key;
    int n = 0;
    (void)state;
    snprintf(qdpx, sizeof(qdpx), "%s", test_out_path("own-bad.qdpx"));
    free(export_qde(p, qdpx, "export-own-bad.qde"));
    raw = zip_entry(qdpx, "quarry/roundtrip.json");
    t = json_loads(raw, 0, NULL);
    assert_non_null(t);
    /* Every selection's excerpt called "S1-P01-001". */
    json_object_foreach(json_object_get(t, "excerpts"), key, v)
        json_object_set_new(v, "id", json_string("S1-P01-001"));
    json_object_foreach(json_object_get(t, "codes"), key, v)
        json_object_set_new(json_object_get(t, "codes"), key,
                            json_string("emo.reliving\nbad"));
    json_object_foreach(json_object_get(t, "codings"), key, v)
        json_object_set_new(json_object_get(t, "codings"), key,
                            json_string("made-up"));
    json_object_foreach(json_object_get(t, "rest"), key, rest)
    {
        json_t *first = json_array_get(rest, 0);
        if (first != NULL && n++ == 0)
            json_object_set_new(first, "end", json_integer(1 << 30));
    }
    out = json_dumps(t, JSON_COMPACT);
    zip_put(qdpx, "quarry/roundtrip.json", out);
    q = import_quiet("own-bad-back.quarry", qdpx);
    /* One selection takes the id; the others are named by place. */
    assert_int_equal(count(q, "SELECT count(*) FROM excerpts WHERE xid ="
                              " 'S1-P01-001'"),
                     1);
    assert_true(count(q, "SELECT count(*) FROM excerpts WHERE xid LIKE"
                         " '%@%-%'") >= 5);
    assert_int_equal(count(q, "SELECT count(*) FROM codes WHERE instr(code,"
                              " char(10)) > 0"),
                     0);
    assert_int_equal(count(q, "SELECT count(*) FROM codes WHERE code ="
                              " 'Reliving one''s own past'"),
                     1);
    assert_int_equal(count(q, "SELECT count(*) FROM codings WHERE origin <>"
                              " 'imported'"),
                     0);
    assert_non_null(strstr(notices, "has no place in its text; left out"));
    free(out);
    free(raw);
    json_decref(t);
    quarry_project_free(q);
    quarry_project_free(p);
}

static void no_machine_paths(void **state)
{
    quarry_project *p = team("own-paths.quarry");
    char qdpx[1024], *x;
    size_t i;
    (void)state;
    char sql[2048], *trip;
    const char *dir;
    snprintf(qdpx, sizeof(qdpx), "%s", test_out_path("own-paths.qdpx"));
    dir = test_out_path("own-trip-src");
    /* An excerpt as an earlier REFI import named it after a source stored
     * under its full path: id and case name hold the folder; coded, with
     * a memo; and an uncoded one the same. */
    snprintf(sql, sizeof(sql),
             "UPDATE excerpts SET xid = '%s/S4-P02.txt@99-170', attributes ="
             " json_set(attributes, '$.case', 'P02 (%s/S4-P02.txt)') WHERE"
             " xid = 'S4-P02#2';"
             "UPDATE excerpts SET xid = '%s/S4-P02.txt@185-216', attributes ="
             " json_set(attributes, '$.case', 'Interviewer (%s/S4-P02.txt)')"
             " WHERE xid = 'S4-P02#3';"
             "INSERT INTO coders(name, kind) VALUES('ana', 'person');"
             "INSERT INTO codings(excerpt_id, code_id, coder_id, origin,"
             " made_at) SELECT e.id, k.id, c.id, 'manual',"
             " '2026-01-31T12:00:00Z' FROM excerpts e, codes k, coders c"
             " WHERE e.xid LIKE '%%@99-170' AND k.code = 'role.dual' AND"
             " c.name = 'ana';",
             dir, dir, dir, dir);
    exec(p, sql);
    {
        quarry_memo mm = QUARRY_MEMO_INIT;
        char xid[1024];
        snprintf(xid, sizeof(xid), "%s/S4-P02.txt@99-170", dir);
        mm.coder = "ana";
        mm.excerpt = xid;
        mm.text = "a memo on an excerpt named by a path";
        if (quarry_project_memo_add(p, &mm, NULL) != 0)
            fail_msg("%s", quarry_project_errmsg(p));
    }
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
    assert_non_null(strstr(x, "name=\"S4-P02.txt@99-170\""));
    assert_non_null(strstr(x, "name=\"P02 (S4-P02.txt)\""));
    free(x);
    /* Nor does quarry's own entry. */
    trip = zip_entry(qdpx, "quarry/roundtrip.json");
    assert_null(strstr(trip, "own-trip-src"));
    assert_non_null(strstr(trip, "\"S4-P02.txt@185-216\""));
    assert_non_null(strstr(trip, "\"Interviewer (S4-P02.txt)\""));
    free(trip);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_machine_paths),
        cmocka_unit_test(own_trip),
        cmocka_unit_test(without_the_entry),
        cmocka_unit_test(entry_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
