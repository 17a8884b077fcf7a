/*
 * cmd_bench.c -- `quarry bench --gold GOLD --plugins A,B,...`: clustering
 * plugins scored against gold coding. For each plugin and seed the themes
 * pipeline runs in a forked child, so the child's peak RSS (wait4) is its
 * own measure and a plugin that crashes, or hangs past --timeout, is
 * reported and the bench goes on. The child sends the labels back through a
 * pipe; the parent scores them (quarry/metrics.h: ARI, AMI, NMI, V-measure,
 * homogeneity, completeness, and the sampled cosine silhouette on the
 * weighted term rows) and prints the mean and standard deviation over the
 * seeds as a table, JSONL (one object per plugin), CSV, and an SVG chart.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum {
    OPT_GOLD = OPT_COMMAND_BASE,
    OPT_PLUGINS,
    OPT_SEEDS,
    OPT_K,
    OPT_DIMS,
    OPT_SVG,
    OPT_SIL_SAMPLE,
    OPT_TIMEOUT,
    OPT_NO_TIMING
};

/* The scores, in the order of every output. */
enum {
    M_ARI, M_AMI, M_NMI, M_V, M_HOM, M_COMP, M_SIL, M_SECONDS, M_RSS,
    N_METRICS
};
static const char *const metric_key[N_METRICS] = {
    "ari", "ami", "nmi", "v_measure", "homogeneity", "completeness",
    "silhouette", "seconds", "peak_rss_mb"};
static const char *const metric_title[N_METRICS] = {
    "ARI", "AMI", "NMI", "V-measure", "homogeneity", "completeness",
    "silhouette", "seconds", "peak MB"};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry bench --gold GOLD --plugins A,B,... [OPTIONS]\n\n"
            "Scores clustering plugins against gold coding. GOLD is JSONL or\n"
            "CSV whose excerpts all carry a code; an excerpt with several\n"
            "codes counts under its first. For each plugin and seed the themes\n"
            "pipeline runs in a child process; the labels are scored with ARI,\n"
            "AMI (chance-corrected: a random clusterer scores about 0), NMI\n"
            "(arithmetic mean of the entropies, so equal to V-measure),\n"
            "V-measure, homogeneity, completeness and the cosine\n"
            "silhouette (on a sample of the weighted term rows), and timed\n"
            "(seconds of the pipeline, peak RSS of the child). Means and\n"
            "standard deviations (n, not n - 1) over the seeds are printed.\n"
            "Excerpts a plugin leaves out (noise) count as one more cluster.\n"
            "A run that crashes or fails is reported, and the others go on.\n\n"
            "  --gold FILE             gold-coded excerpts (required)\n"
            "  --plugins A,B,...       clusterer plugins (kmeans); any on the\n"
            "                          plugin path\n"
            "  --seeds N               runs per plugin, seeds --seed .. --seed+N-1 (5)\n"
            "  --k K|auto              clusters (the number of gold codes);\n"
            "                          auto lets the plugin choose\n"
            "  --dims N                LSA dimensions, 0 for none (%d)\n"
            "  --silhouette-sample N   rows drawn for the silhouette, 0 = all\n"
            "                          (2000)\n"
            "  --timeout SECONDS       stop a run after this long: the run is\n"
            "                          killed and reported (default 0: never)\n"
            "  --no-timing             write seconds and peak MB as null, so two\n"
            "                          runs' outputs can be compared byte for byte\n"
            "  --format table|jsonl|csv  output (table)\n"
            "  --svg FILE              also draw the scores as an SVG bar chart\n\n"
            "Exit 0 when the bench ran, whatever the plugins did (failed runs\n"
            "are counted in the output); 1 for bad input or usage.\n\n%s",
            QUARRY_THEMES_DEFAULT_DIMS, cli_common_help);
}

typedef struct bench_args {
    const char *gold;
    const char *plugins;
    const char *svg;
    const char *k;
    int32_t seeds;
    int32_t dims;
    int32_t sil_sample;
    int32_t timeout;
    int no_timing;
} bench_args;

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    bench_args *a = ctx;
    switch (opt) {
    case OPT_GOLD:
        a->gold = arg;
        return 1;
    case OPT_PLUGINS:
        a->plugins = arg;
        return 1;
    case OPT_SVG:
        a->svg = arg;
        return 1;
    case OPT_K:
        a->k = arg;
        return 1;
    case OPT_SEEDS:
        return cli_int_option(c, "--seeds", arg, 1, 1000, &a->seeds) == 0 ? 1
                                                                           : -1;
    case OPT_DIMS:
        return cli_int_option(c, "--dims", arg, 0, 100000, &a->dims) == 0 ? 1
                                                                          : -1;
    case OPT_SIL_SAMPLE:
        return cli_int_option(c, "--silhouette-sample", arg, 0, 1000000000,
                              &a->sil_sample) == 0
                   ? 1
                   : -1;
    case OPT_TIMEOUT:
        return cli_int_option(c, "--timeout", arg, 0, 1000000, &a->timeout) ==
                       0
                   ? 1
                   : -1;
    case OPT_NO_TIMING:
        a->no_timing = 1;
        return 1;
    }
    return 0;
}

/* One (plugin, seed) run. */
typedef struct run {
    uint64_t seed;
    int ok;
    char error[QUARRY_ERR_MAX + 64];
    int32_t *labels;
    double value[N_METRICS]; /* NAN when not measured */
} run;

typedef struct bench_plugin {
    const quarry_plugin *p;
    run *runs;
    int n_ok;
    double mean[N_METRICS], sd[N_METRICS];
} bench_plugin;

/* What a child sends back: this header, then n labels or a message. */
typedef struct child_report {
    int32_t status;
    int32_t pad;
    int64_t n;
    double seconds;
} child_report;

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The child: run the pipeline, send the labels, leave without cleaning up
 * (the parent owns everything the child inherited). */
static void child_main(int fd, quarry_engine *e, cli *c,
                       const quarry_themes_options *to,
                       const quarry_corpus *corpus, int timeout)
{
    struct rlimit no_core = {0, 0};
    quarry_themes *t = NULL;
    child_report rep;
    int32_t *labels, i;
    int64_t j, n = (int64_t)quarry_corpus_size(corpus);
    double t0;
    int rc;

    setrlimit(RLIMIT_CORE, &no_core); /* a crashing plugin leaves no core */
    if (timeout > 0)
        alarm((unsigned)timeout);
    memset(&rep, 0, sizeof rep);
    t0 = now();
    rc = quarry_themes_run(&t, e, &c->pipeline, to, corpus);
    rep.seconds = now() - t0;
    rep.status = rc;
    if (rc != 0) {
        const char *msg = quarry_engine_errmsg(e);
        rep.n = (int64_t)strlen(msg);
        if (write_all(fd, &rep, sizeof rep) != 0 ||
            write_all(fd, msg, (size_t)rep.n) != 0)
            _exit(EXIT_INTERNAL);
        _exit(EXIT_OK);
    }
    labels = malloc((size_t)(n ? n : 1) * sizeof *labels);
    if (labels == NULL)
        _exit(EXIT_INTERNAL);
    for (j = 0; j < n; j++)
        labels[j] = -1; /* left out by the plugin: noise */
    for (i = 0; i < quarry_themes_count(t); i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        for (j = 0; j < th->size; j++)
            labels[th->members[j]] = i;
    }
    rep.n = n;
    if (write_all(fd, &rep, sizeof rep) != 0 ||
        write_all(fd, labels, (size_t)n * sizeof *labels) != 0)
        _exit(EXIT_INTERNAL);
    _exit(EXIT_OK);
}

/* Run one (plugin, seed) in a child; fill r (labels, seconds, peak RSS)
 * or r->error. Returns -1 only when no child could be started. */
static int run_one(quarry_engine *e, cli *c, const quarry_themes_options *to,
                   const quarry_corpus *corpus, int timeout, run *r)
{
    int fd[2];
    pid_t pid;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct rusage ru;
    int status, killed = 0;
    double deadline;
    child_report rep;
    int64_t n = (int64_t)quarry_corpus_size(corpus);

    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        child_main(fd[1], e, c, to, corpus, timeout);
    }
    close(fd[1]);
    deadline = now() + (double)timeout;
    for (;;) {
        ssize_t got;
        /* The deadline is kept here, not only by the child's alarm (which
         * a plugin can block or ignore): past it the child is killed. */
        if (timeout > 0 && !killed) {
            struct pollfd pf = {fd[0], POLLIN, 0};
            double left = deadline - now();
            int pr = left > 0 ? poll(&pf, 1, (int)(left * 1000.0) + 1) : 0;
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr == 0) {
                kill(pid, SIGKILL);
                killed = 1;
                continue;
            }
        }
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *grown = realloc(buf, ncap);
            if (grown == NULL)
                break;
            buf = grown;
            cap = ncap;
        }
        got = read(fd[0], buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd[0]);
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            memset(&ru, 0, sizeof ru);
            status = 0;
            break;
        }
    r->value[M_RSS] = (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGALRM || killed)
            snprintf(r->error, sizeof r->error,
                     "timed out after %d s (--timeout)", timeout);
        else
            snprintf(r->error, sizeof r->error,
                     "crashed: killed by signal %d (%s) in one of the run's "
                     "plugins (its tokenizer, stemmer, weighting or this "
                     "clusterer)",
                     sig, strsignal(sig));
    } else if (len < sizeof rep) {
        snprintf(r->error, sizeof r->error,
                 "the run ended (exit %d) without a result",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    } else {
        memcpy(&rep, buf, sizeof rep);
        r->value[M_SECONDS] = rep.seconds;
        if (rep.status != 0) {
            snprintf(r->error, sizeof r->error, "%.*s",
                     (int)(len - sizeof rep < QUARRY_ERR_MAX
                               ? len - sizeof rep
                               : QUARRY_ERR_MAX),
                     buf + sizeof rep);
        } else if (rep.n != n ||
                   len != sizeof rep + (size_t)n * sizeof(int32_t)) {
            snprintf(r->error, sizeof r->error,
                     "the run sent a truncated result");
        } else {
            r->labels = malloc((size_t)(n ? n : 1) * sizeof *r->labels);
            if (r->labels == NULL) {
                free(buf);
                return -1;
            }
            memcpy(r->labels, buf + sizeof rep, (size_t)n * sizeof(int32_t));
            r->ok = 1;
        }
    }
    free(buf);
    return 0;
}

/* Gold labels: the first code of each excerpt, numbered by first sight. */
static int gold_labels(const quarry_corpus *corpus, int32_t *gold,
                       int32_t *n_codes, int64_t *n_multi)
{
    size_t n = quarry_corpus_size(corpus), i, j;
    const char **seen = malloc((n ? n : 1) * sizeof *seen);
    int32_t u = 0;
    if (seen == NULL)
        return -1;
    *n_multi = 0;
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(corpus, i);
        const char *code = x->codes[0];
        if (x->n_codes > 1)
            (*n_multi)++;
        /* Linear search would be quadratic in distinct codes only. */
        for (j = 0; j < (size_t)u; j++)
            if (strcmp(seen[j], code) == 0)
                break;
        if (j == (size_t)u)
            seen[u++] = code;
        gold[i] = (int32_t)j;
    }
    free(seen);
    *n_codes = u;
    return 0;
}

static void summarise(bench_plugin *bp, int n_runs, int no_timing)
{
    int m, i;
    for (m = 0; m < N_METRICS; m++) {
        double s = 0.0, ss = 0.0;
        int cnt = 0;
        for (i = 0; i < n_runs; i++)
            if (bp->runs[i].ok && !isnan(bp->runs[i].value[m])) {
                s += bp->runs[i].value[m];
                cnt++;
            }
        if (cnt == 0 || (no_timing && (m == M_SECONDS || m == M_RSS))) {
            bp->mean[m] = bp->sd[m] = NAN;
            if (no_timing && (m == M_SECONDS || m == M_RSS))
                for (i = 0; i < n_runs; i++) /* per seed too */
                    bp->runs[i].value[m] = NAN;
            continue;
        }
        s /= cnt;
        for (i = 0; i < n_runs; i++)
            if (bp->runs[i].ok && !isnan(bp->runs[i].value[m]))
                ss += (bp->runs[i].value[m] - s) * (bp->runs[i].value[m] - s);
        bp->mean[m] = s;
        bp->sd[m] = sqrt(ss / cnt);
    }
}

/* Four decimals for scores, two for seconds and megabytes. */
static int decimals(int m)
{
    return m == M_SECONDS || m == M_RSS ? 2 : 4;
}

static double rounded(double v, int m)
{
    double f = decimals(m) == 2 ? 100.0 : 10000.0;
    return round(v * f) / f;
}

static void write_table(const bench_plugin *bps, int n_plugins, int n_runs,
                        const char *gold, size_t n_excerpts, int32_t n_codes,
                        const quarry_themes_options *to, uint64_t seed,
                        int32_t sil_sample)
{
    int i, m, r, failures = 0, w = 14;
    char k[32], sample[64];
    if (sil_sample == 0 || (size_t)sil_sample >= n_excerpts)
        snprintf(sample, sizeof sample, "every row");
    else
        snprintf(sample, sizeof sample, "%d rows drawn with seed %llu",
                 sil_sample, (unsigned long long)seed);
    if (to->k > 0)
        snprintf(k, sizeof k, "%d", to->k);
    else
        snprintf(k, sizeof k, "auto");
    printf("%s: %zu excerpts, %d gold codes; k %s, dims %d, seeds %llu..%llu"
           "\n\n",
           gold, n_excerpts, n_codes, k, to->dims, (unsigned long long)seed,
           (unsigned long long)(seed + (uint64_t)n_runs - 1));
    /* The plugin column as wide as the longest name ("agglomerative"). */
    for (i = 0; i < n_plugins; i++)
        if ((int)strlen(bps[i].p->name) > w)
            w = (int)strlen(bps[i].p->name);
    printf("%-*s %5s", w, "plugin", "runs");
    for (m = 0; m < N_METRICS; m++)
        printf(m + 1 < N_METRICS ? "  %-14s" : "  %s", metric_title[m]);
    printf("\n");
    for (i = 0; i < n_plugins; i++) {
        const bench_plugin *bp = &bps[i];
        char runs[32];
        snprintf(runs, sizeof runs, "%d/%d", bp->n_ok, n_runs);
        printf("%-*s %5s", w, bp->p->name, runs);
        for (m = 0; m < N_METRICS; m++) {
            char cell[64];
            if (isnan(bp->mean[m]))
                snprintf(cell, sizeof cell, "-");
            else /* seconds to the hundredth: a small run takes 0.04 s */
                snprintf(cell, sizeof cell, "%.*f +-%.*f",
                         m == M_SECONDS ? 2 : decimals(m) - 1, bp->mean[m],
                         m == M_SECONDS ? 2 : decimals(m) - 1, bp->sd[m]);
            printf(m + 1 < N_METRICS ? "  %-14s" : "  %s", cell);
        }
        printf("\n");
    }
    printf("\nmean +- sd over the runs that finished. silhouette: cosine on "
           "the weighted term rows, %s;\nseconds: wall time of the pipeline "
           "in each run; peak MB: max RSS of the run's process\n(which "
           "starts with the excerpts read once).\n",
           sample);
    for (i = 0; i < n_plugins; i++)
        for (r = 0; r < n_runs; r++)
            if (!bps[i].runs[r].ok)
                printf("%s%s, seed %llu: %s\n", failures++ ? "" : "\n",
                       bps[i].p->name,
                       (unsigned long long)bps[i].runs[r].seed,
                       bps[i].runs[r].error);
}

static json_t *num_or_null(double v, int m)
{
    return isnan(v) ? json_null() : json_real(rounded(v, m));
}

static int write_jsonl(const bench_plugin *bps, int n_plugins, int n_runs,
                       const quarry_themes_options *to)
{
    int i, m, r;
    for (i = 0; i < n_plugins; i++) {
        const bench_plugin *bp = &bps[i];
        json_t *o = json_object(), *seeds = json_array(), *errors = json_array();
        char key[64];
        json_object_set_new(o, "plugin", json_string(bp->p->name));
        json_object_set_new(o, "version", json_string(bp->p->version));
        json_object_set_new(o, "k", to->k > 0 ? json_integer(to->k)
                                              : json_string("auto"));
        json_object_set_new(o, "dims", json_integer(to->dims));
        for (r = 0; r < n_runs; r++) {
            json_array_append_new(seeds,
                                  json_integer((json_int_t)bp->runs[r].seed));
            if (!bp->runs[r].ok) {
                json_t *err = json_object();
                json_object_set_new(err, "seed",
                                    json_integer((json_int_t)bp->runs[r].seed));
                json_object_set_new(err, "error",
                                    json_string(bp->runs[r].error));
                json_array_append_new(errors, err);
            }
        }
        json_object_set_new(o, "seeds", seeds);
        json_object_set_new(o, "runs", json_integer(bp->n_ok));
        json_object_set_new(o, "failed", json_integer(n_runs - bp->n_ok));
        for (m = 0; m < N_METRICS; m++) {
            json_object_set_new(o, metric_key[m], num_or_null(bp->mean[m], m));
            snprintf(key, sizeof key, "%s_sd", metric_key[m]);
            json_object_set_new(o, key, num_or_null(bp->sd[m], m));
        }
        json_object_set_new(o, "errors", errors);
        /* Each run's scores, for tests across seeds (a paper's table
         * needs more than the mean and sd). */
        {
            json_t *runs = json_array();
            for (r = 0; r < n_runs; r++) {
                json_t *one;
                if (!bp->runs[r].ok)
                    continue;
                one = json_object();
                json_object_set_new(one, "seed",
                                    json_integer((json_int_t)bp->runs[r].seed));
                for (m = 0; m < N_METRICS; m++)
                    json_object_set_new(one, metric_key[m],
                                        num_or_null(bp->runs[r].value[m], m));
                json_array_append_new(runs, one);
            }
            json_object_set_new(o, "per_seed", runs);
        }
        if (cli_put_json_line(stdout, o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) != 0)
            return -1;
    }
    return 0;
}

static void write_csv(const bench_plugin *bps, int n_plugins, int n_runs)
{
    int i, m;
    printf("plugin,runs,failed");
    for (m = 0; m < N_METRICS; m++)
        printf(",%s,%s_sd", metric_key[m], metric_key[m]);
    printf("\n");
    for (i = 0; i < n_plugins; i++) {
        /* Plugin names are [a-z0-9_]: nothing to quote. */
        printf("%s,%d,%d", bps[i].p->name, bps[i].n_ok, n_runs - bps[i].n_ok);
        for (m = 0; m < N_METRICS; m++) {
            if (isnan(bps[i].mean[m]))
                printf(",,");
            else
                printf(",%.*f,%.*f", decimals(m), bps[i].mean[m], decimals(m),
                       bps[i].sd[m]);
        }
        printf("\n");
    }
}

/* A grouped bar chart: one group per score, one bar per plugin, the
 * standard deviation as a whisker. Scores are drawn on [-0.5, 1] when one
 * is negative, else [0, 1]. */
static int write_svg(const char *path, const bench_plugin *bps,
                     int n_plugins, const char *gold)
{
    static const char *const colours[] = {"#1b9e77", "#d95f02", "#7570b3",
                                          "#e7298a", "#66a61e", "#e6ab02",
                                          "#a6761d", "#666666"};
    const int n_groups = M_SIL + 1, gw = 110, left = 60, top = 40, h = 260;
    double lo = 0.0, hi = 1.0;
    int i, m, width = left + n_groups * gw + 20,
              height = top + h + 50 + 18 * n_plugins;
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    for (i = 0; i < n_plugins; i++)
        for (m = 0; m < n_groups; m++)
            if (!isnan(bps[i].mean[m]) && bps[i].mean[m] < 0.0)
                lo = -0.5;
#define Y(v) (top + (double)h * (hi - (v)) / (hi - lo))
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height);
    fputs("<text x=\"10\" y=\"20\" font-size=\"14\">quarry bench: ", f);
    for (const char *p = gold; *p; p++) {
        if (*p == '<')
            fputs("&lt;", f);
        else if (*p == '&')
            fputs("&amp;", f);
        else if (*p == '>')
            fputs("&gt;", f);
        else
            fputc(*p, f);
    }
    fputs(" (mean over seeds, whisker = sd)</text>\n", f);
    for (double t = lo; t <= hi + 1e-9; t += 0.25) {
        fprintf(f,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\" "
                "text-anchor=\"end\">%.2f</text>\n",
                left, width - 20, Y(t), Y(t), t == 0.0 ? "#000" : "#ddd",
                left - 5, Y(t) + 4, t);
    }
    for (m = 0; m < n_groups; m++) {
        double bw = (gw - 20.0) / (n_plugins ? n_plugins : 1);
        int x0 = left + m * gw + 10;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x0 + (gw - 20) / 2, top + h + 18, metric_title[m]);
        for (i = 0; i < n_plugins; i++) {
            double v = bps[i].mean[m], sd = bps[i].sd[m], x = x0 + i * bw;
            if (isnan(v))
                continue;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" fill=\"%s\"><title>%s %s %.4f +- "
                    "%.4f</title></rect>\n",
                    x, Y(v > 0 ? v : 0), bw - 2, fabs(Y(v) - Y(0)),
                    colours[i % 8], bps[i].p->name, metric_key[m], v, sd);
            fprintf(f,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                    "stroke=\"black\"/>\n",
                    x + (bw - 2) / 2, x + (bw - 2) / 2, Y(v - sd), Y(v + sd));
        }
    }
    for (i = 0; i < n_plugins; i++)
        fprintf(f,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                left, top + h + 32 + 18 * i, colours[i % 8], left + 18,
                top + h + 43 + 18 * i, bps[i].p->name);
    fputs("</svg>\n", f);
#undef Y
    return fclose(f) == 0 ? 0 : -1;
}

/* Silhouette of every successful run, on the weighted term rows. */
static int score_silhouettes(cli *c, quarry_engine *e,
                             const quarry_corpus *corpus, bench_plugin *bps,
                             int n_plugins, int n_runs, int32_t sample)
{
    quarry_model *model = NULL;
    quarry_csr *x = NULL;
    quarry_silhouette_options so = QUARRY_SILHOUETTE_OPTIONS_INIT;
    int i, r, rc;
    so.sample = (size_t)sample;
    so.seed = c->seed;
    rc = quarry_model_fit(&model, e, &c->pipeline, corpus);
    if (rc == 0)
        rc = quarry_model_transform(model, corpus, &x);
    if (rc != 0) {
        cli_error(c, "%s", quarry_engine_errmsg(e));
        quarry_model_free(model);
        return rc;
    }
    for (i = 0; i < n_plugins; i++)
        for (r = 0; r < n_runs; r++) {
            run *ru = &bps[i].runs[r];
            double s;
            if (!ru->ok)
                continue;
            rc = quarry_metrics_silhouette(&s, x, NULL, ru->labels, &so);
            if (rc == QUARRY_ENOMEM) {
                cli_error(c, "out of memory");
                break;
            }
            ru->value[M_SIL] = rc == 0 ? s : NAN; /* undefined: 1 cluster */
            rc = 0;
        }
    quarry_csr_free(x);
    quarry_model_free(model);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"gold", required_argument, NULL, OPT_GOLD},
        {"plugins", required_argument, NULL, OPT_PLUGINS},
        {"seeds", required_argument, NULL, OPT_SEEDS},
        {"k", required_argument, NULL, OPT_K},
        {"dims", required_argument, NULL, OPT_DIMS},
        {"svg", required_argument, NULL, OPT_SVG},
        {"silhouette-sample", required_argument, NULL, OPT_SIL_SAMPLE},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"no-timing", no_argument, NULL, OPT_NO_TIMING},
        {NULL, 0, NULL, 0}};
    bench_args a = {NULL, "kmeans", NULL, NULL, 5, QUARRY_THEMES_DEFAULT_DIMS,
                    2000, 0, 0};
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    cli c;
    quarry_engine *e = NULL;
    quarry_corpus *corpus = NULL;
    bench_plugin *bps = NULL;
    int32_t *gold = NULL, n_codes = 0;
    int64_t n_multi = 0;
    int n_plugins = 0, i, r, code, rc;
    char *names = NULL, *tok, *save = NULL;
    size_t n;

    cli_init(&c, "bench");
    code = cli_parse(&c, argc, argv, longopts, own_option, &a, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    if (a.gold == NULL) {
        cli_error(&c, "--gold is required (gold-coded excerpts, JSONL or "
                      "CSV; see --help)");
        goto out;
    }
    if (optind < argc) {
        cli_error(&c, "unexpected argument \"%s\": the excerpts are given "
                      "by --gold",
                  argv[optind]);
        goto out;
    }
    if (cli_check_format(&c, "table|jsonl|csv") != 0)
        goto out;
    if (a.k != NULL && strcmp(a.k, "auto") != 0 &&
        cli_int_option(&c, "--k", a.k, 2, 1000000000, &to.k) != 0)
        goto out;
    to.dims = a.dims;

    if (cli_engine(&c, &e) != 0)
        goto out;
    /* Every plugin named must be a clusterer we can find, before any run. */
    names = strdup(a.plugins);
    if (names == NULL) {
        code = EXIT_INTERNAL;
        goto out;
    }
    for (tok = names; *tok; tok++)
        n_plugins += *tok == ',';
    bps = calloc((size_t)n_plugins + 1, sizeof *bps);
    if (bps == NULL) {
        code = EXIT_INTERNAL;
        goto out;
    }
    n_plugins = 0;
    for (tok = strtok_r(names, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        rc = quarry_engine_find(e, QUARRY_KIND_CLUSTERER, tok,
                                &bps[n_plugins].p);
        if (rc != 0) {
            cli_error(&c, "--plugins: %s", quarry_engine_errmsg(e));
            code = cli_exit_code(rc) == EXIT_INTERNAL ? EXIT_INTERNAL
                                                      : EXIT_INPUT;
            goto out;
        }
        for (i = 0; i < n_plugins; i++)
            if (bps[i].p == bps[n_plugins].p)
                break;
        if (i == n_plugins) {
            /* Options checked once here so a bad --option value stops
             * the bench before any run, with its message; the instances
             * (create()) live in the children, so a plugin that crashes
             * there fails its runs, not the bench. */
            rc = quarry_instance_check(e, bps[n_plugins].p);
            if (rc != 0) {
                cli_error(&c, "%s", quarry_engine_errmsg(e));
                code = cli_exit_code(rc);
                goto out;
            }
        }
        if (i < n_plugins) {
            cli_error(&c, "--plugins: \"%s\" is named twice", tok);
            goto out;
        }
        n_plugins++;
    }
    if (n_plugins == 0) {
        cli_error(&c, "--plugins: no plugin named (A,B,...)");
        goto out;
    }

    c.read.require_code = 1;
    /* A gold document left blank is still one (scikit-learn keeps it
     * too), unless --strict refuses the file. */
    c.read.allow_empty = !c.read.strict;
    rc = cli_read_corpus(&c, (char **)&a.gold, 1, &corpus);
    if (rc != 0) {
        code = cli_exit_code(rc);
        goto out;
    }
    n = quarry_corpus_size(corpus);
    gold = malloc(n * sizeof *gold);
    if (gold == NULL || gold_labels(corpus, gold, &n_codes, &n_multi) != 0) {
        cli_error(&c, "out of memory");
        code = EXIT_INTERNAL;
        goto out;
    }
    if (n_multi > 0)
        cli_warn(&c, "%s: %lld excerpts carry several codes; each is scored "
                     "by its first",
                 a.gold, (long long)n_multi);
    if (a.k == NULL) {
        if (n_codes < 2) {
            cli_error(&c, "%s: every excerpt has the code \"%s\": give --k",
                      a.gold, quarry_corpus_at(corpus, 0)->codes[0]);
            goto out;
        }
        to.k = n_codes;
    }
    if ((size_t)to.k > n) {
        cli_error(&c, "--k %d: more clusters than the %zu excerpts of %s",
                  to.k, n, a.gold);
        goto out;
    }

    for (i = 0; i < n_plugins; i++) {
        bps[i].runs = calloc((size_t)a.seeds, sizeof *bps[i].runs);
        if (bps[i].runs == NULL) {
            code = EXIT_INTERNAL;
            goto out;
        }
        to.clusterer = bps[i].p->name;
        for (r = 0; r < a.seeds; r++) {
            run *ru = &bps[i].runs[r];
            int m;
            for (m = 0; m < N_METRICS; m++)
                ru->value[m] = NAN;
            ru->seed = c.seed + (uint64_t)r;
            to.seed = ru->seed;
            if (c.verbose > 0)
                fprintf(stderr, "quarry bench: %s, seed %llu\n",
                        bps[i].p->name, (unsigned long long)ru->seed);
            if (run_one(e, &c, &to, corpus, a.timeout, ru) != 0) {
                cli_error(&c, "cannot start a run: %s", strerror(errno));
                code = EXIT_INTERNAL;
                goto out;
            }
            if (!ru->ok) {
                cli_warn(&c, "%s, seed %llu: %s", bps[i].p->name,
                         (unsigned long long)ru->seed, ru->error);
                continue;
            }
            {
                quarry_cluster_scores s;
                if (quarry_metrics_scores(&s, gold, ru->labels, n) != 0) {
                    cli_error(&c, "out of memory");
                    code = EXIT_INTERNAL;
                    goto out;
                }
                ru->value[M_ARI] = s.ari;
                ru->value[M_NMI] = s.nmi;
                if (quarry_metrics_ami(&ru->value[M_AMI], gold, ru->labels,
                                       n) != 0) {
                    cli_error(&c, "out of memory");
                    code = EXIT_INTERNAL;
                    goto out;
                }
                ru->value[M_V] = s.v_measure;
                ru->value[M_HOM] = s.homogeneity;
                ru->value[M_COMP] = s.completeness;
            }
            bps[i].n_ok++;
        }
    }
    /* The silhouettes fit the pipeline here, in this process: not when
     * no run got through it (a tokenizer that crashes every child would
     * crash the bench itself, and take the table with it). */
    for (i = 0, r = 0; i < n_plugins; i++)
        r += bps[i].n_ok;
    if (r > 0 && score_silhouettes(&c, e, corpus, bps, n_plugins, a.seeds,
                                   a.sil_sample) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    if (quarry_engine_unused_option(e) != NULL) {
        cli_error(&c, "--option %s: no plugin of this run is called that",
                  quarry_engine_unused_option(e));
        goto out;
    }
    for (i = 0; i < n_plugins; i++)
        summarise(&bps[i], a.seeds, a.no_timing);

    code = EXIT_OK;
    if (strcmp(c.format, "jsonl") == 0) {
        if (write_jsonl(bps, n_plugins, a.seeds, &to) != 0) {
            cli_error(&c, "out of memory");
            code = EXIT_INTERNAL;
        }
    } else if (strcmp(c.format, "csv") == 0) {
        write_csv(bps, n_plugins, a.seeds);
    } else {
        write_table(bps, n_plugins, a.seeds, a.gold, n, n_codes, &to, c.seed,
                    a.sil_sample);
    }
    if (a.svg != NULL && write_svg(a.svg, bps, n_plugins, a.gold) != 0) {
        cli_error(&c, "--svg %s: cannot write: %s", a.svg, strerror(errno));
        code = EXIT_INPUT;
    }
    if (fflush(stdout) != 0) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
out:
    if (bps != NULL)
        for (i = 0; i < n_plugins; i++) {
            if (bps[i].runs != NULL)
                for (r = 0; r < a.seeds; r++)
                    free(bps[i].runs[r].labels);
            free(bps[i].runs);
        }
    free(bps);
    free(names);
    free(gold);
    quarry_corpus_free(corpus);
    quarry_engine_free(e);
    cli_free(&c);
    return code;
}
