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

int cmd_themes(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"k", required_argument, NULL, OPT_K},
        {"top-terms", required_argument, NULL, OPT_TOP_TERMS},
        {"representatives", required_argument, NULL, OPT_REPS},
        {"dims", required_argument, NULL, OPT_DIMS},
        {NULL, 0, NULL, 0}};
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    cli c;
    quarry_engine *e = NULL;
    quarry_corpus *corpus = NULL;
    quarry_themes *themes = NULL;
    const char *k_arg = NULL;
    long long v;
    int opt, rc, code = EXIT_OK;

    cli_init(&c, "themes");
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        int r;
        switch (opt) {
        case OPT_HELP:
            usage(stdout);
            cli_free(&c);
            return EXIT_OK;
        case OPT_K:
            k_arg = optarg;
            continue;
        case OPT_CLUSTERER:
            to.clusterer = optarg;
            continue;
        case OPT_TOP_TERMS:
            if (parse_int64(optarg, 1, 1000, &v) != 0) {
                cli_error(&c, "--top-terms: \"%s\" is not in 1..1000", optarg);
                cli_free(&c);
                return EXIT_INPUT;
            }
            to.n_terms = (int32_t)v;
            continue;
        case OPT_REPS:
            if (parse_int64(optarg, 0, 1000, &v) != 0) {
                cli_error(&c, "--representatives: \"%s\" is not in 0..1000",
                          optarg);
                cli_free(&c);
                return EXIT_INPUT;
            }
            to.n_representatives = (int32_t)v;
            continue;
        case OPT_DIMS:
            if (parse_int64(optarg, 0, 100000, &v) != 0) {
                cli_error(&c, "--dims: \"%s\" is not in 0..100000 (0 for no "
                              "reduction)",
                          optarg);
                cli_free(&c);
                return EXIT_INPUT;
            }
            to.dims = (int32_t)v;
            continue;
        case '?':
            cli_error(&c, "unknown option or missing value: \"%s\" (see "
                          "--help)",
                      argv[optind - 1]);
            cli_free(&c);
            return EXIT_INPUT;
        }
        r = cli_common_option(&c, opt, optarg);
        if (r <= 0) {
            if (r == 0)
                cli_error(&c, "unknown option \"%s\"", argv[optind - 1]);
            cli_free(&c);
            return EXIT_INPUT;
        }
    }
    if (k_arg == NULL) {
        cli_error(&c, "--k is required (the number of themes; see --help)");
        cli_free(&c);
        return EXIT_INPUT;
    }
    if (strcmp(k_arg, "auto") == 0) {
        cli_error(&c, "--k auto needs a clusterer that chooses k; kmeans "
                      "does not: give a number");
        cli_free(&c);
        return EXIT_INPUT;
    }
    if (parse_int64(k_arg, -1000000000LL, 1000000000LL, &v) != 0) {
        cli_error(&c, "--k: \"%s\" is not a number of themes", k_arg);
        cli_free(&c);
        return EXIT_INPUT;
    }
    to.k = (int32_t)v;
    if (c.format == NULL)
        c.format = "jsonl";
    if (strcmp(c.format, "jsonl") != 0 && strcmp(c.format, "table") != 0) {
        cli_error(&c, "--format: \"%s\" is not jsonl or table", c.format);
        cli_free(&c);
        return EXIT_INPUT;
    }
    if (optind >= argc) {
        cli_error(&c, "no INPUT given (a JSONL, CSV or transcript file, or "
                      "- for standard input)");
        cli_free(&c);
        return EXIT_INPUT;
    }
    to.seed = c.seed;

    if (cli_engine(&c, &e) != 0) {
        cli_free(&c);
        return EXIT_INPUT;
    }
    rc = cli_read_corpus(&c, argv + optind, argc - optind, &corpus);
    if (rc != 0) {
        code = cli_exit_code(rc);
        goto out;
    }
    rc = quarry_themes_run(&themes, e, &c.pipeline, &to, corpus);
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
