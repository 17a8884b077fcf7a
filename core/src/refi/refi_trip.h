/*
 * refi_trip.h -- what a quarry export carries for quarry alone: one JSON
 * entry in the .qdpx beside project.qde and sources/ (REFI_TRIP_ENTRY),
 * which other tools never open, read back only from a file whose
 * Project/@origin says quarry wrote it (refi_trip.c). Internal; not
 * installed.
 *
 * The standard has no place for a code's id (a Code has a GUID and a
 * name), a coding's origin, a memo's earlier version, a speaker's role or
 * the excerpts nobody coded (they are no selection), and Project.xsd
 * allows no attribute or element of another namespace: an extra XML
 * attribute would make every export invalid. So these go here, keyed by
 * the GUIDs of project.qde, and everything a tool needs stays in
 * project.qde. The entry (version 1):
 *
 *   {"quarry": 1,
 *    "end": "inclusive" | "exclusive", "crlf": "two" | "one",
 *    "codes": {CODE-GUID: code id},
 *    "code_notes": {CODE-GUID: {"include_note", "exclude_note",
 *                               "keywords": [...]}},
 *    "excerpts": {SELECTION-GUID: {"id", "speaker", "attributes"}
 *                                 | {"passage_of": SELECTION-GUID,
 *                                    "span": [start, end]}},
 *    "rest": {SOURCE-GUID: [{"id", "start", "end", "speaker",
 *                            "attributes"}, ...]},
 *    "codings": {CODING-GUID: "manual" | "accepted-suggestion" | ...},
 *    "memos": {NOTE-GUID: the GUID of the note it revises}}
 *
 * A "passage_of" selection is a coding's passage (quarry_decision's span,
 * code points of the excerpt's text) of the excerpt of that selection:
 * its codings go back on that excerpt with the span, and it makes no
 * excerpt of its own.
 * "rest" lists every excerpt of a source that is no selection, start and
 * end in code points of the exported text (end exclusive, a CR LF as
 * two); "attributes" is the excerpt's attributes object as the project
 * holds it. An import takes what is valid and reads the rest as it reads
 * any file.
 */
#ifndef QUARRY_REFI_TRIP_H
#define QUARRY_REFI_TRIP_H

#include <jansson.h>

#include "refi_model.h"

#define REFI_TRIP_ENTRY "quarry/roundtrip.json"
#define REFI_TRIP_VERSION 1

/* Parse m->trip_json into m->trip when m->origin names quarry; a bad
 * entry or another origin leaves m->trip NULL with a notice (file names
 * the file in it). */
void refi_trip_parse(refi_model *m, const char *file);

/* The entry read (NULL when none). */
static inline json_t *refi_trip(const refi_model *m)
{
    return (json_t *)m->trip;
}

/* trip[section][guid] (NULL when absent); the string form NULL unless it
 * is a string. */
json_t *refi_trip_get(const refi_model *m, const char *section,
                      const char *guid);
const char *refi_trip_str(const refi_model *m, const char *section,
                          const char *guid);

/* How the file declares endPosition and CR LF: 1 and *inclusive / *one
 * set when it does, 0 otherwise. */
int refi_trip_end(const refi_model *m, int *inclusive);
int refi_trip_crlf(const refi_model *m, int *one);

/* An id quarry can take as it comes (excerpt or code): non-empty, at
 * most max bytes, no control character, not only spaces. */
int refi_trip_id_ok(const char *id, size_t max);

#endif /* QUARRY_REFI_TRIP_H */
