/* err.c: the error table (see err.h) and the helpers that fill a ds_error. */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

struct row {
  int code, grpc, http, retry;
  const char *name;
};

static const struct row rows[DS_EI__COUNT] = {
#define DS_XX_ROW(kind, code, grpc, http, retry, name) {code, grpc, http, retry, name},
    DS_ERR_MAP(DS_XX_ROW)
#undef DS_XX_ROW
};

static const struct row *row_of(int kind) {
  int i = -kind - 1;
  if (kind >= 0 || i >= DS_EI__COUNT) i = DS_EI_INTERNAL;
  return &rows[i];
}

int ds_err_keboola_code(int kind) { return kind == 0 ? 0 : row_of(kind)->code; }
int ds_err_grpc_status(int kind) { return kind == 0 ? 0 : row_of(kind)->grpc; }
int ds_err_http_status(int kind) { return kind == 0 ? 200 : row_of(kind)->http; }
int ds_err_retryable(int kind) { return kind == 0 ? 0 : row_of(kind)->retry; }
const char *ds_err_name(int kind) { return kind == 0 ? "ok" : row_of(kind)->name; }

const char *ds_grpc_status_name(int status) {
  static const char *names[] = {"OK",           "CANCELLED",         "UNKNOWN",        "INVALID_ARGUMENT",
                                "DEADLINE_EXCEEDED", "NOT_FOUND",    "ALREADY_EXISTS", "PERMISSION_DENIED",
                                "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                                "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",    "DATA_LOSS",
                                "UNAUTHENTICATED"};
  if (status < 0 || status > 16) return "UNKNOWN";
  return names[status];
}

void ds_error_clear(ds_error *err) {
  if (!err) return;
  err->kind = DS_OK;
  err->msg[0] = '\0';
}

/* Cuts s (NUL-terminated, at most cap-1 bytes) back so that it does not end inside a UTF-8 sequence. */
static void trim_utf8(char *s) {
  size_t n = strlen(s);
  size_t i = n;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
  if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
    if (n - (i - 1) < need) s[i - 1] = '\0';
  }
}

int ds_error_vset(ds_error *err, ds_errkind kind, const char *fmt, va_list ap) {
  if (!err) return kind;
  err->kind = kind;
  int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  if (n >= (int)sizeof err->msg) trim_utf8(err->msg);
  return kind;
}

int ds_error_set(ds_error *err, ds_errkind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ds_error_vset(err, kind, fmt, ap);
  va_end(ap);
  return kind;
}

int ds_error_prefix(ds_error *err, const char *fmt, ...) {
  if (!err) return DS_E_INTERNAL;
  char head[DS_ERROR_MSG_MAX], old[DS_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  int n = snprintf(err->msg, sizeof err->msg, "%s%s", head, old);
  if (n >= (int)sizeof err->msg) trim_utf8(err->msg);
  return err->kind;
}
