/*
 * utf8.c -- a strict UTF-8 decoder and the few character classes the
 * readers need.
 *
 * Every byte of input is checked once, here, so the rest of quarry can
 * assume valid UTF-8. The decoder follows RFC 3629 table 3-7 exactly
 * (the second byte's range depends on the first byte), which rejects
 * overlong forms and surrogates without decoding them first. Classes come
 * from utf8proc's Unicode tables; only ASCII takes a shortcut.
 */
#include "utf8.h"

#include <string.h>
#include <utf8proc.h>

size_t quarry_utf8_decode(const char *s, size_t len, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char lo = 0x80, hi = 0xBF;
    unsigned c;

    *cp = -1;
    if (len == 0)
        return 0;
    c = u[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c < 0xC2) /* a continuation byte, or an overlong 2-byte lead */
        return 0;
    if (c < 0xE0) {
        if (len < 2 || u[1] < 0x80 || u[1] > 0xBF)
            return 0;
        *cp = (int32_t)(((c & 0x1Fu) << 6) | (u[1] & 0x3Fu));
        return 2;
    }
    if (c < 0xF0) {
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates U+D800..U+DFFF */
        if (len < 3 || u[1] < lo || u[1] > hi || u[2] < 0x80 || u[2] > 0xBF)
            return 0;
        *cp = (int32_t)(((c & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) |
                        (u[2] & 0x3Fu));
        return 3;
    }
    if (c < 0xF5) {
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
        if (len < 4 || u[1] < lo || u[1] > hi || u[2] < 0x80 || u[2] > 0xBF ||
            u[3] < 0x80 || u[3] > 0xBF)
            return 0;
        *cp = (int32_t)(((c & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) |
                        ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu));
        return 4;
    }
    return 0;
}

size_t quarry_utf8_encode(int32_t cp, char out[4])
{
    unsigned char *o = (unsigned char *)out;
    uint32_t c = (uint32_t)cp;

    if (cp < 0)
        return 0;
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c >= 0xD800 && c <= 0xDFFF)
        return 0;
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c <= 0x10FFFF) {
        o[0] = (unsigned char)(0xF0 | (c >> 18));
        o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (c & 0x3F));
        return 4;
    }
    return 0;
}

/* Offset of the first byte >= 0x80 in s[i..len), or len. Eight bytes at a
 * time: most text is mostly ASCII. */
static size_t skip_ascii(const unsigned char *s, size_t i, size_t len)
{
    while (i + 8 <= len) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
    while (i < len && s[i] < 0x80)
        i++;
    return i;
}

size_t quarry_utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    for (;;) {
        int32_t cp;
        size_t n;

        i = skip_ascii(u, i, len);
        if (i >= len)
            return len;
        n = quarry_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return i;
        i += n;
    }
}

quarry_utf8_problem quarry_utf8_check(const char *s, size_t len, size_t *where)
{
    size_t bad = quarry_utf8_valid_prefix(s, len);
    const char *nul = memchr(s, '\0', bad);

    if (nul != NULL) {
        if (where)
            *where = (size_t)(nul - s);
        return QUARRY_UTF8_NUL;
    }
    if (bad < len) {
        if (where)
            *where = bad;
        return QUARRY_UTF8_INVALID;
    }
    return QUARRY_UTF8_OK;
}

size_t quarry_utf8_count(const char *s, size_t len)
{
    size_t i = 0, n = 0;

    while (i < len) {
        int32_t cp;
        size_t k = quarry_utf8_decode(s + i, len - i, &cp);
        i += k ? k : 1;
        n++;
    }
    return n;
}

int quarry_utf8_is_space(int32_t cp)
{
    utf8proc_category_t cat;

    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    if (cp == 0x85) /* NEL is Cc but a line break */
        return 1;
    cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP;
}

int quarry_utf8_is_letter(int32_t cp)
{
    utf8proc_category_t cat;

    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    cat = utf8proc_category(cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

int quarry_utf8_is_digit(int32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

int quarry_utf8_is_mark(int32_t cp)
{
    utf8proc_category_t cat;

    if (cp < 0x80)
        return 0;
    cat = utf8proc_category(cp);
    return cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
}

int quarry_utf8_is_upper(int32_t cp)
{
    utf8proc_category_t cat;

    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

int32_t quarry_utf8_tolower(int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp;
    return utf8proc_tolower(cp);
}

size_t quarry_utf8_space_prefix(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        int32_t cp;
        size_t n = quarry_utf8_decode(s + i, len - i, &cp);
        if (n == 0 || !quarry_utf8_is_space(cp))
            break;
        i += n;
    }
    return i;
}

size_t quarry_utf8_space_suffix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t end = len;

    while (end > 0) {
        size_t start = end - 1;
        int32_t cp;
        size_t n;

        /* Back up to the lead byte: at most three continuation bytes. */
        while (start > 0 && end - start < 4 && (u[start] & 0xC0) == 0x80)
            start--;
        n = quarry_utf8_decode(s + start, end - start, &cp);
        if (n != end - start || !quarry_utf8_is_space(cp))
            break;
        end = start;
    }
    return len - end;
}

int quarry_utf8_is_blank(const char *s, size_t len)
{
    return quarry_utf8_space_prefix(s, len) == len;
}

size_t quarry_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;

    if (max >= len)
        return len;
    n = max;
    while (n > 0 && (u[n] & 0xC0) == 0x80)
        n--;
    return n;
}
