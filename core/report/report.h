/*
 * report.h -- a project as one self-contained HTML report (`quarry
 * report`): counts, the codebook with exemplar quotes, charts drawn as
 * inline SVG (svg.h), agreement between coders and how the suggestions
 * were made. The page needs no script, loads nothing (no URL, font or
 * image of any kind) and prints with a page break between sections.
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
    int32_t max_codes; /* codes in the co-occurrence heatmap (most used) */
} quarry_report_options;

#define QUARRY_REPORT_OPTIONS_INIT {NULL, NULL, 1000, 42, 40}

/* Write the report of p to out. e is the engine that reads the codebook
 * and builds the synthesis table. QUARRY_OK, or a status with the
 * message in err (errcap bytes). */
int quarry_report_write(quarry_project *p, quarry_engine *e, FILE *out,
                        const quarry_report_options *o, char *err,
                        size_t errcap);

#endif
