/* store.c: DuckDB instance, connection pool and project attach/detach (see store.h). */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/map.h"
#include "core/mem.h"
#include "core/names.h"

#define POOL_MAX_IDLE 32
#define DDL_STRIPES 64

struct project {
  int refs;
  int attached;
  unsigned long long last_used;
};

struct ds_store {
  duckdb_database db;
  char *data_dir;
  int max_attached;
  pthread_mutex_t lock; /* guards everything below */
  duckdb_connection *idle;
  size_t n_idle;
  duckdb_connection admin; /* ATTACH/DETACH run here, under lock */
  ds_map *projects;        /* id -> struct project, for every project seen since start */
  size_t n_attached;
  unsigned long long tick;
  int (*on_attach)(duckdb_connection conn, const char *project_id, ds_error *err);
  pthread_mutex_t ddl[DDL_STRIPES];
};

const char *ds_store_duckdb_version(void) { return duckdb_library_version(); }
const char *ds_store_data_dir(const ds_store *s) { return s->data_dir; }

int ds_store_exec(duckdb_connection c, const char *sql, ds_error *err) {
  duckdb_result res;
  int rc = 0;
  if (duckdb_query(c, sql, &res) == DuckDBError) rc = ds_error_set(err, DS_E_SQL, "%s", duckdb_result_error(&res));
  duckdb_destroy_result(&res);
  return rc;
}

int ds_store_exec_params(duckdb_connection c, const char *sql, const char *const *params, size_t n,
                         duckdb_result *res, ds_error *err) {
  duckdb_prepared_statement st = NULL;
  duckdb_result local;
  duckdb_result *r = res ? res : &local;
  int rc = 0;
  memset(r, 0, sizeof *r);
  if (duckdb_prepare(c, sql, &st) == DuckDBError) {
    rc = ds_error_set(err, DS_E_SQL, "%s", duckdb_prepare_error(st));
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    duckdb_state bs = params[i] ? duckdb_bind_varchar(st, i + 1, params[i]) : duckdb_bind_null(st, i + 1);
    if (bs == DuckDBError) {
      rc = ds_error_set(err, DS_E_SQL, "cannot bind parameter %zu", i + 1);
      goto out;
    }
  }
  if (duckdb_execute_prepared(st, r) == DuckDBError) rc = ds_error_set(err, DS_E_SQL, "%s", duckdb_result_error(r));
out:
  duckdb_destroy_prepare(&st);
  if (!res) duckdb_destroy_result(&local);
  return rc;
}

size_t ds_store_rows(duckdb_result *res) { return (size_t)duckdb_row_count(res); }

char *ds_store_value_str(duckdb_result *res, size_t col, size_t row) {
  if (duckdb_value_is_null(res, col, row)) return NULL;
  char *v = duckdb_value_varchar(res, col, row);
  char *copy = ds_strdup(v ? v : "");
  duckdb_free(v);
  return copy;
}

long long ds_store_value_i64(duckdb_result *res, size_t col, size_t row) {
  return (long long)duckdb_value_int64(res, col, row);
}

int ds_store_value_null(duckdb_result *res, size_t col, size_t row) { return duckdb_value_is_null(res, col, row); }

static int mkdir_p(const char *path, ds_error *err) {
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
    return ds_error_set(err, DS_E_VALIDATION, "Path \"%s\" is too long.", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0750) && errno != EEXIST)
      return ds_error_set(err, DS_E_VALIDATION, "Cannot create directory \"%s\": %s.", tmp, strerror(errno));
    *p = '/';
  }
  if (mkdir(tmp, 0750) && errno != EEXIST)
    return ds_error_set(err, DS_E_VALIDATION, "Cannot create directory \"%s\": %s.", tmp, strerror(errno));
  struct stat st;
  if (stat(tmp, &st) || !S_ISDIR(st.st_mode))
    return ds_error_set(err, DS_E_VALIDATION, "\"%s\" is not a directory.", tmp);
  return 0;
}

/* Creates, writes, syncs and removes a probe file in dir. */
static int probe_write(const char *dir, ds_error *err) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/.write-probe-%d", dir, (int)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ds_error_set(err, DS_E_VALIDATION, "Directory \"%s\" is not writable: %s.", dir, strerror(errno));
  int rc = 0;
  if (write(fd, "ok", 2) != 2 || fsync(fd))
    rc = ds_error_set(err, DS_E_VALIDATION, "Cannot write to directory \"%s\": %s.", dir, strerror(errno));
  close(fd);
  unlink(path);
  return rc;
}

int ds_store_check_layout(ds_store *s, ds_error *err) {
  static const char *subdirs[] = {"", "/projects", "/files", "/tmp", "/tmp/duckdb"};
  ds_buf problems;
  ds_error one;
  int rc = 0;
  ds_buf_init(&problems, DS_ERROR_MSG_MAX);
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", s->data_dir, subdirs[i]);
    if (mkdir_p(path, &one) || probe_write(path, &one)) {
      if (problems.len) ds_buf_puts(&problems, "\n");
      ds_buf_printf(&problems, "- %s", one.msg);
    }
  }
  if (problems.len) rc = ds_error_set(err, DS_E_VALIDATION, "%s", problems.data);
  ds_buf_release(&problems);
  return rc;
}

int ds_store_open(const ds_store_opts *opts, ds_store **out, ds_error *err) {
  ds_store *s = ds_calloc(1, sizeof *s);
  duckdb_config cfg = NULL;
  char *open_err = NULL;
  char *sql = NULL;
  char buf[32];
  int rc = 0;
  pthread_mutex_init(&s->lock, NULL);
  for (int i = 0; i < DDL_STRIPES; i++) pthread_mutex_init(&s->ddl[i], NULL);
  s->on_attach = opts->on_attach;
  s->max_attached = opts->max_attached > 0 ? opts->max_attached : 64;
  s->projects = ds_map_new();
  if ((rc = mkdir_p(opts->data_dir, err))) goto out;
  char real[PATH_MAX];
  if (!realpath(opts->data_dir, real)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Cannot resolve data directory \"%s\": %s.", opts->data_dir, strerror(errno));
    goto out;
  }
  s->data_dir = ds_strdup(real);
  if ((rc = ds_store_check_layout(s, err))) goto out;

  duckdb_create_config(&cfg);
  if (opts->memory_limit && duckdb_set_config(cfg, "memory_limit", opts->memory_limit) == DuckDBError) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Invalid DuckDB memory limit \"%s\".", opts->memory_limit);
    goto out;
  }
  if (opts->threads > 0) {
    snprintf(buf, sizeof buf, "%d", opts->threads);
    duckdb_set_config(cfg, "threads", buf);
  }
  /* big sorts, dedups and staged imports spill here instead of the process's working directory */
  char tmpdir[PATH_MAX + 32];
  snprintf(tmpdir, sizeof tmpdir, "%s/tmp/duckdb", s->data_dir);
  duckdb_set_config(cfg, "temp_directory", tmpdir);
  /* Keboola tables are sets: no command relies on the order rows were inserted in (exports and previews
   * order explicitly). Preserving it serialises DuckDB's parallel INSERT ... SELECT: measured, a 1M-row
   * string-table import takes 1.99 s with it and 1.12 s without, on 2 cores. */
  duckdb_set_config(cfg, "preserve_insertion_order", "false");
  /* no extension may be downloaded or auto-loaded: the machine is offline and the service must not run
   * code it did not ship with */
  duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
  duckdb_set_config(cfg, "autoload_known_extensions", "false");
  if (duckdb_open_ext(NULL, &s->db, cfg, &open_err) == DuckDBError) {
    rc = ds_error_set(err, DS_E_INTERNAL, "Cannot open DuckDB: %s", open_err ? open_err : "unknown error");
    goto out;
  }
  if (duckdb_connect(s->db, &s->admin) == DuckDBError) {
    rc = ds_error_set(err, DS_E_INTERNAL, "Cannot connect to DuckDB.");
    goto out;
  }
  ds_buf b;
  ds_buf_init(&b, 2 * PATH_MAX);
  ds_buf_puts(&b, "ATTACH ");
  char catalog_path[PATH_MAX + 32];
  snprintf(catalog_path, sizeof catalog_path, "%s/catalog.duckdb", s->data_dir);
  ds_sql_literal(&b, catalog_path);
  ds_buf_puts(&b, " AS ds_catalog");
  sql = ds_buf_detach(&b, NULL);
  if ((rc = ds_store_exec(s->admin, sql, err))) {
    ds_error_prefix(err, "Cannot open the catalog %s: ", catalog_path);
    goto out;
  }
out:
  if (cfg) duckdb_destroy_config(&cfg);
  if (open_err) duckdb_free(open_err);
  ds_free(sql);
  if (rc) {
    ds_store_close(s);
    s = NULL;
  }
  *out = s;
  return rc;
}

static void free_project(void *p) { ds_free(p); }

void ds_store_close(ds_store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_idle; i++) duckdb_disconnect(&s->idle[i]);
  ds_free(s->idle);
  if (s->admin) {
    /* a clean close writes every WAL into its database file */
    ds_store_exec(s->admin, "CHECKPOINT ds_catalog", NULL);
    duckdb_disconnect(&s->admin);
  }
  if (s->db) duckdb_close(&s->db);
  ds_map_free(s->projects, free_project);
  pthread_mutex_destroy(&s->lock);
  for (int i = 0; i < DDL_STRIPES; i++) pthread_mutex_destroy(&s->ddl[i]);
  ds_free(s->data_dir);
  ds_free(s);
}

duckdb_connection ds_store_conn_get(ds_store *s) {
  duckdb_connection c = NULL;
  pthread_mutex_lock(&s->lock);
  if (s->n_idle) c = s->idle[--s->n_idle];
  pthread_mutex_unlock(&s->lock);
  if (!c && duckdb_connect(s->db, &c) == DuckDBError) {
    /* only fails when the database is closed, which happens after every worker has stopped */
    DS_LOG(DS_LOG_ERROR, "store", "duckdb_connect failed");
    abort();
  }
  return c;
}

void ds_store_conn_put(ds_store *s, duckdb_connection c) {
  if (!c) return;
  pthread_mutex_lock(&s->lock);
  if (s->n_idle < POOL_MAX_IDLE) {
    if (!s->idle) s->idle = ds_calloc(POOL_MAX_IDLE, sizeof *s->idle);
    s->idle[s->n_idle++] = c;
    c = NULL;
  }
  pthread_mutex_unlock(&s->lock);
  if (c) duckdb_disconnect(&c);
}

static void project_paths(const ds_store *s, const char *id, char *db, char *wal, char *files) {
  snprintf(db, PATH_MAX, "%s/projects/%s.duckdb", s->data_dir, id);
  snprintf(wal, PATH_MAX, "%s/projects/%s.duckdb.wal", s->data_dir, id);
  snprintf(files, PATH_MAX, "%s/files/%s", s->data_dir, id);
}

/* Runs ATTACH or DETACH for id on the admin connection. Caller holds s->lock. */
static int attach_locked(ds_store *s, const char *id, int attach, ds_error *err) {
  char db[PATH_MAX], wal[PATH_MAX], files[PATH_MAX];
  ds_buf b;
  int rc;
  project_paths(s, id, db, wal, files);
  ds_buf_init(&b, 2 * PATH_MAX);
  if (attach) {
    ds_buf_puts(&b, "ATTACH ");
    ds_sql_literal(&b, db);
    ds_buf_puts(&b, " AS ");
    ds_sql_ident(&b, id);
  } else {
    ds_buf_puts(&b, "DETACH ");
    ds_sql_ident(&b, id);
  }
  rc = ds_store_exec(s->admin, b.data, err);
  ds_buf_release(&b);
  if (!rc && attach && s->on_attach && (rc = s->on_attach(s->admin, id, err))) {
    ds_error ignored;
    ds_buf_init(&b, 2 * PATH_MAX);
    ds_buf_puts(&b, "DETACH ");
    ds_sql_ident(&b, id);
    ds_store_exec(s->admin, b.data, &ignored);
    ds_buf_release(&b);
  }
  return rc;
}

struct lru_scan {
  const char *victim;
  unsigned long long oldest;
};

static void lru_pick(const char *key, void *value, void *arg) {
  struct project *p = value;
  struct lru_scan *scan = arg;
  if (p->attached && p->refs == 0 && (!scan->victim || p->last_used < scan->oldest)) {
    scan->victim = key;
    scan->oldest = p->last_used;
  }
}

/* Detaches idle projects, least recently used first, until at most max_attached remain. Caller holds lock. */
static void evict_locked(ds_store *s) {
  while (s->n_attached > (size_t)s->max_attached) {
    struct lru_scan scan = {NULL, 0};
    ds_map_each(s->projects, lru_pick, &scan);
    if (!scan.victim) return; /* everything attached is in use */
    ds_error err;
    struct project *p = ds_map_get(s->projects, scan.victim);
    if (attach_locked(s, scan.victim, 0, &err)) {
      DS_LOG(DS_LOG_WARN, "store", "cannot detach project %s: %s", scan.victim, err.msg);
      p->last_used = ++s->tick; /* try another one next time */
      return;
    }
    p->attached = 0;
    s->n_attached--;
  }
}

static struct project *project_slot_locked(ds_store *s, const char *id) {
  struct project *p = ds_map_get(s->projects, id);
  if (!p) {
    p = ds_calloc(1, sizeof *p);
    ds_map_put(s->projects, id, p);
  }
  return p;
}

int ds_store_project_create(ds_store *s, const char *project_id, ds_error *err) {
  char db[PATH_MAX], wal[PATH_MAX], files[PATH_MAX];
  int rc;
  if ((rc = ds_project_id_check(project_id, err))) return rc;
  project_paths(s, project_id, db, wal, files);
  pthread_mutex_lock(&s->lock);
  struct project *p = project_slot_locked(s, project_id);
  if (p->attached) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Project database \"%s\" is already open.", project_id);
    goto out;
  }
  /* the catalog, which is the source of truth, has no such project: a file here is a leftover */
  if (unlink(db) == 0) DS_LOG(DS_LOG_WARN, "store", "removed a stale database file of project %s", project_id);
  unlink(wal);
  if ((rc = mkdir_p(files, err))) goto out;
  if ((rc = attach_locked(s, project_id, 1, err))) goto out;
  p->attached = 1;
  p->last_used = ++s->tick;
  s->n_attached++;
  evict_locked(s);
out:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

int ds_store_project_acquire(ds_store *s, const char *project_id, ds_error *err) {
  int rc = 0;
  pthread_mutex_lock(&s->lock);
  struct project *p = project_slot_locked(s, project_id);
  if (!p->attached) {
    char db[PATH_MAX], wal[PATH_MAX], files[PATH_MAX];
    project_paths(s, project_id, db, wal, files);
    if (access(db, F_OK)) {
      rc = ds_error_set(err, DS_E_NOT_FOUND, "The database of project \"%s\" is missing.", project_id);
      goto out;
    }
    if ((rc = attach_locked(s, project_id, 1, err))) goto out;
    p->attached = 1;
    s->n_attached++;
  }
  p->refs++;
  p->last_used = ++s->tick;
out:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

void ds_store_project_release(ds_store *s, const char *project_id) {
  pthread_mutex_lock(&s->lock);
  struct project *p = ds_map_get(s->projects, project_id);
  if (p && p->refs > 0) {
    p->refs--;
    p->last_used = ++s->tick;
    evict_locked(s);
  }
  pthread_mutex_unlock(&s->lock);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int ds_store_project_drop(ds_store *s, const char *project_id, ds_error *err) {
  char db[PATH_MAX], wal[PATH_MAX], files[PATH_MAX];
  int rc = 0;
  if ((rc = ds_project_id_check(project_id, err))) return rc;
  project_paths(s, project_id, db, wal, files);
  pthread_mutex_lock(&s->lock);
  struct project *p = ds_map_get(s->projects, project_id);
  if (p && p->refs > 0) {
    rc = ds_error_set(err, DS_E_RESOURCE_FULL, "Project \"%s\" is in use by another call; try again.", project_id);
    goto out;
  }
  if (p && p->attached) {
    if ((rc = attach_locked(s, project_id, 0, err))) goto out;
    s->n_attached--;
  }
  if (p) ds_free(ds_map_remove(s->projects, project_id));
  if (unlink(db) && errno != ENOENT) {
    rc = ds_error_set(err, DS_E_INTERNAL, "Cannot remove \"%s\": %s.", db, strerror(errno));
    goto out;
  }
  unlink(wal);
  if (nftw(files, rm_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
    DS_LOG(DS_LOG_WARN, "store", "cannot remove the files of project %s: %s", project_id, strerror(errno));
  /* unfinished multipart uploads of the S3 API (src/s3/multipart.c) */
  char parts[PATH_MAX];
  snprintf(parts, sizeof parts, "%s/tmp/multipart/%s", s->data_dir, project_id);
  if (nftw(parts, rm_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
    DS_LOG(DS_LOG_WARN, "store", "cannot remove the multipart uploads of project %s: %s", project_id, strerror(errno));
out:
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static pthread_mutex_t *ddl_stripe(ds_store *s, const char *id) {
  unsigned h = 2166136261u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 16777619u;
  return &s->ddl[h % DDL_STRIPES];
}

void ds_store_project_lock(ds_store *s, const char *project_id) { pthread_mutex_lock(ddl_stripe(s, project_id)); }
void ds_store_project_unlock(ds_store *s, const char *project_id) { pthread_mutex_unlock(ddl_stripe(s, project_id)); }
