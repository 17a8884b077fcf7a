/*
 * test_strtab.c -- string interning, top-k selection and sparse rows: the
 * small data structures the pipeline stands on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csr.h"
#include "strtab.h"
#include "topk.h"

static void interns_and_finds(void **state)
{
    strtab t;
    char buf[32];
    int is_new = 0, i;
    (void)state;
    strtab_init(&t);
    assert_int_equal(strtab_find(&t, "a", 1), -1);
    /* Enough strings to grow the slots and the arena several times. */
    for (i = 0; i < 50000; i++) {
        int n = snprintf(buf, sizeof buf, "term%d", i);
        assert_int_equal(strtab_intern(&t, buf, (size_t)n, &is_new), i);
        assert_true(is_new);
    }
    assert_int_equal(strtab_intern(&t, "term77", 6, &is_new), 77);
    assert_false(is_new);
    assert_string_equal(strtab_str(&t, 49999), "term49999");
    assert_int_equal(strtab_len(&t, 12345), 9);
    /* Embedded NULs and prefixes are different strings. */
    assert_int_equal(strtab_find(&t, "term7", 5), 7);
    assert_int_equal(strtab_find(&t, "term7\0", 6), -1);
    strtab_free(&t);
}

static void topk_keeps_best_with_stable_ties(void **state)
{
    topk_item room[3];
    topk t;
    const float scores[] = {0.5f, 0.9f, 0.1f, 0.9f, 0.7f, 0.3f};
    int i;
    (void)state;
    topk_init(&t, room, 3);
    for (i = 0; i < 6; i++)
        topk_push(&t, scores[i], i);
    topk_sort(&t);
    assert_int_equal(t.n, 3);
    /* 0.9 twice: the smaller id first. */
    assert_int_equal(t.items[0].id, 1);
    assert_int_equal(t.items[1].id, 3);
    assert_int_equal(t.items[2].id, 4);
}

static void topk_against_sorting(void **state)
{
    enum { N = 5000, K = 17 };
    topk_item room[K];
    float *s = malloc(N * sizeof *s);
    topk t;
    unsigned x = 12345u;
    int i, j;
    (void)state;
    topk_init(&t, room, K);
    for (i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (float)((x >> 8) % 1000) / 1000.0f;
        topk_push(&t, s[i], i);
    }
    topk_sort(&t);
    /* Every kept item beats or ties every dropped one. */
    for (i = 0; i < N; i++) {
        int kept = 0;
        for (j = 0; j < K; j++)
            kept |= t.items[j].id == i;
        if (!kept)
            assert_true(s[i] <= t.items[K - 1].score);
    }
    for (j = 1; j < K; j++)
        assert_true(t.items[j - 1].score >= t.items[j].score);
    free(s);
}

static void csr_rows_normalise(void **state)
{
    quarry_csr *m = csr_alloc(3, 4, 4);
    float d[4] = {1, 2, 3, 4};
    (void)state;
    assert_non_null(m);
    /* row 0: (3, 4) in cols 0, 2; row 1 empty; row 2: 2 in col 3 */
    m->row_ptr[1] = 2;
    m->row_ptr[2] = 2;
    m->row_ptr[3] = 3;
    m->col_idx[0] = 0;
    m->values[0] = 3;
    m->col_idx[1] = 2;
    m->values[1] = 4;
    m->col_idx[2] = 3;
    m->values[2] = 2;
    csr_normalize_rows(m);
    assert_true(m->values[0] > 0.5999f && m->values[0] < 0.6001f);
    assert_true(m->values[1] > 0.7999f && m->values[1] < 0.8001f);
    assert_true(m->values[2] > 0.9999f && m->values[2] < 1.0001f);
    /* 0.6 * 1 + 0.8 * 3 */
    assert_true(csr_row_dot(m, 0, d) > 2.9999f && csr_row_dot(m, 0, d) < 3.0001f);
    assert_true(csr_row_dot(m, 1, d) == 0.0f);
    quarry_csr_free(m);
    quarry_csr_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interns_and_finds),
        cmocka_unit_test(topk_keeps_best_with_stable_ties),
        cmocka_unit_test(topk_against_sorting),
        cmocka_unit_test(csr_rows_normalise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
