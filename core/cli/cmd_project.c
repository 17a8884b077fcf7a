/*
 * cmd_project.c -- the project workflow around one SQLite file:
 *
 *   quarry init PROJECT [--codebook FILE]
 *   quarry import PROJECT FILE... [--coder NAME] [--add-codes]
 *   quarry codebook import PROJECT FILE
 *   quarry codebook show PROJECT [--format table|json]
 *   quarry export PROJECT [--format csv|jsonl]
 *   quarry suggest PROJECT [--top K] [--all] ...   (cmd_suggest_project)
 *
 * Every command opens the project, does one thing in one transaction, and
 * says what it did on stdout; messages go to stderr.
 */
#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

enum {
    OPT_CODER = OPT_COMMAND_BASE,
    OPT_OUTPUT,
    OPT_END,
    OPT_CRLF,
    OPT_NO_EXTERNAL,
    OPT_ADD_CODES,
    OPT_CODEBOOK,
    OPT_TOP,
    OPT_ALL,
    OPT_MIN_CONF,
    OPT_NEIGHBOURS
};

typedef struct project_args {
    quarry_refi_options refi;
    const char *output;
    const char *coder;
    const char *codebook;
    int add_codes;
    int all;
    quarry_suggest_options so;
} project_args;

int cli_find_project(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++)
        if (argv[i][0] != '-' && quarry_project_sniff(argv[i]))
            return i;
    return 0;
}

int cli_open_project(cli *c, const char *path, int flags,
                     quarry_project **out)
{
    quarry_project *p = NULL;
    const char *fixed = getenv("QUARRY_FIXED_TIME");
    int rc = quarry_project_new(&p);
    *out = NULL;
    if (rc != QUARRY_OK) {
        cli_error(c, "out of memory");
        return rc;
    }
    rc = quarry_project_open(p, path, flags);
    if (rc == QUARRY_OK && fixed != NULL && fixed[0] != '\0')
        rc = quarry_project_set_time(p, fixed);
    if (rc != QUARRY_OK) {
        cli_error(c, "%s", quarry_project_errmsg(p));
        quarry_project_free(p);
        return rc;
    }
    *out = p;
    return QUARRY_OK;
}

/* REFI-QDA notices (skipped elements, repairs) as warnings. */
static void on_notice(void *ctx, int level, const char *msg)
{
    (void)level;
    cli_warn(ctx, "%s", msg);
}

static void args_init(project_args *a, cli *c)
{
    quarry_refi_options ro = QUARRY_REFI_OPTIONS_INIT;
    memset(a, 0, sizeof *a);
    a->refi = ro;
    a->refi.notice = on_notice;
    a->refi.notice_ctx = c;
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return n > m && strcasecmp(path + n - m, ext) == 0;
}

#define REFI_HELP                                                           \
    "REFI-QDA (.qdpx, .qde, .qdc), as NVivo, ATLAS.ti, MAXQDA and\n"        \
    "QualCoder write them:\n"                                               \
    "  --end auto|inclusive|exclusive  how endPosition counts (auto: from\n" \
    "                        the quoted texts; the standard: inclusive)\n"   \
    "  --crlf auto|two|one   a CR LF line break as two characters (the\n"    \
    "                        standard) or one (ATLAS.ti)\n"                  \
    "  --no-external         refuse sources outside the archive\n"

/* ------------------------------------------------------------------ */
/* init                                                                 */


static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    project_args *a = ctx;
    double d;
    switch (opt) {
    case OPT_OUTPUT:
        a->output = arg;
        return 1;
    case OPT_END:
        if (strcmp(arg, "auto") == 0)
            a->refi.end = QUARRY_REFI_END_AUTO;
        else if (strcmp(arg, "inclusive") == 0)
            a->refi.end = QUARRY_REFI_END_INCLUSIVE;
        else if (strcmp(arg, "exclusive") == 0)
            a->refi.end = QUARRY_REFI_END_EXCLUSIVE;
        else {
            cli_error(c, "--end: \"%s\" is not auto, inclusive or exclusive",
                      arg);
            return -1;
        }
        return 1;
    case OPT_CRLF:
        if (strcmp(arg, "auto") == 0)
            a->refi.crlf = QUARRY_REFI_CRLF_AUTO;
        else if (strcmp(arg, "two") == 0)
            a->refi.crlf = QUARRY_REFI_CRLF_TWO;
        else if (strcmp(arg, "one") == 0)
            a->refi.crlf = QUARRY_REFI_CRLF_ONE;
        else {
            cli_error(c, "--crlf: \"%s\" is not auto, two or one", arg);
            return -1;
        }
        return 1;
    case OPT_NO_EXTERNAL:
        a->refi.allow_external = 0;
        return 1;
    case OPT_CODER:
        if (arg[0] == '\0') {
            cli_error(c, "--coder: the name is empty");
            return -1;
        }
        a->coder = arg;
        return 1;
    case OPT_ADD_CODES:
        a->add_codes = 1;
        return 1;
    case OPT_CODEBOOK:
        a->codebook = arg;
        return 1;
    case OPT_ALL:
        a->all = 1;
        return 1;
    case OPT_TOP:
        return cli_int_option(c, "--top", arg, 1, 1000, &a->so.top) == 0 ? 1
                                                                        : -1;
    case OPT_NEIGHBOURS:
        return cli_int_option(c, "--neighbours", arg, 0, 10000,
                              &a->so.neighbours) == 0
                   ? 1
                   : -1;
    case OPT_MIN_CONF:
        if (parse_double(arg, 0.0, 1.0, &d) != 0) {
            cli_error(c, "--min-confidence: \"%s\" is not in [0, 1]", arg);
            return -1;
        }
        a->so.min_confidence = d;
        return 1;
    }
    return 0;
}

static void init_usage(FILE *f)
{
    fprintf(f, "usage: quarry init PROJECT [--codebook FILE]\n\n"
               "Creates PROJECT, a new SQLite file holding a study: its\n"
               "excerpts, codebook, codings, suggestions and decisions. An\n"
               "existing file is never overwritten.\n\n"
               "  --codebook FILE   import a codebook (JSON) into it\n");
}

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"codebook", required_argument, NULL, OPT_CODEBOOK},
        {NULL, 0, NULL, 0}};
    project_args a;
    quarry_project *p = NULL;
    quarry_engine *e = NULL;
    cli c;
    int code, rc;
    int32_t added = 0;
    cli_init(&c, "init");
    args_init(&a, &c);
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, init_usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (optind != argc - 1) {
        cli_error(&c, optind >= argc ? "no PROJECT given (the file to create)"
                                     : "one PROJECT at a time");
        goto out;
    }
    if (quarry_project_new(&p) != QUARRY_OK) {
        code = EXIT_INTERNAL;
        goto out;
    }
    rc = quarry_project_create(p, argv[optind]);
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    if (a.codebook != NULL) {
        if (cli_engine(&c, &e) != 0)
            goto out;
        rc = quarry_project_codebook_import(p, e, a.codebook, &added, NULL);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s (the project was created without a codebook)",
                      quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
    }
    printf("created %s (project schema %d)", argv[optind],
           QUARRY_PROJECT_SCHEMA);
    if (a.codebook != NULL)
        printf(", codebook with %d codes", added);
    printf("\n");
    code = EXIT_OK;
out:
    quarry_engine_free(e);
    quarry_project_free(p);
    cli_free(&c);
    return code;
}

/* ------------------------------------------------------------------ */
/* import                                                               */

static void import_usage(FILE *f)
{
    fprintf(f,
            "usage: quarry import PROJECT FILE... [OPTIONS]\n\n"
            "Adds the excerpts of each FILE (JSONL, CSV or a speaker-turn\n"
            "transcript) to PROJECT, with the codings their \"code\" field\n"
            "carries (origin \"imported\"). Each file is imported whole or not\n"
            "at all; an excerpt id already in the project is refused.\n\n"
            "  --coder NAME          who made the codings in the files (a\n"
            "                        \"coder\" field wins; default \"imported\")\n"
            "  --add-codes           add codes missing from the codebook\n"
            "                        instead of refusing the file\n"
            "  --input-format F      jsonl|csv|transcript (default: by "
            "extension)\n"
            "  --segment S           transcripts: turn|paragraph|sentence\n\n"
            "A .qdpx (or a project.qde) brings its users as coders, its code\n"
            "tree, its text sources, selections and codings.\n" REFI_HELP);
}

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"coder", required_argument, NULL, OPT_CODER},
        {"add-codes", no_argument, NULL, OPT_ADD_CODES},
        {"end", required_argument, NULL, OPT_END},
        {"crlf", required_argument, NULL, OPT_CRLF},
        {"no-external", no_argument, NULL, OPT_NO_EXTERNAL},
        {NULL, 0, NULL, 0}};
    project_args a;
    quarry_project *p = NULL;
    cli c;
    int code, rc, i;
    cli_init(&c, "import");
    args_init(&a, &c);
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, import_usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (argc - optind < 2) {
        cli_error(&c, "usage: quarry import PROJECT FILE... (see --help)");
        goto out;
    }
    rc = cli_open_project(&c, argv[optind], 0, &p);
    if (rc != QUARRY_OK) {
        code = cli_exit_code(rc);
        goto out;
    }
    code = EXIT_OK;
    for (i = optind + 1; i < argc; i++) {
        quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
        quarry_import_stats st;
        if (has_ext(argv[i], ".qdpx") || has_ext(argv[i], ".qde")) {
            quarry_refi_stats rs;
            rc = quarry_project_import_qdpx(p, argv[i], &a.refi, &rs);
            if (rc != QUARRY_OK) {
                cli_error(&c, "%s", quarry_project_errmsg(p));
                code = cli_exit_code(rc);
                break;
            }
            printf("%s: %lld sources, %lld excerpts, %lld codings, "
                   "%lld new codes, %lld coders\n",
                   argv[i], (long long)rs.sources, (long long)rs.excerpts,
                   (long long)rs.codings, (long long)rs.codes,
                   (long long)rs.coders);
            continue;
        }
        io.read = c.read;
        io.coder = a.coder;
        io.add_codes = a.add_codes;
        rc = quarry_project_import(p, argv[i], &io, &st);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            break;
        }
        printf("%s: %lld excerpts, %lld codings", argv[i],
               (long long)st.excerpts, (long long)st.codings);
        if (st.codes > 0)
            printf(", %lld new codes", (long long)st.codes);
        printf("\n");
    }
out:
    quarry_project_free(p);
    cli_free(&c);
    return code;
}

/* ------------------------------------------------------------------ */
/* codebook                                                             */

static void codebook_usage(FILE *f)
{
    fprintf(f,
            "usage: quarry codebook import PROJECT FILE\n"
            "       quarry codebook show PROJECT [--format table|json]\n\n"
            "import: adds the codes of FILE (a JSON codebook, see\n"
            "dictionaries/codebooks/, or a REFI-QDA .qdc) to PROJECT; codes\n"
            "it already has take the file's names, parents, definitions,\n"
            "notes and colours.\n"
            "show: the code tree with how many excerpts each code has; json\n"
            "writes it back as a codebook file (`quarry export --format qdc`\n"
            "as REFI-QDA).\n");
}

static int show_json(quarry_project *p)
{
    return quarry_project_codebook_write(p, stdout);
}

static int show_table(quarry_project *p)
{
    const quarry_project_code *codes;
    int32_t n, i;
    int rc = quarry_project_codes(p, &codes, &n);
    if (rc != QUARRY_OK)
        return rc;
    if (n == 0) {
        printf("no codes yet (quarry codebook import PROJECT FILE)\n");
        return QUARRY_OK;
    }
    printf("%-36s %9s  %s\n", "code", "excerpts", "name");
    for (i = 0; i < n; i++) {
        int pad = 2 * codes[i].depth;
        int w = 36 - pad;
        printf("%*s%-*s %9lld  %s%s\n", pad, "", w < 1 ? 1 : w, codes[i].id,
               (long long)codes[i].n_excerpts,
               codes[i].name ? codes[i].name : "",
               codes[i].is_theme ? "  (theme)" : "");
    }
    return QUARRY_OK;
}

int cmd_codebook(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    quarry_project *p = NULL;
    quarry_engine *e = NULL;
    cli c;
    const char *action;
    int code, rc;
    cli_init(&c, "codebook");
    code = cli_parse(&c, argc, argv, longopts, NULL, NULL, codebook_usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (optind >= argc) {
        cli_error(&c, "say import or show (see --help)");
        goto out;
    }
    action = argv[optind++];
    if (strcmp(action, "import") == 0) {
        int32_t added = 0, updated = 0;
        if (argc - optind != 2) {
            cli_error(&c, "usage: quarry codebook import PROJECT FILE");
            goto out;
        }
        if (cli_open_project(&c, argv[optind], 0, &p) != QUARRY_OK)
            goto out;
        if (cli_engine(&c, &e) != 0)
            goto out;
        if (has_ext(argv[optind + 1], ".qdc")) {
            quarry_refi_options ro = QUARRY_REFI_OPTIONS_INIT;
            ro.notice = on_notice;
            ro.notice_ctx = &c;
            rc = quarry_project_import_qdc(p, argv[optind + 1], &ro, &added,
                                           &updated);
        } else {
            rc = quarry_project_codebook_import(p, e, argv[optind + 1],
                                                &added, &updated);
        }
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
        printf("%s: %d codes added, %d updated\n", argv[optind + 1], added,
               updated);
        code = EXIT_OK;
    } else if (strcmp(action, "show") == 0) {
        if (argc - optind != 1) {
            cli_error(&c, "usage: quarry codebook show PROJECT");
            goto out;
        }
        if (c.format == NULL)
            c.format = "table";
        if (cli_check_format(&c, "table|json") != 0)
            goto out;
        rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
        if (rc != QUARRY_OK) {
            code = cli_exit_code(rc);
            goto out;
        }
        rc = strcmp(c.format, "json") == 0 ? show_json(p) : show_table(p);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
        code = EXIT_OK;
    } else {
        cli_error(&c, "\"%s\": say import or show (see --help)", action);
    }
out:
    quarry_engine_free(e);
    quarry_project_free(p);
    cli_free(&c);
    return code;
}

/* ------------------------------------------------------------------ */
/* export                                                               */

static void export_usage(FILE *f)
{
    fprintf(f,
            "usage: quarry export PROJECT [--format F] [--output FILE]\n\n"
            "  csv, jsonl      every coding, one row each: excerpt id, code,\n"
            "                  coder, origin (manual, accepted-suggestion,\n"
            "                  imported), time, source, speaker and text, then\n"
            "                  the excerpt's attributes (JSONL: as fields;\n"
            "                  CSV: one JSON column)\n"
            "  matrix          CSV, excerpt by code, 0/1\n"
            "  cooccurrence    CSV, code by code: excerpts coded with both\n"
            "  quotes          CSV: code, name, source, speaker, excerpt, text\n"
            "  qdc             the codebook as REFI-QDA\n"
            "  decisions       the decision trail, every decision in order\n"
            "                  (undone and removed ones too): id, time, coder,\n"
            "                  excerpt, verdict, code, replacement, note,\n"
            "                  origin, batch, reverses; JSONL, or CSV when\n"
            "                  --output ends in .csv\n"
            "  qdpx            the project as REFI-QDA (needs --output): the\n"
            "                  human codings under their coders, the pending\n"
            "                  suggestions under the user \"quarry (suggestion)\"\n"
            "Suggestions nobody accepted are never listed as codings.\n\n"
            "  --output FILE   write there instead of standard output\n"
            "  --end inclusive|exclusive  endPosition in a .qdpx (inclusive)\n");
}

static int write_csv_row(void *ctx, const quarry_coding_row *r)
{
    FILE *f = ctx;
    const char *fields[9];
    int i;
    fields[0] = r->excerpt;
    fields[1] = r->code;
    fields[2] = r->coder;
    fields[3] = r->origin;
    fields[4] = r->time;
    fields[5] = r->source;
    fields[6] = r->speaker;
    fields[7] = r->text;
    fields[8] = r->attributes;
    for (i = 0; i < 9; i++) {
        const char *s = fields[i] ? fields[i] : "";
        if (i > 0)
            fputc(',', f);
        csv_fwrite(f, s, strlen(s));
    }
    fputc('\n', f);
    return ferror(f) ? QUARRY_EIO : 0;
}

static int write_jsonl_row(void *ctx, const quarry_coding_row *r)
{
    json_t *o = json_object(), *attrs;
    const char *key;
    json_t *value;
    FILE *f = ctx;
    json_object_set_new(o, "id", json_string(r->excerpt));
    json_object_set_new(o, "code", json_string(r->code));
    json_object_set_new(o, "coder", json_string(r->coder));
    json_object_set_new(o, "origin", json_string(r->origin));
    json_object_set_new(o, "time", json_string(r->time));
    json_object_set_new(o, "source", json_string(r->source));
    if (r->speaker)
        json_object_set_new(o, "speaker", json_string(r->speaker));
    json_object_set_new(o, "text", json_string(r->text));
    attrs = json_loads(r->attributes ? r->attributes : "{}", 0, NULL);
    if (json_is_object(attrs))
        json_object_foreach(attrs, key, value)
        {
            if (json_object_get(o, key) == NULL)
                json_object_set(o, key, value);
        }
    json_decref(attrs);
    if (cli_put_json_line(f, o, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
        return QUARRY_ENOMEM;
    return ferror(f) ? QUARRY_EIO : 0;
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"end", required_argument, NULL, OPT_END},
        {NULL, 0, NULL, 0}};
    project_args a;
    quarry_project *p = NULL;
    FILE *out = stdout;
    cli c;
    int code, rc;
    cli_init(&c, "export");
    args_init(&a, &c);
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, export_usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (cli_check_format(
            &c, "csv|jsonl|matrix|cooccurrence|quotes|qdc|qdpx|decisions") != 0)
        goto out;
    if (argc - optind != 1) {
        cli_error(&c, "usage: quarry export PROJECT --format F (see --help)");
        goto out;
    }
    if (strcmp(c.format, "qdpx") == 0 && a.output == NULL) {
        cli_error(&c, "--format qdpx writes a zip archive: give --output "
                      "FILE.qdpx");
        goto out;
    }
    rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
    if (rc != QUARRY_OK) {
        code = cli_exit_code(rc);
        goto out;
    }
    if (strcmp(c.format, "qdpx") == 0) {
        rc = quarry_project_export_qdpx(p, a.output, &a.refi);
        if (rc == QUARRY_OK)
            printf("wrote %s\n", a.output);
    } else {
        if (a.output != NULL && (out = fopen(a.output, "wb")) == NULL) {
            cli_error(&c, "%s: cannot write: %s", a.output, strerror(errno));
            out = stdout;
            goto out;
        }
        if (strcmp(c.format, "csv") == 0) {
            fputs("id,code,coder,origin,time,source,speaker,text,"
                  "attributes\n", out);
            rc = quarry_project_codings(p, write_csv_row, out);
        } else if (strcmp(c.format, "jsonl") == 0) {
            rc = quarry_project_codings(p, write_jsonl_row, out);
        } else if (strcmp(c.format, "matrix") == 0) {
            rc = quarry_project_export_matrix(p, out);
        } else if (strcmp(c.format, "cooccurrence") == 0) {
            rc = quarry_project_export_cooccurrence(p, out);
        } else if (strcmp(c.format, "quotes") == 0) {
            rc = quarry_project_export_quotes(p, out);
        } else if (strcmp(c.format, "decisions") == 0) {
            size_t n = a.output ? strlen(a.output) : 0;
            rc = quarry_project_export_decisions(
                p, out, n > 4 && strcmp(a.output + n - 4, ".csv") == 0);
        } else {
            rc = quarry_project_export_qdc(p, out);
        }
    }
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s", rc == QUARRY_EIO && ferror(out)
                                ? "cannot write the output"
                                : quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    code = fflush(out) == 0 && !ferror(out) ? EXIT_OK : EXIT_INTERNAL;
    if (code != EXIT_OK)
        cli_error(&c, "cannot write the output");
out:
    if (out != stdout && fclose(out) != 0 && code == EXIT_OK) {
        cli_error(&c, "%s: cannot write", a.output);
        code = EXIT_INTERNAL;
    }
    quarry_project_free(p);
    cli_free(&c);
    return code;
}

/* ------------------------------------------------------------------ */
/* suggest inside a project                                             */

static void suggest_usage(FILE *f)
{
    fprintf(f,
            "usage: quarry suggest PROJECT [OPTIONS]\n\n"
            "Learns from every coded excerpt of PROJECT (rejected suggestions\n"
            "push their codes away), ranks candidate codes for the uncoded\n"
            "ones, and stores the run and its suggestions for `quarry review`.\n"
            "Nothing becomes a coding until a person accepts it.\n\n"
            "  --top K                 suggestions per excerpt (3)\n"
            "  --min-confidence P      abstain below this confidence (0.3)\n"
            "  --neighbours N          nearest coded excerpts looked at (10;\n"
            "                          0: prototypes only)\n"
            "  --all                   suggest for coded excerpts too\n\n%s",
            cli_common_help);
}

int cmd_suggest_project(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"top", required_argument, NULL, OPT_TOP},
        {"all", no_argument, NULL, OPT_ALL},
        {"min-confidence", required_argument, NULL, OPT_MIN_CONF},
        {"neighbours", required_argument, NULL, OPT_NEIGHBOURS},
        {NULL, 0, NULL, 0}};
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_project_suggest_options ps = QUARRY_PROJECT_SUGGEST_OPTIONS_INIT;
    quarry_run_info info;
    project_args a;
    quarry_project *p = NULL;
    quarry_engine *e = NULL;
    char command[1024];
    size_t used = 0;
    cli c;
    int code, rc, i;
    cli_init(&c, "suggest");
    args_init(&a, &c);
    a.so = so;
    if (cli_suggest_defaults(&c) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, suggest_usage);
    if (code >= 0)
        goto out;
    cli_suggest_defaults_done(&c);
    code = EXIT_INPUT;
    if (argc - optind != 1) {
        cli_error(&c, "usage: quarry suggest PROJECT [OPTIONS] (see --help)");
        goto out;
    }
    rc = cli_open_project(&c, argv[optind], 0, &p);
    if (rc != QUARRY_OK) {
        code = cli_exit_code(rc);
        goto out;
    }
    if (cli_engine(&c, &e) != 0)
        goto out;
    command[0] = '\0';
    for (i = 0; i < argc && used + 2 < sizeof command; i++)
        used += (size_t)snprintf(command + used, sizeof command - used,
                                 "%s%s", i ? " " : "quarry ", argv[i]);
    ps.all = a.all;
    ps.command = command;
    rc = quarry_project_suggest(p, e, &c.pipeline, &a.so, &ps, &info);
    cli_progress_done(&c);
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    if (quarry_engine_unused_option(e) != NULL) {
        cli_error(&c, "--option %s: no plugin of this run is called that",
                  quarry_engine_unused_option(e));
        goto out;
    }
    printf("run %lld: %lld suggestions for %lld excerpts (%lld abstained), "
           "learnt from %lld coded excerpts\n",
           (long long)info.run, (long long)info.stored,
           (long long)info.input, (long long)info.abstained,
           (long long)info.train);
    if (c.verbose >= 0)
        fprintf(stderr, "quarry suggest: next: quarry review %s --coder "
                        "NAME\n", argv[optind]);
    code = EXIT_OK;
out:
    quarry_engine_free(e);
    quarry_project_free(p);
    cli_free(&c);
    return code;
}
