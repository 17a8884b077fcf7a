/*
 * logreg.h -- suggest's discriminative model: one-vs-rest L2-regularised
 * logistic regression over sparse rows, trained by liblinear (logreg.c).
 *
 * Each code c gets weights w_c and a bias b_c; its decision value for a row
 * x is d_c(x) = b_c + sum_t x[t] w_c[t] (the log-odds of c against the
 * rest), and each term's contribution x[t] w_c[t] is what the evidence
 * shows. A code no training row carries has no weights and no decision
 * (linear_prob gives 0 for it).
 *
 * One binary problem per code: the rows carrying it against every row
 * that does not. An excerpt with two codes is a positive row of both and
 * a negative row of neither. (Until session 7 it was given to liblinear's
 * multi-class training once per code, so each of its codes' problems also
 * saw it as a negative: on the demo study, where one excerpt in seven
 * has two codes, top-3 over seeds 1-5 went 0.903 -> 0.920 when that
 * stopped; single-code corpora train the same problems as before.)
 *
 * Deterministic: the rows are given to liblinear in training-row order,
 * the codes are trained in code order, and the dual coordinate descent's
 * shuffles come from rand() seeded with the run's seed before the first
 * code (liblinear draws nothing else; quarry calls rand() nowhere else).
 */
#ifndef QUARRY_LOGREG_H
#define QUARRY_LOGREG_H

#include <stdint.h>

#include "quarry/quarry.h"

typedef struct linear_model {
    int32_t C;              /* codes */
    int64_t D;              /* columns of the rows */
    float *w;               /* D x C: column t's weights for every code */
    double *b;              /* C biases */
    unsigned char *present; /* C: 1 if the code had training rows */
} linear_model;

/* 1 if row j of the code lists (ptr, codes: row j's codes are
 * codes[ptr[j] .. ptr[j + 1])) holds c; 0 too when ptr is NULL (no
 * lists). The training rows' codes, rejections and vetoes are all such
 * lists. */
static inline int code_list_has(const int64_t *ptr, const int32_t *codes,
                                int64_t j, int32_t c)
{
    int64_t q;
    if (ptr == NULL)
        return 0;
    for (q = ptr[j]; q < ptr[j + 1]; q++)
        if (codes[q] == c)
            return 1;
    return 0;
}

/* Train on the rows j of x with skip == NULL or skip[j] == 0 that carry a
 * code (lab[lab_ptr[j] .. lab_ptr[j + 1]), codes 0..C-1): for each code
 * present, its rows against the others. cost is liblinear's C (the
 * inverse of the regularisation strength). Fewer than two codes with
 * rows: no weights, every present code's decision is its bias 0. A code
 * every row carries (beside another) gets no weights and the bias
 * log(2l + 1), l the rows. 0, or QUARRY_ENOMEM. */
int linear_fit(linear_model *m, const quarry_csr *x, const int64_t *lab_ptr,
               const int32_t *lab, int32_t C, const unsigned char *skip,
               double cost, uint64_t seed);
void linear_free(linear_model *m);

/* Decision values of every code for row r of x (out: C values; a code
 * without rows gets -HUGE_VAL). */
void linear_decisions(const linear_model *m, const quarry_csr *x, int64_t r,
                      double *out);

/* The logistic sigmoid of a decision value (0 for -HUGE_VAL). */
double linear_prob(double d);

/* What suggest blends in for code c of decision value d: P(c), the
 * sigmoid of d, the code's bias (its base rate) included. An excerpt with
 * no known term gets decisions 0 for every code with rows (linear_decisions:
 * the biases alone would rank codes for an excerpt that says nothing), so
 * 0.5 each; a code without rows 0. (Until session 6 the bias was left out
 * everywhere; with it the form codebook's top-1 rose from 0.864 to 0.912,
 * tests/bench/linear_bench.py.) */
double linear_share(const linear_model *m, int32_t c, double d);

#endif
