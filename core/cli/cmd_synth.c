/*
 * cmd_synth.c -- `quarry synth --codebook CB CODED...`: the meta-synthesis
 * table. Themes (or codes) against studies, each cell the excerpts coded
 * there and the distinct participants behind them, with the number of
 * studies supporting each row: the table a qualitative evidence synthesis
 * prints to show which primary studies support each theme. The counting
 * is quarry_synth_run() (quarry/metrics.h); this file reads the inputs
 * and writes the table for the terminal, as CSV or as Markdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
    OPT_CODEBOOK = OPT_COMMAND_BASE,
    OPT_LEVEL,
    OPT_STUDY_FIELD,
    OPT_PARTICIPANT_FIELD
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry synth [--codebook CB] [OPTIONS] CODED...\n"
            "       quarry synth [OPTIONS] PROJECT\n\n"
            "The meta-synthesis table of coded excerpts (JSONL or CSV; - for\n"
            "standard input): one row per theme (or code), one column per\n"
            "study; each cell gives the excerpts coded there and, in\n"
            "brackets, the distinct participants behind them. The last\n"
            "columns count the studies supporting the row and its totals.\n\n"
            "  --codebook FILE         codebook (JSON); with it, codes roll up\n"
            "                          to the top-level themes: the children of\n"
            "                          the root when the codebook has a single\n"
            "                          root (an overarching theme), else the\n"
            "                          roots\n"
            "  --level theme|code      rows (theme with a codebook, else code)\n"
            "  --study-field NAME      field naming the study (study)\n"
            "  --participant-field NAME|none\n"
            "                          field naming the participant\n"
            "                          (participant); none counts excerpts only\n"
            "  --format table|csv|markdown  output (table)\n"
            "  --input-format jsonl|csv  input (default: by extension)\n"
            "  --dictionary-path DIRS  folders searched first for the codebook\n"
            "  --quiet, --verbose      fewer or more messages on stderr\n\n"
            "An excerpt counts once in every row its codes reach; excerpts\n"
            "without a code are left out (and counted on stderr).\n");
}

typedef struct synth_args {
    const char *codebook;
    const char *level;
    quarry_synth_options so;
} synth_args;

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    synth_args *a = ctx;
    (void)c;
    switch (opt) {
    case OPT_CODEBOOK:
        a->codebook = arg;
        return 1;
    case OPT_LEVEL:
        a->level = arg;
        return 1;
    case OPT_STUDY_FIELD:
        a->so.study_field = arg;
        return 1;
    case OPT_PARTICIPANT_FIELD:
        a->so.participant_field = strcmp(arg, "none") == 0 ? NULL : arg;
        return 1;
    }
    return 0;
}

/* Bytes of s that fit in max columns, cut at a UTF-8 boundary; *cols gets
 * the columns used (one per code point). */
static size_t fit(const char *s, size_t max, size_t *cols)
{
    size_t i = 0, n = 0;
    while (s[i] != '\0' && n < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        n++;
    }
    *cols = n;
    return i;
}

static void cell_text(const quarry_synth_cell *cell, int with_parts,
                      char *buf, size_t cap)
{
    if (cell->excerpts == 0)
        snprintf(buf, cap, "-");
    else if (with_parts)
        snprintf(buf, cap, "%lld (%lld)", (long long)cell->excerpts,
                 (long long)cell->participants);
    else
        snprintf(buf, cap, "%lld", (long long)cell->excerpts);
}

static void write_table(const quarry_synth *s, const char *level,
                        int with_parts)
{
    int32_t r, j, nr = quarry_synth_n_rows(s), ns = quarry_synth_n_studies(s);
    size_t label = 5, w, cols;
    char buf[64];
    for (r = 0; r < nr; r++) {
        fit(quarry_synth_row_name(s, r), 44, &cols);
        if (cols > label)
            label = cols;
    }
    w = with_parts ? 10 : 6;
    for (j = 0; j < ns; j++)
        if (strlen(quarry_synth_study(s, j)) + 1 > w)
            w = strlen(quarry_synth_study(s, j)) + 1;
    printf("%-*s", (int)label, level);
    for (j = 0; j < ns; j++)
        printf(" %*s", (int)w, quarry_synth_study(s, j));
    printf(" %8s %*s\n", "studies", (int)w, "total");
    for (r = 0; r <= nr; r++) {
        const char *name = r < nr ? quarry_synth_row_name(s, r) : "all";
        size_t len = fit(name, 44, &cols);
        const quarry_synth_cell *tot = quarry_synth_cell_at(s, r, ns);
        printf("%.*s%*s", (int)len, name, (int)(label - cols), "");
        for (j = 0; j < ns; j++) {
            cell_text(quarry_synth_cell_at(s, r, j), with_parts, buf,
                      sizeof buf);
            printf(" %*s", (int)w, buf);
        }
        snprintf(buf, sizeof buf, "%d/%d", tot->studies, ns);
        printf(" %8s", buf);
        cell_text(tot, with_parts, buf, sizeof buf);
        printf(" %*s\n", (int)w, buf);
    }
    printf("\ncells: excerpts%s; studies: studies with at least one "
           "excerpt\n",
           with_parts ? " (distinct participants)" : "");
}

/* Long form, one line per row and study (and the totals, study "all"):
 * what R and pandas pivot. */
static void write_csv(const quarry_synth *s, const char *level,
                      int with_parts)
{
    int32_t r, j, nr = quarry_synth_n_rows(s), ns = quarry_synth_n_studies(s);
    printf("level,id,name,study,excerpts%s\n",
           with_parts ? ",participants" : "");
    for (r = 0; r <= nr; r++)
        for (j = 0; j <= ns; j++) {
            const quarry_synth_cell *cell = quarry_synth_cell_at(s, r, j);
            printf("%s,", r < nr ? level : "all");
            cli_csv_field(stdout, r < nr ? quarry_synth_row_id(s, r) : "");
            putchar(',');
            cli_csv_field(stdout, r < nr ? quarry_synth_row_name(s, r) : "");
            putchar(',');
            cli_csv_field(stdout, j < ns ? quarry_synth_study(s, j) : "all");
            printf(",%lld", (long long)cell->excerpts);
            if (with_parts)
                printf(",%lld", (long long)cell->participants);
            putchar('\n');
        }
}

static void md_text(const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_')
            putchar('\\');
        putchar(*s == '\n' ? ' ' : *s);
    }
}

static void write_markdown(const quarry_synth *s, const char *level,
                           int with_parts)
{
    int32_t r, j, nr = quarry_synth_n_rows(s), ns = quarry_synth_n_studies(s);
    char buf[64];
    printf("| %c%s |", level[0] - 'a' + 'A', level + 1);
    for (j = 0; j < ns; j++) {
        putchar(' ');
        md_text(quarry_synth_study(s, j));
        printf(" |");
    }
    printf(" Studies | Total |\n|---|");
    for (j = 0; j <= ns + 1; j++)
        printf("---:|");
    putchar('\n');
    for (r = 0; r <= nr; r++) {
        const quarry_synth_cell *tot = quarry_synth_cell_at(s, r, ns);
        printf("| ");
        if (r < nr)
            md_text(quarry_synth_row_name(s, r));
        else
            printf("**All**");
        printf(" |");
        for (j = 0; j < ns; j++) {
            cell_text(quarry_synth_cell_at(s, r, j), with_parts, buf,
                      sizeof buf);
            printf(" %s |", buf);
        }
        cell_text(tot, with_parts, buf, sizeof buf);
        printf(" %d/%d | %s |\n", tot->studies, ns, buf);
    }
    printf("\nCells: excerpts%s.\n",
           with_parts ? " (distinct participants)" : "");
}

int cmd_synth(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"codebook", required_argument, NULL, OPT_CODEBOOK},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"study-field", required_argument, NULL, OPT_STUDY_FIELD},
        {"participant-field", required_argument, NULL,
         OPT_PARTICIPANT_FIELD},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
        {"dictionary-path", required_argument, NULL, OPT_DICT_PATH},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0}};
    synth_args a = {NULL, NULL, QUARRY_SYNTH_OPTIONS_INIT};
    cli c;
    quarry_engine *e = NULL;
    quarry_corpus *corpus = NULL;
    quarry_codebook *cb = NULL;
    quarry_synth *s = NULL;
    quarry_project *p = NULL;
    const char *level;
    int code, rc;

    cli_init(&c, "synth");
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (cli_check_format(&c, "table|csv|markdown") != 0)
        goto out;
    if (optind == argc - 1 &&
        cli_refuse_folder(&c, argv[optind], "a quarry project or a file "
                                            "of coded excerpts"))
        goto out;
    /* A project: its coded excerpts, and its codebook unless one is given. */
    if (optind == argc - 1 && quarry_project_sniff(argv[optind])) {
        rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
        if (rc == QUARRY_OK && cli_engine(&c, &e) != 0)
            rc = QUARRY_EINVAL;
        if (rc == QUARRY_OK && a.codebook == NULL) {
            rc = quarry_project_codebook(p, e, &cb);
            a.so.codebook = cb;
        }
        if (rc == QUARRY_OK)
            rc = quarry_project_corpus(p, QUARRY_SUBSET_CODED, &corpus);
        if (rc != QUARRY_OK) {
            if (quarry_project_errmsg(p)[0] != '\0')
                cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
    }
    level = a.level ? a.level : (a.codebook || cb) ? "theme" : "code";
    if (strcmp(level, "theme") == 0) {
        if (a.codebook == NULL && cb == NULL) {
            cli_error(&c, "--level theme needs --codebook (themes come from "
                          "its tree); without one, count by code");
            goto out;
        }
        a.so.level = QUARRY_SYNTH_THEME;
    } else if (strcmp(level, "code") == 0) {
        a.so.level = QUARRY_SYNTH_CODE;
    } else {
        cli_error(&c, "--level: \"%s\" is not theme or code", level);
        goto out;
    }
    if (a.so.study_field[0] == '\0' ||
        (a.so.participant_field && a.so.participant_field[0] == '\0')) {
        cli_error(&c, "--study-field and --participant-field need a name");
        goto out;
    }
    if (optind >= argc) {
        cli_error(&c, "no CODED file given (JSONL or CSV of coded "
                      "excerpts, or - for standard input)");
        goto out;
    }
    if (e == NULL && cli_engine(&c, &e) != 0)
        goto out;
    if (a.codebook != NULL) {
        rc = quarry_codebook_load(&cb, e, a.codebook);
        if (rc != 0) {
            cli_error(&c, "%s", quarry_engine_errmsg(e));
            code = cli_exit_code(rc);
            goto out;
        }
        a.so.codebook = cb;
    }
    if (c.read.format == QUARRY_FORMAT_TRANSCRIPT) {
        cli_error(&c, "--input-format transcript: transcripts carry no "
                      "codes; give coded JSONL or CSV");
        goto out;
    }
    rc = corpus ? 0 : cli_read_corpus(&c, argv + optind, argc - optind, &corpus);
    if (rc != 0) {
        code = cli_exit_code(rc);
        goto out;
    }
    rc = quarry_synth_run(&s, e, corpus, &a.so);
    if (rc == QUARRY_EINVAL) {
        /* Some coded excerpts have no study: the table of those that do,
         * as the report's chart and the page count them, and a warning
         * naming one of the others and how to give it. */
        quarry_corpus *known = NULL;
        size_t left_out = 0, i, n = quarry_corpus_size(corpus);
        const char *first = NULL;
        for (i = 0; i < n && first == NULL; i++)
            if (quarry_corpus_at(corpus, i)->n_codes > 0 &&
                quarry_corpus_attribute(corpus, i, a.so.study_field) == NULL)
                first = quarry_corpus_at(corpus, i)->id;
        if (first != NULL &&
            quarry_corpus_select_attribute(corpus, a.so.study_field, &known,
                                           &left_out) == QUARRY_OK &&
            quarry_corpus_size(known) > 0) {
            int rc2 = quarry_synth_run(&s, e, known, &a.so);
            if (rc2 == 0) {
                cli_warn(&c, "%zu coded excerpt%s without a %s left out of "
                             "the table (the first: \"%s\"); give it a "
                             "\"%s\" field (in a project: quarry import "
                             "PROJECT FILE --study S)",
                         left_out, left_out == 1 ? "" : "s",
                         a.so.study_field, first, a.so.study_field);
                quarry_corpus_free(corpus);
                corpus = known;
                known = NULL;
                rc = 0;
            } else {
                rc = rc2;
            }
        }
        quarry_corpus_free(known);
    }
    if (rc != 0) {
        cli_error(&c, "%s", quarry_engine_errmsg(e));
        code = cli_exit_code(rc);
        goto out;
    }
    if (quarry_synth_cell_at(s, quarry_synth_n_rows(s),
                             quarry_synth_n_studies(s))
            ->excerpts == 0) {
        cli_error(&c, "no excerpt of the input carries a code");
        goto out;
    }
    if (quarry_synth_by_source(s) > 0)
        cli_note(&c, "%lld coded excerpt%s with no participant counted "
                     "under their transcript, one participant a file (import "
                     "a file again with --participant P to name one)",
                 (long long)quarry_synth_by_source(s),
                 quarry_synth_by_source(s) == 1 ? "" : "s");
    if (quarry_synth_uncoded(s) > 0)
        cli_warn(&c, "%lld excerpts without a code left out",
                 (long long)quarry_synth_uncoded(s));
    if (strcmp(c.format, "csv") == 0)
        write_csv(s, level, a.so.participant_field != NULL);
    else if (strcmp(c.format, "markdown") == 0)
        write_markdown(s, level, a.so.participant_field != NULL);
    else
        write_table(s, level, a.so.participant_field != NULL);
    code = EXIT_OK;
    if (fflush(stdout) != 0) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
out:
    quarry_project_free(p);
    quarry_synth_free(s);
    quarry_codebook_free(cb);
    quarry_corpus_free(corpus);
    quarry_engine_free(e);
    cli_free(&c);
    return code;
}
