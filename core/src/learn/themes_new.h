/*
 * themes_new.h -- which input excerpts fit no code of the coded set, and
 * gathering them into themes of their own (themes_new.c; quarry_themes_run
 * with coded excerpts).
 */
#ifndef QUARRY_THEMES_NEW_H
#define QUARRY_THEMES_NEW_H

#include <stdint.h>

#include "engine.h"

typedef struct themes_novelty {
    /* per input excerpt: 1 when it is not coded (no coded excerpt with a
     * code has its id) and no code fits it (see themes_new.c) */
    unsigned char *unlike;
    int64_t n_unlike;
    /* the top suggest confidence below which no code fits, and the share
     * of the coded excerpts, each scored as if left out, that fall below
     * it; both 0 when nothing could be calibrated */
    double threshold;
    double rate;
    /* 1 when the test was run; 0 (too few coded excerpts, or suggest could
     * not learn from them) leaves unlike all 0, which then says nothing
     * about whether a code fits */
    int calibrated;
} themes_novelty;

/* Fill nv for the n excerpts of c (coded[i]: input excerpt i is coded). */
int themes_novelty_find(quarry_engine *e, const quarry_pipeline_options *po,
                        const quarry_themes_options *to,
                        const quarry_corpus *c, const unsigned char *coded,
                        themes_novelty *nv);
void themes_novelty_free(themes_novelty *nv);

/* The distinct codes of the coded excerpts, sorted by byte: *names (to
 * free; its strings are the corpus'), *n of them. 0, or QUARRY_ENOMEM. */
int themes_code_list(quarry_engine *e, const quarry_corpus *coded,
                     const char ***names, int32_t *n);

/* Gather the unlike excerpts (nv) that the clusterer put in a theme into
 * clusters of their own with the same clusterer (instance self of cp),
 * and keep each that is as far from every code as the codes are from each
 * other (xc: the coded excerpts' rows in the same term space, of the
 * corpus coded): its members get the label *n_labels, *n_labels + 1, ...;
 * the others stay where they were. *n_labels grows by the clusters kept. */
int themes_new_gather(quarry_engine *e, const quarry_plugin *cp, void *self,
                      const quarry_themes_options *to, const quarry_csr *x,
                      const quarry_dense *dense, const quarry_csr *xc,
                      const quarry_corpus *coded, const themes_novelty *nv,
                      int32_t *labels, int32_t *n_labels);

#endif
