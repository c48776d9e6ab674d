/* h_profile.h: CreateProfileTable (keboola-driver-protocol.md §2.5). */
#ifndef DS_H_PROFILE_H
#define DS_H_PROFILE_H

#include "driver/handler.h"

int ds_h_create_profile_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
