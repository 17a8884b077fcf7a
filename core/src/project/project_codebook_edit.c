/*
 * project_codebook_edit.c -- editing a project's codebook by hand: add,
 * rename, move and merge codes (define and delete are in
 * project_code_define.c) (`quarry code`, the workbench's Codebook
 * page), each edit one transaction recorded in the code history
 * (schema 4, project_schema.c), and the history as a file
 * (`quarry export PROJECT --format code-history`).
 *
 * A code keeps its id for life, so a rename or a move touches only its own
 * row: codings, decisions, suggestions and memos refer to the row and stay.
 * A merge is the one edit that takes a code away. Every row that pointed
 * at it (codings, decisions, suggestions, memos, children) is re-pointed
 * to the code that stays, and code_edit_rows notes each one, so that the
 * decision trail can still name the code a coder decided on. Two rows
 * cannot both stay: a coder's coding of the merged code on an excerpt that
 * coder had also coded with the other (the coder keeps one), and a
 * pending suggestion of the merged code where the same run suggested the
 * other for the same excerpt (a review would list the code twice). Those
 * are taken out of the live tables and kept whole, as JSON, in
 * code_edit_rows. Nothing else is deleted.
 *
 * Names are unique among siblings (letter case aside, as NVivo and MAXQDA
 * have it), and the codebook stays a tree: a move under the code itself or
 * one of its descendants is refused, as a merge into one of them is.
 */
#include <csv.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codebook.h"
#include "project_db.h"
#include "utf8.h"

/* Indexed by quarry_code_op. QUARRY_CODE_DEFINE (PROJECT_CODE_EDIT_FIELD:
 * also a codebook import's change of another field) is recorded as
 * "edit"; op_user names the ops in messages. */
static const char *const op_names[] = {NULL,    "add",   "rename", "move",
                                       "merge", "edit",  "delete"};
static const char *const op_user[] = {NULL,    "add",    "rename", "move",
                                      "merge", "define", "delete"};

/* One row of codes. Strings malloc'ed; row 0 when the code is absent. */
typedef struct code_info {
    int64_t row;
    char *name, *parent;
} code_info;

static void code_info_free(code_info *c)
{
    free(c->name);
    free(c->parent);
    memset(c, 0, sizeof *c);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int code_get(quarry_project *p, const char *code, code_info *c)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT id, name, parent FROM codes WHERE code = ?1");
    int rc, status = QUARRY_OK;
    memset(c, 0, sizeof *c);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *name = project_col_text(st, 1);
        const char *parent = project_col_text(st, 2);
        c->row = sqlite3_column_int64(st, 0);
        c->name = dup_or_null(name);
        c->parent = dup_or_null(parent);
        if ((name && !c->name) || (parent && !c->parent))
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        status = project_db_fail(p, "cannot read the codes");
    }
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        code_info_free(c);
    return status;
}

/* The code named in field of the edit, which must be in the codebook. */
static int code_needed(quarry_project *p, const char *op, const char *field,
                       const char *code, code_info *c)
{
    int status;
    if (code == NULL || code[0] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "%s: field \"%s\": missing (the id of a code "
                            "of the codebook)", op, field);
    status = code_get(p, code, c);
    if (status == QUARRY_OK && c->row == 0)
        status = project_fail(p, QUARRY_ENOTFOUND,
                              "%s: field \"%s\": unknown code \"%s\" (not "
                              "in the project's codebook)", op, field, code);
    return status;
}

int project_exec_ids(quarry_project *p, const char *sql, int64_t a,
                     int64_t b, int64_t c, int64_t *changed)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, c);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return project_db_fail(p, "cannot update the codebook");
    if (changed)
        *changed = sqlite3_changes64(p->db);
    return QUARRY_OK;
}

/* 1 in *yes when the SELECT (?1, ?2 bound as texts or NULL, ?3 an id)
 * returns a row; its first column copied into hit (may be NULL). */
static int found(quarry_project *p, const char *sql, const char *a,
                 const char *b, int64_t c, int *yes, char *hit, size_t cap)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    *yes = 0;
    if (st == NULL)
        return QUARRY_EIO;
    project_bind_text(st, 1, a);
    project_bind_text(st, 2, b);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, c);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *yes = 1;
        if (hit != NULL)
            snprintf(hit, cap, "%s",
                     project_col_text(st, 0) ? project_col_text(st, 0) : "");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot read the codes");
}

/* A sibling of parent (NULL: top level), other than row, named name. */
static int sibling_named(quarry_project *p, const char *parent,
                         const char *name, int64_t row, int *yes, char *hit,
                         size_t cap)
{
    return found(p, "SELECT code FROM codes WHERE parent IS ?1 AND"
                    " name = ?2 COLLATE NOCASE AND id <> ?3 LIMIT 1",
                 parent, name, row, yes, hit, cap);
}

/* 1 in *yes when code is ancestor or below it (code == ancestor counts).
 * The walk stops after as many steps as there are codes, so a damaged
 * file with a cycle cannot hang it. */
static int is_under(quarry_project *p, const char *code, const char *ancestor,
                    int *yes)
{
    sqlite3_stmt *st = project_prepare(
        p, "WITH RECURSIVE up(code, n) AS (SELECT ?1, 0 UNION ALL"
           " SELECT c.parent, up.n + 1 FROM codes c JOIN up ON c.code ="
           " up.code WHERE c.parent IS NOT NULL AND up.n <"
           " (SELECT count(*) FROM codes))"
           " SELECT 1 FROM up WHERE code = ?2 LIMIT 1");
    int rc;
    *yes = 0;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ancestor, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot read the codes");
}

/* A parent with children and codings is marked codable (its codings are
 * codings, not a theme's); *marked set when this call marked it. */
static int keep_codable(quarry_project *p, const char *code, int64_t row,
                        int *marked)
{
    int yes;
    char key[512];
    int status;
    *marked = 0;
    if (code == NULL)
        return QUARRY_OK;
    snprintf(key, sizeof key, "%s", PROJECT_META_CODABLE);
    status = found(p, "SELECT 1 FROM codes c WHERE c.code = ?1"
                      " AND EXISTS (SELECT 1 FROM codes k WHERE k.parent ="
                      " c.code) AND EXISTS (SELECT 1 FROM codings g WHERE"
                      " g.code_id = ?3) AND NOT EXISTS (SELECT 1 FROM meta"
                      " WHERE key = ?2 || c.code AND value = '1')",
                   code, key, row, &yes, NULL, 0);
    if (status != QUARRY_OK || !yes)
        return status;
    status = project_set_codable(p, code, 1);
    if (status == QUARRY_OK)
        *marked = 1;
    return status;
}

/* A name or id a person typed: not empty or blank, valid UTF-8, no line
 * break or other control character. NULL when fine, else why not. */
const char *project_bad_text(const char *s)
{
    size_t i, n = strlen(s);
    if (s[strspn(s, " \t\r\n")] == '\0')
        return "empty";
    if (quarry_utf8_check(s, n, NULL) != QUARRY_UTF8_OK)
        return "not valid UTF-8";
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return "holds a line break or another control character";
    if (n > 1000)
        return "longer than 1000 bytes";
    return NULL;
}

/* Append the edit to the history; *edit its id. */
static int record(quarry_project *p, quarry_code_op op, const char *code,
                  int64_t coder, const char *at, const char *before,
                  const char *after, int64_t *edit)
{
    sqlite3_stmt *st = project_prepare(
        p, "INSERT INTO code_edits(op, code, coder_id, made_at, before,"
           " after) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, op_names[op], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, coder);
    sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
    project_bind_text(st, 5, before);
    project_bind_text(st, 6, after);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return project_db_fail(p, "cannot record the edit");
    *edit = sqlite3_last_insert_rowid(p->db);
    return QUARRY_OK;
}

/* Store detail (released here) as the edit's detail. */
static int set_detail(quarry_project *p, int64_t edit, json_t *detail)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT |
                                                 JSON_PRESERVE_ORDER)
                        : NULL;
    sqlite3_stmt *st;
    int rc;
    json_decref(detail);
    if (text == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    st = project_prepare(p, "UPDATE code_edits SET detail = ?2"
                            " WHERE id = ?1");
    if (st == NULL) {
        free(text);
        return QUARRY_EIO;
    }
    sqlite3_bind_int64(st, 1, edit);
    sqlite3_bind_text(st, 2, text, -1, free);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot record the edit");
}

int project_code_history_add(quarry_project *p, int op, const char *code,
                             int64_t coder, const char *at,
                             const char *before, const char *after,
                             json_t *detail, int64_t *edit_out)
{
    int64_t edit;
    int status = record(p, (quarry_code_op)op, code, coder, at, before,
                        after, &edit);
    if (status != QUARRY_OK) {
        json_decref(detail);
        return status;
    }
    if (edit_out != NULL)
        *edit_out = edit;
    return set_detail(p, edit, detail ? detail : json_object());
}

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* ------------------------------------------------------------------ */
/* add                                                                  */

/* An id made from the name: ASCII letters and digits in lower case, every
 * other run of bytes one '-', at most 40 bytes; "code" when nothing is
 * left; "-2", "-3", ... after it while the codebook has it. */
static int id_from_name(quarry_project *p, const char *name, char out[64])
{
    char base[48];
    int64_t row;
    int k, status;
    codebook_slug(name, base);
    snprintf(out, 64, "%s", base);
    for (k = 2; k < 100000; k++) {
        status = project_code_id(p, out, &row);
        if (status != QUARRY_OK || row == 0)
            return status;
        snprintf(out, 64, "%s-%d", base, k);
    }
    return project_fail(p, QUARRY_EDUP, "add: field \"id\": cannot make "
                                        "one from the name; give an id");
}

static int edit_add(quarry_project *p, const quarry_code_edit *e,
                    int64_t coder, const char *at, const char **new_id)
{
    code_info parent = {0, NULL, NULL};
    char made[64], hit[256];
    const char *id = e->id, *why;
    int64_t row, edit;
    int yes, marked = 0, status;
    json_t *detail;
    if (e->name == NULL)
        return project_fail(p, QUARRY_EINVAL,
                            "add: field \"name\": missing (a code needs a "
                            "name)");
    if ((why = project_bad_text(e->name)) != NULL)
        return project_fail(p, QUARRY_EINVAL, "add: field \"name\": %s",
                            why);
    if (id != NULL && (why = project_bad_text(id)) != NULL)
        return project_fail(p, QUARRY_EINVAL, "add: field \"id\": %s", why);
    if (id != NULL && strlen(id) != strcspn(id, " \t"))
        return project_fail(p, QUARRY_EINVAL,
                            "add: field \"id\": \"%s\" holds a space (an id "
                            "is one word, such as C07 or sup.peers)", id);
    if (e->parent != NULL) {
        status = code_needed(p, "add", "parent", e->parent, &parent);
        if (status != QUARRY_OK)
            return status;
    }
    if (id == NULL) {
        status = id_from_name(p, e->name, made);
        if (status != QUARRY_OK)
            goto out;
        id = made;
    } else {
        status = project_code_id(p, id, &row);
        if (status != QUARRY_OK)
            goto out;
        if (row != 0) {
            code_info old;
            status = code_get(p, id, &old);
            if (status == QUARRY_OK)
                status = project_fail(
                    p, QUARRY_EDUP,
                    "add: code \"%s\": field \"id\": already in the "
                    "codebook (\"%s\"); give another id",
                    id, old.name ? old.name : id);
            code_info_free(&old);
            goto out;
        }
    }
    status = sibling_named(p, e->parent, e->name, 0, &yes, hit, sizeof hit);
    if (status == QUARRY_OK && yes)
        status = project_fail(
            p, QUARRY_EDUP,
            "add: %s%s%sfield \"name\": \"%s\" is the name of code \"%s\" "
            "%s%s (letter case aside); choose another name",
            e->id ? "code \"" : "", e->id ? e->id : "", e->id ? "\": " : "",
            e->name, hit, e->parent ? "under " : "at the top level",
            e->parent ? e->parent : "");
    if (status != QUARRY_OK)
        goto out;
    row = 0;
    {
        sqlite3_stmt *st = project_prepare(
            p, "INSERT INTO codes(code, name, parent, definition, position)"
               " VALUES(?1, ?2, ?3, ?4,"
               " (SELECT coalesce(max(position), -1) + 1 FROM codes))");
        int rc;
        if (st == NULL) {
            status = QUARRY_EIO;
            goto out;
        }
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e->name, -1, SQLITE_STATIC);
        project_bind_text(st, 3, e->parent);
        project_bind_text(st, 4, e->definition);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            status = project_db_fail(p, "cannot add the code");
            goto out;
        }
    }
    if (e->parent != NULL)
        status = keep_codable(p, e->parent, parent.row, &marked);
    if (status == QUARRY_OK)
        status = record(p, QUARRY_CODE_ADD, id, coder, at, NULL, e->name,
                        &edit);
    if (status != QUARRY_OK)
        goto out;
    detail = json_object();
    if (detail != NULL) {
        json_object_set_new(detail, "name", json_string(e->name));
        json_object_set_new(detail, "parent", opt_str(e->parent));
        if (e->definition)
            json_object_set_new(detail, "definition",
                                json_string(e->definition));
        if (marked)
            json_object_set_new(detail, "parent_made_codable", json_true());
    }
    status = set_detail(p, edit, detail);
    if (status == QUARRY_OK && new_id != NULL &&
        (*new_id = project_scratch_dup(p, id)) == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
out:
    code_info_free(&parent);
    return status;
}

/* ------------------------------------------------------------------ */
/* rename, move                                                         */

static int edit_rename(quarry_project *p, const quarry_code_edit *e,
                       int64_t coder, const char *at)
{
    code_info c;
    char hit[256];
    const char *why;
    int64_t edit;
    int yes, status = code_needed(p, "rename", "code", e->code, &c);
    if (status != QUARRY_OK)
        return status;
    if (e->name == NULL)
        status = project_fail(p, QUARRY_EINVAL,
                              "rename: code \"%s\": field \"name\": missing "
                              "(the new name)", e->code);
    else if ((why = project_bad_text(e->name)) != NULL)
        status = project_fail(p, QUARRY_EINVAL,
                              "rename: code \"%s\": field \"name\": %s",
                              e->code, why);
    else if (c.name != NULL && strcmp(c.name, e->name) == 0)
        status = project_fail(p, QUARRY_EINVAL,
                              "rename: code \"%s\": field \"name\": it is "
                              "already named \"%s\"; nothing to change",
                              e->code, e->name);
    if (status == QUARRY_OK)
        status = sibling_named(p, c.parent, e->name, c.row, &yes, hit,
                               sizeof hit);
    if (status == QUARRY_OK && yes)
        status = project_fail(
            p, QUARRY_EDUP,
            "rename: code \"%s\": field \"name\": \"%s\" is the name of "
            "code \"%s\" %s%s (letter case aside); choose another name",
            e->code, e->name, hit, c.parent ? "under " : "at the top level",
            c.parent ? c.parent : "");
    if (status == QUARRY_OK) {
        sqlite3_stmt *st =
            project_prepare(p, "UPDATE codes SET name = ?2 WHERE id = ?1");
        if (st == NULL) {
            status = QUARRY_EIO;
        } else {
            sqlite3_bind_int64(st, 1, c.row);
            sqlite3_bind_text(st, 2, e->name, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                status = project_db_fail(p, "cannot rename the code");
            sqlite3_finalize(st);
        }
    }
    if (status == QUARRY_OK)
        status = record(p, QUARRY_CODE_RENAME, e->code, coder, at, c.name,
                        e->name, &edit);
    code_info_free(&c);
    return status;
}

static int edit_move(quarry_project *p, const quarry_code_edit *e,
                     int64_t coder, const char *at)
{
    code_info c, parent = {0, NULL, NULL};
    char hit[256];
    int64_t edit;
    int yes, marked = 0, status = code_needed(p, "move", "code", e->code, &c);
    if (status != QUARRY_OK)
        return status;
    if (e->parent != NULL)
        status = code_needed(p, "move", "parent", e->parent, &parent);
    if (status == QUARRY_OK && e->parent != NULL &&
        strcmp(e->parent, e->code) == 0)
        status = project_fail(p, QUARRY_EINVAL,
                              "move: code \"%s\": field \"parent\": a code "
                              "cannot go under itself", e->code);
    if (status == QUARRY_OK && e->parent != NULL) {
        status = is_under(p, e->parent, e->code, &yes);
        if (status == QUARRY_OK && yes)
            status = project_fail(
                p, QUARRY_EINVAL,
                "move: code \"%s\": field \"parent\": \"%s\" is under "
                "\"%s\" (a code cannot go under its own descendant; move "
                "\"%s\" out first)",
                e->code, e->parent, e->code, e->parent);
    }
    if (status == QUARRY_OK &&
        ((c.parent == NULL && e->parent == NULL) ||
         (c.parent != NULL && e->parent != NULL &&
          strcmp(c.parent, e->parent) == 0)))
        status = project_fail(p, QUARRY_EINVAL,
                              "move: code \"%s\": field \"parent\": it is "
                              "already %s%s; nothing to change",
                              e->code, e->parent ? "under " : "at the top level",
                              e->parent ? e->parent : "");
    if (status == QUARRY_OK && c.name != NULL) {
        status = sibling_named(p, e->parent, c.name, c.row, &yes, hit,
                               sizeof hit);
        if (status == QUARRY_OK && yes)
            status = project_fail(
                p, QUARRY_EDUP,
                "move: code \"%s\": field \"parent\": code \"%s\" %s%s has "
                "the same name (\"%s\"); rename one first",
                e->code, hit, e->parent ? "under " : "at the top level",
                e->parent ? e->parent : "", c.name);
    }
    if (status == QUARRY_OK) {
        sqlite3_stmt *st =
            project_prepare(p, "UPDATE codes SET parent = ?2 WHERE id = ?1");
        if (st == NULL) {
            status = QUARRY_EIO;
        } else {
            sqlite3_bind_int64(st, 1, c.row);
            project_bind_text(st, 2, e->parent);
            if (sqlite3_step(st) != SQLITE_DONE)
                status = project_db_fail(p, "cannot move the code");
            sqlite3_finalize(st);
        }
    }
    if (status == QUARRY_OK && e->parent != NULL)
        status = keep_codable(p, e->parent, parent.row, &marked);
    if (status == QUARRY_OK)
        status = record(p, QUARRY_CODE_MOVE, e->code, coder, at, c.parent,
                        e->parent, &edit);
    if (status == QUARRY_OK && marked) {
        json_t *detail = json_object();
        if (detail != NULL)
            json_object_set_new(detail, "parent_made_codable", json_true());
        status = set_detail(p, edit, detail);
    }
    code_info_free(&c);
    code_info_free(&parent);
    return status;
}

/* ------------------------------------------------------------------ */
/* merge                                                                */

/* ?1 the edit, ?2 the merged code's row, ?3 the row of the code that
 * stays. A coding the coder also has under ?3, and a pending suggestion
 * whose run suggested ?3 for the excerpt too, cannot both stay. */
#define CODING_TWICE                                                          \
    " EXISTS (SELECT 1 FROM codings h WHERE h.code_id = ?3 AND"               \
    " h.excerpt_id = g.excerpt_id AND h.coder_id = g.coder_id)"
#define SUGGESTED_TWICE                                                       \
    " EXISTS (SELECT 1 FROM suggestions t WHERE t.code_id = ?3 AND"           \
    " t.run_id = s.run_id AND t.excerpt_id = s.excerpt_id) AND NOT EXISTS"    \
    " (SELECT 1 FROM decisions d WHERE d.suggestion_id = s.id)"

/* What a merge does, in order; n: the counter of the detail it adds to
 * (NULL: none). */
static const struct merge_step {
    const char *sql;
    const char *count;
} merge_steps[] = {
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col, was)"
     " SELECT ?1, 'codings', g.id, 'removed', CASE WHEN g.span_end IS NULL"
     " THEN json_object('excerpt', e.xid,"
     " 'coder', c.name, 'origin', g.origin, 'made_at', g.made_at,"
     " 'decision', g.decision_id) ELSE json_object('excerpt', e.xid,"
     " 'coder', c.name, 'origin', g.origin, 'made_at', g.made_at,"
     " 'decision', g.decision_id, 'span', json_array(g.span_start,"
     " g.span_end)) END FROM codings g"
     " JOIN excerpts e ON e.id = g.excerpt_id"
     " JOIN coders c ON c.id = g.coder_id WHERE g.code_id = ?2 AND"
     CODING_TWICE,
     "codings_kept_once"},
    {"DELETE FROM codings AS g WHERE g.code_id = ?2 AND" CODING_TWICE, NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col)"
     " SELECT ?1, 'codings', id, 'code_id' FROM codings WHERE code_id = ?2",
     "codings_moved"},
    {"UPDATE codings SET code_id = ?3 WHERE code_id = ?2", NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col)"
     " SELECT ?1, 'decisions', id, 'code_id' FROM decisions"
     " WHERE code_id = ?2",
     "decisions"},
    {"UPDATE decisions SET code_id = ?3 WHERE code_id = ?2", NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col)"
     " SELECT ?1, 'decisions', id, 'replacement_id' FROM decisions"
     " WHERE replacement_id = ?2",
     "replacements"},
    {"UPDATE decisions SET replacement_id = ?3 WHERE replacement_id = ?2",
     NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col, was)"
     " SELECT ?1, 'suggestions', s.id, 'removed', json_object('run',"
     " s.run_id, 'excerpt', e.xid, 'rank', s.rank, 'score', s.score,"
     " 'confidence', s.confidence, 'abstain', s.abstain, 'evidence',"
     " CASE WHEN json_valid(s.evidence) THEN json(s.evidence)"
     " ELSE s.evidence END) FROM suggestions s"
     " JOIN excerpts e ON e.id = s.excerpt_id WHERE s.code_id = ?2 AND"
     SUGGESTED_TWICE,
     "suggestions_set_aside"},
    {"DELETE FROM suggestions AS s WHERE s.code_id = ?2 AND" SUGGESTED_TWICE,
     NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col)"
     " SELECT ?1, 'suggestions', id, 'code_id' FROM suggestions"
     " WHERE code_id = ?2",
     "suggestions"},
    {"UPDATE suggestions SET code_id = ?3 WHERE code_id = ?2", NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col)"
     " SELECT ?1, 'memos', id, 'code_id' FROM memos WHERE code_id = ?2",
     "memos"},
    {"UPDATE memos SET code_id = ?3 WHERE code_id = ?2", NULL},
    {"INSERT INTO code_edit_rows(edit_id, tbl, row_id, col)"
     " SELECT ?1, 'codes', k.id, 'parent' FROM codes k JOIN codes m"
     " ON m.id = ?2 WHERE k.parent = m.code",
     "children"},
    {"UPDATE codes SET parent = (SELECT code FROM codes WHERE id = ?3)"
     " WHERE parent = (SELECT code FROM codes WHERE id = ?2)",
     NULL},
    {"DELETE FROM meta WHERE key = '" PROJECT_META_CODABLE "' ||"
     " (SELECT code FROM codes WHERE id = ?2)",
     NULL},
    {"DELETE FROM codes WHERE id = ?2", NULL},
};

int project_code_row_json(quarry_project *p, int64_t row, json_t **out)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT json_object('name', name, 'parent', parent, 'definition',"
           " definition, 'include', include_note, 'exclude', exclude_note,"
           " 'keywords', CASE WHEN json_valid(keywords) THEN json(keywords)"
           " ELSE keywords END, 'color', color, 'position', position,"
           " 'codable', CASE WHEN EXISTS (SELECT 1 FROM meta WHERE key = '"
           PROJECT_META_CODABLE "' || code AND value = '1') THEN json('true')"
           " ELSE json('false') END)"
           " FROM codes WHERE id = ?1");
    int rc;
    *out = NULL;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_loads(project_col_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return project_db_fail(p, "cannot read the code");
    return *out ? QUARRY_OK : project_fail(p, QUARRY_ENOMEM, "out of memory");
}

static int edit_merge(quarry_project *p, const quarry_code_edit *e,
                      int64_t coder, const char *at, const char **new_id)
{
    code_info c, into = {0, NULL, NULL};
    json_t *detail = NULL;
    char b[512];
    int64_t edit, n = 0;
    size_t i;
    int yes, marked, status = code_needed(p, "merge", "code", e->code, &c);
    if (status != QUARRY_OK)
        return status;
    if (e->into == NULL || e->into[0] == '\0')
        status = project_fail(p, QUARRY_EINVAL,
                              "merge: code \"%s\": field \"into\": missing "
                              "(the code that stays)", e->code);
    else
        status = code_needed(p, "merge", "into", e->into, &into);
    if (status == QUARRY_OK && strcmp(e->into, e->code) == 0)
        status = project_fail(p, QUARRY_EINVAL,
                              "merge: code \"%s\": field \"into\": the code "
                              "itself (name another code)", e->code);
    if (status == QUARRY_OK) {
        status = is_under(p, e->into, e->code, &yes);
        if (status == QUARRY_OK && yes)
            status = project_fail(
                p, QUARRY_EINVAL,
                "merge: code \"%s\": field \"into\": \"%s\" is under \"%s\" "
                "(a code cannot go into one of its own codes; move \"%s\" "
                "out first)",
                e->code, e->into, e->code, e->into);
    }
    /* Children of both with one name would be siblings named alike. */
    if (status == QUARRY_OK) {
        status = found(p, "SELECT a.code || char(10) || b.code || char(10)"
                          " || a.name FROM codes a JOIN codes b"
                          " ON b.parent = ?2 AND a.name = b.name COLLATE"
                          " NOCASE WHERE a.parent = ?1 LIMIT 1",
                       e->code, e->into, 0, &yes, b, sizeof b);
        if (status == QUARRY_OK && yes) {
            char *x = strchr(b, '\n'), *y = x ? strchr(x + 1, '\n') : NULL;
            if (x != NULL && y != NULL) {
                *x = *y = '\0';
                status = project_fail(
                    p, QUARRY_EDUP,
                    "merge: code \"%s\": field \"into\": its child \"%s\" "
                    "and \"%s\"'s child \"%s\" are both named \"%s\"; "
                    "rename or merge one of them first",
                    e->code, b, e->into, x + 1, y + 1);
            } else {
                status = project_fail(p, QUARRY_EDUP,
                                      "merge: code \"%s\": field \"into\": "
                                      "a child of each has the same name",
                                      e->code);
            }
        }
    }
    if (status == QUARRY_OK)
        status = project_code_row_json(p, c.row, &detail);
    if (status == QUARRY_OK)
        status = record(p, QUARRY_CODE_MERGE, e->code, coder, at, e->code,
                        e->into, &edit);
    if (status == QUARRY_OK)
        json_object_set_new(detail, "into_name", opt_str(into.name));
    for (i = 0; status == QUARRY_OK && i < sizeof merge_steps /
                                                sizeof merge_steps[0];
         i++) {
        status = project_exec_ids(p, merge_steps[i].sql, edit, c.row,
                                  into.row, &n);
        if (status == QUARRY_OK && merge_steps[i].count != NULL)
            json_object_set_new(detail, merge_steps[i].count,
                                json_integer(n));
    }
    if (status == QUARRY_OK) {
        status = keep_codable(p, e->into, into.row, &marked);
        if (status == QUARRY_OK && marked)
            json_object_set_new(detail, "into_made_codable", json_true());
    }
    if (status == QUARRY_OK) {
        status = set_detail(p, edit, detail);
        detail = NULL;
    }
    if (status == QUARRY_OK && new_id != NULL &&
        (*new_id = project_scratch_dup(p, e->into)) == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    json_decref(detail);
    code_info_free(&c);
    code_info_free(&into);
    return status;
}

/* ------------------------------------------------------------------ */

int quarry_project_code_edit(quarry_project *p, quarry_code_op op,
                             const quarry_code_edit *given,
                             const char **new_id)
{
    quarry_code_edit copy;
    const quarry_code_edit *e = &copy;
    char at[40], *named[3] = {NULL, NULL, NULL};
    int64_t coder;
    int status = project_check(p, 1);
    if (new_id != NULL)
        *new_id = NULL;
    if (status != QUARRY_OK)
        return status;
    if (given == NULL || given->version < 1)
        return project_fail(p, QUARRY_EINVAL, "no edit (or an edit of an "
                                              "unknown version)");
    /* A version-1 caller's struct ends before include and exclude. */
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, given, given->version >= 2
                             ? sizeof copy
                             : offsetof(quarry_code_edit, include));
    /* An empty parent, id or definition (a form's empty field) is none:
     * the top level, an id made from the name, no definition. A define's
     * empty definition empties it, so it stays "". */
    if (copy.parent != NULL && copy.parent[0] == '\0')
        copy.parent = NULL;
    if (copy.id != NULL && copy.id[0] == '\0')
        copy.id = NULL;
    if (op != QUARRY_CODE_DEFINE && copy.definition != NULL &&
        copy.definition[0] == '\0')
        copy.definition = NULL;
    if (op < QUARRY_CODE_ADD || op > QUARRY_CODE_DELETE)
        return project_fail(p, QUARRY_EINVAL,
                            "unknown codebook edit %d (add, rename, move, "
                            "merge, define or delete)", (int)op);
    if (e->coder == NULL || e->coder[strspn(e->coder, " \t")] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "%s: field \"coder\": missing: every edit of "
                            "the codebook names who made it", op_user[op]);
    if (e->time != NULL && !project_valid_time(e->time))
        return project_fail(p, QUARRY_EINVAL,
                            "%s: field \"time\": \"%s\" is not a valid ISO "
                            "8601 time (YYYY-MM-DDTHH:MM:SSZ, a date the "
                            "calendar has)", op_user[op], e->time);
    if (e->time != NULL)
        snprintf(at, sizeof at, "%s", e->time);
    else
        project_now(p, at);
    project_scratch_reset(p);
    status = project_begin(p);
    if (status != QUARRY_OK)
        return status;
    status = project_coder_id(p, e->coder, &coder);
    /* The codes acted on may be named by their names (any case), as a
     * researcher knows them; the add's id stays what it says. */
    if (status == QUARRY_OK && op != QUARRY_CODE_ADD)
        status = project_code_by_name(p, "code", copy.code, &named[0]);
    if (status == QUARRY_OK)
        status = project_code_by_name(p, "parent", copy.parent, &named[1]);
    if (status == QUARRY_OK)
        status = project_code_by_name(p, "into", copy.into, &named[2]);
    if (named[0] != NULL)
        copy.code = named[0];
    if (named[1] != NULL)
        copy.parent = named[1];
    if (named[2] != NULL)
        copy.into = named[2];
    if (status == QUARRY_OK) {
        switch (op) {
        case QUARRY_CODE_ADD:
            status = edit_add(p, e, coder, at, new_id);
            break;
        case QUARRY_CODE_RENAME:
            status = edit_rename(p, e, coder, at);
            break;
        case QUARRY_CODE_MOVE:
            status = edit_move(p, e, coder, at);
            break;
        case QUARRY_CODE_DEFINE:
            status = project_code_define(p, e, coder, at);
            break;
        case QUARRY_CODE_DELETE:
            status = project_code_delete(p, e, coder, at);
            break;
        default:
            status = edit_merge(p, e, coder, at, new_id);
            break;
        }
    }
    if (status == QUARRY_OK && op != QUARRY_CODE_ADD &&
        op != QUARRY_CODE_MERGE && op != QUARRY_CODE_DELETE &&
        new_id != NULL &&
        (*new_id = project_scratch_dup(p, e->code)) == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    free(named[0]);
    free(named[1]);
    free(named[2]);
    if (status == QUARRY_OK)
        status = project_commit(p); /* rolls back when it fails */
    else
        project_rollback(p);
    if (status != QUARRY_OK && new_id != NULL)
        *new_id = NULL;
    return status;
}

/* ------------------------------------------------------------------ */
/* The history as a file                                                */

enum { HISTORY_FIELDS = 8 };

static const char *const history_names[HISTORY_FIELDS] = {
    "id", "time", "coder", "op", "code", "before", "after", "detail"};

int quarry_project_export_code_history(quarry_project *p, FILE *out, int csv)
{
    sqlite3_stmt *st;
    int rc = SQLITE_DONE, i, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (out == NULL)
        return project_fail(p, QUARRY_EINVAL, "no output");
    st = project_prepare(p, "SELECT h.id, h.made_at, c.name, h.op, h.code,"
                            " h.before, h.after, h.detail FROM code_edits h"
                            " JOIN coders c ON c.id = h.coder_id"
                            " ORDER BY h.id");
    if (st == NULL)
        return QUARRY_EIO;
    if (csv)
        for (i = 0; i < HISTORY_FIELDS; i++)
            fprintf(out, "%s%s", history_names[i],
                    i == HISTORY_FIELDS - 1 ? "\n" : ",");
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (csv) {
            for (i = 0; i < HISTORY_FIELDS; i++) {
                const char *s = project_col_text(st, i);
                if (i > 0)
                    fputc(',', out);
                if (s != NULL)
                    csv_fwrite(out, s, strlen(s));
            }
            fputc('\n', out);
        } else {
            json_t *o = json_object(), *d;
            char *line;
            if (o == NULL) {
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                break;
            }
            json_object_set_new(o, "id",
                                json_integer(sqlite3_column_int64(st, 0)));
            for (i = 1; i < HISTORY_FIELDS - 1; i++)
                if (project_col_text(st, i) != NULL)
                    json_object_set_new(o, history_names[i],
                                        json_string(project_col_text(st, i)));
            d = json_loads(project_col_text(st, 7) ? project_col_text(st, 7)
                                                   : "{}",
                           0, NULL);
            json_object_set_new(o, "detail", d ? d : json_object());
            line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(o);
            if (line == NULL) {
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                break;
            }
            fprintf(out, "%s\n", line);
            free(line);
        }
        if (ferror(out))
            status = project_fail(p, QUARRY_EIO,
                                  "cannot write the code history");
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the code history");
    sqlite3_finalize(st);
    return status;
}
