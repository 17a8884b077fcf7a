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
 * (encoding conversion, I/O, and out of memory anywhere, even with
 * XML_PARSE_NOERROR) through per-thread handlers that print to stderr by
 * default. The library never prints, so for the whole read (rd_xml_begin
 * .. rd_xml_end: the parse, the walk over the tree, a .docx inside) this
 * thread's generic and structured handlers go to the reader, and are
 * restored afterwards so the host program's handlers are untouched.
 * While a parse runs its messages are kept for the error; out of memory
 * anywhere fails the read, since libxml2 may then hand back a tree or a
 * string with text missing.
 */
typedef struct xml_errors {
    reader *r;
    char first[256];
    int line;
    int64_t count;
    int doctype;
    int oom;
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

/* The thread's handlers point at the read and the parse in progress. */
static _Thread_local xml_errors *current_xe;
static _Thread_local reader *current_reader;

static void note_oom(xml_errors *xe)
{
    if (xe != NULL)
        xe->oom = 1;
    if (current_reader != NULL)
        current_reader->xml_oom = 1;
}

static void on_error(xml_errors *xe, xmlError *e)
{
    if (e == NULL)
        return;
    if (e->code == XML_ERR_NO_MEMORY)
        note_oom(xe);
    if (xe != NULL)
        keep_error(xe, e->message, e->line);
}

static void on_structured(void *ctx, xmlError *e)
{
    (void)ctx;
    on_error(current_xe, e);
}

static void on_context_error(void *ctx, xmlError *e)
{
    xmlParserCtxt *c = ctx;
    xml_errors *xe = c != NULL ? c->_private : NULL;
    on_error(xe != NULL ? xe : current_xe, e);
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
    /* Out of memory outside a parser context comes here (and only its
     * text says so; xmlGetLastError() is checked at the end too). */
    if (strstr(msg, "out of memory") != NULL ||
        strstr(msg, "Memory allocation failed") != NULL)
        note_oom(xe);
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
    int oom;
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
    current_xe = &xe;
    xmlResetLastError();
    d = xmlCtxtReadMemory(ctxt, buf, (int)len, r->xml_name, NULL,
                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                              XML_PARSE_HUGE);
    current_xe = saved_xe;
    /* Out of memory mid-parse may leave a well-formed tree with text or
     * attribute values missing: never read as if it were whole. */
    oom = xe.oom || ctxt->errNo == XML_ERR_NO_MEMORY ||
          (xmlGetLastError() != NULL &&
           xmlGetLastError()->code == XML_ERR_NO_MEMORY);
    if (oom) {
        r->xml_oom = 1;
        xmlFreeDoc(d);
        xmlFreeParserCtxt(ctxt);
        return rd_oom(r);
    }
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

void rd_xml_begin(reader *r)
{
    static int inited;
    if (!inited) {
        xmlInitParser();
        inited = 1;
    }
    r->saved_generic = xmlGenericError;
    r->saved_generic_ctx = xmlGenericErrorContext;
    r->saved_structured = xmlStructuredError;
    r->saved_structured_ctx = xmlStructuredErrorContext;
    r->saved_reader = current_reader;
    r->xml_oom = 0;
    current_reader = r;
    xmlResetLastError();
    xmlSetGenericErrorFunc(NULL, on_generic);
    xmlSetStructuredErrorFunc(NULL, on_structured);
}

int rd_xml_end(reader *r, int rc)
{
    xmlError *e = xmlGetLastError();
    if (e != NULL && e->code == XML_ERR_NO_MEMORY)
        r->xml_oom = 1;
    xmlSetGenericErrorFunc(r->saved_generic_ctx, r->saved_generic);
    xmlSetStructuredErrorFunc(r->saved_structured_ctx, r->saved_structured);
    current_reader = r->saved_reader;
    if (rc == 0 && r->xml_oom)
        rc = rd_oom(r);
    return rc;
}
