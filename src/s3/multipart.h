/*
 * multipart.h: multipart uploads (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload).
 *
 * An upload lives in DATA_DIR/tmp/multipart/<project>/<uploadId>/, never inside the bucket: `info` (JSON: key,
 * content type, user metadata), and per part `<n>` (the bytes) and `<n>.etag` ("<md5 hex> <size>"). Complete
 * checks the listed parts (ascending, existing, ETags equal, all but the last at least 5 MiB), concatenates them
 * into a temporary file in the bucket with copy_file_range(2) and renames it over the key; the ETag is the MD5
 * of the parts' binary MD5s followed by "-<number of parts>", as S3's. Thread safe (no shared state).
 */
#ifndef DS_S3MP_H
#define DS_S3MP_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#include "core/err.h"
#include "s3/store.h"

#define DS_S3MP_MIN_PART (5ull << 20)
#define DS_S3MP_MAX_PARTS 10000

typedef struct ds_s3mp_part {
  int number;
  char etag[80]; /* as the client sent it, quotes removed */
} ds_s3mp_part;

/* Starts an upload of key; the new upload id (32 characters) goes into upload_id. */
int ds_s3mp_create(const char *data_dir, const char *project, const char *key, const char *content_type, json_t *user,
                   char upload_id[33], ds_error *err);
/* The path of part n of an upload that must exist for key (NoSuchUpload otherwise). */
int ds_s3mp_part_path(const char *data_dir, const char *project, const char *upload_id, const char *key, int n,
                      char *out, size_t size, ds_error *err);
/* Records the MD5 and size of part n once its bytes were renamed into place. */
int ds_s3mp_part_done(const char *part_path, const char *md5_hex, unsigned long long size, ds_error *err);
/* Completes the upload: writes the object and answers its ETag (without quotes). */
int ds_s3mp_complete(const char *data_dir, const char *project, const char *upload_id, const char *key,
                     const ds_s3mp_part *parts, int n, char etag[80], ds_error *err);
/* Removes the upload and its parts. NoSuchUpload when it does not exist. */
int ds_s3mp_abort(const char *data_dir, const char *project, const char *upload_id, const char *key, ds_error *err);

#endif
