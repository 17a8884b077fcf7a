/*
 * refi_rest.h -- the uncoded rest of a REFI-QDA text source cut into
 * excerpts (refi_rest.c), so an imported project has excerpts to suggest
 * for beside the coded selections. Internal; not installed.
 */
#ifndef QUARRY_REFI_REST_H
#define QUARRY_REFI_REST_H

#include <stddef.h>
#include <stdint.h>

#include "quarry/quarry.h"

/* A byte span of a source text that a selection covers. */
typedef struct refi_cover {
    size_t b0, b1;
} refi_cover;

/* One excerpt of the rest: bytes and code points of the source text
 * (ends exclusive), the line it starts on (1-based) and the speaker of the
 * turn it is in (malloc'ed, or NULL). */
typedef struct refi_piece {
    size_t b0, b1;
    int64_t start, end;
    int64_t line;
    char *speaker;
} refi_piece;

/*
 * Cut text[0..len) as a transcript is cut (quarry_corpus_read_buffer with
 * the transcript format: by turn, paragraph or sentence as segment says;
 * QUARRY_REFI_SEGMENT_AUTO: by turn when the text has speaker turns, else
 * by paragraph), then take out every byte the covers hold (any order, may
 * overlap): what is left of each segment, trimmed of white space, is a
 * piece when it holds a letter or a digit. Pieces never overlap a cover and
 * come in text order. *used is the segmentation applied (TURN, PARAGRAPH
 * or SENTENCE). The text must be valid UTF-8 without NUL bytes (the
 * reader's repaired text). QUARRY_OK, QUARRY_ENOMEM, or another status
 * with the transcript reader's message in err.
 */
int refi_rest_cut(const char *text, size_t len, const char *name,
                  const refi_cover *covers, int32_t n_covers, int segment,
                  refi_piece **out, int32_t *n_out, int *used, char *err,
                  size_t errcap);

void refi_pieces_free(refi_piece *p, int32_t n);

#endif /* QUARRY_REFI_REST_H */
