/* objects.c: object keys and their paths (see objects.h). */
#include "s3/objects.h"

#include <stdio.h>
#include <string.h>

#include "core/names.h"

int ds_objects_key_check(const char *key, int allow_dir, ds_error *err) {
  size_t n = key ? strlen(key) : 0;
  if (n == 0) return ds_error_set(err, DS_E_VALIDATION, "Object key must not be empty.");
  if (n > DS_OBJECT_KEY_MAX)
    return ds_error_set(err, DS_E_VALIDATION, "Object key is too long: %zu bytes, at most %d are allowed.", n,
                        DS_OBJECT_KEY_MAX);
  if (!ds_utf8_valid(key, n)) return ds_error_set(err, DS_E_VALIDATION, "Object key is not valid UTF-8.");
  if (key[0] == '/') return ds_error_set(err, DS_E_VALIDATION, "Object key \"%.200s\" must not start with \"/\".", key);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)key[i];
    if (c < 0x20 || c == 0x7F || c == '\\')
      return ds_error_set(err, DS_E_VALIDATION, "Object key \"%.200s\" contains a forbidden character.", key);
  }
  if (strncmp(key, ".ds", 3) == 0)
    return ds_error_set(err, DS_E_VALIDATION, "Object key \"%.200s\" is reserved (keys starting with \".ds\").", key);
  /* segments */
  const char *seg = key;
  for (;;) {
    const char *slash = strchr(seg, '/');
    size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
    int last = !slash;
    if (len == 0 && !(last && allow_dir && seg != key))
      return ds_error_set(err, DS_E_VALIDATION, "Object key \"%.200s\" has an empty path segment.", key);
    if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
      return ds_error_set(err, DS_E_VALIDATION, "Object key \"%.200s\" must not contain \".\" or \"..\" segments.",
                          key);
    if (last) break;
    seg = slash + 1;
  }
  return 0;
}

int ds_objects_bucket_project(const char *bucket, char *project, size_t project_size, ds_error *err) {
  size_t plen = strlen(DS_BUCKET_PREFIX);
  if (!bucket || strncmp(bucket, DS_BUCKET_PREFIX, plen) != 0)
    return ds_error_set(err, DS_E_NOT_FOUND, "Bucket \"%.100s\" does not exist: buckets are named project-<id>.",
                        bucket ? bucket : "");
  int rc = ds_project_id_check(bucket + plen, err);
  if (rc) return rc;
  if ((size_t)snprintf(project, project_size, "%s", bucket + plen) >= project_size)
    return ds_error_set(err, DS_E_VALIDATION, "Bucket name is too long.");
  return 0;
}

int ds_objects_root(const char *data_dir, const char *project, char *out, size_t out_size, ds_error *err) {
  int rc = ds_project_id_check(project, err);
  if (rc) return rc;
  if ((size_t)snprintf(out, out_size, "%s/files/%s", data_dir, project) >= out_size)
    return ds_error_set(err, DS_E_VALIDATION, "Object path is too long.");
  return 0;
}

int ds_objects_path(const char *data_dir, const char *project, const char *key, char *out, size_t out_size,
                    ds_error *err) {
  int rc = ds_objects_key_check(key, 0, err);
  if (!rc) rc = ds_project_id_check(project, err);
  if (rc) return rc;
  if ((size_t)snprintf(out, out_size, "%s/files/%s/%s", data_dir, project, key) >= out_size)
    return ds_error_set(err, DS_E_VALIDATION, "Object path is too long.");
  return 0;
}
