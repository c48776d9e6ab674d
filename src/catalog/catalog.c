/* catalog.c: versioned catalog schema, its in-memory index, and the row operations (see catalog.h). */
#include "catalog/catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/map.h"
#include "core/mem.h"

/* Every catalog schema version, oldest first. Never edit a released entry: append a new one. */
static const char *const migrations[] = {
    /* 1: projects, API keys (hashed), dev branches */
    "CREATE TABLE ds_catalog.projects ("
    " id VARCHAR PRIMARY KEY,"
    " stack_prefix VARCHAR NOT NULL DEFAULT '',"
    " file_storage VARCHAR NOT NULL DEFAULT 'S3',"
    " data_retention_time INTEGER NOT NULL DEFAULT 0,"
    " region VARCHAR NOT NULL DEFAULT '',"
    " timezone VARCHAR NOT NULL DEFAULT '',"
    " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
    " updated_at TIMESTAMPTZ NOT NULL DEFAULT now());"
    "CREATE TABLE ds_catalog.api_keys ("
    " key_hash VARCHAR PRIMARY KEY,"
    " id UUID NOT NULL DEFAULT gen_random_uuid(),"
    " project_id VARCHAR NOT NULL,"
    " description VARCHAR NOT NULL DEFAULT '',"
    " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
    " expires_at TIMESTAMPTZ,"
    " revoked_at TIMESTAMPTZ);"
    "CREATE INDEX api_keys_project ON ds_catalog.api_keys(project_id);"
    "CREATE TABLE ds_catalog.branches ("
    " project_id VARCHAR NOT NULL,"
    " branch_id VARCHAR NOT NULL,"
    " read_only_role VARCHAR NOT NULL,"
    " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
    " PRIMARY KEY (project_id, branch_id));",
    /* 2: the project key sealed with DATA_DIR/secret.key (AES-256-GCM, base64 nonce|ciphertext|tag), for S3 SigV4,
     * which needs the secret itself; NULL for keys made before this version (they cannot sign S3 requests) */
    "ALTER TABLE ds_catalog.api_keys ADD COLUMN sealed_secret VARCHAR;",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

struct key {
  char *project_id;
  long long expires_at; /* unix seconds; 0: never */
  char *sealed;         /* the sealed key (S3); NULL when none is stored */
};

struct ds_catalog {
  ds_store *store;
  pthread_mutex_t write_lock;
  pthread_rwlock_t index_lock;
  ds_map *projects; /* id -> (void*)1 */
  ds_map *keys;     /* sha256 hex -> struct key */
  ds_map *sealed;   /* project id -> struct key (borrowed from keys) of its key with a sealed copy */
  int version;
};

static void free_key(void *p) {
  struct key *k = p;
  ds_free(k->project_id);
  ds_free(k->sealed);
  ds_free(k);
}

/* Runs sql (which may hold several statements) inside BEGIN/COMMIT; rolls back on failure. */
static int in_txn(duckdb_connection conn, int (*body)(duckdb_connection, void *, ds_error *), void *arg,
                  ds_error *err) {
  int rc = ds_store_exec(conn, "BEGIN TRANSACTION", err);
  if (rc) return rc;
  rc = body(conn, arg, err);
  if (!rc) rc = ds_store_exec(conn, "COMMIT", err);
  if (rc) ds_store_exec(conn, "ROLLBACK", NULL);
  return rc;
}

struct migration_arg {
  int version;
};

static int apply_migration(duckdb_connection conn, void *arg, ds_error *err) {
  struct migration_arg *m = arg;
  char v[16];
  int rc = ds_store_exec(conn, migrations[m->version - 1], err);
  if (rc) return rc;
  snprintf(v, sizeof v, "%d", m->version);
  const char *params[] = {v};
  return ds_store_exec_params(conn, "INSERT INTO ds_catalog.schema_version(version) VALUES (CAST($1 AS INTEGER))",
                              params, 1, NULL, err);
}

static int migrate(ds_catalog *c, duckdb_connection conn, ds_error *err) {
  duckdb_result res;
  int rc = ds_store_exec(conn,
                         "CREATE TABLE IF NOT EXISTS ds_catalog.schema_version ("
                         " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                         err);
  if (rc) return rc;
  rc = ds_store_exec_params(conn, "SELECT coalesce(max(version), 0) FROM ds_catalog.schema_version", NULL, 0, &res, err);
  int current = rc ? 0 : (int)ds_store_value_i64(&res, 0, 0);
  duckdb_destroy_result(&res);
  if (rc) return rc;
  if (current > N_MIGRATIONS)
    return ds_error_set(err, DS_E_INTERNAL,
                        "The catalog has schema version %d, newer than this build knows (%d): use a newer duckstore.",
                        current, N_MIGRATIONS);
  for (int v = current + 1; v <= N_MIGRATIONS; v++) {
    struct migration_arg m = {v};
    if ((rc = in_txn(conn, apply_migration, &m, err))) return ds_error_prefix(err, "catalog migration %d: ", v);
    DS_LOG(DS_LOG_INFO, "catalog", "applied catalog migration %d", v);
  }
  c->version = N_MIGRATIONS;
  return 0;
}

static int load_index(ds_catalog *c, duckdb_connection conn, ds_error *err) {
  duckdb_result res;
  int rc = ds_store_exec_params(conn, "SELECT id FROM ds_catalog.projects", NULL, 0, &res, err);
  if (!rc)
    for (size_t i = 0; i < ds_store_rows(&res); i++) {
      char *id = ds_store_value_str(&res, 0, i);
      ds_map_put(c->projects, id, (void *)1);
      ds_free(id);
    }
  duckdb_destroy_result(&res);
  if (rc) return rc;
  rc = ds_store_exec_params(conn,
                            "SELECT key_hash, project_id, coalesce(epoch(expires_at), 0)::BIGINT, sealed_secret"
                            " FROM ds_catalog.api_keys WHERE revoked_at IS NULL ORDER BY created_at",
                            NULL, 0, &res, err);
  if (!rc)
    for (size_t i = 0; i < ds_store_rows(&res); i++) {
      char *hash = ds_store_value_str(&res, 0, i);
      struct key *k = ds_calloc(1, sizeof *k);
      k->project_id = ds_store_value_str(&res, 1, i);
      k->expires_at = ds_store_value_i64(&res, 2, i);
      k->sealed = ds_store_value_str(&res, 3, i);
      if (k->sealed && !*k->sealed) {
        ds_free(k->sealed);
        k->sealed = NULL;
      }
      ds_map_put(c->keys, hash, k);
      if (k->sealed) ds_map_put(c->sealed, k->project_id, k);
      ds_free(hash);
    }
  duckdb_destroy_result(&res);
  return rc;
}

int ds_catalog_open(ds_store *store, ds_catalog **out, ds_error *err) {
  ds_catalog *c = ds_calloc(1, sizeof *c);
  c->store = store;
  pthread_mutex_init(&c->write_lock, NULL);
  pthread_rwlock_init(&c->index_lock, NULL);
  c->projects = ds_map_new();
  c->keys = ds_map_new();
  c->sealed = ds_map_new();
  duckdb_connection conn = ds_store_conn_get(store);
  int rc = migrate(c, conn, err);
  if (!rc) rc = load_index(c, conn, err);
  ds_store_conn_put(store, conn);
  if (rc) {
    ds_catalog_close(c);
    c = NULL;
  }
  *out = c;
  return rc;
}

void ds_catalog_close(ds_catalog *c) {
  if (!c) return;
  ds_map_free(c->projects, NULL);
  ds_map_free(c->sealed, NULL);
  ds_map_free(c->keys, free_key);
  pthread_mutex_destroy(&c->write_lock);
  pthread_rwlock_destroy(&c->index_lock);
  ds_free(c);
}

int ds_catalog_schema_version(ds_catalog *c) { return c->version; }

int ds_catalog_ping(ds_catalog *c, ds_error *err) {
  duckdb_connection conn = ds_store_conn_get(c->store);
  int rc = ds_store_exec(conn, "SELECT count(*) FROM ds_catalog.schema_version", err);
  ds_store_conn_put(c->store, conn);
  return rc;
}

size_t ds_catalog_project_count(ds_catalog *c) {
  pthread_rwlock_rdlock(&c->index_lock);
  size_t n = ds_map_size(c->projects);
  pthread_rwlock_unlock(&c->index_lock);
  return n;
}

int ds_catalog_project_exists(ds_catalog *c, const char *id) {
  pthread_rwlock_rdlock(&c->index_lock);
  int found = ds_map_get(c->projects, id) != NULL;
  pthread_rwlock_unlock(&c->index_lock);
  return found;
}

struct add_arg {
  const ds_project_row *row;
  const char *key_hash;
};

static int add_body(duckdb_connection conn, void *arg, ds_error *err) {
  struct add_arg *a = arg;
  char retention[16];
  snprintf(retention, sizeof retention, "%d", a->row->data_retention_time);
  const char *p1[] = {a->row->id, a->row->stack_prefix ? a->row->stack_prefix : "",
                      a->row->file_storage ? a->row->file_storage : "S3", retention};
  int rc = ds_store_exec_params(conn,
                                "INSERT INTO ds_catalog.projects(id, stack_prefix, file_storage, data_retention_time)"
                                " VALUES ($1, $2, $3, CAST($4 AS INTEGER))",
                                p1, 4, NULL, err);
  if (rc) return rc;
  const char *p2[] = {a->key_hash, a->row->id, a->row->key_sealed};
  return ds_store_exec_params(conn,
                              "INSERT INTO ds_catalog.api_keys(key_hash, project_id, description, sealed_secret)"
                              " VALUES ($1, $2, 'project key from CreateProject', $3)",
                              p2, 3, NULL, err);
}

int ds_catalog_project_add(ds_catalog *c, const ds_project_row *row, const char *key_hash, ds_error *err) {
  int rc;
  pthread_mutex_lock(&c->write_lock);
  if (ds_catalog_project_exists(c, row->id)) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Project with project id \"%s\" already exists.", row->id);
    goto out;
  }
  duckdb_connection conn = ds_store_conn_get(c->store);
  struct add_arg a = {row, key_hash};
  rc = in_txn(conn, add_body, &a, err);
  ds_store_conn_put(c->store, conn);
  if (rc) goto out;
  pthread_rwlock_wrlock(&c->index_lock);
  ds_map_put(c->projects, row->id, (void *)1);
  struct key *k = ds_calloc(1, sizeof *k);
  k->project_id = ds_strdup(row->id);
  k->sealed = row->key_sealed && *row->key_sealed ? ds_strdup(row->key_sealed) : NULL;
  ds_map_put(c->keys, key_hash, k);
  if (k->sealed) ds_map_put(c->sealed, row->id, k);
  pthread_rwlock_unlock(&c->index_lock);
out:
  pthread_mutex_unlock(&c->write_lock);
  return rc;
}

int ds_catalog_project_update(ds_catalog *c, const char *id, const char *region, const char *timezone,
                              ds_error *err) {
  int rc;
  pthread_mutex_lock(&c->write_lock);
  if (!ds_catalog_project_exists(c, id)) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Project \"%s\" not found.", id);
    goto out;
  }
  duckdb_connection conn = ds_store_conn_get(c->store);
  const char *p[] = {id, region && *region ? region : NULL, timezone && *timezone ? timezone : NULL};
  rc = ds_store_exec_params(conn,
                            "UPDATE ds_catalog.projects SET region = coalesce($2, region),"
                            " timezone = coalesce($3, timezone), updated_at = now() WHERE id = $1",
                            p, 3, NULL, err);
  ds_store_conn_put(c->store, conn);
out:
  pthread_mutex_unlock(&c->write_lock);
  return rc;
}

int ds_catalog_project_get(ds_catalog *c, const char *id, ds_project_info *out, ds_error *err) {
  duckdb_result res;
  memset(out, 0, sizeof *out);
  duckdb_connection conn = ds_store_conn_get(c->store);
  const char *p[] = {id};
  int rc = ds_store_exec_params(conn,
                                "SELECT id, stack_prefix, file_storage, region, timezone,"
                                " strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), data_retention_time"
                                " FROM ds_catalog.projects WHERE id = $1",
                                p, 1, &res, err);
  if (!rc && ds_store_rows(&res) == 0) rc = ds_error_set(err, DS_E_NOT_FOUND, "Project \"%s\" not found.", id);
  if (!rc) {
    out->id = ds_store_value_str(&res, 0, 0);
    out->stack_prefix = ds_store_value_str(&res, 1, 0);
    out->file_storage = ds_store_value_str(&res, 2, 0);
    out->region = ds_store_value_str(&res, 3, 0);
    out->timezone = ds_store_value_str(&res, 4, 0);
    out->created_at = ds_store_value_str(&res, 5, 0);
    out->data_retention_time = (int)ds_store_value_i64(&res, 6, 0);
  }
  duckdb_destroy_result(&res);
  ds_store_conn_put(c->store, conn);
  return rc;
}

void ds_project_info_release(ds_project_info *info) {
  ds_free(info->id);
  ds_free(info->stack_prefix);
  ds_free(info->file_storage);
  ds_free(info->region);
  ds_free(info->timezone);
  ds_free(info->created_at);
  memset(info, 0, sizeof *info);
}

static int remove_body(duckdb_connection conn, void *arg, ds_error *err) {
  const char *p[] = {arg};
  int rc = ds_store_exec_params(conn, "DELETE FROM ds_catalog.api_keys WHERE project_id = $1", p, 1, NULL, err);
  if (!rc) rc = ds_store_exec_params(conn, "DELETE FROM ds_catalog.branches WHERE project_id = $1", p, 1, NULL, err);
  if (!rc) rc = ds_store_exec_params(conn, "DELETE FROM ds_catalog.projects WHERE id = $1", p, 1, NULL, err);
  return rc;
}

struct drop_scan {
  const char *project_id;
  char **hashes;
  size_t n, cap;
};

static void collect_keys(const char *hash, void *value, void *arg) {
  struct drop_scan *s = arg;
  struct key *k = value;
  if (strcmp(k->project_id, s->project_id) != 0) return;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 4;
    s->hashes = ds_realloc(s->hashes, s->cap * sizeof *s->hashes);
  }
  s->hashes[s->n++] = ds_strdup(hash);
}

int ds_catalog_project_remove(ds_catalog *c, const char *id, ds_error *err) {
  int rc;
  pthread_mutex_lock(&c->write_lock);
  if (!ds_catalog_project_exists(c, id)) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Project \"%s\" not found.", id);
    goto out;
  }
  duckdb_connection conn = ds_store_conn_get(c->store);
  rc = in_txn(conn, remove_body, (void *)id, err);
  ds_store_conn_put(c->store, conn);
  if (rc) goto out;
  pthread_rwlock_wrlock(&c->index_lock);
  ds_map_remove(c->projects, id);
  ds_map_remove(c->sealed, id);
  struct drop_scan scan = {id, NULL, 0, 0};
  ds_map_each(c->keys, collect_keys, &scan);
  for (size_t i = 0; i < scan.n; i++) {
    free_key(ds_map_remove(c->keys, scan.hashes[i]));
    ds_free(scan.hashes[i]);
  }
  ds_free(scan.hashes);
  pthread_rwlock_unlock(&c->index_lock);
out:
  pthread_mutex_unlock(&c->write_lock);
  return rc;
}

int ds_catalog_key_project(ds_catalog *c, const char *key_hash, char *project_id, size_t size) {
  int rc = DS_E_AUTH;
  pthread_rwlock_rdlock(&c->index_lock);
  struct key *k = ds_map_get(c->keys, key_hash);
  if (k && (k->expires_at == 0 || k->expires_at > (long long)time(NULL))) {
    snprintf(project_id, size, "%s", k->project_id);
    rc = 0;
  }
  pthread_rwlock_unlock(&c->index_lock);
  return rc;
}

int ds_catalog_key_sealed(ds_catalog *c, const char *project_id, char *out, size_t size) {
  int rc = DS_E_NOT_FOUND;
  pthread_rwlock_rdlock(&c->index_lock);
  struct key *k = ds_map_get(c->sealed, project_id);
  if (k && k->sealed && (k->expires_at == 0 || k->expires_at > (long long)time(NULL)) &&
      (size_t)snprintf(out, size, "%s", k->sealed) < size)
    rc = 0;
  pthread_rwlock_unlock(&c->index_lock);
  return rc;
}

struct id_scan {
  void (*fn)(const char *id, void *arg);
  void *arg;
};

static void each_project(const char *id, void *value, void *arg) {
  (void)value;
  struct id_scan *s = arg;
  s->fn(id, s->arg);
}

void ds_catalog_project_each(ds_catalog *c, void (*fn)(const char *id, void *arg), void *arg) {
  struct id_scan s = {fn, arg};
  pthread_rwlock_rdlock(&c->index_lock);
  ds_map_each(c->projects, each_project, &s);
  pthread_rwlock_unlock(&c->index_lock);
}

int ds_catalog_branch_exists(ds_catalog *c, const char *project_id, const char *branch_id) {
  duckdb_result res;
  duckdb_connection conn = ds_store_conn_get(c->store);
  const char *p[] = {project_id, branch_id};
  int rc = ds_store_exec_params(conn, "SELECT 1 FROM ds_catalog.branches WHERE project_id = $1 AND branch_id = $2", p,
                                2, &res, NULL);
  int found = !rc && ds_store_rows(&res) > 0;
  duckdb_destroy_result(&res);
  ds_store_conn_put(c->store, conn);
  return found;
}

int ds_catalog_branch_add(ds_catalog *c, const char *project_id, const char *branch_id, const char *ro_role,
                          ds_error *err) {
  int rc;
  pthread_mutex_lock(&c->write_lock);
  if (ds_catalog_branch_exists(c, project_id, branch_id)) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Branch \"%s\" already exists in project \"%s\".", branch_id,
                      project_id);
    goto out;
  }
  duckdb_connection conn = ds_store_conn_get(c->store);
  const char *p[] = {project_id, branch_id, ro_role};
  rc = ds_store_exec_params(conn,
                            "INSERT INTO ds_catalog.branches(project_id, branch_id, read_only_role) VALUES ($1, $2, $3)",
                            p, 3, NULL, err);
  ds_store_conn_put(c->store, conn);
out:
  pthread_mutex_unlock(&c->write_lock);
  return rc;
}

int ds_catalog_branch_remove_by_role(ds_catalog *c, const char *project_id, const char *ro_role, int *removed,
                                     ds_error *err) {
  duckdb_result res;
  pthread_mutex_lock(&c->write_lock);
  duckdb_connection conn = ds_store_conn_get(c->store);
  const char *p[] = {project_id, ro_role};
  int rc = ds_store_exec_params(conn, "DELETE FROM ds_catalog.branches WHERE project_id = $1 AND read_only_role = $2",
                                p, 2, &res, err);
  *removed = !rc && duckdb_rows_changed(&res) > 0;
  duckdb_destroy_result(&res);
  ds_store_conn_put(c->store, conn);
  pthread_mutex_unlock(&c->write_lock);
  return rc;
}
