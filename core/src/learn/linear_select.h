/*
 * linear_select.h -- the linear model's scores on suggest's calibration
 * excerpts, each from a model trained without it, and with auto_select
 * (the default) its share of the score chosen by cross-validation on them
 * (linear_select.c).
 *
 * The calibration excerpts (suggest.h: coded training rows, at most
 * SUGGEST_CALIBRATION_ROWS, each also cut to a few terms) are split into
 * folds by a hash of the row and the seed; a model is trained on every
 * coded row outside a fold and scores the fold's rows and cuts:
 * LINEAR_FOLDS of them, LINEAR_FOLDS_SMALL up to LINEAR_C_SEARCH_ROWS
 * coded excerpts. The scores without the model leave each excerpt out
 * alone (they have seen n - 1 excerpts), so with three folds the model
 * was judged on two thirds of the material against the others' whole:
 * on a few hundred excerpts that is what decides, and the share it got
 * was too small. Ten folds on the demo, over seeds 1-10: 0.768 / 0.925
 * -> 0.772 / 0.929 (the form codes 0.905 / 0.996 both); with the default
 * seed 0.767 / 0.900 -> 0.775 / 0.925 (tests/bench/linear_bench.py
 * --quick --quarry-seeds 10). Each C's trainings cost a tenth of a
 * second more there; the most they cost is at the bound, on long
 * excerpts: 1,000 BBC News articles 7.3 s of training against 3.4 s at
 * 1,001 (five folds, C fixed), top-1 / top-3 0.973 / 0.995 against 0.966
 * / 0.995 (linear_bench.py --sets bbc --train-sample 1000, then 1001). Larger sets get five (three until session 8): on
 * BBC News over five stratified splits (linear_bench.py --sets
 * bbc-splits), top-1 0.977 -> 0.981, top-3 0.998 both (scikit-learn's
 * LR 0.978 / 0.999, LinearSVC 0.981 / 0.999), for 5.2 -> 6.1 s on one
 * split; on one split in five three folds had kept no model at all,
 * which five folds found worth 0.991 against 0.973. Ten folds there
 * gave the same at 8.5 s. No more folds than calibration excerpts. With
 * many coded rows (at least LINEAR_ONE_FOLD x the calibration rows) one
 * fold:
 * all calibration rows out at once, the model then sees nearly all the
 * rest, and it is kept as the run's model.
 *
 * auto_select reads every block (words, form, and character n-grams where
 * the charngram plugin is installed) and keeps the share of
 * LINEAR_GRID_SHARE with the best top-1 + top-3 over the folds' whole
 * rows, blending each excerpt's left-out score without the model with the
 * model's probability; ties to the smaller share, and no model unless it
 * beats the scores without it. C is LINEAR_AUTO_C; up to
 * LINEAR_C_SEARCH_ROWS coded excerpts it is chosen with the share from
 * LINEAR_GRID_C (ties to the first). On a few hundred coded excerpts the
 * regularisation matters most and costs least: with C chosen from 10 and
 * 100, over seeds 1-5, the demo went 0.758 / 0.920 -> 0.770 / 0.928 and
 * the form codes 0.902 / 0.994 -> 0.908 / 0.997 (scikit-learn's LR, C by
 * 3-fold CV: 0.767 / 0.917 and 0.897 / 0.997); C fixed at 100 gave 0.772
 * / 0.925 and 0.905 / 0.996, at 30 0.765 / 0.922 and 0.906 / 0.994
 * (tests/bench/linear_bench.py --quick --quarry-seeds 5). On BBC News
 * (1,781 coded) 30 and 100 moved nothing (0.975 / 0.997 and 0.974 /
 * 0.997 against 0.976 / 0.996 over seeds 1-3), and the search doubles
 * the folds' trainings: hence the bound. No grid over blocks: on every corpus of the bench all
 * three blocks were the best or within one excerpt of it, and a grid over
 * blocks and C on a 4,000-row sample chose worse (the demo: top-3 0.900
 * against 0.933) at nine times the cost. Above
 * QUARRY_SUGGEST_AUTO_MAX_CODED coded excerpts auto_select uses no linear
 * model (suggest.h says what it would cost and give).
 */
#ifndef QUARRY_LINEAR_SELECT_H
#define QUARRY_LINEAR_SELECT_H

#include "featblock.h"
#include "logreg.h"

#define LINEAR_FOLDS 5
/* Up to LINEAR_C_SEARCH_ROWS coded excerpts (the head says why). */
#define LINEAR_FOLDS_SMALL 10
#define LINEAR_ONE_FOLD 10
#define LINEAR_AUTO_C 10.0
/* Up to this many coded excerpts auto_select also chooses C, from
 * LINEAR_GRID_C, with the share: a training per C per fold, a fraction
 * of a second on a few hundred excerpts. */
#define LINEAR_C_SEARCH_ROWS 1000
#define LINEAR_GRID_C {10.0, 100.0}
/* The shares auto_select chooses from. */
#define LINEAR_GRID_SHARE {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}

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

/* Score the items with the linear model of choice->features, linear_c and
 * linear (with choice->auto_selected 1: every block fb has, LINEAR_AUTO_C
 * and the best share) and blend it into it->score; choice says what was
 * used. 0 or a status (on the engine). */
int linear_select(quarry_engine *e, const feat_blocks *fb, lin_items *it,
                  uint64_t seed, quarry_suggest_choice *choice);

#endif
