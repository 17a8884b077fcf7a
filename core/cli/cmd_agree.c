/* cmd_agree.c -- under construction. */
#include "cli.h"
int cmd_agree(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "quarry agree: not built yet\n");
    return EXIT_INTERNAL;
}
