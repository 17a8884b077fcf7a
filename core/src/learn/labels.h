/*
 * labels.h -- the terms that label a theme (labels.c): which terms and
 * two-word phrases set a group of excerpts apart from the whole corpus,
 * by the log-odds ratio with an informative Dirichlet prior, leaving out
 * conversational filler.
 */
#ifndef QUARRY_LABELS_H
#define QUARRY_LABELS_H

#include <stdint.h>

#include "engine.h"
#include "model.h"

/* The prior's total mass, as a multiple of the background's total count:
 * alpha_w = LABELS_PRIOR_SCALE * background count of w. */
#define LABELS_PRIOR_SCALE 1.0

/* What labelling needs of a fitted model and its corpus. */
typedef struct labeler {
    quarry_engine *engine;
    quarry_model *model;
    int64_t cols;           /* unigram candidates: the model's columns */
    unsigned char *filler;  /* per column: 1 when a filler word, or no
                               content word at all (labels_term_class) */
    unsigned char *quiet;   /* per column: 1 when no content word: never
                               a label, nor a word of a phrase */
    analyzer reader;        /* labels_reader_stopwords */
    const strtab *reader_list;
    int64_t n_filler;       /* columns marked */
    /* Phrases: adjacent column pairs that pass the collocation test;
     * candidate cols + p is phrase p. */
    int64_t n_phrases;
    int64_t *ph_a, *ph_b;   /* its two columns */
    char **ph_text;         /* "parking garage" */
    int64_t *doc_ptr;       /* per excerpt: its phrases doc_ph[doc_ptr[i]..] */
    int32_t *doc_ph;
    /* Corpora of up to LABELS_PHRASE_MAX excerpts: each excerpt's tokens
     * as the analyser's form ids, tok_form[tok_ptr[i]..tok_ptr[i + 1]);
     * NULL for larger ones. */
    size_t n_docs;
    int64_t *tok_ptr;
    int32_t *tok_form;
    int32_t *slot;          /* per column, scratch of labeler_pick: -1 */
    double *bg;             /* per candidate: excerpts that contain it */
    double bg_total;
} labeler;

/*
 * The log-odds ratio of a word between a group and the rest of the corpus,
 * with an informative Dirichlet prior, divided by its standard error
 * (Monroe, Colaresi & Quinn 2008, eq. 16-22): with y_i the word's count in
 * the group, n_i the group's total, y and n the same over the whole corpus
 * (group included), alpha_w = alpha0 * y / n,
 *
 *   delta = log((y_i + a_w) / (n_i + alpha0 - y_i - a_w))
 *         - log((y_j + a_w) / (n_j + alpha0 - y_j - a_w)),
 *   var   = 1 / (y_i + a_w) + 1 / (y_j + a_w),   z = delta / sqrt(var)
 *
 * where y_j = y - y_i and n_j = n - n_i. 0 when y is 0.
 */
double labels_log_odds_z(double y_i, double n_i, double y, double n,
                         double alpha0);

/* Dunning's log-likelihood ratio G2 of a group saying a term more often
 * than the rest: y_i of the group's n_i excerpts say it, y of all n (group
 * included). 0 when the group says it no more often than the rest. Over
 * 10.83 is p < 0.001, over 6.63 p < 0.01 (chi-squared, one degree). */
double labels_g2_over(double y_i, double n_i, double y, double n);

/* Normalised pointwise mutual information of two terms by excerpts: n_ab
 * excerpts hold both, n_a and n_b each, of n in all,
 *
 *   NPMI = log(P(a,b) / (P(a) P(b))) / -log P(a,b)
 *
 * (Bouma 2009): 1 for two always said together, 0 for independent, -1 for
 * two never said in one excerpt (and when a count is 0). */
double labels_npmi(double n_ab, double n_a, double n_b, double n);

/* What a word or a term is to a reader (labels_word_class). */
enum {
    LABELS_CONTENT = 0, /* a word that can name something: "burnout" */
    LABELS_FUNCTION,    /* a word of the list given: "the", "At", "too," */
    LABELS_NOISE        /* no letter, or one: "2021", "--", "i", "s" */
};

/*
 * One word s[0..n) as a tokenizer gave it, read as a reader would: case
 * folded, U+2019 read as ', the punctuation at either end left off ("At"
 * is "at", "year." is "year", "“drop-in”" is "drop-in"). LABELS_NOISE when
 * what is left has no letter (numbers, marks) or is a single letter;
 * LABELS_FUNCTION when it is a word of list (a stopword or filler list as
 * the analyser holds it, lower case; NULL: none); else LABELS_CONTENT.
 * Tokenizers that keep case and punctuation (whitespace) or numbers and
 * single letters (regex options) let such words into a model; labels and
 * evidence leave them out by this, whatever the tokenizer.
 */
int labels_word_class(const strtab *list, const char *s, size_t n);

/* A term of words separated by spaces ("do you", "car park", "?"):
 * LABELS_CONTENT when one of its words is, else LABELS_FUNCTION when one
 * of them is, else LABELS_NOISE. */
int labels_term_class(const strtab *list, const char *term);

/* The stopword list labels_term_class reads a run's terms with: the
 * run's own (an, the model's analyser), or when the run keeps every word
 * (--stopwords none) the language's (stopwords/<language>.txt through
 * the run's tokenizer, into out; none when the language has no list).
 * *list points at it; free out with analyzer_free either way. */
int labels_reader_stopwords(quarry_engine *e, const analyzer *an,
                            const char *language, analyzer *out,
                            const strtab **list);

/* A label as a reader should see it, malloc'd (NULL: out of memory):
 * each word without the punctuation at its ends ("car." is "car"), a
 * capital that only starts a word lowered ("Thanks" is "thanks", "NHS"
 * stays), what a tokenizer that keeps case and marks leaves on a term. */
char *labels_display(const char *term);

/* Read a filler list (one word a line, # comments, blank lines skipped,
 * trailing blanks and \r dropped) and mark the model columns its words
 * analyse to; *marked gets how many columns were marked; words (may be
 * NULL) gets the words as written, for labels_term_class. A line longer
 * than 200 bytes is an error naming the file and line. hedges_only: only
 * the words before the line LABELS_ONLY_MARK (the discourse markers and
 * hedges, never a reason for a code either; all of them when the list
 * has no such line). filler NULL: the words only, no column marked. */
#define LABELS_ONLY_MARK "#@ labels only"
int labels_filler_load(quarry_engine *e, quarry_model *m, const char *path,
                       unsigned char *filler, int64_t *marked, strtab *words,
                       int hedges_only);

/* Set up labelling for the excerpts of c (the corpus m was fitted on):
 * load filler/<language>.txt when the dictionary path has one, find the
 * phrases, count each candidate's excerpts. */
int labeler_init(labeler *l, quarry_engine *e, quarry_model *m,
                 const quarry_corpus *c, const char *language);
void labeler_free(labeler *l);

/* The nt labels of the excerpts members[0..size): of the candidates in at
 * least a tenth of them and two (one for a group of one), not filler, with
 * z > 0, the set worth most for z and for being said in the same excerpts
 * (NPMI), best z first; a phrase replaces its words; each in the form the
 * members say it most (corpora of up to LABELS_PHRASE_MAX excerpts).
 * terms[] get strdup'd strings, weights[] (may be NULL) the z-scores; *n
 * how many. */
int labeler_pick(labeler *l, const int64_t *members, int64_t size,
                 int32_t nt, char **terms, float *weights, int32_t *n);

#endif
