/*
 * test_suggest.c -- suggestions on a small separable training set: the
 * right code first, its nearest coded excerpts as evidence, the same output
 * twice, abstention on an excerpt that shares nothing with training, a
 * codebook code without exemplars suggested from its entry, and the errors
 * (unknown code with a codebook, no code at all, --top out of range);
 * rejections (a rejected code scores lower for the rejected excerpt and
 * its near-duplicates, and stops being a neighbour vote), version 1
 * option structs, and the fitted temperature; the evidence factor (an
 * excerpt sharing one common term with the demo training set gets a lower
 * top confidence than an on-topic one, and abstains; a term spread over
 * the codes is less evidence than one pointing to a code; confidences stay
 * in [0, 1] and fall with rank); one thread and two give the same
 * output, byte for byte, on a few hundred generated excerpts.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codebook.h"
#include "quarry/quarry.h"
#include "test_util.h"

static const char TRAIN[] =
    "{\"id\":\"a1\",\"text\":\"apple banana fruit orchard\",\"code\":\"fruit\"}\n"
    "{\"id\":\"a2\",\"text\":\"apple pear fruit juice\",\"code\":\"fruit\"}\n"
    "{\"id\":\"b1\",\"text\":\"engine wheel car road\",\"code\":\"car\"}\n"
    "{\"id\":\"b2\",\"text\":\"car road traffic driver\",\"code\":\"car\"}\n"
    "{\"id\":\"c1\",\"text\":\"rain cloud storm weather\",\"code\":\"weather\"}\n"
    "{\"id\":\"c2\",\"text\":\"storm wind weather forecast\",\"code\":[\"weather\"]}\n"
    "{\"id\":\"m1\",\"text\":\"guitar piano song melody\",\"code\":\"music\"}\n"
    "{\"id\":\"m2\",\"text\":\"song drum concert melody\",\"code\":\"music\"}\n"
    "{\"id\":\"u1\",\"text\":\"football stadium match goal crowd\"}\n";

static const char BOOK[] =
    "{\"codes\":["
    "{\"id\":\"all\",\"name\":\"everything\"},"
    "{\"id\":\"fruit\",\"parent\":\"all\",\"definition\":\"apple pear\"},"
    "{\"id\":\"car\",\"parent\":\"all\",\"definition\":\"car engine\"},"
    "{\"id\":\"weather\",\"parent\":\"all\",\"definition\":\"storm rain\"},"
    "{\"id\":\"music\",\"parent\":\"all\",\"definition\":\"song guitar\"},"
    "{\"id\":\"sport\",\"parent\":\"all\",\"definition\":\"football match\","
    "\"keywords\":[\"stadium\",\"goal\"]}]}";

static void near(double got, double want, double tol)
{
    test_near(got, want, tol);
}

static quarry_engine *engine(void)
{
    return test_engine();
}

static quarry_corpus *corpus(const char *jsonl, const char *name)
{
    return test_corpus(jsonl, name);
}

static quarry_pipeline_options plain(void)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    po.stemmer = "none";
    po.stopwords = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    return po;
}

typedef struct fixture {
    quarry_engine *e;
    quarry_corpus *train, *input;
    quarry_codebook *cb;
    quarry_suggestions *s;
} fixture;

static int run(fixture *f, const char *train, const char *input,
               const char *book, quarry_suggest_options *so)
{
    quarry_pipeline_options po = plain();
    quarry_suggest_options defaults = QUARRY_SUGGEST_OPTIONS_INIT;
    memset(f, 0, sizeof *f);
    f->e = engine();
    f->train = corpus(train, "train.jsonl");
    f->input = corpus(input, "input.jsonl");
    if (so == NULL)
        so = &defaults;
    if (book != NULL) {
        assert_int_equal(codebook_parse(&f->cb, f->e, book, strlen(book),
                                        "book.json"),
                         0);
        so->codebook = f->cb;
    }
    return quarry_suggest_run(&f->s, f->e, &po, so, f->train, f->input);
}

static void done(fixture *f)
{
    quarry_suggestions_free(f->s);
    quarry_codebook_free(f->cb);
    quarry_corpus_free(f->train);
    quarry_corpus_free(f->input);
    quarry_engine_free(f->e);
}

static const char *train_id(const fixture *f, int64_t i)
{
    return quarry_corpus_at(f->train, (size_t)i)->id;
}

static void right_code_first(void **state)
{
    fixture f;
    const quarry_suggestion *sg;
    double conf = 0.0;
    int32_t k;
    (void)state;
    assert_int_equal(run(&f, TRAIN,
                         "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n"
                         "{\"id\":\"y\",\"text\":\"storm and rain today\"}\n",
                         NULL, NULL),
                     0);
    assert_int_equal(quarry_suggestions_size(f.s), 2);
    assert_int_equal(quarry_suggestions_count(f.s, 0), 3);
    sg = quarry_suggestions_at(f.s, 0, 0);
    assert_string_equal(sg->code, "fruit");
    assert_false(quarry_suggestions_abstain(f.s, 0));
    assert_true(sg->confidence > 0.9);
    /* Neighbours: a2 shares apple and pear, a1 only apple. */
    assert_int_equal(sg->n_neighbours, 2);
    assert_string_equal(train_id(&f, sg->neighbours[0]), "a2");
    assert_string_equal(train_id(&f, sg->neighbours[1]), "a1");
    assert_true(sg->neighbour_scores[0] >= sg->neighbour_scores[1]);
    /* Terms: the excerpt's terms, by their share of the cosine. */
    assert_true(sg->n_terms >= 2);
    assert_true(strcmp(sg->terms[0], "pear") == 0 ||
                strcmp(sg->terms[0], "apple") == 0);
    assert_true(sg->term_weights[0] >= sg->term_weights[1]);
    assert_string_equal(quarry_suggestions_at(f.s, 1, 0)->code, "weather");
    /* Scores fall with rank; confidences are a distribution's share. */
    for (k = 0; k < 3; k++) {
        const quarry_suggestion *a = quarry_suggestions_at(f.s, 0, k);
        conf += a->confidence;
        assert_true(a->confidence >= 0.0 && a->confidence <= 1.0);
        if (k > 0)
            assert_true(a->score <= quarry_suggestions_at(f.s, 0, k - 1)->score);
    }
    assert_true(conf <= 1.0 + 1e-9);
    assert_null(quarry_suggestions_at(f.s, 0, 3));
    assert_null(quarry_suggestions_at(f.s, 2, 0));
    done(&f);
}

static void deterministic(void **state)
{
    const char *in = "{\"id\":\"x\",\"text\":\"car song apple storm\"}\n"
                     "{\"id\":\"y\",\"text\":\"melody road\"}\n";
    fixture a, b;
    size_t i;
    int32_t k, j;
    (void)state;
    assert_int_equal(run(&a, TRAIN, in, NULL, NULL), 0);
    assert_int_equal(run(&b, TRAIN, in, NULL, NULL), 0);
    for (i = 0; i < 2; i++)
        for (k = 0; k < 3; k++) {
            const quarry_suggestion *x = quarry_suggestions_at(a.s, i, k),
                                    *y = quarry_suggestions_at(b.s, i, k);
            assert_string_equal(x->code, y->code);
            near(x->score, y->score, 0.0);
            near(x->confidence, y->confidence, 0.0);
            assert_int_equal(x->n_neighbours, y->n_neighbours);
            for (j = 0; j < x->n_neighbours; j++)
                assert_int_equal(x->neighbours[j], y->neighbours[j]);
            assert_int_equal(x->n_terms, y->n_terms);
            for (j = 0; j < x->n_terms; j++)
                assert_string_equal(x->terms[j], y->terms[j]);
        }
    /* "x" touches four codes about equally: the order is still fixed. */
    assert_string_equal(quarry_suggestions_at(a.s, 0, 0)->code, "car");
    done(&a);
    done(&b);
}

static void abstains_on_nothing_shared(void **state)
{
    fixture f;
    int32_t k;
    (void)state;
    assert_int_equal(
        run(&f, TRAIN, "{\"id\":\"z\",\"text\":\"quantum zebra\"}\n", NULL,
            NULL),
        0);
    assert_true(quarry_suggestions_abstain(f.s, 0));
    /* Still listed: the codes in id order, with equal confidence, at most
     * the softmax's 1/4 (the evidence factor of no shared term). */
    assert_int_equal(quarry_suggestions_count(f.s, 0), 3);
    assert_string_equal(quarry_suggestions_at(f.s, 0, 0)->code, "car");
    assert_string_equal(quarry_suggestions_at(f.s, 0, 1)->code, "fruit");
    for (k = 0; k < 3; k++) {
        near(quarry_suggestions_at(f.s, 0, k)->confidence,
             quarry_suggestions_at(f.s, 0, 0)->confidence, 1e-12);
        assert_true(quarry_suggestions_at(f.s, 0, k)->confidence <= 0.25);
        near(quarry_suggestions_at(f.s, 0, k)->score, 0.0, 1e-12);
        assert_int_equal(quarry_suggestions_at(f.s, 0, k)->n_neighbours, 0);
    }
    done(&f);
}

/* Three codes, an excerpt that shares nothing with any: each gets at most
 * 1/3, which is chance. Even with --min-confidence 0 it abstains, since
 * the threshold is max(min_confidence, 1/3 + 0.05); an excerpt clearly
 * about one code does not. */
static void abstains_at_chance(void **state)
{
    static const char three[] =
        "{\"id\":\"a1\",\"text\":\"apple banana fruit\",\"code\":\"fruit\"}\n"
        "{\"id\":\"a2\",\"text\":\"apple pear fruit\",\"code\":\"fruit\"}\n"
        "{\"id\":\"b1\",\"text\":\"engine wheel car\",\"code\":\"car\"}\n"
        "{\"id\":\"b2\",\"text\":\"car road traffic\",\"code\":\"car\"}\n"
        "{\"id\":\"c1\",\"text\":\"rain cloud storm\",\"code\":\"weather\"}\n"
        "{\"id\":\"c2\",\"text\":\"storm wind rain\",\"code\":\"weather\"}\n";
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    (void)state;
    so.min_confidence = 0.0;
    assert_int_equal(run(&f, three,
                         "{\"id\":\"z\",\"text\":\"quantum zebra\"}\n"
                         "{\"id\":\"x\",\"text\":\"apple pear fruit\"}\n",
                         NULL, &so),
                     0);
    assert_true(quarry_suggestions_at(f.s, 0, 0)->confidence <= 1.0 / 3.0 +
                                                                     1e-9);
    assert_true(quarry_suggestions_abstain(f.s, 0));
    assert_string_equal(quarry_suggestions_at(f.s, 1, 0)->code, "fruit");
    assert_true(quarry_suggestions_at(f.s, 1, 0)->confidence > 0.4);
    assert_false(quarry_suggestions_abstain(f.s, 1));
    done(&f);
}

static void code_without_exemplars_from_codebook(void **state)
{
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    const quarry_suggestion *sg;
    (void)state;
    so.top = 5;
    assert_int_equal(run(&f, TRAIN,
                         "{\"id\":\"s\",\"text\":\"the football match\"}\n",
                         BOOK, &so),
                     0);
    sg = quarry_suggestions_at(f.s, 0, 0);
    assert_string_equal(sg->code, "sport");
    assert_int_equal(sg->n_neighbours, 0); /* u1 carries no code */
    assert_false(quarry_suggestions_abstain(f.s, 0));
    /* Themes are never suggested; 5 leaves in all. */
    so.top = 6;
    done(&f);
    assert_int_equal(run(&f, TRAIN, "{\"id\":\"s\",\"text\":\"x\"}\n", BOOK,
                         &so),
                     QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(f.e), "1..5"));
    done(&f);
}

static void unknown_code_with_codebook(void **state)
{
    fixture f;
    const char *train = "{\"id\":\"a\",\"text\":\"apple\",\"code\":\"fruit\"}\n"
                        "{\"id\":\"b\",\"text\":\"pear\",\"code\":\"veg\"}\n";
    const char *msg;
    (void)state;
    assert_int_not_equal(run(&f, train, "{\"id\":\"s\",\"text\":\"x\"}\n",
                             BOOK, NULL),
                         0);
    msg = quarry_engine_errmsg(f.e);
    if (strstr(msg, "train.jsonl:2: field \"code\": unknown code \"veg\" "
                    "(not in book.json)") == NULL)
        fail_msg("message: %s", msg);
    done(&f);
    /* A theme is not a code to train on. */
    assert_int_not_equal(
        run(&f, "{\"id\":\"a\",\"text\":\"apple\",\"code\":\"all\"}\n",
            "{\"id\":\"s\",\"text\":\"x\"}\n", BOOK, NULL),
        0);
    assert_non_null(strstr(quarry_engine_errmsg(f.e), "is a theme"));
    done(&f);
}

static void no_code_at_all(void **state)
{
    fixture f;
    (void)state;
    assert_int_equal(run(&f, "{\"id\":\"a\",\"text\":\"apple pear\"}\n",
                         "{\"id\":\"s\",\"text\":\"x\"}\n", NULL, NULL),
                     QUARRY_EINVAL);
    assert_non_null(strstr(quarry_engine_errmsg(f.e), "no training excerpt "
                                                      "has a code"));
    done(&f);
}

/* Score of code for input excerpt i (top must cover every code). */
static double score_of(const fixture *f, size_t i, const char *code)
{
    int32_t k;
    for (k = 0; k < quarry_suggestions_count(f->s, i); k++)
        if (strcmp(quarry_suggestions_at(f->s, i, k)->code, code) == 0)
            return quarry_suggestions_at(f->s, i, k)->score;
    fail_msg("code %s not suggested", code);
    return 0.0;
}

static const char AMBIGUOUS[] =
    /* x0 is the rejected excerpt; x1 a near-duplicate; x2 unrelated. */
    "{\"id\":\"x0\",\"text\":\"apple storm apple rain juice\"}\n"
    "{\"id\":\"x1\",\"text\":\"apple storm rain juice juice\"}\n"
    "{\"id\":\"x2\",\"text\":\"engine road traffic\"}\n";

static void rejection_pushes_code_away(void **state)
{
    fixture plain_run, rej_run;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_corpus *rejected =
        corpus("{\"id\":\"x0\",\"text\":\"apple storm apple rain "
               "juice\",\"code\":\"fruit\"}\n",
               "rejected.jsonl");
    (void)state;
    so.top = 4;
    assert_int_equal(run(&plain_run, TRAIN, AMBIGUOUS, NULL, &so), 0);
    so.rejected = rejected;
    assert_int_equal(run(&rej_run, TRAIN, AMBIGUOUS, NULL, &so), 0);
    /* Lower for the rejected excerpt and its near-duplicate... */
    assert_true(score_of(&rej_run, 0, "fruit") <
                score_of(&plain_run, 0, "fruit") - 0.01);
    assert_true(score_of(&rej_run, 1, "fruit") <
                score_of(&plain_run, 1, "fruit") - 0.01);
    /* ...enough to change the first suggestion for the rejected one... */
    assert_string_equal(quarry_suggestions_at(plain_run.s, 0, 0)->code,
                        "fruit");
    assert_string_equal(quarry_suggestions_at(rej_run.s, 0, 0)->code,
                        "weather");
    /* ...while other codes and unrelated excerpts keep their scores. */
    near(score_of(&rej_run, 0, "weather"), score_of(&plain_run, 0, "weather"),
         1e-9);
    near(score_of(&rej_run, 2, "car"), score_of(&plain_run, 2, "car"), 1e-9);
    done(&plain_run);
    done(&rej_run);
    quarry_corpus_free(rejected);
}

static void rejected_training_excerpt_no_longer_votes(void **state)
{
    fixture plain_run, rej_run;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    /* a2 (in training, coded fruit) is rejected for fruit. */
    quarry_corpus *rejected = corpus(
        "{\"id\":\"a2\",\"text\":\"apple pear fruit juice\","
        "\"code\":[\"fruit\",\"no-such-code\"]}\n",
        "rejected.jsonl");
    const char *in = "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n";
    const quarry_suggestion *a, *b;
    (void)state;
    assert_int_equal(run(&plain_run, TRAIN, in, NULL, &so), 0);
    so.rejected = rejected;
    assert_int_equal(run(&rej_run, TRAIN, in, NULL, &so), 0);
    a = quarry_suggestions_at(plain_run.s, 0, 0);
    b = quarry_suggestions_at(rej_run.s, 0, 0);
    assert_string_equal(a->code, "fruit");
    assert_int_equal(a->n_neighbours, 2);
    /* a2 is no longer evidence for fruit; a1 still is. */
    assert_string_equal(b->code, "fruit");
    assert_int_equal(b->n_neighbours, 1);
    assert_string_equal(train_id(&rej_run, b->neighbours[0]), "a1");
    assert_true(b->score < a->score);
    done(&plain_run);
    done(&rej_run);
    quarry_corpus_free(rejected);
}

/* A caller built against the version 1 header: the struct ends before
 * `rejected`, and its fixed temperature is used as given. */
typedef struct v1_options {
    uint32_t version;
    int32_t top, neighbours;
    double min_confidence, proto_weight, definition_prior, temperature;
    int32_t n_terms, n_evidence;
    const quarry_codebook *codebook;
} v1_options;

static void version_1_options(void **state)
{
    fixture f;
    v1_options v1 = {1, 3, 10, 0.3, 0.5, 3.0, 0.03, 5, 3, NULL};
    v1_options bad = v1;
    (void)state;
    assert_int_equal(run(&f, TRAIN,
                         "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n",
                         NULL, (quarry_suggest_options *)&v1),
                     0);
    assert_string_equal(quarry_suggestions_at(f.s, 0, 0)->code, "fruit");
    near(quarry_suggestions_temperature(f.s), 0.03, 1e-12);
    done(&f);
    bad.version = 4;
    assert_int_equal(run(&f, TRAIN, "{\"id\":\"x\",\"text\":\"x\"}\n", NULL,
                         (quarry_suggest_options *)&bad),
                     QUARRY_EINVAL);
    assert_non_null(strstr(quarry_engine_errmsg(f.e), "version 4"));
    done(&f);
}

/* Temperature 0 fits one on the training set: on well separated codes it
 * is small (confident) and on the grid's range. */
static void temperature_is_fitted(void **state)
{
    fixture f;
    double t;
    (void)state;
    assert_int_equal(run(&f, TRAIN,
                         "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n",
                         NULL, NULL),
                     0);
    t = quarry_suggestions_temperature(f.s);
    assert_true(t >= 1e-3 - 1e-12 && t <= 1.0 + 1e-12);
    assert_true(quarry_suggestions_at(f.s, 0, 0)->confidence > 0.5);
    done(&f);
}

/* The demo study's training split, read with the pipeline the quarry
 * command uses for suggest (stopwords, min_df 1); the prototypes and
 * neighbours alone (the evidence factor's own tests; with the linear
 * model, the default, test_suggest_linear.c). */
static int run_demo(fixture *f, const char *input)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    memset(f, 0, sizeof *f);
    po.min_df = 1;
    so.auto_select = 0;
    f->e = engine();
    assert_int_equal(quarry_corpus_new(&f->train), 0);
    assert_int_equal(quarry_corpus_read_file(f->train, QUARRY_TEST_DATA_DIR
                                             "/suggest/demo-train.jsonl",
                                             &ro),
                     0);
    f->input = corpus(input, "input.jsonl");
    return quarry_suggest_run(&f->s, f->e, &po, &so, f->train, f->input);
}

/* Issue 3: "How did you come into the work?" shares one common term,
 * "work", with the training set; its top confidence must be low and
 * abstain, below that of an excerpt clearly about supervision, which
 * shares many terms. */
static void little_evidence_low_confidence(void **state)
{
    fixture f;
    const quarry_suggestion *weak, *strong;
    size_t i;
    int32_t k;
    (void)state;
    assert_int_equal(
        run_demo(&f,
                 "{\"id\":\"q\",\"text\":\"How did you come into the "
                 "work?\"}\n"
                 "{\"id\":\"s\",\"text\":\"My clinical supervisor gives me "
                 "an hour of supervision every two weeks; in supervision we "
                 "talk through the cases that got under my skin, and she "
                 "helps me see my own triggers.\"}\n"
                 "{\"id\":\"y\",\"text\":\"Yes.\"}\n"),
        0);
    weak = quarry_suggestions_at(f.s, 0, 0);
    strong = quarry_suggestions_at(f.s, 1, 0);
    assert_int_equal(weak->n_terms, 1);
    assert_string_equal(weak->terms[0], "work");
    assert_string_equal(strong->code, "sup.supervision");
    assert_true(weak->confidence < strong->confidence - 0.3);
    assert_true(weak->confidence < 0.3);
    assert_true(quarry_suggestions_abstain(f.s, 0));
    assert_false(quarry_suggestions_abstain(f.s, 1));
    assert_true(strong->confidence > 0.6);
    /* Nothing shared at all: lower still. */
    assert_true(quarry_suggestions_abstain(f.s, 2));
    assert_true(quarry_suggestions_at(f.s, 2, 0)->confidence <
                weak->confidence);
    /* In [0, 1], falling with rank, summing to at most 1. */
    for (i = 0; i < 3; i++) {
        double sum = 0.0;
        for (k = 0; k < quarry_suggestions_count(f.s, i); k++) {
            const quarry_suggestion *a = quarry_suggestions_at(f.s, i, k);
            assert_true(a->confidence >= 0.0 && a->confidence <= 1.0);
            if (k > 0)
                assert_true(a->confidence <=
                            quarry_suggestions_at(f.s, i, k - 1)->confidence);
            sum += a->confidence;
        }
        assert_true(sum <= 1.0 + 1e-9);
    }
    done(&f);
}

/* The evidence factor does not touch the ranking: the same codes and
 * scores with a fixed temperature as before it existed, and the ratio of
 * two confidences is the softmax's. */
static void factor_keeps_softmax_ratios(void **state)
{
    fixture f;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    const quarry_suggestion *a, *b;
    (void)state;
    so.temperature = 0.05;
    assert_int_equal(run(&f, TRAIN,
                         "{\"id\":\"x\",\"text\":\"car song apple storm "
                         "apple\"}\n",
                         NULL, &so),
                     0);
    a = quarry_suggestions_at(f.s, 0, 0);
    b = quarry_suggestions_at(f.s, 0, 1);
    assert_string_equal(a->code, "fruit");
    near(b->confidence / a->confidence, exp((b->score - a->score) / 0.05),
         1e-9);
    done(&f);
}

/* One term each: "work", which coded excerpts of every kind hold, is
 * less evidence than "supervisor", which points to one code. */
static void spread_term_is_less_evidence(void **state)
{
    fixture f;
    const quarry_suggestion *spread, *pointed;
    (void)state;
    assert_int_equal(run_demo(&f, "{\"id\":\"w\",\"text\":\"work\"}\n"
                                  "{\"id\":\"s\",\"text\":\"supervisor\"}\n"),
                     0);
    spread = quarry_suggestions_at(f.s, 0, 0);
    pointed = quarry_suggestions_at(f.s, 1, 0);
    assert_string_equal(pointed->code, "sup.supervision");
    assert_true(spread->confidence < pointed->confidence - 0.15);
    assert_true(quarry_suggestions_abstain(f.s, 0));
    done(&f);
}

/* A generated study: n lines of code-biased words from a small
 * vocabulary (every 5th line a copy of the line before, so scores tie),
 * coded when `coded`. The caller frees the text. */
static char *generated(int n, unsigned seed, int coded)
{
    size_t cap = (size_t)n * 200 + 1, used = 0;
    char *buf = malloc(cap), words[200] = "";
    unsigned s = seed;
    int i, t;
    assert_non_null(buf);
    for (i = 0; i < n; i++) {
        int c = (i - (i % 5 == 4)) % 6, len; /* a copy keeps the code */
        size_t wl = 0;
        if (i % 5 != 4) { /* else the words of the line before */
            s = s * 1103515245u + 12345u;
            len = 3 + (int)((s >> 16) % 12);
            for (t = 0; t < len; t++) {
                int word;
                s = s * 1103515245u + 12345u;
                word = (s >> 16) % 3 == 0 ? (int)((s >> 18) % 200)
                                          : c * 25 + (int)((s >> 18) % 40);
                wl += (size_t)snprintf(words + wl, sizeof words - wl,
                                       "%sw%d", t ? " " : "", word);
            }
        }
        used += (size_t)snprintf(buf + used, cap - used,
                                 "{\"id\":\"g%u-%d\",\"text\":\"%s", seed, i,
                                 words);
        if (coded)
            used += (size_t)snprintf(buf + used, cap - used,
                                     "\",\"code\":\"c%d\"}\n", c);
        else
            used += (size_t)snprintf(buf + used, cap - used, "\"}\n");
    }
    return buf;
}

static quarry_suggestions *run_threads(int32_t threads, const char *train,
                                       const char *input,
                                       quarry_engine **e_out,
                                       quarry_corpus **tr_out,
                                       quarry_corpus **in_out)
{
    quarry_pipeline_options po = plain();
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_suggestions *s = NULL;
    *e_out = test_engine_threads(threads);
    *tr_out = corpus(train, "train.jsonl");
    *in_out = corpus(input, "input.jsonl");
    so.top = 4;
    so.n_evidence = 5;
    assert_int_equal(quarry_suggest_run(&s, *e_out, &po, &so, *tr_out,
                                        *in_out),
                     0);
    return s;
}

/* The neighbour search and scoring on two threads give exactly what one
 * thread gives (several blocks of input rows, with tied scores), and the
 * evidence neighbours come best first, ties to the smaller row. */
/* neighbours = 0: no neighbour search; the score is the prototype cosine,
 * the same as proto_weight 1 with neighbours; negative is refused. */
static void prototypes_only(void **state)
{
    const char *in = "{\"id\":\"x\",\"text\":\"a pear and an apple\"}\n"
                     "{\"id\":\"y\",\"text\":\"car song storm\"}\n";
    quarry_suggest_options o0 = QUARRY_SUGGEST_OPTIONS_INIT,
                           o1 = QUARRY_SUGGEST_OPTIONS_INIT,
                           bad = QUARRY_SUGGEST_OPTIONS_INIT;
    fixture a, b, c;
    size_t i;
    int32_t k;
    (void)state;
    o0.neighbours = 0;
    o1.proto_weight = 1.0;
    assert_int_equal(run(&a, TRAIN, in, NULL, &o0), 0);
    assert_int_equal(run(&b, TRAIN, in, NULL, &o1), 0);
    assert_string_equal(quarry_suggestions_at(a.s, 0, 0)->code, "fruit");
    for (i = 0; i < 2; i++)
        for (k = 0; k < 3; k++) {
            const quarry_suggestion *x = quarry_suggestions_at(a.s, i, k),
                                    *y = quarry_suggestions_at(b.s, i, k);
            assert_int_equal(x->n_neighbours, 0);
            assert_string_equal(x->code, y->code);
            near(x->score, y->score, 0.0);
            assert_true(x->confidence >= 0.0 && x->confidence <= 1.0);
        }
    assert_true(quarry_suggestions_at(b.s, 0, 0)->n_neighbours > 0);
    done(&a);
    done(&b);
    bad.neighbours = -1;
    assert_int_equal(run(&c, TRAIN, in, NULL, &bad), QUARRY_ERANGE);
    done(&c);
}

static void threads_same_output(void **state)
{
    char *train = generated(900, 1u, 1), *input = generated(700, 2u, 0);
    quarry_engine *e1, *e2;
    quarry_corpus *t1, *t2, *i1, *i2;
    quarry_suggestions *a, *b;
    (void)state;
    a = run_threads(1, train, input, &e1, &t1, &i1);
    b = run_threads(2, train, input, &e2, &t2, &i2);
    assert_true(test_same_suggestions(a, b, 700) > 0); /* the copies did tie */
    quarry_suggestions_free(a);
    quarry_suggestions_free(b);
    quarry_corpus_free(t1);
    quarry_corpus_free(t2);
    quarry_corpus_free(i1);
    quarry_corpus_free(i2);
    quarry_engine_free(e1);
    quarry_engine_free(e2);
    free(train);
    free(input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(right_code_first),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(abstains_on_nothing_shared),
        cmocka_unit_test(abstains_at_chance),
        cmocka_unit_test(code_without_exemplars_from_codebook),
        cmocka_unit_test(unknown_code_with_codebook),
        cmocka_unit_test(no_code_at_all),
        cmocka_unit_test(rejection_pushes_code_away),
        cmocka_unit_test(rejected_training_excerpt_no_longer_votes),
        cmocka_unit_test(version_1_options),
        cmocka_unit_test(temperature_is_fitted),
        cmocka_unit_test(little_evidence_low_confidence),
        cmocka_unit_test(factor_keeps_softmax_ratios),
        cmocka_unit_test(spread_term_is_less_evidence),
        cmocka_unit_test(threads_same_output),
        cmocka_unit_test(prototypes_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
