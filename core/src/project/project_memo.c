/*
 * project_memo.c -- memos: what a coder writes down about an excerpt, a
 * code or the whole project, with who wrote it and when
 * (`quarry memo`, the REFI-QDA Notes, the review screen).
 *
 * Memos are only ever added. Editing one adds a new version whose
 * "revises" names the earlier one, so the record keeps every version with
 * its author and time, as it keeps every decision.
 */
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

/* The row id of the excerpt or code a memo names (0 for the project);
 * QUARRY_ENOTFOUND with the message set when the project lacks it. */
static int target_id(quarry_project *p, int is_code, const char *name,
                     int64_t *id)
{
    int status;
    *id = 0;
    if (name == NULL)
        return QUARRY_OK;
    status = is_code ? project_code_id(p, name, id)
                     : project_excerpt_id(p, name, id);
    if (status != QUARRY_OK)
        return status;
    if (*id == 0)
        return project_fail(p, QUARRY_ENOTFOUND,
                            is_code ? "unknown code \"%s\" (not in the "
                                      "project's codebook)"
                                    : "no excerpt \"%s\" in the project",
                            name);
    return QUARRY_OK;
}

/* The excerpt and code a memo is on (0 for none); ENOTFOUND when there
 * is no such memo. */
static int memo_target(quarry_project *p, int64_t memo, int64_t *excerpt,
                       int64_t *code)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT excerpt_id, code_id FROM memos WHERE id = ?1");
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, memo);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *excerpt = sqlite3_column_int64(st, 0);
        *code = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return QUARRY_OK;
    if (rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the memos");
    return project_fail(p, QUARRY_ENOTFOUND,
                        "memo %lld: no such memo in the project",
                        (long long)memo);
}

/* A revised memo exists and is on the same excerpt, code or project. */
static int check_revises(quarry_project *p, int64_t revises, int64_t excerpt,
                         int64_t code)
{
    int64_t on_excerpt = 0, on_code = 0;
    int status = memo_target(p, revises, &on_excerpt, &on_code);
    if (status == QUARRY_OK && (on_excerpt != excerpt || on_code != code))
        status = project_fail(p, QUARRY_ENOTFOUND,
                              "memo %lld: no such memo on the same %s "
                              "(--revises alone puts the new version where "
                              "memo %lld is)",
                              (long long)revises,
                              excerpt ? "excerpt" : code ? "code" : "project",
                              (long long)revises);
    return status;
}

int project_memo_insert(quarry_project *p, int64_t excerpt, int64_t code,
                        int64_t coder, const char *time, const char *text,
                        size_t len, int64_t revises, const char *guid,
                        int64_t *id)
{
    char now[40];
    sqlite3_stmt *st;
    project_now(p, now);
    st = project_prepare(p, "INSERT INTO memos(excerpt_id, code_id,"
                            " coder_id, made_at, text, revises, guid)"
                            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (st == NULL)
        return QUARRY_EIO;
    if (excerpt)
        sqlite3_bind_int64(st, 1, excerpt);
    if (code)
        sqlite3_bind_int64(st, 2, code);
    sqlite3_bind_int64(st, 3, coder);
    project_bind_text(st, 4, time ? time : now);
    sqlite3_bind_text(st, 5, text, (int)len, SQLITE_TRANSIENT);
    if (revises)
        sqlite3_bind_int64(st, 6, revises);
    project_bind_text(st, 7, guid);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        return project_db_fail(p, "cannot add the memo");
    }
    sqlite3_finalize(st);
    if (id != NULL)
        *id = sqlite3_last_insert_rowid(p->db);
    return QUARRY_OK;
}

int project_memo_add_in(quarry_project *p, const quarry_memo *m, int64_t *id)
{
    int64_t excerpt = 0, code = 0, coder = 0;
    int status;
    if (m->coder == NULL || m->coder[0] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "a memo needs its author (the coder's name)");
    if (m->text == NULL || m->text[strspn(m->text, " \t\r\n")] == '\0')
        return project_fail(p, QUARRY_EINVAL, "the memo's text is empty");
    if (m->excerpt != NULL && m->code != NULL)
        return project_fail(p, QUARRY_EINVAL,
                            "a memo is on an excerpt or on a code, not both");
    if (m->time != NULL && (strlen(m->time) < 10 || strlen(m->time) >= 40))
        return project_fail(p, QUARRY_EINVAL,
                            "memo time \"%s\" is not an ISO 8601 time",
                            m->time);
    if (m->revises != 0 && m->excerpt == NULL && m->code == NULL) {
        /* A revision goes where the memo it revises is. */
        status = memo_target(p, m->revises, &excerpt, &code);
    } else {
        status = target_id(p, 0, m->excerpt, &excerpt);
        if (status == QUARRY_OK)
            status = target_id(p, 1, m->code, &code);
        if (status == QUARRY_OK && m->revises != 0)
            status = check_revises(p, m->revises, excerpt, code);
    }
    if (status == QUARRY_OK)
        status = project_coder_id(p, m->coder, &coder);
    if (status != QUARRY_OK)
        return status;
    return project_memo_insert(p, excerpt, code, coder, m->time, m->text,
                               m->text ? strlen(m->text) : 0, m->revises,
                               m->guid, id);
}

int quarry_project_memo_add(quarry_project *p, const quarry_memo *m,
                            int64_t *id)
{
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (m == NULL)
        return project_fail(p, QUARRY_EINVAL, "no memo");
    status = project_begin(p);
    if (status != QUARRY_OK)
        return status;
    status = project_memo_add_in(p, m, id);
    if (status == QUARRY_OK)
        return project_commit(p);
    project_rollback(p);
    return status;
}

typedef struct memo_cb {
    int (*fn)(void *ctx, const quarry_memo *m);
    void *ctx;
} memo_cb;

static int memo_row(sqlite3_stmt *st, void *ctx)
{
    const memo_cb *cb = ctx;
    quarry_memo m = QUARRY_MEMO_INIT;
    m.id = sqlite3_column_int64(st, 0);
    m.excerpt = project_col_text(st, 1);
    m.code = project_col_text(st, 2);
    m.coder = project_col_text(st, 3);
    m.time = project_col_text(st, 4);
    m.text = project_col_text(st, 5);
    m.revises = sqlite3_column_int64(st, 6);
    m.guid = project_col_text(st, 7);
    return cb->fn(cb->ctx, &m);
}

int quarry_project_memos(quarry_project *p, quarry_memo_scope scope,
                         const char *name,
                         int (*fn)(void *ctx, const quarry_memo *m),
                         void *ctx)
{
    static const char *const where[] = {
        "", " WHERE m.excerpt_id IS NULL AND m.code_id IS NULL",
        " WHERE m.excerpt_id = ?1", " WHERE m.code_id = ?1"};
    char sql[512];
    int64_t target = 0;
    sqlite3_stmt *st;
    memo_cb cb = {fn, ctx};
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (fn == NULL || scope < QUARRY_MEMOS_ALL || scope > QUARRY_MEMOS_CODE)
        return project_fail(p, QUARRY_EINVAL, "bad memo listing");
    if (scope == QUARRY_MEMOS_EXCERPT || scope == QUARRY_MEMOS_CODE) {
        if (name == NULL)
            return project_fail(p, QUARRY_EINVAL, "no %s named",
                                scope == QUARRY_MEMOS_CODE ? "code"
                                                           : "excerpt");
        status = target_id(p, scope == QUARRY_MEMOS_CODE, name, &target);
        if (status != QUARRY_OK)
            return status;
    }
    snprintf(sql, sizeof sql,
             "SELECT m.id, e.xid, k.code, c.name, m.made_at, m.text,"
             " m.revises, m.guid FROM memos m"
             " JOIN coders c ON c.id = m.coder_id"
             " LEFT JOIN excerpts e ON e.id = m.excerpt_id"
             " LEFT JOIN codes k ON k.id = m.code_id%s ORDER BY m.id",
             where[scope]);
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    if (target)
        sqlite3_bind_int64(st, 1, target);
    return project_walk(p, st, memo_row, &cb, "cannot read the memos");
}

int quarry_project_memo_count(quarry_project *p, const char *excerpt,
                              int64_t *n)
{
    int64_t target = 0;
    sqlite3_stmt *st;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (excerpt == NULL || n == NULL)
        return project_fail(p, QUARRY_EINVAL, "no excerpt named");
    *n = 0;
    status = target_id(p, 0, excerpt, &target);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, "SELECT count(*) FROM memos WHERE excerpt_id = ?1");
    if (st != NULL)
        sqlite3_bind_int64(st, 1, target);
    return project_step_int64(p, st, n, "cannot read the memos");
}

/* ------------------------------------------------------------------ */
/* The memos as a file                                                  */

typedef struct memo_file {
    FILE *out;
    int csv;
} memo_file;

static const char *memo_on(const quarry_memo *m)
{
    return m->excerpt ? "excerpt" : m->code ? "code" : "project";
}

/* A cell quoted (libcsv) only when it must be, as `memo --list` always
 * wrote it. */
static void csv_cell(FILE *out, const char *s, int last)
{
    if (s != NULL && strpbrk(s, ",\"\r\n") != NULL)
        csv_fwrite(out, s, strlen(s));
    else if (s != NULL)
        fputs(s, out);
    fputc(last ? '\n' : ',', out);
}

static int memo_line(void *ctx, const quarry_memo *m)
{
    memo_file *mf = ctx;
    FILE *f = mf->out;
    if (mf->csv) {
        char id[32], rev[32];
        snprintf(id, sizeof id, "%lld", (long long)m->id);
        snprintf(rev, sizeof rev, "%lld", (long long)m->revises);
        csv_cell(f, id, 0);
        csv_cell(f, m->time, 0);
        csv_cell(f, m->coder, 0);
        csv_cell(f, memo_on(m), 0);
        csv_cell(f, m->excerpt ? m->excerpt : "", 0);
        csv_cell(f, m->code ? m->code : "", 0);
        csv_cell(f, m->text, 0);
        csv_cell(f, m->revises ? rev : "", 1);
    } else {
        json_t *j = json_object();
        char *line;
        if (j == NULL)
            return QUARRY_ENOMEM;
        json_object_set_new(j, "id", json_integer(m->id));
        json_object_set_new(j, "time", json_string(m->time));
        json_object_set_new(j, "coder", json_string(m->coder));
        json_object_set_new(j, "on", json_string(memo_on(m)));
        if (m->excerpt)
            json_object_set_new(j, "excerpt", json_string(m->excerpt));
        if (m->code)
            json_object_set_new(j, "code", json_string(m->code));
        json_object_set_new(j, "text", json_string(m->text));
        if (m->revises)
            json_object_set_new(j, "revises", json_integer(m->revises));
        line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        if (line == NULL)
            return QUARRY_ENOMEM;
        fprintf(f, "%s\n", line);
        free(line);
    }
    return ferror(f) ? QUARRY_EIO : 0;
}

int quarry_project_export_memos(quarry_project *p, FILE *out,
                                quarry_memo_scope scope, const char *name,
                                int csv)
{
    memo_file mf;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (out == NULL)
        return project_fail(p, QUARRY_EINVAL, "no output");
    mf.out = out;
    mf.csv = csv;
    if (csv)
        fputs("id,time,coder,on,excerpt,code,text,revises\n", out);
    status = quarry_project_memos(p, scope, name, memo_line, &mf);
    if (status == QUARRY_ENOMEM)
        return project_fail(p, status, "out of memory");
    if (status == QUARRY_EIO && ferror(out))
        return project_fail(p, status, "cannot write the memos");
    return status;
}
