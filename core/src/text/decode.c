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

static const char zip_magic[4] = {'P', 'K', 3, 4};

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
    snprintf(d->note, sizeof d->note,
             "%s: read as a Word document: %lld paragraph%s", name,
             (long long)paras, paras == 1 ? "" : "s");
    return QUARRY_OK;
}

int text_decode(const char *buf, size_t len, const char *name,
                const char *encoding, text_decoded *d, char *err,
                size_t errn)
{
    const unsigned char *u = (const unsigned char *)buf;
    memset(d, 0, sizeof *d);
    if (len >= 4 && memcmp(buf, zip_magic, 4) == 0)
        return read_docx(buf, len, name, d, err, errn);
    if (encoding != NULL && encoding[0] != '\0' &&
        strcasecmp(encoding, "auto") != 0) {
        int rc;
        if (is_utf8_name(encoding))
            return QUARRY_OK;
        rc = convert(buf, len, name, encoding, encoding, d, err, errn);
        if (rc == QUARRY_OK)
            snprintf(d->note, sizeof d->note, "%s: read as %s", name,
                     encoding);
        return rc;
    }
    /* A byte-order mark: UTF-32 before UTF-16, whose mark begins it. */
    if (len >= 4 && ((u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) ||
                     (u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF))) {
        int rc = convert(buf, len, name, "UTF-32", "UTF-32", d, err, errn);
        if (rc == QUARRY_OK)
            snprintf(d->note, sizeof d->note,
                     "%s: read as UTF-32 (it starts with its byte-order "
                     "mark)",
                     name);
        return rc;
    }
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                     (u[0] == 0xFE && u[1] == 0xFF))) {
        int rc = convert(buf, len, name, "UTF-16", "UTF-16", d, err, errn);
        if (rc == QUARRY_OK)
            snprintf(d->note, sizeof d->note,
                     "%s: read as UTF-16 (it starts with its byte-order "
                     "mark, as Windows' \"Unicode\" text is saved)",
                     name);
        return rc;
    }
    return QUARRY_OK;
}
