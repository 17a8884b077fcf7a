/*
 * refi_export.c -- a quarry project out as a REFI-QDA .qdpx or .qdc
 * (quarry_project_export_qdpx, quarry_project_export_qdc in quarry/refi.h).
 *
 * The project is loaded into a refi_model and written by refi_write.c.
 * Every GUID is a UUID v5 of what it names (a code id, a source row, an
 * excerpt id, a coding's excerpt, code and coder), or the GUID a REFI
 * import kept (sources and selections: in their attributes; codes and
 * coders: in meta, REFI_META_*) when it is a GUID and unique in the file,
 * and every query is ordered, so an unchanged project exports to the same
 * bytes. Human codings go under their coders; the engine's pending
 * suggestions get a selection of their own under REFI_SUGGESTION_USER,
 * never a human's name. Memos go out as Notes (load_memos): the project's
 * with a NoteRef from the Project, a code's from the Code, an excerpt's
 * from its PlainTextSelection (an excerpt with a memo is a selection even
 * uncoded), each under its author with its time.
 *
 * Names are the file's, never the machine's: a source is named by its
 * file name (project_source_base), and so are the cases made from it and
 * the paths in the run log. A selection is named by its excerpt's id
 * (one another tool drew keeps its own name, or its quoted text). What
 * the standard has no place for (code ids, the excerpts nobody coded
 * with their speakers, roles and attributes, coding origins, memo
 * revisions, how endPosition counts) goes into quarry's own entry of the
 * .qdpx (build_trip, refi_trip.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"
#include "quarry/project_stats.h"
#include "refi_io.h"
#include "refi_project.h"
#include "refi_trip.h"

void refi_project_code_guid(const char *code, char out[37])
{
    char *key = malloc(strlen(code) + 6);
    if (key == NULL) {
        memset(out, '0', 36);
        out[36] = '\0';
        return;
    }
    sprintf(key, "code:%s", code);
    refi_uuid5(REFI_QUARRY_NS, key, strlen(key), out);
    free(key);
}

void refi_project_user_guid(const char *ns, const char *name, char out[37])
{
    size_t n = strlen(name);
    char *key = malloc(n + 6);
    if (key == NULL) {
        memset(out, '0', 36);
        out[36] = '\0';
        return;
    }
    memcpy(key, "user:", 5);
    memcpy(key + 5, name, n + 1);
    refi_uuid5(ns, key, n + 5, out);
    free(key);
}

int refi_project_ns(quarry_project *p, char out[37])
{
    sqlite3_stmt *st =
        project_prepare(p, "SELECT value FROM meta WHERE key = 'created_at'");
    const char *created = NULL;
    char key[80]; /* as every export so far: longer values are cut */
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        created = project_col_text(st, 0);
    else if (rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return project_db_fail(p, "cannot read the project's creation time");
    }
    snprintf(key, sizeof(key), "project:%s", created ? created : "");
    refi_uuid5(REFI_QUARRY_NS, key, strlen(key), out);
    sqlite3_finalize(st);
    return QUARRY_OK;
}

/* A row id -> model index map, sorted for bsearch. */
typedef struct idmap {
    int64_t *row;
    int32_t *idx;
    int32_t n, cap;
} idmap;

static int idmap_add(idmap *mp, int64_t row, int32_t idx)
{
    if (mp->n == mp->cap) {
        int32_t cap = mp->cap ? 2 * mp->cap : 64;
        int64_t *r = realloc(mp->row, (size_t)cap * sizeof(*r));
        int32_t *x;
        if (r == NULL)
            return -1;
        mp->row = r;
        x = realloc(mp->idx, (size_t)cap * sizeof(*x));
        if (x == NULL)
            return -1;
        mp->idx = x;
        mp->cap = cap;
    }
    /* Rows arrive in any order: keep the arrays sorted by insertion. */
    {
        int32_t i = mp->n;
        while (i > 0 && mp->row[i - 1] > row) {
            mp->row[i] = mp->row[i - 1];
            mp->idx[i] = mp->idx[i - 1];
            i--;
        }
        mp->row[i] = row;
        mp->idx[i] = idx;
        mp->n++;
    }
    return 0;
}

static int32_t idmap_get(const idmap *mp, int64_t row)
{
    int32_t lo = 0, hi = mp->n - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (mp->row[mid] == row)
            return mp->idx[mid];
        if (mp->row[mid] < row)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static void idmap_free(idmap *mp)
{
    free(mp->row);
    free(mp->idx);
}

typedef struct exporter {
    quarry_project *p;
    refi_model *m;
    char ns[37];
    idmap codes, users, sels;
    /* The derived GUID of a code or user that goes out under a kept one
     * (NULL when it uses its derived one), by model index. */
    const char **code_alt, **user_alt;
    int32_t n_user_alt; /* users loaded by load_users (not the engine's) */
    int32_t engine_user;
    int64_t run;
    /* Who speaks in each human selection, by index: for the cases. */
    struct sel_who {
        const char *speaker, *study, *participant, *case_name;
        const char *xid, *attributes; /* for quarry's own entry */
        /* A passage of the excerpt of selection parent (passage_sel):
         * code points [span[0], span[1]) of its text; parent -1 else. */
        int32_t parent;
        int64_t span[2];
    } * who;
    int32_t n_who, cap_who;
    /* quarry's own entry (refi_trip.h): code ids by model index, each
     * coding's origin by model index, the memos (id -> note index) and
     * the note each note revises (-1: none), the excerpts that are no
     * selection by source GUID. */
    const char **code_ids;
    const char **coding_origin;
    int32_t cap_coding_origin;
    idmap memos;
    int32_t *note_revises;
    int32_t cap_note_revises;
    json_t *rest;
    json_t *code_notes; /* by model index (code_notes()) */
} exporter;

static int oom(exporter *x)
{
    return project_fail(x->p, QUARRY_ENOMEM, "out of memory");
}

static const char *guid_of(exporter *x, const char *kind, const char *key)
{
    return refi_guid_for(x->m, x->ns, kind, key);
}

/* A GUID kept by an import (attributes.refi_guid), if usable here. */
static const char *kept_guid(exporter *x, const char *attributes,
                             refi_kind kind, int32_t idx)
{
    json_t *o;
    const char *g = NULL;
    char norm[37];
    if (attributes == NULL)
        return NULL;
    o = json_loads(attributes, 0, NULL);
    if (o != NULL && json_is_string(json_object_get(o, "refi_guid")) &&
        refi_guid_normalise(json_string_value(json_object_get(o, "refi_guid")),
                            norm) == 0 &&
        refi_guid_add(x->m, norm, kind, idx) == 0)
        g = refi_str(x->m, norm);
    json_decref(o);
    return g;
}

/* A string field of an attributes JSON object, copied into the model. */
static const char *attr_string(exporter *x, const char *attributes,
                               const char *key)
{
    json_t *o, *v;
    const char *s = NULL;
    if (attributes == NULL)
        return NULL;
    o = json_loads(attributes, 0, NULL);
    v = o ? json_object_get(o, key) : NULL;
    if (json_is_string(v))
        s = refi_str(x->m, json_string_value(v));
    json_decref(o);
    return s;
}

/* Per-thing strings while loading codes or users, by model index: the
 * derived GUID, the kept one (meta) and the name (code id, coder name). */
typedef struct kept_list {
    const char **derived, **kept, **names;
    int32_t cap;
} kept_list;

static int kept_list_put(exporter *x, kept_list *l, int32_t k,
                         const char *derived, const char *kept,
                         const char *name)
{
    if (k >= l->cap) {
        int32_t cap = l->cap ? 2 * l->cap : 64;
        const char **d = realloc(l->derived, (size_t)cap * sizeof(*d));
        if (d == NULL)
            return -1;
        l->derived = d;
        d = realloc(l->kept, (size_t)cap * sizeof(*d));
        if (d == NULL)
            return -1;
        l->kept = d;
        d = realloc(l->names, (size_t)cap * sizeof(*d));
        if (d == NULL)
            return -1;
        l->names = d;
        l->cap = cap;
    }
    l->derived[k] = derived;
    l->kept[k] = refi_str(x->m, kept);
    l->names[k] = name;
    return derived == NULL || name == NULL ||
                   (kept != NULL && l->kept[k] == NULL)
               ? -1
               : 0;
}

static void kept_list_free(kept_list *l)
{
    free(l->derived);
    free(l->kept);
    free(l->names);
}

/*
 * The GUIDs of the n codes or users of l: the kept one when it is a GUID
 * (else a notice and the derived one), into *out, with the derived one in
 * (*alt)[i] when a kept one is used (NULL otherwise). Whether a kept GUID
 * is unique in the file is check_kept_guids' question, once everything is
 * loaded. Every derived GUID of the kind is registered in the model's
 * table, so no kept GUID of a source or selection can take one: falling
 * back to it is always safe.
 */
static int apply_kept(exporter *x, kept_list *l, refi_kind kind,
                      const char *what, int32_t n, const char ***alt,
                      const char ***out)
{
    refi_model *m = x->m;
    int32_t i;
    *alt = calloc((size_t)n + 1, sizeof(**alt));
    *out = calloc((size_t)n + 1, sizeof(**out));
    if (*alt == NULL || *out == NULL)
        return oom(x);
    for (i = 0; i < n; i++) {
        char norm[37];
        (*out)[i] = l->derived[i];
        if (refi_guid_add(m, l->derived[i], kind, i) == QUARRY_ENOMEM)
            return oom(x);
        if (l->kept[i] == NULL)
            continue;
        if (refi_guid_normalise(l->kept[i], norm) != 0) {
            refi_notice(m, "kept-guid-bad",
                        "the GUID kept for %s \"%s\" (\"%.40s\") is not a "
                        "GUID; exported under %s",
                        what, l->names[i], l->kept[i], l->derived[i]);
            continue;
        }
        if (strcmp(norm, l->derived[i]) == 0)
            continue;
        (*out)[i] = refi_str(m, norm);
        (*alt)[i] = l->derived[i];
        if ((*out)[i] == NULL)
            return oom(x);
    }
    return QUARRY_OK;
}

/* What a Code cannot carry (the include and exclude notes, the
 * keywords), for quarry's own entry: one object a code, in model order. */
static int code_notes(exporter *x, sqlite3_stmt *st)
{
    const char *inc = project_col_text(st, 8), *exc = project_col_text(st, 9);
    json_t *kw = json_loads(project_col_text(st, 10) ? project_col_text(st, 10)
                                                     : "[]",
                            0, NULL);
    json_t *o = json_object();
    int bad = o == NULL ||
              (inc != NULL && json_object_set_new(o, "include_note",
                                                  json_string(inc))) ||
              (exc != NULL && json_object_set_new(o, "exclude_note",
                                                  json_string(exc))) ||
              (json_array_size(kw) > 0 &&
               json_object_set(o, "keywords", kw));
    json_decref(kw);
    if (bad || json_array_append_new(x->code_notes, o) != 0) {
        if (bad)
            json_decref(o);
        return oom(x);
    }
    return QUARRY_OK;
}

static int load_codes(exporter *x)
{
    refi_model *m = x->m;
    sqlite3_stmt *st = project_prepare(
        x->p, "SELECT id, code, name, parent, definition, color,"
              " EXISTS (SELECT 1 FROM codings g WHERE g.code_id = codes.id)"
              " OR EXISTS (SELECT 1 FROM meta WHERE key = '"
              PROJECT_META_CODABLE "' || codes.code AND value = '1'),"
              " (SELECT value FROM meta WHERE key = '" REFI_META_CODE_GUID
              "' || codes.code), include_note, exclude_note, keywords"
              " FROM codes ORDER BY position, id");
    int rc, status = QUARRY_OK;
    int32_t i, j;
    const char **parents, **out = NULL;
    char **ids;
    kept_list kl;
    if (st == NULL)
        return QUARRY_EIO;
    memset(&kl, 0, sizeof(kl));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t k = REFI_PUSH(m, codes);
        refi_code *c;
        char g[37], col[8];
        const char *color = project_col_text(st, 5);
        if (k < 0 || idmap_add(&x->codes, sqlite3_column_int64(st, 0), k)) {
            status = oom(x);
            break;
        }
        c = &m->codes[k];
        refi_project_code_guid(project_col_text(st, 1), g);
        c->guid = refi_str(m, g);
        c->name =
            refi_str(m, project_col_text(st, 2) ? project_col_text(st, 2)
                                                : project_col_text(st, 1));
        /* The notes in the Description, where the other tools show
         * them (quarry's own entry keeps them apart for the way back). */
        c->description = refi_code_description(
            m, project_col_text(st, 4), project_col_text(st, 8),
            project_col_text(st, 9));
        c->color = color && refi_color_normalise(color, col) == 0
                       ? refi_str(m, col)
                       : NULL;
        /* Coded, or a codable parent: stays codable. */
        c->codable = sqlite3_column_int(st, 6);
        c->parent = -1; /* resolved below: a parent may come later */
        if (code_notes(x, st) != QUARRY_OK ||
            kept_list_put(x, &kl, k, c->guid, project_col_text(st, 7),
                          refi_str(m, project_col_text(st, 1))) != 0) {
            status = oom(x);
            break;
        }
    }
    sqlite3_finalize(st);
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(x->p, "cannot read the codes");
    /* The GUIDs imports kept, where they can go out. */
    if (status == QUARRY_OK)
        status = apply_kept(x, &kl, REFI_K_CODE, "code", m->n_codes,
                            &x->code_alt, &out);
    for (i = 0; status == QUARRY_OK && i < m->n_codes; i++)
        m->codes[i].guid = out[i];
    free(out);
    /* The ids go into quarry's own entry; the names are in the arena. */
    if (status == QUARRY_OK) {
        x->code_ids = calloc((size_t)m->n_codes + 1, sizeof(*x->code_ids));
        if (x->code_ids == NULL)
            status = oom(x);
        for (i = 0; status == QUARRY_OK && i < m->n_codes; i++)
            x->code_ids[i] = kl.names[i];
    }
    kept_list_free(&kl);
    if (status != QUARRY_OK)
        return status;
    /* Parents: by code id, in a second pass over the same order. */
    parents = calloc((size_t)m->n_codes + 1, sizeof(char *));
    ids = calloc((size_t)m->n_codes + 1, sizeof(char *));
    if (parents == NULL || ids == NULL) {
        free(parents);
        free(ids);
        return oom(x);
    }
    st = project_prepare(x->p, "SELECT code, parent FROM codes"
                               " ORDER BY position, id");
    if (st == NULL) {
        free(parents);
        free(ids);
        return QUARRY_EIO;
    }
    for (i = 0; i < m->n_codes && sqlite3_step(st) == SQLITE_ROW; i++) {
        ids[i] = (char *)refi_str(m, project_col_text(st, 0));
        parents[i] = refi_str(m, project_col_text(st, 1));
    }
    sqlite3_finalize(st);
    for (i = 0; i < m->n_codes; i++) {
        if (parents[i] == NULL)
            continue;
        for (j = 0; j < m->n_codes; j++)
            if (ids[j] != NULL && strcmp(ids[j], parents[i]) == 0) {
                m->codes[i].parent = j;
                break;
            }
    }
    /* Themes (codes with children) are not codable unless coded or
     * marked codable. */
    for (i = 0; i < m->n_codes; i++) {
        int has_children = 0;
        for (j = 0; j < m->n_codes && !has_children; j++)
            has_children = m->codes[j].parent == i;
        if (!has_children)
            m->codes[i].codable = 1;
    }
    free(parents);
    free(ids);
    return QUARRY_OK;
}

static int load_users(exporter *x)
{
    refi_model *m = x->m;
    sqlite3_stmt *st = project_prepare(
        x->p, "SELECT id, name, (SELECT value FROM meta WHERE key = '"
              REFI_META_USER_GUID "' || coders.name) FROM coders WHERE"
              " kind = 'person' OR id IN (SELECT coder_id FROM codings)"
              " ORDER BY name");
    int rc, status = QUARRY_OK;
    int32_t i;
    const char **out = NULL;
    kept_list kl;
    if (st == NULL)
        return QUARRY_EIO;
    memset(&kl, 0, sizeof(kl));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t k = REFI_PUSH(m, users);
        const char *name = project_col_text(st, 1);
        if (k < 0 || idmap_add(&x->users, sqlite3_column_int64(st, 0), k)) {
            status = oom(x);
            break;
        }
        m->users[k].name = refi_str(m, name);
        m->users[k].guid = guid_of(x, "user", name);
        if (kept_list_put(x, &kl, k, m->users[k].guid, project_col_text(st, 2),
                          m->users[k].name) != 0) {
            status = oom(x);
            break;
        }
    }
    sqlite3_finalize(st);
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(x->p, "cannot read the coders");
    if (status == QUARRY_OK)
        status = apply_kept(x, &kl, REFI_K_USER, "coder", m->n_users,
                            &x->user_alt, &out);
    for (i = 0; status == QUARRY_OK && i < m->n_users; i++)
        m->users[i].guid = out[i];
    if (status == QUARRY_OK)
        x->n_user_alt = m->n_users;
    free(out);
    kept_list_free(&kl);
    return status;
}

/*
 * Every GUID of the file once. A kept code or coder GUID that something
 * else has too (the derived GUID of another code, a source's kept GUID, a
 * selection's, the project's...) goes back to its derived GUID; of two
 * codes or coders kept under one GUID, the first (codes in codebook order,
 * then coders by name) keeps it. The derived GUIDs are unique by
 * construction, so after this every GUID is.
 */
typedef struct guid_ref {
    const char *guid;
    const char **slot; /* where it is in the model */
    const char *alt;   /* the derived GUID of a kept code or user, or NULL */
    const char *what, *name;
    size_t seq; /* model order */
} guid_ref;

static int cmp_guid_ref(const void *a, const void *b)
{
    const guid_ref *x = a, *y = b;
    int c = strcmp(x->guid, y->guid);
    if (c != 0)
        return c;
    /* Equal GUIDs: the ones not kept first, then model order. */
    if ((x->alt != NULL) != (y->alt != NULL))
        return x->alt != NULL ? 1 : -1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int check_kept_guids(exporter *x)
{
    refi_model *m = x->m;
    size_t n = 1, k = 0, i, j;
    guid_ref *all;
    int32_t t, any = 0;
    for (t = 0; t < m->n_codes && x->code_alt != NULL && !any; t++)
        any = x->code_alt[t] != NULL;
    for (t = 0; t < x->n_user_alt && !any; t++)
        any = x->user_alt[t] != NULL;
    if (!any)
        return QUARRY_OK; /* no kept GUIDs: the derived ones are unique */
    n += (size_t)m->n_users + (size_t)m->n_codes + (size_t)m->n_variables +
         (size_t)m->n_cases + (size_t)m->n_sources + (size_t)m->n_selections +
         (size_t)m->n_codings + (size_t)m->n_notes + (size_t)m->n_sets;
    all = calloc(n, sizeof(*all));
    if (all == NULL)
        return oom(x);
#define GUID_REF(field, altv, whatv, namev)                                    \
    do {                                                                       \
        if ((field) != NULL) {                                                 \
            all[k].guid = (field);                                             \
            all[k].slot = &(field);                                            \
            all[k].alt = (altv);                                               \
            all[k].what = (whatv);                                             \
            all[k].name = (namev);                                             \
            all[k].seq = k;                                                    \
            k++;                                                               \
        }                                                                      \
    } while (0)
    for (t = 0; t < m->n_codes; t++)
        GUID_REF(m->codes[t].guid, x->code_alt ? x->code_alt[t] : NULL,
                 "code", m->codes[t].name);
    for (t = 0; t < m->n_users; t++)
        GUID_REF(m->users[t].guid, t < x->n_user_alt ? x->user_alt[t] : NULL,
                 "coder", m->users[t].name);
    GUID_REF(m->guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_variables; t++)
        GUID_REF(m->variables[t].guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_cases; t++)
        GUID_REF(m->cases[t].guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_sources; t++)
        GUID_REF(m->sources[t].guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_selections; t++)
        GUID_REF(m->selections[t].guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_codings; t++)
        GUID_REF(m->codings[t].guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_notes; t++)
        GUID_REF(m->notes[t].guid, NULL, NULL, NULL);
    for (t = 0; t < m->n_sets; t++)
        GUID_REF(m->sets[t].guid, NULL, NULL, NULL);
#undef GUID_REF
    qsort(all, k, sizeof(*all), cmp_guid_ref);
    for (i = 0; i < k; i = j)
        for (j = i + 1; j < k && strcmp(all[j].guid, all[i].guid) == 0; j++)
            if (all[j].alt != NULL) {
                refi_notice(m, "kept-guid-dup",
                            "the GUID kept for %s \"%s\" (%s) names "
                            "something else in the file; exported under %s",
                            all[j].what, all[j].name ? all[j].name : "",
                            all[j].guid, all[j].alt);
                *all[j].slot = all[j].alt;
            }
    free(all);
    return QUARRY_OK;
}

/* Pending: latest run, not abstained, no decision on it that stands (an
 * undone one decides nothing), not coded. */
#define PENDING_WHERE                                                          \
    " s.run_id = (SELECT max(id) FROM runs) AND s.abstain = 0"                 \
    " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.suggestion_id = s.id"  \
    "  AND" PROJECT_NOT_UNDONE("d") ")"                                        \
    " AND NOT EXISTS (SELECT 1 FROM codings g WHERE g.excerpt_id ="            \
    "  s.excerpt_id AND g.code_id = s.code_id)"

/* s with every absolute path in it (a word, or the part of one after
 * '=', '(', a quote, '[' or ',', that starts with '/', '\\', "~/" or a
 * drive "C:\\") cut to its last part, in the model's arena; s itself when
 * it has none. An excerpt id or case name made by an earlier import from
 * a source named by its full path ("/home/ana/S4-P02.txt@0-9",
 * "P02 (/home/ana/S4-P02.txt)") goes out as "S4-P02.txt@0-9". */
static int abs_path_at(const char *w, size_t i)
{
    if (i > 0 && w[i - 1] != ' ' && strchr("=(\"'[,", w[i - 1]) == NULL)
        return 0;
    return w[i] == '/' || w[i] == '\\' || (w[i] == '~' && w[i + 1] == '/') ||
           (((w[i] | 0x20) >= 'a' && (w[i] | 0x20) <= 'z') && w[i + 1] == ':' &&
            (w[i + 2] == '\\' || w[i + 2] == '/'));
}

static const char *no_abs_paths(exporter *x, const char *s)
{
    size_t n, i = 0, o = 0;
    char *out;
    const char *r;
    if (s == NULL || strpbrk(s, "/\\") == NULL)
        return s;
    n = strlen(s);
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    while (i < n) {
        if (abs_path_at(s, i)) {
            size_t j = i, last = i;
            while (j < n && s[j] != ' ') {
                if (s[j] == '/' || s[j] == '\\')
                    last = j + 1;
                j++;
            }
            memcpy(out + o, s + last, j - last);
            o += j - last;
            i = j;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    r = refi_str(x->m, out);
    free(out);
    return r;
}

/* The same for every string value of an attributes object. */
static void json_no_abs_paths(exporter *x, json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        const char *t = json_string_value(v);
        const char *c = no_abs_paths(x, t);
        if (c != NULL && c != t)
            json_string_set(v, c);
    }
}

/* Room for x->who[k]. */
static int who_reserve(exporter *x, int32_t k)
{
    if (k >= x->cap_who) {
        int32_t cap = x->cap_who ? 2 * x->cap_who : 64;
        struct sel_who *g;
        while (cap <= k)
            cap *= 2;
        g = realloc(x->who, (size_t)cap * sizeof(*g));
        if (g == NULL)
            return oom(x);
        x->who = g;
        x->cap_who = cap;
    }
    return QUARRY_OK;
}

/* An excerpt that is no selection, for quarry's own entry: its id,
 * place (bytes b0, b1 until load_source turns them into code points),
 * speaker and attributes as the project holds them. */
static int rest_item(exporter *x, json_t *rest, sqlite3_stmt *st, size_t b0,
                     size_t b1)
{
    const char *speaker = project_col_text(st, 4);
    const char *attrs = project_col_text(st, 6);
    json_t *o = json_object(), *a = attrs ? json_loads(attrs, 0, NULL) : NULL;
    int bad;
    if (json_is_object(a))
        json_no_abs_paths(x, a);
    bad = o == NULL ||
              json_object_set_new(
                  o, "id", json_string(no_abs_paths(x, project_col_text(st, 1)))) ||
              json_object_set_new(o, "b0", json_integer((json_int_t)b0)) ||
              json_object_set_new(o, "b1", json_integer((json_int_t)b1)) ||
              json_object_set_new(o, "speaker", speaker ? json_string(speaker)
                                                        : json_null()) ||
              (json_is_object(a) && json_object_set(o, "attributes", a));
    json_decref(a);
    if (bad) {
        json_decref(o);
        return oom(x);
    }
    return json_array_append_new(rest, o) == 0 ? QUARRY_OK : oom(x);
}

/* One source, its text (the stored one, or its excerpts joined by blank
 * lines) and the excerpts that become selections. */
static int load_source(exporter *x, int64_t row, const char *name,
                       const char *text, size_t text_len,
                       const char *attributes)
{
    refi_model *m = x->m;
    sqlite3_stmt *st;
    int32_t s = REFI_PUSH(m, sources), first_sel = m->n_selections, i;
    char *joined = NULL, key[32];
    size_t jl = 0, jcap = 0, r;
    int rc, status = QUARRY_OK;
    refi_cpmap map;
    /* The excerpts that are no selection, for quarry's own entry: byte
     * offsets first, code points once the text is whole. */
    json_t *rest = json_array(), *item;
    if (s < 0 || rest == NULL) {
        json_decref(rest);
        return oom(x);
    }
    /* The file's name, never the folders of the machine that imported it:
     * the cases and notices below take it from here. */
    name = project_source_base(name);
    m->sources[s].name = refi_str(m, name);
    m->sources[s].user = -1;
    snprintf(key, sizeof(key), "%lld", (long long)row);
    m->sources[s].guid = kept_guid(x, attributes, REFI_K_SOURCE, s);
    if (m->sources[s].guid == NULL)
        m->sources[s].guid = guid_of(x, "source", key);
    m->sources[s].description = attr_string(x, attributes, "description");
    st = project_prepare(
        x->p, "SELECT e.id, e.xid, e.start, e.\"end\", e.speaker, e.text,"
              " e.attributes,"
              " EXISTS (SELECT 1 FROM codings g WHERE g.excerpt_id = e.id)"
              " OR EXISTS (SELECT 1 FROM suggestions s WHERE s.excerpt_id ="
              "  e.id AND" PENDING_WHERE ")"
              " OR json_extract(e.attributes, '$.refi_guid') IS NOT NULL"
              " OR EXISTS (SELECT 1 FROM memos n WHERE n.excerpt_id = e.id)"
              " FROM excerpts e WHERE e.source_id = ?1 ORDER BY e.seq, e.id");
    if (st == NULL) {
        json_decref(rest);
        return QUARRY_EIO;
    }
    sqlite3_bind_int64(st, 1, row);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *xt = project_col_text(st, 5);
        size_t xl = (size_t)sqlite3_column_bytes(st, 5), b0, b1;
        int32_t k;
        if (text != NULL) {
            if (sqlite3_column_type(st, 2) == SQLITE_NULL ||
                sqlite3_column_int64(st, 3) > (int64_t)text_len ||
                sqlite3_column_int64(st, 2) > sqlite3_column_int64(st, 3)) {
                if (sqlite3_column_int(st, 7))
                    refi_notice(m, "no-offsets",
                                "excerpt \"%s\" has no place in the text of "
                                "\"%s\"; not exported",
                                project_col_text(st, 1), name);
                continue;
            }
            b0 = (size_t)sqlite3_column_int64(st, 2);
            b1 = (size_t)sqlite3_column_int64(st, 3);
        } else {
            /* Excerpts of a JSONL or CSV file: one text, blank lines
             * between them. */
            size_t need = jl + xl + 3;
            if (need > jcap) {
                char *g = realloc(joined, need * 2);
                if (g == NULL) {
                    status = oom(x);
                    break;
                }
                joined = g;
                jcap = need * 2;
            }
            if (jl > 0) {
                memcpy(joined + jl, "\n\n", 2);
                jl += 2;
            }
            b0 = jl;
            memcpy(joined + jl, xt ? xt : "", xl);
            jl += xl;
            b1 = jl;
            joined[jl] = '\0';
        }
        if (b1 <= b0)
            continue;
        if (!sqlite3_column_int(st, 7)) {
            status = rest_item(x, rest, st, b0, b1);
            if (status != QUARRY_OK)
                break;
            continue;
        }
        {
            /* A coding of a whole source, imported: it goes back on the
             * TextSource, not on a selection (-2 - source in the map). */
            const char *g =
                attr_string(x, project_col_text(st, 6), "refi_guid");
            char norm[37];
            if (g != NULL && refi_guid_normalise(g, norm) == 0 &&
                strcmp(norm, m->sources[s].guid) == 0 && b0 == 0 &&
                b1 == (text ? text_len : jl)) {
                if (idmap_add(&x->sels, sqlite3_column_int64(st, 0), -2 - s)) {
                    status = oom(x);
                    break;
                }
                continue;
            }
        }
        k = REFI_PUSH(m, selections);
        if (k < 0 || idmap_add(&x->sels, sqlite3_column_int64(st, 0), k)) {
            status = oom(x);
            break;
        }
        m->selections[k].source = s;
        m->selections[k].byte_start = b0;
        m->selections[k].byte_end = b1;
        m->selections[k].user = -1;
        /* A name of its own, kept from an import; else the quoted text. */
        m->selections[k].name =
            attr_string(x, project_col_text(st, 6), "refi_name");
        m->selections[k].description =
            attr_string(x, project_col_text(st, 6), "description");
        if ((status = who_reserve(x, k)) != QUARRY_OK)
            break;
        x->who[k].speaker = refi_str(m, project_col_text(st, 4));
        x->who[k].study = attr_string(x, project_col_text(st, 6), "study");
        x->who[k].participant =
            attr_string(x, project_col_text(st, 6), "participant");
        x->who[k].case_name = no_abs_paths(
            x, attr_string(x, project_col_text(st, 6), "case"));
        x->who[k].xid = no_abs_paths(x, refi_str(m, project_col_text(st, 1)));
        x->who[k].attributes = refi_str(m, project_col_text(st, 6));
        x->who[k].parent = -1;
        x->n_who = k + 1;
        /* No name of its own: the excerpt's id, which quarry's import
         * takes back; but a selection another tool drew (it kept its
         * GUID) goes back to it quoted, as it came. */
        if (m->selections[k].name == NULL &&
            attr_string(x, project_col_text(st, 6), "refi_guid") == NULL)
            m->selections[k].name = x->who[k].xid;
        m->selections[k].guid =
            kept_guid(x, project_col_text(st, 6), REFI_K_SELECTION, k);
        if (m->selections[k].guid == NULL)
            m->selections[k].guid =
                guid_of(x, "selection", project_col_text(st, 1));
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        status = project_db_fail(x->p, "cannot read the excerpts");
    sqlite3_finalize(st);
    if (status != QUARRY_OK) {
        free(joined);
        json_decref(rest);
        return status;
    }
    if (text == NULL) {
        text = joined ? joined : "";
        text_len = jl;
    }
    m->sources[s].text = refi_strn(m, text, text_len);
    m->sources[s].text_len = text_len;
    free(joined);
    if (m->sources[s].text == NULL ||
        refi_cpmap_init(&map, m->sources[s].text, text_len) != 0) {
        json_decref(rest);
        return oom(x);
    }
    m->sources[s].n_cp = map.n_cp;
    for (i = first_sel; i < m->n_selections; i++) {
        refi_selection *sl = &m->selections[i];
        sl->start = refi_cpmap_cp(&map, sl->byte_start);
        sl->end = refi_cpmap_cp(&map, sl->byte_end);
    }
    json_array_foreach(rest, r, item)
    {
        size_t b0 = (size_t)json_integer_value(json_object_get(item, "b0"));
        size_t b1 = (size_t)json_integer_value(json_object_get(item, "b1"));
        json_object_del(item, "b0");
        json_object_del(item, "b1");
        if (json_object_set_new(item, "start",
                                json_integer(refi_cpmap_cp(&map, b0))) ||
            json_object_set_new(item, "end",
                                json_integer(refi_cpmap_cp(&map, b1))))
            status = oom(x);
    }
    refi_cpmap_free(&map);
    if (status == QUARRY_OK &&
        json_object_set_new(x->rest, m->sources[s].guid, rest) != 0)
        return oom(x);
    if (status != QUARRY_OK)
        json_decref(rest);
    return status;
}

static int load_sources(exporter *x)
{
    sqlite3_stmt *st = project_prepare(
        x->p, "SELECT id, name, text, attributes FROM sources ORDER BY id");
    int rc, status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = sqlite3_column_type(st, 2) == SQLITE_NULL
                               ? NULL
                               : (const char *)sqlite3_column_blob(st, 2);
        size_t len = (size_t)sqlite3_column_bytes(st, 2);
        char *copy = NULL;
        if (text != NULL) { /* the blob may be moved by the next call */
            copy = malloc(len + 1);
            if (copy == NULL) {
                status = oom(x);
                break;
            }
            memcpy(copy, text, len);
            copy[len] = '\0';
        }
        status =
            load_source(x, sqlite3_column_int64(st, 0), project_col_text(st, 1),
                        copy, len, project_col_text(st, 3));
        free(copy);
    }
    sqlite3_finalize(st);
    return status;
}

/* The key of a coding: excerpt, code and coder, separated by 0x1f. */
static const char *coding_guid(exporter *x, const char *kind, const char *xid,
                               const char *code, const char *who)
{
    size_t n = strlen(xid) + strlen(code) + strlen(who) + 3;
    char *key = malloc(n);
    const char *g;
    if (key == NULL)
        return NULL;
    snprintf(key, n, "%s\x1f%s\x1f%s", xid, code, who);
    g = guid_of(x, kind, key);
    free(key);
    return g;
}

/* Code points of text's bytes [b0, b1). */
static int64_t cp_count(const char *text, size_t b0, size_t b1)
{
    int64_t n = 0;
    for (; b0 < b1; b0++)
        n += ((unsigned char)text[b0] & 0xC0) != 0x80;
    return n;
}

/* The passages of one excerpt already made selections (load_codings). */
typedef struct passage_sels {
    int64_t excerpt;
    int32_t n, cap;
    struct {
        int64_t start, end;
        int32_t sel;
    } * v;
} passage_sels;

/* The selection of the passage [span0, span1) (code points of the
 * excerpt's text xtext) of the excerpt whose selection is sel: made on the
 * first coding of it, inside the excerpt's selection. The excerpt's text
 * is found in the exported text where it stands (a transcript's turn
 * without its speaker's label); the excerpt's own selection (*out = sel)
 * with a notice when the passage is not there. */
static int passage_sel(exporter *x, passage_sels *ps, int64_t excerpt,
                       int32_t sel, const char *xid, const char *xtext,
                       int64_t span0, int64_t span1, int32_t *out)
{
    refi_model *m = x->m;
    refi_selection *s = &m->selections[sel];
    const char *src = m->sources[s->source].text;
    size_t pb0, pb1, len, at;
    const char *hit = NULL;
    int32_t i, k;
    char key[96], *gkey;
    *out = sel;
    if (ps->excerpt != excerpt) {
        ps->excerpt = excerpt;
        ps->n = 0;
    }
    for (i = 0; i < ps->n; i++)
        if (ps->v[i].start == span0 && ps->v[i].end == span1) {
            *out = ps->v[i].sel;
            return QUARRY_OK;
        }
    if (project_span_bytes(xtext, span0, span1, &pb0, &pb1) != 0 ||
        src == NULL) {
        refi_notice(m, "passage", "excerpt \"%s\": its passage %lld-%lld "
                    "is not in its text; the coding is of the whole "
                    "excerpt", xid, (long long)span0, (long long)span1);
        return QUARRY_OK;
    }
    len = strlen(xtext);
    if (s->byte_end - s->byte_start == len &&
        memcmp(src + s->byte_start, xtext, len) == 0) {
        hit = src + s->byte_start + pb0;
    } else {
        /* The passage's first place in the selection's text. */
        for (at = s->byte_start; at + (pb1 - pb0) <= s->byte_end; at++)
            if (memcmp(src + at, xtext + pb0, pb1 - pb0) == 0) {
                hit = src + at;
                break;
            }
    }
    if (hit == NULL) {
        refi_notice(m, "passage", "excerpt \"%s\": its passage %lld-%lld "
                    "is not in the exported text; the coding is of the "
                    "whole excerpt", xid, (long long)span0,
                    (long long)span1);
        return QUARRY_OK;
    }
    at = (size_t)(hit - src);
    snprintf(key, sizeof key, "@%lld-%lld", (long long)span0,
             (long long)span1);
    gkey = malloc(strlen(xid) + strlen(key) + 1);
    k = gkey ? REFI_PUSH(m, selections) : -1;
    if (k < 0 || who_reserve(x, k) != QUARRY_OK) {
        free(gkey);
        return oom(x);
    }
    s = &m->selections[sel]; /* (the push may have moved them) */
    m->selections[k] = *s;
    m->selections[k].name = NULL; /* quoted: its text */
    m->selections[k].description = NULL;
    m->selections[k].byte_start = at;
    m->selections[k].byte_end = at + (pb1 - pb0);
    m->selections[k].start =
        s->start + cp_count(src, s->byte_start, at);
    m->selections[k].end =
        m->selections[k].start + cp_count(src, at, at + (pb1 - pb0));
    m->selections[k].created = NULL;
    m->selections[k].user = -1;
    strcpy(gkey, xid);
    strcat(gkey, key);
    m->selections[k].guid = guid_of(x, "passage", gkey);
    free(gkey);
    if (m->selections[k].guid == NULL)
        return oom(x);
    /* Its speaker is the excerpt's; quarry's own entry names the
     * excerpt's selection and the span, so quarry's import makes it a
     * passage of that excerpt again. */
    x->who[k] = x->who[sel];
    x->who[k].parent = sel;
    x->who[k].span[0] = span0;
    x->who[k].span[1] = span1;
    x->n_who = k + 1;
    if (ps->n == ps->cap) {
        int32_t cap = ps->cap ? 2 * ps->cap : 8;
        void *g = realloc(ps->v, (size_t)cap * sizeof(*ps->v));
        if (g == NULL)
            return oom(x);
        ps->v = g;
        ps->cap = cap;
    }
    ps->v[ps->n].start = span0;
    ps->v[ps->n].end = span1;
    ps->v[ps->n++].sel = k;
    *out = k;
    return QUARRY_OK;
}

static int load_codings(exporter *x)
{
    refi_model *m = x->m;
    sqlite3_stmt *st = project_prepare(
        x->p, "SELECT g.excerpt_id, g.code_id, g.coder_id, g.made_at, e.xid,"
              " k.code, c.name, g.origin, g.span_start, g.span_end, e.text"
              " FROM codings g"
              " JOIN excerpts e ON e.id = g.excerpt_id"
              " JOIN codes k ON k.id = g.code_id"
              " JOIN coders c ON c.id = g.coder_id"
              " ORDER BY e.source_id, e.seq, e.id, k.position, k.id, c.name");
    passage_sels ps;
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    memset(&ps, 0, sizeof ps);
    ps.excerpt = -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t sel = idmap_get(&x->sels, sqlite3_column_int64(st, 0));
        int32_t k;
        const char *made = project_col_text(st, 3);
        refi_selection *s;
        if (sel == -1)
            continue; /* an excerpt with no place in its source's text */
        if (sel >= 0 && sqlite3_column_type(st, 9) != SQLITE_NULL) {
            int status = passage_sel(
                x, &ps, sqlite3_column_int64(st, 0), sel,
                project_col_text(st, 4), project_col_text(st, 10),
                sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9),
                &sel);
            if (status != QUARRY_OK) {
                free(ps.v);
                sqlite3_finalize(st);
                return status;
            }
        }
        k = REFI_PUSH(m, codings);
        if (k < 0) {
            free(ps.v);
            sqlite3_finalize(st);
            return oom(x);
        }
        m->codings[k].code = idmap_get(&x->codes, sqlite3_column_int64(st, 1));
        m->codings[k].user = idmap_get(&x->users, sqlite3_column_int64(st, 2));
        m->codings[k].created =
            refi_is_datetime(made) ? refi_str(m, made) : NULL;
        m->codings[k].guid =
            coding_guid(x, "coding", project_col_text(st, 4),
                        project_col_text(st, 5), project_col_text(st, 6));
        if (k >= x->cap_coding_origin) {
            int32_t cap = 2 * k + 64;
            const char **g =
                realloc(x->coding_origin, (size_t)cap * sizeof(*g));
            if (g == NULL) {
                free(ps.v);
                sqlite3_finalize(st);
                return oom(x);
            }
            memset(g + x->cap_coding_origin, 0,
                   (size_t)(cap - x->cap_coding_origin) * sizeof(*g));
            x->coding_origin = g;
            x->cap_coding_origin = cap;
        }
        x->coding_origin[k] = refi_str(m, project_col_text(st, 7));
        if (sel < -1) { /* on the whole source */
            m->codings[k].source = -2 - sel;
            m->codings[k].selection = -1;
            continue;
        }
        s = &m->selections[sel];
        m->codings[k].source = s->source;
        m->codings[k].selection = sel;
        /* The selection is the earliest coder's. */
        if (m->codings[k].created != NULL &&
            (s->created == NULL ||
             strcmp(m->codings[k].created, s->created) < 0)) {
            s->created = m->codings[k].created;
            s->user = m->codings[k].user;
        } else if (s->user < 0 && s->created == NULL) {
            s->user = m->codings[k].user;
        }
    }
    free(ps.v);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(x->p, "cannot read the codings");
}

/* The evidence JSON as a line for people. */
static void describe(json_t *ev, char *buf, size_t cap)
{
    size_t n = strlen(buf);
    json_t *v;
    size_t i;
    json_t *terms = json_object_get(ev, "terms");
    json_t *nb = json_object_get(ev, "neighbours");
    if (json_array_size(terms) > 0) {
        n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "; terms:");
        json_array_foreach(terms, i, v)
        {
            const char *t = json_string_value(json_object_get(v, "term"));
            if (t != NULL && n < cap)
                n += (size_t)snprintf(
                    buf + n, cap - n, "%s %s (%.3f)", i ? "," : "", t,
                    json_number_value(json_object_get(v, "weight")));
        }
    }
    if (json_array_size(nb) > 0 && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "; nearest coded excerpts:");
        json_array_foreach(nb, i, v)
        {
            const char *t = json_string_value(json_object_get(v, "id"));
            if (t != NULL && n < cap)
                n += (size_t)snprintf(
                    buf + n, cap - n, "%s %s (%s%.3f)", i ? "," : "", t,
                    json_object_get(v, "span") ? "a passage, " : "",
                    json_number_value(json_object_get(v, "score")));
        }
    }
}

static int load_suggestions(exporter *x)
{
    refi_model *m = x->m;
    sqlite3_stmt *st = project_prepare(
        x->p,
        "SELECT s.excerpt_id, e.xid, k.code, coalesce(k.name, k.code),"
        " s.rank, s.score, s.confidence, s.evidence, r.started_at, r.id"
        " FROM suggestions s JOIN excerpts e ON e.id = s.excerpt_id"
        " JOIN codes k ON k.id = s.code_id JOIN runs r ON r.id = s.run_id"
        " WHERE" PENDING_WHERE " ORDER BY e.source_id, e.seq, e.id, s.rank");
    int rc, status = QUARRY_OK;
    int64_t last = -1;
    int32_t sel = -1, set = -1;
    char desc[8192];
    if (st == NULL)
        return QUARRY_EIO;
    desc[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t xrow = sqlite3_column_int64(st, 0);
        int32_t human = idmap_get(&x->sels, xrow), k;
        const char *xid = project_col_text(st, 1);
        const char *started = project_col_text(st, 8);
        char line[2048], runkey[32];
        json_t *ev;
        if (human < 0)
            continue;
        x->run = sqlite3_column_int64(st, 9);
        snprintf(runkey, sizeof(runkey), "run %lld", (long long)x->run);
        if (x->engine_user < 0) {
            x->engine_user = REFI_PUSH(m, users);
            if (x->engine_user < 0) {
                status = oom(x);
                break;
            }
            m->users[x->engine_user].name = REFI_SUGGESTION_USER;
            m->users[x->engine_user].guid =
                guid_of(x, "user", REFI_SUGGESTION_USER);
            set = REFI_PUSH(m, sets);
            if (set < 0) {
                status = oom(x);
                break;
            }
            m->sets[set].name = "quarry: pending review";
            m->sets[set].guid = guid_of(x, "set", "pending review");
            m->sets[set].description =
                "Sources with suggestions of quarry's latest run that no "
                "coder has decided on yet.";
        }
        if (xrow != last) {
            refi_selection *h = &m->selections[human];
            if (sel >= 0) {
                m->selections[sel].description = refi_str(m, desc);
            }
            sel = REFI_PUSH(m, selections);
            if (sel < 0) {
                status = oom(x);
                break;
            }
            h = &m->selections[human];
            m->selections[sel] = *h;
            m->selections[sel].user = x->engine_user;
            m->selections[sel].created =
                refi_is_datetime(started) ? refi_str(m, started) : NULL;
            m->selections[sel].guid =
                coding_guid(x, "suggestion-selection", xid, "", runkey);
            desc[0] = '\0';
            last = xrow;
            /* The source joins the pending set once. */
            for (k = 0; k < m->n_refs; k++)
                if (m->refs[k].owner_kind == REFI_K_SET &&
                    m->refs[k].owner == set && m->refs[k].target == h->source)
                    break;
            if (k == m->n_refs) {
                k = REFI_PUSH(m, refs);
                if (k < 0) {
                    status = oom(x);
                    break;
                }
                m->refs[k].owner_kind = REFI_K_SET;
                m->refs[k].owner = set;
                m->refs[k].target_kind = REFI_K_SOURCE;
                m->refs[k].target = m->selections[sel].source;
            }
        }
        snprintf(line, sizeof(line),
                 "%squarry suggestion (%s), rank %d: %s (%s), score %.3f, "
                 "confidence %.3f",
                 desc[0] ? "\n" : "", runkey, sqlite3_column_int(st, 4),
                 project_col_text(st, 2), project_col_text(st, 3),
                 sqlite3_column_double(st, 5), sqlite3_column_double(st, 6));
        ev = json_loads(
            project_col_text(st, 7) ? project_col_text(st, 7) : "{}", 0, NULL);
        if (ev != NULL) {
            describe(ev, line, sizeof(line));
            json_decref(ev);
        }
        if (strlen(desc) + strlen(line) < sizeof(desc))
            strcat(desc, line);
        k = REFI_PUSH(m, codings);
        if (k < 0) {
            status = oom(x);
            break;
        }
        m->codings[k].code = -1;
        {
            int64_t code_row;
            status = project_code_id(x->p, project_col_text(st, 2), &code_row);
            if (status != QUARRY_OK)
                break;
            m->codings[k].code = idmap_get(&x->codes, code_row);
        }
        m->codings[k].user = x->engine_user;
        m->codings[k].source = m->selections[sel].source;
        m->codings[k].selection = sel;
        m->codings[k].created = m->selections[sel].created;
        m->codings[k].guid =
            coding_guid(x, "suggestion", xid, project_col_text(st, 2), runkey);
    }
    if (sel >= 0)
        m->selections[sel].description = refi_str(m, desc);
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(x->p, "cannot read the suggestions");
    sqlite3_finalize(st);
    return status;
}

/*
 * Cases: one per participant, never one per speaker label (P01 of one study
 * is not P01 of another). A selection's case is its excerpt's study and
 * participant attributes; else the case an import read; else its speaker
 * within its source. Study and participant go out as Text variables on the
 * case, and the speaker too when all its selections share one, so an
 * import gives each excerpt its speaker back.
 */
typedef struct case_key {
    const char *study, *participant, *name;
    const char *speaker; /* the one speaker of its selections, or NULL */
    int mixed;           /* its selections have different speakers */
} case_key;

static int32_t case_variable(exporter *x, const char *name)
{
    refi_model *m = x->m;
    int32_t v;
    for (v = 0; v < m->n_variables; v++)
        if (strcmp(m->variables[v].name, name) == 0)
            return v;
    v = REFI_PUSH(m, variables);
    if (v < 0)
        return -1;
    m->variables[v].name = name;
    m->variables[v].type = REFI_V_TEXT;
    m->variables[v].guid = guid_of(x, "variable", name);
    return v;
}

static int case_value(exporter *x, int32_t c, const char *var,
                      const char *value)
{
    refi_model *m = x->m;
    int32_t v, k;
    if (value == NULL)
        return QUARRY_OK;
    v = case_variable(x, var);
    k = v < 0 ? -1 : REFI_PUSH(m, values);
    if (k < 0)
        return oom(x);
    m->values[k].owner_kind = REFI_K_CASE;
    m->values[k].owner = c;
    m->values[k].variable = v;
    m->values[k].type = REFI_V_TEXT;
    m->values[k].value = value;
    return QUARRY_OK;
}

/* A reference of case c to a selection or source, once. */
static int case_ref(exporter *x, int32_t c, refi_kind kind, int32_t target)
{
    refi_model *m = x->m;
    int32_t k;
    for (k = m->n_refs - 1; k >= 0 && kind == REFI_K_SOURCE; k--)
        if (m->refs[k].owner_kind == REFI_K_CASE && m->refs[k].owner == c &&
            m->refs[k].target_kind == kind && m->refs[k].target == target)
            return QUARRY_OK;
    k = REFI_PUSH(m, refs);
    if (k < 0)
        return oom(x);
    m->refs[k].owner_kind = REFI_K_CASE;
    m->refs[k].owner = c;
    m->refs[k].target_kind = kind;
    m->refs[k].target = target;
    return QUARRY_OK;
}

static int load_cases(exporter *x)
{
    refi_model *m = x->m;
    case_key *keys = NULL;
    int32_t i, c, n_keys = 0;
    int status = QUARRY_OK;
    char buf[1024];
    if (x->n_who == 0)
        return QUARRY_OK;
    keys = calloc((size_t)x->n_who, sizeof(*keys));
    if (keys == NULL)
        return oom(x);
    for (i = 0; i < x->n_who && status == QUARRY_OK; i++) {
        const struct sel_who *w = &x->who[i];
        case_key key;
        memset(&key, 0, sizeof(key));
        if (w->participant != NULL && *w->participant != '\0') {
            key.study = w->study && *w->study ? w->study : NULL;
            key.participant = w->participant;
            if (key.study != NULL)
                snprintf(buf, sizeof(buf), "%s (%s)", key.participant,
                         key.study);
            else
                snprintf(buf, sizeof(buf), "%s", key.participant);
        } else if (w->case_name != NULL && *w->case_name != '\0') {
            snprintf(buf, sizeof(buf), "%s", w->case_name);
        } else if (w->speaker != NULL && *w->speaker != '\0') {
            snprintf(buf, sizeof(buf), "%s (%s)", w->speaker,
                     m->sources[m->selections[i].source].name
                         ? m->sources[m->selections[i].source].name
                         : "");
        } else {
            continue;
        }
        for (c = 0; c < n_keys; c++)
            if (strcmp(keys[c].name, buf) == 0 &&
                (keys[c].study == NULL) == (key.study == NULL) &&
                (key.study == NULL || strcmp(keys[c].study, key.study) == 0))
                break;
        if (c == n_keys) {
            int32_t mc = REFI_PUSH(m, cases);
            if (mc != c) {
                status = oom(x);
                break;
            }
            key.name = refi_str(m, buf);
            keys[n_keys++] = key;
            m->cases[c].name = key.name;
            m->cases[c].guid = guid_of(x, "case", key.name);
            if (key.name == NULL || m->cases[c].guid == NULL) {
                status = oom(x);
                break;
            }
        }
        /* A selection with a speaker is the case's by a SelectionRef (an
         * import takes the case's speaker for it); one without, by a
         * SourceRef of its source (the case, but no speaker). */
        if (w->speaker != NULL && *w->speaker != '\0') {
            if (keys[c].speaker == NULL)
                keys[c].speaker = w->speaker;
            else if (strcmp(keys[c].speaker, w->speaker) != 0)
                keys[c].mixed = 1;
            status = case_ref(x, c, REFI_K_SELECTION, i);
        } else {
            status = case_ref(x, c, REFI_K_SOURCE, m->selections[i].source);
        }
    }
    for (c = 0; c < n_keys && status == QUARRY_OK; c++) {
        status = case_value(x, c, "study", keys[c].study);
        if (status == QUARRY_OK)
            status = case_value(x, c, "participant", keys[c].participant);
        if (status == QUARRY_OK && !keys[c].mixed)
            status = case_value(x, c, "speaker", keys[c].speaker);
    }
    free(keys);
    return status;
}

static int load_run_note(exporter *x)
{
    refi_model *m = x->m;
    sqlite3_stmt *st = project_prepare(
        x->p, "SELECT id, command, started_at, quarry_version, plugins,"
              " options, n_train, n_input FROM runs ORDER BY id DESC LIMIT 1");
    int32_t k;
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        char key[32], *text, *command, *options;
        const char *started = project_col_text(st, 2);
        size_t n;
        snprintf(key, sizeof(key), "run:%lld",
                 (long long)sqlite3_column_int64(st, 0));
        k = REFI_PUSH(m, notes);
        if (k < 0) {
            sqlite3_finalize(st);
            return oom(x);
        }
        n = 256 +
            strlen(project_col_text(st, 4) ? project_col_text(st, 4) : "") +
            strlen(project_col_text(st, 5) ? project_col_text(st, 5) : "") +
            strlen(project_col_text(st, 1) ? project_col_text(st, 1) : "");
        text = malloc(n);
        command = quarry_run_command_shown(
            project_col_text(st, 1) ? project_col_text(st, 1) : "");
        options = quarry_run_options_shown(
            project_col_text(st, 5) ? project_col_text(st, 5) : "");
        if (text == NULL || command == NULL || options == NULL) {
            free(text);
            free(command);
            free(options);
            sqlite3_finalize(st);
            return oom(x);
        }
        snprintf(text, n,
                 "quarry %s, run %lld, started %s\ncommand: %s\n"
                 "learnt from %lld coded excerpts, suggested for %lld\n"
                 "plugins: %s\noptions: %s",
                 project_col_text(st, 3),
                 (long long)sqlite3_column_int64(st, 0), started ? started : "",
                 command,
                 (long long)sqlite3_column_int64(st, 6),
                 (long long)sqlite3_column_int64(st, 7),
                 project_col_text(st, 4) ? project_col_text(st, 4) : "",
                 options);
        m->notes[k].text = refi_str(m, text);
        m->notes[k].text_len = strlen(text);
        free(text);
        free(command);
        free(options);
        m->notes[k].name = "quarry run log";
        m->notes[k].guid = guid_of(x, "note", key);
        m->notes[k].user = -1;
        m->notes[k].created =
            refi_is_datetime(started) ? refi_str(m, started) : NULL;
    }
    sqlite3_finalize(st);
    return QUARRY_OK;
}

/* A NoteRef from owner to note k. */
static int note_ref(exporter *x, refi_kind kind, int32_t owner, int32_t k)
{
    refi_model *m = x->m;
    int32_t r = REFI_PUSH(m, refs);
    if (r < 0)
        return oom(x);
    m->refs[r].owner_kind = kind;
    m->refs[r].owner = owner;
    m->refs[r].target_kind = REFI_K_NOTE;
    m->refs[r].target = k;
    return QUARRY_OK;
}

/* Every memo as a Note, under the GUID an import kept when it is a GUID
 * and free, else uuid5 of "memo:<id>"; an excerpt memo whose excerpt has
 * no place in the file goes with a notice. */
static int load_memos(exporter *x)
{
    refi_model *m = x->m;
    sqlite3_stmt *st = project_prepare(
        x->p, "SELECT n.id, n.excerpt_id, n.code_id, n.coder_id, n.made_at,"
              " n.text, n.guid, c.name, e.xid, k.code, n.revises FROM memos n"
              " JOIN coders c ON c.id = n.coder_id"
              " LEFT JOIN excerpts e ON e.id = n.excerpt_id"
              " LEFT JOIN codes k ON k.id = n.code_id ORDER BY n.id");
    int rc, status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kept = project_col_text(st, 6), *made;
        const char *xid = no_abs_paths(x, project_col_text(st, 8));
        const char *code = project_col_text(st, 9);
        char key[32], norm[37], name[160];
        refi_kind owner_kind = REFI_K_PROJECT;
        int32_t k, owner = 0;
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            owner = idmap_get(&x->sels, sqlite3_column_int64(st, 1));
            owner_kind = REFI_K_SELECTION;
            if (owner <= -2) { /* the whole source */
                owner = -2 - owner;
                owner_kind = REFI_K_SOURCE;
            } else if (owner < 0) {
                refi_notice(m, "memo-no-place",
                            "memo %lld on excerpt \"%s\": the excerpt has "
                            "no place in its source's text; not exported",
                            (long long)sqlite3_column_int64(st, 0),
                            xid ? xid : "");
                continue;
            }
        } else if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            owner = idmap_get(&x->codes, sqlite3_column_int64(st, 2));
            owner_kind = REFI_K_CODE;
            if (owner < 0)
                continue;
        }
        k = REFI_PUSH(m, notes);
        if (k < 0) {
            status = oom(x);
            break;
        }
        snprintf(key, sizeof(key), "%lld",
                 (long long)sqlite3_column_int64(st, 0));
        if (kept != NULL && refi_guid_normalise(kept, norm) == 0 &&
            refi_guid_add(m, norm, REFI_K_NOTE, k) == 0)
            m->notes[k].guid = refi_str(m, norm);
        else
            m->notes[k].guid = guid_of(x, "memo", key);
        snprintf(name, sizeof(name), "memo by %.60s on %s%.60s",
                 project_col_text(st, 7),
                 owner_kind == REFI_K_PROJECT ? "the project"
                 : code != NULL               ? "code "
                                              : "excerpt ",
                 owner_kind == REFI_K_PROJECT ? ""
                 : code != NULL               ? code
                                              : (xid ? xid : ""));
        m->notes[k].name = refi_str(m, name);
        m->notes[k].user = idmap_get(&x->users, sqlite3_column_int64(st, 3));
        made = project_col_text(st, 4);
        m->notes[k].created = refi_is_datetime(made) ? refi_str(m, made)
                                                     : NULL;
        m->notes[k].text = refi_strn(m, project_col_text(st, 5),
                                     (size_t)sqlite3_column_bytes(st, 5));
        m->notes[k].text_len = (size_t)sqlite3_column_bytes(st, 5);
        if (m->notes[k].guid == NULL || m->notes[k].name == NULL ||
            m->notes[k].text == NULL)
            status = oom(x);
        else
            status = note_ref(x, owner_kind, owner, k);
        /* The version it revises, for quarry's own entry: an earlier memo,
         * so its note is loaded already (or left out: then none). */
        if (status == QUARRY_OK && k >= x->cap_note_revises) {
            int32_t cap = 2 * k + 64, t;
            int32_t *g = realloc(x->note_revises, (size_t)cap * sizeof(*g));
            if (g == NULL) {
                status = oom(x);
                break;
            }
            for (t = x->cap_note_revises; t < cap; t++)
                g[t] = -1;
            x->note_revises = g;
            x->cap_note_revises = cap;
        }
        if (status == QUARRY_OK &&
            idmap_add(&x->memos, sqlite3_column_int64(st, 0), k) != 0)
            status = oom(x);
        if (status == QUARRY_OK && sqlite3_column_type(st, 10) != SQLITE_NULL)
            x->note_revises[k] =
                idmap_get(&x->memos, sqlite3_column_int64(st, 10));
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(x->p, "cannot read the memos");
    sqlite3_finalize(st);
    return status;
}

/* quarry's own entry (refi_trip.h), once every GUID is final: the code
 * ids, each selection's excerpt (id, speaker, attributes), the excerpts
 * that are no selection, the codings' origins, the memos' earlier
 * versions, and how endPosition and CR LF count in this file. */
static int build_trip(exporter *x, const quarry_refi_options *o)
{
    refi_model *m = x->m;
    json_t *t = json_object(), *codes = json_object(), *sels = json_object();
    json_t *codings = json_object(), *memos = json_object();
    json_t *notes = json_object();
    int32_t i;
    int bad = t == NULL || codes == NULL || sels == NULL || codings == NULL ||
              memos == NULL || notes == NULL;
    for (i = 0; !bad && i < m->n_codes; i++) {
        json_t *cn = json_array_get(x->code_notes, (size_t)i);
        bad = x->code_ids[i] == NULL ||
              json_object_set_new(codes, m->codes[i].guid,
                                  json_string(x->code_ids[i])) ||
              (json_object_size(cn) > 0 &&
               json_object_set(notes, m->codes[i].guid, cn));
    }
    for (i = 0; !bad && i < x->n_who; i++) {
        const struct sel_who *w = &x->who[i];
        json_t *e = json_object(),
               *a = w->attributes ? json_loads(w->attributes, 0, NULL) : NULL;
        if (json_is_object(a))
            json_no_abs_paths(x, a);
        if (w->parent >= 0) {
            json_decref(a);
            bad = e == NULL ||
                  json_object_set_new(
                      e, "passage_of",
                      json_string(m->selections[w->parent].guid)) ||
                  json_object_set_new(e, "span",
                                      json_pack("[I, I]",
                                                (json_int_t)w->span[0],
                                                (json_int_t)w->span[1]));
            if (bad)
                json_decref(e);
            else
                bad = json_object_set_new(sels, m->selections[i].guid, e);
            continue;
        }
        bad = e == NULL || w->xid == NULL ||
              json_object_set_new(e, "id", json_string(w->xid)) ||
              json_object_set_new(e, "speaker", w->speaker
                                                    ? json_string(w->speaker)
                                                    : json_null()) ||
              (json_is_object(a) && json_object_set(e, "attributes", a));
        json_decref(a);
        if (bad)
            json_decref(e);
        else
            bad = json_object_set_new(sels, m->selections[i].guid, e);
    }
    for (i = 0; !bad && i < m->n_codings && i < x->cap_coding_origin; i++)
        if (x->coding_origin[i] != NULL)
            bad = json_object_set_new(codings, m->codings[i].guid,
                                      json_string(x->coding_origin[i]));
    for (i = 0; !bad && i < m->n_notes && i < x->cap_note_revises; i++)
        if (x->note_revises[i] >= 0)
            bad = json_object_set_new(
                memos, m->notes[i].guid,
                json_string(m->notes[x->note_revises[i]].guid));
    if (!bad)
        bad = json_object_set_new(t, "quarry",
                                  json_integer(REFI_TRIP_VERSION)) ||
              json_object_set_new(
                  t, "end",
                  json_string(o->end == QUARRY_REFI_END_EXCLUSIVE
                                  ? "exclusive"
                                  : "inclusive")) ||
              json_object_set_new(t, "crlf",
                                  json_string(o->crlf == QUARRY_REFI_CRLF_ONE
                                                  ? "one"
                                                  : "two")) ||
              json_object_set(t, "codes", codes) ||
              json_object_set(t, "code_notes", notes) ||
              json_object_set(t, "excerpts", sels) ||
              json_object_set(t, "rest", x->rest) ||
              json_object_set(t, "codings", codings) ||
              json_object_set(t, "memos", memos);
    if (!bad) {
        /* Keys in the order added (jansson keeps it), which is the
         * queries' order: the same project gives the same bytes, and the
         * attributes keep their order. */
        m->trip_json = json_dumps(t, JSON_COMPACT);
        bad = m->trip_json == NULL;
        if (!bad)
            m->trip_len = strlen(m->trip_json);
    }
    json_decref(t);
    json_decref(codes);
    json_decref(sels);
    json_decref(codings);
    json_decref(memos);
    json_decref(notes);
    return bad ? oom(x) : QUARRY_OK;
}

static int load_project(quarry_project *p, refi_model *m,
                        const quarry_refi_options *o)
{
    int full = o != NULL;
    exporter x;
    sqlite3_stmt *st;
    const char *created = NULL, *base;
    char *name;
    int status;
    memset(&x, 0, sizeof(x));
    x.p = p;
    x.m = m;
    x.engine_user = -1;
    st = project_prepare(p, "SELECT value FROM meta WHERE key = 'created_at'");
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        created = refi_str(m, project_col_text(st, 0));
    sqlite3_finalize(st);
    status = refi_project_ns(p, x.ns);
    if (status != QUARRY_OK)
        return status;
    m->guid = refi_str(m, x.ns);
    m->created = refi_is_datetime(created) ? created : NULL;
    {
        char origin[64];
        snprintf(origin, sizeof(origin), "quarry %s", quarry_version());
        m->origin = refi_str(m, origin);
    }
    /* The name a REFI import read, else the file's name. */
    status = project_meta_get(p, REFI_META_PROJECT_NAME, &name);
    if (status != QUARRY_OK)
        return status;
    if (name == NULL) {
        base = p->path ? strrchr(p->path, '/') : NULL;
        base = base ? base + 1 : p->path ? p->path : "project";
        name = strdup(base);
        if (name == NULL)
            return oom(&x);
        if (strrchr(name, '.') != NULL && strrchr(name, '.') != name)
            *strrchr(name, '.') = '\0';
    }
    m->name = refi_str(m, name);
    free(name);
    x.rest = json_object();
    x.code_notes = json_array();
    status = x.rest != NULL && x.code_notes != NULL ? load_codes(&x)
                                                      : oom(&x);
    if (status == QUARRY_OK && full)
        status = load_users(&x);
    if (status == QUARRY_OK && full)
        status = load_sources(&x);
    if (status == QUARRY_OK && full)
        status = load_codings(&x);
    if (status == QUARRY_OK && full)
        status = load_suggestions(&x);
    if (status == QUARRY_OK && full)
        status = load_cases(&x);
    if (status == QUARRY_OK && full)
        status = load_run_note(&x);
    if (status == QUARRY_OK && full)
        status = load_memos(&x);
    if (status == QUARRY_OK)
        status = check_kept_guids(&x);
    if (status == QUARRY_OK && full)
        status = build_trip(&x, o);
    free(x.code_alt);
    free(x.code_ids);
    free(x.coding_origin);
    free(x.note_revises);
    idmap_free(&x.memos);
    json_decref(x.rest);
    json_decref(x.code_notes);
    free(x.user_alt);
    idmap_free(&x.codes);
    idmap_free(&x.users);
    idmap_free(&x.sels);
    free(x.who);
    return status;
}

/* o->end and o->crlf on auto: what an import read (REFI_META_END,
 * REFI_META_CRLF), else the standard's (inclusive, two). */
static int export_conventions(quarry_project *p, quarry_refi_options *o)
{
    char *v = NULL;
    int status = QUARRY_OK;
    if (o->end == QUARRY_REFI_END_AUTO) {
        status = project_meta_get(p, REFI_META_END, &v);
        if (status == QUARRY_OK && v != NULL)
            o->end = strcmp(v, "exclusive") == 0 ? QUARRY_REFI_END_EXCLUSIVE
                                                 : QUARRY_REFI_END_INCLUSIVE;
        free(v);
        v = NULL;
    }
    if (status == QUARRY_OK && o->crlf == QUARRY_REFI_CRLF_AUTO) {
        status = project_meta_get(p, REFI_META_CRLF, &v);
        if (status == QUARRY_OK && v != NULL && strcmp(v, "one") == 0)
            o->crlf = QUARRY_REFI_CRLF_ONE;
        free(v);
    }
    return status;
}

/* To path, or (path NULL) into *bytes and *len. */
static int export_qdpx(quarry_project *p, const char *path,
                       const quarry_refi_options *o, char **bytes,
                       size_t *len)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT, local;
    refi_model m;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (o == NULL)
        o = &def;
    /* On auto, the counting a REFI import read goes back out. */
    local = *o;
    status = export_conventions(p, &local);
    if (status != QUARRY_OK)
        return status;
    refi_model_init(&m);
    status = load_project(p, &m, &local);
    if (status == QUARRY_OK) {
        status = path != NULL ? refi_write_qdpx(&m, path, &local)
                              : refi_write_qdpx_buffer(&m, &local, bytes, len);
        if (status != QUARRY_OK)
            project_fail(p, status, "%s", m.errmsg);
    }
    refi_emit_notices(&m, o);
    refi_model_free(&m);
    return status;
}

int quarry_project_export_qdpx(quarry_project *p, const char *path,
                               const quarry_refi_options *o)
{
    if (path == NULL) {
        int status = project_check(p, 0);
        return status != QUARRY_OK
                   ? status
                   : project_fail(p, QUARRY_EINVAL, "a .qdpx is a zip "
                                                    "archive: give a file "
                                                    "to write");
    }
    return export_qdpx(p, path, o, NULL, NULL);
}

int quarry_project_export_qdpx_buffer(quarry_project *p,
                                      const quarry_refi_options *o,
                                      char **bytes, size_t *len)
{
    int status;
    if (bytes == NULL || len == NULL)
        return QUARRY_EINVAL;
    *bytes = NULL;
    *len = 0;
    status = export_qdpx(p, NULL, o, bytes, len);
    if (status != QUARRY_OK) {
        free(*bytes);
        *bytes = NULL;
        *len = 0;
    }
    return status;
}

int quarry_project_export_qdc(quarry_project *p, FILE *out)
{
    refi_model m;
    char *buf = NULL;
    size_t len = 0;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    refi_model_init(&m);
    status = load_project(p, &m, NULL);
    if (status == QUARRY_OK) {
        status = refi_write_qdc(&m, &buf, &len);
        if (status != QUARRY_OK)
            project_fail(p, status, "%s: %s", p->path, m.errmsg);
    }
    if (status == QUARRY_OK && (fwrite(buf, 1, len, out) != len || ferror(out)))
        status = project_fail(p, QUARRY_EIO, "cannot write the codebook");
    free(buf);
    refi_model_free(&m);
    return status;
}
