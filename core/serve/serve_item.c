/*
 * serve_item.c -- an excerpt as the review page shows it (ITEM in
 * core/serve/API.md): the library's review item (text, context, the
 * latest run's suggestions with their evidence and this coder's verdicts)
 * and every other coder's codes, with each suggested code's definition
 * and notes, this coder's codings with their origin and time, and the
 * memos on it.
 *
 * The review item lives only until the next call on the project, so it is
 * copied into JSON before any other call is made.
 */
#include <stdlib.h>
#include <string.h>

#include "serve_item.h"

json_t *serve_jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A JSON text the project stored (evidence, attributes), parsed; null
 * when it does not parse. */
json_t *serve_jparse(const char *s)
{
    json_t *j = s ? json_loads(s, 0, NULL) : NULL;
    return j ? j : json_null();
}

/* A source's file name without its folders, as the listings give it. */
static const char *base_name(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path;
}

static json_t *context_json(const char *text, const char *speaker,
                            const char *id)
{
    if (text == NULL)
        return json_null();
    return json_pack("{s:s, s:o, s:o}", "text", text, "speaker",
                     serve_jstr(speaker), "excerpt", serve_jstr(id));
}

/* The parts of the review item itself. */
static json_t *item_base(const quarry_review_item *it)
{
    json_t *o, *sugg, *others;
    int32_t i;
    o = json_object();
    sugg = json_array();
    if (o == NULL || sugg == NULL) {
        json_decref(o);
        json_decref(sugg);
        return NULL;
    }
    json_object_set_new(o, "excerpt", json_string(it->excerpt));
    json_object_set_new(o, "text", serve_jstr(it->text));
    json_object_set_new(o, "source", serve_jstr(base_name(it->source)));
    json_object_set_new(o, "speaker", serve_jstr(it->speaker));
    json_object_set_new(o, "line", json_integer(it->line));
    json_object_set_new(o, "attributes", serve_jparse(it->attributes));
    json_object_set_new(o, "before",
                        context_json(it->before, it->before_speaker,
                                     it->before_id));
    json_object_set_new(o, "after", context_json(it->after, it->after_speaker,
                                                 it->after_id));
    json_object_set_new(o, "abstain", json_boolean(it->abstain));
    json_object_set_new(o, "run", it->run ? json_integer(it->run) : json_null());
    for (i = 0; i < it->n_suggestions; i++) {
        const quarry_review_suggestion *g = &it->suggestions[i];
        json_t *ev = serve_jparse(g->evidence);
        if (!json_is_object(ev)) {
            json_decref(ev);
            ev = json_pack("{s:[], s:[]}", "terms", "neighbours");
        }
        json_array_append_new(
            sugg, json_pack("{s:s, s:o, s:f, s:f, s:o, s:o}", "code", g->code,
                            "name", serve_jstr(g->name), "score", g->score,
                            "confidence", g->confidence, "verdict",
                            serve_jstr(g->verdict), "evidence", ev));
    }
    json_object_set_new(o, "suggestions", sugg);
    others = json_array();
    for (i = 0; i < it->n_others; i++) {
        const quarry_coder_codes *c = &it->others[i];
        json_t *codes = json_array(), *passages = json_array();
        int32_t k;
        for (k = 0; k < c->n_codes; k++) {
            json_array_append_new(codes, json_string(c->codes[k]));
            if (c->spans != NULL && c->spans[2 * k + 1] > 0)
                json_array_append_new(
                    passages,
                    json_pack("{s:s, s:[I, I], s:o}", "code", c->codes[k],
                              "span", (json_int_t)c->spans[2 * k],
                              (json_int_t)c->spans[2 * k + 1], "passage",
                              serve_jstr(c->passages[k])));
        }
        json_array_append_new(others,
                              json_pack("{s:s, s:o, s:o}", "coder", c->coder,
                                        "codes", codes, "passages",
                                        passages));
    }
    json_object_set_new(o, "others", others);
    return o;
}

typedef struct notes_ctx {
    json_t *by_code; /* code -> {definition, include, exclude} */
} notes_ctx;

static int put_notes(void *ctx, const quarry_code_notes *n)
{
    notes_ctx *c = ctx;
    json_object_set_new(c->by_code, n->code,
                        json_pack("{s:n, s:o, s:o}", "definition", "include",
                                  serve_jstr(n->include), "exclude",
                                  serve_jstr(n->exclude)));
    return 0;
}

/* Every code's definition and notes, by code id. */
static int code_notes(quarry_project *p, json_t **out)
{
    const quarry_project_code *codes;
    int32_t n, i;
    notes_ctx c;
    int status;
    *out = NULL;
    c.by_code = json_object();
    if (c.by_code == NULL)
        return QUARRY_ENOMEM;
    status = quarry_project_code_notes(p, put_notes, &c);
    if (status == QUARRY_OK)
        status = quarry_project_codes(p, &codes, &n);
    for (i = 0; status == QUARRY_OK && i < n; i++) {
        json_t *e = json_object_get(c.by_code, codes[i].id);
        if (e != NULL)
            json_object_set_new(e, "definition",
                                serve_jstr(codes[i].definition));
    }
    if (status != QUARRY_OK) {
        json_decref(c.by_code);
        return status;
    }
    *out = c.by_code;
    return QUARRY_OK;
}

typedef struct codings_ctx {
    const char *coder;
    json_t *mine; /* [{code, name, coder, origin, time}] */
} codings_ctx;

/* This coder's codings with their origin and time (the review item gives
 * their ids only; the other coders' come as item->others). */
static int put_coding(void *ctx, const quarry_coding_view *v)
{
    codings_ctx *c = ctx;
    if (c->coder == NULL || strcmp(v->coder, c->coder) != 0)
        return 0;
    return json_array_append_new(
               c->mine,
               json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "code",
                         v->code, "name", serve_jstr(v->name), "coder",
                         v->coder, "origin", serve_jstr(v->origin), "time",
                         serve_jstr(v->time), "span", serve_span_json(v),
                         "passage", serve_jstr(v->passage)))
               ? QUARRY_ENOMEM
               : 0;
}

json_t *serve_span_json(const quarry_coding_view *v)
{
    return v->span_end > 0 ? json_pack("[I, I]", (json_int_t)v->span_start,
                                       (json_int_t)v->span_end)
                           : json_null();
}

static int put_memo(void *ctx, const quarry_memo *m)
{
    json_array_append_new(ctx, serve_memo_json(m));
    return 0;
}

json_t *serve_memo_json(const quarry_memo *m)
{
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)m->id, "excerpt", serve_jstr(m->excerpt),
                     "code", serve_jstr(m->code), "coder",
                     serve_jstr(m->coder), "time", serve_jstr(m->time),
                     "text", serve_jstr(m->text), "revises",
                     m->revises ? json_integer(m->revises) : json_null());
}

/* The evidence's neighbours as the page reads them: {"excerpt", "code"
 * (the suggested code they were coded with), "similarity", "text", and
 * "span" for a coded passage, whose text is then the passage's} from the
 * stored {"id", "score", "span"}. */
static int neighbours_json(quarry_project *p, json_t *sugg)
{
    json_t *g, *nb, *list;
    size_t i, k;
    json_array_foreach(sugg, i, g)
    {
        const char *code = json_string_value(json_object_get(g, "code"));
        list = json_object_get(json_object_get(g, "evidence"), "neighbours");
        json_array_foreach(list, k, nb)
        {
            const char *id = json_string_value(json_object_get(nb, "id"));
            const char *text = NULL;
            json_t *score = json_object_get(nb, "score"),
                   *span = json_object_get(nb, "span");
            int status;
            if (id == NULL || json_object_get(nb, "excerpt") != NULL)
                continue;
            /* A coded passage's row: the passage is what it said. */
            if (json_is_array(span) && json_array_size(span) == 2 &&
                json_is_integer(json_array_get(span, 0)) &&
                json_is_integer(json_array_get(span, 1)))
                status = quarry_project_passage_text(
                    p, id, json_integer_value(json_array_get(span, 0)),
                    json_integer_value(json_array_get(span, 1)), &text);
            else
                status = quarry_project_excerpt_text(p, id, &text);
            if (status == QUARRY_EINVAL)
                status = quarry_project_excerpt_text(p, id, &text);
            if (status != QUARRY_OK && status != QUARRY_ENOTFOUND)
                return status;
            json_object_set_new(nb, "excerpt", json_string(id));
            json_object_set_new(nb, "code", serve_jstr(code));
            json_object_set(nb, "similarity", score ? score : json_null());
            json_object_set_new(nb, "text", serve_jstr(text));
            json_object_del(nb, "id");
            json_object_del(nb, "score");
        }
    }
    return QUARRY_OK;
}

int serve_item_json(quarry_project *p, const char *coder, int blind,
                    const quarry_review_item *it, json_t **out)
{
    json_t *o, *notes = NULL, *sugg, *memos;
    codings_ctx cc;
    char *excerpt;
    size_t i;
    int status;
    *out = NULL;
    o = item_base(it);
    if (o != NULL && blind) { /* independent coding: no one else's codes */
        json_object_set_new(o, "others", json_array());
        json_object_set_new(o, "blind", json_true());
    }
    excerpt = strdup(it->excerpt);
    if (o == NULL || excerpt == NULL) {
        json_decref(o);
        free(excerpt);
        return QUARRY_ENOMEM;
    }
    /* it is not valid from here on. */
    status = code_notes(p, &notes);
    sugg = json_object_get(o, "suggestions");
    for (i = 0; status == QUARRY_OK && i < json_array_size(sugg); i++) {
        json_t *g = json_array_get(sugg, i);
        json_t *n = json_object_get(
            notes, json_string_value(json_object_get(g, "code")));
        json_object_set(g, "definition",
                        n ? json_object_get(n, "definition") : json_null());
        json_object_set(g, "include",
                        n ? json_object_get(n, "include") : json_null());
        json_object_set(g, "exclude",
                        n ? json_object_get(n, "exclude") : json_null());
    }
    json_decref(notes);
    if (status == QUARRY_OK)
        status = neighbours_json(p, sugg);
    cc.coder = coder;
    cc.mine = json_array();
    json_object_set_new(o, "codes", cc.mine);
    if (status == QUARRY_OK)
        status = quarry_project_excerpt_codings(p, excerpt, put_coding, &cc);
    memos = json_array();
    json_object_set_new(o, "memos", memos);
    if (status == QUARRY_OK)
        status = quarry_project_memos(p, QUARRY_MEMOS_EXCERPT, excerpt,
                                      put_memo, memos);
    free(excerpt);
    if (status != QUARRY_OK) {
        json_decref(o);
        return status;
    }
    *out = o;
    return QUARRY_OK;
}

int serve_item_of(quarry_project *p, const char *coder, int blind,
                  const char *excerpt, json_t **out)
{
    const quarry_review_item *it = NULL;
    int status;
    *out = NULL;
    /* The review item needs a coder; with none, every coder's codes are
     * "others". */
    status = quarry_project_review_item(p, coder ? coder : "", excerpt, &it);
    if (status != QUARRY_OK)
        return status;
    return serve_item_json(p, coder, blind, it, out);
}
