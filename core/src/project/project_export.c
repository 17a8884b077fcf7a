/*
 * project_export.c -- walking a project's codings (for export and for
 * agreement), the engine's top suggestions as a coder's rows, and the
 * suggestions of a stored run (for printing what `quarry suggest` stored).
 * The tables for analysis are in project_tables.c.
 */
#include <string.h>

#include "project_db.h"

typedef struct coding_cb {
    int (*fn)(void *ctx, const quarry_coding_row *r);
    void *ctx;
} coding_cb;

static int coding_row(sqlite3_stmt *st, void *ctx)
{
    const coding_cb *cb = ctx;
    /* (the engine's suggestions have no passage columns) */
    int passages = sqlite3_column_count(st) >= 12;
    quarry_coding_row r;
    r.excerpt = project_col_text(st, 0);
    r.code = project_col_text(st, 1);
    r.coder = project_col_text(st, 2);
    r.origin = project_col_text(st, 3);
    r.time = project_col_text(st, 4);
    r.source = project_source_base(project_col_text(st, 5));
    r.speaker = project_col_text(st, 6);
    r.text = project_col_text(st, 7);
    r.attributes = project_col_text(st, 8);
    r.span_start = passages ? sqlite3_column_int64(st, 9) : 0;
    r.span_end = passages ? sqlite3_column_int64(st, 10) : 0;
    r.passage = r.span_end > 0 ? project_col_text(st, 11) : NULL;
    r.settled = passages ? sqlite3_column_int(st, 12) : 0;
    return cb->fn(cb->ctx, &r);
}

static int walk(quarry_project *p, const char *sql,
                int (*fn)(void *ctx, const quarry_coding_row *r), void *ctx)
{
    coding_cb cb = {fn, ctx};
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    return project_walk(p, project_prepare(p, sql), coding_row, &cb,
                        "cannot read the codings");
}

int quarry_project_codings(quarry_project *p,
                           int (*fn)(void *ctx, const quarry_coding_row *r),
                           void *ctx)
{
    return walk(p,
                "SELECT e.xid, k.code, c.name, g.origin, g.made_at, s.name,"
                " e.speaker, e.text, e.attributes, g.span_start, g.span_end,"
                " " PROJECT_PASSAGE_SQL("g", "e") ","
                " EXISTS (SELECT 1 FROM decisions d WHERE d.id ="
                " g.decision_id AND d.batch = '" PROJECT_SETTLE_BATCH "')"
                " FROM codings g"
                " JOIN excerpts e ON e.id = g.excerpt_id"
                " JOIN codes k ON k.id = g.code_id"
                " JOIN coders c ON c.id = g.coder_id"
                " JOIN sources s ON s.id = e.source_id"
                " ORDER BY e.seq, e.id, k.position, k.id, c.name",
                fn, ctx);
}

int quarry_project_top_suggestions(
    quarry_project *p, int (*fn)(void *ctx, const quarry_coding_row *r),
    void *ctx)
{
    return walk(p,
                "SELECT e.xid, k.code, 'quarry', 'suggestion', r.started_at,"
                " s.name, e.speaker, e.text, e.attributes FROM suggestions g"
                " JOIN runs r ON r.id = g.run_id"
                " JOIN excerpts e ON e.id = g.excerpt_id"
                " JOIN codes k ON k.id = g.code_id"
                " JOIN sources s ON s.id = e.source_id"
                " WHERE g.run_id = (SELECT max(id) FROM runs)"
                " AND g.rank = 1 AND g.abstain = 0"
                " ORDER BY e.seq, e.id",
                fn, ctx);
}

typedef struct suggestion_cb {
    int (*fn)(void *ctx, const quarry_run_suggestion *s);
    void *ctx;
} suggestion_cb;

static int suggestion_row(sqlite3_stmt *st, void *ctx)
{
    const suggestion_cb *cb = ctx;
    quarry_run_suggestion s;
    s.excerpt = project_col_text(st, 0);
    s.speaker = project_col_text(st, 1);
    s.text = project_col_text(st, 2);
    s.rank = sqlite3_column_int(st, 3);
    s.code = project_col_text(st, 4);
    s.name = project_col_text(st, 5);
    s.score = sqlite3_column_double(st, 6);
    s.confidence = sqlite3_column_double(st, 7);
    s.abstain = sqlite3_column_int(st, 8);
    s.evidence = project_col_text(st, 9);
    return cb->fn(cb->ctx, &s);
}

int quarry_project_run_suggestions(
    quarry_project *p, int64_t run,
    int (*fn)(void *ctx, const quarry_run_suggestion *s), void *ctx)
{
    sqlite3_stmt *st;
    suggestion_cb cb = {fn, ctx};
    int status = project_check_cb(p, fn != NULL);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(
        p, "SELECT e.xid, e.speaker, e.text, g.rank, k.code,"
           " coalesce(k.name, k.code), g.score, g.confidence, g.abstain,"
           " g.evidence FROM suggestions g"
           " JOIN excerpts e ON e.id = g.excerpt_id"
           " JOIN codes k ON k.id = g.code_id"
           " WHERE g.run_id = CASE WHEN ?1 > 0 THEN ?1"
           "  ELSE (SELECT max(id) FROM runs) END"
           " ORDER BY e.seq, e.id, g.rank");
    if (st != NULL)
        sqlite3_bind_int64(st, 1, run);
    return project_walk(p, st, suggestion_row, &cb,
                        "cannot read the suggestions");
}
