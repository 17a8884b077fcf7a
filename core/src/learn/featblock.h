/*
 * featblock.h -- the rows suggest's linear model reads (featblock.c): the
 * suggest model's own weighted terms, and on request blocks that carry the
 * form of talk, each block L2-normalised and set side by side (a row of
 * two blocks has length sqrt 2, as scikit-learn's union of two
 * TfidfVectorizers).
 *
 * - words (always): the rows suggest scores with (stemmed, stopwords out,
 *   the pipeline's tokenizer and weighting).
 * - form (QUARRY_FEATURES_FORM): every word as it is (no stemming, no
 *   stopword list: "you", "I", "what" stay), word bigrams ("do you",
 *   "i was") and the question and exclamation marks the tokenizer drops,
 *   by (1 + log tf) x smoothed idf, terms in at least two coded excerpts.
 * - chars (QUARRY_FEATURES_CHARS): the `charngram` tokenizer plugin's
 *   character n-grams through a second text model (no stemming, no
 *   stopwords, terms in at least two coded excerpts; its options as given
 *   with --option charngram.KEY=VALUE).
 */
#ifndef QUARRY_FEATBLOCK_H
#define QUARRY_FEATBLOCK_H

#include "analyzer.h"
#include "quarry/quarry.h"

#define FEAT_BLOCKS 3

typedef struct feat_blocks {
    unsigned have;                    /* QUARRY_FEATURES_* built */
    const quarry_csr *t[FEAT_BLOCKS]; /* training rows per block */
    const quarry_csr *i[FEAT_BLOCKS]; /* input rows per block */
    quarry_csr *own[2 * FEAT_BLOCKS]; /* the blocks built here */
    const quarry_model *words;        /* names of block 0 */
    quarry_model *chars;              /* the charngram model */
    strtab form_keys;                 /* form block: key strings */
    int64_t *form_key;                /* form column -> key id */
    unsigned char *form_kind;         /* form column -> FEAT_HIDDEN (a
                                         lone function word or number),
                                         FEAT_SHOWN or FEAT_FORM */
    unsigned char *form_fit;          /* form column x code -> 1: form
                                         evidence for it (feat_form_fit) */
    int32_t fit_codes;                /* codes of form_fit; 0: not fitted */
    analyzer reader;                  /* labels_reader_stopwords */
    const strtab *reader_list;        /* the stopwords evidence is read
                                         with */
} feat_blocks;

/* What a column is as evidence (feat_shown). */
enum {
    FEAT_HIDDEN = 0, /* counts in the score, but reads as noise */
    FEAT_SHOWN = 1,  /* a content word, or a phrase with one */
    FEAT_FORM = 2    /* a pair of function words ("do you", "at the") or
                        a mark (? !): evidence only for the codes whose
                        excerpts say it more than the rest do */
};

/* Which codes show form evidence (feat_form_fit): a code whose excerpts
 * some form sets apart at least FEAT_FORM_CODE times as clearly as any
 * content word (Dunning's G2 against the other coded excerpts,
 * labels_g2_over) is a code of the form of talk, and shows the forms its
 * excerpts say more often than the rest with G2 over FEAT_FORM_G2 (p <
 * 0.01). Trained on the first 280 excerpts of the demo's talk corpus,
 * the two question codes are such codes ("?": G2 111 and 109 against 17
 * and 14 for their best words) and show "?" with "do you", "would you"
 * (closed) or "what would", "how do" (open); the suggestion code is not ("you could" 51 against "together"
 * 30) and shows its words. No code of the demo's content codebook is
 * (its best forms: "of us" for peers at 53 against "network" at 34,
 * "i'm on" for pay at 24 against "contract" at 27), so "at the", "one
 * on" and "on a" are no one's evidence there (tests/unit/
 * test_featblock.c). */
#define FEAT_FORM_CODE 2.0
#define FEAT_FORM_G2 6.63

/* Build the blocks of `want` (QUARRY_FEATURES_* flags) beside the words
 * (words: the suggest model, xt and xi its rows of train and input). */
int feat_blocks_build(feat_blocks *fb, quarry_engine *e,
                      const quarry_pipeline_options *po, unsigned want,
                      const quarry_model *words, const quarry_csr *xt,
                      const quarry_csr *xi, const quarry_corpus *train,
                      const quarry_corpus *input);
void feat_blocks_free(feat_blocks *fb);

/* The rows of the blocks in `set` side by side (words first, then form,
 * then chars): of the training set (input 0) or the input. */
int feat_stack(const feat_blocks *fb, unsigned set, int input,
               quarry_csr **out);
/* What column col of a stack is as evidence a reader can use
 * (FEAT_HIDDEN, FEAT_SHOWN, FEAT_FORM): a character n-gram ("ork ") is
 * hidden; so is a word, of either block, with no content word as a reader
 * reads it (labels_term_class: "and", "them", and under a tokenizer that
 * keeps case, marks or numbers "At", "too," or "2021"): they count in the
 * score, but as a reason they read as noise. Pairs of function words
 * ("do you", "at the") and the marks ? and ! are FEAT_FORM: evidence of
 * the form of talk for the codes that are about it (a question), filler
 * for the others (feat_form_fits). */
int feat_shown(const feat_blocks *fb, unsigned set, int64_t col);
/* Which codes each FEAT_FORM column is evidence for (FEAT_FORM_CODE),
 * from the training rows: row r has the codes lab[lab_ptr[r]..lab_ptr[r +
 * 1]) of 0..C-1. */
int feat_form_fit(feat_blocks *fb, quarry_engine *e, const int64_t *lab_ptr,
                  const int32_t *lab, int32_t C);
/* 1 when column col of a stack, FEAT_FORM, is evidence for code. */
int feat_form_fits(const feat_blocks *fb, unsigned set, int64_t col,
                   int32_t code);
/* 1 when column col of the words model is a content word or phrase
 * (labels_term_class with the stopwords list, labels_reader_stopwords). */
int feat_word_shown(const strtab *list, const quarry_model *words,
                    int64_t col);
/* The columns of a stack, and the display form of its column col. */
int64_t feat_cols(const feat_blocks *fb, unsigned set);
const char *feat_name(const feat_blocks *fb, unsigned set, int64_t col);

#endif
