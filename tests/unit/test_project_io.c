/*
 * test_project_io.c -- what goes into a project and what comes out of it
 * for analysis: attributes set on import (--study, --participant, --attr),
 * a second coder's copy of excerpts merged (and a changed text refused,
 * the file whole or not at all), and the tables (csv, matrix,
 * cooccurrence, quotes) for one coder or all, with the attributes as
 * columns and quotations on one line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quarry/quarry.h"
#include "test_files.h"
#include "test_project_util.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

/* ana's coding of three excerpts; the second has a line break. */
static const char ana[] =
    "{\"id\": \"m1\", \"text\": \"I walk home the long way.\", \"code\": "
    "\"selfcare\", \"study\": \"from-file\"}\n"
    "{\"id\": \"m2\", \"text\": \"Nobody knows\\r\\n\\r\\nwhat I am for.\", "
    "\"code\": [\"drift\", \"credibility\"]}\n"
    "{\"id\": \"m3\", \"text\": \"Caf\xC3\xA9 with peers keeps me going.\", "
    "\"code\": \"peers\"}\n";

/* bo's copy: same ids and texts, bo's codes (one as ana's). */
static const char bo[] =
    "{\"id\": \"m1\", \"coder\": \"bo\", \"text\": \"I walk home the long "
    "way.\", \"code\": \"selfcare\"}\n"
    "{\"id\": \"m2\", \"coder\": \"bo\", \"text\": \"Nobody knows\\r\\n\\r\\n"
    "what I am for.\", \"code\": \"credibility\"}\n"
    "{\"id\": \"m3\", \"coder\": \"bo\", \"text\": \"Caf\xC3\xA9 with peers "
    "keeps me going.\", \"code\": \"organisation\"}\n";

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/quarry-project-io-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    test_write_file(tmp("ana.jsonl"), ana);
    test_write_file(tmp("bo.jsonl"), bo);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static quarry_project *fresh(const char *name)
{
    return test_project_at(tmp(name), "2026-01-31T12:00:00Z");
}

static void import_ok(quarry_project *p, const char *file, const char *coder,
                      quarry_import_stats *st)
{
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    io.coder = coder;
    io.add_codes = 1;
    if (quarry_project_import(p, tmp(file), &io, st) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

static void test_import_attributes(void **state)
{
    quarry_project *p = fresh("attrs.quarry");
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    const char *good[] = {"site=Leeds", "note=a=b", "empty="};
    const char *bad[][1] = {{"=x"}, {"nokey"}, {"text=x"}, {"coder=x"}};
    quarry_project_counts n;
    quarry_corpus *c = NULL;
    size_t i;
    (void)state;

    /* Bad keys are refused before anything is read or written. */
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        io.attributes = bad[i];
        io.n_attributes = 1;
        assert_int_equal(quarry_project_import(p, tmp("ana.jsonl"), &io, NULL),
                         QUARRY_EINVAL);
        assert_non_null(strstr(quarry_project_errmsg(p), bad[i][0]));
    }
    assert_non_null(strstr(quarry_project_errmsg(p), "not an attribute"));
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.excerpts, 0);

    /* The options win over the file's own "study". */
    io.study = "S1";
    io.participant = "P7";
    io.attributes = good;
    io.n_attributes = 3;
    assert_int_equal(quarry_project_import(p, tmp("ana.jsonl"), &io, NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_project_corpus(p, QUARRY_SUBSET_ALL, &c),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 3);
    for (i = 0; i < 3; i++) {
        assert_string_equal(quarry_corpus_attribute(c, i, "study"), "S1");
        assert_string_equal(quarry_corpus_attribute(c, i, "participant"),
                            "P7");
        assert_string_equal(quarry_corpus_attribute(c, i, "site"), "Leeds");
        assert_string_equal(quarry_corpus_attribute(c, i, "note"), "a=b");
        assert_string_equal(quarry_corpus_attribute(c, i, "empty"), "");
    }
    quarry_corpus_free(c);
    c = NULL;

    /* The same file again with another study: nothing added, the study
     * of the excerpts already in set (what synth's message tells a
     * researcher to do), the other attributes kept; once more, nothing
     * changes. */
    {
        quarry_import_options again = QUARRY_IMPORT_OPTIONS_INIT;
        quarry_import_stats st;
        again.study = "S2";
        assert_int_equal(
            quarry_project_import(p, tmp("ana.jsonl"), &again, &st),
            QUARRY_OK);
        assert_int_equal(st.excerpts, 0);
        assert_int_equal(st.merged, 3);
        assert_int_equal(st.retagged, 3);
        assert_int_equal(
            quarry_project_import(p, tmp("ana.jsonl"), &again, &st),
            QUARRY_OK);
        assert_int_equal(st.merged, 3);
        assert_int_equal(st.retagged, 0);
    }
    assert_int_equal(quarry_project_corpus(p, QUARRY_SUBSET_ALL, &c),
                     QUARRY_OK);
    for (i = 0; i < 3; i++) {
        assert_string_equal(quarry_corpus_attribute(c, i, "study"), "S2");
        assert_string_equal(quarry_corpus_attribute(c, i, "participant"),
                            "P7");
        assert_string_equal(quarry_corpus_attribute(c, i, "site"), "Leeds");
    }
    quarry_corpus_free(c);
    quarry_project_free(p);
}

static void test_import_merge(void **state)
{
    quarry_project *p = fresh("merge.quarry");
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_import_stats st;
    quarry_project_counts n;
    (void)state;
    import_ok(p, "ana.jsonl", "ana", &st);
    assert_int_equal(st.excerpts, 3);
    assert_int_equal(st.codings, 4);
    assert_int_equal(st.merged, 0);

    /* bo's copy: no new excerpt or source, bo's three codings. */
    import_ok(p, "bo.jsonl", NULL, &st);
    assert_int_equal(st.excerpts, 0);
    assert_int_equal(st.merged, 3);
    assert_int_equal(st.codings, 3);
    assert_int_equal(st.codes, 1); /* organisation */
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.sources, 1);
    assert_int_equal(n.excerpts, 3);
    assert_int_equal(n.codings, 7);
    assert_int_equal(n.coders, 2);

    /* Again: nothing doubles. */
    import_ok(p, "bo.jsonl", NULL, &st);
    assert_int_equal(st.codings, 0);
    assert_int_equal(st.merged, 3);

    /* A new excerpt beside a known one: one source more, one excerpt. */
    test_write_file(tmp("mixed.jsonl"),
               "{\"id\": \"m1\", \"text\": \"I walk home the long way.\", "
               "\"code\": \"drift\"}\n"
               "{\"id\": \"m4\", \"text\": \"New here.\"}\n");
    import_ok(p, "mixed.jsonl", "cy", &st);
    assert_int_equal(st.excerpts, 1);
    assert_int_equal(st.merged, 1);
    assert_int_equal(st.codings, 1);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.sources, 2);

    /* Another text under a known id: refused whole, naming both texts
     * from the first character that differs (the 5th: after "Caf\xC3\xA9"
     * counts one). The first line's coding is not kept. */
    test_write_file(tmp("changed.jsonl"),
               "{\"id\": \"m1\", \"text\": \"I walk home the long way.\", "
               "\"code\": \"peers\"}\n"
               "{\"id\": \"m3\", \"text\": \"Caf\xC3\xA9 and peers keep me "
               "going.\", \"code\": \"peers\"}\n");
    io.coder = "dee";
    assert_int_equal(quarry_project_import(p, tmp("changed.jsonl"), &io, &st),
                     QUARRY_EDUP);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "changed.jsonl:2: field \"text\": excerpt \"m3\" "
                           "is already in the project (from ana.jsonl:3) "
                           "with another text; they differ at character 6: "
                           "\"Caf\xC3\xA9 and peers keep me ...\" here, "
                           "\"Caf\xC3\xA9 with peers keeps m...\" in the "
                           "project; nothing imported"));
    assert_int_equal(st.codings, 0);
    assert_int_equal(quarry_project_check_coder(p, "dee"), QUARRY_ENOTFOUND);
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.codings, 8);

    /* A text that is the start of the known one. */
    test_write_file(tmp("short.jsonl"),
               "{\"id\": \"m1\", \"text\": \"I walk home\"}\n");
    assert_int_equal(quarry_project_import(p, tmp("short.jsonl"), &io, NULL),
                     QUARRY_EDUP);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "differ at character 12: (the end of the text) "
                           "here, \"...alk home the long way.\" in the "
                           "project"));
    quarry_project_free(p);
}

typedef int (*table_fn)(quarry_project *, FILE *,
                        const quarry_export_options *);

static char *table(quarry_project *p, table_fn fn, const char *coder)
{
    quarry_export_options o = QUARRY_EXPORT_OPTIONS_INIT;
    FILE *f = fopen(tmp("table.csv"), "wb");
    assert_non_null(f);
    o.coder = coder;
    if (fn(p, f, &o) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    fclose(f);
    {
        size_t len;
        return test_slurp(tmp("table.csv"), &len);
    }
}

static void test_tables(void **state)
{
    quarry_project *p = fresh("tables.quarry");
    quarry_export_options o = QUARRY_EXPORT_OPTIONS_INIT;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    const char *attrs[] = {"source=field notes", "wave=2"};
    char *t;
    FILE *f;
    (void)state;
    io.coder = "ana";
    io.study = "S1";
    io.attributes = attrs;
    io.n_attributes = 2;
    assert_int_equal(quarry_project_import(p, tmp("ana.jsonl"), &io, NULL),
                     QUARRY_OK);
    import_ok(p, "bo.jsonl", NULL, NULL);

    /* Quotes: one row per code and excerpt, the coders who gave it, the
     * text on one line; "source" as an attribute does not hide the
     * source's own column. */
    t = table(p, quarry_project_export_quotes, NULL);
    assert_string_equal(
        t, "code,name,theme,coder,study,participant,speaker,source,excerpt,"
           "text,attribute.source,wave\n"
           "selfcare,selfcare,,ana; bo,S1,,,ana.jsonl,m1,I walk home the "
           "long way.,field notes,2\n"
           "drift,drift,,ana,S1,,,ana.jsonl,m2,Nobody knows what I am for.,"
           "field notes,2\n"
           "credibility,credibility,,ana; bo,S1,,,ana.jsonl,m2,Nobody knows "
           "what I am for.,field notes,2\n"
           "peers,peers,,ana,S1,,,ana.jsonl,m3,Caf\xC3\xA9 with peers keeps "
           "me going.,field notes,2\n"
           "organisation,organisation,,bo,S1,,,ana.jsonl,m3,Caf\xC3\xA9 with "
           "peers keeps me going.,field notes,2\n");
    free(t);
    t = table(p, quarry_project_export_quotes, "bo");
    assert_null(strstr(t, "drift"));
    assert_null(strstr(t, "ana"  ";"));
    assert_non_null(strstr(t, "\norganisation,organisation,,bo,"));
    free(t);

    /* One coder's matrix: a disagreement is not both codes. */
    t = table(p, quarry_project_export_matrix, "bo");
    assert_string_equal(t, "excerpt,source,speaker,selfcare,drift,credibility,"
                           "peers,organisation,attribute.source,study,wave\n"
                           "m1,ana.jsonl,,1,0,0,0,0,field notes,S1,2\n"
                           "m2,ana.jsonl,,0,0,1,0,0,field notes,S1,2\n"
                           "m3,ana.jsonl,,0,0,0,0,1,field notes,S1,2\n");
    free(t);
    t = table(p, quarry_project_export_matrix, NULL);
    assert_non_null(strstr(t, "\nm3,ana.jsonl,,0,0,0,1,1,"));
    free(t);
    t = table(p, quarry_project_export_cooccurrence, "ana");
    assert_non_null(strstr(t, "\ndrift,0,1,1,0,0\n"));
    assert_non_null(strstr(t, "\norganisation,0,0,0,0,0\n"));
    free(t);

    /* Every coding: the text as it is (quoted), attributes as columns. */
    t = table(p, quarry_project_export_csv, "bo");
    assert_string_equal(
        t, "id,code,coder,origin,time,source,speaker,text,passage,"
           "attribute.source,study,wave\n"
           "m1,selfcare,bo,imported,2026-01-31T12:00:00Z,ana.jsonl,,"
           "I walk home the long way.,,field notes,S1,2\n"
           "m2,credibility,bo,imported,2026-01-31T12:00:00Z,ana.jsonl,,"
           "\"Nobody knows\r\n\r\nwhat I am for.\",,field notes,S1,2\n"
           "m3,organisation,bo,imported,2026-01-31T12:00:00Z,ana.jsonl,,"
           "Caf\xC3\xA9 with peers keeps me going.,,field notes,S1,2\n");
    free(t);

    /* A coder with no codings is refused, naming those there are. */
    f = fopen(tmp("table.csv"), "wb");
    o.coder = "zed";
    assert_int_equal(quarry_project_export_quotes(p, f, &o),
                     QUARRY_ENOTFOUND);
    fclose(f);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "coder \"zed\": no codings of that coder"));
    assert_non_null(strstr(quarry_project_errmsg(p), "\"ana\", \"bo\""));
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_attributes),
        cmocka_unit_test(test_import_merge),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
