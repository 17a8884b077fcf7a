/*
 * transcript_cues.c -- subtitle cue files as transcripts: SRT (numbered
 * cues, "00:00:01,000 --> 00:00:04,000") and WebVTT (a WEBVTT first line,
 * cues with an optional identifier, NOTE, STYLE and REGION blocks
 * skipped), as Zoom, Teams and transcription services export them.
 *
 * A cue's speaker is its WebVTT voice ("<v Jane Doe>Hello</v>") or a
 * "Name: text" label at the start of a line of its text. A turn is a run
 * of cues of the same speaker: a cue of another speaker starts a new turn,
 * a cue without a label continues the turn before it; in a file (or at its
 * start) with no speaker yet, every unlabelled cue is a turn of its own.
 * The turn's "time_start" is its first cue's start and "time_end" its last
 * cue's end.
 *
 * The text of a turn is its cues' text, markup removed (tags such as
 * <v>, <i>, <c.x>, <00:00:01.000>; {\an8}; the entities &amp; &lt; &gt;
 * &nbsp; &quot; &apos; &lrm; &rlm;), one line break between lines and
 * between cues. Its start and end are the file offsets of its first and
 * last characters, so a coding of the excerpt covers the turn in the file;
 * where a turn is one cue without markup, text == file[start, end)
 * exactly as in a plain transcript. Since a turn is one paragraph,
 * --segment paragraph gives turns and --segment sentence splits them
 * into sentences across cues.
 *
 * A block that is neither a cue nor a NOTE, STYLE or REGION block is an
 * error naming its line.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transcript.h"
#include "utf8.h"

int tr_cue_name(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 4 && (strcasecmp(path + n - 4, ".srt") == 0 ||
                     strcasecmp(path + n - 4, ".vtt") == 0);
}

static int starts_word(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && memcmp(s, w, k) == 0 &&
           (n == k || s[k] == ' ' || s[k] == '\t');
}

/* "start --> end [settings]" at s[0..n). */
static int timing_line(const char *s, size_t n, char t0[TR_TIME_MAX],
                       char t1[TR_TIME_MAX])
{
    size_t i = quarry_utf8_space_prefix(s, n), k;

    k = tr_time(s + i, n - i, t0);
    if (k == 0)
        return 0;
    i += k;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i + 3 > n || memcmp(s + i, "-->", 3) != 0)
        return 0;
    i += 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    k = tr_time(s + i, n - i, t1);
    if (k == 0)
        return 0;
    i += k;
    return i == n || s[i] == ' ' || s[i] == '\t';
}

static int all_digits(const char *s, size_t n)
{
    size_t i;
    n -= quarry_utf8_space_suffix(s, n);
    if (n == 0 || n > 9)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int tr_is_cue_file(const char *buf, size_t len, size_t pos)
{
    tr_line l, m;
    char t0[TR_TIME_MAX], t1[TR_TIME_MAX];

    while (tr_next_line(buf, len, pos, &l) &&
           quarry_utf8_is_blank(buf + l.start, l.end - l.start))
        pos = l.next;
    if (!tr_next_line(buf, len, pos, &l))
        return 0;
    if (starts_word(buf + l.start, l.end - l.start, "WEBVTT"))
        return 1;
    if (timing_line(buf + l.start, l.end - l.start, t0, t1))
        return 1;
    return all_digits(buf + l.start, l.end - l.start) &&
           tr_next_line(buf, len, l.next, &m) &&
           timing_line(buf + m.start, m.end - m.start, t0, t1);
}

/* ---------------------------------------------------------------- */
/* A turn being built */

typedef struct cue_turn {
    int open;
    corpus_span speaker; /* s == NULL: none */
    char t0[TR_TIME_MAX], t1[TR_TIME_MAX];
    char *text;
    size_t *map, *map_end;
    size_t len, cap;
    size_t at; /* file offset of its first cue's text */
} cue_turn;

static int put_byte(cue_turn *t, char c, size_t from, size_t to)
{
    if (t->len == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        char *s = realloc(t->text, cap);
        size_t *m, *me;
        if (s == NULL)
            return QUARRY_ENOMEM;
        t->text = s;
        m = realloc(t->map, cap * sizeof *m);
        if (m == NULL)
            return QUARRY_ENOMEM;
        t->map = m;
        me = realloc(t->map_end, cap * sizeof *me);
        if (me == NULL)
            return QUARRY_ENOMEM;
        t->map_end = me;
        t->cap = cap;
    }
    t->text[t->len] = c;
    t->map[t->len] = from;
    t->map_end[t->len] = to;
    t->len++;
    return 0;
}

/* Append buf[s, e) without its markup. */
static int put_clean(cue_turn *t, const char *buf, size_t s, size_t e)
{
    static const struct {
        const char *name;
        const char *as;
    } ent[] = {{"&amp;", "&"},        {"&lt;", "<"},   {"&gt;", ">"},
               {"&nbsp;", " "},       {"&quot;", "\""}, {"&apos;", "'"},
               {"&lrm;", ""},         {"&rlm;", ""}};
    size_t i = s, j;

    while (i < e) {
        if (buf[i] == '<') {
            const char *gt = memchr(buf + i, '>', e - i);
            if (gt != NULL) {
                i = (size_t)(gt - buf) + 1;
                continue;
            }
        } else if (buf[i] == '{' && i + 1 < e && buf[i + 1] == '\\') {
            const char *cb = memchr(buf + i, '}', e - i);
            if (cb != NULL) {
                i = (size_t)(cb - buf) + 1;
                continue;
            }
        } else if (buf[i] == '&') {
            for (j = 0; j < sizeof ent / sizeof ent[0]; j++) {
                size_t k = strlen(ent[j].name);
                if (e - i >= k && memcmp(buf + i, ent[j].name, k) == 0)
                    break;
            }
            if (j < sizeof ent / sizeof ent[0]) {
                size_t k = strlen(ent[j].name);
                if (ent[j].as[0] != '\0' &&
                    put_byte(t, ent[j].as[0], i, i + k) != 0)
                    return QUARRY_ENOMEM;
                i += k;
                continue;
            }
        }
        if (put_byte(t, buf[i], i, i + 1) != 0)
            return QUARRY_ENOMEM;
        i++;
    }
    return 0;
}

static int flush(tr_state *st, cue_turn *t)
{
    int rc = 0;

    if (!t->open)
        return 0;
    st->text = t->text ? t->text : "";
    st->text_len = t->len;
    st->map = t->map;
    st->map_end = t->map_end;
    st->text_at = t->at;
    if (tr_set_turn(st, t->speaker, t->t0, t->t1) != 0)
        rc = corpus_nomem(st->r);
    else
        rc = tr_emit_region(st, 0, t->len);
    if (t->speaker.s != NULL)
        st->turns++;
    t->open = 0;
    t->len = 0;
    return rc;
}

static int same_speaker(corpus_span a, corpus_span b)
{
    if (a.s == NULL || b.s == NULL)
        return a.s == b.s;
    return a.len == b.len && strncasecmp(a.s, b.s, a.len) == 0;
}

/* The speaker a payload line names, and where its text starts. */
static corpus_span line_speaker(const char *buf, const tr_line *l,
                                size_t *text)
{
    const char *s = buf + l->start;
    size_t n = l->end - l->start, name_len, after;
    corpus_span who = {NULL, 0};

    *text = l->start;
    if (n > 3 && s[0] == '<' && s[1] == 'v' && (s[2] == ' ' || s[2] == '.')) {
        const char *gt = memchr(s, '>', n);
        const char *sp = memchr(s + 2, ' ', n - 2);
        if (gt != NULL && sp != NULL && sp < gt) {
            size_t a = (size_t)(sp - s) + 1, b = (size_t)(gt - s);
            a += quarry_utf8_space_prefix(s + a, b - a);
            b -= quarry_utf8_space_suffix(s + a, b - a);
            if (a < b) {
                who.s = s + a;
                who.len = b - a;
            }
            *text = l->start + (size_t)(gt - s) + 1;
        }
        return who;
    }
    if (tr_plain_turn(s, n, &name_len, &after)) {
        who.s = s;
        who.len = name_len;
        *text = l->start + after;
    }
    return who;
}

int tr_read_cues(tr_state *st, size_t pos)
{
    const char *buf = st->buf;
    cue_turn t;
    tr_line l;
    int first = 1, rc = 0;

    memset(&t, 0, sizeof t);
    for (;;) {
        char c0[TR_TIME_MAX], c1[TR_TIME_MAX];
        const char *s;
        size_t n;
        int cue_first = 1;

        while (tr_next_line(buf, st->len, pos, &l) &&
               quarry_utf8_is_blank(buf + l.start, l.end - l.start))
            pos = l.next;
        if (!tr_next_line(buf, st->len, pos, &l))
            break;
        s = buf + l.start;
        n = l.end - l.start;
        if ((first && starts_word(s, n, "WEBVTT")) ||
            starts_word(s, n, "NOTE") || starts_word(s, n, "STYLE") ||
            starts_word(s, n, "REGION")) {
            /* Skip the block. */
            while (tr_next_line(buf, st->len, pos, &l) &&
                   !quarry_utf8_is_blank(buf + l.start, l.end - l.start))
                pos = l.next;
            first = 0;
            continue;
        }
        first = 0;
        if (!timing_line(s, n, c0, c1)) {
            tr_line m;
            /* An identifier, then the times. */
            if (!tr_next_line(buf, st->len, l.next, &m) ||
                !timing_line(buf + m.start, m.end - m.start, c0, c1)) {
                rc = corpus_fail(st->r, QUARRY_EPARSE,
                                 corpus_line_at(buf, 0, 1, l.start), NULL,
                                 "not a cue: no \"00:00:01,000 --> "
                                 "00:00:04,000\" time line after a blank "
                                 "line");
                goto out;
            }
            l = m;
        }
        /* The cue's text: the lines up to a blank line. */
        for (pos = l.next; tr_next_line(buf, st->len, pos, &l); pos = l.next) {
            corpus_span who;
            size_t text;
            if (quarry_utf8_is_blank(buf + l.start, l.end - l.start))
                break;
            who = line_speaker(buf, &l, &text);
            text += quarry_utf8_space_prefix(buf + text, l.end - text);
            if (who.s != NULL ? !(t.open && same_speaker(t.speaker, who))
                              : cue_first && (!t.open || t.speaker.s == NULL)) {
                if ((rc = flush(st, &t)) != 0)
                    goto out;
                t.open = 1;
                t.speaker = who;
                memcpy(t.t0, c0, sizeof c0);
                t.at = text;
            } else if (t.len > 0 &&
                       put_byte(&t, '\n', text, text) != 0) {
                rc = corpus_nomem(st->r);
                goto out;
            }
            if (put_clean(&t, buf, text,
                          l.end - quarry_utf8_space_suffix(buf + text,
                                                           l.end - text)) !=
                0) {
                rc = corpus_nomem(st->r);
                goto out;
            }
            memcpy(t.t1, c1, sizeof c1);
            cue_first = 0;
        }
    }
    rc = flush(st, &t);
out:
    st->text = st->buf;
    st->text_len = st->len;
    st->map = st->map_end = NULL;
    free(t.text);
    free(t.map);
    free(t.map_end);
    return rc;
}
