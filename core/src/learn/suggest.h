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
 * Its confidence is the softmax of the scores over all codes (temperature
 * T) times the excerpt's evidence factor f(e):
 *     confidence(c) = f(e) * softmax(score / T)(c)
 *     f(e) = min(1, g(e) / g(e_ref)),  g(e) = sigmoid(a + b log(1 + e))
 *     e = sum over the excerpt's terms t of 1 - H(t) / log C
 * H(t) the entropy of the codes of the coded training excerpts holding t
 * (a term only one code's excerpts hold counts 1, one spread evenly over
 * all C codes 0, one no coded excerpt holds 0); the excerpt abstains when
 * the top confidence is below min_confidence.
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
 * The evidence factor (issue 3): a softmax says which code is relatively
 * best, not whether any fits; "How did you come into the work?" shares
 * the single term "work" with the demo's coded excerpts and had one code
 * at 0.66. f is a "none of these" share: the codes keep f of the softmax
 * mass and "none" the rest. Confidences stay in [0, 1], ordered like the
 * scores (one factor for all codes of an excerpt), sum to at most 1, the
 * ranking is untouched, and the top one is what min_confidence compares.
 * - The evidence e counts the excerpt's terms by how much they point to
 *   particular codes, not just the terms it shares with training: "work"
 *   or "time" turn up under every code and say little. On the demo folds
 *   it kept the folds' ECE where a plain count of shared terms did too,
 *   and lowered the demo split's ECE and pleasantries' confidences more.
 *   (A Dirichlet prior on each term's codes, against chance purity of rare
 *   terms, made every figure worse, so there is none.)
 * - Fitted, not set: where the temperature is fitted, every calibration
 *   row scored as if left out (its codes also out of the terms' code
 *   counts), (a, b) maximise the likelihood that the row's top code is one
 *   of its codes, P = softmax share x g(e) (Fisher scoring with step
 *   halving; a Gaussian prior of precision SUGGEST_EVIDENCE_PRIOR keeps a
 *   and b finite on tiny or separable sets). Deterministic; 2 x 2 solves.
 * - Cuts: coded excerpts are seldom as short as an interviewer's question,
 *   so each calibration row also comes cut down to 1, 2, 3, 5, 8, 13 or 21
 *   of its terms (in turn; those of smallest hash of row and column, so
 *   fixed and blind to their weights), renormalised and scored left out
 *   like the row. The top code of a one-term cut is right far less often
 *   than its softmax share says, of a whole row about as often: the fit
 *   sees that fall instead of extrapolating. Rows stay bounded:
 *   2 x SUGGEST_CALIBRATION_ROWS.
 * - The reference e_ref, the lower quartile of the whole calibration rows'
 *   evidence: the temperature was fitted on such rows, so an excerpt with
 *   as much evidence as most coded excerpts keeps the softmax as it was
 *   (f = 1) and only thinner ones are lowered. Without it a logistic in
 *   log(1 + e) cannot both be low at one term and reach 1 at fifteen: it
 *   lowered well-evidenced excerpts too, and the demo folds' ECE rose
 *   (0.063 -> 0.087 in a trial).
 * - Tried and not kept: Platt scaling of the top code on (softmax logit,
 *   top score, shared terms), which also moves well-evidenced excerpts and
 *   flattened the demo split's confidences (ECE 0.037 -> 0.113 in a
 *   trial); and a cut indicator among the features, which left a one-term
 *   question near 0.5.
 * - A fixed temperature keeps the factor (fitted at that temperature);
 *   fewer than two coded excerpts leave the plain softmax.
 * Measured (tests/bench/suggest_bench.py --demo-folds, BBC in --data):
 * top-1 and top-3 unchanged everywhere; five demo folds ECE 0.063 ->
 * 0.063, Brier 0.170 -> 0.168; BBC ECE 0.015 -> 0.015; the demo split
 * ECE 0.037 -> 0.046, Brier 0.171 -> 0.171 (its shortest excerpt, 9
 * words and right, falls from 0.57 to 0.38), with the codebook ECE 0.078
 * -> 0.079, Brier 0.157 -> 0.157; the demo transcripts' interviewer turns
 * from a mean top confidence of 0.57 (13% abstain) to 0.28 (62%).
 *
 * The linear model (chosen by auto_select, the default, or
 * options->linear > 0): a one-vs-rest logistic regression on the coded
 * excerpts (logreg.h), on the words and the feature blocks (featblock.h);
 * the score becomes
 *     (1 - linear) x the score above + linear x sigmoid(b_c + w_c . x)
 * (an excerpt with no known term stays at chance). It is calibrated with
 * the rest: the calibration rows and their cuts are scored by models
 * trained without them (linear_select.h, which also says how auto_select
 * chooses), the temperature and the evidence factor are fitted on the
 * blended scores. Its evidence terms are the words, word pairs and marks
 * of largest x[t] w_c[t] (their share of the code's log-odds), a word of
 * the words and form blocks summed, in place of the prototype shares;
 * character n-grams and lone stopwords ("and") count but are not shown. A code rejected for an input
 * excerpt of the same id gets no linear share there (the model does not
 * learn from rejections; the prototype's Rocchio push does). Measured
 * (tests/bench/linear_bench.py --quick): top-1 / top-3 without the model
 * and with the default, demo split 0.658 / 0.842 -> 0.767 / 0.908, form
 * codebook 0.460 / 0.749 -> 0.914 / 0.997, BBC News 0.973 / 0.998 ->
 * 0.975 / 0.998, 20 Newsgroups 10k paragraphs 0.591 / 0.770 -> 0.615 /
 * 0.785. Above QUARRY_SUGGEST_AUTO_MAX_CODED coded excerpts none: on the
 * 87,000 paragraphs of the speed corpus `--linear 0.5 --features form`
 * lifts top-1 from 0.737 to 0.749 at 24 s of CPU against 2.5 s.
 *
 * Rejected suggestions (options->rejected) follow Rocchio's negative
 * feedback: the prototype minus SUGGEST_REJECT_WEIGHT times the mean of
 * the code's rejected rows, negative weights cut to 0, renormalised; a
 * rejected (excerpt, code) is no exemplar and no neighbour vote for it.
 *
 * Neighbours come from one function, neighbours(), over an inverted index
 * of the training rows, input rows taken in blocks with a dense
 * accumulator per row and top-k selection: no N x N matrix is ever made.
 * The blocks run on the engine's threads (parallel_for), each worker with
 * its own accumulator; every row writes only its own slots, and each
 * score is the same float sum in the same order, so the output is the
 * same, byte for byte, for any number of threads.
 */
#ifndef QUARRY_SUGGEST_H
#define QUARRY_SUGGEST_H

#include "quarry/quarry.h"

/* Tests only: on != 0 makes later runs use the neighbour search's scalar
 * loop even where the AVX-512 kernel could run (simd_accum.h); both give
 * the same bits. suggest_simd_available: 1 if this CPU runs the kernel. */
void suggest_force_scalar(int on);
int suggest_simd_available(void);

/* Input rows handled per block of the neighbour search. */
#define SUGGEST_BLOCK 256

/* Rocchio's gamma: how far a code's prototype moves away from the mean of
 * the excerpts the code was rejected for (the prototype has length 1). */
#define SUGGEST_REJECT_WEIGHT 0.5

/* Training rows scored to fit the temperature and the evidence factor, at
 * most (evenly spaced; each also cut, so twice as many rows are scored). */
#define SUGGEST_CALIBRATION_ROWS 1000
/* An excerpt abstains when its top confidence is no better than chance
 * among the C candidate codes: the threshold is max(min_confidence,
 * 1/C + SUGGEST_CHANCE_MARGIN), so three codes at 0.33 each abstain even
 * under the default 0.3. */
#define SUGGEST_CHANCE_MARGIN 0.05
/* Temperatures tried: 1e-3 to 1 on a log grid of this many steps. */
#define SUGGEST_CALIBRATION_GRID 60
/* When nothing can be fitted (fewer than two coded excerpts). */
#define SUGGEST_FALLBACK_TEMPERATURE 0.03

/* From the codebook alone (no coded excerpt; a codebook given): each
 * code's prototype is its entry (name, definition, include notes and
 * keywords) vectorised by a model fitted on the input, the score is the
 * cosine to it (no neighbours to vote), the confidence a softmax of the
 * scores at this fixed temperature: nothing coded to calibrate it on, so
 * the run is marked uncalibrated (quarry_suggestions_codebook_only) and
 * an excerpt abstains below SUGGEST_CODEBOOK_MIN_CONFIDENCE (or
 * min_confidence when higher).
 * Measured on the demo's 362 coded excerpts with pss-starter.json (codes
 * hidden): top-1 0.533, top-3 0.732; over temperatures 0.02 / 0.03 / 0.05
 * the ECE of the top confidence was 0.093 / 0.068 / 0.236, so 0.03; at
 * 0.5, 61% abstain and the rest are right 85% of the time. Chosen on the
 * same excerpts it was measured on: a guide, not a calibration. */
#define SUGGEST_CODEBOOK_TEMPERATURE 0.03
#define SUGGEST_CODEBOOK_MIN_CONFIDENCE 0.5

/* The evidence factor: features of g (1, log(1 + evidence)), the
 * precision of the Gaussian prior on its weights, and the weight of a cut
 * calibration row against a whole one in the fit. */
#define SUGGEST_EVIDENCE_FEATURES 2
#define SUGGEST_EVIDENCE_PRIOR 1.0
#define SUGGEST_CUT_WEIGHT 1.0
/* The reference evidence: the 1/this quantile of the coded excerpts'
 * evidence (4: the lower quartile). */
#define SUGGEST_EVIDENCE_QUANTILE 4
/* Sizes of the cuts of calibration rows (terms kept), in turn. */
#define SUGGEST_CUTS 7
#define SUGGEST_CUT_SIZES {1, 2, 3, 5, 8, 13, 21}
#define SUGGEST_CUT_MAX 21

#endif
