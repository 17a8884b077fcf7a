/*
 * report.c -- the HTML of `quarry report` (report.h): one page, sections
 * in the order a supervisor or a paper's supplement reads them (summary,
 * codebook with exemplar quotes, charts, agreement, how the suggestions
 * were made, candidate themes). The charts come from charts.h, the
 * functions quarry_report_chart draws one by name with. Everything the project holds is escaped on the way out;
 * the page has no script and no reference to anything outside itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "quarry/project_stats.h"
#include "report.h"

/* Overall agreement on fewer excerpts than this is flagged. */
#define REPORT_FEW_UNITS 10
#include "charts.h"
#include "report_data.h"
#include "svg.h"

#define esc quarry_xml_escape

static const char style[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Helvetica Neue\",Arial,sans-serif;color:#1b1b1b;max-width:60rem;"
    "margin:2rem auto;padding:0 1rem;line-height:1.45}\n"
    "h1{font-size:1.8rem;margin-bottom:.2rem}\n"
    "h2{font-size:1.35rem;border-bottom:2px solid #0072B2;"
    "padding-bottom:.2rem;margin-top:2.5rem}\n"
    "h3{font-size:1.1rem;margin-top:1.6rem}\n"
    ".meta{color:#444;margin-top:0}\n"
    "table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}\n"
    "th,td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;"
    "text-align:left}\n"
    "th{background:#eef3f8}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.theme td{background:#f4f4f4}\ntr.theme td:first-child{font-weight:600}\n"
    ".id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem;"
    "color:#555}\n"
    ".note{font-size:.88rem;margin:.3rem 0 0}\n"
    "blockquote{margin:.2rem 0 .5rem;padding-left:.6rem;"
    "border-left:3px solid #E69F00;font-size:.9rem}\n"
    ".cite{display:block;color:#555;font-size:.8rem;font-style:normal}\n"
    ".figure{margin:1rem 0}\n"
    ".caption{font-size:.88rem;color:#333;margin-top:.3rem}\n"
    "svg.chart{max-width:100%;height:auto}\n"
    "pre{background:#f6f6f6;padding:.5rem;font-size:.8rem;"
    "white-space:pre-wrap;word-break:break-all}\n"
    ".counts td{min-width:6rem}\n"
    "@page{margin:16mm}\n"
    "@media print{body{margin:0;max-width:none;font-size:10.5pt}"
    ".section{break-before:page;page-break-before:always}"
    "tr,blockquote,.figure{break-inside:avoid;page-break-inside:avoid}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    "th{background:#eee}}\n";

static void number_or_dash(FILE *f, double v, const char *fmt)
{
    if (isnan(v))
        fputs("&ndash;", f);
    else
        fprintf(f, fmt, v);
}

/* "0.71 [0.55, 0.84]" with dashes for undefined figures. */
static void figure_cell(FILE *f, double v, const double ci[2])
{
    fputs("<td class=\"n\">", f);
    number_or_dash(f, v, "%.2f");
    if (!isnan(ci[0]) && !isnan(ci[1]))
        fprintf(f, " <span class=\"id\">[%.2f,&nbsp;%.2f]</span>", ci[0],
                ci[1]);
    fputs("</td>", f);
}

/* At most max code points of s, escaped, an ellipsis when cut. */
static void esc_cut(FILE *f, const char *s, size_t max)
{
    size_t n = 0, i;
    char *cut;
    for (i = 0; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && n++ == max)
            break;
    if (s[i] == '\0') {
        esc(f, s);
        return;
    }
    cut = strndup(s, i);
    if (cut == NULL)
        return;
    esc(f, cut);
    fputs("&hellip;", f);
    free(cut);
}

static void write_summary(FILE *f, const report_data *d,
                          const quarry_report_options *o)
{
    const quarry_project_counts *c = &d->counts;
    fputs("<div class=\"summary\">\n<h1>", f);
    esc(f, o->title);
    fputs("</h1>\n<p class=\"meta\">Coding report", f);
    if (o->date != NULL) {
        fputs(", ", f);
        esc(f, o->date);
    }
    fprintf(f, ". Made by quarry %s from the project file.</p>\n",
            quarry_version());
    fprintf(f,
            "<table class=\"counts\"><tr><th>Sources</th><th>Excerpts</th>"
            "<th>Coders</th><th>Codes</th><th>Codings</th></tr>\n"
            "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
            "<td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
            "<td class=\"n\">%lld</td></tr></table>\n",
            (long long)c->sources, (long long)c->excerpts,
            (long long)c->coders, (long long)c->codes,
            (long long)c->codings);
    fprintf(f,
            "<p>%lld of the %lld excerpts are coded. Codings are the "
            "coders' own or suggestions a coder accepted; suggestions "
            "not decided are not counted anywhere in this report.</p>\n"
            "<p>Contents: 1. Codebook &middot; 2. Code frequencies "
            "&middot; 3. Co-occurrence &middot; 4. Themes by study, with "
            "the theme roll-up &middot; 5. Agreement between coders "
            "&middot; 6. How the suggestions were made &middot; 7. "
            "Candidate themes</p>\n</div>\n",
            (long long)c->coded_excerpts, (long long)c->excerpts);
}

static void write_quote(FILE *f, const report_quote *q)
{
    fputs("<blockquote>&ldquo;", f);
    esc_cut(f, q->text, 300);
    fputs("&rdquo;<span class=\"cite\">&mdash; ", f);
    if (q->participant != NULL) {
        esc(f, q->participant);
    } else {
        esc(f, q->excerpt);
    }
    if (q->study != NULL) {
        fputs(", study ", f);
        esc(f, q->study);
    }
    if (q->source != NULL) {
        fputs(", ", f);
        esc(f, q->source);
    }
    fputs("</span></blockquote>\n", f);
}

static void write_codebook(FILE *f, const report_data *d)
{
    int32_t i;
    fputs("<div class=\"section\" id=\"codebook\">\n<h2>1. Codebook</h2>\n",
          f);
    if (d->n_codes == 0) {
        fputs("<p>The project has no codes yet.</p>\n</div>\n", f);
        return;
    }
    fputs("<p>Codes in codebook order, themes shaded. Exemplar quotes are "
          "short excerpts coded with the code by a coder (up to two, "
          "cut at 300 characters).</p>\n"
          "<table class=\"codebook\"><tr><th>Code</th><th>Definition</th>"
          "<th class=\"n\">Codings</th><th class=\"n\">Excerpts</th>"
          "<th>Exemplar quotes</th></tr>\n",
          f);
    for (i = 0; i < d->n_codes; i++) {
        const report_code *c = &d->codes[i];
        int k;
        fprintf(f, "<tr%s><td style=\"padding-left:%.1frem\">",
                c->is_theme ? " class=\"theme\"" : "", 0.5 + c->depth * 1.0);
        esc(f, c->name);
        fputs("<br><span class=\"id\">", f);
        esc(f, c->id);
        fputs("</span></td><td>", f);
        if (c->definition != NULL)
            esc(f, c->definition);
        if (c->include != NULL) {
            fputs("<p class=\"note\"><b>Include:</b> ", f);
            esc(f, c->include);
            fputs("</p>", f);
        }
        if (c->exclude != NULL) {
            fputs("<p class=\"note\"><b>Exclude:</b> ", f);
            esc(f, c->exclude);
            fputs("</p>", f);
        }
        fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                   "<td>",
                (long long)c->n_codings, (long long)c->n_excerpts);
        for (k = 0; k < c->n_quotes; k++)
            write_quote(f, &c->quotes[k]);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</div>\n", f);
}

/* One chart of the page through the chart function the workbench calls
 * too: the SVG and its caption in a figure, or only the sentence saying
 * why there is nothing to draw. */
static int figure(FILE *f, report_ctx *c, report_chart_fn fn)
{
    char *svg = NULL, *cap = NULL;
    size_t svg_len = 0, cap_len = 0;
    FILE *sf = open_memstream(&svg, &svg_len);
    int rc = QUARRY_ENOMEM;
    c->cap = open_memstream(&cap, &cap_len);
    c->empty = 0;
    if (sf != NULL && c->cap != NULL)
        rc = fn(c, sf);
    if (sf != NULL && fclose(sf) != 0 && rc == QUARRY_OK)
        rc = QUARRY_ENOMEM;
    if (c->cap != NULL && fclose(c->cap) != 0 && rc == QUARRY_OK)
        rc = QUARRY_ENOMEM;
    c->cap = NULL;
    if (rc == QUARRY_OK) {
        if (c->empty)
            fprintf(f, "<p>%s</p>\n", cap ? cap : "");
        else
            fprintf(f,
                    "<div class=\"figure\">\n%s<p class=\"caption\">%s</p>"
                    "</div>\n",
                    svg ? svg : "", cap ? cap : "");
    }
    free(svg);
    free(cap);
    return rc;
}

static int write_frequencies(FILE *f, report_ctx *c)
{
    int rc;
    fputs("<div class=\"section\" id=\"frequencies\">\n"
          "<h2>2. Code frequencies</h2>\n<h3>By study</h3>\n",
          f);
    rc = figure(f, c, chart_freq_study);
    if (rc == QUARRY_OK) {
        fputs("<h3>By coder</h3>\n", f);
        rc = figure(f, c, chart_freq_coder);
    }
    fputs("</div>\n", f);
    return rc;
}

static int write_cooccurrence(FILE *f, report_ctx *c)
{
    int rc;
    fputs("<div class=\"section\" id=\"cooccurrence\">\n"
          "<h2>3. Code co-occurrence</h2>\n",
          f);
    rc = figure(f, c, chart_cooccurrence);
    fputs("</div>\n", f);
    return rc;
}

/* One row of the roll-up: the name indented by depth, the counts per
 * study and in all (row: the first count of the code in by_study). */
static void rollup_row(FILE *f, const report_data *d, int32_t i,
                       int32_t depth0, int tree)
{
    const report_code *k = &d->codes[i];
    int32_t j;
    fprintf(f, "<tr%s><td style=\"padding-left:%.1frem\">",
            k->is_theme ? " class=\"theme\"" : "",
            0.5 + (k->depth - depth0) * 1.0);
    esc(f, k->name);
    fputs("</td>", f);
    for (j = 0; j < d->n_studies; j++) {
        int64_t v = d->by_study[j][(tree ? d->n_codes : 0) + i];
        if (v > 0)
            fprintf(f, "<td class=\"n\">%lld</td>", (long long)v);
        else
            fputs("<td class=\"n\"></td>", f);
    }
    fprintf(f, "<td class=\"n\">%lld</td></tr>\n",
            (long long)(tree ? d->tree_total[i] : k->n_excerpts));
}

/* Per theme (a code with codes under it) its codes with their excerpts
 * per study; a theme's own row counts each excerpt coded with it or a
 * code under it once. */
static void write_rollup(FILE *f, const report_data *d)
{
    int32_t i, j, themes = 0, loose = 0;
    fputs("<h3 id=\"rollup\">Theme roll-up</h3>\n", f);
    for (i = 0; i < d->n_codes; i++) {
        themes += d->codes[i].depth == 0 && d->codes[i].is_theme;
        loose += d->codes[i].depth == 0 && !d->codes[i].is_theme;
    }
    if (themes == 0) {
        fputs("<p>The codebook has no themes (codes with codes under "
              "them), so there is nothing to roll up.</p>\n",
              f);
        return;
    }
    fputs("<p>Each theme with the codes under it: the excerpts coded with "
          "each code, per study and in all. A theme's own row (shaded) "
          "counts the excerpts coded with any of its codes, each "
          "once.</p>\n<table class=\"rollup\"><tr><th>Theme / code</th>",
          f);
    for (j = 0; j < d->n_studies; j++) {
        fputs("<th class=\"n\">", f);
        esc(f, d->studies[j]);
        fputs("</th>", f);
    }
    fputs("<th class=\"n\">All excerpts</th></tr>\n", f);
    for (i = 0; i < d->n_codes; i++) {
        if (d->codes[i].depth != 0 || !d->codes[i].is_theme)
            continue;
        rollup_row(f, d, i, 0, 1);
        for (j = i + 1; j < d->n_codes && d->codes[j].depth > 0; j++)
            rollup_row(f, d, j, 0, d->codes[j].is_theme);
    }
    if (loose > 0) {
        fprintf(f, "<tr class=\"theme\"><td>Codes under no theme</td>"
                   "<td colspan=\"%d\"></td></tr>\n",
                (int)d->n_studies + 1);
        for (i = 0; i < d->n_codes; i++)
            if (d->codes[i].depth == 0 && !d->codes[i].is_theme)
                rollup_row(f, d, i, -1, 0);
    }
    fputs("</table>\n", f);
}

static int write_synth(FILE *f, report_ctx *c)
{
    int rc;
    fputs("<div class=\"section\" id=\"synthesis\">\n"
          "<h2>4. Themes by study</h2>\n",
          f);
    rc = figure(f, c, chart_themes_by_study);
    if (rc == QUARRY_OK)
        write_rollup(f, c->d);
    fputs("</div>\n", f);
    return rc;
}

/* Is g about one of the pairs of coders in apart (overall figures that
 * rest on no excerpt: the two coded none in common)? */
static int pair_apart(const quarry_agree_figure *const *apart, size_t n,
                      const quarry_agree_figure *g)
{
    size_t i;
    if (g->n_coders != 2)
        return 0;
    for (i = 0; i < n; i++)
        if (strcmp(apart[i]->coders[0], g->coders[0]) == 0 &&
            strcmp(apart[i]->coders[1], g->coders[1]) == 0)
            return 1;
    return 0;
}

static int write_agreement(FILE *f, report_ctx *c)
{
    const report_data *d = c->d;
    const quarry_report_options *o = c->o;
    quarry_agreement *a = NULL;
    size_t i;
    const quarry_agree_figure **apart = NULL;
    size_t n_apart = 0;
    int rc, shown = 0;
    fputs("<div class=\"section\" id=\"agreement\">\n"
          "<h2>5. Agreement between coders</h2>\n",
          f);
    rc = report_agreement(c, &a);
    if (rc != QUARRY_OK)
        return rc;
    if (a == NULL) {
        fprintf(f,
                "<p>The project has %s coder%s, so there is no agreement "
                "between coders to report. Import a second coder's codings "
                "of the same excerpts to compare them.</p>\n",
                quarry_agree_table_n_coders(d->agree) == 0 ? "no" : "one",
                quarry_agree_table_n_coders(d->agree) == 0 ? "" : " only");
    } else {
        fprintf(f,
                "<p>Over the excerpts both coders of a pair coded. "
                "<b>Overall</b>: the code is the value (an excerpt a coder gave "
                "several codes is left out there); <b>per code</b>: whether the "
                "coder applied the code. &kappa;: Cohen's kappa; &alpha;: "
                "Krippendorff's alpha (nominal); AC1: Gwet's; PABAK: "
                "prevalence-adjusted kappa. AC1 and PABAK stay meaningful for a "
                "rare code, where kappa collapses although coders agree. In "
                "brackets: 95%% bootstrap interval (%d resamples of the "
                "excerpts, seed %llu). &ndash;: undefined (no variation).</p>\n"
                "<table class=\"agreement\"><tr><th>Scope</th><th>Coders</th>"
                "<th class=\"n\">Excerpts</th><th class=\"n\">Agree %%</th>"
                "<th class=\"n\">&kappa;</th><th class=\"n\">&alpha;</th>"
                "<th class=\"n\">AC1</th><th class=\"n\">PABAK</th></tr>\n",
                (int)o->bootstrap, (unsigned long long)o->seed);
        apart = calloc(quarry_agreement_size(a) + 1, sizeof *apart);
        if (apart == NULL)
            return QUARRY_ENOMEM; /* a is the context's, freed with it */
        for (i = 0; i < quarry_agreement_size(a); i++) {
            const quarry_agree_figure *g = quarry_agreement_at(a, i);
            if (g->scope == NULL && g->n_coders == 2 &&
                g->units + g->excluded == 0)
                apart[n_apart++] = g;
        }
        for (i = 0; i < quarry_agreement_size(a); i++) {
            const quarry_agree_figure *g = quarry_agreement_at(a, i);
            int32_t k;
            int32_t ci = g->scope ? report_code_find(d, g->scope) : -1;
            if (pair_apart(apart, n_apart, g))
                continue; /* listed once under the table */
            shown++;
            fputs("<tr><td>", f);
            if (g->scope == NULL) {
                fputs("<b>Overall</b>", f);
            } else {
                esc(f, ci >= 0 ? d->codes[ci].name : g->scope);
                fputs(" <span class=\"id\">", f);
                esc(f, g->scope);
                fputs("</span>", f);
            }
            fputs("</td><td>", f);
            for (k = 0; k < g->n_coders; k++) {
                if (k > 0)
                    fputs(g->n_coders > 2 ? ", " : " &amp; ", f);
                esc(f, g->coders[k]);
            }
            fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"n\">",
                    (long long)g->units);
            number_or_dash(f, g->percent, "%.1f");
            fputs("</td>", f);
            figure_cell(f, g->kappa, g->kappa_ci);
            figure_cell(f, g->alpha, g->alpha_ci);
            figure_cell(f, g->ac1, g->ac1_ci);
            figure_cell(f, g->pabak, g->pabak_ci);
            fputs("</tr>\n", f);
        }
        if (shown == 0)
            fputs("<tr><td colspan=\"8\">No two coders coded an excerpt "
                  "in common.</td></tr>\n",
                  f);
        fputs("</table>\n", f);
        if (n_apart > 0) {
            fprintf(f, "<p>Left out: %zu pair%s of coders "
                       "who coded no excerpt in common (nothing to compare): ",
                    n_apart, n_apart == 1 ? "" : "s");
            for (i = 0; i < n_apart; i++) {
                fputs(i ? "; " : "", f);
                esc(f, apart[i]->coders[0]);
                fputs(" &amp; ", f);
                esc(f, apart[i]->coders[1]);
            }
            fputs(".</p>\n", f);
        }
        free(apart);
        {
            /* Excerpts one coder of a pair coded and the other did not:
             * in no figure, and easily mistaken for agreement. */
            int one = 0;
            for (i = 0; i < quarry_agreement_size(a); i++) {
                const quarry_agree_figure *g = quarry_agreement_at(a, i);
                int32_t k;
                if (g->scope != NULL || g->n_coders != 2 ||
                    g->only[0] + g->only[1] == 0)
                    continue;
                fputs(one++ ? "; " : "<p>Not in any figure: excerpts only "
                                     "one coder of a pair coded (not "
                                     "coding an excerpt is not counted as "
                                     "giving it no code): ",
                      f);
                for (k = 0; k < 2; k++)
                    if (g->only[k] > 0) {
                        fprintf(f, "%s%lld coded by ",
                                k && g->only[0] ? ", " : "",
                                (long long)g->only[k]);
                        esc(f, g->coders[k]);
                        fputs(" and not by ", f);
                        esc(f, g->coders[1 - k]);
                    }
            }
            if (one)
                fputs(".</p>\n", f);
        }
        {
            /* Overall figures that rest on a handful of excerpts. */
            int few = 0;
            for (i = 0; i < quarry_agreement_size(a); i++) {
                const quarry_agree_figure *g = quarry_agreement_at(a, i);
                int32_t k;
                if (g->scope != NULL || g->units <= 0 ||
                    g->units >= REPORT_FEW_UNITS)
                    continue;
                fputs(few++ ? "; " : "<p>On fewer than 10 excerpts in "
                                     "common, read with care (a few more "
                                     "could change them a lot): ",
                      f);
                for (k = 0; k < g->n_coders; k++) {
                    if (k > 0)
                        fputs(g->n_coders > 2 ? ", " : " &amp; ", f);
                    esc(f, g->coders[k]);
                }
                fprintf(f, " (%lld)", (long long)g->units);
            }
            if (few)
                fputs(".</p>\n", f);
        }
    }
    fputs("<h3>Per code</h3>\n", f);
    rc = figure(f, c, chart_agreement);
    fputs("</div>\n", f);
    return rc;
}

/* A JSON text pretty-printed (as stored when it does not parse). */
static void json_pre(FILE *f, const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                     JSON_REAL_PRECISION(10)) : NULL;
    fputs("<pre>", f);
    esc(f, s ? s : text ? text : "");
    fputs("</pre>", f);
    free(s);
    json_decref(j);
}

/* A time the project keeps (ISO 8601 UTC) as people read it, in UTC since
 * the report goes to readers anywhere: "31 January 2026, 12:00 UTC", the
 * exact time in the element's datetime. Unreadable: as it is. */
static void when(FILE *f, const char *iso)
{
    static const char *const month[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int y, mo, d, h, mi, n = 0;
    if (iso == NULL) {
        fputs("-", f);
        return;
    }
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
        n != 16 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59) {
        esc(f, iso);
        return;
    }
    fputs("<time datetime=\"", f);
    esc(f, iso);
    fprintf(f, "\">%d %s %d, %02d:%02d UTC</time>", d, month[mo - 1], y, h,
            mi);
}

/* One row of the run's table: the label, the words escaped. */
static int method_row(void *ctx, const char *label, const char *text)
{
    FILE *f = ctx;
    fputs("<tr><th>", f);
    esc(f, label);
    fputs("</th><td>", f);
    esc(f, text);
    fputs("</td></tr>\n", f);
    return 0;
}

static int write_method(FILE *f, report_ctx *c)
{
    quarry_run_record r;
    int rc = quarry_project_latest_run(c->p, &r);
    fputs("<div class=\"section\" id=\"method\">\n"
          "<h2>6. How the suggestions were made</h2>\n",
          f);
    if (rc != QUARRY_OK) {
        snprintf(c->err, c->errcap, "%s", quarry_project_errmsg(c->p));
        return rc;
    }
    if (r.run == 0) {
        fputs("<p>quarry made no suggestions in this project: every "
              "coding was made by a coder.</p>\n</div>\n",
              f);
        return QUARRY_OK; /* nothing to calibrate either */
    }
    fprintf(f,
            "<p>quarry proposes codes; a person decides. Each suggestion "
            "became a coding only when a named coder accepted it. The "
            "latest run (run %lld) learnt from the coded excerpts and "
            "suggested codes for the others:</p>\n<table class=\"run\">",
            (long long)r.run);
    fputs("<tr><th>Started</th><td>", f);
    when(f, r.started_at);
    fprintf(f, "</td></tr>\n<tr><th>Time</th><td>%.2f s</td></tr>\n",
            r.seconds);
    fputs("<tr><th>quarry version</th><td>", f);
    esc(f, r.quarry_version);
    fputs("</td></tr>\n<tr><th>Command</th><td class=\"id\">", f);
    if (r.command == NULL) {
        esc(f, "(not kept)");
    } else {
        char *cmd = quarry_run_command_shown(r.command);
        esc(f, cmd ? cmd : "");
        free(cmd);
    }
    fprintf(f,
            "</td></tr>\n<tr><th>Learnt from</th><td>%lld coded "
            "excerpts</td></tr>\n<tr><th>Suggested for</th><td>%lld "
            "excerpts (%lld suggestions stored; abstained on %lld)</td>"
            "</tr>\n",
            (long long)r.n_train, (long long)r.n_input,
            (long long)r.suggestions, (long long)r.abstained);
    fputs("<tr><th>SHA-256 of the training excerpts</th><td class=\"id\">",
          f);
    esc(f, r.train_sha256 ? r.train_sha256 : "-");
    fputs("</td></tr>\n<tr><th>SHA-256 of the excerpts suggested for</th>"
          "<td class=\"id\">",
          f);
    esc(f, r.input_sha256 ? r.input_sha256 : "-");
    fputs("</td></tr>\n", f);
    rc = quarry_report_method(r.plugins, r.options, method_row, f);
    if (rc != QUARRY_OK) {
        snprintf(c->err, c->errcap, "out of memory");
        return rc;
    }
    fputs("</table>\n<details><summary>Plugins and options as stored "
          "(JSON)</summary>\n<h3>Plugins</h3>\n",
          f);
    json_pre(f, r.plugins);
    fputs("\n<h3>Options</h3>\n", f);
    {
        char *opts = quarry_run_options_shown(r.options);
        json_pre(f, opts ? opts : r.options);
        free(opts);
    }
    fputs("\n</details>\n<p>The same plugins and options on the same "
          "excerpts (same hashes) give the same suggestions.</p>\n"
          "<h3>How far its confidence can be trusted</h3>\n",
          f);
    rc = figure(f, c, chart_reliability);
    fputs("</div>\n", f);
    return rc;
}

static int write_themes(FILE *f, report_ctx *c)
{
    int rc;
    fputs("<div class=\"section\" id=\"themes\">\n"
          "<h2>7. Candidate themes</h2>\n",
          f);
    rc = figure(f, c, chart_themes);
    fputs("</div>\n", f);
    return rc;
}

int quarry_report_write(quarry_project *p, quarry_engine *e, FILE *out,
                        const quarry_report_options *o, char *err,
                        size_t errcap)
{
    report_data d;
    report_ctx c;
    int rc;

    err[0] = '\0';
    memset(&c, 0, sizeof c);
    rc = report_data_load(&d, p, err, errcap);
    if (rc != QUARRY_OK)
        goto out;
    c.p = p;
    c.e = e;
    c.o = o;
    c.d = &d;
    c.err = err;
    c.errcap = errcap;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\">\n<title>",
          out);
    esc(out, o->title);
    fputs(" &ndash; coding report</title>\n", out);
    fprintf(out, "<meta name=\"generator\" content=\"quarry %s\">\n",
            quarry_version());
    fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n", style);
    write_summary(out, &d, o);
    write_codebook(out, &d);
    if ((rc = write_frequencies(out, &c)) != QUARRY_OK ||
        (rc = write_cooccurrence(out, &c)) != QUARRY_OK ||
        (rc = write_synth(out, &c)) != QUARRY_OK ||
        (rc = write_agreement(out, &c)) != QUARRY_OK ||
        (rc = write_method(out, &c)) != QUARRY_OK ||
        (rc = write_themes(out, &c)) != QUARRY_OK)
        goto out;
    fputs("</body>\n</html>\n", out);
    if (ferror(out))
        rc = QUARRY_EIO;
out:
    if (rc != QUARRY_OK && err[0] == '\0')
        snprintf(err, errcap, "%s",
                 rc == QUARRY_ENOMEM ? "out of memory"
                                     : "cannot write the report");
    quarry_agreement_free(c.agree);
    report_data_free(&d);
    return rc;
}
