/*
 * test_refi_read.c -- what the REFI-QDA reader reads and what it never
 * reads: paths outside the archive (absolute, file:// URLs, symbolic links
 * and ".." out of the allowed folder, a FIFO, /dev/zero) are refused
 * naming the source and the path unless a folder is allowed, and then only
 * regular files under it; bare plainTextPaths found in sources/ or the
 * archive's root, and the places tried named when not found.
 */
#define _GNU_SOURCE 1
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "quarry/quarry.h"
#include "refi_io.h"
#include "refi_model.h"
#include "../unit/test_files.h"
#include "refi_test_util.h"

#define NS "urn:QDA-XML:project:1.0"
#define G(n) "00000000-0000-4000-8000-0000000000" n

/* A project.qde with one TextSource whose plainTextPath is path. */
static char *qde_path(const char *path)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf),
             "<Project xmlns=\"" NS "\" name=\"p\"><Sources>"
             "<TextSource guid=\"" G("02") "\" name=\"board\" "
             "plainTextPath=\"%s\"/></Sources></Project>",
             path);
    return buf;
}

/* Read a .qdpx (project.qde, and entry = text when entry is not NULL)
 * with external_dir; the status, and the model left for the caller. */
static int read_with(refi_model *m, const char *zipname, const char *qde,
                     const char *entry, const char *text, const char *dir)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    o.external_dir = dir;
    refi_model_init(m);
    return refi_read_file(m, zip_qde(zipname, qde, entry, text), &o);
}

static void expect(const char *zipname, const char *qde, const char *dir,
                   int status, const char *want1, const char *want2)
{
    refi_model m;
    int rc = read_with(&m, zipname, qde, NULL, NULL, dir);
    if (rc == 0)
        fail_msg("%s was accepted", zipname);
    assert_int_equal(rc, status);
    if (strstr(m.errmsg, want1) == NULL ||
        (want2 != NULL && strstr(m.errmsg, want2) == NULL))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", m.errmsg, want1,
                 want2 ? want2 : "");
    refi_model_free(&m);
}

static void on_alarm(int sig)
{
    (void)sig;
    /* A read that blocks is the failure this guards against. */
    _exit(99);
}

/* A folder under the outputs with a text in it and, beside it, a secret
 * file the project must not reach; *allowed gets the folder. */
static const char *setup_dirs(char *secret, size_t cap)
{
    static char allowed[1024];
    snprintf(allowed, sizeof(allowed), "%s", test_out_path("ext-allowed"));
    snprintf(secret, cap, "%s", test_out_path("ext-secret.txt"));
    mkdir(allowed, 0777);
    test_write_file(secret, "the secret\n");
    {
        char p[1200];
        snprintf(p, sizeof(p), "%s/ok.txt", allowed);
        test_write_file(p, "Peer support helped.\n");
    }
    return allowed;
}

/* ------------------------------------------------------------------ */
/* A: nothing outside the archive unless a folder is allowed           */

static void refuses_outside_by_default(void **state)
{
    char secret[1024], url[1200];
    (void)state;
    setup_dirs(secret, sizeof(secret));
    expect("abs.qdpx", qde_path(secret), NULL, QUARRY_EPARSE,
           "TextSource: \"board\" (guid " G("02") "): plainTextPath",
           "is outside the archive; not read");
    snprintf(url, sizeof(url), "file://%s", secret);
    expect("url.qdpx", qde_path(url), NULL, QUARRY_EPARSE, url,
           "is outside the archive; not read");
    expect("environ.qdpx", qde_path("file:///proc/self/environ"), NULL,
           QUARRY_EPARSE, "\"board\"", "outside the archive");
    expect("dotdot.qdpx", qde_path("../../etc/passwd"), NULL, QUARRY_EPARSE,
           "\"../../etc/passwd\"", "leaves the project's folder");
    expect("winpath.qdpx", qde_path("C:\\Users\\x\\board.txt"), NULL,
           QUARRY_EPARSE, "C:\\Users", "outside the archive");
    expect("scheme.qdpx", qde_path("http://example.org/x.txt"), NULL,
           QUARRY_EPARSE, "http://example.org/x.txt", "unknown scheme");
}

static void reads_allowed_folder_only(void **state)
{
    char secret[1024], path[1200], link[1200], fifo[1200];
    const char *allowed;
    refi_model m;
    (void)state;
    allowed = setup_dirs(secret, sizeof(secret));

    /* An allowed file under DIR: absolute, as a URL, relative to DIR. */
    snprintf(path, sizeof(path), "%s/ok.txt", allowed);
    assert_int_equal(read_with(&m, "ok.qdpx", qde_path(path), NULL, NULL,
                               allowed),
                     0);
    assert_string_equal(m.sources[0].text, "Peer support helped.\n");
    refi_model_free(&m);
    snprintf(path, sizeof(path), "file://%s/ok.txt", allowed);
    assert_int_equal(read_with(&m, "ok2.qdpx", qde_path(path), NULL, NULL,
                               allowed),
                     0);
    refi_model_free(&m);
    assert_int_equal(read_with(&m, "ok3.qdpx", qde_path("ok.txt"), NULL, NULL,
                               allowed),
                     0);
    assert_string_equal(m.sources[0].text, "Peer support helped.\n");
    refi_model_free(&m);

    /* A file outside DIR, named directly or with ".." out of DIR. */
    expect("out1.qdpx", qde_path(secret), allowed, QUARRY_EPARSE, "\"board\"",
           "outside the folder");
    snprintf(path, sizeof(path), "%s/../ext-secret.txt", allowed);
    expect("out2.qdpx", qde_path(path), allowed, QUARRY_EPARSE,
           "resolves to", "outside the folder");
    expect("out3.qdpx", qde_path("../ext-secret.txt"), allowed,
           QUARRY_EPARSE, "resolves to", "outside the folder");

    /* A symbolic link inside DIR pointing out of it. */
    snprintf(link, sizeof(link), "%s/link.txt", allowed);
    remove(link);
    assert_int_equal(symlink(secret, link), 0);
    expect("link.qdpx", qde_path(link), allowed, QUARRY_EPARSE, "link.txt",
           "outside the folder");

    /* A FIFO under DIR: refused at once, never waited on. */
    snprintf(fifo, sizeof(fifo), "%s/pipe.txt", allowed);
    remove(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(20);
    expect("fifo.qdpx", qde_path(fifo), allowed, QUARRY_EPARSE, "pipe.txt",
           "is a FIFO; only regular files are read");
    alarm(0);

    /* Devices, even when the whole file system is allowed. */
    expect("zero.qdpx", qde_path("/dev/zero"), "/", QUARRY_EPARSE,
           "/dev/zero", "a character device");
    expect("dir.qdpx", qde_path(allowed), "/", QUARRY_EPARSE, "ext-allowed",
           "is a folder");

    /* Over the size limit. */
    {
        quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
        snprintf(path, sizeof(path), "%s/ok.txt", allowed);
        o.external_dir = allowed;
        o.max_entry_bytes = 8;
        refi_model_init(&m);
        assert_int_equal(
            refi_read_file(&m, zip_qde("big.qdpx", qde_path(path), NULL, NULL),
                           &o),
            QUARRY_ERANGE);
        assert_non_null(strstr(m.errmsg, "over the limit of 8"));
        refi_model_free(&m);
    }
}

/* A bare project.qde reads the files under its own folder, and only
 * those: a symbolic link out of it is refused. */
static void unpacked_folder_is_the_archive(void **state)
{
    char dir[1024], p[1300], secret[1024];
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    setup_dirs(secret, sizeof(secret));
    snprintf(dir, sizeof(dir), "%s", test_out_path("unpacked"));
    mkdir(dir, 0777);
    snprintf(p, sizeof(p), "%s/sources", dir);
    mkdir(p, 0777);
    snprintf(p, sizeof(p), "%s/sources/a.txt", dir);
    test_write_file(p, "inside");
    snprintf(p, sizeof(p), "%s/sources/b.txt", dir);
    remove(p);
    assert_int_equal(symlink(secret, p), 0);
    snprintf(p, sizeof(p), "%s/project.qde", dir);
    test_write_file(p, qde_path("internal://a.txt"));
    refi_model_init(&m);
    if (refi_read_file(&m, p, &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_string_equal(m.sources[0].text, "inside");
    refi_model_free(&m);
    test_write_file(p, qde_path("b.txt"));
    refi_model_init(&m);
    assert_int_equal(refi_read_file(&m, p, &o), QUARRY_EPARSE);
    assert_non_null(strstr(m.errmsg, "outside the folder"));
    refi_model_free(&m);
}

/* ------------------------------------------------------------------ */
/* B: bare plainTextPaths                                              */

static void finds_bare_paths_in_archive(void **state)
{
    refi_model m;
    (void)state;
    /* As qc writes it: the name only, the file in sources/. */
    if (read_with(&m, "qc.qdpx", qde_path("board_2017.txt"),
                  "sources/board_2017.txt", "Board minutes.", NULL) != 0)
        fail_msg("%s", m.errmsg);
    assert_string_equal(m.sources[0].text, "Board minutes.");
    refi_model_free(&m);
    /* "sources/x.txt" with no scheme, in another case. */
    if (read_with(&m, "rel.qdpx", qde_path("sources/Board.TXT"),
                  "Sources/board.txt", "Board.", NULL) != 0)
        fail_msg("%s", m.errmsg);
    refi_model_free(&m);
    /* At the archive's root, and internal:// at the root too. */
    if (read_with(&m, "root.qdpx", qde_path("board.txt"), "board.txt", "Root.",
                  NULL) != 0)
        fail_msg("%s", m.errmsg);
    refi_model_free(&m);
    if (read_with(&m, "root2.qdpx", qde_path("internal://board.txt"),
                  "board.txt", "Root.", NULL) != 0)
        fail_msg("%s", m.errmsg);
    refi_model_free(&m);
    /* A Windows separator. */
    if (read_with(&m, "win.qdpx", qde_path("sources\\board.txt"),
                  "sources/board.txt", "Win.", NULL) != 0)
        fail_msg("%s", m.errmsg);
    refi_model_free(&m);
    /* Not found: every place tried is named. */
    assert_int_equal(read_with(&m, "none.qdpx", qde_path("board_2017.txt"),
                               "sources/other.txt", "x", NULL),
                     QUARRY_ENOTFOUND);
    assert_non_null(strstr(m.errmsg, "\"board\" (guid " G("02") ")"));
    assert_non_null(strstr(m.errmsg,
                           "tried sources/board_2017.txt in the archive, "
                           "board_2017.txt in the archive"));
    assert_non_null(strstr(m.errmsg, "--allow-external"));
    refi_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_outside_by_default),
        cmocka_unit_test(reads_allowed_folder_only),
        cmocka_unit_test(unpacked_folder_is_the_archive),
        cmocka_unit_test(finds_bare_paths_in_archive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
