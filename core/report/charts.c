/*
 * charts.c -- the report's charts by name (charts.h, report.h): the
 * table of names in page order, quarry_report_chart for one chart on its
 * own, and the charts drawn from the codings: code frequencies by study
 * and by coder, co-occurrence, and themes by study (the synthesis
 * table). The agreement, reliability and candidate-theme charts have
 * files of their own.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "svg.h"

static const quarry_report_chart_info infos[] = {
    {"frequencies-by-study", "Code frequencies by study"},
    {"frequencies-by-coder", "Code frequencies by coder"},
    {"cooccurrence", "Code co-occurrence"},
    {"themes-by-study", "Themes by study"},
    {"agreement", "Agreement per code"},
    {"reliability", "Reliability of the engine's confidence"},
    {"themes", "Candidate themes"},
};

static const report_chart_fn fns[] = {
    chart_freq_study,      chart_freq_coder, chart_cooccurrence,
    chart_themes_by_study, chart_agreement,  chart_reliability,
    chart_themes,
};

#define N_CHARTS (sizeof infos / sizeof infos[0])

const quarry_report_chart_info *quarry_report_charts(size_t *n)
{
    if (n != NULL)
        *n = N_CHARTS;
    return infos;
}

report_chart_fn report_chart_find(const char *name)
{
    size_t i;
    for (i = 0; name != NULL && i < N_CHARTS; i++)
        if (strcmp(infos[i].name, name) == 0)
            return fns[i];
    return NULL;
}

void report_cap(report_ctx *c, const char *fmt, ...)
{
    va_list ap;
    if (c->cap == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(c->cap, fmt, ap);
    va_end(ap);
}

void report_cap_esc(report_ctx *c, const char *s)
{
    if (c->cap != NULL)
        quarry_xml_escape(c->cap, s);
}

int report_chart_empty(report_ctx *c, FILE *f, const char *title,
                       const char *message)
{
    c->empty = 1;
    report_cap_esc(c, message);
    return quarry_svg_message_write(f, title, message) == 0 ? QUARRY_OK
                                                            : QUARRY_EIO;
}

int report_agreement(report_ctx *c, quarry_agreement **a)
{
    quarry_agree_options ao = QUARRY_AGREE_OPTIONS_INIT;
    int rc;
    if (!c->agree_done) {
        c->agree_done = 1;
        if (quarry_agree_table_n_coders(c->d->agree) >= 2) {
            ao.bootstrap = c->o->bootstrap;
            ao.seed = c->o->seed;
            rc = quarry_agreement_compute(&c->agree, c->d->agree, &ao);
            if (rc != QUARRY_OK) {
                snprintf(c->err, c->errcap, "%s",
                         quarry_agree_table_errmsg(c->d->agree));
                c->agree = NULL;
                c->agree_done = 0;
                return rc;
            }
        }
    }
    *a = c->agree;
    return QUARRY_OK;
}

int32_t *report_used_codes(const report_data *d, int32_t max, int32_t *n)
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
static int bars(FILE *f, const report_data *d, const int32_t *codes, int32_t n,
                char **series, int64_t **rows, int32_t ns, const char *title,
                const char *unit, const char *desc)
{
    const char **cats = malloc(sizeof *cats * ((size_t)n + 1));
    double *values = malloc(sizeof *values * ((size_t)n * ns + 1));
    quarry_svg_bars b = {title,  n,    cats, ns, (const char *const *)series,
                         values, unit, desc};
    int32_t i, j;
    int rc = QUARRY_ENOMEM;
    if (cats != NULL && values != NULL) {
        for (i = 0; i < n; i++) {
            cats[i] = d->codes[codes[i]].name;
            for (j = 0; j < ns; j++)
                values[(size_t)i * ns + j] = (double)rows[j][codes[i]];
        }
        rc = quarry_svg_bars_write(f, &b) == 0 ? QUARRY_OK : QUARRY_EIO;
    }
    free(cats);
    free(values);
    return rc;
}

int chart_freq_study(report_ctx *c, FILE *f)
{
    const report_data *d = c->d;
    int32_t n = 0, *codes = report_used_codes(d, 0, &n);
    int rc;
    if (codes == NULL)
        return QUARRY_ENOMEM;
    if (n == 0)
        rc = report_chart_empty(c, f, infos[0].title,
                                "No excerpt is coded yet.");
    else if (d->n_studies == 0)
        rc = report_chart_empty(
            c, f, infos[0].title,
            "No coded excerpt names its study (the excerpts' study "
            "attribute), so there is no breakdown by study.");
    else {
        rc = bars(f, d, codes, n, d->studies, d->by_study, d->n_studies,
                  infos[0].title, "excerpts",
                  "Horizontal bars: for each code, the excerpts coded with "
                  "it in each study.");
        report_cap(c, "Excerpts coded with each code, one bar per study "
                      "(an excerpt coded by several coders counts once).");
        if (d->no_study > 0)
            report_cap(c,
                       " %lld coded excerpts name no study and are left "
                       "out.",
                       (long long)d->no_study);
    }
    free(codes);
    return rc;
}

int chart_freq_coder(report_ctx *c, FILE *f)
{
    const report_data *d = c->d;
    int32_t n = 0, *codes = report_used_codes(d, 0, &n);
    int rc;
    if (codes == NULL)
        return QUARRY_ENOMEM;
    if (n == 0)
        rc = report_chart_empty(c, f, infos[1].title,
                                "No excerpt is coded yet.");
    else {
        rc = bars(f, d, codes, n, d->coders, d->by_coder, d->n_coders,
                  infos[1].title, "codings",
                  "Horizontal bars: for each code, the codings each coder "
                  "made with it.");
        report_cap(c, "Codings of each code, one bar per coder.");
    }
    free(codes);
    return rc;
}

int chart_cooccurrence(report_ctx *c, FILE *f)
{
    const report_data *d = c->d;
    int32_t max = c->o->max_codes;
    int32_t n = 0, *codes = report_used_codes(d, max, &n), i, j;
    const char **names = NULL;
    double *values = NULL;
    int rc = QUARRY_OK;
    if (codes == NULL)
        return QUARRY_ENOMEM;
    if (n < 2) {
        rc = report_chart_empty(c, f, infos[2].title,
                                "Fewer than two codes are used: nothing "
                                "co-occurs.");
        goto out;
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
        quarry_svg_heatmap h = {
            infos[2].title,
            n,
            n,
            names,
            names,
            values,
            NULL,
            1,
            "A square grid of the codes against themselves: each cell "
            "gives the excerpts coded with both codes; the diagonal, in "
            "grey, the excerpts coded with the code."};
        if (quarry_svg_heatmap_write(f, &h) != 0)
            rc = QUARRY_EIO;
    }
    report_cap(c, "Excerpts coded with both codes (by any coder); the "
                  "diagonal (grey) is the excerpts coded with the code. "
                  "Darker is more, relative to the largest count off the "
                  "diagonal.");
    if (n < d->n_codes && max > 0 && n == max)
        report_cap(c, " The %d most used codes are shown.", (int)n);
out:
    free(names);
    free(values);
    free(codes);
    return rc;
}

int chart_themes_by_study(report_ctx *c, FILE *f)
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
    size_t no_study = 0;

    rc = quarry_project_codebook(c->p, c->e, &cb);
    if (rc == QUARRY_OK)
        rc = quarry_project_corpus(c->p, QUARRY_SUBSET_CODED, &corpus);
    if (rc != QUARRY_OK) {
        /* The project could not be read: the chart fails. */
        snprintf(c->err, c->errcap, "%s", quarry_project_errmsg(c->p));
        goto out;
    }
    so.codebook = cb;
    so.level = cb ? QUARRY_SYNTH_THEME : QUARRY_SYNTH_CODE;
    rc = quarry_synth_run(&s, c->e, corpus, &so);
    if (rc == QUARRY_EINVAL) {
        /* Participants are optional: count excerpts only without them. */
        so.participant_field = NULL;
        with_parts = 0;
        rc = quarry_synth_run(&s, c->e, corpus, &so);
    }
    if (rc == QUARRY_EINVAL) {
        /* Some coded excerpts have no study: the table of those that do,
         * as the roll-up counts them, and a word on the others. */
        quarry_corpus *known = NULL;
        if (quarry_corpus_select_attribute(corpus, so.study_field, &known,
                                           &no_study) == QUARRY_OK &&
            quarry_corpus_size(known) > 0) {
            quarry_corpus_free(corpus);
            corpus = known;
            so.participant_field = "participant";
            with_parts = 1;
            rc = quarry_synth_run(&s, c->e, corpus, &so);
            if (rc == QUARRY_EINVAL) {
                so.participant_field = NULL;
                with_parts = 0;
                rc = quarry_synth_run(&s, c->e, corpus, &so);
            }
        } else {
            quarry_corpus_free(known);
        }
    }
    if (rc != QUARRY_OK || quarry_synth_n_studies(s) == 0) {
        /* Not the engine's message: it names the project's path, which
         * has no place in a page sent to others. */
        rc = report_chart_empty(
            c, f, infos[3].title,
            rc != QUARRY_OK
                ? "No themes-by-study table: the table needs the study "
                  "attribute on every coded excerpt, and some have none "
                  "(give it on import: quarry import PROJECT --study S "
                  "FILE)."
                : "No themes-by-study table: no coded excerpt.");
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
            const quarry_synth_cell *cell = quarry_synth_cell_at(s, r, j);
            size_t k = (size_t)r * (ns + 1) + j;
            char buf[64];
            if (j == ns)
                snprintf(buf, sizeof buf, "%d/%d", (int)cell->studies, (int)ns);
            else if (cell->excerpts == 0)
                buf[0] = '\0';
            else if (with_parts)
                snprintf(buf, sizeof buf, "%lld (%lld)",
                         (long long)cell->excerpts,
                         (long long)cell->participants);
            else
                snprintf(buf, sizeof buf, "%lld", (long long)cell->excerpts);
            text[k] = strdup(buf);
            if (text[k] == NULL) {
                rc = QUARRY_ENOMEM;
                goto out;
            }
            /* Shade by the excerpts; the studies column by support. */
            values[k] = j == ns ? (double)cell->studies / ns * 0.5
                                : (double)cell->excerpts;
        }
    }
    {
        quarry_svg_heatmap h = {
            infos[3].title,
            nr,
            ns + 1,
            rows,
            cols,
            values,
            (const char *const *)text,
            0,
            "A table as a heatmap: one row per theme, one column per "
            "study; each cell gives the excerpts coded there, darker for "
            "more; the last column counts the studies supporting the "
            "row."};
        if (quarry_svg_heatmap_write(f, &h) != 0)
            rc = QUARRY_EIO;
    }
    report_cap(c,
               "The meta-synthesis table (as <span class=\"id\">quarry "
               "synth</span> prints it): one row per %s, one column per "
               "study; each cell gives the excerpts coded there%s. The last "
               "column counts the studies supporting the row.",
               so.level == QUARRY_SYNTH_THEME ? "theme" : "code",
               with_parts ? " and, in brackets, the distinct participants "
                            "behind them"
                          : "");
    if (quarry_synth_uncoded(s) > 0)
        report_cap(c, " %lld excerpts without a code are left out.",
                   (long long)quarry_synth_uncoded(s));
    if (no_study > 0)
        report_cap(c,
                   " %zu coded excerpt%s without a study %s left out (give "
                   "the study on import: <span class=\"id\">quarry import "
                   "PROJECT FILE --study S</span>).",
                   no_study, no_study == 1 ? "" : "s",
                   no_study == 1 ? "is" : "are");
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

int quarry_report_chart(quarry_project *p, quarry_engine *e, const char *name,
                        FILE *out, const quarry_report_options *o, char *err,
                        size_t errcap)
{
    report_chart_fn fn = report_chart_find(name);
    report_data d;
    report_ctx c;
    size_t i;
    int rc;

    err[0] = '\0';
    if (fn == NULL) {
        /* The names, for a message that says what would work. */
        size_t at = (size_t)snprintf(
            err, errcap, "no chart called \"%s\" (charts:", name ? name : "");
        for (i = 0; i < N_CHARTS && at < errcap; i++)
            at += (size_t)snprintf(err + at, errcap - at, "%s %s", i ? "," : "",
                                   infos[i].name);
        if (at < errcap)
            snprintf(err + at, errcap - at, ")");
        return QUARRY_ENOTFOUND;
    }
    rc = report_data_load(&d, p, err, errcap);
    if (rc == QUARRY_OK) {
        char *svg = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&svg, &len);
        memset(&c, 0, sizeof c);
        c.p = p;
        c.e = e;
        c.o = o;
        c.d = &d;
        c.err = err;
        c.errcap = errcap;
        rc = m != NULL ? fn(&c, m) : QUARRY_ENOMEM;
        if (m != NULL && fclose(m) != 0 && rc == QUARRY_OK)
            rc = QUARRY_ENOMEM;
        quarry_agreement_free(c.agree);
        /* A file of its own (image/svg+xml) needs the SVG namespace,
         * which an HTML page implies: the name only, nothing is loaded
         * from it. */
        if (rc == QUARRY_OK && svg != NULL && strncmp(svg, "<svg ", 5) == 0) {
            fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" ", out);
            fwrite(svg + 5, 1, len - 5, out);
        } else if (rc == QUARRY_OK) {
            rc = QUARRY_EINTERNAL;
        }
        free(svg);
        if (rc == QUARRY_OK && ferror(out))
            rc = QUARRY_EIO;
    }
    if (rc != QUARRY_OK && err[0] == '\0')
        snprintf(err, errcap, "%s",
                 rc == QUARRY_ENOMEM ? "out of memory"
                                     : "cannot write the chart");
    report_data_free(&d);
    return rc;
}
