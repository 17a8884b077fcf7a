/*
 * reader_transcript.c -- plain-text interview transcripts with speaker
 * turns ("Name: what they said"), cut into one excerpt per turn, per
 * paragraph or per sentence.
 *
 * A line starts a turn when it begins with a name (1-40 letters, digits,
 * spaces, dots, hyphens or apostrophes, the first a letter or digit)
 * followed by ':' and then white space or the end of the line, so
 * "http://..." and "10:30" do not. Lines up to the next turn belong to the
 * turn. Text before the first turn that is not a header becomes excerpts
 * with no speaker, so nothing of the file is dropped.
 *
 * The header: a first block of "Key: value" lines, ended by a blank line,
 * with distinct keys that never speak later, and followed by at least one
 * turn. Its keys, lowercased, become attributes of every excerpt.
 *
 * Excerpt text is the file's exact bytes (CRLF kept inside), trimmed of
 * white space; start/end are its byte offsets in the file (a BOM counts),
 * so text == file[start, end). Ids are "<file stem>#<n>", 1-based.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "corpus.h"
#include "utf8.h"

#define NAME_MAX_CHARS 40
#define HEADER_MAX_KEYS 64

typedef struct tline {
    size_t start, end; /* content, without the line break */
    size_t next;       /* start of the next line */
} tline;

typedef struct header_entry {
    size_t key_off, key_len; /* lowercased key in keys */
    corpus_span name;        /* the key as written */
    corpus_span value;
} header_entry;

typedef struct tr_state {
    corpus_reader *r;
    const char *buf;
    size_t len;
    /* Header. */
    header_entry header[HEADER_MAX_KEYS];
    size_t n_header;
    char *keys;
    size_t n_keys, cap_keys;
    /* The current region's speaker and its attributes. */
    corpus_span speaker;
    corpus_span attrs[2 * (HEADER_MAX_KEYS + 1)];
    size_t n_attrs;
    char *json;
    size_t json_len;
    /* Output. */
    char stem[256];
    int64_t n; /* excerpts so far */
    size_t line_pos;
    int64_t line_no; /* line of line_pos */
} tr_state;

static int next_line(const char *buf, size_t len, size_t pos, tline *l)
{
    const char *nl;

    if (pos >= len)
        return 0;
    nl = memchr(buf + pos, '\n', len - pos);
    l->start = pos;
    l->end = nl ? (size_t)(nl - buf) : len;
    l->next = nl ? l->end + 1 : len;
    if (l->end > l->start && buf[l->end - 1] == '\r')
        l->end--;
    return 1;
}

static int is_name_char(int32_t cp)
{
    return quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp) ||
           quarry_utf8_is_mark(cp) || cp == ' ' || cp == '.' || cp == '-' ||
           cp == '\'' || cp == 0x2019;
}

/* Does line s[0..n) start a turn? Sets the name's length (trailing spaces
 * cut) and the offset just past the ':'. */
static int turn_of(const char *s, size_t n, size_t *name_len, size_t *after)
{
    size_t i = 0, chars = 0, k;
    int32_t cp;

    k = quarry_utf8_decode(s, n, &cp);
    if (k == 0 || !(quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp)))
        return 0;
    while (i < n) {
        k = quarry_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return 0;
        if (cp == ':')
            break;
        if (!is_name_char(cp) || ++chars > NAME_MAX_CHARS)
            return 0;
        i += k;
    }
    if (i >= n)
        return 0;
    if (i + 1 < n) {
        int32_t next;
        k = quarry_utf8_decode(s + i + 1, n - i - 1, &next);
        if (k == 0 || !quarry_utf8_is_space(next))
            return 0;
    }
    *after = i + 1;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    *name_len = i;
    return 1;
}

static int same_name(corpus_span a, corpus_span b)
{
    return a.len == b.len && strncasecmp(a.s, b.s, a.len) == 0;
}

/* ---------------------------------------------------------------- */
/* The header */

static int add_key(tr_state *st, header_entry *h)
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

/* Is there a header block at the start of the file? Fills st->header and
 * returns its number of keys, 0 when there is none. */
static size_t header_block(tr_state *st, size_t begin)
{
    const char *buf = st->buf;
    size_t pos = begin, i, n = 0;
    tline l;
    int turns = 0;

    /* Skip leading blank lines. */
    while (next_line(buf, st->len, pos, &l) &&
           quarry_utf8_is_blank(buf + l.start, l.end - l.start))
        pos = l.next;
    /* The block: "Key: value" lines up to a blank line. */
    for (;;) {
        size_t name_len, after, lead;
        header_entry *h;
        if (!next_line(buf, st->len, pos, &l))
            return 0; /* no blank line after the block */
        if (quarry_utf8_is_blank(buf + l.start, l.end - l.start))
            break;
        if (n == HEADER_MAX_KEYS ||
            !turn_of(buf + l.start, l.end - l.start, &name_len, &after))
            return 0;
        h = &st->header[n];
        h->name.s = buf + l.start;
        h->name.len = name_len;
        h->value.s = buf + l.start + after;
        h->value.len = l.end - l.start - after;
        lead = quarry_utf8_space_prefix(h->value.s, h->value.len);
        h->value.s += lead;
        h->value.len -= lead;
        h->value.len -= quarry_utf8_space_suffix(h->value.s, h->value.len);
        if (h->value.len == 0)
            return 0;
        for (i = 0; i < n; i++)
            if (same_name(st->header[i].name, h->name))
                return 0;
        n++;
        pos = l.next;
    }
    /* Turns must follow, and no header key may speak. */
    for (pos = l.next; next_line(buf, st->len, pos, &l); pos = l.next) {
        size_t name_len, after;
        corpus_span who;
        if (!turn_of(buf + l.start, l.end - l.start, &name_len, &after))
            continue;
        who.s = buf + l.start;
        who.len = name_len;
        for (i = 0; i < n; i++)
            if (same_name(st->header[i].name, who))
                return 0;
        turns++;
    }
    return turns > 0 ? n : 0;
}

/* Find the header (st->n_header keys, or none). Fails only for memory. */
static int find_header(tr_state *st, size_t begin)
{
    size_t i;

    st->n_header = header_block(st, begin);
    for (i = 0; i < st->n_header; i++)
        if (add_key(st, &st->header[i]) != 0)
            return QUARRY_ENOMEM;
    return 0;
}

/* ---------------------------------------------------------------- */
/* Attributes of a region: the header and the speaker */

static int set_speaker(tr_state *st, corpus_span speaker)
{
    json_t *obj = json_object();
    size_t i;
    int rc = QUARRY_ENOMEM;

    free(st->json);
    st->json = NULL;
    st->speaker = speaker;
    st->n_attrs = 0;
    if (obj == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < st->n_header; i++) {
        const header_entry *h = &st->header[i];
        const char *key = st->keys + h->key_off;
        char k[256];
        if (h->key_len >= sizeof k)
            continue;
        memcpy(k, key, h->key_len);
        k[h->key_len] = '\0';
        if (speaker.s != NULL && strcmp(k, "speaker") == 0)
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
        if (json_object_set_new(obj, "speaker",
                                json_stringn(speaker.s, speaker.len)) != 0)
            goto out;
        st->attrs[2 * st->n_attrs].s = "speaker";
        st->attrs[2 * st->n_attrs].len = 7;
        st->attrs[2 * st->n_attrs + 1] = speaker;
        st->n_attrs++;
    }
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
/* Segments */

static int emit(tr_state *st, size_t s, size_t e)
{
    corpus_rec rec;
    char id[320];
    int k;

    st->n++;
    k = snprintf(id, sizeof id, "%s#%lld", st->stem, (long long)st->n);
    st->line_no = corpus_line_at(st->buf, st->line_pos, st->line_no, s);
    st->line_pos = s;
    memset(&rec, 0, sizeof rec);
    rec.id.s = id;
    rec.id.len = k > 0 ? (size_t)k : 0;
    rec.text.s = st->buf + s;
    rec.text.len = e - s;
    rec.speaker = st->speaker;
    rec.line = st->line_no;
    rec.start = (int64_t)s;
    rec.end = (int64_t)e;
    rec.attrs = st->attrs;
    rec.n_attrs = st->n_attrs;
    rec.attributes.s = st->json;
    rec.attributes.len = st->json_len;
    return corpus_add(st->r, &rec);
}

/* Emit buf[s, e) trimmed, unless nothing is left. */
static int emit_trimmed(tr_state *st, size_t s, size_t e)
{
    s += quarry_utf8_space_prefix(st->buf + s, e - s);
    e -= quarry_utf8_space_suffix(st->buf + s, e - s);
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
    const char *buf = st->buf;
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

/* One region: a turn's text after "Name:", or speakerless text. */
static int emit_region(tr_state *st, size_t s, size_t e)
{
    const quarry_read_options *o = &st->r->o;
    size_t pos, para = 0;
    int open = 0, rc;
    tline l;

    if (o->segment == QUARRY_SEGMENT_TURN) {
        size_t a = s + quarry_utf8_space_prefix(st->buf + s, e - s);
        size_t b = e - quarry_utf8_space_suffix(st->buf + a, e - a);
        if (a == b && !(o->allow_empty && st->speaker.s != NULL))
            return 0;
        return emit(st, a, b);
    }
    /* Paragraphs: runs of lines that are not blank. */
    for (pos = s; next_line(st->buf, e, pos, &l); pos = l.next) {
        int blank = quarry_utf8_is_blank(st->buf + l.start, l.end - l.start);
        if (!blank && !open) {
            para = l.start;
            open = 1;
        } else if (blank && open) {
            rc = o->segment == QUARRY_SEGMENT_SENTENCE
                     ? emit_sentences(st, para, l.start)
                     : emit_trimmed(st, para, l.start);
            if (rc != 0)
                return rc;
            open = 0;
        }
    }
    if (!open)
        return 0;
    return o->segment == QUARRY_SEGMENT_SENTENCE ? emit_sentences(st, para, e)
                                                 : emit_trimmed(st, para, e);
}

/* ---------------------------------------------------------------- */

static void make_stem(tr_state *st)
{
    const char *name = st->r->path ? st->r->path : st->r->name;
    const char *base = strrchr(name, '/'), *dot;
    size_t n;

    base = base ? base + 1 : name;
    dot = strrchr(base, '.');
    n = (dot != NULL && dot != base) ? (size_t)(dot - base) : strlen(base);
    if (n >= 2 && base[0] == '<' && base[n - 1] == '>') {
        base++;
        n -= 2;
    }
    if (n >= sizeof st->stem)
        n = quarry_utf8_cut(base, n, sizeof st->stem - 1);
    memcpy(st->stem, base, n);
    st->stem[n] = '\0';
}

static int walk(tr_state *st, size_t pos)
{
    corpus_span none = {NULL, 0};
    size_t region = 0;
    int open = 0, rc;
    tline l;

    if (set_speaker(st, none) != 0)
        return corpus_nomem(st->r);
    for (; next_line(st->buf, st->len, pos, &l); pos = l.next) {
        size_t name_len, after;
        if (turn_of(st->buf + l.start, l.end - l.start, &name_len, &after)) {
            corpus_span who;
            if (open && (rc = emit_region(st, region, l.start)) != 0)
                return rc;
            who.s = st->buf + l.start;
            who.len = name_len;
            if (set_speaker(st, who) != 0)
                return corpus_nomem(st->r);
            region = l.start + after;
            open = 1;
        } else if (!open &&
                   !quarry_utf8_is_blank(st->buf + l.start, l.end - l.start)) {
            region = l.start; /* text before any turn: no speaker */
            open = 1;
        }
    }
    return open ? emit_region(st, region, st->len) : 0;
}

int corpus_read_transcript(corpus_reader *r, const char *buf, size_t len)
{
    tr_state st;
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
    st.r = r;
    st.buf = buf;
    st.len = len;
    st.line_pos = 0;
    st.line_no = 1;
    make_stem(&st);

    rc = find_header(&st, r->begin);
    if (rc != 0) {
        rc = corpus_nomem(r);
        goto out;
    }
    pos = r->begin;
    if (st.n_header > 0) {
        /* Past the block: skip lines up to its closing blank line. */
        tline l;
        while (next_line(buf, len, pos, &l) &&
               quarry_utf8_is_blank(buf + l.start, l.end - l.start))
            pos = l.next;
        while (next_line(buf, len, pos, &l) &&
               !quarry_utf8_is_blank(buf + l.start, l.end - l.start))
            pos = l.next;
    }
    rc = walk(&st, pos);
out:
    free(st.keys);
    free(st.json);
    return rc;
}
