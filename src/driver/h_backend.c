/*
 * h_backend.c: InitBackend checks that the data directory is usable (creating its layout) and that the
 * catalog answers; RemoveBackend is a no-op that keeps all data, as in Keboola's BigQuery driver.
 */
#include "driver/h_backend.h"

#include <stdio.h>

#include "proto/backend.pb-c.h"

int ds_h_init_backend(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  (void)cmd;
  ds_error layout, catalog;
  int bad_layout = ds_store_check_layout(ctx->store, &layout);
  int bad_catalog = ds_catalog_ping(ctx->catalog, &catalog);
  if (bad_layout || bad_catalog)
    return ds_error_set(err, DS_E_VALIDATION, "Cannot initialize backend. Following errors were encountered:\n%s%s%s",
                        bad_layout ? layout.msg : "", bad_layout && bad_catalog ? "\n" : "",
                        bad_catalog ? catalog.msg : "");
  Keboola__StorageDriver__Command__Backend__InitBackendResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__backend__init_backend_response__init(r);
  *resp = &r->base;
  return 0;
}

int ds_h_remove_backend(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  (void)ctx;
  (void)cmd;
  (void)err;
  *resp = NULL;
  return 0;
}
