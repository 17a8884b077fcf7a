/*
 * review_ui.c -- the interactive screen of `quarry review` (review_ui.h).
 *
 * The screen is rebuilt whole after every key: a list of lines, each
 * already wrapped to the terminal's width, written in one go. The header,
 * the suggestions, the coder's codings and the keys always show; the
 * excerpt gets the rows left over and scrolls (j/k, PgUp/PgDn) when it is
 * longer, so nothing is cut at 80x24.
 *
 * Which excerpt shows: the one the coder last decided on (it stays, so a
 * second code or a remove can follow, until Enter moves on), the one an
 * undo was about, else the first excerpt of the queue that was not moved
 * past in this session.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "review_ui.h"
#include "review_ui_int.h"

/* ------------------------------------------------------------------ */
/* Lines                                                                */

void ui_lines_free(lines *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void ui_lines_add(lines *l, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            l->oom = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        l->oom = 1;
        return;
    }
    l->v[l->n++] = s;
}

/* Code points in the first len bytes of a UTF-8 string. */
size_t ui_cp_count(const char *s, size_t len)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Bytes of the first max code points of s (len bytes). */
static size_t cp_bytes(const char *s, size_t len, size_t max)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == max)
                return i;
            n++;
        }
    }
    return len;
}

/* A copy of text safe to write to a terminal: C0 and C1 control
 * characters other than newlines become '?', tabs spaces, CRs vanish. */
static char *sanitize(const char *text)
{
    size_t i, o = 0, len = text ? strlen(text) : 0;
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r')
            continue;
        if (c == '\t')
            out[o++] = ' ';
        else if (c == '\n')
            out[o++] = '\n';
        else if (c < 0x20 || c == 0x7f)
            out[o++] = '?';
        else if (c == 0xC2 && i + 1 < len &&
                 (unsigned char)text[i + 1] >= 0x80 &&
                 (unsigned char)text[i + 1] <= 0x9f) {
            out[o++] = '?';
            i++;
        } else
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* Wrap text to width columns: the first line starts with first (visible
 * width first_w), the others with rest (width rest_w); each line wrapped
 * in style ... reset. At most max_lines lines (0 = no limit), the last
 * cut one ending in "...". */
void ui_wrap(lines *l, const char *text, int width, const char *style,
                 const char *first, int first_w, const char *rest,
                 int rest_w, int max_lines)
{
    char *s = sanitize(text ? text : "");
    lines tmp = {0};
    char *line;
    size_t cap, used = 0, vis = 0;
    const char *p;
    int avail;
    size_t i;
    if (s == NULL) {
        l->oom = 1;
        return;
    }
    cap = strlen(s) + 8;
    line = malloc(cap);
    if (line == NULL) {
        free(s);
        l->oom = 1;
        return;
    }
    avail = width - first_w;
    if (avail < 8)
        avail = 8;
#define FLUSH()                                                             \
    do {                                                                    \
        line[used] = '\0';                                                  \
        ui_lines_add(&tmp, "%s", line);                                        \
        used = vis = 0;                                                     \
        avail = width - rest_w;                                             \
        if (avail < 8)                                                      \
            avail = 8;                                                      \
    } while (0)
    p = s;
    for (;;) {
        /* One paragraph (up to a newline). */
        const char *end = strchr(p, '\n');
        const char *q = p;
        if (end == NULL)
            end = p + strlen(p);
        while (q < end) {
            const char *w;
            size_t wb, wv;
            while (q < end && *q == ' ')
                q++;
            if (q == end)
                break;
            w = q;
            while (q < end && *q != ' ')
                q++;
            wb = (size_t)(q - w);
            wv = ui_cp_count(w, wb);
            if (vis > 0 && vis + 1 + wv <= (size_t)avail) {
                line[used++] = ' ';
                memcpy(line + used, w, wb);
                used += wb;
                vis += 1 + wv;
                continue;
            }
            if (vis > 0)
                FLUSH();
            /* A word longer than a line is cut. */
            while (wv > (size_t)avail) {
                size_t b = cp_bytes(w, wb, (size_t)avail);
                memcpy(line, w, b);
                used = b;
                vis = (size_t)avail;
                FLUSH();
                w += b;
                wb -= b;
                wv -= (size_t)avail;
            }
            memcpy(line + used, w, wb);
            used += wb;
            vis += wv;
        }
        FLUSH();
        if (*end == '\0')
            break;
        p = end + 1;
    }
#undef FLUSH
    /* Drop trailing empty lines (text ending in newlines). */
    while (tmp.n > 1 && tmp.v[tmp.n - 1][0] == '\0') {
        free(tmp.v[--tmp.n]);
    }
    if (max_lines > 0 && tmp.n > (size_t)max_lines) {
        char *last = tmp.v[max_lines - 1];
        size_t lb = strlen(last);
        size_t keep = cp_bytes(last, lb, (size_t)(avail > 4 ? avail - 4 : 1));
        last[keep] = '\0';
        for (i = (size_t)max_lines; i < tmp.n; i++)
            free(tmp.v[i]);
        tmp.n = (size_t)max_lines;
        {
            char *grown = realloc(last, keep + 8);
            if (grown != NULL) {
                strcat(grown, " ...");
                tmp.v[max_lines - 1] = grown;
            }
        }
    }
    for (i = 0; i < tmp.n; i++)
        ui_lines_add(l, "%s%s%s%s", style, i == 0 ? first : rest, tmp.v[i],
                  style[0] ? "\033[0m" : "");
    l->oom |= tmp.oom;
    ui_lines_free(&tmp);
    free(line);
    free(s);
}

/* One line as it is (spaces kept), cut to width columns. */
void ui_fit(lines *l, const char *text, int width, const char *style)
{
    char *s = sanitize(text);
    size_t b;
    if (s == NULL) {
        l->oom = 1;
        return;
    }
    b = cp_bytes(s, strlen(s), width > 0 ? (size_t)width : 1);
    s[b] = '\0';
    ui_lines_add(l, "%s%s%s", style, s, style[0] ? "\033[0m" : "");
    free(s);
}

/* ------------------------------------------------------------------ */
/* Session state                                                        */


void ui_say(ui *u, const char *style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_style = style;
}

void ui_set_pinned(ui *u, const char *xid)
{
    free(u->pinned);
    u->pinned = xid ? strdup(xid) : NULL;
}

static int skip_add(ui *u, const char *xid)
{
    size_t i;
    for (i = 0; i < u->n_skip; i++)
        if (strcmp(u->skip[i], xid) == 0)
            return QUARRY_OK;
    if (u->n_skip == u->cap_skip) {
        size_t cap = u->cap_skip ? u->cap_skip * 2 : 16;
        char **v = realloc(u->skip, cap * sizeof *v);
        if (v == NULL)
            return QUARRY_ENOMEM;
        u->skip = v;
        u->cap_skip = cap;
    }
    if ((u->skip[u->n_skip] = strdup(xid)) == NULL)
        return QUARRY_ENOMEM;
    u->n_skip++;
    return QUARRY_OK;
}

static void skip_remove(ui *u, const char *xid)
{
    size_t i;
    for (i = 0; i < u->n_skip; i++)
        if (strcmp(u->skip[i], xid) == 0) {
            free(u->skip[i]);
            u->skip[i] = u->skip[--u->n_skip];
            return;
        }
}

static void skip_clear(ui *u)
{
    while (u->n_skip > 0)
        free(u->skip[--u->n_skip]);
}

static int load_codes(ui *u)
{
    const quarry_project_code *c;
    int32_t n, i;
    int status = quarry_project_codes(u->p, &c, &n);
    if (status != QUARRY_OK)
        return status;
    u->codes = calloc(n > 0 ? (size_t)n : 1, sizeof *u->codes);
    if (u->codes == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < n; i++) {
        u->codes[i].id = strdup(c[i].id ? c[i].id : "");
        u->codes[i].name = strdup(c[i].name ? c[i].name : "");
        u->codes[i].depth = c[i].depth;
        u->codes[i].is_theme = c[i].is_theme;
        u->n_codes = i + 1;
        if (u->codes[i].id == NULL || u->codes[i].name == NULL)
            return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

/* The definition and the inclusion and exclusion notes of every code,
 * read back from the codebook the project writes (the code list has the
 * definition only). A codebook that cannot be read leaves them out. */
static int load_notes(ui *u)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);
    json_error_t err;
    json_t *root = NULL, *codes, *c;
    int status;
    if (f == NULL)
        return QUARRY_ENOMEM;
    status = quarry_project_codebook_write(u->p, f);
    fclose(f);
    if (status != QUARRY_OK || buf == NULL)
        goto out;
    root = json_loadb(buf, len, 0, &err);
    codes = json_object_get(root, "codes");
    json_array_foreach(codes, i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *def = json_string_value(json_object_get(c, "definition"));
        const char *inc = json_string_value(json_object_get(c, "include"));
        const char *exc = json_string_value(json_object_get(c, "exclude"));
        int k;
        if (id == NULL)
            continue;
        for (k = 0; k < u->n_codes; k++) {
            ui_code *uc = &u->codes[k];
            if (strcmp(uc->id, id) != 0)
                continue;
            if ((def && def[0] && !(uc->definition = strdup(def))) ||
                (inc && inc[0] && !(uc->include = strdup(inc))) ||
                (exc && exc[0] && !(uc->exclude = strdup(exc)))) {
                status = QUARRY_ENOMEM;
                goto out;
            }
            break;
        }
    }
    status = QUARRY_OK;
out:
    json_decref(root);
    free(buf);
    return status;
}

/* The first n words of text, on one line. */
static char *opening_words(const char *text, int n)
{
    size_t len = text ? strlen(text) : 0, o = 0, i = 0;
    char *out = malloc(len + 8);
    int words = 0;
    if (out == NULL)
        return NULL;
    while (i < len && words < n) {
        while (i < len && (text[i] == ' ' || text[i] == '\n' ||
                           text[i] == '\t' || text[i] == '\r'))
            i++;
        if (i == len)
            break;
        if (o > 0)
            out[o++] = ' ';
        while (i < len && text[i] != ' ' && text[i] != '\n' &&
               text[i] != '\t' && text[i] != '\r')
            out[o++] = text[i++];
        words++;
    }
    while (i < len && (text[i] == ' ' || text[i] == '\n'))
        i++;
    if (i < len) {
        memcpy(out + o, " ...", 4);
        o += 4;
    }
    out[o] = '\0';
    return out;
}

/* The opening words of r's excerpt (or of its passage), once for each
 * (the walk goes excerpt by excerpt: one opening each, and one for each
 * coded passage: a passage of a coder's is what suggest learnt the code
 * from, and a neighbour can be one). */
static int keep_opening(ui *u, const quarry_coding_row *r)
{
    ui_opening *o;
    const char *x = r->excerpt ? r->excerpt : "";
    if (u->n_openings > 0 &&
        strcmp(u->openings[u->n_openings - 1].excerpt, x) == 0 &&
        (r->passage == NULL ||
         (u->openings[u->n_openings - 1].span_start == r->span_start &&
          u->openings[u->n_openings - 1].span_end == r->span_end)))
        return 0;
    if (u->n_openings == u->cap_openings) {
        size_t cap = u->cap_openings ? u->cap_openings * 2 : 64;
        ui_opening *v = realloc(u->openings, cap * sizeof *v);
        if (v == NULL)
            return QUARRY_ENOMEM;
        u->openings = v;
        u->cap_openings = cap;
    }
    o = &u->openings[u->n_openings];
    o->excerpt = strdup(x);
    o->words = opening_words(r->passage ? r->passage : r->text, 8);
    o->span_start = r->passage ? r->span_start : 0;
    o->span_end = r->passage ? r->span_end : 0;
    u->n_openings++;
    if (o->excerpt == NULL || o->words == NULL)
        return QUARRY_ENOMEM;
    return 0;
}

static int keep_coding(void *ctx, const quarry_coding_row *r)
{
    ui *u = ctx;
    ui_coding *c;
    /* Blind coding: another coder's codes are not kept (nor shown), only
     * the words of what they coded, for the nearest coded excerpts. */
    if (u->blind && strcmp(r->coder, u->coder) != 0)
        return keep_opening(u, r);
    if (u->n_codings == u->cap_codings) {
        size_t cap = u->cap_codings ? u->cap_codings * 2 : 64;
        ui_coding *v = realloc(u->codings, cap * sizeof *v);
        if (v == NULL)
            return QUARRY_ENOMEM;
        u->codings = v;
        u->cap_codings = cap;
    }
    c = &u->codings[u->n_codings];
    c->excerpt = strdup(r->excerpt ? r->excerpt : "");
    c->code = strdup(r->code ? r->code : "");
    c->coder = strdup(r->coder ? r->coder : "");
    u->n_codings++;
    if (c->excerpt == NULL || c->code == NULL || c->coder == NULL)
        return QUARRY_ENOMEM;
    return keep_opening(u, r);
}

/* The codings as the session starts. Others' codings do not change under
 * this coder's decisions; this coder's own come from the item, live. */
static int load_codings(ui *u)
{
    return quarry_project_codings(u->p, keep_coding, u);
}

/* The opening words of excerpt xid, or of its coded passage named by the
 * evidence's neighbour entry v ("span": [start, end]). */
static const char *opening_of(const ui *u, const char *xid, json_t *v)
{
    json_t *span = json_object_get(v, "span");
    int64_t s0 = 0, s1 = 0;
    size_t i;
    if (json_array_size(span) == 2) {
        s0 = (int64_t)json_integer_value(json_array_get(span, 0));
        s1 = (int64_t)json_integer_value(json_array_get(span, 1));
    }
    for (i = 0; i < u->n_openings; i++)
        if (strcmp(u->openings[i].excerpt, xid) == 0 &&
            u->openings[i].span_start == s0 && u->openings[i].span_end == s1)
            return u->openings[i].words;
    return NULL;
}

static const ui_code *code_by_id(const ui *u, const char *id)
{
    int i;
    for (i = 0; id != NULL && i < u->n_codes; i++)
        if (strcmp(u->codes[i].id, id) == 0)
            return &u->codes[i];
    return NULL;
}

static void ui_free(ui *u)
{
    int i;
    size_t j;
    for (i = 0; i < u->n_codes; i++) {
        free(u->codes[i].id);
        free(u->codes[i].name);
        free(u->codes[i].definition);
        free(u->codes[i].include);
        free(u->codes[i].exclude);
    }
    free(u->codes);
    for (j = 0; j < u->n_codings; j++) {
        free(u->codings[j].excerpt);
        free(u->codings[j].code);
        free(u->codings[j].coder);
    }
    free(u->codings);
    for (j = 0; j < u->n_openings; j++) {
        free(u->openings[j].excerpt);
        free(u->openings[j].words);
    }
    free(u->openings);
    free(u->shown);
    settle_free(u);
    skip_clear(u);
    free(u->skip);
    free(u->pinned);
}

static int top_undecided(const quarry_review_item *it)
{
    int32_t i;
    for (i = 0; it != NULL && i < it->n_suggestions; i++)
        if (it->suggestions[i].verdict == NULL)
            return (int)i;
    return -1;
}

/* The item to show (NULL when the queue is done or all skipped). */
static int current_item(ui *u, const quarry_review_item **out)
{
    int status = quarry_project_review_next_skipping(
        u->p, u->coder, (const char *const *)u->skip, u->n_skip, out,
        &u->progress);
    if (status != QUARRY_OK)
        return status;
    /* An excerpt kept on screen after a decision is out of the queue (it
     * counts among the decided) unless the queue's next is that one. */
    u->pinned_queued = u->pinned != NULL && *out != NULL &&
                       strcmp((*out)->excerpt, u->pinned) == 0;
    if (u->pinned != NULL) {
        const quarry_review_item *it = NULL;
        status = quarry_project_review_item(u->p, u->coder, u->pinned, &it);
        if (status != QUARRY_OK)
            return status;
        *out = it;
    }
    return QUARRY_OK;
}

/* ------------------------------------------------------------------ */
/* Drawing                                                              */

void ui_flush(ui *u, lines *l)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return;
    fputs("\033[H\033[2J", f);
    for (i = 0; i < l->n && i < (size_t)u->t->rows; i++) {
        fputs(l->v[i], f);
        if (i + 1 < l->n && i + 1 < (size_t)u->t->rows)
            fputs("\033[K\n", f);
    }
    fclose(f);
    term_write(u->t, buf, len);
    free(buf);
}

static void rule(ui *u, lines *l)
{
    char *s = malloc((size_t)u->t->cols * 3 + 1);
    int i;
    if (s == NULL) {
        l->oom = 1;
        return;
    }
    for (i = 0; i < u->t->cols; i++)
        memcpy(s + (size_t)i * 3, "\xe2\x94\x80", 3);
    s[(size_t)u->t->cols * 3] = '\0';
    ui_lines_add(l, DIM "%s" RESET, s);
    free(s);
}

static void header(ui *u, lines *l)
{
    char left[512], right[256];
    const quarry_review_progress *g = &u->progress;
    int64_t done = g->total - g->remaining;
    /* The place in the queue counts the excerpts passed over too; an
     * excerpt kept on screen once decided is the last of the decided. */
    int64_t place = done + g->skipped +
                    (u->pinned != NULL && !u->pinned_queued ? 0 : 1);
    snprintf(left, sizeof left, "quarry review · %s · coder %s",
             u->project_name, u->coder);
    if (place < 1)
        place = 1;
    if (g->remaining > 0)
        snprintf(right, sizeof right,
                 "excerpt %lld of %lld · %lld remaining%s",
                 (long long)(place > g->total ? g->total : place),
                 (long long)g->total, (long long)g->remaining,
                 g->skipped ? " · some skipped" : "");
    else
        snprintf(right, sizeof right, "%lld of %lld decided",
                 (long long)done, (long long)g->total);
    /* One line when both halves fit: the excerpt wants the rows. */
    {
        size_t lw = ui_cp_count(left, strlen(left));
        size_t rw = ui_cp_count(right, strlen(right));
        char *lc = sanitize(left), *rc = sanitize(right);
        if (lc != NULL && rc != NULL && lw + 2 + rw <= (size_t)u->t->cols)
            ui_lines_add(l, BOLD "%s" RESET "%*s" CYAN "%s" RESET, lc,
                      (int)((size_t)u->t->cols - lw - rw), "", rc);
        else {
            ui_wrap(l, left, u->t->cols, BOLD, "", 0, "", 0, 2);
            ui_wrap(l, right, u->t->cols, CYAN, "", 0, "", 0, 2);
        }
        free(lc);
        free(rc);
    }
    rule(u, l);
}

void ui_footer(ui *u, lines *l, const char *keys)
{
    rule(u, l);
    ui_wrap(l, keys, u->t->cols, DIM, "", 0, "", 0, 3);
    if (u->msg[0] != '\0')
        ui_wrap(l, u->msg, u->t->cols, u->msg_style ? u->msg_style : "", "", 0,
             "", 0, 3);
}

static const char KEYS[] =
    "a/1-9 accept · r/R# reject · c replace · n add · x# remove · "
    "d# definition · m memo · j/k PgUp/PgDn scroll · Enter/s/→ next · "
    "u undo · ? help · q quit";

/* The id of a neighbour entry of the evidence (a string, a number or an
 * object with "id"), in num when a number. */
static const char *neighbour_id(json_t *v, char *num, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(num, cap, "%lld", (long long)json_integer_value(v));
        return num;
    }
    if (json_is_object(v))
        return json_string_value(json_object_get(v, "id"));
    return NULL;
}

/* "terms: a, b · like: “first words ...”" from the evidence JSON: the
 * terms and the nearest coded excerpt by its opening words (its id when
 * the words are not known). */
static void evidence_text(const ui *u, const char *evidence, char *out,
                          size_t cap)
{
    json_error_t err;
    json_t *root, *terms, *nb, *v;
    size_t i, used = 0;
    out[0] = '\0';
    if (evidence == NULL)
        return;
    root = json_loads(evidence, 0, &err);
    if (root == NULL)
        return;
    terms = json_object_get(root, "terms");
    nb = json_object_get(root, "neighbours");
    if (json_is_array(terms) && json_array_size(terms) > 0) {
        used += (size_t)snprintf(out + used, cap - used, "terms:");
        json_array_foreach(terms, i, v)
        {
            const char *term = json_is_string(v)
                                   ? json_string_value(v)
                                   : json_string_value(
                                         json_object_get(v, "term"));
            if (term == NULL || i >= 4 || used >= cap)
                continue;
            used += (size_t)snprintf(out + used, cap - used, "%s %s",
                                     i ? "," : "", term);
        }
    }
    if (json_is_array(nb) && json_array_size(nb) > 0 && used < cap) {
        char num[32];
        const char *id = neighbour_id(json_array_get(nb, 0), num, sizeof num);
        const char *words =
            id ? opening_of(u, id, json_array_get(nb, 0)) : NULL;
        if (id != NULL && used < cap) {
            if (words != NULL)
                snprintf(out + used, cap - used, "%slike: \"%s\"",
                         used ? " · " : "", words);
            else
                snprintf(out + used, cap - used, "%slike: %s",
                         used ? " · " : "", id);
        }
    }
    json_decref(root);
}

/* "study S5  participant S5-P01" from the attributes JSON. */
static void attributes_text(const char *attributes, char *out, size_t cap)
{
    json_error_t err;
    json_t *root, *v;
    const char *key;
    size_t used = 0;
    out[0] = '\0';
    if (attributes == NULL)
        return;
    root = json_loads(attributes, 0, &err);
    if (root == NULL)
        return;
    if (json_is_object(root)) {
        json_object_foreach(root, key, v)
        {
            char *dumped = NULL;
            if (strcmp(key, "speaker") == 0)
                continue; /* shown with the excerpt */
            const char *val = json_string_value(v);
            if (val == NULL)
                val = dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            if (used < cap)
                used += (size_t)snprintf(out + used, cap - used, "%s%s: %s",
                                         used ? " · " : "", key,
                                         val ? val : "");
            free(dumped);
        }
    }
    json_decref(root);
}

/* The lines under the excerpt: the suggestions (with their evidence when
 * evidence is set), the codings of the excerpt, the keys. */
static void item_bottom(ui *u, const quarry_review_item *it, lines *l,
                        int evidence)
{
    char buf[2048];
    int32_t i;
    size_t j, used;
    if (it->abstain)
        ui_fit(l, "The engine abstained (not confident); its candidates:",
            u->t->cols, YELLOW);
    else
        ui_lines_add(l, BOLD "Suggestions" RESET " (run %lld):",
                  (long long)it->run);
    for (i = 0; i < it->n_suggestions; i++) {
        const quarry_review_suggestion *g = &it->suggestions[i];
        const char *v = g->verdict;
        char mark[64] = "";
        if (v != NULL)
            snprintf(mark, sizeof mark, " · [%s%s]", v,
                     strcmp(v, "replace") == 0 ? "d" : "ed");
        /* The name goes last: a narrow window cuts it, not the verdict. */
        /* Below 0.005 it would print as 0.00, which reads as "never". */
        if (g->confidence < 0.005)
            snprintf(buf, sizeof buf, "%2d. %s · confidence <0.01%s · %s",
                     (int)i + 1, g->code ? g->code : "?", mark,
                     g->name ? g->name : "");
        else
            snprintf(buf, sizeof buf, "%2d. %s · confidence %.2f%s · %s",
                     (int)i + 1, g->code ? g->code : "?", g->confidence,
                     mark, g->name ? g->name : "");
        ui_fit(l, buf, u->t->cols,
            v == NULL ? "" : strcmp(v, "accept") == 0 ? GREEN : DIM);
        if (evidence) {
            char ev[1024];
            evidence_text(u, g->evidence, ev, sizeof ev);
            if (ev[0] != '\0') {
                snprintf(buf, sizeof buf, "      %s", ev);
                ui_fit(l, buf, u->t->cols, DIM);
            }
        }
    }
    if (it->n_suggestions == 0)
        ui_lines_add(l, "  (none)");
    memo_lines(u, it->excerpt, l);
    /* This coder's codings, numbered for x#; live from the item. */
    used = 0;
    buf[0] = '\0';
    for (i = 0; i < it->n_codes && used < sizeof buf; i++)
        used += (size_t)snprintf(
            buf + used, sizeof buf - used, "%s%d) %s%s", i ? " · " : "",
            (int)i + 1, it->codes[i],
            it->code_spans && it->code_spans[2 * i + 1] > 0 ? " (a passage)"
                                                             : "");
    ui_wrap(l, it->n_codes > 0 ? buf : "none yet", u->t->cols,
         it->n_codes > 0 ? GREEN : "", "Your codes: ", 12, "  ", 2, 2);
    /* Other coders' codings, as the session started: each code once,
     * with who gave it. */
    used = 0;
    buf[0] = '\0';
    for (j = 0; j < u->n_codings && used < sizeof buf; j++) {
        const ui_coding *c = &u->codings[j];
        size_t k;
        int seen = 0, n = 0;
        if (strcmp(c->excerpt, it->excerpt) != 0 ||
            strcmp(c->coder, u->coder) == 0)
            continue;
        for (k = 0; k < j && !seen; k++)
            seen = strcmp(u->codings[k].excerpt, c->excerpt) == 0 &&
                   strcmp(u->codings[k].code, c->code) == 0 &&
                   strcmp(u->codings[k].coder, u->coder) != 0;
        if (seen)
            continue;
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s (",
                                 used ? " · " : "", c->code);
        for (k = j; k < u->n_codings && used < sizeof buf; k++) {
            const ui_coding *o = &u->codings[k];
            if (strcmp(o->excerpt, c->excerpt) != 0 ||
                strcmp(o->code, c->code) != 0 ||
                strcmp(o->coder, u->coder) == 0)
                continue;
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                     n++ ? ", " : "", o->coder);
        }
        if (used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, ")");
    }
    if (buf[0] != '\0')
        ui_wrap(l, buf, u->t->cols, CYAN, "Others: ", 8, "  ", 2, 1);
    ui_footer(u, l, KEYS);
}

/* The screen of one excerpt. The header, the suggestions, the codings and
 * the keys always show; the excerpt (with a little context) gets the
 * rows left and scrolls when it is longer. When even the excerpt would
 * get fewer than 4 rows, the evidence lines go. */
static void draw_item(ui *u, const quarry_review_item *it)
{
    lines top = {0}, body = {0}, bottom = {0}, l = {0};
    char buf[2048];
    const char *sp = it->speaker ? it->speaker : "";
    int evidence, area = 1, n_body, max_scroll;
    size_t i;

    if (u->shown == NULL || strcmp(u->shown, it->excerpt) != 0) {
        free(u->shown);
        u->shown = strdup(it->excerpt);
        u->scroll = 0;
    }
    header(u, &top);
    snprintf(buf, sizeof buf, "excerpt %s · source %s%s%s", it->excerpt,
             it->source ? it->source : "?", it->speaker ? " · speaker " : "",
             sp);
    if (it->line > 0)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " · line %lld",
                 (long long)it->line);
    ui_wrap(&top, buf, u->t->cols, BOLD, "", 0, "  ", 2, 2);
    attributes_text(it->attributes, buf, sizeof buf);
    if (buf[0] != '\0')
        ui_wrap(&top, buf, u->t->cols, "", "", 0, "  ", 2, 1);

    if (it->before != NULL) {
        snprintf(buf, sizeof buf, "  %s (before): ",
                 it->before_speaker ? it->before_speaker : "");
        ui_wrap(&body, it->before, u->t->cols, DIM, buf,
             (int)ui_cp_count(buf, strlen(buf)), "    ", 4, 2);
    }
    snprintf(buf, sizeof buf, "> %s%s", sp, sp[0] ? ": " : "");
    ui_wrap(&body, it->text, u->t->cols, BOLD, buf,
         (int)ui_cp_count(buf, strlen(buf)), "  ", 2, 0);
    if (it->after != NULL) {
        snprintf(buf, sizeof buf, "  %s (after): ",
                 it->after_speaker ? it->after_speaker : "");
        ui_wrap(&body, it->after, u->t->cols, DIM, buf,
             (int)ui_cp_count(buf, strlen(buf)), "    ", 4, 2);
    }
    n_body = (int)body.n;

    for (evidence = 1; evidence >= 0; evidence--) {
        ui_lines_free(&bottom);
        if (u->settling) {
            settle_bottom(u, it, &bottom);
            area = u->t->rows - (int)top.n - (int)bottom.n;
            break;
        }
        item_bottom(u, it, &bottom, evidence);
        area = u->t->rows - (int)top.n - (int)bottom.n;
        if (area >= 4)
            break;
    }
    if (n_body > area)
        area--; /* a line saying where the view is */
    if (area < 1)
        area = 1;
    max_scroll = n_body > area ? n_body - area : 0;
    if (u->scroll > max_scroll)
        u->scroll = max_scroll;
    if (u->scroll < 0)
        u->scroll = 0;
    u->page = area;

    for (i = 0; i < top.n; i++)
        ui_lines_add(&l, "%s", top.v[i]);
    for (i = (size_t)u->scroll;
         i < body.n && i < (size_t)(u->scroll + area); i++)
        ui_lines_add(&l, "%s", body.v[i]);
    if (n_body > area) {
        int last = u->scroll + area;
        snprintf(buf, sizeof buf,
                 "  -- lines %d-%d of %d%s · j/k or PgUp/PgDn scroll --",
                 u->scroll + 1, last > n_body ? n_body : last, n_body,
                 last < n_body ? ", more below" : "");
        ui_fit(&l, buf, u->t->cols, YELLOW);
    }
    for (i = 0; i < bottom.n; i++)
        ui_lines_add(&l, "%s", bottom.v[i]);
    l.oom |= top.oom | body.oom | bottom.oom;
    ui_flush(u, &l);
    ui_lines_free(&top);
    ui_lines_free(&body);
    ui_lines_free(&bottom);
    ui_lines_free(&l);
}

/* A suggestion's code explained: its definition, when to use it and when
 * not (the codebook's notes), why the engine suggested it, and the
 * nearest coded excerpts by their opening words. */
static void draw_detail(ui *u, const quarry_review_item *it, int k)
{
    const quarry_review_suggestion *g = &it->suggestions[k];
    const ui_code *c = code_by_id(u, g->code);
    lines l = {0};
    char buf[2048];
    json_error_t err;
    json_t *root = g->evidence ? json_loads(g->evidence, 0, &err) : NULL;
    json_t *terms = json_object_get(root, "terms");
    json_t *nb = json_object_get(root, "neighbours"), *v;
    size_t i, j, used;

    header(u, &l);
    snprintf(buf, sizeof buf, "%d. %s · %s", k + 1, g->code ? g->code : "?",
             g->name ? g->name : "");
    ui_wrap(&l, buf, u->t->cols, BOLD, "", 0, "   ", 3, 2);
    ui_wrap(&l, c && c->definition ? c->definition : "(no definition)",
         u->t->cols, "", "Definition: ", 12, "  ", 2, 5);
    if (c != NULL && c->include != NULL)
        ui_wrap(&l, c->include, u->t->cols, GREEN, "Include: ", 9, "  ", 2, 4);
    if (c != NULL && c->exclude != NULL)
        ui_wrap(&l, c->exclude, u->t->cols, RED, "Exclude: ", 9, "  ", 2, 4);
    used = 0;
    buf[0] = '\0';
    json_array_foreach(terms, i, v)
    {
        const char *term = json_is_string(v)
                               ? json_string_value(v)
                               : json_string_value(json_object_get(v, "term"));
        if (term != NULL && used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                     used ? ", " : "", term);
    }
    if (buf[0] != '\0')
        ui_wrap(&l, buf, u->t->cols, DIM, "Terms: ", 7, "  ", 2, 2);
    if (json_array_size(nb) > 0)
        ui_fit(&l, "Nearest coded excerpts:", u->t->cols, BOLD);
    json_array_foreach(nb, i, v)
    {
        char num[32], codes[512] = "";
        const char *id = neighbour_id(v, num, sizeof num);
        const char *words = id ? opening_of(u, id, v) : NULL;
        size_t cu = 0;
        if (id == NULL || i >= 4)
            continue;
        for (j = 0; j < u->n_codings && cu < sizeof codes; j++)
            if (strcmp(u->codings[j].excerpt, id) == 0)
                cu += (size_t)snprintf(codes + cu, sizeof codes - cu,
                                       "%s%s by %s", cu ? ", " : "",
                                       u->codings[j].code,
                                       u->codings[j].coder);
        snprintf(buf, sizeof buf, "\"%s\" (%s%s%s)",
                 words ? words : "(text not at hand)", id, cu ? ": " : "",
                 codes);
        ui_wrap(&l, buf, u->t->cols, "", "  ", 2, "    ", 4, 2);
    }
    json_decref(root);
    ui_fit(&l, "Press any key to go back.", u->t->cols, DIM);
    ui_flush(u, &l);
    ui_lines_free(&l);
}

static void draw_empty(ui *u)
{
    lines l = {0};
    char buf[512];
    int64_t made = u->st->accepted + u->st->rejected + u->st->replaced +
                   u->st->added + u->st->removed + u->st->settled;
    header(u, &l);
    ui_lines_add(&l, "%s", "");
    if (u->progress.remaining > 0) {
        snprintf(buf, sizeof buf,
                 "Every excerpt left (%lld) was skipped in this session. "
                 "Press s to go through them again.",
                 (long long)u->progress.remaining);
    } else if (u->settling) {
        snprintf(buf, sizeof buf,
                 "Nothing left to settle: %s has settled every excerpt the "
                 "coders disagree on.",
                 u->coder);
    } else {
        snprintf(buf, sizeof buf,
                 "The queue is empty: %s has decided every excerpt of the "
                 "latest suggestions.",
                 u->coder);
    }
    ui_wrap(&l, buf, u->t->cols, BOLD, "", 0, "", 0, 0);
    snprintf(buf, sizeof buf, "%lld decision%s made in this session%s.",
             (long long)made, made == 1 ? "" : "s",
             u->st->undone ? " (after undos)" : "");
    ui_wrap(&l, buf, u->t->cols, "", "", 0, "", 0, 0);
    ui_footer(u, &l,
           u->progress.remaining > 0 ? "s go through the skipped · u undo · "
                                       "? help · q quit"
                                     : "u undo · ? help · q quit");
    ui_flush(u, &l);
    ui_lines_free(&l);
}

static const char *const HELP[] = {
    "Keys",
    "  a / 1-9   accept the top undecided suggestion / suggestion 1-9",
    "  r / R 1-9 reject the top undecided suggestion / suggestion 1-9",
    "  c         replace: reject the top undecided suggestion, code with",
    "            another code (a prompt lists the codes)",
    "  n         add a code nobody suggested (the same prompt)",
    "  x 1-9     remove your coding number 1-9 (as listed in Your codes)",
    "  d 1-9     definition, include/exclude notes and nearest coded",
    "            excerpts of suggestion 1-9",
    "  j k       scroll a long excerpt a line; PgDn PgUp (space b) a page",
    "  Enter s → done with this excerpt: the next one (an excerpt you have",
    "            not decided on is skipped for this session)",
    "  u         undo your last decision and show that excerpt again",
    "  ? / q     this help / quit (every decision is already saved)",
    "The excerpt stays on screen after a decision: add a second code, then",
    "Enter. Code prompt: part of a code's id or name, or its number; Enter",
    "takes it, Backspace deletes, Esc cancels.",
    "Every decision is saved the moment you make it, with your name and",
    "the time; accepted codes teach the next `quarry suggest`.",
    "  m         write a memo on this excerpt (Enter saves, Esc cancels)",
    "Settling (--order disagreements): 1-9 mark a final code, Enter settles.",
    "Press any key to go back.",
};

static void draw_help(ui *u)
{
    lines l = {0};
    size_t i;
    header(u, &l);
    for (i = 0; i < sizeof HELP / sizeof *HELP; i++)
        ui_fit(&l, HELP[i], u->t->cols, i == 0 ? BOLD : "");
    ui_flush(u, &l);
    ui_lines_free(&l);
}

/* ------------------------------------------------------------------ */
/* The code prompt                                                      */

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int code_matches(const ui_code *c, const char *q)
{
    return q[0] == '\0' || all_digits(q) || strcasestr(c->id, q) != NULL ||
           strcasestr(c->name, q) != NULL;
}

static void draw_prompt(ui *u, const char *title, const char *input,
                        const char *error)
{
    lines l = {0};
    char buf[1024];
    int i, shown = 0, matched = 0, room;
    header(u, &l);
    ui_wrap(&l, title, u->t->cols, BOLD, "", 0, "", 0, 0);
    ui_wrap(&l, "Type part of a code's id or name, or its number; Enter takes "
             "it, Esc cancels.",
         u->t->cols, DIM, "", 0, "", 0, 0);
    ui_lines_add(&l, "%s", "");
    snprintf(buf, sizeof buf, "code: %s_", input);
    ui_wrap(&l, buf, u->t->cols, "", "", 0, "", 0, 0);
    if (error != NULL && error[0] != '\0')
        ui_wrap(&l, error, u->t->cols, RED, "", 0, "", 0, 0);
    ui_lines_add(&l, "%s", "");
    room = u->t->rows - (int)l.n - 1;
    if (room < 1)
        room = 1;
    for (i = 0; i < u->n_codes; i++) {
        const ui_code *c = &u->codes[i];
        if (!code_matches(c, input))
            continue;
        matched++;
        if (shown >= room)
            continue;
        snprintf(buf, sizeof buf, "%3d  %*s%s  %s%s", i + 1, 2 * c->depth, "",
                 c->id, c->name, c->is_theme ? "  (theme)" : "");
        ui_fit(&l, buf, u->t->cols, c->is_theme ? DIM : "");
        shown++;
    }
    if (matched > shown)
        ui_lines_add(&l, DIM "  ... and %d more: type more of the name" RESET,
                  matched - shown);
    if (u->n_codes == 0)
        ui_lines_add(&l, RED "The project has no codebook yet (quarry codebook "
                          "import)." RESET);
    else if (matched == 0)
        ui_lines_add(&l, YELLOW "  no code matches" RESET);
    ui_flush(u, &l);
    ui_lines_free(&l);
}

/* The code the input names, or -1 with why set. */
static int resolve_code(ui *u, const char *input, char *why, size_t cap)
{
    int i, hit = -1, n = 0;
    why[0] = '\0';
    if (input[0] == '\0') {
        snprintf(why, cap, "type a code (or Esc to cancel)");
        return -1;
    }
    if (all_digits(input)) {
        long k = strtol(input, NULL, 10);
        if (k >= 1 && k <= u->n_codes)
            return (int)k - 1;
        snprintf(why, cap, "no code number %s (1..%d)", input, u->n_codes);
        return -1;
    }
    for (i = 0; i < u->n_codes; i++)
        if (strcmp(u->codes[i].id, input) == 0)
            return i;
    for (i = 0; i < u->n_codes; i++)
        if (strcasecmp(u->codes[i].id, input) == 0)
            return i;
    for (i = 0; i < u->n_codes; i++)
        if (code_matches(&u->codes[i], input)) {
            hit = i;
            n++;
        }
    if (n == 1)
        return hit;
    if (n == 0)
        snprintf(why, cap, "no code matches \"%s\"", input);
    else
        snprintf(why, cap, "%d codes match \"%s\": type more, or the number",
                 n, input);
    return -1;
}

/* Ask for a code; its index, or -1 when cancelled. */
int ui_prompt_code(ui *u, const char *title)
{
    char input[128] = "", why[256] = "";
    size_t len = 0;
    for (;;) {
        int k;
        draw_prompt(u, title, input, why);
        k = term_key(u->t);
        if (k == TERM_KEY_EOF) {
            u->quit = 1;
            return -1;
        }
        if (k == TERM_KEY_RESIZE || k == 0)
            continue;
        if (k == TERM_KEY_ESC || k == 3 || k == 7 || k == 4)
            return -1;
        if (k == TERM_KEY_ENTER) {
            int i = resolve_code(u, input, why, sizeof why);
            if (i >= 0)
                return i;
            continue;
        }
        why[0] = '\0';
        ui_edit_key(input, sizeof input, &len, k);
    }
}

/* ------------------------------------------------------------------ */
/* Decisions                                                            */

/* One decision on excerpt xid, saved at once. The excerpt stays on
 * screen after it (another code, a remove, an undo may follow) until
 * the coder moves on. */
static void decide(ui *u, const char *xid_in, quarry_verdict v,
                   const char *code_in, const char *repl_in)
{
    quarry_decision d = QUARRY_DECISION_INIT;
    /* Copies: the item's strings live only until the next call on p. */
    char *xid = strdup(xid_in);
    char *code = code_in ? strdup(code_in) : NULL;
    char *repl = repl_in ? strdup(repl_in) : NULL;
    int status;
    if (xid == NULL || code == NULL || (repl_in != NULL && repl == NULL)) {
        ui_say(u, RED, "out of memory");
        goto out;
    }
    d.excerpt = xid;
    d.verdict = v;
    d.code = code;
    d.replacement = repl;
    d.coder = u->coder;
    status = quarry_project_decide(u->p, &d, NULL);
    if (status != QUARRY_OK) {
        ui_say(u, RED, "not saved: %s", quarry_project_errmsg(u->p));
        goto out;
    }
    switch (v) {
    case QUARRY_VERDICT_ACCEPT:
        u->st->accepted++;
        ui_say(u, GREEN, "saved: %s accepted for %s · another code, or Enter "
                      "for the next excerpt", code, xid);
        break;
    case QUARRY_VERDICT_REJECT:
        u->st->rejected++;
        ui_say(u, GREEN, "saved: %s rejected for %s", code, xid);
        break;
    case QUARRY_VERDICT_REPLACE:
        u->st->replaced++;
        ui_say(u, GREEN, "saved: %s replaced with %s for %s · Enter for the "
                      "next excerpt", code, repl, xid);
        break;
    case QUARRY_VERDICT_REMOVE:
        u->st->removed++;
        ui_say(u, GREEN, "saved: your coding %s removed from %s", code, xid);
        break;
    default:
        u->st->added++;
        ui_say(u, GREEN, "saved: %s added to %s · another code, or Enter for "
                      "the next excerpt", code, xid);
        break;
    }
    ui_set_pinned(u, xid);
out:
    free(xid);
    free(code);
    free(repl);
}

int ui_edit_key(char *input, size_t cap, size_t *len, int k)
{
    if (k == TERM_KEY_BACKSPACE) { /* a whole UTF-8 character */
        while (*len > 0 && ((unsigned char)input[*len - 1] & 0xC0) == 0x80)
            (*len)--;
        if (*len > 0)
            (*len)--;
    } else if (k == 21) /* Ctrl-U: clear */
        *len = 0;
    else if (k >= 32 && k < 256 && *len + 1 < cap)
        input[(*len)++] = (char)k;
    else
        return 0;
    input[*len] = '\0';
    return 1;
}

/* j/k or the arrows scroll a line, space/b or the page keys a page:
 * 1 when k was one of them. */
int ui_scroll_key(ui *u, int k)
{
    int page = u->page > 1 ? u->page - 1 : 1;
    switch (k) {
    case 'j':
    case TERM_KEY_DOWN:
        u->scroll++;
        return 1;
    case 'k':
    case TERM_KEY_UP:
        u->scroll--;
        return 1;
    case ' ':
    case TERM_KEY_PGDN:
        u->scroll += page;
        return 1;
    case 'b':
    case TERM_KEY_PGUP:
        u->scroll -= page;
        return 1;
    default:
        return 0;
    }
}

/* Leave the excerpt on screen for the next one. One the coder has not
 * decided anything on yet stays in the queue: it is passed over for the
 * rest of the session, as a skip. */
void ui_move_on(ui *u, const quarry_review_item *it)
{
    int32_t i;
    int decided = it->n_codes > 0;
    for (i = 0; i < it->n_suggestions; i++)
        decided |= it->suggestions[i].verdict != NULL;
    if (skip_add(u, it->excerpt) != QUARRY_OK) {
        ui_say(u, RED, "out of memory");
        return;
    }
    if (decided)
        ui_say(u, "", "done with %s", it->excerpt);
    else
        ui_say(u, "", "skipped %s (for this session)", it->excerpt);
    ui_set_pinned(u, NULL);
}

/* "your acceptance of sup.peers", "your replacing a with b": the decision
 * undone, in words. */
static void undone_words(const quarry_undone *w, char *buf, size_t cap)
{
    const char *v = w->verdict ? w->verdict : "", *k = w->code ? w->code : "";
    if (strcmp(v, "replace") == 0)
        snprintf(buf, cap, "your replacing %s with %s", k,
                 w->replacement ? w->replacement : "?");
    else if (strcmp(v, "add") == 0)
        snprintf(buf, cap, "your adding %s", k);
    else if (strcmp(v, "remove") == 0)
        snprintf(buf, cap, "your removing %s", k);
    else if (strcmp(v, "settle") == 0)
        snprintf(buf, cap, "your settlement");
    else if (strcmp(v, "accept") == 0 || strcmp(v, "reject") == 0)
        snprintf(buf, cap, "your %s of %s",
                 *v == 'a' ? "acceptance" : "rejection", k);
    else
        snprintf(buf, cap, "your last decision");
}

static void undo(ui *u)
{
    quarry_undone w;
    const char *xid;
    char what[300];
    int status = quarry_project_undo_what(u->p, u->coder, &w);
    xid = w.excerpt;
    if (status != QUARRY_OK) {
        ui_say(u, RED, "cannot undo: %s", quarry_project_errmsg(u->p));
        return;
    }
    if (xid == NULL) {
        ui_say(u, YELLOW, "nothing to undo: %s has no decision", u->coder);
        return;
    }
    u->st->undone++;
    skip_remove(u, xid);
    ui_set_pinned(u, xid);
    undone_words(&w, what, sizeof what);
    ui_say(u, GREEN, "undone: %s on %s", what, xid);
}

/* The next key after a prefix key (R, x, d): a digit 1-9 as its index
 * (0-8), else -1 (and quit set at the end of input). */
static int number_key(ui *u, const quarry_review_item *it, const char *ask)
{
    int k;
    ui_say(u, YELLOW, "%s", ask);
    draw_item(u, it);
    do
        k = term_key(u->t);
    while (k == TERM_KEY_RESIZE || k == 0);
    u->msg[0] = '\0';
    if (k == TERM_KEY_EOF) {
        u->quit = 1;
        return -1;
    }
    return k >= '1' && k <= '9' ? k - '1' : -1;
}

/* Ask for a code for xid and take the decision with it: add, or replace
 * the suggestion of code replaced. */
static void with_prompt(ui *u, const char *xid_in, quarry_verdict v,
                        const char *title, const char *replaced)
{
    /* The prompt redraws; keep what the decision needs. */
    char *xid = strdup(xid_in);
    char *code = replaced ? strdup(replaced) : NULL;
    int chosen;
    if (xid == NULL || (replaced != NULL && code == NULL)) {
        ui_say(u, RED, "out of memory");
        goto out;
    }
    chosen = ui_prompt_code(u, title);
    if (chosen < 0)
        ui_say(u, YELLOW, "%s cancelled",
            v == QUARRY_VERDICT_REPLACE ? "replace" : "add");
    else if (v == QUARRY_VERDICT_REPLACE)
        decide(u, xid, v, code, u->codes[chosen].id);
    else
        decide(u, xid, v, u->codes[chosen].id, NULL);
out:
    free(xid);
    free(code);
}

/* A key on an item's screen. */
static void item_key(ui *u, const quarry_review_item *it, int k)
{
    int top = top_undecided(it);
    char title[512];
    int i;
    u->msg[0] = '\0';
    switch (k) {
    case 'a':
    case 'r':
        if (top < 0) {
            ui_say(u, YELLOW, "no undecided suggestion here (n adds a code, "
                           "Enter goes on)");
            return;
        }
        decide(u, it->excerpt,
               k == 'a' ? QUARRY_VERDICT_ACCEPT : QUARRY_VERDICT_REJECT,
               it->suggestions[top].code, NULL);
        return;
    case 'R':
        i = number_key(u, it, "reject which suggestion? press its number");
        if (u->quit)
            return;
        if (i >= 0 && i < it->n_suggestions)
            decide(u, it->excerpt, QUARRY_VERDICT_REJECT,
                   it->suggestions[i].code, NULL);
        else
            ui_say(u, YELLOW, "reject cancelled");
        return;
    case 'x':
        if (it->n_codes == 0) {
            ui_say(u, YELLOW, "you have no coding on this excerpt to remove");
            return;
        }
        i = number_key(u, it,
                       "remove which of your codes? press its number in "
                       "\"Your codes\"");
        if (u->quit)
            return;
        if (i >= 0 && i < it->n_codes)
            decide(u, it->excerpt, QUARRY_VERDICT_REMOVE, it->codes[i],
                   NULL);
        else
            ui_say(u, YELLOW, "remove cancelled");
        return;
    case 'd':
        if (it->n_suggestions == 0) {
            ui_say(u, YELLOW, "no suggestion to explain");
            return;
        }
        i = it->n_suggestions == 1
                ? 0
                : number_key(u, it, "which code's definition? press its "
                                    "suggestion number");
        if (u->quit)
            return;
        if (i < 0 || i >= it->n_suggestions) {
            ui_say(u, YELLOW, "no such suggestion");
            return;
        }
        draw_detail(u, it, i);
        do
            k = term_key(u->t);
        while (k == TERM_KEY_RESIZE);
        if (k == TERM_KEY_EOF)
            u->quit = 1;
        return;
    case 'c':
        if (top < 0) {
            ui_say(u, YELLOW, "no undecided suggestion to replace (n adds a "
                           "code)");
            return;
        }
        snprintf(title, sizeof title, "Replace %s (%s) on %s with:",
                 it->suggestions[top].code,
                 it->suggestions[top].name ? it->suggestions[top].name : "",
                 it->excerpt);
        with_prompt(u, it->excerpt, QUARRY_VERDICT_REPLACE, title,
                    it->suggestions[top].code);
        return;
    case 'm':
        memo_key(u, it->excerpt);
        return;
    case 'n':
        snprintf(title, sizeof title, "Add a code to %s:", it->excerpt);
        with_prompt(u, it->excerpt, QUARRY_VERDICT_ADD, title, NULL);
        return;
    case 's':
    case TERM_KEY_ENTER:
    case TERM_KEY_RIGHT:
        ui_move_on(u, it);
        return;
    default:
        break;
    }
    if (ui_scroll_key(u, k))
        return;
    if (k >= '1' && k <= '9') {
        i = k - '1';
        if (i >= it->n_suggestions) {
            ui_say(u, YELLOW, "there is no suggestion %c", k);
            return;
        }
        decide(u, it->excerpt, QUARRY_VERDICT_ACCEPT, it->suggestions[i].code,
               NULL);
        return;
    }
    if (k >= 32 && k < 127)
        ui_say(u, YELLOW, "\"%c\" does nothing here: ? lists the keys", k);
}

int review_interactive(quarry_project *p, const char *project_path,
                       const char *coder, int settling, int blind,
                       review_term *t, review_stats *st, const char **why)
{
    ui u;
    int status;
    const char *slash = strrchr(project_path, '/');
    memset(&u, 0, sizeof u);
    u.p = p;
    u.project_name = slash ? slash + 1 : project_path;
    u.coder = coder;
    u.t = t;
    u.st = st;
    u.settling = settling;
    u.blind = blind;
    *why = NULL;
    status = load_codes(&u);
    if (status == QUARRY_OK)
        status = load_notes(&u);
    if (status == QUARRY_OK)
        status = load_codings(&u);
    if (status != QUARRY_OK) {
        *why = quarry_project_errmsg(p);
        ui_free(&u);
        return status;
    }
    if (term_start(t) != 0) {
        *why = "cannot set the terminal to raw mode";
        ui_free(&u);
        return QUARRY_EIO;
    }
    while (!u.quit) {
        const quarry_review_item *it = NULL;
        int k;
        status = current_item(&u, &it);
        if (status != QUARRY_OK) {
            *why = quarry_project_errmsg(p);
            break;
        }
        if (it != NULL)
            draw_item(&u, it);
        else
            draw_empty(&u);
        k = term_key(t);
        if (k == TERM_KEY_RESIZE || k == 0)
            continue;
        if (k == TERM_KEY_EOF || k == 'q' || k == 3 || k == 4) {
            break;
        }
        if (k == '?') {
            draw_help(&u);
            do
                k = term_key(t);
            while (k == TERM_KEY_RESIZE);
            if (k == TERM_KEY_EOF)
                break;
            continue;
        }
        if (k == 'u') {
            undo(&u);
            continue;
        }
        if (it == NULL) {
            if (k == 's' && u.progress.remaining > 0) {
                skip_clear(&u);
                u.msg[0] = '\0';
            }
            continue;
        }
        if (u.settling)
            settle_key(&u, it, k);
        else
            item_key(&u, it, k);
    }
    term_stop(t);
    if (status == QUARRY_OK) {
        /* Where the coder stands now, for the summary. */
        const quarry_review_item *it = NULL;
        if (quarry_project_review_next_skipping(p, coder, NULL, 0, &it,
                                                &u.progress) == QUARRY_OK) {
            st->remaining = u.progress.remaining;
            st->total = u.progress.total;
        }
    }
    ui_free(&u);
    return status;
}
