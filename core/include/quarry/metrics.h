/*
 * quarry/metrics.h -- part of the engine API; included by quarry/quarry.h.
 *
 * Clustering scores against gold labels, in double, defined as
 * scikit-learn defines them (sklearn.metrics, 1.2), so a figure from
 * `quarry bench` can be set beside one computed in Python:
 *
 *   ARI           adjusted_rand_score
 *   NMI           normalized_mutual_info_score, arithmetic mean of the two
 *                 entropies as the normaliser (scikit-learn's default)
 *   homogeneity, completeness, V-measure (beta = 1)
 *                 homogeneity_completeness_v_measure
 *   silhouette    silhouette_score(metric="cosine"), optionally on a
 *                 seeded random subset as with its sample_size
 *
 * Labels are any int32 values (a clusterer's -1 for noise is one more
 * label, as scikit-learn counts it); only equality matters. The limit cases
 * follow scikit-learn: two identical partitions score ARI 1, two one-cluster
 * or two all-singleton labelings NMI 1, a labeling with one cluster is
 * perfectly homogeneous (see each function). Nothing here keeps state
 * and nothing prints; every function returns 0 or a negative QUARRY_E*.
 *
 * Also here: the meta-synthesis table (quarry_synth_*), the other summary
 * of coded material against its sources that `quarry synth` prints.
 */
#ifndef QUARRY_METRICS_H
#define QUARRY_METRICS_H

#include "quarry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every score of one labeling against the gold one. */
typedef struct quarry_cluster_scores {
    double ari;          /* adjusted Rand index, in [-0.5, 1] */
    double nmi;          /* normalised mutual information, [0, 1] */
    double homogeneity;  /* each cluster holds one gold class, [0, 1] */
    double completeness; /* each gold class is in one cluster, [0, 1] */
    double v_measure;    /* harmonic mean of the two, [0, 1] */
} quarry_cluster_scores;

/*
 * Score pred against gold, both n labels. n may be 0 (every score is then
 * 1, as scikit-learn's limit cases say, ARI included). Returns QUARRY_OK,
 * QUARRY_EINVAL (a NULL pointer with n > 0, or out NULL) or QUARRY_ENOMEM.
 * The contingency table is kept sparse (O(n) memory), so n labels of
 * n distinct values cost no n x n table.
 */
QUARRY_API int quarry_metrics_scores(quarry_cluster_scores *out,
                                     const int32_t *gold,
                                     const int32_t *pred, size_t n);

/* The single scores, each as in quarry_metrics_scores(). */
QUARRY_API int quarry_metrics_ari(double *out, const int32_t *gold,
                                  const int32_t *pred, size_t n);
QUARRY_API int quarry_metrics_nmi(double *out, const int32_t *gold,
                                  const int32_t *pred, size_t n);
QUARRY_API int quarry_metrics_v_measure(double *out, const int32_t *gold,
                                        const int32_t *pred, size_t n);
/* Adjusted mutual information (Vinh, Epps & Bailey 2010), arithmetic
 * normalisation as scikit-learn's default: (MI - E[MI]) / (mean(H_gold,
 * H_pred) - E[MI]), E[MI] under random labelings of the same cluster
 * sizes, so a random clusterer scores about 0 where its NMI does not (NMI
 * grows with the number of clusters). 1 for identical labelings; n = 0
 * or one cluster and one class on both sides: 1. O(classes x clusters x
 * the smaller sizes) lgamma calls. */
QUARRY_API int quarry_metrics_ami(double *out, const int32_t *gold,
                                  const int32_t *pred, size_t n);

typedef struct quarry_silhouette_options {
    uint32_t version;
    /* Rows drawn at random (without replacement) and scored among
     * themselves; 0, or not below the number of rows, scores every row. */
    size_t sample;
    uint64_t seed; /* of the draw */
} quarry_silhouette_options;

#define QUARRY_SILHOUETTE_OPTIONS_VERSION 1
#define QUARRY_SILHOUETTE_OPTIONS_INIT                                      \
    {QUARRY_SILHOUETTE_OPTIONS_VERSION, 0, 42}

/*
 * Mean silhouette with the cosine distance (1 - cosine similarity) of the
 * rows of x (sparse) or d (dense float32, row-major with ld): give exactly
 * one of them, with one label per row. A row of zeros is at distance 1
 * from every other row; a member of a one-row cluster scores 0.
 *
 * The cost is O(rows scored x (non-zeros per row) x clusters): the mean
 * distance of a row to a cluster is 1 - (its unit row) . (the sum of the
 * cluster's unit rows) / size, so no distance matrix is formed; sums are
 * kept in double.
 *
 * Returns QUARRY_OK, QUARRY_EINVAL (bad arguments: both or neither
 * matrix, NULL labels, a malformed matrix, an options version this
 * library does not know), QUARRY_ERANGE (the rows scored hold fewer than
 * 2 labels, or as many labels as rows: the silhouette is undefined, as in
 * scikit-learn) or QUARRY_ENOMEM. Dense memory is clusters x columns
 * doubles.
 */
QUARRY_API int quarry_metrics_silhouette(double *out, const quarry_csr *x,
                                         const quarry_dense *d,
                                         const int32_t *labels,
                                         const quarry_silhouette_options *o);


/* =================================================================== */
/* The meta-synthesis table: themes (or codes) against studies            */

/*
 * The table a qualitative evidence synthesis reports to show which primary
 * studies support each theme: one row per theme (or code), one column per
 * study, and in each cell the number of excerpts coded there and the
 * number of distinct participants behind them.
 *
 * Rows. With a codebook at QUARRY_SYNTH_THEME, every code rolls up to its
 * top-level theme: when the codebook has one root with children (an
 * overarching theme, as the PSS starter codebook has), the top-level themes
 * are the root's children; otherwise they are the roots. Rows are those
 * themes in codebook order, listed even when nothing is coded under them;
 * an excerpt coded to the root itself gets a row of the root's, after
 * them. At QUARRY_SYNTH_CODE rows are the leaf codes in codebook order,
 * and any theme an excerpt is coded to directly. Without a codebook rows
 * are the codes found, sorted by id (QUARRY_SYNTH_THEME then needs a
 * codebook: QUARRY_EINVAL).
 *
 * Counting. An excerpt counts once in a row however many of its codes
 * reach that row, and in every row its codes reach. Excerpts without a
 * code are skipped (counted in quarry_synth_uncoded()). Studies and
 * participants are string attributes of the excerpts (JSONL fields, CSV
 * columns); participants are told apart within their study (S1's "P01"
 * and S2's "P01" are two people). An excerpt of an interview transcript
 * (.txt, .md, .docx, .srt, .vtt) without the participant field counts
 * under its transcript, one participant a file (quarry_synth_by_source()
 * counts them). Studies are sorted by name.
 */
typedef enum quarry_synth_level {
    QUARRY_SYNTH_THEME = 0,
    QUARRY_SYNTH_CODE = 1
} quarry_synth_level;

typedef struct quarry_synth_options {
    uint32_t version;
    const quarry_codebook *codebook; /* NULL: the codes as they are */
    quarry_synth_level level;
    const char *study_field;       /* "study"; every coded excerpt needs it */
    const char *participant_field; /* "participant"; NULL to count none */
} quarry_synth_options;

#define QUARRY_SYNTH_OPTIONS_VERSION 1
#define QUARRY_SYNTH_OPTIONS_INIT                                           \
    {QUARRY_SYNTH_OPTIONS_VERSION, NULL, QUARRY_SYNTH_THEME, "study",       \
     "participant"}

/* One cell (or a total): excerpts and distinct participants. studies is
 * the number of studies with an excerpt in the row (totals only). */
typedef struct quarry_synth_cell {
    int64_t excerpts;
    int64_t participants;
    int32_t studies;
} quarry_synth_cell;

typedef struct quarry_synth quarry_synth;

/*
 * Build the table from the coded excerpts of c. Errors, with the message
 * on e naming the file, line and field: QUARRY_EINVAL (an excerpt without
 * the study or participant field, or QUARRY_SYNTH_THEME without a
 * codebook), QUARRY_ENOTFOUND (a code not in the codebook), QUARRY_ENOMEM.
 */
QUARRY_API int quarry_synth_run(quarry_synth **out, quarry_engine *e,
                                const quarry_corpus *c,
                                const quarry_synth_options *o);
QUARRY_API void quarry_synth_free(quarry_synth *s);
QUARRY_API int32_t quarry_synth_n_rows(const quarry_synth *s);
QUARRY_API int32_t quarry_synth_n_studies(const quarry_synth *s);
/* A row's code id and display name (the codebook's name, else the id). */
QUARRY_API const char *quarry_synth_row_id(const quarry_synth *s, int32_t r);
QUARRY_API const char *quarry_synth_row_name(const quarry_synth *s,
                                             int32_t r);
QUARRY_API const char *quarry_synth_study(const quarry_synth *s, int32_t j);
/* Cell (r, j); j == quarry_synth_n_studies() is the row's total across
 * studies, r == quarry_synth_n_rows() the study's total across rows (every
 * coded excerpt of the study), and both the grand total. NULL outside. */
QUARRY_API const quarry_synth_cell *
quarry_synth_cell_at(const quarry_synth *s, int32_t r, int32_t j);
/* Excerpts skipped because they carry no code. */
QUARRY_API int64_t quarry_synth_uncoded(const quarry_synth *s);
/* Coded excerpts without the participant field counted under their
 * transcript (one participant a file). */
QUARRY_API int64_t quarry_synth_by_source(const quarry_synth *s);

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_METRICS_H */
