/*
 * charngram.c -- a tokenizer whose tokens are character n-grams: every run
 * of n_min..n_max code points, either inside each whitespace-separated word
 * padded with one space on each side (mode "wb", like scikit-learn's
 * char_wb analyzer) or across the whole excerpt with whitespace runs made
 * one space (mode "char"). Codes carried by the form of talk (a question, a
 * reflection of feeling, "I've been there") live in function words, word
 * endings and punctuation that a word tokenizer and its stoplist drop;
 * character n-grams keep them.
 *
 * The text is read one cluster at a time (a code point and the combining
 * marks after it), case folded and NFC composed with utf8proc as the regex
 * tokenizer does, and the folded code points go through a window of n_max
 * units: when the window is full, the n-grams starting at its oldest unit
 * are emitted and that unit leaves. So memory is fixed by n_max, whatever
 * the length of a word or an excerpt, and tokens leave in the order of
 * their offsets. Each token's span runs from the first byte of its first
 * unit's cluster to the last byte of its last unit's; its form is the
 * folded n-gram whenever that differs from the span's bytes.
 */
#include <utf8proc.h>

#include <quarry/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CG_MODE_WB = 0, CG_MODE_CHAR = 1 };

/* A cluster is a code point and at most CG_CLUSTER_MAX - 1 combining marks
 * after it (more start a new cluster, so a run of thousands of marks costs
 * no memory). Folding a cluster yields at most CG_FOLD_MAX code points:
 * full case folding gives at most 3 per code point and canonical
 * decomposition at most 4 before composing, 16 x 12 = 192 < 256. */
#define CG_CLUSTER_MAX 16
#define CG_FOLD_MAX 256
#define CG_N_LIMIT 16

typedef struct cg_config {
    int64_t n_min;
    int64_t n_max;
    int mode;
    int lowercase;
} cg_config;

static const quarry_option cg_options[] = {
    {"n_min", QUARRY_OPT_INT, offsetof(cg_config, n_min), "2", 1, CG_N_LIMIT,
     NULL, "shortest n-gram, in code points"},
    {"n_max", QUARRY_OPT_INT, offsetof(cg_config, n_max), "5", 1, CG_N_LIMIT,
     NULL, "longest n-gram, in code points"},
    {"mode", QUARRY_OPT_ENUM, offsetof(cg_config, mode), "wb", 0, -1, "wb|char",
     "wb: within words padded with a space; char: across word boundaries"},
    {"lowercase", QUARRY_OPT_BOOL, offsetof(cg_config, lowercase), "true", 0,
     -1, NULL, "Unicode case folding (and NFC) before taking n-grams"},
    QUARRY_OPTIONS_END};

/* One code point of the folded text and the bytes of the host's text it
 * came from; a word's padding space comes from no bytes (beg == end). */
typedef struct cg_unit {
    utf8proc_int32_t cp;
    size_t beg, end;
    int space; /* padding or a whitespace run */
} cg_unit;

typedef struct cg {
    int n_min, n_max, wb, lowercase;
    int fold_opts; /* utf8proc options: NFC, and case folding if asked */
    cg_unit *win; /* ring of n_max units */
    int head, count;
    char *form; /* n_max * 4 bytes and a NUL */
    utf8proc_int32_t fold[CG_FOLD_MAX + 1]; /* +1: reencode writes a NUL */
    /* The call being served. */
    const char *text;
    quarry_token_fn emit;
    void *payload;
} cg;

static void cg_destroy(void *self)
{
    cg *me = self;
    if (me == NULL)
        return;
    free(me->win);
    free(me->form);
    free(me);
}

static int cg_create(void **self, const void *config, const quarry_host *host,
                     char *err)
{
    const cg_config *cfg = config;
    cg *me;
    (void)host;
    if (cfg->n_min > cfg->n_max) {
        snprintf(err, QUARRY_ERR_MAX,
                 "n_min (%lld) is greater than n_max (%lld)",
                 (long long)cfg->n_min, (long long)cfg->n_max);
        return QUARRY_ERANGE;
    }
    me = calloc(1, sizeof *me);
    if (me == NULL)
        goto nomem;
    me->n_min = (int)cfg->n_min;
    me->n_max = (int)cfg->n_max;
    me->wb = cfg->mode == CG_MODE_WB;
    me->lowercase = cfg->lowercase != 0;
    me->fold_opts = (me->lowercase ? UTF8PROC_CASEFOLD : 0) |
                    UTF8PROC_COMPOSE | UTF8PROC_STABLE;
    me->win = malloc((size_t)me->n_max * sizeof *me->win);
    me->form = malloc((size_t)me->n_max * 4 + 1);
    if (me->win == NULL || me->form == NULL) {
        cg_destroy(me);
        goto nomem;
    }
    *self = me;
    return QUARRY_OK;
nomem:
    snprintf(err, QUARRY_ERR_MAX, "out of memory");
    return QUARRY_ENOMEM;
}

/* Whitespace as Python's str.split() sees it (scikit-learn splits words
 * so): the ASCII controls \t..\r and \x1c..\x1f, U+0085, and the Unicode
 * separators (Zs, Zl, Zp; U+00A0 and U+3000 among them). */
static int cg_is_space(utf8proc_int32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    if (c == 0x85)
        return 1;
    utf8proc_category_t cat = utf8proc_category(c);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP;
}

/* The n-grams starting at the window's oldest unit, n_min..n_max units
 * long as far as the window holds them; a gram of spaces only is no token
 * (it says nothing and would be one term for every excerpt). */
static int cg_emit_oldest(cg *me)
{
    int n, only_space = 1;
    size_t w = 0;
    for (n = 1; n <= me->n_max && n <= me->count; n++) {
        const cg_unit *u = &me->win[(me->head + n - 1) % me->n_max];
        if (!u->space)
            only_space = 0;
        /* The form grows by one code point per length. */
        w += (size_t)utf8proc_encode_char(u->space ? ' ' : u->cp,
                                          (utf8proc_uint8_t *)me->form + w);
        if (n < me->n_min || only_space)
            continue;
        const cg_unit *first = &me->win[me->head];
        quarry_token tok = {first->beg, u->end - first->beg, NULL, 0};
        /* The span itself when it reads as the form: no copy for the
         * host. Otherwise (folded, padded, whitespace made one space) the
         * form goes with it. */
        if (tok.len != w || memcmp(me->text + tok.offset, me->form, w) != 0) {
            me->form[w] = '\0';
            tok.form = me->form;
            tok.form_len = w;
        }
        if (me->emit(me->payload, &tok) != 0)
            return QUARRY_ECANCELED;
    }
    return QUARRY_OK;
}

static int cg_pop(cg *me)
{
    int rc = cg_emit_oldest(me);
    me->head = (me->head + 1) % me->n_max;
    me->count--;
    return rc;
}

static int cg_push(cg *me, utf8proc_int32_t cp, size_t beg, size_t end,
                   int space)
{
    if (me->count == me->n_max) {
        int rc = cg_pop(me);
        if (rc != QUARRY_OK)
            return rc;
    }
    cg_unit *u = &me->win[(me->head + me->count) % me->n_max];
    u->cp = cp;
    u->beg = beg;
    u->end = end;
    u->space = space;
    me->count++;
    return QUARRY_OK;
}

/* Every n-gram still in the window: the end of a word (wb) or the text. */
static int cg_flush(cg *me)
{
    while (me->count > 0) {
        int rc = cg_pop(me);
        if (rc != QUARRY_OK)
            return rc;
    }
    me->head = 0;
    return QUARRY_OK;
}

/* ’ (U+2019) is how word processors type an apostrophe: "don’t" and
 * "don't" give the same n-grams, as they give the same word in regex. */
static utf8proc_int32_t cg_map_apostrophe(utf8proc_int32_t c, void *data)
{
    (void)data;
    return c == 0x2019 ? 0x27 : c;
}

/* The cluster text[beg..end) (valid UTF-8, one starter and its marks):
 * folded to code points pushed as units spanning the whole cluster. */
static int cg_cluster(cg *me, size_t beg, size_t end)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)me->text + beg;
    utf8proc_ssize_t n = (utf8proc_ssize_t)(end - beg), got, i;
    int rc;

    if (n == 1) { /* ASCII without marks: most of English */
        utf8proc_int32_t c = s[0];
        if (me->lowercase && c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        return cg_push(me, c, beg, end, 0);
    }
    /* Decompose (and fold), then compose: NFC, as utf8proc_map() does. */
    got = utf8proc_decompose_custom(s, n, me->fold, CG_FOLD_MAX,
                                    (utf8proc_option_t)me->fold_opts,
                                    cg_map_apostrophe, NULL);
    if (got >= 0 && got <= CG_FOLD_MAX)
        got = utf8proc_normalize_utf32(me->fold, got,
                                       (utf8proc_option_t)me->fold_opts);
    if (got < 0 || got > CG_FOLD_MAX) {
        /* Cannot happen within the bounds above; the code points as
         * written are still n-grams. */
        got = 0;
        for (i = 0; i < n;) {
            utf8proc_int32_t c;
            utf8proc_ssize_t step = utf8proc_iterate(s + i, n - i, &c);
            if (step <= 0)
                break;
            me->fold[got++] = cg_map_apostrophe(c, NULL);
            i += step;
        }
    }
    for (i = 0; i < got; i++)
        if ((rc = cg_push(me, me->fold[i], beg, end, 0)) != QUARRY_OK)
            return rc;
    return QUARRY_OK;
}

static int cg_tokenize(void *self, const char *text, size_t len,
                       quarry_token_fn emit, void *payload, char *err)
{
    cg *me = self;
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)text;
    size_t i = 0, word_end = 0;
    int in_word = 0, rc = QUARRY_OK;
    /* char mode: a whitespace run waiting to become one space, once a
     * word follows it (none at the start or the end of the text). */
    size_t ws_beg = 0, ws_end = 0;
    int ws_pending = 0;

    me->text = text;
    me->emit = emit;
    me->payload = payload;
    me->head = me->count = 0;

    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t step;
        size_t beg = i, end;
        int marks = 1;
        if (u[i] < 0x80) {
            c = u[i];
            step = 1;
        } else {
            step = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &c);
            if (step <= 0) {
                snprintf(err, QUARRY_ERR_MAX,
                         "invalid UTF-8 at byte %zu", i);
                rc = QUARRY_EUTF8;
                goto out;
            }
        }
        end = i + (size_t)step;
        if (cg_is_space(c)) {
            if (in_word && me->wb) {
                /* The word's closing pad, then its n-grams. */
                if ((rc = cg_push(me, ' ', word_end, word_end, 1)) != 0 ||
                    (rc = cg_flush(me)) != 0)
                    goto out;
            }
            if (!me->wb && in_word) {
                if (!ws_pending)
                    ws_beg = beg;
                ws_pending = 1;
                ws_end = end;
            }
            if (me->wb)
                in_word = 0;
            i = end;
            continue;
        }
        /* The combining marks after c belong to its cluster. */
        while (end < len && marks < CG_CLUSTER_MAX && u[end] >= 0x80) {
            utf8proc_int32_t m;
            utf8proc_ssize_t s =
                utf8proc_iterate(u + end, (utf8proc_ssize_t)(len - end), &m);
            if (s <= 0 || utf8proc_get_property(m)->combining_class == 0)
                break;
            end += (size_t)s;
            marks++;
        }
        if (me->wb && !in_word)
            rc = cg_push(me, ' ', beg, beg, 1); /* the opening pad */
        else if (!me->wb && ws_pending)
            rc = cg_push(me, ' ', ws_beg, ws_end, 1);
        ws_pending = 0;
        if (rc != QUARRY_OK || (rc = cg_cluster(me, beg, end)) != QUARRY_OK)
            goto out;
        in_word = 1;
        word_end = end;
        i = end;
    }
    if (in_word && me->wb &&
        (rc = cg_push(me, ' ', word_end, word_end, 1)) != QUARRY_OK)
        goto out;
    rc = cg_flush(me);
out:
    me->text = NULL;
    me->emit = NULL;
    me->payload = NULL;
    me->head = me->count = 0;
    return rc;
}

static const quarry_plugin cg_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_TOKENIZER,
    .name = "charngram",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "character n-grams, within words (wb) or across them (char)",
    .author = "quarry developers",
    .config_size = sizeof(cg_config),
    .options = cg_options,
    .create = cg_create,
    .destroy = cg_destroy,
    .tokenize = cg_tokenize,
};

static const quarry_plugin *const cg_all[] = {&cg_plugin, NULL};
QUARRY_PLUGIN_ENTRY(tokenizer_charngram) { return cg_all; }
