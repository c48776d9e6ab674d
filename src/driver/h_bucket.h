/* h_bucket.h: bucket commands (keboola-driver-protocol.md §2.3, driver-contract.md §5). */
#ifndef DS_H_BUCKET_H
#define DS_H_BUCKET_H

#include "driver/handler.h"

int ds_h_create_bucket(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_drop_bucket(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
