/*
 * labels.c -- the terms that label a theme. A theme's label should name
 * what its excerpts talk about that the rest do not, in words a researcher
 * reads as a theme. Three parts:
 *
 * - The score is the log-odds ratio of a term between the theme and the
 *   rest of the corpus with an informative Dirichlet prior (Monroe,
 *   Colaresi & Quinn 2008), divided by its standard error. The prior is
 *   the whole corpus, so a rare word seen twice in a theme is shrunk
 *   toward "no difference" and a word common everywhere ("work") has a
 *   small ratio: what rises is frequent here and rarer elsewhere. Counts
 *   are excerpts, not tokens (a word said ten times in one excerpt is one
 *   excerpt's word), and a label must be in a tenth of the theme's
 *   excerpts (two at least).
 * - Candidates are the model's terms (lexicon phrases included) and
 *   two-word collocations: two terms next to each other in the text (no
 *   stopword between) at least LABELS_MIN_PAIR times, more often than
 *   chance by Dunning's log-likelihood ratio (G2 > 10.83, p < 0.001), in
 *   corpora of up to LABELS_PHRASE_MAX excerpts. A phrase chosen as a
 *   label replaces its two words.
 * - Conversational filler (dictionaries/filler/<language>.txt) is never
 *   a label, though it stays in the model; a phrase is dropped only when
 *   both its words are filler.
 * - The order: best z first, then each next label one that is said
 *   together (in one excerpt) with the labels before it, so that the ten
 *   words read as one theme rather than ten details (together_order).
 */
#include "labels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "csr.h"
#include "topk.h"

#define LABELS_MIN_PAIR 3
/* A label is in at least this share of the theme's excerpts (and two):
 * a word of two excerpts in forty is a detail of theirs, not the theme's
 * (and costs coherence: tests/bench/theme_labels.py). */
#define LABELS_MIN_SHARE 0.10
#define LABELS_G2 10.83
/* How hard the label order holds to words said together (together_order):
 * 8 took the demo's labels from NPMI -0.318 to -0.113 (scikit-learn's
 * centroid terms -0.109) and kept 20 Newsgroups at 0.366
 * (tests/bench/theme_labels.py); 2 gave -0.142 and 4 -0.140. */
#define LABELS_TOGETHER_POWER 8.0
/* Phrases are looked for in corpora of at most this many excerpts: it
 * takes a second pass of the analyser over every excerpt, which on a
 * corpus of a hundred thousand paragraphs would double the time of a
 * themes run; larger corpora are labelled with terms and lexicon phrases. */
#define LABELS_PHRASE_MAX 20000

double labels_log_odds_z(double y_i, double n_i, double y, double n,
                         double alpha0)
{
    double a, y_j, n_j, d, var;
    if (!(y > 0.0) || !(n > 0.0))
        return 0.0;
    a = alpha0 * y / n;
    y_j = y - y_i;
    n_j = n - n_i;
    d = log((y_i + a) / (n_i + alpha0 - y_i - a)) -
        log((y_j + a) / (n_j + alpha0 - y_j - a));
    var = 1.0 / (y_i + a) + 1.0 / (y_j + a);
    return d / sqrt(var);
}

int labels_filler_load(quarry_engine *e, quarry_model *m, const char *path,
                       unsigned char *filler, int64_t *marked)
{
    FILE *f = fopen(path, "rb");
    char line[256];
    long lineno = 0;
    int64_t *ids = NULL, n, cap = 0, i;
    int rc = QUARRY_OK;
    *marked = 0;
    if (f == NULL)
        return engine_fail(e, QUARRY_EIO, "%s: cannot open", path);
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strlen(line);
        lineno++;
        if (len > 200) {
            rc = engine_fail(e, QUARRY_EPARSE,
                             "%s:%ld: a filler line is one word, not %zu "
                             "bytes or more",
                             path, lineno, len);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                           line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        /* Through the model's own analyser, so "asked" marks the column
         * its stem has, as the excerpts' "asked" does. */
        n = 0;
        rc = analyzer_run(&m->an, line, len, &ids, &n, &cap);
        if (rc != 0) {
            rc = engine_fail(e, QUARRY_EPARSE, "%s:%ld: cannot analyse \"%s\"",
                             path, lineno, line);
            break;
        }
        for (i = 0; i < n; i++) {
            int64_t col;
            if (ids[i] < 0 || ids[i] >= m->fitted_terms ||
                (col = m->col_of_term[ids[i]]) < 0 || filler[col])
                continue;
            filler[col] = 1;
            (*marked)++;
        }
    }
    fclose(f);
    free(ids);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Pairs of adjacent columns: an open-addressing table keyed by the pair */

typedef struct pair_slot {
    uint64_t key; /* (a + 1) << 32 | (b + 1); 0 = empty */
    int32_t count;
    int32_t phrase; /* after the test: phrase id or -1 */
} pair_slot;

typedef struct pair_table {
    pair_slot *s;
    size_t cap, n;
} pair_table;

static uint64_t pair_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static pair_slot *pair_find(pair_table *t, uint64_t key, int add)
{
    size_t i;
    if (add && (t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024, j;
        pair_slot *s = calloc(cap, sizeof *s);
        if (s == NULL)
            return NULL;
        for (j = 0; j < t->cap; j++) {
            if (t->s[j].key == 0)
                continue;
            i = pair_hash(t->s[j].key) & (cap - 1);
            while (s[i].key != 0)
                i = (i + 1) & (cap - 1);
            s[i] = t->s[j];
        }
        free(t->s);
        t->s = s;
        t->cap = cap;
    }
    if (t->cap == 0)
        return NULL;
    i = pair_hash(key) & (t->cap - 1);
    while (t->s[i].key != 0 && t->s[i].key != key)
        i = (i + 1) & (t->cap - 1);
    if (t->s[i].key == 0) {
        if (!add)
            return NULL;
        t->s[i].key = key;
        t->s[i].phrase = -1;
        t->n++;
    }
    return &t->s[i];
}

/* The columns of excerpt text, -1 for a stopword or a term not in the
 * model, into cols[0..*n). */
static int columns_of(labeler *l, const quarry_excerpt *x, int64_t **ids,
                      int64_t *n, int64_t *cap)
{
    quarry_model *m = l->model;
    int64_t i;
    int rc;
    *n = 0;
    rc = analyzer_run_gaps(&m->an, x->text, x->text_len, ids, n, cap);
    if (rc != 0)
        return rc;
    for (i = 0; i < *n; i++) {
        int64_t t = (*ids)[i];
        (*ids)[i] = t >= 0 && t < m->fitted_terms ? m->col_of_term[t] : -1;
    }
    return QUARRY_OK;
}

/* 2 x sum k log(k / E) over a 2x2 table; 0 for an empty cell. */
static double g2_term(double k, double expect)
{
    return k > 0.0 && expect > 0.0 ? k * log(k / expect) : 0.0;
}

static int phrase_find(labeler *l, const quarry_corpus *c, pair_table *pt)
{
    size_t nd = quarry_corpus_size(c), d;
    int64_t *ids = NULL, n, cap = 0, i, cols = l->cols;
    double *first = calloc((size_t)(cols ? cols : 1), sizeof *first);
    double *second = calloc((size_t)(cols ? cols : 1), sizeof *second);
    double pairs = 0.0;
    size_t j;
    int rc = QUARRY_OK;
    if (first == NULL || second == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (d = 0; nd <= LABELS_PHRASE_MAX && d < nd; d++) {
        rc = columns_of(l, quarry_corpus_at(c, d), &ids, &n, &cap);
        if (rc != 0)
            goto out;
        for (i = 0; i + 1 < n; i++) {
            int64_t a = ids[i], b = ids[i + 1];
            pair_slot *s;
            if (a < 0 || b < 0 || a == b)
                continue;
            s = pair_find(pt, (uint64_t)(a + 1) << 32 | (uint64_t)(b + 1), 1);
            if (s == NULL) {
                rc = QUARRY_ENOMEM;
                goto out;
            }
            s->count++;
            first[a]++;
            second[b]++;
            pairs++;
        }
    }
    /* The test, in table order: phrase ids are then by table slot, and
     * the same corpus always gives the same ids. */
    for (j = 0; j < pt->cap; j++) {
        pair_slot *s = &pt->s[j];
        int64_t a, b;
        double k11, k12, k21, k22, r1, r2, c1, c2, g2;
        if (s->key == 0 || s->count < LABELS_MIN_PAIR)
            continue;
        a = (int64_t)(s->key >> 32) - 1;
        b = (int64_t)(s->key & 0xffffffffu) - 1;
        if (l->filler[a] && l->filler[b])
            continue;
        k11 = s->count;
        k12 = first[a] - k11;
        k21 = second[b] - k11;
        k22 = pairs - k11 - k12 - k21;
        r1 = k11 + k12;
        r2 = k21 + k22;
        c1 = k11 + k21;
        c2 = k12 + k22;
        if (k11 * pairs <= r1 * c1) /* no more often than chance */
            continue;
        g2 = 2.0 * (g2_term(k11, r1 * c1 / pairs) +
                    g2_term(k12, r1 * c2 / pairs) +
                    g2_term(k21, r2 * c1 / pairs) +
                    g2_term(k22, r2 * c2 / pairs));
        if (g2 <= LABELS_G2)
            continue;
        s->phrase = (int32_t)l->n_phrases++;
    }
    l->ph_a = malloc((size_t)(l->n_phrases + 1) * sizeof *l->ph_a);
    l->ph_b = malloc((size_t)(l->n_phrases + 1) * sizeof *l->ph_b);
    l->ph_text = calloc((size_t)l->n_phrases + 1, sizeof *l->ph_text);
    if (!l->ph_a || !l->ph_b || !l->ph_text) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (j = 0; j < pt->cap; j++) {
        pair_slot *s = &pt->s[j];
        int64_t a, b, p;
        const char *ta, *tb;
        size_t la, lb;
        if (s->key == 0 || s->phrase < 0)
            continue;
        p = s->phrase;
        a = (int64_t)(s->key >> 32) - 1;
        b = (int64_t)(s->key & 0xffffffffu) - 1;
        ta = quarry_model_term(l->model, a);
        tb = quarry_model_term(l->model, b);
        la = strlen(ta);
        lb = strlen(tb);
        l->ph_a[p] = a;
        l->ph_b[p] = b;
        l->ph_text[p] = malloc(la + lb + 2);
        if (l->ph_text[p] == NULL) {
            rc = QUARRY_ENOMEM;
            goto out;
        }
        memcpy(l->ph_text[p], ta, la);
        l->ph_text[p][la] = ' ';
        memcpy(l->ph_text[p] + la + 1, tb, lb + 1);
    }
out:
    free(ids);
    free(first);
    free(second);
    return rc;
}

/* Each excerpt's phrases, each once, into doc_ptr / doc_ph. */
static int phrase_docs(labeler *l, const quarry_corpus *c, pair_table *pt)
{
    size_t nd = quarry_corpus_size(c), d;
    int64_t *ids = NULL, n, cap = 0, i, used = 0, room = 1024;
    int rc = QUARRY_OK;
    l->doc_ptr = calloc(nd + 1, sizeof *l->doc_ptr);
    l->doc_ph = malloc((size_t)room * sizeof *l->doc_ph);
    if (l->doc_ptr == NULL || l->doc_ph == NULL)
        return QUARRY_ENOMEM;
    for (d = 0; l->n_phrases > 0 && d < nd; d++) {
        int64_t from = used;
        rc = columns_of(l, quarry_corpus_at(c, d), &ids, &n, &cap);
        if (rc != 0)
            break;
        for (i = 0; i + 1 < n; i++) {
            int64_t a = ids[i], b = ids[i + 1], q;
            pair_slot *s;
            int dup = 0;
            if (a < 0 || b < 0)
                continue;
            s = pair_find(pt, (uint64_t)(a + 1) << 32 | (uint64_t)(b + 1), 0);
            if (s == NULL || s->phrase < 0)
                continue;
            for (q = from; q < used && !dup; q++)
                dup = l->doc_ph[q] == s->phrase;
            if (dup)
                continue;
            if (used == room) {
                int32_t *g = realloc(l->doc_ph, (size_t)room * 2 * sizeof *g);
                if (g == NULL) {
                    rc = QUARRY_ENOMEM;
                    goto out;
                }
                l->doc_ph = g;
                room *= 2;
            }
            l->doc_ph[used++] = s->phrase;
            l->bg[l->cols + s->phrase] += 1.0;
            l->bg_total += 1.0;
        }
        l->doc_ptr[d + 1] = used;
    }
out:
    free(ids);
    return rc;
}

int labeler_init(labeler *l, quarry_engine *e, quarry_model *m,
                 const quarry_corpus *c, const char *language)
{
    char name[64], path[4096];
    const quarry_csr *raw = m->fit_counts;
    pair_table pt = {NULL, 0, 0};
    int64_t i, p;
    int rc;

    memset(l, 0, sizeof *l);
    l->engine = e;
    l->model = m;
    l->cols = m->n_terms;
    l->filler = calloc((size_t)(l->cols ? l->cols : 1), 1);
    if (l->filler == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    snprintf(name, sizeof name, "filler/%s.txt",
             analyzer_lang_code(language));
    rc = quarry_engine_find_dictionary(e, name, path, sizeof path);
    if (rc == QUARRY_OK) {
        rc = labels_filler_load(e, m, path, l->filler, &l->n_filler);
        if (rc != 0)
            return rc;
    } else if (rc == QUARRY_ENOTFOUND) {
        engine_log(e, QUARRY_LOG_DEBUG,
                   "themes: no filler list %s; labels keep every term", name);
    } else {
        return rc;
    }

    rc = phrase_find(l, c, &pt);
    if (rc == 0) {
        l->bg = calloc((size_t)(l->cols + l->n_phrases + 1), sizeof *l->bg);
        rc = l->bg == NULL ? QUARRY_ENOMEM : QUARRY_OK;
    }
    if (rc == 0) {
        for (i = 0; i < raw->rows; i++)
            for (p = raw->row_ptr[i]; p < raw->row_ptr[i + 1]; p++)
                if (raw->values[p] > 0.0f) {
                    l->bg[raw->col_idx[p]] += 1.0;
                    l->bg_total += 1.0;
                }
        rc = phrase_docs(l, c, &pt);
    }
    free(pt.s);
    if (rc == QUARRY_ENOMEM)
        return engine_fail(e, rc, "out of memory");
    return rc;
}

void labeler_free(labeler *l)
{
    int64_t p;
    if (l == NULL)
        return;
    for (p = 0; p < l->n_phrases && l->ph_text != NULL; p++)
        free(l->ph_text[p]);
    free(l->ph_text);
    free(l->ph_a);
    free(l->ph_b);
    free(l->doc_ptr);
    free(l->doc_ph);
    free(l->bg);
    free(l->filler);
    memset(l, 0, sizeof *l);
}

/* Reorder the candidates sel (best z first) so that the label reads as
 * one theme: after the best, each next is the candidate with the most
 * z * f^LABELS_TOGETHER_POWER, f the share of the labels already chosen
 * that it is said together with (in one excerpt) somewhere in the corpus.
 * A word that never shares an excerpt with the others is a detail of a
 * few excerpts, however distinctive, and goes last. One pass over the
 * corpus' rows per theme, with only the candidates looked at. */
static int together_order(labeler *l, topk *sel)
{
    const quarry_csr *raw = l->model->fit_counts;
    int32_t P = sel->n, a, b, q, got;
    int64_t nc = l->cols + l->n_phrases, i, p;
    size_t room = (size_t)(P ? P : 1);
    int32_t *slot = malloc((size_t)(nc ? nc : 1) * sizeof *slot);
    unsigned char *pair = calloc(room * room, 1);
    unsigned char *here = calloc(room, 1);
    unsigned char *done = calloc(room, 1);
    int32_t *chosen = malloc(room * sizeof *chosen);
    topk_item *order = malloc(room * sizeof *order);
    int32_t *list = malloc(room * sizeof *list);
    int rc = QUARRY_OK;

    if (!slot || !pair || !here || !done || !chosen || !order || !list) {
        rc = engine_fail(l->engine, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < nc; i++)
        slot[i] = -1;
    for (a = 0; a < P; a++)
        slot[sel->items[a].id] = a;
    for (i = 0; i < raw->rows; i++) {
        int32_t m = 0;
        for (p = raw->row_ptr[i]; p < raw->row_ptr[i + 1]; p++) {
            int32_t s = slot[raw->col_idx[p]];
            if (s >= 0 && raw->values[p] > 0.0f && !here[s]) {
                here[s] = 1;
                list[m++] = s;
            }
        }
        for (p = l->doc_ptr[i]; p < l->doc_ptr[i + 1]; p++) {
            int32_t s = slot[l->cols + l->doc_ph[p]];
            if (s >= 0 && !here[s]) {
                here[s] = 1;
                list[m++] = s;
            }
        }
        for (a = 0; a < m; a++) {
            here[list[a]] = 0;
            for (b = 0; b < m; b++)
                pair[(size_t)list[a] * room + (size_t)list[b]] = 1;
        }
    }
    for (got = 0; got < P; got++) {
        double best_score = -1.0;
        int32_t best = -1;
        for (a = 0; a < P; a++) {
            double f = 0.0, score;
            if (done[a])
                continue;
            for (q = 0; q < got; q++)
                f += pair[(size_t)a * room + (size_t)chosen[q]];
            score = sel->items[a].score;
            if (got > 0)
                score *= pow(f / (double)got, LABELS_TOGETHER_POWER);
            if (score > best_score) { /* ties keep the better z */
                best_score = score;
                best = a;
            }
        }
        done[best] = 1;
        chosen[got] = best;
        order[got] = sel->items[best];
    }
    if (P > 0)
        memcpy(sel->items, order, (size_t)P * sizeof *order);
out:
    free(slot);
    free(pair);
    free(here);
    free(done);
    free(chosen);
    free(order);
    free(list);
    return rc;
}

int labeler_pick(labeler *l, const int64_t *members, int64_t size,
                 int32_t nt, char **terms, float *weights, int32_t *n)
{
    const quarry_csr *raw = l->model->fit_counts;
    int64_t nc = l->cols + l->n_phrases, i, p, *picked;
    float *pscore = malloc(((size_t)nt + 1) * sizeof *pscore);
    double *y = calloc((size_t)(nc ? nc : 1), sizeof *y), total = 0.0;
    double min_support = size > 1 ? 2.0 : 1.0; /* and LABELS_MIN_SHARE */
    int32_t room_k = 3 * nt + 2, got = 0, j, q;
    topk_item *room = malloc((size_t)room_k * sizeof *room);
    topk sel;
    int rc = QUARRY_OK;

    picked = malloc(((size_t)nt + 1) * sizeof *picked);
    *n = 0;
    if (y == NULL || room == NULL || picked == NULL || pscore == NULL) {
        rc = engine_fail(l->engine, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < size; i++) {
        int64_t d = members[i];
        for (p = raw->row_ptr[d]; p < raw->row_ptr[d + 1]; p++)
            if (raw->values[p] > 0.0f) {
                y[raw->col_idx[p]] += 1.0;
                total += 1.0;
            }
        for (p = l->doc_ptr[d]; p < l->doc_ptr[d + 1]; p++) {
            y[l->cols + l->doc_ph[p]] += 1.0;
            total += 1.0;
        }
    }
    topk_init(&sel, room, room_k);
    for (i = 0; i < nc; i++) {
        double z;
        if (y[i] < min_support || y[i] < LABELS_MIN_SHARE * (double)size || (i < l->cols && l->filler[i]))
            continue;
        z = labels_log_odds_z(y[i], total, l->bg[i], l->bg_total,
                              LABELS_PRIOR_SCALE * l->bg_total);
        if (z > 0.0)
            topk_push(&sel, (float)z, i);
    }
    topk_sort(&sel);
    rc = together_order(l, &sel);
    if (rc != 0)
        goto out;
    /* In that order; a phrase takes the place of its words (where the
     * first of them stood), even once the label is full. */
    for (i = 0; i < sel.n; i++) {
        int64_t id = sel.items[i].id;
        int skip = 0;
        if (id < l->cols) {
            for (q = 0; q < got && !skip; q++)
                skip = picked[q] >= l->cols &&
                       (l->ph_a[picked[q] - l->cols] == id ||
                        l->ph_b[picked[q] - l->cols] == id);
            if (skip || got >= nt)
                continue;
            picked[got] = id;
            pscore[got] = sel.items[i].score;
            got++;
        } else {
            int64_t a = l->ph_a[id - l->cols], b = l->ph_b[id - l->cols];
            int32_t at = -1;
            for (q = j = 0; q < got; q++) {
                if (picked[q] == a || picked[q] == b) {
                    if (at < 0) {
                        at = j;
                        picked[j] = id;
                        pscore[j] = sel.items[i].score;
                        j++;
                    }
                    continue;
                }
                picked[j] = picked[q];
                pscore[j] = pscore[q];
                j++;
            }
            got = j;
            if (at < 0 && got < nt) {
                picked[got] = id;
                pscore[got] = sel.items[i].score;
                got++;
            }
        }
    }
    for (q = 0; q < got; q++) {
        int64_t id = picked[q];
        terms[q] = strdup(id < l->cols ? quarry_model_term(l->model, id)
                                       : l->ph_text[id - l->cols]);
        if (terms[q] == NULL) {
            rc = engine_fail(l->engine, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        if (weights != NULL)
            weights[q] = pscore[q];
        *n = q + 1;
    }
out:
    free(y);
    free(room);
    free(picked);
    free(pscore);
    return rc;
}
