/*
 * quarry/metrics.h -- part of the engine API; included by quarry/quarry.h.
 */
#ifndef QUARRY_METRICS_H
#define QUARRY_METRICS_H

#include "quarry.h"

#endif /* QUARRY_METRICS_H */
