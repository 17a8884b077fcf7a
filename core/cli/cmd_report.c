/*
 * cmd_report.c -- `quarry report PROJECT -o report.html`: the project as
 * one self-contained HTML page to send to a supervisor or attach to a
 * paper's supplement (core/report/report.h builds it). `--chart NAME`
 * writes one of its charts alone as an SVG file (or to standard output),
 * `--charts` lists the charts' names. This file reads the options, opens
 * the project read-only and writes the page whole or not at all (a
 * temporary file renamed over the output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report.h"

enum {
    OPT_OUTPUT = OPT_COMMAND_BASE,
    OPT_TITLE,
    OPT_BOOTSTRAP,
    OPT_CHART,
    OPT_CHARTS
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry report PROJECT -o FILE.html [OPTIONS]\n"
            "       quarry report PROJECT --chart NAME [-o FILE.svg]\n"
            "       quarry report --charts\n\n"
            "The project as one HTML page that opens in any browser and\n"
            "prints well: counts, the codebook with definitions and\n"
            "exemplar quotes, charts (code frequencies by study and by\n"
            "coder, co-occurrence, themes by study with the theme\n"
            "roll-up), agreement between coders (and with the engine) per\n"
            "code, how the suggestions were made and how far their\n"
            "confidence can be trusted, and candidate themes. The file is\n"
            "self-contained: no script, nothing loaded from elsewhere.\n\n"
            "  -o, --output FILE       the HTML file to write (required;\n"
            "                          replaced whole, or left as it was\n"
            "                          when the report fails)\n"
            "  --chart NAME            write only this chart, as SVG (to -o\n"
            "                          FILE, else standard output)\n"
            "  --charts                list the charts: name and title\n"
            "  --title TEXT            the title (the project file's name)\n"
            "  --bootstrap N           resamples for the agreement intervals\n"
            "                          (1000; 0: none)\n"
            "  --seed N                of the resamples (42)\n"
            "  --quiet                 no message on success\n");
}

typedef struct report_args {
    const char *output;
    const char *title;
    int32_t bootstrap;
    const char *chart;
    int list;
} report_args;

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    report_args *a = ctx;
    switch (opt) {
    case OPT_OUTPUT:
        a->output = arg;
        return 1;
    case OPT_TITLE:
        a->title = arg;
        return 1;
    case OPT_CHART:
        a->chart = arg;
        return 1;
    case OPT_CHARTS:
        a->list = 1;
        return 1;
    case OPT_BOOTSTRAP:
        return cli_int_option(c, "--bootstrap", arg, 0, 100000,
                              &a->bootstrap) == 0
                   ? 1
                   : -1;
    }
    return 0;
}

/* "study.quarry" -> "study": the file's name without folders and the
 * extension, in buf. */
static const char *project_title(const char *path, char *buf, size_t cap)
{
    const char *base = strrchr(path, '/');
    char *dot;
    snprintf(buf, cap, "%s", base ? base + 1 : path);
    dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf)
        *dot = '\0';
    return buf;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"title", required_argument, NULL, OPT_TITLE},
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"chart", required_argument, NULL, OPT_CHART},
        {"charts", no_argument, NULL, OPT_CHARTS},
        CLI_COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    cli c;
    report_args a = {NULL, NULL, 1000, NULL, 0};
    quarry_report_options ro = QUARRY_REPORT_OPTIONS_INIT;
    quarry_project *p = NULL;
    quarry_engine *e = NULL;
    FILE *out = NULL;
    char *tmp = NULL, title[256], date[16], err[1024];
    const char *fixed = getenv("QUARRY_FIXED_TIME");
    int code = EXIT_INPUT, rc, i;

    /* -o is the one short option: what a user of cc or pandoc types. */
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-o") == 0)
            argv[i] = (char *)"--output";
    cli_init(&c, "report");
    rc = cli_parse(&c, argc, argv, longopts, own_option, &a, usage);
    if (rc >= 0) {
        code = rc;
        goto out;
    }
    if (a.list) {
        size_t n, k;
        const quarry_report_chart_info *ci = quarry_report_charts(&n);
        for (k = 0; k < n; k++)
            printf("%s\t%s\n", ci[k].name, ci[k].title);
        code = fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
        goto out;
    }
    if (optind >= argc) {
        cli_error(&c, "no PROJECT given (usage: quarry report PROJECT -o "
                      "report.html)");
        goto out;
    }
    if (a.chart != NULL) {
        size_t n, k;
        const quarry_report_chart_info *ci = quarry_report_charts(&n);
        for (k = 0; k < n && strcmp(ci[k].name, a.chart) != 0; k++)
            ;
        if (k == n) {
            /* Said before the project is read: the name is wrong
             * whatever the project holds. */
            cli_error(&c, "--chart: no chart called \"%s\" (quarry report "
                          "--charts lists them)",
                      a.chart);
            goto out;
        }
    }
    if (argc - optind > 1) {
        cli_error(&c, "one PROJECT at a time (got \"%s\" and \"%s\")",
                  argv[optind], argv[optind + 1]);
        goto out;
    }
    if (a.chart == NULL && (a.output == NULL || a.output[0] == '\0')) {
        cli_error(&c, "no output file: give -o FILE.html (the report is "
                      "one HTML file, written whole)");
        goto out;
    }
    if (cli_refuse_folder(&c, argv[optind], "a quarry project") ||
        (a.output != NULL &&
         cli_refuse_folder(&c, a.output, "a file to write the report to")))
        goto out;
    if (!quarry_project_sniff(argv[optind])) {
        FILE *probe = fopen(argv[optind], "rb");
        if (probe == NULL)
            cli_error(&c, "%s: no such project file", argv[optind]);
        else
            cli_error(&c, "%s is not a quarry project (make one with "
                          "`quarry init`)",
                      argv[optind]);
        if (probe != NULL)
            fclose(probe);
        goto out;
    }
    if (a.output != NULL && quarry_project_sniff(a.output)) {
        /* Never write a page over a project (this one or another). */
        cli_error(&c, "%s is a quarry project: give -o a new file name "
                      "ending in .%s",
                  a.output, a.chart ? "svg" : "html");
        goto out;
    }
    rc = cli_open_project(&c, argv[optind], QUARRY_PROJECT_READONLY, &p);
    if (rc != QUARRY_OK) {
        code = cli_exit_code(rc);
        goto out;
    }
    if (cli_engine(&c, &e) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    if (fixed != NULL && fixed[0] != '\0') {
        snprintf(date, sizeof date, "%.10s", fixed);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    ro.title = a.title ? a.title
                       : project_title(argv[optind], title, sizeof title);
    ro.date = date;
    ro.bootstrap = a.bootstrap;
    ro.seed = c.seed;
    if (a.chart != NULL && a.output == NULL) {
        /* The chart alone, to standard output. */
        rc = quarry_report_chart(p, e, a.chart, stdout, &ro, err,
                                 sizeof err);
        if (rc == QUARRY_OK && fflush(stdout) != 0) {
            snprintf(err, sizeof err, "cannot write the output");
            rc = QUARRY_EIO;
        }
        if (rc != QUARRY_OK) {
            cli_error(&c, "%s", err);
            code = cli_exit_code(rc);
            goto out;
        }
        code = EXIT_OK;
        goto out;
    }
    out = cli_output_open(&c, a.output, &tmp);
    if (out == NULL)
        goto out;
    if (a.chart != NULL)
        rc = quarry_report_chart(p, e, a.chart, out, &ro, err, sizeof err);
    else
        rc = quarry_report_write(p, e, out, &ro, err, sizeof err);
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s", err);
        cli_output_close(&c, out, a.output, tmp, 0);
        code = cli_exit_code(rc);
        goto out;
    }
    if (cli_output_close(&c, out, a.output, tmp, 1) != 0) {
        code = EXIT_INPUT;
        goto out;
    }
    if (c.verbose >= 0)
        fprintf(stderr, "quarry report: wrote %s\n", a.output);
    code = EXIT_OK;
out:
    quarry_engine_free(e);
    quarry_project_free(p);
    cli_free(&c);
    return code;
}
