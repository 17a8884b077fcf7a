/*
 * codebook.c -- read and validate a codebook (codebook.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codebook.h"
#include "engine.h"

static char *dup_str(const char *s)
{
    size_t n;
    char *d;
    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void quarry_codebook_free(quarry_codebook *cb)
{
    int32_t i, k;
    if (cb == NULL)
        return;
    for (i = 0; i < cb->n_codes; i++) {
        codebook_code *c = &cb->codes[i];
        free(c->id);
        free(c->name);
        free(c->parent);
        free(c->definition);
        free(c->include);
        free(c->exclude);
        free(c->color);
        for (k = 0; k < c->n_keywords; k++)
            free(c->keywords[k]);
        free(c->keywords);
    }
    free(cb->codes);
    strtab_free(&cb->ids);
    free(cb->path);
    free(cb->name);
    free(cb);
}

/* An optional string field: 0 ok (absent or null leaves *out NULL). */
static int opt_string(quarry_engine *e, const char *file, const char *id,
                      json_t *o, const char *key, char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: code \"%s\": field \"%s\" is not a string",
                           file, id, key);
    *out = dup_str(json_string_value(v));
    if (*out == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    return 0;
}

static int parse_code(quarry_engine *e, const char *file, size_t idx,
                      json_t *o, codebook_code *c)
{
    json_t *id = json_is_object(o) ? json_object_get(o, "id") : NULL;
    json_t *kw;
    int rc;
    if (!json_is_object(o))
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: codes[%zu] is not an object", file, idx);
    if (id == NULL)
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: codes[%zu]: field \"id\" is missing", file,
                           idx);
    if (!json_is_string(id) || json_string_length(id) == 0)
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: codes[%zu]: field \"id\": the code id is not "
                           "a non-empty string",
                           file, idx);
    c->id = dup_str(json_string_value(id));
    if (c->id == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    if ((rc = opt_string(e, file, c->id, o, "name", &c->name)) != 0 ||
        (rc = opt_string(e, file, c->id, o, "parent", &c->parent)) != 0 ||
        (rc = opt_string(e, file, c->id, o, "definition", &c->definition)) !=
            0 ||
        (rc = opt_string(e, file, c->id, o, "include", &c->include)) != 0 ||
        (rc = opt_string(e, file, c->id, o, "exclude", &c->exclude)) != 0 ||
        (rc = opt_string(e, file, c->id, o, "color", &c->color)) != 0)
        return rc;
    {
        json_t *cd = json_object_get(o, "codable");
        if (cd != NULL && !json_is_null(cd) && !json_is_boolean(cd))
            return engine_fail(e, QUARRY_EPARSE,
                               "%s: code \"%s\": field \"codable\" is not "
                               "true or false",
                               file, c->id);
        c->codable = json_is_true(cd);
    }
    kw = json_object_get(o, "keywords");
    if (kw != NULL && !json_is_null(kw)) {
        size_t k;
        if (!json_is_array(kw))
            return engine_fail(e, QUARRY_EPARSE,
                               "%s: code \"%s\": field \"keywords\" is not a "
                               "list of strings",
                               file, c->id);
        c->keywords = calloc(json_array_size(kw) + 1, sizeof *c->keywords);
        if (c->keywords == NULL)
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        for (k = 0; k < json_array_size(kw); k++) {
            json_t *s = json_array_get(kw, k);
            if (!json_is_string(s))
                return engine_fail(e, QUARRY_EPARSE,
                                   "%s: code \"%s\": field \"keywords\": item "
                                   "%zu is not a string",
                                   file, c->id, k);
            c->keywords[c->n_keywords] = dup_str(json_string_value(s));
            if (c->keywords[c->n_keywords] == NULL)
                return engine_fail(e, QUARRY_ENOMEM, "out of memory");
            c->n_keywords++;
        }
    }
    return 0;
}

/* The lines of the two codes that give id, found in the text as the
 * file's "id" fields with exactly that value (jansson's encoding of it).
 * Only when there are exactly two: an id written with escapes, or an
 * "id" field elsewhere with the same value, leaves the lines out rather
 * than naming a wrong one. 0 when found. */
static int id_lines(const char *buf, size_t len, const char *id, int *l1,
                    int *l2)
{
    char *enc;
    size_t n, i, k;
    int found = 0, line = 1;
    json_t *v = json_string(id);
    enc = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (enc == NULL || buf == NULL)
        goto out;
    n = strlen(enc);
    for (i = 0; i < len && found <= 2; i++) {
        if (buf[i] == '\n') {
            line++;
            continue;
        }
        /* A quote after a backslash is inside a string. */
        if (buf[i] != '"' || len - i < 4 || memcmp(buf + i, "\"id\"", 4) ||
            (i > 0 && buf[i - 1] == '\\'))
            continue;
        k = i + 4;
        while (k < len && buf[k] != '\0' && strchr(" \t\r\n", buf[k]) != NULL)
            k++;
        if (k >= len || buf[k] != ':')
            continue;
        k++;
        while (k < len && buf[k] != '\0' && strchr(" \t\r\n", buf[k]) != NULL)
            k++;
        if (len - k < n || memcmp(buf + k, enc, n) != 0)
            continue;
        if (++found == 1)
            *l1 = line;
        else if (found == 2)
            *l2 = line;
    }
out:
    free(enc);
    return found == 2 ? 0 : -1;
}

/* Linear in the codes whatever their number or depth (a 100,000-code
 * file is checked in well under a second): ids go into a hash table once,
 * which later serves quarry_codebook_find; each code's walk up to its root
 * stops at the first code already known to reach one. */
static int validate(quarry_engine *e, quarry_codebook *cb, const char *buf,
                    size_t len)
{
    int32_t i;
    unsigned char *state = NULL; /* 0 unseen, 1 on this walk, 2 reaches a
                                    root */
    int rc = 0;
    for (i = 0; i < cb->n_codes; i++) {
        const char *id = cb->codes[i].id;
        int is_new = 0;
        int64_t at = strtab_intern(&cb->ids, id, strlen(id), &is_new);
        if (at < 0)
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        if (!is_new) {
            /* The id and both codes by name (and line, where it can be
             * told for sure), for the person fixing the file. */
            const char *n1 = cb->codes[at].name, *n2 = cb->codes[i].name;
            char w1[32] = "", w2[32] = "";
            int l1, l2;
            if (id_lines(buf, len, id, &l1, &l2) == 0) {
                snprintf(w1, sizeof w1, ", line %d", l1);
                snprintf(w2, sizeof w2, ", line %d", l2);
            }
            return engine_fail(e, QUARRY_EPARSE,
                               "%s: code \"%s\": duplicate id: codes[%d] "
                               "(%s%s%s%s) and codes[%d] (%s%s%s%s) have "
                               "it; give each code its own id",
                               cb->name, id, (int)at, n1 ? "\"" : "",
                               n1 ? n1 : "no name", n1 ? "\"" : "", w1,
                               (int)i, n2 ? "\"" : "", n2 ? n2 : "no name",
                               n2 ? "\"" : "", w2);
        }
    }
    for (i = 0; i < cb->n_codes; i++) {
        codebook_code *c = &cb->codes[i];
        c->parent_index = -1;
        if (c->parent == NULL)
            continue;
        c->parent_index = quarry_codebook_find(cb, c->parent);
        if (c->parent_index < 0)
            return engine_fail(e, QUARRY_EPARSE,
                               "%s: code \"%s\": parent \"%s\" is not a code",
                               cb->name, c->id, c->parent);
        cb->codes[c->parent_index].n_children++;
    }
    state = calloc((size_t)cb->n_codes + 1, 1);
    if (state == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < cb->n_codes && rc == 0; i++) {
        int32_t at = i;
        while (at >= 0 && state[at] == 0) {
            state[at] = 1;
            at = cb->codes[at].parent_index;
        }
        if (at >= 0 && state[at] == 1) {
            rc = engine_fail(e, QUARRY_EPARSE,
                             "%s: code \"%s\": its parents form a cycle",
                             cb->name, cb->codes[i].id);
            break;
        }
        for (at = i; at >= 0 && state[at] == 1;
             at = cb->codes[at].parent_index)
            state[at] = 2;
    }
    free(state);
    return rc;
}

int codebook_parse(quarry_codebook **out, quarry_engine *e, const char *buf,
                   size_t len, const char *name)
{
    json_error_t jerr;
    json_t *root, *codes;
    quarry_codebook *cb;
    size_t i;
    int rc = 0;

    *out = NULL;
    /* A byte-order mark (Notepad writes one) is not JSON's: skipped. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    root = json_loadb(buf, len, 0, &jerr);
    if (root == NULL && len > 0 && buf[0] != '{' && buf[0] != '[' &&
        buf[0] != ' ' && buf[0] != '\n' && buf[0] != '\t' &&
        buf[0] != '\r')
        /* Not JSON at all: a table, a Word file, an NVivo export. */
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: not a codebook quarry reads: a codebook is "
                           "REFI-QDA .qdc (in NVivo: Share > Export "
                           "Codebook; MAXQDA, ATLAS.ti and QualCoder export "
                           "it too) or quarry's JSON (see "
                           "dictionaries/codebooks/); a table or list of "
                           "codes can be made into either", name);
    if (root == NULL)
        return engine_fail(e, QUARRY_EPARSE, "%s:%d: %s", name, jerr.line,
                           jerr.text);
    codes = json_is_object(root) ? json_object_get(root, "codes") : NULL;
    if (!json_is_array(codes)) {
        json_decref(root);
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: field \"codes\": missing or not a list", name);
    }
    cb = calloc(1, sizeof *cb);
    if (cb != NULL) {
        strtab_init(&cb->ids);
        cb->codes = calloc(json_array_size(codes) + 1, sizeof *cb->codes);
        cb->name = dup_str(name);
    }
    if (cb == NULL || cb->codes == NULL || cb->name == NULL) {
        json_decref(root);
        quarry_codebook_free(cb);
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    }
    for (i = 0; i < json_array_size(codes) && rc == 0; i++) {
        rc = parse_code(e, name, i, json_array_get(codes, i),
                        &cb->codes[i]);
        cb->n_codes = (int32_t)i + 1;
    }
    json_decref(root);
    if (rc == 0)
        rc = validate(e, cb, buf, len);
    if (rc != 0) {
        quarry_codebook_free(cb);
        return rc;
    }
    *out = cb;
    return 0;
}

int quarry_codebook_load(quarry_codebook **out, quarry_engine *e,
                         const char *path)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    int rc;
    if (out == NULL || e == NULL || path == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    f = fopen(path, "rb");
    if (f == NULL)
        return engine_fail(e, QUARRY_EIO, "%s: cannot open the codebook",
                           path);
    for (;;) {
        if (len + 4096 > cap) {
            char *g = realloc(buf, cap ? cap * 2 : 65536);
            if (g == NULL) {
                free(buf);
                fclose(f);
                return engine_fail(e, QUARRY_ENOMEM, "out of memory");
            }
            buf = g;
            cap = cap ? cap * 2 : 65536;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return engine_fail(e, QUARRY_EIO, "%s: read error", path);
    }
    fclose(f);
    rc = codebook_parse(out, e, buf, len, base_name(path));
    free(buf);
    if (rc == 0) {
        (*out)->path = dup_str(path);
        if ((*out)->path == NULL) {
            quarry_codebook_free(*out);
            *out = NULL;
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        }
    }
    return rc;
}

int32_t quarry_codebook_size(const quarry_codebook *cb)
{
    return cb ? cb->n_codes : 0;
}

const char *quarry_codebook_id(const quarry_codebook *cb, int32_t i)
{
    if (cb == NULL || i < 0 || i >= cb->n_codes)
        return NULL;
    return cb->codes[i].id;
}

int32_t quarry_codebook_find(const quarry_codebook *cb, const char *id)
{
    if (cb == NULL || id == NULL)
        return -1;
    /* validate() put every id in, in order: a table id is a code index. */
    return (int32_t)strtab_find(&cb->ids, id, strlen(id));
}

int quarry_codebook_is_theme(const quarry_codebook *cb, int32_t i)
{
    if (cb == NULL || i < 0 || i >= cb->n_codes)
        return 0;
    return cb->codes[i].n_children > 0 && !cb->codes[i].codable;
}

char *codebook_entry_text(const codebook_code *c)
{
    const char *parts[4];
    size_t len = 1, off = 0, n;
    int32_t i, k;
    char *s;
    parts[0] = c->name;
    parts[1] = c->definition;
    parts[2] = c->include;
    parts[3] = NULL;
    for (i = 0; i < 3; i++)
        if (parts[i])
            len += strlen(parts[i]) + 2;
    for (k = 0; k < c->n_keywords; k++)
        len += strlen(c->keywords[k]) + 2;
    s = malloc(len);
    if (s == NULL)
        return NULL;
    for (i = 0; i < 3; i++)
        if (parts[i]) {
            n = strlen(parts[i]);
            memcpy(s + off, parts[i], n);
            off += n;
            memcpy(s + off, ". ", 2);
            off += 2;
        }
    for (k = 0; k < c->n_keywords; k++) {
        n = strlen(c->keywords[k]);
        memcpy(s + off, c->keywords[k], n);
        off += n;
        memcpy(s + off, ". ", 2);
        off += 2;
    }
    s[off] = '\0';
    return s;
}
