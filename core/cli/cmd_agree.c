/*
 * cmd_agree.c -- `quarry agree FILE...`: agreement between coders (percent
 * agreement, Cohen's kappa per pair, Krippendorff's nominal alpha), overall
 * and per code, from long-format codings (one row per id, code, coder),
 * with the top suggestions of `quarry suggest` as one more coder
 * ("quarry") when --suggestions is given. quarry/agree.h defines the
 * figures; this file reads the arguments and writes them.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Overall figures on fewer excerpts than this are flagged. */
#define AGREE_FEW_UNITS 10

enum {
    OPT_CODERS = OPT_COMMAND_BASE,
    OPT_SUGGESTIONS,
    OPT_ENGINE,
    OPT_DISAGREEMENTS,
    OPT_BOOTSTRAP
};

static void usage(FILE *f)
{
    fprintf(
        f, "usage: quarry agree [OPTIONS] FILE...\n\n"
           "Agreement between coders: percent agreement, Cohen's kappa for\n"
           "every pair of coders and Krippendorff's alpha (nominal, any\n"
           "number of coders, missing values), overall and per code; for\n"
           "each pair also Gwet's AC1 and PABAK (2 p_o - 1 per code), which\n"
           "stay meaningful for rare codes where kappa collapses. Each\n"
           "figure has a 95%% bootstrap interval (units resampled with\n"
           "replacement, percentile).\n\n"
           "FILE holds codings, one row per (id, code, coder): JSONL\n"
           "  {\"id\": \"u1\", \"code\": \"x\" or [\"x\", \"y\"], \"coder\": "
           "\"ana\"}\n"
           "or CSV with a header (id, code, coder; codes separated by ';').\n"
           "A row without a coder is the file's base name without its\n"
           "extension (ana.jsonl -> ana), so one file per coder works too.\n\n"
           "Overall, the code is the value of a unit, counted for a coder\n"
           "only where that coder gave the unit exactly one code (units\n"
           "with several codes are left out for that coder, and counted in\n"
           "a note). Per code, a coder's value is whether it applied the\n"
           "code, over the units that coder coded. Each figure says how\n"
           "many units it rests on; undefined figures (no variation, fewer\n"
           "than two pairable values) are n/a, null in JSONL, empty in CSV.\n"
           "Coders and codes are sorted by name.\n\n"
           "FILE may also be a quarry project: its codings, each under its\n"
           "coder; with --engine, the top suggestion of its latest run that\n"
           "did not abstain counts as the coder \"quarry\".\n\n"
           "  --coders A,B,...        compare only these coders\n"
           "  --suggestions FILE      `quarry suggest` JSONL output: the top\n"
           "                          suggestion of every line that does not\n"
           "                          abstain is the coder \"quarry\"\n"
           "  --engine                with a project: its suggestions as the\n"
           "                          coder \"quarry\"\n"
           "  --format table|jsonl|csv  output (table); jsonl and csv give\n"
           "                          one record per scope and pair (or all\n"
           "                          coders): scope, coders, units, percent,\n"
           "                          kappa, alpha, ac1, pabak and each one's\n"
           "                          interval\n"
           "  --bootstrap N           resamples for the intervals (1000; 0:\n"
           "                          none)\n"
           "  --seed N                of the resamples (42): the same seed,\n"
           "                          the same intervals\n"
           "  --disagreements         instead of figures, the units where the\n"
           "                          coders differ: id, the start of the text\n"
           "                          (for a project) and each coder's codes\n"
           "  --input-format jsonl|csv  format of FILE (default: .csv is CSV,\n"
           "                          anything else JSONL)\n\n"
           "Exit 0, or 1 for bad input (the\n"
           "message names the file, the line and the field).\n");
}

typedef struct agree_args {
    const char *coders;
    const char *suggestions;
    int engine;
    int disagreements;
    long bootstrap;
} agree_args;

/* A whole number in [lo, hi] from an option's argument; -1 with a
 * message when it is not one. */
static int whole(cli *c, const char *opt, const char *arg, long long lo,
                 long long hi, long long *out)
{
    char *end = NULL;
    long long v;
    errno = 0;
    v = strtoll(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
        cli_error(c, "--%s: \"%s\" is not a whole number in %lld..%lld", opt,
                  arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    agree_args *a = ctx;
    switch (opt) {
    case OPT_CODERS:
        a->coders = arg;
        return 1;
    case OPT_SUGGESTIONS:
        a->suggestions = arg;
        return 1;
    case OPT_ENGINE:
        a->engine = 1;
        return 1;
    case OPT_DISAGREEMENTS:
        a->disagreements = 1;
        return 1;
    case OPT_BOOTSTRAP: {
        long long v;
        if (whole(c, "bootstrap", arg, 0, 100000, &v) != 0)
            return -1;
        a->bootstrap = (long)v;
        return 1;
    }
    }
    return 0;
}

/* The coders of the table as "ana, ben, quarry" (for messages). */
static void coder_list(const quarry_agree_table *t, char *buf, size_t cap)
{
    int32_t i, n = quarry_agree_table_n_coders(t);
    size_t used = 0;
    buf[0] = '\0';
    for (i = 0; i < n && used + 1 < cap; i++) {
        int k = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                         quarry_agree_table_coder(t, i));
        if (k < 0)
            break;
        used += (size_t)k;
    }
    if (n == 0)
        snprintf(buf, cap, "none");
}

/* Split --coders at commas (white space around names trimmed) into names;
 * -1 with a message on an empty or unknown name. */
static int parse_coders(cli *c, const quarry_agree_table *t, char *spec,
                        const char ***names, int32_t *n)
{
    char *p = spec, list[512];
    int32_t cap = 1;
    const char **v;

    for (; *p; p++)
        cap += *p == ',';
    v = malloc((size_t)cap * sizeof *v);
    if (v == NULL) {
        cli_error(c, "out of memory");
        return -1;
    }
    *n = 0;
    p = spec;
    for (;;) {
        char *comma = strchr(p, ','), *end;
        if (comma != NULL)
            *comma = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (*p == '\0') {
            cli_error(c, "--coders: an empty name (give names separated by "
                         "commas: ana,ben)");
            free(v);
            return -1;
        }
        if (quarry_agree_table_find_coder(t, p) < 0) {
            coder_list(t, list, sizeof list);
            cli_error(c,
                      "--coders: unknown coder \"%s\" (the input has: "
                      "%s)",
                      p, list);
            free(v);
            return -1;
        }
        v[(*n)++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *names = v;
    return 0;
}

static json_t *num_or_null(double x)
{
    return isnan(x) ? json_null() : json_real(x);
}

/* [low, high], or null when not computed. */
static json_t *interval(const double ci[2])
{
    json_t *v;
    if (isnan(ci[0]) || isnan(ci[1]))
        return json_null();
    v = json_array();
    json_array_append_new(v, json_real(ci[0]));
    json_array_append_new(v, json_real(ci[1]));
    return v;
}

/* The codes' names by id, from the projects read (files name no code):
 * a table for a thesis says "Peer colleagues", not sup.peers. */
typedef struct code_names {
    char **id, **name;
    size_t n;
} code_names;

static const char *name_of(const code_names *cn, const char *id)
{
    size_t i;
    for (i = 0; cn != NULL && id != NULL && i < cn->n; i++)
        if (strcmp(cn->id[i], id) == 0)
            return cn->name[i];
    return NULL;
}

/* The scope as a reader reads it: "overall", or the code's name (its id
 * when it has none, or none is known). */
static const char *scope_label(const code_names *cn, const char *scope)
{
    const char *name = name_of(cn, scope);
    return scope == NULL ? "overall" : name != NULL ? name : scope;
}

static int names_add(code_names *cn, quarry_project *p)
{
    const quarry_project_code *list = NULL;
    int32_t i, n = 0;
    int rc = quarry_project_codes(p, &list, &n);
    for (i = 0; rc == QUARRY_OK && i < n; i++) {
        char **a, **b;
        if (list[i].name == NULL || name_of(cn, list[i].id) != NULL)
            continue;
        a = realloc(cn->id, (cn->n + 1) * sizeof *a);
        if (a == NULL)
            return QUARRY_ENOMEM;
        cn->id = a;
        b = realloc(cn->name, (cn->n + 1) * sizeof *b);
        if (b == NULL)
            return QUARRY_ENOMEM;
        cn->name = b;
        cn->id[cn->n] = strdup(list[i].id);
        cn->name[cn->n] = strdup(list[i].name);
        if (cn->id[cn->n] == NULL || cn->name[cn->n] == NULL) {
            free(cn->id[cn->n]);
            free(cn->name[cn->n]);
            return QUARRY_ENOMEM;
        }
        cn->n++;
    }
    return rc;
}

static void names_free(code_names *cn)
{
    size_t i;
    for (i = 0; i < cn->n; i++) {
        free(cn->id[i]);
        free(cn->name[i]);
    }
    free(cn->id);
    free(cn->name);
}

static int write_jsonl(const quarry_agreement *a, const code_names *cn)
{
    size_t i;
    int32_t j;
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        json_t *o = json_object(), *cs = json_array();
        for (j = 0; j < f->n_coders; j++)
            json_array_append_new(cs, json_string(f->coders[j]));
        json_object_set_new(o, "scope",
                            json_string(f->scope ? f->scope : "overall"));
        if (name_of(cn, f->scope) != NULL)
            json_object_set_new(o, "name", json_string(name_of(cn, f->scope)));
        json_object_set_new(o, "coders", cs);
        json_object_set_new(o, "units", json_integer(f->units));
        json_object_set_new(o, "percent", num_or_null(f->percent));
        json_object_set_new(o, "kappa", num_or_null(f->kappa));
        json_object_set_new(o, "alpha", num_or_null(f->alpha));
        json_object_set_new(o, "ac1", num_or_null(f->ac1));
        json_object_set_new(o, "pabak", num_or_null(f->pabak));
        json_object_set_new(o, "kappa_ci", interval(f->kappa_ci));
        json_object_set_new(o, "alpha_ci", interval(f->alpha_ci));
        json_object_set_new(o, "ac1_ci", interval(f->ac1_ci));
        json_object_set_new(o, "pabak_ci", interval(f->pabak_ci));
        if (f->scope == NULL && f->n_coders == 2) /* in no figure */
            json_object_set_new(o, "coded_by_one_only",
                                json_pack("{sIsI}", f->coders[0],
                                          (json_int_t)f->only[0], f->coders[1],
                                          (json_int_t)f->only[1]));
        if (cli_put_json_line(stdout, o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0)
            return -1;
    }
    return 0;
}

static void csv_num(double x)
{
    if (!isnan(x))
        printf("%.15g", x);
}

static void write_csv(const quarry_agreement *a, const code_names *cn)
{
    size_t i;
    int32_t j;
    printf("scope,coders,units,percent,kappa,alpha,ac1,pabak,kappa_low,"
           "kappa_high,alpha_low,alpha_high,ac1_low,ac1_high,pabak_low,"
           "pabak_high,name\n");
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        size_t len = 1;
        char *names;
        for (j = 0; j < f->n_coders; j++)
            len += strlen(f->coders[j]) + 1;
        names = malloc(len);
        if (names == NULL)
            return;
        names[0] = '\0';
        for (j = 0; j < f->n_coders; j++) {
            if (j)
                strcat(names, ";");
            strcat(names, f->coders[j]);
        }
        cli_csv_field(stdout, f->scope ? f->scope : "overall");
        putchar(',');
        cli_csv_field(stdout, names);
        free(names);
        printf(",%lld,", (long long)f->units);
        csv_num(f->percent);
        putchar(',');
        csv_num(f->kappa);
        putchar(',');
        csv_num(f->alpha);
        putchar(',');
        csv_num(f->ac1);
        putchar(',');
        csv_num(f->pabak);
        for (j = 0; j < 2; j++) {
            putchar(',');
            csv_num(f->kappa_ci[j]);
        }
        for (j = 0; j < 2; j++) {
            putchar(',');
            csv_num(f->alpha_ci[j]);
        }
        for (j = 0; j < 2; j++) {
            putchar(',');
            csv_num(f->ac1_ci[j]);
        }
        for (j = 0; j < 2; j++) {
            putchar(',');
            csv_num(f->pabak_ci[j]);
        }
        putchar(','); /* the code's name, where a project gave it */
        if (name_of(cn, f->scope) != NULL)
            cli_csv_field(stdout, name_of(cn, f->scope));
        putchar('\n');
    }
}

/* "ana - ben", or "all 3 coders". */
static void who(const quarry_agree_figure *f, char *buf, size_t cap)
{
    if (f->n_coders == 2)
        snprintf(buf, cap, "%s - %s", f->coders[0], f->coders[1]);
    else
        snprintf(buf, cap, "all %d coders", (int)f->n_coders);
}

static void table_num(double x, const char *fmt, int width)
{
    if (isnan(x))
        printf("  %*s", width, "n/a");
    else {
        char b[32];
        snprintf(b, sizeof b, fmt, x);
        printf("  %*s", width, b);
    }
}

/* A figure and, when there is one, its interval: "0.412 [0.21, 0.60]". */
static void table_fig(double x, const double ci[2], int with_ci, int last)
{
    char b[64];
    if (!with_ci) {
        table_num(x, "%.3f", 6);
        return;
    }
    if (isnan(x))
        snprintf(b, sizeof b, "n/a");
    else if (isnan(ci[0]) || isnan(ci[1]))
        snprintf(b, sizeof b, "%.3f", x);
    else
        snprintf(b, sizeof b, "%.3f [%.2f, %.2f]", x, ci[0], ci[1]);
    printf(last ? "  %s" : "  %-20s", b);
}

/* "0.82, 95% CI 0.57 to 1.00", or "0.82", or "undefined". */
static void figure_text(double x, const double ci[2], long boot, char *out,
                        size_t cap)
{
    if (isnan(x))
        snprintf(out, cap, "undefined");
    else if (boot > 0 && !isnan(ci[0]) && !isnan(ci[1]))
        snprintf(out, cap, "%.2f, 95%% CI %.2f to %.2f", x, ci[0], ci[1]);
    else
        snprintf(out, cap, "%.2f", x);
}

/* For a thesis: each pair's overall agreement as a sentence, and the
 * kappa of the codes pooled (their mean, and the range), which the table
 * does not give at a glance. */
static void write_report_lines(const quarry_agreement *a, long boot)
{
    size_t i, j;
    int said = 0;
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        double sum = 0.0, lo = 0.0, hi = 0.0;
        int n = 0;
        char k[80], al[80];
        if (f->scope != NULL || f->n_coders != 2 || f->units == 0)
            continue;
        for (j = 0; j < quarry_agreement_size(a); j++) {
            const quarry_agree_figure *g = quarry_agreement_at(a, j);
            if (g->scope == NULL || g->n_coders != 2 || isnan(g->kappa) ||
                strcmp(g->coders[0], f->coders[0]) != 0 ||
                strcmp(g->coders[1], f->coders[1]) != 0)
                continue;
            lo = n == 0 || g->kappa < lo ? g->kappa : lo;
            hi = n == 0 || g->kappa > hi ? g->kappa : hi;
            sum += g->kappa;
            n++;
        }
        if (!said++)
            printf("\nTo report (the overall figures: one code an excerpt, "
                   "on the excerpts both coded):\n");
        figure_text(f->kappa, f->kappa_ci, boot, k, sizeof k);
        figure_text(f->alpha, f->alpha_ci, boot, al, sizeof al);
        printf("  %s and %s coded %lld excerpt%s in common and agreed on "
               "%.1f%% of them (Cohen's kappa %s; Krippendorff's alpha %s)",
               f->coders[0], f->coders[1], (long long)f->units,
               f->units == 1 ? "" : "s", f->percent, k, al);
        if (f->excluded > 0)
            printf("; %lld excerpt%s with several codes from a coder left "
                   "out", (long long)f->excluded,
                   f->excluded == 1 ? "" : "s");
        if (n > 0)
            printf(". Per code (applied or not), kappa %.2f on average over "
                   "the %d code%s where it is defined (%.2f to %.2f)",
                   sum / n, n, n == 1 ? "" : "s", lo, hi);
        printf(".\n");
    }
}

static void write_table(const quarry_agreement *a, const code_names *cn,
                        long boot,
                        unsigned long long seed)
{
    size_t i, w_scope = 7, w_who = 5;
    int32_t j, n = quarry_agreement_n_coders(a);
    char buf[512];
    int notes = 0;

    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        if (f->scope != NULL && strlen(scope_label(cn, f->scope)) > w_scope)
            w_scope = strlen(scope_label(cn, f->scope));
        who(f, buf, sizeof buf);
        if (strlen(buf) > w_who)
            w_who = strlen(buf);
    }
    if (w_scope > 40)
        w_scope = 40;
    printf("%d coders (", (int)n);
    for (j = 0; j < n; j++)
        printf("%s%s", j ? ", " : "", quarry_agreement_coder(a, j));
    printf("), %lld excerpts\n", (long long)quarry_agreement_n_units(a));
    printf("percent agreement, Cohen's kappa (pairs), Krippendorff's alpha "
           "(nominal),\nGwet's AC1 and PABAK (pairs); n/a: undefined (no "
           "variation, or too few excerpts)\n");
    if (boot > 0)
        printf("[low, high]: 95%% bootstrap interval (%ld resamples of the "
               "excerpts, seed %llu)\n",
               boot, seed);
    putchar('\n');
    if (boot > 0)
        printf("%-*s  %-*s  %8s  %7s  %-20s  %-20s  %-20s  %s\n",
               (int)w_scope, "scope", (int)w_who, "coders", "excerpts",
               "percent", "kappa", "alpha", "ac1", "pabak");
    else
        printf("%-*s  %-*s  %8s  %7s  %6s  %6s  %6s  %6s\n", (int)w_scope,
               "scope", (int)w_who, "coders", "excerpts", "percent", "kappa",
               "alpha", "ac1", "pabak");
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        /* With more than two coders, a scope takes several lines. */
        if (n > 2 && i > 0 && f->scope != quarry_agreement_at(a, i - 1)->scope)
            putchar('\n');
        who(f, buf, sizeof buf);
        printf("%-*s  %-*s  %8lld", (int)w_scope,
               scope_label(cn, f->scope), (int)w_who, buf,
               (long long)f->units);
        if (isnan(f->percent))
            printf("  %7s", "n/a");
        else
            printf("  %6.1f%%", f->percent);
        table_fig(f->kappa, f->kappa_ci, boot > 0, 0);
        table_fig(f->alpha, f->alpha_ci, boot > 0, 0);
        table_fig(f->ac1, f->ac1_ci, boot > 0, 0);
        table_fig(f->pabak, f->pabak_ci, boot > 0, 1);
        putchar('\n');
    }
    {
        /* A figure on a handful of excerpts (its interval as wide as the
         * scale) is said to rest on little. */
        int few = 0;
        for (i = 0; i < quarry_agreement_size(a); i++) {
            const quarry_agree_figure *f = quarry_agreement_at(a, i);
            if (f->scope == NULL && f->units > 0 &&
                f->units < AGREE_FEW_UNITS) {
                if (!few++)
                    printf("\nOn fewer than %d excerpts in common, read with "
                           "care (a few more could change them a lot):\n",
                           AGREE_FEW_UNITS);
                who(f, buf, sizeof buf);
                printf("  %s: %lld excerpt%s\n", buf, (long long)f->units,
                       f->units == 1 ? "" : "s");
            }
        }
    }
    notes = 0;
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        if (f->scope != NULL || f->n_coders != 2 ||
            f->only[0] + f->only[1] == 0)
            continue;
        if (!notes++)
            printf("\nLeft out of every figure, where only one coder of the "
                   "pair coded an excerpt\n(the other has not coded it: "
                   "that is not counted as giving it no code):\n");
        who(f, buf, sizeof buf);
        printf("  %s:", buf);
        for (j = 0; j < 2; j++)
            if (f->only[j] > 0)
                printf("%s %lld coded by %s only", j && f->only[0] ? "," : "",
                       (long long)f->only[j], f->coders[j]);
        putchar('\n');
    }
    notes = 0;
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        if (f->scope != NULL || f->excluded == 0)
            continue;
        if (!notes++)
            printf("\nLeft out of the overall figures, where a coder gave an "
                   "excerpt several codes:\n");
        who(f, buf, sizeof buf);
        printf("  %s: %lld excerpt%s\n", buf, (long long)f->excluded,
               f->excluded == 1 ? "" : "s");
    }
    write_report_lines(a, boot);
}

/* The start of each excerpt's text, by excerpt id (from projects), for
 * the disagreements list. */
typedef struct texts {
    char **id, **text;
    size_t n, cap;
} texts;

#define TEXT_START 60 /* bytes of an excerpt shown, cut at a character */

static int keep_text(texts *x, const char *id, const char *text)
{
    size_t n;
    if (x->n > 0 && strcmp(x->id[x->n - 1], id) == 0)
        return 0; /* rows come by excerpt */
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        char **a = realloc(x->id, cap * sizeof *a), **b;
        if (a == NULL)
            return QUARRY_ENOMEM;
        x->id = a;
        b = realloc(x->text, cap * sizeof *b);
        if (b == NULL)
            return QUARRY_ENOMEM;
        x->text = b;
        x->cap = cap;
    }
    text = text ? text : "";
    n = strlen(text);
    if (n > TEXT_START) {
        n = TEXT_START;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--; /* not inside a UTF-8 sequence */
    }
    x->id[x->n] = strdup(id);
    x->text[x->n] = malloc(n + 4);
    if (x->id[x->n] == NULL || x->text[x->n] == NULL) {
        free(x->id[x->n]);
        free(x->text[x->n]);
        return QUARRY_ENOMEM;
    }
    memcpy(x->text[x->n], text, n);
    strcpy(x->text[x->n] + n, n < strlen(text) ? "..." : "");
    x->n++;
    return 0;
}

static const char *text_of(const texts *x, const char *id)
{
    size_t i;
    for (i = 0; x != NULL && i < x->n; i++)
        if (strcmp(x->id[i], id) == 0)
            return x->text[i];
    return NULL;
}

static void texts_free(texts *x)
{
    size_t i;
    for (i = 0; i < x->n; i++) {
        free(x->id[i]);
        free(x->text[i]);
    }
    free(x->id);
    free(x->text);
}

typedef struct project_ctx {
    quarry_agree_table *t;
    texts *x;
    int64_t settled; /* codings of settlements, left out */
} project_ctx;

static int add_coding(void *ctx, const quarry_coding_row *r)
{
    project_ctx *pc = ctx;
    int rc;
    /* A lead's settlement is not independent coding: comparing it with
     * the coders it settled would count the lead as a third coder who
     * agrees with one of them by construction. */
    if (r->settled) {
        pc->settled++;
        return 0;
    }
    rc = quarry_agree_table_add(pc->t, r->excerpt, r->coder, r->code);
    if (rc == 0 && pc->x != NULL)
        rc = keep_text(pc->x, r->excerpt, r->text);
    return rc;
}

/* A project's codings (and its engine's top suggestions) into t. */
static int read_project(cli *c, quarry_agree_table *t, const char *path,
                        int engine, texts *x, code_names *cn)
{
    quarry_project *p = NULL;
    project_ctx pc;
    int rc = cli_open_project(c, path, QUARRY_PROJECT_READONLY, &p);
    if (rc != QUARRY_OK)
        return rc;
    pc.t = t;
    pc.x = x;
    pc.settled = 0;
    rc = names_add(cn, p);
    if (rc == QUARRY_OK)
        rc = quarry_project_codings(p, add_coding, &pc);
    if (rc == QUARRY_OK && pc.settled > 0)
        cli_note(c, "%s: %lld coding%s made by settling disagreements left "
                    "out (a settlement is not a coder's own coding)",
                 path, (long long)pc.settled, pc.settled == 1 ? "" : "s");
    pc.x = NULL;
    if (rc == QUARRY_OK && engine)
        rc = quarry_project_top_suggestions(p, add_coding, &pc);
    if (rc != QUARRY_OK)
        cli_error(c, "%s: %s", path,
                  quarry_agree_table_errmsg(t)[0] ? quarry_agree_table_errmsg(t)
                                                  : quarry_project_errmsg(p));
    quarry_project_free(p);
    return rc;
}

/* The disagreements, in the format asked. */
typedef struct diff_out {
    const char *format;
    const texts *x;
    int64_t n;
} diff_out;

static int write_disagreement(void *ctx, const quarry_agree_disagreement *d)
{
    diff_out *o = ctx;
    const char *text = text_of(o->x, d->unit);
    int32_t i;
    if (o->n++ == 0 && strcmp(o->format, "csv") == 0) {
        printf("id,text");
        for (i = 0; i < d->n_coders; i++) {
            putchar(',');
            cli_csv_field(stdout, d->coders[i]);
        }
        putchar('\n');
    }
    if (strcmp(o->format, "csv") == 0) {
        cli_csv_field(stdout, d->unit);
        putchar(',');
        cli_csv_field(stdout, text ? text : "");
        for (i = 0; i < d->n_coders; i++) {
            putchar(',');
            if (d->codes[i] != NULL)
                cli_csv_field(stdout, d->codes[i]);
        }
        putchar('\n');
    } else if (strcmp(o->format, "jsonl") == 0) {
        json_t *j = json_object(), *codes = json_object();
        json_object_set_new(j, "id", json_string(d->unit));
        if (text != NULL)
            json_object_set_new(j, "text", json_string(text));
        for (i = 0; i < d->n_coders; i++) {
            json_t *list;
            const char *p = d->codes[i];
            if (p == NULL) {
                json_object_set_new(codes, d->coders[i], json_null());
                continue;
            }
            list = json_array();
            while (*p != '\0') {
                const char *end = strstr(p, "; ");
                size_t n = end ? (size_t)(end - p) : strlen(p);
                json_array_append_new(list, json_stringn(p, n));
                p += n + (end ? 2 : 0);
            }
            json_object_set_new(codes, d->coders[i], list);
        }
        json_object_set_new(j, "codes", codes);
        if (cli_put_json_line(stdout, j, JSON_COMPACT | JSON_PRESERVE_ORDER) !=
            0)
            return QUARRY_ENOMEM;
    } else {
        printf("%s%s%s%s\n", d->unit, text ? "  \"" : "", text ? text : "",
               text ? "\"" : "");
        for (i = 0; i < d->n_coders; i++)
            printf("  %-12s %s\n", d->coders[i],
                   d->codes[i] == NULL    ? "(did not code it)"
                   : d->codes[i][0] == 0 ? "(no code)"
                                          : d->codes[i]);
    }
    return 0;
}

/* Pairs of coders who coded no unit in common: their figures are all
 * n/a, which reads like a failure of the tool; say why. Returns how many
 * such pairs. */
static int warn_no_overlap(const cli *c, const quarry_agreement *a)
{
    size_t i, n = quarry_agreement_size(a);
    int pairs = 0;
    for (i = 0; i < n; i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        if (f->scope != NULL || f->n_coders != 2 ||
            f->units + f->excluded != 0)
            continue;
        cli_warn(c, "%s and %s coded no excerpt (id) in common, so "
                    "nothing compares them (n/a): agreement is two coders' "
                    "codes on the same excerpts",
                 f->coders[0], f->coders[1]);
        pairs++;
    }
    return pairs;
}

int cmd_agree(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, OPT_FORMAT},
        {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"help", no_argument, NULL, OPT_HELP},
        {"coders", required_argument, NULL, OPT_CODERS},
        {"suggestions", required_argument, NULL, OPT_SUGGESTIONS},
        {"engine", no_argument, NULL, OPT_ENGINE},
        {"disagreements", no_argument, NULL, OPT_DISAGREEMENTS},
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"seed", required_argument, NULL, OPT_SEED},
        {NULL, 0, NULL, 0}};
    agree_args args = {NULL, NULL, 0, 0, 1000};
    texts x;
    code_names cnames = {NULL, NULL, 0};
    quarry_agree_options ao = QUARRY_AGREE_OPTIONS_INIT;
    quarry_agree_table *t = NULL;
    quarry_agreement *a = NULL;
    const char **names = NULL;
    char *spec = NULL, list[512];
    cli c;
    int rc, code, i;

    memset(&x, 0, sizeof x);
    cli_init(&c, "agree");
    code = cli_parse(&c, argc, argv, longopts, own_option, &args, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (cli_check_format(&c, "table|jsonl|csv") != 0)
        goto out;
    if (c.read.format == QUARRY_FORMAT_TRANSCRIPT) {
        cli_error(&c, "--input-format: codings are JSONL or CSV");
        goto out;
    }
    if (optind >= argc) {
        cli_error(&c, "no FILE given (codings as JSONL or CSV, one row per "
                      "id, code and coder; see --help)");
        goto out;
    }
    if (quarry_agree_table_new(&t) != 0) {
        cli_error(&c, "out of memory");
        code = EXIT_INTERNAL;
        goto out;
    }
    for (i = optind; i < argc; i++) {
        quarry_agree_read_options ro = QUARRY_AGREE_READ_OPTIONS_INIT;
        ro.format = c.read.format;
        if (quarry_project_sniff(argv[i])) {
            rc = read_project(&c, t, argv[i], args.engine,
                              args.disagreements ? &x : NULL, &cnames);
            if (rc != 0) {
                code = cli_exit_code(rc);
                goto out;
            }
            continue;
        }
        if (args.engine) {
            cli_error(&c, "--engine: %s is not a project", argv[i]);
            goto out;
        }
        rc = quarry_agree_table_read_file(t, argv[i], &ro);
        if (rc != 0) {
            cli_error(&c, "%s", quarry_agree_table_errmsg(t));
            code = cli_exit_code(rc);
            goto out;
        }
    }
    if (args.suggestions != NULL) {
        rc = quarry_agree_table_read_suggestions(t, args.suggestions, NULL);
        if (rc != 0) {
            cli_error(&c, "%s", quarry_agree_table_errmsg(t));
            code = cli_exit_code(rc);
            goto out;
        }
    }
    if (args.coders != NULL) {
        spec = strdup(args.coders);
        if (spec == NULL) {
            cli_error(&c, "out of memory");
            code = EXIT_INTERNAL;
            goto out;
        }
        if (parse_coders(&c, t, spec, &names, &ao.n_coders) != 0)
            goto out;
        ao.coders = names;
    }
    if (quarry_agree_table_n_coders(t) < 2) {
        coder_list(t, list, sizeof list);
        cli_error(&c,
                  "agreement needs at least two coders; the input has "
                  "%d (%s): give each row a \"coder\", or one file per "
                  "coder",
                  (int)quarry_agree_table_n_coders(t), list);
        goto out;
    }
    if (args.disagreements) {
        diff_out o;
        o.format = c.format;
        o.x = &x;
        o.n = 0;
        rc = quarry_agree_disagreements(t, &ao, write_disagreement, &o);
        if (rc != 0) {
            cli_error(&c, "%s%s", args.coders ? "--coders: " : "",
                      quarry_agree_table_errmsg(t)[0]
                          ? quarry_agree_table_errmsg(t)
                          : "out of memory");
            code = cli_exit_code(rc);
            goto out;
        }
        if (c.verbose >= 0)
            fprintf(stderr, "agree: %lld excerpt%s where the coders differ\n",
                    (long long)o.n, o.n == 1 ? "" : "s");
        if (o.n == 0) {
            /* None differ: say so when it is because none overlap. */
            ao.bootstrap = 0;
            if (quarry_agreement_compute(&a, t, &ao) == 0)
                warn_no_overlap(&c, a);
        }
        code = fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
        goto out;
    }
    ao.bootstrap = (int32_t)args.bootstrap;
    ao.seed = c.seed;
    rc = quarry_agreement_compute(&a, t, &ao);
    if (rc != 0) {
        cli_error(&c, "%s%s", args.coders ? "--coders: " : "",
                  quarry_agree_table_errmsg(t));
        code = cli_exit_code(rc);
        goto out;
    }
    code = EXIT_OK;
    warn_no_overlap(&c, a);
    if (strcmp(c.format, "jsonl") == 0) {
        if (write_jsonl(a, &cnames) != 0) {
            cli_error(&c, "out of memory");
            code = EXIT_INTERNAL;
        }
    } else if (strcmp(c.format, "csv") == 0)
        write_csv(a, &cnames);
    else
        write_table(a, &cnames, args.bootstrap, (unsigned long long)c.seed);
    if (fflush(stdout) != 0) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
out:
    texts_free(&x);
    names_free(&cnames);
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
    free(names);
    free(spec);
    cli_free(&c);
    return code;
}
