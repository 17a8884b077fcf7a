/*
 * model.c -- a fitted text model: analyse a corpus into term ids, build the
 * vocabulary (min_df, max_df, max_features; columns in byte order of the
 * terms, so runs are reproducible), count into sparse rows, weigh with the
 * weighting plugin and L2-normalise. Excerpts read later are vectorised with
 * the same vocabulary and corpus statistics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "csr.h"
#include "model.h"
#include "parallel.h"

static int report(quarry_engine *e, const char *what, int64_t done,
                  int64_t total)
{
    if (e->progress == NULL)
        return 0;
    return e->progress(e->progress_ctx, what, done, total);
}

/* Excerpts analysed per chunk of the parallel loop. */
#define ANALYSE_GRAIN 512

/* One chunk's term ids: worker analyzer w's term ids, to be mapped. */
typedef struct chunk_ids {
    int64_t *ids;
    int64_t n, cap;
    int worker;
} chunk_ids;

typedef struct analyse_job {
    quarry_model *m;
    const quarry_corpus *c;
    analyzer **an;   /* per worker; an[0] is the model's own */
    chunk_ids *chunk;
    int64_t *len;    /* per excerpt: its term count */
    int64_t n;
} analyse_job;

static int analyse_chunk(void *p, int64_t b, int64_t e, int worker)
{
    analyse_job *j = p;
    int64_t ci;
    for (ci = b; ci < e; ci++) {
        chunk_ids *ch = &j->chunk[ci];
        int64_t i0 = ci * ANALYSE_GRAIN, i;
        int64_t i1 = i0 + ANALYSE_GRAIN < j->n ? i0 + ANALYSE_GRAIN : j->n;
        ch->worker = worker;
        for (i = i0; i < i1; i++) {
            const quarry_excerpt *x = quarry_corpus_at(j->c, (size_t)i);
            int64_t before = ch->n;
            int rc = analyzer_run(j->an[worker], x->text, x->text_len,
                                  &ch->ids, &ch->n, &ch->cap);
            if (rc != 0)
                return rc;
            j->len[i] = ch->n - before;
        }
        /* Progress from the calling thread only (worker 0). */
        if (worker == 0 &&
            report(j->m->engine, "analysing", i1, j->n))
            return engine_fail(j->m->engine, QUARRY_ECANCELED, "cancelled");
    }
    return 0;
}

/* Term ids of every excerpt: ids[ptr[i] .. ptr[i+1]). Chunks of excerpts
 * are analysed on the engine's threads, each worker with its own copy of
 * the analyzer (plugin instances are one thread's at a time); the copies'
 * forms and terms are then folded into the model's analyzer and their ids
 * mapped, so the result is the same for any number of threads. */
static int analyse_corpus(quarry_model *m, const quarry_corpus *c,
                          int64_t **ids_out, int64_t **ptr_out)
{
    int64_t n = (int64_t)quarry_corpus_size(c), i, ci, total = 0;
    int64_t n_chunks = (n + ANALYSE_GRAIN - 1) / ANALYSE_GRAIN;
    int workers = parallel_workers(m->engine->threads, n_chunks, 1), w;
    analyzer *copies = NULL, *an[PARALLEL_MAX_THREADS];
    int64_t *maps[PARALLEL_MAX_THREADS] = {NULL};
    chunk_ids *chunk = NULL;
    int64_t *ids = NULL, *ptr = NULL;
    analyse_job j;
    int rc = QUARRY_OK, n_copies = 0;

    ptr = malloc((size_t)(n + 1) * sizeof *ptr);
    chunk = calloc((size_t)(n_chunks ? n_chunks : 1), sizeof *chunk);
    if (workers > 1)
        copies = calloc((size_t)workers, sizeof *copies);
    if (ptr == NULL || chunk == NULL || (workers > 1 && copies == NULL)) {
        rc = engine_fail(m->engine, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    an[0] = &m->an;
    for (w = 1; w < workers; w++) {
        rc = analyzer_clone(&copies[w], &m->an);
        n_copies = w + 1;
        if (rc != 0)
            goto out;
        an[w] = &copies[w];
    }
    j.m = m;
    j.c = c;
    j.an = an;
    j.chunk = chunk;
    j.len = ptr + 1;
    j.n = n;
    rc = parallel_for(workers, n_chunks, 1, analyse_chunk, &j);
    if (rc != 0)
        goto out;
    for (w = 1; w < workers; w++) {
        rc = analyzer_merge(&m->an, &copies[w], &maps[w]);
        if (rc != 0)
            goto out;
    }
    ptr[0] = 0;
    for (i = 0; i < n; i++)
        ptr[i + 1] += ptr[i];
    total = ptr[n];
    ids = malloc((size_t)(total ? total : 1) * sizeof *ids);
    if (ids == NULL) {
        rc = engine_fail(m->engine, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (ci = 0; ci < n_chunks; ci++) {
        const chunk_ids *ch = &chunk[ci];
        int64_t *dst = ids + ptr[ci * ANALYSE_GRAIN], k;
        if (ch->n == 0) {
            continue; /* a chunk of excerpts without a term: no ids */
        } else if (ch->worker == 0) {
            memcpy(dst, ch->ids, (size_t)ch->n * sizeof *dst);
        } else {
            const int64_t *map = maps[ch->worker];
            for (k = 0; k < ch->n; k++)
                dst[k] = map[ch->ids[k]];
        }
    }
out:
    for (ci = 0; chunk != NULL && ci < n_chunks; ci++)
        free(chunk[ci].ids);
    free(chunk);
    for (w = 1; w < n_copies; w++) {
        analyzer_free(&copies[w]);
        free(maps[w]);
    }
    free(copies);
    if (rc != 0) {
        free(ids);
        free(ptr);
        return rc;
    }
    *ids_out = ids;
    *ptr_out = ptr;
    return QUARRY_OK;
}

/* Rows with more distinct columns than this are put in order through a
 * bitmap of the columns, not sorted. */
#define SORT_BITMAP_MIN 48

/* The index of the lowest set bit of w != 0. */
static inline int lowest_bit(uint64_t w)
{
#if defined(__GNUC__)
    return __builtin_ctzll(w);
#else
    int b = 0;
    while (!(w & 1)) {
        w >>= 1;
        b++;
    }
    return b;
#endif
}

/* The distinct columns v[0..n) of a row in increasing order. A short row
 * (most paragraphs) by insertion sort, inline: qsort's call per
 * comparison and its merge buffer cost more than the sort itself. A long
 * one by marking each column in bits (all zero on entry and on return)
 * and reading the marks back in order, a word of 64 columns at a time:
 * linear in the columns spanned, with no comparisons to mispredict. */
static void sort_cols(int32_t *v, int64_t n, uint64_t *bits)
{
    int64_t i, k;
    if (n > SORT_BITMAP_MIN) {
        int32_t lo = v[0], hi = v[0];
        for (i = 0; i < n; i++) {
            int32_t c = v[i];
            bits[c >> 6] |= (uint64_t)1 << (c & 63);
            lo = c < lo ? c : lo;
            hi = c > hi ? c : hi;
        }
        k = 0;
        for (i = lo >> 6; i <= hi >> 6; i++) {
            uint64_t w = bits[i];
            bits[i] = 0;
            while (w != 0) {
                v[k++] = (int32_t)(i * 64 + lowest_bit(w));
                w &= w - 1;
            }
        }
        return;
    }
    for (i = 1; i < n; i++) {
        int32_t x = v[i];
        for (k = i; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
}

/* Rows counted per chunk of the parallel loop. */
#define COUNT_GRAIN 2048

typedef struct count_job {
    const quarry_model *m;
    const int64_t *ids, *ptr;
    quarry_csr *x;       /* row i written at ptr[i]; its length in
                            row_ptr[i + 1] until compacted */
    float *doc_len;
    int32_t *cnt[PARALLEL_MAX_THREADS];  /* per worker: per column */
    int32_t *cols[PARALLEL_MAX_THREADS]; /* per worker: distinct columns */
    uint64_t *bits[PARALLEL_MAX_THREADS]; /* per worker: a bit per column */
} count_job;

static int count_rows(void *p, int64_t b, int64_t e, int worker)
{
    count_job *j = p;
    const quarry_model *m = j->m;
    int32_t *cnt = j->cnt[worker], *cols = j->cols[worker];
    int64_t i, q;

    for (i = b; i < e; i++) {
        int64_t len = 0, nc = 0, base = j->ptr[i];
        for (q = j->ptr[i]; q < j->ptr[i + 1]; q++) {
            int64_t t = j->ids[q], col;
            if (t >= m->fitted_terms || (col = m->col_of_term[t]) < 0)
                continue;
            if (cnt[col]++ == 0)
                cols[nc++] = (int32_t)col;
            len++;
        }
        j->doc_len[i] = (float)len;
        /* Distinct columns only are sorted, not every token. */
        sort_cols(cols, nc, j->bits[worker]);
        for (q = 0; q < nc; q++) {
            j->x->col_idx[base + q] = cols[q];
            j->x->values[base + q] = (float)cnt[cols[q]];
            cnt[cols[q]] = 0;
        }
        j->x->row_ptr[i + 1] = nc;
    }
    return 0;
}

/* Counts of the analysed excerpts over the model's columns, rows counted
 * on the engine's threads into their own slots, then packed in order. */
static int build_counts(quarry_model *m, const int64_t *ids,
                        const int64_t *ptr, int64_t n, quarry_csr **out,
                        float **doc_len_out)
{
    int64_t i, nnz = 0, longest = 1;
    int workers = parallel_workers(m->engine->threads, n, COUNT_GRAIN), w;
    count_job j;
    quarry_csr *x;
    float *doc_len;
    int rc = QUARRY_OK;

    memset(&j, 0, sizeof j);
    for (i = 0; i < n; i++)
        if (ptr[i + 1] - ptr[i] > longest)
            longest = ptr[i + 1] - ptr[i];
    /* Upper bound of nnz: the tokens themselves. */
    x = csr_alloc(n, m->n_terms, ptr[n]);
    doc_len = malloc((size_t)(n ? n : 1) * sizeof *doc_len);
    for (w = 0; w < workers; w++) {
        j.cnt[w] = calloc((size_t)(m->n_terms ? m->n_terms : 1),
                          sizeof *j.cnt[w]);
        j.cols[w] = malloc((size_t)longest * sizeof *j.cols[w]);
        j.bits[w] = calloc((size_t)(m->n_terms / 64 + 1), sizeof *j.bits[w]);
        if (j.cnt[w] == NULL || j.cols[w] == NULL || j.bits[w] == NULL)
            rc = QUARRY_ENOMEM;
    }
    if (x == NULL || doc_len == NULL || rc != 0) {
        rc = engine_fail(m->engine, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    j.m = m;
    j.ids = ids;
    j.ptr = ptr;
    j.x = x;
    j.doc_len = doc_len;
    rc = parallel_for(workers, n, COUNT_GRAIN, count_rows, &j);
    if (rc != 0)
        goto out;
    for (i = 0; i < n; i++) {
        int64_t len = x->row_ptr[i + 1];
        if (nnz != ptr[i]) {
            memmove(x->col_idx + nnz, x->col_idx + ptr[i],
                    (size_t)len * sizeof *x->col_idx);
            memmove(x->values + nnz, x->values + ptr[i],
                    (size_t)len * sizeof *x->values);
        }
        nnz += len;
        x->row_ptr[i + 1] = nnz;
    }
out:
    for (w = 0; w < workers; w++) {
        free(j.cnt[w]);
        free(j.cols[w]);
        free(j.bits[w]);
    }
    if (rc != 0) {
        quarry_csr_free(x);
        free(doc_len);
        return rc;
    }
    *out = x;
    *doc_len_out = doc_len;
    return QUARRY_OK;
}

static int weigh(quarry_model *m, quarry_csr *x, const float *doc_len)
{
    const quarry_plugin *p = quarry_instance_plugin(m->weighting);
    quarry_corpus_stats st;
    char err[QUARRY_ERR_MAX] = "";
    int rc;

    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    st.n_docs = m->n_docs;
    st.n_terms = m->n_terms;
    st.df = m->df;
    st.cf = m->cf;
    st.avg_doc_len = m->avg_doc_len;
    st.doc_len = doc_len;
    rc = p->weigh(quarry_instance_self(m->weighting), x, &st, err);
    if (rc != 0)
        return engine_fail(m->engine, rc < 0 ? rc : QUARRY_EPLUGIN,
                           "weighting %s: %s", p->name,
                           err[0] ? err : quarry_status_str(rc));
    for (int64_t k = 0; k < x->row_ptr[x->rows]; k++)
        if (!isfinite(x->values[k]))
            return engine_fail(m->engine, QUARRY_EPLUGIN,
                               "weighting %s produced a non-finite weight",
                               p->name);
    csr_normalize_rows(x);
    return QUARRY_OK;
}

typedef struct term_count {
    int64_t cf, df;
    int64_t last; /* the last excerpt counted in df */
} term_count;

typedef struct term_rank {
    int64_t term;
    int64_t cf;
    const char *s;
} term_rank;

static int cmp_by_cf(const void *a, const void *b)
{
    const term_rank *x = a, *y = b;
    if (x->cf != y->cf)
        return x->cf > y->cf ? -1 : 1;
    return strcmp(x->s, y->s);
}

static int cmp_by_str(const void *a, const void *b)
{
    const term_rank *x = a, *y = b;
    return strcmp(x->s, y->s);
}

int quarry_model_fit(quarry_model **out, quarry_engine *e,
                     const quarry_pipeline_options *o,
                     const quarry_corpus *c)
{
    quarry_pipeline_options defaults = QUARRY_PIPELINE_OPTIONS_INIT;
    const quarry_plugin *wp;
    quarry_model *m;
    int64_t *ids = NULL, *ptr = NULL;
    term_count *tc = NULL; /* per term, one cache line for all three */
    int64_t n, nt, i, p, kept = 0, max_df_count;
    term_rank *rank = NULL;
    int64_t *display = NULL;
    int rc;

    if (out == NULL || e == NULL || c == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (o == NULL)
        o = &defaults;
    if (o->version != QUARRY_PIPELINE_OPTIONS_VERSION)
        return engine_fail(e, QUARRY_EINVAL, "pipeline options version %u",
                           o->version);
    n = (int64_t)quarry_corpus_size(c);
    if (n == 0)
        return engine_fail(e, QUARRY_EINVAL, "no excerpts to fit on");
    if (o->min_df < 1)
        return engine_fail(e, QUARRY_ERANGE, "min_df must be at least 1");
    if (!(o->max_df > 0.0 && o->max_df <= 1.0))
        return engine_fail(e, QUARRY_ERANGE,
                           "max_df must be a share in (0, 1], not %g",
                           o->max_df);
    if (o->max_features < 0)
        return engine_fail(e, QUARRY_ERANGE,
                           "max_features must be 0 (all) or more");

    m = calloc(1, sizeof *m);
    if (m == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    m->engine = e;
    strtab_init(&m->display);
    rc = analyzer_init(&m->an, e, o->tokenizer, o->stemmer, o->language,
                       o->stopwords, o->lexicon);
    if (rc != 0)
        goto fail;
    rc = quarry_engine_find(e, QUARRY_KIND_WEIGHTING,
                            o->weighting ? o->weighting : "tfidf", &wp);
    if (rc == 0)
        rc = quarry_instance_new(&m->weighting, e, wp);
    if (rc != 0)
        goto fail;

    rc = analyse_corpus(m, c, &ids, &ptr);
    if (rc != 0)
        goto fail;
    nt = m->an.terms.n;
    tc = malloc((size_t)(nt ? nt : 1) * sizeof *tc);
    rank = malloc((size_t)(nt ? nt : 1) * sizeof *rank);
    m->col_of_term = malloc((size_t)(nt ? nt : 1) * sizeof *m->col_of_term);
    if (!tc || !rank || !m->col_of_term) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < nt; i++) {
        tc[i].cf = 0;
        tc[i].df = 0;
        tc[i].last = -1;
    }
    for (i = 0; i < n; i++)
        for (p = ptr[i]; p < ptr[i + 1]; p++) {
            int64_t t = ids[p];
            tc[t].cf++;
            if (tc[t].last != i) {
                tc[t].last = i;
                tc[t].df++;
            }
        }
    max_df_count = (int64_t)floor(o->max_df * (double)n + 1e-9);
    for (i = 0; i < nt; i++) {
        m->col_of_term[i] = -1;
        if (tc[i].df >= o->min_df && tc[i].df <= max_df_count) {
            rank[kept].term = i;
            rank[kept].cf = tc[i].cf;
            rank[kept].s = strtab_str(&m->an.terms, i);
            kept++;
        }
    }
    if (kept == 0) {
        rc = engine_fail(e, QUARRY_EINVAL,
                         "no terms left after filtering %lld excerpts "
                         "(%lld distinct terms; min_df=%lld, max_df=%g): "
                         "lower --min-df or raise --max-df",
                         (long long)n, (long long)nt, (long long)o->min_df,
                         o->max_df);
        goto fail;
    }
    if (o->max_features > 0 && kept > o->max_features) {
        qsort(rank, (size_t)kept, sizeof *rank, cmp_by_cf);
        kept = o->max_features;
    }
    qsort(rank, (size_t)kept, sizeof *rank, cmp_by_str);

    m->fitted_terms = nt;
    m->n_terms = kept;
    m->n_docs = n;
    m->df = malloc((size_t)kept * sizeof *m->df);
    m->cf = malloc((size_t)kept * sizeof *m->cf);
    m->col_display = malloc((size_t)kept * sizeof *m->col_display);
    m->col_term = malloc((size_t)kept * sizeof *m->col_term);
    display = analyzer_display_forms(&m->an);
    if (!m->df || !m->cf || !m->col_display || !m->col_term || !display) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < kept; i++) {
        int64_t t = rank[i].term, f = display[t], d;
        const char *s = f >= 0 ? strtab_str(&m->an.forms, f) : rank[i].s;
        m->col_of_term[t] = i;
        m->col_term[i] = t;
        m->df[i] = tc[t].df;
        m->cf[i] = tc[t].cf;
        d = strtab_intern(&m->display, s, strlen(s), NULL);
        if (d < 0) {
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            goto fail;
        }
        m->col_display[i] = d;
    }

    rc = build_counts(m, ids, ptr, n, &m->fit_counts, &m->fit_doc_len);
    if (rc != 0)
        goto fail;
    {
        double total = 0.0;
        for (i = 0; i < n; i++)
            total += m->fit_doc_len[i];
        m->avg_doc_len = total / (double)n;
    }
    m->fit_corpus = c;
    m->fit_corpus_size = (size_t)n;
    free(ids);
    free(ptr);
    free(tc);
    free(rank);
    free(display);
    *out = m;
    return QUARRY_OK;
fail:
    free(ids);
    free(ptr);
    free(tc);
    free(rank);
    free(display);
    quarry_model_free(m);
    return rc;
}

void quarry_model_free(quarry_model *m)
{
    if (m == NULL)
        return;
    analyzer_free(&m->an);
    quarry_instance_free(m->weighting);
    strtab_free(&m->display);
    free(m->col_of_term);
    free(m->col_term);
    free(m->col_display);
    free(m->df);
    free(m->cf);
    quarry_csr_free(m->fit_counts);
    free(m->fit_doc_len);
    free(m);
}

int64_t quarry_model_n_terms(const quarry_model *m)
{
    return m ? m->n_terms : 0;
}

const char *quarry_model_term(const quarry_model *m, int64_t id)
{
    if (m == NULL || id < 0 || id >= m->n_terms)
        return NULL;
    return strtab_str(&m->display, m->col_display[id]);
}

static quarry_csr *csr_copy(const quarry_csr *a)
{
    int64_t nnz = a->row_ptr[a->rows];
    quarry_csr *b = csr_alloc(a->rows, a->cols, nnz);
    if (b == NULL)
        return NULL;
    memcpy(b->row_ptr, a->row_ptr, (size_t)(a->rows + 1) * sizeof *b->row_ptr);
    memcpy(b->col_idx, a->col_idx, (size_t)nnz * sizeof *b->col_idx);
    memcpy(b->values, a->values, (size_t)nnz * sizeof *b->values);
    return b;
}

int quarry_model_transform(quarry_model *m, const quarry_corpus *c,
                           quarry_csr **out)
{
    quarry_csr *x = NULL;
    float *doc_len = NULL;
    int own_len = 0;
    int rc;

    if (m == NULL || c == NULL || out == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (c == m->fit_corpus && quarry_corpus_size(c) == m->fit_corpus_size) {
        /* The excerpts the model was fitted on: counts are at hand. */
        x = csr_copy(m->fit_counts);
        if (x == NULL)
            return engine_fail(m->engine, QUARRY_ENOMEM, "out of memory");
        doc_len = m->fit_doc_len;
    } else {
        int64_t *ids = NULL, *ptr = NULL;
        rc = analyse_corpus(m, c, &ids, &ptr);
        if (rc != 0)
            return rc;
        rc = build_counts(m, ids, ptr, (int64_t)quarry_corpus_size(c), &x,
                          &doc_len);
        free(ids);
        free(ptr);
        if (rc != 0)
            return rc;
        own_len = 1;
    }
    rc = weigh(m, x, doc_len);
    if (own_len)
        free(doc_len);
    if (rc != 0) {
        quarry_csr_free(x);
        return rc;
    }
    *out = x;
    return QUARRY_OK;
}
