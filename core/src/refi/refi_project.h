/*
 * refi_project.h -- what the REFI-QDA import and export of a project share
 * (refi_import.c, refi_export.c, refi_tables.c). Internal; not installed.
 */
#ifndef QUARRY_REFI_PROJECT_H
#define QUARRY_REFI_PROJECT_H

#include "quarry/quarry.h"

/* The user the engine's pending suggestions are exported under; codings
 * by a user of this name are never imported as codings. */
#define REFI_SUGGESTION_USER "quarry (suggestion)"

/* quarry's UUID namespace: codes are uuid5(it, "code:" + code id) in every
 * project, so the same codebook has the same GUIDs everywhere; the rest is
 * under a namespace per project (uuid5(it, "project:" + created_at)). */
#define REFI_QUARRY_NS "5b1f3a52-8e0c-4f6e-9d0a-71a3c0de2f11"

/* quarry_project_import_qdc, of bytes when bytes is not NULL (path then
 * names the file for messages only; nothing is read from disk). */
int refi_import_qdc(quarry_project *p, const char *path, const char *bytes,
                    size_t len, const quarry_refi_options *o, int32_t *added,
                    int32_t *updated);

/* The GUID derived from a code id, into out[37]: what a code is exported
 * under when no import kept one for it. */
void refi_project_code_guid(const char *code, char out[37]);

/* The project's own namespace (uuid5(REFI_QUARRY_NS, "project:" +
 * meta.created_at)), into out[37]; QUARRY_OK or an error on the handle. */
int refi_project_ns(quarry_project *p, char out[37]);

/* The GUID derived from a coder's name in the project namespace ns, into
 * out[37]: what a coder is exported under when no import kept one. */
void refi_project_user_guid(const char *ns, const char *name, char out[37]);

/*
 * The GUIDs a REFI import kept for codes and coders, in meta(key, value):
 * key REFI_META_CODE_GUID + code id (codes.code), or REFI_META_USER_GUID +
 * coder name (coders.name); value the GUID as read (lower case, no braces).
 * The first import's GUID stays (a later file with another GUID for the
 * same code or coder does not replace it, unless the kept value is not a
 * GUID); a row naming no code or coder any more is ignored. On export a kept GUID is used when it is a GUID and
 * unique in the file written, else the derived one.
 */
#define REFI_META_CODE_GUID "refi.code_guid."
#define REFI_META_USER_GUID "refi.user_guid."

/*
 * What a REFI import read of the project as a whole, so an export writes
 * it back (meta; the first import's value stays, a later file that reads
 * otherwise gets a notice): Project/@name, and how endPosition and CR LF
 * were counted ("inclusive" | "exclusive", "two" | "one"); an export with
 * the end or CR LF option on auto writes those.
 */
#define REFI_META_PROJECT_NAME "refi.project_name"
#define REFI_META_END "refi.end"
#define REFI_META_CRLF "refi.crlf"

/* Excerpt attributes an import writes and an export reads back:
 * refi_guid (the selection's or the source's GUID), refi_name (the
 * selection's @name when it is not the quoted text). */

#endif /* QUARRY_REFI_PROJECT_H */
