/* filter.c: where-filter SQL builder (see filter.h). */
#include "table/filter.h"

#include <strings.h>

#include "core/names.h"
#include "table/types.h"

static const char *const OPS[] = {"=", "<>", ">", ">=", "<", "<="};

const ds_filter_col *ds_filter_find_column(const ds_filter_col *cols, size_t ncols, const char *name) {
  for (size_t i = 0; i < ncols; i++)
    if (strcasecmp(cols[i].name, name) == 0) return &cols[i];
  return NULL;
}

/* The DuckDB type a typed filter compares as, or NULL for "as a string". */
static const char *data_type_sql(int dt) {
  switch (dt) {
  case DS_DT_INTEGER:
  case DS_DT_BIGINT: return "BIGINT";
  case DS_DT_DOUBLE:
  case DS_DT_REAL:
  case DS_DT_DECIMAL: return "DOUBLE";
  case DS_DT_TIMESTAMP: return "TIMESTAMP";
  default: return NULL;
  }
}

/* Appends one value: a literal, cast as the mode and column say. */
static int value_sql(ds_buf *b, const char *v, ds_filter_mode mode, const char *compare_as, int string_column,
                     int dt) {
  int rc = 0;
  if (mode == DS_FILTER_LITERAL) return ds_sql_literal(b, v);
  if (string_column && !compare_as) return ds_sql_literal(b, v);
  if (dt == DS_DT_TIMESTAMP && string_column) {
    /* epoch seconds */
    rc = ds_buf_puts(b, "make_timestamp(CAST(TRY_CAST(");
    if (!rc) rc = ds_sql_literal(b, v);
    if (!rc) rc = ds_buf_puts(b, " AS DOUBLE) * 1000000 AS BIGINT))");
    return rc;
  }
  rc = ds_buf_puts(b, string_column ? "TRY_CAST(" : "CAST(");
  if (!rc) rc = ds_sql_literal(b, v);
  if (!rc) rc = ds_buf_printf(b, " AS %s)", compare_as);
  return rc;
}

int ds_filter_where(ds_buf *b, const ds_filter *filters, size_t n, const ds_filter_col *cols, size_t ncols,
                    const char *table, ds_filter_mode mode, ds_error *err) {
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    const ds_filter *f = &filters[i];
    if (!f->column || !*f->column) return ds_error_set(err, DS_E_VALIDATION, "Column name must not be empty.");
    if (f->op < DS_OP_EQ || f->op > DS_OP_LE)
      return ds_error_set(err, DS_E_VALIDATION, "Unknown operator %d in where filter for column \"%s\".", f->op,
                          f->column);
    if (f->data_type < DS_DT_STRING || f->data_type > DS_DT_TIMESTAMP)
      return ds_error_set(err, DS_E_VALIDATION, "Unknown data type %d in where filter for column \"%s\".",
                          f->data_type, f->column);
    const ds_filter_col *col = ds_filter_find_column(cols, ncols, f->column);
    if (!col)
      return ds_error_set(err, DS_E_VALIDATION, "Column \"%s\" not found on table \"%s\" for where filter.",
                          f->column, table);
    if (f->n_values == 0)
      return ds_error_set(err, DS_E_VALIDATION, "WHERE filter for column \"%s\" must have at least one value.",
                          f->column);
    if (f->n_values > 1 && f->op != DS_OP_EQ && f->op != DS_OP_NE)
      return ds_error_set(err, DS_E_VALIDATION,
                          "whereFilter with multiple values can be used only with \"eq\", \"ne\" operators");
    char tname[DS_TYPE_SQL_MAX], tparams[DS_TYPE_SQL_MAX];
    ds_type_split(col->type, tname, tparams);
    int string_column = ds_type_kind_of(tname) == DS_TK_STRING;
    /* a typed column compares as its own type; a string column as the filter's dataType */
    const char *compare_as = string_column ? data_type_sql(f->data_type) : col->type;
    if (i) rc = ds_buf_puts(b, " AND ");
    if (!rc) rc = ds_buf_puts(b, "(");
    if (mode == DS_FILTER_TYPED && string_column && compare_as) {
      if (!rc) rc = ds_buf_puts(b, "TRY_CAST(");
      if (!rc) rc = ds_sql_ident(b, col->name);
      if (!rc) rc = ds_buf_printf(b, " AS %s)", compare_as);
    } else if (!rc) {
      rc = ds_sql_ident(b, col->name);
    }
    if (f->n_values == 1) {
      if (!rc) rc = ds_buf_printf(b, " %s ", OPS[f->op]);
      if (!rc) rc = value_sql(b, f->values[0], mode, compare_as, string_column, f->data_type);
    } else {
      if (!rc) rc = ds_buf_puts(b, f->op == DS_OP_EQ ? " IN (" : " NOT IN (");
      for (size_t k = 0; k < f->n_values && !rc; k++) {
        if (k) rc = ds_buf_puts(b, ", ");
        if (!rc) rc = value_sql(b, f->values[k], mode, compare_as, string_column, f->data_type);
      }
      if (!rc) rc = ds_buf_puts(b, ")");
    }
    if (!rc) rc = ds_buf_puts(b, ")");
  }
  if (rc) return ds_error_set(err, rc, "The where filters are too long.");
  return 0;
}
