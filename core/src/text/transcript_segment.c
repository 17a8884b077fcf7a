/*
 * transcript_segment.c -- cutting a turn of a transcript into excerpts:
 * the whole turn, its paragraphs (runs of lines that are not blank) or its
 * sentences, each trimmed of white space, with its id, line, offsets in
 * the file and the turn's attributes (see transcript.h for the view the
 * text is cut from).
 *
 * Sentences end at '.', '!', '?' or an ellipsis (with closing quotes and
 * brackets) followed by white space, unless a lowercase word follows or a
 * '.' ends a title ("Dr."), an initial ("J.") or a dotted abbreviation
 * ("e.g.").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "transcript.h"
#include "utf8.h"

static int emit(tr_state *st, size_t s, size_t e)
{
    corpus_rec rec;
    char id[320];
    size_t fs, fe;
    int k;

    if (st->map == NULL) {
        fs = s;
        fe = e;
    } else if (s < e) {
        fs = st->map[s];
        fe = st->map_end[e - 1];
    } else {
        fs = fe = s < st->text_len ? st->map[s] : st->text_at;
    }
    st->n++;
    k = snprintf(id, sizeof id, "%s#%lld", st->stem, (long long)st->n);
    st->line_no = corpus_line_at(st->buf, st->line_pos, st->line_no, fs);
    st->line_pos = fs;
    memset(&rec, 0, sizeof rec);
    rec.id.s = id;
    rec.id.len = k > 0 ? (size_t)k : 0;
    rec.text.s = st->text + s;
    rec.text.len = e - s;
    rec.speaker = st->speaker;
    rec.line = st->line_no;
    if (e - s > st->longest) {
        st->longest = e - s;
        st->longest_line = st->line_no;
    }
    rec.start = (int64_t)fs;
    rec.end = (int64_t)fe;
    rec.attrs = st->attrs;
    rec.n_attrs = st->n_attrs;
    rec.attributes.s = st->json;
    rec.attributes.len = st->json_len;
    return corpus_add(st->r, &rec);
}

/* Emit text[s, e) trimmed, unless nothing is left. */
static int emit_trimmed(tr_state *st, size_t s, size_t e)
{
    s += quarry_utf8_space_prefix(st->text + s, e - s);
    e -= quarry_utf8_space_suffix(st->text + s, e - s);
    return s < e ? emit(st, s, e) : 0;
}

static int is_terminal(int32_t cp)
{
    return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;
}

static int is_closer(int32_t cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == '}' ||
           cp == 0x2019 || cp == 0x201D || cp == 0xBB;
}

static int is_opener(int32_t cp)
{
    return cp == '"' || cp == '\'' || cp == '(' || cp == '[' || cp == '{' ||
           cp == 0x2018 || cp == 0x201C || cp == 0xAB;
}

/* Is the word before the '.' at dot a short title ("Dr."), an initial
 * ("J.") or a dotted abbreviation ("e.g.")? from is where the sentence
 * began. */
static int abbreviation_before(const char *buf, size_t from, size_t dot)
{
    static const char *const abbrev[] = {
        "mr", "mrs", "ms",  "mx",     "dr",   "prof", "sr",   "jr", "st",
        "vs", "cf",  "fig", "approx", "dept", "esp",  "incl", "ca", "al"};
    size_t ws = dot, i, chars = 0, letters = 0;
    int32_t cp;

    while (ws > from && buf[ws - 1] != ' ' && buf[ws - 1] != '\t' &&
           buf[ws - 1] != '\n' && buf[ws - 1] != '\r')
        ws--;
    /* Skip opening quotes and brackets before the word. */
    for (;;) {
        size_t k = quarry_utf8_decode(buf + ws, dot - ws, &cp);
        if (k == 0 || !is_opener(cp))
            break;
        ws += k;
    }
    for (i = ws; i < dot;) {
        size_t k = quarry_utf8_decode(buf + i, dot - i, &cp);
        if (k == 0)
            break;
        if (cp == '.')
            return 1; /* "e.g.", "i.e.", "U.S." */
        if (quarry_utf8_is_letter(cp))
            letters++;
        chars++;
        i += k;
    }
    if (chars == 1 && letters == 1)
        return 1; /* an initial */
    for (i = 0; i < sizeof abbrev / sizeof abbrev[0]; i++)
        if (strlen(abbrev[i]) == dot - ws &&
            strncasecmp(buf + ws, abbrev[i], dot - ws) == 0)
            return 1;
    return 0;
}

/* Does the next word after white space at buf[at..end) start with a
 * lowercase letter (the sentence goes on: "etc. and", "\"Why?\" she")? */
static int lowercase_follows(const char *buf, size_t at, size_t end)
{
    size_t i = at + quarry_utf8_space_prefix(buf + at, end - at);
    int32_t cp;

    return i < end && quarry_utf8_decode(buf + i, end - i, &cp) > 0 &&
           quarry_utf8_is_letter(cp) && !quarry_utf8_is_upper(cp) &&
           cp == quarry_utf8_tolower(cp);
}

static int emit_sentences(tr_state *st, size_t s, size_t e)
{
    const char *buf = st->text;
    size_t i = s, from = s;
    int rc;

    while (i < e) {
        int32_t cp;
        size_t k = quarry_utf8_decode(buf + i, e - i, &cp), j, dot;
        int strong;

        if (k == 0)
            k = 1;
        if (!is_terminal(cp)) {
            i += k;
            continue;
        }
        dot = i;
        strong = cp == '!' || cp == '?';
        j = i + k;
        while (j < e) {
            size_t k2 = quarry_utf8_decode(buf + j, e - j, &cp);
            if (k2 == 0)
                break;
            if (is_terminal(cp))
                strong |= cp == '!' || cp == '?';
            else if (!is_closer(cp))
                break;
            j += k2;
        }
        if (j >= e)
            break;
        /* A sentence ends at a terminal run followed by white space,
         * unless a lowercase word follows or a '.' ends an abbreviation. */
        if (quarry_utf8_decode(buf + j, e - j, &cp) == 0 ||
            !quarry_utf8_is_space(cp) || lowercase_follows(buf, j, e) ||
            (!strong && abbreviation_before(buf, from, dot))) {
            i = j;
            continue;
        }
        rc = emit_trimmed(st, from, j);
        if (rc != 0)
            return rc;
        from = i = j;
    }
    return emit_trimmed(st, from, e);
}

/* One region of the view: a turn's text, or speakerless text. */
int tr_emit_region(tr_state *st, size_t s, size_t e)
{
    const quarry_read_options *o = &st->r->o;
    size_t pos, para = 0;
    int open = 0, rc;
    tr_line l;

    if (o->segment == QUARRY_SEGMENT_TURN) {
        size_t a = s + quarry_utf8_space_prefix(st->text + s, e - s);
        size_t b = e - quarry_utf8_space_suffix(st->text + a, e - a);
        if (a == b && !(o->allow_empty && st->speaker.s != NULL))
            return 0;
        return emit(st, a, b);
    }
    /* Paragraphs: runs of lines that are not blank; in a Word document's
     * text every line is one of its paragraphs. */
    for (pos = s; tr_next_line(st->text, e, pos, &l); pos = l.next) {
        int blank = quarry_utf8_is_blank(st->text + l.start, l.end - l.start);
        if ((blank || st->r->line_paragraphs) && open) {
            rc = o->segment == QUARRY_SEGMENT_SENTENCE
                     ? emit_sentences(st, para, l.start)
                     : emit_trimmed(st, para, l.start);
            if (rc != 0)
                return rc;
            open = 0;
        }
        if (!blank && !open) {
            para = l.start;
            open = 1;
        }
    }
    if (!open)
        return 0;
    return o->segment == QUARRY_SEGMENT_SENTENCE ? emit_sentences(st, para, e)
                                                 : emit_trimmed(st, para, e);
}

