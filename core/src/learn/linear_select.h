/*
 * linear_select.h -- the linear model's scores on suggest's calibration
 * excerpts, each from a model trained without it, and with --auto the
 * choice of feature blocks, C and the model's share of the score by
 * cross-validation on them (linear_select.c).
 *
 * The calibration excerpts (suggest.h: coded training rows, at most
 * SUGGEST_CALIBRATION_ROWS, each also cut to a few terms) are split into
 * folds by a hash of the row and the seed; a model is trained on every
 * coded row outside a fold and scores the fold's rows and cuts. With many
 * coded rows (at least LINEAR_ONE_FOLD x the calibration rows) one fold:
 * all calibration rows out at once, the model then sees nearly all the
 * rest. --auto scores every (blocks, C) of the grid that way, on at most
 * LINEAR_AUTO_ROWS coded rows besides the fold (a sample by the seed:
 * bounded time on 20 Newsgroups-size sets), and keeps the (blocks, C,
 * share) of best top-1 + top-3 over the whole rows, the shares blending
 * each excerpt's left-out score without the model (base) with the model's
 * probability; ties to the smaller share, fewer blocks, smaller C; no
 * model unless it beats the base. The chosen model's scores are then made
 * again on all coded rows. Where the grid ran on a sample, the base (which
 * saw every coded row) would be compared with models of 4,000 rows: there
 * the share (or none) is chosen again on those scores of the chosen
 * (blocks, C).
 */
#ifndef QUARRY_LINEAR_SELECT_H
#define QUARRY_LINEAR_SELECT_H

#include "featblock.h"
#include "logreg.h"

#define LINEAR_FOLDS 3
#define LINEAR_ONE_FOLD 10
#define LINEAR_AUTO_ROWS 4000
/* --auto tries character n-grams only up to this many training excerpts
 * (their block is the costly one to build and to train on). */
#define LINEAR_AUTO_CHARS_ROWS 20000
/* The grid of --auto. */
#define LINEAR_GRID_C {1.0, 10.0, 100.0}
#define LINEAR_GRID_SHARE {0.0, 0.25, 0.5, 0.75, 1.0}

typedef struct lin_items {
    int64_t n;              /* calibration items */
    const int64_t *row;     /* each one's training row */
    const int64_t *cut;     /* -1: the whole row; else its row of cuts */
    const quarry_csr *cuts; /* the cuts, in the words block's columns */
    double *score;          /* n x C: the left-out scores without the
                               model, blended with it on return */
    const int64_t *lab_ptr; /* training row -> codes */
    const int32_t *lab;
    int32_t C;
    int64_t nt;             /* training rows */
} lin_items;

/* With one fold (many coded rows) the model that scored the items, trained
 * on every coded row but the calibration rows (at most a tenth of them),
 * is handed back in *keep (keep->w != NULL) to be the run's model: one
 * training fewer on the largest sets.
 *
 * Score the items with the linear model of `want` (choice->features,
 * linear_c, linear; or with choice->auto_selected 1 the best of the grid
 * over the blocks fb has) and blend it into it->score; choice says what
 * was used. 0 or a status (on the engine). */
int linear_select(quarry_engine *e, const feat_blocks *fb, lin_items *it,
                  uint64_t seed, quarry_suggest_choice *choice,
                  linear_model *keep);

#endif
