/*
 * test_project.c -- projects: create and the refusals on open (and that a
 * refused file is left byte for byte as it was), imports that are whole or
 * nothing, codebooks, suggestions stored with their run, decisions with
 * their coder, undo, decisions from a file, and the corpora a project
 * hands the engine.
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
#include "test_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static const char codebook[] =
    "{\"codes\": ["
    "{\"id\": \"support\", \"name\": \"Sources of support\"},"
    "{\"id\": \"sup.peers\", \"name\": \"Peers\", \"parent\": \"support\","
    " \"definition\": \"other peer workers who understand\","
    " \"keywords\": [\"peer\", \"colleagues\"]},"
    "{\"id\": \"sup.supervision\", \"name\": \"Supervision\","
    " \"parent\": \"support\", \"definition\": \"a supervisor who listens\","
    " \"keywords\": [\"supervisor\"]},"
    "{\"id\": \"emo.burnout\", \"name\": \"Burnout\","
    " \"definition\": \"exhausted, drained, tired\"}]}";

static const char coded[] =
    "{\"id\": \"a1\", \"text\": \"my peer colleagues understand me, the "
    "other peer workers\", \"code\": \"sup.peers\", \"study\": \"S1\"}\n"
    "{\"id\": \"a2\", \"text\": \"talking with peer colleagues after a hard "
    "shift helps\", \"code\": \"sup.peers\", \"study\": \"S1\"}\n"
    "{\"id\": \"a3\", \"text\": \"my supervisor listens and my supervisor "
    "protects my time\", \"code\": \"sup.supervision\", \"study\": \"S1\"}\n"
    "{\"id\": \"a4\", \"text\": \"weekly supervision with a supervisor who "
    "listens\", \"code\": \"sup.supervision\", \"study\": \"S2\"}\n"
    "{\"id\": \"a5\", \"text\": \"exhausted and drained, so tired after every "
    "shift\", \"code\": \"emo.burnout\", \"study\": \"S2\"}\n"
    "{\"id\": \"a6\", \"text\": \"drained and exhausted, tired of it all\", "
    "\"code\": [\"emo.burnout\", \"sup.peers\"], \"study\": \"S2\"}\n";

static const char uncoded[] =
    "{\"id\": \"b1\", \"text\": \"the peer colleagues on my team understand\", "
    "\"study\": \"S3\"}\n"
    "{\"id\": \"b2\", \"text\": \"my supervisor listens to me every week\", "
    "\"study\": \"S3\"}\n"
    "{\"id\": \"b3\", \"text\": \"so exhausted and drained and tired\", "
    "\"study\": \"S3\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "project");
    test_write_file(tmp("codebook.json"), codebook);
    test_write_file(tmp("coded.jsonl"), coded);
    test_write_file(tmp("uncoded.jsonl"), uncoded);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

/* A fresh project with the codebook and both files imported. */
static quarry_project *fresh(const char *name, quarry_engine *e)
{
    quarry_project *p = test_project_at(tmp(name), "2026-01-31T12:00:00Z");
    assert_int_equal(quarry_project_codebook_import(p, e, tmp("codebook.json"),
                                                    NULL, NULL),
                     QUARRY_OK);
    test_project_import_as(p, tmp("coded.jsonl"), "ana");
    test_project_import_as(p, tmp("uncoded.jsonl"), "ana");
    return p;
}

static void expect_refused(const char *path, int status, const char *words)
{
    quarry_project *p = NULL;
    size_t before_len = 0, after_len = 0;
    char *before =
        access(path, F_OK) == 0 ? test_slurp(path, &before_len) : NULL;
    char *after;
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, path, 0) != status)
        fail_msg("%s: %s", path, quarry_project_errmsg(p));
    if (strstr(quarry_project_errmsg(p), words) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", quarry_project_errmsg(p),
                 words);
    assert_non_null(strstr(quarry_project_errmsg(p), path));
    quarry_project_free(p);
    if (before != NULL) {
        after = test_slurp(path, &after_len);
        assert_int_equal(before_len, after_len);
        assert_memory_equal(before, after, before_len);
        free(after);
        free(before);
    }
}

static void set_pragma(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_create_and_refusals(void **state)
{
    quarry_project *p = NULL;
    quarry_project_counts n;
    char path[512];
    size_t len;
    char *bytes;
    (void)state;
    snprintf(path, sizeof path, "%s", tmp("a.quarry"));
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_create(p, path), QUARRY_OK);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.excerpts, 0);
    assert_int_equal(quarry_project_create(p, path), QUARRY_EEXIST);
    assert_non_null(strstr(quarry_project_errmsg(p), "already exists"));
    assert_int_equal(quarry_project_open(p, path, 0), QUARRY_OK);
    quarry_project_free(p);
    assert_true(quarry_project_sniff(path));
    assert_false(quarry_project_sniff(tmp("coded.jsonl")));

    expect_refused(tmp("missing.quarry"), QUARRY_EIO, "no such project");
    expect_refused(tmp("coded.jsonl"), QUARRY_EPARSE, "not an SQLite");

    set_pragma(tmp("other.db"), "CREATE TABLE t(x)");
    expect_refused(tmp("other.db"), QUARRY_EPARSE, "another application");

    /* Newer and older schema versions. */
    bytes = test_slurp(path, &len);
    test_write_file(tmp("b.quarry"), "");
    {
        FILE *f = fopen(tmp("b.quarry"), "wb");
        fwrite(bytes, 1, len, f);
        fclose(f);
        f = fopen(tmp("c.quarry"), "wb");
        fwrite(bytes, 1, len, f);
        fclose(f);
        f = fopen(tmp("t.quarry"), "wb");
        fwrite(bytes, 1, 50, f);
        fclose(f);
        f = fopen(tmp("d.quarry"), "wb");
        fwrite(bytes, 1, 100, f);
        fclose(f);
    }
    free(bytes);
    {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
                 QUARRY_PROJECT_SCHEMA + 1);
        set_pragma(tmp("b.quarry"), sql);
    }
    expect_refused(tmp("b.quarry"), QUARRY_EVERSION, "newer quarry");
    set_pragma(tmp("c.quarry"), "PRAGMA user_version = 0");
    expect_refused(tmp("c.quarry"), QUARRY_EVERSION, "older quarry");
    expect_refused(tmp("t.quarry"), QUARRY_EPARSE, "truncated");
    expect_refused(tmp("d.quarry"), QUARRY_EPARSE, "damaged");

    /* A project that lost a table. */
    bytes = test_slurp(path, &len);
    {
        FILE *f = fopen(tmp("e.quarry"), "wb");
        fwrite(bytes, 1, len, f);
        fclose(f);
    }
    free(bytes);
    set_pragma(tmp("e.quarry"), "DROP TABLE codings");
    expect_refused(tmp("e.quarry"), QUARRY_EPARSE, "\"codings\" is missing");
}

static void test_import_whole_or_nothing(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = fresh("imp.quarry", e);
    quarry_project_counts n;
    quarry_import_stats st;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    (void)state;
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.excerpts, 9);
    assert_int_equal(n.codings, 7);
    assert_int_equal(n.coded_excerpts, 6);
    assert_int_equal(n.codes, 4);

    /* Duplicate ids (the second line) leave nothing of the file. */
    test_write_file(tmp("dup.jsonl"),
                    "{\"id\": \"c1\", \"text\": \"new one\"}\n"
                    "{\"id\": \"a2\", \"text\": \"again\"}\n");
    assert_int_equal(quarry_project_import(p, tmp("dup.jsonl"), &io, &st),
                     QUARRY_EDUP);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "dup.jsonl:2: field \"text\": excerpt \"a2\" is "
                           "already in the project"));
    assert_int_equal(st.excerpts, 0);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.excerpts, 9);

    /* Unknown codes are refused once there is a codebook... */
    test_write_file(
        tmp("unk.jsonl"),
        "{\"id\": \"c1\", \"text\": \"new one\", \"code\": \"sup.peers\"}\n"
        "{\"id\": \"c2\", \"text\": \"another\", \"code\": \"mystery\"}\n");
    assert_int_equal(quarry_project_import(p, tmp("unk.jsonl"), &io, NULL),
                     QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "unk.jsonl:2: field \"code\": unknown code "
                           "\"mystery\""));
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.excerpts, 9);
    /* ...and added on request, with a per-record coder. */
    test_write_file(tmp("unk2.jsonl"),
                    "{\"id\": \"c1\", \"text\": \"one\", \"code\": \"mystery\","
                    " \"coder\": \"cy\"}\n");
    io.add_codes = 1;
    assert_int_equal(quarry_project_import(p, tmp("unk2.jsonl"), &io, &st),
                     QUARRY_OK);
    assert_int_equal(st.codes, 1);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.codes, 5);
    assert_int_equal(n.coders, 2);

    /* A reader error keeps its file:line: field message. */
    test_write_file(tmp("bad.jsonl"),
                    "{\"id\": \"z\", \"text\": \"ok\"}\n{\"id\": 3,");
    assert_int_equal(quarry_project_import(p, tmp("bad.jsonl"), &io, NULL),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p), "bad.jsonl:2"));
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void test_codebook(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = fresh("cb.quarry", e);
    const quarry_project_code *codes;
    quarry_codebook *cb = NULL;
    int32_t n, added = -1, updated = -1;
    (void)state;
    assert_int_equal(quarry_project_codes(p, &codes, &n), QUARRY_OK);
    assert_int_equal(n, 4);
    assert_string_equal(codes[0].id, "support");
    assert_true(codes[0].is_theme);
    assert_string_equal(codes[1].id, "sup.peers");
    assert_int_equal(codes[1].depth, 1);
    assert_int_equal(codes[1].n_excerpts, 3);
    assert_string_equal(codes[3].id, "emo.burnout");
    assert_int_equal(codes[3].depth, 0);

    assert_int_equal(quarry_project_codebook(p, e, &cb), QUARRY_OK);
    assert_int_equal(quarry_codebook_size(cb), 4);
    assert_true(quarry_codebook_is_theme(cb, quarry_codebook_find(cb, "support")));
    quarry_codebook_free(cb);

    /* Re-import: updates, adds, keeps the rest. */
    test_write_file(
        tmp("cb2.json"),
        "{\"codes\": [{\"id\": \"support\"}, {\"id\": \"sup.peers\", "
        "\"name\": \"Peer workers\", \"parent\": \"support\"}, "
        "{\"id\": \"new.one\"}]}");
    assert_int_equal(quarry_project_codebook_import(p, e, tmp("cb2.json"),
                                                    &added, &updated),
                     QUARRY_OK);
    assert_int_equal(added, 1);
    assert_int_equal(updated, 2);
    assert_int_equal(quarry_project_codes(p, &codes, &n), QUARRY_OK);
    assert_int_equal(n, 5);
    assert_string_equal(codes[1].name, "Peer workers");

    /* A file with a cycle is refused and changes nothing. */
    test_write_file(tmp("cb3.json"),
                    "{\"codes\": [{\"id\": \"support\", \"parent\": \"x\"},"
                    " {\"id\": \"x\", \"parent\": \"support\"}]}");
    assert_int_equal(quarry_project_codebook_import(p, e, tmp("cb3.json"),
                                                    NULL, NULL),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p), "cb3.json"));
    assert_int_equal(quarry_project_codes(p, &codes, &n), QUARRY_OK);
    assert_int_equal(n, 5);
    assert_null(codes[0].parent);
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void test_corpora(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = fresh("corp.quarry", e);
    quarry_corpus *c = NULL;
    const quarry_excerpt *x;
    (void)state;
    assert_int_equal(quarry_project_corpus(p, QUARRY_SUBSET_CODED, &c),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 6);
    x = quarry_corpus_at(c, 5);
    assert_string_equal(x->id, "a6");
    assert_int_equal(x->n_codes, 2);
    assert_string_equal(x->codes[0], "sup.peers"); /* codebook order */
    assert_string_equal(quarry_corpus_attribute(c, 5, "study"), "S2");
    quarry_corpus_free(c);
    assert_int_equal(quarry_project_corpus(p, QUARRY_SUBSET_UNCODED, &c),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_string_equal(quarry_corpus_at(c, 0)->id, "b1");
    assert_int_equal(quarry_corpus_at(c, 0)->n_codes, 0);
    quarry_corpus_free(c);
    quarry_project_free(p);
    quarry_engine_free(e);
}

static int count_rows(void *ctx, const quarry_coding_row *r)
{
    int *n = ctx;
    (void)r;
    (*n)++;
    return 0;
}

typedef struct find_ctx {
    const char *excerpt, *code;
    quarry_coding_row found;
    int hits;
} find_ctx;

static int find_row(void *ctx, const quarry_coding_row *r)
{
    find_ctx *f = ctx;
    if (strcmp(r->excerpt, f->excerpt) == 0 &&
        (f->code == NULL || strcmp(r->code, f->code) == 0)) {
        f->hits++;
        f->found.origin = strcmp(r->origin, "accepted-suggestion") == 0
                              ? "accepted-suggestion"
                          : strcmp(r->origin, "manual") == 0 ? "manual"
                                                             : "imported";
        f->found.coder = strcmp(r->coder, "ben") == 0 ? "ben" : "other";
    }
    return 0;
}

static void test_suggest_review_cycle(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = fresh("rev.quarry", e);
    quarry_run_info info;
    const quarry_review_item *item;
    quarry_decision d = QUARRY_DECISION_INIT;
    quarry_project_counts n;
    int64_t remaining, id;
    const char *undone;
    find_ctx f;
    int rows = 0;
    char top_b1[64];
    (void)state;
    if (quarry_project_suggest(p, e, NULL, NULL, NULL, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.run, 1);
    assert_int_equal(info.train, 6);
    assert_int_equal(info.input, 3);
    assert_int_equal(info.stored, 9);

    assert_int_equal(quarry_project_review_next(p, "ben", &item, &remaining),
                     QUARRY_OK);
    assert_int_equal(remaining, 3);
    assert_non_null(item);
    assert_string_equal(item->excerpt, "b1");
    assert_int_equal(item->n_suggestions, 3);
    assert_null(item->before);
    assert_non_null(item->after); /* b2, the next turn of its source */
    assert_non_null(strstr(item->suggestions[0].evidence, "\"terms\""));
    assert_string_equal(item->suggestions[0].code, "sup.peers");
    snprintf(top_b1, sizeof top_b1, "%s", item->suggestions[0].code);

    /* Accept b1's top suggestion. */
    d.excerpt = "b1";
    d.verdict = QUARRY_VERDICT_ACCEPT;
    d.code = top_b1;
    d.coder = "ben";
    assert_int_equal(quarry_project_decide(p, &d, &id), QUARRY_OK);
    memset(&f, 0, sizeof f);
    f.excerpt = "b1";
    assert_int_equal(quarry_project_codings(p, find_row, &f), QUARRY_OK);
    assert_int_equal(f.hits, 1);
    assert_string_equal(f.found.origin, "accepted-suggestion");
    assert_string_equal(f.found.coder, "ben");
    /* Deciding it again is refused. */
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_EDUP);

    /* Validation: unknown excerpt, unknown code, never suggested, no coder. */
    d.excerpt = "zz";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "field \"excerpt\""));
    d.excerpt = "b2";
    d.code = "nope";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "unknown code \"nope\""));
    d.code = "support"; /* a theme: never suggested */
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_project_errmsg(p), "never suggested"));
    d.coder = NULL;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_EINVAL);

    /* Next in the queue is b2; reject its top suggestion, then replace. */
    assert_int_equal(quarry_project_review_next(p, "ben", &item, &remaining),
                     QUARRY_OK);
    assert_int_equal(remaining, 2);
    assert_string_equal(item->excerpt, "b2");
    assert_string_equal(item->before, "the peer colleagues on my team understand");
    d.excerpt = "b2";
    d.coder = "ben";
    d.verdict = QUARRY_VERDICT_REJECT;
    d.code = item->suggestions[0].code;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_int_equal(quarry_project_review_next(p, "ben", &item, &remaining),
                     QUARRY_OK);
    assert_string_equal(item->excerpt, "b2"); /* two left to decide */
    assert_string_equal(item->suggestions[0].verdict, "reject");
    assert_null(item->suggestions[1].verdict);
    d.verdict = QUARRY_VERDICT_REPLACE;
    d.code = item->suggestions[1].code;
    d.replacement = "sup.supervision";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    memset(&f, 0, sizeof f);
    f.excerpt = "b2";
    f.code = "sup.supervision";
    assert_int_equal(quarry_project_codings(p, find_row, &f), QUARRY_OK);
    assert_int_equal(f.hits, 1);
    assert_string_equal(f.found.origin, "manual");

    /* Undo takes back the replace and its coding. */
    assert_int_equal(quarry_project_undo(p, "ben", &undone), QUARRY_OK);
    assert_string_equal(undone, "b2");
    memset(&f, 0, sizeof f);
    f.excerpt = "b2";
    f.code = "sup.supervision";
    assert_int_equal(quarry_project_codings(p, find_row, &f), QUARRY_OK);
    assert_int_equal(f.hits, 0);
    assert_int_equal(quarry_project_undo(p, "nobody", &undone), QUARRY_OK);
    assert_null(undone);

    /* Another coder has their own queue. */
    assert_int_equal(quarry_project_review_next(p, "cy", &item, &remaining),
                     QUARRY_OK);
    assert_int_equal(remaining, 3);

    /* Add a code nobody suggested. */
    d.verdict = QUARRY_VERDICT_ADD;
    d.excerpt = "b3";
    d.code = "sup.peers";
    d.replacement = NULL;
    d.note = "they mention a peer later";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_int_equal(quarry_project_codings(p, count_rows, &rows), QUARRY_OK);
    assert_int_equal(rows, 7 + 2);

    /* The next run learns from the new codings and knows the rejection. */
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    /* The undone replace and the undo that reversed it stay on record. */
    assert_int_equal(n.decisions, 5);
    assert_int_equal(n.coded_excerpts, 8);
    if (quarry_project_suggest(p, e, NULL, NULL, NULL, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.run, 2);
    assert_int_equal(info.train, 8);
    assert_int_equal(info.input, 1);
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* A code on a passage is learnt from the passage: two long turns, each
 * coded with one code on its first sentence and another on its second.
 * Learnt from the whole turns (as before passages counted), both codes
 * would have the same text and tie on everything; learnt from the
 * passages, each new excerpt gets the code of the sentence it echoes, and
 * the nearest coded text it shows is the passage, named by its excerpt
 * and span. The run counts coded excerpts, not passages. */
static void test_suggest_learns_passages(void **state)
{
    static const char cb[] =
        "{\"codes\": [{\"id\": \"x.one\"}, {\"id\": \"x.two\"}]}";
    /* sentence one: code points [0, 39); sentence two: [40, 82) */
    static const char turns[] =
        "{\"id\": \"l1\", \"text\": \"my supervisor listens every week to me."
        " The peer colleagues at the drop-in get me.\"}\n"
        "{\"id\": \"l2\", \"text\": \"the supervisor listens each week to me."
        " Our peer colleagues at the drop-in get me.\"}\n"
        "{\"id\": \"u1\", \"text\": \"peer colleagues at the drop-in\"}\n"
        "{\"id\": \"u2\", \"text\": \"a supervisor who listens every week\"}\n";
    static const char *const first[] = {"my supervisor listens every week to me.",
                                        "the supervisor listens each week to me."};
    quarry_engine *e = test_engine();
    quarry_project *p = test_project_at(tmp("pass.quarry"),
                                        "2026-01-31T12:00:00Z");
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_run_info info;
    const quarry_review_item *it;
    int k;
    (void)state;
    test_write_file(tmp("pass-cb.json"), cb);
    test_write_file(tmp("pass.jsonl"), turns);
    assert_int_equal(quarry_project_codebook_import(p, e, tmp("pass-cb.json"),
                                                    NULL, NULL),
                     QUARRY_OK);
    test_project_import_as(p, tmp("pass.jsonl"), "ana");
    for (k = 0; k < 2; k++) {
        quarry_decision d = QUARRY_DECISION_INIT;
        int64_t n1 = (int64_t)strlen(first[k]);
        d.excerpt = k ? "l2" : "l1";
        d.verdict = QUARRY_VERDICT_ADD;
        d.coder = "ana";
        d.code = "x.one";
        d.span_start = 0;
        d.span_end = n1;
        if (quarry_project_decide(p, &d, NULL) != QUARRY_OK)
            fail_msg("%s", quarry_project_errmsg(p));
        d.code = "x.two";
        d.span_start = n1 + 1;
        d.span_end = n1 + 1 + 42;
        if (quarry_project_decide(p, &d, NULL) != QUARRY_OK)
            fail_msg("%s", quarry_project_errmsg(p));
    }
    so.top = 2;
    if (quarry_project_suggest(p, e, NULL, &so, NULL, &info) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(info.train, 2);
    assert_int_equal(info.input, 2);
    assert_int_equal(quarry_project_review_item(p, "ben", "u1", &it),
                     QUARRY_OK);
    assert_true(it->n_suggestions >= 1);
    assert_string_equal(it->suggestions[0].code, "x.two");
    /* its nearest coded text: a passage of l1 or l2, never an id made up */
    assert_non_null(strstr(it->suggestions[0].evidence, "\"span\":[40,82]"));
    assert_null(strchr(it->suggestions[0].evidence, '\x1f'));
    assert_null(strstr(it->suggestions[0].evidence, "\\u001f"));
    assert_int_equal(quarry_project_review_item(p, "ben", "u2", &it),
                     QUARRY_OK);
    assert_string_equal(it->suggestions[0].code, "x.one");
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void test_decisions_file(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = fresh("dec.quarry", e);
    const quarry_review_item *item;
    quarry_project_counts n;
    int64_t applied = -1, remaining;
    char line[1024], accepted[128];
    (void)state;
    assert_int_equal(quarry_project_suggest(p, e, NULL, NULL, NULL, NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_project_review_item(p, "ben", "b3", &item),
                     QUARRY_OK);
    snprintf(line, sizeof line,
             "{\"excerpt\": \"b3\", \"verdict\": \"accept\", \"code\": \"%s\"}\n"
             "\n"
             "{\"excerpt\": \"b1\", \"verdict\": \"add\", \"code\": "
             "\"emo.burnout\", \"coder\": \"cy\", \"time\": "
             "\"2026-02-01T09:00:00Z\"}\n",
             item->suggestions[0].code);
    snprintf(accepted, sizeof accepted, "%s", item->suggestions[0].code);
    test_write_file(tmp("good.jsonl"), line);
    assert_int_equal(quarry_project_apply_decisions(p, tmp("good.jsonl"),
                                                    "ben", &applied),
                     QUARRY_OK);
    assert_int_equal(applied, 2);
    assert_int_equal(quarry_project_review_next(p, "ben", &item, &remaining),
                     QUARRY_OK);
    assert_int_equal(remaining, 2);

    /* The same file again with a line added: the two lines in effect are
     * left as they are, the new one applied; the same code with another
     * verdict is still refused. */
    {
        char more[1400];
        int64_t already = -1;
        snprintf(more, sizeof more,
                 "%s{\"excerpt\": \"b2\", \"verdict\": \"add\", "
                 "\"code\": \"sup.peers\"}\n",
                 line);
        test_write_file(tmp("again.jsonl"), more);
        assert_int_equal(quarry_project_apply_decisions_again(
                             p, tmp("again.jsonl"), "ben", &applied,
                             &already),
                         QUARRY_OK);
        assert_int_equal(applied, 1);
        assert_int_equal(already, 2);
        snprintf(more, sizeof more,
                 "{\"excerpt\": \"b3\", \"verdict\": \"reject\", "
                 "\"code\": \"%s\"}\n",
                 accepted);
        test_write_file(tmp("other.jsonl"), more);
        assert_int_equal(quarry_project_apply_decisions_again(
                             p, tmp("other.jsonl"), "ben", &applied,
                             &already),
                         QUARRY_EDUP);
        assert_non_null(strstr(quarry_project_errmsg(p), "already decided"));
    }

    /* Any bad line leaves the project as it was, naming line and field. */
    test_write_file(tmp("bad1.jsonl"),
                    "{\"excerpt\": \"b1\", \"verdict\": \"add\", \"code\": "
                    "\"sup.peers\"}\n"
                    "{\"excerpt\": \"b2\", \"verdict\": \"maybe\", \"code\": "
                    "\"sup.peers\"}\n");
    assert_int_equal(quarry_project_apply_decisions(p, tmp("bad1.jsonl"),
                                                    "ben", NULL),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "bad1.jsonl:2: field \"verdict\": \"maybe\""));
    test_write_file(tmp("bad2.jsonl"), "{\"excerpt\": \"b1\", \"verdict\": ");
    assert_int_equal(quarry_project_apply_decisions(p, tmp("bad2.jsonl"),
                                                    "ben", NULL),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p), "bad2.jsonl:1: malformed"));
    test_write_file(tmp("bad3.jsonl"),
                    "{\"excerpt\": \"b1\", \"verdict\": \"add\", \"code\": "
                    "\"sup.peers\", \"colour\": \"red\"}\n");
    assert_int_equal(quarry_project_apply_decisions(p, tmp("bad3.jsonl"),
                                                    "ben", NULL),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p), "field \"colour\""));
    test_write_file(tmp("bad4.jsonl"),
                    "{\"excerpt\": \"b1\", \"verdict\": \"add\", \"code\": "
                    "\"sup.peers\"}\n");
    assert_int_equal(quarry_project_apply_decisions(p, tmp("bad4.jsonl"),
                                                    NULL, NULL),
                     QUARRY_EINVAL);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "bad4.jsonl:1: field \"coder\""));
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.decisions, 3);
    quarry_project_free(p);
    quarry_engine_free(e);
}

static void test_readonly(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p = fresh("ro.quarry", e);
    quarry_decision d = QUARRY_DECISION_INIT;
    quarry_project_counts n;
    (void)state;
    quarry_project_free(p);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, tmp("ro.quarry"),
                                         QUARRY_PROJECT_READONLY),
                     QUARRY_OK);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.excerpts, 9);
    d.excerpt = "b1";
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "sup.peers";
    d.coder = "ben";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_project_errmsg(p), "read-only"));
    quarry_project_free(p);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_refusals),
        cmocka_unit_test(test_import_whole_or_nothing),
        cmocka_unit_test(test_codebook),
        cmocka_unit_test(test_corpora),
        cmocka_unit_test(test_suggest_review_cycle),
        cmocka_unit_test(test_suggest_learns_passages),
        cmocka_unit_test(test_decisions_file),
        cmocka_unit_test(test_readonly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
