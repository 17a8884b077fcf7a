/*
 * chart_themes.c -- the "themes" chart: candidate themes of the
 * excerpts nobody has coded yet (all of them when fewer than MIN_UNCODED
 * are left), found the way `quarry themes PROJECT` finds them (the
 * library's themes run, pipeline defaults, interviewer turns left out,
 * the report's seed, so the same project draws the same chart), one bar
 * per theme, as long as its excerpts, labelled with its top terms. A big
 * project is sampled evenly down to themes_max_excerpts first, so the
 * report stays quick.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "charts.h"
#include "svg.h"

#define MIN_UNCODED 20
#define MIN_EXCERPTS 6
#define TERMS 4

/* Every step-th excerpt of c (step > 1) as a new corpus: the id and the
 * text are all a themes run reads. */
static int sample(const quarry_corpus *c, size_t max, quarry_corpus **out)
{
    size_t n = quarry_corpus_size(c), i, k;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    int rc = QUARRY_OK;
    if (m == NULL)
        return QUARRY_ENOMEM;
    for (k = 0; k < max; k++) {
        const quarry_excerpt *x;
        json_t *o;
        char *line;
        i = (size_t)((double)k * (double)n / (double)max);
        x = quarry_corpus_at(c, i);
        o = json_pack("{s:s, s:s%}", "id", x->id, "text", x->text, x->text_len);
        line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (line == NULL) {
            rc = QUARRY_ENOMEM;
            break;
        }
        fputs(line, m);
        fputc('\n', m);
        free(line);
    }
    if (fclose(m) != 0 && rc == QUARRY_OK)
        rc = QUARRY_ENOMEM;
    if (rc == QUARRY_OK)
        rc = quarry_corpus_new(out);
    ro.format = QUARRY_FORMAT_JSONL;
    ro.allow_empty = 1;
    if (rc == QUARRY_OK)
        rc = quarry_corpus_read_buffer(*out, buf, len, "sample", &ro);
    free(buf);
    return rc;
}

/* The participants' turns of a subset of the project (questions would
 * make themes of their own). */
static int turns(report_ctx *c, quarry_project_subset which,
                 quarry_corpus **out)
{
    quarry_corpus *all = NULL, *sel = NULL;
    size_t i, n, interviewers = 0;
    int rc = quarry_project_corpus(c->p, which, &all);
    if (rc != QUARRY_OK) {
        snprintf(c->err, c->errcap, "%s", quarry_project_errmsg(c->p));
        return rc;
    }
    n = quarry_corpus_size(all);
    for (i = 0; i < n; i++)
        interviewers += quarry_corpus_is_interviewer(all, i) != 0;
    if (interviewers == 0) {
        *out = all;
        return QUARRY_OK;
    }
    rc = quarry_corpus_select_speakers(all, QUARRY_SPEAKERS_PARTICIPANTS, &sel,
                                       NULL);
    quarry_corpus_free(all);
    if (rc != QUARRY_OK) {
        quarry_corpus_free(sel);
        snprintf(c->err, c->errcap, "out of memory");
        return rc;
    }
    *out = sel;
    return QUARRY_OK;
}

/* The excerpts to cluster: the uncoded turns, or all of them when fewer
 * than MIN_UNCODED are uncoded, sampled down to themes_max_excerpts;
 * *uncoded says which, *total how many there were before sampling. */
static int excerpts(report_ctx *c, quarry_corpus **out, int *uncoded,
                    size_t *total)
{
    quarry_corpus *all = NULL, *sel = NULL;
    int rc = turns(c, QUARRY_SUBSET_UNCODED, &all);
    if (rc != QUARRY_OK)
        return rc;
    *uncoded = quarry_corpus_size(all) >= MIN_UNCODED;
    if (!*uncoded) {
        quarry_corpus_free(all);
        all = NULL;
        if ((rc = turns(c, QUARRY_SUBSET_ALL, &all)) != QUARRY_OK)
            return rc;
    }
    *total = quarry_corpus_size(all);
    if (c->o->themes_max_excerpts > 0 &&
        *total > (size_t)c->o->themes_max_excerpts) {
        rc = sample(all, (size_t)c->o->themes_max_excerpts, &sel);
        quarry_corpus_free(all);
        if (rc != QUARRY_OK) {
            snprintf(c->err, c->errcap, "%s",
                     sel ? quarry_corpus_errmsg(sel) : "out of memory");
            quarry_corpus_free(sel);
            return rc;
        }
        all = sel;
    }
    *out = all;
    return QUARRY_OK;
}

int chart_themes(report_ctx *c, FILE *f)
{
    static const char title[] = "Candidate themes";
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_corpus *corpus = NULL;
    quarry_themes *t = NULL;
    const char **cats = NULL, *series[1] = {"excerpts"};
    char **labels = NULL;
    double *values = NULL;
    size_t n = 0, total = 0;
    int32_t i, j, nt = 0;
    int rc, uncoded = 0;

    rc = excerpts(c, &corpus, &uncoded, &total);
    if (rc != QUARRY_OK)
        return rc;
    n = quarry_corpus_size(corpus);
    if (n < MIN_EXCERPTS) {
        char msg[300];
        if (n == 0)
            snprintf(msg, sizeof msg,
                     "No candidate themes: the project has no excerpt yet "
                     "(Import on the web page, or quarry import, adds "
                     "them).");
        else
            snprintf(msg, sizeof msg,
                     "No candidate themes: the project has %zu excerpt%s "
                     "to cluster, fewer than %d.",
                     n, n == 1 ? "" : "s", MIN_EXCERPTS);
        rc = report_chart_empty(c, f, title, msg);
        goto out;
    }
    to.k = c->o->themes_k;
    if (to.k <= 0) {
        /* About one theme per fifty excerpts, between 2 and 8: enough to
         * see, few enough to read. */
        to.k = (int32_t)lround(sqrt((double)n / 12.5));
        to.k = to.k < 2 ? 2 : to.k > 8 ? 8 : to.k;
    }
    if ((size_t)to.k > n / 2)
        to.k = (int32_t)(n / 2);
    to.seed = c->o->seed;
    to.n_terms = TERMS;
    to.n_representatives = 1;
    rc = quarry_themes_run(&t, c->e, &po, &to, corpus);
    if (rc != QUARRY_OK) {
        char msg[600];
        snprintf(msg, sizeof msg,
                 "No candidate themes: the excerpts could not be clustered "
                 "(%s).",
                 quarry_engine_errmsg(c->e));
        rc = report_chart_empty(c, f, title, msg);
        goto out;
    }
    nt = quarry_themes_count(t);
    cats = calloc((size_t)nt + 1, sizeof *cats);
    labels = calloc((size_t)nt + 1, sizeof *labels);
    values = calloc((size_t)nt + 1, sizeof *values);
    if (cats == NULL || labels == NULL || values == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (i = 0; i < nt; i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m == NULL) {
            rc = QUARRY_ENOMEM;
            goto out;
        }
        fprintf(m, "%d. ", (int)(i + 1));
        for (j = 0; j < th->n_terms; j++)
            fprintf(m, "%s%s", j ? ", " : "", th->terms[j]);
        if (th->n_terms == 0) /* no word sets it apart (labels.c) */
            fprintf(m, "(a mixed theme: no label)");
        if (fclose(m) != 0) {
            free(buf);
            rc = QUARRY_ENOMEM;
            goto out;
        }
        labels[i] = buf;
        cats[i] = buf;
        values[i] = (double)th->size;
    }
    {
        quarry_svg_bars b = {
            title,
            nt,
            cats,
            1,
            series,
            values,
            "excerpts",
            "Horizontal bars, one per candidate theme, as long as the "
            "excerpts in it, each labelled with the theme's top terms."};
        if (quarry_svg_bars_write(f, &b) != 0) {
            rc = QUARRY_EIO;
            goto out;
        }
    }
    report_cap(c,
               "%d candidate themes of the %zu %s, clustered as "
               "<span class=\"id\">quarry themes</span> does (k-means on "
               "the weighted terms, seed %llu)%s. Each bar is a theme, "
               "labelled with its top terms; they are candidates to read "
               "and name, not codes. Top terms: ",
               (int)nt, total,
               uncoded ? "excerpts nobody has coded yet"
                       : "excerpts (fewer than 20 are uncoded, so all of "
                         "them)",
               (unsigned long long)c->o->seed,
               n < total ? ", on an even sample of them" : "");
    for (i = 0; i < nt; i++) {
        report_cap(c, "%s", i ? "; " : "");
        report_cap_esc(c, labels[i]);
    }
    report_cap(c, ".");
    if (n < total)
        report_cap(c, " Clustered: %zu of the %zu.", n, total);
    if (quarry_themes_unassigned(t) > 0)
        report_cap(c, " %lld excerpts are in no theme.",
                   (long long)quarry_themes_unassigned(t));
    rc = QUARRY_OK;
out:
    if (labels != NULL)
        for (i = 0; i < nt; i++)
            free(labels[i]);
    free(labels);
    free(cats);
    free(values);
    quarry_themes_free(t);
    quarry_corpus_free(corpus);
    return rc;
}
