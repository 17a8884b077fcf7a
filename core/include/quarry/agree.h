/*
 * quarry/agree.h -- agreement between coders: percent agreement, Cohen's
 * kappa for every pair of coders, Krippendorff's alpha (nominal). Part of
 * the engine API; included by quarry/quarry.h.
 *
 * An agreement table is filled with (unit, coder, code) triples, from any
 * source: files (quarry_agree_table_read_file), a project, or the caller's
 * own data. A unit may get several codes from one coder (multi-label); a
 * coder who gave a unit no triple has not coded it (missing). Adding the
 * same triple twice changes nothing.
 *
 * Figures are computed in scopes:
 *
 *  - overall (scope NULL): nominal, the code is the value. A coder's value
 *    on a unit is its code when the coder gave the unit exactly one code.
 *    Multi-label units are counted this way: when a coder gave a unit
 *    several codes (or, through quarry_agree_table_add with code NULL,
 *    none), that unit is missing for that coder in the overall figures,
 *    and only there; `excluded` says how many units that left out.
 *  - one scope per code: binary. A coder's value on a unit is 1 when the
 *    coder applied the code to it, 0 when the coder coded the unit but not
 *    with that code; missing when the coder did not code the unit.
 *
 * In each scope there is one figure per pair of coders (kappa, alpha and
 * percent over the units both coded) and, when three or more coders are
 * compared, one figure for all of them together (alpha over every unit at
 * least two of them coded; no kappa).
 *
 * Ordering is deterministic and does not depend on the order of the
 * triples: coders and codes are sorted by name (byte order, strcmp); the
 * overall scope comes first, then the codes; within a scope the pairs in
 * order (c0,c1), (c0,c2), ..., (c1,c2), ..., then the all-coders figure.
 *
 * Undefined figures are NaN, never a division by zero: percent with no
 * unit; kappa when the expected agreement is 1 (both coders used one and
 * the same value throughout: no variation) or there is no unit; alpha when
 * there are fewer than two pairable values or all pairable values are the
 * same (no variation). Test with isnan().
 *
 * Formulas (n units both coders coded; n_k, m_k the units each coder put
 * in category k; a the units they agree on):
 *   percent = 100 a / n
 *   kappa   = (p_o - p_e) / (1 - p_e), p_o = a / n, p_e = sum_k n_k m_k / n^2
 *   alpha   = 1 - D_o / D_e from the coincidence matrix: a unit with m >= 2
 *             values adds 1/(m-1) to o[c][k] for every ordered pair of
 *             values (c, k) from different coders; n_c = sum_k o[c][k],
 *             n = sum_c n_c;
 *             alpha = ((n-1) sum_c o[c][c] - sum_c n_c(n_c-1))
 *                     / (n(n-1) - sum_c n_c(n_c-1))
 *   The all-coders percent is 100 sum_c o[c][c] / n: the share of agreeing
 *   pairs of values, which is the plain percent for two coders.
 *   AC1     = (p_o - p_e) / (1 - p_e), p_e = sum_k pi_k (1 - pi_k) / (q - 1),
 *             pi_k = (n_k + m_k) / 2n, q the categories of the scope (the
 *             codes of the table overall, 2 per code) (Gwet 2008)
 *   PABAK   = (q p_o - 1) / (q - 1); per code (q = 2) 2 p_o - 1
 *   Intervals: percentile bootstrap over the units of the table (each
 *   resample draws as many units as the table has, with replacement).
 */
#ifndef QUARRY_AGREE_H
#define QUARRY_AGREE_H

#include "quarry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct quarry_agree_table quarry_agree_table;

QUARRY_API int quarry_agree_table_new(quarry_agree_table **out);
QUARRY_API void quarry_agree_table_free(quarry_agree_table *t);
/* The last failure's message ("" when none). */
QUARRY_API const char *quarry_agree_table_errmsg(const quarry_agree_table *t);

/* Coder applied code to unit. unit, coder and code are NUL-terminated,
 * non-empty, valid UTF-8 (copied). code NULL records that the coder coded
 * the unit with no code (0 in every code's scope, missing overall).
 * QUARRY_EINVAL for an empty or NULL unit or coder or an empty code,
 * QUARRY_EUTF8 for invalid UTF-8, QUARRY_ENOMEM. */
QUARRY_API int quarry_agree_table_add(quarry_agree_table *t, const char *unit,
                                      const char *coder, const char *code);

/* Distinct units, coders and codes seen; names by index, coders and codes
 * sorted by name, units in order of first appearance. */
QUARRY_API size_t quarry_agree_table_n_units(const quarry_agree_table *t);
QUARRY_API int32_t quarry_agree_table_n_coders(const quarry_agree_table *t);
QUARRY_API int32_t quarry_agree_table_n_codes(const quarry_agree_table *t);
QUARRY_API const char *quarry_agree_table_coder(const quarry_agree_table *t,
                                                int32_t i);
QUARRY_API const char *quarry_agree_table_code(const quarry_agree_table *t,
                                               int32_t i);
/* Index of a coder by name (as quarry_agree_table_coder counts), or -1. */
QUARRY_API int32_t quarry_agree_table_find_coder(const quarry_agree_table *t,
                                                 const char *name);

/* Reading long-format codings, one row per (id, code, coder):
 *   JSONL: {"id": "u1" or 7, "code": "x" or ["x", "y"], "coder": "ana"}
 *          (other fields ignored)
 *   CSV:   a header row with id, code and optionally coder columns (found
 *          by name; other columns ignored); a code cell may hold several
 *          codes separated by ';'.
 * A row without a coder is the coder named by `coder`, else the file's base
 * name without its extension ("ana.jsonl" -> "ana"). */
typedef struct quarry_agree_read_options {
    uint32_t version;
    quarry_format format;     /* AUTO: .csv is CSV, anything else JSONL */
    const char *coder;        /* coder of rows that name none; NULL: by name */
    const char *display_name; /* name in messages; "-" reads stdin */
} quarry_agree_read_options;

#define QUARRY_AGREE_READ_OPTIONS_VERSION 1
#define QUARRY_AGREE_READ_OPTIONS_INIT                                      \
    {QUARRY_AGREE_READ_OPTIONS_VERSION, QUARRY_FORMAT_AUTO, NULL, NULL}

/* Add every row of a file ("-": standard input). A bad row stops the read
 * with QUARRY_EPARSE (or QUARRY_EUTF8) and a message naming the file, the
 * line and the field: `a.jsonl:3: field "code": empty code`; QUARRY_EIO
 * when the file cannot be read. Rows before the bad one stay in the table.
 * Blank lines are skipped. */
QUARRY_API int quarry_agree_table_read_file(quarry_agree_table *t,
                                            const char *path,
                                            const quarry_agree_read_options *o);

/* Add the top suggestion of every line of `quarry suggest` JSONL output
 * ({"id", "suggestions": [{"code", ...}, ...], "abstain"}) as the code the
 * coder `coder` ("quarry" when NULL) gave the unit. Abstaining lines and
 * lines with no suggestion leave the unit uncoded by it. QUARRY_EDUP when
 * the table already holds that coder (before the file is read). */
QUARRY_API int quarry_agree_table_read_suggestions(quarry_agree_table *t,
                                                   const char *path,
                                                   const char *coder);

/* ------------------------------------------------------------------ */
/* Figures */

typedef struct quarry_agree_options {
    uint32_t version;
    /* The coders compared, by name (n_coders of them); NULL: every coder
     * of the table. Must name at least two distinct coders of the table. */
    const char *const *coders;
    int32_t n_coders;
    /* Version 2: resamples of the units (with replacement) for the 95%
     * bootstrap intervals (percentile) of kappa, alpha, AC1 and PABAK;
     * 0 computes none (NaN). At most 100000. The same resamples serve
     * every scope; seed makes them reproducible. */
    int32_t bootstrap;
    uint64_t seed;
} quarry_agree_options;

#define QUARRY_AGREE_OPTIONS_VERSION 2
#define QUARRY_AGREE_OPTIONS_INIT {QUARRY_AGREE_OPTIONS_VERSION, NULL, 0, 0, 1}

typedef struct quarry_agree_figure {
    const char *scope;         /* NULL overall; else the code */
    int32_t n_coders;          /* 2 for a pair; every coder compared (all) */
    const char *const *coders; /* their names, sorted */
    /* Units the figure rests on: coded by both coders of the pair, or by
     * at least two of all the coders. */
    int64_t units;
    /* Overall only: units coded by the pair (by two or more of all) that
     * were left out because a coder gave several codes, or none; 0 in the
     * code scopes. */
    int64_t excluded;
    double percent; /* 0..100 */
    double kappa;   /* Cohen's; NaN when undefined, and for all coders */
    double alpha;   /* Krippendorff's, nominal */
    /* Gwet's AC1 and PABAK (pairs; NaN for all coders): the figures that
     * stay meaningful for a rare code, where kappa collapses although the
     * coders agree on nearly every unit (the prevalence paradox). */
    double ac1;
    double pabak;
    /* 95% bootstrap intervals [low, high] (options->bootstrap); NaN when
     * not computed or undefined in every resample. */
    double kappa_ci[2], alpha_ci[2], ac1_ci[2], pabak_ci[2];
    /* Overall, pairs only: units the first coder of the pair (only[0]) or
     * the second (only[1]) coded and the other did not, so no figure of
     * the pair counts them (a coder who did not code a unit is missing
     * there, not taken as giving it no code); 0 elsewhere. */
    int64_t only[2];
} quarry_agree_figure;

typedef struct quarry_agreement quarry_agreement;

/* Compute every figure over the coders chosen. QUARRY_ENOTFOUND when a
 * named coder is not in the table, QUARRY_EINVAL when fewer than two
 * (distinct) coders are compared; the message is on the table. */
QUARRY_API int quarry_agreement_compute(quarry_agreement **out,
                                        quarry_agree_table *t,
                                        const quarry_agree_options *o);
QUARRY_API void quarry_agreement_free(quarry_agreement *a);
QUARRY_API size_t quarry_agreement_size(const quarry_agreement *a);
/* The i-th figure in the order above; NULL past the end. */
QUARRY_API const quarry_agree_figure *quarry_agreement_at(
    const quarry_agreement *a, size_t i);
/* The coders compared, sorted, and the codes (scopes after overall). */
QUARRY_API int32_t quarry_agreement_n_coders(const quarry_agreement *a);
QUARRY_API const char *quarry_agreement_coder(const quarry_agreement *a,
                                              int32_t i);
/* Units in the table that any compared coder coded. */
QUARRY_API int64_t quarry_agreement_n_units(const quarry_agreement *a);

/* ------------------------------------------------------------------ */
/* Disagreements */

/* One unit on which the coders compared differ: at least two of them
 * coded it and their sets of codes are not the same. */
typedef struct quarry_agree_disagreement {
    const char *unit;
    int32_t n_coders;          /* the coders compared, sorted by name */
    const char *const *coders;
    /* Per coder: its codes sorted by name and joined by "; " ("" when it
     * coded the unit with no code), or NULL when it did not code it. */
    const char *const *codes;
} quarry_agree_disagreement;

/* Call fn for every unit the coders chosen by o (NULL: all; only
 * o->coders and o->n_coders are read) disagree on, in the order the units
 * were first added. A non-zero return from fn stops the walk and is
 * returned. Errors as quarry_agreement_compute. */
QUARRY_API int quarry_agree_disagreements(
    quarry_agree_table *t, const quarry_agree_options *o,
    int (*fn)(void *ctx, const quarry_agree_disagreement *d), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_AGREE_H */
