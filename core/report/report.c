/*
 * report.c -- the HTML of `quarry report` (report.h): one page, sections
 * in the order a supervisor or a paper's supplement reads them (summary,
 * codebook with exemplar quotes, charts, agreement, how the suggestions
 * were made). Everything the project holds is escaped on the way out;
 * the page has no script and no reference to anything outside itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "quarry/project_stats.h"
#include "report.h"
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
            "&middot; 3. Co-occurrence &middot; 4. Themes by study "
            "&middot; 5. Agreement between coders &middot; 6. How the "
            "suggestions were made</p>\n</div>\n",
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

/* The codes that carry codings, in codebook order (at most max, the most
 * used kept). *n gets how many. */
static int32_t *used_codes(const report_data *d, int32_t max, int32_t *n)
{
    int32_t *v = malloc(sizeof *v * ((size_t)d->n_codes + 1)), i, k = 0;
    if (v == NULL)
        return NULL;
    for (i = 0; i < d->n_codes; i++)
        if (d->codes[i].n_codings > 0)
            v[k++] = i;
    while (max > 0 && k > max) {
        /* Drop the least used (the last of them on a tie). */
        int32_t worst = 0, j;
        for (j = 1; j < k; j++)
            if (d->codes[v[j]].n_excerpts <= d->codes[v[worst]].n_excerpts)
                worst = j;
        memmove(v + worst, v + worst + 1, sizeof *v * (size_t)(k - worst - 1));
        k--;
    }
    *n = k;
    return v;
}

/* Bars of the used codes against rows of counts (studies or coders). */
static int bars(FILE *f, const report_data *d, const int32_t *codes,
                int32_t n, char **series, int64_t **rows, int32_t ns,
                const char *title, const char *unit)
{
    const char **cats = malloc(sizeof *cats * ((size_t)n + 1));
    double *values = malloc(sizeof *values * ((size_t)n * ns + 1));
    quarry_svg_bars b = {title, n, cats, ns, (const char *const *)series,
                         values, unit};
    int32_t i, j, rc = -1;
    if (cats != NULL && values != NULL) {
        for (i = 0; i < n; i++) {
            cats[i] = d->codes[codes[i]].name;
            for (j = 0; j < ns; j++)
                values[(size_t)i * ns + j] = (double)rows[j][codes[i]];
        }
        fputs("<div class=\"figure\">\n", f);
        rc = quarry_svg_bars_write(f, &b);
    }
    free(cats);
    free(values);
    return rc;
}

static int write_frequencies(FILE *f, const report_data *d)
{
    int32_t n = 0, *codes = used_codes(d, 0, &n);
    int rc = 0;
    if (codes == NULL)
        return QUARRY_ENOMEM;
    fputs("<div class=\"section\" id=\"frequencies\">\n"
          "<h2>2. Code frequencies</h2>\n",
          f);
    if (n == 0) {
        fputs("<p>No excerpt is coded yet.</p>\n</div>\n", f);
        free(codes);
        return 0;
    }
    fputs("<h3>By study</h3>\n", f);
    if (d->n_studies == 0) {
        fputs("<p>No coded excerpt names its study (the excerpts' "
              "<span class=\"id\">study</span> attribute), so there is no "
              "breakdown by study.</p>\n",
              f);
    } else {
        rc = bars(f, d, codes, n, d->studies, d->by_study, d->n_studies,
                  "Code frequencies by study", "excerpts");
        fputs("<p class=\"caption\">Excerpts coded with each code, one bar per "
              "study (an excerpt coded by several coders counts once).",
              f);
        if (d->no_study > 0)
            fprintf(f, " %lld coded excerpts name no study and are left "
                       "out.",
                    (long long)d->no_study);
        fputs("</p></div>\n", f);
    }
    fputs("<h3>By coder</h3>\n", f);
    if (rc == 0)
        rc = bars(f, d, codes, n, d->coders, d->by_coder, d->n_coders,
                  "Code frequencies by coder", "codings");
    fputs("<p class=\"caption\">Codings of each code, one bar per coder."
          "</p></div>\n</div>\n",
          f);
    free(codes);
    return rc == 0 ? 0 : QUARRY_EIO;
}

static int write_cooccurrence(FILE *f, const report_data *d, int32_t max)
{
    int32_t n = 0, *codes = used_codes(d, max, &n), i, j;
    const char **names = NULL;
    double *values = NULL;
    int rc = 0;
    if (codes == NULL)
        return QUARRY_ENOMEM;
    fputs("<div class=\"section\" id=\"cooccurrence\">\n"
          "<h2>3. Code co-occurrence</h2>\n",
          f);
    if (n < 2) {
        fputs("<p>Fewer than two codes are used: nothing co-occurs.</p>\n"
              "</div>\n",
              f);
        free(codes);
        return 0;
    }
    names = malloc(sizeof *names * (size_t)n);
    values = malloc(sizeof *values * (size_t)n * n);
    if (names == NULL || values == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        names[i] = d->codes[codes[i]].name;
        for (j = 0; j < n; j++)
            values[(size_t)i * n + j] =
                (double)d->cooc[(size_t)codes[i] * d->n_codes + codes[j]];
    }
    {
        quarry_svg_heatmap h = {"Code co-occurrence", n, n, names, names,
                                values, NULL, 1};
        fputs("<div class=\"figure\">\n", f);
        if (quarry_svg_heatmap_write(f, &h) != 0)
            rc = QUARRY_EIO;
    }
    fputs("<p class=\"caption\">Excerpts coded with both codes (by any coder); the "
          "diagonal (grey) is the excerpts coded with the code. Darker is "
          "more, relative to the largest count off the diagonal.",
          f);
    if (n < d->n_codes && max > 0 && n == max)
        fprintf(f, " The %d most used codes are shown.", (int)n);
    fputs("</p></div>\n</div>\n", f);
out:
    free(names);
    free(values);
    free(codes);
    return rc;
}

static int write_synth(FILE *f, quarry_project *p, quarry_engine *e,
                       char *err, size_t errcap)
{
    quarry_codebook *cb = NULL;
    quarry_corpus *corpus = NULL;
    quarry_synth *s = NULL;
    quarry_synth_options so = QUARRY_SYNTH_OPTIONS_INIT;
    const char **rows = NULL, **cols = NULL;
    char **text = NULL;
    double *values = NULL;
    int32_t nr = 0, ns = 0, r, j;
    int rc, with_parts = 1;

    fputs("<div class=\"section\" id=\"synthesis\">\n"
          "<h2>4. Themes by study</h2>\n",
          f);
    rc = quarry_project_codebook(p, e, &cb);
    if (rc == QUARRY_OK)
        rc = quarry_project_corpus(p, QUARRY_SUBSET_CODED, &corpus);
    if (rc != QUARRY_OK) {
        /* The project could not be read: the report fails. */
        snprintf(err, errcap, "%s", quarry_project_errmsg(p));
        goto out;
    }
    so.codebook = cb;
    so.level = cb ? QUARRY_SYNTH_THEME : QUARRY_SYNTH_CODE;
    rc = quarry_synth_run(&s, e, corpus, &so);
    if (rc == QUARRY_EINVAL) {
        /* Participants are optional: count excerpts only without them. */
        so.participant_field = NULL;
        with_parts = 0;
        rc = quarry_synth_run(&s, e, corpus, &so);
    }
    if (rc != QUARRY_OK || quarry_synth_n_studies(s) == 0) {
        /* Not the engine's message: it names the project's path, which
         * has no place in a page sent to others. */
        fputs("<p>No themes-by-study table: ", f);
        if (rc != QUARRY_OK)
            fputs("the table needs the <span class=\"id\">study</span> "
                  "attribute on every coded excerpt, and some have none "
                  "(give it on import: <span class=\"id\">quarry import "
                  "PROJECT --study S FILE</span>).",
                  f);
        else
            fputs("no coded excerpt.", f);
        fputs("</p>\n</div>\n", f);
        rc = QUARRY_OK;
        goto out;
    }
    nr = quarry_synth_n_rows(s);
    ns = quarry_synth_n_studies(s);
    rows = calloc((size_t)nr + 1, sizeof *rows);
    cols = calloc((size_t)ns + 2, sizeof *cols);
    text = calloc(((size_t)nr + 1) * (ns + 1) + 1, sizeof *text);
    values = calloc(((size_t)nr + 1) * (ns + 1) + 1, sizeof *values);
    if (rows == NULL || cols == NULL || text == NULL || values == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (j = 0; j < ns; j++)
        cols[j] = quarry_synth_study(s, j);
    cols[ns] = "Studies";
    for (r = 0; r < nr; r++) {
        rows[r] = quarry_synth_row_name(s, r);
        for (j = 0; j <= ns; j++) {
            const quarry_synth_cell *c = quarry_synth_cell_at(s, r, j);
            size_t k = (size_t)r * (ns + 1) + j;
            char buf[64];
            if (j == ns)
                snprintf(buf, sizeof buf, "%d/%d", (int)c->studies, (int)ns);
            else if (c->excerpts == 0)
                buf[0] = '\0';
            else if (with_parts)
                snprintf(buf, sizeof buf, "%lld (%lld)",
                         (long long)c->excerpts, (long long)c->participants);
            else
                snprintf(buf, sizeof buf, "%lld", (long long)c->excerpts);
            text[k] = strdup(buf);
            if (text[k] == NULL) {
                rc = QUARRY_ENOMEM;
                goto out;
            }
            /* Shade by the share of the study's excerpts; the studies
             * column by support. */
            values[k] = j == ns ? (double)c->studies / ns * 0.5
                                : (double)c->excerpts;
        }
    }
    {
        quarry_svg_heatmap h = {"Themes by study", nr, ns + 1, rows, cols,
                                values, (const char *const *)text, 0};
        fputs("<div class=\"figure\">\n", f);
        if (quarry_svg_heatmap_write(f, &h) != 0)
            rc = QUARRY_EIO;
    }
    fprintf(f,
            "<p class=\"caption\">The meta-synthesis table (as <span class=\"id\">"
            "quarry synth</span> prints it): one row per %s, one column per "
            "study; each cell gives the excerpts coded there%s. The last "
            "column counts the studies supporting the row.</p>"
            "</div>\n",
            so.level == QUARRY_SYNTH_THEME ? "theme" : "code",
            with_parts ? " and, in brackets, the distinct participants "
                         "behind them"
                       : "");
    if (quarry_synth_uncoded(s) > 0)
        fprintf(f, "<p>%lld excerpts without a code are left out.</p>\n",
                (long long)quarry_synth_uncoded(s));
    fputs("</div>\n", f);
out:
    if (text != NULL)
        for (r = 0; r < (nr + 1) * (ns + 1); r++)
            free(text[r]);
    free(text);
    free(values);
    free(rows);
    free(cols);
    quarry_synth_free(s);
    quarry_corpus_free(corpus);
    quarry_codebook_free(cb);
    return rc;
}

static int write_agreement(FILE *f, const report_data *d,
                           const quarry_report_options *o, char *err,
                           size_t errcap)
{
    quarry_agree_options ao = QUARRY_AGREE_OPTIONS_INIT;
    quarry_agreement *a = NULL;
    size_t i;
    int rc;
    fputs("<div class=\"section\" id=\"agreement\">\n"
          "<h2>5. Agreement between coders</h2>\n",
          f);
    if (quarry_agree_table_n_coders(d->agree) < 2) {
        fprintf(f,
                "<p>The project has %s coder%s, so there is no agreement "
                "between coders to report. Import a second coder's codings "
                "of the same excerpts to compare them.</p>\n</div>\n",
                quarry_agree_table_n_coders(d->agree) == 0 ? "no" : "one",
                quarry_agree_table_n_coders(d->agree) == 0 ? "" : " only");
        return QUARRY_OK;
    }
    ao.bootstrap = o->bootstrap;
    ao.seed = o->seed;
    rc = quarry_agreement_compute(&a, d->agree, &ao);
    if (rc != QUARRY_OK) {
        snprintf(err, errcap, "%s", quarry_agree_table_errmsg(d->agree));
        return rc;
    }
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
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *g = quarry_agreement_at(a, i);
        int32_t k;
        int32_t ci = g->scope ? report_code_find(d, g->scope) : -1;
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
    fputs("</table>\n</div>\n", f);
    quarry_agreement_free(a);
    return QUARRY_OK;
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

static int write_method(FILE *f, quarry_project *p, char *err,
                        size_t errcap)
{
    quarry_run_record r;
    int rc = quarry_project_latest_run(p, &r);
    fputs("<div class=\"section\" id=\"method\">\n"
          "<h2>6. How the suggestions were made</h2>\n",
          f);
    if (rc != QUARRY_OK) {
        snprintf(err, errcap, "%s", quarry_project_errmsg(p));
        return rc;
    }
    if (r.run == 0) {
        fputs("<p>quarry made no suggestions in this project: every "
              "coding was made by a coder.</p>\n</div>\n",
              f);
        return QUARRY_OK;
    }
    fprintf(f,
            "<p>quarry proposes codes; a person decides. Each suggestion "
            "became a coding only when a named coder accepted it. The "
            "latest run (run %lld) learnt from the coded excerpts and "
            "suggested codes for the others:</p>\n<table class=\"run\">",
            (long long)r.run);
    fputs("<tr><th>Started</th><td>", f);
    esc(f, r.started_at);
    fprintf(f, "</td></tr>\n<tr><th>Time</th><td>%.2f s</td></tr>\n",
            r.seconds);
    fputs("<tr><th>quarry version</th><td>", f);
    esc(f, r.quarry_version);
    fputs("</td></tr>\n<tr><th>Command</th><td class=\"id\">", f);
    esc(f, r.command ? r.command : "(not kept)");
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
    fputs("</td></tr>\n</table>\n<h3>Plugins</h3>\n", f);
    json_pre(f, r.plugins);
    fputs("\n<h3>Options</h3>\n", f);
    json_pre(f, r.options);
    fputs("\n<p>The same plugins and options on the same excerpts (same "
          "hashes) give the same suggestions.</p>\n</div>\n",
          f);
    return QUARRY_OK;
}

int quarry_report_write(quarry_project *p, quarry_engine *e, FILE *out,
                        const quarry_report_options *o, char *err,
                        size_t errcap)
{
    report_data d;
    int rc;

    err[0] = '\0';
    rc = report_data_load(&d, p, err, errcap);
    if (rc != QUARRY_OK)
        goto out;
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
    if ((rc = write_frequencies(out, &d)) != QUARRY_OK ||
        (rc = write_cooccurrence(out, &d, o->max_codes)) != QUARRY_OK ||
        (rc = write_synth(out, p, e, err, errcap)) != QUARRY_OK ||
        (rc = write_agreement(out, &d, o, err, errcap)) != QUARRY_OK ||
        (rc = write_method(out, p, err, errcap)) != QUARRY_OK)
        goto out;
    fputs("</body>\n</html>\n", out);
    if (ferror(out))
        rc = QUARRY_EIO;
out:
    if (rc != QUARRY_OK && err[0] == '\0')
        snprintf(err, errcap, "%s",
                 rc == QUARRY_ENOMEM ? "out of memory"
                                     : "cannot write the report");
    report_data_free(&d);
    return rc;
}
