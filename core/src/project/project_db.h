/*
 * project_db.h -- the insides of a project (quarry/project.h), shared by
 * project.c (open, create, schema, errors, the small helpers below: the
 * walk of a statement's rows into a callback among them), the other
 * project_*.c files and the REFI-QDA exchange. Internal; not installed.
 * The schema is written out at the top of project.c.
 */
#ifndef QUARRY_PROJECT_DB_H
#define QUARRY_PROJECT_DB_H

#include <sqlite3.h>

#include "quarry/quarry.h"

/* 'QRRY': PRAGMA application_id of every quarry project. */
/* meta key prefix + code id, value "1": a code with children that may be
 * coded itself (a codable parent, as REFI-QDA's isCodable="true" or a
 * codebook's "codable": true say), so it is not a theme. */
#define PROJECT_META_CODABLE "codable."
#define PROJECT_APPLICATION_ID 0x51525259

struct quarry_project {
    sqlite3 *db;
    char *path;
    int readonly;
    char fixed_time[40]; /* "" = the real clock */
    char errmsg[24576]; /* a corpus message lists up to 20 bad records */
    /* Strings and arrays handed out by the last listing call. */
    char **scratch;
    size_t n_scratch, cap_scratch;
    void *listing; /* the array of that call */
    int review_order; /* quarry_review_order of the queue */
    /* Excerpts with suggestions in run queue_total_run (a run's
     * suggestions never change once stored): the queue's total without
     * counting them again on every call (project_queue.c). */
    int64_t queue_total_run, queue_total;
    int queue_total_speakers; /* the review_speakers it was counted for */
    /* Each run's {id, suggestions, excerpts abstained}, counted once per
     * handle for the same reason (project_runs.c). */
    int64_t (*run_counts)[3];
    size_t n_run_counts;
    int review_speakers; /* quarry_speakers of the queue */
    char queue_sql[2048]; /* the queue's FROM in order and speakers */
    char total_sql[1024]; /* and the SELECT of its total */
    /* ROLLBACK, prepared before the first transaction begins: running it
     * then needs no memory for a parse, so a failed call is undone even
     * when memory has run out. */
    sqlite3_stmt *rollback;
    /* Transactions open: project_begin inside another is a SAVEPOINT,
     * so a call that runs its own transaction (a .qdc import) can run
     * inside a larger one (the codebook import that checks it). */
    int txn_depth;
    /* The file quarry_project_create made with this handle (device and
     * inode), which quarry_project_discard may remove; made_here 0 for
     * a file opened. */
    unsigned long long made_dev, made_ino;
    int made_here;
};

/* Set the message (printf-style) and return status. */
int project_fail(quarry_project *p, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "PATH: WHAT: <SQLite's message>" and QUARRY_EIO (QUARRY_ENOMEM when
 * SQLite ran out of memory). */
int project_db_fail(quarry_project *p, const char *what);
/* 0, or a status with the message set when p has no open file or is
 * read-only and write is set. */
int project_check(quarry_project *p, int write);

/* Run SQL with no result rows. */
int project_exec(quarry_project *p, const char *sql);
/* BEGIN IMMEDIATE (the write lock up front) / COMMIT / ROLLBACK. When
 * even the ROLLBACK fails, the handle is closed (which rolls back), so no
 * later call sees a failed call's rows. Inside a transaction already
 * begun they are SAVEPOINT / RELEASE / ROLLBACK TO: only the outermost
 * commit writes. */
int project_begin(quarry_project *p);
int project_commit(quarry_project *p);
void project_rollback(quarry_project *p);

/* Prepare a statement; NULL with the message set on failure. */
sqlite3_stmt *project_prepare(quarry_project *p, const char *sql);

/* The time to write now, ISO 8601 UTC with milliseconds. */
void project_now(const quarry_project *p, char buf[40]);

/* The id of a coder, made when absent (kind "person" or "engine"). */
int project_coder_id(quarry_project *p, const char *name, int64_t *id);
/* The row id of a code, or 0 when absent (*id = 0, returns 0). */
int project_code_id(quarry_project *p, const char *code, int64_t *id);
/* A code given by its name where its id is asked (a researcher knows the
 * name; a code from NVivo has its first name as its id, and keeps it
 * after a rename): *id gets the id (malloc'd) of the one code whose name
 * is given, letter case aside; NULL when given is an id, or no code's
 * name (the caller refuses it as unknown). Two codes of that name:
 * refused, naming field and both. */
int project_code_by_name(quarry_project *p, const char *field,
                         const char *given, char **id);
/* A meta value (*value malloc'ed, NULL when the key is absent). */
int project_meta_get(quarry_project *p, const char *key, char **value);
/* Set a meta value; value NULL deletes the key. */
int project_meta_set(quarry_project *p, const char *key, const char *value);
/* Mark a code codable even with children (PROJECT_META_CODABLE), or not. */
int project_set_codable(quarry_project *p, const char *code, int codable);
/* The row id of an excerpt by its id, or 0 when absent. */
int project_excerpt_id(quarry_project *p, const char *xid, int64_t *id);

/* Listing scratch: drop what the last listing call handed out; keep a copy
 * of s (NULL stays NULL) until the next reset. */
void project_scratch_reset(quarry_project *p);
const char *project_scratch_dup(quarry_project *p, const char *s);
/* Keep an allocated block until the next reset (the listing array). */
int project_scratch_keep(quarry_project *p, void *block);

/* A code's name or id as a person would type it: NULL when fine, else
 * why not (empty, not valid UTF-8, a control character, over 1000
 * bytes). project_codebook_edit.c. */
const char *project_bad_text(const char *s);
/* The op of a code history row that sets a field other than the name
 * or the parent (schema 6): QUARRY_CODE_DEFINE's, recorded as "edit". */
#define PROJECT_CODE_EDIT_FIELD QUARRY_CODE_DEFINE
/* Append an edit to the code history, detail (a JSON object, taken; NULL:
 * {}) with it; *edit (may be NULL) its id. */
struct json_t;
int project_code_history_add(quarry_project *p, int op, const char *code,
                             int64_t coder, const char *at,
                             const char *before, const char *after,
                             struct json_t *detail, int64_t *edit);
/* Run sql with ?1..?3 bound to a, b, c (those it has); *changed (may be
 * NULL) gets the rows it changed. project_codebook_edit.c. */
int project_exec_ids(quarry_project *p, const char *sql, int64_t a,
                     int64_t b, int64_t c, int64_t *changed);
/* A code's own row as a JSON object (name, parent, definition, notes,
 * keywords, colour, position, codable), for the code history's detail of
 * an edit that takes the code away. */
int project_code_row_json(quarry_project *p, int64_t row,
                          struct json_t **out);
/* quarry_project_code_edit's define and delete (project_code_define.c),
 * inside its transaction, the coder and the time checked. */
int project_code_define(quarry_project *p, const quarry_code_edit *e,
                        int64_t coder, const char *at);
int project_code_delete(quarry_project *p, const quarry_code_edit *e,
                        int64_t coder, const char *at);

/* SHA-256 of a buffer as 64 hex digits and a NUL. */
void project_sha256_hex(const void *data, size_t len, char out[65]);

/* The review queue of coder ?1, from " FROM" on: excerpts with
 * suggestions in the latest run on which the coder has an undecided
 * suggestion and no coding yet (project_review.c). */
extern const char project_queue_from[];
/* " AND ..." keeping the turns of quarry_speakers speakers on excerpt e
 * ("" for every speaker; project_queue.c). */
const char *project_speakers_clause(int speakers);
/* " ORDER BY ..." of the queue in p's review order (project_queue.c). */
const char *project_queue_order(const quarry_project *p);
/* The queue of coder ?1 in p's review order and speakers, from " FROM"
 * on (the suggestions above, or the disagreements not settled), and a
 * SELECT of the number of excerpts that order walks, decided or not
 * (both built in p, valid until the next call of either). */
const char *project_queue_source(quarry_project *p);
const char *project_queue_total(quarry_project *p);

/* A corpus read from JSONL lines the project made (empty texts allowed;
 * len 0 gives an empty corpus). The message is set on failure. */
int project_corpus_jsonl(quarry_project *p, const char *buf, size_t len,
                         quarry_corpus **out);
/* One excerpt appended to buf as such a line (project_import.c): its
 * attributes (a JSON object's text, or NULL), id, text, speaker (NULL:
 * none), code (codes: a JSON array, taken, NULL or empty for none) and
 * source (unless an attribute names one). The message is set on
 * failure. */
struct json_t;
int project_corpus_line(quarry_project *p, char **buf, size_t *len,
                        size_t *cap, const char *xid, const char *text,
                        const char *speaker, const char *attributes,
                        const char *source, struct json_t *codes);

/* Schemas 2 to 4 (project_schema.c): on a new file inside the create
 * transaction; on a file of schema 1 to 4 just opened (its own transaction, with
 * a read-write connection of its own when p is read-only). */
int project_schema_upgrade_new(quarry_project *p);
int project_schema_upgrade(quarry_project *p);

/* One decision inside the caller's transaction (project_review.c). */
int project_decide_in(quarry_project *p, const quarry_decision *d,
                      int64_t *id);

/* quarry_project_settle inside the caller's transaction, the arguments
 * checked (project_settle.c; a decisions file's "settle" lines). */
int project_settle_in(quarry_project *p, const char *coder,
                      const char *excerpt, const char *const *codes,
                      size_t n_codes, const char *note);

/* The bytes [*b0, *b1) of text that code points [start, end) of it are
 * (a coding's passage, quarry_decision.span_start and span_end): 0, or
 * -1 when the span does not lie inside the text, is empty or backwards
 * (project_review.c). */
int project_span_bytes(const char *text, int64_t start, int64_t end,
                       size_t *b0, size_t *b1);
/* 1 when text's bytes [b0, b1) hold a letter or a digit. */
int project_span_says(const char *text, size_t b0, size_t b1);

/* SQL: the text of coding alias g's passage in excerpt alias e (SQLite's
 * substr counts characters: code points), NULL for the whole excerpt. */
#define PROJECT_PASSAGE_SQL(g, e)                                             \
    "CASE WHEN " g ".span_end IS NULL THEN NULL ELSE substr(" e ".text, "     \
    g ".span_start + 1, " g ".span_end - " g ".span_start) END"

/* The batch of the decisions a settlement takes (project_settle.c). */
#define PROJECT_SETTLE_BATCH "settle"

/* SQL: decision alias d was not reversed by an undo (project_review.c). */
#define PROJECT_NOT_UNDONE(d)                                                 \
    " NOT EXISTS (SELECT 1 FROM decisions u_ WHERE u_.verdict = 'undo'"      \
    " AND u_.reverses = " d ".id)"

/* SQL: decision alias d is not an acceptance whose coding the coder has
 * removed since (a remove of the same code on the same excerpt, not
 * undone): the suggestion is open again, to accept or reject anew. */
#define PROJECT_NOT_REMOVED(d)                                                \
    " NOT (" d ".verdict = 'accept' AND EXISTS (SELECT 1 FROM decisions r_"   \
    " WHERE r_.verdict = 'remove' AND r_.excerpt_id = " d ".excerpt_id"      \
    " AND r_.code_id = " d ".code_id AND r_.coder_id = " d ".coder_id"       \
    " AND r_.id > " d ".id AND NOT EXISTS (SELECT 1 FROM decisions u2_"      \
    " WHERE u2_.verdict = 'undo' AND u2_.reverses = r_.id)))"

/* Bind a string (copied), or NULL for NULL. */
void project_bind_text(sqlite3_stmt *st, int col, const char *s);

/* A source's name without the folders it was imported from (for exports
 * and messages; project_import.c). */
const char *project_source_base(const char *name);

/* One memo inside the caller's transaction, the coder made when absent
 * (project_memo.c; the REFI-QDA import). m->time NULL = now. */
int project_memo_add_in(quarry_project *p, const quarry_memo *m,
                        int64_t *id);
/* The insert itself, by row ids (0: none), unchecked; text of len bytes;
 * time NULL = now (the REFI-QDA import). */
int project_memo_insert(quarry_project *p, int64_t excerpt, int64_t code,
                        int64_t coder, const char *time, const char *text,
                        size_t len, int64_t revises, const char *guid,
                        int64_t *id);

/* 1 when s is an ISO 8601 time that can be (project_review.c). */
int project_valid_time(const char *s);

/* Text of a column, or NULL. */
const char *project_col_text(sqlite3_stmt *st, int col);

/* project_check(p, 0), then QUARRY_EINVAL "no callback" unless has_fn:
 * the start of every read-only call that hands rows to a callback. */
int project_check_cb(quarry_project *p, int has_fn);

/* The first column of st's first row into *n, then st finalized (st
 * NULL: QUARRY_EIO, as project_walk). No row or a failed step:
 * project_db_fail(p, what). */
int project_step_int64(quarry_project *p, sqlite3_stmt *st, int64_t *n,
                       const char *what);

/* One row of a walk: read st's current row (into the struct the caller's
 * callback takes) and hand it on; non-zero stops the walk. */
typedef int (*project_row_fn)(sqlite3_stmt *st, void *ctx);
/* Step st (prepared and bound by the caller) to its end, row by row, then
 * finalize it. st NULL (project_prepare failed, the message set):
 * QUARRY_EIO. A failed step: project_db_fail(p, what). Otherwise 0 or the
 * first non-zero row returned. */
int project_walk(quarry_project *p, sqlite3_stmt *st, project_row_fn row,
                 void *ctx, const char *what);

#endif
