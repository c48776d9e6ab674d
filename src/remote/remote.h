/*
 * remote.h: files in someone else's object store, for TableImportFromFile and TableExportToFile
 * (driver-contract.md §6 "File providers"): remote S3 (SigV4 with the command's S3Credentials) and Azure Blob
 * Storage (a SAS token from ABSCredentials). Objects are streamed between a local file and the store with
 * libcurl; nothing is held in memory whole.
 *
 * S3: path-style `<endpoint>/<bucket>/<key>`; the endpoint is S3_ENDPOINT, or AWS's
 * `https://s3.<region>.amazonaws.com` when that is empty. ABS: `<base>/<container>/<key>?<sas>`; the base is
 * ABS_ENDPOINT (a `{account}` in it is replaced by the account name), or `https://<account>.blob.core.windows.net`.
 * Keys pass the object-key rules of s3/objects.h before they become URLs. Secrets never reach the log or an
 * error message.
 *
 * Errors: 403/401 → DS_E_PERMISSION, 404 on a GET → DS_E_IMPORT_FILE_NOT_FOUND, connection failures, timeouts,
 * 5xx and throttling → DS_E_CONNECTION (retryable), other answers → DS_E_VALIDATION (GET) or DS_E_EXPORT (PUT).
 * Thread safe after ds_remote_init.
 */
#ifndef DS_REMOTE_H
#define DS_REMOTE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"
#include "google/protobuf/any.pb-c.h"

typedef enum ds_remote_kind { DS_REMOTE_S3 = 0, DS_REMOTE_ABS = 1 } ds_remote_kind;

/* One remote store and who we are there. Strings are borrowed (usually from the request pool). */
typedef struct ds_remote {
  ds_remote_kind kind;
  const char *root;                             /* the S3 bucket or ABS container of the FilePath */
  const char *key_id, *secret, *token, *region; /* S3; token may be "" (no session token) */
  const char *account, *sas;                    /* ABS; sas without a leading '?' */
} ds_remote;

/* One HTTP header for signing: a lower-case name and its value. */
typedef struct ds_remote_hdr {
  const char *name;
  const char *value;
} ds_remote_hdr;

/* Sets the endpoints (NULL or "" = the public clouds) and initialises libcurl. Call once at start, before
 * threads. DS_E_VALIDATION when an endpoint is not an http:// or https:// URL. */
int ds_remote_init(const char *s3_endpoint, const char *abs_endpoint, ds_error *err);
void ds_remote_cleanup(void);

/* Fills r for provider (0 S3, 1 ABS; GCS and others are DS_E_VALIDATION) and root from the command's
 * fileCredentials (S3Credentials or ABSCredentials). An ABS account key is refused (SAS only). */
int ds_remote_from_any(ds_pool *pool, int provider, const char *root, const Google__Protobuf__Any *creds,
                       ds_remote *r, ds_error *err);

/* Downloads bucket/key (bucket NULL: r->root) into a new file at path (created 0600, replaced if present).
 * On failure the file is removed. */
int ds_remote_get(const ds_remote *r, const char *bucket, const char *key, const char *path, ds_error *err);
/* Uploads the file at path to key in r->root (one PUT; ABS as a BlockBlob). */
int ds_remote_put(const ds_remote *r, const char *key, const char *path, ds_error *err);
/* Deletes key in r->root; a missing object is success. */
int ds_remote_delete(const ds_remote *r, const char *key, ds_error *err);

/* The manifest URL of key in r->root: s3://<bucket>/<key> or azure://<account>.blob.core.windows.net/<c>/<key>. */
int ds_remote_manifest_url(const ds_remote *r, const char *key, ds_buf *out);
/* Parses a manifest entry URL (s3://bucket/key; azure:// or https://<account>.blob.core.windows.net/c/key, the
 * account must be r's) into bucket (container) and key. DS_E_VALIDATION when it is not one. */
int ds_remote_parse_url(const ds_remote *r, const char *url, char *bucket, size_t bucket_size, char *key,
                        size_t key_size, ds_error *err);

/* The request URL of bucket/key (bucket NULL: r->root), without the SAS token; checks the key. For tests. */
int ds_remote_object_url(const ds_remote *r, const char *bucket, const char *key, ds_buf *out, ds_error *err);

/* The value of an `Authorization: AWS4-HMAC-SHA256 ...` header for a request whose canonical URI (already
 * encoded) and canonical query string are given; headers are the ones to sign (lower-case names, any order,
 * at most 16). amz_date is 20130524T000000Z. */
int ds_remote_sigv4(const char *method, const char *canonical_uri, const char *canonical_query,
                    const ds_remote_hdr *headers, size_t n_headers, const char *payload_hash, const char *key_id,
                    const char *secret, const char *region, const char *amz_date, ds_buf *out, ds_error *err);

#endif
