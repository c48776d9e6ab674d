/*
 * ds_sql.c: a test tool that runs SQL against one DuckDB database file, for end-to-end tests that need
 * rows in a table before the data commands exist (or that check what is on disk). The server must not
 * hold the file: tests stop it first. Prints each result row as tab-separated values ("NULL" for NULL).
 *
 * usage: ds_sql DATABASE_FILE "SQL" ["SQL" ...]      exit 1 on the first failing statement
 */
#include <duckdb.h>
#include <stdio.h>

int main(int argc, char **argv) {
  duckdb_database db;
  duckdb_connection conn;
  int rc = 0;
  if (argc < 3) {
    fprintf(stderr, "usage: ds_sql DATABASE_FILE SQL...\n");
    return 2;
  }
  if (duckdb_open(argv[1], &db) == DuckDBError) {
    fprintf(stderr, "ds_sql: cannot open %s\n", argv[1]);
    return 1;
  }
  duckdb_connect(db, &conn);
  for (int i = 2; i < argc && !rc; i++) {
    duckdb_result res;
    if (duckdb_query(conn, argv[i], &res) == DuckDBError) {
      fprintf(stderr, "ds_sql: %s\n", duckdb_result_error(&res));
      rc = 1;
    } else {
      idx_t cols = duckdb_column_count(&res), rows = duckdb_row_count(&res);
      for (idx_t r = 0; r < rows; r++)
        for (idx_t c = 0; c < cols; c++) {
          char *v = duckdb_value_varchar(&res, c, r);
          printf("%s%s", v ? v : "NULL", c + 1 < cols ? "\t" : "\n");
          duckdb_free(v);
        }
    }
    duckdb_destroy_result(&res);
  }
  duckdb_disconnect(&conn);
  duckdb_close(&db);
  return rc;
}
