/*
 * handler.h: what a command handler sees. Handlers never see a transport: they get the decoded command and a
 * context (the caller's identity, the project, a request pool, the catalog and the store), and give back a
 * response message (or NULL for "no response"), user-facing LogMessages, or an error.
 *
 * A context belongs to the thread serving its call; everything allocated for the call comes from ctx->pool.
 */
#ifndef DS_HANDLER_H
#define DS_HANDLER_H

#include <protobuf-c/protobuf-c.h>

#include "catalog/catalog.h"
#include "core/err.h"
#include "core/pool.h"
#include "proto/common.pb-c.h"
#include "store/store.h"

/* LogMessage levels (RFC 5424, as in common.proto). */
enum {
  DS_LOG_MSG_ERROR = KEBOOLA__STORAGE_DRIVER__COMMAND__COMMON__LOG_MESSAGE__LEVEL__Error,
  DS_LOG_MSG_WARNING = KEBOOLA__STORAGE_DRIVER__COMMAND__COMMON__LOG_MESSAGE__LEVEL__Warning,
  DS_LOG_MSG_INFO = KEBOOLA__STORAGE_DRIVER__COMMAND__COMMON__LOG_MESSAGE__LEVEL__Informational,
};

typedef struct ds_ctx {
  ds_pool *pool;
  ds_catalog *catalog;
  ds_store *store;
  const char *command;     /* full message name of the command */
  const char *project_id;  /* the project named by the credentials (host), else the key's; NULL: none */
  const char *key_project; /* the project of the caller's key; NULL when the caller is the admin */
  const char *run_id;      /* runtimeOptions.runId, "" when absent */
  /* user-facing messages for DriverResponse.messages, in order */
  Keboola__StorageDriver__Command__Common__LogMessage **messages;
  size_t n_messages, cap_messages;
} ds_ctx;

typedef int (*ds_handler_fn)(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err);

/* Adds a LogMessage. context_json is the JSON packed as the message's context (NULL: "{}"). */
void ds_ctx_log(ds_ctx *ctx, int level, const char *context_json, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Resolves the project a command acts on. When the command names one in a field (field_value non-empty)
 * that one is used, and a project key may only name its own project (else DS_E_PERMISSION); otherwise the
 * context's project is used. Fails with DS_E_VALIDATION "<field_name> is required" when there is none, and
 * with DS_E_NOT_FOUND when the project does not exist. */
int ds_ctx_project(ds_ctx *ctx, const char *field_name, const char *field_value, const char **out, ds_error *err);

/* A command's hold on its project: the database is attached and pinned, a connection is borrowed and, for
 * DDL, the project's DDL lock is held. Open it with ds_session_open and always close it with
 * ds_session_close, which rolls back a transaction left open (so a failed command changes nothing). */
typedef struct ds_session {
  const char *project;
  duckdb_connection conn;
  int acquired, locked, in_tx;
} ds_session;

/* Opens the project of the command: the one a field names (field_value non-empty; see ds_ctx_project), else
 * the credentials'. ddl: also take the project's DDL lock. */
int ds_session_open(ds_ctx *ctx, const char *field_name, const char *field_value, int ddl, ds_session *s,
                    ds_error *err);
int ds_session_begin(ds_session *s, ds_error *err);
int ds_session_commit(ds_session *s, ds_error *err);
void ds_session_close(ds_ctx *ctx, ds_session *s);
/* Runs one DDL statement on the session. A DuckDB failure becomes a 3000 whose message is the formatted
 * text followed by DuckDB's reason ("Cannot drop column \"c\": <reason>"). */
int ds_session_ddl(ds_session *s, const char *sql, ds_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
