/*
 * err.h: the one error table of duckstore.
 *
 * Every failure in the service is one of the kinds below. Each kind carries its Keboola error code
 * (php-storage-driver-common ExceptionInterface), the gRPC status it is sent with, the HTTP status of the
 * REST API, whether Connection may retry it, and a snake_case name for JSON bodies and metrics.
 * The mapping is the contract's (driver-contract.md §4); nothing else in the code decides a status.
 *
 * Convention (c-style-anchors practice 5/6): functions return 0 on success or a negative ds_errkind,
 * and put the client-facing detail into a `ds_error *err` out-parameter with ds_error_set().
 */
#ifndef DS_ERR_H
#define DS_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* XX(kind, keboola code, gRPC status, HTTP status, retryable, name) */
#define DS_ERR_MAP(XX)                                                               \
  XX(INTERNAL, 0, 13, 500, 1, "internal_error")                                      \
  XX(NOT_SUPPORTED, 900, 12, 501, 0, "not_supported")                                \
  XX(TIMEOUT, 1000, 4, 504, 1, "timeout")                                            \
  XX(CONNECTION, 1001, 14, 503, 1, "connection_error")                               \
  XX(AUTH, 1002, 16, 401, 0, "unauthenticated")                                      \
  XX(DB_MISMATCH, 1003, 9, 400, 0, "database_mismatch")                              \
  XX(NOT_FOUND, 2000, 5, 404, 0, "not_found")                                        \
  XX(UNKNOWN_OBJECT, 2001, 5, 404, 0, "unknown_object")                              \
  XX(DATABASE_NOT_FOUND, 2002, 5, 404, 0, "database_not_found")                      \
  XX(SCHEMA_NOT_FOUND, 2003, 5, 404, 0, "schema_not_found")                          \
  XX(TABLE_NOT_FOUND, 2004, 5, 404, 0, "table_not_found")                            \
  XX(COLUMN_NOT_FOUND, 2005, 5, 404, 0, "column_not_found")                          \
  XX(ALREADY_EXISTS, 2006, 6, 409, 0, "already_exists")                              \
  XX(RESOURCE_FULL, 2006, 8, 429, 1, "too_many_requests")                            \
  XX(PERMISSION, 2007, 7, 403, 0, "permission_denied")                               \
  XX(VIEW_NOT_FOUND, 2008, 5, 404, 0, "view_not_found")                              \
  XX(VALIDATION, 3000, 3, 400, 0, "validation_error")                                \
  XX(IMPORT, 4000, 13, 500, 1, "import_error")                                       \
  XX(IMPORT_COLUMNS_COUNT, 4100, 3, 400, 0, "columns_count_not_match")               \
  XX(IMPORT_INVALID_COLUMN, 4101, 3, 400, 0, "invalid_column_name")                  \
  XX(IMPORT_DUPLICATE_COLUMNS, 4102, 3, 400, 0, "duplicate_column_names")            \
  XX(IMPORT_NO_COLUMNS, 4103, 3, 400, 0, "no_columns")                               \
  XX(IMPORT_INVALID_SOURCE, 4200, 3, 400, 0, "mandatory_invalid_source_data")        \
  XX(IMPORT_FILE_NOT_FOUND, 4201, 3, 400, 0, "mandatory_file_not_found")             \
  XX(IMPORT_TYPE_MISMATCH, 4202, 3, 400, 0, "data_type_mismatch")                    \
  XX(IMPORT_FILE_PARAMS, 4203, 3, 400, 0, "invalid_file_params")                     \
  XX(EXPORT, 5000, 13, 500, 1, "export_error")                                       \
  XX(SQL, 6000, 13, 500, 1, "sql_error")                                             \
  XX(INVALID_SQL, 6001, 3, 400, 1, "invalid_sql")                                    \
  XX(QUERY_TIMEOUT, 6002, 4, 504, 1, "query_timeout")                                \
  XX(ROW_TOO_LARGE, 6003, 13, 500, 1, "row_size_too_large")                          \
  XX(VALUE_CONVERSION, 6004, 3, 400, 1, "value_conversion")                          \
  XX(TOO_BIG, 3000, 8, 413, 0, "payload_too_large")

enum ds_errkind_index {
#define DS_XX_IDX(kind, code, grpc, http, retry, name) DS_EI_##kind,
  DS_ERR_MAP(DS_XX_IDX)
#undef DS_XX_IDX
  DS_EI__COUNT
};

/* Negative kinds: DS_E_INTERNAL == -1, DS_E_NOT_SUPPORTED == -2, ... */
typedef enum ds_errkind {
  DS_OK = 0,
#define DS_XX_NEG(kind, code, grpc, http, retry, name) DS_E_##kind = -(DS_EI_##kind + 1),
  DS_ERR_MAP(DS_XX_NEG)
#undef DS_XX_NEG
} ds_errkind;

#define DS_ERROR_MSG_MAX 1024

/* The detail of one failure: its kind and the message the client sees (bounded, NUL-terminated). */
typedef struct ds_error {
  ds_errkind kind;
  char msg[DS_ERROR_MSG_MAX];
} ds_error;

/* Resets err to "no error". */
void ds_error_clear(ds_error *err);

/* Records kind and a printf-formatted message in err (when err is not NULL) and returns kind, so that
 * callers can write `return ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", name);`.
 * A message longer than DS_ERROR_MSG_MAX-1 bytes is cut at a UTF-8 character boundary. */
int ds_error_set(ds_error *err, ds_errkind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ds_error_vset(ds_error *err, ds_errkind kind, const char *fmt, va_list ap);

/* Prefixes the existing message of err with a printf-formatted text; returns err->kind. */
int ds_error_prefix(ds_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Table lookups. Any value that is not a known kind answers as DS_E_INTERNAL. */
int ds_err_keboola_code(int kind);
int ds_err_grpc_status(int kind);
int ds_err_http_status(int kind);
int ds_err_retryable(int kind);
const char *ds_err_name(int kind);
/* The symbolic name of a gRPC status code ("OK", "NOT_FOUND", ...), for logs and metrics. */
const char *ds_grpc_status_name(int status);

#endif
