/* cache.c: the versioned answer cache (see cache.h). */
#include "table/cache.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "core/map.h"
#include "core/mem.h"

struct entry {
  uint64_t version;
  size_t len;
  uint8_t data[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ds_map *versions; /* project -> uint64_t* */
static ds_map *entries;  /* key -> struct entry* */

void ds_cache_init(void) {
  pthread_mutex_lock(&lock);
  if (!versions) versions = ds_map_new();
  if (!entries) entries = ds_map_new();
  pthread_mutex_unlock(&lock);
}

void ds_cache_shutdown(void) {
  pthread_mutex_lock(&lock);
  ds_map_free(versions, ds_free);
  ds_map_free(entries, ds_free);
  versions = entries = NULL;
  pthread_mutex_unlock(&lock);
}

uint64_t ds_cache_version(const char *project) {
  uint64_t v = 0;
  pthread_mutex_lock(&lock);
  uint64_t *p = versions ? ds_map_get(versions, project) : NULL;
  if (p) v = *p;
  pthread_mutex_unlock(&lock);
  return v;
}

void ds_cache_bump(const char *project) {
  pthread_mutex_lock(&lock);
  if (versions) {
    uint64_t *p = ds_map_get(versions, project);
    if (!p) {
      p = ds_calloc(1, sizeof *p);
      ds_map_put(versions, project, p);
    }
    (*p)++;
  }
  pthread_mutex_unlock(&lock);
}

char *ds_cache_key(ds_pool *pool, const char *project, const char *what, const char *schema, const char *name) {
  char *k = ds_pool_printf(pool, "%s\x1f%s\x1f%s\x1f%s", project, what, schema ? schema : "", name ? name : "");
  for (char *p = k + strlen(project); *p; p++) *p = (char)tolower((unsigned char)*p);
  return k;
}

int ds_cache_get(const char *key, uint64_t version, ds_pool *pool, uint8_t **data, size_t *len) {
  int hit = 0;
  pthread_mutex_lock(&lock);
  struct entry *e = entries ? ds_map_get(entries, key) : NULL;
  if (e && e->version == version) {
    *data = ds_pool_alloc(pool, e->len ? e->len : 1);
    memcpy(*data, e->data, e->len);
    *len = e->len;
    hit = 1;
  }
  pthread_mutex_unlock(&lock);
  return hit;
}

static void free_entry(void *e) { ds_free(e); }

void ds_cache_put(const char *key, uint64_t version, const uint8_t *data, size_t len) {
  struct entry *e = ds_malloc(sizeof *e + len);
  e->version = version;
  e->len = len;
  memcpy(e->data, data, len);
  pthread_mutex_lock(&lock);
  if (!entries) {
    pthread_mutex_unlock(&lock);
    ds_free(e);
    return;
  }
  if (ds_map_size(entries) >= DS_CACHE_MAX_ENTRIES) {
    ds_map_free(entries, free_entry);
    entries = ds_map_new();
  }
  ds_free(ds_map_put(entries, key, e));
  pthread_mutex_unlock(&lock);
}
