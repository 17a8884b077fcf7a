/*
 * json_out.h -- a streaming JSON writer for the command's JSONL outputs:
 * values are formatted straight into a growing buffer that is written to
 * the stream in large chunks, with no tree built per line. Writing only;
 * parsing stays with jansson.
 *
 * The text is byte for byte what jansson's json_dumps gives for the same
 * values with JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4)
 * (and neither JSON_ENSURE_ASCII nor JSON_ESCAPE_SLASH): members in the
 * order written; in strings only '"', '\\' and the bytes below 0x20 are
 * escaped (\b \f \n \r \t, the others as \u00XX in upper-case hex), so
 * '/', 0x7f and UTF-8 (U+2028 and U+2029 too) are written as they are;
 * reals as printf's "%.4g" with ".0" added when that has neither '.' nor
 * 'e', and the exponent without '+' or leading zeros (9.484e-6, 1e30).
 *
 * Values jansson refuses -- a string that is NULL or not valid UTF-8, a
 * real that is NaN or infinite -- are left out, member or element
 * together, as json_object_set_new and json_array_append_new left out the
 * NULL that json_string and json_real gave for them; so the output stays
 * what it was with jansson for every value. They cannot occur in a valid
 * output (the inputs are checked for UTF-8 when read; scores are finite):
 * each one left out is counted in jout.refused for the caller to report.
 *
 * Usage: jout_init, then per line the values (key NULL inside arrays, the
 * member's name inside objects) and jout_end_line; jout_finish writes the
 * rest and frees the buffer. Errors are sticky: after one, the calls do
 * nothing and jout_finish returns it.
 */
#ifndef QUARRY_CLI_JSON_OUT_H
#define QUARRY_CLI_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    JOUT_OK = 0,
    JOUT_ENOMEM = -1, /* the buffer could not grow */
    JOUT_EWRITE = -2, /* fwrite to the stream failed (errno says why) */
    JOUT_EDEPTH = -3  /* containers nested more than JOUT_MAX_DEPTH deep */
};

/* Deepest nesting of objects and arrays. */
#define JOUT_MAX_DEPTH 64
/* The buffer is written out once it holds this many bytes. */
#define JOUT_CHUNK ((size_t)1 << 20)
/* Longest text of one real (jout_format_real). */
#define JOUT_REAL_MAX 32

typedef struct jout {
    FILE *f;
    char *buf;
    size_t len, cap;
    int depth;
    uint64_t has_member; /* bit d: level d already holds a value */
    int err;             /* JOUT_OK or the first error */
    size_t refused;      /* values left out (see above) */
} jout;

void jout_init(jout *w, FILE *f);
/* Write what is buffered, free the buffer; JOUT_OK or the first error. */
int jout_finish(jout *w);

/* key: the member's name in an object, NULL for an element of an array or
 * a value at the top level. Keys are the caller's literals: escaped, not
 * checked for UTF-8. */
void jout_begin_object(jout *w, const char *key);
void jout_end_object(jout *w);
void jout_begin_array(jout *w, const char *key);
void jout_end_array(jout *w);
void jout_string(jout *w, const char *key, const char *s);
void jout_real(jout *w, const char *key, double v);
void jout_integer(jout *w, const char *key, long long v);
void jout_bool(jout *w, const char *key, int v);
/* End a line of JSONL ('\n'); writes the buffer out once it is large. */
void jout_end_line(jout *w);

/* v as jansson's JSON_REAL_PRECISION(4) writes it, into out (at least
 * JOUT_REAL_MAX bytes, NUL-terminated); its length. For a NaN or an
 * infinity, "nan" or "inf" with the sign (never written by jout_real). */
size_t jout_format_real(char *out, double v);

#endif
