/*
 * project_settle.c -- settling an excerpt coders disagree on: a coder (a
 * lead, say) names the final codes, and they become that coder's codings
 * through ordinary decisions, the other coders' codings kept as they are.
 *
 * One transaction: an "add" for each final code the coder lacks, a
 * "remove" for each code of the coder's not among them (both with batch
 * "settle", so the trail says where they came from), then one "settle"
 * decision with the final codes (a JSON array) and the note. The settle
 * decision is what takes the excerpt out of the coder's disagreements
 * queue (project_queue.c); undo reverses it like any other decision.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"


/* 1 when code is among the n first of list. */
static int listed(const char *code, const char *const *list, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return 1;
    return 0;
}

/* 1 when code is in the JSON array of strings a. */
static int in_array(const json_t *a, const char *code)
{
    size_t i;
    for (i = 0; i < json_array_size(a); i++)
        if (strcmp(json_string_value(json_array_get(a, i)), code) == 0)
            return 1;
    return 0;
}

/* The coder's codes on the excerpt now, as a JSON array of code ids. */
static int codes_now(quarry_project *p, int64_t excerpt, const char *coder,
                     json_t **out)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT k.code FROM codings g JOIN codes k ON k.id = g.code_id"
           " JOIN coders c ON c.id = g.coder_id WHERE g.excerpt_id = ?1"
           " AND c.name = ?2 ORDER BY k.position, k.code");
    json_t *a = json_array();
    int rc;
    *out = NULL;
    if (st == NULL) {
        json_decref(a);
        return QUARRY_EIO;
    }
    if (a == NULL) {
        sqlite3_finalize(st);
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_text(st, 2, coder, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (json_array_append_new(a, json_string(project_col_text(st, 0))) !=
            0)
            break;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        return rc == SQLITE_ROW
                   ? project_fail(p, QUARRY_ENOMEM, "out of memory")
                   : project_db_fail(p, "cannot read the codings");
    }
    *out = a;
    return QUARRY_OK;
}

static int insert_settle(quarry_project *p, int64_t excerpt,
                         const char *coder, const char *codes,
                         const char *note)
{
    sqlite3_stmt *st;
    int64_t coder_id;
    char now[40];
    int rc, status = project_coder_id(p, coder, &coder_id);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, "INSERT INTO decisions(excerpt_id, verdict,"
                            " coder_id, made_at, note, codes)"
                            " VALUES(?1, 'settle', ?2, ?3, ?4, ?5)");
    if (st == NULL)
        return QUARRY_EIO;
    project_now(p, now);
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_int64(st, 2, coder_id);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    project_bind_text(st, 4, note);
    sqlite3_bind_text(st, 5, codes, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot store the decision");
}

/* The passage the other coders who gave code to the excerpt all marked
 * (span[1] 0: none, or they marked different ones, or one coded it whole):
 * a code a settlement adds takes it. */
static int agreed_passage(quarry_project *p, int64_t excerpt,
                          const char *coder, const char *code,
                          int64_t span[2])
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT DISTINCT g.span_start, g.span_end FROM codings g"
           " JOIN codes k ON k.id = g.code_id JOIN coders c"
           " ON c.id = g.coder_id WHERE g.excerpt_id = ?1 AND k.code = ?2"
           " AND c.name <> ?3 LIMIT 2");
    int rc, rows = 0;
    span[0] = span[1] = 0;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, coder, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (rows++ == 0 && sqlite3_column_type(st, 1) != SQLITE_NULL) {
            span[0] = sqlite3_column_int64(st, 0);
            span[1] = sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_finalize(st);
    if (rows != 1)
        span[0] = span[1] = 0;
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot read the codings");
}

/* Inside the transaction: the adds and removes, then the settle. */
static int settle_in(quarry_project *p, const char *coder, int64_t excerpt,
                     const char *xid, const char *const *codes,
                     size_t n_codes, const char *note)
{
    json_t *had = NULL, *final = json_array();
    quarry_decision d = QUARRY_DECISION_INIT;
    char *text = NULL;
    int64_t span[2];
    size_t i;
    int status;
    if (final == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    status = codes_now(p, excerpt, coder, &had);
    d.excerpt = xid;
    d.coder = coder;
    d.batch = PROJECT_SETTLE_BATCH;
    /* Removes first, then adds in the order given (a code named twice is
     * added once). */
    for (i = 0; status == QUARRY_OK && i < json_array_size(had); i++) {
        const char *code = json_string_value(json_array_get(had, i));
        if (listed(code, codes, n_codes))
            continue;
        d.verdict = QUARRY_VERDICT_REMOVE;
        d.code = code;
        status = project_decide_in(p, &d, NULL);
    }
    for (i = 0; status == QUARRY_OK && i < n_codes; i++) {
        if (listed(codes[i], codes, i))
            continue;
        if (json_array_append_new(final, json_string(codes[i])) != 0) {
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        if (in_array(had, codes[i]))
            continue;
        d.verdict = QUARRY_VERDICT_ADD;
        d.code = codes[i];
        status = agreed_passage(p, excerpt, coder, codes[i], span);
        d.span_start = span[0];
        d.span_end = span[1];
        if (status == QUARRY_OK)
            status = project_decide_in(p, &d, NULL);
        d.span_start = d.span_end = 0;
    }
    if (status == QUARRY_OK &&
        (text = json_dumps(final, JSON_COMPACT)) == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    if (status == QUARRY_OK)
        status = insert_settle(p, excerpt, coder, text, note);
    free(text);
    json_decref(had);
    json_decref(final);
    return status;
}

int project_settle_in(quarry_project *p, const char *coder,
                      const char *excerpt, const char *const *codes,
                      size_t n_codes, const char *note)
{
    int64_t row, code;
    size_t i;
    const char **ids = NULL;
    char **named = NULL;
    int status;
    if (coder == NULL || coder[0] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "settle: no coder (a settlement names who "
                            "decided)");
    if (excerpt == NULL || excerpt[0] == '\0')
        return project_fail(p, QUARRY_EINVAL, "settle: no excerpt");
    if (n_codes > 0 && codes == NULL)
        return project_fail(p, QUARRY_EINVAL, "settle: no codes");
    status = project_excerpt_id(p, excerpt, &row);
    if (status != QUARRY_OK)
        return status;
    if (row == 0)
        return project_fail(p, QUARRY_ENOTFOUND,
                            "settle: no excerpt \"%s\" in the project",
                            excerpt);
    /* A code may be named by its name (any case): the ids go on. */
    ids = calloc(n_codes + 1, sizeof *ids);
    named = calloc(n_codes + 1, sizeof *named);
    if (ids == NULL || named == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    for (i = 0; status == QUARRY_OK && i < n_codes; i++) {
        if (codes[i] == NULL || codes[i][0] == '\0') {
            status = project_fail(p, QUARRY_EINVAL,
                                  "settle: code %zu of %zu is empty", i + 1,
                                  n_codes);
            break;
        }
        status = project_code_by_name(p, "codes", codes[i], &named[i]);
        ids[i] = named[i] ? named[i] : codes[i];
        if (status == QUARRY_OK)
            status = project_code_id(p, ids[i], &code);
        if (status == QUARRY_OK && code == 0)
            status = project_fail(p, QUARRY_ENOTFOUND,
                                  "settle: unknown code \"%s\" (not in the "
                                  "project's codebook)", codes[i]);
    }
    if (status == QUARRY_OK)
        status = settle_in(p, coder, row, excerpt, ids, n_codes, note);
    for (i = 0; named != NULL && i < n_codes; i++)
        free(named[i]);
    free(named);
    free(ids);
    return status;
}

int quarry_project_settle(quarry_project *p, const char *coder,
                          const char *excerpt, const char *const *codes,
                          size_t n_codes, const char *note)
{
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    status = project_begin(p);
    if (status != QUARRY_OK)
        return status;
    status = project_settle_in(p, coder, excerpt, codes, n_codes, note);
    if (status == QUARRY_OK)
        return project_commit(p);
    project_rollback(p);
    return status;
}
