/*
 * quarry/project.h -- a study as one SQLite file: its sources and excerpts,
 * its codebook, every coding with who made it, the engine's suggestions
 * with the run that made them, and every decision a coder took on them.
 * Included by quarry/quarry.h.
 *
 * The engine only proposes. A suggestion becomes a coding only through a
 * decision a named coder took (accept, or replace with another code), and
 * the coding records the coder, the time and its origin: "manual",
 * "accepted-suggestion" or "imported".
 *
 * Nothing is deleted from the record: removing a coding and undoing a
 * decision are decisions of their own, with coder and time, that reverse
 * earlier ones; the current codings are what the record leaves standing.
 *
 * Safety: every change is one transaction, committed before the call
 * returns, so a killed process loses nothing already decided. A file that
 * is not a quarry project, is damaged, or was written with another schema
 * version (newer, or older than 1) is refused on open with a message
 * saying which, and is never modified. A file of schema 1 to 4 is
 * upgraded to schema 5 when opened (even read-only), in one transaction
 * that adds the decision trail, the memos, settling, the runs'
 * calibration and the code history, and changes no coding.
 */
#ifndef QUARRY_PROJECT_H
#define QUARRY_PROJECT_H

#include "quarry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema this library reads and writes (PRAGMA user_version). */
#define QUARRY_PROJECT_SCHEMA 8

typedef struct quarry_project quarry_project;

/* A handle that holds no file yet; its message lives on it
 * (quarry_project_errmsg) whatever the later calls do. */
QUARRY_API int quarry_project_new(quarry_project **out);
/* Close the file (if open) and free the handle. NULL-safe. */
QUARRY_API void quarry_project_free(quarry_project *p);
QUARRY_API const char *quarry_project_errmsg(const quarry_project *p);

/* Create a new, empty project at path. An existing path is refused
 * (QUARRY_EEXIST), never overwritten. */
QUARRY_API int quarry_project_create(quarry_project *p, const char *path);

/* Undo a quarry_project_create whose next step failed (a codebook init
 * refused): close p and remove the file this handle created, if path
 * still names that very file. A file p opened, or one another process
 * put in its place, is only closed, never removed. NULL-safe. */
QUARRY_API void quarry_project_discard(quarry_project *p);

#define QUARRY_PROJECT_READONLY 1

/* Open an existing project. Refused (QUARRY_EPARSE unless said otherwise)
 * and left untouched: a missing file (QUARRY_EIO), a file that is not an
 * SQLite database or holds another application's data, a damaged one, one
 * with another schema version (QUARRY_EVERSION). */
QUARRY_API int quarry_project_open(quarry_project *p, const char *path,
                                   int flags);

/* 1 when the file at path looks like a quarry project (the SQLite header and
 * quarry's application id), 0 otherwise. Reads 72 bytes; never fails. */
QUARRY_API int quarry_project_sniff(const char *path);

/* Pin the clock for the times written from now on ("2026-01-31T12:00:00Z"),
 * for reproducible tests and exports; NULL goes back to the real clock. */
QUARRY_API int quarry_project_set_time(quarry_project *p, const char *iso);

/* ------------------------------------------------------------------ */
/* Import                                                               */

typedef struct quarry_import_options {
    uint32_t version;
    quarry_read_options read; /* format, segment, fields */
    /* Who coded the codes found in the file (origin "imported"): a
     * per-record "coder" field wins; else this name; NULL = "imported". */
    const char *coder;
    /* Codes absent from the project's codebook: 0 refuses the file, naming
     * the line and the code; 1 adds them as flat codes. A project with no
     * codebook yet always adds them. */
    int add_codes;
    /* Attributes set on every new excerpt of the file, winning over a
     * transcript header or a field of the file: "study" and "participant"
     * (NULL = leave as the file has them), and n_attributes more as
     * "KEY=VALUE" strings (KEY non-empty, without '=', not id, text or
     * code; a bad one is refused with QUARRY_EINVAL). */
    const char *study;
    const char *participant;
    const char *const *attributes;
    size_t n_attributes;
} quarry_import_options;

#define QUARRY_IMPORT_OPTIONS_VERSION 2
#define QUARRY_IMPORT_OPTIONS_INIT                                          \
    {QUARRY_IMPORT_OPTIONS_VERSION, QUARRY_READ_OPTIONS_INIT, NULL, 0,      \
     NULL, NULL, NULL, 0}

typedef struct quarry_import_stats {
    int64_t excerpts; /* added */
    int64_t codings;  /* added */
    int64_t codes;    /* codes added to the codebook */
    int64_t merged;   /* excerpts already in the project (same id and
                         text) whose codings were merged */
    int64_t retagged; /* of those, excerpts whose attributes the options
                         (study, participant, attributes) changed */
    int64_t nameless; /* codings added under the coder "imported": no
                         "coder" field and no coder in the options */
} quarry_import_stats;

/* Read a JSONL, CSV or transcript file and add its excerpts (and the
 * codings its "code" fields carry) in one transaction: on any failure the
 * project is as it was, and the message names the file, line and field.
 * The text of a transcript is kept byte-exact as the excerpts' source.
 * An excerpt whose id is already in the project with the same text is a
 * second coder's copy: its codings are added under its coder (codings that
 * coder already has are kept once), the study, participant and attributes
 * of o are set on it (so importing a file again with --study tags what is
 * already in), and its text is left as it is. The
 * same id with another text is refused (QUARRY_EDUP), naming both and where
 * they differ. stats may be NULL. */
QUARRY_API int quarry_project_import(quarry_project *p, const char *path,
                                     const quarry_import_options *o,
                                     quarry_import_stats *stats);

/* The same for a file's bytes in memory (an upload), buf[0..len), named
 * name: a file name, never opened, whose extension tells the format (as
 * a path's does) and which names the source and the excerpts' ids
 * ("P03.docx" -> "P03#1", ...). */
QUARRY_API int quarry_project_import_buffer(quarry_project *p,
                                            const char *buf, size_t len,
                                            const char *name,
                                            const quarry_import_options *o,
                                            quarry_import_stats *stats);

/* One source (a file imported): its file name (no folder), "transcript"
 * or "records", when it came in, its excerpts and what people did on
 * them. Strings live until the callback returns. */
typedef struct quarry_source_row {
    const char *name;
    const char *format;
    const char *imported_at;
    int64_t excerpts, codings, decisions, memos;
} quarry_source_row;
typedef int (*quarry_source_fn)(void *ctx, const quarry_source_row *r);

/* Every source in import order; a non-zero return from fn stops the walk
 * and is returned. */
QUARRY_API int quarry_project_sources(quarry_project *p, quarry_source_fn fn,
                                      void *ctx);

/* Take out the source called name (its file name, or the path it was
 * imported from) with its excerpts and the engine's suggestions for them,
 * so that it can be imported again (other options, a corrected file).
 * Refused (QUARRY_EINVAL, nothing changed) while a coding, a decision or
 * a memo is on one of its excerpts, naming how many; QUARRY_ENOTFOUND
 * names the sources there are. removed (may be NULL) gets its counts and
 * name. One transaction. */
QUARRY_API int quarry_project_source_remove(quarry_project *p,
                                            const char *name,
                                            quarry_source_row *removed);

/* One difference a codebook import found: a code new to the project, or
 * one field of a project code that the file's code (matched by id; for
 * a .qdc by GUID, then name) has otherwise. Strings live until the
 * callback returns. */
typedef struct quarry_codebook_change {
    const char *code;   /* the project's id of the code */
    const char *name;   /* its name in the project after the import */
    const char *field;  /* NULL: a new code (before NULL, after its
                           parent, NULL: the top level); else "name",
                           "parent", "definition", "include", "exclude",
                           "keywords" (a JSON list), "color", "codable"
                           ("true"/"false", for a code with children) */
    const char *before; /* the project's value; NULL: none (a parent: the
                           top level) */
    const char *after;  /* the file's */
    int applied;        /* 1: the project has after now; 0: only listed */
} quarry_codebook_change;

typedef void (*quarry_codebook_change_fn)(void *ctx,
                                          const quarry_codebook_change *c);

typedef struct quarry_codebook_import_options {
    uint32_t version;
    /* 0 (the default): codes new to the project are added; codes it has
     * keep their names, places and definitions, and where the file's
     * differ the differences are listed (on_change, applied 0). 1: they
     * take the file's name, parent, definition, notes, keywords, colour
     * and codable mark. */
    int update;
    /* Who, in the code history: every code added and every field changed
     * is an edit there (add, rename, move; "edit" for the other fields),
     * as quarry_project_code_edit records them. NULL: nothing recorded
     * (a new project's first codebook). */
    const char *coder;
    const char *time; /* of those edits; NULL: now */
    /* After the commit, each change in codebook order (may be NULL). */
    quarry_codebook_change_fn on_change;
    void *change_ctx;
    /* A .qdc's notices (elements skipped, repairs); may be NULL. */
    void (*notice)(void *ctx, int level, const char *msg);
    void *notice_ctx;
} quarry_codebook_import_options;
#define QUARRY_CODEBOOK_IMPORT_OPTIONS_VERSION 1
#define QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT                                 \
    {QUARRY_CODEBOOK_IMPORT_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL,     \
     NULL, NULL}

typedef struct quarry_codebook_import_stats {
    int32_t added;     /* codes new to the project */
    int32_t changed;   /* codes of the project the import changed */
    int32_t differ;    /* codes that differ from the file, left as they
                          are (update 0) */
    int32_t unchanged; /* codes of the file the project has as they are */
} quarry_codebook_import_stats;

/* Import a codebook file, the JSON of quarry_codebook_load or (a name
 * ending in .qdc) a REFI-QDA codebook, in one transaction. Refused whole
 * (the project as it was, the message naming the file and the codes):
 * a file the loader refuses, two codes under one parent with one name
 * (letter case aside, with each other or with a project code), a name
 * quarry_project_code_edit would refuse (empty, a control character,
 * over 1000 bytes), a JSON code id with a space, a parent that is not a
 * code, a cycle. Codes in the project but not in the file are kept.
 * stats may be NULL. */
QUARRY_API int quarry_project_codebook_import_file(
    quarry_project *p, quarry_engine *e, const char *path,
    const quarry_codebook_import_options *o,
    quarry_codebook_import_stats *stats);

/* The same for a codebook that came as bytes (a file sent to the web
 * page): name is the file's name (no folder), which tells JSON from .qdc
 * and names it in messages; nothing is read from disk. */
QUARRY_API int quarry_project_codebook_import_buffer(
    quarry_project *p, quarry_engine *e, const char *name, const void *bytes,
    size_t len, const quarry_codebook_import_options *o,
    quarry_codebook_import_stats *stats);

/* quarry_project_codebook_import_file with update 1 and nothing recorded
 * in the code history: *added the codes added, *updated the codes
 * changed (either may be NULL). */
QUARRY_API int quarry_project_codebook_import(quarry_project *p,
                                              quarry_engine *e,
                                              const char *path,
                                              int32_t *added,
                                              int32_t *updated);

/* The project's codebook as a quarry_codebook (NULL in *out when the
 * project has no codes). The caller frees it. */
QUARRY_API int quarry_project_codebook(quarry_project *p, quarry_engine *e,
                                       quarry_codebook **out);

/* Write the project's codebook to out as a codebook file (the JSON that
 * quarry_project_codebook_import reads), with every field kept. */
QUARRY_API int quarry_project_codebook_write(quarry_project *p, FILE *out);

/* One code of the project, for listing. Strings may be NULL. */
typedef struct quarry_project_code {
    const char *id;
    const char *name;
    const char *parent;
    const char *definition;
    const char *color;
    int32_t depth;      /* 0 for a root */
    int is_theme;       /* has children and is not codable itself */
    int64_t n_codings;  /* codings of this code (all coders) */
    int64_t n_excerpts; /* excerpts coded with it */
} quarry_project_code;

/* Every code, depth first in codebook order. The array lives until the
 * next call on p. */
QUARRY_API int quarry_project_codes(quarry_project *p,
                                    const quarry_project_code **out,
                                    int32_t *n);

/* Counts for a summary line. */
typedef struct quarry_project_counts {
    int64_t sources, excerpts, coded_excerpts, codes, codings, coders, runs,
        suggestions, pending, decisions;
} quarry_project_counts;

QUARRY_API int quarry_project_count(quarry_project *p,
                                    quarry_project_counts *out);

/* ------------------------------------------------------------------ */
/* Corpora out of a project, for the engine                             */

/* Which excerpts: coded (every coding, any coder, the codes as the
 * excerpt's codes), uncoded, or all (codes where there are codings). */
typedef enum quarry_project_subset {
    QUARRY_SUBSET_ALL = 0,
    QUARRY_SUBSET_CODED = 1,
    QUARRY_SUBSET_UNCODED = 2
} quarry_project_subset;

/* A corpus of the project's excerpts in import order, with their
 * attributes, speaker and source. The caller frees it. */
QUARRY_API int quarry_project_corpus(quarry_project *p,
                                     quarry_project_subset which,
                                     quarry_corpus **out);

/* ------------------------------------------------------------------ */
/* Suggestions inside a project                                         */

typedef struct quarry_project_suggest_options {
    uint32_t version;
    /* Excerpts to suggest for: uncoded ones (0) or every one (1). */
    int all;
    /* The command line, kept with the run (may be NULL). */
    const char *command;
    /* Version 2: whose turns to suggest for (quarry_speakers; 0, the
     * default, leaves interviewer turns out). Coded interviewer turns
     * stay training data whatever this says. */
    int speakers;
} quarry_project_suggest_options;

#define QUARRY_PROJECT_SUGGEST_OPTIONS_VERSION 2
#define QUARRY_PROJECT_SUGGEST_OPTIONS_INIT                                 \
    {QUARRY_PROJECT_SUGGEST_OPTIONS_VERSION, 0, NULL, 0}

typedef struct quarry_run_info {
    int64_t run;      /* the run's id */
    int64_t train;    /* coded excerpts learnt from */
    int64_t input;    /* excerpts suggested for */
    int64_t stored;   /* suggestions stored */
    int64_t abstained;
    double seconds;
    int64_t left_out;  /* turns of other speakers left out (speakers) */
    int codebook_only; /* no coding yet: from the codebook's entries alone
                          (quarry_suggestions_codebook_only) */
    quarry_suggest_choice choice; /* the linear model of the run
                                     (quarry_suggestions_choice) */
} quarry_run_info;

/* Learn from every coded excerpt (the human codings; rejected suggestions
 * push their code away from the excerpt), suggest for the others, and
 * store the run (plugins with versions and options, hashes of what it read,
 * timing) and its suggestions in one transaction. The project's codebook is
 * used when it has one; so->codebook is ignored. With a codebook and no
 * coding yet, the codes are ranked by their entries alone (info->
 * codebook_only). info may be NULL. The
 * stored suggestions are read back with quarry_project_review_next() and
 * the export functions. */
QUARRY_API int quarry_project_suggest(
    quarry_project *p, quarry_engine *e, const quarry_pipeline_options *po,
    const quarry_suggest_options *so,
    const quarry_project_suggest_options *ps, quarry_run_info *info);

/* ------------------------------------------------------------------ */
/* Review: decisions by a named coder                                   */

typedef enum quarry_verdict {
    QUARRY_VERDICT_ACCEPT = 1,  /* the suggested code becomes a coding */
    QUARRY_VERDICT_REJECT = 2,  /* no coding; pushes the code away */
    QUARRY_VERDICT_REPLACE = 3, /* reject, and code with another code */
    QUARRY_VERDICT_ADD = 4,     /* a code nobody suggested */
    /* The coder's own coding of the code goes, whatever its origin
     * (imported, manual, accepted suggestion); the record keeps it. */
    QUARRY_VERDICT_REMOVE = 5,
    /* Reverses an earlier decision (quarry_project_undo only; refused by
     * quarry_project_decide). */
    QUARRY_VERDICT_UNDO = 6,
    /* Marks an excerpt settled with the coder's final codes
     * (quarry_project_settle only; refused by quarry_project_decide). */
    QUARRY_VERDICT_SETTLE = 7
} quarry_verdict;

/* "accept" -> QUARRY_VERDICT_ACCEPT; 0 if unknown. */
QUARRY_API quarry_verdict quarry_verdict_from_name(const char *name);
QUARRY_API const char *quarry_verdict_name(quarry_verdict v);

typedef struct quarry_decision {
    uint32_t version;
    const char *excerpt; /* excerpt id */
    quarry_verdict verdict;
    const char *code;        /* the suggested (accept, reject, replace) or
                                added (add) code */
    const char *replacement; /* replace only */
    const char *coder;       /* required: who decided */
    const char *note;        /* may be NULL */
    /* ISO 8601, "YYYY-MM-DD" with optionally "THH:MM[:SS[.fff]]" and "Z"
     * or "+HH:MM"; a date or time that cannot be (Feb 30, hour 25) is
     * refused. NULL = now. */
    const char *time;
    /* Version 2: the batch the decision comes from (e.g. "accept-above
     * 0.9, run 3"), kept with it; NULL for one taken by hand. */
    const char *batch;
    /* Version 3: the passage of the excerpt the coding is about (accept,
     * replace and add), as a quote: code points [span_start, span_end)
     * of the excerpt's text, with a letter or digit in it. span_end 0:
     * the whole excerpt (as before). Kept with the coding and its
     * decision; a remove's decision keeps the passage it took away, and
     * its undo puts it back. */
    int64_t span_start, span_end;
} quarry_decision;

#define QUARRY_DECISION_VERSION 3
#define QUARRY_DECISION_INIT                                                \
    {QUARRY_DECISION_VERSION, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, \
     0, 0}

/* Record one decision, and the coding it makes (or, for remove, takes
 * away), in one transaction that is committed before the call returns.
 * The excerpt, the codes and (for accept, reject and replace) a stored
 * suggestion of that code for that excerpt must exist; a code the coder
 * already applied is refused, and so is a replacement equal to the code;
 * remove needs the coder's own coding of the code on the excerpt.
 * *id gets the decision's id (may be NULL). */
QUARRY_API int quarry_project_decide(quarry_project *p,
                                     const quarry_decision *d, int64_t *id);

/* Undo the coder's latest decision not undone yet: an "undo" decision is
 * appended that reverses it (the coding it made goes; a coding it removed
 * comes back as it was). Nothing is deleted from the record. *undone gets
 * the excerpt id it was about (NULL when there was nothing to undo; lives
 * until the next call on p). */
QUARRY_API int quarry_project_undo(quarry_project *p, const char *coder,
                                   const char **undone);

/* What quarry_project_undo_what undid, to tell the coder. Strings live
 * until the next call on p; all NULL when there was nothing to undo. */
typedef struct quarry_undone {
    const char *excerpt;     /* the excerpt's id */
    const char *verdict;     /* accept, reject, replace, add, remove, settle */
    const char *code;        /* the code decided on (NULL for settle) */
    const char *replacement; /* replace: the code put instead, else NULL */
    /* The passage the coding made or removed was of (code points of the
     * excerpt's text; span_end 0: the whole excerpt). */
    int64_t span_start, span_end;
} quarry_undone;

/* quarry_project_undo, saying what the undone decision was. */
QUARRY_API int quarry_project_undo_what(quarry_project *p, const char *coder,
                                        quarry_undone *out);

/* Accepting a run's confident suggestions as a batch. */
typedef struct quarry_batch_info {
    int64_t run;      /* the latest run (0: none) */
    char batch[64];   /* the batch's name, kept with every decision */
    /* Excerpts whose top suggestion (not abstained) has at least the
     * confidence asked and that the coder has not decided on or coded
     * yet (as the review queue): what the batch accepts. */
    int64_t excerpts;
    /* A second figure: the error among the top suggestions at or above
     * that confidence (any run) that coders already decided, undone
     * decisions left out: checked of them, wrong rejected or replaced
     * (decisions from batches left out: they would vouch for
     * themselves). error = wrong / checked, NaN when checked is 0. */
    int64_t checked, wrong;
    double error;
    /* The expected error at that confidence, measured where the run
     * calibrated: the coded excerpts it held out (each scored as if left
     * out of training) whose top confidence is at or above it; heldout
     * of them, heldout_wrong with a top code that is none of their codes.
     * heldout_error = heldout_wrong / heldout, NaN when heldout is 0 (a
     * run from the codebook alone, one with fewer than two coded
     * excerpts, or one made before schema 4). */
    int64_t heldout, heldout_wrong;
    double heldout_error;
} quarry_batch_info;

/* Accept, as coder's decisions in one transaction, the top suggestion of
 * every excerpt of the latest run at or above min_confidence (in [0, 1])
 * that the coder has not decided yet, among the turns of the review's
 * speakers (quarry_project_set_review_speakers: interviewer turns left out
 * by default); each decision records the batch ("accept-above C, run R").
 * dry_run: count and estimate only, change nothing. info (required) gets
 * the counts and both error figures. */
QUARRY_API int quarry_project_accept_above(quarry_project *p,
                                           const char *coder,
                                           double min_confidence, int dry_run,
                                           quarry_batch_info *info);

/* Apply a JSONL file of decisions made elsewhere, one object a line:
 * {"excerpt", "verdict", "code", "replacement", "coder", "note", "time"}
 * (verdict accept, reject, replace, add or remove)
 * ("coder" may come from default_coder instead). Validated like
 * quarry_project_decide(); all or nothing, the message naming the file,
 * line and field. *applied may be NULL. */
QUARRY_API int quarry_project_apply_decisions(quarry_project *p,
                                              const char *path,
                                              const char *default_coder,
                                              int64_t *applied);

/* The same, where a line already in effect (the coder's same accept,
 * reject or replace on the excerpt's code stands, not undone; for an
 * add, the coder has that coding) is left as it is and counted in
 * *already instead of refused: a file applied again after lines were
 * added to it. A different verdict on the same code is still refused. */
QUARRY_API int quarry_project_apply_decisions_again(quarry_project *p,
                                                    const char *path,
                                                    const char *default_coder,
                                                    int64_t *applied,
                                                    int64_t *already);

/* One excerpt to review, with its context and its latest suggestions. */
typedef struct quarry_review_suggestion {
    const char *code;
    const char *name;
    double score, confidence;
    const char *evidence; /* JSON: {"terms": [...], "neighbours": [...]} */
    /* This coder's verdict on it so far ("accept", "reject", "replace"),
     * or NULL when undecided. */
    const char *verdict;
} quarry_review_suggestion;

/* One coder's codes on an excerpt (codebook order). */
typedef struct quarry_coder_codes {
    const char *coder;
    int32_t n_codes;
    const char *const *codes;
    /* The passage of each (two per code: code points of the excerpt's
     * text, end 0 for the whole excerpt), and its text (NULL for the
     * whole). */
    const int64_t *spans;
    const char *const *passages;
} quarry_coder_codes;

typedef struct quarry_review_item {
    const char *excerpt;
    const char *text;
    const char *source;     /* its file name, without the folders */
    const char *speaker;
    int64_t line;
    const char *attributes; /* JSON object */
    const char *before;     /* the excerpt before it in its source, or NULL */
    const char *before_speaker;
    const char *after;
    const char *after_speaker;
    int abstain;
    int32_t n_suggestions;
    const quarry_review_suggestion *suggestions; /* best first */
    int32_t n_codes;        /* codes this coder already gave it */
    const char *const *codes;
    int64_t run;
    /* Every other coder who coded the excerpt, with their codes, by name
     * (people only; filled for every item, whatever the queue's order). */
    int32_t n_others;
    const quarry_coder_codes *others;
    /* The passage of each of codes[] (quarry_decision.span_start and
     * span_end: two per code, end 0 for the whole excerpt). */
    const int64_t *code_spans;
    /* The ids of the excerpts before and after it (NULL with them). */
    const char *before_id, *after_id;
} quarry_review_item;

/* The queue: excerpts with suggestions in the latest run on which the coder
 * has not decided yet, in import order (or as quarry_project_set_review_order
 * says), interviewer turns left out (quarry_project_set_review_speakers). *remaining counts them; *item is
 * the first (NULL when none), living until the next call on p. */
QUARRY_API int quarry_project_review_next(quarry_project *p,
                                          const char *coder,
                                          const quarry_review_item **item,
                                          int64_t *remaining);

/* The same item view for one excerpt id (its latest run's suggestions). */
QUARRY_API int quarry_project_review_item(quarry_project *p,
                                          const char *coder,
                                          const char *excerpt,
                                          const quarry_review_item **item);

/* ---- review queue for an interactive session (project_queue.c; added by
 * the review task, for the lead to fold in) ---------------------------- */

/* Where a coder stands in the review queue. */
typedef struct quarry_review_progress {
    int64_t remaining; /* excerpts still to decide (skipped ones included) */
    int64_t skipped;   /* of those, passed over (named in the skip list)
                          before the item; all of them when no item */
    int64_t total;     /* excerpts with suggestions in the latest run */
} quarry_review_progress;

/* Like quarry_project_review_next(), passing over the excerpts whose ids
 * are in skip (n_skip of them; a session's "skip for now"): *item is the
 * first queue excerpt not in skip (NULL when none), living until the next
 * call on p. progress may be NULL. */
QUARRY_API int quarry_project_review_next_skipping(
    quarry_project *p, const char *coder, const char *const *skip,
    size_t n_skip, const quarry_review_item **item,
    quarry_review_progress *progress);

/* The order of the queue, for every queue call on p from now on. */
typedef enum quarry_review_order {
    /* Import order: source by source, excerpt by excerpt (the default). */
    QUARRY_REVIEW_SOURCE = 0,
    /* Most uncertain first: the lowest top confidence of the latest run
     * first (the engine is least sure of its best code there), ties in
     * import order. */
    QUARRY_REVIEW_UNCERTAIN = 1,
    /* Disagreements to settle: the excerpts on which two or more coders'
     * codes differ (any coding, no suggestion run needed) and that the
     * calling coder has not settled yet (quarry_project_settle), in
     * import order. The progress's total counts every excerpt coders
     * disagree on, settled or not. */
    QUARRY_REVIEW_DISAGREEMENTS = 2
} quarry_review_order;

QUARRY_API int quarry_project_set_review_order(quarry_project *p,
                                               quarry_review_order order);

/* Whose turns the queue holds, for every queue call on p from now on:
 * QUARRY_SPEAKERS_PARTICIPANTS (the default) leaves interviewer turns
 * (role "interviewer") out, as suggest and themes do; ALL keeps every
 * turn; INTERVIEWERS only the interviewer's. */
QUARRY_API int quarry_project_set_review_speakers(quarry_project *p,
                                                  quarry_speakers speakers);

/* *n: the excerpts the coder's queue (in p's order) leaves out because of
 * its speakers (0 with QUARRY_SPEAKERS_ALL), for a notice. */
QUARRY_API int quarry_project_review_left_out(quarry_project *p,
                                              const char *coder, int64_t *n);

/* Settle an excerpt: codes (n_codes of them, each in the codebook; none
 * is allowed) become coder's final codes on it, in one transaction, as
 * coder's own decisions: "add" for each code the coder lacks, "remove"
 * for each code of the coder not in the list (both with batch "settle"),
 * then a "settle" decision naming the final codes and the note (may be
 * NULL). A code added is of the passage the other coders who gave it all
 * marked, else of the whole excerpt. The other coders' codings stay as
 * they are. The excerpt leaves
 * the coder's QUARRY_REVIEW_DISAGREEMENTS queue; undo reverses the settle
 * decision first (the excerpt comes back), then its adds and removes one
 * by one. Refused: no coder (QUARRY_EINVAL), an excerpt or code the
 * project lacks (QUARRY_ENOTFOUND). */
QUARRY_API int quarry_project_settle(quarry_project *p, const char *coder,
                                     const char *excerpt,
                                     const char *const *codes,
                                     size_t n_codes, const char *note);

/* ---- end of the review queue block ------------------------------------ */

/* ------------------------------------------------------------------ */
/* Export                                                               */

/* One coding, for export and agreement. */
typedef struct quarry_coding_row {
    const char *excerpt;
    const char *code;
    const char *coder;
    const char *origin; /* manual, accepted-suggestion, imported */
    const char *time;
    const char *source;
    const char *speaker;
    const char *text;
    const char *attributes;
    /* The passage coded (quarry_decision): code points [span_start,
     * span_end) of text, and those characters; span_end 0 and passage
     * NULL for the whole excerpt. */
    int64_t span_start, span_end;
    const char *passage;
    /* 1 when a settlement made it (quarry_project_settle: a lead's final
     * codes on an excerpt the coders differed on). Agreement leaves such
     * codings out: a settlement is not a coder's independent coding. */
    int settled;
} quarry_coding_row;

/* Call fn for every coding, by excerpt (import order), then code, then
 * coder. A non-zero return from fn stops the walk and is returned.
 * r->source is the source's file name without its folders. */
QUARRY_API int quarry_project_codings(quarry_project *p,
                                      int (*fn)(void *ctx,
                                                const quarry_coding_row *r),
                                      void *ctx);

/* The decision trail: every decision ever taken, in order, undone and
 * reversing ones included (project_trail.c). One row a decision: id,
 * time, coder, excerpt, verdict, code, replacement, note, origin (of the
 * coding made or removed), batch, reverses (the id of the decision it
 * reverses). JSONL, or CSV with a header row when csv is set. */
QUARRY_API int quarry_project_export_decisions(quarry_project *p, FILE *out,
                                               int csv);

/* The top suggestion of each excerpt in the latest run that did not
 * abstain, as rows with coder "quarry" and origin "suggestion". */
QUARRY_API int quarry_project_top_suggestions(
    quarry_project *p, int (*fn)(void *ctx, const quarry_coding_row *r),
    void *ctx);

/* What an export takes (project_tables.c). */
typedef struct quarry_export_options {
    uint32_t version;
    /* Only this coder's codings; NULL = every coder's. A name that is not
     * a coder of the project is refused (QUARRY_ENOTFOUND). */
    const char *coder;
    /* Version 2, csv and quotes: the final coding instead of every
     * coder's (not with coder). An excerpt's final codes are those of its
     * latest settlement (quarry_project_settle, not undone), coder the
     * one who settled and origin "settled"; else, when every coder who
     * coded it gave it the same codes, those, coder the coders joined by
     * " & " and origin "agreed" ("single coder" when one coded it; a
     * passage when they all marked the same one); an excerpt its coders
     * differ on and nobody settled is left out
     * (quarry_project_count_unsettled counts them). */
    int final;
} quarry_export_options;

#define QUARRY_EXPORT_OPTIONS_VERSION 2
#define QUARRY_EXPORT_OPTIONS_INIT {QUARRY_EXPORT_OPTIONS_VERSION, NULL, 0}

/* Tables for analysis, CSV (RFC 4180) written to out, codes in codebook
 * order, excerpts in import order, over the human codings (of o->coder
 * only when set; o may be NULL). Sources are named by their file name
 * without folders. ATTRS are the excerpts' attributes, one column per key,
 * keys sorted, the union over the project (a key that is also a column of
 * the table is written "attribute.KEY"; the refi_* keys a REFI-QDA import
 * keeps for the way back are left out):
 *   csv:           id,code,coder,origin,time,source,speaker,text,ATTRS,
 *                  one row per coding;
 *   matrix:        excerpt,source,speaker,<code>...,ATTRS with 0/1 cells;
 *   cooccurrence:  code,<code>... with the number of excerpts coded with
 *                  both (the diagonal: excerpts coded with the code);
 *   quotes:        code,name,theme,coder,study,participant,speaker,source,
 *                  excerpt,text,ATTRS, one row per code and excerpt coded
 *                  with it; theme is the parent code's name, coder the
 *                  coders who applied it ("; " between), text with every
 *                  run of line breaks joined into one space. */
QUARRY_API int quarry_project_export_csv(quarry_project *p, FILE *out,
                                         const quarry_export_options *o);
QUARRY_API int quarry_project_export_matrix(quarry_project *p, FILE *out,
                                            const quarry_export_options *o);
QUARRY_API int quarry_project_export_cooccurrence(
    quarry_project *p, FILE *out, const quarry_export_options *o);
QUARRY_API int quarry_project_export_quotes(quarry_project *p, FILE *out,
                                            const quarry_export_options *o);

/* Coded excerpts with no final coding yet: coders differ on them and
 * nobody settled them (quarry_export_options.final). */
QUARRY_API int quarry_project_count_unsettled(quarry_project *p,
                                              int64_t *n);

/* 0 when name is a coder of the project; QUARRY_ENOTFOUND with a message
 * listing the coders otherwise. */
QUARRY_API int quarry_project_check_coder(quarry_project *p,
                                          const char *name);

/* ------------------------------------------------------------------ */
/* Memos (project_memo.c)                                               */

/* A memo: on an excerpt (excerpt set), on a code (code set) or on the
 * project (neither), by a coder at a time. Nothing is deleted: editing a
 * memo adds a new version that names the one it revises; every version
 * stays and is listed. */
typedef struct quarry_memo {
    int64_t id;          /* listing: the memo's id; add: ignored */
    const char *excerpt; /* the excerpt's id, or NULL */
    const char *code;    /* the code's id, or NULL */
    const char *coder;   /* who wrote it (made a coder when new) */
    const char *time;    /* ISO 8601 UTC; add: NULL = now */
    const char *text;    /* never empty */
    int64_t revises;     /* the memo this is a new version of, or 0;
                            add: with neither excerpt nor code, the new
                            version goes on what that memo is on */
    const char *guid;    /* the REFI-QDA Note it came from, or NULL */
} quarry_memo;

#define QUARRY_MEMO_INIT {0, NULL, NULL, NULL, NULL, NULL, 0, NULL}

/* Add a memo (one transaction); *id (may be NULL) its id. Refused with
 * the message set: no coder or empty text (QUARRY_EINVAL), both an
 * excerpt and a code, an excerpt or code the project does not have or a
 * revised memo that is not there or is on something else
 * (QUARRY_ENOTFOUND). */
QUARRY_API int quarry_project_memo_add(quarry_project *p,
                                       const quarry_memo *m, int64_t *id);

/* Which memos a listing walks. */
typedef enum quarry_memo_scope {
    QUARRY_MEMOS_ALL = 0,   /* every memo */
    QUARRY_MEMOS_PROJECT,   /* the project's own */
    QUARRY_MEMOS_EXCERPT,   /* those on the excerpt named */
    QUARRY_MEMOS_CODE       /* those on the code named */
} quarry_memo_scope;

/* Call fn for each memo of the scope (name: the excerpt or code id), in
 * the order written. A non-zero return from fn stops the walk and is
 * returned. An excerpt or code the project lacks: QUARRY_ENOTFOUND. The
 * strings live until the walk returns. */
QUARRY_API int quarry_project_memos(quarry_project *p,
                                    quarry_memo_scope scope,
                                    const char *name,
                                    int (*fn)(void *ctx,
                                              const quarry_memo *m),
                                    void *ctx);

/* The memos of the scope as a file: JSONL (id, time, coder, on: project,
 * excerpt or code, excerpt, code, text, revises; absent fields left out)
 * or, with csv set, CSV with a header row of those columns. */
QUARRY_API int quarry_project_export_memos(quarry_project *p, FILE *out,
                                           quarry_memo_scope scope,
                                           const char *name, int csv);

/* The number of memos on an excerpt (every version), for a reviewer. */
QUARRY_API int quarry_project_memo_count(quarry_project *p,
                                         const char *excerpt, int64_t *n);

/* One stored suggestion of a run, for printing it. */
typedef struct quarry_run_suggestion {
    const char *excerpt;
    const char *speaker;
    const char *text;
    int32_t rank;     /* 1 = best */
    const char *code;
    const char *name; /* the code's name */
    double score, confidence;
    int abstain;          /* the excerpt abstained */
    const char *evidence; /* JSON: {"terms": [...], "neighbours": [...]} */
} quarry_run_suggestion;

/* Call fn for every suggestion of run (0 = the latest), by excerpt in
 * import order, then rank. A non-zero return from fn stops the walk and is
 * returned. */
QUARRY_API int quarry_project_run_suggestions(
    quarry_project *p, int64_t run,
    int (*fn)(void *ctx, const quarry_run_suggestion *s), void *ctx);

/* ------------------------------------------------------------------ */
/* Editing the codebook (project_codebook_edit.c)                       */

/* Add, rename, move, merge, define and delete codes. Each edit is one transaction and is
 * recorded (who, when, what, before and after) in the code history
 * (quarry_project_export_code_history); codes keep their ids, so a rename
 * or a move keeps every coding, decision, suggestion and memo.
 *
 *   add     e->name (required, not a sibling's name, letter case aside),
 *           e->parent (NULL: top level), e->definition (may be NULL),
 *           e->id (NULL: made from the name); a duplicate id is refused
 *           (QUARRY_EDUP)
 *   rename  e->code gets e->name (not empty, not a sibling's name)
 *   move    e->code goes under e->parent (NULL: top level); an unknown
 *           parent, the code itself or one of its descendants is refused
 *   merge   e->code goes into e->into: its codings become codings of
 *           e->into (a coder who had both keeps one), its children, memos,
 *           decisions and suggestions are re-pointed to e->into, and the
 *           code leaves the codebook; the history keeps which rows were
 *           re-pointed (the decision trail still names the code decided
 *           on) and every coding or pending suggestion taken away
 *   define  e->code's definition, include and exclude notes (version 2):
 *           each of e->definition, e->include, e->exclude that is not NULL
 *           replaces the field ("" empties it); NULL leaves it. Line
 *           breaks are kept. Recorded as op "edit", one row a field that
 *           changed (detail.field); a define that changes nothing records
 *           nothing
 *   delete  e->code leaves the codebook, with its pending suggestions
 *           (kept whole in the history), when nothing else is on it: a
 *           code with codings, decisions, memos or codes under it is
 *           refused, naming what is on it (merge it into another code
 *           instead); the history keeps the code's row
 *
 * A parent that gets its first child while it has codings is marked
 * codable, so its codings stay codings rather than a theme's. Refusals
 * leave the project as it was, with a message naming the code and the
 * field. For add, an empty parent, id or definition ("") counts as NULL;
 * for move an empty parent. *new_id
 * (may be NULL) gets the code the edit leaves standing (add: the new id;
 * merge: e->into), living until the next call on p. */
typedef enum quarry_code_op { QUARRY_CODE_ADD = 1, QUARRY_CODE_RENAME = 2, QUARRY_CODE_MOVE = 3, QUARRY_CODE_MERGE = 4, QUARRY_CODE_DEFINE = 5, QUARRY_CODE_DELETE = 6 } quarry_code_op;
typedef struct quarry_code_edit {
    uint32_t version;
    const char *coder;      /* required: who made the change */
    const char *code;       /* rename/move/merge: the code acted on (merge: the one that goes) */
    const char *name;       /* add, rename: the new name */
    const char *parent;     /* add, move: the parent's id; NULL = top level */
    const char *into;       /* merge: the code that stays */
    const char *definition; /* add: may be NULL; define: NULL leaves it */
    const char *id;         /* add: the new code's id; NULL = made from the name */
    const char *time;       /* NULL = now */
    /* version 2 */
    const char *include;    /* define: when to code it; NULL leaves it */
    const char *exclude;    /* define: when not to; NULL leaves it */
} quarry_code_edit;
#define QUARRY_CODE_EDIT_VERSION 2
#define QUARRY_CODE_EDIT_INIT {QUARRY_CODE_EDIT_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}
QUARRY_API int quarry_project_code_edit(quarry_project *p, quarry_code_op op, const quarry_code_edit *e, const char **new_id);
/* The id of the code given by its id or by its name (letter case aside;
 * a code imported from NVivo keeps its first name as its id after a
 * rename, so people name it): *id (living until the next call on p) is
 * given itself when it is an id, or NULL when no code has that id or
 * name. Two codes of that name: QUARRY_EINVAL, naming both. Edits and
 * decisions take names too. */
QUARRY_API int quarry_project_code_resolve(quarry_project *p,
                                           const char *given,
                                           const char **id);
/* The code history, every edit in order: id, time, coder, op (add,
 * rename, move, merge, delete, edit: another field set by define or by a
 * codebook import, detail.field naming it), code, before, after (add: the
 * name; rename: the names; move: the parents, empty for the top level;
 * merge: the code and the code it went into; delete: the name, and no
 * after; edit: the field's values) and detail (a JSON object: what else the edit
 * set or moved). JSONL, or CSV with a header row when csv is set. */
QUARRY_API int quarry_project_export_code_history(quarry_project *p, FILE *out, int csv);

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_PROJECT_H */
