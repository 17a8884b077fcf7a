/*
 * quarry/refi.h -- REFI-QDA exchange (.qdpx projects, .qdc codebooks) and
 * exports for analysis; part of the engine API, included by quarry/quarry.h.
 *
 * REFI-QDA is the exchange standard of NVivo, ATLAS.ti, MAXQDA and
 * QualCoder. Selections there are Unicode code points counted from 0 over
 * the exact source text (line endings are never normalised); quarry keeps
 * byte offsets inside and converts at this edge. Writers disagree on
 * whether endPosition is inclusive: on import quarry infers it from the
 * quoted text in each selection's @name (majority over the file), then
 * from the selections' layout (neighbours overlapping by one, ends on the
 * next line's first character or inside a word), falls back to the
 * standard's (inclusive) reading with a notice when nothing decides, and
 * takes an override. The stats say which reading was taken.
 *
 * An import reads only what is inside the archive (or, for a bare
 * project.qde, under its folder) unless external_dir names a folder. Exports use deterministic GUIDs (UUID v5 over stable keys), so
 * two exports of an unchanged project are byte-identical.
 *
 * Imports are all-or-nothing. What quarry cannot use (pictures, PDF, audio,
 * video, graphs, links) is skipped with a one-line notice handed to the
 * notice callback, never printed.
 */
#ifndef QUARRY_REFI_H
#define QUARRY_REFI_H

#include "quarry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How endPosition is read on import and written on export. */
typedef enum quarry_refi_end {
    QUARRY_REFI_END_AUTO = 0,      /* import: infer; export: inclusive */
    QUARRY_REFI_END_INCLUSIVE = 1, /* the standard: the last character */
    QUARRY_REFI_END_EXCLUSIVE = 2  /* QualCoder: one past the last */
} quarry_refi_end;

/* How a CR LF line break is counted: as two characters (the standard;
 * NVivo, MAXQDA) or as one (ATLAS.ti). On import AUTO infers it from the
 * quoted texts as for endPosition (on a tie, one only when the project's
 * @origin names ATLAS); on export AUTO is two. */
typedef enum quarry_refi_crlf {
    QUARRY_REFI_CRLF_AUTO = 0,
    QUARRY_REFI_CRLF_TWO = 1,
    QUARRY_REFI_CRLF_ONE = 2
} quarry_refi_crlf;

/* How the uncoded rest of each text source is cut into excerpts on import
 * (the text no selection covers; selections stay as they are). */
typedef enum quarry_refi_segment {
    QUARRY_REFI_SEGMENT_AUTO = 0,      /* by turn if the text has speaker
                                          turns ("Name: ..."), else by
                                          paragraph */
    QUARRY_REFI_SEGMENT_TURN = 1,      /* as transcripts: quarry_segment */
    QUARRY_REFI_SEGMENT_PARAGRAPH = 2,
    QUARRY_REFI_SEGMENT_SENTENCE = 3,
    QUARRY_REFI_SEGMENT_NONE = 4       /* no excerpts of the rest */
} quarry_refi_segment;

typedef struct quarry_refi_options {
    uint32_t version;
    quarry_refi_end end;
    quarry_refi_crlf crlf;
    /* A folder whose files a plainTextPath (or richTextPath) outside the
     * archive may name: an absolute path, a file:// URL, or a path
     * relative to the .qdpx's folder, the project's basePath or this
     * folder. The real path (symbolic links resolved) must lie under it
     * and be a regular file within max_entry_bytes. NULL (the default):
     * only what is inside the archive is read (for a bare project.qde:
     * the files under its own folder). */
    const char *external_dir;
    /* Limits against zip bombs (0 = the default): bytes of one entry or
     * file read (512 MiB), of all entries and files read (2 GiB), and the
     * largest ratio of uncompressed to compressed size, checked only for
     * an entry over 64 MiB (100); entries never read (pictures, audio)
     * do not count. */
    uint64_t max_entry_bytes;
    uint64_t max_total_bytes;
    uint32_t max_ratio;
    /* Receives each notice (skipped elements, repairs), one line. */
    quarry_log_fn notice;
    void *notice_ctx;
    /* Version 2: how the uncoded rest of the sources is cut on import. */
    quarry_refi_segment segment;
} quarry_refi_options;

#define QUARRY_REFI_OPTIONS_VERSION 2
/* clang-format off */
#define QUARRY_REFI_OPTIONS_INIT                                            \
    {QUARRY_REFI_OPTIONS_VERSION, QUARRY_REFI_END_AUTO,                     \
     QUARRY_REFI_CRLF_AUTO, NULL, 0, 0, 0, NULL, NULL,                      \
     QUARRY_REFI_SEGMENT_AUTO}
/* clang-format on */

#define QUARRY_REFI_DEFAULT_MAX_ENTRY ((uint64_t)512 << 20)
#define QUARRY_REFI_DEFAULT_MAX_TOTAL ((uint64_t)2 << 30)
#define QUARRY_REFI_DEFAULT_MAX_RATIO 100u
/* Entries up to this size are never refused for their ratio alone: a
 * repetitive text compresses far better than 100 to 1. */
#define QUARRY_REFI_RATIO_FLOOR ((uint64_t)64 << 20)

/* ------------------------------------------------------------------ */
/* Projects (quarry/project.h) in and out                               */

typedef struct quarry_project quarry_project;

typedef struct quarry_refi_stats {
    int64_t sources;  /* text sources added */
    int64_t excerpts; /* selections added as excerpts (one per span) */
    int64_t codings;  /* codings added (origin "imported") */
    int64_t codes;    /* codes added to the codebook */
    int64_t coders;   /* users seen */
    int64_t rest;     /* excerpts cut from the uncoded rest of the text */
    /* How the file was read: endPosition (INCLUSIVE or EXCLUSIVE) and a
     * CR LF line break (TWO or ONE), so it can be written back alike. */
    quarry_refi_end end;
    quarry_refi_crlf crlf;
} quarry_refi_stats;

/* Import a .qdpx (or a bare project.qde) in one transaction: users as
 * coders, the code tree into the codebook (a code matches an existing one
 * by the GUID quarry exports it under, else by name; new codes take their
 * name as id), every text source with its exact text, every selection as
 * an excerpt (selections over the same span are one excerpt; a coding of
 * a whole source is an excerpt over all of it), the text no selection
 * covers cut into excerpts as o->segment says (never overlapping a
 * selection; stats->rest counts them), every coding under its coder with
 * origin "imported" (a coding without a user goes to coder "imported").
 * A code with children that the file marks isCodable="true" (or codes)
 * stays a code suggest learns from; one marked "false" is a theme. Cases
 * name the speaker of the selections they reference (their "speaker"
 * variable, else their name); case and source variables, selection
 * descriptions and the notes a TextSource references become the excerpts'
 * attributes. Notes referenced by the Project, a Code or a
 * PlainTextSelection become memos (quarry_project_memos) on the project,
 * the code or the excerpt, under the note's creatingUser and
 * creationDateTime (coder "imported" when it names no user), and only
 * that. Project/@name, a selection's @name that is not its quoted
 * text, and how endPosition and CR LF were counted are kept for the
 * export. Codings by the user
 * "quarry (suggestion)" are pending suggestions, never imported as
 * codings. Nothing is written unless the whole file is read and stored;
 * the message names the file, the line and the element. Notices go to
 * o->notice. stats may be NULL. A file quarry exported comes back as it
 * was: selections named by excerpt ids keep those ids (when valid and
 * unique in the file), and quarry's own entry of the .qdpx gives back the
 * code ids, the uncoded excerpts (not cut again) with every excerpt's
 * speaker and attributes, the codings' origins, the memos' revisions and
 * how endPosition and CR LF counted (so nothing is guessed). */
QUARRY_API int quarry_project_import_qdpx(quarry_project *p, const char *path,
                                          const quarry_refi_options *o,
                                          quarry_refi_stats *stats);

/* The same for a .qdpx that came as bytes (a file sent to the web page):
 * name is the file's name (no folder) for messages; nothing but the
 * archive is read (o->external_dir is ignored: bytes have no folder). */
QUARRY_API int quarry_project_import_qdpx_buffer(quarry_project *p,
                                                 const char *name,
                                                 const void *bytes,
                                                 size_t len,
                                                 const quarry_refi_options *o,
                                                 quarry_refi_stats *stats);

/* Import a .qdc codebook in one transaction: codes matched as above take
 * the file's name, parent, description (as the definition; its last
 * paragraphs starting "Include: " and "Exclude: ", as quarry writes the
 * notes, as the notes) and colour; the others are added. *added and
 * *updated may be NULL. */
QUARRY_API int quarry_project_import_qdc(quarry_project *p, const char *path,
                                         const quarry_refi_options *o,
                                         int32_t *added, int32_t *updated);

/* Export the project as a .qdpx at path (written beside it and renamed, so
 * a failure leaves no half file): the codebook (codes with children are
 * non-codable themes unless coded themselves; definitions as
 * descriptions), the sources (a JSONL or CSV source as its excerpts
 * joined by blank lines), every coded excerpt as a selection whose @name
 * is its excerpt's id (a selection another tool drew: its own name or
 * its quoted text), a coding of a passage (quarry_decision.span_start)
 * on a selection of its own over the passage's words (named by its
 * quoted text; quarry's import reads it back as another tool's
 * selection: an excerpt of those words), sources named by file name
 * (never a folder of the machine), the human codings under their coders,
 * and the
 * latest run's pending suggestions (not abstained, not decided, not
 * already coded) on a selection of their own under the user
 * "quarry (suggestion)", with the evidence in its description. Every
 * person coder is a user, with or without codings. Cases are one per
 * participant (the excerpts' study and participant attributes, written as
 * Text variables; else the case an import read; else the speaker within
 * a source), never one per speaker label; the latest run is a note.
 * Memos are Notes with their author as creatingUser and their time as
 * creationDateTime: the project's referenced by a NoteRef of the
 * Project, a code's by the Code's, an excerpt's by its
 * PlainTextSelection's (an excerpt with a memo is exported as a
 * selection even when nobody coded it).
 * GUIDs are UUID v5 over stable keys, so an unchanged project exports to
 * the same bytes. o->end and o->crlf choose how endPosition and CR LF
 * count (AUTO: as the project's REFI import read them, else the
 * standard: inclusive, two). Beside project.qde and sources/, the
 * archive holds quarry/roundtrip.json: what only quarry's import reads
 * back (code ids and notes, uncoded excerpts, attributes, coding
 * origins, memo revisions, the counting used), of no use to other tools. */
QUARRY_API int quarry_project_export_qdpx(quarry_project *p, const char *path,
                                          const quarry_refi_options *o);

/* The same .qdpx in memory, for a download from the web page: *bytes
 * (malloc'ed; the caller frees it) and *len, NULL and 0 on failure. */
QUARRY_API int quarry_project_export_qdpx_buffer(quarry_project *p,
                                                 const quarry_refi_options *o,
                                                 char **bytes, size_t *len);

/* The codebook as a .qdc document written to out (refused when the
 * project has no codes: an empty codebook is not valid REFI-QDA). */
QUARRY_API int quarry_project_export_qdc(quarry_project *p, FILE *out);

/* The tables for analysis (matrix, cooccurrence, quotes) are in
 * quarry/project.h. */

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_REFI_H */
