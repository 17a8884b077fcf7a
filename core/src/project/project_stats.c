/*
 * project_stats.c -- read-only facts about a project for reports
 * (quarry/project_stats.h): the latest suggest run as it was stored, and
 * the suggestions coders decided on.
 * One query per call, nothing written, strings kept in the project's
 * listing scratch so they live until the next call on it.
 */
#include <string.h>

#include "project_db.h"
#include "quarry/project_stats.h"

int quarry_project_latest_run(quarry_project *p, quarry_run_record *out)
{
    sqlite3_stmt *st = NULL;
    int rc, status;

    if (out == NULL)
        return QUARRY_EINVAL;
    memset(out, 0, sizeof *out);
    status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    project_scratch_reset(p);
    st = project_prepare(
        p, "SELECT r.id, r.command, r.started_at, r.seconds,"
           " r.quarry_version, r.plugins, r.options, r.train_sha256,"
           " r.input_sha256, r.n_train, r.n_input,"
           " (SELECT COUNT(*) FROM suggestions s WHERE s.run_id = r.id),"
           " (SELECT COUNT(DISTINCT s.excerpt_id) FROM suggestions s"
           "  WHERE s.run_id = r.id AND s.abstain != 0)"
           " FROM runs r ORDER BY r.id DESC LIMIT 1");
    if (st == NULL)
        return QUARRY_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->run = sqlite3_column_int64(st, 0);
        out->command = project_scratch_dup(p, project_col_text(st, 1));
        out->started_at = project_scratch_dup(p, project_col_text(st, 2));
        out->seconds = sqlite3_column_double(st, 3);
        out->quarry_version = project_scratch_dup(p, project_col_text(st, 4));
        out->plugins = project_scratch_dup(p, project_col_text(st, 5));
        out->options = project_scratch_dup(p, project_col_text(st, 6));
        out->train_sha256 = project_scratch_dup(p, project_col_text(st, 7));
        out->input_sha256 = project_scratch_dup(p, project_col_text(st, 8));
        out->n_train = sqlite3_column_int64(st, 9);
        out->n_input = sqlite3_column_int64(st, 10);
        out->suggestions = sqlite3_column_int64(st, 11);
        out->abstained = sqlite3_column_int64(st, 12);
        status = QUARRY_OK;
    } else if (rc == SQLITE_DONE) {
        status = QUARRY_OK; /* no run yet: out->run stays 0 */
    } else {
        status = project_db_fail(p, "cannot read the runs");
    }
    sqlite3_finalize(st);
    return status;
}

typedef struct decided_cb {
    int (*fn)(void *ctx, const quarry_decided_suggestion *d);
    void *ctx;
} decided_cb;

static int decided_row(sqlite3_stmt *st, void *ctx)
{
    const decided_cb *cb = ctx;
    quarry_decided_suggestion d;
    d.excerpt = project_col_text(st, 0);
    d.code = project_col_text(st, 1);
    d.coder = project_col_text(st, 2);
    d.verdict = project_col_text(st, 3);
    d.batch = project_col_text(st, 4);
    d.run = sqlite3_column_int64(st, 5);
    d.rank = sqlite3_column_int(st, 6);
    d.confidence = sqlite3_column_double(st, 7);
    return cb->fn(cb->ctx, &d);
}

int quarry_project_decided_suggestions(
    quarry_project *p,
    int (*fn)(void *ctx, const quarry_decided_suggestion *d), void *ctx)
{
    decided_cb cb = {fn, ctx};
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    return project_walk(
        p,
        project_prepare(
            p, "SELECT e.xid, k.code, c.name, d.verdict, d.batch, s.run_id,"
               " s.rank, s.confidence FROM decisions d"
               " JOIN suggestions s ON s.id = d.suggestion_id"
               " JOIN excerpts e ON e.id = d.excerpt_id"
               " JOIN codes k ON k.id = s.code_id"
               " JOIN coders c ON c.id = d.coder_id"
               " WHERE d.verdict IN ('accept', 'reject', 'replace') AND"
               PROJECT_NOT_UNDONE("d") " ORDER BY d.id"),
        decided_row, &cb, "cannot read the decisions");
}
