/*
 * csr.c -- compressed sparse rows: allocation, freeing and row
 * normalisation. Rows are excerpts and columns terms; a document-term
 * matrix is never densified.
 */
#include <math.h>
#include <stdlib.h>

#include "csr.h"

quarry_csr *csr_alloc(int64_t rows, int64_t cols, int64_t nnz)
{
    quarry_csr *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->rows = rows;
    m->cols = cols;
    m->row_ptr = calloc((size_t)rows + 1, sizeof *m->row_ptr);
    m->col_idx = malloc((size_t)(nnz ? nnz : 1) * sizeof *m->col_idx);
    m->values = malloc((size_t)(nnz ? nnz : 1) * sizeof *m->values);
    if (m->row_ptr == NULL || m->col_idx == NULL || m->values == NULL) {
        quarry_csr_free(m);
        return NULL;
    }
    return m;
}

void quarry_csr_free(quarry_csr *m)
{
    if (m == NULL)
        return;
    free(m->row_ptr);
    free(m->col_idx);
    free(m->values);
    free(m);
}

void csr_normalize_rows(quarry_csr *m)
{
    int64_t i, p;
    for (i = 0; i < m->rows; i++) {
        double s = 0.0;
        for (p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++)
            s += (double)m->values[p] * m->values[p];
        if (s > 0.0) {
            float inv = (float)(1.0 / sqrt(s));
            for (p = m->row_ptr[i]; p < m->row_ptr[i + 1]; p++)
                m->values[p] *= inv;
        }
    }
}
