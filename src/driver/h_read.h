/*
 * h_read.h: what the read side of the data commands shares (PreviewTable, TableExportToFile, DeleteTableRows,
 * CreateProfileTable; later LoadTableToWorkspace): turning the protos' filters into the builders' structs
 * (table/filter.h), the up-front value check, and the SELECT over a table with its filters.
 */
#ifndef DS_H_READ_H
#define DS_H_READ_H

#include "driver/handler.h"
#include "proto/table.pb-c.h"
#include "table/filter.h"
#include "table/meta.h"

typedef Keboola__StorageDriver__Command__Table__ImportExportShared__TableWhereFilter ds_pb_where;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__ExportOrderBy ds_pb_order;
typedef Keboola__StorageDriver__Command__Table__ImportExportShared__ExportFilters ds_pb_filters;

/* The alias of the source table in ds_read_select's SQL (orderBy columns are qualified with it). */
#define DS_READ_SRC "_ds_src"
/* Preview cells are cut to this many characters (keboola-driver-protocol.md §2.6). */
#define DS_READ_CELL_MAX 16384

/* Proto → builder structs, allocated from pool (the strings stay the proto's). */
ds_filter *ds_read_where(ds_pool *pool, ds_pb_where **w, size_t n);
ds_order *ds_read_orders(ds_pool *pool, ds_pb_order **o, size_t n);
/* ExportFilters (NULL: none) → ds_export_filters; the limit is left to the caller. */
void ds_read_filters(ds_pool *pool, const ds_pb_filters *f, ds_export_filters *out);
/* The columns of a described table as the builders want them. */
ds_filter_col *ds_read_cols(ds_pool *pool, const ds_object *o);

/* The asserts BigQuery runs on changeSince/changeUntil before anything else: numeric unix seconds
 * ("<cmd>.changeSince must be numeric timestamp", DS_E_VALIDATION). Empty or NULL is fine. */
int ds_read_check_change(const char *cmd, const char *since, const char *until, ds_error *err);

/* Runs the value checks of the where filters (ds_filter_value_check) on the session: a value that does not
 * cast to its typed column answers DS_E_VALIDATION `Invalid filter value, expected:"<T>", actual:"<v>".` */
int ds_read_check_values(ds_session *s, const ds_filter *f, size_t n, const ds_filter_col *cols, size_t ncols,
                         ds_error *err);

/* Appends `SELECT <select_list> FROM "<project>"."<schema>"."<table>" AS "_ds_src" [WHERE ...] [ORDER BY ...]
 * [LIMIT n]` (limit <= 0: none). The select list is the caller's SQL. Validates the filters and orders first
 * (errors of ds_filter_export_where and ds_filter_order_by). */
int ds_read_select(ds_buf *b, const char *project, const ds_object *o, const ds_filter_col *cols,
                   const char *select_list, const ds_export_filters *f, const ds_order *orders, size_t n_orders,
                   long long limit, const char *cmd, ds_error *err);

#endif
