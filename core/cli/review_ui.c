/*
 * review_ui.c -- the interactive screen of `quarry review` (review_ui.h).
 *
 * The screen is rebuilt whole after every key: a list of lines, each
 * already wrapped to the terminal's width, written in one go. When the
 * lines do not fit the height, the context turns shrink first, then the
 * evidence lines go, then the context, then the excerpt is cut.
 *
 * Which excerpt shows: the one the coder is on while it still has an
 * undecided suggestion and no code from this coder (so a reject leaves
 * the other suggestions on screen), the one an undo was about, else the
 * first excerpt of the queue that was not skipped in this session.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "review_ui.h"

/* ------------------------------------------------------------------ */
/* Lines                                                                */

typedef struct lines {
    char **v;
    size_t n, cap;
    int oom;
} lines;

static void lines_free(lines *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void lines_add(lines *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void lines_add(lines *l, const char *fmt, ...)
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
static size_t cp_count(const char *s, size_t len)
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
static void wrap(lines *l, const char *text, int width, const char *style,
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
        lines_add(&tmp, "%s", line);                                        \
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
            wv = cp_count(w, wb);
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
        lines_add(l, "%s%s%s%s", style, i == 0 ? first : rest, tmp.v[i],
                  style[0] ? "\033[0m" : "");
    l->oom |= tmp.oom;
    lines_free(&tmp);
    free(line);
    free(s);
}

/* One line as it is (spaces kept), cut to width columns. */
static void fit(lines *l, const char *text, int width, const char *style)
{
    char *s = sanitize(text);
    size_t b;
    if (s == NULL) {
        l->oom = 1;
        return;
    }
    b = cp_bytes(s, strlen(s), width > 0 ? (size_t)width : 1);
    s[b] = '\0';
    lines_add(l, "%s%s%s", style, s, style[0] ? "\033[0m" : "");
    free(s);
}

/* ------------------------------------------------------------------ */
/* Session state                                                        */

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

typedef struct ui_code {
    char *id, *name;
    int depth, is_theme;
} ui_code;

typedef struct ui {
    quarry_project *p;
    const char *project_name;
    const char *coder;
    review_term *t;
    review_stats *st;
    ui_code *codes;
    int n_codes;
    char **skip;
    size_t n_skip, cap_skip;
    char *pinned; /* the excerpt to show instead of the queue's first */
    char msg[1200];
    const char *msg_style;
    quarry_review_progress progress;
    int quit;
} ui;

static void say(ui *u, const char *style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(ui *u, const char *style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_style = style;
}

static void set_pinned(ui *u, const char *xid)
{
    free(u->pinned);
    u->pinned = xid ? strdup(xid) : NULL;
}

static int skip_add(ui *u, const char *xid)
{
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

static void ui_free(ui *u)
{
    int i;
    for (i = 0; i < u->n_codes; i++) {
        free(u->codes[i].id);
        free(u->codes[i].name);
    }
    free(u->codes);
    skip_clear(u);
    free(u->skip);
    free(u->pinned);
}

/* The item still wants a decision from this coder. */
static int item_open(const quarry_review_item *it)
{
    int32_t i;
    if (it == NULL || it->n_codes > 0)
        return 0;
    for (i = 0; i < it->n_suggestions; i++)
        if (it->suggestions[i].verdict == NULL)
            return 1;
    return 0;
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

static void flush_screen(ui *u, lines *l)
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
    lines_add(l, DIM "%s" RESET, s);
    free(s);
}

static void header(ui *u, lines *l)
{
    char left[512], right[256];
    const quarry_review_progress *g = &u->progress;
    int64_t done = g->total - g->remaining;
    snprintf(left, sizeof left, "quarry review · %s · coder %s",
             u->project_name, u->coder);
    if (g->remaining > 0)
        snprintf(right, sizeof right,
                 "excerpt %lld of %lld · %lld remaining%s",
                 (long long)(done + 1 > g->total ? g->total : done + 1),
                 (long long)g->total, (long long)g->remaining,
                 g->skipped ? " · some skipped" : "");
    else
        snprintf(right, sizeof right, "%lld of %lld decided",
                 (long long)done, (long long)g->total);
    wrap(l, left, u->t->cols, BOLD, "", 0, "", 0, 2);
    wrap(l, right, u->t->cols, CYAN, "", 0, "", 0, 2);
    rule(u, l);
}

static void footer(ui *u, lines *l, const char *keys)
{
    rule(u, l);
    wrap(l, keys, u->t->cols, DIM, "", 0, "", 0, 3);
    if (u->msg[0] != '\0')
        wrap(l, u->msg, u->t->cols, u->msg_style ? u->msg_style : "", "", 0,
             "", 0, 3);
}

static const char KEYS[] =
    "a accept · 1-9 accept # · r reject · R# reject # · c replace · "
    "n add code · s skip · u undo · ? help · q quit";

/* "terms: a, b  neighbours: x, y" from the evidence JSON. */
static void evidence_text(const char *evidence, char *out, size_t cap)
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
            if (term == NULL || i >= 6 || used >= cap)
                continue;
            used += (size_t)snprintf(out + used, cap - used, "%s %s",
                                     i ? "," : "", term);
        }
    }
    if (json_is_array(nb) && json_array_size(nb) > 0 && used < cap) {
        used += (size_t)snprintf(out + used, cap - used, "%sneighbours:",
                                 used ? " · " : "");
        json_array_foreach(nb, i, v)
        {
            char num[32];
            const char *id = json_string_value(v);
            if (id == NULL && json_is_integer(v)) {
                snprintf(num, sizeof num, "%lld",
                         (long long)json_integer_value(v));
                id = num;
            }
            if (id == NULL && json_is_object(v))
                id = json_string_value(json_object_get(v, "id"));
            if (id == NULL || i >= 4 || used >= cap)
                continue;
            used += (size_t)snprintf(out + used, cap - used, "%s %s",
                                     i ? "," : "", id);
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

static void draw_item(ui *u, const quarry_review_item *it)
{
    int level;
    for (level = 0; level < 5; level++) {
        lines l = {0};
        char buf[2048];
        int32_t i;
        int context = level == 0 ? 3 : level <= 2 ? 1 : 0;
        int evidence = level < 2;
        int cut = level >= 4 ? u->t->rows / 3 : 0;
        const char *sp = it->speaker ? it->speaker : "";

        header(u, &l);
        snprintf(buf, sizeof buf, "excerpt %s · source %s%s%s", it->excerpt,
                 it->source ? it->source : "?", it->speaker ? " · speaker " : "",
                 sp);
        if (it->line > 0)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
                     " · line %lld", (long long)it->line);
        wrap(&l, buf, u->t->cols, BOLD, "", 0, "  ", 2, 0);
        attributes_text(it->attributes, buf, sizeof buf);
        if (buf[0] != '\0')
            wrap(&l, buf, u->t->cols, "", "", 0, "  ", 2, 0);
        lines_add(&l, "%s", "");
        if (context > 0 && it->before != NULL) {
            snprintf(buf, sizeof buf, "  %s (before): ",
                     it->before_speaker ? it->before_speaker : "");
            wrap(&l, it->before, u->t->cols, DIM, buf,
                 (int)cp_count(buf, strlen(buf)), "    ", 4, context);
        }
        snprintf(buf, sizeof buf, "> %s%s", sp, sp[0] ? ": " : "");
        wrap(&l, it->text, u->t->cols, BOLD, buf,
             (int)cp_count(buf, strlen(buf)), "  ", 2, cut);
        if (context > 0 && it->after != NULL) {
            snprintf(buf, sizeof buf, "  %s (after): ",
                     it->after_speaker ? it->after_speaker : "");
            wrap(&l, it->after, u->t->cols, DIM, buf,
                 (int)cp_count(buf, strlen(buf)), "    ", 4, context);
        }
        lines_add(&l, "%s", "");
        if (it->abstain)
            lines_add(&l, YELLOW "The engine abstained (not confident); "
                              "its candidates:" RESET);
        else
            lines_add(&l, BOLD "Suggestions" RESET " (run %lld):",
                      (long long)it->run);
        for (i = 0; i < it->n_suggestions; i++) {
            const quarry_review_suggestion *g = &it->suggestions[i];
            const char *v = g->verdict;
            char mark[64] = "";
            if (v != NULL)
                snprintf(mark, sizeof mark, "  [%s%s]", v,
                         strcmp(v, "accept") == 0    ? "ed"
                         : strcmp(v, "replace") == 0 ? "d"
                                                     : "ed");
            snprintf(buf, sizeof buf,
                     "%2d. %s · %s · confidence %.2f · score %.3f%s",
                     (int)i + 1, g->code ? g->code : "?",
                     g->name ? g->name : "", g->confidence, g->score, mark);
            wrap(&l, buf, u->t->cols,
                 v == NULL ? "" : strcmp(v, "accept") == 0 ? GREEN : DIM, "",
                 0, "      ", 6, 2);
            if (evidence) {
                evidence_text(g->evidence, buf, sizeof buf);
                if (buf[0] != '\0')
                    wrap(&l, buf, u->t->cols, DIM, "      ", 6, "      ", 6,
                         2);
            }
        }
        if (it->n_suggestions == 0)
            lines_add(&l, "  (none)");
        {
            size_t used = 0;
            buf[0] = '\0';
            for (i = 0; i < it->n_codes && used < sizeof buf; i++)
                used += (size_t)snprintf(buf + used, sizeof buf - used,
                                         "%s%s", i ? ", " : "",
                                         it->codes[i]);
            wrap(&l, it->n_codes > 0 ? buf : "none yet", u->t->cols,
                 it->n_codes > 0 ? GREEN : "", "Your codes: ", 12, "  ", 2,
                 2);
        }
        footer(u, &l, KEYS);
        if (l.n <= (size_t)u->t->rows || level == 4) {
            flush_screen(u, &l);
            lines_free(&l);
            return;
        }
        lines_free(&l);
    }
}

static void draw_empty(ui *u)
{
    lines l = {0};
    char buf[512];
    int64_t made = u->st->accepted + u->st->rejected + u->st->replaced +
                   u->st->added;
    header(u, &l);
    lines_add(&l, "%s", "");
    if (u->progress.remaining > 0) {
        snprintf(buf, sizeof buf,
                 "Every excerpt left (%lld) was skipped in this session. "
                 "Press s to go through them again.",
                 (long long)u->progress.remaining);
    } else {
        snprintf(buf, sizeof buf,
                 "The queue is empty: %s has decided every excerpt of the "
                 "latest suggestions.",
                 u->coder);
    }
    wrap(&l, buf, u->t->cols, BOLD, "", 0, "", 0, 0);
    snprintf(buf, sizeof buf, "%lld decision%s made in this session%s.",
             (long long)made, made == 1 ? "" : "s",
             u->st->undone ? " (after undos)" : "");
    wrap(&l, buf, u->t->cols, "", "", 0, "", 0, 0);
    footer(u, &l,
           u->progress.remaining > 0 ? "s go through the skipped · u undo · "
                                       "? help · q quit"
                                     : "u undo · ? help · q quit");
    flush_screen(u, &l);
    lines_free(&l);
}

static const char *const HELP[] = {
    "Keys",
    "",
    "  a       accept the top undecided suggestion (it becomes your coding)",
    "  1-9     accept suggestion number 1-9",
    "  r       reject the top undecided suggestion",
    "  R then 1-9   reject suggestion number 1-9",
    "  c       replace: reject the top undecided suggestion and code the",
    "          excerpt with another code (a prompt lists the codes)",
    "  n       add a code nobody suggested (the same prompt)",
    "  s       skip this excerpt for now (this session only)",
    "  u       undo your last decision and show that excerpt again",
    "  ?       this help",
    "  q       quit (every decision is already saved)",
    "",
    "In the code prompt: type part of a code's id or name, or its number;",
    "Enter takes it, Backspace deletes, Esc cancels.",
    "",
    "Every decision is saved the moment you make it, with your name and",
    "the time. Accepted and replaced codes teach the next `quarry suggest`;",
    "rejected ones push their code away from the excerpt.",
    "",
    "Press any key to go back.",
};

static void draw_help(ui *u)
{
    lines l = {0};
    size_t i;
    header(u, &l);
    for (i = 0; i < sizeof HELP / sizeof *HELP; i++)
        fit(&l, HELP[i], u->t->cols, i == 0 ? BOLD : "");
    flush_screen(u, &l);
    lines_free(&l);
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
    wrap(&l, title, u->t->cols, BOLD, "", 0, "", 0, 0);
    wrap(&l, "Type part of a code's id or name, or its number; Enter takes "
             "it, Esc cancels.",
         u->t->cols, DIM, "", 0, "", 0, 0);
    lines_add(&l, "%s", "");
    snprintf(buf, sizeof buf, "code: %s_", input);
    wrap(&l, buf, u->t->cols, "", "", 0, "", 0, 0);
    if (error != NULL && error[0] != '\0')
        wrap(&l, error, u->t->cols, RED, "", 0, "", 0, 0);
    lines_add(&l, "%s", "");
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
        fit(&l, buf, u->t->cols, c->is_theme ? DIM : "");
        shown++;
    }
    if (matched > shown)
        lines_add(&l, DIM "  ... and %d more: type more of the name" RESET,
                  matched - shown);
    if (u->n_codes == 0)
        lines_add(&l, RED "The project has no codebook yet (quarry codebook "
                          "import)." RESET);
    else if (matched == 0)
        lines_add(&l, YELLOW "  no code matches" RESET);
    flush_screen(u, &l);
    lines_free(&l);
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
static int prompt_code(ui *u, const char *title)
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
        if (k == TERM_KEY_BACKSPACE) {
            while (len > 0 && ((unsigned char)input[len - 1] & 0xC0) == 0x80)
                len--;
            if (len > 0)
                len--;
            input[len] = '\0';
            continue;
        }
        if (k == 21) { /* Ctrl-U: clear */
            len = 0;
            input[0] = '\0';
            continue;
        }
        if (k >= 32 && len + 1 < sizeof input) {
            input[len++] = (char)k;
            input[len] = '\0';
        }
    }
}

/* ------------------------------------------------------------------ */
/* Decisions                                                            */

/* After a decision on xid: stay on it while it still wants one. */
static void follow(ui *u, const char *xid)
{
    const quarry_review_item *it = NULL;
    if (quarry_project_review_item(u->p, u->coder, xid, &it) == QUARRY_OK &&
        item_open(it))
        set_pinned(u, xid);
    else
        set_pinned(u, NULL);
}

static void decide(ui *u, const quarry_review_item *it, quarry_verdict v,
                   int suggestion, int replacement)
{
    quarry_decision d = QUARRY_DECISION_INIT;
    char *xid = strdup(it->excerpt);
    char *code = NULL, *repl = NULL;
    int status;
    if (v == QUARRY_VERDICT_REPLACE && suggestion < 0) {
        say(u, YELLOW, "no undecided suggestion to replace");
        goto out;
    }
    if (suggestion >= 0)
        code = strdup(it->suggestions[suggestion].code);
    else if (replacement >= 0)
        code = strdup(u->codes[replacement].id);
    if (v == QUARRY_VERDICT_REPLACE && replacement >= 0)
        repl = strdup(u->codes[replacement].id);
    if (xid == NULL || code == NULL ||
        (v == QUARRY_VERDICT_REPLACE && repl == NULL)) {
        say(u, RED, "out of memory");
        goto out;
    }
    d.excerpt = xid;
    d.verdict = v;
    d.code = code;
    d.replacement = repl;
    d.coder = u->coder;
    status = quarry_project_decide(u->p, &d, NULL);
    if (status != QUARRY_OK) {
        say(u, RED, "not saved: %s", quarry_project_errmsg(u->p));
        goto out;
    }
    switch (v) {
    case QUARRY_VERDICT_ACCEPT:
        u->st->accepted++;
        say(u, GREEN, "saved: %s accepted for %s", code, xid);
        break;
    case QUARRY_VERDICT_REJECT:
        u->st->rejected++;
        say(u, GREEN, "saved: %s rejected for %s", code, xid);
        break;
    case QUARRY_VERDICT_REPLACE:
        u->st->replaced++;
        say(u, GREEN, "saved: %s replaced with %s for %s", code, repl, xid);
        break;
    default:
        u->st->added++;
        say(u, GREEN, "saved: %s added to %s", code, xid);
        break;
    }
    follow(u, xid);
out:
    free(xid);
    free(code);
    free(repl);
}

static void undo(ui *u)
{
    const char *xid = NULL;
    int status = quarry_project_undo(u->p, u->coder, &xid);
    if (status != QUARRY_OK) {
        say(u, RED, "cannot undo: %s", quarry_project_errmsg(u->p));
        return;
    }
    if (xid == NULL) {
        say(u, YELLOW, "nothing to undo: %s has no decision", u->coder);
        return;
    }
    u->st->undone++;
    skip_remove(u, xid);
    set_pinned(u, xid);
    say(u, GREEN, "undone: your last decision on %s", xid);
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
            say(u, YELLOW, "no undecided suggestion here (n adds a code)");
            return;
        }
        decide(u, it, k == 'a' ? QUARRY_VERDICT_ACCEPT : QUARRY_VERDICT_REJECT,
               top, -1);
        return;
    case 'R':
        say(u, YELLOW, "reject which suggestion? press its number");
        draw_item(u, it);
        do
            k = term_key(u->t);
        while (k == TERM_KEY_RESIZE || k == 0);
        if (k == TERM_KEY_EOF) {
            u->quit = 1;
            return;
        }
        u->msg[0] = '\0';
        if (k >= '1' && k <= '9' && k - '1' < it->n_suggestions) {
            decide(u, it, QUARRY_VERDICT_REJECT, k - '1', -1);
            return;
        }
        say(u, YELLOW, "reject cancelled");
        return;
    case 'c':
        if (top < 0) {
            say(u, YELLOW, "no undecided suggestion to replace (n adds a "
                           "code)");
            return;
        }
        snprintf(title, sizeof title, "Replace %s (%s) on %s with:",
                 it->suggestions[top].code,
                 it->suggestions[top].name ? it->suggestions[top].name : "",
                 it->excerpt);
        {
            /* The prompt redraws; keep what the decision needs. */
            char *xid = strdup(it->excerpt);
            int chosen = prompt_code(u, title);
            const quarry_review_item *again = NULL;
            if (xid == NULL)
                return;
            if (chosen >= 0 &&
                quarry_project_review_item(u->p, u->coder, xid, &again) ==
                    QUARRY_OK &&
                again != NULL)
                decide(u, again, QUARRY_VERDICT_REPLACE, top_undecided(again),
                       chosen);
            else if (chosen < 0)
                say(u, YELLOW, "replace cancelled");
            free(xid);
        }
        return;
    case 'n':
        snprintf(title, sizeof title, "Add a code to %s:", it->excerpt);
        {
            char *xid = strdup(it->excerpt);
            int chosen = prompt_code(u, title);
            const quarry_review_item *again = NULL;
            if (xid == NULL)
                return;
            if (chosen >= 0 &&
                quarry_project_review_item(u->p, u->coder, xid, &again) ==
                    QUARRY_OK &&
                again != NULL)
                decide(u, again, QUARRY_VERDICT_ADD, -1, chosen);
            else if (chosen < 0)
                say(u, YELLOW, "add cancelled");
            free(xid);
        }
        return;
    case 's':
        if (skip_add(u, it->excerpt) != QUARRY_OK) {
            say(u, RED, "out of memory");
            return;
        }
        say(u, "", "skipped %s (for this session)", it->excerpt);
        set_pinned(u, NULL);
        return;
    default:
        break;
    }
    if (k >= '1' && k <= '9') {
        i = k - '1';
        if (i >= it->n_suggestions) {
            say(u, YELLOW, "there is no suggestion %c", k);
            return;
        }
        decide(u, it, QUARRY_VERDICT_ACCEPT, i, -1);
        return;
    }
    if (k >= 32 && k < 127)
        say(u, YELLOW, "\"%c\" does nothing here: ? lists the keys", k);
}

int review_interactive(quarry_project *p, const char *project_path,
                       const char *coder, review_term *t, review_stats *st,
                       const char **why)
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
    *why = NULL;
    status = load_codes(&u);
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
