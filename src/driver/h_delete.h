/* h_delete.h: DeleteTableRows (keboola-driver-protocol.md §2.6). */
#ifndef DS_H_DELETE_H
#define DS_H_DELETE_H

#include "driver/handler.h"

int ds_h_delete_table_rows(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
