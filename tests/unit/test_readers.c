/*
 * test_readers.c -- what the JSONL and CSV readers do with files as
 * spreadsheets and other people's tools write them: the CSV delimiter
 * (detected or given), Excel's BOM, CRLF and quoted line breaks, codes
 * given by name, empty excerpts left out with one notice (or refused with
 * strict), the list of the first 20 bad records, and a header of 100,000
 * columns read in linear time.
 *
 * Every input is built in memory and read with quarry_corpus_read_buffer().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codebook.h"
#include "quarry/quarry.h"
#include "test_reader_util.h"

/* ------------------------------------------------------------------ */
/* Helpers */

static const quarry_excerpt *at(const quarry_corpus *c, size_t i)
{
    const quarry_excerpt *e = quarry_corpus_at(c, i);
    assert_non_null(e);
    return e;
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (hay != NULL && strstr(hay, needle) != NULL)
        fail_msg("did not expect \"%s\" in \"%s\"", needle, hay);
}

/* The notices a read hands out. */
typedef struct notices {
    int n;
    int level;
    char last[1024];
} notices;

static void on_notice(void *ctx, int level, const char *msg)
{
    notices *ns = ctx;
    ns->n++;
    ns->level = level;
    snprintf(ns->last, sizeof ns->last, "%s", msg);
}

/* ------------------------------------------------------------------ */
/* The delimiter */

static void test_csv_delimiter_detected(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;

    /* Semicolon, with commas inside the text. */
    assert_int_equal(read_str(c, "semi.csv",
                              "id;text;code\n"
                              "s1;\"Hello, world, again\";a\n"
                              "s2;plain, with a comma;b\n",
                              NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 0)->text, "Hello, world, again");
    assert_string_equal(at(c, 1)->text, "plain, with a comma");
    assert_string_equal(at(c, 1)->codes[0], "b");

    /* Tab. */
    assert_int_equal(read_str(c, "tab.csv",
                              "id\ttext\tcode\n"
                              "t1\ttab separated, with comma\tx\n",
                              NULL),
                     QUARRY_OK);
    assert_string_equal(at(c, 2)->id, "t1");
    assert_string_equal(at(c, 2)->text, "tab separated, with comma");
    assert_string_equal(at(c, 2)->codes[0], "x");

    /* Comma, with semicolons both in a quoted header name and in a code
     * cell (several codes). */
    assert_int_equal(read_str(c, "comma.csv",
                              "id,text,code,\"a;b;c;d\"\n"
                              "c1,hello,\"p;q\",v\n",
                              NULL),
                     QUARRY_OK);
    assert_string_equal(at(c, 3)->text, "hello");
    assert_int_equal(at(c, 3)->n_codes, 2);
    assert_string_equal(quarry_corpus_attribute(c, 3, "a;b;c;d"), "v");

    /* Delimiters inside quotes do not count: two semicolons outside, four
     * commas inside. */
    assert_int_equal(read_str(c, "quoted.csv",
                              "\"x,y,z,w,v\";id;text\n"
                              "1;q1;quoted header\n",
                              NULL),
                     QUARRY_OK);
    assert_string_equal(at(c, 4)->text, "quoted header");
    assert_string_equal(quarry_corpus_attribute(c, 4, "x,y,z,w,v"), "1");

    /* Empty lines before the header are passed over. */
    assert_int_equal(read_str(c, "late.csv", "\r\n\nid;text\nl1;a, b\n", NULL),
                     QUARRY_OK);
    assert_string_equal(at(c, 5)->text, "a, b");
    assert_int_equal(at(c, 5)->line, 4);
    quarry_corpus_free(c);
}

static void test_csv_delimiter_tie_and_forced(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    /* One comma and one semicolon: the tie goes to the comma. */
    o.text_field = "t;x";
    assert_int_equal(read_str(c, "tie.csv", "id,t;x\n1,hello;there\n", &o),
                     QUARRY_OK);
    assert_string_equal(at(c, 0)->text, "hello;there");

    /* Forced: the header has more commas, but the file is read with
     * semicolons. */
    o = (quarry_read_options)QUARRY_READ_OPTIONS_INIT;
    o.delimiter = ';';
    assert_int_equal(
        read_str(c, "forced.csv", "id;text,with,commas\n2;a,b,c\n", &o),
        QUARRY_EPARSE);
    assert_has(quarry_corpus_errmsg(c), "forced.csv:1: field \"text\": no "
                                        "such column");
    o.text_field = "text,with,commas";
    assert_int_equal(
        read_str(c, "forced.csv", "id;text,with,commas\n2;a,b,c\n", &o),
        QUARRY_OK);
    assert_string_equal(at(c, 1)->text, "a,b,c");

    /* Anything but a comma, a semicolon or a tab is refused. */
    o.delimiter = '|';
    assert_int_equal(read_str(c, "pipe.csv", "id|text\n3|x\n", &o),
                     QUARRY_EINVAL);
    assert_has(quarry_corpus_errmsg(c), "pipe.csv: CSV delimiter must be");
    assert_int_equal(quarry_corpus_size(c), 2);
    quarry_corpus_free(c);
}

/* What Excel writes with a European locale: BOM, semicolons, CRLF, and a
 * quoted cell holding line breaks and a semicolon. */
static void test_csv_excel(void **state)
{
    static const char file[] =
        "\xEF\xBB\xBF"
        "id;text;code;site\r\n"
        "e1;\"Der Dienstplan; jede Woche neu.\r\nZweite Zeile.\";stress;"
        "Köln\r\n"
        "e2;Kurz und gut;;Wien\r\n";
    quarry_corpus *c = new_corpus();
    (void)state;

    assert_int_equal(read_str(c, "excel.csv", file, NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 0)->id, "e1");
    assert_string_equal(at(c, 0)->text,
                        "Der Dienstplan; jede Woche neu.\r\nZweite Zeile.");
    assert_string_equal(at(c, 0)->codes[0], "stress");
    assert_string_equal(quarry_corpus_attribute(c, 0, "site"), "Köln");
    assert_int_equal(at(c, 0)->line, 2);
    assert_int_equal(at(c, 1)->line, 4);
    assert_string_equal(at(c, 1)->text, "Kurz und gut");
    assert_int_equal(at(c, 1)->n_codes, 0);
    /* No carriage return is left at the end of the last field. */
    assert_string_equal(quarry_corpus_attribute(c, 1, "site"), "Wien");
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Codes by name */

static const char codebook_json[] =
    "{\"codes\": ["
    "{\"id\": \"work\", \"name\": \"Work\"},"
    "{\"id\": \"work.stress\", \"name\": \"Stress at work\", "
    "\"parent\": \"work\"},"
    "{\"id\": \"work.pay\", \"name\": \"Überstunden\", \"parent\": \"work\"},"
    "{\"id\": \"home.a\", \"name\": \"Support\"},"
    "{\"id\": \"home.b\", \"name\": \"support\"}"
    "]}";

static void test_codes_by_name(void **state)
{
    quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    quarry_codebook *cb = NULL;
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    const char *msg;
    (void)state;

    eo.use_default_paths = 0;
    assert_int_equal(quarry_engine_new(&e, &eo), QUARRY_OK);
    assert_int_equal(codebook_parse(&cb, e, codebook_json,
                                    strlen(codebook_json), "book.json"),
                     QUARRY_OK);
    o.codebook = cb;

    /* An id, a name in other case, a non-ASCII name in other case. */
    assert_int_equal(read_str(c, "names.csv",
                              "id,text,code\n"
                              "n1,one,work.stress\n"
                              "n2,two,STRESS AT WORK\n"
                              "n3,three,\"überstunden; work.pay\"\n",
                              &o),
                     QUARRY_OK);
    assert_string_equal(at(c, 0)->codes[0], "work.stress");
    assert_string_equal(at(c, 1)->codes[0], "work.stress");
    /* A name and its id are one code, kept once. */
    assert_int_equal(at(c, 2)->n_codes, 1);
    assert_string_equal(at(c, 2)->codes[0], "work.pay");

    /* JSONL too. */
    assert_int_equal(read_str(c, "names.jsonl",
                              "{\"id\": \"j1\", \"text\": \"x\", \"code\": "
                              "[\"work\", \"stress at work\"]}\n",
                              &o),
                     QUARRY_OK);
    assert_string_equal(at(c, 3)->codes[0], "work");
    assert_string_equal(at(c, 3)->codes[1], "work.stress");

    /* A name two codes share: refused, naming both. */
    assert_int_equal(read_str(c, "shared.csv",
                              "id,text,code\nm1,one,work\nm2,two,SUPPORT\n",
                              &o),
                     QUARRY_EPARSE);
    msg = quarry_corpus_errmsg(c);
    assert_string_equal(msg, "shared.csv:3: field \"code\": \"SUPPORT\" is "
                             "the name of two codes in book.json, "
                             "\"home.a\" and \"home.b\": give the id");

    /* Neither an id nor a name: refused with file, line and field. */
    assert_int_equal(read_str(c, "unknown.csv",
                              "id,text,code\nu1,one,work\nu2,two,Stres\n", &o),
                     QUARRY_EPARSE);
    assert_string_equal(quarry_corpus_errmsg(c),
                        "unknown.csv:3: field \"code\": unknown code "
                        "\"Stres\" (not in book.json)");
    assert_int_equal(quarry_corpus_size(c), 4);

    /* Without a codebook, a name is kept as it is. */
    o.codebook = NULL;
    assert_int_equal(read_str(c, "free.csv", "id,text,code\nf1,x,Stres\n", &o),
                     QUARRY_OK);
    assert_string_equal(at(c, 4)->codes[0], "Stres");

    quarry_corpus_free(c);
    quarry_codebook_free(cb);
    quarry_engine_free(e);
}

/* ------------------------------------------------------------------ */
/* Empty excerpts */

static void test_empty_left_out(void **state)
{
    static const char file[] = "{\"id\": \"a\", \"text\": \"kept\"}\n"
                               "{\"id\": \"b\", \"text\": \"\"}\n"
                               "{\"id\": \"c\", \"text\": \"  \\t\\n\"}\n"
                               "{\"id\": \"d\", \"text\": \"kept too\"}\n"
                               "{\"id\": \"e\", \"text\": \" \"}\n"
                               "\n"
                               "{\"id\": \"f\", \"text\": \"\"}\n"
                               "{\"id\": \"g\", \"text\": \"\"}\n"
                               "{\"id\": \"h\", \"text\": \"\\u00a0\"}\n";
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    notices ns;
    (void)state;

    memset(&ns, 0, sizeof ns);
    o.notice = on_notice;
    o.notice_ctx = &ns;
    assert_int_equal(read_str(c, "news.jsonl", file, &o), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 1)->id, "d");
    assert_int_equal(ns.n, 1);
    assert_int_equal(ns.level, QUARRY_LOG_INFO);
    assert_string_equal(ns.last, "news.jsonl: 6 empty excerpts left out "
                                 "(lines 2, 3, 5, 7, 8, ...)");

    /* One: singular. CSV too. */
    memset(&ns, 0, sizeof ns);
    assert_int_equal(read_str(c, "one.csv", "id,text\nx,fine\ny,\" \"\n", &o),
                     QUARRY_OK);
    assert_int_equal(ns.n, 1);
    assert_string_equal(ns.last, "one.csv: 1 empty excerpt left out (line 3)");

    /* None: no notice. */
    memset(&ns, 0, sizeof ns);
    assert_int_equal(read_str(c, "none.csv", "id,text\nz,fine\n", &o),
                     QUARRY_OK);
    assert_int_equal(ns.n, 0);

    /* strict refuses, listing them; no notice, nothing read. */
    quarry_corpus_free(c);
    c = new_corpus();
    memset(&ns, 0, sizeof ns);
    o.strict = 1;
    assert_int_equal(read_str(c, "strict.jsonl", file, &o), QUARRY_EPARSE);
    assert_int_equal(ns.n, 0);
    assert_string_equal(quarry_corpus_errmsg(c),
                        "strict.jsonl: 6 bad lines; nothing of the file was "
                        "read:\n"
                        "  strict.jsonl:2: field \"text\": empty text\n"
                        "  strict.jsonl:3: field \"text\": empty text\n"
                        "  strict.jsonl:5: field \"text\": empty text\n"
                        "  strict.jsonl:7: field \"text\": empty text\n"
                        "  strict.jsonl:8: field \"text\": empty text\n"
                        "  strict.jsonl:9: field \"text\": empty text");
    assert_int_equal(quarry_corpus_size(c), 0);

    /* allow_empty keeps them. */
    o.strict = 0;
    o.allow_empty = 1;
    assert_int_equal(read_str(c, "keep.jsonl", file, &o), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 8);
    assert_int_equal(ns.n, 0);
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* The list of bad records */

static void test_bad_rows_listed(void **state)
{
    quarry_corpus *c = new_corpus();
    char *file = malloc(64 * 1024);
    size_t n = 0;
    int i;
    const char *msg;
    char want[128];
    (void)state;

    assert_non_null(file);
    /* 26 rows: a good one, then 25 bad of several kinds. */
    n += (size_t)sprintf(file + n, "id,text,code\ngood,fine,a\n");
    for (i = 0; i < 25; i++) {
        if (i % 3 == 0)
            n += (size_t)sprintf(file + n, ",no id %d,a\n", i);
        else if (i % 3 == 1)
            n += (size_t)sprintf(file + n, "r%d,too,many,fields\n", i);
        else
            n += (size_t)sprintf(file + n, "good,duplicate %d,a\n", i);
    }
    assert_int_equal(quarry_corpus_read_buffer(c, file, n, "bad.csv", NULL),
                     QUARRY_EPARSE);
    msg = quarry_corpus_errmsg(c);
    assert_int_equal(quarry_corpus_size(c), 0);
    /* The head, then the first 20, one a line, then the rest counted. */
    assert_true(strncmp(msg,
                        "bad.csv: 25 bad rows; nothing of the file was "
                        "read:\n  bad.csv:3: field \"id\": empty id\n"
                        "  bad.csv:4: 4 fields, but the header has 3\n"
                        "  bad.csv:5: field \"id\": duplicate id \"good\" "
                        "(first on line 2)\n",
                        strlen("bad.csv: 25 bad rows; nothing of the file was "
                               "read:\n  bad.csv:3: field \"id\": empty id\n"
                               "  bad.csv:4: 4 fields, but the header has 3\n"
                               "  bad.csv:5: field \"id\": duplicate id "
                               "\"good\" (first on line 2)\n")) == 0);
    assert_has(msg, "\n  bad.csv:22: ");
    assert_lacks(msg, "bad.csv:23:");
    snprintf(want, sizeof want, "\n  ... and 5 more");
    assert_has(msg, want);
    assert_int_equal((int)strlen(strstr(msg, want)), (int)strlen(want));

    /* JSONL: malformed lines, wrong types and bad UTF-8 are listed too. */
    n = (size_t)sprintf(file, "{\"id\": \"a\", \"text\": \"ok\"}\n"
                              "{\"id\": \"b\", \"text\": 3}\n"
                              "not json\n"
                              "{\"id\": \"c\", \"text\": \"bad \xff byte\"}\n"
                              "{\"id\": \"d\", \"text\": \"ok too\"}\n");
    assert_int_equal(quarry_corpus_read_buffer(c, file, n, "bad.jsonl", NULL),
                     QUARRY_EPARSE);
    msg = quarry_corpus_errmsg(c);
    assert_has(msg, "bad.jsonl: 3 bad lines; nothing of the file was read:\n");
    assert_has(msg, "\n  bad.jsonl:2: field \"text\": must be a string, not "
                    "an integer\n");
    assert_has(msg, "\n  bad.jsonl:3: malformed JSON");
    assert_has(msg, "\n  bad.jsonl:4: field \"text\": invalid UTF-8 at byte");
    assert_lacks(msg, "more");
    assert_int_equal(quarry_corpus_size(c), 0);

    /* One bad record keeps the message it always had. */
    n = (size_t)sprintf(file, "id,text\nx,fine\n,no id\n");
    assert_int_equal(quarry_corpus_read_buffer(c, file, n, "one.csv", NULL),
                     QUARRY_EPARSE);
    assert_string_equal(quarry_corpus_errmsg(c),
                        "one.csv:3: field \"id\": empty id");

    /* A broken quote stops the reading; the rows before it are listed
     * and the break comes last. */
    n = (size_t)sprintf(file, "id,text\n,a\n,b\nq,\"x\"y\nlater,,\n");
    assert_int_equal(quarry_corpus_read_buffer(c, file, n, "quote.csv", NULL),
                     QUARRY_EPARSE);
    msg = quarry_corpus_errmsg(c);
    assert_has(msg, "quote.csv: 3 bad rows;");
    assert_has(msg, "\n  quote.csv:4: field \"text\": malformed CSV");
    assert_lacks(msg, "quote.csv:5");
    free(file);
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* A header of 100,000 columns */

static char *wide_csv(size_t cols, int repeat_last, size_t *len)
{
    size_t cap = cols * 16 + 64, n = 0, i;
    char *s = malloc(cap);

    assert_non_null(s);
    n += (size_t)sprintf(s + n, "id,text");
    for (i = 0; i < cols - 2; i++)
        n += (size_t)sprintf(s + n, ",col%zu", i);
    if (repeat_last)
        n += (size_t)sprintf(s + n, ",col%zu", cols / 2);
    n += (size_t)sprintf(s + n, "\nw1,wide");
    for (i = 0; i < cols - 2 + (size_t)repeat_last; i++)
        n += (size_t)sprintf(s + n, ",%zu", i % 10);
    n += (size_t)sprintf(s + n, "\n");
    assert_true(n < cap);
    *len = n;
    return s;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void test_csv_wide_header(void **state)
{
    quarry_corpus *c = new_corpus();
    size_t len;
    char *s = wide_csv(100000, 0, &len);
    double t0 = seconds(), t;
    (void)state;

    assert_int_equal(quarry_corpus_read_buffer(c, s, len, "wide.csv", NULL),
                     QUARRY_OK);
    t = seconds() - t0;
    assert_int_equal(quarry_corpus_size(c), 1);
    assert_string_equal(quarry_corpus_attribute(c, 0, "col99997"), "7");
    free(s);
    /* A repeated name found at its column, as a left-to-right scan would. */
    s = wide_csv(100000, 1, &len);
    t0 = seconds();
    assert_int_equal(quarry_corpus_read_buffer(c, s, len, "dup.csv", NULL),
                     QUARRY_EPARSE);
    t += seconds() - t0;
    assert_string_equal(quarry_corpus_errmsg(c),
                        "dup.csv:1: field \"col50000\": column name appears "
                        "twice in the header");
    free(s);
    /* Quadratic took 96 s here; linear takes well under a second, even
     * under a sanitizer. */
    if (t > 5.0)
        fail_msg("100,000 columns took %.1f s", t);
    quarry_corpus_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_delimiter_detected),
        cmocka_unit_test(test_csv_delimiter_tie_and_forced),
        cmocka_unit_test(test_csv_excel),
        cmocka_unit_test(test_codes_by_name),
        cmocka_unit_test(test_empty_left_out),
        cmocka_unit_test(test_bad_rows_listed),
        cmocka_unit_test(test_csv_wide_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
