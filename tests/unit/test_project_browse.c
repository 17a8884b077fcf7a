/*
 * test_project_browse.c -- the read-only views of quarry/project_browse.h
 * on a small two-coder project: excerpts filtered and paginated (each
 * filter, the total, limit and offset refused out of range, a LIKE
 * wildcard taken literally), facets with their counts, one excerpt's
 * codings, coders, the header counts, disagreements, runs, and
 * quarry_project_share switching the journal and back.
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

#include "quarry/project_browse.h"
#include "quarry/quarry.h"
#include "test_files.h"
#include "test_project_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

static const char first[] =
    "{\"id\": \"a1\", \"study\": \"S1\", \"participant\": \"P1\","
    " \"speaker\": \"P1\", \"text\": \"My peer colleagues understand 50%\","
    " \"code\": \"peers\"}\n"
    "{\"id\": \"a2\", \"study\": \"S1\", \"participant\": \"P2\","
    " \"speaker\": \"P2\", \"text\": \"my supervisor listens\","
    " \"code\": \"supervision\"}\n"
    "{\"id\": \"a3\", \"study\": \"S2\", \"participant\": \"P3\","
    " \"speaker\": \"P3\", \"text\": \"exhausted after the shift at the"
    " CAF\u00c9, don\u2019t ask\"}\n";

/* A second coder: agrees on a1, disagrees on a2. */
static const char second[] =
    "{\"id\": \"a1\", \"text\": \"My peer colleagues understand 50%\","
    " \"code\": \"peers\"}\n"
    "{\"id\": \"a2\", \"text\": \"my supervisor listens\","
    " \"code\": \"peers\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "browse");
    test_write_file(tmp("first.jsonl"), first);
    test_write_file(tmp("second.jsonl"), second);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static quarry_project *fresh(const char *name)
{
    quarry_project *p = test_project_at(tmp(name), NULL);
    test_project_import_as(p, tmp("first.jsonl"), "ana");
    test_project_import_as(p, tmp("second.jsonl"), "ben");
    return p;
}

/* Rows as "id[codings]" joined by spaces. */
typedef struct rows {
    char text[1024];
} rows;

static int see_row(void *ctx, const quarry_browse_row *r)
{
    rows *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s%s[%d]",
             n ? " " : "", r->excerpt, (int)r->n_codings);
    return 0;
}

static const char *browse(quarry_project *p, quarry_browse_filter *f,
                          int64_t *total, rows *s)
{
    memset(s, 0, sizeof *s);
    if (quarry_project_browse(p, f, total, see_row, s) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return s->text;
}

static void test_browse_filters(void **state)
{
    quarry_project *p = fresh("filters.quarry");
    quarry_browse_filter f = QUARRY_BROWSE_FILTER_INIT;
    int64_t total = -1;
    rows s;
    (void)state;
    assert_string_equal(browse(p, &f, &total, &s), "a1[2] a2[2] a3[0]");
    assert_int_equal(total, 3);
    f.study = "S1";
    assert_string_equal(browse(p, &f, &total, &s), "a1[2] a2[2]");
    f.study = NULL;
    f.participant = "P3";
    assert_string_equal(browse(p, &f, &total, &s), "a3[0]");
    f.participant = NULL;
    f.code = "peers";
    assert_string_equal(browse(p, &f, &total, &s), "a1[2] a2[2]");
    f.coder = "ana";
    assert_string_equal(browse(p, &f, &total, &s), "a1[2]");
    /* A theme finds what its codes hold. */
    {
        quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
        e.coder = "ana";
        e.name = "Support";
        e.id = "support";
        assert_int_equal(quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, NULL),
                         QUARRY_OK);
        memset(&e, 0, sizeof e);
        e = (quarry_code_edit)QUARRY_CODE_EDIT_INIT;
        e.coder = "ana";
        e.code = "peers";
        e.parent = "support";
        assert_int_equal(
            quarry_project_code_edit(p, QUARRY_CODE_MOVE, &e, NULL),
            QUARRY_OK);
    }
    f.code = "support";
    f.coder = NULL;
    assert_string_equal(browse(p, &f, &total, &s), "a1[2] a2[2]");
    f.coder = "ana";
    assert_string_equal(browse(p, &f, &total, &s), "a1[2]");
    f.code = NULL;
    f.speaker = "P2";
    assert_string_equal(browse(p, &f, &total, &s), "a2[2]");
    f.speaker = NULL;
    f.coder = NULL;
    f.source = "first.jsonl"; /* its file name, without the folders */
    assert_string_equal(browse(p, &f, &total, &s), "a1[2] a2[2] a3[0]");
    f.source = "nothing.jsonl";
    assert_string_equal(browse(p, &f, &total, &s), "");
    assert_int_equal(total, 0);
    f.source = NULL;
    f.q = "MY ";
    assert_string_equal(browse(p, &f, &total, &s), "a1[2] a2[2]");
    f.q = "50%"; /* the % is a character, not a wildcard */
    assert_string_equal(browse(p, &f, &total, &s), "a1[2]");
    f.q = "5_%";
    assert_string_equal(browse(p, &f, &total, &s), "");
    /* Any case in any script, accents or not, Word's apostrophe as typed. */
    f.q = "caf\xC3\xA9";
    assert_string_equal(browse(p, &f, &total, &s), "a3[0]");
    f.q = "Cafe";
    assert_string_equal(browse(p, &f, &total, &s), "a3[0]");
    f.q = "don't";
    assert_string_equal(browse(p, &f, &total, &s), "a3[0]");
    f.q = NULL;
    f.offset = 1;
    f.limit = 1;
    assert_string_equal(browse(p, &f, &total, &s), "a2[2]");
    assert_int_equal(total, 3);
    f.limit = 0;
    assert_int_equal(quarry_project_browse(p, &f, NULL, see_row, &s),
                     QUARRY_ERANGE);
    assert_non_null(strstr(quarry_project_errmsg(p), "limit"));
    f.limit = 501;
    assert_int_equal(quarry_project_browse(p, &f, NULL, see_row, &s),
                     QUARRY_ERANGE);
    f.limit = 10;
    f.offset = -1;
    assert_int_equal(quarry_project_browse(p, &f, NULL, see_row, &s),
                     QUARRY_ERANGE);
    assert_non_null(strstr(quarry_project_errmsg(p), "offset"));
    quarry_project_free(p);
}

typedef struct facets {
    char text[1024];
} facets;

static int see_facet(void *ctx, const char *facet, const char *name,
                     int64_t n)
{
    facets *s = ctx;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%s%s:%s=%d",
             len ? " " : "", facet, name, (int)n);
    return 0;
}

static void test_facets(void **state)
{
    quarry_project *p = fresh("facets.quarry");
    facets s;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_project_facets(p, see_facet, &s), QUARRY_OK);
    assert_string_equal(s.text,
                        "sources:first.jsonl=3 participants:P1=1 "
                        "participants:P2=1 participants:P3=1 studies:S1=2 "
                        "studies:S2=1 coders:ana=2 coders:ben=2 "
                        "codes:peers=2 codes:supervision=1 "
                        "speakers:P1=1 speakers:P2=1 speakers:P3=1");
    quarry_project_free(p);
}

static int see_coding(void *ctx, const quarry_coding_view *c)
{
    rows *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s%s/%s/%s", n ? " " : "",
             c->code, c->coder, c->origin);
    return 0;
}

static int see_name(void *ctx, const char *name)
{
    rows *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s%s", n ? " " : "", name);
    return 0;
}

static int see_disagreement(void *ctx, const char *excerpt, const char *text)
{
    (void)text;
    return see_name(ctx, excerpt);
}

static int count_run(void *ctx, const quarry_run_record *r)
{
    (void)r;
    ++*(int *)ctx;
    return 0;
}

static void test_excerpt_views(void **state)
{
    quarry_project *p = fresh("views.quarry");
    quarry_overview o;
    const char *text = NULL;
    int64_t total = -1;
    int runs = 0;
    rows s;
    (void)state;
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_project_excerpt_codings(p, "a2", see_coding, &s),
                     QUARRY_OK);
    assert_string_equal(s.text, "peers/ben/imported supervision/ana/imported");
    assert_int_equal(quarry_project_excerpt_codings(p, "zz", see_coding, &s),
                     QUARRY_ENOTFOUND);
    assert_int_equal(quarry_project_excerpt_text(p, "a3", &text), QUARRY_OK);
    assert_string_equal(text, "exhausted after the shift at the CAF\xC3\x89, "
                              "don\xE2\x80\x99t ask");
    assert_int_equal(quarry_project_excerpt_text(p, "zz", &text),
                     QUARRY_ENOTFOUND);
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_project_coders(p, see_name, &s), QUARRY_OK);
    assert_string_equal(s.text, "ana ben");
    assert_int_equal(quarry_project_overview(p, &o), QUARRY_OK);
    assert_int_equal(o.excerpts, 3);
    assert_int_equal(o.coded_excerpts, 2);
    assert_int_equal(o.codings, 4);
    assert_int_equal(o.coders, 2);
    assert_int_equal(o.runs, 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_project_disagreements(p, 0, 50, &total,
                                                  see_disagreement, &s),
                     QUARRY_OK);
    assert_string_equal(s.text, "a2");
    assert_int_equal(total, 1);
    assert_int_equal(quarry_project_disagreements(p, 0, 0, &total,
                                                  see_disagreement, &s),
                     QUARRY_ERANGE);
    assert_int_equal(quarry_project_runs(p, count_run, &runs), QUARRY_OK);
    assert_int_equal(runs, 0);
    quarry_project_free(p);
}

static const char *journal_mode(const char *path)
{
    static char mode[32];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    mode[0] = '\0';
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st,
                                        NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(mode, sizeof mode, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return mode;
}

static void test_share(void **state)
{
    quarry_project *p = fresh("share.quarry"), *ro = NULL;
    quarry_browse_filter f = QUARRY_BROWSE_FILTER_INIT;
    rows s;
    (void)state;
    assert_int_equal(quarry_project_share(p, 1), QUARRY_OK);
    assert_string_equal(journal_mode(tmp("share.quarry")), "wal");
    /* Again: the indexes are there already. */
    assert_int_equal(quarry_project_share(p, 1), QUARRY_OK);
    assert_string_equal(browse(p, &f, NULL, &s), "a1[2] a2[2] a3[0]");
    assert_int_equal(quarry_project_share(p, 0), QUARRY_OK);
    quarry_project_free(p);
    assert_string_equal(journal_mode(tmp("share.quarry")), "delete");
    /* A read-only handle cannot share. */
    assert_int_equal(quarry_project_new(&ro), QUARRY_OK);
    assert_int_equal(quarry_project_open(ro, tmp("share.quarry"),
                                         QUARRY_PROJECT_READONLY),
                     QUARRY_OK);
    assert_int_not_equal(quarry_project_share(ro, 1), QUARRY_OK);
    quarry_project_free(ro);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browse_filters),
        cmocka_unit_test(test_facets),
        cmocka_unit_test(test_excerpt_views),
        cmocka_unit_test(test_share),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
