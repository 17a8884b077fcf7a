/*
 * refi_io.h -- reading and writing REFI-QDA files into and out of a
 * refi_model (refi_read.c, refi_write.c). Internal; not installed.
 */
#ifndef QUARRY_REFI_IO_H
#define QUARRY_REFI_IO_H

#include "quarry/quarry.h"
#include "refi_model.h"

/* Read a file by its extension: .qdpx (zip), .qde or .xml (a bare
 * project.qde; its folder stands for the archive), .qdc (codebook).
 * Nothing outside the archive (or that folder) is read unless
 * o->external_dir allows a folder (refi_read_src.c).
 * On failure the model's errmsg names the file, the line and the element;
 * the model is then only fit for refi_model_free(). */
int refi_read_file(refi_model *m, const char *path,
                   const quarry_refi_options *o);
int refi_read_qdpx(refi_model *m, const char *path,
                   const quarry_refi_options *o);
/* A .qdpx that came as bytes (an upload): name (no folder) in messages;
 * only what is inside the archive is read, whatever o->external_dir
 * says, since the archive has no folder of its own. */
int refi_read_qdpx_buffer(refi_model *m, const char *name, const void *bytes,
                          size_t len, const quarry_refi_options *o);
/* A project.qde in memory; name is used in messages, base_dir (may be
 * NULL) is the folder of an unpacked project, read as the archive
 * (sources/ in it). */
int refi_read_qde_buffer(refi_model *m, const char *buf, size_t len,
                         const char *name, const char *base_dir,
                         const quarry_refi_options *o);
int refi_read_qdc(refi_model *m, const char *path,
                  const quarry_refi_options *o);
int refi_read_qdc_buffer(refi_model *m, const char *buf, size_t len,
                         const char *name, const quarry_refi_options *o);

/* project.qde as bytes (malloc'ed, *out owned by the caller). inline_text:
 * sources as PlainTextContent instead of plainTextPath internal://. */
int refi_write_qde(refi_model *m, const quarry_refi_options *o, int inline_text,
                   char **out, size_t *len);
/* A .qdpx: project.qde and sources/<guid>.txt, written to a temporary file
 * beside path and renamed over it on success. */
int refi_write_qdpx(refi_model *m, const char *path,
                    const quarry_refi_options *o);
/* The same archive in memory (*out malloc'ed, owned by the caller). */
int refi_write_qdpx_buffer(refi_model *m, const quarry_refi_options *o,
                           char **out, size_t *len);
/* A .qdc codebook (codes and the sets of codes) as bytes. */
int refi_write_qdc(refi_model *m, char **out, size_t *len);

/* Hand every notice of the model to o->notice. */
void refi_emit_notices(const refi_model *m, const quarry_refi_options *o);

#endif /* QUARRY_REFI_IO_H */
