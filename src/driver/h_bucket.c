/*
 * h_bucket.c: CreateBucket and DropBucket. A bucket is a schema of the project's database, named from the
 * bucket id by the contract's rule (in.c-sales → in_c_sales, dev branches prefixed "<branchId>_").
 */
#include "driver/h_bucket.h"

#include <string.h>

#include "core/names.h"
#include "proto/bucket.pb-c.h"
#include "table/meta.h"

typedef Keboola__StorageDriver__Command__Bucket__CreateBucketCommand CreateBucketCommand;
typedef Keboola__StorageDriver__Command__Bucket__CreateBucketResponse CreateBucketResponse;
typedef Keboola__StorageDriver__Command__Bucket__DropBucketCommand DropBucketCommand;

int ds_h_create_bucket(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const CreateBucketCommand *c = (const CreateBucketCommand *)cmd;
  char schema[DS_NAME_MAX + 1];
  ds_session s;
  ds_buf b;
  int found = 0, rc;
  ds_buf_init(&b, 4096);
  memset(&s, 0, sizeof s);
  if (!c->bucketid || !*c->bucketid) {
    rc = ds_error_set(err, DS_E_VALIDATION, "CreateBucketCommand.bucketId is required");
    goto out;
  }
  if ((rc = ds_object_name_check("Bucket id", c->bucketid, err))) goto out;
  if ((rc = ds_bucket_schema_name(c->bucketid, c->branchid, c->isbranchdefault, schema, sizeof schema, err))) goto out;
  if (ds_meta_schema_reserved(schema)) {
    rc = ds_error_set(err, DS_E_VALIDATION, "Bucket name \"%s\" is reserved.", schema);
    goto out;
  }
  if ((rc = ds_session_open(ctx, "CreateBucketCommand.projectId", c->projectid, 1, &s, err))) goto out;
  if ((rc = ds_meta_schema_find(ctx->pool, s.conn, s.project, schema, NULL, &found, err))) goto out;
  if (found) {
    rc = ds_error_set(err, DS_E_ALREADY_EXISTS, "Object \"%s\" already exists.", schema);
    goto out;
  }
  ds_buf_puts(&b, "CREATE SCHEMA ");
  ds_meta_qualified(&b, s.project, schema, NULL);
  if ((rc = ds_session_ddl(&s, b.data, err, "Cannot create bucket \"%s\": ", schema))) goto out;
  CreateBucketResponse *r = ds_pool_alloc(ctx->pool, sizeof *r);
  keboola__storage_driver__command__bucket__create_bucket_response__init(r);
  r->createbucketobjectname = ds_pool_strdup(ctx->pool, schema); /* path stays empty, as in BigQuery */
  *resp = &r->base;
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}

int ds_h_drop_bucket(ds_ctx *ctx, const ProtobufCMessage *cmd, ProtobufCMessage **resp, ds_error *err) {
  const DropBucketCommand *c = (const DropBucketCommand *)cmd;
  ds_session s;
  ds_buf b;
  char *schema = NULL, **names = NULL;
  ds_obj_kind *kinds = NULL;
  size_t n = 0;
  int found = 0, rc;
  *resp = NULL;
  ds_buf_init(&b, 4096);
  memset(&s, 0, sizeof s);
  if (!c->bucketobjectname || !*c->bucketobjectname) {
    rc = ds_error_set(err, DS_E_VALIDATION, "DropBucketCommand.bucketObjectName is required");
    goto out;
  }
  if ((rc = ds_object_name_check("Bucket name", c->bucketobjectname, err))) goto out;
  if ((rc = ds_session_open(ctx, NULL, NULL, 1, &s, err))) goto out;
  if ((rc = ds_meta_schema_find(ctx->pool, s.conn, s.project, c->bucketobjectname, &schema, &found, err))) goto out;
  if (!found) {
    rc = ds_error_set(err, DS_E_NOT_FOUND, "Object \"%s\" not found.", c->bucketobjectname);
    goto out;
  }
  if ((rc = ds_meta_object_list(ctx->pool, s.conn, s.project, schema, &names, &kinds, &n, err))) goto out;
  if (n && !c->iscascade) {
    rc = ds_error_set(err, DS_E_VALIDATION,
                      "Cannot drop bucket \"%s\": it is not empty (%zu object%s, for example \"%s\"). Use isCascade "
                      "to drop it with everything in it.",
                      schema, n, n == 1 ? "" : "s", names[0]);
    goto out;
  }
  if ((rc = ds_session_begin(&s, err))) goto out;
  ds_buf_puts(&b, "DROP SCHEMA ");
  ds_meta_qualified(&b, s.project, schema, NULL);
  ds_buf_puts(&b, c->iscascade ? " CASCADE" : "");
  if ((rc = ds_session_ddl(&s, b.data, err, "Cannot drop bucket \"%s\": ", schema))) goto out;
  if ((rc = ds_meta_schema_remove(s.conn, s.project, schema, err))) goto out;
  rc = ds_session_commit(&s, err);
out:
  ds_session_close(ctx, &s);
  ds_buf_release(&b);
  return rc;
}
