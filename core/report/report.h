/*
 * report.h -- a project as one self-contained HTML report (`quarry
 * report`): counts, the codebook with exemplar quotes, charts drawn as
 * inline SVG (svg.h), agreement between coders and how the suggestions
 * were made. The page needs no script, loads nothing (no URL, font or
 * image of any kind) and prints with a page break between sections.
 *
 * Each chart can also be drawn on its own by name (quarry_report_chart),
 * as the web workbench does: the report draws its charts through the
 * same function, so the two never differ.
 *
 * Reads the project through the public API only; never prints, never
 * exits: the HTML goes to the FILE given, a failure comes back as a
 * quarry status with its message in err.
 */
#ifndef QUARRY_REPORT_H
#define QUARRY_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "quarry/quarry.h"

typedef struct quarry_report_options {
    const char *title; /* the project's name, shown as the title */
    const char *date;  /* the report's date ("2026-12-06") */
    int32_t bootstrap; /* resamples for the agreement intervals */
    uint64_t seed;     /* of the resamples */
    int32_t max_codes; /* codes in the co-occurrence heatmap and the
                          agreement chart (most used) */
    /* Candidate themes (the "themes" chart): how many (0: chosen from
     * the number of excerpts, 2 to 8), and at most how many excerpts are
     * clustered (an even sample of the others, so a big project stays
     * quick; 0: all). */
    int32_t themes_k;
    int32_t themes_max_excerpts;
} quarry_report_options;

#define QUARRY_REPORT_OPTIONS_INIT {NULL, NULL, 1000, 42, 40, 0, 5000}

typedef struct quarry_report_chart_info {
    const char *name, *title;
} quarry_report_chart_info;

/* The charts, in page order; *n gets their number: frequencies-by-study,
 * frequencies-by-coder, cooccurrence, themes-by-study, agreement,
 * reliability, themes. */
const quarry_report_chart_info *quarry_report_charts(size_t *n);

/* Draw one chart of p, by name, as one <svg> element (well-formed XML,
 * nothing external) to out: the report's own chart, with the SVG
 * namespace declared so that it is also an SVG file on its own. A chart with nothing to show (no second
 * coder, no run, no decision) is a small SVG saying so in words.
 * QUARRY_ENOTFOUND (with the names in err) for an unknown name; another
 * status with the message in err when the project cannot be read. */
int quarry_report_chart(quarry_project *p, quarry_engine *e,
                        const char *name, FILE *out,
                        const quarry_report_options *o, char *err,
                        size_t errcap);

/* Write the report of p to out. e is the engine that reads the codebook
 * and builds the synthesis table. QUARRY_OK, or a status with the
 * message in err (errcap bytes). */
int quarry_report_write(quarry_project *p, quarry_engine *e, FILE *out,
                        const quarry_report_options *o, char *err,
                        size_t errcap);

/* How a run made its suggestions, in words: plugins and options (the
 * JSON a quarry_run_record holds) as rows of a label ("Plugins",
 * "Words", "Scores", "Suggestions", "Seed") and a sentence, in that
 * order, each handed to fn (a row the JSON says nothing for is left
 * out). The report's "How the suggestions were made" and the web page's
 * Runs view both say it so. 0, fn's non-zero status (which stops the
 * rows), or QUARRY_ENOMEM. */
typedef int (*quarry_report_method_fn)(void *ctx, const char *label,
                                       const char *text);
int quarry_report_method(const char *plugins, const char *options,
                         quarry_report_method_fn fn, void *ctx);

#endif
