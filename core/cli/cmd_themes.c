/*
 * cmd_themes.c -- `quarry themes --k K INPUT...`: candidate themes for
 * excerpts nobody has coded. Tokenize, filter, weigh and cluster with the
 * chosen plugins, then write one JSON line per theme (size, top terms,
 * representative excerpt ids, members) or, with --format table, a summary
 * for people.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_K = OPT_COMMAND_BASE, OPT_TOP_TERMS, OPT_REPS, OPT_DIMS };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry themes --k K [OPTIONS] INPUT...\n\n"
            "Clusters the excerpts of INPUT (JSONL, CSV or transcripts; - for\n"
            "standard input) into K candidate themes, each with its top terms,\n"
            "its most representative excerpts and its members.\n\n"
            "  --k K                   number of themes (2 .. excerpts)\n"
            "  --top-terms N           terms per theme (10)\n"
            "  --representatives N     excerpts nearest each centroid (3)\n"
            "  --dims N                cluster in N LSA dimensions (randomized\n"
            "                          truncated SVD of the tf-idf rows); 0 for\n"
            "                          none; skipped when N is not below both\n"
            "                          the excerpts and the terms (%d)\n"
            "  --format jsonl|table    output (jsonl)\n\n%s",
            QUARRY_THEMES_DEFAULT_DIMS, cli_common_help);
}

static int write_jsonl(const quarry_corpus *corpus, const quarry_themes *t)
{
    int32_t i, j;
    int64_t m;
    for (i = 0; i < quarry_themes_count(t); i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        json_t *o = json_object(), *terms = json_array(), *reps = json_array(),
               *members = json_array();
        char *line;
        for (j = 0; j < th->n_terms; j++)
            json_array_append_new(terms, json_string(th->terms[j]));
        for (j = 0; j < th->n_representatives; j++)
            json_array_append_new(
                reps, json_string(quarry_corpus_at(corpus, (size_t)th->representatives[j])->id));
        for (m = 0; m < th->size; m++)
            json_array_append_new(
                members,
                json_string(quarry_corpus_at(corpus, (size_t)th->members[m])->id));
        json_object_set_new(o, "theme", json_integer(th->id));
        json_object_set_new(o, "size", json_integer(th->size));
        json_object_set_new(o, "cohesion", json_real(th->cohesion));
        json_object_set_new(o, "terms", terms);
        json_object_set_new(o, "representatives", reps);
        json_object_set_new(o, "members", members);
        line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                 JSON_REAL_PRECISION(4));
        json_decref(o);
        if (line == NULL)
            return -1;
        fputs(line, stdout);
        fputc('\n', stdout);
        free(line);
    }
    return 0;
}

/* Print at most max bytes of s on one line, cut at a UTF-8 boundary. */
static void print_snippet(const char *s, size_t len, size_t max)
{
    size_t i, n = len < max ? len : max;
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    for (i = 0; i < n; i++)
        putchar(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
    if (n < len)
        fputs("...", stdout);
}

static void write_table(const quarry_corpus *corpus, const quarry_themes *t)
{
    int32_t i, j;
    for (i = 0; i < quarry_themes_count(t); i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        printf("Theme %d  (%lld excerpts, cohesion %.2f)\n", th->id,
               (long long)th->size, th->cohesion);
        printf("  terms: ");
        for (j = 0; j < th->n_terms; j++)
            printf("%s%s", j ? ", " : "", th->terms[j]);
        printf("\n");
        for (j = 0; j < th->n_representatives; j++) {
            const quarry_excerpt *x =
                quarry_corpus_at(corpus, (size_t)th->representatives[j]);
            printf("  %-14s \"", x->id);
            print_snippet(x->text, x->text_len, 110);
            printf("\"\n");
        }
        printf("\n");
    }
}

typedef struct themes_args {
    quarry_themes_options to;
    const char *k;
} themes_args;

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    themes_args *a = ctx;
    switch (opt) {
    case OPT_K:
        a->k = arg;
        return 1;
    case OPT_CLUSTERER:
        a->to.clusterer = arg;
        return 1;
    case OPT_TOP_TERMS:
        return cli_int_option(c, "--top-terms", arg, 1, 1000,
                              &a->to.n_terms) == 0 ? 1 : -1;
    case OPT_REPS:
        return cli_int_option(c, "--representatives", arg, 0, 1000,
                              &a->to.n_representatives) == 0 ? 1 : -1;
    case OPT_DIMS:
        return cli_int_option(c, "--dims", arg, 0, 100000, &a->to.dims) == 0
                   ? 1
                   : -1;
    }
    return 0;
}

int cmd_themes(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"k", required_argument, NULL, OPT_K},
        {"top-terms", required_argument, NULL, OPT_TOP_TERMS},
        {"representatives", required_argument, NULL, OPT_REPS},
        {"dims", required_argument, NULL, OPT_DIMS},
        {NULL, 0, NULL, 0}};
    themes_args args = {QUARRY_THEMES_OPTIONS_INIT, NULL};
    quarry_themes_options *to = &args.to;
    cli c;
    quarry_engine *e = NULL;
    quarry_corpus *corpus = NULL;
    quarry_themes *themes = NULL;
    long long v;
    int rc, code;

    cli_init(&c, "themes");
    code = cli_parse(&c, argc, argv, longopts, own_option, &args, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (args.k == NULL) {
        cli_error(&c, "--k is required (the number of themes; see --help)");
        goto out;
    }
    if (strcmp(args.k, "auto") == 0) {
        cli_error(&c, "--k auto needs a clusterer that chooses k; kmeans "
                      "does not: give a number");
        goto out;
    }
    if (parse_int64(args.k, -1000000000LL, 1000000000LL, &v) != 0) {
        cli_error(&c, "--k: \"%s\" is not a number of themes", args.k);
        goto out;
    }
    args.to.k = (int32_t)v;
    if (cli_check_format(&c, "jsonl|table") != 0)
        goto out;
    if (optind >= argc) {
        cli_error(&c, "no INPUT given (a JSONL, CSV or transcript file, or "
                      "- for standard input)");
        goto out;
    }
    code = EXIT_OK;
    to->seed = c.seed;

    if (cli_engine(&c, &e) != 0) {
        code = EXIT_INPUT;
        goto out;
    }
    rc = cli_read_corpus(&c, argv + optind, argc - optind, &corpus);
    if (rc != 0) {
        code = cli_exit_code(rc);
        goto out;
    }
    rc = quarry_themes_run(&themes, e, &c.pipeline, to, corpus);
    cli_progress_done(&c);
    if (rc != 0) {
        cli_error(&c, "%s", quarry_engine_errmsg(e));
        code = cli_exit_code(rc);
        goto out;
    }
    if (quarry_engine_unused_option(e) != NULL) {
        cli_error(&c, "--option %s: no plugin of this run is called that",
                  quarry_engine_unused_option(e));
        code = EXIT_INPUT;
        goto out;
    }
    if (strcmp(c.format, "table") == 0)
        write_table(corpus, themes);
    else if (write_jsonl(corpus, themes) != 0) {
        cli_error(&c, "out of memory");
        code = EXIT_INTERNAL;
    }
    if (fflush(stdout) != 0) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
out:
    quarry_themes_free(themes);
    quarry_corpus_free(corpus);
    quarry_engine_free(e);
    cli_free(&c);
    return code;
}
