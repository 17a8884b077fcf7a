/*
 * serve_api.c -- the JSON API of the workbench (core/serve/API.md): one
 * handler per route, each reading its parameters, refusing bad ones with
 * 400 and a message naming the field, and answering through the public
 * library calls -- a write is one library call, so one transaction.
 * serve.c has checked the host, token and origin, and holds the project's
 * lock while a handler runs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "serve_int.h"
#include "serve_item.h"

/* ---- parameters ----------------------------------------------------------- */

/* An integer query parameter in lo..hi, def when absent; 0 after a 400. */
static int query_int(serve_req *r, const char *name, long long lo,
                     long long hi, long long def, long long *out)
{
    const char *v = serve_query(r, name);
    char *end;
    long long n;
    *out = def;
    if (v == NULL)
        return 1;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno != 0 || *end != '\0' || end == v || n < lo || n > hi) {
        serve_error(r, MHD_HTTP_BAD_REQUEST,
                    "%s: \"%s\" is not a whole number from %lld to %lld",
                    name, v, lo, hi);
        return 0;
    }
    *out = n;
    return 1;
}

/* A string field of the body: 1 with *out (NULL when absent or null), 0
 * after a 400 naming the field. */
static int body_str(serve_req *r, const char *field, const char **out)
{
    json_t *v = json_object_get(r->body, field);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 1;
    if (!json_is_string(v)) {
        serve_error(r, MHD_HTTP_BAD_REQUEST, "%s: not a string", field);
        return 0;
    }
    *out = json_string_value(v);
    if ((*out)[0] == '\0')
        *out = NULL;
    return 1;
}

/* The body's "span": [start, end] (code points of the excerpt's text),
 * into d; 0 after a 400. */
static int body_span(serve_req *r, quarry_decision *d)
{
    json_t *v = json_object_get(r->body, "span");
    json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
    if (v == NULL || json_is_null(v))
        return 1;
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(a) ||
        !json_is_integer(b) || json_integer_value(b) <= 0) {
        serve_error(r, MHD_HTTP_BAD_REQUEST,
                    "span: not [start, end], the passage's first character "
                    "and the one after its last, counted from 0");
        return 0;
    }
    d->span_start = (int64_t)json_integer_value(a);
    d->span_end = (int64_t)json_integer_value(b);
    return 1;
}

/* The coder of a write: the body's "coder", else --coder; NULL after a
 * 400. */
static const char *write_coder(serve_req *r)
{
    const char *c;
    if (!body_str(r, "coder", &c))
        return NULL;
    if (c == NULL)
        c = r->s->coder;
    if (c == NULL)
        serve_error(r, MHD_HTTP_BAD_REQUEST,
                    "no coder: start quarry serve with --coder NAME or "
                    "send coder");
    return c;
}

/* The coder of a read: ?coder=, else --coder (may be NULL); in blind
 * coding always --coder (another's item would show their codes as
 * "yours"). */
static const char *read_coder(serve_req *r)
{
    const char *c = serve_query(r, "coder");
    return c && !r->s->blind ? c : r->s->coder;
}

static int answer(serve_req *r, json_t *j);

int serve_answer(serve_req *r, json_t *j)
{
    return answer(r, j);
}

static int answer(serve_req *r, json_t *j)
{
    if (j == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    json_decref(r->json);
    r->json = j;
    r->status = MHD_HTTP_OK;
    return 0;
}

static int not_yet(serve_req *r, const char *what)
{
    return serve_error(r, MHD_HTTP_NOT_IMPLEMENTED,
                       "%s is not available in this build of quarry yet",
                       what);
}

/* ---- status and runs ---------------------------------------------------- */

static int method_row(void *ctx, const char *label, const char *text)
{
    return json_array_append_new(
               ctx, json_pack("{s:s, s:s}", "label", label, "text", text))
               ? QUARRY_ENOMEM
               : 0;
}

/* A run as the page shows it: the command and options with the machine's
 * folders cut away (as the report and a .qdpx have them), and how it made
 * its suggestions in the report's words. */
static json_t *run_json(const quarry_run_record *run)
{
    char *cmd = run->command ? quarry_run_command_shown(run->command) : NULL;
    char *opts = run->options ? quarry_run_options_shown(run->options) : NULL;
    json_t *method = json_array(), *o;
    if (method != NULL && quarry_report_method(run->plugins, run->options,
                                               method_row, method) != 0) {
        json_decref(method);
        method = NULL;
    }
    o = json_pack(
        "{s:I, s:o, s:o, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, "
        "s:I}",
        "run", (json_int_t)run->run, "command",
        serve_jstr(cmd ? cmd : run->command), "started_at",
        serve_jstr(run->started_at), "seconds", run->seconds,
        "quarry_version", serve_jstr(run->quarry_version), "plugins",
        serve_jparse(run->plugins), "options",
        serve_jparse(opts ? opts : run->options), "method",
        method ? method : json_null(), "train_sha256",
        serve_jstr(run->train_sha256), "input_sha256",
        serve_jstr(run->input_sha256), "n_train", (json_int_t)run->n_train,
        "n_input", (json_int_t)run->n_input, "suggestions",
        (json_int_t)run->suggestions, "abstained",
        (json_int_t)run->abstained);
    free(cmd);
    free(opts);
    return o;
}

static int put_name(void *ctx, const char *name)
{
    return json_array_append_new(ctx, json_string(name)) ? QUARRY_ENOMEM : 0;
}

/* The newest run only: stop the walk after it. */
static int first_run(void *ctx, const quarry_run_record *run)
{
    *(json_t **)ctx = run_json(run);
    return 1;
}

static int api_status(serve_req *r)
{
    quarry_project *p = r->s->p;
    quarry_overview n;
    json_t *coders, *latest = NULL;
    int status = quarry_project_overview(p, &n);
    if (status == QUARRY_OK) {
        status = quarry_project_runs(p, first_run, &latest);
        if (status == 1)
            status = QUARRY_OK;
    }
    if (status != QUARRY_OK) {
        json_decref(latest);
        return serve_fail(r, status);
    }
    coders = json_array();
    status = quarry_project_coders(p, put_name, coders);
    if (status != QUARRY_OK) {
        json_decref(latest);
        json_decref(coders);
        return serve_fail(r, status);
    }
    /* (blind coding: no disagreements queue) */
    return answer(
        r, json_pack(r->s->blind ? "{s:s, s:s, s:o, s:b, s:{s:I, s:I, s:I,"
                                   " s:I, s:I, s:I, s:I}, s:o, s:o, s:[ss]}"
                                 : "{s:s, s:s, s:o, s:b, s:{s:I, s:I, s:I,"
                                   " s:I, s:I, s:I, s:I}, s:o, s:o, s:[sss]}",
                     "project", r->s->project_name, "path", r->s->file_name,
                     "coder", serve_jstr(r->s->coder), "blind", r->s->blind,
                     "counts", "excerpts",
                     (json_int_t)n.excerpts, "coded",
                     (json_int_t)n.coded_excerpts, "codes",
                     (json_int_t)n.codes, "coders", (json_int_t)n.coders,
                     "codings", (json_int_t)n.codings, "runs",
                     (json_int_t)n.runs, "memos", (json_int_t)n.memos,
                     "latest_run", latest ? latest : json_null(), "coders",
                     coders, "orders", "source", "uncertain",
                     "disagreements"));
}

static int put_run(void *ctx, const quarry_run_record *run)
{
    return json_array_append_new(ctx, run_json(run)) ? QUARRY_ENOMEM : 0;
}

static int api_runs(serve_req *r)
{
    json_t *runs = json_array();
    int status = quarry_project_runs(r->s->p, put_run, runs);
    if (status != QUARRY_OK) {
        json_decref(runs);
        return serve_fail(r, status);
    }
    return answer(r, json_pack("{s:o}", "runs", runs));
}

/* ---- review --------------------------------------------------------------- */

/* "a,b,c" split in place into *ids (at most cap). */
static size_t split_ids(char *list, const char **ids, size_t cap)
{
    size_t n = 0;
    char *tok, *save = NULL;
    for (tok = strtok_r(list, ",", &save); tok != NULL && n < cap;
         tok = strtok_r(NULL, ",", &save))
        if (tok[0] != '\0')
            ids[n++] = tok;
    return n;
}

static int api_review_next(serve_req *r)
{
    quarry_project *p = r->s->p;
    const char *order = serve_query(r, "order");
    const char *speakers = serve_query(r, "speakers");
    const char *skip = serve_query(r, "skip");
    const char *coder = read_coder(r);
    const char **ids = NULL;
    const quarry_review_item *it = NULL;
    quarry_review_progress prog;
    json_t *item = NULL;
    char *list = NULL;
    size_t n = 0;
    int status;
    if (coder == NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "no coder: start quarry serve with --coder NAME "
                           "or send coder");
    if (order == NULL || strcmp(order, "source") == 0)
        status = quarry_project_set_review_order(p, QUARRY_REVIEW_SOURCE);
    else if (strcmp(order, "uncertain") == 0)
        status = quarry_project_set_review_order(p, QUARRY_REVIEW_UNCERTAIN);
    else if (strcmp(order, "disagreements") == 0 && r->s->blind)
        return serve_error(r, MHD_HTTP_FORBIDDEN, "%s", SERVE_BLIND_NO);
    else if (strcmp(order, "disagreements") == 0)
        status = quarry_project_set_review_order(p,
                                                 QUARRY_REVIEW_DISAGREEMENTS);
    else
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "order: \"%s\" is not one of source, uncertain, "
                           "disagreements",
                           order);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    /* Whose turns the queue holds: interviewer turns are left out unless
     * asked for, as in the terminal review. */
    if (speakers == NULL || strcmp(speakers, "participants") == 0)
        status = quarry_project_set_review_speakers(
            p, QUARRY_SPEAKERS_PARTICIPANTS);
    else if (strcmp(speakers, "all") == 0)
        status = quarry_project_set_review_speakers(p, QUARRY_SPEAKERS_ALL);
    else if (strcmp(speakers, "interviewers") == 0)
        status = quarry_project_set_review_speakers(
            p, QUARRY_SPEAKERS_INTERVIEWERS);
    else
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "speakers: \"%s\" is not one of participants, "
                           "all, interviewers",
                           speakers);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    if (skip != NULL) {
        list = strdup(skip);
        ids = calloc(strlen(skip) / 2 + 1, sizeof *ids);
        if (list == NULL || ids == NULL) {
            free(list);
            free(ids);
            return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                               "out of memory");
        }
        n = split_ids(list, ids, strlen(skip) / 2 + 1);
    }
    status = quarry_project_review_next_skipping(p, coder, ids, n, &it, &prog);
    if (status == QUARRY_OK && it != NULL)
        status = serve_item_json(p, coder, r->s->blind, it, &item);
    free(list);
    free(ids);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return answer(r, json_pack("{s:{s:I, s:I, s:I}, s:o}", "progress",
                               "remaining", (json_int_t)prog.remaining,
                               "skipped", (json_int_t)prog.skipped, "total",
                               (json_int_t)prog.total, "item",
                               item ? item : json_null()));
}

static int api_excerpt(serve_req *r, const char *id)
{
    json_t *item = NULL;
    int status = serve_item_of(r->s->p, read_coder(r), r->s->blind, id, &item);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return answer(r, item);
}

static int api_decide(serve_req *r)
{
    quarry_decision d = QUARRY_DECISION_INIT;
    const char *verdict;
    json_t *item = NULL;
    int64_t id = 0;
    int status;
    if (!body_str(r, "excerpt", &d.excerpt) ||
        !body_str(r, "verdict", &verdict) || !body_str(r, "code", &d.code) ||
        !body_str(r, "replacement", &d.replacement) ||
        !body_str(r, "note", &d.note) || !body_span(r, &d))
        return 0;
    d.coder = write_coder(r);
    if (d.coder == NULL)
        return 0;
    if (d.excerpt == NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST, "excerpt: missing");
    if (verdict == NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "verdict: missing (accept, reject, replace, add "
                           "or remove)");
    d.verdict = quarry_verdict_from_name(verdict);
    if (d.verdict == 0 || d.verdict == QUARRY_VERDICT_UNDO)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "verdict: \"%s\" is not one of accept, reject, "
                           "replace, add, remove",
                           verdict);
    status = quarry_project_decide(r->s->p, &d, &id);
    if (status == QUARRY_OK)
        status = serve_item_of(r->s->p, d.coder, r->s->blind, d.excerpt, &item);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return answer(r, json_pack("{s:I, s:o}", "id", (json_int_t)id, "item",
                               item));
}

static int api_undo(serve_req *r)
{
    const char *coder = write_coder(r);
    quarry_undone w;
    char *keep = NULL;
    json_t *item = NULL, *what;
    int status;
    if (coder == NULL)
        return 0;
    status = quarry_project_undo_what(r->s->p, coder, &w);
    /* What was undone, copied before the item's read reuses the
     * project's scratch. */
    what = w.excerpt == NULL
               ? json_null()
               : json_pack("{s:o, s:o, s:o, s:o}", "verdict",
                           serve_jstr(w.verdict), "code", serve_jstr(w.code),
                           "replacement", serve_jstr(w.replacement), "span",
                           w.span_end > 0
                               ? json_pack("[I, I]", (json_int_t)w.span_start,
                                           (json_int_t)w.span_end)
                               : json_null());
    if (status == QUARRY_OK && w.excerpt != NULL) {
        keep = strdup(w.excerpt);
        status = keep ? serve_item_of(r->s->p, coder, r->s->blind, keep, &item)
                      : QUARRY_ENOMEM;
    }
    if (status != QUARRY_OK || what == NULL) {
        free(keep);
        json_decref(what);
        json_decref(item);
        return serve_fail(r, status != QUARRY_OK ? status : QUARRY_ENOMEM);
    }
    status = answer(r, json_pack("{s:o, s:o, s:o}", "undone", serve_jstr(keep),
                                 "item", item ? item : json_null(), "what",
                                 what));
    free(keep);
    return status;
}

static int api_accept_above(serve_req *r)
{
    json_t *v = json_object_get(r->body, "min_confidence");
    json_t *dry = json_object_get(r->body, "dry_run");
    quarry_batch_info info;
    const char *coder;
    double min;
    int status;
    if (v == NULL || !json_is_number(v))
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "min_confidence: %s (a number from 0 to 1)",
                           v ? "not a number" : "missing");
    min = json_number_value(v);
    if (!(min >= 0.0 && min <= 1.0))
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "min_confidence: %g is not from 0 to 1", min);
    if (dry != NULL && !json_is_boolean(dry) && !json_is_null(dry))
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "dry_run: not true or false");
    coder = write_coder(r);
    if (coder == NULL)
        return 0;
    memset(&info, 0, sizeof info);
    status = quarry_project_accept_above(r->s->p, coder, min,
                                         json_is_true(dry), &info);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    /* The same two figures as `quarry review --accept-above --dry-run`:
     * the expected error (coded excerpts held out when the run
     * calibrated) and what people have rejected so far. */
    return answer(
        r, json_pack("{s:I, s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:o}", "run",
                     (json_int_t)info.run, "batch", info.batch, "excerpts",
                     (json_int_t)info.excerpts, "checked",
                     (json_int_t)info.checked, "wrong", (json_int_t)info.wrong,
                     "error",
                     info.checked > 0 && !isnan(info.error)
                         ? json_real(info.error)
                         : json_null(),
                     "heldout", (json_int_t)info.heldout, "heldout_wrong",
                     (json_int_t)info.heldout_wrong, "heldout_error",
                     info.heldout > 0 && !isnan(info.heldout_error)
                         ? json_real(info.heldout_error)
                         : json_null()));
}

static int api_settle(serve_req *r)
{
    json_t *list = json_object_get(r->body, "codes"), *v;
    const char *excerpt, *note, *coder;
    const char **codes = NULL;
    json_t *item = NULL;
    size_t i, n;
    int status;
    if (!body_str(r, "excerpt", &excerpt) || !body_str(r, "note", &note))
        return 0;
    if (excerpt == NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST, "excerpt: missing");
    if (!json_is_array(list))
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "codes: %s (a list of code ids, maybe empty)",
                           list ? "not a list" : "missing");
    n = json_array_size(list);
    json_array_foreach(list, i, v) if (!json_is_string(v))
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "codes: item %zu is not a code id (a string)",
                           i + 1);
    coder = write_coder(r);
    if (coder == NULL)
        return 0;
    codes = calloc(n + 1, sizeof *codes);
    if (codes == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    json_array_foreach(list, i, v) codes[i] = json_string_value(v);
    status = quarry_project_settle(r->s->p, coder, excerpt, codes, n, note);
    free(codes);
    if (status == QUARRY_OK)
        status = serve_item_of(r->s->p, coder, r->s->blind, excerpt, &item);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return answer(r, json_pack("{s:o}", "item", item));
}

/* ---- memos ---------------------------------------------------------------- */

static int put_memo(void *ctx, const quarry_memo *m)
{
    return json_array_append_new(ctx, serve_memo_json(m)) ? QUARRY_ENOMEM : 0;
}

static int api_memos_get(serve_req *r)
{
    const char *excerpt = serve_query(r, "excerpt");
    const char *code = serve_query(r, "code");
    const char *scope = serve_query(r, "scope");
    quarry_memo_scope sc = QUARRY_MEMOS_ALL;
    const char *name = NULL;
    json_t *memos;
    int status;
    if (excerpt != NULL && code != NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "code: give excerpt or code, not both");
    if (excerpt != NULL) {
        sc = QUARRY_MEMOS_EXCERPT;
        name = excerpt;
    } else if (code != NULL) {
        sc = QUARRY_MEMOS_CODE;
        name = code;
    } else if (scope != NULL && strcmp(scope, "project") == 0) {
        sc = QUARRY_MEMOS_PROJECT;
    } else if (scope != NULL && strcmp(scope, "all") != 0) {
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "scope: \"%s\" is not project or all", scope);
    }
    memos = json_array();
    status = quarry_project_memos(r->s->p, sc, name, put_memo, memos);
    if (status != QUARRY_OK) {
        json_decref(memos);
        return serve_fail(r, status);
    }
    return answer(r, json_pack("{s:o}", "memos", memos));
}

static int api_memos_post(serve_req *r)
{
    quarry_memo m = QUARRY_MEMO_INIT;
    json_t *rev = json_object_get(r->body, "revises");
    int64_t id = 0;
    int status;
    if (!body_str(r, "excerpt", &m.excerpt) || !body_str(r, "code", &m.code) ||
        !body_str(r, "text", &m.text))
        return 0;
    if (rev != NULL && !json_is_null(rev)) {
        if (!json_is_integer(rev) || json_integer_value(rev) < 1)
            return serve_error(r, MHD_HTTP_BAD_REQUEST,
                               "revises: not a memo id (a whole number)");
        m.revises = json_integer_value(rev);
    }
    if (m.text == NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "text: missing or empty");
    if (m.excerpt != NULL && m.code != NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "code: a memo is on an excerpt or a code, not "
                           "both");
    m.coder = write_coder(r);
    if (m.coder == NULL)
        return 0;
    status = quarry_project_memo_add(r->s->p, &m, &id);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return answer(r, json_pack("{s:I}", "id", (json_int_t)id));
}

/* ---- codebook ------------------------------------------------------------- */

static int put_keywords(void *ctx, const quarry_code_notes *n)
{
    json_t *kw = serve_jparse(n->keywords);
    if (!json_is_array(kw)) {
        json_decref(kw);
        kw = json_array();
    }
    json_object_set_new(ctx, n->code,
                        json_pack("{s:o, s:o, s:o}", "include",
                                  serve_jstr(n->include), "exclude",
                                  serve_jstr(n->exclude), "keywords", kw));
    return 0;
}

static int api_codebook(serve_req *r)
{
    const quarry_project_code *codes;
    json_t *notes = json_object(), *list = json_array();
    int32_t n = 0, i;
    int status = quarry_project_code_notes(r->s->p, put_keywords, notes);
    if (status == QUARRY_OK)
        status = quarry_project_codes(r->s->p, &codes, &n);
    for (i = 0; status == QUARRY_OK && i < n; i++) {
        const quarry_project_code *k = &codes[i];
        json_t *e = json_object_get(notes, k->id);
        json_array_append_new(
            list,
            json_pack("{s:s, s:o, s:o, s:o, s:O, s:O, s:O, s:i, s:b, s:I, "
                      "s:I}",
                      "id", k->id, "name", serve_jstr(k->name), "parent",
                      serve_jstr(k->parent), "definition",
                      serve_jstr(k->definition), "include",
                      e ? json_object_get(e, "include") : json_null(),
                      "exclude",
                      e ? json_object_get(e, "exclude") : json_null(),
                      "keywords",
                      e ? json_object_get(e, "keywords") : json_null(),
                      "depth", (int)k->depth, "is_theme", k->is_theme,
                      "n_codings", (json_int_t)k->n_codings, "n_excerpts",
                      (json_int_t)k->n_excerpts));
    }
    json_decref(notes);
    if (status != QUARRY_OK) {
        json_decref(list);
        return serve_fail(r, status);
    }
    return answer(r, json_pack("{s:o}", "codes", list));
}

static int api_codebook_edit(serve_req *r)
{
    static const struct {
        const char *name;
        quarry_code_op op;
    } ops[] = {{"add", QUARRY_CODE_ADD},
               {"rename", QUARRY_CODE_RENAME},
               {"move", QUARRY_CODE_MOVE},
               {"merge", QUARRY_CODE_MERGE},
               {"define", QUARRY_CODE_DEFINE},
               {"delete", QUARRY_CODE_DELETE}};
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    const char *op_name, *new_id = NULL;
    size_t i;
    int status;
    if (!body_str(r, "op", &op_name) || !body_str(r, "code", &e.code) ||
        !body_str(r, "name", &e.name) || !body_str(r, "parent", &e.parent) ||
        !body_str(r, "into", &e.into) ||
        !body_str(r, "definition", &e.definition) ||
        !body_str(r, "include", &e.include) ||
        !body_str(r, "exclude", &e.exclude) || !body_str(r, "id", &e.id))
        return 0;
    /* A define's field sent empty clears it (body_str reads "" as
     * absent, which would leave it). */
    {
        static const char *const fields[3] = {"definition", "include",
                                              "exclude"};
        const char **to[3];
        int k;
        to[0] = &e.definition;
        to[1] = &e.include;
        to[2] = &e.exclude;
        for (k = 0; k < 3; k++)
            if (json_is_string(json_object_get(r->body, fields[k])) &&
                *to[k] == NULL)
                *to[k] = "";
    }
    for (i = 0; op_name != NULL && i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op_name, ops[i].name) == 0)
            break;
    if (op_name == NULL || i == sizeof ops / sizeof ops[0])
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "op: %s%s%s is not one of add, rename, move, "
                           "merge, define, delete",
                           op_name ? "\"" : "missing", op_name ? op_name : "",
                           op_name ? "\"" : "");
    e.coder = write_coder(r);
    if (e.coder == NULL)
        return 0;
    status = quarry_project_code_edit(r->s->p, ops[i].op, &e, &new_id);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return answer(r, json_pack("{s:o}", "id", serve_jstr(new_id)));
}

/* ---- browsing ----------------------------------------------------------- */

static json_t *coding_json(const quarry_coding_view *c)
{
    return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "code", c->code,
                     "name", serve_jstr(c->name), "coder", c->coder,
                     "origin", serve_jstr(c->origin), "time",
                     serve_jstr(c->time), "span", serve_span_json(c),
                     "passage", serve_jstr(c->passage));
}

static int put_row(void *ctx, const quarry_browse_row *row)
{
    json_t *codings = json_array();
    int32_t i;
    for (i = 0; i < row->n_codings; i++)
        json_array_append_new(codings, coding_json(&row->codings[i]));
    return json_array_append_new(
               ctx, json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:s, s:o, s:I}",
                              "excerpt", row->excerpt, "source",
                              serve_jstr(row->source), "speaker",
                              serve_jstr(row->speaker), "participant",
                              serve_jstr(row->participant), "study",
                              serve_jstr(row->study), "line",
                              (json_int_t)row->line, "text", row->text,
                              "codings", codings, "memos",
                              (json_int_t)row->memos))
               ? QUARRY_ENOMEM
               : 0;
}

static int api_excerpts(serve_req *r)
{
    quarry_browse_filter f = QUARRY_BROWSE_FILTER_INIT;
    long long offset, limit;
    int64_t total = 0;
    json_t *items;
    size_t i;
    int status;
    if (!query_int(r, "offset", 0, INT64_MAX / 2, 0, &offset) ||
        !query_int(r, "limit", 1, QUARRY_BROWSE_LIMIT_MAX, 50, &limit))
        return 0;
    f.offset = offset;
    f.limit = (int32_t)limit;
    f.code = serve_query(r, "code");
    f.source = serve_query(r, "source");
    f.participant = serve_query(r, "participant");
    f.study = serve_query(r, "study");
    f.coder = serve_query(r, "coder");
    f.speaker = serve_query(r, "speaker");
    f.q = serve_query(r, "q");
    if (r->s->blind) {
        /* Blind coding: only this coder's codes, as a filter and shown. */
        if (f.coder != NULL && strcmp(f.coder, r->s->coder) != 0)
            return serve_error(r, MHD_HTTP_FORBIDDEN, "%s", SERVE_BLIND_NO);
        if (f.code != NULL)
            f.coder = r->s->coder;
    }
    items = json_array();
    status = quarry_project_browse(r->s->p, &f, &total, put_row, items);
    if (status != QUARRY_OK) {
        json_decref(items);
        return serve_fail(r, status);
    }
    if (r->s->blind) {
        json_t *row;
        json_array_foreach(items, i, row)
        {
            json_t *all = json_object_get(row, "codings"), *mine = json_array();
            json_t *c;
            size_t k;
            json_array_foreach(all, k, c)
                if (strcmp(json_string_value(json_object_get(c, "coder")),
                           r->s->coder) == 0)
                    json_array_append(mine, c);
            json_object_set_new(row, "codings", mine);
        }
    }
    return answer(r, json_pack("{s:I, s:I, s:o}", "total", (json_int_t)total,
                               "offset", (json_int_t)offset, "items", items));
}

static int put_facet(void *ctx, const char *facet, const char *name,
                     int64_t n)
{
    json_t *list = json_object_get(ctx, facet);
    if (list == NULL)
        return 0;
    return json_array_append_new(
               list, json_pack("{s:s, s:I}", "name", name, "n", (json_int_t)n))
               ? QUARRY_ENOMEM
               : 0;
}

static int api_facets(serve_req *r)
{
    json_t *o = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[]}", "sources",
                          "participants", "studies", "coders", "codes",
                          "speakers");
    int status;
    if (o == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    status = quarry_project_facets(r->s->p, put_facet, o);
    if (status != QUARRY_OK) {
        json_decref(o);
        return serve_fail(r, status);
    }
    return answer(r, o);
}

static int put_dis(void *ctx, const char *excerpt, const char *text)
{
    json_t *o = json_pack("{s:s, s:s, s:[]}", "excerpt", excerpt, "text",
                          text ? text : "", "coders");
    return json_array_append_new(ctx, o) ? QUARRY_ENOMEM : 0;
}

typedef struct by_coder {
    json_t *coders; /* coder -> [codes] */
} by_coder;

static int put_coder_code(void *ctx, const quarry_coding_view *c)
{
    by_coder *b = ctx;
    json_t *list = json_object_get(b->coders, c->coder);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(b->coders, c->coder, list);
    }
    return json_array_append_new(list, json_string(c->code)) ? QUARRY_ENOMEM
                                                              : 0;
}

static int api_disagreements(serve_req *r)
{
    long long offset, limit;
    int64_t total = 0;
    json_t *items, *it, *list;
    const char *name;
    size_t i;
    int status;
    if (r->s->blind)
        return serve_error(r, MHD_HTTP_FORBIDDEN, "%s", SERVE_BLIND_NO);
    if (!query_int(r, "offset", 0, INT64_MAX / 2, 0, &offset) ||
        !query_int(r, "limit", 1, QUARRY_BROWSE_LIMIT_MAX, 50, &limit))
        return 0;
    items = json_array();
    status = quarry_project_disagreements(r->s->p, offset, (int32_t)limit,
                                          &total, put_dis, items);
    json_array_foreach(items, i, it)
    {
        by_coder b;
        json_t *coders = json_object_get(it, "coders");
        if (status != QUARRY_OK)
            break;
        b.coders = json_object();
        status = quarry_project_excerpt_codings(
            r->s->p, json_string_value(json_object_get(it, "excerpt")),
            put_coder_code, &b);
        json_object_foreach(b.coders, name, list)
            json_array_append_new(coders, json_pack("{s:s, s:O}", "coder",
                                                    name, "codes", list));
        json_decref(b.coders);
    }
    if (status != QUARRY_OK) {
        json_decref(items);
        return serve_fail(r, status);
    }
    return answer(r, json_pack("{s:I, s:o}", "total", (json_int_t)total,
                               "items", items));
}

/* ---- charts: the report's own, drawn by core/report ---------------------- */

static int api_charts(serve_req *r)
{
    const quarry_report_chart_info *c;
    json_t *list = json_array();
    size_t n = 0, i;
    if (r->s->engine == NULL)
        return not_yet(r, "a chart");
    c = quarry_report_charts(&n);
    for (i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "name",
                                              c[i].name, "title",
                                              c[i].title));
    return answer(r, json_pack("{s:o}", "charts", list));
}

static int api_chart(serve_req *r, const char *name)
{
    quarry_report_options o = QUARRY_REPORT_OPTIONS_INIT;
    char err[1024] = "";
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    int status;
    if (r->s->engine == NULL)
        return not_yet(r, "a chart");
    f = open_memstream(&buf, &len);
    if (f == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    o.title = r->s->project_name;
    status = quarry_report_chart(r->s->p, r->s->engine, name, f, &o, err,
                                 sizeof err);
    if (fclose(f) != 0 && status == QUARRY_OK)
        status = QUARRY_ENOMEM;
    if (status != QUARRY_OK) {
        free(buf);
        return serve_error(r,
                           status == QUARRY_ENOTFOUND
                               ? MHD_HTTP_NOT_FOUND
                               : MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "%s", err[0] ? err : quarry_status_str(status));
    }
    r->raw = buf;
    r->raw_len = len;
    r->raw_type = "image/svg+xml";
    r->status = MHD_HTTP_OK;
    return 0;
}

/* ---- routes ---------------------------------------------------------------- */

void serve_api(serve_req *r)
{
    const char *path = r->path;
    int get = strcmp(r->method, "POST") != 0;
    if (get && strcmp(path, "status") == 0)
        api_status(r);
    else if (get && strcmp(path, "review/next") == 0)
        api_review_next(r);
    else if (get && strcmp(path, "excerpts") == 0)
        api_excerpts(r);
    else if (get && strncmp(path, "excerpts/", 9) == 0 && path[9] != '\0')
        api_excerpt(r, path + 9);
    else if (!get && strcmp(path, "decisions") == 0)
        api_decide(r);
    else if (!get && strcmp(path, "undo") == 0)
        api_undo(r);
    else if (!get && strcmp(path, "accept-above") == 0)
        api_accept_above(r);
    else if (!get && strcmp(path, "settle") == 0)
        api_settle(r);
    else if (strcmp(path, "memos") == 0)
        get ? api_memos_get(r) : api_memos_post(r);
    else if (get && strcmp(path, "codebook") == 0)
        api_codebook(r);
    else if (!get && strcmp(path, "codebook") == 0)
        api_codebook_edit(r);
    else if (get && strcmp(path, "facets") == 0)
        api_facets(r);
    else if (get && strcmp(path, "runs") == 0)
        api_runs(r);
    else if (!get && strcmp(path, "import") == 0)
        serve_api_import(r);
    else if (!get && strcmp(path, "suggest") == 0)
        serve_api_suggest(r);
    else if (get && strcmp(path, "export") == 0)
        serve_api_export(r);
    else if (get && strcmp(path, "sources") == 0)
        serve_api_sources(r);
    else if (!get && strcmp(path, "sources/remove") == 0)
        serve_api_source_remove(r);
    else if (get && strcmp(path, "disagreements") == 0)
        api_disagreements(r);
    else if (get && strcmp(path, "charts") == 0)
        api_charts(r);
    else if (get && strncmp(path, "charts/", 7) == 0 && path[7] != '\0')
        api_chart(r, path + 7);
    else
        serve_error(r, MHD_HTTP_NOT_FOUND, "no such route: %s /api/%s",
                    r->method, path);
}
