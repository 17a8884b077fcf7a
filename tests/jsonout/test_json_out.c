/*
 * test_json_out.c -- the command's JSON writer (core/cli/json_out.c)
 * against jansson's json_dumps with JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(4), the flags the JSONL outputs used: reals over
 * every magnitude and around the four-digit rounding ties, strings with
 * every control character, quotes, backslashes, UTF-8 valid and not,
 * whole lines of nested objects and arrays, values jansson refuses, and
 * a stream that cannot be written. The CLI's sources are not in the
 * static library, so this program compiles json_out.c itself.
 */
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_out.h"

#define FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4))

/* Fewer random values under the sanitizers, which are slower. */
#ifdef QUARRY_SANITIZE
#define N(count) ((count) / 5)
#else
#define N(count) (count)
#endif

/* xorshift64*: the same values on every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static double rnd_unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* jansson's text of one real. */
static char *jansson_real(double v)
{
    json_t *j = json_real(v);
    char *s;
    assert_non_null(j);
    s = json_dumps(j, FLAGS | JSON_ENCODE_ANY);
    json_decref(j);
    assert_non_null(s);
    return s;
}

static long n_checked;

static void check_real(double v)
{
    char mine[JOUT_REAL_MAX];
    char *want;
    size_t n;
    if (!isfinite(v)) /* jansson refuses them */
        return;
    want = jansson_real(v);
    n = jout_format_real(mine, v);
    if (strcmp(mine, want) != 0 || n != strlen(want))
        fail_msg("%.17g: writer \"%s\", jansson \"%s\"", v, mine, want);
    free(want);
    n_checked++;
}

static void test_real_fixed(void **state)
{
    /* clang-format off */
    static const double v[] = {
        0.0, 1.0, -1.0, 0.5, 0.1, 0.2, 0.3, 1.5, 2.5, 10.0, 100.0, 1000.0,
        1e4, 1e5, 1e30, 1e-30, 1e-4, 1e-5, 9.9999e-5, 1e100, 1e-100, 1e300,
        1e-300, 1e308, DBL_MAX, DBL_MIN, -DBL_MIN, DBL_MIN / 2, 5e-324,
        -5e-324, DBL_EPSILON, 1234.5, 1235.5, 12345.0, 12355.0, 0.99995,
        0.99994999999999, 0.99995000000001, 9.9995e-5, 9.9995, 99995.0,
        999950.0, 0.00012345, 0.00012355, 0.0012345, 1.2345, 123.45, 9999.5,
        9998.5, 9999.4999, 0.18755, 9.484e-06, 0.1876, 0.04202, 0.0342,
        123456789.0, 1e15, 1e16, 1e17, 1e22, 1e23, 1e25, 1e26, 1e44, 1e45,
        1e-18, 1e-19, 1e-20, 1e-40, 1e-41, 1e-42, 3.14159265358979,
        0.30000000000000004, 4503599627370496.5, 9007199254740993.0,
        0.0001, 0.00010000000000000001, 0.001, 0.01, 999.95, 99.995, 9.9995,
        -0.00012345, -1234.5, -9.484e-6, 1.0 / 3.0, 2.0 / 3.0};
    /* clang-format on */
    size_t i;
    (void)state;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        check_real(v[i]);
        check_real(-v[i]);
        check_real(nextafter(v[i], 0.0));
        check_real(nextafter(v[i], INFINITY));
    }
}

static void test_real_random(void **state)
{
    long i;
    (void)state;
    /* Uniform in log scale over 1e-330 .. 1e310, both signs. */
    for (i = 0; i < N(400000); i++) {
        double v = pow(10.0, -330.0 + 640.0 * rnd_unit());
        check_real(rnd() & 1 ? v : -v);
    }
    /* Where the outputs live: 1e-30 .. 1e30. */
    for (i = 0; i < N(400000); i++)
        check_real(pow(10.0, -30.0 + 60.0 * rnd_unit()));
    /* Raw bit patterns: subnormals, every exponent. */
    for (i = 0; i < N(200000); i++) {
        uint64_t b = rnd();
        double v;
        memcpy(&v, &b, sizeof v);
        if (isfinite(v))
            check_real(v);
    }
}

/* n.5 ties and their neighbours at every scale: d.ddd5 * 10^e. */
static void test_real_ties(void **state)
{
    long i;
    int e, k;
    (void)state;
    for (e = -45; e <= 45; e++)
        for (i = 0; i < N(3000); i++) {
            long m = 10000 + (long)(rnd() % 90000); /* five digits */
            double v = ((double)(m - m % 10) + 5.0) * pow(10.0, e - 4);
            if (i < 20)
                v = (9999.5 + (double)i * 0.0) * pow(10.0, e - 3);
            check_real(v);
            for (k = 0; k < 2; k++) {
                v = nextafter(v, k ? INFINITY : 0.0);
                check_real(v);
            }
        }
    /* Exact ties in binary: integers and halves with five digits. */
    for (i = 10000; i < 100000; i++)
        if (i % 10 == 5)
            check_real((double)i);
    for (i = 0; i < N(20000); i++)
        check_real((double)(20000 + (long)(rnd() % 180000)) / 2.0);
    for (i = 0; i < N(20000); i++) /* k / 2^m: exact binary fractions */
        check_real(ldexp((double)(rnd() % 200000), -(int)(rnd() % 40)));
}

static void test_real_special(void **state)
{
    char out[JOUT_REAL_MAX];
    (void)state;
    check_real(0.0);
    check_real(-0.0);
    jout_format_real(out, -0.0);
    assert_string_equal(out, "-0.0");
    jout_format_real(out, 9.484e-6);
    assert_string_equal(out, "9.484e-6");
    jout_format_real(out, 1e30);
    assert_string_equal(out, "1e30");
    jout_format_real(out, 100.0);
    assert_string_equal(out, "100.0");
    jout_format_real(out, 1234.5); /* a tie: to even */
    assert_string_equal(out, "1234.0");
    jout_format_real(out, 1235.5);
    assert_string_equal(out, "1236.0");
    /* Non-finite reals are text here; jout_real leaves them out. */
    jout_format_real(out, NAN);
    assert_true(strstr(out, "nan") != NULL);
    jout_format_real(out, -INFINITY);
    assert_string_equal(out, "-inf");
}

/* jansson's text of one string; NULL when it refuses it. */
static char *jansson_string(const char *s)
{
    json_t *j = json_string(s);
    char *d;
    if (j == NULL)
        return NULL;
    d = json_dumps(j, FLAGS | JSON_ENCODE_ANY);
    json_decref(j);
    assert_non_null(d);
    return d;
}

/* The writer's text of a one-string line, through a memory stream. */
static char *writer_line(const char *s, size_t *refused)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    jout w;
    assert_non_null(f);
    jout_init(&w, f);
    jout_string(&w, NULL, s);
    assert_int_equal(jout_finish(&w), JOUT_OK);
    *refused = w.refused;
    fclose(f);
    return mem;
}

static void check_string(const char *s)
{
    char *want = jansson_string(s);
    size_t refused;
    char *got = writer_line(s, &refused);
    if (want == NULL) {
        if (refused != 1 || got[0] != '\0')
            fail_msg("writer took a string jansson refuses (\"%s\")", got);
    } else if (strcmp(got, want) != 0 || refused != 0) {
        fail_msg("writer \"%s\", jansson \"%s\"", got, want);
    }
    free(want);
    free(got);
}

static void test_string_fixed(void **state)
{
    static const char *const v[] = {
        "", "plain", "\"", "\\", "\"\\\"", "/", "a/b", "\x7f", "tab\there",
        "\b\f\n\r\t", "caf\xc3\xa9", "\xe2\x80\xa8\xe2\x80\xa9",
        "\xf0\x9f\x98\x80", "\xef\xbb\xbf", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
        "\xee\x80\x80", "\xe0\xa0\x80", "\xc2\x80",
        /* not UTF-8 */
        "\xff", "\xc3", "a\xc3", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xf0\x80\x80\xaf", "\x80", "\xbf", "\xe2\x80", "\xf0\x9f\x98",
        "ok\xe2\x28\xa1"};
    char s[4];
    int c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof v / sizeof v[0]; i++)
        check_string(v[i]);
    for (c = 1; c < 256; c++) {
        s[0] = 'x';
        s[1] = (char)c;
        s[2] = 'y';
        s[3] = '\0';
        check_string(s);
        check_string(s + 1);
    }
}

static void test_string_random(void **state)
{
    char s[24];
    long i;
    int k, n;
    (void)state;
    for (i = 0; i < N(300000); i++) {
        n = (int)(rnd() % 20);
        for (k = 0; k < n; k++) {
            uint64_t r = rnd();
            /* Mostly the bytes that matter: controls, quotes, UTF-8 lead
             * and continuation bytes. */
            switch (r % 6) {
            case 0:
                s[k] = (char)(1 + (r >> 8) % 0x7f);
                break;
            case 1:
                s[k] = (char)(1 + (r >> 8) % 0x20);
                break;
            case 2:
                s[k] = (char)(0x80 + (r >> 8) % 0x40);
                break;
            case 3:
                s[k] = (char)(0xc0 + (r >> 8) % 0x40);
                break;
            case 4:
                s[k] = "\"\\/\x7f"[(r >> 8) % 4];
                break;
            default:
                s[k] = (char)(1 + (r >> 8) % 255);
            }
        }
        s[n] = '\0';
        check_string(s);
    }
    /* Valid UTF-8 of random code points, mixed with escapes. */
    for (i = 0; i < N(100000); i++) {
        uint32_t cp = (uint32_t)(rnd() % 0x110000);
        char *o = s;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        *o++ = '"';
        if (cp < 0x80) {
            *o++ = (char)(cp ? cp : 1);
        } else if (cp < 0x800) {
            *o++ = (char)(0xC0 | (cp >> 6));
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *o++ = (char)(0xE0 | (cp >> 12));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (cp >> 18));
            *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        }
        *o++ = '\n';
        *o = '\0';
        check_string(s);
    }
}

/* Whole lines shaped like suggest's and themes', with random values and
 * some refused ones: the writer's stream equals the jansson lines. */
static const char *const words[] = {"alt.atheism",
                                    "faith",
                                    "caf\xc3\xa9",
                                    "q\"uote",
                                    "back\\slash",
                                    "line\nbreak",
                                    "\x01",
                                    "/path/",
                                    "\xe2\x80\xa8",
                                    "bad\xff",
                                    "\xed\xa0\x80",
                                    "",
                                    "train/alt.atheism/53267/2"};
#define N_WORDS (sizeof words / sizeof words[0])

static double rnd_real(void)
{
    uint64_t r = rnd() % 40;
    if (r == 0)
        return NAN;
    if (r == 1)
        return rnd() & 1 ? INFINITY : -INFINITY;
    if (r == 2)
        return -0.0;
    return pow(10.0, -12.0 * rnd_unit()) * (rnd() & 1 ? 1 : -1);
}

static void test_lines(void **state)
{
    char *mem = NULL, *want = NULL;
    size_t mlen = 0, wlen = 0;
    FILE *f = open_memstream(&mem, &mlen), *g = open_memstream(&want, &wlen);
    jout w;
    int line, k, j, nk, nj, abstain;
    (void)state;
    assert_non_null(f);
    assert_non_null(g);
    jout_init(&w, f);
    for (line = 0; line < N(20000); line++) {
        json_t *o = json_object(), *list = json_array();
        const char *id = words[rnd() % N_WORDS];
        char *d;
        jout_begin_object(&w, NULL);
        jout_string(&w, "id", id);
        jout_begin_array(&w, "suggestions");
        nk = (int)(rnd() % 4);
        for (k = 0; k < nk; k++) {
            json_t *so = json_object(), *terms = json_array(),
                   *nb = json_array();
            const char *code = words[rnd() % N_WORDS];
            double score = rnd_real(), conf = rnd_real();
            long long count = (long long)(rnd() % 2000000) - 1000000;
            jout_begin_object(&w, NULL);
            jout_string(&w, "code", code);
            jout_real(&w, "score", score);
            jout_real(&w, "confidence", conf);
            jout_integer(&w, "count", count);
            jout_begin_array(&w, "terms");
            nj = (int)(rnd() % 6);
            for (j = 0; j < nj; j++) {
                json_t *t = json_object();
                const char *term = words[rnd() % N_WORDS];
                double weight = rnd_real();
                jout_begin_object(&w, NULL);
                jout_string(&w, "term", term);
                jout_real(&w, "weight", weight);
                jout_end_object(&w);
                json_object_set_new(t, "term", json_string(term));
                json_object_set_new(t, "weight", json_real(weight));
                json_array_append_new(terms, t);
            }
            jout_end_array(&w);
            jout_begin_array(&w, "neighbours");
            nj = (int)(rnd() % 4);
            for (j = 0; j < nj; j++) {
                const char *n = words[rnd() % N_WORDS];
                jout_string(&w, NULL, n);
                json_array_append_new(nb, json_string(n));
            }
            jout_end_array(&w);
            jout_end_object(&w);
            json_object_set_new(so, "code", json_string(code));
            json_object_set_new(so, "score", json_real(score));
            json_object_set_new(so, "confidence", json_real(conf));
            json_object_set_new(so, "count", json_integer(count));
            json_object_set_new(so, "terms", terms);
            json_object_set_new(so, "neighbours", nb);
            json_array_append_new(list, so);
        }
        jout_end_array(&w);
        abstain = (int)(rnd() & 1);
        jout_bool(&w, "abstain", abstain);
        jout_integer(&w, "big", line & 1 ? INT64_MIN : INT64_MAX);
        jout_end_object(&w);
        jout_end_line(&w);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "suggestions", list);
        json_object_set_new(o, "abstain", json_boolean(abstain));
        json_object_set_new(o, "big",
                            json_integer(line & 1 ? INT64_MIN : INT64_MAX));
        d = json_dumps(o, FLAGS);
        assert_non_null(d);
        fprintf(g, "%s\n", d);
        free(d);
        json_decref(o);
    }
    assert_int_equal(jout_finish(&w), JOUT_OK);
    assert_true(w.refused > 0);
    fclose(f);
    fclose(g);
    assert_string_equal(mem, want);
    free(mem);
    free(want);
}

/* A line longer than a chunk is written out in pieces, whole. */
static void test_long_line(void **state)
{
    char *mem = NULL;
    size_t mlen = 0, i, n = 3 * JOUT_CHUNK / 10 + 7;
    FILE *f = open_memstream(&mem, &mlen);
    jout w;
    json_t *a = json_array();
    char *want;
    (void)state;
    jout_init(&w, f);
    jout_begin_array(&w, NULL);
    for (i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "e%zu", i);
        jout_string(&w, NULL, id);
        json_array_append_new(a, json_string(id));
    }
    jout_end_array(&w);
    jout_end_line(&w);
    assert_int_equal(jout_finish(&w), JOUT_OK);
    fclose(f);
    want = json_dumps(a, FLAGS);
    assert_int_equal(mlen, strlen(want) + 1);
    assert_memory_equal(mem, want, mlen - 1);
    assert_int_equal(mem[mlen - 1], '\n');
    json_decref(a);
    free(want);
    free(mem);
}

/* A stream that cannot be written: the error is kept and returned. */
static void test_write_error(void **state)
{
    FILE *f = fopen("/dev/full", "w");
    jout w;
    int line;
    (void)state;
    if (f == NULL)
        skip();
    jout_init(&w, f);
    for (line = 0; line < 40000; line++) {
        jout_begin_object(&w, NULL);
        jout_string(&w, "id", "a line of some length to fill a chunk soon");
        jout_real(&w, "x", 0.125);
        jout_end_object(&w);
        jout_end_line(&w);
    }
    assert_int_equal(w.err, JOUT_EWRITE);
    assert_int_equal(jout_finish(&w), JOUT_EWRITE);
    fclose(f);
}

static void test_depth(void **state)
{
    char *mem = NULL;
    size_t mlen = 0;
    FILE *f = open_memstream(&mem, &mlen);
    jout w;
    int i;
    (void)state;
    jout_init(&w, f);
    for (i = 0; i < JOUT_MAX_DEPTH; i++)
        jout_begin_array(&w, NULL);
    assert_int_equal(w.err, JOUT_OK);
    jout_begin_array(&w, NULL);
    assert_int_equal(jout_finish(&w), JOUT_EDEPTH);
    fclose(f);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_special),
        cmocka_unit_test(test_real_fixed),
        cmocka_unit_test(test_real_random),
        cmocka_unit_test(test_real_ties),
        cmocka_unit_test(test_string_fixed),
        cmocka_unit_test(test_string_random),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_depth),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("%ld reals compared with jansson\n", n_checked);
    return rc;
}
