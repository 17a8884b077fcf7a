/*
 * refi_docx.h -- the text of a Word document (.docx) for the text
 * readers: the same reading as a REFI source's rich text
 * (refi_read_docx.c), with the REFI reader's limits on the bytes
 * inflated. Internal; not installed.
 */
#ifndef QUARRY_REFI_DOCX_H
#define QUARRY_REFI_DOCX_H

#include <stddef.h>
#include <stdint.h>

/* The paragraphs of the .docx bytes[0..len) as lines, w:br line breaks
 * as "\n": a document typed as a text file is (blank paragraphs as blank
 * lines) read as that file would be. One with no blank paragraph at all
 * (paragraphs spaced by their style, as transcription services export
 * them) gets a blank line between two paragraphs, so that each is a
 * paragraph for --segment paragraph.
 * *out (malloc'ed, NUL-terminated) and *out_len on success,
 * *paragraphs counts them. On failure (not a zip, no
 * word/document.xml, bad XML, over a limit, out of memory) err gets
 * "NAME: the file ...: why" and a quarry status is returned. */
int refi_docx_plain(const char *bytes, size_t len, const char *name,
                    char **out, size_t *out_len, int64_t *paragraphs,
                    char *err, size_t err_cap);

#endif /* QUARRY_REFI_DOCX_H */
