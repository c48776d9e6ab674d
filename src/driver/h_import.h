/* h_import.h: TableImportFromFile and TableImportFromTable (keboola-driver-protocol.md §2.6, §3.1–§3.3, §3.6). */
#ifndef DS_H_IMPORT_H
#define DS_H_IMPORT_H

#include "driver/handler.h"

int ds_h_import_from_file(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_import_from_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

#endif
