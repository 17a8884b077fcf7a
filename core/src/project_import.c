/*
 * project_import.c -- excerpts and codebooks into a project, and the
 * project's excerpts and codebook back out for the engine: corpora built
 * through the JSONL reader, so they carry exactly what an imported file
 * would, and a quarry_codebook parsed from the stored codes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codebook.h"
#include "engine.h"
#include "project_db.h"

/* The whole file, for a source whose text is kept (transcripts). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    int err = 0;
    if (f == NULL)
        return NULL;
    if (quarry_slurp(f, &buf, len, &err) != 0)
        buf = NULL;
    fclose(f);
    return buf;
}

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

static int import_rows(quarry_project *p, const quarry_corpus *c,
                       const char *path, const quarry_import_options *o,
                       quarry_import_stats *stats)
{
    sqlite3_stmt *src = NULL, *exc = NULL, *cod = NULL, *seq = NULL;
    char now[40], hash[65];
    char *text = NULL;
    size_t text_len = 0, i, n = quarry_corpus_size(c);
    int64_t source_id, first_seq = 0, n_codes_before = 0;
    int status = QUARRY_OK;
    const char *fmt = format_name(c);

    project_now(p, now);
    if (strcmp(fmt, "transcript") == 0 && strcmp(path, "-") != 0)
        text = slurp(path, &text_len);
    if (text != NULL)
        project_sha256_hex(text, text_len, hash);
    else
        project_sha256_hex("", 0, hash);

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
    first_seq = sqlite3_column_int64(seq, 0);
    n_codes_before = sqlite3_column_int64(seq, 1);

    src = project_prepare(p, "INSERT INTO sources(name, format, text, sha256,"
                             " imported_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (src == NULL) {
        status = QUARRY_EIO;
        goto done;
    }
    sqlite3_bind_text(src, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(src, 2, fmt, -1, SQLITE_STATIC);
    if (text != NULL)
        sqlite3_bind_blob64(src, 3, text, text_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(src, 3);
    sqlite3_bind_text(src, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(src, 5, now, -1, SQLITE_STATIC);
    if (sqlite3_step(src) != SQLITE_DONE) {
        status = project_db_fail(p, "cannot add the source");
        goto done;
    }
    source_id = sqlite3_last_insert_rowid(p->db);

    exc = project_prepare(p, "INSERT INTO excerpts(xid, source_id, seq, line,"
                             " start, \"end\", speaker, text, attributes)"
                             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    cod = project_prepare(p, "INSERT OR IGNORE INTO codings(excerpt_id,"
                             " code_id, coder_id, origin, made_at)"
                             " VALUES(?1, ?2, ?3, 'imported', ?4)");
    if (exc == NULL || cod == NULL) {
        status = QUARRY_EIO;
        goto done;
    }
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, i);
        int64_t xrow, existing;
        int32_t k;
        status = project_excerpt_id(p, x->id, &existing);
        if (status != QUARRY_OK)
            break;
        if (existing != 0) {
            status = project_fail(p, QUARRY_EDUP,
                                  "%s:%lld: field \"id\": excerpt \"%s\" is "
                                  "already in the project; nothing imported",
                                  path, (long long)x->line, x->id);
            break;
        }
        sqlite3_reset(exc);
        sqlite3_bind_text(exc, 1, x->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(exc, 2, source_id);
        sqlite3_bind_int64(exc, 3, first_seq + (int64_t)i);
        sqlite3_bind_int64(exc, 4, x->line);
        if (x->start >= 0 && text != NULL) {
            sqlite3_bind_int64(exc, 5, x->start);
            sqlite3_bind_int64(exc, 6, x->end);
        } else {
            sqlite3_bind_null(exc, 5);
            sqlite3_bind_null(exc, 6);
        }
        if (x->speaker != NULL)
            sqlite3_bind_text(exc, 7, x->speaker, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(exc, 7);
        sqlite3_bind_text(exc, 8, x->text, (int)x->text_len, SQLITE_STATIC);
        sqlite3_bind_text(exc, 9, x->attributes ? x->attributes : "{}", -1,
                          SQLITE_STATIC);
        if (sqlite3_step(exc) != SQLITE_DONE) {
            status = project_db_fail(p, "cannot add an excerpt");
            break;
        }
        xrow = sqlite3_last_insert_rowid(p->db);
        if (stats)
            stats->excerpts++;
        for (k = 0; k < x->n_codes && status == QUARRY_OK; k++) {
            const char *code = x->codes[k];
            const char *coder = quarry_corpus_attribute(c, i, "coder");
            int64_t code_id, coder_id;
            if (coder == NULL || coder[0] == '\0')
                coder = o->coder ? o->coder : "imported";
            status = project_code_id(p, code, &code_id);
            if (status != QUARRY_OK)
                break;
            if (code_id == 0) {
                if (n_codes_before > 0 && !o->add_codes) {
                    status = project_fail(
                        p, QUARRY_ENOTFOUND,
                        "%s:%lld: field \"code\": unknown code \"%s\" (not "
                        "in the project's codebook; --add-codes adds it); "
                        "nothing imported",
                        path, (long long)x->line, code);
                    break;
                }
                status = add_code(p, code, &code_id);
                if (status != QUARRY_OK)
                    break;
                if (stats)
                    stats->codes++;
            }
            status = project_coder_id(p, coder, &coder_id);
            if (status != QUARRY_OK)
                break;
            sqlite3_reset(cod);
            sqlite3_bind_int64(cod, 1, xrow);
            sqlite3_bind_int64(cod, 2, code_id);
            sqlite3_bind_int64(cod, 3, coder_id);
            sqlite3_bind_text(cod, 4, now, -1, SQLITE_STATIC);
            if (sqlite3_step(cod) != SQLITE_DONE) {
                status = project_db_fail(p, "cannot add a coding");
                break;
            }
            if (stats && sqlite3_changes(p->db) > 0)
                stats->codings++;
        }
    }
done:
    sqlite3_finalize(seq);
    sqlite3_finalize(src);
    sqlite3_finalize(exc);
    sqlite3_finalize(cod);
    free(text);
    return status;
}

int quarry_project_import(quarry_project *p, const char *path,
                          const quarry_import_options *o,
                          quarry_import_stats *stats)
{
    quarry_import_options def = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_import_stats local;
    quarry_corpus *c = NULL;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (path == NULL)
        return project_fail(p, QUARRY_EINVAL, "no file to import");
    if (o == NULL)
        o = &def;
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    status = quarry_corpus_new(&c);
    if (status != QUARRY_OK)
        return project_fail(p, status, "out of memory");
    status = quarry_corpus_read_file(c, path, &o->read);
    if (status != QUARRY_OK) {
        project_fail(p, status, "%s", quarry_corpus_errmsg(c));
        quarry_corpus_free(c);
        return status;
    }
    status = project_begin(p);
    if (status == QUARRY_OK) {
        status = import_rows(p, c, path, o, stats);
        if (status == QUARRY_OK)
            status = project_commit(p);
        else
            project_rollback(p);
    }
    if (status != QUARRY_OK)
        memset(stats, 0, sizeof *stats);
    quarry_corpus_free(c);
    return status;
}

/* ------------------------------------------------------------------ */
/* Codebooks                                                            */

/* ?1 code, ?2 name, ?3 parent, ?4 definition, ?5 include, ?6 exclude,
 * ?7 keywords (JSON), ?8 colour: the same for an update and an insert. */
static void bind_code(sqlite3_stmt *st, const codebook_code *c,
                      const char *keywords)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_TRANSIENT);
    project_bind_text(st, 2, c->name ? c->name : c->id);
    project_bind_text(st, 3, c->parent);
    project_bind_text(st, 4, c->definition);
    project_bind_text(st, 5, c->include);
    project_bind_text(st, 6, c->exclude);
    sqlite3_bind_text(st, 7, keywords, -1, SQLITE_TRANSIENT);
    project_bind_text(st, 8, c->color);
}

/* After an import: every parent exists and no code is its own ancestor. */
static int check_tree(quarry_project *p, const char *path)
{
    sqlite3_stmt *st = project_prepare(
        p, "WITH RECURSIVE up(start, code, depth) AS ("
           " SELECT code, parent, 1 FROM codes WHERE parent IS NOT NULL"
           " UNION ALL SELECT up.start, c.parent, up.depth + 1"
           "  FROM up JOIN codes c ON c.code = up.code"
           "  WHERE c.parent IS NOT NULL AND up.depth < 10000)"
           " SELECT start FROM up WHERE code = start LIMIT 1");
    int status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        status = project_fail(p, QUARRY_EPARSE,
                              "%s: code \"%s\": is its own ancestor with the "
                              "project's codes; nothing imported",
                              path, project_col_text(st, 0));
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, "SELECT code, parent FROM codes c WHERE parent"
                            " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                            " codes q WHERE q.code = c.parent) LIMIT 1");
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        status = project_fail(p, QUARRY_EPARSE,
                              "%s: code \"%s\": parent \"%s\" is not a code",
                              path, project_col_text(st, 0),
                              project_col_text(st, 1));
    sqlite3_finalize(st);
    return status;
}

int quarry_project_codebook_import(quarry_project *p, quarry_engine *e,
                                   const char *path, int32_t *added,
                                   int32_t *updated)
{
    quarry_codebook *cb = NULL;
    sqlite3_stmt *up = NULL, *ins = NULL;
    int32_t i, n_added = 0, n_updated = 0;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    status = quarry_codebook_load(&cb, e, path);
    if (status != QUARRY_OK)
        return project_fail(p, status, "%s", quarry_engine_errmsg(e));
    status = project_begin(p);
    if (status != QUARRY_OK) {
        quarry_codebook_free(cb);
        return status;
    }
    up = project_prepare(p, "UPDATE codes SET name = ?2, parent = ?3,"
                            " definition = ?4, include_note = ?5,"
                            " exclude_note = ?6, keywords = ?7, color = ?8"
                            " WHERE code = ?1");
    ins = project_prepare(p, "INSERT INTO codes(code, name, parent,"
                             " definition, include_note, exclude_note,"
                             " keywords, color, position) VALUES(?1, ?2, ?3,"
                             " ?4, ?5, ?6, ?7, ?8, (SELECT coalesce("
                             "max(position), -1) + 1 FROM codes))");
    if (up == NULL || ins == NULL)
        status = QUARRY_EIO;
    for (i = 0; i < cb->n_codes && status == QUARRY_OK; i++) {
        const codebook_code *c = &cb->codes[i];
        json_t *kw = json_array();
        char *kw_text;
        int32_t k;
        sqlite3_stmt *st;
        for (k = 0; kw != NULL && k < c->n_keywords; k++)
            json_array_append_new(kw, json_string(c->keywords[k]));
        kw_text = kw ? json_dumps(kw, JSON_COMPACT) : NULL;
        json_decref(kw);
        if (kw_text == NULL) {
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        st = up;
        bind_code(st, c, kw_text);
        if (sqlite3_step(st) != SQLITE_DONE) {
            free(kw_text);
            status = project_db_fail(p, "cannot update a code");
            break;
        }
        if (sqlite3_changes(p->db) > 0) {
            n_updated++;
        } else {
            st = ins;
            bind_code(st, c, kw_text);
            if (sqlite3_step(st) != SQLITE_DONE) {
                free(kw_text);
                status = project_db_fail(p, "cannot add a code");
                break;
            }
            n_added++;
        }
        free(kw_text);
    }
    sqlite3_finalize(up);
    sqlite3_finalize(ins);
    if (status == QUARRY_OK)
        status = check_tree(p, path);
    if (status == QUARRY_OK)
        status = project_commit(p);
    else
        project_rollback(p);
    quarry_codebook_free(cb);
    if (status == QUARRY_OK) {
        if (added)
            *added = n_added;
        if (updated)
            *updated = n_updated;
    }
    return status;
}

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
           " exclude_note, keywords, color FROM codes ORDER BY position, id");
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
            c->is_theme = 1;
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

int quarry_project_corpus(quarry_project *p, quarry_project_subset which,
                          quarry_corpus **out)
{
    static const char *const where[] = {
        "", " WHERE EXISTS (SELECT 1 FROM codings g WHERE g.excerpt_id = e.id)",
        " WHERE NOT EXISTS (SELECT 1 FROM codings g"
        " WHERE g.excerpt_id = e.id)"};
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
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_loads(project_col_text(st, 3)
                                   ? project_col_text(st, 3) : "{}",
                               0, NULL);
        json_t *codes = json_loads(project_col_text(st, 5), 0, NULL);
        char *line;
        if (o == NULL || !json_is_object(o)) {
            json_decref(o);
            o = json_object();
        }
        json_object_set_new(o, "id", json_string(project_col_text(st, 0)));
        json_object_set_new(o, "text", json_string(project_col_text(st, 1)));
        if (project_col_text(st, 2) != NULL)
            json_object_set_new(o, "speaker",
                                json_string(project_col_text(st, 2)));
        if (codes != NULL && json_array_size(codes) > 0)
            json_object_set_new(o, "code", codes);
        else {
            json_decref(codes);
            json_object_del(o, "code");
        }
        if (json_object_get(o, "source") == NULL)
            json_object_set_new(o, "source",
                                json_string(project_col_text(st, 4)));
        line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (line == NULL ||
            quarry_buf_append(&buf, &len, &cap, line, strlen(line)) != QUARRY_OK ||
            quarry_buf_append(&buf, &len, &cap, "\n", 1) != QUARRY_OK)
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        free(line);
    }
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
