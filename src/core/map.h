/*
 * map.h: a string-keyed hash map (open addressing, linear probing) for the in-memory indexes.
 *
 * Keys are copied; values are opaque pointers owned by the caller. Not thread safe: the owner locks.
 */
#ifndef DS_MAP_H
#define DS_MAP_H

#include <stddef.h>

typedef struct ds_map ds_map;

ds_map *ds_map_new(void);
/* Frees the map and its key copies; calls free_value on each value when it is not NULL. NULL is ok. */
void ds_map_free(ds_map *m, void (*free_value)(void *));
/* Returns the value stored under key, or NULL. */
void *ds_map_get(const ds_map *m, const char *key);
/* Stores value under key; returns the value it replaced (or NULL). */
void *ds_map_put(ds_map *m, const char *key, void *value);
/* Removes key; returns its value (or NULL). */
void *ds_map_remove(ds_map *m, const char *key);
size_t ds_map_size(const ds_map *m);
/* Calls fn for every entry, in no particular order. The map must not change meanwhile. */
void ds_map_each(const ds_map *m, void (*fn)(const char *key, void *value, void *arg), void *arg);

#endif
