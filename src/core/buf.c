/* buf.c: bounded growable buffer (see buf.h). */
#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

void ds_buf_init(ds_buf *b, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void ds_buf_release(ds_buf *b) {
  ds_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void ds_buf_reset(ds_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

int ds_buf_reserve(ds_buf *b, size_t n, char **out) {
  if (n > b->max || b->len > b->max - n) return DS_E_TOO_BIG;
  size_t need = b->len + n + 1;
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    b->data = ds_realloc(b->data, cap);
    b->cap = cap;
  }
  *out = b->data + b->len;
  return 0;
}

void ds_buf_commit(ds_buf *b, size_t n) {
  b->len += n;
  b->data[b->len] = '\0';
}

int ds_buf_append(ds_buf *b, const void *p, size_t n) {
  char *dst;
  int rc = ds_buf_reserve(b, n, &dst);
  if (rc) return rc;
  if (n) memcpy(dst, p, n);
  ds_buf_commit(b, n);
  return 0;
}

int ds_buf_puts(ds_buf *b, const char *s) { return ds_buf_append(b, s, strlen(s)); }

int ds_buf_vprintf(ds_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return DS_E_INTERNAL;
  char *dst;
  int rc = ds_buf_reserve(b, (size_t)n, &dst);
  if (rc) return rc;
  vsnprintf(dst, (size_t)n + 1, fmt, ap);
  ds_buf_commit(b, (size_t)n);
  return 0;
}

int ds_buf_printf(ds_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ds_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

char *ds_buf_detach(ds_buf *b, size_t *len) {
  char *p = b->data;
  if (len) *len = b->len;
  if (!p) p = ds_strdup("");
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}
