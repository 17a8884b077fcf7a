/*
 * refi_read_pos.c -- reading endPosition the way the file meant it.
 *
 * Writers disagree on whether endPosition is the last character or one
 * past it, and ATLAS.ti counts a CR LF line break as one character where
 * the standard counts two. Most writers quote the selected text in @name,
 * so every selection votes for the readings its quote matches best; the
 * majority decides. When the quotes do not decide (the names are not the
 * quoted text, or as many go each way), the layout of the selections
 * votes: neighbours that would overlap by one character or leave one
 * letter out between them, ends that would fall on the first character
 * of the next line or inside a word, a selection that would be empty or
 * run past the end. Only when that does not decide either is the
 * standard's (inclusive) reading taken, and the notice says so. The
 * options override all of it.
 * The model then holds every selection in code points of the exact text
 * (CR LF as two) with an exclusive end, and in bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "refi_read.h"
#include "refi_trip.h"
#include "utf8.h"

/* A text as tools quote it in @name, for comparison: a line break (CRLF,
 * CR or LF) and a tab become one space, since attribute normalisation
 * does that to an unescaped one; with loose set, runs of white space are
 * one space and the ends are trimmed too (some writers trim). */
static char *squeeze(const char *s, size_t len, int loose)
{
    char *out = malloc(len + 1);
    size_t i, o = 0;
    int space = 0;
    if (out == NULL)
        return NULL;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
            i++;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!loose)
                out[o++] = ' ';
            else
                space = 1;
            continue;
        }
        if (space && o > 0)
            out[o++] = ' ';
        space = 0;
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* Does @name quote text[b0..b1)? 2 exactly, 1 loosely, 0 not; -1 when
 * out of memory. */
static int quotes(const char *name, const char *text, size_t b0, size_t b1)
{
    int k, rc = 0;
    for (k = 0; k < 2 && rc == 0; k++) {
        char *a = squeeze(name, strlen(name), k);
        char *b = squeeze(text + b0, b1 - b0, k);
        if (a == NULL || b == NULL)
            rc = -1;
        else if (strcmp(a, b) == 0)
            rc = 2 - k;
        free(a);
        free(b);
    }
    return rc;
}

/* How well @name quotes one reading of a selection: q[crlf][inclusive]
 * (0 no, 1 loosely, 2 exactly); -1 when out of memory. */
static int rate(const refi_selection *s, const refi_cpmap *mp, int q[2])
{
    size_t b0, b1, b2;
    q[0] = q[1] = 0;
    if (s->start > s->end || s->end > mp->n_cp)
        return 0;
    b0 = refi_cpmap_byte(mp, s->start);
    b1 = refi_cpmap_byte(mp, s->end);
    q[0] = quotes(s->name, mp->text, b0, b1);
    if (s->end < mp->n_cp) {
        b2 = refi_cpmap_byte(mp, s->end + 1);
        q[1] = quotes(s->name, mp->text, b0, b2);
    }
    return q[0] < 0 || q[1] < 0 ? -1 : 0;
}

/* The code point at index i of a map, -1 outside the text. */
static int32_t cp_at(const refi_cpmap *mp, int64_t i)
{
    size_t b;
    int32_t cp = -1;
    if (i < 0 || i >= mp->n_cp)
        return -1;
    b = refi_cpmap_byte(mp, i);
    quarry_utf8_decode(mp->text + b, mp->len - b, &cp);
    return cp;
}

static int is_break(int32_t cp)
{
    return cp == '\n' || cp == '\r';
}

static int is_word(int32_t cp)
{
    return cp > 0 && (quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp));
}

/* Does a selection of the text ending before index x cut a word? */
static int cuts_word(const refi_cpmap *mp, int64_t x)
{
    return x > 0 && is_word(cp_at(mp, x - 1)) && is_word(cp_at(mp, x));
}

typedef struct span {
    int32_t source;
    int64_t start, end;
} span;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return refi_place_cmp(x->source, x->start, x->end, y->source, y->start,
                          y->end);
}

/* What the layout of the selections says about endPosition (the file's
 * numbers E, read either as the last character or one past it): votes
 * into *in and *ex. */
static int layout_votes(reader *r, refi_cpmap *const *maps, int64_t *in,
                        int64_t *ex)
{
    refi_model *m = r->m;
    span *sp;
    int32_t i, n = 0;
    *in = *ex = 0;
    if (m->n_selections == 0)
        return 0;
    sp = malloc((size_t)m->n_selections * sizeof(*sp));
    if (sp == NULL)
        return rd_oom(r);
    for (i = 0; i < m->n_selections; i++) {
        const refi_selection *s = &m->selections[i];
        const refi_cpmap *mp = maps[s->source];
        int64_t e = s->end, len = mp->n_cp;
        int ex_cut, in_cut;
        if (s->start > s->end || e > len)
            continue;
        sp[n].source = s->source;
        sp[n].start = s->start;
        sp[n].end = e;
        n++;
        if (e == len) { /* inclusive would run past the end */
            (*ex)++;
            continue;
        }
        if (s->start == e) { /* exclusive would be empty */
            (*in)++;
            continue;
        }
        /* Inclusive would take the first character of the next line. */
        if (is_break(cp_at(mp, e - 1)) && !is_break(cp_at(mp, e)) &&
            !quarry_utf8_is_space(cp_at(mp, e))) {
            (*ex)++;
            continue;
        }
        /* Exclusive would end just after a line's first character. */
        if (e >= 2 && is_break(cp_at(mp, e - 2)) && is_word(cp_at(mp, e - 1))) {
            (*in)++;
            continue;
        }
        ex_cut = cuts_word(mp, e);
        in_cut = cuts_word(mp, e + 1);
        if (ex_cut && !in_cut)
            (*in)++;
        else if (in_cut && !ex_cut)
            (*ex)++;
    }
    qsort(sp, (size_t)n, sizeof(*sp), span_cmp);
    for (i = 0; i + 1 < n; i++) {
        const span *a = &sp[i], *b = &sp[i + 1];
        if (a->source != b->source || a->start == b->start)
            continue;
        if (a->end == b->start) /* inclusive: they overlap by one */
            (*ex)++;
        else if (a->end + 1 == b->start &&
                 is_word(cp_at(maps[a->source], a->end)))
            (*in)++; /* exclusive: one letter left out between them */
    }
    free(sp);
    return 0;
}

/* Read endPosition (and the counting of CR LF) the way the file's own
 * quotes say, then place every selection in code points and bytes. Each
 * selection votes for the readings its @name matches best (an exact match
 * beats one with white space squeezed); a selection that matches as well
 * either way does not vote on that question. */
int rd_infer_and_place(reader *r)
{
    refi_model *m = r->m;
    refi_cpmap *maps[2];
    char *has_crlf;
    int32_t i;
    int rc = 0, inclusive, one, c, declared_crlf = 0;
    const quarry_refi_options *o = r->o;
    maps[0] = calloc((size_t)m->n_sources + 1, sizeof(refi_cpmap));
    maps[1] = calloc((size_t)m->n_sources + 1, sizeof(refi_cpmap));
    has_crlf = calloc((size_t)m->n_sources + 1, 1);
    if (maps[0] == NULL || maps[1] == NULL || has_crlf == NULL) {
        free(maps[0]);
        free(maps[1]);
        free(has_crlf);
        return rd_oom(r);
    }
    for (i = 0; i < m->n_sources; i++) {
        const refi_source *src = &m->sources[i];
        has_crlf[i] = strstr(src->text, "\r\n") != NULL;
        if (refi_cpmap_init_crlf(&maps[0][i], src->text, src->text_len, 0) ||
            refi_cpmap_init_crlf(&maps[1][i], src->text, src->text_len,
                                 has_crlf[i])) {
            rc = rd_oom(r);
            goto out;
        }
    }
    m->votes_inclusive = m->votes_exclusive = 0;
    m->votes_crlf_one = m->votes_crlf_two = 0;
    for (i = 0; i < m->n_selections; i++) {
        const refi_selection *s = &m->selections[i];
        int q[2][2], best = 0, in = 0, ex = 0, two = 0, on = 0;
        if (s->name == NULL || s->name[0] == '\0')
            continue;
        for (c = 0; c < 2; c++)
            if (rate(s, &maps[c][s->source], q[c]) != 0) {
                rc = rd_oom(r);
                goto out;
            }
        for (c = 0; c < 4; c++)
            best = q[c / 2][c % 2] > best ? q[c / 2][c % 2] : best;
        if (best == 0)
            continue;
        for (c = 0; c < 4; c++) {
            if (q[c / 2][c % 2] != best)
                continue;
            in += c % 2 == 1;
            ex += c % 2 == 0;
            two += c / 2 == 0;
            on += c / 2 == 1;
        }
        if (in && !ex)
            m->votes_inclusive++;
        else if (ex && !in)
            m->votes_exclusive++;
        if (has_crlf[s->source] && two && !on)
            m->votes_crlf_two++;
        else if (has_crlf[s->source] && on && !two)
            m->votes_crlf_one++;
    }
    if (o->crlf == QUARRY_REFI_CRLF_ONE)
        one = 1;
    else if (o->crlf == QUARRY_REFI_CRLF_TWO)
        one = 0;
    else if (refi_trip_crlf(m, &one))
        declared_crlf = 1; /* quarry wrote it and says how */
    else if (m->votes_crlf_one != m->votes_crlf_two)
        one = m->votes_crlf_one > m->votes_crlf_two;
    else /* QualCoder's rule: ATLAS.ti counts a CR LF as one */
        one = m->origin != NULL && strstr(m->origin, "ATLAS") != NULL;
    m->crlf_one = one;
    {
        refi_cpmap **by_src = malloc(((size_t)m->n_sources + 1) *
                                     sizeof(*by_src));
        if (by_src == NULL) {
            rc = rd_oom(r);
            goto out;
        }
        for (i = 0; i < m->n_sources; i++)
            by_src[i] = &maps[one][i];
        rc = layout_votes(r, by_src, &m->layout_inclusive,
                          &m->layout_exclusive);
        free(by_src);
        if (rc != 0)
            goto out;
    }
    if (o->end != QUARRY_REFI_END_AUTO) {
        inclusive = o->end == QUARRY_REFI_END_INCLUSIVE;
        m->end_basis = REFI_END_BY_OPTION;
    } else if (refi_trip_end(m, &inclusive)) {
        /* quarry's own file says how it counted: nothing to guess, and
         * nothing to tell. */
        m->end_basis = REFI_END_BY_FILE;
    } else if (m->votes_exclusive != m->votes_inclusive) {
        inclusive = m->votes_inclusive > m->votes_exclusive;
        m->end_basis = REFI_END_BY_NAMES;
    } else if (m->layout_exclusive != m->layout_inclusive) {
        inclusive = m->layout_inclusive > m->layout_exclusive;
        m->end_basis = REFI_END_BY_LAYOUT;
    } else {
        inclusive = 1;
        m->end_basis = REFI_END_UNDECIDED;
    }
    m->end_inclusive = inclusive;
    if (o->end == QUARRY_REFI_END_AUTO && m->end_basis != REFI_END_BY_FILE &&
        m->n_selections > 0) {
        if (m->end_basis == REFI_END_BY_NAMES)
            refi_notice(m, "end",
                        "%s: endPosition read as %s (@name texts: %lld for "
                        "inclusive, %lld for exclusive)",
                        r->xml_name, inclusive ? "inclusive" : "exclusive",
                        (long long)m->votes_inclusive,
                        (long long)m->votes_exclusive);
        else if (m->end_basis == REFI_END_BY_LAYOUT)
            refi_notice(m, "end",
                        "%s: endPosition read as %s: the @name texts do not "
                        "decide (%lld for inclusive, %lld for exclusive), the "
                        "selections' layout does (%lld for inclusive, %lld "
                        "for exclusive: neighbours overlapping or a letter "
                        "apart, ends on a line's first character or inside a "
                        "word); --end overrides",
                        r->xml_name, inclusive ? "inclusive" : "exclusive",
                        (long long)m->votes_inclusive,
                        (long long)m->votes_exclusive,
                        (long long)m->layout_inclusive,
                        (long long)m->layout_exclusive);
        else
            refi_notice(m, "end",
                        "%s: endPosition read as inclusive (the standard's "
                        "reading) but undecided: neither the @name texts "
                        "(%lld for inclusive, %lld for exclusive) nor the "
                        "selections' layout (%lld, %lld) tell; check an "
                        "excerpt and import again with --end inclusive or "
                        "--end exclusive",
                        r->xml_name, (long long)m->votes_inclusive,
                        (long long)m->votes_exclusive,
                        (long long)m->layout_inclusive,
                        (long long)m->layout_exclusive);
    }
    if (one && !declared_crlf)
        refi_notice(m, "crlf",
                    "%s: a CR LF line break counted as one character, as "
                    "ATLAS.ti does (@name texts: %lld for one, %lld for two)",
                    r->xml_name, (long long)m->votes_crlf_one,
                    (long long)m->votes_crlf_two);
    for (i = 0; i < m->n_selections; i++) {
        refi_selection *s = &m->selections[i];
        refi_cpmap *mp = &maps[one][s->source];
        int64_t end = inclusive ? s->end + 1 : s->end;
        if (s->start > s->end) {
            rc = refi_fail(m, QUARRY_EPARSE,
                           "%s:%d: PlainTextSelection guid \"%s\": "
                           "startPosition %lld is after endPosition %lld",
                           r->xml_name, r->sel_line[i], s->guid,
                           (long long)s->start, (long long)s->end);
            goto out;
        }
        if (end > mp->n_cp) {
            rc = refi_fail(
                m, QUARRY_ERANGE,
                "%s:%d: PlainTextSelection guid \"%s\": "
                "endPosition %lld is past the end of the text of "
                "\"%s\" (%lld characters, end read as %s)",
                r->xml_name, r->sel_line[i], s->guid, (long long)s->end,
                m->sources[s->source].name ? m->sources[s->source].name
                                           : m->sources[s->source].guid,
                (long long)mp->n_cp, inclusive ? "inclusive" : "exclusive");
            goto out;
        }
        s->byte_start = refi_cpmap_byte(mp, s->start);
        s->byte_end = refi_cpmap_byte(mp, end);
        /* The model counts every code point, whatever the file did. */
        s->start = refi_cpmap_cp(&maps[0][s->source], s->byte_start);
        s->end = refi_cpmap_cp(&maps[0][s->source], s->byte_end);
    }
out:
    for (i = 0; i < m->n_sources; i++) {
        refi_cpmap_free(&maps[0][i]);
        refi_cpmap_free(&maps[1][i]);
    }
    free(maps[0]);
    free(maps[1]);
    free(has_crlf);
    return rc;
}
