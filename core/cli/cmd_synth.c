/* cmd_synth.c -- under construction. */
#include "cli.h"
int cmd_synth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "quarry synth: not built yet\n");
    return EXIT_INTERNAL;
}
