/*
 * simd_accum.h -- one posting list into a dense float accumulator, with
 * AVX-512 gather / compress / scatter where the CPU has it (chosen at run
 * time; the build has no -march flag), for suggest.c's neighbour search.
 */
#ifndef QUARRY_SIMD_ACCUM_H
#define QUARRY_SIMD_ACCUM_H

#include <stdint.h>

/* 1 if simd_accum_avx512 may be called on this CPU (x86-64, GCC or clang,
 * AVX-512F reported and enabled by the OS), else 0. */
int simd_accum_avx512_ok(void);

/*
 * For j in 0..n-1, in that order: if acc[doc[j]] == 0 then doc[j] is
 * appended to touched (from touched[n_touched]); then
 * acc[doc[j]] = acc[doc[j]] + x * w[j], a float multiply then a float
 * add (never fused), so every sum is the one the scalar loop makes.
 * doc[0..n-1] must be distinct (one posting list: each row once), so the
 * 16 lanes of a vector never hit the same accumulator. Returns the new
 * number of touched rows. Call only when simd_accum_avx512_ok().
 */
int64_t simd_accum_avx512(float *acc, int32_t *touched, int64_t n_touched,
                          const int32_t *doc, const float *w, int64_t n,
                          float x);

/*
 * Up to 16 rows of a touched list (rows[0..min(n, 16) - 1], distinct):
 * their accumulators into vals[0..15] (0 past n), each accumulator reset
 * to 0; returns the mask of those lanes (bit i: rows[i]) whose value a
 * has a > 0 and a >= lo (ordered compares: a NaN passes neither). Call
 * only when simd_accum_avx512_ok() and n > 0.
 */
unsigned simd_take16_avx512(float *acc, const int32_t *rows, int64_t n,
                            float lo, float *vals);

#endif
