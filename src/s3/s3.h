/*
 * s3.h: the S3-compatible object store on the REST listener (driver-contract.md §7).
 *
 * Each project has the bucket `project-<id>` (path-style: http://host:port/project-<id>/<key>), backed by
 * DATA_DIR/files/<id>/. Operations: GetObject (Range), HeadObject, PutObject, DeleteObject, DeleteObjects,
 * CopyObject, ListObjectsV2, ListObjects, multipart upload (create, part, complete, abort), HeadBucket,
 * GetBucketLocation, and ListBuckets on `GET /`. Every request is authenticated with AWS Signature Version 4
 * (header or presigned query): the access key id is a project id with that project's API key as the secret, or
 * "admin" with the admin key, which reaches every bucket. Bodies stream to disk as they arrive (never whole in
 * memory) and are renamed into place only once the whole body arrived and every check (payload SHA-256,
 * Content-MD5, chunk signatures) passed.
 *
 * rest.c hands a request over when ds_s3_claims says so, then passes every libmicrohttpd access-handler call
 * of that request to ds_s3_handle, and ds_s3_done when the request ends.
 * Threads: one request is served by one libmicrohttpd thread; ds_s3 itself is read-only after ds_s3_new.
 */
#ifndef DS_S3_H
#define DS_S3_H

#include <microhttpd.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "driver/auth.h"

typedef struct ds_s3 ds_s3;

/* Takes no ownership; data_dir is copied. */
ds_s3 *ds_s3_new(const char *data_dir, ds_auth *auth, ds_catalog *catalog);
void ds_s3_free(ds_s3 *s3);

/* 1 when the request belongs to the S3 API: a path under /project-..., or any request carrying SigV4 auth
 * (an `Authorization: AWS4-HMAC-SHA256` header or an X-Amz-Algorithm query parameter). */
int ds_s3_claims(struct MHD_Connection *conn, const char *url);

/* One libmicrohttpd access-handler call; *state starts NULL and belongs to this module. */
enum MHD_Result ds_s3_handle(ds_s3 *s3, struct MHD_Connection *conn, const char *url, const char *method,
                             const char *upload_data, size_t *upload_data_size, void **state);
/* The request ended (answered or broken off): frees the state and removes unfinished temporary files. */
void ds_s3_done(void *state);

#endif
