/*
 * import.h: the write path shared by every import (keboola-driver-protocol.md §3.1): from a source query
 * (a CSV/Parquet reader or another table) into an existing destination table, all or nothing.
 *
 * DESIGN. The source is staged into a temporary table of the connection (DuckDB's in-memory temp catalog,
 * spilling to the temp directory when large), so the rows are parsed once, counted and checked for
 * duplicate keys, and then written to the destination in one transaction: FULL deletes and inserts,
 * INCREMENTAL with a key runs one MERGE that updates only rows whose values differ (unchanged rows keep their
 * `_timestamp`) and inserts the rest, INCREMENTAL without a key appends. Conversions happen on the way from
 * staging to the destination (STRING_TABLE: '' / NULL rules, casts; VARCHAR length limits checked in the
 * same pass with error()). Any failure rolls back: the destination is exactly as before.
 */
#ifndef DS_IMPORT_H
#define DS_IMPORT_H

#include <duckdb.h>
#include <stddef.h>

#include "core/err.h"
#include "core/pool.h"
#include "table/meta.h"

typedef enum { DS_IMPORT_FULL = 0, DS_IMPORT_INCREMENTAL = 1 } ds_import_type;
typedef enum { DS_DEDUP_UPDATE = 0, DS_DEDUP_INSERT = 1, DS_DEDUP_FAIL = 2 } ds_dedup_type;
typedef enum { DS_TS_CURRENT_TIME = 0, DS_TS_NONE = 1, DS_TS_FROM_SOURCE = 2 } ds_ts_mode;

typedef struct ds_import_spec {
  const char *project;
  const ds_object *dest;     /* described destination (kind TABLE) */
  const char *source_sql;    /* SELECT whose columns are, in order, `columns` (names need not match) */
  char **columns;            /* destination columns the source fills, in source order (stored spelling) */
  size_t n_columns;
  int string_table;          /* STRING_TABLE strategy: the source gives strings, cast here */
  ds_import_type type;
  ds_dedup_type dedup;
  char **dedup_columns;      /* dedupColumnsNames, else the destination's primary key; may be empty */
  size_t n_dedup_columns;
  char **empty_to_null;      /* convertEmptyValuesToNullOnColumns */
  size_t n_empty_to_null;
  int manage_timestamp;      /* timestampColumn == "_timestamp", the table has it, and mode CURRENT_TIME */
} ds_import_spec;

typedef struct ds_import_result {
  long long imported_rows;
  long long table_rows;
  long long table_bytes;
  double t_staging, t_write; /* seconds */
} ds_import_result;

/* Runs the import on conn (the project attached, DDL lock held, no transaction open). */
int ds_import_run(ds_pool *pool, duckdb_connection conn, const ds_import_spec *spec, ds_import_result *out,
                  ds_error *err);

/* Turns a DuckDB error message into the client's text: the first paragraph, without DuckDB's "... Error: "
 * prefix, and NOT NULL failures as Keboola's `Required field <col> cannot be null`. Edits msg in place. */
void ds_import_clean_error(char *msg);

#endif
