/*
 * method.c -- how a run made its suggestions, in words (report.h,
 * quarry_report_method): the report's "How the suggestions were made"
 * table and the web page's Runs view say it alike.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* A number of an object, or NaN when it is not there. */
static double jnum(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A row being written: its text grows in a memory stream. */
typedef struct row {
    char *text;
    size_t len;
    FILE *f;
} row;

static FILE *row_open(row *r)
{
    r->text = NULL;
    r->len = 0;
    r->f = open_memstream(&r->text, &r->len);
    return r->f;
}

/* Close the row and hand it on; 0, the callback's status, or
 * QUARRY_ENOMEM. */
static int row_put(row *r, const char *label, quarry_report_method_fn fn,
                   void *ctx)
{
    int rc;
    if (fclose(r->f) != 0 || r->text == NULL) {
        free(r->text);
        return QUARRY_ENOMEM;
    }
    rc = r->len > 0 ? fn(ctx, label, r->text) : 0;
    free(r->text);
    return rc;
}

static void plugins_words(FILE *f, const json_t *pl)
{
    const json_t *v;
    size_t i;
    json_array_foreach(pl, i, v)
    {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *ver = json_string_value(json_object_get(v, "version"));
        fprintf(f, "%s%s %s%s%s", i ? "; " : "", kind ? kind : "?",
                name ? name : "?", ver ? " " : "", ver ? ver : "");
    }
}

static void words_words(FILE *f, const json_t *pipe)
{
    const char *lang = json_string_value(json_object_get(pipe, "language"));
    double min_df = jnum(pipe, "min_df"), max_df = jnum(pipe, "max_df");
    if (lang)
        fprintf(f, "language %s; ", lang);
    if (!isnan(min_df) && !isnan(max_df))
        fprintf(f,
                "a word counts when it is in at least %.0f excerpt%s and "
                "at most %.0f%% of them",
                min_df, min_df == 1.0 ? "" : "s", 100.0 * max_df);
}

/* What the words of a "features" list ("words+form+chars") are to a
 * reader. */
static void feature_words(FILE *f, const char *feat)
{
    int form = strstr(feat, "form") != NULL;
    fputs("words", f);
    if (form)
        fputs(", word pairs, question and exclamation marks", f);
    if (strstr(feat, "chars") != NULL)
        fprintf(f, "%s runs of letters within words", form ? ", and" : " and");
}

/* In a researcher's words first, the technical names in brackets (for a
 * paper's methods section). */
static void score_words(FILE *f, const json_t *sg)
{
    const json_t *aut = json_object_get(sg, "auto");
    const char *feat = json_string_value(json_object_get(sg, "features"));
    double share = jnum(sg, "linear"), nb = jnum(sg, "neighbours");
    if (!isnan(nb))
        fprintf(f, "each code's prototype (the average of the excerpts "
                   "coded with it) and the %.0f nearest coded excerpts "
                   "(the most alike)",
                nb);
    if (!isnan(share) && share > 0.0) {
        fprintf(f, ", with a model learnt from the coded excerpts "
                   "(logistic regression, C %g) for %.0f%% of the score",
                jnum(sg, "linear_c"), 100.0 * share);
        if (feat) {
            fputs("; it reads ", f);
            feature_words(f, feat);
        }
    } else if (!isnan(share)) {
        fputs("; no learnt model (logistic regression)", f);
    }
    if (json_is_object(aut) && !isnan(jnum(aut, "top1")))
        fprintf(f,
                ". quarry chose this by trying it on %.0f coded excerpts "
                "(%.0f-fold cross-validation): the right code came first "
                "for %.0f%% of them and among the first three for %.0f%%, "
                "against %.0f%% and %.0f%% without the learnt model",
                jnum(aut, "rows"), jnum(aut, "folds"),
                100.0 * jnum(aut, "top1"), 100.0 * jnum(aut, "top3"),
                100.0 * jnum(aut, "base_top1"),
                100.0 * jnum(aut, "base_top3"));
}

int quarry_report_method(const char *plugins, const char *options,
                         quarry_report_method_fn fn, void *ctx)
{
    json_t *pl = plugins ? json_loads(plugins, 0, NULL) : NULL;
    json_t *op = options ? json_loads(options, 0, NULL) : NULL;
    json_t *pipe = json_object_get(op, "pipeline");
    json_t *sg = json_object_get(op, "suggest");
    row r;
    int rc = 0;
    if (rc == 0 && json_array_size(pl) > 0) {
        if (row_open(&r) == NULL)
            rc = QUARRY_ENOMEM;
        else {
            plugins_words(r.f, pl);
            rc = row_put(&r, "Plugins", fn, ctx);
        }
    }
    if (rc == 0 && json_is_object(pipe)) {
        if (row_open(&r) == NULL)
            rc = QUARRY_ENOMEM;
        else {
            words_words(r.f, pipe);
            rc = row_put(&r, "Words", fn, ctx);
        }
    }
    if (rc == 0 && json_is_object(sg)) {
        double top = jnum(sg, "top"), minc = jnum(sg, "min_confidence");
        if (row_open(&r) == NULL)
            rc = QUARRY_ENOMEM;
        else {
            score_words(r.f, sg);
            rc = row_put(&r, "Scores", fn, ctx);
        }
        if (rc == 0 && !isnan(top) && !isnan(minc)) {
            if (row_open(&r) == NULL)
                rc = QUARRY_ENOMEM;
            else {
                fprintf(r.f,
                        "up to %.0f per excerpt; an excerpt whose best "
                        "confidence is below %.2f abstains (no suggestion "
                        "offered as likely)",
                        top, minc);
                rc = row_put(&r, "Suggestions", fn, ctx);
            }
        }
        if (rc == 0 && !isnan(jnum(sg, "seed"))) {
            if (row_open(&r) == NULL)
                rc = QUARRY_ENOMEM;
            else {
                fprintf(r.f, "%.0f", jnum(sg, "seed"));
                rc = row_put(&r, "Seed", fn, ctx);
            }
        }
    }
    json_decref(pl);
    json_decref(op);
    return rc;
}
