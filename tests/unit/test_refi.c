/*
 * test_refi.c -- REFI-QDA exchange: the model (UUID v5, code point maps,
 * colours, GUIDs), reading the test projects of tests/data/refi (multi-byte
 * text, CRLF line endings, two coders, nested codes, cases, notes, sets,
 * skipped pictures and links), inferring endPosition, the round trip
 * (every code, source, selection and coding kept; two exports
 * byte-identical), the .qdc codebook, and hostile input (zip bombs, paths
 * leaving their folder, selections past the end, dangling GUIDs, unknown
 * namespaces, DOCTYPEs, truncated archives), each refused with a message
 * naming the element.
 *
 * Outputs go to $QUARRY_REFI_OUT (the build tree; a fresh temporary
 * folder without it). When
 * $QUARRY_REFI_SCHEMA names Project.xsd, the exported project.qde is also
 * validated against it in process; tests/refi/tests.cmake runs xmllint on
 * the same file.
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
#include "quarry/project_browse.h"
#include "quarry/quarry.h"
#include "refi_io.h"
#include "refi_model.h"
#include "refi_project.h"
#include "test_files.h"
#include "../refi/refi_test_util.h"

#define DATA QUARRY_TEST_DATA_DIR "/refi"
#define SRC1 "5e1ec7ed-0000-4000-8000-000000000064"

/* Pack a test project folder (project.qde + the one source of basic/ and
 * exclusive/) into a .qdpx. */
static const char *pack(const char *dir, const char *name)
{
    char qde[1024], src[1024];
    const char *names[2] = {"project.qde", "sources/" SRC1 ".txt"};
    const char *datas[2];
    size_t lens[2];
    const char *path = test_out_path(name);
    snprintf(qde, sizeof(qde), "%s/%s/project.qde", DATA, dir);
    snprintf(src, sizeof(src), "%s/%s/sources/%s.txt", DATA, dir, SRC1);
    datas[0] = test_slurp(qde, &lens[0]);
    datas[1] = test_slurp(src, &lens[1]);
    make_zip(path, names, datas, lens, 2);
    free((void *)datas[0]);
    free((void *)datas[1]);
    return path;
}

static int has_notice(const refi_model *m, const char *needle)
{
    int32_t i;
    char buf[800];
    for (i = 0; i < m->n_notices; i++) {
        refi_notice_text(m, i, buf, sizeof(buf));
        if (strstr(buf, needle))
            return 1;
    }
    return 0;
}

static const char *sel_text(const refi_model *m, int32_t i, char *buf,
                            size_t cap)
{
    const refi_selection *s = &m->selections[i];
    const refi_source *src = &m->sources[s->source];
    size_t n = s->byte_end - s->byte_start;
    assert_true(n < cap);
    memcpy(buf, src->text + s->byte_start, n);
    buf[n] = '\0';
    return buf;
}

static int32_t find_sel(const refi_model *m, const char *guid)
{
    int32_t at = -1;
    assert_int_equal(refi_guid_find(m, guid, &at), REFI_K_SELECTION);
    return at;
}

static void expect_refused(const char *path, const quarry_refi_options *o,
                           int status, const char *want1, const char *want2);

/* ------------------------------------------------------------------ */

static void uuid5_matches_rfc4122(void **state)
{
    char out[37];
    refi_model m;
    const char *a, *b, *c;
    (void)state;
    /* The DNS namespace and "python.org", as Python's uuid.uuid5 gives. */
    refi_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", 10, out);
    assert_string_equal(out, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    refi_model_init(&m);
    a = refi_guid_for(&m, out, "code", "sup.peer");
    b = refi_guid_for(&m, out, "code", "sup.peer");
    c = refi_guid_for(&m, out, "source", "sup.peer");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(a[14], '5');
    refi_model_free(&m);
}

static void guids_and_colours(void **state)
{
    char g[37], c[8];
    (void)state;
    assert_int_equal(
        refi_guid_normalise("{0F1E2D3C-0000-4000-8000-00000000000A}", g), 0);
    assert_string_equal(g, "0f1e2d3c-0000-4000-8000-00000000000a");
    assert_int_equal(
        refi_guid_normalise("0f1e2d3c-0000-4000-8000-00000000000", g), -1);
    assert_int_equal(
        refi_guid_normalise("0f1e2d3c-0000-4000-8000_00000000000a", g), -1);
    assert_int_equal(
        refi_guid_normalise("{0f1e2d3c-0000-4000-8000-00000000000a", g), -1);
    assert_int_equal(refi_color_normalise("#c03", c), 0);
    assert_string_equal(c, "#CC0033");
    assert_int_equal(refi_color_normalise("#33aa33", c), 0);
    assert_string_equal(c, "#33AA33");
    assert_int_equal(refi_color_normalise("red", c), -1);
    assert_int_equal(refi_color_normalise("#12345", c), -1);
    assert_int_equal(refi_color_normalise("#GG0000", c), -1);
}

static void code_points_and_bytes(void **state)
{
    /* a, e-acute (2 bytes), CR, LF, an emoji (4 bytes), z */
    const char *t = "a\xC3\xA9\r\n\xF0\x9F\x98\x9Ez";
    refi_cpmap map;
    (void)state;
    assert_int_equal(refi_cpmap_init(&map, t, strlen(t)), 0);
    assert_int_equal(map.n_cp, 6);
    assert_int_equal(refi_cpmap_byte(&map, 0), 0);
    assert_int_equal(refi_cpmap_byte(&map, 2), 3);
    assert_int_equal(refi_cpmap_byte(&map, 3), 4); /* CR and LF: two */
    assert_int_equal(refi_cpmap_byte(&map, 5), 9);
    assert_int_equal(refi_cpmap_byte(&map, 6), 10);
    assert_int_equal(refi_cpmap_byte(&map, 7), (size_t)-1);
    assert_int_equal(refi_cpmap_cp(&map, 1), 1);
    assert_int_equal(refi_cpmap_cp(&map, 2), 1); /* inside e-acute */
    assert_int_equal(refi_cpmap_cp(&map, 8), 4);
    assert_int_equal(refi_cpmap_cp(&map, 10), 6);
    refi_cpmap_free(&map);
}

static void long_text_checkpoints(void **state)
{
    /* 300 two-byte characters: lookups cross several checkpoints. */
    char t[601];
    refi_cpmap map;
    int i;
    (void)state;
    for (i = 0; i < 300; i++) {
        t[2 * i] = (char)0xC3;
        t[2 * i + 1] = (char)0xBC;
    }
    t[600] = '\0';
    assert_int_equal(refi_cpmap_init(&map, t, 600), 0);
    for (i = 0; i <= 300; i++) {
        assert_int_equal(refi_cpmap_byte(&map, i), (size_t)(2 * i));
        assert_int_equal(refi_cpmap_cp(&map, (size_t)(2 * i)), i);
    }
    refi_cpmap_free(&map);
}

static void check_basic(const refi_model *m)
{
    char buf[256];
    int32_t i, coded = 0, whole = 0, code_at;
    assert_int_equal(m->n_users, 2);
    assert_string_equal(m->users[1].guid,
                        "0f1e2d3c-0000-4000-8000-000000000002");
    assert_string_equal(m->users[1].name, "Ben O'Neill & co");
    assert_int_equal(m->n_codes, 8);
    assert_string_equal(m->codes[0].name, "Emotional impacts");
    assert_false(m->codes[0].codable);
    assert_string_equal(m->codes[0].color, "#CC0033");
    assert_int_equal(m->codes[1].parent, 0);
    assert_string_equal(m->codes[1].description,
                        "Tiredness, \xE2\x80\x9C"
                        "burn-out\xE2\x80\x9D, exhaustion.");
    assert_int_equal(m->codes[5].parent, 4); /* Peer supervision */
    assert_int_equal(m->codes[4].parent, 3);
    assert_null(m->codes[4].color);
    assert_string_equal(m->codes[6].name, "Role ambiguity <unclear>");
    assert_int_equal(m->n_sources, 2); /* the picture is skipped */
    assert_int_equal(m->sources[0].text_len, 239);
    assert_non_null(strstr(m->sources[0].text, "Rolle?\r\nPeer"));
    /* Inline text keeps its CR (&#13;) */
    assert_non_null(strstr(m->sources[1].text, "\r\nA: Sometimes"));
    assert_int_equal(m->n_selections, 7);
    assert_string_equal(
        sel_text(m, find_sel(m, "5e1ec7ed-0000-4000-8000-0000000000c9"), buf,
                 sizeof(buf)),
        "Ich f\xC3\xBChle mich m\xC3\xBC"
        "de");
    assert_string_equal(
        sel_text(m, find_sel(m, "5e1ec7ed-0000-4000-8000-0000000000cb"), buf,
                 sizeof(buf)),
        "Sie verstehen meine Rolle nicht. \xF0\x9F\x98\x9E");
    assert_string_equal(
        sel_text(m, find_sel(m, "5e1ec7ed-0000-4000-8000-0000000000cc"), buf,
                 sizeof(buf)),
        "\xF0\x9F\x98\x9E Supervision hilft mir.\r\n");
    assert_string_equal(
        sel_text(m, find_sel(m, "5e1ec7ed-0000-4000-8000-0000000000ce"), buf,
                 sizeof(buf)),
        "\xE7\xB5\x8C\xE9\xA8\x93\xE3\x82\x92\xE5\x85\xB1\xE6\x9C\x89"
        "\xE3\x81\x99\xE3\x82\x8B\xE3\x81\xA8\xE3\x80\x81\xE3\x81\xA4"
        "\xE3\x81\xAA\xE3\x81\x8C\xE3\x82\x8A\xE3\x82\x92\xE6\x84\x9F"
        "\xE3\x81\x98\xE3\x81\xBE\xE3\x81\x99\xE3\x80\x82");
    for (i = 0; i < m->n_codings; i++) {
        if (m->codings[i].code < 0)
            continue;
        coded++;
        whole += m->codings[i].selection < 0;
    }
    assert_int_equal(coded, 10);
    assert_int_equal(whole, 1);
    /* Two coders on the same selection and code. */
    assert_int_equal(
        refi_guid_find(m, "5e1ec7ed-0000-4000-8000-000000000002", &code_at),
        REFI_K_CODE);
    assert_int_equal(m->codings[0].code, code_at);
    assert_int_equal(m->codings[1].code, code_at);
    assert_int_equal(m->codings[0].user, 0);
    assert_int_equal(m->codings[1].user, 1);
    assert_int_equal(m->n_cases, 1);
    assert_int_equal(m->n_variables, 2);
    assert_int_equal(m->variables[1].type, REFI_V_INTEGER);
    assert_int_equal(m->n_notes, 1);
    assert_string_equal(
        m->notes[0].text,
        "Fatigue and pride appear together.\r\nCheck interview 02.");
    assert_int_equal(m->n_sets, 1);
}

static int count_refs(const refi_model *m, refi_kind owner, refi_kind target)
{
    int32_t i;
    int n = 0;
    for (i = 0; i < m->n_refs; i++)
        n += m->refs[i].owner_kind == owner &&
             m->refs[i].target_kind == target && m->refs[i].target >= 0;
    return n;
}

static void reads_basic_project(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    refi_model_init(&m);
    if (refi_read_file(&m, pack("basic", "basic.qdpx"), &o) != 0)
        fail_msg("%s", m.errmsg);
    check_basic(&m);
    assert_true(m.end_inclusive);
    assert_true(m.votes_inclusive >= 5);
    assert_int_equal(m.votes_exclusive, 0);
    assert_false(m.crlf_one);
    assert_true(m.votes_crlf_two >= 3);
    assert_int_equal(m.votes_crlf_one, 0);
    assert_true(has_notice(&m, "skipped PictureSource"));
    assert_true(has_notice(&m, "skipped Links"));
    assert_true(has_notice(&m, "read as inclusive"));
    /* The case's SelectionRef to the picture's selection is dropped
     * quietly; the one to a text selection is kept. */
    assert_int_equal(count_refs(&m, REFI_K_CASE, REFI_K_SELECTION), 1);
    assert_int_equal(count_refs(&m, REFI_K_SET, REFI_K_CODE), 2);
    assert_int_equal(count_refs(&m, REFI_K_SOURCE, REFI_K_NOTE), 1);
    assert_false(has_notice(&m, "dangling"));
    refi_model_free(&m);
}

static void reads_unpacked_project(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    refi_model_init(&m);
    if (refi_read_file(&m, DATA "/basic/project.qde", &o) != 0)
        fail_msg("%s", m.errmsg);
    check_basic(&m);
    refi_model_free(&m);
}

/* Every prefix of a project.qde: refused cleanly or read, never a crash
 * (the sanitizer build checks the memory). */
static void truncated_anywhere(void **state)
{
    size_t len, cut, refused = 0;
    char *qde = test_slurp(DATA "/basic/project.qde", &len);
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    for (cut = 0; cut < len; cut += 7) {
        refi_model m;
        refi_model_init(&m);
        if (refi_read_qde_buffer(&m, qde, cut, "cut.qde", DATA "/basic", &o) !=
            0) {
            assert_true(m.errmsg[0] != '\0');
            refused++;
        }
        refi_model_free(&m);
    }
    assert_true(refused > len / 7 - 2);
    free(qde);
}

static void infers_exclusive_ends(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char buf[256];
    (void)state;
    refi_model_init(&m);
    if (refi_read_file(&m, pack("exclusive", "exclusive.qdpx"), &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_false(m.end_inclusive);
    assert_true(m.votes_exclusive >= 5);
    check_basic(&m); /* the same texts under either convention */
    refi_model_free(&m);

    /* An override wins over the votes: the inclusive file read as
     * exclusive loses one character from every selection... */
    o.end = QUARRY_REFI_END_EXCLUSIVE;
    refi_model_init(&m);
    if (refi_read_file(&m, test_out_path("basic.qdpx"), &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_false(m.end_inclusive);
    assert_string_equal(
        sel_text(&m, find_sel(&m, "5e1ec7ed-0000-4000-8000-0000000000c9"), buf,
                 sizeof(buf)),
        "Ich f\xC3\xBChle mich m\xC3\xBC"
        "d");
    refi_model_free(&m);
    /* ...and the exclusive file read as inclusive runs past the end. */
    o.end = QUARRY_REFI_END_INCLUSIVE;
    expect_refused(
        test_out_path("exclusive.qdpx"), &o, QUARRY_ERANGE,
        "PlainTextSelection guid \"5e1ec7ed-0000-4000-8000-0000000000cc\"",
        "past the end of the text of \"interview-01 (Deutsch).txt\"");
}

static void same_models(const refi_model *a, const refi_model *b)
{
    int32_t i;
    char x[256], y[256];
    assert_int_equal(a->n_users, b->n_users);
    assert_int_equal(a->n_codes, b->n_codes);
    for (i = 0; i < a->n_codes; i++) {
        assert_string_equal(a->codes[i].guid, b->codes[i].guid);
        assert_string_equal(a->codes[i].name, b->codes[i].name);
        assert_int_equal(a->codes[i].parent, b->codes[i].parent);
        assert_int_equal(a->codes[i].codable, b->codes[i].codable);
        assert_true((a->codes[i].color == NULL) == (b->codes[i].color == NULL));
        if (a->codes[i].color)
            assert_string_equal(a->codes[i].color, b->codes[i].color);
        assert_true((a->codes[i].description == NULL) ==
                    (b->codes[i].description == NULL));
    }
    assert_int_equal(a->n_sources, b->n_sources);
    for (i = 0; i < a->n_sources; i++) {
        assert_string_equal(a->sources[i].guid, b->sources[i].guid);
        assert_string_equal(a->sources[i].name, b->sources[i].name);
        assert_int_equal(a->sources[i].text_len, b->sources[i].text_len);
        assert_memory_equal(a->sources[i].text, b->sources[i].text,
                            a->sources[i].text_len);
    }
    assert_int_equal(a->n_selections, b->n_selections);
    for (i = 0; i < a->n_selections; i++) {
        assert_string_equal(a->selections[i].guid, b->selections[i].guid);
        assert_int_equal(a->selections[i].start, b->selections[i].start);
        assert_int_equal(a->selections[i].end, b->selections[i].end);
        assert_int_equal(a->selections[i].user, b->selections[i].user);
        assert_string_equal(sel_text(a, i, x, sizeof(x)),
                            sel_text(b, i, y, sizeof(y)));
    }
    for (i = 0; i < a->n_codings && i < b->n_codings; i++) {
        assert_string_equal(a->codings[i].guid, b->codings[i].guid);
        assert_int_equal(a->codings[i].code, b->codings[i].code);
        assert_int_equal(a->codings[i].user, b->codings[i].user);
        assert_int_equal(a->codings[i].selection, b->codings[i].selection);
    }
    assert_int_equal(a->n_codings, b->n_codings);
    assert_int_equal(a->n_cases, b->n_cases);
    assert_int_equal(a->n_variables, b->n_variables);
    assert_int_equal(a->n_notes, b->n_notes);
    assert_int_equal(a->n_sets, b->n_sets);
    assert_int_equal(count_refs(a, REFI_K_SET, REFI_K_CODE),
                     count_refs(b, REFI_K_SET, REFI_K_CODE));
    assert_int_equal(count_refs(a, REFI_K_CASE, REFI_K_SELECTION),
                     count_refs(b, REFI_K_CASE, REFI_K_SELECTION));
}

static void round_trip_keeps_everything(void **state)
{
    refi_model a, b, c;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char *x, *y, *qde;
    size_t xl, yl, ql;
    const char *p1 = test_out_path("roundtrip-1.qdpx"),
               *p2 = test_out_path("roundtrip-2.qdpx");
    FILE *f;
    (void)state;
    refi_model_init(&a);
    if (refi_read_file(&a, pack("basic", "basic.qdpx"), &o) != 0)
        fail_msg("%s", a.errmsg);
    if (refi_write_qdpx(&a, p1, &o) != 0)
        fail_msg("%s", a.errmsg);
    if (refi_write_qdpx(&a, p2, &o) != 0)
        fail_msg("%s", a.errmsg);
    x = test_slurp(p1, &xl);
    y = test_slurp(p2, &yl);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);

    refi_model_init(&b);
    if (refi_read_file(&b, p1, &o) != 0)
        fail_msg("%s", b.errmsg);
    same_models(&a, &b);
    assert_true(b.end_inclusive);
    assert_int_equal(b.votes_exclusive, 0);

    /* The same project with inline texts: CR survives as &#13;. */
    assert_int_equal(refi_write_qde(&a, &o, 1, &qde, &ql), 0);
    assert_null(strstr(qde, "\xEF\xBB\xBF"));
    assert_memory_equal(qde, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38);
    refi_model_init(&c);
    if (refi_read_qde_buffer(&c, qde, ql, "inline.qde", NULL, &o) != 0)
        fail_msg("%s", c.errmsg);
    same_models(&a, &c);
    free(qde);

    /* The exported project.qde (with internal:// paths) for the schema. */
    assert_int_equal(refi_write_qde(&a, &o, 0, &qde, &ql), 0);
    f = fopen(test_out_path("export-project.qde"), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(qde, 1, ql, f), ql);
    fclose(f);
    free(qde);
    validate_schema(test_out_path("export-project.qde"));

    /* Exclusive ends on the way out, read back by inference. */
    refi_model_free(&b);
    refi_model_init(&b);
    o.end = QUARRY_REFI_END_EXCLUSIVE;
    assert_int_equal(refi_write_qdpx(&a, p2, &o), 0);
    o.end = QUARRY_REFI_END_AUTO;
    if (refi_read_file(&b, p2, &o) != 0)
        fail_msg("%s", b.errmsg);
    assert_false(b.end_inclusive);
    same_models(&a, &b);

    refi_model_free(&a);
    refi_model_free(&b);
    refi_model_free(&c);
}

static void codebook_qdc(void **state)
{
    refi_model a, b;
    char *x, *y;
    size_t xl, yl;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    refi_model_init(&a);
    if (refi_read_file(&a, DATA "/codebook.qdc", &o) != 0)
        fail_msg("%s", a.errmsg);
    assert_int_equal(a.n_codes, 8);
    assert_int_equal(a.codes[5].parent, 4);
    assert_int_equal(a.n_sets, 1);
    assert_int_equal(count_refs(&a, REFI_K_SET, REFI_K_CODE), 2);
    assert_int_equal(refi_write_qdc(&a, &x, &xl), 0);
    assert_non_null(strstr(x, "xmlns=\"urn:QDA-XML:codebook:1.0\""));
    assert_non_null(strstr(x, "<MemberCode guid="));
    assert_non_null(strstr(x, "name=\"Role ambiguity &lt;unclear&gt;\""));
    refi_model_init(&b);
    if (refi_read_qdc_buffer(&b, x, xl, "again.qdc", &o) != 0)
        fail_msg("%s", b.errmsg);
    assert_int_equal(refi_write_qdc(&b, &y, &yl), 0);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
    refi_model_free(&a);
    refi_model_free(&b);

    /* An empty codebook is not valid REFI-QDA: refused on the way out. */
    refi_model_init(&a);
    assert_int_equal(refi_write_qdc(&a, &x, &xl), QUARRY_EINVAL);
    refi_model_free(&a);

    /* "codebook:0:4" (as some tools write it) is read, with a notice. */
    refi_model_init(&a);
    {
        const char *q = "<CodeBook xmlns=\"urn:QDA-XML:codebook:0:4\"><Codes>"
                        "<Code guid=\"5e1ec7ed-0000-4000-8000-000000000001\" "
                        "name=\"A\" isCodable=\"true\"/></Codes></CodeBook>";
        assert_int_equal(refi_read_qdc_buffer(&a, q, strlen(q), "old.qdc", &o),
                         0);
        assert_true(has_notice(&a, "read as urn:QDA-XML:codebook:1.0"));
    }
    refi_model_free(&a);
}

/* ------------------------------------------------------------------ */
/* Hostile input                                                       */

#define HEAD "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\">"
#define CODES                                                                  \
    "<CodeBook><Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" "    \
    "name=\"c\" isCodable=\"true\"/></Codes></CodeBook>"
#define SRC_OPEN                                                               \
    "<Sources><TextSource guid=\"00000000-0000-4000-8000-000000000002\" "      \
    "name=\"s\">"

static void expect_refused(const char *path, const quarry_refi_options *o,
                           int status, const char *want1, const char *want2)
{
    refi_model m;
    int rc;
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    refi_model_init(&m);
    rc = refi_read_file(&m, path, o ? o : &def);
    if (rc == 0)
        fail_msg("%s was accepted", path);
    if (status != 0)
        assert_int_equal(rc, status);
    if (strstr(m.errmsg, want1) == NULL ||
        (want2 != NULL && strstr(m.errmsg, want2) == NULL))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", m.errmsg, want1,
                 want2 ? want2 : "");
    refi_model_free(&m);
}

static void refuses_zip_bomb(void **state)
{
    /* Over the floor (64 MiB) under which the ratio alone never refuses. */
    size_t n = (size_t)QUARRY_REFI_RATIO_FLOOR + (1u << 20);
    char *zeros = calloc(1, n);
    const char *names[2] = {"project.qde", "sources/x.txt"};
    const char *datas[2] = {
        HEAD "<Sources><TextSource guid=\"00000000-0000-4000-8000-"
             "000000000002\" plainTextPath=\"internal://x.txt\"/></Sources>"
             "</Project>",
        zeros};
    size_t lens[2] = {strlen(datas[0]), n};
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    assert_non_null(zeros);
    make_zip(test_out_path("bomb.qdpx"), names, datas, lens, 2);
    free(zeros);
    expect_refused(test_out_path("bomb.qdpx"), NULL, QUARRY_ERANGE,
                   "sources/x.txt", "zip bomb");
    /* Lower limits: an entry over max_entry_bytes, a total over the cap. */
    o.max_ratio = 100000;
    o.max_entry_bytes = 1u << 20;
    expect_refused(test_out_path("bomb.qdpx"), &o, QUARRY_ERANGE,
                   "sources/x.txt", "over the limit");
    o.max_entry_bytes = 0;
    o.max_total_bytes = 1u << 20;
    expect_refused(test_out_path("bomb.qdpx"), &o, QUARRY_ERANGE,
                   "uncompressed", "over the limit");
}

static void refuses_escaping_paths(void **state)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    expect_refused(
        zip_qde("escape1.qdpx",
                HEAD SRC_OPEN "</TextSource></Sources></Project>", NULL, NULL),
        NULL, QUARRY_EPARSE, "TextSource", "neither PlainTextContent");
    expect_refused(
        zip_qde("escape2.qdpx",
                HEAD "<Sources><TextSource guid=\"00000000-0000-4000-8000-"
                     "000000000002\" plainTextPath=\"internal://../../etc/"
                     "passwd\"/></Sources></Project>",
                NULL, NULL),
        NULL, QUARRY_EPARSE, ":1: TextSource", "leaves the sources folder");
    expect_refused(
        zip_qde("escape3.qdpx",
                HEAD "<Sources><TextSource guid=\"00000000-0000-4000-8000-"
                     "000000000002\" plainTextPath=\"texts/../../x.txt\"/>"
                     "</Sources></Project>",
                NULL, NULL),
        NULL, QUARRY_EPARSE, "TextSource", "leaves the project's folder");
    expect_refused(
        zip_qde("escape4.qdpx",
                HEAD "<Sources><TextSource guid=\"00000000-0000-4000-8000-"
                     "000000000002\" plainTextPath=\"file:///etc/hostname\"/>"
                     "</Sources></Project>",
                NULL, NULL),
        &o, QUARRY_EPARSE, "TextSource", "is outside the archive; not read");
    expect_refused(
        zip_qde("escape5.qdpx",
                HEAD "<Sources><TextSource guid=\"00000000-0000-4000-8000-"
                     "000000000002\" plainTextPath=\"internal://nothere.txt\"/>"
                     "</Sources></Project>",
                "sources/other.txt", "x"),
        NULL, QUARRY_ENOTFOUND, "TextSource",
        "tried sources/nothere.txt in the archive, nothere.txt in the archive");
}

static void refuses_bad_selections(void **state)
{
    (void)state;
    expect_refused(
        zip_qde(
            "past-end.qdpx",
            HEAD CODES SRC_OPEN
            "<PlainTextContent>short</PlainTextContent>\n"
            "<PlainTextSelection guid=\"00000000-0000-4000-8000-00000000000a\" "
            "startPosition=\"2\" endPosition=\"6\"/>"
            "</TextSource></Sources></Project>",
            NULL, NULL),
        NULL, QUARRY_ERANGE,
        ":2: PlainTextSelection guid \"00000000-0000-4000-8000-00000000000a\"",
        "past the end");
    expect_refused(
        zip_qde(
            "backwards.qdpx",
            HEAD CODES SRC_OPEN
            "<PlainTextContent>short</PlainTextContent>"
            "<PlainTextSelection guid=\"00000000-0000-4000-8000-00000000000a\" "
            "startPosition=\"3\" endPosition=\"1\"/>"
            "</TextSource></Sources></Project>",
            NULL, NULL),
        NULL, QUARRY_EPARSE, "PlainTextSelection", "after endPosition");
    expect_refused(
        zip_qde(
            "notnumber.qdpx",
            HEAD CODES SRC_OPEN
            "<PlainTextContent>short</PlainTextContent>"
            "<PlainTextSelection guid=\"00000000-0000-4000-8000-00000000000a\" "
            "startPosition=\"x1\" endPosition=\"1\"/>"
            "</TextSource></Sources></Project>",
            NULL, NULL),
        NULL, QUARRY_EPARSE, "PlainTextSelection", "startPosition \"x1\"");
}

static void refuses_dangling_and_duplicate_guids(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    const char *ok;
    (void)state;
    expect_refused(
        zip_qde("dangling.qdpx",
                HEAD CODES SRC_OPEN
                "<PlainTextContent>short</PlainTextContent>"
                "<Coding guid=\"00000000-0000-4000-8000-00000000000b\">\n"
                "<CodeRef targetGUID=\"00000000-0000-4000-8000-0000000000ff\"/>"
                "</Coding></TextSource></Sources></Project>",
                NULL, NULL),
        NULL, QUARRY_EPARSE, ":2: CodeRef", "names no Code");
    expect_refused(
        zip_qde("duplicate.qdpx",
                HEAD
                "<CodeBook><Codes><Code "
                "guid=\"00000000-0000-4000-8000-000000000001\" "
                "name=\"c\" isCodable=\"true\"/><Code "
                "guid=\"{00000000-0000-4000-8000-000000000001}\" "
                "name=\"d\" isCodable=\"true\"/></Codes></CodeBook></Project>",
                NULL, NULL),
        NULL, QUARRY_EPARSE, "Code", "already used");
    /* Dangling users and set members are repaired, with a notice. */
    ok =
        zip_qde("repaired.qdpx",
                HEAD CODES SRC_OPEN
                "<PlainTextContent>short</PlainTextContent>"
                "<Coding guid=\"00000000-0000-4000-8000-00000000000b\" "
                "creatingUser=\"00000000-0000-4000-8000-0000000000ee\">"
                "<CodeRef targetGUID=\"00000000-0000-4000-8000-000000000001\"/>"
                "</Coding></TextSource></Sources><Sets><Set guid=\"00000000-"
                "0000-4000-8000-00000000000c\" name=\"s\"><MemberCode "
                "targetGUID=\"00000000-0000-4000-8000-0000000000dd\"/></Set>"
                "</Sets></Project>",
                NULL, NULL);
    refi_model_init(&m);
    if (refi_read_file(&m, ok, &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_int_equal(m.codings[0].user, -1);
    assert_true(has_notice(&m, "names no User"));
    assert_true(has_notice(&m, "MemberCode: targetGUID"));
    assert_int_equal(count_refs(&m, REFI_K_SET, REFI_K_CODE), 0);
    refi_model_free(&m);
}

static void refuses_unknown_namespace_and_bad_xml(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    const char *ok;
    (void)state;
    expect_refused(zip_qde("ns.qdpx",
                           "<Project xmlns=\"urn:example:other\" name=\"p\"/>",
                           NULL, NULL),
                   NULL, QUARRY_EPARSE, "Project", "unknown namespace");
    expect_refused(zip_qde("root.qdpx", "<Codebook/>", NULL, NULL), NULL,
                   QUARRY_EPARSE, "root element is Codebook", NULL);
    expect_refused(
        zip_qde("truncated-xml.qdpx", HEAD "\n<Users><User guid=", NULL, NULL),
        NULL, QUARRY_EPARSE, "project.qde:2: malformed XML", NULL);
    expect_refused(
        zip_qde("doctype.qdpx",
                "<?xml version=\"1.0\"?><!DOCTYPE Project [<!ENTITY a "
                "\"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>" HEAD
                "<Description>&b;</Description></Project>",
                NULL, NULL),
        NULL, QUARRY_EPARSE, "DOCTYPE", NULL);
    expect_refused(zip_qde("noqde.qdpx", "x", NULL, NULL), NULL, 0,
                   "malformed XML", NULL);
    {
        /* A truncated archive. */
        size_t len;
        char *z = test_slurp(pack("basic", "whole.qdpx"), &len);
        FILE *f = fopen(test_out_path("cut.qdpx"), "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(z, 1, len / 2, f), len / 2);
        fclose(f);
        free(z);
        expect_refused(test_out_path("cut.qdpx"), NULL, QUARRY_EPARSE,
                       "not a readable .qdpx", NULL);
    }
    /* Foreign elements inside are skipped with a notice naming them. */
    ok = zip_qde("foreign.qdpx",
                 "<Project xmlns=\"urn:QDA-XML:project:1.0\" xmlns:x=\"urn:x\" "
                 "name=\"p\"><x:Extension/>" CODES "</Project>",
                 NULL, NULL);
    refi_model_init(&m);
    if (refi_read_file(&m, ok, &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_int_equal(m.n_codes, 1);
    assert_true(has_notice(&m, "Extension in the unknown namespace \"urn:x\""));
    refi_model_free(&m);
}

static void repairs_text(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    /* Latin-1 bytes in a source file, a BOM in another, a malformed GUID
     * and a #RGB colour. */
    const char *names[3] = {"project.qde", "sources/a.txt", "sources/b.txt"};
    const char *datas[3] = {
        HEAD
        "<CodeBook><Codes><Code guid=\"code-1\" name=\"c\" "
        "isCodable=\"true\" color=\"#abc\"/></Codes></CodeBook>"
        "<Sources><TextSource guid=\"00000000-0000-4000-8000-000000000002\" "
        "plainTextPath=\"internal://a.txt\"><PlainTextSelection "
        "guid=\"00000000-0000-4000-8000-00000000000a\" startPosition=\"0\" "
        "endPosition=\"2\"><Coding guid=\"00000000-0000-4000-8000-"
        "00000000000b\"><CodeRef targetGUID=\"code-1\"/></Coding>"
        "</PlainTextSelection></TextSource>"
        "<TextSource guid=\"00000000-0000-4000-8000-000000000003\" "
        "plainTextPath=\"internal://b.txt\"/></Sources></Project>",
        "caf\xE9 ok", "\xEF\xBB\xBFhello"};
    size_t lens[3] = {strlen(datas[0]), strlen(datas[1]), strlen(datas[2])};
    (void)state;
    make_zip(test_out_path("repair.qdpx"), names, datas, lens, 3);
    refi_model_init(&m);
    if (refi_read_file(&m, test_out_path("repair.qdpx"), &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_string_equal(m.sources[0].text, "caf\xEF\xBF\xBD ok");
    assert_int_equal(m.sources[0].n_cp, 7);
    assert_string_equal(m.sources[1].text, "hello");
    assert_true(has_notice(&m, "not valid UTF-8 from byte 3"));
    assert_true(has_notice(&m, "byte-order mark"));
    assert_true(has_notice(&m, "\"code-1\" is not a GUID"));
    assert_int_equal(m.codes[0].guid[14], '5');
    assert_string_equal(m.codes[0].color, "#AABBCC");
    assert_int_equal(m.codings[0].code, 0);
    refi_model_free(&m);
}

/* ------------------------------------------------------------------ */
/* Projects                                                            */

typedef struct rows {
    char buf[16384];
    int n;
} rows;

static int collect(void *ctx, const quarry_coding_row *r)
{
    rows *w = ctx;
    size_t l = strlen(w->buf);
    snprintf(w->buf + l, sizeof(w->buf) - l, "%s|%s|%s|%s|%s\n", r->code,
             r->coder, r->origin, r->speaker ? r->speaker : "-", r->text);
    w->n++;
    return 0;
}

static int count_notices;
static void on_notice(void *ctx, int level, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)msg;
    count_notices++;
}

static void project_import_export(void **state)
{
    quarry_project *p = new_project("imported.quarry"), *q;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    quarry_project_counts n;
    rows a, b;
    char *x, *y;
    size_t xl, yl;
    const char *e1 = test_out_path("from-project-1.qdpx"),
               *e2 = test_out_path("from-project-2.qdpx");
    (void)state;
    o.notice = on_notice;
    count_notices = 0;
    if (quarry_project_import_qdpx(p, pack("basic", "basic.qdpx"), &o, &st) !=
        0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_true(count_notices > 0);
    assert_int_equal(st.sources, 2);
    assert_int_equal(st.excerpts, 8); /* 7 selections and one whole source */
    assert_int_equal(st.codings, 10);
    assert_int_equal(st.codes, 8);
    assert_int_equal(st.coders, 2);
    assert_int_equal(quarry_project_count(p, &n), 0);
    assert_int_equal(n.codings, 10);
    assert_int_equal(n.codes, 8);
    memset(&a, 0, sizeof(a));
    assert_int_equal(quarry_project_codings(p, collect, &a), 0);
    assert_non_null(strstr(a.buf,
                           "Fatigue|Ana M\xC3\xBCller|imported|Participant "
                           "P01|Ich f\xC3\xBChle mich m\xC3\xBC"
                           "de\n"));
    assert_non_null(strstr(a.buf, "Fatigue|Ben O'Neill & co|imported|"));
    assert_non_null(strstr(
        a.buf, "Supervision|Ana M\xC3\xBCller|imported|-|\xF0\x9F\x98\x9E "
               "Supervision hilft mir.\r\n"));

    /* Importing the same file again is refused, and changes nothing. */
    assert_int_equal(
        quarry_project_import_qdpx(p, test_out_path("basic.qdpx"), &o, &st),
        QUARRY_EDUP);
    assert_non_null(strstr(quarry_project_errmsg(p), "already in the project"));
    assert_int_equal(quarry_project_count(p, &n), 0);
    assert_int_equal(n.codings, 10);
    assert_int_equal(n.sources, 2);

    /* A hostile file changes nothing either. */
    assert_int_not_equal(
        quarry_project_import_qdpx(p, test_out_path("past-end.qdpx"), &o, &st), 0);
    assert_non_null(strstr(quarry_project_errmsg(p), "past the end"));
    assert_int_equal(quarry_project_count(p, &n), 0);
    assert_int_equal(n.sources, 2);

    /* Two exports of the unchanged project are byte-identical. */
    if (quarry_project_export_qdpx(p, e1, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_export_qdpx(p, e2, &o), 0);
    x = test_slurp(e1, &xl);
    y = test_slurp(e2, &yl);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
    write_qde_of(e1, test_out_path("export-from-project.qde"));
    validate_schema(test_out_path("export-from-project.qde"));

    /* Round trip through a second project: the same codings. */
    q = new_project("reimported.quarry");
    if (quarry_project_import_qdpx(q, e1, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    memset(&b, 0, sizeof(b));
    assert_int_equal(quarry_project_codings(q, collect, &b), 0);
    assert_int_equal(a.n, b.n);
    assert_string_equal(a.buf, b.buf);
    quarry_project_free(q);
    quarry_project_free(p);
}

static void project_suggestions_export(void **state)
{
    quarry_project *p = new_project("suggested.quarry"), *q;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    char *x;
    size_t xl;
    rows a;
    const char *e = test_out_path("suggested.qdpx");
    (void)state;
    if (quarry_project_import_qdpx(p, pack("basic", "basic.qdpx"), &o, &st) !=
        0)
        fail_msg("%s", quarry_project_errmsg(p));
    /* A run with two suggestions: one pending, one already coded. */
    assert_int_equal(
        project_exec(
            p,
            "INSERT INTO runs(id, command, started_at, quarry_version, plugins,"
            " options) VALUES(1, 'quarry suggest', '2026-01-31T12:00:00Z', "
            "'0.1.0',"
            " '[]', '{}');"
            "INSERT INTO suggestions(run_id, excerpt_id, code_id, rank, score,"
            " confidence, abstain, evidence) SELECT 1, e.id, k.id, 1, 0.81, "
            "0.64, 0,"
            " '{\"terms\":[{\"term\":\"rolle\",\"weight\":0.2}],\"neighbours\":"
            "[{\"id\":\"x1\",\"score\":0.9}]}' FROM excerpts e, codes k"
            " WHERE e.xid LIKE 'interview-02.txt@46-81' AND k.code = 'Pride "
            "(2)'"
            " UNION ALL SELECT 1, e.id, k.id, 2, 0.5, 0.2, 0, '{}' FROM "
            "excerpts e,"
            " codes k WHERE e.xid = 'interview-02.txt@46-81' AND k.code = "
            "'Role ambiguity <unclear>';"),
        0);
    /* 'Pride (2)' does not exist: use Fatigue for the pending one. */
    assert_int_equal(
        project_exec(
            p,
            "INSERT INTO suggestions(run_id, excerpt_id, code_id, rank, score,"
            " confidence, abstain, evidence) SELECT 1, e.id, k.id, 1, 0.81, "
            "0.64, 0,"
            " '{\"terms\":[{\"term\":\"rolle\",\"weight\":0.2}],\"neighbours\":"
            "[{\"id\":\"x1\",\"score\":0.9}]}' FROM excerpts e, codes k"
            " WHERE e.xid = 'interview-02.txt@46-81' AND k.code = 'Fatigue';"),
        0);
    if (quarry_project_export_qdpx(p, e, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    write_qde_of(e, test_out_path("export-suggested.qde"));
    validate_schema(test_out_path("export-suggested.qde"));
    x = test_slurp(test_out_path("export-suggested.qde"), &xl);
    assert_non_null(strstr(x, "name=\"" REFI_SUGGESTION_USER "\""));
    assert_non_null(
        strstr(x, "quarry suggestion (run 1), rank 1: Fatigue (Fatigue), score "
                  "0.810, confidence 0.640; terms: rolle (0.200); nearest "
                  "coded excerpts: x1 (0.900)"));
    /* The coded one is not pending. */
    assert_null(strstr(x, "rank 2: Role ambiguity"));
    assert_non_null(strstr(x, "quarry: pending review"));
    free(x);
    /* Rejected, it is no longer pending; the reject undone, it is again
     * (an undone decision decides nothing). */
    {
        quarry_decision d = QUARRY_DECISION_INIT;
        const char *undone = NULL;
        static char keep[1024]; /* test_out_path reuses its buffers */
        const char *e2;
        snprintf(keep, sizeof keep, "%s", e);
        e = keep;
        e2 = test_out_path("suggested-rejected.qdpx");
        d.excerpt = "interview-02.txt@46-81";
        d.verdict = QUARRY_VERDICT_REJECT;
        d.code = "Fatigue";
        d.coder = "ana";
        if (quarry_project_decide(p, &d, NULL) != QUARRY_OK)
            fail_msg("%s", quarry_project_errmsg(p));
        if (quarry_project_export_qdpx(p, e2, &o) != 0)
            fail_msg("%s", quarry_project_errmsg(p));
        write_qde_of(e2, test_out_path("export-rejected.qde"));
        x = test_slurp(test_out_path("export-rejected.qde"), &xl);
        assert_null(strstr(x, "rank 1: Fatigue"));
        free(x);
        assert_int_equal(quarry_project_undo(p, "ana", &undone), QUARRY_OK);
        assert_non_null(undone);
        if (quarry_project_export_qdpx(p, e2, &o) != 0)
            fail_msg("%s", quarry_project_errmsg(p));
        write_qde_of(e2, test_out_path("export-undone.qde"));
        x = test_slurp(test_out_path("export-undone.qde"), &xl);
        assert_non_null(strstr(x, "rank 1: Fatigue"));
        free(x);
    }
    /* Re-imported: the suggestion is not a coding. */
    q = new_project("suggested-again.quarry");
    count_notices = 0;
    o.notice = on_notice;
    if (quarry_project_import_qdpx(q, e, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    assert_int_equal(st.codings, 10);
    memset(&a, 0, sizeof(a));
    assert_int_equal(quarry_project_codings(q, collect, &a), 0);
    assert_null(strstr(a.buf, REFI_SUGGESTION_USER));
    quarry_project_free(q);
    quarry_project_free(p);
}

static char *table(quarry_project *p, int (*fn)(quarry_project *, FILE *))
{
    const char *path = test_out_path("table.csv");
    FILE *f = fopen(path, "wb");
    size_t len;
    assert_non_null(f);
    if (fn(p, f) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    fclose(f);
    return test_slurp(path, &len);
}

/* The tables over every coder, in the shape table() takes. */
static int matrix_all(quarry_project *p, FILE *f)
{
    return quarry_project_export_matrix(p, f, NULL);
}

static int cooccurrence_all(quarry_project *p, FILE *f)
{
    return quarry_project_export_cooccurrence(p, f, NULL);
}

static int quotes_all(quarry_project *p, FILE *f)
{
    return quarry_project_export_quotes(p, f, NULL);
}

static void project_tables_and_codebook(void **state)
{
    quarry_project *p = new_project("tables.quarry");
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    char *t;
    int32_t added = -1, updated = -1;
    (void)state;
    if (quarry_project_import_qdpx(p, pack("basic", "basic.qdpx"), &o, &st) !=
        0)
        fail_msg("%s", quarry_project_errmsg(p));
    t = table(p, matrix_all);
    assert_memory_equal(
        t,
        "excerpt,source,speaker,Emotional impacts,Fatigue,Pride,"
        "Sources of support,Supervision,Peer supervision,"
        "Role ambiguity <unclear>,Connection (\xE3\x81\xA4\xE3\x81\xAA"
        "\xE3\x81\x8C\xE3\x82\x8A)\n",
        150);
    assert_non_null(strstr(t, "\ninterview-01 (Deutsch).txt@0-232,interview-01 "
                              "(Deutsch).txt,,0,0,0,1,0,0,0,0,"));
    free(t);
    t = table(p, cooccurrence_all);
    /* Supervision and Peer supervision share one excerpt; Fatigue is on one. */
    assert_non_null(strstr(t, "\nSupervision,0,0,0,0,1,1,0,0\n"));
    assert_non_null(strstr(t, "\nFatigue,0,1,0,0,0,0,0,0\n"));
    free(t);
    t = table(p, quotes_all);
    assert_memory_equal(t, "code,name,theme,coder,study,participant,speaker,"
                           "source,excerpt,text,", 68);
    assert_non_null(strstr(
        t,
        "Participant P01,interview-01 (Deutsch).txt,interview-01 (Deutsch)"
        ".txt@55-74,Ich f\xC3\xBChle mich m\xC3\xBC" "de,"));
    /* Line breaks joined: a quotation is one line. */
    assert_non_null(strstr(t, ",\xF0\x9F\x98\x9E Supervision hilft mir.,"));
    free(t);

    /* The codebook out as .qdc and back in: every code matched. */
    t = table(p, quarry_project_export_qdc);
    assert_non_null(strstr(t, "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\""));
    free(t);
    if (quarry_project_import_qdc(p, test_out_path("table.csv"), &o, &added,
                                  &updated) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(added, 0);
    assert_int_equal(updated, 8);
    /* A codebook from elsewhere: matched by name. */
    if (quarry_project_import_qdc(p, DATA "/codebook.qdc", &o, &added,
                                  &updated) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(added, 0);
    assert_int_equal(updated, 8);
    quarry_project_free(p);

    /* An empty project has no codebook to export. */
    p = new_project("empty.quarry");
    {
        FILE *f = fopen(test_out_path("empty.qdc"), "wb");
        assert_int_equal(quarry_project_export_qdc(p, f), QUARRY_EINVAL);
        fclose(f);
    }
    quarry_project_free(p);
}

/* A code's include and exclude notes go into its Description as
 * "Include:" and "Exclude:" paragraphs, where NVivo, ATLAS.ti and MAXQDA
 * show them (a .qdc has no field for them), and a .qdc read back gives
 * the notes again, the definition without them. */
static int take_notes(void *ctx, const quarry_code_notes *n)
{
    char *out = ctx;
    /* (read back, the code's id is its name, as from NVivo) */
    if (strcmp(n->code, "peers") == 0 || strcmp(n->code, "Peers") == 0)
        snprintf(out, 256, "%s|%s", n->include ? n->include : "-",
                 n->exclude ? n->exclude : "-");
    return 0;
}

static void code_notes_in_description(void **state)
{
    quarry_project *p = new_project("notes.quarry"), *q;
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    int32_t added = 0, updated = 0;
    char notes[256] = "", *t;
    size_t len;
    FILE *f;
    (void)state;
    e.coder = "ana";
    e.id = "peers";
    e.name = "Peers";
    e.definition = "Other peer workers.\n\nWho get it.";
    if (quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    e.code = "peers";
    e.definition = NULL;
    e.include = "talk of peers";
    e.exclude = "family\n\nand friends";
    if (quarry_project_code_edit(p, QUARRY_CODE_DEFINE, &e, NULL) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    f = fopen(test_out_path("notes.qdc"), "wb");
    assert_non_null(f);
    if (quarry_project_export_qdc(p, f) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    fclose(f);
    t = test_slurp(test_out_path("notes.qdc"), &len);
    assert_non_null(strstr(t, "<Description>Other peer workers.\n\nWho get "
                              "it.\n\nInclude: talk of peers\n\nExclude: "
                              "family\n\nand friends</Description>"));
    free(t);
    q = new_project("notes-back.quarry");
    if (quarry_project_import_qdc(q, test_out_path("notes.qdc"), &o, &added,
                                  &updated) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(q));
    assert_int_equal(added, 1);
    assert_int_equal(quarry_project_code_notes(q, take_notes, notes),
                     QUARRY_OK);
    assert_string_equal(notes, "talk of peers|family\n\nand friends");
    /* and out again: the same Description, the definition whole */
    f = fopen(test_out_path("notes2.qdc"), "wb");
    assert_non_null(f);
    assert_int_equal(quarry_project_export_qdc(q, f), QUARRY_OK);
    fclose(f);
    t = test_slurp(test_out_path("notes2.qdc"), &len);
    assert_non_null(strstr(t, "<Description>Other peer workers.\n\nWho get "
                              "it.\n\nInclude: talk of peers\n\n"));
    free(t);
    quarry_project_free(q);
    quarry_project_free(p);
}

/* A study read from JSONL (no source text) goes out with its excerpts
 * joined into one text per source, and comes back with every coding. */
static void project_jsonl_round_trip(void **state)
{
    quarry_project *p = new_project("jsonl.quarry"), *q;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    quarry_project_counts a, b;
    const char *e = test_out_path("jsonl.qdpx");
    (void)state;
    io.coder = "ana";
    if (quarry_project_import(p, QUARRY_TEST_DATA_DIR "/project/coded.jsonl",
                              &io, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    if (quarry_project_export_qdpx(p, e, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    write_qde_of(e, test_out_path("export-jsonl.qde"));
    validate_schema(test_out_path("export-jsonl.qde"));
    q = new_project("jsonl-again.quarry");
    if (quarry_project_import_qdpx(q, e, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    assert_int_equal(quarry_project_count(p, &a), 0);
    assert_int_equal(quarry_project_count(q, &b), 0);
    assert_int_equal(a.codings, b.codings);
    assert_int_equal(a.coded_excerpts, b.coded_excerpts);
    assert_int_equal(st.coders, 1);
    quarry_project_free(q);
    quarry_project_free(p);
}

/* Two codes of one name under different parents stay two codes. */
static void project_same_names(void **state)
{
    quarry_project *p = new_project("names.quarry");
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    const quarry_project_code *codes;
    int32_t n;
    const char *path =
        zip_qde("names.qdpx",
                HEAD "<CodeBook><Codes>"
                     "<Code guid=\"00000000-0000-4000-8000-000000000001\" "
                     "name=\"A\" isCodable=\"false\">"
                     "<Code guid=\"00000000-0000-4000-8000-000000000002\" "
                     "name=\"Other\" isCodable=\"true\"/></Code>"
                     "<Code guid=\"00000000-0000-4000-8000-000000000003\" "
                     "name=\"B\" isCodable=\"false\">"
                     "<Code guid=\"00000000-0000-4000-8000-000000000004\" "
                     "name=\"Other\" isCodable=\"true\"/></Code>"
                     "</Codes></CodeBook></Project>",
                NULL, NULL);
    (void)state;
    if (quarry_project_import_qdpx(p, path, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(st.codes, 4);
    assert_int_equal(quarry_project_codes(p, &codes, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(codes[3].id, "Other (2)");
    assert_string_equal(codes[3].parent, "B");
    /* The same file again: every code matched, none added. */
    if (quarry_project_import_qdc(p, DATA "/codebook.qdc", &o, NULL, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_import_qdpx(p, path, &o, &st), 0);
    assert_int_equal(st.codes, 0);
    quarry_project_free(p);
}

/* ATLAS.ti counts a CR LF as one character: the quotes say so. */
static void infers_crlf_as_one(void **state)
{
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    char buf[64];
    const char *qde =
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\" origin=\"x\">"
        "<CodeBook><Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" "
        "name=\"c\" isCodable=\"true\"/></Codes></CodeBook>" SRC_OPEN
        "<PlainTextContent>Line one.&#13;\nLine two is here.&#13;\nThird "
        "line.</PlainTextContent>"
        "<PlainTextSelection guid=\"00000000-0000-4000-8000-00000000000a\" "
        "name=\"Line two is here.\" startPosition=\"10\" endPosition=\"26\"/>"
        "<PlainTextSelection guid=\"00000000-0000-4000-8000-00000000000b\" "
        "name=\"Third line.\" startPosition=\"28\" endPosition=\"38\"/>"
        "</TextSource></Sources></Project>";
    (void)state;
    refi_model_init(&m);
    if (refi_read_qde_buffer(&m, qde, strlen(qde), "atlas.qde", NULL, &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_true(m.crlf_one);
    assert_true(m.end_inclusive);
    assert_int_equal(m.votes_crlf_one, 2);
    assert_string_equal(sel_text(&m, 0, buf, sizeof(buf)), "Line two is here.");
    assert_string_equal(sel_text(&m, 1, buf, sizeof(buf)), "Third line.");
    assert_int_equal(m.selections[0].start, 11); /* in real code points */
    assert_int_equal(m.selections[1].end, 41);
    assert_true(has_notice(&m, "CR LF line break counted as one"));
    /* Written back as ATLAS.ti counts, and read again by the votes. */
    {
        refi_model b;
        char *x;
        size_t xl;
        o.crlf = QUARRY_REFI_CRLF_ONE;
        assert_int_equal(refi_write_qde(&m, &o, 1, &x, &xl), 0);
        assert_non_null(strstr(x, "startPosition=\"10\" endPosition=\"26\""));
        o.crlf = QUARRY_REFI_CRLF_AUTO;
        refi_model_init(&b);
        if (refi_read_qde_buffer(&b, x, xl, "again.qde", NULL, &o) != 0)
            fail_msg("%s", b.errmsg);
        assert_true(b.crlf_one);
        assert_int_equal(b.selections[1].start, 30);
        free(x);
        refi_model_free(&b);
    }
    refi_model_free(&m);
    /* Told otherwise, the same file runs past the end. */
    o.crlf = QUARRY_REFI_CRLF_TWO;
    refi_model_init(&m);
    assert_int_equal(
        refi_read_qde_buffer(&m, qde, strlen(qde), "atlas.qde", NULL, &o), 0);
    assert_false(m.crlf_one);
    assert_string_equal(sel_text(&m, 0, buf, sizeof(buf)),
                        "\nLine two is here");
    refi_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuid5_matches_rfc4122),
        cmocka_unit_test(guids_and_colours),
        cmocka_unit_test(code_points_and_bytes),
        cmocka_unit_test(long_text_checkpoints),
        cmocka_unit_test(reads_basic_project),
        cmocka_unit_test(reads_unpacked_project),
        cmocka_unit_test(truncated_anywhere),
        cmocka_unit_test(infers_exclusive_ends),
        cmocka_unit_test(infers_crlf_as_one),
        cmocka_unit_test(round_trip_keeps_everything),
        cmocka_unit_test(codebook_qdc),
        cmocka_unit_test(refuses_zip_bomb),
        cmocka_unit_test(refuses_escaping_paths),
        cmocka_unit_test(refuses_bad_selections),
        cmocka_unit_test(refuses_dangling_and_duplicate_guids),
        cmocka_unit_test(refuses_unknown_namespace_and_bad_xml),
        cmocka_unit_test(repairs_text),
        cmocka_unit_test(project_import_export),
        cmocka_unit_test(project_suggestions_export),
        cmocka_unit_test(project_tables_and_codebook),
        cmocka_unit_test(project_jsonl_round_trip),
        cmocka_unit_test(code_notes_in_description),
        cmocka_unit_test(project_same_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
