/*
 * cmd_serve.c -- `quarry serve PROJECT [--port N] [--coder NAME]
 * [--listen ADDR]`: the project in a web page on this computer (the
 * workbench, core/serve/). Opens the project once, prints the address to
 * open (with its token) as the one line on stdout, and serves until
 * Ctrl-C (SIGINT) or SIGTERM, then closes the project and exits 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "quarry/project_browse.h"
#include "serve.h"

enum { OPT_PORT = OPT_COMMAND_BASE, OPT_CODER, OPT_LISTEN, OPT_BLIND };

typedef struct serve_args {
    int32_t port;
    const char *coder;
    const char *listen;
    int blind;
} serve_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry serve PROJECT [--port N] [--coder NAME] "
            "[--blind] [--listen ADDR]\n\n"
            "The project in a web page on this computer: review the\n"
            "suggestions, browse the excerpts, the codebook, the charts\n"
            "and the runs. Prints the address to open in a browser (it\n"
            "carries a secret token; only this computer can connect) and\n"
            "serves until Ctrl-C.\n\n"
            "  --port N         the port (default 0: any free port)\n"
            "  --coder NAME     who decides in this page (default: the\n"
            "                   QUARRY_CODER environment variable)\n"
            "  --blind          blind coding (with --coder): the page shows no\n"
            "                   other coder's codes, disagreements or exports\n"
            "                   holding them, so coders code independently\n"
            "                   (the suggestions still learn from every\n"
            "                   coding: make the run before the coders start)\n"
            "  --listen ADDR    listen on this address instead of this\n"
            "                   computer only (others on the network can\n"
            "                   then reach the page with the token)\n"
            "Two coders may each run quarry serve on the same project file\n"
            "at once: every decision is saved when it is made.\n");
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    serve_args *a = ctx;
    switch (opt) {
    case OPT_PORT:
        return cli_int_option(c, "--port", arg, 0, 65535, &a->port) == 0 ? 1
                                                                          : -1;
    case OPT_CODER:
        a->coder = arg;
        return 1;
    case OPT_LISTEN:
        a->listen = arg;
        return 1;
    case OPT_BLIND:
        a->blind = 1;
        return 1;
    }
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"coder", required_argument, NULL, OPT_CODER},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"blind", no_argument, NULL, OPT_BLIND},
        CLI_COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    serve_args a = {0, NULL, NULL, 0};
    quarry_serve_options o;
    quarry_project *p = NULL;
    quarry_server *s = NULL;
    quarry_engine *e = NULL, *se = NULL;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    sigset_t stop;
    char err[1024];
    int code, sig = 0;
    cli c;
    /* Blocked from the start: a SIGINT or SIGTERM that comes while the
     * project opens waits for sigwait below (a clean stop, exit 0), and
     * every thread made from here on (the server's, the engine's)
     * inherits the mask, so no signal lands inside a request. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    cli_init(&c, "serve");
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (optind != argc - 1) {
        cli_error(&c, optind >= argc ? "no project named (quarry serve "
                                       "PROJECT)"
                                     : "one project at a time");
        goto out;
    }
    if (a.coder == NULL)
        a.coder = getenv("QUARRY_CODER");
    if (a.coder != NULL && a.coder[0] == '\0')
        a.coder = NULL;
    if (a.blind && a.coder == NULL) {
        cli_error(&c, "--blind hides the other coders' codes from one "
                      "coder: give --coder NAME");
        goto out;
    }
    /* The engine draws the charts (the report's). */
    if (cli_engine(&c, &e) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    /* The page's "Suggest codes" makes a run as quarry suggest PROJECT
     * does: its defaults, on an engine of its own (the charts keep
     * theirs). */
    if (cli_suggest_defaults(&c) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    cli_suggest_defaults_done(&c);
    so.top = 0; /* 3, or every code when fewer (as quarry suggest) */
    so.seed = c.seed;
    if (cli_engine(&c, &se) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    if (cli_open_project(&c, argv[optind], 0, &p) != QUARRY_OK) {
        code = EXIT_INPUT;
        goto out;
    }
    /* Another coder's server may write to the same file at the same time. */
    if (quarry_project_share(p, 1) != QUARRY_OK)
        cli_warn(&c, "%s; two servers on this project may wait for each "
                     "other", quarry_project_errmsg(p));
    memset(&o, 0, sizeof o);
    o.path = argv[optind];
    o.port = (uint16_t)a.port;
    o.coder = a.coder;
    o.blind = a.blind;
    o.listen = a.listen;
    o.engine = e;
    o.suggest_engine = se;
    o.pipeline = &c.pipeline;
    o.suggest = &so;
    if (quarry_serve_start(p, &o, &s, err, sizeof err) != QUARRY_OK) {
        cli_error(&c, "%s", err);
        code = EXIT_INPUT;
        goto out;
    }
    if (a.listen != NULL)
        cli_warn(&c, "listening on %s: anyone who can reach this address "
                     "and has the token can read and change the project",
                 a.listen);
    printf("%s\n", quarry_serve_url(s));
    fflush(stdout);
    if (c.verbose >= 0)
        fprintf(stderr,
                "quarry serve: open the address above in a browser; "
                "Ctrl-C stops%s%s%s\n",
                a.coder ? "; decisions are by " : "",
                a.coder ? a.coder : "",
                a.blind ? ", coding blind (no other coder's codes shown)"
                        : "");
    sigwait(&stop, &sig);
    quarry_serve_stop(s);
    s = NULL;
    quarry_project_share(p, 0);
    if (c.verbose >= 0)
        fprintf(stderr, "quarry serve: stopped; the project is saved\n");
    code = EXIT_OK;
out:
    quarry_serve_stop(s);
    quarry_project_free(p);
    quarry_engine_free(e);
    quarry_engine_free(se);
    cli_free(&c);
    return code;
}
