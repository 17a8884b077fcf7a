/*
 * quarry/quarry.h -- the engine API of quarry.
 *
 * quarry turns interview excerpts into sparse term vectors through plugins
 * (tokenizer, stemmer, weighting, clusterer) and proposes codes and themes;
 * a person decides. This header is the library's whole public surface.
 *
 * Conventions (libgit2's): functions are quarry_<noun>_<verb>; types are
 * opaque; a constructor puts its out-parameter first and returns a status
 * (0 or a negative QUARRY_E* from quarry/plugin.h); every _free is NULL-safe;
 * option structs carry a `version` and have an _INIT macro.
 *
 * Ownership, stated once: whoever allocates frees. Strings and arrays handed
 * out by an accessor belong to the object they came from and live as long as
 * it does. Strings handed in are copied when kept.
 *
 * The library never prints and never exits. The last failure's message is
 * kept on the handle it happened on: quarry_engine_errmsg(),
 * quarry_corpus_errmsg(), and names the file, line and field where there is
 * one ("notes.jsonl:12: field \"text\": invalid UTF-8 at byte 40").
 */
#ifndef QUARRY_QUARRY_H
#define QUARRY_QUARRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(QUARRY_BUILDING_LIBRARY) && defined(__GNUC__)
#define QUARRY_API __attribute__((visibility("default")))
#else
#define QUARRY_API
#endif

/* Library version, also in quarry_version(). */
#define QUARRY_VERSION_MAJOR 0
#define QUARRY_VERSION_MINOR 1
#define QUARRY_VERSION_PATCH 0

QUARRY_API const char *quarry_version(void);

/* "QUARRY_EPARSE" and "malformed input" for QUARRY_EPARSE; "unknown" else. */
QUARRY_API const char *quarry_status_name(int status);
QUARRY_API const char *quarry_status_str(int status);

/* =================================================================== */
/* Engine: plugins, their options, host services                        */

typedef struct quarry_engine quarry_engine;

/* Receives every message of the library and its plugins (level from
 * quarry_log_level); the library itself never prints. */
typedef void (*quarry_log_fn)(void *ctx, int level, const char *msg);

/* Receives progress; return non-zero to cancel the work in hand. */
typedef int (*quarry_progress_fn)(void *ctx, const char *what, int64_t done,
                                  int64_t total);

typedef struct quarry_engine_options {
    uint32_t version;
    /* Colon-separated folders searched first for plugins (--plugin-path). */
    const char *plugin_path;
    /* Search QUARRY_PLUGIN_PATH, the build tree and the install folder. */
    int use_default_paths;
    quarry_log_fn log;
    void *log_ctx;
    quarry_progress_fn progress;
    void *progress_ctx;
    /* Folders searched for dictionaries before the defaults
     * (QUARRY_DICT_PATH, the source tree, the install folder). */
    const char *dictionary_path;
    /* Worker threads for reading, tokenizing, counting and scoring
     * (version 2); 0 = every online core. The results do not depend on
     * it. Version 1 structs end before this field and mean 0. */
    int32_t threads;
} quarry_engine_options;

#define QUARRY_ENGINE_OPTIONS_VERSION 2
#define QUARRY_ENGINE_OPTIONS_INIT                                          \
    {QUARRY_ENGINE_OPTIONS_VERSION, NULL, 1, NULL, NULL, NULL, NULL, NULL, 0}

QUARRY_API int quarry_engine_new(quarry_engine **out,
                                 const quarry_engine_options *opts);
QUARRY_API void quarry_engine_free(quarry_engine *e);
QUARRY_API const char *quarry_engine_errmsg(const quarry_engine *e);

/* Register the descriptors of an entry point without dlopen (built-ins,
 * tests). origin names them in messages ("built-in"). A refused descriptor
 * is logged and skipped; the call fails only when none could be added. */
QUARRY_API int quarry_engine_register(quarry_engine *e,
                                      quarry_plugin_entry_fn entry,
                                      const char *origin);

/* Open one shared object and register its descriptors. The entry symbol is
 * derived from the file name: kind_name.so exports quarry_plugin_kind_name. */
QUARRY_API int quarry_engine_load_file(quarry_engine *e, const char *path);

/* Open every plugin file on the search path. Files that are refused are
 * logged with the reason; returns the number of refusals (>= 0), or a
 * negative status when a folder could not be read. */
QUARRY_API int quarry_engine_load_all(quarry_engine *e);

/* Find a plugin of a kind by name, opening kind_name.so from the search
 * path if it is not registered yet. QUARRY_ENOTFOUND names what was tried. */
QUARRY_API int quarry_engine_find(quarry_engine *e, quarry_plugin_kind kind,
                                  const char *name,
                                  const quarry_plugin **out);

/* Registered plugins, in registration order, and where each came from. */
QUARRY_API size_t quarry_engine_plugin_count(const quarry_engine *e);
QUARRY_API const quarry_plugin *quarry_engine_plugin_at(const quarry_engine *e,
                                                        size_t i,
                                                        const char **origin);

/* The search path in effect, one folder a line (for messages). */
QUARRY_API const char *quarry_engine_plugin_dirs(const quarry_engine *e);

QUARRY_API const char *quarry_kind_name(quarry_plugin_kind kind);
/* "tokenizer" -> QUARRY_KIND_TOKENIZER; 0 if unknown. */
QUARRY_API quarry_plugin_kind quarry_kind_from_name(const char *name);

/* Set a plugin option, "plugin.key=value" as on the command line, for every
 * instance made afterwards. The key and value are checked when the plugin
 * is instantiated (unknown key, bad value, out of range). */
QUARRY_API int quarry_engine_set_option(quarry_engine *e, const char *spec);

/* Options set for plugins that no instance has used yet: "kmeans.nit" for a
 * misspelt plugin name. NULL when every option was used. */
QUARRY_API const char *quarry_engine_unused_option(const quarry_engine *e);

/* Find a dictionary file ("stopwords/en.txt") on the dictionary path. */
QUARRY_API int quarry_engine_find_dictionary(quarry_engine *e,
                                             const char *name, char *path,
                                             size_t cap);

/* An instance: a plugin with its options parsed and create() called. */
typedef struct quarry_instance quarry_instance;

QUARRY_API int quarry_instance_new(quarry_instance **out, quarry_engine *e,
                                   const quarry_plugin *p);
QUARRY_API void quarry_instance_free(quarry_instance *inst);
/* What quarry_instance_new checks before it calls the plugin's create():
 * the option defaults and the engine's options for p (marked used), with
 * the message on the engine; create() is not called, so a plugin that
 * crashes there cannot take the caller down (quarry bench). */
QUARRY_API int quarry_instance_check(quarry_engine *e,
                                     const quarry_plugin *p);
QUARRY_API const quarry_plugin *quarry_instance_plugin(
    const quarry_instance *inst);
QUARRY_API void *quarry_instance_self(const quarry_instance *inst);

/* Parse one option value into a config struct as the host does (exposed
 * for tests and for embedders with their own option syntax). err gets the
 * reason on failure. */
QUARRY_API int quarry_option_parse(const quarry_option *opt, const char *value,
                                   void *config, char *err, size_t errcap);

/* =================================================================== */
/* Corpus: excerpts read from JSONL, CSV or speaker-turn transcripts       */

typedef struct quarry_corpus quarry_corpus;

typedef enum quarry_format {
    QUARRY_FORMAT_AUTO = 0, /* by extension: .jsonl/.json, .csv/.tsv, .txt,
                               .md, .srt, .vtt */
    QUARRY_FORMAT_JSONL = 1,
    QUARRY_FORMAT_CSV = 2,
    QUARRY_FORMAT_TRANSCRIPT = 3
} quarry_format;

typedef enum quarry_segment {
    QUARRY_SEGMENT_TURN = 0, /* one excerpt per speaker turn */
    QUARRY_SEGMENT_PARAGRAPH = 1,
    QUARRY_SEGMENT_SENTENCE = 2
} quarry_segment;

typedef struct quarry_read_options {
    uint32_t version;
    quarry_format format;
    quarry_segment segment;     /* transcripts only */
    const char *id_field;       /* "id" */
    const char *text_field;     /* "text" */
    const char *code_field;     /* "code" */
    int require_code;           /* every excerpt must carry a code */
    int allow_empty;            /* keep excerpts with empty text */
    size_t max_excerpt_bytes;   /* 0 = no limit; longer is an error */
    const char *display_name;   /* name used in messages ("-" -> "<stdin>") */
    /* Version 2; version 1 structs end before these and mean NULL. */
    /* Transcripts: the speakers who are interviewers, "Name[,Name]"
     * (case-insensitive), beside those the labels and the header name. */
    const char *interviewers;
    /* Transcripts: ids are "<id_prefix>#<n>"; NULL = the file's stem. */
    const char *id_prefix;
    /* An excerpt whose text is empty or only white space is left out, and
     * one notice counts them; strict refuses the file instead (allow_empty
     * keeps them). */
    int strict;
    /* CSV: ',', ';' or '\t'; 0 = the one that occurs most often in the
     * header line outside quotes (ties: comma, then semicolon, then tab). */
    char delimiter;
    /* When set, a code may be given by its id or by its name (exact,
     * ignoring case); a name two codes share, and a code that is neither,
     * refuse the file. The codes read are the ids. */
    const struct quarry_codebook *codebook;
    /* Receives notices and warnings about the input (excerpts left out, a
     * transcript whose speaker turns were not found), one line each; may
     * be NULL. */
    quarry_log_fn notice;
    void *notice_ctx;
    /* Version 3; version 2 structs end before it and mean NULL. The
     * file's character encoding as iconv names it ("windows-1252",
     * "latin1", "utf-16le", "macintosh"); NULL or "auto": UTF-8, or
     * UTF-16/UTF-32 when the file starts with their byte-order mark. A
     * Word document (.docx, told by its zip signature) is read as the
     * text of its paragraphs, whatever the encoding. Offsets (an
     * excerpt's start and end) count bytes of the text as read, in
     * UTF-8. */
    const char *encoding;
} quarry_read_options;

#define QUARRY_READ_OPTIONS_VERSION 3
#define QUARRY_READ_OPTIONS_INIT                                            \
    {QUARRY_READ_OPTIONS_VERSION, QUARRY_FORMAT_AUTO, QUARRY_SEGMENT_TURN,   \
     "id", "text", "code", 0, 0, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, \
     NULL}

/* One excerpt; every pointer belongs to the corpus. */
typedef struct quarry_excerpt {
    const char *id;
    const char *text; /* NUL-terminated, text_len bytes, valid UTF-8 */
    size_t text_len;
    const char *source;  /* file it came from */
    const char *speaker; /* transcripts, or a "speaker" field; may be NULL */
    int64_t line;        /* line of the file where it starts (1-based) */
    int64_t start, end;  /* byte offsets of the text in its source file;
                            -1 when the text was a field value */
    int32_t n_codes;
    const char *const *codes;
    /* Other fields of the record as a compact JSON object ("{}" if none). */
    const char *attributes;
} quarry_excerpt;

QUARRY_API int quarry_corpus_new(quarry_corpus **out);
QUARRY_API void quarry_corpus_free(quarry_corpus *c);
QUARRY_API const char *quarry_corpus_errmsg(const quarry_corpus *c);
/* Worker threads that parse the lines of later reads (JSONL); 0, the
 * default, = every online core. The corpus read does not depend on it. */
QUARRY_API int quarry_corpus_set_threads(quarry_corpus *c, int32_t threads);

/* Append every excerpt of a file ("-" reads standard input). On failure
 * nothing of the file is kept and the message names file, line and field;
 * when several records are bad it lists the first 20 of them, one a line,
 * and says how many more there are. Duplicate ids (within the file or with
 * excerpts already read) fail. */
QUARRY_API int quarry_corpus_read_file(quarry_corpus *c, const char *path,
                                       const quarry_read_options *o);
/* The same over an open stream; name is used in messages. */
QUARRY_API int quarry_corpus_read_stream(quarry_corpus *c, FILE *f,
                                         const char *name,
                                         const quarry_read_options *o);
/* The same over a buffer (len bytes, need not be NUL-terminated). */
QUARRY_API int quarry_corpus_read_buffer(quarry_corpus *c, const char *buf,
                                         size_t len, const char *name,
                                         const quarry_read_options *o);

QUARRY_API size_t quarry_corpus_size(const quarry_corpus *c);
/* The excerpt at i (0-based, in reading order); NULL past the end. */
QUARRY_API const quarry_excerpt *quarry_corpus_at(const quarry_corpus *c,
                                                  size_t i);
/* A string field of the attributes ("study"), or NULL. */
QUARRY_API const char *quarry_corpus_attribute(const quarry_corpus *c,
                                               size_t i, const char *key);

/* Whose turns to keep: the "role" attribute of an excerpt (transcripts
 * set it; a JSONL or CSV "role" field is kept as one) says "interviewer"
 * or "participant". Participants means every excerpt that is not an
 * interviewer's turn (one without a role included). */
typedef enum quarry_speakers {
    QUARRY_SPEAKERS_PARTICIPANTS = 0, /* the default of suggest, review,
                                         themes */
    QUARRY_SPEAKERS_ALL = 1,
    QUARRY_SPEAKERS_INTERVIEWERS = 2
} quarry_speakers;

/* 1 when excerpt i is an interviewer's turn (role "interviewer", any
 * case), else 0. */
QUARRY_API int quarry_corpus_is_interviewer(const quarry_corpus *c,
                                            size_t i);
/* A new corpus of c's excerpts whose speakers are `which`, in c's order,
 * each excerpt copied whole (id, text, codes, speaker, source, line,
 * offsets, attributes). *left_out (may be NULL) receives how many were
 * left out. The caller frees *out. */
QUARRY_API int quarry_corpus_select_speakers(const quarry_corpus *c,
                                             quarry_speakers which,
                                             quarry_corpus **out,
                                             size_t *left_out);

/* A new corpus of c's excerpts that have the attribute key (a string),
 * in c's order, copied whole as above; *left_out (may be NULL) receives
 * how many had none. The caller frees *out. */
QUARRY_API int quarry_corpus_select_attribute(const quarry_corpus *c,
                                              const char *key,
                                              quarry_corpus **out,
                                              size_t *left_out);

/* =================================================================== */
/* Text pipeline: tokenize, filter, vocabulary, counts, weights          */

typedef struct quarry_pipeline_options {
    uint32_t version;
    const char *tokenizer;  /* plugin name, "regex" */
    const char *stemmer;    /* plugin name, "snowball"; "none" for none */
    const char *weighting;  /* plugin name, "tfidf" */
    const char *language;   /* "en": stemmer language and stopword list */
    const char *stopwords;  /* dictionary name or path; NULL = by language;
                               "none" for none */
    const char *lexicon;    /* dictionary name or path; NULL = the PSS
                               lexicon; "none" for none */
    int64_t min_df;         /* drop terms in fewer excerpts (>= 1) */
    double max_df;          /* drop terms in more than this share (0, 1] */
    int64_t max_features;   /* keep the most frequent; 0 = all */
} quarry_pipeline_options;

#define QUARRY_PIPELINE_OPTIONS_VERSION 1
#define QUARRY_PIPELINE_OPTIONS_INIT                                        \
    {QUARRY_PIPELINE_OPTIONS_VERSION, "regex", "snowball", "tfidf", "en",    \
     NULL, NULL, 2, 0.5, 0}

/*
 * A fitted text model: the plugin instances, the filters, the vocabulary
 * and the corpus statistics of the excerpts it was fitted on. Excerpts read
 * later are vectorised with the same vocabulary and weights.
 */
typedef struct quarry_model quarry_model;

QUARRY_API int quarry_model_fit(quarry_model **out, quarry_engine *e,
                                const quarry_pipeline_options *o,
                                const quarry_corpus *c);
QUARRY_API void quarry_model_free(quarry_model *m);

QUARRY_API int64_t quarry_model_n_terms(const quarry_model *m);
/* The display form of a term ("lived experience", "support"). */
QUARRY_API const char *quarry_model_term(const quarry_model *m, int64_t id);

/* Weighted, L2-normalised sparse rows of the excerpts of c (fitted or not).
 * The matrix belongs to the caller: quarry_csr_free(). */
QUARRY_API int quarry_model_transform(quarry_model *m, const quarry_corpus *c,
                                      quarry_csr **out);

QUARRY_API void quarry_csr_free(quarry_csr *m);

/* =================================================================== */
/* Themes: clusters of excerpts as candidate themes                      */

typedef struct quarry_themes_options {
    uint32_t version;
    const char *clusterer; /* plugin name, "kmeans" */
    /* 2 .. excerpts; 0 = the clusterer chooses (`--k auto`): a clusterer
     * that cannot refuses with QUARRY_ERANGE and says so. */
    int32_t k;
    uint64_t seed;
    int32_t n_terms;           /* top terms per theme */
    int32_t n_representatives; /* excerpts nearest the centroid */
    /* LSA before clustering (version 2): the rows are reduced to this many
     * dense dimensions by a randomized truncated SVD, and the clusterer is
     * given them beside the sparse rows (terms, representatives and
     * cohesion stay in the sparse space). 0 = no reduction. When dims is
     * not below min(excerpts, terms) there is nothing to reduce and the
     * run clusters the sparse rows, as with 0. Version 1 structs end
     * before this field and mean 0. */
    int32_t dims;
    /* Version 3; version 1 and 2 structs end before these and mean NULL,
     * 0.5, 3 and 0.
     * coded: excerpts already coded (those without a code are ignored).
     * Each is matched to a theme: to the theme of the input excerpt with
     * the same id when there is one, else to the theme whose centroid is
     * nearest (cosine in the fitted term space, above 0). A theme lists
     * its n_codes most frequent codes among its matched excerpts. Input
     * excerpts that no code fits (not coded, and suggest, learnt from the
     * coded excerpts, less sure of any code for them than of nearly all
     * coded excerpts) are clustered apart, and each such cluster that is
     * as far from every code as the codes are from each other becomes a
     * theme of its own, new (quarry_theme.fits_no_code; themes_new.c): so
     * a run can return more themes than k. A theme is new too when less
     * than min_share of its members are covered (coded, or fit a code;
     * min_share of the share coded excerpts themselves reach; coded only
     * when whether a code fits cannot be told, as with fewer than two
     * coded excerpts: a warning says so). */
    const quarry_corpus *coded;
    double min_share; /* (0, 1] */
    int32_t n_codes;  /* >= 1 */
    /* Higher themes: 0 for none, else G groups (at most one per theme) by
     * Ward's linkage over the themes' members on cosine (exact, from the
     * themes' sums). */
    int32_t groups;
} quarry_themes_options;

/* The dims of QUARRY_THEMES_OPTIONS_INIT. */
#define QUARRY_THEMES_DEFAULT_DIMS 100

#define QUARRY_THEMES_OPTIONS_VERSION 3
#define QUARRY_THEMES_OPTIONS_INIT                                          \
    {QUARRY_THEMES_OPTIONS_VERSION, "kmeans", 0, 42, 10, 3,                \
     QUARRY_THEMES_DEFAULT_DIMS, NULL, 0.5, 3, 0}

typedef struct quarry_theme {
    int32_t id;
    int64_t size;
    int32_t n_terms;
    const char *const *terms;
    const float *term_weights;
    int32_t n_representatives;
    const int64_t *representatives; /* excerpt indices, nearest first */
    const int64_t *members;         /* size excerpt indices, ascending */
    double cohesion;                /* mean cosine of members to centroid */
    /* With groups: the higher theme (0 ..), else -1. */
    int32_t group;
    /* With coded excerpts: how many were matched to this theme, its most
     * frequent codes among them (most first, ties by code), their counts
     * and shares (count / n_coded), and whether it is new. Otherwise 0,
     * NULL and 0. */
    int64_t n_coded;
    int32_t n_codes;
    const char *const *codes;
    const int64_t *code_counts;
    const double *code_shares;
    int is_new;
    /* With coded excerpts: the share of its members that are coded or
     * fit a code (quarry_themes_options.min_share); otherwise 0. */
    double covered;
    /* With coded excerpts: its members that no code fits, and how many of
     * its uncoded members would be so at the rate the coded excerpts
     * themselves are (each scored as if left out). Otherwise 0. */
    int64_t unlike;
    double unlike_expected;
    /* With coded excerpts: 1 when the theme gathers excerpts that no code
     * fits and that together are as far from every code as the codes are
     * from each other (a theme the codes do not have; it is new).
     * Otherwise 0. */
    int fits_no_code;
} quarry_theme;

/* A higher theme: themes grouped (quarry_themes_options.groups). */
typedef struct quarry_theme_group {
    int32_t id;
    int64_t size;             /* excerpts in its themes */
    int32_t n_themes;
    const int32_t *themes;    /* theme ids, ascending */
    int32_t n_terms;          /* labelled as a theme, over its members */
    const char *const *terms;
} quarry_theme_group;

typedef struct quarry_themes quarry_themes;

QUARRY_API int quarry_themes_run(quarry_themes **out, quarry_engine *e,
                                 const quarry_pipeline_options *po,
                                 const quarry_themes_options *to,
                                 const quarry_corpus *c);
QUARRY_API void quarry_themes_free(quarry_themes *t);
QUARRY_API int32_t quarry_themes_count(const quarry_themes *t);
/* Themes in order of size, largest first. */
QUARRY_API const quarry_theme *quarry_themes_at(const quarry_themes *t,
                                                int32_t i);
/* Excerpts the clusterer left out of every theme (noise, label -1). */
QUARRY_API int64_t quarry_themes_unassigned(const quarry_themes *t);
/* Coded excerpts matched to no theme (no shared term with any). */
QUARRY_API int64_t quarry_themes_unmatched(const quarry_themes *t);
/* Higher themes (0 without groups), numbered in order of their largest
 * theme. */
QUARRY_API int32_t quarry_themes_group_count(const quarry_themes *t);
QUARRY_API const quarry_theme_group *
quarry_themes_group_at(const quarry_themes *t, int32_t g);

/* =================================================================== */
/* Suggestions: ranked candidate codes learnt from coded excerpts         */

/* A codebook (JSON: {"codes": [{"id", "name", "parent", "definition",
 * "include", "exclude", "keywords", "color"}]}). A code with children is a
 * theme and is never suggested; the others are leaf codes. */
typedef struct quarry_codebook quarry_codebook;

/* Read and validate a codebook: every id a unique string, every parent an
 * existing code, no cycles. The message (quarry_engine_errmsg) names the
 * file and the code id. */
QUARRY_API int quarry_codebook_load(quarry_codebook **out, quarry_engine *e,
                                    const char *path);
QUARRY_API void quarry_codebook_free(quarry_codebook *cb);
QUARRY_API int32_t quarry_codebook_size(const quarry_codebook *cb);
/* The id of the code at i (file order), or NULL. */
QUARRY_API const char *quarry_codebook_id(const quarry_codebook *cb,
                                          int32_t i);
/* Index of a code id, or -1. */
QUARRY_API int32_t quarry_codebook_find(const quarry_codebook *cb,
                                        const char *id);
/* 1 if the code at i has children and is not marked "codable" (a theme,
 * not suggested). */
QUARRY_API int quarry_codebook_is_theme(const quarry_codebook *cb, int32_t i);

typedef struct quarry_suggest_options {
    uint32_t version;
    /* suggestions per excerpt, 1..codes (3); 0: 3, or every code when
     * there are fewer */
    int32_t top;
    /* nearest training excerpts looked at (10); 0: none, the score is the
     * cosine to the prototypes alone (no neighbour search: faster on
     * large training sets, usually less accurate) */
    int32_t neighbours;
    /* Abstain below this top confidence (0.3), or below chance among the
     * C candidate codes plus a margin when that is higher: the threshold
     * is max(min_confidence, 1/C + 0.05), so a confidence no better than
     * chance never passes for a suggestion. */
    double min_confidence;
    /* score = proto_weight * cosine(x, prototype)
     *       + (1 - proto_weight) * (sum over the neighbours carrying the
     *         code of similarity^2 / the neighbour's number of codes)
     *         / neighbours                                        (0.5) */
    double proto_weight;
    /* A code's prototype blends the mean of its exemplars with its codebook
     * entry, the entry weighing prior / (prior + exemplars) (3). */
    double definition_prior;
    /* confidence = softmax(score / temperature) over the codes, times the
     * excerpt's evidence factor in (0, 1]: the less its terms point to
     * particular codes of the training set, the lower (the rest is a
     * "none of these" share; an excerpt that says little abstains). 0 (the
     * default since version 2): the temperature fitted on the training set
     * itself, each coded excerpt scored as if it were left out (its own
     * prototype share and neighbour vote removed), minimising the negative
     * log-likelihood of its codes. > 0: that temperature. The factor is
     * fitted either way, on the same left-out excerpts and cuts of them to
     * a few terms, to the odds that the top code is right. */
    double temperature;
    int32_t n_terms;        /* evidence terms per suggestion (5) */
    int32_t n_evidence;     /* neighbour ids per suggestion (3) */
    const quarry_codebook *codebook; /* NULL: codes of the training set */
    /* Rejected suggestions (version 2): each excerpt's codes are codes a
     * coder rejected for it; the excerpt need not be in the training set
     * (matched by id when it is). A rejected (excerpt, code) is no exemplar
     * and no neighbour vote for that code, and pushes the code's prototype
     * away from the excerpt (Rocchio: prototype - 0.5 x the mean of the
     * code's rejected rows, negative weights cut to 0, renormalised).
     * Codes that are not candidates are ignored. NULL: none. Version 1
     * structs end before this field and mean NULL. */
    const quarry_corpus *rejected;
    /* The linear model (version 3): one-vs-rest logistic regression on the
     * coded excerpts (liblinear), its probability of each code blended
     * into the score: score = (1 - linear) x the score above + linear x
     * P(code), and calibrated with it (each coded excerpt of the
     * calibration scored by a model trained without it). Read when
     * auto_select is 0; linear 0: none, the scores above alone. */
    double linear;
    double linear_c;   /* its regularisation C, > 0 (1) */
    unsigned features; /* QUARRY_FEATURES_* blocks it reads beside the
                          words (0: the words alone) */
    /* 1 (QUARRY_SUGGEST_OPTIONS_INIT's default): quarry chooses. The model
     * reads the words, the form block and character n-grams (where the
     * charngram plugin is installed) at C = 10, and its share, or none,
     * is chosen by cross-validation on the coded excerpts
     * (quarry_suggestions_choice says what was chosen and what it scored);
     * the three fields above are then ignored. Above
     * QUARRY_SUGGEST_AUTO_MAX_CODED coded excerpts: no linear model. 0:
     * the three fields above. */
    int auto_select;
    uint64_t seed; /* the model's shuffles and the folds (0 works too) */
} quarry_suggest_options;

/* Feature blocks of the linear model beside the words (features.h). */
#define QUARRY_FEATURES_FORM 1u  /* function words, word bigrams, ? and ! */
#define QUARRY_FEATURES_CHARS 2u /* character n-grams (charngram plugin) */

/* auto_select's limit: above this many coded excerpts no linear model (on
 * 87,000 coded paragraphs one lifts top-1 from 0.737 to 0.749 at ten times
 * the CPU time of the whole run). */
#define QUARRY_SUGGEST_AUTO_MAX_CODED 20000

#define QUARRY_SUGGEST_OPTIONS_VERSION 3
#define QUARRY_SUGGEST_OPTIONS_INIT                                         \
    {QUARRY_SUGGEST_OPTIONS_VERSION, 3, 10, 0.3, 0.5, 3.0, 0.0, 5, 3, NULL, \
     NULL, 0.0, 1.0, 0u, 1, 0u}

typedef struct quarry_suggestion {
    const char *code;
    double score;      /* combined score (see proto_weight) */
    double confidence; /* in [0, 1], falls with rank (see temperature) */
    int32_t n_terms;   /* terms of the excerpt by x[t] * prototype[t] */
    const char *const *terms;
    const float *term_weights;
    int32_t n_neighbours; /* nearest training excerpts carrying the code */
    const int64_t *neighbours;      /* indices into the training corpus */
    const float *neighbour_scores;  /* their cosine similarities */
} quarry_suggestion;

typedef struct quarry_suggestions quarry_suggestions;

/* Fit the text model on train (every excerpt; those with codes are the
 * exemplars), build one prototype per leaf code and rank the codes for
 * every excerpt of input. With a codebook, a training code not in it is an
 * error naming the file, line and code. so may be NULL (the defaults) or
 * a version 1 or 2 struct; QUARRY_EINVAL for another version.
 * With a codebook and no coded excerpt in train (train may be empty), the
 * codes are ranked by their codebook entries alone, the model fitted on
 * input (quarry_suggestions_codebook_only).
 * The quarry command runs this with min_df 1 and sublinear tf
 * (tfidf.tf=log), which suggest ranks best with (the pipeline's own
 * defaults, min_df 2 and raw tf, suit themes); embedders should do the
 * same. */
QUARRY_API int quarry_suggest_run(quarry_suggestions **out, quarry_engine *e,
                                  const quarry_pipeline_options *po,
                                  const quarry_suggest_options *so,
                                  const quarry_corpus *train,
                                  const quarry_corpus *input);
QUARRY_API void quarry_suggestions_free(quarry_suggestions *s);
/* Input excerpts (one entry each, input order). */
QUARRY_API size_t quarry_suggestions_size(const quarry_suggestions *s);
/* Suggestions of input excerpt i, best first. */
QUARRY_API int32_t quarry_suggestions_count(const quarry_suggestions *s,
                                            size_t i);
QUARRY_API const quarry_suggestion *
quarry_suggestions_at(const quarry_suggestions *s, size_t i, int32_t rank);
/* 1 when the top confidence of excerpt i is below the threshold,
 * max(min_confidence, 1/C + 0.05) for C candidate codes. */
QUARRY_API int quarry_suggestions_abstain(const quarry_suggestions *s,
                                          size_t i);
/* The softmax temperature of the confidences: the options' own, or the
 * one fitted on the training set (temperature 0). */
QUARRY_API double quarry_suggestions_temperature(const quarry_suggestions *s);
/* 1 when the run had no coded excerpt and ranked the codes by the
 * codebook's entries alone: its confidences are a softmax at a fixed
 * temperature, not calibrated on coded excerpts, and an excerpt abstains
 * below 0.5 (or min_confidence when higher). */
QUARRY_API int quarry_suggestions_codebook_only(const quarry_suggestions *s);
/* The calibration's held-out rows: each coded training excerpt the
 * calibration scored (at most 1000, evenly spaced), its top confidence
 * as if it had been left out of training, and whether that top code is
 * one of its codes (1) or not (0). Returns how many (0 when nothing was
 * calibrated: fewer than two coded excerpts, or the codebook alone); the
 * arrays (may be NULL) live as long as s. */
QUARRY_API int64_t quarry_suggestions_heldout(const quarry_suggestions *s,
                                              const double **confidence,
                                              const int **correct);

/* What a run's linear model was: chosen by cross-validation (auto 1, with
 * the folds' top-1 and top-3 of the choice and of the scores without the
 * linear model) or as the options said (auto 0, the figures 0). With
 * auto 1, coded above QUARRY_SUGGEST_AUTO_MAX_CODED: no model was tried
 * (rows 0). */
typedef struct quarry_suggest_choice {
    int auto_selected;
    double linear;
    double linear_c;
    unsigned features;
    int32_t folds;        /* folds of the cross-validation */
    int64_t rows;         /* coded excerpts it scored */
    double top1, top3;    /* of the choice */
    double base_top1, base_top3; /* without the linear model */
    int64_t coded;        /* coded training excerpts */
} quarry_suggest_choice;
QUARRY_API const quarry_suggest_choice *
quarry_suggestions_choice(const quarry_suggestions *s);

#ifdef __cplusplus
}
#endif

/* The rest of the API, one header per noun. */
#include "project.h" /* projects: one SQLite file per study */
#include "agree.h"   /* agreement between coders */
#include "metrics.h" /* clustering scores against gold labels */
#include "refi.h"    /* REFI-QDA exchange (.qdpx, .qdc) */

#endif /* QUARRY_QUARRY_H */
