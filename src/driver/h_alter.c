/*
 * h_alter.c: AlterColumnCommand, with BigQuery's per-key semantics (keboola-driver-protocol.md §2.5):
 * `KBC.datatype.nullable` (only relaxing), `KBC.datatype.length` (only widening), `KBC.datatype.default`
 * (a raw value, quoted here for strings). Unknown keys and invalid defaults fail the command before anything
 * runs. Then each key runs in its own transaction and reports an Informational LogMessage (the key) or an
 * Error LogMessage ("<key>": reason); the command answers the table as it is afterwards in either case.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/names.h"
#include "driver/h_info.h"
#include "driver/h_table.h"
#include "proto/table.pb-c.h"
#include "table/types.h"

typedef Keboola__StorageDriver__Command__Table__AlterColumnCommand AlterColumnCommand;
typedef Keboola__StorageDriver__Command__Table__TableColumnShared TableColumnShared;

#define K_NULLABLE "KBC.datatype.nullable"
#define K_LENGTH "KBC.datatype.length"
#define K_DEFAULT "KBC.datatype.default"

static int is_numeric(const char *v) {
  char *end;
  if (!*v) return 0;
  strtod(v, &end);
  return *end == 0;
}

/* The SQL expression of a raw default value for the column, or an error (the pre-checks). "" → NULL out. */
static int default_expr(ds_ctx *ctx, ds_session *s, const ds_column *col, const char *v, char **out, ds_error *err) {
  ds_type_kind kind = ds_type_kind_of(col->type);
  ds_buf b;
  *out = NULL;
  if (!*v) return 0; /* drop the default */
  switch (kind) {
  case DS_TK_INTEGER:
  case DS_TK_FLOAT:
  case DS_TK_DECIMAL:
    if (!is_numeric(v))
      return ds_error_set(err, DS_E_VALIDATION, "Invalid default value for column \"%s\". Expected numeric value, got \"%s\".",
                          col->name, v);
    *out = ds_pool_strdup(ctx->pool, v);
    break;
  case DS_TK_BOOLEAN:
    if (strcasecmp(v, "true") && strcasecmp(v, "false") && strcmp(v, "0") && strcmp(v, "1"))
      return ds_error_set(err, DS_E_VALIDATION,
                          "Invalid default value for column \"%s\". Allowed values are true, false, 0, 1, got \"%s\".",
                          col->name, v);
    *out = ds_pool_strdup(ctx->pool, !strcasecmp(v, "true") || !strcmp(v, "1") ? "true" : "false");
    break;
  default:
    ds_buf_init(&b, 1u << 20);
    if (ds_sql_literal(&b, v)) {
      ds_buf_release(&b);
      return ds_error_set(err, DS_E_VALIDATION, "Invalid default value for column \"%s\": too long.", col->name);
    }
    *out = ds_pool_strdup(ctx->pool, b.data);
    ds_buf_release(&b);
  }
  /* it must also cast to the column's type (dates, numbers out of range, ...) */
  return ds_table_check_default(s, col->name, *out, col->described, kind, err);
}

/* Runs one ALTER statement (action may be NULL) and, with meta, records the column's length and default
 * (table/meta.h) in one transaction. */
static int run_alter(ds_session *s, const ds_object *o, const ds_column *col, const char *action, int meta,
                     const char *length, const char *def, ds_error *err) {
  ds_buf b;
  int rc = 0;
  ds_buf_init(&b, 1u << 21);
  if (action) {
    ds_buf_puts(&b, "ALTER TABLE ");
    ds_meta_qualified(&b, s->project, o->schema, o->name);
    ds_buf_puts(&b, " ALTER COLUMN ");
    ds_sql_ident(&b, col->name);
    if (ds_buf_printf(&b, " %s", action)) rc = ds_error_set(err, DS_E_VALIDATION, "statement too long");
  }
  if (!rc) rc = ds_session_begin(s, err);
  if (!rc && action) rc = ds_store_exec(s->conn, b.data, err);
  if (!rc && meta) rc = ds_meta_set_column(s->conn, s->project, o->schema, o->name, col->name, length, def, err);
  if (!rc) rc = ds_session_commit(s, err);
  else if (s->in_tx) {
    ds_store_exec(s->conn, "ROLLBACK", NULL);
    s->in_tx = 0;
  }
  ds_buf_release(&b);
  return rc;
}

static int alter_nullable(ds_session *s, const ds_object *o, const ds_column *col, const TableColumnShared *want,
                          ds_error *err) {
  if (!want->nullable) return 1; /* only relaxing is done; tightening is skipped silently, as BigQuery */
  if (col->nullable)
    return ds_error_set(err, DS_E_VALIDATION,
                        "Cannot DROP NOT NULL constraint from column %s which does not have a NOT NULL constraint.",
                        col->name);
  return run_alter(s, o, col, "DROP NOT NULL", 0, NULL, NULL, err);
}

static int alter_length(ds_ctx *ctx, ds_session *s, const ds_object *o, ds_column *col,
                        const TableColumnShared *want, ds_error *err) {
  const char *len = want->length ? want->length : "";
  switch (ds_type_kind_of(col->type)) {
  case DS_TK_STRING: {
    long long to = *len ? ds_type_parse_string_length(len) : 0;
    long long from = *col->length ? ds_type_parse_string_length(col->length) : 0;
    if (to < 0) return ds_error_set(err, DS_E_VALIDATION, "Invalid length \"%s\" for type %s.", len, col->type);
    /* 0 = no limit */
    if (to && (from == 0 || to < from))
      return ds_error_set(err, DS_E_VALIDATION,
                          "Narrowing type parameters is not compatible: %s(%s) cannot become %s(%s).", col->type,
                          *col->length ? col->length : "unlimited", col->type, len);
    int rc = run_alter(s, o, col, NULL, 1, len, col->def, err);
    if (!rc) col->length = ds_pool_strdup(ctx->pool, len);
    return rc;
  }
  case DS_TK_DECIMAL: {
    int p, sc, op = 18, os = 3;
    char name[DS_TYPE_SQL_MAX], params[DS_TYPE_SQL_MAX];
    if (ds_type_parse_decimal(len, &p, &sc))
      return ds_error_set(err, DS_E_VALIDATION, "Invalid length \"%s\" for type %s.", len, col->type);
    ds_type_split(col->described, name, params);
    ds_type_parse_decimal(params, &op, &os);
    if (p < op || sc < os || p - sc < op - os)
      return ds_error_set(err, DS_E_VALIDATION,
                          "Narrowing type parameters is not compatible: DECIMAL(%d,%d) cannot become DECIMAL(%d,%d).",
                          op, os, p, sc);
    char *action = ds_pool_printf(ctx->pool, "SET DATA TYPE DECIMAL(%d,%d)", p, sc);
    int rc = run_alter(s, o, col, action, 1, len, col->def, err);
    if (!rc) col->length = ds_pool_strdup(ctx->pool, len);
    return rc;
  }
  default: return ds_error_set(err, DS_E_VALIDATION, "Type %s does not take a length.", col->type);
  }
}

int ds_h_alter_column(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const AlterColumnCommand *c = (const AlterColumnCommand *)cmd;
  const TableColumnShared *want = c->desireddefiniton;
  ds_session s;
  ds_object o;
  char *def = NULL;
  int rc;
  memset(&s, 0, sizeof s);
  if ((rc = ds_table_check_path("AlterColumnCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if (!want || !want->name || !*want->name) {
    rc = ds_error_set(err, DS_E_VALIDATION, "AlterColumnCommand.desiredDefiniton.name is required");
    goto out;
  }
  for (size_t i = 0; i < c->n_attributestoupdate; i++) {
    const char *k = c->attributestoupdate[i];
    if (strcmp(k, K_NULLABLE) && strcmp(k, K_LENGTH) && strcmp(k, K_DEFAULT)) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Unknown metadata key to \"%s\" to update.", k);
      goto out;
    }
  }
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  ds_column *col = ds_meta_column(&o, want->name);
  if (!col) {
    rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", want->name, o.name);
    goto out;
  }
  for (size_t i = 0; i < c->n_attributestoupdate; i++)
    if (!strcmp(c->attributestoupdate[i], K_DEFAULT) &&
        (rc = default_expr(ctx, &s, col, want->default_ ? want->default_ : "", &def, err)))
      goto out;
  for (size_t i = 0; i < c->n_attributestoupdate; i++) {
    const char *k = c->attributestoupdate[i];
    ds_error kerr;
    int krc;
    ds_error_clear(&kerr);
    if (!strcmp(k, K_NULLABLE)) {
      krc = alter_nullable(&s, &o, col, want, &kerr);
    } else if (!strcmp(k, K_LENGTH)) {
      krc = alter_length(ctx, &s, &o, col, want, &kerr);
    } else {
      char *action = def ? ds_pool_printf(ctx->pool, "SET DEFAULT (\n%s\n)", def) : (char *)"DROP DEFAULT";
      krc = run_alter(&s, &o, col, action, 1, col->length, def, &kerr);
      if (!krc) col->def = def ? def : (char *)"";
    }
    if (krc < 0) ds_ctx_log(ctx, DS_LOG_MSG_ERROR, NULL, "\"%s\": %s", k, kerr.msg);
    else if (krc == 0) ds_ctx_log(ctx, DS_LOG_MSG_INFO, NULL, "%s", k);
  }
  rc = ds_info_table_response(ctx, &s, c->path, c->n_path, o.schema, o.name, resp, err);
out:
  ds_session_close(ctx, &s);
  return rc;
}
