/*
 * svg_util.h -- what the chart writers of core/report share (svg.c,
 * svg_plots.c): label lengths, escaping with a cut, numbers, and the
 * <svg> element's opening with its accessible name and description.
 * Internal to core/report.
 */
#ifndef QUARRY_REPORT_SVG_UTIL_H
#define QUARRY_REPORT_SVG_UTIL_H

#include <stddef.h>
#include <stdio.h>

#define SVG_FONT "font-family=\"sans-serif\""
#define SVG_CHAR_W 6.4   /* px per character at 12 px, a generous average */
#define SVG_LABEL_MAX 36 /* characters of a label before it is cut */

/* Code points in s (UTF-8). */
size_t svg_cp_len(const char *s);
/* Escape at most max code points of s, an ellipsis when cut. */
void svg_escape_n(FILE *f, const char *s, size_t max);
/* A label cut to SVG_LABEL_MAX, with its whole text as a tooltip. */
void svg_label(FILE *f, const char *s, double x, double y, const char *attrs);
/* An integer without decimals, anything else with two. */
void svg_number(FILE *f, double v);
/* <svg ...> with role="img", aria-label, <title> and (when desc is not
 * NULL) <desc>. */
void svg_open(FILE *f, double w, double h, const char *title,
              const char *desc);

#endif
