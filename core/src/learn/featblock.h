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
    unsigned char *form_quiet;        /* form column -> 1: a single word of
                                         the run's stopword list */
} feat_blocks;

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
/* 1 when column col of a stack is evidence a reader can use: not a
 * character n-gram ("ork "), not a lone stopword of the form block ("and",
 * "them": they count in the score, but as a reason they read as noise;
 * pairs such as "do you" and the marks ? and ! are shown). */
int feat_shown(const feat_blocks *fb, unsigned set, int64_t col);
/* The columns of a stack, and the display form of its column col. */
int64_t feat_cols(const feat_blocks *fb, unsigned set);
const char *feat_name(const feat_blocks *fb, unsigned set, int64_t col);

#endif
