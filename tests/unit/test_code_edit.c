/*
 * test_code_edit.c -- editing the codebook (quarry_project_code_edit):
 * add, rename, move and merge, each recorded in the code history; every
 * refusal (named code and field, project unchanged); a merge with codings
 * by two coders, a memo, a child, decisions (the trail still names the
 * code decided on; an undo after the merge takes the moved coding away)
 * and suggestions; the upgrade of a schema-3 file; and a REFI-QDA export
 * after a merge that validates and imports again.
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
#include "../refi/refi_test_util.h"

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
    "{\"id\": \"b1\", \"text\": \"exhausted and drained after the shift\","
    " \"code\": \"exhaustion\"}\n";

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "code");
    test_write_file(tmp("coded.jsonl"), coded);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

/* Codes peers, supervision, exhaustion (flat, from the import), coded by
 * ana on a1, a2, b1. */
static quarry_project *fresh(const char *name)
{
    return test_project_fresh(tmp(name), tmp("coded.jsonl"), "ana");
}

static int edit(quarry_project *p, quarry_code_op op, const char *code,
                const char *name, const char *parent, const char *into,
                const char *id)
{
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    e.coder = "ana";
    e.code = code;
    e.name = name;
    e.parent = parent;
    e.into = into;
    e.id = id;
    return quarry_project_code_edit(p, op, &e, NULL);
}

static void ok(quarry_project *p, int status)
{
    if (status != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* The codebook as "id<parent|name;" in listing order. */
static const char *tree(quarry_project *p)
{
    static char buf[2048];
    const quarry_project_code *c;
    int32_t n, i;
    size_t len = 0;
    ok(p, quarry_project_codes(p, &c, &n));
    buf[0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s<%s|%s;",
                                c[i].id, c[i].parent ? c[i].parent : "",
                                c[i].name ? c[i].name : "");
    return buf;
}


/* A whole export into a string (free it). */
static char *history(quarry_project *p, int csv)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ok(p, quarry_project_export_code_history(p, f, csv));
    fclose(f);
    return buf;
}

static char *trail(quarry_project *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ok(p, quarry_project_export_decisions(p, f, 0));
    fclose(f);
    return buf;
}

/* Refused with status, the message holding want, and nothing recorded. */
static void refused(quarry_project *p, int got, int status, const char *want)
{
    const char *msg = quarry_project_errmsg(p);
    if (got != status || strstr(msg, want) == NULL)
        fail_msg("got %d \"%s\", wanted %d \"%s\"", got, msg, status, want);
}

static void add_rename_move(void **state)
{
    quarry_project *p = fresh("arm.quarry");
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    const char *id = NULL;
    char *h;
    (void)state;
    e.coder = "ana";
    e.name = "Support at work";
    e.definition = "help from others at work";
    ok(p, quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, &id));
    assert_string_equal(id, "support-at-work");
    /* The same name elsewhere is fine; the id made is another. */
    e.name = "Support at work!";
    e.parent = "support-at-work";
    ok(p, quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, &id));
    assert_string_equal(id, "support-at-work-2");
    ok(p, edit(p, QUARRY_CODE_RENAME, "support-at-work-2", "Informal", NULL,
               NULL, NULL));
    ok(p, edit(p, QUARRY_CODE_MOVE, "peers", NULL, "support-at-work", NULL,
               NULL));
    /* An empty parent (a form's empty field) is the top level. */
    ok(p, edit(p, QUARRY_CODE_MOVE, "support-at-work-2", NULL, "", NULL,
               NULL));
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Supervisors", "support-at-work",
               NULL, "sup.x"));
    /* Rename and move keep the codings: peers still has ana's on a1. */
    assert_string_equal(tree(p),
                        "supervision<|supervision;exhaustion<|exhaustion;"
                        "support-at-work<|Support at work;"
                        "peers<support-at-work|peers;"
                        "sup.x<support-at-work|Supervisors;"
                        "support-at-work-2<|Informal;");
    {
        const quarry_project_code *c;
        int32_t n, i, seen = 0;
        ok(p, quarry_project_codes(p, &c, &n));
        assert_int_equal(n, 6);
        for (i = 0; i < n; i++)
            if (strcmp(c[i].id, "peers") == 0) {
                assert_string_equal(c[i].parent, "support-at-work");
                assert_int_equal(c[i].n_codings, 1);
                assert_int_equal(c[i].depth, 1);
                seen = 1;
            }
        assert_true(seen);
    }
    h = history(p, 1);
    assert_string_equal(
        h, "id,time,coder,op,code,before,after,detail\n"
           "\"1\",\"2026-01-31T12:00:00Z\",\"ana\",\"add\","
           "\"support-at-work\",,\"Support at work\",\"{\"\"name\"\":"
           "\"\"Support at work\"\",\"\"parent\"\":null,\"\"definition\"\":"
           "\"\"help from others at work\"\"}\"\n"
           "\"2\",\"2026-01-31T12:00:00Z\",\"ana\",\"add\","
           "\"support-at-work-2\",,\"Support at work!\",\"{\"\"name\"\":"
           "\"\"Support at work!\"\",\"\"parent\"\":\"\"support-at-work\"\","
           "\"\"definition\"\":\"\"help from others at work\"\"}\"\n"
           "\"3\",\"2026-01-31T12:00:00Z\",\"ana\",\"rename\","
           "\"support-at-work-2\",\"Support at work!\",\"Informal\",\"{}\"\n"
           "\"4\",\"2026-01-31T12:00:00Z\",\"ana\",\"move\",\"peers\",,"
           "\"support-at-work\",\"{}\"\n"
           "\"5\",\"2026-01-31T12:00:00Z\",\"ana\",\"move\","
           "\"support-at-work-2\",\"support-at-work\",,\"{}\"\n"
           "\"6\",\"2026-01-31T12:00:00Z\",\"ana\",\"add\",\"sup.x\",,"
           "\"Supervisors\",\"{\"\"name\"\":\"\"Supervisors\"\","
           "\"\"parent\"\":\"\"support-at-work\"\"}\"\n");
    free(h);
    quarry_project_free(p);
}

static void refusals(void **state)
{
    quarry_project *p = fresh("refuse.quarry");
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    char *before, *after;
    const char *id = "untouched";
    (void)state;
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Support", NULL, NULL, "support"));
    ok(p, edit(p, QUARRY_CODE_MOVE, "peers", NULL, "support", NULL, NULL));
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Peer groups", "peers", NULL,
               "groups"));
    before = strdup(tree(p));
    /* Who made it, and when. */
    e.name = "X";
    refused(p, quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, &id),
            QUARRY_EINVAL, "add: field \"coder\": missing");
    assert_null(id);
    e.coder = "ana";
    e.time = "2026-02-30T10:00:00Z";
    refused(p, quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, NULL),
            QUARRY_EINVAL, "add: field \"time\": \"2026-02-30T10:00:00Z\"");
    refused(p, quarry_project_code_edit(p, (quarry_code_op)9, &e, NULL),
            QUARRY_EINVAL, "unknown codebook edit 9");
    /* add */
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, NULL, NULL, NULL, NULL),
            QUARRY_EINVAL, "add: field \"name\": missing");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "  ", NULL, NULL, NULL),
            QUARRY_EINVAL, "add: field \"name\": empty");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "two\nlines", NULL, NULL, NULL),
            QUARRY_EINVAL, "add: field \"name\": holds a line break");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "bad \xff", NULL, NULL, NULL),
            QUARRY_EINVAL, "add: field \"name\": not valid UTF-8");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "Other", NULL, NULL, "peers"),
            QUARRY_EDUP,
            "add: code \"peers\": field \"id\": already in the codebook");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "Other", NULL, NULL, "a b"),
            QUARRY_EINVAL, "add: field \"id\": \"a b\" holds a space");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "Other", "nope", NULL, NULL),
            QUARRY_ENOTFOUND,
            "add: field \"parent\": unknown code \"nope\"");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "peer GROUPS", "peers", NULL,
                    "g2"),
            QUARRY_EDUP,
            "add: code \"g2\": field \"name\": \"peer GROUPS\" is the name of "
            "code \"groups\" under peers (letter case aside)");
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "support", NULL, NULL, NULL),
            QUARRY_EDUP,
            "add: field \"name\": \"support\" is the name of code \"support\" "
            "at the top level");
    /* rename */
    refused(p, edit(p, QUARRY_CODE_RENAME, "nope", "X", NULL, NULL, NULL),
            QUARRY_ENOTFOUND, "rename: field \"code\": unknown code \"nope\"");
    refused(p, edit(p, QUARRY_CODE_RENAME, NULL, "X", NULL, NULL, NULL),
            QUARRY_EINVAL, "rename: field \"code\": missing");
    refused(p, edit(p, QUARRY_CODE_RENAME, "groups", "", NULL, NULL, NULL),
            QUARRY_EINVAL, "rename: code \"groups\": field \"name\": empty");
    refused(p, edit(p, QUARRY_CODE_RENAME, "groups", NULL, NULL, NULL, NULL),
            QUARRY_EINVAL, "rename: code \"groups\": field \"name\": missing");
    refused(p, edit(p, QUARRY_CODE_RENAME, "support", "Support", NULL, NULL,
                    NULL),
            QUARRY_EINVAL, "it is already named \"Support\"");
    refused(p, edit(p, QUARRY_CODE_RENAME, "exhaustion", "SUPPORT", NULL,
                    NULL, NULL),
            QUARRY_EDUP,
            "rename: code \"exhaustion\": field \"name\": \"SUPPORT\" is the "
            "name of code \"support\" at the top level");
    /* move */
    refused(p, edit(p, QUARRY_CODE_MOVE, "nope", NULL, NULL, NULL, NULL),
            QUARRY_ENOTFOUND, "move: field \"code\": unknown code \"nope\"");
    refused(p, edit(p, QUARRY_CODE_MOVE, "peers", NULL, "nope", NULL, NULL),
            QUARRY_ENOTFOUND, "move: field \"parent\": unknown code \"nope\"");
    refused(p, edit(p, QUARRY_CODE_MOVE, "peers", NULL, "peers", NULL, NULL),
            QUARRY_EINVAL,
            "move: code \"peers\": field \"parent\": a code cannot go under "
            "itself");
    refused(p, edit(p, QUARRY_CODE_MOVE, "support", NULL, "groups", NULL,
                    NULL),
            QUARRY_EINVAL,
            "move: code \"support\": field \"parent\": \"groups\" is under "
            "\"support\" (a code cannot go under its own descendant");
    refused(p, edit(p, QUARRY_CODE_MOVE, "peers", NULL, "support", NULL,
                    NULL),
            QUARRY_EINVAL, "it is already under support; nothing to change");
    refused(p, edit(p, QUARRY_CODE_MOVE, "support", NULL, NULL, NULL, NULL),
            QUARRY_EINVAL, "it is already at the top level");
    ok(p, edit(p, QUARRY_CODE_RENAME, "exhaustion", "Peer Groups", NULL, NULL,
               NULL));
    refused(p, edit(p, QUARRY_CODE_MOVE, "exhaustion", NULL, "peers", NULL,
                    NULL),
            QUARRY_EDUP,
            "move: code \"exhaustion\": field \"parent\": code \"groups\" "
            "under peers has the same name");
    ok(p, edit(p, QUARRY_CODE_RENAME, "exhaustion", "exhaustion", NULL, NULL,
               NULL));
    /* merge */
    refused(p, edit(p, QUARRY_CODE_MERGE, "peers", NULL, NULL, NULL, NULL),
            QUARRY_EINVAL, "merge: code \"peers\": field \"into\": missing");
    refused(p, edit(p, QUARRY_CODE_MERGE, "nope", NULL, NULL, "peers", NULL),
            QUARRY_ENOTFOUND, "merge: field \"code\": unknown code \"nope\"");
    refused(p, edit(p, QUARRY_CODE_MERGE, "peers", NULL, NULL, "nope", NULL),
            QUARRY_ENOTFOUND, "merge: field \"into\": unknown code \"nope\"");
    refused(p, edit(p, QUARRY_CODE_MERGE, "peers", NULL, NULL, "peers", NULL),
            QUARRY_EINVAL, "field \"into\": the code itself");
    refused(p, edit(p, QUARRY_CODE_MERGE, "support", NULL, NULL, "groups",
                    NULL),
            QUARRY_EINVAL,
            "merge: code \"support\": field \"into\": \"groups\" is under "
            "\"support\"");
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "peer groups", "exhaustion", NULL,
               "g3"));
    refused(p, edit(p, QUARRY_CODE_MERGE, "exhaustion", NULL, NULL, "peers",
                    NULL),
            QUARRY_EDUP,
            "merge: code \"exhaustion\": field \"into\": its child \"g3\" and "
            "\"peers\"'s child \"groups\" are both named \"peer groups\"");
    after = strdup(tree(p));
    /* Only the successful edits changed the codebook and the history. */
    assert_int_equal(test_sql_count(tmp("refuse.quarry"),
                           "SELECT count(*) FROM code_edits"),
                     6);
    assert_non_null(strstr(after, "g3<exhaustion|peer groups;"));
    assert_non_null(strstr(before, "groups<peers|Peer groups;"));
    assert_non_null(strstr(after, "groups<peers|Peer groups;"));
    free(before);
    free(after);
    quarry_project_free(p);
    /* Read-only: refused. */
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    ok(p, quarry_project_open(p, tmp("refuse.quarry"),
                              QUARRY_PROJECT_READONLY));
    refused(p, edit(p, QUARRY_CODE_ADD, NULL, "New", NULL, NULL, NULL),
            QUARRY_EINVAL, "opened read-only");
    quarry_project_free(p);
}

static void decide_add(quarry_project *p, const char *coder,
                       const char *excerpt, const char *code,
                       quarry_verdict v)
{
    quarry_decision d = QUARRY_DECISION_INIT;
    d.coder = coder;
    d.excerpt = excerpt;
    d.code = code;
    d.verdict = v;
    ok(p, quarry_project_decide(p, &d, NULL));
}

/* A theme (a code whose children came before any coding of it) takes no
 * coding: an added code or a replacement that is one is refused, naming
 * its codes, and nothing is recorded; its codes take them. */
static void theme_takes_no_coding(void **state)
{
    quarry_project *p = fresh("theme.quarry");
    quarry_decision d = QUARRY_DECISION_INIT;
    (void)state;
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Support", NULL, NULL, "support"));
    ok(p, edit(p, QUARRY_CODE_MOVE, "peers", NULL, "support", NULL, NULL));
    d.coder = "ana";
    d.excerpt = "a1";
    d.code = "support";
    d.verdict = QUARRY_VERDICT_ADD;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "field \"code\": \"support\" is a theme (its "
                           "codes: peers): code with one of its codes"));
    d.verdict = QUARRY_VERDICT_REPLACE;
    d.code = "exhaustion";
    d.replacement = "support";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "field \"replacement\": \"support\" is a theme"));
    assert_int_equal(test_sql_count(tmp("theme.quarry"),
                           "SELECT count(*) FROM decisions"), 0);
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "peers";
    d.replacement = NULL;
    d.excerpt = "b1";
    ok(p, quarry_project_decide(p, &d, NULL));
    quarry_project_free(p);
}

static int count_codings(void *ctx, const quarry_coding_row *r)
{
    char *s = ctx;
    size_t len = strlen(s);
    snprintf(s + len, 1024 - len, "%s/%s/%s;", r->excerpt, r->code,
             r->coder);
    return 0;
}

static int count_memo(void *ctx, const quarry_memo *m)
{
    (void)m;
    ++*(int *)ctx;
    return 0;
}

/* colleagues goes into peers: ana had both on a1 (keeps one), ben had
 * colleagues alone on b1 (moved), a memo, a child, decisions and
 * suggestions follow it. */
static quarry_project *merged(const char *name)
{
    quarry_project *p = fresh(name);
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_memo m = QUARRY_MEMO_INIT;
    const char *id = NULL;
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    io.coder = "ben";
    ok(p, quarry_project_import(p, tmp("coded.jsonl"), &io, NULL));
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Colleagues", NULL, NULL,
               "colleagues"));
    /* Coded while a leaf (a theme takes no coding); its child comes
     * after, which keeps it codable. */
    decide_add(p, "ana", "a1", "colleagues", QUARRY_VERDICT_ADD);
    decide_add(p, "ben", "b1", "colleagues", QUARRY_VERDICT_ADD);
    decide_add(p, "ana", "a2", "colleagues", QUARRY_VERDICT_ADD);
    decide_add(p, "ana", "a2", "colleagues", QUARRY_VERDICT_REMOVE);
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Friends at work", "colleagues",
               NULL, "friends"));
    m.code = "colleagues";
    m.coder = "ana";
    m.text = "same as peers?";
    ok(p, quarry_project_memo_add(p, &m, NULL));
    quarry_project_free(p);
    /* A run that suggested colleagues and peers for b1 (pending), and
     * colleagues for a2. */
    test_sql_run(tmp(name),
            "INSERT INTO runs(id, started_at, quarry_version, plugins,"
            " options) VALUES(1, '2026-01-31T12:00:00Z', 'test', '[]', '{}');"
            "INSERT INTO suggestions(run_id, excerpt_id, code_id, rank, score,"
            " confidence, abstain, evidence) SELECT 1, e.id, c.id, 1, 0.9,"
            " 0.8, 0, '{}' FROM excerpts e, codes c WHERE e.xid = 'b1' AND"
            " c.code = 'colleagues';"
            "INSERT INTO suggestions(run_id, excerpt_id, code_id, rank, score,"
            " confidence, abstain, evidence) SELECT 1, e.id, c.id, 2, 0.5,"
            " 0.4, 0, '{}' FROM excerpts e, codes c WHERE e.xid = 'b1' AND"
            " c.code = 'peers';"
            "INSERT INTO suggestions(run_id, excerpt_id, code_id, rank, score,"
            " confidence, abstain, evidence) SELECT 1, e.id, c.id, 1, 0.7,"
            " 0.6, 0, '{}' FROM excerpts e, codes c WHERE e.xid = 'a2' AND"
            " c.code = 'colleagues';");
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    ok(p, quarry_project_open(p, tmp(name), 0));
    ok(p, quarry_project_set_time(p, "2026-02-01T09:00:00Z"));
    e.coder = "ana";
    e.code = "colleagues";
    e.into = "peers";
    ok(p, quarry_project_code_edit(p, QUARRY_CODE_MERGE, &e, &id));
    assert_string_equal(id, "peers");
    return p;
}

static void merge_two_coders(void **state)
{
    quarry_project *p = merged("merge.quarry");
    const char *path = tmp("merge.quarry");
    char codings[1024] = "", *h, *t;
    int memos = 0;
    (void)state;
    /* colleagues left the codebook; its child is under peers, which is
     * codable now that it has a child and codings. */
    assert_null(strstr(tree(p), "colleagues<"));
    assert_non_null(strstr(tree(p), "friends<peers|Friends at work;"));
    {
        const quarry_project_code *c;
        int32_t n, i;
        ok(p, quarry_project_codes(p, &c, &n));
        for (i = 0; i < n; i++)
            if (strcmp(c[i].id, "peers") == 0) {
                assert_false(c[i].is_theme);
                assert_int_equal(c[i].n_codings, 3);
            }
    }
    /* ana keeps one coding on a1; ben's b1 coding moved. */
    ok(p, quarry_project_codings(p, count_codings, codings));
    assert_string_equal(codings, "a1/peers/ana;a1/peers/ben;"
                                 "a2/supervision/ana;a2/supervision/ben;"
                                 "b1/peers/ben;b1/exhaustion/ana;"
                                 "b1/exhaustion/ben;");
    /* The memo is on peers now. */
    ok(p, quarry_project_memos(p, QUARRY_MEMOS_CODE, "peers", count_memo,
                               &memos));
    assert_int_equal(memos, 1);
    /* The trail still names the code decided on. */
    t = trail(p);
    assert_non_null(strstr(t, "\"excerpt\":\"a1\",\"verdict\":\"add\","
                              "\"code\":\"colleagues\""));
    assert_non_null(strstr(t, "\"excerpt\":\"a2\",\"verdict\":\"remove\","
                              "\"code\":\"colleagues\""));
    assert_null(strstr(t, "\"code\":\"peers\""));
    free(t);
    /* Suggestions: b1's colleagues (pending, peers also suggested) set
     * aside whole; a2's re-pointed. Nothing else deleted. */
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM suggestions"), 2);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM suggestions s JOIN"
                                 " codes c ON c.id = s.code_id WHERE c.code"
                                 " = 'peers'"),
                     2);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM code_edit_rows WHERE"
                                 " col = 'removed'"),
                     2);
    assert_int_equal(test_sql_count(path, "SELECT count(*) FROM decisions"), 4);
    h = history(p, 0);
    assert_non_null(strstr(
        h, "{\"id\":3,\"time\":\"2026-02-01T09:00:00Z\",\"coder\":\"ana\","
           "\"op\":\"merge\",\"code\":\"colleagues\",\"before\":"
           "\"colleagues\",\"after\":\"peers\",\"detail\":{\"name\":"
           "\"Colleagues\",\"parent\":null,\"definition\":null,\"include\":null,"
           "\"exclude\":null,\"keywords\":[],\"color\":null,\"position\":3,"
           "\"codable\":true,"));
    assert_non_null(strstr(h, "\"into_name\":\"peers\",\"codings_kept_once\":1,"
                              "\"codings_moved\":1,\"decisions\":4,"
                              "\"replacements\":0,\"suggestions_set_aside\":"
                              "1,\"suggestions\":1,\"memos\":1,\"children\":"
                              "1,\"into_made_codable\":true}"));
    free(h);
    /* ben's latest decision (colleagues on b1) undone after the merge: the
     * coding it made, now on peers, goes. */
    ok(p, quarry_project_undo(p, "ben", NULL));
    codings[0] = '\0';
    ok(p, quarry_project_codings(p, count_codings, codings));
    assert_null(strstr(codings, "b1/peers/ben;"));
    t = trail(p);
    assert_non_null(strstr(t, "\"verdict\":\"undo\",\"code\":\"peers\""));
    free(t);
    /* Decisions on the merged code's id are refused now. */
    {
        quarry_decision d = QUARRY_DECISION_INIT;
        d.coder = "ana";
        d.excerpt = "b1";
        d.code = "colleagues";
        d.verdict = QUARRY_VERDICT_ADD;
        assert_int_equal(quarry_project_decide(p, &d, NULL),
                         QUARRY_ENOTFOUND);
    }
    /* The id is free again. */
    ok(p, edit(p, QUARRY_CODE_ADD, NULL, "Colleagues again", NULL, NULL,
               "colleagues"));
    quarry_project_free(p);
}

static void merge_refi_round_trip(void **state)
{
    quarry_project *p = merged("refi.quarry"), *q;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    const quarry_project_code *c;
    const char *qdpx = test_out_path("export-code-merge.qdpx");
    const char *qde = test_out_path("export-code-merge.qde");
    char *x;
    size_t xl;
    int32_t n, i, friends = 0;
    (void)state;
    ok(p, quarry_project_export_qdpx(p, qdpx, &o));
    write_qde_of(qdpx, qde);
    validate_schema(qde);
    x = test_slurp(qde, &xl);
    assert_non_null(x);
    assert_null(strstr(x, "name=\"Colleagues\""));
    assert_non_null(strstr(x, "name=\"Friends at work\""));
    free(x);
    quarry_project_free(p);
    q = new_project("code-merge-back.quarry");
    ok(q, quarry_project_import_qdpx(q, qdpx, &o, NULL));
    ok(q, quarry_project_codes(q, &c, &n));
    assert_int_equal(n, 4);
    for (i = 0; i < n; i++) {
        assert_true(c[i].name == NULL ||
                    strcmp(c[i].name, "Colleagues") != 0);
        if (c[i].name && strcmp(c[i].name, "Friends at work") == 0) {
            assert_int_equal(c[i].depth, 1);
            friends = 1;
        }
        if (strcmp(c[i].id, "peers") == 0) {
            assert_int_equal(c[i].n_codings, 3);
            assert_false(c[i].is_theme);
        }
    }
    assert_true(friends);
    quarry_project_free(q);
}

/* A project as schema 3 wrote it: no code history. */
static void upgrades_schema_3(void **state)
{
    quarry_project *p = fresh("v3.quarry");
    (void)state;
    quarry_project_free(p);
    test_sql_run(tmp("v3.quarry"), "BEGIN; DROP TABLE code_edit_rows;"
                              " DROP TABLE code_edits;"
                              TEST_SQL_BEFORE_PASSAGES
                              " PRAGMA user_version = 3; COMMIT;");
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    ok(p, quarry_project_open(p, tmp("v3.quarry"), 0));
    ok(p, edit(p, QUARRY_CODE_RENAME, "peers", "Peers", NULL, NULL, NULL));
    quarry_project_free(p);
    assert_int_equal(test_sql_count(tmp("v3.quarry"), "PRAGMA user_version"),
                     QUARRY_PROJECT_SCHEMA);
    assert_int_equal(test_sql_count(tmp("v3.quarry"),
                           "SELECT count(*) FROM code_edits"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_rename_move),
        cmocka_unit_test(refusals),
        cmocka_unit_test(theme_takes_no_coding),
        cmocka_unit_test(merge_two_coders),
        cmocka_unit_test(merge_refi_round_trip),
        cmocka_unit_test(upgrades_schema_3),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
