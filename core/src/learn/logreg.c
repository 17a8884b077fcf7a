/*
 * logreg.c -- one-vs-rest logistic regression for suggest through
 * liblinear (logreg.h says what the model is). Here: the sparse rows
 * copied into liblinear's feature nodes (one node array per training row,
 * shared by the problem rows of its codes), the training, and the weights
 * copied out into a dense D x C table (liblinear's own layout, so a sparse
 * row's decision values are one pass over its entries).
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

int linear_fit(linear_model *m, const quarry_csr *x, const int64_t *lab_ptr,
               const int32_t *lab, int32_t C, const unsigned char *skip,
               double cost, uint64_t seed)
{
    struct problem prob;
    struct parameter param;
    struct model *fit = NULL;
    struct feature_node *nodes = NULL, **rows_x = NULL;
    double *y = NULL;
    int64_t *start = NULL, j, p, l = 0, nnz = 0, at = 0;
    int32_t n_present = 0, c, k;
    int rc = QUARRY_ENOMEM;

    memset(m, 0, sizeof *m);
    m->C = C;
    m->D = x->cols;
    m->w = calloc((size_t)(x->cols ? x->cols : 1) * (size_t)C, sizeof *m->w);
    m->b = calloc((size_t)C + 1, sizeof *m->b);
    m->present = calloc((size_t)C + 1, sizeof *m->present);
    start = malloc(((size_t)x->rows + 1) * sizeof *start);
    if (!m->w || !m->b || !m->present || !start)
        goto out;
    for (j = 0; j < x->rows; j++) {
        int64_t nl = lab_ptr[j + 1] - lab_ptr[j];
        if ((skip && skip[j]) || nl == 0)
            continue;
        l += nl;
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
    if (!nodes || !rows_x || !y)
        goto out;
    l = 0;
    for (j = 0; j < x->rows; j++) {
        struct feature_node *row = nodes + at;
        if ((skip && skip[j]) || lab_ptr[j + 1] == lab_ptr[j])
            continue;
        for (p = x->row_ptr[j]; p < x->row_ptr[j + 1]; p++) {
            nodes[at].index = (int)x->col_idx[p] + 1;
            nodes[at++].value = x->values[p];
        }
        nodes[at].index = (int)x->cols + 1; /* the bias feature */
        nodes[at++].value = 1.0;
        nodes[at].index = -1;
        nodes[at++].value = 0.0;
        for (p = lab_ptr[j]; p < lab_ptr[j + 1]; p++) {
            rows_x[l] = row;
            y[l++] = (double)lab[p];
        }
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
    fit = train(&prob, &param);
    if (fit == NULL)
        goto out;
    {
        int nr = fit->nr_class, nw = nr == 2 ? 1 : nr;
        int64_t D = x->cols;
        for (k = 0; k < nr; k++) {
            int32_t code = (int32_t)fit->label[k];
            double sign = 1.0;
            int col = k;
            if (nr == 2) { /* one weight vector: label[0] against label[1] */
                col = 0;
                sign = k == 0 ? 1.0 : -1.0;
            }
            for (j = 0; j < D; j++)
                m->w[(size_t)j * (size_t)C + (size_t)code] =
                    (float)(sign * fit->w[(size_t)j * (size_t)nw + (size_t)col]);
            m->b[code] = sign * fit->w[(size_t)D * (size_t)nw + (size_t)col];
        }
    }
    rc = 0;
out:
    if (fit != NULL)
        free_and_destroy_model(&fit);
    free(nodes);
    free(rows_x);
    free(y);
    free(start);
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
