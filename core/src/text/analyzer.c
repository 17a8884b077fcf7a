/*
 * analyzer.c -- the text side of the pipeline (see analyzer.h), and the
 * lexicon: a trie over folded token forms whose paths are the phrases and
 * synonym variants of a dictionary file, each ending at its canonical term.
 *
 * Lexicon file (JSON):
 *   {"phrases": ["lived experience", ...],
 *    "synonyms": {"peer specialist": ["peer worker", "pss", ...], ...}}
 * Entries are tokenized with the run's own tokenizer, so they fold and split
 * exactly as the excerpts do.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "utf8.h"

struct lexicon {
    strtab words;          /* folded forms that occur in some entry */
    strtab edges;          /* key: (parent node, word id) as 16 bytes */
    int64_t *edge_child;   /* edge id -> node */
    int64_t cap_edges;
    int64_t *node_canon;   /* node -> canonical form string id, or -1 */
    int64_t n_nodes, cap_nodes;
    strtab canon;          /* canonical term strings */
};

/* ---------------------------------------------------------------- */

typedef struct collect {
    analyzer *a;
    const char *text;
    size_t len;
    int bad;
} collect;

/* A form interned whose analysis has not (yet) succeeded: a stemmer that
 * failed or memory that ran out leaves it so, and the next sight of the
 * form analyses it again rather than read a term never set. */
#define FORM_UNANALYSED (-4)
/* The longest stem taken for an n-byte word (a stemmer asking for more
 * is refused: a bug, and memory it would take without end). */
#define STEM_MAX(n) ((n) * 8 + 4096)

static int grow_tokens(analyzer *a)
{
    int64_t cap = a->cap_tok ? a->cap_tok * 2 : 256;
    int64_t *off = realloc(a->tok_off, (size_t)cap * sizeof *off);
    uint32_t *len;
    uint64_t *hash;
    const char **ptr;
    int64_t *word;
    if (off == NULL)
        return -1;
    a->tok_off = off;
    len = realloc(a->tok_len, (size_t)cap * sizeof *len);
    if (len == NULL)
        return -1;
    a->tok_len = len;
    hash = realloc(a->tok_hash, (size_t)cap * sizeof *hash);
    if (hash == NULL)
        return -1;
    a->tok_hash = hash;
    ptr = realloc(a->tok_ptr, (size_t)cap * sizeof *ptr);
    if (ptr == NULL)
        return -1;
    a->tok_ptr = ptr;
    word = realloc(a->tok_word, (size_t)cap * sizeof *word);
    if (word == NULL)
        return -1;
    a->tok_word = word;
    a->cap_tok = cap;
    return 0;
}

static int on_token(void *payload, const quarry_token *t)
{
    collect *c = payload;
    analyzer *a = c->a;
    const char *s;
    size_t n;

    if (t == NULL) {
        c->bad = 3; /* a plugin bug: no token */
        return 1;
    }
    if (t->offset > c->len || t->len > c->len - t->offset) {
        c->bad = 1; /* a plugin bug: a span outside the text */
        return 1;
    }
    s = t->form ? t->form : c->text + t->offset;
    n = t->form ? t->form_len : t->len;
    if (n == 0)
        return 0;
    /* A term is UTF-8 (the output and the labels are): a form is checked
     * whole; a span of the (valid) text only where it starts and ends, so
     * that it cuts no character in two. */
    if (t->form != NULL ? quarry_utf8_valid_prefix(s, n) != n
                        : (((unsigned char)s[0] & 0xC0) == 0x80 ||
                           (t->offset + n < c->len &&
                            ((unsigned char)s[n] & 0xC0) == 0x80))) {
        c->bad = 4;
        return 1;
    }
    if (a->n_tok == a->cap_tok && grow_tokens(a) != 0) {
        c->bad = 2;
        return 1;
    }
    a->tok_hash[a->n_tok] = strtab_hash(s, n);
    a->tok_len[a->n_tok] = (uint32_t)n;
    if (t->form == NULL) {
        /* A span of the text as it is: no copy. */
        a->tok_off[a->n_tok++] = -(int64_t)t->offset - 1;
        return 0;
    }
    if (a->buf_len + n + 1 > a->buf_cap) {
        size_t cap = a->buf_cap ? a->buf_cap : 4096;
        char *b;
        while (cap < a->buf_len + n + 1)
            cap *= 2;
        b = realloc(a->buf, cap);
        if (b == NULL) {
            c->bad = 2;
            return 1;
        }
        a->buf = b;
        a->buf_cap = cap;
    }
    memcpy(a->buf + a->buf_len, s, n);
    a->buf[a->buf_len + n] = '\0';
    a->tok_off[a->n_tok] = (int64_t)a->buf_len;
    a->n_tok++;
    a->buf_len += n + 1;
    return 0;
}

/* Tokenize into a->buf / tok_off / tok_len. */
static int tokenize(analyzer *a, const char *text, size_t len)
{
    const quarry_plugin *p = quarry_instance_plugin(a->tokenizer);
    collect c = {a, text, len, 0};
    int rc;
    a->n_tok = 0;
    a->buf_len = 0;
    a->err[0] = '\0';
    rc = p->tokenize(quarry_instance_self(a->tokenizer), text, len, on_token,
                     &c, a->err);
    if (c.bad == 0 && rc == 0) {
        int64_t i;
        for (i = 0; i < a->n_tok; i++) {
            int64_t o = a->tok_off[i];
            a->tok_ptr[i] = o >= 0 ? a->buf + o : text + (-o - 1);
        }
        return QUARRY_OK;
    }
    if (c.bad == 1)
        return engine_fail(a->engine, QUARRY_EPLUGIN,
                           "tokenizer %s: a token lies outside the text",
                           p->name);
    if (c.bad == 2)
        return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
    if (c.bad == 3)
        return engine_fail(a->engine, QUARRY_EPLUGIN,
                           "tokenizer %s: emitted a NULL token", p->name);
    if (c.bad == 4)
        return engine_fail(a->engine, QUARRY_EPLUGIN,
                           "tokenizer %s: a token is not UTF-8 (its form "
                           "has invalid bytes, or its span cuts a character)",
                           p->name);
    if (rc != 0)
        return engine_fail(a->engine, rc < 0 ? rc : QUARRY_EPLUGIN,
                           "tokenizer %s: %s", p->name,
                           a->err[0] ? a->err : quarry_status_str(rc));
    return QUARRY_OK;
}

/* ---------------------------------------------------------------- */
/* Lexicon                                                           */

static void lexicon_free(lexicon *l)
{
    if (l == NULL)
        return;
    strtab_free(&l->words);
    strtab_free(&l->edges);
    strtab_free(&l->canon);
    free(l->edge_child);
    free(l->node_canon);
    free(l);
}

static int64_t lex_new_node(lexicon *l)
{
    if (l->n_nodes == l->cap_nodes) {
        int64_t cap = l->cap_nodes ? l->cap_nodes * 2 : 256;
        int64_t *nc = realloc(l->node_canon, (size_t)cap * sizeof *nc);
        if (nc == NULL)
            return -1;
        l->node_canon = nc;
        l->cap_nodes = cap;
    }
    l->node_canon[l->n_nodes] = -1;
    return l->n_nodes++;
}

static int64_t lex_child(const lexicon *l, int64_t node, int64_t word)
{
    int64_t key[2] = {node, word};
    int64_t edge = strtab_find(&l->edges, (const char *)key, sizeof key);
    return edge < 0 ? -1 : l->edge_child[edge];
}

/* Add one entry (text) mapping to canonical (text). */
static int lex_add(analyzer *a, lexicon *l, const char *entry,
                   const char *canonical, const char *file)
{
    int64_t node = 0, i, canon_id;
    char canon_buf[1024];
    size_t used = 0;
    int rc;

    /* The canonical form: its tokens joined by single spaces. */
    rc = tokenize(a, canonical, strlen(canonical));
    if (rc != 0)
        return rc;
    if (a->n_tok == 0)
        return engine_fail(a->engine, QUARRY_EPARSE,
                           "%s: entry \"%s\" has no tokens", file, canonical);
    for (i = 0; i < a->n_tok; i++) {
        int n = snprintf(canon_buf + used, sizeof canon_buf - used, "%s%.*s",
                         i ? " " : "", (int)a->tok_len[i], a->tok_ptr[i]);
        if (n < 0 || (size_t)n >= sizeof canon_buf - used)
            return engine_fail(a->engine, QUARRY_EPARSE,
                               "%s: entry \"%.40s...\" is too long", file,
                               canonical);
        used += (size_t)n;
    }
    canon_id = strtab_intern(&l->canon, canon_buf, used, NULL);
    if (canon_id < 0)
        return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");

    rc = tokenize(a, entry, strlen(entry));
    if (rc != 0)
        return rc;
    if (a->n_tok == 0)
        return engine_fail(a->engine, QUARRY_EPARSE,
                           "%s: entry \"%s\" has no tokens", file, entry);
    for (i = 0; i < a->n_tok; i++) {
        int64_t w =
            strtab_intern(&l->words, a->tok_ptr[i], a->tok_len[i], NULL);
        int64_t child, key[2];
        int is_new;
        if (w < 0)
            return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
        child = lex_child(l, node, w);
        if (child < 0) {
            int64_t edge;
            key[0] = node;
            key[1] = w;
            child = lex_new_node(l);
            if (child < 0)
                return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
            edge = strtab_intern(&l->edges, (const char *)key, sizeof key,
                                 &is_new);
            if (edge < 0)
                return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
            if (edge >= l->cap_edges) {
                int64_t cap = l->cap_edges ? l->cap_edges * 2 : 256;
                int64_t *ec = realloc(l->edge_child, (size_t)cap * sizeof *ec);
                if (ec == NULL)
                    return engine_fail(a->engine, QUARRY_ENOMEM,
                                       "out of memory");
                l->edge_child = ec;
                l->cap_edges = cap;
            }
            l->edge_child[edge] = child;
        }
        node = child;
    }
    l->node_canon[node] = canon_id;
    return QUARRY_OK;
}

static int lexicon_load(analyzer *a, const char *path, lexicon **out)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    json_t *phrases, *synonyms, *v;
    lexicon *l;
    const char *key;
    size_t i;
    int rc = QUARRY_OK;

    *out = NULL;
    if (root == NULL)
        return engine_fail(a->engine, QUARRY_EPARSE, "%s:%d: %s", path,
                           jerr.line, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return engine_fail(a->engine, QUARRY_EPARSE,
                           "%s:1: a lexicon is a JSON object", path);
    }
    l = calloc(1, sizeof *l);
    if (l == NULL || lex_new_node(l) < 0) {
        json_decref(root);
        lexicon_free(l);
        return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
    }
    phrases = json_object_get(root, "phrases");
    synonyms = json_object_get(root, "synonyms");
    if (phrases != NULL && !json_is_array(phrases)) {
        rc = engine_fail(a->engine, QUARRY_EPARSE,
                         "%s: field \"phrases\": expected a list of strings",
                         path);
        goto out;
    }
    if (synonyms != NULL && !json_is_object(synonyms)) {
        rc = engine_fail(a->engine, QUARRY_EPARSE,
                         "%s: field \"synonyms\": expected an object of "
                         "lists",
                         path);
        goto out;
    }
    json_array_foreach(phrases, i, v)
    {
        if (!json_is_string(v)) {
            rc = engine_fail(a->engine, QUARRY_EPARSE,
                             "%s: field \"phrases\"[%zu]: expected a string",
                             path, i);
            goto out;
        }
        rc = lex_add(a, l, json_string_value(v), json_string_value(v), path);
        if (rc != 0)
            goto out;
    }
    json_object_foreach(synonyms, key, v)
    {
        json_t *variant;
        size_t j;
        if (!json_is_array(v)) {
            rc = engine_fail(a->engine, QUARRY_EPARSE,
                             "%s: field \"synonyms\".\"%s\": expected a list "
                             "of strings",
                             path, key);
            goto out;
        }
        rc = lex_add(a, l, key, key, path);
        if (rc != 0)
            goto out;
        json_array_foreach(v, j, variant)
        {
            if (!json_is_string(variant)) {
                rc = engine_fail(a->engine, QUARRY_EPARSE,
                                 "%s: field \"synonyms\".\"%s\"[%zu]: "
                                 "expected a string",
                                 path, key, j);
                goto out;
            }
            rc = lex_add(a, l, json_string_value(variant), key, path);
            if (rc != 0)
                goto out;
        }
    }
out:
    json_decref(root);
    if (rc != 0) {
        lexicon_free(l);
        return rc;
    }
    *out = l;
    return QUARRY_OK;
}

/* ---------------------------------------------------------------- */
/* Stopwords                                                         */

static int stopwords_load(analyzer *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    char line[512];
    long lineno = 0;
    if (f == NULL)
        return engine_fail(a->engine, QUARRY_EIO, "%s: cannot open", path);
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = strlen(line);
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
                         line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        /* Stopwords go through the tokenizer too, so "don't" folds as the
         * excerpts' tokens do. */
        if (tokenize(a, line, n) != 0) {
            fclose(f);
            return engine_fail(a->engine, QUARRY_EPARSE,
                               "%s:%ld: cannot tokenize \"%s\"", path, lineno,
                               line);
        }
        for (int64_t i = 0; i < a->n_tok; i++)
            if (strtab_intern(&a->stopwords, a->tok_ptr[i], a->tok_len[i],
                              NULL) < 0) {
                fclose(f);
                return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
            }
    }
    fclose(f);
    return QUARRY_OK;
}

/* "english" -> "en"; two-letter codes pass through. */
static const char *lang_code(const char *language)
{
    static const char *const map[][2] = {
        {"english", "en"}, {"porter", "en"},     {"german", "de"},
        {"french", "fr"},  {"spanish", "es"},    {"italian", "it"},
        {"dutch", "nl"},   {"portuguese", "pt"}, {"swedish", "sv"},
        {"danish", "da"},  {"norwegian", "no"},  {"finnish", "fi"},
        {"russian", "ru"}, {"indonesian", "id"}, {"turkish", "tr"},
    };
    size_t i;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(language, map[i][0]) == 0)
            return map[i][1];
    return language;
}

static int is_none(const char *s)
{
    return s != NULL && (strcmp(s, "none") == 0 || s[0] == '\0');
}

int analyzer_init(analyzer *a, quarry_engine *e, const char *tokenizer,
                  const char *stemmer, const char *language,
                  const char *stopwords, const char *lexicon_name)
{
    const quarry_plugin *p;
    char path[4096];
    int rc;

    memset(a, 0, sizeof *a);
    a->engine = e;
    strtab_init(&a->stopwords);
    strtab_init(&a->forms);
    strtab_init(&a->terms);
    if (language == NULL || language[0] == '\0')
        language = "en";

    rc = quarry_engine_find(e, QUARRY_KIND_TOKENIZER,
                            tokenizer ? tokenizer : "regex", &p);
    if (rc == 0)
        rc = quarry_instance_new(&a->tokenizer, e, p);
    if (rc != 0)
        return rc;
    if (!is_none(stemmer)) {
        char spec[128];
        const quarry_option *o;
        rc = quarry_engine_find(e, QUARRY_KIND_STEMMER,
                                stemmer ? stemmer : "snowball", &p);
        if (rc != 0)
            return rc;
        /* A stemmer with a "language" option follows --language unless the
         * user set it with --option. */
        for (o = p->options; o != NULL && o->name != NULL; o++)
            if (strcmp(o->name, "language") == 0) {
                size_t i;
                int set = 0;
                for (i = 0; i < e->n_options; i++)
                    if (strcmp(e->options[i].plugin, p->name) == 0 &&
                        strcmp(e->options[i].key, "language") == 0)
                        set = 1;
                if (!set) {
                    snprintf(spec, sizeof spec, "%s.language=%s", p->name,
                             language);
                    rc = quarry_engine_set_option(e, spec);
                    if (rc != 0)
                        return rc;
                }
            }
        rc = quarry_instance_new(&a->stemmer, e, p);
        if (rc != 0)
            return rc;
    }
    if (!is_none(stopwords)) {
        char name[256];
        if (stopwords == NULL) {
            snprintf(name, sizeof name, "stopwords/%s.txt",
                     lang_code(language));
            rc = quarry_engine_find_dictionary(e, name, path, sizeof path);
            if (rc == QUARRY_ENOTFOUND) {
                engine_log(e, QUARRY_LOG_WARN,
                           "no stopword list for language \"%s\" (%s); "
                           "going on without one",
                           language, name);
                rc = QUARRY_OK;
                path[0] = '\0';
            }
        } else {
            rc = quarry_engine_find_dictionary(e, stopwords, path, sizeof path);
        }
        if (rc != 0)
            return rc;
        if (path[0] != '\0' && (rc = stopwords_load(a, path)) != 0)
            return rc;
    }
    if (!is_none(lexicon_name)) {
        const char *name = lexicon_name ? lexicon_name : "lexicon/pss.json";
        rc = quarry_engine_find_dictionary(e, name, path, sizeof path);
        if (rc == QUARRY_ENOTFOUND && lexicon_name == NULL) {
            engine_log(e, QUARRY_LOG_WARN,
                       "default lexicon %s not found; going on without one",
                       name);
            return QUARRY_OK;
        }
        if (rc != 0)
            return rc;
        rc = lexicon_load(a, path, &a->lex);
        if (rc != 0)
            return rc;
    }
    return QUARRY_OK;
}

int analyzer_clone(analyzer *w, const analyzer *a)
{
    int rc;

    memset(w, 0, sizeof *w);
    w->engine = a->engine;
    w->borrowed = 1;
    w->stopwords = a->stopwords;
    w->lex = a->lex;
    strtab_init(&w->forms);
    strtab_init(&w->terms);
    rc = quarry_instance_new(&w->tokenizer, a->engine,
                             quarry_instance_plugin(a->tokenizer));
    if (rc == 0 && a->stemmer != NULL)
        rc = quarry_instance_new(&w->stemmer, a->engine,
                                 quarry_instance_plugin(a->stemmer));
    return rc;
}

static int ensure_forms(analyzer *a, int64_t f)
{
    if (f >= a->cap_forms) {
        int64_t cap = a->cap_forms ? a->cap_forms * 2 : 4096;
        analyzer_form *g;
        while (cap <= f)
            cap *= 2;
        g = realloc(a->form, (size_t)cap * sizeof *g);
        if (g == NULL)
            return -1;
        a->form = g;
        a->cap_forms = cap;
    }
    return 0;
}

int analyzer_merge(analyzer *a, const analyzer *w, int64_t **map_out)
{
    int64_t nt = w->terms.n, t, f;
    int64_t *map = malloc((size_t)(nt ? nt : 1) * sizeof *map);

    *map_out = NULL;
    if (map == NULL)
        return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
    for (t = 0; t < nt; t++) {
        map[t] = strtab_intern_hashed(&a->terms, strtab_str(&w->terms, t),
                                      strtab_len(&w->terms, t),
                                      w->terms.hashes[t], NULL);
        if (map[t] < 0) {
            free(map);
            return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
        }
    }
    for (f = 0; f < w->forms.n; f++) {
        int is_new;
        int64_t g = strtab_intern_hashed(&a->forms, strtab_str(&w->forms, f),
                                         strtab_len(&w->forms, f),
                                         w->forms.hashes[f], &is_new);
        if (g < 0 || ensure_forms(a, g) != 0) {
            free(map);
            return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
        }
        if (is_new)
            a->form[g].count = 0;
        if (is_new || a->form[g].term == FORM_UNANALYSED) {
            int64_t wt = w->form[f].term;
            a->form[g].term = wt == FORM_UNANALYSED ? FORM_UNANALYSED
                              : wt < 0              ? -1
                                                    : map[wt];
        }
        a->form[g].count += w->form[f].count;
    }
    *map_out = map;
    return QUARRY_OK;
}

void analyzer_free(analyzer *a)
{
    if (a == NULL)
        return;
    quarry_instance_free(a->tokenizer);
    quarry_instance_free(a->stemmer);
    if (!a->borrowed) {
        strtab_free(&a->stopwords);
        lexicon_free(a->lex);
    }
    strtab_free(&a->forms);
    strtab_free(&a->terms);
    free(a->form);
    free(a->buf);
    free(a->tok_off);
    free(a->tok_len);
    free(a->tok_hash);
    free(a->tok_ptr);
    free(a->tok_word);
    free(a->stem_buf);
    memset(a, 0, sizeof *a);
}

/* The term of a surface form seen for the first time. */
static int64_t analyse_form(analyzer *a, const char *s, size_t n, uint64_t h,
                            int is_phrase)
{
    const char *term = s;
    size_t term_len = n;

    if (!is_phrase && strtab_find_hashed(&a->stopwords, s, n, h) >= 0)
        return -1;
    if (!is_phrase && a->stemmer != NULL) {
        const quarry_plugin *p = quarry_instance_plugin(a->stemmer);
        size_t out_len = 0;
        int rc, tries;
        if (a->stem_cap < 256) {
            char *b = realloc(a->stem_buf, 256);
            if (b == NULL)
                return -2;
            a->stem_buf = b;
            a->stem_cap = 256;
        }
        for (tries = 0;; tries++) {
            a->err[0] = '\0';
            rc = p->stem(quarry_instance_self(a->stemmer), s, n, a->stem_buf,
                         a->stem_cap, &out_len, a->err);
            if (rc != 0) {
                engine_fail(a->engine, rc < 0 ? rc : QUARRY_EPLUGIN,
                            "stemmer %s: %s", p->name,
                            a->err[0] ? a->err : quarry_status_str(rc));
                return -3;
            }
            if (out_len < a->stem_cap)
                break;
            /* The snprintf rule: one call more, with room for what the
             * first asked; a stem far longer than its word is a bug. */
            if (tries > 0 || out_len > STEM_MAX(n)) {
                engine_fail(a->engine, QUARRY_EPLUGIN,
                            "stemmer %s: %s (%zu bytes for a %zu-byte word)",
                            p->name,
                            tries > 0 ? "asked for more room twice"
                                      : "a stem far longer than its word",
                            out_len, n);
                return -3;
            }
            {
                char *b = realloc(a->stem_buf, out_len + 1);
                if (b == NULL)
                    return -2;
                a->stem_buf = b;
                a->stem_cap = out_len + 1;
            }
        }
        if (out_len == 0)
            return -1;
        term = a->stem_buf;
        term_len = out_len;
        h = strtab_hash(term, term_len);
    }
    return strtab_intern_hashed(&a->terms, term, term_len, h, NULL);
}

/* The term of s, analysing it if new; -1 stopword; < -1 failure. *fid
 * gets its form id. */
static int64_t form_term(analyzer *a, const char *s, size_t n, uint64_t h,
                         int is_phrase, int64_t *fid)
{
    int is_new;
    int64_t f = strtab_find_hashed(&a->forms, s, n, h);
    if (f < 0) {
        f = strtab_intern_hashed(&a->forms, s, n, h, &is_new);
        if (f < 0 || ensure_forms(a, f) != 0)
            return -2;
        a->form[f].count = 0;
        a->form[f].term = FORM_UNANALYSED;
    }
    if (a->form[f].term == FORM_UNANALYSED) {
        /* analyse_form interns into terms only, so the forms arena (and
         * this pointer into it) stays put. */
        int64_t t = analyse_form(a, strtab_str(&a->forms, f), n, h, is_phrase);
        if (t < -1)
            return t;
        a->form[f].term = t;
    }
    a->form[f].count++;
    *fid = f;
    return a->form[f].term;
}

static int push_id(int64_t **ids, int64_t *n, int64_t *cap, int64_t id)
{
    if (*n == *cap) {
        int64_t c = *cap ? *cap * 2 : 1024;
        int64_t *g = realloc(*ids, (size_t)c * sizeof *g);
        if (g == NULL)
            return -1;
        *ids = g;
        *cap = c;
    }
    (*ids)[(*n)++] = id;
    return 0;
}

/* analyzer_run; analyzer_run_gaps when gaps is 1: a token that yields no
 * term (a stopword) then leaves -1 in its place; analyzer_run_forms when
 * gaps is 2: every token's form id. */
static int run(analyzer *a, const char *text, size_t len, int64_t **ids,
               int64_t *n, int64_t *cap, int gaps)
{
    int64_t i = 0;
    int rc = tokenize(a, text, len);
    if (rc != 0)
        return rc;
    /* The form cache's slots of every token start loading now, not one
     * miss at a time below. */
    for (i = 0; i < a->n_tok; i++)
        strtab_prefetch(&a->forms, a->tok_hash[i]);
    if (a->lex != NULL)
        /* Each token's lexicon word, looked up once, not once per start
         * position of a walk through it. */
        for (i = 0; i < a->n_tok; i++)
            a->tok_word[i] = strtab_find_hashed(&a->lex->words, a->tok_ptr[i],
                                                a->tok_len[i], a->tok_hash[i]);
    i = 0;
    while (i < a->n_tok) {
        int64_t t, matched = 0, canon = -1, f = -1;
        if (a->lex != NULL) {
            /* Longest lexicon entry starting here. */
            int64_t node = 0, j;
            for (j = i; j < a->n_tok; j++) {
                int64_t w = a->tok_word[j];
                if (w < 0 || (node = lex_child(a->lex, node, w)) < 0)
                    break;
                if (a->lex->node_canon[node] >= 0) {
                    matched = j - i + 1;
                    canon = a->lex->node_canon[node];
                }
            }
        }
        if (matched > 0) {
            t = form_term(a, strtab_str(&a->lex->canon, canon),
                          strtab_len(&a->lex->canon, canon),
                          a->lex->canon.hashes[canon], 1, &f);
            i += matched;
        } else {
            t = form_term(a, a->tok_ptr[i], a->tok_len[i], a->tok_hash[i], 0,
                          &f);
            i++;
        }
        if (t == -2)
            return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
        if (t < -1)
            return QUARRY_EPLUGIN;
        if ((t >= 0 || gaps) && push_id(ids, n, cap, gaps == 2 ? f : t) != 0)
            return engine_fail(a->engine, QUARRY_ENOMEM, "out of memory");
    }
    return QUARRY_OK;
}

int analyzer_run(analyzer *a, const char *text, size_t len, int64_t **ids,
                 int64_t *n, int64_t *cap)
{
    return run(a, text, len, ids, n, cap, 0);
}

int analyzer_run_gaps(analyzer *a, const char *text, size_t len,
                      int64_t **ids, int64_t *n, int64_t *cap)
{
    return run(a, text, len, ids, n, cap, 1);
}

int analyzer_run_forms(analyzer *a, const char *text, size_t len,
                       int64_t **forms, int64_t *n, int64_t *cap)
{
    return run(a, text, len, forms, n, cap, 2);
}

const char *analyzer_lang_code(const char *language)
{
    return lang_code(language ? language : "en");
}

int64_t *analyzer_display_forms(const analyzer *a)
{
    int64_t nt = a->terms.n, f;
    int64_t *best = malloc((size_t)(nt ? nt : 1) * sizeof *best);
    if (best == NULL)
        return NULL;
    for (f = 0; f < nt; f++)
        best[f] = -1;
    for (f = 0; f < a->forms.n; f++) {
        int64_t t = a->form[f].term, b;
        if (t < 0)
            continue;
        b = best[t];
        if (b < 0 || a->form[f].count > a->form[b].count ||
            (a->form[f].count == a->form[b].count &&
             strcmp(strtab_str(&a->forms, f), strtab_str(&a->forms, b)) < 0))
            best[t] = f;
    }
    return best;
}
