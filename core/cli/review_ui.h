/*
 * review_ui.h -- the interactive screen of `quarry review`: one excerpt in
 * its context with the engine's ranked suggestions, decided with single
 * keys; every decision is one quarry_project_decide() call.
 */
#ifndef QUARRY_REVIEW_UI_H
#define QUARRY_REVIEW_UI_H

#include <stdint.h>

#include "quarry/quarry.h"
#include "review_term.h"

typedef struct review_stats {
    int64_t accepted, rejected, replaced, added, removed; /* decisions */
    int64_t undone;                              /* decisions undone */
    int64_t settled; /* excerpts settled (--order disagreements) */
    int64_t remaining; /* excerpts left in the coder's queue at the end */
    int64_t total;     /* excerpts with suggestions in the latest run (or,
                          settling, excerpts coders disagree on) */
} review_stats;

/* Run the review on an open terminal (term_open done; raw mode is entered
 * and left here). blind: no other coder's codes shown. settling: the
 * queue is p's disagreements
 * (QUARRY_REVIEW_DISAGREEMENTS) and the coder picks final codes. Returns a library status: QUARRY_OK when the coder quit
 * or the input ended, else the failure, its message in *why (static or
 * the project's message, valid until the next call on p). */
int review_interactive(quarry_project *p, const char *project_path,
                       const char *coder, int settling, int blind,
                       review_term *t, review_stats *st, const char **why);

#endif
