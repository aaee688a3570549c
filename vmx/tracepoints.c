// SPDX-License-Identifier: GPL-2.0
/* The one place vmx/trace.h's tracepoints are instantiated. */
#define CREATE_TRACE_POINTS
#include "trace.h"
