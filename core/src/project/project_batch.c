/*
 * project_batch.c -- accepting the confident suggestions of a run as one
 * batch of a coder's decisions (`quarry review P --accept-above C`), with
 * the error to expect at that confidence: measured on the coded excerpts
 * the run held out when it calibrated (the calibration table), and, as a
 * second figure, on the suggestions coders already decided.
 *
 * Each accepted suggestion is an ordinary accept decision (the same checks,
 * the same coding) that also records its batch, so the trail tells a
 * batch from a decision taken by hand and undo works on it one by one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

/* The top suggestion (rank 0 of its run) of an excerpt, not abstained. */
#define TOP_AT_OR_ABOVE                                                       \
    " s.rank = (SELECT min(rank) FROM suggestions t WHERE t.run_id ="        \
    "  s.run_id AND t.excerpt_id = s.excerpt_id)"                            \
    " AND s.abstain = 0 AND s.confidence >= ?1"

/* The top suggestions of the latest run the batch would accept: the coder
 * has not decided on them and has not coded the excerpt (as the review
 * queue: an excerpt the coder coded is done for that coder). */
static const char batch_sql[] =
    "SELECT e.xid, k.code FROM suggestions s"
    " JOIN excerpts e ON e.id = s.excerpt_id"
    " JOIN codes k ON k.id = s.code_id WHERE" TOP_AT_OR_ABOVE
    " AND s.run_id = (SELECT max(id) FROM runs)"
    " AND NOT EXISTS (SELECT 1 FROM decisions d JOIN coders c ON c.id ="
    "  d.coder_id WHERE c.name = ?2 AND d.excerpt_id = s.excerpt_id AND"
    "  d.code_id = s.code_id AND d.verdict IN ('accept', 'reject',"
    "  'replace') AND" PROJECT_NOT_UNDONE("d") ")"
    " AND NOT EXISTS (SELECT 1 FROM codings g JOIN coders c ON c.id ="
    "  g.coder_id WHERE c.name = ?2 AND g.excerpt_id = s.excerpt_id)";

/* Top suggestions at or above the confidence that a person decided (not
 * in a batch: those would vouch for themselves), and the wrong ones. */
static const char checked_sql[] =
    "SELECT count(*), coalesce(sum(d.verdict <> 'accept'), 0)"
    " FROM decisions d JOIN suggestions s ON s.id = d.suggestion_id"
    " WHERE d.verdict IN ('accept', 'reject', 'replace') AND d.batch IS NULL"
    " AND" PROJECT_NOT_UNDONE("d") " AND" TOP_AT_OR_ABOVE;

/* The latest run's held-out calibration rows at or above the confidence,
 * and the wrong ones. */
static const char heldout_sql[] =
    "SELECT count(*), coalesce(sum(correct = 0), 0) FROM calibration"
    " WHERE run_id = (SELECT max(id) FROM runs) AND confidence >= ?1";

/* What sql (checked_sql or heldout_sql) counts at confidence c: the rows,
 * the wrong ones and the share wrong (NaN when there are none). */
static int error_at(quarry_project *p, const char *sql, double c, int64_t *n,
                    int64_t *wrong, double *error, const char *what)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_double(st, 1, c);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        *wrong = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return project_db_fail(p, what);
    *error = *n > 0 ? (double)*wrong / (double)*n : NAN;
    return QUARRY_OK;
}

typedef struct pick {
    char *xid, *code;
} pick;

int quarry_project_accept_above(quarry_project *p, const char *coder,
                                double min_confidence, int dry_run,
                                quarry_batch_info *info)
{
    char sql[sizeof batch_sql + 256];
    sqlite3_stmt *st;
    pick *picks = NULL;
    size_t n = 0, cap = 0, i;
    int rc, status = project_check(p, !dry_run);
    if (status != QUARRY_OK)
        return status;
    if (info == NULL)
        return project_fail(p, QUARRY_EINVAL, "accept-above: no info");
    memset(info, 0, sizeof *info);
    info->error = info->heldout_error = NAN;
    if (coder == NULL || coder[0] == '\0')
        return project_fail(p, QUARRY_EINVAL,
                            "accept-above: every decision names its coder");
    if (!(min_confidence >= 0.0 && min_confidence <= 1.0))
        return project_fail(p, QUARRY_EINVAL,
                            "accept-above: confidence %g is not in [0, 1]",
                            min_confidence);
    status = dry_run ? QUARRY_OK : project_begin(p);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, "SELECT coalesce(max(id), 0) FROM runs");
    if (st == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        info->run = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    snprintf(info->batch, sizeof info->batch, "accept-above %.2f, run %lld",
             min_confidence, (long long)info->run);
    status = error_at(p, checked_sql, min_confidence, &info->checked,
                      &info->wrong, &info->error, "cannot read the decisions");
    if (status == QUARRY_OK)
        status = error_at(p, heldout_sql, min_confidence, &info->heldout,
                          &info->heldout_wrong, &info->heldout_error,
                          "cannot read the calibration");
    if (status != QUARRY_OK)
        goto out;
    /* Whose turns: the review's speakers (interviewer turns left out
     * unless asked for), as the queue. */
    snprintf(sql, sizeof sql, "%s%s ORDER BY e.seq, e.id", batch_sql,
             project_speakers_clause(p->review_speakers));
    st = project_prepare(p, sql);
    if (st == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    sqlite3_bind_double(st, 1, min_confidence);
    sqlite3_bind_text(st, 2, coder, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            pick *np = realloc(picks, nc * sizeof *np);
            if (np == NULL) {
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                break;
            }
            picks = np;
            cap = nc;
        }
        picks[n].xid = strdup(project_col_text(st, 0));
        picks[n].code = strdup(project_col_text(st, 1));
        if (picks[n].xid == NULL || picks[n].code == NULL) {
            free(picks[n].xid);
            free(picks[n].code);
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the suggestions");
    sqlite3_finalize(st);
    info->excerpts = (int64_t)n;
    /* Read first, then decide: the decisions change what the query sees. */
    for (i = 0; status == QUARRY_OK && !dry_run && i < n; i++) {
        quarry_decision d = QUARRY_DECISION_INIT;
        d.excerpt = picks[i].xid;
        d.verdict = QUARRY_VERDICT_ACCEPT;
        d.code = picks[i].code;
        d.coder = coder;
        d.batch = info->batch;
        status = project_decide_in(p, &d, NULL);
    }
out:
    for (i = 0; i < n; i++) {
        free(picks[i].xid);
        free(picks[i].code);
    }
    free(picks);
    if (dry_run)
        return status;
    if (status == QUARRY_OK)
        return project_commit(p);
    project_rollback(p);
    return status;
}
