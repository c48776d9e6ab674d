/*
 * rest.h: the HTTP listener (libmicrohttpd, its own thread pool).
 *
 * Routes: GET / (service index), GET /health, GET /metrics, POST /driver/execute (the driver over HTTP,
 * proto3 JSON or binary protobuf), GET /projects/{id} (project settings), and the S3-compatible API (paths
 * under /project-<id>, or any request signed with SigV4), which goes to s3/s3.h. The listener only parses HTTP and
 * maps errors to statuses; the work is the driver's.
 * Threads: ds_rest_start and ds_rest_stop are called from the main thread only.
 */
#ifndef DS_REST_H
#define DS_REST_H

#include "core/err.h"
#include "driver/driver.h"
#include "s3/s3.h"

typedef struct ds_rest ds_rest;

typedef struct ds_rest_opts {
  const char *host;
  int port; /* 0: ephemeral */
  int threads;
  ds_s3 *s3; /* the S3-compatible API (s3/s3.h); NULL: none */
} ds_rest_opts;

int ds_rest_start(const ds_rest_opts *opts, ds_driver *driver, ds_rest **out, int *bound_port, ds_error *err);
/* Stops accepting, waits for running requests, frees everything. NULL is ok. */
void ds_rest_stop(ds_rest *r);

#endif
