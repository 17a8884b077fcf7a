/*
 * svg.h -- charts drawn as inline SVG: grouped horizontal bars and a
 * heatmap, written to a FILE as one <svg> element each. Shared by the
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
} quarry_svg_heatmap;

/* Write the chart; 0, or -1 when an argument is missing or a write
 * failed (ferror(f) tells which). */
int quarry_svg_bars_write(FILE *f, const quarry_svg_bars *b);
int quarry_svg_heatmap_write(FILE *f, const quarry_svg_heatmap *h);

/* s as XML/HTML text or attribute value: & < > " ' escaped, control
 * characters other than line feed and tab (not allowed in XML, or a
 * carriage return XML would fold) written as spaces. NULL writes
 * nothing. */
void quarry_xml_escape(FILE *f, const char *s);

/* The i-th series colour ("#0072B2"), cycling. */
const char *quarry_svg_color(int32_t i);

#endif
