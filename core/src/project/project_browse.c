/*
 * project_browse.c -- read-only views for a page that browses a project
 * (quarry/project_browse.h, the workbench): excerpts filtered and
 * paginated in SQL (LIMIT/OFFSET, so a page of 50 out of 100,000 reads
 * what it shows), facet counts, the codings of one excerpt, the
 * codebook's notes, the counts of a page's header, the excerpts coders disagree on; and
 * quarry_project_share, which switches the file to the write-ahead log
 * and adds the indexes these queries use.
 *
 * The indexes are added by quarry_project_share rather than by a schema
 * upgrade: they change no table, an older quarry ignores them, and a
 * read-only open never has to write them. Without them every query here
 * still answers, only slower on a large project.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "project_db.h"
#include "quarry/project_browse.h"

/* The attribute expressions the filters and facets use: spelled exactly
 * as the indexes below, so that SQLite uses them. */
#define ATTR_PARTICIPANT "json_extract(e.attributes, '$.participant')"
#define ATTR_STUDY "json_extract(e.attributes, '$.study')"

static const char share_indexes[] =
    "BEGIN IMMEDIATE;"
    "CREATE INDEX IF NOT EXISTS excerpts_participant"
    " ON excerpts(json_extract(attributes, '$.participant'));"
    "CREATE INDEX IF NOT EXISTS excerpts_study"
    " ON excerpts(json_extract(attributes, '$.study'));"
    "CREATE INDEX IF NOT EXISTS excerpts_speaker ON excerpts(speaker);"
    "CREATE INDEX IF NOT EXISTS codings_code ON codings(code_id, excerpt_id);"
    "CREATE INDEX IF NOT EXISTS codings_coder"
    " ON codings(coder_id, excerpt_id);"
    "CREATE INDEX IF NOT EXISTS excerpts_seq ON excerpts(seq);"
    "CREATE INDEX IF NOT EXISTS suggestions_run_excerpt"
    " ON suggestions(run_id, excerpt_id, abstain);"
    "CREATE INDEX IF NOT EXISTS suggestions_top"
    " ON suggestions(run_id, rank, confidence);"
    "COMMIT;";

int quarry_project_checkpoint(quarry_project *p)
{
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (sqlite3_wal_checkpoint_v2(p->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                  NULL, NULL) != SQLITE_OK)
        return project_db_fail(p, "cannot write the changes into the file");
    return QUARRY_OK;
}

int quarry_project_share(quarry_project *p, int on)
{
    sqlite3_stmt *st;
    const char *mode;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (!on) {
        /* Leaving WAL needs the file to itself: do not wait for others. */
        sqlite3_busy_timeout(p->db, 0);
        sqlite3_exec(p->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
        sqlite3_busy_timeout(p->db, 5000);
        return QUARRY_OK;
    }
    st = project_prepare(p, "PRAGMA journal_mode = WAL");
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) != SQLITE_ROW) {
        status = project_db_fail(p, "cannot switch to the write-ahead log");
        sqlite3_finalize(st);
        return status;
    }
    mode = project_col_text(st, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0)
        status = project_fail(p, QUARRY_EIO,
                              "%s: cannot switch to the write-ahead log "
                              "(the file system may not support it; "
                              "journal mode %s)",
                              p->path, mode ? mode : "unknown");
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        return status;
    if (sqlite3_exec(p->db, share_indexes, NULL, NULL, NULL) != SQLITE_OK) {
        status = project_db_fail(p, "cannot add the browsing indexes");
        sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return status;
}

/* ---- excerpts, filtered and paginated ----------------------------------- */

/* Text as the search compares it: case folded (any script: "CAFÉ" is
 * "café"), accents off ("cafe" finds "café"), and Word's curly quotes and
 * apostrophes as typed ("don't" finds "don’t"). malloc'ed; NULL when out
 * of memory or s is not UTF-8 (then compared as it is). */
static char *fold(const char *s, size_t n)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t k, i, j = 0;
    k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
                     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                         UTF8PROC_COMPOSE);
    if (k < 0)
        return NULL;
    for (i = 0; i < k; i++) {
        /* U+2018, U+2019, U+02BC -> '; U+201C, U+201D -> " */
        if (i + 2 < k && out[i] == 0xE2 && out[i + 1] == 0x80 &&
            (out[i + 2] == 0x98 || out[i + 2] == 0x99)) {
            out[j++] = '\'';
            i += 2;
        } else if (i + 2 < k && out[i] == 0xE2 && out[i + 1] == 0x80 &&
                   (out[i + 2] == 0x9C || out[i + 2] == 0x9D)) {
            out[j++] = '"';
            i += 2;
        } else if (i + 1 < k && out[i] == 0xCA && out[i + 1] == 0xBC) {
            out[j++] = '\'';
            i += 1;
        } else {
            out[j++] = out[i];
        }
    }
    out[j] = '\0';
    return (char *)out;
}

static void sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char *f;
    (void)argc;
    if (s == NULL) {
        sqlite3_result_null(cx);
        return;
    }
    f = fold(s, (size_t)sqlite3_value_bytes(argv[0]));
    if (f == NULL)
        sqlite3_result_value(cx, argv[0]);
    else
        sqlite3_result_text(cx, f, -1, free);
}

/* " WHERE ..." for f into buf: each filter set adds its condition, bound
 * as ?1 code, ?2 source, ?3 participant, ?4 study, ?5 speaker, ?6 coder,
 * ?7 the text pattern. */
static void browse_where(const quarry_browse_filter *f, char *buf, size_t cap)
{
    size_t n = 0;
    const char *and = " WHERE ";
#define ADD(cond)                                                             \
    do {                                                                      \
        n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", and,    \
                              cond);                                          \
        and = " AND ";                                                        \
    } while (0)
    buf[0] = '\0';
    /* A code and every code under it: a theme finds what its codes
     * hold, as NVivo's parent nodes do. */
#define SUBTREE                                                               \
    "(WITH RECURSIVE sub(c) AS (SELECT ?1 UNION SELECT k.code FROM codes k"   \
    " JOIN sub ON k.parent = sub.c) SELECT id FROM codes WHERE code IN"       \
    " (SELECT c FROM sub))"
    if (f->code != NULL && f->coder != NULL)
        ADD("e.id IN (SELECT g.excerpt_id FROM codings g"
            " WHERE g.code_id IN " SUBTREE
            " AND g.coder_id = (SELECT id FROM coders WHERE name = ?6))");
    else if (f->code != NULL)
        ADD("e.id IN (SELECT g.excerpt_id FROM codings g"
            " WHERE g.code_id IN " SUBTREE ")");
#undef SUBTREE
    else if (f->coder != NULL)
        ADD("e.id IN (SELECT g.excerpt_id FROM codings g"
            " WHERE g.coder_id = (SELECT id FROM coders WHERE name = ?6))");
    if (f->source != NULL)
        ADD("e.source_id IN (SELECT s.id FROM sources s WHERE s.name = ?2"
            " OR (length(s.name) > length(?2) AND"
            " substr(s.name, -length(?2) - 1) IN ('/' || ?2, '\\' || ?2)))");
    if (f->participant != NULL)
        ADD(ATTR_PARTICIPANT " = ?3");
    if (f->study != NULL)
        ADD(ATTR_STUDY " = ?4");
    if (f->speaker != NULL)
        ADD("e.speaker = ?5");
    if (f->q != NULL)
        ADD("instr(quarry_fold(e.text), ?7) > 0");
#undef ADD
}

static void browse_bind(sqlite3_stmt *st, const quarry_browse_filter *f,
                        const char *pattern)
{
    if (f->code != NULL)
        sqlite3_bind_text(st, 1, f->code, -1, SQLITE_STATIC);
    if (f->source != NULL)
        sqlite3_bind_text(st, 2, f->source, -1, SQLITE_STATIC);
    if (f->participant != NULL)
        sqlite3_bind_text(st, 3, f->participant, -1, SQLITE_STATIC);
    if (f->study != NULL)
        sqlite3_bind_text(st, 4, f->study, -1, SQLITE_STATIC);
    if (f->speaker != NULL)
        sqlite3_bind_text(st, 5, f->speaker, -1, SQLITE_STATIC);
    if (f->coder != NULL)
        sqlite3_bind_text(st, 6, f->coder, -1, SQLITE_STATIC);
    if (pattern != NULL)
        sqlite3_bind_text(st, 7, pattern, -1, SQLITE_STATIC);
}

/* The codings of row id, copied (they must outlive the statement's
 * steps): *out an array of *n with the strings after it in one block. */
typedef struct coding_list {
    quarry_coding_view *v;
    int32_t n, cap;
    char **strs;
    size_t n_strs, cap_strs;
} coding_list;

static void coding_list_clear(coding_list *l)
{
    size_t i;
    for (i = 0; i < l->n_strs; i++)
        free(l->strs[i]);
    l->n_strs = 0;
    l->n = 0;
}

static void coding_list_free(coding_list *l)
{
    coding_list_clear(l);
    free(l->strs);
    free(l->v);
}

static const char *coding_list_dup(coding_list *l, const char *s, int *oom)
{
    char *d;
    if (s == NULL)
        return NULL;
    if (l->n_strs == l->cap_strs) {
        size_t cap = l->cap_strs ? 2 * l->cap_strs : 32;
        char **g = realloc(l->strs, cap * sizeof *g);
        if (g == NULL) {
            *oom = 1;
            return NULL;
        }
        l->strs = g;
        l->cap_strs = cap;
    }
    d = strdup(s);
    if (d == NULL) {
        *oom = 1;
        return NULL;
    }
    l->strs[l->n_strs++] = d;
    return d;
}

static const char codings_sql[] =
    "SELECT k.code, k.name, c.name, g.origin, g.made_at, g.span_start,"
    " g.span_end, " PROJECT_PASSAGE_SQL("g", "e") " FROM codings g"
    " JOIN excerpts e ON e.id = g.excerpt_id"
    " JOIN codes k ON k.id = g.code_id JOIN coders c ON c.id = g.coder_id"
    " WHERE g.excerpt_id = ?1 ORDER BY k.position, c.name";

/* Read the codings of excerpt row into l with st (codings_sql, reset
 * here). */
static int read_codings(quarry_project *p, sqlite3_stmt *st, int64_t row,
                        coding_list *l)
{
    int rc, oom = 0;
    coding_list_clear(l);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, row);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        quarry_coding_view *c;
        if (l->n == l->cap) {
            int32_t cap = l->cap ? 2 * l->cap : 8;
            quarry_coding_view *g = realloc(l->v, (size_t)cap * sizeof *g);
            if (g == NULL)
                return project_fail(p, QUARRY_ENOMEM, "out of memory");
            l->v = g;
            l->cap = cap;
        }
        c = &l->v[l->n++];
        c->code = coding_list_dup(l, project_col_text(st, 0), &oom);
        c->name = coding_list_dup(l, project_col_text(st, 1), &oom);
        c->coder = coding_list_dup(l, project_col_text(st, 2), &oom);
        c->origin = coding_list_dup(l, project_col_text(st, 3), &oom);
        c->time = coding_list_dup(l, project_col_text(st, 4), &oom);
        c->span_start = sqlite3_column_int64(st, 5);
        c->span_end = sqlite3_column_int64(st, 6);
        c->passage = coding_list_dup(l, project_col_text(st, 7), &oom);
        if (oom)
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    if (rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the codings");
    return QUARRY_OK;
}

typedef struct browse_cb {
    quarry_project *p;
    sqlite3_stmt *cst, *mst; /* an excerpt's codings (codings_sql), memos */
    coding_list codings;
    int (*fn)(void *ctx, const quarry_browse_row *r);
    void *ctx;
} browse_cb;

static int browse_row(sqlite3_stmt *st, void *ctx)
{
    browse_cb *cb = ctx;
    quarry_browse_row r;
    int64_t row = sqlite3_column_int64(st, 0);
    int status;
    memset(&r, 0, sizeof r);
    status = read_codings(cb->p, cb->cst, row, &cb->codings);
    if (status != QUARRY_OK)
        return status;
    sqlite3_reset(cb->mst);
    sqlite3_bind_int64(cb->mst, 1, row);
    if (sqlite3_step(cb->mst) == SQLITE_ROW)
        r.memos = sqlite3_column_int64(cb->mst, 0);
    r.excerpt = project_col_text(st, 1);
    r.source = project_source_base(project_col_text(st, 2));
    r.speaker = project_col_text(st, 3);
    r.participant = project_col_text(st, 4);
    r.study = project_col_text(st, 5);
    r.line = sqlite3_column_int64(st, 6);
    r.text = project_col_text(st, 7);
    r.n_codings = cb->codings.n;
    r.codings = cb->codings.v;
    return cb->fn(cb->ctx, &r);
}

int quarry_project_browse(quarry_project *p, const quarry_browse_filter *f,
                          int64_t *total,
                          int (*fn)(void *ctx, const quarry_browse_row *r),
                          void *ctx)
{
    char where[2048], sql[4096];
    char *pattern = NULL;
    sqlite3_stmt *st = NULL;
    browse_cb cb = {0};
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (f == NULL || fn == NULL || f->version < 1)
        return project_fail(p, QUARRY_EINVAL, "no filter");
    if (f->limit < 1 || f->limit > QUARRY_BROWSE_LIMIT_MAX)
        return project_fail(p, QUARRY_ERANGE,
                            "limit: %d is not between 1 and %d", f->limit,
                            QUARRY_BROWSE_LIMIT_MAX);
    if (f->offset < 0)
        return project_fail(p, QUARRY_ERANGE, "offset: %lld is negative",
                            (long long)f->offset);
    if (f->q != NULL) {
        if ((pattern = fold(f->q, strlen(f->q))) == NULL &&
            (pattern = strdup(f->q)) == NULL)
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        if (sqlite3_create_function(p->db, "quarry_fold", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                    sql_fold, NULL, NULL) != SQLITE_OK) {
            free(pattern);
            return project_db_fail(p, "cannot search the excerpts");
        }
    }
    browse_where(f, where, sizeof where);
    if (total != NULL) {
        *total = 0;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM excerpts e%s", where);
        st = project_prepare(p, sql);
        if (st != NULL)
            browse_bind(st, f, pattern);
        status = project_step_int64(p, st, total, "cannot count the excerpts");
        if (status != QUARRY_OK)
            goto out;
    }
    /* The page's ids first, from an index alone where the filters allow
     * (excerpts_seq: an offset deep in the list skips index entries, not
     * rows of text), then their rows. */
    snprintf(sql, sizeof sql,
             "SELECT e.id, e.xid, s.name, e.speaker, " ATTR_PARTICIPANT ", "
             ATTR_STUDY ", e.line, e.text FROM excerpts e"
             " JOIN sources s ON s.id = e.source_id WHERE e.id IN"
             " (SELECT e.id FROM excerpts e%s ORDER BY e.seq, e.id"
             " LIMIT ?8 OFFSET ?9) ORDER BY e.seq, e.id",
             where);
    st = project_prepare(p, sql);
    cb.cst = project_prepare(p, codings_sql);
    cb.mst =
        project_prepare(p, "SELECT count(*) FROM memos WHERE excerpt_id = ?1");
    if (st == NULL || cb.cst == NULL || cb.mst == NULL) {
        sqlite3_finalize(st);
        status = QUARRY_EIO;
        goto out;
    }
    browse_bind(st, f, pattern);
    sqlite3_bind_int(st, 8, f->limit);
    sqlite3_bind_int64(st, 9, f->offset);
    cb.p = p;
    cb.fn = fn;
    cb.ctx = ctx;
    status = project_walk(p, st, browse_row, &cb, "cannot read the excerpts");
out:
    sqlite3_finalize(cb.cst);
    sqlite3_finalize(cb.mst);
    coding_list_free(&cb.codings);
    free(pattern);
    return status;
}

/* ---- facets --------------------------------------------------------------- */

static const struct {
    const char *facet;
    const char *sql;
} facet_sql[] = {
    {"sources", "SELECT s.name, count(e.id) FROM sources s"
                " JOIN excerpts e ON e.source_id = s.id"
                " GROUP BY s.id ORDER BY s.name"},
    {"participants", "SELECT " ATTR_PARTICIPANT ", count(*) FROM excerpts e"
                     " WHERE " ATTR_PARTICIPANT " IS NOT NULL"
                     " GROUP BY 1 ORDER BY 1"},
    {"studies", "SELECT " ATTR_STUDY ", count(*) FROM excerpts e"
                " WHERE " ATTR_STUDY " IS NOT NULL GROUP BY 1 ORDER BY 1"},
    {"coders", "SELECT c.name, (SELECT count(DISTINCT g.excerpt_id)"
               " FROM codings g WHERE g.coder_id = c.id) FROM coders c"
               " WHERE EXISTS (SELECT 1 FROM codings g"
               " WHERE g.coder_id = c.id) ORDER BY c.name"},
    /* A theme counts what its codes hold, as its filter finds it. */
    {"codes", "SELECT k.code, (WITH RECURSIVE sub(id) AS (SELECT k.id"
              " UNION SELECT c.id FROM codes c JOIN codes pc"
              " ON c.parent = pc.code JOIN sub ON pc.id = sub.id)"
              " SELECT count(DISTINCT g.excerpt_id) FROM codings g"
              " WHERE g.code_id IN (SELECT id FROM sub)) FROM codes k"
              " ORDER BY k.position"},
    {"speakers", "SELECT e.speaker, count(*) FROM excerpts e"
                 " WHERE e.speaker IS NOT NULL AND e.speaker <> ''"
                 " GROUP BY 1 ORDER BY 1"},
};

typedef struct facet_cb {
    int (*fn)(void *ctx, const char *facet, const char *name, int64_t n);
    void *ctx;
    const char *facet;
    int is_source; /* names are sources: without their folders */
} facet_cb;

static int facet_row(sqlite3_stmt *st, void *ctx)
{
    const facet_cb *cb = ctx;
    const char *name = project_col_text(st, 0);
    if (cb->is_source)
        name = project_source_base(name);
    return cb->fn(cb->ctx, cb->facet, name ? name : "",
                  sqlite3_column_int64(st, 1));
}

int quarry_project_facets(quarry_project *p,
                          int (*fn)(void *ctx, const char *facet,
                                    const char *name, int64_t n),
                          void *ctx)
{
    facet_cb cb = {fn, ctx, NULL, 0};
    size_t i;
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    for (i = 0; i < sizeof facet_sql / sizeof facet_sql[0]; i++) {
        cb.facet = facet_sql[i].facet;
        cb.is_source = i == 0;
        status = project_walk(p, project_prepare(p, facet_sql[i].sql),
                              facet_row, &cb, "cannot count the facets");
        if (status != 0)
            return status;
    }
    return QUARRY_OK;
}

/* ---- one excerpt's codings, the codebook's notes, the memo total --------- */

typedef struct view_cb {
    int (*fn)(void *ctx, const quarry_coding_view *c);
    void *ctx;
} view_cb;

static int view_row(sqlite3_stmt *st, void *ctx)
{
    const view_cb *cb = ctx;
    quarry_coding_view c;
    c.code = project_col_text(st, 0);
    c.name = project_col_text(st, 1);
    c.coder = project_col_text(st, 2);
    c.origin = project_col_text(st, 3);
    c.time = project_col_text(st, 4);
    c.span_start = sqlite3_column_int64(st, 5);
    c.span_end = sqlite3_column_int64(st, 6);
    c.passage = project_col_text(st, 7);
    return cb->fn(cb->ctx, &c);
}

int quarry_project_excerpt_codings(quarry_project *p, const char *excerpt,
                                   int (*fn)(void *ctx,
                                             const quarry_coding_view *c),
                                   void *ctx)
{
    sqlite3_stmt *st;
    view_cb cb = {fn, ctx};
    int64_t row = 0;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (excerpt == NULL || fn == NULL)
        return project_fail(p, QUARRY_EINVAL, "no excerpt");
    status = project_excerpt_id(p, excerpt, &row);
    if (status != QUARRY_OK)
        return status;
    if (row == 0)
        return project_fail(p, QUARRY_ENOTFOUND,
                            "no excerpt \"%s\" in the project", excerpt);
    st = project_prepare(p, codings_sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    return project_walk(p, st, view_row, &cb, "cannot read the codings");
}

int quarry_project_excerpt_text(quarry_project *p, const char *excerpt,
                                const char **text)
{
    return quarry_project_passage_text(p, excerpt, -1, -1, text);
}

int quarry_project_passage_text(quarry_project *p, const char *excerpt,
                                int64_t start, int64_t end,
                                const char **text)
{
    sqlite3_stmt *st;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (excerpt == NULL || text == NULL)
        return project_fail(p, QUARRY_EINVAL, "no excerpt");
    if (start >= 0 && end <= start)
        return project_fail(p, QUARRY_EINVAL, "passage %lld-%lld: not a"
                            " passage", (long long)start, (long long)end);
    project_scratch_reset(p);
    *text = NULL;
    st = project_prepare(p, "SELECT CASE WHEN ?2 < 0 THEN text ELSE"
                            " substr(text, ?2 + 1, ?3 - ?2) END"
                            " FROM excerpts WHERE xid = ?1");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, excerpt, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *text = project_scratch_dup(p, project_col_text(st, 0));
        if (*text == NULL)
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    } else if (rc == SQLITE_DONE) {
        status = project_fail(p, QUARRY_ENOTFOUND,
                              "no excerpt \"%s\" in the project", excerpt);
    } else {
        status = project_db_fail(p, "cannot read the excerpt");
    }
    sqlite3_finalize(st);
    return status;
}

typedef struct notes_cb {
    int (*fn)(void *ctx, const quarry_code_notes *n);
    void *ctx;
} notes_cb;

static int notes_row(sqlite3_stmt *st, void *ctx)
{
    const notes_cb *cb = ctx;
    quarry_code_notes n;
    n.code = project_col_text(st, 0);
    n.include = project_col_text(st, 1);
    n.exclude = project_col_text(st, 2);
    n.keywords = project_col_text(st, 3);
    if (n.keywords == NULL)
        n.keywords = "[]";
    return cb->fn(cb->ctx, &n);
}

int quarry_project_code_notes(quarry_project *p,
                              int (*fn)(void *ctx,
                                        const quarry_code_notes *n),
                              void *ctx)
{
    notes_cb cb = {fn, ctx};
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    return project_walk(p,
                        project_prepare(p, "SELECT code, include_note,"
                                           " exclude_note, keywords"
                                           " FROM codes ORDER BY position"),
                        notes_row, &cb, "cannot read the codebook");
}

/* A callback of strings: a coder's name, an excerpt's id and text. */
typedef struct strings_cb {
    int (*fn1)(void *ctx, const char *a);
    int (*fn2)(void *ctx, const char *a, const char *b);
    void *ctx;
} strings_cb;

static int strings_row(sqlite3_stmt *st, void *ctx)
{
    const strings_cb *cb = ctx;
    if (cb->fn1 != NULL)
        return cb->fn1(cb->ctx, project_col_text(st, 0));
    return cb->fn2(cb->ctx, project_col_text(st, 0), project_col_text(st, 1));
}

int quarry_project_coders(quarry_project *p,
                          int (*fn)(void *ctx, const char *name), void *ctx)
{
    strings_cb cb = {fn, NULL, ctx};
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    return project_walk(p,
                        project_prepare(p, "SELECT name FROM coders"
                                           " WHERE kind = 'person'"
                                           " ORDER BY name"),
                        strings_row, &cb, "cannot read the coders");
}

int quarry_project_overview(quarry_project *p, quarry_overview *out)
{
    sqlite3_stmt *st;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (out == NULL)
        return project_fail(p, QUARRY_EINVAL, "no counts");
    memset(out, 0, sizeof *out);
    st = project_prepare(
        p, "SELECT (SELECT count(*) FROM excerpts),"
           " (SELECT count(DISTINCT excerpt_id) FROM codings),"
           " (SELECT count(*) FROM codes),"
           " (SELECT count(*) FROM coders WHERE kind = 'person'),"
           " (SELECT count(*) FROM codings), (SELECT count(*) FROM runs),"
           " (SELECT count(*) FROM memos)");
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->excerpts = sqlite3_column_int64(st, 0);
        out->coded_excerpts = sqlite3_column_int64(st, 1);
        out->codes = sqlite3_column_int64(st, 2);
        out->coders = sqlite3_column_int64(st, 3);
        out->codings = sqlite3_column_int64(st, 4);
        out->runs = sqlite3_column_int64(st, 5);
        out->memos = sqlite3_column_int64(st, 6);
    } else {
        status = project_db_fail(p, "cannot count the project");
    }
    sqlite3_finalize(st);
    return status;
}

/* ---- disagreements -------------------------------------------------------- */

/* Excerpts with codings by two coders or more, one of whose codes some
 * of those coders did not give. */
static const char disagree_from[] =
    " FROM excerpts e JOIN (SELECT g.excerpt_id AS x,"
    "  count(DISTINCT g.coder_id) AS nc FROM codings g"
    "  GROUP BY g.excerpt_id HAVING nc >= 2) d ON e.id = d.x"
    " WHERE EXISTS (SELECT 1 FROM codings h WHERE h.excerpt_id = d.x"
    "  GROUP BY h.code_id HAVING count(DISTINCT h.coder_id) < d.nc)";

int quarry_project_disagreements(quarry_project *p, int64_t offset,
                                 int32_t limit, int64_t *total,
                                 int (*fn)(void *ctx, const char *excerpt,
                                           const char *text),
                                 void *ctx)
{
    char sql[1024];
    sqlite3_stmt *st;
    strings_cb cb = {NULL, fn, ctx};
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    if (limit < 1 || limit > QUARRY_BROWSE_LIMIT_MAX)
        return project_fail(p, QUARRY_ERANGE,
                            "limit: %d is not between 1 and %d", limit,
                            QUARRY_BROWSE_LIMIT_MAX);
    if (offset < 0)
        return project_fail(p, QUARRY_ERANGE, "offset: %lld is negative",
                            (long long)offset);
    if (total != NULL) {
        *total = 0;
        snprintf(sql, sizeof sql, "SELECT count(*)%s", disagree_from);
        status = project_step_int64(p, project_prepare(p, sql), total,
                                    "cannot count the disagreements");
        if (status != QUARRY_OK)
            return status;
    }
    snprintf(sql, sizeof sql,
             "SELECT e.xid, e.text%s ORDER BY e.id LIMIT ?1 OFFSET ?2",
             disagree_from);
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    return project_walk(p, st, strings_row, &cb,
                        "cannot read the disagreements");
}
