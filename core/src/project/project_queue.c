/*
 * project_queue.c -- the review queue seen from an interactive session:
 * the first excerpt a coder has not decided yet, passing over the ones the
 * session skipped, and where that excerpt stands in the whole queue.
 *
 * The queue is the one of quarry_project_review_next() (project_review.c):
 * excerpts with suggestions in the latest run on which the coder has an
 * undecided suggestion and no coding yet, in import order, or most
 * uncertain first (quarry_project_set_review_order); or, to settle
 * disagreements, the excerpts whose coders' codes differ that the coder
 * has not settled yet.
 */
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

/* The top confidence of the excerpt's suggestions in the latest run. */
#define TOP_CONFIDENCE                                                        \
    "(SELECT max(s2.confidence) FROM suggestions s2 WHERE s2.excerpt_id ="   \
    " e.id AND s2.run_id = (SELECT max(id) FROM runs))"

/* Two coders' codes differ on excerpt e: some coder has a code that
 * another coder of the excerpt lacks. */
#define CODERS_DIFFER                                                         \
    " EXISTS (SELECT 1 FROM codings g1 JOIN codings g2 ON g2.excerpt_id ="    \
    "  g1.excerpt_id AND g2.coder_id <> g1.coder_id WHERE g1.excerpt_id ="   \
    "  e.id AND NOT EXISTS (SELECT 1 FROM codings g3 WHERE g3.excerpt_id ="  \
    "  e.id AND g3.coder_id = g2.coder_id AND g3.code_id = g1.code_id))"

/* The disagreements coder ?1 has not settled. */
static const char disagreements_from[] =
    " FROM excerpts e WHERE" CODERS_DIFFER
    " AND NOT EXISTS (SELECT 1 FROM decisions d JOIN coders c"
    "  ON c.id = d.coder_id WHERE c.name = ?1 AND d.excerpt_id = e.id"
    "  AND d.verdict = 'settle' AND" PROJECT_NOT_UNDONE("d") ")";

/* The turns p's speakers keep, as SQL on excerpt e. */
#define IS_INTERVIEWER                                                        \
    " lower(coalesce(json_extract(e.attributes, '$.role'), '')) ="           \
    " 'interviewer'"

const char *project_speakers_clause(int speakers)
{
    if (speakers == QUARRY_SPEAKERS_ALL)
        return "";
    if (speakers == QUARRY_SPEAKERS_INTERVIEWERS)
        return " AND" IS_INTERVIEWER;
    return " AND NOT" IS_INTERVIEWER;
}

const char *project_queue_source(quarry_project *p)
{
    snprintf(p->queue_sql, sizeof p->queue_sql, "%s%s",
             p->review_order == QUARRY_REVIEW_DISAGREEMENTS
                 ? disagreements_from
                 : project_queue_from,
             project_speakers_clause(p->review_speakers));
    return p->queue_sql;
}

const char *project_queue_total(quarry_project *p)
{
    snprintf(p->total_sql, sizeof p->total_sql, "%s%s",
             p->review_order == QUARRY_REVIEW_DISAGREEMENTS
                 ? "SELECT count(*) FROM excerpts e WHERE" CODERS_DIFFER
                 : "SELECT count(*) FROM excerpts e WHERE EXISTS (SELECT 1"
                   " FROM suggestions s WHERE s.excerpt_id = e.id AND"
                   " s.run_id = (SELECT max(id) FROM runs))",
             project_speakers_clause(p->review_speakers));
    return p->total_sql;
}

int quarry_project_set_review_speakers(quarry_project *p,
                                       quarry_speakers speakers)
{
    if (p == NULL)
        return QUARRY_EINVAL;
    if (speakers != QUARRY_SPEAKERS_PARTICIPANTS &&
        speakers != QUARRY_SPEAKERS_ALL &&
        speakers != QUARRY_SPEAKERS_INTERVIEWERS)
        return project_fail(p, QUARRY_EINVAL,
                            "review speakers %d: not participants (0), all "
                            "(1) or interviewers (2)", (int)speakers);
    p->review_speakers = (int)speakers;
    return QUARRY_OK;
}

int quarry_project_review_left_out(quarry_project *p, const char *coder,
                                   int64_t *n)
{
    char sql[3072];
    sqlite3_stmt *st;
    int rc, status = project_check(p, 0);
    if (n != NULL)
        *n = 0;
    if (status != QUARRY_OK)
        return status;
    if (coder == NULL || coder[0] == '\0' || n == NULL)
        return project_fail(p, QUARRY_EINVAL, "review: no coder");
    if (p->review_speakers == QUARRY_SPEAKERS_ALL)
        return QUARRY_OK;
    /* The queue of every speaker, less the turns kept. */
    snprintf(sql, sizeof sql, "SELECT count(*)%s AND NOT (1%s)",
             p->review_order == QUARRY_REVIEW_DISAGREEMENTS
                 ? disagreements_from
                 : project_queue_from,
             project_speakers_clause(p->review_speakers));
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, coder, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? QUARRY_OK
                            : project_db_fail(p, "cannot read the queue");
}

const char *project_queue_order(const quarry_project *p)
{
    if (p->review_order == QUARRY_REVIEW_UNCERTAIN)
        return " ORDER BY " TOP_CONFIDENCE ", e.seq, e.id";
    return " ORDER BY e.seq, e.id";
}

int quarry_project_set_review_order(quarry_project *p,
                                    quarry_review_order order)
{
    if (p == NULL)
        return QUARRY_EINVAL;
    if (order != QUARRY_REVIEW_SOURCE && order != QUARRY_REVIEW_UNCERTAIN &&
        order != QUARRY_REVIEW_DISAGREEMENTS)
        return project_fail(p, QUARRY_EINVAL,
                            "review order %d: not source (0), uncertain (1) "
                            "or disagreements (2)", (int)order);
    p->review_order = (int)order;
    return QUARRY_OK;
}

static int in_list(const char *xid, const char *const *list, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (list[i] != NULL && strcmp(list[i], xid) == 0)
            return 1;
    return 0;
}

/* Where the disagreements queue stands: counted whole (the excerpts
 * two coders coded are few beside a run's). */
static int disagreements_progress(quarry_project *p, const char *coder,
                                  quarry_review_progress *progress)
{
    char sql[4096];
    sqlite3_stmt *st;
    int status = QUARRY_OK;
    snprintf(sql, sizeof sql, "SELECT (SELECT count(*)%s), (%s)",
             project_queue_source(p), project_queue_total(p));
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, coder, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        progress->remaining = sqlite3_column_int64(st, 0);
        progress->total = sqlite3_column_int64(st, 1);
    } else {
        status = project_db_fail(p, "cannot read the review queue");
    }
    sqlite3_finalize(st);
    return status;
}

/* How project_queue_from begins: what follows it is the queue's
 * conditions on excerpt e. */
#define QUEUE_FROM_HEAD " FROM excerpts e WHERE "

/* The excerpts coder ?1 has coded or decided on: the only ones of the
 * latest run that can have left the queue. */
#define QUEUE_TOUCHED                                                         \
    "(SELECT g.excerpt_id FROM codings g WHERE g.coder_id ="                  \
    " (SELECT id FROM coders WHERE name = ?1) UNION"                          \
    " SELECT d.excerpt_id FROM decisions d WHERE d.coder_id ="                \
    " (SELECT id FROM coders WHERE name = ?1))"

/* progress->total and ->remaining. Counting the queue itself tests every
 * excerpt of the run (seconds at 100,000 excerpts); instead remaining =
 * total - the excerpts the coder touched that are in the run but no longer
 * in the queue, since an excerpt the coder never coded or decided on is in
 * it. The total of a run is counted once per handle. */
static int queue_progress(quarry_project *p, const char *coder,
                          quarry_review_progress *progress)
{
    char sql[4096];
    sqlite3_stmt *st;
    int64_t run = 0, touched = 0, queued = 0;
    int status = QUARRY_OK;
    status = project_step_int64(
        p, project_prepare(p, "SELECT coalesce(max(id), 0) FROM runs"), &run,
        "cannot read the runs");
    if (status != QUARRY_OK || run == 0)
        return status;
    if (p->queue_total_run != run ||
        p->queue_total_speakers != p->review_speakers) {
        if (p->review_speakers == QUARRY_SPEAKERS_ALL)
            st = project_prepare(p, "SELECT count(DISTINCT excerpt_id)"
                                    " FROM suggestions WHERE run_id = ?1");
        else {
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM excerpts e WHERE EXISTS (SELECT 1"
                     " FROM suggestions s WHERE s.excerpt_id = e.id AND"
                     " s.run_id = ?1)%s",
                     project_speakers_clause(p->review_speakers));
            st = project_prepare(p, sql);
        }
        if (st == NULL)
            return QUARRY_EIO;
        sqlite3_bind_int64(st, 1, run);
        if (sqlite3_step(st) == SQLITE_ROW) {
            p->queue_total = sqlite3_column_int64(st, 0);
            p->queue_total_run = run;
            p->queue_total_speakers = p->review_speakers;
        } else {
            status = project_db_fail(p, "cannot read the review queue");
        }
        sqlite3_finalize(st);
        if (status != QUARRY_OK)
            return status;
    }
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM excerpts e WHERE e.id IN %s"
             "  AND EXISTS (SELECT 1 FROM suggestions s WHERE"
             "  s.excerpt_id = e.id AND s.run_id = ?2)%s),"
             " (SELECT count(*)%s AND e.id IN %s)",
             QUEUE_TOUCHED, project_speakers_clause(p->review_speakers),
             project_queue_source(p), QUEUE_TOUCHED);
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, coder, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, run);
    if (sqlite3_step(st) == SQLITE_ROW) {
        touched = sqlite3_column_int64(st, 0);
        queued = sqlite3_column_int64(st, 1);
    } else {
        status = project_db_fail(p, "cannot read the review queue");
    }
    sqlite3_finalize(st);
    progress->total = p->queue_total;
    progress->remaining = p->queue_total - (touched - queued);
    return status;
}

int quarry_project_review_next_skipping(quarry_project *p, const char *coder,
                                        const char *const *skip,
                                        size_t n_skip,
                                        const quarry_review_item **item,
                                        quarry_review_progress *progress)
{
    char sql[6144];
    sqlite3_stmt *st;
    char *found = NULL;
    int64_t skipped = 0;
    int rc, status = project_check(p, 0);
    if (item != NULL)
        *item = NULL;
    if (progress != NULL)
        memset(progress, 0, sizeof *progress);
    if (status != QUARRY_OK)
        return status;
    if (coder == NULL || coder[0] == '\0' || item == NULL)
        return project_fail(p, QUARRY_EINVAL, "review: no coder");
    if (n_skip > 0 && skip == NULL)
        return project_fail(p, QUARRY_EINVAL, "review: no skip list");

    /* The first excerpt not skipped is among the first n_skip + 1 of the
     * queue. */
    if (p->review_order == QUARRY_REVIEW_UNCERTAIN &&
        strncmp(project_queue_from, QUEUE_FROM_HEAD,
                strlen(QUEUE_FROM_HEAD)) == 0)
        /* Driven by the run's top suggestions in order of confidence
         * (index suggestions_top): the first queue excerpts are found
         * without sorting the whole queue. The top confidence is the one
         * of rank 1 (ranks follow the scores, confidences grow with
         * them), so the order is TOP_CONFIDENCE's. */
        snprintf(sql, sizeof sql,
                 "SELECT e.xid FROM suggestions s1 JOIN excerpts e"
                 " ON e.id = s1.excerpt_id WHERE s1.run_id ="
                 " (SELECT max(id) FROM runs) AND s1.rank = 1 AND%s%s"
                 " ORDER BY s1.confidence, e.seq, e.id LIMIT ?2",
                 project_queue_from + strlen(QUEUE_FROM_HEAD) - 1,
                 project_speakers_clause(p->review_speakers));
    else
        snprintf(sql, sizeof sql, "SELECT e.xid%s%s LIMIT ?2",
                 project_queue_source(p), project_queue_order(p));
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, coder, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n_skip + 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *xid = project_col_text(st, 0);
        if (xid == NULL || in_list(xid, skip, n_skip)) {
            skipped++;
            continue;
        }
        if ((found = strdup(xid)) == NULL) {
            sqlite3_finalize(st);
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        }
        break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        free(found);
        return project_db_fail(p, "cannot read the review queue");
    }
    if (progress != NULL) {
        status = p->review_order == QUARRY_REVIEW_DISAGREEMENTS
                     ? disagreements_progress(p, coder, progress)
                     : queue_progress(p, coder, progress);
        if (status != QUARRY_OK) {
            free(found);
            return status;
        }
        progress->skipped = found == NULL ? progress->remaining : skipped;
    }
    if (found == NULL)
        return QUARRY_OK;
    status = quarry_project_review_item(p, coder, found, item);
    free(found);
    return status;
}
