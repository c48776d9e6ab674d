/* metrics.c: lock-free counters and their Prometheus exposition (see metrics.h). */
#include "core/metrics.h"

#include <stdatomic.h>
#include <string.h>

#include "core/err.h"

#define N_STATUS 17
#define N_TRANSPORT 2
static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
#define N_BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct command_stats {
  atomic_ullong requests[N_TRANSPORT][N_STATUS];
  atomic_ullong buckets[N_BUCKETS + 1]; /* last: +Inf */
  atomic_ullong sum_us;
};

static const char *const *cmd_names;
static size_t n_cmds;
static struct command_stats stats[DS_METRICS_MAX_COMMANDS + 1]; /* last slot: unknown command */
static atomic_llong inflight;

void ds_metrics_init(const char *const *names, size_t n) {
  cmd_names = names;
  n_cmds = n > DS_METRICS_MAX_COMMANDS ? DS_METRICS_MAX_COMMANDS : n;
}

void ds_metrics_observe(int cmd, int transport_http, int grpc_status, double seconds) {
  struct command_stats *s = &stats[(cmd < 0 || (size_t)cmd >= n_cmds) ? DS_METRICS_MAX_COMMANDS : (size_t)cmd];
  if (grpc_status < 0 || grpc_status >= N_STATUS) grpc_status = 2;
  atomic_fetch_add_explicit(&s->requests[transport_http ? 1 : 0][grpc_status], 1, memory_order_relaxed);
  size_t b = 0;
  while (b < N_BUCKETS && seconds > bucket_bounds[b]) b++;
  atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->sum_us, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
}

void ds_metrics_inflight(int delta) { atomic_fetch_add_explicit(&inflight, delta, memory_order_relaxed); }

static const char *name_of(size_t i) { return i == DS_METRICS_MAX_COMMANDS ? "unknown" : cmd_names[i]; }

int ds_metrics_render(ds_buf *out, long long projects, const char *version, const char *duckdb_version,
                      double uptime_seconds) {
  static const char *transports[] = {"grpc", "http"};
  int rc = 0;
  rc |= ds_buf_puts(out, "# HELP duckstore_requests_total Driver commands served, by command, transport and gRPC status.\n"
                         "# TYPE duckstore_requests_total counter\n");
  for (size_t i = 0; i <= DS_METRICS_MAX_COMMANDS; i++) {
    if (i >= n_cmds && i != DS_METRICS_MAX_COMMANDS) continue;
    for (int t = 0; t < N_TRANSPORT; t++)
      for (int st = 0; st < N_STATUS; st++) {
        unsigned long long v = atomic_load_explicit(&stats[i].requests[t][st], memory_order_relaxed);
        if (v)
          rc |= ds_buf_printf(out, "duckstore_requests_total{command=\"%s\",transport=\"%s\",status=\"%s\"} %llu\n",
                              name_of(i), transports[t], ds_grpc_status_name(st), v);
      }
  }
  rc |= ds_buf_puts(out, "# HELP duckstore_request_duration_seconds Time to serve a driver command, by command.\n"
                         "# TYPE duckstore_request_duration_seconds histogram\n");
  for (size_t i = 0; i <= DS_METRICS_MAX_COMMANDS; i++) {
    if (i >= n_cmds && i != DS_METRICS_MAX_COMMANDS) continue;
    unsigned long long cum = 0;
    unsigned long long counts[N_BUCKETS + 1];
    for (size_t b = 0; b <= N_BUCKETS; b++) counts[b] = atomic_load_explicit(&stats[i].buckets[b], memory_order_relaxed);
    unsigned long long total = 0;
    for (size_t b = 0; b <= N_BUCKETS; b++) total += counts[b];
    if (!total) continue;
    for (size_t b = 0; b < N_BUCKETS; b++) {
      cum += counts[b];
      rc |= ds_buf_printf(out, "duckstore_request_duration_seconds_bucket{command=\"%s\",le=\"%g\"} %llu\n", name_of(i),
                          bucket_bounds[b], cum);
    }
    rc |= ds_buf_printf(out, "duckstore_request_duration_seconds_bucket{command=\"%s\",le=\"+Inf\"} %llu\n", name_of(i), total);
    rc |= ds_buf_printf(out, "duckstore_request_duration_seconds_sum{command=\"%s\"} %.6f\n", name_of(i),
                        (double)atomic_load_explicit(&stats[i].sum_us, memory_order_relaxed) / 1e6);
    rc |= ds_buf_printf(out, "duckstore_request_duration_seconds_count{command=\"%s\"} %llu\n", name_of(i), total);
  }
  rc |= ds_buf_printf(out,
                      "# HELP duckstore_requests_in_flight Driver commands being served right now.\n"
                      "# TYPE duckstore_requests_in_flight gauge\n"
                      "duckstore_requests_in_flight %lld\n"
                      "# HELP duckstore_projects Projects in the catalog.\n"
                      "# TYPE duckstore_projects gauge\n"
                      "duckstore_projects %lld\n"
                      "# HELP duckstore_uptime_seconds Seconds since the service started.\n"
                      "# TYPE duckstore_uptime_seconds gauge\n"
                      "duckstore_uptime_seconds %.3f\n"
                      "# HELP duckstore_build_info Build of this service; the value is always 1.\n"
                      "# TYPE duckstore_build_info gauge\n"
                      "duckstore_build_info{version=\"%s\",duckdb_version=\"%s\"} 1\n",
                      (long long)atomic_load_explicit(&inflight, memory_order_relaxed), projects, uptime_seconds,
                      version, duckdb_version);
  return rc ? DS_E_TOO_BIG : 0;
}
