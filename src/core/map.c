/* map.c: open-addressing string map (see map.h). Deletion uses backward-shift, so there are no tombstones. */
#include "core/map.h"

#include <stdint.h>
#include <string.h>

#include "core/mem.h"

struct slot {
  char *key; /* NULL: empty */
  void *value;
  uint64_t hash;
};

struct ds_map {
  struct slot *slots;
  size_t cap; /* power of two */
  size_t size;
};

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h ^ (h >> 29);
}

ds_map *ds_map_new(void) {
  ds_map *m = ds_calloc(1, sizeof *m);
  m->cap = 16;
  m->slots = ds_calloc(m->cap, sizeof *m->slots);
  return m;
}

void ds_map_free(ds_map *m, void (*free_value)(void *)) {
  if (!m) return;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key) {
      ds_free(m->slots[i].key);
      if (free_value && m->slots[i].value) free_value(m->slots[i].value);
    }
  ds_free(m->slots);
  ds_free(m);
}

static size_t find(const ds_map *m, const char *key, uint64_t h) {
  size_t mask = m->cap - 1, i = (size_t)h & mask;
  while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0)) i = (i + 1) & mask;
  return i;
}

static void grow(ds_map *m) {
  struct slot *old = m->slots;
  size_t oldcap = m->cap;
  m->cap *= 2;
  m->slots = ds_calloc(m->cap, sizeof *m->slots);
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].key) {
      size_t j = (size_t)old[i].hash & (m->cap - 1);
      while (m->slots[j].key) j = (j + 1) & (m->cap - 1);
      m->slots[j] = old[i];
    }
  ds_free(old);
}

void *ds_map_get(const ds_map *m, const char *key) {
  size_t i = find(m, key, hash_str(key));
  return m->slots[i].key ? m->slots[i].value : NULL;
}

void *ds_map_put(ds_map *m, const char *key, void *value) {
  if ((m->size + 1) * 4 > m->cap * 3) grow(m);
  uint64_t h = hash_str(key);
  size_t i = find(m, key, h);
  if (m->slots[i].key) {
    void *old = m->slots[i].value;
    m->slots[i].value = value;
    return old;
  }
  m->slots[i].key = ds_strdup(key);
  m->slots[i].value = value;
  m->slots[i].hash = h;
  m->size++;
  return NULL;
}

void *ds_map_remove(ds_map *m, const char *key) {
  uint64_t h = hash_str(key);
  size_t mask = m->cap - 1, i = find(m, key, h);
  if (!m->slots[i].key) return NULL;
  void *value = m->slots[i].value;
  ds_free(m->slots[i].key);
  m->slots[i].key = NULL;
  m->size--;
  /* backward-shift the cluster that follows so lookups never stop at the hole */
  for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
    size_t home = (size_t)m->slots[j].hash & mask;
    int between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (between) continue;
    m->slots[i] = m->slots[j];
    m->slots[j].key = NULL;
    i = j;
  }
  return value;
}

size_t ds_map_size(const ds_map *m) { return m->size; }

void ds_map_each(const ds_map *m, void (*fn)(const char *key, void *value, void *arg), void *arg) {
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key) fn(m->slots[i].key, m->slots[i].value, arg);
}
