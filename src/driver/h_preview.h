/* h_preview.h: PreviewTable (keboola-driver-protocol.md §2.6). */
#ifndef DS_H_PREVIEW_H
#define DS_H_PREVIEW_H

#include "driver/handler.h"

int ds_h_preview_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
