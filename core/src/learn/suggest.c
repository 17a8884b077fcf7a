/*
 * suggest.c -- candidate codes from prototypes and nearest coded excerpts
 * (suggest.h says how the score is made and why its defaults are what
 * they are). The run: candidate codes, rejected (excerpt, code) pairs,
 * exemplar labels, the text model, prototypes, the inverted index, the
 * temperature fitted by leave-one-out, Rocchio pushes for rejections,
 * then the input scored block by block.
 */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codebook.h"
#include "csr.h"
#include "engine.h"
#include "featblock.h"
#include "labels.h"
#include "logreg.h"
#include "linear_select.h"
#include "model.h"
#include "parallel.h"
#include "simd_accum.h"
#include "strtab.h"
#include "suggest.h"
#include "topk.h"

struct quarry_suggestions {
    size_t n;
    int32_t top;
    int32_t *count;
    int *abstain;
    quarry_suggestion *items; /* n * top */
    char **codes;             /* candidate code ids, sorted */
    int32_t n_codes;
    char **term_copy;         /* column -> copied display form, lazily */
    int64_t n_cols;
    double temperature;       /* of the confidences */
    int codebook_only;        /* no coded excerpt: codebook entries alone */
    double *held_conf;        /* the calibration's whole rows: top */
    int *held_hit;            /* confidence as if left out, and right */
    int64_t n_held;
    const char **terms;       /* n * top * n_terms */
    float *term_w;
    int64_t *nb;              /* n * top * n_evidence */
    float *nb_s;
    quarry_suggest_choice choice; /* the linear model of the run */
};

typedef struct run_state {
    quarry_engine *e;
    const quarry_suggest_options *so;
    const quarry_corpus *train;
    quarry_model *m;
    quarry_csr *xt, *xi, *xc;
    int32_t C;
    int64_t V;
    char **codes;          /* sorted ids (owned by the result) */
    int32_t *cb_index;     /* candidate -> codebook index, or -1 */
    int64_t *lab_ptr;      /* training row -> its candidate codes */
    int32_t *lab;
    int64_t *n_ex;         /* exemplars per code */
    float *proto;          /* C x V */
    float *sum;            /* C x V exemplar sums (for the calibration) */
    double temperature;    /* in effect */
    double evidence[SUGGEST_EVIDENCE_FEATURES]; /* its weights (suggest.h) */
    double evidence_ref;   /* the sigmoid at the reference evidence */
    int64_t *tc_ptr;       /* column -> its codes in training (term_codes) */
    int32_t *tc_code;
    int64_t *tc_n;
    double *tinfo;         /* column -> term_info(column, -1) */
    quarry_csr *xr;        /* rejected excerpts' rows */
    int64_t *rej_ptr;      /* rejected row -> its candidate codes */
    int32_t *rej;
    int64_t *rej_train;    /* rejected row -> training row, or -1 */
    int64_t *in_veto_ptr;  /* input row -> codes rejected for it (by id), */
    int32_t *in_veto;      /* which the linear model gives no share */
    int64_t *veto_ptr;     /* training row -> codes rejected for it */
    int32_t *veto;
    int64_t *post_ptr;     /* inverted index over xt */
    int32_t *post_doc;
    float *post_w;
    float min_w;           /* xt's smallest weight (neighbours) */
    int codebook_only;     /* no coded excerpt: prototypes are entries */
    double *held_conf;     /* the calibration's whole rows (calibrate) */
    int *held_hit;
    int64_t n_held;
    /* The linear model (suggest.h, "The linear model"). */
    const quarry_pipeline_options *po;
    const quarry_corpus *input;
    double lin_alpha;      /* its share of the score in effect (0: none) */
    double lin_c;
    unsigned lin_set;      /* its feature blocks */
    int lin_auto;          /* auto_select, within its limit: choose */
    unsigned char *shown;  /* evidence column -> FEAT_* (feat_shown) */
    feat_blocks fb;
    quarry_csr *xlt, *xli; /* its rows of train and input */
    linear_model lin;
    int64_t n_cols;        /* columns the evidence terms come from */
    quarry_suggest_choice choice;
} run_state;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int32_t code_index(const run_state *st, const char *id)
{
    char *const *hit = bsearch(&id, st->codes, (size_t)st->C,
                               sizeof *st->codes, cmp_str);
    return hit ? (int32_t)(hit - st->codes) : -1;
}

static char *dup_s(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The candidate codes: the codebook's leaves, else the training codes. */
static int collect_codes(run_state *st)
{
    const quarry_codebook *cb = st->so->codebook;
    size_t n = quarry_corpus_size(st->train), i;
    int32_t k, total = 0;
    char **ids;
    size_t len = 0;

    for (i = 0; i < n; i++)
        total += quarry_corpus_at(st->train, i)->n_codes;
    if (total == 0 && cb == NULL)
        return engine_fail(st->e, QUARRY_EINVAL,
                           "%s: no training excerpt has a code (field "
                           "\"code\"): nothing to learn from",
                           quarry_corpus_at(st->train, 0)->source);
    /* Room for every training code and every codebook code: no growing. */
    ids = malloc(((size_t)total + (cb ? (size_t)cb->n_codes : 0) + 1) *
                 sizeof *ids);
    if (ids == NULL)
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    if (cb != NULL) {
        for (i = 0; i < n; i++) {
            const quarry_excerpt *x = quarry_corpus_at(st->train, i);
            for (k = 0; k < x->n_codes; k++) {
                int32_t at = quarry_codebook_find(cb, x->codes[k]);
                if (at < 0) {
                    free(ids);
                    return engine_fail(
                        st->e, QUARRY_EINVAL,
                        "%s:%lld: field \"code\": unknown code \"%s\" (not "
                        "in %s)",
                        x->source, (long long)x->line, x->codes[k], cb->name);
                }
                if (quarry_codebook_is_theme(cb, at)) {
                    free(ids);
                    return engine_fail(
                        st->e, QUARRY_EINVAL,
                        "%s:%lld: field \"code\": \"%s\" is a theme in %s "
                        "(it has child codes): code to a leaf code",
                        x->source, (long long)x->line, x->codes[k], cb->name);
                }
            }
        }
        for (k = 0; k < cb->n_codes; k++)
            if (!quarry_codebook_is_theme(cb, k))
                ids[len++] = cb->codes[k].id;
    } else {
        for (i = 0; i < n; i++) {
            const quarry_excerpt *x = quarry_corpus_at(st->train, i);
            for (k = 0; k < x->n_codes; k++) {
                ids[len++] = (char *)x->codes[k];
            }
        }
    }
    qsort(ids, len, sizeof *ids, cmp_str);
    st->codes = calloc(len + 1, sizeof *st->codes);
    st->cb_index = malloc((len + 1) * sizeof *st->cb_index);
    if (st->codes == NULL || st->cb_index == NULL) {
        free(ids);
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    }
    for (i = 0; i < len; i++) {
        if (st->C > 0 && strcmp(ids[i], st->codes[st->C - 1]) == 0)
            continue;
        st->codes[st->C] = dup_s(ids[i]);
        if (st->codes[st->C] == NULL) {
            free(ids);
            return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
        }
        st->cb_index[st->C] = cb ? quarry_codebook_find(cb, ids[i]) : -1;
        st->C++;
    }
    free(ids);
    return 0;
}

/* 1 if code c was rejected for training row i. */
static int vetoed(const run_state *st, int64_t i, int32_t c)
{
    return code_list_has(st->veto_ptr, st->veto, i, c);
}

/* The rejected (excerpt, code) pairs: each rejected excerpt's candidate
 * codes, the training row of the same id, and per training row the codes
 * rejected for it. */
static int rejection_pairs(run_state *st)
{
    const quarry_corpus *rj = st->so->rejected;
    size_t nr = rj ? quarry_corpus_size(rj) : 0, nt, i;
    int64_t total = 0, at = 0, *fill = NULL;
    int32_t k;
    strtab ids;
    int rc = 0;

    if (nr == 0)
        return 0;
    nt = quarry_corpus_size(st->train);
    for (i = 0; i < nr; i++)
        total += quarry_corpus_at(rj, i)->n_codes;
    st->rej_ptr = malloc((nr + 1) * sizeof *st->rej_ptr);
    st->rej = malloc((size_t)(total ? total : 1) * sizeof *st->rej);
    st->rej_train = malloc(nr * sizeof *st->rej_train);
    st->veto_ptr = calloc(nt + 1, sizeof *st->veto_ptr);
    st->veto = malloc((size_t)(total ? total : 1) * sizeof *st->veto);
    fill = malloc((nt + 1) * sizeof *fill);
    strtab_init(&ids);
    if (!st->rej_ptr || !st->rej || !st->rej_train || !st->veto_ptr ||
        !st->veto || !fill) {
        rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    /* Training ids are unique, so the interned id is the row. */
    for (i = 0; i < nt; i++) {
        const char *id = quarry_corpus_at(st->train, i)->id;
        if (strtab_intern(&ids, id, strlen(id), NULL) < 0) {
            rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
    }
    st->rej_ptr[0] = 0;
    for (i = 0; i < nr; i++) {
        const quarry_excerpt *x = quarry_corpus_at(rj, i);
        int64_t start = at, t = strtab_find(&ids, x->id, strlen(x->id));
        st->rej_train[i] = t;
        for (k = 0; k < x->n_codes; k++) {
            int32_t c = code_index(st, x->codes[k]), j, dup = 0;
            if (c < 0)
                continue;
            for (j = 0; j < (int32_t)(at - start); j++)
                if (st->rej[start + j] == c)
                    dup = 1;
            if (!dup) {
                st->rej[at++] = c;
                if (t >= 0)
                    st->veto_ptr[t + 1]++;
            }
        }
        st->rej_ptr[i + 1] = at;
    }
    for (i = 0; i < nt; i++)
        st->veto_ptr[i + 1] += st->veto_ptr[i];
    memcpy(fill, st->veto_ptr, (nt + 1) * sizeof *fill);
    for (i = 0; i < nr; i++) {
        int64_t q, t = st->rej_train[i];
        if (t < 0)
            continue;
        for (q = st->rej_ptr[i]; q < st->rej_ptr[i + 1]; q++)
            st->veto[fill[t]++] = st->rej[q];
    }
out:
    strtab_free(&ids);
    free(fill);
    return rc;
}

/* Training row -> candidate codes (each once), and exemplars per code. */
static int label_rows(run_state *st)
{
    size_t n = quarry_corpus_size(st->train), i;
    int64_t total = 0, at = 0;
    int32_t k, j;
    for (i = 0; i < n; i++)
        total += quarry_corpus_at(st->train, i)->n_codes;
    st->lab_ptr = malloc((n + 1) * sizeof *st->lab_ptr);
    st->lab = malloc((size_t)(total ? total : 1) * sizeof *st->lab);
    st->n_ex = calloc((size_t)st->C, sizeof *st->n_ex);
    if (!st->lab_ptr || !st->lab || !st->n_ex)
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    st->lab_ptr[0] = 0;
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(st->train, i);
        int64_t start = at;
        for (k = 0; k < x->n_codes; k++) {
            int32_t c = code_index(st, x->codes[k]), dup = 0;
            if (c < 0 || vetoed(st, (int64_t)i, c))
                continue;
            for (j = 0; j < (int32_t)(at - start); j++)
                if (st->lab[start + j] == c)
                    dup = 1;
            if (!dup) {
                st->lab[at++] = c;
                st->n_ex[c]++;
            }
        }
        st->lab_ptr[i + 1] = at;
    }
    return 0;
}

/* Codebook entries of the candidates as rows of the model. */
static int entry_rows(run_state *st)
{
    const quarry_codebook *cb = st->so->codebook;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int32_t k;
    int rc;

    if (cb == NULL)
        return 0;
    for (k = 0; k < st->C; k++) {
        json_t *o = json_object();
        char *text = codebook_entry_text(&cb->codes[st->cb_index[k]]);
        char *line;
        size_t n;
        if (o == NULL || text == NULL) {
            json_decref(o);
            free(text);
            free(buf);
            return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
        }
        json_object_set_new(o, "id", json_string(st->codes[k]));
        json_object_set_new(o, "text", json_string(text));
        free(text);
        line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (line == NULL) {
            free(buf);
            return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
        }
        n = strlen(line);
        if (len + n + 2 > cap) {
            size_t nc = (len + n + 2) * 2;
            char *g = realloc(buf, nc);
            if (g == NULL) {
                free(line);
                free(buf);
                return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
            }
            buf = g;
            cap = nc;
        }
        memcpy(buf + len, line, n);
        len += n;
        buf[len++] = '\n';
        free(line);
    }
    ro.format = QUARRY_FORMAT_JSONL;
    ro.allow_empty = 1;
    ro.code_field = "no such field";
    rc = quarry_corpus_new(&c);
    if (rc == 0)
        rc = quarry_corpus_read_buffer(c, buf, len, cb->name, &ro);
    free(buf);
    if (rc != 0) {
        rc = engine_fail(st->e, rc, "%s", c ? quarry_corpus_errmsg(c)
                                            : "out of memory");
        quarry_corpus_free(c);
        return rc;
    }
    rc = quarry_model_transform(st->m, c, &st->xc);
    quarry_corpus_free(c);
    return rc;
}

static void normalize(float *v, int64_t n)
{
    double s = 0.0;
    int64_t i;
    for (i = 0; i < n; i++)
        s += (double)v[i] * v[i];
    if (s > 0.0) {
        float inv = (float)(1.0 / sqrt(s));
        for (i = 0; i < n; i++)
            v[i] *= inv;
    }
}

static int has_entry(const run_state *st, int32_t c)
{
    return st->xc != NULL && st->xc->row_ptr[c + 1] > st->xc->row_ptr[c];
}

/* The codebook entry's share of a prototype with n exemplars. */
static double entry_share(const run_state *st, int64_t n)
{
    double prior = st->so->definition_prior;
    return n <= 0 ? 1.0 : prior / (prior + (double)n);
}

static int prototypes(run_state *st)
{
    int64_t V = st->V, j, p, q;
    size_t cells = (size_t)st->C * (size_t)(V ? V : 1);
    int32_t c;
    st->proto = calloc(cells, sizeof *st->proto);
    st->sum = malloc(cells * sizeof *st->sum);
    if (st->proto == NULL || st->sum == NULL)
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    for (j = 0; j < st->xt->rows; j++)
        for (q = st->lab_ptr[j]; q < st->lab_ptr[j + 1]; q++) {
            float *P = st->proto + (size_t)st->lab[q] * (size_t)V;
            for (p = st->xt->row_ptr[j]; p < st->xt->row_ptr[j + 1]; p++)
                P[st->xt->col_idx[p]] += st->xt->values[p];
        }
    memcpy(st->sum, st->proto, cells * sizeof *st->sum);
    for (c = 0; c < st->C; c++) {
        float *P = st->proto + (size_t)c * (size_t)V;
        normalize(P, V);
        if (has_entry(st, c)) {
            float a = (float)entry_share(st, st->n_ex[c]);
            for (j = 0; j < V; j++)
                P[j] *= 1.0f - a;
            for (p = st->xc->row_ptr[c]; p < st->xc->row_ptr[c + 1]; p++)
                P[st->xc->col_idx[p]] += a * st->xc->values[p];
            normalize(P, V);
        }
    }
    return 0;
}

/* Per input row, the codes rejected for an excerpt of the same id: the
 * linear model learns nothing from a rejection, so its share for such a
 * pair is withheld (a code a coder turned down for this very excerpt does
 * not come back on the model's word). */
static int input_vetoes(run_state *st)
{
    const quarry_corpus *rj = st->so->rejected;
    size_t nr = rj ? quarry_corpus_size(rj) : 0,
           ni = quarry_corpus_size(st->input), i;
    int64_t at = 0, q, k, *head = NULL, *next = NULL;
    strtab ids;
    int rc = 0;
    if (nr == 0)
        return 0;
    strtab_init(&ids);
    st->in_veto_ptr = calloc(ni + 1, sizeof *st->in_veto_ptr);
    st->in_veto = malloc(((size_t)st->rej_ptr[nr] + 1) * sizeof *st->in_veto);
    head = malloc((nr + 1) * sizeof *head);
    next = malloc((nr + 1) * sizeof *next);
    if (!st->in_veto_ptr || !st->in_veto || !head || !next) {
        rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    /* The rejected rows of each id, in a list per interned id. */
    for (i = 0; i < nr; i++)
        head[i] = -1;
    for (i = nr; i-- > 0;) {
        const char *id = quarry_corpus_at(rj, i)->id;
        int64_t r = strtab_intern(&ids, id, strlen(id), NULL);
        if (r < 0) {
            rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        next[i] = head[r];
        head[r] = (int64_t)i;
    }
    for (i = 0; i < ni; i++) {
        const char *id = quarry_corpus_at(st->input, i)->id;
        int64_t r = strtab_find(&ids, id, strlen(id));
        for (k = r >= 0 ? head[r] : -1; k >= 0; k = next[k])
            for (q = st->rej_ptr[k];
                 q < st->rej_ptr[k + 1] && at < st->rej_ptr[nr]; q++)
                st->in_veto[at++] = st->rej[q];
        st->in_veto_ptr[i + 1] = at;
    }
out:
    strtab_free(&ids);
    free(head);
    free(next);
    return rc;
}

static int input_vetoed(const run_state *st, int64_t r, int32_t c)
{
    return code_list_has(st->in_veto_ptr, st->in_veto, r, c);
}

/* Rocchio's negative feedback: each code's prototype minus
 * SUGGEST_REJECT_WEIGHT x the mean of the rows rejected for it, negative
 * weights cut to 0, renormalised. */
static int push_rejections(run_state *st)
{
    int64_t V = st->V, i, p, q, *n_rej;
    int32_t c;
    if (st->xr == NULL)
        return 0;
    n_rej = calloc((size_t)st->C, sizeof *n_rej);
    if (n_rej == NULL)
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < st->xr->rows; i++)
        for (q = st->rej_ptr[i]; q < st->rej_ptr[i + 1]; q++)
            n_rej[st->rej[q]]++;
    for (i = 0; i < st->xr->rows; i++)
        for (q = st->rej_ptr[i]; q < st->rej_ptr[i + 1]; q++) {
            float *P = st->proto + (size_t)st->rej[q] * (size_t)V;
            float w = (float)(SUGGEST_REJECT_WEIGHT /
                              (double)n_rej[st->rej[q]]);
            for (p = st->xr->row_ptr[i]; p < st->xr->row_ptr[i + 1]; p++)
                P[st->xr->col_idx[p]] -= w * st->xr->values[p];
        }
    for (c = 0; c < st->C; c++) {
        float *P = st->proto + (size_t)c * (size_t)V;
        if (n_rej[c] == 0)
            continue;
        for (i = 0; i < V; i++)
            if (P[i] < 0.0f)
                P[i] = 0.0f;
        normalize(P, V);
    }
    free(n_rej);
    return 0;
}

/* Column -> (training row, weight) postings. */
static int inverted_index(run_state *st)
{
    const quarry_csr *x = st->xt;
    int64_t nnz = x->row_ptr[x->rows], j, p, *fill;
    if (x->rows > INT32_MAX)
        return engine_fail(st->e, QUARRY_ERANGE,
                           "%lld training excerpts: at most %ld",
                           (long long)x->rows, (long)INT32_MAX);
    st->post_ptr = calloc((size_t)st->V + 1, sizeof *st->post_ptr);
    st->post_doc = malloc((size_t)(nnz ? nnz : 1) * sizeof *st->post_doc);
    st->post_w = malloc((size_t)(nnz ? nnz : 1) * sizeof *st->post_w);
    fill = malloc(((size_t)st->V + 1) * sizeof *fill);
    if (!st->post_ptr || !st->post_doc || !st->post_w || !fill) {
        free(fill);
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    }
    for (p = 0; p < nnz; p++)
        st->post_ptr[x->col_idx[p] + 1]++;
    for (j = 0; j < st->V; j++)
        st->post_ptr[j + 1] += st->post_ptr[j];
    memcpy(fill, st->post_ptr, ((size_t)st->V + 1) * sizeof *fill);
    for (j = 0; j < x->rows; j++)
        for (p = x->row_ptr[j]; p < x->row_ptr[j + 1]; p++) {
            int64_t at = fill[x->col_idx[p]]++;
            st->post_doc[at] = (int32_t)j;
            st->post_w[at] = x->values[p];
        }
    st->min_w = nnz > 0 ? x->values[0] : 0.0f;
    for (p = 0; p < nnz; p++)
        if (!(x->values[p] >= st->min_w))
            st->min_w = x->values[p];
    free(fill);
    return 0;
}

typedef struct ranked {
    double score;
    int32_t code;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->code > y->code) - (x->code < y->code);
}

/* The display form of an evidence column: a term of the model, or with
 * the linear model a column of its feature blocks. */
static const char *term_of(quarry_suggestions *s, const run_state *st,
                           int64_t col)
{
    if (s->term_copy[col] == NULL)
        s->term_copy[col] = dup_s(
            st->lin_alpha > 0.0 ? feat_name(&st->fb, st->lin_set, col)
                                : quarry_model_term(st->m, col));
    return s->term_copy[col];
}

/* Sorted evidence columns whose display forms are the same word (the
 * words block's "work" and the form block's "work") become one, their
 * shares summed; then the n best, sorted again. */
static void merge_same_terms(const quarry_suggestions *s, topk *tk,
                             int32_t n)
{
    int32_t i, j, kept = 0;
    for (i = 0; i < tk->n; i++) {
        const char *t = s->term_copy[tk->items[i].id];
        for (j = 0; j < kept; j++)
            if (strcmp(s->term_copy[tk->items[j].id], t) == 0)
                break;
        if (j < kept)
            tk->items[j].score += tk->items[i].score;
        else
            tk->items[kept++] = tk->items[i];
    }
    /* Insertion sort: a handful of items, ties to the smaller column. */
    for (i = 1; i < kept; i++) {
        topk_item x = tk->items[i];
        for (j = i; j > 0 && (tk->items[j - 1].score < x.score ||
                              (tk->items[j - 1].score == x.score &&
                               tk->items[j - 1].id > x.id));
             j--)
            tk->items[j] = tk->items[j - 1];
        tk->items[j] = x;
    }
    tk->n = kept < n ? kept : n;
}

static int alloc_result(quarry_suggestions *s, const run_state *st, size_t n)
{
    const quarry_suggest_options *so = st->so;
    size_t slots = n * (size_t)so->top;
    s->n = n;
    s->top = so->top;
    s->count = calloc(n + 1, sizeof *s->count);
    s->abstain = calloc(n + 1, sizeof *s->abstain);
    s->items = calloc(slots + 1, sizeof *s->items);
    s->term_copy = calloc((size_t)st->n_cols + 1, sizeof *s->term_copy);
    s->n_cols = st->n_cols;
    s->terms = calloc(slots * (size_t)so->n_terms + 1, sizeof *s->terms);
    s->term_w = calloc(slots * (size_t)so->n_terms + 1, sizeof *s->term_w);
    s->nb = calloc(slots * (size_t)so->n_evidence + 1, sizeof *s->nb);
    s->nb_s = calloc(slots * (size_t)so->n_evidence + 1, sizeof *s->nb_s);
    if (!s->count || !s->abstain || !s->items || !s->term_copy || !s->terms ||
        !s->term_w || !s->nb || !s->nb_s)
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    return 0;
}

/* Scratch of the neighbour search: a dense accumulator over the training
 * rows and the list of rows it touched (mark: for weights of either sign,
 * where a sum can come back to 0). */
typedef struct nb_work {
    float *acc;
    int32_t *touched;
    int64_t *mark; /* training row -> stamp of the query that touched it */
    int64_t stamp;
    int simd; /* the AVX-512 kernel for the unsigned path (simd_accum.h) */
} nb_work;

/* Set only by tests, before a run: the scalar loop even with AVX-512. */
static int scalar_only;

void suggest_force_scalar(int on)
{
    scalar_only = on != 0;
}

int suggest_simd_available(void)
{
    return simd_accum_avx512_ok();
}

static int nb_work_init(nb_work *w, int64_t nt)
{
    int64_t j;
    w->simd = !scalar_only && simd_accum_avx512_ok();
    w->acc = calloc((size_t)(nt ? nt : 1), sizeof *w->acc);
    /* + 1: the branch-free append writes one slot past the last row */
    w->touched = malloc(((size_t)nt + 1) * sizeof *w->touched);
    w->mark = malloc((size_t)(nt ? nt : 1) * sizeof *w->mark);
    w->stamp = 0;
    if (!w->acc || !w->touched || !w->mark)
        return QUARRY_ENOMEM;
    for (j = 0; j < nt; j++)
        w->mark[j] = -1;
    return 0;
}

static void nb_work_free(nb_work *w)
{
    free(w->acc);
    free(w->touched);
    free(w->mark);
}

/*
 * The neighbour search, the one place that finds nearest training rows:
 * for rows r0..r1 of q (vectorised by the same model), the k training rows
 * of largest positive cosine, best first (ties to the smaller row), in
 * out[(r - r0) * k ...], their number in count[r - r0]. Sparse rows against
 * the inverted index: each term's posting list adds x * weight into a
 * float accumulator over the training rows, terms in the row's order (so
 * every score is the same float sum whatever else changes here); only the
 * rows touched are visited afterwards, and only those at least as good as
 * the current k-th best are offered to the top-k. When every product
 * x * weight of the row is surely > 0 in float (tf-idf: all weights > 0,
 * the smallest product above 1e-30) a sum is > 0 from its first term on,
 * so "first touched" is acc == 0 (appended without a branch) and no
 * stamp array is read; otherwise stamps. On a CPU with AVX-512F
 * (simd_accum.h, chosen at run time) the unsigned path walks each posting
 * list 16 postings at a time (gather, compress the first touches into
 * `touched` in lane order, multiply then add, scatter: the same sums and
 * the same touched list), and the touched rows are read and reset 16 at a
 * time, each lane that passes the k-th best of the group's start checked
 * again in order (that bound only rises), so the top-k sees the same
 * rows in the same order (a dense scan of the accumulator in place of the
 * touched list, and software prefetch ahead of the gathers, measured no
 * faster). Blocks of input rows run on the
 * engine's threads (score_all), each worker with its own nb_work. A dense
 * LSA path would be one SGEMM + top-k per block here (simtopk.h).
 */
static void neighbours(const run_state *st, nb_work *w, const quarry_csr *q,
                       int64_t r0, int64_t r1, int32_t k, topk_item *out,
                       int32_t *count)
{
    int64_t r, p, j;
    const int64_t *pp = st->post_ptr;
    const int32_t *pd = st->post_doc;
    const float *pw = st->post_w;
    float *acc = w->acc;
    int32_t *touched = w->touched;
    for (r = r0; r < r1; r++) {
        int64_t n_touched = 0;
        float min_x = 1.0f;
        int signed_w;
        topk tk;
        for (p = q->row_ptr[r]; p < q->row_ptr[r + 1]; p++)
            if (!(q->values[p] >= min_x))
                min_x = q->values[p];
        signed_w = !((double)min_x * st->min_w > 1e-30);
        if (signed_w) {
            for (p = q->row_ptr[r]; p < q->row_ptr[r + 1]; p++) {
                int32_t col = q->col_idx[p];
                float x = q->values[p];
                for (j = pp[col]; j < pp[col + 1]; j++) {
                    int32_t d = pd[j];
                    if (w->mark[d] != w->stamp) {
                        w->mark[d] = w->stamp;
                        touched[n_touched++] = d;
                    }
                    acc[d] += x * pw[j];
                }
            }
            w->stamp++;
        } else if (w->simd) {
            for (p = q->row_ptr[r]; p < q->row_ptr[r + 1]; p++) {
                int32_t col = q->col_idx[p];
                n_touched = simd_accum_avx512(acc, touched, n_touched,
                                              pd + pp[col], pw + pp[col],
                                              pp[col + 1] - pp[col],
                                              q->values[p]);
            }
        } else {
            for (p = q->row_ptr[r]; p < q->row_ptr[r + 1]; p++) {
                int32_t col = q->col_idx[p];
                float x = q->values[p];
                for (j = pp[col]; j < pp[col + 1]; j++) {
                    int32_t d = pd[j];
                    float a = acc[d];
                    /* branch-free: a first touch is as likely as not */
                    touched[n_touched] = d;
                    n_touched += a == 0.0f;
                    acc[d] = a + x * pw[j];
                }
            }
        }
        topk_init(&tk, out + (size_t)(r - r0) * (size_t)k, k);
        if (w->simd && k > 0) {
            /* 16 at a time; a lane is rechecked against the k-th best of
             * the moment, which only rises, so the rows offered, and their
             * order, are the scalar loop's. */
            for (j = 0; j < n_touched; j += 16) {
                float vals[16];
                unsigned pass = simd_take16_avx512(
                    acc, touched + j, n_touched - j,
                    tk.n < k ? 0.0f : tk.items[0].score, vals);
                while (pass) {
                    int lane = __builtin_ctz(pass);
                    float a = vals[lane];
                    pass &= pass - 1u;
                    if (tk.n < k || a >= tk.items[0].score)
                        topk_push(&tk, a, touched[j + lane]);
                }
            }
            n_touched = 0;
        }
        for (j = 0; j < n_touched; j++) {
            int32_t d = touched[j];
            float a = acc[d];
            acc[d] = 0.0f;
            /* topk_push keeps ties to the smaller row: offer equals too. */
            if (a > 0.0f && (tk.n < k || a >= tk.items[0].score))
                topk_push(&tk, a, d);
        }
        topk_sort(&tk);
        count[r - r0] = tk.n;
    }
}

/* The neighbours' votes: each neighbour gives similarity^2, shared among
 * its codes, to each of them; the sum over K. */
static void votes(const run_state *st, const topk_item *nb, int32_t n,
                  int32_t K, double *knn)
{
    int32_t c, k;
    int64_t q;
    for (c = 0; c < st->C; c++)
        knn[c] = 0.0;
    for (k = 0; k < n; k++) {
        int64_t d = nb[k].id, nl = st->lab_ptr[d + 1] - st->lab_ptr[d];
        double v;
        if (nl == 0)
            continue;
        v = (double)nb[k].score * nb[k].score / (double)nl / (double)K;
        for (q = st->lab_ptr[d]; q < st->lab_ptr[d + 1]; q++)
            knn[st->lab[q]] += v;
    }
}

static double combine(const run_state *st, double cosv, double knn)
{
    if (st->so->neighbours == 0 || st->codebook_only) /* prototypes alone */
        return cosv;
    return st->so->proto_weight * cosv + (1.0 - st->so->proto_weight) * knn;
}

/* 1 if training row j is an exemplar of code c. */
static int labelled(const run_state *st, int64_t j, int32_t c)
{
    return code_list_has(st->lab_ptr, st->lab, j, c);
}

/*
 * Cosine of row r of q (dense in yd) with the prototype code c would have
 * without training row j (dense in xd): from the exemplar sum S, |S|^2,
 * S.E with the entry row E and j's own x.S, x.E and |x|^2, without
 * building the prototype again. q may be row j itself (yd = xd) or a cut
 * of it (calibrate).
 */
static double loo_cosine(const run_state *st, int64_t j, int32_t c,
                         const float *xd, double ss, double se, double xx,
                         const quarry_csr *q, int64_t r, const float *yd)
{
    const float *S = st->sum + (size_t)c * (size_t)st->V;
    double xs = csr_row_dot(st->xt, j, S), ys = csr_row_dot(q, r, S),
           yx = csr_row_dot(q, r, xd), xe = 0.0, ye = 0.0, a, u, ue, norm,
           den;
    int64_t n1 = st->n_ex[c] - 1, p;
    norm = sqrt(fmax(ss - 2.0 * xs + xx, 0.0));
    u = norm > 1e-12 ? (ys - yx) / norm : 0.0;
    if (!has_entry(st, c))
        return n1 > 0 ? u : 0.0;
    for (p = st->xc->row_ptr[c]; p < st->xc->row_ptr[c + 1]; p++) {
        xe += (double)st->xc->values[p] * xd[st->xc->col_idx[p]];
        ye += (double)st->xc->values[p] * yd[st->xc->col_idx[p]];
    }
    if (n1 <= 0 || norm <= 1e-12)
        return ye;
    a = entry_share(st, n1);
    ue = (se - xe) / norm;
    den = (1.0 - a) * (1.0 - a) + a * a + 2.0 * a * (1.0 - a) * ue;
    return den > 1e-24 ? ((1.0 - a) * u + a * ye) / sqrt(den) : 0.0;
}

/* Per column, the codes of the coded training rows holding it and how
 * many rows of each (after rejections), through the inverted index. */
static int term_codes(run_state *st)
{
    int64_t col, q, p, total = 0, at = 0;
    int64_t *count = calloc((size_t)st->C + 1, sizeof *count);
    int32_t *seen = malloc(((size_t)st->C + 1) * sizeof *seen), n_seen, k;
    st->tc_ptr = malloc(((size_t)st->V + 1) * sizeof *st->tc_ptr);
    if (count == NULL || seen == NULL || st->tc_ptr == NULL) {
        free(count);
        free(seen);
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    }
    for (p = 0; p < st->post_ptr[st->V]; p++) {
        int64_t d = st->post_doc[p];
        total += st->lab_ptr[d + 1] - st->lab_ptr[d];
    }
    st->tc_code = malloc((size_t)(total ? total : 1) * sizeof *st->tc_code);
    st->tc_n = malloc((size_t)(total ? total : 1) * sizeof *st->tc_n);
    if (st->tc_code == NULL || st->tc_n == NULL) {
        free(count);
        free(seen);
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    }
    st->tc_ptr[0] = 0;
    for (col = 0; col < st->V; col++) {
        n_seen = 0;
        for (p = st->post_ptr[col]; p < st->post_ptr[col + 1]; p++) {
            int64_t d = st->post_doc[p];
            for (q = st->lab_ptr[d]; q < st->lab_ptr[d + 1]; q++)
                if (count[st->lab[q]]++ == 0)
                    seen[n_seen++] = st->lab[q];
        }
        for (k = 0; k < n_seen; k++) {
            st->tc_code[at] = seen[k];
            st->tc_n[at++] = count[seen[k]];
            count[seen[k]] = 0;
        }
        st->tc_ptr[col + 1] = at;
    }
    free(count);
    free(seen);
    return 0;
}

/*
 * How much the term in column col points to particular codes: 1 - H / log C,
 * H the entropy of the codes of the coded training rows holding it (1: all
 * of one code; 0: spread evenly over every code), 0 when no coded row holds
 * it. j >= 0: as if training row j were left out (its codes' counts one
 * less).
 */
static double term_info(const run_state *st, int64_t col, int64_t j)
{
    double T = 0.0, S = 0.0;
    int64_t q;
    for (q = st->tc_ptr[col]; q < st->tc_ptr[col + 1]; q++) {
        double n = (double)st->tc_n[q] -
                   (j >= 0 && labelled(st, j, st->tc_code[q]) ? 1.0 : 0.0);
        if (n > 0.0) {
            T += n;
            S += n * log(n);
        }
    }
    if (!(T > 0.0))
        return 0.0;
    if (st->C < 2)
        return 1.0;
    return fmax(0.0, 1.0 - (log(T) - S / T) / log((double)st->C));
}

/* The evidence of row r of x: the sum of its terms' term_info (j as
 * there). */
static double evidence_of(const run_state *st, const quarry_csr *x, int64_t r,
                          int64_t j)
{
    double e = 0.0;
    int64_t p;
    if (j < 0 && st->tinfo != NULL) {
        for (p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++)
            e += st->tinfo[x->col_idx[p]];
        return e;
    }
    for (p = x->row_ptr[r]; p < x->row_ptr[r + 1]; p++)
        e += term_info(st, x->col_idx[p], j);
    return e;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The features of the evidence model (suggest.h): 1, log(1 + evidence). */
static void evidence_features(double *phi, double evidence)
{
    phi[0] = 1.0;
    phi[1] = log1p(evidence);
}

/* sigmoid(wt . phi): the share of the softmax the top code keeps. */
static double evidence_prob(const double *wt, const double *phi)
{
    double z = 0.0;
    int k;
    for (k = 0; k < SUGGEST_EVIDENCE_FEATURES; k++)
        z += wt[k] * phi[k];
    return 1.0 / (1.0 + exp(-z));
}

/* Solve the symmetric positive definite system a x = b (n x n, a and b
 * overwritten) by Gaussian elimination; 0, or -1 if a is singular. */
static int solve_small(double *a, double *b, int n)
{
    int i, j, k;
    for (k = 0; k < n; k++) {
        int piv = k;
        for (i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > fabs(a[piv * n + k]))
                piv = i;
        if (fabs(a[piv * n + k]) < 1e-300)
            return -1;
        if (piv != k) {
            double t;
            for (j = 0; j < n; j++) {
                t = a[k * n + j];
                a[k * n + j] = a[piv * n + j];
                a[piv * n + j] = t;
            }
            t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        for (i = k + 1; i < n; i++) {
            double f = a[i * n + k] / a[k * n + k];
            for (j = k; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (k = n - 1; k >= 0; k--) {
        for (j = k + 1; j < n; j++)
            b[k] -= a[k * n + j] * b[j];
        b[k] /= a[k * n + k];
    }
    return 0;
}

/* The evidence model's penalised log-likelihood at weights wt: row i's
 * top code is right (y[i]) with probability qtop[i] x sigmoid(wt . z_i),
 * qtop its softmax share; rw weighs the rows. */
static double evidence_objective(const double *wt, const double *z,
                                 const double *qtop, const int *y,
                                 const double *rw, int64_t m)
{
    double f = 0.0;
    int64_t i;
    int k;
    for (i = 0; i < m; i++) {
        double p = qtop[i] * evidence_prob(
                                 wt, z + (size_t)i * SUGGEST_EVIDENCE_FEATURES);
        f += rw[i] * log(fmax(y[i] ? p : 1.0 - p, 1e-300));
    }
    for (k = 0; k < SUGGEST_EVIDENCE_FEATURES; k++)
        f -= 0.5 * SUGGEST_EVIDENCE_PRIOR * wt[k] * wt[k];
    return f;
}

/*
 * The weights of the evidence model (suggest.h) maximising
 * evidence_objective over the m calibration rows (features phi), from 0,
 * by Fisher scoring with step halving (the objective never falls): a few
 * dozen 2 x 2 solves, deterministic.
 */
static int evidence_fit(double *wt, const double *phi, const double *qtop,
                        const int *y, const double *rw, int64_t m)
{
    enum { F = SUGGEST_EVIDENCE_FEATURES };
    double v[F], g[F], h[F * F], next[F];
    double f, step;
    int64_t i;
    int k, l, it, half;

    for (k = 0; k < F; k++)
        v[k] = 0.0;
    f = evidence_objective(v, phi, qtop, y, rw, m);
    for (it = 0; it < 100; it++) {
        for (k = 0; k < F; k++) {
            g[k] = -SUGGEST_EVIDENCE_PRIOR * v[k];
            for (l = 0; l < F; l++)
                h[k * F + l] = k == l ? SUGGEST_EVIDENCE_PRIOR : 0.0;
        }
        for (i = 0; i < m; i++) {
            const double *x = phi + (size_t)i * F;
            double sg = evidence_prob(v, x), q = qtop[i], p = q * sg;
            /* d log-likelihood / d(wt . x), and its Fisher information */
            double d = y[i] ? 1.0 - sg
                            : -q * sg * (1.0 - sg) / fmax(1.0 - p, 1e-12);
            double fi =
                q * sg * (1.0 - sg) * (1.0 - sg) / fmax(1.0 - p, 1e-12);
            for (k = 0; k < F; k++) {
                g[k] += rw[i] * d * x[k];
                for (l = 0; l < F; l++)
                    h[k * F + l] += rw[i] * fi * x[k] * x[l];
            }
        }
        if (solve_small(h, g, F) != 0)
            break;
        for (half = 0, step = 1.0; half < 40; half++, step *= 0.5) {
            double fn;
            for (k = 0; k < F; k++)
                next[k] = v[k] + step * g[k];
            fn = evidence_objective(next, phi, qtop, y, rw, m);
            if (fn >= f) {
                f = fn;
                break;
            }
        }
        if (half == 40)
            break;
        memcpy(v, next, sizeof v);
        step = 0.0;
        for (k = 0; k < F; k++)
            step = fmax(step, fabs(g[k]));
        if (step < 1e-10)
            break;
    }
    memcpy(wt, v, sizeof v);
    return 0;
}

/* Scores of every code for row r of q as if training row j (dense in xd,
 * |x|^2 = xx) were left out: its share of its codes' prototypes and its
 * own neighbour vote removed. nb has room for K + 1 neighbours. */
static void loo_scores(const run_state *st, nb_work *w, int64_t j,
                       const quarry_csr *q, int64_t r, const float *xd,
                       const float *yd, const double *ss, const double *se,
                       double xx, topk_item *nb, double *knn, double *out)
{
    int32_t K = st->so->neighbours, k, kept = 0, n_nb = 0, c;
    if (K > 0)
        neighbours(st, w, q, r, r + 1, K + 1, nb, &n_nb);
    for (k = 0; k < n_nb; k++)
        if (nb[k].id != j && kept < K)
            nb[kept++] = nb[k];
    votes(st, nb, kept, K, knn);
    for (c = 0; c < st->C; c++) {
        double cosv = labelled(st, j, c)
                          ? loo_cosine(st, j, c, xd, ss[c], se[c], xx, q, r,
                                       yd)
                          : csr_row_dot(q, r,
                                        st->proto + (size_t)c * (size_t)st->V);
        out[c] = combine(st, cosv, knn[c]);
    }
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* A cut of training row j: k of its terms (fewer than it has, chosen by a
 * hash of the row and the column: fixed, and blind to their weights), at
 * their weights renormalised to length 1, as row 0 of q (room for
 * SUGGEST_CUT_MAX terms) and dense in yd. 0 when j has k terms or fewer. */
static int cut_row(const run_state *st, int64_t j, int32_t k, quarry_csr *q,
                   float *yd)
{
    int64_t b = st->xt->row_ptr[j], n = st->xt->row_ptr[j + 1] - b, p;
    uint64_t h[SUGGEST_CUT_MAX];
    double s = 0.0;
    int32_t got = 0, t;
    if (n <= k)
        return 0;
    /* The k entries of smallest hash, by insertion. */
    for (p = 0; p < n; p++) {
        uint64_t v = mix64(((uint64_t)j << 32) ^
                           (uint64_t)(uint32_t)st->xt->col_idx[b + p]);
        if (got == k && v >= h[k - 1])
            continue;
        t = got < k ? got++ : k - 1;
        while (t > 0 && h[t - 1] > v) {
            h[t] = h[t - 1];
            q->col_idx[t] = q->col_idx[t - 1];
            q->values[t] = q->values[t - 1];
            t--;
        }
        h[t] = v;
        q->col_idx[t] = st->xt->col_idx[b + p];
        q->values[t] = st->xt->values[b + p];
    }
    for (t = 0; t < k; t++)
        s += (double)q->values[t] * q->values[t];
    if (!(s > 0.0))
        return 0;
    for (t = 0; t < k; t++) {
        q->values[t] = (float)(q->values[t] / sqrt(s));
        yd[q->col_idx[t]] = q->values[t];
    }
    q->row_ptr[0] = 0;
    q->row_ptr[1] = k;
    return 1;
}

/* The calibration's left-out scores on the engine's threads: item i is
 * training row rows[i] (slot 2i) and its cut of cut_k[i] terms (slot
 * 2i + 1, cut[2i + 1] = 1, when the row has more terms); each worker with
 * its own scratch (worker 0 with w), each item writing its own slots. */
typedef struct calib_ctx {
    const run_state *st;
    const int64_t *rows;
    const int32_t *cut_k;
    const double *ss, *se;
    double *score, *evid;
    int *cut;
    nb_work *w; /* per worker */
    float **xd, **yd;
    topk_item **nb;
    double **knn;
} calib_ctx;

static int calib_items(void *ctx, int64_t i0, int64_t i1, int worker)
{
    calib_ctx *x = ctx;
    const run_state *st = x->st;
    const int32_t C = st->C;
    float *xd = x->xd[worker], *yd = x->yd[worker];
    int64_t i, p, cut_ptr[2];
    int32_t cut_col[SUGGEST_CUT_MAX];
    float cut_val[SUGGEST_CUT_MAX];
    quarry_csr q;
    q.rows = 1;
    q.cols = st->V;
    q.row_ptr = cut_ptr;
    q.col_idx = cut_col;
    q.values = cut_val;
    for (i = i0; i < i1; i++) {
        int64_t j = x->rows[i];
        double xx = 0.0;
        for (p = st->xt->row_ptr[j]; p < st->xt->row_ptr[j + 1]; p++) {
            xd[st->xt->col_idx[p]] = st->xt->values[p];
            xx += (double)st->xt->values[p] * st->xt->values[p];
        }
        loo_scores(st, &x->w[worker], j, st->xt, j, xd, xd, x->ss, x->se, xx,
                   x->nb[worker], x->knn[worker],
                   x->score + (size_t)(2 * i) * (size_t)C);
        x->evid[2 * i] = evidence_of(st, st->xt, j, j);
        x->cut[2 * i] = 0;
        x->cut[2 * i + 1] = 0;
        if (cut_row(st, j, x->cut_k[i], &q, yd)) {
            loo_scores(st, &x->w[worker], j, &q, 0, xd, yd, x->ss, x->se, xx,
                       x->nb[worker], x->knn[worker],
                       x->score + (size_t)(2 * i + 1) * (size_t)C);
            x->evid[2 * i + 1] = evidence_of(st, &q, 0, j);
            x->cut[2 * i + 1] = 1;
            for (p = 0; p < q.row_ptr[1]; p++)
                yd[q.col_idx[p]] = 0.0f;
        }
        for (p = st->xt->row_ptr[j]; p < st->xt->row_ptr[j + 1]; p++)
            xd[st->xt->col_idx[p]] = 0.0f;
    }
    return 0;
}

static int calib_rows(const run_state *st, nb_work *w, const int64_t *rows,
                      const int32_t *cut_k, int64_t n, const double *ss,
                      const double *se, double *score, double *evid, int *cut)
{
    int workers = parallel_workers(st->e->threads, n, 16), i, rc = 0;
    calib_ctx x;
    memset(&x, 0, sizeof x);
    x.st = st;
    x.rows = rows;
    x.cut_k = cut_k;
    x.ss = ss;
    x.se = se;
    x.score = score;
    x.evid = evid;
    x.cut = cut;
    x.w = calloc((size_t)workers, sizeof *x.w);
    x.xd = calloc((size_t)workers, sizeof *x.xd);
    x.yd = calloc((size_t)workers, sizeof *x.yd);
    x.nb = calloc((size_t)workers, sizeof *x.nb);
    x.knn = calloc((size_t)workers, sizeof *x.knn);
    if (!x.w || !x.xd || !x.yd || !x.nb || !x.knn)
        rc = QUARRY_ENOMEM;
    if (x.w != NULL)
        x.w[0] = *w; /* handed back below, whatever fails */
    for (i = 0; rc == 0 && i < workers; i++) {
        if (i > 0 && nb_work_init(&x.w[i], st->xt->rows) != 0)
            rc = QUARRY_ENOMEM;
        x.xd[i] = calloc((size_t)st->V + 1, sizeof **x.xd);
        x.yd[i] = calloc((size_t)st->V + 1, sizeof **x.yd);
        x.nb[i] = malloc(((size_t)st->so->neighbours + 1) * sizeof **x.nb);
        x.knn[i] = malloc((size_t)st->C * sizeof **x.knn);
        if (!x.xd[i] || !x.yd[i] || !x.nb[i] || !x.knn[i])
            rc = QUARRY_ENOMEM;
    }
    if (rc == 0)
        rc = parallel_for(workers, n, 16, calib_items, &x);
    if (x.w != NULL)
        *w = x.w[0]; /* its stamp moved on: the caller's must too */
    for (i = 0; i < workers; i++) {
        if (i > 0 && x.w != NULL)
            nb_work_free(&x.w[i]);
        if (x.xd)
            free(x.xd[i]);
        if (x.yd)
            free(x.yd[i]);
        if (x.nb)
            free(x.nb[i]);
        if (x.knn)
            free(x.knn[i]);
    }
    free(x.w);
    free(x.xd);
    free(x.yd);
    free(x.nb);
    free(x.knn);
    return rc != 0 ? engine_fail(st->e, QUARRY_ENOMEM, "out of memory") : 0;
}

/*
 * The linear model's left-out probabilities blended into the m packed
 * calibration scores (linear_select.h), the cuts rebuilt (cut_row is
 * fixed for a row and a size) as rows of the words block; with
 * auto_select the choice, else the options' model. What was used goes
 * into st.
 */
static int linear_scores(run_state *st, double *score, const int64_t *rows_m,
                         const int *cut, const int32_t *cutk_m, int64_t m)
{
    lin_items it;
    quarry_csr *cuts = csr_alloc(m, st->V, m * SUGGEST_CUT_MAX + 1);
    int64_t *cut_of = malloc(((size_t)m + 1) * sizeof *cut_of), i, n = 0, p;
    float *yd = calloc((size_t)st->V + 1, sizeof *yd);
    int64_t qp[2];
    int32_t qc[SUGGEST_CUT_MAX];
    float qv[SUGGEST_CUT_MAX];
    quarry_csr q;
    int rc;
    if (cuts == NULL || cut_of == NULL || yd == NULL) {
        quarry_csr_free(cuts);
        free(cut_of);
        free(yd);
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    }
    q.rows = 1;
    q.cols = st->V;
    q.row_ptr = qp;
    q.col_idx = qc;
    q.values = qv;
    for (i = 0; i < m; i++) {
        cut_of[i] = -1;
        if (!cut[i])
            continue;
        if (cut_row(st, rows_m[i], cutk_m[i], &q, yd)) {
            int64_t at = cuts->row_ptr[n];
            for (p = 0; p < qp[1]; p++) {
                cuts->col_idx[at + p] = qc[p];
                cuts->values[at + p] = qv[p];
                yd[qc[p]] = 0.0f;
            }
            cuts->row_ptr[n + 1] = at + qp[1];
            cut_of[i] = n++;
        }
    }
    cuts->rows = n;
    it.n = m;
    it.row = rows_m;
    it.cut = cut_of;
    it.cuts = cuts;
    it.score = score;
    it.lab_ptr = st->lab_ptr;
    it.lab = st->lab;
    it.C = st->C;
    it.nt = st->xt->rows;
    rc = linear_select(st->e, &st->fb, &it, st->so->seed, &st->choice);
    if (rc == 0) {
        st->lin_alpha = st->choice.linear;
        st->lin_c = st->choice.linear_c;
        st->lin_set = st->choice.features;
    }
    quarry_csr_free(cuts);
    free(cut_of);
    free(yd);
    return rc;
}

/*
 * The calibration, on every coded training row (at most
 * SUGGEST_CALIBRATION_ROWS of them, evenly spaced) scored as if it were
 * left out, with prototypes before rejections are pushed: the softmax
 * temperature on a log grid that minimises the negative log-likelihood of
 * the rows' codes (the softmax mass on them), unless the options fix one;
 * then, at that temperature, the weights of the evidence model
 * (evidence_fit) on those rows and a cut of each (cut_row). Fewer than two
 * coded rows: the fallback temperature and the plain softmax.
 */
static int calibrate(run_state *st, nb_work *w)
{
    const quarry_suggest_options *so = st->so;
    int32_t C = st->C, c, g;
    int64_t nt = st->xt->rows, L = 0, j, p, m = 0, stride, i;
    double *score = NULL, *ss = NULL, *se = NULL, best = HUGE_VAL;
    double *phi = NULL;
    static const int32_t cut_sizes[SUGGEST_CUTS] = SUGGEST_CUT_SIZES;
    int64_t *rows = NULL, *rows_m = NULL, n_items = 0;
    int32_t *cut_k = NULL, *cutk_m = NULL;
    int *hit = NULL, *cut = NULL;
    double *rw = NULL, *qt = NULL, *evid = NULL;
    double phi0[SUGGEST_EVIDENCE_FEATURES];
    int rc = 0;

    st->temperature = so->temperature > 0.0 ? so->temperature
                      : st->codebook_only ? SUGGEST_CODEBOOK_TEMPERATURE
                                          : SUGGEST_FALLBACK_TEMPERATURE;
    for (c = 0; c < SUGGEST_EVIDENCE_FEATURES; c++)
        st->evidence[c] = c == 0 ? 40.0 : 0.0; /* factor 1: the softmax */
    st->evidence_ref = 1.0;
    for (j = 0; j < nt; j++)
        L += st->lab_ptr[j + 1] > st->lab_ptr[j];
    if (L < 2)
        return 0;
    stride = (L + SUGGEST_CALIBRATION_ROWS - 1) / SUGGEST_CALIBRATION_ROWS;
    L = 2 * (L / stride + 1); /* each row and a cut of it, at most */
    score = malloc((size_t)L * (size_t)C * sizeof *score);
    rows = malloc((size_t)L * sizeof *rows);
    rows_m = malloc((size_t)L * sizeof *rows_m);
    cut_k = malloc((size_t)L * sizeof *cut_k);
    cutk_m = malloc((size_t)L * sizeof *cutk_m);
    evid = malloc((size_t)L * sizeof *evid);
    hit = malloc((size_t)L * sizeof *hit);
    cut = malloc((size_t)L * sizeof *cut);
    rw = malloc((size_t)L * sizeof *rw);
    qt = malloc((size_t)L * sizeof *qt);
    phi = malloc((size_t)L * SUGGEST_EVIDENCE_FEATURES * sizeof *phi);
    ss = calloc((size_t)C, sizeof *ss);
    se = calloc((size_t)C, sizeof *se);
    if (!score || !rows || !rows_m || !cut_k || !cutk_m || !evid || !hit ||
        !cut ||
        !rw || !qt || !phi || !ss || !se) {
        rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (c = 0; c < C; c++) {
        const float *S = st->sum + (size_t)c * (size_t)st->V;
        for (p = 0; p < st->V; p++)
            ss[c] += (double)S[p] * S[p];
        if (has_entry(st, c))
            for (p = st->xc->row_ptr[c]; p < st->xc->row_ptr[c + 1]; p++)
                se[c] += (double)st->xc->values[p] * S[st->xc->col_idx[p]];
    }
    /* The rows and the size of each one's cut, in order; then each on
     * the engine's threads into its own two slots (the row, its cut),
     * packed in that order afterwards, so the same as one thread. */
    for (j = 0, L = 0; j < nt; j++) {
        if (st->lab_ptr[j + 1] == st->lab_ptr[j] || L++ % stride != 0)
            continue;
        rows[n_items] = j;
        cut_k[n_items++] = cut_sizes[(L - 1) / stride % SUGGEST_CUTS];
    }
    rc = calib_rows(st, w, rows, cut_k, n_items, ss, se, score, evid, cut);
    if (rc != 0)
        goto out;
    for (i = 0; i < n_items; i++) {
        /* slot 2i: the whole row; 2i + 1: its cut, when it has one */
        int s2;
        for (s2 = 0; s2 < 2; s2++) {
            int64_t from = 2 * i + s2;
            if (s2 == 1 && !cut[from])
                continue;
            if (m != from)
                memmove(score + (size_t)m * (size_t)C,
                        score + (size_t)from * (size_t)C,
                        (size_t)C * sizeof *score);
            evid[m] = evid[from];
            cut[m] = s2;
            cutk_m[m] = cut_k[i];
            rows_m[m++] = rows[i];
        }
    }
    if (st->lin_alpha > 0.0 || st->lin_auto) {
        rc = linear_scores(st, score, rows_m, cut, cutk_m, m);
        if (rc != 0)
            goto out;
    }
    for (g = 0; so->temperature <= 0.0 && g <= SUGGEST_CALIBRATION_GRID;
         g++) {
        double t = 1e-3 * pow(1e3, (double)g / SUGGEST_CALIBRATION_GRID),
               nll = 0.0;
        for (i = 0; i < m; i++) {
            const double *sc = score + (size_t)i * (size_t)C;
            double zmax = sc[0], all = 0.0, on = 0.0;
            if (cut[i])
                continue;
            for (c = 1; c < C; c++)
                if (sc[c] > zmax)
                    zmax = sc[c];
            for (c = 0; c < C; c++) {
                double ez = exp((sc[c] - zmax) / t);
                all += ez;
                if (labelled(st, rows_m[i], c))
                    on += ez;
            }
            nll -= log(on > 0.0 ? on / all : 1e-300);
        }
        if (nll < best) {
            best = nll;
            st->temperature = t;
        }
    }
    /* The features of each row at that temperature, and whether its top
     * code (ties to the smaller code, as in the ranking) is right. */
    for (i = 0; i < m; i++) {
        const double *sc = score + (size_t)i * (size_t)C;
        double all = 0.0;
        int32_t top = 0;
        for (c = 1; c < C; c++)
            if (sc[c] > sc[top])
                top = c;
        for (c = 0; c < C; c++)
            all += exp((sc[c] - sc[top]) / st->temperature);
        qt[i] = 1.0 / all;
        evidence_features(phi + (size_t)i * SUGGEST_EVIDENCE_FEATURES,
                          evid[i]);
        hit[i] = labelled(st, rows_m[i], top);
        rw[i] = cut[i] ? SUGGEST_CUT_WEIGHT : 1.0;
    }
    rc = evidence_fit(st->evidence, phi, qt, hit, rw, m);
    /* The reference: the lower quartile of the whole rows' evidence (the
     * cuts' are no longer needed, so they are overwritten). Row 0's
     * features are kept first: the reference's take their place. */
    for (c = 0; c < SUGGEST_EVIDENCE_FEATURES; c++)
        phi0[c] = phi[c];
    for (i = 0, L = 0; i < m; i++)
        if (!cut[i])
            evid[L++] = evid[i];
    qsort(evid, (size_t)L, sizeof *evid, cmp_double);
    evidence_features(phi, evid[(L - 1) / SUGGEST_EVIDENCE_QUANTILE]);
    st->evidence_ref = evidence_prob(st->evidence, phi);
    for (c = 0; c < SUGGEST_EVIDENCE_FEATURES; c++)
        phi[c] = phi0[c];
    /* The whole rows' top confidences as the run gives them (the softmax
     * share times the evidence factor) and whether each top code is
     * right: a held-out measure of the confidences (the expected error
     * of accepting at a confidence, project_batch.c). */
    if (rc == 0) {
        st->held_conf = malloc((size_t)L * sizeof *st->held_conf);
        st->held_hit = malloc((size_t)L * sizeof *st->held_hit);
        if (st->held_conf == NULL || st->held_hit == NULL) {
            rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        for (i = 0; i < m; i++) {
            if (cut[i])
                continue;
            st->held_conf[st->n_held] =
                qt[i] * fmin(1.0, evidence_prob(st->evidence,
                                                phi + (size_t)i *
                                                    SUGGEST_EVIDENCE_FEATURES) /
                                      st->evidence_ref);
            st->held_hit[st->n_held++] = hit[i];
        }
    }
out:
    free(score);
    free(rows);
    free(rows_m);
    free(cut_k);
    free(cutk_m);
    free(evid);
    free(hit);
    free(cut);
    free(rw);
    free(qt);
    free(phi);
    free(ss);
    free(se);
    return rc;
}

/* The top confidence an excerpt needs not to abstain: the options'
 * min_confidence, raised to chance among the C candidate codes plus
 * SUGGEST_CHANCE_MARGIN (a confidence no better than 1/C says nothing). */
static double suggest_abstain_threshold(const quarry_suggest_options *so,
                                        int32_t C)
{
    double chance = C > 0 ? 1.0 / (double)C + SUGGEST_CHANCE_MARGIN : 0.0;
    return so->min_confidence > chance ? so->min_confidence : chance;
}

/* The same for a run from the codebook alone, whose confidences nothing
 * calibrated: stricter, at least SUGGEST_CODEBOOK_MIN_CONFIDENCE. */
static double abstain_threshold(const run_state *st)
{
    double t = suggest_abstain_threshold(st->so, st->C);
    if (st->codebook_only && t < SUGGEST_CODEBOOK_MIN_CONFIDENCE)
        t = SUGGEST_CODEBOOK_MIN_CONFIDENCE;
    return t;
}

/* One worker's scratch for score_all. */
typedef struct score_scratch {
    nb_work w;
    int owns_w;      /* 0: w is the caller's (worker 0) */
    topk_item *room; /* K + 2 n_terms + 1 */
    topk_item *nbrs; /* SUGGEST_BLOCK x K */
    int32_t *n_nbrs;
    double *knn;
    double *dec; /* the linear model's decision values */
    ranked *rk;
} score_scratch;

typedef struct score_ctx {
    const run_state *st;
    quarry_suggestions *s;
    score_scratch *sc; /* per worker */
} score_ctx;

/* Blocks [b0, b1) of SUGGEST_BLOCK input rows on worker `worker`: each row
 * writes only its own slots of the result, so any split over workers gives
 * the same output. The evidence terms' display forms are s->term_copy's,
 * all copied beforehand (read-only here). */
static int score_blocks(void *ctx, int64_t b0, int64_t b1, int worker)
{
    score_ctx *x = ctx;
    const run_state *st = x->st;
    quarry_suggestions *s = x->s;
    score_scratch *sc = &x->sc[worker];
    const quarry_suggest_options *so = st->so;
    const quarry_csr *xi = st->xi;
    int64_t b, r, p, q;
    int32_t K = so->neighbours, C = st->C, c, k;
    double T = st->temperature;

    for (b = b0; b < b1; b++) {
        int64_t r0 = b * SUGGEST_BLOCK,
                r1 = r0 + SUGGEST_BLOCK < xi->rows ? r0 + SUGGEST_BLOCK
                                                   : xi->rows;
        if (K > 0)
            neighbours(st, &sc->w, xi, r0, r1, K, sc->nbrs, sc->n_nbrs);
        else
            memset(sc->n_nbrs, 0, SUGGEST_BLOCK * sizeof *sc->n_nbrs);
        /* Scores, confidences and evidence of the block. */
        for (r = r0; r < r1; r++) {
            const topk_item *nb = sc->nbrs + (size_t)(r - r0) * (size_t)K;
            int32_t n_nb = sc->n_nbrs[r - r0];
            ranked *rk = sc->rk;
            double zmax, zsum = 0.0, gain, phi[SUGGEST_EVIDENCE_FEATURES];
            votes(st, nb, n_nb, K, sc->knn);
            for (c = 0; c < C; c++) {
                double cosv = csr_row_dot(
                    xi, r, st->proto + (size_t)c * (size_t)st->V);
                rk[c].code = c;
                rk[c].score = combine(st, cosv, sc->knn[c]);
            }
            if (st->lin_alpha > 0.0) {
                linear_decisions(&st->lin, st->xli, r, sc->dec);
                for (c = 0; c < C; c++)
                    rk[c].score =
                        (1.0 - st->lin_alpha) * rk[c].score +
                        (input_vetoed(st, r, c)
                             ? 0.0
                             : st->lin_alpha *
                                   linear_share(&st->lin, c, sc->dec[c]));
            }
            qsort(rk, (size_t)C, sizeof *rk, cmp_ranked);
            zmax = rk[0].score;
            for (c = 0; c < C; c++)
                zsum += exp((rk[c].score - zmax) / T);
            evidence_features(phi, evidence_of(st, xi, r, -1));
            gain = fmin(1.0, evidence_prob(st->evidence, phi) /
                                 st->evidence_ref);
            s->count[r] = so->top;
            for (k = 0; k < so->top; k++) {
                size_t slot = (size_t)r * (size_t)so->top + (size_t)k;
                quarry_suggestion *sg = &s->items[slot];
                const float *P =
                    st->proto + (size_t)rk[k].code * (size_t)st->V;
                const char **terms = s->terms + slot * (size_t)so->n_terms;
                float *tw = s->term_w + slot * (size_t)so->n_terms;
                int64_t *ev = s->nb + slot * (size_t)so->n_evidence;
                float *evs = s->nb_s + slot * (size_t)so->n_evidence;
                int32_t j, ne = 0;
                topk tk;
                sg->code = s->codes[rk[k].code];
                sg->score = rk[k].score;
                sg->confidence = gain * exp((rk[k].score - zmax) / T) / zsum;
                topk_init(&tk, sc->room, so->n_terms);
                if (st->lin_alpha > 0.0) {
                    /* Each column's share x[t] w_c[t] of the linear
                     * model's log-odds for the code: words and the form
                     * block's words, pairs and marks, one line per word
                     * (a word of both blocks summed); character n-grams
                     * and lone stopwords count in the score but are no
                     * evidence a reader can use, and pairs of function
                     * words and marks are evidence only for codes of the
                     * form of talk (feat_shown, feat_form_fits). */
                    const quarry_csr *xl = st->xli;
                    topk_init(&tk, sc->room, 2 * so->n_terms);
                    for (p = xl->row_ptr[r]; p < xl->row_ptr[r + 1]; p++) {
                        float contrib;
                        int kind = st->shown[xl->col_idx[p]];
                        if (kind == FEAT_HIDDEN ||
                            (kind == FEAT_FORM &&
                             !feat_form_fits(&st->fb, st->lin_set,
                                             xl->col_idx[p], rk[k].code)))
                            continue;
                        contrib =
                            xl->values[p] *
                            st->lin.w[(size_t)xl->col_idx[p] * (size_t)C +
                                      (size_t)rk[k].code];
                        if (contrib > 0.0f)
                            topk_push(&tk, contrib, xl->col_idx[p]);
                    }
                    topk_sort(&tk);
                    merge_same_terms(s, &tk, so->n_terms);
                } else
                    for (p = xi->row_ptr[r]; p < xi->row_ptr[r + 1]; p++) {
                        float contrib = xi->values[p] * P[xi->col_idx[p]];
                        if (contrib > 0.0f && st->shown[xi->col_idx[p]])
                            topk_push(&tk, contrib, xi->col_idx[p]);
                    }
                topk_sort(&tk);
                for (j = 0; j < tk.n; j++) {
                    terms[j] = s->term_copy[tk.items[j].id];
                    tw[j] = tk.items[j].score;
                }
                sg->n_terms = tk.n;
                sg->terms = terms;
                sg->term_weights = tw;
                for (j = 0; j < n_nb && ne < so->n_evidence; j++)
                    for (q = st->lab_ptr[nb[j].id];
                         q < st->lab_ptr[nb[j].id + 1]; q++)
                        if (st->lab[q] == rk[k].code) {
                            ev[ne] = nb[j].id;
                            evs[ne] = nb[j].score;
                            ne++;
                            break;
                        }
                sg->n_neighbours = ne;
                sg->neighbours = ev;
                sg->neighbour_scores = evs;
            }
            s->abstain[r] = s->items[(size_t)r * (size_t)so->top].confidence <
                            abstain_threshold(st);
        }
    }
    return 0;
}

/* Rank the codes of every input row: blocks of SUGGEST_BLOCK rows on the
 * engine's threads (parallel_for), each worker with its own scratch (w,
 * already allocated, is worker 0's). The display form of every term is
 * copied first (a few MB at most, the vocabulary's; no shared cache for
 * the workers to fill). */
static int score_all(run_state *st, quarry_suggestions *s, nb_work *w)
{
    const quarry_suggest_options *so = st->so;
    int64_t n_blocks = (st->xi->rows + SUGGEST_BLOCK - 1) / SUGGEST_BLOCK,
            col;
    int workers = parallel_workers(st->e->threads, n_blocks, 1), i;
    int32_t K = so->neighbours, C = st->C;
    score_ctx x;
    int rc = 0;

    for (col = 0; so->n_terms > 0 && col < st->n_cols; col++)
        if (term_of(s, st, col) == NULL)
            return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    x.st = st;
    x.s = s;
    x.sc = calloc((size_t)workers, sizeof *x.sc);
    if (x.sc == NULL)
        return engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < workers; i++) {
        score_scratch *sc = &x.sc[i];
        if (i == 0)
            sc->w = *w;
        else {
            sc->owns_w = 1;
            if (nb_work_init(&sc->w, st->xt->rows) != 0)
                rc = QUARRY_ENOMEM;
        }
        sc->room = malloc(((size_t)K + 2 * (size_t)so->n_terms + 1) *
                          sizeof *sc->room);
        sc->nbrs = malloc((size_t)SUGGEST_BLOCK * ((size_t)K + 1) *
                          sizeof *sc->nbrs);
        sc->n_nbrs = malloc(SUGGEST_BLOCK * sizeof *sc->n_nbrs);
        sc->knn = malloc((size_t)C * sizeof *sc->knn);
        sc->dec = malloc((size_t)C * sizeof *sc->dec);
        sc->rk = malloc((size_t)C * sizeof *sc->rk);
        if (!sc->room || !sc->nbrs || !sc->n_nbrs || !sc->knn || !sc->dec ||
            !sc->rk)
            rc = QUARRY_ENOMEM;
    }
    if (rc != 0)
        rc = engine_fail(st->e, QUARRY_ENOMEM, "out of memory");
    else
        rc = parallel_for(workers, n_blocks, 1, score_blocks, &x);
    for (i = 0; i < workers; i++) {
        score_scratch *sc = &x.sc[i];
        if (sc->owns_w)
            nb_work_free(&sc->w);
        free(sc->room);
        free(sc->nbrs);
        free(sc->n_nbrs);
        free(sc->knn);
        free(sc->dec);
        free(sc->rk);
    }
    free(x.sc);
    return rc;
}

static void free_state(run_state *st)
{
    quarry_csr_free(st->xt);
    quarry_csr_free(st->xi);
    quarry_csr_free(st->xc);
    quarry_model_free(st->m);
    free(st->cb_index);
    free(st->lab_ptr);
    free(st->lab);
    free(st->n_ex);
    free(st->proto);
    free(st->sum);
    quarry_csr_free(st->xr);
    free(st->rej_ptr);
    free(st->rej);
    free(st->rej_train);
    free(st->shown);
    free(st->in_veto_ptr);
    free(st->in_veto);
    free(st->veto_ptr);
    free(st->veto);
    free(st->post_ptr);
    free(st->post_doc);
    free(st->post_w);
    free(st->tc_ptr);
    free(st->tc_code);
    free(st->tc_n);
    free(st->tinfo);
    free(st->held_conf);
    free(st->held_hit);
    quarry_csr_free(st->xlt);
    quarry_csr_free(st->xli);
    feat_blocks_free(&st->fb);
    linear_free(&st->lin);
}


/* Discourse markers and hedges ("sure", "mostly", "really": the head of
 * filler/<language>.txt, LABELS_ONLY_MARK) are never shown as a reason
 * for a code: they count in the score, but a reader would not take them
 * as one. A column is one when the word it shows is, as a reader reads
 * it (labels_word_class: "Sure," is "sure"), so "exactly" goes and
 * "exact" stays although a stemmer joins them. */
static int hide_hedges(run_state *st, quarry_engine *e, const char *language)
{
    char name[64], path[4096];
    strtab words;
    int64_t marked = 0, col;
    int rc;
    snprintf(name, sizeof name, "filler/%s.txt", analyzer_lang_code(language));
    rc = quarry_engine_find_dictionary(e, name, path, sizeof path);
    if (rc == QUARRY_ENOTFOUND)
        return 0; /* no list for the language: nothing hidden */
    if (rc != QUARRY_OK)
        return rc;
    strtab_init(&words);
    rc = labels_filler_load(e, st->m, path, NULL, &marked, &words, 1);
    for (col = 0; rc == 0 && col < st->n_cols; col++) {
        const char *term;
        if (st->shown[col] == FEAT_HIDDEN)
            continue;
        term = st->lin_alpha > 0.0 ? feat_name(&st->fb, st->lin_set, col)
                                   : quarry_model_term(st->m, col);
        if (term != NULL && strchr(term, ' ') == NULL &&
            labels_word_class(&words, term, strlen(term)) ==
                LABELS_FUNCTION)
            st->shown[col] = FEAT_HIDDEN;
    }
    strtab_free(&words);
    return rc;
}

int quarry_suggest_run(quarry_suggestions **out, quarry_engine *e,
                       const quarry_pipeline_options *po,
                       const quarry_suggest_options *so,
                       const quarry_corpus *train,
                       const quarry_corpus *input)
{
    quarry_suggest_options opts = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_suggestions *s = NULL;
    run_state st;
    nb_work w;
    double t;
    int rc;

    if (out == NULL || e == NULL || train == NULL || input == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (so != NULL) {
        /* Version 1 ends before `rejected`, 2 before `linear`: copy what
         * they have. */
        if (so->version == 1)
            memcpy(&opts, so, offsetof(quarry_suggest_options, rejected));
        else if (so->version == 2)
            memcpy(&opts, so, offsetof(quarry_suggest_options, linear));
        else if (so->version == QUARRY_SUGGEST_OPTIONS_VERSION)
            opts = *so;
        else
            return engine_fail(e, QUARRY_EINVAL,
                               "suggest options version %u (this library "
                               "reads 1 to %u)",
                               so->version, QUARRY_SUGGEST_OPTIONS_VERSION);
        opts.version = QUARRY_SUGGEST_OPTIONS_VERSION;
    }
    so = &opts;
    memset(&st, 0, sizeof st);
    {
        /* No coded excerpt but a codebook: the codes' entries alone
         * (suggest.h, "From the codebook alone"). */
        size_t i;
        int coded = 0;
        for (i = 0; i < quarry_corpus_size(train) && !coded; i++)
            coded = quarry_corpus_at(train, i)->n_codes > 0;
        st.codebook_only = !coded && so->codebook != NULL;
    }
    if (quarry_corpus_size(train) == 0 && !st.codebook_only)
        return engine_fail(e, QUARRY_EINVAL, "no training excerpts");
    if (st.codebook_only && quarry_corpus_size(input) == 0)
        return engine_fail(e, QUARRY_EINVAL, "no excerpts to suggest for");
    if (so->neighbours < 0 || so->neighbours > 100000)
        return engine_fail(e, QUARRY_ERANGE,
                           "neighbours must be in 0..100000, not %d",
                           (int)so->neighbours);
    if (so->n_terms < 0 || so->n_terms > 1000 || so->n_evidence < 0 ||
        so->n_evidence > 1000)
        return engine_fail(e, QUARRY_ERANGE,
                           "evidence terms and neighbours must be in 0..1000");
    if (!(so->temperature >= 0.0) || !(so->min_confidence >= 0.0 &&
                                       so->min_confidence <= 1.0) ||
        !(so->proto_weight >= 0.0 && so->proto_weight <= 1.0) ||
        !(so->definition_prior >= 0.0))
        return engine_fail(e, QUARRY_ERANGE,
                           "temperature must not be negative (0: fitted), "
                           "min_confidence and proto_weight in [0, 1], "
                           "definition_prior not negative");
    if (!(so->linear >= 0.0 && so->linear <= 1.0) ||
        !(so->linear_c > 0.0 && so->linear_c <= 1e6) ||
        (so->features & ~(QUARRY_FEATURES_FORM | QUARRY_FEATURES_CHARS)) != 0)
        return engine_fail(e, QUARRY_ERANGE,
                           "linear must be in [0, 1], linear_c in (0, 1e6] "
                           "and features a set of QUARRY_FEATURES_* flags");
    memset(&w, 0, sizeof w);
    st.po = po;
    st.input = input;
    /* No coded excerpt: nothing for the linear model to learn. */
    st.choice.auto_selected = so->auto_select != 0 && !st.codebook_only;
    st.choice.linear = st.codebook_only || so->auto_select ? 0.0 : so->linear;
    st.choice.linear_c = so->linear_c;
    st.choice.features = so->features;
    st.lin_alpha = st.choice.linear;
    st.lin_c = so->linear_c;
    st.lin_set = so->features;
    st.e = e;
    st.so = so;
    st.train = train;
    t = engine_now();
    rc = collect_codes(&st);
    if (rc == 0 && opts.top == 0) /* the default: 3, or every code */
        opts.top = st.C < 3 && st.C > 0 ? st.C : 3;
    if (rc == 0 && (so->top < 1 || so->top > st.C))
        rc = engine_fail(e, QUARRY_ERANGE,
                         "top %d: must be in 1..%d (the codes that can be "
                         "suggested)",
                         (int)so->top, (int)st.C);
    if (rc == 0)
        rc = rejection_pairs(&st);
    if (rc == 0)
        rc = label_rows(&st);
    if (rc == 0) {
        int64_t j;
        for (j = 0; j < (int64_t)quarry_corpus_size(train); j++)
            st.choice.coded += st.lab_ptr[j + 1] > st.lab_ptr[j];
        st.lin_auto = st.choice.auto_selected &&
                      st.choice.coded <= QUARRY_SUGGEST_AUTO_MAX_CODED;
    }
    if (rc == 0)
        /* From the codebook alone there is nothing coded to fit the
         * vocabulary and weights on: the excerpts to suggest for give them
         * (their own words, no code is read from them). */
        rc = quarry_model_fit(&st.m, e, po, st.codebook_only ? input : train);
    if (rc == 0) {
        engine_phase(e, &t, "fit the model");
        st.V = quarry_model_n_terms(st.m);
        rc = quarry_model_transform(st.m, train, &st.xt);
    }
    if (rc == 0)
        rc = quarry_model_transform(st.m, input, &st.xi);
    if (rc == 0)
        engine_phase(e, &t, "weight the rows");
    if (rc == 0 && st.rej_ptr != NULL)
        rc = quarry_model_transform(st.m, so->rejected, &st.xr);
    if (rc == 0)
        rc = entry_rows(&st);
    if (rc == 0)
        rc = prototypes(&st);
    if (rc == 0)
        rc = inverted_index(&st);
    if (rc == 0 && nb_work_init(&w, st.xt->rows) != 0)
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
    if (rc == 0)
        rc = term_codes(&st);
    if (rc == 0) {
        /* Each column's term_info once, not once per input row holding
         * it (the same values, so the same sums). */
        int64_t col;
        st.tinfo = malloc(((size_t)st.V + 1) * sizeof *st.tinfo);
        if (st.tinfo == NULL)
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        for (col = 0; rc == 0 && col < st.V; col++)
            st.tinfo[col] = term_info(&st, col, -1);
    }
    if (rc == 0 && (st.lin_alpha > 0.0 || st.lin_auto)) {
        /* The linear model's feature blocks: those asked for, or when
         * quarry chooses every one (chars where the charngram plugin is
         * installed). */
        unsigned want = st.lin_set;
        const quarry_plugin *pl;
        if (st.lin_auto)
            want = QUARRY_FEATURES_FORM |
                   (quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "charngram",
                                       &pl) == QUARRY_OK
                        ? QUARRY_FEATURES_CHARS
                        : 0u);
        rc = feat_blocks_build(&st.fb, e, po, want, st.m, st.xt, st.xi, train,
                               input);
    }
    if (rc == 0)
        engine_phase(e, &t, "prototypes and index");
    if (rc == 0)
        rc = calibrate(&st, &w);
    if (rc == 0)
        engine_phase(e, &t, "calibrate");
    st.n_cols = st.V;
    if (rc == 0 && st.lin_alpha > 0.0) {
        /* The linear model on every coded excerpt. */
        rc = feat_stack(&st.fb, st.lin_set, 0, &st.xlt);
        if (rc == 0)
            rc = feat_stack(&st.fb, st.lin_set, 1, &st.xli);
        if (rc == 0)
            rc = linear_fit(&st.lin, st.xlt, st.lab_ptr, st.lab, st.C, NULL,
                            st.lin_c, so->seed);
        if (rc != 0)
            rc = engine_fail(e, rc, "out of memory");
        else {
            int64_t col;
            st.n_cols = feat_cols(&st.fb, st.lin_set);
            st.shown = malloc((size_t)st.n_cols + 1);
            if (st.shown == NULL)
                rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            for (col = 0; rc == 0 && col < st.n_cols; col++)
                st.shown[col] = (unsigned char)feat_shown(&st.fb, st.lin_set,
                                                          col);
            if (rc == 0)
                rc = feat_form_fit(&st.fb, e, st.lab_ptr, st.lab, st.C);
        }
        if (rc == 0)
            engine_phase(e, &t, "linear model");
    }
    if (rc == 0 && st.shown != NULL)
        rc = hide_hedges(&st, e, po->language);
    if (rc == 0 && st.shown == NULL) {
        /* Without the linear model, the words' own evidence: content
         * words only, as with it (feat_word_shown). */
        int64_t col;
        analyzer reader;
        const strtab *list = NULL;
        st.shown = malloc((size_t)st.V + 1);
        if (st.shown == NULL)
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        else
            rc = labels_reader_stopwords(e, &st.m->an, po->language,
                                         &reader, &list);
        for (col = 0; rc == 0 && col < st.V; col++)
            st.shown[col] = (unsigned char)(feat_word_shown(list, st.m, col)
                                                 ? FEAT_SHOWN
                                                 : FEAT_HIDDEN);
        if (list != NULL)
            analyzer_free(&reader);
        if (rc == 0)
            rc = hide_hedges(&st, e, po->language);
    }
    free(st.sum); /* only the calibration needs the exemplar sums */
    st.sum = NULL;
    if (rc == 0)
        rc = push_rejections(&st);
    if (rc == 0 && st.lin_alpha > 0.0)
        rc = input_vetoes(&st);
    if (rc == 0) {
        s = calloc(1, sizeof *s);
        if (s == NULL)
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        s->codes = st.codes;
        s->n_codes = st.C;
        s->temperature = st.temperature;
        s->codebook_only = st.codebook_only;
        s->held_conf = st.held_conf;
        s->held_hit = st.held_hit;
        s->n_held = st.n_held;
        st.held_conf = NULL;
        st.held_hit = NULL;
        s->choice = st.choice;
        st.codes = NULL;
        rc = alloc_result(s, &st, quarry_corpus_size(input));
    }
    if (rc == 0)
        rc = score_all(&st, s, &w);
    if (rc == 0)
        engine_phase(e, &t, "score the input");
    nb_work_free(&w);
    if (st.codes != NULL) {
        int32_t c;
        for (c = 0; c < st.C; c++)
            free(st.codes[c]);
        free(st.codes);
    }
    free_state(&st);
    if (rc != 0) {
        quarry_suggestions_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void quarry_suggestions_free(quarry_suggestions *s)
{
    int64_t i;
    if (s == NULL)
        return;
    if (s->codes)
        for (i = 0; i < s->n_codes; i++)
            free(s->codes[i]);
    if (s->term_copy)
        for (i = 0; i < s->n_cols; i++)
            free(s->term_copy[i]);
    free(s->codes);
    free(s->term_copy);
    free(s->count);
    free(s->abstain);
    free(s->items);
    free(s->terms);
    free(s->term_w);
    free(s->nb);
    free(s->nb_s);
    free(s->held_conf);
    free(s->held_hit);
    free(s);
}

size_t quarry_suggestions_size(const quarry_suggestions *s)
{
    return s ? s->n : 0;
}

int32_t quarry_suggestions_count(const quarry_suggestions *s, size_t i)
{
    return s && i < s->n ? s->count[i] : 0;
}

const quarry_suggestion *quarry_suggestions_at(const quarry_suggestions *s,
                                               size_t i, int32_t rank)
{
    if (s == NULL || i >= s->n || rank < 0 || rank >= s->count[i])
        return NULL;
    return &s->items[i * (size_t)s->top + (size_t)rank];
}

int quarry_suggestions_abstain(const quarry_suggestions *s, size_t i)
{
    return s && i < s->n ? s->abstain[i] : 0;
}

double quarry_suggestions_temperature(const quarry_suggestions *s)
{
    return s ? s->temperature : 0.0;
}

int quarry_suggestions_codebook_only(const quarry_suggestions *s)
{
    return s ? s->codebook_only : 0;
}

int64_t quarry_suggestions_heldout(const quarry_suggestions *s,
                                   const double **confidence,
                                   const int **correct)
{
    if (confidence != NULL)
        *confidence = s ? s->held_conf : NULL;
    if (correct != NULL)
        *correct = s ? s->held_hit : NULL;
    return s ? s->n_held : 0;
}

const quarry_suggest_choice *
quarry_suggestions_choice(const quarry_suggestions *s)
{
    return s ? &s->choice : NULL;
}
