/*
 * project_tables.c -- a project's codings as tables for papers, R and
 * Python (quarry/project.h): every coding as a row, the code-by-excerpt
 * 0/1 matrix, the code co-occurrence matrix and the quotations table, as
 * CSV (RFC 4180: a field is quoted when it holds a comma, a quote or a line
 * break). Codes are in codebook order, excerpts in import order. Every
 * human coding counts unless one coder is asked for: two coders who
 * disagree would otherwise show as both codes. The excerpts' attributes
 * become one column per key, so a data frame gets them without parsing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

static void csv_field(FILE *out, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* The text with every run of line breaks inside it joined into one space
 * (runs at either end dropped), and a tab (Word's, in a quoted turn) a
 * space, for a quotation on one line. */
static void csv_field_joined(FILE *out, const char *s)
{
    char *j;
    size_t n = 0;
    const char *q;
    int gap = 0;
    if (s == NULL)
        return;
    j = malloc(strlen(s) + 1);
    if (j == NULL) { /* still a valid field, only not joined */
        csv_field(out, s);
        return;
    }
    for (q = s; *q; q++) {
        if (*q == '\r' || *q == '\n') {
            gap = n > 0;
            continue;
        }
        if (gap)
            j[n++] = ' ';
        gap = 0;
        j[n++] = *q == '\t' ? ' ' : *q;
    }
    j[n] = '\0';
    csv_field(out, j);
    free(j);
}

static int finish(quarry_project *p, FILE *out, int status)
{
    if (status == QUARRY_OK && (fflush(out) != 0 || ferror(out)))
        return project_fail(p, QUARRY_EIO, "cannot write the table");
    return status;
}

/* ------------------------------------------------------------------ */
/* Coders                                                               */

/* The row id of coder name in *id; 0 for NULL (every coder). */
static int coder_filter(quarry_project *p, const quarry_export_options *o,
                        int64_t *id)
{
    sqlite3_stmt *st;
    char list[600];
    size_t used = 0;
    int rc;
    *id = 0;
    if (o == NULL || o->coder == NULL)
        return QUARRY_OK;
    st = project_prepare(p, "SELECT id FROM coders WHERE name = ?1");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, o->coder, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (*id != 0)
        return QUARRY_OK;
    list[0] = '\0';
    st = project_prepare(p, "SELECT name FROM coders WHERE id IN (SELECT"
                            " coder_id FROM codings) ORDER BY name");
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && used + 80 < sizeof list)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"",
                                 used ? ", " : "", project_col_text(st, 0));
    sqlite3_finalize(st);
    return project_fail(p, QUARRY_ENOTFOUND,
                        "coder \"%s\": no codings of that coder in %s "
                        "(coders with codings: %s)",
                        o->coder, p->path, used ? list : "none");
}

int quarry_project_check_coder(quarry_project *p, const char *name)
{
    quarry_export_options o = QUARRY_EXPORT_OPTIONS_INIT;
    int64_t id;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    o.coder = name;
    return coder_filter(p, &o, &id);
}

/* ------------------------------------------------------------------ */
/* Attribute columns                                                    */

typedef struct attrs {
    char **key;  /* the attribute key */
    char **head; /* its column name */
    size_t n;
} attrs;

static void attrs_free(attrs *a)
{
    size_t i;
    for (i = 0; i < a->n; i++) {
        free(a->key[i]);
        free(a->head[i]);
    }
    free(a->key);
    free(a->head);
    memset(a, 0, sizeof *a);
}

static int in_list(const char *s, const char *const *list)
{
    for (; list != NULL && *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* The keys of every excerpt's attributes, sorted, minus skip, speaker and
 * refi_*;
 * a key that is one of the table's fixed columns is named
 * "attribute.KEY". */
static int attrs_load(quarry_project *p, const char *const *fixed,
                      const char *const *skip, attrs *a)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT DISTINCT j.key FROM excerpts e, json_each(e.attributes) j"
           " WHERE json_valid(e.attributes) ORDER BY j.key");
    size_t cap = 0;
    int rc, status = QUARRY_OK;
    memset(a, 0, sizeof *a);
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = project_col_text(st, 0);
        char *head;
        /* refi_*: where a REFI-QDA import found the selection, kept for
         * the way back, not data to analyse. */
        if (k == NULL || in_list(k, skip) || strncmp(k, "refi_", 5) == 0 ||
            strcmp(k, "speaker") == 0) /* the speaker column has it */
            continue;
        if (a->n == cap) {
            char **nk, **nh;
            cap = cap ? 2 * cap : 16;
            nk = realloc(a->key, cap * sizeof *nk);
            if (nk != NULL)
                a->key = nk;
            nh = realloc(a->head, cap * sizeof *nh);
            if (nh != NULL)
                a->head = nh;
            if (nk == NULL || nh == NULL) {
                status = QUARRY_ENOMEM;
                break;
            }
        }
        head = malloc(strlen(k) + sizeof "attribute.");
        a->key[a->n] = strdup(k);
        if (head != NULL)
            sprintf(head, "%s%s", in_list(k, fixed) ? "attribute." : "", k);
        a->head[a->n++] = head;
        if (head == NULL || a->key[a->n - 1] == NULL) {
            status = QUARRY_ENOMEM;
            break;
        }
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the attributes");
    sqlite3_finalize(st);
    if (status == QUARRY_ENOMEM)
        project_fail(p, status, "out of memory");
    if (status != QUARRY_OK)
        attrs_free(a);
    return status;
}

static void attrs_header(FILE *out, const attrs *a)
{
    size_t i;
    for (i = 0; i < a->n; i++) {
        fputc(',', out);
        csv_field(out, a->head[i]);
    }
}

/* ",v1,v2..." for one excerpt's attributes: strings as they are, other
 * values as compact JSON, absent ones and null empty. */
static void attrs_row(FILE *out, const attrs *a, const char *json)
{
    json_t *o = a->n > 0 && json ? json_loads(json, 0, NULL) : NULL;
    size_t i;
    for (i = 0; i < a->n; i++) {
        json_t *v = json_is_object(o) ? json_object_get(o, a->key[i]) : NULL;
        fputc(',', out);
        if (json_is_string(v)) {
            csv_field(out, json_string_value(v));
        } else if (v != NULL && !json_is_null(v)) {
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            csv_field(out, s);
            free(s);
        }
    }
    json_decref(o);
}

/* ------------------------------------------------------------------ */
/* Codes                                                                */

typedef struct codes {
    int64_t *row;
    char **id;
    int32_t n;
} codes;

static void codes_free(codes *c)
{
    int32_t i;
    for (i = 0; i < c->n; i++)
        free(c->id[i]);
    free(c->row);
    free(c->id);
}

static int codes_load(quarry_project *p, codes *c)
{
    sqlite3_stmt *st = project_prepare(p, "SELECT count(*) FROM codes");
    int64_t n = 0;
    memset(c, 0, sizeof(*c));
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    c->row = malloc(((size_t)n + 1) * sizeof(int64_t));
    c->id = calloc((size_t)n + 1, sizeof(char *));
    if (c->row == NULL || c->id == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    st = project_prepare(p, "SELECT id, code FROM codes ORDER BY position, id");
    if (st == NULL)
        return QUARRY_EIO;
    while (sqlite3_step(st) == SQLITE_ROW && c->n < n) {
        c->row[c->n] = sqlite3_column_int64(st, 0);
        c->id[c->n] = strdup(project_col_text(st, 1));
        if (c->id[c->n] == NULL) {
            sqlite3_finalize(st);
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        }
        c->n++;
    }
    sqlite3_finalize(st);
    return QUARRY_OK;
}

/* Column of a code row (codes are few: a linear scan). */
static int32_t code_col(const codes *c, int64_t row)
{
    int32_t i;
    for (i = 0; i < c->n; i++)
        if (c->row[i] == row)
            return i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* The tables                                                           */

/* What every table starts from: an open project and the coder asked for
 * (its row id in *coder; 0 for every coder). */
static int table_begin(quarry_project *p, const quarry_export_options *o,
                       int64_t *coder)
{
    int status = project_check(p, 0);
    if (status == QUARRY_OK)
        status = coder_filter(p, o, coder);
    return status;
}

/* ",CODE1,CODE2..." for the columns of the codes. */
static void codes_header(FILE *out, const codes *c)
{
    int32_t i;
    for (i = 0; i < c->n; i++) {
        fputc(',', out);
        csv_field(out, c->id[i]);
    }
}

/* A table of one line per row of its SELECT (?1 the coder's row id or 0):
 * columns 0 to n-1 as fields under head (column source_col without the
 * folders of its source, joined_col on one line; -1 for none), then the
 * attributes of column n, one column per key (fixed and skip as in
 * attrs_load). */
typedef struct row_table {
    const char *const *fixed, *const *skip;
    const char *head, *sql;
    int n, source_col, joined_col;
} row_table;

typedef struct row_ctx {
    FILE *out;
    const row_table *t;
    const attrs *a;
} row_ctx;

static int table_row(sqlite3_stmt *st, void *ctx)
{
    const row_ctx *x = ctx;
    int k;
    for (k = 0; k < x->t->n; k++) {
        const char *v = project_col_text(st, k);
        if (k)
            fputc(',', x->out);
        if (k == x->t->source_col)
            csv_field(x->out, project_source_base(v));
        else if (k == x->t->joined_col)
            csv_field_joined(x->out, v);
        else
            csv_field(x->out, v);
    }
    attrs_row(x->out, x->a, project_col_text(st, x->t->n));
    fputc('\n', x->out);
    return 0;
}

/* SQL: the excerpts' live settlements, one an excerpt (its latest
 * settle decision not undone): excerpt_id, coder_id. */
#define LIVE_SETTLE_SQL                                                       \
    "SELECT d.excerpt_id, d.coder_id FROM decisions d WHERE d.verdict ="     \
    " 'settle' AND" PROJECT_NOT_UNDONE("d") " AND NOT EXISTS (SELECT 1"      \
    " FROM decisions d2 WHERE d2.excerpt_id = d.excerpt_id AND d2.verdict =" \
    " 'settle' AND d2.id > d.id AND" PROJECT_NOT_UNDONE("d2") ")"

/* SQL: an excerpt every coder of it coded alike (alias e): as many
 * codings as coders times codes (a coder has a code on it once). */
#define ALIKE_SQL(e)                                                          \
    "(SELECT count(*) FROM codings h WHERE h.excerpt_id = " e ") ="          \
    " (SELECT count(DISTINCT h.coder_id) * count(DISTINCT h.code_id) FROM"   \
    " codings h WHERE h.excerpt_id = " e ")"

/* SQL: the final coding (quarry_export_options.final) as rows excerpt_id,
 * code_id, coder (a name, or names), origin, made_at, span_start,
 * span_end: the settler's codings where a settlement stands, else the
 * codings of an excerpt its coders coded alike, one row a code. */
#define FINAL_SQL                                                             \
    "(SELECT g.excerpt_id, g.code_id, c.name AS coder, 'settled' AS origin,"  \
    " g.made_at, g.span_start, g.span_end FROM codings g"                    \
    " JOIN coders c ON c.id = g.coder_id JOIN (" LIVE_SETTLE_SQL ") z"        \
    " ON z.excerpt_id = g.excerpt_id AND z.coder_id = g.coder_id"            \
    " UNION ALL SELECT g.excerpt_id, g.code_id,"                             \
    " group_concat(g.name, ' & '), CASE WHEN count(*) > 1 THEN 'agreed'"     \
    " ELSE 'single coder' END, max(g.made_at),"                              \
    " CASE WHEN count(g.span_end) = count(*) AND min(g.span_start) ="        \
    " max(g.span_start) AND min(g.span_end) = max(g.span_end) THEN"          \
    " min(g.span_start) END, CASE WHEN count(g.span_end) = count(*) AND"     \
    " min(g.span_start) = max(g.span_start) AND min(g.span_end) ="           \
    " max(g.span_end) THEN min(g.span_end) END"                              \
    " FROM (SELECT h.*, c.name FROM codings h JOIN coders c ON c.id ="       \
    " h.coder_id ORDER BY c.name) g"                                         \
    " WHERE g.excerpt_id NOT IN (SELECT excerpt_id FROM (" LIVE_SETTLE_SQL    \
    ")) AND " ALIKE_SQL("g.excerpt_id")                                      \
    " GROUP BY g.excerpt_id, g.code_id)"

int quarry_project_count_unsettled(quarry_project *p, int64_t *n)
{
    sqlite3_stmt *st;
    int status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    if (n == NULL)
        return project_fail(p, QUARRY_EINVAL, "no count to fill");
    *n = 0;
    st = project_prepare(
        p, "SELECT count(*) FROM excerpts e WHERE EXISTS (SELECT 1 FROM"
           " codings g WHERE g.excerpt_id = e.id) AND e.id NOT IN (SELECT"
           " excerpt_id FROM (" LIVE_SETTLE_SQL ")) AND NOT (" ALIKE_SQL("e.id")
           ")");
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        status = project_db_fail(p, "cannot count the excerpts to settle");
    sqlite3_finalize(st);
    return status;
}

/* The final coding asked for: only version 2's csv and quotes, and not
 * with a coder. 1 when asked (and allowed); 0 when not; < 0 refused. */
static int final_asked(quarry_project *p, const quarry_export_options *o,
                       const char *table)
{
    if (o == NULL || o->version < 2 || !o->final)
        return 0;
    if (o->coder != NULL)
        return project_fail(p, QUARRY_EINVAL, "the final coding is the "
                            "coders' together: give a coder or ask for the "
                            "final coding, not both");
    if (table == NULL)
        return project_fail(p, QUARRY_EINVAL, "the final coding is written "
                            "as csv or quotes");
    return 1;
}

static int write_rows(quarry_project *p, FILE *out,
                      const quarry_export_options *o, const row_table *t)
{
    attrs a;
    sqlite3_stmt *st;
    row_ctx x;
    int64_t coder;
    int status = table_begin(p, o, &coder);
    if (status != QUARRY_OK)
        return status;
    status = attrs_load(p, t->fixed, t->skip, &a);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, t->sql);
    if (st == NULL) {
        attrs_free(&a);
        return QUARRY_EIO;
    }
    sqlite3_bind_int64(st, 1, coder);
    fputs(t->head, out);
    attrs_header(out, &a);
    fputc('\n', out);
    x.out = out;
    x.t = t;
    x.a = &a;
    status = project_walk(p, st, table_row, &x, "cannot read the codings");
    attrs_free(&a);
    return finish(p, out, status);
}

/* SQL: the codings' rows, FROM on (its g: excerpt_id, code_id, origin,
 * made_at, span_start, span_end), coder the column that names who. */
#define CSV_SQL(coder, from)                                                  \
    "SELECT e.xid, k.code, " coder ", g.origin, g.made_at, s.name,"           \
    " e.speaker, e.text, " PROJECT_PASSAGE_SQL("g", "e") ", e.attributes"     \
    " FROM " from " JOIN excerpts e ON e.id = g.excerpt_id"                   \
    " JOIN codes k ON k.id = g.code_id JOIN sources s ON s.id = e.source_id"

int quarry_project_export_csv(quarry_project *p, FILE *out,
                              const quarry_export_options *o)
{
    static const char *const fixed[] = {
        "id",     "code",    "coder", "origin",  "time",
        "source", "speaker", "text",  "passage", NULL};
    static const row_table t = {
        .fixed = fixed,
        .head = "id,code,coder,origin,time,source,speaker,text,passage",
        .sql = CSV_SQL("c.name", "codings g JOIN coders c ON c.id ="
                                 " g.coder_id")
               " WHERE ?1 = 0 OR g.coder_id = ?1"
               " ORDER BY e.seq, e.id, k.position, k.id, c.name",
        .n = 9,
        .source_col = 5,
        .joined_col = -1};
    row_table final = t;
    int f = project_check(p, 0);
    final.sql = CSV_SQL("g.coder", FINAL_SQL " g")
        " WHERE ?1 = 0 ORDER BY e.seq, e.id, k.position, k.id";
    if (f == QUARRY_OK)
        f = final_asked(p, o, "csv");
    return f < 0 ? f : write_rows(p, out, o, f ? &final : &t);
}

/* One matrix row: the excerpt's id, source, speaker, cells, attributes. */
typedef struct mrow {
    char *xid, *src, *spk, *attributes;
} mrow;

static void mrow_free(mrow *m)
{
    free(m->xid);
    free(m->src);
    free(m->spk);
    free(m->attributes);
    memset(m, 0, sizeof *m);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The matrix as its rows come: one row per excerpt with each of its
 * codes, the excerpt's line written when the next excerpt starts. */
typedef struct matrix_ctx {
    FILE *out;
    const codes *c;
    const attrs *a;
    mrow m;
    unsigned char *cells;
    int64_t last; /* the excerpt of m, -1 before the first */
} matrix_ctx;

static void matrix_line(matrix_ctx *x)
{
    int32_t i;
    if (x->last < 0)
        return;
    csv_field(x->out, x->m.xid);
    fputc(',', x->out);
    csv_field(x->out, project_source_base(x->m.src));
    fputc(',', x->out);
    csv_field(x->out, x->m.spk);
    for (i = 0; i < x->c->n; i++)
        fputs(x->cells[i] ? ",1" : ",0", x->out);
    attrs_row(x->out, x->a, x->m.attributes);
    fputc('\n', x->out);
}

static int matrix_row(sqlite3_stmt *st, void *ctx)
{
    matrix_ctx *x = ctx;
    if (sqlite3_column_int64(st, 0) != x->last) {
        matrix_line(x); /* the excerpt before */
        mrow_free(&x->m);
        x->m.xid = dup_or_null(project_col_text(st, 1));
        x->m.src = dup_or_null(project_col_text(st, 2));
        x->m.spk = dup_or_null(project_col_text(st, 3));
        x->m.attributes = dup_or_null(project_col_text(st, 5));
        memset(x->cells, 0, (size_t)x->c->n);
        x->last = sqlite3_column_int64(st, 0);
    }
    if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
        int32_t k = code_col(x->c, sqlite3_column_int64(st, 4));
        if (k >= 0)
            x->cells[k] = 1;
    }
    return 0;
}

int quarry_project_export_matrix(quarry_project *p, FILE *out,
                                 const quarry_export_options *o)
{
    static const char *const fixed[] = {"excerpt", "source", "speaker", NULL};
    codes c;
    attrs a;
    matrix_ctx x;
    sqlite3_stmt *st;
    int64_t coder;
    int status = table_begin(p, o, &coder);
    if (status == QUARRY_OK && final_asked(p, o, NULL) < 0)
        status = QUARRY_EINVAL;
    if (status != QUARRY_OK)
        return status;
    memset(&x, 0, sizeof x);
    memset(&a, 0, sizeof a);
    status = codes_load(p, &c);
    if (status == QUARRY_OK)
        status = attrs_load(p, fixed, NULL, &a);
    if (status != QUARRY_OK)
        goto out;
    x.cells = calloc((size_t)c.n + 1, 1);
    if (x.cells == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    fputs("excerpt,source,speaker", out);
    codes_header(out, &c);
    attrs_header(out, &a);
    fputc('\n', out);
    st = project_prepare(p, "SELECT e.id, e.xid, s.name, e.speaker, g.code_id,"
                            " e.attributes FROM excerpts e JOIN sources s"
                            " ON s.id = e.source_id LEFT JOIN codings g ON"
                            " g.excerpt_id = e.id AND (?1 = 0 OR"
                            " g.coder_id = ?1) ORDER BY e.seq, e.id");
    if (st != NULL)
        sqlite3_bind_int64(st, 1, coder);
    x.out = out;
    x.c = &c;
    x.a = &a;
    x.last = -1;
    status = project_walk(p, st, matrix_row, &x, "cannot read the codings");
    matrix_line(&x); /* the last excerpt's, if any */
out:
    free(x.cells);
    mrow_free(&x.m);
    attrs_free(&a);
    codes_free(&c);
    return finish(p, out, status);
}

/* The co-occurrence counts as the rows come, by excerpt: the codes of one
 * excerpt gathered in in, each pair counted when the next starts. */
typedef struct cooc_ctx {
    const codes *c;
    int64_t *counts, last;
    int32_t *in, n_in;
} cooc_ctx;

static void cooc_count(cooc_ctx *x)
{
    int32_t i, j;
    for (i = 0; i < x->n_in; i++)
        for (j = 0; j < x->n_in; j++)
            x->counts[(size_t)x->in[i] * (size_t)x->c->n + (size_t)x->in[j]]++;
    x->n_in = 0;
}

static int cooc_row(sqlite3_stmt *st, void *ctx)
{
    cooc_ctx *x = ctx;
    int32_t i;
    if (sqlite3_column_int64(st, 0) != x->last) {
        cooc_count(x);
        x->last = sqlite3_column_int64(st, 0);
    }
    i = code_col(x->c, sqlite3_column_int64(st, 1));
    if (i >= 0 && x->n_in < x->c->n)
        x->in[x->n_in++] = i;
    return 0;
}

int quarry_project_export_cooccurrence(quarry_project *p, FILE *out,
                                       const quarry_export_options *o)
{
    codes c;
    sqlite3_stmt *st;
    cooc_ctx x;
    int64_t coder;
    int32_t i, j;
    int status = table_begin(p, o, &coder);
    if (status == QUARRY_OK && final_asked(p, o, NULL) < 0)
        status = QUARRY_EINVAL;
    if (status != QUARRY_OK)
        return status;
    memset(&x, 0, sizeof x);
    status = codes_load(p, &c);
    if (status != QUARRY_OK)
        goto out;
    x.counts = calloc((size_t)c.n * (size_t)c.n + 1, sizeof(int64_t));
    x.in = malloc(((size_t)c.n + 1) * sizeof(int32_t));
    if (x.counts == NULL || x.in == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    st = project_prepare(p, "SELECT DISTINCT excerpt_id, code_id FROM codings"
                            " WHERE ?1 = 0 OR coder_id = ?1"
                            " ORDER BY excerpt_id, code_id");
    if (st != NULL)
        sqlite3_bind_int64(st, 1, coder);
    x.c = &c;
    x.last = -1;
    status = project_walk(p, st, cooc_row, &x, "cannot read the codings");
    if (status != QUARRY_OK)
        goto out;
    cooc_count(&x); /* the last excerpt's */
    fputs("code", out);
    codes_header(out, &c);
    fputc('\n', out);
    for (i = 0; i < c.n; i++) {
        csv_field(out, c.id[i]);
        for (j = 0; j < c.n; j++)
            fprintf(out, ",%lld",
                    (long long)x.counts[(size_t)i * (size_t)c.n + (size_t)j]);
        fputc('\n', out);
    }
out:
    free(x.counts);
    free(x.in);
    codes_free(&c);
    return finish(p, out, status);
}

/* SQL: the quotes' rows, one a (code, excerpt, passage) of FROM (its g:
 * excerpt_id, code_id, span_start, span_end), coders the column that
 * names who. */
#define QUOTES_SQL(coders, from)                                              \
    "SELECT k.code, coalesce(k.name, k.code),"                                \
    " (SELECT coalesce(t.name, t.code) FROM codes t WHERE t.code ="          \
    " k.parent), " coders ", json_extract(e.attributes, '$.study'),"         \
    " json_extract(e.attributes, '$.participant'), e.speaker, s.name,"       \
    " e.xid, coalesce(" PROJECT_PASSAGE_SQL("g", "e") ", e.text),"           \
    " e.attributes FROM " from                                                \
    " JOIN excerpts e ON e.id = g.excerpt_id"                                 \
    " JOIN codes k ON k.id = g.code_id JOIN sources s ON s.id = e.source_id" \
    " ORDER BY k.position, k.id, e.seq, e.id, g.span_start"

int quarry_project_export_quotes(quarry_project *p, FILE *out,
                                 const quarry_export_options *o)
{
    static const char *const fixed[] = {
        "code",    "name",   "theme",   "coder", "study", "participant",
        "speaker", "source", "excerpt", "text",  NULL};
    static const char *const skip[] = {"study", "participant", NULL};
    static const row_table t = {
        .fixed = fixed,
        .skip = skip,
        .head = "code,name,theme,coder,study,participant,speaker,source,"
                "excerpt,text",
        .sql = QUOTES_SQL(
            "(SELECT group_concat(name, '; ') FROM (SELECT c.name FROM"
            " codings h JOIN coders c ON c.id = h.coder_id"
            " WHERE h.excerpt_id = g.excerpt_id AND h.code_id = g.code_id"
            " AND h.span_start IS g.span_start AND h.span_end IS g.span_end"
            " AND (?1 = 0 OR h.coder_id = ?1) ORDER BY c.name))",
            "(SELECT DISTINCT excerpt_id, code_id, span_start, span_end"
            " FROM codings WHERE ?1 = 0 OR coder_id = ?1) g"),
        .n = 10,
        .source_col = 7,
        .joined_col = 9};
    row_table final = t;
    int f = project_check(p, 0);
    final.sql = QUOTES_SQL("g.coder", "(SELECT * FROM " FINAL_SQL
                                      " WHERE ?1 = 0) g");
    if (f == QUARRY_OK)
        f = final_asked(p, o, "quotes");
    return f < 0 ? f : write_rows(p, out, o, f ? &final : &t);
}
