/*
 * test_sources.c -- a project's sources (quarry_project_sources) and
 * taking one out again (quarry_project_source_remove): refused while a
 * coding, a decision or a memo is on its excerpts, with nothing changed;
 * otherwise its excerpts and their suggestions go, and the file imports
 * again with other options. Also a file imported again with
 * --interviewer: its turns take the role it gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "quarry/quarry.h"
#include "test_files.h"
#include "test_project_util.h"
#include "test_reader_util.h"

static char dir[512];

typedef struct listing {
    char text[1024];
} listing;

static int list_row(void *ctx, const quarry_source_row *r)
{
    listing *l = ctx;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s %s %lld/%lld/%lld/%lld;",
             r->name, r->format, (long long)r->excerpts, (long long)r->codings,
             (long long)r->decisions, (long long)r->memos);
    return 0;
}

static const char *sources(quarry_project *p)
{
    static listing l;
    memset(&l, 0, sizeof l);
    assert_int_equal(quarry_project_sources(p, list_row, &l), QUARRY_OK);
    return l.text;
}

static void import(quarry_project *p, const char *file, const char *iv)
{
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    io.read.interviewers = iv;
    if (quarry_project_import(p, data_path(file), &io, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

static void test_remove_and_import_again(void **state)
{
    char path[600];
    quarry_project *p;
    quarry_source_row r;
    quarry_decision d = QUARRY_DECISION_INIT;
    (void)state;
    test_tmpdir(dir, sizeof dir, "sources");
    snprintf(path, sizeof path, "%s/s.quarry", dir);
    p = test_project_at(path, "2026-01-31T12:00:00Z");
    import(p, "transcripts/otter.txt", NULL);
    import(p, "transcripts/rev.txt", NULL);
    assert_string_equal(sources(p), "otter.txt transcript 6/0/0/0;"
                                    "rev.txt transcript 6/0/0/0;");
    /* rev.txt coded once: it stays, and says why. */
    d.coder = "ana";
    d.excerpt = "rev#2";
    d.code = "staffing";
    d.verdict = QUARRY_VERDICT_ADD;
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_ENOTFOUND);
    {
        quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
        e.coder = "ana";
        e.name = "Staffing";
        e.id = "staffing";
        assert_int_equal(quarry_project_code_edit(p, QUARRY_CODE_ADD, &e, NULL),
                         QUARRY_OK);
    }
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    assert_int_equal(quarry_project_source_remove(p, "rev.txt", &r),
                     QUARRY_EINVAL);
    assert_has(quarry_project_errmsg(p), "rev.txt stays: people have worked "
                                         "on its excerpts (1 coding, 1 "
                                         "decision, 0 memos)");
    assert_string_equal(sources(p), "otter.txt transcript 6/0/0/0;"
                                    "rev.txt transcript 6/1/1/0;");
    /* An unknown name lists those there are. */
    assert_int_equal(quarry_project_source_remove(p, "P99.txt", NULL),
                     QUARRY_ENOTFOUND);
    assert_has(quarry_project_errmsg(p), "(it has: otter.txt, rev.txt)");
    /* otter.txt, nobody's work on it: out, by its file name, and in again
     * with its interviewer named. */
    assert_int_equal(quarry_project_source_remove(p, "otter.txt", &r),
                     QUARRY_OK);
    assert_int_equal(r.excerpts, 6);
    assert_string_equal(sources(p), "rev.txt transcript 6/1/1/0;");
    import(p, "transcripts/otter.txt", "Speaker 1");
    assert_string_equal(sources(p), "rev.txt transcript 6/1/1/0;"
                                    "otter.txt transcript 6/0/0/0;");
    quarry_project_free(p);
    test_rmdir(dir);
}

static int role_of(quarry_project *p, const char *xid, char *out, size_t cap)
{
    quarry_corpus *c = NULL;
    size_t i;
    int found = 0;
    assert_int_equal(quarry_project_corpus(p, 0, &c), QUARRY_OK);
    for (i = 0; i < quarry_corpus_size(c); i++)
        if (strcmp(quarry_corpus_at(c, i)->id, xid) == 0) {
            const char *r = quarry_corpus_attribute(c, i, "role");
            snprintf(out, cap, "%s", r ? r : "");
            found = 1;
        }
    quarry_corpus_free(c);
    return found;
}

static void test_interviewer_named_on_a_second_import(void **state)
{
    char path[600], role[32];
    quarry_project *p;
    quarry_import_stats st;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    (void)state;
    test_tmpdir(dir, sizeof dir, "sources");
    snprintf(path, sizeof path, "%s/r.quarry", dir);
    p = test_project_at(path, "2026-01-31T12:00:00Z");
    import(p, "transcripts/otter.txt", NULL);
    assert_true(role_of(p, "otter#1", role, sizeof role));
    assert_string_equal(role, "participant");
    io.read.interviewers = "Speaker 1";
    assert_int_equal(quarry_project_import(p, data_path("transcripts/otter.txt"),
                                           &io, &st),
                     QUARRY_OK);
    assert_int_equal(st.excerpts, 0);
    assert_int_equal(st.retagged, 3);
    assert_true(role_of(p, "otter#1", role, sizeof role));
    assert_string_equal(role, "interviewer");
    assert_true(role_of(p, "otter#2", role, sizeof role));
    assert_string_equal(role, "participant");
    quarry_project_free(p);
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remove_and_import_again),
        cmocka_unit_test(test_interviewer_named_on_a_second_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
