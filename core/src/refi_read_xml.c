/*
 * refi_read_xml.c -- libxml2 for the REFI-QDA reader: parse a document
 * (project.qde, a .qdc, a .docx's word/document.xml) into a tree, with
 * every error in the reader's message and nothing on stderr, no DOCTYPE
 * (so no entity is ever expanded) and large nodes allowed within the
 * reader's own size limit.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "refi_read.h"

/*
 * libxml2 reports some errors through the parser context and others
 * (encoding conversion, I/O) through per-thread handlers that print to
 * stderr by default. The library never prints, so while it parses, both
 * go to the reader: the context's own structured handler, and this
 * thread's generic and structured handlers, restored afterwards so the
 * host program's handlers are untouched (libxml2 keeps them per thread).
 */
typedef struct xml_errors {
    reader *r;
    char first[256];
    int line;
    int64_t count;
    int doctype;
} xml_errors;

static void keep_error(xml_errors *xe, const char *msg, int line)
{
    size_t l;
    if (xe->count++ > 0 || msg == NULL)
        return;
    snprintf(xe->first, sizeof(xe->first), "%s", msg);
    l = strlen(xe->first);
    while (l > 0 && (xe->first[l - 1] == '\n' || xe->first[l - 1] == ' '))
        xe->first[--l] = '\0';
    for (; l > 0; l--)
        if (xe->first[l - 1] == '\n')
            xe->first[l - 1] = ' ';
    xe->line = line;
}

/* The thread's handlers point at the parse in progress, if any. */
static _Thread_local xml_errors *current_xe;

static void on_structured(void *ctx, xmlError *e)
{
    xml_errors *xe = current_xe;
    (void)ctx;
    if (xe != NULL && e != NULL)
        keep_error(xe, e->message, e->line);
}

static void on_context_error(void *ctx, xmlError *e)
{
    xmlParserCtxt *c = ctx;
    xml_errors *xe = c != NULL ? c->_private : NULL;
    if (xe == NULL)
        xe = current_xe;
    if (xe != NULL && e != NULL)
        keep_error(xe, e->message, e->line);
}

static void on_generic(void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void on_generic(void *ctx, const char *fmt, ...)
{
    xml_errors *xe = current_xe;
    char msg[256];
    va_list ap;
    (void)ctx;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* libxml2 prints one message in pieces; the first one that says
     * something is kept. */
    if (xe != NULL && strlen(msg) > 2)
        keep_error(xe, msg, 0);
}

/* A DOCTYPE may declare entities: stop at once instead of expanding. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
                       const xmlChar *sys)
{
    xmlParserCtxt *c = ctx;
    xml_errors *xe = c->_private;
    (void)name;
    (void)ext;
    (void)sys;
    xe->doctype = 1;
    xmlStopParser(c);
}

/* Parse XML bytes; *doc on success. Refuses a DOCTYPE (entities). Large
 * text nodes and attributes (a long excerpt quoted in @name) are read
 * with XML_PARSE_HUGE; the absolute limit is the size of the document,
 * which the caller has held to max_entry_bytes (at most INT_MAX). */
int rd_parse_xml(reader *r, const char *buf, size_t len, xmlDoc **doc)
{
    xmlParserCtxt *ctxt;
    xmlDoc *d;
    xml_errors xe, *saved_xe = current_xe;
    xmlGenericErrorFunc saved_generic;
    void *saved_generic_ctx;
    xmlStructuredErrorFunc saved_structured;
    void *saved_structured_ctx;
    static int inited;
    if (!inited) {
        xmlInitParser();
        inited = 1;
    }
    if (len > (size_t)INT_MAX || len > r->max_entry)
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: %zu bytes, over the limit of %llu", r->xml_name,
                         len, (unsigned long long)r->max_entry);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        refi_notice(r->m, "xml-bom",
                    "%s: starts with a byte-order mark (read anyway)",
                    r->xml_name);
    memset(&xe, 0, sizeof(xe));
    xe.r = r;
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return rd_oom(r);
    ctxt->_private = &xe;
    ctxt->sax->serror = on_context_error;
    ctxt->sax->internalSubset = on_doctype;
    saved_generic = xmlGenericError;
    saved_generic_ctx = xmlGenericErrorContext;
    saved_structured = xmlStructuredError;
    saved_structured_ctx = xmlStructuredErrorContext;
    current_xe = &xe;
    xmlSetGenericErrorFunc(NULL, on_generic);
    xmlSetStructuredErrorFunc(NULL, on_structured);
    d = xmlCtxtReadMemory(ctxt, buf, (int)len, r->xml_name, NULL,
                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                              XML_PARSE_HUGE);
    xmlSetGenericErrorFunc(saved_generic_ctx, saved_generic);
    xmlSetStructuredErrorFunc(saved_structured_ctx, saved_structured);
    current_xe = saved_xe;
    if (xe.doctype) {
        xmlFreeDoc(d);
        xmlFreeParserCtxt(ctxt);
        return refi_fail(r->m, QUARRY_EPARSE,
                         "%s: a DOCTYPE declaration is not allowed (entity "
                         "expansion); refused",
                         r->xml_name);
    }
    if (d == NULL || !ctxt->wellFormed) {
        xmlError *e = xmlCtxtGetLastError(ctxt);
        int line = xe.line ? xe.line : (e ? e->line : 0);
        if (xe.count == 0)
            keep_error(&xe, e && e->message ? e->message
                                            : "not well-formed XML",
                       line);
        if (line <= 0)
            line = ctxt->input ? ctxt->input->line : 0;
        refi_fail(r->m, QUARRY_EPARSE, "%s:%d: malformed XML: %s",
                  r->xml_name, line, xe.first);
        xmlFreeDoc(d);
        xmlFreeParserCtxt(ctxt);
        return QUARRY_EPARSE;
    }
    xmlFreeParserCtxt(ctxt);
    if (xe.count > 0)
        refi_notice(r->m, "xml-warning", "%s:%d: %s (read anyway)",
                    r->xml_name, xe.line, xe.first);
    if (d->intSubset != NULL || d->extSubset != NULL) {
        xmlFreeDoc(d);
        return refi_fail(r->m, QUARRY_EPARSE,
                         "%s: a DOCTYPE declaration is not allowed (entity "
                         "expansion); refused",
                         r->xml_name);
    }
    *doc = d;
    return 0;
}
