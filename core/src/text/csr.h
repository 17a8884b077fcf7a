/*
 * csr.h -- building and finishing sparse rows (quarry_csr, plugin.h).
 */
#ifndef QUARRY_CSR_H
#define QUARRY_CSR_H

#include "quarry/quarry.h"

/* Allocate a CSR with room for nnz entries; row_ptr zeroed. */
quarry_csr *csr_alloc(int64_t rows, int64_t cols, int64_t nnz);
/* Scale each row to unit L2 norm (empty rows stay empty). */
void csr_normalize_rows(quarry_csr *m);
/* Dot product of a sparse row with a dense vector. */
static inline float csr_row_dot(const quarry_csr *m, int64_t row,
                                const float *dense)
{
    float s = 0.0f;
    for (int64_t p = m->row_ptr[row]; p < m->row_ptr[row + 1]; p++)
        s += m->values[p] * dense[m->col_idx[p]];
    return s;
}

#endif
