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

/* The GUID a code id is exported under, into out[37]. */
void refi_project_code_guid(const char *code, char out[37]);

#endif /* QUARRY_REFI_PROJECT_H */
