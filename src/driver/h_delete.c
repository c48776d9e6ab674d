/*
 * h_delete.c: DeleteTableRows. No filter at all deletes every row (BigQuery's TRUNCATE); otherwise
 * `DELETE ... WHERE` with the change bounds and typed where filters of table/filter.h, ANDed with one
 * `col [NOT] IN (SELECT refColumn FROM refPath.refTable)` per ref filter. The counts before, the delete and the
 * counts after run in one transaction under the project's DDL lock, so a failure deletes nothing and the
 * answer (deletedRowsCount = before - after, as BigQuery) matches what was committed.
 */
#include "driver/h_delete.h"

#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/names.h"
#include "driver/h_read.h"
#include "driver/h_table.h"
#include "proto/table.pb-c.h"

typedef Keboola__StorageDriver__Command__Table__DeleteTableRowsCommand DeleteTableRowsCommand;
typedef Keboola__StorageDriver__Command__Table__DeleteTableRowsCommand__WhereRefTableFilter RefFilter;
typedef Keboola__StorageDriver__Command__Table__DeleteTableRowsResponse DeleteTableRowsResponse;

#define CMD "DeleteTableRowsCommand"
#define SQL_MAX (16u << 20)
#define REF_IN KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__DELETE_TABLE_ROWS_COMMAND__WHERE_REF_TABLE_FILTER__OPERATOR__IN
#define REF_NOT_IN \
  KEBOOLA__STORAGE_DRIVER__COMMAND__TABLE__DELETE_TABLE_ROWS_COMMAND__WHERE_REF_TABLE_FILTER__OPERATOR__NOT_IN

static int check_ref(const RefFilter *r, size_t i, ds_error *err) {
  int rc;
  if (!r->column || !*r->column)
    return ds_error_set(err, DS_E_VALIDATION, CMD ".whereRefTableFilters.%zu.column is required", i);
  if (r->n_refpath != 1)
    return ds_error_set(err, DS_E_VALIDATION, CMD ".whereRefTableFilters.%zu.refPath is required and size must equal 1",
                        i);
  if (!r->reftable || !*r->reftable)
    return ds_error_set(err, DS_E_VALIDATION, CMD ".whereRefTableFilters.%zu.refTable is required", i);
  if (!r->refcolumn || !*r->refcolumn)
    return ds_error_set(err, DS_E_VALIDATION, CMD ".whereRefTableFilters.%zu.refColumn is required", i);
  if (r->operator_ != REF_IN && r->operator_ != REF_NOT_IN)
    return ds_error_set(err, DS_E_VALIDATION, "Unknown operator %d in whereRefTableFilters.%zu.", (int)r->operator_, i);
  if ((rc = ds_name_check("Schema name", r->refpath[0], err))) return rc;
  if ((rc = ds_object_name_check("Table name", r->reftable, err))) return rc;
  return ds_object_name_check("Column name", r->refcolumn, err);
}

/* Appends `"col" [NOT] IN (SELECT "refColumn" FROM "<project>"."refPath"."refTable")`. The referenced table
 * may be any table or view of the project that DuckDB can describe (a bucket table, later a workspace table),
 * but not the service's own registry. */
static int ref_sql(ds_session *s, ds_buf *b, const ds_object *o, const RefFilter *r, ds_error *err) {
  ds_buf q;
  duckdb_result res;
  int rc = 0;
  memset(&res, 0, sizeof res);
  ds_buf_init(&q, 4096);
  ds_column *col = ds_meta_column(o, r->column);
  if (!col) {
    rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", r->column, o->name);
    goto out;
  }
  if (ds_meta_schema_reserved(r->refpath[0])) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", r->refpath[0]);
    goto out;
  }
  ds_buf_puts(&q, "DESCRIBE ");
  ds_meta_qualified(&q, s->project, r->refpath[0], r->reftable);
  if (ds_store_exec_params(s->conn, q.data, NULL, 0, &res, err)) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", r->reftable);
    goto out;
  }
  int found = 0;
  for (size_t i = 0; i < ds_store_rows(&res) && !found; i++) {
    char *name = ds_store_value_str(&res, 0, i);
    found = name && strcasecmp(name, r->refcolumn) == 0;
    ds_free(name);
  }
  if (!found) {
    rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table \"%s\".", r->refcolumn,
                      r->reftable);
    goto out;
  }
  ds_sql_ident(b, col->name);
  ds_buf_puts(b, r->operator_ == REF_NOT_IN ? " NOT IN (SELECT " : " IN (SELECT ");
  ds_sql_ident(b, r->refcolumn);
  ds_buf_puts(b, " FROM ");
  ds_meta_qualified(b, s->project, r->refpath[0], r->reftable);
  if (ds_buf_puts(b, ")")) rc = ds_error_set(err, DS_E_VALIDATION, "The filters are too long.");
out:
  duckdb_destroy_result(&res);
  ds_buf_release(&q);
  return rc;
}

int ds_h_delete_table_rows(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DeleteTableRowsCommand *c = (const DeleteTableRowsCommand *)cmd;
  ds_session s;
  ds_object o;
  ds_buf b, cond;
  int rc, written = 0;
  long long before = 0, after = 0, bytes = 0;
  memset(&s, 0, sizeof s);
  ds_buf_init(&b, SQL_MAX);
  ds_buf_init(&cond, SQL_MAX);
  if ((rc = ds_table_check_path(CMD, c->n_path, c->path, "tableName", c->tablename, err))) goto out;
  if ((rc = ds_read_check_change(CMD, c->changesince, c->changeuntil, err))) goto out;
  for (size_t i = 0; i < c->n_wherereftablefilters; i++)
    if ((rc = check_ref(c->wherereftablefilters[i], i, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  ds_filter_col *cols = ds_read_cols(ctx->pool, &o);
  ds_export_filters f = {c->changesince, c->changeuntil, NULL, ds_read_where(ctx->pool, c->wherefilters, c->n_wherefilters),
                         c->n_wherefilters};
  if ((rc = ds_filter_export_where(&cond, &f, cols, o.n_columns, o.name, CMD, &written, err))) goto out;
  for (size_t i = 0; i < c->n_wherereftablefilters; i++) {
    if (written++) ds_buf_puts(&cond, " AND ");
    ds_buf_puts(&cond, "(");
    if ((rc = ref_sql(&s, &cond, &o, c->wherereftablefilters[i], err))) goto out;
    ds_buf_puts(&cond, ")");
  }
  if ((rc = ds_read_check_values(&s, f.where, f.n_where, cols, o.n_columns, err))) goto out;
  ds_buf_puts(&b, "DELETE FROM ");
  ds_meta_qualified(&b, s.project, o.schema, o.name);
  if (written) ds_buf_puts(&b, " WHERE ");
  if (written && ds_buf_puts(&b, cond.data)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The filters are too long.");
    goto out;
  }
  if ((rc = ds_session_begin(&s, err))) goto out;
  if ((rc = ds_meta_table_stats(s.conn, s.project, &o, &before, &bytes, err))) goto out;
  if ((rc = ds_store_exec(s.conn, b.data, err))) {
    ds_error_prefix(err, "Cannot delete rows of table \"%s\": ", o.name);
    goto out;
  }
  if ((rc = ds_meta_table_stats(s.conn, s.project, &o, &after, &bytes, err))) goto out;
  if ((rc = ds_session_commit(&s, err))) goto out;
  DeleteTableRowsResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__table__delete_table_rows_response__init(r);
  r->deletedrowscount = before - after;
  r->tablerowscount = after;
  r->tablesizebytes = bytes;
  *resp = &r->base;
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  ds_buf_release(&cond);
  return rc;
}
