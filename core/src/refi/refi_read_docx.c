/*
 * refi_read_docx.c -- the text of a TextSource whose only text is its
 * rich text (richTextPath, a .docx), as some tools export a source
 * imported from Word.
 *
 * A .docx is a zip holding word/document.xml (WordprocessingML). libzip
 * opens it from memory within the reader's limits (it counts towards the
 * total read) and libxml2 parses the document through the reader's parser
 * (no DOCTYPE, errors into the message). The text is the w:p paragraphs
 * in document order joined by "\n": w:t text, w:tab a tab, w:br and w:cr
 * a line break (in a file of its own, w:noBreakHyphen U+2011, and a table
 * row one line, its cells apart by tabs; a w:softHyphen shows nothing); properties (w:pPr, w:rPr, where w:tab is a
 * tab stop), deleted text, field codes and the fallback copies of
 * alternate content are left out.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <zip.h>

#include "refi_docx.h"
#include "refi_read.h"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"

typedef struct text_buf {
    char *s;
    size_t len, cap;
    int64_t paragraphs;
    int in_paragraph;
    int oom;
    const char *sep; /* between two paragraphs */
    /* A file of its own (refi_docx_plain), not a REFI source's rich text,
     * whose positions another tool counted: Word's non-breaking hyphen
     * is kept as U+2011. */
    int own;
    /* Tables in a file of its own: cells met in the current row, and
     * whether the next paragraph starts a cell after the first. */
    int cells_in_row, next_cell;
    int odt_body; /* an .odt's office:text met */
    int no_ns;    /* an .odt's element without a namespace met */
} text_buf;

static void put(text_buf *t, const char *s, size_t n)
{
    if (t->oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        char *p;
        while (cap < t->len + n + 1)
            cap *= 2;
        p = realloc(t->s, cap);
        if (p == NULL) {
            t->oom = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static int in_ns(const xmlNode *n, const char *ns)
{
    return n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0;
}

static int is(const xmlNode *n, const char *name)
{
    return strcmp((const char *)n->name, name) == 0;
}

/* Subtrees whose text is not the document's text. */
static int skipped(const xmlNode *n)
{
    static const char *const w[] = {"pPr",     "rPr",       "sectPr",
                                    "tblPr",   "trPr",      "tcPr",
                                    "delText", "instrText", "del",
                                    NULL};
    int i;
    if (in_ns(n, NS_MC))
        return is(n, "Fallback");
    if (!in_ns(n, NS_W))
        return 0;
    for (i = 0; w[i] != NULL; i++)
        if (is(n, w[i]))
            return 1;
    return 0;
}

/* What both walkers (Word's, OpenDocument's) do with a paragraph, a table
 * cell and a table row; w walks the children. A paragraph is a line (a
 * nested one a line inside it), a table row one line with its cells
 * apart by tabs. */
typedef void (*walk_fn)(text_buf *t, const xmlNode *n, int depth);

static void paragraph(text_buf *t, const xmlNode *c, int depth, walk_fn w)
{
    int outer = !t->in_paragraph;
    if (t->paragraphs > 0 && outer && t->next_cell)
        put(t, "\t", 1);
    else if (t->paragraphs > 0 && outer)
        put(t, t->sep, strlen(t->sep));
    else if (!outer)
        put(t, "\n", 1);
    t->next_cell = 0;
    t->paragraphs += outer;
    t->in_paragraph = 1;
    w(t, c->children, depth + 1);
    if (outer)
        t->in_paragraph = 0;
}

static void table_cell(text_buf *t, const xmlNode *c, int depth, walk_fn w)
{
    t->next_cell = t->cells_in_row++ > 0;
    w(t, c->children, depth + 1);
}

static void table_row(text_buf *t, const xmlNode *c, int depth, walk_fn w)
{
    int saved = t->cells_in_row;
    t->cells_in_row = 0;
    w(t, c->children, depth + 1);
    t->cells_in_row = saved;
}

static void walk(text_buf *t, const xmlNode *n, int depth)
{
    const xmlNode *c;
    /* Word nests tables in tables; a document deeper than this is not
     * one Word wrote. */
    if (depth > 256)
        return;
    for (c = n; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        if (in_ns(c, NS_W) && is(c, "p")) {
            paragraph(t, c, depth, walk);
            continue;
        }
        if (in_ns(c, NS_W) && is(c, "t")) {
            xmlChar *v = xmlNodeGetContent(c);
            if (v != NULL) {
                put(t, (const char *)v, strlen((const char *)v));
                xmlFree(v);
            }
            continue;
        }
        if (in_ns(c, NS_W) && is(c, "tab")) {
            put(t, "\t", 1);
            continue;
        }
        if (in_ns(c, NS_W) && is(c, "noBreakHyphen") && t->own) {
            put(t, "\xE2\x80\x91", 3); /* U+2011, as Word shows it */
            continue;
        }
        if (in_ns(c, NS_W) && (is(c, "br") || is(c, "cr"))) {
            put(t, "\n", 1);
            continue;
        }
        /* In a file of its own, a transcript laid out as a table (time |
         * speaker | text) reads as its turns. */
        if (in_ns(c, NS_W) && is(c, "tc") && t->own) {
            table_cell(t, c, depth, walk);
            continue;
        }
        if (in_ns(c, NS_W) && is(c, "tr") && t->own) {
            table_row(t, c, depth, walk);
            continue;
        }
        walk(t, c->children, depth + 1);
    }
}

/* ---- OpenDocument text (.odt, LibreOffice), a file of its own ---- */

#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_DRAW "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"

/* content.xml's body read as docx's is: a text:p or text:h a line, a
 * table row a line with its cells apart by tabs; text:s spaces (text:c
 * of them), text:tab, text:line-break; notes, annotations, tracked
 * changes (the deleted text), drawings and the sequence declarations are
 * not the text. */
static void walk_odt(text_buf *t, const xmlNode *n, int depth)
{
    const xmlNode *c;
    if (depth > 256)
        return;
    for (c = n; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (t->in_paragraph && c->content != NULL)
                put(t, (const char *)c->content,
                    strlen((const char *)c->content));
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (c->ns == NULL || c->ns->href == NULL) {
            /* Every element of OpenDocument has its namespace: one
             * without was not written so, or its namespace was lost
             * (libxml2 out of memory). */
            t->no_ns = 1;
            continue;
        }
        if (in_ns(c, NS_OFFICE) && is(c, "annotation"))
            continue;
        if (in_ns(c, NS_OFFICE) && is(c, "text"))
            t->odt_body = 1;
        if (in_ns(c, NS_DRAW))
            continue;
        if (in_ns(c, NS_TEXT) &&
            (is(c, "note") || is(c, "tracked-changes") ||
             is(c, "sequence-decls") || is(c, "soft-page-break") ||
             is(c, "bookmark") || is(c, "bookmark-start") ||
             is(c, "bookmark-end")))
            continue;
        if (in_ns(c, NS_TEXT) && (is(c, "p") || is(c, "h"))) {
            paragraph(t, c, depth, walk_odt);
            continue;
        }
        if (in_ns(c, NS_TEXT) && is(c, "s")) {
            /* The attribute's text read in place: a copy could fail to
             * allocate and the count would silently be 1. */
            xmlAttr *k = xmlHasNsProp(c, (const xmlChar *)"c",
                                      (const xmlChar *)NS_TEXT);
            long n_sp = 1, i;
            if (k != NULL && k->children != NULL &&
                k->children->content != NULL)
                n_sp = strtol((const char *)k->children->content, NULL, 10);
            if (n_sp < 1 || n_sp > 1000) /* a file of its own: bounded */
                n_sp = 1;
            for (i = 0; i < n_sp; i++)
                put(t, " ", 1);
            continue;
        }
        if (in_ns(c, NS_TEXT) && is(c, "tab")) {
            put(t, "\t", 1);
            continue;
        }
        if (in_ns(c, NS_TEXT) && is(c, "line-break")) {
            put(t, "\n", 1);
            continue;
        }
        if (in_ns(c, NS_TABLE) && is(c, "table-cell")) {
            table_cell(t, c, depth, walk_odt);
            continue;
        }
        if (in_ns(c, NS_TABLE) && is(c, "table-row")) {
            table_row(t, c, depth, walk_odt);
            continue;
        }
        walk_odt(t, c->children, depth + 1);
    }
}

static int docx_text(reader *r, const char *what, const char *bytes,
                     size_t len, const char *sep, int own, char **out,
                     size_t *out_len,
                     int64_t *paragraphs)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za = NULL;
    zip_int64_t idx;
    char *xml = NULL, name[600];
    size_t xml_len = 0;
    xmlDoc *doc = NULL;
    const char *saved_name = r->xml_name;
    text_buf t;
    int rc, odt = 0;
    memset(&t, 0, sizeof(t));
    t.sep = sep;
    t.own = own;
    zip_error_init(&ze);
    src = zip_source_buffer_create(bytes, len, 0, &ze);
    if (src != NULL) {
        za = zip_open_from_source(src, ZIP_RDONLY, &ze);
        if (za == NULL)
            zip_source_free(src);
    }
    if (za == NULL) {
        rc = refi_fail(r->m, QUARRY_EPARSE, "%s: %s is not a .docx (zip): %s",
                       r->xml_name, what, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    idx = zip_name_locate(za, "word/document.xml", ZIP_FL_NOCASE);
    if (idx < 0 && own &&
        (idx = zip_name_locate(za, "content.xml", 0)) >= 0)
        odt = 1; /* LibreOffice's text */
    if (idx < 0) {
        rc = refi_fail(r->m, QUARRY_EPARSE,
                       own ? "%s: %s: neither a Word document (.docx) nor an "
                             "OpenDocument text (.odt): no word/document.xml "
                             "or content.xml in it"
                           : "%s: %s: no word/document.xml in it (not a .docx)",
                       r->xml_name, what);
        goto out;
    }
    snprintf(name, sizeof(name), "%s: %s", what,
             odt ? "content.xml" : "word/document.xml");
    if ((rc = rd_read_entry_of(r, za, idx, name, &xml, &xml_len)) != 0)
        goto out;
    r->xml_name = name;
    rc = rd_parse_xml(r, xml, xml_len, &doc);
    r->xml_name = saved_name;
    if (rc != 0)
        goto out;
    if (odt) {
        /* A document-content root, or the parse lost part of the file
         * (libxml2 out of memory may hand back a tree without one). */
        const xmlNode *root = xmlDocGetRootElement(doc);
        if (root == NULL || !in_ns(root, NS_OFFICE) ||
            !is(root, "document-content")) {
            rc = refi_fail(r->m, QUARRY_EPARSE,
                           "%s: %s: content.xml holds no OpenDocument "
                           "content (damaged?)",
                           r->xml_name, what);
            goto out;
        }
        walk_odt(&t, root, 0);
        if (!t.oom && (!t.odt_body || t.no_ns)) {
            /* Every text document has its office:text; a parse that ran
             * out of memory may have lost it (and its namespace) without
             * a word. */
            rc = refi_fail(r->m, QUARRY_EPARSE,
                           "%s: %s: content.xml has no text body "
                           "(office:text) or an element outside "
                           "OpenDocument's namespaces; damaged, or not a "
                           "text document?",
                           r->xml_name, what);
            goto out;
        }
    } else {
        walk(&t, xmlDocGetRootElement(doc), 0);
    }
    if (t.oom) {
        rc = rd_oom(r);
        goto out;
    }
    if (t.s == NULL) {
        t.s = calloc(1, 1);
        if (t.s == NULL) {
            rc = rd_oom(r);
            goto out;
        }
    }
    *out = t.s;
    *out_len = t.len;
    *paragraphs = t.paragraphs;
    t.s = NULL;
out:
    free(t.s);
    if (doc != NULL)
        xmlFreeDoc(doc);
    free(xml);
    zip_discard(za);
    return rc;
}

int rd_docx_text(reader *r, const char *what, const char *bytes, size_t len,
                 char **out, size_t *out_len, int64_t *paragraphs)
{
    return docx_text(r, what, bytes, len, "\n", 0, out, out_len, paragraphs);
}

int refi_docx_plain(const char *bytes, size_t len, const char *name,
                    char **out, size_t *out_len, int64_t *paragraphs,
                    char *err, size_t err_cap)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    refi_model m;
    reader r;
    int rc;
    refi_model_init(&m);
    memset(&r, 0, sizeof(r));
    r.m = &m;
    r.o = &def;
    r.file = r.xml_name = name;
    r.max_entry = QUARRY_REFI_DEFAULT_MAX_ENTRY;
    r.max_total = QUARRY_REFI_DEFAULT_MAX_TOTAL;
    r.max_ratio = QUARRY_REFI_DEFAULT_MAX_RATIO;
    *out = NULL;
    rd_xml_begin(&r);
    rc = rd_xml_end(&r, docx_text(&r, "the file", bytes, len, "\n", 1, out,
                                  out_len, paragraphs));
    if (rc != 0) {
        /* libxml2 ran short of memory somewhere: the text may lack some
         * (rd_xml_end said so), so none is handed back. */
        free(*out);
        *out = NULL;
        if (err != NULL && err_cap > 0)
            snprintf(err, err_cap, "%s", m.errmsg);
    }
    refi_model_free(&m);
    return rc;
}
