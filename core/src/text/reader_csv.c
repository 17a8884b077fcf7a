/*
 * reader_csv.c -- CSV with a header row: the id, text and code columns are
 * found by name, every other column becomes a string attribute.
 *
 * libcsv does the parsing (strict: a stray quote is an error, and so is a
 * quoted field left open at the end). It is fed one physical line at a
 * time so that a record's first line is known even when quoted fields hold
 * newlines, and so that a parse error has a line and a byte column. Bytes
 * are checked for UTF-8 once over the whole file; only when that finds a
 * bad byte are fields checked one by one, to name the column it is in.
 *
 * The delimiter is a comma, a semicolon (spreadsheets in locales with a
 * decimal comma) or a tab: the one that occurs most often in the header
 * line outside quotes, unless the options give it. Excel's files start
 * with a UTF-8 BOM (skipped by the caller) and end lines with CRLF.
 *
 * Code cells may hold several codes separated by ';'. A column with an
 * empty name (R's row names) is ignored. A bad row is listed (corpus_bad)
 * and reading goes on; a broken quote stops it.
 */
#include <csv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "corpus.h"
#include "utf8.h"

#define NO_COL ((size_t)-1)

typedef struct csv_state {
    corpus_reader *r;
    int rc;           /* first failure; callbacks do nothing after it */
    int64_t line;     /* physical line being fed */
    int64_t rec_line; /* line where the record being read started */
    int record_open;  /* a record has started and not ended */
    /* The record being gathered: fields NUL-terminated, back to back. */
    char *bytes;
    size_t n_bytes, cap_bytes;
    size_t *offs, *lens;
    size_t n_fields, cap_offs, cap_lens;
    /* The header. */
    int have_header;
    char *hdr_bytes;
    const char **names;
    size_t n_cols;
    size_t id_col, text_col, code_col, speaker_col;
    json_t *attr_obj; /* reused: one key per attribute column */
    /* The first bad byte of the file, if any (quarry_utf8_check). */
    int bad_kind;
    int64_t bad_line;
    size_t bad_col;
    /* Per record. */
    corpus_span *codes;
    size_t cap_codes;
    corpus_span *attrs;
    size_t cap_attrs;
    char *dump;
    size_t cap_dump;
} csv_state;

/* The column name of field i, or NULL while reading the header. */
static const char *col_name(const csv_state *st, size_t i)
{
    if (!st->have_header || i >= st->n_cols)
        return NULL;
    return st->names[i];
}

static void on_field(void *field, size_t len, void *data)
{
    csv_state *st = data;

    if (st->rc != 0)
        return;
    if (field == NULL)
        len = 0;
    if (st->bad_kind != QUARRY_UTF8_OK && len > 0) {
        quarry_utf8_problem p = quarry_utf8_check(field, len, NULL);
        if (p != QUARRY_UTF8_OK) {
            st->rc = corpus_fail_bytes(st->r, (int)p, st->bad_line,
                                       col_name(st, st->n_fields), st->bad_col);
            return;
        }
    }
    if (quarry_grow(&st->offs, &st->cap_offs, st->n_fields + 1, sizeof *st->offs) ||
        quarry_grow(&st->lens, &st->cap_lens, st->n_fields + 1, sizeof *st->lens) ||
        quarry_grow(&st->bytes, &st->cap_bytes, st->n_bytes + len + 1, 1)) {
        st->rc = corpus_nomem(st->r);
        return;
    }
    if (len > 0)
        memcpy(st->bytes + st->n_bytes, field, len);
    st->bytes[st->n_bytes + len] = '\0';
    st->offs[st->n_fields] = st->n_bytes;
    st->lens[st->n_fields] = len;
    st->n_bytes += len + 1;
    st->n_fields++;
}

/* The column named name: exactly, else ignoring case when that is unique. */
static size_t find_col(const csv_state *st, const char *name)
{
    size_t i, found = NO_COL;

    for (i = 0; i < st->n_cols; i++)
        if (strcmp(st->names[i], name) == 0)
            return i;
    for (i = 0; i < st->n_cols; i++) {
        if (strcasecmp(st->names[i], name) == 0) {
            if (found != NO_COL)
                return NO_COL;
            found = i;
        }
    }
    return found;
}

static int missing_col(csv_state *st, const char *field)
{
    char list[256];
    size_t i, n = 0;

    list[0] = '\0';
    for (i = 0; i < st->n_cols && n + 8 < sizeof list; i++) {
        int k = snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "",
                         st->names[i]);
        if (k < 0 || (size_t)k >= sizeof list - n) {
            memcpy(list + n, "...", 4);
            break;
        }
        n += (size_t)k;
    }
    return corpus_fail(st->r, QUARRY_EPARSE, st->rec_line, field,
                       "no such column in the header (%s)",
                       st->n_cols ? list : "no columns");
}

typedef struct named_col {
    const char *name;
    size_t col;
} named_col;

/* Header names in order, for finding repeats: by name, then by column. */
static int cmp_col(const void *a, const void *b)
{
    const named_col *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d != 0 ? d : (x->col > y->col) - (x->col < y->col);
}

/* The first column whose name an earlier column already has (as a scan
 * left to right finds it), or NO_COL; sorting makes this n log n for
 * headers of 100,000 columns. Empty names may repeat. */
static int repeated_col(const csv_state *st, size_t *out)
{
    named_col *order;
    size_t i, found = NO_COL;

    *out = NO_COL;
    if (st->n_cols < 2)
        return 0;
    order = malloc(st->n_cols * sizeof *order);
    if (order == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < st->n_cols; i++) {
        order[i].name = st->names[i];
        order[i].col = i;
    }
    qsort(order, st->n_cols, sizeof *order, cmp_col);
    for (i = 1; i < st->n_cols; i++) {
        size_t b = order[i].col;
        if (order[i].name[0] != '\0' &&
            strcmp(order[i - 1].name, order[i].name) == 0 &&
            (found == NO_COL || b < found))
            found = b;
    }
    free(order);
    *out = found;
    return 0;
}

static int take_header(csv_state *st)
{
    const quarry_read_options *o = &st->r->o;
    size_t i, dup;

    st->hdr_bytes = malloc(st->n_bytes ? st->n_bytes : 1);
    st->names = malloc((st->n_fields ? st->n_fields : 1) * sizeof *st->names);
    st->attr_obj = json_object();
    if (st->hdr_bytes == NULL || st->names == NULL || st->attr_obj == NULL)
        return corpus_nomem(st->r);
    memcpy(st->hdr_bytes, st->bytes, st->n_bytes);
    st->n_cols = st->n_fields;
    for (i = 0; i < st->n_cols; i++)
        st->names[i] = st->hdr_bytes + st->offs[i];
    if (repeated_col(st, &dup) != 0)
        return corpus_nomem(st->r);
    if (dup != NO_COL)
        return corpus_fail(st->r, QUARRY_EPARSE, st->rec_line, st->names[dup],
                           "column name appears twice in the header");
    st->have_header = 1;
    st->id_col = find_col(st, o->id_field);
    st->text_col = find_col(st, o->text_field);
    st->code_col = find_col(st, o->code_field);
    /* Spreadsheets often head the column "Codes": the default's plural is
     * read as the same column (another code_field is taken as given). */
    if (st->code_col == NO_COL && strcmp(o->code_field, "code") == 0)
        st->code_col = find_col(st, "codes");
    st->speaker_col = find_col(st, "speaker");
    if (st->id_col == NO_COL)
        return missing_col(st, o->id_field);
    if (st->text_col == NO_COL)
        return missing_col(st, o->text_field);
    if (st->code_col == NO_COL && o->require_code)
        return missing_col(st, o->code_field);
    /* Fix the attribute order once: keys in header order. */
    for (i = 0; i < st->n_cols; i++) {
        if (i == st->id_col || i == st->text_col || i == st->code_col ||
            st->names[i][0] == '\0')
            continue;
        if (json_object_set_new(st->attr_obj, st->names[i], json_null()) != 0)
            return corpus_nomem(st->r);
    }
    return 0;
}

static corpus_span field_span(const csv_state *st, size_t i)
{
    corpus_span sp;

    sp.s = st->bytes + st->offs[i];
    sp.len = st->lens[i];
    return sp;
}

/* Split a code cell at ';', trimming white space around each code. */
static int split_codes(csv_state *st, corpus_span cell, size_t *n)
{
    size_t pos = 0;

    *n = 0;
    while (pos <= cell.len) {
        const char *semi = memchr(cell.s + pos, ';', cell.len - pos);
        size_t end = semi ? (size_t)(semi - cell.s) : cell.len;
        const char *s = cell.s + pos;
        size_t len = end - pos, lead;

        lead = quarry_utf8_space_prefix(s, len);
        s += lead;
        len -= lead;
        len -= quarry_utf8_space_suffix(s, len);
        if (len > 0) {
            if (quarry_grow(&st->codes, &st->cap_codes, *n + 1, sizeof *st->codes))
                return QUARRY_ENOMEM;
            st->codes[*n].s = s;
            st->codes[*n].len = len;
            (*n)++;
        }
        if (semi == NULL)
            break;
        pos = end + 1;
    }
    return 0;
}

static int dump_attrs(csv_state *st, corpus_span *out)
{
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
    size_t need;

    need = json_dumpb(st->attr_obj, st->dump, st->cap_dump, flags);
    if (need == 0)
        return QUARRY_ENOMEM;
    if (need > st->cap_dump) {
        if (quarry_grow(&st->dump, &st->cap_dump, need, 1))
            return QUARRY_ENOMEM;
        need = json_dumpb(st->attr_obj, st->dump, st->cap_dump, flags);
        if (need == 0 || need > st->cap_dump)
            return QUARRY_ENOMEM;
    }
    out->s = st->dump;
    out->len = need;
    return 0;
}

static int take_record(csv_state *st)
{
    corpus_rec rec;
    size_t i, n_attrs = 0;

    if (st->n_fields < st->n_cols)
        return corpus_fail(st->r, QUARRY_EPARSE, st->rec_line,
                           st->names[st->n_fields],
                           "missing: the line has %zu fields, but the header "
                           "has %zu (a separator left out, or a cell with a "
                           "separator not in quotes?)",
                           st->n_fields, st->n_cols);
    if (st->n_fields > st->n_cols)
        return corpus_fail(st->r, QUARRY_EPARSE, st->rec_line, NULL,
                           "%zu fields, but the header has %zu",
                           st->n_fields, st->n_cols);
    memset(&rec, 0, sizeof rec);
    rec.line = st->rec_line;
    rec.start = rec.end = -1;
    rec.id = field_span(st, st->id_col);
    rec.text = field_span(st, st->text_col);
    if (st->code_col != NO_COL &&
        split_codes(st, field_span(st, st->code_col), &rec.n_codes) != 0)
        return corpus_nomem(st->r);
    rec.codes = st->codes;
    if (st->speaker_col != NO_COL && st->lens[st->speaker_col] > 0)
        rec.speaker = field_span(st, st->speaker_col);
    if (quarry_grow(&st->attrs, &st->cap_attrs, 2 * st->n_cols + 2, sizeof *st->attrs))
        return corpus_nomem(st->r);
    for (i = 0; i < st->n_cols; i++) {
        corpus_span v;
        if (i == st->id_col || i == st->text_col || i == st->code_col ||
            st->names[i][0] == '\0')
            continue;
        v = field_span(st, i);
        if (json_object_set_new(st->attr_obj, st->names[i],
                                json_stringn(v.s, v.len)) != 0)
            return corpus_nomem(st->r);
        st->attrs[2 * n_attrs].s = st->names[i];
        st->attrs[2 * n_attrs].len = strlen(st->names[i]);
        st->attrs[2 * n_attrs + 1] = v;
        n_attrs++;
    }
    rec.attrs = st->attrs;
    rec.n_attrs = n_attrs;
    if (n_attrs > 0 && dump_attrs(st, &rec.attributes) != 0)
        return corpus_nomem(st->r);
    return corpus_add(st->r, &rec);
}

static void on_record(int c, void *data)
{
    csv_state *st = data;

    (void)c;
    if (st->rc != 0)
        return;
    /* A bad row is listed and reading goes on; a bad header stops it. */
    st->rc = st->have_header ? corpus_bad(st->r, take_record(st))
                             : take_header(st);
    st->n_fields = 0;
    st->n_bytes = 0;
    st->record_open = 0;
}

static int blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* The delimiter of a file whose header line starts at buf[pos] (after any
 * empty lines): the one of ',', ';' and tab that occurs most often outside
 * quotes before the first line break outside quotes; a tie goes to the
 * first of them in that order, and a header of one column is read with
 * commas. */
static char detect_delimiter(const char *buf, size_t pos, size_t len)
{
    static const char cand[3] = {',', ';', '\t'};
    size_t count[3] = {0, 0, 0}, k, best = 0;
    int quoted = 0;

    while (pos < len && (buf[pos] == '\n' || buf[pos] == '\r'))
        pos++; /* blank lines before the header, as the parser skips them */
    for (; pos < len; pos++) {
        char ch = buf[pos];
        if (ch == '"')
            quoted = !quoted; /* "" inside quotes toggles twice */
        else if (!quoted && (ch == '\n' || ch == '\r'))
            break;
        else if (!quoted)
            for (k = 0; k < 3; k++)
                count[k] += ch == cand[k];
    }
    for (k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

/* Where the first bad byte of buf[begin..len) is, as line and column. */
static void find_bad_byte(csv_state *st, const char *buf, size_t begin,
                          size_t len)
{
    size_t off, ls;
    quarry_utf8_problem p = quarry_utf8_check(buf + begin, len - begin, &off);

    st->bad_kind = (int)p;
    if (p == QUARRY_UTF8_OK)
        return;
    off += begin;
    st->bad_line = corpus_line_at(buf, begin, 1, off);
    for (ls = off; ls > begin && buf[ls - 1] != '\n'; ls--)
        ;
    st->bad_col = off - ls + 1;
}

static void free_state(csv_state *st)
{
    free(st->bytes);
    free(st->offs);
    free(st->lens);
    free(st->hdr_bytes);
    free(st->names);
    free(st->codes);
    free(st->attrs);
    free(st->dump);
    json_decref(st->attr_obj);
}

int corpus_read_csv(corpus_reader *r, const char *buf, size_t len)
{
    struct csv_parser p;
    csv_state st;
    size_t pos = r->begin;
    int64_t line = 0;

    memset(&st, 0, sizeof st);
    st.r = r;
    st.id_col = st.text_col = st.code_col = st.speaker_col = NO_COL;
    find_bad_byte(&st, buf, r->begin, len);
    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0)
        return corpus_nomem(r);
    csv_set_delim(&p, r->o.delimiter ? r->o.delimiter
                                     : detect_delimiter(buf, r->begin, len));

    while (pos < len && st.rc == 0) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        size_t n = end - pos, done;

        line++;
        st.line = line;
        if (!st.record_open && !blank(buf + pos, n)) {
            st.record_open = 1;
            st.rec_line = line;
        }
        done = csv_parse(&p, buf + pos, n, on_field, on_record, &st);
        if (st.rc == 0 && done < n) {
            if (csv_error(&p) == CSV_EPARSE)
                st.rc = corpus_fail(r, QUARRY_EPARSE, line,
                                    col_name(&st, st.n_fields),
                                    "malformed CSV at byte %zu: a quote in "
                                    "an unquoted field, or text after a "
                                    "closing quote",
                                    done + 1);
            else
                st.rc = corpus_nomem(r);
        }
        pos = end;
    }
    if (st.rc == 0 && csv_fini(&p, on_field, on_record, &st) != 0 &&
        st.rc == 0) {
        if (csv_error(&p) == CSV_EPARSE)
            st.rc = corpus_fail(r, QUARRY_EPARSE, st.rec_line,
                                col_name(&st, st.n_fields),
                                "quoted field never closed (the record "
                                "starts on this line)");
        else
            st.rc = corpus_nomem(r);
    }
    if (st.rc == 0 && st.bad_kind != QUARRY_UTF8_OK)
        st.rc = corpus_fail_bytes(r, st.bad_kind, st.bad_line, NULL,
                                  st.bad_col); /* not in any field */
    if (st.rc == 0 && !st.have_header)
        st.rc = corpus_fail(r, QUARRY_EPARSE, 0, NULL,
                            "no header row (an empty file)");
    csv_free(&p);
    free_state(&st);
    return st.rc;
}
