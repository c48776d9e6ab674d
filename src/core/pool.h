/*
 * pool.h: an arena for one request (c-style-anchors practice 9).
 *
 * Everything a request decodes or builds (protobuf messages, strings, response parts) is allocated from its
 * pool and freed at once by ds_pool_release. Cleanup hooks let non-memory resources (DuckDB results,
 * prepared statements) die with the pool. Not thread safe: a pool belongs to the thread serving its request.
 */
#ifndef DS_POOL_H
#define DS_POOL_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct ds_pool ds_pool;

ds_pool *ds_pool_new(void);
/* Runs the cleanup hooks (last added first) and frees every allocation and the pool itself. NULL is ok. */
void ds_pool_free(ds_pool *p);

void *ds_pool_alloc(ds_pool *p, size_t n) __attribute__((malloc));
void *ds_pool_calloc(ds_pool *p, size_t n) __attribute__((malloc));
char *ds_pool_strdup(ds_pool *p, const char *s);
char *ds_pool_strndup(ds_pool *p, const char *s, size_t n);
char *ds_pool_printf(ds_pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies n pointers into a new array of the pool. */
void *ds_pool_memdup(ds_pool *p, const void *src, size_t n);

/* Calls fn(arg) when the pool is freed. */
void ds_pool_cleanup_add(ds_pool *p, void (*fn)(void *), void *arg);

/* A protobuf-c allocator that allocates from the pool and never frees (the pool does). */
ProtobufCAllocator *ds_pool_pb_allocator(ds_pool *p);

#endif
