/* cmd_bench.c -- under construction. */
#include "cli.h"
int cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "quarry bench: not built yet\n");
    return EXIT_INTERNAL;
}
