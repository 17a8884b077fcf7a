/*
 * fuzz.h -- what the fuzz harnesses share (fuzz_util.c): a private temp
 * folder for the files the API reads by path, a small project copied fresh
 * for every input, a quiet engine, and the corpus readers run the way the
 * command runs them. Each harness defines LLVMFuzzerTestOneInput(); it is
 * linked with libFuzzer (QUARRY_FUZZ=ON) or with fuzz_replay.c, which
 * replays a seed corpus as an ordinary test.
 *
 * A harness never prints, exits or leaks on any input. It aborts only when
 * the library broke a promise the fuzzer cannot see otherwise: a failed
 * import that changed the project.
 */
#ifndef QUARRY_FUZZ_H
#define QUARRY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "quarry/project.h"
#include "quarry/quarry.h"
#include "quarry/refi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's temp folder (made on first use, removed at exit). */
const char *fuzz_dir(void);

/* Write data to <fuzz_dir>/name; path gets the full name. 0 on success. */
int fuzz_write(const char *name, const uint8_t *data, size_t size,
               char *path, size_t cap);

/* A fresh copy of the template project (a few coded and uncoded excerpts,
 * their codes, one run with suggestions for the uncoded ones), open for
 * writing, the clock pinned: in memory (SQLite's deserialize), set up as
 * quarry_project_open() sets up a file. NULL when memory ran out. */
quarry_project *fuzz_project(void);

/* The same as a file, <fuzz_dir>/p.qry, opened with quarry_project_open()
 * (for tests that close and reopen it). */
quarry_project *fuzz_project_file(void);

/* Close the copy and delete its file if it has one. NULL-safe. */
void fuzz_project_done(quarry_project *p);

/* The row counts of a project, for the all-or-nothing check. */
int fuzz_counts(quarry_project *p, quarry_project_counts *out);

/* Abort unless a failed call (status != 0) left p's rows as in before. */
void fuzz_check_unchanged(quarry_project *p, int status,
                          const quarry_project_counts *before);

/* Read data as one file of the given format into a new corpus with the
 * command's default options, then again with the strict variants
 * (require_code, a byte limit, empty texts allowed), touching every field
 * of every excerpt read. */
void fuzz_read_corpus(const uint8_t *data, size_t size, quarry_format format,
                      quarry_segment segment, const char *name);

/* REFI-QDA options for fuzzing: no notices, no external files. */
quarry_refi_options fuzz_refi_options(void);

/* An engine without plugins, for codebooks (made once). */
quarry_engine *fuzz_engine(void);

#endif
