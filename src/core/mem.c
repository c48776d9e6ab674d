/* mem.c: allocation wrappers that abort on exhaustion (policy in mem.h). */
#include "core/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oom(size_t n) {
  char line[96];
  int len = snprintf(line, sizeof line, "duckstore: out of memory allocating %zu bytes\n", n);
  if (len > 0 && write(2, line, (size_t)len) < 0) { /* nothing more to do */
  }
  abort();
}

void *ds_malloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *ds_calloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) oom(count * size);
  return p;
}

void *ds_realloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

char *ds_strdup(const char *s) { return ds_strndup(s, strlen(s)); }

char *ds_strndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *p = ds_malloc(len + 1);
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

char *ds_asprintf(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  char *p = ds_malloc((size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

void ds_free(void *p) { free(p); }
