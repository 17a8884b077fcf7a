/*
 * project_trail.c -- the decision trail of a project as a file: every
 * decision ever taken, in the order taken, undone and removed ones
 * included (`quarry export PROJECT --format decisions`).
 *
 * One row a decision: its id, time, coder, excerpt, verdict, code,
 * replacement, note, the origin of the coding it made or removed, the
 * batch it came from, the id of the decision it reverses (undo: the
 * decision undone; remove: the decision that had made the coding), and,
 * for a settle, the final codes it settled on (no code of its own; JSONL
 * an array, CSV the codes joined by "; "), and the passage the coding
 * made or removed was of (empty: the whole excerpt; JSONL also its span
 * in characters). The code and replacement are
 * the codes as decided, also after a merge re-pointed the decision to the
 * code that stayed. JSONL leaves absent fields out; CSV leaves their
 * cells empty.
 */
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

enum { TRAIL_FIELDS = 13 };

/* The code a decision was taken on when a merge has re-pointed the
 * decision since (the first merge that touched it; project_codebook_edit.c),
 * else NULL: the trail names the code the coder decided on. */
#define MERGED_FROM(col)                                                      \
    "(SELECT h.code FROM code_edit_rows m JOIN code_edits h ON h.id ="      \
    " m.edit_id WHERE m.tbl = 'decisions' AND m.row_id = d.id AND m.col ="  \
    " '" col "' ORDER BY h.id LIMIT 1)"

static const char *const trail_names[TRAIL_FIELDS] = {
    "id",   "time",   "coder", "excerpt", "verdict", "code",
    "replacement", "note", "origin", "batch", "reverses", "codes",
    "passage"};

/* The origin of the coding a decision made (accept, replace, add) or
 * removed (remove, as stored with it); NULL for reject and undo. */
static const char *origin_of(const char *verdict, const char *removed)
{
    if (strcmp(verdict, "accept") == 0)
        return "accepted-suggestion";
    if (strcmp(verdict, "replace") == 0 || strcmp(verdict, "add") == 0)
        return "manual";
    if (strcmp(verdict, "remove") == 0)
        return removed;
    return NULL;
}

static int put_csv(FILE *out, const char *const *v)
{
    int i;
    for (i = 0; i < TRAIL_FIELDS; i++) {
        const char *s = v[i] ? v[i] : "";
        if (i > 0)
            fputc(',', out);
        csv_fwrite(out, s, strlen(s));
    }
    fputc('\n', out);
    return ferror(out) ? QUARRY_EIO : QUARRY_OK;
}

/* A settle's codes (a JSON array) joined by "; " (malloc'ed; NULL when
 * there are none to join, *oom set when memory ran out). */
static char *joined_codes(const char *codes, int *oom)
{
    json_t *a = codes ? json_loads(codes, 0, NULL) : NULL;
    size_t i, len = 1;
    char *s = NULL;
    *oom = 0;
    if (a == NULL || !json_is_array(a)) {
        json_decref(a);
        return NULL;
    }
    for (i = 0; i < json_array_size(a); i++) {
        const char *c = json_string_value(json_array_get(a, i));
        len += (c ? strlen(c) : 0) + 2;
    }
    if ((s = malloc(len)) == NULL) {
        *oom = 1;
    } else {
        s[0] = '\0';
        for (i = 0; i < json_array_size(a); i++) {
            const char *c = json_string_value(json_array_get(a, i));
            if (i > 0)
                strcat(s, "; ");
            strcat(s, c ? c : "");
        }
    }
    json_decref(a);
    return s;
}

static int put_jsonl(FILE *out, const char *const *v, int64_t id,
                     int64_t reverses, const int64_t span[2])
{
    json_t *o = json_object();
    char *s;
    int i, rc;
    if (o == NULL)
        return QUARRY_ENOMEM;
    json_object_set_new(o, "id", json_integer(id));
    for (i = 1; i < TRAIL_FIELDS - 3; i++)
        if (v[i] != NULL)
            json_object_set_new(o, trail_names[i], json_string(v[i]));
    if (reverses)
        json_object_set_new(o, "reverses", json_integer(reverses));
    if (v[11] != NULL) {
        json_t *codes = json_loads(v[11], 0, NULL);
        if (json_is_array(codes))
            json_object_set_new(o, "codes", codes);
        else
            json_decref(codes);
    }
    if (v[12] != NULL) {
        json_object_set_new(o, "passage", json_string(v[12]));
        json_object_set_new(o, "span", json_pack("[I, I]",
                                                 (json_int_t)span[0],
                                                 (json_int_t)span[1]));
    }
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s == NULL)
        return QUARRY_ENOMEM;
    rc = fprintf(out, "%s\n", s) < 0 ? QUARRY_EIO : QUARRY_OK;
    free(s);
    return rc;
}

int quarry_project_export_decisions(quarry_project *p, FILE *out, int csv)
{
    sqlite3_stmt *st;
    char idbuf[24], revbuf[24];
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (out == NULL)
        return project_fail(p, QUARRY_EINVAL, "no output");
    st = project_prepare(
        p, "SELECT d.id, d.made_at, c.name, e.xid, d.verdict,"
           " coalesce(" MERGED_FROM("code_id") ", k.code),"
           " coalesce(" MERGED_FROM("replacement_id") ", r.code),"
           " d.note, d.coding_origin, d.batch, d.reverses, d.codes, "
           PROJECT_PASSAGE_SQL("d", "e") ", d.span_start, d.span_end"
           " FROM decisions d JOIN coders c ON c.id = d.coder_id"
           " JOIN excerpts e ON e.id = d.excerpt_id"
           " LEFT JOIN codes k ON k.id = d.code_id"
           " LEFT JOIN codes r ON r.id = d.replacement_id ORDER BY d.id");
    if (st == NULL)
        return QUARRY_EIO;
    if (csv) {
        int i;
        for (i = 0; i < TRAIL_FIELDS; i++)
            fprintf(out, "%s%s", i ? "," : "", trail_names[i]);
        fputc('\n', out);
    }
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v[TRAIL_FIELDS];
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t span[2];
        int64_t reverses = sqlite3_column_int64(st, 10);
        char *joined = NULL;
        int i, oom = 0;
        for (i = 1; i < TRAIL_FIELDS - 3; i++)
            v[i] = project_col_text(st, i);
        v[8] = origin_of(v[4] ? v[4] : "", v[8]);
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        snprintf(revbuf, sizeof revbuf, "%lld", (long long)reverses);
        v[0] = idbuf;
        v[10] = reverses ? revbuf : NULL;
        v[11] = project_col_text(st, 11);
        v[12] = project_col_text(st, 12);
        span[0] = sqlite3_column_int64(st, 13);
        span[1] = sqlite3_column_int64(st, 14);
        if (csv && v[11] != NULL)
            v[11] = joined = joined_codes(v[11], &oom);
        status = oom ? QUARRY_ENOMEM
                 : csv ? put_csv(out, v)
                       : put_jsonl(out, v, id, reverses, span);
        free(joined);
        if (status == QUARRY_ENOMEM)
            project_fail(p, status, "out of memory");
        else if (status != QUARRY_OK)
            project_fail(p, status, "cannot write the decisions");
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the decisions");
    sqlite3_finalize(st);
    return status;
}
