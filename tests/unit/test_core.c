/* Unit tests for src/core: the error table, name rules, SQL quoting, bounded buffers, the pool, config. */
#include <stdlib.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/names.h"
#include "core/pool.h"
#include "t.h"

static void test_error_table(void) {
  /* the contract's table, row by row (driver-contract.md §4) */
  struct {
    int kind, code, grpc, http, retry;
  } want[] = {
      {DS_E_NOT_SUPPORTED, 900, 12, 501, 0}, {DS_E_VALIDATION, 3000, 3, 400, 0},  {DS_E_NOT_FOUND, 2000, 5, 404, 0},
      {DS_E_SCHEMA_NOT_FOUND, 2003, 5, 404, 0}, {DS_E_TABLE_NOT_FOUND, 2004, 5, 404, 0},
      {DS_E_COLUMN_NOT_FOUND, 2005, 5, 404, 0}, {DS_E_VIEW_NOT_FOUND, 2008, 5, 404, 0},
      {DS_E_ALREADY_EXISTS, 2006, 6, 409, 0}, {DS_E_RESOURCE_FULL, 2006, 8, 429, 1},
      {DS_E_PERMISSION, 2007, 7, 403, 0},     {DS_E_AUTH, 1002, 16, 401, 0},     {DS_E_TIMEOUT, 1000, 4, 504, 1},
      {DS_E_QUERY_TIMEOUT, 6002, 4, 504, 1},  {DS_E_DB_MISMATCH, 1003, 9, 400, 0}, {DS_E_INTERNAL, 0, 13, 500, 1},
      {DS_E_IMPORT, 4000, 13, 500, 1},        {DS_E_EXPORT, 5000, 13, 500, 1},   {DS_E_SQL, 6000, 13, 500, 1},
      {DS_E_IMPORT_FILE_NOT_FOUND, 4201, 3, 400, 0}, {DS_E_INVALID_SQL, 6001, 3, 400, 1},
      {DS_E_VALUE_CONVERSION, 6004, 3, 400, 1},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    CHECK_INT(ds_err_keboola_code(want[i].kind), want[i].code);
    CHECK_INT(ds_err_grpc_status(want[i].kind), want[i].grpc);
    CHECK_INT(ds_err_http_status(want[i].kind), want[i].http);
    CHECK_INT(ds_err_retryable(want[i].kind), want[i].retry);
  }
  CHECK_INT(ds_err_grpc_status(12345), 13); /* unknown kinds answer as internal */
  CHECK_INT(ds_err_grpc_status(-9999), 13);
  CHECK_STR(ds_err_name(DS_E_PERMISSION), "permission_denied");
  CHECK_STR(ds_grpc_status_name(16), "UNAUTHENTICATED");
  ds_error err;
  CHECK_INT(ds_error_set(&err, DS_E_NOT_FOUND, "Object \"%s\" not found.", "x"), DS_E_NOT_FOUND);
  CHECK_STR(err.msg, "Object \"x\" not found.");
  ds_error_prefix(&err, "ctx: ");
  CHECK_STR(err.msg, "ctx: Object \"x\" not found.");
  /* a long message is cut without splitting a UTF-8 character */
  char big[3000];
  for (int i = 0; i < 1499; i++) memcpy(big + 2 * i, "\xc3\xa9", 2);
  big[2998] = '\0';
  ds_error_set(&err, DS_E_VALIDATION, "x%s", big);
  CHECK(ds_utf8_valid(err.msg, strlen(err.msg)));
  CHECK(strlen(err.msg) < DS_ERROR_MSG_MAX);
}

static void test_names(void) {
  ds_error err;
  char out[300];
  CHECK_INT(ds_bucket_schema_name("in.c-sales", "", 0, out, sizeof out, &err), 0);
  CHECK_STR(out, "in_c_sales");
  CHECK_INT(ds_bucket_schema_name("in.c-Test", "123", 0, out, sizeof out, &err), 0);
  CHECK_STR(out, "123_in_c_Test");
  CHECK_INT(ds_bucket_schema_name("in.c-Test", "123", 1, out, sizeof out, &err), 0);
  CHECK_STR(out, "in_c_Test");
  CHECK_INT(ds_bucket_schema_name("in.c-x", "../etc", 0, out, sizeof out, &err), DS_E_VALIDATION);
  CHECK_INT(ds_bucket_schema_name("a/b", "", 0, out, sizeof out, &err), DS_E_VALIDATION);
  char longname[400];
  memset(longname, 'a', 300);
  longname[300] = '\0';
  CHECK_INT(ds_name_check("Table name", longname, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "too long") != NULL);
  CHECK_INT(ds_name_check("Table name", "", &err), DS_E_VALIDATION);
  CHECK_INT(ds_name_check("Table name", "a\x01", &err), DS_E_VALIDATION);
  CHECK_INT(ds_name_check("Table name", "\xff\xfe", &err), DS_E_VALIDATION);
  CHECK_INT(ds_name_check("Table name", "ok \"quoted\"; DROP", &err), 0); /* legal: it is always quoted */
  CHECK_INT(ds_project_id_check("123", &err), 0);
  CHECK_INT(ds_project_id_check("a-b_C9", &err), 0);
  CHECK_INT(ds_project_id_check("../x", &err), DS_E_VALIDATION);
  CHECK_INT(ds_project_id_check("a.b", &err), DS_E_VALIDATION);
  CHECK_INT(ds_project_id_check("system", &err), DS_E_VALIDATION);
  CHECK_INT(ds_project_id_check("admin", &err), DS_E_VALIDATION); /* the S3 access key id of the admin key */
  CHECK_INT(ds_project_id_check("", &err), DS_E_VALIDATION);
  memset(longname, '1', 65);
  longname[65] = '\0';
  CHECK_INT(ds_project_id_check(longname, &err), DS_E_VALIDATION);
  CHECK(!ds_utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
  CHECK(!ds_utf8_valid("\xc0\xaf", 2));     /* overlong '/' */
  CHECK(ds_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void test_sql_quoting(void) {
  ds_buf b;
  ds_buf_init(&b, 1024);
  ds_sql_ident(&b, "a\"b");
  ds_buf_puts(&b, ".");
  ds_sql_literal(&b, "it's");
  CHECK_STR(b.data, "\"a\"\"b\".'it''s'");
  ds_buf_release(&b);
}

static void test_buf_limit(void) {
  ds_buf b;
  ds_buf_init(&b, 10);
  CHECK_INT(ds_buf_puts(&b, "0123456789"), 0);
  CHECK_INT(ds_buf_puts(&b, "x"), DS_E_TOO_BIG);
  CHECK_INT((long long)b.len, 10);
  CHECK_STR(b.data, "0123456789");
  ds_buf_release(&b);
  ds_buf_init(&b, 1 << 20);
  for (int i = 0; i < 1000; i++) ds_buf_printf(&b, "%d,", i);
  CHECK(b.len > 3000);
  size_t n;
  char *s = ds_buf_detach(&b, &n);
  CHECK_INT(strncmp(s, "0,1,2,", 6), 0);
  ds_free(s);
}

static int cleaned;
static void cleanup_hook(void *arg) { cleaned += *(int *)arg; }

static void test_pool(void) {
  ds_pool *p = ds_pool_new();
  static int one = 1;
  ds_pool_cleanup_add(p, cleanup_hook, &one);
  char *big = ds_pool_alloc(p, 100000);
  memset(big, 1, 100000);
  for (int i = 0; i < 5000; i++) {
    char *s = ds_pool_printf(p, "item-%d", i);
    CHECK(s[0] == 'i');
  }
  CHECK_STR(ds_pool_strdup(p, "abc"), "abc");
  ds_pool_free(p);
  CHECK_INT(cleaned, 1);
}

static void test_crypto(void) {
  char hex[65];
  ds_sha256_hex("abc", 3, hex);
  CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  char tok[33], tok2[33];
  CHECK_INT(ds_random_token(tok, 32), 0);
  CHECK_INT(ds_random_token(tok2, 32), 0);
  CHECK_INT((long long)strlen(tok), 32);
  CHECK(strcmp(tok, tok2) != 0);
  CHECK(ds_secure_equal("abc", "abc"));
  CHECK(!ds_secure_equal("abc", "abd"));
  CHECK(!ds_secure_equal("abc", "abcd"));
}

static void test_config(void) {
  ds_config cfg;
  ds_error err;
  int help;
  setenv("GRPC_PORT", "1234", 1);
  setenv("REST_PORT", "4321", 1);
  char a0[] = "--rest-port", a1[] = "9999", a2[] = "--data-dir=/tmp/x";
  char *argv[] = {a0, a1, a2, NULL};
  CHECK_INT(ds_config_load(&cfg, 3, argv, &help, &err), 0);
  CHECK_INT(cfg.grpc_port, 1234);  /* env beats default */
  CHECK_INT(cfg.rest_port, 9999);  /* flag beats env */
  CHECK_STR(cfg.data_dir, "/tmp/x");
  CHECK_STR(cfg.grpc_host, "0.0.0.0");
  CHECK_INT(help, 0);
  ds_config_release(&cfg);
  char b0[] = "--grpc-port", b1[] = "70000";
  char *bad[] = {b0, b1, NULL};
  CHECK_INT(ds_config_load(&cfg, 2, bad, &help, &err), DS_E_VALIDATION);
  CHECK(strstr(err.msg, "70000") != NULL);
  char u0[] = "--nope", u1[] = "1";
  char *unknown[] = {u0, u1, NULL};
  CHECK_INT(ds_config_load(&cfg, 2, unknown, &help, &err), DS_E_VALIDATION);
  char c0[] = "--tls-cert", c1[] = "a.pem";
  char *tls[] = {c0, c1, NULL};
  CHECK_INT(ds_config_load(&cfg, 2, tls, &help, &err), DS_E_VALIDATION);
  unsetenv("GRPC_PORT");
  unsetenv("REST_PORT");
}

int main(void) {
  test_error_table();
  test_names();
  test_sql_quoting();
  test_buf_limit();
  test_pool();
  test_crypto();
  test_config();
  return T_DONE();
}
