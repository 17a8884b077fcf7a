/*
 * quarry/plugin.h -- the plugin ABI of quarry.
 *
 * A quarry plugin is a shared object (tokenizer_regex.so, weighting_tfidf.so,
 * ...) that exports exactly one symbol named after its file:
 *
 *     QUARRY_PLUGIN_ENTRY(tokenizer_regex)   defines
 *     const quarry_plugin *const *quarry_plugin_tokenizer_regex(void);
 *
 * which returns a NULL-terminated array of static descriptors. The same
 * function registers the plugin statically (quarry_engine_register() in
 * quarry.h), so built-ins, tests and fuzzers need no dlopen. A plugin never
 * links libquarry: everything it needs from the host comes through the
 * quarry_host table handed to create(). This header is self-contained C11.
 *
 * The rules:
 *  1. Descriptors are static, immutable and live as long as the .so.
 *  2. An instance is used by one thread at a time; the host makes one per
 *     worker (libstemmer and PCRE2 match data need this).
 *  3. Whoever allocates frees; pointers handed in are valid during the call
 *     only, with one exception: the quarry_host table handed to create()
 *     (and its ctx) stays valid until destroy(), so a plugin may keep it.
 *  4. Every method returns a status (QUARRY_OK or a negative QUARRY_E*); on
 *     failure it writes a NUL-terminated message of at most QUARRY_ERR_MAX
 *     bytes into err (never NULL). A plugin never prints: it logs through
 *     the host.
 *  5. The host refuses a descriptor whose abi != QUARRY_ABI_VERSION ("plugin
 *     X was built for ABI n, quarry has m"). Within one ABI, structs only
 *     grow at the end; a reader checks `size` before reading a newer field.
 *  6. Optional methods are NULL and the host checks before calling.
 */
#ifndef QUARRY_PLUGIN_H
#define QUARRY_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to a struct or a method signature. */
#define QUARRY_ABI_VERSION 1

/* Size of every error buffer that crosses the ABI, terminating NUL included. */
#define QUARRY_ERR_MAX 512

/*
 * Status codes: 0 is success, failures are negative. One X-macro table gives
 * the codes, their names and their messages (quarry_status_name() and
 * quarry_status_str() in quarry.h).
 */
#define QUARRY_STATUS_MAP(X)                                        \
    X(OK, 0, "success")                                             \
    X(ENOMEM, -1, "out of memory")                                  \
    X(EINVAL, -2, "invalid argument")                               \
    X(EIO, -3, "input/output error")                                \
    X(EPARSE, -4, "malformed input")                                \
    X(ENOTFOUND, -5, "not found")                                   \
    X(EABI, -6, "incompatible plugin ABI")                          \
    X(EPLUGIN, -7, "plugin failure")                                \
    X(ECANCELED, -8, "cancelled")                                   \
    X(EDUP, -9, "duplicate")                                        \
    X(ERANGE, -10, "value out of range")                            \
    X(EUTF8, -11, "invalid UTF-8")                                  \
    X(EINTERNAL, -12, "internal error")                             \
    X(EEXIST, -13, "already exists")                                \
    X(EVERSION, -14, "unsupported version")

typedef enum quarry_status {
#define QUARRY_STATUS_ENUM_(name, code, msg) QUARRY_##name = code,
    QUARRY_STATUS_MAP(QUARRY_STATUS_ENUM_)
#undef QUARRY_STATUS_ENUM_
} quarry_status;

/* ------------------------------------------------------------------ */
/* Shapes shared by host and plugins (host-owned, borrowed by plugins) */

/*
 * A sparse matrix in compressed sparse row form: row i holds the entries
 * row_ptr[i] .. row_ptr[i+1]-1 of col_idx and values, columns ascending.
 * Rows are excerpts, columns are vocabulary terms. A weighting plugin may
 * rewrite `values` in place; nothing else in it may change.
 */
typedef struct quarry_csr {
    int64_t rows;
    int64_t cols;
    int64_t *row_ptr; /* rows + 1 entries */
    int32_t *col_idx; /* row_ptr[rows] entries */
    float *values;    /* row_ptr[rows] entries */
} quarry_csr;

/* A dense row-major float32 matrix with a leading dimension (CBLAS style). */
typedef struct quarry_dense {
    int64_t rows;
    int64_t cols;
    int64_t ld; /* >= cols */
    float *data;
} quarry_dense;

/*
 * Corpus statistics a weighting scheme needs, computed by the host over the
 * reference corpus (the training excerpts for suggest, the input for themes),
 * so the same weights apply to excerpts seen later.
 */
typedef struct quarry_corpus_stats {
    uint32_t size;        /* sizeof(quarry_corpus_stats) as the host knows it */
    int64_t n_docs;       /* excerpts in the reference corpus */
    int64_t n_terms;      /* columns of the matrix */
    const int64_t *df;    /* n_terms: excerpts containing the term */
    const int64_t *cf;    /* n_terms: occurrences of the term */
    double avg_doc_len;   /* mean tokens kept per excerpt */
    const float *doc_len; /* rows of the matrix being weighed: tokens kept */
} quarry_corpus_stats;

/* One token: a byte span of the host's text, with an optional new form. */
typedef struct quarry_token {
    size_t offset; /* byte offset into the text handed to tokenize() */
    size_t len;    /* byte length of the span */
    /* The term's form if it differs from the span (case folded, normalised);
     * NULL means the span itself. Valid during the emit call only. */
    const char *form;
    size_t form_len;
} quarry_token;

/* Return 0 to go on, non-zero to stop tokenizing (tokenize() then returns
 * QUARRY_ECANCELED). */
typedef int (*quarry_token_fn)(void *payload, const quarry_token *tok);

/* ------------------------------------------------------------------ */
/* Host services                                                       */

typedef enum quarry_log_level {
    QUARRY_LOG_ERROR = 0,
    QUARRY_LOG_WARN = 1,
    QUARRY_LOG_INFO = 2,
    QUARRY_LOG_DEBUG = 3
} quarry_log_level;

typedef enum quarry_transpose {
    QUARRY_NO_TRANS = 0,
    QUARRY_TRANS = 1
} quarry_transpose;

/*
 * Services the host offers, append-only: a plugin compiled against an older
 * header reads only the fields it knows; one compiled against a newer header
 * checks `size` (offsetof the field + its size) before using a newer field.
 * Any service may be NULL.
 */
typedef struct quarry_host {
    uint32_t size;
    void *ctx; /* first argument of every service */
    void (*log)(void *ctx, int level, const char *fmt, va_list ap);
    /* Path of a dictionary file by name ("stopwords/en.txt"); QUARRY_OK and
     * the NUL-terminated path in path[cap], or QUARRY_ENOTFOUND. */
    int (*find_dictionary)(void *ctx, const char *name, char *path, size_t cap);
    /* Row-major C = alpha * op(A) op(B) + beta * C through the host's BLAS,
     * so every plugin shares one BLAS and its thread settings. */
    void (*sgemm)(void *ctx, int trans_a, int trans_b, int64_t m, int64_t n,
                  int64_t k, float alpha, const float *a, int64_t lda,
                  const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc);
    /* Report progress; a non-zero return asks the plugin to stop and return
     * QUARRY_ECANCELED. */
    int (*progress)(void *ctx, int64_t done, int64_t total);
    /* Threads the plugin may run for one call (the command's --threads;
     * at least 1). Appended in quarry 0.1: read it only when size covers
     * it, and treat 0 as "not said". */
    int32_t threads;
} quarry_host;

/* printf-style logging through the host, safe when log is NULL. */
static inline void quarry_host_log(const quarry_host *h, int level,
                                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void quarry_host_log(const quarry_host *h, int level,
                                   const char *fmt, ...)
{
    va_list ap;
    if (h == NULL || h->log == NULL)
        return;
    va_start(ap, fmt);
    h->log(h->ctx, level, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Options: declared by the plugin, parsed and checked by the host      */

typedef enum quarry_opt_type {
    QUARRY_OPT_BOOL = 1,   /* int: 0 or 1; "true/false/yes/no/on/off/1/0" */
    QUARRY_OPT_INT = 2,    /* int64_t, range-checked against min and max */
    QUARRY_OPT_DOUBLE = 3, /* double, range-checked against min and max */
    QUARRY_OPT_STRING = 4, /* const char *, host-owned, valid during create() */
    QUARRY_OPT_ENUM = 5    /* int: index into choices ("raw|log|boolean") */
} quarry_opt_type;

/*
 * One option. The host allocates the plugin's config struct
 * (config_size bytes, zeroed), writes every default, then the user's values,
 * and hands it to create(). A table ends with an entry whose name is NULL.
 */
typedef struct quarry_option {
    const char *name;          /* [a-z0-9_]+ */
    quarry_opt_type type;
    size_t offset;             /* offsetof(config struct, field) */
    const char *default_value; /* in the same text form a user writes */
    double min, max;           /* INT and DOUBLE; min > max means unbounded */
    const char *choices;       /* ENUM: "a|b|c"; otherwise NULL */
    const char *help;          /* one line */
} quarry_option;

#define QUARRY_OPTIONS_END {NULL, (quarry_opt_type)0, 0, NULL, 0, 0, NULL, NULL}

/* ------------------------------------------------------------------ */
/* Plugin kinds and their methods                                      */

typedef enum quarry_plugin_kind {
    QUARRY_KIND_TOKENIZER = 1,
    QUARRY_KIND_STEMMER = 2,
    QUARRY_KIND_WEIGHTING = 3,
    QUARRY_KIND_CLUSTERER = 4
} quarry_plugin_kind;

/* What a clusterer wants to be given (flags). */
#define QUARRY_NEEDS_SPARSE 1u /* the weighted, L2-normalised CSR rows */
#define QUARRY_NEEDS_DENSE 2u  /* dense reduced rows (LSA) when available */

/* Input of a clustering run. */
typedef struct quarry_cluster_input {
    uint32_t size;
    const quarry_csr *x;        /* weighted rows, L2-normalised; may be NULL */
    const quarry_dense *dense;  /* reduced rows, L2-normalised; may be NULL */
    int32_t k;                  /* clusters wanted; 0 = the plugin chooses */
    uint64_t seed;              /* every random choice derives from this */
} quarry_cluster_input;

/* Output of a clustering run, host-allocated. */
typedef struct quarry_cluster_output {
    uint32_t size;
    int32_t *labels;   /* one per row, in 0..n_clusters-1, or -1 for noise */
    /* centroids: max_clusters x dim, row-major, or NULL if not wanted; dim is
     * dense->cols when dense rows were given and used, else x->cols. */
    float *centroids;
    int64_t dim;
    int32_t max_clusters; /* room in centroids */
    int32_t n_clusters;   /* set by the plugin */
    double objective;     /* set by the plugin: e.g. sum of cosine similarities */
    int32_t used_dense;   /* set by the plugin: 1 if it clustered dense rows */
} quarry_cluster_output;

typedef struct quarry_plugin quarry_plugin;

/*
 * A plugin descriptor. Fill the common part and the methods of your kind;
 * leave the others NULL.
 */
struct quarry_plugin {
    uint32_t abi;  /* QUARRY_ABI_VERSION */
    uint32_t size; /* sizeof(quarry_plugin) */
    quarry_plugin_kind kind;
    const char *name;    /* unique per kind: [a-z0-9_]+ */
    const char *version; /* "1.0.0" */
    const char *license; /* SPDX identifier */
    const char *summary; /* one line */
    const char *author;  /* may be NULL */

    size_t config_size;           /* bytes of the config struct, may be 0 */
    const quarry_option *options; /* NULL or a table ending in QUARRY_OPTIONS_END */

    /* Make an instance from a filled config. *self may stay NULL for a
     * stateless plugin. */
    int (*create)(void **self, const void *config, const quarry_host *host,
                  char *err);
    void (*destroy)(void *self); /* NULL-safe on self */

    /* tokenizer: call emit for every token of text[0..len), in order. The
     * text is valid UTF-8 (the host checks it). */
    int (*tokenize)(void *self, const char *text, size_t len,
                    quarry_token_fn emit, void *payload, char *err);

    /* stemmer: write the stem of word[0..len) into out[0..cap), and its
     * length into *out_len; when *out_len >= cap the output was truncated
     * and the host calls again with a bigger buffer (the snprintf rule).
     * out is NUL-terminated when cap > 0. */
    int (*stem)(void *self, const char *word, size_t len, char *out,
                size_t cap, size_t *out_len, char *err);

    /* weighting: counts to weights, in place on m->values. The plugin does
     * not L2-normalise unless it says so in its options; the host
     * normalises rows before similarity. */
    int (*weigh)(void *self, quarry_csr *m, const quarry_corpus_stats *stats,
                 char *err);

    /* clusterer */
    uint32_t needs; /* QUARRY_NEEDS_* */
    int (*cluster)(void *self, const quarry_cluster_input *in,
                   quarry_cluster_output *out, char *err);
};

/* The type of the one exported entry point. */
typedef const quarry_plugin *const *(*quarry_plugin_entry_fn)(void);

#if defined(_WIN32)
#define QUARRY_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define QUARRY_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define QUARRY_PLUGIN_EXPORT
#endif

/*
 * QUARRY_PLUGIN_ENTRY(file_stem) declares the entry point; follow it with
 * the body returning the descriptor array:
 *
 *     static const quarry_plugin *const all[] = {&my_plugin, NULL};
 *     QUARRY_PLUGIN_ENTRY(tokenizer_mine) { return all; }
 */
#define QUARRY_PLUGIN_ENTRY(file_stem)                                      \
    QUARRY_PLUGIN_EXPORT const quarry_plugin *const *quarry_plugin_##file_stem( \
        void);                                                               \
    QUARRY_PLUGIN_EXPORT const quarry_plugin *const *quarry_plugin_##file_stem( \
        void)

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_PLUGIN_H */
