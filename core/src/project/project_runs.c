/*
 * project_runs.c -- every stored suggest run, newest first
 * (quarry_project_runs, quarry/project_browse.h): what the workbench's
 * runs page lists, each as quarry_project_latest_run gives the latest.
 *
 * A run's suggestions are stored with it in one transaction and never
 * change after, so its counts (a scan of its suggestions: a tenth of a
 * second at 100,000 excerpts) are kept on the handle once read.
 */
#include <stdlib.h>
#include <string.h>

#include "project_db.h"
#include "quarry/project_browse.h"

/* The counts of run into c[0] (suggestions) and c[1] (abstained), from
 * the handle's store or counted now with cnt and kept. */
static int run_counts(quarry_project *p, sqlite3_stmt *cnt, int64_t run,
                      int64_t c[2])
{
    int64_t(*grown)[3];
    size_t i;
    for (i = 0; i < p->n_run_counts; i++)
        if (p->run_counts[i][0] == run) {
            c[0] = p->run_counts[i][1];
            c[1] = p->run_counts[i][2];
            return QUARRY_OK;
        }
    sqlite3_reset(cnt);
    sqlite3_bind_int64(cnt, 1, run);
    if (sqlite3_step(cnt) != SQLITE_ROW)
        return project_db_fail(p, "cannot count the run's suggestions");
    c[0] = sqlite3_column_int64(cnt, 0);
    c[1] = sqlite3_column_int64(cnt, 1);
    grown = realloc(p->run_counts, (p->n_run_counts + 1) * sizeof *grown);
    if (grown == NULL) /* not kept: counted again next time */
        return QUARRY_OK;
    p->run_counts = grown;
    p->run_counts[p->n_run_counts][0] = run;
    p->run_counts[p->n_run_counts][1] = c[0];
    p->run_counts[p->n_run_counts][2] = c[1];
    p->n_run_counts++;
    return QUARRY_OK;
}

typedef struct runs_cb {
    quarry_project *p;
    sqlite3_stmt *cnt; /* a run's counts, when not kept yet */
    int (*fn)(void *ctx, const quarry_run_record *r);
    void *ctx;
} runs_cb;

static int run_row(sqlite3_stmt *st, void *ctx)
{
    const runs_cb *cb = ctx;
    quarry_run_record r;
    int64_t c[2] = {0, 0};
    int status;
    memset(&r, 0, sizeof r);
    r.run = sqlite3_column_int64(st, 0);
    status = run_counts(cb->p, cb->cnt, r.run, c);
    if (status != QUARRY_OK)
        return status;
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
    r.suggestions = c[0];
    r.abstained = c[1];
    return cb->fn(cb->ctx, &r);
}

int quarry_project_runs(quarry_project *p,
                        int (*fn)(void *ctx, const quarry_run_record *r),
                        void *ctx)
{
    runs_cb cb = {p, NULL, fn, ctx};
    sqlite3_stmt *st;
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(
        p, "SELECT id, command, started_at, seconds, quarry_version,"
           " plugins, options, train_sha256, input_sha256, n_train, n_input"
           " FROM runs ORDER BY id DESC");
    /* From the index suggestions_run_excerpt (run, excerpt, abstain). */
    cb.cnt = project_prepare(
        p, "SELECT count(*), count(DISTINCT CASE WHEN abstain != 0"
           " THEN excerpt_id END) FROM suggestions WHERE run_id = ?1");
    if (cb.cnt == NULL) {
        sqlite3_finalize(st);
        return QUARRY_EIO;
    }
    status = project_walk(p, st, run_row, &cb, "cannot read the runs");
    sqlite3_finalize(cb.cnt);
    return status;
}
