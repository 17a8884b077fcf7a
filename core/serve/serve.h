/*
 * serve.h -- the local web workbench (`quarry serve`): an HTTP server on
 * loopback over one open project, serving the embedded page and the JSON
 * API of core/serve/API.md through the public library calls.
 *
 * Never prints, never exits: failures come back as a quarry status with
 * the message in err; warnings go to the options' warn callback.
 */
#ifndef QUARRY_SERVE_H
#define QUARRY_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "quarry/quarry.h"

typedef struct quarry_server quarry_server;

typedef struct quarry_serve_options {
    const char *path;   /* the project file (its name is shown, no folders) */
    uint16_t port;      /* 0: a free port */
    const char *coder;  /* the coder of writes that name none; may be NULL */
    /* An address to listen on instead of loopback (127.0.0.1 and ::1);
     * NULL for loopback. */
    const char *listen;
    /* The engine that draws the charts (core/report); may be NULL (no
     * charts then: 501). */
    quarry_engine *engine;
    /* What the page's "Suggest codes" makes a run with: an engine of its
     * own (plugin options apply to it), the pipeline and the suggest
     * options, as quarry suggest PROJECT would; all kept, not copied, until
     * the server stops. suggest_engine NULL: the page cannot make runs
     * (501). */
    quarry_engine *suggest_engine;
    const quarry_pipeline_options *pipeline;
    const quarry_suggest_options *suggest;
    /* Blind coding: the page shows this coder no other coder's codes
     * (Review's "Other coders", Browse's codings, the disagreements) and
     * writes no export holding them, so two coders code independently;
     * needs coder. */
    int blind;
} quarry_serve_options;

/* Start serving p (opened read-write by the caller, who keeps it until
 * after quarry_serve_stop). Requests are answered by threads of the
 * server, one at a time on p. QUARRY_OK and *out, or a status with the
 * message in err (a port in use, a bad --listen address). */
int quarry_serve_start(quarry_project *p, const quarry_serve_options *o,
                       quarry_server **out, char *err, size_t errcap);

/* "http://127.0.0.1:PORT/?token=TOKEN": the address to open. */
const char *quarry_serve_url(const quarry_server *s);

/* Stop answering (requests under way finish first) and free s. NULL-safe. */
void quarry_serve_stop(quarry_server *s);

#endif
