/*
 * test_utf8.c -- the strict UTF-8 decoder and character classes of
 * core/src/text/utf8.c, checked by hand-picked cases and, exhaustively over all
 * one-, two- and three-byte inputs, against utf8proc's own decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "utf8.h"

static size_t dec(const char *s, size_t len, int32_t *cp)
{
    return quarry_utf8_decode(s, len, cp);
}

static void test_decode_valid(void **state)
{
    int32_t cp;
    (void)state;

    assert_int_equal(dec("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(dec("\0", 1, &cp), 1);
    assert_int_equal(cp, 0);
    assert_int_equal(dec("\xC3\xA9", 2, &cp), 2); /* é */
    assert_int_equal(cp, 0xE9);
    assert_int_equal(dec("\xDF\xBF", 2, &cp), 2);
    assert_int_equal(cp, 0x7FF);
    assert_int_equal(dec("\xE0\xA0\x80", 3, &cp), 3);
    assert_int_equal(cp, 0x800);
    assert_int_equal(dec("\xE2\x82\xAC", 3, &cp), 3); /* € */
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(dec("\xED\x9F\xBF", 3, &cp), 3); /* below surrogates */
    assert_int_equal(cp, 0xD7FF);
    assert_int_equal(dec("\xEE\x80\x80", 3, &cp), 3); /* above them */
    assert_int_equal(cp, 0xE000);
    assert_int_equal(dec("\xEF\xBF\xBF", 3, &cp), 3);
    assert_int_equal(cp, 0xFFFF);
    assert_int_equal(dec("\xF0\x90\x80\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x10000);
    assert_int_equal(dec("\xF0\x9F\x98\x80", 4, &cp), 4); /* 😀 */
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(dec("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
}

static void test_decode_invalid(void **state)
{
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"", 0},     /* nothing */
        {"\x80", 1}, /* lone continuation */
        {"\xBF", 1},
        {"\xC0\x80", 2},             /* overlong NUL */
        {"\xC1\xBF", 2},             /* overlong */
        {"\xC3", 1},                 /* truncated */
        {"\xC3\x41", 2},             /* not a continuation */
        {"\xE0\x80\x80", 3},         /* overlong */
        {"\xE0\x9F\xBF", 3},         /* overlong */
        {"\xED\xA0\x80", 3},         /* surrogate U+D800 */
        {"\xED\xBF\xBF", 3},         /* surrogate U+DFFF */
        {"\xE2\x82", 2},             /* truncated */
        {"\xF0\x80\x80\x80", 4},     /* overlong */
        {"\xF0\x8F\xBF\xBF", 4},     /* overlong */
        {"\xF4\x90\x80\x80", 4},     /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 4},     /* no such lead */
        {"\xF8\x88\x80\x80\x80", 5}, /* five-byte form */
        {"\xFE", 1},
        {"\xFF", 1},
        {"\xF0\x9F\x98", 3}, /* truncated */
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t cp = 7;
        assert_int_equal(dec(bad[i].s, bad[i].len, &cp), 0);
        assert_int_equal(cp, -1);
    }
}

/* Every input of one to three bytes, and a sample of four, decoded by us
 * and by utf8proc: the same verdict, the same code point, the same
 * length. */
static void test_decode_matches_utf8proc(void **state)
{
    unsigned char b[4];
    unsigned a, c, d;
    (void)state;

    for (a = 0; a < 256; a++) {
        for (c = 0; c < 256; c++) {
            int32_t ours, theirs;
            utf8proc_ssize_t n;
            size_t k;
            b[0] = (unsigned char)a;
            b[1] = (unsigned char)c;
            k = dec((const char *)b, 2, &ours);
            n = utf8proc_iterate(b, 2, &theirs);
            if (n < 0) {
                assert_int_equal(k, 0);
            } else {
                assert_int_equal(k, (size_t)n);
                assert_int_equal(ours, theirs);
            }
        }
    }
    for (a = 0xE0; a < 0xF0; a++) {
        for (c = 0; c < 256; c++) {
            for (d = 0; d < 256; d++) {
                int32_t ours, theirs;
                utf8proc_ssize_t n;
                size_t k;
                b[0] = (unsigned char)a;
                b[1] = (unsigned char)c;
                b[2] = (unsigned char)d;
                k = dec((const char *)b, 3, &ours);
                n = utf8proc_iterate(b, 3, &theirs);
                if (n < 0) {
                    assert_int_equal(k, 0);
                } else {
                    assert_int_equal(k, (size_t)n);
                    assert_int_equal(ours, theirs);
                }
            }
        }
    }
    for (a = 0xF0; a < 0x100; a++) {
        for (c = 0; c < 256; c++) {
            static const unsigned char tails[] = {0x41, 0x80, 0x9F, 0xBF, 0xC0};
            size_t t, u;
            for (t = 0; t < sizeof tails; t++) {
                for (u = 0; u < sizeof tails; u++) {
                    int32_t ours, theirs;
                    utf8proc_ssize_t n;
                    size_t k;
                    b[0] = (unsigned char)a;
                    b[1] = (unsigned char)c;
                    b[2] = tails[t];
                    b[3] = tails[u];
                    k = dec((const char *)b, 4, &ours);
                    n = utf8proc_iterate(b, 4, &theirs);
                    if (n < 0) {
                        assert_int_equal(k, 0);
                    } else {
                        assert_int_equal(k, (size_t)n);
                        assert_int_equal(ours, theirs);
                    }
                }
            }
        }
    }
}

static void test_encode(void **state)
{
    static const int32_t cps[] = {0,       'a',     0x7F,    0x80,   0x7FF,
                                  0x800,   0xD7FF,  0xE000,  0xFFFD, 0xFFFF,
                                  0x10000, 0x1F600, 0x10FFFF};
    char out[4];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        int32_t back;
        size_t n = quarry_utf8_encode(cps[i], out);
        assert_true(n >= 1 && n <= 4);
        assert_int_equal(dec(out, n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    assert_int_equal(quarry_utf8_encode(0xD800, out), 0);
    assert_int_equal(quarry_utf8_encode(0xDFFF, out), 0);
    assert_int_equal(quarry_utf8_encode(0x110000, out), 0);
    assert_int_equal(quarry_utf8_encode(-1, out), 0);
}

static void test_valid_prefix_and_check(void **state)
{
    const char *long_ascii = "0123456789abcdefghij\xFFtail";
    size_t where = 99;
    (void)state;

    assert_int_equal(quarry_utf8_valid_prefix("", 0), 0);
    assert_int_equal(quarry_utf8_valid_prefix("abc", 3), 3);
    assert_int_equal(quarry_utf8_valid_prefix("abc\xFF"
                                              "def",
                                              7),
                     3);
    /* the bad byte past the 8-byte fast path */
    assert_int_equal(quarry_utf8_valid_prefix(long_ascii, strlen(long_ascii)),
                     20);
    assert_int_equal(quarry_utf8_valid_prefix("caf\xC3\xA9 ok", 8), 8);
    /* a truncated sequence at the very end */
    assert_int_equal(quarry_utf8_valid_prefix("caf\xC3", 4), 3);
    /* NUL is valid UTF-8 */
    assert_int_equal(quarry_utf8_valid_prefix("a\0b", 3), 3);

    assert_int_equal(quarry_utf8_check("fine \xE2\x82\xAC", 8, &where),
                     QUARRY_UTF8_OK);
    assert_int_equal(quarry_utf8_check("ab\0c\xFF", 5, &where),
                     QUARRY_UTF8_NUL);
    assert_int_equal(where, 2);
    assert_int_equal(quarry_utf8_check("ab\xFF\0", 4, &where),
                     QUARRY_UTF8_INVALID);
    assert_int_equal(where, 2);
    assert_int_equal(quarry_utf8_check("\xED\xA0\x80", 3, NULL),
                     QUARRY_UTF8_INVALID);
}

static void test_count(void **state)
{
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"; /* aé€😀 */
    (void)state;

    assert_int_equal(quarry_utf8_count(s, strlen(s)), 4);
    assert_int_equal(quarry_utf8_count(s, 3), 2); /* byte 3 is code point 2 */
    assert_int_equal(quarry_utf8_count("", 0), 0);
    assert_int_equal(quarry_utf8_count("\xFF\xFE", 2), 2);
}

static void test_classes(void **state)
{
    (void)state;

    assert_true(quarry_utf8_is_space(' '));
    assert_true(quarry_utf8_is_space('\t'));
    assert_true(quarry_utf8_is_space('\n'));
    assert_true(quarry_utf8_is_space('\r'));
    assert_true(quarry_utf8_is_space(0xA0));   /* no-break space */
    assert_true(quarry_utf8_is_space(0x3000)); /* ideographic space */
    assert_true(quarry_utf8_is_space(0x2028)); /* line separator */
    assert_false(quarry_utf8_is_space('a'));
    assert_false(quarry_utf8_is_space(0x200B)); /* zero width space is Cf */

    assert_true(quarry_utf8_is_letter('a'));
    assert_true(quarry_utf8_is_letter('Z'));
    assert_true(quarry_utf8_is_letter(0xE9));   /* é */
    assert_true(quarry_utf8_is_letter(0x416));  /* Ж */
    assert_true(quarry_utf8_is_letter(0x4E2D)); /* 中 */
    assert_false(quarry_utf8_is_letter('1'));
    assert_false(quarry_utf8_is_letter('-'));
    assert_true(quarry_utf8_is_digit('7'));
    assert_true(quarry_utf8_is_digit(0x663)); /* Arabic-Indic three */
    assert_false(quarry_utf8_is_digit('x'));
    assert_true(quarry_utf8_is_mark(0x301)); /* combining acute */
    assert_false(quarry_utf8_is_mark('a'));

    assert_true(quarry_utf8_is_upper('Q'));
    assert_true(quarry_utf8_is_upper(0xC9)); /* É */
    assert_false(quarry_utf8_is_upper(0xE9));
    assert_int_equal(quarry_utf8_tolower('Q'), 'q');
    assert_int_equal(quarry_utf8_tolower(0xC9), 0xE9);
    assert_int_equal(quarry_utf8_tolower('1'), '1');
}

static void test_trim_and_cut(void **state)
{
    const char *s =
        " \xC2\xA0\tword\xE3\x80\x80\n"; /* sp NBSP tab word IDSP nl */
    size_t len = strlen(s);
    (void)state;

    assert_int_equal(quarry_utf8_space_prefix(s, len), 4);
    assert_int_equal(quarry_utf8_space_suffix(s, len), 4);
    assert_int_equal(quarry_utf8_space_prefix("word", 4), 0);
    assert_int_equal(quarry_utf8_space_suffix("word", 4), 0);
    /* an invalid byte is never space, and stops the scan */
    assert_int_equal(quarry_utf8_space_suffix("a\xA0 ", 3), 1);
    assert_int_equal(quarry_utf8_space_suffix("\x80\x80\x80\x80 ", 5), 1);
    assert_true(quarry_utf8_is_blank("", 0));
    assert_true(quarry_utf8_is_blank(" \r\n\t\xC2\xA0", 6));
    assert_false(quarry_utf8_is_blank(" x ", 3));

    /* "aé€": cutting inside é or € backs up to the character's start */
    assert_int_equal(quarry_utf8_cut("a\xC3\xA9\xE2\x82\xAC", 6, 2), 1);
    assert_int_equal(quarry_utf8_cut("a\xC3\xA9\xE2\x82\xAC", 6, 3), 3);
    assert_int_equal(quarry_utf8_cut("a\xC3\xA9\xE2\x82\xAC", 6, 5), 3);
    assert_int_equal(quarry_utf8_cut("a\xC3\xA9\xE2\x82\xAC", 6, 6), 6);
    assert_int_equal(quarry_utf8_cut("abc", 3, 10), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_invalid),
        cmocka_unit_test(test_decode_matches_utf8proc),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_valid_prefix_and_check),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_trim_and_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
