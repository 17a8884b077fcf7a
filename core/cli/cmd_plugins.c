/*
 * cmd_plugins.c -- `quarry plugins [NAME]`: every plugin found on the search
 * path with its kind, version, licence and summary; with NAME, its options
 * with type, default, range and help. Files that are refused are reported
 * on stderr with the reason, and the listing goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *type_name(quarry_opt_type t)
{
    switch (t) {
    case QUARRY_OPT_BOOL:
        return "bool";
    case QUARRY_OPT_INT:
        return "int";
    case QUARRY_OPT_DOUBLE:
        return "double";
    case QUARRY_OPT_STRING:
        return "string";
    case QUARRY_OPT_ENUM:
        return "enum";
    }
    return "?";
}

static int cmp_plugin(const void *a, const void *b)
{
    const quarry_plugin *x = *(const quarry_plugin *const *)a;
    const quarry_plugin *y = *(const quarry_plugin *const *)b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return strcmp(x->name, y->name);
}

static void show_options(const quarry_plugin *p, const char *origin)
{
    const quarry_option *o;
    printf("%s %s %s (%s)\n  %s\n  file: %s\n", quarry_kind_name(p->kind),
           p->name, p->version, p->license, p->summary, origin);
    if (p->author)
        printf("  author: %s\n", p->author);
    if (p->kind == QUARRY_KIND_CLUSTERER)
        printf("  uses: %s%s%s\n",
               (p->needs & QUARRY_NEEDS_SPARSE) ? "sparse rows" : "",
               (p->needs & QUARRY_NEEDS_SPARSE) &&
                       (p->needs & QUARRY_NEEDS_DENSE)
                   ? ", "
                   : "",
               (p->needs & QUARRY_NEEDS_DENSE) ? "dense rows" : "");
    if (p->options == NULL || p->options[0].name == NULL) {
        printf("  no options\n");
        return;
    }
    printf("  options (--option %s.KEY=VALUE):\n", p->name);
    for (o = p->options; o->name != NULL; o++) {
        char range[128] = "";
        if (o->type == QUARRY_OPT_ENUM)
            snprintf(range, sizeof range, "one of %s", o->choices);
        else if ((o->type == QUARRY_OPT_INT || o->type == QUARRY_OPT_DOUBLE) &&
                 o->min <= o->max)
            snprintf(range, sizeof range, "%g..%g", o->min, o->max);
        printf("    %-14s %-7s default %-10s %s\n", o->name, type_name(o->type),
               o->default_value, range);
        printf("      %s\n", o->help);
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: quarry plugins [NAME] [--plugin-path DIRS]\n\n"
               "Lists every plugin found (kind, name, version, licence,\n"
               "summary); with NAME, that plugin's options.\n"
               "Search path: --plugin-path, QUARRY_PLUGIN_PATH, the build\n"
               "tree, the install folder.\n");
}

int cmd_plugins(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS,
                                              {NULL, 0, NULL, 0}};
    cli c;
    quarry_engine *e = NULL;
    const quarry_plugin **list = NULL;
    size_t n, i, shown = 0;
    int rc;

    cli_init(&c, "plugins");
    rc = cli_parse(&c, argc, argv, longopts, NULL, NULL, usage);
    if (rc >= 0) {
        cli_free(&c);
        return rc;
    }
    rc = EXIT_OK;
    if (argc - optind > 1) {
        cli_error(&c, "at most one plugin name");
        cli_free(&c);
        return EXIT_INPUT;
    }
    if (cli_engine(&c, &e) != 0) {
        cli_free(&c);
        return EXIT_INTERNAL;
    }
    if (quarry_engine_load_all(e) < 0) {
        cli_error(&c, "%s", quarry_engine_errmsg(e));
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (c.verbose > 0)
        fprintf(stderr, "quarry plugins: search path:\n%s",
                quarry_engine_plugin_dirs(e));
    n = quarry_engine_plugin_count(e);
    list = malloc((n ? n : 1) * sizeof *list);
    if (list == NULL) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    for (i = 0; i < n; i++)
        list[i] = quarry_engine_plugin_at(e, i, NULL);
    qsort(list, n, sizeof *list, cmp_plugin);
    if (optind < argc) {
        const char *want = argv[optind];
        for (i = 0; i < n; i++) {
            size_t j;
            const char *origin = "";
            if (strcmp(list[i]->name, want) != 0)
                continue;
            for (j = 0; j < n; j++)
                if (quarry_engine_plugin_at(e, j, &origin) == list[i])
                    break;
            if (shown++)
                printf("\n");
            show_options(list[i], origin);
        }
        if (shown == 0) {
            cli_error(&c, "no plugin named \"%s\" (`quarry plugins` lists "
                          "them)",
                      want);
            rc = EXIT_INPUT;
        }
        goto out;
    }
    if (n == 0) {
        cli_warn(&c, "no plugins found; searched:\n%s",
                 quarry_engine_plugin_dirs(e));
    }
    printf("%-10s %-12s %-8s %-8s %s\n", "KIND", "NAME", "VERSION", "LICENSE",
           "SUMMARY");
    for (i = 0; i < n; i++)
        printf("%-10s %-12s %-8s %-8s %s\n", quarry_kind_name(list[i]->kind),
               list[i]->name, list[i]->version, list[i]->license,
               list[i]->summary);
out:
    free(list);
    quarry_engine_free(e);
    cli_free(&c);
    return rc;
}
