/*
 * test_suggest_linear.c -- suggest's linear model (logreg.c) and how
 * suggest uses it: separable toy rows learnt exactly, the same weights
 * for the same seed, each decision value the sum of its terms'
 * contributions and the bias, a code without rows never chosen, an
 * excerpt with two codes a positive of both; in
 * suggest, the right code first with the linear model blended in, the
 * evidence terms its positive contributions (in the excerpt, falling),
 * an excerpt sharing nothing still at chance and abstaining, --auto
 * deterministic for a seed and saying what it chose, version 2 option
 * structs, and bad linear options refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csr.h"
#include "logreg.h"
#include "quarry/quarry.h"
#include "test_util.h"

/* Six rows of three codes over six columns: code k owns columns 2k and
 * 2k + 1; row 2k has both, row 2k + 1 only the first (weights 1). */
static quarry_csr *toy_rows(int64_t **lab_ptr, int32_t **lab)
{
    quarry_csr *x = csr_alloc(6, 6, 9);
    int64_t r, at = 0;
    *lab_ptr = malloc(7 * sizeof **lab_ptr);
    *lab = malloc(6 * sizeof **lab);
    assert_non_null(x);
    (*lab_ptr)[0] = 0;
    for (r = 0; r < 6; r++) {
        int32_t k = (int32_t)(r / 2);
        x->col_idx[at] = 2 * k;
        x->values[at++] = 1.0f;
        if (r % 2 == 0) {
            x->col_idx[at] = 2 * k + 1;
            x->values[at++] = 1.0f;
        }
        x->row_ptr[r + 1] = at;
        (*lab)[r] = k;
        (*lab_ptr)[r + 1] = r + 1;
    }
    csr_normalize_rows(x);
    return x;
}

static void separable_learnt_exactly(void **state)
{
    int64_t *lab_ptr, r;
    int32_t *lab, c;
    quarry_csr *x = toy_rows(&lab_ptr, &lab);
    linear_model m;
    double d[3];
    (void)state;
    assert_int_equal(linear_fit(&m, x, lab_ptr, lab, 3, NULL, 10.0, 7), 0);
    for (r = 0; r < 6; r++) {
        int32_t best = 0;
        linear_decisions(&m, x, r, d);
        for (c = 1; c < 3; c++)
            if (d[c] > d[best])
                best = c;
        assert_int_equal(best, lab[r]);
        assert_true(d[lab[r]] > 0.0); /* its own code more likely than not */
        assert_true(linear_prob(d[lab[r]]) > 0.5);
    }
    linear_free(&m);
    quarry_csr_free(x);
    free(lab_ptr);
    free(lab);
}

static void same_seed_same_weights(void **state)
{
    int64_t *lab_ptr;
    int32_t *lab;
    quarry_csr *x = toy_rows(&lab_ptr, &lab);
    linear_model a, b;
    (void)state;
    assert_int_equal(linear_fit(&a, x, lab_ptr, lab, 3, NULL, 1.0, 42), 0);
    assert_int_equal(linear_fit(&b, x, lab_ptr, lab, 3, NULL, 1.0, 42), 0);
    assert_memory_equal(a.w, b.w, 6 * 3 * sizeof *a.w);
    assert_memory_equal(a.b, b.b, 3 * sizeof *a.b);
    linear_free(&a);
    linear_free(&b);
    quarry_csr_free(x);
    free(lab_ptr);
    free(lab);
}

static void contributions_sum_to_decision(void **state)
{
    int64_t *lab_ptr, r, p;
    int32_t *lab, c;
    quarry_csr *x = toy_rows(&lab_ptr, &lab);
    linear_model m;
    double d[3];
    (void)state;
    assert_int_equal(linear_fit(&m, x, lab_ptr, lab, 3, NULL, 1.0, 1), 0);
    for (r = 0; r < 6; r++) {
        linear_decisions(&m, x, r, d);
        for (c = 0; c < 3; c++) {
            double sum = m.b[c];
            for (p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++) {
                double contrib =
                    (double)x->values[p] *
                    m.w[(size_t)x->col_idx[p] * 3 + (size_t)c];
                /* a code's own columns count for it, others' against */
                if (c == lab[r])
                    assert_true(contrib > 0.0);
                else
                    assert_true(contrib < 0.0);
                sum += contrib;
            }
            test_near(sum, d[c], 1e-9);
        }
    }
    linear_free(&m);
    quarry_csr_free(x);
    free(lab_ptr);
    free(lab);
}

static void code_without_rows_never_chosen(void **state)
{
    int64_t *lab_ptr;
    int32_t *lab;
    quarry_csr *x = toy_rows(&lab_ptr, &lab);
    linear_model m;
    double d[4];
    (void)state;
    /* four codes, the fourth without rows */
    assert_int_equal(linear_fit(&m, x, lab_ptr, lab, 4, NULL, 1.0, 1), 0);
    linear_decisions(&m, x, 0, d);
    assert_true(d[3] == -HUGE_VAL);
    assert_true(linear_prob(d[3]) == 0.0);
    linear_free(&m);
    /* one code with rows: nothing to tell apart, no weights */
    {
        unsigned char skip[6] = {0, 0, 1, 1, 1, 1};
        assert_int_equal(linear_fit(&m, x, lab_ptr, lab, 3, skip, 1.0, 1), 0);
        linear_decisions(&m, x, 2, d);
        assert_true(d[0] == 0.0);
        assert_true(d[1] == -HUGE_VAL);
        linear_free(&m);
    }
    quarry_csr_free(x);
    free(lab_ptr);
    free(lab);
}

/* Eight rows over four columns: column k alone marks code k (k < 3) in
 * two rows each; rows 6 and 7 have column 3 alone and carry codes 0 and
 * 1 both. */
static quarry_csr *two_code_rows(int64_t lab_ptr[9], int32_t lab[10])
{
    quarry_csr *x = csr_alloc(8, 4, 8);
    int64_t r, at = 0;
    assert_non_null(x);
    lab_ptr[0] = 0;
    for (r = 0; r < 8; r++) {
        int32_t col = r < 6 ? (int32_t)(r / 2) : 3;
        x->col_idx[r] = col;
        x->values[r] = 1.0f;
        x->row_ptr[r + 1] = r + 1;
        if (r < 6)
            lab[at++] = col;
        else {
            lab[at++] = 0;
            lab[at++] = 1;
        }
        lab_ptr[r + 1] = at;
    }
    return x;
}

static void two_codes_positive_for_both(void **state)
{
    int64_t lab_ptr[9];
    int32_t lab[10];
    quarry_csr *x = two_code_rows(lab_ptr, lab);
    linear_model m;
    double d[3];
    (void)state;
    /* An excerpt with two codes is a positive of each code's problem and a
     * negative of neither: its terms count for both codes. Given once per
     * code to a multi-class training, it would also be a negative of
     * each, and the two would cancel. */
    assert_int_equal(linear_fit(&m, x, lab_ptr, lab, 3, NULL, 10.0, 3), 0);
    linear_decisions(&m, x, 6, d);
    assert_true(d[0] > 0.0);
    assert_true(d[1] > 0.0);
    assert_true(d[2] < 0.0);
    assert_true(m.w[3 * 3 + 0] > 0.0f && m.w[3 * 3 + 1] > 0.0f);
    linear_free(&m);
    /* Code 0 on every row left (rows 0, 1, 6, 7): no weights, the bias
     * from the counts; code 1 still learnt against the rest. */
    {
        unsigned char skip[8] = {0, 0, 1, 1, 1, 1, 0, 0};
        assert_int_equal(linear_fit(&m, x, lab_ptr, lab, 3, skip, 10.0, 3),
                         0);
        test_near(m.b[0], log(9.0), 1e-12);
        assert_true(m.w[0 * 3 + 0] == 0.0f && m.w[3 * 3 + 0] == 0.0f);
        linear_decisions(&m, x, 6, d);
        assert_true(d[1] > 0.0);
        linear_decisions(&m, x, 0, d);
        assert_true(d[1] < 0.0);
        assert_true(d[2] == -HUGE_VAL);
        linear_free(&m);
    }
    quarry_csr_free(x);
}

static const char TRAIN[] =
    "{\"id\":\"a1\",\"text\":\"apple banana fruit orchard\",\"code\":\"fruit\"}\n"
    "{\"id\":\"a2\",\"text\":\"apple pear fruit juice\",\"code\":\"fruit\"}\n"
    "{\"id\":\"a3\",\"text\":\"pear orchard juice banana\",\"code\":\"fruit\"}\n"
    "{\"id\":\"b1\",\"text\":\"engine wheel car road\",\"code\":\"car\"}\n"
    "{\"id\":\"b2\",\"text\":\"car road traffic driver\",\"code\":\"car\"}\n"
    "{\"id\":\"b3\",\"text\":\"driver engine traffic wheel\",\"code\":\"car\"}\n"
    "{\"id\":\"c1\",\"text\":\"rain cloud storm weather\",\"code\":\"weather\"}\n"
    "{\"id\":\"c2\",\"text\":\"storm wind weather forecast\",\"code\":\"weather\"}\n"
    "{\"id\":\"c3\",\"text\":\"cloud wind forecast rain\",\"code\":\"weather\"}\n"
    "{\"id\":\"q1\",\"text\":\"how do you feel about it?\",\"code\":\"question\"}\n"
    "{\"id\":\"q2\",\"text\":\"what do you think of that?\",\"code\":\"question\"}\n"
    "{\"id\":\"q3\",\"text\":\"how do you see it now?\",\"code\":\"question\"}\n";

static quarry_pipeline_options plain(void)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    po.stemmer = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    return po;
}

typedef struct fixture {
    quarry_engine *e;
    quarry_corpus *train, *input;
    quarry_suggestions *s;
} fixture;

static int run(fixture *f, const char *input, quarry_suggest_options *so)
{
    quarry_pipeline_options po = plain();
    memset(f, 0, sizeof *f);
    f->e = test_engine();
    f->train = test_corpus(TRAIN, "train.jsonl");
    f->input = test_corpus(input, "input.jsonl");
    return quarry_suggest_run(&f->s, f->e, &po, so, f->train, f->input);
}

static void done(fixture *f)
{
    quarry_suggestions_free(f->s);
    quarry_corpus_free(f->train);
    quarry_corpus_free(f->input);
    quarry_engine_free(f->e);
}

static void linear_right_code_and_evidence(void **state)
{
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    const quarry_suggestion *sg;
    int32_t j;
    (void)state;
    so.auto_select = 0;
    so.linear = 0.5;
    so.features = QUARRY_FEATURES_FORM;
    so.n_terms = 50;
    assert_int_equal(run(&f,
                         "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n"
                         "{\"id\":\"y\",\"text\":\"what do you feel?\"}\n",
                         &so),
                     0);
    assert_string_equal(quarry_suggestions_at(f.s, 0, 0)->code, "fruit");
    sg = quarry_suggestions_at(f.s, 1, 0);
    /* Only the form block sees "what", "do you" and "?": stopwords. */
    assert_string_equal(sg->code, "question");
    assert_true(sg->n_terms > 0);
    for (j = 0; j < sg->n_terms; j++) {
        assert_true(sg->term_weights[j] > 0.0f);
        if (j > 0)
            assert_true(sg->term_weights[j] <= sg->term_weights[j - 1]);
        assert_non_null(strstr("what do you feel?", sg->terms[j]));
    }
    assert_int_equal(quarry_suggestions_choice(f.s)->auto_selected, 0);
    test_near(quarry_suggestions_choice(f.s)->linear, 0.5, 0.0);
    done(&f);
}

static void linear_abstains_at_chance(void **state)
{
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    (void)state;
    so.auto_select = 0;
    so.linear = 0.75;
    so.min_confidence = 0.0;
    assert_int_equal(run(&f,
                         "{\"id\":\"z\",\"text\":\"quantum zebra\"}\n"
                         "{\"id\":\"x\",\"text\":\"apple pear fruit\"}\n",
                         &so),
                     0);
    /* Nothing shared: no better than chance among the four codes. */
    assert_true(quarry_suggestions_at(f.s, 0, 0)->confidence <= 0.25 + 1e-9);
    assert_true(quarry_suggestions_abstain(f.s, 0));
    assert_string_equal(quarry_suggestions_at(f.s, 1, 0)->code, "fruit");
    assert_false(quarry_suggestions_abstain(f.s, 1));
    done(&f);
}

static void auto_deterministic_and_says_so(void **state)
{
    fixture a, b;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    const quarry_suggest_choice *ca, *cb;
    static const char in[] = "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n"
                             "{\"id\":\"y\",\"text\":\"how do you feel?\"}\n"
                             "{\"id\":\"w\",\"text\":\"storm and rain\"}\n";
    (void)state;
    so.auto_select = 1;
    so.linear = 0.9; /* ignored with auto_select */
    so.seed = 5;
    assert_int_equal(run(&a, in, &so), 0);
    assert_int_equal(run(&b, in, &so), 0);
    ca = quarry_suggestions_choice(a.s);
    cb = quarry_suggestions_choice(b.s);
    assert_int_equal(ca->auto_selected, 1);
    assert_int_equal(ca->rows, 12);
    assert_true(ca->folds >= 1);
    /* A share of the grid (tenths), at C = 10 on every block built. */
    assert_true(ca->linear >= 0.0 && ca->linear <= 1.0);
    test_near(ca->linear * 10.0, floor(ca->linear * 10.0 + 0.5), 1e-9);
    if (ca->linear > 0.0)
        test_near(ca->linear_c, 10.0, 0.0);
    assert_int_equal(ca->coded, 12);
    assert_true(ca->top1 + ca->top3 >= ca->base_top1 + ca->base_top3);
    assert_memory_equal(ca, cb, sizeof *ca);
    assert_true(test_same_suggestions(a.s, b.s, 3) >= 0);
    done(&a);
    done(&b);
}

static void version_2_options(void **state)
{
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    (void)state;
    so.version = 2;
    so.auto_select = 0;
    so.linear = 0.73; /* not in a version 2 struct: not read */
    assert_int_equal(
        run(&f, "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n", &so), 0);
    /* What a version 2 struct lacks takes the defaults: quarry chooses. */
    assert_int_equal(quarry_suggestions_choice(f.s)->auto_selected, 1);
    assert_true(quarry_suggestions_choice(f.s)->linear != 0.73);
    done(&f);
}

/* The default (quarry chooses) on the demo study: an excerpt that says
 * little still abstains, one about supervision does not, and the
 * evidence is words and marks of the excerpt, each once (the words and
 * form blocks' "work" summed; no character n-gram such as "ork "). */
static void default_on_demo_keeps_evidence_readable(void **state)
{
    static const char in[] =
        "{\"id\":\"q\",\"text\":\"How did you come into the work?\"}\n"
        "{\"id\":\"s\",\"text\":\"My clinical supervisor gives me an "
        "hour of supervision every two weeks; in supervision we talk "
        "through the cases that got under my skin.\"}\n"
        "{\"id\":\"y\",\"text\":\"Yes.\"}\n";
    static const char *const lower[] = {
        "how did you come into the work?",
        "my clinical supervisor gives me an hour of supervision every two "
        "weeks; in supervision we talk through the cases that got under my "
        "skin.",
        "yes."};
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    const quarry_suggest_choice *ch;
    fixture f;
    size_t i;
    int32_t k, j, q;
    (void)state;
    memset(&f, 0, sizeof f);
    po.min_df = 1;
    f.e = test_engine();
    assert_int_equal(quarry_corpus_new(&f.train), 0);
    assert_int_equal(quarry_corpus_read_file(f.train, QUARRY_TEST_DATA_DIR
                                             "/suggest/demo-train.jsonl",
                                             &ro),
                     0);
    f.input = test_corpus(in, "input.jsonl");
    assert_int_equal(
        quarry_suggest_run(&f.s, f.e, &po, NULL, f.train, f.input), 0);
    ch = quarry_suggestions_choice(f.s);
    assert_int_equal(ch->auto_selected, 1);
    assert_true(ch->linear > 0.0); /* it helps on the demo's folds */
    assert_true(ch->top1 + ch->top3 > ch->base_top1 + ch->base_top3);
    assert_true(quarry_suggestions_abstain(f.s, 0));
    assert_true(quarry_suggestions_abstain(f.s, 2));
    assert_false(quarry_suggestions_abstain(f.s, 1));
    assert_string_equal(quarry_suggestions_at(f.s, 1, 0)->code,
                        "sup.supervision");
    assert_string_equal(quarry_suggestions_at(f.s, 0, 0)->terms[0], "work");
    for (i = 0; i < 3; i++)
        for (k = 0; k < quarry_suggestions_count(f.s, i); k++) {
            const quarry_suggestion *sg = quarry_suggestions_at(f.s, i, k);
            for (j = 0; j < sg->n_terms; j++) {
                assert_non_null(strstr(lower[i], sg->terms[j]));
                assert_true(sg->terms[j][0] != ' ');
                for (q = 0; q < j; q++)
                    assert_string_not_equal(sg->terms[q], sg->terms[j]);
            }
        }
    done(&f);
}

/* Above QUARRY_SUGGEST_AUTO_MAX_CODED coded excerpts quarry chooses no
 * linear model and tries none (rows 0). */
static void default_no_model_above_the_limit(void **state)
{
    size_t n = QUARRY_SUGGEST_AUTO_MAX_CODED + 1, i, at = 0;
    size_t cap = n * 64 + 1;
    char *train = malloc(cap);
    static const char *const words[] = {"apple pear", "storm rain",
                                        "car road"};
    static const char *const codes[] = {"fruit", "weather", "travel"};
    quarry_pipeline_options po = plain();
    const quarry_suggest_choice *ch;
    fixture f;
    (void)state;
    assert_non_null(train);
    for (i = 0; i < n; i++)
        at += (size_t)snprintf(train + at, cap - at,
                               "{\"id\":\"t%zu\",\"text\":\"%s\","
                               "\"code\":\"%s\"}\n",
                               i, words[i % 3], codes[i % 3]);
    memset(&f, 0, sizeof f);
    f.e = test_engine();
    f.train = test_corpus(train, "train.jsonl");
    f.input = test_corpus("{\"id\":\"x\",\"text\":\"pear\"}\n",
                          "input.jsonl");
    assert_int_equal(
        quarry_suggest_run(&f.s, f.e, &po, NULL, f.train, f.input), 0);
    ch = quarry_suggestions_choice(f.s);
    assert_int_equal(ch->auto_selected, 1);
    assert_int_equal(ch->coded, (int64_t)n);
    assert_int_equal(ch->rows, 0);
    assert_true(ch->linear == 0.0);
    assert_string_equal(quarry_suggestions_at(f.s, 0, 0)->code, "fruit");
    free(train);
    done(&f);
}

static void bad_linear_options(void **state)
{
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    (void)state;
    so.linear = 1.5;
    assert_int_equal(run(&f, "{\"id\":\"x\",\"text\":\"pear\"}\n", &so),
                     QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(f.e), "linear"));
    done(&f);
    so.linear = 0.5;
    so.linear_c = 0.0;
    assert_int_equal(run(&f, "{\"id\":\"x\",\"text\":\"pear\"}\n", &so),
                     QUARRY_ERANGE);
    done(&f);
    so.linear_c = 1.0;
    so.features = 8;
    assert_int_equal(run(&f, "{\"id\":\"x\",\"text\":\"pear\"}\n", &so),
                     QUARRY_ERANGE);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(separable_learnt_exactly),
        cmocka_unit_test(same_seed_same_weights),
        cmocka_unit_test(contributions_sum_to_decision),
        cmocka_unit_test(code_without_rows_never_chosen),
        cmocka_unit_test(two_codes_positive_for_both),
        cmocka_unit_test(linear_right_code_and_evidence),
        cmocka_unit_test(linear_abstains_at_chance),
        cmocka_unit_test(auto_deterministic_and_says_so),
        cmocka_unit_test(version_2_options),
        cmocka_unit_test(default_on_demo_keeps_evidence_readable),
        cmocka_unit_test(default_no_model_above_the_limit),
        cmocka_unit_test(bad_linear_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
