/*
 * cmd_agree.c -- `quarry agree FILE...`: agreement between coders (percent
 * agreement, Cohen's kappa per pair, Krippendorff's nominal alpha), overall
 * and per code, from long-format codings (one row per id, code, coder),
 * with the top suggestions of `quarry suggest` as one more coder
 * ("quarry") when --suggestions is given. quarry/agree.h defines the
 * figures; this file reads the arguments and writes them.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_CODERS = OPT_COMMAND_BASE, OPT_SUGGESTIONS, OPT_ENGINE };

static void usage(FILE *f)
{
    fprintf(
        f, "usage: quarry agree [OPTIONS] FILE...\n\n"
           "Agreement between coders: percent agreement, Cohen's kappa for\n"
           "every pair of coders and Krippendorff's alpha (nominal, any\n"
           "number of coders, missing values), overall and per code.\n\n"
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
           "                          kappa, alpha\n"
           "  --input-format jsonl|csv  format of FILE (default: .csv is CSV,\n"
           "                          anything else JSONL)\n\n"
           "Exit 0, or 1 for bad input (the\n"
           "message names the file, the line and the field).\n");
}

typedef struct agree_args {
    const char *coders;
    const char *suggestions;
    int engine;
} agree_args;

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    agree_args *a = ctx;
    (void)c;
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
                      "--coders: unknown coder \"%s\" (the coders read: "
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

static int write_jsonl(const quarry_agreement *a)
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
        json_object_set_new(o, "coders", cs);
        json_object_set_new(o, "units", json_integer(f->units));
        json_object_set_new(o, "percent", num_or_null(f->percent));
        json_object_set_new(o, "kappa", num_or_null(f->kappa));
        json_object_set_new(o, "alpha", num_or_null(f->alpha));
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

static void write_csv(const quarry_agreement *a)
{
    size_t i;
    int32_t j;
    printf("scope,coders,units,percent,kappa,alpha\n");
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

static void write_table(const quarry_agreement *a)
{
    size_t i, w_scope = 7, w_who = 5;
    int32_t j, n = quarry_agreement_n_coders(a);
    char buf[512];
    int notes = 0;

    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        if (f->scope != NULL && strlen(f->scope) > w_scope)
            w_scope = strlen(f->scope);
        who(f, buf, sizeof buf);
        if (strlen(buf) > w_who)
            w_who = strlen(buf);
    }
    if (w_scope > 40)
        w_scope = 40;
    printf("%d coders (", (int)n);
    for (j = 0; j < n; j++)
        printf("%s%s", j ? ", " : "", quarry_agreement_coder(a, j));
    printf("), %lld units\n", (long long)quarry_agreement_n_units(a));
    printf("percent agreement, Cohen's kappa (pairs), Krippendorff's alpha "
           "(nominal);\nn/a: undefined (no variation, or too few "
           "units)\n\n");
    printf("%-*s  %-*s  %6s  %7s  %6s  %6s\n", (int)w_scope, "scope",
           (int)w_who, "coders", "units", "percent", "kappa", "alpha");
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        /* With more than two coders, a scope takes several lines. */
        if (n > 2 && i > 0 && f->scope != quarry_agreement_at(a, i - 1)->scope)
            putchar('\n');
        who(f, buf, sizeof buf);
        printf("%-*s  %-*s  %6lld", (int)w_scope,
               f->scope ? f->scope : "overall", (int)w_who, buf,
               (long long)f->units);
        if (isnan(f->percent))
            printf("  %7s", "n/a");
        else
            printf("  %6.1f%%", f->percent);
        table_num(f->kappa, "%.3f", 6);
        table_num(f->alpha, "%.3f", 6);
        putchar('\n');
    }
    for (i = 0; i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *f = quarry_agreement_at(a, i);
        if (f->scope != NULL || f->excluded == 0)
            continue;
        if (!notes++)
            printf("\nLeft out of the overall figures, where a coder gave a "
                   "unit several codes:\n");
        who(f, buf, sizeof buf);
        printf("  %s: %lld unit%s\n", buf, (long long)f->excluded,
               f->excluded == 1 ? "" : "s");
    }
}

static int add_coding(void *ctx, const quarry_coding_row *r)
{
    return quarry_agree_table_add(ctx, r->excerpt, r->coder, r->code);
}

/* A project's codings (and its engine's top suggestions) into t. */
static int read_project(cli *c, quarry_agree_table *t, const char *path,
                        int engine)
{
    quarry_project *p = NULL;
    int rc = cli_open_project(c, path, QUARRY_PROJECT_READONLY, &p);
    if (rc != QUARRY_OK)
        return rc;
    rc = quarry_project_codings(p, add_coding, t);
    if (rc == QUARRY_OK && engine)
        rc = quarry_project_top_suggestions(p, add_coding, t);
    if (rc != QUARRY_OK)
        cli_error(c, "%s: %s", path,
                  quarry_agree_table_errmsg(t)[0] ? quarry_agree_table_errmsg(t)
                                                  : quarry_project_errmsg(p));
    quarry_project_free(p);
    return rc;
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
        {NULL, 0, NULL, 0}};
    agree_args args = {NULL, NULL, 0};
    quarry_agree_options ao = QUARRY_AGREE_OPTIONS_INIT;
    quarry_agree_table *t = NULL;
    quarry_agreement *a = NULL;
    const char **names = NULL;
    char *spec = NULL, list[512];
    cli c;
    int rc, code, i;

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
            rc = read_project(&c, t, argv[i], args.engine);
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
    rc = quarry_agreement_compute(&a, t, &ao);
    if (rc != 0) {
        cli_error(&c, "%s%s", args.coders ? "--coders: " : "",
                  quarry_agree_table_errmsg(t));
        code = cli_exit_code(rc);
        goto out;
    }
    code = EXIT_OK;
    if (strcmp(c.format, "jsonl") == 0) {
        if (write_jsonl(a) != 0) {
            cli_error(&c, "out of memory");
            code = EXIT_INTERNAL;
        }
    } else if (strcmp(c.format, "csv") == 0)
        write_csv(a);
    else
        write_table(a);
    if (fflush(stdout) != 0) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
out:
    quarry_agreement_free(a);
    quarry_agree_table_free(t);
    free(names);
    free(spec);
    cli_free(&c);
    return code;
}
