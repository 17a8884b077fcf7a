/*
 * main.c -- the quarry command: dispatches to one file per subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"suggest", cmd_suggest, "ranked candidate codes learnt from coded excerpts"},
    {"themes", cmd_themes, "candidate themes for excerpts (clustering)"},
    {"bench", cmd_bench, "clustering plugins scored against gold labels"},
    {"init", cmd_init, "create a project (one SQLite file)"},
    {"import", cmd_import, "add excerpts and their codings to a project"},
    {"source", cmd_source, "list a project's files, or take one out"},
    {"codebook", cmd_codebook, "import or show a project's codebook"},
    {"code", cmd_code, "add, rename, move, merge, define or delete codes"},
    {"review", cmd_review, "decide the suggestions, one excerpt at a time"},
    {"memo", cmd_memo, "add or list memos on excerpts, codes, the project"},
    {"agree", cmd_agree, "agreement between coders (kappa, alpha)"},
    {"synth", cmd_synth, "themes against studies: the meta-synthesis table"},
    {"export", cmd_export, "a project's codings as CSV, JSONL or REFI-QDA"},
    {"report", cmd_report, "a project as one HTML report (codebook, charts)"},
    {"serve", cmd_serve, "the project in a web page on this computer"},
    {"plugins", cmd_plugins, "list plugins, or one plugin's options"},
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: quarry COMMAND [OPTIONS] [INPUT...]\n\n"
               "quarry proposes codes and themes for qualitative excerpts;\n"
               "a person decides.\n\nCommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`quarry COMMAND --help` for a command's options; "
               "`quarry --version`.\n");
}

int main(int argc, char **argv)
{
    size_t i;
    cli_blas_tune(argv);
    if (argc < 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("quarry %s (plugin ABI %d", quarry_version(),
               QUARRY_ABI_VERSION);
        if (cli_blas_core() != NULL)
            printf("; OpenBLAS, %s kernels", cli_blas_core());
        printf(")\n");
        return EXIT_OK;
    }
    /* `quarry suggest PROJECT` works inside a project. */
    if (strcmp(argv[1], "suggest") == 0 && cli_find_project(argc - 1, argv + 1))
        return cmd_suggest_project(argc - 1, argv + 1);
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "quarry: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return EXIT_INPUT;
}
