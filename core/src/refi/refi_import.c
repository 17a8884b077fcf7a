/*
 * refi_import.c -- a REFI-QDA project or codebook into a quarry project
 * (quarry_project_import_qdpx, quarry_project_import_qdc in quarry/refi.h).
 *
 * The file is read whole into a refi_model first (refi_read.c), so a
 * malformed file never reaches the database; then everything is stored in
 * one transaction, rolled back on any failure. Selections become excerpts
 * keyed by span: two coders' selections over the same characters are one
 * excerpt with two codings, which is what agreement needs. The GUIDs of
 * the codes and users go into meta (REFI_META_* in refi_project.h) in the
 * same transaction, so an export gives them back to the other tool.
 *
 * Notes referenced by a NoteRef of the Project, of a Code or of a
 * PlainTextSelection become memos on the project, the code or the
 * selection's excerpt, under the note's creatingUser and
 * creationDateTime (store_memos), and nothing else: such a note is not
 * also copied into the excerpt's attributes. Notes referenced by a
 * TextSource stay in its attributes ("notes"), as before; notes nobody
 * references (a run log) and those of codings are left out.
 *
 * A file quarry wrote (Project/@origin "quarry ...") names each selection
 * by its excerpt's id: that id is taken when it is valid and unique in
 * the file (trip_id). With quarry's own entry beside it (refi_trip.h),
 * the import also takes back the code ids of the codes it adds, the
 * excerpts nobody coded as they were (no cut of the rest), every
 * excerpt's speaker and attributes, the codings' origins and the memos'
 * revisions, each where it is valid; the rest is read as any file.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"
#include "refi_io.h"
#include "refi_project.h"
#include "refi_rest.h"
#include "refi_trip.h"

/* An excerpt to make: a span of a source and the selections over it, or
 * a piece of the uncoded rest of its text (rest). */
typedef struct span {
    int32_t source;
    int64_t start, end; /* code points */
    size_t b0, b1;      /* bytes */
    int32_t first_sel;  /* a selection over it, or -1 (whole source) */
    int64_t row;        /* excerpts.id once stored */
    int64_t seq;        /* its place in text order among the file's */
    int rest;           /* cut from the uncoded rest */
    int64_t line;       /* the rest's: where it starts */
    char *speaker;      /* the rest's: the turn's speaker, or NULL */
    json_t *trip;       /* quarry's own entry for the excerpt (borrowed) */
} span;

typedef struct importer {
    quarry_project *p;
    refi_model *m;
    const quarry_refi_options *o;
    const char *file;
    span *spans;
    int32_t n_spans, cap_spans;
    int32_t *sel_span;   /* selection -> span */
    /* Quarry's own file: selection -> the selection whose excerpt it is a
     * passage of (refi_trip.h "passage_of"), -1 for none; and the
     * passage, code points of that excerpt's text. */
    int32_t *passage_of;
    int64_t *passage_span;
    int32_t *whole_span; /* source -> span of its whole text, or -1 */
    int64_t *code_row;   /* refi code -> codes.id */
    char **code_str;     /* refi code -> codes.code */
    int64_t *coder_row;  /* refi user -> coders.id; 0 = a suggestion user */
    quarry_refi_stats *stats;
    int own; /* quarry wrote the file and its entry was read (refi_trip.h) */
    int quarry_file; /* Project/@origin says quarry wrote it */
} importer;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    int c = refi_place_cmp(x->source, x->start, x->end, y->source, y->start,
                           y->end);
    if (c != 0)
        return c;
    return x->first_sel < y->first_sel ? -1 : x->first_sel > y->first_sel;
}

/* The selections quarry's own file says are passages of another
 * selection's excerpt (refi_trip.h "passage_of"), before the spans are
 * made: they make no excerpt (make_spans), and their codings go on that
 * excerpt with the span (store_codings). One whose entry does not hold
 * (no such selection, one that is itself a passage or empty, a span
 * outside its text) stays a selection of its own, with a notice. */
static int trip_passages(importer *im)
{
    refi_model *m = im->m;
    int32_t i, j;
    im->passage_of = malloc(((size_t)m->n_selections + 1) * sizeof(int32_t));
    im->passage_span =
        malloc(((size_t)m->n_selections + 1) * 2 * sizeof(int64_t));
    if (im->passage_of == NULL || im->passage_span == NULL)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < m->n_selections; i++)
        im->passage_of[i] = -1;
    for (i = 0; i < m->n_selections; i++) {
        json_t *e = refi_trip_get(m, "excerpts", m->selections[i].guid);
        const char *of = json_string_value(json_object_get(e, "passage_of"));
        json_t *sp = json_object_get(e, "span");
        json_int_t a = json_integer_value(json_array_get(sp, 0));
        json_int_t b = json_integer_value(json_array_get(sp, 1));
        int32_t parent = -1;
        if (of == NULL)
            continue;
        /* The selection it names (the file's GUID index, not a search):
         * not itself, no passage, not empty. */
        if (refi_guid_find(m, of, &j) == REFI_K_SELECTION && j != i &&
            j >= 0 && j < m->n_selections &&
            json_object_get(refi_trip_get(m, "excerpts", of), "passage_of") ==
                NULL &&
            m->selections[j].end > m->selections[j].start)
            parent = j;
        if (parent < 0 || !json_is_integer(json_array_get(sp, 0)) ||
            !json_is_integer(json_array_get(sp, 1)) || a < 0 || b <= a ||
            b > m->selections[parent].end - m->selections[parent].start) {
            refi_notice(m, "trip-passage",
                        "%s: the passage %s is not one of the excerpt it "
                        "names; read as a selection of its own",
                        im->file, m->selections[i].guid);
            continue;
        }
        im->passage_of[i] = parent;
        im->passage_span[2 * i] = (int64_t)a;
        im->passage_span[2 * i + 1] = (int64_t)b;
    }
    return QUARRY_OK;
}

/* Spans of every non-empty selection and of every source coded whole. */
static int make_spans(importer *im)
{
    refi_model *m = im->m;
    int32_t i, n = 0, k;
    int32_t *whole_needed;
    im->spans = calloc((size_t)m->n_selections + (size_t)m->n_sources + 1,
                       sizeof(span));
    im->sel_span = malloc(((size_t)m->n_selections + 1) * sizeof(int32_t));
    im->whole_span = malloc(((size_t)m->n_sources + 1) * sizeof(int32_t));
    whole_needed = calloc((size_t)m->n_sources + 1, sizeof(int32_t));
    if (!im->spans || !im->sel_span || !im->whole_span || !whole_needed) {
        free(whole_needed);
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    }
    for (i = 0; i < m->n_codings; i++)
        if (m->codings[i].code >= 0 && m->codings[i].selection < 0)
            whole_needed[m->codings[i].source] = 1;
    for (i = 0; i < m->n_selections; i++) {
        const refi_selection *s = &m->selections[i];
        im->sel_span[i] = -1;
        if (im->passage_of != NULL && im->passage_of[i] >= 0)
            continue; /* its codings go on its excerpt (trip_passages) */
        if (s->end <= s->start) {
            refi_notice(m, "empty-sel",
                        "%s: PlainTextSelection \"%s\" is empty; skipped",
                        im->file, s->guid);
            continue;
        }
        im->spans[n].source = s->source;
        im->spans[n].start = s->start;
        im->spans[n].end = s->end;
        im->spans[n].b0 = s->byte_start;
        im->spans[n].b1 = s->byte_end;
        im->spans[n].first_sel = i;
        n++;
    }
    for (i = 0; i < m->n_sources; i++) {
        im->whole_span[i] = -1;
        if (!whole_needed[i] || m->sources[i].text_len == 0)
            continue;
        im->spans[n].source = i;
        im->spans[n].start = 0;
        im->spans[n].end = m->sources[i].n_cp;
        im->spans[n].b0 = 0;
        im->spans[n].b1 = m->sources[i].text_len;
        im->spans[n].first_sel = -1;
        n++;
    }
    free(whole_needed);
    qsort(im->spans, (size_t)n, sizeof(span), span_cmp);
    /* Merge equal spans (the whole-source one sorts first: sel -1). */
    for (i = 0, k = -1; i < n; i++) {
        span *s = &im->spans[i];
        if (k < 0 || s->source != im->spans[k].source ||
            s->start != im->spans[k].start || s->end != im->spans[k].end) {
            im->spans[++k] = *s;
        } else if (im->spans[k].first_sel < 0) {
            im->spans[k].first_sel = s->first_sel;
        }
        if (s->first_sel >= 0)
            im->sel_span[s->first_sel] = k;
        else
            im->whole_span[s->source] = k;
    }
    im->n_spans = k + 1;
    im->cap_spans = m->n_selections + m->n_sources + 1;
    return 0;
}

/* Each selection span of quarry's own file takes its excerpt's entry
 * (refi_trip.h "excerpts"): the first selection over it that has one. */
static void trip_selections(importer *im)
{
    int32_t i;
    for (i = 0; i < im->m->n_selections; i++) {
        int32_t k = im->sel_span[i];
        json_t *e = refi_trip_get(im->m, "excerpts", im->m->selections[i].guid);
        if (k >= 0 && im->spans[k].trip == NULL && json_is_object(e))
            im->spans[k].trip = e;
    }
}

static const char *segment_name(int seg)
{
    return seg == QUARRY_REFI_SEGMENT_SENTENCE    ? "sentence"
           : seg == QUARRY_REFI_SEGMENT_PARAGRAPH ? "paragraph"
                                                  : "turn";
}

static int64_t line_of(const char *text, size_t b)
{
    int64_t line = 1;
    size_t i;
    for (i = 0; i < b; i++)
        line += text[i] == '\n';
    return line;
}

/* The excerpts quarry's own file lists for source i besides its
 * selections (refi_trip.h "rest"), as spans of the rest: each within the
 * text, else left out with a notice. */
static int trip_rest(importer *im, int32_t i)
{
    refi_model *m = im->m;
    const refi_source *src = &m->sources[i];
    json_t *list = json_object_get(json_object_get(refi_trip(m), "rest"),
                                   src->guid),
           *item;
    refi_cpmap map;
    size_t k;
    if (refi_cpmap_init(&map, src->text, src->text_len) != 0)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    if (im->n_spans + (int32_t)json_array_size(list) > im->cap_spans) {
        int32_t cap = 2 * (im->n_spans + (int32_t)json_array_size(list));
        span *g = realloc(im->spans, (size_t)cap * sizeof(*g));
        if (g == NULL) {
            refi_cpmap_free(&map);
            return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
        }
        im->spans = g;
        im->cap_spans = cap;
    }
    json_array_foreach(list, k, item)
    {
        json_t *a = json_object_get(item, "start");
        json_t *b = json_object_get(item, "end");
        json_int_t s0 = json_integer_value(a), s1 = json_integer_value(b);
        span *sp;
        if (!json_is_integer(a) || !json_is_integer(b) || s0 < 0 ||
            s1 <= s0 || s1 > map.n_cp) {
            refi_notice(m, "trip-rest",
                        "%s: %s: excerpt %zu of TextSource \"%s\" has no "
                        "place in its text; left out",
                        im->file, REFI_TRIP_ENTRY, k + 1,
                        src->name ? src->name : src->guid);
            continue;
        }
        sp = &im->spans[im->n_spans++];
        memset(sp, 0, sizeof(*sp));
        sp->source = i;
        sp->start = s0;
        sp->end = s1;
        sp->b0 = refi_cpmap_byte(&map, s0);
        sp->b1 = refi_cpmap_byte(&map, s1);
        sp->first_sel = -1;
        sp->rest = 1;
        sp->line = line_of(src->text, sp->b0);
        sp->trip = item;
        im->stats->rest++;
    }
    refi_cpmap_free(&map);
    return QUARRY_OK;
}

/* Spans of the uncoded rest of every source (refi_rest.c): the text no
 * selection covers (a source coded whole has none), cut as o->segment
 * says. A text the transcript reader refuses keeps no rest, with a
 * notice. */
static int make_rest(importer *im)
{
    refi_model *m = im->m;
    int segment = (int)im->o->segment;
    refi_cover *covers = NULL;
    int32_t i, k, first = 0, n_sel = im->n_spans;
    int status = QUARRY_OK;
    if (segment < QUARRY_REFI_SEGMENT_AUTO ||
        segment >= QUARRY_REFI_SEGMENT_NONE)
        return QUARRY_OK;
    covers = malloc(((size_t)im->n_spans + 1) * sizeof(*covers));
    if (covers == NULL)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < m->n_sources && status == QUARRY_OK; i++) {
        const refi_source *src = &m->sources[i];
        refi_piece *pieces = NULL;
        int32_t n_cov = 0, n_pieces = 0, j;
        int used;
        char err[1024];
        /* The spans are sorted by source: this source's start at first. */
        while (first < n_sel && im->spans[first].source < i)
            first++;
        if (im->whole_span[i] >= 0 || src->text_len == 0)
            continue;
        /* quarry's own file lists its excerpts: nothing to cut. */
        if (im->own && json_is_array(json_object_get(
                           json_object_get(refi_trip(m), "rest"), src->guid))) {
            status = trip_rest(im, i);
            continue;
        }
        for (k = first; k < n_sel && im->spans[k].source == i; k++) {
            covers[n_cov].b0 = im->spans[k].b0;
            covers[n_cov].b1 = im->spans[k].b1;
            n_cov++;
        }
        status = refi_rest_cut(src->text, src->text_len,
                               src->name ? src->name : src->guid, covers,
                               n_cov, segment, &pieces, &n_pieces, &used, err,
                               sizeof(err));
        if (status == QUARRY_ENOMEM)
            break;
        if (status != QUARRY_OK) {
            refi_notice(m, "rest-refused",
                        "%s: TextSource \"%s\": the uncoded text is not cut "
                        "into excerpts: %s",
                        im->file, src->name ? src->name : src->guid, err);
            status = QUARRY_OK;
            continue;
        }
        if (n_pieces > 0)
            refi_notice(m, "rest-cut",
                        "%s: the uncoded text of TextSource \"%s\" cut by "
                        "%s into %lld excerpt%s",
                        im->file, src->name ? src->name : src->guid,
                        segment_name(used), (long long)n_pieces,
                        n_pieces == 1 ? "" : "s");
        if (im->n_spans + n_pieces > im->cap_spans) {
            int32_t cap = 2 * (im->n_spans + n_pieces);
            span *g = realloc(im->spans, (size_t)cap * sizeof(*g));
            if (g == NULL) {
                refi_pieces_free(pieces, n_pieces);
                status = QUARRY_ENOMEM;
                break;
            }
            im->spans = g;
            im->cap_spans = cap;
        }
        for (j = 0; j < n_pieces; j++) {
            span *sp = &im->spans[im->n_spans++];
            memset(sp, 0, sizeof(*sp));
            sp->source = i;
            sp->start = pieces[j].start;
            sp->end = pieces[j].end;
            sp->b0 = pieces[j].b0;
            sp->b1 = pieces[j].b1;
            sp->first_sel = -1;
            sp->rest = 1;
            sp->line = pieces[j].line;
            sp->speaker = pieces[j].speaker;
            pieces[j].speaker = NULL;
            im->stats->rest++;
        }
        refi_pieces_free(pieces, n_pieces);
    }
    free(covers);
    if (status == QUARRY_ENOMEM)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    return status;
}

/* Each span's place in text order (source, start, end), so the excerpts
 * of the rest and of the selections read in the order of the text. */
typedef struct span_key {
    int32_t source, idx;
    int64_t start, end;
} span_key;

static int span_key_cmp(const void *a, const void *b)
{
    const span_key *x = a, *y = b;
    int c = refi_place_cmp(x->source, x->start, x->end, y->source, y->start,
                           y->end);
    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int order_spans(importer *im)
{
    span_key *key = malloc(((size_t)im->n_spans + 1) * sizeof(*key));
    int32_t i;
    if (key == NULL)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < im->n_spans; i++) {
        key[i].source = im->spans[i].source;
        key[i].idx = i;
        key[i].start = im->spans[i].start;
        key[i].end = im->spans[i].end;
    }
    qsort(key, (size_t)im->n_spans, sizeof(*key), span_key_cmp);
    for (i = 0; i < im->n_spans; i++)
        im->spans[key[i].idx].seq = i;
    free(key);
    return QUARRY_OK;
}

/* ------------------------------------------------------------------ */
/* Codes                                                                */

/* A kept GUID (meta.value) normalised into out[37]; 0, or -1 when there
 * is none or it is not a GUID. */
static int kept_norm(sqlite3_stmt *st, int col, char out[37])
{
    return refi_guid_normalise(project_col_text(st, col), out);
}

/* SQL functions for match_index: a code id's derived GUID, a kept value
 * normalised (NULL when it is not a GUID). */
static void sql_code_guid(sqlite3_context *cx, int argc, sqlite3_value **v)
{
    char g[37];
    (void)argc;
    if (sqlite3_value_type(v[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    refi_project_code_guid((const char *)sqlite3_value_text(v[0]), g);
    sqlite3_result_text(cx, g, -1, SQLITE_TRANSIENT);
}

static void sql_guid_norm(sqlite3_context *cx, int argc, sqlite3_value **v)
{
    char g[37];
    (void)argc;
    if (refi_guid_normalise((const char *)sqlite3_value_text(v[0]), g) != 0)
        sqlite3_result_null(cx);
    else
        sqlite3_result_text(cx, g, -1, SQLITE_TRANSIENT);
}

/* What match_code looks codes up in, kept in temporary tables of the
 * connection so each code of the file costs a few index look-ups, not a
 * pass over the project's codes with a UUID each (5,000 codes took 86 s):
 * qrm_codes, every project code with its derived GUID, its name (or id),
 * parent, position and whether a code of the file took it; qrm_kept,
 * every kept GUID (meta rows by rowid). Made afresh for the first code of
 * an import (i == 0); each later call adds the codes and meta rows written
 * since (ids and rowids only grow during an import) and marks the code
 * the previous call's code ended on (matched or added) as taken. */
static int match_index(importer *im, int32_t i)
{
    quarry_project *p = im->p;
    sqlite3_stmt *st;
    int rc;
    if (i == 0) {
        if (sqlite3_create_function(p->db, "quarry_refi_code_guid", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                    sql_code_guid, NULL, NULL) != SQLITE_OK ||
            sqlite3_create_function(p->db, "quarry_refi_guid_norm", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                    sql_guid_norm, NULL, NULL) != SQLITE_OK)
            return project_db_fail(p, "cannot read the codes");
        rc = project_exec(
            p, "DROP TABLE IF EXISTS temp.qrm_codes;"
               "DROP TABLE IF EXISTS temp.qrm_kept;"
               "CREATE TEMP TABLE qrm_codes(id INTEGER PRIMARY KEY,"
               " guid TEXT, name TEXT NOT NULL, parent TEXT,"
               " pos INTEGER NOT NULL, taken INTEGER NOT NULL DEFAULT 0);"
               "CREATE INDEX temp.qrm_codes_guid ON qrm_codes(guid);"
               "CREATE INDEX temp.qrm_codes_name ON qrm_codes(name, taken,"
               " pos, id);"
               "CREATE INDEX temp.qrm_codes_parent ON qrm_codes(name, taken,"
               " parent, pos, id);"
               "CREATE TEMP TABLE qrm_kept(src INTEGER PRIMARY KEY,"
               " guid TEXT, code TEXT NOT NULL);"
               "CREATE INDEX temp.qrm_kept_guid ON qrm_kept(guid);");
        if (rc != QUARRY_OK)
            return rc;
    }
    rc = project_exec(
        p, "INSERT INTO temp.qrm_codes(id, guid, name, parent, pos)"
           " SELECT id, quarry_refi_code_guid(code), coalesce(name, code),"
           " parent, position FROM codes"
           " WHERE id > (SELECT coalesce(max(id), 0) FROM temp.qrm_codes);"
           "INSERT INTO temp.qrm_kept(src, guid, code)"
           " SELECT rowid, quarry_refi_guid_norm(value),"
           " substr(key, length('" REFI_META_CODE_GUID "') + 1) FROM meta"
           " WHERE rowid > (SELECT coalesce(max(src), 0) FROM temp.qrm_kept)"
           " AND substr(key, 1, length('" REFI_META_CODE_GUID "')) = '"
           REFI_META_CODE_GUID "';");
    if (rc != QUARRY_OK || i == 0)
        return rc;
    st = project_prepare(p, "UPDATE temp.qrm_codes SET taken = 1"
                            " WHERE id = ?1");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, im->code_row[i - 1]);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot read the codes");
}

/* The first row of a match_code look-up: *row 0 when there is none. */
static int match_one(quarry_project *p, const char *sql, const char *a,
                     const char *b, int64_t *row, char **code)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    project_bind_text(st, 1, a);
    project_bind_text(st, 2, b);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *code = strdup(project_col_text(st, 1));
        *row = *code ? sqlite3_column_int64(st, 0) : 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the codes");
    if (rc == SQLITE_ROW && *code == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    return QUARRY_OK;
}

/* The project's code a REFI code stands for (0 when none): the code whose
 * derived GUID it carries, else the first code an import kept its GUID
 * for, else a code with its name (under the same parent if there is one)
 * that no earlier code of the file took; ties go to codebook order. */
static int match_code(importer *im, int32_t i, int64_t *row, char **code)
{
    quarry_project *p = im->p;
    const refi_code *c = &im->m->codes[i];
    const char *parent = c->parent >= 0 ? im->code_str[c->parent] : NULL;
    int status;
    *row = 0;
    *code = NULL;
    status = match_index(im, i);
    if (status == QUARRY_OK)
        status = match_one(
            p, "SELECT q.id, c.code FROM temp.qrm_codes q"
               " JOIN codes c ON c.id = q.id WHERE q.guid = ?1"
               " ORDER BY q.pos, q.id LIMIT 1", c->guid, NULL, row, code);
    if (status == QUARRY_OK && *row == 0)
        status = match_one(
            p, "SELECT c.id, c.code FROM temp.qrm_kept k"
               " JOIN codes c ON c.code = k.code WHERE k.guid = ?1"
               " ORDER BY c.position, c.id LIMIT 1", c->guid, NULL, row,
            code);
    if (status == QUARRY_OK && *row == 0 && c->name != NULL)
        status = match_one(
            p, "SELECT q.id, c.code FROM temp.qrm_codes q"
               " JOIN codes c ON c.id = q.id"
               " WHERE q.name = ?1 AND q.taken = 0 AND q.parent IS ?2"
               " ORDER BY q.pos, q.id LIMIT 1", c->name, parent, row, code);
    if (status == QUARRY_OK && *row == 0 && c->name != NULL)
        status = match_one(
            p, "SELECT q.id, c.code FROM temp.qrm_codes q"
               " JOIN codes c ON c.id = q.id"
               " WHERE q.name = ?1 AND q.taken = 0"
               " ORDER BY q.pos, q.id LIMIT 1", c->name, NULL, row, code);
    return status;
}

/* Keep the GUID a file gives a code or a coder (meta key prefix + name),
 * in the import's transaction. The first GUID kept stays: every tool that
 * received an export since knows the thing by it. Only a kept value that
 * is not a GUID (a damaged row) is replaced. */
static int keep_guid(quarry_project *p, const char *prefix, const char *name,
                     const char *guid)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT value FROM meta WHERE key = ?1 || ?2");
    int rc, keep = 0;
    char norm[37];
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        keep = kept_norm(st, 0, norm) == 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the kept GUIDs");
    if (keep || refi_guid_normalise(guid, norm) != 0)
        return QUARRY_OK;
    st = project_prepare(p, "INSERT OR REPLACE INTO meta(key, value)"
                            " VALUES(?1 || ?2, ?3)");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, norm, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot keep a GUID");
}

/* A new code id from a name: the name itself, else "name (2)"...; next:
 * per name, the k to try first (so many codes of one name cost one look
 * each, not one per earlier namesake). */
static int new_code_id(quarry_project *p, const char *name, json_t *next,
                       char **out)
{
    size_t n = strlen(name) + 24;
    char *buf = malloc(n);
    json_t *hint = next ? json_object_get(next, name) : NULL;
    int k, status;
    if (buf == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    k = hint ? (int)json_integer_value(hint) : 1;
    for (k = k > 1 ? k : 1;; k++) {
        int64_t row;
        if (k == 1)
            snprintf(buf, n, "%s", name);
        else
            snprintf(buf, n, "%s (%d)", name, k);
        status = project_code_id(p, buf, &row);
        if (status != QUARRY_OK) {
            free(buf);
            return status;
        }
        if (row == 0)
            break;
    }
    /* only a hint: without it (no memory) the next look starts at 1 */
    if (next)
        json_object_set_new(next, name, json_integer(k + 1));
    *out = buf;
    return QUARRY_OK;
}

/*
 * A code with children that the file lets be coded (isCodable="true"), or
 * that it codes anyway, is a codable parent: marked so (meta, codable.)
 * that suggest and agree take it as a code and not as a theme. A parent
 * the file says is not codable stays a theme; a codebook import (update)
 * also clears the mark of such a parent.
 */
static int store_codable(importer *im, int32_t i, int update)
{
    const refi_model *m = im->m;
    int32_t j;
    int64_t coded = 0;
    int children = 0;
    for (j = 0; j < m->n_codes && !children; j++)
        children = m->codes[j].parent == i;
    /* A leaf the file marks codable keeps the mark: a code added under it
     * later does not silently make it a theme. */
    if (!children)
        return m->codes[i].codable
                   ? project_set_codable(im->p, im->code_str[i], 1)
                   : QUARRY_OK;
    for (j = 0; j < m->n_codings; j++)
        coded += m->codings[j].code == i;
    if (!m->codes[i].codable && coded > 0)
        refi_notice(im->m, "coded-theme",
                    "%s: Code \"%s\" has child codes and isCodable=\"false\" "
                    "but %lld coding(s) on it: kept as a codable parent",
                    im->file, m->codes[i].name, (long long)coded);
    if (m->codes[i].codable || coded > 0)
        return project_set_codable(im->p, im->code_str[i], 1);
    return update ? project_set_codable(im->p, im->code_str[i], 0) : QUARRY_OK;
}

/* The id quarry's own file gives code i (refi_trip.h "codes") when it is
 * a valid id no code of the project has; *out NULL otherwise (the name
 * then makes one, as for any file). */
static int trip_code_id(importer *im, int32_t i, char **out)
{
    const char *id = im->own ? refi_trip_str(im->m, "codes",
                                             im->m->codes[i].guid)
                             : NULL;
    int64_t row = 0;
    int status;
    *out = NULL;
    if (!refi_trip_id_ok(id, 256))
        return QUARRY_OK;
    status = project_code_id(im->p, id, &row);
    if (status != QUARRY_OK || row != 0)
        return status;
    *out = strdup(id);
    return *out ? QUARRY_OK
                : project_fail(im->p, QUARRY_ENOMEM, "out of memory");
}

/* A code quarry's own file added: its include and exclude notes and
 * keywords (refi_trip.h "code_notes"), where they are strings (keywords:
 * an array of strings). */
static int trip_code_notes(importer *im, int32_t i)
{
    json_t *o = im->own ? refi_trip_get(im->m, "code_notes",
                                        im->m->codes[i].guid)
                        : NULL;
    json_t *kw = json_object_get(o, "keywords"), *v;
    const char *inc = json_string_value(json_object_get(o, "include_note"));
    const char *exc = json_string_value(json_object_get(o, "exclude_note"));
    char *kws = NULL;
    sqlite3_stmt *st;
    size_t k;
    int rc;
    if (!json_is_object(o))
        return QUARRY_OK;
    int strings = json_is_array(kw);
    json_array_foreach(kw, k, v)
        strings &= json_is_string(v);
    if (strings && (kws = json_dumps(kw, JSON_COMPACT)) == NULL)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    st = project_prepare(im->p, "UPDATE codes SET include_note = ?2,"
                                " exclude_note = ?3,"
                                " keywords = coalesce(?4, keywords)"
                                " WHERE id = ?1");
    if (st == NULL) {
        free(kws);
        return QUARRY_EIO;
    }
    sqlite3_bind_int64(st, 1, im->code_row[i]);
    project_bind_text(st, 2, inc);
    project_bind_text(st, 3, exc);
    project_bind_text(st, 4, kws);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(kws);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(im->p, "cannot add a code");
}

/* Store the code tree. update: matched codes take the file's fields (a
 * codebook import); else they are left as they are. */
static int store_codes(importer *im, int update, int32_t *added,
                       int32_t *updated)
{
    refi_model *m = im->m;
    quarry_project *p = im->p;
    sqlite3_stmt *ins, *up, *st;
    json_t *next_k = json_object();
    int64_t next_pos = 0;
    int32_t i;
    int status = QUARRY_OK;
    /* Positions counted here: max(position) on each insert was quadratic */
    st = project_prepare(p, "SELECT coalesce(max(position), -1) + 1 FROM"
                            " codes");
    if (st == NULL) {
        json_decref(next_k);
        return QUARRY_EIO;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        next_pos = sqlite3_column_int64(st, 0);
    else
        status = project_db_fail(p, "cannot read the codes");
    sqlite3_finalize(st);
    if (status != QUARRY_OK) {
        json_decref(next_k);
        return status;
    }
    im->code_row = calloc((size_t)m->n_codes + 1, sizeof(int64_t));
    im->code_str = calloc((size_t)m->n_codes + 1, sizeof(char *));
    if (im->code_row == NULL || im->code_str == NULL) {
        json_decref(next_k);
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    ins = project_prepare(
        p, "INSERT INTO codes(code, name, parent, definition, color, position,"
           " include_note, exclude_note) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
           " ?8)");
    up = project_prepare(p, "UPDATE codes SET name = ?2, parent = ?3,"
                            " definition = coalesce(?4, definition),"
                            " color = coalesce(?5, color),"
                            " include_note = coalesce(?6, include_note),"
                            " exclude_note = coalesce(?7, exclude_note)"
                            " WHERE id = ?1");
    if (ins == NULL || up == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    for (i = 0; i < m->n_codes && status == QUARRY_OK; i++) {
        const refi_code *c = &m->codes[i];
        const char *parent = c->parent >= 0 ? im->code_str[c->parent] : NULL;
        const char *definition, *include, *exclude;
        int64_t row;
        char *code;
        /* The notes a Description carries as paragraphs (quarry writes
         * them so for the other tools) are the notes again. */
        refi_code_description_split(m, c->description, &definition,
                                    &include, &exclude);
        status = match_code(im, i, &row, &code);
        if (status != QUARRY_OK)
            break;
        if (row != 0) {
            im->code_row[i] = row;
            im->code_str[i] = code;
            status = keep_guid(p, REFI_META_CODE_GUID, code, c->guid);
            if (status == QUARRY_OK)
                status = store_codable(im, i, update);
            if (status != QUARRY_OK || !update)
                continue;
            sqlite3_reset(up);
            sqlite3_bind_int64(up, 1, row);
            project_bind_text(up, 2, c->name);
            project_bind_text(up, 3, parent);
            project_bind_text(up, 4, definition);
            project_bind_text(up, 5, c->color);
            project_bind_text(up, 6, include);
            project_bind_text(up, 7, exclude);
            if (sqlite3_step(up) != SQLITE_DONE) {
                status = project_db_fail(p, "cannot update a code");
                break;
            }
            if (updated)
                (*updated)++;
            continue;
        }
        status = trip_code_id(im, i, &code);
        if (status == QUARRY_OK && code == NULL)
            status = new_code_id(p, c->name, next_k, &code);
        if (status != QUARRY_OK)
            break;
        im->code_str[i] = code;
        sqlite3_reset(ins);
        project_bind_text(ins, 1, code);
        project_bind_text(ins, 2, c->name);
        project_bind_text(ins, 3, parent);
        project_bind_text(ins, 4, definition);
        project_bind_text(ins, 5, c->color);
        sqlite3_bind_int64(ins, 6, next_pos++);
        project_bind_text(ins, 7, include);
        project_bind_text(ins, 8, exclude);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            status = project_db_fail(p, "cannot add a code");
            break;
        }
        im->code_row[i] = sqlite3_last_insert_rowid(p->db);
        if (added)
            (*added)++;
        status = trip_code_notes(im, i);
        if (status != QUARRY_OK)
            break;
        status = keep_guid(p, REFI_META_CODE_GUID, code, c->guid);
        if (status == QUARRY_OK)
            status = store_codable(im, i, update);
    }
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(up);
    json_decref(next_k);
    return status;
}

/* ------------------------------------------------------------------ */
/* Attributes                                                           */

static void add_values(const refi_model *m, json_t *o, refi_kind kind,
                       int32_t owner)
{
    int32_t i;
    for (i = 0; i < m->n_values; i++) {
        const refi_value *v = &m->values[i];
        if (v->owner_kind != kind || v->owner != owner || v->variable < 0)
            continue;
        json_object_set_new(o, m->variables[v->variable].name,
                            json_string(v->value ? v->value : ""));
    }
}

static void add_notes(const refi_model *m, json_t *o, refi_kind kind,
                      int32_t owner)
{
    int32_t i;
    json_t *a = NULL;
    for (i = 0; i < m->n_refs; i++) {
        const refi_ref *r = &m->refs[i];
        if (r->owner_kind != kind || r->owner != owner ||
            r->target_kind != REFI_K_NOTE || r->target < 0)
            continue;
        if (a == NULL)
            a = json_array();
        json_array_append_new(a, json_string(m->notes[r->target].text));
    }
    if (a != NULL)
        json_object_set_new(o, "notes", a);
}

/* The case that references a thing (kind SOURCE or SELECTION), or -1. */
static int32_t case_of(const refi_model *m, refi_kind kind, int32_t target)
{
    int32_t i;
    for (i = 0; i < m->n_refs; i++)
        if (m->refs[i].owner_kind == REFI_K_CASE &&
            m->refs[i].target_kind == kind && m->refs[i].target == target)
            return m->refs[i].owner;
    return -1;
}

/* The speaker a case names: its "speaker" variable (quarry writes one
 * when all of a case's selections share a speaker), else its name. */
static const char *case_speaker(const refi_model *m, int32_t c)
{
    int32_t i;
    for (i = 0; i < m->n_values; i++) {
        const refi_value *v = &m->values[i];
        if (v->owner_kind == REFI_K_CASE && v->owner == c &&
            v->variable >= 0 && v->value != NULL && *v->value != '\0' &&
            m->variables[v->variable].name != NULL &&
            strcmp(m->variables[v->variable].name, "speaker") == 0)
            return v->value;
    }
    return m->cases[c].name;
}

static char *source_attributes(const refi_model *m, int32_t s)
{
    json_t *o = json_object(), *sets = NULL;
    char *text;
    int32_t i;
    json_object_set_new(o, "refi_guid", json_string(m->sources[s].guid));
    if (m->sources[s].description)
        json_object_set_new(o, "description",
                            json_string(m->sources[s].description));
    add_values(m, o, REFI_K_SOURCE, s);
    add_notes(m, o, REFI_K_SOURCE, s);
    for (i = 0; i < m->n_refs; i++)
        if (m->refs[i].owner_kind == REFI_K_SET &&
            m->refs[i].target_kind == REFI_K_SOURCE && m->refs[i].target == s) {
            if (sets == NULL)
                sets = json_array();
            json_array_append_new(sets,
                                  json_string(m->sets[m->refs[i].owner].name));
        }
    if (sets != NULL)
        json_object_set_new(o, "sets", sets);
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* name_is_id: the selection's @name became the excerpt's id (a file
 * quarry wrote), so it is not kept as a name of its own. */
static char *excerpt_attributes(const refi_model *m, const span *sp,
                                int name_is_id, const char **speaker)
{
    json_t *o = json_object();
    char *text;
    int32_t c = -1, sel = sp->first_sel;
    *speaker = NULL;
    /* The rest keeps no GUID: no selection of the file stands for it. */
    if (!sp->rest)
        json_object_set_new(o, "refi_guid",
                            json_string(sel >= 0
                                            ? m->selections[sel].guid
                                            : m->sources[sp->source].guid));
    json_object_set_new(o, "refi_start", json_integer(sp->start));
    json_object_set_new(o, "refi_end", json_integer(sp->end));
    /* Source variables, then the case's (a case referencing the selection
     * names its speaker; one referencing the source, its participant). */
    add_values(m, o, REFI_K_SOURCE, sp->source);
    if (sel >= 0)
        c = case_of(m, REFI_K_SELECTION, sel);
    if (c >= 0) {
        *speaker = case_speaker(m, c);
    } else {
        c = case_of(m, REFI_K_SOURCE, sp->source);
    }
    if (c >= 0) {
        json_object_set_new(o, "case",
                            json_string(m->cases[c].name ? m->cases[c].name
                                                         : m->cases[c].guid));
        add_values(m, o, REFI_K_CASE, c);
    }
    if (sel >= 0 && m->selections[sel].name != NULL && !name_is_id &&
        (strlen(m->selections[sel].name) != sp->b1 - sp->b0 ||
         memcmp(m->selections[sel].name, m->sources[sp->source].text + sp->b0,
                sp->b1 - sp->b0) != 0))
        json_object_set_new(o, "refi_name",
                            json_string(m->selections[sel].name));
    if (sel >= 0 && m->selections[sel].description)
        json_object_set_new(o, "description",
                            json_string(m->selections[sel].description));
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* ------------------------------------------------------------------ */
/* Sources, excerpts, codings                                           */

/* The name of the coder a REFI user stands for by GUID (NULL when none):
 * the coder whose derived GUID it carries, else the first coder an import
 * kept its GUID for. Matching by name is project_coder_id's. */
static int match_coder(importer *im, const char *ns, const char *guid,
                       char **name)
{
    sqlite3_stmt *st = project_prepare(
        im->p, "SELECT c.name, m.value FROM coders c"
               " LEFT JOIN meta m ON m.key = '" REFI_META_USER_GUID
               "' || c.name ORDER BY c.id");
    int rc, oom = 0;
    char *kept = NULL;
    *name = NULL;
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *nm = project_col_text(st, 0);
        char g[37];
        if (nm == NULL)
            continue;
        refi_project_user_guid(ns, nm, g);
        if (strcmp(g, guid) == 0) {
            *name = strdup(nm);
            oom = *name == NULL;
            break;
        }
        if (kept == NULL && kept_norm(st, 1, g) == 0 &&
            strcmp(g, guid) == 0 && (kept = strdup(nm)) == NULL) {
            oom = 1;
            break;
        }
    }
    sqlite3_finalize(st);
    if (*name == NULL) {
        *name = kept;
        kept = NULL;
    }
    free(kept);
    if (oom || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
        free(*name);
        *name = NULL;
        return oom ? project_fail(im->p, QUARRY_ENOMEM, "out of memory")
                   : project_db_fail(im->p, "cannot read the coders");
    }
    return QUARRY_OK;
}

static int store_coders(importer *im)
{
    refi_model *m = im->m;
    int32_t i;
    int status = QUARRY_OK;
    char ns[37];
    im->coder_row = calloc((size_t)m->n_users + 1, sizeof(int64_t));
    if (im->coder_row == NULL)
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    if (m->n_users > 0)
        status = refi_project_ns(im->p, ns);
    for (i = 0; i < m->n_users && status == QUARRY_OK; i++) {
        const refi_user *u = &m->users[i];
        const char *name = u->name && *u->name ? u->name
                           : u->id && *u->id   ? u->id
                                               : u->guid;
        char *known;
        if (strcmp(name, REFI_SUGGESTION_USER) == 0)
            continue; /* row 0: its codings are suggestions */
        status = match_coder(im, ns, u->guid, &known);
        if (status != QUARRY_OK)
            break;
        if (known != NULL)
            name = known;
        status = project_coder_id(im->p, name, &im->coder_row[i]);
        if (status == QUARRY_OK)
            status = keep_guid(im->p, REFI_META_USER_GUID, name, u->guid);
        free(known);
        im->stats->coders++;
    }
    return status;
}

/* Attributes as quarry keeps them: an object of strings, numbers,
 * booleans or nulls (anything else in the entry is not taken). */
static int flat_object(json_t *o)
{
    const char *key;
    json_t *v;
    if (!json_is_object(o))
        return 0;
    json_object_foreach(o, key, v)
    {
        if (json_is_object(v) || json_is_array(v))
            return 0;
    }
    return 1;
}

/* The id an excerpt of a file quarry wrote had, if it can be taken: its
 * entry's "id" (refi_trip.h), else its selection's @name when that is not
 * the quoted text (quarry names a selection by its excerpt's id; an older
 * quarry quoted the text); a valid id (refi_trip_id_ok) not taken by
 * another excerpt of the file (used: the ids taken so far). NULL: derive
 * one as for any file. */
static const char *trip_id(importer *im, const span *sp, json_t *used)
{
    const refi_model *m = im->m;
    const char *id = json_string_value(json_object_get(sp->trip, "id"));
    if (id == NULL && sp->first_sel >= 0) {
        const refi_selection *s = &m->selections[sp->first_sel];
        if (s->name != NULL &&
            (strlen(s->name) != sp->b1 - sp->b0 ||
             memcmp(s->name, m->sources[sp->source].text + sp->b0,
                    sp->b1 - sp->b0) != 0))
            id = s->name;
    }
    if (!refi_trip_id_ok(id, 1024) || json_object_get(used, id) != NULL ||
        json_object_set_new(used, id, json_true()) != 0)
        return NULL;
    return id;
}

static int store_texts(importer *im)
{
    refi_model *m = im->m;
    quarry_project *p = im->p;
    sqlite3_stmt *src = NULL, *exc = NULL, *seq = NULL;
    int64_t *source_row = NULL, first_seq = 0;
    char now[40], hash[65];
    char **stems = NULL;
    int32_t i, k;
    int status = QUARRY_OK;
    json_t *used = json_object(); /* excerpt ids taken from the file */
    project_now(p, now);
    source_row = calloc((size_t)m->n_sources + 1, sizeof(int64_t));
    stems = calloc((size_t)m->n_sources + 1, sizeof(char *));
    if (source_row == NULL || stems == NULL || used == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    seq = project_prepare(p, "SELECT coalesce(max(seq), -1) + 1 FROM excerpts");
    src = project_prepare(p, "INSERT INTO sources(name, format, text, sha256,"
                             " imported_at, attributes)"
                             " VALUES(?1, 'refi-qda', ?2, ?3, ?4, ?5)");
    exc = project_prepare(p, "INSERT INTO excerpts(xid, source_id, seq, line,"
                             " start, \"end\", speaker, text, attributes)"
                             " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (seq == NULL || src == NULL || exc == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    if (sqlite3_step(seq) != SQLITE_ROW) {
        /* SQLite may have rolled the transaction back (out of memory):
         * going on would write outside it. */
        status = project_db_fail(p, "cannot read the project");
        goto out;
    }
    first_seq = sqlite3_column_int64(seq, 0);
    for (i = 0; i < m->n_sources && status == QUARRY_OK; i++) {
        const refi_source *s = &m->sources[i];
        const char *name = s->name && *s->name ? s->name : s->guid;
        char *attrs = source_attributes(m, i);
        int32_t same = 1;
        /* Excerpt ids are "<source>@<start>-<end>"; a name repeated in the
         * file (MAXQDA does that) gets "#2", "#3"... */
        for (k = 0; k < i; k++) {
            const char *o = m->sources[k].name && *m->sources[k].name
                                ? m->sources[k].name
                                : m->sources[k].guid;
            same += strcmp(o, name) == 0;
        }
        stems[i] = malloc(strlen(name) + 16);
        if (attrs == NULL || stems[i] == NULL) {
            free(attrs);
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        if (same > 1)
            sprintf(stems[i], "%s#%d", name, same);
        else
            strcpy(stems[i], name);
        project_sha256_hex(s->text, s->text_len, hash);
        sqlite3_reset(src);
        sqlite3_bind_text(src, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(src, 2, s->text, s->text_len, SQLITE_STATIC);
        sqlite3_bind_text(src, 3, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(src, 4, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(src, 5, attrs, -1, SQLITE_TRANSIENT);
        free(attrs);
        if (sqlite3_step(src) != SQLITE_DONE) {
            status = project_db_fail(p, "cannot add a source");
            break;
        }
        source_row[i] = sqlite3_last_insert_rowid(p->db);
        im->stats->sources++;
    }
    for (i = 0; i < im->n_spans && status == QUARRY_OK; i++) {
        span *sp = &im->spans[i];
        const refi_source *s = &m->sources[sp->source];
        const char *speaker;
        const char *own_id = im->quarry_file ? trip_id(im, sp, used) : NULL;
        char *attrs = excerpt_attributes(
            m, sp,
            own_id != NULL && sp->first_sel >= 0 &&
                m->selections[sp->first_sel].name != NULL &&
                strcmp(own_id, m->selections[sp->first_sel].name) == 0,
            &speaker);
        char *xid = malloc(strlen(stems[sp->source]) + 48 +
                           (own_id ? strlen(own_id) : 0));
        int64_t existing;
        if (sp->rest)
            speaker = sp->speaker;
        if (attrs == NULL || xid == NULL) {
            free(attrs);
            free(xid);
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        if (own_id != NULL)
            strcpy(xid, own_id);
        else
            sprintf(xid, "%s@%lld-%lld", stems[sp->source],
                    (long long)sp->start, (long long)sp->end);
        /* quarry's own file: the speaker and attributes the excerpt had
         * (the GUIDs and places of a file from elsewhere stay out). */
        if (sp->trip != NULL) {
            json_t *sv = json_object_get(sp->trip, "speaker");
            json_t *av = json_object_get(sp->trip, "attributes");
            if (json_is_string(sv) || json_is_null(sv))
                speaker = json_string_value(sv);
            if (flat_object(av)) {
                char *own = json_dumps(av, JSON_COMPACT);
                if (own == NULL) {
                    free(attrs);
                    free(xid);
                    status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                    break;
                }
                free(attrs);
                attrs = own;
            } else if (json_is_null(av) || av == NULL) {
                free(attrs);
                attrs = strdup("{}");
                if (attrs == NULL) {
                    free(xid);
                    status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                    break;
                }
            }
        }
        status = project_excerpt_id(p, xid, &existing);
        if (status == QUARRY_OK && existing != 0)
            status = project_fail(
                p, QUARRY_EDUP,
                "%s: TextSource \"%s\": excerpt \"%s\" is already in the "
                "project (imported before?); nothing imported",
                im->file, s->name ? s->name : s->guid, xid);
        if (status == QUARRY_OK) {
            sqlite3_reset(exc);
            sqlite3_bind_text(exc, 1, xid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(exc, 2, source_row[sp->source]);
            sqlite3_bind_int64(exc, 3, first_seq + sp->seq);
            sqlite3_bind_int64(exc, 4,
                               sp->rest ? sp->line : line_of(s->text, sp->b0));
            sqlite3_bind_int64(exc, 5, (int64_t)sp->b0);
            sqlite3_bind_int64(exc, 6, (int64_t)sp->b1);
            project_bind_text(exc, 7, speaker);
            sqlite3_bind_text(exc, 8, s->text + sp->b0, (int)(sp->b1 - sp->b0),
                              SQLITE_STATIC);
            sqlite3_bind_text(exc, 9, attrs, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(exc) != SQLITE_DONE)
                status = project_db_fail(p, "cannot add an excerpt");
            else {
                sp->row = sqlite3_last_insert_rowid(p->db);
                if (!sp->rest)
                    im->stats->excerpts++;
            }
        }
        free(attrs);
        free(xid);
    }
out:
    json_decref(used);
    for (i = 0; stems != NULL && i < m->n_sources; i++)
        free(stems[i]);
    free(stems);
    free(source_row);
    sqlite3_finalize(seq);
    sqlite3_finalize(src);
    sqlite3_finalize(exc);
    return status;
}

/* A coding's origin: what quarry's own file says it was (refi_trip.h
 * "codings") when that is one quarry knows, else "imported". */
static const char *coding_origin(const importer *im, const refi_coding *c)
{
    static const char *const known[] = {"manual", "accepted-suggestion",
                                        "imported"};
    const char *o = im->own ? refi_trip_str(im->m, "codings", c->guid) : NULL;
    size_t i;
    for (i = 0; o != NULL && i < sizeof(known) / sizeof(*known); i++)
        if (strcmp(o, known[i]) == 0)
            return known[i];
    return "imported";
}

static int store_codings(importer *im)
{
    refi_model *m = im->m;
    quarry_project *p = im->p;
    sqlite3_stmt *cod;
    int64_t fallback = 0;
    int32_t i;
    int status = QUARRY_OK;
    char now[40];
    project_now(p, now);
    cod = project_prepare(p, "INSERT OR IGNORE INTO codings(excerpt_id,"
                             " code_id, coder_id, origin, made_at,"
                             " span_start, span_end)"
                             " VALUES(?1, ?2, ?3, ?5, ?4, ?6, ?7)");
    if (cod == NULL)
        return QUARRY_EIO;
    for (i = 0; i < m->n_codings && status == QUARRY_OK; i++) {
        const refi_coding *c = &m->codings[i];
        int32_t sp, of = -1;
        int64_t coder;
        if (c->code < 0)
            continue;
        if (c->selection >= 0 && im->passage_of != NULL)
            of = im->passage_of[c->selection];
        sp = of >= 0                ? im->sel_span[of]
             : c->selection >= 0 ? im->sel_span[c->selection]
                                 : im->whole_span[c->source];
        if (sp < 0)
            continue;
        if (c->user >= 0) {
            coder = im->coder_row[c->user];
            if (coder == 0) {
                refi_notice(m, "suggestion-coding",
                            "%s: codings by \"%s\" are suggestions, not "
                            "codings; not imported",
                            im->file, REFI_SUGGESTION_USER);
                continue;
            }
        } else {
            if (fallback == 0)
                status = project_coder_id(p, "imported", &fallback);
            if (status != QUARRY_OK)
                break;
            coder = fallback;
        }
        sqlite3_reset(cod);
        sqlite3_bind_int64(cod, 1, im->spans[sp].row);
        sqlite3_bind_int64(cod, 2, im->code_row[c->code]);
        sqlite3_bind_int64(cod, 3, coder);
        sqlite3_bind_text(cod, 4, c->created ? c->created : now, -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(cod, 5, coding_origin(im, c), -1, SQLITE_STATIC);
        if (of >= 0) {
            sqlite3_bind_int64(cod, 6, im->passage_span[2 * c->selection]);
            sqlite3_bind_int64(cod, 7,
                               im->passage_span[2 * c->selection + 1]);
        } else {
            sqlite3_bind_null(cod, 6);
            sqlite3_bind_null(cod, 7);
        }
        if (sqlite3_step(cod) != SQLITE_DONE)
            status = project_db_fail(p, "cannot add a coding");
        else if (sqlite3_changes(p->db) > 0)
            im->stats->codings++;
    }
    sqlite3_finalize(cod);
    return status;
}

/* Note index, then reference index: memos in the order of the Notes. */
static int note_ref_cmp(const void *a, const void *b)
{
    const int32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The notes referenced by the Project, a Code or a PlainTextSelection as
 * memos, in the order of the Notes element (quarry writes them in the
 * order they were made), one memo a reference. */
static int store_memos(importer *im)
{
    refi_model *m = im->m;
    int64_t fallback = 0;
    int32_t i, j, n_order = 0, (*order)[2];
    int status = QUARRY_OK;
    /* Per note: the memo it became first, and on what (excerpt, code), so
     * a later version in quarry's own file can name it (revises). */
    struct note_memo {
        int64_t memo, excerpt, code;
    } *made = calloc((size_t)m->n_notes + 1, sizeof(*made));
    order = malloc(((size_t)m->n_refs + 1) * sizeof(*order));
    if (order == NULL || made == NULL) {
        free(order);
        free(made);
        return project_fail(im->p, QUARRY_ENOMEM, "out of memory");
    }
    for (i = 0; i < m->n_refs; i++)
        if (m->refs[i].target_kind == REFI_K_NOTE && m->refs[i].target >= 0 &&
            m->refs[i].target < m->n_notes) {
            order[n_order][0] = m->refs[i].target;
            order[n_order++][1] = i;
        }
    qsort(order, (size_t)n_order, sizeof(*order), note_ref_cmp);
    for (j = 0; j < n_order && status == QUARRY_OK; j++) {
        const refi_ref *r = &m->refs[order[j][1]];
        const refi_note *n;
        int64_t excerpt = 0, code = 0, coder = 0;
        if (r->target_kind != REFI_K_NOTE || r->target < 0 ||
            r->target >= m->n_notes)
            continue;
        n = &m->notes[r->target];
        if (r->owner_kind == REFI_K_CODE && r->owner >= 0) {
            code = im->code_row[r->owner];
            if (code == 0)
                continue;
        } else if (r->owner_kind == REFI_K_SELECTION && r->owner >= 0) {
            int32_t sp = im->sel_span[r->owner];
            if (sp < 0 || im->spans[sp].row == 0)
                continue;
            excerpt = im->spans[sp].row;
        } else if (r->owner_kind != REFI_K_PROJECT) {
            continue;
        }
        if (n->text == NULL ||
            n->text[strspn(n->text, " \t\r\n")] == '\0') {
            refi_notice(m, "empty-note",
                        "%s: Note %s has no text; not imported as a memo",
                        im->file, n->guid);
            continue;
        }
        if (n->user >= 0)
            coder = im->coder_row[n->user];
        if (coder == 0) { /* no user, or the suggestion user */
            if (fallback == 0)
                status = project_coder_id(im->p, "imported", &fallback);
            coder = fallback;
        }
        if (status == QUARRY_OK) {
            int64_t revises = 0, id = 0;
            const char *of = im->own ? refi_trip_str(m, "memos", n->guid)
                                     : NULL;
            int32_t t;
            if (of != NULL && refi_guid_find(m, of, &t) == REFI_K_NOTE &&
                t >= 0 && t < m->n_notes && made[t].memo != 0 &&
                made[t].excerpt == excerpt && made[t].code == code)
                revises = made[t].memo;
            status = project_memo_insert(
                im->p, excerpt, code, coder,
                n->created && refi_is_datetime(n->created) ? n->created
                                                           : NULL,
                n->text, n->text_len, revises, n->guid, &id);
            if (status == QUARRY_OK && made[r->target].memo == 0) {
                made[r->target].memo = id;
                made[r->target].excerpt = excerpt;
                made[r->target].code = code;
            }
        }
    }
    free(order);
    free(made);
    return status;
}

/* Keep one project-wide thing the file says (REFI_META_*): the first
 * import's value stays; another value gets a notice. */
static int keep_setting(importer *im, const char *key, const char *value,
                        const char *what)
{
    char *kept = NULL;
    int status = project_meta_get(im->p, key, &kept);
    if (status == QUARRY_OK && kept == NULL)
        status = project_meta_set(im->p, key, value);
    else if (status == QUARRY_OK && strcmp(kept, value) != 0)
        refi_notice(im->m, key,
                    "%s: %s is \"%s\" here, \"%s\" in the project: exports "
                    "keep \"%s\"%s",
                    im->file, what, value, kept, kept,
                    strcmp(key, REFI_META_PROJECT_NAME) == 0
                        ? ""
                        : " (unless --end or --crlf says otherwise)");
    free(kept);
    return status;
}

static int store_settings(importer *im)
{
    const refi_model *m = im->m;
    int status = QUARRY_OK;
    if (m->name != NULL && *m->name != '\0')
        status = keep_setting(im, REFI_META_PROJECT_NAME, m->name,
                              "Project/@name");
    if (status == QUARRY_OK && m->n_selections > 0)
        status = keep_setting(im, REFI_META_END,
                              m->end_inclusive ? "inclusive" : "exclusive",
                              "endPosition");
    if (status == QUARRY_OK && m->n_selections > 0)
        status = keep_setting(im, REFI_META_CRLF, m->crlf_one ? "one" : "two",
                              "the count of a CR LF");
    return status;
}

static void importer_free(importer *im)
{
    int32_t i;
    for (i = 0; im->spans != NULL && i < im->n_spans; i++)
        free(im->spans[i].speaker);
    free(im->spans);
    free(im->sel_span);
    free(im->passage_of);
    free(im->passage_span);
    free(im->whole_span);
    free(im->code_row);
    for (i = 0; im->code_str != NULL && i < im->m->n_codes; i++)
        free(im->code_str[i]);
    free(im->code_str);
    free(im->coder_row);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* A .qdpx from a path (bytes NULL) or from bytes named path. */
static int import_qdpx(quarry_project *p, const char *path, const void *bytes,
                       size_t len, const quarry_refi_options *o,
                       quarry_refi_stats *stats)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats local;
    refi_model m;
    importer im;
    int status = project_check(p, 1);
    int32_t i;
    if (status != QUARRY_OK)
        return status;
    if (path == NULL)
        return project_fail(p, QUARRY_EINVAL, "no file to import");
    if (o == NULL)
        o = &def;
    /* Version 1 had an int where external_dir now is: its fields cannot be
     * read safely, so it is refused rather than guessed. */
    if (o->version != QUARRY_REFI_OPTIONS_VERSION)
        return project_fail(p, QUARRY_EINVAL,
                            "REFI-QDA options of version %u; this quarry "
                            "reads version %u (rebuild against its header)",
                            (unsigned)o->version,
                            (unsigned)QUARRY_REFI_OPTIONS_VERSION);
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    refi_model_init(&m);
    status = bytes != NULL ? refi_read_qdpx_buffer(&m, base_name(path), bytes,
                                                   len, o)
                           : refi_read_file(&m, path, o);
    if (status == QUARRY_OK && m.n_sources == 0 && m.n_codes == 0)
        status = refi_fail(&m, QUARRY_EPARSE,
                           "%s: no codes and no text sources to import",
                           base_name(path));
    if (status != QUARRY_OK) {
        project_fail(p, status, "%s", m.errmsg);
        refi_emit_notices(&m, o);
        refi_model_free(&m);
        return status;
    }
    memset(&im, 0, sizeof(im));
    im.p = p;
    im.m = &m;
    im.o = o;
    im.file = base_name(path);
    im.stats = stats;
    stats->end = m.end_inclusive ? QUARRY_REFI_END_INCLUSIVE
                                 : QUARRY_REFI_END_EXCLUSIVE;
    stats->crlf = m.crlf_one ? QUARRY_REFI_CRLF_ONE : QUARRY_REFI_CRLF_TWO;
    im.own = refi_trip(&m) != NULL;
    im.quarry_file = m.origin != NULL && strncmp(m.origin, "quarry ", 7) == 0;
    if (im.own)
        status = trip_passages(&im);
    if (status == QUARRY_OK)
        status = make_spans(&im);
    if (status == QUARRY_OK && im.own)
        trip_selections(&im);
    if (status == QUARRY_OK)
        status = make_rest(&im);
    if (status == QUARRY_OK)
        status = order_spans(&im);
    {
        int64_t set_members = 0;
        for (i = 0; i < m.n_refs; i++) {
            if (m.refs[i].target < 0)
                continue;
            set_members += m.refs[i].owner_kind == REFI_K_SET &&
                           m.refs[i].target_kind != REFI_K_SOURCE;
        }
        if (set_members > 0)
            refi_notice(&m, "set-members",
                        "%s: %lld member(s) of sets of codes or notes not "
                        "imported (sets of sources are kept as source "
                        "attributes)",
                        im.file, (long long)set_members);
    }
    if (status == QUARRY_OK)
        status = project_begin(p);
    if (status == QUARRY_OK) {
        status = store_coders(&im);
        if (status == QUARRY_OK) {
            int32_t added = 0;
            status = store_codes(&im, 0, &added, NULL);
            stats->codes = added;
        }
        if (status == QUARRY_OK)
            status = store_texts(&im);
        if (status == QUARRY_OK)
            status = store_codings(&im);
        if (status == QUARRY_OK)
            status = store_memos(&im);
        if (status == QUARRY_OK)
            status = store_settings(&im);
        if (status == QUARRY_OK)
            status = project_commit(p);
        else
            project_rollback(p);
    }
    if (status != QUARRY_OK)
        memset(stats, 0, sizeof(*stats));
    refi_emit_notices(&m, o);
    importer_free(&im);
    refi_model_free(&m);
    return status;
}

int quarry_project_import_qdpx(quarry_project *p, const char *path,
                               const quarry_refi_options *o,
                               quarry_refi_stats *stats)
{
    return import_qdpx(p, path, NULL, 0, o, stats);
}

int quarry_project_import_qdpx_buffer(quarry_project *p, const char *name,
                                      const void *bytes, size_t len,
                                      const quarry_refi_options *o,
                                      quarry_refi_stats *stats)
{
    if (bytes == NULL && name != NULL) {
        int status = project_check(p, 1);
        return status != QUARRY_OK
                   ? status
                   : project_fail(p, QUARRY_EINVAL, "%s: no bytes", name);
    }
    return import_qdpx(p, name, bytes ? bytes : "", len, o, stats);
}

int quarry_project_import_qdc(quarry_project *p, const char *path,
                              const quarry_refi_options *o, int32_t *added,
                              int32_t *updated)
{
    return refi_import_qdc(p, path, NULL, 0, o, added, updated);
}

int refi_import_qdc(quarry_project *p, const char *path, const char *bytes,
                    size_t len, const quarry_refi_options *o, int32_t *added,
                    int32_t *updated)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    refi_model m;
    importer im;
    int32_t a = 0, u = 0;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (path == NULL)
        return project_fail(p, QUARRY_EINVAL, "no codebook to import");
    if (o == NULL)
        o = &def;
    refi_model_init(&m);
    status = bytes != NULL
                 ? refi_read_qdc_buffer(&m, bytes, len, base_name(path), o)
                 : refi_read_qdc(&m, path, o);
    if (status == QUARRY_OK && m.n_codes == 0)
        status = refi_fail(&m, QUARRY_EPARSE, "%s: no codes", base_name(path));
    if (status != QUARRY_OK) {
        project_fail(p, status, "%s", m.errmsg);
        refi_emit_notices(&m, o);
        refi_model_free(&m);
        return status;
    }
    memset(&im, 0, sizeof(im));
    im.p = p;
    im.m = &m;
    im.o = o;
    im.file = base_name(path);
    status = project_begin(p);
    if (status == QUARRY_OK) {
        status = store_codes(&im, 1, &a, &u);
        if (status == QUARRY_OK)
            status = project_commit(p);
        else
            project_rollback(p);
    }
    if (status == QUARRY_OK) {
        if (added)
            *added = a;
        if (updated)
            *updated = u;
    }
    refi_emit_notices(&m, o);
    importer_free(&im);
    refi_model_free(&m);
    return status;
}
