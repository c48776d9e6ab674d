/* s3err.c: the S3 error table (see s3err.h). */
#include "s3/s3err.h"

#include <stdarg.h>

static const struct {
  const char *code;
  unsigned http;
  ds_errkind kind;
} table[] = {
#define DS_S3_XX_ROW(name, code, http, kind) {code, http, DS_E_##kind},
    DS_S3_ERR_MAP(DS_S3_XX_ROW)
#undef DS_S3_XX_ROW
};

static int index_of(int code) {
  int i = -code - 1;
  return i >= 0 && i < DS_S3I__COUNT ? i : 0;
}

int ds_s3_fail(ds_error *err, ds_s3err code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ds_error_vset(err, table[index_of(code)].kind, fmt, ap);
  va_end(ap);
  return code;
}

const char *ds_s3err_code(int code) { return table[index_of(code)].code; }
unsigned ds_s3err_http(int code) { return table[index_of(code)].http; }
