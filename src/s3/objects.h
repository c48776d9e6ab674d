/*
 * objects.h: where each project's files live, shared by the S3-compatible API and by import/export.
 *
 * A project's bucket `project-<id>` is the directory DATA_DIR/files/<id>/; an object key maps to the path
 * below it with the same '/'-separated segments. Every key is checked before it becomes a path: 1..1024
 * bytes of valid UTF-8, no control characters, no backslash, not starting with '/', and no empty, "." or
 * ".." segment, so no key can leave its bucket's directory. Keys whose first segment starts with ".ds"
 * are reserved for the service. Pure functions; thread safe.
 */
#ifndef DS_OBJECTS_H
#define DS_OBJECTS_H

#include <stddef.h>

#include "core/err.h"

#define DS_OBJECT_KEY_MAX 1024
#define DS_BUCKET_PREFIX "project-"

/* 0 when key is a valid object key; else DS_E_VALIDATION naming the problem. A key ending in '/' is
 * accepted only when allow_dir is set (a "folder" prefix). */
int ds_objects_key_check(const char *key, int allow_dir, ds_error *err);

/* Parses a bucket name "project-<id>" into the project id (checked with ds_project_id_check). */
int ds_objects_bucket_project(const char *bucket, char *project, size_t project_size, ds_error *err);

/* DATA_DIR/files/<project>/<key> into out. Checks the project id and the key first. */
int ds_objects_path(const char *data_dir, const char *project, const char *key, char *out, size_t out_size,
                    ds_error *err);
/* DATA_DIR/files/<project> into out. */
int ds_objects_root(const char *data_dir, const char *project, char *out, size_t out_size, ds_error *err);

#endif
