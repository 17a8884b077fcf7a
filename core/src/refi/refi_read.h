/*
 * refi_read.h -- the reader shared by refi_read.c (the XML tree and the
 * entry points), refi_read_src.c (zip entries, files and source texts)
 * and refi_read_pos.c (reading endPosition and placing selections).
 * Internal; not installed.
 */
#ifndef QUARRY_REFI_READ_H
#define QUARRY_REFI_READ_H

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <zip.h>

#include "refi_io.h"

typedef enum pend_what {
    P_CODING_CODE,
    P_CODING_USER,
    P_SEL_USER,
    P_SRC_USER,
    P_NOTE_USER,
    P_PROJECT_USER,
    P_REF,
    P_VALUE_VAR
} pend_what;

typedef struct pending {
    pend_what what;
    int32_t idx;
    const char *guid;
    int line;
    const char *elem;
} pending;

typedef struct reader {
    refi_model *m;
    const quarry_refi_options *o;
    const char *file;     /* display name of the file read */
    const char *xml_name; /* "study.qdpx: project.qde" or the file */
    zip_t *za;
    const char *base_dir;  /* a bare project.qde's folder (its "archive") */
    const char *pkg_dir;   /* the .qdpx's folder (outside the archive) */
    const char *base_path; /* the project's absolute basePath, or NULL */
    char *unpacked_real;   /* realpath of base_dir, once needed */
    char *external_real;   /* realpath of o->external_dir, once needed */
    uint64_t max_entry, max_total, total;
    uint32_t max_ratio;
    const xmlChar *ns; /* the root's namespace (NULL: none) */
    pending *pend;
    int32_t n_pend, cap_pend;
    int *sel_line; /* line of each selection, for messages */
    int32_t cap_sel_line;
    /* libxml2's error handlers of this thread while the read runs (every
     * message goes to the reader, none to stderr), restored at the end;
     * xml_oom: libxml2 ran out of memory somewhere (it may then return a
     * tree or a string with text missing, so the read fails). */
    xmlGenericErrorFunc saved_generic;
    xmlStructuredErrorFunc saved_structured;
    void *saved_generic_ctx, *saved_structured_ctx;
    struct reader *saved_reader;
    int xml_oom;
} reader;

/* The line of an element (0 when unknown). */
int rd_node_line(const xmlNode *n);
/* "FILE:LINE: ELEMENT: message" on the model; returns status. */
int rd_fail_at(reader *r, int status, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int rd_oom(reader *r);

/* An entry of the archive, whole, within the limits (*out malloc'ed):
 * its size, the total read and (over QUARRY_REFI_RATIO_FLOOR) its
 * compression ratio. */
int rd_read_entry(reader *r, zip_int64_t idx, const char *what, char **out,
                  size_t *len);
/* The same from another archive (a .docx inside the .qdpx). */
int rd_read_entry_of(reader *r, zip_t *za, zip_int64_t idx, const char *what,
                     char **out, size_t *len);
/* Parse XML bytes (r->xml_name names them in messages); *doc on success.
 * libxml2's errors land in the message, never on stderr; a DOCTYPE is
 * refused. */
int rd_parse_xml(reader *r, const char *buf, size_t len, xmlDoc **doc);

/* Around a whole read: route every libxml2 message of this thread to the
 * reader (never stderr); rd_xml_end restores the handlers and turns a
 * status of 0 into QUARRY_ENOMEM when libxml2 ran out of memory. */
void rd_xml_begin(reader *r);
int rd_xml_end(reader *r, int rc);
/* The text of a .docx (bytes[0..len)): the paragraphs of
 * word/document.xml joined by "\n", w:t as text, w:tab as a tab, w:br and
 * w:cr as line breaks; deleted text and field codes left out. *out is
 * malloc'ed; *paragraphs counts them. what names the file in messages. */
int rd_docx_text(reader *r, const char *what, const char *bytes, size_t len,
                 char **out, size_t *out_len, int64_t *paragraphs);
/* The bytes a plainTextPath or richTextPath (attr_name) of element n
 * names: internal://REL or a bare REL at sources/REL or REL in the
 * archive (or under a bare project.qde's folder); an absolute path, a
 * file:// URL or a relative path not in the archive only under
 * o->external_dir. The message names the element, the path and every
 * place tried. */
int rd_load_path_text(reader *r, const xmlNode *n, const char *attr_name,
                      const char *path, char **buf, size_t *len);
/* Invalid UTF-8 and NUL bytes become U+FFFD, with a notice. */
int rd_clean_text(reader *r, const xmlNode *n, char **buf, size_t *len);

/* Decide how endPosition (and CR LF) are counted and place every
 * selection in code points and bytes. */
int rd_infer_and_place(reader *r);

#endif /* QUARRY_REFI_READ_H */
