/*
 * refi_model.c -- the in-memory REFI-QDA project (refi_model.h): arrays,
 * the guid table, notices, deterministic GUIDs (UUID v5 through nettle's
 * SHA-1) and the code point <-> byte maps.
 */
#include <ctype.h>
#include <jansson.h>
#include <nettle/sha1.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quarry/plugin.h"
#include "refi_model.h"
#include "utf8.h"

void refi_model_init(refi_model *m)
{
    memset(m, 0, sizeof(*m));
    strtab_init(&m->guids);
    m->creating_user = -1;
}

void refi_model_free(refi_model *m)
{
    int32_t i;
    if (m == NULL)
        return;
    quarry_arena_free(&m->arena);
    strtab_free(&m->guids);
    free(m->guid_kind);
    free(m->guid_index);
    free(m->users);
    free(m->codes);
    free(m->variables);
    free(m->cases);
    free(m->sources);
    free(m->selections);
    free(m->codings);
    free(m->values);
    free(m->notes);
    free(m->sets);
    free(m->refs);
    for (i = 0; i < m->n_notices; i++) {
        free(m->notices[i].key);
        free(m->notices[i].msg);
    }
    free(m->notices);
    free(m->trip_json);
    json_decref((json_t *)m->trip);
    memset(m, 0, sizeof(*m));
}

int refi_fail(refi_model *m, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->errmsg, sizeof(m->errmsg), fmt, ap);
    va_end(ap);
    return status;
}

void refi_notice(refi_model *m, const char *key, const char *fmt, ...)
{
    int32_t i;
    va_list ap;
    char buf[512];
    for (i = 0; i < m->n_notices; i++)
        if (strcmp(m->notices[i].key, key) == 0) {
            m->notices[i].count++;
            return;
        }
    if (m->n_notices == m->cap_notices) {
        int32_t cap = m->cap_notices ? 2 * m->cap_notices : 8;
        void *p = realloc(m->notices, (size_t)cap * sizeof(*m->notices));
        if (p == NULL)
            return; /* a notice lost to memory exhaustion is not an error */
        m->notices = p;
        m->cap_notices = cap;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    m->notices[m->n_notices].key = strdup(key);
    m->notices[m->n_notices].msg = strdup(buf);
    m->notices[m->n_notices].count = 1;
    if (m->notices[m->n_notices].key == NULL ||
        m->notices[m->n_notices].msg == NULL) {
        free(m->notices[m->n_notices].key);
        free(m->notices[m->n_notices].msg);
        return;
    }
    m->n_notices++;
}

void refi_notice_text(const refi_model *m, int32_t i, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    if (i < 0 || i >= m->n_notices) {
        buf[0] = '\0';
        return;
    }
    if (m->notices[i].count > 1)
        snprintf(buf, cap, "%s (and %lld more like it)", m->notices[i].msg,
                 (long long)(m->notices[i].count - 1));
    else
        snprintf(buf, cap, "%s", m->notices[i].msg);
}

const char *refi_strn(refi_model *m, const char *s, size_t len)
{
    if (s == NULL)
        return NULL;
    return quarry_arena_strndup(&m->arena, s, len);
}

const char *refi_str(refi_model *m, const char *s)
{
    return s == NULL ? NULL : refi_strn(m, s, strlen(s));
}

#define NOTE_INCLUDE "Include: "
#define NOTE_EXCLUDE "Exclude: "

const char *refi_code_description(refi_model *m, const char *definition,
                                  const char *include, const char *exclude)
{
    const char *part[3] = {definition, include, exclude};
    const char *head[3] = {"", NOTE_INCLUDE, NOTE_EXCLUDE};
    size_t len = 0, used = 0;
    char *buf;
    const char *out;
    int i;
    for (i = 0; i < 3; i++)
        if (part[i] != NULL && part[i][0] != '\0')
            len += strlen(part[i]) + strlen(head[i]) + 2;
    if (len == 0)
        return NULL;
    buf = malloc(len + 1);
    if (buf == NULL)
        return NULL;
    for (i = 0; i < 3; i++) {
        if (part[i] == NULL || part[i][0] == '\0')
            continue;
        used += (size_t)snprintf(buf + used, len + 1 - used, "%s%s%s",
                                 used ? "\n\n" : "", head[i], part[i]);
    }
    out = refi_strn(m, buf, used);
    free(buf);
    return out;
}

/* The start of the paragraph at which head begins, at s or after a blank
 * line: the last one; NULL when none. */
static const char *paragraph(const char *s, const char *head)
{
    const char *at = NULL, *p;
    size_t n = strlen(head);
    if (strncmp(s, head, n) == 0)
        at = s;
    for (p = strstr(s, "\n\n"); p != NULL; p = strstr(p + 1, "\n\n"))
        if (strncmp(p + 2, head, n) == 0)
            at = p + 2;
    return at;
}

void refi_code_description_split(refi_model *m, const char *description,
                                 const char **definition,
                                 const char **include, const char **exclude)
{
    const char *inc, *exc, *end;
    *definition = description;
    *include = *exclude = NULL;
    if (description == NULL)
        return;
    inc = paragraph(description, NOTE_INCLUDE);
    exc = paragraph(description, NOTE_EXCLUDE);
    if (inc != NULL && exc != NULL && exc < inc)
        inc = NULL; /* an Include after the Exclude is the exclude's text */
    if (inc == NULL && exc == NULL)
        return;
    end = inc != NULL ? inc : exc;
    /* the definition: what comes before the blank line before them */
    *definition = end > description + 2
                      ? refi_strn(m, description,
                                  (size_t)(end - 2 - description))
                      : NULL;
    if (inc != NULL) {
        const char *ib = inc + strlen(NOTE_INCLUDE);
        *include = refi_strn(m, ib, exc != NULL && exc - 2 >= ib
                                        ? (size_t)(exc - 2 - ib)
                                        : strlen(ib));
    }
    if (exc != NULL)
        *exclude = refi_str(m, exc + strlen(NOTE_EXCLUDE));
}

int refi_place_cmp(int32_t source_a, int64_t start_a, int64_t end_a,
                   int32_t source_b, int64_t start_b, int64_t end_b)
{
    if (source_a != source_b)
        return source_a < source_b ? -1 : 1;
    if (start_a != start_b)
        return start_a < start_b ? -1 : 1;
    if (end_a != end_b)
        return end_a < end_b ? -1 : 1;
    return 0;
}

int32_t refi_push(refi_model *m, void **arr, int32_t *n, int32_t *cap,
                  size_t elem)
{
    (void)m;
    if (*n == INT32_MAX)
        return -1;
    if (*n == *cap) {
        int32_t nc = *cap ? (*cap > INT32_MAX / 2 ? INT32_MAX : 2 * *cap) : 16;
        void *p = realloc(*arr, (size_t)nc * elem);
        if (p == NULL)
            return -1;
        *arr = p;
        *cap = nc;
    }
    memset((char *)*arr + (size_t)*n * elem, 0, elem);
    return (*n)++;
}

int refi_guid_normalise(const char *s, char out[37])
{
    static const int groups[5] = {8, 4, 4, 4, 12};
    size_t len, k = 0;
    int g, i, braced;
    if (s == NULL)
        return -1;
    len = strlen(s);
    braced = len == 38 && s[0] == '{' && s[37] == '}';
    if (len != 36 && !braced)
        return -1;
    if (braced)
        s++;
    for (g = 0; g < 5; g++) {
        for (i = 0; i < groups[g]; i++, k++) {
            if (!isxdigit((unsigned char)s[k]))
                return -1;
            out[k] = (char)tolower((unsigned char)s[k]);
        }
        if (g < 4) {
            if (s[k] != '-')
                return -1;
            out[k] = '-';
            k++;
        }
    }
    out[36] = '\0';
    return 0;
}

int refi_guid_add(refi_model *m, const char *guid, refi_kind kind,
                  int32_t index)
{
    char norm[37];
    int is_new = 0;
    int64_t id;
    const char *key = guid;
    if (refi_guid_normalise(guid, norm) == 0)
        key = norm;
    id = strtab_intern(&m->guids, key, strlen(key), &is_new);
    if (id < 0)
        return QUARRY_ENOMEM;
    if (!is_new)
        return QUARRY_EDUP;
    if (id >= m->cap_guid) {
        int64_t cap = m->cap_guid ? 2 * m->cap_guid : 64;
        refi_kind *k = realloc(m->guid_kind, (size_t)cap * sizeof(*k));
        int32_t *x;
        if (k == NULL)
            return QUARRY_ENOMEM;
        m->guid_kind = k;
        x = realloc(m->guid_index, (size_t)cap * sizeof(*x));
        if (x == NULL)
            return QUARRY_ENOMEM;
        m->guid_index = x;
        m->cap_guid = cap;
    }
    m->guid_kind[id] = kind;
    m->guid_index[id] = index;
    return 0;
}

refi_kind refi_guid_find(const refi_model *m, const char *guid, int32_t *index)
{
    char norm[37];
    const char *key = guid;
    int64_t id;
    if (guid == NULL)
        return REFI_K_NONE;
    if (refi_guid_normalise(guid, norm) == 0)
        key = norm;
    id = strtab_find(&m->guids, key, strlen(key));
    if (id < 0)
        return REFI_K_NONE;
    if (index != NULL)
        *index = m->guid_index[id];
    return m->guid_kind[id];
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void refi_uuid5(const char *ns, const char *name, size_t len, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t nsb[16] = {0}, d[SHA1_DIGEST_SIZE];
    struct sha1_ctx ctx;
    char norm[37];
    int i, k = 0;
    /* An invalid namespace hashes as the nil UUID (callers pass GUIDs). */
    if (ns != NULL && refi_guid_normalise(ns, norm) == 0)
        for (i = 0; i < 36 && k < 16; i++) {
            if (norm[i] == '-')
                continue;
            nsb[k] = (uint8_t)(hexval(norm[i]) << 4 | hexval(norm[i + 1]));
            k++;
            i++;
        }
    sha1_init(&ctx);
    sha1_update(&ctx, 16, nsb);
    sha1_update(&ctx, len, (const uint8_t *)name);
    sha1_digest(&ctx, SHA1_DIGEST_SIZE, d);
    d[6] = (uint8_t)((d[6] & 0x0f) | 0x50); /* version 5 */
    d[8] = (uint8_t)((d[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (i = 0, k = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[d[i] >> 4];
        out[k++] = hex[d[i] & 15];
    }
    out[36] = '\0';
}

const char *refi_guid_for(refi_model *m, const char *ns, const char *kind,
                          const char *key)
{
    size_t a = strlen(kind), b = strlen(key);
    char *buf = malloc(a + b + 2);
    char out[37];
    if (buf == NULL)
        return NULL;
    memcpy(buf, kind, a);
    buf[a] = ':';
    memcpy(buf + a + 1, key, b + 1);
    refi_uuid5(ns, buf, a + b + 1, out);
    free(buf);
    return refi_str(m, out);
}

/* One character's bytes at text[b]: an invalid byte counts as one, and
 * so does CR LF when crlf_one. */
static size_t cp_step_mode(const char *text, size_t len, size_t b, int crlf_one)
{
    int32_t cp;
    size_t n;
    if (crlf_one && text[b] == '\r' && b + 1 < len && text[b + 1] == '\n')
        return 2;
    n = quarry_utf8_decode(text + b, len - b, &cp);
    return n ? n : 1;
}

#define cp_step(text, len, b) cp_step_mode(text, len, b, map->crlf_one)

int refi_cpmap_init(refi_cpmap *map, const char *text, size_t len)
{
    return refi_cpmap_init_crlf(map, text, len, 0);
}

int refi_cpmap_init_crlf(refi_cpmap *map, const char *text, size_t len,
                         int crlf_one)
{
    size_t b = 0, cap = len / 64 + 2;
    int64_t cp = 0;
    memset(map, 0, sizeof(*map));
    map->text = text;
    map->len = len;
    map->crlf_one = crlf_one;
    map->ck = malloc(cap * sizeof(size_t));
    if (map->ck == NULL)
        return QUARRY_ENOMEM;
    while (b < len) {
        if (cp % 64 == 0)
            map->ck[map->n_ck++] = b;
        b += cp_step(text, len, b);
        cp++;
    }
    if (cp % 64 == 0)
        map->ck[map->n_ck++] = b;
    map->n_cp = cp;
    return 0;
}

void refi_cpmap_free(refi_cpmap *map)
{
    free(map->ck);
    map->ck = NULL;
}

size_t refi_cpmap_byte(const refi_cpmap *map, int64_t cp)
{
    size_t b;
    int64_t at;
    if (cp < 0 || cp > map->n_cp)
        return (size_t)-1;
    if (cp == map->n_cp)
        return map->len;
    at = cp / 64;
    b = map->ck[at];
    for (at *= 64; at < cp; at++)
        b += cp_step(map->text, map->len, b);
    return b;
}

int64_t refi_cpmap_cp(const refi_cpmap *map, size_t byte)
{
    int64_t lo = 0, hi = map->n_ck - 1, cp;
    size_t b;
    if (byte >= map->len)
        return map->n_cp;
    while (lo < hi) { /* last checkpoint at or before byte */
        int64_t mid = (lo + hi + 1) / 2;
        if (map->ck[mid] <= byte)
            lo = mid;
        else
            hi = mid - 1;
    }
    b = map->ck[lo];
    cp = lo * 64;
    for (;;) {
        size_t n = cp_step(map->text, map->len, b);
        if (b + n > byte)
            return cp;
        b += n;
        cp++;
    }
}

int refi_color_normalise(const char *s, char out[8])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len, i;
    if (s == NULL || s[0] != '#')
        return -1;
    len = strlen(s);
    if (len != 4 && len != 7)
        return -1;
    for (i = 1; i < len; i++)
        if (hexval(s[i]) < 0)
            return -1;
    out[0] = '#';
    for (i = 0; i < 6; i++) {
        char c = len == 4 ? s[1 + i / 2] : s[1 + i];
        out[1 + i] = hex[hexval(c)];
    }
    out[7] = '\0';
    return 0;
}

static const char *const vtype_names[] = {"Text",  "Boolean", "Integer",
                                          "Float", "Date",    "DateTime"};

const char *refi_vtype_name(refi_vtype t)
{
    return (unsigned)t < 6 ? vtype_names[t] : "Text";
}

int refi_vtype_parse(const char *s, refi_vtype *t)
{
    int i;
    for (i = 0; s != NULL && i < 6; i++)
        if (strcmp(s, vtype_names[i]) == 0) {
            *t = (refi_vtype)i;
            return 0;
        }
    return -1;
}

int refi_is_datetime(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i;
    if (s == NULL)
        return 0;
    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    }
    s += i;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'Z')
        return s[1] == '\0';
    if (*s == '+' || *s == '-')
        return strlen(s) == 6 && s[3] == ':';
    return *s == '\0';
}
