/*
 * h_profile.c: CreateProfileTable. The table profile is {"rowCount","columnCount","dataSize"} (dataSize is
 * ObjectInfo's sizeBytes estimate); each column gets {"distinctCount","duplicateCount","nullCount"}, plus
 * "numericStatistics":{"avg","median","min","max"} for numbers (avg rounded to 6 places) or
 * "length":{"avg","min","max"} for strings (avg rounded to 4 places), as BigQuery's metrics. One query per
 * column; when the type-specific metrics fail, the column keeps the common ones, and a metric that fails is
 * left out and logged (as BigQuery does). Reads take no lock.
 */
#include "driver/h_profile.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/names.h"
#include "driver/h_table.h"
#include "proto/table.pb-c.h"
#include "table/types.h"

typedef Keboola__StorageDriver__Command__Table__CreateProfileTableCommand CreateProfileTableCommand;
typedef Keboola__StorageDriver__Command__Table__CreateProfileTableResponse CreateProfileTableResponse;
typedef Keboola__StorageDriver__Command__Table__CreateProfileTableResponse__Column ProfileColumn;

#define CMD "CreateProfileTableCommand"
#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

enum { EXTRA_NONE, EXTRA_NUMERIC, EXTRA_STRING };

static double round_to(double v, int places) {
  double m = pow(10, places);
  return round(v * m) / m;
}

/* A result cell as a JSON number: integer when integral kinds say so, else real; null for NULL. */
static json_t *number(duckdb_result *res, size_t col, int integral) {
  if (ds_store_value_null(res, col, 0)) return json_null();
  if (integral) return json_integer(ds_store_value_i64(res, col, 0));
  char *v = ds_store_value_str(res, col, 0);
  double d = v ? strtod(v, NULL) : 0;
  ds_free(v);
  return json_real(d);
}

static json_t *rounded(duckdb_result *res, size_t col, int places) {
  if (ds_store_value_null(res, col, 0)) return json_null();
  char *v = ds_store_value_str(res, col, 0);
  double d = v ? strtod(v, NULL) : 0;
  ds_free(v);
  return json_real(round_to(d, places));
}

/* Runs the metrics of one column; extra: the type-specific ones too. */
static int column_query(ds_session *s, const ds_object *o, const ds_column *col, int extra, duckdb_result *res,
                        ds_error *err) {
  ds_buf b;
  ds_buf id;
  ds_buf_init(&b, 1u << 20);
  ds_buf_init(&id, 1024);
  ds_sql_ident(&id, col->name);
  const char *c = id.data;
  ds_buf_printf(&b, "SELECT count(DISTINCT %s), count(%s) - count(DISTINCT %s), count(*) - count(%s)", c, c, c, c);
  if (extra == EXTRA_NUMERIC)
    ds_buf_printf(&b, ", avg(%s), median(%s), min(%s), max(%s)", c, c, c, c);
  else if (extra == EXTRA_STRING)
    ds_buf_printf(&b, ", avg(length(%s)), min(length(%s)), max(length(%s))", c, c, c);
  ds_buf_puts(&b, " FROM ");
  ds_meta_qualified(&b, s->project, o->schema, o->name);
  int rc = ds_store_exec_params(s->conn, b.data, NULL, 0, res, err);
  ds_buf_release(&b);
  ds_buf_release(&id);
  return rc;
}

static char *column_profile(ds_ctx *ctx, ds_session *s, const ds_object *o, const ds_column *col) {
  int kind = ds_type_kind_of(col->type);
  int extra = kind == DS_TK_INTEGER || kind == DS_TK_FLOAT || kind == DS_TK_DECIMAL ? EXTRA_NUMERIC
              : kind == DS_TK_STRING                                                ? EXTRA_STRING
                                                                                    : EXTRA_NONE;
  duckdb_result res;
  ds_error err;
  json_t *p = json_object();
  int rc = column_query(s, o, col, extra, &res, &err);
  if (rc && extra != EXTRA_NONE) {
    DS_LOG(DS_LOG_WARN, "profile", "metrics of column \"%s\" failed, keeping the common ones: %s", col->name, err.msg);
    duckdb_destroy_result(&res);
    extra = EXTRA_NONE;
    rc = column_query(s, o, col, extra, &res, &err);
  }
  if (rc) {
    DS_LOG(DS_LOG_WARN, "profile", "metrics of column \"%s\" failed: %s", col->name, err.msg);
  } else if (ds_store_rows(&res) > 0) {
    json_object_set_new(p, "distinctCount", number(&res, 0, 1));
    json_object_set_new(p, "duplicateCount", number(&res, 1, 1));
    json_object_set_new(p, "nullCount", number(&res, 2, 1));
    if (extra == EXTRA_NUMERIC) {
      json_t *n = json_object();
      json_object_set_new(n, "avg", rounded(&res, 3, 6));
      json_object_set_new(n, "median", number(&res, 4, 0));
      json_object_set_new(n, "min", number(&res, 5, kind == DS_TK_INTEGER));
      json_object_set_new(n, "max", number(&res, 6, kind == DS_TK_INTEGER));
      json_object_set_new(p, "numericStatistics", n);
    } else if (extra == EXTRA_STRING) {
      json_t *l = json_object();
      json_object_set_new(l, "avg", rounded(&res, 3, 4));
      json_object_set_new(l, "min", number(&res, 4, 1));
      json_object_set_new(l, "max", number(&res, 5, 1));
      json_object_set_new(p, "length", l);
    }
  }
  duckdb_destroy_result(&res);
  char *text = json_dumps(p, JSON_FLAGS);
  char *out = ds_pool_strdup(ctx->pool, text ? text : "{}");
  free(text);
  json_decref(p);
  return out;
}

int ds_h_create_profile_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const CreateProfileTableCommand *c = (const CreateProfileTableCommand *)cmd;
  ds_session s;
  ds_object o;
  long long rows = 0, bytes = 0;
  int rc;
  memset(&s, 0, sizeof s);
  if ((rc = ds_table_check_path(CMD, c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 0, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  json_t *t = json_object();
  ds_error merr;
  if (ds_meta_table_stats(s.conn, s.project, &o, &rows, &bytes, &merr) == 0) {
    json_object_set_new(t, "rowCount", json_integer(rows));
    json_object_set_new(t, "columnCount", json_integer((json_int_t)o.n_columns));
    json_object_set_new(t, "dataSize", json_integer(bytes));
  } else {
    DS_LOG(DS_LOG_WARN, "profile", "table metrics of \"%s\" failed: %s", o.name, merr.msg);
    json_object_set_new(t, "columnCount", json_integer((json_int_t)o.n_columns));
  }
  char *text = json_dumps(t, JSON_FLAGS);
  json_decref(t);
  CreateProfileTableResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__table__create_profile_table_response__init(r);
  r->path = c->path;
  r->n_path = c->n_path;
  r->tablename = c->tablename;
  r->profile = ds_pool_strdup(ctx->pool, text ? text : "{}");
  free(text);
  r->columns = ds_pool_alloc(ctx->pool, (o.n_columns ? o.n_columns : 1) * sizeof *r->columns);
  for (size_t i = 0; i < o.n_columns; i++) {
    ProfileColumn *pc = ds_pool_alloc(ctx->pool, sizeof *pc);
    keboola__storage_driver__command__table__create_profile_table_response__column__init(pc);
    pc->name = o.columns[i].name;
    pc->profile = column_profile(ctx, &s, &o, &o.columns[i]);
    r->columns[i] = pc;
  }
  r->n_columns = o.n_columns;
  *resp = &r->base;
out:
  ds_session_close(ctx, &s);
  return rc;
}
