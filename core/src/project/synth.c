/*
 * synth.c -- the meta-synthesis table (quarry/metrics.h, quarry_synth_*):
 * themes or codes against studies, with the excerpts and the distinct
 * participants behind each cell. Codes are mapped to rows (rolled up the
 * codebook tree to the top-level themes, or kept as codes); then every
 * coded excerpt gives one (row, study, participant, excerpt) entry per
 * distinct row its codes reach, and every count is a count of distinct
 * values over sorted entries. Memory is O(excerpts x codes per excerpt).
 * Messages name an excerpt by its id: a project's excerpts have no line
 * of their own.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codebook.h"
#include "engine.h"

struct quarry_synth {
    int32_t n_rows, n_studies;
    char **row_id, **row_name, **study;
    quarry_synth_cell *cells; /* (n_rows + 1) x (n_studies + 1) */
    int64_t uncoded;
    int64_t by_source; /* coded excerpts counted under their transcript */
};

typedef struct entry {
    int32_t row, study;
    int64_t participant; /* -1 when not counted */
    int64_t excerpt;
} entry;

void quarry_synth_free(quarry_synth *s)
{
    int32_t i;
    if (s == NULL)
        return;
    for (i = 0; i < s->n_rows; i++) {
        free(s->row_id[i]);
        free(s->row_name[i]);
    }
    for (i = 0; i < s->n_studies; i++)
        free(s->study[i]);
    free(s->row_id);
    free(s->row_name);
    free(s->study);
    free(s->cells);
    free(s);
}

int32_t quarry_synth_n_rows(const quarry_synth *s)
{
    return s ? s->n_rows : 0;
}

int32_t quarry_synth_n_studies(const quarry_synth *s)
{
    return s ? s->n_studies : 0;
}

const char *quarry_synth_row_id(const quarry_synth *s, int32_t r)
{
    return s && r >= 0 && r < s->n_rows ? s->row_id[r] : NULL;
}

const char *quarry_synth_row_name(const quarry_synth *s, int32_t r)
{
    return s && r >= 0 && r < s->n_rows ? s->row_name[r] : NULL;
}

const char *quarry_synth_study(const quarry_synth *s, int32_t j)
{
    return s && j >= 0 && j < s->n_studies ? s->study[j] : NULL;
}

const quarry_synth_cell *quarry_synth_cell_at(const quarry_synth *s,
                                              int32_t r, int32_t j)
{
    if (s == NULL || r < 0 || r > s->n_rows || j < 0 || j > s->n_studies)
        return NULL;
    return &s->cells[(size_t)r * (size_t)(s->n_studies + 1) + (size_t)j];
}

int64_t quarry_synth_uncoded(const quarry_synth *s)
{
    return s ? s->uncoded : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort and deduplicate n strings in place; returns the distinct count. */
static size_t unique_strings(const char **v, size_t n)
{
    size_t i, u = 0;
    qsort(v, n, sizeof *v, cmp_str);
    for (i = 0; i < n; i++)
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    return u;
}

static int64_t find_string(const char **v, size_t n, const char *s)
{
    const char **hit = bsearch(&s, v, n, sizeof *v, cmp_str);
    return hit ? (int64_t)(hit - v) : -1;
}

/* Entries by row, study, participant, excerpt. */
static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->study != y->study)
        return x->study < y->study ? -1 : 1;
    if (x->participant != y->participant)
        return x->participant < y->participant ? -1 : 1;
    return (x->excerpt > y->excerpt) - (x->excerpt < y->excerpt);
}

/* Entries by row, participant (for the row totals). */
static int cmp_entry_rp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->participant > y->participant) -
           (x->participant < y->participant);
}

/* Entries by study, participant, excerpt (for the study totals). */
static int cmp_entry_sp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->study != y->study)
        return x->study < y->study ? -1 : 1;
    if (x->participant != y->participant)
        return x->participant < y->participant ? -1 : 1;
    return (x->excerpt > y->excerpt) - (x->excerpt < y->excerpt);
}

static int cmp_entry_p(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return (x->participant > y->participant) -
           (x->participant < y->participant);
}

/* Rows from a codebook: row_of[code] for every code, -1 where unused. */
static int codebook_rows(quarry_engine *e, const quarry_codebook *cb,
                         quarry_synth_level level, const quarry_corpus *c,
                         int32_t *row_of, quarry_synth *s)
{
    int32_t n = cb->n_codes, i, roots = 0, root = -1, theme_depth = 0;
    int32_t *depth = calloc((size_t)n + 1, sizeof *depth);
    int32_t *target = calloc((size_t)n + 1, sizeof *target);
    char *listed = calloc((size_t)n + 1, 1);
    size_t x, k;
    int rc = QUARRY_ENOMEM;

    if (!depth || !target || !listed)
        goto out;
    for (i = 0; i < n; i++)
        row_of[i] = -1;
    for (i = 0; i < n; i++)
        if (cb->codes[i].parent_index < 0) {
            roots++;
            root = i;
        }
    if (roots == 1 && cb->codes[root].n_children > 0)
        theme_depth = 1;
    for (i = 0; i < n; i++) {
        int32_t a = i, d = 0;
        while (cb->codes[a].parent_index >= 0) {
            a = cb->codes[a].parent_index;
            d++;
        }
        depth[i] = d;
    }
    for (i = 0; i < n; i++) {
        int32_t a = i;
        if (level == QUARRY_SYNTH_THEME) {
            for (int32_t d = depth[i]; d > theme_depth; d--)
                a = cb->codes[a].parent_index;
            listed[i] = depth[i] == theme_depth;
        } else {
            listed[i] = cb->codes[i].n_children == 0;
        }
        target[i] = a;
    }
    /* A code used directly above the level gets a row of its own. */
    for (x = 0; x < quarry_corpus_size(c); x++) {
        const quarry_excerpt *ex = quarry_corpus_at(c, x);
        for (k = 0; k < (size_t)ex->n_codes; k++) {
            int32_t ci = quarry_codebook_find(cb, ex->codes[k]);
            if (ci < 0) {
                rc = engine_fail(e, QUARRY_ENOTFOUND,
                                 "%s: excerpt \"%s\": field \"code\": \"%s\" "
                                 "is not a code of the codebook %s",
                                 ex->source, ex->id, ex->codes[k], cb->name);
                goto out;
            }
            listed[target[ci]] = 1;
        }
    }
    s->row_id = calloc((size_t)n + 1, sizeof *s->row_id);
    s->row_name = calloc((size_t)n + 1, sizeof *s->row_name);
    if (!s->row_id || !s->row_name)
        goto out;
    /* Rows at the level first, in codebook order, then any above it. */
    for (int pass = 0; pass < 2; pass++)
        for (i = 0; i < n; i++) {
            int at_level = level == QUARRY_SYNTH_THEME
                               ? depth[i] == theme_depth
                               : cb->codes[i].n_children == 0;
            if (!listed[i] || at_level != (pass == 0) || row_of[i] >= 0)
                continue;
            s->row_id[s->n_rows] = strdup(cb->codes[i].id);
            s->row_name[s->n_rows] = strdup(
                cb->codes[i].name ? cb->codes[i].name : cb->codes[i].id);
            if (!s->row_id[s->n_rows] || !s->row_name[s->n_rows]) {
                s->n_rows++;
                goto out;
            }
            row_of[i] = s->n_rows++;
        }
    /* Every code to the row of its target (targets come first: a code's
     * target is itself or an ancestor, and has its row by now). */
    for (i = 0; i < n; i++)
        target[i] = row_of[target[i]];
    memcpy(row_of, target, (size_t)n * sizeof *row_of);
    rc = QUARRY_OK;
out:
    free(depth);
    free(target);
    free(listed);
    return rc;
}

static int transcript_name(const char *name)
{
    static const char *const ext[] = {".txt", ".md", ".docx", ".srt", ".vtt"};
    size_t n = strlen(name), i, e;
    for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        e = strlen(ext[i]);
        if (n > e && strcasecmp(name + n - e, ext[i]) == 0)
            return 1;
    }
    return 0;
}

/* Excerpt i's participant: its field, else (an interview transcript is
 * one participant's) the transcript it comes from; NULL when neither. */
static const char *participant_of(const quarry_corpus *c, size_t i,
                                  const char *field)
{
    const char *pt = quarry_corpus_attribute(c, i, field), *src;
    if (pt != NULL)
        return pt;
    src = quarry_corpus_attribute(c, i, "source");
    if (src == NULL)
        src = quarry_corpus_at(c, i)->source;
    return src != NULL && transcript_name(src) ? src : NULL;
}

int64_t quarry_synth_by_source(const quarry_synth *s)
{
    return s ? s->by_source : 0;
}

int quarry_synth_run(quarry_synth **out, quarry_engine *e,
                     const quarry_corpus *c, const quarry_synth_options *o)
{
    quarry_synth_options def = QUARRY_SYNTH_OPTIONS_INIT;
    quarry_synth *s = NULL;
    const quarry_codebook *cb;
    size_t n, i, k, n_codes = 0, n_studies = 0, n_parts = 0, n_ent = 0;
    const char **codes = NULL, **studies = NULL, **parts = NULL;
    int32_t *row_of = NULL, *rows_here = NULL;
    entry *ent = NULL;
    int rc = QUARRY_ENOMEM;
    size_t w, a, b;

    if (out == NULL || e == NULL || c == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (o == NULL)
        o = &def;
    if (o->version != QUARRY_SYNTH_OPTIONS_VERSION)
        return engine_fail(e, QUARRY_EINVAL, "synth options version %u",
                           o->version);
    cb = o->codebook;
    if (o->level == QUARRY_SYNTH_THEME && cb == NULL)
        return engine_fail(e, QUARRY_EINVAL,
                           "themes come from a codebook: give one, or count "
                           "by code");
    if (o->level != QUARRY_SYNTH_THEME && o->level != QUARRY_SYNTH_CODE)
        return engine_fail(e, QUARRY_EINVAL, "unknown synth level %d",
                           (int)o->level);
    if (o->study_field == NULL)
        return engine_fail(e, QUARRY_EINVAL, "no study field");
    n = quarry_corpus_size(c);
    s = calloc(1, sizeof *s);
    studies = malloc((n + 1) * sizeof *studies);
    parts = malloc((n + 1) * sizeof *parts);
    if (!s || !studies || !parts)
        goto fail;

    /* Studies and participants of the coded excerpts; all present. */
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, i);
        const char *st, *pt;
        if (x->n_codes == 0) {
            s->uncoded++;
            continue;
        }
        n_ent += (size_t)x->n_codes;
        st = quarry_corpus_attribute(c, i, o->study_field);
        if (st == NULL) {
            rc = engine_fail(e, QUARRY_EINVAL,
                             "%s: excerpt \"%s\": field \"%s\": missing (or "
                             "not a string); every coded excerpt needs its "
                             "study (in a project, import its file again "
                             "with it: quarry import PROJECT FILE --study "
                             "S)",
                             x->source, x->id, o->study_field);
            goto fail;
        }
        studies[n_studies++] = st;
        if (o->participant_field == NULL)
            continue;
        pt = participant_of(c, i, o->participant_field);
        if (pt != NULL &&
            quarry_corpus_attribute(c, i, o->participant_field) == NULL)
            s->by_source++;
        if (pt == NULL) {
            rc = engine_fail(e, QUARRY_EINVAL,
                             "%s: excerpt \"%s\": field \"%s\": missing (or "
                             "not a string); give every coded excerpt its "
                             "participant (import its file again with "
                             "--participant P, or a \"participant\" field), "
                             "or count none (--participant-field none)",
                             x->source, x->id, o->participant_field);
            goto fail;
        }
        parts[n_parts++] = pt;
    }
    n_studies = unique_strings(studies, n_studies);
    n_parts = unique_strings(parts, n_parts);

    if (cb != NULL) {
        row_of = malloc(((size_t)cb->n_codes + 1) * sizeof *row_of);
        if (row_of == NULL)
            goto fail;
        rc = codebook_rows(e, cb, o->level, c, row_of, s);
        if (rc != 0)
            goto fail;
    } else {
        codes = malloc((n_ent + 1) * sizeof *codes);
        if (codes == NULL)
            goto fail;
        for (i = 0; i < n; i++) {
            const quarry_excerpt *x = quarry_corpus_at(c, i);
            for (k = 0; k < (size_t)x->n_codes; k++)
                codes[n_codes++] = x->codes[k];
        }
        n_codes = unique_strings(codes, n_codes);
        s->row_id = calloc(n_codes + 1, sizeof *s->row_id);
        s->row_name = calloc(n_codes + 1, sizeof *s->row_name);
        if (!s->row_id || !s->row_name)
            goto fail;
        for (i = 0; i < n_codes; i++) {
            s->row_id[i] = strdup(codes[i]);
            s->row_name[i] = strdup(codes[i]);
            s->n_rows++;
            if (!s->row_id[i] || !s->row_name[i])
                goto fail;
        }
    }
    s->study = calloc(n_studies + 1, sizeof *s->study);
    if (s->study == NULL)
        goto fail;
    for (i = 0; i < n_studies; i++) {
        s->study[i] = strdup(studies[i]);
        if (s->study[i] == NULL)
            goto fail;
        s->n_studies++;
    }

    /* One entry per (excerpt, distinct row its codes reach). */
    ent = malloc((n_ent + 1) * sizeof *ent);
    rows_here = malloc(((size_t)s->n_rows + 1) * sizeof *rows_here);
    s->cells = calloc((size_t)(s->n_rows + 1) * (size_t)(s->n_studies + 1),
                      sizeof *s->cells);
    if (!ent || !rows_here || !s->cells)
        goto fail;
    n_ent = 0;
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, i);
        size_t nr = 0, q;
        int32_t st;
        int64_t pt = -1;
        if (x->n_codes == 0)
            continue;
        st = (int32_t)find_string(studies, n_studies,
                                  quarry_corpus_attribute(c, i,
                                                          o->study_field));
        /* A participant within the study: S1's P01 is not S2's. */
        if (o->participant_field != NULL)
            pt = (int64_t)st * (int64_t)(n_parts + 1) +
                 find_string(parts, n_parts,
                             participant_of(c, i, o->participant_field));
        for (k = 0; k < (size_t)x->n_codes; k++) {
            int32_t r = cb != NULL
                            ? row_of[quarry_codebook_find(cb, x->codes[k])]
                            : (int32_t)find_string(codes, n_codes,
                                                   x->codes[k]);
            for (q = 0; q < nr; q++)
                if (rows_here[q] == r)
                    break;
            if (q == nr && r >= 0) {
                rows_here[nr++] = r;
                ent[n_ent].row = r;
                ent[n_ent].study = st;
                ent[n_ent].participant = pt;
                ent[n_ent].excerpt = (int64_t)i;
                n_ent++;
            }
        }
    }

#define CELL(r, j) s->cells[(size_t)(r) * (size_t)(s->n_studies + 1) + (size_t)(j)]
    /* Cells: entries are distinct per (row, excerpt). */
    qsort(ent, n_ent, sizeof *ent, cmp_entry);
    for (a = 0; a < n_ent; a = b) {
        quarry_synth_cell *cell = &CELL(ent[a].row, ent[a].study);
        for (b = a; b < n_ent && ent[b].row == ent[a].row &&
                    ent[b].study == ent[a].study;
             b++) {
            cell->excerpts++;
            if (ent[b].participant >= 0 &&
                (b == a || ent[b].participant != ent[b - 1].participant))
                cell->participants++;
        }
    }
    /* Row totals: excerpts add up; participants and studies are counted
     * distinct across the row. */
    for (int32_t r = 0; r < s->n_rows; r++)
        for (int32_t j = 0; j < s->n_studies; j++) {
            CELL(r, s->n_studies).excerpts += CELL(r, j).excerpts;
            CELL(r, s->n_studies).studies += CELL(r, j).excerpts > 0;
        }
    qsort(ent, n_ent, sizeof *ent, cmp_entry_rp);
    for (w = 0; w < n_ent; w++)
        if (ent[w].participant >= 0 &&
            (w == 0 || ent[w].row != ent[w - 1].row ||
             ent[w].participant != ent[w - 1].participant))
            CELL(ent[w].row, s->n_studies).participants++;
    /* Study totals and the grand total: each coded excerpt once. */
    qsort(ent, n_ent, sizeof *ent, cmp_entry_sp);
    for (w = 0; w < n_ent; w++) {
        int first_x = w == 0 || ent[w].excerpt != ent[w - 1].excerpt ||
                      ent[w].study != ent[w - 1].study;
        int first_p = w == 0 || ent[w].study != ent[w - 1].study ||
                      ent[w].participant != ent[w - 1].participant;
        quarry_synth_cell *tot = &CELL(s->n_rows, ent[w].study);
        if (first_x) {
            tot->excerpts++;
            CELL(s->n_rows, s->n_studies).excerpts++;
        }
        if (first_p && ent[w].participant >= 0)
            tot->participants++;
        if (w == 0 || ent[w].study != ent[w - 1].study)
            CELL(s->n_rows, s->n_studies).studies++;
    }
    qsort(ent, n_ent, sizeof *ent, cmp_entry_p);
    for (w = 0; w < n_ent; w++)
        if (ent[w].participant >= 0 &&
            (w == 0 || ent[w].participant != ent[w - 1].participant))
            CELL(s->n_rows, s->n_studies).participants++;
    for (int32_t j = 0; j < s->n_studies; j++)
        CELL(s->n_rows, j).studies = CELL(s->n_rows, j).excerpts > 0;
#undef CELL

    *out = s;
    s = NULL;
    rc = QUARRY_OK;
    goto done;
fail:
    if (rc == QUARRY_ENOMEM)
        engine_fail(e, rc, "out of memory");
done:
    quarry_synth_free(s);
    free(codes);
    free(studies);
    free(parts);
    free(row_of);
    free(rows_here);
    free(ent);
    return rc;
}
