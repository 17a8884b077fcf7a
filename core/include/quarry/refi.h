/*
 * quarry/refi.h -- part of the engine API; included by quarry/quarry.h.
 */
#ifndef QUARRY_REFI_H
#define QUARRY_REFI_H

#include "quarry.h"

#endif /* QUARRY_REFI_H */
