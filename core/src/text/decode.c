/*
 * decode.c -- a file's bytes as the UTF-8 text the readers read: a Word
 * document's paragraphs, UTF-16 or UTF-32 told by a byte-order mark, or
 * an encoding the user named converted with iconv (decode.h).
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "refi_docx.h"
#include "utf8.h"

static const char zip_magic[4] = {'P', 'K', 3, 4};
/* An OLE2 compound file: a Word 97-2003 .doc, or an encrypted .docx. */
static const char ole_magic[8] = {'\xD0', '\xCF', '\x11', '\xE0',
                                  '\xA1', '\xB1', '\x1A', '\xE1'};

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

static int is_utf8_name(const char *e)
{
    return strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0;
}

/* The 1-based line of byte off of a converted prefix: counts "\n" in
 * out[0..n). */
static long long lines_in(const char *out, size_t n)
{
    long long l = 1;
    size_t i;
    for (i = 0; i < n; i++)
        l += out[i] == '\n';
    return l;
}

/* buf[0..len) from enc to UTF-8 with iconv; label names the encoding in
 * messages ("UTF-16 (byte-order mark)" or the name given). */
static int convert(const char *buf, size_t len, const char *name,
                   const char *enc, const char *label, text_decoded *d,
                   char *err, size_t errn)
{
    iconv_t cd = iconv_open("UTF-8", enc);
    char *out, *in = (char *)buf, *op;
    size_t cap, left = len, room;
    if (cd == (iconv_t)-1) {
        if (errno == EINVAL) {
            snprintf(err, errn,
                     "%s: unknown encoding \"%s\" (try windows-1252, "
                     "latin1, utf-16, macintosh; iconv --list lists "
                     "them all)",
                     name, enc);
            return QUARRY_EINVAL;
        }
        snprintf(err, errn, "%s: out of memory", name);
        return QUARRY_ENOMEM;
    }
    /* Every encoding iconv knows takes at most 4 UTF-8 bytes for each
     * input byte (a one-byte code page's characters are up to 3). */
    cap = len <= (SIZE_MAX - 1) / 4 ? 4 * len + 1 : 0;
    out = cap ? malloc(cap) : NULL;
    if (out == NULL) {
        iconv_close(cd);
        snprintf(err, errn, "%s: out of memory", name);
        return QUARRY_ENOMEM;
    }
    op = out;
    room = cap - 1;
    while (left > 0) {
        if (iconv(cd, &in, &left, &op, &room) == (size_t)-1) {
            size_t at = (size_t)(in - buf);
            int e = errno;
            if (e == E2BIG) /* cannot happen with 4 bytes a byte */
                snprintf(err, errn, "%s: out of memory", name);
            else if (e == EILSEQ)
                snprintf(err, errn,
                         "%s:%lld: byte %zu of the file is not %s (is "
                         "the encoding right? --encoding names another)",
                         name, lines_in(out, (size_t)(op - out)), at + 1,
                         label);
            else
                snprintf(err, errn,
                         "%s: the file ends inside a character of %s "
                         "(byte %zu; cut short?)",
                         name, label, at + 1);
            free(out);
            iconv_close(cd);
            return e == E2BIG ? QUARRY_ENOMEM : QUARRY_EUTF8;
        }
    }
    iconv_close(cd);
    *op = '\0';
    d->text = out;
    d->len = (size_t)(op - out);
    return QUARRY_OK;
}

static int read_docx(const char *buf, size_t len, const char *name,
                     text_decoded *d, char *err, size_t errn)
{
    int64_t paras = 0;
    int rc = refi_docx_plain(buf, len, name, &d->text, &d->len, &paras, err,
                             errn);
    if (rc != 0)
        return rc;
    d->word = 1;
    snprintf(d->note, sizeof d->note, "%s: read as %s: %lld paragraph%s",
             name,
             has_ext(name, ".odt") ? "an OpenDocument text" : "a Word document",
             (long long)paras, paras == 1 ? "" : "s");
    return QUARRY_OK;
}

/* What people call an encoding, as iconv names it: Notepad's "ANSI",
 * the names Excel, Word and TextEdit show. NULL: the name as given. */
static const char *alias(const char *e)
{
    static const struct {
        const char *say, *iconv;
    } names[] = {{"ansi", "windows-1252"},
                 {"western", "windows-1252"},
                 {"western (windows 1252)", "windows-1252"},
                 {"western european (windows)", "windows-1252"},
                 {"windows", "windows-1252"},
                 {"unicode", "utf-16"},
                 {"mac", "macintosh"},
                 {"mac roman", "macintosh"},
                 {"macroman", "macintosh"},
                 {"western (mac os roman)", "macintosh"}};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(e, names[i].say) == 0)
            return names[i].iconv;
    return NULL;
}

/* Valid UTF-8 without a NUL byte; *wide: with a character beyond ASCII. */
static int plain_utf8(const char *buf, size_t len, int *wide)
{
    size_t bad;
    *wide = 0;
    if (memchr(buf, '\0', len) != NULL ||
        quarry_utf8_check(buf, len, &bad) != QUARRY_UTF8_OK)
        return 0;
    for (bad = 0; bad < len && !*wide; bad++)
        *wide = (unsigned char)buf[bad] >= 0x80;
    return 1;
}

/* The first word of text[0..len) with a character beyond ASCII, quoted
 * with its line, for a note ("e.g. \"café\", line 2"); "" when none. */
static void sample(const char *text, size_t len, char *out, size_t cap)
{
    size_t i, s, e;
    long long line = 1;
    out[0] = '\0';
    for (i = 0; i < len && (unsigned char)text[i] < 0x80; i++)
        line += text[i] == '\n';
    if (i == len)
        return;
    for (s = i; s > 0 && text[s - 1] != ' ' && text[s - 1] != '\n' &&
                text[s - 1] != '\t' && i - s < 24;
         s--)
        ;
    for (e = i; e < len && text[e] != ' ' && text[e] != '\n' &&
                text[e] != '\r' && text[e] != '\t' && e - i < 24;
         e++)
        ;
    e = s + quarry_utf8_cut(text + s, len - s, e - s);
    snprintf(out, cap, " (e.g. \"%.*s\", line %lld: if that is garbled, "
                       "the encoding is another)",
             (int)(e - s), text + s, line);
}

int text_decode(const char *buf, size_t len, const char *name,
                const char *encoding, text_decoded *d, char *err,
                size_t errn)
{
    const unsigned char *u = (const unsigned char *)buf;
    const char *named = NULL;
    int wide = 0;
    memset(d, 0, sizeof *d);
    if (len >= 4 && memcmp(buf, zip_magic, 4) == 0)
        return read_docx(buf, len, name, d, err, errn);
    if (len >= 8 && memcmp(buf, ole_magic, 8) == 0) {
        snprintf(err, errn,
                 "%s: a password-protected Word document, or a Word 97-2003 "
                 "file: remove the password (Word: File, Info, Protect "
                 "Document) or save it again as a Word Document (.docx) or "
                 "as plain text (.txt)",
                 name);
        return QUARRY_EPARSE;
    }
    if (has_ext(name, ".docx") || has_ext(name, ".odt")) {
        snprintf(err, errn,
                 "%s: named %s but not a %s (one is a zip); if it is plain "
                 "text, name it .txt",
                 name, has_ext(name, ".odt") ? ".odt" : ".docx",
                 has_ext(name, ".odt") ? "text document" : "Word document");
        return QUARRY_EPARSE;
    }
    if (encoding != NULL && encoding[0] != '\0' &&
        strcasecmp(encoding, "auto") != 0 && !is_utf8_name(encoding)) {
        iconv_t cd;
        named = alias(encoding) ? alias(encoding) : encoding;
        /* A name iconv does not know is a mistake, whatever the file. */
        cd = iconv_open("UTF-8", named);
        if (cd == (iconv_t)-1)
            return convert(buf, len, name, named, encoding, d, err, errn);
        iconv_close(cd);
    }
    /* A byte-order mark: UTF-32 before UTF-16, whose mark begins it. It
     * wins over an encoding named for a batch of files. */
    {
        int bits = len >= 4 && ((u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 &&
                                 u[3] == 0) ||
                                (u[0] == 0 && u[1] == 0 && u[2] == 0xFE &&
                                 u[3] == 0xFF))
                       ? 32
                   : len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                                  (u[0] == 0xFE && u[1] == 0xFF))
                       ? 16
                       : 0;
        if (bits != 0) {
            const char *enc = bits == 32 ? "UTF-32" : "UTF-16";
            int rc = convert(buf, len, name, enc, enc, d, err, errn);
            if (rc == QUARRY_OK)
                snprintf(d->note, sizeof d->note,
                         "%s: read as %s (it starts with its byte-order "
                         "mark%s)",
                         name, enc,
                         bits == 16 ? ", as Windows' \"Unicode\" text is saved"
                                    : "");
            return rc;
        }
    }
    if (named == NULL)
        return QUARRY_OK;
    /* A file that is UTF-8 already (one of a batch given an encoding) is
     * read as UTF-8: read as another its accents would come out garbled,
     * and a real Windows-1252 or Mac text is hardly ever valid UTF-8. */
    if (plain_utf8(buf, len, &wide)) {
        if (wide || strncasecmp(named, "utf-", 4) == 0 ||
            strncasecmp(named, "ucs", 3) == 0)
            snprintf(d->note, sizeof d->note,
                     "%s: read as UTF-8, not %s: it is valid UTF-8 already",
                     name, named);
        return QUARRY_OK;
    }
    {
        char eg[160];
        int rc = convert(buf, len, name, named, encoding, d, err, errn);
        if (rc != QUARRY_OK)
            return rc;
        sample(d->text, d->len, eg, sizeof eg);
        snprintf(d->note, sizeof d->note, "%s: read as %s%s", name, named, eg);
        return QUARRY_OK;
    }
}
