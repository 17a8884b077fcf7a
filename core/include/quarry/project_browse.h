/*
 * quarry/project_browse.h -- read-only views of a project for a page that
 * browses it (the workbench, `quarry serve`): excerpts filtered and
 * paginated in SQL, facet counts, every coding of one excerpt, the
 * codebook's notes, the stored runs, the excerpts coders disagree on; and
 * quarry_project_share, which readies an open project for writers in
 * other processes at the same time.
 * Not included by quarry/quarry.h; include it beside quarry/project.h.
 *
 * The walks call fn once per row; the strings they hand out live until fn
 * returns. A non-zero return from fn stops the walk and is returned.
 */
#ifndef QUARRY_PROJECT_BROWSE_H
#define QUARRY_PROJECT_BROWSE_H

#include "project.h"
#include "project_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Share p with other processes writing to the same file (two coders'
 * servers on one project): on = 1 switches the file to SQLite's
 * write-ahead log (readers never wait for a writer; every write is still
 * one transaction committed before the call returns) and adds the indexes
 * the browsing calls below use (CREATE INDEX IF NOT EXISTS, one
 * transaction; the schema version is unchanged and an older quarry reads
 * the file as before). on = 0 puts the file back to the rollback journal
 * a project has otherwise, when no other process has it open (it stays in
 * WAL mode for the last one to close; not an error). Needs a read-write
 * handle. */
QUARRY_API int quarry_project_share(quarry_project *p, int on);

/* Copy what the write-ahead log holds into the project file itself, as
 * far as no reader of another connection holds it back (a passive
 * checkpoint: it never waits), so that a copy of the file alone has
 * every change made so far. Nothing to do outside WAL mode. */
QUARRY_API int quarry_project_checkpoint(quarry_project *p);

/* One coding of an excerpt, for listing. */
typedef struct quarry_coding_view {
    const char *code;
    const char *name;   /* the code's name (may be NULL) */
    const char *coder;
    const char *origin; /* manual, accepted-suggestion, imported */
    const char *time;
    /* The passage coded, code points [span_start, span_end) of the
     * excerpt's text (quarry_decision); span_end 0: the whole excerpt. */
    int64_t span_start, span_end;
    const char *passage; /* those characters; NULL for the whole */
} quarry_coding_view;

/* Which excerpts quarry_project_browse lists: every field NULL matches
 * everything; set ones must all hold. */
typedef struct quarry_browse_filter {
    uint32_t version;
    const char *code;        /* coded with this code or one under it (a
                                theme: its codes), by coder when set */
    const char *source;      /* from this source (its file name, no folders) */
    const char *participant; /* attribute "participant" */
    const char *study;       /* attribute "study" */
    const char *coder;       /* coded by this coder */
    const char *speaker;
    const char *q;           /* a substring of the text, in any case
                                and with or without accents ("cafe"
                                finds "CAFÉ"); ' and " find Word's curly
                                ones */
    int64_t offset;          /* rows skipped, >= 0 */
    int32_t limit;           /* rows at most, 1..500 */
} quarry_browse_filter;

#define QUARRY_BROWSE_FILTER_VERSION 1
#define QUARRY_BROWSE_LIMIT_MAX 500
#define QUARRY_BROWSE_FILTER_INIT                                           \
    {QUARRY_BROWSE_FILTER_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
     0, 50}

typedef struct quarry_browse_row {
    const char *excerpt;
    const char *source;      /* file name without folders */
    const char *speaker;     /* may be NULL */
    const char *participant; /* may be NULL */
    const char *study;       /* may be NULL */
    int64_t line;            /* 0 when unknown */
    const char *text;
    int32_t n_codings;       /* every coder's, in codebook order */
    const quarry_coding_view *codings;
    int64_t memos;           /* memos on the excerpt (every version) */
} quarry_browse_row;

/* The excerpts f selects, in import order, from f->offset on, at most
 * f->limit of them, one call of fn each; *total (may be NULL) gets how
 * many f selects in all. A bad limit or offset: QUARRY_ERANGE naming the
 * field. */
QUARRY_API int quarry_project_browse(
    quarry_project *p, const quarry_browse_filter *f, int64_t *total,
    int (*fn)(void *ctx, const quarry_browse_row *r), void *ctx);

/* The values to filter on with their number of excerpts: fn is called
 * with facet "sources", "participants", "studies", "coders" (excerpts the
 * coder coded), "codes" (excerpts coded with it or a code under it, any
 * coder: what filtering on it finds; its id as name) and "speakers" (as the turns name them), in that order; codes in
 * codebook order, the others by name. */
QUARRY_API int quarry_project_facets(
    quarry_project *p,
    int (*fn)(void *ctx, const char *facet, const char *name, int64_t n),
    void *ctx);

/* Every coding of one excerpt, any coder, in codebook order then by
 * coder. An excerpt the project lacks: QUARRY_ENOTFOUND. */
QUARRY_API int quarry_project_excerpt_codings(
    quarry_project *p, const char *excerpt,
    int (*fn)(void *ctx, const quarry_coding_view *c), void *ctx);

/* The text of one excerpt into *text (living until the next call on p);
 * an excerpt the project lacks: QUARRY_ENOTFOUND. */
QUARRY_API int quarry_project_excerpt_text(quarry_project *p,
                                           const char *excerpt,
                                           const char **text);
/* The same for a passage of it: code points [start, end) of its text
 * (as a coding's span_start and span_end; the part inside the text when
 * it runs past the end). start < 0: the whole text. */
QUARRY_API int quarry_project_passage_text(quarry_project *p,
                                           const char *excerpt,
                                           int64_t start, int64_t end,
                                           const char **text);

/* The notes of a code quarry_project_codes does not list. */
typedef struct quarry_code_notes {
    const char *code;
    const char *include;  /* when to apply it; may be NULL */
    const char *exclude;  /* when not to; may be NULL */
    const char *keywords; /* JSON array of strings */
} quarry_code_notes;

/* Every code's notes, in codebook order. */
QUARRY_API int quarry_project_code_notes(
    quarry_project *p, int (*fn)(void *ctx, const quarry_code_notes *n),
    void *ctx);

/* The names of the project's coders (persons, not the engine), sorted;
 * quarry_overview.coders counts them. */
QUARRY_API int quarry_project_coders(quarry_project *p,
                                     int (*fn)(void *ctx, const char *name),
                                     void *ctx);

/* What a page's header shows, counted without walking the suggestions
 * (quarry_project_count also counts the pending excerpts, which reads
 * every suggestion of the latest run). */
typedef struct quarry_overview {
    int64_t excerpts, coded_excerpts, codes, coders, codings, runs, memos;
} quarry_overview;

QUARRY_API int quarry_project_overview(quarry_project *p,
                                       quarry_overview *out);

/* Every stored suggest run, newest first (project_runs.c); each run's
 * counts are read when fn is called for it, so stopping after the first
 * reads only the latest run's. */
QUARRY_API int quarry_project_runs(
    quarry_project *p, int (*fn)(void *ctx, const quarry_run_record *r),
    void *ctx);

/* Excerpts coded by two coders or more who did not give it the same
 * codes, in import order: from offset on, at most limit (1..500) of them;
 * *total (may be NULL) gets how many there are. The codings of each come
 * from quarry_project_excerpt_codings. */
QUARRY_API int quarry_project_disagreements(
    quarry_project *p, int64_t offset, int32_t limit, int64_t *total,
    int (*fn)(void *ctx, const char *excerpt, const char *text), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_PROJECT_BROWSE_H */
