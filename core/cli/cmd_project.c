/*
 * cmd_project.c -- the project workflow around one SQLite file:
 *
 *   quarry init PROJECT [--codebook FILE]
 *   quarry import PROJECT FILE... [--coder NAME] [--add-codes]
 *                 [--study S] [--participant P] [--attr KEY=VALUE]...
 *   quarry codebook import PROJECT FILE [--update] [--coder NAME]
 *   quarry codebook show PROJECT [--format table|json]
 *   quarry export PROJECT [--format F] [--coder NAME]
 *   quarry suggest PROJECT [--top K] [--all] [--format F] ...
 *
 * Every command opens the project, does one thing in one transaction, and
 * says what it did on stdout; messages go to stderr.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "cli.h"
#include "quarry/project_browse.h"
#include "quarry/project_stats.h"

enum {
    OPT_CODER = OPT_COMMAND_BASE,
    OPT_OUTPUT,
    OPT_END,
    OPT_CRLF,
    OPT_NO_EXTERNAL,
    OPT_ALLOW_EXTERNAL,
    OPT_ADD_CODES,
    OPT_CODEBOOK,
    OPT_TOP,
    OPT_ALL,
    OPT_MIN_CONF,
    OPT_NEIGHBOURS,
    OPT_STUDY,
    OPT_PARTICIPANT,
    OPT_PARTICIPANT_FROM_FILE,
    OPT_ATTR,
    OPT_SHOW,
    OPT_RUN,
    OPT_UPDATE,
    OPT_FINAL
};

typedef struct project_args {
    quarry_refi_options refi;
    const char *output;
    const char *coder;
    const char *codebook;
    int add_codes;
    int all;
    quarry_suggest_options so;
    const char *study, *participant;
    int participant_from_file; /* import: each file's stem */
    const char **attrs; /* --attr KEY=VALUE, as given */
    size_t n_attrs;
    int show;    /* suggest --show: print a stored run, make none */
    int64_t run; /* suggest --show --run N (0: the latest) */
    int final;   /* export --final: the final coding */
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
    "                        the quoted texts, then the selections'\n"     \
    "                        layout; undecided: inclusive, the standard)\n" \
    "  --crlf auto|two|one   a CR LF line break as two characters (the\n"    \
    "                        standard) or one (ATLAS.ti)\n"                  \
    "  --allow-external DIR  also read source texts the file names outside\n"  \
    "                        the archive, if they lie in DIR (by default\n"   \
    "                        only what is inside the archive is read)\n"

/* ------------------------------------------------------------------ */
/* init                                                                 */


/* --coder NAME: 1 when taken, -1 (said) when the name is empty. */
static int take_coder(cli *c, const char *arg, const char **coder)
{
    if (arg[0] == '\0') {
        cli_error(c, "--coder: the name is empty");
        return -1;
    }
    *coder = arg;
    return 1;
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    project_args *a = ctx;
    double d;
    int r = cli_linear_option(c, opt, arg, &a->so);
    if (r != 0)
        return r;
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
    case OPT_NO_EXTERNAL: /* the default now; kept for old scripts */
        a->refi.external_dir = NULL;
        return 1;
    case OPT_ALLOW_EXTERNAL:
        if (arg[0] == '\0') {
            cli_error(c, "--allow-external: the folder is empty");
            return -1;
        }
        a->refi.external_dir = arg;
        return 1;
    case OPT_SEGMENT:
        /* Also the transcripts' (cli_common_option): for a .qdpx, given
         * or not decides between it and turns-else-paragraphs. */
        a->refi.segment = strcmp(arg, "turn") == 0 ? QUARRY_REFI_SEGMENT_TURN
                          : strcmp(arg, "paragraph") == 0
                              ? QUARRY_REFI_SEGMENT_PARAGRAPH
                          : strcmp(arg, "sentence") == 0
                              ? QUARRY_REFI_SEGMENT_SENTENCE
                          : strcmp(arg, "none") == 0 ? QUARRY_REFI_SEGMENT_NONE
                                                     : a->refi.segment;
        if (strcmp(arg, "none") == 0)
            return 1;
        return 0;
    case OPT_CODER:
        return take_coder(c, arg, &a->coder);
    case OPT_ADD_CODES:
        a->add_codes = 1;
        return 1;
    case OPT_FINAL:
        a->final = 1;
        return 1;
    case OPT_STUDY:
    case OPT_PARTICIPANT:
        if (arg[0] == '\0') {
            cli_error(c, "--%s: the value is empty",
                      opt == OPT_STUDY ? "study" : "participant");
            return -1;
        }
        *(opt == OPT_STUDY ? &a->study : &a->participant) = arg;
        return 1;
    case OPT_PARTICIPANT_FROM_FILE:
        a->participant_from_file = 1;
        return 1;
    case OPT_ATTR: {
        const char **grown;
        if (strchr(arg, '=') == NULL || arg[0] == '=') {
            cli_error(c, "--attr \"%s\": give KEY=VALUE (KEY not empty, "
                         "without '=')", arg);
            return -1;
        }
        grown = realloc(a->attrs, (a->n_attrs + 1) * sizeof *grown);
        if (grown == NULL) {
            cli_error(c, "out of memory");
            return -1;
        }
        a->attrs = grown;
        a->attrs[a->n_attrs++] = arg;
        return 1;
    }
    case OPT_CODEBOOK:
        a->codebook = arg;
        return 1;
    case OPT_ALL:
        a->all = 1;
        return 1;
    case OPT_SHOW:
        a->show = 1;
        return 1;
    case OPT_RUN: {
        int n;
        if (cli_int_option(c, "--run", arg, 1, 2000000000, &n) != 0)
            return -1;
        a->run = n;
        return 1;
    }
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
               "  --codebook FILE   import a codebook (JSON, or a REFI-QDA .qdc)\n"
               "                    into it; a codebook refused (two codes\n"
               "                    under one parent with one name, an id\n"
               "                    twice, ...) leaves no PROJECT behind\n");
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
    /* The engine before the file: a failure then leaves nothing. */
    if (a.codebook != NULL && cli_engine(&c, &e) != 0)
        goto out;
    rc = quarry_project_create(p, argv[optind]);
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    if (a.codebook != NULL) {
        quarry_codebook_import_options io =
            QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT;
        quarry_codebook_import_stats st;
        io.notice = on_notice;
        io.notice_ctx = &c;
        rc = quarry_project_codebook_import_file(p, e, a.codebook, &io, &st);
        added = st.added;
        if (rc != QUARRY_OK) {
            /* A project without the codebook asked for is not what was
             * asked: the file this call made goes, so init can be run
             * again once the codebook is fixed. */
            cli_error(&c, "%s (%s not created)", quarry_project_errmsg(p),
                      argv[optind]);
            quarry_project_discard(p);
            code = cli_exit_code(rc);
            goto out;
        }
    }
    printf("created %s (project schema %d)", argv[optind],
           QUARRY_PROJECT_SCHEMA);
    if (a.codebook != NULL)
        printf(", codebook with %d code%s", added, added == 1 ? "" : "s");
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
            "Adds the excerpts of each FILE (JSONL, CSV, or a transcript:\n"
            ".txt, .md, a Word .docx or .odt, .srt or .vtt) to PROJECT, with\n"
            "the codings their \"code\" field carries (origin \"imported\").\n"
            "Each file is imported whole or not\n"
            "at all. An excerpt already in the project with the same id and\n"
            "text (a second coder's copy) adds its codings under its coder;\n"
            "the same id with another text is refused.\n\n"
            "  --coder NAME          who made the codings in the files (a\n"
            "                        \"coder\" field wins; default \"imported\")\n"
            "  --add-codes           add codes missing from the codebook\n"
            "                        instead of refusing the file\n"
            "  --study S             the study of every excerpt of the files\n"
            "  --participant P       their participant\n"
            "  --participant-from-file  each file is one participant, named\n"
            "                        by the file's name (P03.docx: P03)\n"
            "  --attr KEY=VALUE      another attribute (repeatable); these\n"
            "                        win over a transcript header or a field\n"
            "  --input-format F      jsonl|csv|transcript (default: by "
            "extension)\n"
            "  --segment S           transcripts: turn|paragraph|sentence\n"
            "  --interviewer NAME[,NAME]  transcripts: these speakers are\n"
            "                        interviewers (role attribute)\n"
            "  --id-prefix P         transcripts: ids P#1, P#2, ... (one file;\n"
            "                        default: the file's path below the\n"
            "                        common folder, without extension)\n"
            "  --delimiter D         CSV: , or ; or tab (default: as the\n"
            "                        header line shows)\n"
            "  --encoding E          the files' encoding if not UTF-8, e.g.\n"
            "                        windows-1252, latin1, utf-16 (UTF-16 with\n"
            "                        a byte-order mark is told by itself)\n"
            "  --strict              refuse a file with empty excerpts\n"
            "                        (default: leave them out, with a notice)\n\n"
            "A .qdpx (or a project.qde) brings its users as coders, its code\n"
            "tree, its text sources, selections and codings. The text no\n"
            "selection covers becomes excerpts too, for suggest: cut by\n"
            "--segment (default: by turn where the text has speaker turns,\n"
            "else by paragraph; none: not cut).\n" REFI_HELP);
}

/* The file's name without its folders and its last extension
 * ("interviews/P03.docx": "P03"), in buf. */
static const char *file_stem(const char *path, char *buf, size_t cap)
{
    const char *b = strrchr(path, '/');
    char *dot;
    snprintf(buf, cap, "%s", b ? b + 1 : path);
    dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf)
        *dot = '\0';
    return buf;
}

/* The files an import could not take, named up to IMPORT_FAILED_NAMED. */
#define IMPORT_FAILED_NAMED 5
typedef struct import_failures {
    size_t n;
    char names[1024];
} import_failures;

/* A file refused: noted, and the exit code is the first refusal's. 1 when
 * the import should stop (the project or the machine failed, not the
 * file: out of memory, a disk error), 0 to go on with the next file. */
static int import_failed(import_failures *f, int *code, int rc,
                         const char *path)
{
    size_t used = strlen(f->names);
    if (f->n < IMPORT_FAILED_NAMED && used < sizeof f->names)
        snprintf(f->names + used, sizeof f->names - used, "%s%s",
                 f->n ? ", " : "", path);
    f->n++;
    if (*code == EXIT_OK)
        *code = cli_exit_code(rc);
    return cli_exit_code(rc) != EXIT_INPUT;
}

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"coder", required_argument, NULL, OPT_CODER},
        {"add-codes", no_argument, NULL, OPT_ADD_CODES},
        {"study", required_argument, NULL, OPT_STUDY},
        {"participant", required_argument, NULL, OPT_PARTICIPANT},
        {"participant-from-file", no_argument, NULL,
         OPT_PARTICIPANT_FROM_FILE},
        {"attr", required_argument, NULL, OPT_ATTR},
        {"end", required_argument, NULL, OPT_END},
        {"crlf", required_argument, NULL, OPT_CRLF},
        {"no-external", no_argument, NULL, OPT_NO_EXTERNAL},
        {"allow-external", required_argument, NULL, OPT_ALLOW_EXTERNAL},
        {NULL, 0, NULL, 0}};
    project_args a;
    quarry_project *p = NULL;
    import_failures failed = {0, ""};
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
    if (cli_id_prefixes_check(&c, argv + optind + 1, argc - optind - 1) != 0)
        goto out;
    if (a.participant != NULL && a.participant_from_file) {
        cli_error(&c, "give --participant P (one participant for every "
                      "file) or --participant-from-file (one a file), not "
                      "both");
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
        char prefix[1024], stem[256];
        if (has_ext(argv[i], ".qdpx") || has_ext(argv[i], ".qde")) {
            quarry_refi_stats rs;
            if (a.study != NULL || a.participant != NULL ||
                a.participant_from_file || a.n_attrs > 0)
                cli_warn(&c, "%s: --study, --participant and --attr apply "
                             "to JSONL, CSV and transcripts; a REFI-QDA "
                             "project keeps its own attributes",
                         argv[i]);
            rc = quarry_project_import_qdpx(p, argv[i], &a.refi, &rs);
            if (rc != QUARRY_OK) {
                cli_error(&c, "%s", quarry_project_errmsg(p));
                if (import_failed(&failed, &code, rc, argv[i]) != 0)
                    break;
                continue;
            }
            printf("%s: %lld sources, %lld excerpts, %lld codings, "
                   "%lld new codes, %lld coders",
                   argv[i], (long long)rs.sources, (long long)rs.excerpts,
                   (long long)rs.codings, (long long)rs.codes,
                   (long long)rs.coders);
            if (rs.rest > 0)
                printf("; %lld excerpt%s of uncoded text", (long long)rs.rest,
                       rs.rest == 1 ? "" : "s");
            printf("\n");
            continue;
        }
        if (a.refi.segment == QUARRY_REFI_SEGMENT_NONE) {
            cli_error(&c, "%s: --segment none is for a .qdpx (the uncoded "
                          "text not cut); a transcript is cut by turn, "
                          "paragraph or sentence",
                      argv[i]);
            code = EXIT_INPUT;
            break;
        }
        io.read = c.read;
        io.read.id_prefix = cli_id_prefix(&c, argv + optind + 1,
                                          argc - optind - 1, i - optind - 1,
                                          prefix, sizeof prefix);
        io.coder = a.coder;
        io.add_codes = a.add_codes;
        io.study = a.study;
        io.participant = a.participant;
        if (a.participant_from_file)
            io.participant = file_stem(argv[i], stem, sizeof stem);
        io.attributes = a.attrs;
        io.n_attributes = a.n_attrs;
        if (cli_is_folder(argv[i])) {
            cli_error(&c, "%s is a folder: name the files in it (%s/*.txt, "
                          "or *.docx, *.vtt ...)",
                      argv[i], argv[i]);
            rc = QUARRY_EINVAL;
        } else {
            rc = quarry_project_import(p, argv[i], &io, &st);
            if (rc != QUARRY_OK)
                cli_error(&c, "%s", quarry_project_errmsg(p));
        }
        if (rc != QUARRY_OK) {
            if (import_failed(&failed, &code, rc, argv[i]) != 0)
                break;
            continue;
        }
        if (st.nameless > 0)
            cli_warn(&c, "%s: %lld coding%s recorded under the coder "
                         "\"imported\" (the file names no coder): give "
                         "--coder NAME to say who coded them; agreement "
                         "counts \"imported\" as a coder",
                     argv[i], (long long)st.nameless,
                     st.nameless == 1 ? "" : "s");
        if (st.excerpts == 0 && st.merged == 0)
            cli_warn(&c, "%s: no excerpt in it (is the file empty, or "
                         "every excerpt's text empty?): nothing imported",
                     argv[i]);
        else if (a.coder != NULL && st.codings == 0 && st.merged == 0 &&
            st.excerpts > 0 && !cli_is_transcript(&c, argv[i]))
            cli_warn(&c, "%s: no coding for %s: the file has no column or "
                         "field \"code\" (or \"codes\"), or it is empty "
                         "on every line; several codes in one cell are "
                         "separated by ;",
                     argv[i], a.coder);
        printf("%s: %lld excerpt%s, %lld coding%s", argv[i],
               (long long)st.excerpts, st.excerpts == 1 ? "" : "s",
               (long long)st.codings, st.codings == 1 ? "" : "s");
        if (st.codes > 0)
            printf(", %lld new code%s", (long long)st.codes,
                   st.codes == 1 ? "" : "s");
        if (st.merged > 0) {
            printf(" (%lld excerpt%s already in the project%s",
                   (long long)st.merged, st.merged == 1 ? "" : "s",
                   st.codings == 0 && st.retagged > 0 ? ""
                                                       : ": codings merged");
            if (st.retagged > 0)
                printf("; %s set on %lld of them",
                       a.study && !a.participant && a.n_attrs == 0
                           ? "study"
                           : "attributes",
                       (long long)st.retagged);
            printf(")");
        }
        printf("\n");
    }
    /* Each file went in whole or not at all: say which did not. */
    if (failed.n > 0 && i >= argc)
        cli_error(&c, "%zu of %d file%s not imported (%s%s); the others are "
                      "in the project: fix %s and import %s again",
                  failed.n, argc - optind - 1, argc - optind - 1 == 1 ? "" : "s",
                  failed.names, failed.n > IMPORT_FAILED_NAMED ? ", ..." : "",
                  failed.n == 1 ? "it" : "them", failed.n == 1 ? "it" : "them");
    else if (failed.n > 0)
        cli_error(&c, "stopped: the files after %s were not tried",
                  argv[i]);
out:
    free(a.attrs);
    quarry_project_free(p);
    cli_free(&c);
    return code;
}

/* ------------------------------------------------------------------ */
/* codebook                                                             */

static void codebook_usage(FILE *f)
{
    fprintf(f,
            "usage: quarry codebook import PROJECT FILE [--update] "
            "--coder NAME\n"
            "       quarry codebook show PROJECT [--format table|json]\n\n"
            "import: adds the codes of FILE (a JSON codebook, see\n"
            "dictionaries/codebooks/, or a REFI-QDA .qdc) that PROJECT does\n"
            "not have, and lists every code the project has otherwise than\n"
            "the file: its name, place (parent), definition, notes, keywords,\n"
            "colour. The project's codes are not changed unless you say\n"
            "--update, so that an old or a colleague's codebook never\n"
            "silently overwrites definitions you have refined. Codes are\n"
            "matched by id (a .qdc: by its GUID, then by name).\n"
            "  --update          the project's codes take the file's name,\n"
            "                    place, definition, notes, keywords, colour\n"
            "  --coder NAME      who imports (required, as for quarry code;\n"
            "                    default: the QUARRY_CODER variable): every\n"
            "                    code added and every change is recorded in\n"
            "                    the code history (quarry export PROJECT\n"
            "                    --format code-history)\n"
            "A file with two codes under one parent with one name (letter\n"
            "case aside, also with a code of the project), an id twice or a\n"
            "parent that is no code is refused whole: nothing is imported.\n"
            "Output lines: \"added CODE\", \"differs CODE\" (not applied) or\n"
            "\"changed CODE\" (--update), then the counts.\n\n"
            "show: the code tree with how many excerpts each code has; json\n"
            "writes it back as a codebook file (`quarry export --format qdc`\n"
            "as REFI-QDA).\n");
}

typedef struct codebook_args {
    const char *coder;
    int update;
} codebook_args;

static int codebook_option(cli *c, int opt, const char *arg, void *ctx)
{
    codebook_args *a = ctx;
    switch (opt) {
    case OPT_UPDATE:
        a->update = 1;
        return 1;
    case OPT_CODER:
        return take_coder(c, arg, &a->coder);
    }
    return 0;
}

/* Columns on a terminal: a wide (CJK) character takes two, a combining
 * mark none (utf8proc's widths); bytes that are not UTF-8 one each. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    while (*u != 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(u, -1, &cp);
        if (n <= 0) {
            w++;
            u++;
            continue;
        }
        w += (size_t)utf8proc_charwidth(cp);
        u += n;
    }
    return w;
}

/* A value of a change for one line: quoted, at most 60 characters (the
 * code history keeps it whole), a line break shown as a space. */
static void put_value(const char *field, const char *v)
{
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)v;
    if (v == NULL) {
        fputs(strcmp(field, "parent") == 0 ? "(top level)" : "(none)",
              stdout);
        return;
    }
    if (strcmp(field, "codable") == 0) {
        fputs(strcmp(v, "true") == 0 ? "yes" : "no (a theme)", stdout);
        return;
    }
    if (strcmp(field, "keywords") == 0) { /* a JSON list, quoted itself */
        fputs(v, stdout);
        return;
    }
    putchar('"');
    for (; *u != 0; u++) {
        if ((*u & 0xC0) != 0x80 && n++ == 60) {
            fputs("...", stdout);
            break;
        }
        putchar(*u < 0x20 ? ' ' : *u);
    }
    putchar('"');
}

static void on_change(void *ctx, const quarry_codebook_change *ch)
{
    (void)ctx;
    if (ch->field == NULL) {
        printf("added    %s  ", ch->code);
        put_value("name", ch->name);
        if (ch->after != NULL)
            printf(" under \"%s\"", ch->after);
        printf("\n");
        return;
    }
    printf("%s  %s  %s: ", ch->applied ? "changed" : "differs", ch->code,
           strcmp(ch->field, "codable") == 0 ? "codable parent" : ch->field);
    put_value(ch->field, ch->before);
    fputs(" -> ", stdout);
    put_value(ch->field, ch->after);
    printf("\n");
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
        /* Padded by what the id takes on screen, not by bytes: a CJK
         * id (a .qdc's codes take their names as ids) is as wide as it
         * looks. */
        size_t pad = 2 * (size_t)codes[i].depth;
        size_t w = pad + display_width(codes[i].id);
        printf("%*s%s%*s %9lld  %s%s\n", (int)pad, "", codes[i].id,
               w < 36 ? (int)(36 - w) : 0, "",
               (long long)codes[i].n_excerpts,
               codes[i].name ? codes[i].name : "",
               codes[i].is_theme ? "  (theme)" : "");
    }
    return QUARRY_OK;
}

int cmd_codebook(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"update", no_argument, NULL, OPT_UPDATE},
        {"coder", required_argument, NULL, OPT_CODER},
        {NULL, 0, NULL, 0}};
    quarry_project *p = NULL;
    quarry_engine *e = NULL;
    codebook_args a = {NULL, 0};
    cli c;
    const char *action;
    int code, rc;
    cli_init(&c, "codebook");
    code = cli_parse(&c, argc, argv, longopts, codebook_option, &a,
                     codebook_usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (optind >= argc) {
        cli_error(&c, "say import or show (see --help)");
        goto out;
    }
    action = argv[optind++];
    if (strcmp(action, "show") == 0 && (a.update || a.coder != NULL)) {
        cli_error(&c, "--update and --coder are for codebook import");
        goto out;
    }
    if (strcmp(action, "import") == 0) {
        quarry_codebook_import_options io =
            QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT;
        quarry_codebook_import_stats st;
        const char *file;
        if (argc - optind != 2) {
            cli_error(&c, "usage: quarry codebook import PROJECT FILE "
                          "[--update] --coder NAME");
            goto out;
        }
        file = argv[optind + 1];
        io.coder = a.coder ? a.coder : getenv("QUARRY_CODER");
        if (io.coder == NULL || io.coder[strspn(io.coder, " \t")] == '\0') {
            cli_error(&c, "who imports this codebook? give --coder NAME "
                          "(or set QUARRY_CODER): the code history names "
                          "who added or changed each code");
            goto out;
        }
        io.update = a.update;
        io.on_change = on_change;
        io.notice = on_notice;
        io.notice_ctx = &c;
        if (cli_open_project(&c, argv[optind], 0, &p) != QUARRY_OK)
            goto out;
        if (cli_engine(&c, &e) != 0)
            goto out;
        rc = quarry_project_codebook_import_file(p, e, file, &io, &st);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
        printf("%s: %d code%s added, ", file, st.added,
               st.added == 1 ? "" : "s");
        if (a.update)
            printf("%d changed, %d unchanged", st.changed, st.unchanged);
        else
            printf("%d unchanged, %d differ%s", st.unchanged, st.differ,
                   st.differ == 0 ? ""
                                  : " (not changed: --update applies the "
                                    "file's)");
        printf("%s\n", st.added + st.changed > 0
                           ? "; recorded in the code history"
                           : "");
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
            "usage: quarry export PROJECT [--format F] [--coder NAME] "
            "[--output FILE]\n\n"
            "  csv, jsonl      every coding, one row each: excerpt id, code,\n"
            "                  coder, origin (manual, accepted-suggestion,\n"
            "                  imported), time, source, speaker, text and the\n"
            "                  passage coded (empty: the whole excerpt; JSONL:\n"
            "                  passage and span, its characters, when there\n"
            "                  is one), then the excerpt's attributes (JSONL:\n"
            "                  as fields; CSV: one column per attribute)\n"
            "  matrix          CSV, excerpt by code, 0/1, then the attributes\n"
            "  cooccurrence    CSV, code by code: excerpts coded with both\n"
            "  quotes          CSV: code, name, theme (the parent), coder,\n"
            "                  study, participant, speaker, source, excerpt,\n"
            "                  text (the passage coded, else the excerpt; on\n"
            "                  one line), then the attributes\n"
            "  qdc             the codebook as REFI-QDA\n"
            "  decisions       the decision trail, every decision in order\n"
            "                  (undone and removed ones too): id, time, coder,\n"
            "                  excerpt, verdict, code, replacement, note,\n"
            "                  origin, batch, reverses, codes (a settle's\n"
            "                  final codes); JSONL, or CSV when --output\n"
            "                  ends in .csv\n"
            "  memos           every memo: id, time, coder, on (project,\n"
            "                  excerpt, code), excerpt, code, text, revises;\n"
            "                  JSONL, or CSV when --output ends in .csv\n"
            "  code-history    every edit of the codebook (quarry code): id,\n"
            "                  time, coder, op, code, before, after, detail;\n"
            "                  JSONL, or CSV when --output ends in .csv\n"
            "  qdpx            the project as REFI-QDA (needs --output): the\n"
            "                  human codings under their coders, the pending\n"
            "                  suggestions under the user \"quarry (suggestion)\"\n"
            "Suggestions nobody accepted are never listed as codings.\n\n"
            "  --coder NAME    only this coder's codings (csv, jsonl, matrix,\n"
            "                  cooccurrence, quotes; default: every coder's)\n"
            "  --final         csv and quotes: the final coding, one row a\n"
            "                  code of an excerpt: a settlement's codes\n"
            "                  (coder: who settled, origin: settled), else\n"
            "                  the codes every coder of the excerpt gave\n"
            "                  alike (coder: ana & ben, origin: agreed, or\n"
            "                  single coder when one coded it); an\n"
            "                  excerpt its coders differ on and nobody\n"
            "                  settled is left out, and counted on stderr\n"
            "  --output FILE   write there instead of standard output\n"
            "  --end inclusive|exclusive  endPosition in a .qdpx (default:\n"
            "                        as the imported .qdpx counted it, else\n"
            "                        inclusive)\n");
}

typedef struct jsonl_ctx {
    FILE *f;
    const char *coder; /* only this coder's rows, or NULL */
} jsonl_ctx;

static int write_jsonl_row(void *ctx, const quarry_coding_row *r)
{
    jsonl_ctx *jc = ctx;
    json_t *o, *attrs;
    const char *key;
    json_t *value;
    FILE *f = jc->f;
    if (jc->coder != NULL && strcmp(jc->coder, r->coder) != 0)
        return 0;
    o = json_object();
    json_object_set_new(o, "id", json_string(r->excerpt));
    json_object_set_new(o, "code", json_string(r->code));
    json_object_set_new(o, "coder", json_string(r->coder));
    json_object_set_new(o, "origin", json_string(r->origin));
    json_object_set_new(o, "time", json_string(r->time));
    json_object_set_new(o, "source", json_string(r->source));
    if (r->speaker)
        json_object_set_new(o, "speaker", json_string(r->speaker));
    json_object_set_new(o, "text", json_string(r->text));
    if (r->passage != NULL) {
        json_object_set_new(o, "passage", json_string(r->passage));
        json_object_set_new(o, "span", json_pack("[I, I]",
                                                 (json_int_t)r->span_start,
                                                 (json_int_t)r->span_end));
    }
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
        {"coder", required_argument, NULL, OPT_CODER},
        {"final", no_argument, NULL, OPT_FINAL},
        {NULL, 0, NULL, 0}};
    quarry_export_options eo = QUARRY_EXPORT_OPTIONS_INIT;
    project_args a;
    quarry_project *p = NULL;
    FILE *out = stdout;
    char *tmp = NULL;
    cli c;
    int code, rc;
    cli_init(&c, "export");
    args_init(&a, &c);
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, export_usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (cli_check_format(
            &c, "csv|jsonl|matrix|cooccurrence|quotes|qdc|qdpx|decisions|"
                "memos|code-history") != 0)
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
    if (strcmp(c.format, "qdpx") == 0 && strcmp(a.output, "-") == 0) {
        cli_error(&c, "--output -: a .qdpx is a zip archive, not text for "
                      "standard output; give a file name (--output "
                      "study.qdpx)");
        goto out;
    }
    if (a.output != NULL && strcmp(a.output, "-") == 0)
        a.output = NULL; /* standard output */
    if (a.coder != NULL &&
        (strcmp(c.format, "qdpx") == 0 || strcmp(c.format, "qdc") == 0 ||
         strcmp(c.format, "decisions") == 0 ||
         strcmp(c.format, "memos") == 0 ||
         strcmp(c.format, "code-history") == 0)) {
        cli_error(&c, "--coder: --format %s keeps every coder (it works with "
                      "csv, jsonl, matrix, cooccurrence and quotes)",
                  c.format);
        goto out;
    }
    if (a.final && (a.coder != NULL || (strcmp(c.format, "csv") != 0 &&
                                        strcmp(c.format, "quotes") != 0))) {
        cli_error(&c, "--final: %s", a.coder != NULL
                      ? "the final coding is the coders' together; give "
                        "--final or --coder, not both"
                      : "the final coding is written as --format csv or "
                        "quotes");
        goto out;
    }
    rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
    if (rc == QUARRY_OK && a.coder != NULL)
        rc = quarry_project_check_coder(p, a.coder);
    if (rc != QUARRY_OK) {
        if (p != NULL)
            cli_error(&c, "--coder: %s", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    eo.coder = a.coder;
    eo.final = a.final;
    if (strcmp(c.format, "qdpx") == 0) {
        rc = quarry_project_export_qdpx(p, a.output, &a.refi);
        if (rc == QUARRY_OK)
            printf("wrote %s\n", a.output);
    } else {
        if (a.output != NULL &&
            (out = cli_output_open(&c, a.output, &tmp)) == NULL) {
            out = stdout;
            goto out;
        }
        if (strcmp(c.format, "csv") == 0) {
            rc = quarry_project_export_csv(p, out, &eo);
        } else if (strcmp(c.format, "jsonl") == 0) {
            jsonl_ctx jc = {out, a.coder};
            rc = quarry_project_codings(p, write_jsonl_row, &jc);
        } else if (strcmp(c.format, "matrix") == 0) {
            rc = quarry_project_export_matrix(p, out, &eo);
        } else if (strcmp(c.format, "cooccurrence") == 0) {
            rc = quarry_project_export_cooccurrence(p, out, &eo);
        } else if (strcmp(c.format, "quotes") == 0) {
            rc = quarry_project_export_quotes(p, out, &eo);
        } else if (strcmp(c.format, "memos") == 0) {
            size_t n = a.output ? strlen(a.output) : 0;
            rc = cli_memos_write(
                p, out,
                n > 4 && strcmp(a.output + n - 4, ".csv") == 0 ? "csv"
                                                               : "jsonl",
                NULL, NULL);
        } else if (strcmp(c.format, "decisions") == 0) {
            size_t n = a.output ? strlen(a.output) : 0;
            rc = quarry_project_export_decisions(
                p, out, n > 4 && strcmp(a.output + n - 4, ".csv") == 0);
        } else if (strcmp(c.format, "code-history") == 0) {
            size_t n = a.output ? strlen(a.output) : 0;
            rc = quarry_project_export_code_history(
                p, out, n > 4 && strcmp(a.output + n - 4, ".csv") == 0);
        } else {
            rc = quarry_project_export_qdc(p, out);
        }
    }
    if (rc != QUARRY_OK && !(rc == QUARRY_EIO && ferror(out))) {
        cli_error(&c, "%s", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    if (a.final) {
        int64_t open_ = 0;
        if (quarry_project_count_unsettled(p, &open_) == QUARRY_OK &&
            open_ > 0)
            cli_warn(&c, "%lld excerpt%s the coders differ on and nobody "
                         "settled %s not in the final coding: settle them "
                         "(quarry review %s --coder LEAD --order "
                         "disagreements, or the page's Disagreements)",
                     (long long)open_, open_ == 1 ? "" : "s",
                     open_ == 1 ? "is" : "are", argv[optind]);
    }
    if (out != stdout) {
        code = cli_output_close(&c, out, a.output, tmp, 1) == 0
                   ? EXIT_OK
                   : EXIT_INTERNAL;
        out = stdout;
        tmp = NULL;
        if (code == EXIT_OK && c.verbose >= 0)
            printf("wrote %s\n", a.output); /* as qdpx says it */
        goto out;
    }
    code = fflush(out) == 0 && !ferror(out) ? EXIT_OK : EXIT_INTERNAL;
    if (code != EXIT_OK)
        cli_error(&c, "cannot write the output%s",
                  errno == ENOSPC ? ": the disk is full" : "");
out:
    if (out != stdout)
        cli_output_close(&c, out, a.output, tmp, 0);
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
            "  --all                   suggest for coded excerpts too\n"
            "  --format table|csv|jsonl  also print the stored suggestions\n"
            "                          (as `quarry suggest` does for files;\n"
            "                          the summary then goes to stderr)\n"
            "  --show                  print the latest stored run (table, or\n"
            "                          --format) and make no new one: what\n"
            "                          `quarry review` walks\n"
            "  --run N                 with --show: that run instead (`quarry\n"
            "                          serve` lists them on its Runs page)\n"
            "%s\n%s",
            cli_linear_help, cli_common_help);
}

/* Printing the stored run: one excerpt's rows are gathered (they come by
 * excerpt, then rank) and written when the next excerpt starts. */
typedef struct run_print {
    const char *format;
    char *excerpt;   /* the excerpt being gathered */
    json_t *line;    /* jsonl: its object */
    int err;
} run_print;

static void run_print_flush(run_print *rp)
{
    if (rp->line != NULL) {
        json_t *sg = json_object_get(rp->line, "suggestions");
        json_object_del(rp->line, "abstain");
        json_object_set_new(rp->line, "abstain",
                            json_boolean(json_array_size(sg) == 0 ||
                                         json_is_true(json_object_get(
                                             json_array_get(sg, 0),
                                             "abstain"))));
        for (size_t i = 0; i < json_array_size(sg); i++)
            json_object_del(json_array_get(sg, i), "abstain");
        if (cli_put_json_line(stdout, rp->line, /* releases it */
                              JSON_COMPACT | JSON_PRESERVE_ORDER |
                                  JSON_REAL_PRECISION(6)) != 0)
            rp->err = 1;
        rp->line = NULL;
    }
    if (strcmp(rp->format, "table") == 0 && rp->excerpt != NULL)
        printf("\n");
    free(rp->excerpt);
    rp->excerpt = NULL;
}

/* "a, b, c" from the evidence's {"term": ...} or {"id": ...} objects. */
static void print_list(const char *label, json_t *list)
{
    size_t i;
    json_t *v;
    if (json_array_size(list) == 0)
        return;
    printf("     %s", label);
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(json_object_get(v, "term"));
        if (s == NULL)
            s = json_string_value(json_object_get(v, "id"));
        printf("%s%s%s", i ? ", " : "", s ? s : "",
               json_object_get(v, "span") ? " (a passage)" : "");
    }
    printf("\n");
}

static int print_run_row(void *ctx, const quarry_run_suggestion *r)
{
    run_print *rp = ctx;
    json_t *ev = json_loads(r->evidence ? r->evidence : "{}", 0, NULL);
    int first = rp->excerpt == NULL || strcmp(rp->excerpt, r->excerpt) != 0;
    if (first) {
        run_print_flush(rp);
        rp->excerpt = strdup(r->excerpt);
        if (rp->excerpt == NULL) {
            json_decref(ev);
            return QUARRY_ENOMEM;
        }
    }
    if (strcmp(rp->format, "csv") == 0) {
        cli_csv_field(stdout, r->excerpt);
        printf(",%d,", (int)r->rank);
        cli_csv_field(stdout, r->code);
        printf(",%.4f,%.4f,%s\n", r->score, r->confidence,
               r->abstain ? "true" : "false");
    } else if (strcmp(rp->format, "table") == 0) {
        if (first) {
            printf("%s", r->excerpt);
            if (r->speaker != NULL)
                printf("  %s", r->speaker);
            printf("%s\n  \"", r->abstain ? "  (unsure: abstains)" : "");
            cli_print_snippet(stdout, r->text, strlen(r->text), 100);
            printf("\"\n");
        }
        printf("  %d. %-20s score %.2f  confidence %.2f\n", (int)r->rank,
               r->code, r->score, r->confidence);
        print_list("terms: ", json_object_get(ev, "terms"));
        print_list("like:  ", json_object_get(ev, "neighbours"));
    } else {
        json_t *sg = json_object(), *terms = json_object_get(ev, "terms");
        json_t *nb = json_object_get(ev, "neighbours"), *ids = json_array();
        size_t i;
        for (i = 0; i < json_array_size(nb); i++) /* as for files: ids */
            json_array_append(ids, json_object_get(json_array_get(nb, i),
                                                   "id"));
        if (first) {
            rp->line = json_object();
            json_object_set_new(rp->line, "id", json_string(r->excerpt));
            json_object_set_new(rp->line, "suggestions", json_array());
        }
        json_object_set_new(sg, "code", json_string(r->code));
        json_object_set_new(sg, "score", json_real(r->score));
        json_object_set_new(sg, "confidence", json_real(r->confidence));
        json_object_set_new(sg, "terms",
                            terms ? json_incref(terms) : json_array());
        json_object_set_new(sg, "neighbours", ids);
        json_object_set_new(sg, "abstain", json_boolean(r->abstain));
        json_array_append_new(json_object_get(rp->line, "suggestions"), sg);
    }
    json_decref(ev);
    return ferror(stdout) ? QUARRY_EIO : 0;
}

static int print_run(quarry_project *p, int64_t run, const char *format)
{
    run_print rp = {format, NULL, NULL, 0};
    int rc;
    if (strcmp(format, "csv") == 0)
        printf("id,rank,code,score,confidence,abstain\n");
    rc = quarry_project_run_suggestions(p, run, print_run_row, &rp);
    run_print_flush(&rp);
    return rc != 0 ? rc : rp.err ? QUARRY_ENOMEM : 0;
}

/* A run's record, for --show --run N. */
typedef struct run_find {
    int64_t want, newest;
    quarry_run_record found; /* its strings are gone once read */
    char when[64];           /* so its time is copied */
    int hit;
} run_find;

static int find_run(void *ctx, const quarry_run_record *r)
{
    run_find *f = ctx;
    if (f->newest == 0)
        f->newest = r->run;
    if (r->run == f->want) {
        f->found = *r;
        cli_time(r->started_at ? r->started_at : "", f->when,
                 sizeof f->when);
        f->hit = 1;
        return 1; /* stop */
    }
    return 0;
}

/* suggest PROJECT --show [--run N]: a stored run printed, none made. */
static int show_run(cli *c, quarry_project *p, const char *path, int64_t run)
{
    run_find f;
    int rc;
    memset(&f, 0, sizeof f);
    if (run == 0) {
        rc = quarry_project_latest_run(p, &f.found);
        f.hit = rc == QUARRY_OK && f.found.run != 0;
        if (f.hit)
            cli_time(f.found.started_at ? f.found.started_at : "", f.when,
                     sizeof f.when);
    } else {
        f.want = run;
        rc = quarry_project_runs(p, find_run, &f);
        if (rc == 1)
            rc = QUARRY_OK;
    }
    if (rc != QUARRY_OK) {
        cli_error(c, "%s", quarry_project_errmsg(p));
        return cli_exit_code(rc);
    }
    if (!f.hit) {
        if (run == 0 || f.newest == 0)
            cli_error(c, "%s has no stored run yet: `quarry suggest %s` "
                         "makes one", path, path);
        else
            cli_error(c, "--run %lld: %s has no such run (its runs are "
                         "numbered 1 to %lld)", (long long)run, path,
                      (long long)f.newest);
        return EXIT_INPUT;
    }
    fprintf(stderr,
            "quarry suggest: run %lld, made %s: %lld suggestions for %lld "
            "excerpts (%lld abstained), learnt from %lld coded excerpts\n",
            (long long)f.found.run, f.when[0] ? f.when : "(time not kept)",
            (long long)f.found.suggestions, (long long)f.found.n_input,
            (long long)f.found.abstained, (long long)f.found.n_train);
    rc = print_run(p, f.found.run, c->format ? c->format : "table");
    if (rc != QUARRY_OK || fflush(stdout) != 0) {
        cli_error(c, "cannot write the output");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

int cmd_suggest_project(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"top", required_argument, NULL, OPT_TOP},
        {"all", no_argument, NULL, OPT_ALL},
        {"min-confidence", required_argument, NULL, OPT_MIN_CONF},
        {"neighbours", required_argument, NULL, OPT_NEIGHBOURS},
        {"show", no_argument, NULL, OPT_SHOW},
        {"run", required_argument, NULL, OPT_RUN},
        CLI_LINEAR_LONG_OPTIONS,
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
    a.so.top = 0; /* unless --top: 3, or every code when fewer */
    if (cli_suggest_defaults(&c) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, suggest_usage);
    if (code >= 0)
        goto out;
    cli_suggest_defaults_done(&c);
    code = EXIT_INPUT;
    if (cli_linear_done(&c, &a.so) != 0)
        goto out;
    if (argc - optind != 1) {
        cli_error(&c, "usage: quarry suggest PROJECT [OPTIONS] (see --help)");
        goto out;
    }
    if (c.format != NULL && cli_check_format(&c, "table|csv|jsonl") != 0)
        goto out;
    if (a.run != 0 && !a.show) {
        cli_error(&c, "--run %lld: only with --show (a new run always "
                      "gets the next number)", (long long)a.run);
        goto out;
    }
    if (a.show && (a.all || a.so.top != 0)) {
        cli_error(&c, "--show prints a stored run as it was made: %s "
                      "applies when a run is made (drop --show to make one)",
                  a.all ? "--all" : "--top");
        goto out;
    }
    rc = cli_open_project(&c, argv[optind],
                          a.show ? QUARRY_PROJECT_READONLY : 0, &p);
    if (rc != QUARRY_OK) {
        code = cli_exit_code(rc);
        goto out;
    }
    if (a.show) {
        code = show_run(&c, p, argv[optind], a.run);
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
    ps.speakers = (int)c.speakers;
    a.so.seed = c.seed;
    rc = quarry_project_suggest(p, e, &c.pipeline, &a.so, &ps, &info);
    cli_progress_done(&c);
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    cli_speakers_notice(&c, info.left_out);
    if (info.codebook_only)
        cli_codebook_only_notice(&c);
    cli_auto_notice(&c, &info.choice);
    if (quarry_engine_unused_option(e) != NULL) {
        cli_error(&c, "--option %s: no plugin of this run is called that",
                  quarry_engine_unused_option(e));
        goto out;
    }
    if (c.format != NULL) {
        rc = print_run(p, info.run, c.format);
        if (rc != QUARRY_OK || fflush(stdout) != 0) {
            cli_error(&c, "cannot write the output");
            code = EXIT_INTERNAL;
            goto out;
        }
    }
    fprintf(c.format != NULL ? stderr : stdout,
            "%srun %lld: %lld suggestions for %lld excerpts (%lld "
            "abstained), %s%lld coded excerpts%s\n",
            c.format != NULL ? "quarry suggest: " : "", (long long)info.run,
            (long long)info.stored, (long long)info.input,
            (long long)info.abstained,
            info.codebook_only ? "from the codebook alone (" : "learnt from ",
            (long long)info.train, info.codebook_only ? " yet)" : "");
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
