/*
 * svg.h -- charts drawn as inline SVG: grouped horizontal bars, a
 * heatmap, intervals (dots with whiskers, in panels), a reliability
 * diagram and a chart that only says, in words, why there is nothing to
 * draw; written to a FILE as one <svg> element each, with a <title> and
 * a <desc> for screen readers. Shared by the
 * HTML report (report.c) and, later, the web workbench: the functions take
 * plain arrays (no project, no engine) and write well-formed XML with
 * every label escaped, no namespace URL, no script, no external reference
 * (no font, no image, no link), so the output can be pasted into an HTML
 * page or parsed on its own.
 *
 * Colours: the Okabe-Ito palette (told apart with the common colour
 * vision deficiencies, never red against green alone) for series, and a
 * one-hue blue ramp for heatmaps, with the number written in every
 * non-empty cell so the chart also reads printed in grey.
 */
#ifndef QUARRY_REPORT_SVG_H
#define QUARRY_REPORT_SVG_H

#include <stdint.h>
#include <stdio.h>

/* Bars: n_cats groups (rows, e.g. codes), each with one bar per series
 * (e.g. studies or coders, shown in the legend). values is n_cats x
 * n_series, row-major; negative values are drawn as 0. */
typedef struct quarry_svg_bars {
    const char *title; /* the chart's accessible name (<title>) */
    int32_t n_cats;
    const char *const *cats;
    int32_t n_series;
    const char *const *series;
    const double *values;
    const char *unit; /* the x axis: "excerpts" */
    const char *desc; /* what the chart shows, in a sentence (<desc>) */
} quarry_svg_bars;

/* Heatmap: n_rows x n_cols cells, row-major, shaded by value from 0 to the
 * largest value. cell_text (may be NULL) gives each cell's label instead
 * of its value; a NULL or "" label leaves the cell blank. */
typedef struct quarry_svg_heatmap {
    const char *title;
    int32_t n_rows, n_cols;
    const char *const *rows;
    const char *const *cols;
    const double *values;
    const char *const *cell_text;
    /* A square matrix whose diagonal is of another kind (co-occurrence:
     * a code with itself): the diagonal is drawn grey and left out of
     * the shading, so it does not wash out the other cells. */
    int plain_diagonal;
    const char *desc;
} quarry_svg_heatmap;

/* Intervals: n_rows rows (codes), each with one dot and whisker per
 * series (pairs of coders) in each of n_panels panels side by side
 * (kappa, alpha, AC1), on a common axis from lo_axis to hi_axis. value,
 * lo and hi are n_rows x n_series x n_panels, row-major; a NaN value is
 * written "n/a", a NaN bound draws no whisker. Series differ by colour
 * and by marker shape, so they read in grey. */
typedef struct quarry_svg_intervals {
    const char *title, *desc;
    int32_t n_rows;
    const char *const *rows;
    int32_t n_series;
    const char *const *series;
    int32_t n_panels;
    const char *const *panels;
    const double *value, *lo, *hi;
    double lo_axis, hi_axis;
} quarry_svg_intervals;

/* A reliability diagram: n_bins equal bins of confidence over [0, 1];
 * per bin the decisions in it (n), the right ones (right) and their mean
 * confidence (NaN when empty). Bars of observed accuracy against the
 * diagonal of perfect calibration, the count of each bin in a row under
 * the axis (as <text class="count">), and the expected calibration error
 * written on it. */
typedef struct quarry_svg_reliability {
    const char *title, *desc;
    int32_t n_bins;
    const int64_t *n, *right;
    const double *mean_conf;
    double ece;
} quarry_svg_reliability;

/* Write the chart; 0, or -1 when an argument is missing or a write
 * failed (ferror(f) tells which). */
int quarry_svg_bars_write(FILE *f, const quarry_svg_bars *b);
int quarry_svg_heatmap_write(FILE *f, const quarry_svg_heatmap *h);
int quarry_svg_intervals_write(FILE *f, const quarry_svg_intervals *v);
int quarry_svg_reliability_write(FILE *f, const quarry_svg_reliability *r);
/* A small chart that says, in words, why there is nothing to draw
 * (message, wrapped onto lines). */
int quarry_svg_message_write(FILE *f, const char *title,
                             const char *message);

/* s as XML/HTML text or attribute value: & < > " ' escaped, control
 * characters other than line feed and tab (not allowed in XML, or a
 * carriage return XML would fold) written as spaces. NULL writes
 * nothing. */
void quarry_xml_escape(FILE *f, const char *s);

/* The i-th series colour ("#0072B2"), cycling. */
const char *quarry_svg_color(int32_t i);

#endif
