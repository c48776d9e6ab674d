/*
 * h_table.c: CreateTable, DropTable, AddColumn, DropColumn, Add/DropPrimaryKey and CreateView.
 *
 * Every command validates all of its input first, then runs its DDL and the registry writes (table/meta.h)
 * in one transaction under the project's DDL lock, and reflects the result inside that transaction when it
 * answers an ObjectInfoResponse: any failure rolls everything back, so nothing is ever half created.
 */
#include "driver/h_table.h"

#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/names.h"
#include "driver/h_info.h"
#include "proto/table.pb-c.h"
#include "table/filter.h"
#include "table/types.h"

typedef Keboola__StorageDriver__Command__Table__CreateTableCommand CreateTableCommand;
typedef Keboola__StorageDriver__Command__Table__DropTableCommand DropTableCommand;
typedef Keboola__StorageDriver__Command__Table__AddColumnCommand AddColumnCommand;
typedef Keboola__StorageDriver__Command__Table__DropColumnCommand DropColumnCommand;
typedef Keboola__StorageDriver__Command__Table__AddPrimaryKeyCommand AddPrimaryKeyCommand;
typedef Keboola__StorageDriver__Command__Table__DropPrimaryKeyCommand DropPrimaryKeyCommand;
typedef Keboola__StorageDriver__Command__Table__CreateViewCommand CreateViewCommand;
typedef Keboola__StorageDriver__Command__Table__TableColumnShared TableColumnShared;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__TableWhereFilter TableWhereFilter;

#define SQL_MAX (16u << 20)

int ds_table_check_path(const char *cmd, size_t n_path, char **path, const char *name_field, const char *name,
                        ds_error *err) {
  int rc;
  if (n_path != 1) return ds_error_set(err, DS_E_VALIDATION, "%s.path is required and size must equal 1", cmd);
  if (!name || !*name) return ds_error_set(err, DS_E_VALIDATION, "%s.%s is required", cmd, name_field);
  if ((rc = ds_name_check("Schema name", path[0], err))) return rc;
  return ds_object_name_check("Table name", name, err);
}

int ds_table_open(ds_ctx *ctx, ds_session *s, const char *schema, const char *table, ds_object *o, ds_error *err) {
  int rc = ds_meta_describe(ctx->pool, s->conn, s->project, schema, table, o, err);
  if (!rc && o->kind != DS_OBJ_TABLE) rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", table);
  return rc;
}

int ds_table_check_default(ds_session *s, const char *column, const char *expr, const char *sql, int kind,
                           ds_error *err) {
  ds_buf b;
  duckdb_result res;
  int rc;
  memset(&res, 0, sizeof res);
  ds_buf_init(&b, SQL_MAX);
  /* newlines keep a trailing "--" comment inside the expression; prepare refuses several statements */
  if (ds_buf_printf(&b, "SELECT typeof((\n%s\n)), CAST((\n%s\n) AS %s)", expr, expr, sql)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Invalid default value expression for column \"%s\": too long.", column);
    goto out;
  }
  if ((rc = ds_store_exec_params(s->conn, b.data, NULL, 0, &res, err))) {
    ds_error_prefix(err, "Invalid default value expression for column \"%s\": ", column);
    rc = err->kind = DS_E_VALIDATION;
    goto out;
  }
  if (kind == DS_TK_STRING) {
    char *t = ds_store_value_str(&res, 0, 0);
    int is_string = t && (strcmp(t, "VARCHAR") == 0 || strcmp(t, "\"NULL\"") == 0);
    if (!is_string)
      rc = ds_error_set(err, DS_E_VALIDATION,
                        "Invalid default value expression for column \"%s\": expected a string (a quoted literal such "
                        "as 'value'), got %s.",
                        column, t ? t : "NULL");
    ds_free(t);
  }
out:
  duckdb_destroy_result(&res);
  ds_buf_release(&b);
  return rc;
}

/* Appends `"name" TYPE [NOT NULL] [DEFAULT (expr)]`. */
static int column_sql(ds_buf *b, const char *name, const ds_type *t, int nullable, const char *def) {
  int rc = ds_sql_ident(b, name);
  if (!rc) rc = ds_buf_printf(b, " %s", t->sql);
  if (!rc && !nullable) rc = ds_buf_puts(b, " NOT NULL");
  if (!rc && def && *def) rc = ds_buf_printf(b, " DEFAULT (\n%s\n)", def);
  return rc;
}

static int find_name(char **names, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(names[i], name) == 0) return (int)i;
  return -1;
}

int ds_h_create_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const CreateTableCommand *c = (const CreateTableCommand *)cmd;
  ds_session s;
  ds_buf b;
  ds_type *types = NULL;
  const char **pk = NULL;
  char *schema = NULL;
  int found = 0, rc;
  ds_obj_kind kind;
  memset(&s, 0, sizeof s);
  ds_buf_init(&b, SQL_MAX);
  if (c->n_path != 1) {
    rc = ds_error_set(err, DS_E_VALIDATION, "CreateTableCommand.path is required and size must equal 1");
    goto out;
  }
  if (!c->tablename || !*c->tablename) {
    rc = ds_error_set(err, DS_E_VALIDATION, "CreateTableCommand.tableName is required");
    goto out;
  }
  if (c->n_columns == 0) {
    rc = ds_error_set(err, DS_E_VALIDATION, "CreateTableCommand.columns is required");
    goto out;
  }
  for (size_t i = 0; i < c->n_columns; i++) {
    if (!c->columns[i]->name || !*c->columns[i]->name) {
      rc = ds_error_set(err, DS_E_VALIDATION, "TableColumnShared.name is required");
      goto out;
    }
    if (!c->columns[i]->type || !*c->columns[i]->type) {
      rc = ds_error_set(err, DS_E_VALIDATION, "TableColumnShared.type is required");
      goto out;
    }
  }
  if ((rc = ds_table_check_path("CreateTableCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  /* the definition: names, types, keys */
  types = ds_pool_calloc(ctx->pool, c->n_columns * sizeof *types);
  char **names = ds_pool_alloc(ctx->pool, c->n_columns * sizeof *names);
  for (size_t i = 0; i < c->n_columns && !rc; i++) {
    const TableColumnShared *col = c->columns[i];
    names[i] = col->name;
    if ((rc = ds_object_name_check("Column name", col->name, err))) break;
    if (find_name(names, i, col->name) >= 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Column \"%s\" is listed twice.", col->name);
      break;
    }
    if ((rc = ds_type_resolve(col->type, col->length, &types[i], err))) break;
  }
  pk = ds_pool_calloc(ctx->pool, (c->n_primarykeysnames + 1) * sizeof *pk);
  for (size_t i = 0; i < c->n_primarykeysnames && !rc; i++) {
    int at = find_name(names, c->n_columns, c->primarykeysnames[i]);
    if (at < 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Primary key column \"%s\" is not a column of the table.",
                        c->primarykeysnames[i]);
      break;
    }
    if (find_name((char **)pk, i, names[at]) >= 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Primary key column \"%s\" is listed twice.", c->primarykeysnames[i]);
      break;
    }
    pk[i] = names[at];
  }
  if (rc) goto failed;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_meta_schema_find(ctx->pool, s.conn, s.project, c->path[0], &schema, &found, err))) goto out;
  if (!found) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", c->path[0]);
    goto out;
  }
  if ((rc = ds_meta_object_find(ctx->pool, s.conn, s.project, schema, c->tablename, &kind, NULL, NULL, NULL, err)))
    goto out;
  if (kind != DS_OBJ_NONE) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Object \"%s\" already exists.", c->tablename);
    goto out;
  }
  for (size_t i = 0; i < c->n_columns; i++) {
    const TableColumnShared *col = c->columns[i];
    if (col->default_ && *col->default_ &&
        (rc = ds_table_check_default(&s, col->name, col->default_, types[i].sql, types[i].kind, err)))
      goto failed;
  }
  ds_buf_puts(&b, "CREATE TABLE ");
  ds_meta_qualified(&b, s.project, schema, c->tablename);
  ds_buf_puts(&b, " (");
  for (size_t i = 0; i < c->n_columns; i++) {
    if (i) ds_buf_puts(&b, ", ");
    column_sql(&b, c->columns[i]->name, &types[i], c->columns[i]->nullable, c->columns[i]->default_);
  }
  if (ds_buf_puts(&b, ")")) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The table definition is too long.");
    goto failed;
  }
  if ((rc = ds_session_begin(&s, err))) goto out;
  if ((rc = ds_store_exec(s.conn, b.data, err))) goto failed;
  if ((rc = ds_meta_object_add(s.conn, s.project, schema, c->tablename, DS_OBJ_TABLE, pk, c->n_primarykeysnames,
                               err)))
    goto out;
  /* only columns with something DuckDB does not keep get a row (each statement costs ~0.25 ms) */
  for (size_t i = 0; i < c->n_columns && !rc; i++)
    if ((c->columns[i]->length && *c->columns[i]->length) || (c->columns[i]->default_ && *c->columns[i]->default_))
      rc = ds_meta_set_column(s.conn, s.project, schema, c->tablename, c->columns[i]->name, c->columns[i]->length,
                              c->columns[i]->default_, err);
  if (rc) goto out;
  /* reflect inside the transaction: if that fails, the table goes too */
  if ((rc = ds_info_table_response(ctx, &s, c->path, c->n_path, schema, c->tablename, resp, err))) goto out;
  rc = ds_session_commit(&s, err);
  goto out;
failed:
  ds_error_prefix(err, "Failed to create table \"%s\" in schema \"%s\". Exception: ", c->tablename, c->path[0]);
  rc = err->kind = DS_E_VALIDATION;
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}

/* The deprecated ignoreErrors flag: still honoured (as the Teradata driver does) for a missing table. */
static int ignore_errors(const DropTableCommand *c) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return c->ignoreerrors;
#pragma GCC diagnostic pop
}

int ds_h_drop_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DropTableCommand *c = (const DropTableCommand *)cmd;
  ds_session s;
  ds_object o;
  ds_buf b;
  int rc;
  *resp = NULL;
  memset(&s, 0, sizeof s);
  ds_buf_init(&b, 4096);
  if ((rc = ds_table_check_path("DropTableCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_meta_locate(ctx->pool, s.conn, s.project, c->path[0], c->tablename, &o, err))) {
    if (rc == DS_E_NOT_FOUND && ignore_errors(c)) {
      ds_ctx_log(ctx, DS_LOG_MSG_WARNING, NULL, "%s Nothing was dropped (ignoreErrors).", err->msg);
      rc = 0;
    }
    goto out;
  }
  ds_buf_puts(&b, o.kind == DS_OBJ_VIEW ? "DROP VIEW " : "DROP TABLE ");
  ds_meta_qualified(&b, s.project, o.schema, o.name);
  if ((rc = ds_session_begin(&s, err))) goto out;
  if ((rc = ds_session_ddl(&s, b.data, err, "Cannot drop \"%s\": ", o.name))) goto out;
  if ((rc = ds_meta_object_remove(s.conn, s.project, o.schema, o.name, err))) goto out;
  rc = ds_session_commit(&s, err);
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}

int ds_h_add_column(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const AddColumnCommand *c = (const AddColumnCommand *)cmd;
  const TableColumnShared *col = c->columndefinition;
  ds_session s;
  ds_object o;
  ds_type t;
  ds_buf b;
  int rc;
  memset(&s, 0, sizeof s);
  ds_buf_init(&b, SQL_MAX);
  if ((rc = ds_table_check_path("AddColumnCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if (!col) {
    rc = ds_error_set(err, DS_E_VALIDATION, "AddColumnCommand.columnDefinition is required");
    goto out;
  }
  if (!col->name || !*col->name) {
    rc = ds_error_set(err, DS_E_VALIDATION, "TableColumnShared.name is required");
    goto out;
  }
  if (!col->type || !*col->type) {
    rc = ds_error_set(err, DS_E_VALIDATION, "TableColumnShared.type is required");
    goto out;
  }
  if ((rc = ds_object_name_check("Column name", col->name, err))) goto out;
  if (!col->nullable) {
    rc = ds_error_set(err, DS_E_VALIDATION, "You cannot add a REQUIRED column to an existing table schema.");
    goto out;
  }
  if (col->default_ && *col->default_) {
    rc = ds_error_set(err, DS_E_VALIDATION, "You cannot add a DEFAULT to column an existing table schema.");
    goto out;
  }
  if ((rc = ds_type_resolve(col->type, col->length, &t, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  if (ds_meta_column(&o, col->name)) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Column \"%s\" already exists in table \"%s\".", col->name, o.name);
    goto out;
  }
  ds_buf_puts(&b, "ALTER TABLE ");
  ds_meta_qualified(&b, s.project, o.schema, o.name);
  ds_buf_puts(&b, " ADD COLUMN ");
  column_sql(&b, col->name, &t, 1, NULL);
  if ((rc = ds_session_begin(&s, err))) goto out;
  if ((rc = ds_session_ddl(&s, b.data, err, "Cannot add column \"%s\": ", col->name))) goto out;
  if ((rc = ds_meta_set_column(s.conn, s.project, o.schema, o.name, col->name, col->length, NULL, err))) goto out;
  if ((rc = ds_info_table_response(ctx, &s, c->path, c->n_path, o.schema, o.name, resp, err))) goto out;
  rc = ds_session_commit(&s, err);
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}

int ds_h_drop_column(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DropColumnCommand *c = (const DropColumnCommand *)cmd;
  ds_session s;
  ds_object o;
  ds_buf b;
  int rc;
  *resp = NULL;
  memset(&s, 0, sizeof s);
  ds_buf_init(&b, 4096);
  if ((rc = ds_table_check_path("DropColumnCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if (!c->columnname || !*c->columnname) {
    rc = ds_error_set(err, DS_E_VALIDATION, "DropColumnCommand.columnName is required");
    goto out;
  }
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  ds_column *col = ds_meta_column(&o, c->columnname);
  if (!col) {
    rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", c->columnname, o.name);
    goto out;
  }
  if (o.n_columns == 1) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Cannot drop column \"%s\": it is the last column of table \"%s\".",
                      col->name, o.name);
    goto out;
  }
  if (find_name(o.pk, o.n_pk, col->name) >= 0) {
    rc = ds_error_set(err, DS_E_VALIDATION,
                      "Cannot drop column \"%s\": it is part of the primary key of table \"%s\". Drop the primary key "
                      "first.",
                      col->name, o.name);
    goto out;
  }
  ds_buf_puts(&b, "ALTER TABLE ");
  ds_meta_qualified(&b, s.project, o.schema, o.name);
  ds_buf_puts(&b, " DROP COLUMN ");
  ds_sql_ident(&b, col->name);
  if ((rc = ds_session_begin(&s, err))) goto out;
  if ((rc = ds_session_ddl(&s, b.data, err, "Cannot drop column \"%s\": ", col->name))) goto out;
  if ((rc = ds_meta_set_column(s.conn, s.project, o.schema, o.name, col->name, NULL, NULL, err))) goto out;
  rc = ds_session_commit(&s, err);
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}

int ds_h_add_primary_key(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const AddPrimaryKeyCommand *c = (const AddPrimaryKeyCommand *)cmd;
  ds_session s;
  ds_object o;
  ds_buf b;
  duckdb_result res;
  int rc;
  *resp = NULL;
  memset(&s, 0, sizeof s);
  memset(&res, 0, sizeof res);
  ds_buf_init(&b, SQL_MAX);
  if ((rc = ds_table_check_path("AddPrimaryKeyCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if (c->n_primarykeysnames == 0) {
    rc = ds_error_set(err, DS_E_VALIDATION, "AddPrimaryKeyCommand.primaryKeysNames is required");
    goto out;
  }
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  const char **pk = ds_pool_calloc(ctx->pool, c->n_primarykeysnames * sizeof *pk);
  ds_column **cols = ds_pool_calloc(ctx->pool, c->n_primarykeysnames * sizeof *cols);
  for (size_t i = 0; i < c->n_primarykeysnames; i++) {
    if (!(cols[i] = ds_meta_column(&o, c->primarykeysnames[i]))) {
      rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", c->primarykeysnames[i],
                        o.name);
      goto out;
    }
    if (find_name((char **)pk, i, cols[i]->name) >= 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Primary key column \"%s\" is listed twice.", cols[i]->name);
      goto out;
    }
    pk[i] = cols[i]->name;
  }
  /* BigQuery's checks, in BigQuery's order */
  if (!c->skipduplicatescheck) {
    ds_buf_puts(&b, "SELECT 1 FROM ");
    ds_meta_qualified(&b, s.project, o.schema, o.name);
    ds_buf_puts(&b, " GROUP BY ");
    for (size_t i = 0; i < c->n_primarykeysnames; i++) {
      if (i) ds_buf_puts(&b, ", ");
      ds_sql_ident(&b, pk[i]);
    }
    ds_buf_puts(&b, " HAVING count(*) > 1 LIMIT 1");
    if ((rc = ds_store_exec_params(s.conn, b.data, NULL, 0, &res, err))) goto out;
    if (ds_store_rows(&res) > 0) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Selected columns contain duplicities");
      goto out;
    }
  }
  if (o.n_pk > 0) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Primary key already exists");
    goto out;
  }
  for (size_t i = 0; i < c->n_primarykeysnames; i++)
    if (cols[i]->nullable) {
      rc = ds_error_set(err, DS_E_VALIDATION, "Selected column \"%s\" is nullable", cols[i]->name);
      goto out;
    }
  rc = ds_meta_set_pk(s.conn, s.project, o.schema, o.name, pk, c->n_primarykeysnames, err);
out:
  duckdb_destroy_result(&res);
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}

int ds_h_drop_primary_key(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DropPrimaryKeyCommand *c = (const DropPrimaryKeyCommand *)cmd;
  ds_session s;
  ds_object o;
  int rc;
  *resp = NULL;
  memset(&s, 0, sizeof s);
  if ((rc = ds_table_check_path("DropPrimaryKeyCommand", c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  rc = ds_meta_set_pk(s.conn, s.project, o.schema, o.name, NULL, 0, err);
out:
  ds_session_close(ctx, &s);
  return rc;
}

int ds_h_create_view(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const CreateViewCommand *c = (const CreateViewCommand *)cmd;
  ds_session s;
  ds_object src;
  ds_buf b;
  char *schema = NULL;
  int found = 0, rc;
  ds_obj_kind kind;
  *resp = NULL;
  memset(&s, 0, sizeof s);
  ds_buf_init(&b, SQL_MAX);
  if ((rc = ds_table_check_path("CreateViewCommand", c->n_path, c->path, "viewName", c->viewname, err))) goto out;
  if (!c->sourcetablename || !*c->sourcetablename) {
    rc = ds_error_set(err, DS_E_VALIDATION, "CreateViewCommand.sourceTableName is required");
    goto out;
  }
  if (c->n_sourcepath > 1) {
    rc = ds_error_set(err, DS_E_VALIDATION, "CreateViewCommand.sourcePath must have at most one element");
    goto out;
  }
  const char *src_schema = c->n_sourcepath ? c->sourcepath[0] : c->path[0];
  if ((rc = ds_name_check("Source schema name", src_schema, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_meta_schema_find(ctx->pool, s.conn, s.project, c->path[0], &schema, &found, err))) goto out;
  if (!found) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", c->path[0]);
    goto out;
  }
  if ((rc = ds_meta_describe(ctx->pool, s.conn, s.project, src_schema, c->sourcetablename, &src, err))) goto out;
  if ((rc = ds_meta_object_find(ctx->pool, s.conn, s.project, schema, c->viewname, &kind, NULL, NULL, NULL, err)))
    goto out;
  if (kind == DS_OBJ_TABLE) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Object \"%s\" already exists.", c->viewname);
    goto out;
  }
  /* SELECT list: the chosen columns in the given order, or all */
  ds_buf_puts(&b, "CREATE OR REPLACE VIEW ");
  ds_meta_qualified(&b, s.project, schema, c->viewname);
  ds_buf_puts(&b, " AS SELECT ");
  if (c->n_columns == 0) ds_buf_puts(&b, "*");
  for (size_t i = 0; i < c->n_columns; i++) {
    ds_column *col = ds_meta_column(&src, c->columns[i]);
    if (!col) {
      rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", c->columns[i],
                        src.name);
      goto out;
    }
    if (i) ds_buf_puts(&b, ", ");
    ds_sql_ident(&b, col->name);
  }
  /* the source without the database name, so the view follows its project wherever it is attached */
  ds_buf_puts(&b, " FROM ");
  ds_sql_ident(&b, src.schema);
  ds_buf_puts(&b, ".");
  ds_sql_ident(&b, src.name);
  if (c->n_wherefilters) {
    ds_filter *f = ds_pool_calloc(ctx->pool, c->n_wherefilters * sizeof *f);
    ds_filter_col *fc = ds_pool_calloc(ctx->pool, (src.n_columns ? src.n_columns : 1) * sizeof *fc);
    for (size_t i = 0; i < src.n_columns; i++) fc[i] = (ds_filter_col){src.columns[i].name, src.columns[i].described};
    for (size_t i = 0; i < c->n_wherefilters; i++) {
      const TableWhereFilter *w = c->wherefilters[i];
      f[i] = (ds_filter){w->columnsname, (int)w->operator_, (const char *const *)w->values, w->n_values,
                         (int)w->datatype};
    }
    ds_buf_puts(&b, " WHERE ");
    if ((rc = ds_filter_where(&b, f, c->n_wherefilters, fc, src.n_columns, src.name, DS_FILTER_LITERAL, err))) goto out;
  }
  if ((rc = ds_session_begin(&s, err))) goto out;
  if ((rc = ds_session_ddl(&s, b.data, err, "Failed to create view \"%s\": ", c->viewname))) goto out;
  if ((rc = ds_meta_object_put(s.conn, s.project, schema, c->viewname, DS_OBJ_VIEW, NULL, 0, err))) goto out;
  rc = ds_session_commit(&s, err);
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}
