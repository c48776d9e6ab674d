/*
 * meta.h: what duckstore knows about a project's schemas, tables and views, beyond DuckDB's own catalog.
 *
 * DESIGN. Each project database holds a hidden schema `_duckstore` with a registry of the objects made
 * through the driver: one row per table or view (its kind and Keboola primary key, a JSON array of column
 * names in declared order) and one row per column that was given a length or a default (kept as given: DuckDB
 * renders `true` as CAST('t' AS BOOLEAN)). Keboola's primary key is
 * metadata, not a DuckDB constraint: BigQuery does the same, it lets AddPrimaryKey(skipDuplicatesCheck) set
 * a key over duplicate data, and it keeps imports free of index upkeep. The registry is written in the
 * same transaction as the DDL it describes, so the two cannot disagree after a failure.
 *
 * Why a registry at all: listing a schema from it takes ~1 ms with 5,000 tables, where DuckDB's
 * duckdb_tables() takes 40-50 ms (it walks every table of every attached database). Column details come
 * from DESCRIBE (0.3 ms), which is exact; the registry only adds what DuckDB does not keep (lengths, keys).
 *
 * Names match case-insensitively, as DuckDB's identifiers do. All functions take a connection on which the
 * project is attached and the project id (its database alias). Allocations come from the given pool.
 */
#ifndef DS_META_H
#define DS_META_H

#include <duckdb.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"

#define DS_META_SCHEMA "_duckstore"

typedef enum ds_obj_kind { DS_OBJ_NONE = 0, DS_OBJ_TABLE, DS_OBJ_VIEW } ds_obj_kind;

typedef struct ds_column {
  char *name;
  char *type;      /* DuckDB's canonical name without parameters: "VARCHAR", "DECIMAL" */
  char *described; /* as DESCRIBE shows it: "DECIMAL(10,2)" */
  char *length;    /* as given at creation, else the type's parameters, else "" */
  char *def;       /* the default expression, "" when none */
  int nullable;
} ds_column;

typedef struct ds_object {
  char *schema; /* spelled as stored */
  char *name;
  ds_obj_kind kind;
  ds_column *columns;
  size_t n_columns;
  char **pk; /* primary key column names, declared order */
  size_t n_pk;
} ds_object;

/* store on_attach hook: creates the `_duckstore` schema and its tables in the project when missing. */
int ds_meta_on_attach(duckdb_connection conn, const char *project, ds_error *err);

/* 1 when a bucket may not use this schema name: main, _duckstore, information_schema, pg_catalog, temp. */
int ds_meta_schema_reserved(const char *schema);

/* Looks a schema up. *found = 0 when missing; else its stored spelling goes to *actual (pool). */
int ds_meta_schema_find(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                        char **actual, int *found, ds_error *err);
/* The project's schemas that clients see (not main, not _duckstore), sorted. */
int ds_meta_schema_list(ds_pool *pool, duckdb_connection conn, const char *project, char ***names, size_t *n,
                        ds_error *err);
/* The objects of one schema from the registry, sorted by name. */
int ds_meta_object_list(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                        char ***names, ds_obj_kind **kinds, size_t *n, ds_error *err);

/* The registry's row of schema.name: kind DS_OBJ_NONE when there is none. On a hit *actual_name (pool,
 * may be NULL) is the stored spelling and the primary key is returned (pool). */
int ds_meta_object_find(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                        const char *name, ds_obj_kind *kind, char **actual_name, char ***pk, size_t *n_pk,
                        ds_error *err);
/* The schema's and the object's stored spelling, kind and key, from the registry only (no DESCRIBE).
 * DS_E_NOT_FOUND `Object "<schema>" not found.` or `Object "<name>" not found.` when missing. */
int ds_meta_locate(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                   const char *name, ds_object *out, ds_error *err);
/* Full description: registry row + DESCRIBE. DS_E_NOT_FOUND `Object "<name>" not found.` when missing. */
int ds_meta_describe(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                     const char *name, ds_object *out, ds_error *err);
/* The column named `name` (case-insensitive) or NULL. */
ds_column *ds_meta_column(const ds_object *o, const char *name);

/* Registry writes; run them inside the transaction of the DDL they describe. _put replaces any row of the
 * same name (and its column rows); _add only inserts, for an object known to be new. */
int ds_meta_object_add(duckdb_connection conn, const char *project, const char *schema, const char *name,
                       ds_obj_kind kind, const char *const *pk, size_t n_pk, ds_error *err);
int ds_meta_object_put(duckdb_connection conn, const char *project, const char *schema, const char *name,
                       ds_obj_kind kind, const char *const *pk, size_t n_pk, ds_error *err);
int ds_meta_object_remove(duckdb_connection conn, const char *project, const char *schema, const char *name,
                          ds_error *err);
int ds_meta_schema_remove(duckdb_connection conn, const char *project, const char *schema, ds_error *err);
int ds_meta_set_pk(duckdb_connection conn, const char *project, const char *schema, const char *name,
                   const char *const *pk, size_t n_pk, ds_error *err);
/* Records what DuckDB does not keep of a column: its length and its default expression as given. Replaces
 * the column's row; both NULL or "" remove it. */
int ds_meta_set_column(duckdb_connection conn, const char *project, const char *schema, const char *table,
                       const char *column, const char *length, const char *def, ds_error *err);

/* Row count and an estimate of the data size in bytes (rows x the width of each column's type; 0 when empty). */
int ds_meta_table_stats(duckdb_connection conn, const char *project, const ds_object *o, long long *rows,
                        long long *bytes, ds_error *err);

/* Appends "<project>"."<schema>"."<name>" to b. */
int ds_meta_qualified(ds_buf *b, const char *project, const char *schema, const char *name);

#endif
