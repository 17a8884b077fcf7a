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
    expect("environ2.qdpx", qde_path("/proc/self/environ"), "/", QUARRY_EPARSE,
           "/proc/self/environ", "a special file?");
    {
        /* The terminal or whatever stdin is: never read. */
        int rc = read_with(&m, "stdin.qdpx", qde_path("/dev/stdin"), NULL,
                           NULL, "/");
        assert_int_not_equal(rc, 0);
        refi_model_free(&m);
    }

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

/* ------------------------------------------------------------------ */
/* C: endPosition when the quoted texts do not decide                  */

/* A project.qde with one inline text and selections given as
 * "start end name" triples (name "" for none). */
static char *qde_sels(const char *text, const char *const *sels, int n)
{
    static char buf[8192];
    size_t o;
    int i;
    o = (size_t)snprintf(buf, sizeof(buf),
                         "<Project xmlns=\"" NS "\" name=\"p\"><CodeBook>"
                         "<Codes><Code guid=\"" G("01") "\" name=\"c\" "
                         "isCodable=\"true\"/></Codes></CodeBook><Sources>"
                         "<TextSource guid=\"" G("02") "\" name=\"t\">"
                         "<PlainTextContent>%s</PlainTextContent>",
                         text);
    for (i = 0; i < n; i++) {
        long a, b;
        char name[64] = "";
        assert_true(sscanf(sels[i], "%ld %ld %63[^\n]", &a, &b, name) >= 2);
        o += (size_t)snprintf(
            buf + o, sizeof(buf) - o,
            "<PlainTextSelection guid=\"00000000-0000-4000-8000-1000000000%02d\""
            " %s%s%s startPosition=\"%ld\" endPosition=\"%ld\"/>",
            i, name[0] ? "name=\"" : "", name, name[0] ? "\"" : "", a, b);
    }
    snprintf(buf + o, sizeof(buf) - o, "</TextSource></Sources></Project>");
    return buf;
}

static void read_sels(refi_model *m, const char *text, const char *const *sels,
                      int n)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    const char *q = qde_sels(text, sels, n);
    refi_model_init(m);
    if (refi_read_qde_buffer(m, q, strlen(q), "t.qde", NULL, &o) != 0)
        fail_msg("%s", m->errmsg);
}

static int notice_has(const refi_model *m, const char *needle)
{
    int32_t i;
    char buf[800];
    for (i = 0; i < m->n_notices; i++) {
        refi_notice_text(m, i, buf, sizeof(buf));
        if (strstr(buf, needle))
            return 1;
    }
    return 0;
}

static void infers_end_from_layout(void **state)
{
    /* As qc writes it: whole lines, the end one past the line break,
     * names that are no quotes. Read as inclusive, every excerpt would
     * take the next line's first letter and neighbours overlap by one. */
    static const char lines[] = "Board meets monthly.\nBudget was cut.\n"
                                "Staff feel unheard.\nWe hired two.\n";
    static const char *const qc[] = {"0 21 board_2017.txt:1",
                                     "21 37 board_2017.txt:2",
                                     "37 57 board_2017.txt:3"};
    /* Words selected with inclusive ends, no names. */
    static const char *const incl[] = {"0 4", "12 18"};
    /* Nothing to tell: whole words either way, no neighbours. */
    static const char *const none[] = {"6 11"};
    refi_model m;
    (void)state;
    read_sels(&m, lines, qc, 3);
    assert_false(m.end_inclusive);
    assert_int_equal(m.end_basis, REFI_END_BY_LAYOUT);
    assert_true(m.layout_exclusive >= 3);
    assert_int_equal(m.layout_inclusive, 0);
    assert_int_equal(m.selections[1].byte_start, 21);
    assert_int_equal(m.selections[1].byte_end, 37);
    assert_true(notice_has(&m, "the selections' layout does"));
    refi_model_free(&m);

    read_sels(&m, "Board meets monthly and often.", incl, 2);
    assert_true(m.end_inclusive);
    assert_int_equal(m.end_basis, REFI_END_BY_LAYOUT);
    assert_int_equal(m.selections[0].byte_end, 5); /* "Board" */
    refi_model_free(&m);

    read_sels(&m, "Board meets monthly.", none, 1);
    assert_true(m.end_inclusive);
    assert_int_equal(m.end_basis, REFI_END_UNDECIDED);
    assert_true(notice_has(&m, "undecided"));
    assert_true(notice_has(&m, "--end exclusive"));
    refi_model_free(&m);
}

/* ------------------------------------------------------------------ */
/* D: a source whose only text is a .docx                             */

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

/* A .docx, written with libzip, read back as bytes (free them). */
static char *make_docx(const char *name, size_t *len)
{
    static const char types[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
        "content-types\"><Override PartName=\"/word/document.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument."
        "wordprocessingml.document.main+xml\"/></Types>";
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
        "<w:document xmlns:w=\"" W_NS "\"><w:body>"
        "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs>"
        "</w:pPr><w:r><w:t>Interviewer:</w:t></w:r><w:r><w:tab/>"
        "<w:t xml:space=\"preserve\">How was it? </w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Peer: I felt </w:t></w:r><w:del><w:r><w:delText>"
        "very </w:delText></w:r></w:del><w:r><w:t>m\xC3\xBC"
        "de.</w:t><w:br/><w:t>Then proud.</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell</w:t></w:r></w:p></w:tc>"
        "</w:tr></w:tbl>"
        "<w:sectPr><w:pgSz w:w=\"11906\"/></w:sectPr></w:body></w:document>";
    const char *names[2] = {"[Content_Types].xml", "word/document.xml"};
    const char *datas[2] = {types, doc};
    size_t lens[2] = {sizeof(types) - 1, sizeof(doc) - 1};
    const char *path = test_out_path(name);
    make_zip(path, names, datas, lens, 2);
    return test_slurp(path, len);
}

static void reads_docx_rich_text(void **state)
{
    static const char want[] = "Interviewer:\tHow was it? \n"
                               "Peer: I felt m\xC3\xBC"
                               "de.\nThen proud.\nCell";
    size_t dlen;
    char *docx = make_docx("w.docx", &dlen);
    const char *qde =
        "<Project xmlns=\"" NS "\" name=\"p\"><CodeBook><Codes><Code guid=\""
        G("01") "\" name=\"c\" isCodable=\"true\"/></Codes></CodeBook>"
        "<Sources><TextSource guid=\"" G("02") "\" name=\"empty plain\" "
        "richTextPath=\"internal://" G("02") ".docx\" plainTextPath=\""
        "internal://" G("02") ".txt\"><PlainTextSelection guid=\"" G("03")
        "\" name=\"I felt m\xC3\xBC" "de.\" startPosition=\"32\" "
        "endPosition=\"43\"><Coding guid=\"" G("04") "\"><CodeRef "
        "targetGUID=\"" G("01") "\"/></Coding></PlainTextSelection>"
        "</TextSource><TextSource guid=\"" G("05") "\" name=\"rich only\" "
        "richTextPath=\"internal://" G("02") ".docx\"/></Sources></Project>";
    const char *names[3] = {"project.qde", "sources/" G("02") ".docx",
                            "sources/" G("02") ".txt"};
    const char *datas[3] = {qde, docx, ""};
    size_t lens[3] = {strlen(qde), dlen, 0};
    const char *path = test_out_path("docx.qdpx");
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    make_zip(path, names, datas, lens, 3);
    free(docx);
    refi_model_init(&m);
    if (refi_read_file(&m, path, &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_int_equal(m.n_sources, 2);
    assert_string_equal(m.sources[0].text, want);
    assert_string_equal(m.sources[1].text, want);
    assert_int_equal(m.selections[0].byte_end - m.selections[0].byte_start,
                     strlen("I felt m\xC3\xBC" "de."));
    assert_true(notice_has(&m, "the 3 paragraph(s) of richTextPath"));
    refi_model_free(&m);

    /* Not a .docx: refused, naming the path. */
    datas[1] = "not a zip";
    lens[1] = strlen(datas[1]);
    make_zip(path, names, datas, lens, 3);
    refi_model_init(&m);
    assert_int_equal(refi_read_file(&m, path, &o), QUARRY_EPARSE);
    assert_non_null(strstr(m.errmsg, "is not a .docx"));
    refi_model_free(&m);
}

/* ------------------------------------------------------------------ */
/* F: the shapes other tools write                                     */

typedef struct shape {
    const char *tool;     /* for messages */
    const char *origin;   /* Project@origin */
    const char *src_guid; /* as the tool writes it (braces, case) */
    const char *code_guid;
    const char *path;  /* plainTextPath */
    const char *entry; /* where the text is in the archive */
    const char *text;  /* its bytes (BOM, CR LF as written) */
    long start, end;
    const char *name; /* @name of the selection */
    const char *want; /* the excerpt quarry must read */
    int inclusive;    /* the reading it must infer */
} shape;

static void reads_tool_shapes(void **state)
{
    static const shape shapes[] = {
        {"NVivo", "NVivo 14", "5E1EC7ED-0000-4000-8000-0000000000AA",
         "5E1EC7ED-0000-4000-8000-0000000000C1",
         "internal://5E1EC7ED-0000-4000-8000-0000000000AA.txt",
         "sources/5E1EC7ED-0000-4000-8000-0000000000AA.txt",
         "\xEF\xBB\xBFQ: How are you?\r\nA: Tired but proud.\r\n", 20, 35,
         "Tired but proud.", "Tired but proud.", 1},
        {"ATLAS.ti", "ATLAS.ti 23.1", "{5e1ec7ed-0000-4000-8000-0000000000aa}",
         "{5e1ec7ed-0000-4000-8000-0000000000c1}",
         "internal://5e1ec7ed-0000-4000-8000-0000000000aa.txt",
         "sources/5e1ec7ed-0000-4000-8000-0000000000aa.txt",
         "Q: How are you?\r\nA: Tired but proud.\r\n", 19, 34,
         "Tired but proud.", "Tired but proud.", 1},
        {"MAXQDA", "MAXQDA 2022", "5e1ec7ed-0000-4000-8000-0000000000aa",
         "5e1ec7ed-0000-4000-8000-0000000000c1",
         "internal://5e1ec7ed-0000-4000-8000-0000000000aa.txt",
         "Sources/5e1ec7ed-0000-4000-8000-0000000000aa.txt",
         "Line one.\r\nLine two.\r\n", 11, 19, "Line two.", "Line two.", 1},
        {"QualCoder", "QualCoder 3.5", "5e1ec7ed-0000-4000-8000-0000000000aa",
         "5e1ec7ed-0000-4000-8000-0000000000c1",
         "internal://5e1ec7ed-0000-4000-8000-0000000000aa.txt",
         "sources/5e1ec7ed-0000-4000-8000-0000000000aa.txt",
         "I: Hello\nP: We share the load.\n", 12, 30, "We share the load.",
         "We share the load.", 0},
        {"qc", "qc", "5e1ec7ed-0000-4000-8000-0000000000aa",
         "5e1ec7ed-0000-4000-8000-0000000000c1", "board_2017.txt",
         "sources/board_2017.txt", "Board meets monthly.\nBudget was cut.\n",
         21, 37, "board_2017.txt:2", "Budget was cut.\n", 0},
        {"a bare sources/ path", NULL, "5e1ec7ed-0000-4000-8000-0000000000aa",
         "5e1ec7ed-0000-4000-8000-0000000000c1", "sources/t.txt",
         "sources/t.txt", "One two three.", 4, 6, "two", "two", 1},
    };
    size_t k;
    (void)state;
    for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        const shape *h = &shapes[k];
        char qde[4096], zipname[64], got[256];
        const char *names[2] = {"project.qde", h->entry};
        const char *datas[2];
        size_t lens[2];
        refi_model m;
        quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
        const refi_selection *sel;
        int32_t i;
        snprintf(
            qde, sizeof(qde),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
            "<Project xmlns=\"" NS "\" xmlns:xsi=\"http://www.w3.org/2001/"
            "XMLSchema-instance\" name=\"%s project\"%s%s%s>\r\n"
            "<CodeBook><Codes><Code guid=\"%s\" name=\"Coping\" "
            "isCodable=\"true\" color=\"#3c3\"/></Codes></CodeBook>\r\n"
            "<Sources><TextSource guid=\"%s\" name=\"interview\" "
            "plainTextPath=\"%s\">"
            /* an annotation only, as MAXQDA writes them */
            "<PlainTextSelection guid=\"5e1ec7ed-0000-4000-8000-0000000000d0\" "
            "startPosition=\"0\" endPosition=\"1\"><Description>memo"
            "</Description></PlainTextSelection>"
            "<PlainTextSelection guid=\"5e1ec7ed-0000-4000-8000-0000000000d1\" "
            "name=\"%s\" startPosition=\"%ld\" endPosition=\"%ld\">"
            "<Coding guid=\"5e1ec7ed-0000-4000-8000-0000000000e1\">"
            "<CodeRef targetGUID=\"%s\"/></Coding></PlainTextSelection>"
            "%s</TextSource></Sources></Project>\r\n",
            h->tool, h->origin ? " origin=\"" : "", h->origin ? h->origin : "",
            h->origin ? "\"" : "", h->code_guid, h->src_guid, h->path,
            h->name, h->start, h->end, h->code_guid,
            /* qc: whole lines side by side */
            strcmp(h->tool, "qc") == 0
                ? "<PlainTextSelection guid=\"5e1ec7ed-0000-4000-8000-"
                  "0000000000d2\" name=\"board_2017.txt:1\" startPosition="
                  "\"0\" endPosition=\"21\"/>"
                : "");
        datas[0] = qde;
        datas[1] = h->text;
        lens[0] = strlen(qde);
        lens[1] = strlen(h->text);
        snprintf(zipname, sizeof(zipname), "shape-%zu.qdpx", k);
        make_zip(test_out_path(zipname), names, datas, lens, 2);
        refi_model_init(&m);
        if (refi_read_file(&m, test_out_path(zipname), &o) != 0)
            fail_msg("%s: %s", h->tool, m.errmsg);
        assert_int_equal(m.n_sources, 1);
        assert_int_equal(m.n_codings, 1);
        i = -1;
        assert_int_equal(
            refi_guid_find(&m, "5e1ec7ed-0000-4000-8000-0000000000d1", &i),
            REFI_K_SELECTION);
        sel = &m.selections[i];
        snprintf(got, sizeof(got), "%.*s",
                 (int)(sel->byte_end - sel->byte_start),
                 m.sources[0].text + sel->byte_start);
        if (strcmp(got, h->want) != 0 || m.end_inclusive != h->inclusive)
            fail_msg("%s: read \"%s\" (%s), want \"%s\"", h->tool, got,
                     m.end_inclusive ? "inclusive" : "exclusive", h->want);
        assert_int_equal(m.codings[0].code, 0);
        refi_model_free(&m);
    }
}

/* ------------------------------------------------------------------ */
/* E: libxml2 never prints; large texts and repetitive sources import  */

/* Run fn with stderr sent to a file; what was printed (free it). */
static char *stderr_of(void (*fn)(void *), void *arg)
{
    const char *path = test_out_path("stderr.txt");
    int saved = dup(2), fd;
    size_t len;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fflush(stderr);
    fd = fileno(f);
    assert_true(dup2(fd, 2) >= 0);
    fn(arg);
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    fclose(f);
    return test_slurp(path, &len);
}

static void read_bad_encoding(void *arg)
{
    refi_model *m = arg;
    static const char shift_jis[] =
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
        "<Project xmlns=\"" NS "\" name=\"p\x82\xff\xff\"><Sources/></Project>";
    static const char latin[] = "<?xml version=\"1.0\"?>\n"
                                "<Project xmlns=\"" NS "\" name=\"p\xff\xfe\"/>";
    static const char doctype[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Project [<!ENTITY a \"aaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
        "<Project xmlns=\"" NS "\" name=\"&b;\"/>";
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    refi_model_init(&m[0]);
    m[0].errmsg[0] = '\0';
    assert_int_equal(refi_read_qde_buffer(&m[0], shift_jis,
                                          sizeof(shift_jis) - 1, "sj.qde",
                                          NULL, &o),
                     QUARRY_EPARSE);
    refi_model_init(&m[1]);
    assert_int_equal(refi_read_qde_buffer(&m[1], latin, sizeof(latin) - 1,
                                          "l.qde", NULL, &o),
                     QUARRY_EPARSE);
    refi_model_init(&m[2]);
    assert_int_equal(refi_read_qde_buffer(&m[2], doctype, sizeof(doctype) - 1,
                                          "d.qde", NULL, &o),
                     QUARRY_EPARSE);
}

static void xml_errors_on_the_handle(void **state)
{
    refi_model m[3];
    char *printed;
    (void)state;
    printed = stderr_of(read_bad_encoding, m);
    assert_string_equal(printed, "");
    free(printed);
    if (strstr(m[0].errmsg, "sj.qde:2: malformed XML: input conversion "
                            "failed") == NULL)
        fail_msg("%s", m[0].errmsg);
    if (strstr(m[1].errmsg, "l.qde:2: malformed XML: Input is not proper "
                            "UTF-8") == NULL)
        fail_msg("%s", m[1].errmsg);
    if (strstr(m[2].errmsg, "DOCTYPE declaration is not allowed") == NULL)
        fail_msg("%s", m[2].errmsg);
    refi_model_free(&m[0]);
    refi_model_free(&m[1]);
    refi_model_free(&m[2]);
}

/* Over libxml2's own 10,000,000-byte limit for a text node and an
 * attribute: a source and an excerpt quoted in @name. */
static void reads_huge_text_and_name(void **state)
{
    size_t n = 10500000, i;
    char *text = malloc(n + 1), *qde;
    size_t cap = 2 * n + 4096;
    refi_model m;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    (void)state;
    assert_non_null(text);
    for (i = 0; i < n; i++)
        text[i] = "abcdefgh "[i % 9];
    text[n] = '\0';
    qde = malloc(cap);
    assert_non_null(qde);
    snprintf(qde, cap,
             "<Project xmlns=\"" NS "\" name=\"p\"><CodeBook><Codes>"
             "<Code guid=\"" G("01") "\" name=\"c\" isCodable=\"true\"/>"
             "</Codes></CodeBook><Sources><TextSource guid=\"" G("02")
             "\" name=\"s\"><PlainTextContent>%s</PlainTextContent>"
             "<PlainTextSelection guid=\"" G("03") "\" name=\"%s\" "
             "startPosition=\"0\" endPosition=\"%zu\"><Coding guid=\"" G("04")
             "\"><CodeRef targetGUID=\"" G("01") "\"/></Coding>"
             "</PlainTextSelection></TextSource></Sources></Project>",
             text, text, n);
    refi_model_init(&m);
    if (refi_read_qde_buffer(&m, qde, strlen(qde), "huge.qde", NULL, &o) != 0)
        fail_msg("%s", m.errmsg);
    assert_int_equal(m.sources[0].text_len, n);
    assert_int_equal(m.selections[0].byte_end, n);
    refi_model_free(&m);
    /* The explicit limit still holds. */
    o.max_entry_bytes = n;
    refi_model_init(&m);
    assert_int_equal(
        refi_read_qde_buffer(&m, qde, strlen(qde), "huge.qde", NULL, &o),
        QUARRY_ERANGE);
    refi_model_free(&m);
    free(qde);
    free(text);
}

/* quarry imports what it exports: a 1.5 MiB repetitive source compresses
 * hundreds of times and is still no zip bomb. */
static void reimports_repetitive_export(void **state)
{
    quarry_project *p = new_project("rep.quarry"), *q;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    const char *jsonl = test_out_path("rep.jsonl");
    const char *out = test_out_path("rep.qdpx");
    size_t n = 1536u << 10, i;
    char *line = malloc(n + 128);
    FILE *f;
    (void)state;
    assert_non_null(line);
    i = (size_t)sprintf(line, "{\"id\": \"r1\", \"text\": \"");
    while (i < n)
        i += (size_t)sprintf(line + i, "I felt supported. ");
    sprintf(line + i, "\", \"code\": \"sup\"}\n");
    f = fopen(jsonl, "wb");
    assert_non_null(f);
    fputs(line, f);
    fclose(f);
    free(line);
    io.coder = "ana";
    io.add_codes = 1;
    if (quarry_project_import(p, jsonl, &io, NULL) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    if (quarry_project_export_qdpx(p, out, &o) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    q = new_project("rep-again.quarry");
    if (quarry_project_import_qdpx(q, out, &o, &st) != 0)
        fail_msg("%s", quarry_project_errmsg(q));
    assert_int_equal(st.sources, 1);
    assert_int_equal(st.codings, 1);
    /* quarry writes the standard's inclusive end and says what it read. */
    assert_int_equal(st.end, QUARRY_REFI_END_INCLUSIVE);
    assert_int_equal(st.crlf, QUARRY_REFI_CRLF_TWO);
    quarry_project_free(q);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_outside_by_default),
        cmocka_unit_test(reads_allowed_folder_only),
        cmocka_unit_test(unpacked_folder_is_the_archive),
        cmocka_unit_test(finds_bare_paths_in_archive),
        cmocka_unit_test(infers_end_from_layout),
        cmocka_unit_test(reads_docx_rich_text),
        cmocka_unit_test(reads_tool_shapes),
        cmocka_unit_test(xml_errors_on_the_handle),
        cmocka_unit_test(reads_huge_text_and_name),
        cmocka_unit_test(reimports_repetitive_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
