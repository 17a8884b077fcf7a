/*
 * test_parallel.c -- one thread and several give the same results: the
 * JSONL reader (lines parsed on workers, excerpts added in line order, the
 * first bad line still the one reported), and the text model (excerpts
 * analysed on workers with their own plugin instances and caches, folded
 * into one vocabulary; counts built on workers). Compared byte for byte on
 * a generated corpus big enough for several chunks of every parallel loop.
 * Also: engine options of version 1 (before `threads`) are still taken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/quarry.h"
#include "test_util.h"

static const char *const words[] = {
    "support", "peer", "lived experience", "burnout", "the", "and",
    "supervision", "café", "Straße", "naïve", "role", "roles", "justify",
    "recovery", "stigma", "trust", "colleagues", "boundaries", "hope",
    "ÉCOLE", "running", "ran", "runs", "team", "staff", "of", "in",
    "wellbeing", "debrief", "emotional", "journey", "clinician",
};

/* n JSONL lines of pseudo-random texts; line bad (1-based) is broken when
 * bad > 0. */
static char *make_jsonl(int n, int bad, size_t *len)
{
    size_t cap = (size_t)n * 400 + 64, used = 0;
    char *buf = malloc(cap);
    uint64_t s = 12345;
    int i, w;
    assert_non_null(buf);
    for (i = 1; i <= n; i++) {
        if (i == bad) {
            used += (size_t)snprintf(buf + used, cap - used,
                                     "{\"id\": \"x%d\", \"text\": }\n", i);
            continue;
        }
        used += (size_t)snprintf(buf + used, cap - used,
                                 "{\"id\": \"x%d\", \"code\": \"c%d\", "
                                 "\"study\": \"S%d\", \"text\": \"",
                                 i, i % 7, i % 3);
        for (w = 0; w < 8 + i % 17; w++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            used += (size_t)snprintf(
                buf + used, cap - used, "%s%s", w ? " " : "",
                words[(s >> 33) % (sizeof words / sizeof words[0])]);
        }
        used += (size_t)snprintf(buf + used, cap - used, "\"}\n");
        if (i % 1000 == 0)
            used += (size_t)snprintf(buf + used, cap - used, "\n"); /* blank */
    }
    *len = used;
    return buf;
}

static quarry_corpus *read_with(const char *buf, size_t len, int threads,
                                int want_rc)
{
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    ro.format = QUARRY_FORMAT_JSONL;
    assert_int_equal(quarry_corpus_new(&c), 0);
    assert_int_equal(quarry_corpus_set_threads(c, threads), 0);
    assert_int_equal(quarry_corpus_read_buffer(c, buf, len, "gen.jsonl", &ro),
                     want_rc);
    return c;
}

static void reader_same_with_threads(void **state)
{
    size_t len, i;
    char *buf = make_jsonl(20000, 0, &len);
    quarry_corpus *a = read_with(buf, len, 1, 0), *b = read_with(buf, len, 2, 0);
    (void)state;
    assert_int_equal(quarry_corpus_size(a), 20000);
    assert_int_equal(quarry_corpus_size(b), 20000);
    for (i = 0; i < 20000; i++) {
        const quarry_excerpt *x = quarry_corpus_at(a, i),
                             *y = quarry_corpus_at(b, i);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->text, y->text);
        assert_string_equal(x->attributes, y->attributes);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->n_codes, 1);
        assert_string_equal(x->codes[0], y->codes[0]);
    }
    quarry_corpus_free(a);
    quarry_corpus_free(b);
    free(buf);
}

static void reader_reports_first_bad_line(void **state)
{
    size_t len;
    /* Line 17000 of the generated text is line 17016 of the file: one
     * blank line follows every thousandth. */
    char *buf = make_jsonl(20000, 17000, &len);
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        quarry_corpus *c = read_with(buf, len, threads, QUARRY_EPARSE);
        assert_non_null(strstr(quarry_corpus_errmsg(c), "gen.jsonl:17016:"));
        assert_int_equal(quarry_corpus_size(c), 0); /* rolled back */
        quarry_corpus_free(c);
    }
    free(buf);
}

static void same_csr(const quarry_csr *x, const quarry_csr *y)
{
    int64_t nnz = x->row_ptr[x->rows];
    assert_int_equal(x->rows, y->rows);
    assert_int_equal(x->cols, y->cols);
    assert_memory_equal(x->row_ptr, y->row_ptr,
                        (size_t)(x->rows + 1) * sizeof *x->row_ptr);
    assert_memory_equal(x->col_idx, y->col_idx, (size_t)nnz * sizeof *x->col_idx);
    assert_memory_equal(x->values, y->values, (size_t)nnz * sizeof *x->values);
}

static void model_same_with_threads(void **state)
{
    size_t len;
    char *buf = make_jsonl(6000, 0, &len);
    char *more = make_jsonl(3000, 0, &len);
    quarry_corpus *c, *unseen;
    quarry_engine *e1 = test_engine_threads(1), *e2 = test_engine_threads(2);
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m1 = NULL, *m2 = NULL;
    quarry_csr *x1, *x2, *u1, *u2;
    int64_t t;
    (void)state;
    c = read_with(buf, strlen(buf), 2, 0);
    /* Unseen excerpts: other texts under the same ids is fine here. */
    unseen = read_with(more, strlen(more), 1, 0);
    po.min_df = 1;
    assert_int_equal(quarry_model_fit(&m1, e1, &po, c), 0);
    assert_int_equal(quarry_model_fit(&m2, e2, &po, c), 0);
    assert_true(quarry_model_n_terms(m1) > 10);
    assert_int_equal(quarry_model_n_terms(m1), quarry_model_n_terms(m2));
    for (t = 0; t < quarry_model_n_terms(m1); t++)
        assert_string_equal(quarry_model_term(m1, t), quarry_model_term(m2, t));
    assert_int_equal(quarry_model_transform(m1, c, &x1), 0);
    assert_int_equal(quarry_model_transform(m2, c, &x2), 0);
    same_csr(x1, x2);
    assert_int_equal(quarry_model_transform(m1, unseen, &u1), 0);
    assert_int_equal(quarry_model_transform(m2, unseen, &u2), 0);
    same_csr(u1, u2);
    quarry_csr_free(x1);
    quarry_csr_free(x2);
    quarry_csr_free(u1);
    quarry_csr_free(u2);
    quarry_model_free(m1);
    quarry_model_free(m2);
    quarry_corpus_free(c);
    quarry_corpus_free(unseen);
    quarry_engine_free(e1);
    quarry_engine_free(e2);
    free(buf);
    free(more);
}

static void engine_options_version_1(void **state)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    (void)state;
    o.version = 1;
    o.threads = -5; /* not read: a version 1 struct ends before it */
    o.use_default_paths = 0;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    quarry_engine_free(e);
    o.version = QUARRY_ENGINE_OPTIONS_VERSION;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_ERANGE);
    assert_null(e);
    o.version = 99;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_same_with_threads),
        cmocka_unit_test(reader_reports_first_bad_line),
        cmocka_unit_test(model_same_with_threads),
        cmocka_unit_test(engine_options_version_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
