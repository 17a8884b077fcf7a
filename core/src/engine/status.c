/*
 * status.c -- names and messages of quarry's status codes, generated from
 * the one QUARRY_STATUS_MAP table in quarry/plugin.h, and the version.
 */
#include "quarry/quarry.h"

const char *quarry_version(void)
{
    return QUARRY_VERSION_STRING;
}

const char *quarry_status_name(int status)
{
    switch (status) {
#define NAME_CASE(name, code, msg) \
    case code:                     \
        return "QUARRY_" #name;
        QUARRY_STATUS_MAP(NAME_CASE)
#undef NAME_CASE
    }
    return "unknown";
}

const char *quarry_status_str(int status)
{
    switch (status) {
#define STR_CASE(name, code, msg) \
    case code:                    \
        return msg;
        QUARRY_STATUS_MAP(STR_CASE)
#undef STR_CASE
    }
    return "not a quarry status (a plugin returned a code of its own)";
}
