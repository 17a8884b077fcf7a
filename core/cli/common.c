/*
 * common.c -- options, engine set-up and messages shared by the quarry
 * subcommands.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "json_out.h"

const char cli_common_help[] =
    "Pipeline options (every command):\n"
    "  --tokenizer NAME        tokenizer plugin (regex)\n"
    "  --stemmer NAME|none     stemmer plugin (snowball)\n"
    "  --weighting NAME        weighting plugin (tfidf; bm25)\n"
    "  --clusterer NAME        clusterer plugin (kmeans)\n"
    "  --option P.KEY=VALUE    set an option of plugin P (repeatable;\n"
    "                          `quarry plugins P` lists them)\n"
    "  --language CODE         stemmer language and stopword list (en)\n"
    "  --stopwords FILE|none   stopword list (dictionaries/stopwords/CODE.txt)\n"
    "  --lexicon FILE|none     phrases and synonyms (dictionaries/lexicon/pss.json)\n"
    "  --min-df N              drop terms in fewer than N excerpts (2)\n"
    "  --max-df SHARE          drop terms in more than SHARE of excerpts (0.5)\n"
    "  --max-features N        keep the N most frequent terms (0 = all)\n"
    "  --seed N                seed of every random choice (42)\n"
    "  --input-format F        jsonl|csv|transcript (default: by extension)\n"
    "  --segment S             transcripts: turn|paragraph|sentence (turn)\n"
    "  --interviewer NAME[,NAME]  transcripts: these speakers' role is\n"
    "                          interviewer (besides I, Q, Interviewer, ...)\n"
    "  --id-prefix P           transcripts: ids P#1, P#2, ... (one file)\n"
    "  --delimiter D           CSV: , or ; or tab (default: the one the\n"
    "                          header line uses most)\n"
    "  --encoding E            the files' encoding, e.g. windows-1252,\n"
    "                          latin1, utf-16 (default: UTF-8, or UTF-16\n"
    "                          by its byte-order mark; a .docx is read as\n"
    "                          the text of its paragraphs)\n"
    "  --strict                refuse a file with empty excerpts instead of\n"
    "                          leaving them out with a notice\n"
    "  --speakers WHO          suggest, review, themes: all|participants|\n"
    "                          interviewers (participants: interviewer\n"
    "                          turns, role \"interviewer\", are left out)\n"
    "  --plugin-path DIRS      folders searched first for plugins (a:b)\n"
    "  --dictionary-path DIRS  folders searched first for dictionaries\n"
    "  --threads N             worker threads (0 = every core, the default);\n"
    "                          the output is the same for any N\n"
    "  --quiet, --verbose      fewer or more messages on stderr\n";

static void on_log(void *ctx, int level, const char *msg);

void cli_init(cli *c, const char *cmd)
{
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->pipeline = po;
    c->read = ro;
    /* Notices of the readers (empty excerpts left out) print like the
     * engine's; c outlives every read. */
    c->read.notice = on_log;
    c->read.notice_ctx = c;
    c->seed = 42;
}

void cli_free(cli *c)
{
    free(c->options);
    c->options = NULL;
}

static void vmsg(const cli *c, const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "quarry%s%s: %s", c && c->cmd ? " " : "",
            c && c->cmd ? c->cmd : "", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(c, "", fmt, ap);
    va_end(ap);
}

void cli_warn(const cli *c, const char *fmt, ...)
{
    va_list ap;
    if (c && c->verbose < 0)
        return;
    va_start(ap, fmt);
    vmsg(c, "warning: ", fmt, ap);
    va_end(ap);
}

void cli_note(const cli *c, const char *fmt, ...)
{
    va_list ap;
    if (c && c->verbose < 0)
        return;
    va_start(ap, fmt);
    vmsg(c, "", fmt, ap);
    va_end(ap);
}

void cli_codebook_only_notice(const cli *c)
{
    if (c && c->verbose < 0)
        return;
    fprintf(stderr,
            "quarry %s: no coded excerpts yet: suggestions come from the "
            "codebook's definitions and keywords alone (confidences are "
            "uncalibrated; below 0.5 an excerpt abstains); each decision "
            "you make improves the next run\n",
            c->cmd);
}

void cli_speakers_notice(const cli *c, int64_t n)
{
    if (n <= 0 || (c && c->verbose < 0))
        return;
    fprintf(stderr,
            "quarry %s: %lld %s turn%s left out (--speakers all to include "
            "them)\n",
            c->cmd, (long long)n,
            c->speakers == QUARRY_SPEAKERS_INTERVIEWERS ? "participant"
                                                        : "interviewer",
            n == 1 ? "" : "s");
}

int cli_select_speakers(cli *c, quarry_corpus **corpus)
{
    quarry_corpus *sel = NULL;
    size_t left = 0;
    int rc;
    size_t i, n = quarry_corpus_size(*corpus), interviewers = 0;
    if (c->speakers == QUARRY_SPEAKERS_ALL)
        return 0;
    /* Most inputs (JSONL without roles) have no interviewer turn: keep the
     * corpus as it is rather than copy every excerpt. */
    for (i = 0; i < n; i++)
        interviewers += quarry_corpus_is_interviewer(*corpus, i) != 0;
    if (interviewers == 0 && c->speakers == QUARRY_SPEAKERS_PARTICIPANTS)
        return 0;
    rc = quarry_corpus_select_speakers(*corpus, c->speakers, &sel, &left);
    if (rc != 0) {
        cli_error(c, "cannot select the speakers' turns: %s",
                  rc == QUARRY_ENOMEM ? "out of memory"
                                      : quarry_corpus_errmsg(sel));
        return -1;
    }
    quarry_corpus_free(*corpus);
    *corpus = sel;
    cli_speakers_notice(c, (int64_t)left);
    return 0;
}

int cli_exit_code(int status)
{
    switch (status) {
    case QUARRY_OK:
        return EXIT_OK;
    case QUARRY_ENOMEM:
    case QUARRY_EINTERNAL:
    case QUARRY_EPLUGIN:
        return EXIT_INTERNAL;
    default:
        return EXIT_INPUT;
    }
}

int parse_int64(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v) ||
        v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_common_option(cli *c, int opt, const char *arg)
{
    long long v;
    double d;
    switch (opt) {
    case OPT_PLUGIN_PATH:
        c->plugin_path = arg;
        return 1;
    case OPT_DICT_PATH:
        c->dictionary_path = arg;
        return 1;
    case OPT_TOKENIZER:
        c->pipeline.tokenizer = arg;
        return 1;
    case OPT_STEMMER:
        c->pipeline.stemmer = arg;
        return 1;
    case OPT_WEIGHTING:
        c->pipeline.weighting = arg;
        return 1;
    case OPT_CLUSTERER:
        return 0; /* the commands that cluster take it themselves */
    case OPT_OPTION: {
        const char **grown =
            realloc(c->options, (size_t)(c->n_options + 1) * sizeof *grown);
        if (grown == NULL) {
            cli_error(c, "out of memory");
            return -1;
        }
        c->options = grown;
        c->options[c->n_options++] = arg;
        return 1;
    }
    case OPT_LANGUAGE:
        c->pipeline.language = arg;
        return 1;
    case OPT_SEED:
        if (parse_int64(arg, 0, 0x7fffffffffffffffLL, &v) != 0) {
            cli_error(c, "--seed: \"%s\" is not a non-negative integer", arg);
            return -1;
        }
        c->seed = (uint64_t)v;
        return 1;
    case OPT_STOPWORDS:
        c->pipeline.stopwords = arg;
        return 1;
    case OPT_LEXICON:
        c->pipeline.lexicon = arg;
        return 1;
    case OPT_MIN_DF:
        if (parse_int64(arg, 1, 1000000000LL, &v) != 0) {
            cli_error(c, "--min-df: \"%s\" is not an integer of at least 1",
                      arg);
            return -1;
        }
        c->pipeline.min_df = v;
        return 1;
    case OPT_MAX_DF:
        if (parse_double(arg, 1e-9, 1.0, &d) != 0) {
            cli_error(c, "--max-df: \"%s\" is not a share in (0, 1]", arg);
            return -1;
        }
        c->pipeline.max_df = d;
        return 1;
    case OPT_MAX_FEATURES:
        if (parse_int64(arg, 0, 1000000000LL, &v) != 0) {
            cli_error(c, "--max-features: \"%s\" is not a count (0 = all)",
                      arg);
            return -1;
        }
        c->pipeline.max_features = v;
        return 1;
    case OPT_FORMAT:
        c->format = arg;
        return 1;
    case OPT_INPUT_FORMAT:
        if (strcmp(arg, "jsonl") == 0)
            c->read.format = QUARRY_FORMAT_JSONL;
        else if (strcmp(arg, "csv") == 0)
            c->read.format = QUARRY_FORMAT_CSV;
        else if (strcmp(arg, "transcript") == 0)
            c->read.format = QUARRY_FORMAT_TRANSCRIPT;
        else {
            cli_error(c, "--input-format: \"%s\" is not jsonl, csv or "
                         "transcript", arg);
            return -1;
        }
        return 1;
    case OPT_SEGMENT:
        if (strcmp(arg, "turn") == 0)
            c->read.segment = QUARRY_SEGMENT_TURN;
        else if (strcmp(arg, "paragraph") == 0)
            c->read.segment = QUARRY_SEGMENT_PARAGRAPH;
        else if (strcmp(arg, "sentence") == 0)
            c->read.segment = QUARRY_SEGMENT_SENTENCE;
        else {
            cli_error(c, "--segment: \"%s\" is not turn, paragraph or "
                         "sentence", arg);
            return -1;
        }
        return 1;
    case OPT_INTERVIEWER:
        if (arg[0] == '\0') {
            cli_error(c, "--interviewer: no name given");
            return -1;
        }
        c->read.interviewers = arg;
        return 1;
    case OPT_ID_PREFIX:
        if (arg[0] == '\0' || strchr(arg, '#') != NULL) {
            cli_error(c, "--id-prefix: \"%s\" is empty or holds a '#'", arg);
            return -1;
        }
        c->read.id_prefix = arg;
        return 1;
    case OPT_DELIMITER:
        if (strcmp(arg, ",") == 0 || strcmp(arg, "comma") == 0)
            c->read.delimiter = ',';
        else if (strcmp(arg, ";") == 0 || strcmp(arg, "semicolon") == 0)
            c->read.delimiter = ';';
        else if (strcmp(arg, "tab") == 0 || strcmp(arg, "\t") == 0)
            c->read.delimiter = '\t';
        else {
            cli_error(c, "--delimiter: \"%s\" is not , or ; or tab", arg);
            return -1;
        }
        return 1;
    case OPT_ENCODING:
        if (arg[0] == '\0') {
            cli_error(c, "--encoding: no encoding given");
            return -1;
        }
        c->read.encoding = arg;
        return 1;
    case OPT_STRICT:
        c->read.strict = 1;
        return 1;
    case OPT_SPEAKERS:
        if (strcmp(arg, "all") == 0)
            c->speakers = QUARRY_SPEAKERS_ALL;
        else if (strcmp(arg, "participants") == 0)
            c->speakers = QUARRY_SPEAKERS_PARTICIPANTS;
        else if (strcmp(arg, "interviewers") == 0)
            c->speakers = QUARRY_SPEAKERS_INTERVIEWERS;
        else {
            cli_error(c, "--speakers: \"%s\" is not all, participants or "
                         "interviewers",
                      arg);
            return -1;
        }
        return 1;
    case OPT_QUIET:
        c->verbose = -1;
        return 1;
    case OPT_VERBOSE:
        c->verbose = 1;
        return 1;
    case OPT_THREADS:
        return cli_int_option(c, "--threads", arg, 0, 256, &c->threads) == 0
                   ? 1
                   : -1;
    }
    return 0;
}

static void on_log(void *ctx, int level, const char *msg)
{
    cli *c = ctx;
    if (level == QUARRY_LOG_ERROR || level == QUARRY_LOG_WARN) {
        if (c->verbose >= 0) {
            cli_progress_done(c);
            fprintf(stderr, "quarry %s: %s%s\n", c->cmd,
                    level == QUARRY_LOG_WARN ? "warning: " : "", msg);
        }
    } else if (level == QUARRY_LOG_INFO ? c->verbose >= 0 : c->verbose > 0) {
        cli_progress_done(c);
        fprintf(stderr, "quarry %s: %s\n", c->cmd, msg);
    }
}

/* A progress line only when stderr is a terminal: logs stay clean. */
static int on_progress(void *ctx, const char *what, int64_t done,
                       int64_t total)
{
    cli *c = ctx;
    if (c->verbose < 0 || !isatty(STDERR_FILENO))
        return 0;
    if (total > 0)
        fprintf(stderr, "\r%s: %lld/%lld (%d%%)   ", what, (long long)done,
                (long long)total, (int)(100.0 * (double)done / (double)total));
    else
        fprintf(stderr, "\r%s: %lld   ", what, (long long)done);
    c->progress_shown = 1;
    return 0;
}

void cli_progress_done(cli *c)
{
    if (c->progress_shown) {
        fprintf(stderr, "\r\033[K");
        c->progress_shown = 0;
    }
}

int cli_jout_finish(const cli *c, jout *w)
{
    int rc;
    if (w->refused > 0)
        cli_warn(c,
                 "%zu values were left out of the output: not numbers or "
                 "not UTF-8",
                 w->refused);
    rc = jout_finish(w);
    return rc == JOUT_OK ? 0 : rc == JOUT_EWRITE ? -2 : -1;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_phase(const cli *c, double *t, const char *what)
{
    double now = cli_now();
    if (c->verbose > 0)
        fprintf(stderr, "quarry %s: %s: %.3f s\n", c->cmd, what, now - *t);
    *t = now;
}

int cli_engine(cli *c, quarry_engine **out)
{
    quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
    int rc, i;
    eo.plugin_path = c->plugin_path;
    eo.dictionary_path = c->dictionary_path;
    eo.log = on_log;
    eo.log_ctx = c;
    eo.progress = on_progress;
    eo.progress_ctx = c;
    eo.threads = c->threads;
    rc = quarry_engine_new(out, &eo);
    if (rc != 0) {
        cli_error(c, "cannot start the engine: %s", quarry_status_str(rc));
        return rc;
    }
    for (i = 0; i < c->n_options; i++) {
        rc = quarry_engine_set_option(*out, c->options[i]);
        if (rc != 0) {
            cli_error(c, "%s", quarry_engine_errmsg(*out));
            quarry_engine_free(*out);
            *out = NULL;
            return rc;
        }
    }
    return QUARRY_OK;
}

/* Why a write failed, in a user's words. */
static const char *write_error(int err)
{
    return err == ENOSPC ? "the disk is full" : strerror(err);
}

FILE *cli_output_open(const cli *c, const char *path, char **tmp)
{
    struct stat sb;
    FILE *f = NULL;
    mode_t mask;
    int fd;
    *tmp = NULL;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        /* A device or a pipe (/dev/stdout, a FIFO): written in place. */
        f = fopen(path, "wb");
        if (f == NULL)
            cli_error(c, "%s: cannot write: %s", path, write_error(errno));
        return f;
    }
    *tmp = malloc(strlen(path) + sizeof ".partial-XXXXXX");
    if (*tmp == NULL) {
        cli_error(c, "out of memory");
        return NULL;
    }
    sprintf(*tmp, "%s.partial-XXXXXX", path);
    fd = mkstemp(*tmp);
    if (fd >= 0) {
        mask = umask(0); /* mkstemp makes 0600; give what fopen would */
        umask(mask);
        fchmod(fd, 0666 & ~mask);
        f = fdopen(fd, "wb");
        if (f == NULL)
            close(fd);
    }
    if (f == NULL) {
        cli_error(c, "%s: cannot write: %s", path, write_error(errno));
        if (fd >= 0)
            unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

int cli_output_close(const cli *c, FILE *f, const char *path, char *tmp,
                     int ok)
{
    int err = 0, renamed = tmp != NULL;
    if (fflush(f) != 0 || ferror(f))
        err = errno ? errno : EIO;
    if (err == 0 && tmp != NULL && fsync(fileno(f)) != 0)
        err = errno;
    if (fclose(f) != 0 && err == 0)
        err = errno ? errno : EIO;
    if (err == 0 && ok && tmp != NULL && rename(tmp, path) != 0)
        err = errno;
    if (renamed && (err != 0 || !ok))
        unlink(tmp);
    free(tmp);
    if (err != 0)
        cli_error(c, "%s: cannot write: %s%s", path, write_error(err),
                  renamed ? " (the file was not changed)" : "");
    return err != 0 ? -1 : 0;
}

int cli_refuse_folder(const cli *c, const char *path, const char *what)
{
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return 0;
    cli_error(c, "%s is a folder, not %s", path, what);
    return 1;
}

int cli_read_corpus(cli *c, char **paths, int n, quarry_corpus **out)
{
    quarry_corpus *corpus;
    int rc, i;
    for (i = 0; i < n; i++)
        if (cli_refuse_folder(c, paths[i],
                              "a file of excerpts (JSONL, CSV or a "
                              "transcript)"))
            return QUARRY_EINVAL;
    rc = quarry_corpus_new(&corpus);
    if (rc != 0) {
        cli_error(c, "out of memory");
        return rc;
    }
    quarry_corpus_set_threads(corpus, c->threads);
    if (cli_id_prefixes_check(c, paths, n) != 0) {
        quarry_corpus_free(corpus);
        return QUARRY_EINVAL;
    }
    for (i = 0; i < n; i++) {
        quarry_read_options ro = c->read;
        char prefix[1024];
        if (strcmp(paths[i], "-") == 0 && ro.format == QUARRY_FORMAT_AUTO)
            ro.format = QUARRY_FORMAT_JSONL;
        ro.id_prefix = cli_id_prefix(c, paths, n, i, prefix, sizeof prefix);
        rc = quarry_corpus_read_file(corpus, paths[i], &ro);
        if (rc != 0) {
            cli_error(c, "%s", quarry_corpus_errmsg(corpus));
            quarry_corpus_free(corpus);
            return rc;
        }
    }
    if (quarry_corpus_size(corpus) == 0) {
        cli_error(c, "%s: no excerpts to read", n == 1 ? paths[0] : "input");
        quarry_corpus_free(corpus);
        return QUARRY_EINVAL;
    }
    *out = corpus;
    return QUARRY_OK;
}

int cli_is_folder(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Is path read as a transcript (by --input-format or its extension)? */
int cli_is_transcript(const cli *c, const char *path)
{
    static const char *const ext[] = {".txt", ".md", ".srt", ".vtt"};
    size_t n = strlen(path), i;
    if (strcmp(path, "-") == 0)
        return 0;
    if (c->read.format != QUARRY_FORMAT_AUTO)
        return c->read.format == QUARRY_FORMAT_TRANSCRIPT;
    for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && strcasecmp(path + n - m, ext[i]) == 0)
            return 1;
    }
    return 0;
}

int cli_id_prefixes_check(cli *c, char **paths, int n)
{
    int i, k = 0;
    if (c->read.id_prefix == NULL)
        return 0;
    for (i = 0; i < n; i++)
        k += cli_is_transcript(c, paths[i]);
    if (k > 1) {
        cli_error(c, "--id-prefix names the ids of one transcript, and %d "
                     "are given; without it each file's ids start with its "
                     "path below their common folder",
                  k);
        return -1;
    }
    return 0;
}

const char *cli_id_prefix(const cli *c, char **paths, int n, int i,
                          char *buf, size_t cap)
{
    const char *p = paths[i], *first = NULL, *slash, *dot;
    size_t common = 0, len;
    int j;
    if (!cli_is_transcript(c, p))
        return NULL;
    if (c->read.id_prefix != NULL)
        return c->read.id_prefix;
    /* The longest folder (a prefix ending in '/') of every transcript: the
     * first one's folder, cut back at the first difference from each. */
    for (j = 0; j < n; j++) {
        const char *q = paths[j];
        size_t k = 0, last = 0;
        if (!cli_is_transcript(c, q))
            continue;
        if (first == NULL) {
            first = q;
            slash = strrchr(q, '/');
            common = slash ? (size_t)(slash - q) + 1 : 0;
            continue;
        }
        while (k < common && q[k] == first[k]) {
            if (q[k] == '/')
                last = k + 1;
            k++;
        }
        if (k < common)
            common = last;
    }
    p += common;
    slash = strrchr(p, '/');
    dot = strrchr(p, '.');
    len = (dot != NULL && dot > (slash ? slash + 1 : p)) ? (size_t)(dot - p)
                                                         : strlen(p);
    if (len == 0 || len >= cap)
        return NULL; /* the reader's default, the stem */
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

int cli_parse(cli *c, int argc, char **argv, const struct option *longopts,
              cli_own_fn own, void *ctx, void (*usage)(FILE *))
{
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int r = 0;
        if (opt == OPT_HELP) {
            usage(stdout);
            return EXIT_OK;
        }
        if (opt == '?') {
            cli_error(c, "unknown option or missing value: \"%s\" (see "
                         "--help)",
                      argv[optind - 1]);
            return EXIT_INPUT;
        }
        if (own != NULL)
            r = own(c, opt, optarg, ctx);
        if (r == 0)
            r = cli_common_option(c, opt, optarg);
        if (r == 0)
            cli_error(c, "option \"%s\" does not apply here (see --help)",
                      argv[optind - 1]);
        if (r <= 0)
            return EXIT_INPUT;
    }
    return -1;
}

int cli_int_option(const cli *c, const char *name, const char *arg,
                   long long lo, long long hi, int32_t *out)
{
    long long v;
    if (parse_int64(arg, lo, hi, &v) != 0) {
        cli_error(c, "%s: \"%s\" is not an integer in %lld..%lld", name, arg,
                  lo, hi);
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

int cli_check_format(cli *c, const char *choices)
{
    size_t n = strcspn(choices, "|");
    const char *p = choices;
    if (c->format == NULL) {
        static char first[32];
        snprintf(first, sizeof first, "%.*s", (int)n, choices);
        c->format = first;
        return 0;
    }
    while (*p != '\0') {
        n = strcspn(p, "|");
        if (strlen(c->format) == n && strncmp(p, c->format, n) == 0)
            return 0;
        p += n + (p[n] == '|');
    }
    {
        /* "jsonl|csv|table" -> "jsonl, csv or table" */
        char list[128];
        size_t used = 0;
        for (p = choices; *p != '\0' && used + 8 < sizeof list; p++) {
            if (*p != '|') {
                list[used++] = *p;
                continue;
            }
            const char *sep = strchr(p + 1, '|') ? ", " : " or ";
            used += (size_t)snprintf(list + used, sizeof list - used, "%s", sep);
        }
        list[used < sizeof list ? used : sizeof list - 1] = '\0';
        cli_error(c, "--format: \"%s\" is not %s", c->format, list);
    }
    return -1;
}

static const char sublinear_tf[] = "tfidf.tf=log";

int cli_suggest_defaults(cli *c)
{
    c->pipeline.min_df = 1;
    c->options = malloc(sizeof *c->options);
    if (c->options == NULL) {
        cli_error(c, "out of memory");
        return -1;
    }
    c->options[c->n_options++] = sublinear_tf;
    return 0;
}

void cli_suggest_defaults_done(cli *c)
{
    if (strcmp(c->pipeline.weighting, "tfidf") != 0 && c->n_options > 0 &&
        c->options[0] == sublinear_tf) {
        memmove(c->options, c->options + 1,
                (size_t)(c->n_options - 1) * sizeof *c->options);
        c->n_options--;
    }
}

const char *cli_time(const char *iso, char *buf, size_t cap)
{
    struct tm tm;
    time_t t;
    int y, mo, d, h, mi, sec, n = 0;
    if (cap == 0)
        return buf;
    snprintf(buf, cap, "%s", iso ? iso : "");
    if (iso == NULL ||
        sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 ||
        n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 60)
        return buf;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t)-1 || localtime_r(&t, &tm) == NULL ||
        strftime(buf, cap, "%d %b %Y, %H:%M %Z", &tm) == 0) {
        snprintf(buf, cap, "%s", iso);
        return buf;
    }
    if (buf[0] == '0') /* "07 Dec" -> "7 Dec" */
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

void cli_print_snippet(FILE *f, const char *s, size_t len, size_t max)
{
    size_t i, n = len < max ? len : max;
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    for (i = 0; i < n; i++)
        fputc(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i], f);
    if (n < len)
        fputs("...", f);
}

void cli_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cli_put_json_line(FILE *f, json_t *o, size_t flags)
{
    char *line = json_dumps(o, flags);
    json_decref(o);
    if (line == NULL)
        return -1;
    fputs(line, f);
    fputc('\n', f);
    free(line);
    return 0;
}
