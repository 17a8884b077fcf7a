/*
 * test_refi_memos.c -- memos as REFI-QDA notes, both ways: the project's
 * memo is a Note with a NoteRef from the Project, a code's from the Code,
 * an excerpt's from its PlainTextSelection (an uncoded excerpt too), each
 * with creatingUser and creationDateTime; the export validates against
 * Project.xsd; an import gives every memo back with its author, its time
 * and the Note's GUID (so a second export writes the same Notes), and a
 * selection's note is a memo only, not also an attribute.
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

#include "quarry/quarry.h"
#include "../unit/test_files.h"
#include "../refi/refi_test_util.h"

static const char coded[] =
    "{\"id\": \"a1\", \"text\": \"my peer colleagues understand me\","
    " \"code\": \"peers\", \"coder\": \"ana\"}\n"
    "{\"id\": \"a2\", \"text\": \"my supervisor listens every week\","
    " \"code\": \"supervision\", \"coder\": \"ana\"}\n"
    "{\"id\": \"b1\", \"text\": \"exhausted and drained after the shift\"}\n";

static void add(quarry_project *p, const char *excerpt, const char *code,
                const char *coder, const char *time, const char *text)
{
    quarry_memo m = QUARRY_MEMO_INIT;
    m.excerpt = excerpt;
    m.code = code;
    m.coder = coder;
    m.time = time;
    m.text = text;
    if (quarry_project_memo_add(p, &m, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

typedef struct seen {
    char text[4096];
} seen;

/* "on|coder|time|text|guid-or-none" lines; the excerpt by its text's
 * first word (ids differ after an import). */
static int see(void *ctx, const quarry_memo *m)
{
    seen *s = ctx;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%s|%s|%s|%s|%s\n",
             m->excerpt ? "excerpt" : m->code ? m->code : "project",
             m->coder, m->time, m->text, m->guid ? "guid" : "none");
    return 0;
}

static const char *memos_of(quarry_project *p, quarry_memo_scope scope,
                            const char *name, seen *s)
{
    memset(s, 0, sizeof *s);
    if (quarry_project_memos(p, scope, name, see, s) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return s->text;
}

/* The file whole, NUL-terminated. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

typedef struct first_excerpt {
    char id[256];
} first_excerpt;

static int excerpt_of(void *ctx, const quarry_memo *m)
{
    first_excerpt *f = ctx;
    if (m->excerpt && f->id[0] == '\0')
        snprintf(f->id, sizeof f->id, "%s", m->excerpt);
    return 0;
}

static void memos_round_trip(void **state)
{
    quarry_project *p = new_project("memos.quarry"), *q;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_refi_options ro = QUARRY_REFI_OPTIONS_INIT;
    const char *qde = test_out_path("export-memos.qde");
    char *xml, *xml2;
    first_excerpt fx;
    int64_t n = 0;
    seen s;
    (void)state;
    test_write_file(test_out_path("memos.jsonl"), coded);
    if (quarry_project_import(p, test_out_path("memos.jsonl"), &io, NULL) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    add(p, NULL, NULL, "ana", "2026-02-01T10:00:00Z", "purposive <sample> & more");
    add(p, NULL, "peers", "ben", "2026-02-02T11:00:00Z", "peers, not supervisors");
    add(p, "a1", NULL, "ben", "2026-02-03T12:00:00Z", "understood by peers");
    add(p, "b1", NULL, "cy", "2026-02-04T13:00:00Z", "uncoded, but telling");
    if (quarry_project_export_qdpx(p, test_out_path("memos.qdpx"), &ro) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    quarry_project_free(p);
    write_qde_of(test_out_path("memos.qdpx"), qde);
    validate_schema(qde);
    xml = read_all(qde);
    assert_non_null(xml);
    assert_int_equal(count_of(xml, "<Note "), 4);
    /* One NoteRef each: Project, Code, two selections. */
    assert_int_equal(count_of(xml, "<NoteRef "), 4);
    assert_non_null(strstr(xml, "creationDateTime=\"2026-02-03T12:00:00Z\""));

    q = new_project("memos-back.quarry");
    if (quarry_project_import_qdpx(q, test_out_path("memos.qdpx"), &ro,
                                   NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(q));
    assert_string_equal(
        memos_of(q, QUARRY_MEMOS_ALL, NULL, &s),
        "project|ana|2026-02-01T10:00:00Z|purposive <sample> & more|guid\n"
        "peers|ben|2026-02-02T11:00:00Z|peers, not supervisors|guid\n"
        "excerpt|ben|2026-02-03T12:00:00Z|understood by peers|guid\n"
        "excerpt|cy|2026-02-04T13:00:00Z|uncoded, but telling|guid\n");
    memset(&fx, 0, sizeof fx);
    assert_int_equal(quarry_project_memos(q, QUARRY_MEMOS_ALL, NULL,
                                          excerpt_of, &fx),
                     QUARRY_OK);
    assert_int_equal(quarry_project_memo_count(q, fx.id, &n), QUARRY_OK);
    assert_int_equal(n, 1);

    /* Exported again: the same Notes, under the same GUIDs. */
    if (quarry_project_export_qdpx(q, test_out_path("memos-again.qdpx"),
                                   &ro) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(q));
    quarry_project_free(q);
    write_qde_of(test_out_path("memos-again.qdpx"),
                 test_out_path("export-memos-again.qde"));
    validate_schema(test_out_path("export-memos-again.qde"));
    xml2 = read_all(test_out_path("export-memos-again.qde"));
    assert_non_null(xml2);
    {
        const char *one = strstr(xml, "<Note "), *two = strstr(xml2, "<Note ");
        size_t head;
        assert_non_null(one);
        assert_non_null(two);
        head = strcspn(one, ">");
        /* The first Note (the project's) is the same element. */
        assert_int_equal(strncmp(one, two, head), 0);
    }
    assert_int_equal(count_of(xml2, "<Note "), 4);
    free(xml);
    free(xml2);
}

/* Another tool's file: a note on a code with its user, one on a
 * selection with no user (coder "imported"), one on the TextSource (an
 * attribute, as before) and one nobody references (left out). */
static const char other_qde[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"other\">\n"
    "<Users><User guid=\"11111111-1111-4111-8111-111111111111\""
    " name=\"dana\"/></Users>\n"
    "<CodeBook><Codes><Code guid=\"22222222-2222-4222-8222-222222222222\""
    " name=\"Hope\" isCodable=\"true\">"
    "<NoteRef targetGUID=\"aaaaaaaa-0000-4000-8000-000000000001\"/>"
    "</Code></Codes></CodeBook>\n"
    "<Sources><TextSource guid=\"33333333-3333-4333-8333-333333333333\""
    " name=\"i1.txt\"><PlainTextContent>I still hope it gets better."
    "</PlainTextContent>"
    "<PlainTextSelection guid=\"44444444-4444-4444-8444-444444444444\""
    " startPosition=\"2\" endPosition=\"12\">"
    "<Coding guid=\"55555555-5555-4555-8555-555555555555\""
    " creatingUser=\"11111111-1111-4111-8111-111111111111\">"
    "<CodeRef targetGUID=\"22222222-2222-4222-8222-222222222222\"/></Coding>"
    "<NoteRef targetGUID=\"aaaaaaaa-0000-4000-8000-000000000002\"/>"
    "</PlainTextSelection>"
    "<NoteRef targetGUID=\"aaaaaaaa-0000-4000-8000-000000000003\"/>"
    "</TextSource></Sources>\n"
    "<Notes>"
    "<Note guid=\"aaaaaaaa-0000-4000-8000-000000000001\""
    " creatingUser=\"11111111-1111-4111-8111-111111111111\""
    " creationDateTime=\"2025-05-06T07:08:09Z\">"
    "<PlainTextContent>hope, not optimism</PlainTextContent></Note>"
    "<Note guid=\"aaaaaaaa-0000-4000-8000-000000000002\">"
    "<PlainTextContent>said twice</PlainTextContent></Note>"
    "<Note guid=\"aaaaaaaa-0000-4000-8000-000000000003\">"
    "<PlainTextContent>about the interview</PlainTextContent></Note>"
    "<Note guid=\"aaaaaaaa-0000-4000-8000-000000000004\">"
    "<PlainTextContent>loose note</PlainTextContent></Note>"
    "</Notes></Project>\n";

typedef struct attrs_seen {
    int selection_notes;
} attrs_seen;

static int see_row(void *ctx, const quarry_coding_row *r)
{
    attrs_seen *a = ctx;
    a->selection_notes += strstr(r->attributes, "said twice") != NULL;
    return 0;
}

static void notes_of_another_tool(void **state)
{
    quarry_project *p = new_project("memos-other.quarry");
    quarry_refi_options ro = QUARRY_REFI_OPTIONS_INIT;
    const char *path = zip_qde("memos-other.qdpx", other_qde, NULL, NULL);
    attrs_seen a = {0};
    seen s;
    (void)state;
    if (quarry_project_import_qdpx(p, path, &ro, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_string_equal(
        memos_of(p, QUARRY_MEMOS_ALL, NULL, &s),
        "Hope|dana|2025-05-06T07:08:09Z|hope, not optimism|guid\n"
        "excerpt|imported|2026-01-31T12:00:00Z|said twice|guid\n");
    /* The selection's note is a memo, not also an attribute. */
    assert_int_equal(quarry_project_codings(p, see_row, &a), QUARRY_OK);
    assert_int_equal(a.selection_notes, 0);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memos_round_trip),
        cmocka_unit_test(notes_of_another_tool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
