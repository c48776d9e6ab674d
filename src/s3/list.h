/*
 * list.h: listing a bucket (ListObjectsV2 and ListObjects) by walking its directory.
 *
 * Keys come in S3's order (UTF-8 byte order): each directory's entries are sorted with directories compared as
 * "name/", so a depth-first walk yields keys in global order. The walk starts at the deepest directory the
 * prefix names, skips whole subtrees that sort before the marker, and skips the rest of a subtree once it
 * became a CommonPrefix. Temporary files and the reserved `.ds*` names at the root never appear.
 * Thread safe (no shared state).
 */
#ifndef DS_S3LIST_H
#define DS_S3LIST_H

#include "core/err.h"

typedef struct ds_s3list_opts {
  const char *prefix;    /* "" for all */
  const char *delimiter; /* "" for none */
  const char *marker;    /* "": from the start; else only keys (and prefixes) after it */
  int max_keys;
} ds_s3list_opts;

typedef struct ds_s3list_entry {
  char *key; /* the key, or the common prefix when is_prefix */
  int is_prefix;
  unsigned long long size;
  long long mtime_ns;
  char etag[80];
} ds_s3list_entry;

typedef struct ds_s3list_result {
  ds_s3list_entry *entries;
  int n, cap;
  int truncated;
} ds_s3list_result;

int ds_s3list_run(const char *data_dir, const char *project, const ds_s3list_opts *o, ds_s3list_result *r,
                  ds_error *err);
void ds_s3list_result_release(ds_s3list_result *r);

#endif
