/*
 * cli.h -- what the subcommands of the quarry command share: the options
 * every pipeline command takes, the engine set-up, messages and exit codes.
 * Results go to stdout; messages and progress to stderr.
 */
#ifndef QUARRY_CLI_H
#define QUARRY_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "quarry/quarry.h"

/* Exit codes (architecture.md). */
enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_INTERNAL = 2 };

typedef struct cli {
    const char *cmd; /* "themes" */
    int verbose;     /* -1 quiet, 0 normal, 1 verbose */
    const char *plugin_path;
    const char *dictionary_path;
    const char *format;       /* output format */
    quarry_pipeline_options pipeline;
    quarry_read_options read;
    const char *input_format; /* jsonl|csv|transcript|NULL */
    uint64_t seed;
    const char **options;     /* --option values */
    int n_options;
    int progress_shown;
    int32_t threads;          /* --threads; 0 = every core */
    quarry_speakers speakers; /* --speakers; participants unless told */
    unsigned linear_given;    /* CLI_GAVE_*: suggest's linear options */
} cli;

/* Long options every pipeline command accepts, numbered from 1000. */
enum {
    OPT_PLUGIN_PATH = 1000,
    OPT_DICT_PATH,
    OPT_TOKENIZER,
    OPT_STEMMER,
    OPT_WEIGHTING,
    OPT_CLUSTERER,
    OPT_OPTION,
    OPT_LANGUAGE,
    OPT_SEED,
    OPT_STOPWORDS,
    OPT_LEXICON,
    OPT_MIN_DF,
    OPT_MAX_DF,
    OPT_MAX_FEATURES,
    OPT_FORMAT,
    OPT_INPUT_FORMAT,
    OPT_SEGMENT,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_HELP,
    OPT_THREADS,
    OPT_INTERVIEWER,
    OPT_ID_PREFIX,
    OPT_DELIMITER,
    OPT_ENCODING,
    OPT_STRICT,
    OPT_SPEAKERS,
    OPT_COMMAND_BASE = 1100 /* subcommands number their own from here */
};

#define CLI_COMMON_LONG_OPTIONS                                          \
    {"plugin-path", required_argument, NULL, OPT_PLUGIN_PATH},            \
        {"dictionary-path", required_argument, NULL, OPT_DICT_PATH},      \
        {"tokenizer", required_argument, NULL, OPT_TOKENIZER},            \
        {"stemmer", required_argument, NULL, OPT_STEMMER},                \
        {"weighting", required_argument, NULL, OPT_WEIGHTING},            \
        {"clusterer", required_argument, NULL, OPT_CLUSTERER},            \
        {"option", required_argument, NULL, OPT_OPTION},                  \
        {"language", required_argument, NULL, OPT_LANGUAGE},              \
        {"seed", required_argument, NULL, OPT_SEED},                      \
        {"stopwords", required_argument, NULL, OPT_STOPWORDS},            \
        {"lexicon", required_argument, NULL, OPT_LEXICON},                \
        {"min-df", required_argument, NULL, OPT_MIN_DF},                  \
        {"max-df", required_argument, NULL, OPT_MAX_DF},                  \
        {"max-features", required_argument, NULL, OPT_MAX_FEATURES},      \
        {"format", required_argument, NULL, OPT_FORMAT},                  \
        {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},      \
        {"segment", required_argument, NULL, OPT_SEGMENT},                \
        {"quiet", no_argument, NULL, OPT_QUIET},                          \
        {"verbose", no_argument, NULL, OPT_VERBOSE},                      \
        {"threads", required_argument, NULL, OPT_THREADS},                \
        {"interviewer", required_argument, NULL, OPT_INTERVIEWER},        \
        {"id-prefix", required_argument, NULL, OPT_ID_PREFIX},            \
        {"delimiter", required_argument, NULL, OPT_DELIMITER},            \
        {"encoding", required_argument, NULL, OPT_ENCODING},              \
        {"strict", no_argument, NULL, OPT_STRICT},                        \
        {"speakers", required_argument, NULL, OPT_SPEAKERS},              \
    {                                                                     \
        "help", no_argument, NULL, OPT_HELP                               \
    }

void cli_init(cli *c, const char *cmd);
void cli_free(cli *c);
/* Handle a common option: 1 handled, 0 not common, -1 bad value (message
 * printed). */
int cli_common_option(cli *c, int opt, const char *arg);
/* Make the engine with the paths, logging, progress and --option values. */
int cli_engine(cli *c, quarry_engine **out);
/* Keep only the excerpts of *corpus whose speakers --speakers names
 * (participants by default): *corpus is replaced by the selection, and
 * one notice counts the turns left out ("60 interviewer turns left out
 * (--speakers all to include them)"). 0, or -1 after a message. */
int cli_select_speakers(cli *c, quarry_corpus **corpus);
/* "no coded excerpts yet: suggestions come from the codebook's
 * definitions and keywords alone; ..." (a run from the codebook alone). */
void cli_codebook_only_notice(const cli *c);
/* The notice of cli_select_speakers for n turns left out. */
void cli_speakers_notice(const cli *c, int64_t n);
/* Read the input files into a corpus; messages printed on failure. */
int cli_read_corpus(cli *c, char **paths, int n, quarry_corpus **out);
/* Is path read as a transcript (by --input-format or its extension)? */
int cli_is_transcript(const cli *c, const char *path);
/* Is path an existing folder (a user gave one where files are asked)? */
int cli_is_folder(const char *path);
/* The id prefix of paths[i] when it is read as a transcript: --id-prefix,
 * else its path below the folder common to the transcripts among paths,
 * without the extension ("s1/P01" for s1/P01.txt beside s2/P01.txt; the
 * stem when they share a folder). NULL for other files. -1 with a message
 * when --id-prefix is given with more than one transcript. */
int cli_id_prefixes_check(cli *c, char **paths, int n);
const char *cli_id_prefix(const cli *c, char **paths, int n, int i,
                          char *buf, size_t cap);

/* An output file written whole or not at all: a temporary file beside
 * path, renamed over it by cli_output_close when ok and every write
 * succeeded, else removed (a full disk leaves no empty or half file). A
 * device or pipe (/dev/stdout) is written in place (*tmp NULL). NULL
 * after a message. cli_output_close returns -1 after a message ("the disk
 * is full") when a write failed; it frees tmp. */
FILE *cli_output_open(const cli *c, const char *path, char **tmp);
int cli_output_close(const cli *c, FILE *f, const char *path, char *tmp,
                     int ok);

/* 1 after "PATH is a folder, not WHAT" on stderr when path is a folder;
 * else 0 ("-" is standard input). */
int cli_refuse_folder(const cli *c, const char *path, const char *what);

/* "quarry themes: message" on stderr. */
void cli_error(const cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_warn(const cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A notice on stderr ("quarry CMD: ..."), unless --quiet. */
void cli_note(const cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Exit code for a library status. */
int cli_exit_code(int status);
/* Clear a progress line if one is shown. */
void cli_progress_done(cli *c);
/* Finish a JSONL output (json_out.h): warn of the values left out, write
 * the rest; 0, -1 out of memory, -2 the output could not be written. */
struct jout;
int cli_jout_finish(const cli *c, struct jout *w);
/* With --verbose, "quarry CMD: WHAT: 0.41 s" (wall seconds since *t) on
 * stderr; *t becomes now. Start with t = cli_now(). */
double cli_now(void);
void cli_phase(const cli *c, double *t, const char *what);

/* A command's own options: return 1 when opt was taken, 0 when it is not
 * the command's, -1 after printing why its value is bad. */
typedef int (*cli_own_fn)(cli *c, int opt, const char *arg, void *ctx);

/* Parse argv: the command's own options through own (may be NULL), then the
 * common ones. Returns -1 to go on (optind at the first operand), or the
 * exit code to return: EXIT_OK after --help (usage printed to stdout),
 * EXIT_INPUT after a bad option (message printed). */
int cli_parse(cli *c, int argc, char **argv, const struct option *longopts,
              cli_own_fn own, void *ctx, void (*usage)(FILE *));

/* An integer option value in lo..hi into *out; -1 with a message naming
 * the option otherwise. */
int cli_int_option(const cli *c, const char *name, const char *arg,
                   long long lo, long long hi, int32_t *out);

/* c->format defaults to the first of choices ("jsonl|csv|table"); -1 with
 * a message when it is not one of them. */
int cli_check_format(cli *c, const char *choices);

/* What suggest does by default, in a file or in a project: --min-df 1 and
 * sublinear tf (tfidf.tf=log, set before the user's --option values so
 * theirs win). _defaults before cli_parse, _done after it (another
 * weighting has no tf option). -1 when out of memory. */
int cli_suggest_defaults(cli *c);

/* suggest's linear model options, shared by `quarry suggest` on files and
 * on a project (cmd_suggest.c): --auto, --linear, --linear-c, --features.
 * Numbered from OPT_LINEAR_BASE, clear of the subcommands' own. */
enum {
    OPT_LINEAR_BASE = 1180,
    OPT_AUTO = OPT_LINEAR_BASE,
    OPT_LINEAR,
    OPT_LINEAR_C,
    OPT_FEATURES
};
#define CLI_LINEAR_LONG_OPTIONS                                             \
    {"auto", no_argument, NULL, OPT_AUTO},                                  \
        {"linear", required_argument, NULL, OPT_LINEAR},                    \
        {"linear-c", required_argument, NULL, OPT_LINEAR_C},                \
    {                                                                       \
        "features", required_argument, NULL, OPT_FEATURES                   \
    }
extern const char cli_linear_help[];
#define CLI_GAVE_AUTO 1u
#define CLI_GAVE_LINEAR 2u
#define CLI_GAVE_LINEAR_C 4u
#define CLI_GAVE_FEATURES 8u
/* After parsing: --linear X fixes the model (auto_select 0), else quarry
 * chooses (auto_select 1, the default); --auto with --linear, or
 * --linear-c/--features without --linear, is refused with a message.
 * 0, or -1 after the message. */
int cli_linear_done(cli *c, quarry_suggest_options *so);
/* 1 if opt was one of them (taken into so), -1 on a bad value, 0 if not. */
int cli_linear_option(cli *c, int opt, const char *arg,
                      quarry_suggest_options *so);
/* The features' names ("words", "words+form", "words+form+chars"). */
const char *cli_features_name(unsigned features);
/* After a run, on stderr: that no model was tried above the limit (always),
 * and what quarry chose (with --auto or --verbose). */
void cli_auto_notice(const cli *c, const quarry_suggest_choice *ch);
void cli_suggest_defaults_done(cli *c);

/* A time the project keeps (ISO 8601 UTC, "2026-01-31T12:00:00.000Z") as
 * people read it, in this computer's time zone: "31 Jan 2026, 12:00 UTC".
 * Written into buf (cap bytes); a time it cannot read is copied as it
 * is. Returns buf. */
const char *cli_time(const char *iso, char *buf, size_t cap);

/* At most max bytes of s on one line (newlines and tabs as spaces), cut at
 * a UTF-8 boundary, "..." when cut. */
void cli_print_snippet(FILE *f, const char *s, size_t len, size_t max);

/* One CSV field, quoted only when it holds a comma, a quote or a line
 * break (RFC 4180). */
void cli_csv_field(FILE *f, const char *s);

/* Write o as one JSON line (json_dumps flags) and release it; -1 when out
 * of memory. */
struct json_t;
int cli_put_json_line(FILE *f, struct json_t *o, size_t flags);

int parse_int64(const char *s, long long lo, long long hi, long long *out);
int parse_double(const char *s, double lo, double hi, double *out);

extern const char cli_common_help[];

int cmd_plugins(int argc, char **argv);
int cmd_themes(int argc, char **argv);
int cmd_suggest(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_codebook(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_agree(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_memo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_code(int argc, char **argv);
int cmd_source(int argc, char **argv);
/* The memos (of an excerpt or code when one is named, else all) as table,
 * jsonl or csv (with a header row) on out; a library status
 * (cmd_memo.c; also `quarry export --format memos`). */
int cli_memos_write(quarry_project *p, FILE *out, const char *format,
                    const char *excerpt, const char *code);

/* Projects (cmd_project.c). The index of the first operand that is a
 * quarry project file, or 0: `quarry suggest PROJECT` works inside it. */
int cli_find_project(int argc, char **argv);
/* Open a project, with QUARRY_FIXED_TIME (tests) pinning its clock; the
 * message is printed on failure. */
int cli_open_project(cli *c, const char *path, int flags,
                     quarry_project **out);
int cmd_suggest_project(int argc, char **argv);

/* OpenBLAS's kernels for this CPU (blas_tune.c): runs the command again
 * with OPENBLAS_CORETYPE set when the loaded kernels are below what the CPU
 * supports; returns when there is nothing to do. The loaded core's name,
 * or NULL when the BLAS is not OpenBLAS. */
void cli_blas_tune(char **argv);
const char *cli_blas_core(void);

#endif
