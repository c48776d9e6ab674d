/*
 * filter.h: SQL for Keboola's filters (keboola-driver-protocol.md §3.5), shared by CreateView, PreviewTable,
 * TableExportToFile, DeleteTableRows and (later) LoadTableToWorkspace.
 *
 * The builders are pure: they get the filters and the columns of the source (name and DuckDB type) and append
 * SQL to a buffer. Column names match case-insensitively and are written with the source's spelling, always
 * quoted; values are always SQL string literals, cast as the mode says. Thread safe.
 *
 * Pieces: ds_filter_where (whereFilters), ds_filter_order_by (orderBy), ds_filter_fulltext (fulltextSearch),
 * ds_filter_change (changeSince/changeUntil on `_timestamp`) and ds_filter_export_where, which validates and
 * combines the ExportFilters into one condition.
 */
#ifndef DS_FILTER_H
#define DS_FILTER_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* TableWhereFilter.operator (table.proto: eq=0 ... le=5) */
enum { DS_OP_EQ = 0, DS_OP_NE, DS_OP_GT, DS_OP_GE, DS_OP_LT, DS_OP_LE };
/* DataType of filters and orderBy (table.proto: STRING=0, INTEGER, DOUBLE, BIGINT, REAL, DECIMAL, TIMESTAMP) */
enum { DS_DT_STRING = 0, DS_DT_INTEGER, DS_DT_DOUBLE, DS_DT_BIGINT, DS_DT_REAL, DS_DT_DECIMAL, DS_DT_TIMESTAMP };

typedef struct ds_filter_col {
  const char *name;
  const char *type; /* DuckDB's type as DESCRIBE shows it: "VARCHAR", "BIGINT", "DECIMAL(10,2)" */
} ds_filter_col;

typedef struct ds_filter {
  const char *column;
  int op;
  const char *const *values;
  size_t n_values;
  int data_type;
} ds_filter;

typedef enum ds_filter_mode {
  /* CreateView, as BigQuery: every value is a string literal compared as is; dataType is ignored */
  DS_FILTER_LITERAL,
  /* preview/export/delete: a string column with a typed dataType compares TRY_CAST(col AS T) with the value
   * cast to T (TIMESTAMP values are epoch seconds); a typed column compares with the value cast to its type */
  DS_FILTER_TYPED,
} ds_filter_mode;

/* Appends "(c1) AND (c2) ..." for the n filters (nothing when n == 0). `table` names the source in errors.
 * Errors (DS_E_VALIDATION): an empty column name, an unknown column, no values, several values with an
 * operator other than eq/ne, an unknown operator or data type. */
int ds_filter_where(ds_buf *b, const ds_filter *filters, size_t n, const ds_filter_col *cols, size_t ncols,
                    const char *table, ds_filter_mode mode, ds_error *err);

/* The column of cols named `name` (case-insensitive), or NULL. */
const ds_filter_col *ds_filter_find_column(const ds_filter_col *cols, size_t ncols, const char *name);

/* ExportOrderBy.order */
enum { DS_ORDER_ASC = 0, DS_ORDER_DESC = 1 };

typedef struct ds_order {
  const char *column;
  int order;     /* DS_ORDER_ASC / DS_ORDER_DESC */
  int data_type; /* DS_DT_*: anything but STRING sorts by TRY_CAST(col AS T) */
} ds_order;

/* Appends " ORDER BY e1, e2 ..." for all n entries (nothing when n == 0). NULLs sort first ascending and last
 * descending (BigQuery's order). qualifier (NULL: none) is written before each column ("src"."col"), so that a
 * SELECT list that aliases columns cannot capture the names. Errors: an empty column name (DS_E_VALIDATION
 * "<cmd>.orderBy.<i>.columnName is required"), an unknown column (DS_E_COLUMN_NOT_FOUND
 * "Column "<c>" not found in table definition."), an unknown order or data type (DS_E_VALIDATION). */
int ds_filter_order_by(ds_buf *b, const ds_order *orders, size_t n, const ds_filter_col *cols, size_t ncols,
                       const char *qualifier, const char *cmd, ds_error *err);

/* Appends the fulltextSearch condition: "(c1 LIKE '%text%' ESCAPE '\' OR c2 LIKE ...)" over every string
 * column; % _ and \ in text match themselves. "(FALSE)" when the table has no string column. */
int ds_filter_fulltext(ds_buf *b, const char *text, const ds_filter_col *cols, size_t ncols);

/* 1 when s is a number as PHP's is_numeric sees it ("1641038401", "-1.5", "1e3"), the check BigQuery runs on
 * changeSince/changeUntil. */
int ds_filter_is_numeric(const char *s);

/* Appends the changeSince/changeUntil condition on `_timestamp`: `_timestamp >= since AND _timestamp < until`,
 * both unix epoch seconds (NULL or "" = no bound; nothing is appended when both are empty). Errors
 * (DS_E_VALIDATION): a bound that is not numeric ("<cmd>.changeSince must be numeric timestamp"), a table
 * without a `_timestamp` column. */
int ds_filter_change(ds_buf *b, const char *since, const char *until, const ds_filter_col *cols, size_t ncols,
                     const char *table, const char *cmd, ds_error *err);

/* ExportFilters without limit (each command applies its own limit rule). */
typedef struct ds_export_filters {
  const char *change_since; /* NULL or "": none */
  const char *change_until;
  const char *fulltext;
  const ds_filter *where;
  size_t n_where;
} ds_export_filters;

/* Validates the filters and appends their condition: the change bounds, then the fulltext condition or the
 * typed where filters, ANDed, each in parentheses. Appends nothing (and sets *written = 0) when there is no
 * filter. Errors: those of ds_filter_change and ds_filter_where (typed mode),
 * "Cannot use fulltextSearch and whereFilters at the same time", and a filter on a column of a type that
 * cannot be compared (LIST, STRUCT, MAP, UNION, BLOB, INTERVAL, JSON): "Filtering by column "<c>" of type
 * "<T>" is not supported by the backend "duckdb"." (all DS_E_VALIDATION). */
int ds_filter_export_where(ds_buf *b, const ds_export_filters *f, const ds_filter_col *cols, size_t ncols,
                           const char *table, const char *cmd, int *written, ds_error *err);

/* For a typed where filter on a column that is not a string: appends a query that returns the first of the
 * filter's values that does not cast to the column's type (no rows when all do) and returns 1; returns 0 and
 * appends nothing when there is nothing to check (string column, unknown column, epoch TIMESTAMP values).
 * The caller runs it before the real query, to answer Keboola's
 * `Invalid filter value, expected:"<T>", actual:"<v>".` instead of a conversion error. */
int ds_filter_value_check(ds_buf *b, const ds_filter *f, const ds_filter_col *cols, size_t ncols);

#endif
