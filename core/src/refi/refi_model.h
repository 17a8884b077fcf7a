/*
 * refi_model.h -- an in-memory REFI-QDA project, independent of SQLite.
 *
 * A .qdpx (zip: project.qde and sources/) or a .qdc codebook is read into
 * this structure (refi_read.c) and written back out from it (refi_write.c);
 * the project layer (refi_project.c) fills it from a quarry project or
 * stores it into one. Everything here is plain arrays indexed by int32:
 * a reference is an index, never a pointer, so growing an array never
 * invalidates one. Strings live in the model's arena and die with it.
 *
 * Offsets: a selection holds Unicode code points counted from 0 over the
 * exact source text (line endings never normalised), with an exclusive
 * end, and the matching byte offsets into `text`. The inclusive or
 * exclusive reading of endPosition is decided at the file edge only.
 * Internal; not installed.
 */
#ifndef QUARRY_REFI_MODEL_H
#define QUARRY_REFI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "strtab.h"

/* What a GUID names (the guid table, owners and targets of references). */
typedef enum refi_kind {
    REFI_K_NONE = 0,
    REFI_K_PROJECT,
    REFI_K_USER,
    REFI_K_CODE,
    REFI_K_VARIABLE,
    REFI_K_CASE,
    REFI_K_SOURCE,
    REFI_K_SELECTION,
    REFI_K_CODING,
    REFI_K_NOTE,
    REFI_K_SET,
    REFI_K_SKIPPED /* an element quarry does not import (picture, link...) */
} refi_kind;

typedef enum refi_vtype {
    REFI_V_TEXT = 0,
    REFI_V_BOOLEAN,
    REFI_V_INTEGER,
    REFI_V_FLOAT,
    REFI_V_DATE,
    REFI_V_DATETIME
} refi_vtype;

typedef struct refi_user {
    const char *guid, *name, *id; /* name, id may be NULL */
} refi_user;

typedef struct refi_code {
    const char *guid, *name;
    const char *color;       /* "#RRGGBB" or NULL */
    const char *description; /* or NULL */
    int codable;
    int32_t parent; /* -1 at the top; parents come first */
} refi_code;

typedef struct refi_source {
    const char *guid, *name, *description, *created; /* may be NULL */
    int32_t user;                                    /* creator or -1 */
    const char *text;                                /* NUL-terminated */
    size_t text_len;                                 /* bytes */
    int64_t n_cp;                                    /* code points */
} refi_source;

typedef struct refi_selection {
    const char *guid, *name, *description, *created;
    int32_t user;
    int32_t source;
    int64_t start, end;          /* code points, end exclusive */
    size_t byte_start, byte_end; /* the same in bytes of the source text */
} refi_selection;

typedef struct refi_coding {
    const char *guid, *created;
    int32_t code;
    int32_t user; /* -1: unknown coder */
    int32_t source;
    int32_t selection; /* -1: the whole source */
} refi_coding;

typedef struct refi_variable {
    const char *guid, *name, *description;
    refi_vtype type;
} refi_variable;

typedef struct refi_case {
    const char *guid, *name, *description;
} refi_case;

/* A variable's value on a source or a case. */
typedef struct refi_value {
    refi_kind owner_kind; /* REFI_K_SOURCE or REFI_K_CASE */
    int32_t owner;
    int32_t variable;
    refi_vtype type; /* the element it came in (TextValue...) */
    const char *value;
} refi_value;

typedef struct refi_note {
    const char *guid, *name, *description, *created;
    int32_t user;
    const char *text;
    size_t text_len;
} refi_note;

typedef struct refi_set {
    const char *guid, *name, *description;
} refi_set;

/*
 * A reference between two things: a case's CodeRef/SourceRef/SelectionRef,
 * a set's MemberCode/MemberSource/MemberNote, or a NoteRef (target a note,
 * owner a project, code, source, selection or coding).
 */
typedef struct refi_ref {
    refi_kind owner_kind;
    int32_t owner;
    refi_kind target_kind;
    int32_t target;
} refi_ref;

#define REFI_ARRAY(T, name)                                                    \
    T *name;                                                                   \
    int32_t n_##name, cap_##name

typedef struct refi_model {
    quarry_arena arena;
    strtab guids; /* normalised guid -> id in guid_kind/guid_index */
    refi_kind *guid_kind;
    int32_t *guid_index;
    int64_t cap_guid;

    const char *name, *origin, *created, *description, *guid;
    int32_t creating_user;

    REFI_ARRAY(refi_user, users);
    REFI_ARRAY(refi_code, codes);
    REFI_ARRAY(refi_variable, variables);
    REFI_ARRAY(refi_case, cases);
    REFI_ARRAY(refi_source, sources);
    REFI_ARRAY(refi_selection, selections);
    REFI_ARRAY(refi_coding, codings);
    REFI_ARRAY(refi_value, values);
    REFI_ARRAY(refi_note, notes);
    REFI_ARRAY(refi_set, sets);
    REFI_ARRAY(refi_ref, refs);

    /* One line per kind of notice ("skipped 2 PictureSource elements"). */
    struct refi_notice {
        char *key;
        char *msg;
        int64_t count;
    } * notices;
    int32_t n_notices, cap_notices;

    /* How endPosition was read (import), what decided it, and the votes
     * of the @name texts and of the selections' layout (refi_read_pos.c).
     * An exporter writing the file back keeps end_inclusive. */
    int end_inclusive;
    enum refi_end_basis {
        REFI_END_BY_OPTION = 0, /* the caller's --end */
        REFI_END_BY_NAMES,      /* the quoted texts in @name */
        REFI_END_BY_LAYOUT,     /* neighbours, line starts, word ends */
        REFI_END_BY_FILE,       /* quarry's own file says (refi_trip.h) */
        REFI_END_UNDECIDED      /* nothing decided: the standard's reading */
    } end_basis;
    int64_t votes_inclusive, votes_exclusive;
    int64_t layout_inclusive, layout_exclusive;
    /* Whether the file counted CR LF as one character, and the votes. */
    int crlf_one;
    int64_t votes_crlf_one, votes_crlf_two;

    /* quarry's own entry of a .qdpx (refi_trip.h): the bytes written or
     * read (malloc'ed) and, on import, the parsed JSON (a json_t *, NULL
     * unless the file is quarry's). */
    char *trip_json;
    size_t trip_len;
    void *trip;

    char errmsg[1024];
} refi_model;

void refi_model_init(refi_model *m);
void refi_model_free(refi_model *m);

/* Set the model's message (printf-style) and return status. */
int refi_fail(refi_model *m, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a notice under key: the first message is kept, later ones with
 * the same key are counted ("... (and 3 more)"). */
void refi_notice(refi_model *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The i-th notice as one line (the count appended), in a static-free
 * buffer of the caller. */
void refi_notice_text(const refi_model *m, int32_t i, char *buf, size_t cap);

/* A copy in the model's arena (NULL for NULL). */
const char *refi_str(refi_model *m, const char *s);
const char *refi_strn(refi_model *m, const char *s, size_t len);

/* A code's Description as NVivo, ATLAS.ti and MAXQDA show it: the
 * definition, then "Include: ..." and "Exclude: ..." paragraphs for the
 * notes a REFI-QDA codebook has no field for (in the arena; NULL when
 * all three are). */
const char *refi_code_description(refi_model *m, const char *definition,
                                  const char *include, const char *exclude);
/* The other way: a Description whose last paragraphs start "Include: "
 * and "Exclude: " (in that order, either alone) split into the
 * definition before them (NULL when none) and the notes (NULL when not
 * there), in the arena. Any other Description is the definition whole. */
void refi_code_description_split(refi_model *m, const char *description,
                                 const char **definition,
                                 const char **include, const char **exclude);

/* Append a zeroed element; returns its index or -1 (out of memory). */
/* Text order of two places (source, start, end): -1, 0 or 1, for the
 * comparators that sort spans and selections. */
int refi_place_cmp(int32_t source_a, int64_t start_a, int64_t end_a,
                   int32_t source_b, int64_t start_b, int64_t end_b);

int32_t refi_push(refi_model *m, void **arr, int32_t *n, int32_t *cap,
                  size_t elem);
#define REFI_PUSH(m, name)                                                     \
    refi_push((m), (void **)&(m)->name, &(m)->n_##name, &(m)->cap_##name,      \
              sizeof(*(m)->name))

/* "{ABCDEF01-...}" -> "abcdef01-..." in out[37]; 0, or -1 when s is not a
 * GUID of the form 8-4-4-4-12 hexadecimal digits. */
int refi_guid_normalise(const char *s, char out[37]);

/* Register a guid (normalised form) for a thing; QUARRY_EDUP when it is
 * already taken, QUARRY_ENOMEM. */
int refi_guid_add(refi_model *m, const char *guid, refi_kind kind,
                  int32_t index);
/* What a guid names: its kind (REFI_K_NONE when unknown) and index. */
refi_kind refi_guid_find(const refi_model *m, const char *guid, int32_t *index);

/* UUID version 5 (SHA-1, RFC 4122) of name[0..len) in the namespace ns
 * (a GUID string), lower-case, into out[37]. */
void refi_uuid5(const char *ns, const char *name, size_t len, char out[37]);
/* uuid5(ns, "kind:key") into the arena: the deterministic GUID of a thing. */
const char *refi_guid_for(refi_model *m, const char *ns, const char *kind,
                          const char *key);

/* Code points <-> bytes over a text, with a checkpoint every 64 code
 * points so a lookup walks at most 64 of them. */
typedef struct refi_cpmap {
    const char *text;
    size_t len;
    size_t *ck; /* byte offset of code point 64*i */
    int64_t n_ck;
    int64_t n_cp;
    int crlf_one; /* count CR LF as one character (as ATLAS.ti does) */
} refi_cpmap;

int refi_cpmap_init(refi_cpmap *map, const char *text, size_t len);
/* The same, counting each CR LF pair as one character when crlf_one. */
int refi_cpmap_init_crlf(refi_cpmap *map, const char *text, size_t len,
                         int crlf_one);
void refi_cpmap_free(refi_cpmap *map);
/* The byte offset of code point cp (len when cp is the count); (size_t)-1
 * when cp is negative or past the end. */
size_t refi_cpmap_byte(const refi_cpmap *map, int64_t cp);
/* The code point that byte offset b falls in (n_cp at len). */
int64_t refi_cpmap_cp(const refi_cpmap *map, size_t b);

/* "#rgb", "#RRGGBB" (any case) -> "#RRGGBB" in out[8]; -1 if not a colour. */
int refi_color_normalise(const char *s, char out[8]);

/* xsd:dateTime, loosely: YYYY-MM-DDThh:mm:ss, an optional fraction and an
 * optional zone (Z or +hh:mm). */
int refi_is_datetime(const char *s);

const char *refi_vtype_name(refi_vtype t);          /* "Text" ... */
int refi_vtype_parse(const char *s, refi_vtype *t); /* 0 or -1 */

#endif /* QUARRY_REFI_MODEL_H */
