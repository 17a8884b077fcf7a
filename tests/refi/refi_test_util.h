/*
 * refi_test_util.h -- what the REFI-QDA tests share (tests/unit/test_refi.c
 * and tests/refi/test_refi_guids.c): zips written for import, the
 * project.qde of an export taken out again, its validation against
 * Project.xsd when QUARRY_REFI_SCHEMA names it, and a fresh project at a
 * fixed time. Include after <cmocka.h> and test_files.h.
 */
#ifndef QUARRY_REFI_TEST_UTIL_H
#define QUARRY_REFI_TEST_UTIL_H

#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "quarry/quarry.h"

/* A zip of (name, data, len) triples; data NULL ends the list. */
static inline void make_zip(const char *path, const char *const *names,
                            const char *const *datas, const size_t *lens, int n)
{
    int err = 0, i;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, datas[i], lens[i], 0);
        assert_non_null(s);
        assert_true(zip_file_add(za, names[i], s, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
}

/* A project.qde (string) zipped alone or with one sources/ entry. */
static inline const char *zip_qde(const char *name, const char *qde,
                                  const char *entry, const char *text)
{
    const char *names[2] = {"project.qde", entry};
    const char *datas[2] = {qde, text};
    size_t lens[2] = {strlen(qde), text ? strlen(text) : 0};
    const char *path = test_out_path(name);
    make_zip(path, names, datas, lens, entry ? 2 : 1);
    return path;
}

static inline void write_qde_of(const char *qdpx, const char *to)
{
    int err = 0;
    zip_t *za = zip_open(qdpx, ZIP_RDONLY, &err);
    zip_file_t *zf;
    char buf[65536];
    zip_int64_t n;
    FILE *f = fopen(to, "wb");
    assert_non_null(za);
    assert_non_null(f);
    zf = zip_fopen(za, "project.qde", 0);
    assert_non_null(zf);
    while ((n = zip_fread(zf, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, f);
    zip_fclose(zf);
    zip_discard(za);
    fclose(f);
}

static inline void validate_schema(const char *qde_path)
{
    const char *xsd = getenv("QUARRY_REFI_SCHEMA");
    xmlSchemaParserCtxtPtr pc;
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vc;
    if (xsd == NULL || *xsd == '\0')
        return;
    pc = xmlSchemaNewParserCtxt(xsd);
    assert_non_null(pc);
    schema = xmlSchemaParse(pc);
    assert_non_null(schema);
    vc = xmlSchemaNewValidCtxt(schema);
    assert_int_equal(xmlSchemaValidateFile(vc, qde_path, 0), 0);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

static inline quarry_project *new_project(const char *name)
{
    quarry_project *p = NULL;
    const char *path = test_out_path(name);
    remove(path);
    assert_int_equal(quarry_project_new(&p), 0);
    assert_int_equal(quarry_project_set_time(p, "2026-01-31T12:00:00Z"), 0);
    if (quarry_project_create(p, path) != 0)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

#endif
