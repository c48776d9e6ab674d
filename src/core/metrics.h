/*
 * metrics.h: request counters, a latency histogram and gauges, rendered in the Prometheus text format.
 *
 * Commands are numbered by the caller (the dispatch table's index; one extra slot for "unknown"). Counting is
 * lock free (relaxed atomics), so it costs nothing measurable on the request path. Thread safe.
 */
#ifndef DS_METRICS_H
#define DS_METRICS_H

#include <stddef.h>

#include "core/buf.h"

/* names[i] is the label of command i; the array must outlive the metrics. n <= DS_METRICS_MAX_COMMANDS. */
void ds_metrics_init(const char *const *names, size_t n);
#define DS_METRICS_MAX_COMMANDS 128

/* Counts one finished call of command cmd (or -1 for a call whose command is unknown) on a transport
 * ("grpc" or "http") with its gRPC status code and duration. */
void ds_metrics_observe(int cmd, int transport_http, int grpc_status, double seconds);
void ds_metrics_inflight(int delta);

/* Appends the service's metrics to out; `projects` is the value of the projects gauge. */
int ds_metrics_render(ds_buf *out, long long projects, const char *version, const char *duckdb_version,
                      double uptime_seconds);

#endif
