/*
 * test_review_queue.c -- quarry_project_review_next_skipping()
 * (project_queue.c), the queue an interactive review walks: the same first
 * item as quarry_project_review_next() when nothing is skipped, skipped
 * excerpts passed over, the progress counts, decisions and undo moving
 * excerpts out of and back into the queue, refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quarry/quarry.h"
#include "test_util.h"
#include "test_files.h"
#include "test_project_util.h"

static char dir[256];
static char path[300];

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "review-queue");
    snprintf(path, sizeof path, "%s/p.qry", dir);
    test_review_project(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void copy_file(const char *from, const char *to)
{
    char buf[8192];
    size_t n;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static quarry_project *open_copy(const char *name)
{
    char copy[400];
    quarry_project *p = NULL;
    snprintf(copy, sizeof copy, "%s/%s", dir, name);
    unlink(copy);
    copy_file(path, copy);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, copy, 0) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

static void drop_copy(quarry_project *p, const char *name)
{
    char copy[400];
    quarry_project_free(p);
    snprintf(copy, sizeof copy, "%s/%s", dir, name);
    unlink(copy);
}

/* The id of the item the call gives (a copy), or NULL. */
static char *next_id(quarry_project *p, const char *coder,
                     const char *const *skip, size_t n,
                     quarry_review_progress *g)
{
    const quarry_review_item *it = NULL;
    int rc = quarry_project_review_next_skipping(p, coder, skip, n, &it, g);
    if (rc != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return it ? strdup(it->excerpt) : NULL;
}

static void test_same_as_review_next(void **state)
{
    quarry_project *p = open_copy("a.qry");
    const quarry_review_item *it = NULL;
    quarry_review_progress g;
    int64_t remaining = -1;
    char *first, *mine;
    (void)state;
    assert_int_equal(quarry_project_review_next(p, "ann", &it, &remaining),
                     QUARRY_OK);
    assert_non_null(it);
    first = strdup(it->excerpt);
    mine = next_id(p, "ann", NULL, 0, &g);
    assert_string_equal(mine, first);
    assert_string_equal(mine, "S5-P01-001");
    assert_int_equal(g.remaining, remaining);
    assert_int_equal(g.remaining, 6);
    assert_int_equal(g.total, 6);
    assert_int_equal(g.skipped, 0);
    free(first);
    free(mine);
    drop_copy(p, "a.qry");
}

static void test_skipping(void **state)
{
    quarry_project *p = open_copy("b.qry");
    quarry_review_progress g;
    const char *skip[7] = {"S5-P01-001", "S5-P01-003", "no-such-excerpt",
                           "S5-P01-002", "S5-P01-004", "S5-P01-005",
                           "S5-P01-006"};
    char *id;
    (void)state;
    /* The first is skipped: the second shows. */
    id = next_id(p, "ann", skip, 1, &g);
    assert_string_equal(id, "S5-P01-002");
    assert_int_equal(g.remaining, 6);
    assert_int_equal(g.skipped, 1);
    free(id);
    /* Skipped ones need not be in order; unknown ids are ignored. */
    id = next_id(p, "ann", skip, 4, &g);
    assert_string_equal(id, "S5-P01-004");
    assert_int_equal(g.skipped, 3);
    free(id);
    /* All skipped: no item, every remaining excerpt counted as skipped. */
    id = next_id(p, "ann", skip, 7, &g);
    assert_null(id);
    assert_int_equal(g.remaining, 6);
    assert_int_equal(g.skipped, 6);
    assert_int_equal(g.total, 6);
    /* progress may be NULL. */
    id = next_id(p, "ann", skip, 6, NULL);
    assert_string_equal(id, "S5-P01-006");
    free(id);
    drop_copy(p, "b.qry");
}

static void test_decisions_move_the_queue(void **state)
{
    quarry_project *p = open_copy("c.qry");
    quarry_review_progress g;
    const quarry_review_item *it = NULL;
    quarry_decision d = QUARRY_DECISION_INIT;
    const char *undone = NULL;
    char *id, *top;
    (void)state;
    assert_int_equal(quarry_project_review_item(p, "ann", "S5-P01-001", &it),
                     QUARRY_OK);
    assert_true(it->n_suggestions > 1);
    top = strdup(it->suggestions[0].code);
    /* A reject leaves the excerpt in the queue (other suggestions wait). */
    d.excerpt = "S5-P01-001";
    d.verdict = QUARRY_VERDICT_REJECT;
    d.code = top;
    d.coder = "ann";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    id = next_id(p, "ann", NULL, 0, &g);
    assert_string_equal(id, "S5-P01-001");
    assert_int_equal(g.remaining, 6);
    free(id);
    /* An added code takes it out. */
    d.verdict = QUARRY_VERDICT_ADD;
    d.code = "emo.meaning";
    assert_int_equal(quarry_project_decide(p, &d, NULL), QUARRY_OK);
    id = next_id(p, "ann", NULL, 0, &g);
    assert_string_equal(id, "S5-P01-002");
    assert_int_equal(g.remaining, 5);
    assert_int_equal(g.total, 6);
    free(id);
    /* Another coder's queue is untouched. */
    id = next_id(p, "bea", NULL, 0, &g);
    assert_string_equal(id, "S5-P01-001");
    assert_int_equal(g.remaining, 6);
    free(id);
    /* Undo brings it back. */
    assert_int_equal(quarry_project_undo(p, "ann", &undone), QUARRY_OK);
    assert_non_null(undone);
    assert_string_equal(undone, "S5-P01-001");
    id = next_id(p, "ann", NULL, 0, &g);
    assert_string_equal(id, "S5-P01-001");
    assert_int_equal(g.remaining, 6);
    free(id);
    free(top);
    drop_copy(p, "c.qry");
}

static void test_refusals(void **state)
{
    quarry_project *p = open_copy("d.qry");
    quarry_project *none = NULL;
    const quarry_review_item *it = (const quarry_review_item *)1;
    quarry_review_progress g;
    (void)state;
    assert_int_equal(
        quarry_project_review_next_skipping(p, NULL, NULL, 0, &it, &g),
        QUARRY_EINVAL);
    assert_null(it);
    assert_non_null(strstr(quarry_project_errmsg(p), "coder"));
    assert_int_equal(
        quarry_project_review_next_skipping(p, "", NULL, 0, &it, &g),
        QUARRY_EINVAL);
    assert_int_equal(
        quarry_project_review_next_skipping(p, "ann", NULL, 2, &it, &g),
        QUARRY_EINVAL);
    assert_int_equal(
        quarry_project_review_next_skipping(p, "ann", NULL, 0, NULL, &g),
        QUARRY_EINVAL);
    drop_copy(p, "d.qry");
    /* A handle with no file open. */
    assert_int_equal(quarry_project_new(&none), QUARRY_OK);
    assert_true(quarry_project_review_next_skipping(none, "ann", NULL, 0, &it,
                                                    &g) != QUARRY_OK);
    quarry_project_free(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_review_next),
        cmocka_unit_test(test_skipping),
        cmocka_unit_test(test_decisions_move_the_queue),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
