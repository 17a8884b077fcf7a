/*
 * reader_jsonl.c -- JSON Lines: one object a line, {"id", "text", "code"}
 * plus any other fields, which are kept as attributes.
 *
 * jansson parses each line on its own, so an error names the line and the
 * column jansson gives. Raw bytes are checked for UTF-8 before jansson sees
 * them, to report the exact byte; to also name the field that holds the bad
 * byte, the line is parsed a second time with that byte replaced by a
 * marker character and the object searched for the marker.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "parallel.h"
#include "utf8.h"

#define JSONL_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL)

typedef struct jsonl_state {
    corpus_span *codes;
    size_t cap_codes;
    corpus_span *attrs;
    size_t cap_attrs; /* spans, two a pair */
    char *dump;
    size_t cap_dump;
} jsonl_state;

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

/* ---------------------------------------------------------------- */
/* One line */

static int read_codes(corpus_reader *r, jsonl_state *st, int64_t line,
                      json_t *jcode, size_t *n_codes)
{
    const char *cf = r->o.code_field;
    size_t i;
    json_t *item;

    *n_codes = 0;
    if (jcode == NULL || json_is_null(jcode))
        return 0;
    if (json_is_string(jcode)) {
        if (grow_spans(&st->codes, &st->cap_codes, 1) != 0)
            return corpus_nomem(r);
        st->codes[0].s = json_string_value(jcode);
        st->codes[0].len = json_string_length(jcode);
        *n_codes = 1;
        return 0;
    }
    if (!json_is_array(jcode))
        return corpus_fail(r, QUARRY_EPARSE, line, cf,
                           "must be a string, a list of strings or null, "
                           "not %s",
                           corpus_json_type(jcode));
    if (grow_spans(&st->codes, &st->cap_codes, json_array_size(jcode)) != 0)
        return corpus_nomem(r);
    json_array_foreach(jcode, i, item)
    {
        if (!json_is_string(item))
            return corpus_fail(r, QUARRY_EPARSE, line, cf,
                               "item %zu of the list is %s, not a string",
                               i + 1, corpus_json_type(item));
        st->codes[i].s = json_string_value(item);
        st->codes[i].len = json_string_length(item);
    }
    *n_codes = json_array_size(jcode);
    return 0;
}

/* Compact JSON of the fields left in root (id, text and code removed). */
static int dump_attributes(corpus_reader *r, jsonl_state *st, json_t *root,
                           corpus_span *out)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
    size_t need;

    out->s = NULL;
    out->len = 0;
    if (json_object_size(root) == 0)
        return 0;
    need = json_dumpb(root, st->dump, st->cap_dump, flags);
    if (need == 0)
        return corpus_nomem(r);
    if (need > st->cap_dump) {
        size_t cap = st->cap_dump ? st->cap_dump : 256;
        char *p;
        while (cap < need)
            cap *= 2;
        p = realloc(st->dump, cap);
        if (p == NULL)
            return corpus_nomem(r);
        st->dump = p;
        st->cap_dump = cap;
        need = json_dumpb(root, st->dump, st->cap_dump, flags);
        if (need == 0 || need > st->cap_dump)
            return corpus_nomem(r);
    }
    out->s = st->dump;
    out->len = need;
    return 0;
}

static int read_object(corpus_reader *r, jsonl_state *st, int64_t line,
                       json_t *root)
{
    const quarry_read_options *o = &r->o;
    json_t *jid, *jtext, *jcode, *jspeaker, *value;
    corpus_rec rec;
    char idbuf[32];
    const char *key;
    size_t n_attrs = 0;
    int rc;

    memset(&rec, 0, sizeof rec);
    rec.line = line;
    rec.start = rec.end = -1;

    jid = json_object_get(root, o->id_field);
    if (jid == NULL)
        return corpus_fail(r, QUARRY_EPARSE, line, o->id_field, "missing");
    if (json_is_string(jid)) {
        rec.id.s = json_string_value(jid);
        rec.id.len = json_string_length(jid);
    } else if (json_is_integer(jid)) {
        int k = snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT,
                         json_integer_value(jid));
        rec.id.s = idbuf;
        rec.id.len = k > 0 ? (size_t)k : 0;
    } else {
        return corpus_fail(r, QUARRY_EPARSE, line, o->id_field,
                           "must be a string or an integer, not %s",
                           corpus_json_type(jid));
    }

    jtext = json_object_get(root, o->text_field);
    if (jtext == NULL)
        return corpus_fail(r, QUARRY_EPARSE, line, o->text_field, "missing");
    if (!json_is_string(jtext))
        return corpus_fail(r, QUARRY_EPARSE, line, o->text_field,
                           "must be a string, not %s", corpus_json_type(jtext));
    rec.text.s = json_string_value(jtext);
    rec.text.len = json_string_length(jtext);

    jcode = json_object_get(root, o->code_field);
    rc = read_codes(r, st, line, jcode, &rec.n_codes);
    if (rc != 0)
        return rc;
    rec.codes = st->codes;

    /* What is left are the attributes; the values removed from root stay
     * alive through the references taken here until the record is added. */
    json_incref(jid);
    json_incref(jtext);
    json_incref(jcode); /* NULL-safe */
    json_object_del(root, o->id_field);
    json_object_del(root, o->text_field);
    json_object_del(root, o->code_field);

    jspeaker = json_object_get(root, "speaker");
    if (json_is_string(jspeaker)) {
        rec.speaker.s = json_string_value(jspeaker);
        rec.speaker.len = json_string_length(jspeaker);
    }
    rc = grow_spans(&st->attrs, &st->cap_attrs, 2 * json_object_size(root));
    if (rc != 0) {
        rc = corpus_nomem(r);
        goto out;
    }
    json_object_foreach(root, key, value)
    {
        if (!json_is_string(value))
            continue;
        st->attrs[2 * n_attrs].s = key;
        st->attrs[2 * n_attrs].len = strlen(key);
        st->attrs[2 * n_attrs + 1].s = json_string_value(value);
        st->attrs[2 * n_attrs + 1].len = json_string_length(value);
        n_attrs++;
    }
    rec.attrs = st->attrs;
    rec.n_attrs = n_attrs;
    rc = dump_attributes(r, st, root, &rec.attributes);
    if (rc != 0)
        goto out;
    rc = corpus_add(r, &rec);
out:
    json_decref(jid);
    json_decref(jtext);
    json_decref(jcode);
    return rc;
}

static int read_line(corpus_reader *r, jsonl_state *st, int64_t line,
                     const char *s, size_t n)
{
    size_t bad;
    quarry_utf8_problem p = quarry_utf8_check(s, n, &bad);
    json_error_t jerr;
    json_t *root;
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
    } else {
        rc = read_object(r, st, line, root);
    }
    json_decref(root);
    return rc;
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

/* Lines per batch. Reading is pipelined: while one task turns the trees of
 * batch b into excerpts, in line order, the other workers parse the lines
 * of batch b + 1 into trees; then the roles move on. Only the in-order
 * task touches the corpus, so the excerpts, their order and the first
 * error reported are those of a one-thread read. */
#define JSONL_BATCH 8192
#define JSONL_GRAIN 256

typedef struct jsonl_line {
    const char *s;
    size_t n;
    int64_t line;
    json_t *root; /* NULL: not valid UTF-8 or not JSON; read_line says why */
} jsonl_line;

typedef struct jsonl_round {
    corpus_reader *r;
    jsonl_state *st;
    jsonl_line *add;   /* parsed batch to add, or NULL */
    int64_t n_add;
    jsonl_line *parse; /* batch to parse, or NULL */
    int64_t n_parse;
    int status;        /* of the adding task */
} jsonl_round;

static void parse_range(jsonl_line *l, int64_t b, int64_t e)
{
    int64_t i;
    for (i = b; i < e; i++) {
        json_error_t jerr;
        size_t bad;
        l[i].root = NULL;
        if (quarry_utf8_check(l[i].s, l[i].n, &bad) == QUARRY_UTF8_OK)
            l[i].root = json_loadb(l[i].s, l[i].n, JSONL_FLAGS, &jerr);
    }
}

/* Add the parsed lines in order; every tree is released. */
static int add_batch(corpus_reader *r, jsonl_state *st, jsonl_line *l,
                     int64_t n)
{
    int64_t i;
    int rc = 0;
    for (i = 0; i < n; i++) {
        json_t *root = l[i].root;
        l[i].root = NULL;
        if (rc != 0) {
            json_decref(root);
            continue;
        }
        if (root == NULL)
            /* Again, for the message. */
            rc = read_line(r, st, l[i].line, l[i].s, l[i].n);
        else if (!json_is_object(root))
            rc = corpus_fail(r, QUARRY_EPARSE, l[i].line, NULL,
                             "not a JSON object but %s (JSON Lines wants "
                             "one object a line)",
                             corpus_json_type(root));
        else
            rc = read_object(r, st, l[i].line, root);
        json_decref(root);
    }
    return rc;
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
                rd->status = add_batch(rd->r, rd->st, rd->add, rd->n_add);
        } else {
            int64_t c0 = (t - 1) * JSONL_GRAIN;
            int64_t c1 = c0 + JSONL_GRAIN < rd->n_parse ? c0 + JSONL_GRAIN
                                                       : rd->n_parse;
            parse_range(rd->parse, c0, c1);
        }
    }
    return 0;
}

/* Cut the next batch of non-blank lines from *pos; returns its size. */
static int64_t cut_batch(const char *buf, size_t len, size_t *pos,
                         int64_t *line, jsonl_line *batch)
{
    int64_t nb = 0;
    while (nb < JSONL_BATCH && *pos < len) {
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
        batch[nb].root = NULL;
        nb++;
    }
    return nb;
}

int corpus_read_jsonl(corpus_reader *r, const char *buf, size_t len)
{
    jsonl_state st;
    jsonl_line *batch[2];
    int64_t n[2] = {0, 0}, line = 0, i;
    size_t pos = r->begin;
    int cur = 0, rc = 0;

    memset(&st, 0, sizeof st);
    batch[0] = malloc(JSONL_BATCH * sizeof *batch[0]);
    batch[1] = malloc(JSONL_BATCH * sizeof *batch[1]);
    if (batch[0] == NULL || batch[1] == NULL) {
        free(batch[0]);
        free(batch[1]);
        return corpus_nomem(r);
    }
    /* jansson seeds its hash function on first use; do it here, before
     * any worker parses. */
    json_object_seed(0);
    /* batch[cur] is parsed and waits to be added; the other is cut and
     * parsed meanwhile. */
    for (;;) {
        jsonl_round rd;
        int next = 1 - cur;
        n[next] = rc == 0 ? cut_batch(buf, len, &pos, &line, batch[next]) : 0;
        if (n[cur] == 0 && n[next] == 0)
            break;
        rd.r = r;
        rd.st = &st;
        rd.add = n[cur] > 0 ? batch[cur] : NULL;
        rd.n_add = n[cur];
        rd.parse = batch[next];
        rd.n_parse = n[next];
        rd.status = 0;
        parallel_for(r->threads, 1 + (n[next] + JSONL_GRAIN - 1) / JSONL_GRAIN,
                     1, round_task, &rd);
        if (rc == 0)
            rc = rd.status;
        n[cur] = 0;
        cur = next;
        if (rc != 0) {
            for (i = 0; i < n[cur]; i++)
                json_decref(batch[cur][i].root);
            n[cur] = 0;
            break;
        }
    }
    free(batch[0]);
    free(batch[1]);
    free(st.codes);
    free(st.attrs);
    free(st.dump);
    return rc;
}
