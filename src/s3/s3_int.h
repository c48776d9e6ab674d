/*
 * s3_int.h: what s3.c (request lifecycle, auth, routing, bodies) and ops.c (the operations) share. Included by
 * those two files only.
 */
#ifndef DS_S3_INT_H
#define DS_S3_INT_H

#include <limits.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/names.h"
#include "s3/chunked.h"
#include "s3/s3.h"
#include "s3/s3err.h"
#include "s3/store.h"

struct ds_s3 {
  char data_dir[PATH_MAX];
  ds_auth *auth;
  ds_catalog *catalog;
};

enum ds_s3__op {
  DS_S3OP_NONE,
  DS_S3OP_LIST_BUCKETS,
  DS_S3OP_HEAD_BUCKET,
  DS_S3OP_LOCATION,
  DS_S3OP_LIST_V1,
  DS_S3OP_LIST_V2,
  DS_S3OP_DELETE_MULTI,
  DS_S3OP_GET,
  DS_S3OP_HEAD,
  DS_S3OP_PUT,
  DS_S3OP_COPY,
  DS_S3OP_DELETE,
  DS_S3OP_MP_CREATE,
  DS_S3OP_MP_PART,
  DS_S3OP_MP_COMPLETE,
  DS_S3OP_MP_ABORT,
};

typedef struct ds_s3req {
  ds_s3 *s3;
  struct MHD_Connection *conn;
  int op;
  const char *op_name;
  char bucket[128];
  char project[DS_PROJECT_ID_MAX + 1]; /* the bucket's project */
  char *key;                           /* decoded; NULL for bucket and service operations */
  char path[PATH_MAX];                 /* where a written body goes */
  int is_admin;
  char who[DS_PROJECT_ID_MAX + 1]; /* the caller's project ("" for the admin) */
  int failed;                      /* a DS_S3E_* met while the body streamed; answered at the end */
  ds_error err;
  /* the body */
  ds_s3sink sink;
  int sink_open;
  ds_chunked *chunked;
  ds_digest *sha;  /* when x-amz-content-sha256 names the body's hash */
  char want_sha[65];
  ds_buf small;    /* bodies that are XML documents */
  unsigned long long received;
  long long decoded_len; /* x-amz-decoded-content-length, -1 when absent */
  char upload_id[40];
  int part_number;
  long long t0_ms;
  unsigned status;
  int answered;
  char request_id[17];
} ds_s3req;

/* Responses. Each queues exactly one answer. */
enum MHD_Result ds_s3__send_error(ds_s3req *r, int code, const char *message);
enum MHD_Result ds_s3__send_xml(ds_s3req *r, unsigned status, const ds_buf *xml);
/* Queues resp (destroyed here) with the request id header. */
enum MHD_Result ds_s3__queue(ds_s3req *r, unsigned status, struct MHD_Response *resp);

const char *ds_s3__header(const ds_s3req *r, const char *name);
const char *ds_s3__query(const ds_s3req *r, const char *name);
/* 0 when the caller may use the bucket; NoSuchBucket or AccessDenied otherwise; *project gets its project. */
int ds_s3__bucket_access(const ds_s3req *r, const char *bucket, char *project, size_t size, ds_error *err);
/* An object key the S3 API accepts: ds_objects_key_check plus no temporary-file names. */
int ds_s3__key_check(const char *key, ds_error *err);
/* x-amz-meta-* headers as a JSON object (new reference), or NULL when there are none. */
json_t *ds_s3__user_meta(const ds_s3req *r);

/* Operations (ops.c). The *_finish ones run once the body arrived. */
enum MHD_Result ds_s3__op_get(ds_s3req *r, int head);
enum MHD_Result ds_s3__op_put_finish(ds_s3req *r);
enum MHD_Result ds_s3__op_copy(ds_s3req *r);
enum MHD_Result ds_s3__op_delete(ds_s3req *r);
enum MHD_Result ds_s3__op_delete_multi(ds_s3req *r);
enum MHD_Result ds_s3__op_list(ds_s3req *r, int v2);
enum MHD_Result ds_s3__op_list_buckets(ds_s3req *r);
enum MHD_Result ds_s3__op_mp_create(ds_s3req *r);
enum MHD_Result ds_s3__op_mp_part_finish(ds_s3req *r);
enum MHD_Result ds_s3__op_mp_complete(ds_s3req *r);
enum MHD_Result ds_s3__op_mp_abort(ds_s3req *r);

#endif
