/*
 * report_data.c -- one pass over a project for the report (report_data.h).
 * The codings come excerpt by excerpt (quarry_project_codings), so an
 * excerpt's codes are gathered across its coders and counted once when
 * the next excerpt starts: excerpts per code and study, and the pairs of
 * codes for co-occurrence. Codings per coder, exemplar quotes and the
 * agreement table are filled row by row. The codes' inclusion and
 * exclusion notes come from the codebook file the project writes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_data.h"

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* qsort_r (not a static context): the web workbench may build reports
 * on several threads. */
static int by_id_cmp(const void *a, const void *b, void *ctx)
{
    const report_data *d = ctx;
    return strcmp(d->codes[*(const int32_t *)a].id,
                  d->codes[*(const int32_t *)b].id);
}

int32_t report_code_find(const report_data *d, const char *id)
{
    int32_t lo = 0, hi = d->n_codes - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d->codes[d->by_id[mid]].id, id);
        if (c == 0)
            return d->by_id[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* The index of name in *names (added, with a zeroed row of n counts, when
 * absent); -1 when out of memory. */
static int32_t name_index(char ***names, int64_t ***rows, int32_t *count,
                          const char *name, int32_t n)
{
    int32_t i;
    char **nn;
    int64_t **nr;
    for (i = 0; i < *count; i++)
        if (strcmp((*names)[i], name) == 0)
            return i;
    nn = realloc(*names, sizeof *nn * (*count + 1));
    if (nn == NULL)
        return -1;
    *names = nn;
    nr = realloc(*rows, sizeof *nr * (*count + 1));
    if (nr == NULL)
        return -1;
    *rows = nr;
    nn[*count] = strdup(name);
    nr[*count] = calloc((size_t)n + 1, sizeof **nr);
    if (nn[*count] == NULL || nr[*count] == NULL) {
        free(nn[*count]);
        free(nr[*count]);
        return -1;
    }
    return (*count)++;
}

/* Count the finished excerpt: once per code, and every pair. */
static void flush_excerpt(report_data *d)
{
    int32_t i, j, n = d->n_codes;
    int any = 0;
    if (d->cur_excerpt == NULL)
        return;
    for (i = 0; i < n; i++) {
        if (!d->cur_codes[i])
            continue;
        any = 1;
        if (d->cur_study >= 0)
            d->by_study[d->cur_study][i]++;
        for (j = 0; j < n; j++)
            if (d->cur_codes[j])
                d->cooc[(size_t)i * n + j]++;
        /* The code and the codes above it, once each for the excerpt;
         * the depth bounds the walk should the parents ever loop. */
        for (j = i; j >= 0 && !d->cur_tree[j] && d->codes[j].depth >= 0;
             j = d->parent[j])
            d->cur_tree[j] = 1;
    }
    for (i = 0; any && i < n; i++) {
        if (!d->cur_tree[i])
            continue;
        d->tree_total[i]++;
        if (d->cur_study >= 0)
            d->by_study[d->cur_study][n + i]++;
    }
    if (any && d->cur_study < 0)
        d->no_study++;
    memset(d->cur_codes, 0, (size_t)n);
    memset(d->cur_tree, 0, (size_t)n);
    free(d->cur_excerpt);
    free(d->cur_participant);
    d->cur_excerpt = d->cur_participant = NULL;
    d->cur_study = -1;
}

/* A string attribute of the excerpt, or NULL. */
static const char *attr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The words a coding quotes: the passage a coder marked, else the
 * excerpt. */
static const char *quote_text(const quarry_coding_row *r)
{
    return r->passage ? r->passage : r->text;
}

/* How good an exemplar a quote is: a passage a coder marked wins over a
 * whole excerpt (the coder chose those words); then a human coding of a
 * short, whole thought (40 to 400 bytes, best near 180) wins over a long
 * or very short one and over an accepted suggestion. */
static long quote_score(const quarry_coding_row *r)
{
    const char *t = quote_text(r);
    long len = (long)strlen(t ? t : "");
    long s = len < 40 ? 2000 + (40 - len) : len > 400 ? 1000 + len
                                                       : labs(len - 180);
    if (r->origin && strcmp(r->origin, "accepted-suggestion") == 0)
        s += 10000;
    if (r->passage == NULL)
        s += 20000;
    return s;
}

static void quote_free(report_quote *q)
{
    free(q->excerpt);
    free(q->text);
    free(q->participant);
    free(q->study);
    free(q->source);
    memset(q, 0, sizeof *q);
}

static int keep_quote(report_data *d, report_code *c,
                      const quarry_coding_row *r)
{
    long s = quote_score(r);
    int k, slot = -1, same;
    report_quote q;
    if (quote_text(r) == NULL || quote_text(r)[0] == '\0')
        return 0;
    /* The same excerpt from another coder: one quote of it, the better
     * (a passage one of them marked), where it stands. */
    for (k = 0; k < c->n_quotes; k++)
        if (strcmp(c->quotes[k].excerpt, r->excerpt) == 0)
            slot = k;
    same = slot >= 0;
    if (!same && c->n_quotes < 2)
        slot = c->n_quotes++;
    else if (!same)
        slot = c->quotes[0].score >= c->quotes[1].score ? 0 : 1;
    if (c->quotes[slot].excerpt != NULL && c->quotes[slot].score <= s)
        return 0;
    memset(&q, 0, sizeof q);
    q.score = s;
    q.excerpt = dup(r->excerpt);
    q.text = dup(quote_text(r));
    q.participant = dup(d->cur_participant ? d->cur_participant : r->speaker);
    q.study = dup(d->cur_study >= 0 ? d->studies[d->cur_study] : NULL);
    q.source = dup(r->source);
    if (q.excerpt == NULL || q.text == NULL) {
        quote_free(&q);
        return QUARRY_ENOMEM;
    }
    quote_free(&c->quotes[slot]);
    c->quotes[slot] = q;
    /* Keep them in the order of the codings (import order). */
    if (!same && c->n_quotes == 2 && slot == 0 &&
        strcmp(c->quotes[0].excerpt, c->quotes[1].excerpt) != 0) {
        report_quote t = c->quotes[0];
        c->quotes[0] = c->quotes[1];
        c->quotes[1] = t;
    }
    return 0;
}

static int on_coding(void *ctx, const quarry_coding_row *r)
{
    report_data *d = ctx;
    int32_t ci, k;
    int rc;

    if (d->cur_excerpt == NULL || strcmp(d->cur_excerpt, r->excerpt) != 0) {
        json_t *a;
        const char *study;
        flush_excerpt(d);
        d->cur_excerpt = strdup(r->excerpt);
        if (d->cur_excerpt == NULL)
            return QUARRY_ENOMEM;
        a = r->attributes ? json_loads(r->attributes, 0, NULL) : NULL;
        study = attr(a, "study");
        if (study != NULL && study[0] != '\0') {
            d->cur_study = name_index(&d->studies, &d->by_study,
                                      &d->n_studies, study, 2 * d->n_codes);
            if (d->cur_study < 0) {
                json_decref(a);
                return QUARRY_ENOMEM;
            }
        }
        d->cur_participant = dup(attr(a, "participant"));
        json_decref(a);
    }
    ci = report_code_find(d, r->code);
    if (ci < 0)
        return 0; /* cannot happen: codings reference the codebook */
    d->cur_codes[ci] = 1;
    k = name_index(&d->coders, &d->by_coder, &d->n_coders, r->coder,
                   d->n_codes);
    if (k < 0)
        return QUARRY_ENOMEM;
    d->by_coder[k][ci]++;
    /* A settlement is not a coder's own coding: not in agreement. */
    rc = r->settled ? QUARRY_OK
                    : quarry_agree_table_add(d->agree, r->excerpt, r->coder,
                                             r->code);
    if (rc != QUARRY_OK)
        return rc;
    return keep_quote(d, &d->codes[ci], r);
}

/* Inclusion and exclusion notes, from the codebook file the project
 * writes (the listing of codes carries only the definition). */
static int load_notes(report_data *d, quarry_project *p, char *err,
                      size_t errcap)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    json_t *root = NULL, *codes, *c;
    size_t i;
    int rc;
    if (m == NULL)
        return QUARRY_ENOMEM;
    rc = quarry_project_codebook_write(p, m);
    if (fclose(m) != 0 && rc == QUARRY_OK)
        rc = QUARRY_ENOMEM;
    if (rc != QUARRY_OK) {
        snprintf(err, errcap, "%s", quarry_project_errmsg(p));
        free(buf);
        return rc;
    }
    root = json_loadb(buf, len, 0, NULL);
    free(buf);
    codes = json_object_get(root, "codes");
    json_array_foreach(codes, i, c)
    {
        int32_t k = report_code_find(d, attr(c, "id") ? attr(c, "id") : "");
        if (k < 0)
            continue;
        d->codes[k].include = dup(attr(c, "include"));
        d->codes[k].exclude = dup(attr(c, "exclude"));
    }
    json_decref(root);
    return QUARRY_OK;
}

typedef struct named_row {
    char *name;
    int64_t *row;
} named_row;

static int named_cmp(const void *a, const void *b)
{
    return strcmp(((const named_row *)a)->name, ((const named_row *)b)->name);
}

/* Sort names (and their rows alongside) by name; the quotes keep their
 * own copies of study names, so nothing points into the order. */
static int sort_named(char **names, int64_t **rows, int32_t n)
{
    named_row *v;
    int32_t i;
    if (n < 2)
        return 0;
    v = malloc(sizeof *v * (size_t)n);
    if (v == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < n; i++)
        v[i] = (named_row){names[i], rows[i]};
    qsort(v, (size_t)n, sizeof *v, named_cmp);
    for (i = 0; i < n; i++) {
        names[i] = v[i].name;
        rows[i] = v[i].row;
    }
    free(v);
    return 0;
}

int report_data_load(report_data *d, quarry_project *p, char *err,
                     size_t errcap)
{
    const quarry_project_code *pc = NULL;
    int32_t n = 0, i;
    int rc;

    memset(d, 0, sizeof *d);
    d->cur_study = -1;
    rc = quarry_project_count(p, &d->counts);
    if (rc == QUARRY_OK)
        rc = quarry_project_codes(p, &pc, &n);
    if (rc != QUARRY_OK) {
        snprintf(err, errcap, "%s", quarry_project_errmsg(p));
        return rc;
    }
    d->codes = calloc((size_t)n + 1, sizeof *d->codes);
    d->by_id = calloc((size_t)n + 1, sizeof *d->by_id);
    d->cooc = calloc((size_t)n * n + 1, sizeof *d->cooc);
    d->cur_codes = calloc((size_t)n + 1, 1);
    d->cur_tree = calloc((size_t)n + 1, 1);
    d->tree_total = calloc((size_t)n + 1, sizeof *d->tree_total);
    d->parent = calloc((size_t)n + 1, sizeof *d->parent);
    if (d->codes == NULL || d->by_id == NULL || d->cooc == NULL ||
        d->cur_codes == NULL || d->cur_tree == NULL ||
        d->tree_total == NULL || d->parent == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        report_code *c = &d->codes[i];
        c->id = dup(pc[i].id);
        c->name = dup(pc[i].name ? pc[i].name : pc[i].id);
        c->parent = dup(pc[i].parent);
        c->definition = dup(pc[i].definition);
        c->depth = pc[i].depth;
        c->is_theme = pc[i].is_theme;
        c->n_codings = pc[i].n_codings;
        c->n_excerpts = pc[i].n_excerpts;
        d->by_id[i] = i;
        d->n_codes = i + 1;
        if (c->id == NULL || c->name == NULL)
            goto nomem;
    }
    qsort_r(d->by_id, (size_t)n, sizeof *d->by_id, by_id_cmp, d);
    for (i = 0; i < n; i++) {
        d->parent[i] = d->codes[i].parent
                           ? report_code_find(d, d->codes[i].parent)
                           : -1;
        if (d->parent[i] == i)
            d->parent[i] = -1;
    }
    rc = load_notes(d, p, err, errcap);
    if (rc != QUARRY_OK)
        return rc;
    rc = quarry_agree_table_new(&d->agree);
    if (rc != QUARRY_OK)
        goto nomem;
    rc = quarry_project_codings(p, on_coding, d);
    if (rc == QUARRY_OK)
        flush_excerpt(d);
    if (rc == QUARRY_ENOMEM)
        goto nomem;
    if (rc != QUARRY_OK) {
        snprintf(err, errcap, "%s",
                 quarry_project_errmsg(p)[0]
                     ? quarry_project_errmsg(p)
                     : quarry_agree_table_errmsg(d->agree));
        return rc;
    }
    if (sort_named(d->studies, d->by_study, d->n_studies) != 0 ||
        sort_named(d->coders, d->by_coder, d->n_coders) != 0)
        goto nomem;
    return QUARRY_OK;
nomem:
    snprintf(err, errcap, "out of memory");
    return QUARRY_ENOMEM;
}

void report_data_free(report_data *d)
{
    int32_t i;
    for (i = 0; i < d->n_codes; i++) {
        report_code *c = &d->codes[i];
        free(c->id);
        free(c->name);
        free(c->parent);
        free(c->definition);
        free(c->include);
        free(c->exclude);
        quote_free(&c->quotes[0]);
        quote_free(&c->quotes[1]);
    }
    free(d->codes);
    free(d->by_id);
    for (i = 0; i < d->n_studies; i++) {
        free(d->studies[i]);
        free(d->by_study[i]);
    }
    free(d->studies);
    free(d->by_study);
    for (i = 0; i < d->n_coders; i++) {
        free(d->coders[i]);
        free(d->by_coder[i]);
    }
    free(d->coders);
    free(d->by_coder);
    free(d->cooc);
    free(d->cur_excerpt);
    free(d->cur_participant);
    free(d->cur_codes);
    free(d->cur_tree);
    free(d->tree_total);
    free(d->parent);
    quarry_agree_table_free(d->agree);
    memset(d, 0, sizeof *d);
}
