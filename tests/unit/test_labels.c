/*
 * test_labels.c -- theme labels and "which themes are new": the log-odds
 * score and NPMI against hand-computed examples, labels chosen for being
 * said together, labels in a group's own word forms, the filler list's
 * loading (format,
 * stemming through the model, errors) and its effect on labels, a
 * collocation becoming a label, the shipped filler list against the demo
 * codebook, and the new-themes rule on a crafted corpus where one code was
 * left out of the coding (more of it in test_themes_new.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "labels.h"
#include "test_files.h"
#include "test_themes_util.h"
#include "test_util.h"

/* y_i = 10 of n_i = 100 in the group, y = 20 of n = 1000 in all, alpha0 =
 * 100: alpha_w = 2, delta = log(12 / 188) - log(12 / 988) = log(988 / 188)
 * = 1.659241, var = 1/12 + 1/12, z = 1.659241 / 0.408248 = 4.064293. */
static void log_odds_by_hand(void **state)
{
    (void)state;
    test_near(labels_log_odds_z(10, 100, 20, 1000, 100), 4.064293, 1e-6);
    /* the same share in the group as in all: no difference */
    test_near(labels_log_odds_z(2, 100, 20, 1000, 100), 0.0, 1e-12);
    /* rarer in the group than elsewhere: below 0 */
    assert_true(labels_log_odds_z(1, 100, 20, 1000, 100) < 0.0);
    /* a word nobody said scores 0, not NaN */
    test_near(labels_log_odds_z(0, 100, 0, 1000, 100), 0.0, 0.0);
    /* more evidence for the same ratio: a larger z */
    assert_true(labels_log_odds_z(20, 200, 40, 2000, 100) >
                labels_log_odds_z(10, 100, 20, 1000, 100));
}

/* p(a,b) = 2/16, p(a) = p(b) = 4/16: log((1/8) / (1/16)) / -log(1/8) =
 * log 2 / log 8 = 1/3. */
static void npmi_by_hand(void **state)
{
    (void)state;
    test_near(labels_npmi(2, 4, 4, 16), 1.0 / 3.0, 1e-12);
    test_near(labels_npmi(4, 8, 8, 16), 0.0, 1e-12);  /* independent */
    test_near(labels_npmi(0, 4, 4, 16), -1.0, 0.0);   /* never together */
    test_near(labels_npmi(3, 3, 3, 21), 1.0, 1e-12);  /* always together */
    test_near(labels_npmi(16, 16, 16, 16), 1.0, 0.0); /* in every one */
    test_near(labels_npmi(1, 0, 4, 16), -1.0, 0.0);   /* no counts */
}

/* Fit a model on c with words as they are (no stopwords, no lexicon;
 * stemmer as given) and set up its labeler. */
static quarry_model *labels_model(quarry_engine *e, const quarry_corpus *c,
                                  const char *stemmer, labeler *lab)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    po.min_df = 1;
    po.max_df = 1.0;
    po.stopwords = "none";
    po.lexicon = "none";
    po.stemmer = stemmer;
    if (quarry_model_fit(&m, e, &po, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    if (labeler_init(lab, e, m, c, NULL) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    return m;
}

static int label_has(char **terms, int32_t n, const char *word)
{
    int32_t i;
    for (i = 0; i < n; i++)
        if (strstr(terms[i], word) != NULL)
            return 1;
    return 0;
}

/* A group of nine: six excerpts about tea things, three that say only
 * "zebra". "zebra" is in no other excerpt, so its z is the group's best
 * (1.30 against 0.94 for "cup"); but it is never said with the tea words,
 * a detail of three excerpts. Chosen together, the three labels are tea
 * words (before: "zebra", "cup", "mug"). The words' order varies so that
 * no two make a phrase. */
static const char tea_and_zebras[] =
    "{\"id\":\"t1\",\"text\":\"kettle tea cup\"}\n"
    "{\"id\":\"t2\",\"text\":\"mug kettle tea\"}\n"
    "{\"id\":\"t3\",\"text\":\"cup mug kettle\"}\n"
    "{\"id\":\"t4\",\"text\":\"tea cup mug\"}\n"
    "{\"id\":\"t5\",\"text\":\"mug tea kettle cup\"}\n"
    "{\"id\":\"t6\",\"text\":\"tea kettle\"}\n"
    "{\"id\":\"z1\",\"text\":\"zebra\"}\n"
    "{\"id\":\"z2\",\"text\":\"zebra\"}\n"
    "{\"id\":\"z3\",\"text\":\"zebra\"}\n"
    "{\"id\":\"b1\",\"text\":\"kettle court tea\"}\n"
    "{\"id\":\"b2\",\"text\":\"tea court kettle\"}\n"
    "{\"id\":\"b3\",\"text\":\"court kettle tea\"}\n"
    "{\"id\":\"b4\",\"text\":\"tea kettle court\"}\n"
    "{\"id\":\"b5\",\"text\":\"cup court mug\"}\n"
    "{\"id\":\"b6\",\"text\":\"mug court cup\"}\n"
    "{\"id\":\"b7\",\"text\":\"judge verdict court\"}\n"
    "{\"id\":\"b8\",\"text\":\"verdict judge court\"}\n"
    "{\"id\":\"b9\",\"text\":\"court judge verdict\"}\n"
    "{\"id\":\"b10\",\"text\":\"jury verdict court\"}\n"
    "{\"id\":\"b11\",\"text\":\"verdict jury court\"}\n"
    "{\"id\":\"b12\",\"text\":\"court jury verdict\"}\n";

static void labels_are_said_together(void **state)
{
    static const int64_t group[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(tea_and_zebras, "tea.jsonl");
    labeler lab;
    quarry_model *m = labels_model(e, c, "none", &lab);
    char *terms[4] = {NULL, NULL, NULL, NULL};
    float weights[4];
    int32_t n = 0, i;
    (void)state;
    assert_int_equal(labeler_pick(&lab, group, 9, 3, terms, weights, &n), 0);
    assert_int_equal(n, 3);
    assert_false(label_has(terms, n, "zebra"));
    assert_true(label_has(terms, n, "cup"));
    assert_true(label_has(terms, n, "mug"));
    /* best z first */
    for (i = 1; i < n; i++)
        assert_true(weights[i] <= weights[i - 1]);
    for (i = 0; i < n; i++)
        free(terms[i]);
    /* The zebra excerpts alone are labelled by their own word. */
    assert_int_equal(labeler_pick(&lab, group + 6, 3, 3, terms, NULL, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(terms[0], "zebra");
    for (i = 0; i < n; i++)
        free(terms[i]);
    labeler_free(&lab);
    quarry_model_free(m);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* The corpus says "night" (six excerpts); the night-shift excerpts say
 * "nights". Stemmed, both are one term, whose form over the corpus is
 * "night"; the night-shift group's label reads "nights", as its excerpts
 * do, and a group that says "night" keeps "night". */
static const char nights[] =
    "{\"id\":\"n1\",\"text\":\"nights awake again\"}\n"
    "{\"id\":\"n2\",\"text\":\"long nights awake\"}\n"
    "{\"id\":\"n3\",\"text\":\"awake three nights\"}\n"
    "{\"id\":\"d1\",\"text\":\"one night in the garden\"}\n"
    "{\"id\":\"d2\",\"text\":\"the garden at night\"}\n"
    "{\"id\":\"d3\",\"text\":\"night garden roses\"}\n"
    "{\"id\":\"d4\",\"text\":\"roses at night\"}\n"
    "{\"id\":\"d5\",\"text\":\"a night of roses\"}\n"
    "{\"id\":\"d6\",\"text\":\"that night the garden\"}\n"
    "{\"id\":\"j1\",\"text\":\"judge jury verdict\"}\n"
    "{\"id\":\"j2\",\"text\":\"verdict jury judge\"}\n"
    "{\"id\":\"j3\",\"text\":\"jury judge verdict\"}\n";

static void labels_in_the_groups_own_forms(void **state)
{
    static const int64_t shift[] = {0, 1, 2}, garden[] = {3, 4, 5, 6, 7, 8};
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(nights, "nights.jsonl");
    labeler lab;
    quarry_model *m = labels_model(e, c, NULL, &lab);
    char *terms[4] = {NULL, NULL, NULL, NULL};
    int32_t n = 0, i, col = -1;
    (void)state;
    for (i = 0; i < m->n_terms; i++)
        if (strncmp(quarry_model_term(m, i), "night", 5) == 0)
            col = i;
    assert_true(col >= 0);
    assert_string_equal(quarry_model_term(m, col), "night");
    assert_int_equal(labeler_pick(&lab, shift, 3, 3, terms, NULL, &n), 0);
    assert_true(label_has(terms, n, "nights"));
    for (i = 0; i < n; i++) {
        assert_string_not_equal(terms[i], "night");
        free(terms[i]);
    }
    assert_int_equal(labeler_pick(&lab, garden, 6, 3, terms, NULL, &n), 0);
    for (i = 0; i < n; i++) {
        assert_string_not_equal(terms[i], "nights");
        free(terms[i]);
    }
    labeler_free(&lab);
    quarry_model_free(m);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

static const char sea_and_court[] =
    "{\"id\":\"a1\",\"text\":\"yeah the boat sailed, asked about the "
    "harbour master\"}\n"
    "{\"id\":\"a2\",\"text\":\"yeah asking the harbour master about the "
    "boat\"}\n"
    "{\"id\":\"a3\",\"text\":\"the harbour master asked, yeah, boat "
    "sails\"}\n"
    "{\"id\":\"c1\",\"text\":\"the judge and the jury, a verdict\"}\n"
    "{\"id\":\"c2\",\"text\":\"jury verdict, the judge spoke\"}\n"
    "{\"id\":\"c3\",\"text\":\"a verdict: the jury and the judge\"}\n";

/* A filler file: comments, blank lines, CRLF and trailing blanks; "asked"
 * marks the column of "ask" that "asking" also reaches by stemming. */
static void filler_file_loads_through_the_model(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(sea_and_court, "sea.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_model *m = NULL;
    const char *path = test_out_path("filler-test.txt");
    unsigned char *filler;
    int64_t marked = 0, i, n_marked = 0;
    (void)state;
    po.min_df = 1;
    po.max_df = 1.0;
    po.stopwords = "none";
    assert_int_equal(quarry_model_fit(&m, e, &po, c), 0);
    test_write_file(path, "# a comment\r\n\r\nyeah \t\r\n" LABELS_ONLY_MARK
                          ": below\nasked\n\nnotinthecorpus\n");
    filler = calloc((size_t)m->n_terms, 1);
    assert_non_null(filler);
    /* The hedges alone: the words before the mark. */
    assert_int_equal(labels_filler_load(e, m, path, filler, &marked, NULL, 1),
                     0);
    assert_int_equal(marked, 1);
    for (i = 0; i < m->n_terms; i++)
        if (filler[i])
            assert_string_equal(quarry_model_term(m, i), "yeah");
    memset(filler, 0, (size_t)m->n_terms);
    assert_int_equal(labels_filler_load(e, m, path, filler, &marked, NULL, 0),
                     0);
    assert_int_equal(marked, 2);
    for (i = 0; i < m->n_terms; i++) {
        const char *t = quarry_model_term(m, i);
        n_marked += filler[i];
        if (filler[i])
            assert_true(strcmp(t, "yeah") == 0 || strncmp(t, "ask", 3) == 0);
    }
    assert_int_equal(n_marked, 2);
    /* a missing file is an error naming it */
    assert_int_equal(labels_filler_load(e, m, test_out_path("no-such.txt"),
                                        filler, &marked, NULL, 0),
                     QUARRY_EIO);
    assert_non_null(strstr(quarry_engine_errmsg(e), "no-such.txt"));
    free(filler);
    quarry_model_free(m);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* The shipped list: loads, and no word of it is a one-word keyword of a
 * code of the demo codebook (filler must not remove content). */
static void shipped_filler_spares_the_codebook(void **state)
{
    static const char *const keywords[] = {
        "job", "pay", "help", "role", "heavy", "support", "supervision",
        "contract", "funding", "manager", "boundaries", "recovery", "explain",
        "numbers", "value", "respect", "training", "tired", "burnout",
        "network", "stigma", "purpose", "hope", "worth", "report", "data"};
    char path[4096];
    FILE *f;
    char line[256];
    size_t k;
    quarry_engine *e = test_engine();
    (void)state;
    assert_int_equal(
        quarry_engine_find_dictionary(e, "filler/en.txt", path, sizeof path),
        0);
    f = fopen(path, "rb");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        for (k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            if (strcmp(line, keywords[k]) == 0)
                fail_msg("filler/en.txt lists the code keyword \"%s\"", line);
    }
    fclose(f);
    quarry_engine_free(e);
}

static int has_term(const quarry_theme *th, const char *term)
{
    int32_t j;
    for (j = 0; j < th->n_terms; j++)
        if (strcmp(th->terms[j], term) == 0)
            return 1;
    return 0;
}

/* "yeah" and "asked" are in every sea excerpt and nowhere else, so they
 * would be its best words; the filler list keeps them out. "harbour
 * master", three times side by side, is a collocation and labels the
 * theme in place of its two words. */
static void labels_skip_filler_and_join_phrases(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(sea_and_court, "sea.jsonl");
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    const quarry_theme *sea;
    (void)state;
    po.min_df = 1;
    po.max_df = 1.0;
    po.stopwords = "none";
    po.lexicon = "none";
    to.k = 2;
    to.dims = 0;
    to.clusterer = "agglomerative";
    if (quarry_themes_run(&t, e, &po, &to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    sea = theme_of(t, c, "a1");
    assert_ptr_equal(sea, theme_of(t, c, "a3"));
    assert_false(has_term(sea, "yeah"));
    assert_false(has_term(sea, "asked"));
    assert_true(has_term(sea, "harbour master"));
    assert_false(has_term(sea, "harbour"));
    assert_false(has_term(sea, "master"));
    assert_true(has_term(sea, "boat"));
    assert_true(has_term(theme_of(t, c, "c1"), "verdict"));
    quarry_themes_free(t);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* Themes of c by the agglomerative clusterer at k, no LSA, words as they
 * are, with coded as --coded; fails the test when the run does. */
static quarry_themes *coded_themes(quarry_engine *e, const quarry_corpus *c,
                                   const quarry_corpus *coded, int32_t k,
                                   quarry_themes_options *to)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes *t = NULL;
    po.stemmer = "none";
    po.lexicon = "none";
    po.min_df = 1;
    po.max_df = 1.0;
    to->k = k;
    to->dims = 0;
    to->clusterer = "agglomerative";
    to->coded = coded;
    if (quarry_themes_run(&t, e, &po, to, c) != 0)
        fail_msg("%s", quarry_engine_errmsg(e));
    return t;
}

/* New material against a coding that left a code out: the coded
 * excerpts (other excerpts, other ids) carry SEA and COURT but no code for
 * the garden talk. The garden theme is new; the sea and court themes are
 * not, though the sea theme's material matches its code's excerpts only in
 * part. */
static void left_out_code_is_new(void **state)
{
    static const char coded_text[] =
        "{\"id\":\"k1\",\"text\":\"boat sail harbour\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k2\",\"text\":\"sail boat wind\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k3\",\"text\":\"harbour tide boat\",\"code\":\"SEA\"}\n"
        "{\"id\":\"k4\",\"text\":\"jury verdict judge\",\"code\":\"COURT\"}\n"
        "{\"id\":\"k5\",\"text\":\"court judge trial\",\"code\":\"COURT\"}\n"
        "{\"id\":\"k6\",\"text\":\"verdict court jury\",\"code\":\"COURT\"}\n";
    quarry_engine *e = test_engine();
    quarry_corpus *c = test_corpus(three_topics, "three.jsonl");
    quarry_corpus *coded = test_corpus(coded_text, "coded.jsonl");
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t;
    const quarry_theme *sea, *court, *garden;
    (void)state;
    t = coded_themes(e, c, coded, 3, &to);
    sea = theme_of(t, c, "s1");
    court = theme_of(t, c, "j1");
    garden = theme_of(t, c, "g1");
    assert_int_equal(sea->size, 5);
    assert_int_equal(court->size, 5);
    assert_int_equal(garden->size, 5);
    assert_false(sea->is_new);
    assert_false(court->is_new);
    assert_true(garden->is_new);
    test_near(garden->covered, 0.0, 1e-12);
    assert_true(sea->covered >= 0.5);
    assert_true(court->covered >= 0.5);
    quarry_themes_free(t);
    /* With every excerpt of the input coded by id, even with mixed
     * codes, no theme is new. */
    quarry_corpus_free(coded);
    {
        static const char all_coded[] =
            "{\"id\":\"s1\",\"text\":\"seen\",\"code\":\"SEA\"}\n"
            "{\"id\":\"s2\",\"text\":\"seen\",\"code\":\"COURT\"}\n"
            "{\"id\":\"s3\",\"text\":\"seen\",\"code\":\"SEA\"}\n"
            "{\"id\":\"s4\",\"text\":\"seen\",\"code\":\"GARDEN\"}\n"
            "{\"id\":\"j1\",\"text\":\"seen\",\"code\":\"COURT\"}\n"
            "{\"id\":\"j2\",\"text\":\"seen\",\"code\":\"SEA\"}\n"
            "{\"id\":\"j3\",\"text\":\"seen\",\"code\":\"GARDEN\"}\n"
            "{\"id\":\"j4\",\"text\":\"seen\",\"code\":\"COURT\"}\n"
            "{\"id\":\"g1\",\"text\":\"seen\",\"code\":\"GARDEN\"}\n"
            "{\"id\":\"g2\",\"text\":\"seen\",\"code\":\"SEA\"}\n"
            "{\"id\":\"g3\",\"text\":\"seen\",\"code\":\"COURT\"}\n"
            "{\"id\":\"g4\",\"text\":\"seen\",\"code\":\"GARDEN\"}\n"
            "{\"id\":\"s5\",\"text\":\"seen\",\"code\":\"COURT\"}\n"
            "{\"id\":\"j5\",\"text\":\"seen\",\"code\":\"GARDEN\"}\n"
            "{\"id\":\"g5\",\"text\":\"seen\",\"code\":\"SEA\"}\n";
        int32_t i;
        coded = test_corpus(all_coded, "all.jsonl");
        t = coded_themes(e, c, coded, 3, &to);
        for (i = 0; i < quarry_themes_count(t); i++) {
            assert_false(quarry_themes_at(t, i)->is_new);
            test_near(quarry_themes_at(t, i)->covered, 1.0, 1e-12);
        }
        quarry_themes_free(t);
    }
    quarry_corpus_free(coded);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

/* A word as a reader reads it: case, end punctuation and the curly
 * apostrophe set aside before the stopword list is asked; numbers and
 * single letters are no words. */
static void words_read_as_a_reader(void **state)
{
    quarry_engine *e = test_engine();
    analyzer sw;
    char *d;
    size_t i;
    static const struct {
        const char *s;
        int want;
    } words[] = {
        {"At", LABELS_FUNCTION},
        {"the", LABELS_FUNCTION},
        {"too,", LABELS_FUNCTION},
        {"That's", LABELS_FUNCTION},
        {"she\xe2\x80\x99" "d", LABELS_FUNCTION},
        {"\xe2\x80\x9cOnce.\xe2\x80\x9d", LABELS_FUNCTION},
        {"caf\xc3\xa9", LABELS_CONTENT},
        {"\xe2\x80\x9c" "drop-in\xe2\x80\x9d", LABELS_CONTENT},
        {"year.", LABELS_CONTENT},
        {"Burnout", LABELS_CONTENT},
        {"2021", LABELS_NOISE},
        {"3.5", LABELS_NOISE},
        {"i", LABELS_NOISE},
        {"s", LABELS_NOISE},
        {"--", LABELS_NOISE},
        {"\xe2\x80\x93", LABELS_NOISE},
    };
    (void)state;
    assert_int_equal(
        analyzer_init(&sw, e, "regex", "none", "en", NULL, "none"), 0);
    for (i = 0; i < sizeof words / sizeof *words; i++)
        if (labels_word_class(&sw.stopwords, words[i].s,
                              strlen(words[i].s)) != words[i].want)
            fail_msg("\"%s\": class %d, want %d", words[i].s,
                     labels_word_class(&sw.stopwords, words[i].s,
                                       strlen(words[i].s)),
                     words[i].want);
    /* without a list every word with two letters is content */
    assert_int_equal(labels_word_class(NULL, "the", 3), LABELS_CONTENT);
    /* a term: content when one word is, function when one word is */
    assert_int_equal(labels_term_class(&sw.stopwords, "at the"),
                     LABELS_FUNCTION);
    assert_int_equal(labels_term_class(&sw.stopwords, "do you"),
                     LABELS_FUNCTION);
    assert_int_equal(labels_term_class(&sw.stopwords, "My wife,"),
                     LABELS_CONTENT);
    assert_int_equal(labels_term_class(&sw.stopwords, "leave work"),
                     LABELS_CONTENT);
    assert_int_equal(labels_term_class(&sw.stopwords, "?"), LABELS_NOISE);
    assert_int_equal(labels_term_class(&sw.stopwords, "2 3"), LABELS_NOISE);
    assert_int_equal(labels_term_class(&sw.stopwords, "on 3"),
                     LABELS_FUNCTION);
    /* shown without what a tokenizer left on them */
    static const char *const shown[][2] = {
        {"car.", "car"},
        {"Thanks", "thanks"},
        {"NHS", "NHS"},
        {"\xe2\x80\x9c" "drop-in\xe2\x80\x9d", "drop-in"},
        {"My wife,", "my wife"},
        {"peer specialist", "peer specialist"},
        {"\xc3\x89" "cole", "\xc3\xa9" "cole"},
        {"--", ""},
    };
    for (i = 0; i < sizeof shown / sizeof *shown; i++) {
        d = labels_display(shown[i][0]);
        assert_non_null(d);
        assert_string_equal(d, shown[i][1]);
        free(d);
    }
    analyzer_free(&sw);
    quarry_engine_free(e);
}

/* Under a tokenizer that keeps case and punctuation ("At", "The",
 * "year." are terms of their own, which the stopword list does not
 * catch), the demo's themes are still labelled with content words, each
 * without the marks the tokens carried and each once; so they are when
 * the run keeps every word (--stopwords none: "them", "if" in the model,
 * the language's list still says what a function word is). */
static void whitespace_labels_are_content_words(void **state)
{
    quarry_engine *e = test_engine();
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_themes *t = NULL;
    analyzer sw;
    int32_t i, j, q, labelled = 0;
    int pass;
    (void)state;
    assert_int_equal(
        analyzer_init(&sw, e, "regex", "none", "en", NULL, "none"), 0);
    assert_int_equal(quarry_corpus_new(&c), 0);
    assert_int_equal(quarry_corpus_read_file(
                         c, QUARRY_TEST_SOURCE_DIR
                         "/corpora/pss-demo/excerpts.jsonl",
                         &ro),
                     0);
    to.k = 8;
    for (pass = 0; pass < 2; pass++) {
        if (pass == 0)
            po.tokenizer = "whitespace";
        else {
            po.tokenizer = NULL;
            po.stopwords = "none";
        }
        labelled = 0;
        if (quarry_themes_run(&t, e, &po, &to, c) != 0)
            fail_msg("%s", quarry_engine_errmsg(e));
        for (i = 0; i < quarry_themes_count(t); i++) {
            const quarry_theme *th = quarry_themes_at(t, i);
            labelled += th->n_terms > 0;
            for (j = 0; j < th->n_terms; j++) {
                const char *w = th->terms[j];
                size_t n = strlen(w);
                if (labels_term_class(&sw.stopwords, w) != LABELS_CONTENT)
                    fail_msg("theme %d: label \"%s\" is no content word", i, w);
                assert_true(n > 0);
                assert_true(strchr(".,;:!?\"", w[n - 1]) == NULL);
                assert_true(strchr(".,;:!?\"", w[0]) == NULL);
                for (q = 0; q < j; q++)
                    assert_string_not_equal(th->terms[q], w);
            }
        }
        assert_true(labelled >= 6);
        quarry_themes_free(t);
        t = NULL;
    }
    analyzer_free(&sw);
    quarry_corpus_free(c);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(log_odds_by_hand),
        cmocka_unit_test(npmi_by_hand),
        cmocka_unit_test(labels_are_said_together),
        cmocka_unit_test(labels_in_the_groups_own_forms),
        cmocka_unit_test(filler_file_loads_through_the_model),
        cmocka_unit_test(shipped_filler_spares_the_codebook),
        cmocka_unit_test(labels_skip_filler_and_join_phrases),
        cmocka_unit_test(left_out_code_is_new),
        cmocka_unit_test(words_read_as_a_reader),
        cmocka_unit_test(whitespace_labels_are_content_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
