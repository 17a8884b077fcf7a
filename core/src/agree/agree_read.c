/*
 * agree_read.c -- codings for the agreement table from files: long-format
 * JSONL or CSV, one row per (id, code, coder), and the JSONL that
 * `quarry suggest` writes (its top suggestion per line).
 *
 * Ids repeat across rows here (several coders, several codes), which is why
 * these rows are not read through quarry_corpus (it refuses duplicate ids).
 * jansson parses each JSONL line on its own; libcsv is fed one physical
 * line at a time so every record knows the line it starts on. Every
 * refusal names the file, the line and the field.
 */
#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agree_table.h"
#include "buf.h"
#include "corpus.h"
#include "utf8.h"

#define NO_COL ((size_t)-1)

/* ------------------------------------------------------------------ */
/* Files */

static int slurp(quarry_agree_table *t, const char *path, const char *name,
                 char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    int rc, err = 0;

    *out = NULL;
    *len = 0;
    if (f == NULL)
        return agree_fail(t, QUARRY_EIO, name, 0, NULL, "cannot open: %s",
                          strerror(errno));
    rc = quarry_slurp(f, out, len, &err);
    if (f != stdin)
        fclose(f);
    if (rc == QUARRY_EIO)
        return agree_fail(t, QUARRY_EIO, name, 0, NULL, "cannot read: %s",
                          strerror(err));
    if (rc != 0)
        return agree_fail(t, QUARRY_ENOMEM, name, 0, NULL, "out of memory");
    return 0;
}

/* "dir/ana.codes.jsonl" -> "ana.codes" into *out; NULL for standard input
 * and names with nothing before the extension. */
static int base_coder(const char *path, char **out)
{
    const char *b = strrchr(path, '/'), *dot;
    size_t n;
    char *s;

    *out = NULL;
    if (strcmp(path, "-") == 0)
        return 0;
    b = b ? b + 1 : path;
    dot = strrchr(b, '.');
    n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    if (n == 0)
        return 0;
    s = malloc(n + 1);
    if (s == NULL)
        return QUARRY_ENOMEM;
    memcpy(s, b, n);
    s[n] = '\0';
    *out = s;
    return 0;
}

typedef struct reader {
    quarry_agree_table *t;
    const char *name;  /* for messages */
    const char *coder; /* for rows without one; NULL: none */
    int64_t line;
} reader;

/* Add one triple; a refusal of the table gets the file, line and field. */
static int add(reader *r, const char *unit, const char *coder, const char *code,
               const char *field)
{
    int rc = quarry_agree_table_add(r->t, unit, coder, code);
    if (rc != 0 && rc != QUARRY_ENOMEM) {
        char msg[QUARRY_ERR_MAX];
        snprintf(msg, sizeof msg, "%s", r->t->err);
        return agree_fail(r->t, rc, r->name, r->line, field, "%s", msg);
    }
    return rc;
}

/* The unit id of a JSON row: a string or an integer, written into buf. */
static int json_unit(reader *r, json_t *root, char *buf, size_t cap,
                     const char **out)
{
    json_t *jid = json_object_get(root, "id");
    if (jid == NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "id",
                          "missing");
    if (json_is_integer(jid)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(jid));
        *out = buf;
        return 0;
    }
    if (!json_is_string(jid))
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "id",
                          "must be a string or an integer, not %s",
                          corpus_json_type(jid));
    if (json_string_length(jid) == 0)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "id",
                          "empty id");
    *out = json_string_value(jid);
    return 0;
}

static int is_blank(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' &&
            s[i] != '\v' && s[i] != '\n')
            return 0;
    return 1;
}

/* Parse line s[0..n) as a JSON object into *root. */
static int json_line(reader *r, const char *s, size_t n, json_t **root)
{
    json_error_t jerr;

    *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
    if (*root == NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, NULL,
                          "malformed JSON: %s (column %d)", jerr.text,
                          jerr.column);
    if (!json_is_object(*root)) {
        int rc = agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, NULL,
                            "not a JSON object but %s (JSON Lines wants one "
                            "object a line)",
                            corpus_json_type(*root));
        json_decref(*root);
        *root = NULL;
        return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Long-format JSONL */

static int jsonl_row(reader *r, json_t *root)
{
    char idbuf[32];
    const char *unit = NULL, *coder = r->coder;
    json_t *jcode = json_object_get(root, "code"),
           *jcoder = json_object_get(root, "coder"), *item;
    size_t i;
    int rc;

    if ((rc = json_unit(r, root, idbuf, sizeof idbuf, &unit)) != 0)
        return rc;
    if (jcoder != NULL && !json_is_null(jcoder)) {
        if (!json_is_string(jcoder))
            return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "coder",
                              "must be a string, not %s", corpus_json_type(jcoder));
        if (json_string_length(jcoder) == 0)
            return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "coder",
                              "empty coder name");
        coder = json_string_value(jcoder);
    }
    if (coder == NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "coder",
                          "missing, and there is no file name to stand for "
                          "the coder");
    if (jcode == NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                          "missing");
    if (json_is_string(jcode)) {
        if (json_string_length(jcode) == 0)
            return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                              "empty code");
        return add(r, unit, coder, json_string_value(jcode), "code");
    }
    if (!json_is_array(jcode))
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                          "must be a code or a list of codes, not %s",
                          corpus_json_type(jcode));
    if (json_array_size(jcode) == 0)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                          "empty list (give at least one code)");
    json_array_foreach(jcode, i, item)
    {
        if (!json_is_string(item))
            return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                              "item %zu of the list is %s, not a string", i + 1,
                              corpus_json_type(item));
        if (json_string_length(item) == 0)
            return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                              "item %zu of the list is an empty code", i + 1);
    }
    json_array_foreach(jcode, i, item)
    {
        if ((rc = add(r, unit, coder, json_string_value(item), "code")) != 0)
            return rc;
    }
    return 0;
}

/* The top suggestion of one line of `quarry suggest` output. */
static int suggest_row(reader *r, json_t *root)
{
    char idbuf[32];
    const char *unit = NULL;
    json_t *js = json_object_get(root, "suggestions"),
           *jab = json_object_get(root, "abstain"), *top, *jc;
    int rc;

    if ((rc = json_unit(r, root, idbuf, sizeof idbuf, &unit)) != 0)
        return rc;
    if (jab != NULL && !json_is_boolean(jab))
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "abstain",
                          "must be true or false, not %s", corpus_json_type(jab));
    if (js == NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "suggestions",
                          "missing");
    if (!json_is_array(js))
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "suggestions",
                          "must be a list, not %s", corpus_json_type(js));
    if (json_is_true(jab) || json_array_size(js) == 0)
        return 0; /* quarry did not code this unit */
    top = json_array_get(js, 0);
    if (!json_is_object(top))
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "suggestions",
                          "item 1 is %s, not an object", corpus_json_type(top));
    jc = json_object_get(top, "code");
    if (!json_is_string(jc) || json_string_length(jc) == 0)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "suggestions",
                          "item 1 has no \"code\" string");
    return add(r, unit, r->coder, json_string_value(jc), "suggestions");
}

static int read_jsonl(reader *r, const char *buf, size_t len,
                      int (*row)(reader *, json_t *))
{
    size_t pos = 0;
    int rc = 0;

    while (pos < len && rc == 0) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        json_t *root;

        r->line++;
        if (!is_blank(buf + pos, end - pos)) {
            rc = json_line(r, buf + pos, end - pos, &root);
            if (rc == 0) {
                rc = row(r, root);
                json_decref(root);
            }
        }
        pos = nl ? end + 1 : len;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Long-format CSV */

typedef struct csv_state {
    reader *r;
    int rc;
    int64_t rec_line;
    int record_open;
    /* The record: fields NUL-terminated back to back. */
    char *bytes;
    size_t n_bytes, cap_bytes;
    size_t *offs;
    size_t n_fields, cap_offs;
    int have_header;
    size_t n_cols, id_col, code_col, coder_col;
} csv_state;

static void on_field(void *field, size_t len, void *data)
{
    csv_state *st = data;

    if (st->rc != 0)
        return;
    if (field == NULL)
        len = 0;
    if (quarry_grow(&st->offs, &st->cap_offs, st->n_fields + 1,
                   sizeof *st->offs) != 0 ||
        quarry_grow(&st->bytes, &st->cap_bytes, st->n_bytes + len + 1, 1) != 0) {
        st->rc = agree_fail(st->r->t, QUARRY_ENOMEM, st->r->name, 0, NULL,
                            "out of memory");
        return;
    }
    if (len > 0)
        memcpy(st->bytes + st->n_bytes, field, len);
    st->bytes[st->n_bytes + len] = '\0';
    st->offs[st->n_fields++] = st->n_bytes;
    st->n_bytes += len + 1;
}

static const char *field_at(const csv_state *st, size_t i)
{
    return st->bytes + st->offs[i];
}

/* The column named name: exactly, else ignoring case when unique. */
static size_t find_col(const csv_state *st, const char *name)
{
    size_t i, found = NO_COL;

    for (i = 0; i < st->n_fields; i++)
        if (strcmp(field_at(st, i), name) == 0)
            return i;
    for (i = 0; i < st->n_fields; i++)
        if (strcasecmp(field_at(st, i), name) == 0) {
            if (found != NO_COL)
                return NO_COL;
            found = i;
        }
    return found;
}

/* A cell's text, checked for UTF-8 and NUL bytes. */
static int csv_cell(csv_state *st, size_t col, const char *field,
                    const char **out)
{
    reader *r = st->r;
    size_t bad = 0, len;
    const char *s;

    if (col >= st->n_fields)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, st->rec_line, field,
                          "missing (the row has %zu fields, the header %zu)",
                          st->n_fields, st->n_cols);
    s = field_at(st, col);
    len = (col + 1 < st->n_fields ? st->offs[col + 1] : st->n_bytes) -
          st->offs[col] - 1;
    if (memchr(s, '\0', len) != NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, st->rec_line, field,
                          "NUL byte in the cell");
    if (quarry_utf8_check(s, len, &bad) != QUARRY_UTF8_OK)
        return agree_fail(r->t, QUARRY_EUTF8, r->name, st->rec_line, field,
                          "invalid UTF-8 at byte %zu of the cell", bad + 1);
    *out = s;
    return 0;
}

static int csv_header(csv_state *st)
{
    reader *r = st->r;

    st->n_cols = st->n_fields;
    st->id_col = find_col(st, "id");
    st->code_col = find_col(st, "code");
    st->coder_col = find_col(st, "coder");
    if (st->id_col == NO_COL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, st->rec_line, "id",
                          "no such column in the header");
    if (st->code_col == NO_COL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, st->rec_line, "code",
                          "no such column in the header");
    st->have_header = 1;
    return 0;
}

static int csv_row(csv_state *st)
{
    reader *r = st->r;
    const char *unit, *coder = r->coder, *cell;
    char *codes;
    size_t pos, len, n_codes = 0;
    int rc;

    r->line = st->rec_line;
    if ((rc = csv_cell(st, st->id_col, "id", &unit)) != 0)
        return rc;
    if (unit[0] == '\0')
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "id",
                          "empty id");
    if (st->coder_col != NO_COL) {
        if ((rc = csv_cell(st, st->coder_col, "coder", &coder)) != 0)
            return rc;
        if (coder[0] == '\0')
            return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "coder",
                              "empty coder name");
    }
    if (coder == NULL)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "coder",
                          "missing, and there is no file name to stand for "
                          "the coder");
    if ((rc = csv_cell(st, st->code_col, "code", &cell)) != 0)
        return rc;
    /* Codes separated by ';', white space around each trimmed; the cell
     * is split in place (it is ours). */
    codes = (char *)cell;
    len = strlen(codes);
    for (pos = 0; pos <= len;) {
        char *semi = memchr(codes + pos, ';', len - pos);
        size_t end = semi ? (size_t)(semi - codes) : len, n, lead;
        char *s = codes + pos;

        n = end - pos;
        lead = quarry_utf8_space_prefix(s, n);
        s += lead;
        n -= lead;
        n -= quarry_utf8_space_suffix(s, n);
        s[n] = '\0';
        if (n > 0) {
            if ((rc = add(r, unit, coder, s, "code")) != 0)
                return rc;
            n_codes++;
        }
        pos = end + 1;
    }
    if (n_codes == 0)
        return agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, "code",
                          "empty code");
    return 0;
}

static void on_record(int c, void *data)
{
    csv_state *st = data;

    (void)c;
    if (st->rc == 0) {
        if (!st->have_header)
            st->rc = csv_header(st);
        else
            st->rc = csv_row(st);
    }
    st->record_open = 0;
    /* The header's column positions are kept; its names are not needed. */
    st->n_fields = 0;
    st->n_bytes = 0;
}

static int read_csv(reader *r, const char *buf, size_t len)
{
    struct csv_parser p;
    csv_state st;
    size_t pos = 0;

    memset(&st, 0, sizeof st);
    st.r = r;
    st.id_col = st.code_col = st.coder_col = NO_COL;
    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0)
        return agree_fail(r->t, QUARRY_ENOMEM, r->name, 0, NULL,
                          "out of memory");
    while (pos < len && st.rc == 0) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        size_t n = end - pos, done;

        r->line++;
        if (!st.record_open && !is_blank(buf + pos, n)) {
            st.record_open = 1;
            st.rec_line = r->line;
        }
        done = csv_parse(&p, buf + pos, n, on_field, on_record, &st);
        if (st.rc == 0 && done < n) {
            if (csv_error(&p) == CSV_EPARSE)
                st.rc = agree_fail(r->t, QUARRY_EPARSE, r->name, r->line, NULL,
                                   "malformed CSV at byte %zu: a quote in "
                                   "an unquoted field, or text after a "
                                   "closing quote",
                                   done + 1);
            else
                st.rc = agree_fail(r->t, QUARRY_ENOMEM, r->name, 0, NULL,
                                   "out of memory");
        }
        pos = end;
    }
    if (st.rc == 0 && csv_fini(&p, on_field, on_record, &st) != 0 &&
        st.rc == 0) {
        if (csv_error(&p) == CSV_EPARSE)
            st.rc = agree_fail(r->t, QUARRY_EPARSE, r->name, st.rec_line, NULL,
                               "quoted field never closed (the record "
                               "starts on this line)");
        else
            st.rc = agree_fail(r->t, QUARRY_ENOMEM, r->name, 0, NULL,
                               "out of memory");
    }
    if (st.rc == 0 && !st.have_header)
        st.rc = agree_fail(r->t, QUARRY_EPARSE, r->name, 0, NULL,
                           "no header row (an empty file)");
    csv_free(&p);
    free(st.bytes);
    free(st.offs);
    return st.rc;
}

/* ------------------------------------------------------------------ */
/* Entry points */

static const char *display(const char *path, const char *name)
{
    if (name != NULL)
        return strcmp(name, "-") == 0 ? "<stdin>" : name;
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static int is_csv(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

int quarry_agree_table_read_file(quarry_agree_table *t, const char *path,
                                 const quarry_agree_read_options *o)
{
    quarry_agree_read_options def = QUARRY_AGREE_READ_OPTIONS_INIT;
    reader r;
    char *buf = NULL, *coder = NULL;
    size_t len = 0, skip = 0;
    quarry_format fmt;
    int rc;

    if (t == NULL || path == NULL)
        return QUARRY_EINVAL;
    if (o == NULL)
        o = &def;
    if (o->version != QUARRY_AGREE_READ_OPTIONS_VERSION)
        return agree_fail(t, QUARRY_EINVAL, NULL, 0, NULL,
                          "agree read options version %u, expected %d",
                          (unsigned)o->version,
                          QUARRY_AGREE_READ_OPTIONS_VERSION);
    memset(&r, 0, sizeof r);
    r.t = t;
    r.name = display(path, o->display_name);
    fmt = o->format;
    if (fmt == QUARRY_FORMAT_AUTO)
        fmt = is_csv(path) || (o->display_name && is_csv(o->display_name))
                  ? QUARRY_FORMAT_CSV
                  : QUARRY_FORMAT_JSONL;
    if (fmt != QUARRY_FORMAT_CSV && fmt != QUARRY_FORMAT_JSONL)
        return agree_fail(t, QUARRY_EINVAL, r.name, 0, NULL,
                          "codings are read from JSONL or CSV only");
    r.coder = o->coder;
    if (r.coder == NULL) {
        if (base_coder(path, &coder) != 0)
            return agree_fail(t, QUARRY_ENOMEM, r.name, 0, NULL,
                              "out of memory");
        r.coder = coder;
    }
    rc = slurp(t, path, r.name, &buf, &len);
    if (rc == 0) {
        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            skip = 3;
        rc = fmt == QUARRY_FORMAT_CSV
                 ? read_csv(&r, buf + skip, len - skip)
                 : read_jsonl(&r, buf + skip, len - skip, jsonl_row);
    }
    free(buf);
    free(coder);
    return rc;
}

int quarry_agree_table_read_suggestions(quarry_agree_table *t, const char *path,
                                        const char *coder)
{
    reader r;
    char *buf = NULL;
    size_t len = 0, skip = 0;
    int rc;

    if (t == NULL || path == NULL)
        return QUARRY_EINVAL;
    if (coder == NULL)
        coder = "quarry";
    memset(&r, 0, sizeof r);
    r.t = t;
    r.name = display(path, NULL);
    r.coder = coder;
    if (quarry_agree_table_find_coder(t, coder) >= 0)
        return agree_fail(t, QUARRY_EDUP, r.name, 0, NULL,
                          "the coder \"%s\" of the suggestions is already "
                          "one of the coders read",
                          coder);
    rc = slurp(t, path, r.name, &buf, &len);
    if (rc == 0) {
        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            skip = 3;
        rc = read_jsonl(&r, buf + skip, len - skip, suggest_row);
    }
    free(buf);
    return rc;
}
