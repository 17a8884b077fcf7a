/*
 * quarry/agree.h -- part of the engine API; included by quarry/quarry.h.
 */
#ifndef QUARRY_AGREE_H
#define QUARRY_AGREE_H

#include "quarry.h"

#endif /* QUARRY_AGREE_H */
