/*
 * buf.h -- the small memory helpers the readers and the project share:
 * growing an array, appending to a byte buffer, reading a whole stream.
 * Internal; not installed.
 */
#ifndef QUARRY_BUF_H
#define QUARRY_BUF_H

#include <stddef.h>
#include <stdio.h>

/* Make room for need elements of elem bytes in the array *pp points to
 * (any pointer type; read and written through memcpy), doubling from 16.
 * 0, or QUARRY_ENOMEM with the array unchanged. */
int quarry_grow(void *pp, size_t *cap, size_t need, size_t elem);

/* Append s[0..n) to the byte buffer *buf (*len used of *cap), keeping it
 * NUL-terminated. 0 or QUARRY_ENOMEM. */
int quarry_buf_append(char **buf, size_t *len, size_t *cap, const char *s,
                      size_t n);

/* Read all of f into a malloc'ed buffer, NUL-terminated after *out_len
 * bytes. 0, QUARRY_ENOMEM, or QUARRY_EIO with errno's value in *err. */
int quarry_slurp(FILE *f, char **out, size_t *out_len, int *err);

#endif
