/*
 * cmd_suggest.c -- `quarry suggest --train CODED --top K INPUT`: ranked
 * candidate codes for every excerpt of INPUT, learnt from the coded
 * excerpts of CODED (and a codebook's definitions with --codebook). One
 * JSON line per input excerpt, in input order; --format csv gives one row
 * per suggestion, --format table a summary for people.
 *
 * Evidence terms are written as {"term": ..., "weight": ...}: the weight is
 * the term's exact share x[t] * prototype[t] of the prototype cosine.
 *
 * suggest's own pipeline defaults (suggest.h says why): --min-df 1, and
 * sublinear tf (tfidf.tf=log) when the weighting is tfidf; --min-df and
 * --option tfidf.tf=... given on the command line win. --rejected FILE
 * reads excerpts whose codes a coder rejected for them (same formats as
 * --train): those codes are pushed away from them.
 *
 * --linear/--linear-c/--features fix the logistic regression blended in, or
 * quarry chooses (--auto, the default)
 * chooses them by cross-validation (suggest.h, "The linear model"); the
 * parsing is shared with `quarry suggest PROJECT` (cli_linear_option), and
 * what it chose goes to stderr with --verbose or --auto (cli_auto_notice).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"

enum {
    OPT_TRAIN = OPT_COMMAND_BASE,
    OPT_CODEBOOK,
    OPT_TOP,
    OPT_MIN_CONF,
    OPT_NEIGHBOURS,
    OPT_REJECTED
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry suggest --train CODED [OPTIONS] INPUT...\n"
            "       quarry suggest PROJECT [OPTIONS]   (in a project: see\n"
            "                          `quarry suggest PROJECT --help`)\n\n"
            "Ranks candidate codes for every excerpt of INPUT, learnt from\n"
            "the coded excerpts of CODED (JSONL or CSV with a \"code\" field,\n"
            "a string or a list). Each code's prototype is the mean of its\n"
            "excerpts, blended with its codebook entry; the score is\n"
            "0.5 x cosine to the prototype + 0.5 x the squared similarities\n"
            "of the K nearest coded excerpts carrying the code / K; the\n"
            "confidence is a softmax of the scores, its temperature fitted\n"
            "on CODED by leaving each coded excerpt out, times a factor\n"
            "that falls as the excerpt's terms point less to particular\n"
            "codes of CODED (also fitted there): an excerpt that says\n"
            "little abstains.\n"
            "suggest uses --min-df 1 and tfidf.tf=log unless told\n"
            "otherwise.\n\n"
            "  --train CODED           coded excerpts (required without\n"
            "                          --codebook; with --codebook alone the\n"
            "                          codes are ranked by their definitions,\n"
            "                          include notes and keywords, and the\n"
            "                          confidences are uncalibrated)\n"
            "  --codebook FILE         codebook JSON: its leaf codes are the\n"
            "                          candidates; training codes must be in it\n"
            "  --rejected FILE         excerpts with the codes a coder\n"
            "                          rejected for them (JSONL or CSV, as\n"
            "                          CODED): those codes are pushed away\n"
            "  --top K                 suggestions per excerpt (3; 1..codes)\n"
            "  --min-confidence X      abstain below X (0.3)\n"
            "  --neighbours K          nearest coded excerpts used (10); 0:\n"
            "                          prototypes only, no neighbour search\n"
            "                          (faster on large CODED, less accurate)\n"
            "  --format jsonl|csv|table  output (jsonl)\n%s\n%s",
            cli_linear_help, cli_common_help);
}

/* One JSON line per excerpt through the streaming writer (json_out.h),
 * byte for byte what jansson's json_dumps wrote. 0; -1 when out of memory;
 * -2 when the output cannot be written. */
static int write_jsonl(const cli *c, const quarry_corpus *train,
                       const quarry_corpus *in, const quarry_suggestions *s)
{
    size_t i;
    int32_t k, j;
    jout w;
    jout_init(&w, stdout);
    for (i = 0; i < quarry_suggestions_size(s) && w.err == JOUT_OK; i++) {
        jout_begin_object(&w, NULL);
        jout_string(&w, "id", quarry_corpus_at(in, i)->id);
        jout_begin_array(&w, "suggestions");
        for (k = 0; k < quarry_suggestions_count(s, i); k++) {
            const quarry_suggestion *sg = quarry_suggestions_at(s, i, k);
            jout_begin_object(&w, NULL);
            jout_string(&w, "code", sg->code);
            jout_real(&w, "score", sg->score);
            jout_real(&w, "confidence", sg->confidence);
            jout_begin_array(&w, "terms");
            for (j = 0; j < sg->n_terms; j++) {
                jout_begin_object(&w, NULL);
                jout_string(&w, "term", sg->terms[j]);
                jout_real(&w, "weight", sg->term_weights[j]);
                jout_end_object(&w);
            }
            jout_end_array(&w);
            jout_begin_array(&w, "neighbours");
            for (j = 0; j < sg->n_neighbours; j++)
                jout_string(
                    &w, NULL,
                    quarry_corpus_at(train, (size_t)sg->neighbours[j])->id);
            jout_end_array(&w);
            jout_end_object(&w);
        }
        jout_end_array(&w);
        jout_bool(&w, "abstain", quarry_suggestions_abstain(s, i));
        jout_end_object(&w);
        jout_end_line(&w);
    }
    return cli_jout_finish(c, &w);
}

static void write_csv(const quarry_corpus *in, const quarry_suggestions *s)
{
    size_t i;
    int32_t k;
    printf("id,rank,code,score,confidence,abstain\n");
    for (i = 0; i < quarry_suggestions_size(s); i++)
        for (k = 0; k < quarry_suggestions_count(s, i); k++) {
            const quarry_suggestion *sg = quarry_suggestions_at(s, i, k);
            cli_csv_field(stdout, quarry_corpus_at(in, i)->id);
            printf(",%d,", (int)k + 1);
            cli_csv_field(stdout, sg->code);
            printf(",%.4f,%.4f,%s\n", sg->score, sg->confidence,
                   quarry_suggestions_abstain(s, i) ? "true" : "false");
        }
}

static void write_table(const quarry_corpus *train, const quarry_corpus *in,
                        const quarry_suggestions *s)
{
    size_t i;
    int32_t k, j;
    for (i = 0; i < quarry_suggestions_size(s); i++) {
        const quarry_excerpt *x = quarry_corpus_at(in, i);
        printf("%s", x->id);
        if (x->speaker != NULL)
            printf("  %s", x->speaker);
        printf("%s\n",
               quarry_suggestions_abstain(s, i) ? "  (unsure: abstains)" : "");
        printf("  \"");
        cli_print_snippet(stdout, x->text, x->text_len, 100);
        printf("\"\n");
        for (k = 0; k < quarry_suggestions_count(s, i); k++) {
            const quarry_suggestion *sg = quarry_suggestions_at(s, i, k);
            printf("  %d. %-20s score %.2f  confidence %.2f\n", (int)k + 1,
                   sg->code, sg->score, sg->confidence);
            if (sg->n_terms > 0) {
                printf("     terms: ");
                for (j = 0; j < sg->n_terms; j++)
                    printf("%s%s", j ? ", " : "", sg->terms[j]);
                printf("\n");
            }
            if (sg->n_neighbours > 0) {
                printf("     like:  ");
                for (j = 0; j < sg->n_neighbours; j++)
                    printf("%s%s", j ? ", " : "",
                           quarry_corpus_at(train, (size_t)sg->neighbours[j])
                               ->id);
                printf("\n");
            }
        }
        printf("\n");
    }
}

typedef struct suggest_args {
    quarry_suggest_options so;
    const char *train;
    const char *codebook;
    const char *rejected;
} suggest_args;

const char cli_linear_help[] =
    "  --auto                  (the default) blend in a logistic regression\n"
    "                          on the coded excerpts where cross-validation\n"
    "                          on them says it helps, choosing its share;\n"
    "                          up to 20,000 coded excerpts (above, the\n"
    "                          neighbours alone: the model would cost ten\n"
    "                          times the time for about a point of top-1)\n"
    "  --linear X              instead, that model with share X in [0, 1]\n"
    "                          (0: none, the prototypes and neighbours\n"
    "                          alone)\n"
    "  --linear-c C            with --linear: its regularisation C (1;\n"
    "                          larger: less)\n"
    "  --features LIST         with --linear: what it reads beside the\n"
    "                          words, comma-separated: form (function\n"
    "                          words, word pairs, ? and !), chars (character\n"
    "                          n-grams, the charngram tokenizer plugin);\n"
    "                          words: none (the seed of --seed fixes its\n"
    "                          shuffles)\n";

const char *cli_features_name(unsigned f)
{
    if ((f & QUARRY_FEATURES_FORM) && (f & QUARRY_FEATURES_CHARS))
        return "words+form+chars";
    if (f & QUARRY_FEATURES_FORM)
        return "words+form";
    if (f & QUARRY_FEATURES_CHARS)
        return "words+chars";
    return "words";
}

int cli_linear_option(cli *c, int opt, const char *arg,
                      quarry_suggest_options *so)
{
    double d;
    switch (opt) {
    case OPT_AUTO:
        c->linear_given |= CLI_GAVE_AUTO;
        return 1;
    case OPT_LINEAR:
        c->linear_given |= CLI_GAVE_LINEAR;
        if (parse_double(arg, 0.0, 1.0, &d) != 0) {
            cli_error(c, "--linear: \"%s\" is not a share in [0, 1]", arg);
            return -1;
        }
        so->linear = d;
        return 1;
    case OPT_LINEAR_C:
        c->linear_given |= CLI_GAVE_LINEAR_C;
        if (parse_double(arg, 1e-6, 1e6, &d) != 0) {
            cli_error(c, "--linear-c: \"%s\" is not a number in [1e-06, "
                         "1e+06]",
                      arg);
            return -1;
        }
        so->linear_c = d;
        return 1;
    case OPT_FEATURES: {
        const char *p = arg;
        c->linear_given |= CLI_GAVE_FEATURES;
        unsigned f = 0;
        while (*p) {
            size_t n = strcspn(p, ",");
            if (n == 5 && strncmp(p, "words", 5) == 0)
                ;
            else if (n == 4 && strncmp(p, "form", 4) == 0)
                f |= QUARRY_FEATURES_FORM;
            else if (n == 5 && strncmp(p, "chars", 5) == 0)
                f |= QUARRY_FEATURES_CHARS;
            else {
                cli_error(c, "--features: \"%.*s\" is not words, form or "
                             "chars",
                          (int)n, p);
                return -1;
            }
            p += n;
            if (*p == ',')
                p++;
        }
        so->features = f;
        return 1;
    }
    }
    return 0;
}

int cli_linear_done(cli *c, quarry_suggest_options *so)
{
    unsigned g = c->linear_given;
    if ((g & CLI_GAVE_AUTO) && (g & CLI_GAVE_LINEAR)) {
        cli_error(c, "--auto chooses the linear model's share itself: give "
                     "--auto or --linear X, not both");
        return -1;
    }
    if ((g & (CLI_GAVE_LINEAR_C | CLI_GAVE_FEATURES)) &&
        !(g & CLI_GAVE_LINEAR)) {
        int both = (g & CLI_GAVE_LINEAR_C) && (g & CLI_GAVE_FEATURES);
        cli_error(c, "%s %s a linear model of your own: give its share with "
                     "--linear X too (without %s quarry chooses)",
                  both                      ? "--linear-c and --features"
                  : (g & CLI_GAVE_LINEAR_C) ? "--linear-c"
                                            : "--features",
                  both ? "set" : "sets", both ? "them" : "it");
        return -1;
    }
    so->auto_select = (g & CLI_GAVE_LINEAR) ? 0 : 1;
    return 0;
}

void cli_auto_notice(const cli *c, const quarry_suggest_choice *ch)
{
    if (ch == NULL || !ch->auto_selected || c->verbose < 0)
        return;
    if (ch->coded > QUARRY_SUGGEST_AUTO_MAX_CODED) {
        /* Said at every run: the researcher should know why. */
        fprintf(stderr,
                "quarry suggest: %lld coded excerpts, more than %d: no "
                "linear model (it would cost ten times the time for about a "
                "point of top-1; --linear 0.5 --features form forces "
                "one)\n",
                (long long)ch->coded, QUARRY_SUGGEST_AUTO_MAX_CODED);
        return;
    }
    if (c->verbose < 1 && !(c->linear_given & CLI_GAVE_AUTO))
        return; /* the default: what it chose only with --verbose */
    if (ch->rows == 0) {
        fprintf(stderr, "quarry suggest: too few coded excerpts to "
                        "cross-validate on; no linear model\n");
        return;
    }
    if (ch->linear <= 0.0)
        fprintf(stderr,
                "quarry suggest: no linear model (%d-fold on %lld coded "
                "excerpts: top-1 %.3f, top-3 %.3f without it, no share "
                "better)\n",
                (int)ch->folds, (long long)ch->rows, ch->base_top1,
                ch->base_top3);
    else
        fprintf(stderr,
                "quarry suggest: linear model chosen: --linear %.2f "
                "--linear-c %g --features %s (%d-fold on %lld coded "
                "excerpts: top-1 %.3f, top-3 %.3f; without it %.3f, "
                "%.3f)\n",
                ch->linear, ch->linear_c, cli_features_name(ch->features),
                (int)ch->folds, (long long)ch->rows, ch->top1, ch->top3,
                ch->base_top1, ch->base_top3);
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    suggest_args *a = ctx;
    double d;
    int r = cli_linear_option(c, opt, arg, &a->so);
    if (r != 0)
        return r;
    switch (opt) {
    case OPT_TRAIN:
        a->train = arg;
        return 1;
    case OPT_CODEBOOK:
        a->codebook = arg;
        return 1;
    case OPT_REJECTED:
        a->rejected = arg;
        return 1;
    case OPT_TOP: {
        long long v;
        if (parse_int64(arg, 1, 100000, &v) != 0) {
            cli_error(c, "--top: \"%s\" is not a number of suggestions "
                         "(1..codes)",
                      arg);
            return -1;
        }
        a->so.top = (int32_t)v;
        return 1;
    }
    case OPT_NEIGHBOURS:
        return cli_int_option(c, "--neighbours", arg, 0, 100000,
                              &a->so.neighbours) == 0 ? 1 : -1;
    case OPT_MIN_CONF:
        if (parse_double(arg, 0.0, 1.0, &d) != 0) {
            cli_error(c, "--min-confidence: \"%s\" is not in [0, 1]", arg);
            return -1;
        }
        a->so.min_confidence = d;
        return 1;
    }
    return 0;
}

int cmd_suggest(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"train", required_argument, NULL, OPT_TRAIN},
        {"codebook", required_argument, NULL, OPT_CODEBOOK},
        {"top", required_argument, NULL, OPT_TOP},
        {"min-confidence", required_argument, NULL, OPT_MIN_CONF},
        {"neighbours", required_argument, NULL, OPT_NEIGHBOURS},
        {"rejected", required_argument, NULL, OPT_REJECTED},
        CLI_LINEAR_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    suggest_args args = {QUARRY_SUGGEST_OPTIONS_INIT, NULL, NULL, NULL};
    cli c;
    quarry_engine *e = NULL;
    quarry_corpus *train = NULL, *input = NULL, *rejected = NULL;
    quarry_codebook *cb = NULL;
    quarry_suggestions *s = NULL;
    int rc, code;
    double t = cli_now();

    args.so.top = 0; /* unless --top: 3, or every code when fewer */
    cli_init(&c, "suggest");
    if (cli_suggest_defaults(&c) != 0) {
        code = EXIT_INTERNAL;
        goto out;
    }
    code = cli_parse(&c, argc, argv, longopts, own_option, &args, usage);
    if (code >= 0)
        goto out;
    cli_suggest_defaults_done(&c);
    code = EXIT_INPUT;
    if (cli_linear_done(&c, &args.so) != 0)
        goto out;
    if (args.train == NULL && args.codebook == NULL) {
        int i;
        for (i = optind; i < argc; i++)
            if (cli_refuse_folder(&c, argv[i], "a quarry project or a file "
                                               "of excerpts"))
                goto out;
        cli_error(&c, "--train is required (the coded excerpts; see --help), "
                      "or --codebook alone to start from a codebook");
        goto out;
    }
    if (cli_check_format(&c, "jsonl|csv|table") != 0)
        goto out;
    if (optind >= argc) {
        cli_error(&c, "no INPUT given (a JSONL or CSV file, or - for "
                      "standard input)");
        goto out;
    }
    code = EXIT_OK;
    if (cli_engine(&c, &e) != 0) {
        code = EXIT_INPUT;
        goto out;
    }
    if (args.codebook != NULL) {
        rc = quarry_codebook_load(&cb, e, args.codebook);
        if (rc != 0) {
            cli_error(&c, "%s", quarry_engine_errmsg(e));
            code = cli_exit_code(rc);
            goto out;
        }
        args.so.codebook = cb;
        c.read.codebook = cb; /* codes in the files may be given by name */
    }
    if (args.train != NULL)
        rc = cli_read_corpus(&c, (char **)&args.train, 1, &train);
    else
        rc = quarry_corpus_new(&train) == 0 ? 0 : QUARRY_ENOMEM;
    if (rc == 0)
        rc = cli_read_corpus(&c, argv + optind, argc - optind, &input);
    /* Interviewer turns are left out of INPUT unless --speakers says
     * otherwise; CODED is kept whole: a coded interviewer turn is still a
     * person's coding, so it stays training data. */
    if (rc == 0 && cli_select_speakers(&c, &input) != 0)
        rc = QUARRY_ENOMEM;
    if (rc == 0 && quarry_corpus_size(input) == 0) {
        cli_error(&c, "no excerpts left to suggest for after leaving out "
                      "the other speakers' turns (--speakers all includes "
                      "them)");
        rc = QUARRY_EINVAL;
    }
    if (rc == 0 && args.rejected != NULL) {
        rc = cli_read_corpus(&c, (char **)&args.rejected, 1, &rejected);
        args.so.rejected = rejected;
    }
    if (rc != 0) {
        code = cli_exit_code(rc);
        goto out;
    }
    cli_phase(&c, &t, "start and read");
    args.so.seed = c.seed;
    rc = quarry_suggest_run(&s, e, &c.pipeline, &args.so, train, input);
    cli_progress_done(&c);
    if (rc != 0) {
        cli_error(&c, "%s", quarry_engine_errmsg(e));
        code = cli_exit_code(rc);
        goto out;
    }
    t = cli_now();
    if (quarry_suggestions_codebook_only(s))
        cli_codebook_only_notice(&c);
    cli_auto_notice(&c, quarry_suggestions_choice(s));
    if (c.verbose > 0)
        fprintf(stderr, "quarry suggest: confidence temperature %.4g%s\n",
                quarry_suggestions_temperature(s),
                args.so.temperature > 0.0 ? "" : " (fitted on the training "
                                                 "excerpts)");
    if (quarry_engine_unused_option(e) != NULL) {
        cli_error(&c, "--option %s: no plugin of this run is called that",
                  quarry_engine_unused_option(e));
        code = EXIT_INPUT;
        goto out;
    }
    if (strcmp(c.format, "table") == 0)
        write_table(train, input, s);
    else if (strcmp(c.format, "csv") == 0)
        write_csv(input, s);
    else if ((rc = write_jsonl(&c, train, input, s)) == -1) {
        cli_error(&c, "out of memory");
        code = EXIT_INTERNAL;
    }
    if (fflush(stdout) != 0 || rc == -2) {
        cli_error(&c, "cannot write the output");
        code = EXIT_INTERNAL;
    }
    cli_phase(&c, &t, "write the output");
out:
    quarry_suggestions_free(s);
    quarry_codebook_free(cb);
    quarry_corpus_free(rejected);
    quarry_corpus_free(input);
    quarry_corpus_free(train);
    quarry_engine_free(e);
    cli_free(&c);
    return code;
}
