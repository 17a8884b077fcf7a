/*
 * analyzer.h -- text to terms: the tokenizer plugin, the lexicon (phrases
 * and synonyms, matched longest first on the folded tokens), the stopword
 * list, and the stemmer plugin, applied in that order.
 *
 * Every distinct surface form is analysed once and cached: a form id maps to
 * a term id (or -1 when the form is a stopword), so stemming costs one hash
 * lookup per token after the first occurrence.
 */
#ifndef QUARRY_ANALYZER_H
#define QUARRY_ANALYZER_H

#include "engine.h"
#include "strtab.h"

typedef struct lexicon lexicon;

/* What the cache knows of a surface form; one cache line holds both. */
typedef struct analyzer_form {
    int64_t term;  /* term id, or -1 (a stopword, or stemmed to nothing) */
    int64_t count; /* occurrences, for display forms */
} analyzer_form;

typedef struct analyzer {
    quarry_engine *engine;
    quarry_instance *tokenizer;
    quarry_instance *stemmer; /* NULL: no stemming */
    strtab stopwords;
    lexicon *lex;             /* NULL: no phrases or synonyms */

    strtab forms;             /* surface forms (and phrase canonicals) */
    analyzer_form *form;      /* form id -> its term and count */
    int64_t cap_forms;
    strtab terms;             /* term strings (stems, phrases) */

    /* scratch, per call */
    char *buf;                /* folded token forms of one excerpt,
                                 NUL-separated */
    size_t buf_len, buf_cap;
    int64_t *tok_off;         /* >= 0: offset into buf; < 0: the token is
                                 text[-tok_off - 1 ..], unfolded */
    uint32_t *tok_len;
    uint64_t *tok_hash;       /* strtab_hash() of each token */
    const char **tok_ptr;     /* each token, once buf stops moving */
    int64_t *tok_word;        /* each token's lexicon word id, or -1 */
    int64_t n_tok, cap_tok;
    char *stem_buf;
    size_t stem_cap;
    char err[QUARRY_ERR_MAX];
    int borrowed;             /* a worker copy: stopwords and lex are not
                                 its own (analyzer_clone) */
} analyzer;

/* Make an analyzer from the named plugins and dictionaries. stopwords and
 * lexicon are dictionary names or paths, "none", or NULL for the default
 * (stopwords/<language>.txt; lexicon/pss.json). */
int analyzer_init(analyzer *a, quarry_engine *e, const char *tokenizer,
                  const char *stemmer, const char *language,
                  const char *stopwords, const char *lexicon_name);
void analyzer_free(analyzer *a);

/* Append the term ids of text[0..len) to *ids (growing it). */
int analyzer_run(analyzer *a, const char *text, size_t len, int64_t **ids,
                 int64_t *n, int64_t *cap);

/* analyzer_run, but a token that yields no term (a stopword) leaves -1,
 * so terms -1 apart were not next to each other in the text (phrase
 * finding, themes.c). */
int analyzer_run_gaps(analyzer *a, const char *text, size_t len,
                      int64_t **ids, int64_t *n, int64_t *cap);

/* The form id of every token of text[0..len), stopwords included, in
 * order (a lexicon match: its canonical's form), appended to *forms; the
 * term of form f is a->form[f].term, -1 for a stopword. Labels show a
 * term in the form a theme's excerpts say it (labels.c). */
int analyzer_run_forms(analyzer *a, const char *text, size_t len,
                       int64_t **forms, int64_t *n, int64_t *cap);

/* The two-letter code of a language name ("english" -> "en"; NULL ->
 * "en"), as the stopword lists are named. */
const char *analyzer_lang_code(const char *language);

/* A worker copy of a for another thread: new instances of the same
 * plugins and empty caches of its own, sharing a's stopwords and lexicon
 * (read-only while both are in use; a outlives w). Free it with
 * analyzer_free(). */
int analyzer_clone(analyzer *w, const analyzer *a);

/* Fold what worker w learnt into a: its surface forms with their counts
 * (a form new to a keeps the term w found for it) and its terms. *map gets
 * w's term id -> a's term id (w->terms.n entries; the caller frees it). A
 * form's term depends only on the form, so the result is the same as if a
 * had seen the text itself, in any order. */
int analyzer_merge(analyzer *a, const analyzer *w, int64_t **map);

/* The most frequent surface form seen for each term (phrases: the phrase),
 * as an array of form ids indexed by term id; the caller frees it. */
int64_t *analyzer_display_forms(const analyzer *a);

#endif
