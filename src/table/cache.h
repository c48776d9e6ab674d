/*
 * cache.h: answers of metadata reads (ObjectInfo TABLE/SCHEMA), kept between calls.
 *
 * DESIGN. Every project has a version number, bumped by the driver after every command flagged as a
 * write (commands.h) for that project, that is after its transaction committed. A cached answer is stored
 * with the version read *before* it was computed, and is used only while the project still has that
 * version, so a write can never be hidden: at worst an answer computed during a write is thrown away.
 * Only the driver's write commands change a project's bucket objects (workspace sessions cannot write
 * buckets; contract §6), so the version sees every change. Cached values are packed protobuf bytes.
 *
 * Memory is bounded: when the cache holds DS_CACHE_MAX_ENTRIES it is emptied. Thread safe.
 */
#ifndef DS_CACHE_H
#define DS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/pool.h"

#define DS_CACHE_MAX_ENTRIES 200000

void ds_cache_init(void);
void ds_cache_shutdown(void);

/* The project's current version (0 until its first write since start). */
uint64_t ds_cache_version(const char *project);
/* Marks every cached answer of the project as stale. */
void ds_cache_bump(const char *project);

/* The key of one answer: parts joined with '\x1f', the names lower-cased (DuckDB's names are
 * case-insensitive). Allocated from pool. */
char *ds_cache_key(ds_pool *pool, const char *project, const char *what, const char *schema, const char *name);
/* On a hit (same version) copies the bytes into pool and returns 1; else 0. */
int ds_cache_get(const char *key, uint64_t version, ds_pool *pool, uint8_t **data, size_t *len);
void ds_cache_put(const char *key, uint64_t version, const uint8_t *data, size_t len);

#endif
