/*
 * test_reader_util.h -- what the reader tests (test_corpus, test_readers,
 * test_transcript) share: a corpus made or read from a string or a file of
 * tests/data, and checks that a message holds a text, or names the file,
 * the line and the field. A test file whose fixtures sit in a subfolder of
 * tests/data defines TEST_READER_SUBDIR ("readers/") before including.
 * Include after <cmocka.h> and quarry/quarry.h.
 */
#ifndef QUARRY_TEST_READER_UTIL_H
#define QUARRY_TEST_READER_UTIL_H

#include <stdio.h>
#include <string.h>

#ifndef QUARRY_TEST_DATA_DIR
#define QUARRY_TEST_DATA_DIR "tests/data"
#endif
#ifndef TEST_READER_SUBDIR
#define TEST_READER_SUBDIR ""
#endif

static inline const char *data_path(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", QUARRY_TEST_DATA_DIR,
             TEST_READER_SUBDIR, name);
    return path;
}

static inline void assert_has(const char *hay, const char *needle)
{
    if (hay == NULL || strstr(hay, needle) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", needle, hay ? hay : "(null)");
}

/* The message of c names the file and line, the field and what is wrong
 * (field and what may be NULL). */
static inline void assert_msg(const quarry_corpus *c, const char *file_line,
                              const char *field, const char *what)
{
    const char *msg = quarry_corpus_errmsg(c);
    assert_has(msg, file_line);
    if (field != NULL) {
        char f[128];
        snprintf(f, sizeof f, "field \"%s\"", field);
        assert_has(msg, f);
    }
    if (what != NULL)
        assert_has(msg, what);
}

static inline quarry_corpus *new_corpus(void)
{
    quarry_corpus *c = NULL;
    assert_int_equal(quarry_corpus_new(&c), QUARRY_OK);
    assert_non_null(c);
    return c;
}

static inline int read_data(quarry_corpus *c, const char *name,
                            const quarry_read_options *o)
{
    return quarry_corpus_read_file(c, data_path(name), o);
}

static inline int read_str(quarry_corpus *c, const char *name, const char *s,
                           const quarry_read_options *o)
{
    return quarry_corpus_read_buffer(c, s, strlen(s), name, o);
}

#endif
