/* import.c: staging and the final write of imports (see import.h). */
#include "table/import.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/names.h"
#include "store/store.h"
#include "table/types.h"

#define STAGE "__ds_import_stage"
#define SQL_MAX (64u << 20)

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void ds_import_clean_error(char *msg) {
  /* DuckDB's message is lines: the error and its details, then "Possible fixes:" / "Possible Solution:"
   * (read_csv options a client cannot set) and the reader's settings, including server paths. Keep the
   * lines before those, joined into one. */
  char out[DS_ERROR_MSG_MAX];
  size_t o = 0;
  for (const char *p = msg; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (!strncmp(p, "Possible fix", 12) || !strncmp(p, "Possible Solution", 17) || !strncmp(p, "LINE ", 5) ||
        !strncmp(p, "  file = ", 9))
      break;
    if (len) {
      if (o && o + 2 < sizeof out) out[o++] = ';', out[o++] = ' ';
      size_t n = len < sizeof out - 1 - o ? len : sizeof out - 1 - o;
      memcpy(out + o, p, n);
      o += n;
    }
    if (!nl) break;
    p = nl + 1;
  }
  out[o] = 0;
  memcpy(msg, out, o + 1);
  static const char *const prefixes[] = {"Invalid Input Error: ", "Conversion Error: ", "Constraint Error: ",
                                         "Binder Error: ", "Parser Error: ", "IO Error: ", NULL};
  for (int i = 0; prefixes[i]; i++) {
    size_t n = strlen(prefixes[i]);
    if (strncmp(msg, prefixes[i], n) == 0) {
      memmove(msg, msg + n, strlen(msg + n) + 1);
      break;
    }
  }
  const char *nn = "NOT NULL constraint failed: ";
  if (strncmp(msg, nn, strlen(nn)) == 0) {
    const char *col = strrchr(msg, '.');
    char name[512];
    snprintf(name, sizeof name, "%s", col ? col + 1 : msg + strlen(nn));
    snprintf(msg, DS_ERROR_MSG_MAX, "Required field %s cannot be null", name);
  }
}

/* The DuckDB failure of an import statement as a 3000 (bad data) error with a clean message. */
static int data_error(ds_error *err) {
  const char *oom = "Out of Memory Error: ";
  if (strncmp(err->msg, oom, strlen(oom)) == 0) {
    /* not the data's fault: the service's memory limit; retryable, and the operator can raise it */
    char *cut = strchr(err->msg, '\n');
    if (cut) *cut = 0;
    ds_error_prefix(err, "The import needs more memory than the service may use (--duckdb-memory-limit): ");
    return err->kind = DS_E_RESOURCE_FULL;
  }
  ds_import_clean_error(err->msg);
  return err->kind = DS_E_VALIDATION;
}

static int in_list(char **list, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(list[i], name) == 0) return 1;
  return 0;
}

static int find(char **list, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(list[i], name) == 0) return (int)i;
  return -1;
}

/* Appends the expression that turns staged column `i` into destination column c. */
static void value_expr(ds_buf *b, const ds_import_spec *sp, const ds_column *c, size_t i) {
  ds_buf v;
  ds_buf_init(&v, 4096);
  ds_buf_puts(&v, "s.");
  ds_sql_ident(&v, sp->columns[i]);
  ds_type_kind kind = ds_type_kind_of(c->type);
  ds_buf e;
  ds_buf_init(&e, 8192);
  if (sp->string_table && kind == DS_TK_STRING) {
    ds_buf_printf(&e, in_list(sp->empty_to_null, sp->n_empty_to_null, c->name) ? "NULLIF(%s, '')" : "COALESCE(%s, '')",
                  v.data);
  } else if (sp->string_table) {
    ds_buf_printf(&e, "CAST(NULLIF(%s, '') AS %s)", v.data, c->described);
  } else {
    ds_buf_puts(&e, v.data);
  }
  long long max = kind == DS_TK_STRING && *c->length ? ds_type_parse_string_length(c->length) : 0;
  if (max > 0) {
    /* the contract's length rule, checked in the same pass as the write */
    ds_buf msg;
    ds_buf_init(&msg, 1024);
    ds_buf_printf(&msg, "Field %s: VARCHAR(%lld) has maximum length %lld but got a value with length ", c->name, max,
                  max);
    ds_buf_printf(b, "(CASE WHEN length(%s) > %lld THEN error(", e.data, max);
    ds_sql_literal(b, msg.data);
    ds_buf_printf(b, " || length(%s)::VARCHAR) ELSE %s END)", e.data, e.data);
    ds_buf_release(&msg);
  } else {
    ds_buf_puts(b, e.data);
  }
  ds_buf_release(&e);
  ds_buf_release(&v);
}

/* "SELECT <exprs> FROM <from>" with the destination column list in *cols; `from` names its rows s. */
static void select_sql(ds_buf *b, ds_buf *cols, const ds_import_spec *sp, const char *ts, const char *from) {
  int first = 1;
  ds_buf_puts(b, "SELECT ");
  for (size_t k = 0; k < sp->dest->n_columns; k++) {
    const ds_column *c = &sp->dest->columns[k];
    int i = find(sp->columns, sp->n_columns, c->name);
    int is_ts = strcasecmp(c->name, "_timestamp") == 0;
    if (i < 0 && !(is_ts && sp->manage_timestamp)) continue; /* keeps its default */
    if (!first) ds_buf_puts(b, ", "), ds_buf_puts(cols, ", ");
    first = 0;
    ds_sql_ident(cols, c->name);
    if (is_ts && sp->manage_timestamp) ds_buf_printf(b, "TIMESTAMP '%s'", ts);
    else value_expr(b, sp, c, (size_t)i);
    ds_buf_puts(b, " AS ");
    ds_sql_ident(b, c->name);
  }
  ds_buf_printf(b, " FROM %s", from);
}

static int count_sql(duckdb_connection conn, const char *sql, long long *n, ds_error *err) {
  duckdb_result res;
  int rc = ds_store_exec_params(conn, sql, NULL, 0, &res, err);
  *n = !rc && ds_store_rows(&res) ? ds_store_value_i64(&res, 0, 0) : 0;
  duckdb_destroy_result(&res);
  return rc;
}

static void key_list(ds_buf *b, const ds_import_spec *sp, const char *alias) {
  for (size_t k = 0; k < sp->n_dedup_columns; k++) {
    if (k) ds_buf_puts(b, ", ");
    if (alias) ds_buf_printf(b, "%s.", alias);
    ds_sql_ident(b, sp->dedup_columns[k]);
  }
}

/* The staged rows with one row per key, as a relation named s. Which of a key's rows survives is not
 * determined (as in BigQuery). A hash aggregate rather than a window: DuckDB spills the aggregate to the temp
 * directory, while `row_number() OVER (PARTITION BY key)` ran out of memory under a 1 GB limit on a 1.1 GB
 * file; any_value over a struct keeps each surviving row whole. */
static void dedup_from(ds_buf *b, const ds_import_spec *sp) {
  int rest = 0;
  ds_buf_puts(b, "(SELECT ");
  key_list(b, sp, NULL);
  ds_buf_puts(b, ", \"__ds_row\".* FROM (SELECT ");
  key_list(b, sp, NULL);
  ds_buf_puts(b, ", any_value({");
  for (size_t i = 0; i < sp->n_columns; i++) {
    int is_key = 0;
    for (size_t k = 0; k < sp->n_dedup_columns; k++) is_key |= strcasecmp(sp->columns[i], sp->dedup_columns[k]) == 0;
    if (is_key) continue;
    if (rest++) ds_buf_puts(b, ", ");
    ds_sql_literal(b, sp->columns[i]);
    ds_buf_puts(b, ": ");
    ds_sql_ident(b, sp->columns[i]);
  }
  if (!rest) ds_buf_puts(b, "'__ds_none': NULL");
  ds_buf_puts(b, "}) AS \"__ds_row\" FROM " STAGE " GROUP BY ");
  key_list(b, sp, NULL);
  ds_buf_puts(b, ")) s");
}

/* MERGE for INCREMENTAL with a key: update rows whose values differ, insert new keys. */
static void merge_sql(ds_buf *b, const ds_import_spec *sp, const char *ts, const char *select) {
  ds_buf_puts(b, "MERGE INTO ");
  ds_meta_qualified(b, sp->project, sp->dest->schema, sp->dest->name);
  ds_buf_printf(b, " AS d USING (%s) AS n ON (", select);
  for (size_t k = 0; k < sp->n_dedup_columns; k++) {
    if (k) ds_buf_puts(b, " AND ");
    ds_buf_puts(b, "d.");
    ds_sql_ident(b, sp->dedup_columns[k]);
    ds_buf_puts(b, " = n.");
    ds_sql_ident(b, sp->dedup_columns[k]);
  }
  ds_buf_puts(b, ") WHEN MATCHED AND (false");
  for (size_t i = 0; i < sp->n_columns; i++) {
    if (strcasecmp(sp->columns[i], "_timestamp") == 0) continue; /* a new timestamp alone is no change */
    ds_buf_puts(b, " OR d.");
    ds_sql_ident(b, sp->columns[i]);
    ds_buf_puts(b, " IS DISTINCT FROM n.");
    ds_sql_ident(b, sp->columns[i]);
  }
  ds_buf_puts(b, ") THEN UPDATE SET ");
  int first = 1;
  for (size_t i = 0; i < sp->n_columns; i++) {
    if (sp->manage_timestamp && strcasecmp(sp->columns[i], "_timestamp") == 0) continue;
    if (!first) ds_buf_puts(b, ", ");
    first = 0;
    ds_sql_ident(b, sp->columns[i]);
    ds_buf_puts(b, " = n.");
    ds_sql_ident(b, sp->columns[i]);
  }
  if (sp->manage_timestamp) ds_buf_printf(b, "%s\"_timestamp\" = TIMESTAMP '%s'", first ? "" : ", ", ts);
  ds_buf_puts(b, " WHEN NOT MATCHED THEN INSERT BY NAME");
}

/* The staged path's checks: counts, and FAIL_ON_DUPLICATES on the source. */
static int stage(duckdb_connection conn, const ds_import_spec *sp, const char *from, ds_buf *b, ds_import_result *out,
                 ds_error *err) {
  int rc;
  ds_buf_reset(b);
  ds_buf_printf(b, "CREATE OR REPLACE TEMP TABLE " STAGE " AS SELECT * FROM %s", from);
  if (b->len + 1 >= b->max) return ds_error_set(err, DS_E_VALIDATION, "The import statement is too long.");
  if ((rc = ds_store_exec(conn, b->data, err))) return data_error(err);
  if ((rc = count_sql(conn, "SELECT count(*) FROM " STAGE, &out->imported_rows, err))) return rc;
  if (sp->type != DS_IMPORT_INCREMENTAL && sp->dedup != DS_DEDUP_FAIL) return 0;
  long long distinct;
  ds_buf_reset(b);
  ds_buf_puts(b, "SELECT count(*) FROM (SELECT DISTINCT ");
  key_list(b, sp, NULL);
  ds_buf_puts(b, " FROM " STAGE ")");
  if ((rc = count_sql(conn, b->data, &distinct, err))) return rc;
  if (sp->dedup == DS_DEDUP_FAIL && distinct != out->imported_rows)
    return ds_error_set(err, DS_E_VALIDATION,
                        "The source holds %lld rows with a duplicate key (FAIL_ON_DUPLICATES); nothing was imported.",
                        out->imported_rows - distinct);
  if (sp->type == DS_IMPORT_INCREMENTAL) out->imported_rows = distinct;
  return 0;
}

/* INCREMENTAL + FAIL_ON_DUPLICATES: no staged key may exist in the destination already. */
static int check_clash(duckdb_connection conn, const ds_import_spec *sp, ds_buf *b, ds_error *err) {
  long long clash;
  ds_buf_reset(b);
  ds_buf_puts(b, "SELECT count(*) FROM " STAGE " s SEMI JOIN ");
  ds_meta_qualified(b, sp->project, sp->dest->schema, sp->dest->name);
  ds_buf_puts(b, " d ON (");
  for (size_t k = 0; k < sp->n_dedup_columns; k++) {
    if (k) ds_buf_puts(b, " AND ");
    ds_buf_puts(b, "s.");
    ds_sql_ident(b, sp->dedup_columns[k]);
    ds_buf_puts(b, " = d.");
    ds_sql_ident(b, sp->dedup_columns[k]);
  }
  ds_buf_puts(b, ")");
  int rc = count_sql(conn, b->data, &clash, err);
  if (!rc && clash)
    rc = ds_error_set(err, DS_E_VALIDATION,
                      "%lld rows of the source have a key the table already holds (FAIL_ON_DUPLICATES); nothing was "
                      "imported.",
                      clash);
  return rc;
}

int ds_import_run(ds_pool *pool, duckdb_connection conn, const ds_import_spec *sp, ds_import_result *out,
                  ds_error *err) {
  ds_buf b, cols, sel, from;
  int rc, in_tx = 0;
  char ts[64];
  (void)pool;
  memset(out, 0, sizeof *out);
  ds_buf_init(&b, SQL_MAX);
  ds_buf_init(&cols, SQL_MAX);
  ds_buf_init(&sel, SQL_MAX);
  ds_buf_init(&from, SQL_MAX);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
  int keyed = sp->n_dedup_columns > 0 && sp->dedup != DS_DEDUP_INSERT;

  /* the source as a relation named s with the destination's column names */
  ds_buf_printf(&from, "(%s) s(", sp->source_sql);
  for (size_t i = 0; i < sp->n_columns; i++) {
    if (i) ds_buf_puts(&from, ", ");
    ds_sql_ident(&from, sp->columns[i]);
  }
  if (ds_buf_puts(&from, ")")) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The import statement is too long.");
    goto out;
  }
  /* Without a key the source streams straight into the destination: no staging copy, memory stays flat
   * however big the file is. With a key it is staged once (dedup, counts, duplicate checks). */
  double t0 = now_s();
  if (keyed && (rc = stage(conn, sp, from.data, &b, out, err))) goto out;
  out->t_staging = now_s() - t0;

  t0 = now_s();
  if ((rc = ds_store_exec(conn, "BEGIN TRANSACTION", err))) goto out;
  in_tx = 1;
  if (keyed && sp->type == DS_IMPORT_INCREMENTAL && sp->dedup == DS_DEDUP_FAIL &&
      (rc = check_clash(conn, sp, &b, err)))
    goto out;
  ds_buf_reset(&b);
  if (sp->type == DS_IMPORT_FULL) {
    ds_buf_puts(&b, "DELETE FROM ");
    ds_meta_qualified(&b, sp->project, sp->dest->schema, sp->dest->name);
    if ((rc = ds_store_exec(conn, b.data, err))) goto out;
    ds_buf_reset(&b);
  }
  ds_buf one_per_key;
  ds_buf_init(&one_per_key, SQL_MAX);
  if (keyed && sp->dedup == DS_DEDUP_UPDATE) dedup_from(&one_per_key, sp);
  select_sql(&sel, &cols, sp, ts, !keyed ? from.data : sp->dedup == DS_DEDUP_UPDATE ? one_per_key.data : STAGE " s");
  ds_buf_release(&one_per_key);
  if (keyed && sp->type == DS_IMPORT_INCREMENTAL && sp->dedup == DS_DEDUP_UPDATE) {
    merge_sql(&b, sp, ts, sel.data);
  } else {
    ds_buf_puts(&b, "INSERT INTO ");
    ds_meta_qualified(&b, sp->project, sp->dest->schema, sp->dest->name);
    ds_buf_printf(&b, " (%s) %s", cols.data, sel.data);
  }
  if (b.len + 1 >= b.max) {
    rc = ds_error_set(err, DS_E_VALIDATION, "The import statement is too long.");
    goto out;
  }
  /* the streamed path learns its row count from the INSERT itself */
  if ((rc = keyed ? ds_store_exec(conn, b.data, err) : count_sql(conn, b.data, &out->imported_rows, err))) {
    rc = data_error(err);
    goto out;
  }
  in_tx = 0;
  if ((rc = ds_store_exec(conn, "COMMIT", err))) {
    ds_store_exec(conn, "ROLLBACK", NULL);
    rc = data_error(err);
    goto out;
  }
  out->t_write = now_s() - t0;
  rc = ds_meta_table_stats(conn, sp->project, sp->dest, &out->table_rows, &out->table_bytes, err);
out:
  if (in_tx) ds_store_exec(conn, "ROLLBACK", NULL);
  if (keyed) ds_store_exec(conn, "DROP TABLE IF EXISTS " STAGE, NULL);
  ds_buf_release(&b);
  ds_buf_release(&cols);
  ds_buf_release(&sel);
  ds_buf_release(&from);
  return rc;
}
