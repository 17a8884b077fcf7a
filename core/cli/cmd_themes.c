/*
 * cmd_themes.c -- `quarry themes --k K INPUT...`: candidate themes for
 * excerpts nobody has coded. Tokenize, filter, weigh and cluster with the
 * chosen plugins, then write one JSON line per theme (size, top terms,
 * representative excerpt ids, members) or, with --format table, a summary
 * for people. --k auto lets the clusterer choose k (stability unless
 * --clusterer names another); --coded FILE matches each theme to the
 * codes of coded excerpts and gathers the excerpts no code fits into new
 * themes of their own; --groups G joins the themes into G higher themes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"

enum {
    OPT_K = OPT_COMMAND_BASE,
    OPT_TOP_TERMS,
    OPT_REPS,
    OPT_DIMS,
    OPT_CODED,
    OPT_MIN_SHARE,
    OPT_TOP_CODES,
    OPT_GROUPS,
    OPT_UNCODED
};

/* The clusterer of --k auto when --clusterer is not given. */
#define AUTO_CLUSTERER "stability"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: quarry themes --k K|auto [OPTIONS] INPUT...\n"
        "       quarry themes --k K|auto [OPTIONS] PROJECT [--uncoded]\n\n"
        "Clusters the excerpts of INPUT (JSONL, CSV or transcripts; - for\n"
        "standard input), or of a project, into K candidate themes, each\n"
        "with its top terms, its most representative excerpts and its\n"
        "members.\n\n"
        "  --k K|auto              number of themes (2 .. excerpts), or auto:\n"
        "                          the clusterer chooses (default clusterer\n"
        "                          then " AUTO_CLUSTERER "; kmeans and\n"
        "                          agglomerative cannot choose)\n"
        "  --top-terms N           terms per theme (10)\n"
        "  --representatives N     excerpts nearest each centroid (3)\n"
        "  --dims N                cluster in N LSA dimensions (randomized\n"
        "                          truncated SVD of the tf-idf rows); 0 for\n"
        "                          none; skipped when N is not below both\n"
        "                          the excerpts and the terms (%d)\n"
        "  --coded FILE            coded excerpts (JSONL or CSV with code):\n"
        "                          each theme lists the codes it overlaps\n"
        "                          and says whether it is new; excerpts no\n"
        "                          code fits are gathered into themes of\n"
        "                          their own when together they are as far\n"
        "                          from every code as the codes are from\n"
        "                          each other (new: a theme the codes lack)\n"
        "  --min-share S           a theme is also new when less than this\n"
        "                          share of its excerpts are coded or fit a\n"
        "                          code (0.5; of the share coded excerpts\n"
        "                          reach)\n"
        "  --top-codes N           codes listed per theme (3)\n"
        "  --groups G              join the themes into G higher themes\n"
        "                          (Ward's linkage over the themes)\n"
        "  --uncoded               a project's excerpts nobody has coded\n"
        "                          yet (default: all of them)\n"
        "  --format jsonl|table    output (jsonl)\n\n%s",
        QUARRY_THEMES_DEFAULT_DIMS, cli_common_help);
}

/* One JSON line per theme through the streaming writer (json_out.h), byte
 * for byte what jansson's json_dumps wrote. 0; -1 when out of memory; -2
 * when the output cannot be written. */
static int write_jsonl(const cli *c, const quarry_corpus *corpus,
                       const quarry_themes *t, int coded)
{
    int32_t i, j;
    int64_t m;
    jout w;
    jout_init(&w, stdout);
    for (i = 0; i < quarry_themes_count(t) && w.err == JOUT_OK; i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        jout_begin_object(&w, NULL);
        /* Numbered from 1, as the table and the report number them. */
        jout_integer(&w, "theme", th->id + 1);
        jout_integer(&w, "size", th->size);
        jout_real(&w, "cohesion", th->cohesion);
        jout_begin_array(&w, "terms");
        for (j = 0; j < th->n_terms; j++)
            jout_string(&w, NULL, th->terms[j]);
        jout_end_array(&w);
        jout_begin_array(&w, "representatives");
        for (j = 0; j < th->n_representatives; j++)
            jout_string(
                &w, NULL,
                quarry_corpus_at(corpus, (size_t)th->representatives[j])->id);
        jout_end_array(&w);
        jout_begin_array(&w, "members");
        for (m = 0; m < th->size; m++)
            jout_string(&w, NULL,
                        quarry_corpus_at(corpus, (size_t)th->members[m])->id);
        jout_end_array(&w);
        if (th->group >= 0)
            jout_integer(&w, "group", th->group + 1);
        if (coded) {
            jout_integer(&w, "coded", th->n_coded);
            jout_begin_array(&w, "codes");
            for (j = 0; j < th->n_codes; j++) {
                jout_begin_object(&w, NULL);
                jout_string(&w, "code", th->codes[j]);
                jout_integer(&w, "count", th->code_counts[j]);
                jout_real(&w, "share", th->code_shares[j]);
                jout_end_object(&w);
            }
            jout_end_array(&w);
            jout_real(&w, "covered", th->covered);
            jout_integer(&w, "unlike", th->unlike);
            jout_real(&w, "unlike_expected", th->unlike_expected);
            jout_bool(&w, "new", th->is_new);
            jout_bool(&w, "fits_no_code", th->fits_no_code);
        }
        jout_end_object(&w);
        jout_end_line(&w);
    }
    return cli_jout_finish(c, &w);
}

static void write_theme(const quarry_corpus *corpus, const quarry_theme *th,
                        int coded)
{
    int32_t j;
    printf("Theme %d  (%lld excerpts, cohesion %.2f", th->id + 1,
           (long long)th->size, th->cohesion);
    if (th->group >= 0)
        printf(", group %d", th->group + 1);
    printf(")%s\n", coded && th->is_new ? "  NEW" : "");
    printf("  terms: ");
    for (j = 0; j < th->n_terms; j++)
        printf("%s%s", j ? ", " : "", th->terms[j]);
    if (th->n_terms == 0)
        /* labels.c: a label is in a tenth of the theme's excerpts */
        printf("(none: no word sets it apart in a tenth of its excerpts; "
               "a mixed theme, read its excerpts)");
    printf("\n");
    if (coded && th->fits_no_code)
        printf("  new: no code fits these excerpts, and together they are as "
               "far from every\n  code as the codes are from each other: a "
               "theme the codes do not have\n");
    if (coded) {
        printf("  codes: %.0f%% of its excerpts coded or fit a code; ",
               100.0 * th->covered);
        if (th->unlike > 0 && !th->fits_no_code)
            printf("%lld fit no code; ", (long long)th->unlike);
        printf("%lld coded", (long long)th->n_coded);
        for (j = 0; j < th->n_codes; j++)
            printf("%s %s %lld (%.0f%%)", j ? "," : ":", th->codes[j],
                   (long long)th->code_counts[j], 100.0 * th->code_shares[j]);
        printf("\n");
    }
    for (j = 0; j < th->n_representatives; j++) {
        const quarry_excerpt *x =
            quarry_corpus_at(corpus, (size_t)th->representatives[j]);
        printf("  %-14s \"", x->id);
        cli_print_snippet(stdout, x->text, x->text_len, 110);
        printf("\"\n");
    }
    printf("\n");
}

static void write_table(const quarry_corpus *corpus, const quarry_themes *t,
                        int coded)
{
    int32_t i, j, g;
    if (quarry_themes_group_count(t) == 0) {
        for (i = 0; i < quarry_themes_count(t); i++)
            write_theme(corpus, quarry_themes_at(t, i), coded);
        return;
    }
    for (g = 0; g < quarry_themes_group_count(t); g++) {
        const quarry_theme_group *gr = quarry_themes_group_at(t, g);
        printf("== Group %d  (%d theme%s, %lld excerpts)\n   terms: ", gr->id + 1,
               gr->n_themes, gr->n_themes == 1 ? "" : "s", (long long)gr->size);
        for (j = 0; j < gr->n_terms; j++)
            printf("%s%s", j ? ", " : "", gr->terms[j]);
        if (gr->n_terms == 0)
            printf("(none: no word sets it apart; read its themes)");
        printf("\n\n");
        for (i = 0; i < gr->n_themes; i++)
            write_theme(corpus, quarry_themes_at(t, gr->themes[i]), coded);
    }
}

typedef struct themes_args {
    quarry_themes_options to;
    const char *k;
    const char *coded;
    int clusterer_given;
    int uncoded;
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
        a->clusterer_given = 1;
        return 1;
    case OPT_UNCODED:
        a->uncoded = 1;
        return 1;
    case OPT_CODED:
        a->coded = arg;
        return 1;
    case OPT_MIN_SHARE: {
        double v;
        if (parse_double(arg, 0.0, 1.0, &v) != 0 || !(v > 0.0)) {
            cli_error(c, "--min-share: \"%s\" is not a share in (0, 1]", arg);
            return -1;
        }
        a->to.min_share = v;
        return 1;
    }
    case OPT_TOP_CODES:
        return cli_int_option(c, "--top-codes", arg, 1, 1000, &a->to.n_codes) ==
                       0
                   ? 1
                   : -1;
    case OPT_GROUPS:
        return cli_int_option(c, "--groups", arg, 1, 100000, &a->to.groups) == 0
                   ? 1
                   : -1;
    case OPT_TOP_TERMS:
        return cli_int_option(c, "--top-terms", arg, 1, 1000, &a->to.n_terms) ==
                       0
                   ? 1
                   : -1;
    case OPT_REPS:
        return cli_int_option(c, "--representatives", arg, 0, 1000,
                              &a->to.n_representatives) == 0
                   ? 1
                   : -1;
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
        {"coded", required_argument, NULL, OPT_CODED},
        {"min-share", required_argument, NULL, OPT_MIN_SHARE},
        {"top-codes", required_argument, NULL, OPT_TOP_CODES},
        {"groups", required_argument, NULL, OPT_GROUPS},
        {"uncoded", no_argument, NULL, OPT_UNCODED},
        {NULL, 0, NULL, 0}};
    themes_args args = {QUARRY_THEMES_OPTIONS_INIT, NULL, NULL, 0, 0};
    quarry_themes_options *to = &args.to;
    cli c;
    quarry_engine *e = NULL;
    quarry_corpus *corpus = NULL, *coded = NULL;
    quarry_themes *themes = NULL;
    quarry_project *p = NULL;
    long long v;
    int rc, code;
    double t = cli_now();

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
        /* k = 0: the clusterer chooses; one that cannot says so. */
        args.to.k = 0;
        if (!args.clusterer_given)
            args.to.clusterer = AUTO_CLUSTERER;
    } else if (parse_int64(args.k, -1000000000LL, 1000000000LL, &v) != 0) {
        cli_error(&c, "--k: \"%s\" is not a number of themes (or auto)",
                  args.k);
        goto out;
    } else if (v < 2) {
        /* k 0 (the library's "clusterer chooses") is spelt auto here. */
        cli_error(&c, "--k must be 2 or more (or auto), not %lld", v);
        goto out;
    } else {
        args.to.k = (int32_t)v;
    }
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
    if (optind == argc - 1 && quarry_project_sniff(argv[optind])) {
        /* A project: its excerpts, all or the uncoded ones. */
        rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
        if (rc == 0) {
            rc = quarry_project_corpus(p, args.uncoded ? QUARRY_SUBSET_UNCODED
                                                       : QUARRY_SUBSET_ALL,
                                       &corpus);
            if (rc != 0)
                cli_error(&c, "%s", quarry_project_errmsg(p));
        }
        if (rc == 0 && quarry_corpus_size(corpus) == 0) {
            cli_error(&c, "%s: no %sexcerpts to cluster", argv[optind],
                      args.uncoded ? "uncoded " : "");
            rc = QUARRY_EINVAL;
        }
    } else if (args.uncoded) {
        cli_error(&c, "--uncoded works on a project (quarry init, quarry "
                      "import); give one PROJECT");
        rc = QUARRY_EINVAL;
    } else {
        rc = cli_read_corpus(&c, argv + optind, argc - optind, &corpus);
    }
    /* Interviewer turns are left out unless --speakers says otherwise:
     * questions would make themes of their own. */
    if (rc == 0 && cli_select_speakers(&c, &corpus) != 0)
        rc = QUARRY_ENOMEM;
    if (rc == 0 && quarry_corpus_size(corpus) == 0) {
        cli_error(&c, "no excerpts left to cluster after leaving out the "
                      "other speakers' turns (--speakers all includes "
                      "them)");
        rc = QUARRY_EINVAL;
    }
    if (rc != 0) {
        code = cli_exit_code(rc);
        goto out;
    }
    if ((size_t)to->k > quarry_corpus_size(corpus)) {
        /* Said here: the library's message offers k 0, which is auto. */
        size_t n = quarry_corpus_size(corpus);
        cli_error(&c, "--k %d: more themes than the %zu excerpt%s (give at "
                      "most %zu, or auto)", to->k, n, n == 1 ? "" : "s", n);
        code = EXIT_INPUT;
        goto out;
    }
    if (args.coded != NULL) {
        quarry_read_options ro = c.read;
        size_t i, with_code = 0;
        ro.format = QUARRY_FORMAT_AUTO; /* by extension: .jsonl, .csv */
        if (strcmp(args.coded, "-") == 0) {
            cli_error(&c, "--coded: give a file (standard input is for "
                          "INPUT)");
            code = EXIT_INPUT;
            goto out;
        }
        rc = quarry_corpus_new(&coded);
        if (rc == 0)
            rc = quarry_corpus_read_file(coded, args.coded, &ro);
        if (rc != 0) {
            cli_error(&c, "--coded: %s",
                      coded ? quarry_corpus_errmsg(coded) : "out of memory");
            code = cli_exit_code(rc);
            goto out;
        }
        for (i = 0; i < quarry_corpus_size(coded); i++)
            with_code += quarry_corpus_at(coded, i)->n_codes > 0;
        if (with_code == 0) {
            cli_error(&c, "--coded %s: no excerpt has a code (field \"%s\")",
                      args.coded, ro.code_field);
            code = EXIT_INPUT;
            goto out;
        }
        to->coded = coded;
    }
    cli_phase(&c, &t, "start and read");
    rc = quarry_themes_run(&themes, e, &c.pipeline, to, corpus);
    cli_progress_done(&c);
    t = cli_now();
    if (rc != 0) {
        cli_error(&c, "%s", quarry_engine_errmsg(e));
        if (to->k == 0 && rc == QUARRY_ERANGE &&
            strcmp(to->clusterer, AUTO_CLUSTERER) != 0)
            cli_error(&c, "--k auto needs a clusterer that chooses k: "
                          "leave out --clusterer (" AUTO_CLUSTERER
                          " is used) or give a number");
        code = cli_exit_code(rc);
        goto out;
    }
    if (quarry_themes_unassigned(themes) > 0)
        cli_warn(&c,
                 "%lld excerpts are in no theme (the clusterer left them "
                 "out as noise)",
                 (long long)quarry_themes_unassigned(themes));
    if (coded != NULL && quarry_themes_unmatched(themes) > 0)
        cli_warn(&c,
                 "%lld coded excerpts share no term with any theme and "
                 "were not matched",
                 (long long)quarry_themes_unmatched(themes));
    if (quarry_engine_unused_option(e) != NULL) {
        cli_error(&c, "--option %s: no plugin of this run is called that",
                  quarry_engine_unused_option(e));
        code = EXIT_INPUT;
        goto out;
    }
    if (strcmp(c.format, "table") == 0)
        write_table(corpus, themes, coded != NULL);
    else if ((rc = write_jsonl(&c, corpus, themes, coded != NULL)) == -1) {
        cli_error(&c, "out of memory");
        code = EXIT_INTERNAL;
    }
    if (fflush(stdout) != 0 || rc == -2) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
    cli_phase(&c, &t, "write the output");
out:
    quarry_project_free(p);
    quarry_themes_free(themes);
    quarry_corpus_free(corpus);
    quarry_corpus_free(coded);
    quarry_engine_free(e);
    cli_free(&c);
    return code;
}
