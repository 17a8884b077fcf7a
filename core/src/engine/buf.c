/*
 * buf.c -- growing arrays, byte buffers and whole-stream reads (buf.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "quarry/plugin.h"

int quarry_grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;
    void *p, *q;

    if (need <= *cap)
        return 0;
    while (n < need) {
        if (n > ((size_t)-1) / 2 / elem)
            return QUARRY_ENOMEM;
        n *= 2;
    }
    memcpy(&p, pp, sizeof p);
    q = realloc(p, n * elem);
    if (q == NULL)
        return QUARRY_ENOMEM;
    memcpy(pp, &q, sizeof q);
    *cap = n;
    return 0;
}

int quarry_buf_append(char **buf, size_t *len, size_t *cap, const char *s,
                      size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t want = *cap ? *cap : 65536;
        char *grown;
        while (want < *len + n + 1) {
            if (want > SIZE_MAX / 2)
                return QUARRY_ENOMEM;
            want *= 2;
        }
        grown = realloc(*buf, want);
        if (grown == NULL)
            return QUARRY_ENOMEM;
        *buf = grown;
        *cap = want;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

int quarry_slurp(FILE *f, char **out, size_t *out_len, int *err)
{
    struct stat st;
    size_t cap = 64 * 1024, len = 0;
    char *buf;

    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size < SIZE_MAX - 1)
        cap = (size_t)st.st_size + 1; /* + 1 sees EOF in one pass */
    buf = malloc(cap);
    if (buf == NULL)
        return QUARRY_ENOMEM;
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) {
            if (ferror(f)) {
                *err = errno ? errno : EIO;
                free(buf);
                return QUARRY_EIO;
            }
            break;
        }
        if (cap > SIZE_MAX / 2) {
            free(buf);
            return QUARRY_ENOMEM;
        }
        {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                return QUARRY_ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    buf[len] = '\0'; /* len < cap: the loop stops with room to spare */
    *out = buf;
    *out_len = len;
    return 0;
}
