/*
 * cmd_source.c -- `quarry source list|remove PROJECT [NAME]`: the files a
 * project was made from, and taking one out again while nobody has
 * worked on it (quarry_project_source_remove), to import it again with
 * other options or a corrected file.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry source list PROJECT\n"
            "       quarry source remove PROJECT NAME\n\n"
            "list: every file imported into PROJECT, with its excerpts and\n"
            "what people did on them (codings, decisions, memos).\n"
            "remove: takes the source NAME (its file name) out with its\n"
            "excerpts and the engine's suggestions for them, so that it can\n"
            "be imported again: with other options (--interviewer,\n"
            "--segment, --encoding, --participant) or a corrected file. A\n"
            "source with a coding, a decision or a memo on one of its\n"
            "excerpts stays: removing it would lose that work.\n\n%s",
            cli_common_help);
}

static int print_row(void *ctx, const quarry_source_row *r)
{
    char when[64];
    (void)ctx;
    printf("%-28s %-10s %8lld %8lld %9lld %6lld  %s\n", r->name,
           r->format ? r->format : "", (long long)r->excerpts,
           (long long)r->codings, (long long)r->decisions,
           (long long)r->memos,
           cli_time(r->imported_at ? r->imported_at : "", when,
                    sizeof when));
    return 0;
}

int cmd_source(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS,
                                              {NULL, 0, NULL, 0}};
    quarry_project *p = NULL;
    const char *action;
    cli c;
    int code, rc;
    cli_init(&c, "source");
    code = cli_parse(&c, argc, argv, longopts, NULL, NULL, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (optind >= argc) {
        cli_error(&c, "say list or remove (see --help)");
        goto out;
    }
    action = argv[optind++];
    if (strcmp(action, "list") == 0) {
        if (argc - optind != 1) {
            cli_error(&c, "usage: quarry source list PROJECT");
            goto out;
        }
        rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
        if (rc != QUARRY_OK) {
            code = cli_exit_code(rc);
            goto out;
        }
        printf("%-28s %-10s %8s %8s %9s %6s  %s\n", "source", "format",
               "excerpts", "codings", "decisions", "memos", "imported");
        rc = quarry_project_sources(p, print_row, NULL);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
    } else if (strcmp(action, "remove") == 0) {
        quarry_source_row r;
        if (argc - optind != 2) {
            cli_error(&c, "usage: quarry source remove PROJECT NAME");
            goto out;
        }
        rc = cli_open_project(&c, argv[optind], 0, &p);
        if (rc != QUARRY_OK) {
            code = cli_exit_code(rc);
            goto out;
        }
        rc = quarry_project_source_remove(p, argv[optind + 1], &r);
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", quarry_project_errmsg(p));
            code = cli_exit_code(rc);
            goto out;
        }
        printf("removed %s: %lld excerpt%s\n", argv[optind + 1],
               (long long)r.excerpts, r.excerpts == 1 ? "" : "s");
    } else {
        cli_error(&c, "unknown action \"%s\": say list or remove", action);
        goto out;
    }
    if (fflush(stdout) != 0) {
        cli_error(&c, "cannot write the output");
        goto out;
    }
    code = EXIT_OK;
out:
    quarry_project_free(p);
    cli_free(&c);
    return code;
}
