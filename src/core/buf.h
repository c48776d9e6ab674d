/*
 * buf.h: a growable byte buffer with a declared maximum (c-style-anchors practice 10).
 *
 * The buffer keeps a NUL after its content, so text can be used as a C string. A write that would pass the
 * maximum fails with DS_E_TOO_BIG and leaves the buffer unchanged. Not thread safe: one owner at a time.
 */
#ifndef DS_BUF_H
#define DS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ds_buf {
  char *data; /* NULL until the first write; always NUL-terminated afterwards */
  size_t len;
  size_t cap;
  size_t max; /* the most bytes the buffer may hold */
} ds_buf;

void ds_buf_init(ds_buf *b, size_t max);
/* Frees the content; the buffer can be used again after ds_buf_init. */
void ds_buf_release(ds_buf *b);
/* Empties the buffer but keeps its memory. */
void ds_buf_reset(ds_buf *b);
int ds_buf_append(ds_buf *b, const void *p, size_t n);
int ds_buf_puts(ds_buf *b, const char *s);
int ds_buf_printf(ds_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ds_buf_vprintf(ds_buf *b, const char *fmt, va_list ap);
/* Makes room for n more bytes and returns where they go; commit them with ds_buf_commit. */
int ds_buf_reserve(ds_buf *b, size_t n, char **out);
void ds_buf_commit(ds_buf *b, size_t n);
/* Hands the content to the caller (free with ds_free) and leaves the buffer empty. */
char *ds_buf_detach(ds_buf *b, size_t *len);

#endif
