/* h_info.h: ObjectInfo and ListSchemas (keboola-driver-protocol.md §2.4), and the TABLE answer that the DDL
 * commands share. */
#ifndef DS_H_INFO_H
#define DS_H_INFO_H

#include "driver/handler.h"
#include "proto/info.pb-c.h"

int ds_h_object_info(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_list_schemas(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

/* Builds ObjectInfoResponse{path = the given path, objectType = TABLE, tableInfo = schema.table as it is now}
 * on the session's connection. */
int ds_info_table_response(ds_ctx *ctx, ds_session *s, char **path, size_t n_path, const char *schema,
                           const char *table, ProtobufCMessage **resp, ds_error *err);

/* TableInfo of schema.table as it is now (columns, key, rowsCount, sizeBytes), allocated from ctx->pool, on
 * the session's connection; DS_E_NOT_FOUND when it is missing or a view. Used by answers that carry a
 * TableInfo of their own (TableExportToFileResponse). */
int ds_info_table_info(ds_ctx *ctx, ds_session *s, const char *schema, const char *table,
                       Keboola__StorageDriver__Command__Info__TableInfo **out, ds_error *err);

#endif
