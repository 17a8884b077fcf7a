/*
 * suggest.h -- ranked candidate codes for excerpts, learnt from coded
 * excerpts (quarry_suggest_run, quarry.h).
 *
 * One prototype per leaf code: the normalised mean of its exemplars' rows,
 * blended with its codebook entry (name, definition, include notes and
 * keywords, vectorised through the same model) with the entry weighing
 * prior / (prior + exemplars); a code without exemplars is its entry. The
 * score of a code for an excerpt x is
 *     proto_weight * cos(x, prototype)
 *   + (1 - proto_weight) * sum over the K nearest training excerpts n
 *                          carrying the code of cos(x, n)^2 / codes(n) / K
 * and its confidence the softmax of the scores over all codes.
 *
 * Why these defaults (chosen on the demo split, five leave-two-studies-out
 * demo folds and BBC News together; tests/bench/suggest_bench.py):
 * - squared similarities weigh a close neighbour well above a loose one
 *   (distance-weighted k-NN); with plain similarities ten loosely related
 *   excerpts outvote one near-duplicate. It lifted top-1 on both sets.
 * - a neighbour with several codes shares its vote among them, so an
 *   excerpt coded three ways does not count three times.
 * - the temperature is fitted, not fixed: each coded training excerpt is
 *   scored as if left out (its share of its codes' prototypes and its own
 *   neighbour vote removed, exactly, from the exemplar sums), and the
 *   temperature minimising the negative log-likelihood of its codes is
 *   kept. Scores are on different scales on different corpora (short,
 *   hedged interview excerpts against long news articles), so one fixed
 *   temperature was underconfident on one and overconfident on the other.
 * - the quarry command runs suggest with min_df 1 and sublinear tf
 *   (tfidf.tf=log) unless told otherwise (cmd_suggest.c): a term seen once
 *   in training still links a new excerpt to that coded excerpt, and
 *   repeating a word should not count linearly. Both lifted top-1 and
 *   top-3 on the demo folds and left BBC as it was.
 *
 * Rejected suggestions (options->rejected) follow Rocchio's negative
 * feedback: the prototype minus SUGGEST_REJECT_WEIGHT times the mean of
 * the code's rejected rows, negative weights cut to 0, renormalised; a
 * rejected (excerpt, code) is no exemplar and no neighbour vote for it.
 *
 * Neighbours come from one function, neighbours(), over an inverted index
 * of the training rows, input rows taken in blocks with a dense
 * accumulator per row and top-k selection: no N x N matrix is ever made.
 */
#ifndef QUARRY_SUGGEST_H
#define QUARRY_SUGGEST_H

#include "quarry/quarry.h"

/* Input rows handled per block of the neighbour search. */
#define SUGGEST_BLOCK 256

/* Rocchio's gamma: how far a code's prototype moves away from the mean of
 * the excerpts the code was rejected for (the prototype has length 1). */
#define SUGGEST_REJECT_WEIGHT 0.5

/* Training rows scored to fit the temperature, at most (evenly spaced). */
#define SUGGEST_CALIBRATION_ROWS 1000
/* Temperatures tried: 1e-3 to 1 on a log grid of this many steps. */
#define SUGGEST_CALIBRATION_GRID 60
/* When nothing can be fitted (fewer than two coded excerpts). */
#define SUGGEST_FALLBACK_TEMPERATURE 0.03

#endif
