/*
 * reader_jsonl.c -- JSON Lines: one object a line, {"id", "text", "code"}
 * plus any other fields, which are kept as attributes.
 *
 * jansson parses each line on its own, so an error names the line and the
 * column jansson gives. Raw bytes are checked for UTF-8 before jansson sees
 * them, to report the exact byte; to also name the field that holds the bad
 * byte, the line is parsed a second time with that byte replaced by a
 * marker character and the object searched for the marker.
 *
 * A bad line does not stop the reading: it is listed (corpus_bad) and the
 * file refused at the end, so that one message names the first 20.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "parallel.h"
#include "utf8.h"

#define JSONL_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* The kind of a JSON value, for messages ("a list", "null"). */
const char *corpus_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

static int grow_spans(corpus_span **v, size_t *cap, size_t need)
{
    corpus_span *p;
    size_t n = *cap ? *cap : 8;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    p = realloc(*v, n * sizeof *p);
    if (p == NULL)
        return QUARRY_ENOMEM;
    *v = p;
    *cap = n;
    return 0;
}

/* ---------------------------------------------------------------- */
/* Which field holds a bad byte */

static int contains(const char *s, size_t len, const char *m, size_t mlen)
{
    size_t i;

    for (i = 0; i + mlen <= len; i++)
        if (memcmp(s + i, m, mlen) == 0)
            return 1;
    return 0;
}

static int value_has(const json_t *v, const char *m, size_t mlen)
{
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return contains(json_string_value(v), json_string_length(v), m, mlen);
    case JSON_ARRAY:
        json_array_foreach(v, i, item) if (value_has(item, m, mlen)) return 1;
        return 0;
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, key,
                            item) if (contains(key, strlen(key), m, mlen) ||
                                      value_has(item, m, mlen)) return 1;
        return 0;
    default:
        return 0;
    }
}

/* The top-level field of line s[0..n) whose key or value holds the byte at
 * bad, written into out; NULL when that cannot be told (the line is not an
 * object even with the bad bytes replaced, or the byte is between
 * fields). */
static const char *field_of_bad_byte(const char *s, size_t n, size_t bad,
                                     char *out, size_t cap)
{
    char marker[4];
    size_t mlen = 0, i, k = 0;
    int32_t cp;
    char *copy;
    json_t *root;
    json_error_t jerr;
    const char *key, *found = NULL;
    json_t *value;

    /* A private-use character the line does not already hold. */
    for (cp = 0x10FFFD; cp > 0x10FFFD - 16; cp--) {
        mlen = quarry_utf8_encode(cp, marker);
        if (!contains(s, n, marker, mlen))
            break;
    }
    if (cp == 0x10FFFD - 16)
        return NULL;
    copy = malloc(n * 4 + 1);
    if (copy == NULL)
        return NULL;
    /* The first bad byte becomes the marker, later ones U+FFFD or a
     * space, so the copy is valid and parses where the original would. */
    for (i = 0; i < n;) {
        size_t step = quarry_utf8_decode(s + i, n - i, &cp);
        if (i == bad) {
            memcpy(copy + k, marker, mlen);
            k += mlen;
            i += 1;
        } else if (step == 0) {
            memcpy(copy + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i += 1;
        } else if (cp == 0) {
            copy[k++] = ' ';
            i += 1;
        } else {
            memcpy(copy + k, s + i, step);
            k += step;
            i += step;
        }
    }
    root = json_loadb(copy, k, JSONL_FLAGS, &jerr);
    free(copy);
    if (root == NULL)
        return NULL;
    if (json_is_object(root)) {
        json_object_foreach(root, key, value)
        {
            if (contains(key, strlen(key), marker, mlen)) {
                found = "(a field name)";
                break;
            }
            if (value_has(value, marker, mlen)) {
                found = key;
                break;
            }
        }
    }
    if (found != NULL)
        found = corpus_quote(found, strlen(found), out, cap);
    json_decref(root);
    return found;
}

static int is_blank_line(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' &&
            s[i] != '\v')
            return 0;
    return 1;
}

/* Lines per batch. Reading is pipelined: while one task adds the lines of
 * batch b to the corpus, in line order, the other workers parse the lines
 * of batch b + 1 with jansson and copy what an excerpt needs out of each
 * tree (prepare_line) into their chunk's buffer, freeing the tree at once
 * on the thread that built it; then the roles move on. Only the in-order
 * task touches the corpus, so the excerpts, their order and the first
 * error reported are those of a one-thread read. A line that cannot be
 * prepared (any error at all) is read again by the in-order task with
 * read_line(), which says what is wrong exactly as a one-thread read. */
#define JSONL_BATCH 8192
#define JSONL_GRAIN 256
#define JSONL_ABSENT SIZE_MAX

/* A span of a chunk's buffer; off JSONL_ABSENT: absent. */
typedef struct jsonl_off {
    size_t off, len;
} jsonl_off;

/* What the lines of one chunk hold: their strings, and spans of them. Kept
 * from batch to batch, so reading allocates nothing in the steady state. */
typedef struct jsonl_chunk {
    char *bytes;
    size_t len, cap;
    jsonl_off *spans;
    size_t n_spans, cap_spans;
} jsonl_chunk;

/* The in-order task's scratch: the record's code and attribute spans,
 * and a chunk for a line read again on its own (read_line). */
typedef struct jsonl_state {
    corpus_span *codes;
    size_t cap_codes;
    corpus_span *attrs;
    size_t cap_attrs; /* spans, two a pair */
    jsonl_chunk one;
} jsonl_state;

typedef struct jsonl_line {
    const char *s;
    size_t n;
    int64_t line;
    int ready; /* prepared; 0: read_line() again for the message */
    jsonl_off id, text, speaker, attributes;
    size_t codes_at, n_codes; /* in the chunk's spans */
    size_t attrs_at, n_attrs; /* key/value pairs, keys at even indices */
} jsonl_line;

typedef struct jsonl_round {
    corpus_reader *r;
    jsonl_state *st;
    jsonl_line *add;     /* prepared batch to add, or NULL */
    jsonl_chunk *add_ch; /* its chunks */
    int64_t n_add;
    jsonl_line *parse; /* batch to parse, or NULL */
    jsonl_chunk *parse_ch;
    int64_t n_parse;
    int status; /* of the adding task */
} jsonl_round;

/* Room for need more bytes; 0 or -1. */
static int chunk_room(jsonl_chunk *ch, size_t need)
{
    size_t cap = ch->cap ? ch->cap : 65536;
    char *p;
    if (need <= ch->cap - ch->len)
        return 0;
    while (cap - ch->len < need)
        cap *= 2;
    p = realloc(ch->bytes, cap);
    if (p == NULL)
        return -1;
    ch->bytes = p;
    ch->cap = cap;
    return 0;
}

static int chunk_copy(jsonl_chunk *ch, const char *s, size_t n, jsonl_off *out)
{
    if (chunk_room(ch, n + 1) != 0)
        return -1;
    memcpy(ch->bytes + ch->len, s, n);
    ch->bytes[ch->len + n] = '\0';
    out->off = ch->len;
    out->len = n;
    ch->len += n + 1;
    return 0;
}

/* A new span of the chunk (its index in *at), copied from s[0..n). */
static int chunk_span(jsonl_chunk *ch, const char *s, size_t n, size_t *at)
{
    if (ch->n_spans == ch->cap_spans) {
        size_t cap = ch->cap_spans ? ch->cap_spans * 2 : 1024;
        jsonl_off *p = realloc(ch->spans, cap * sizeof *p);
        if (p == NULL)
            return -1;
        ch->spans = p;
        ch->cap_spans = cap;
    }
    *at = ch->n_spans;
    return chunk_copy(ch, s, n, &ch->spans[ch->n_spans++]);
}

/* What an excerpt takes from root, copied into ch; -1 when the line is not
 * a plain good record (read_line() will then say why, check_object()
 * checking the fields in this order). */
static int prepare_line(const quarry_read_options *o, jsonl_chunk *ch,
                        jsonl_line *l, json_t *root)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
    json_t *jid, *jtext, *jcode, *jspeaker, *value;
    const char *key;
    size_t i, at;
    int rc = -1;

    if (!json_is_object(root))
        return -1;
    jid = json_object_get(root, o->id_field);
    if (json_is_string(jid)) {
        if (chunk_copy(ch, json_string_value(jid), json_string_length(jid),
                       &l->id) != 0)
            return -1;
    } else if (json_is_integer(jid)) {
        char idbuf[32];
        int k = snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT,
                         json_integer_value(jid));
        if (chunk_copy(ch, idbuf, k > 0 ? (size_t)k : 0, &l->id) != 0)
            return -1;
    } else {
        return -1;
    }
    jtext = json_object_get(root, o->text_field);
    if (!json_is_string(jtext) ||
        chunk_copy(ch, json_string_value(jtext), json_string_length(jtext),
                   &l->text) != 0)
        return -1;
    jcode = json_object_get(root, o->code_field);
    l->n_codes = 0;
    l->codes_at = ch->n_spans;
    if (json_is_string(jcode)) {
        if (chunk_span(ch, json_string_value(jcode), json_string_length(jcode),
                       &at) != 0)
            return -1;
        l->n_codes = 1;
    } else if (json_is_array(jcode)) {
        json_t *item;
        json_array_foreach(jcode, i, item)
        {
            if (!json_is_string(item) ||
                chunk_span(ch, json_string_value(item),
                           json_string_length(item), &at) != 0)
                return -1;
        }
        l->n_codes = json_array_size(jcode);
    } else if (jcode != NULL && !json_is_null(jcode)) {
        return -1;
    }

    json_incref(jid);
    json_incref(jtext);
    json_incref(jcode);
    json_object_del(root, o->id_field);
    json_object_del(root, o->text_field);
    json_object_del(root, o->code_field);

    l->speaker.off = JSONL_ABSENT;
    l->speaker.len = 0;
    jspeaker = json_object_get(root, "speaker");
    if (json_is_string(jspeaker) &&
        chunk_copy(ch, json_string_value(jspeaker),
                   json_string_length(jspeaker), &l->speaker) != 0)
        goto out;
    l->n_attrs = 0;
    l->attrs_at = ch->n_spans;
    json_object_foreach(root, key, value)
    {
        if (!json_is_string(value))
            continue;
        if (chunk_span(ch, key, strlen(key), &at) != 0 ||
            chunk_span(ch, json_string_value(value), json_string_length(value),
                       &at) != 0)
            goto out;
        l->n_attrs++;
    }
    l->attributes.off = JSONL_ABSENT;
    l->attributes.len = 0;
    if (json_object_size(root) > 0) {
        size_t need, room;
        if (chunk_room(ch, 256) != 0)
            goto out;
        room = ch->cap - ch->len;
        need = json_dumpb(root, ch->bytes + ch->len, room, flags);
        if (need == 0)
            goto out;
        if (need > room) {
            if (chunk_room(ch, need) != 0)
                goto out;
            need =
                json_dumpb(root, ch->bytes + ch->len, ch->cap - ch->len, flags);
            if (need == 0 || need > ch->cap - ch->len)
                goto out;
        }
        l->attributes.off = ch->len;
        l->attributes.len = need;
        ch->len += need;
    }
    rc = 0;
out:
    json_decref(jid);
    json_decref(jtext);
    json_decref(jcode);
    return rc;
}

static void parse_range(const quarry_read_options *o, jsonl_line *l,
                        jsonl_chunk *ch, int64_t b, int64_t e)
{
    int64_t i;
    ch->len = 0;
    ch->n_spans = 0;
    for (i = b; i < e; i++) {
        json_error_t jerr;
        json_t *root = NULL;
        size_t bad;
        l[i].ready = 0;
        if (quarry_utf8_check(l[i].s, l[i].n, &bad) == QUARRY_UTF8_OK)
            root = json_loadb(l[i].s, l[i].n, JSONL_FLAGS, &jerr);
        if (root != NULL) {
            l[i].ready = prepare_line(o, ch, &l[i], root) == 0;
            json_decref(root);
        }
    }
}

static corpus_span span_of(const jsonl_chunk *ch, jsonl_off o)
{
    corpus_span sp;
    sp.s = o.off == JSONL_ABSENT ? NULL : ch->bytes + o.off;
    sp.len = o.len;
    return sp;
}

/* A prepared line to the corpus. */
static int add_prepared(corpus_reader *r, jsonl_state *st,
                        const jsonl_line *l, const jsonl_chunk *ch)
{
    corpus_rec rec;
    size_t k;
    memset(&rec, 0, sizeof rec);
    rec.line = l->line;
    rec.start = rec.end = -1;
    rec.id = span_of(ch, l->id);
    rec.text = span_of(ch, l->text);
    rec.speaker = span_of(ch, l->speaker);
    rec.attributes = span_of(ch, l->attributes);
    if (grow_spans(&st->codes, &st->cap_codes, l->n_codes) != 0 ||
        grow_spans(&st->attrs, &st->cap_attrs, 2 * l->n_attrs) != 0)
        return corpus_nomem(r);
    for (k = 0; k < l->n_codes; k++)
        st->codes[k] = span_of(ch, ch->spans[l->codes_at + k]);
    for (k = 0; k < 2 * l->n_attrs; k++)
        st->attrs[k] = span_of(ch, ch->spans[l->attrs_at + k]);
    rec.codes = st->codes;
    rec.n_codes = l->n_codes;
    rec.attrs = st->attrs;
    rec.n_attrs = l->n_attrs;
    return corpus_add(r, &rec);
}

/* ---------------------------------------------------------------- */
/* A line that could not be prepared: what is wrong, as a message      */

static int check_codes(corpus_reader *r, int64_t line, json_t *jcode)
{
    const char *cf = r->o.code_field;
    size_t i;
    json_t *item;

    if (jcode == NULL || json_is_null(jcode) || json_is_string(jcode))
        return 0;
    if (!json_is_array(jcode))
        return corpus_fail(r, QUARRY_EPARSE, line, cf,
                           "must be a string, a list of strings or null, "
                           "not %s",
                           corpus_json_type(jcode));
    json_array_foreach(jcode, i, item)
    {
        if (!json_is_string(item))
            return corpus_fail(r, QUARRY_EPARSE, line, cf,
                               "item %zu of the list is %s, not a string",
                               i + 1, corpus_json_type(item));
    }
    return 0;
}

/* The fields prepare_line() needs, checked in its order: 0 when they are
 * as it wants them, else the message. */
static int check_object(corpus_reader *r, int64_t line, json_t *root)
{
    const quarry_read_options *o = &r->o;
    json_t *jid = json_object_get(root, o->id_field),
           *jtext = json_object_get(root, o->text_field);

    if (jid == NULL)
        return corpus_fail(r, QUARRY_EPARSE, line, o->id_field, "missing");
    if (!json_is_string(jid) && !json_is_integer(jid))
        return corpus_fail(r, QUARRY_EPARSE, line, o->id_field,
                           "must be a string or an integer, not %s",
                           corpus_json_type(jid));
    if (jtext == NULL)
        return corpus_fail(r, QUARRY_EPARSE, line, o->text_field, "missing");
    if (!json_is_string(jtext))
        return corpus_fail(r, QUARRY_EPARSE, line, o->text_field,
                           "must be a string, not %s", corpus_json_type(jtext));
    return check_codes(r, line, json_object_get(root, o->code_field));
}

/* A line the workers could not prepare, read again by the in-order task:
 * the message a one-thread read gives, or (when a worker only ran out of
 * memory) the excerpt. */
static int read_line(corpus_reader *r, jsonl_state *st, int64_t line,
                     const char *s, size_t n)
{
    size_t bad;
    quarry_utf8_problem p = quarry_utf8_check(s, n, &bad);
    json_error_t jerr;
    json_t *root;
    jsonl_line l;
    int rc;

    if (p != QUARRY_UTF8_OK) {
        char field[128];
        const char *f = field_of_bad_byte(s, n, bad, field, sizeof field);
        return corpus_fail_bytes(r, (int)p, line, f, bad + 1);
    }
    root = json_loadb(s, n, JSONL_FLAGS, &jerr);
    if (root == NULL)
        return corpus_fail(r, QUARRY_EPARSE, line, NULL,
                           "malformed JSON: %s (column %d)", jerr.text,
                           jerr.column);
    if (!json_is_object(root)) {
        rc = corpus_fail(r, QUARRY_EPARSE, line, NULL,
                         "not a JSON object but %s (JSON Lines wants one "
                         "object a line)",
                         corpus_json_type(root));
    } else if ((rc = check_object(r, line, root)) == 0) {
        memset(&l, 0, sizeof l);
        l.line = line;
        st->one.len = 0;
        st->one.n_spans = 0;
        rc = prepare_line(&r->o, &st->one, &l, root) == 0
                 ? add_prepared(r, st, &l, &st->one)
                 : corpus_nomem(r);
    }
    json_decref(root);
    return rc;
}

/* Add the prepared lines in order; a bad line is listed (corpus_bad) and
 * the next one read. */
static int add_batch(corpus_reader *r, jsonl_state *st, jsonl_line *l,
                     const jsonl_chunk *chunks, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        int rc = l[i].ready
                     ? add_prepared(r, st, &l[i], &chunks[i / JSONL_GRAIN])
                     : read_line(r, st, l[i].line, l[i].s, l[i].n);
        rc = corpus_bad(r, rc);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Task 0 adds the previous batch; task t >= 1 parses chunk t - 1. */
static int round_task(void *p, int64_t b, int64_t e, int worker)
{
    jsonl_round *rd = p;
    int64_t t;
    (void)worker;
    for (t = b; t < e; t++) {
        if (t == 0) {
            if (rd->add != NULL)
                rd->status =
                    add_batch(rd->r, rd->st, rd->add, rd->add_ch, rd->n_add);
        } else {
            int64_t c0 = (t - 1) * JSONL_GRAIN;
            int64_t c1 = c0 + JSONL_GRAIN < rd->n_parse ? c0 + JSONL_GRAIN
                                                       : rd->n_parse;
            parse_range(&rd->r->o, rd->parse, &rd->parse_ch[t - 1], c0, c1);
        }
    }
    return 0;
}

/* Cut the next batch of non-blank lines from *pos; returns its size. */
static int64_t cut_batch(const char *buf, size_t len, size_t *pos,
                         int64_t *line, jsonl_line *batch, int64_t cap)
{
    int64_t nb = 0;
    while (nb < cap && *pos < len) {
        const char *nl = memchr(buf + *pos, '\n', len - *pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *s = buf + *pos;
        size_t n = end - *pos;

        (*line)++;
        *pos = nl ? end + 1 : len;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (is_blank_line(s, n))
            continue;
        batch[nb].s = s;
        batch[nb].n = n;
        batch[nb].line = *line;
        batch[nb].ready = 0;
        nb++;
    }
    return nb;
}

/* Lines in a batch: JSONL_BATCH, or as many as the input has (at most
 * that many newlines counted, so a one-line file allocates for one line,
 * not for two full batches of 1.6 MB). */
static int64_t batch_size(const char *buf, size_t len, size_t pos)
{
    int64_t lines = 1;
    while (lines < JSONL_BATCH && pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (nl == NULL)
            break;
        pos = (size_t)(nl - buf) + 1;
        lines += pos < len;
    }
    return lines;
}

int corpus_read_jsonl(corpus_reader *r, const char *buf, size_t len)
{
    jsonl_state st;
    jsonl_line *batch[2];
    jsonl_chunk *chunks[2];
    int64_t n[2] = {0, 0}, line = 0, cap, n_chunks;
    size_t pos = r->begin;
    int cur = 0, rc = 0, b, k;

    memset(&st, 0, sizeof st);
    cap = batch_size(buf, len, pos);
    n_chunks = (cap + JSONL_GRAIN - 1) / JSONL_GRAIN;
    batch[0] = malloc((size_t)cap * sizeof *batch[0]);
    batch[1] = malloc((size_t)cap * sizeof *batch[1]);
    chunks[0] = calloc((size_t)n_chunks, sizeof *chunks[0]);
    chunks[1] = calloc((size_t)n_chunks, sizeof *chunks[1]);
    if (batch[0] == NULL || batch[1] == NULL || chunks[0] == NULL ||
        chunks[1] == NULL) {
        rc = corpus_nomem(r);
        goto out;
    }
    /* jansson seeds its hash function on first use; do it here, before
     * any worker parses. */
    json_object_seed(0);
    /* batch[cur] is prepared and waits to be added; the other is cut and
     * parsed meanwhile. */
    for (;;) {
        jsonl_round rd;
        int next = 1 - cur;
        n[next] = rc == 0 ? cut_batch(buf, len, &pos, &line, batch[next], cap)
                   : 0;
        if (n[cur] == 0 && n[next] == 0)
            break;
        rd.r = r;
        rd.st = &st;
        rd.add = n[cur] > 0 ? batch[cur] : NULL;
        rd.add_ch = chunks[cur];
        rd.n_add = n[cur];
        rd.parse = batch[next];
        rd.parse_ch = chunks[next];
        rd.n_parse = n[next];
        rd.status = 0;
        parallel_for(r->threads, 1 + (n[next] + JSONL_GRAIN - 1) / JSONL_GRAIN,
                     1, round_task, &rd);
        if (rc == 0)
            rc = rd.status;
        n[cur] = 0;
        cur = next;
        if (rc != 0)
            break;
    }
out:
    for (b = 0; b < 2; b++) {
        for (k = 0; chunks[b] != NULL && k < n_chunks; k++) {
            free(chunks[b][k].bytes);
            free(chunks[b][k].spans);
        }
        free(chunks[b]);
        free(batch[b]);
    }
    free(st.codes);
    free(st.attrs);
    free(st.one.bytes);
    free(st.one.spans);
    return rc;
}
