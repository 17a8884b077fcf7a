/*
 * test_corpus.c -- quarry_corpus_*: the JSONL and CSV readers, their
 * messages (file, line, field), dispatch by extension, and transactional
 * reads. The transcript reader is tested in test_transcript.c.
 *
 * Input files are under tests/data/readers/; smaller cases are built in
 * memory and read with quarry_corpus_read_buffer().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"

#include "quarry/quarry.h"
#define TEST_READER_SUBDIR "readers/"
#include "test_reader_util.h"

/* ------------------------------------------------------------------ */
/* Helpers */

/* Reading the data file name fails with status, the message names
 * file_line, field (may be NULL) and says what; nothing is kept. */
static void expect_refused(const char *name, int status, const char *file_line,
                           const char *field, const char *what)
{
    quarry_corpus *c = new_corpus();
    assert_int_equal(read_data(c, name, NULL), status);
    assert_msg(c, file_line, field, what);
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

static const quarry_excerpt *at(const quarry_corpus *c, size_t i)
{
    const quarry_excerpt *e = quarry_corpus_at(c, i);
    assert_non_null(e);
    return e;
}


/* ------------------------------------------------------------------ */
/* Basics */

static void test_new_free_and_null_safety(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(quarry_corpus_size(c), 0);
    assert_null(quarry_corpus_at(c, 0));
    assert_string_equal(quarry_corpus_errmsg(c), "");
    assert_null(quarry_corpus_attribute(c, 0, "study"));
    assert_int_equal(quarry_corpus_new(NULL), QUARRY_EINVAL);
    assert_int_equal(quarry_corpus_size(NULL), 0);
    assert_null(quarry_corpus_at(NULL, 0));
    assert_non_null(quarry_corpus_errmsg(NULL));
    assert_int_equal(quarry_corpus_read_file(NULL, "x.jsonl", NULL),
                     QUARRY_EINVAL);
    assert_int_equal(quarry_corpus_read_buffer(c, NULL, 3, "x.jsonl", NULL),
                     QUARRY_EINVAL);
    /* an empty buffer is an empty corpus */
    assert_int_equal(quarry_corpus_read_buffer(c, NULL, 0, "x.jsonl", NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
    quarry_corpus_free(NULL);
}

/* ------------------------------------------------------------------ */
/* JSONL: good input */

static void test_jsonl_good(void **state)
{
    quarry_corpus *c = new_corpus();
    const quarry_excerpt *e;
    (void)state;

    assert_int_equal(read_data(c, "good.jsonl", NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 4);

    e = at(c, 0); /* code as a string, a speaker field */
    assert_string_equal(e->id, "S1-P01-001");
    assert_string_equal(e->text,
                        "Being a peer support worker is emotionally draining.");
    assert_int_equal(e->text_len, strlen(e->text));
    assert_int_equal(e->n_codes, 1);
    assert_string_equal(e->codes[0], "emotional impacts");
    assert_null(e->codes[1]);
    assert_string_equal(e->speaker, "P01");
    assert_string_equal(e->attributes,
                        "{\"study\":\"S1\",\"speaker\":\"P01\"}");
    assert_int_equal(e->line, 1);
    assert_int_equal(e->start, -1);
    assert_int_equal(e->end, -1);
    assert_has(e->source, "good.jsonl");
    assert_string_equal(quarry_corpus_attribute(c, 0, "study"), "S1");
    assert_string_equal(quarry_corpus_attribute(c, 0, "speaker"), "P01");
    assert_null(quarry_corpus_attribute(c, 0, "text"));

    e = at(c, 1); /* code as a list; a number attribute */
    assert_string_equal(e->id, "S1-P01-002");
    assert_int_equal(e->n_codes, 2);
    assert_string_equal(e->codes[0], "role ambiguity");
    assert_string_equal(e->codes[1], "struggle to justify role");
    assert_null(e->speaker);
    assert_string_equal(e->attributes, "{\"study\":\"S1\",\"page\":4}");
    assert_null(quarry_corpus_attribute(c, 1, "page")); /* not a string */
    assert_int_equal(e->line, 2);

    e = at(c, 2); /* integer id, no code, nested attribute, after a blank */
    assert_string_equal(e->id, "42");
    assert_int_equal(e->n_codes, 0);
    assert_non_null(e->codes);
    assert_null(e->codes[0]);
    assert_string_equal(
        e->attributes,
        "{\"study\":\"S2\",\"meta\":{\"coder\":\"AL\",\"round\":2}}");
    assert_int_equal(e->line, 4);

    e = at(c, 3); /* code null, no attributes, non-ASCII text */
    assert_string_equal(e->id, "S2-P03-001");
    assert_int_equal(e->n_codes, 0);
    assert_string_equal(e->attributes, "{}");
    assert_string_equal(e->text, "I share my story when it helps \xE2\x80\x94 "
                                 "caf\xC3\xA9 chats, that kind of thing.");
    assert_int_equal(e->line, 5);

    /* codes are shared between excerpts */
    assert_int_equal(read_str(c, "more.jsonl",
                              "{\"id\":\"m\",\"text\":\"t\",\"code\":\"role "
                              "ambiguity\"}",
                              NULL),
                     QUARRY_OK);
    assert_ptr_equal(at(c, 4)->codes[0], at(c, 1)->codes[0]);
    assert_null(quarry_corpus_at(c, 5));
    quarry_corpus_free(c);
}

static void test_jsonl_crlf_bom(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_data(c, "crlf_bom.jsonl", NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 0)->id, "a1");
    assert_string_equal(at(c, 0)->text, "First line with CRLF.");
    assert_int_equal(at(c, 0)->line, 1);
    assert_string_equal(at(c, 1)->id, "a2");
    assert_int_equal(at(c, 1)->n_codes, 2);
    assert_string_equal(at(c, 1)->codes[1], "z");
    assert_int_equal(at(c, 1)->line, 3);
    quarry_corpus_free(c);
}

static void test_jsonl_codes_and_ids(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    /* empty and repeated codes are dropped; negative and big integer ids */
    assert_int_equal(
        read_str(
            c, "codes.jsonl",
            "{\"id\":-5,\"text\":\"a\",\"code\":[\"x\",\"\",\"x\",\"y\"]}\n"
            "{\"id\":9007199254740993,\"text\":\"b\",\"code\":\"\"}\n"
            "{\"id\":\"0\",\"text\":\"c\",\"code\":[]}\n",
            NULL),
        QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_string_equal(at(c, 0)->id, "-5");
    assert_int_equal(at(c, 0)->n_codes, 2);
    assert_string_equal(at(c, 0)->codes[0], "x");
    assert_string_equal(at(c, 0)->codes[1], "y");
    assert_string_equal(at(c, 1)->id, "9007199254740993");
    assert_int_equal(at(c, 1)->n_codes, 0);
    assert_int_equal(at(c, 2)->n_codes, 0);

    assert_int_equal(read_str(c, "bad.jsonl",
                              "{\"id\":\"k1\",\"text\":\"a\",\"code\":3}\n",
                              NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:1:", "code", "not an integer");
    assert_int_equal(
        read_str(c, "bad.jsonl",
                 "\n{\"id\":\"k1\",\"text\":\"a\",\"code\":[\"x\",true]}\n",
                 NULL),
        QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:2:", "code", "item 2");
    assert_int_equal(
        read_str(c, "bad.jsonl", "{\"id\":1.5,\"text\":\"a\"}\n", NULL),
        QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:1:", "id", "string or an integer");
    assert_int_equal(
        read_str(c, "bad.jsonl", "{\"id\":\"\",\"text\":\"a\"}\n", NULL),
        QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:1:", "id", "empty id");
    assert_int_equal(read_str(c, "bad.jsonl", "{\"id\":\"q\"}\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:1:", "text", "missing");
    assert_int_equal(
        read_str(c, "bad.jsonl", "{\"id\":\"q\",\"text\":[]}\n", NULL),
        QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:1:", "text", "must be a string");
    /* duplicate keys are refused by jansson */
    assert_int_equal(read_str(c, "bad.jsonl",
                              "{\"id\":\"q\",\"text\":\"a\",\"id\":\"r\"}\n",
                              NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "bad.jsonl:1:", NULL, "duplicate");
    assert_int_equal(quarry_corpus_size(c), 3);
    quarry_corpus_free(c);
}

static void test_jsonl_field_names_and_require_code(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    o.id_field = "uid";
    o.text_field = "body";
    o.code_field = "tags";
    o.require_code = 1;
    assert_int_equal(read_str(c, "f.jsonl",
                              "{\"uid\":\"u\",\"body\":\"b\",\"tags\":[\"t\"],"
                              "\"id\":\"kept\"}\n",
                              &o),
                     QUARRY_OK);
    assert_string_equal(at(c, 0)->id, "u");
    assert_string_equal(at(c, 0)->attributes, "{\"id\":\"kept\"}");
    assert_int_equal(
        read_str(c, "f.jsonl",
                 "{\"uid\":\"v\",\"body\":\"b\",\"tags\":[\"t\"]}\n"
                 "{\"uid\":\"w\",\"body\":\"b\"}\n",
                 &o),
        QUARRY_EPARSE);
    assert_msg(c, "f.jsonl:2:", "tags", "no code");
    assert_int_equal(
        read_str(c, "f.jsonl", "{\"uid\":\"w\",\"text\":\"b\"}\n", &o),
        QUARRY_EPARSE);
    assert_msg(c, "f.jsonl:1:", "body", "missing");
    assert_int_equal(quarry_corpus_size(c), 1);
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* JSONL: bad input */

static void test_jsonl_invalid_utf8_in_text(void **state)
{
    (void)state;
    expect_refused("bad_utf8_text.jsonl", QUARRY_EUTF8,
                   "bad_utf8_text.jsonl:2:", "text",
                   "invalid UTF-8 at byte 26");
}

static void test_jsonl_invalid_utf8_in_id(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_data(c, "bad_utf8_id.jsonl", NULL), QUARRY_EUTF8);
    assert_msg(c, "bad_utf8_id.jsonl:2:", "id", "invalid UTF-8 at byte 26");
    assert_int_equal(quarry_corpus_size(c), 0);
    /* a bad byte in a nested attribute names the top-level field */
    assert_int_equal(
        read_str(c, "n.jsonl",
                 "{\"id\":\"a\",\"text\":\"t\",\"meta\":{\"k\":[\"\xC0"
                 "\"]}}\n",
                 NULL),
        QUARRY_EUTF8);
    assert_msg(c, "n.jsonl:1:", "meta", "invalid UTF-8 at byte 36");
    /* between fields: no field to name, still the line and byte */
    assert_int_equal(
        read_str(c, "n.jsonl", "{\"id\":\"a\", \xFF \"text\":\"t\"}", NULL),
        QUARRY_EUTF8);
    assert_msg(c, "n.jsonl:1:", NULL, "invalid UTF-8 at byte 12");
    quarry_corpus_free(c);
}

static void test_jsonl_nul(void **state)
{
    static const char raw[] = "{\"id\":\"a\",\"text\":\"x\0y\"}\n";
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(
        quarry_corpus_read_buffer(c, raw, sizeof raw - 1, "nul.jsonl", NULL),
        QUARRY_EPARSE);
    assert_msg(c, "nul.jsonl:1:", "text", "NUL byte at byte 20");
    assert_int_equal(read_str(c, "nul.jsonl",
                              "{\"id\":\"a\",\"text\":\"ok\"}\n"
                              "{\"id\":\"b\",\"text\":\"x\\u0000y\"}\n",
                              NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "nul.jsonl:2:", "text", "NUL");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

static void test_jsonl_empty_text(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    o.strict = 1;
    assert_int_equal(read_data(c, "empty_text.jsonl", &o), QUARRY_EPARSE);
    assert_msg(c, "empty_text.jsonl:3:", "text", "empty text");
    assert_int_equal(quarry_corpus_size(c), 0);
    o.strict = 0;
    o.allow_empty = 1;
    assert_int_equal(read_data(c, "empty_text.jsonl", &o), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_string_equal(at(c, 2)->text, "  \t\n ");
    quarry_corpus_free(c);
}

static void test_jsonl_huge_excerpt(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    size_t n = 100000, i;
    char *buf = malloc(n + 200);
    char *p = buf;
    (void)state;

    assert_non_null(buf);
    p += sprintf(
        p,
        "{\"id\":\"small\",\"text\":\"short\"}\n{\"id\":\"big\",\"text\":\"");
    for (i = 0; i < n; i++)
        *p++ = 'a' + (char)(i % 26);
    p += sprintf(p, "\"}\n");
    o.max_excerpt_bytes = 65536;
    assert_int_equal(
        quarry_corpus_read_buffer(c, buf, (size_t)(p - buf), "huge.jsonl", &o),
        QUARRY_ERANGE);
    assert_msg(c, "huge.jsonl:2:", "text", "100000 bytes");
    assert_has(quarry_corpus_errmsg(c), "65536");
    assert_int_equal(quarry_corpus_size(c), 0);
    /* without the limit it is read */
    assert_int_equal(quarry_corpus_read_buffer(c, buf, (size_t)(p - buf),
                                               "huge.jsonl", NULL),
                     QUARRY_OK);
    assert_int_equal(at(c, 1)->text_len, n);
    free(buf);
    quarry_corpus_free(c);
}

static void test_jsonl_malformed(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_data(c, "malformed.jsonl", NULL), QUARRY_EPARSE);
    assert_msg(c, "malformed.jsonl:3:", NULL, "malformed JSON");
    assert_has(quarry_corpus_errmsg(c), "(column ");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

static void test_jsonl_not_object(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_data(c, "not_object.jsonl", NULL), QUARRY_EPARSE);
    assert_msg(c, "not_object.jsonl:2:", NULL, "not a JSON object");
    assert_int_equal(read_str(c, "s.jsonl", "\"just a string\"\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "s.jsonl:1:", NULL, "not a JSON object but a string");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

static void test_jsonl_missing_id(void **state)
{
    (void)state;
    expect_refused("missing_id.jsonl", QUARRY_EPARSE,
                   "missing_id.jsonl:2:", "id", "missing");
}

static void test_jsonl_duplicate_id_in_file(void **state)
{
    (void)state;
    expect_refused("dup_id.jsonl", QUARRY_EDUP, "dup_id.jsonl:4:", "id",
                   "duplicate id \"S1-P01-003\" (first on line 1)");
}

static void test_jsonl_duplicate_id_across_files(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_data(c, "good.jsonl", NULL), QUARRY_OK);
    assert_int_equal(read_data(c, "dup_across.jsonl", NULL), QUARRY_EDUP);
    assert_msg(c, "dup_across.jsonl:2:", "id", "duplicate id \"S1-P01-002\"");
    assert_has(quarry_corpus_errmsg(c), "good.jsonl:2)");
    assert_int_equal(quarry_corpus_size(c), 4);
    /* an integer id clashes with the same string id */
    assert_int_equal(
        read_str(c, "int.jsonl", "{\"id\":\"42\",\"text\":\"x\"}", NULL),
        QUARRY_EDUP);
    assert_msg(c, "int.jsonl:1:", "id", "duplicate id \"42\"");
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* CSV */

static void test_csv_good(void **state)
{
    quarry_corpus *c = new_corpus();
    const quarry_excerpt *e;
    (void)state;

    assert_int_equal(read_data(c, "good.csv", NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 3);

    e = at(c, 0); /* quoted newlines (CRLF kept), escaped quotes, two codes */
    assert_string_equal(e->id, "c1");
    assert_string_equal(
        e->text, "She said \"I get it\"\r\nand then, later,\r\nwe talked.");
    assert_int_equal(e->line, 2);
    assert_int_equal(e->n_codes, 2);
    assert_string_equal(e->codes[0], "role ambiguity");
    assert_string_equal(e->codes[1], "emotional impacts");
    assert_string_equal(e->speaker, "P07");
    assert_string_equal(e->attributes,
                        "{\"study\":\"S3\",\"speaker\":\"P07\"}");
    assert_int_equal(e->start, -1);
    assert_string_equal(quarry_corpus_attribute(c, 0, "study"), "S3");

    e = at(c, 1); /* after a blank line: the record's own line */
    assert_string_equal(e->id, "c2");
    assert_string_equal(e->text, "Plain text here");
    assert_int_equal(e->line, 6);
    assert_int_equal(e->n_codes, 0);

    e = at(c, 2);
    assert_string_equal(e->text, "Quoted, with comma");
    assert_int_equal(e->line, 7);
    assert_int_equal(e->n_codes, 1);
    assert_string_equal(e->codes[0], "sources of support");
    assert_null(e->speaker); /* an empty cell */
    assert_string_equal(quarry_corpus_attribute(c, 2, "speaker"), "");
    quarry_corpus_free(c);
}

static void test_csv_unterminated_quote(void **state)
{
    (void)state;
    expect_refused("unterminated.csv", QUARRY_EPARSE,
                   "unterminated.csv:3:", "text", "never closed");
}

static void test_csv_field_count(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_data(c, "field_count.csv", NULL), QUARRY_EPARSE);
    assert_msg(c, "field_count.csv:5:", NULL, "4 fields, but the header has 3");
    quarry_corpus_free(c);

    /* A short line names the first column it lacks. */
    c = new_corpus();
    assert_int_equal(read_str(c, "short_row.csv",
                              "id,text,code\nx1,I walk home the long way.,"
                              "peers\nx2,I walk home again.\n",
                              NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "short_row.csv:3:", "code",
               "missing: the line has 2 fields, but the header has 3");
    assert_int_equal(read_str(c, "few.csv", "id,text,code\nf1,only\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "few.csv:2:", "code", "2 fields");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

static void test_csv_missing_text_column(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    assert_int_equal(read_data(c, "no_text.csv", NULL), QUARRY_EPARSE);
    assert_msg(c, "no_text.csv:1:", "text", "no such column in the header");
    assert_has(quarry_corpus_errmsg(c), "\"body\"");
    assert_int_equal(read_str(c, "noid.csv", "key,text\n1,a\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "noid.csv:1:", "id", "no such column");
    /* with the right names it reads */
    o.text_field = "body";
    assert_int_equal(read_data(c, "no_text.csv", &o), QUARRY_OK);
    assert_string_equal(at(c, 0)->text, "hello");
    assert_string_equal(at(c, 0)->codes[0], "a");
    quarry_corpus_free(c);
}

static void test_csv_invalid_utf8(void **state)
{
    (void)state;
    expect_refused("bad_utf8.csv", QUARRY_EUTF8, "bad_utf8.csv:4:", "text",
                   "invalid UTF-8 at byte 5");
}

static void test_csv_more(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    /* a stray quote: the line and the column it is in */
    assert_int_equal(read_str(c, "q.csv", "id,text\n1,fine\n2,sa\"id\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "q.csv:3:", "text", "malformed CSV at byte 5");
    /* require_code without a code column */
    o.require_code = 1;
    assert_int_equal(read_str(c, "rc.csv", "id,text\n1,a\n", &o),
                     QUARRY_EPARSE);
    assert_msg(c, "rc.csv:1:", "code", "no such column");
    /* an empty file has no header */
    assert_int_equal(read_str(c, "empty.csv", "", NULL), QUARRY_EPARSE);
    assert_msg(c, "empty.csv", NULL, "no header");
    /* a header only is an empty corpus; a BOM and case-insensitive names */
    assert_int_equal(read_str(c, "h.csv", "\xEF\xBB\xBFId,Text\n", NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 0);
    /* R's unnamed row-name column is ignored; last line without newline */
    assert_int_equal(
        read_str(c, "r.csv",
                 "\"\",\"id\",\"text\",\"site\"\n\"1\",\"r1\",\"x\","
                 "\"A\"\n\"2\",\"r2\",\"y\",\"B\"",
                 NULL),
        QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 1)->id, "r2");
    assert_string_equal(at(c, 1)->attributes, "{\"site\":\"B\"}");
    assert_int_equal(at(c, 1)->line, 3);
    /* duplicate ids across CSV rows */
    assert_int_equal(read_str(c, "d.csv", "id,text\nz,a\ny,b\nz,c\n", NULL),
                     QUARRY_EDUP);
    assert_msg(c, "d.csv:4:", "id", "duplicate id \"z\" (first on line 2)");
    /* duplicate header names */
    assert_int_equal(read_str(c, "dh.csv", "id,text,x,x\n1,a,b,c\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "dh.csv:1:", "x", "twice");
    assert_int_equal(quarry_corpus_size(c), 2);
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Dispatch, files and streams */

static void test_unknown_extension(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    assert_int_equal(read_data(c, "notes.xlsx", NULL), QUARRY_EINVAL);
    assert_msg(c, "notes.xlsx", NULL, "an Excel workbook: save the sheet as CSV UTF-8");
    assert_has(quarry_corpus_errmsg(c), ".jsonl");
    assert_has(quarry_corpus_errmsg(c), ".csv");
    assert_has(quarry_corpus_errmsg(c), ".txt");
    assert_int_equal(read_data(c, "notes", NULL), QUARRY_EINVAL);
    assert_msg(c, "notes", NULL, "no file extension");
    /* a format given wins over the extension */
    o.format = QUARRY_FORMAT_JSONL;
    assert_int_equal(
        read_str(c, "odd.txt", "{\"id\":\"a\",\"text\":\"b\"}", &o), QUARRY_OK);
    assert_int_equal(
        read_str(c, "odd.XLSX", "{\"id\":\"b\",\"text\":\"b\"}", &o),
        QUARRY_OK);
    /* extensions are case-insensitive; .ndjson and .md are known */
    assert_int_equal(read_str(c, "UP.CSV", "id,text\nc,d\n", NULL), QUARRY_OK);
    assert_int_equal(
        read_str(c, "n.ndjson", "{\"id\":\"e\",\"text\":\"f\"}", NULL),
        QUARRY_OK);
    assert_int_equal(read_str(c, "t.md", "A: g\n", NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 5);
    assert_string_equal(at(c, 4)->id, "t#1");
    /* a bad options version */
    o.version = 99;
    assert_int_equal(read_str(c, "v.jsonl", "{}", &o), QUARRY_EINVAL);
    assert_has(quarry_corpus_errmsg(c), "version");
    quarry_corpus_free(c);
}

static void test_missing_file(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    assert_int_equal(read_data(c, "nope.jsonl", NULL), QUARRY_EIO);
    assert_msg(c, "nope.jsonl: cannot open: No such file or directory", NULL,
               NULL);
    o.display_name = "notes.jsonl";
    assert_int_equal(read_data(c, "nope.jsonl", &o), QUARRY_EIO);
    assert_string_equal(quarry_corpus_errmsg(c),
                        "notes.jsonl: cannot open: No such file or directory");
    quarry_corpus_free(c);
}

static void test_stream(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    FILE *f = tmpfile();
    (void)state;

    assert_non_null(f);
    fputs("{\"id\":\"s1\",\"text\":\"from a "
          "stream\"}\n{\"id\":\"s1\",\"text\":\"x\"}\n",
          f);
    rewind(f);
    /* standard input's name, JSONL by default */
    assert_int_equal(quarry_corpus_read_stream(c, f, "-", NULL), QUARRY_EDUP);
    assert_msg(c, "<stdin>:2:", "id", "duplicate");
    rewind(f);
    o.display_name = "piped";
    assert_int_equal(quarry_corpus_read_stream(c, f, "-", &o), QUARRY_EDUP);
    assert_msg(c, "piped:2:", "id", "duplicate");
    fclose(f);

    f = tmpfile();
    assert_non_null(f);
    fputs("id,text\nk,v\n", f);
    rewind(f);
    assert_int_equal(quarry_corpus_read_stream(c, f, "in.csv", NULL),
                     QUARRY_OK);
    assert_string_equal(at(c, 0)->id, "k");
    assert_string_equal(at(c, 0)->source, "in.csv");
    fclose(f);
    /* a buffer named like standard input is JSONL and keeps its name */
    assert_int_equal(
        read_str(c, "<stdin>", "{\"id\":\"k\",\"text\":\"v\"}", NULL),
        QUARRY_EDUP);
    assert_msg(c, "<stdin>:1:", "id", "(first in in.csv:2)");
    assert_int_equal(read_str(c, NULL, "[]", NULL), QUARRY_EPARSE);
    assert_msg(c, "<buffer>:1:", NULL, "not a JSON object");
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Transactions */

static void test_rollback(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options strict = QUARRY_READ_OPTIONS_INIT;
    const quarry_excerpt *before[4];
    char ids[4][32];
    size_t i;
    (void)state;

    strict.strict = 1;

    assert_int_equal(read_data(c, "good.jsonl", NULL), QUARRY_OK);
    for (i = 0; i < 4; i++) {
        before[i] = at(c, i);
        snprintf(ids[i], sizeof ids[i], "%s", before[i]->id);
    }
    /* each of these fails after adding some excerpts */
    assert_int_equal(read_data(c, "malformed.jsonl", NULL), QUARRY_EPARSE);
    assert_int_equal(read_data(c, "dup_id.jsonl", NULL), QUARRY_EDUP);
    assert_int_equal(read_data(c, "dup_across.jsonl", NULL), QUARRY_EDUP);
    assert_int_equal(read_data(c, "field_count.csv", NULL), QUARRY_EPARSE);
    assert_int_equal(read_data(c, "empty_text.jsonl", &strict), QUARRY_EPARSE);
    assert_int_equal(quarry_corpus_size(c), 4);
    assert_null(quarry_corpus_at(c, 4));
    for (i = 0; i < 4; i++) {
        assert_ptr_equal(at(c, i), before[i]);
        assert_string_equal(at(c, i)->id, ids[i]);
    }
    assert_string_equal(at(c, 0)->text,
                        "Being a peer support worker is emotionally draining.");
    assert_string_equal(at(c, 1)->codes[1], "struggle to justify role");
    assert_string_equal(quarry_corpus_attribute(c, 0, "study"), "S1");

    /* the failed reads' ids are gone, the kept ones still count */
    assert_int_equal(read_str(c, "again.jsonl",
                              "{\"id\":\"m1\",\"text\":\"one\"}\n"
                              "{\"id\":\"S1-P01-003\",\"text\":\"two\"}\n"
                              "{\"id\":\"X-1\",\"text\":\"three\"}\n",
                              NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 7);
    assert_string_equal(at(c, 4)->text, "one");
    assert_int_equal(read_str(c, "clash.jsonl",
                              "{\"id\":\"S1-P01-001\",\"text\":\"x\"}", NULL),
                     QUARRY_EDUP);
    assert_msg(c, "clash.jsonl:1:", "id", "good.jsonl:1)");
    assert_int_equal(quarry_corpus_size(c), 7);
    quarry_corpus_free(c);
}

/* n JSONL lines with ids "<prefix><i>", optionally a bad last line. */
static char *many_lines(const char *prefix, size_t n, int bad_last, size_t *len)
{
    size_t cap = n * 64 + 64, i;
    char *buf = malloc(cap), *p = buf;

    assert_non_null(buf);
    for (i = 0; i < n; i++)
        p += sprintf(p, "{\"id\":\"%s%zu\",\"text\":\"excerpt %zu\"}\n", prefix,
                     i, i);
    if (bad_last)
        p += sprintf(p, "{\"id\":\"last\",\"text\":}\n");
    *len = (size_t)(p - buf);
    return buf;
}

static void test_rollback_large(void **state)
{
    quarry_corpus *c = new_corpus();
    const quarry_excerpt *first;
    size_t len, i;
    char *buf;
    (void)state;

    buf = many_lines("keep-", 3000, 0, &len);
    assert_int_equal(quarry_corpus_read_buffer(c, buf, len, "keep.jsonl", NULL),
                     QUARRY_OK);
    free(buf);
    first = at(c, 0);
    /* enough to grow the id table and open new blocks, then fail */
    buf = many_lines("big-", 5000, 1, &len);
    assert_int_equal(quarry_corpus_read_buffer(c, buf, len, "big.jsonl", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "big.jsonl:5001:", NULL, "malformed JSON");
    assert_int_equal(quarry_corpus_size(c), 3000);
    free(buf);
    /* every kept id is still known after the table was shrunk back */
    for (i = 0; i < 3000; i += 7) {
        char line[64];
        snprintf(line, sizeof line, "{\"id\":\"keep-%zu\",\"text\":\"t\"}", i);
        assert_int_equal(read_str(c, "k.jsonl", line, NULL), QUARRY_EDUP);
    }
    /* the failed read's ids can be read now */
    buf = many_lines("big-", 5000, 0, &len);
    assert_int_equal(quarry_corpus_read_buffer(c, buf, len, "big.jsonl", NULL),
                     QUARRY_OK);
    free(buf);
    assert_int_equal(quarry_corpus_size(c), 8000);
    assert_ptr_equal(at(c, 0), first); /* excerpts never move */
    for (i = 0; i < 5000; i += 499) {
        char id[32];
        snprintf(id, sizeof id, "big-%zu", i);
        assert_string_equal(at(c, 3000 + i)->id, id);
    }
    assert_int_equal(read_str(c, "x.jsonl",
                              "{\"id\":\"new\",\"text\":\"t\"}\n"
                              "{\"id\":\"big-4321\",\"text\":\"t\"}\n",
                              NULL),
                     QUARRY_EDUP);
    assert_msg(c, "x.jsonl:2:", "id", "(first in big.jsonl:4322)");
    assert_int_equal(
        read_str(c, "x.jsonl", "{\"id\":\"keep-2999\",\"text\":\"t\"}\n", NULL),
        QUARRY_EDUP);
    assert_msg(c, "x.jsonl:1:", "id", "(first in keep.jsonl:3000)");
    assert_int_equal(quarry_corpus_size(c), 8000);
    quarry_corpus_free(c);
}

static void test_many_excerpts(void **state)
{
    quarry_corpus *c = new_corpus();
    size_t len, i, n = 200000;
    char *buf = many_lines("e", n, 0, &len);
    (void)state;

    assert_int_equal(quarry_corpus_read_buffer(c, buf, len, "many.jsonl", NULL),
                     QUARRY_OK);
    free(buf);
    assert_int_equal(quarry_corpus_size(c), n);
    for (i = 0; i < n; i += 9973) {
        char id[32], text[32];
        snprintf(id, sizeof id, "e%zu", i);
        snprintf(text, sizeof text, "excerpt %zu", i);
        assert_string_equal(at(c, i)->id, id);
        assert_string_equal(at(c, i)->text, text);
        assert_int_equal(at(c, i)->line, (int64_t)i + 1);
    }
    assert_int_equal(
        read_str(c, "d.jsonl", "{\"id\":\"e199999\",\"text\":\"t\"}", NULL),
        QUARRY_EDUP);
    quarry_corpus_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_free_and_null_safety),
        cmocka_unit_test(test_jsonl_good),
        cmocka_unit_test(test_jsonl_crlf_bom),
        cmocka_unit_test(test_jsonl_codes_and_ids),
        cmocka_unit_test(test_jsonl_field_names_and_require_code),
        cmocka_unit_test(test_jsonl_invalid_utf8_in_text),
        cmocka_unit_test(test_jsonl_invalid_utf8_in_id),
        cmocka_unit_test(test_jsonl_nul),
        cmocka_unit_test(test_jsonl_empty_text),
        cmocka_unit_test(test_jsonl_huge_excerpt),
        cmocka_unit_test(test_jsonl_malformed),
        cmocka_unit_test(test_jsonl_not_object),
        cmocka_unit_test(test_jsonl_missing_id),
        cmocka_unit_test(test_jsonl_duplicate_id_in_file),
        cmocka_unit_test(test_jsonl_duplicate_id_across_files),
        cmocka_unit_test(test_csv_good),
        cmocka_unit_test(test_csv_unterminated_quote),
        cmocka_unit_test(test_csv_field_count),
        cmocka_unit_test(test_csv_missing_text_column),
        cmocka_unit_test(test_csv_invalid_utf8),
        cmocka_unit_test(test_csv_more),
        cmocka_unit_test(test_unknown_extension),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_rollback_large),
        cmocka_unit_test(test_many_excerpts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
