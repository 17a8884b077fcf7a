/*
 * labels.c -- the terms that label a theme. A theme's label should name
 * what its excerpts talk about that the rest do not, in words a researcher
 * reads as a theme:
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
 * - Nor is a term with no content word as a reader reads it
 *   (labels_term_class): a tokenizer that keeps case and punctuation
 *   makes "At", "The" and "too," terms the stopword list does not catch,
 *   one that keeps numbers or single letters "2021" and "s"; such a term
 *   is no label and no word of a phrase. Labels are shown without the
 *   marks at their ends and without a sentence's capital
 *   (labels_display), and two that then read the same are one.
 * - The ten are chosen together, from the best candidates by z, for z
 *   and for being said in the same excerpts as each other (NPMI over the
 *   corpus' excerpts), so that they read as one theme rather than ten
 *   details (choose_together); then shown best z first.
 * - Each label is shown in the form the theme's own excerpts say it
 *   ("nights" where the corpus at large says "night"), not the stem's
 *   most frequent form over the corpus (theme_forms).
 */
#include "labels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "csr.h"
#include "topk.h"
#include "utf8.h"

#define LABELS_MIN_PAIR 3
/* A label is in at least this share of the theme's excerpts (and two):
 * a word of two excerpts in forty is a detail of theirs, not the theme's
 * (and costs coherence: tests/bench/theme_labels.py). */
#define LABELS_MIN_SHARE 0.10
#define LABELS_G2 10.83
/* How hard the labels hold to words said together (choose_together):
 * a label's z counts times ((1 + its mean NPMI with the others) / 2) to
 * this power. tests/bench/theme_labels.py, demo k=12 and 20 Newsgroups
 * k=20, NPMI / exclusivity: 4 gave -0.135 / 0.472 and 0.380 / 0.453; 6
 * -0.109 / 0.452 and 0.384 / 0.454; 8 -0.085 / 0.443 and 0.384 / 0.453;
 * 12 -0.078 / 0.421 and 0.385 / 0.449; 16 -0.077 / 0.425 and 0.385 /
 * 0.447. 8 is where most of the coherence has come and exclusivity has
 * not yet gone (scikit-learn's centroid terms: -0.109 / 0.358, 0.321 /
 * 0.401). Before (one pass from the best z, "ever said together" as the
 * only tie, the corpus' forms): -0.186 / 0.411 and 0.366 / 0.446. */
#define LABELS_TOGETHER_POWER 8.0
/* Phrases are looked for in corpora of at most this many excerpts: it
 * takes a pass of the analyser over every excerpt (kept as form ids for
 * the phrases, the excerpts' phrases and the labels' forms), which on a
 * corpus of a hundred thousand paragraphs would add much to the time and
 * memory of a themes run; larger corpora are labelled with terms and
 * lexicon phrases, in the corpus' forms. */
#define LABELS_PHRASE_MAX 20000
/* The distinct forms of one label counted in a theme (theme_forms): a
 * stem rarely has more ("walk", "walks", "walked", "walking"). */
#define LABELS_FORMS 8
/* choose_together starts a set from at most this many candidates (the
 * default ten labels: each of them). With --top-terms 1000 a start per
 * label made a theme's labels cost a thousand passes; the sets that win
 * start from one of the few best z. */
#define LABELS_STARTS 10

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

static int is_word_point(int32_t cp)
{
    return quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp) ||
           quarry_utf8_is_mark(cp);
}

int labels_word_class(const strtab *list, const char *s, size_t n)
{
    char buf[256];
    size_t i = 0, start = n, end = 0, at = 0;
    int letters = 0, points = 0;
    /* The word's first and last letter, digit or mark: what lies outside
     * is punctuation the tokenizer kept ("year.", "“drop-in”"). */
    while (i < n) {
        int32_t cp;
        size_t k = quarry_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            k = 1, cp = -1;
        if (cp >= 0 && is_word_point(cp)) {
            if (start == n)
                start = i;
            end = i + k;
        }
        i += k;
    }
    for (i = start; i < end;) {
        int32_t cp;
        size_t k = quarry_utf8_decode(s + i, end - i, &cp);
        char enc[4];
        size_t e;
        if (k == 0)
            k = 1, cp = 0xFFFD;
        i += k;
        points++;
        letters += quarry_utf8_is_letter(cp);
        cp = cp == 0x2019 ? '\'' : quarry_utf8_tolower(cp);
        e = quarry_utf8_encode(cp, enc);
        if (at + e < sizeof buf) {
            memcpy(buf + at, enc, e);
            at += e;
        } else
            at = sizeof buf; /* too long for any list's word */
    }
    if (letters == 0 || points == 1)
        return LABELS_NOISE;
    if (list != NULL && at < sizeof buf && strtab_find(list, buf, at) >= 0)
        return LABELS_FUNCTION;
    return LABELS_CONTENT;
}

int labels_term_class(const strtab *list, const char *term)
{
    int best = LABELS_NOISE;
    while (*term != '\0') {
        size_t n = strcspn(term, " ");
        int c = n > 0 ? labels_word_class(list, term, n) : LABELS_NOISE;
        if (c < best)
            best = c;
        term += n;
        term += *term == ' ';
    }
    return best;
}

char *labels_display(const char *term)
{
    size_t n = strlen(term), at = 0;
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    while (*term != '\0') {
        size_t w = strcspn(term, " "), i = 0, start = w, end = 0;
        int caps = 0, first_cap = 0, points = 0;
        while (i < w) {
            int32_t cp;
            size_t k = quarry_utf8_decode(term + i, w - i, &cp);
            if (k == 0)
                k = 1, cp = -1;
            if (cp >= 0 && is_word_point(cp)) {
                if (start == w)
                    start = i, first_cap = quarry_utf8_is_upper(cp);
                end = i + k;
                caps += quarry_utf8_is_upper(cp);
            }
            i += k;
        }
        if (start < end) {
            if (at > 0)
                out[at++] = ' ';
            for (i = start; i < end;) {
                int32_t cp;
                size_t k = quarry_utf8_decode(term + i, end - i, &cp);
                char enc[4];
                size_t e;
                if (k == 0) { /* not UTF-8: the byte as it is */
                    out[at++] = term[i++];
                    continue;
                }
                /* A capital that only starts the word is a sentence's
                 * start ("Thanks"); "NHS" keeps its capitals. */
                if (points++ == 0 && first_cap && caps == 1) {
                    e = quarry_utf8_encode(quarry_utf8_tolower(cp), enc);
                    if (e <= k) {
                        memcpy(out + at, enc, e);
                        at += e;
                        i += k;
                        continue;
                    }
                }
                memcpy(out + at, term + i, k);
                at += k;
                i += k;
            }
        }
        term += w;
        term += *term == ' ';
    }
    out[at] = '\0';
    return out;
}

int labels_filler_load(quarry_engine *e, quarry_model *m, const char *path,
                       unsigned char *filler, int64_t *marked, strtab *words,
                       int hedges_only)
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
        if (hedges_only && strncmp(line, LABELS_ONLY_MARK,
                                   strlen(LABELS_ONLY_MARK)) == 0)
            break;
        if (len == 0 || line[0] == '#')
            continue;
        if (words != NULL && strtab_intern(words, line, len, NULL) < 0) {
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            break;
        }
        if (filler == NULL)
            continue; /* the words only */
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

/* The column of a form of the model's analyser, -1 for a stopword or a
 * term not in the model. */
static int64_t col_of_form(const labeler *l, int32_t f)
{
    const quarry_model *m = l->model;
    int64_t t = m->an.form[f].term;
    return t >= 0 && t < m->fitted_terms ? m->col_of_term[t] : -1;
}

/* Every excerpt's tokens as form ids, into tok_ptr / tok_form: phrase
 * finding, each excerpt's phrases and the forms a theme says its labels in
 * all read them from there, so the analyser runs once. */
static int forms_read(labeler *l, const quarry_corpus *c)
{
    size_t nd = quarry_corpus_size(c), d;
    int64_t *f = NULL, n, cap = 0, i, used = 0, room = 1024;
    int rc = QUARRY_OK;
    l->tok_ptr = calloc(nd + 1, sizeof *l->tok_ptr);
    l->tok_form = malloc((size_t)room * sizeof *l->tok_form);
    if (l->tok_ptr == NULL || l->tok_form == NULL)
        return QUARRY_ENOMEM;
    for (d = 0; d < nd; d++) {
        const quarry_excerpt *x = quarry_corpus_at(c, d);
        n = 0;
        rc = analyzer_run_forms(&l->model->an, x->text, x->text_len, &f, &n,
                                &cap);
        if (rc != 0)
            break;
        if (used + n > room) {
            int32_t *g;
            while (used + n > room)
                room *= 2;
            g = realloc(l->tok_form, (size_t)room * sizeof *g);
            if (g == NULL) {
                rc = QUARRY_ENOMEM;
                break;
            }
            l->tok_form = g;
        }
        for (i = 0; i < n; i++)
            l->tok_form[used++] = (int32_t)f[i];
        l->tok_ptr[d + 1] = used;
    }
    free(f);
    return rc;
}

/* 2 x sum k log(k / E) over a 2x2 table; 0 for an empty cell. */
static double g2_term(double k, double expect)
{
    return k > 0.0 && expect > 0.0 ? k * log(k / expect) : 0.0;
}

int labels_reader_stopwords(quarry_engine *e, const analyzer *an,
                            const char *language, analyzer *out,
                            const strtab **list)
{
    char name[64], path[4096];
    int rc;
    memset(out, 0, sizeof *out);
    *list = &an->stopwords;
    if (an->stopwords.n > 0 || an->tokenizer == NULL)
        return QUARRY_OK;
    /* The run keeps every word (--stopwords none, or no list found: it
     * said so): what a reader calls a function word is still the
     * language's list, read through the run's own tokenizer. */
    snprintf(name, sizeof name, "stopwords/%s.txt",
             analyzer_lang_code(language));
    rc = quarry_engine_find_dictionary(e, name, path, sizeof path);
    if (rc == QUARRY_ENOTFOUND)
        return QUARRY_OK;
    if (rc == QUARRY_OK)
        rc = analyzer_init(out, e,
                           quarry_instance_plugin(an->tokenizer)->name,
                           "none", language, path, "none");
    if (rc != QUARRY_OK) {
        analyzer_free(out);
        return rc;
    }
    *list = &out->stopwords;
    return QUARRY_OK;
}

double labels_g2_over(double y_i, double n_i, double y, double n)
{
    double k11 = y_i, k12 = n_i - y_i, k21 = y - y_i, k22 = n - n_i - k21;
    if (!(n_i > 0.0) || !(n > n_i) || !(y_i > 0.0) ||
        y_i * n <= y * n_i) /* no more often in the group */
        return 0.0;
    return 2.0 * (g2_term(k11, n_i * y / n) + g2_term(k12, n_i * (n - y) / n) +
                  g2_term(k21, (n - n_i) * y / n) +
                  g2_term(k22, (n - n_i) * (n - y) / n));
}

static int phrase_find(labeler *l, pair_table *pt)
{
    size_t nd = l->n_docs, d;
    int64_t i, cols = l->cols;
    double *first = calloc((size_t)(cols ? cols : 1), sizeof *first);
    double *second = calloc((size_t)(cols ? cols : 1), sizeof *second);
    double pairs = 0.0;
    size_t j;
    int rc = QUARRY_OK;
    if (first == NULL || second == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (d = 0; l->tok_form != NULL && d < nd; d++) {
        for (i = l->tok_ptr[d]; i + 1 < l->tok_ptr[d + 1]; i++) {
            int64_t a = col_of_form(l, l->tok_form[i]),
                    b = col_of_form(l, l->tok_form[i + 1]);
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
        if (l->quiet[a] || l->quiet[b] || (l->filler[a] && l->filler[b]))
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
    free(first);
    free(second);
    return rc;
}

/* Each excerpt's phrases, each once, into doc_ptr / doc_ph. */
static int phrase_docs(labeler *l, pair_table *pt)
{
    size_t nd = l->n_docs, d;
    int64_t i, used = 0, room = 1024;
    int rc = QUARRY_OK;
    l->doc_ptr = calloc(nd + 1, sizeof *l->doc_ptr);
    l->doc_ph = malloc((size_t)room * sizeof *l->doc_ph);
    if (l->doc_ptr == NULL || l->doc_ph == NULL)
        return QUARRY_ENOMEM;
    for (d = 0; l->n_phrases > 0 && d < nd; d++) {
        int64_t from = used;
        for (i = l->tok_ptr[d]; i + 1 < l->tok_ptr[d + 1]; i++) {
            int64_t a = col_of_form(l, l->tok_form[i]),
                    b = col_of_form(l, l->tok_form[i + 1]), q;
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
    return rc;
}

int labeler_init(labeler *l, quarry_engine *e, quarry_model *m,
                 const quarry_corpus *c, const char *language)
{
    char name[64], path[4096];
    const quarry_csr *raw = m->fit_counts;
    pair_table pt = {NULL, 0, 0};
    strtab words; /* the filler list's words, lower case */
    int64_t i, p;
    int rc;

    memset(l, 0, sizeof *l);
    l->engine = e;
    l->model = m;
    l->cols = m->n_terms;
    strtab_init(&words);
    l->filler = calloc((size_t)(l->cols ? l->cols : 1), 1);
    l->quiet = calloc((size_t)(l->cols ? l->cols : 1), 1);
    if (l->filler == NULL || l->quiet == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    snprintf(name, sizeof name, "filler/%s.txt",
             analyzer_lang_code(language));
    rc = quarry_engine_find_dictionary(e, name, path, sizeof path);
    if (rc == QUARRY_OK) {
        rc = labels_filler_load(e, m, path, l->filler, &l->n_filler, &words,
                                0);
    } else if (rc == QUARRY_ENOTFOUND) {
        engine_log(e, QUARRY_LOG_DEBUG,
                   "themes: no filler list %s; labels keep every term", name);
        rc = QUARRY_OK;
    }
    if (rc == QUARRY_OK)
        rc = labels_reader_stopwords(e, &m->an, language, &l->reader,
                                     &l->reader_list);
    /* A column with no content word, as a reader reads it: a tokenizer
     * that keeps case and punctuation makes "At", "The" and "too," terms
     * of their own that the stopword list (lower case, no marks) does not
     * catch, and one that keeps numbers or single letters "2021" and "s";
     * none is a label, nor a word of a phrase. A column whose words are
     * all filler so read ("Yeah,") is filler. */
    for (i = 0; rc == QUARRY_OK && i < l->cols; i++) {
        const char *term = quarry_model_term(m, i);
        unsigned char was = l->filler[i];
        if (labels_term_class(l->reader_list, term) != LABELS_CONTENT)
            l->quiet[i] = l->filler[i] = 1;
        else if (words.n > 0 &&
                 labels_term_class(&words, term) != LABELS_CONTENT)
            l->filler[i] = 1;
        l->n_filler += !was && l->filler[i];
    }
    strtab_free(&words);
    if (rc != QUARRY_OK)
        return rc;

    l->n_docs = quarry_corpus_size(c);
    l->slot = malloc((size_t)(l->cols ? l->cols : 1) * sizeof *l->slot);
    if (l->slot == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    for (i = 0; i < l->cols; i++)
        l->slot[i] = -1;
    rc = l->n_docs <= LABELS_PHRASE_MAX ? forms_read(l, c) : QUARRY_OK;
    if (rc == 0)
        rc = phrase_find(l, &pt);
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
        rc = phrase_docs(l, &pt);
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
    free(l->tok_ptr);
    free(l->tok_form);
    free(l->slot);
    free(l->bg);
    free(l->filler);
    free(l->quiet);
    analyzer_free(&l->reader);
    memset(l, 0, sizeof *l);
}

/* How often each two of the candidates sel are said in one excerpt: co[a *
 * P + b] excerpts hold both (co[a * P + a]: those that hold a), over the
 * corpus' rows, phrases by their own excerpts. One pass over the rows
 * with only the candidates looked at. */
static int candidate_codocs(labeler *l, const topk *sel, int32_t *co)
{
    const quarry_csr *raw = l->model->fit_counts;
    int32_t P = sel->n, a, b;
    int64_t nc = l->cols + l->n_phrases, i, p;
    size_t room = (size_t)(P ? P : 1);
    int32_t *slot = malloc((size_t)(nc ? nc : 1) * sizeof *slot);
    unsigned char *here = calloc(room, 1);
    int32_t *list = malloc(room * sizeof *list);
    int rc = QUARRY_OK;

    if (!slot || !here || !list) {
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
                co[(size_t)list[a] * room + (size_t)list[b]]++;
        }
    }
out:
    free(slot);
    free(here);
    free(list);
    return rc;
}

double labels_npmi(double n_ab, double n_a, double n_b, double n)
{
    double p_ab;
    if (!(n_ab > 0.0) || !(n_a > 0.0) || !(n_b > 0.0) || !(n > 0.0))
        return -1.0;
    p_ab = n_ab / n;
    if (p_ab >= 1.0)
        return 1.0;
    return log(p_ab * n * n / (n_a * n_b)) / -log(p_ab);
}

/* Is candidate a (a column) one of the two words of candidate b (a
 * phrase)? */
static int word_of(const labeler *l, int64_t a, int64_t b)
{
    return b >= l->cols && a < l->cols &&
           (l->ph_a[b - l->cols] == a || l->ph_b[b - l->cols] == a);
}

/* What each candidate has with the labels chosen so far (greedy_from):
 * the sum of its NPMI with them and how many, and how many of them it is
 * a word of (blocked) or a phrase of (replaces). Kept up to date as labels
 * are added, so a step of the pass costs one look at each candidate, not
 * one per candidate per label (with --top-terms 1000 that was a thousand
 * times the work). */
typedef struct together_acc {
    double *sum;
    int32_t *pairs, *blocked, *replaces;
} together_acc;

static void acc_add(together_acc *acc, const double *npmi,
                    const unsigned char *rel, int32_t P, int32_t x)
{
    size_t room = (size_t)P;
    int32_t a;
    for (a = 0; a < P; a++) {
        unsigned char r = rel[(size_t)a * room + (size_t)x];
        if (r == 1)
            acc->blocked[a]++;
        else if (r == 2)
            acc->replaces[a]++;
        else {
            acc->sum[a] += npmi[(size_t)a * room + (size_t)x];
            acc->pairs[a]++;
        }
    }
}

/* From scratch, in the order of chosen[] (the order the sums were always
 * taken in, so the figures do not move by a rounding). */
static void acc_reset(together_acc *acc, const double *npmi,
                      const unsigned char *rel, int32_t P,
                      const int32_t *chosen, int32_t n)
{
    int32_t q;
    memset(acc->sum, 0, (size_t)P * sizeof *acc->sum);
    memset(acc->pairs, 0, (size_t)P * sizeof *acc->pairs);
    memset(acc->blocked, 0, (size_t)P * sizeof *acc->blocked);
    memset(acc->replaces, 0, (size_t)P * sizeof *acc->replaces);
    for (q = 0; q < n; q++)
        acc_add(acc, npmi, rel, P, chosen[q]);
}

/* One greedy pass of choose_together from the candidate `first`: into
 * chosen[0..*n); returns the set's worth (see there). npmi is the P x P
 * table of the candidates' NPMI, rel[a * P + b] 1 when a is a word of
 * phrase b, 2 when b is a word of phrase a. */
static double greedy_from(const topk *sel, const double *npmi,
                          const unsigned char *rel, int32_t first, int32_t nt,
                          unsigned char *done, together_acc *acc,
                          int32_t *chosen, int32_t *n_out)
{
    int32_t P = sel->n, a, q, j, n = 0;
    size_t room = (size_t)P;
    double worth = 0.0;

    memset(done, 0, room);
    acc_reset(acc, npmi, rel, P, chosen, 0);
    for (;;) {
        double best_score = -1.0;
        int32_t best = -1, at = -1;
        for (a = 0; a < P; a++) {
            double score = sel->items[a].score;
            if (done[a])
                continue;
            if (n == 0 && a != first)
                continue;
            if (acc->blocked[a] > 0 || (n >= nt && acc->replaces[a] == 0))
                continue;
            if (acc->pairs[a] > 0)
                score *= pow((1.0 + acc->sum[a] / acc->pairs[a]) / 2.0,
                             LABELS_TOGETHER_POWER);
            if (score > best_score) { /* ties keep the better z */
                best_score = score;
                best = a;
            }
        }
        if (best < 0)
            break;
        done[best] = 1;
        /* A phrase: into the place of the first of its words, the other
         * dropped. */
        for (q = j = 0; q < n; q++) {
            if (rel[(size_t)chosen[q] * room + (size_t)best] == 1) {
                if (at < 0)
                    chosen[at = j++] = best;
                continue;
            }
            chosen[j++] = chosen[q];
        }
        n = j;
        if (at < 0) {
            chosen[n++] = best;
            acc_add(acc, npmi, rel, P, best);
        } else
            acc_reset(acc, npmi, rel, P, chosen, n);
    }
    for (a = 0; a < n; a++) {
        double sum = 0.0, w = sel->items[chosen[a]].score;
        for (q = 0; q < n; q++)
            if (q != a)
                sum += npmi[(size_t)chosen[a] * room + (size_t)chosen[q]];
        w *= n > 1 ? pow((1.0 + sum / (n - 1)) / 2.0, LABELS_TOGETHER_POWER)
                   : 0.0;
        worth += w;
    }
    *n_out = n;
    return worth;
}

/* Choose up to nt labels of the candidates sel (best z first) together, so
 * that the ten words read as one theme rather than ten details. A set's
 * worth is the sum of its labels' z * ((1 + c) / 2)^LABELS_TOGETHER_POWER,
 * c a label's mean NPMI with the others (by excerpts of the whole corpus,
 * -1 for two never said in one excerpt; a set of one word shows no
 * coherence and is worth 0, so it is kept only when no set is worth more). A word that never shares an
 * excerpt with the others is a detail of a few excerpts, however
 * distinctive, and comes last or not at all; a word said everywhere (NPMI
 * near 0 with all) yields to one said with these words in particular.
 * The set is built greedily (each next label the candidate with the most
 * z * ((1 + c) / 2)^LABELS_TOGETHER_POWER, c over the labels so far)
 * from each of the nt best candidates (at most LABELS_STARTS) as the
 * first (the words the label
 * would have by z alone), and the worthiest kept:
 * started from the single best z, the label followed that word even when
 * it was a detail of three excerpts ("sunday nights", then "monday",
 * "drive home" ...). A phrase chosen takes the place of its words, and a
 * word of a phrase already chosen is not chosen again; a phrase's NPMI
 * leaves out its own words. picked[] / pscore[] get the ids and z-scores,
 * best z first; *got how many. */
static int choose_together(labeler *l, const topk *sel, int32_t nt,
                           int64_t *picked, float *pscore, int32_t *got)
{
    int32_t P = sel->n, a, b, q, n = 0, best_n = 0;
    size_t room = (size_t)(P ? P : 1);
    int32_t *co = calloc(room * room, sizeof *co);
    double *npmi = malloc(room * room * sizeof *npmi);
    unsigned char *rel = calloc(room * room, 1);
    int32_t *chosen = malloc(room * sizeof *chosen);
    int32_t *best_set = malloc(room * sizeof *best_set);
    unsigned char *done = calloc(room, 1);
    together_acc acc;
    double rows = (double)l->model->fit_counts->rows, best_worth = -1.0;
    int rc;

    acc.sum = malloc(room * sizeof *acc.sum);
    acc.pairs = malloc(room * sizeof *acc.pairs);
    acc.blocked = malloc(room * sizeof *acc.blocked);
    acc.replaces = malloc(room * sizeof *acc.replaces);
    *got = 0;
    if (!co || !npmi || !rel || !chosen || !best_set || !done || !acc.sum ||
        !acc.pairs || !acc.blocked || !acc.replaces) {
        rc = engine_fail(l->engine, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    rc = candidate_codocs(l, sel, co);
    if (rc != 0)
        goto out;
    for (a = 0; a < P; a++)
        for (b = 0; b < P; b++) {
            size_t ab = (size_t)a * room + (size_t)b;
            npmi[ab] = labels_npmi(co[ab], co[(size_t)a * room + (size_t)a],
                                   co[(size_t)b * room + (size_t)b], rows);
            if (word_of(l, sel->items[a].id, sel->items[b].id))
                rel[ab] = 1;
            else if (word_of(l, sel->items[b].id, sel->items[a].id))
                rel[ab] = 2;
        }
    for (a = 0; a < P && a < nt && a < LABELS_STARTS; a++) {
        double worth =
            greedy_from(sel, npmi, rel, a, nt, done, &acc, chosen, &n);
        if (worth > best_worth) { /* ties keep the better first z */
            best_worth = worth;
            best_n = n;
            memcpy(best_set, chosen, (size_t)n * sizeof *chosen);
        }
    }
    /* Best z first (the candidates' order): the first word a researcher
     * reads is the one that most sets the theme apart. */
    memset(done, 0, room);
    for (q = 0; q < best_n; q++)
        done[best_set[q]] = 1;
    for (a = 0, q = 0; a < P; a++)
        if (done[a]) {
            picked[q] = sel->items[a].id;
            pscore[q] = sel->items[a].score;
            q++;
        }
    *got = best_n;
out:
    free(co);
    free(npmi);
    free(rel);
    free(chosen);
    free(best_set);
    free(done);
    free(acc.sum);
    free(acc.pairs);
    free(acc.blocked);
    free(acc.replaces);
    return rc;
}

/* The forms a theme says its labels in: of each label picked[q], the
 * surface form (a phrase: the two forms side by side) the most of the
 * members say (ties: the corpus' form, else the first seen), into terms[q]
 * (strdup'd). The model's display form is the most frequent over the
 * whole corpus; a theme of night shifts says "nights", one of
 * clinic waiting rooms "clinic" where the corpus' form of the stem may be
 * "clinical", and the label should read as the excerpts do. Without the
 * token forms (a corpus over LABELS_PHRASE_MAX) the model's form. */
typedef struct label_form {
    int32_t fa, fb; /* form ids; fb -1 for a word */
    int32_t n;      /* members that say it */
    int64_t last;   /* the last member counted */
} label_form;

/* Is e the form s ("a" or "a b")? */
static int form_is(const strtab *forms, const label_form *e, const char *s)
{
    const char *a = strtab_str(forms, e->fa);
    size_t la = strlen(a);
    if (strncmp(s, a, la) != 0)
        return 0;
    if (e->fb < 0)
        return s[la] == '\0';
    return s[la] == ' ' && strcmp(s + la + 1, strtab_str(forms, e->fb)) == 0;
}

static int theme_forms(labeler *l, const int64_t *members, int64_t size,
                       const int64_t *picked, int32_t got, char **terms)
{
    const strtab *forms = &l->model->an.forms;
    label_form *lf = NULL;
    int32_t *nf = NULL, q, j;
    int64_t i, t;
    int rc = QUARRY_OK;

    for (q = 0; q < got; q++)
        terms[q] = NULL;
    if (l->tok_form != NULL && got > 0) {
        lf = calloc((size_t)got * LABELS_FORMS, sizeof *lf);
        nf = calloc((size_t)got, sizeof *nf);
        if (lf == NULL || nf == NULL) {
            rc = QUARRY_ENOMEM;
            goto out;
        }
        for (q = 0; q < got; q++)
            l->slot[picked[q] < l->cols ? picked[q]
                                        : l->ph_a[picked[q] - l->cols]] = q;
        for (i = 0; i < size; i++) {
            int64_t d = members[i];
            for (t = l->tok_ptr[d]; t < l->tok_ptr[d + 1]; t++) {
                int64_t c = col_of_form(l, l->tok_form[t]);
                int32_t fb = -1;
                if (c < 0 || l->slot[c] < 0)
                    continue;
                /* a word's own label, or a phrase whose first word it is
                 * (two phrases may share it: each is tried) */
                for (q = 0; q < got; q++) {
                    label_form *e;
                    if (picked[q] < l->cols) {
                        if (picked[q] != c)
                            continue;
                        fb = -1;
                    } else {
                        int64_t ph = picked[q] - l->cols;
                        if (l->ph_a[ph] != c || t + 1 >= l->tok_ptr[d + 1] ||
                            col_of_form(l, l->tok_form[t + 1]) != l->ph_b[ph])
                            continue;
                        fb = l->tok_form[t + 1];
                    }
                    for (j = 0; j < nf[q]; j++) {
                        e = &lf[q * LABELS_FORMS + j];
                        if (e->fa == l->tok_form[t] && e->fb == fb)
                            break;
                    }
                    if (j == nf[q]) {
                        if (nf[q] == LABELS_FORMS)
                            continue;
                        e = &lf[q * LABELS_FORMS + nf[q]++];
                        e->fa = l->tok_form[t];
                        e->fb = fb;
                        e->last = -1;
                    }
                    e = &lf[q * LABELS_FORMS + j];
                    if (e->last != d) {
                        e->last = d;
                        e->n++;
                    }
                }
            }
        }
        for (q = 0; q < got; q++)
            l->slot[picked[q] < l->cols ? picked[q]
                                        : l->ph_a[picked[q] - l->cols]] = -1;
    }
    for (q = 0; q < got; q++) {
        const label_form *best = NULL;
        const char *corpus_form = picked[q] < l->cols
                                      ? quarry_model_term(l->model, picked[q])
                                      : l->ph_text[picked[q] - l->cols];
        for (j = 0; nf != NULL && j < nf[q]; j++) {
            const label_form *e = &lf[q * LABELS_FORMS + j];
            if (best == NULL || e->n > best->n ||
                (e->n == best->n && form_is(forms, e, corpus_form)))
                best = e;
        }
        if (best == NULL) {
            terms[q] = strdup(corpus_form);
        } else {
            const char *a = strtab_str(forms, best->fa);
            const char *b = best->fb >= 0 ? strtab_str(forms, best->fb) : NULL;
            size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;
            terms[q] = malloc(la + lb + 2);
            if (terms[q] != NULL) {
                memcpy(terms[q], a, la + 1);
                if (b != NULL) {
                    terms[q][la] = ' ';
                    memcpy(terms[q] + la + 1, b, lb + 1);
                }
            }
        }
        if (terms[q] == NULL) {
            rc = QUARRY_ENOMEM;
            goto out;
        }
    }
out:
    free(lf);
    free(nf);
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
    int32_t room_k = 3 * nt + 2, got = 0, q, j;
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
    rc = choose_together(l, &sel, nt, picked, pscore, &got);
    if (rc != 0)
        goto out;
    rc = theme_forms(l, members, size, picked, got, terms);
    if (rc != 0) {
        for (q = 0; q < got; q++) {
            free(terms[q]);
            terms[q] = NULL;
        }
        rc = engine_fail(l->engine, rc, "out of memory");
        goto out;
    }
    /* As a reader should see them; two that then read the same ("car"
     * and "car.", columns of their own under a tokenizer that keeps
     * marks) are one label, the better z's. */
    for (q = 0, j = 0; q < got; q++) {
        char *d = labels_display(terms[q]);
        int32_t r;
        free(terms[q]);
        terms[q] = NULL;
        if (d == NULL) {
            for (r = q + 1; r < got; r++) {
                free(terms[r]);
                terms[r] = NULL;
            }
            for (r = 0; r < j; r++) {
                free(terms[r]);
                terms[r] = NULL;
            }
            rc = engine_fail(l->engine, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        for (r = 0; r < j && strcmp(terms[r], d) != 0; r++)
            ;
        if (r < j || d[0] == '\0') {
            free(d);
            continue;
        }
        terms[j] = d;
        if (weights != NULL)
            weights[j] = pscore[q];
        j++;
    }
    *n = j;
out:
    free(y);
    free(room);
    free(picked);
    free(pscore);
    return rc;
}
