/*
 * cmd_review.c -- `quarry review PROJECT --coder NAME`: a person decides
 * the engine's suggestions, one excerpt at a time, on a terminal
 * (review_ui.c); `quarry review PROJECT --decisions FILE` applies decisions
 * made elsewhere, all or nothing.
 *
 * Every decision is committed the moment it is made. The screen goes to
 * the terminal; the one-line summary goes to stdout.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "review_term.h"
#include "review_ui.h"

enum {
    OPT_CODER = OPT_COMMAND_BASE,
    OPT_DECISIONS,
    OPT_ORDER,
    OPT_ACCEPT_ABOVE,
    OPT_DRY_RUN,
    OPT_BLIND
};

typedef struct review_args {
    const char *coder;
    const char *decisions;
    quarry_review_order order;
    double accept_above; /* < 0: not asked */
    int dry_run;
    int blind; /* no other coder's codes shown */
} review_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry review PROJECT --coder NAME [--order uncertain]\n"
            "                     [--speakers all|participants|interviewers]\n"
            "       quarry review PROJECT --coder NAME --order disagreements\n"
            "       quarry review PROJECT --decisions FILE [--coder NAME]\n"
            "       quarry review PROJECT --accept-above C --coder NAME "
            "[--dry-run]\n\n"
            "Shows each excerpt that has suggestions in the project's latest\n"
            "`quarry suggest` run, in its context (source, speaker, the turns\n"
            "before and after, its attributes), with the ranked suggestions,\n"
            "their confidence and evidence. One key decides:\n"
            "  a accept the top undecided suggestion   1-9 accept number N\n"
            "  r reject the top undecided suggestion   R then 1-9: reject N\n"
            "  c replace it with another code          n add another code\n"
            "  x then 1-9 remove your coding N         d then 1-9: what code\n"
            "    N means (definition, include/exclude notes, nearest coded\n"
            "    excerpts)\n"
            "  j/k, PgUp/PgDn scroll a long excerpt\n"
            "  Enter, s or Right: the next excerpt (after a decision the\n"
            "    excerpt stays, so a second code can follow)\n"
            "  u undo your last decision   ? help   q quit\n"
            "Each decision is saved at once with the coder's name and time;\n"
            "a closed terminal loses nothing already decided.\n\n"
            "  --coder NAME        who decides (required; default: the\n"
            "                      QUARRY_CODER environment variable)\n"
            "  --decisions FILE    apply decisions made elsewhere instead:\n"
            "                      JSONL, one object a line with \"excerpt\",\n"
            "                      \"verdict\" (accept|reject|replace|add|\n"
            "                      remove: takes away the coder's own\n"
            "                      coding, whatever its origin),\n"
            "                      \"code\", \"replacement\" (replace only),\n"
            "                      \"coder\" (else --coder), \"note\", \"time\"\n"
            "                      (ISO 8601, a real date and time);\n"
            "                      or {\"excerpt\", \"verdict\": \"settle\",\n"
            "                      \"codes\": [...], \"coder\", \"note\"}: the\n"
            "                      coder's final codes on an excerpt;\n"
            "                      all or nothing; - is standard input\n"
            "  --order source|uncertain|disagreements  the queue in import\n"
            "                      order (source, the default), most\n"
            "                      uncertain first (the lowest top\n"
            "                      confidence first), or the excerpts whose\n"
            "                      coders' codes differ, to settle: each\n"
            "                      coder's codes show, number keys mark the\n"
            "                      final ones, Enter settles (as --coder's\n"
            "                      decisions; the others' codings stay)\n"
            "  --accept-above C    accept, as --coder's decisions, the top\n"
            "                      suggestion of every excerpt of the latest\n"
            "                      run with confidence C or more that the\n"
            "                      coder has not decided yet; prints first\n"
            "                      how many and the error to expect at C\n"
            "                      (measured on the coded excerpts the run\n"
            "                      held out when it calibrated; and how\n"
            "                      often people rejected such suggestions\n"
            "                      so far). Each decision records its batch;\n"
            "                      u in the review undoes them one by one\n"
            "  --dry-run           with --accept-above: only print\n"
            "  --speakers WHO      whose turns the queue holds: participants\n"
            "                      (the default: interviewer turns are left\n"
            "                      out, and counted), all or interviewers\n"
            "  --blind             blind coding: no other coder's codes are\n"
            "                      shown (\"Others:\", the codes of the\n"
            "                      nearest coded excerpts), so coders code\n"
            "                      independently; not with --order\n"
            "                      disagreements\n"
            "  --quiet             no summary line\n");
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    review_args *a = ctx;
    switch (opt) {
    case OPT_CODER:
        a->coder = arg;
        return 1;
    case OPT_DECISIONS:
        a->decisions = arg;
        return 1;
    case OPT_QUIET:
        c->verbose = -1;
        return 1;
    case OPT_ORDER:
        if (strcmp(arg, "source") == 0)
            a->order = QUARRY_REVIEW_SOURCE;
        else if (strcmp(arg, "uncertain") == 0)
            a->order = QUARRY_REVIEW_UNCERTAIN;
        else if (strcmp(arg, "disagreements") == 0)
            a->order = QUARRY_REVIEW_DISAGREEMENTS;
        else {
            cli_error(c, "--order: \"%s\" is not source, uncertain or "
                         "disagreements", arg);
            return -1;
        }
        return 1;
    case OPT_ACCEPT_ABOVE: {
        char *end = NULL;
        double v = strtod(arg, &end);
        if (end == arg || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
            cli_error(c, "--accept-above: \"%s\" is not a confidence in "
                         "[0, 1]", arg);
            return -1;
        }
        a->accept_above = v;
        return 1;
    }
    case OPT_BLIND:
        a->blind = 1;
        return 1;
    case OPT_DRY_RUN:
        a->dry_run = 1;
        return 1;
    default:
        return 0;
    }
}

/* The coder's name: --coder, else QUARRY_CODER; NULL when neither names
 * one. A name of blanks is no name. */
static const char *coder_name(const review_args *a)
{
    const char *name = a->coder;
    size_t i;
    if (name == NULL)
        name = getenv("QUARRY_CODER");
    if (name == NULL)
        return NULL;
    for (i = 0; name[i] != '\0'; i++)
        if (name[i] != ' ' && name[i] != '\t')
            return name;
    return NULL;
}

static int open_project(cli *c, const char *path, quarry_project **out)
{
    return cli_open_project(c, path, 0, out);
}

static int apply_file(cli *c, const char *path, const char *file,
                      const char *coder)
{
    quarry_project *p = NULL;
    int64_t applied = 0, already = 0;
    int rc = open_project(c, path, &p);
    if (rc != QUARRY_OK)
        return cli_exit_code(rc);
    rc = quarry_project_apply_decisions_again(p, file, coder, &applied,
                                              &already);
    if (rc != QUARRY_OK) {
        cli_error(c, "%s", quarry_project_errmsg(p));
        if (coder == NULL &&
            strstr(quarry_project_errmsg(p), "field \"coder\": missing"))
            cli_error(c, "a line without \"coder\" takes --coder NAME (or "
                         "QUARRY_CODER)");
        cli_error(c, "no decision applied (a decisions file is applied "
                     "whole or not at all)");
        quarry_project_free(p);
        return cli_exit_code(rc);
    }
    if (c->verbose >= 0) {
        printf("review: applied %lld decision%s from %s to %s",
               (long long)applied, applied == 1 ? "" : "s",
               strcmp(file, "-") == 0 ? "standard input" : file, path);
        if (already > 0)
            printf(" (%lld already in the project, left as they are)",
                   (long long)already);
        printf("\n");
    }
    quarry_project_free(p);
    return EXIT_OK;
}

/* --accept-above: say how many and the error to expect, then accept
 * them (unless --dry-run). */
static int accept_above(cli *c, const char *path, const char *coder,
                        double conf, int dry_run)
{
    quarry_project *p = NULL;
    quarry_batch_info b;
    int rc = open_project(c, path, &p);
    if (rc != QUARRY_OK)
        return cli_exit_code(rc);
    quarry_project_set_review_speakers(p, c->speakers);
    rc = quarry_project_accept_above(p, coder, conf, 1, &b);
    if (rc == QUARRY_OK && b.run == 0) {
        cli_error(c, "%s has no suggestions yet: run `quarry suggest %s` "
                     "first", path, path);
        quarry_project_free(p);
        return EXIT_INPUT;
    }
    if (rc == QUARRY_OK && c->speakers != QUARRY_SPEAKERS_ALL) {
        /* The turns of the other speakers the batch leaves out. */
        quarry_batch_info every;
        quarry_project_set_review_speakers(p, QUARRY_SPEAKERS_ALL);
        if (quarry_project_accept_above(p, coder, conf, 1, &every) ==
            QUARRY_OK)
            cli_speakers_notice(c, every.excerpts - b.excerpts);
        quarry_project_set_review_speakers(p, c->speakers);
    }
    if (rc == QUARRY_OK) {
        fprintf(stderr,
                "review: %lld excerpt%s of run %lld %s a top suggestion at "
                "or above %.2f that %s has not decided yet\n",
                (long long)b.excerpts, b.excerpts == 1 ? "" : "s",
                (long long)b.run, b.excerpts == 1 ? "has" : "have", conf,
                coder);
        if (isnan(b.heldout_error)) {
            /* Nothing held out at all, or nothing that confident? */
            quarry_batch_info all;
            int none = quarry_project_accept_above(p, coder, 0.0, 1, &all) ==
                           QUARRY_OK &&
                       all.heldout == 0;
            fprintf(stderr,
                    none ? "review: expected error at %.2f: unknown (run "
                           "%lld held out no coded excerpt to measure it: "
                           "it ranked by the codebook alone, had fewer than "
                           "two coded excerpts, or predates schema 4)\n"
                         : "review: expected error at %.2f: unknown (run "
                           "%lld held out no coded excerpt at or above it "
                           "when it calibrated)\n",
                    conf, (long long)b.run);
        }
        else
            fprintf(stderr,
                    "review: expected error at %.2f: %.1f%% (%lld of %lld "
                    "coded excerpts held out in calibration at or above it "
                    "got a wrong top code)\n",
                    conf, 100.0 * b.heldout_error,
                    (long long)b.heldout_wrong, (long long)b.heldout);
        if (!isnan(b.error))
            fprintf(stderr,
                    "review: so far people rejected or replaced %lld of "
                    "%lld top suggestions at or above %.2f (%.1f%%)\n",
                    (long long)b.wrong, (long long)b.checked, conf,
                    100.0 * b.error);
    }
    if (rc == QUARRY_OK && !dry_run)
        rc = quarry_project_accept_above(p, coder, conf, 0, &b);
    if (rc != QUARRY_OK) {
        cli_error(c, "%s", quarry_project_errmsg(p));
        quarry_project_free(p);
        return cli_exit_code(rc);
    }
    if (c->verbose >= 0) {
        if (dry_run)
            printf("review: dry run, nothing accepted\n");
        else
            printf("review: %s accepted %lld suggestion%s (batch \"%s\")\n",
                   coder, (long long)b.excerpts,
                   b.excerpts == 1 ? "" : "s", b.batch);
    }
    quarry_project_free(p);
    return EXIT_OK;
}

static int interactive(cli *c, const char *path, const char *coder,
                       quarry_review_order order, int blind)
{
    quarry_project *p = NULL;
    review_term t;
    review_stats st;
    const quarry_review_item *it = NULL;
    quarry_review_progress g;
    const char *why = NULL;
    int64_t made, left_out = 0;
    int rc;

    if (term_open(&t) != 0) {
        cli_error(c, "no terminal to review on: run it in a terminal, or "
                     "apply decisions made elsewhere with --decisions FILE");
        term_close(&t);
        return EXIT_INPUT;
    }
    rc = open_project(c, path, &p);
    if (rc != QUARRY_OK) {
        term_close(&t);
        return cli_exit_code(rc);
    }
    quarry_project_set_review_order(p, order);
    quarry_project_set_review_speakers(p, c->speakers);
    rc = quarry_project_review_left_out(p, coder, &left_out);
    if (rc == QUARRY_OK)
        rc = quarry_project_review_next_skipping(p, coder, NULL, 0, &it, &g);
    if (rc != QUARRY_OK) {
        cli_error(c, "%s", quarry_project_errmsg(p));
        quarry_project_free(p);
        term_close(&t);
        return cli_exit_code(rc);
    }
    if (g.total == 0)
        cli_speakers_notice(c, left_out);
    if (g.total == 0 && order == QUARRY_REVIEW_DISAGREEMENTS) {
        cli_error(c, "%s has no excerpt whose coders' codes differ: nothing "
                     "to settle (`quarry agree %s --disagreements` lists "
                     "them)",
                  path, path);
        quarry_project_free(p);
        term_close(&t);
        return EXIT_INPUT;
    }
    if (g.total == 0) {
        cli_error(c, "%s has no suggestions to review yet: run `quarry "
                     "suggest %s` first",
                  path, path);
        quarry_project_free(p);
        term_close(&t);
        return EXIT_INPUT;
    }
    memset(&st, 0, sizeof st);
    rc = review_interactive(p, path, coder,
                            order == QUARRY_REVIEW_DISAGREEMENTS, blind, &t,
                            &st, &why);
    term_close(&t);
    if (rc != QUARRY_OK) {
        cli_error(c, "%s", why ? why : quarry_status_str(rc));
        quarry_project_free(p);
        return cli_exit_code(rc);
    }
    made = st.accepted + st.rejected + st.replaced + st.added + st.removed;
    cli_speakers_notice(c, left_out);
    if (c->verbose >= 0 && order == QUARRY_REVIEW_DISAGREEMENTS)
        printf("review: %s settled %lld excerpt%s (%lld undone); %lld of "
               "%lld disagreements left\n",
               coder, (long long)st.settled, st.settled == 1 ? "" : "s",
               (long long)st.undone, (long long)st.remaining,
               (long long)st.total);
    else if (c->verbose >= 0)
        printf("review: %s made %lld decision%s (%lld accepted, %lld "
               "rejected, %lld replaced, %lld added, %lld removed; %lld "
               "undone); %lld of %lld excerpts left\n",
               coder, (long long)made, made == 1 ? "" : "s",
               (long long)st.accepted, (long long)st.rejected,
               (long long)st.replaced, (long long)st.added,
               (long long)st.removed, (long long)st.undone,
               (long long)st.remaining, (long long)st.total);
    quarry_project_free(p);
    return EXIT_OK;
}

int cmd_review(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"coder", required_argument, NULL, OPT_CODER},
        {"decisions", required_argument, NULL, OPT_DECISIONS},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {"order", required_argument, NULL, OPT_ORDER},
        {"accept-above", required_argument, NULL, OPT_ACCEPT_ABOVE},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"blind", no_argument, NULL, OPT_BLIND},
        {"speakers", required_argument, NULL, OPT_SPEAKERS},
        {NULL, 0, NULL, 0}};
    review_args a = {NULL, NULL, QUARRY_REVIEW_SOURCE, -1.0, 0, 0};
    const char *project = NULL;
    const char *coder;
    cli c;
    int code;

    cli_init(&c, "review");
    /* Options may come before and after PROJECT: parse, take the operand,
     * parse what follows it (its first word standing in for argv[0]). */
    for (;;) {
        code = cli_parse(&c, argc, argv, longopts, own_option, &a, usage);
        if (code >= 0)
            goto out;
        if (optind >= argc)
            break;
        if (project != NULL) {
            cli_error(&c, "one PROJECT only (got \"%s\" and \"%s\")",
                      project, argv[optind]);
            code = EXIT_INPUT;
            goto out;
        }
        project = argv[optind];
        argc -= optind;
        argv += optind;
    }
    code = EXIT_INPUT;
    if (project == NULL) {
        cli_error(&c, "which project? usage: quarry review PROJECT --coder "
                      "NAME (see --help)");
        goto out;
    }
    coder = coder_name(&a);
    if (a.dry_run && a.accept_above < 0) {
        cli_error(&c, "--dry-run goes with --accept-above C");
        goto out;
    }
    if (a.accept_above >= 0 && a.decisions != NULL) {
        cli_error(&c, "--accept-above and --decisions: one at a time");
        goto out;
    }
    if (a.accept_above >= 0) {
        if (coder == NULL) {
            cli_error(&c, "who accepts? give --coder NAME (or set "
                          "QUARRY_CODER): every decision records its coder");
            goto out;
        }
        code = accept_above(&c, project, coder, a.accept_above, a.dry_run);
        goto out;
    }
    if (a.decisions != NULL) {
        code = apply_file(&c, project, a.decisions, coder);
        goto out;
    }
    if (coder == NULL) {
        cli_error(&c, "who is deciding? give --coder NAME (or set "
                      "QUARRY_CODER): every decision records its coder");
        goto out;
    }
    if (a.blind && a.order == QUARRY_REVIEW_DISAGREEMENTS) {
        cli_error(&c, "--blind hides the other coders' codes, which "
                      "settling the disagreements shows: the lead settles "
                      "without --blind");
        goto out;
    }
    code = interactive(&c, project, coder, a.order, a.blind);
out:
    cli_free(&c);
    return code;
}
