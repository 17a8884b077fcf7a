/*
 * project.c -- a project file: create, open (with every refusal checked
 * before SQLite may touch the file), the schema, errors, transactions and
 * the small lookups the other project_*.c files share.
 *
 * The schema (version 1, PRAGMA user_version; PRAGMA application_id 'QRRY'):
 *
 *   meta(key, value)            created_at, created_by (quarry version);
 *                               refi.code_guid.<code id> and
 *                               refi.user_guid.<coder name>: the GUID a
 *                               REFI-QDA import gave a code or coder, used
 *                               on export (lower case, no braces; the
 *                               first import's stays; rows naming no code
 *                               or coder are ignored; refi_project.h);
 *                               codable.<code id> = 1: a code with
 *                               children that is codable itself, not a
 *                               theme; refi.project_name, refi.end,
 *                               refi.crlf: what a REFI-QDA import read,
 *                               written back on export (refi_project.h)
 *   coders(id, name, kind)      kind: person | engine
 *   sources(id, name, format, text, sha256, imported_at, attributes)
 *                               text: the file byte-exact for transcripts
 *                               and REFI-QDA sources, NULL for JSONL/CSV
 *   excerpts(id, xid, source_id, seq, line, start, end, speaker, text,
 *            attributes)        xid: the excerpt's own id, unique;
 *                               start/end: byte offsets into the source
 *                               text, or NULL; attributes: a JSON object
 *   codes(id, code, name, parent, definition, include_note, exclude_note,
 *         keywords, color, position)
 *                               code: the stable id; parent: a code or
 *                               NULL; keywords: a JSON array; position:
 *                               codebook order
 *   runs(id, command, started_at, seconds, quarry_version, plugins,
 *        options, train_sha256, input_sha256, n_train, n_input)
 *   suggestions(id, run_id, excerpt_id, code_id, rank, score, confidence,
 *               abstain, evidence)  evidence: JSON {terms, neighbours}
 *   decisions(id, excerpt_id, suggestion_id, code_id, verdict,
 *             replacement_id, coder_id, made_at, note)
 *                               verdict: accept | reject | replace | add
 *   codings(id, excerpt_id, code_id, coder_id, origin, made_at, decision_id)
 *                               origin: manual | accepted-suggestion |
 *                               imported; one per (excerpt, code, coder)
 *
 * Schema 2 adds the decision trail to decisions, schema 3 the memos,
 * schema 4 settling and the runs' calibration, schema 5 the code history,
 * schema 6 its "edit" op, schema 7 its "delete" op, schema 8 (the one
 * written now) the passage a coding is of (codings and decisions:
 * span_start, span_end): project_schema.c says what, and upgrades an
 * older file on open.
 */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "project_db.h"

static const char schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE coders(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL DEFAULT 'person' CHECK(kind IN ('person','engine')));\n"
    "CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " format TEXT NOT NULL, text BLOB, sha256 TEXT NOT NULL,"
    " imported_at TEXT NOT NULL, attributes TEXT NOT NULL DEFAULT '{}');\n"
    "CREATE TABLE excerpts(id INTEGER PRIMARY KEY, xid TEXT NOT NULL UNIQUE,"
    " source_id INTEGER NOT NULL REFERENCES sources(id),"
    " seq INTEGER NOT NULL, line INTEGER, start INTEGER, \"end\" INTEGER,"
    " speaker TEXT, text TEXT NOT NULL,"
    " attributes TEXT NOT NULL DEFAULT '{}');\n"
    "CREATE INDEX excerpts_source ON excerpts(source_id, seq);\n"
    "CREATE TABLE codes(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
    " name TEXT, parent TEXT, definition TEXT, include_note TEXT,"
    " exclude_note TEXT, keywords TEXT NOT NULL DEFAULT '[]', color TEXT,"
    " position INTEGER NOT NULL);\n"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, command TEXT,"
    " started_at TEXT NOT NULL, seconds REAL, quarry_version TEXT NOT NULL,"
    " plugins TEXT NOT NULL, options TEXT NOT NULL, train_sha256 TEXT,"
    " input_sha256 TEXT, n_train INTEGER, n_input INTEGER);\n"
    "CREATE TABLE suggestions(id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),"
    " code_id INTEGER NOT NULL REFERENCES codes(id), rank INTEGER NOT NULL,"
    " score REAL NOT NULL, confidence REAL NOT NULL,"
    " abstain INTEGER NOT NULL, evidence TEXT NOT NULL,"
    " UNIQUE(run_id, excerpt_id, rank));\n"
    "CREATE INDEX suggestions_excerpt ON suggestions(excerpt_id, run_id);\n"
    "CREATE TABLE decisions(id INTEGER PRIMARY KEY,"
    " excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),"
    " suggestion_id INTEGER REFERENCES suggestions(id),"
    " code_id INTEGER NOT NULL REFERENCES codes(id),"
    " verdict TEXT NOT NULL"
    "  CHECK(verdict IN ('accept','reject','replace','add')),"
    " replacement_id INTEGER REFERENCES codes(id),"
    " coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " made_at TEXT NOT NULL, note TEXT);\n"
    "CREATE INDEX decisions_excerpt ON decisions(excerpt_id, coder_id);\n"
    "CREATE TABLE codings(id INTEGER PRIMARY KEY,"
    " excerpt_id INTEGER NOT NULL REFERENCES excerpts(id),"
    " code_id INTEGER NOT NULL REFERENCES codes(id),"
    " coder_id INTEGER NOT NULL REFERENCES coders(id),"
    " origin TEXT NOT NULL"
    "  CHECK(origin IN ('manual','accepted-suggestion','imported')),"
    " made_at TEXT NOT NULL, decision_id INTEGER REFERENCES decisions(id),"
    " UNIQUE(excerpt_id, code_id, coder_id));\n";

/* Tables a version-1 project has, checked on open. */
static const char *const schema_tables[] = {
    "meta", "coders", "sources", "excerpts", "codes",
    "runs", "suggestions", "decisions", "codings"};

int project_fail(quarry_project *p, int status, const char *fmt, ...)
{
    va_list ap;
    if (p == NULL)
        return status;
    va_start(ap, fmt);
    vsnprintf(p->errmsg, sizeof p->errmsg, fmt, ap);
    va_end(ap);
    return status;
}

/* Whether SQLite's last failure on db is another process's lock (after
 * the busy timeout), or a full disk, rather than anything about the file. */
static int db_busy(sqlite3 *db)
{
    int code = sqlite3_errcode(db);
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

static int db_full(sqlite3 *db)
{
    int code = sqlite3_errcode(db);
    return code == SQLITE_FULL ||
           (code == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC);
}

static int fail_busy(quarry_project *p, const char *path)
{
    return project_fail(p, QUARRY_EIO,
                        "%s is busy: another quarry is writing to it; "
                        "try again when it finishes", path);
}

int project_db_fail(quarry_project *p, const char *what)
{
    int code = p->db ? sqlite3_errcode(p->db) : SQLITE_ERROR;
    const char *msg = p->db ? sqlite3_errmsg(p->db) : "no database";
    const char *path = p->path ? p->path : "project";
    if (code == SQLITE_NOMEM)
        return project_fail(p, QUARRY_ENOMEM, "%s: %s: out of memory",
                            path, what);
    if (p->db != NULL && db_busy(p->db))
        return fail_busy(p, path);
    if (p->db != NULL && db_full(p->db))
        return project_fail(p, QUARRY_EIO,
                            "%s: %s: the disk is full (free some space "
                            "and try again)",
                            path, what);
    return project_fail(p, QUARRY_EIO, "%s: %s: %s", path, what, msg);
}

int project_check(quarry_project *p, int write)
{
    if (p == NULL)
        return QUARRY_EINVAL;
    if (p->db == NULL)
        return project_fail(p, QUARRY_EINVAL, "no project is open");
    if (write && p->readonly)
        return project_fail(p, QUARRY_EINVAL,
                            "%s: opened read-only", p->path);
    return QUARRY_OK;
}

int project_exec(quarry_project *p, const char *sql)
{
    if (sqlite3_exec(p->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return project_db_fail(p, "cannot update the project");
    return QUARRY_OK;
}

int project_begin(quarry_project *p)
{
    if (p->txn_depth > 0 && !sqlite3_get_autocommit(p->db)) {
        if (sqlite3_exec(p->db, "SAVEPOINT quarry_nested", NULL, NULL,
                         NULL) != SQLITE_OK)
            return project_db_fail(p, "cannot start a transaction");
        p->txn_depth++;
        return QUARRY_OK;
    }
    p->txn_depth = 0;
    if (p->rollback == NULL &&
        sqlite3_prepare_v2(p->db, "ROLLBACK", -1, &p->rollback, NULL) !=
            SQLITE_OK) {
        sqlite3_finalize(p->rollback);
        p->rollback = NULL;
        return project_db_fail(p, "cannot start a transaction");
    }
    if (sqlite3_exec(p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return project_db_fail(p, "cannot start a transaction");
    p->txn_depth = 1;
    return QUARRY_OK;
}

int project_commit(quarry_project *p)
{
    if (p->txn_depth > 1) {
        if (sqlite3_exec(p->db, "RELEASE quarry_nested", NULL, NULL,
                         NULL) != SQLITE_OK) {
            int status = project_db_fail(p, "cannot commit");
            project_rollback(p);
            return status;
        }
        p->txn_depth--;
        return QUARRY_OK;
    }
    if (sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int status = project_db_fail(p, "cannot commit");
        project_rollback(p);
        return status;
    }
    p->txn_depth = 0;
    return QUARRY_OK;
}

void project_rollback(quarry_project *p)
{
    int tries;
    if (p->db == NULL)
        return;
    if (p->txn_depth > 1 && !sqlite3_get_autocommit(p->db)) {
        /* Only the nested part; the outer transaction decides. When the
         * savepoint cannot be undone, the whole transaction is. */
        if (sqlite3_exec(p->db, "ROLLBACK TO quarry_nested", NULL, NULL,
                         NULL) == SQLITE_OK &&
            sqlite3_exec(p->db, "RELEASE quarry_nested", NULL, NULL,
                         NULL) == SQLITE_OK) {
            p->txn_depth--;
            return;
        }
    }
    p->txn_depth = 0;
    for (tries = 0; tries < 3 && !sqlite3_get_autocommit(p->db); tries++) {
        if (p->rollback != NULL) {
            sqlite3_step(p->rollback);
            sqlite3_reset(p->rollback);
        } else {
            sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    if (!sqlite3_get_autocommit(p->db)) {
        /* Still open: closing the connection rolls the transaction back
         * (statements still held are finalized later; close_v2 waits for
         * them). Later calls then find no project open. */
        sqlite3_finalize(p->rollback);
        p->rollback = NULL;
        sqlite3_close_v2(p->db);
        p->db = NULL;
    }
}

sqlite3_stmt *project_prepare(quarry_project *p, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
        project_db_fail(p, "cannot read the project");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

void project_bind_text(sqlite3_stmt *st, int col, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, col);
}

const char *project_col_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

int project_check_cb(quarry_project *p, int has_fn)
{
    int status = project_check(p, 0);
    if (status == QUARRY_OK && !has_fn)
        status = project_fail(p, QUARRY_EINVAL, "no callback");
    return status;
}

int project_step_int64(quarry_project *p, sqlite3_stmt *st, int64_t *n,
                       const char *what)
{
    int status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        status = project_db_fail(p, what);
    sqlite3_finalize(st);
    return status;
}

int project_walk(quarry_project *p, sqlite3_stmt *st, project_row_fn row,
                 void *ctx, const char *what)
{
    int rc, status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((status = row(st, ctx)) != 0)
            break;
    /* SQLite's message of the failed step, taken before the finalize. */
    if (status == 0 && rc != SQLITE_DONE)
        status = project_db_fail(p, what);
    sqlite3_finalize(st);
    return status;
}

void project_now(const quarry_project *p, char buf[40])
{
    struct timespec ts;
    struct tm tm;
    if (p->fixed_time[0] != '\0') {
        memcpy(buf, p->fixed_time, sizeof p->fixed_time);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, (int)(ts.tv_nsec / 1000000L) % 1000);
}

static int lookup_id(quarry_project *p, const char *sql, const char *key,
                     int64_t *id)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    *id = 0;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the project");
    return QUARRY_OK;
}

int project_code_id(quarry_project *p, const char *code, int64_t *id)
{
    return lookup_id(p, "SELECT id FROM codes WHERE code = ?1", code, id);
}

int quarry_project_code_resolve(quarry_project *p, const char *given,
                                const char **id)
{
    char *named = NULL;
    int64_t row = 0;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (id == NULL)
        return project_fail(p, QUARRY_EINVAL, "no id to fill");
    *id = NULL;
    project_scratch_reset(p);
    status = project_code_by_name(p, "code", given, &named);
    if (status == QUARRY_OK && named == NULL && given != NULL)
        status = project_code_id(p, given, &row);
    if (status == QUARRY_OK && (named != NULL || row != 0) &&
        (*id = project_scratch_dup(p, named ? named : given)) == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    free(named);
    return status;
}

int project_code_by_name(quarry_project *p, const char *field,
                         const char *given, char **id)
{
    sqlite3_stmt *st;
    int64_t row;
    int rc, status;
    *id = NULL;
    if (given == NULL || given[0] == '\0')
        return QUARRY_OK;
    status = project_code_id(p, given, &row);
    if (status != QUARRY_OK || row != 0)
        return status;
    st = project_prepare(p, "SELECT code FROM codes WHERE name = ?1 COLLATE"
                            " NOCASE ORDER BY position, id LIMIT 2");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, given, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && (*id = strdup(project_col_text(st, 0))) == NULL)
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
    else if (rc == SQLITE_ROW && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        status = project_fail(p, QUARRY_EINVAL,
                              "field \"%s\": \"%s\" is the name of two "
                              "codes in the project's codebook, \"%s\" and "
                              "\"%s\": give the id",
                              field, given, *id, project_col_text(st, 0));
        free(*id);
        *id = NULL;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codebook");
    sqlite3_finalize(st);
    return status;
}

int project_meta_get(quarry_project *p, const char *key, char **value)
{
    sqlite3_stmt *st = project_prepare(p, "SELECT value FROM meta"
                                          " WHERE key = ?1");
    int rc;
    *value = NULL;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && project_col_text(st, 0) != NULL &&
        (*value = strdup(project_col_text(st, 0))) == NULL) {
        sqlite3_finalize(st);
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the project's settings");
    return QUARRY_OK;
}

int project_meta_set(quarry_project *p, const char *key, const char *value)
{
    sqlite3_stmt *st = project_prepare(
        p, value ? "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"
                 : "DELETE FROM meta WHERE key = ?1");
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot write the project's settings");
}

int project_set_codable(quarry_project *p, const char *code, int codable)
{
    size_t n = strlen(code) + sizeof(PROJECT_META_CODABLE);
    char *key = malloc(n);
    int status;
    if (key == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    snprintf(key, n, "%s%s", PROJECT_META_CODABLE, code);
    status = project_meta_set(p, key, codable ? "1" : NULL);
    free(key);
    return status;
}

int project_excerpt_id(quarry_project *p, const char *xid, int64_t *id)
{
    return lookup_id(p, "SELECT id FROM excerpts WHERE xid = ?1", xid, id);
}

int project_coder_id(quarry_project *p, const char *name, int64_t *id)
{
    int status = lookup_id(p, "SELECT id FROM coders WHERE name = ?1", name,
                           id);
    sqlite3_stmt *st;
    if (status != QUARRY_OK || *id != 0)
        return status;
    st = project_prepare(p, "INSERT INTO coders(name, kind) VALUES(?1, ?2)");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, strcmp(name, "quarry") == 0 ? "engine" : "person",
                      -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        return project_db_fail(p, "cannot add a coder");
    }
    sqlite3_finalize(st);
    *id = sqlite3_last_insert_rowid(p->db);
    return QUARRY_OK;
}

void project_scratch_reset(quarry_project *p)
{
    size_t i;
    for (i = 0; i < p->n_scratch; i++)
        free(p->scratch[i]);
    p->n_scratch = 0;
    free(p->listing);
    p->listing = NULL;
}

int project_scratch_keep(quarry_project *p, void *block)
{
    if (p->n_scratch == p->cap_scratch) {
        size_t cap = p->cap_scratch ? 2 * p->cap_scratch : 64;
        char **grown = realloc(p->scratch, cap * sizeof *grown);
        if (grown == NULL)
            return QUARRY_ENOMEM;
        p->scratch = grown;
        p->cap_scratch = cap;
    }
    p->scratch[p->n_scratch++] = block;
    return QUARRY_OK;
}

const char *project_scratch_dup(quarry_project *p, const char *s)
{
    char *d;
    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL || project_scratch_keep(p, d) != QUARRY_OK) {
        free(d);
        return NULL;
    }
    return d;
}

void project_sha256_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    static const char hex[] = "0123456789abcdef";
    size_t i;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

/* ------------------------------------------------------------------ */

int quarry_project_new(quarry_project **out)
{
    quarry_project *p;
    if (out == NULL)
        return QUARRY_EINVAL;
    p = calloc(1, sizeof *p);
    *out = p;
    return p ? QUARRY_OK : QUARRY_ENOMEM;
}

static void remove_made(const char *path, const struct stat *made);

static void project_close(quarry_project *p)
{
    project_scratch_reset(p);
    sqlite3_finalize(p->rollback);
    p->rollback = NULL;
    free(p->run_counts);
    p->run_counts = NULL;
    p->n_run_counts = 0;
    p->queue_total_run = 0;
    if (p->db != NULL)
        sqlite3_close(p->db);
    p->db = NULL;
    free(p->path);
    p->path = NULL;
    p->made_here = 0;
}

void quarry_project_discard(quarry_project *p)
{
    char *path;
    struct stat made;
    int mine;
    if (p == NULL)
        return;
    mine = p->made_here && p->path != NULL;
    path = mine ? p->path : NULL;
    memset(&made, 0, sizeof made);
    made.st_dev = (dev_t)p->made_dev;
    made.st_ino = (ino_t)p->made_ino;
    if (mine)
        p->path = NULL; /* kept past the close, which frees it */
    project_rollback(p);
    project_close(p);
    if (mine)
        remove_made(path, &made);
    free(path);
}

void quarry_project_free(quarry_project *p)
{
    if (p == NULL)
        return;
    project_close(p);
    free(p->scratch);
    free(p);
}

const char *quarry_project_errmsg(const quarry_project *p)
{
    return p ? p->errmsg : "out of memory";
}

int quarry_project_set_time(quarry_project *p, const char *iso)
{
    if (p == NULL)
        return QUARRY_EINVAL;
    if (iso == NULL) {
        p->fixed_time[0] = '\0';
        return QUARRY_OK;
    }
    if (strlen(iso) >= sizeof p->fixed_time || strlen(iso) < 10 ||
        iso[4] != '-' || iso[7] != '-')
        return project_fail(p, QUARRY_EINVAL,
                            "\"%s\" is not an ISO 8601 time "
                            "(2026-01-31T12:00:00Z)", iso);
    strcpy(p->fixed_time, iso);
    return QUARRY_OK;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
           (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* What the first 100 bytes of a file say: 1 a quarry project (with its
 * schema version in *version), 0 not SQLite, -1 SQLite of another
 * application, -2 too short to tell, -3 unreadable (errno kept), -4 a
 * folder. */
static int sniff(const char *path, uint32_t *version)
{
    unsigned char h[100];
    size_t n;
    struct stat sb;
    FILE *f;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return -4;
    f = fopen(path, "rb");
    if (f == NULL)
        return -3;
    n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < sizeof h)
        return n >= 16 && memcmp(h, "SQLite format 3", 16) == 0 ? -2
               : n == 0                                          ? -2
                                                                 : 0;
    if (memcmp(h, "SQLite format 3", 16) != 0)
        return 0;
    *version = be32(h + 60);
    return be32(h + 68) == PROJECT_APPLICATION_ID ? 1 : -1;
}

int quarry_project_sniff(const char *path)
{
    uint32_t version = 0;
    return path != NULL && sniff(path, &version) == 1;
}

static int configure(quarry_project *p)
{
    sqlite3_busy_timeout(p->db, 5000);
    sqlite3_extended_result_codes(p->db, 0);
    if (p->readonly)
        return project_exec(p, "PRAGMA foreign_keys = ON;"
                               "PRAGMA query_only = ON");
    return project_exec(p, "PRAGMA foreign_keys = ON;"
                           "PRAGMA synchronous = FULL");
}

/* Make path as a new empty file, failing when anything is there already:
 * open(O_CREAT | O_EXCL) is the one test-and-create the kernel does
 * atomically, on every file system (SQLite's SQLITE_OPEN_EXCLUSIVE is not
 * O_EXCL for the main file). SQLite then opens the empty file, which it
 * takes for an empty database. A hard link from a temporary name would
 * also be atomic, but USB sticks (FAT, exFAT) and some shares have no
 * hard links. *made is the file's identity, so that a failure removes
 * this file and never one another process put in its place. */
static int create_file(quarry_project *p, const char *path, struct stat *made)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int err = errno;
    if (fd < 0) {
        if (err == EEXIST)
            return project_fail(p, QUARRY_EEXIST,
                                "%s: already exists; not overwritten "
                                "(open it, or choose another name)", path);
        return project_fail(p, QUARRY_EIO, "%s: cannot create (%s)", path,
                            err == ENOSPC ? "the disk is full"
                                          : strerror(err));
    }
    if (fstat(fd, made) != 0) {
        err = errno;
        close(fd);
        unlink(path);
        return project_fail(p, QUARRY_EIO, "%s: cannot create (%s)", path,
                            strerror(err));
    }
    close(fd);
    return QUARRY_OK;
}

/* Remove what create_file made, if path still names that file. */
static void remove_made(const char *path, const struct stat *made)
{
    struct stat now;
    if (stat(path, &now) == 0 && now.st_dev == made->st_dev &&
        now.st_ino == made->st_ino)
        unlink(path);
}

int quarry_project_create(quarry_project *p, const char *path)
{
    struct stat made;
    char now[40], sql[256];
    int status;
    sqlite3_stmt *st;
    if (p == NULL || path == NULL)
        return QUARRY_EINVAL;
    project_close(p);
    status = create_file(p, path, &made);
    if (status != QUARRY_OK)
        return status;
    p->path = strdup(path);
    if (p->path == NULL) {
        remove_made(path, &made);
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    }
    if (sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        status = project_db_fail(p, "cannot create");
        goto fail;
    }
    p->readonly = 0;
    status = configure(p);
    if (status == QUARRY_OK)
        status = project_begin(p);
    if (status == QUARRY_OK) {
        snprintf(sql, sizeof sql,
                 "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 PROJECT_APPLICATION_ID, QUARRY_PROJECT_SCHEMA);
        status = project_exec(p, sql);
    }
    if (status == QUARRY_OK)
        status = project_exec(p, schema_sql);
    if (status == QUARRY_OK)
        status = project_schema_upgrade_new(p);
    if (status == QUARRY_OK) {
        project_now(p, now);
        st = project_prepare(p, "INSERT INTO meta(key, value) VALUES"
                                " ('created_at', ?1), ('created_by', ?2)");
        if (st == NULL) {
            status = QUARRY_EIO;
        } else {
            sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, quarry_version(), -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                status = project_db_fail(p, "cannot write");
            sqlite3_finalize(st);
        }
    }
    if (status == QUARRY_OK)
        status = project_commit(p);
    if (status == QUARRY_OK) {
        p->made_dev = (unsigned long long)made.st_dev;
        p->made_ino = (unsigned long long)made.st_ino;
        p->made_here = 1;
        return QUARRY_OK;
    }
fail:
    project_rollback(p);
    project_close(p);
    remove_made(path, &made); /* made by this call with O_EXCL */
    return status;
}

/* Why the first read of an open project failed: another process holds
 * the lock past the busy timeout, an interrupted write left a journal this
 * read-only handle may not roll back, or the file itself is damaged. */
static int unreadable(quarry_project *p)
{
    if (db_busy(p->db))
        return fail_busy(p, p->path);
    if (sqlite3_errcode(p->db) == SQLITE_READONLY)
        return project_fail(p, QUARRY_EIO,
                            "%s: an earlier quarry was interrupted while "
                            "writing to it and left %s-journal; quarry "
                            "needs write access to the file and its folder "
                            "to undo that unfinished change (the project is "
                            "not damaged); not opened, not modified",
                            p->path, p->path);
    return project_fail(p, QUARRY_EPARSE,
                        "%s: damaged, cannot be read (%s); not opened, "
                        "not modified", p->path, sqlite3_errmsg(p->db));
}

/* A read-only open still opens read-write when an interrupted write (a
 * killed quarry, a power cut) may have left a hot journal: only a
 * read-write handle may roll it back (or replay a write-ahead log), which
 * SQLite does on the first read;
 * a read-only one fails every read instead. The handle stays read-only
 * for quarry (p->readonly, PRAGMA query_only). Needs write access to the
 * file and to its folder (the journal is deleted). */
static int may_recover(const char *path)
{
    char *journal, *dir, *slash;
    size_t n = strlen(path);
    int ok;
    journal = malloc(n + sizeof "-journal");
    if (journal == NULL)
        return 0;
    memcpy(journal, path, n);
    memcpy(journal + n, "-journal", sizeof "-journal");
    ok = access(journal, F_OK) == 0;
    /* A write-ahead log left by a killed `quarry serve` (quarry_project_
     * share) is replayed the same way. */
    memcpy(journal + n, "-wal", sizeof "-wal");
    ok = (ok || access(journal, F_OK) == 0) && access(path, W_OK) == 0;
    free(journal);
    if (!ok)
        return 0;
    dir = strdup(path);
    if (dir == NULL)
        return 0;
    slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    ok = access(dir, W_OK) == 0;
    free(dir);
    return ok;
}

/* Everything a damaged file could fail, before any write. */
static int verify(quarry_project *p)
{
    sqlite3_stmt *st;
    const char *res;
    size_t i;
    int rc, status = QUARRY_OK;
    st = project_prepare(p, "PRAGMA quick_check(1)");
    if (st == NULL)
        return unreadable(p);
    rc = sqlite3_step(st);
    res = rc == SQLITE_ROW ? project_col_text(st, 0) : NULL;
    if (res == NULL)
        status = unreadable(p);
    else if (strcmp(res, "ok") != 0)
        status = project_fail(p, QUARRY_EPARSE,
                              "%s: damaged (%s); not opened, not modified",
                              p->path, res);
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        return status;
    for (i = 0; i < sizeof schema_tables / sizeof schema_tables[0]; i++) {
        st = project_prepare(p, "SELECT 1 FROM sqlite_schema"
                                " WHERE type = 'table' AND name = ?1");
        if (st == NULL)
            return QUARRY_EIO;
        sqlite3_bind_text(st, 1, schema_tables[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return project_fail(p, QUARRY_EPARSE,
                                "%s: damaged (table \"%s\" is missing); "
                                "not opened, not modified",
                                p->path, schema_tables[i]);
    }
    return QUARRY_OK;
}

int quarry_project_open(quarry_project *p, const char *path, int flags)
{
    uint32_t version = 0;
    int kind, status;
    if (p == NULL || path == NULL)
        return QUARRY_EINVAL;
    project_close(p);
    kind = sniff(path, &version);
    switch (kind) {
    case -3:
        return project_fail(p, QUARRY_EIO, "%s: %s", path,
                            errno == ENOENT
                                ? "no such project (quarry init makes one)"
                                : strerror(errno));
    case -4:
        return project_fail(p, QUARRY_EPARSE,
                            "%s is a folder, not a quarry project", path);
    case -2:
        return project_fail(p, QUARRY_EPARSE,
                            "%s: damaged or truncated (too short for a "
                            "project); not opened, not modified", path);
    case 0:
        return project_fail(p, QUARRY_EPARSE,
                            "%s: not a quarry project (not an SQLite "
                            "database); not opened, not modified", path);
    case -1:
        return project_fail(p, QUARRY_EPARSE,
                            "%s: not a quarry project (an SQLite database "
                            "of another application); not opened, "
                            "not modified", path);
    default:
        break;
    }
    if (version > QUARRY_PROJECT_SCHEMA)
        return project_fail(p, QUARRY_EVERSION,
                            "%s: written by a newer quarry (schema %u; "
                            "this quarry %s reads schema %d); not opened, "
                            "not modified", path, version, quarry_version(),
                            QUARRY_PROJECT_SCHEMA);
    if (version < 1)
        return project_fail(p, QUARRY_EVERSION,
                            "%s: written by an older quarry (schema %u; "
                            "this quarry %s reads schema %d); not opened, "
                            "not modified", path, version, quarry_version(),
                            QUARRY_PROJECT_SCHEMA);
    p->path = strdup(path);
    if (p->path == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    p->readonly = (flags & QUARRY_PROJECT_READONLY) != 0;
    if (sqlite3_open_v2(path, &p->db,
                        p->readonly && !may_recover(path)
                            ? SQLITE_OPEN_READONLY
                            : SQLITE_OPEN_READWRITE,
                        NULL) != SQLITE_OK) {
        status = project_db_fail(p, "cannot open");
        project_close(p);
        return status;
    }
    status = configure(p); /* reads the schema: may meet damage, locks */
    if (status != QUARRY_OK)
        status = unreadable(p);
    if (status == QUARRY_OK)
        status = verify(p);
    if (status == QUARRY_OK && version < QUARRY_PROJECT_SCHEMA)
        status = project_schema_upgrade(p);
    if (status != QUARRY_OK) {
        char keep[sizeof p->errmsg];
        memcpy(keep, p->errmsg, sizeof keep);
        project_close(p);
        memcpy(p->errmsg, keep, sizeof keep);
        return status;
    }
    return QUARRY_OK;
}

static int64_t count_of(quarry_project *p, const char *sql, int *status)
{
    int64_t n = 0;
    if (*status == QUARRY_OK)
        *status = project_step_int64(p, project_prepare(p, sql), &n,
                                     "cannot read the project");
    return n;
}

int quarry_project_count(quarry_project *p, quarry_project_counts *out)
{
    int status = project_check(p, 0);
    if (status != QUARRY_OK || out == NULL)
        return status ? status : QUARRY_EINVAL;
    memset(out, 0, sizeof *out);
    out->sources = count_of(p, "SELECT count(*) FROM sources", &status);
    out->excerpts = count_of(p, "SELECT count(*) FROM excerpts", &status);
    out->coded_excerpts = count_of(
        p, "SELECT count(DISTINCT excerpt_id) FROM codings", &status);
    out->codes = count_of(p, "SELECT count(*) FROM codes", &status);
    out->codings = count_of(p, "SELECT count(*) FROM codings", &status);
    out->coders = count_of(p, "SELECT count(*) FROM coders", &status);
    out->runs = count_of(p, "SELECT count(*) FROM runs", &status);
    out->suggestions = count_of(p, "SELECT count(*) FROM suggestions",
                                &status);
    out->pending = count_of(
        p,
        "SELECT count(DISTINCT s.excerpt_id) FROM suggestions s"
        " WHERE s.run_id = (SELECT max(id) FROM runs)"
        " AND NOT EXISTS (SELECT 1 FROM codings c"
        "  WHERE c.excerpt_id = s.excerpt_id)",
        &status);
    out->decisions = count_of(p, "SELECT count(*) FROM decisions", &status);
    return status;
}
