/*
 * refi_trip.c -- quarry's own round-trip entry of a .qdpx (refi_trip.h):
 * parsed only for a file whose Project/@origin is quarry's, looked up by
 * GUID. What the entry says is checked where it is used (refi_import.c),
 * as everything else in a file from elsewhere.
 */
#include <string.h>

#include "refi_trip.h"

void refi_trip_parse(refi_model *m, const char *file)
{
    json_error_t err;
    json_t *t;
    if (m->trip_json == NULL || m->trip != NULL)
        return;
    if (m->origin == NULL || strncmp(m->origin, "quarry ", 7) != 0) {
        refi_notice(m, "trip-origin",
                    "%s: %s left out: Project/@origin \"%s\" is not quarry's",
                    file, REFI_TRIP_ENTRY, m->origin ? m->origin : "");
        return;
    }
    t = json_loadb(m->trip_json, m->trip_len, JSON_REJECT_DUPLICATES, &err);
    if (t == NULL || !json_is_object(t) ||
        json_integer_value(json_object_get(t, "quarry")) != REFI_TRIP_VERSION) {
        refi_notice(m, "trip-bad",
                    "%s: %s left out (%s); the file is read as any other "
                    "tool's",
                    file, REFI_TRIP_ENTRY,
                    t == NULL ? err.text
                              : "not a version 1 object of quarry's");
        json_decref(t);
        return;
    }
    m->trip = t;
}

json_t *refi_trip_get(const refi_model *m, const char *section,
                      const char *guid)
{
    json_t *s;
    if (m->trip == NULL || guid == NULL)
        return NULL;
    s = json_object_get((json_t *)m->trip, section);
    return json_is_object(s) ? json_object_get(s, guid) : NULL;
}

const char *refi_trip_str(const refi_model *m, const char *section,
                          const char *guid)
{
    return json_string_value(refi_trip_get(m, section, guid));
}

int refi_trip_end(const refi_model *m, int *inclusive)
{
    const char *v = m->trip ? json_string_value(json_object_get(
                                  (json_t *)m->trip, "end"))
                            : NULL;
    if (v == NULL || (strcmp(v, "inclusive") != 0 &&
                      strcmp(v, "exclusive") != 0))
        return 0;
    *inclusive = strcmp(v, "inclusive") == 0;
    return 1;
}

int refi_trip_crlf(const refi_model *m, int *one)
{
    const char *v = m->trip ? json_string_value(json_object_get(
                                  (json_t *)m->trip, "crlf"))
                            : NULL;
    if (v == NULL || (strcmp(v, "one") != 0 && strcmp(v, "two") != 0))
        return 0;
    *one = strcmp(v, "one") == 0;
    return 1;
}

int refi_trip_id_ok(const char *id, size_t max)
{
    size_t n, i;
    int visible = 0;
    if (id == NULL)
        return 0;
    n = strlen(id);
    if (n == 0 || n > max)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        visible |= c != ' ';
    }
    return visible;
}
