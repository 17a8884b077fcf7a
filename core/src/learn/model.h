/*
 * model.h -- the fitted text model's insides (model.c).
 */
#ifndef QUARRY_MODEL_H
#define QUARRY_MODEL_H

#include "analyzer.h"

struct quarry_model {
    quarry_engine *engine;
    analyzer an;
    quarry_instance *weighting;

    int64_t fitted_terms; /* analyser terms known at fit time */
    int64_t *col_of_term; /* fitted term id -> column, or -1 */
    int64_t n_terms;      /* columns */
    int64_t *col_term;    /* column -> analyser term id */
    int64_t *col_display; /* column -> display string id */
    strtab display;

    int64_t n_docs;
    int64_t *df, *cf; /* per column, over the fitted excerpts */
    double avg_doc_len;

    const quarry_corpus *fit_corpus;
    size_t fit_corpus_size;
    quarry_csr *fit_counts;
    float *fit_doc_len;
};

#endif
