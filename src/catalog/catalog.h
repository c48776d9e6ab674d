/*
 * catalog.h: the service's own metadata (projects, API keys, dev branches; later workspaces, shares, files).
 *
 * DESIGN. The catalog lives in DuckDB (DATA_DIR/catalog.duckdb, attached as ds_catalog) and is the source of
 * truth: a project exists when its row does. The schema is versioned: `migrations[]` in catalog.c lists the
 * SQL of every version, and ds_catalog_open applies the missing ones, each in its own transaction, so later
 * issues extend the catalog by appending a migration. Projects and key hashes are mirrored in memory at open
 * and kept in step on every write, so authentication costs no query.
 *
 * A command's writes to a project database and to the catalog cannot share a transaction (DuckDB writes one
 * attached database per transaction). Creation writes the project file first and the catalog row second;
 * removal deletes the catalog rows first and the file second. A crash in between leaves only an orphan
 * file, which the next creation of that id replaces.
 *
 * Threads: every function is thread safe. Writes are serialised by one mutex; the in-memory index is read
 * under a read lock.
 */
#ifndef DS_CATALOG_H
#define DS_CATALOG_H

#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

typedef struct ds_catalog ds_catalog;

typedef struct ds_project_row {
  const char *id;
  const char *stack_prefix;
  const char *file_storage; /* "S3", "ABS", "GCS" */
  int data_retention_time;
  const char *key_sealed; /* the project key sealed for S3 (ds_auth_seal_project_key); NULL: none */
} ds_project_row;

/* Project settings read back (strings are copies the caller frees with ds_free). */
typedef struct ds_project_info {
  char *id, *stack_prefix, *file_storage, *region, *timezone, *created_at;
  int data_retention_time;
} ds_project_info;

/* Applies pending migrations and loads the in-memory index. */
int ds_catalog_open(ds_store *store, ds_catalog **out, ds_error *err);
void ds_catalog_close(ds_catalog *c);

int ds_catalog_schema_version(ds_catalog *c);
/* Runs a real query on the catalog database (for /health). */
int ds_catalog_ping(ds_catalog *c, ds_error *err);

size_t ds_catalog_project_count(ds_catalog *c);
int ds_catalog_project_exists(ds_catalog *c, const char *id);
/* Adds a project and its first API key (stored as the SHA-256 hex `key_hash`) in one transaction.
 * DS_E_ALREADY_EXISTS when the id is taken. */
int ds_catalog_project_add(ds_catalog *c, const ds_project_row *row, const char *key_hash, ds_error *err);
/* Sets region and/or timezone (NULL or "" keeps the stored value). DS_E_NOT_FOUND for an unknown id. */
int ds_catalog_project_update(ds_catalog *c, const char *id, const char *region, const char *timezone,
                              ds_error *err);
int ds_catalog_project_get(ds_catalog *c, const char *id, ds_project_info *out, ds_error *err);
void ds_project_info_release(ds_project_info *info);
/* Removes the project with its keys and branches. DS_E_NOT_FOUND for an unknown id. */
int ds_catalog_project_remove(ds_catalog *c, const char *id, ds_error *err);

/* Finds the project of an active API key by the key's SHA-256 hex. Copies the id into project_id
 * (size bytes). Returns 0, or DS_E_AUTH for an unknown, revoked or expired key. */
int ds_catalog_key_project(ds_catalog *c, const char *key_hash, char *project_id, size_t size);

/* Copies the sealed copy of the project's active API key (base64 text, see ds_seal) into out. DS_E_NOT_FOUND
 * when the project has none (unknown project, or a key made before catalog version 2). From memory, no query. */
int ds_catalog_key_sealed(ds_catalog *c, const char *project_id, char *out, size_t size);
/* Calls fn for every project id, in no particular order, under the index's read lock (fn must not call the
 * catalog). */
void ds_catalog_project_each(ds_catalog *c, void (*fn)(const char *id, void *arg), void *arg);

/* Records a dev branch. DS_E_ALREADY_EXISTS when it is recorded already. */
int ds_catalog_branch_add(ds_catalog *c, const char *project_id, const char *branch_id, const char *ro_role,
                          ds_error *err);
/* Removes the branch of a project whose read-only role is ro_role; *removed tells whether one was found. */
int ds_catalog_branch_remove_by_role(ds_catalog *c, const char *project_id, const char *ro_role, int *removed,
                                     ds_error *err);
/* 1 when the branch is recorded. */
int ds_catalog_branch_exists(ds_catalog *c, const char *project_id, const char *branch_id);

#endif
