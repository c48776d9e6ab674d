/* h_table.h: table, column, primary-key and view DDL (keboola-driver-protocol.md §2.5). */
#ifndef DS_H_TABLE_H
#define DS_H_TABLE_H

#include "driver/handler.h"
#include "table/meta.h"

int ds_h_create_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_drop_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_add_column(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_drop_column(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_add_primary_key(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_drop_primary_key(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_create_view(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);
int ds_h_alter_column(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

/* Shared by the table handlers (h_table.c, h_alter.c). */

/* The asserts every table command starts with: "<Cmd>.path is required and size must equal 1" and
 * "<Cmd>.tableName is required", then the name rules. */
int ds_table_check_path(const char *cmd, size_t n_path, char **path, const char *name_field, const char *name,
                        ds_error *err);
/* Describes schema.table (must be a TABLE) on the session. */
int ds_table_open(ds_ctx *ctx, ds_session *s, const char *schema, const char *table, ds_object *o, ds_error *err);
/* Checks a default expression for a column of type sql (kind: ds_type_kind): it must be one constant
 * expression that casts to the type (and, for strings, is a string). 0 or DS_E_VALIDATION with DuckDB's reason. */
int ds_table_check_default(ds_session *s, const char *column, const char *expr, const char *sql, int kind,
                           ds_error *err);

#endif
