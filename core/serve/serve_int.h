/*
 * serve_int.h -- what the files of the server share (internal to
 * core/serve): the server, one request as the API handlers see it, and
 * the helpers that answer it.
 */
#ifndef QUARRY_SERVE_INT_H
#define QUARRY_SERVE_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

#include "quarry/project_browse.h"
#include "serve.h"

#define SERVE_MAX_BODY (1024 * 1024) /* bytes of a request body */
/* bytes of a file sent to POST /api/import (a transcript, a sheet) */
#define SERVE_MAX_UPLOAD (64 * 1024 * 1024)
#define SERVE_MAX_HOSTS 6

struct quarry_server {
    struct MHD_Daemon *daemons[2];
    /* A quarry_project handle is not thread-safe: every API request holds
     * this while it uses p. */
    pthread_mutex_t lock;
    quarry_project *p;
    quarry_engine *engine; /* for the charts; may be NULL */
    /* For POST /api/suggest: the engine, pipeline and options a run is
     * made with (quarry suggest's defaults); NULL: 501. */
    quarry_engine *suggest_engine;
    const quarry_pipeline_options *pipeline;
    const quarry_suggest_options *suggest;
    char token[65];
    char *coder;
    int blind; /* quarry_serve_options.blind */
    char *file_name;    /* the project file's name, no folders */
    char *project_name; /* ... without its extension */
    uint16_t port;
    /* Host header values accepted ("127.0.0.1:PORT"); an Origin must be
     * "http://" + one of them. */
    char hosts[SERVE_MAX_HOSTS][320];
    int n_hosts;
    char url[512];
};

/* What a blind coder's page is refused (quarry serve --blind). */
#define SERVE_BLIND_NO                                                        \
    "blind coding: this page shows no other coder's codes (quarry serve "    \
    "--blind); the lead opens the project without --blind to compare and "   \
    "settle, and to export"

/* One API request: what came in, and what goes back (status and json,
 * or a body of another type). */
typedef struct serve_req {
    quarry_server *s;
    struct MHD_Connection *conn;
    const char *method;
    const char *path; /* below "/api/": "status", "excerpts/S1-P01-001" */
    json_t *body;     /* a POST's object */
    const char *upload; /* POST /api/import: the file's bytes */
    size_t upload_len;
    unsigned int status;
    json_t *json;
    char *raw;             /* a body other than JSON (malloc'ed) */
    size_t raw_len;
    const char *raw_type;
    /* A download: "attachment; filename=..." (Content-Disposition), or
     * empty. */
    char raw_name[160];
} serve_req;

/* Answer the API request r (serve_api.c); called with the lock held. */
void serve_api(serve_req *r);

/* POST /api/import and POST /api/suggest (serve_import.c). */
int serve_api_import(serve_req *r);
int serve_api_suggest(serve_req *r);
/* GET /api/sources and POST /api/sources/remove (serve_import.c). */
int serve_api_sources(serve_req *r);
/* GET /api/export?format=F: the project's work as a file to keep
 * (serve_export.c). */
int serve_api_export(serve_req *r);
int serve_api_source_remove(serve_req *r);
/* r answers j (200), or 500 "out of memory" when j is NULL; 0. */
int serve_answer(serve_req *r, json_t *j);

/* r answers {"error": message} with status; returns 0. */
int serve_error(serve_req *r, unsigned int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* r answers the library's refusal: 400, 404, 409 or 500 by status, the
 * project's message. */
int serve_fail(serve_req *r, int status);
/* A query parameter, NULL when absent or empty. */
const char *serve_query(const serve_req *r, const char *name);

#endif
