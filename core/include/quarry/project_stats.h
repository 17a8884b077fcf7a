/*
 * quarry/project_stats.h -- read-only facts about a project that reports
 * show: the latest suggest run as it was stored (plugins, options, hashes
 * of what it read, timing), and the suggestions coders decided on with
 * the engine's confidence in each (for a reliability diagram). Nothing
 * here writes to the project.
 * Not included by quarry/quarry.h; include it beside quarry/project.h.
 */
#ifndef QUARRY_PROJECT_STATS_H
#define QUARRY_PROJECT_STATS_H

#include "project.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One stored run. Strings may be NULL (a column left empty); they live
 * until the next call on the project. */
typedef struct quarry_run_record {
    int64_t run;            /* its id; 0 when the project has no run */
    const char *command;    /* the command line kept with it */
    const char *started_at; /* ISO 8601 UTC */
    double seconds;         /* wall time of the run */
    const char *quarry_version;
    const char *plugins;    /* JSON: the plugins with their versions */
    const char *options;    /* JSON: the options the plugins ran with */
    const char *train_sha256, *input_sha256; /* hashes of what it read */
    int64_t n_train, n_input;                /* excerpts learnt from, for */
    int64_t suggestions;    /* suggestions stored */
    int64_t abstained;      /* excerpts it abstained on */
} quarry_run_record;

/* The latest run (the highest id) into *out; out->run is 0 when the
 * project has none (not an error). */
QUARRY_API int quarry_project_latest_run(quarry_project *p,
                                         quarry_run_record *out);

/* What a run shows and shares: its command line, and its options (the
 * JSON of quarry_run_record.options), with every word or string that
 * names a path cut to its last part ("quarry suggest
 * /home/ana/study.quarry" -> "quarry suggest study.quarry"), so a report,
 * the web page or an export names no folder of the machine. malloc'ed
 * (free() it); NULL when out of memory. Options that name no path keep
 * their bytes; text that is not JSON is cut as a command line. */
QUARRY_API char *quarry_run_command_shown(const char *command);
QUARRY_API char *quarry_run_options_shown(const char *options);

/* One decision a coder took on a stored suggestion. Strings live until
 * the walk returns. */
typedef struct quarry_decided_suggestion {
    const char *excerpt;  /* the excerpt's id */
    const char *code;     /* the suggested code */
    const char *coder;    /* who decided */
    const char *verdict;  /* "accept", "reject" or "replace" */
    const char *batch;    /* the batch it came from, or NULL (by hand) */
    int64_t run;          /* the run that made the suggestion */
    int32_t rank;         /* 1 = the excerpt's best suggestion of its run */
    double confidence;    /* the engine's confidence in it */
} quarry_decided_suggestion;

/* Call fn for every accept, reject and replace decision that has not
 * been undone, in the order taken, with the suggestion it was about. A
 * non-zero return from fn stops the walk and is returned. */
QUARRY_API int quarry_project_decided_suggestions(
    quarry_project *p,
    int (*fn)(void *ctx, const quarry_decided_suggestion *d), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_PROJECT_STATS_H */
