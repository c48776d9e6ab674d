/* h_export.h: TableExportToFile (keboola-driver-protocol.md §2.6, §3.4). */
#ifndef DS_H_EXPORT_H
#define DS_H_EXPORT_H

#include "driver/handler.h"

int ds_h_table_export_to_file(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
