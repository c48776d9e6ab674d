/* h_backend.h: handlers of proto/backend.proto (InitBackend, RemoveBackend). */
#ifndef DS_H_BACKEND_H
#define DS_H_BACKEND_H

#include "driver/handler.h"

int ds_h_init_backend(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_remove_backend(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
