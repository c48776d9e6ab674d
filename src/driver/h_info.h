/* h_info.h: ObjectInfo and ListSchemas (keboola-driver-protocol.md §2.4), and the TABLE answer that the DDL
 * commands share. */
#ifndef DS_H_INFO_H
#define DS_H_INFO_H

#include "driver/handler.h"

int ds_h_object_info(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_list_schemas(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

/* Builds ObjectInfoResponse{path = the given path, objectType = TABLE, tableInfo = schema.table as it is now}
 * on the session's connection. */
int ds_info_table_response(ds_ctx *ctx, ds_session *s, char **path, size_t n_path, const char *schema,
                           const char *table, ProtobufCMessage **resp, ds_error *err);

#endif
