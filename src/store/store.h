/*
 * store.h: the one DuckDB instance of the process and the files it keeps.
 *
 * DESIGN. One in-memory DuckDB instance holds everything (one memory limit, one thread pool). The catalog
 * file DATA_DIR/catalog.duckdb is attached as `ds_catalog`; each project is its own database file
 * DATA_DIR/projects/<id>.duckdb, attached under the alias "<id>" when first used. Attached projects are
 * reference counted; idle ones beyond `max_attached` are detached, least recently used first, so projects
 * that are not in use do not pin memory. Connections come from a small pool; a connection is used by one
 * thread at a time and must be returned outside any transaction.
 *
 * Threads: every function is thread safe. The attach/detach bookkeeping is guarded by one mutex.
 */
#ifndef DS_STORE_H
#define DS_STORE_H

#include <duckdb.h>
#include <stddef.h>

#include "core/err.h"

typedef struct ds_store ds_store;

typedef struct ds_store_opts {
  const char *data_dir;     /* created when missing */
  const char *memory_limit; /* NULL: DuckDB's default */
  int threads;              /* 0: DuckDB's default */
  int max_attached;         /* idle projects kept attached */
  /* called on the admin connection right after a project database is attached (NULL: none); a failure
   * detaches it again and fails the acquire. Used to create or migrate the project's own metadata. */
  int (*on_attach)(duckdb_connection conn, const char *project_id, ds_error *err);
} ds_store_opts;

/* Creates the data directory layout, opens DuckDB and attaches the catalog. */
int ds_store_open(const ds_store_opts *opts, ds_store **out, ds_error *err);
/* Detaches everything and closes DuckDB (checkpointing every file). NULL is ok. */
void ds_store_close(ds_store *s);

/* The real path of the data directory (borrowed; valid until ds_store_close). */
const char *ds_store_data_dir(const ds_store *s);
const char *ds_store_duckdb_version(void);

/* Checks that the layout exists and is writable, creating missing directories. On failure err lists every
 * problem found ("- ..." lines) with DS_E_VALIDATION. */
int ds_store_check_layout(ds_store *s, ds_error *err);

/* Borrows a connection (created on demand); give it back with ds_store_conn_put. */
duckdb_connection ds_store_conn_get(ds_store *s);
void ds_store_conn_put(ds_store *s, duckdb_connection c);

/* Runs sql and discards its result. DuckDB errors become DS_E_SQL with DuckDB's message. */
int ds_store_exec(duckdb_connection c, const char *sql, ds_error *err);
/* Runs sql with params bound as VARCHAR ($1..$n; a NULL entry binds SQL NULL). When res is not NULL the
 * result is stored there and the caller destroys it with duckdb_destroy_result, also on failure. */
int ds_store_exec_params(duckdb_connection c, const char *sql, const char *const *params, size_t n,
                         duckdb_result *res, ds_error *err);

/* Reading a materialized result (duckdb_query / ds_store_exec_params). The pinned DuckDB 1.4 keeps these
 * value accessors; they are used only here, so a move to the chunk API touches one file.
 * ds_store_value_str returns a copy the caller frees with ds_free, or NULL for SQL NULL. */
size_t ds_store_rows(duckdb_result *res);
char *ds_store_value_str(duckdb_result *res, size_t col, size_t row);
long long ds_store_value_i64(duckdb_result *res, size_t col, size_t row);
int ds_store_value_null(duckdb_result *res, size_t col, size_t row);

/* Creates the database file of a new project and leaves it attached (a stale file of the same name, left by
 * a crash after a drop, is replaced). Also creates DATA_DIR/files/<id>/. */
int ds_store_project_create(ds_store *s, const char *project_id, ds_error *err);
/* Attaches the project's database if needed and pins it until ds_store_project_release. The database is
 * then reachable in SQL as "<project_id>". DS_E_NOT_FOUND when its file is missing. */
int ds_store_project_acquire(ds_store *s, const char *project_id, ds_error *err);
void ds_store_project_release(ds_store *s, const char *project_id);
/* Detaches and deletes the project's database and its files directory. DS_E_RESOURCE_FULL when the project
 * is in use by another call. A missing file is not an error. */
int ds_store_project_drop(ds_store *s, const char *project_id, ds_error *err);
/* Serialises the DDL of one project (the locks are striped by project id, so two projects may share one).
 * Held around every command that changes a project's schemas, tables or metadata. */
void ds_store_project_lock(ds_store *s, const char *project_id);
void ds_store_project_unlock(ds_store *s, const char *project_id);


#endif
