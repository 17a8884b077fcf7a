/*
 * refi_read.c -- read a REFI-QDA project (.qdpx, project.qde) or codebook
 * (.qdc) into a refi_model (refi_io.h).
 *
 * libzip opens the archive and libxml2 parses the XML; this file walks the
 * tree. The walk is lenient where tools are known to differ (namespace
 * versions, "sources" in any case, #RGB colours, braces around GUIDs) and
 * strict where the data would be wrong otherwise: a selection past the end
 * of its text, a coding of a code that does not exist, a path that climbs
 * out of its folder, an entry that inflates past the limits. References are
 * collected as they come and resolved at the end, because a Case may point
 * at a selection defined later. endPosition is read once every selection is
 * known: the quoted texts in @name vote, then the selections' layout
 * (refi_read_pos.c). The bytes come from refi_read_src.c (zip entries,
 * paths inside the archive first and outside it only under an allowed
 * folder, text repair) and, for a source whose only text is a .docx, from
 * refi_read_docx.c. libxml2 never prints: its errors land in the message.
 */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "refi_read.h"
#include "refi_trip.h"
#include "utf8.h"

#define NS_PROJECT "urn:QDA-XML:project:"
#define NS_CODEBOOK "urn:QDA-XML:codebook:"

/* ------------------------------------------------------------------ */
/* Messages                                                            */

int rd_node_line(const xmlNode *n)
{
    long l = n ? xmlGetLineNo(n) : 0;
    return l > 0 && l < INT_MAX ? (int)l : 0;
}

int rd_fail_at(reader *r, int status, const xmlNode *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n != NULL)
        return refi_fail(r->m, status, "%s:%d: %s: %s", r->xml_name,
                         rd_node_line(n), (const char *)n->name, msg);
    return refi_fail(r->m, status, "%s: %s", r->xml_name, msg);
}

int rd_oom(reader *r)
{
    return refi_fail(r->m, QUARRY_ENOMEM, "%s: out of memory", r->file);
}

/* ------------------------------------------------------------------ */
/* XML helpers                                                         */

static int is_elem(const xmlNode *n)
{
    return n != NULL && n->type == XML_ELEMENT_NODE;
}

/* An element of the document's namespace (or of none, when the root has
 * none); foreign elements are skipped with a notice. */
static int ours(reader *r, const xmlNode *n)
{
    const xmlChar *href = n->ns ? n->ns->href : NULL;
    if (href == NULL && r->ns == NULL)
        return 1;
    if (href != NULL && r->ns != NULL && xmlStrcmp(href, r->ns) == 0)
        return 1;
    refi_notice(r->m, "foreign-ns",
                "%s:%d: skipped element %s in the unknown namespace \"%s\"",
                r->xml_name, rd_node_line(n), (const char *)n->name,
                href ? (const char *)href : "");
    return 0;
}

static int named(const xmlNode *n, const char *name)
{
    return xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

/* An attribute copied into the arena, or NULL when absent. *err set on
 * memory exhaustion. */
static const char *attr(reader *r, const xmlNode *n, const char *name, int *err)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    const char *s;
    if (v == NULL) {
        /* present but not copied: out of memory, not a missing value */
        if (xmlHasNsProp(n, (const xmlChar *)name, NULL) != NULL) {
            r->xml_oom = 1;
            *err = 1;
        }
        return NULL;
    }
    s = refi_str(r->m, (const char *)v);
    xmlFree(v);
    if (s == NULL)
        *err = 1;
    return s;
}

static const char *content(reader *r, const xmlNode *n, size_t *len, int *err)
{
    xmlChar *v = xmlNodeGetContent(n);
    const char *s;
    size_t l;
    if (v == NULL) {
        if (len)
            *len = 0;
        /* an element with content yields at least "": NULL is out of
         * memory, never empty text */
        if (n->children != NULL) {
            r->xml_oom = 1;
            *err = 1;
            return NULL;
        }
        return refi_str(r->m, "");
    }
    l = strlen((const char *)v);
    s = refi_strn(r->m, (const char *)v, l);
    xmlFree(v);
    if (s == NULL)
        *err = 1;
    if (len)
        *len = l;
    return s;
}

static void unknown_child(reader *r, const xmlNode *parent, const xmlNode *n)
{
    char key[128];
    snprintf(key, sizeof(key), "unknown:%s/%s", (const char *)parent->name,
             (const char *)n->name);
    refi_notice(r->m, key, "%s:%d: skipped unknown element %s in %s",
                r->xml_name, rd_node_line(n), (const char *)n->name,
                (const char *)parent->name);
}

/* Every guid in a subtree names something skipped, so references to it
 * are dropped quietly. */
static int skip_subtree(reader *r, const xmlNode *n)
{
    const xmlNode *c;
    int err = 0;
    const char *g = attr(r, n, "guid", &err);
    if (err)
        return rd_oom(r);
    if (g != NULL) {
        int rc = refi_guid_add(r->m, g, REFI_K_SKIPPED, -1);
        if (rc == QUARRY_ENOMEM)
            return rd_oom(r);
    }
    for (c = n->children; c != NULL; c = c->next)
        if (is_elem(c) && skip_subtree(r, c) != 0)
            return QUARRY_ENOMEM;
    return 0;
}

static int skip_element(reader *r, const xmlNode *n, const char *what)
{
    char key[96];
    snprintf(key, sizeof(key), "skip:%s", (const char *)n->name);
    refi_notice(r->m, key, "%s: skipped %s element (%s: not imported)",
                r->xml_name, (const char *)n->name, what);
    return skip_subtree(r, n);
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static const char *date_attr(reader *r, const xmlNode *n, const char *name,
                             int *err)
{
    const char *v = attr(r, n, name, err);
    if (v != NULL && !refi_is_datetime(v)) {
        refi_notice(r->m, "bad-date",
                    "%s:%d: %s: %s \"%.40s\" is not a date and time; dropped",
                    r->xml_name, rd_node_line(n), (const char *)n->name, name,
                    v);
        return NULL;
    }
    return v;
}

static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;
    if (s == NULL)
        return -1;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s == '\0')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* The guid attribute of a thing, normalised; a malformed one is replaced
 * by a UUID v5 of it (references in the file still find it). */
static int take_guid(reader *r, const xmlNode *n, refi_kind kind, int32_t idx,
                     const char **out)
{
    int err = 0, rc;
    char norm[37];
    const char *g = attr(r, n, "guid", &err);
    refi_kind had;
    int32_t at = -1;
    if (err)
        return rd_oom(r);
    if (g == NULL || g[0] == '\0')
        return rd_fail_at(r, QUARRY_EPARSE, n, "no guid attribute");
    had = refi_guid_find(r->m, g, &at);
    rc = refi_guid_add(r->m, g, kind, idx);
    if (rc == QUARRY_EDUP)
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "guid \"%s\" is already used by an earlier element%s",
                          g, had == REFI_K_SKIPPED ? " (a skipped one)" : "");
    if (rc != 0)
        return rd_oom(r);
    if (refi_guid_normalise(g, norm) == 0) {
        *out = refi_str(r->m, norm);
    } else {
        refi_uuid5(NULL, g, strlen(g), norm);
        refi_notice(r->m, "bad-guid",
                    "%s:%d: %s: guid \"%.40s\" is not a GUID; replaced by %s",
                    r->xml_name, rd_node_line(n), (const char *)n->name, g,
                    norm);
        *out = refi_str(r->m, norm);
    }
    return *out ? 0 : rd_oom(r);
}

static int add_pending(reader *r, pend_what what, int32_t idx, const char *guid,
                       const xmlNode *n)
{
    pending *p;
    if (guid == NULL)
        return 0;
    if (r->n_pend == r->cap_pend) {
        int32_t cap = r->cap_pend ? 2 * r->cap_pend : 64;
        p = realloc(r->pend, (size_t)cap * sizeof(*p));
        if (p == NULL)
            return rd_oom(r);
        r->pend = p;
        r->cap_pend = cap;
    }
    p = &r->pend[r->n_pend++];
    p->what = what;
    p->idx = idx;
    p->guid = guid;
    p->line = rd_node_line(n);
    p->elem = (const char *)n->name;
    return 0;
}

/* A reference element (CodeRef, MemberSource, NoteRef...) with its target
 * in @targetGUID (or @guid, as .qdc's MemberCode has it). */
static int add_ref(reader *r, const xmlNode *n, refi_kind owner_kind,
                   int32_t owner, refi_kind target_kind)
{
    int err = 0;
    const char *g = attr(r, n, "targetGUID", &err);
    int32_t i;
    if (g == NULL && !err)
        g = attr(r, n, "guid", &err);
    if (err)
        return rd_oom(r);
    if (g == NULL)
        return rd_fail_at(r, QUARRY_EPARSE, n, "no targetGUID attribute");
    i = REFI_PUSH(r->m, refs);
    if (i < 0)
        return rd_oom(r);
    r->m->refs[i].owner_kind = owner_kind;
    r->m->refs[i].owner = owner;
    r->m->refs[i].target_kind = target_kind;
    r->m->refs[i].target = -1;
    return add_pending(r, P_REF, i, g, n);
}

/* ------------------------------------------------------------------ */
/* The tree                                                            */

static int parse_coding(reader *r, const xmlNode *n, int32_t src, int32_t sel)
{
    int err = 0, rc, seen = 0;
    int32_t i = REFI_PUSH(r->m, codings);
    const xmlNode *c;
    refi_coding *cd;
    const char *guid, *user, *created;
    if (i < 0)
        return rd_oom(r);
    if ((rc = take_guid(r, n, REFI_K_CODING, i, &guid)) != 0)
        return rc;
    user = attr(r, n, "creatingUser", &err);
    created = date_attr(r, n, "creationDateTime", &err);
    if (err)
        return rd_oom(r);
    cd = &r->m->codings[i];
    cd->guid = guid;
    cd->created = created;
    cd->code = -1;
    cd->user = -1;
    cd->source = src;
    cd->selection = sel;
    if ((rc = add_pending(r, P_CODING_USER, i, user, n)) != 0)
        return rc;
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        if (named(c, "CodeRef")) {
            const char *g = attr(r, c, "targetGUID", &err);
            if (err)
                return rd_oom(r);
            if (g == NULL)
                return rd_fail_at(r, QUARRY_EPARSE, c,
                                  "no targetGUID attribute");
            if (seen++)
                return rd_fail_at(r, QUARRY_EPARSE, n,
                                  "guid \"%s\": more than one CodeRef", guid);
            if ((rc = add_pending(r, P_CODING_CODE, i, g, c)) != 0)
                return rc;
        } else if (named(c, "NoteRef")) {
            if ((rc = add_ref(r, c, REFI_K_CODING, i, REFI_K_NOTE)) != 0)
                return rc;
        } else {
            unknown_child(r, n, c);
        }
    }
    if (!seen)
        return rd_fail_at(r, QUARRY_EPARSE, n, "guid \"%s\": no CodeRef", guid);
    return 0;
}

static int parse_selection(reader *r, const xmlNode *n, int32_t src)
{
    int err = 0, rc;
    int32_t i = REFI_PUSH(r->m, selections);
    const xmlNode *c;
    refi_selection *s;
    const char *guid, *sp, *ep, *user;
    int64_t start, end;
    if (i < 0)
        return rd_oom(r);
    if (i >= r->cap_sel_line) {
        int32_t cap = r->cap_sel_line ? 2 * r->cap_sel_line : 64;
        int *p = realloc(r->sel_line, (size_t)cap * sizeof(int));
        if (p == NULL)
            return rd_oom(r);
        r->sel_line = p;
        r->cap_sel_line = cap;
    }
    r->sel_line[i] = rd_node_line(n);
    if ((rc = take_guid(r, n, REFI_K_SELECTION, i, &guid)) != 0)
        return rc;
    sp = attr(r, n, "startPosition", &err);
    ep = attr(r, n, "endPosition", &err);
    if (err)
        return rd_oom(r);
    if (parse_int64(sp, &start) != 0 || start < 0)
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "guid \"%s\": startPosition \"%s\" is not a position",
                          guid, sp ? sp : "(missing)");
    if (parse_int64(ep, &end) != 0 || end < 0)
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "guid \"%s\": endPosition \"%s\" is not a position",
                          guid, ep ? ep : "(missing)");
    s = &r->m->selections[i];
    s->guid = guid;
    s->source = src;
    s->start = start;
    s->end = end;
    s->user = -1;
    s->name = attr(r, n, "name", &err);
    user = attr(r, n, "creatingUser", &err);
    s->created = date_attr(r, n, "creationDateTime", &err);
    if (err)
        return rd_oom(r);
    if ((rc = add_pending(r, P_SEL_USER, i, user, n)) != 0)
        return rc;
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        if (named(c, "Description")) {
            const char *d = content(r, c, NULL, &err);
            if (err)
                return rd_oom(r);
            r->m->selections[i].description = d;
        } else if (named(c, "Coding")) {
            if ((rc = parse_coding(r, c, src, i)) != 0)
                return rc;
        } else if (named(c, "NoteRef")) {
            if ((rc = add_ref(r, c, REFI_K_SELECTION, i, REFI_K_NOTE)) != 0)
                return rc;
        } else {
            unknown_child(r, n, c);
        }
    }
    return 0;
}

static int parse_value(reader *r, const xmlNode *n, refi_kind owner_kind,
                       int32_t owner)
{
    static const char *const names[] = {"TextValue",    "BooleanValue",
                                        "IntegerValue", "FloatValue",
                                        "DateValue",    "DateTimeValue"};
    int err = 0, rc, k;
    const xmlNode *c;
    const char *var = NULL;
    int32_t i = REFI_PUSH(r->m, values);
    refi_value *v;
    if (i < 0)
        return rd_oom(r);
    v = &r->m->values[i];
    v->owner_kind = owner_kind;
    v->owner = owner;
    v->variable = -1;
    v->type = REFI_V_TEXT;
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        if (named(c, "VariableRef")) {
            var = attr(r, c, "targetGUID", &err);
            if (err)
                return rd_oom(r);
            if (var == NULL)
                return rd_fail_at(r, QUARRY_EPARSE, c,
                                  "no targetGUID attribute");
            if ((rc = add_pending(r, P_VALUE_VAR, i, var, c)) != 0)
                return rc;
            continue;
        }
        for (k = 0; k < 6; k++)
            if (named(c, names[k]))
                break;
        if (k == 6) {
            unknown_child(r, n, c);
            continue;
        }
        r->m->values[i].type = (refi_vtype)k;
        r->m->values[i].value = content(r, c, NULL, &err);
        if (err)
            return rd_oom(r);
    }
    if (var == NULL)
        return rd_fail_at(r, QUARRY_EPARSE, n, "no VariableRef");
    if (r->m->values[i].value == NULL)
        r->m->values[i].value = refi_str(r->m, "");
    return r->m->values[i].value ? 0 : rd_oom(r);
}

static int is_docx(const char *path)
{
    size_t l = strlen(path);
    return l >= 5 && strcasecmp(path + l - 5, ".docx") == 0;
}

/* The paragraphs of the .docx a richTextPath names, as the text of a
 * source that has no plain text. */
static int rich_text(reader *r, const xmlNode *n, const char *rich,
                     char **text, size_t *len)
{
    char *bytes = NULL, what[600];
    size_t blen = 0;
    int64_t paras = 0;
    int rc = rd_load_path_text(r, n, "richTextPath", rich, &bytes, &blen);
    if (rc != 0)
        return rc;
    snprintf(what, sizeof(what), "richTextPath \"%s\"", rich);
    rc = rd_docx_text(r, what, bytes, blen, text, len, &paras);
    free(bytes);
    if (rc != 0)
        return rc;
    {
        xmlChar *nm = xmlGetNoNsProp(n, (const xmlChar *)"name");
        refi_notice(r->m, "docx",
                    "%s:%d: TextSource \"%s\": no plain text; the %lld "
                    "paragraph(s) of %s read as its text (positions count "
                    "them joined by line breaks)",
                    r->xml_name, rd_node_line(n), nm ? (const char *)nm : "?",
                    (long long)paras, what);
        xmlFree(nm);
    }
    return 0;
}

/* A TextSource, or a Note (the same type in the schema). */
static int parse_text(reader *r, const xmlNode *n, int is_note)
{
    int err = 0, rc;
    int32_t i;
    const xmlNode *c;
    const char *guid, *name, *path, *user, *created, *desc = NULL;
    const char *inline_text = NULL, *rich;
    size_t inline_len = 0, len = 0;
    char *text = NULL;
    const char *stored;
    if (!is_note) {
        /* Only rich text (a .docx): nothing quarry can read. */
        xmlChar *p = xmlGetNoNsProp(n, (const xmlChar *)"plainTextPath");
        xmlChar *rt = xmlGetNoNsProp(n, (const xmlChar *)"richTextPath");
        int has_content = 0;
        for (c = n->children; c != NULL; c = c->next)
            if (is_elem(c) && named(c, "PlainTextContent"))
                has_content = 1;
        int only_rich = p == NULL && rt != NULL &&
                        !is_docx((const char *)rt);
        xmlFree(p);
        xmlFree(rt);
        if (only_rich && !has_content) {
            xmlChar *nm = xmlGetNoNsProp(n, (const xmlChar *)"name");
            refi_notice(r->m, "rich-only",
                        "%s:%d: TextSource \"%s\": only richTextPath, no "
                        "plain text; skipped",
                        r->xml_name, rd_node_line(n),
                        nm ? (const char *)nm : "?");
            xmlFree(nm);
            return skip_subtree(r, n);
        }
    }
    i = is_note ? REFI_PUSH(r->m, notes) : REFI_PUSH(r->m, sources);
    if (i < 0)
        return rd_oom(r);
    if ((rc = take_guid(r, n, is_note ? REFI_K_NOTE : REFI_K_SOURCE, i,
                        &guid)) != 0)
        return rc;
    name = attr(r, n, "name", &err);
    path = attr(r, n, "plainTextPath", &err);
    rich = is_note ? NULL : attr(r, n, "richTextPath", &err);
    user = attr(r, n, "creatingUser", &err);
    created = date_attr(r, n, "creationDateTime", &err);
    if (err)
        return rd_oom(r);
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        if (named(c, "PlainTextContent")) {
            inline_text = content(r, c, &inline_len, &err);
            if (err)
                return rd_oom(r);
        } else if (named(c, "Description")) {
            desc = content(r, c, NULL, &err);
            if (err)
                return rd_oom(r);
        }
    }
    if (inline_text != NULL) {
        if (path != NULL)
            refi_notice(r->m, "both-texts",
                        "%s:%d: %s: both PlainTextContent and plainTextPath; "
                        "PlainTextContent used",
                        r->xml_name, rd_node_line(n), (const char *)n->name);
        text = malloc(inline_len + 1);
        if (text == NULL)
            return rd_oom(r);
        memcpy(text, inline_text, inline_len + 1);
        len = inline_len;
    } else if (path != NULL) {
        if ((rc = rd_load_path_text(r, n, "plainTextPath", path, &text, &len)) != 0)
            return rc;
        if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            memmove(text, text + 3, len - 2);
            len -= 3;
            refi_notice(r->m, "bom",
                        "%s:%d: %s: byte-order mark at the start of \"%s\" "
                        "dropped",
                        r->xml_name, rd_node_line(n), (const char *)n->name,
                        path);
        }
    } else if (is_note || (rich != NULL && is_docx(rich))) {
        text = strdup("");
        if (text == NULL)
            return rd_oom(r);
    } else {
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "guid \"%s\": neither PlainTextContent nor "
                          "plainTextPath",
                          guid);
    }
    if (len == 0 && rich != NULL && is_docx(rich)) {
        free(text);
        text = NULL;
        if ((rc = rich_text(r, n, rich, &text, &len)) != 0)
            return rc;
    }
    if ((rc = rd_clean_text(r, n, &text, &len)) != 0) {
        free(text);
        return rc;
    }
    stored = refi_strn(r->m, text, len);
    free(text);
    if (stored == NULL)
        return rd_oom(r);
    if (is_note) {
        refi_note *nt = &r->m->notes[i];
        nt->guid = guid;
        nt->name = name;
        nt->description = desc;
        nt->created = created;
        nt->user = -1;
        nt->text = stored;
        nt->text_len = len;
        if ((rc = add_pending(r, P_NOTE_USER, i, user, n)) != 0)
            return rc;
    } else {
        refi_source *s = &r->m->sources[i];
        s->guid = guid;
        s->name = name;
        s->description = desc;
        s->created = created;
        s->user = -1;
        s->text = stored;
        s->text_len = len;
        s->n_cp = (int64_t)quarry_utf8_count(stored, len);
        if ((rc = add_pending(r, P_SRC_USER, i, user, n)) != 0)
            return rc;
    }
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c) || named(c, "PlainTextContent") ||
            named(c, "Description"))
            continue;
        if (named(c, "NoteRef")) {
            rc = add_ref(r, c, is_note ? REFI_K_NOTE : REFI_K_SOURCE, i,
                         REFI_K_NOTE);
        } else if (is_note &&
                   (named(c, "PlainTextSelection") || named(c, "Coding") ||
                    named(c, "VariableValue"))) {
            rc = skip_element(r, c, "inside a Note");
        } else if (named(c, "PlainTextSelection")) {
            rc = parse_selection(r, c, i);
        } else if (named(c, "Coding")) {
            rc = parse_coding(r, c, i, -1);
        } else if (named(c, "VariableValue")) {
            rc = parse_value(r, c, REFI_K_SOURCE, i);
        } else {
            unknown_child(r, n, c);
            rc = 0;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_code(reader *r, const xmlNode *n, int32_t parent)
{
    int err = 0, rc;
    int32_t i = REFI_PUSH(r->m, codes);
    const xmlNode *c;
    const char *guid, *name, *codable, *color;
    char col[8];
    refi_code *cd;
    if (i < 0)
        return rd_oom(r);
    if ((rc = take_guid(r, n, REFI_K_CODE, i, &guid)) != 0)
        return rc;
    name = attr(r, n, "name", &err);
    codable = attr(r, n, "isCodable", &err);
    color = attr(r, n, "color", &err);
    if (err)
        return rd_oom(r);
    cd = &r->m->codes[i];
    cd->guid = guid;
    cd->parent = parent;
    cd->name = name;
    if (name == NULL)
        return rd_fail_at(r, QUARRY_EPARSE, n, "guid \"%s\": no name", guid);
    if (codable == NULL) {
        cd->codable = 1;
        refi_notice(r->m, "no-codable",
                    "%s:%d: Code \"%s\": no isCodable; taken as codable",
                    r->xml_name, rd_node_line(n), name);
    } else {
        cd->codable = strcmp(codable, "true") == 0 || strcmp(codable, "1") == 0;
        if (!cd->codable && strcmp(codable, "false") != 0 &&
            strcmp(codable, "0") != 0)
            return rd_fail_at(r, QUARRY_EPARSE, n,
                              "Code \"%s\": isCodable \"%s\" is not a boolean",
                              name, codable);
    }
    if (color != NULL) {
        if (refi_color_normalise(color, col) == 0) {
            cd->color = refi_str(r->m, col);
            if (cd->color == NULL)
                return rd_oom(r);
        } else {
            refi_notice(r->m, "bad-color",
                        "%s:%d: Code \"%s\": color \"%.20s\" is not #RRGGBB; "
                        "dropped",
                        r->xml_name, rd_node_line(n), name, color);
        }
    }
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        if (named(c, "Description")) {
            const char *d = content(r, c, NULL, &err);
            if (err)
                return rd_oom(r);
            r->m->codes[i].description = d;
        } else if (named(c, "NoteRef")) {
            if ((rc = add_ref(r, c, REFI_K_CODE, i, REFI_K_NOTE)) != 0)
                return rc;
        } else if (named(c, "Code")) {
            if ((rc = parse_code(r, c, i)) != 0)
                return rc;
        } else {
            unknown_child(r, n, c);
        }
    }
    return 0;
}

/* The element children of n in the REFI namespace called `name`, each
 * handed to fn with ctx (a non-zero return stops the walk and is
 * returned); other elements of ours are skipped with a notice. */
typedef int (*child_fn)(reader *r, const xmlNode *c, void *ctx);

static int each_named(reader *r, const xmlNode *n, const char *name,
                      child_fn fn, void *ctx)
{
    const xmlNode *c;
    int rc;
    for (c = n->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        if (!named(c, name)) {
            unknown_child(r, n, c);
            continue;
        }
        if ((rc = fn(r, c, ctx)) != 0)
            return rc;
    }
    return 0;
}

/* A child element that references something: its name and what. */
typedef struct ref_child {
    const char *name;
    refi_kind target;
} ref_child;

/* The children of element `owner` number i of its kind: a Description
 * (its text to *description), a reference listed in refs, or, with
 * value_ok, a VariableValue; others are skipped with a notice. */
static int owned_children(reader *r, const xmlNode *owner, refi_kind kind,
                          int32_t i, const ref_child *refs, int value_ok,
                          const char **description)
{
    const xmlNode *d;
    int err = 0, rc;
    for (d = owner->children; d != NULL; d = d->next) {
        const ref_child *rule;
        if (!is_elem(d) || !ours(r, d))
            continue;
        for (rule = refs; rule->name != NULL && !named(d, rule->name); rule++)
            ;
        rc = 0;
        if (named(d, "Description")) {
            const char *s = content(r, d, NULL, &err);
            if (err)
                return rd_oom(r);
            *description = s;
        } else if (rule->name != NULL) {
            rc = add_ref(r, d, kind, i, rule->target);
        } else if (value_ok && named(d, "VariableValue")) {
            rc = parse_value(r, d, kind, i);
        } else {
            unknown_child(r, owner, d);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int top_code(reader *r, const xmlNode *c, void *ctx)
{
    (void)ctx;
    return parse_code(r, c, -1);
}

static int codes_list(reader *r, const xmlNode *c, void *ctx)
{
    return each_named(r, c, "Code", top_code, ctx);
}

/* <Codes> (inside a CodeBook): one Code or more. */
static int parse_codes(reader *r, const xmlNode *codebook)
{
    return each_named(r, codebook, "Codes", codes_list, NULL);
}

static int one_user(reader *r, const xmlNode *c, void *ctx)
{
    int32_t i;
    const char *guid;
    int err = 0, rc;
    (void)ctx;
    if ((i = REFI_PUSH(r->m, users)) < 0)
        return rd_oom(r);
    if ((rc = take_guid(r, c, REFI_K_USER, i, &guid)) != 0)
        return rc;
    r->m->users[i].guid = guid;
    r->m->users[i].name = attr(r, c, "name", &err);
    r->m->users[i].id = attr(r, c, "id", &err);
    return err ? rd_oom(r) : 0;
}

static int parse_users(reader *r, const xmlNode *n)
{
    return each_named(r, n, "User", one_user, NULL);
}

static int one_variable(reader *r, const xmlNode *c, void *ctx)
{
    static const ref_child none[] = {{NULL, REFI_K_CODE}};
    int32_t i;
    const char *guid, *type;
    refi_variable *v;
    int err = 0, rc;
    (void)ctx;
    if ((i = REFI_PUSH(r->m, variables)) < 0)
        return rd_oom(r);
    if ((rc = take_guid(r, c, REFI_K_VARIABLE, i, &guid)) != 0)
        return rc;
    v = &r->m->variables[i];
    v->guid = guid;
    v->name = attr(r, c, "name", &err);
    type = attr(r, c, "typeOfVariable", &err);
    if (err)
        return rd_oom(r);
    if (v->name == NULL)
        return rd_fail_at(r, QUARRY_EPARSE, c, "guid \"%s\": no name", guid);
    if (type == NULL || refi_vtype_parse(type, &v->type) != 0) {
        v->type = REFI_V_TEXT;
        refi_notice(r->m, "bad-vtype",
                    "%s:%d: Variable \"%s\": typeOfVariable \"%s\" unknown; "
                    "taken as Text",
                    r->xml_name, rd_node_line(c), v->name,
                    type ? type : "(missing)");
    }
    return owned_children(r, c, REFI_K_VARIABLE, i, none, 0,
                          &r->m->variables[i].description);
}

static int parse_variables(reader *r, const xmlNode *n)
{
    return each_named(r, n, "Variable", one_variable, NULL);
}

/* What a Case and a Set share: an item pushed to the kind's array with
 * its guid, its name and the children it owns (the references in refs and
 * a Description; a Case's VariableValues too). */
typedef struct group_kind {
    refi_kind kind; /* REFI_K_CASE or REFI_K_SET */
    ref_child refs[4];
} group_kind;

static const group_kind case_kind = {REFI_K_CASE,
                                     {{"CodeRef", REFI_K_CODE},
                                      {"SourceRef", REFI_K_SOURCE},
                                      {"SelectionRef", REFI_K_SELECTION},
                                      {NULL, REFI_K_CODE}}};
static const group_kind set_kind = {REFI_K_SET,
                                    {{"MemberCode", REFI_K_CODE},
                                     {"MemberSource", REFI_K_SOURCE},
                                     {"MemberNote", REFI_K_NOTE},
                                     {NULL, REFI_K_CODE}}};

static int one_group(reader *r, const xmlNode *c, void *ctx)
{
    const group_kind *g = ctx;
    int is_case = g->kind == REFI_K_CASE;
    int32_t i = is_case ? REFI_PUSH(r->m, cases) : REFI_PUSH(r->m, sets);
    const char *guid, *name, **description;
    int err = 0, rc;
    if (i < 0)
        return rd_oom(r);
    if ((rc = take_guid(r, c, g->kind, i, &guid)) != 0)
        return rc;
    name = attr(r, c, "name", &err);
    if (err)
        return rd_oom(r);
    if (is_case) {
        r->m->cases[i].guid = guid;
        r->m->cases[i].name = name;
        description = &r->m->cases[i].description;
    } else {
        r->m->sets[i].guid = guid;
        /* An unnamed Set reads as "" (a Case may have no name). */
        r->m->sets[i].name = name != NULL ? name : refi_str(r->m, "");
        description = &r->m->sets[i].description;
    }
    return owned_children(r, c, g->kind, i, g->refs, is_case, description);
}

static int parse_cases(reader *r, const xmlNode *n)
{
    return each_named(r, n, "Case", one_group, (void *)&case_kind);
}

static int parse_sets(reader *r, const xmlNode *n)
{
    return each_named(r, n, "Set", one_group, (void *)&set_kind);
}

static int parse_project(reader *r, const xmlNode *root)
{
    const xmlNode *c, *s;
    int err = 0, rc;
    const char *user, *base;
    r->m->name = attr(r, root, "name", &err);
    r->m->origin = attr(r, root, "origin", &err);
    r->m->created = date_attr(r, root, "creationDateTime", &err);
    user = attr(r, root, "creatingUserGUID", &err);
    base = attr(r, root, "basePath", &err);
    if (err)
        return rd_oom(r);
    if (r->m->name == NULL) {
        r->m->name = refi_str(r->m, r->file);
        refi_notice(r->m, "no-name", "%s: Project has no name; named \"%s\"",
                    r->xml_name, r->file);
    }
    if (base != NULL && base[0] == '/')
        r->base_path = base;
    if ((rc = add_pending(r, P_PROJECT_USER, 0, user, root)) != 0)
        return rc;
    for (c = root->children; c != NULL; c = c->next) {
        if (!is_elem(c) || !ours(r, c))
            continue;
        rc = 0;
        if (named(c, "Users"))
            rc = parse_users(r, c);
        else if (named(c, "CodeBook"))
            rc = parse_codes(r, c);
        else if (named(c, "Variables"))
            rc = parse_variables(r, c);
        else if (named(c, "Cases"))
            rc = parse_cases(r, c);
        else if (named(c, "Sources")) {
            for (s = c->children; s != NULL && rc == 0; s = s->next) {
                if (!is_elem(s) || !ours(r, s))
                    continue;
                if (named(s, "TextSource"))
                    rc = parse_text(r, s, 0);
                else if (named(s, "PictureSource"))
                    rc = skip_element(r, s, "pictures");
                else if (named(s, "PDFSource"))
                    rc = skip_element(r, s, "PDF documents");
                else if (named(s, "AudioSource"))
                    rc = skip_element(r, s, "audio");
                else if (named(s, "VideoSource"))
                    rc = skip_element(r, s, "video");
                else
                    unknown_child(r, c, s);
            }
        } else if (named(c, "Notes")) {
            for (s = c->children; s != NULL && rc == 0; s = s->next) {
                if (!is_elem(s) || !ours(r, s))
                    continue;
                if (named(s, "Note"))
                    rc = parse_text(r, s, 1);
                else
                    unknown_child(r, c, s);
            }
        } else if (named(c, "Links"))
            rc = skip_element(r, c, "links");
        else if (named(c, "Graphs"))
            rc = skip_element(r, c, "graphs");
        else if (named(c, "Sets"))
            rc = parse_sets(r, c);
        else if (named(c, "Description")) {
            r->m->description = content(r, c, NULL, &err);
            if (err)
                return rd_oom(r);
        } else if (named(c, "NoteRef"))
            rc = add_ref(r, c, REFI_K_PROJECT, 0, REFI_K_NOTE);
        else
            unknown_child(r, root, c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */

static const char *kind_name(refi_kind k)
{
    switch (k) {
    case REFI_K_USER:
        return "User";
    case REFI_K_CODE:
        return "Code";
    case REFI_K_VARIABLE:
        return "Variable";
    case REFI_K_CASE:
        return "Case";
    case REFI_K_SOURCE:
        return "TextSource";
    case REFI_K_SELECTION:
        return "PlainTextSelection";
    case REFI_K_CODING:
        return "Coding";
    case REFI_K_NOTE:
        return "Note";
    case REFI_K_SET:
        return "Set";
    default:
        return "element";
    }
}

static int resolve(reader *r)
{
    int32_t i;
    refi_model *m = r->m;
    for (i = 0; i < r->n_pend; i++) {
        pending *p = &r->pend[i];
        int32_t at = -1;
        refi_kind k = refi_guid_find(m, p->guid, &at);
        refi_kind want;
        switch (p->what) {
        case P_CODING_CODE:
            if (k == REFI_K_CODE) {
                m->codings[p->idx].code = at;
            } else if (k == REFI_K_CASE || k == REFI_K_SKIPPED) {
                refi_notice(m, "case-coding",
                            "%s:%d: CodeRef to a %s (\"%s\"): coding skipped",
                            r->xml_name, p->line,
                            k == REFI_K_CASE ? "Case" : "skipped element",
                            p->guid);
            } else {
                return refi_fail(m, QUARRY_EPARSE,
                                 "%s:%d: CodeRef: targetGUID \"%s\" names no "
                                 "Code (dangling reference)",
                                 r->xml_name, p->line, p->guid);
            }
            break;
        case P_CODING_USER:
        case P_SEL_USER:
        case P_SRC_USER:
        case P_NOTE_USER:
        case P_PROJECT_USER:
            if (k != REFI_K_USER) {
                refi_notice(m, "dangling-user",
                            "%s:%d: %s: creating user \"%s\" names no User; "
                            "kept without one",
                            r->xml_name, p->line, p->elem, p->guid);
                at = -1;
            }
            if (p->what == P_CODING_USER)
                m->codings[p->idx].user = at;
            else if (p->what == P_SEL_USER)
                m->selections[p->idx].user = at;
            else if (p->what == P_SRC_USER)
                m->sources[p->idx].user = at;
            else if (p->what == P_NOTE_USER)
                m->notes[p->idx].user = at;
            else
                m->creating_user = at;
            break;
        case P_VALUE_VAR:
            if (k == REFI_K_VARIABLE)
                m->values[p->idx].variable = at;
            else
                refi_notice(m, "dangling-var",
                            "%s:%d: VariableRef: targetGUID \"%s\" names no "
                            "Variable; value dropped",
                            r->xml_name, p->line, p->guid);
            break;
        case P_REF:
            want = m->refs[p->idx].target_kind;
            if (k == want)
                m->refs[p->idx].target = at;
            else if (k != REFI_K_SKIPPED)
                refi_notice(m, "dangling-ref",
                            "%s:%d: %s: targetGUID \"%s\" names no %s "
                            "(dangling reference); dropped",
                            r->xml_name, p->line, p->elem, p->guid,
                            kind_name(want));
            break;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

static void reader_init(reader *r, refi_model *m, const quarry_refi_options *o)
{
    memset(r, 0, sizeof(*r));
    r->m = m;
    r->o = o;
    r->max_entry =
        o->max_entry_bytes ? o->max_entry_bytes : QUARRY_REFI_DEFAULT_MAX_ENTRY;
    r->max_total =
        o->max_total_bytes ? o->max_total_bytes : QUARRY_REFI_DEFAULT_MAX_TOTAL;
    r->max_ratio = o->max_ratio ? o->max_ratio : QUARRY_REFI_DEFAULT_MAX_RATIO;
}

static void reader_free(reader *r)
{
    free(r->pend);
    free(r->sel_line);
    free(r->unpacked_real);
    free(r->external_real);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int check_root(reader *r, const xmlNode *root, const char *name,
                      const char *ns_prefix)
{
    const xmlChar *href;
    if (root == NULL || !named(root, name))
        return refi_fail(r->m, QUARRY_EPARSE,
                         "%s: the root element is %s, not %s", r->xml_name,
                         root ? (const char *)root->name : "missing", name);
    href = root->ns ? root->ns->href : NULL;
    if (href == NULL) {
        refi_notice(r->m, "no-ns", "%s: %s has no namespace (read anyway)",
                    r->xml_name, name);
    } else if (xmlStrncasecmp(href, (const xmlChar *)ns_prefix,
                              (int)strlen(ns_prefix)) != 0) {
        return refi_fail(r->m, QUARRY_EPARSE,
                         "%s:%d: %s: unknown namespace \"%s\" (want %s1.0)",
                         r->xml_name, rd_node_line(root), name,
                         (const char *)href, ns_prefix);
    } else if (xmlStrcmp(href + strlen(ns_prefix), (const xmlChar *)"1.0") !=
               0) {
        refi_notice(r->m, "ns-version", "%s: namespace \"%s\" read as %s1.0",
                    r->xml_name, (const char *)href, ns_prefix);
    }
    r->ns = href;
    return 0;
}

static int read_qde(reader *r, const char *buf, size_t len)
{
    xmlDoc *doc = NULL;
    int rc = rd_parse_xml(r, buf, len, &doc);
    if (rc != 0)
        return rc;
    rc = check_root(r, xmlDocGetRootElement(doc), "Project", NS_PROJECT);
    if (rc == 0)
        rc = parse_project(r, xmlDocGetRootElement(doc));
    if (rc == 0)
        rc = resolve(r);
    if (rc == 0)
        refi_trip_parse(r->m, r->xml_name);
    if (rc == 0)
        rc = rd_infer_and_place(r);
    xmlFreeDoc(doc);
    return rc;
}

int refi_read_qde_buffer(refi_model *m, const char *buf, size_t len,
                         const char *name, const char *base_dir,
                         const quarry_refi_options *o)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    reader r;
    int rc;
    reader_init(&r, m, o ? o : &def);
    r.file = r.xml_name = name;
    r.base_dir = base_dir;
    if (len > r.max_entry)
        return refi_fail(m, QUARRY_ERANGE, "%s: over the limit of %llu bytes",
                         name, (unsigned long long)r.max_entry);
    rd_xml_begin(&r);
    rc = rd_xml_end(&r, read_qde(&r, buf, len));
    reader_free(&r);
    return rc;
}

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    char *d;
    if (s == NULL)
        return strdup(".");
    if (s == path)
        return strdup("/");
    d = malloc((size_t)(s - path) + 1);
    if (d != NULL) {
        memcpy(d, path, (size_t)(s - path));
        d[s - path] = '\0';
    }
    return d;
}

/* The archive r->za is open (r->file names it): its project.qde, and
 * quarry's own entry if any, read under the limits. dir: the folder of
 * the .qdpx, where sources outside it may be looked up when the options
 * name an external folder; NULL for an archive that came as bytes. */
static int read_archive(reader *r, refi_model *m, const char *dir)
{
    int rc;
    zip_int64_t idx;
    char *buf = NULL, xml_name[512];
    size_t len = 0;
    idx = zip_name_locate(r->za, "project.qde", ZIP_FL_NOCASE);
    if (idx < 0)
        return refi_fail(m, QUARRY_EPARSE, "%s: no project.qde in the archive",
                         r->file);
    if ((rc = rd_read_entry(r, idx, "project.qde", &buf, &len)) != 0)
        return rc;
    snprintf(xml_name, sizeof(xml_name), "%s: project.qde", r->file);
    r->xml_name = xml_name;
    r->pkg_dir = dir;
    /* quarry's own entry, if any: read within the limits like any entry,
     * parsed once Project/@origin is known (read_qde). */
    idx = zip_name_locate(r->za, REFI_TRIP_ENTRY, 0);
    if (idx < 0 || (rc = rd_read_entry(r, idx, REFI_TRIP_ENTRY,
                                       &m->trip_json, &m->trip_len)) == 0) {
        rd_xml_begin(r);
        rc = rd_xml_end(r, read_qde(r, buf, len));
    }
    free(buf);
    /* xml_name is this frame's */
    r->xml_name = r->file;
    r->pkg_dir = NULL;
    return rc;
}

int refi_read_qdpx(refi_model *m, const char *path,
                   const quarry_refi_options *o)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    reader r;
    int zerr = 0, rc;
    char *dir = NULL;
    reader_init(&r, m, o ? o : &def);
    r.file = base_name(path);
    r.xml_name = r.file;
    r.za = zip_open(path, ZIP_RDONLY, &zerr);
    if (r.za == NULL) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        rc = refi_fail(m,
                       zerr == ZIP_ER_NOENT || zerr == ZIP_ER_OPEN
                           ? QUARRY_EIO
                           : QUARRY_EPARSE,
                       "%s: not a readable .qdpx (zip) archive: %s", path,
                       zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    dir = dir_of(path);
    rc = dir == NULL ? rd_oom(&r) : read_archive(&r, m, dir);
    free(dir);
    zip_discard(r.za);
    reader_free(&r);
    return rc;
}

int refi_read_qdpx_buffer(refi_model *m, const char *name, const void *bytes,
                          size_t len, const quarry_refi_options *o)
{
    quarry_refi_options own = QUARRY_REFI_OPTIONS_INIT;
    reader r;
    zip_error_t ze;
    zip_source_t *src;
    int rc;
    if (o != NULL)
        own = *o;
    own.external_dir = NULL; /* bytes have no folder to look beside */
    reader_init(&r, m, &own);
    r.file = name;
    r.xml_name = name;
    zip_error_init(&ze);
    src = zip_source_buffer_create(bytes, len, 0, &ze);
    if (src != NULL) {
        r.za = zip_open_from_source(src, ZIP_RDONLY, &ze);
        if (r.za == NULL)
            zip_source_free(src);
    }
    if (r.za == NULL) {
        rc = zip_error_code_zip(&ze) == ZIP_ER_MEMORY
                 ? rd_oom(&r)
                 : refi_fail(m, QUARRY_EPARSE,
                             "%s: not a readable .qdpx (zip) archive: %s",
                             name, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        reader_free(&r);
        return rc;
    }
    zip_error_fini(&ze);
    rc = read_archive(&r, m, NULL);
    zip_discard(r.za);
    reader_free(&r);
    return rc;
}

static int slurp(refi_model *m, const char *path, uint64_t cap, char **buf,
                 size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t used = 0, c = 0;
    char *b = NULL;
    if (f == NULL)
        return refi_fail(m, QUARRY_EIO, "%s: cannot open: %s", path,
                         strerror(errno));
    for (;;) {
        size_t got;
        if (used + 1 >= c) {
            char *p;
            if (c > cap) {
                fclose(f);
                free(b);
                return refi_fail(m, QUARRY_ERANGE,
                                 "%s: over the limit of %llu bytes", path,
                                 (unsigned long long)cap);
            }
            c = c ? 2 * c : 65536;
            p = realloc(b, c);
            if (p == NULL) {
                fclose(f);
                free(b);
                return refi_fail(m, QUARRY_ENOMEM, "out of memory");
            }
            b = p;
        }
        got = fread(b + used, 1, c - 1 - used, f);
        used += got;
        if (got == 0)
            break;
    }
    fclose(f);
    b[used] = '\0';
    *buf = b;
    *len = used;
    return 0;
}

int refi_read_qdc_buffer(refi_model *m, const char *buf, size_t len,
                         const char *name, const quarry_refi_options *o)
{
    quarry_refi_options def = QUARRY_REFI_OPTIONS_INIT;
    reader r;
    xmlDoc *doc = NULL;
    const xmlNode *root, *c;
    int rc, err = 0;
    reader_init(&r, m, o ? o : &def);
    r.file = r.xml_name = name;
    rd_xml_begin(&r);
    if ((rc = rd_parse_xml(&r, buf, len, &doc)) != 0)
        goto out;
    root = xmlDocGetRootElement(doc);
    if ((rc = check_root(&r, root, "CodeBook", NS_CODEBOOK)) != 0)
        goto out;
    m->origin = attr(&r, root, "origin", &err);
    if (err) {
        rc = rd_oom(&r);
        goto out;
    }
    if ((rc = parse_codes(&r, root)) != 0)
        goto out;
    for (c = root->children; c != NULL; c = c->next)
        if (is_elem(c) && named(c, "Sets") && (rc = parse_sets(&r, c)) != 0)
            goto out;
    rc = resolve(&r);
out:
    if (doc)
        xmlFreeDoc(doc);
    rc = rd_xml_end(&r, rc);
    reader_free(&r);
    return rc;
}

int refi_read_qdc(refi_model *m, const char *path, const quarry_refi_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = slurp(m, path, QUARRY_REFI_DEFAULT_MAX_ENTRY, &buf, &len);
    if (rc == 0)
        rc = refi_read_qdc_buffer(m, buf, len, base_name(path), o);
    free(buf);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int refi_read_file(refi_model *m, const char *path,
                   const quarry_refi_options *o)
{
    if (ends_with(path, ".qdc"))
        return refi_read_qdc(m, path, o);
    if (ends_with(path, ".qde") || ends_with(path, ".xml")) {
        char *buf = NULL, *dir;
        size_t len = 0;
        int rc = slurp(m, path, QUARRY_REFI_DEFAULT_MAX_ENTRY, &buf, &len);
        if (rc != 0)
            return rc;
        dir = dir_of(path);
        if (dir == NULL) {
            free(buf);
            return refi_fail(m, QUARRY_ENOMEM, "out of memory");
        }
        rc = refi_read_qde_buffer(m, buf, len, base_name(path), dir, o);
        free(dir);
        free(buf);
        return rc;
    }
    return refi_read_qdpx(m, path, o);
}

void refi_emit_notices(const refi_model *m, const quarry_refi_options *o)
{
    int32_t i;
    char buf[700];
    if (o == NULL || o->notice == NULL)
        return;
    for (i = 0; i < m->n_notices; i++) {
        refi_notice_text(m, i, buf, sizeof(buf));
        o->notice(o->notice_ctx, QUARRY_LOG_WARN, buf);
    }
}
