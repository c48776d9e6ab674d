/* pool.c: request arena (see pool.h). Chunks grow; large allocations get a chunk of their own. */
#include "core/pool.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

#define CHUNK_SIZE 8192
#define ALIGN 16

struct chunk {
  struct chunk *next;
  size_t used, size;
  _Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
  struct cleanup *next;
  void (*fn)(void *);
  void *arg;
};

struct ds_pool {
  struct chunk *chunks;
  struct cleanup *cleanups;
  ProtobufCAllocator pb;
};

static void *pb_alloc(void *data, size_t n) { return ds_pool_alloc(data, n); }
static void pb_free(void *data, void *p) {
  (void)data;
  (void)p;
}

ds_pool *ds_pool_new(void) {
  ds_pool *p = ds_calloc(1, sizeof *p);
  p->pb.alloc = pb_alloc;
  p->pb.free = pb_free;
  p->pb.allocator_data = p;
  return p;
}

void ds_pool_free(ds_pool *p) {
  if (!p) return;
  while (p->cleanups) {
    struct cleanup *c = p->cleanups;
    p->cleanups = c->next;
    c->fn(c->arg);
  }
  while (p->chunks) {
    struct chunk *c = p->chunks;
    p->chunks = c->next;
    ds_free(c);
  }
  ds_free(p);
}

void *ds_pool_alloc(ds_pool *p, size_t n) {
  n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  if (n == 0) n = ALIGN;
  struct chunk *c = p->chunks;
  if (!c || c->size - c->used < n) {
    size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
    struct chunk *nc = ds_malloc(sizeof *nc + size);
    nc->used = 0;
    nc->size = size;
    if (size == n && c) {
      /* a big one-off: keep the current chunk in front for the small allocations that follow */
      nc->next = c->next;
      c->next = nc;
    } else {
      nc->next = c;
      p->chunks = nc;
    }
    c = nc;
  }
  void *r = c->data + c->used;
  c->used += n;
  return r;
}

void *ds_pool_calloc(ds_pool *p, size_t n) {
  void *r = ds_pool_alloc(p, n);
  memset(r, 0, n);
  return r;
}

char *ds_pool_strndup(ds_pool *p, const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *r = ds_pool_alloc(p, len + 1);
  memcpy(r, s, len);
  r[len] = '\0';
  return r;
}

char *ds_pool_strdup(ds_pool *p, const char *s) { return s ? ds_pool_strndup(p, s, strlen(s)) : NULL; }

void *ds_pool_memdup(ds_pool *p, const void *src, size_t n) {
  void *r = ds_pool_alloc(p, n);
  if (n) memcpy(r, src, n);
  return r;
}

char *ds_pool_printf(ds_pool *p, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  char *r = ds_pool_alloc(p, (size_t)n + 1);
  vsnprintf(r, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return r;
}

void ds_pool_cleanup_add(ds_pool *p, void (*fn)(void *), void *arg) {
  struct cleanup *c = ds_pool_alloc(p, sizeof *c);
  c->fn = fn;
  c->arg = arg;
  c->next = p->cleanups;
  p->cleanups = c;
}

ProtobufCAllocator *ds_pool_pb_allocator(ds_pool *p) { return &p->pb; }
