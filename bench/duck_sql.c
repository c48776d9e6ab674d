/*
 * duck_sql.c: the raw-DuckDB baseline of the import/export benchmark. Opens DATABASE_FILE with the same
 * libduckdb the server uses, runs each SQL argument in order and prints one line per statement:
 * "<seconds> <statement prefix>". Exit 1 on the first failure.
 *
 * usage: duck_sql DATABASE_FILE "SQL" ["SQL" ...]
 */
#include <duckdb.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  duckdb_database db;
  duckdb_connection conn;
  if (argc < 3) {
    fprintf(stderr, "usage: duck_sql DATABASE_FILE SQL...\n");
    return 2;
  }
  if (duckdb_open(argv[1], &db) == DuckDBError) {
    fprintf(stderr, "duck_sql: cannot open %s\n", argv[1]);
    return 1;
  }
  duckdb_connect(db, &conn);
  int rc = 0;
  for (int i = 2; i < argc && !rc; i++) {
    duckdb_result res;
    double t0 = now();
    if (duckdb_query(conn, argv[i], &res) == DuckDBError) {
      fprintf(stderr, "duck_sql: %s\n", duckdb_result_error(&res));
      rc = 1;
    } else {
      printf("%.6f %.60s\n", now() - t0, argv[i]);
    }
    duckdb_destroy_result(&res);
  }
  duckdb_disconnect(&conn);
  duckdb_close(&db);
  return rc;
}
