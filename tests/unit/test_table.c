/* test_table.c: unit tests of the type parser, the where-filter SQL builder and the object name rules. */
#include "core/names.h"
#include "t.h"
#include "table/filter.h"
#include "table/import.h"
#include "table/types.h"

static void test_types(void) {
  ds_type t;
  ds_error err;
  CHECK_INT(ds_type_resolve("STRING", "50", &t, &err), 0);
  CHECK_STR(t.sql, "VARCHAR");
  CHECK_INT(t.kind, DS_TK_STRING);
  CHECK_INT(t.max_length, 50);
  CHECK_INT(ds_type_resolve(" integer ", "", &t, &err), 0); /* Keboola's INTEGER is 64-bit */
  CHECK_STR(t.sql, "BIGINT");
  CHECK_INT(ds_type_resolve("INT", NULL, &t, &err), 0);
  CHECK_STR(t.sql, "INTEGER");
  CHECK_INT(ds_type_resolve("FLOAT", NULL, &t, &err), 0);
  CHECK_STR(t.sql, "DOUBLE");
  CHECK_INT(ds_type_resolve("float64", NULL, &t, &err), 0);
  CHECK_STR(t.sql, "DOUBLE");
  CHECK_INT(ds_type_resolve("REAL", NULL, &t, &err), 0);
  CHECK_STR(t.sql, "FLOAT");
  CHECK_INT(ds_type_resolve("NUMERIC", "38, 2", &t, &err), 0);
  CHECK_STR(t.sql, "DECIMAL(38,2)");
  CHECK_INT(ds_type_resolve("NUMERIC", "", &t, &err), 0);
  CHECK_STR(t.sql, "DECIMAL(38,9)");
  CHECK_INT(ds_type_resolve("DECIMAL", "", &t, &err), 0);
  CHECK_STR(t.sql, "DECIMAL(18,3)");
  CHECK_INT(ds_type_resolve("DECIMAL", "10", &t, &err), 0);
  CHECK_STR(t.sql, "DECIMAL(10,0)");
  CHECK_INT(ds_type_resolve("TIMESTAMPTZ", "", &t, &err), 0);
  CHECK_STR(t.sql, "TIMESTAMP WITH TIME ZONE");
  CHECK_INT(ds_type_resolve("bytes", "", &t, &err), 0);
  CHECK_STR(t.sql, "BLOB");
  /* errors */
  CHECK_INT(ds_type_resolve("NOPE", "", &t, &err), DS_E_VALIDATION);
  CHECK_STR(err.msg, "Unknown type \"NOPE\".");
  CHECK_INT(ds_type_resolve("", "", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("VARCHAR(10)", "", &t, &err), DS_E_VALIDATION); /* the length goes in `length` */
  CHECK_INT(ds_type_resolve("INTEGER; DROP TABLE x", "", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("STRING", "0", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("STRING", "-1", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("STRING", "2147483648", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("STRING", "12abc", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("NUMERIC", "39,2", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("NUMERIC", "10,11", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("NUMERIC", "10,", &t, &err), DS_E_VALIDATION);
  CHECK_INT(ds_type_resolve("INTEGER", "10", &t, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "does not take a length") != NULL);
  /* reflection side */
  char name[DS_TYPE_SQL_MAX], params[DS_TYPE_SQL_MAX];
  ds_type_split("DECIMAL(10,2)", name, params);
  CHECK_STR(name, "DECIMAL");
  CHECK_STR(params, "10,2");
  ds_type_split("TIMESTAMP WITH TIME ZONE", name, params);
  CHECK_STR(name, "TIMESTAMP WITH TIME ZONE");
  CHECK_STR(params, "");
  CHECK_INT(ds_type_kind_of("INTEGER"), DS_TK_INTEGER);
  CHECK_INT(ds_type_kind_of("FLOAT"), DS_TK_FLOAT);
  CHECK_INT(ds_type_kind_of("VARCHAR"), DS_TK_STRING);
  CHECK_INT(ds_type_kind_of("DATE"), DS_TK_OTHER);
  CHECK_INT(ds_type_width("BIGINT"), 8);
  CHECK_INT(ds_type_width("DECIMAL(4,1)"), 2);
  CHECK_INT(ds_type_width("DECIMAL(38,2)"), 16);
  CHECK_INT(ds_type_width("VARCHAR"), 16);
}

static const ds_filter_col COLS[] = {
    {"id", "BIGINT"}, {"Name", "VARCHAR"}, {"price", "DECIMAL(10,2)"}, {"ts", "VARCHAR"}};
#define NCOLS (sizeof COLS / sizeof COLS[0])

/* Builds the SQL of n filters; returns the text (static buffer) or the error message. */
static const char *where(const ds_filter *f, size_t n, ds_filter_mode mode, int *rc) {
  static char out[2048];
  ds_buf b;
  ds_error err;
  ds_buf_init(&b, 4096);
  *rc = ds_filter_where(&b, f, n, COLS, NCOLS, "tbl", mode, &err);
  snprintf(out, sizeof out, "%s", *rc ? err.msg : (b.data ? b.data : ""));
  ds_buf_release(&b);
  return out;
}

static void test_filters(void) {
  int rc;
  const char *one[] = {"5"}, *two[] = {"a", "b'c"}, *inj[] = {"x' OR '1'='1"}, *ts[] = {"1700000000"};
  ds_filter f1[] = {{"ID", DS_OP_GE, one, 1, DS_DT_STRING}};
  CHECK_STR(where(f1, 1, DS_FILTER_LITERAL, &rc), "(\"id\" >= '5')");
  CHECK_STR(where(f1, 1, DS_FILTER_TYPED, &rc), "(\"id\" >= CAST('5' AS BIGINT))");
  ds_filter f2[] = {{"name", DS_OP_EQ, two, 2, DS_DT_STRING}, {"name", DS_OP_NE, two, 2, DS_DT_STRING}};
  CHECK_STR(where(f2, 2, DS_FILTER_LITERAL, &rc), "(\"Name\" IN ('a', 'b''c')) AND (\"Name\" NOT IN ('a', 'b''c'))");
  ds_filter f3[] = {{"name", DS_OP_EQ, inj, 1, DS_DT_STRING}};
  CHECK_STR(where(f3, 1, DS_FILTER_TYPED, &rc), "(\"Name\" = 'x'' OR ''1''=''1')");
  /* a string column compared as a number: both sides TRY_CAST */
  ds_filter f4[] = {{"name", DS_OP_LT, one, 1, DS_DT_REAL}};
  CHECK_STR(where(f4, 1, DS_FILTER_TYPED, &rc), "(TRY_CAST(\"Name\" AS DOUBLE) < TRY_CAST('5' AS DOUBLE))");
  ds_filter f5[] = {{"price", DS_OP_EQ, one, 1, DS_DT_STRING}}; /* typed column: its own type wins */
  CHECK_STR(where(f5, 1, DS_FILTER_TYPED, &rc), "(\"price\" = CAST('5' AS DECIMAL(10,2)))");
  ds_filter f6[] = {{"ts", DS_OP_GT, ts, 1, DS_DT_TIMESTAMP}};
  CHECK_STR(where(f6, 1, DS_FILTER_TYPED, &rc),
            "(TRY_CAST(\"ts\" AS TIMESTAMP) > make_timestamp(CAST(TRY_CAST('1700000000' AS DOUBLE) * 1000000 AS "
            "BIGINT)))");
  CHECK_STR(where(f1, 0, DS_FILTER_TYPED, &rc), "");
  /* errors */
  ds_filter e1[] = {{"", DS_OP_EQ, one, 1, 0}};
  CHECK_STR(where(e1, 1, DS_FILTER_LITERAL, &rc), "Column name must not be empty.");
  ds_filter e2[] = {{"nope", DS_OP_EQ, one, 1, 0}};
  CHECK_STR(where(e2, 1, DS_FILTER_LITERAL, &rc), "Column \"nope\" not found on table \"tbl\" for where filter.");
  ds_filter e3[] = {{"id", DS_OP_EQ, one, 0, 0}};
  CHECK_STR(where(e3, 1, DS_FILTER_LITERAL, &rc), "WHERE filter for column \"id\" must have at least one value.");
  ds_filter e4[] = {{"id", DS_OP_GT, two, 2, 0}};
  CHECK_STR(where(e4, 1, DS_FILTER_LITERAL, &rc),
            "whereFilter with multiple values can be used only with \"eq\", \"ne\" operators");
  CHECK_INT(rc, DS_E_VALIDATION);
  ds_filter e5[] = {{"id", 9, one, 1, 0}};
  where(e5, 1, DS_FILTER_LITERAL, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
  ds_filter e6[] = {{"id", DS_OP_EQ, one, 1, 42}};
  where(e6, 1, DS_FILTER_TYPED, &rc);
  CHECK_INT(rc, DS_E_VALIDATION);
}

static void test_object_names(void) {
  ds_error err;
  CHECK_INT(ds_object_name_check("Table name", "my-table_1", &err), 0);
  CHECK_INT(ds_object_name_check("Table name", "tábla", &err), 0);
  CHECK_INT(ds_object_name_check("Table name", "a\"b", &err), DS_E_VALIDATION);
  CHECK_INT(ds_object_name_check("Table name", "a;b", &err), DS_E_VALIDATION);
  CHECK_INT(ds_object_name_check("Table name", "a'b", &err), DS_E_VALIDATION);
  CHECK_INT(ds_object_name_check("Table name", "../a", &err), DS_E_VALIDATION);
  CHECK_INT(ds_object_name_check("Table name", "", &err), DS_E_VALIDATION);
  char longname[300];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  CHECK_INT(ds_object_name_check("Table name", longname, &err), DS_E_VALIDATION);
}

static void test_import_errors(void) {
  char m[DS_ERROR_MSG_MAX];
  snprintf(m, sizeof m, "Invalid Input Error: CSV Error on Line: 2\nOriginal Line: 4,5\nExpected Number of Columns: 3 "
                        "Found: 2\nPossible fixes:\n* Disable the parser's strict mode\n\n  file = /data/files/p/x.csv");
  ds_import_clean_error(m);
  CHECK_STR(m, "CSV Error on Line: 2; Original Line: 4,5; Expected Number of Columns: 3 Found: 2");
  snprintf(m, sizeof m, "Constraint Error: NOT NULL constraint failed: t1.col3");
  ds_import_clean_error(m);
  CHECK_STR(m, "Required field col3 cannot be null");
  snprintf(m, sizeof m, "Invalid Input Error: Field x: VARCHAR(1) has maximum length 1 but got a value with length 2");
  ds_import_clean_error(m);
  CHECK_STR(m, "Field x: VARCHAR(1) has maximum length 1 but got a value with length 2");
}

int main(void) {
  test_types();
  test_filters();
  test_object_names();
  test_import_errors();
  return T_DONE();
}
