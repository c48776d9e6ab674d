/* ctx.c: the helpers handlers call on their context (see handler.h). */
#include "driver/handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "google/protobuf/any.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"

typedef Keboola__StorageDriver__Command__Common__LogMessage LogMessage;

void ds_ctx_log(ds_ctx *ctx, int level, const char *context_json, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *text = ds_pool_alloc(ctx->pool, (size_t)(n < 0 ? 0 : n) + 1);
  vsnprintf(text, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
  va_end(ap2);

  /* context: Any(google.protobuf.StringValue(json)), as Keboola's UserInMemoryLogger does */
  Google__Protobuf__StringValue sv = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  sv.value = (char *)(context_json ? context_json : "{}");
  size_t len = google__protobuf__string_value__get_packed_size(&sv);
  uint8_t *bytes = ds_pool_alloc(ctx->pool, len ? len : 1);
  google__protobuf__string_value__pack(&sv, bytes);
  Google__Protobuf__Any *any = ds_pool_alloc(ctx->pool, sizeof *any);
  google__protobuf__any__init(any);
  any->type_url = (char *)"type.googleapis.com/google.protobuf.StringValue";
  any->value.data = bytes;
  any->value.len = len;

  LogMessage *m = ds_pool_alloc(ctx->pool, sizeof *m);
  keboola__storage_driver__command__common__log_message__init(m);
  m->level = (Keboola__StorageDriver__Command__Common__LogMessage__Level)level;
  m->message = text;
  m->context = any;
  if (ctx->n_messages == ctx->cap_messages) {
    size_t cap = ctx->cap_messages ? ctx->cap_messages * 2 : 4;
    LogMessage **grown = ds_pool_alloc(ctx->pool, cap * sizeof *grown);
    if (ctx->n_messages) memcpy(grown, ctx->messages, ctx->n_messages * sizeof *grown);
    ctx->messages = grown;
    ctx->cap_messages = cap;
  }
  ctx->messages[ctx->n_messages++] = m;
}

int ds_ctx_project(ds_ctx *ctx, const char *field_name, const char *field_value, const char **out, ds_error *err) {
  const char *id = NULL;
  int rc;
  *out = NULL;
  if (field_value && *field_value) {
    if ((rc = ds_project_id_check(field_value, err))) return rc;
    if (ctx->key_project && strcmp(ctx->key_project, field_value) != 0)
      return ds_error_set(err, DS_E_PERMISSION, "Permission denied: the API key does not belong to project \"%s\".",
                          field_value);
    id = field_value;
  } else {
    id = ctx->project_id;
  }
  if (!id) return ds_error_set(err, DS_E_VALIDATION, "%s is required.", field_name);
  if (!ds_catalog_project_exists(ctx->catalog, id))
    return ds_error_set(err, DS_E_NOT_FOUND, "Project \"%s\" not found.", id);
  *out = id;
  return 0;
}

int ds_session_open(ds_ctx *ctx, const char *field_name, const char *field_value, int ddl, ds_session *s,
                    ds_error *err) {
  int rc;
  memset(s, 0, sizeof *s);
  if ((rc = ds_ctx_project(ctx, field_name ? field_name : "Credentials host (project id)", field_value, &s->project,
                           err)))
    return rc;
  ctx->project_id = s->project;
  if ((rc = ds_store_project_acquire(ctx->store, s->project, err))) return rc;
  s->acquired = 1;
  if (ddl) {
    ds_store_project_lock(ctx->store, s->project);
    s->locked = 1;
  }
  s->conn = ds_store_conn_get(ctx->store);
  return 0;
}

int ds_session_begin(ds_session *s, ds_error *err) {
  int rc = ds_store_exec(s->conn, "BEGIN TRANSACTION", err);
  if (!rc) s->in_tx = 1;
  return rc;
}

int ds_session_commit(ds_session *s, ds_error *err) {
  s->in_tx = 0;
  int rc = ds_store_exec(s->conn, "COMMIT", err);
  if (rc) {
    ds_store_exec(s->conn, "ROLLBACK", NULL);
    ds_error_prefix(err, "Cannot commit: ");
  }
  return rc;
}

void ds_session_close(ds_ctx *ctx, ds_session *s) {
  if (s->conn) {
    if (s->in_tx) ds_store_exec(s->conn, "ROLLBACK", NULL);
    ds_store_conn_put(ctx->store, s->conn);
  }
  if (s->locked) ds_store_project_unlock(ctx->store, s->project);
  if (s->acquired) ds_store_project_release(ctx->store, s->project);
  memset(s, 0, sizeof *s);
}

int ds_session_ddl(ds_session *s, const char *sql, ds_error *err, const char *fmt, ...) {
  int rc = ds_store_exec(s->conn, sql, err);
  if (!rc) return 0;
  char head[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  ds_error_prefix(err, "%s", head);
  return err->kind = DS_E_VALIDATION;
}
