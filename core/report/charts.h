/*
 * charts.h -- the report's charts by name (charts.c), shared by the HTML
 * report (report.c) and quarry_report_chart (the web workbench). Each
 * chart writes exactly one <svg> element and, for the report, a caption
 * (HTML, everything from the project escaped); a chart with nothing to
 * show writes a small SVG saying why and sets `empty`, and the report
 * then prints that sentence instead of a figure. Internal to core/report.
 */
#ifndef QUARRY_REPORT_CHARTS_H
#define QUARRY_REPORT_CHARTS_H

#include <stdio.h>

#include "report.h"
#include "report_data.h"

typedef struct report_ctx {
    quarry_project *p;
    quarry_engine *e;
    const quarry_report_options *o;
    report_data *d; /* gathered once by the caller */
    char *err;
    size_t errcap;
    /* The human coders' agreement, computed once for the table and the
     * chart (NULL until asked; `agree_done` once tried). */
    quarry_agreement *agree;
    int agree_done;
    /* Set by the chart being drawn. */
    FILE *cap; /* its caption goes here (NULL: not wanted) */
    int empty; /* it drew only a message */
} report_ctx;

typedef int (*report_chart_fn)(report_ctx *c, FILE *f);

/* The chart's function by name, or NULL. */
report_chart_fn report_chart_find(const char *name);

/* Caption text (printf-like, not escaped) and escaped text. */
void report_cap(report_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void report_cap_esc(report_ctx *c, const char *s);
/* Nothing to draw: the message as a small SVG and as the caption. */
int report_chart_empty(report_ctx *c, FILE *f, const char *title,
                       const char *message);
/* The human coders' agreement (cached on c); *a NULL with QUARRY_OK when
 * there are fewer than two coders. */
int report_agreement(report_ctx *c, quarry_agreement **a);
/* The used codes in codebook order (at most max, the most used kept; 0:
 * all); *n their number. NULL when out of memory. */
int32_t *report_used_codes(const report_data *d, int32_t max, int32_t *n);

/* The charts (charts.c, chart_agree.c, chart_calib.c, chart_themes.c). */
int chart_freq_study(report_ctx *c, FILE *f);
int chart_freq_coder(report_ctx *c, FILE *f);
int chart_cooccurrence(report_ctx *c, FILE *f);
int chart_themes_by_study(report_ctx *c, FILE *f);
int chart_agreement(report_ctx *c, FILE *f);
int chart_reliability(report_ctx *c, FILE *f);
int chart_themes(report_ctx *c, FILE *f);

#endif
