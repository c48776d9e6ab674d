/*
 * h_preview.c: PreviewTable. Checks the request as BigQuery asserts it (path, tableName, columns required and
 * unique, limit <= 1000, numeric change bounds, orderBy column names), then reads at most `limit` rows (0: 100)
 * of the requested columns with the filters and orderBy of table/filter.h. Every cell is answered as
 * string_value (DuckDB's text form of the value) or null_value; a text longer than 16384 characters is cut
 * there and flagged isTruncated. Reads take no lock and no transaction.
 */
#include "driver/h_preview.h"

#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/names.h"
#include "driver/h_read.h"
#include "driver/h_table.h"
#include "google/protobuf/struct.pb-c.h"
#include "proto/table.pb-c.h"

typedef Keboola__StorageDriver__Command__Table__PreviewTableCommand PreviewTableCommand;
typedef Keboola__StorageDriver__Command__Table__PreviewTableResponse PreviewTableResponse;
typedef Keboola__StorageDriver__Command__Table__PreviewTableResponse__Row Row;
typedef Keboola__StorageDriver__Command__Table__PreviewTableResponse__Row__Column Cell;

#define CMD "PreviewTableCommand"
#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000
#define SQL_MAX (16u << 20)

/* The byte length of the first max characters of UTF-8 text s (n bytes); *cut = 1 when that is not all. */
static size_t utf8_prefix(const char *s, size_t n, size_t max, int *cut) {
  size_t chars = 0, i = 0;
  *cut = 0;
  for (; i < n; i++) {
    if (((unsigned char)s[i] & 0xC0) == 0x80) continue; /* continuation byte */
    if (chars == max) {
      *cut = 1;
      return i;
    }
    chars++;
  }
  return n;
}

static Cell *cell(ds_ctx *ctx, const char *name, char *text) {
  Cell *c = ds_pool_alloc(ctx->pool, sizeof *c);
  keboola__storage_driver__command__table__preview_table_response__row__column__init(c);
  Google__Protobuf__Value *v = ds_pool_alloc(ctx->pool, sizeof *v);
  google__protobuf__value__init(v);
  c->columnname = (char *)name;
  c->value = v;
  if (!text) {
    v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE;
    v->null_value = GOOGLE__PROTOBUF__NULL_VALUE__NULL_VALUE;
    return c;
  }
  int cut;
  size_t len = strlen(text);
  size_t keep = utf8_prefix(text, len, DS_READ_CELL_MAX, &cut);
  v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
  v->string_value = ds_pool_strndup(ctx->pool, text, keep);
  c->istruncated = cut;
  return c;
}

/* The asserts of BigQuery's handler, in its order. */
static int check_command(const PreviewTableCommand *c, ds_error *err) {
  int rc = ds_table_check_path(CMD, c->n_path, c->path, "tableName", c->tablename, err);
  if (rc) return rc;
  if (c->n_columns == 0) return ds_error_set(err, DS_E_VALIDATION, CMD ".columns is required");
  for (size_t i = 0; i < c->n_columns; i++) {
    for (size_t k = 0; k < i; k++)
      if (strcasecmp(c->columns[i], c->columns[k]) == 0)
        return ds_error_set(err, DS_E_VALIDATION, CMD ".columns has non unique names");
  }
  if (c->filters && c->filters->limit > MAX_LIMIT)
    return ds_error_set(err, DS_E_VALIDATION, CMD ".limit cannot be greater than %d", MAX_LIMIT);
  if (c->filters && (rc = ds_read_check_change(CMD, c->filters->changesince, c->filters->changeuntil, err)))
    return rc;
  for (size_t i = 0; i < c->n_orderby; i++)
    if (!c->orderby[i]->columnname || !*c->orderby[i]->columnname)
      return ds_error_set(err, DS_E_VALIDATION, CMD ".orderBy.%zu.columnName is required", i);
  return 0;
}

int ds_h_preview_table(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const PreviewTableCommand *c = (const PreviewTableCommand *)cmd;
  ds_session s;
  ds_object o;
  ds_buf sel, q;
  ds_export_filters f;
  duckdb_result res;
  int rc;
  memset(&s, 0, sizeof s);
  memset(&res, 0, sizeof res);
  ds_buf_init(&sel, SQL_MAX);
  ds_buf_init(&q, SQL_MAX);
  if ((rc = check_command(c, err))) goto out;
  long long limit = c->filters && c->filters->limit > 0 ? c->filters->limit : DEFAULT_LIMIT;
  if ((rc = ds_session_open(ctx, NULL, NULL, 0, &s, err))) goto out;
  if ((rc = ds_table_open(ctx, &s, c->path[0], c->tablename, &o, err))) goto out;
  /* the requested columns, as text */
  for (size_t i = 0; i < c->n_columns; i++) {
    ds_column *col = ds_meta_column(&o, c->columns[i]);
    if (!col) {
      rc = ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table definition.", c->columns[i]);
      goto out;
    }
    if (i) ds_buf_puts(&sel, ", ");
    ds_buf_puts(&sel, "CAST(");
    ds_sql_ident(&sel, DS_READ_SRC);
    ds_buf_puts(&sel, ".");
    ds_sql_ident(&sel, col->name);
    if (ds_buf_puts(&sel, " AS VARCHAR)")) {
      rc = ds_error_set(err, DS_E_VALIDATION, "The column list is too long.");
      goto out;
    }
  }
  ds_filter_col *cols = ds_read_cols(ctx->pool, &o);
  ds_order *orders = ds_read_orders(ctx->pool, c->orderby, c->n_orderby);
  ds_read_filters(ctx->pool, c->filters, &f);
  if ((rc = ds_read_select(&q, s.project, &o, cols, sel.data, &f, orders, c->n_orderby, limit, CMD, err))) goto out;
  if ((rc = ds_read_check_values(&s, f.where, f.n_where, cols, o.n_columns, err))) goto out;
  if ((rc = ds_store_exec_params(s.conn, q.data, NULL, 0, &res, err))) {
    ds_error_prefix(err, "Cannot preview table \"%s\": ", o.name);
    goto out;
  }
  PreviewTableResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__table__preview_table_response__init(r);
  r->columns = c->columns;
  r->n_columns = c->n_columns;
  size_t nrows = ds_store_rows(&res);
  r->rows = ds_pool_alloc(ctx->pool, (nrows ? nrows : 1) * sizeof *r->rows);
  for (size_t i = 0; i < nrows; i++) {
    Row *row = ds_pool_alloc(ctx->pool, sizeof *row);
    keboola__storage_driver__command__table__preview_table_response__row__init(row);
    row->columns = ds_pool_alloc(ctx->pool, c->n_columns * sizeof *row->columns);
    row->n_columns = c->n_columns;
    for (size_t k = 0; k < c->n_columns; k++) {
      char *text = ds_store_value_str(&res, k, i);
      row->columns[k] = cell(ctx, c->columns[k], text);
      ds_free(text);
    }
    r->rows[i] = row;
  }
  r->n_rows = nrows;
  *resp = &r->base;
out:
  duckdb_destroy_result(&res);
  ds_session_close(ctx, &s);
  ds_buf_release(&sel);
  ds_buf_release(&q);
  return rc;
}
