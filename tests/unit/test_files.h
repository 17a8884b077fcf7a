/*
 * test_files.h -- files the cmocka tests write and read back: a folder for
 * their outputs (QUARRY_REFI_OUT when the build sets it, else a fresh
 * temporary folder, never the current one), paths in it or in a test's own
 * folder, a whole file read
 * into memory (the core's quarry_slurp) and a string written to a file.
 * Include after <cmocka.h>.
 */
#ifndef QUARRY_TEST_FILES_H
#define QUARRY_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

static inline const char *test_out_dir(void)
{
    static char tmp[512];
    const char *d = getenv("QUARRY_REFI_OUT"), *t;
    if (d && *d)
        return d;
    if (tmp[0] == '\0') {
        t = getenv("TMPDIR");
        snprintf(tmp, sizeof(tmp), "%s/quarry-test.XXXXXX",
                 t && *t ? t : P_tmpdir);
        if (mkdtemp(tmp) == NULL)
            fail_msg("cannot make a folder for the outputs");
    }
    return tmp;
}

/* NAME in the output folder; the last eight results stay valid. */
static inline char *test_out_path(const char *name)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    mkdir(test_out_dir(), 0777);
    snprintf(p, 1024, "%s/%s", test_out_dir(), name);
    return p;
}

/* NAME in FOLDER (a test's own temporary folder); the last eight results
 * stay valid. */
static inline const char *test_path(const char *folder, const char *name)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 1024, "%s/%s", folder, name);
    return p;
}

/* The whole file, NUL-terminated after *len bytes (free it). */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    int err = 0;
    if (f == NULL)
        fail_msg("cannot open %s", path);
    if (quarry_slurp(f, &b, len, &err) != 0)
        fail_msg("cannot read %s", path);
    fclose(f);
    return b;
}

static inline void test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* A fresh folder quarry-test-TAG-XXXXXX under $TMPDIR (or /tmp), its path
 * into dir (cap bytes): a test file's own temporary folder. */
static inline void test_tmpdir(char *dir, size_t cap, const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, cap, "%s/quarry-test-%s-XXXXXX",
             base && base[0] ? base : "/tmp", tag);
    if (mkdtemp(dir) == NULL)
        fail_msg("cannot make a temporary folder for %s", tag);
}

/* Remove that folder and everything in it: 0 when done (a cmocka
 * teardown's result). */
static inline int test_rmdir(const char *dir)
{
    char cmd[1100];
    if (dir[0] == '\0' || strchr(dir, '\'') != NULL)
        return -1;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
