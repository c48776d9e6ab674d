/* h_project.h: handlers of proto/project.proto (projects and dev branches). */
#ifndef DS_H_PROJECT_H
#define DS_H_PROJECT_H

#include "driver/handler.h"

int ds_h_create_project(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_update_project(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_drop_project(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_create_dev_branch(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_drop_dev_branch(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
