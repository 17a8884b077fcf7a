/*
 * featblock.c -- the feature blocks of suggest's linear model (features.h
 * says what each block holds). The form block is counted here, from an
 * analyzer of its own without stemmer, stopwords or lexicon; the chars
 * block is a second text model over the `charngram` tokenizer plugin.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "engine.h"
#include "featblock.h"
#include "labels.h"
#include "model.h"

/* Terms of the form block must be in at least this many coded excerpts. */
#define FEAT_MIN_DF 2

typedef struct key_count {
    int64_t key;
    int64_t n;
} key_count;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct form_scratch {
    int64_t *ids, n_ids, cap_ids; /* analyzer terms of one excerpt */
    int64_t *keys, n_keys, cap_keys;
    char *buf;
    size_t cap_buf;
} form_scratch;

static int push_key(form_scratch *s, int64_t k)
{
    if (s->n_keys == s->cap_keys) {
        int64_t c = s->cap_keys ? 2 * s->cap_keys : 256;
        int64_t *g = realloc(s->keys, (size_t)c * sizeof *g);
        if (g == NULL)
            return -1;
        s->keys = g;
        s->cap_keys = c;
    }
    s->keys[s->n_keys++] = k;
    return 0;
}

/* Key id of s[0..n) (interned when intern, else -1 when unknown), pushed
 * onto the excerpt's keys. */
static int add_key(strtab *keys, form_scratch *sc, const char *s, size_t n,
                   int intern)
{
    int64_t k = intern ? strtab_intern(keys, s, n, NULL)
                       : strtab_find(keys, s, n);
    if (k < -1 || (intern && k < 0))
        return -1;
    return k >= 0 ? push_key(sc, k) : 0;
}

/* The form keys of one excerpt, sorted (duplicates kept: counted later). */
static int form_keys(analyzer *a, strtab *keys, form_scratch *sc,
                     const quarry_excerpt *x, int intern)
{
    int64_t i;
    size_t b;
    sc->n_ids = 0;
    sc->n_keys = 0;
    if (analyzer_run(a, x->text, x->text_len, &sc->ids, &sc->n_ids,
                     &sc->cap_ids) != 0)
        return -2;
    for (i = 0; i < sc->n_ids; i++) {
        const char *u = strtab_str(&a->terms, sc->ids[i]);
        size_t un = strtab_len(&a->terms, sc->ids[i]);
        if (add_key(keys, sc, u, un, intern) != 0)
            return -1;
        if (i + 1 < sc->n_ids) {
            const char *v = strtab_str(&a->terms, sc->ids[i + 1]);
            size_t vn = strtab_len(&a->terms, sc->ids[i + 1]);
            if (un + vn + 2 > sc->cap_buf) {
                char *g = realloc(sc->buf, un + vn + 64);
                if (g == NULL)
                    return -1;
                sc->buf = g;
                sc->cap_buf = un + vn + 64;
            }
            memcpy(sc->buf, u, un);
            sc->buf[un] = ' ';
            memcpy(sc->buf + un + 1, v, vn);
            if (add_key(keys, sc, sc->buf, un + vn + 1, intern) != 0)
                return -1;
        }
    }
    for (b = 0; b < x->text_len; b++)
        if (x->text[b] == '?' || x->text[b] == '!')
            if (add_key(keys, sc, x->text + b, 1, intern) != 0)
                return -1;
    if (sc->n_keys > 1) /* none: keys may still be NULL */
        qsort(sc->keys, (size_t)sc->n_keys, sizeof *sc->keys, cmp_i64);
    return 0;
}

/* The keys of every excerpt of c as counts (a CSR of key ids, values the
 * counts; cols unset). */
static int count_keys(quarry_engine *e, analyzer *a, strtab *keys,
                      form_scratch *sc, const quarry_corpus *c, int intern,
                      quarry_csr **out)
{
    size_t n = quarry_corpus_size(c), r;
    int64_t cap = 1024, at = 0, i;
    quarry_csr *m = csr_alloc((int64_t)n, 0, cap);
    if (m == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    for (r = 0; r < n; r++) {
        int rc = form_keys(a, keys, sc, quarry_corpus_at(c, r), intern);
        if (rc != 0) {
            quarry_csr_free(m);
            return rc == -2 ? QUARRY_EPLUGIN
                            : engine_fail(e, QUARRY_ENOMEM, "out of memory");
        }
        if (at + sc->n_keys > cap) {
            int64_t nc = 2 * (at + sc->n_keys);
            int32_t *gi = realloc(m->col_idx, (size_t)nc * sizeof *gi);
            float *gv;
            if (gi != NULL)
                m->col_idx = gi;
            gv = gi ? realloc(m->values, (size_t)nc * sizeof *gv) : NULL;
            if (gv == NULL) {
                quarry_csr_free(m);
                return engine_fail(e, QUARRY_ENOMEM, "out of memory");
            }
            m->values = gv;
            cap = nc;
        }
        for (i = 0; i < sc->n_keys; i++) {
            if (i > 0 && sc->keys[i] == sc->keys[i - 1]) {
                m->values[at - 1] += 1.0f;
                continue;
            }
            if (sc->keys[i] > INT32_MAX) {
                quarry_csr_free(m);
                return engine_fail(e, QUARRY_ERANGE, "too many terms");
            }
            m->col_idx[at] = (int32_t)sc->keys[i];
            m->values[at++] = 1.0f;
        }
        m->row_ptr[r + 1] = at;
    }
    *out = m;
    return 0;
}

/* Counts of keys -> weighted rows over the kept columns (col_of, V). */
static void weigh(quarry_csr *m, const int64_t *col_of, int64_t V,
                  const double *idf)
{
    int64_t r, p, at = 0;
    for (r = 0; r < m->rows; r++) {
        int64_t b = m->row_ptr[r], end = m->row_ptr[r + 1];
        m->row_ptr[r] = at;
        for (p = b; p < end; p++) {
            int64_t col = col_of[m->col_idx[p]];
            if (col < 0)
                continue;
            m->col_idx[at] = (int32_t)col;
            m->values[at++] =
                (float)((1.0 + log((double)m->values[p])) * idf[col]);
        }
    }
    m->row_ptr[m->rows] = at;
    m->cols = V;
    /* The kept keys come in key order, not column order: sort each row's
     * entries by column (insertion: rows are short). */
    for (r = 0; r < m->rows; r++)
        for (p = m->row_ptr[r] + 1; p < m->row_ptr[r + 1]; p++) {
            int32_t c = m->col_idx[p];
            float v = m->values[p];
            int64_t q = p;
            while (q > m->row_ptr[r] && m->col_idx[q - 1] > c) {
                m->col_idx[q] = m->col_idx[q - 1];
                m->values[q] = m->values[q - 1];
                q--;
            }
            m->col_idx[q] = c;
            m->values[q] = v;
        }
    csr_normalize_rows(m);
}

static int form_block(feat_blocks *fb, quarry_engine *e,
                      const quarry_pipeline_options *po,
                      const quarry_corpus *train, const quarry_corpus *input)
{
    analyzer a;
    form_scratch sc;
    quarry_csr *ct = NULL, *ci = NULL;
    int64_t *df = NULL, *col_of = NULL, K, k, p, V = 0;
    double *idf = NULL;
    int rc;

    memset(&sc, 0, sizeof sc);
    rc = analyzer_init(&a, e, po->tokenizer, "none", po->language, "none",
                       "none");
    if (rc == 0)
        rc = count_keys(e, &a, &fb->form_keys, &sc, train, 1, &ct);
    if (rc == 0)
        rc = count_keys(e, &a, &fb->form_keys, &sc, input, 0, &ci);
    if (rc != 0)
        goto out;
    K = fb->form_keys.n;
    df = calloc((size_t)K + 1, sizeof *df);
    col_of = calloc((size_t)K + 1, sizeof *col_of);
    fb->form_key = malloc(((size_t)K + 1) * sizeof *fb->form_key);
    idf = calloc((size_t)K + 1, sizeof *idf);
    if (!df || !col_of || !fb->form_key || !idf) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (p = 0; p < ct->row_ptr[ct->rows]; p++)
        df[ct->col_idx[p]]++;
    for (k = 0; k < K; k++) {
        col_of[k] = -1;
        if (df[k] >= FEAT_MIN_DF) {
            fb->form_key[V] = k;
            idf[V] = log((1.0 + (double)ct->rows) / (1.0 + (double)df[k])) +
                     1.0;
            col_of[k] = V++;
        }
    }
    weigh(ct, col_of, V, idf);
    weigh(ci, col_of, V, idf);
    /* What each column is as evidence (feat_shown). */
    fb->form_kind = calloc((size_t)V + 1, 1);
    if (fb->form_kind == NULL) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (k = 0; k < V; k++) {
        const char *key = strtab_str(&fb->form_keys, fb->form_key[k]);
        int cls = labels_term_class(fb->reader_list, key);
        if (strcmp(key, "?") == 0 || strcmp(key, "!") == 0)
            fb->form_kind[k] = FEAT_FORM;
        else if (cls == LABELS_CONTENT)
            fb->form_kind[k] = FEAT_SHOWN;
        else if (cls == LABELS_FUNCTION && strchr(key, ' ') != NULL)
            fb->form_kind[k] = FEAT_FORM;
        else
            fb->form_kind[k] = FEAT_HIDDEN;
    }
    fb->own[2] = ct;
    fb->own[3] = ci;
    fb->t[1] = ct;
    fb->i[1] = ci;
    ct = ci = NULL;
    fb->have |= QUARRY_FEATURES_FORM;
out:
    quarry_csr_free(ct);
    quarry_csr_free(ci);
    analyzer_free(&a);
    free(sc.ids);
    free(sc.keys);
    free(sc.buf);
    free(df);
    free(col_of);
    free(idf);
    return rc;
}

static int chars_block(feat_blocks *fb, quarry_engine *e,
                       const quarry_pipeline_options *po,
                       const quarry_corpus *train, const quarry_corpus *input)
{
    quarry_pipeline_options pc = *po;
    quarry_csr *ct = NULL, *ci = NULL;
    int rc;
    pc.tokenizer = "charngram";
    pc.stemmer = "none";
    pc.stopwords = "none";
    pc.lexicon = "none";
    pc.min_df = FEAT_MIN_DF;
    pc.max_df = 1.0;
    pc.max_features = 0;
    rc = quarry_model_fit(&fb->chars, e, &pc, train);
    if (rc == 0)
        rc = quarry_model_transform(fb->chars, train, &ct);
    if (rc == 0)
        rc = quarry_model_transform(fb->chars, input, &ci);
    if (rc != 0) {
        quarry_csr_free(ct);
        quarry_csr_free(ci);
        return rc;
    }
    fb->own[4] = ct;
    fb->own[5] = ci;
    fb->t[2] = ct;
    fb->i[2] = ci;
    fb->have |= QUARRY_FEATURES_CHARS;
    return 0;
}

int feat_blocks_build(feat_blocks *fb, quarry_engine *e,
                      const quarry_pipeline_options *po, unsigned want,
                      const quarry_model *words, const quarry_csr *xt,
                      const quarry_csr *xi, const quarry_corpus *train,
                      const quarry_corpus *input)
{
    int rc = 0;
    memset(fb, 0, sizeof *fb);
    strtab_init(&fb->form_keys);
    fb->words = words;
    fb->t[0] = xt;
    fb->i[0] = xi;
    rc = labels_reader_stopwords(e, &words->an, po->language, &fb->reader,
                                 &fb->reader_list);
    if (rc == 0 && (want & QUARRY_FEATURES_FORM))
        rc = form_block(fb, e, po, train, input);
    if (rc == 0 && (want & QUARRY_FEATURES_CHARS))
        rc = chars_block(fb, e, po, train, input);
    return rc;
}

void feat_blocks_free(feat_blocks *fb)
{
    int k;
    for (k = 0; k < 2 * FEAT_BLOCKS; k++)
        quarry_csr_free(fb->own[k]);
    quarry_model_free(fb->chars);
    strtab_free(&fb->form_keys);
    free(fb->form_key);
    free(fb->form_kind);
    free(fb->form_fit);
    analyzer_free(&fb->reader);
    memset(fb, 0, sizeof *fb);
}

static int in_set(const feat_blocks *fb, unsigned set, int k)
{
    if (k == 0)
        return 1;
    return (set & fb->have & (k == 1 ? QUARRY_FEATURES_FORM
                                     : QUARRY_FEATURES_CHARS)) != 0;
}

int64_t feat_cols(const feat_blocks *fb, unsigned set)
{
    int64_t n = 0;
    int k;
    for (k = 0; k < FEAT_BLOCKS; k++)
        if (in_set(fb, set, k))
            n += fb->t[k]->cols;
    return n;
}

int feat_word_shown(const strtab *list, const quarry_model *words,
                    int64_t col)
{
    return labels_term_class(list, quarry_model_term(words, col)) ==
           LABELS_CONTENT;
}

int feat_shown(const feat_blocks *fb, unsigned set, int64_t col)
{
    int k;
    for (k = 0; k < FEAT_BLOCKS; k++) {
        if (!in_set(fb, set, k))
            continue;
        if (col < fb->t[k]->cols) {
            if (k == 0)
                return feat_word_shown(fb->reader_list, fb->words, col)
                           ? FEAT_SHOWN
                           : FEAT_HIDDEN;
            return k == 1 ? fb->form_kind[col] : FEAT_HIDDEN;
        }
        col -= fb->t[k]->cols;
    }
    return FEAT_HIDDEN;
}

int feat_form_fit(feat_blocks *fb, quarry_engine *e, const int64_t *lab_ptr,
                  const int32_t *lab, int32_t C)
{
    const quarry_csr *t;
    int64_t V, r, p, q, k;
    double *said = NULL, *in = NULL, rows;
    int32_t c;
    int rc = QUARRY_OK;

    if (!(fb->have & QUARRY_FEATURES_FORM) || C <= 0)
        return QUARRY_OK;
    t = fb->t[1];
    V = t->cols;
    rows = (double)t->rows;
    said = calloc((size_t)V + 1, sizeof *said);
    in = malloc(((size_t)V + 1) * sizeof *in);
    fb->form_fit = calloc((size_t)V * (size_t)C + 1, 1);
    if (!said || !in || !fb->form_fit) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    /* Coded excerpts that say each column (a row's columns are
     * distinct). */
    for (r = 0; r < t->rows; r++)
        for (p = t->row_ptr[r]; p < t->row_ptr[r + 1]; p++)
            said[t->col_idx[p]] += 1.0;
    for (c = 0; c < C; c++) {
        double n_c = 0.0, best_word = 0.0, best_form = 0.0;
        memset(in, 0, ((size_t)V + 1) * sizeof *in);
        for (r = 0; r < t->rows; r++) {
            for (q = lab_ptr[r]; q < lab_ptr[r + 1] && lab[q] != c; q++)
                ;
            if (q == lab_ptr[r + 1])
                continue;
            n_c += 1.0;
            for (p = t->row_ptr[r]; p < t->row_ptr[r + 1]; p++)
                in[t->col_idx[p]] += 1.0;
        }
        /* How far each column is said more in the code's excerpts than
         * in the other coded ones (labels_g2_over), at best for its
         * content words and for its forms. */
        for (k = 0; k < V; k++) {
            double g;
            if (fb->form_kind[k] == FEAT_HIDDEN || in[k] == 0.0)
                continue;
            g = labels_g2_over(in[k], n_c, said[k], rows);
            in[k] = g;
            if (fb->form_kind[k] == FEAT_FORM) {
                if (g > best_form)
                    best_form = g;
            } else if (g > best_word)
                best_word = g;
        }
        /* A code of the form of talk, one whose excerpts a form sets
         * apart far more clearly than any content word ("?" for a
         * question), shows the forms its excerpts say more than chance
         * would ("do you", "are you"); a code of content ("pay"), whose
         * excerpts also say "i'm on" (a contract) more often than the
         * rest, shows none: as a reason, a pair of function words reads
         * as filler there. With twenty excerpts a code, some pair said in
         * three of them and nowhere else is found for most codes, so one
         * form ahead of the words is not enough. */
        if (best_form < FEAT_FORM_CODE * best_word ||
            best_form <= FEAT_FORM_G2)
            continue;
        for (k = 0; k < V; k++)
            if (fb->form_kind[k] == FEAT_FORM && in[k] > FEAT_FORM_G2)
                fb->form_fit[(size_t)k * (size_t)C + (size_t)c] = 1;
    }
    fb->fit_codes = C;
out:
    free(said);
    free(in);
    return rc;
}

int feat_form_fits(const feat_blocks *fb, unsigned set, int64_t col,
                   int32_t code)
{
    if (!in_set(fb, set, 1) || fb->fit_codes == 0 || code < 0 ||
        code >= fb->fit_codes)
        return 0;
    col -= fb->t[0]->cols;
    if (col < 0 || col >= fb->t[1]->cols ||
        fb->form_kind[col] != FEAT_FORM)
        return 0;
    return fb->form_fit[(size_t)col * (size_t)fb->fit_codes + (size_t)code];
}

const char *feat_name(const feat_blocks *fb, unsigned set, int64_t col)
{
    int k;
    for (k = 0; k < FEAT_BLOCKS; k++) {
        if (!in_set(fb, set, k))
            continue;
        if (col < fb->t[k]->cols) {
            if (k == 0)
                return quarry_model_term(fb->words, col);
            if (k == 1)
                return strtab_str(&fb->form_keys, fb->form_key[col]);
            return quarry_model_term(fb->chars, col);
        }
        col -= fb->t[k]->cols;
    }
    return "";
}

int feat_stack(const feat_blocks *fb, unsigned set, int input,
               quarry_csr **out)
{
    const quarry_csr *const *bl = input ? fb->i : fb->t;
    int64_t rows = bl[0]->rows, nnz = 0, r, p, at = 0, off;
    quarry_csr *m;
    int k;
    for (k = 0; k < FEAT_BLOCKS; k++)
        if (in_set(fb, set, k))
            nnz += bl[k]->row_ptr[bl[k]->rows];
    if (feat_cols(fb, set) > INT32_MAX)
        return QUARRY_ERANGE;
    m = csr_alloc(rows, feat_cols(fb, set), nnz ? nnz : 1);
    if (m == NULL)
        return QUARRY_ENOMEM;
    for (r = 0; r < rows; r++) {
        off = 0;
        for (k = 0; k < FEAT_BLOCKS; k++) {
            if (!in_set(fb, set, k))
                continue;
            for (p = bl[k]->row_ptr[r]; p < bl[k]->row_ptr[r + 1]; p++) {
                m->col_idx[at] = (int32_t)(bl[k]->col_idx[p] + off);
                m->values[at++] = bl[k]->values[p];
            }
            off += bl[k]->cols;
        }
        m->row_ptr[r + 1] = at;
    }
    *out = m;
    return 0;
}
