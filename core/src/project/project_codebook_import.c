/*
 * project_codebook_import.c -- a codebook file into a project (`quarry
 * codebook import`, `quarry init --codebook`): a JSON codebook
 * (quarry_codebook_load) or a REFI-QDA .qdc (quarry_project_import_qdc,
 * run inside this file's transaction).
 *
 * Whatever the file, the import is judged by what it did to the codes
 * table: the table is copied first (temp.qcb_before), the file applied,
 * and the two compared row by row. That one comparison lists every code
 * added and every field changed, undoes the changes to codes the project
 * had unless the caller asked for them (update), records what stays in
 * the code history as `quarry code` edits are recorded, and checks the
 * codebook the project would have: names unique among siblings (letter
 * case aside), names a person could type, a tree. Anything wrong and the
 * whole import is rolled back, naming the file and the codes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codebook.h"
#include "engine.h"
#include "project_db.h"
#include "quarry/refi.h"
#include "refi_project.h"

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

/* After an import: every parent exists and no code is its own ancestor.
 * Read once and walked in memory, each code visited once (a recursive
 * query walked every chain from every code: quadratic in the depth). */
typedef struct tree_node {
    char *code, *parent;
    int64_t up;  /* index of the parent, -1: none, -2: not a code */
    int state;   /* 0 unseen, 1 on the walk in hand, 2 done */
} tree_node;

static int node_cmp(const void *a, const void *b)
{
    return strcmp(((const tree_node *)a)->code, ((const tree_node *)b)->code);
}

static int check_tree(quarry_project *p, const char *path)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT code, parent FROM codes ORDER BY id");
    tree_node *t = NULL, *sorted = NULL;
    int64_t n = 0, cap = 0, i, *at = NULL;
    int rc, status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c = project_col_text(st, 0);
        const char *par = (const char *)sqlite3_column_text(st, 1);
        if (n == cap) {
            tree_node *g = realloc(t, (size_t)(cap ? 2 * cap : 64) * sizeof *t);
            if (g == NULL)
                goto oom;
            t = g;
            cap = cap ? 2 * cap : 64;
        }
        t[n].code = strdup(c);
        t[n].parent = par ? strdup(par) : NULL;
        t[n].up = -1;
        t[n].state = 0;
        n++;
        if (t[n - 1].code == NULL || (par && t[n - 1].parent == NULL))
            goto oom;
    }
    if (rc != SQLITE_DONE) {
        status = project_db_fail(p, "cannot read the codes");
        goto out;
    }
    /* Parents by binary search over the codes sorted by name; at[k]: the
     * row order index of sorted[k]. */
    sorted = malloc((size_t)(n ? n : 1) * sizeof *sorted);
    at = malloc((size_t)(n ? n : 1) * sizeof *at);
    if (sorted == NULL || at == NULL)
        goto oom;
    for (i = 0; i < n; i++) {
        sorted[i] = t[i];
        sorted[i].up = i;
    }
    qsort(sorted, (size_t)n, sizeof *sorted, node_cmp);
    for (i = 0; i < n; i++)
        at[i] = sorted[i].up;
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        tree_node key, *hit;
        if (t[i].parent == NULL)
            continue;
        key.code = t[i].parent;
        hit = bsearch(&key, sorted, (size_t)n, sizeof *sorted, node_cmp);
        t[i].up = hit ? at[hit - sorted] : -2;
    }
    /* Walk up from each unseen code; meeting the walk in hand is a cycle,
     * named by its first code in the project's order. */
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        int64_t j = i, k, first;
        while (j >= 0 && t[j].state == 0) {
            t[j].state = 1;
            j = t[j].up;
        }
        if (j >= 0 && t[j].state == 1) {
            first = j;
            for (k = t[j].up; k != j; k = t[k].up)
                if (k < first)
                    first = k;
            status = project_fail(p, QUARRY_EPARSE,
                                  "%s: code \"%s\": is its own ancestor with "
                                  "the project's codes; nothing imported",
                                  path, t[first].code);
        }
        for (j = i; j >= 0 && t[j].state == 1; j = t[j].up)
            t[j].state = 2;
    }
    for (i = 0; i < n && status == QUARRY_OK; i++)
        if (t[i].up == -2)
            status = project_fail(p, QUARRY_EPARSE,
                                  "%s: code \"%s\": parent \"%s\" is not a "
                                  "code",
                                  path, t[i].code, t[i].parent);
    goto out;
oom:
    status = project_fail(p, QUARRY_ENOMEM, "out of memory");
out:
    sqlite3_finalize(st);
    for (i = 0; i < n; i++) {
        free(t[i].code);
        free(t[i].parent);
    }
    free(t);
    free(sorted);
    free(at);
    return status;
}

/* One past the last code's position (0 for none). */
static int64_t next_position(quarry_project *p, int *status)
{
    int64_t next = 0;
    int rc = project_step_int64(
        p,
        project_prepare(p, "SELECT coalesce(max(position), -1) + 1"
                           " FROM codes"),
        &next, "cannot read the codes");
    if (rc != QUARRY_OK)
        *status = rc;
    return next;
}


/* ------------------------------------------------------------------ */
/* The JSON file                                                        */

/* Add the file's codes and set the matched ones (by id) to the file's
 * fields; *matched the codes the project had. */
static int apply_json(quarry_project *p, const quarry_codebook *cb,
                      int32_t *matched)
{
    sqlite3_stmt *up = NULL, *ins = NULL;
    int32_t i, n_matched = 0;
    int64_t next_pos;
    int status = QUARRY_OK;
    up = project_prepare(p, "UPDATE codes SET name = ?2, parent = ?3,"
                            " definition = ?4, include_note = ?5,"
                            " exclude_note = ?6, keywords = ?7, color = ?8"
                            " WHERE code = ?1");
    ins = project_prepare(p, "INSERT INTO codes(code, name, parent,"
                             " definition, include_note, exclude_note,"
                             " keywords, color, position) VALUES(?1, ?2, ?3,"
                             " ?4, ?5, ?6, ?7, ?8, ?9)");
    if (up == NULL || ins == NULL)
        status = QUARRY_EIO;
    /* The next position, read once: a max() per insert made a large
     * codebook quadratic (positions are not indexed). */
    next_pos = status == QUARRY_OK ? next_position(p, &status) : 0;
    for (i = 0; i < cb->n_codes && status == QUARRY_OK; i++) {
        const codebook_code *c = &cb->codes[i];
        json_t *kw = json_array();
        char *kw_text;
        int32_t k;
        for (k = 0; kw != NULL && k < c->n_keywords; k++)
            json_array_append_new(kw, json_string(c->keywords[k]));
        kw_text = kw ? json_dumps(kw, JSON_COMPACT) : NULL;
        json_decref(kw);
        if (kw_text == NULL) {
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        bind_code(up, c, kw_text);
        if (sqlite3_step(up) != SQLITE_DONE) {
            status = project_db_fail(p, "cannot update a code");
        } else if (sqlite3_changes(p->db) > 0) {
            n_matched++;
        } else {
            bind_code(ins, c, kw_text);
            sqlite3_bind_int64(ins, 9, next_pos++);
            if (sqlite3_step(ins) != SQLITE_DONE)
                status = project_db_fail(p, "cannot add a code");
        }
        free(kw_text);
        if (status == QUARRY_OK)
            status = project_set_codable(p, c->id, c->codable);
    }
    sqlite3_finalize(up);
    sqlite3_finalize(ins);
    *matched = n_matched;
    return status;
}

/* ------------------------------------------------------------------ */
/* Before and after                                                     */

/* The codes table as it was, with each code's codable mark. */
static const char snapshot_sql[] =
    "DROP TABLE IF EXISTS temp.qcb_before;"
    "CREATE TEMP TABLE qcb_before AS SELECT c.id AS id, c.code AS code,"
    " c.name AS name, c.parent AS parent, c.definition AS definition,"
    " c.include_note AS include_note, c.exclude_note AS exclude_note,"
    " c.keywords AS keywords, c.color AS color,"
    " EXISTS (SELECT 1 FROM meta m WHERE m.key = '" PROJECT_META_CODABLE
    "' || c.code AND m.value = '1') AS codable FROM codes c;"
    "CREATE UNIQUE INDEX temp.qcb_before_id ON qcb_before(id);"
    "CREATE INDEX temp.qcb_before_parent ON qcb_before(parent);";

/* Had children before the import (?: the code's id). */
#define WAS_PARENT(code)                                                      \
    "EXISTS (SELECT 1 FROM temp.qcb_before k WHERE k.parent = " code ")"

/* Every code back as it was (update 0): the file's new codes stay. A
 * code that was a leaf keeps the file's codable mark, which meant nothing
 * on a leaf: whether a code that gets its first child here is a theme. */
static const char revert_sql[] =
    "UPDATE codes SET name = b.name, parent = b.parent,"
    " definition = b.definition, include_note = b.include_note,"
    " exclude_note = b.exclude_note, keywords = b.keywords, color = b.color"
    " FROM temp.qcb_before b WHERE codes.id = b.id;"
    "DELETE FROM meta WHERE key IN (SELECT '" PROJECT_META_CODABLE
    "' || b.code FROM temp.qcb_before b WHERE " WAS_PARENT("b.code") ");"
    "INSERT OR REPLACE INTO meta(key, value) SELECT '" PROJECT_META_CODABLE
    "' || b.code, '1' FROM temp.qcb_before b WHERE b.codable AND "
    WAS_PARENT("b.code") ";";

/* A code with codings that got its first child here stays codable (its
 * codings stay codings, not a theme's), as quarry code add has it. */
static const char keep_codable_sql[] =
    "INSERT OR REPLACE INTO meta(key, value) SELECT '" PROJECT_META_CODABLE
    "' || c.code, '1' FROM codes c JOIN temp.qcb_before b ON b.id = c.id"
    " WHERE NOT " WAS_PARENT("b.code")
    " AND EXISTS (SELECT 1 FROM codes k WHERE k.parent = c.code)"
    " AND EXISTS (SELECT 1 FROM codings g WHERE g.code_id = c.id);";

/* The fields compared, in the order they are listed: the column now,
 * the column before (keywords: none and [] alike). */
enum { N_FIELDS = 8 };
static const char *const field_names[N_FIELDS] = {
    "name",     "parent", "definition", "include",
    "exclude",  "keywords", "color",    "codable"};

static const char diff_sql[] =
    "SELECT c.id, c.code, c.name, b.name, c.parent, b.parent,"
    " c.definition, b.definition, c.include_note, b.include_note,"
    " c.exclude_note, b.exclude_note,"
    " coalesce(c.keywords, '[]'), coalesce(b.keywords, '[]'),"
    " c.color, b.color,"
    " CASE WHEN EXISTS (SELECT 1 FROM meta m WHERE m.key = '"
    PROJECT_META_CODABLE "' || c.code AND m.value = '1') THEN 'true'"
    " ELSE 'false' END, CASE WHEN b.codable THEN 'true' ELSE 'false' END,"
    " EXISTS (SELECT 1 FROM codes k WHERE k.parent = c.code) AND "
    WAS_PARENT("b.code")
    " FROM codes c JOIN temp.qcb_before b ON b.id = c.id"
    " ORDER BY c.position, c.id";

static const char added_sql[] =
    "SELECT c.id, c.code, c.name, c.parent, c.definition FROM codes c"
    " WHERE NOT EXISTS (SELECT 1 FROM temp.qcb_before b WHERE b.id = c.id)"
    " ORDER BY c.position, c.id";

/* One line of the listing; strings malloc'ed. field -1: a new code. */
typedef struct change {
    int64_t row;
    int field;
    char *code, *name, *before, *after, *definition;
} change;

typedef struct change_list {
    change *v;
    size_t n, cap;
    int32_t codes_differ; /* codes with at least one change */
} change_list;

static void changes_free(change_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->v[i].code);
        free(l->v[i].name);
        free(l->v[i].before);
        free(l->v[i].after);
        free(l->v[i].definition);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int change_add(quarry_project *p, change_list *l, int64_t row,
                      int field, const char *code, const char *name,
                      const char *before, const char *after,
                      const char *definition)
{
    change *c;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        change *g = realloc(l->v, cap * sizeof *g);
        if (g == NULL)
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        l->v = g;
        l->cap = cap;
    }
    c = &l->v[l->n++];
    memset(c, 0, sizeof *c);
    c->row = row;
    c->field = field;
    c->code = dup_or_null(code);
    c->name = dup_or_null(name);
    c->before = dup_or_null(before);
    c->after = dup_or_null(after);
    c->definition = dup_or_null(definition);
    if ((code && !c->code) || (name && !c->name) || (before && !c->before) ||
        (after && !c->after) || (definition && !c->definition))
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    return QUARRY_OK;
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The codes the file added, then every field of a project code that is
 * not what it was, in codebook order. update: the name listed is the
 * new one. */
static int list_changes(quarry_project *p, int update, change_list *l)
{
    sqlite3_stmt *st = project_prepare(p, added_sql);
    int rc, f, status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        status = change_add(p, l, sqlite3_column_int64(st, 0), -1,
                            project_col_text(st, 1), project_col_text(st, 2),
                            NULL, project_col_text(st, 3),
                            project_col_text(st, 4));
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codes");
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, diff_sql);
    if (st == NULL)
        return QUARRY_EIO;
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t row = sqlite3_column_int64(st, 0);
        int any = 0, parent = sqlite3_column_int(st, 18);
        const char *code = project_col_text(st, 1);
        const char *name = project_col_text(st, update ? 2 : 3);
        for (f = 0; f < N_FIELDS && status == QUARRY_OK; f++) {
            const char *now = project_col_text(st, 2 + 2 * f);
            const char *was = project_col_text(st, 3 + 2 * f);
            /* A leaf's mark does nothing: only a parent (before and
             * after) is a theme or a codable parent. */
            if (same(now, was) ||
                (strcmp(field_names[f], "codable") == 0 && !parent))
                continue;
            any = 1;
            status = change_add(p, l, row, f, code, name, was, now, NULL);
        }
        l->codes_differ += any;
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codes");
    sqlite3_finalize(st);
    return status;
}

/* ------------------------------------------------------------------ */
/* Checks of the codebook the project would have                        */

/* The names of the codes added (and, update, renamed), and a JSON
 * file's new ids: what quarry code add would refuse. */
static int check_text(quarry_project *p, const char *file,
                      const change_list *l, int json_ids)
{
    size_t i;
    const char *why;
    for (i = 0; i < l->n; i++) {
        const change *c = &l->v[i];
        const char *name = c->field < 0 ? c->name : c->after;
        if (c->field > 0)
            continue;
        if (name != NULL && (why = project_bad_text(name)) != NULL)
            return project_fail(p, QUARRY_EPARSE,
                                "%s: code \"%s\": field \"name\": %s; "
                                "nothing imported",
                                file, c->code, why);
        if (c->field < 0 && json_ids && c->code != NULL &&
            (why = project_bad_text(c->code)) != NULL)
            return project_fail(p, QUARRY_EPARSE,
                                "%s: code \"%s\": field \"id\": %s; "
                                "nothing imported",
                                file, c->code, why);
        if (c->field < 0 && json_ids && c->code != NULL &&
            strcspn(c->code, " \t") != strlen(c->code))
            return project_fail(p, QUARRY_EPARSE,
                                "%s: code \"%s\": field \"id\": holds a "
                                "space (an id is one word, such as C07 or "
                                "sup.peers); nothing imported",
                                file, c->code);
    }
    return QUARRY_OK;
}

/* Two codes under one parent with one name (letter case aside), one of
 * them added or renamed or moved by this import: refused, as quarry code
 * refuses it. Groups of namesakes by one GROUP BY (no pair join: 5,000
 * top-level codes would be 25 million pairs); the project's own older
 * namesakes, which no edit here made, are left alone. */
static int check_siblings(quarry_project *p, const char *file)
{
    sqlite3_stmt *st = project_prepare(
        p, "WITH d AS (SELECT parent AS par, coalesce(name, code) AS n,"
           " min(id) AS g FROM codes GROUP BY parent,"
           " coalesce(name, code) COLLATE NOCASE HAVING count(*) > 1)"
           " SELECT d.g, c.code, coalesce(c.name, c.code), c.parent,"
           " NOT EXISTS (SELECT 1 FROM temp.qcb_before b WHERE b.id = c.id"
           " AND b.parent IS c.parent AND b.name IS c.name) AS touched,"
           " NOT EXISTS (SELECT 1 FROM temp.qcb_before b WHERE b.id = c.id)"
           " FROM d JOIN codes c ON c.parent IS d.par"
           " AND coalesce(c.name, c.code) = d.n COLLATE NOCASE"
           " ORDER BY d.g, touched DESC, c.position, c.id");
    int rc, status = QUARRY_OK;
    int64_t group = -1;
    char *first = NULL, *first_name = NULL, *parent = NULL;
    int first_touched = 0, first_new = 0;
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t g = sqlite3_column_int64(st, 0);
        const char *code = project_col_text(st, 1);
        const char *name = project_col_text(st, 2);
        int is_new = sqlite3_column_int(st, 5);
        if (g != group) {
            group = g;
            free(first);
            free(first_name);
            free(parent);
            first = dup_or_null(code);
            first_name = dup_or_null(name);
            parent = dup_or_null(project_col_text(st, 3));
            first_touched = sqlite3_column_int(st, 4);
            first_new = is_new;
            continue;
        }
        if (!first_touched)
            continue; /* the group's namesakes were there before */
        status = project_fail(
            p, QUARRY_EDUP,
            "%s: code \"%s\" (\"%s\")%s and code \"%s\" (\"%s\")%s would "
            "both be %s%s%s with one name (letter case aside): codes under "
            "one parent need different names, as in quarry code add; "
            "rename one; nothing imported",
            file, first ? first : "", first_name ? first_name : "",
            first_new ? "" : " of the project", code ? code : "",
            name ? name : "",
            is_new ? "" : " of the project",
            parent ? "under \"" : "at the top level", parent ? parent : "",
            parent ? "\"" : "");
        break;
    }
    if (status == QUARRY_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codes");
    sqlite3_finalize(st);
    free(first);
    free(first_name);
    free(parent);
    return status;
}

/* ------------------------------------------------------------------ */
/* The code history                                                     */

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Each code added, and (update) each field changed, as an edit by coder;
 * detail.file names the file the change came from. */
static int record_changes(quarry_project *p, const char *file,
                          const change_list *l, int update, int64_t coder,
                          const char *at)
{
    size_t i;
    int status = QUARRY_OK;
    for (i = 0; i < l->n && status == QUARRY_OK; i++) {
        const change *c = &l->v[i];
        json_t *detail = json_object();
        int op;
        const char *before = c->before, *after = c->after;
        if (detail == NULL)
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        if (c->field < 0) {
            op = QUARRY_CODE_ADD;
            before = NULL;
            after = c->name;
            json_object_set_new(detail, "name", opt_str(c->name));
            json_object_set_new(detail, "parent", opt_str(c->after));
            if (c->definition != NULL)
                json_object_set_new(detail, "definition",
                                    json_string(c->definition));
        } else if (!update) {
            json_decref(detail);
            continue;
        } else if (c->field == 0) {
            op = QUARRY_CODE_RENAME;
        } else if (c->field == 1) {
            op = QUARRY_CODE_MOVE;
        } else {
            op = PROJECT_CODE_EDIT_FIELD;
            json_object_set_new(detail, "field",
                                json_string(field_names[c->field]));
        }
        json_object_set_new(detail, "file", json_string(file));
        status = project_code_history_add(p, op, c->code, coder, at, before,
                                          after, detail, NULL);
    }
    return status;
}

/* ------------------------------------------------------------------ */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int is_qdc(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcasecmp(path + n - 4, ".qdc") == 0;
}

static void report(const change_list *l, int update,
                   const quarry_codebook_import_options *o)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        const change *c = &l->v[i];
        quarry_codebook_change ch;
        ch.code = c->code;
        ch.name = c->name;
        ch.field = c->field < 0 ? NULL : field_names[c->field];
        ch.before = c->before;
        ch.after = c->after;
        ch.applied = c->field < 0 || update;
        o->on_change(o->change_ctx, &ch);
    }
}

/* A code of the file that is new to the project but was merged into
 * another one here (quarry code merge, by its id or its name) stays
 * merged: an older or a colleague's codebook does not bring back what the
 * team folded away. It is taken out again, with a notice saying when and
 * into what; a code under it keeps it. */
static int keep_merged_away(quarry_project *p, const char *file,
                            const quarry_codebook_import_options *o)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT c.id, c.code, coalesce(c.name, c.code), m.after,"
           " coalesce(json_extract(m.detail, '$.into_name'), m.after),"
           " substr(m.made_at, 1, 10) FROM codes c JOIN code_edits m"
           " ON m.op = 'merge' AND (m.code = c.code OR"
           " json_extract(m.detail, '$.name') = coalesce(c.name, c.code)"
           " COLLATE NOCASE)"
           " WHERE c.id NOT IN (SELECT id FROM temp.qcb_before)"
           " AND NOT EXISTS (SELECT 1 FROM codes k WHERE k.parent = c.code)"
           " AND m.id = (SELECT max(m2.id) FROM code_edits m2 WHERE"
           " m2.op = 'merge' AND (m2.code = c.code OR json_extract(m2.detail,"
           " '$.name') = coalesce(c.name, c.code) COLLATE NOCASE))");
    sqlite3_stmt *del = NULL;
    int rc, status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    del = project_prepare(p, "DELETE FROM codes WHERE id = ?1");
    if (del == NULL) {
        sqlite3_finalize(st);
        return QUARRY_EIO;
    }
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char msg[600];
        const char *code = project_col_text(st, 1);
        snprintf(msg, sizeof msg,
                 "%s: code \"%s\" is not added again: it was merged into "
                 "\"%s\" on %s (quarry code merge); add it by hand if it "
                 "should come back",
                 file, project_col_text(st, 2), project_col_text(st, 4),
                 project_col_text(st, 5));
        sqlite3_reset(del);
        sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
        if (sqlite3_step(del) != SQLITE_DONE) {
            status = project_db_fail(p, "cannot take a code out again");
            break;
        }
        status = project_set_codable(p, code, 0);
        if (status == QUARRY_OK) {
            char key[600];
            snprintf(key, sizeof key, "%s%s", REFI_META_CODE_GUID, code);
            status = project_meta_set(p, key, NULL);
        }
        if (status == QUARRY_OK && o->notice != NULL)
            o->notice(o->notice_ctx, QUARRY_LOG_WARN, msg);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(del);
    return status;
}

/* A codebook file at path, or (bytes not NULL) its bytes, path naming it
 * for messages only. */
static int import_codebook(quarry_project *p, quarry_engine *e,
                           const char *path, const char *bytes, size_t len,
                           const quarry_codebook_import_options *given,
                           quarry_codebook_import_stats *stats)
{
    quarry_codebook_import_options o =
        QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT;
    quarry_codebook *cb = NULL;
    change_list l;
    const char *file;
    char at[40];
    int64_t coder = 0;
    int32_t matched = 0, added = 0;
    size_t i;
    int status = project_check(p, 1);
    memset(&l, 0, sizeof l);
    if (stats != NULL)
        memset(stats, 0, sizeof *stats);
    if (status != QUARRY_OK)
        return status;
    if (path == NULL)
        return project_fail(p, QUARRY_EINVAL, "no codebook to import");
    if (given != NULL) {
        if (given->version < 1)
            return project_fail(p, QUARRY_EINVAL,
                                "codebook import options of an unknown "
                                "version");
        o = *given;
    }
    file = base_name(path);
    if (o.coder != NULL && o.coder[strspn(o.coder, " \t")] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "%s: the coder's name is empty: every edit of "
                            "the codebook names who made it", file);
    if (o.time != NULL && !project_valid_time(o.time))
        return project_fail(p, QUARRY_EINVAL,
                            "\"%s\" is not a valid ISO 8601 time "
                            "(YYYY-MM-DDTHH:MM:SSZ)", o.time);
    if (o.time != NULL)
        snprintf(at, sizeof at, "%s", o.time);
    else
        project_now(p, at);
    if (!is_qdc(path)) {
        if (e == NULL)
            return project_fail(p, QUARRY_EINVAL, "no engine");
        status = bytes != NULL ? codebook_parse(&cb, e, bytes, len, file)
                               : quarry_codebook_load(&cb, e, path);
        if (status != QUARRY_OK)
            return project_fail(p, status, "%s", quarry_engine_errmsg(e));
    }
    status = project_begin(p);
    if (status != QUARRY_OK) {
        quarry_codebook_free(cb);
        return status;
    }
    status = project_exec(p, snapshot_sql);
    if (status == QUARRY_OK && cb != NULL) {
        status = apply_json(p, cb, &matched);
    } else if (status == QUARRY_OK) {
        quarry_refi_options ro = QUARRY_REFI_OPTIONS_INIT;
        int32_t updated = 0;
        ro.notice = o.notice;
        ro.notice_ctx = o.notice_ctx;
        status = refi_import_qdc(p, path, bytes, len, &ro, &added, &updated);
        matched = updated;
    }
    if (status == QUARRY_OK)
        status = keep_merged_away(p, file, &o);
    if (status == QUARRY_OK)
        status = list_changes(p, o.update, &l);
    if (status == QUARRY_OK)
        status = check_text(p, file, &l, cb != NULL);
    if (status == QUARRY_OK && !o.update)
        status = project_exec(p, revert_sql);
    if (status == QUARRY_OK)
        status = project_exec(p, keep_codable_sql);
    if (status == QUARRY_OK)
        status = check_tree(p, file);
    if (status == QUARRY_OK)
        status = check_siblings(p, file);
    if (status == QUARRY_OK && o.coder != NULL) {
        status = project_coder_id(p, o.coder, &coder);
        if (status == QUARRY_OK)
            status = record_changes(p, file, &l, o.update, coder, at);
    }
    if (status == QUARRY_OK)
        status = project_exec(p, "DROP TABLE temp.qcb_before");
    if (status == QUARRY_OK)
        status = project_commit(p); /* rolls back when it fails */
    else
        project_rollback(p);
    quarry_codebook_free(cb);
    if (status == QUARRY_OK) {
        for (added = 0, i = 0; i < l.n; i++)
            added += l.v[i].field < 0;
        if (stats != NULL) {
            stats->added = added;
            stats->changed = o.update ? l.codes_differ : 0;
            stats->differ = o.update ? 0 : l.codes_differ;
            stats->unchanged = matched > l.codes_differ
                                   ? matched - l.codes_differ
                                   : 0;
        }
        if (o.on_change != NULL)
            report(&l, o.update, &o);
    }
    changes_free(&l);
    return status;
}

int quarry_project_codebook_import_file(
    quarry_project *p, quarry_engine *e, const char *path,
    const quarry_codebook_import_options *o,
    quarry_codebook_import_stats *stats)
{
    return import_codebook(p, e, path, NULL, 0, o, stats);
}

int quarry_project_codebook_import_buffer(
    quarry_project *p, quarry_engine *e, const char *name, const void *bytes,
    size_t len, const quarry_codebook_import_options *o,
    quarry_codebook_import_stats *stats)
{
    if (bytes == NULL) {
        if (stats != NULL)
            memset(stats, 0, sizeof *stats);
        return project_fail(p, QUARRY_EINVAL, "no codebook to import");
    }
    return import_codebook(p, e, name, (const char *)bytes, len, o, stats);
}

int quarry_project_codebook_import(quarry_project *p, quarry_engine *e,
                                   const char *path, int32_t *added,
                                   int32_t *updated)
{
    quarry_codebook_import_options o = QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT;
    quarry_codebook_import_stats st;
    int status;
    o.update = 1;
    status = quarry_project_codebook_import_file(p, e, path, &o, &st);
    if (status == QUARRY_OK) {
        if (added)
            *added = st.added;
        if (updated)
            *updated = st.changed;
    }
    return status;
}
