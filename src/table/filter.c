/* filter.c: SQL builders for where filters, orderBy, fulltextSearch and changeSince/changeUntil (see filter.h). */
#include "table/filter.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
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

static int is_tz_type(const char *type) { return strcasecmp(type, "TIMESTAMP WITH TIME ZONE") == 0; }

/* A date or time-stamp type, which a TIMESTAMP filter value (epoch seconds) can be compared with. */
static int is_time_type(const char *type) {
  return strncasecmp(type, "TIMESTAMP", 9) == 0 || strcasecmp(type, "DATE") == 0;
}

/* Appends epoch seconds v (a numeric string) as a time stamp: TIMESTAMP WITH TIME ZONE for tz, else a plain
 * TIMESTAMP in UTC (how Keboola's `_timestamp` is kept). */
static int epoch_sql(ds_buf *b, const char *v, int tz) {
  int rc = ds_buf_puts(b, tz ? "to_timestamp(CAST(" : "make_timestamp(CAST(CAST(");
  if (!rc) rc = ds_sql_literal(b, v);
  if (!rc) rc = ds_buf_puts(b, tz ? " AS DOUBLE))" : " AS DOUBLE) * 1000000 AS BIGINT))");
  return rc;
}

/* Appends one value: a literal, cast as the mode and column say. */
static int value_sql(ds_buf *b, const char *v, ds_filter_mode mode, const char *compare_as, int string_column,
                     int dt) {
  int rc = 0;
  if (mode == DS_FILTER_LITERAL) return ds_sql_literal(b, v);
  if (string_column && !compare_as) return ds_sql_literal(b, v);
  /* a typed time-stamp column with a TIMESTAMP filter: the values are epoch seconds (§3.5) */
  if (dt == DS_DT_TIMESTAMP && !string_column && is_time_type(compare_as) && ds_filter_is_numeric(v))
    return epoch_sql(b, v, is_tz_type(compare_as));
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

/* --- orderBy, fulltext, change bounds, export filters ---------------------------------------------------- */

static int column_kind(const ds_filter_col *col) {
  char tname[DS_TYPE_SQL_MAX], tparams[DS_TYPE_SQL_MAX];
  ds_type_split(col->type, tname, tparams);
  return ds_type_kind_of(tname);
}

int ds_filter_order_by(ds_buf *b, const ds_order *orders, size_t n, const ds_filter_col *cols, size_t ncols,
                       const char *qualifier, const char *cmd, ds_error *err) {
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    const ds_order *o = &orders[i];
    if (!o->column || !*o->column)
      return ds_error_set(err, DS_E_VALIDATION, "%s.orderBy.%zu.columnName is required", cmd, i);
    if (o->order != DS_ORDER_ASC && o->order != DS_ORDER_DESC)
      return ds_error_set(err, DS_E_VALIDATION, "Unknown order %d for column \"%s\".", o->order, o->column);
    if (o->data_type < DS_DT_STRING || o->data_type > DS_DT_TIMESTAMP)
      return ds_error_set(err, DS_E_VALIDATION, "Unknown data type %d in orderBy for column \"%s\".", o->data_type,
                          o->column);
    if (!ds_filter_find_column(cols, ncols, o->column))
      return ds_error_set(err, DS_E_COLUMN_NOT_FOUND, "Column \"%s\" not found in table definition.", o->column);
  }
  for (size_t i = 0; i < n && !rc; i++) {
    const ds_order *o = &orders[i];
    const ds_filter_col *col = ds_filter_find_column(cols, ncols, o->column);
    int kind = column_kind(col);
    /* a typed sort casts strings and numbers; dates and other types keep their own order */
    const char *as = o->data_type != DS_DT_STRING && kind != DS_TK_BOOLEAN && kind != DS_TK_OTHER
                         ? data_type_sql(o->data_type)
                         : NULL;
    rc = ds_buf_puts(b, i ? ", " : " ORDER BY ");
    if (!rc && as) rc = ds_buf_puts(b, "TRY_CAST(");
    if (!rc && qualifier) rc = ds_sql_ident(b, qualifier);
    if (!rc && qualifier) rc = ds_buf_puts(b, ".");
    if (!rc) rc = ds_sql_ident(b, col->name);
    if (!rc && as) rc = ds_buf_printf(b, " AS %s)", as);
    if (!rc) rc = ds_buf_puts(b, o->order == DS_ORDER_DESC ? " DESC NULLS LAST" : " ASC NULLS FIRST");
  }
  if (rc) return ds_error_set(err, rc, "The orderBy is too long.");
  return 0;
}

int ds_filter_fulltext(ds_buf *b, const char *text, const ds_filter_col *cols, size_t ncols) {
  ds_buf pat;
  int rc = 0, any = 0;
  ds_buf_init(&pat, b->max);
  rc = ds_buf_puts(&pat, "%");
  for (const char *p = text ? text : ""; *p && !rc; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') rc = ds_buf_puts(&pat, "\\");
    if (!rc) rc = ds_buf_append(&pat, p, 1);
  }
  if (!rc) rc = ds_buf_puts(&pat, "%");
  if (!rc) rc = ds_buf_puts(b, "(");
  for (size_t i = 0; i < ncols && !rc; i++) {
    if (column_kind(&cols[i]) != DS_TK_STRING) continue;
    if (any++) rc = ds_buf_puts(b, " OR ");
    if (!rc) rc = ds_sql_ident(b, cols[i].name);
    if (!rc) rc = ds_buf_puts(b, " LIKE ");
    if (!rc) rc = ds_sql_literal(b, pat.data);
    if (!rc) rc = ds_buf_puts(b, " ESCAPE '\\'");
  }
  if (!rc && !any) rc = ds_buf_puts(b, "FALSE");
  if (!rc) rc = ds_buf_puts(b, ")");
  ds_buf_release(&pat);
  return rc;
}

int ds_filter_is_numeric(const char *s) {
  int digits = 0;
  if (!s) return 0;
  if (*s == '+' || *s == '-') s++;
  while (isdigit((unsigned char)*s)) s++, digits++;
  if (*s == '.') {
    s++;
    while (isdigit((unsigned char)*s)) s++, digits++;
  }
  if (!digits) return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') s++;
    if (!isdigit((unsigned char)*s)) return 0;
    while (isdigit((unsigned char)*s)) s++;
  }
  return *s == 0;
}

/* Numeric and within what a microsecond TIMESTAMP can hold. */
static int epoch_ok(const char *s) {
  return ds_filter_is_numeric(s) && fabs(strtod(s, NULL)) < 9.2e12;
}

static int bound_sql(ds_buf *b, const ds_filter_col *col, const char *op, const char *v) {
  int kind = column_kind(col), rc = 0;
  if (kind == DS_TK_STRING) rc = ds_buf_puts(b, "TRY_CAST(");
  if (!rc) rc = ds_sql_ident(b, col->name);
  if (!rc && kind == DS_TK_STRING) rc = ds_buf_puts(b, " AS TIMESTAMP)");
  if (!rc) rc = ds_buf_printf(b, " %s ", op);
  if (!rc) rc = epoch_sql(b, v, kind != DS_TK_STRING && is_tz_type(col->type));
  return rc;
}

int ds_filter_change(ds_buf *b, const char *since, const char *until, const ds_filter_col *cols, size_t ncols,
                     const char *table, const char *cmd, ds_error *err) {
  int has_since = since && *since, has_until = until && *until, rc = 0;
  if (has_since && !epoch_ok(since))
    return ds_error_set(err, DS_E_VALIDATION, "%s.changeSince must be numeric timestamp", cmd);
  if (has_until && !epoch_ok(until))
    return ds_error_set(err, DS_E_VALIDATION, "%s.changeUntil must be numeric timestamp", cmd);
  if (!has_since && !has_until) return 0;
  const ds_filter_col *col = ds_filter_find_column(cols, ncols, "_timestamp");
  if (!col)
    return ds_error_set(err, DS_E_VALIDATION,
                        "Table \"%s\" has no \"_timestamp\" column, so changeSince and changeUntil cannot be used.",
                        table);
  int kind = column_kind(col);
  if (kind != DS_TK_STRING && !is_time_type(col->type))
    return ds_error_set(err, DS_E_VALIDATION,
                        "Column \"_timestamp\" of table \"%s\" has type \"%s\", so changeSince and changeUntil cannot "
                        "be used.",
                        table, col->type);
  if (has_since) rc = bound_sql(b, col, ">=", since);
  if (!rc && has_since && has_until) rc = ds_buf_puts(b, " AND ");
  if (!rc && has_until) rc = bound_sql(b, col, "<", until);
  if (rc) return ds_error_set(err, rc, "The change filter is too long.");
  return 0;
}

/* Types a where filter cannot compare: nested types, BLOB, INTERVAL, JSON. */
static int unfilterable(const char *type) {
  static const char *const names[] = {"BLOB", "INTERVAL", "JSON", "BIT", "VARINT", "BIGNUM", NULL};
  size_t n = strlen(type);
  if (n && type[n - 1] == ']') return 1; /* LIST and ARRAY */
  if (strncasecmp(type, "STRUCT", 6) == 0 || strncasecmp(type, "MAP", 3) == 0 || strncasecmp(type, "UNION", 5) == 0)
    return 1;
  for (size_t i = 0; names[i]; i++)
    if (strcasecmp(type, names[i]) == 0) return 1;
  return 0;
}

int ds_filter_export_where(ds_buf *b, const ds_export_filters *f, const ds_filter_col *cols, size_t ncols,
                           const char *table, const char *cmd, int *written, ds_error *err) {
  ds_buf change;
  int rc = 0;
  int has_fulltext = f->fulltext && *f->fulltext;
  *written = 0;
  ds_buf_init(&change, b->max);
  if ((rc = ds_filter_change(&change, f->change_since, f->change_until, cols, ncols, table, cmd, err))) goto out;
  if (has_fulltext && f->n_where) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Cannot use fulltextSearch and whereFilters at the same time");
    goto out;
  }
  for (size_t i = 0; i < f->n_where; i++) {
    const ds_filter_col *col = f->where[i].column ? ds_filter_find_column(cols, ncols, f->where[i].column) : NULL;
    if (col && unfilterable(col->type)) {
      rc = ds_error_set(err, DS_E_VALIDATION,
                        "Filtering by column \"%s\" of type \"%s\" is not supported by the backend \"duckdb\".",
                        col->name, col->type);
      goto out;
    }
  }
  size_t start = b->len;
  if (change.len) {
    rc = ds_buf_printf(b, "(%s)", change.data);
    *written = 1;
  }
  if (!rc && has_fulltext) {
    if (*written) rc = ds_buf_puts(b, " AND ");
    if (!rc) rc = ds_filter_fulltext(b, f->fulltext, cols, ncols);
    *written = 1;
  } else if (!rc && f->n_where) {
    if (*written) rc = ds_buf_puts(b, " AND ");
    if (!rc) rc = ds_buf_puts(b, "(");
    if (!rc && (rc = ds_filter_where(b, f->where, f->n_where, cols, ncols, table, DS_FILTER_TYPED, err))) {
      b->len = start;
      if (b->data) b->data[start] = 0;
      *written = 0;
      goto out;
    }
    if (!rc) rc = ds_buf_puts(b, ")");
    *written = 1;
  }
  if (rc) rc = ds_error_set(err, rc, "The filters are too long.");
out:
  ds_buf_release(&change);
  return rc;
}

int ds_filter_value_check(ds_buf *b, const ds_filter *f, const ds_filter_col *cols, size_t ncols) {
  const ds_filter_col *col = f->column ? ds_filter_find_column(cols, ncols, f->column) : NULL;
  int rc = 0, any = 0;
  if (!col || column_kind(col) == DS_TK_STRING || unfilterable(col->type)) return 0;
  size_t start = b->len;
  for (size_t k = 0; k < f->n_values && !rc; k++) {
    const char *v = f->values[k];
    if (f->data_type == DS_DT_TIMESTAMP && is_time_type(col->type) && ds_filter_is_numeric(v)) continue;
    rc = ds_buf_puts(b, any++ ? ", (" : "SELECT v FROM (VALUES (");
    if (!rc) rc = ds_sql_literal(b, v);
    if (!rc) rc = ds_buf_puts(b, ")");
  }
  if (!rc && any) rc = ds_buf_printf(b, ") AS t(v) WHERE TRY_CAST(v AS %s) IS NULL LIMIT 1", col->type);
  if (rc || !any) {
    b->len = start;
    if (b->data) b->data[start] = 0;
    return 0;
  }
  return 1;
}
