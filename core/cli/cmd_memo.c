/*
 * cmd_memo.c -- `quarry memo PROJECT --coder NAME [--excerpt ID | --code ID]
 * "text"` adds a memo (on an excerpt, a code, or the project);
 * `quarry memo PROJECT --list [--excerpt ID | --code ID]` lists them.
 * `quarry export PROJECT --format memos` writes them through
 * cli_memos_write below.
 *
 * Memos are never changed or deleted: --revises ID adds a new version of
 * memo ID, and both stay listed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
    OPT_CODER = OPT_COMMAND_BASE,
    OPT_EXCERPT,
    OPT_CODE,
    OPT_LIST,
    OPT_REVISES
};

typedef struct memo_args {
    const char *coder, *excerpt, *code;
    int list;
    long long revises;
} memo_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry memo PROJECT --coder NAME [--excerpt ID | --code "
            "ID] \"text\"\n"
            "       quarry memo PROJECT --list [--excerpt ID | --code ID]\n"
            "                   [--format table|jsonl|csv]\n\n"
            "A memo is a note on an excerpt, on a code, or (with neither) on\n"
            "the whole project, kept in the project with its author and time.\n"
            "Memos are never changed or deleted: to edit one, add the new\n"
            "text with --revises ID; every version stays listed.\n\n"
            "  --coder NAME     who writes it (required to add; default: the\n"
            "                   QUARRY_CODER environment variable)\n"
            "  --excerpt ID     on this excerpt\n"
            "  --code ID        on this code of the codebook\n"
            "  --revises ID     a new version of memo ID, on what it is on\n"
            "                   (--excerpt or --code, if given, must match)\n"
            "  --list           list the memos (of the excerpt or code given,\n"
            "                   else all of them) instead of adding one\n"
            "  --format table|jsonl|csv   how --list writes them (default\n"
            "                   table)\n"
            "`quarry export PROJECT --format memos` writes every memo; a\n"
            ".qdpx export carries them as REFI-QDA notes.\n");
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    memo_args *a = ctx;
    switch (opt) {
    case OPT_CODER:
        a->coder = arg;
        return 1;
    case OPT_EXCERPT:
        a->excerpt = arg;
        return 1;
    case OPT_CODE:
        a->code = arg;
        return 1;
    case OPT_LIST:
        a->list = 1;
        return 1;
    case OPT_REVISES:
        if (parse_int64(arg, 1, INT64_MAX, &a->revises) != 0) {
            cli_error(c, "--revises: \"%s\" is not a memo id (a positive "
                         "number; --list shows them)", arg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

typedef struct memo_out {
    FILE *f;
    const char *format;
} memo_out;

static const char *memo_on(const quarry_memo *m)
{
    return m->excerpt ? "excerpt" : m->code ? "code" : "project";
}

/* The table a person reads; JSONL and CSV are the library's
 * (quarry_project_export_memos). */
static int put_memo(void *ctx, const quarry_memo *m)
{
    memo_out *o = ctx;
    FILE *f = o->f;
    const char *s = m->text, *nl;
    char when[64];
    fprintf(f, "memo %lld by %s, %s, on %s%s%s", (long long)m->id, m->coder,
            cli_time(m->time, when, sizeof when), memo_on(m),
            m->excerpt || m->code ? " " : "",
            m->excerpt ? m->excerpt : m->code ? m->code : "");
    if (m->revises)
        fprintf(f, " (revises memo %lld)", (long long)m->revises);
    fputs(":\n", f);
    /* Every line of the text indented, so memos stay apart. */
    while (*s != '\0') {
        nl = strchr(s, '\n');
        fprintf(f, "    %.*s\n", (int)(nl ? nl - s : (long)strlen(s)), s);
        s = nl ? nl + 1 : s + strlen(s);
    }
    return ferror(f) ? QUARRY_EIO : 0;
}

int cli_memos_write(quarry_project *p, FILE *out, const char *format,
                    const char *excerpt, const char *code)
{
    memo_out o = {out, format};
    quarry_memo_scope scope = excerpt  ? QUARRY_MEMOS_EXCERPT
                              : code ? QUARRY_MEMOS_CODE
                                     : QUARRY_MEMOS_ALL;
    if (strcmp(format, "csv") == 0 || strcmp(format, "jsonl") == 0)
        return quarry_project_export_memos(p, out, scope,
                                           excerpt ? excerpt : code,
                                           strcmp(format, "csv") == 0);
    return quarry_project_memos(p, scope, excerpt ? excerpt : code, put_memo,
                                &o);
}

/* --coder, else QUARRY_CODER; NULL when neither names one. */
static const char *coder_name(const memo_args *a)
{
    const char *name = a->coder ? a->coder : getenv("QUARRY_CODER");
    if (name == NULL || name[strspn(name, " \t")] == '\0')
        return NULL;
    return name;
}

int cmd_memo(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"coder", required_argument, NULL, OPT_CODER},
        {"excerpt", required_argument, NULL, OPT_EXCERPT},
        {"code", required_argument, NULL, OPT_CODE},
        {"list", no_argument, NULL, OPT_LIST},
        {"revises", required_argument, NULL, OPT_REVISES},
        {NULL, 0, NULL, 0}};
    memo_args a;
    quarry_project *p = NULL;
    quarry_memo m = QUARRY_MEMO_INIT;
    int64_t id = 0;
    cli c;
    int code, rc;
    memset(&a, 0, sizeof a);
    cli_init(&c, "memo");
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (a.excerpt != NULL && a.code != NULL) {
        cli_error(&c, "a memo is on an excerpt or on a code: give --excerpt "
                      "or --code, not both");
        goto out;
    }
    if (a.list) {
        if (c.format == NULL)
            c.format = "table";
        if (cli_check_format(&c, "table|jsonl|csv") != 0)
            goto out;
        if (argc - optind != 1) {
            cli_error(&c, "usage: quarry memo PROJECT --list [--excerpt ID "
                          "| --code ID] (a listing takes no text)");
            goto out;
        }
        if (cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY,
                             &p) != QUARRY_OK)
            goto out;
        rc = cli_memos_write(p, stdout, c.format, a.excerpt, a.code);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
        code = fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
        goto out;
    }
    if (c.format != NULL) {
        cli_error(&c, "--format goes with --list");
        goto out;
    }
    if (argc - optind != 2) {
        cli_error(&c, argc - optind < 2
                          ? "usage: quarry memo PROJECT --coder NAME "
                            "[--excerpt ID | --code ID] \"text\" (the text "
                            "is missing)"
                          : "give the memo's text as one argument, in "
                            "quotes");
        goto out;
    }
    m.coder = coder_name(&a);
    if (m.coder == NULL) {
        cli_error(&c, "who writes this memo? give --coder NAME (or set "
                      "QUARRY_CODER)");
        goto out;
    }
    m.text = argv[optind + 1];
    if (m.text[strspn(m.text, " \t\r\n")] == '\0') {
        cli_error(&c, "the memo's text is empty; nothing added");
        goto out;
    }
    m.excerpt = a.excerpt;
    m.code = a.code;
    m.revises = a.revises;
    if (cli_open_project(&c, argv[optind], 0, &p) != QUARRY_OK)
        goto out;
    rc = quarry_project_memo_add(p, &m, &id);
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s; nothing added", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    if (c.verbose >= 0 && m.revises != 0 && !m.excerpt && !m.code)
        /* It went where memo N is: say that, not a guess. */
        printf("memo %lld added to %s (a new version of memo %lld, on "
               "what it is on, by %s)\n",
               (long long)id, argv[optind], (long long)m.revises, m.coder);
    else if (c.verbose >= 0)
        printf("memo %lld added to %s (on %s%s%s, by %s)\n", (long long)id,
               argv[optind], memo_on(&m), m.excerpt || m.code ? " " : "",
               m.excerpt ? m.excerpt : m.code ? m.code : "", m.coder);
    code = EXIT_OK;
out:
    quarry_project_free(p);
    cli_free(&c);
    return code;
}
