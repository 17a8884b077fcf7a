/*
 * project_runs.c -- every stored suggest run, newest first
 * (quarry_project_runs, quarry/project_browse.h): what the workbench's
 * runs page lists, each as quarry_project_latest_run gives the latest.
 */
#include <string.h>

#include "project_db.h"
#include "quarry/project_browse.h"

int quarry_project_runs(quarry_project *p,
                        int (*fn)(void *ctx, const quarry_run_record *r),
                        void *ctx)
{
    sqlite3_stmt *st;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (fn == NULL)
        return project_fail(p, QUARRY_EINVAL, "no callback");
    /* The counts per run from one pass over the suggestions, not one
     * scan per run. */
    st = project_prepare(
        p, "SELECT r.id, r.command, r.started_at, r.seconds,"
           " r.quarry_version, r.plugins, r.options, r.train_sha256,"
           " r.input_sha256, r.n_train, r.n_input,"
           " coalesce(c.n, 0), coalesce(c.abstained, 0)"
           " FROM runs r LEFT JOIN (SELECT run_id, count(*) AS n,"
           "  count(DISTINCT CASE WHEN abstain != 0 THEN excerpt_id END)"
           "  AS abstained FROM suggestions GROUP BY run_id) c"
           " ON c.run_id = r.id ORDER BY r.id DESC");
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        quarry_run_record r;
        memset(&r, 0, sizeof r);
        r.run = sqlite3_column_int64(st, 0);
        r.command = project_col_text(st, 1);
        r.started_at = project_col_text(st, 2);
        r.seconds = sqlite3_column_double(st, 3);
        r.quarry_version = project_col_text(st, 4);
        r.plugins = project_col_text(st, 5);
        r.options = project_col_text(st, 6);
        r.train_sha256 = project_col_text(st, 7);
        r.input_sha256 = project_col_text(st, 8);
        r.n_train = sqlite3_column_int64(st, 9);
        r.n_input = sqlite3_column_int64(st, 10);
        r.suggestions = sqlite3_column_int64(st, 11);
        r.abstained = sqlite3_column_int64(st, 12);
        status = fn(ctx, &r);
        if (status != 0)
            break;
    }
    if (status == 0 && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the runs");
    sqlite3_finalize(st);
    return status;
}
