/*
 * driver.h: the storage driver as the transports see it. gRPC, the REST bridge and (later) the REST
 * resources hand it a DriverRequest (binary protobuf or proto3 JSON) and the caller's bearer key, and get
 * a DriverResponse or an error back. It authenticates, authorises by the dispatch table's flags, decodes the
 * command, runs its handler, counts the call in the metrics and logs one line for it.
 *
 * Threads: every function is thread safe; a call runs entirely on the calling thread.
 */
#ifndef DS_DRIVER_H
#define DS_DRIVER_H

#include <jansson.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"
#include "driver/auth.h"
#include "store/store.h"

#define DS_VERSION "0.1.0"
#define DS_MAX_MESSAGE (64u << 20) /* the largest request or response (driver-contract.md §2) */

typedef struct ds_driver ds_driver;

/* Takes no ownership: catalog, store and auth must outlive the driver. */
ds_driver *ds_driver_new(ds_catalog *catalog, ds_store *store, ds_auth *auth);
void ds_driver_free(ds_driver *d);

/* Runs a binary DriverRequest. On success *resp and *resp_len hold the binary DriverResponse (pool memory).
 * `transport` is "grpc" or "http" (logs, metrics); bearer (may be NULL) is a key from an Authorization
 * header, which takes the place of credentials.principal. */
int ds_driver_execute_pb(ds_driver *d, ds_pool *pool, const char *transport, const char *bearer, const void *req,
                         size_t len, void **resp, size_t *resp_len, ds_error *err);
/* 1 when the binary DriverRequest names a command flagged DS_CMD_SLOW (imports, exports, ...), found by
 * peeking at the command's type URL without decoding the request; 0 otherwise, also for malformed bytes
 * (the normal path reports those). Lets a transport run long commands on their own threads. */
int ds_driver_is_slow(const void *req, size_t len);
/* The same for proto3 JSON; *resp is a new reference the caller json_decref()s. */
int ds_driver_execute_json(ds_driver *d, ds_pool *pool, const char *transport, const char *bearer,
                           const json_t *req, json_t **resp, ds_error *err);

/* The Prometheus text of the service. */
int ds_driver_metrics(ds_driver *d, ds_buf *out);
/* Checks the data directory and the catalog. *report (new reference) describes each check; returns 0 when
 * healthy, DS_E_CONNECTION otherwise. */
int ds_driver_health(ds_driver *d, json_t **report);
/* Project settings for the REST API, as JSON; the caller must be the admin or a key of that project. */
int ds_driver_project_json(ds_driver *d, const char *bearer, const char *project_id, json_t **out, ds_error *err);

#endif
