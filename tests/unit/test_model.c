/*
 * test_model.c -- the text pipeline end to end with the real plugins
 * (dlopen'ed from the build tree): phrases and synonyms, stopwords,
 * stemming, the vocabulary filters, a tf-idf value worked by hand, unseen
 * excerpts, and the themes run with its errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/quarry.h"
#include "test_util.h"

#define DATA QUARRY_TEST_DATA_DIR "/pipeline/"

static quarry_engine *engine(void)
{
    return test_engine();
}

static quarry_corpus *corpus(const char *jsonl)
{
    return test_corpus(jsonl, "test.jsonl");
}

static int64_t column(const quarry_model *m, const char *term)
{
    int64_t i;
    for (i = 0; i < quarry_model_n_terms(m); i++)
        if (strcmp(quarry_model_term(m, i), term) == 0)
            return i;
    return -1;
}

static float weight(const quarry_csr *x, int64_t row, int64_t col)
{
    int64_t p;
    for (p = x->row_ptr[row]; p < x->row_ptr[row + 1]; p++)
        if (x->col_idx[p] == col)
            return x->values[p];
    return 0.0f;
}

static void near(double got, double want)
{
    test_near(got, want, 1e-4);
}

static void tfidf_worked_by_hand(void **state)
{
    quarry_engine *e = engine();
    quarry_corpus *c = corpus("{\"id\":\"a\",\"text\":\"Apple banana\"}\n"
                              "{\"id\":\"b\",\"text\":\"apple APPLE cherry\"}\n"
                              "{\"id\":\"c\",\"text\":\"banana\"}\n");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    quarry_csr *x = NULL;
    (void)state;
    po.stemmer = "none";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    assert_int_equal(quarry_model_fit(&m, e, &po, c), 0);
    assert_int_equal(quarry_model_n_terms(m), 3);
    /* Columns in byte order of the terms. */
    assert_string_equal(quarry_model_term(m, 0), "apple");
    assert_string_equal(quarry_model_term(m, 2), "cherry");
    assert_int_equal(quarry_model_transform(m, c, &x), 0);
    /* Row b: apple tf 2, idf ln(4/3)+1; cherry tf 1, idf ln(4/2)+1. */
    {
        double a = 2 * (log(4.0 / 3.0) + 1), ch = log(2.0) + 1;
        double norm = sqrt(a * a + ch * ch);
        near(weight(x, 1, 0), a / norm);
        near(weight(x, 1, 2), ch / norm);
        near(weight(x, 1, 1), 0.0);
    }
    /* Row c: banana alone, unit length. */
    near(weight(x, 2, 1), 1.0);
    quarry_csr_free(x);
    quarry_model_free(m);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void lexicon_stopwords_and_stems(void **state)
{
    quarry_engine *e = engine();
    quarry_corpus *c = corpus(
        "{\"id\":\"1\",\"text\":\"Peer support helped me; my PSS was kind.\"}\n"
        "{\"id\":\"2\",\"text\":\"The peer specialist and lived experience.\"}\n"
        "{\"id\":\"3\",\"text\":\"Helping, helps: it helped a peer worker.\"}\n");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    (void)state;
    po.stopwords = DATA "stopwords.txt";
    po.lexicon = DATA "lexicon.json";
    po.min_df = 1;
    po.max_df = 1.0;
    assert_int_equal(quarry_model_fit(&m, e, &po, c), 0);
    /* Phrases are one term, synonyms map to the canonical term. */
    assert_true(column(m, "peer support") >= 0);
    assert_true(column(m, "lived experience") >= 0);
    assert_true(column(m, "peer worker") >= 0);
    assert_int_equal(column(m, "pss"), -1);
    assert_int_equal(column(m, "peer"), -1);
    /* Stopwords are gone. */
    assert_int_equal(column(m, "the"), -1);
    assert_int_equal(column(m, "my"), -1);
    /* "helped" x2, "helping", "helps" share one stem, shown by its most
     * frequent form. */
    assert_true(column(m, "helped") >= 0);
    assert_int_equal(column(m, "helping"), -1);
    assert_int_equal(column(m, "helps"), -1);
    quarry_model_free(m);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void filters_and_unseen_excerpts(void **state)
{
    quarry_engine *e = engine();
    quarry_corpus *c = corpus("{\"id\":\"1\",\"text\":\"alpha beta gamma\"}\n"
                              "{\"id\":\"2\",\"text\":\"alpha beta delta\"}\n"
                              "{\"id\":\"3\",\"text\":\"alpha epsilon\"}\n"
                              "{\"id\":\"4\",\"text\":\"zeta eta\"}\n");
    quarry_corpus *later = corpus("{\"id\":\"x\",\"text\":\"beta omega\"}\n"
                                  "{\"id\":\"y\",\"text\":\"omega\"}\n");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    quarry_csr *x = NULL;
    (void)state;
    po.stemmer = "none";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 2;   /* drops gamma, delta, epsilon, zeta, eta */
    po.max_df = 0.5; /* drops alpha (3 of 4) */
    assert_int_equal(quarry_model_fit(&m, e, &po, c), 0);
    assert_int_equal(quarry_model_n_terms(m), 1);
    assert_string_equal(quarry_model_term(m, 0), "beta");
    assert_int_equal(quarry_model_transform(m, later, &x), 0);
    assert_int_equal(x->rows, 2);
    near(weight(x, 0, 0), 1.0);
    /* Nothing known in "omega": an empty row, not an error. */
    assert_int_equal(x->row_ptr[2] - x->row_ptr[1], 0);
    quarry_csr_free(x);
    quarry_model_free(m);

    po.min_df = 5;
    assert_int_equal(quarry_model_fit(&m, e, &po, c), QUARRY_EINVAL);
    assert_null(m);
    assert_non_null(strstr(quarry_engine_errmsg(e), "no terms left"));
    quarry_corpus_free(later);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void bad_dictionaries_are_named(void **state)
{
    quarry_engine *e = engine();
    quarry_corpus *c = corpus("{\"id\":\"1\",\"text\":\"words here\"}\n");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    (void)state;
    po.lexicon = DATA "bad-lexicon.json";
    assert_int_equal(quarry_model_fit(&m, e, &po, c), QUARRY_EPARSE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "bad-lexicon.json"));
    assert_non_null(strstr(quarry_engine_errmsg(e), "\"phrases\""));
    po.lexicon = "none";
    po.stopwords = "no/such/list.txt";
    assert_int_equal(quarry_model_fit(&m, e, &po, c), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_engine_errmsg(e), "no/such/list.txt"));
    po.stopwords = "none";
    po.tokenizer = "nosuch";
    assert_int_equal(quarry_model_fit(&m, e, &po, c), QUARRY_ENOTFOUND);
    assert_non_null(strstr(quarry_engine_errmsg(e), "no tokenizer plugin named"));
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static const char *separable =
    "{\"id\":\"p1\",\"text\":\"supervision debrief supervisor\"}\n"
    "{\"id\":\"p2\",\"text\":\"supervisor debrief supervision\"}\n"
    "{\"id\":\"p3\",\"text\":\"debrief supervision supervisor\"}\n"
    "{\"id\":\"q1\",\"text\":\"wages contract salary\"}\n"
    "{\"id\":\"q2\",\"text\":\"salary wages contract\"}\n"
    "{\"id\":\"q3\",\"text\":\"contract salary wages\"}\n";

static void themes_separate_and_describe(void **state)
{
    quarry_engine *e = engine();
    quarry_corpus *c = corpus(separable);
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    const quarry_theme *a, *b;
    (void)state;
    po.stemmer = "none";
    po.lexicon = "none";
    po.max_df = 1.0;
    to.k = 2;
    to.n_terms = 3;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), 0);
    assert_int_equal(quarry_themes_count(t), 2);
    a = quarry_themes_at(t, 0);
    b = quarry_themes_at(t, 1);
    assert_int_equal(a->size, 3);
    assert_int_equal(b->size, 3);
    /* Each theme holds one group; members ascending. */
    assert_int_equal(a->members[0] + 1, a->members[1]);
    assert_int_equal(a->members[1] + 1, a->members[2]);
    assert_int_equal(a->n_terms, 3);
    near(a->cohesion, 1.0);
    assert_int_equal(a->n_representatives, 3);
    quarry_themes_free(t);

    to.k = 7;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "k must be between 2 and"));
    to.k = 1;
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    to.k = 2;
    to.clusterer = "nosuch";
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ENOTFOUND);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static void bad_plugin_option_fails_the_run(void **state)
{
    quarry_engine *e = engine();
    quarry_corpus *c = corpus(separable);
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    (void)state;
    po.max_df = 1.0;
    to.k = 2;
    assert_int_equal(quarry_engine_set_option(e, "kmeans.n_init=0"), 0);
    assert_int_equal(quarry_themes_run(&t, e, &po, &to, c), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "option kmeans.n_init"));
    assert_null(t);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* A stemmer that fails on a form's first sight (the fixture `flaky`,
 * on "booms") fails that transform; the next transform with the same
 * model must analyse the form again and find its term ("boom", a fitted
 * column), not read a term the failed analysis never set. */
static void failed_form_is_analysed_again(void **state)
{
    quarry_engine *e;
    quarry_corpus *c = corpus("{\"id\":\"a\",\"text\":\"alpha boom\"}\n"
                              "{\"id\":\"b\",\"text\":\"boom beta\"}\n");
    quarry_corpus *u = corpus("{\"id\":\"u\",\"text\":\"booms beta\"}\n");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    quarry_csr *x = NULL;
    int64_t boom, beta;
    (void)state;
    e = test_engine_with(QUARRY_TEST_PLUGIN_DIR ":" QUARRY_TEST_FIXTURE_DIR,
                         1);
    po.stemmer = "flaky";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    assert_int_equal(quarry_model_fit(&m, e, &po, c), 0);
    boom = column(m, "boom");
    beta = column(m, "beta");
    assert_true(boom >= 0 && beta >= 0);
    assert_int_not_equal(quarry_model_transform(m, u, &x), 0);
    assert_null(x);
    assert_int_equal(quarry_model_transform(m, u, &x), 0);
    assert_non_null(x);
    assert_int_equal(x->row_ptr[1] - x->row_ptr[0], 2);
    assert_true(weight(x, 0, boom) > 0.0f);
    assert_true(weight(x, 0, beta) > 0.0f);
    quarry_csr_free(x);
    quarry_model_free(m);
    quarry_corpus_free(u);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* A plugin breaking its contract fails the run with a message naming it,
 * and never crashes: a NULL token, a token that is not UTF-8 (a form with
 * bad bytes, a span cutting a character), a stem said to be SIZE_MAX
 * bytes long, a stemmer asking for more room again and again (the
 * fixtures `fixture` and `flaky`). */
static void plugin_contract_broken(void **state)
{
    static const struct {
        const char *tokenizer, *stemmer, *text, *words;
    } cases[] = {
        {"fixture", NULL, "alpha,NULLTOK", "tokenizer fixture: emitted a NULL token"},
        {"fixture", NULL, "alpha,BADFORM", "tokenizer fixture: a token is not UTF-8"},
        {"fixture", NULL, "alpha,CUT\xC3\xA9", "tokenizer fixture: a token is not UTF-8"},
        {NULL, "flaky", "alpha greedy", "stemmer flaky: a stem far longer than its word"},
        {NULL, "flaky", "alpha grows", "stemmer flaky: asked for more room twice"},
    };
    quarry_engine *e;
    size_t i;
    (void)state;
    e = test_engine_with(QUARRY_TEST_PLUGIN_DIR ":" QUARRY_TEST_FIXTURE_DIR,
                         1);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[128];
        quarry_corpus *c;
        quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
        quarry_model *m = NULL;
        snprintf(line, sizeof line,
                 "{\"id\":\"a\",\"text\":\"%s\"}\n{\"id\":\"b\",\"text\":\"beta\"}\n",
                 cases[i].text);
        c = corpus(line);
        if (cases[i].tokenizer)
            po.tokenizer = cases[i].tokenizer;
        if (cases[i].stemmer)
            po.stemmer = cases[i].stemmer;
        po.stopwords = "none";
        po.lexicon = "none";
        po.min_df = 1;
        po.max_df = 1.0;
        assert_int_equal(quarry_model_fit(&m, e, &po, c), QUARRY_EPLUGIN);
        assert_null(m);
        if (strstr(quarry_engine_errmsg(e), cases[i].words) == NULL)
            fail_msg("case %zu: %s", i, quarry_engine_errmsg(e));
        quarry_corpus_free(c);
    }
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tfidf_worked_by_hand),
        cmocka_unit_test(plugin_contract_broken),
        cmocka_unit_test(lexicon_stopwords_and_stems),
        cmocka_unit_test(filters_and_unseen_excerpts),
        cmocka_unit_test(bad_dictionaries_are_named),
        cmocka_unit_test(themes_separate_and_describe),
        cmocka_unit_test(bad_plugin_option_fails_the_run),
        cmocka_unit_test(failed_form_is_analysed_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
