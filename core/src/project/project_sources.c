/*
 * project_sources.c -- the files a project was made from (project.h,
 * quarry_project_sources), and taking one out again while nobody has
 * worked on it (quarry_project_source_remove): a transcript imported with
 * the wrong options, or the wrong file, is taken out and imported again,
 * as a source is deleted in NVivo or Taguette. A source with a coding, a
 * decision or a memo on one of its excerpts stays: removing it would lose
 * a person's work, and the decision trail would name excerpts that are
 * gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

/* Counts of what people did on each source's excerpts. */
#define SOURCE_COUNTS                                                        \
    "SELECT s.id, s.name, s.format, s.imported_at,"                          \
    " (SELECT count(*) FROM excerpts e WHERE e.source_id = s.id),"           \
    " (SELECT count(*) FROM codings g JOIN excerpts e ON e.id = g.excerpt_id" \
    "   WHERE e.source_id = s.id),"                                          \
    " (SELECT count(*) FROM decisions d JOIN excerpts e"                     \
    "   ON e.id = d.excerpt_id WHERE e.source_id = s.id),"                   \
    " (SELECT count(*) FROM memos m JOIN excerpts e ON e.id = m.excerpt_id"  \
    "   WHERE e.source_id = s.id)"                                           \
    " FROM sources s"

static void row_of(sqlite3_stmt *st, quarry_source_row *r)
{
    memset(r, 0, sizeof *r);
    r->name = project_source_base(project_col_text(st, 1));
    r->format = project_col_text(st, 2);
    r->imported_at = project_col_text(st, 3);
    r->excerpts = sqlite3_column_int64(st, 4);
    r->codings = sqlite3_column_int64(st, 5);
    r->decisions = sqlite3_column_int64(st, 6);
    r->memos = sqlite3_column_int64(st, 7);
}

int quarry_project_sources(quarry_project *p, quarry_source_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    int status = project_check(p, 0), rc;
    if (status != QUARRY_OK)
        return status;
    if (fn == NULL)
        return project_fail(p, QUARRY_EINVAL, "no function to call");
    st = project_prepare(p, SOURCE_COUNTS " ORDER BY s.id");
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        quarry_source_row r;
        row_of(st, &r);
        if ((status = fn(ctx, &r)) != 0)
            break;
    }
    if (status == 0 && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the sources");
    sqlite3_finalize(st);
    return status;
}

/* The one source called name (its stored name, or its file name); its
 * counts into *r. QUARRY_ENOTFOUND naming the sources there are, or
 * QUARRY_EINVAL when two sources share the file name. */
static int find_source(quarry_project *p, const char *name, int64_t *id,
                       quarry_source_row *r)
{
    sqlite3_stmt *st = project_prepare(p, SOURCE_COUNTS " ORDER BY s.id");
    char names[600] = "";
    size_t used = 0;
    int rc, hits = 0, listed = 0;
    if (st == NULL)
        return QUARRY_EIO;
    *id = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *stored = project_col_text(st, 1);
        const char *base = project_source_base(stored);
        if (stored != NULL &&
            (strcmp(stored, name) == 0 || strcmp(base, name) == 0)) {
            if (hits++ == 0) {
                *id = sqlite3_column_int64(st, 0);
                row_of(st, r);
            }
        }
        if (used < sizeof names - 1 && listed < 8) {
            int k = snprintf(names + used, sizeof names - used, "%s%s",
                             listed ? ", " : "", base);
            if (k > 0)
                used += (size_t)k < sizeof names - used
                            ? (size_t)k
                            : sizeof names - used - 1;
            listed++;
        }
    }
    sqlite3_finalize(st);
    /* Its strings were the statement's. */
    r->name = r->format = r->imported_at = NULL;
    if (rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the sources");
    if (hits > 1)
        return project_fail(p, QUARRY_EINVAL,
                            "%d sources are called %s; name one by the "
                            "path it was imported from (quarry source list "
                            "shows them)",
                            hits, name);
    if (hits == 0)
        return project_fail(p, QUARRY_ENOTFOUND,
                            "no source called \"%s\" in the project%s%s%s",
                            name, listed ? " (it has: " : " (it has none)",
                            names, listed ? ")" : "");
    return QUARRY_OK;
}

static int exec_id(quarry_project *p, const char *sql, int64_t id)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot remove the source");
}

int quarry_project_source_remove(quarry_project *p, const char *name,
                                 quarry_source_row *removed)
{
    quarry_source_row r, local;
    int64_t id = 0;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (name == NULL || name[0] == '\0')
        return project_fail(p, QUARRY_EINVAL, "no source named");
    if (removed == NULL)
        removed = &local;
    memset(removed, 0, sizeof *removed);
    status = project_begin(p);
    if (status != QUARRY_OK)
        return status;
    status = find_source(p, name, &id, &r);
    if (status == QUARRY_OK && (r.codings > 0 || r.decisions > 0 ||
                                r.memos > 0)) {
        status = project_fail(
            p, QUARRY_EINVAL,
            "%s stays: people have worked on its excerpts (%lld coding%s, "
            "%lld decision%s, %lld memo%s), which removing it would lose; "
            "only a source nobody has coded, decided on or written a memo "
            "on is removed",
            name, (long long)r.codings, r.codings == 1 ? "" : "s",
            (long long)r.decisions, r.decisions == 1 ? "" : "s",
            (long long)r.memos, r.memos == 1 ? "" : "s");
    }
    /* The engine's suggestions for its excerpts go with them. */
    if (status == QUARRY_OK)
        status = exec_id(p,
                         "DELETE FROM suggestions WHERE excerpt_id IN"
                         " (SELECT id FROM excerpts WHERE source_id = ?1)",
                         id);
    if (status == QUARRY_OK)
        status = exec_id(p, "DELETE FROM excerpts WHERE source_id = ?1", id);
    if (status == QUARRY_OK)
        status = exec_id(p, "DELETE FROM sources WHERE id = ?1", id);
    if (status == QUARRY_OK)
        status = project_commit(p);
    else
        project_rollback(p);
    if (status == QUARRY_OK) {
        *removed = r;
        removed->name = name;
    }
    return status;
}
