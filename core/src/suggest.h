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
 *   + (1 - proto_weight) * sum(similarity of the K nearest training
 *                              excerpts carrying the code) / K
 * and its confidence the softmax of the scores over all codes with a
 * temperature. Neighbours come from an inverted index over the training
 * rows, input rows taken in blocks with a dense accumulator per row and
 * top-k selection: no N x N matrix is ever made.
 */
#ifndef QUARRY_SUGGEST_H
#define QUARRY_SUGGEST_H

#include "quarry/quarry.h"

/* Input rows handled per block of the neighbour search. */
#define SUGGEST_BLOCK 256

#endif
