/*
 * refi_rest.c -- the uncoded rest of a REFI-QDA text source as excerpts
 * (refi_rest.h).
 *
 * A project imported from NVivo, ATLAS.ti or MAXQDA holds only the coded
 * selections; suggest needs the text nobody coded yet. The whole source
 * is cut by the transcript reader quarry already has (turns, paragraphs,
 * sentences: the same rules as `quarry import` of a .txt), and each
 * segment loses the bytes a selection covers, so a coded selection stays
 * exactly as the other tool drew it and no excerpt of the rest overlaps
 * it. Cutting the whole text, not each gap, keeps the speaker of a turn
 * whose start lies inside a selection.
 */
#include <stdlib.h>
#include <string.h>

#include "refi_rest.h"
#include "utf8.h"

static int cover_cmp(const void *a, const void *b)
{
    const refi_cover *x = a, *y = b;
    if (x->b0 != y->b0)
        return x->b0 < y->b0 ? -1 : 1;
    return x->b1 < y->b1 ? -1 : x->b1 > y->b1;
}

/* Sorted, merged copy of the covers; *n updated. NULL when out of memory
 * (or when there are none: *n is then 0). */
static refi_cover *merge_covers(const refi_cover *c, int32_t *n)
{
    refi_cover *m;
    int32_t i, k = 0;
    if (*n == 0)
        return NULL;
    m = malloc((size_t)*n * sizeof(*m));
    if (m == NULL)
        return NULL;
    memcpy(m, c, (size_t)*n * sizeof(*m));
    qsort(m, (size_t)*n, sizeof(*m), cover_cmp);
    for (i = 1; i < *n; i++) {
        if (m[i].b0 <= m[k].b1) {
            if (m[i].b1 > m[k].b1)
                m[k].b1 = m[i].b1;
        } else {
            m[++k] = m[i];
        }
    }
    *n = k + 1;
    return m;
}

/* Does text[a..b) hold a letter or a digit? */
static int has_word(const char *text, size_t a, size_t b)
{
    while (a < b) {
        int32_t cp;
        size_t k = quarry_utf8_decode(text + a, b - a, &cp);
        if (k == 0)
            return 0;
        if (quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp))
            return 1;
        a += k;
    }
    return 0;
}

typedef struct cutter {
    const char *text;
    refi_piece *out;
    int32_t n, cap;
    /* Code points and lines counted so far, up to byte pos. */
    size_t pos;
    int64_t cp, line;
} cutter;

/* Walk the counters forward to byte b (pieces come in text order). */
static void advance(cutter *c, size_t b)
{
    for (; c->pos < b; c->pos++) {
        unsigned char ch = (unsigned char)c->text[c->pos];
        c->cp += (ch & 0xC0) != 0x80;
        c->line += ch == '\n';
    }
}

static int add_piece(cutter *c, size_t a, size_t b, const char *speaker)
{
    refi_piece *p;
    a += quarry_utf8_space_prefix(c->text + a, b - a);
    b -= quarry_utf8_space_suffix(c->text + a, b - a);
    if (a >= b || !has_word(c->text, a, b))
        return QUARRY_OK;
    if (c->n == c->cap) {
        int32_t cap = c->cap ? 2 * c->cap : 64;
        refi_piece *g = realloc(c->out, (size_t)cap * sizeof(*g));
        if (g == NULL)
            return QUARRY_ENOMEM;
        c->out = g;
        c->cap = cap;
    }
    p = &c->out[c->n];
    memset(p, 0, sizeof(*p));
    if (speaker != NULL && (p->speaker = strdup(speaker)) == NULL)
        return QUARRY_ENOMEM;
    c->n++;
    p->b0 = a;
    p->b1 = b;
    advance(c, a);
    p->start = c->cp;
    p->line = c->line;
    advance(c, b);
    p->end = c->cp;
    return QUARRY_OK;
}

/* Read text as a transcript cut by seg (a quarry_segment). */
static int read_segments(const char *text, size_t len, const char *name,
                         quarry_segment seg, quarry_corpus **out, char *err,
                         size_t errcap)
{
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    int status;
    ro.format = QUARRY_FORMAT_TRANSCRIPT;
    ro.segment = seg;
    ro.display_name = name;
    *out = NULL;
    status = quarry_corpus_new(out);
    if (status != QUARRY_OK)
        return status;
    status = quarry_corpus_read_buffer(*out, text, len, name, &ro);
    if (status != QUARRY_OK) {
        snprintf(err, errcap, "%s", quarry_corpus_errmsg(*out));
        quarry_corpus_free(*out);
        *out = NULL;
    }
    return status;
}

int refi_rest_cut(const char *text, size_t len, const char *name,
                  const refi_cover *covers, int32_t n_covers, int segment,
                  refi_piece **out, int32_t *n_out, int *used, char *err,
                  size_t errcap)
{
    quarry_corpus *corpus = NULL;
    quarry_segment seg = QUARRY_SEGMENT_TURN;
    refi_cover *cov = NULL;
    cutter c;
    size_t i, n;
    int32_t k = 0, nc = n_covers;
    int status;
    *out = NULL;
    *n_out = 0;
    err[0] = '\0';
    if (segment == QUARRY_REFI_SEGMENT_PARAGRAPH)
        seg = QUARRY_SEGMENT_PARAGRAPH;
    else if (segment == QUARRY_REFI_SEGMENT_SENTENCE)
        seg = QUARRY_SEGMENT_SENTENCE;
    *used = segment == QUARRY_REFI_SEGMENT_AUTO ? QUARRY_REFI_SEGMENT_TURN
                                                : segment;
    if (len == 0)
        return QUARRY_OK;
    status = read_segments(text, len, name, seg, &corpus, err, errcap);
    if (status == QUARRY_OK && segment == QUARRY_REFI_SEGMENT_AUTO) {
        /* No speaker turns: a turn would be the whole text. */
        int turns = 0;
        for (i = 0; i < quarry_corpus_size(corpus) && !turns; i++)
            turns = quarry_corpus_at(corpus, i)->speaker != NULL;
        if (!turns) {
            quarry_corpus_free(corpus);
            *used = QUARRY_REFI_SEGMENT_PARAGRAPH;
            status = read_segments(text, len, name, QUARRY_SEGMENT_PARAGRAPH,
                                   &corpus, err, errcap);
        }
    }
    if (status != QUARRY_OK)
        return status;
    cov = merge_covers(covers, &nc);
    if (nc > 0 && cov == NULL) {
        quarry_corpus_free(corpus);
        return QUARRY_ENOMEM;
    }
    memset(&c, 0, sizeof(c));
    c.text = text;
    c.line = 1;
    n = quarry_corpus_size(corpus);
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        const quarry_excerpt *x = quarry_corpus_at(corpus, i);
        size_t a, b, at;
        if (x->start < 0 || x->end < x->start || (size_t)x->end > len)
            continue;
        a = (size_t)x->start;
        b = (size_t)x->end;
        /* Covers ending before the segment never matter again. */
        while (k < nc && cov[k].b1 <= a)
            k++;
        at = a;
        {
            int32_t j;
            for (j = k; j < nc && cov[j].b0 < b && status == QUARRY_OK;
                 j++) {
                if (cov[j].b0 > at)
                    status = add_piece(&c, at, cov[j].b0, x->speaker);
                if (cov[j].b1 > at)
                    at = cov[j].b1;
            }
        }
        if (status == QUARRY_OK && at < b)
            status = add_piece(&c, at, b, x->speaker);
    }
    quarry_corpus_free(corpus);
    free(cov);
    if (status != QUARRY_OK) {
        refi_pieces_free(c.out, c.n);
        return status;
    }
    *out = c.out;
    *n_out = c.n;
    return QUARRY_OK;
}

void refi_pieces_free(refi_piece *p, int32_t n)
{
    int32_t i;
    for (i = 0; p != NULL && i < n; i++)
        free(p[i].speaker);
    free(p);
}
