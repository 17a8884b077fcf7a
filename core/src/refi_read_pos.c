/*
 * refi_read_pos.c -- reading endPosition the way the file meant it.
 *
 * Writers disagree on whether endPosition is the last character or one
 * past it, and ATLAS.ti counts a CR LF line break as one character where
 * the standard counts two. Most writers quote the selected text in @name,
 * so every selection votes for the readings its quote matches best; the
 * majority decides, ties go to the standard, and the options override.
 * The model then holds every selection in code points of the exact text
 * (CR LF as two) with an exclusive end, and in bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "refi_read.h"

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
    int rc = 0, inclusive, one, c;
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
    if (o->end == QUARRY_REFI_END_INCLUSIVE)
        inclusive = 1;
    else if (o->end == QUARRY_REFI_END_EXCLUSIVE)
        inclusive = 0;
    else
        inclusive = m->votes_exclusive > m->votes_inclusive ? 0 : 1;
    if (o->crlf == QUARRY_REFI_CRLF_ONE)
        one = 1;
    else if (o->crlf == QUARRY_REFI_CRLF_TWO)
        one = 0;
    else if (m->votes_crlf_one != m->votes_crlf_two)
        one = m->votes_crlf_one > m->votes_crlf_two;
    else /* QualCoder's rule: ATLAS.ti counts a CR LF as one */
        one = m->origin != NULL && strstr(m->origin, "ATLAS") != NULL;
    m->end_inclusive = inclusive;
    m->crlf_one = one;
    if (o->end == QUARRY_REFI_END_AUTO && m->n_selections > 0)
        refi_notice(m, "end",
                    "%s: endPosition read as %s (@name texts: %lld for "
                    "inclusive, %lld for exclusive%s)",
                    r->xml_name, inclusive ? "inclusive" : "exclusive",
                    (long long)m->votes_inclusive,
                    (long long)m->votes_exclusive,
                    m->votes_inclusive == m->votes_exclusive
                        ? "; the standard's reading on a tie"
                        : "");
    if (one)
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
