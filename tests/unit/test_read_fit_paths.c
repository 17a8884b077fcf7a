/*
 * test_read_fit_paths.c -- the faster paths of reading and fitting give
 * what the plain ones gave:
 *  - strtab compares short strings by overlapping word loads and keeps 32
 *    bits of the hash in each slot: strings of every length to 40 that
 *    differ in any one byte, or only in length, are told apart, and the
 *    _hashed calls agree with the plain ones;
 *  - the JSONL reader copies each record out of jansson's tree on the
 *    parsing workers (reader_jsonl.c, prepare_line): ids (strings and
 *    integers), texts, codes (a string, a list with repeats and empty
 *    ones, null), speakers, string attributes and the attributes' JSON
 *    come out as written, over several batches, with 1 and 2 threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strtab.h"
#include "test_util.h"

static void strtab_tells_near_strings_apart(void **state)
{
    strtab t;
    char s[48], v[48];
    int64_t ids[41];
    (void)state;
    strtab_init(&t);
    for (size_t len = 0; len <= 40; len++) {
        for (size_t i = 0; i < len; i++)
            s[i] = (char)('a' + (i * 7 + len) % 26);
        ids[len] = strtab_intern(&t, s, len, NULL);
        assert_true(ids[len] >= 0);
    }
    for (size_t len = 0; len <= 40; len++) {
        for (size_t i = 0; i < len; i++)
            s[i] = (char)('a' + (i * 7 + len) % 26);
        assert_int_equal(strtab_find(&t, s, len), ids[len]);
        assert_int_equal(strtab_find_hashed(&t, s, len, strtab_hash(s, len)),
                         ids[len]);
        assert_int_equal(strtab_len(&t, ids[len]), len);
        assert_memory_equal(strtab_str(&t, ids[len]), s, len);
        assert_int_equal(strtab_str(&t, ids[len])[len], '\0');
        /* One byte changed anywhere: not found. */
        for (size_t i = 0; i < len; i++) {
            memcpy(v, s, len);
            v[i] ^= 0x20;
            assert_int_equal(strtab_find(&t, v, len), -1);
        }
        /* A prefix or an extension of another length is another string
         * (or, for the prefix, the shorter one interned above only if it
         * is the same bytes, which it is not: the pattern depends on the
         * length). */
        if (len > 0)
            assert_int_not_equal(strtab_find(&t, s, len - 1), ids[len]);
    }
    strtab_free(&t);
}

static void strtab_hashed_calls_agree(void **state)
{
    strtab t;
    char buf[32];
    int is_new = 0;
    (void)state;
    strtab_init(&t);
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(buf, sizeof buf, "w%x", (unsigned)i * 2654435761u);
        uint64_t h = strtab_hash(buf, (size_t)n);
        if (i % 2)
            assert_int_equal(
                strtab_intern_hashed(&t, buf, (size_t)n, h, &is_new), i);
        else
            assert_int_equal(strtab_intern(&t, buf, (size_t)n, &is_new), i);
        assert_true(is_new);
        strtab_prefetch(&t, h);
    }
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf(buf, sizeof buf, "w%x", (unsigned)i * 2654435761u);
        assert_int_equal(strtab_intern(&t, buf, (size_t)n, &is_new), i);
        assert_false(is_new);
        assert_int_equal(t.hashes[i], strtab_hash(buf, (size_t)n));
    }
    strtab_free(&t);
}

/* 20,000 lines: more than two batches of the reader. */
#define LINES 20000

static char *make_jsonl(void)
{
    size_t cap = (size_t)LINES * 200, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (int i = 0; i < LINES; i++) {
        char id[32], code[64], extra[96];
        if (i % 3 == 0)
            snprintf(id, sizeof id, "%d", 1000000 + i); /* an integer id */
        else
            snprintf(id, sizeof id, "\"x%d\"", i);
        switch (i % 4) {
        case 0:
            snprintf(code, sizeof code, "\"c%d\"", i % 7);
            break;
        case 1:
            snprintf(code, sizeof code, "[\"c%d\", \"\", \"c%d\", \"d\"]",
                     i % 5, i % 5);
            break;
        case 2:
            snprintf(code, sizeof code, "null");
            break;
        default:
            snprintf(code, sizeof code, "[]");
            break;
        }
        if (i % 5 == 0)
            snprintf(extra, sizeof extra,
                     ", \"speaker\": \"S%d\", \"site\": \"b\\u00e9\", "
                     "\"n\": %d, \"l\": [1, \"a\"]",
                     i % 3, i);
        else
            extra[0] = '\0';
        len += (size_t)snprintf(buf + len, cap - len,
                                "{\"id\": %s, \"text\": \"line %d says "
                                "caf\\u00e9 \\\"q\\\"\", \"code\": %s%s}\n",
                                id, i, code, extra);
        assert_true(len < cap);
    }
    return buf;
}

static void check_corpus(const quarry_corpus *c)
{
    char want[128];
    assert_int_equal(quarry_corpus_size(c), LINES);
    for (int i = 0; i < LINES; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, (size_t)i);
        if (i % 3 == 0)
            snprintf(want, sizeof want, "%d", 1000000 + i);
        else
            snprintf(want, sizeof want, "x%d", i);
        assert_string_equal(x->id, want);
        snprintf(want, sizeof want, "line %d says caf\xC3\xA9 \"q\"", i);
        assert_string_equal(x->text, want);
        assert_int_equal(x->text_len, strlen(want));
        assert_int_equal(x->line, i + 1);
        switch (i % 4) {
        case 0:
            assert_int_equal(x->n_codes, 1);
            snprintf(want, sizeof want, "c%d", i % 7);
            assert_string_equal(x->codes[0], want);
            break;
        case 1:
            /* Empty codes and repeats dropped. */
            assert_int_equal(x->n_codes, 2);
            snprintf(want, sizeof want, "c%d", i % 5);
            assert_string_equal(x->codes[0], want);
            assert_string_equal(x->codes[1], "d");
            break;
        default:
            assert_int_equal(x->n_codes, 0);
            break;
        }
        if (i % 5 == 0) {
            snprintf(want, sizeof want, "S%d", i % 3);
            assert_non_null(x->speaker);
            assert_string_equal(x->speaker, want);
            snprintf(want, sizeof want,
                     "{\"speaker\":\"S%d\",\"site\":\"b\xC3\xA9\",\"n\":%d,"
                     "\"l\":[1,\"a\"]}",
                     i % 3, i);
            assert_string_equal(x->attributes, want);
            assert_string_equal(quarry_corpus_attribute(c, (size_t)i, "site"),
                                "b\xC3\xA9");
            assert_null(quarry_corpus_attribute(c, (size_t)i, "n"));
        } else {
            assert_null(x->speaker);
            assert_string_equal(x->attributes, "{}");
        }
    }
}

static void jsonl_records_come_out_as_written(void **state)
{
    char *jsonl = make_jsonl();
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        quarry_corpus *c = NULL;
        quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
        ro.format = QUARRY_FORMAT_JSONL;
        assert_int_equal(quarry_corpus_new(&c), 0);
        assert_int_equal(quarry_corpus_set_threads(c, threads), 0);
        if (quarry_corpus_read_buffer(c, jsonl, strlen(jsonl), "gen.jsonl",
                                      &ro) != 0)
            fail_msg("%s", quarry_corpus_errmsg(c));
        check_corpus(c);
        quarry_corpus_free(c);
    }
    free(jsonl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strtab_tells_near_strings_apart),
        cmocka_unit_test(strtab_hashed_calls_agree),
        cmocka_unit_test(jsonl_records_come_out_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
