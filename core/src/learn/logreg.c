/*
 * logreg.c -- one-vs-rest logistic regression for suggest through
 * liblinear (logreg.h says what the model is). Here: the sparse rows
 * copied once into liblinear's feature nodes (one node array per training
 * row), one binary training per code over them (only the labels change),
 * and the weights copied out into a dense D x C table (so a sparse row's
 * decision values are one pass over its entries).
 */
#include <linear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"

/* liblinear prints its progress on stdout unless given a printer: the
 * library never prints. */
static void quiet(const char *s)
{
    (void)s;
}

/* The solver: the dual coordinate descent of L2-regularised logistic
 * regression (fast on many sparse rows; its row order is shuffled with
 * rand(), seeded per run). Stopping tolerance 1.0, ten times liblinear's
 * default: on every corpus of tests/bench/linear_bench.py --quick the
 * suggestions were as good or better (the form codes 0.909 -> 0.914 top-1,
 * BBC News top-3 0.995 -> 0.998) and 20 Newsgroups' 10,000 paragraphs took
 * 6.7 s instead of 11.6 s; at 2.0 the form codes fell to 0.897. */
#define LINEAR_SOLVER L2R_LR_DUAL
#define LINEAR_EPS 1.0

void linear_free(linear_model *m)
{
    if (m == NULL)
        return;
    free(m->w);
    free(m->b);
    free(m->present);
    memset(m, 0, sizeof *m);
}

/* Train code c's binary problem (y: +1 for the rows carrying it, -1 for
 * the rest) and copy its weights into column c of m. */
static int fit_code(linear_model *m, struct problem *prob,
                    const struct parameter *param, int32_t c)
{
    struct model *fit = train(prob, param);
    double sign;
    int64_t j, D = m->D;
    if (fit == NULL)
        return QUARRY_ENOMEM;
    /* One weight vector, for label[0] against label[1]. */
    sign = fit->nr_class == 2 && fit->label[0] < 0 ? -1.0 : 1.0;
    for (j = 0; j < D; j++)
        m->w[(size_t)j * (size_t)m->C + (size_t)c] =
            (float)(sign * fit->w[j]);
    m->b[c] = sign * fit->w[D];
    free_and_destroy_model(&fit);
    return 0;
}

int linear_fit(linear_model *m, const quarry_csr *x, const int64_t *lab_ptr,
               const int32_t *lab, int32_t C, const unsigned char *skip,
               double cost, uint64_t seed)
{
    struct problem prob;
    struct parameter param;
    struct feature_node *nodes = NULL, **rows_x = NULL;
    double *y = NULL;
    int64_t *row_of = NULL, j, p, l = 0, nnz = 0, at = 0, i;
    int32_t n_present = 0, c;
    int rc = QUARRY_ENOMEM;

    memset(m, 0, sizeof *m);
    m->C = C;
    m->D = x->cols;
    m->w = calloc((size_t)(x->cols ? x->cols : 1) * (size_t)C, sizeof *m->w);
    m->b = calloc((size_t)C + 1, sizeof *m->b);
    m->present = calloc((size_t)C + 1, sizeof *m->present);
    if (!m->w || !m->b || !m->present)
        goto out;
    for (j = 0; j < x->rows; j++) {
        if ((skip && skip[j]) || lab_ptr[j + 1] == lab_ptr[j])
            continue;
        l++;
        nnz += x->row_ptr[j + 1] - x->row_ptr[j] + 2; /* + bias, end */
        for (p = lab_ptr[j]; p < lab_ptr[j + 1]; p++)
            m->present[lab[p]] = 1;
    }
    for (c = 0; c < C; c++)
        n_present += m->present[c];
    if (n_present < 2 || l > INT32_MAX || x->cols >= INT32_MAX) {
        rc = 0; /* nothing to tell apart: biases 0, no weights */
        goto out;
    }
    nodes = malloc((size_t)nnz * sizeof *nodes);
    rows_x = malloc((size_t)l * sizeof *rows_x);
    y = malloc((size_t)l * sizeof *y);
    row_of = malloc((size_t)l * sizeof *row_of);
    if (!nodes || !rows_x || !y || !row_of)
        goto out;
    l = 0;
    for (j = 0; j < x->rows; j++) {
        if ((skip && skip[j]) || lab_ptr[j + 1] == lab_ptr[j])
            continue;
        rows_x[l] = nodes + at;
        row_of[l++] = j;
        for (p = x->row_ptr[j]; p < x->row_ptr[j + 1]; p++) {
            nodes[at].index = (int)x->col_idx[p] + 1;
            nodes[at++].value = x->values[p];
        }
        nodes[at].index = (int)x->cols + 1; /* the bias feature */
        nodes[at++].value = 1.0;
        nodes[at].index = -1;
        nodes[at++].value = 0.0;
    }
    memset(&prob, 0, sizeof prob);
    prob.l = (int)l;
    prob.n = (int)x->cols + 1;
    prob.y = y;
    prob.x = rows_x;
    prob.bias = -1.0; /* the bias is the last column, given above */
    memset(&param, 0, sizeof param);
    param.solver_type = LINEAR_SOLVER;
    param.eps = LINEAR_EPS;
    param.C = cost;
    set_print_string_function(quiet);
    srand((unsigned)(seed ^ (seed >> 32)));
    for (c = 0; c < C; c++) {
        int any_neg = 0;
        if (!m->present[c])
            continue;
        for (i = 0; i < l; i++) {
            y[i] = code_list_has(lab_ptr, lab, row_of[i], c) ? 1.0 : -1.0;
            any_neg |= y[i] < 0.0;
        }
        if (!any_neg) {
            /* Every row carries it: nothing to weigh it against, so its
             * log-odds from the counts alone (l + 1/2 against 1/2). */
            m->b[c] = log(2.0 * (double)l + 1.0);
            continue;
        }
        if ((rc = fit_code(m, &prob, &param, c)) != 0)
            goto out;
    }
    rc = 0;
out:
    free(nodes);
    free(rows_x);
    free(y);
    free(row_of);
    if (rc != 0)
        linear_free(m);
    return rc;
}

void linear_decisions(const linear_model *m, const quarry_csr *x, int64_t r,
                      double *out)
{
    int32_t c, C = m->C;
    int64_t p;
    if (x->row_ptr[r] == x->row_ptr[r + 1]) {
        /* No known term: the excerpt says nothing, so no code is more
         * likely than another (the biases alone would rank the codes by
         * their base rates). */
        for (c = 0; c < C; c++)
            out[c] = m->present[c] ? 0.0 : -HUGE_VAL;
        return;
    }
    for (c = 0; c < C; c++)
        out[c] = m->b[c];
    for (p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++) {
        const float *w = m->w + (size_t)x->col_idx[p] * (size_t)C;
        double v = x->values[p];
        for (c = 0; c < C; c++)
            out[c] += v * w[c];
    }
    for (c = 0; c < C; c++)
        if (!m->present[c])
            out[c] = -HUGE_VAL;
}

double linear_share(const linear_model *m, int32_t c, double d)
{
    (void)m;
    (void)c;
    return linear_prob(d);
}

double linear_prob(double d)
{
    if (d == -HUGE_VAL)
        return 0.0;
    return d >= 0.0 ? 1.0 / (1.0 + exp(-d)) : exp(d) / (1.0 + exp(d));
}
