/*
 * reader_transcript.c -- plain-text interview transcripts with speaker
 * turns, as people and transcription services write them, cut into one
 * excerpt per turn, per paragraph or per sentence. The shapes of a turn's
 * first line (names, time stamps before or after them) are in
 * transcript_line.c; SRT and WebVTT cue files in transcript_cues.c.
 *
 * Lines up to the next turn belong to the turn. Text before the first turn
 * that is not a header becomes excerpts with no speaker, so nothing of the
 * file is dropped; but a title (one line first, a blank line after it,
 * before a header or the turns: "Interview with P01 - transcribed by
 * Otter.ai") is the attribute "title" of every excerpt, not an excerpt. A line holding only a time stamp just before a turn
 * gives that turn its time and belongs to no excerpt.
 *
 * The header: the "Key: value" lines at the top of the file, each a plain
 * "Name: text" line with a value, keys distinct, ended by a blank line or
 * by a line that starts a turn (a line that is neither ends it: no header).
 * A key is never a speaker label: not one letter, not ending in a number
 * ("P1", "Speaker 2"), not a role word (I, R, Q, A, Int, Resp, ...); the
 * role words Interviewer(s), Moderator, Facilitator, Researcher,
 * Participant, Respondent and Interviewee are header keys only when their
 * value is a list of names ("Jane Doe, Tom"): at most 4 words an item, no
 * '?' or '!', not ending with '.'. A key that speaks later in the file
 * ends the header before its line, which is then a turn; turns must
 * follow the header. Its keys, lowercased, become attributes of every
 * excerpt, and an Interviewer/Moderator/Facilitator/Researcher key names
 * the speakers who are interviewers.
 *
 * Each turn's attributes: "speaker", "role" ("interviewer" from the
 * header, the interviewers option or an interviewer label -- I, Int,
 * Interviewer, Q, Moderator, Facilitator, Researcher --, else
 * "participant"), "time_start" ("HH:MM:SS" or "HH:MM:SS.mmm", when the
 * turn has a time) and, for cues, "time_end". They win over header keys
 * of the same name. (Not "time": exports have a "time" field, the
 * coding's.)
 *
 * Excerpt text is the file's exact bytes (CRLF kept inside), trimmed of
 * white space; start/end are its byte offsets in the file (a BOM counts),
 * so text == file[start, end) (cue files: see transcript_cues.c). Ids are
 * "<prefix>#<n>", 1-based, the prefix the id_prefix option or the file's
 * stem.
 *
 * A file with at most as many turns as lines that look like turns in a
 * shape not read (three or more) gets a warning naming those shapes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transcript.h"
#include "utf8.h"

static int same_name(corpus_span a, corpus_span b)
{
    return a.len == b.len && strncasecmp(a.s, b.s, a.len) == 0;
}

/* ---------------------------------------------------------------- */
/* The header */

static int add_key(tr_state *st, tr_header_entry *h)
{
    size_t i = 0;

    h->key_off = st->n_keys;
    while (i < h->name.len) {
        int32_t cp;
        size_t k = quarry_utf8_decode(h->name.s + i, h->name.len - i, &cp);
        char enc[4];
        size_t m;
        if (st->n_keys + 4 > st->cap_keys) {
            size_t cap = st->cap_keys ? st->cap_keys * 2 : 256;
            char *p = realloc(st->keys, cap);
            if (p == NULL)
                return QUARRY_ENOMEM;
            st->keys = p;
            st->cap_keys = cap;
        }
        m = quarry_utf8_encode(quarry_utf8_tolower(cp), enc);
        if (m == 0) { /* cannot happen for valid input; keep the bytes */
            m = k;
            memcpy(enc, h->name.s + i, k);
        }
        memcpy(st->keys + st->n_keys, enc, m);
        st->n_keys += m;
        i += k;
    }
    h->key_len = st->n_keys - h->key_off;
    return 0;
}

static int key_is(corpus_span key, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strlen(*words) == key.len &&
            strncasecmp(key.s, *words, key.len) == 0)
            return 1;
    return 0;
}

/* Header keys whose value names the interviewers. */
static const char *const interviewer_keys[] = {
    "interviewer", "interviewers", "moderator", "moderators", "facilitator",
    "facilitators", "researcher",  "researchers", "interviewed by", NULL};
/* Role words that are header keys only with names as the value. */
static const char *const role_keys[] = {
    "interviewer", "interviewers", "moderator",    "moderators",
    "facilitator", "facilitators", "researcher",   "researchers",
    "participant", "participants", "respondent",   "respondents",
    "interviewee", "interviewees", NULL};

/* Is v a list of names: items of at most 4 words, no '?' or '!', not
 * ending with '.'? ("Thank you." and "Hi, how are you?" are not.) */
static int names_value(corpus_span v)
{
    size_t i, words = 0;
    int in_word = 0;

    if (v.len == 0 || v.len > 120 || v.s[v.len - 1] == '.')
        return 0;
    for (i = 0; i < v.len; i++) {
        char c = v.s[i];
        if (c == '?' || c == '!')
            return 0;
        if (c == ',' || c == ';' || c == '&') {
            words = 0;
            in_word = 0;
        } else if (c == ' ' || c == '\t') {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            if (++words > 4)
                return 0;
        }
    }
    return 1;
}

/* Can buf[l] be a header line? Fills h. */
static int header_line(tr_state *st, const tr_line *l, tr_header_entry *h)
{
    const char *s = st->buf + l->start;
    size_t n = l->end - l->start, name_len, after, lead;
    char tm[TR_TIME_MAX];

    if (!tr_plain_turn(s, n, &name_len, &after))
        return 0;
    h->name.s = s;
    h->name.len = name_len;
    h->value.s = s + after;
    h->value.len = n - after;
    lead = quarry_utf8_space_prefix(h->value.s, h->value.len);
    h->value.s += lead;
    h->value.len -= lead;
    h->value.len -= quarry_utf8_space_suffix(h->value.s, h->value.len);
    if (h->value.len == 0 || tr_time_bracketed(h->value.s, h->value.len, tm))
        return 0;
    if (key_is(h->name, role_keys))
        return names_value(h->value);
    return !tr_is_label(h->name.s, h->name.len);
}

/* Find the header at begin: fills st->header (st->n_header keys, 0 when
 * there is none) and returns where the turns start. */
static size_t header_block(tr_state *st, size_t begin)
{
    const char *buf = st->buf;
    size_t pos = begin, i, n = 0, end, cut;
    tr_line l;
    tr_turn t;
    int turns = 0, ended = 0;

    st->n_header = 0;
    /* Skip leading blank lines. */
    while (tr_next_line(buf, st->len, pos, &l) &&
           quarry_utf8_is_blank(buf + l.start, l.end - l.start))
        pos = l.next;
    /* The block: header lines up to a blank line or a turn. */
    for (;;) {
        tr_header_entry *h;
        int ok;
        if (!tr_next_line(buf, st->len, pos, &l))
            return begin; /* nothing after the block */
        if (quarry_utf8_is_blank(buf + l.start, l.end - l.start))
            break;
        h = &st->header[n];
        ok = n < TR_HEADER_MAX_KEYS && header_line(st, &l, h);
        for (i = 0; ok && i < n; i++)
            ok = !same_name(st->header[i].name, h->name);
        if (!ok) {
            if (!tr_turn_line(buf, &l, &t))
                return begin; /* text that is neither: no header */
            ended = 1;
            break;
        }
        n++;
        pos = l.next;
    }
    if (n == 0)
        return begin;
    end = ended ? l.start : l.next;
    /* Turns must follow; a key that speaks cuts the header before it. */
    cut = n;
    for (pos = ended ? l.start : l.next;
         tr_next_line(buf, st->len, pos, &l); pos = l.next) {
        corpus_span who;
        if (!tr_turn_line(buf, &l, &t))
            continue;
        who.s = buf + t.name;
        who.len = t.name_len;
        for (i = 0; i < cut; i++)
            if (same_name(st->header[i].name, who)) {
                cut = i;
                break;
            }
        turns++;
    }
    if (turns == 0 || cut == 0)
        return begin;
    if (cut < n)
        end = (size_t)(st->header[cut].name.s - buf);
    st->n_header = cut;
    return end;
}

/* 1 when s holds a letter (a time stamp alone on its line is no title). */
static int has_letter(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
            (unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* A title at begin: the first line (after blank ones), at most
 * TR_TITLE_MAX bytes, neither a header line nor a turn, a blank line or a
 * header line after it, and turns further on ("Interview with P01 -
 * transcribed by Otter.ai"). Fills *title (and *header_next: a header
 * line follows) and returns where what follows it starts; begin when
 * there is none. */
static size_t title_line(tr_state *st, size_t begin, corpus_span *title,
                         int *header_next)
{
    const char *buf = st->buf;
    size_t pos = begin;
    tr_line l, next;
    tr_turn t;
    tr_header_entry h;
    while (tr_next_line(buf, st->len, pos, &l) &&
           quarry_utf8_is_blank(buf + l.start, l.end - l.start))
        pos = l.next;
    if (!tr_next_line(buf, st->len, pos, &l) ||
        l.end - l.start > TR_TITLE_MAX || !has_letter(buf + l.start,
                                                      l.end - l.start) ||
        header_line(st, &l, &h) || tr_turn_line(buf, &l, &t) ||
        !tr_next_line(buf, st->len, l.next, &next))
        return begin;
    /* A header line straight after it (a Word file's paragraphs have no
     * blank line between): a title if the header is one (find_header). */
    *header_next = !quarry_utf8_is_blank(buf + next.start,
                                         next.end - next.start);
    if (*header_next && !header_line(st, &next, &h))
        return begin;
    for (pos = next.next; tr_next_line(buf, st->len, pos, &next);
         pos = next.next)
        if (tr_turn_line(buf, &next, &t)) {
            title->s = buf + l.start;
            title->len = l.end - l.start;
            title->len -= quarry_utf8_space_suffix(title->s, title->len);
            return l.next;
        }
    return begin;
}

/* Find the title and the header; returns where the turns start, or
 * (size_t)-1 when out of memory. A title is kept as the attribute
 * "title" of every excerpt, as a header key is. */
static size_t find_header(tr_state *st, size_t begin)
{
    corpus_span title = {NULL, 0};
    int header_next = 0;
    size_t i, after = title_line(st, begin, &title, &header_next), end;

    end = header_block(st, after);
    if (title.s != NULL && header_next && st->n_header == 0) {
        title.s = NULL; /* no header after all: the line is text */
        end = header_block(st, begin);
    }
    if (title.s != NULL && st->n_header < TR_HEADER_MAX_KEYS) {
        tr_header_entry *h = &st->header[st->n_header++];
        h->name.s = "title";
        h->name.len = 5;
        h->value = title;
    }
    for (i = 0; i < st->n_header; i++)
        if (add_key(st, &st->header[i]) != 0)
            return (size_t)-1;
    return end;
}

/* ---------------------------------------------------------------- */
/* Attributes of a turn: the header, the speaker, its role and times */

static int is_interviewer(const tr_state *st, corpus_span who)
{
    const char *opt = st->r->o.interviewers;
    size_t i;

    if (opt != NULL && tr_name_in_list(opt, strlen(opt), who.s, who.len))
        return 1;
    for (i = 0; i < st->n_header; i++) {
        const tr_header_entry *h = &st->header[i];
        if (key_is(h->name, interviewer_keys) &&
            tr_name_in_list(h->value.s, h->value.len, who.s, who.len))
            return 1;
    }
    return tr_label_is_interviewer(who.s, who.len);
}

static int put(tr_state *st, json_t *obj, const char *key, corpus_span v)
{
    if (json_object_set_new(obj, key, json_stringn(v.s, v.len)) != 0)
        return -1;
    st->attrs[2 * st->n_attrs].s = key;
    st->attrs[2 * st->n_attrs].len = strlen(key);
    st->attrs[2 * st->n_attrs + 1] = v;
    st->n_attrs++;
    return 0;
}

static corpus_span span_of(const char *s)
{
    corpus_span sp;
    sp.s = s;
    sp.len = strlen(s);
    return sp;
}

int tr_set_turn(tr_state *st, corpus_span speaker, const char *time,
                const char *time_end)
{
    static const char *const own[] = {"speaker", "role", "time_start",
                                       "time_end"};
    int have[4];
    json_t *obj = json_object();
    size_t i, j;
    int rc = QUARRY_ENOMEM;

    free(st->json);
    st->json = NULL;
    st->speaker = speaker;
    st->n_attrs = 0;
    snprintf(st->time, sizeof st->time, "%s", time ? time : "");
    snprintf(st->time_end, sizeof st->time_end, "%s",
             time_end ? time_end : "");
    have[0] = have[1] = speaker.s != NULL;
    have[2] = st->time[0] != '\0';
    have[3] = st->time_end[0] != '\0';
    if (obj == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < st->n_header; i++) {
        const tr_header_entry *h = &st->header[i];
        const char *key = st->keys + h->key_off;
        char k[256];
        int shadowed = 0;
        if (h->key_len >= sizeof k)
            continue;
        memcpy(k, key, h->key_len);
        k[h->key_len] = '\0';
        for (j = 0; j < 4; j++)
            shadowed |= have[j] && strcmp(k, own[j]) == 0;
        if (shadowed)
            continue;
        if (json_object_set_new(obj, k,
                                json_stringn(h->value.s, h->value.len)) != 0)
            goto out;
        st->attrs[2 * st->n_attrs].s = key;
        st->attrs[2 * st->n_attrs].len = h->key_len;
        st->attrs[2 * st->n_attrs + 1] = h->value;
        st->n_attrs++;
    }
    if (speaker.s != NULL) {
        int k, seen = 0, iv = is_interviewer(st, speaker);
        st->any_interviewer |= iv;
        for (k = 0; k < st->n_speakers && !seen; k++)
            seen = strlen(st->speakers[k]) == speaker.len &&
                   memcmp(st->speakers[k], speaker.s, speaker.len) == 0;
        if (!seen && st->n_speakers < 4 &&
            speaker.len < sizeof st->speakers[0]) {
            memcpy(st->speakers[st->n_speakers], speaker.s, speaker.len);
            st->speakers[st->n_speakers++][speaker.len] = '\0';
        } else if (!seen) {
            st->more_speakers = 1;
        }
    }
    if (speaker.s != NULL &&
        (put(st, obj, "speaker", speaker) != 0 ||
         put(st, obj, "role",
             span_of(is_interviewer(st, speaker) ? "interviewer"
                                                 : "participant")) != 0))
        goto out;
    if (have[2] && put(st, obj, "time_start", span_of(st->time)) != 0)
        goto out;
    if (have[3] && put(st, obj, "time_end", span_of(st->time_end)) != 0)
        goto out;
    st->json = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (st->json == NULL)
        goto out;
    st->json_len = strlen(st->json);
    rc = 0;
out:
    json_decref(obj);
    return rc;
}

/* ---------------------------------------------------------------- */

static void make_stem(tr_state *st)
{
    const char *prefix = st->r->o.id_prefix;
    const char *name = st->r->path ? st->r->path : st->r->name;
    const char *base = strrchr(name, '/'), *dot;
    size_t n;

    if (prefix != NULL && prefix[0] != '\0') {
        base = prefix;
        n = strlen(prefix);
    } else {
        base = base ? base + 1 : name;
        dot = strrchr(base, '.');
        n = (dot != NULL && dot != base) ? (size_t)(dot - base) : strlen(base);
        if (n >= 2 && base[0] == '<' && base[n - 1] == '>') {
            base++;
            n -= 2;
        }
    }
    if (n >= sizeof st->stem)
        n = quarry_utf8_cut(base, n, sizeof st->stem - 1);
    memcpy(st->stem, base, n);
    st->stem[n] = '\0';
}

/* Lines that look like turns but were not read as turns. */
typedef struct looks {
    size_t count[TR_LOOK_COUNT];
    int64_t first[TR_LOOK_COUNT];
    size_t total;
} looks;

static void look_count(tr_state *st, looks *lk, int k, size_t at)
{
    if (lk->count[k]++ == 0)
        lk->first[k] = corpus_line_at(st->buf, 0, 1, at);
    lk->total++;
}

static void look_at(tr_state *st, looks *lk, const tr_line *l)
{
    int k = tr_looks_like_turn(st->buf + l->start, l->end - l->start);

    if (k != TR_LOOK_NONE)
        look_count(st, lk, k, l->start);
}

/* Is the line only a time stamp? Writes it into tm. */
static int time_alone(const char *s, size_t n, char tm[TR_TIME_MAX])
{
    size_t k;

    n -= quarry_utf8_space_suffix(s, n);
    k = tr_time_bracketed(s, n, tm);
    if (k == 0)
        k = tr_time(s, n, tm);
    return k > 0 && k == n;
}

static int walk(tr_state *st, size_t pos, looks *lk)
{
    corpus_span none = {NULL, 0};
    size_t region = 0, cut = (size_t)-1;
    char pending[TR_TIME_MAX] = "";
    int open = 0, rc;
    tr_line l;

    if (tr_set_turn(st, none, "", "") != 0)
        return corpus_nomem(st->r);
    for (; tr_next_line(st->buf, st->len, pos, &l); pos = l.next) {
        const char *s = st->buf + l.start;
        size_t n = l.end - l.start;
        char tm[TR_TIME_MAX];
        tr_turn t;
        if (tr_turn_line(st->buf, &l, &t)) {
            corpus_span who;
            size_t end = cut != (size_t)-1 ? cut : l.start;
            if (open && (rc = tr_emit_region(st, region, end)) != 0)
                return rc;
            who.s = st->buf + t.name;
            who.len = t.name_len;
            if (tr_set_turn(st, who, t.time[0] ? t.time : pending, "") != 0)
                return corpus_nomem(st->r);
            st->turns++;
            region = t.text;
            open = 1;
            cut = (size_t)-1;
            pending[0] = '\0';
            continue;
        }
        if (quarry_utf8_is_blank(s, n))
            continue;
        st->text_lines++;
        if (time_alone(s, n, tm)) {
            /* Kept back: the time of the turn that may come next. */
            if (cut == (size_t)-1)
                cut = l.start;
            memcpy(pending, tm, sizeof tm);
            if (!open) {
                region = l.start;
                open = 1;
            }
            continue;
        }
        if (cut != (size_t)-1) /* a time stamp with no turn after it */
            look_count(st, lk, TR_LOOK_TIME_ALONE, cut);
        cut = (size_t)-1;
        pending[0] = '\0';
        look_at(st, lk, &l);
        if (!open) {
            region = l.start;
            open = 1;
        }
    }
    return open ? tr_emit_region(st, region, cut != (size_t)-1 ? cut : st->len)
                : 0;
}

/* The warning for a file whose turns were not found; 1 when given. */
static int warn_shapes(tr_state *st, const looks *lk)
{
    const quarry_read_options *o = &st->r->o;
    char msg[1024], what[512] = "", turns[64];
    size_t used = 0, shown = 0;
    int order[TR_LOOK_COUNT], i, j;

    if (o->notice == NULL || lk->total < 3 || lk->total <= (size_t)st->turns)
        return 0;
    for (i = 0; i < TR_LOOK_COUNT; i++)
        order[i] = i;
    for (i = 1; i < TR_LOOK_COUNT; i++) /* most frequent first */
        for (j = i; j > 0 && lk->count[order[j]] > lk->count[order[j - 1]];
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (i = 0; i < TR_LOOK_COUNT && lk->count[order[i]] > 0; i++) {
        int k = snprintf(what + used, sizeof what - used,
                         "%s%s x%zu from line %lld", shown ? ", " : "",
                         tr_look_name(order[i]), lk->count[order[i]],
                         (long long)lk->first[order[i]]);
        if (k < 0 || (size_t)k >= sizeof what - used)
            break;
        used += (size_t)k;
        shown++;
    }
    if (st->turns == 0)
        snprintf(turns, sizeof turns, "no speaker turn");
    else
        snprintf(turns, sizeof turns, "%lld speaker turn%s",
                 (long long)st->turns, st->turns == 1 ? "" : "s");
    snprintf(msg, sizeof msg,
             "%s: %lld excerpt%s and %s, but %zu lines look like turns (%s); "
             "is the speaker format supported? see README, \"Transcripts\"",
             st->r->name, (long long)st->n, st->n == 1 ? "" : "s", turns,
             lk->total, what);
    o->notice(o->notice_ctx, QUARRY_LOG_WARN, msg);
    return 1;
}

/* A file of several lines that became one excerpt, no turn found: an
 * interview whose speaker format is not read would go in whole, as one
 * excerpt nobody could code in parts. */
static void warn_one_excerpt(const tr_state *st)
{
    const quarry_read_options *o = &st->r->o;
    char msg[512];
    if (o->notice == NULL || o->segment != QUARRY_SEGMENT_TURN ||
        st->turns > 0 || st->n != 1 || st->text_lines < 3)
        return;
    snprintf(msg, sizeof msg,
             "%s: no speaker turn found, so its %lld lines are one excerpt; "
             "for an interview, see README, \"Transcripts\", for the "
             "speaker formats read, or cut it by paragraph (--segment "
             "paragraph)",
             st->r->name, (long long)st->text_lines);
    o->notice(o->notice_ctx, QUARRY_LOG_WARN, msg);
}

/* An excerpt of thousands of words: the page and the review show it
 * whole, suggestions read it as one turn; most likely the file lost its
 * line breaks (or its speaker names). */
static void notice_long_excerpt(const tr_state *st)
{
    const quarry_read_options *o = &st->r->o;
    char msg[512];
    if (o->notice == NULL || st->longest <= TR_LONG_EXCERPT)
        return;
    snprintf(msg, sizeof msg,
             "%s:%lld: one excerpt of %zu bytes (some %zu words): are the "
             "file's line breaks or speaker names missing? --segment "
             "paragraph or sentence cuts it smaller",
             st->r->name, (long long)st->longest_line, st->longest,
             st->longest / 6);
    o->notice(o->notice_ctx, QUARRY_LOG_WARN, msg);
}

/* Several speakers and none an interviewer (no I:, Interviewer:, ... and
 * no --interviewer): their questions would be suggested codes too. */
static void notice_no_interviewer(const tr_state *st)
{
    const quarry_read_options *o = &st->r->o;
    char msg[512], who[256] = "";
    size_t used = 0;
    int k;
    if (o->notice == NULL || st->any_interviewer || st->n_speakers < 2)
        return;
    for (k = 0; k < st->n_speakers; k++) {
        int w = snprintf(who + used, sizeof who - used, "%s%s",
                         k ? ", " : "", st->speakers[k]);
        if (w < 0 || (size_t)w >= sizeof who - used)
            break;
        used += (size_t)w;
    }
    snprintf(msg, sizeof msg,
             "%s: no interviewer among its speakers (%s%s): if one of them "
             "asks the questions, --interviewer NAME says so, and their "
             "turns are left out of suggestions",
             st->r->name, who, st->more_speakers ? ", ..." : "");
    o->notice(o->notice_ctx, QUARRY_LOG_INFO, msg);
}

int corpus_read_transcript(corpus_reader *r, const char *buf, size_t len)
{
    tr_state st;
    looks lk;
    size_t bad, pos;
    quarry_utf8_problem p;
    int rc;

    p = quarry_utf8_check(buf + r->begin, len - r->begin, &bad);
    if (p != QUARRY_UTF8_OK) {
        size_t off = r->begin + bad, ls = off;
        while (ls > r->begin && buf[ls - 1] != '\n')
            ls--;
        return corpus_fail_bytes(r, (int)p,
                                 corpus_line_at(buf, r->begin, 1, off), NULL,
                                 off - ls + 1);
    }
    memset(&st, 0, sizeof st);
    memset(&lk, 0, sizeof lk);
    st.r = r;
    st.buf = buf;
    st.len = len;
    st.text = buf;
    st.text_len = len;
    st.line_pos = 0;
    st.line_no = 1;
    make_stem(&st);

    if (tr_is_cue_file(buf, len, r->begin) || tr_cue_name(r->path)) {
        rc = tr_read_cues(&st, r->begin);
        goto out;
    }
    pos = find_header(&st, r->begin);
    if (pos == (size_t)-1) {
        rc = corpus_nomem(r);
        goto out;
    }
    rc = walk(&st, pos, &lk);
    if (rc == 0 && !warn_shapes(&st, &lk))
        warn_one_excerpt(&st);
out:
    if (rc == 0) {
        notice_no_interviewer(&st);
        notice_long_excerpt(&st);
    }
    free(st.keys);
    free(st.json);
    return rc;
}
