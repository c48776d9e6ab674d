/* test_filter.c: unit tests of the read-side SQL builders of table/filter.h: orderBy, fulltextSearch,
 * changeSince/changeUntil, the combined ExportFilters condition and the value check of typed filters. */
#include "core/buf.h"
#include "t.h"
#include "table/filter.h"

static const ds_filter_col COLS[] = {{"id", "BIGINT"},           {"Name", "VARCHAR"},
                                     {"price", "DECIMAL(10,2)"}, {"_timestamp", "TIMESTAMP"},
                                     {"tags", "VARCHAR[]"},      {"note", "VARCHAR"}};
#define NCOLS (sizeof COLS / sizeof COLS[0])
static const ds_filter_col COLS_TZ[] = {{"id", "BIGINT"}, {"_TIMESTAMP", "TIMESTAMP WITH TIME ZONE"}};
static const ds_filter_col COLS_STR[] = {{"id", "VARCHAR"}, {"_timestamp", "VARCHAR"}};
static const ds_filter_col COLS_NUM[] = {{"id", "BIGINT"}, {"d", "DATE"}};

static char out[8192];
static ds_error err;

/* Runs one builder into a fresh buffer; returns the SQL or, on failure, the error message. */
#define RUN(call)                                                      \
  ({                                                                   \
    ds_buf b;                                                          \
    ds_buf_init(&b, 1 << 20);                                          \
    ds_error_clear(&err);                                              \
    last_rc = (call);                                                  \
    snprintf(out, sizeof out, "%s", last_rc < 0 ? err.msg : (b.data ? b.data : "")); \
    ds_buf_release(&b);                                                \
    (const char *)out;                                                 \
  })
static int last_rc;

static void test_order_by(void) {
  ds_order o1[] = {{"ID", DS_ORDER_DESC, DS_DT_STRING}};
  CHECK_STR(RUN(ds_filter_order_by(&b, o1, 1, COLS, NCOLS, NULL, "PreviewTableCommand", &err)),
            " ORDER BY \"id\" DESC NULLS LAST");
  /* every entry is honoured, typed ones cast (BigQuery stops at the first typed one) */
  ds_order o2[] = {{"name", DS_ORDER_ASC, DS_DT_INTEGER}, {"price", DS_ORDER_DESC, DS_DT_REAL},
                   {"note", DS_ORDER_ASC, DS_DT_STRING}};
  CHECK_STR(RUN(ds_filter_order_by(&b, o2, 3, COLS, NCOLS, "src", "PreviewTableCommand", &err)),
            " ORDER BY TRY_CAST(\"src\".\"Name\" AS BIGINT) ASC NULLS FIRST, TRY_CAST(\"src\".\"price\" AS DOUBLE) "
            "DESC NULLS LAST, \"src\".\"note\" ASC NULLS FIRST");
  /* a date column keeps its own order under a typed sort */
  ds_order o3[] = {{"d", DS_ORDER_ASC, DS_DT_TIMESTAMP}};
  CHECK_STR(RUN(ds_filter_order_by(&b, o3, 1, COLS_NUM, 2, NULL, "X", &err)), " ORDER BY \"d\" ASC NULLS FIRST");
  CHECK_STR(RUN(ds_filter_order_by(&b, o1, 0, COLS, NCOLS, NULL, "X", &err)), "");
  /* errors */
  ds_order e1[] = {{"id", 0, 0}, {"", 0, 0}};
  CHECK_STR(RUN(ds_filter_order_by(&b, e1, 2, COLS, NCOLS, NULL, "PreviewTableCommand", &err)),
            "PreviewTableCommand.orderBy.1.columnName is required");
  CHECK_INT(last_rc, DS_E_VALIDATION);
  ds_order e2[] = {{"non-exist", 0, 0}};
  CHECK_STR(RUN(ds_filter_order_by(&b, e2, 1, COLS, NCOLS, NULL, "X", &err)),
            "Column \"non-exist\" not found in table definition.");
  CHECK_INT(last_rc, DS_E_COLUMN_NOT_FOUND);
  ds_order e3[] = {{"id", 2, 0}};
  RUN(ds_filter_order_by(&b, e3, 1, COLS, NCOLS, NULL, "X", &err));
  CHECK_INT(last_rc, DS_E_VALIDATION);
  ds_order e4[] = {{"id", 0, 7}};
  RUN(ds_filter_order_by(&b, e4, 1, COLS, NCOLS, NULL, "X", &err));
  CHECK_INT(last_rc, DS_E_VALIDATION);
  ds_order inj[] = {{"id\"; DROP TABLE x; --", 0, 0}};
  RUN(ds_filter_order_by(&b, inj, 1, COLS, NCOLS, NULL, "X", &err));
  CHECK_INT(last_rc, DS_E_COLUMN_NOT_FOUND);
}

static void test_fulltext(void) {
  /* only string columns (not the list, not the numbers); LIKE metacharacters and quotes are escaped */
  CHECK_STR(RUN(ds_filter_fulltext(&b, "a%b_c\\d'e", COLS, NCOLS)),
            "(\"Name\" LIKE '%a\\%b\\_c\\\\d''e%' ESCAPE '\\' OR \"note\" LIKE '%a\\%b\\_c\\\\d''e%' ESCAPE '\\')");
  CHECK_STR(RUN(ds_filter_fulltext(&b, "x", COLS_NUM, 2)), "(FALSE)");
}

static void test_numeric(void) {
  CHECK(ds_filter_is_numeric("1641038401"));
  CHECK(ds_filter_is_numeric("-1.5"));
  CHECK(ds_filter_is_numeric("+.5"));
  CHECK(ds_filter_is_numeric("1e3"));
  CHECK(ds_filter_is_numeric("1.5E-3"));
  CHECK(!ds_filter_is_numeric(""));
  CHECK(!ds_filter_is_numeric(NULL));
  CHECK(!ds_filter_is_numeric("."));
  CHECK(!ds_filter_is_numeric("1e"));
  CHECK(!ds_filter_is_numeric("0x10"));
  CHECK(!ds_filter_is_numeric("2022-11-01 12:00:00 UTC"));
  CHECK(!ds_filter_is_numeric("1 OR 1=1"));
}

static void test_change(void) {
  CHECK_STR(RUN(ds_filter_change(&b, "1641038401", "1641038402", COLS, NCOLS, "t", "PreviewTableCommand", &err)),
            "\"_timestamp\" >= make_timestamp(CAST(CAST('1641038401' AS DOUBLE) * 1000000 AS BIGINT)) AND "
            "\"_timestamp\" < make_timestamp(CAST(CAST('1641038402' AS DOUBLE) * 1000000 AS BIGINT))");
  CHECK_STR(RUN(ds_filter_change(&b, "", "5", COLS_TZ, 2, "t", "X", &err)),
            "\"_TIMESTAMP\" < to_timestamp(CAST('5' AS DOUBLE))");
  CHECK_STR(RUN(ds_filter_change(&b, "5", NULL, COLS_STR, 2, "t", "X", &err)),
            "TRY_CAST(\"_timestamp\" AS TIMESTAMP) >= make_timestamp(CAST(CAST('5' AS DOUBLE) * 1000000 AS BIGINT))");
  CHECK_STR(RUN(ds_filter_change(&b, NULL, "", COLS_NUM, 2, "t", "X", &err)), "");
  CHECK_INT(last_rc, 0);
  /* errors */
  CHECK_STR(RUN(ds_filter_change(&b, "2022-11-01 12:00:00 UTC", "", COLS, NCOLS, "t", "PreviewTableCommand", &err)),
            "PreviewTableCommand.changeSince must be numeric timestamp");
  CHECK_INT(last_rc, DS_E_VALIDATION);
  CHECK_STR(RUN(ds_filter_change(&b, "1", "abc", COLS, NCOLS, "t", "DeleteTableRowsCommand", &err)),
            "DeleteTableRowsCommand.changeUntil must be numeric timestamp");
  CHECK_STR(RUN(ds_filter_change(&b, "1e300", "", COLS, NCOLS, "t", "X", &err)), "X.changeSince must be numeric timestamp");
  CHECK_STR(RUN(ds_filter_change(&b, "1", "", COLS_NUM, 2, "t", "X", &err)),
            "Table \"t\" has no \"_timestamp\" column, so changeSince and changeUntil cannot be used.");
  CHECK_INT(last_rc, DS_E_VALIDATION);
  static const ds_filter_col bad[] = {{"_timestamp", "BIGINT"}};
  RUN(ds_filter_change(&b, "1", "", bad, 1, "t", "X", &err));
  CHECK_INT(last_rc, DS_E_VALIDATION);
}

static int written;

static void test_export_where(void) {
  const char *one[] = {"5"}, *ts[] = {"1641038401"}, *bad[] = {"abc", "7", "x'y"};
  ds_filter w1[] = {{"id", DS_OP_GE, one, 1, DS_DT_INTEGER}, {"name", DS_OP_EQ, one, 1, DS_DT_STRING}};
  ds_export_filters f = {"1", "2", NULL, w1, 2};
  CHECK_STR(RUN(ds_filter_export_where(&b, &f, COLS, NCOLS, "t", "X", &written, &err)),
            "(\"_timestamp\" >= make_timestamp(CAST(CAST('1' AS DOUBLE) * 1000000 AS BIGINT)) AND \"_timestamp\" < "
            "make_timestamp(CAST(CAST('2' AS DOUBLE) * 1000000 AS BIGINT))) AND ((\"id\" >= CAST('5' AS BIGINT)) AND "
            "(\"Name\" = '5'))");
  CHECK_INT(written, 1);
  ds_export_filters ft = {NULL, NULL, "needle", NULL, 0};
  CHECK_STR(RUN(ds_filter_export_where(&b, &ft, COLS, NCOLS, "t", "X", &written, &err)),
            "(\"Name\" LIKE '%needle%' ESCAPE '\\' OR \"note\" LIKE '%needle%' ESCAPE '\\')");
  ds_export_filters none = {"", "", "", NULL, 0};
  CHECK_STR(RUN(ds_filter_export_where(&b, &none, COLS, NCOLS, "t", "X", &written, &err)), "");
  CHECK_INT(written, 0);
  CHECK_INT(last_rc, 0);
  /* a typed time-stamp column with a TIMESTAMP filter takes epoch seconds */
  ds_filter w2[] = {{"_timestamp", DS_OP_LT, ts, 1, DS_DT_TIMESTAMP}};
  ds_export_filters f2 = {NULL, NULL, NULL, w2, 1};
  CHECK_STR(RUN(ds_filter_export_where(&b, &f2, COLS, NCOLS, "t", "X", &written, &err)),
            "((\"_timestamp\" < make_timestamp(CAST(CAST('1641038401' AS DOUBLE) * 1000000 AS BIGINT))))");
  /* errors */
  ds_export_filters both = {NULL, NULL, "x", w1, 1};
  CHECK_STR(RUN(ds_filter_export_where(&b, &both, COLS, NCOLS, "t", "X", &written, &err)),
            "Cannot use fulltextSearch and whereFilters at the same time");
  CHECK_INT(last_rc, DS_E_VALIDATION);
  ds_filter w3[] = {{"tags", DS_OP_EQ, one, 1, 0}};
  ds_export_filters f3 = {NULL, NULL, NULL, w3, 1};
  CHECK_STR(RUN(ds_filter_export_where(&b, &f3, COLS, NCOLS, "t", "X", &written, &err)),
            "Filtering by column \"tags\" of type \"VARCHAR[]\" is not supported by the backend \"duckdb\".");
  ds_filter w4[] = {{"id", DS_OP_GE, bad, 3, 0}};
  ds_export_filters f4 = {NULL, NULL, NULL, w4, 1};
  CHECK_STR(RUN(ds_filter_export_where(&b, &f4, COLS, NCOLS, "t", "X", &written, &err)),
            "whereFilter with multiple values can be used only with \"eq\", \"ne\" operators");
  CHECK_INT(written, 0);
  ds_filter w5[] = {{"nope", DS_OP_EQ, one, 1, 0}};
  ds_export_filters f5 = {NULL, NULL, NULL, w5, 1};
  CHECK_STR(RUN(ds_filter_export_where(&b, &f5, COLS, NCOLS, "t", "X", &written, &err)),
            "Column \"nope\" not found on table \"t\" for where filter.");
  ds_export_filters f6 = {"x", NULL, NULL, NULL, 0};
  CHECK_STR(RUN(ds_filter_export_where(&b, &f6, COLS, NCOLS, "t", "X", &written, &err)),
            "X.changeSince must be numeric timestamp");
  ds_export_filters f7 = {"1", NULL, NULL, NULL, 0};
  RUN(ds_filter_export_where(&b, &f7, COLS_NUM, 2, "t", "X", &written, &err));
  CHECK_INT(last_rc, DS_E_VALIDATION);
}

static void test_value_check(void) {
  const char *vals[] = {"1", "abc", "x'y"}, *ts[] = {"1641038401", "2022-01-01"};
  ds_filter f1 = {"id", DS_OP_EQ, vals, 3, DS_DT_STRING};
  int need;
  CHECK_STR(RUN((need = ds_filter_value_check(&b, &f1, COLS, NCOLS), 0)),
            "SELECT v FROM (VALUES ('1'), ('abc'), ('x''y')) AS t(v) WHERE TRY_CAST(v AS BIGINT) IS NULL LIMIT 1");
  CHECK_INT(need, 1);
  ds_filter f2 = {"name", DS_OP_EQ, vals, 3, DS_DT_INTEGER}; /* a string column: TRY_CAST both sides, no check */
  CHECK_STR(RUN((need = ds_filter_value_check(&b, &f2, COLS, NCOLS), 0)), "");
  CHECK_INT(need, 0);
  ds_filter f3 = {"_timestamp", DS_OP_GT, ts, 2, DS_DT_TIMESTAMP}; /* epoch seconds are not checked */
  CHECK_STR(RUN((need = ds_filter_value_check(&b, &f3, COLS, NCOLS), 0)),
            "SELECT v FROM (VALUES ('2022-01-01')) AS t(v) WHERE TRY_CAST(v AS TIMESTAMP) IS NULL LIMIT 1");
  ds_filter f4 = {"missing", DS_OP_EQ, vals, 1, 0};
  CHECK_INT(ds_filter_value_check(NULL, &f4, COLS, NCOLS), 0);
}

int main(void) {
  test_order_by();
  test_fulltext();
  test_numeric();
  test_change();
  test_export_where();
  test_value_check();
  return T_DONE();
}
