/*
 * test_scale.c -- small files that once made quarry work for minutes:
 * a 100,000-code codebook (its checks were quadratic: duplicate ids,
 * parents, cycles; and storing it read max(position) per code) and a
 * 5,000-code .qdc imported twice into a project (each code was matched by
 * a UUID per project code). Each must finish in seconds and still give
 * the same answers (the duplicate and the cycle named, codes matched by
 * GUID on the second import). Also a 10,000-deep chain into a project
 * (its tree check walked every chain from every code) and 5,000 codes of
 * one name in a .qdc (each new id tried "name (2)".. up to its own k).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "quarry/quarry.h"
#include "test_files.h"
#include "test_util.h"

/* CPU seconds (a loaded machine stretches wall time): far above what the
 * linear code needs (about a second each), far below what the quadratic
 * one took (minutes). */
#define BUDGET_SECONDS 30.0

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "scale");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

/* n codes; code i's parent is code i-1 (one chain n deep: the worst case
 * for a walk to the root) unless flat. last_parent: the first code's
 * parent (a cycle through every code), or NULL. dup: the last id repeats
 * the first. */
static void write_codebook(const char *path, int n, int flat,
                           const char *first_parent, int dup)
{
    FILE *f = fopen(path, "w");
    int i;
    assert_non_null(f);
    fputs("{\"codes\": [\n", f);
    for (i = 0; i < n; i++) {
        fprintf(f, "%s{\"id\": \"c%d\", \"name\": \"Code %d\"",
                i ? ",\n" : "", dup && i == n - 1 ? 0 : i, i);
        if (i == 0 && first_parent != NULL)
            fprintf(f, ", \"parent\": \"%s\"", first_parent);
        else if (i > 0 && !flat)
            fprintf(f, ", \"parent\": \"c%d\"", i - 1);
        fputs("}", f);
    }
    fputs("\n]}\n", f);
    fclose(f);
}

/* The CPU seconds since t0 within the budget, or the test fails naming
 * what took them. */
static void within_budget(double t0, const char *what)
{
    double t = now() - t0;
    if (t > BUDGET_SECONDS)
        fail_msg("%s took %.1f s", what, t);
}

/* A new project at file name in the test folder. */
static quarry_project *new_project(const char *name)
{
    quarry_project *p = NULL;
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_create(p, tmp(name)) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

/* Import codebook file name into p; *added as the import says. */
static void import_codebook(quarry_project *p, quarry_engine *e,
                            const char *name, int32_t *added)
{
    if (quarry_project_codebook_import(p, e, tmp(name), added, NULL) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* Import .qdc file name into p: want_added codes added, want_updated
 * updated. */
static void import_qdc(quarry_project *p, const char *name, int32_t want_added,
                       int32_t want_updated)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    int32_t added = 0, updated = 0;
    if (quarry_project_import_qdc(p, tmp(name), &o, &added, &updated) !=
        QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(added, want_added);
    assert_int_equal(updated, want_updated);
}

static void assert_codes(quarry_project *p, int64_t want)
{
    quarry_project_counts n;
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    assert_int_equal(n.codes, want);
}

static void test_codebook_100k(void **state)
{
    quarry_engine *e = test_engine();
    quarry_codebook *cb = NULL;
    char last[32];
    double t = now();
    (void)state;
    write_codebook(tmp("chain.json"), 100000, 0, NULL, 0);
    if (quarry_codebook_load(&cb, e, tmp("chain.json")) != QUARRY_OK)
        fail_msg("%s", quarry_engine_errmsg(e));
    assert_int_equal(quarry_codebook_size(cb), 100000);
    assert_int_equal(quarry_codebook_find(cb, "c99999"), 99999);
    assert_int_equal(quarry_codebook_find(cb, "c0"), 0);
    assert_int_equal(quarry_codebook_find(cb, "nope"), -1);
    assert_true(quarry_codebook_is_theme(cb, 99998));
    assert_false(quarry_codebook_is_theme(cb, 99999));
    quarry_codebook_free(cb);
    cb = NULL;

    write_codebook(tmp("flat.json"), 100000, 1, NULL, 1);
    assert_int_equal(quarry_codebook_load(&cb, e, tmp("flat.json")),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           "code \"c0\": duplicate id: codes[0] ("));
    assert_non_null(strstr(quarry_engine_errmsg(e), ") and codes[99999] ("));

    /* c0's parent is the last code: every code is in one cycle. */
    snprintf(last, sizeof last, "c%d", 99999);
    write_codebook(tmp("cycle.json"), 100000, 0, last, 0);
    assert_int_equal(quarry_codebook_load(&cb, e, tmp("cycle.json")),
                     QUARRY_EPARSE);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           "code \"c0\": its parents form a cycle"));

    within_budget(t, "three 100,000-code codebooks");
    quarry_engine_free(e);
}

/* The same codebook into a project: each insert once read max(position). */
static void test_codebook_100k_project(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p;
    int32_t added = 0;
    double t = now();
    (void)state;
    write_codebook(tmp("flat100k.json"), 100000, 1, NULL, 0);
    p = new_project("cb.quarry");
    import_codebook(p, e, "flat100k.json", &added);
    assert_int_equal(added, 100000);
    assert_codes(p, 100000);
    within_budget(t, "a 100,000-code codebook into a project");
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* A .qdc of n codes with GUIDs from i: 50 themes of n/50 codes each, or
 * with same, n codes all named "Same". */
static void write_qdc(const char *path, int n, int same)
{
    FILE *f = fopen(path, "w");
    int i, per = n / 50;
    assert_non_null(f);
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
          "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\n", f);
    for (i = 0; i < n; i++) {
        if (same)
            fprintf(f,
                    "<Code guid=\"0b0b0b0b-0000-4000-8000-%012d\" "
                    "name=\"Same\" isCodable=\"true\"/>\n",
                    i);
        else if (i % per == 0)
            fprintf(f, "%s<Code guid=\"0a0a0a0a-0000-4000-8000-%012d\" "
                       "name=\"Theme %d\" isCodable=\"false\">\n",
                    i ? "</Code>\n" : "", i, i / per);
        else
            fprintf(f, "<Code guid=\"0a0a0a0a-0000-4000-8000-%012d\" "
                       "name=\"Code %d\" isCodable=\"true\"/>\n", i, i);
    }
    fputs(same ? "</Codes></CodeBook>\n" : "</Code>\n</Codes></CodeBook>\n", f);
    fclose(f);
}

static void test_qdc_5k(void **state)
{
    quarry_project *p;
    double t = now();
    (void)state;
    write_qdc(tmp("big.qdc"), 5000, 0);
    p = new_project("big.quarry");
    import_qdc(p, "big.qdc", 5000, 0);
    /* Again: every code is found by the GUID kept the first time. */
    import_qdc(p, "big.qdc", 0, 5000);
    assert_codes(p, 5000);
    within_budget(t, "two imports of a 5,000-code .qdc");
    quarry_project_free(p);
}

/* A 10,000-deep chain into a project: the check that no code is its own
 * ancestor once walked up from every code. */
static void test_chain_10k_project(void **state)
{
    quarry_engine *e = test_engine();
    quarry_project *p;
    int32_t added = 0;
    double t = now();
    (void)state;
    write_codebook(tmp("chain10k.json"), 10000, 0, NULL, 0);
    p = new_project("chain.quarry");
    import_codebook(p, e, "chain10k.json", &added);
    assert_int_equal(added, 10000);
    /* again: every code updated, the chain checked once more */
    import_codebook(p, e, "chain10k.json", &added);
    assert_codes(p, 10000);
    within_budget(t, "a 10,000-deep chain into a project");
    quarry_project_free(p);
    quarry_engine_free(e);
}

/* 5,000 codes named "Same" in one .qdc: ids "Same", "Same (2)" .. */
static void test_qdc_same_name_5k(void **state)
{
    quarry_project *p;
    const quarry_project_code *codes = NULL;
    int32_t n_codes = 0, k;
    int found = 0;
    double t = now();
    (void)state;
    write_qdc(tmp("same.qdc"), 5000, 1);
    p = new_project("same.quarry");
    import_qdc(p, "same.qdc", 5000, 0);
    assert_codes(p, 5000);
    assert_int_equal(quarry_project_codes(p, &codes, &n_codes), QUARRY_OK);
    for (k = 0; k < n_codes; k++)
        found += strcmp(codes[k].id, "Same") == 0 ||
                 strcmp(codes[k].id, "Same (2)") == 0 ||
                 strcmp(codes[k].id, "Same (5000)") == 0;
    assert_int_equal(found, 3);
    within_budget(t, "5,000 codes of one name from a .qdc");
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codebook_100k),
        cmocka_unit_test(test_codebook_100k_project),
        cmocka_unit_test(test_qdc_5k),
        cmocka_unit_test(test_chain_10k_project),
        cmocka_unit_test(test_qdc_same_name_5k),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
