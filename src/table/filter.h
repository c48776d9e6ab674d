/*
 * filter.h: SQL for Keboola's where-filters (keboola-driver-protocol.md §3.5), shared by CreateView and, later,
 * by preview, export, delete and load-to-workspace.
 *
 * The builder is pure: it gets the filters and the columns of the source (name and DuckDB type) and appends
 * a condition to a buffer. Column names match case-insensitively and are written with the source's spelling,
 * always quoted; values are always SQL string literals, cast as the mode says. Thread safe.
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

#endif
