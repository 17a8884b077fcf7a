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

/* The paragraphs of the .docx bytes[0..len), a line each (an empty
 * paragraph a blank line), w:br line breaks as "\n": what the readers
 * read (decode.c tells the transcript reader that each line is a
 * paragraph).
 * *out (malloc'ed, NUL-terminated) and *out_len on success,
 * *paragraphs counts them. On failure (not a zip, no
 * word/document.xml, bad XML, over a limit, out of memory) err gets
 * "NAME: the file ...: why" and a quarry status is returned. */
int refi_docx_plain(const char *bytes, size_t len, const char *name,
                    char **out, size_t *out_len, int64_t *paragraphs,
                    char *err, size_t err_cap);

#endif /* QUARRY_REFI_DOCX_H */
