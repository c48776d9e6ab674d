/* h_read.c: helpers shared by the read-side data commands (see h_read.h). */
#include "driver/h_read.h"

#include "core/mem.h"
#include "core/names.h"

#define SQL_MAX (16u << 20)

ds_filter *ds_read_where(ds_pool *pool, ds_pb_where **w, size_t n) {
  ds_filter *f = ds_pool_calloc(pool, (n ? n : 1) * sizeof *f);
  for (size_t i = 0; i < n; i++)
    f[i] = (ds_filter){w[i]->columnsname, (int)w[i]->operator_, (const char *const *)w[i]->values, w[i]->n_values,
                       (int)w[i]->datatype};
  return f;
}

ds_order *ds_read_orders(ds_pool *pool, ds_pb_order **o, size_t n) {
  ds_order *r = ds_pool_calloc(pool, (n ? n : 1) * sizeof *r);
  for (size_t i = 0; i < n; i++) r[i] = (ds_order){o[i]->columnname, (int)o[i]->order, (int)o[i]->datatype};
  return r;
}

void ds_read_filters(ds_pool *pool, const ds_pb_filters *f, ds_export_filters *out) {
  *out = (ds_export_filters){0};
  if (!f) return;
  out->change_since = f->changesince;
  out->change_until = f->changeuntil;
  out->fulltext = f->fulltextsearch;
  out->where = ds_read_where(pool, f->wherefilters, f->n_wherefilters);
  out->n_where = f->n_wherefilters;
}

ds_filter_col *ds_read_cols(ds_pool *pool, const ds_object *o) {
  ds_filter_col *c = ds_pool_calloc(pool, (o->n_columns ? o->n_columns : 1) * sizeof *c);
  for (size_t i = 0; i < o->n_columns; i++) c[i] = (ds_filter_col){o->columns[i].name, o->columns[i].described};
  return c;
}

int ds_read_check_change(const char *cmd, const char *since, const char *until, ds_error *err) {
  if (since && *since && !ds_filter_is_numeric(since))
    return ds_error_set(err, DS_E_VALIDATION, "%s.changeSince must be numeric timestamp", cmd);
  if (until && *until && !ds_filter_is_numeric(until))
    return ds_error_set(err, DS_E_VALIDATION, "%s.changeUntil must be numeric timestamp", cmd);
  return 0;
}

int ds_read_check_values(ds_session *s, const ds_filter *f, size_t n, const ds_filter_col *cols, size_t ncols,
                         ds_error *err) {
  ds_buf b;
  duckdb_result res;
  int rc = 0;
  ds_buf_init(&b, SQL_MAX);
  for (size_t i = 0; i < n && !rc; i++) {
    ds_buf_reset(&b);
    if (!ds_filter_value_check(&b, &f[i], cols, ncols)) continue;
    if ((rc = ds_store_exec_params(s->conn, b.data, NULL, 0, &res, err)) == 0 && ds_store_rows(&res) > 0) {
      char *v = ds_store_value_str(&res, 0, 0);
      const ds_filter_col *col = ds_filter_find_column(cols, ncols, f[i].column);
      rc = ds_error_set(err, DS_E_VALIDATION, "Invalid filter value, expected:\"%s\", actual:\"%s\".", col->type,
                        v ? v : "");
      ds_free(v);
    }
    duckdb_destroy_result(&res);
  }
  ds_buf_release(&b);
  return rc;
}

int ds_read_select(ds_buf *b, const char *project, const ds_object *o, const ds_filter_col *cols,
                   const char *select_list, const ds_export_filters *f, const ds_order *orders, size_t n_orders,
                   long long limit, const char *cmd, ds_error *err) {
  ds_buf where, order;
  int written = 0, rc;
  ds_buf_init(&where, SQL_MAX);
  ds_buf_init(&order, SQL_MAX);
  if ((rc = ds_filter_export_where(&where, f, cols, o->n_columns, o->name, cmd, &written, err))) goto out;
  if ((rc = ds_filter_order_by(&order, orders, n_orders, cols, o->n_columns, DS_READ_SRC, cmd, err))) goto out;
  rc = ds_buf_printf(b, "SELECT %s FROM ", select_list);
  if (!rc) rc = ds_meta_qualified(b, project, o->schema, o->name);
  if (!rc) rc = ds_buf_puts(b, " AS " "\"" DS_READ_SRC "\"");
  if (!rc && written) rc = ds_buf_printf(b, " WHERE %s", where.data);
  if (!rc && order.len) rc = ds_buf_puts(b, order.data);
  if (!rc && limit > 0) rc = ds_buf_printf(b, " LIMIT %lld", limit);
  if (rc) rc = ds_error_set(err, DS_E_VALIDATION, "The query is too long.");
out:
  ds_buf_release(&where);
  ds_buf_release(&order);
  return rc;
}
