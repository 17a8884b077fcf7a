/*
 * utf8.h -- small UTF-8 helpers shared by the readers and the pipeline.
 *
 * Text is (const char *s, size_t len), never only NUL-terminated. The
 * decoder is strict (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequences. Character classes (letters,
 * spaces, case) come from utf8proc. Internal; not installed.
 */
#ifndef QUARRY_UTF8_H
#define QUARRY_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point at s[0..len). Returns the bytes it takes (1-4) and
 * sets *cp, or returns 0 when the bytes there are not valid UTF-8 (or len
 * is 0); *cp is then -1. */
size_t quarry_utf8_decode(const char *s, size_t len, int32_t *cp);

/* Encode cp (a valid scalar value) into out[0..4); returns the bytes
 * written, 0 for a surrogate or a value above U+10FFFF. */
size_t quarry_utf8_encode(int32_t cp, char out[4]);

/* Length of the longest valid prefix of s[0..len): len when all of it is
 * valid. A NUL byte is valid UTF-8 and does not stop the scan. */
size_t quarry_utf8_valid_prefix(const char *s, size_t len);

/* What quarry_utf8_check() found. */
typedef enum quarry_utf8_problem {
    QUARRY_UTF8_OK = 0,
    QUARRY_UTF8_INVALID = 1, /* bytes that are not UTF-8 */
    QUARRY_UTF8_NUL = 2      /* a NUL byte */
} quarry_utf8_problem;

/* Check that s[0..len) is valid UTF-8 with no NUL byte. On a problem,
 * *where gets the byte offset of its first byte (where may be NULL). */
quarry_utf8_problem quarry_utf8_check(const char *s, size_t len, size_t *where);

/* Number of code points in s[0..len) (an invalid byte counts as one): the
 * code-point offset of byte offset len, as REFI-QDA wants it. */
size_t quarry_utf8_count(const char *s, size_t len);

/* Character classes of a code point. */
int quarry_utf8_is_space(int32_t cp);  /* ASCII white space, Zs, Zl, Zp */
int quarry_utf8_is_letter(int32_t cp); /* L* */
int quarry_utf8_is_digit(int32_t cp);  /* Nd */
int quarry_utf8_is_mark(int32_t cp);   /* M* (combining marks) */
int quarry_utf8_is_upper(int32_t cp);  /* Lu, Lt */
int32_t quarry_utf8_tolower(int32_t cp);

/* Bytes of white space (quarry_utf8_is_space) at the start / end of
 * s[0..len). Invalid bytes are never white space. */
size_t quarry_utf8_space_prefix(const char *s, size_t len);
size_t quarry_utf8_space_suffix(const char *s, size_t len);

/* Non-zero if s[0..len) is empty or only white space. */
int quarry_utf8_is_blank(const char *s, size_t len);

/* The largest n <= max such that s[0..n) does not end inside a multi-byte
 * sequence (for cutting strings into messages). */
size_t quarry_utf8_cut(const char *s, size_t len, size_t max);

#endif /* QUARRY_UTF8_H */
