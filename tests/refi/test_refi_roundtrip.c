/*
 * test_refi_roundtrip.c -- a REFI-QDA project as the tools write it, in a
 * quarry project and back out:
 *
 *  - the uncoded rest of a ten-paragraph source becomes excerpts, one per
 *    paragraph piece, never overlapping the two coded selections, each
 *    with the exact bytes and code points of its place in the text; and
 *    quarry suggest then has excerpts to suggest for;
 *  - a code with children marked isCodable="true" is a code (coded to,
 *    learnt from, suggested), one marked "false" stays a theme;
 *  - import -> export -> import -> export keeps the source names, the
 *    selection names, isCodable, a user without codings, Project/@name,
 *    the exclusive endPosition the file used, and the participant's case
 *    with study and participant as variables (and back as attributes);
 *    the two exports are byte-identical;
 *  - a project from JSONL with P01 in two studies exports two cases;
 *  - a second file that counts endPosition otherwise gets a notice and
 *    changes nothing of what exports write.
 *
 * Exports are validated against Project.xsd when $QUARRY_REFI_SCHEMA names
 * it (tests/refi/tests.cmake also runs xmllint on them).
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

#define G(n) "7e570000-0000-4000-8000-0000000000" n
#define SRC G("01")
#define U_ANA G("a1")
#define U_BEN G("b2")
#define U_CLEO G("c3")

/* Ten paragraphs; "Zürich" makes code points differ from bytes. */
static const char TEXT[] =
    "Interview in Z\xC3\xBCrich, spring. The peer worker talks about the "
    "job.\n\n"
    "My supervisor listens to me every week and the team gives me support "
    "when a shift goes badly.\n\n"
    "The commute is long and the bus is late most mornings.\n\n"
    "Sometimes the team forgets me, but support from other peer workers "
    "keeps me going.\n\n"
    "After a hard week I am tired, exhausted really, and I sleep the whole "
    "weekend.\n\n"
    "I tell my story when it helps someone, never to fill a silence.\n\n"
    "Support from the team matters more than the pay.\n\n"
    "Being tired after every shift is normal for me now.\n\n"
    "The training taught me boundaries, and the supervisor backs them.\n\n"
    "I would do this job again, even tired, because the support is real.";

static const char *SEL1 = "My supervisor listens to me every week and the team "
                          "gives me support when a shift goes badly.";
static const char *SEL2 = "I am tired, exhausted really";

/* Code points before byte b of TEXT. */
static long cp_of(size_t b)
{
    long n = 0;
    size_t i;
    for (i = 0; i < b; i++)
        n += ((unsigned char)TEXT[i] & 0xC0) != 0x80;
    return n;
}

static void span_of(const char *quote, long *start, long *end)
{
    const char *at = strstr(TEXT, quote);
    assert_non_null(at);
    *start = cp_of((size_t)(at - TEXT));
    *end = cp_of((size_t)(at - TEXT) + strlen(quote)); /* exclusive */
}

/* The fixture: exclusive ends (as QualCoder writes them), a codable
 * parent, a theme, a user who coded nothing, a participant's case. */
static const char *fixture(void)
{
    static char qde[8192];
    long s1, e1, s2, e2;
    span_of(SEL1, &s1, &e1);
    span_of(SEL2, &s2, &e2);
    snprintf(
        qde, sizeof(qde),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" "
        "name=\"Pilot study \xE2\x80\x93 Z\xC3\xBCrich\" origin=\"QualCoder "
        "3.5\">\n"
        " <Users><User guid=\"" U_ANA "\" name=\"Ana\"/>"
        "<User guid=\"" U_BEN "\" name=\"Ben\"/>"
        "<User guid=\"" U_CLEO "\" name=\"Cleo\"/></Users>\n"
        " <CodeBook><Codes>\n"
        "  <Code guid=\"" G("10") "\" name=\"Support\" isCodable=\"true\" "
        "color=\"#3366CC\">\n"
        "   <Code guid=\"" G("11") "\" name=\"Peer support\" "
        "isCodable=\"true\"/></Code>\n"
        "  <Code guid=\"" G("20") "\" name=\"Feelings\" isCodable=\"false\">\n"
        "   <Code guid=\"" G("21") "\" name=\"Fatigue\" isCodable=\"true\"/>"
        "</Code>\n"
        " </Codes></CodeBook>\n"
        " <Variables><Variable guid=\"" G("40") "\" name=\"study\" "
        "typeOfVariable=\"Text\"/>"
        "<Variable guid=\"" G("41") "\" name=\"participant\" "
        "typeOfVariable=\"Text\"/></Variables>\n"
        " <Cases><Case guid=\"" G("50") "\" name=\"P07\">"
        "<VariableValue><VariableRef targetGUID=\"" G("40") "\"/>"
        "<TextValue>S2</TextValue></VariableValue>"
        "<VariableValue><VariableRef targetGUID=\"" G("41") "\"/>"
        "<TextValue>S2-P07</TextValue></VariableValue>"
        "<SourceRef targetGUID=\"" SRC "\"/></Case></Cases>\n"
        " <Sources><TextSource guid=\"" SRC "\" name=\"Interview 07.txt\" "
        "plainTextPath=\"internal://" SRC ".txt\">\n"
        "  <PlainTextSelection guid=\"" G("61") "\" name=\"%s\" "
        "startPosition=\"%ld\" endPosition=\"%ld\" creatingUser=\"" U_ANA "\">"
        "<Coding guid=\"" G("71") "\" creatingUser=\"" U_ANA "\">"
        "<CodeRef targetGUID=\"" G("10") "\"/></Coding>"
        "</PlainTextSelection>\n"
        "  <PlainTextSelection guid=\"" G("62") "\" name=\"Quote about "
        "tiredness\" startPosition=\"%ld\" endPosition=\"%ld\" "
        "creatingUser=\"" U_BEN "\">"
        "<Coding guid=\"" G("72") "\" creatingUser=\"" U_BEN "\">"
        "<CodeRef targetGUID=\"" G("21") "\"/></Coding>"
        "</PlainTextSelection>\n"
        " </TextSource></Sources>\n"
        "</Project>\n",
        SEL1, s1, e1, s2, e2);
    return zip_qde("ten-paragraphs.qdpx", qde, "sources/" SRC ".txt", TEXT);
}

static quarry_project *imported(const char *name, const char *qdpx)
{
    quarry_project *p = new_project(name);
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    if (quarry_project_import_qdpx(p, qdpx, &o, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

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

static char *meta(quarry_project *p, const char *key)
{
    char *v = NULL;
    assert_int_equal(project_meta_get(p, key, &v), QUARRY_OK);
    return v;
}

static void rest_becomes_excerpts(void **state)
{
    quarry_project *p = imported("rest.quarry", fixture());
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    quarry_engine *e = test_engine();
    quarry_run_info info;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    sqlite3_stmt *q;
    size_t coded[2][2];
    int n = 0;
    (void)state;
    coded[0][0] = (size_t)(strstr(TEXT, SEL1) - TEXT);
    coded[0][1] = coded[0][0] + strlen(SEL1);
    coded[1][0] = (size_t)(strstr(TEXT, SEL2) - TEXT);
    coded[1][1] = coded[1][0] + strlen(SEL2);
    /* 10 paragraphs, one coded whole, one in part: 9 pieces before and
     * after the part, 10 in all. */
    assert_int_equal(count(p, "SELECT count(*) FROM excerpts WHERE"
                              " json_extract(attributes, '$.refi_guid')"
                              " IS NULL"),
                     10);
    q = project_prepare(p, "SELECT start, \"end\", text, line, xid,"
                           " json_extract(attributes, '$.refi_start'),"
                           " json_extract(attributes, '$.refi_end')"
                           " FROM excerpts WHERE json_extract(attributes,"
                           " '$.refi_guid') IS NULL ORDER BY seq");
    assert_non_null(q);
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t a = (size_t)sqlite3_column_int64(q, 0);
        size_t b = (size_t)sqlite3_column_int64(q, 1);
        const char *t = (const char *)sqlite3_column_text(q, 2);
        int k, lines = 1;
        char xid[128];
        size_t i;
        assert_true(a < b && b <= sizeof(TEXT) - 1);
        assert_int_equal((size_t)sqlite3_column_bytes(q, 2), b - a);
        assert_memory_equal(t, TEXT + a, b - a);
        for (k = 0; k < 2; k++)
            assert_true(b <= coded[k][0] || a >= coded[k][1]);
        for (i = 0; i < a; i++)
            lines += TEXT[i] == '\n';
        assert_int_equal(sqlite3_column_int64(q, 3), lines);
        /* Code points, exclusive end, in the id and the attributes. */
        snprintf(xid, sizeof(xid), "Interview 07.txt@%ld-%ld", cp_of(a),
                 cp_of(b));
        assert_string_equal((const char *)sqlite3_column_text(q, 4), xid);
        assert_int_equal(sqlite3_column_int64(q, 5), cp_of(a));
        assert_int_equal(sqlite3_column_int64(q, 6), cp_of(b));
        n++;
    }
    sqlite3_finalize(q);
    assert_int_equal(n, 10);
    /* The piece before the partly coded selection ends before it. */
    assert_int_equal(count(p, "SELECT count(*) FROM excerpts WHERE"
                              " text = 'After a hard week'"),
                     1);

    /* Suggest: learns from the codable parent, suggests for the rest (two
     * coded excerpts: every term counts). */
    po.min_df = 1;
    po.max_df = 1.0;
    if (quarry_project_suggest(p, e, &po, NULL, NULL, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.train, 2);
    assert_int_equal(info.input, 10);
    assert_true(info.stored > 0);
    assert_true(count(p, "SELECT count(*) FROM suggestions s JOIN codes k"
                         " ON k.id = s.code_id WHERE k.code = 'Support'") > 0);
    assert_int_equal(count(p, "SELECT count(*) FROM suggestions s JOIN codes"
                              " k ON k.id = s.code_id WHERE k.code ="
                              " 'Feelings'"),
                     0);
    quarry_project_free(p);

    /* --segment none: the selections alone. */
    p = new_project("rest-none.quarry");
    o.segment = QUARRY_REFI_SEGMENT_NONE;
    if (quarry_project_import_qdpx(p, test_out_path("ten-paragraphs.qdpx"), &o,
                                   &st) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(st.excerpts, 2);
    assert_int_equal(st.rest, 0);
    assert_int_equal(count(p, "SELECT count(*) FROM excerpts"), 2);
    quarry_project_free(p);
    /* By sentence: the last paragraph's two clauses stay one sentence. */
    p = new_project("rest-sentence.quarry");
    o.segment = QUARRY_REFI_SEGMENT_SENTENCE;
    if (quarry_project_import_qdpx(p, test_out_path("ten-paragraphs.qdpx"), &o,
                                   &st) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(st.rest, 11); /* the first paragraph has two */
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void codable_parents(void **state)
{
    quarry_project *p = imported("codable.quarry", fixture());
    quarry_engine *e = test_engine();
    quarry_codebook *cb = NULL;
    const quarry_project_code *codes;
    int32_t n, i;
    (void)state;
    if (quarry_project_codebook(p, e, &cb) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_codebook_is_theme(cb, quarry_codebook_find(cb, "Support")),
                     0);
    assert_int_equal(
        quarry_codebook_is_theme(cb, quarry_codebook_find(cb, "Feelings")), 1);
    quarry_codebook_free(cb);
    assert_int_equal(quarry_project_codes(p, &codes, &n), 0);
    for (i = 0; i < n; i++)
        if (strcmp(codes[i].id, "Support") == 0)
            assert_int_equal(codes[i].is_theme, 0);
        else if (strcmp(codes[i].id, "Feelings") == 0)
            assert_int_equal(codes[i].is_theme, 1);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* The selection excerpts of a project: xid, name kept, speaker, study,
 * participant, one line each. */
static void selections_of(quarry_project *p, char *buf, size_t cap)
{
    sqlite3_stmt *q = project_prepare(
        p, "SELECT e.xid, json_extract(e.attributes, '$.refi_name'),"
           " json_extract(e.attributes, '$.study'),"
           " json_extract(e.attributes, '$.participant'), s.name"
           " FROM excerpts e JOIN sources s ON s.id = e.source_id"
           " WHERE json_extract(e.attributes, '$.refi_guid') IS NOT NULL"
           " ORDER BY e.seq");
    size_t len = 0;
    assert_non_null(q);
    buf[0] = '\0';
    while (sqlite3_step(q) == SQLITE_ROW) {
        int i;
        for (i = 0; i < 5; i++) {
            const char *t = (const char *)sqlite3_column_text(q, i);
            len += (size_t)snprintf(buf + len, cap - len, "%s|",
                                    t ? t : "-");
        }
        len += (size_t)snprintf(buf + len, cap - len, "\n");
    }
    sqlite3_finalize(q);
}

static void round_trip(void **state)
{
    quarry_project *p = imported("trip-1.quarry", fixture()), *q;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char e1[1024], e2[1024]; /* test_out_path's buffers are reused */
    char *x, *y, a[2048], b[2048], want[256];
    size_t xl, yl;
    long s1, en1, s2, en2;
    char *v;
    (void)state;
    snprintf(e1, sizeof(e1), "%s", test_out_path("trip-1.qdpx"));
    snprintf(e2, sizeof(e2), "%s", test_out_path("trip-2.qdpx"));
    if (quarry_project_export_qdpx(p, e1, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    write_qde_of(e1, test_out_path("export-roundtrip.qde"));
    validate_schema(test_out_path("export-roundtrip.qde"));
    x = test_slurp(test_out_path("export-roundtrip.qde"), &xl);
    assert_non_null(strstr(x, "<Project xmlns=\"urn:QDA-XML:project:1.0\" "
                              "name=\"Pilot study \xE2\x80\x93 Z\xC3\xBCrich\""));
    assert_non_null(strstr(x, "name=\"Support\" isCodable=\"true\""));
    assert_non_null(strstr(x, "name=\"Feelings\" isCodable=\"false\""));
    assert_non_null(strstr(x, "<User guid=\"" U_CLEO "\" name=\"Cleo\"/>"));
    assert_non_null(strstr(x, "<TextSource guid=\"" SRC
                              "\" name=\"Interview 07.txt\""));
    /* Positions as read: exclusive ends, the selections' own names. */
    span_of(SEL1, &s1, &en1);
    span_of(SEL2, &s2, &en2);
    snprintf(want, sizeof(want), "name=\"%s\" startPosition=\"%ld\" "
             "endPosition=\"%ld\"", SEL1, s1, en1);
    assert_non_null(strstr(x, want));
    snprintf(want, sizeof(want), "name=\"Quote about tiredness\" "
             "startPosition=\"%ld\" endPosition=\"%ld\"", s2, en2);
    assert_non_null(strstr(x, want));
    /* The participant's case, study and participant as variables. */
    assert_non_null(strstr(x, "<Case guid="));
    assert_non_null(strstr(x, "name=\"S2-P07 (S2)\""));
    assert_non_null(strstr(x, "name=\"study\" typeOfVariable=\"Text\""));
    assert_non_null(strstr(x, "name=\"participant\" typeOfVariable=\"Text\""));
    assert_non_null(strstr(x, "<TextValue>S2-P07</TextValue>"));
    free(x);

    /* In again: the same names, users, codable flags, settings, cases. */
    q = imported("trip-2.quarry", e1);
    selections_of(p, a, sizeof(a));
    selections_of(q, b, sizeof(b));
    assert_string_equal(a, b);
    assert_non_null(strstr(b, "|Quote about tiredness|S2|S2-P07|Interview "
                              "07.txt|"));
    assert_int_equal(count(q, "SELECT count(*) FROM coders"), 3);
    assert_int_equal(count(q, "SELECT count(*) FROM meta WHERE key = '"
                              PROJECT_META_CODABLE "Support' AND value = '1'"),
                     1);
    assert_int_equal(count(q, "SELECT count(*) FROM meta WHERE key = '"
                              PROJECT_META_CODABLE "Feelings'"),
                     0);
    v = meta(q, REFI_META_PROJECT_NAME);
    assert_string_equal(v, "Pilot study \xE2\x80\x93 Z\xC3\xBCrich");
    free(v);
    v = meta(q, REFI_META_END);
    assert_string_equal(v, "exclusive");
    free(v);
    assert_int_equal(count(q, "SELECT count(*) FROM excerpts"),
                     count(p, "SELECT count(*) FROM excerpts"));

    /* And out again: the same bytes. */
    if (quarry_project_export_qdpx(q, e2, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    write_qde_of(e2, test_out_path("export-roundtrip-again.qde"));
    validate_schema(test_out_path("export-roundtrip-again.qde"));
    x = test_slurp(test_out_path("export-roundtrip.qde"), &xl);
    y = test_slurp(test_out_path("export-roundtrip-again.qde"), &yl);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);

    /* --end overrides what the import read. */
    o.end = QUARRY_REFI_END_INCLUSIVE;
    if (quarry_project_export_qdpx(q, e2, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    write_qde_of(e2, test_out_path("export-roundtrip-inclusive.qde"));
    x = test_slurp(test_out_path("export-roundtrip-inclusive.qde"), &xl);
    snprintf(want, sizeof(want), "startPosition=\"%ld\" endPosition=\"%ld\"",
             s1, en1 - 1);
    assert_non_null(strstr(x, want));
    free(x);
    quarry_project_free(q);
    quarry_project_free(p);
}

/* P01 of study S1 and P01 of study S2 are two people: two cases. */
static void cases_per_participant(void **state)
{
    quarry_project *p = new_project("cases.quarry"), *q;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char jsonl[1024], e[1024];
    FILE *f;
    char *x, a[2048];
    size_t xl;
    (void)state;
    snprintf(jsonl, sizeof(jsonl), "%s", test_out_path("cases.jsonl"));
    snprintf(e, sizeof(e), "%s", test_out_path("cases.qdpx"));
    f = fopen(jsonl, "wb");
    assert_non_null(f);
    fputs("{\"id\": \"a1\", \"study\": \"S1\", \"participant\": \"S1-P01\","
          " \"speaker\": \"P01\", \"text\": \"I felt tired.\", \"code\":"
          " \"tired\"}\n"
          "{\"id\": \"a2\", \"study\": \"S1\", \"participant\": \"S1-P01\","
          " \"speaker\": \"P01\", \"text\": \"Still tired.\", \"code\":"
          " \"tired\"}\n"
          "{\"id\": \"b1\", \"study\": \"S2\", \"participant\": \"S2-P01\","
          " \"speaker\": \"P01\", \"text\": \"Proud of the work.\", \"code\":"
          " \"proud\"}\n",
          f);
    fclose(f);
    io.coder = "ana";
    io.add_codes = 1;
    if (quarry_project_import(p, jsonl, &io, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    if (quarry_project_export_qdpx(p, e, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    write_qde_of(e, test_out_path("export-cases.qde"));
    validate_schema(test_out_path("export-cases.qde"));
    x = test_slurp(test_out_path("export-cases.qde"), &xl);
    assert_non_null(strstr(x, "name=\"S1-P01 (S1)\""));
    assert_non_null(strstr(x, "name=\"S2-P01 (S2)\""));
    assert_null(strstr(x, "<Case guid=\"\" name=\"P01\""));
    assert_non_null(strstr(x, "<TextValue>P01</TextValue>")); /* speaker */
    free(x);
    q = new_project("cases-again.quarry");
    if (quarry_project_import_qdpx(q, e, &o, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    /* Back as attributes, and the speaker label as the speaker. */
    assert_int_equal(count(q, "SELECT count(*) FROM excerpts WHERE"
                              " speaker = 'P01' AND json_extract(attributes,"
                              " '$.study') = 'S1' AND json_extract("
                              "attributes, '$.participant') = 'S1-P01'"),
                     2);
    assert_int_equal(count(q, "SELECT count(*) FROM excerpts WHERE"
                              " speaker = 'P01' AND json_extract(attributes,"
                              " '$.study') = 'S2'"),
                     1);
    selections_of(q, a, sizeof(a));
    quarry_project_free(q);
    quarry_project_free(p);
}

static char notices[4096];
static void on_notice(void *ctx, int level, const char *msg)
{
    size_t n = strlen(notices);
    (void)ctx;
    (void)level;
    snprintf(notices + n, sizeof(notices) - n, "%s\n", msg);
}

/* A second file that counts otherwise does not change what exports write,
 * and says so. */
static void first_convention_stays(void **state)
{
    quarry_project *p = imported("conventions.quarry", fixture());
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char *v;
    (void)state;
    notices[0] = '\0';
    o.notice = on_notice;
    if (quarry_project_import_qdpx(
            p, QUARRY_TEST_DATA_DIR "/refi/basic/project.qde", &o, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_non_null(strstr(notices, "endPosition is \"inclusive\" here, "
                                    "\"exclusive\" in the project"));
    v = meta(p, REFI_META_END);
    assert_string_equal(v, "exclusive");
    free(v);
    v = meta(p, REFI_META_PROJECT_NAME);
    assert_string_equal(v, "Pilot study \xE2\x80\x93 Z\xC3\xBCrich");
    free(v);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rest_becomes_excerpts),
        cmocka_unit_test(codable_parents),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(cases_per_participant),
        cmocka_unit_test(first_convention_stays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
