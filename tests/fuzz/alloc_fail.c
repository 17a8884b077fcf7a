/*
 * alloc_fail.c -- allocation-failure test (failalloc.h): each reader and
 * each project import runs once to count its allocations, then once for
 * every N up to that count with the Nth allocation failing (and once with
 * every allocation from the Nth on failing). Each run must end with a
 * status, never a crash (and, under ASan, never a leak: LeakSanitizer
 * checks at exit). A failed read must leave the corpus as it was; a
 * failed import must leave a project that opens with exactly the rows it
 * had before.
 *
 * A run that completes despite the failure must give the clean run's
 * result, unless the failure was inside a library (noted, not failed:
 * jansson may drop a byte of a string; libxml2's lost text must be caught
 * by the reader). With every allocation from the Nth on failing, the
 * imports try every 4th N (16th under the sanitizers). A failed import
 * must not leave its rows visible on the handle either, and libxml2 must
 * never print (its messages go to the handle, not stderr).
 *
 * usage: alloc_fail SOURCE_ROOT [CASE...]   prints one line per case; exit
 * 0 when every run kept its promises. Environment: ALLOC_FAIL_ONLY=N runs
 * that failure point only, ALLOC_FAIL_ALL=1 goes on after a failure,
 * ALLOC_FAIL_DUMP=1 prints what the reads read, FAILALLOC_TRACE=1 and
 * FAILALLOC_JANSSON=1 as in failalloc.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codebook.h"
#include "project_db.h"
#include "failalloc.h"
#include "fuzz.h"
#include "refi_io.h"

/* With every allocation from the Nth on failing, the imports try every
 * STICKY_STEP-th N (every N with one failing); sanitizers make each run
 * several times slower. */
#ifdef QUARRY_SANITIZE
#define STICKY_STEP 16
#else
#define STICKY_STEP 4
#endif

static const char *root;
static char input[4400];

/* The run in hand: fail the nth allocation (0: none), and after it too
 * when sticky; count: allocations the call under test made. */
static long nth, count;
static int sticky;

static void arm(void)
{
    failalloc_arm(nth, sticky);
}

static void disarm(void)
{
    count = failalloc_disarm();
}

/* What a successful call produced, folded (FNV-1a): a call that completes
 * despite a failed allocation must produce what a clean run does. */
static uint64_t fp;

static void fold(const void *data, size_t len)
{
    const unsigned char *b = data;
    size_t i;
    for (i = 0; i < len; i++)
        fp = (fp ^ b[i]) * 1099511628211ULL;
}

static void fold_str(const char *s)
{
    fold(s ? s : "(null)", s ? strlen(s) + 1 : 7);
}

static void fold_int(int64_t v)
{
    fold(&v, sizeof v);
}

static void fold_model(const refi_model *m)
{
    int32_t i;
    fold_int(m->n_users);
    fold_int(m->n_codes);
    fold_int(m->n_sources);
    fold_int(m->n_selections);
    fold_int(m->n_codings);
    fold_int(m->n_values);
    fold_int(m->n_notes);
    fold_int(m->n_sets);
    fold_int(m->n_refs);
    /* not n_notices: a notice lost to memory exhaustion is by design */
    for (i = 0; i < m->n_codes; i++) {
        fold_str(m->codes[i].name);
        fold_str(m->codes[i].description);
        fold_int(m->codes[i].parent);
    }
    for (i = 0; i < m->n_sources; i++)
        fold(m->sources[i].text, m->sources[i].text_len);
    for (i = 0; i < m->n_selections; i++) {
        fold_int((int64_t)m->selections[i].byte_start);
        fold_int((int64_t)m->selections[i].byte_end);
    }
}

/* ------------------------------------------------------------------ */
/* Reads: into memory only                                              */

static unsigned char *file_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static unsigned char *bytes;
static size_t n_bytes;

static int read_corpus(quarry_format format, quarry_segment segment,
                       char *why, size_t cap)
{
    static const char pre[] = "{\"id\": \"pre\", \"text\": \"kept\"}\n";
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_read_options jo = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = NULL;
    int rc;
    jo.format = QUARRY_FORMAT_JSONL;
    ro.format = format;
    ro.segment = segment;
    if (quarry_corpus_new(&c) != 0 ||
        quarry_corpus_read_buffer(c, pre, strlen(pre), "pre.jsonl", &jo) != 0)
        abort();
    quarry_corpus_set_threads(c, 1);
    arm();
    rc = quarry_corpus_read_buffer(c, (const char *)bytes, n_bytes, input,
                                   &ro);
    disarm();
    if (rc != 0 && quarry_corpus_size(c) != 1) {
        snprintf(why, cap, "a failed read kept %zu excerpts (want 1): %s",
                 quarry_corpus_size(c), quarry_corpus_errmsg(c));
        rc = 1000;
    } else if (rc != 0) {
        snprintf(why, cap, "%s", quarry_corpus_errmsg(c));
    } else {
        size_t i;
        int32_t k;
        for (i = 0; i < quarry_corpus_size(c); i++) {
            const quarry_excerpt *x = quarry_corpus_at(c, i);
            if (getenv("ALLOC_FAIL_DUMP"))
                printf("%s|%s|%s|%s|%lld|%lld|%lld|%d\n", x->id, x->text,
                       x->speaker ? x->speaker : "-", x->attributes,
                       (long long)x->line, (long long)x->start,
                       (long long)x->end, (int)x->n_codes);
            fold_str(x->id);
            fold(x->text, x->text_len);
            fold_str(x->speaker);
            fold_str(x->attributes);
            fold_int(x->line);
            fold_int(x->start);
            fold_int(x->end);
            for (k = 0; k < x->n_codes; k++)
                fold_str(x->codes[k]);
        }
    }
    quarry_corpus_free(c);
    return rc;
}

static int op_jsonl(char *why, size_t cap)
{
    return read_corpus(QUARRY_FORMAT_JSONL, QUARRY_SEGMENT_TURN, why, cap);
}

static int op_csv(char *why, size_t cap)
{
    return read_corpus(QUARRY_FORMAT_CSV, QUARRY_SEGMENT_TURN, why, cap);
}

static int op_transcript(char *why, size_t cap)
{
    return read_corpus(QUARRY_FORMAT_TRANSCRIPT, QUARRY_SEGMENT_SENTENCE, why,
                       cap);
}

static int op_codebook(char *why, size_t cap)
{
    quarry_codebook *cb = NULL;
    int rc;
    arm();
    rc = codebook_parse(&cb, fuzz_engine(), (const char *)bytes, n_bytes,
                            "small.json");
    disarm();
    if (rc != 0) {
        snprintf(why, cap, "%s", quarry_engine_errmsg(fuzz_engine()));
    } else {
        int32_t i;
        for (i = 0; i < quarry_codebook_size(cb); i++) {
            char *text = codebook_entry_text(&cb->codes[i]);
            fold_str(quarry_codebook_id(cb, i));
            fold_int(quarry_codebook_is_theme(cb, i));
            fold_str(text);
            free(text);
        }
    }
    quarry_codebook_free(cb);
    return rc;
}

static int op_qde(char *why, size_t cap)
{
    quarry_refi_options o = fuzz_refi_options();
    refi_model m;
    int rc;
    refi_model_init(&m);
    arm();
    rc = refi_read_qde_buffer(&m, (const char *)bytes, n_bytes, "inline.qde",
                              NULL, &o);
    disarm();
    if (rc != 0)
        snprintf(why, cap, "%s", m.errmsg);
    else
        fold_model(&m);
    refi_model_free(&m);
    return rc;
}

static int op_qdc(char *why, size_t cap)
{
    quarry_refi_options o = fuzz_refi_options();
    refi_model m;
    int rc;
    refi_model_init(&m);
    arm();
    rc = refi_read_qdc_buffer(&m, (const char *)bytes, n_bytes, "codebook.qdc",
                              &o);
    disarm();
    if (rc != 0)
        snprintf(why, cap, "%s", m.errmsg);
    else
        fold_model(&m);
    refi_model_free(&m);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Imports: into a fresh copy of the template project                   */

static int import_jsonl(quarry_project *p)
{
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    io.add_codes = 1;
    return quarry_project_import(p, input, &io, NULL);
}

static int import_qdpx(quarry_project *p)
{
    quarry_refi_options o = fuzz_refi_options();
    return quarry_project_import_qdpx(p, input, &o, NULL);
}

/* The same archive as bytes, as the web page sends it. */
static int import_qdpx_bytes(quarry_project *p)
{
    quarry_refi_options o = fuzz_refi_options();
    return quarry_project_import_qdpx_buffer(p, "small.qdpx", bytes, n_bytes,
                                             &o, NULL);
}

static int import_qdc(quarry_project *p)
{
    quarry_refi_options o = fuzz_refi_options();
    return quarry_project_import_qdc(p, input, &o, NULL, NULL);
}

static int import_codebook(quarry_project *p)
{
    return quarry_project_codebook_import(p, fuzz_engine(), input, NULL, NULL);
}

static int apply_decisions(quarry_project *p)
{
    return quarry_project_apply_decisions(p, input, "fuzzer", NULL);
}

static int (*project_op)(quarry_project *p);
static long still_open;

static int op_project(char *why, size_t cap)
{
    quarry_project_counts before, after, reopened;
    quarry_project *p = fuzz_project_file();
    char path[4400];
    int rc;
    if (p == NULL || fuzz_counts(p, &before) != 0)
        abort();
    arm();
    rc = project_op(p);
    disarm();
    if (rc == 0) {
        if (fuzz_counts(p, &after) != 0)
            abort();
        fold(&after, sizeof after);
        fuzz_project_done(p);
        return 0;
    }
    snprintf(why, cap, "%s", quarry_project_errmsg(p));
    /* The handle must not see the failed call's rows: its ROLLBACK is
     * prepared up front, and when even that fails the handle is closed
     * (counting then fails: no project open). */
    if (p->db != NULL && (fuzz_counts(p, &after) != 0 ||
                          memcmp(&after, &before, sizeof after))) {
        still_open++;
        if (rc != 1000)
            snprintf(why, cap, "after a failed call the handle still sees "
                     "its rows (autocommit %d)",
                     sqlite3_get_autocommit(p->db));
        rc = 1000;
    }
    quarry_project_free(p);
    snprintf(path, sizeof path, "%s/p.qry", fuzz_dir());
    if (quarry_project_new(&p) != 0)
        abort();
    if (rc != 1000 && quarry_project_open(p, path, 0) != 0) {
        snprintf(why, cap, "after a failed import the project does not open: "
                 "%s", quarry_project_errmsg(p));
        rc = 1000;
    } else if (rc != 1000 && (fuzz_counts(p, &reopened) != 0 ||
                              memcmp(&reopened, &before, sizeof before))) {
        snprintf(why, cap, "after a failed import the reopened project has "
                 "other rows");
        rc = 1000;
    }
    fuzz_project_done(p);
    return rc;
}

/* ------------------------------------------------------------------ */

typedef struct fcase {
    const char *name;
    const char *file; /* under SOURCE_ROOT */
    int (*op)(char *why, size_t cap);
    int (*project_op)(quarry_project *p);
    size_t max_block; /* largest allocation of the clean run (0: any) */
} fcase;

static const fcase cases[] = {
    {"read-jsonl", "tests/data/readers/good.jsonl", op_jsonl, NULL, 65536},
    {"read-csv", "tests/data/readers/good.csv", op_csv, NULL, 0},
    {"read-transcript", "tests/data/readers/interview.txt", op_transcript,
     NULL, 0},
    {"read-docx", "tests/data/transcripts/otter.docx", op_transcript, NULL,
     0},
    {"read-utf16", "tests/data/transcripts/labels-utf16.txt", op_transcript,
     NULL, 0},
    {"read-odt", "tests/data/transcripts/handtyped.odt", op_transcript, NULL,
     0},
    {"read-codebook", "tests/fuzz/corpus/codebook/small.json", op_codebook,
     NULL, 0},
    {"read-qde", "tests/fuzz/corpus/qde/inline.qde", op_qde, NULL, 0},
    {"read-qdc", "tests/fuzz/corpus/qdc/refi-codebook.qdc", op_qdc, NULL, 0},
    {"import-jsonl", "tests/data/project/new.jsonl", op_project,
     import_jsonl, 0},
    {"import-qdpx", "tests/fuzz/corpus/qdpx/small.qdpx", op_project,
     import_qdpx, 0},
    {"import-qdpx-bytes", "tests/fuzz/corpus/qdpx/small.qdpx", op_project,
     import_qdpx_bytes, 0},
    {"import-qdpx-passage", "tests/fuzz/corpus/qdpx/passage.qdpx",
     op_project, import_qdpx, 0},
    {"import-qdc", "tests/fuzz/corpus/qdc/small.qdc", op_project,
     import_qdc, 0},
    {"import-codebook", "tests/fuzz/corpus/codebook/small.json", op_project,
     import_codebook, 0},
    {"apply-decisions", "tests/fuzz/corpus/decisions/one.jsonl", op_project,
     apply_decisions, 0},
};

/* Run one case for every failure point; 0 when every run kept its
 * promises. */
static int run(const fcase *fc)
{
    char why[2048];
    uint64_t want;
    long lib_wrong[2] = {0, 0};
    char lib_first[2][64] = {"", ""};
    const char *by;
    long total, n, only, failed[2] = {0, 0}, survived[2] = {0, 0};
    int rc, bad = 0, s, keep_going;
    snprintf(input, sizeof input, "%s/%s", root, fc->file);
    free(bytes);
    bytes = file_bytes(input, &n_bytes);
    if (bytes == NULL) {
        printf("%s: cannot read %s\n", fc->name, input);
        return 1;
    }
    project_op = fc->project_op;
    still_open = 0;
    nth = 0;
    sticky = 0;
    why[0] = '\0';
    fp = 14695981039346656037ULL;
    rc = fc->op(why, sizeof why);
    total = count;
    want = fp;
    if (rc != 0) {
        printf("%s: fails without any injected failure: %s\n", fc->name,
               why);
        return 1;
    }
    /* A small file is read with small buffers (the JSONL reader once
     * asked for two batches of 8192 lines, 1.6 MB, for one line). */
    if (fc->max_block > 0 && failalloc_largest() > fc->max_block) {
        printf("%s: asked for a block of %zu bytes (at most %zu for this "
               "small input); FAILED\n",
               fc->name, failalloc_largest(), fc->max_block);
        return 1;
    }
    only = getenv("ALLOC_FAIL_ONLY") ? atol(getenv("ALLOC_FAIL_ONLY")) : 0;
    keep_going = getenv("ALLOC_FAIL_ALL") != NULL;
    for (s = 0; s < 2 && (!bad || keep_going); s++) {
        /* Every failure point with one failing; with all failing from
         * the Nth on, every 4th for the imports (their runs are slower and
         * neighbouring points end in the same cleanup). */
        long step = s == 1 && fc->project_op != NULL && !only ? STICKY_STEP
                                                              : 1;
        for (n = only ? only : 1;
             n <= (only ? only : total) && (!bad || keep_going); n += step) {
            nth = n;
            sticky = s;
            why[0] = '\0';
            fp = 14695981039346656037ULL;
            rc = fc->op(why, sizeof why);
            by = failalloc_fired();
            if (rc == 0 && fp != want && by != NULL &&
                strcmp(by, "quarry") != 0 && strcmp(by, "libxml2") != 0) {
                /* The library's own bug (jansson drops a byte of a
                 * string when its buffer cannot grow): noted, not
                 * failed. */
                if (lib_wrong[s]++ == 0)
                    snprintf(lib_first[s], sizeof lib_first[s],
                             "first at allocation %ld, in %s", n, by);
            } else if (rc == 0 && fp != want) {
                /* libxml2 may hand back a tree with text missing after
                 * running out of memory: the reader must notice. */
                snprintf(why, sizeof why, "completed with another result%s%s",
                         by ? " after a failure in " : "", by ? by : "");
                rc = 1000;
            }
            if (rc == 1000) {
                printf("%s: allocation %ld of %ld failed%s: %s\n", fc->name,
                       n, total, s ? " (and all after)" : "", why);
                bad = 1;
            } else if (rc != 0) {
                failed[s]++;
            } else {
                survived[s]++;
            }
        }
    }
    printf("%s: %ld allocations; one failing: %ld refused, %ld "
           "completed; all failing from the Nth on: %ld refused, %ld "
           "completed%s\n",
           fc->name, total, failed[0], survived[0], failed[1], survived[1],
           bad ? "; FAILED" : "");
    if (still_open > 0)
        printf("  note: %ld failed runs left their transaction open on the "
               "handle (its ROLLBACK failed too)\n", still_open);
    for (s = 0; s < 2; s++)
        if (lib_wrong[s] > 0)
            printf("  note: %ld runs%s completed with another result after "
                   "a failure inside a library (%s)\n",
                   lib_wrong[s], s ? " (all failing from the Nth on)" : "",
                   lib_first[s]);
    return bad;
}

int main(int argc, char **argv)
{
    size_t i;
    int bad = 0, k;
    if (argc < 2) {
        fprintf(stderr, "usage: alloc_fail SOURCE_ROOT [CASE...]\n");
        return 2;
    }
    root = argv[1];
    if (failalloc_install() != 0 || fuzz_engine() == NULL) {
        fprintf(stderr, "alloc_fail: cannot install the allocator hooks\n");
        return 2;
    }
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        int chosen = argc == 2;
        for (k = 2; k < argc; k++)
            chosen |= strcmp(argv[k], cases[i].name) == 0;
        if (chosen)
            bad |= run(&cases[i]);
    }
    free(bytes);
    /* The library never prints: every libxml2 message goes to the
     * reader's handle, none to the process's handler (stderr). */
    if (failalloc_xml_messages() > 0) {
        printf("libxml2 printed %ld messages past quarry's handlers (on "
               "stderr outside this test); FAILED\n",
               failalloc_xml_messages());
        bad = 1;
    }
    return bad;
}
