/*
 * test_refi_guids.c -- the GUIDs of REFI-QDA codes and users across a round
 * trip (file -> project -> file), kept in the project's meta table:
 *
 *  - a .qdpx with multi-byte names goes out with every Code and User GUID
 *    it came with, and every CodeRef and creatingUser pointing at them;
 *    two exports are byte-identical; a second project keeps them too;
 *  - a .qdc in and out keeps its code GUIDs; the same codebook twice
 *    changes nothing; a code renamed in the other tool is matched by its
 *    GUID; a code matched by name keeps the first GUID kept for it;
 *  - a code or coder already in the project is matched by name and takes
 *    the file's GUID; a coder of the same name from a second file keeps
 *    the first file's GUID; a user renamed in the other tool is matched by
 *    its GUID;
 *  - tampered meta rows (not a GUID, a GUID of another code, coder or
 *    source, a row of a code that is gone) fall back to the derived GUIDs:
 *    the export is still valid, with every GUID unique.
 *
 * Outputs go to $QUARRY_REFI_OUT (a fresh temporary folder without it);
 * with $QUARRY_REFI_SCHEMA naming Project.xsd the exports are validated in
 * process, and tests/refi/tests.cmake runs xmllint on them.
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
#include "refi_io.h"
#include "refi_model.h"
#include "refi_project.h"
#include "../unit/test_files.h"
#include "refi_test_util.h"

/* The GUIDs of the test file, normalised (lower case, no braces). */
#define U_ZOE "a1b2c3d4-0000-4000-8000-0000000000aa"
#define U_ZOE2 "a1b2c3d4-0000-4000-8000-0000000000a2"
#define U_SATO "a1b2c3d4-0000-4000-8000-0000000000bb"
#define C_EMO "c0de0000-0000-4000-8000-000000000001"
#define C_MUD "c0de0000-0000-4000-8000-000000000002"
#define C_HOK "c0de0000-0000-4000-8000-000000000003"
#define C_POD "c0de0000-0000-4000-8000-000000000004"
#define C_UNU "c0de0000-0000-4000-8000-000000000005"
#define C_MUD2 "c0de0000-0000-4000-8000-0000000000f2"
#define SRC "5a5a0000-0000-4000-8000-000000000001"

/* Names with two-, three- and four-byte characters. */
#define ZOE "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m"
#define SATO "\xE4\xBD\x90\xE8\x97\xA4 \xE8\x8A\xB1\xE5\xAD\x90"
#define EMO "\xC3\x89motions"
#define MUD "M\xC3\xBC" "digkeit"
#define HOK "\xE8\xAA\x87\xE3\x82\x8A"
#define POD "\xD0\x9F\xD0\xBE\xD0\xB4\xD0\xB4\xD0\xB5\xD1\x80\xD0\xB6\xD0\xBA\xD0" \
            "\xB0 \xF0\x9F\xA4\x9D"
#define UNU "Unused \xC3\xBCnused"

#define HEAD "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"g\" origin=\"t\">"

/* Text: "Zoë: Ich bin so müde.\n佐藤: 誇りに思います。\nZoë: Поддержка
 * помогает 🤝." (61 code points); selections at 5-21, 26-34, 40-61,
 * exclusive ends. */
#define TEXT                                                                   \
    "Zo\xC3\xAB: Ich bin so m\xC3\xBC" "de.\n"                                 \
    "\xE4\xBD\x90\xE8\x97\xA4: \xE8\xAA\x87\xE3\x82\x8A\xE3\x81\xAB\xE6\x80"   \
    "\x9D\xE3\x81\x84\xE3\x81\xBE\xE3\x81\x99\xE3\x80\x82\n"                   \
    "Zo\xC3\xAB: \xD0\x9F\xD0\xBE\xD0\xB4\xD0\xB4\xD0\xB5\xD1\x80\xD0\xB6\xD0" \
    "\xBA\xD0\xB0 \xD0\xBF\xD0\xBE\xD0\xBC\xD0\xBE\xD0\xB3\xD0\xB0\xD0\xB5"   \
    "\xD1\x82 \xF0\x9F\xA4\x9D."

#define CODING(g, user, code)                                                  \
    "<Coding guid=\"" g "\" creatingUser=\"" user                              \
    "\" creationDateTime=\"2025-05-01T10:00:00Z\"><CodeRef targetGUID=\"" code \
    "\"/></Coding>"

/* The project of the round trip: GUIDs in upper case and braces too, a
 * code set and a case's CodeRef (not kept by quarry), a code nobody
 * used, a coding of the whole source. */
static const char guids_qde[] =
    HEAD "<Users>"
         "<User guid=\"{A1B2C3D4-0000-4000-8000-0000000000AA}\" name=\"" ZOE "\"/>"
         "<User guid=\"" U_SATO "\" name=\"" SATO "\"/></Users>"
         "<CodeBook><Codes>"
         "<Code guid=\"C0DE0000-0000-4000-8000-000000000001\" name=\"" EMO
         "\" isCodable=\"false\" color=\"#AA0000\">"
         "<Code guid=\"" C_MUD "\" name=\"" MUD "\" isCodable=\"true\"/>"
         "<Code guid=\"{" C_HOK "}\" name=\"" HOK "\" isCodable=\"true\"/>"
         "</Code>"
         "<Code guid=\"" C_POD "\" name=\"" POD "\" isCodable=\"true\"/>"
         "<Code guid=\"" C_UNU "\" name=\"" UNU "\" isCodable=\"true\"/>"
         "</Codes></CodeBook>"
         "<Cases><Case guid=\"ca5e0000-0000-4000-8000-000000000001\" "
         "name=\"P1\"><CodeRef targetGUID=\"" C_HOK "\"/></Case></Cases>"
         "<Sources><TextSource guid=\"" SRC "\" name=\"entretien-\xC3\xA9.txt\">"
         "<PlainTextContent>" TEXT "</PlainTextContent>"
         "<PlainTextSelection guid=\"5e100000-0000-4000-8000-000000000001\" "
         "startPosition=\"5\" endPosition=\"21\" creatingUser=\"" U_ZOE "\">"
         CODING("c0d10000-0000-4000-8000-000000000001", U_ZOE, C_MUD)
         "</PlainTextSelection>"
         "<PlainTextSelection guid=\"5e100000-0000-4000-8000-000000000002\" "
         "startPosition=\"26\" endPosition=\"34\" creatingUser=\"" U_SATO "\">"
         CODING("c0d10000-0000-4000-8000-000000000002", U_SATO, C_HOK)
         CODING("c0d10000-0000-4000-8000-000000000003",
                "{A1B2C3D4-0000-4000-8000-0000000000AA}", C_HOK)
         "</PlainTextSelection>"
         "<PlainTextSelection guid=\"5e100000-0000-4000-8000-000000000003\" "
         "startPosition=\"40\" endPosition=\"61\" creatingUser=\"" U_SATO "\">"
         CODING("c0d10000-0000-4000-8000-000000000004", U_SATO, C_POD)
         "</PlainTextSelection>"
         CODING("c0d10000-0000-4000-8000-000000000005", U_ZOE, C_POD)
         "</TextSource></Sources>"
         "<Sets><Set guid=\"5e700000-0000-4000-8000-000000000001\" name=\"S\">"
         "<MemberCode targetGUID=\"" C_MUD "\"/>"
         "<MemberCode targetGUID=\"" C_HOK "\"/></Set></Sets></Project>";

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
    if (project_exec(p, sql) != 0)
        fail_msg("%s: %s", sql, quarry_project_errmsg(p));
}

static char kept_notices[4096];
static void on_notice(void *ctx, int level, const char *msg)
{
    (void)ctx;
    (void)level;
    if (strstr(msg, "kept for") != NULL &&
        strlen(kept_notices) + strlen(msg) + 2 < sizeof(kept_notices)) {
        strcat(kept_notices, msg);
        strcat(kept_notices, "\n");
    }
}

static void import_qdpx(quarry_project *p, const char *path)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    o.end = QUARRY_REFI_END_EXCLUSIVE;
    if (quarry_project_import_qdpx(p, path, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* Export twice (byte-identical), keep project.qde as qde_name (validated)
 * and read the export back into m. */
static void export_and_read(quarry_project *p, const char *name,
                            const char *qde_name, refi_model *m)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char an[256], bn[256], a[1024], b[1024], *x, *y;
    size_t xl, yl;
    snprintf(an, sizeof(an), "%s-1.qdpx", name);
    snprintf(bn, sizeof(bn), "%s-2.qdpx", name);
    snprintf(a, sizeof(a), "%s", test_out_path(an));
    snprintf(b, sizeof(b), "%s", test_out_path(bn));
    o.notice = on_notice;
    if (quarry_project_export_qdpx(p, a, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_export_qdpx(p, b, &o), 0);
    x = test_slurp(a, &xl);
    y = test_slurp(b, &yl);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
    write_qde_of(a, test_out_path(qde_name));
    validate_schema(test_out_path(qde_name));
    /* The reader refuses a GUID used twice: every GUID is unique. */
    o.notice = NULL;
    /* As the file was imported (exclusive): an export writes back the
     * convention its import read. */
    o.end = QUARRY_REFI_END_EXCLUSIVE;
    refi_model_init(m);
    if (refi_read_file(m, a, &o) != 0)
        fail_msg("%s", m->errmsg);
}

static const char *code_guid(const refi_model *m, const char *name)
{
    int32_t i;
    for (i = 0; i < m->n_codes; i++)
        if (strcmp(m->codes[i].name, name) == 0)
            return m->codes[i].guid;
    fail_msg("no code \"%s\"", name);
    return NULL;
}

static const char *user_guid(const refi_model *m, const char *name)
{
    int32_t i;
    for (i = 0; i < m->n_users; i++)
        if (strcmp(m->users[i].name, name) == 0)
            return m->users[i].guid;
    fail_msg("no user \"%s\"", name);
    return NULL;
}

/* Every code and user of a is in b under the same GUID and name, and b
 * has no others (b's suggestion user aside). */
static void same_codes_and_users(const refi_model *a, const refi_model *b)
{
    int32_t i, k;
    assert_int_equal(a->n_codes, b->n_codes);
    for (i = 0; i < a->n_codes; i++) {
        assert_int_equal(refi_guid_find(b, a->codes[i].guid, &k), REFI_K_CODE);
        assert_string_equal(b->codes[k].name, a->codes[i].name);
        assert_int_equal(b->codes[k].parent < 0, a->codes[i].parent < 0);
        if (a->codes[i].parent >= 0)
            assert_string_equal(b->codes[b->codes[k].parent].guid,
                                a->codes[a->codes[i].parent].guid);
    }
    assert_int_equal(a->n_users, b->n_users);
    for (i = 0; i < a->n_users; i++) {
        assert_int_equal(refi_guid_find(b, a->users[i].guid, &k), REFI_K_USER);
        assert_string_equal(b->users[k].name, a->users[i].name);
    }
}

/* One line per coding: source, span (or "whole"), code GUID, user GUID,
 * sorted, into buf. */
static int cmp_line(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void coding_lines(const refi_model *m, char *buf, size_t cap)
{
    char **lines = calloc((size_t)m->n_codings + 1, sizeof(char *));
    int32_t i;
    size_t n = 0;
    assert_non_null(lines);
    for (i = 0; i < m->n_codings; i++) {
        const refi_coding *c = &m->codings[i];
        char span[64];
        lines[i] = malloc(512);
        assert_non_null(lines[i]);
        if (c->selection >= 0)
            snprintf(span, sizeof(span), "%lld-%lld",
                     (long long)m->selections[c->selection].start,
                     (long long)m->selections[c->selection].end);
        else
            snprintf(span, sizeof(span), "whole");
        assert_true(c->code >= 0);
        assert_true(c->user >= 0);
        snprintf(lines[i], 512, "%s|%s|%s|%s", m->sources[c->source].name,
                 span, m->codes[c->code].guid, m->users[c->user].guid);
    }
    qsort(lines, (size_t)m->n_codings, sizeof(char *), cmp_line);
    buf[0] = '\0';
    for (i = 0; i < m->n_codings; i++) {
        n += strlen(lines[i]) + 1;
        assert_true(n < cap);
        strcat(buf, lines[i]);
        strcat(buf, "\n");
        free(lines[i]);
    }
    free(lines);
}

static void read_input(refi_model *m)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    o.end = QUARRY_REFI_END_EXCLUSIVE;
    refi_model_init(m);
    if (refi_read_file(m, zip_qde("guids.qdpx", guids_qde, NULL, NULL), &o) != 0)
        fail_msg("%s", m->errmsg);
}

/* ------------------------------------------------------------------ */

static void qdpx_round_trip_keeps_guids(void **state)
{
    quarry_project *p = new_project("guids.quarry"), *q;
    refi_model in, out, again;
    static char x[8192], y[8192];
    int32_t i, k;
    FILE *f;
    (void)state;
    read_input(&in);
    assert_string_equal(in.users[0].guid, U_ZOE);
    assert_string_equal(in.codes[0].guid, C_EMO);
    import_qdpx(p, zip_qde("guids.qdpx", guids_qde, NULL, NULL));
    /* One meta row per code and per coder of the file. */
    assert_int_equal(count(p, "SELECT count(*) FROM meta WHERE key LIKE "
                              "'refi.code\\_guid.%' ESCAPE '\\'"),
                     5);
    assert_int_equal(count(p, "SELECT count(*) FROM meta WHERE key = "
                              "'refi.user_guid." ZOE "' AND value = '" U_ZOE
                              "'"),
                     1);
    assert_int_equal(count(p, "SELECT count(*) FROM meta WHERE key = "
                              "'refi.code_guid." HOK "' AND value = '" C_HOK
                              "'"),
                     1);

    export_and_read(p, "guids-out", "export-guids.qde", &out);
    same_codes_and_users(&in, &out);
    /* Every CodeRef and creatingUser of a coding points at the input's. */
    coding_lines(&in, x, sizeof(x));
    coding_lines(&out, y, sizeof(y));
    assert_string_equal(x, y);
    assert_non_null(strstr(y, "|" C_HOK "|" U_ZOE "\n"));
    assert_non_null(strstr(y, "|whole|" C_POD "|" U_ZOE "\n"));
    /* Each selection's creatingUser is one of the input's users. */
    for (i = 0; i < out.n_selections; i++) {
        assert_true(out.selections[i].user >= 0);
        assert_int_equal(
            refi_guid_find(&in, out.users[out.selections[i].user].guid, &k),
            REFI_K_USER);
    }

    /* The codebook alone keeps them too. */
    f = fopen(test_out_path("guids.qdc"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_qdc(p, f), 0);
    fclose(f);
    {
        refi_model cb;
        quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
        refi_model_init(&cb);
        if (refi_read_file(&cb, test_out_path("guids.qdc"), &o) != 0)
            fail_msg("%s", cb.errmsg);
        assert_int_equal(cb.n_codes, 5);
        for (i = 0; i < in.n_codes; i++)
            assert_string_equal(code_guid(&cb, in.codes[i].name),
                                in.codes[i].guid);
        refi_model_free(&cb);
    }

    /* On through a second project: still the first file's GUIDs. */
    q = new_project("guids-again.quarry");
    {
        quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
        quarry_refi_stats st;
        if (quarry_project_import_qdpx(q, test_out_path("guids-out-1.qdpx"), &o,
                                       &st) != 0)
            fail_msg("%s", quarry_project_errmsg(q));
    }
    export_and_read(q, "guids-again", "export-guids-again.qde", &again);
    same_codes_and_users(&in, &again);
    coding_lines(&again, y, sizeof(y));
    assert_string_equal(x, y);

    refi_model_free(&again);
    refi_model_free(&out);
    refi_model_free(&in);
    quarry_project_free(q);
    quarry_project_free(p);
}

#define QDC_HEAD "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>"

static void qdc_round_trip_keeps_guids(void **state)
{
    quarry_project *p = new_project("qdc.quarry");
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    int32_t added = -1, updated = -1, i;
    refi_model in, out;
    const char *qdc = test_out_path("guids-in.qdc");
    char *a, *b;
    size_t al, bl;
    FILE *f;
    (void)state;
    test_write_file(qdc,
               QDC_HEAD "<Code guid=\"{C0DE0000-0000-4000-8000-000000000001}\" "
                        "name=\"" EMO "\" isCodable=\"false\">"
                        "<Code guid=\"" C_MUD "\" name=\"" MUD
                        "\" isCodable=\"true\"/>"
                        "<Code guid=\"" C_HOK "\" name=\"" HOK
                        "\" isCodable=\"true\"/></Code>"
                        "<Code guid=\"" C_POD "\" name=\"" POD
                        "\" isCodable=\"true\"/></Codes>"
                        "<Sets><Set guid=\"5e700000-0000-4000-8000-000000000001\""
                        " name=\"S\"><MemberCode guid=\"" C_MUD "\"/></Set>"
                        "</Sets></CodeBook>");
    refi_model_init(&in);
    assert_int_equal(refi_read_file(&in, qdc, &o), 0);
    if (quarry_project_import_qdc(p, qdc, &o, &added, &updated) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(added, 4);
    assert_int_equal(count(p, "SELECT count(*) FROM meta WHERE key LIKE "
                              "'refi.%'"),
                     4);

    f = fopen(test_out_path("guids-out-1.qdc"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_qdc(p, f), 0);
    fclose(f);
    refi_model_init(&out);
    if (refi_read_file(&out, test_out_path("guids-out-1.qdc"), &o) != 0)
        fail_msg("%s", out.errmsg);
    same_codes_and_users(&in, &out);
    refi_model_free(&out);

    /* The same codebook again: all matched, nothing new kept. */
    assert_int_equal(quarry_project_import_qdc(p, qdc, &o, &added, &updated),
                     0);
    assert_int_equal(added, 0);
    assert_int_equal(updated, 4);
    assert_int_equal(count(p, "SELECT count(*) FROM meta WHERE key LIKE "
                              "'refi.%'"),
                     4);

    /* From the other tool again: Müdigkeit renamed (the same GUID), and a
     * new GUID for 誇り (matched by name: the first GUID stays). */
    test_write_file(qdc, QDC_HEAD "<Code guid=\"" C_MUD "\" name=\"Ersch\xC3\xB6pfung"
                             "\" isCodable=\"true\"/>"
                             "<Code guid=\"" C_MUD2 "\" name=\"" HOK
                             "\" isCodable=\"true\"/></Codes></CodeBook>");
    assert_int_equal(quarry_project_import_qdc(p, qdc, &o, &added, &updated),
                     0);
    assert_int_equal(added, 0);
    assert_int_equal(updated, 2);
    assert_int_equal(count(p, "SELECT count(*) FROM codes"), 4);
    f = fopen(test_out_path("guids-out-2.qdc"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_qdc(p, f), 0);
    fclose(f);
    refi_model_init(&out);
    if (refi_read_file(&out, test_out_path("guids-out-2.qdc"), &o) != 0)
        fail_msg("%s", out.errmsg);
    assert_string_equal(code_guid(&out, "Ersch\xC3\xB6pfung"), C_MUD);
    assert_string_equal(code_guid(&out, HOK), C_HOK);
    assert_string_equal(code_guid(&out, EMO), C_EMO);
    for (i = 0; i < out.n_codes; i++)
        assert_string_not_equal(out.codes[i].guid, C_MUD2);
    refi_model_free(&out);

    /* Unchanged, the codebook exports to the same bytes. */
    f = fopen(test_out_path("guids-out-3.qdc"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_qdc(p, f), 0);
    fclose(f);
    a = test_slurp(test_out_path("guids-out-2.qdc"), &al);
    b = test_slurp(test_out_path("guids-out-3.qdc"), &bl);
    assert_int_equal(al, bl);
    assert_memory_equal(a, b, al);
    free(a);
    free(b);
    refi_model_free(&in);
    quarry_project_free(p);
}

/* The file of guids_qde with another source, other user GUIDs or names. */
static const char *other_file(const char *name, const char *source,
                              const char *zoe_guid, const char *zoe_name,
                              const char *mud_name)
{
    static char qde[4096];
    snprintf(qde, sizeof(qde),
             HEAD "<Users><User guid=\"%s\" name=\"%s\"/></Users>"
                  "<CodeBook><Codes><Code guid=\"" C_MUD "\" name=\"%s\" "
                  "isCodable=\"true\"/></Codes></CodeBook>"
                  "<Sources><TextSource guid=\"%s\" name=\"%s\">"
                  "<PlainTextContent>" TEXT "</PlainTextContent>"
                  "<PlainTextSelection guid=\"%s\" startPosition=\"5\" "
                  "endPosition=\"21\">"
                  "<Coding guid=\"%s\" creatingUser=\"%s\"><CodeRef "
                  "targetGUID=\"" C_MUD "\"/></Coding>"
                  "</PlainTextSelection></TextSource></Sources></Project>",
             zoe_guid, zoe_name, mud_name,
             strcmp(name, "second.qdpx") == 0
                 ? "5a5a0000-0000-4000-8000-000000000002"
                 : "5a5a0000-0000-4000-8000-000000000003",
             source,
             strcmp(name, "second.qdpx") == 0
                 ? "5e100000-0000-4000-8000-000000000012"
                 : "5e100000-0000-4000-8000-000000000013",
             strcmp(name, "second.qdpx") == 0
                 ? "c0d10000-0000-4000-8000-000000000012"
                 : "c0d10000-0000-4000-8000-000000000013",
             zoe_guid);
    return zip_qde(name, qde, NULL, NULL);
}

static void matches_existing_codes_and_coders(void **state)
{
    quarry_project *p = new_project("existing.quarry");
    quarry_refi_stats st;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    refi_model out;
    char *qde;
    size_t len;
    (void)state;
    /* A code and a coder quarry had before any import. */
    exec(p, "INSERT INTO codes(code, name, position) VALUES('" MUD "', '" MUD
            "', 0);"
            "INSERT INTO coders(name) VALUES('" ZOE "');");
    o.end = QUARRY_REFI_END_EXCLUSIVE;
    if (quarry_project_import_qdpx(p, zip_qde("guids.qdpx", guids_qde, NULL, NULL), &o,
                                   &st) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(st.codes, 4); /* Müdigkeit matched by name */
    assert_int_equal(count(p, "SELECT count(*) FROM coders"), 2);

    /* The same coder name, another GUID: the first file's stays. */
    import_qdpx(p, other_file("second.qdpx", "zweites.txt", U_ZOE2, ZOE, MUD));
    /* The user renamed in the other tool, and the code: matched by GUID. */
    import_qdpx(p, other_file("third.qdpx", "drittes.txt", U_ZOE, "Zoe A.",
                              "Tiredness"));
    assert_int_equal(count(p, "SELECT count(*) FROM coders"), 2);
    assert_int_equal(count(p, "SELECT count(*) FROM codes"), 5);
    assert_int_equal(count(p, "SELECT count(*) FROM codings g JOIN coders c ON"
                              " c.id = g.coder_id JOIN excerpts e ON e.id ="
                              " g.excerpt_id WHERE c.name = '" ZOE "' AND"
                              " e.xid LIKE 'drittes.txt@%'"),
                     1);

    /* A file refused half-way keeps nothing: no code, coder or GUID. */
    {
        const char *bad = zip_qde(
            "refused.qdpx",
            HEAD "<Users><User guid=\"a1b2c3d4-0000-4000-8000-0000000000dd\" "
                 "name=\"Neue\"/></Users><CodeBook><Codes><Code "
                 "guid=\"c0de0000-0000-4000-8000-0000000000dd\" name=\"Neu\" "
                 "isCodable=\"true\"/></Codes></CodeBook><Sources><TextSource "
                 "guid=\"5a5a0000-0000-4000-8000-0000000000dd\" "
                 "name=\"entretien-\xC3\xA9.txt\"><PlainTextContent>" TEXT
                 "</PlainTextContent><PlainTextSelection guid=\"5e100000-0000-"
                 "4000-8000-0000000000dd\" startPosition=\"5\" "
                 "endPosition=\"21\"><Coding guid=\"c0d10000-0000-4000-8000-"
                 "0000000000dd\" creatingUser=\"a1b2c3d4-0000-4000-8000-"
                 "0000000000dd\"><CodeRef targetGUID=\"c0de0000-0000-4000-8000-"
                 "0000000000dd\"/></Coding></PlainTextSelection></TextSource>"
                 "</Sources></Project>",
            NULL, NULL);
        int64_t before = count(p, "SELECT count(*) FROM meta");
        /* The excerpt is in the project already: refused, rolled back. */
        assert_int_equal(quarry_project_import_qdpx(p, bad, &o, &st),
                         QUARRY_EDUP);
        assert_int_equal(count(p, "SELECT count(*) FROM meta"), before);
        assert_int_equal(count(p, "SELECT count(*) FROM codes"), 5);
        assert_int_equal(count(p, "SELECT count(*) FROM coders"), 2);
    }

    export_and_read(p, "existing-out", "export-guids-existing.qde", &out);
    assert_string_equal(code_guid(&out, MUD), C_MUD);
    assert_string_equal(user_guid(&out, ZOE), U_ZOE);
    assert_string_equal(user_guid(&out, SATO), U_SATO);
    assert_int_equal(out.n_users, 2);
    qde = test_slurp(test_out_path("export-guids-existing.qde"), &len);
    assert_null(strstr(qde, U_ZOE2));
    refi_model_free(&out);
    free(qde);
    quarry_project_free(p);
}

static void tampered_meta_falls_back(void **state)
{
    quarry_project *p = new_project("tampered.quarry");
    refi_model in, out;
    char ns[37], g[37], sql[1024];
    (void)state;
    read_input(&in);
    import_qdpx(p, zip_qde("guids.qdpx", guids_qde, NULL, NULL));
    assert_int_equal(refi_project_ns(p, ns), 0);
    refi_project_code_guid(MUD, g);
    snprintf(sql, sizeof(sql),
             /* not a GUID */
             "UPDATE meta SET value = '{NOT-A-GUID}' WHERE key ="
             " 'refi.code_guid." MUD "';"
             /* 誇り's GUID again: 誇り comes first and keeps it */
             "UPDATE meta SET value = '" C_HOK "' WHERE key ="
             " 'refi.code_guid." POD "';"
             /* a code's GUID on a coder: the code keeps it */
             "UPDATE meta SET value = '" C_HOK "' WHERE key ="
             " 'refi.user_guid." SATO "';"
             /* the source's GUID on a code: the source keeps it */
             "UPDATE meta SET value = '" SRC "' WHERE key ="
             " 'refi.code_guid." UNU "';"
             /* the derived GUID of another code */
             "UPDATE meta SET value = '%s' WHERE key = 'refi.code_guid." EMO
             "';"
             /* a row of a code that is gone, with a live GUID */
             "INSERT INTO meta VALUES('refi.code_guid.Gone', '" C_HOK "');"
             /* renamed in quarry: the same code id */
             "UPDATE codes SET name = 'Stolz' WHERE code = '" HOK "';",
             g);
    exec(p, sql);
    kept_notices[0] = '\0';
    export_and_read(p, "tampered-out", "export-guids-tampered.qde", &out);
    assert_non_null(strstr(kept_notices, "is not a GUID"));
    assert_non_null(strstr(kept_notices, "names something else"));

    assert_string_equal(code_guid(&out, MUD), g);
    assert_string_equal(code_guid(&out, "Stolz"), C_HOK);
    refi_project_code_guid(POD, g);
    assert_string_equal(code_guid(&out, POD), g);
    refi_project_code_guid(UNU, g);
    assert_string_equal(code_guid(&out, UNU), g);
    refi_project_code_guid(EMO, g);
    assert_string_equal(code_guid(&out, EMO), g);
    assert_string_equal(out.sources[0].guid, SRC);
    refi_project_user_guid(ns, SATO, g);
    assert_string_equal(user_guid(&out, SATO), g);
    assert_string_equal(user_guid(&out, ZOE), U_ZOE);
    /* Every coding still points at a code and a user of the file. */
    assert_int_equal(out.n_codings, in.n_codings);
    refi_model_free(&out);
    refi_model_free(&in);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qdpx_round_trip_keeps_guids),
        cmocka_unit_test(qdc_round_trip_keeps_guids),
        cmocka_unit_test(matches_existing_codes_and_coders),
        cmocka_unit_test(tampered_meta_falls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
