/*
 * json_out.c -- the streaming JSON writer of the command's JSONL outputs
 * (json_out.h says what it writes). One buffer, grown as needed and
 * written out whenever a line ends with JOUT_CHUNK bytes or more in it.
 *
 * Reals: "%.4g" through snprintf takes some 200 ns, six times what this
 * file's formatting does, and suggest writes 21 reals a line
 * (tests/jsonout/bench_json_out.c measures both). So the four significant
 * digits are found here from the double scaled by a power of ten (at most
 * two roundings, a relative error below 3e-16, so within 3e-12 of the
 * exact scaled value, which lies in [1000, 10000)). printf rounds the
 * exact binary value half to even; when the scaled value is within 1e-9
 * of a half, or outside the range the scaling covers (below 1e-41 or
 * above 1e47), snprintf decides instead.
 */
#include "json_out.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void jout_init(jout *w, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
}

static void drain(jout *w)
{
    if (w->len > 0 && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->err = JOUT_EWRITE;
    w->len = 0;
}

int jout_finish(jout *w)
{
    if (w->err == JOUT_OK)
        drain(w);
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
    return w->err;
}

/* Room for need more bytes; -1 (w->err set) when there is none. */
static int reserve(jout *w, size_t need)
{
    size_t cap;
    char *nb;
    if (w->err != JOUT_OK)
        return -1;
    if (w->cap - w->len >= need)
        return 0;
    /* A line longer than a chunk: write out what it has so far. */
    if (w->len >= JOUT_CHUNK) {
        drain(w);
        if (w->err != JOUT_OK)
            return -1;
        if (w->cap >= need)
            return 0;
    }
    cap = w->cap > 0 ? w->cap : JOUT_CHUNK + JOUT_CHUNK / 8;
    while (cap - w->len < need) {
        if (cap > ((size_t)-1) / 2) {
            w->err = JOUT_ENOMEM;
            return -1;
        }
        cap *= 2;
    }
    nb = realloc(w->buf, cap);
    if (nb == NULL) {
        w->err = JOUT_ENOMEM;
        return -1;
    }
    w->buf = nb;
    w->cap = cap;
    return 0;
}

static const char hex_digits[] = "0123456789ABCDEF";

/* s escaped and quoted at o (room for 6 bytes a byte plus 2); the end.
 * With check, NULL when s is not valid UTF-8 (jansson's rule: no overlong
 * forms, no surrogates, nothing above U+10FFFF); without, bytes from 0x80
 * up are copied as they are. */
static char *put_string(char *o, const char *s, int check)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c;
    *o++ = '"';
    while ((c = *p) != 0) {
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            p++;
        } else if (c < 0x80) {
            *o++ = '\\';
            switch (c) {
            case '"':
            case '\\':
                *o++ = (char)c;
                break;
            case '\b':
                *o++ = 'b';
                break;
            case '\f':
                *o++ = 'f';
                break;
            case '\n':
                *o++ = 'n';
                break;
            case '\r':
                *o++ = 'r';
                break;
            case '\t':
                *o++ = 't';
                break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hex_digits[c >> 4];
                *o++ = hex_digits[c & 15];
            }
            p++;
        } else if (!check) {
            *o++ = (char)c;
            p++;
        } else {
            unsigned cp, n, i;
            if (c < 0xC2)
                return NULL;
            else if (c < 0xE0)
                n = 1, cp = c & 0x1F;
            else if (c < 0xF0)
                n = 2, cp = c & 0x0F;
            else if (c < 0xF5)
                n = 3, cp = c & 0x07;
            else
                return NULL;
            /* The terminating NUL is no continuation byte: no overread. */
            for (i = 1; i <= n; i++) {
                if ((p[i] & 0xC0) != 0x80)
                    return NULL;
                cp = (cp << 6) | (p[i] & 0x3F);
            }
            if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
                return NULL;
            if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))
                return NULL;
            for (i = 0; i <= n; i++)
                *o++ = (char)p[i];
            p += n + 1;
        }
    }
    *o++ = '"';
    return o;
}

/* Reserve need bytes plus the separator and the key, and write those two;
 * -1 when there is no room. The caller may undo it with unput. */
typedef struct mark {
    size_t len;
    uint64_t has_member;
} mark;

static int put_prefix(jout *w, const char *key, size_t need, mark *m)
{
    size_t klen = key != NULL ? strlen(key) : 0;
    char *o;
    if (reserve(w, need + 6 * klen + 4) != 0)
        return -1;
    m->len = w->len;
    m->has_member = w->has_member;
    o = w->buf + w->len;
    if (w->depth > 0) {
        uint64_t bit = (uint64_t)1 << (w->depth - 1);
        if (w->has_member & bit)
            *o++ = ',';
        w->has_member |= bit;
    }
    if (key != NULL) {
        o = put_string(o, key, 0);
        *o++ = ':';
    }
    w->len = (size_t)(o - w->buf);
    return 0;
}

static void unput(jout *w, const mark *m)
{
    w->len = m->len;
    w->has_member = m->has_member;
}

static void begin(jout *w, const char *key, char open)
{
    mark m;
    if (put_prefix(w, key, 1, &m) != 0)
        return;
    if (w->depth >= JOUT_MAX_DEPTH) {
        unput(w, &m);
        w->err = JOUT_EDEPTH;
        return;
    }
    w->buf[w->len++] = open;
    w->depth++;
    w->has_member &= ~((uint64_t)1 << (w->depth - 1));
}

static void end(jout *w, char close)
{
    if (reserve(w, 1) != 0)
        return;
    w->buf[w->len++] = close;
    if (w->depth > 0)
        w->depth--;
}

void jout_begin_object(jout *w, const char *key)
{
    begin(w, key, '{');
}

void jout_end_object(jout *w)
{
    end(w, '}');
}

void jout_begin_array(jout *w, const char *key)
{
    begin(w, key, '[');
}

void jout_end_array(jout *w)
{
    end(w, ']');
}

void jout_string(jout *w, const char *key, const char *s)
{
    mark m;
    char *o;
    if (w->err != JOUT_OK)
        return;
    if (s == NULL) {
        w->refused++;
        return;
    }
    if (put_prefix(w, key, 6 * strlen(s) + 2, &m) != 0)
        return;
    o = put_string(w->buf + w->len, s, 1);
    if (o == NULL) {
        unput(w, &m);
        w->refused++;
        return;
    }
    w->len = (size_t)(o - w->buf);
}

void jout_real(jout *w, const char *key, double v)
{
    mark m;
    if (w->err != JOUT_OK)
        return;
    if (!isfinite(v)) {
        w->refused++;
        return;
    }
    if (put_prefix(w, key, JOUT_REAL_MAX, &m) != 0)
        return;
    w->len += jout_format_real(w->buf + w->len, v);
}

/* The decimal digits of u at o; the end. */
static char *put_unsigned(char *o, unsigned long long u)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    while (n > 0)
        *o++ = tmp[--n];
    return o;
}

void jout_integer(jout *w, const char *key, long long v)
{
    mark m;
    char *o;
    if (put_prefix(w, key, 24, &m) != 0)
        return;
    o = w->buf + w->len;
    if (v < 0) {
        *o++ = '-';
        o = put_unsigned(o, 0ULL - (unsigned long long)v);
    } else {
        o = put_unsigned(o, (unsigned long long)v);
    }
    w->len = (size_t)(o - w->buf);
}

void jout_bool(jout *w, const char *key, int v)
{
    mark m;
    if (put_prefix(w, key, 5, &m) != 0)
        return;
    memcpy(w->buf + w->len, v ? "true" : "false", v ? 4 : 5);
    w->len += v ? 4 : 5;
}

void jout_end_line(jout *w)
{
    if (reserve(w, 1) != 0)
        return;
    w->buf[w->len++] = '\n';
    w->depth = 0;
    w->has_member = 0;
    if (w->len >= JOUT_CHUNK)
        drain(w);
}

/* ---- reals ---- */

/* 10^0 .. 10^22: every one a double exactly. */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* a * 10^p with at most two roundings; 0 when |p| > 44. */
static double scale10(double a, int p)
{
    if (p >= 0 && p <= 22)
        return a * pow10_exact[p];
    if (p > 22 && p <= 44)
        return a * 1e22 * pow10_exact[p - 22];
    if (p < 0 && p >= -22)
        return a / pow10_exact[-p];
    if (p < -22 && p >= -44)
        return a / 1e22 / pow10_exact[-p - 22];
    return 0.0;
}

/* The four significant digits (1000..9999) of a > 0, rounded as printf
 * rounds, and its decimal exponent: a ~ d * 10^(x - 3). -1 when printf
 * must decide (a near a tie, or out of range). */
static int four_digits(double a, int *d, int *x)
{
    uint64_t bits;
    int e2, q, xe, tries;
    double s, f;
    long n;
    if (!(a >= DBL_MIN))
        return -1;
    memcpy(&bits, &a, sizeof bits);
    e2 = (int)((bits >> 52) & 0x7ff) - 1023; /* a in [2^e2, 2^(e2+1)) */
    /* floor(e2 log10 2), or one less: 1233 / 4096 is just below log10 2. */
    q = e2 * 1233;
    xe = q >= 0 ? q / 4096 : -((-q + 4095) / 4096);
    for (tries = 0;; tries++) {
        s = scale10(a, 3 - xe);
        if (tries == 3 || s == 0.0)
            return -1;
        if (s >= 10000.0)
            xe++;
        else if (s < 1000.0 - 1e-6)
            xe--;
        else
            break;
    }
    n = (long)s;
    f = s - (double)n; /* exact */
    if (f > 0.5 - 1e-9 && f < 0.5 + 1e-9)
        return -1;
    if (f > 0.5)
        n++;
    if (n >= 10000) {
        n /= 10;
        xe++;
    }
    *d = (int)n;
    *x = xe;
    return 0;
}

/* snprintf's "%.4g" made jansson's: '.' whatever the locale, ".0" when
 * there is neither '.' nor 'e', no '+' or leading zeros in the exponent. */
static size_t format_real_printf(char *out, double v)
{
    char tmp[JOUT_REAL_MAX];
    char *o = out, *t;
    int has_point = 0, has_e = 0;
    snprintf(tmp, sizeof tmp, "%.4g", v);
    for (t = tmp; *t != '\0'; t++) {
        if (*t == 'e') {
            has_e = 1;
            *o++ = *t++;
            if (*t == '-')
                *o++ = *t++;
            else if (*t == '+')
                t++;
            while (*t == '0' && t[1] != '\0')
                t++;
            while (*t != '\0')
                *o++ = *t++;
            break;
        }
        if (*t == ',' || *t == '.') {
            has_point = 1;
            *o++ = '.';
        } else {
            *o++ = *t;
        }
    }
    if (!has_point && !has_e && isfinite(v)) {
        *o++ = '.';
        *o++ = '0';
    }
    *o = '\0';
    return (size_t)(o - out);
}

size_t jout_format_real(char *out, double v)
{
    char dg[4];
    char *o = out;
    int d, x, nd, i;
    if (!isfinite(v) || four_digits(fabs(v), &d, &x) != 0) {
        if (v == 0.0)
            goto zero;
        return format_real_printf(out, v);
    }
    if (signbit(v))
        *o++ = '-';
    for (i = 3; i >= 0; i--) {
        dg[i] = (char)('0' + d % 10);
        d /= 10;
    }
    nd = 4; /* digits left once trailing zeros go */
    while (nd > 1 && dg[nd - 1] == '0')
        nd--;
    if (x >= 0 && x < 4) {
        for (i = 0; i <= x; i++)
            *o++ = dg[i];
        *o++ = '.';
        if (nd > x + 1)
            for (i = x + 1; i < nd; i++)
                *o++ = dg[i];
        else
            *o++ = '0';
    } else if (x < 0 && x >= -4) {
        *o++ = '0';
        *o++ = '.';
        for (i = x + 1; i < 0; i++)
            *o++ = '0';
        for (i = 0; i < nd; i++)
            *o++ = dg[i];
    } else {
        *o++ = dg[0];
        if (nd > 1) {
            *o++ = '.';
            for (i = 1; i < nd; i++)
                *o++ = dg[i];
        }
        *o++ = 'e';
        if (x < 0) {
            *o++ = '-';
            x = -x;
        }
        o = put_unsigned(o, (unsigned long long)x);
    }
    *o = '\0';
    return (size_t)(o - out);
zero:
    if (signbit(v))
        *o++ = '-';
    memcpy(o, "0.0", 4);
    return (size_t)(o + 3 - out);
}
