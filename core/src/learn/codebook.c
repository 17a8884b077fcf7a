/*
 * codebook.c -- read and validate a codebook (codebook.h).
 */
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* ------------------------------------------------------------------ */
/* A codebook as a table (NVivo's codebook saved as CSV from Excel)      */

typedef struct table_rows {
    json_t *rows, *row; /* arrays of strings */
    int bad;            /* a field that is not UTF-8 */
    int64_t bad_row;
} table_rows;

static void table_field(void *s, size_t len, void *ctx)
{
    table_rows *t = ctx;
    json_t *v = json_stringn(s ? (const char *)s : "", s ? len : 0);
    if (v == NULL && !t->bad) {
        t->bad = 1;
        t->bad_row = (int64_t)json_array_size(t->rows) + 1;
    }
    json_array_append_new(t->row, v ? v : json_string(""));
}

static void table_record(int c, void *ctx)
{
    table_rows *t = ctx;
    (void)c;
    json_array_append_new(t->rows, t->row);
    t->row = json_array();
}

/* The column of the header row named one of names (any case), or -1. */
static int table_column(json_t *header, const char *const *names)
{
    size_t i;
    json_t *v;
    json_array_foreach(header, i, v)
    {
        const char *h = json_string_value(v);
        size_t k;
        for (k = 0; h != NULL && names[k] != NULL; k++)
            if (strcasecmp(h, names[k]) == 0)
                return (int)i;
    }
    return -1;
}

static const char *table_cell(json_t *row, int col)
{
    const char *v = col >= 0 ? json_string_value(json_array_get(row, (size_t)col))
                             : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

void codebook_slug(const char *name, char out[48])
{
    size_t n = 0, i;
    for (i = 0; name[i] != '\0' && n < 40; i++) {
        unsigned char ch = (unsigned char)name[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[n++] = (char)ch;
        else if (ch >= 'A' && ch <= 'Z')
            out[n++] = (char)(ch - 'A' + 'a');
        else if (n > 0 && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, 48, "code");
}

/* The code of path (its names joined by '\'), made with its parents when
 * new: an object of codes_by_path, in the order made. */
static json_t *table_code(json_t *list, json_t *by_path, const char *path)
{
    json_t *c = json_object_get(by_path, path);
    const char *cut;
    char *parent = NULL;
    if (c != NULL)
        return c;
    cut = strrchr(path, '\\');
    if (cut != NULL) {
        parent = strndup(path, (size_t)(cut - path));
        if (parent == NULL || table_code(list, by_path, parent) == NULL) {
            free(parent);
            return NULL;
        }
    }
    c = json_pack("{s:s, s:s}", "path", path, "name", cut ? cut + 1 : path);
    if (c != NULL && parent != NULL)
        json_object_set_new(c, "parent_path", json_string(parent));
    free(parent);
    if (c == NULL || json_object_set_new(by_path, path, c) != 0 ||
        json_array_append(list, c) != 0)
        return NULL;
    return c;
}

/* A codebook kept as a table: a header row with a Name column (also
 * Code, Node), NVivo's "Parent\Child" names for the tree, and optional
 * Description (or Definition), Parent and Color columns; commas,
 * semicolons or tabs between fields, whichever the header has most of.
 * Made into quarry's JSON in *out (malloc'd). 1 when buf is no such table
 * (no Name column), 0 when made, < 0 a failure (the engine's message). */
static int codebook_from_table(quarry_engine *e, const char *buf, size_t len,
                               const char *file, char **out)
{
    static const char *const name_cols[] = {"Name", "Code", "Node",
                                            "Code name", NULL};
    static const char *const def_cols[] = {"Description", "Definition",
                                           NULL};
    static const char *const parent_cols[] = {"Parent", NULL};
    static const char *const color_cols[] = {"Color", "Colour", NULL};
    struct csv_parser p;
    table_rows t = {NULL, NULL, 0, 0};
    json_t *header, *list = NULL, *by_path = NULL, *codes = NULL, *row, *c;
    size_t i, n_comma = 0, n_semi = 0, n_tab = 0, j;
    int col_name, col_def, col_parent, col_color, rc = 1;
    unsigned char delim = ',';
    *out = NULL;
    for (i = 0; i < len && buf[i] != '\n'; i++)
        n_comma += buf[i] == ',', n_semi += buf[i] == ';',
            n_tab += buf[i] == '\t';
    if (n_semi > n_comma && n_semi >= n_tab)
        delim = ';';
    else if (n_tab > n_comma && n_tab > n_semi)
        delim = '\t';
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    csv_set_delim(&p, delim);
    t.rows = json_array();
    t.row = json_array();
    if (t.rows == NULL || t.row == NULL ||
        csv_parse(&p, buf, len, table_field, table_record, &t) != len ||
        csv_fini(&p, table_field, table_record, &t) != 0) {
        csv_free(&p);
        json_decref(t.rows);
        json_decref(t.row);
        return 1; /* not a table this reads: the caller says what is read */
    }
    csv_free(&p);
    json_decref(t.row);
    header = json_array_get(t.rows, 0);
    col_name = table_column(header, name_cols);
    if (col_name < 0) {
        json_decref(t.rows);
        return 1;
    }
    if (t.bad) {
        json_decref(t.rows);
        return engine_fail(e, QUARRY_EPARSE,
                           "%s:%lld: not UTF-8: in Excel, save the table as "
                           "\"CSV UTF-8 (Comma delimited)\"",
                           file, (long long)t.bad_row);
    }
    col_def = table_column(header, def_cols);
    col_parent = table_column(header, parent_cols);
    col_color = table_column(header, color_cols);
    list = json_array();
    by_path = json_object();
    codes = json_array();
    rc = list && by_path && codes ? 0 : -1;
    /* Each row's code (and the parents its name path names). */
    for (i = 1; rc == 0 && i < json_array_size(t.rows); i++) {
        const char *name, *parent;
        row = json_array_get(t.rows, i);
        name = table_cell(row, col_name);
        if (name == NULL)
            continue; /* a blank row */
        parent = table_cell(row, col_parent);
        if (parent != NULL && strchr(name, '\\') == NULL) {
            char *path = malloc(strlen(parent) + strlen(name) + 2);
            if (path == NULL)
                rc = -1;
            else {
                sprintf(path, "%s\\%s", parent, name);
                c = table_code(list, by_path, path);
                free(path);
            }
        } else
            c = table_code(list, by_path, name);
        if (rc == 0 && c == NULL)
            rc = -1;
        if (rc == 0 && table_cell(row, col_def) != NULL)
            json_object_set_new(c, "definition",
                                json_string(table_cell(row, col_def)));
        if (rc == 0 && table_cell(row, col_color) != NULL)
            json_object_set_new(c, "color",
                                json_string(table_cell(row, col_color)));
    }
    /* Ids made from the names as `quarry code add` makes them ("Own
     * recovery as motive" -> own-recovery-as-motive; -2, -3 for a name
     * again). */
    json_array_foreach(list, i, c)
    {
        json_t *o;
        const char *nm = json_string_value(json_object_get(c, "name"));
        const char *pp = json_string_value(json_object_get(c, "parent_path"));
        char id[64], base[48];
        int k = 2;
        codebook_slug(nm, base);
        snprintf(id, sizeof id, "%s", base);
        for (j = 0; j < i; j++)
            if (strcmp(json_string_value(json_object_get(
                           json_array_get(list, j), "id")),
                       id) == 0) {
                snprintf(id, sizeof id, "%s-%d", base, k++);
                j = (size_t)-1; /* from the first again */
            }
        json_object_set_new(c, "id", json_string(id));
        if (rc != 0)
            break;
        o = json_pack("{s:O, s:s}", "id", json_object_get(c, "id"), "name",
                      nm);
        if (o == NULL) {
            rc = -1;
            break;
        }
        if (pp != NULL)
            json_object_set(o, "parent",
                            json_object_get(json_object_get(by_path, pp),
                                            "id"));
        if (json_object_get(c, "definition"))
            json_object_set(o, "definition", json_object_get(c, "definition"));
        if (json_object_get(c, "color"))
            json_object_set(o, "color", json_object_get(c, "color"));
        json_array_append_new(codes, o);
    }
    if (rc == 0 && json_array_size(codes) == 0)
        rc = engine_fail(e, QUARRY_EPARSE, "%s: a table of codes with no "
                         "code in its Name column", file);
    else if (rc == 0) {
        json_t *root = json_pack("{s:O}", "codes", codes);
        *out = root ? json_dumps(root, JSON_COMPACT) : NULL;
        json_decref(root);
        if (*out == NULL)
            rc = -1;
    }
    if (rc == -1)
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
    json_decref(codes);
    json_decref(by_path);
    json_decref(list);
    json_decref(t.rows);
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
        buf[0] != '\r') {
        /* Not JSON: a table of codes (NVivo's codebook as CSV) is read as
         * one; anything else is named for what it is not. */
        char *json = NULL;
        int rc_t = codebook_from_table(e, buf, len, name, &json);
        if (rc_t == 0) {
            rc_t = codebook_parse(out, e, json, strlen(json), name);
            free(json);
            return rc_t;
        }
        if (rc_t < 0)
            return rc_t;
        return engine_fail(e, QUARRY_EPARSE,
                           "%s: not a codebook quarry reads: a codebook is "
                           "REFI-QDA .qdc (in NVivo: Share > Export "
                           "Codebook; MAXQDA, ATLAS.ti and QualCoder export "
                           "it too) or quarry's JSON (see "
                           "dictionaries/codebooks/), or a table (CSV) "
                           "with a Name column (NVivo's codebook saved as "
                           "CSV: Name, Description, Parent\\Child names)",
                           name);
    }
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
