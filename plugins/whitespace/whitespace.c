/*
 * whitespace.c -- the smallest useful quarry plugin: a tokenizer that splits
 * on ASCII whitespace. Read it first if you are writing a plugin; the others
 * have the same shape: config struct, option table, create, destroy, the
 * method of the kind, a static descriptor, the one exported entry point.
 */
#include <quarry/plugin.h>
#include <stdio.h>
#include <stdlib.h>

/* The host allocates this struct, writes the defaults of the table below,
 * then the user's values (--option whitespace.min_len=3), and hands it to
 * create(). INT options are int64_t, BOOL and ENUM are int. */
typedef struct ws_config {
    int64_t min_len;
} ws_config;

static const quarry_option ws_options[] = {
    {"min_len", QUARRY_OPT_INT, offsetof(ws_config, min_len), "1", 1, 64, NULL,
     "drop tokens shorter than this many code points"},
    QUARRY_OPTIONS_END};

/* The config is borrowed for the call only, so the instance keeps a copy. */
static int ws_create(void **self, const void *config, const quarry_host *host,
                     char *err)
{
    ws_config *me = malloc(sizeof *me);
    (void)host; /* no host service needed; a plugin never links libquarry */
    if (me == NULL) { /* every failure fills err (rule 4) */
        snprintf(err, QUARRY_ERR_MAX, "out of memory");
        return QUARRY_ENOMEM;
    }
    *me = *(const ws_config *)config;
    *self = me;
    return QUARRY_OK;
}

static void ws_destroy(void *self) { free(self); }

/* Space, \t \n \v \f \r; not isspace(), which depends on the locale. */
static int is_ws(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int ws_tokenize(void *self, const char *text, size_t len,
                       quarry_token_fn emit, void *payload, char *err)
{
    const ws_config *me = self;
    size_t i = 0;
    (void)err; /* cannot fail: the host checked the text is UTF-8 */
    while (i < len) {
        while (i < len && is_ws((unsigned char)text[i]))
            i++;
        size_t start = i, points = 0; /* min_len counts code points: */
        for (; i < len && !is_ws((unsigned char)text[i]); i++) /* lead bytes */
            points += ((unsigned char)text[i] & 0xC0) != 0x80;
        if (points == 0 || (int64_t)points < me->min_len)
            continue;
        /* A span of the host's text, never a copy; form NULL: as written. */
        quarry_token tok = {start, i - start, NULL, 0};
        if (emit(payload, &tok) != 0)
            return QUARRY_ECANCELED; /* the host asked us to stop */
    }
    return QUARRY_OK;
}

/* Static and immutable; lives as long as the .so (rule 1). */
static const quarry_plugin ws_plugin = {
    .abi = QUARRY_ABI_VERSION, .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_TOKENIZER, .name = "whitespace", .version = "0.1.0",
    .license = "MIT", .summary = "split text on ASCII whitespace",
    .author = "quarry developers", .config_size = sizeof(ws_config),
    .options = ws_options, .create = ws_create, .destroy = ws_destroy,
    .tokenize = ws_tokenize};

/* The one exported symbol, named after the file tokenizer_whitespace.so. */
static const quarry_plugin *const ws_all[] = {&ws_plugin, NULL};
QUARRY_PLUGIN_ENTRY(tokenizer_whitespace) { return ws_all; }
