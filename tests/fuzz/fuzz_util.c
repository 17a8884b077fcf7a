/*
 * fuzz_util.c -- the shared part of the fuzz harnesses (fuzz.h): the temp
 * folder, the template project and its fresh copies, the corpus reads.
 *
 * The template is built once per process through the public API (two
 * JSONL imports) plus one run of suggestions written with SQL, so the
 * decisions harness has suggestions to accept, reject and replace without
 * loading any plugin. Its bytes are kept and written out again for every
 * input: each input meets the same project.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "project_db.h"

static char dir[4096];
static unsigned char *tmpl;
static size_t tmpl_len;
static quarry_engine *engine;

static void cleanup(void)
{
    DIR *d;
    struct dirent *ent;
    char path[4400];
    free(tmpl);
    tmpl = NULL;
    quarry_engine_free(engine);
    engine = NULL;
    if (dir[0] == '\0')
        return;
    d = opendir(dir);
    if (d != NULL) {
        while ((ent = readdir(d)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
    dir[0] = '\0';
}

const char *fuzz_dir(void)
{
    const char *base;
    if (dir[0] != '\0')
        return dir;
    base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    snprintf(dir, sizeof dir, "%s/quarry-fuzz-XXXXXX", base);
    if (mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return NULL;
    }
    atexit(cleanup);
    return dir;
}

int fuzz_write(const char *name, const uint8_t *data, size_t size,
               char *path, size_t cap)
{
    const char *d = fuzz_dir();
    FILE *f;
    size_t put;
    if (d == NULL)
        return -1;
    snprintf(path, cap, "%s/%s", d, name);
    f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    put = size ? fwrite(data, 1, size, f) : 0;
    if (fclose(f) != 0 || put != size)
        return -1;
    return 0;
}

static const char coded_jsonl[] =
    "{\"id\": \"A1\", \"speaker\": \"P1\", \"text\": \"The peer workers meet "
    "on Fridays and talk.\", \"code\": \"sup.peers\"}\n"
    "{\"id\": \"A2\", \"speaker\": \"P1\", \"text\": \"My supervisor protects "
    "time for reflection.\", \"code\": [\"sup.supervision\", \"sup.peers\"]}\n"
    "{\"id\": \"A3\", \"speaker\": \"P2\", \"text\": \"Some nights I go home "
    "drained.\", \"code\": \"emo.exhaustion\", \"coder\": \"gold\"}\n";

static const char new_jsonl[] =
    "{\"id\": \"B1\", \"speaker\": \"P3\", \"text\": \"We meet after work.\"}\n"
    "{\"id\": \"B2\", \"speaker\": \"P3\", \"text\": \"Exhausted again.\"}\n";

/* One run with a suggestion of every code for every uncoded excerpt. */
static const char suggestions_sql[] =
    "INSERT INTO runs(command, started_at, seconds, quarry_version, plugins,"
    " options, n_train, n_input) VALUES('fuzz', '2026-01-31T12:00:00Z', 0,"
    " '0', '{}', '{}', 3, 2);"
    "INSERT INTO suggestions(run_id, excerpt_id, code_id, rank, score,"
    " confidence, abstain, evidence)"
    " SELECT 1, e.id, c.id, c.id, 0.5, 0.5, 0,"
    " '{\"terms\": [], \"neighbours\": []}'"
    " FROM excerpts e, codes c WHERE e.xid LIKE 'B%';";

static int import_text(quarry_project *p, const char *name, const char *text,
                       const char *coder)
{
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    char path[4400];
    if (fuzz_write(name, (const uint8_t *)text, strlen(text), path,
                   sizeof path) != 0)
        return -1;
    io.coder = coder;
    io.add_codes = 1;
    return quarry_project_import(p, path, &io, NULL);
}

static int slurp(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    *out = malloc((size_t)n);
    if (*out == NULL || fread(*out, 1, (size_t)n, f) != (size_t)n) {
        free(*out);
        *out = NULL;
        fclose(f);
        return -1;
    }
    fclose(f);
    *len = (size_t)n;
    return 0;
}

static int make_template(void)
{
    quarry_project *p = NULL;
    char path[4400];
    int rc;
    const char *d = fuzz_dir();
    if (d == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/template.qry", d);
    unlink(path);
    rc = quarry_project_new(&p);
    if (rc == 0)
        rc = quarry_project_set_time(p, "2026-01-31T12:00:00Z");
    if (rc == 0)
        rc = quarry_project_create(p, path);
    if (rc == 0)
        rc = import_text(p, "coded.jsonl", coded_jsonl, "gold");
    if (rc == 0)
        rc = import_text(p, "new.jsonl", new_jsonl, NULL);
    if (rc == 0)
        rc = project_exec(p, suggestions_sql);
    quarry_project_free(p);
    if (rc == 0)
        rc = slurp(path, &tmpl, &tmpl_len);
    unlink(path);
    return rc;
}

static void need_template(void)
{
    if (tmpl == NULL && make_template() != 0) {
        /* Not the input's fault: the harness itself cannot run. */
        fprintf(stderr, "fuzz: cannot build the template project\n");
        abort();
    }
}

quarry_project *fuzz_project(void)
{
    quarry_project *p = NULL;
    unsigned char *image;
    need_template();
    if (quarry_project_new(&p) != 0)
        return NULL;
    /* What quarry_project_open() leaves (configure() in project.c), on an
     * in-memory copy of the template: no file to write, check and read
     * back for every input. */
    image = sqlite3_malloc64(tmpl_len);
    p->path = strdup("fuzz.qry");
    if (image == NULL || p->path == NULL ||
        sqlite3_open_v2(":memory:", &p->db, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK) {
        sqlite3_free(image);
        quarry_project_free(p);
        return NULL;
    }
    memcpy(image, tmpl, tmpl_len);
    if (sqlite3_deserialize(p->db, "main", image, (sqlite3_int64)tmpl_len,
                            (sqlite3_int64)tmpl_len,
                            SQLITE_DESERIALIZE_FREEONCLOSE |
                                SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK ||
        project_exec(p, "PRAGMA foreign_keys = ON") != 0 ||
        quarry_project_set_time(p, "2026-01-31T12:00:00Z") != 0) {
        quarry_project_free(p);
        return NULL;
    }
    sqlite3_extended_result_codes(p->db, 0);
    return p;
}

quarry_project *fuzz_project_file(void)
{
    quarry_project *p = NULL;
    char path[4400];
    need_template();
    if (fuzz_write("p.qry", tmpl, tmpl_len, path, sizeof path) != 0 ||
        quarry_project_new(&p) != 0)
        return NULL;
    if (quarry_project_open(p, path, 0) != 0 ||
        quarry_project_set_time(p, "2026-01-31T12:00:00Z") != 0) {
        fprintf(stderr, "fuzz: %s\n", quarry_project_errmsg(p));
        abort();
    }
    /* Every input gets a new copy: durability buys nothing here. */
    project_exec(p, "PRAGMA synchronous = OFF");
    return p;
}

void fuzz_project_done(quarry_project *p)
{
    char path[4400];
    quarry_project_free(p);
    if (dir[0] == '\0')
        return;
    snprintf(path, sizeof path, "%s/p.qry", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/p.qry-journal", dir);
    unlink(path);
}

int fuzz_counts(quarry_project *p, quarry_project_counts *out)
{
    return quarry_project_count(p, out);
}

void fuzz_check_unchanged(quarry_project *p, int status,
                          const quarry_project_counts *before)
{
    quarry_project_counts after;
    if (status == 0)
        return;
    if (quarry_project_count(p, &after) != 0 ||
        memcmp(&after, before, sizeof after) != 0) {
        fprintf(stderr, "fuzz: a failed call changed the project: %s\n",
                quarry_project_errmsg(p));
        abort();
    }
}

/* Read every field, so a pointer into freed or unset memory shows. */
static size_t touch(const quarry_corpus *c)
{
    size_t i, n = quarry_corpus_size(c), sum = 0;
    int32_t k;
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, i);
        sum += strlen(x->id) + strlen(x->text) + x->text_len;
        sum += strlen(x->source) + strlen(x->attributes);
        sum += x->speaker ? strlen(x->speaker) : 0;
        for (k = 0; k < x->n_codes; k++)
            sum += strlen(x->codes[k]);
        sum += quarry_corpus_attribute(c, i, "study") != NULL;
    }
    return sum;
}

void fuzz_read_corpus(const uint8_t *data, size_t size, quarry_format format,
                      quarry_segment segment, const char *name)
{
    int variant;
    for (variant = 0; variant < 2; variant++) {
        quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
        quarry_corpus *c = NULL;
        volatile size_t sink;
        ro.format = format;
        ro.segment = segment;
        if (variant == 1) {
            ro.require_code = 1;
            ro.allow_empty = 1;
            ro.max_excerpt_bytes = 64;
            /* A named encoding: the bytes go through iconv first (a
             * .docx or a byte-order mark through decode.c either way). */
            ro.encoding = size % 2 ? "windows-1252" : "utf-16le";
        }
        if (quarry_corpus_new(&c) != 0)
            return;
        quarry_corpus_set_threads(c, 1);
        if (quarry_corpus_read_buffer(c, (const char *)data, size, name,
                                      &ro) == 0)
            sink = touch(c);
        else
            sink = strlen(quarry_corpus_errmsg(c));
        (void)sink;
        quarry_corpus_free(c);
    }
}

quarry_refi_options fuzz_refi_options(void)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    o.external_dir = NULL; /* only what is inside the archive */
    return o;
}

quarry_engine *fuzz_engine(void)
{
    quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
    if (engine != NULL)
        return engine;
    eo.use_default_paths = 0;
    eo.threads = 1;
    if (quarry_engine_new(&engine, &eo) != 0)
        return NULL;
    fuzz_dir(); /* registers the cleanup that frees the engine */
    return engine;
}
