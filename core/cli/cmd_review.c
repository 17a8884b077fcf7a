/* cmd_review.c -- under construction. */
#include "cli.h"
int cmd_review(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "quarry review: not built yet\n");
    return EXIT_INTERNAL;
}
