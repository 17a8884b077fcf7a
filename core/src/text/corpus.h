/*
 * corpus.h -- the corpus internals shared by corpus.c and the readers
 * (reader_jsonl.c, reader_csv.c, reader_transcript.c). Internal; not
 * installed.
 *
 * A reader walks a buffer and hands each record to corpus_add() as spans
 * of that buffer; corpus_add() checks what every format shares (id, empty
 * text, size limit, required code, duplicates), copies the bytes into the
 * corpus and assigns nothing visible until the whole read succeeds:
 * quarry_corpus_read_buffer() rolls the corpus back when a reader fails.
 *
 * Messages: corpus_fail() formats "NAME:LINE: field \"F\": what". Byte
 * positions in messages ("at byte 40") are 1-based within their line.
 *
 * A bad record does not stop the reader: corpus_bad() keeps its message
 * and the reader goes on, so that one message can list the first
 * CORPUS_BAD_LIST bad records; the file is refused all the same. Only what
 * leaves the reader no way on (a broken CSV quote, a missing column, no
 * memory) stops it at once.
 */
#ifndef QUARRY_CORPUS_H
#define QUARRY_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "quarry/quarry.h"

/* A byte span of some buffer; s == NULL means absent. */
typedef struct corpus_span {
    const char *s;
    size_t len;
} corpus_span;

/* One record as a reader found it; every span is copied by corpus_add(). */
typedef struct corpus_rec {
    corpus_span id;
    corpus_span text;
    corpus_span speaker; /* may be absent */
    int64_t line;        /* where the record starts, 1-based */
    int64_t start, end;  /* offsets of text in the file, or -1 */
    const corpus_span *codes;
    size_t n_codes;
    /* String-valued attributes, for quarry_corpus_attribute(): n_attrs
     * key/value pairs, keys at even indices. */
    const corpus_span *attrs;
    size_t n_attrs;
    corpus_span attributes; /* compact JSON object; absent means "{}" */
} corpus_rec;

#define CORPUS_BAD_LIST 20  /* bad records listed in one message */
#define CORPUS_EMPTY_LINES 5 /* lines named by the empty-excerpt notice */

/* What a reader works with. */
typedef struct corpus_reader {
    quarry_corpus *c;
    quarry_read_options o; /* with every default filled in */
    const char *name;      /* for messages: display name, or "<stdin>" */
    const char *source;    /* interned; excerpt.source */
    const char *path;      /* the file's name or path as given; may be NULL */
    size_t begin;          /* 3 when the buffer starts with a UTF-8 BOM */
    /* The text is a Word document's paragraphs, a line each: every line
     * is a paragraph (--segment paragraph), not only runs between blank
     * lines. */
    int line_paragraphs;
    size_t first;          /* index of the first excerpt of this read */
    int threads;           /* parsing workers (parallel.h); 0 = every core */
    /* Bad records so far (corpus_bad): the first messages, the count and
     * the status of the first. */
    char *bad[CORPUS_BAD_LIST];
    size_t n_bad;
    int bad_status;
    /* Excerpts left out for their empty text, and the first lines. */
    size_t n_empty;
    int64_t empty_lines[CORPUS_EMPTY_LINES];
    /* Codes given by name, resolved once each (interned name -> id, or
     * NULL when the name is unknown or shared). */
    const char **names_from, **names_to;
    size_t n_names, cap_names;
} corpus_reader;

/* Append one record. A record whose text is empty is counted and left out
 * (0), unless allow_empty keeps it or strict refuses it. On failure sets
 * the message and returns the status: QUARRY_EPARSE (empty id, empty text
 * with strict, NUL, missing code, unknown or shared code name),
 * QUARRY_EDUP, QUARRY_ERANGE (over max_excerpt_bytes), QUARRY_ENOMEM. */
int corpus_add(corpus_reader *r, const corpus_rec *rec);

/* After a record failed with status rc (its message set): keep the message
 * for the list and return 0 so that the reader goes on; out of memory, and
 * a status that is not a failure, are returned as they are. */
int corpus_bad(corpus_reader *r, int rc);

/* Set the corpus message to "NAME:LINE: field \"FIELD\": ..." (line <= 0
 * leaves out the line, field NULL the field) and return status. */
int corpus_fail(corpus_reader *r, int status, int64_t line, const char *field,
                const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The same for running out of memory. */
int corpus_nomem(corpus_reader *r);

/* Report a bad byte found by quarry_utf8_check() (kind is its result) at
 * line, 1-based byte column col: QUARRY_EUTF8 for invalid UTF-8,
 * QUARRY_EPARSE for a NUL byte. */
int corpus_fail_bytes(corpus_reader *r, int kind, int64_t line,
                      const char *field, size_t col);

/* A stable NUL-terminated copy of s[0..len) shared by equal strings (codes,
 * speakers, keys, sources); lives as long as the corpus and survives
 * rollbacks. NULL when out of memory. s must hold no NUL byte. */
const char *corpus_intern(quarry_corpus *c, const char *s, size_t len);

/* An id or other value cut to a readable length for a message: writes at
 * most cap bytes (NUL included) into buf, with "..." when cut. */
const char *corpus_quote(const char *s, size_t len, char *buf, size_t cap);

/* The readers: parse the whole file buf[0..len) from r->begin (past a
 * BOM; offsets stay those of the file) and call corpus_add() for each
 * record. Return 0 or a status with the message set. */
int corpus_read_jsonl(corpus_reader *r, const char *buf, size_t len);
int corpus_read_csv(corpus_reader *r, const char *buf, size_t len);
int corpus_read_transcript(corpus_reader *r, const char *buf, size_t len);

/* The kind of a JSON value for messages: "an object", "a list", "a
 * string", "an integer", "a number", "a boolean", "null". */
struct json_t;
const char *corpus_json_type(const struct json_t *v);

/* Shared by the readers: the 1-based line of byte offset off, counting from
 * a known (pos, line) pair before it (a line ends at LF, CR LF or a CR
 * alone). */
int64_t corpus_line_at(const char *buf, size_t pos, int64_t line, size_t off);

/* quarry_corpus_read_file, and for a transcript (a .txt, .docx, ...) the
 * text as the reader read it (decoded to UTF-8; offsets are into it) in
 * *text, malloc'ed, for the caller to free; NULL for other formats. */
int corpus_read_file_text(quarry_corpus *c, const char *path,
                          const quarry_read_options *o, char **text,
                          size_t *len);
/* The same for bytes named name (quarry_corpus_read_buffer's rules: the
 * format by name's extension). */
int corpus_read_buffer_text(quarry_corpus *c, const char *buf, size_t blen,
                            const char *name, const quarry_read_options *o,
                            char **text, size_t *len);

#endif /* QUARRY_CORPUS_H */
