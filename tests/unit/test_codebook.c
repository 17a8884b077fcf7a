/*
 * test_codebook.c -- codebook loading and validation: the starter codebook,
 * duplicate ids, missing parents, cycles, ids that are not strings, and
 * syntax errors with their line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codebook.h"
#include "quarry/quarry.h"

static quarry_engine *engine(void)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    o.use_default_paths = 0;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    return e;
}

/* Parse text; expect failure with a message containing each of want. */
static void expect_error(const char *json, const char *want1,
                         const char *want2)
{
    quarry_engine *e = engine();
    quarry_codebook *cb = (quarry_codebook *)1;
    int rc = codebook_parse(&cb, e, json, strlen(json), "book.json");
    const char *msg = quarry_engine_errmsg(e);
    assert_int_not_equal(rc, 0);
    assert_null(cb);
    if (strstr(msg, want1) == NULL || (want2 && strstr(msg, want2) == NULL))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", msg, want1,
                 want2 ? want2 : "");
    quarry_engine_free(e);
}

static void starter_codebook_loads(void **state)
{
    quarry_engine *e = engine();
    quarry_codebook *cb = NULL;
    int32_t i, themes = 0;
    (void)state;
    assert_int_equal(
        quarry_codebook_load(&cb, e,
                             QUARRY_TEST_SOURCE_DIR
                             "/dictionaries/codebooks/pss-starter.json"),
        0);
    assert_int_equal(quarry_codebook_size(cb), 21);
    assert_string_equal(quarry_codebook_id(cb, 0), "journey");
    assert_int_equal(quarry_codebook_find(cb, "sup.selfcare"), 20);
    assert_int_equal(quarry_codebook_find(cb, "nope"), -1);
    for (i = 0; i < quarry_codebook_size(cb); i++)
        themes += quarry_codebook_is_theme(cb, i);
    assert_int_equal(themes, 5);
    assert_non_null(strstr(cb->codes[2].definition, "stirs up"));
    assert_true(cb->codes[2].n_keywords > 0);
    quarry_codebook_free(cb);
    quarry_engine_free(e);
}

static void entry_text_joins_fields(void **state)
{
    quarry_engine *e = engine();
    quarry_codebook *cb = NULL;
    const char *j = "{\"codes\":[{\"id\":\"a\",\"name\":\"Apples\","
                    "\"definition\":\"red fruit\",\"exclude\":\"pears\","
                    "\"keywords\":[\"orchard\",\"cider\"]}]}";
    char *t;
    (void)state;
    assert_int_equal(codebook_parse(&cb, e, j, strlen(j), "b.json"), 0);
    t = codebook_entry_text(&cb->codes[0]);
    assert_non_null(strstr(t, "Apples"));
    assert_non_null(strstr(t, "red fruit"));
    assert_non_null(strstr(t, "cider"));
    assert_null(strstr(t, "pears")); /* exclude notes are left out */
    free(t);
    quarry_codebook_free(cb);
    quarry_engine_free(e);
}

/* A codebook kept as a table, as NVivo's codebook saved as CSV from Excel:
 * "Parent\Child" names make the tree (a parent made when only its child
 * is listed), Description is the definition, a name again gets an id of
 * its own, semicolons are read where the header has them; a table with no
 * Name column is named as not a codebook, a row that is not UTF-8 by its
 * row. */
static void table_codebook(void **state)
{
    static const char csv[] =
        "Name,Description,Files,References\r\n"
        "Support,,0,0\r\n"
        "Support\\Peer colleagues,\"Help from other peer workers, "
        "formally or not\",3,12\r\n"
        "Stigma\\From staff,Being treated as a patient,0,0\r\n"
        "Workload\\Peer colleagues,Covering for absent peers,0,0\r\n";
    static const char semi[] = "Code;Definition;Parent\nPeers;Help;Support\n";
    quarry_engine *e = engine();
    quarry_codebook *cb = NULL;
    int32_t i;
    (void)state;
    if (codebook_parse(&cb, e, csv, strlen(csv), "codes.csv") != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    assert_int_equal(quarry_codebook_size(cb), 6);
    i = quarry_codebook_find(cb, "peer-colleagues");
    assert_true(i >= 0);
    assert_string_equal(cb->codes[i].name, "Peer colleagues");
    assert_string_equal(cb->codes[i].parent, "support");
    assert_string_equal(cb->codes[i].definition,
                        "Help from other peer workers, formally or not");
    i = quarry_codebook_find(cb, "peer-colleagues-2");
    assert_true(i >= 0);
    assert_string_equal(cb->codes[i].parent, "workload");
    i = quarry_codebook_find(cb, "stigma"); /* made for its child */
    assert_true(i >= 0 && quarry_codebook_is_theme(cb, i));
    quarry_codebook_free(cb);
    cb = NULL;
    if (codebook_parse(&cb, e, semi, strlen(semi), "codes.csv") != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    i = quarry_codebook_find(cb, "peers");
    assert_true(i >= 0);
    assert_string_equal(cb->codes[i].parent, "support");
    assert_string_equal(cb->codes[i].definition, "Help");
    quarry_codebook_free(cb);
    quarry_engine_free(e);
    expect_error("Theme,Notes\nA,b\n", "not a codebook quarry reads", NULL);
    expect_error("Name,Description\nA,caf\xE9\n", "book.json:2: not UTF-8",
                 "CSV UTF-8");
}

static void duplicate_id(void **state)
{
    (void)state;
    expect_error("{\"codes\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"a\"}]}",
                 "book.json: code \"a\"", "duplicate id");
}

/* The id, both codes' names and their lines; an "id" inside a string
 * (escaped quotes) is no field. */
static void duplicate_id_named(void **state)
{
    (void)state;
    expect_error("{\"codes\": [\n"
                 "  {\"id\": \"a\", \"name\": \"Apples\"},\n"
                 "  {\"id\": \"b\", \"name\": \"Bananas\",\n"
                 "   \"definition\": \"not \\\"id\\\": \\\"a\\\"\"},\n"
                 "  {\"id\": \"a\", \"name\": \"Apricots\"}\n"
                 "]}\n",
                 "book.json: code \"a\": duplicate id: codes[0] (\"Apples\", "
                 "line 2) and codes[2] (\"Apricots\", line 5)",
                 NULL);
}

/* Another "id" field with that value: which lines is not sure, so none
 * are named; a code without a name says so. */
static void duplicate_id_no_lines(void **state)
{
    (void)state;
    expect_error("{\"codes\":[{\"id\":\"a\",\"name\":\"A\","
                 "\"extra\":{\"id\":\"a\"}},\n{\"id\":\"a\"}]}",
                 "code \"a\": duplicate id: codes[0] (\"A\") and codes[1] "
                 "(no name)",
                 NULL);
}

static void missing_parent(void **state)
{
    (void)state;
    expect_error("{\"codes\":[{\"id\":\"a\"},{\"id\":\"b\",\"parent\":\"zz\"}]}",
                 "code \"b\"", "parent \"zz\" is not a code");
}

static void cycle(void **state)
{
    (void)state;
    expect_error("{\"codes\":[{\"id\":\"r\"},{\"id\":\"a\",\"parent\":\"b\"},"
                 "{\"id\":\"b\",\"parent\":\"a\"}]}",
                 "code \"a\"", "cycle");
    expect_error("{\"codes\":[{\"id\":\"a\",\"parent\":\"a\"}]}", "code \"a\"",
                 "cycle");
}

static void id_not_string(void **state)
{
    (void)state;
    expect_error("{\"codes\":[{\"id\":\"a\"},{\"id\":7}]}", "codes[1]",
                 "field \"id\"");
    expect_error("{\"codes\":[{\"name\":\"x\"}]}", "codes[0]", "missing");
}

static void syntax_error_has_line(void **state)
{
    (void)state;
    expect_error("{\"codes\": [\n{\"id\": \"a\"},\n{\"id\" \"b\"}]}",
                 "book.json:3", NULL);
    expect_error("{\"codez\": []}", "book.json", "\"codes\"");
}

static void missing_file(void **state)
{
    quarry_engine *e = engine();
    quarry_codebook *cb = NULL;
    (void)state;
    assert_int_not_equal(quarry_codebook_load(&cb, e, "/nonexistent/x.json"),
                         0);
    assert_null(cb);
    assert_non_null(strstr(quarry_engine_errmsg(e), "/nonexistent/x.json"));
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(starter_codebook_loads),
        cmocka_unit_test(table_codebook),
        cmocka_unit_test(entry_text_joins_fields),
        cmocka_unit_test(duplicate_id),
        cmocka_unit_test(duplicate_id_named),
        cmocka_unit_test(duplicate_id_no_lines),
        cmocka_unit_test(missing_parent),
        cmocka_unit_test(cycle),
        cmocka_unit_test(id_not_string),
        cmocka_unit_test(syntax_error_has_line),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
