/*
 * agree.c -- agreement between coders: the table of (unit, coder, code)
 * triples and the figures made from it (percent agreement, Cohen's kappa
 * per pair, Krippendorff's nominal alpha). quarry/agree.h states the
 * scopes, the formulas and the ordering.
 *
 * Figures are made in three steps: the triples of the coders compared are
 * sorted by (unit, coder, code) and deduplicated; each unit gets one cell
 * per coder (coded or not, its codes); each scope turns the cells into one
 * value per cell (a code's rank overall, 0/1 per code, -1 missing) and the
 * pair and all-coders figures are counted from those values. Every count
 * is an integer, and alpha's fractional coincidences are summed per unit
 * size, so the figures do not depend on the order of the triples.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agree_table.h"
#include "buf.h"
#include "utf8.h"

int agree_fail(quarry_agree_table *t, int status, const char *name,
               int64_t line, const char *field, const char *fmt, ...)
{
    size_t cap = sizeof t->err, n = 0;
    va_list ap;
    int k = 0;

    if (name != NULL && line > 0)
        k = snprintf(t->err, cap, "%s:%lld: ", name, (long long)line);
    else if (name != NULL)
        k = snprintf(t->err, cap, "%s: ", name);
    else
        t->err[0] = '\0';
    if (k > 0)
        n = (size_t)k < cap ? (size_t)k : cap - 1;
    if (field != NULL && n < cap) {
        k = snprintf(t->err + n, cap - n, "field \"%s\": ", field);
        if (k > 0)
            n += (size_t)k < cap - n ? (size_t)k : cap - n - 1;
    }
    va_start(ap, fmt);
    if (n < cap)
        vsnprintf(t->err + n, cap - n, fmt, ap);
    va_end(ap);
    n = strlen(t->err);
    t->err[quarry_utf8_cut(t->err, n, n)] = '\0';
    return status;
}

/* ------------------------------------------------------------------ */
/* The table */

int quarry_agree_table_new(quarry_agree_table **out)
{
    quarry_agree_table *t;

    *out = NULL;
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return QUARRY_ENOMEM;
    strtab_init(&t->units);
    strtab_init(&t->coders);
    strtab_init(&t->codes);
    *out = t;
    return QUARRY_OK;
}

void quarry_agree_table_free(quarry_agree_table *t)
{
    if (t == NULL)
        return;
    strtab_free(&t->units);
    strtab_free(&t->coders);
    strtab_free(&t->codes);
    free(t->t_unit);
    free(t->t_coder);
    free(t->t_code);
    free(t->coder_order);
    free(t->code_order);
    free(t);
}

const char *quarry_agree_table_errmsg(const quarry_agree_table *t)
{
    return t != NULL ? t->err : "no table";
}

/* Insert id (new in tab) into order[0..n), kept sorted by name; order has
 * room for it. */
static void insert_sorted(const strtab *tab, int32_t *order, int32_t id)
{
    size_t n = (size_t)tab->n - 1, lo = 0, hi = n;
    const char *name = strtab_str(tab, id);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(strtab_str(tab, order[mid]), name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(order + lo + 1, order + lo, (n - lo) * sizeof *order);
    order[lo] = id;
}

/* Intern s into tab (and its sorted order when order is not NULL); -1 when
 * out of memory, with the table unchanged. */
static int64_t intern(strtab *tab, int32_t **order, size_t *cap, const char *s)
{
    int is_new = 0;
    int64_t id;

    if (order != NULL &&
        (tab->n >= INT32_MAX ||
         quarry_grow(order, cap, (size_t)tab->n + 1, sizeof **order) != 0))
        return -1;
    id = strtab_intern(tab, s, strlen(s), &is_new);
    if (id < 0)
        return -1;
    if (is_new && order != NULL)
        insert_sorted(tab, *order, (int32_t)id);
    return id;
}

static int check_name(quarry_agree_table *t, const char *what, const char *s)
{
    size_t bad = 0;
    quarry_utf8_problem p;

    if (s == NULL || s[0] == '\0')
        return agree_fail(t, QUARRY_EINVAL, NULL, 0, NULL, "empty %s", what);
    p = quarry_utf8_check(s, strlen(s), &bad);
    if (p != QUARRY_UTF8_OK)
        return agree_fail(t, QUARRY_EUTF8, NULL, 0, NULL,
                          "%s: invalid UTF-8 at byte %zu", what, bad + 1);
    return 0;
}

int quarry_agree_table_add(quarry_agree_table *t, const char *unit,
                           const char *coder, const char *code)
{
    int64_t u, c, k = -1;
    int rc;

    if (t == NULL)
        return QUARRY_EINVAL;
    if ((rc = check_name(t, "unit", unit)) != 0 ||
        (rc = check_name(t, "coder", coder)) != 0 ||
        (code != NULL && (rc = check_name(t, "code", code)) != 0))
        return rc;
    if (quarry_grow(&t->t_unit, &t->cap_triples, t->n_triples + 1,
             sizeof *t->t_unit) != 0)
        goto nomem;
    {
        /* The three arrays share one capacity. */
        size_t cap = t->cap_triples;
        int32_t *a = realloc(t->t_coder, cap * sizeof *a);
        if (a == NULL)
            goto nomem;
        t->t_coder = a;
        a = realloc(t->t_code, cap * sizeof *a);
        if (a == NULL)
            goto nomem;
        t->t_code = a;
    }
    u = intern(&t->units, NULL, NULL, unit);
    c = intern(&t->coders, &t->coder_order, &t->cap_coder_order, coder);
    if (u < 0 || c < 0)
        goto nomem;
    if (code != NULL) {
        k = intern(&t->codes, &t->code_order, &t->cap_code_order, code);
        if (k < 0)
            goto nomem;
    }
    t->t_unit[t->n_triples] = u;
    t->t_coder[t->n_triples] = (int32_t)c;
    t->t_code[t->n_triples] = (int32_t)k;
    t->n_triples++;
    return QUARRY_OK;
nomem:
    return agree_fail(t, QUARRY_ENOMEM, NULL, 0, NULL, "out of memory");
}

size_t quarry_agree_table_n_units(const quarry_agree_table *t)
{
    return (size_t)t->units.n;
}

int32_t quarry_agree_table_n_coders(const quarry_agree_table *t)
{
    return (int32_t)t->coders.n;
}

int32_t quarry_agree_table_n_codes(const quarry_agree_table *t)
{
    return (int32_t)t->codes.n;
}

const char *quarry_agree_table_coder(const quarry_agree_table *t, int32_t i)
{
    if (i < 0 || i >= t->coders.n)
        return NULL;
    return strtab_str(&t->coders, t->coder_order[i]);
}

const char *quarry_agree_table_code(const quarry_agree_table *t, int32_t i)
{
    if (i < 0 || i >= t->codes.n)
        return NULL;
    return strtab_str(&t->codes, t->code_order[i]);
}

int32_t quarry_agree_table_find_coder(const quarry_agree_table *t,
                                      const char *name)
{
    int32_t lo = 0, hi = (int32_t)t->coders.n;

    if (name == NULL)
        return -1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(strtab_str(&t->coders, t->coder_order[mid]), name);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Figures */

struct quarry_agreement {
    int32_t n_coders;
    char **coders; /* names, sorted */
    int32_t n_codes;
    char **codes;            /* scopes after overall, sorted */
    const char **pair_names; /* two per pair */
    quarry_agree_figure *figs;
    size_t n_figs;
    int64_t n_units;
};

/* One compared triple: unit (dense, first appearance), coder position in
 * the compared list, code rank (-1 none). */
typedef struct agree_key {
    int64_t unit;
    int32_t coder;
    int32_t code;
} agree_key;

static int key_cmp(const void *a, const void *b)
{
    const agree_key *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    if (x->coder != y->coder)
        return x->coder < y->coder ? -1 : 1;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return 0;
}

/* A unit's cell for one coder: its codes are keys[off .. off+n) minus a
 * leading -1 (coded with no code); coded says whether there is any. */
typedef struct agree_cell {
    size_t off;
    int32_t n; /* codes (not counting -1) */
    int32_t coded;
} agree_cell;

/* Everything one computation works on. */
typedef struct agree_work {
    int32_t C;       /* coders compared */
    int64_t U;       /* units any of them coded */
    agree_key *keys; /* sorted, deduplicated */
    size_t n_keys;
    agree_cell *cells;      /* U x C */
    int32_t *val;           /* U x C values of the scope in hand, -1 missing */
    int64_t *cnt_a, *cnt_b; /* per category */
    int64_t *agree_by_m;    /* all coders: agreeing ordered pairs per m */
    int64_t *units_by_m;
    int32_t K_max;
    /* Units drawn by a bootstrap resample: how often each (U); NULL, once
     * each. */
    const int32_t *wt;
} agree_work;

static double kappa_of(double n, double a, double s)
{
    /* (p_o - p_e) / (1 - p_e) with p_o = a/n, p_e = s/n^2, times n^2. */
    double den = n * n - s;
    if (n <= 0 || den <= 0)
        return NAN;
    return (n * a - s) / den;
}

/* Nominal alpha from n pairable values, sum_c o_cc and sum_c n_c(n_c-1). */
static double alpha_of(double n, double occ, double snn)
{
    double den = n * (n - 1) - snn;
    if (n < 2 || den <= 0)
        return NAN;
    return ((n - 1) * occ - snn) / den;
}

/* Gwet's AC1 and PABAK from n units, a of them agreed, over q
 * categories whose share among both coders' 2n values is pi_k:
 *   p_o = a/n, p_e = sum_k pi_k (1 - pi_k) / (q - 1),
 *   AC1 = (p_o - p_e) / (1 - p_e), PABAK = (q p_o - 1) / (q - 1). */
static void gwet_of(agree_work *w, int32_t q, double n, double a,
                    quarry_agree_figure *f)
{
    double po, pe = 0;
    int32_t k;
    f->ac1 = f->pabak = NAN;
    if (n <= 0 || q < 2)
        return;
    po = a / n;
    for (k = 0; k < q; k++) {
        double pi = (double)(w->cnt_a[k] + w->cnt_b[k]) / (2.0 * n);
        pe += pi * (1.0 - pi);
    }
    pe /= (double)(q - 1);
    f->ac1 = pe < 1.0 ? (po - pe) / (1.0 - pe) : NAN;
    f->pabak = ((double)q * po - 1.0) / (double)(q - 1);
}

/* The figure of the pair (i, j) over the values in w->val, K categories. */
static void pair_figure(agree_work *w, int32_t K, int32_t i, int32_t j,
                        quarry_agree_figure *f, int overall)
{
    int64_t u, n = 0, a = 0, excl = 0, only[2] = {0, 0};
    double s = 0, snn = 0;
    int32_t k;

    memset(w->cnt_a, 0, (size_t)K * sizeof *w->cnt_a);
    memset(w->cnt_b, 0, (size_t)K * sizeof *w->cnt_b);
    for (u = 0; u < w->U; u++) {
        int32_t vi = w->val[u * w->C + i], vj = w->val[u * w->C + j];
        int64_t m = w->wt ? w->wt[u] : 1;
        if (vi < 0 || vj < 0) {
            int ci = w->cells[u * w->C + i].coded,
                cj = w->cells[u * w->C + j].coded;
            if (overall && ci && cj)
                excl += m;
            else if (overall && (ci || cj))
                only[ci ? 0 : 1] += m;
            continue;
        }
        n += m;
        a += vi == vj ? m : 0;
        w->cnt_a[vi] += m;
        w->cnt_b[vj] += m;
    }
    for (k = 0; k < K; k++) {
        double nc = (double)(w->cnt_a[k] + w->cnt_b[k]);
        s += (double)w->cnt_a[k] * (double)w->cnt_b[k];
        snn += nc * (nc - 1);
    }
    f->units = n;
    f->excluded = excl;
    f->only[0] = only[0];
    f->only[1] = only[1];
    f->percent = n > 0 ? 100.0 * (double)a / (double)n : NAN;
    f->kappa = kappa_of((double)n, (double)a, s);
    /* Two coders: each pairable unit adds 1 to o[vi][vj] and o[vj][vi]. */
    f->alpha = alpha_of(2.0 * (double)n, 2.0 * (double)a, snn);
    gwet_of(w, K, (double)n, (double)a, f);
}

/* The figure of all coders together. */
static void all_figure(agree_work *w, int32_t K, quarry_agree_figure *f,
                       int overall)
{
    int64_t u, units = 0, coded2 = 0, nvals = 0;
    double occ = 0, snn = 0;
    int32_t k, i, j, m;

    memset(w->cnt_a, 0, (size_t)K * sizeof *w->cnt_a);
    memset(w->agree_by_m, 0, (size_t)(w->C + 1) * sizeof *w->agree_by_m);
    for (u = 0; u < w->U; u++) {
        const int32_t *v = w->val + u * w->C;
        int32_t coded = 0;
        int64_t agree = 0, wu = w->wt ? w->wt[u] : 1;
        m = 0;
        for (i = 0; i < w->C; i++) {
            coded += w->cells[u * w->C + i].coded;
            m += v[i] >= 0;
        }
        coded2 += coded >= 2 ? wu : 0;
        if (m < 2)
            continue;
        units += wu;
        for (i = 0; i < w->C; i++) {
            if (v[i] < 0)
                continue;
            w->cnt_a[v[i]] += wu;
            for (j = 0; j < w->C; j++)
                agree += j != i && v[j] == v[i];
        }
        w->agree_by_m[m] += agree * wu;
        nvals += m * wu;
    }
    for (m = 2; m <= w->C; m++)
        occ += (double)w->agree_by_m[m] / (double)(m - 1);
    for (k = 0; k < K; k++) {
        double nc = (double)w->cnt_a[k];
        snn += nc * (nc - 1);
    }
    f->units = units;
    f->excluded = overall ? coded2 - units : 0;
    f->percent = nvals > 0 ? 100.0 * occ / (double)nvals : NAN;
    f->kappa = NAN;
    f->alpha = alpha_of((double)nvals, occ, snn);
    f->ac1 = f->pabak = NAN;
}

/* ------------------------------------------------------------------ */
/* Bootstrap intervals */

/* splitmix64: a small, seedable generator, the same on every platform. */
static uint64_t boot_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile of the defined values among v[0..n) (sorted in place,
 * linear between order statistics); NaN when none is defined. */
static double quantile(double *v, int32_t n, double p)
{
    int32_t m = 0, i;
    double h;
    for (i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    if (m == 0)
        return NAN;
    qsort(v, (size_t)m, sizeof *v, dbl_cmp);
    h = (double)(m - 1) * p;
    i = (int32_t)h;
    return i + 1 < m ? v[i] + (h - i) * (v[i + 1] - v[i]) : v[i];
}

/* 95% percentile intervals of the nf figures of one scope (pairs, then
 * all coders), from B resamples of the units with replacement, the same
 * resamples in every scope (the generator restarts from seed). */
static int bootstrap_scope(agree_work *w, int32_t K, int overall,
                           quarry_agree_figure *figs, size_t nf, int32_t B,
                           uint64_t seed)
{
    int32_t *wt = malloc(((size_t)w->U + 1) * sizeof *wt);
    double *st = malloc(nf * 4 * (size_t)B * sizeof *st);
    uint64_t rng = seed;
    int32_t b, i, j;
    size_t x, q;
    if (wt == NULL || st == NULL) {
        free(wt);
        free(st);
        return -1;
    }
    for (b = 0; b < B; b++) {
        int64_t u;
        memset(wt, 0, ((size_t)w->U + 1) * sizeof *wt);
        for (u = 0; u < w->U; u++)
            wt[boot_next(&rng) % (uint64_t)w->U]++;
        w->wt = wt;
        x = 0;
        for (i = 0; i < w->C; i++)
            for (j = i + 1; j < w->C; j++, x++) {
                quarry_agree_figure f;
                pair_figure(w, K, i, j, &f, overall);
                st[(x * 4 + 0) * (size_t)B + (size_t)b] = f.kappa;
                st[(x * 4 + 1) * (size_t)B + (size_t)b] = f.alpha;
                st[(x * 4 + 2) * (size_t)B + (size_t)b] = f.ac1;
                st[(x * 4 + 3) * (size_t)B + (size_t)b] = f.pabak;
            }
        if (w->C > 2) {
            quarry_agree_figure f;
            all_figure(w, K, &f, overall);
            st[(x * 4 + 0) * (size_t)B + (size_t)b] = NAN;
            st[(x * 4 + 1) * (size_t)B + (size_t)b] = f.alpha;
            st[(x * 4 + 2) * (size_t)B + (size_t)b] = NAN;
            st[(x * 4 + 3) * (size_t)B + (size_t)b] = NAN;
        }
        w->wt = NULL;
    }
    for (x = 0; x < nf; x++) {
        double *ci[4];
        ci[0] = figs[x].kappa_ci;
        ci[1] = figs[x].alpha_ci;
        ci[2] = figs[x].ac1_ci;
        ci[3] = figs[x].pabak_ci;
        for (q = 0; q < 4; q++) {
            double *v = st + (x * 4 + q) * (size_t)B;
            ci[q][0] = quantile(v, B, 0.025);
            ci[q][1] = quantile(v, B, 0.975);
        }
    }
    free(wt);
    free(st);
    return 0;
}

void quarry_agreement_free(quarry_agreement *a)
{
    int32_t i;
    if (a == NULL)
        return;
    for (i = 0; i < a->n_coders; i++)
        free(a->coders[i]);
    for (i = 0; i < a->n_codes; i++)
        free(a->codes[i]);
    free(a->coders);
    free(a->codes);
    free(a->pair_names);
    free(a->figs);
    free(a);
}

/* The compared coders as table ranks, sorted and distinct, in sel[0..*n). */
static int choose_coders(quarry_agree_table *t, const quarry_agree_options *o,
                         int32_t *sel, int32_t *n)
{
    int32_t i, j, m = 0;
    int32_t total = (int32_t)t->coders.n;

    if (o == NULL || o->coders == NULL) {
        for (i = 0; i < total; i++)
            sel[i] = i;
        m = total;
    } else {
        for (i = 0; i < o->n_coders; i++) {
            int32_t r = quarry_agree_table_find_coder(t, o->coders[i]);
            if (r < 0)
                return agree_fail(t, QUARRY_ENOTFOUND, NULL, 0, NULL,
                                  "coder \"%s\" has coded nothing here",
                                  o->coders[i] ? o->coders[i] : "(null)");
            for (j = 0; j < m && sel[j] != r; j++)
                ;
            if (j == m)
                sel[m++] = r;
        }
        /* Sorted by rank, which is by name. */
        for (i = 1; i < m; i++)
            for (j = i; j > 0 && sel[j - 1] > sel[j]; j--) {
                int32_t tmp = sel[j];
                sel[j] = sel[j - 1];
                sel[j - 1] = tmp;
            }
    }
    if (m < 2)
        return agree_fail(
            t, QUARRY_EINVAL, NULL, 0, NULL,
            "agreement needs at least two coders (%s %d)",
            o != NULL && o->coders != NULL ? "chosen:" : "found:", (int)m);
    *n = m;
    return 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* Sort keys, drop duplicates, number the units densely, build the cells. */
static int build_cells(agree_work *w)
{
    size_t i, o = 0;
    int64_t u = -1, prev = -1;

    qsort(w->keys, w->n_keys, sizeof *w->keys, key_cmp);
    for (i = 0; i < w->n_keys; i++)
        if (o == 0 || key_cmp(&w->keys[i], &w->keys[o - 1]) != 0)
            w->keys[o++] = w->keys[i];
    w->n_keys = o;
    for (i = 0; i < w->n_keys; i++) {
        if (w->keys[i].unit != prev) {
            prev = w->keys[i].unit;
            u++;
        }
        w->keys[i].unit = u;
    }
    w->U = u + 1;
    if (w->U > 0 &&
        (size_t)w->U > ((size_t)-1) / sizeof(agree_cell) / (size_t)w->C)
        return QUARRY_ENOMEM;
    w->cells =
        calloc(w->U > 0 ? (size_t)w->U * (size_t)w->C : 1, sizeof *w->cells);
    w->val =
        malloc((w->U > 0 ? (size_t)w->U * (size_t)w->C : 1) * sizeof *w->val);
    if (w->cells == NULL || w->val == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < w->n_keys; i++) {
        agree_cell *c = &w->cells[w->keys[i].unit * w->C + w->keys[i].coder];
        if (!c->coded) {
            c->coded = 1;
            c->off = i;
        }
        if (w->keys[i].code >= 0)
            c->n++;
    }
    return 0;
}

/* Values of the overall scope: the code's rank when exactly one. */
static void values_overall(agree_work *w)
{
    int64_t x;
    for (x = 0; x < w->U * w->C; x++) {
        const agree_cell *c = &w->cells[x];
        w->val[x] = -1;
        if (c->coded && c->n == 1) {
            const agree_key *k = &w->keys[c->off];
            if (k->code < 0)
                k++; /* skip the "no code" mark */
            w->val[x] = k->code;
        }
    }
}

/* Values of one code's scope: 1 applied, 0 coded without it. */
static void values_code(agree_work *w, int32_t code)
{
    int64_t x;
    for (x = 0; x < w->U * w->C; x++) {
        const agree_cell *c = &w->cells[x];
        int32_t i, has = 0;
        if (!c->coded) {
            w->val[x] = -1;
            continue;
        }
        for (i = 0; i < c->n + 1; i++) {
            const agree_key *k = &w->keys[c->off + (size_t)i];
            if (c->off + (size_t)i >= w->n_keys ||
                k->unit != w->keys[c->off].unit ||
                k->coder != w->keys[c->off].coder)
                break;
            if (k->code == code) {
                has = 1;
                break;
            }
        }
        w->val[x] = has;
    }
}

int quarry_agreement_compute(quarry_agreement **out, quarry_agree_table *t,
                             const quarry_agree_options *o)
{
    agree_work w;
    quarry_agreement *a = NULL;
    int32_t *sel = NULL, *pos = NULL, *code_rank = NULL, *used = NULL;
    int32_t C = 0, i, j, k, n_used = 0, n_scopes = 0;
    size_t n_pairs;
    size_t x, per_scope, f = 0;
    int32_t boot = 0;
    uint64_t seed = 0;
    int rc;

    memset(&w, 0, sizeof w);
    *out = NULL;
    if (t == NULL)
        return QUARRY_EINVAL;
    if (o != NULL && (o->version < 1 ||
                      o->version > QUARRY_AGREE_OPTIONS_VERSION))
        return agree_fail(t, QUARRY_EINVAL, NULL, 0, NULL,
                          "agree options version %u, expected 1 to %d",
                          (unsigned)o->version, QUARRY_AGREE_OPTIONS_VERSION);
    if (o != NULL && o->version >= 2) {
        if (o->bootstrap < 0 || o->bootstrap > 100000)
            return agree_fail(t, QUARRY_EINVAL, NULL, 0, NULL,
                              "bootstrap resamples %d not in 0..100000",
                              (int)o->bootstrap);
        boot = o->bootstrap;
        seed = o->seed;
    }
    if (o != NULL && o->coders != NULL && o->n_coders < 0)
        return agree_fail(t, QUARRY_EINVAL, NULL, 0, NULL,
                          "negative number of coders");
    sel = malloc(
        ((size_t)t->coders.n + (size_t)(o && o->coders ? o->n_coders : 0) + 1) *
        sizeof *sel);
    pos = malloc(((size_t)t->coders.n + 1) * sizeof *pos);
    code_rank = malloc(((size_t)t->codes.n + 1) * sizeof *code_rank);
    used = calloc((size_t)t->codes.n + 1, sizeof *used);
    if (sel == NULL || pos == NULL || code_rank == NULL || used == NULL)
        goto nomem;
    rc = choose_coders(t, o, sel, &C);
    if (rc != 0)
        goto out;
    w.C = C;
    /* coder id -> position among the compared, or -1 */
    for (i = 0; i < (int32_t)t->coders.n; i++)
        pos[i] = -1;
    for (i = 0; i < C; i++)
        pos[t->coder_order[sel[i]]] = i;
    for (i = 0; i < (int32_t)t->codes.n; i++)
        code_rank[t->code_order[i]] = i;

    w.keys = malloc((t->n_triples ? t->n_triples : 1) * sizeof *w.keys);
    if (w.keys == NULL)
        goto nomem;
    for (x = 0; x < t->n_triples; x++) {
        int32_t p = pos[t->t_coder[x]];
        if (p < 0)
            continue;
        w.keys[w.n_keys].unit = t->t_unit[x];
        w.keys[w.n_keys].coder = p;
        w.keys[w.n_keys].code = t->t_code[x] < 0 ? -1 : code_rank[t->t_code[x]];
        if (t->t_code[x] >= 0)
            used[code_rank[t->t_code[x]]] = 1;
        w.n_keys++;
    }
    if (build_cells(&w) != 0)
        goto nomem;

    a = calloc(1, sizeof *a);
    if (a == NULL)
        goto nomem;
    a->n_units = w.U;
    a->coders = calloc((size_t)C, sizeof *a->coders);
    if (a->coders == NULL)
        goto nomem;
    a->n_coders = C;
    for (i = 0; i < C; i++)
        if ((a->coders[i] = dup_str(quarry_agree_table_coder(t, sel[i]))) ==
            NULL)
            goto nomem;
    for (k = 0; k < (int32_t)t->codes.n; k++)
        n_used += used[k];
    a->codes = calloc((size_t)n_used + 1, sizeof *a->codes);
    if (a->codes == NULL)
        goto nomem;
    for (k = 0; k < (int32_t)t->codes.n; k++)
        if (used[k] && (a->codes[a->n_codes++] =
                            dup_str(quarry_agree_table_code(t, k))) == NULL)
            goto nomem;

    n_pairs = (size_t)C * (size_t)(C - 1) / 2;
    a->pair_names = malloc(n_pairs * 2 * sizeof *a->pair_names);
    per_scope = n_pairs + (C > 2);
    if (per_scope > ((size_t)-1) / sizeof *a->figs / ((size_t)n_used + 1))
        goto nomem;
    a->figs = calloc(per_scope * ((size_t)n_used + 1), sizeof *a->figs);
    w.K_max = (int32_t)t->codes.n > 2 ? (int32_t)t->codes.n : 2;
    w.cnt_a = malloc((size_t)w.K_max * sizeof *w.cnt_a);
    w.cnt_b = malloc((size_t)w.K_max * sizeof *w.cnt_b);
    w.agree_by_m = malloc(((size_t)C + 1) * sizeof *w.agree_by_m);
    if (a->pair_names == NULL || a->figs == NULL || w.cnt_a == NULL ||
        w.cnt_b == NULL || w.agree_by_m == NULL)
        goto nomem;
    {
        size_t p = 0;
        for (i = 0; i < C; i++)
            for (j = i + 1; j < C; j++, p++) {
                a->pair_names[2 * p] = a->coders[i];
                a->pair_names[2 * p + 1] = a->coders[j];
            }
    }

    /* Scope -1 is overall; then the codes used, by rank. */
    for (k = -1; k < (int32_t)t->codes.n; k++) {
        int32_t K;
        size_t p = 0, f0;
        const char *scope = NULL;
        if (k >= 0 && !used[k])
            continue;
        if (k < 0) {
            values_overall(&w);
            K = (int32_t)t->codes.n;
        } else {
            values_code(&w, k);
            K = 2;
            scope = a->codes[n_scopes++];
        }
        if (K < 1)
            K = 1;
        f0 = f;
        for (i = 0; i < C; i++)
            for (j = i + 1; j < C; j++, p++) {
                quarry_agree_figure *fg = &a->figs[f++];
                fg->scope = scope;
                fg->n_coders = 2;
                fg->coders = a->pair_names + 2 * p;
                pair_figure(&w, K, i, j, fg, k < 0);
            }
        if (C > 2) {
            quarry_agree_figure *fg = &a->figs[f++];
            fg->scope = scope;
            fg->n_coders = C;
            fg->coders = (const char *const *)a->coders;
            all_figure(&w, K, fg, k < 0);
        }
        for (x = f0; x < f; x++) {
            quarry_agree_figure *fg = &a->figs[x];
            fg->kappa_ci[0] = fg->kappa_ci[1] = NAN;
            fg->alpha_ci[0] = fg->alpha_ci[1] = NAN;
            fg->ac1_ci[0] = fg->ac1_ci[1] = NAN;
            fg->pabak_ci[0] = fg->pabak_ci[1] = NAN;
        }
        if (boot > 0 && w.U > 0 &&
            bootstrap_scope(&w, K, k < 0, a->figs + f0, f - f0, boot,
                            seed) != 0)
            goto nomem;
    }
    a->n_figs = f;
    *out = a;
    a = NULL;
    rc = QUARRY_OK;
    goto out;
nomem:
    rc = agree_fail(t, QUARRY_ENOMEM, NULL, 0, NULL, "out of memory");
out:
    quarry_agreement_free(a);
    free(sel);
    free(pos);
    free(code_rank);
    free(used);
    free(w.keys);
    free(w.cells);
    free(w.val);
    free(w.cnt_a);
    free(w.cnt_b);
    free(w.agree_by_m);
    return rc;
}

size_t quarry_agreement_size(const quarry_agreement *a)
{
    return a != NULL ? a->n_figs : 0;
}

const quarry_agree_figure *quarry_agreement_at(const quarry_agreement *a,
                                               size_t i)
{
    if (a == NULL || i >= a->n_figs)
        return NULL;
    return &a->figs[i];
}

int32_t quarry_agreement_n_coders(const quarry_agreement *a)
{
    return a != NULL ? a->n_coders : 0;
}

const char *quarry_agreement_coder(const quarry_agreement *a, int32_t i)
{
    if (a == NULL || i < 0 || i >= a->n_coders)
        return NULL;
    return a->coders[i];
}

int64_t quarry_agreement_n_units(const quarry_agreement *a)
{
    return a != NULL ? a->n_units : 0;
}

/* ------------------------------------------------------------------ */
/* Disagreements */

int quarry_agree_disagreements(quarry_agree_table *t,
                               const quarry_agree_options *o,
                               int (*fn)(void *ctx,
                                         const quarry_agree_disagreement *d),
                               void *ctx)
{
    int32_t *sel = NULL, *pos = NULL, *code_rank = NULL, C = 0, i;
    const char **names = NULL, **codes = NULL;
    char **buf = NULL;
    size_t *len = NULL, *cap = NULL, x, y, n_keys = 0;
    agree_key *keys = NULL;
    int rc;

    if (t == NULL || fn == NULL)
        return QUARRY_EINVAL;
    sel = malloc(((size_t)t->coders.n +
                  (size_t)(o && o->coders && o->n_coders > 0 ? o->n_coders
                                                              : 0) +
                  1) *
                 sizeof *sel);
    pos = malloc(((size_t)t->coders.n + 1) * sizeof *pos);
    code_rank = malloc(((size_t)t->codes.n + 1) * sizeof *code_rank);
    keys = malloc((t->n_triples ? t->n_triples : 1) * sizeof *keys);
    if (sel == NULL || pos == NULL || code_rank == NULL || keys == NULL)
        goto nomem;
    rc = choose_coders(t, o, sel, &C);
    if (rc != 0)
        goto out;
    names = calloc((size_t)C, sizeof *names);
    codes = calloc((size_t)C, sizeof *codes);
    buf = calloc((size_t)C, sizeof *buf);
    len = calloc((size_t)C, sizeof *len);
    cap = calloc((size_t)C, sizeof *cap);
    if (names == NULL || codes == NULL || buf == NULL || len == NULL ||
        cap == NULL)
        goto nomem;
    for (i = 0; i < (int32_t)t->coders.n; i++)
        pos[i] = -1;
    for (i = 0; i < C; i++) {
        pos[t->coder_order[sel[i]]] = i;
        names[i] = quarry_agree_table_coder(t, sel[i]);
    }
    for (i = 0; i < (int32_t)t->codes.n; i++)
        code_rank[t->code_order[i]] = i;
    for (x = 0; x < t->n_triples; x++) {
        int32_t p = pos[t->t_coder[x]];
        if (p < 0)
            continue;
        keys[n_keys].unit = t->t_unit[x];
        keys[n_keys].coder = p;
        keys[n_keys].code = t->t_code[x] < 0 ? -1 : code_rank[t->t_code[x]];
        n_keys++;
    }
    qsort(keys, n_keys, sizeof *keys, key_cmp);
    rc = QUARRY_OK;
    for (x = 0; x < n_keys && rc == QUARRY_OK; x = y) {
        quarry_agree_disagreement d;
        int32_t coded = 0, differ = 0, first = -1;
        for (i = 0; i < C; i++) {
            len[i] = 0;
            codes[i] = NULL;
        }
        /* One unit: each coder's codes, by name, joined by "; ". */
        for (y = x; y < n_keys && keys[y].unit == keys[x].unit; y++) {
            const agree_key *k = &keys[y];
            const char *name;
            if (y > x && key_cmp(k, &keys[y - 1]) == 0)
                continue;
            if (quarry_buf_append(&buf[k->coder], &len[k->coder],
                                  &cap[k->coder], "", 1) != 0)
                goto nomem;
            len[k->coder]--; /* keep it NUL-terminated */
            codes[k->coder] = buf[k->coder];
            if (k->code < 0)
                continue;
            name = quarry_agree_table_code(t, k->code);
            if ((len[k->coder] > 0 &&
                 quarry_buf_append(&buf[k->coder], &len[k->coder],
                                   &cap[k->coder], "; ", 2) != 0) ||
                quarry_buf_append(&buf[k->coder], &len[k->coder],
                                  &cap[k->coder], name, strlen(name) + 1) !=
                    0)
                goto nomem;
            len[k->coder]--;
            codes[k->coder] = buf[k->coder];
        }
        for (i = 0; i < C; i++) {
            if (codes[i] == NULL)
                continue;
            coded++;
            if (first < 0)
                first = i;
            else if (strcmp(codes[i], codes[first]) != 0)
                differ = 1;
        }
        if (coded < 2 || !differ)
            continue;
        d.unit = strtab_str(&t->units, keys[x].unit);
        d.n_coders = C;
        d.coders = names;
        d.codes = codes;
        rc = fn(ctx, &d);
    }
    goto out;
nomem:
    rc = agree_fail(t, QUARRY_ENOMEM, NULL, 0, NULL, "out of memory");
out:
    if (buf != NULL)
        for (i = 0; i < C; i++)
            free(buf[i]);
    free(buf);
    free(len);
    free(cap);
    free(names);
    free(codes);
    free(sel);
    free(pos);
    free(code_rank);
    free(keys);
    return rc;
}
