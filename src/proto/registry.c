/* registry.c: a sorted index over the generated descriptor list, built once (see registry.h). */
#include "proto/registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const ProtobufCMessageDescriptor **sorted;
static size_t n_sorted;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int by_name(const void *a, const void *b) {
  const ProtobufCMessageDescriptor *const *x = a, *const *y = b;
  return strcmp((*x)->name, (*y)->name);
}

static void build(void) {
  while (ds_pb_registry_all[n_sorted]) n_sorted++;
  sorted = ds_malloc((n_sorted ? n_sorted : 1) * sizeof *sorted);
  memcpy(sorted, ds_pb_registry_all, n_sorted * sizeof *sorted);
  qsort(sorted, n_sorted, sizeof *sorted, by_name);
}

const ProtobufCMessageDescriptor *ds_pb_find(const char *full_name) {
  pthread_once(&once, build);
  size_t lo = 0, hi = n_sorted;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(sorted[mid]->name, full_name);
    if (c == 0) return sorted[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

const char *ds_pb_type_url_name(const char *type_url) {
  const char *slash = strrchr(type_url, '/');
  return slash ? slash + 1 : type_url;
}
