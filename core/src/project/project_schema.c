/*
 * project_schema.c -- schemas 2 to 7 of a project: the decision trail,
 * the memos, settling and the calibration of runs, the code history,
 * and the upgrade of an older file to schema 7.
 *
 * Schema 2 keeps every decision ever taken. The decisions table gains
 * two verdicts and four columns (project.c writes schema 1, then this
 * file's upgrade runs, so a new project and an upgraded one are the same):
 *
 *   verdict        ... | remove | undo
 *                  remove: the coder's own coding of (excerpt, code) goes,
 *                  whatever its origin; undo: reverses an earlier decision
 *   reverses       undo: the decision it reverses; remove: the decision
 *                  that had made the removed coding (NULL when the coding
 *                  was imported)
 *   batch          the batch a decision came from ("accept-above 0.8, run
 *                  3"), or NULL for one taken by hand
 *   coding_origin, coding_made_at
 *                  remove: the removed coding's origin and time, so that
 *                  nothing about it is lost and undo can put it back
 *
 * The codings table holds the current codings: what the record (imports,
 * then the decisions in order) leaves standing. A coding leaves it only
 * through a remove or undo decision, which keeps what it took away.
 *
 * Schema 3 adds the memos (project_memo.c):
 *
 *   memos(id, excerpt_id, code_id, coder_id, made_at, text, revises, guid)
 *                  on an excerpt (excerpt_id), on a code (code_id) or on
 *                  the project (both NULL); text never empty; revises: the
 *                  memo this one is a new version of (an edit appends, so
 *                  every version stays); guid: the REFI-QDA Note it was
 *                  imported from, written back on export (NULL when made
 *                  here)
 *
 * Schema 4 settles disagreements and keeps what calibrated each run:
 *
 *   decisions.verdict  ... | settle
 *                  settle: the coder's final codes on an excerpt coders
 *                  disagree on (quarry_project_settle); the add and remove
 *                  decisions it took come just before it, with batch
 *                  "settle"; its code_id is NULL (code_id is NULL for a
 *                  settle and an undo of one, and only there)
 *   decisions.codes
 *                  settle: the final codes, a JSON array of code ids
 *   calibration(run_id, confidence, correct)
 *                  the run's held-out coded excerpts: each one's top
 *                  confidence scored as if it were left out, and whether
 *                  that top code is one of its codes (what the expected
 *                  error of a batch accept is measured on)
 *
 * Schema 5 adds the code history (project_codebook_edit.c):
 *
 *   code_edits(id, op, code, coder_id, made_at, before, after, detail)
 *                  one row an edit of the codebook: op add | rename |
 *                  move | merge; code: the code's id (text: a merged code
 *                  leaves the codes table); before/after: the names, the
 *                  parents or (merge) the code and the code it went into;
 *                  detail: a JSON object (what else was set or moved)
 *   code_edit_rows(edit_id, tbl, row_id, col, was)
 *                  the rows a merge changed: row_id of table tbl had
 *                  column col pointing at the merged code (col "removed":
 *                  the row was taken away, was holding it as JSON)
 *
 * Schema 6 lets the code history hold op "edit": a field other than the
 * name or the parent changed (a codebook import's definition, notes,
 * keywords, colour or codable flag); before/after: the field's values,
 * detail.field: which field. Index codes_parent: codes(parent).
 *
 * Schema 7 lets it hold op "delete" (quarry code delete: a code with
 * nothing on it leaves the codebook; before: its name; detail: its row,
 * and code_edit_rows its pending suggestions, taken away whole).
 *
 * Schemas 2 and 4 rebuild the decisions table (SQLite cannot change a
 * CHECK or a NOT NULL in place). The upgrade of a file runs every step it
 * lacks in one transaction with the foreign keys checked before the
 * commit: it completes whole or leaves the file as it was.
 */
#include <stdio.h>
#include <string.h>

#include "project_db.h"

/* The decisions table of schema 2, as "CREATE TABLE <name>(...)". */
#define DECISIONS_V2_COLUMNS                                                  \
    "(id INTEGER PRIMARY KEY,"                                                \
    " excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),"                   \
    " suggestion_id INTEGER REFERENCES suggestions(id),"                      \
    " code_id INTEGER NOT NULL REFERENCES codes(id),"                         \
    " verdict TEXT NOT NULL CHECK(verdict IN"                                 \
    "  ('accept','reject','replace','add','remove','undo')),"                 \
    " replacement_id INTEGER REFERENCES codes(id),"                           \
    " coder_id INTEGER NOT NULL REFERENCES coders(id),"                       \
    " made_at TEXT NOT NULL, note TEXT,"                                      \
    " reverses INTEGER REFERENCES decisions(id), batch TEXT,"                 \
    " coding_origin TEXT, coding_made_at TEXT)"

static const char upgrade_1_2[] =
    "CREATE TABLE decisions_v2" DECISIONS_V2_COLUMNS ";\n"
    "INSERT INTO decisions_v2(id, excerpt_id, suggestion_id, code_id,"
    " verdict, replacement_id, coder_id, made_at, note)"
    " SELECT id, excerpt_id, suggestion_id, code_id, verdict,"
    " replacement_id, coder_id, made_at, note FROM decisions;\n"
    "DROP TABLE decisions;\n"
    "ALTER TABLE decisions_v2 RENAME TO decisions;\n"
    "CREATE INDEX decisions_excerpt ON decisions(excerpt_id, coder_id);\n"
    "CREATE INDEX decisions_reverses ON decisions(reverses);\n"
    "PRAGMA user_version = 2;\n";

/* IF NOT EXISTS: a file that went back to schema 1 by hand keeps its
 * memos rather than failing the upgrade. */
static const char upgrade_2_3[] =
    "CREATE TABLE IF NOT EXISTS memos(id INTEGER PRIMARY KEY,"
    " excerpt_id INTEGER REFERENCES excerpts(id),"
    " code_id INTEGER REFERENCES codes(id),"
    " coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " made_at TEXT NOT NULL, text TEXT NOT NULL CHECK(length(text) > 0),"
    " revises INTEGER REFERENCES memos(id), guid TEXT,"
    " CHECK(excerpt_id IS NULL OR code_id IS NULL));\n"
    "CREATE INDEX IF NOT EXISTS memos_excerpt ON memos(excerpt_id);\n"
    "CREATE INDEX IF NOT EXISTS memos_code ON memos(code_id);\n"
    "PRAGMA user_version = 3;\n";

/* Schema 4: 'settle', a nullable code_id, the settled codes. */
static const char upgrade_3_4[] =
    "CREATE TABLE decisions_v4(id INTEGER PRIMARY KEY,"
    " excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),"
    " suggestion_id INTEGER REFERENCES suggestions(id),"
    " code_id INTEGER REFERENCES codes(id),"
    " verdict TEXT NOT NULL CHECK(verdict IN"
    "  ('accept','reject','replace','add','remove','undo','settle')),"
    " replacement_id INTEGER REFERENCES codes(id),"
    " coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " made_at TEXT NOT NULL, note TEXT,"
    " reverses INTEGER REFERENCES decisions(id), batch TEXT,"
    " coding_origin TEXT, coding_made_at TEXT, codes TEXT,"
    " CHECK(code_id IS NOT NULL OR verdict IN ('settle','undo')));\n"
    "INSERT INTO decisions_v4(id, excerpt_id, suggestion_id, code_id,"
    " verdict, replacement_id, coder_id, made_at, note, reverses, batch,"
    " coding_origin, coding_made_at)"
    " SELECT id, excerpt_id, suggestion_id, code_id, verdict,"
    " replacement_id, coder_id, made_at, note, reverses, batch,"
    " coding_origin, coding_made_at FROM decisions;\n"
    "DROP TABLE decisions;\n"
    "ALTER TABLE decisions_v4 RENAME TO decisions;\n"
    "CREATE INDEX decisions_excerpt ON decisions(excerpt_id, coder_id);\n"
    "CREATE INDEX decisions_reverses ON decisions(reverses);\n"
    "CREATE TABLE IF NOT EXISTS calibration("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " confidence REAL NOT NULL, correct INTEGER NOT NULL);\n"
    "CREATE INDEX IF NOT EXISTS calibration_run ON calibration(run_id);\n"
    "PRAGMA user_version = 4;\n";

/* Schema 5: the code history. A step of its own (the tables are new, IF
 * NOT EXISTS as for the memos), run after every earlier step. */
static const char upgrade_4_5[] =
    "CREATE TABLE IF NOT EXISTS code_edits(id INTEGER PRIMARY KEY,"
    " op TEXT NOT NULL CHECK(op IN ('add','rename','move','merge')),"
    " code TEXT NOT NULL, coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " made_at TEXT NOT NULL, before TEXT, after TEXT,"
    " detail TEXT NOT NULL DEFAULT '{}');\n"
    "CREATE TABLE IF NOT EXISTS code_edit_rows("
    " edit_id INTEGER NOT NULL REFERENCES code_edits(id),"
    " tbl TEXT NOT NULL, row_id INTEGER NOT NULL, col TEXT NOT NULL,"
    " was TEXT);\n"
    "CREATE INDEX IF NOT EXISTS code_edit_rows_row"
    " ON code_edit_rows(tbl, row_id);\n"
    "PRAGMA user_version = 5;\n";

/* Schema 6: code_edits rebuilt for the op "edit" (SQLite cannot change a
 * CHECK in place); its rows keep their ids, which code_edit_rows names.
 * And the codes by parent: a codebook import asks of every code whether
 * it has children. */
static const char upgrade_5_6[] =
    "CREATE TABLE code_edits_6(id INTEGER PRIMARY KEY,"
    " op TEXT NOT NULL CHECK(op IN ('add','rename','move','merge','edit')),"
    " code TEXT NOT NULL, coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " made_at TEXT NOT NULL, before TEXT, after TEXT,"
    " detail TEXT NOT NULL DEFAULT '{}');\n"
    "INSERT INTO code_edits_6(id, op, code, coder_id, made_at, before,"
    " after, detail) SELECT id, op, code, coder_id, made_at, before, after,"
    " detail FROM code_edits;\n"
    "DROP TABLE code_edits;\n"
    "ALTER TABLE code_edits_6 RENAME TO code_edits;\n"
    "CREATE INDEX IF NOT EXISTS codes_parent ON codes(parent);\n"
    "PRAGMA user_version = 6;\n";

/* Schema 7: code_edits rebuilt again for the op "delete" (a code with
 * nothing on it taken out of the codebook). */
static const char upgrade_6_7[] =
    "CREATE TABLE code_edits_7(id INTEGER PRIMARY KEY,"
    " op TEXT NOT NULL CHECK(op IN ('add','rename','move','merge','edit',"
    "'delete')),"
    " code TEXT NOT NULL, coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " made_at TEXT NOT NULL, before TEXT, after TEXT,"
    " detail TEXT NOT NULL DEFAULT '{}');\n"
    "INSERT INTO code_edits_7(id, op, code, coder_id, made_at, before,"
    " after, detail) SELECT id, op, code, coder_id, made_at, before, after,"
    " detail FROM code_edits;\n"
    "DROP TABLE code_edits;\n"
    "ALTER TABLE code_edits_7 RENAME TO code_edits;\n"
    "PRAGMA user_version = 7;\n";

/* Schema 8: a coding may be of a passage of its excerpt (code points
 * [span_start, span_end) of its text; NULL: the whole excerpt), and the
 * decision that made or removed it keeps that passage. */
static const char upgrade_7_8[] =
    "ALTER TABLE codings ADD COLUMN span_start INTEGER;\n"
    "ALTER TABLE codings ADD COLUMN span_end INTEGER;\n"
    "ALTER TABLE decisions ADD COLUMN span_start INTEGER;\n"
    "ALTER TABLE decisions ADD COLUMN span_end INTEGER;\n"
    "PRAGMA user_version = 8;\n";

static int exec_on(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* No row from PRAGMA foreign_key_check: every reference holds. */
static int keys_hold(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) !=
        SQLITE_OK)
        return 0;
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int project_schema_upgrade_new(quarry_project *p)
{
    /* A new file's decisions table is empty: no key to check. */
    int status = project_exec(p, upgrade_1_2);
    if (status == QUARRY_OK)
        status = project_exec(p, upgrade_2_3);
    if (status == QUARRY_OK)
        status = project_exec(p, upgrade_3_4);
    if (status == QUARRY_OK)
        status = project_exec(p, upgrade_4_5);
    if (status == QUARRY_OK)
        status = project_exec(p, upgrade_5_6);
    if (status == QUARRY_OK)
        status = project_exec(p, upgrade_6_7);
    return status == QUARRY_OK ? project_exec(p, upgrade_7_8) : status;
}

int project_schema_upgrade(quarry_project *p)
{
    sqlite3 *db = p->db, *own = NULL;
    char why[512];
    int ok, from = 0;
    if (p->readonly) {
        if (sqlite3_open_v2(p->path, &own, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK) {
            snprintf(why, sizeof why, "%s",
                     own ? sqlite3_errmsg(own) : "out of memory");
            sqlite3_close(own);
            return project_fail(p, QUARRY_EVERSION,
                                "%s: written by an older quarry; it is "
                                "upgraded to schema %d when opened, "
                                "which needs write access (%s); not "
                                "modified",
                                p->path, QUARRY_PROJECT_SCHEMA, why);
        }
        sqlite3_busy_timeout(own, 5000);
        db = own;
    }
    /* The foreign keys are off while the table is rebuilt (SQLite cannot
     * switch them inside a transaction) and checked whole before the
     * commit instead. */
    ok = exec_on(db, "PRAGMA foreign_keys = OFF") == 0 &&
         exec_on(db, "BEGIN IMMEDIATE") == 0;
    if (ok) /* not upgraded meanwhile when it is 4 now */
        from = user_version(db);
    if (ok && from == 1)
        ok = exec_on(db, upgrade_1_2) == 0;
    if (ok && (from == 1 || from == 2))
        ok = exec_on(db, upgrade_2_3) == 0;
    if (ok && from >= 1 && from <= 3)
        ok = exec_on(db, upgrade_3_4) == 0 && keys_hold(db);
    if (ok && from >= 1 && from <= 4)
        ok = exec_on(db, upgrade_4_5) == 0;
    if (ok && from >= 1 && from <= 5)
        ok = exec_on(db, upgrade_5_6) == 0 && keys_hold(db);
    if (ok && from >= 1 && from <= 6)
        ok = exec_on(db, upgrade_6_7) == 0 && keys_hold(db);
    if (ok && from >= 1 && from <= 7)
        ok = exec_on(db, upgrade_7_8) == 0;
    if (ok)
        ok = exec_on(db, "COMMIT") == 0;
    if (!ok) {
        snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
        exec_on(db, "ROLLBACK");
    }
    exec_on(db, "PRAGMA foreign_keys = ON");
    if (own != NULL)
        sqlite3_close(own);
    if (!ok)
        return project_fail(p, QUARRY_EIO,
                            "%s: cannot upgrade from schema %d to %d (%s); "
                            "not modified",
                            p->path, from, QUARRY_PROJECT_SCHEMA, why);
    return QUARRY_OK;
}
