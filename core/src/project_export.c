/*
 * project_export.c -- walking a project's codings (for export and for
 * agreement) and the engine's top suggestions as a coder's rows.
 */
#include <string.h>

#include "project_db.h"

static int walk(quarry_project *p, const char *sql,
                int (*fn)(void *ctx, const quarry_coding_row *r), void *ctx)
{
    sqlite3_stmt *st;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (fn == NULL)
        return project_fail(p, QUARRY_EINVAL, "no callback");
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        quarry_coding_row r;
        r.excerpt = project_col_text(st, 0);
        r.code = project_col_text(st, 1);
        r.coder = project_col_text(st, 2);
        r.origin = project_col_text(st, 3);
        r.time = project_col_text(st, 4);
        r.source = project_col_text(st, 5);
        r.speaker = project_col_text(st, 6);
        r.text = project_col_text(st, 7);
        r.attributes = project_col_text(st, 8);
        status = fn(ctx, &r);
        if (status != 0)
            break;
    }
    if (status == 0 && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codings");
    sqlite3_finalize(st);
    return status;
}

int quarry_project_codings(quarry_project *p,
                           int (*fn)(void *ctx, const quarry_coding_row *r),
                           void *ctx)
{
    return walk(p,
                "SELECT e.xid, k.code, c.name, g.origin, g.made_at, s.name,"
                " e.speaker, e.text, e.attributes FROM codings g"
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
