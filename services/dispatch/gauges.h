/*  gauges — dispatch's part of `metrics`: cases by state and level, the
    calendar's end. */
#ifndef DISPATCH_GAUGES_H_INCLUDED
#define DISPATCH_GAUGES_H_INCLUDED

#include "cases.h"

cg_metrics_fn gauges_on_metrics;

#endif
