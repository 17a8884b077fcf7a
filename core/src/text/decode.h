/*
 * decode.h -- a file's bytes as the UTF-8 text the readers read
 * (decode.c). Internal; not installed.
 *
 * The readers read UTF-8. Before they see a file:
 *   - a zip (a Word .docx) becomes the text of its paragraphs, a line
 *     each (refi_docx.h);
 *   - with an encoding named (quarry_read_options.encoding, other than
 *     UTF-8 or "auto"), the bytes are converted from it with iconv;
 *   - else a UTF-32 or UTF-16 byte-order mark converts from that;
 *   - else the bytes are read as they are (and checked for UTF-8 by the
 *     readers, whose message then suggests --encoding).
 * Offsets the readers give are then offsets in the converted text, which
 * is what a project keeps as the source's text.
 */
#ifndef QUARRY_DECODE_H
#define QUARRY_DECODE_H

#include <stddef.h>

#include "quarry/quarry.h"

typedef struct text_decoded {
    char *text; /* malloc'ed, NUL-terminated; NULL: read the bytes as
                   they are */
    size_t len;
    char note[300]; /* what was done, for a notice; "" when nothing */
    int word;       /* the text is a Word document's, a paragraph a line */
} text_decoded;

/* name is the file's name for messages. On failure err gets
 * "NAME[:LINE]: why" and a quarry status is returned (QUARRY_EINVAL: an
 * unknown encoding; QUARRY_EUTF8: bytes that are not in the encoding;
 * QUARRY_EPARSE, QUARRY_ERANGE: a broken or oversized .docx;
 * QUARRY_ENOMEM). */
int text_decode(const char *buf, size_t len, const char *name,
                const char *encoding, text_decoded *d, char *err,
                size_t errn);

#endif /* QUARRY_DECODE_H */
