/*
 * serve.c -- the workbench's HTTP side (serve.h): the listening sockets
 * (loopback unless told), the token, the checks every request passes
 * before anything reads the project, the embedded page, the security
 * headers, and the hand-over of /api/ requests to serve_api.c under the
 * project's lock.
 *
 * The checks, in order (core/serve/API.md): the Host header must name
 * this server (a page on another site that resolves its own name to
 * 127.0.0.1 -- DNS rebinding -- sends its own name); the token must come
 * with the request (query, header or cookie); a write must carry the
 * token in the X-Quarry-Token header, which a page of another origin
 * cannot set, and an Origin, when sent, must be this server (CSRF).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "serve_assets.h"
#include "serve_int.h"

static const char csp[] =
    "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'";

/* What MHD keeps for one request between the calls of the handler. */
typedef struct conn_state {
    char *body;
    size_t len, cap;
    int too_large;
    size_t max; /* SERVE_MAX_BODY, or SERVE_MAX_UPLOAD for an import */
} conn_state;

/* ---- answers ---------------------------------------------------------- */

int serve_error(serve_req *r, unsigned int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_decref(r->json);
    r->json = json_pack("{s:s}", "error", msg);
    r->status = status;
    return 0;
}

int serve_fail(serve_req *r, int status)
{
    const char *msg = quarry_project_errmsg(r->s->p);
    unsigned int http;
    switch (status) {
    case QUARRY_EINVAL:
    case QUARRY_EPARSE:
    case QUARRY_ERANGE:
    case QUARRY_EUTF8:
        http = MHD_HTTP_BAD_REQUEST;
        break;
    case QUARRY_ENOTFOUND:
        http = MHD_HTTP_NOT_FOUND;
        break;
    case QUARRY_EDUP:
    case QUARRY_EEXIST:
        http = MHD_HTTP_CONFLICT;
        break;
    default:
        /* Another process holding the write lock past the busy timeout
         * is a conflict to retry, not a fault. */
        http = strstr(msg, " is busy") != NULL ? MHD_HTTP_CONFLICT
                                                : MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    return serve_error(r, http, "%s", msg[0] ? msg : quarry_status_str(status));
}

const char *serve_query(const serve_req *r, const char *name)
{
    const char *v =
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static void common_headers(struct MHD_Response *resp, int html)
{
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (html)
        MHD_add_response_header(resp, "Content-Security-Policy", csp);
}

static enum MHD_Result send_bytes(struct MHD_Connection *c,
                                  unsigned int status, const char *type,
                                  const void *data, size_t len,
                                  const char *cookie,
                                  const char *disposition)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    resp = MHD_create_response_from_buffer(len, (void *)data,
                                           MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    common_headers(resp, strncmp(type, "text/html", 9) == 0);
    if (cookie != NULL)
        MHD_add_response_header(resp, "Set-Cookie", cookie);
    if (disposition != NULL)
        MHD_add_response_header(resp, "Content-Disposition", disposition);
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c,
                                 unsigned int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    enum MHD_Result ret;
    if (text == NULL)
        return send_bytes(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "application/json",
                          "{\"error\":\"out of memory\"}", 25, NULL, NULL);
    ret = send_bytes(c, status, "application/json", text, strlen(text),
                     NULL, NULL);
    free(text);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int api,
                                  unsigned int status, const char *msg)
{
    char page[1024];
    json_t *j;
    enum MHD_Result ret;
    if (api) {
        j = json_pack("{s:s}", "error", msg);
        ret = send_json(c, status, j);
        json_decref(j);
        return ret;
    }
    /* msg is one of this file's constant messages: nothing to escape. */
    snprintf(page, sizeof page,
             "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<title>quarry</title></head><body><h1>quarry</h1><p>%s</p>"
             "</body></html>\n",
             msg);
    return send_bytes(c, status, "text/html; charset=utf-8", page,
                      strlen(page), NULL, NULL);
}

/* ---- the checks --------------------------------------------------------- */

/* Equal, in a time that does not tell how much of the token was right. */
static int token_equal(const char *a, const char *token)
{
    size_t i, n = strlen(token);
    unsigned char diff = 0;
    if (a == NULL || strlen(a) != n)
        return 0;
    for (i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ token[i]);
    return diff == 0;
}

static int host_allowed(const quarry_server *s, const char *host)
{
    int i;
    if (host == NULL)
        return 0;
    for (i = 0; i < s->n_hosts; i++)
        if (strcmp(host, s->hosts[i]) == 0)
            return 1;
    return 0;
}

static int origin_allowed(const quarry_server *s, const char *origin)
{
    if (origin == NULL)
        return 1;
    return strncmp(origin, "http://", 7) == 0 &&
           host_allowed(s, origin + 7);
}

/* ---- the page ------------------------------------------------------------- */

static const serve_asset *find_asset(const char *path)
{
    size_t i;
    for (i = 0; i < serve_n_assets; i++)
        if (strcmp(serve_assets[i].path, path) == 0)
            return &serve_assets[i];
    return NULL;
}

static enum MHD_Result send_asset(quarry_server *s, struct MHD_Connection *c,
                                  const char *url, int by_query)
{
    const serve_asset *a;
    char cookie[160];
    if (strcmp(url, "/") == 0)
        a = find_asset("index.html");
    else if (strncmp(url, "/assets/", 8) == 0 && strstr(url, "..") == NULL)
        a = find_asset(url + 8);
    else
        a = NULL;
    if (a == NULL)
        return send_error(c, 0, MHD_HTTP_NOT_FOUND,
                          "Nothing here: open the address quarry serve "
                          "printed.");
    /* The page fetches its script and style with the cookie alone. */
    snprintf(cookie, sizeof cookie,
             "quarry_token=%s; HttpOnly; SameSite=Strict; Path=/", s->token);
    return send_bytes(c, MHD_HTTP_OK, a->type, a->bytes, a->len,
                      by_query && strcmp(url, "/") == 0 ? cookie : NULL,
                      NULL);
}

/* ---- the handler ------------------------------------------------------- */

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    conn_state *st = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (st != NULL) {
        free(st->body);
        free(st);
    }
    *con_cls = NULL;
}

/* Keep up to st->max bytes of the body; more marks it too large. */
static void take_body(conn_state *st, const char *data, size_t n)
{
    if (st->too_large || st->len + n > st->max) {
        st->too_large = 1;
        return;
    }
    if (st->len + n + 1 > st->cap) {
        size_t cap = st->cap ? st->cap : 4096;
        char *b;
        while (cap < st->len + n + 1)
            cap *= 2;
        b = realloc(st->body, cap);
        if (b == NULL) {
            st->too_large = 1;
            return;
        }
        st->body = b;
        st->cap = cap;
    }
    memcpy(st->body + st->len, data, n);
    st->len += n;
    st->body[st->len] = '\0';
}

static enum MHD_Result api_request(quarry_server *s,
                                   struct MHD_Connection *c,
                                   const char *url, const char *method,
                                   conn_state *st)
{
    serve_req r;
    enum MHD_Result ret;
    json_error_t jerr;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.conn = c;
    r.method = method;
    r.path = url + 5;
    if (strcmp(method, "POST") == 0 && strcmp(r.path, "import") == 0) {
        /* The file itself, as the page read it. */
        r.upload = st->body ? st->body : "";
        r.upload_len = st->len;
    } else if (strcmp(method, "POST") == 0) {
        r.body = st->body ? json_loadb(st->body, st->len, 0, &jerr) : NULL;
        if (r.body == NULL)
            return send_error(c, 1, MHD_HTTP_BAD_REQUEST,
                              st->body ? jerr.text
                                       : "the body is empty: send a JSON "
                                         "object");
        if (!json_is_object(r.body)) {
            json_decref(r.body);
            return send_error(c, 1, MHD_HTTP_BAD_REQUEST,
                              "the body is not a JSON object");
        }
    }
    pthread_mutex_lock(&s->lock);
    serve_api(&r);
    /* A change is in the project file itself as soon as it is made, not
     * only in its write-ahead log: a copy of the file taken (or synced by
     * a cloud folder) while the page is open holds it. */
    if (strcmp(method, "POST") == 0)
        quarry_project_checkpoint(s->p);
    pthread_mutex_unlock(&s->lock);
    if (r.raw != NULL)
        ret = send_bytes(c, r.status ? r.status : MHD_HTTP_OK, r.raw_type,
                         r.raw, r.raw_len, NULL,
                         r.raw_name[0] ? r.raw_name : NULL);
    else if (r.json != NULL)
        ret = send_json(c, r.status ? r.status : MHD_HTTP_OK, r.json);
    else
        ret = send_error(c, 1, MHD_HTTP_INTERNAL_SERVER_ERROR,
                         "no answer");
    free(r.raw);
    json_decref(r.json);
    json_decref(r.body);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    quarry_server *s = cls;
    conn_state *st = *con_cls;
    const char *q, *h, *k;
    int api = strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0;
    int post = strcmp(method, "POST") == 0, by_query;
    (void)version;
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL)
            return MHD_NO;
        st->max = strcmp(url, "/api/import") == 0 ? SERVE_MAX_UPLOAD
                                                  : SERVE_MAX_BODY;
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_size != 0) {
        take_body(st, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!host_allowed(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     "Host")))
        return send_error(c, api, MHD_HTTP_FORBIDDEN,
                          "Forbidden: this server answers only to its own "
                          "address (the Host header names another)");
    q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Quarry-Token");
    k = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "quarry_token");
    by_query = token_equal(q, s->token);
    if (!by_query && !token_equal(h, s->token) && !token_equal(k, s->token))
        return send_error(c, api, MHD_HTTP_FORBIDDEN,
                          "Forbidden: no valid token. Open the address "
                          "quarry serve printed (with ?token=...).");
    if (post) {
        if (!token_equal(h, s->token))
            return send_error(c, api, MHD_HTTP_FORBIDDEN,
                              "Forbidden: a write needs the token in the "
                              "X-Quarry-Token header");
        if (!origin_allowed(s, MHD_lookup_connection_value(
                                   c, MHD_HEADER_KIND, "Origin")))
            return send_error(c, api, MHD_HTTP_FORBIDDEN,
                              "Forbidden: a write from a page of another "
                              "origin");
        if (st->too_large)
            return send_error(c, api, MHD_HTTP_CONTENT_TOO_LARGE,
                              st->max == SERVE_MAX_UPLOAD
                                  ? "the file is over 64 MiB: import it "
                                    "with the command (quarry import)"
                                  : "the body is over 1 MiB");
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        return send_error(c, api, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "Only GET and POST are answered.");
    }
    if (api)
        return api_request(s, c, url, method, st);
    if (post)
        return send_error(c, 0, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "Only the API takes POST.");
    return send_asset(s, c, url, by_query);
}

/* ---- start and stop ------------------------------------------------- */

static void add_host(quarry_server *s, const char *fmt, const char *addr)
{
    if (s->n_hosts < SERVE_MAX_HOSTS)
        snprintf(s->hosts[s->n_hosts++], sizeof s->hosts[0], fmt, addr,
                 (unsigned)s->port);
}

static struct MHD_Daemon *start_on(quarry_server *s,
                                   const struct sockaddr *sa, int v6,
                                   uint16_t port)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (v6)
        flags |= MHD_USE_IPv6;
    return MHD_start_daemon(
        flags, port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64, MHD_OPTION_END);
}

static uint16_t bound_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *i =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return strdup(b ? b + 1 : path);
}

int quarry_serve_start(quarry_project *p, const quarry_serve_options *o,
                       quarry_server **out, char *err, size_t errcap)
{
    quarry_server *s;
    unsigned char rnd[32];
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    char *dot;
    size_t i;
    int v6 = 0;
    *out = NULL;
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, errcap, "out of memory");
        return QUARRY_ENOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->p = p;
    s->engine = o->engine;
    s->suggest_engine = o->suggest_engine;
    s->pipeline = o->pipeline;
    s->suggest = o->suggest;
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        snprintf(err, errcap, "no random bytes for the token: %s",
                 strerror(errno));
        quarry_serve_stop(s);
        return QUARRY_EIO;
    }
    for (i = 0; i < sizeof rnd; i++)
        snprintf(s->token + 2 * i, 3, "%02x", rnd[i]);
    s->coder = o->coder ? strdup(o->coder) : NULL;
    s->blind = o->blind && o->coder != NULL;
    s->file_name = base_name(o->path);
    s->project_name = base_name(o->path);
    if (s->file_name == NULL || s->project_name == NULL ||
        (o->coder != NULL && s->coder == NULL)) {
        snprintf(err, errcap, "out of memory");
        quarry_serve_stop(s);
        return QUARRY_ENOMEM;
    }
    dot = strrchr(s->project_name, '.');
    if (dot != NULL && dot != s->project_name)
        *dot = '\0';
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    a4.sin_family = AF_INET;
    a6.sin6_family = AF_INET6;
    a4.sin_port = htons(o->port);
    a6.sin6_port = htons(o->port);
    if (o->listen == NULL) {
        a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a6.sin6_addr = in6addr_loopback;
    } else if (inet_pton(AF_INET, o->listen, &a4.sin_addr) == 1) {
        v6 = 0;
    } else if (inet_pton(AF_INET6, o->listen, &a6.sin6_addr) == 1) {
        v6 = 1;
    } else {
        snprintf(err, errcap,
                 "--listen: \"%s\" is not an IPv4 or IPv6 address",
                 o->listen);
        quarry_serve_stop(s);
        return QUARRY_EINVAL;
    }
    s->daemons[0] = v6 ? start_on(s, (struct sockaddr *)&a6, 1, o->port)
                       : start_on(s, (struct sockaddr *)&a4, 0, o->port);
    if (s->daemons[0] == NULL) {
        snprintf(err, errcap, "cannot listen on %s port %u (in use?)",
                 o->listen ? o->listen : "127.0.0.1", (unsigned)o->port);
        quarry_serve_stop(s);
        return QUARRY_EIO;
    }
    s->port = bound_port(s->daemons[0]);
    /* ::1 on the same port, when the machine has IPv6 (not an error
     * otherwise: 127.0.0.1 is enough). */
    if (o->listen == NULL) {
        a6.sin6_port = htons(s->port);
        s->daemons[1] = start_on(s, (struct sockaddr *)&a6, 1, s->port);
    }
    add_host(s, "127.0.0.1:%s%u", "");
    add_host(s, "localhost:%s%u", "");
    add_host(s, "[::1]:%s%u", "");
    if (o->listen != NULL)
        add_host(s, v6 ? "[%s]:%u" : "%s:%u", o->listen);
    if (o->listen == NULL)
        snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u/?token=%s",
                 (unsigned)s->port, s->token);
    else
        snprintf(s->url, sizeof s->url,
                 v6 ? "http://[%s]:%u/?token=%s" : "http://%s:%u/?token=%s",
                 o->listen, (unsigned)s->port, s->token);
    *out = s;
    return QUARRY_OK;
}

const char *quarry_serve_url(const quarry_server *s)
{
    return s ? s->url : "";
}

void quarry_serve_stop(quarry_server *s)
{
    int i;
    if (s == NULL)
        return;
    for (i = 0; i < 2; i++)
        if (s->daemons[i] != NULL)
            MHD_stop_daemon(s->daemons[i]);
    pthread_mutex_destroy(&s->lock);
    free(s->coder);
    free(s->file_name);
    free(s->project_name);
    free(s);
}
