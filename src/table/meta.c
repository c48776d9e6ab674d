/* meta.c: the per-project object registry and reflection (see meta.h). */
#include "table/meta.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/names.h"
#include "store/store.h"
#include "table/types.h"

#define SQL_MAX (1u << 20)

int ds_meta_qualified(ds_buf *b, const char *project, const char *schema, const char *name) {
  int rc = ds_sql_ident(b, project);
  if (!rc && schema) rc = ds_buf_puts(b, ".");
  if (!rc && schema) rc = ds_sql_ident(b, schema);
  if (!rc && name) rc = ds_buf_puts(b, ".");
  if (!rc && name) rc = ds_sql_ident(b, name);
  return rc;
}

/* Runs a statement on the registry of `project`: each "%s" in sql stands for "<project>"._duckstore. */
static int meta_exec(duckdb_connection conn, const char *project, const char *fmt, const char *const *params,
                     size_t n, duckdb_result *res, ds_error *err) {
  ds_buf q, b;
  int rc;
  ds_buf_init(&q, 1024);
  ds_buf_init(&b, SQL_MAX);
  ds_meta_qualified(&q, project, DS_META_SCHEMA, NULL);
  rc = 0;
  for (const char *f = fmt; *f && !rc; f++) {
    if (f[0] == '%' && f[1] == 's') {
      rc = ds_buf_puts(&b, q.data);
      f++;
    } else {
      rc = ds_buf_append(&b, f, 1);
    }
  }
  if (!rc) rc = ds_store_exec_params(conn, b.data, params, n, res, err);
  else rc = ds_error_set(err, DS_E_INTERNAL, "registry statement too long");
  ds_buf_release(&q);
  ds_buf_release(&b);
  return rc;
}

int ds_meta_on_attach(duckdb_connection conn, const char *project, ds_error *err) {
  static const char *const stmts[] = {
      "CREATE SCHEMA IF NOT EXISTS %s",
      "CREATE TABLE IF NOT EXISTS %s.objects (schema_name VARCHAR NOT NULL, object_name VARCHAR NOT NULL, "
      "kind VARCHAR NOT NULL, primary_key VARCHAR NOT NULL DEFAULT '[]')",
      "CREATE TABLE IF NOT EXISTS %s.columns (schema_name VARCHAR NOT NULL, object_name VARCHAR NOT NULL, "
      "column_name VARCHAR NOT NULL, length VARCHAR NOT NULL, default_expr VARCHAR NOT NULL)",
  };
  int rc = 0;
  for (size_t i = 0; i < sizeof stmts / sizeof stmts[0] && !rc; i++)
    rc = meta_exec(conn, project, stmts[i], NULL, 0, NULL, err);
  if (rc) ds_error_prefix(err, "Cannot prepare the metadata of project \"%s\": ", project);
  return rc;
}

int ds_meta_schema_reserved(const char *schema) {
  static const char *const reserved[] = {"main", DS_META_SCHEMA, "information_schema", "pg_catalog", "temp", NULL};
  for (int i = 0; reserved[i]; i++)
    if (strcasecmp(schema, reserved[i]) == 0) return 1;
  return 0;
}

static char **strings_of(ds_pool *pool, duckdb_result *res, size_t col, size_t *n) {
  size_t rows = ds_store_rows(res);
  char **out = ds_pool_alloc(pool, (rows ? rows : 1) * sizeof *out);
  for (size_t i = 0; i < rows; i++) {
    char *v = ds_store_value_str(res, col, i);
    out[i] = ds_pool_strdup(pool, v ? v : "");
    ds_free(v);
  }
  *n = rows;
  return out;
}

int ds_meta_schema_find(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                        char **actual, int *found, ds_error *err) {
  duckdb_result res;
  const char *p[] = {project, schema};
  *found = 0;
  int rc = ds_store_exec_params(conn,
                                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = $1 AND "
                                "lower(schema_name) = lower($2)",
                                p, 2, &res, err);
  if (!rc && ds_store_rows(&res) > 0 && !ds_meta_schema_reserved(schema)) {
    size_t n;
    char **names = strings_of(pool, &res, 0, &n);
    *found = 1;
    if (actual) *actual = names[0];
  }
  duckdb_destroy_result(&res);
  return rc;
}

int ds_meta_schema_list(ds_pool *pool, duckdb_connection conn, const char *project, char ***names, size_t *n,
                        ds_error *err) {
  duckdb_result res;
  const char *p[] = {project, DS_META_SCHEMA};
  int rc = ds_store_exec_params(conn,
                                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = $1 AND NOT internal "
                                "AND schema_name NOT IN ('main', $2) ORDER BY schema_name",
                                p, 2, &res, err);
  if (!rc) *names = strings_of(pool, &res, 0, n);
  duckdb_destroy_result(&res);
  return rc;
}

static ds_obj_kind kind_of(const char *k) {
  return k && strcmp(k, "view") == 0 ? DS_OBJ_VIEW : k && strcmp(k, "table") == 0 ? DS_OBJ_TABLE : DS_OBJ_NONE;
}

int ds_meta_object_list(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                        char ***names, ds_obj_kind **kinds, size_t *n, ds_error *err) {
  duckdb_result res;
  const char *p[] = {schema};
  int rc = meta_exec(conn, project,
                     "SELECT object_name, kind FROM %s.objects WHERE lower(schema_name) = lower($1) ORDER BY object_name",
                     p, 1, &res, err);
  if (!rc) {
    size_t k;
    *names = strings_of(pool, &res, 0, n);
    char **ks = strings_of(pool, &res, 1, &k);
    *kinds = ds_pool_alloc(pool, (*n ? *n : 1) * sizeof **kinds);
    for (size_t i = 0; i < *n; i++) (*kinds)[i] = kind_of(ks[i]);
  }
  duckdb_destroy_result(&res);
  return rc;
}

static int pk_parse(ds_pool *pool, const char *text, char ***pk, size_t *n_pk) {
  json_error_t je;
  json_t *a = json_loads(text ? text : "[]", 0, &je);
  *pk = NULL;
  *n_pk = 0;
  if (!a || !json_is_array(a)) {
    json_decref(a);
    return 0; /* an unreadable key is no key */
  }
  size_t n = json_array_size(a);
  *pk = ds_pool_alloc(pool, (n ? n : 1) * sizeof **pk);
  for (size_t i = 0; i < n; i++) {
    const char *s = json_string_value(json_array_get(a, i));
    if (s) (*pk)[(*n_pk)++] = ds_pool_strdup(pool, s);
  }
  json_decref(a);
  return 0;
}

static char *pk_json(const char *const *pk, size_t n_pk) {
  json_t *a = json_array();
  for (size_t i = 0; i < n_pk; i++) json_array_append_new(a, json_string(pk[i]));
  char *s = json_dumps(a, JSON_COMPACT);
  json_decref(a);
  return s;
}

int ds_meta_object_find(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                        const char *name, ds_obj_kind *kind, char **actual_name, char ***pk, size_t *n_pk,
                        ds_error *err) {
  duckdb_result res;
  const char *p[] = {schema, name};
  *kind = DS_OBJ_NONE;
  if (pk) *pk = NULL, *n_pk = 0;
  int rc = meta_exec(conn, project,
                     "SELECT object_name, kind, primary_key FROM %s.objects WHERE lower(schema_name) = lower($1) "
                     "AND lower(object_name) = lower($2)",
                     p, 2, &res, err);
  if (!rc && ds_store_rows(&res) > 0) {
    size_t n;
    char **names = strings_of(pool, &res, 0, &n);
    char **kinds = strings_of(pool, &res, 1, &n);
    char **keys = strings_of(pool, &res, 2, &n);
    *kind = kind_of(kinds[0]);
    if (actual_name) *actual_name = names[0];
    if (pk) pk_parse(pool, keys[0], pk, n_pk);
  }
  duckdb_destroy_result(&res);
  return rc;
}

ds_column *ds_meta_column(const ds_object *o, const char *name) {
  for (size_t i = 0; i < o->n_columns; i++)
    if (strcasecmp(o->columns[i].name, name) == 0) return &o->columns[i];
  return NULL;
}

/* One statement for everything the registry knows of schema.name: the schema's spelling (part 0), the
 * object's row (part 1) and its column rows (part 2). Saves three round trips on the ObjectInfo path. */
static int lookup(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema, const char *name,
                  ds_object *out, char ***col_rows, size_t *n_col_rows, ds_error *err) {
  duckdb_result res;
  const char *p[] = {project, schema, name};
  memset(out, 0, sizeof *out);
  *n_col_rows = 0;
  int rc = meta_exec(conn, project,
                     "SELECT 0, schema_name, NULL, NULL FROM duckdb_schemas() WHERE database_name = $1 AND "
                     "lower(schema_name) = lower($2) "
                     "UNION ALL SELECT 1, object_name, kind, primary_key FROM %s.objects WHERE lower(schema_name) = "
                     "lower($2) AND lower(object_name) = lower($3) "
                     "UNION ALL SELECT 2, column_name, length, default_expr FROM %s.columns WHERE lower(schema_name) = "
                     "lower($2) AND lower(object_name) = lower($3)",
                     p, 3, &res, err);
  if (rc) goto out;
  size_t rows = ds_store_rows(&res), n;
  char **a = strings_of(pool, &res, 1, &n), **b = strings_of(pool, &res, 2, &n), **c = strings_of(pool, &res, 3, &n);
  *col_rows = ds_pool_alloc(pool, (rows ? rows : 1) * 3 * sizeof **col_rows);
  for (size_t i = 0; i < rows; i++) {
    long long part = ds_store_value_i64(&res, 0, i);
    if (part == 0 && !ds_meta_schema_reserved(a[i])) out->schema = a[i];
    if (part == 1) {
      out->name = a[i];
      out->kind = kind_of(b[i]);
      pk_parse(pool, c[i], &out->pk, &out->n_pk);
    }
    if (part == 2) {
      (*col_rows)[3 * *n_col_rows] = a[i];
      (*col_rows)[3 * *n_col_rows + 1] = b[i];
      (*col_rows)[3 * *n_col_rows + 2] = c[i];
      (*n_col_rows)++;
    }
  }
  /* a missing schema is reported as such, before the object */
  if (!out->schema) rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", schema);
  else if (out->kind == DS_OBJ_NONE) rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", name);
out:
  duckdb_destroy_result(&res);
  return rc;
}

int ds_meta_locate(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                   const char *name, ds_object *out, ds_error *err) {
  char **col_rows;
  size_t n;
  return lookup(pool, conn, project, schema, name, out, &col_rows, &n, err);
}

int ds_meta_describe(ds_pool *pool, duckdb_connection conn, const char *project, const char *schema,
                     const char *name, ds_object *out, ds_error *err) {
  duckdb_result res;
  ds_buf b;
  char **col_rows = NULL;
  size_t n_col_rows = 0;
  int rc;
  memset(&res, 0, sizeof res);
  ds_buf_init(&b, SQL_MAX);
  if ((rc = lookup(pool, conn, project, schema, name, out, &col_rows, &n_col_rows, err))) goto out;
  ds_buf_puts(&b, "DESCRIBE ");
  ds_meta_qualified(&b, project, out->schema, out->name);
  if ((rc = ds_store_exec_params(conn, b.data, NULL, 0, &res, err))) {
    /* a view whose source is gone, for example */
    ds_error_prefix(err, "Cannot read \"%s\": ", out->name);
    rc = err->kind = DS_E_VALIDATION;
    goto out;
  }
  size_t n = ds_store_rows(&res);
  out->columns = ds_pool_calloc(pool, (n ? n : 1) * sizeof *out->columns);
  for (size_t i = 0; i < n; i++) {
    ds_column *c = &out->columns[i];
    char *v;
    c->name = ds_pool_strdup(pool, (v = ds_store_value_str(&res, 0, i)) ? v : "");
    ds_free(v);
    c->described = ds_pool_strdup(pool, (v = ds_store_value_str(&res, 1, i)) ? v : "");
    ds_free(v);
    v = ds_store_value_str(&res, 2, i);
    c->nullable = v && strcmp(v, "YES") == 0;
    ds_free(v);
    c->def = ds_pool_strdup(pool, (v = ds_store_value_str(&res, 4, i)) ? v : "");
    ds_free(v);
    char tname[DS_TYPE_SQL_MAX], params[DS_TYPE_SQL_MAX];
    ds_type_split(c->described, tname, params);
    c->type = ds_pool_strdup(pool, tname);
    c->length = ds_pool_strdup(pool, params);
  }
  out->n_columns = n;
  /* lengths and defaults as given */
  for (size_t i = 0; i < n_col_rows; i++) {
    ds_column *c = ds_meta_column(out, col_rows[3 * i]);
    if (c && *col_rows[3 * i + 1]) c->length = col_rows[3 * i + 1];
    if (c && *col_rows[3 * i + 2] && *c->def) c->def = col_rows[3 * i + 2]; /* as given, while DuckDB has one */
  }
out:
  duckdb_destroy_result(&res);
  ds_buf_release(&b);
  return rc;
}

int ds_meta_object_add(duckdb_connection conn, const char *project, const char *schema, const char *name,
                       ds_obj_kind kind, const char *const *pk, size_t n_pk, ds_error *err) {
  char *key = pk_json(pk, n_pk);
  const char *p[] = {schema, name, kind == DS_OBJ_VIEW ? "view" : "table", key};
  int rc = meta_exec(conn, project, "INSERT INTO %s.objects VALUES ($1, $2, $3, $4)", p, 4, NULL, err);
  free(key);
  return rc;
}

int ds_meta_object_put(duckdb_connection conn, const char *project, const char *schema, const char *name,
                       ds_obj_kind kind, const char *const *pk, size_t n_pk, ds_error *err) {
  int rc = ds_meta_object_remove(conn, project, schema, name, err);
  return rc ? rc : ds_meta_object_add(conn, project, schema, name, kind, pk, n_pk, err);
}

int ds_meta_object_remove(duckdb_connection conn, const char *project, const char *schema, const char *name,
                          ds_error *err) {
  const char *p[] = {schema, name};
  int rc = meta_exec(conn, project,
                     "DELETE FROM %s.objects WHERE lower(schema_name) = lower($1) AND lower(object_name) = lower($2)",
                     p, 2, NULL, err);
  if (!rc)
    rc = meta_exec(conn, project,
                   "DELETE FROM %s.columns WHERE lower(schema_name) = lower($1) AND lower(object_name) = lower($2)",
                   p, 2, NULL, err);
  return rc;
}

int ds_meta_schema_remove(duckdb_connection conn, const char *project, const char *schema, ds_error *err) {
  const char *p[] = {schema};
  int rc = meta_exec(conn, project, "DELETE FROM %s.objects WHERE lower(schema_name) = lower($1)", p, 1, NULL, err);
  if (!rc) rc = meta_exec(conn, project, "DELETE FROM %s.columns WHERE lower(schema_name) = lower($1)", p, 1, NULL, err);
  return rc;
}

int ds_meta_set_pk(duckdb_connection conn, const char *project, const char *schema, const char *name,
                   const char *const *pk, size_t n_pk, ds_error *err) {
  char *key = pk_json(pk, n_pk);
  const char *p[] = {key, schema, name};
  int rc = meta_exec(conn, project,
                     "UPDATE %s.objects SET primary_key = $1 WHERE lower(schema_name) = lower($2) AND "
                     "lower(object_name) = lower($3)",
                     p, 3, NULL, err);
  free(key);
  return rc;
}

int ds_meta_set_column(duckdb_connection conn, const char *project, const char *schema, const char *table,
                       const char *column, const char *length, const char *def, ds_error *err) {
  const char *p[] = {schema, table, column, length ? length : "", def ? def : ""};
  int rc = meta_exec(conn, project,
                     "DELETE FROM %s.columns WHERE lower(schema_name) = lower($1) AND lower(object_name) = lower($2) "
                     "AND lower(column_name) = lower($3)",
                     p, 3, NULL, err);
  if (!rc && (*p[3] || *p[4]))
    rc = meta_exec(conn, project, "INSERT INTO %s.columns VALUES ($1, $2, $3, $4, $5)", p, 5, NULL, err);
  return rc;
}

int ds_meta_table_stats(duckdb_connection conn, const char *project, const ds_object *o, long long *rows,
                        long long *bytes, ds_error *err) {
  duckdb_result res;
  ds_buf b;
  int rc;
  ds_buf_init(&b, SQL_MAX);
  ds_buf_puts(&b, "SELECT count(*) FROM ");
  ds_meta_qualified(&b, project, o->schema, o->name);
  rc = ds_store_exec_params(conn, b.data, NULL, 0, &res, err);
  *rows = !rc && ds_store_rows(&res) ? ds_store_value_i64(&res, 0, 0) : 0;
  duckdb_destroy_result(&res);
  ds_buf_release(&b);
  long long width = 0;
  for (size_t i = 0; i < o->n_columns; i++) width += ds_type_width(o->columns[i].described);
  *bytes = *rows * width;
  return rc;
}
