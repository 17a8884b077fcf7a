/*
 * blas.c -- the one place quarry calls BLAS. Every SGEMM of the core and of
 * the plugins (through the host table) comes here, so thread settings and
 * the int range of the BLAS interface are handled once.
 */
#include <cblas.h>

#include "engine.h"

void engine_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                  float alpha, const float *a, int64_t lda, const float *b,
                  int64_t ldb, float beta, float *c, int64_t ldc)
{
    /* OpenBLAS takes int dimensions; callers block their work well under
     * INT_MAX rows, so a larger request is split along m here. */
    const int64_t max_rows = 1 << 20;
    while (m > 0) {
        int64_t mm = m < max_rows ? m : max_rows;
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, (int)mm, (int)n,
                    (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c,
                    (int)ldc);
        m -= mm;
        /* Advance A by mm rows of op(A) and C by mm rows. */
        a += trans_a ? mm : mm * lda;
        c += mm * ldc;
    }
}

void engine_dgram(int64_t n, int64_t k, const double *a, double *c)
{
    /* Upper triangle of C (n x n) = A^T A, A row-major k x n; callers
     * keep k and n far below INT_MAX (blocks of rows, a few hundred
     * columns). */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)k, 1.0, a,
                (int)n, 0.0, c, (int)n);
}

void engine_dgemm_nn(int64_t m, int64_t n, int64_t k, const double *a,
                     const double *b, double *c)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0, a, (int)k, b, (int)n, 0.0, c, (int)n);
}

int engine_blas_threads(int n)
{
    int prev = openblas_get_num_threads();
    if (n > 0 && n != prev)
        openblas_set_num_threads(n);
    return prev;
}
