/*
 * project_import.c -- excerpts into a project, and the project's
 * excerpts and codebook back out for the engine: corpora built through
 * the JSONL reader, so they carry exactly what an imported file would,
 * and a quarry_codebook parsed from the stored codes. (A codebook file
 * goes in through project_codebook_import.c.)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codebook.h"
#include "corpus.h"
#include "engine.h"
#include "project_db.h"
#include "utf8.h"

static const char *format_name(const quarry_corpus *c)
{
    const quarry_excerpt *x = quarry_corpus_at(c, 0);
    return x != NULL && x->start >= 0 ? "transcript" : "records";
}

static int add_code(quarry_project *p, const char *code, int64_t *id)
{
    sqlite3_stmt *st = project_prepare(
        p, "INSERT INTO codes(code, name, position)"
           " VALUES(?1, ?1, (SELECT coalesce(max(position), -1) + 1"
           " FROM codes))");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        return project_db_fail(p, "cannot add a code");
    }
    sqlite3_finalize(st);
    *id = sqlite3_last_insert_rowid(p->db);
    return QUARRY_OK;
}

/* A source's name for messages and exports: its file name without the
 * folders of the machine that imported it. */
const char *project_source_base(const char *name)
{
    const char *b = name, *q;
    if (name == NULL)
        return NULL;
    for (q = name; *q; q++)
        if ((*q == '/' || *q == '\\') && q[1] != '\0')
            b = q + 1;
    return b;
}

/* Keys an attribute may not take: they are the excerpt's own fields. */
static const char *const reserved_keys[] = {"id", "text", "code", "speaker",
                                            "coder"};

/* Check the "KEY=VALUE" attributes of o before anything is read. */
static int check_attributes(quarry_project *p, const quarry_import_options *o)
{
    size_t i, k;
    if (o->study != NULL &&
        quarry_utf8_check(o->study, strlen(o->study), NULL) != QUARRY_UTF8_OK)
        return project_fail(p, QUARRY_EUTF8, "study: not valid UTF-8");
    if (o->participant != NULL &&
        quarry_utf8_check(o->participant, strlen(o->participant), NULL) !=
            QUARRY_UTF8_OK)
        return project_fail(p, QUARRY_EUTF8, "participant: not valid UTF-8");
    for (i = 0; i < o->n_attributes; i++) {
        const char *a = o->attributes[i];
        if (a != NULL && quarry_utf8_check(a, strlen(a), NULL) != QUARRY_UTF8_OK)
            return project_fail(p, QUARRY_EUTF8,
                                "attribute %zu (KEY=VALUE): not valid UTF-8",
                                i + 1);
    }
    for (i = 0; i < o->n_attributes; i++) {
        const char *a = o->attributes[i];
        const char *eq = a ? strchr(a, '=') : NULL;
        if (eq == NULL)
            return project_fail(p, QUARRY_EINVAL,
                                "attribute \"%s\": give KEY=VALUE",
                                a ? a : "");
        if (eq == a)
            return project_fail(p, QUARRY_EINVAL,
                                "attribute \"%s\": the key (before '=') is "
                                "empty; give KEY=VALUE",
                                a);
        for (k = 0; k < sizeof reserved_keys / sizeof *reserved_keys; k++)
            if (strlen(reserved_keys[k]) == (size_t)(eq - a) &&
                strncmp(a, reserved_keys[k], (size_t)(eq - a)) == 0)
                return project_fail(p, QUARRY_EINVAL,
                                    "attribute \"%s\": \"%s\" is a field of "
                                    "the excerpt, not an attribute",
                                    a, reserved_keys[k]);
    }
    return QUARRY_OK;
}

/* The attributes to store for x: the file's, with o's set over them.
 * *out is NULL when the file's stand as they are; else the caller frees. */
static int merge_attributes(quarry_project *p, const quarry_excerpt *x,
                            const quarry_import_options *o, char **out)
{
    json_t *obj;
    size_t i;
    *out = NULL;
    if (o->study == NULL && o->participant == NULL && o->n_attributes == 0)
        return QUARRY_OK;
    obj = json_loads(x->attributes ? x->attributes : "{}", 0, NULL);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        obj = json_object();
    }
    if (obj == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    if (o->study != NULL)
        json_object_set_new(obj, "study", json_string(o->study));
    if (o->participant != NULL)
        json_object_set_new(obj, "participant", json_string(o->participant));
    for (i = 0; i < o->n_attributes; i++) {
        const char *a = o->attributes[i], *eq = strchr(a, '=');
        json_object_setn_new(obj, a, (size_t)(eq - a), json_string(eq + 1));
    }
    *out = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return *out ? QUARRY_OK : project_fail(p, QUARRY_ENOMEM, "out of memory");
}

/* The excerpt at xrow is already in the project with the attributes
 * stored (check_same_text read them): set those o gives over them;
 * *changed is 1 when that changed them. */
static int retag_excerpt(quarry_project *p, int64_t xrow, const char *stored,
                         const quarry_import_options *o, const char *role,
                         int *changed)
{
    sqlite3_stmt *st;
    quarry_excerpt x;
    json_t *before = NULL, *after = NULL;
    char *merged = NULL;
    int status;
    *changed = 0;
    memset(&x, 0, sizeof x);
    x.attributes = stored;
    before = json_loads(stored ? stored : "{}", 0, NULL);
    status = merge_attributes(p, &x, o, &merged);
    if (status != QUARRY_OK || (merged == NULL && role == NULL))
        goto out;
    after = json_loads(merged ? merged : stored ? stored : "{}", 0, NULL);
    if (after == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    /* --interviewer on a file imported before: the turn's role as this
     * import reads it. */
    if (role != NULL && json_object_get(after, "role") != NULL) {
        char *again;
        if (json_object_set_new(after, "role", json_string(role)) != 0 ||
            (again = json_dumps(after, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
                NULL) {
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        free(merged);
        merged = again;
    }
    if (merged == NULL || (before != NULL && json_equal(before, after)))
        goto out;
    st = project_prepare(p, "UPDATE excerpts SET attributes = ?1"
                            " WHERE id = ?2");
    if (st == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    sqlite3_bind_text(st, 1, merged, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, xrow);
    if (sqlite3_step(st) != SQLITE_DONE)
        status = project_db_fail(p, "cannot change an excerpt's attributes");
    else
        *changed = 1;
    sqlite3_finalize(st);
out:
    json_decref(before);
    json_decref(after);
    free(merged);
    return status;
}

/* Up to 24 bytes of s from byte at (a character boundary), for a message:
 * quoted, "..." around what was cut, line breaks shown as \n. */
static void snippet(const char *s, size_t len, size_t at, char *buf,
                    size_t cap)
{
    size_t from = at > 8 ? at - 8 : 0, n, k = 0, i;
    while (from > 0 && from < len && ((unsigned char)s[from] & 0xC0) == 0x80)
        from--;
    if (at >= len) {
        snprintf(buf, cap, "(the end of the text)");
        return;
    }
    n = quarry_utf8_cut(s + from, len - from, 24);
    if (k + 2 < cap)
        buf[k++] = '"';
    if (from > 0 && k + 4 < cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    for (i = from; i < from + n && k + 6 < cap; i++) {
        if (s[i] == '\n' || s[i] == '\r') {
            buf[k++] = '\\';
            buf[k++] = s[i] == '\n' ? 'n' : 'r';
        } else {
            buf[k++] = s[i];
        }
    }
    if (from + n < len && k + 5 < cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    if (k + 1 < cap)
        buf[k++] = '"';
    buf[k] = '\0';
}

/* The excerpt x is in the project already (row xrow). 0 when its text is
 * the same (a second coder's copy); else refuse, naming both and where
 * they part. */
static int check_same_text(quarry_project *p, const char *path,
                           const quarry_excerpt *x, int64_t xrow,
                           char **attrs)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT e.text, s.name, e.line, e.attributes FROM excerpts e"
           " JOIN sources s ON s.id = e.source_id WHERE e.id = ?1");
    const char *text;
    size_t len, i;
    char here[96], there[96], where[600];
    int status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, xrow);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return project_db_fail(p, "cannot read an excerpt");
    }
    text = (const char *)sqlite3_column_text(st, 0);
    len = (size_t)sqlite3_column_bytes(st, 0);
    if (len == x->text_len && memcmp(text, x->text, len) == 0) {
        /* The same: its stored attributes, when the caller sets some. */
        if (attrs != NULL && sqlite3_column_type(st, 3) != SQLITE_NULL &&
            (*attrs = strdup(project_col_text(st, 3))) == NULL)
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        sqlite3_finalize(st);
        return status;
    }
    for (i = 0; i < len && i < x->text_len && text[i] == x->text[i]; i++)
        ;
    while (i > 0 && ((unsigned char)x->text[i] & 0xC0) == 0x80)
        i--;
    snippet(x->text, x->text_len, i, here, sizeof here);
    snippet(text, len, i, there, sizeof there);
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        snprintf(where, sizeof where, "%s:%lld",
                 project_source_base(project_col_text(st, 1)),
                 (long long)sqlite3_column_int64(st, 2));
    else
        snprintf(where, sizeof where, "%s",
                 project_source_base(project_col_text(st, 1)));
    status = project_fail(
        p, QUARRY_EDUP,
        "%s:%lld: field \"text\": excerpt \"%s\" is already in the project "
        "(from %s) with another text; they differ at character %zu: %s "
        "here, %s in the project; nothing imported (to put this file in "
        "its place while nobody has coded it: quarry source remove PROJECT "
        "%s, then import it again)",
        path, (long long)x->line, x->id, where,
        quarry_utf8_count(x->text, i) + 1, here, there,
        project_source_base(project_col_text(st, 1)));
    sqlite3_finalize(st);
    return status;
}

typedef struct import_ctx {
    quarry_project *p;
    const quarry_corpus *c;
    const char *path;
    const quarry_import_options *o;
    quarry_import_stats *stats;
    sqlite3_stmt *src, *exc, *cod;
    char *text; /* a transcript's bytes, kept as its source */
    size_t text_len;
    int64_t source_id; /* 0 until the first new excerpt */
    int64_t first_seq, n_codes_before;
    char now[40];
} import_ctx;

/* The source row, added with the file's first new excerpt (a file that
 * only brings a second coder's codings adds no source). */
static int add_source(import_ctx *ic)
{
    char hash[65];
    if (ic->source_id != 0)
        return QUARRY_OK;
    if (ic->text != NULL)
        project_sha256_hex(ic->text, ic->text_len, hash);
    else
        project_sha256_hex("", 0, hash);
    sqlite3_bind_text(ic->src, 1, ic->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(ic->src, 2, format_name(ic->c), -1, SQLITE_STATIC);
    if (ic->text != NULL)
        sqlite3_bind_blob64(ic->src, 3, ic->text, ic->text_len,
                            SQLITE_STATIC);
    else
        sqlite3_bind_null(ic->src, 3);
    sqlite3_bind_text(ic->src, 4, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ic->src, 5, ic->now, -1, SQLITE_STATIC);
    if (sqlite3_step(ic->src) != SQLITE_DONE)
        return project_db_fail(ic->p, "cannot add the source");
    ic->source_id = sqlite3_last_insert_rowid(ic->p->db);
    return QUARRY_OK;
}

static int add_excerpt(import_ctx *ic, size_t i, int64_t *xrow)
{
    const quarry_excerpt *x = quarry_corpus_at(ic->c, i);
    sqlite3_stmt *exc = ic->exc;
    char *attrs = NULL;
    int status = add_source(ic);
    if (status == QUARRY_OK)
        status = merge_attributes(ic->p, x, ic->o, &attrs);
    if (status != QUARRY_OK)
        return status;
    sqlite3_reset(exc);
    sqlite3_bind_text(exc, 1, x->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(exc, 2, ic->source_id);
    sqlite3_bind_int64(exc, 3, ic->first_seq + (int64_t)i);
    sqlite3_bind_int64(exc, 4, x->line);
    if (x->start >= 0 && ic->text != NULL) {
        sqlite3_bind_int64(exc, 5, x->start);
        sqlite3_bind_int64(exc, 6, x->end);
    } else {
        sqlite3_bind_null(exc, 5);
        sqlite3_bind_null(exc, 6);
    }
    project_bind_text(exc, 7, x->speaker);
    sqlite3_bind_text(exc, 8, x->text, (int)x->text_len, SQLITE_STATIC);
    sqlite3_bind_text(exc, 9,
                      attrs ? attrs
                            : x->attributes ? x->attributes : "{}",
                      -1, SQLITE_TRANSIENT);
    free(attrs);
    if (sqlite3_step(exc) != SQLITE_DONE)
        return project_db_fail(ic->p, "cannot add an excerpt");
    *xrow = sqlite3_last_insert_rowid(ic->p->db);
    ic->stats->excerpts++;
    return QUARRY_OK;
}

/* A code given by its name rather than its id, as spreadsheets exported
 * from other tools often give it: the one code of that name (ignoring
 * case, project_code_by_name), 0 when none; two codes of one name refuse
 * the file, naming its line. */
static int code_by_name(import_ctx *ic, const quarry_excerpt *x,
                        const char *name, int64_t *id)
{
    char *code = NULL;
    int status = project_code_by_name(ic->p, "code", name, &code);
    *id = 0;
    if (status == QUARRY_OK && code != NULL)
        status = project_code_id(ic->p, code, id);
    else if (status != QUARRY_OK && status != QUARRY_ENOMEM &&
             status != QUARRY_EIO) {
        char why[512]; /* the message, with the file and line first */
        snprintf(why, sizeof why, "%s", quarry_project_errmsg(ic->p));
        status = project_fail(ic->p, QUARRY_EPARSE, "%s:%lld: %s; nothing "
                              "imported", ic->path, (long long)x->line, why);
    }
    free(code);
    return status;
}

/* The codings of excerpt i (row xrow) under its coder; one the coder has
 * already is kept once. */
static int add_codings(import_ctx *ic, size_t i, int64_t xrow)
{
    const quarry_excerpt *x = quarry_corpus_at(ic->c, i);
    const char *coder = quarry_corpus_attribute(ic->c, i, "coder");
    int64_t coder_id = 0;
    int32_t k;
    int status = QUARRY_OK, nameless = 0;
    if (coder == NULL || coder[0] == '\0') {
        nameless = ic->o->coder == NULL;
        coder = ic->o->coder ? ic->o->coder : "imported";
    }
    for (k = 0; k < x->n_codes && status == QUARRY_OK; k++) {
        const char *code = x->codes[k];
        int64_t code_id;
        status = project_code_id(ic->p, code, &code_id);
        if (status == QUARRY_OK && code_id == 0 && ic->n_codes_before > 0)
            status = code_by_name(ic, x, code, &code_id);
        if (status != QUARRY_OK)
            break;
        if (code_id == 0) {
            if (ic->n_codes_before > 0 && !ic->o->add_codes)
                return project_fail(
                    ic->p, QUARRY_ENOTFOUND,
                    "%s:%lld: field \"code\": unknown code \"%s\" (not "
                    "in the project's codebook; --add-codes adds it); "
                    "nothing imported",
                    ic->path, (long long)x->line, code);
            status = add_code(ic->p, code, &code_id);
            if (status != QUARRY_OK)
                break;
            ic->stats->codes++;
        }
        if (coder_id == 0)
            status = project_coder_id(ic->p, coder, &coder_id);
        if (status != QUARRY_OK)
            break;
        sqlite3_reset(ic->cod);
        sqlite3_bind_int64(ic->cod, 1, xrow);
        sqlite3_bind_int64(ic->cod, 2, code_id);
        sqlite3_bind_int64(ic->cod, 3, coder_id);
        sqlite3_bind_text(ic->cod, 4, ic->now, -1, SQLITE_STATIC);
        if (sqlite3_step(ic->cod) != SQLITE_DONE)
            return project_db_fail(ic->p, "cannot add a coding");
        if (sqlite3_changes(ic->p->db) > 0) {
            ic->stats->codings++;
            ic->stats->nameless += nameless;
        }
    }
    return status;
}

static int import_rows(quarry_project *p, const quarry_corpus *c,
                       const char *path, const quarry_import_options *o,
                       quarry_import_stats *stats, char *text,
                       size_t text_len)
{
    import_ctx ic;
    sqlite3_stmt *seq = NULL;
    size_t i, n = quarry_corpus_size(c);
    int status = QUARRY_OK;

    memset(&ic, 0, sizeof ic);
    ic.p = p;
    ic.c = c;
    ic.path = path;
    ic.o = o;
    ic.stats = stats;
    project_now(p, ic.now);
    ic.text = text; /* a transcript's text as read, else NULL */
    ic.text_len = text_len;

    seq = project_prepare(p, "SELECT coalesce(max(seq), -1) + 1,"
                             " (SELECT count(*) FROM codes) FROM excerpts");
    if (seq == NULL) {
        status = QUARRY_EIO;
        goto done;
    }
    if (sqlite3_step(seq) != SQLITE_ROW) {
        /* SQLite may have rolled the transaction back (out of memory):
         * going on would write outside it. */
        status = project_db_fail(p, "cannot read the project");
        goto done;
    }
    ic.first_seq = sqlite3_column_int64(seq, 0);
    ic.n_codes_before = sqlite3_column_int64(seq, 1);
    ic.src = project_prepare(p, "INSERT INTO sources(name, format, text,"
                                " sha256, imported_at)"
                                " VALUES(?1, ?2, ?3, ?4, ?5)");
    ic.exc = project_prepare(p, "INSERT INTO excerpts(xid, source_id, seq,"
                                " line, start, \"end\", speaker, text,"
                                " attributes)"
                                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    ic.cod = project_prepare(p, "INSERT OR IGNORE INTO codings(excerpt_id,"
                                " code_id, coder_id, origin, made_at)"
                                " VALUES(?1, ?2, ?3, 'imported', ?4)");
    if (ic.src == NULL || ic.exc == NULL || ic.cod == NULL) {
        status = QUARRY_EIO;
        goto done;
    }
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, i);
        int64_t xrow;
        status = project_excerpt_id(p, x->id, &xrow);
        if (status != QUARRY_OK)
            break;
        if (xrow != 0) {
            int changed = 0,
                retag = o->study != NULL || o->participant != NULL ||
                        o->n_attributes > 0 || o->read.interviewers != NULL;
            char *stored = NULL;
            status = check_same_text(p, path, x, xrow,
                                     retag ? &stored : NULL);
            if (status == QUARRY_OK)
                stats->merged++;
            if (status == QUARRY_OK && retag)
                status = retag_excerpt(
                    p, xrow, stored, o,
                    o->read.interviewers != NULL
                        ? quarry_corpus_attribute(c, i, "role")
                        : NULL,
                    &changed);
            free(stored);
            stats->retagged += changed;
        } else {
            status = add_excerpt(&ic, i, &xrow);
        }
        if (status == QUARRY_OK)
            status = add_codings(&ic, i, xrow);
    }
done:
    sqlite3_finalize(seq);
    sqlite3_finalize(ic.src);
    sqlite3_finalize(ic.exc);
    sqlite3_finalize(ic.cod);
    return status;
}

/* The import of a file (buf NULL: read from path) or of bytes named
 * path. */
static int import_any(quarry_project *p, const char *path, const char *buf,
                      size_t len, const quarry_import_options *o,
                      quarry_import_stats *stats)
{
    quarry_import_options def = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_import_stats local;
    quarry_corpus *c = NULL;
    char *text = NULL;
    size_t text_len = 0;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (path == NULL || path[0] == '\0')
        return project_fail(p, QUARRY_EINVAL, "no file to import");
    if (o == NULL)
        o = &def;
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (o->version < 2) { /* the fields after add_codes are not there */
        def.read = o->read;
        def.coder = o->coder;
        def.add_codes = o->add_codes;
        o = &def;
    }
    status = check_attributes(p, o);
    if (status != QUARRY_OK)
        return status;
    status = quarry_corpus_new(&c);
    if (status != QUARRY_OK)
        return project_fail(p, status, "out of memory");
    status = buf != NULL ? corpus_read_buffer_text(c, buf, len, path,
                                                   &o->read, &text, &text_len)
                         : corpus_read_file_text(c, path, &o->read, &text,
                                                 &text_len);
    if (status != QUARRY_OK) {
        project_fail(p, status, "%s", quarry_corpus_errmsg(c));
        quarry_corpus_free(c);
        return status;
    }
    status = project_begin(p);
    if (status == QUARRY_OK) {
        status = import_rows(p, c, path, o, stats, text, text_len);
        if (status == QUARRY_OK)
            status = project_commit(p);
        else
            project_rollback(p);
    }
    if (status != QUARRY_OK)
        memset(stats, 0, sizeof *stats);
    free(text);
    quarry_corpus_free(c);
    return status;
}

int quarry_project_import(quarry_project *p, const char *path,
                          const quarry_import_options *o,
                          quarry_import_stats *stats)
{
    return import_any(p, path, NULL, 0, o, stats);
}

int quarry_project_import_buffer(quarry_project *p, const char *buf,
                                 size_t len, const char *name,
                                 const quarry_import_options *o,
                                 quarry_import_stats *stats)
{
    if (buf == NULL && len > 0)
        return project_fail(p, QUARRY_EINVAL, "no bytes to import");
    return import_any(p, name, buf != NULL ? buf : "", len, o, stats);
}

/* ------------------------------------------------------------------ */
/* Codebooks                                                            */

static json_t *opt_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int drop_nulls(json_t *codes)
{
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        const char *key;
        void *tmp;
        json_t *v;
        json_object_foreach_safe(c, tmp, key, v)
        {
            if (json_is_null(v) ||
                (json_is_array(v) && json_array_size(v) == 0))
                json_object_del(c, key);
        }
    }
    return 0;
}

/* The stored codes as codebook JSON, in position order. */
static int codebook_json(quarry_project *p, json_t **out, int32_t *n)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT code, name, parent, definition, include_note,"
           " exclude_note, keywords, color, EXISTS (SELECT 1 FROM meta"
           " WHERE key = '" PROJECT_META_CODABLE "' || code AND value = '1')"
           " FROM codes ORDER BY position, id");
    json_t *root = json_object(), *codes = json_array();
    int rc;
    *n = 0;
    *out = NULL;
    if (st == NULL) {
        json_decref(root);
        json_decref(codes);
        return QUARRY_EIO;
    }
    if (root == NULL || codes == NULL) {
        sqlite3_finalize(st);
        json_decref(root);
        json_decref(codes);
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    json_object_set_new(root, "codes", codes);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *c = json_object();
        json_t *kw = json_loads(project_col_text(st, 6)
                                    ? project_col_text(st, 6) : "[]",
                                0, NULL);
        json_object_set_new(c, "id", json_string(project_col_text(st, 0)));
        json_object_set_new(c, "name", opt_json(project_col_text(st, 1)));
        json_object_set_new(c, "parent", opt_json(project_col_text(st, 2)));
        json_object_set_new(c, "definition",
                            opt_json(project_col_text(st, 3)));
        json_object_set_new(c, "include", opt_json(project_col_text(st, 4)));
        json_object_set_new(c, "exclude", opt_json(project_col_text(st, 5)));
        json_object_set_new(c, "keywords", kw ? kw : json_array());
        json_object_set_new(c, "color", opt_json(project_col_text(st, 7)));
        if (sqlite3_column_int(st, 8))
            json_object_set_new(c, "codable", json_true());
        json_array_append_new(codes, c);
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(root);
        return project_db_fail(p, "cannot read the codes");
    }
    *out = root;
    return QUARRY_OK;
}

int quarry_project_codebook_write(quarry_project *p, FILE *out)
{
    json_t *root;
    int32_t n;
    int status = project_check(p, 0);
    if (status != QUARRY_OK || out == NULL)
        return status ? status : QUARRY_EINVAL;
    status = codebook_json(p, &root, &n);
    if (status != QUARRY_OK)
        return status;
    drop_nulls(json_object_get(root, "codes"));
    if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
        fputc('\n', out) == EOF)
        status = project_fail(p, QUARRY_EIO, "cannot write the codebook");
    json_decref(root);
    return status;
}

int quarry_project_codebook(quarry_project *p, quarry_engine *e,
                            quarry_codebook **out)
{
    json_t *root;
    char *text;
    int32_t n;
    int status = project_check(p, 0);
    if (status != QUARRY_OK || out == NULL)
        return status ? status : QUARRY_EINVAL;
    *out = NULL;
    status = codebook_json(p, &root, &n);
    if (status != QUARRY_OK || n == 0) {
        json_decref(root);
        return status;
    }
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    status = codebook_parse(out, e, text, strlen(text), p->path);
    free(text);
    if (status != QUARRY_OK)
        return project_fail(p, status, "%s", quarry_engine_errmsg(e));
    return QUARRY_OK;
}

/* ------------------------------------------------------------------ */
/* Listing codes                                                        */

typedef struct code_row {
    char *id, *name, *parent, *definition, *color;
    int64_t n_codings, n_excerpts;
    int32_t parent_ix, placed;
    int codable;
} code_row;

static void place(code_row *rows, int32_t n, int32_t at, int32_t depth,
                  quarry_project_code *out, int32_t *k)
{
    int32_t j;
    quarry_project_code *c = &out[(*k)++];
    rows[at].placed = 1;
    c->id = rows[at].id;
    c->name = rows[at].name;
    c->parent = rows[at].parent;
    c->definition = rows[at].definition;
    c->color = rows[at].color;
    c->n_codings = rows[at].n_codings;
    c->n_excerpts = rows[at].n_excerpts;
    c->depth = depth;
    c->is_theme = 0;
    for (j = 0; j < n; j++)
        if (rows[j].parent_ix == at && !rows[j].placed) {
            c->is_theme = !rows[at].codable;
            place(rows, n, j, depth + 1, out, k);
        }
}

int quarry_project_codes(quarry_project *p, const quarry_project_code **out,
                         int32_t *n_out)
{
    sqlite3_stmt *st;
    code_row *rows = NULL;
    quarry_project_code *list = NULL;
    int32_t n = 0, cap = 0, i, j, k = 0;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK || out == NULL || n_out == NULL)
        return status ? status : QUARRY_EINVAL;
    project_scratch_reset(p);
    *out = NULL;
    *n_out = 0;
    st = project_prepare(
        p, "SELECT c.code, c.name, c.parent, c.definition, c.color,"
           " (SELECT count(*) FROM codings g WHERE g.code_id = c.id),"
           " (SELECT count(DISTINCT excerpt_id) FROM codings g"
           "  WHERE g.code_id = c.id)"
           " , EXISTS (SELECT 1 FROM meta WHERE key = '"
           PROJECT_META_CODABLE "' || c.code AND value = '1')"
           " FROM codes c ORDER BY c.position, c.id");
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        code_row *r;
        if (n == cap) {
            code_row *grown;
            cap = cap ? 2 * cap : 64;
            grown = realloc(rows, (size_t)cap * sizeof *grown);
            if (grown == NULL) {
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                break;
            }
            rows = grown;
        }
        r = &rows[n++];
        r->id = (char *)project_scratch_dup(p, project_col_text(st, 0));
        r->name = (char *)project_scratch_dup(p, project_col_text(st, 1));
        r->parent = (char *)project_scratch_dup(p, project_col_text(st, 2));
        r->definition =
            (char *)project_scratch_dup(p, project_col_text(st, 3));
        r->color = (char *)project_scratch_dup(p, project_col_text(st, 4));
        r->n_codings = sqlite3_column_int64(st, 5);
        r->n_excerpts = sqlite3_column_int64(st, 6);
        r->codable = sqlite3_column_int(st, 7);
        r->parent_ix = -1;
        r->placed = 0;
    }
    sqlite3_finalize(st);
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codes");
    if (status == QUARRY_OK && n > 0) {
        list = calloc((size_t)n, sizeof *list);
        if (list == NULL)
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    if (status == QUARRY_OK) {
        for (i = 0; i < n; i++)
            for (j = 0; rows[i].parent && j < n; j++)
                if (strcmp(rows[j].id, rows[i].parent) == 0) {
                    rows[i].parent_ix = j;
                    break;
                }
        for (i = 0; i < n; i++)
            if (rows[i].parent_ix < 0 && !rows[i].placed)
                place(rows, n, i, 0, list, &k);
        for (i = 0; i < n; i++) /* unreachable only with a cycle */
            if (!rows[i].placed)
                place(rows, n, i, 0, list, &k);
        p->listing = list;
        *out = list;
        *n_out = k;
    }
    free(rows);
    return status;
}

/* ------------------------------------------------------------------ */
/* Corpora                                                              */

/* project_db.h says what. */
int project_corpus_line(quarry_project *p, char **buf, size_t *len,
                        size_t *cap, const char *xid, const char *text,
                        const char *speaker, const char *attributes,
                        const char *source, json_t *codes)
{
    json_t *o = json_loads(attributes ? attributes : "{}", 0, NULL);
    char *line;
    int status = QUARRY_OK;
    if (o == NULL || !json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_set_new(o, "id", json_string(xid));
    json_object_set_new(o, "text", json_string(text));
    if (speaker != NULL)
        json_object_set_new(o, "speaker", json_string(speaker));
    if (codes != NULL && json_array_size(codes) > 0)
        json_object_set_new(o, "code", codes);
    else {
        json_decref(codes);
        json_object_del(o, "code");
    }
    if (json_object_get(o, "source") == NULL)
        json_object_set_new(o, "source", json_string(source));
    line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (line == NULL ||
        quarry_buf_append(buf, len, cap, line, strlen(line)) != QUARRY_OK ||
        quarry_buf_append(buf, len, cap, "\n", 1) != QUARRY_OK)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    free(line);
    return status;
}

int quarry_project_corpus(quarry_project *p, quarry_project_subset which,
                          quarry_corpus **out)
{
    static const char *const where[] = {
        "", " WHERE EXISTS (SELECT 1 FROM codings g WHERE g.excerpt_id = e.id)",
        (" WHERE NOT EXISTS (SELECT 1 FROM codings g"
         " WHERE g.excerpt_id = e.id)")};
    char sql[1024];
    sqlite3_stmt *st;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK || out == NULL)
        return status ? status : QUARRY_EINVAL;
    *out = NULL;
    if ((int)which < 0 || (int)which > 2)
        return project_fail(p, QUARRY_EINVAL, "unknown subset");
    snprintf(sql, sizeof sql,
             "SELECT e.xid, e.text, e.speaker, e.attributes, s.name,"
             " (SELECT json_group_array(code) FROM (SELECT DISTINCT k.code"
             "  FROM codings g JOIN codes k ON k.id = g.code_id"
             "  WHERE g.excerpt_id = e.id ORDER BY k.position, k.id))"
             " FROM excerpts e JOIN sources s ON s.id = e.source_id%s"
             " ORDER BY e.seq, e.id",
             where[which]);
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        status = project_corpus_line(
            p, &buf, &len, &cap, project_col_text(st, 0),
            project_col_text(st, 1), project_col_text(st, 2),
            project_col_text(st, 3), project_col_text(st, 4),
            json_loads(project_col_text(st, 5), 0, NULL));
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the excerpts");
    sqlite3_finalize(st);
    if (status == QUARRY_OK)
        status = project_corpus_jsonl(p, buf, len, out);
    free(buf);
    return status;
}

int project_corpus_jsonl(quarry_project *p, const char *buf, size_t len,
                         quarry_corpus **out)
{
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = NULL;
    int status = quarry_corpus_new(&c);
    *out = NULL;
    if (status != QUARRY_OK)
        return project_fail(p, status, "out of memory");
    if (len > 0) {
        ro.format = QUARRY_FORMAT_JSONL;
        ro.allow_empty = 1;
        ro.display_name = p->path;
        status = quarry_corpus_read_buffer(c, buf, len, p->path, &ro);
        if (status != QUARRY_OK) {
            project_fail(p, status, "%s", quarry_corpus_errmsg(c));
            quarry_corpus_free(c);
            return status;
        }
    }
    *out = c;
    return QUARRY_OK;
}
