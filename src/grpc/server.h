/*
 * server.h: the gRPC listener, on Debian's gRPC C core (no C++).
 *
 * Serves /keboola.storageDriver.service.StorageDriverService/Execute (unary), grpc.health.v1.Health/Check,
 * and server reflection (grpc.reflection.v1alpha and v1, bidi streams). Any other method is answered
 * UNIMPLEMENTED. The transport only moves bytes: Execute goes to ds_driver_execute_pb, which does the rest.
 *
 * DESIGN. N worker threads, each with its own completion queue and its own posted request slots; a thread
 * serves the calls its queue hands it, start to finish. Every call is a small state machine whose struct is
 * the tag of its pending batch; the batch that sends the status also frees the call on completion.
 * Long commands (flagged DS_CMD_SLOW: imports, exports, previews, deletes, profiles) do not run on these
 * threads: they are queued to a pool of command threads, which run the handler and send the final batch
 * themselves (gRPC calls may be used from any thread), so a 20-second import never holds up health checks or
 * metadata calls.
 * Threads: ds_grpc_start and ds_grpc_stop are called from the main thread only.
 */
#ifndef DS_GRPC_SERVER_H
#define DS_GRPC_SERVER_H

#include "core/err.h"
#include "driver/driver.h"

typedef struct ds_grpc ds_grpc;

typedef struct ds_grpc_opts {
  const char *host;
  int port; /* 0: ephemeral */
  int threads;
  int command_threads; /* threads for slow commands; 0: run them on the worker threads too */
  const char *tls_cert_file; /* both NULL: plaintext */
  const char *tls_key_file;
} ds_grpc_opts;

/* Binds and starts serving. *bound_port receives the port actually bound. */
int ds_grpc_start(const ds_grpc_opts *opts, ds_driver *driver, ds_grpc **out, int *bound_port, ds_error *err);
/* Stops accepting calls, lets in-flight calls finish for up to grace_seconds, cancels the rest, and frees
 * everything. NULL is ok. */
void ds_grpc_stop(ds_grpc *g, int grace_seconds);

#endif
