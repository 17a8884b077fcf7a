/*
 * regex.c -- quarry's default tokenizer: every match of one PCRE2 pattern is
 * a token. The default pattern takes Unicode words (letters, marks and
 * digits, keeping internal apostrophes and hyphens: "don't", "peer-run",
 * "Siobhán"). Tokens leave as byte spans of the host's text; when the term
 * differs from the span (case folded, ’ made '), the folded form goes with
 * it. This runs over every excerpt of a corpus, so the pattern is compiled
 * (and JIT compiled) once in create(), and tokenize() allocates nothing in
 * the steady state: match data and folding buffers belong to the instance.
 *
 * With the default pattern, runs of ASCII are matched by a byte scan that
 * finds exactly the matches PCRE2 would (rx_tokenize_default): in ASCII
 * the pattern's word class is [A-Za-z0-9] and its joiners ' and -. Any
 * byte of 0x80 or more where a match could start or go on hands the match
 * to PCRE2, so every non-ASCII decision is PCRE2's. One call to
 * pcre2_jit_match() per token was most of the tokenizer's time.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include <quarry/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Letters, marks and digits; inside a word one apostrophe (' or U+2019) or
 * hyphen (-, U+2010, U+2011) at a time, so "peer-run" and "don't" stay whole
 * but "--" and a closing quote do not join words. */
#define RX_WORD "[\\p{L}\\p{M}\\p{N}]"
#define RX_DEFAULT_PATTERN \
    RX_WORD "+(?:['\\x{2019}\\x{2010}\\x{2011}-]" RX_WORD "+)*"

enum { RX_NUMBERS_DROP = 0, RX_NUMBERS_KEEP = 1 };

typedef struct rx_config {
    const char *pattern;
    int lowercase;
    int64_t min_len;
    int64_t max_len;
    int numbers;
} rx_config;

static const quarry_option rx_options[] = {
    {"pattern", QUARRY_OPT_STRING, offsetof(rx_config, pattern),
     RX_DEFAULT_PATTERN, 0, -1, NULL,
     "PCRE2 pattern (UTF, UCP); each match is a token"},
    {"lowercase", QUARRY_OPT_BOOL, offsetof(rx_config, lowercase), "true", 0,
     -1, NULL, "Unicode case folding (and NFC) of each token"},
    {"min_len", QUARRY_OPT_INT, offsetof(rx_config, min_len), "2", 1, 64, NULL,
     "drop tokens shorter than this many code points"},
    {"max_len", QUARRY_OPT_INT, offsetof(rx_config, max_len), "64", 1, 1024,
     NULL, "drop tokens longer than this many code points"},
    {"numbers", QUARRY_OPT_ENUM, offsetof(rx_config, numbers), "drop", 0, -1,
     "drop|keep", "drop tokens with digits and no letters (\"2021\", \"3.5\")"},
    QUARRY_OPTIONS_END};

typedef struct rx {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    int jit; /* pcre2_jit_compile() succeeded */
    int fast; /* the default pattern: ASCII runs by byte scan */
    int lowercase, keep_numbers;
    int64_t min_len, max_len;
    /* The ASCII-lowered (or ’-mapped) form: a kept token has at most
     * max_len code points, so at most 4 * max_len bytes. */
    char *form;
    /* Code points for the Unicode fold, re-encoded to UTF-8 in place; one
     * spare entry because utf8proc_reencode() writes a NUL after the text.
     * Grows (rarely: decompositions are long) and never shrinks. */
    utf8proc_int32_t *cps;
    size_t cps_cap; /* entries usable, spare excluded */
} rx;

#define RX_FOLD_OPTIONS (UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE)

static void rx_destroy(void *self)
{
    rx *me = self;
    if (me == NULL)
        return;
    pcre2_match_data_free(me->md);
    pcre2_match_context_free(me->mctx);
    pcre2_jit_stack_free(me->jit_stack);
    pcre2_code_free(me->code);
    free(me->form);
    free(me->cps);
    free(me);
}

static int rx_create(void **self, const void *config, const quarry_host *host,
                     char *err)
{
    const rx_config *cfg = config;
    const char *pattern = cfg->pattern ? cfg->pattern : RX_DEFAULT_PATTERN;
    int errcode;
    PCRE2_SIZE erroff;
    (void)host;

    if (cfg->min_len > cfg->max_len) {
        snprintf(err, QUARRY_ERR_MAX,
                 "min_len (%lld) is greater than max_len (%lld)",
                 (long long)cfg->min_len, (long long)cfg->max_len);
        return QUARRY_ERANGE;
    }
    rx *me = calloc(1, sizeof *me);
    if (me == NULL)
        goto nomem;
    me->lowercase = cfg->lowercase != 0;
    me->keep_numbers = cfg->numbers == RX_NUMBERS_KEEP;
    me->min_len = cfg->min_len;
    me->max_len = cfg->max_len;

    me->fast = strcmp(pattern, RX_DEFAULT_PATTERN) == 0;
    me->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                             PCRE2_UTF | PCRE2_UCP, &errcode, &erroff, NULL);
    if (me->code == NULL) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
            strcpy((char *)msg, "unknown error");
        snprintf(err, QUARRY_ERR_MAX,
                 "bad pattern \"%.80s\" at offset %zu: %s", pattern,
                 (size_t)erroff, (const char *)msg);
        rx_destroy(me);
        return QUARRY_EINVAL;
    }
    /* JIT is an optimisation: without it (unsupported CPU, SELinux denying
     * executable memory) the interpreter gives the same tokens. */
    me->jit = pcre2_jit_compile(me->code, PCRE2_JIT_COMPLETE) == 0;
    me->md = pcre2_match_data_create_from_pattern(me->code, NULL);
    me->mctx = pcre2_match_context_create(NULL);
    if (me->md == NULL || me->mctx == NULL)
        goto nomem_me;
    if (me->jit) {
        /* The default 32 KiB machine stack is enough for the default
         * pattern; a user's pattern with deep backtracking gets room. */
        me->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
        if (me->jit_stack == NULL)
            goto nomem_me;
        pcre2_jit_stack_assign(me->mctx, NULL, me->jit_stack);
    }
    me->form = malloc((size_t)me->max_len * 4 + 1);
    me->cps_cap = (size_t)me->max_len * 3 + 16;
    me->cps = malloc((me->cps_cap + 1) * sizeof *me->cps);
    if (me->form == NULL || me->cps == NULL)
        goto nomem_me;
    *self = me;
    return QUARRY_OK;

nomem_me:
    rx_destroy(me);
nomem:
    snprintf(err, QUARRY_ERR_MAX, "out of memory");
    return QUARRY_ENOMEM;
}

/* ’ (U+2019) is how word processors type an apostrophe: "don’t" and
 * "don't" must be one term. Called by utf8proc on every code point. */
static utf8proc_int32_t rx_map_apostrophe(utf8proc_int32_t c, void *data)
{
    (void)data;
    return c == 0x2019 ? 0x27 : c;
}

/* Full Unicode case folding with NFC of s[0..n) into me->cps, re-encoded as
 * UTF-8; the byte length in *out_len. */
static int rx_fold_unicode(rx *me, const char *s, size_t n, size_t *out_len,
                           char *err)
{
    utf8proc_ssize_t got;
    for (;;) {
        got = utf8proc_decompose_custom(
            (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, me->cps,
            (utf8proc_ssize_t)me->cps_cap, RX_FOLD_OPTIONS, rx_map_apostrophe,
            NULL);
        if (got < 0 || (size_t)got <= me->cps_cap)
            break;
        /* utf8proc said how much it needs; grow once, keep for later. */
        utf8proc_int32_t *bigger =
            realloc(me->cps, ((size_t)got + 1) * sizeof *me->cps);
        if (bigger == NULL) {
            snprintf(err, QUARRY_ERR_MAX, "out of memory");
            return QUARRY_ENOMEM;
        }
        me->cps = bigger;
        me->cps_cap = (size_t)got;
    }
    if (got >= 0)
        got = utf8proc_reencode(me->cps, got, RX_FOLD_OPTIONS);
    if (got < 0) {
        snprintf(err, QUARRY_ERR_MAX, "cannot fold \"%.*s\": %s",
                 (int)(n < 80 ? n : 80), s, utf8proc_errmsg(got));
        return got == UTF8PROC_ERROR_NOMEM ? QUARRY_ENOMEM : QUARRY_EUTF8;
    }
    *out_len = (size_t)got;
    return QUARRY_OK;
}

/* "Only digits and separators": a number (any \p{N}, so Unicode digits
 * count) and no letter or mark. "2021", "3.5", "1,000", "٢٠٢١" are numeric;
 * "covid-19" and "3rd" are not. The byte pass of rx_token() has decided an
 * ASCII span; only other spans are decoded. */
static int rx_numeric(const unsigned char *s, size_t n, int ascii_digit,
                      int nonascii)
{
    int number = ascii_digit;
    utf8proc_ssize_t i = 0;
    if (!nonascii)
        return number;
    while ((size_t)i < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t step =
            utf8proc_iterate(s + i, (utf8proc_ssize_t)n - i, &c);
        if (step <= 0)
            return 0; /* cannot happen on checked UTF-8; keep the token */
        utf8proc_category_t cat = utf8proc_category(c);
        /* Lu Ll Lt Lm Lo Mn Mc Me, then Nd Nl No, are contiguous. */
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME)
            return 0;
        if (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)
            number = 1;
        i += step;
    }
    return number;
}

/* One matched span: filter it, fold it, hand it to emit. */
static int rx_token(rx *me, const char *text, size_t off, size_t n,
                    quarry_token_fn emit, void *payload, char *err)
{
    const unsigned char *s = (const unsigned char *)text + off;
    int64_t points = 0;
    int upper = 0, nonascii = 0, alpha = 0, digit = 0;

    /* One pass over the bytes gives everything the filters need for an
     * ASCII token, which is most of them in English text. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        points += (c & 0xC0) != 0x80;
        if (c >= 0x80)
            nonascii = 1;
        else if (c >= 'A' && c <= 'Z')
            upper = alpha = 1;
        else if (c >= 'a' && c <= 'z')
            alpha = 1;
        else if (c >= '0' && c <= '9')
            digit = 1;
    }
    if (points < me->min_len || points > me->max_len)
        return QUARRY_OK;
    if (!me->keep_numbers && !alpha && rx_numeric(s, n, digit, nonascii))
        return QUARRY_OK;

    quarry_token tok = {off, n, NULL, 0};
    if (me->lowercase && nonascii) {
        size_t flen;
        int rc = rx_fold_unicode(me, (const char *)s, n, &flen, err);
        if (rc != QUARRY_OK)
            return rc;
        if (flen != n || memcmp(me->cps, s, n) != 0) {
            tok.form = (const char *)me->cps; /* NUL-terminated by utf8proc */
            tok.form_len = flen;
        }
    } else if (me->lowercase && upper) {
        /* ASCII fast path: no utf8proc, no allocation. */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = s[i];
            me->form[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        me->form[n] = '\0';
        tok.form = me->form;
        tok.form_len = n;
    } else if (!me->lowercase && nonascii && memchr(s, 0xE2, n) != NULL) {
        /* Not folding, but ’ still becomes ' so "don’t" is "don't". */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (i + 2 < n && s[i] == 0xE2 && s[i + 1] == 0x80 &&
                s[i + 2] == 0x99) {
                me->form[w++] = '\'';
                i += 2;
            } else {
                me->form[w++] = (char)s[i];
            }
        }
        me->form[w] = '\0';
        if (w != n) {
            tok.form = me->form;
            tok.form_len = w;
        }
    }
    return emit(payload, &tok) != 0 ? QUARRY_ECANCELED : QUARRY_OK;
}

/* One match of the pattern at or after start: 1 and [*s, *e), 0 when there
 * is none, or a negative status with err set. */
static int rx_match(rx *me, const char *text, size_t len, size_t start,
                    size_t *s, size_t *e, char *err)
{
    /* The host checked the text is UTF-8; without NO_UTF_CHECK,
     * pcre2_match() would check the whole subject on every call. */
    int rc = me->jit ? pcre2_jit_match(me->code, (PCRE2_SPTR)text, len, start,
                                       0, me->md, me->mctx)
                     : pcre2_match(me->code, (PCRE2_SPTR)text, len, start,
                                   PCRE2_NO_UTF_CHECK, me->md, me->mctx);
    const PCRE2_SIZE *ov;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
            strcpy((char *)msg, "unknown error");
        snprintf(err, QUARRY_ERR_MAX, "matching failed at byte %zu: %s",
                 start, (const char *)msg);
        return QUARRY_EPLUGIN;
    }
    ov = pcre2_get_ovector_pointer(me->md);
    *s = ov[0];
    *e = ov[1];
    return 1;
}

/* Where to look next after an empty match ending at e of a search from
 * start (a user's "\b" or "x*" is no token): one code point past it, so
 * the loop always advances. */
static size_t rx_past_empty(const char *text, size_t len, size_t start,
                            size_t e)
{
    size_t i = (e > start ? e : start) + 1;
    while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* The next PCRE2 match from `from` and its token: 1 with *next where to
 * go on, 0 when there is no more match, or a negative status. */
static int rx_pcre_step(rx *me, const char *text, size_t len, size_t from,
                        quarry_token_fn emit, void *payload, char *err,
                        size_t *next)
{
    size_t s, e;
    int rc = rx_match(me, text, len, from, &s, &e, err);
    if (rc <= 0)
        return rc;
    if (e <= s) {
        *next = rx_past_empty(text, len, from, e);
        return 1;
    }
    rc = rx_token(me, text, s, e - s, emit, payload, err);
    if (rc != QUARRY_OK)
        return rc;
    *next = e;
    return 1;
}

/* Byte classes for the default pattern's ASCII: RX_W a word character
 * ([\\p{L}\\p{M}\\p{N}] in ASCII is exactly these), with RX_LO, RX_UP or
 * RX_DG for what rx_token() would find in it; RX_J a joiner (' or -); RX_U
 * a byte of a non-ASCII character; 0 anything else. */
enum { RX_W = 1, RX_J = 2, RX_U = 4, RX_LO = 8, RX_UP = 16, RX_DG = 32 };

#define RX_L (RX_W | RX_LO)
#define RX_C (RX_W | RX_UP)
#define RX_D (RX_W | RX_DG)
#define RX_U16(b)                                                              \
    [b] = RX_U, [b + 1] = RX_U, [b + 2] = RX_U, [b + 3] = RX_U,                \
    [b + 4] = RX_U, [b + 5] = RX_U, [b + 6] = RX_U, [b + 7] = RX_U,            \
    [b + 8] = RX_U, [b + 9] = RX_U, [b + 10] = RX_U, [b + 11] = RX_U,          \
    [b + 12] = RX_U, [b + 13] = RX_U, [b + 14] = RX_U, [b + 15] = RX_U

/* clang-format off */
static const unsigned char rx_class[256] = {
    ['\''] = RX_J, ['-'] = RX_J,
    ['0'] = RX_D, ['1'] = RX_D, ['2'] = RX_D, ['3'] = RX_D, ['4'] = RX_D,
    ['5'] = RX_D, ['6'] = RX_D, ['7'] = RX_D, ['8'] = RX_D, ['9'] = RX_D,
    ['A'] = RX_C, ['B'] = RX_C, ['C'] = RX_C, ['D'] = RX_C, ['E'] = RX_C,
    ['F'] = RX_C, ['G'] = RX_C, ['H'] = RX_C, ['I'] = RX_C, ['J'] = RX_C,
    ['K'] = RX_C, ['L'] = RX_C, ['M'] = RX_C, ['N'] = RX_C, ['O'] = RX_C,
    ['P'] = RX_C, ['Q'] = RX_C, ['R'] = RX_C, ['S'] = RX_C, ['T'] = RX_C,
    ['U'] = RX_C, ['V'] = RX_C, ['W'] = RX_C, ['X'] = RX_C, ['Y'] = RX_C,
    ['Z'] = RX_C,
    ['a'] = RX_L, ['b'] = RX_L, ['c'] = RX_L, ['d'] = RX_L, ['e'] = RX_L,
    ['f'] = RX_L, ['g'] = RX_L, ['h'] = RX_L, ['i'] = RX_L, ['j'] = RX_L,
    ['k'] = RX_L, ['l'] = RX_L, ['m'] = RX_L, ['n'] = RX_L, ['o'] = RX_L,
    ['p'] = RX_L, ['q'] = RX_L, ['r'] = RX_L, ['s'] = RX_L, ['t'] = RX_L,
    ['u'] = RX_L, ['v'] = RX_L, ['w'] = RX_L, ['x'] = RX_L, ['y'] = RX_L,
    ['z'] = RX_L,
    RX_U16(0x80), RX_U16(0x90), RX_U16(0xA0), RX_U16(0xB0),
    RX_U16(0xC0), RX_U16(0xD0), RX_U16(0xE0), RX_U16(0xF0),
};
/* clang-format on */

/* rx_token() for an ASCII span whose byte classes OR to seen: the same
 * filters and form, without a second pass over the bytes (one byte, one
 * code point; no Unicode folding). */
static int rx_token_ascii(rx *me, const char *text, size_t off, size_t n,
                          unsigned seen, quarry_token_fn emit, void *payload)
{
    quarry_token tok = {off, n, NULL, 0};
    if ((int64_t)n < me->min_len || (int64_t)n > me->max_len)
        return QUARRY_OK;
    if (!me->keep_numbers && !(seen & (RX_LO | RX_UP)) && (seen & RX_DG))
        return QUARRY_OK;
    if (me->lowercase && (seen & RX_UP)) {
        const unsigned char *s = (const unsigned char *)text + off;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = s[i];
            me->form[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        me->form[n] = '\0';
        tok.form = me->form;
        tok.form_len = n;
    }
    return emit(payload, &tok) != 0 ? QUARRY_ECANCELED : QUARRY_OK;
}

/* The default pattern, W+(?:JW+)* with W and J as above plus their
 * non-ASCII members. The match PCRE2 would find from a position: no match
 * starts at an ASCII byte that is not W, so those are skipped; at a W the
 * match starts there and, by the greedy loop, runs while W bytes follow or
 * a J followed by a W does. It ends before anything else, or before a J
 * not followed by W. Whenever a byte of 0x80 or more is met where the
 * match could start or continue, PCRE2 takes over from that match's start
 * and gives the same leftmost match as from the loop's start (nothing
 * starts in between). */
static int rx_tokenize_default(rx *me, const char *text, size_t len,
                               quarry_token_fn emit, void *payload, char *err)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;

    while (i < len) {
        size_t b = i;
        unsigned c = rx_class[u[i]], seen = 0;
        int rc;
        if (!(c & (RX_W | RX_U))) {
            i++;
            continue;
        }
        if (c & RX_W) {
            for (;;) {
                do {
                    seen |= c;
                    i++;
                } while (i < len && ((c = rx_class[u[i]]) & RX_W));
                if (i == len) {
                    c = 0;
                    break;
                }
                if (c == RX_J && i + 1 < len) {
                    unsigned d = rx_class[u[i + 1]];
                    if (d & RX_W) {
                        i++;
                        c = d;
                        continue;
                    }
                    if (d == RX_U)
                        c = RX_U;
                }
                break;
            }
            if (c != RX_U) {
                rc = rx_token_ascii(me, text, b, i - b, seen, emit, payload);
                if (rc != QUARRY_OK)
                    return rc;
                continue;
            }
        }
        /* Non-ASCII where a match could be: PCRE2 from b. */
        rc = rx_pcre_step(me, text, len, b, emit, payload, err, &i);
        if (rc <= 0)
            return rc;
    }
    return QUARRY_OK;
}

static int rx_tokenize(void *self, const char *text, size_t len,
                       quarry_token_fn emit, void *payload, char *err)
{
    rx *me = self;
    size_t start = 0;

    if (me->fast)
        return rx_tokenize_default(me, text, len, emit, payload, err);
    while (start < len) {
        int rc = rx_pcre_step(me, text, len, start, emit, payload, err, &start);
        if (rc <= 0)
            return rc;
    }
    return QUARRY_OK;
}

static const quarry_plugin rx_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_TOKENIZER,
    .name = "regex",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "Unicode words (or any PCRE2 pattern), case folded",
    .author = "quarry developers",
    .config_size = sizeof(rx_config),
    .options = rx_options,
    .create = rx_create,
    .destroy = rx_destroy,
    .tokenize = rx_tokenize,
};

static const quarry_plugin *const rx_all[] = {&rx_plugin, NULL};
QUARRY_PLUGIN_ENTRY(tokenizer_regex) { return rx_all; }
