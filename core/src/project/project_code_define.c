/*
 * project_code_define.c -- the two codebook edits a coder makes once the
 * codebook is in use: writing down what a code means (define: its
 * definition, its include and exclude notes) and taking out a code made
 * by mistake (delete). project_codebook_edit.c runs them inside its
 * transaction, after checking the coder and the time; the code history
 * keeps each (project_schema.c: op "edit" with detail.field, op
 * "delete").
 *
 * A definition is prose: it keeps its line breaks and tabs, and has no
 * other control character. A field set to what it already holds is not
 * recorded, so saving a form twice leaves one row.
 *
 * Delete takes out only a code nothing rests on. A coding, a decision, a
 * memo or a code under it is a person's work that a deletion would lose
 * or leave pointing nowhere; the refusal names what is there and offers
 * merge, which moves that work to the code that stays. Pending
 * suggestions of the code are the engine's, not a person's: they go with
 * it, kept whole in code_edit_rows as a merge keeps what it takes away.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"
#include "utf8.h"

/* The longest definition or note kept: a page of prose. */
#define DEFINE_MAX_BYTES 20000

/* NULL when s is fit for a definition or note, else why not. */
static const char *bad_prose(const char *s)
{
    size_t i, n = strlen(s);
    if (quarry_utf8_check(s, n, NULL) != QUARRY_UTF8_OK)
        return "not valid UTF-8";
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') ||
            ch == 0x7f)
            return "holds a control character";
    }
    if (n > DEFINE_MAX_BYTES)
        return "longer than 20000 bytes";
    return NULL;
}

/* s without its leading and trailing blanks and with CR LF as LF, or NULL
 * when nothing is left (the field emptied); *oom on failure. */
static char *tidy(const char *s, int *oom)
{
    size_t a = 0, b = strlen(s), i, n = 0;
    char *t;
    *oom = 0;
    while (a < b && strchr(" \t\r\n", s[a]) != NULL)
        a++;
    while (b > a && strchr(" \t\r\n", s[b - 1]) != NULL)
        b--;
    if (a == b)
        return NULL;
    if ((t = malloc(b - a + 1)) == NULL) {
        *oom = 1;
        return NULL;
    }
    for (i = a; i < b; i++)
        if (!(s[i] == '\r' && i + 1 < b && s[i + 1] == '\n'))
            t[n++] = s[i] == '\r' ? '\n' : s[i];
    t[n] = '\0';
    return t;
}

/* The code's row, name and the three fields; 0 in *row when absent. */
typedef struct code_fields {
    int64_t row;
    char *name, *field[3];
} code_fields;

static const char *const field_names[3] = {"definition", "include",
                                           "exclude"};
static const char *const field_cols[3] = {"definition", "include_note",
                                          "exclude_note"};

static void fields_free(code_fields *c)
{
    int i;
    free(c->name);
    for (i = 0; i < 3; i++)
        free(c->field[i]);
    memset(c, 0, sizeof *c);
}

static int fields_get(quarry_project *p, const char *op, const char *code,
                      code_fields *c)
{
    sqlite3_stmt *st;
    int rc, i, status = QUARRY_OK;
    memset(c, 0, sizeof *c);
    if (code == NULL || code[0] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "%s: field \"code\": missing (the id of a code "
                            "of the codebook)", op);
    st = project_prepare(p, "SELECT id, name, definition, include_note,"
                            " exclude_note FROM codes WHERE code = ?1");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->row = sqlite3_column_int64(st, 0);
        for (i = 0; i < 4 && status == QUARRY_OK; i++) {
            const char *s = project_col_text(st, i + 1);
            char *d = s ? strdup(s) : NULL;
            if (s && !d)
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            if (i == 0)
                c->name = d;
            else
                c->field[i - 1] = d;
        }
    } else if (rc == SQLITE_DONE) {
        status = project_fail(p, QUARRY_ENOTFOUND,
                              "%s: field \"code\": unknown code \"%s\" (not "
                              "in the project's codebook)", op, code);
    } else {
        status = project_db_fail(p, "cannot read the codes");
    }
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        fields_free(c);
    return status;
}

static int set_field(quarry_project *p, int f, int64_t row, const char *v)
{
    char sql[128];
    sqlite3_stmt *st;
    int rc;
    snprintf(sql, sizeof sql, "UPDATE codes SET %s = ?2 WHERE id = ?1",
             field_cols[f]);
    if ((st = project_prepare(p, sql)) == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    project_bind_text(st, 2, v);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot update the code");
}

int project_code_define(quarry_project *p, const quarry_code_edit *e,
                        int64_t coder, const char *at)
{
    const char *given[3];
    code_fields c;
    int f, any = 0, oom, status;
    given[0] = e->definition;
    given[1] = e->version >= 2 ? e->include : NULL;
    given[2] = e->version >= 2 ? e->exclude : NULL;
    status = fields_get(p, "define", e->code, &c);
    if (status != QUARRY_OK)
        return status;
    for (f = 0; f < 3; f++) {
        const char *why;
        if (given[f] == NULL)
            continue;
        any = 1;
        if ((why = bad_prose(given[f])) != NULL) {
            status = project_fail(p, QUARRY_EINVAL,
                                  "define: code \"%s\": field \"%s\": %s",
                                  e->code, field_names[f], why);
            goto out;
        }
    }
    if (!any) {
        status = project_fail(p, QUARRY_EINVAL,
                              "define: code \"%s\": nothing to set (give a "
                              "definition, an include or an exclude note; "
                              "an empty one clears it)", e->code);
        goto out;
    }
    for (f = 0; f < 3 && status == QUARRY_OK; f++) {
        char *v;
        json_t *detail;
        if (given[f] == NULL)
            continue;
        v = tidy(given[f], &oom);
        if (oom) {
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        if ((v == NULL && c.field[f] == NULL) ||
            (v != NULL && c.field[f] != NULL && strcmp(v, c.field[f]) == 0)) {
            free(v);
            continue; /* as it was: nothing to record */
        }
        status = set_field(p, f, c.row, v);
        detail = status == QUARRY_OK ? json_object() : NULL;
        if (status == QUARRY_OK && detail == NULL)
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        if (status == QUARRY_OK) {
            json_object_set_new(detail, "field", json_string(field_names[f]));
            status = project_code_history_add(p, PROJECT_CODE_EDIT_FIELD,
                                              e->code, coder, at, c.field[f],
                                              v, detail, NULL);
        }
        free(v);
    }
out:
    fields_free(&c);
    return status;
}

/* ------------------------------------------------------------------ */
/* delete                                                               */

/* What rests on the code: ?1 its row, ?2 its id. */
static const char work_sql[] =
    "SELECT (SELECT count(*) FROM codings WHERE code_id = ?1),"
    " (SELECT count(DISTINCT coder_id) FROM codings WHERE code_id = ?1),"
    " (SELECT count(*) FROM decisions WHERE code_id = ?1 OR"
    "  replacement_id = ?1 OR (codes IS NOT NULL AND json_valid(codes) AND"
    "  EXISTS (SELECT 1 FROM json_each(codes) WHERE value = ?2))),"
    " (SELECT count(*) FROM memos WHERE code_id = ?1),"
    " (SELECT count(*) FROM codes WHERE parent = ?2)";

static const char *s_of(int64_t n)
{
    return n == 1 ? "" : "s";
}

static int refuse_worked(quarry_project *p, const char *code,
                         const char *name, const int64_t n[5])
{
    char what[512];
    size_t k = 0;
    int i;
    static const char *const kinds[5] = {"coding", NULL, "decision", "memo",
                                         "code"};
    what[0] = '\0';
    for (i = 0; i < 5; i++) {
        if (kinds[i] == NULL || n[i] == 0)
            continue;
        k += (size_t)snprintf(what + k, sizeof what - k, "%s%lld %s%s",
                              k ? ", " : "", (long long)n[i], kinds[i],
                              s_of(n[i]));
        if (i == 0 && n[1] > 1 && k < sizeof what)
            k += (size_t)snprintf(what + k, sizeof what - k, " by %lld coders",
                                  (long long)n[1]);
        if (i == 4 && k < sizeof what)
            k += (size_t)snprintf(what + k, sizeof what - k, " under it");
        if (k >= sizeof what)
            break;
    }
    if (n[0] + n[2] + n[3] == 0)
        return project_fail(p, QUARRY_EINVAL,
                            "delete: code \"%s\" (\"%s\") stays: it has "
                            "%s; move %s elsewhere first, or merge it into "
                            "the code that should take %s",
                            code, name ? name : code, what,
                            n[4] == 1 ? "it" : "them",
                            n[4] == 1 ? "it" : "them");
    return project_fail(
        p, QUARRY_EINVAL,
        "delete: code \"%s\" (\"%s\") stays: it has %s, which deleting it "
        "would lose; merge it into the code that should keep %s instead%s",
        code, name ? name : code, what, n[0] + n[2] + n[3] == 1 ? "it" : "them",
        n[4] ? " (or move its codes out first)" : "");
}

int project_code_delete(quarry_project *p, const quarry_code_edit *e,
                        int64_t coder, const char *at)
{
    code_fields c;
    sqlite3_stmt *st;
    json_t *detail = NULL;
    int64_t n[5] = {0, 0, 0, 0, 0}, edit = 0, pending = 0;
    int i, rc, status = fields_get(p, "delete", e->code, &c);
    if (status != QUARRY_OK)
        return status;
    if ((st = project_prepare(p, work_sql)) == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    sqlite3_bind_int64(st, 1, c.row);
    sqlite3_bind_text(st, 2, e->code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    for (i = 0; rc == SQLITE_ROW && i < 5; i++)
        n[i] = sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        status = project_db_fail(p, "cannot read the codes");
        goto out;
    }
    if (n[0] || n[2] || n[3] || n[4]) {
        status = refuse_worked(p, e->code, c.name, n);
        goto out;
    }
    status = project_code_row_json(p, c.row, &detail);
    if (status == QUARRY_OK) {
        st = project_prepare(p, "SELECT count(*) FROM suggestions"
                                " WHERE code_id = ?1");
        if (st != NULL)
            sqlite3_bind_int64(st, 1, c.row);
        status = project_step_int64(p, st, &pending,
                                    "cannot read the suggestions");
    }
    if (status == QUARRY_OK) {
        json_object_set_new(detail, "suggestions_set_aside",
                            json_integer(pending));
        status = project_code_history_add(p, QUARRY_CODE_DELETE, e->code,
                                          coder, at, c.name, NULL, detail,
                                          &edit);
        detail = NULL;
    }
    if (status == QUARRY_OK)
        status = project_exec_ids(p,
                      "INSERT INTO code_edit_rows(edit_id, tbl, row_id, col,"
                      " was) SELECT ?1, 'suggestions', s.id, 'removed',"
                      " json_object('run', s.run_id, 'excerpt', x.xid,"
                      " 'rank', s.rank, 'score', s.score, 'confidence',"
                      " s.confidence, 'abstain', s.abstain, 'evidence',"
                      " CASE WHEN json_valid(s.evidence) THEN"
                      " json(s.evidence) ELSE s.evidence END)"
                      " FROM suggestions s JOIN excerpts x"
                      " ON x.id = s.excerpt_id WHERE s.code_id = ?2",
                      edit, c.row, 0, NULL);
    if (status == QUARRY_OK)
        status = project_exec_ids(p, "DELETE FROM suggestions WHERE"
                                     " code_id = ?2", edit, c.row, 0, NULL);
    if (status == QUARRY_OK)
        status = project_exec_ids(p, "DELETE FROM meta WHERE key = '"
                                     PROJECT_META_CODABLE "' || (SELECT code"
                                     " FROM codes WHERE id = ?2)",
                                  edit, c.row, 0, NULL);
    if (status == QUARRY_OK)
        status = project_exec_ids(p, "DELETE FROM codes WHERE id = ?2", edit,
                                  c.row, 0, NULL);
out:
    json_decref(detail);
    fields_free(&c);
    return status;
}
