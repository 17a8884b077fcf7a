/*
 * corpus.c -- quarry_corpus_*: excerpts read from JSONL, CSV and speaker
 * turn transcripts, kept compactly and read transactionally.
 *
 * Storage is sized for a million excerpts: strings live in two arenas
 * (no malloc per string), excerpts in fixed blocks of 1024 that never
 * move, ids in an open-addressing hash table of 8-byte slots that refer to
 * excerpts by index. Codes, speakers, attribute keys and source names
 * repeat, so they are interned once in a pool that a rollback leaves alone
 * (unreachable leftovers of a failed read cost a few bytes and no
 * behaviour).
 *
 * A read is a transaction: quarry_corpus_read_buffer() marks the arena
 * and the excerpt count, the reader appends, and on any failure the new
 * excerpts' ids are deleted from the table, the count and the arena go
 * back to the mark, and only the message remains. A bad record does not
 * end the reader (corpus_bad): the message lists the first 20, so that a
 * user mends them in one go; the file is refused all the same. Excerpts
 * with empty text are left out and counted, and one notice says so when
 * the read succeeds (strict refuses them as bad records instead).
 */
#include "buf.h"
#include "corpus.h"
#include "decode.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "codebook.h"
#include "utf8.h"

/* One message is at most CORPUS_ONE_MAX bytes; the list of bad records
 * holds CORPUS_BAD_LIST of them. */
#define CORPUS_ONE_MAX 1024
#define CORPUS_ERR_MAX ((CORPUS_BAD_LIST + 2) * CORPUS_ONE_MAX)
/* check_rec(): the record is left out (empty text), not an error. */
#define CORPUS_SKIP 1
#define BLOCK_SHIFT 10
#define BLOCK_SIZE ((size_t)1 << BLOCK_SHIFT)
#define BLOCK_MASK (BLOCK_SIZE - 1)
/* Refs in the hash tables are 32-bit; the last values are reserved. */
#define CORPUS_MAX_EXCERPTS ((size_t)UINT32_MAX - 2)

/* ------------------------------------------------------------------ */
/* An open-addressing string table (linear probing). A slot holds the
 * 32-bit hash above the ref + 1 (0 = empty); the key itself is found
 * through the ref, so a slot costs 8 bytes. Deletion shifts entries back
 * (Knuth's algorithm R), so it needs no tombstones and works in any order. */

typedef struct idtab {
    uint64_t *slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
} idtab;

/* The NUL-terminated key of ref. */
typedef const char *(*idtab_key_fn)(const quarry_corpus *c, uint32_t ref);

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a, then a murmur3 finaliser */
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint64_t slot_of(uint32_t hash, uint32_t ref)
{
    return ((uint64_t)hash << 32) | ((uint64_t)ref + 1);
}

/* The ref of key s[0..len) (no NUL inside), or -1. */
static int64_t idtab_find(const idtab *t, const quarry_corpus *c,
                          idtab_key_fn key, const char *s, size_t len,
                          uint32_t hash)
{
    size_t mask, i;

    if (t->cap == 0)
        return -1;
    mask = t->cap - 1;
    for (i = hash & mask;; i = (i + 1) & mask) {
        uint64_t v = t->slots[i];
        if (v == 0)
            return -1;
        if ((uint32_t)(v >> 32) == hash) {
            uint32_t ref = (uint32_t)v - 1;
            const char *k = key(c, ref);
            /* strncmp stops at k's NUL, so a shorter k is never overrun. */
            if (strncmp(k, s, len) == 0 && k[len] == '\0')
                return ref;
        }
    }
}

static void idtab_place(uint64_t *slots, size_t cap, uint64_t v)
{
    size_t mask = cap - 1, i = (uint32_t)(v >> 32) & mask;

    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = v;
}

/* Make room for one more entry (load kept under 0.7). */
static int idtab_reserve(idtab *t)
{
    size_t cap, i;
    uint64_t *slots;

    if (t->cap != 0 && (t->n + 1) * 10 <= t->cap * 7)
        return 0;
    cap = t->cap ? t->cap * 2 : 1024;
    if (cap > SIZE_MAX / sizeof *slots || cap > ((size_t)1 << 32))
        return QUARRY_ENOMEM;
    slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < t->cap; i++)
        if (t->slots[i] != 0)
            idtab_place(slots, cap, t->slots[i]);
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* Insert an absent key; idtab_reserve() must have succeeded. */
static void idtab_insert(idtab *t, uint32_t hash, uint32_t ref)
{
    idtab_place(t->slots, t->cap, slot_of(hash, ref));
    t->n++;
}

static void idtab_remove(idtab *t, uint32_t hash, uint32_t ref)
{
    uint64_t want = slot_of(hash, ref);
    size_t mask, i, j;

    if (t->cap == 0)
        return;
    mask = t->cap - 1;
    for (i = hash & mask; t->slots[i] != want; i = (i + 1) & mask)
        if (t->slots[i] == 0)
            return; /* not there */
    t->slots[i] = 0;
    t->n--;
    /* Shift back every later entry of the run that the hole would cut off
     * from its home slot. */
    for (j = (i + 1) & mask; t->slots[j] != 0; j = (j + 1) & mask) {
        size_t home = (uint32_t)(t->slots[j] >> 32) & mask;
        int movable =
            (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            t->slots[i] = t->slots[j];
            t->slots[j] = 0;
            i = j;
        }
    }
}

/* ------------------------------------------------------------------ */
/* The corpus */

typedef struct corpus_entry {
    quarry_excerpt ex;
    const char *const *attrs; /* n_attrs key/value pairs */
    size_t n_attrs;
} corpus_entry;

struct quarry_corpus {
    quarry_arena arena; /* excerpt strings; rolled back with failed reads */
    quarry_arena pool;  /* interned strings; never rolled back */
    corpus_entry **blocks;
    size_t n_blocks, cap_blocks;
    size_t n;       /* excerpts */
    idtab ids;      /* ref = excerpt index */
    idtab pool_tab; /* ref = index into pooled */
    const char **pooled;
    size_t n_pooled, cap_pooled;
    char err[CORPUS_ERR_MAX];
    int threads; /* parsing workers of later reads; 0 = every core */
    /* corpus_read_file_text: where the text of the file read goes. */
    char **keep_text;
    size_t *keep_len;
};

static const char *const no_codes[1] = {NULL};
static const char empty_object[] = "{}";

static corpus_entry *entry_at(const quarry_corpus *c, size_t i)
{
    return &c->blocks[i >> BLOCK_SHIFT][i & BLOCK_MASK];
}

static const char *id_key(const quarry_corpus *c, uint32_t ref)
{
    return entry_at(c, ref)->ex.id;
}

static const char *pool_key(const quarry_corpus *c, uint32_t ref)
{
    return c->pooled[ref];
}

const char *corpus_intern(quarry_corpus *c, const char *s, size_t len)
{
    uint32_t h = hash_bytes(s, len);
    int64_t ref = idtab_find(&c->pool_tab, c, pool_key, s, len, h);
    char *copy;

    if (ref >= 0)
        return c->pooled[ref];
    if (c->n_pooled >= CORPUS_MAX_EXCERPTS)
        return NULL;
    if (c->n_pooled == c->cap_pooled) {
        size_t cap = c->cap_pooled ? c->cap_pooled * 2 : 64;
        const char **p = realloc(c->pooled, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        c->pooled = p;
        c->cap_pooled = cap;
    }
    if (idtab_reserve(&c->pool_tab) != 0)
        return NULL;
    copy = quarry_arena_strndup(&c->pool, s, len);
    if (copy == NULL)
        return NULL;
    c->pooled[c->n_pooled] = copy;
    idtab_insert(&c->pool_tab, h, (uint32_t)c->n_pooled);
    c->n_pooled++;
    return copy;
}

int quarry_corpus_new(quarry_corpus **out)
{
    quarry_corpus *c;

    if (out == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return QUARRY_ENOMEM;
    *out = c;
    return QUARRY_OK;
}

void quarry_corpus_free(quarry_corpus *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n_blocks; i++)
        free(c->blocks[i]);
    free(c->blocks);
    free(c->ids.slots);
    free(c->pool_tab.slots);
    free(c->pooled);
    quarry_arena_free(&c->arena);
    quarry_arena_free(&c->pool);
    free(c);
}

const char *quarry_corpus_errmsg(const quarry_corpus *c)
{
    if (c == NULL)
        return "no corpus";
    return c->err;
}

size_t quarry_corpus_size(const quarry_corpus *c)
{
    return c ? c->n : 0;
}

/* The pointer stays valid until quarry_corpus_free(): excerpts live in
 * blocks that never move, and their strings in arenas that never move. A
 * failed read only removes excerpts it added itself. */
const quarry_excerpt *quarry_corpus_at(const quarry_corpus *c, size_t i)
{
    if (c == NULL || i >= c->n)
        return NULL;
    return &entry_at(c, i)->ex;
}

const char *quarry_corpus_attribute(const quarry_corpus *c, size_t i,
                                    const char *key)
{
    const corpus_entry *e;
    size_t k;

    if (c == NULL || key == NULL || i >= c->n)
        return NULL;
    e = entry_at(c, i);
    for (k = 0; k < e->n_attrs; k++)
        if (strcmp(e->attrs[2 * k], key) == 0)
            return e->attrs[2 * k + 1];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Messages */

const char *corpus_quote(const char *s, size_t len, char *buf, size_t cap)
{
    size_t n, i;

    if (cap == 0)
        return buf;
    n = len;
    if (n > cap - 1) {
        n = cap > 4 ? quarry_utf8_cut(s, len, cap - 4) : 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (n < len && cap > 4) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static void set_errv(quarry_corpus *c, const char *name, int64_t line,
                     const char *field, const char *fmt, va_list ap)
{
    size_t cap = CORPUS_ONE_MAX, n = 0;
    int k;

    k = line > 0 ? snprintf(c->err, cap, "%s:%lld: ", name, (long long)line)
                 : snprintf(c->err, cap, "%s: ", name);
    if (k > 0)
        n = (size_t)k < cap ? (size_t)k : cap - 1;
    if (field != NULL && n < cap) {
        k = snprintf(c->err + n, cap - n, "field \"%s\": ", field);
        if (k > 0)
            n += (size_t)k < cap - n ? (size_t)k : cap - n - 1;
    }
    if (n < cap)
        vsnprintf(c->err + n, cap - n, fmt, ap);
    /* A cut message must not end inside a UTF-8 sequence. */
    n = strlen(c->err);
    c->err[quarry_utf8_cut(c->err, n, n)] = '\0';
}

int corpus_fail(corpus_reader *r, int status, int64_t line, const char *field,
                const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_errv(r->c, r->name, line, field, fmt, ap);
    va_end(ap);
    return status;
}

int corpus_nomem(corpus_reader *r)
{
    return corpus_fail(r, QUARRY_ENOMEM, 0, NULL, "out of memory");
}

int corpus_fail_bytes(corpus_reader *r, int kind, int64_t line,
                      const char *field, size_t col)
{
    if (kind == QUARRY_UTF8_NUL)
        return corpus_fail(r, QUARRY_EPARSE, line, field,
                           "NUL byte at byte %zu of the line (UTF-16 text "
                           "without its byte-order mark? import it with "
                           "--encoding utf-16le)",
                           col);
    return corpus_fail(r, QUARRY_EUTF8, line, field,
                       "invalid UTF-8 at byte %zu of the line: the file is "
                       "in another encoding, most likely Windows-1252 (what "
                       "Excel and Word save on Windows): import it with "
                       "--encoding windows-1252 (on the web page: Encoding), "
                       "or save it again as UTF-8 (Save As, Encoding UTF-8)",
                       col);
}

static int fail_plain(quarry_corpus *c, int status, const char *name,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int fail_plain(quarry_corpus *c, int status, const char *name,
                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_errv(c, name, 0, NULL, fmt, ap);
    va_end(ap);
    return status;
}

int64_t corpus_line_at(const char *buf, size_t pos, int64_t line, size_t off)
{
    /* A line ends at LF, CR LF or a CR alone (old Mac files); a CR just
     * before off ends the line off starts. */
    for (; pos < off; pos++)
        if (buf[pos] == '\n' ||
            (buf[pos] == '\r' && (pos + 1 == off || buf[pos + 1] != '\n')))
            line++;
    return line;
}

/* ------------------------------------------------------------------ */
/* Appending a record */

static int grow_blocks(quarry_corpus *c)
{
    size_t need = (c->n >> BLOCK_SHIFT) + 1;

    if (need <= c->n_blocks)
        return 0;
    if (c->n_blocks == c->cap_blocks) {
        size_t cap = c->cap_blocks ? c->cap_blocks * 2 : 16;
        corpus_entry **b = realloc(c->blocks, cap * sizeof *b);
        if (b == NULL)
            return QUARRY_ENOMEM;
        c->blocks = b;
        c->cap_blocks = cap;
    }
    c->blocks[c->n_blocks] = malloc(BLOCK_SIZE * sizeof(corpus_entry));
    if (c->blocks[c->n_blocks] == NULL)
        return QUARRY_ENOMEM;
    c->n_blocks++;
    return 0;
}

static int has_nul(corpus_span sp)
{
    return sp.len > 0 && memchr(sp.s, '\0', sp.len) != NULL;
}

static int check_rec(corpus_reader *r, const corpus_rec *rec)
{
    const quarry_read_options *o = &r->o;
    size_t k, n_codes = 0;

    if (rec->id.len == 0)
        return corpus_fail(r, QUARRY_EPARSE, rec->line, o->id_field,
                           "empty id");
    if (has_nul(rec->id))
        return corpus_fail(r, QUARRY_EPARSE, rec->line, o->id_field,
                           "NUL character in the id");
    if (has_nul(rec->text))
        return corpus_fail(
            r, QUARRY_EPARSE, rec->line, o->text_field,
            "NUL character at byte %zu of the text",
            (size_t)((const char *)memchr(rec->text.s, '\0', rec->text.len) -
                     rec->text.s) +
                1);
    if (!o->allow_empty && quarry_utf8_is_blank(rec->text.s, rec->text.len))
        return o->strict ? corpus_fail(r, QUARRY_EPARSE, rec->line,
                                       o->text_field,
                                       "empty text")
                         : CORPUS_SKIP;
    if (o->max_excerpt_bytes > 0 && rec->text.len > o->max_excerpt_bytes)
        return corpus_fail(r, QUARRY_ERANGE, rec->line, o->text_field,
                           "excerpt of %zu bytes is over max_excerpt_bytes "
                           "(%zu)",
                           rec->text.len, o->max_excerpt_bytes);
    if (rec->speaker.s != NULL && has_nul(rec->speaker))
        return corpus_fail(r, QUARRY_EPARSE, rec->line, "speaker",
                           "NUL character in the speaker");
    for (k = 0; k < rec->n_codes; k++) {
        if (has_nul(rec->codes[k]))
            return corpus_fail(r, QUARRY_EPARSE, rec->line, o->code_field,
                               "NUL character in a code");
        if (rec->codes[k].len > 0)
            n_codes++;
    }
    if (o->require_code && n_codes == 0)
        return corpus_fail(r, QUARRY_EPARSE, rec->line, o->code_field,
                           "no code, and every excerpt needs one here");
    return 0;
}

static int check_duplicate(corpus_reader *r, const corpus_rec *rec,
                           uint32_t hash)
{
    quarry_corpus *c = r->c;
    int64_t prev = idtab_find(&c->ids, c, id_key, rec->id.s, rec->id.len, hash);
    const quarry_excerpt *p;
    char q[128];

    if (prev < 0)
        return 0;
    p = &entry_at(c, (size_t)prev)->ex;
    corpus_quote(rec->id.s, rec->id.len, q, sizeof q);
    if ((size_t)prev >= r->first)
        return corpus_fail(r, QUARRY_EDUP, rec->line, r->o.id_field,
                           "duplicate id \"%s\" (first on line %lld)", q,
                           (long long)p->line);
    return corpus_fail(r, QUARRY_EDUP, rec->line, r->o.id_field,
                       "duplicate id \"%s\" (first in %s:%lld)", q, p->source,
                       (long long)p->line);
}

/* Whether two names are equal ignoring case (code point by code point,
 * simple lower-casing: "Stress" and "STRESS", "Überlastung" and
 * "überlastung"). */
static int same_name(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);

    while (na > 0 && nb > 0) {
        int32_t ca, cb;
        size_t sa = quarry_utf8_decode(a, na, &ca),
               sb = quarry_utf8_decode(b, nb, &cb);
        if (sa == 0 || sb == 0)
            return 0;
        if (ca != cb && quarry_utf8_tolower(ca) != quarry_utf8_tolower(cb))
            return 0;
        a += sa;
        na -= sa;
        b += sb;
        nb -= sb;
    }
    return na == 0 && nb == 0;
}

/* The id of code (interned) in the codebook: code itself when it is an id,
 * else the one code whose name it is. Fails naming the line when the name
 * is no code's, or two codes'. */
static int resolve_code(corpus_reader *r, const corpus_rec *rec,
                        const char *code, const char **out)
{
    const quarry_codebook *cb = r->o.codebook;
    int32_t i, first = -1, second = -1;
    size_t k;
    char q[128];

    for (k = 0; k < r->n_names; k++) {
        if (r->names_from[k] == code) {
            *out = r->names_to[k];
            return 0;
        }
    }
    if (quarry_codebook_find(cb, code) >= 0) {
        *out = code;
    } else {
        for (i = 0; i < cb->n_codes && second < 0; i++) {
            const char *name = cb->codes[i].name;
            if (name != NULL && same_name(name, code)) {
                if (first < 0)
                    first = i;
                else
                    second = i;
            }
        }
        corpus_quote(code, strlen(code), q, sizeof q);
        if (first < 0)
            return corpus_fail(r, QUARRY_EPARSE, rec->line, r->o.code_field,
                               "unknown code \"%s\" (not in %s)", q,
                               cb->name);
        if (second >= 0)
            return corpus_fail(r, QUARRY_EPARSE, rec->line, r->o.code_field,
                               "\"%s\" is the name of two codes in %s, "
                               "\"%s\" and \"%s\": give the id",
                               q, cb->name, cb->codes[first].id,
                               cb->codes[second].id);
        *out = corpus_intern(r->c, cb->codes[first].id,
                             strlen(cb->codes[first].id));
        if (*out == NULL)
            return corpus_nomem(r);
    }
    /* Remember it: a file names the same few codes on every row. */
    if (quarry_grow(&r->names_from, &r->cap_names, r->n_names + 1,
                    sizeof *r->names_from) != 0)
        return corpus_nomem(r);
    {
        size_t cap = r->cap_names;
        const char **to = realloc(r->names_to, cap * sizeof *to);
        if (to == NULL)
            return corpus_nomem(r);
        r->names_to = to;
    }
    r->names_from[r->n_names] = code;
    r->names_to[r->n_names] = *out;
    r->n_names++;
    return 0;
}

int corpus_bad(corpus_reader *r, int rc)
{
    if (rc >= 0 || rc == QUARRY_ENOMEM)
        return rc;
    if (r->n_bad == 0)
        r->bad_status = rc;
    if (r->n_bad < CORPUS_BAD_LIST) {
        r->bad[r->n_bad] = strdup(r->c->err);
        if (r->bad[r->n_bad] == NULL)
            return corpus_nomem(r);
    }
    r->n_bad++;
    return 0;
}

int corpus_add(corpus_reader *r, const corpus_rec *rec)
{
    quarry_corpus *c = r->c;
    corpus_entry *e;
    uint32_t hash;
    const char **codes = NULL, **attrs = NULL;
    size_t k, n_codes = 0, n_attrs = 0;
    int rc;

    rc = check_rec(r, rec);
    if (rc == CORPUS_SKIP) {
        if (r->n_empty < CORPUS_EMPTY_LINES)
            r->empty_lines[r->n_empty] = rec->line;
        r->n_empty++;
        return 0;
    }
    if (rc != 0)
        return rc;
    hash = hash_bytes(rec->id.s, rec->id.len);
    rc = check_duplicate(r, rec, hash);
    if (rc != 0)
        return rc;
    if (c->n >= CORPUS_MAX_EXCERPTS)
        return corpus_fail(r, QUARRY_ERANGE, rec->line, NULL,
                           "the corpus is full (%zu excerpts)", c->n);
    if (grow_blocks(c) != 0 || idtab_reserve(&c->ids) != 0)
        return corpus_nomem(r);

    e = entry_at(c, c->n);
    memset(e, 0, sizeof *e);
    e->ex.id = quarry_arena_strndup(&c->arena, rec->id.s, rec->id.len);
    e->ex.text = quarry_arena_strndup(&c->arena, rec->text.s, rec->text.len);
    if (e->ex.id == NULL || e->ex.text == NULL)
        return corpus_nomem(r);
    e->ex.text_len = rec->text.len;
    e->ex.source = r->source;
    if (rec->speaker.s != NULL) {
        e->ex.speaker = corpus_intern(c, rec->speaker.s, rec->speaker.len);
        if (e->ex.speaker == NULL)
            return corpus_nomem(r);
    }
    e->ex.line = rec->line;
    e->ex.start = rec->start;
    e->ex.end = rec->end;

    /* Codes: interned, empty ones dropped, repeats dropped, NULL-ended. */
    e->ex.codes = no_codes;
    if (rec->n_codes > 0) {
        codes =
            quarry_arena_alloc(&c->arena, (rec->n_codes + 1) * sizeof *codes,
                               _Alignof(const char *));
        if (codes == NULL)
            return corpus_nomem(r);
        for (k = 0; k < rec->n_codes; k++) {
            const char *code;
            size_t j;
            if (rec->codes[k].len == 0)
                continue;
            code = corpus_intern(c, rec->codes[k].s, rec->codes[k].len);
            if (code == NULL)
                return corpus_nomem(r);
            if (r->o.codebook != NULL &&
                (rc = resolve_code(r, rec, code, &code)) != 0)
                return rc;
            for (j = 0; j < n_codes && codes[j] != code; j++)
                ;
            if (j == n_codes)
                codes[n_codes++] = code;
        }
        codes[n_codes] = NULL;
        if (n_codes > 0)
            e->ex.codes = codes;
    }
    e->ex.n_codes = (int32_t)n_codes;

    /* String attributes for quarry_corpus_attribute(). */
    if (rec->n_attrs > 0) {
        attrs = quarry_arena_alloc(&c->arena, 2 * rec->n_attrs * sizeof *attrs,
                                   _Alignof(const char *));
        if (attrs == NULL)
            return corpus_nomem(r);
        for (k = 0; k < rec->n_attrs; k++) {
            corpus_span key = rec->attrs[2 * k], val = rec->attrs[2 * k + 1];
            if (has_nul(key) || has_nul(val))
                continue; /* still in the JSON, not reachable as a C string */
            attrs[2 * n_attrs] = corpus_intern(c, key.s, key.len);
            attrs[2 * n_attrs + 1] =
                quarry_arena_strndup(&c->arena, val.s, val.len);
            if (attrs[2 * n_attrs] == NULL || attrs[2 * n_attrs + 1] == NULL)
                return corpus_nomem(r);
            n_attrs++;
        }
    }
    e->attrs = attrs;
    e->n_attrs = n_attrs;

    e->ex.attributes = empty_object;
    if (rec->attributes.s != NULL &&
        !(rec->attributes.len == 2 &&
          memcmp(rec->attributes.s, "{}", 2) == 0)) {
        e->ex.attributes = quarry_arena_strndup(&c->arena, rec->attributes.s,
                                                rec->attributes.len);
        if (e->ex.attributes == NULL)
            return corpus_nomem(r);
    }

    idtab_insert(&c->ids, hash, (uint32_t)c->n);
    c->n++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reading */

#define KNOWN_FORMATS                                                          \
    "use .jsonl, .json, .ndjson, .csv, .tsv, .txt, .md, .docx, .odt, .srt " \
    "or .vtt, or "   \
    "give the "                                                               \
    "format (jsonl, csv, transcript)"

/* The format of a file from its extension (case-insensitive). A name with
 * no extension is JSONL when stdin_like (standard input, a buffer);
 * otherwise it is an error with the message set. */
static int format_for(quarry_corpus *c, const char *path, const char *name,
                      int stdin_like, quarry_format *out)
{
    static const struct {
        const char *ext;
        quarry_format f;
    } table[] = {
        {"jsonl", QUARRY_FORMAT_JSONL},    {"json", QUARRY_FORMAT_JSONL},
        {"ndjson", QUARRY_FORMAT_JSONL},   {"csv", QUARRY_FORMAT_CSV},
        {"tsv", QUARRY_FORMAT_CSV}, /* the delimiter is told from the header */
        {"txt", QUARRY_FORMAT_TRANSCRIPT}, {"md", QUARRY_FORMAT_TRANSCRIPT},
        {"srt", QUARRY_FORMAT_TRANSCRIPT}, {"vtt", QUARRY_FORMAT_TRANSCRIPT},
        {"docx", QUARRY_FORMAT_TRANSCRIPT}, {"odt", QUARRY_FORMAT_TRANSCRIPT}};
    /* What people save interviews and sheets as that quarry does not
     * read, with what to do instead. */
    static const struct {
        const char *ext, *what;
    } other[] = {
        {"doc", "a Word 97-2003 document: save it as .docx (Word: File, "
                "Save As, Word Document) or as plain text (.txt)"},
        {"rtf", "rich text: save it as .docx or as plain text (.txt)"},
        {"pdf", "a PDF: export its text from the program that made it "
                "(.docx or .txt)"},
        {"pages", "a Pages document: export it as Word (.docx)"},
        {"xlsx", "an Excel workbook: save the sheet as CSV UTF-8 (File, "
                 "Save As, CSV UTF-8)"},
        {"xls", "an Excel workbook: save the sheet as CSV UTF-8 (File, "
                "Save As, CSV UTF-8)"},
        {"ods", "a spreadsheet: save the sheet as CSV (UTF-8)"},
        {"qdpx", "a REFI-QDA project: import it into a project (quarry "
                 "import PROJECT FILE.qdpx)"}};
    const char *base, *dot;
    size_t i;

    /* Standard input, and names like "<stdin>" or "<test>" that are no
     * file's: JSONL. */
    if (path == NULL || strcmp(path, "-") == 0 ||
        (stdin_like && path[0] == '<')) {
        *out = QUARRY_FORMAT_JSONL;
        return 0;
    }
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    if (dot == NULL || dot == base || dot[1] == '\0') {
        if (stdin_like) {
            *out = QUARRY_FORMAT_JSONL;
            return 0;
        }
        return fail_plain(
            c, QUARRY_EINVAL, name,
            "no file extension to tell the format by; " KNOWN_FORMATS);
    }
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcasecmp(dot + 1, table[i].ext) == 0) {
            *out = table[i].f;
            return 0;
        }
    }
    for (i = 0; i < sizeof other / sizeof other[0]; i++)
        if (strcasecmp(dot + 1, other[i].ext) == 0)
            return fail_plain(c, QUARRY_EINVAL, name,
                              "%s is %s; " KNOWN_FORMATS, dot, other[i].what);
    return fail_plain(c, QUARRY_EINVAL, name,
                      "unknown format \"%s\"; " KNOWN_FORMATS, dot);
}

/* The name used in messages: display_name, else the path ("-" is
 * "<stdin>"), else "<buffer>". */
static const char *display_name(const char *path, const quarry_read_options *o)
{
    if (o != NULL && o->display_name != NULL && o->display_name[0] != '\0')
        return strcmp(o->display_name, "-") == 0 ? "<stdin>" : o->display_name;
    if (path == NULL)
        return "<buffer>";
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static int options_init(quarry_corpus *c, const char *name,
                        quarry_read_options *dst, const quarry_read_options *o)
{
    static const quarry_read_options def = QUARRY_READ_OPTIONS_INIT;

    if (o == NULL) {
        *dst = def;
        return 0;
    }
    if (o->version == 1 || o->version == 2) {
        /* A version 1 struct ends before interviewers, a version 2 one
         * before encoding: read only the fields it has. */
        *dst = def;
        memcpy(dst, o,
               o->version == 1 ? offsetof(quarry_read_options, interviewers)
                               : offsetof(quarry_read_options, encoding));
        dst->version = QUARRY_READ_OPTIONS_VERSION;
    } else if (o->version != QUARRY_READ_OPTIONS_VERSION) {
        return fail_plain(c, QUARRY_EINVAL, name,
                          "read options of version %u; this quarry knows "
                          "versions 1 to %u (use QUARRY_READ_OPTIONS_INIT)",
                          (unsigned)o->version,
                          (unsigned)QUARRY_READ_OPTIONS_VERSION);
    } else {
        *dst = *o;
    }
    if (dst->id_field == NULL || dst->id_field[0] == '\0')
        dst->id_field = def.id_field;
    if (dst->text_field == NULL || dst->text_field[0] == '\0')
        dst->text_field = def.text_field;
    if (dst->code_field == NULL || dst->code_field[0] == '\0')
        dst->code_field = def.code_field;
    if ((int)dst->format < QUARRY_FORMAT_AUTO ||
        (int)dst->format > QUARRY_FORMAT_TRANSCRIPT)
        return fail_plain(c, QUARRY_EINVAL, name, "unknown format %d",
                          (int)dst->format);
    if (dst->delimiter != 0 && dst->delimiter != ',' &&
        dst->delimiter != ';' && dst->delimiter != '\t')
        return fail_plain(c, QUARRY_EINVAL, name,
                          "CSV delimiter must be a comma, a semicolon or a "
                          "tab");
    if ((int)dst->segment < QUARRY_SEGMENT_TURN ||
        (int)dst->segment > QUARRY_SEGMENT_SENTENCE)
        return fail_plain(c, QUARRY_EINVAL, name, "unknown segmentation %d",
                          (int)dst->segment);
    if (strcmp(dst->id_field, dst->text_field) == 0 ||
        strcmp(dst->id_field, dst->code_field) == 0 ||
        strcmp(dst->text_field, dst->code_field) == 0)
        return fail_plain(c, QUARRY_EINVAL, name,
                          "the id, text and code fields must differ "
                          "(\"%s\", \"%s\", \"%s\")",
                          dst->id_field, dst->text_field, dst->code_field);
    return 0;
}

static void rollback(quarry_corpus *c, size_t n0, quarry_arena_mark m)
{
    size_t i;

    for (i = c->n; i-- > n0;) {
        const char *id = entry_at(c, i)->ex.id;
        idtab_remove(&c->ids, hash_bytes(id, strlen(id)), (uint32_t)i);
    }
    c->n = n0;
    quarry_arena_rollback(&c->arena, m);
}

/* After the reader: when records were bad, the message lists them (a
 * failure that stopped the reader comes last) and the first one's status
 * is returned. One bad record keeps its own message as it is. */
static int finish_bad(corpus_reader *r, int rc, quarry_format format)
{
    quarry_corpus *c = r->c;
    size_t i, n = 0, cap = sizeof c->err, shown;
    int k;

    if (r->n_bad == 0 || rc == QUARRY_ENOMEM)
        return rc;
    if (rc != 0) {
        /* The reader stopped there: list it too, last. */
        int status = r->bad_status;
        if (corpus_bad(r, rc) != 0)
            return QUARRY_ENOMEM;
        r->bad_status = status;
    }
    if (r->n_bad == 1) {
        snprintf(c->err, cap, "%s", r->bad[0]);
        return r->bad_status;
    }
    k = snprintf(c->err, cap, "%s: %zu bad %s; nothing of the file was read:",
                 r->name, r->n_bad,
                 format == QUARRY_FORMAT_CSV ? "rows" : "lines");
    n = k > 0 && (size_t)k < cap ? (size_t)k : 0;
    shown = r->n_bad < CORPUS_BAD_LIST ? r->n_bad : CORPUS_BAD_LIST;
    for (i = 0; i < shown && n < cap; i++) {
        k = snprintf(c->err + n, cap - n, "\n  %s", r->bad[i]);
        if (k > 0)
            n += (size_t)k < cap - n ? (size_t)k : cap - n - 1;
    }
    if (r->n_bad > shown && n < cap)
        snprintf(c->err + n, cap - n, "\n  ... and %zu more",
                 r->n_bad - shown);
    return r->bad_status;
}

/* The notice of excerpts left out for their empty text: "news.jsonl: 92
 * empty excerpts left out (lines 145, 311, ...)". */
static void notice_empty(const corpus_reader *r)
{
    char msg[CORPUS_ONE_MAX];
    size_t i, n, shown;
    int k;

    if (r->n_empty == 0 || r->o.notice == NULL)
        return;
    shown = r->n_empty < CORPUS_EMPTY_LINES ? r->n_empty : CORPUS_EMPTY_LINES;
    k = snprintf(msg, sizeof msg, "%s: %zu empty excerpt%s left out (line%s ",
                 r->name, r->n_empty, r->n_empty == 1 ? "" : "s",
                 r->n_empty == 1 ? "" : "s");
    n = k > 0 && (size_t)k < sizeof msg ? (size_t)k : 0;
    for (i = 0; i < shown && n < sizeof msg; i++) {
        k = snprintf(msg + n, sizeof msg - n, "%s%lld", i ? ", " : "",
                     (long long)r->empty_lines[i]);
        if (k > 0)
            n += (size_t)k < sizeof msg - n ? (size_t)k : sizeof msg - n - 1;
    }
    if (n < sizeof msg)
        snprintf(msg + n, sizeof msg - n, "%s)",
                 r->n_empty > shown ? ", ..." : "");
    r->o.notice(r->o.notice_ctx, QUARRY_LOG_INFO, msg);
}

static void free_reader(corpus_reader *r)
{
    size_t i;

    for (i = 0; i < r->n_bad && i < CORPUS_BAD_LIST; i++)
        free(r->bad[i]);
    free(r->names_from);
    free(r->names_to);
}

/* Is the first line of buf (past a UTF-8 BOM) a tab-separated header
 * naming the id and text columns? Then a .txt is a sheet saved as text,
 * not a transcript: no transcript starts so. */
static int tab_table(const char *buf, size_t len,
                     const quarry_read_options *o)
{
    size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int has_id = 0, has_text = 0, tabs = 0;
    while (i < len && buf[i] != '\n' && buf[i] != '\r') {
        size_t j = i;
        while (j < len && buf[j] != '\t' && buf[j] != '\n' && buf[j] != '\r')
            j++;
        if (j - i == strlen(o->id_field) &&
            strncasecmp(buf + i, o->id_field, j - i) == 0)
            has_id = 1;
        if (j - i == strlen(o->text_field) &&
            strncasecmp(buf + i, o->text_field, j - i) == 0)
            has_text = 1;
        if (j < len && buf[j] == '\t') {
            tabs++;
            j++;
        }
        i = j;
    }
    return tabs > 0 && has_id && has_text;
}

/* read_buffer with the stdin rule for AUTO made explicit. */
static int read_buffer(quarry_corpus *c, const char *buf, size_t len,
                       const char *path, const quarry_read_options *o,
                       int stdin_like)
{
    corpus_reader r;
    quarry_arena_mark mark;
    quarry_format format;
    text_decoded dec;
    char *kept = NULL;
    int rc;

    memset(&r, 0, sizeof r);
    memset(&dec, 0, sizeof dec);
    r.c = c;
    r.threads = c->threads;
    r.name = display_name(path, o);
    r.path = path;
    rc = options_init(c, r.name, &r.o, o);
    if (rc != 0)
        return rc;
    if (buf == NULL && len > 0)
        return fail_plain(c, QUARRY_EINVAL, r.name, "no buffer");
    format = r.o.format;
    if (format == QUARRY_FORMAT_AUTO) {
        rc = format_for(c, path, r.name, stdin_like, &format);
        if (rc != 0)
            return rc;
    }
    if (buf == NULL)
        buf = "";
    rc = text_decode(buf, len, r.name, r.o.encoding, &dec, c->err,
                     sizeof c->err);
    if (rc != 0)
        return rc;
    if (dec.text != NULL) {
        buf = dec.text;
        len = dec.len;
    }
    if (r.o.notice != NULL && dec.note[0] != '\0')
        r.o.notice(r.o.notice_ctx, QUARRY_LOG_INFO, dec.note);
    if (r.o.format == QUARRY_FORMAT_AUTO &&
        format == QUARRY_FORMAT_TRANSCRIPT && tab_table(buf, len, &r.o)) {
        /* Excel's "Unicode Text" (.txt): a tab-separated sheet. */
        format = QUARRY_FORMAT_CSV;
        if (r.o.notice != NULL) {
            char msg[CORPUS_ONE_MAX];
            snprintf(msg, sizeof msg,
                     "%s: read as a tab-separated table (its first line "
                     "names the columns %s and %s, as a sheet saved as "
                     "text does)",
                     r.name, r.o.id_field, r.o.text_field);
            r.o.notice(r.o.notice_ctx, QUARRY_LOG_INFO, msg);
        }
    }
    if (c->keep_text != NULL && format == QUARRY_FORMAT_TRANSCRIPT) {
        /* The caller keeps a transcript's text as read (decoded). */
        if (dec.text != NULL) {
            kept = dec.text;
            dec.text = NULL;
            buf = kept;
        } else if ((kept = malloc(len + 1)) != NULL) {
            memcpy(kept, buf, len);
            kept[len] = '\0';
        } else {
            return fail_plain(c, QUARRY_ENOMEM, r.name, "out of memory");
        }
    }
    r.source = corpus_intern(c, r.name, strlen(r.name));
    if (r.source == NULL) {
        free(kept);
        free(dec.text);
        return fail_plain(c, QUARRY_ENOMEM, r.name, "out of memory");
    }
    r.begin = (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    r.line_paragraphs = dec.word;
    r.first = c->n;
    mark = quarry_arena_mark_get(&c->arena);

    switch (format) {
    case QUARRY_FORMAT_CSV:
        rc = corpus_read_csv(&r, buf, len);
        break;
    case QUARRY_FORMAT_TRANSCRIPT:
        rc = corpus_read_transcript(&r, buf, len);
        break;
    default:
        rc = corpus_read_jsonl(&r, buf, len);
        break;
    }
    rc = finish_bad(&r, rc, format);
    if (rc != 0)
        rollback(c, r.first, mark);
    else
        notice_empty(&r);
    if (rc == 0 && kept != NULL) {
        *c->keep_text = kept;
        *c->keep_len = len;
    } else {
        free(kept);
    }
    free(dec.text);
    free_reader(&r);
    return rc;
}

int quarry_corpus_set_threads(quarry_corpus *c, int32_t threads)
{
    if (c == NULL || threads < 0)
        return QUARRY_EINVAL;
    c->threads = threads;
    return QUARRY_OK;
}

int quarry_corpus_read_buffer(quarry_corpus *c, const char *buf, size_t len,
                              const char *name, const quarry_read_options *o)
{
    if (c == NULL)
        return QUARRY_EINVAL;
    return read_buffer(c, buf, len, name, o, 1);
}

static int read_stream(quarry_corpus *c, FILE *f, const char *path,
                       const quarry_read_options *o, int stdin_like)
{
    char *buf = NULL;
    size_t len = 0;
    int err = 0, rc;

    errno = 0;
    rc = quarry_slurp(f, &buf, &len, &err);
    if (rc == QUARRY_EIO)
        return fail_plain(c, rc, display_name(path, o), "read error: %s",
                          strerror(err));
    if (rc != 0)
        return fail_plain(c, rc, display_name(path, o), "out of memory");
    rc = read_buffer(c, buf, len, path, o, stdin_like);
    free(buf);
    return rc;
}

int quarry_corpus_read_stream(quarry_corpus *c, FILE *f, const char *name,
                              const quarry_read_options *o)
{
    if (c == NULL)
        return QUARRY_EINVAL;
    if (f == NULL)
        return fail_plain(c, QUARRY_EINVAL, display_name(name, o), "no stream");
    if (name == NULL)
        name = f == stdin ? "-" : "<stream>";
    return read_stream(c, f, name, o, 1);
}

int corpus_read_file_text(quarry_corpus *c, const char *path,
                          const quarry_read_options *o, char **text,
                          size_t *len)
{
    int rc;
    *text = NULL;
    *len = 0;
    if (c == NULL)
        return QUARRY_EINVAL;
    c->keep_text = text;
    c->keep_len = len;
    rc = quarry_corpus_read_file(c, path, o);
    c->keep_text = NULL;
    c->keep_len = NULL;
    return rc;
}

int corpus_read_buffer_text(quarry_corpus *c, const char *buf, size_t blen,
                            const char *name, const quarry_read_options *o,
                            char **text, size_t *len)
{
    int rc;
    *text = NULL;
    *len = 0;
    if (c == NULL)
        return QUARRY_EINVAL;
    c->keep_text = text;
    c->keep_len = len;
    rc = quarry_corpus_read_buffer(c, buf, blen, name, o);
    c->keep_text = NULL;
    c->keep_len = NULL;
    return rc;
}

int quarry_corpus_read_file(quarry_corpus *c, const char *path,
                            const quarry_read_options *o)
{
    const char *name;
    quarry_read_options opts;
    quarry_format format;
    struct stat st;
    FILE *f;
    int fd, rc;

    if (c == NULL)
        return QUARRY_EINVAL;
    if (path == NULL || path[0] == '\0')
        return fail_plain(c, QUARRY_EINVAL, "<none>", "no file name");
    name = display_name(path, o);
    if (strcmp(path, "-") == 0)
        return read_stream(c, stdin, path, o, 1);
    /* Tell an unknown extension before touching the file. */
    rc = options_init(c, name, &opts, o);
    if (rc != 0)
        return rc;
    if (opts.format == QUARRY_FORMAT_AUTO) {
        rc = format_for(c, path, name, 0, &format);
        if (rc != 0)
            return rc;
    }
    /* A regular file is mapped rather than copied: a million excerpts'
     * worth of input then costs page cache, not a second heap copy. */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail_plain(c, QUARRY_EIO, name, "cannot open: %s",
                          strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size <= SIZE_MAX) {
        void *map =
            mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            close(fd);
            rc = read_buffer(c, map, (size_t)st.st_size, path, o, 0);
            munmap(map, (size_t)st.st_size);
            return rc;
        }
    }
    f = fdopen(fd, "rb");
    if (f == NULL) {
        int err = errno;
        close(fd);
        return fail_plain(c, QUARRY_EIO, name, "cannot open: %s",
                          strerror(err));
    }
    rc = read_stream(c, f, path, o, 0);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Selecting whose turns to keep */

int quarry_corpus_is_interviewer(const quarry_corpus *c, size_t i)
{
    const char *role = quarry_corpus_attribute(c, i, "role");
    return role != NULL && strcasecmp(role, "interviewer") == 0;
}

/* Append a copy of src's excerpt i to r->c through corpus_add, so that
 * the copy is checked and stored like any excerpt read. */
static int copy_excerpt(corpus_reader *r, const quarry_corpus *src, size_t i)
{
    const corpus_entry *e = entry_at(src, i);
    const quarry_excerpt *x = &e->ex;
    corpus_span codes[64], *cs = codes, *as = NULL;
    corpus_rec rec;
    size_t k;
    int rc;

    memset(&rec, 0, sizeof rec);
    if (x->n_codes > 64 &&
        (cs = malloc((size_t)x->n_codes * sizeof *cs)) == NULL)
        return corpus_nomem(r);
    if (e->n_attrs > 0 &&
        (as = malloc(2 * e->n_attrs * sizeof *as)) == NULL) {
        if (cs != codes)
            free(cs);
        return corpus_nomem(r);
    }
    rec.id.s = x->id;
    rec.id.len = strlen(x->id);
    rec.text.s = x->text;
    rec.text.len = x->text_len;
    if (x->speaker != NULL) {
        rec.speaker.s = x->speaker;
        rec.speaker.len = strlen(x->speaker);
    }
    rec.line = x->line;
    rec.start = x->start;
    rec.end = x->end;
    for (k = 0; k < (size_t)x->n_codes; k++) {
        cs[k].s = x->codes[k];
        cs[k].len = strlen(x->codes[k]);
    }
    rec.codes = cs;
    rec.n_codes = (size_t)x->n_codes;
    for (k = 0; k < 2 * e->n_attrs; k++) {
        as[k].s = e->attrs[k];
        as[k].len = strlen(e->attrs[k]);
    }
    rec.attrs = as;
    rec.n_attrs = e->n_attrs;
    rec.attributes.s = x->attributes;
    rec.attributes.len = strlen(x->attributes);
    rc = corpus_add(r, &rec);
    if (rc == 0 && x->source != NULL) {
        corpus_entry *d = entry_at(r->c, r->c->n - 1);
        d->ex.source = corpus_intern(r->c, x->source, strlen(x->source));
        if (d->ex.source == NULL)
            rc = corpus_nomem(r);
    }
    if (cs != codes)
        free(cs);
    free(as);
    return rc;
}

/* A new corpus of c's excerpts that keep() keeps, in c's order, each
 * copied whole; *left_out gets how many it did not. */
static int select_where(const quarry_corpus *c,
                        int (*keep)(const quarry_corpus *c, size_t i,
                                    const void *ctx),
                        const void *ctx, quarry_corpus **out,
                        size_t *left_out)
{
    corpus_reader r;
    size_t i, out_n = 0;
    int rc = quarry_corpus_new(out);
    if (rc != 0)
        return rc;
    memset(&r, 0, sizeof r);
    r.c = *out;
    r.name = "selection";
    r.o = (quarry_read_options)QUARRY_READ_OPTIONS_INIT;
    r.o.allow_empty = 1; /* a copy keeps what the original kept */
    for (i = 0; i < c->n && rc == 0; i++) {
        if (keep(c, i, ctx))
            rc = copy_excerpt(&r, c, i);
        else
            out_n++;
    }
    if (rc != 0) {
        quarry_corpus_free(*out);
        *out = NULL;
        return rc;
    }
    if (left_out != NULL)
        *left_out = out_n;
    return QUARRY_OK;
}

static int has_attribute(const quarry_corpus *c, size_t i, const void *key)
{
    return quarry_corpus_attribute(c, i, key) != NULL;
}

int quarry_corpus_select_attribute(const quarry_corpus *c, const char *key,
                                   quarry_corpus **out, size_t *left_out)
{
    if (left_out != NULL)
        *left_out = 0;
    if (out == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (c == NULL || key == NULL)
        return QUARRY_EINVAL;
    return select_where(c, has_attribute, key, out, left_out);
}

static int speaks_as(const quarry_corpus *c, size_t i, const void *ctx)
{
    quarry_speakers which = *(const quarry_speakers *)ctx;
    return which == QUARRY_SPEAKERS_ALL ||
           (which == QUARRY_SPEAKERS_INTERVIEWERS) ==
               (quarry_corpus_is_interviewer(c, i) != 0);
}

int quarry_corpus_select_speakers(const quarry_corpus *c,
                                  quarry_speakers which, quarry_corpus **out,
                                  size_t *left_out)
{
    if (left_out != NULL)
        *left_out = 0;
    if (out == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (c == NULL || (int)which < QUARRY_SPEAKERS_PARTICIPANTS ||
        (int)which > QUARRY_SPEAKERS_INTERVIEWERS)
        return QUARRY_EINVAL;
    return select_where(c, speaks_as, &which, out, left_out);
}
