/*
 * test_refi_passage.c -- coding a passage of an excerpt (quarry_decision
 * version 3's span): stored with the coding and its decision in code
 * points (an accent and an emoji before it count one each), shown in the
 * review item and the coding views, quoted by the quotes, CSV, JSONL and
 * decisions exports; refused, naming the field, when empty, backwards,
 * outside the text, without a word, or on a verdict that makes no coding,
 * with nothing written; a version-2 caller's struct read without it; kept
 * by a remove and put back by its undo; in a decisions file; and written
 * to a .qdpx as a selection of its own over the passage, which quarry's
 * import reads back as the same passage of the same excerpt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlschemas.h>
#include <zip.h>

#include "quarry/quarry.h"
#include "quarry/project_browse.h"
#include "quarry/refi.h"
#include "../unit/test_files.h"
#include "../unit/test_project_util.h"
#include "refi_test_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

/* "Café 😀 talk. " is 13 code points (18 bytes: é is 2, 😀 4). */
#define PASSAGE "The peer group saved me that winter."
static const char coded[] =
    "{\"id\": \"a1\", \"text\": \"Caf\xC3\xA9 \xF0\x9F\x98\x80 talk. " PASSAGE
    " Then work again.\", \"code\": \"peers\"}\n"
    "{\"id\": \"a2\", \"text\": \"my supervisor listens every week\","
    " \"code\": \"supervision\"}\n";
enum { P0 = 13, P1 = 13 + 36 };

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "passage");
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

/* ana codes supervision on a1's passage [s0, s1). */
static int add_passage(quarry_project *p, int64_t s0, int64_t s1,
                       quarry_verdict v)
{
    quarry_decision d = QUARRY_DECISION_INIT;
    d.excerpt = "a1";
    d.verdict = v;
    d.code = "supervision";
    d.coder = "ana";
    d.span_start = s0;
    d.span_end = s1;
    return quarry_project_decide(p, &d, NULL);
}

typedef struct seen {
    int n;
    char passage[128];
    int64_t s0, s1;
} seen;

static int see_ana(void *ctx, const quarry_coding_view *c)
{
    seen *s = ctx;
    if (strcmp(c->coder, "ana") != 0 || strcmp(c->code, "supervision") != 0)
        return 0;
    s->n++;
    snprintf(s->passage, sizeof s->passage, "%s",
             c->passage ? c->passage : "(whole)");
    s->s0 = c->span_start;
    s->s1 = c->span_end;
    return 0;
}

static seen ana_coding(quarry_project *p)
{
    seen s;
    memset(&s, 0, sizeof s);
    ok(p, quarry_project_excerpt_codings(p, "a1", see_ana, &s));
    return s;
}

static char *exported(quarry_project *p,
                      int (*fn)(quarry_project *, FILE *,
                                const quarry_export_options *))
{
    quarry_export_options o = QUARRY_EXPORT_OPTIONS_INIT;
    FILE *f = fopen(tmp("out.txt"), "wb");
    size_t len;
    assert_non_null(f);
    ok(p, fn(p, f, &o));
    fclose(f);
    return test_slurp(tmp("out.txt"), &len);
}

static void stored_and_shown(void **state)
{
    quarry_project *p =
        test_project_fresh(tmp("p.quarry"), tmp("coded.jsonl"), "gold");
    const quarry_review_item *it = NULL;
    quarry_undone w;
    seen s;
    char *t;
    size_t len;
    FILE *f;
    (void)state;
    ok(p, add_passage(p, P0, P1, QUARRY_VERDICT_ADD));
    s = ana_coding(p);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.passage, PASSAGE);
    assert_int_equal(s.s0, P0);
    assert_int_equal(s.s1, P1);
    assert_int_equal(test_sql_count(tmp("p.quarry"),
                                    "SELECT count(*) FROM decisions WHERE"
                                    " span_start = 13 AND span_end = 49"),
                     1);

    /* The review item: the passage beside the code. */
    ok(p, quarry_project_review_item(p, "ana", "a1", &it));
    assert_int_equal(it->n_codes, 1);
    assert_non_null(it->code_spans);
    assert_int_equal(it->code_spans[0], P0);
    assert_int_equal(it->code_spans[1], P1);

    /* The exports quote the passage, not the whole turn. */
    t = exported(p, quarry_project_export_quotes);
    assert_non_null(strstr(t, ",ana,,,,coded.jsonl,a1," PASSAGE "\n"));
    /* gold's whole-turn coding of peers stays whole */
    assert_non_null(strstr(t, ",a1,Caf\xC3\xA9 \xF0\x9F\x98\x80 talk. "));
    free(t);
    t = exported(p, quarry_project_export_csv);
    assert_non_null(strstr(t, ",text,passage\n"));
    assert_non_null(strstr(t, "again.," PASSAGE "\n"));
    free(t);
    f = fopen(tmp("trail.jsonl"), "wb");
    assert_non_null(f);
    ok(p, quarry_project_export_decisions(p, f, 0));
    fclose(f);
    t = test_slurp(tmp("trail.jsonl"), &len);
    assert_non_null(
        strstr(t, "\"passage\":\"" PASSAGE "\",\"span\":[13,49]}"));
    free(t);

    /* Remove keeps the passage in its decision; its undo puts it back. */
    {
        quarry_decision d = QUARRY_DECISION_INIT;
        d.excerpt = "a1";
        d.verdict = QUARRY_VERDICT_REMOVE;
        d.code = "supervision";
        d.coder = "ana";
        ok(p, quarry_project_decide(p, &d, NULL));
    }
    assert_int_equal(ana_coding(p).n, 0);
    assert_int_equal(test_sql_count(tmp("p.quarry"),
                                    "SELECT count(*) FROM decisions WHERE"
                                    " verdict = 'remove' AND span_end = 49"),
                     1);
    ok(p, quarry_project_undo_what(p, "ana", &w));
    assert_string_equal(w.verdict, "remove");
    assert_int_equal(w.span_start, P0);
    assert_int_equal(w.span_end, P1);
    s = ana_coding(p);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.passage, PASSAGE);

    /* The undo of the add says which passage went. */
    ok(p, quarry_project_undo_what(p, "ana", &w));
    assert_string_equal(w.verdict, "add");
    assert_int_equal(w.span_end, P1);
    assert_int_equal(ana_coding(p).n, 0);
    quarry_project_free(p);
}

static void refused(void **state)
{
    static const struct {
        int64_t s0, s1;
        quarry_verdict v;
        const char *want;
    } bad[] = {
        {5, 5, QUARRY_VERDICT_ADD, "empty or backwards"},
        {9, 3, QUARRY_VERDICT_ADD, "empty or backwards"},
        {0, 999, QUARRY_VERDICT_ADD, "whose text has 66 characters"},
        {-1, 4, QUARRY_VERDICT_ADD, "not a passage"},
        {11, 13, QUARRY_VERDICT_ADD, "holds no word"}, /* ". " */
        {5, 6, QUARRY_VERDICT_ADD, "holds no word"},   /* the emoji */
        {P0, P1, QUARRY_VERDICT_REJECT, "only a coding"},
        {P0, P1, QUARRY_VERDICT_REMOVE, "only a coding"},
    };
    quarry_project *p =
        test_project_fresh(tmp("r.quarry"), tmp("coded.jsonl"), "gold");
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = add_passage(p, bad[i].s0, bad[i].s1, bad[i].v);
        assert_int_not_equal(rc, QUARRY_OK);
        if (strstr(quarry_project_errmsg(p), bad[i].want) == NULL ||
            strstr(quarry_project_errmsg(p), "field \"span\"") == NULL)
            fail_msg("case %zu: %s", i, quarry_project_errmsg(p));
    }
    assert_int_equal(test_sql_count(tmp("r.quarry"),
                                    "SELECT count(*) FROM decisions"),
                     0);
    /* One passage a code: a second one says how to move it. */
    ok(p, add_passage(p, P0, P1, QUARRY_VERDICT_ADD));
    assert_int_not_equal(add_passage(p, 0, 4, QUARRY_VERDICT_ADD), QUARRY_OK);
    assert_non_null(strstr(quarry_project_errmsg(p), "remove it first to code "
                                                     "another passage"));
    {
        quarry_decision d = QUARRY_DECISION_INIT;
        d.excerpt = "a1";
        d.verdict = QUARRY_VERDICT_REMOVE;
        d.code = "supervision";
        d.coder = "ana";
        ok(p, quarry_project_decide(p, &d, NULL));
    }
    /* The last character is a passage's end: [60, 66) is "again." */
    ok(p, add_passage(p, 60, 66, QUARRY_VERDICT_ADD));
    assert_string_equal(ana_coding(p).passage, "again.");
    quarry_project_free(p);
}

/* A caller built before version 3 has no span: its struct is read
 * without it, whatever lies after the batch. */
static void version_2_whole(void **state)
{
    quarry_project *p =
        test_project_fresh(tmp("v.quarry"), tmp("coded.jsonl"), "gold");
    quarry_decision d = QUARRY_DECISION_INIT;
    (void)state;
    d.version = 2;
    d.excerpt = "a1";
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "supervision";
    d.coder = "ana";
    d.span_start = 999; /* not read */
    d.span_end = 3;
    ok(p, quarry_project_decide(p, &d, NULL));
    assert_string_equal(ana_coding(p).passage, "(whole)");
    assert_int_equal(ana_coding(p).s1, 0);
    quarry_project_free(p);
}

static void decisions_file(void **state)
{
    quarry_project *p =
        test_project_fresh(tmp("f.quarry"), tmp("coded.jsonl"), "gold");
    int64_t applied = 0, already = 0;
    (void)state;
    test_write_file(tmp("bad.jsonl"),
                    "{\"excerpt\": \"a1\", \"verdict\": \"add\", \"code\":"
                    " \"supervision\", \"coder\": \"ana\", \"span\": [13]}\n");
    assert_int_not_equal(quarry_project_apply_decisions(p, tmp("bad.jsonl"),
                                                        NULL, &applied),
                         QUARRY_OK);
    assert_non_null(strstr(quarry_project_errmsg(p), "bad.jsonl:1: field "
                                                     "\"span\": not [start, "
                                                     "end]"));
    test_write_file(tmp("d.jsonl"),
                    "{\"excerpt\": \"a1\", \"verdict\": \"add\", \"code\":"
                    " \"supervision\", \"coder\": \"ana\", \"span\": [13,"
                    " 49]}\n");
    ok(p, quarry_project_apply_decisions(p, tmp("d.jsonl"), NULL, &applied));
    assert_int_equal(applied, 1);
    assert_string_equal(ana_coding(p).passage, PASSAGE);
    /* Applied again: in effect already, kept once. */
    ok(p, quarry_project_apply_decisions_again(p, tmp("d.jsonl"), NULL,
                                               &applied, &already));
    assert_int_equal(already, 1);
    quarry_project_free(p);
}

typedef struct lee_seen {
    int n;
    int64_t s1;
} lee_seen;

static int see_lee(void *ctx, const quarry_coding_view *c)
{
    lee_seen *s = ctx;
    if (strcmp(c->coder, "lee") == 0 && strcmp(c->code, "supervision") == 0) {
        s->n++;
        s->s1 = c->span_end;
    }
    return 0;
}

/* A settlement adds a code with the passage its coders agree on. */
static void settle_takes_agreed_passage(void **state)
{
    quarry_project *p =
        test_project_fresh(tmp("s.quarry"), tmp("coded.jsonl"), "gold");
    const char *codes[] = {"supervision"};
    quarry_decision d = QUARRY_DECISION_INIT;
    lee_seen s;
    (void)state;
    ok(p, add_passage(p, P0, P1, QUARRY_VERDICT_ADD));
    ok(p, quarry_project_settle(p, "lee", "a1", codes, 1, NULL));
    memset(&s, 0, sizeof s);
    ok(p, quarry_project_excerpt_codings(p, "a1", see_lee, &s));
    assert_int_equal(s.n, 1);
    assert_int_equal(s.s1, P1);
    /* Another coder coded it whole: no agreed passage, the whole. */
    ok(p, quarry_project_undo(p, "lee", NULL));
    ok(p, quarry_project_undo(p, "lee", NULL));
    d.excerpt = "a1";
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "supervision";
    d.coder = "bo";
    ok(p, quarry_project_decide(p, &d, NULL));
    ok(p, quarry_project_settle(p, "lee", "a1", codes, 1, NULL));
    memset(&s, 0, sizeof s);
    ok(p, quarry_project_excerpt_codings(p, "a1", see_lee, &s));
    assert_int_equal(s.n, 1);
    assert_int_equal(s.s1, 0);
    quarry_project_free(p);
}

static int count_rows(void *ctx, const quarry_coding_row *r)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static void qdpx_selection(void **state)
{
    quarry_project *p =
        test_project_fresh(tmp("x.quarry"), tmp("coded.jsonl"), "gold");
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char *qde;
    size_t len;
    seen s;
    int n = 0;
    (void)state;
    ok(p, add_passage(p, P0, P1, QUARRY_VERDICT_ADD));
    ok(p, quarry_project_export_qdpx(p, tmp("x.qdpx"), &o));
    quarry_project_free(p);
    /* For the other tools: a selection of its own over the passage,
     * named by its words, at its place in the exported text (the JSONL
     * source is its excerpts joined, a1 first: inclusive end). */
    write_qde_of(tmp("x.qdpx"), tmp("x.qde"));
    validate_schema(tmp("x.qde"));
    qde = test_slurp(tmp("x.qde"), &len);
    assert_non_null(strstr(qde, "name=\"" PASSAGE "\" startPosition=\"13\""
                                " endPosition=\"48\""));
    free(qde);
    /* quarry reads it back as the passage of a1 it was. */
    p = test_project_at(tmp("y.quarry"), NULL);
    ok(p, quarry_project_import_qdpx(p, tmp("x.qdpx"), &o, NULL));
    s = ana_coding(p);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.passage, PASSAGE);
    assert_int_equal(s.s0, P0);
    assert_int_equal(s.s1, P1);
    ok(p, quarry_project_codings(p, count_rows, &n));
    assert_int_equal(n, 3);
    assert_int_equal(test_sql_count(tmp("y.quarry"),
                                    "SELECT count(*) FROM excerpts"),
                     2);
    quarry_project_free(p);
}

static void keep_notice(void *ctx, int level, const char *msg)
{
    (void)level;
    if (strstr(msg, "passage") != NULL)
        (*(int *)ctx)++;
}

/* quarry's own entry is untrusted too: a passage outside its excerpt's
 * text, or naming no selection, is read as a selection of its own, with
 * a notice, and nothing else changes. */
static void qdpx_bad_passage_entry(void **state)
{
    static const char *const bad[] = {
        "\"span\":[13,999]", "\"span\":[-5,3]", "\"span\":[20,13]",
        "\"span\":\"13-49\"", "\"passage_of\":\"no-such-guid\""};
    static const char good_span[] = "\"span\":[13,49]";
    static const char good_of[] =
        "\"passage_of\":\"b28461e8-1047-55c6-bb90-5159abb83ee9\"";
    size_t qlen, tlen, slen, i;
    char *qde, *trip, *src;
    (void)state;
    qde = test_slurp(QUARRY_TEST_SOURCE_DIR
                     "/tests/data/refi/passage/project.qde", &qlen);
    trip = test_slurp(QUARRY_TEST_SOURCE_DIR
                      "/tests/data/refi/passage/quarry/roundtrip.json", &tlen);
    src = test_slurp(QUARRY_TEST_SOURCE_DIR "/tests/data/refi/passage/sources/"
                     "6dc0f60b-9e18-5da9-b867-4d082fc6e684.txt", &slen);
    assert_non_null(strstr(trip, good_span));
    assert_non_null(strstr(trip, good_of));
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *names[] = {"project.qde", "quarry/roundtrip.json",
                               "sources/6dc0f60b-9e18-5da9-b867-"
                               "4d082fc6e684.txt"};
        const char *was = strncmp(bad[i], "\"span", 5) == 0 ? good_span
                                                             : good_of;
        size_t off = 0, wl = strlen(was);
        char *t2;
        const char *datas[3];
        size_t lens[3];
        quarry_project *p;
        quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
        int notices = 0;
        while (trip[off] != '\0' && strncmp(trip + off, was, wl) != 0)
            off++;
        assert_true(trip[off] != '\0');
        t2 = malloc(tlen + 64);
        assert_non_null(t2);
        memcpy(t2, trip, off);
        strcpy(t2 + off, bad[i]);
        strcat(t2, trip + off + wl);
        datas[0] = qde;
        datas[1] = t2;
        datas[2] = src;
        lens[0] = qlen;
        lens[1] = strlen(t2);
        lens[2] = slen;
        make_zip(tmp("bad.qdpx"), names, datas, lens, 3);
        p = test_project_at(tmp("b.quarry"), NULL);
        o.notice = keep_notice;
        o.notice_ctx = &notices;
        ok(p, quarry_project_import_qdpx(p, tmp("bad.qdpx"), &o, NULL));
        if (notices != 1)
            fail_msg("case %zu: %d notices", i, notices);
        /* ana's coding is on an excerpt of the passage's words, a1 as
         * it was with gold's coding */
        assert_int_equal(test_sql_count(tmp("b.quarry"),
                                        "SELECT count(*) FROM codings"
                                        " WHERE span_end IS NOT NULL"),
                         0);
        assert_int_equal(test_sql_count(tmp("b.quarry"),
                                        "SELECT count(*) FROM excerpts"),
                         2);
        quarry_project_free(p);
        free(t2);
    }
    free(qde);
    free(trip);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_and_shown),
        cmocka_unit_test(refused),
        cmocka_unit_test(version_2_whole),
        cmocka_unit_test(decisions_file),
        cmocka_unit_test(settle_takes_agreed_passage),
        cmocka_unit_test(qdpx_selection),
        cmocka_unit_test(qdpx_bad_passage_entry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
