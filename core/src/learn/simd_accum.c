/*
 * simd_accum.c -- the AVX-512 kernel of suggest.c's neighbour search (see
 * simd_accum.h). Sixteen postings at a time: gather their accumulators,
 * mark the zeros (first touches), compress-store those row numbers into
 * the touched list (lane order, so the list is the scalar loop's), add
 * x * w (multiply, then add: the scalar loop's rounding) and scatter back.
 * One posting list has no repeated row, so no two lanes conflict. Only
 * this function is compiled for AVX-512 (a target attribute); the rest of
 * the library runs on any x86-64.
 */
#include "simd_accum.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define QUARRY_HAVE_AVX512_KERNEL 1
#include <immintrin.h>
#endif

#ifdef QUARRY_HAVE_AVX512_KERNEL

int simd_accum_avx512_ok(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

__attribute__((target("avx512f"))) int64_t
simd_accum_avx512(float *acc, int32_t *touched, int64_t n_touched,
                  const int32_t *doc, const float *w, int64_t n, float x)
{
    const __m512 vx = _mm512_set1_ps(x), zero = _mm512_setzero_ps();
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) {
        __m512i d = _mm512_loadu_si512((const void *)(doc + j));
        __m512 a = _mm512_i32gather_ps(d, acc, 4);
        __m512 p = _mm512_mul_ps(vx, _mm512_loadu_ps(w + j));
        __mmask16 first = _mm512_cmp_ps_mask(a, zero, _CMP_EQ_OQ);
        _mm512_mask_compressstoreu_epi32(touched + n_touched, first, d);
        n_touched += __builtin_popcount((unsigned)first);
        _mm512_i32scatter_ps(acc, d, _mm512_add_ps(a, p), 4);
    }
    if (j < n) { /* the tail, under a mask: nothing read past doc[n - 1] */
        __mmask16 m = (__mmask16)((1u << (unsigned)(n - j)) - 1u);
        __m512i d = _mm512_maskz_loadu_epi32(m, doc + j);
        __m512 a = _mm512_mask_i32gather_ps(zero, m, d, acc, 4);
        __m512 p = _mm512_mul_ps(vx, _mm512_maskz_loadu_ps(m, w + j));
        __mmask16 first = _mm512_mask_cmp_ps_mask(m, a, zero, _CMP_EQ_OQ);
        _mm512_mask_compressstoreu_epi32(touched + n_touched, first, d);
        n_touched += __builtin_popcount((unsigned)first);
        _mm512_mask_i32scatter_ps(acc, m, d, _mm512_add_ps(a, p), 4);
    }
    return n_touched;
}

__attribute__((target("avx512f"))) unsigned
simd_take16_avx512(float *acc, const int32_t *rows, int64_t n, float lo,
                   float *vals)
{
    const __m512 zero = _mm512_setzero_ps();
    __mmask16 m = n >= 16 ? (__mmask16)0xffff
                          : (__mmask16)((1u << (unsigned)n) - 1u);
    __m512i d = _mm512_maskz_loadu_epi32(m, rows);
    __m512 a = _mm512_mask_i32gather_ps(zero, m, d, acc, 4);
    _mm512_mask_i32scatter_ps(acc, m, d, zero, 4);
    _mm512_storeu_ps(vals, a);
    return (unsigned)(_mm512_mask_cmp_ps_mask(m, a, zero, _CMP_GT_OQ) &
                      _mm512_cmp_ps_mask(a, _mm512_set1_ps(lo), _CMP_GE_OQ));
}

#else

int simd_accum_avx512_ok(void)
{
    return 0;
}

int64_t simd_accum_avx512(float *acc, int32_t *touched, int64_t n_touched,
                          const int32_t *doc, const float *w, int64_t n,
                          float x)
{
    int64_t j;
    for (j = 0; j < n; j++) {
        float a = acc[doc[j]];
        if (a == 0.0f)
            touched[n_touched++] = doc[j];
        acc[doc[j]] = a + x * w[j];
    }
    return n_touched;
}

unsigned simd_take16_avx512(float *acc, const int32_t *rows, int64_t n,
                            float lo, float *vals)
{
    unsigned pass = 0;
    int i;
    for (i = 0; i < 16; i++) {
        float a = i < n ? acc[rows[i]] : 0.0f;
        if (i < n)
            acc[rows[i]] = 0.0f;
        vals[i] = a;
        if (a > 0.0f && a >= lo)
            pass |= 1u << i;
    }
    return pass;
}

#endif
